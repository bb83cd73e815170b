//! `localvpc serve`: parse flags (each with a `LOCALVPC_*` variable), resolve the
//! configuration, run the server until SIGINT or SIGTERM.

use anyhow::{Context, bail};
use clap::Args;
use localvpc_model::{AccountId, Catalog};
use localvpc_server::{Config, DnsConfig, ListenSpec, StoreConfig};
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// Address of the AWS API (all services share it).
    #[arg(long, env = "LOCALVPC_LISTEN", default_value = "127.0.0.1:4566")]
    listen: SocketAddr,

    /// Directory of the embedded database [default: the platform data directory + /localvpc].
    #[arg(long, env = "LOCALVPC_DATA_DIR", conflicts_with = "ephemeral")]
    data_dir: Option<PathBuf>,

    /// Keep everything in memory and write nothing.
    #[arg(long, env = "LOCALVPC_EPHEMERAL")]
    ephemeral: bool,

    /// Map an access key id to an account: `AKID=123456789012` (repeatable;
    /// LOCALVPC_ACCOUNT takes a comma-separated list).
    #[arg(
        long = "account",
        env = "LOCALVPC_ACCOUNT",
        value_delimiter = ',',
        value_name = "AKID=ACCOUNT"
    )]
    accounts: Vec<String>,

    /// A file of `AKID=ACCOUNT` lines (`#` starts a comment).
    #[arg(long, env = "LOCALVPC_ACCOUNTS_FILE")]
    accounts_file: Option<PathBuf>,

    /// Do not create a default VPC in each account and region.
    #[arg(long, env = "LOCALVPC_NO_DEFAULT_VPC")]
    no_default_vpc: bool,

    /// Map an AZ name to an AZ id: `ap-northeast-1a=apne1-az1`, or for one account only
    /// `111111111111:ap-northeast-1a=apne1-az1` (repeatable).
    #[arg(
        long = "az-id",
        env = "LOCALVPC_AZ_ID",
        value_delimiter = ',',
        value_name = "[ACCOUNT:]ZONE=AZID"
    )]
    az_ids: Vec<String>,

    /// Region of unsigned requests, which carry no SigV4 credential scope.
    #[arg(long, env = "LOCALVPC_DEFAULT_REGION", default_value = "us-east-1")]
    default_region: String,

    /// Where the DNS server listens: a loopback block (one address per view: the public
    /// view, each VPC's resolver, each inbound endpoint IP), one address (one port per
    /// view), or `off`.
    #[arg(long, env = "LOCALVPC_DNS_LISTEN", default_value = "127.53.0.0/16")]
    dns_listen: String,

    /// DNS port [default: 53 when the process may bind it, else 5353]; 0 = any free port
    /// per listener (see `localvpc dns listeners`).
    #[arg(long, env = "LOCALVPC_DNS_PORT")]
    dns_port: Option<u16>,

    /// The real socket behind an emulated address: FORWARD-rule queries to that target,
    /// and data-plane connections to it (an "internet" or on-premises server, or what stands
    /// behind an instance or load balancer target), go there:
    /// `192.168.0.10:53=127.0.0.1:5399` (repeatable; LOCALVPC_MAP_IP takes a comma-separated
    /// list).
    #[arg(
        long = "map-ip",
        env = "LOCALVPC_MAP_IP",
        value_delimiter = ',',
        value_name = "EMULATED:PORT=REAL:PORT"
    )]
    map_ip: Vec<String>,

    /// Where Resolver query logs are written: one JSON-lines file per query-logging
    /// configuration, `<DIR>/<config id>.log` [default: <data dir>/query-logs; with
    /// --ephemeral none unless given]; `off` = none.
    #[arg(long, env = "LOCALVPC_QUERY_LOG_DIR", value_name = "DIR|off")]
    query_log_dir: Option<String>,

    /// Where the data plane proxy of `localvpc exec` listens (loopback; port 0 = any free
    /// port, which sessions hand out), or `off`.
    #[arg(long, env = "LOCALVPC_PROXY_LISTEN", default_value = "127.0.0.1:0")]
    proxy_listen: String,

    /// Whether data-plane connections that leave every VPC (through an internet or NAT
    /// gateway) reach their real destination; `off` refuses them (`--map-ip` still applies).
    #[arg(long, env = "LOCALVPC_INTERNET", default_value = "on", value_parser = ["on", "off"])]
    internet: String,

    /// Relay an AWS service localvpc does not serve to another emulator:
    /// `ssm=http://127.0.0.1:4566` (the service's endpoint name; repeatable;
    /// LOCALVPC_UPSTREAM takes a comma-separated list). The data plane sends requests that
    /// reach that service (through its interface endpoint or public name) there.
    #[arg(
        long = "upstream",
        env = "LOCALVPC_UPSTREAM",
        value_delimiter = ',',
        value_name = "SERVICE=http://HOST:PORT"
    )]
    upstreams: Vec<String>,

    /// How the data plane refuses a blocked connection: `fast` (at once, the blocker named in
    /// `x-localvpc-*` headers) or `hang` (no answer until the client gives up, as AWS drops
    /// the packet).
    #[arg(long, env = "LOCALVPC_REFUSALS", default_value = "fast", value_parser = ["fast", "hang"])]
    refusals: String,

    /// Log filter (tracing `EnvFilter` syntax).
    #[arg(long, env = "LOCALVPC_LOG", default_value = "info")]
    log: String,
}

