//! The answer cache of one UDP listener.
//!
//! An answer that no FORWARD rule decided is a function of the model snapshot, the view and
//! the question alone (`resolve` is pure). So a listener keeps, for the snapshot it last
//! answered from, the response bytes after the question section of every question it has
//! answered, and answers a repeated question by copying: the request's id, flags and
//! question (its spelling too), then the stored sections. Names in those sections that
//! point into the question (compression) point into the new request's question, which has
//! the same length and layout.
//!
//! The cache belongs to one snapshot: the first query that sees a newer snapshot empties it,
//! so an API change is visible to the next query exactly as without a cache. Only plain
//! questions take this path (one question of class IN, no answer or authority records, at
//! most an EDNS0 version 0 OPT record); anything else, and any answer too large for the
//! client's UDP size, goes through the full path.

use crate::index::Indexed;
use crate::rr::Rr;
use crate::wire::{self, Cacheable};
use std::collections::HashMap;
use std::sync::{Arc, Weak};

/// Entries per listener; when full the cache starts over (a flood of distinct names cannot
/// grow it).
const MAX_ENTRIES: usize = 4096;

/// Header flag bits copied from each request (RD, CD); the rest comes from the entry.
const REQUEST_FLAGS: u16 = 0x0100 | 0x0010;
/// TC: a truncated response is never stored.
const TC: u16 = 0x0200;
/// QR + opcode + TC in the request: a plain query has them all zero.
const REQUEST_MUST_BE_ZERO: u16 = 0x8000 | 0x7800 | 0x0200;

/// A plain question, read straight from the request bytes.
pub(crate) struct Question<'p> {
    /// The request's question section (name, type, class), as sent.
    section: &'p [u8],
    /// The name's labels, as sent.
    name: &'p [u8],
    qtype: u16,
    /// The largest response the client takes over UDP.
    limit: usize,
    edns: bool,
}

impl<'p> Question<'p> {
    /// Reads a request that this path can answer; `None` for anything else (the full path
    /// answers or rejects it).
    pub(crate) fn parse(packet: &'p [u8]) -> Option<Self> {
        let header = packet.get(..12)?;
        let word = |at: usize| -> Option<u16> {
            Some(u16::from_be_bytes([*header.get(at)?, *header.get(at + 1)?]))
        };
        let flags = word(2)?;
        if flags & REQUEST_MUST_BE_ZERO != 0 || word(4)? != 1 || word(6)? != 0 || word(8)? != 0 {
            return None;
        }
        let additional = word(10)?;
        // The name: uncompressed labels, at most 255 bytes on the wire.
        let mut at = 12usize;
        loop {
            let len = usize::from(*packet.get(at)?);
            if len == 0 {
                at += 1;
                break;
            }
            if len > 63 {
                return None;
            }
            at += 1 + len;
            if at - 12 > 254 {
                return None;
            }
        }
        let name = packet.get(12..at)?;
        let fixed: [u8; 4] = packet.get(at..at + 4)?.try_into().ok()?;
        let qtype = u16::from_be_bytes([fixed[0], fixed[1]]);
        let qclass = u16::from_be_bytes([fixed[2], fixed[3]]);
        // Class IN only; refused types are answered by the full path.
        if qclass != 1 || wire::refused_qtype(qtype) {
            return None;
        }
        let end = at + 4;
        let section = packet.get(12..end)?;
        let (limit, edns) = match additional {
            0 if packet.len() == end => (usize::from(wire::udp_limit(None)), false),
            1 => {
                // OPT: root name, type 41, class = UDP size, TTL = ext-rcode/version/flags.
                let opt: [u8; 11] = packet.get(end..end + 11)?.try_into().ok()?;
                let rdlen = usize::from(u16::from_be_bytes([opt[9], opt[10]]));
                let version = opt[6];
                if opt[0] != 0
                    || u16::from_be_bytes([opt[1], opt[2]]) != 41
                    || version != 0
                    || packet.len() != end + 11 + rdlen
                {
                    return None;
                }
                let size = u16::from_be_bytes([opt[3], opt[4]]);
                (usize::from(wire::udp_limit(Some(size))), true)
            }
            _ => return None,
        };
        Some(Self {
            section,
            name,
            qtype,
            limit,
            edns,
        })
    }

