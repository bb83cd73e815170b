//! VPC flow log records of the data plane's connections. The gate hands over where a
//! connection was seen (`localvpc_net::sightings`, read off the same path search that
//! decided it); when the connection is over this module writes one record per sighting for
//! every flow log watching that interface (its VPC's, subnet's or its own), in the flow
//! log's format, and delivers them to the log group, one stream per interface, as AWS does.
//!
//! Refused connections are recorded at once. Records of one flow are written together when
//! it ends (AWS writes a record per aggregation interval; a long-lived connection gets one
//! record here, docs/aws-choices.md). Delivery goes through the writer like any write, in
//! batches: a short delay gathers the records of concurrent connections into one command
//! per stream.

use crate::writer::Job;
use localvpc_model::{
    Command, FlowAction, FlowDirection, FlowLog, FlowLogDestination, FlowLogRecord, LogEvent,
    LogFormat, LogsCommand, Model, NetworkInterface, NetworkInterfaceId, Scope, Timestamp,
};
use localvpc_net::Sighting;
use localvpc_net::explain::Direction;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The TCP payload of one full segment on loopback-sized paths (1500-byte MTU).
const SEGMENT: u64 = 1448;
/// An IPv4 and TCP header, without options.
const HEADERS: u64 = 40;
/// How long records wait to be delivered together.
const GATHER: Duration = Duration::from_millis(200);
/// The ephemeral ports the instance side of a connection is given.
const EPHEMERAL: std::ops::RangeInclusive<u16> = 49152..=65535;

/// A connection let through and not over yet (or refused).
struct OpenFlow {
    started: Timestamp,
    client_port: u16,
    sightings: Vec<Sighting>,
    /// Whose and where to, for `localvpc flows`.
    origin: Origin,
}

/// Who opened a connection, where to, and the code that refused it (if one did).
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub(crate) instance: String,
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) blocked: Option<String>,
}

/// How many recent flows `GET /_localvpc/flows` can show.
const RECENT: usize = 1000;

/// Who a connection belongs to: the session, and where it goes.
type FlowKey = (String, String, u16);

/// Records waiting for delivery, per (scope, log group, stream).
type Outbox = BTreeMap<(Scope, String, String), Vec<LogEvent>>;

pub(crate) struct FlowRecorder {
    open: Mutex<HashMap<FlowKey, VecDeque<OpenFlow>>>,
    /// The latest flows recorded, newest last, each with its sightings and records.
    recent: Mutex<VecDeque<serde_json::Value>>,
    delivery: Arc<Delivery>,
    next_port: AtomicU16,
}

/// The records on their way to the writer.
struct Delivery {
    jobs: mpsc::Sender<Job>,
    outbox: Mutex<Outbox>,
    /// A delivery task is waiting to run.
    pending: AtomicBool,
}

impl FlowRecorder {
    pub(crate) fn new(jobs: mpsc::Sender<Job>) -> Self {
        Self {
            open: Mutex::default(),
            recent: Mutex::default(),
            delivery: Arc::new(Delivery {
                jobs,
                outbox: Mutex::default(),
                pending: AtomicBool::new(false),
            }),
            next_port: AtomicU16::new(*EPHEMERAL.start()),
        }
    }

    /// Whether any flow log exists: only then does the gate search with hops.
    pub(crate) fn wanted(model: &Model) -> bool {
        model.all::<FlowLog>().next().is_some()
    }

    fn client_port(&self) -> u16 {
        let port = self.next_port.fetch_add(1, Ordering::Relaxed);
        if EPHEMERAL.contains(&port) {
            port
        } else {
            self.next_port
                .store(*EPHEMERAL.start() + 1, Ordering::Relaxed);
            *EPHEMERAL.start()
        }
    }

    /// A connection the gate let through: recorded when it closes.
    pub(crate) fn opened(
        &self,
        key: FlowKey,
        origin: Origin,
        sightings: Vec<Sighting>,
        now: Timestamp,
    ) {
        let flow = self.flow(origin, sightings, now);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.entry(key).or_default().push_back(flow);
    }

