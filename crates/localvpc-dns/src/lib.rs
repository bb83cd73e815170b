//! The localvpc DNS server: real DNS over UDP and TCP, answered from the same model the API
//! writes.
//!
//! This crate owns:
//! - [`resolve`]: the pure resolution function — one question, one [`View`] (a VPC's
//!   resolver, an inbound Resolver endpoint, or the public internet), one model snapshot →
//!   a [`Resolution`] with the answer and the decision trail. No I/O.
//! - forwarding (`answer.rs`): when a FORWARD rule decides, the query really goes to the
//!   rule's targets (through `--map-ip` mappings) and the answer is relayed.
//! - the server (`server.rs`, `wire.rs`): packets in, packets out, with EDNS0, truncation
//!   and TCP.
//! - the service (`service.rs`): one loopback address per view, following the model, and
//!   the explainer's JSON behind `POST /_localvpc/dns/explain`. On Linux the views of a
//!   loopback block share one UDP socket and one TCP listener (`routed.rs`): the view of a
//!   packet is the address it was sent to.
//! - the answer cache of each UDP listener (`cache.rs`): a repeated question in an
//!   unchanged snapshot is answered by copying the bytes answered before.
//! - lookup tables (`index.rs`): per-snapshot indexes (rules, zones, endpoint zones and
//!   query-log targets by VPC) built once per change, so a query finds a VPC's rules and zones without scans.
//! - Resolver query logs (`querylog.rs`): one JSON line per query of a VPC with a
//!   query-logging configuration, written by a thread of its own, never blocking a query.
//!
//! It must not change the model, nor answer for names no view knows (it is not an open
//! recursive resolver: it forwards only where a FORWARD rule says).

mod answer;
mod cache;
mod index;
mod public;
mod querylog;
mod resolve;
#[cfg(target_os = "linux")]
mod routed;
mod rr;
mod server;
mod service;
mod trail;
mod wire;
mod zone;

pub use resolve::{View, resolve};
pub use rr::{QType, Rr, RrData, Soa};
pub use service::{
    Dns, DnsConfig, Explained, ListenSpec, ListenerInfo, QueryLogInfo, QueryLogsInfo,
};
pub use trail::{Forward, Rcode, Resolution, StepKind, TrailStep};
