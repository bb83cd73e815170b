//! Broken and hostile clients against a real proxy on a real socket: slow heads, huge
//! heads, garbage request lines, bad CONNECT authorities, SOCKS5 garbage, tunnels closed
//! half-way or reset, stale credentials. Each must get a clear refusal or a closed
//! connection, never a panic, and leave no connection behind (the live gauge returns to 0).

use crate::{Authority, Decision, Gate, ProxyOptions, Refusal, Session, Sessions, serve};
use base64::Engine as _;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// `open.example` (any port) goes to the backend, `api.example` is served in-process;
/// everything else is refused.
struct ToBackend(SocketAddr);

impl Gate for ToBackend {
    async fn decide(&self, _: &Session, host: &str, _: u16) -> Decision {
        if host == "open.example" {
            Decision::Connect(self.0)
        } else if host == "api.example" {
            Decision::Serve("api".to_owned())
        } else {
            Decision::Refuse(Refusal {
                status: 403,
                code: "SG_HAS_NO_RULES".to_owned(),
                detail: "no rule".to_owned(),
                trace: None,
            })
        }
    }

    async fn serve(&self, _: &Session, _: &str, _: Request<Incoming>) -> Response<Full<Bytes>> {
        Response::new(Full::new(Bytes::from_static(b"in-process")))
    }
}

/// A backend that echoes what it reads; at the client's end of file it says `bye` and
/// closes. A connection whose first bytes are `RST` is reset instead.
async fn echo_backend() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                loop {
                    match s.read(&mut buf).await {
                        Ok(0) => {
                            let _ = s.write_all(b"bye").await;
                            return;
                        }
                        Ok(n) if buf[..n].starts_with(b"RST") => {
                            let _ = s.set_zero_linger();
                            return;
                        }
                        Ok(n) => {
                            if s.write_all(&buf[..n]).await.is_err() {
                                return;
                            }
                        }
                        Err(_) => return,
                    }
                }
            });
        }
    });
    addr
}

struct Proxy {
    addr: SocketAddr,
    sessions: Arc<Sessions>,
    credential: String,
    id: String,
    token: String,
}

async fn proxy(handshake_timeout: Duration) -> Proxy {
    let sessions = Arc::new(Sessions::default());
    let session = sessions.open("i-1").unwrap();
    let credential = base64::engine::general_purpose::STANDARD.encode(format!(
        "{}:{}",
        session.id,
        session.token()
    ));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve(
        listener,
        Arc::new(ToBackend(echo_backend().await)),
        Arc::clone(&sessions),
        Arc::new(Authority::ephemeral().unwrap()),
        ProxyOptions {
            handshake_timeout,
            ..ProxyOptions::default()
        },
        std::future::pending(),
    ));
    Proxy {
        addr,
        sessions,
        credential,
        id: session.id.clone(),
        token: session.token().to_owned(),
    }
}

impl Proxy {
    /// Waits (up to 5 s) until the proxy holds no connection.
    async fn drained(&self) {
        for _ in 0..500 {
            if self.sessions.live_connections() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "{} connection(s) still held",
            self.sessions.live_connections()
        );
    }

    /// Sends `bytes` and reads the answer's head (or what comes before the proxy closes).
    async fn exchange(&self, bytes: &[u8]) -> String {
        let mut s = TcpStream::connect(self.addr).await.unwrap();
        let (mut read, mut write) = s.split();
        let sending = async {
            let _ = write.write_all(bytes).await;
        };
        let (_, head) = tokio::join!(sending, read_head(&mut read));
        head
    }