    /// The name's labels (for the query log's text form).
    pub(crate) fn labels(&self) -> impl Iterator<Item = &'p [u8]> {
        let name = self.name;
        let mut at = 0usize;
        std::iter::from_fn(move || {
            let len = usize::from(*name.get(at)?);
            let label = name.get(at + 1..at + 1 + len).filter(|l| !l.is_empty())?;
            at += 1 + len;
            Some(label)
        })
    }

    pub(crate) fn qtype(&self) -> u16 {
        self.qtype
    }

    /// The cache key, written into `buf` without allocating: the name's wire labels
    /// lower-cased (names compare without case), the type, and whether EDNS0 was used.
    fn key<'b>(&self, buf: &'b mut [u8; KEY_MAX]) -> &'b [u8] {
        let len = self.name.len();
        let (name, rest) = buf.split_at_mut(len);
        name.copy_from_slice(self.name);
        name.make_ascii_lowercase();
        let [t0, t1] = self.qtype.to_be_bytes();
        if let [a, b, c, ..] = rest {
            (*a, *b, *c) = (t0, t1, u8::from(self.edns));
        }
        buf.get(..len + 3).unwrap_or_default()
    }
}

/// A name is at most 255 wire bytes; plus the type and the EDNS flag.
const KEY_MAX: usize = 255 + 3;

/// A stored answer.
pub(crate) struct Entry {
    /// Header flags with the request's own bits (RD, CD) cleared.
    flags: u16,
    /// ANCOUNT, NSCOUNT, ARCOUNT.
    counts: [u8; 6],
    /// Everything after the question section.
    tail: Box<[u8]>,
    pub(crate) rcode: u16,
    pub(crate) answers: Vec<Rr>,
}

/// The cache of one listener.
#[derive(Default)]
pub(crate) struct AnswerCache {
    /// The snapshot (with its tables) the entries were answered from. Weak: an idle
    /// listener does not keep an old model alive, and the allocation it pins cannot be
    /// reused by a newer snapshot.
    of: Weak<Indexed>,
    entries: HashMap<Box<[u8]>, Entry>,
}

impl AnswerCache {
    /// Empties the cache when `current` is not the snapshot it holds answers for.
    pub(crate) fn follow(&mut self, current: &Arc<Indexed>) {
        if !std::ptr::eq(self.of.as_ptr(), Arc::as_ptr(current)) {
            self.entries.clear();
            self.of = Arc::downgrade(current);
        }
    }