pub(crate) fn run(args: ServeArgs) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&args.log).context("invalid --log filter")?,
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = resolve(&args)?;
    raise_open_file_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let state = localvpc_server::State::start(config)?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        if let Some(proxy) = proxy_listen(&args.proxy_listen)? {
            start_proxy(proxy, &state)?;
        }
        // One machine-readable line on stdout: tests and scripts wait for it.
        let mut out = std::io::stdout();
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
        tracing::info!(%addr, store = ?state.config.store, "localvpc is ready");
        localvpc_server::serve(listener, state, shutdown_signal()).await;
        tracing::info!("stopped");
        anyhow::Ok(())
    })
}

/// `--upstream SERVICE=http://HOST:PORT` pairs.
fn upstreams(specs: &[String]) -> anyhow::Result<BTreeMap<String, http::Uri>> {
    let mut out = BTreeMap::new();
    for spec in specs {
        let parsed = spec.split_once('=').and_then(|(service, url)| {
            let uri: http::Uri = url.trim().parse().ok()?;
            (uri.scheme_str() == Some("http") && uri.authority().is_some() && !service.is_empty())
                .then(|| (service.trim().to_owned(), uri))
        });
        let Some((service, uri)) = parsed else {
            bail!("--upstream expects SERVICE=http://HOST:PORT, got `{spec}`");
        };
        out.insert(service, uri);
    }
    Ok(out)
}

/// `--proxy-listen`: an address, or `off`.
fn proxy_listen(flag: &str) -> anyhow::Result<Option<SocketAddr>> {
    if flag == "off" {
        return Ok(None);
    }
    let addr: SocketAddr = flag
        .parse()
        .with_context(|| format!("--proxy-listen expects HOST:PORT or off, got `{flag}`"))?;
    if !addr.ip().is_loopback() {
        bail!("--proxy-listen must be a loopback address (the proxy is never an open relay)");
    }
    Ok(Some(addr))
}

/// Binds the data plane proxy and serves it on a runtime of its own, on its own threads,
/// so a busy proxy never delays the API or DNS.
fn start_proxy(
    addr: SocketAddr,
    state: &std::sync::Arc<localvpc_server::State>,
) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(addr)
        .with_context(|| format!("cannot listen on {addr} (--proxy-listen)"))?;
    listener.set_nonblocking(true)?;
    let bound = listener.local_addr()?;
    state.set_proxy_address(bound);
    let state = std::sync::Arc::clone(state);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("localvpc-proxy")
        .enable_all()
        .build()
        .context("cannot start the proxy runtime")?;
    std::thread::Builder::new()
        .name("localvpc-proxy".to_owned())
        .spawn(move || {
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(listener) {
                    Ok(listener) => {
                        let sessions = std::sync::Arc::clone(&state.sessions);
                        let authority = std::sync::Arc::clone(&state.authority);
                        let options = localvpc_server::ProxyOptions {
                            hang_when_blocked: state.config.hang_when_blocked,
                            ..Default::default()
                        };
                        localvpc_server::serve_proxy(
                            listener,
                            state,
                            sessions,
                            authority,
                            options,
                            std::future::pending(),
                        )
                        .await;
                    }
                    Err(e) => tracing::error!(error = %e, "the proxy cannot listen"),
                }
            });
        })
        .context("cannot start the proxy thread")?;
    tracing::info!(%bound, "data plane proxy listening");
    Ok(())
}

