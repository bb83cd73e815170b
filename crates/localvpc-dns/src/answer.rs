//! `resolve` plus the I/O it decides on: a FORWARD decision really sends the query to the
//! rule's targets (through `--map-ip`) and relays the answer; a target that is one of
//! localvpc's own inbound endpoints is answered in that view without a socket. The server
//! and the explainer both come through here, so the explainer shows what the server did.

use crate::index::Indexed;
use crate::resolve::{Detail, resolve_indexed};
use crate::rr::QType;
use crate::trail::{Rcode, Resolution, StepKind, TrailStep};
use crate::wire;
use crate::{Dns, View};
use hickory_proto::op::{Message, ResponseCode};
use hickory_proto::rr::Name;
use localvpc_model::ResolverDirection;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// How many times a forwarded query may come back into localvpc (inbound endpoint
/// targets) before it is called a loop.
const MAX_HOPS: usize = 3;

/// A resolution, plus the upstream message when the answer was relayed.
pub(crate) struct Answer {
    pub(crate) resolution: Resolution,
    pub(crate) relayed: Option<Message>,
}

/// Answers one question in one view of `current` (a snapshot with its tables): resolve,
/// then forward if a rule says so. Only a forwarded question pays for the boxed, recursive
/// forwarding future.
pub(crate) async fn answer(
    dns: &Dns,
    current: &Indexed,
    view: &View,
    name: &str,
    wire_name: Option<&Name>,
    qtype: QType,
    detail: Detail,
) -> Answer {
    let resolution = resolve_indexed(current, dns.catalog(), view, name, qtype, detail);
    if resolution.forward.is_none() {
        return Answer {
            resolution,
            relayed: None,
        };
    }
    let ask = Ask {
        view: view.clone(),
        name: name.to_owned(),
        wire_name: wire_name.cloned(),
        qtype,
        detail,
    };
    forward(dns, ask, 0, resolution).await
}

/// One question on its way through FORWARD rules.
struct Ask {
    view: View,
    name: String,
    wire_name: Option<Name>,
    qtype: QType,
    detail: Detail,
}

/// Adds a forwarding step to the trail, if the trail is wanted.
fn note(resolution: &mut Resolution, detail: Detail, step: impl FnOnce() -> TrailStep) {
    if detail == Detail::Trail {
        resolution.trail.push(step());
    }
}

/// Resolves in a view reached by forwarding (an inbound endpoint), then forwards again if a
/// rule says so. Boxed: forwarding can come back here.
fn answer_hops(
    dns: &Dns,
    ask: Ask,
    hops: usize,
) -> Pin<Box<dyn Future<Output = Answer> + Send + '_>> {
    Box::pin(async move {
        let resolution = resolve_indexed(
            &dns.current(),
            dns.catalog(),
            &ask.view,
            &ask.name,
            ask.qtype,
            ask.detail,
        );
        forward(dns, ask, hops, resolution).await
    })
}

/// Carries out a resolution's FORWARD decision, if it has one.
async fn forward(dns: &Dns, ask: Ask, hops: usize, mut resolution: Resolution) -> Answer {
    let Ask {
        view: _,
        name,
        wire_name,
        qtype,
        detail,
    } = ask;
    let current = dns.current();
    let model = &current.model;
    let Some(forward) = resolution.forward.clone() else {
        return Answer {
            resolution,
            relayed: None,
        };
    };
    let Some(wire_name) = wire_name.or_else(|| wire::to_name(&name)) else {
        resolution.rcode = Rcode::FormErr;
        return Answer {
            resolution,
            relayed: None,
        };
    };
    let via = forward
        .outbound_endpoint
        .as_deref()
        .map(|e| format!(" from outbound endpoint {e}"))
        .unwrap_or_default();
    for target in &forward.targets {
        let own_inbound = match target.ip() {
            IpAddr::V4(ip) => model
                .resolver_endpoint_by_ip(ip)
                .filter(|e| e.direction == ResolverDirection::Inbound)
                .map(|e| e.id.clone()),
            IpAddr::V6(_) => None,
        };
        if let Some(endpoint) = own_inbound {
            if hops >= MAX_HOPS {
                note(&mut resolution, detail, || {
                    TrailStep::new(
                        StepKind::Forward,
                        format!(
                            "target {target} is localvpc's inbound endpoint {endpoint} again: \
                             a forwarding loop (docs/aws-semantics.md §7.3 warns against it); giving up"
                        ),
                    )
                    .endpoint(endpoint.as_str())
                });
                continue;
            }
            note(&mut resolution, detail, || {
                TrailStep::new(
                    StepKind::Forward,
                    format!(
                        "FORWARD rule {} sends {name}{via} to {target}, the inbound endpoint \
                         {endpoint}: answered in that view",
                        forward.rule_id
                    ),
                )
                .rule(forward.rule_id.as_str())
                .endpoint(endpoint.as_str())
            });
            let inner = answer_hops(
                dns,
                Ask {
                    view: View::Inbound(endpoint),
                    name: name.clone(),
                    wire_name: Some(wire_name.clone()),
                    qtype,
                    detail,
                },
                hops + 1,
            )
            .await;
            let mut inner_resolution = inner.resolution;
            resolution.trail.append(&mut inner_resolution.trail);
            resolution.rcode = inner_resolution.rcode;
            resolution.answers = inner_resolution.answers;
            resolution.authority = inner_resolution.authority;
            resolution.authoritative = false;
            return Answer {
                resolution,
                relayed: inner.relayed,
            };
        }
        let real = dns.mapped(*target);
        let shown = if real == *target {
            target.to_string()
        } else {
            format!("{target} (mapped to {real})")
        };
        match exchange(real, &wire_name, qtype, dns.forward_timeout()).await {
            Ok(upstream) => {
                let rcode = upstream.metadata.response_code;
                note(&mut resolution, detail, || {
                    TrailStep::new(
                        StepKind::Forward,
                        format!(
                            "FORWARD rule {} for {} sent {name}{via} to {shown}: it answered \
                             {} with {} record(s), relayed as is",
                            forward.rule_id,
                            forward.domain,
                            rcode.to_str(),
                            upstream.answers.len()
                        ),
                    )
                    .rule(forward.rule_id.as_str())
                });
                resolution.rcode = rcode_of(rcode);
                resolution.answers = upstream
                    .answers
                    .iter()
                    .filter_map(wire::from_record)
                    .collect();
                resolution.authority = upstream
                    .authorities
                    .iter()
                    .filter_map(wire::from_record)
                    .collect();
                resolution.authoritative = false;
                return Answer {
                    resolution,
                    relayed: Some(upstream),
                };
            }
            Err(why) => note(&mut resolution, detail, || {
                TrailStep::new(
                    StepKind::Forward,
                    format!(
                        "FORWARD rule {} for {}: target {shown} is unreachable ({why})",
                        forward.rule_id, forward.domain
                    ),
                )
                .rule(forward.rule_id.as_str())
            }),
        }
    }
    note(&mut resolution, detail, || {
        TrailStep::new(
            StepKind::Negative,
            format!(
                "no target of FORWARD rule {} answered: SERVFAIL (the PHZs and public DNS \
                 are not consulted for a forwarded name)",
                forward.rule_id
            ),
        )
        .rule(forward.rule_id.as_str())
    });
    resolution.rcode = Rcode::ServFail;
    Answer {
        resolution,
        relayed: None,
    }
}