    /// A CONNECT tunnel to `open.example`, its 200 read.
    async fn tunnel(&self) -> TcpStream {
        let mut s = TcpStream::connect(self.addr).await.unwrap();
        s.write_all(
            format!(
                "CONNECT open.example:7 HTTP/1.1\r\nHost: open.example:7\r\n\
                 Proxy-Authorization: Basic {}\r\n\r\n",
                self.credential
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let head = read_head(&mut s).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        s
    }

    /// A SOCKS5 tunnel to `open.example`, its success read.
    async fn socks(&self) -> TcpStream {
        let mut s = TcpStream::connect(self.addr).await.unwrap();
        let mut hello = vec![5, 1, 2, 1, u8::try_from(self.id.len()).unwrap()];
        hello.extend(self.id.as_bytes());
        hello.push(u8::try_from(self.token.len()).unwrap());
        hello.extend(self.token.as_bytes());
        hello.extend([5, 1, 0, 3, 12]);
        hello.extend(b"open.example");
        hello.extend(7u16.to_be_bytes());
        s.write_all(&hello).await.unwrap();
        let mut answer = [0u8; 2 + 2 + 10];
        s.read_exact(&mut answer).await.unwrap();
        assert_eq!(answer[..4], [5, 2, 1, 0]);
        assert_eq!(answer[4..6], [5, 0], "SOCKS CONNECT succeeded");
        s
    }
}

async fn read_all(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn read_head(s: &mut (impl AsyncReadExt + Unpin)) -> String {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        if s.read_exact(&mut byte).await.is_err() {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

fn status(answer: &str) -> &str {
    answer.get(9..12).unwrap_or(answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_head_is_closed_after_the_handshake_timeout() {
    let p = proxy(Duration::from_millis(300)).await;
    let mut s = TcpStream::connect(p.addr).await.unwrap();
    s.write_all(b"GET http://open.example/ HTTP/1.1\r\nHost: open.example\r\n")
        .await
        .unwrap();
    let started = tokio::time::Instant::now();
    let answer = read_all(&mut s).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "closed by the proxy, not by the test's own wait"
    );
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // A tunnel to a name served in-process, then nothing: no TLS hello (port 443), or a head
    // never finished (port 80).
    for (port, then) in [(443, &b""[..]), (80, &b"GET / HTTP/1.1\r\nHost: api"[..])] {
        let mut s = TcpStream::connect(p.addr).await.unwrap();
        s.write_all(
            format!(
                "CONNECT api.example:{port} HTTP/1.1\r\nProxy-Authorization: Basic {}\r\n\r\n",
                p.credential
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let head = read_head(&mut s).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        s.write_all(then).await.unwrap();
        let started = tokio::time::Instant::now();
        let answer = read_all(&mut s).await;
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "port {port}: closed by the proxy"
        );
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    }
    // SOCKS5: a greeting and nothing more.
    let mut s = TcpStream::connect(p.addr).await.unwrap();
    s.write_all(&[5, 1]).await.unwrap();
    let started = tokio::time::Instant::now();
    assert_eq!(read_all(&mut s).await, "");
    assert!(started.elapsed() < Duration::from_secs(4));
    p.drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_heads_are_refused_with_431() {
    let p = proxy(Duration::from_secs(10)).await;
    // One header far beyond the cap, and many small ones.
    let mut big = b"GET http://open.example/ HTTP/1.1\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 1 << 20));
    let answer = p.exchange(&big).await;
    assert_eq!(status(&answer), "431", "{answer}");
    let mut many = "GET http://open.example/ HTTP/1.1\r\n".to_owned();
    for i in 0..200 {
        many.push_str(&format!("X-{i}: v\r\n"));
    }
    many.push_str("\r\n");
    let answer = p.exchange(many.as_bytes()).await;
    assert_eq!(status(&answer), "431", "{answer}");
    p.drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_and_bad_authorities_are_answered_400() {
    let p = proxy(Duration::from_secs(10)).await;
    let auth = format!("Proxy-Authorization: Basic {}\r\n", p.credential);
    for line in [
        "GARBAGE\r\n\r\n".to_owned(),
        "GET\r\n\r\n".to_owned(),
        "\u{1}\u{2}\u{3} / HTTP/1.1\r\n\r\n".to_owned(),
        "GET http://open.example/ HTTP/1.1\r\nno colon here\r\n\r\n".to_owned(),
        format!("CONNECT open.example HTTP/1.1\r\n{auth}\r\n"),
        format!("CONNECT :443 HTTP/1.1\r\n{auth}\r\n"),
        format!("CONNECT open.example:99999 HTTP/1.1\r\n{auth}\r\n"),
        format!("CONNECT open.example:0 HTTP/1.1\r\n{auth}\r\n"),
        format!("CONNECT http://open.example/ HTTP/1.1\r\n{auth}\r\n"),
        format!("GET / HTTP/1.1\r\nHost: open.example\r\n{auth}\r\n"),
    ] {
        let answer = p.exchange(line.as_bytes()).await;
        assert_eq!(status(&answer), "400", "{line:?} → {answer}");
    }
    // Binary noise that starts like nothing at all.
    let noise: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    let answer = p.exchange(&noise[1..]).await;
    assert!(answer.is_empty() || status(&answer) == "400", "{answer}");
    p.drained().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn socks_garbage_and_truncated_greetings_end_quietly() {
    let p = proxy(Duration::from_secs(2)).await;
    let id = p.id.as_bytes();
    let mut wrong_version_request = vec![5, 1, 2, 1, u8::try_from(id.len()).unwrap()];
    wrong_version_request.extend(id);
    wrong_version_request.push(u8::try_from(p.token.len()).unwrap());
    wrong_version_request.extend(p.token.as_bytes());
    let mut bad_address = wrong_version_request.clone();
    let mut empty_name = wrong_version_request.clone();
    wrong_version_request.extend([4, 1, 0, 1, 127, 0, 0, 1, 0, 80]);
    bad_address.extend([5, 1, 0, 9, 0, 0]);
    empty_name.extend([5, 1, 0, 3, 0, 0, 80]);
    for (bytes, expect) in [
        (vec![5], &[][..]),
        (vec![5, 3, 0], &[]),
        (vec![5, 1, 0], &[5, 0xff]),
        (vec![5, 2, 0, 2, 7, 7, 7], &[5, 2]),
        (vec![5, 1, 2, 1, 200, b'x'], &[5, 2]),
        (vec![5, 1, 2, 1, 1, b'x', 1, b'y'], &[5, 2, 1, 1]),
        (wrong_version_request, &[5, 2, 1, 0, 5, 1]),
        (bad_address, &[5, 2, 1, 0, 5, 8]),
        (empty_name, &[5, 2, 1, 0, 5, 4]),
    ] {
        let mut s = TcpStream::connect(p.addr).await.unwrap();
        s.write_all(&bytes).await.unwrap();
        s.shutdown().await.unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut answer)).await;
        assert!(
            answer.starts_with(expect),
            "{bytes:?} → {answer:?}, expected {expect:?}…"
        );
    }
    p.drained().await;
    // The proxy still works.
    let mut s = p.socks().await;
    s.write_all(b"ping").await.unwrap();
    let mut pong = [0u8; 4];
    s.read_exact(&mut pong).await.unwrap();
    assert_eq!(&pong, b"ping");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tunnels_pass_half_closes_on_and_end_on_resets() {
    let p = proxy(Duration::from_secs(10)).await;
    for socks in [false, true] {
        // Half-close: the client's end of file reaches the backend, whose last words and
        // close come back.
        let mut s = if socks {
            p.socks().await
        } else {
            p.tunnel().await
        };
        s.write_all(b"hello").await.unwrap();
        s.shutdown().await.unwrap();
        assert_eq!(read_all(&mut s).await, "hellobye", "socks={socks}");
        drop(s);
        p.drained().await;

        // The backend resets: the client sees its tunnel end.
        let mut s = if socks {
            p.socks().await
        } else {
            p.tunnel().await
        };
        s.write_all(b"RST").await.unwrap();
        let _ = read_all(&mut s).await;
        drop(s);
        p.drained().await;

        // The client resets mid-tunnel.
        let s = if socks {
            p.socks().await
        } else {
            p.tunnel().await
        };
        s.set_zero_linger().unwrap();
        drop(s);
        p.drained().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_closed_sessions_are_answered_407() {
    let p = proxy(Duration::from_secs(10)).await;
    let stranger = base64::engine::general_purpose::STANDARD.encode("s-0000:nothing");
    for credential in [stranger.as_str(), "%%%", ""] {
        for request in [
            "GET http://open.example/ HTTP/1.1\r\nHost: open.example\r\n",
            "CONNECT open.example:7 HTTP/1.1\r\nHost: open.example:7\r\n",
        ] {
            let answer = p
                .exchange(
                    format!("{request}Proxy-Authorization: Basic {credential}\r\n\r\n").as_bytes(),
                )
                .await;
            assert_eq!(status(&answer), "407", "{answer}");
        }
    }
    // A session closed (its exec ended) no longer opens anything.
    assert!(p.sessions.close(&p.id));
    let answer = p
        .exchange(
            format!(
                "CONNECT open.example:7 HTTP/1.1\r\nProxy-Authorization: Basic {}\r\n\r\n",
                p.credential
            )
            .as_bytes(),
        )
        .await;
    assert_eq!(status(&answer), "407", "{answer}");
    p.drained().await;
}