    /// Writes the response to `request` into `out` if the answer is stored and fits the
    /// client's UDP size.
    pub(crate) fn answer(
        &self,
        question: &Question<'_>,
        request: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<&Entry> {
        let entry = self.entries.get(question.key(&mut [0; KEY_MAX]))?;
        if 12 + question.section.len() + entry.tail.len() > question.limit {
            return None;
        }
        let request_flags = u16::from_be_bytes([*request.get(2)?, *request.get(3)?]);
        let flags = entry.flags | (request_flags & REQUEST_FLAGS);
        out.clear();
        out.extend_from_slice(request.get(..2)?);
        out.extend_from_slice(&flags.to_be_bytes());
        out.extend_from_slice(&[0, 1]);
        out.extend_from_slice(&entry.counts);
        out.extend_from_slice(question.section);
        out.extend_from_slice(&entry.tail);
        Some(entry)
    }

    /// Stores a response the full path produced for `question`, if it can be replayed: not
    /// truncated, and its question section is the request's, byte for byte.
    pub(crate) fn store(&mut self, question: &Question<'_>, response: &[u8], what: Cacheable) {
        let qend = 12 + question.section.len();
        let (Some(header), Some(echoed), Some(tail)) = (
            response
                .get(..12)
                .and_then(|h| <[u8; 12]>::try_from(h).ok()),
            response.get(12..qend),
            response.get(qend..),
        ) else {
            return;
        };
        let flags = u16::from_be_bytes([header[2], header[3]]);
        if flags & TC != 0 || header[4..6] != [0, 1] || echoed != question.section {
            return;
        }
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        let mut counts = [0u8; 6];
        counts.copy_from_slice(&header[6..12]);
        self.entries.insert(
            question.key(&mut [0; KEY_MAX]).into(),
            Entry {
                flags: flags & !REQUEST_FLAGS,
                counts,
                tail: tail.into(),
                rcode: what.rcode,
                answers: what.answers,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &[&str], qtype: u16, edns: Option<u16>) -> Vec<u8> {
        let mut p = vec![
            0x12,
            0x34,
            0x01,
            0x00,
            0,
            1,
            0,
            0,
            0,
            0,
            0,
            u8::from(edns.is_some()),
        ];
        for label in name {
            p.push(u8::try_from(label.len()).unwrap());
            p.extend_from_slice(label.as_bytes());
        }
        p.push(0);
        p.extend_from_slice(&qtype.to_be_bytes());
        p.extend_from_slice(&[0, 1]);
        if let Some(size) = edns {
            p.extend_from_slice(&[0, 0, 41]);
            p.extend_from_slice(&size.to_be_bytes());
            p.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        }
        p
    }

    #[test]
    fn plain_questions_parse_and_others_do_not() {
        let q = query(&["Host1", "example"], 1, Some(4096));
        let parsed = Question::parse(&q).unwrap();
        assert_eq!(parsed.qtype(), 1);
        assert_eq!(parsed.limit, 1232);
        let labels: Vec<&[u8]> = parsed.labels().collect();
        assert_eq!(labels, vec![&b"Host1"[..], &b"example"[..]]);
        assert_eq!(Question::parse(&query(&["a"], 1, None)).unwrap().limit, 512);
        // ANY, class CH, a response, trailing bytes, an EDNS version 1 OPT, a compressed name.
        assert!(Question::parse(&query(&["a"], 255, None)).is_none());
        let mut ch = query(&["a"], 1, None);
        let n = ch.len();
        ch[n - 1] = 3;
        assert!(Question::parse(&ch).is_none());
        let mut resp = query(&["a"], 1, None);
        resp[2] |= 0x80;
        assert!(Question::parse(&resp).is_none());
        let mut trailing = query(&["a"], 1, None);
        trailing.push(0);
        assert!(Question::parse(&trailing).is_none());
        let mut v1 = query(&["a"], 1, Some(1232));
        let n = v1.len();
        v1[n - 5] = 1;
        assert!(Question::parse(&v1).is_none());
        let mut pointer = query(&["a"], 1, None);
        pointer[12] = 0xc0;
        assert!(Question::parse(&pointer).is_none());
        assert!(Question::parse(&[0u8; 11]).is_none());
    }

    #[test]
    fn a_stored_answer_is_replayed_with_the_new_id_flags_and_spelling() {
        let first = query(&["host", "example"], 1, None);
        let q = Question::parse(&first).unwrap();
        // A response: AA + RA, NOERROR, one answer pointing at the question name.
        let mut response = first.clone();
        response[2] = 0x85; // QR, AA, RD
        response[3] = 0x80; // RA
        response[7] = 1; // ANCOUNT
        let answer = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1];
        response.extend_from_slice(&answer);
        let mut cache = AnswerCache::default();
        cache.store(
            &q,
            &response,
            Cacheable {
                rcode: 0,
                answers: Vec::new(),
            },
        );
        let mut second = query(&["HOST", "Example"], 1, None);
        second[0] = 0xab;
        second[2] = 0x00; // RD off this time
        let q2 = Question::parse(&second).unwrap();
        let mut out = Vec::new();
        cache.answer(&q2, &second, &mut out).unwrap();
        assert_eq!(&out[..2], &[0xab, 0x34]);
        assert_eq!(out[2], 0x84, "QR and AA kept, RD from the new request");
        assert_eq!(out[3], 0x80);
        assert_eq!(&out[4..12], &[0, 1, 0, 1, 0, 0, 0, 0]);
        assert_eq!(&out[12..12 + q2.section.len()], q2.section);
        assert_eq!(&out[12 + q2.section.len()..], &answer);
        // Another type, or the same name with EDNS, is another question.
        let aaaa = query(&["host", "example"], 28, None);
        assert!(
            cache
                .answer(&Question::parse(&aaaa).unwrap(), &aaaa, &mut out)
                .is_none()
        );
        let edns = query(&["host", "example"], 1, Some(1232));
        assert!(
            cache
                .answer(&Question::parse(&edns).unwrap(), &edns, &mut out)
                .is_none()
        );
    }

    #[test]
    fn truncated_or_mismatched_responses_are_not_stored() {
        let request = query(&["host", "example"], 1, None);
        let q = Question::parse(&request).unwrap();
        let mut cache = AnswerCache::default();
        let mut truncated = request.clone();
        truncated[2] = 0x83; // QR, TC, RD
        cache.store(
            &q,
            &truncated,
            Cacheable {
                rcode: 0,
                answers: Vec::new(),
            },
        );
        let mut other = query(&["hosx", "example"], 1, None);
        other[2] = 0x81;
        cache.store(
            &q,
            &other,
            Cacheable {
                rcode: 0,
                answers: Vec::new(),
            },
        );
        assert!(cache.entries.is_empty());
    }
}