    /// A flow starting now, with the instance's side given the next ephemeral port.
    fn flow(&self, origin: Origin, sightings: Vec<Sighting>, now: Timestamp) -> OpenFlow {
        OpenFlow {
            started: now,
            client_port: self.client_port(),
            sightings,
            origin,
        }
    }

    /// A connection the gate refused (or that reached nothing): recorded now, as one
    /// attempt (a SYN) and, where the path was open, its answer.
    pub(crate) fn refused(
        &self,
        model: &Model,
        origin: Origin,
        sightings: Vec<Sighting>,
        now: Timestamp,
    ) {
        let flow = self.flow(origin, sightings, now);
        self.record(model, flow, None, now);
    }

    /// A connection is over: its records, with what it carried. Connections of one
    /// session to one place are told apart only by order.
    pub(crate) fn closed(
        &self,
        model: &Model,
        key: &FlowKey,
        to_server: u64,
        to_client: u64,
        now: Timestamp,
    ) {
        let flow = {
            let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
            let Some(queue) = open.get_mut(key) else {
                return;
            };
            let flow = queue.pop_front();
            if queue.is_empty() {
                open.remove(key);
            }
            flow
        };
        if let Some(flow) = flow {
            self.record(model, flow, Some((to_server, to_client)), now);
        }
    }

    /// The records of a flow: `carried` is what a connection carried each way, `None` for
    /// one refused before a byte crossed.
    fn record(&self, model: &Model, flow: OpenFlow, carried: Option<(u64, u64)>, now: Timestamp) {
        let mut events: Outbox = BTreeMap::new();
        let mut seen = Vec::new();
        for sighting in &flow.sightings {
            let Some(interface) = NetworkInterfaceId::parse(&sighting.interface)
                .ok()
                .and_then(|id| model.any::<NetworkInterface>(&id))
            else {
                continue;
            };
            let watching = model.all::<FlowLog>().filter(|f| {
                f.covers(&interface.id, &interface.subnet_id, &interface.vpc_id)
                    && f.scope == interface.scope
            });
            let record = flow_record(interface, sighting, &flow, carried, now);
            seen.push(serde_json::json!({
                "interface": interface.id,
                "direction": record.flow_direction.as_str(),
                "reply": sighting.reply,
                "action": record.action.as_str(),
                "decided_by": sighting.decided_by,
                "record": LogFormat::default().render(&record),
            }));
            for flow_log in watching {
                let FlowLogDestination::CloudWatchLogs { log_group_name, .. } =
                    &flow_log.destination
                else {
                    continue;
                };
                if !flow_log.traffic_type.captures(record.action) {
                    continue;
                }
                let message = flow_log.log_format.render(&record);
                let stream = events
                    .entry((
                        flow_log.scope.clone(),
                        log_group_name.clone(),
                        interface.id.to_string(),
                    ))
                    .or_default();
                // One interface in two flow logs of one group is one stream (AWS).
                if !stream.iter().any(|e| e.message == message) {
                    stream.push(LogEvent {
                        timestamp: Timestamp(record.start * 1000),
                        message,
                    });
                }
            }
        }
        self.remember(&flow, carried, now, seen);
        if events.is_empty() {
            return;
        }
        {
            let mut outbox = self
                .delivery
                .outbox
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            for (key, mut batch) in events {
                outbox.entry(key).or_default().append(&mut batch);
            }
        }
        Delivery::soon(&self.delivery);
    }

    /// Keeps the flow for `GET /_localvpc/flows`.
    fn remember(
        &self,
        flow: &OpenFlow,
        carried: Option<(u64, u64)>,
        now: Timestamp,
        sightings: Vec<serde_json::Value>,
    ) {
        let o = &flow.origin;
        let entry = serde_json::json!({
            "instance": o.instance,
            "destination": format!("{}:{}", o.host, o.port),
            "start": flow.started.0 / 1000,
            "end": now.0 / 1000,
            "blocked": o.blocked,
            "bytes_to_server": carried.map(|c| c.0),
            "bytes_to_client": carried.map(|c| c.1),
            "sightings": sightings,
        });
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back(entry);
    }

