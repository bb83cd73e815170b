//! `https`: keep-alive HTTPS requests at a fixed concurrency, either straight to a TLS
//! endpoint (haproxy terminating TLS in front of the API) or through localvpc's proxy
//! (`CONNECT host:443` with the session's credential, then TLS with the intercepting proxy).
//! The same client, the same request and the same TLS stack on both sides, so the peers
//! differ only in what answers.
//!
//! Also `connect-rate`: new proxied connections per second (CONNECT, TLS handshake, one
//! request, close), and `idle`: hold M idle proxied tunnels open for a while.

use crate::stats::{percentile, round3};
use anyhow::{Context as _, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// Where and how to send HTTPS requests.
#[derive(clap::Args, Clone, Debug)]
pub(crate) struct HttpsArgs {
    /// The TCP address to connect to: haproxy's TLS port, or localvpc's proxy.
    #[arg(long)]
    pub(crate) connect: SocketAddr,
    /// The server name: TLS SNI, `Host`, and the CONNECT authority (port 443).
    #[arg(long)]
    pub(crate) name: String,
    /// The port the CONNECT asks for.
    #[arg(long, default_value_t = 443)]
    pub(crate) port: u16,
    /// `SESSION:TOKEN`: open each connection with `CONNECT NAME:PORT` through the proxy.
    #[arg(long)]
    pub(crate) proxy_credential: Option<String>,
    /// PEM file of the certificate authority to trust.
    #[arg(long)]
    pub(crate) ca: std::path::PathBuf,
    /// The request body (an EC2 query form), POSTed to `/`.
    #[arg(long, default_value = "Action=DescribeVpcs&Version=2016-11-15")]
    pub(crate) form: String,
    /// The credential scope's region and service in the SigV4-shaped header.
    #[arg(long, default_value = "ap-northeast-1/ec2")]
    pub(crate) scope: String,
    #[arg(long, default_value_t = 8)]
    pub(crate) concurrency: usize,
    #[arg(long, default_value_t = 10)]
    pub(crate) duration_secs: u64,
}

/// A TLS client configuration trusting `ca` only.
fn tls_config(ca: &std::path::Path) -> Result<Arc<rustls::ClientConfig>> {
    let pem = std::fs::read(ca).with_context(|| format!("read {}", ca.display()))?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(&pem) {
        roots.add(cert.context("a certificate in the CA file")?)?;
    }
    #[expect(
        deprecated,
        reason = "ring's provider lacks post-quantum key exchange only, as the proxy's"
    )]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Opens one TCP connection, through the proxy's CONNECT when a credential is given.
async fn open_tcp(args: &HttpsArgs) -> Result<TcpStream> {
    let mut stream = TcpStream::connect(args.connect).await?;
    stream.set_nodelay(true)?;
    if let Some(credential) = &args.proxy_credential {
        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(credential);
        stream
            .write_all(
                format!(
                    "CONNECT {0}:{1} HTTP/1.1\r\nHost: {0}:{1}\r\nProxy-Authorization: Basic {basic}\r\n\r\n",
                    args.name, args.port
                )
                .as_bytes(),
            )
            .await?;
        let mut head = Vec::with_capacity(128);
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() > 16 * 1024 {
                bail!("the proxy's answer to CONNECT has no end");
            }
            head.push(stream.read_u8().await?);
        }
        if !head.starts_with(b"HTTP/1.1 200") {
            bail!("CONNECT refused: {}", String::from_utf8_lossy(&head));
        }
    }
    Ok(stream)
}

/// Opens one TLS connection ready for HTTP/1.1 requests.
async fn open(
    args: &HttpsArgs,
    tls: &Arc<rustls::ClientConfig>,
) -> Result<SendRequest<Full<Bytes>>> {
    let stream = open_tcp(args).await?;
    let name = rustls::pki_types::ServerName::try_from(args.name.clone())?;
    let stream = tokio_rustls::TlsConnector::from(Arc::clone(tls))
        .connect(name, stream)
        .await?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ended = conn.await;
    });
    Ok(sender)
}

fn request(args: &HttpsArgs) -> Result<hyper::Request<Full<Bytes>>> {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/{}/aws4_request, SignedHeaders=host, Signature=0",
        args.scope
    );
    Ok(hyper::Request::post("/")
        .header(hyper::header::HOST, &args.name)
        .header(
            hyper::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .header(hyper::header::AUTHORIZATION, auth)
        .body(Full::new(Bytes::copy_from_slice(args.form.as_bytes())))?)
}

/// One worker's tally.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    body_bytes: u64,
    errors: u64,
    connects: u64,
    first_error: Option<String>,
}

