//! Listener loops: UDP (answered inline, from the answer cache when it can; a forwarded
//! query becomes a task of its own, so a slow upstream never blocks others) and TCP
//! (RFC 7766 framing, several queries per connection, idle connections closed).

use crate::cache::{AnswerCache, Question};
use crate::querylog::{Client, Transport};
use crate::rr::QType;
use crate::wire;
use crate::{Dns, View};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// How long a TCP connection may sit idle between queries.
const TCP_IDLE: Duration = Duration::from_secs(10);

pub(crate) async fn serve_udp(dns: Arc<Dns>, view: View, socket: UdpSocket) {
    let socket = Arc::new(socket);
    let mut buf = vec![0u8; 65_535];
    let mut cache = AnswerCache::default();
    let mut out = Vec::with_capacity(usize::from(wire::MAX_UDP));
    loop {
        let (n, peer) = match socket.recv_from(&mut buf).await {
            Ok(received) => received,
            Err(e) => {
                tracing::debug!(error = %e, "UDP receive failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let Some(packet) = buf.get(..n) else {
            continue;
        };
        let client = Client {
            peer,
            transport: Transport::Udp,
        };
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
                if let Err(e) = socket.send_to(&out, peer).await {
                    tracing::debug!(error = %e, %peer, "UDP send failed");
                }
                continue;
            }
        }
        // Almost every query is answered from the snapshot without waiting on anything:
        // poll the answer once here and reply inline, so the common case costs no task and
        // no hand-over to another thread. Only a query that must wait (a FORWARD rule's
        // upstream) is moved into a task of its own, which polls it again with a real waker
        // (tokio's sockets and timers keep the latest waker they see).
        let (dns_, view_, request) = (Arc::clone(&dns), view.clone(), packet.to_vec());
        let mut reply =
            Box::pin(async move { wire::respond(&dns_, &view_, &request, client).await });
        let polled = reply.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        match polled {
            Poll::Ready(Some(reply)) => {
                if let (Some(question), Some(what)) = (&question, reply.cacheable) {
                    cache.store(question, &reply.bytes, what);
                }
                send(&socket, Some(reply.bytes), peer).await;
            }
            Poll::Ready(None) => {}
            Poll::Pending => {
                let socket = Arc::clone(&socket);
                tokio::spawn(async move {
                    let reply = reply.await;
                    send(&socket, reply.map(|r| r.bytes), peer).await;
                });
            }
        }
    }
}

async fn send(socket: &UdpSocket, reply: Option<Vec<u8>>, peer: SocketAddr) {
    if let Some(reply) = reply
        && let Err(e) = socket.send_to(&reply, peer).await
    {
        tracing::debug!(error = %e, %peer, "UDP send failed");
    }
}

pub(crate) async fn serve_tcp(dns: Arc<Dns>, view: View, listener: TcpListener) {
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::debug!(error = %e, "TCP accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let (dns, view) = (Arc::clone(&dns), view.clone());
        tokio::spawn(async move {
            let client = Client {
                peer,
                transport: Transport::Tcp,
            };
            if let Err(e) = connection(&dns, &view, stream, client).await {
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
