//! The running localvpc: one writer applies commands and commits them durably, readers get
//! immutable snapshots, and one HTTP listener routes every AWS request by its SigV4
//! credential scope to the service it names.
//!
//! ```text
//! HTTP ──▶ route (service, account, region) ──▶ localvpc-api ──┬─▶ snapshot (ArcSwap, no wait)
//!                                                             └─▶ Writer thread ─▶ Store ─▶ publish
//! ```

mod blobs;
mod config;
mod dataplane;
mod flowlog;
mod http;
mod imds;
mod lease;
mod mapping;
mod state;
mod trace;
mod upstream;
mod writer;

pub use config::{Config, StoreConfig};
pub use http::serve;
pub use localvpc_dns::{DnsConfig, ListenSpec};
pub use localvpc_proxy::{ProxyOptions, serve as serve_proxy};
pub use mapping::AddressMap;
pub use state::{CA_DIR, DATABASE_FILE, StartError, State};
