//! `localvpc exec --instance i-… -- COMMAND …`: runs a program "inside" an instance. It
//! opens a data-plane session on the running server (`POST /_localvpc/sessions`), hands the
//! program that session's proxy in the variables HTTP clients read, waits for it, closes the
//! session and exits with the program's status. With `--publish PORT[:REALPORT]` the program
//! is also the instance's server on PORT for as long as the session lives.

use crate::dns::{Endpoint, http};
use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};
use std::process::Command;

#[derive(Args, Debug)]
pub(crate) struct ExecArgs {
    #[command(flatten)]
    endpoint: Endpoint,
    /// The instance the program runs in (`i-…`, running).
    #[arg(long)]
    instance: String,
    /// Serve a port of the instance from this program, while it runs: connections the data
    /// plane delivers to the instance's private addresses on PORT (directly, or as a load
    /// balancer's target) reach 127.0.0.1:REALPORT (default: PORT), the program's own
    /// listener. Repeatable.
    #[arg(long, value_name = "PORT[:REALPORT]", value_parser = crate::map::parse_publish)]
    publish: Vec<(u16, u16)>,
    /// The program and its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

/// The HTTP proxy variables set for the program, in both spellings (curl reads the
/// lower-case `http_proxy` only; most other tools read either).
const PROXY_VARIABLES: [&str; 4] = ["HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"];

/// The variables for everything else, pointing at the same port's SOCKS5 (`socks5h`: the
/// proxy resolves names, in the instance's VPC view).
const SOCKS_VARIABLES: [&str; 2] = ["ALL_PROXY", "all_proxy"];

/// Addresses that stay on the "instance" itself: its own loopback.
const NO_PROXY: &str = "localhost,127.0.0.1,::1";

/// The variables that name a CA bundle file, read by the aws CLI and botocore
/// (`AWS_CA_BUNDLE`), OpenSSL-based tools (`SSL_CERT_FILE`), requests (`REQUESTS_CA_BUNDLE`)
/// and curl (`CURL_CA_BUNDLE`). The bundle holds the system's authorities and localvpc's, so
/// tunnels to the real internet still verify.
const CA_BUNDLE_VARIABLES: [&str; 4] = [
    "AWS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
];

/// The system's trusted authorities, where Debian/Ubuntu, Fedora/RHEL, Alpine and macOS
/// (with Homebrew's OpenSSL) keep them.
const SYSTEM_BUNDLES: [&str; 4] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/openssl/cert.pem",
];

/// The files a program trusts for the life of its session, removed afterwards.
struct CaBundle {
    /// The system's authorities and localvpc's.
    path: std::path::PathBuf,
    /// localvpc's alone (for `NODE_EXTRA_CA_CERTS`, which adds to Node's own list).
    ca_only: std::path::PathBuf,
}

impl CaBundle {
    fn write(endpoint: &str, session: &str) -> anyhow::Result<Self> {
        let (status, ca) = http(endpoint, "GET", "/_localvpc/ca", None)?;
        if status != 200 || !ca.contains("BEGIN CERTIFICATE") {
            bail!("the server gave no certificate authority (GET /_localvpc/ca answered {status})");
        }
        let system = SYSTEM_BUNDLES
            .iter()
            .find_map(|p| std::fs::read_to_string(p).ok())
            .unwrap_or_default();
        let dir = std::env::temp_dir();
        let bundle = Self {
            path: dir.join(format!("localvpc-{session}-bundle.pem")),
            ca_only: dir.join(format!("localvpc-{session}-ca.pem")),
        };
        std::fs::write(&bundle.path, format!("{system}\n{ca}"))
            .with_context(|| format!("cannot write {}", bundle.path.display()))?;
        std::fs::write(&bundle.ca_only, &ca)
            .with_context(|| format!("cannot write {}", bundle.ca_only.display()))?;
        Ok(bundle)
    }
}

impl Drop for CaBundle {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(&self.ca_only);
    }
}

