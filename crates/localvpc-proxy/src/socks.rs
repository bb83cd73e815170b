//! SOCKS5 on the proxy's port (RFC 1928, with RFC 1929 user/password authentication: the
//! session id and token), for any TCP a program opens — databases, SSH, anything that is not
//! HTTP. Each `CONNECT` (a name, which the gate resolves in the instance's VPC view, or an
//! address) is decided by the gate like an HTTP proxy request.

use crate::flow::{Counted, FlowGuard, Transfer};
use crate::proxy::{HANG_LIMIT, serve_in_process};
use crate::{Authority, Decision, Gate, ProxyOptions, Sessions};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The version byte a SOCKS5 client opens with.
pub(crate) const VERSION: u8 = 5;

const USER_PASSWORD: u8 = 0x02;
const NO_ACCEPTABLE_METHOD: u8 = 0xff;

/// Reply codes (RFC 1928 §6).
const SUCCEEDED: u8 = 0x00;
const GENERAL_FAILURE: u8 = 0x01;
const NOT_ALLOWED: u8 = 0x02;
const HOST_UNREACHABLE: u8 = 0x04;
const CONNECTION_REFUSED: u8 = 0x05;
const COMMAND_NOT_SUPPORTED: u8 = 0x07;
const ADDRESS_TYPE_NOT_SUPPORTED: u8 = 0x08;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

async fn reply(stream: &mut TcpStream, code: u8) -> std::io::Result<()> {
    stream
        .write_all(&[VERSION, code, 0, 1, 0, 0, 0, 0, 0, 0])
        .await
}

async fn read_string(stream: &mut TcpStream) -> std::io::Result<String> {
    let len = stream.read_u8().await?;
    let mut bytes = vec![0u8; usize::from(len)];
    stream.read_exact(&mut bytes).await?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// What a client asked for once its greeting, authentication and request are read.
struct Asked {
    session: Arc<crate::Session>,
    host: String,
    port: u16,
}

/// Serves one SOCKS5 client until its tunnel closes. The greeting, authentication and
/// request must all arrive within the handshake timeout.
pub(crate) async fn serve<G: Gate>(
    mut stream: TcpStream,
    gate: Arc<G>,
    sessions: &Sessions,
    authority: &Arc<Authority>,
    options: ProxyOptions,
) -> std::io::Result<()> {
    let asked =
        match tokio::time::timeout(options.handshake_timeout, negotiate(&mut stream, sessions))
            .await
        {
            Ok(Ok(Some(asked))) => asked,
            Ok(Ok(None)) => return Ok(()),
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "the SOCKS5 handshake took too long",
                ));
            }
        };
    decided(stream, gate, authority, options, asked).await
}

/// Reads the greeting, the credential and the request; `None` when the client was answered
/// already (no acceptable method, a wrong credential, an unsupported request) or spoke
/// something else.
async fn negotiate(stream: &mut TcpStream, sessions: &Sessions) -> std::io::Result<Option<Asked>> {
    // Greeting: only user/password is offered, so no session means no tunnel.
    if stream.read_u8().await? != VERSION {
        return Ok(None);
    }
    let count = stream.read_u8().await?;
    let mut methods = vec![0u8; usize::from(count)];
    stream.read_exact(&mut methods).await?;
    if !methods.contains(&USER_PASSWORD) {
        stream.write_all(&[VERSION, NO_ACCEPTABLE_METHOD]).await?;
        return Ok(None);
    }
    stream.write_all(&[VERSION, USER_PASSWORD]).await?;
    // RFC 1929: version 1, user (the session id), password (its token).
    if stream.read_u8().await? != 1 {
        return Ok(None);
    }
    let (id, token) = (read_string(stream).await?, read_string(stream).await?);
    let Some(session) = sessions.prove(&id, &token) else {
        stream.write_all(&[1, 1]).await?;
        return Ok(None);
    };
    stream.write_all(&[1, 0]).await?;
    // The request.
    let mut head = [0u8; 4];
    stream.read_exact(&mut head).await?;
    let [version, command, _, address_type] = head;
    if version != VERSION {
        reply(stream, GENERAL_FAILURE).await?;
        return Ok(None);
    }
    let host = match address_type {
        1 => {
            let mut ip = [0u8; 4];
            stream.read_exact(&mut ip).await?;
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => read_string(stream).await?.to_ascii_lowercase(),
        4 => {
            let mut ip = [0u8; 16];
            stream.read_exact(&mut ip).await?;
            std::net::Ipv6Addr::from(ip).to_string()
        }
        _ => {
            reply(stream, ADDRESS_TYPE_NOT_SUPPORTED).await?;
            return Ok(None);
        }
    };
    let port = stream.read_u16().await?;
    if command != 1 {
        // BIND and UDP ASSOCIATE: only CONNECT is carried.
        reply(stream, COMMAND_NOT_SUPPORTED).await?;
        return Ok(None);
    }
    if host.is_empty() || port == 0 {
        reply(stream, HOST_UNREACHABLE).await?;
        return Ok(None);
    }
    Ok(Some(Asked {
        session,
        host,
        port,
    }))
}

/// Asks the gate about a read request and carries, serves or refuses it.
async fn decided<G: Gate>(
    mut stream: TcpStream,
    gate: Arc<G>,
    authority: &Arc<Authority>,
    options: ProxyOptions,
    asked: Asked,
) -> std::io::Result<()> {
    let Asked {
        session,
        host,
        port,
    } = asked;
    match gate.decide(&session, &host, port).await {
        Decision::Connect(addr) => {
            // Reported to the gate once over, also when the backend cannot be reached.
            let flow = FlowGuard::new(gate, session, &host, port);
            let backend =
                match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
                    Ok(Ok(b)) => b,
                    Ok(Err(_)) => return reply(&mut stream, CONNECTION_REFUSED).await,
                    Err(_) => return reply(&mut stream, HOST_UNREACHABLE).await,
                };
            reply(&mut stream, SUCCEEDED).await?;
            let (to_server, to_client) = crate::carry::carry(stream, backend).await?;
            flow.add(Transfer {
                to_server,
                to_client,
            });
            Ok(())
        }
        Decision::Serve(target) => {
            let flow = FlowGuard::new(Arc::clone(&gate), Arc::clone(&session), &host, port);
            let tls = if port == 80 {
                None
            } else {
                match authority.server_config(&host) {
                    Ok(c) => Some(c),
                    Err(_) => return reply(&mut stream, GENERAL_FAILURE).await,
                }
            };
            reply(&mut stream, SUCCEEDED).await?;
            let stream = Counted::new(stream, flow.counters());
            serve_in_process(
                stream,
                gate,
                session,
                target,
                tls,
                options.handshake_timeout,
            )
            .await;
            drop(flow);
            Ok(())
        }
        Decision::Refuse(refusal) => {
            // SOCKS has no room for a sentence: the code says which kind, the log says why.
            tracing::info!(
                session = %session.id,
                instance = %session.instance,
                code = %refusal.code,
                detail = %refusal.detail,
                "SOCKS connection refused"
            );
            if options.hang_when_blocked && refusal.status == 403 {
                tokio::time::sleep(HANG_LIMIT).await;
            }
            let code = match refusal.status {
                403 => NOT_ALLOWED,
                _ => HOST_UNREACHABLE,
            };
            reply(&mut stream, code).await
        }
    }
}
