//! The proxy listener: HTTP/1.1 forward proxying and `CONNECT` tunnels, each connection
//! authenticated by its session and decided by the gate before a byte is carried.

use crate::flow::{Counted, FlowGuard, Transfer};
use crate::session::Live;
use crate::{Authority, Decision, Gate, ProxyOptions, Refusal, Session, Sessions};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri, header};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt as _;
use tokio::net::{TcpListener, TcpStream};

type Body = BoxBody<Bytes, hyper::Error>;

/// How long connecting to a backend may take before the client gets a 504.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Each direction's buffer in a tunnel: large enough that a bulk transfer costs few
/// system calls (tokio's default of 8 KiB made a tunnel 4× slower than the direct path).
pub(crate) const TUNNEL_BUFFER: usize = 256 * 1024;
/// How long a blocked connection is held in hang mode before the proxy gives up on it.
pub const HANG_LIMIT: Duration = Duration::from_secs(600);

/// Serves the proxy on `listener` until `shutdown` resolves.
pub async fn serve<G: Gate>(
    listener: TcpListener,
    gate: Arc<G>,
    sessions: Arc<Sessions>,
    authority: Arc<Authority>,
    options: ProxyOptions,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "proxy accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Small writes (a TLS server's session tickets, then its answer) must not wait for
        // the client's delayed ACK: that cost every new intercepted connection ~40 ms.
        let _ = stream.set_nodelay(true);
        let gate = Arc::clone(&gate);
        let sessions = Arc::clone(&sessions);
        let authority = Arc::clone(&authority);
        let live = sessions.enter();
        tokio::spawn(async move {
            let _live = live;
            // SOCKS5 clients open with their version byte; HTTP with a method name.
            let mut first = [0u8; 1];
            if matches!(stream.peek(&mut first).await, Ok(1)) && first == [crate::socks::VERSION] {
                if let Err(e) =
                    crate::socks::serve(stream, gate, &sessions, &authority, options).await
                {
                    tracing::debug!(%peer, error = %e, "SOCKS connection ended");
                }
                return;
            }
            let service = service_fn(move |req| {
                let gate = Arc::clone(&gate);
                let sessions = Arc::clone(&sessions);
                let authority = Arc::clone(&authority);
                async move {
                    let answer = handle(gate, &sessions, &authority, options, req).await;
                    Ok::<_, std::convert::Infallible>(answer)
                }
            });
            let conn = http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(options.handshake_timeout)
                .preserve_header_case(true)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "proxy connection ended");
            }
        });
    }
}

async fn handle<G: Gate>(
    gate: Arc<G>,
    sessions: &Sessions,
    authority: &Arc<Authority>,
    options: ProxyOptions,
    req: Request<Incoming>,
) -> Response<Body> {
    let credential = req
        .headers()
        .get(header::PROXY_AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(session) = sessions.authenticate(credential) else {
        return authentication_required();
    };
    let Some((host, port)) = destination(&req) else {
        return plain(
            StatusCode::BAD_REQUEST,
            "localvpc proxy: send CONNECT host:port, or an absolute-form http:// request\n",
        );
    };
    let decision = gate.decide(&session, &host, port).await;
    // Every connection the gate lets through is reported to it once over, also when it
    // fails before a byte is carried (the gate keeps it open until then).
    let flow = || FlowGuard::new(Arc::clone(&gate), Arc::clone(&session), &host, port);
    let backend = match decision {
        Decision::Connect(addr) => (addr, flow()),
        Decision::Serve(target) if req.method() == Method::CONNECT => {
            let flow = flow().holding(sessions.enter());
            // TLS ended with the local CA's certificate for the name asked, except on port 80.
            let tls = if port == 80 {
                None
            } else {
                match authority.server_config(&host) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        return backend_failed(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string());
                    }
                }
            };
            let timeout = options.handshake_timeout;
            return intercept(gate, session, target, tls, timeout, req, flow);
        }
        Decision::Serve(target) => {
            let flow = flow();
            let req = to_origin_form(req);
            flow.add(Transfer {
                to_server: request_size(&req),
                to_client: 0,
            });
            let response = gate.serve(&session, &target, req).await;
            flow.add(Transfer {
                to_server: 0,
                to_client: response_size(&response)
                    + if response.headers().contains_key(header::CONTENT_LENGTH) {
                        0
                    } else {
                        hyper::body::Body::size_hint(response.body())
                            .exact()
                            .unwrap_or(0)
                    },
            });
            return response.map(|b| b.map_err(|never| match never {}).boxed());
        }
        Decision::Refuse(refusal) if options.hang_when_blocked && refusal.status == 403 => {
            // As AWS drops the packet: no answer; the client's timeout ends the wait (its
            // closed connection cancels this future).
            tokio::time::sleep(HANG_LIMIT).await;
            return refused(&session, &refusal);
        }
        Decision::Refuse(refusal) => return refused(&session, &refusal),
    };
    let (backend, flow) = backend;
    let stream = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(backend)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            return backend_failed(StatusCode::BAD_GATEWAY, &format!("{backend}: {e}"));
        }
        Err(_) => {
            return backend_failed(
                StatusCode::GATEWAY_TIMEOUT,
                &format!("{backend}: no answer in {CONNECT_TIMEOUT:?}"),
            );
        }
    };
    let _ = stream.set_nodelay(true);
    if req.method() == Method::CONNECT {
        tunnel(req, stream, sessions.enter(), flow)
    } else {
        forward(req, stream, flow).await
    }
}

