//! Resolver query logs: every query a VPC view or an inbound endpoint answers, for each
//! query-logging configuration associated with the VPC, as one line of the Route 53
//! Resolver query-log JSON in `<query-log dir>/<config id>.log`.
//!
//! The query path only builds an [`Entry`] (when the VPC has a configuration) and hands it
//! to a bounded channel with `try_send`: a full queue drops the entry and counts it, so a
//! slow disk never delays an answer. One writer thread formats the JSON, appends to the
//! files and flushes whenever the queue is empty, then rests 20 ms (lines appear within
//! that time; a busy resolver wakes the writer once per interval, not once per query).

use crate::rr::{QType, Rr};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::SystemTime;

/// Entries waiting for the writer before new ones are dropped.
const QUEUE: usize = 16_384;
/// The writer drains the queue, flushes, then rests this long, so a busy resolver costs
/// one wake-up and one write per file per interval rather than per query.
const REST: std::time::Duration = std::time::Duration::from_millis(20);
/// The format version AWS writes (`1.100000` in its logs; the documentation says `1.1`).
const VERSION: &str = "1.100000";

/// How a query arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    Udp,
    Tcp,
}

impl Transport {
    fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "UDP",
            Self::Tcp => "TCP",
        }
    }
}

/// The client of one query: its socket address and transport.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Client {
    pub(crate) peer: SocketAddr,
    pub(crate) transport: Transport,
}

/// Where one VPC's queries are logged: the configurations and the VPC's identity.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LogTargets {
    pub(crate) configs: Arc<[String]>,
    pub(crate) account_id: String,
    pub(crate) region: String,
    pub(crate) vpc_id: String,
}

/// One logged query, as the query path hands it over (formatted by the writer).
pub(crate) struct Entry {
    pub(crate) targets: Arc<LogTargets>,
    pub(crate) time: SystemTime,
    pub(crate) query_name: String,
    pub(crate) query_type: QType,
    pub(crate) query_class: &'static str,
    pub(crate) rcode: u16,
    pub(crate) answers: Vec<Rr>,
    pub(crate) client: Client,
    /// The instance whose interface holds the source address.
    pub(crate) instance: Option<String>,
    /// The inbound endpoint the query came through.
    pub(crate) resolver_endpoint: Option<String>,
}

/// The query-log sink: the channel to the writer thread and its counters.
pub(crate) struct QueryLog {
    dir: Option<PathBuf>,
    tx: Option<SyncSender<Entry>>,
    counters: Arc<Counters>,
}

#[derive(Default)]
struct Counters {
    /// Lines written, by configuration id.
    written: std::sync::Mutex<BTreeMap<String, u64>>,
    dropped: AtomicU64,
    errors: AtomicU64,
}

impl QueryLog {
    /// A sink writing under `dir` (no writer thread when `None`: logging is off).
    pub(crate) fn new(dir: Option<PathBuf>) -> Self {
        let counters = Arc::new(Counters::default());
        let tx = dir.as_ref().and_then(|dir| {
            let (tx, rx) = sync_channel(QUEUE);
            let (dir, counters) = (dir.clone(), Arc::clone(&counters));
            match std::thread::Builder::new()
                .name("localvpc-query-log".to_owned())
                .spawn(move || write_loop(&dir, &rx, &counters))
            {
                Ok(_) => Some(tx),
                Err(e) => {
                    tracing::error!(error = %e, "cannot start the query-log writer; query logging is off");
                    None
                }
            }
        });
        Self { dir, tx, counters }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.tx.is_some()
    }

