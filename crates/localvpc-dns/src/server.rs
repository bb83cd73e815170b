//! Listener loops: UDP (one task per packet, so a slow forward never blocks others) and TCP
//! (RFC 7766 framing, several queries per connection, idle connections closed).

use crate::querylog::{Client, Transport};
use crate::wire;
use crate::{Dns, View};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

/// How long a TCP connection may sit idle between queries.
const TCP_IDLE: Duration = Duration::from_secs(10);

pub(crate) async fn serve_udp(dns: Arc<Dns>, view: View, socket: UdpSocket) {
    let socket = Arc::new(socket);
    let mut buf = vec![0u8; 65_535];
    loop {
        let (n, peer) = match socket.recv_from(&mut buf).await {
            Ok(received) => received,
            Err(e) => {
                tracing::debug!(error = %e, "UDP receive failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let Some(packet) = buf.get(..n).map(<[u8]>::to_vec) else {
            continue;
        };
        let (dns, view, socket) = (Arc::clone(&dns), view.clone(), Arc::clone(&socket));
        tokio::spawn(async move {
            if let Some(reply) = wire::respond(
                &dns,
                &view,
                &packet,
                Client {
                    peer,
                    transport: Transport::Udp,
                },
            )
            .await
                && let Err(e) = socket.send_to(&reply, peer).await
            {
                tracing::debug!(error = %e, %peer, "UDP send failed");
            }
        });
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
        let Some(reply) = wire::respond(dns, view, &packet, client).await else {
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