/// What a message carries as far as the proxy counts it without reading the body: its
/// head as HTTP/1.1 writes it, and its `Content-Length`.
fn message_size(headers: &http::HeaderMap, start_line: usize) -> u64 {
    let head: usize = start_line
        + 2
        + headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>()
        + 2;
    let body: u64 = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    head as u64 + body
}

fn request_size<B>(req: &Request<B>) -> u64 {
    let line = req.method().as_str().len() + req.uri().to_string().len() + 10;
    message_size(req.headers(), line)
}

fn response_size<B>(response: &Response<B>) -> u64 {
    message_size(
        response.headers(),
        12 + response.status().canonical_reason().map_or(0, str::len),
    )
}

/// `CONNECT host:port`, or the authority of an absolute-form `http://` request (port 80 by
/// default). Other requests (origin-form, other schemes) name no destination.
/// An empty host or port 0 names nothing either.
fn destination<B>(req: &Request<B>) -> Option<(String, u16)> {
    let uri = req.uri();
    let authority = uri.authority()?;
    let port = if req.method() == Method::CONNECT {
        authority.port_u16()?
    } else if uri.scheme_str() == Some("http") {
        authority.port_u16().unwrap_or(80)
    } else {
        return None;
    };
    let host = host_of(authority.host());
    (!host.is_empty() && port != 0).then_some((host, port))
}

