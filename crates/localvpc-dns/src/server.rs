//! Listener loops: UDP (answered inline, from the answer cache when it can; a forwarded
//! query becomes a task of its own, so a slow upstream never blocks others) and TCP
//! (RFC 7766 framing, several queries per connection, idle connections closed).
//!
//! A socket serves one view, or (Linux) every view of the block, told apart by the address
//! each packet was sent to (`routed.rs`).

use crate::cache::{AnswerCache, Question};
use crate::querylog::{Client, Transport};
use crate::rr::QType;
use crate::wire;
use crate::{Dns, View};
use std::collections::HashMap;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// How long a TCP connection may sit idle between queries.
const TCP_IDLE: Duration = Duration::from_secs(10);

/// Answer caches a shared socket keeps at most (one per view address it answered for);
/// beyond that they start over.
const MAX_CACHES: usize = 1024;

/// What a socket answers for.
#[derive(Clone)]
pub(crate) enum Serves {
    /// One view: every packet it receives asks that view. Shared (`Arc`), so finding a
    /// packet's view costs no allocation.
    One(Arc<View>),
    /// Every view of the block: the view is the address a packet was sent to.
    #[cfg(target_os = "linux")]
    Routed(Arc<crate::routed::Routes>),
}

impl Serves {
    /// The view a packet sent to `to` asks; `None` drops it.
    fn view(&self, to: Option<Ipv4Addr>) -> Option<Arc<View>> {
        match self {
            Self::One(view) => Some(Arc::clone(view)),
            #[cfg(target_os = "linux")]
            Self::Routed(routes) => routes.view(to?),
        }
    }
}

/// A UDP socket with the receive and send of what it serves.
struct Datagrams {
    socket: UdpSocket,
    routed: bool,
}

impl Datagrams {
    async fn recv(&self, buf: &mut [u8]) -> std::io::Result<(usize, SocketAddr, Option<Ipv4Addr>)> {
        #[cfg(target_os = "linux")]
        if self.routed {
            return crate::routed::recv(&self.socket, buf).await;
        }
        let (n, peer) = self.socket.recv_from(buf).await?;
        Ok((n, peer, None))
    }

    async fn send(&self, reply: &[u8], peer: SocketAddr, from: Option<Ipv4Addr>) {
        let sent = match from {
            #[cfg(target_os = "linux")]
            Some(from) if self.routed => crate::routed::send(&self.socket, reply, peer, from).await,
            _ => self.socket.send_to(reply, peer).await.map(drop),
        };
        if let Err(e) = sent {
            tracing::debug!(error = %e, %peer, "UDP send failed");
        }
    }
}

pub(crate) async fn serve_udp(dns: Arc<Dns>, serves: Serves, socket: UdpSocket) {
    let socket = Arc::new(Datagrams {
        routed: !matches!(serves, Serves::One(_)),
        socket,
    });
    let mut buf = vec![0u8; 65_535];
    // One cache per view address (a socket of its own has one).
    let mut caches: HashMap<Option<Ipv4Addr>, AnswerCache> = HashMap::new();
    let mut out = Vec::with_capacity(usize::from(wire::MAX_UDP));
    loop {
        let (n, peer, to) = match socket.recv(&mut buf).await {
            Ok(received) => received,
            Err(e) => {
                tracing::debug!(error = %e, "UDP receive failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let (Some(packet), Some(view)) = (buf.get(..n), serves.view(to)) else {
            continue;
        };
        let client = Client {
            peer,
            transport: Transport::Udp,
        };
        if caches.len() >= MAX_CACHES && !caches.contains_key(&to) {
            caches.clear();
        }
        let cache = caches.entry(to).or_default();
        let question = Question::parse(packet);
        if let Some(question) = &question {
            cache.follow(&dns.current());
            if let Some(hit) = cache.answer(question, packet, &mut out) {
                if let Some(log) = dns.query_log_for(&view, client) {
                    dns.log_query(
                        log,
                        wire::labels_text(question.labels()),
                        QType::from_u16(question.qtype()),
                        "IN",
                        hit.rcode,
                        hit.answers.clone(),
                    );
                }
                socket.send(&out, peer, to).await;
                continue;
            }
        }
        // Almost every query is answered from the snapshot without waiting on anything:
        // poll the answer once here and reply inline, so the common case costs no task and
        // no hand-over to another thread. Only a query that must wait (a FORWARD rule's
        // upstream) is moved into a task of its own, which polls it again with a real waker
        // (tokio's sockets and timers keep the latest waker they see).
        let (dns_, request) = (Arc::clone(&dns), packet.to_vec());
        let mut reply =
            Box::pin(async move { wire::respond(&dns_, &view, &request, client).await });
        let polled = reply.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        match polled {
            Poll::Ready(Some(reply)) => {
                if let (Some(question), Some(what)) = (&question, reply.cacheable) {
                    cache.store(question, &reply.bytes, what);
                }
                socket.send(&reply.bytes, peer, to).await;
            }
            Poll::Ready(None) => {}
            Poll::Pending => {
                let socket = Arc::clone(&socket);
                tokio::spawn(async move {
                    if let Some(reply) = reply.await {
                        socket.send(&reply.bytes, peer, to).await;
                    }
                });
            }
        }
    }
}

pub(crate) async fn serve_tcp(dns: Arc<Dns>, serves: Serves, listener: TcpListener) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::debug!(error = %e, "TCP accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let to = match stream.local_addr() {
            Ok(SocketAddr::V4(local)) => Some(*local.ip()),
            _ => None,
        };
        let Some(view) = serves.view(to) else {
            continue;
        };
        let dns = Arc::clone(&dns);
        tokio::spawn(async move {
            let client = Client {
                peer,
                transport: Transport::Tcp,
            };
            if let Err(e) = connection(&dns, view.as_ref(), stream, client).await {
                tracing::debug!(error = %e, "DNS TCP connection ended");
            }
        });
    }
}

async fn connection(
    dns: &Dns,
    view: &View,
    mut stream: TcpStream,
    client: Client,
) -> std::io::Result<()> {
    loop {
        let Ok(len) = tokio::time::timeout(TCP_IDLE, stream.read_u16()).await else {
            return Ok(());
        };
        let mut packet = vec![0u8; usize::from(len?)];
        tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut packet))
            .await
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
        let Some(reply) = wire::respond(dns, view, &packet, client)
            .await
            .map(|r| r.bytes)
        else {
            // Nothing to say to this message; a TCP peer gets the connection closed.
            return Ok(());
        };
        let Ok(n) = u16::try_from(reply.len()) else {
            return Ok(());
        };
        let mut framed = n.to_be_bytes().to_vec();
        framed.extend_from_slice(&reply);
        stream.write_all(&framed).await?;
    }
}