/// Every DNS view holds two sockets (UDP and TCP): with the common soft limit of 1,024 open
/// files only ~500 VPCs would get a listener. Raise the soft limit to the hard one.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!(limit, "open file limit"),
        Err(e) => tracing::warn!(error = %e, "cannot raise the open file limit"),
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn resolve(args: &ServeArgs) -> anyhow::Result<Config> {
    let store = if args.ephemeral {
        StoreConfig::Ephemeral
    } else {
        let dir = match &args.data_dir {
            Some(d) => d.clone(),
            None => dirs::data_dir()
                .context("no platform data directory; pass --data-dir")?
                .join("localvpc"),
        };
        StoreConfig::DataDir(dir)
    };
    let mut accounts = BTreeMap::new();
    if let Some(file) = &args.accounts_file {
        for line in read_lines(file)? {
            insert_account(&mut accounts, &line)?;
        }
    }
    for pair in &args.accounts {
        insert_account(&mut accounts, pair)?;
    }
    let mut catalog = Catalog::default();
    for spec in &args.az_ids {
        let (account, mapping) = match spec.split_once(':') {
            Some((acct, rest)) => (
                Some(
                    AccountId::parse(acct)
                        .with_context(|| format!("`{acct}` is not a 12-digit account id"))?,
                ),
                rest,
            ),
            None => (None, spec.as_str()),
        };
        let Some((zone, id)) = mapping.split_once('=') else {
            bail!("--az-id expects ZONE=AZID, got `{spec}`");
        };
        catalog.map_az(account, zone, id);
    }
    if catalog.region(&args.default_region).is_none() {
        bail!(
            "--default-region `{}` is not a known region",
            args.default_region
        );
    }
    Ok(Config {
        accounts,
        default_vpc: !args.no_default_vpc,
        default_region: args.default_region.clone(),
        catalog,
        dns: DnsConfig {
            query_log_dir: query_log_dir(args.query_log_dir.as_deref(), &store),
            ..dns_config(args)?
        },
        internet: args.internet == "on",
        upstreams: upstreams(&args.upstreams)?,
        hang_when_blocked: args.refusals == "hang",
        store,
    })
}

/// `--query-log-dir`: a directory, `off`, or by default `query-logs` in the data directory
/// (nothing for `--ephemeral`, which writes nothing).
fn query_log_dir(flag: Option<&str>, store: &StoreConfig) -> Option<PathBuf> {
    match (flag, store) {
        (Some("off"), _) => None,
        (Some(dir), _) => Some(PathBuf::from(dir)),
        (None, StoreConfig::DataDir(dir)) => Some(dir.join("query-logs")),
        (None, StoreConfig::Ephemeral) => None,
    }
}

fn dns_config(args: &ServeArgs) -> anyhow::Result<DnsConfig> {
    let listen =
        ListenSpec::parse(&args.dns_listen).map_err(|e| anyhow::anyhow!("--dns-listen: {e}"))?;
    let port = match args.dns_port {
        Some(p) => p,
        None => default_dns_port(&listen),
    };
    let mut map_ip = BTreeMap::new();
    for spec in &args.map_ip {
        let parsed = spec.split_once('=').and_then(|(from, to)| {
            Some((
                from.trim().parse::<SocketAddr>().ok()?,
                to.trim().parse::<SocketAddr>().ok()?,
            ))
        });
        let Some((from, to)) = parsed else {
            bail!("--map-ip expects EMULATED:PORT=REAL:PORT, got `{spec}`");
        };
        map_ip.insert(from, to);
    }
    Ok(DnsConfig {
        listen,
        port,
        map_ip,
        ..DnsConfig::default()
    })
}

/// 53 when this process may bind a privileged port (root, or CAP_NET_BIND_SERVICE), else
/// 5353: probed by binding the first address of the block (or the single address) briefly.
fn default_dns_port(listen: &ListenSpec) -> u16 {
    let probe = match listen {
        ListenSpec::Block { network, .. } => {
            std::net::Ipv4Addr::from(u32::from(*network).saturating_add(1))
        }
        ListenSpec::Single(ip) => *ip,
        ListenSpec::Off => return 53,
    };
    match std::net::UdpSocket::bind((probe, 53)) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => 5353,
        _ => 53,
    }
}

fn read_lines(path: &Path) -> anyhow::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect())
}

fn insert_account(accounts: &mut BTreeMap<String, AccountId>, pair: &str) -> anyhow::Result<()> {
    let Some((akid, account)) = pair.split_once('=') else {
        bail!("--account expects AKID=ACCOUNT, got `{pair}`");
    };
    let account = AccountId::parse(account.trim())
        .with_context(|| format!("`{account}` is not a 12-digit account id"))?;
    accounts.insert(akid.trim().to_owned(), account);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_listens_on_loopback_or_not_at_all() {
        assert_eq!(proxy_listen("off").unwrap(), None);
        assert_eq!(
            proxy_listen("127.0.0.1:0").unwrap(),
            Some("127.0.0.1:0".parse().unwrap())
        );
        assert!(proxy_listen("[::1]:8080").unwrap().is_some());
        // Never an open relay: other addresses are refused, as is nonsense.
        assert!(proxy_listen("0.0.0.0:8080").is_err());
        assert!(proxy_listen("10.0.0.1:8080").is_err());
        assert!(proxy_listen("localhost").is_err());
    }

    #[test]
    fn upstreams_are_service_and_http_url_pairs() {
        let map = upstreams(&["ssm=http://127.0.0.1:4566".to_owned()]).unwrap();
        assert_eq!(map["ssm"].authority().unwrap().as_str(), "127.0.0.1:4566");
        for bad in ["ssm", "=http://h:1", "ssm=https://h:1", "ssm=h:1"] {
            assert!(upstreams(&[bad.to_owned()]).is_err(), "{bad}");
        }
    }
}