/// Runs the program; its exit status (128 + the signal when a signal ended it).
pub(crate) fn run(args: ExecArgs) -> anyhow::Result<u8> {
    let endpoint = &args.endpoint.endpoint;
    let publish: Vec<Value> = args
        .publish
        .iter()
        .map(|&(port, real_port)| json!({ "port": port, "real_port": real_port }))
        .collect();
    let body = if publish.is_empty() {
        json!({ "instance": args.instance })
    } else {
        json!({ "instance": args.instance, "publish": publish })
    }
    .to_string();
    let (status, text) = http(endpoint, "POST", "/_localvpc/sessions", Some(&body))?;
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status != 201 {
        let message = answer
            .get("error")
            .and_then(Value::as_str)
            .map_or(text.clone(), str::to_owned);
        bail!("{message}");
    }
    let field = |name: &str| -> anyhow::Result<String> {
        answer
            .get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .with_context(|| format!("the session answer has no `{name}`: {text}"))
    };
    let (session, proxy) = (field("session")?, field("proxy")?);
    for p in answer
        .get("published")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let text = |name: &str| p.get(name).and_then(Value::as_str).unwrap_or_default();
        eprintln!(
            "localvpc: {} is served by {} while the program runs",
            text("emulated"),
            text("real")
        );
    }
    // Held open, unread, until exec ends: should exec die before closing the session, the
    // server closes it (and its published ports) when this connection drops.
    let lease = lease(endpoint, &session);
    let bundle = match CaBundle::write(endpoint, &session) {
        Ok(bundle) => bundle,
        Err(e) => {
            close(endpoint, &session);
            return Err(e);
        }
    };
    let (program, rest) = args.command.split_first().context("no command to run")?;
    let mut command = Command::new(program);
    command.args(rest);
    for name in PROXY_VARIABLES {
        command.env(name, &proxy);
    }
    let socks = proxy.replacen("http://", "socks5h://", 1);
    for name in SOCKS_VARIABLES {
        command.env(name, &socks);
    }
    command.env("NO_PROXY", NO_PROXY).env("no_proxy", NO_PROXY);
    // The instance's metadata service, reached through the proxy (SDKs' default address).
    command.env(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "http://169.254.169.254/",
    );
    command
        .env("LOCALVPC_INSTANCE", &args.instance)
        .env("LOCALVPC_SESSION", &session);
    for name in CA_BUNDLE_VARIABLES {
        command.env(name, &bundle.path);
    }
    command.env("NODE_EXTRA_CA_CERTS", &bundle.ca_only);
    let outcome = run_program(command);
    drop(bundle);
    // The session ends with the program, whatever became of it.
    close(endpoint, &session);
    drop(lease);
    let status = outcome.with_context(|| format!("cannot run `{program}`"))?;
    Ok(exit_code(&status))
}

/// Opens the session's lease (`GET /_localvpc/sessions/ID/lease`, answered only when the
/// session closes); `None` when it cannot (the session then lives until it is closed).
fn lease(endpoint: &str, session: &str) -> Option<std::net::TcpStream> {
    use std::io::Write as _;
    let authority = endpoint.strip_prefix("http://")?.trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).ok()?;
    write!(
        stream,
        "GET /_localvpc/sessions/{session}/lease HTTP/1.1\r\nHost: {authority}\r\n\r\n"
    )
    .ok()?;
    Some(stream)
}

/// Closes a session (and with it the ports it published).
fn close(endpoint: &str, session: &str) {
    let _ = http(
        endpoint,
        "DELETE",
        &format!("/_localvpc/sessions/{session}"),
        None,
    );
}

/// Runs the program to its end. exec outlives the signals that would end it first, so that
/// it closes the session (and its published ports) after the program: Ctrl-C (SIGINT) reaches
/// the program from the terminal already, as it does under a shell; SIGTERM and SIGHUP sent
/// to exec are passed on to the program.
#[cfg(unix)]
fn run_program(mut command: Command) -> std::io::Result<std::process::ExitStatus> {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let _context = runtime.enter();
    // Registered before the program starts: no signal in between takes the default action.
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut child = command.spawn()?;
    let pid = child.id().to_string();
    let (done, mut ended) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait());
    });
    runtime.block_on(async move {
        loop {
            let pass_on = tokio::select! {
                status = &mut ended => {
                    return status.unwrap_or_else(|_| Err(std::io::Error::other("the program's waiter stopped")));
                }
                _ = interrupt.recv() => None,
                _ = terminate.recv() => Some("TERM"),
                _ = hangup.recv() => Some("HUP"),
            };
            if let Some(name) = pass_on {
                // kill(1): the standard library sends no signal but SIGKILL.
                let _ = Command::new("kill").args(["-s", name, &pid]).status();
            }
        }
    })
}

#[cfg(not(unix))]
fn run_program(mut command: Command) -> std::io::Result<std::process::ExitStatus> {
    command.status()
}

#[cfg(unix)]
fn exit_code(status: &std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code & 0xff).unwrap_or(1),
        (None, Some(signal)) => u8::try_from((128 + signal) & 0xff).unwrap_or(1),
        (None, None) => 1,
    }
}

#[cfg(not(unix))]
fn exit_code(status: &std::process::ExitStatus) -> u8 {
    status
        .code()
        .and_then(|c| u8::try_from(c & 0xff).ok())
        .unwrap_or(1)
}

/// `localvpc ca`: prints the certificate authority a running server's data plane signs
/// with (`GET /_localvpc/ca`), so it can be inspected or trusted by hand.
pub(crate) fn print_ca(endpoint: &Endpoint) -> anyhow::Result<()> {
    let (status, ca) = http(&endpoint.endpoint, "GET", "/_localvpc/ca", None)?;
    if status != 200 {
        bail!("GET /_localvpc/ca answered {status}: {ca}");
    }
    print!("{ca}");
    Ok(())
}
