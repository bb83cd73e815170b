//! `localvpc exec --instance i-… -- COMMAND …`: runs a program "inside" an instance. It
//! opens a data-plane session on the running server (`POST /_localvpc/sessions`), hands the
//! program that session's proxy in the variables HTTP clients read, waits for it, closes the
//! session and exits with the program's status.

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
    /// The program and its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

/// The proxy variables set for the program, in both spellings (curl reads the lower-case
/// `http_proxy` only; most other tools read either).
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// Addresses that stay on the "instance" itself: its own loopback.
const NO_PROXY: &str = "localhost,127.0.0.1,::1";

/// Runs the program; its exit status (128 + the signal when a signal ended it).
pub(crate) fn run(args: ExecArgs) -> anyhow::Result<u8> {
    let endpoint = &args.endpoint.endpoint;
    let body = json!({ "instance": args.instance }).to_string();
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
    let (program, rest) = args.command.split_first().context("no command to run")?;
    let mut command = Command::new(program);
    command.args(rest);
    for name in PROXY_VARIABLES {
        command.env(name, &proxy);
    }
    command.env("NO_PROXY", NO_PROXY).env("no_proxy", NO_PROXY);
    command
        .env("LOCALVPC_INSTANCE", &args.instance)
        .env("LOCALVPC_SESSION", &session);
    let outcome = command.status();
    // The session ends with the program, whatever became of it.
    let _ = http(
        endpoint,
        "DELETE",
        &format!("/_localvpc/sessions/{session}"),
        None,
    );
    let status = outcome.with_context(|| format!("cannot run `{program}`"))?;
    Ok(exit_code(&status))
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