async fn worker(args: Arc<HttpsArgs>, tls: Arc<rustls::ClientConfig>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut sender: Option<SendRequest<Full<Bytes>>> = None;
    while Instant::now() < until {
        let started = Instant::now();
        let outcome = tokio::time::timeout(Duration::from_secs(10), async {
            let kept = match sender.take() {
                Some(mut s) => s.ready().await.is_ok().then_some(s),
                None => None,
            };
            let mut s = match kept {
                Some(s) => s,
                None => {
                    tally.connects += 1;
                    open(&args, &tls).await?
                }
            };
            let response = s.send_request(request(&args)?).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            if !status.is_success() {
                bail!("status {status}");
            }
            Ok::<_, anyhow::Error>((s, body.len()))
        })
        .await;
        match outcome {
            Ok(Ok((s, len))) => {
                tally.body_bytes += len as u64;
                tally
                    .latencies_us
                    .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
                sender = Some(s);
            }
            Ok(Err(e)) => {
                tally.errors += 1;
                tally.first_error.get_or_insert_with(|| format!("{e:#}"));
            }
            Err(_) => {
                tally.errors += 1;
                tally
                    .first_error
                    .get_or_insert_with(|| "timed out".to_owned());
            }
        }
        if tally.errors > 1000 {
            break;
        }
    }
    tally
}

/// Runs keep-alive HTTPS requests for the duration; a JSON summary.
pub(crate) async fn run(args: HttpsArgs) -> Result<Value> {
    if args.duration_secs > crate::MAX_DURATION_SECS {
        bail!("--duration-secs is at most {}", crate::MAX_DURATION_SECS);
    }
    let tls = tls_config(&args.ca)?;
    let args = Arc::new(args);
    let started = Instant::now();
    let until = started + Duration::from_secs(args.duration_secs);
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| tokio::spawn(worker(Arc::clone(&args), Arc::clone(&tls), until)))
        .collect();
    let mut all = Tally::default();
    for w in workers {
        let t = w.await?;
        all.latencies_us.extend(t.latencies_us);
        all.body_bytes += t.body_bytes;
        all.errors += t.errors;
        all.connects += t.connects;
        if all.first_error.is_none() {
            all.first_error = t.first_error;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let ms = |p: f64| round3(percentile(&all.latencies_us, p) as f64 / 1000.0);
    Ok(json!({
        "requests": all.latencies_us.len(),
        "errors": all.errors,
        "first_error": all.first_error,
        "connects": all.connects,
        "body_bytes_per_response": all.body_bytes / (all.latencies_us.len() as u64).max(1),
        "seconds": round3(elapsed),
        "requests_per_s": round3(all.latencies_us.len() as f64 / elapsed),
        "p50_ms": ms(0.50),
        "p99_ms": ms(0.99),
        "max_ms": ms(1.0),
    }))
}

/// New proxied connections per second: each one CONNECT, a TLS handshake and one request,
/// then closed; `concurrency` at a time for the duration.
pub(crate) async fn connect_rate(args: HttpsArgs) -> Result<Value> {
    if args.duration_secs > crate::MAX_DURATION_SECS {
        bail!("--duration-secs is at most {}", crate::MAX_DURATION_SECS);
    }
    let tls = tls_config(&args.ca)?;
    let args = Arc::new(args);
    let started = Instant::now();
    let until = started + Duration::from_secs(args.duration_secs);
    let workers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let (args, tls) = (Arc::clone(&args), Arc::clone(&tls));
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while Instant::now() < until {
                    let t0 = Instant::now();
                    let one = tokio::time::timeout(Duration::from_secs(10), async {
                        let mut s = open(&args, &tls).await?;
                        let response = s.send_request(request(&args)?).await?;
                        let status = response.status();
                        let _body = response.into_body().collect().await?;
                        if !status.is_success() {
                            bail!("status {status}");
                        }
                        Ok::<_, anyhow::Error>(())
                    })
                    .await;
                    match one {
                        Ok(Ok(())) => tally
                            .latencies_us
                            .push(u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX)),
                        Ok(Err(e)) => {
                            tally.errors += 1;
                            tally.first_error.get_or_insert_with(|| format!("{e:#}"));
                        }
                        Err(_) => tally.errors += 1,
                    }
                    if tally.errors > 1000 {
                        break;
                    }
                }
                tally
            })
        })
        .collect();
    let mut all = Tally::default();
    for w in workers {
        let t = w.await?;
        all.latencies_us.extend(t.latencies_us);
        all.errors += t.errors;
        if all.first_error.is_none() {
            all.first_error = t.first_error;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let ms = |p: f64| round3(percentile(&all.latencies_us, p) as f64 / 1000.0);
    Ok(json!({
        "connections": all.latencies_us.len(),
        "errors": all.errors,
        "first_error": all.first_error,
        "connections_per_s": round3(all.latencies_us.len() as f64 / elapsed),
        "p50_ms": ms(0.50),
        "p99_ms": ms(0.99),
    }))
}

/// Opens `count` proxied CONNECT tunnels (no TLS, nothing sent after the 200), prints
/// `ready` when all are open, and holds them for `hold_secs`.
pub(crate) async fn idle(args: HttpsArgs, count: usize, hold_secs: u64) -> Result<()> {
    if hold_secs > crate::MAX_DURATION_SECS {
        bail!("--hold-secs is at most {}", crate::MAX_DURATION_SECS);
    }
    let mut held = Vec::with_capacity(count);
    for _ in 0..count {
        held.push(open_tcp(&args).await?);
    }
    println!("ready {}", held.len());
    tokio::time::sleep(Duration::from_secs(hold_secs)).await;
    drop(held);
    Ok(())
}