    /// Hands an entry to the writer without waiting; a full queue drops it.
    pub(crate) fn send(&self, entry: Entry) {
        let Some(tx) = &self.tx else { return };
        match tx.try_send(entry) {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    pub(crate) fn dir(&self) -> Option<&Path> {
        self.dir.as_deref().filter(|_| self.enabled())
    }

    /// The file of a configuration.
    pub(crate) fn file_of(&self, config_id: &str) -> Option<PathBuf> {
        self.dir().map(|d| d.join(format!("{config_id}.log")))
    }

    pub(crate) fn written(&self, config_id: &str) -> u64 {
        self.counters
            .written
            .lock()
            .map_or(0, |w| w.get(config_id).copied().unwrap_or(0))
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.counters.dropped.load(Ordering::Relaxed)
    }

    pub(crate) fn errors(&self) -> u64 {
        self.counters.errors.load(Ordering::Relaxed)
    }
}

fn write_loop(dir: &Path, rx: &Receiver<Entry>, counters: &Counters) {
    let mut files: BTreeMap<String, BufWriter<File>> = BTreeMap::new();
    let mut pending: BTreeMap<String, u64> = BTreeMap::new();
    let mut dir_ready = false;
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(entry) = next.take() {
            let line = line_of(&entry);
            for config in entry.targets.configs.iter() {
                if !dir_ready {
                    match std::fs::create_dir_all(dir) {
                        Ok(()) => dir_ready = true,
                        Err(e) => {
                            tracing::warn!(dir = %dir.display(), error = %e, "cannot create the query-log directory");
                            counters.errors.fetch_add(1, Ordering::Relaxed);
                            continue;
                        }
                    }
                }
                let file = match files.get_mut(config) {
                    Some(f) => f,
                    None => {
                        let path = dir.join(format!("{config}.log"));
                        match OpenOptions::new().create(true).append(true).open(&path) {
                            Ok(f) => files.entry(config.clone()).or_insert(BufWriter::new(f)),
                            Err(e) => {
                                tracing::warn!(file = %path.display(), error = %e, "cannot open a query log");
                                counters.errors.fetch_add(1, Ordering::Relaxed);
                                continue;
                            }
                        }
                    }
                };
                if file.write_all(line.as_bytes()).is_ok() {
                    *pending.entry(config.clone()).or_default() += 1;
                } else {
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            next = rx.try_recv().ok();
        }
        // The queue is empty: make what was written visible.
        for file in files.values_mut() {
            if file.flush().is_err() {
                counters.errors.fetch_add(1, Ordering::Relaxed);
            }
        }
        if let Ok(mut written) = counters.written.lock() {
            for (config, n) in std::mem::take(&mut pending) {
                *written.entry(config).or_default() += n;
            }
        }
        std::thread::sleep(REST);
    }
}

#[derive(Serialize)]
struct Line<'a> {
    version: &'static str,
    account_id: &'a str,
    region: &'a str,
    vpc_id: &'a str,
    query_timestamp: String,
    query_name: &'a str,
    query_type: String,
    query_class: &'static str,
    rcode: String,
    answers: Vec<Answer>,
    srcaddr: String,
    srcport: String,
    transport: &'static str,
    srcids: SrcIds<'a>,
}

#[derive(Serialize)]
struct Answer {
    #[serde(rename = "Rdata")]
    rdata: String,
    #[serde(rename = "Type")]
    rtype: String,
    #[serde(rename = "Class")]
    class: &'static str,
}

#[derive(Serialize)]
struct SrcIds<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resolver_endpoint: Option<&'a str>,
}

/// One JSON line (newline included).
fn line_of(e: &Entry) -> String {
    let line = Line {
        version: VERSION,
        account_id: &e.targets.account_id,
        region: &e.targets.region,
        vpc_id: &e.targets.vpc_id,
        query_timestamp: humantime::format_rfc3339_seconds(e.time).to_string(),
        query_name: &e.query_name,
        query_type: e.query_type.to_string(),
        query_class: e.query_class,
        rcode: rcode_name(e.rcode),
        answers: e
            .answers
            .iter()
            .map(|rr| Answer {
                rdata: rr.data.text(),
                rtype: rr.data.qtype().to_string(),
                class: "IN",
            })
            .collect(),
        srcaddr: e.client.peer.ip().to_string(),
        srcport: e.client.peer.port().to_string(),
        transport: e.client.transport.as_str(),
        srcids: SrcIds {
            instance: e.instance.as_deref(),
            resolver_endpoint: e.resolver_endpoint.as_deref(),
        },
    };
    let mut text = serde_json::to_string(&line).unwrap_or_default();
    text.push('\n');
    text
}

/// The response code as AWS logs spell it.
fn rcode_name(code: u16) -> String {
    match code {
        0 => "NOERROR".to_owned(),
        1 => "FORMERR".to_owned(),
        2 => "SERVFAIL".to_owned(),
        3 => "NXDOMAIN".to_owned(),
        4 => "NOTIMP".to_owned(),
        5 => "REFUSED".to_owned(),
        16 => "BADVERS".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rr::RrData;
    use std::net::Ipv4Addr;
    use std::time::Duration;

    #[test]
    fn a_line_has_the_aws_fields() {
        let entry = Entry {
            targets: Arc::new(LogTargets {
                configs: Arc::from(vec!["rqlc-1".to_owned()]),
                account_id: "111122223333".to_owned(),
                region: "us-east-1".to_owned(),
                vpc_id: "vpc-1".to_owned(),
            }),
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_612_461_115),
            query_name: "App.example.com.".to_owned(),
            query_type: QType::A,
            query_class: "IN",
            rcode: 0,
            answers: vec![Rr {
                name: "app.example.com.".to_owned(),
                ttl: 60,
                data: RrData::A(Ipv4Addr::new(10, 0, 0, 5)),
            }],
            client: Client {
                peer: SocketAddr::from(([127, 0, 0, 1], 56067)),
                transport: Transport::Udp,
            },
            instance: None,
            resolver_endpoint: Some("rslvr-in-1".to_owned()),
        };
        let v: serde_json::Value = serde_json::from_str(&line_of(&entry)).unwrap();
        assert_eq!(v["version"], "1.100000");
        assert_eq!(v["query_timestamp"], "2021-02-04T17:51:55Z");
        assert_eq!(v["query_name"], "App.example.com.");
        assert_eq!(v["rcode"], "NOERROR");
        assert_eq!(v["srcport"], "56067");
        assert_eq!(
            v["answers"],
            serde_json::json!([{"Rdata": "10.0.0.5", "Type": "A", "Class": "IN"}])
        );
        assert_eq!(
            v["srcids"],
            serde_json::json!({"resolver_endpoint": "rslvr-in-1"})
        );
    }
}