fn rcode_of(code: ResponseCode) -> Rcode {
    match u16::from(code) {
        0 => Rcode::NoError,
        1 => Rcode::FormErr,
        3 => Rcode::NxDomain,
        4 => Rcode::NotImp,
        5 => Rcode::Refused,
        _ => Rcode::ServFail,
    }
}

/// One query to one upstream: UDP with a timeout, then TCP when the answer is truncated.
async fn exchange(
    target: SocketAddr,
    name: &Name,
    qtype: QType,
    timeout: Duration,
) -> Result<Message, String> {
    let query = wire::query_message(name, qtype);
    let id = query.metadata.id;
    let bytes = query.to_vec().map_err(|e| format!("cannot encode: {e}"))?;
    let local: SocketAddr = if target.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let socket = UdpSocket::bind(local)
        .await
        .map_err(|e| format!("cannot open a UDP socket: {e}"))?;
    socket
        .connect(target)
        .await
        .map_err(|e| format!("UDP connect: {e}"))?;
    socket
        .send(&bytes)
        .await
        .map_err(|e| format!("UDP send: {e}"))?;
    let mut buf = vec![0u8; 65_535];
    let reply = tokio::time::timeout(timeout, async {
        loop {
            let n = socket
                .recv(&mut buf)
                .await
                .map_err(|e| format!("UDP: {e}"))?;
            let Some(packet) = buf.get(..n) else { continue };
            match Message::from_vec(packet) {
                Ok(m) if m.metadata.id == id => return Ok::<_, String>(m),
                _ => continue,
            }
        }
    })
    .await
    .map_err(|_| format!("no UDP answer within {} s", timeout.as_secs_f32()))??;
    if !reply.metadata.truncation {
        return Ok(reply);
    }
    tokio::time::timeout(timeout, exchange_tcp(target, &bytes, id))
        .await
        .map_err(|_| format!("no TCP answer within {} s", timeout.as_secs_f32()))?
}

async fn exchange_tcp(target: SocketAddr, query: &[u8], id: u16) -> Result<Message, String> {
    let mut stream = TcpStream::connect(target)
        .await
        .map_err(|e| format!("TCP connect: {e}"))?;
    let len = u16::try_from(query.len()).map_err(|_| "query too long".to_owned())?;
    let mut framed = len.to_be_bytes().to_vec();
    framed.extend_from_slice(query);
    stream
        .write_all(&framed)
        .await
        .map_err(|e| format!("TCP write: {e}"))?;
    let n = stream
        .read_u16()
        .await
        .map_err(|e| format!("TCP read: {e}"))?;
    let mut buf = vec![0u8; usize::from(n)];
    stream
        .read_exact(&mut buf)
        .await
        .map_err(|e| format!("TCP read: {e}"))?;
    let m = Message::from_vec(&buf).map_err(|e| format!("bad TCP answer: {e}"))?;
    if m.metadata.id == id {
        Ok(m)
    } else {
        Err("TCP answer with another id".to_owned())
    }
}
