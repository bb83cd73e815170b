//! DNS messages in and out: one request packet → one response packet (or a drop), built on
//! hickory-proto. Malformed input never panics: a readable header gets FORMERR, anything
//! else is dropped.

use crate::answer::{self, Answer};
use crate::querylog::{Client, Transport};
use crate::resolve::Detail;
use crate::rr::{QType, Rr, RrData};
use crate::trail::Rcode;
use crate::{Dns, View};
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{self, CNAME, MX, NS, NULL, PTR, SOA, SRV, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use localvpc_model::route53::name::parse_labels;

/// UDP payload without EDNS0 (RFC 1035).
const CLASSIC_UDP: u16 = 512;

/// The largest response a client takes over UDP: 512 bytes without EDNS0, else what it
/// advertises within 512..=MAX_UDP.
pub(crate) fn udp_limit(advertised: Option<u16>) -> u16 {
    advertised.map_or(CLASSIC_UDP, |size| size.clamp(CLASSIC_UDP, MAX_UDP))
}

/// Query types refused outright: AXFR, IXFR (no zone transfers) and ANY (RFC 8482).
pub(crate) fn refused_qtype(qtype: u16) -> bool {
    matches!(qtype, 251 | 252 | 255)
}
/// The largest UDP payload localvpc sends (and advertises): the DNS flag day 2020 value.
pub(crate) const MAX_UDP: u16 = 1232;

/// A response packet, and whether the listener's answer cache may keep it.
pub(crate) struct Reply {
    pub(crate) bytes: Vec<u8>,
    /// Set when the answer is a function of the snapshot alone (no FORWARD rule decided).
    pub(crate) cacheable: Option<Cacheable>,
}

/// What a cached answer needs besides its bytes: what the query log writes.
pub(crate) struct Cacheable {
    pub(crate) rcode: u16,
    pub(crate) answers: Vec<Rr>,
}

impl Reply {
    fn uncached(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            cacheable: None,
        }
    }
}

/// The response to one request packet, or `None` to drop it. Queries with one question are
/// logged to the VPC's query-logging configurations, if any.
pub(crate) async fn respond(
    dns: &Dns,
    view: &View,
    packet: &[u8],
    client: Client,
) -> Option<Reply> {
    let udp = client.transport == Transport::Udp;
    let (head, _) = packet.split_first_chunk::<12>()?;
    if head[2] & 0x80 != 0 {
        // A response: never answer one (no reflection loops).
        return None;
    }
    let request = match Message::from_vec(packet) {
        Ok(m) => m,
        Err(e) => {
            tracing::debug!(error = %e, "malformed DNS message");
            return Some(Reply::uncached(header_only(head, Rcode::FormErr)));
        }
    };
    if request.metadata.message_type != MessageType::Query {
        return None;
    }
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    response.metadata.checking_disabled = request.metadata.checking_disabled;
    response.add_queries(request.queries.iter().cloned());
    if let Some(req_edns) = &request.edns {
        let mut edns = Edns::new();
        edns.set_max_payload(MAX_UDP);
        edns.set_version(0);
        response.set_edns(edns);
        if req_edns.version() > 0 {
            // BADVERS (16): the high bits go in the OPT record.
            set_rcode(&mut response, ResponseCode::BADVERS);
            return finish(response, &request, udp).map(Reply::uncached);
        }
    }
    let query = match request.queries.as_slice() {
        [q] if request.metadata.op_code == OpCode::Query => q.clone(),
        [_] => {
            set_rcode(&mut response, ResponseCode::NotImp);
            return finish(response, &request, udp).map(Reply::uncached);
        }
        _ => {
            set_rcode(&mut response, ResponseCode::FormErr);
            return finish(response, &request, udp).map(Reply::uncached);
        }
    };
    let qtype = u16::from(query.query_type());
    let name = name_text(query.name());
    let log = dns.query_log_for(view, client);
    if query.query_class != DNSClass::IN || matches!(qtype, 251 | 252 | 255) {
        // Only class IN; no zone transfers or ANY (RFC 8482 allows refusing it).
        set_rcode(&mut response, ResponseCode::Refused);
        if let Some(log) = log {
            let class = class_name(query.query_class);
            dns.log_query(log, name, QType::from_u16(qtype), class, 5, Vec::new());
        }
        return finish(response, &request, udp).map(Reply::uncached);
    }
    let answer = answer::answer(
        dns,
        &dns.current(),
        view,
        &name,
        Some(query.name()),
        QType::from_u16(qtype),
        Detail::AnswerOnly,
    )
    .await;
    let snapshot_only = answer.relayed.is_none() && answer.resolution.forward.is_none();
    let answers = if log.is_some() || snapshot_only {
        answer.resolution.answers.clone()
    } else {
        Vec::new()
    };
    fill(&mut response, &query, answer);
    let rcode = u16::from(response.metadata.response_code);
    let cacheable = snapshot_only.then(|| Cacheable {
        rcode,
        answers: answers.clone(),
    });
    if let Some(log) = log {
        dns.log_query(log, name, QType::from_u16(qtype), "IN", rcode, answers);
    }
    let bytes = finish(response, &request, udp)?;
    Some(Reply { bytes, cacheable })
}