/// A host without the brackets of an IPv6 literal, lower-case (names are case-blind).
fn host_of(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

/// Answers 200 to the CONNECT, then carries bytes both ways once hyper hands over the
/// client's connection.
fn tunnel(
    req: Request<Incoming>,
    backend: TcpStream,
    live: Live,
    flow: FlowGuard,
) -> Response<Body> {
    tokio::spawn(async move {
        let _live = live;
        let upgraded = match hyper::upgrade::on(req).await {
            Ok(upgraded) => upgraded,
            Err(e) => {
                tracing::debug!(error = %e, "CONNECT upgrade failed");
                return;
            }
        };
        // The client's own socket back from hyper (and any bytes it read past the request
        // head), so the tunnel can splice socket to socket.
        let carried = match upgraded.downcast::<TokioIo<TcpStream>>() {
            Ok(parts) => {
                let mut backend = backend;
                let early = parts.read_buf.len() as u64;
                match backend.write_all(&parts.read_buf).await {
                    Ok(()) => crate::carry::carry(parts.io.into_inner(), backend)
                        .await
                        .map(|(up, down)| (up + early, down)),
                    Err(e) => Err(e),
                }
            }
            Err(upgraded) => {
                let mut client = TokioIo::new(upgraded);
                let mut backend = backend;
                crate::carry::copy(&mut client, &mut backend).await
            }
        };
        match carried {
            Ok((to_server, to_client)) => flow.add(Transfer {
                to_server,
                to_client,
            }),
            Err(e) => tracing::debug!(error = %e, "tunnel closed"),
        }
    });
    Response::new(empty())
}

/// Answers 200 to the CONNECT, then serves HTTP/1.1 on the client's connection itself —
/// inside TLS when `tls` is given — handing each request to the gate.
fn intercept<G: Gate>(
    gate: Arc<G>,
    session: Arc<Session>,
    target: String,
    tls: Option<Arc<rustls::ServerConfig>>,
    handshake_timeout: Duration,
    req: Request<Incoming>,
    flow: FlowGuard,
) -> Response<Body> {
    tokio::spawn(async move {
        match hyper::upgrade::on(req).await {
            Ok(upgraded) => {
                let io = Counted::new(TokioIo::new(upgraded), flow.counters());
                serve_in_process(io, gate, session, target, tls, handshake_timeout).await;
                drop(flow);
            }
            Err(e) => tracing::debug!(error = %e, "CONNECT upgrade failed"),
        }
    });
    Response::new(empty())
}

/// Serves HTTP/1.1 on a client's connection itself — inside TLS when `tls` is given —
/// handing each request to the gate (a `CONNECT` or SOCKS tunnel to something answered
/// in-process).
pub(crate) async fn serve_in_process<G, IO>(
    io: IO,
    gate: Arc<G>,
    session: Arc<Session>,
    target: String,
    tls: Option<Arc<rustls::ServerConfig>>,
    handshake_timeout: Duration,
) where
    G: Gate,
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let target = Arc::new(target);
    let service = service_fn(move |req: Request<Incoming>| {
        let gate = Arc::clone(&gate);
        let session = Arc::clone(&session);
        let target = Arc::clone(&target);
        async move {
            let response = gate.serve(&session, &target, req).await;
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    // A client that opens the tunnel and then stalls (no TLS hello, a head never finished)
    // is closed like one that stalls before its CONNECT.
    let mut builder = http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(handshake_timeout);
    let served = match tls {
        None => builder.serve_connection(TokioIo::new(io), service).await,
        Some(config) => {
            let accept = tokio_rustls::TlsAcceptor::from(config).accept(io);
            match tokio::time::timeout(handshake_timeout, accept).await {
                Ok(Ok(tls)) => builder.serve_connection(TokioIo::new(tls), service).await,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "TLS handshake with the client failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!("TLS handshake with the client took too long");
                    return;
                }
            }
        }
    };
    if let Err(e) = served {
        tracing::debug!(error = %e, "intercepted connection ended");
    }
}

/// An absolute-form request in origin form: its path and query, a `Host` from its URI when
/// it had none, and none of the proxy's own headers.
fn to_origin_form(mut req: Request<Incoming>) -> Request<Incoming> {
    let uri = req.uri().clone();
    if !req.headers().contains_key(header::HOST)
        && let Some(authority) = uri.authority()
        && let Ok(host) = HeaderValue::from_str(authority.as_str())
    {
        req.headers_mut().insert(header::HOST, host);
    }
    let origin = uri
        .path_and_query()
        .map_or("/", http::uri::PathAndQuery::as_str);
    *req.uri_mut() = origin.parse::<Uri>().unwrap_or_default();
    let headers = req.headers_mut();
    headers.remove(header::PROXY_AUTHORIZATION);
    headers.remove("proxy-connection");
    req
}

/// Sends an absolute-form request on to the backend in origin form, without the proxy's
/// own headers, and streams the answer back.
async fn forward(req: Request<Incoming>, backend: TcpStream, flow: FlowGuard) -> Response<Body> {
    flow.add(Transfer {
        to_server: request_size(&req),
        to_client: 0,
    });
    let (mut sender, conn) = match hyper::client::conn::http1::Builder::new()
        .preserve_header_case(true)
        .handshake(TokioIo::new(backend))
        .await
    {
        Ok(pair) => pair,
        Err(e) => return backend_failed(StatusCode::BAD_GATEWAY, &e.to_string()),
    };
    tokio::spawn(async move {
        if let Err(e) = conn.await {
            tracing::debug!(error = %e, "backend connection ended");
        }
    });
    match sender.send_request(to_origin_form(req)).await {
        Ok(response) => {
            flow.add(Transfer {
                to_server: 0,
                to_client: response_size(&response),
            });
            response.map(BodyExt::boxed)
        }
        Err(e) => backend_failed(StatusCode::BAD_GATEWAY, &e.to_string()),
    }
}

fn empty() -> Body {
    Full::new(Bytes::new())
        .map_err(|never| match never {})
        .boxed()
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(
        Full::new(Bytes::from(text.to_owned()))
            .map_err(|never| match never {})
            .boxed(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn authentication_required() -> Response<Body> {
    let mut response = plain(
        StatusCode::PROXY_AUTHENTICATION_REQUIRED,
        "localvpc proxy: no valid session; run the program with `localvpc exec --instance i-… -- …`\n",
    );
    response.headers_mut().insert(
        header::PROXY_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"localvpc\""),
    );
    response
}

/// The refusal as the client sees it: the status, the deciding code and the trace command
/// in `x-localvpc-*` headers, and the same in a short body.
fn refused(session: &Session, refusal: &Refusal) -> Response<Body> {
    let status = StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::FORBIDDEN);
    let mut text = format!(
        "localvpc: {} from {}: {}\n",
        refusal.code, session.instance, refusal.detail
    );
    if let Some(trace) = &refusal.trace {
        text.push_str(&format!("see why: {trace}\n"));
    }
    let mut response = plain(status, &text);
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-localvpc-blocked", Some(refusal.code.as_str())),
        ("x-localvpc-trace", refusal.trace.as_deref()),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(v).ok()) {
            headers.insert(name, v);
        }
    }
    response
}

fn backend_failed(status: StatusCode, detail: &str) -> Response<Body> {
    let mut response = plain(status, &format!("localvpc: the backend failed: {detail}\n"));
    if let Ok(v) = HeaderValue::from_str(detail) {
        response.headers_mut().insert("x-localvpc-backend-error", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: Method, uri: &str) -> Request<()> {
        Request::builder().method(method).uri(uri).body(()).unwrap()
    }

    #[test]
    fn destinations_come_from_connect_or_absolute_form() {
        assert_eq!(
            destination(&req(
                Method::CONNECT,
                "ssm.ap-northeast-1.amazonaws.com:443"
            )),
            Some(("ssm.ap-northeast-1.amazonaws.com".to_owned(), 443))
        );
        assert_eq!(
            destination(&req(Method::GET, "http://Web.Example:8080/a?b")),
            Some(("web.example".to_owned(), 8080))
        );
        assert_eq!(
            destination(&req(Method::GET, "http://10.0.1.5/")),
            Some(("10.0.1.5".to_owned(), 80))
        );
        assert_eq!(
            destination(&req(Method::GET, "http://[2001:db8::1]:81/")),
            Some(("2001:db8::1".to_owned(), 81))
        );
        assert_eq!(destination(&req(Method::GET, "/origin-form")), None);
        assert_eq!(destination(&req(Method::GET, "https://x.example/")), None);
        assert_eq!(destination(&req(Method::CONNECT, "x.example")), None);
        assert_eq!(destination(&req(Method::CONNECT, "x.example:0")), None);
        assert_eq!(destination(&req(Method::GET, "http://x.example:0/")), None);
    }
}

#[cfg(test)]
mod socket_tests {
    use super::*;
    use base64::Engine as _;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Opens port 80 of `open.example` onto `backend`, serves `api.example` itself (any
    /// port); refuses everything else.
    struct OneWay {
        backend: std::net::SocketAddr,
    }

    impl Gate for OneWay {
        async fn decide(&self, _: &Session, host: &str, port: u16) -> Decision {
            if host == "api.example" {
                Decision::Serve("api".to_owned())
            } else if host == "open.example" && port == 80 {
                Decision::Connect(self.backend)
            } else {
                Decision::Refuse(Refusal {
                    status: 403,
                    code: "SG_HAS_NO_RULES".to_owned(),
                    detail: "no rule".to_owned(),
                    trace: Some(format!("localvpc trace --from i-1 --to {host}:{port}")),
                })
            }
        }

        async fn serve(
            &self,
            session: &Session,
            target: &str,
            req: Request<Incoming>,
        ) -> Response<Full<Bytes>> {
            assert_eq!(target, "api");
            let leaked = req.headers().contains_key(header::PROXY_AUTHORIZATION);
            let host = req.headers().get(header::HOST).cloned();
            let text = format!(
                "served {} {} for {} host={host:?} leaked={leaked}",
                req.method(),
                req.uri(),
                session.instance
            );
            Response::new(Full::new(Bytes::from(text)))
        }
    }

    /// A backend that answers one HTTP request with the request line it received.
    async fn backend() -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let n = s.read(&mut buf).await.unwrap_or(0);
                    let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let line = head.lines().next().unwrap_or_default().to_owned();
                    let leaked = head.to_ascii_lowercase().contains("proxy-authorization");
                    let body = format!("{line} leaked={leaked}");
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = s.write_all(answer.as_bytes()).await;
                });
            }
        });
        addr
    }

    async fn ask(proxy: std::net::SocketAddr, request: &str) -> String {
        let mut s = TcpStream::connect(proxy).await.unwrap();
        s.write_all(request.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Lets everything through to `backend` (`dead.example` to a closed port) and notes
    /// each connection reported closed.
    struct Counting {
        backend: std::net::SocketAddr,
        closed: std::sync::Mutex<Vec<(String, Transfer)>>,
    }

    impl Gate for Counting {
        async fn decide(&self, _: &Session, host: &str, _: u16) -> Decision {
            if host == "dead.example" {
                Decision::Connect("127.0.0.1:1".parse().unwrap())
            } else {
                Decision::Connect(self.backend)
            }
        }

        async fn serve(&self, _: &Session, _: &str, _: Request<Incoming>) -> Response<Full<Bytes>> {
            unreachable!("nothing is served in-process")
        }

        fn closed(&self, _: &Session, host: &str, _: u16, transfer: Transfer) {
            self.closed
                .lock()
                .unwrap()
                .push((host.to_owned(), transfer));
        }
    }

    /// A proxy deciding with `gate`, the Basic credential of a session for `i-1`, and the
    /// proxy's certificate authority.
    async fn start<G: Gate>(gate: Arc<G>) -> (std::net::SocketAddr, String, Arc<Authority>) {
        let sessions = Arc::new(Sessions::default());
        let session = sessions.open("i-1").unwrap();
        let credential = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            session.id,
            session.token()
        ));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = listener.local_addr().unwrap();
        let authority = Arc::new(Authority::ephemeral().unwrap());
        tokio::spawn(serve(
            listener,
            gate,
            sessions,
            Arc::clone(&authority),
            ProxyOptions::default(),
            std::future::pending(),
        ));
        (proxy, credential, authority)
    }

    #[tokio::test]
    async fn every_connection_let_through_is_reported_once_with_its_bytes() {
        let gate = Arc::new(Counting {
            backend: backend().await,
            closed: std::sync::Mutex::default(),
        });
        let (proxy, credential, _) = start(Arc::clone(&gate)).await;
        let tunnel = ask(
            proxy,
            &format!(
                "CONNECT open.example:80 HTTP/1.1\r\nHost: open.example:80\r\n\
                 Proxy-Authorization: Basic {credential}\r\n\r\n\
                 GET /through HTTP/1.1\r\nHost: open.example\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(tunnel.ends_with("leaked=false"), "{tunnel}");
        let dead = ask(
            proxy,
            &format!(
                "GET http://dead.example/ HTTP/1.1\r\nHost: dead.example\r\n\
                 Proxy-Authorization: Basic {credential}\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(dead.starts_with("HTTP/1.1 502"), "{dead}");
        // The reports arrive as the connections' tasks end.
        for _ in 0..50 {
            if gate.closed.lock().unwrap().len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let closed = gate.closed.lock().unwrap().clone();
        assert_eq!(closed.len(), 2, "{closed:?}");
        let (_, carried) = closed.iter().find(|(h, _)| h == "open.example").unwrap();
        // The request through the tunnel and the backend's answer, counted each way.
        assert!(
            carried.to_server > 40 && carried.to_client > 40,
            "{carried:?}"
        );
        let (_, nothing) = closed.iter().find(|(h, _)| h == "dead.example").unwrap();
        assert_eq!(nothing.to_client, 0);
    }

    #[tokio::test]
    async fn requests_are_authenticated_decided_and_carried() {
        let gate = Arc::new(OneWay {
            backend: backend().await,
        });
        let (proxy, credential, authority) = start(gate).await;

        let forwarded = ask(
            proxy,
            &format!(
                "GET http://open.example/x?y HTTP/1.1\r\nHost: open.example\r\n\
                 Proxy-Authorization: Basic {credential}\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(forwarded.starts_with("HTTP/1.1 200"), "{forwarded}");
        // Origin form on the way out, and the credential stays with the proxy.
        assert!(
            forwarded.ends_with("GET /x?y HTTP/1.1 leaked=false"),
            "{forwarded}"
        );

        let refused = ask(
            proxy,
            &format!(
                "GET http://closed.example/ HTTP/1.1\r\nHost: closed.example\r\n\
                 Proxy-Authorization: Basic {credential}\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
        assert!(
            refused.contains("x-localvpc-blocked: SG_HAS_NO_RULES"),
            "{refused}"
        );
        assert!(
            refused.contains("x-localvpc-trace: localvpc trace --from i-1 --to closed.example:80")
        );

        let anonymous = ask(
            proxy,
            "GET http://open.example/ HTTP/1.1\r\nHost: open.example\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert!(anonymous.starts_with("HTTP/1.1 407"), "{anonymous}");
        assert!(
            anonymous
                .to_ascii_lowercase()
                .contains("proxy-authenticate: basic")
        );

        let tunnel = ask(
            proxy,
            &format!(
                "CONNECT open.example:80 HTTP/1.1\r\nHost: open.example:80\r\n\
                 Proxy-Authorization: Basic {credential}\r\n\r\n\
                 GET /through HTTP/1.1\r\nHost: open.example\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(tunnel.starts_with("HTTP/1.1 200"), "{tunnel}");
        assert!(
            tunnel.ends_with("GET /through HTTP/1.1 leaked=false"),
            "{tunnel}"
        );

        let origin = ask(
            proxy,
            &format!(
                "GET / HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic {credential}\r\n\
                 Connection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(origin.starts_with("HTTP/1.1 400"), "{origin}");

        let served = ask(
            proxy,
            &format!(
                "GET http://api.example/?Action=X HTTP/1.1\r\nHost: api.example\r\n\
                 Proxy-Authorization: Basic {credential}\r\nConnection: close\r\n\r\n"
            ),
        )
        .await;
        assert!(
            served
                .ends_with("served GET /?Action=X for i-1 host=Some(\"api.example\") leaked=false"),
            "{served}"
        );

        // CONNECT to a served name on 443: TLS ended with the local CA's certificate.
        let mut s = TcpStream::connect(proxy).await.unwrap();
        s.write_all(
            format!(
                "CONNECT api.example:443 HTTP/1.1\r\nHost: api.example:443\r\n\
                 Proxy-Authorization: Basic {credential}\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut byte = [0u8; 1];
            s.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        assert!(head.starts_with(b"HTTP/1.1 200"));
        let mut roots = rustls::RootCertStore::empty();
        let ca_der = rustls::pki_types::pem::PemObject::from_pem_slice(
            authority.certificate_pem().as_bytes(),
        )
        .unwrap();
        roots.add(ca_der).unwrap();
        #[expect(
            deprecated,
            reason = "ring's provider lacks post-quantum key exchange only"
        )]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = rustls::pki_types::ServerName::try_from("api.example").unwrap();
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, s)
            .await
            .expect("the leaf certificate verifies against the local CA");
        tls.write_all(b"GET /tls HTTP/1.1\r\nHost: api.example\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), tls.read_to_end(&mut out)).await;
        let out = String::from_utf8_lossy(&out);
        assert!(out.starts_with("HTTP/1.1 200"), "{out}");
        assert!(
            out.ends_with("served GET /tls for i-1 host=Some(\"api.example\") leaked=false"),
            "{out}"
        );

        // SOCKS5 on the same port: user/password is the session; a name is the gate's to resolve.
        let socks = |host: &'static str, id: String, token: String| async move {
            let mut s = TcpStream::connect(proxy).await.unwrap();
            s.write_all(&[5, 1, 2]).await.unwrap();
            let mut choice = [0u8; 2];
            s.read_exact(&mut choice).await.unwrap();
            assert_eq!(choice, [5, 2]);
            let mut auth = vec![1, u8::try_from(id.len()).unwrap()];
            auth.extend(id.as_bytes());
            auth.push(u8::try_from(token.len()).unwrap());
            auth.extend(token.as_bytes());
            s.write_all(&auth).await.unwrap();
            let mut status = [0u8; 2];
            s.read_exact(&mut status).await.unwrap();
            if status != [1, 0] {
                return (status[1], s);
            }
            let mut request = vec![5, 1, 0, 3, u8::try_from(host.len()).unwrap()];
            request.extend(host.as_bytes());
            request.extend(80u16.to_be_bytes());
            s.write_all(&request).await.unwrap();
            let mut answer = [0u8; 10];
            s.read_exact(&mut answer).await.unwrap();
            (answer[1], s)
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(&credential)
            .unwrap();
        let (id, token) = std::str::from_utf8(&decoded)
            .unwrap()
            .split_once(':')
            .unwrap();
        let (id, token) = (id.to_owned(), token.to_owned());
        let (code, mut s) = socks("open.example", id.clone(), token.clone()).await;
        assert_eq!(code, 0);
        s.write_all(b"GET /socks HTTP/1.1\r\nHost: open.example\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
        let out = String::from_utf8_lossy(&out);
        assert!(out.ends_with("GET /socks HTTP/1.1 leaked=false"), "{out}");
        let (code, _) = socks("closed.example", id.clone(), token).await;
        assert_eq!(code, 2, "not allowed by the ruleset");
        let (code, _) = socks("open.example", id, "wrong".to_owned()).await;
        assert_eq!(code, 1, "authentication failed");
    }
}