    /// The latest flows, newest first, of one instance or of all.
    pub(crate) fn recent(&self, instance: Option<&str>, limit: usize) -> Vec<serde_json::Value> {
        let recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent
            .iter()
            .rev()
            .filter(|f| {
                instance.is_none_or(|i| f.get("instance").and_then(|v| v.as_str()) == Some(i))
            })
            .take(limit)
            .cloned()
            .collect()
    }
}

impl Delivery {
    /// Starts one delivery task unless one is waiting already: after a short wait it
    /// drains the outbox, one command per stream, each committed like any write.
    fn soon(this: &Arc<Self>) {
        if this.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            this.pending.store(false, Ordering::Release);
            return;
        };
        let this = Arc::clone(this);
        runtime.spawn(async move {
            tokio::time::sleep(GATHER).await;
            this.pending.store(false, Ordering::Release);
            let batches =
                std::mem::take(&mut *this.outbox.lock().unwrap_or_else(|p| p.into_inner()));
            for ((scope, log_group_name, log_stream_name), events) in batches {
                let (reply, answer) = oneshot::channel();
                let job = Job {
                    scope,
                    command: Command::Logs(LogsCommand::Deliver {
                        log_group_name,
                        log_stream_name,
                        events,
                    }),
                    reply,
                };
                if this.jobs.send(job).await.is_err() {
                    return;
                }
                match answer.await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => tracing::warn!(error = ?e, "flow log records not delivered"),
                    Err(_) => return,
                }
            }
        });
    }
}

/// One record of a sighting: addresses and ports as seen at the interface, packets and
/// bytes estimated from what the connection carried (full segments, 40-byte headers, the
/// handshake and the close), `instance-id` and the zone of the interface.
fn flow_record(
    interface: &NetworkInterface,
    sighting: &Sighting,
    flow: &OpenFlow,
    carried: Option<(u64, u64)>,
    now: Timestamp,
) -> FlowLogRecord {
    // A refused connection is one SYN (with its options, 60 bytes) wherever it was seen.
    let attempt_only = !sighting.accepted || carried.is_none();
    let (to_server, to_client) = carried.unwrap_or_default();
    let (payload, control) = if attempt_only {
        (0, 1)
    } else if sighting.reply {
        (to_client, 2)
    } else {
        (to_server, 3)
    };
    let packets = payload.div_ceil(SEGMENT) + control;
    let tcp_flags = match (attempt_only, sighting.reply) {
        (true, _) => 2,      // SYN
        (false, false) => 3, // SYN, FIN
        (false, true) => 19, // SYN-ACK, FIN
    };
    let (source_port, destination_port) = if sighting.reply {
        (sighting.source_port, Some(flow.client_port))
    } else {
        (Some(flow.client_port), sighting.destination_port)
    };
    let ip_type = |a: IpAddr| if a.is_ipv6() { "IPv6" } else { "IPv4" };
    FlowLogRecord {
        account_id: interface.scope.account.to_string(),
        interface_id: interface.id.to_string(),
        srcaddr: sighting.source.to_string(),
        dstaddr: sighting.destination.to_string(),
        srcport: source_port,
        dstport: destination_port,
        protocol: 6,
        packets,
        bytes: payload + packets * HEADERS + u64::from(attempt_only) * 20,
        start: flow.started.0 / 1000,
        end: now.0.max(flow.started.0) / 1000,
        action: if sighting.accepted {
            FlowAction::Accept
        } else {
            FlowAction::Reject
        },
        vpc_id: interface.vpc_id.to_string(),
        subnet_id: interface.subnet_id.to_string(),
        instance_id: interface
            .attachment
            .as_ref()
            .map(|a| a.instance_id.to_string()),
        tcp_flags,
        ip_type: ip_type(sighting.source),
        pkt_srcaddr: sighting.source.to_string(),
        pkt_dstaddr: sighting.destination.to_string(),
        region: interface.scope.region.to_string(),
        az_id: interface.availability_zone_id.clone(),
        pkt_src_aws_service: None,
        pkt_dst_aws_service: None,
        flow_direction: match sighting.direction {
            Direction::Ingress => FlowDirection::Ingress,
            Direction::Egress => FlowDirection::Egress,
        },
        traffic_path: None,
    }
}