fn class_name(class: DNSClass) -> &'static str {
    match class {
        DNSClass::IN => "IN",
        DNSClass::CH => "CH",
        DNSClass::HS => "HS",
        DNSClass::NONE => "NONE",
        DNSClass::ANY => "ANY",
        _ => "OTHER",
    }
}

fn set_rcode(m: &mut Message, rcode: ResponseCode) {
    m.metadata.response_code = rcode;
    if let Some(edns) = m.edns.as_mut() {
        edns.set_rcode_high(rcode.high());
    }
}

/// Puts an answer into the response: relayed upstream sections as they came, or localvpc's
/// records with the question's spelling on the owner names that match it.
fn fill(response: &mut Message, query: &Query, answer: Answer) {
    let Answer {
        resolution,
        relayed,
    } = answer;
    if let Some(upstream) = relayed {
        set_rcode(response, upstream.metadata.response_code);
        response.answers = upstream.answers;
        response.authorities = upstream.authorities;
        return;
    }
    set_rcode(
        response,
        <ResponseCode as From<u16>>::from(resolution.rcode.code()),
    );
    response.metadata.authoritative = resolution.authoritative;
    // Escapes are digits, so comparing without case is comparing canonical forms.
    let qname_text = name_text(query.name());
    let owner = |rr: &Rr| -> Option<Name> {
        if rr.name.eq_ignore_ascii_case(&qname_text) {
            Some(query.name().clone())
        } else {
            to_name(&rr.name)
        }
    };
    for rr in &resolution.answers {
        if let Some(record) = owner(rr).and_then(|n| to_record(n, rr)) {
            response.add_answer(record);
        }
    }
    for rr in &resolution.authority {
        if let Some(record) = to_name(&rr.name).and_then(|n| to_record(n, rr)) {
            response.add_authority(record);
        }
    }
}

/// Serialises, truncating for UDP when the answer is larger than the client accepts.
fn finish(response: Message, request: &Message, udp: bool) -> Option<Vec<u8>> {
    let bytes = match response.to_vec() {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "cannot encode a DNS response");
            let mut failed = Message::error_msg(
                request.metadata.id,
                request.metadata.op_code,
                ResponseCode::ServFail,
            );
            failed.add_queries(request.queries.iter().cloned());
            return failed.to_vec().ok();
        }
    };
    let limit = udp_limit(request.edns.as_ref().map(Edns::max_payload));
    if udp && bytes.len() > usize::from(limit) {
        // TC: the client retries over TCP (RFC 7766).
        return response.truncate().to_vec().ok();
    }
    Some(bytes)
}

/// A 12-byte response to an unreadable message: the id, opcode and RD echoed.
fn header_only(head: &[u8; 12], rcode: Rcode) -> Vec<u8> {
    let rcode = u8::try_from(rcode.code()).unwrap_or(2);
    let [id_high, id_low, flags, ..] = *head;
    vec![
        id_high,
        id_low,
        0x80 | (flags & 0x79),
        0x80 | rcode,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]
}

/// A wire name as Route 53 text: letters kept (case too), other bytes as `\NNN` octal.
pub(crate) fn name_text(name: &Name) -> String {
    labels_text(name.iter())
}

/// [`name_text`] of labels as raw bytes.
pub(crate) fn labels_text<'a>(labels: impl Iterator<Item = &'a [u8]>) -> String {
    let mut out = String::new();
    for label in labels {
        for &b in label {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("\\{b:03o}"));
            }
        }
        out.push('.');
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// A canonical name as a wire name.
pub(crate) fn to_name(canonical: &str) -> Option<Name> {
    let labels = parse_labels(canonical).ok()?;
    Name::from_labels(labels).ok()
}

fn to_record(name: Name, rr: &Rr) -> Option<Record> {
    let data = match &rr.data {
        RrData::A(ip) => RData::A(rdata::A(*ip)),
        RrData::Aaaa(ip) => RData::AAAA(rdata::AAAA(*ip)),
        RrData::Cname(n) => RData::CNAME(CNAME(to_name(n)?)),
        RrData::Ns(n) => RData::NS(NS(to_name(n)?)),
        RrData::Ptr(n) => RData::PTR(PTR(to_name(n)?)),
        RrData::Mx {
            preference,
            exchange,
        } => RData::MX(MX::new(*preference, to_name(exchange)?)),
        RrData::Srv {
            priority,
            weight,
            port,
            target,
        } => RData::SRV(SRV::new(*priority, *weight, *port, to_name(target)?)),
        RrData::Txt(parts) => RData::TXT(TXT::new(parts.clone())),
        RrData::Soa(s) => RData::SOA(SOA::new(
            to_name(&s.mname)?,
            to_name(&s.rname)?,
            s.serial,
            i32::try_from(s.refresh).ok()?,
            i32::try_from(s.retry).ok()?,
            i32::try_from(s.expire).ok()?,
            s.minimum,
        )),
        RrData::Caa { flags, tag, value } => {
            // RFC 8659 wire form, written directly (hickory's CAA type parses values).
            let mut bytes = vec![*flags, u8::try_from(tag.len()).ok()?];
            bytes.extend_from_slice(tag.as_bytes());
            bytes.extend_from_slice(value.as_bytes());
            RData::Unknown {
                code: RecordType::CAA,
                rdata: NULL::with(bytes),
            }
        }
    };
    Some(Record::from_rdata(name, rr.ttl, data))
}

/// An upstream record as localvpc's own (for the explainer); unknown types are skipped.
pub(crate) fn from_record(record: &Record) -> Option<Rr> {
    let name = name_text(&record.name).to_ascii_lowercase();
    let qtype = QType::from_u16(u16::from(record.record_type()));
    let data = match &record.data {
        RData::A(a) => RrData::A(a.0),
        RData::AAAA(a) => RrData::Aaaa(a.0),
        other => RrData::parse(qtype, &other.to_string())?,
    };
    Some(Rr {
        name,
        ttl: record.ttl,
        data,
    })
}

/// A query for forwarding.
pub(crate) fn query_message(name: &Name, qtype: QType) -> Message {
    let mut m = Message::query();
    m.metadata.recursion_desired = true;
    m.add_query(Query::query(name.clone(), RecordType::from(qtype.code())));
    let mut edns = Edns::new();
    edns.set_max_payload(MAX_UDP);
    m.set_edns(edns);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_with_escapes_and_case() {
        let name = Name::from_labels(vec![
            b"My*Host".to_vec(),
            b"Example".to_vec(),
            b"com".to_vec(),
        ])
        .unwrap();
        let text = name_text(&name);
        assert_eq!(text, "My\\052Host.Example.com.");
        let canonical = localvpc_model::route53::name::canonical(&text).unwrap();
        assert_eq!(canonical, "my\\052host.example.com.");
        assert_eq!(
            to_name(&canonical).unwrap().to_ascii().to_lowercase(),
            name.to_ascii().to_lowercase()
        );
    }

    #[test]
    fn unreadable_messages_get_formerr_with_the_id() {
        let head = [0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        let out = header_only(&head, Rcode::FormErr);
        assert_eq!(&out[..4], &[0xab, 0xcd, 0x81, 0x81]);
    }
}
