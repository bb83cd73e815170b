//! The running DNS service: configuration, the snapshot it reads, its listeners (one
//! loopback address per view, following the model), and the explainer's JSON.

use crate::answer;
use crate::index::Indexed;
use crate::querylog::{Client, Entry, LogTargets, QueryLog};
use crate::resolve::Detail;
#[cfg(target_os = "linux")]
use crate::routed::{self, Routes};
use crate::rr::{QType, Rr};
use crate::server::{self, Serves};
use crate::trail::Resolution;
use crate::{View, public::fnv1a};
use arc_swap::ArcSwap;
use localvpc_model::{
    Catalog, Change, Model, ResolverDirection, ResolverEndpoint, ResolverEndpointId,
    ResolverQueryLogConfig, Vpc, VpcId,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};
use tokio::runtime::Handle;
use tokio::task::JoinHandle;

/// Where listeners go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenSpec {
    /// One address per view from this loopback block (`127.53.0.0/16`), all on one port.
    Block { network: Ipv4Addr, prefix_len: u8 },
    /// One address for every view (`127.0.0.1`), one port per view.
    Single(Ipv4Addr),
    /// No DNS server.
    Off,
}

impl ListenSpec {
    /// `127.53.0.0/16`, `127.0.0.1` or `off`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text == "off" {
            return Ok(Self::Off);
        }
        match text.split_once('/') {
            Some((ip, len)) => {
                let network: Ipv4Addr = ip
                    .parse()
                    .map_err(|_| format!("`{ip}` is not an IPv4 address"))?;
                let prefix_len: u8 = len
                    .parse()
                    .ok()
                    .filter(|l| (8..=30).contains(l))
                    .ok_or_else(|| format!("`/{len}`: the block must be /8 to /30"))?;
                Ok(Self::Block {
                    network,
                    prefix_len,
                })
            }
            None => text
                .parse()
                .map(Self::Single)
                .map_err(|_| format!("`{text}` is not an IPv4 address or block")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct DnsConfig {
    pub listen: ListenSpec,
    /// The port of block listeners (and the first port of single-address listeners); 0 =
    /// any free port for each listener.
    pub port: u16,
    /// Emulated address → real socket, for FORWARD targets (`--map-ip`).
    pub map_ip: BTreeMap<SocketAddr, SocketAddr>,
    pub forward_timeout: Duration,
    /// Where Resolver query logs go (`<config id>.log`); `None` = not written.
    pub query_log_dir: Option<PathBuf>,
}

impl Default for DnsConfig {
    fn default() -> Self {
        Self {
            listen: ListenSpec::Block {
                network: Ipv4Addr::new(127, 53, 0, 0),
                prefix_len: 16,
            },
            port: 53,
            map_ip: BTreeMap::new(),
            forward_timeout: Duration::from_secs(2),
            query_log_dir: None,
        }
    }
}

/// One listener, as `GET /_localvpc/dns/listeners` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListenerInfo {
    /// `vpc`, `inbound` or `public`.
    pub view: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_id: Option<String>,
    /// The address the view has in AWS (the VPC's base+2, the endpoint's IP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emulated_ip: Option<String>,
    /// Where it really listens (UDP and TCP).
    pub listen: String,
}

struct Running {
    info: ListenerInfo,
    tasks: Vec<JoinHandle<()>>,
    /// The view's address on the shared sockets, taken back when the view goes.
    #[cfg(target_os = "linux")]
    route: Option<(Arc<Routes>, Ipv4Addr)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        #[cfg(target_os = "linux")]
        if let Some((routes, addr)) = &self.route {
            routes.remove(*addr);
        }
    }
}

/// The wildcard pair that serves every view of the block (Linux, a block inside
/// `127.0.0.0/8`): see `routed.rs`.
#[cfg(target_os = "linux")]
struct Shared {
    port: u16,
    routes: Arc<Routes>,
    tasks: Vec<JoinHandle<()>>,
}

#[cfg(target_os = "linux")]
impl Drop for Shared {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

const STARTING: u8 = 0;
const RUNNING: u8 = 1;
const OFF: u8 = 2;

/// The DNS service. Cheap to share (`Arc`); queries read the latest published snapshot and
/// never wait on the API's writer.
pub struct Dns {
    snapshots: Arc<ArcSwap<Model>>,
    /// The latest snapshot the lookup tables were built for, with its tables.
    indexed: ArcSwap<Indexed>,
    catalog: Catalog,
    config: DnsConfig,
    /// Listeners by view key. A tokio mutex: reconciling binds sockets (awaits) while it
    /// holds the map, and only reconciliation and the listing take it.
    listeners: tokio::sync::Mutex<Listeners>,
    status: AtomicU8,
    /// Views the last reconciliation could not give a listener (out of file descriptors or
    /// addresses); health reports them.
    without_listener: AtomicUsize,
    /// Raised by `refresh` when a new snapshot is published: listeners follow the model
    /// at once instead of at the next poll.
    published: tokio::sync::Notify,
    query_log: QueryLog,
    /// The DNS thread's runtime: listeners and forwarded queries run there, apart from the
    /// API's runtime, so queries never queue behind HTTP requests or the writer's work.
    runtime: OnceLock<Handle>,
}

#[derive(Default)]
struct Listeners {
    running: BTreeMap<String, Running>,
    /// The snapshot the listeners were last reconciled with.
    seen: Option<Arc<Model>>,
    /// `Some` once the block's shared sockets are open; views then get an address on them
    /// instead of sockets of their own.
    #[cfg(target_os = "linux")]
    shared: Option<Shared>,
}

impl Dns {
    pub fn new(snapshots: Arc<ArcSwap<Model>>, catalog: Catalog, config: DnsConfig) -> Arc<Self> {
        let status = if config.listen == ListenSpec::Off {
            OFF
        } else {
            STARTING
        };
        let query_log = QueryLog::new(config.query_log_dir.clone());
        let indexed = ArcSwap::from_pointee(Indexed::build(snapshots.load_full(), &catalog));
        Arc::new(Self {
            indexed,
            snapshots,
            catalog,
            config,
            listeners: tokio::sync::Mutex::new(Listeners::default()),
            status: AtomicU8::new(status),
            without_listener: AtomicUsize::new(0),
            published: tokio::sync::Notify::new(),
            query_log,
            runtime: OnceLock::new(),
        })
    }

    /// The runtime of the `localvpc-dns` thread, started on first use. One thread answers
    /// every view: an answer takes microseconds, and on one thread a query is received,
    /// resolved and answered without handing work between threads (no wake-ups, no
    /// stealing). The thread lives as long as the process.
    fn runtime(&self) -> Option<&Handle> {
        if let Some(handle) = self.runtime.get() {
            return Some(handle);
        }
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("localvpc-dns".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot start the DNS runtime");
                        return;
                    }
                };
                if tx.send(runtime.handle().clone()).is_ok() {
                    runtime.block_on(std::future::pending::<()>());
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the DNS thread");
            return None;
        }
        let handle = rx.recv().ok()?;
        // A racing caller may have set it first: use whichever won (the loser's thread
        // stays idle).
        Some(self.runtime.get_or_init(|| handle))
    }

    pub(crate) fn snapshot(&self) -> Arc<Model> {
        self.snapshots.load_full()
    }

    /// The latest snapshot whose lookup tables are built, with its tables. Queries never
    /// build tables: the writer builds those of each new snapshot before it acknowledges the
    /// write (`refresh`), so every acknowledged change is visible to the next query, and a
    /// query never waits for a build.
    pub(crate) fn current(&self) -> Arc<Indexed> {
        self.indexed.load_full()
    }

    /// Brings the lookup tables up to the latest published snapshot. The writer calls this
    /// after each publish, before answering the API call; it is the only writer of them.
    ///
    /// `changes` are the batch that made the newest snapshot out of the one the tables were
    /// last refreshed for (the writer refreshes after every publish, so nothing is skipped);
    /// only the VPCs they touch are recomputed.
    pub fn refresh(&self, changes: &[Vec<Change>]) {
        let model = self.snapshots.load_full();
        let cached = self.indexed.load_full();
        if Arc::ptr_eq(&cached.model, &model) {
            return;
        }
        let fresh = Arc::new(cached.update(model, &self.catalog, changes));
        self.indexed.store(fresh);
        self.published.notify_one();
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub(crate) fn forward_timeout(&self) -> Duration {
        self.config.forward_timeout
    }

    /// The real socket behind an emulated address (`--map-ip`), else the address itself.
    pub(crate) fn mapped(&self, target: SocketAddr) -> SocketAddr {
        self.config.map_ip.get(&target).copied().unwrap_or(target)
    }

    /// `running`, `degraded` (some views have no listener), `starting` or `off`, for
    /// `/_localvpc/health`.
    pub fn status(&self) -> &'static str {
        match self.status.load(Ordering::Relaxed) {
            RUNNING if self.views_without_listener() > 0 => "degraded",
            RUNNING => "running",
            OFF => "off",
            _ => "starting",
        }
    }

    /// How many views the last reconciliation could not give a listener.
    pub fn views_without_listener(&self) -> usize {
        self.without_listener.load(Ordering::Relaxed)
    }

    /// Opens the listeners of the current model, then follows the model every 200 ms
    /// (comparing snapshot pointers, so an idle model costs nothing).
    pub async fn start(self: &Arc<Self>) {
        if self.config.listen == ListenSpec::Off {
            return;
        }
        self.reconcile().await;
        self.status.store(RUNNING, Ordering::Relaxed);
        let dns = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                // A publish wakes it at once; the poll is the fallback. Under a stream of
                // writes it reconciles at most five times a second (a reconciliation looks at
                // every view), so a write never pays for it.
                tokio::select! {
                    () = dns.published.notified() => {}
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                dns.reconcile().await;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
    }

    /// Starts listeners for new views and stops those whose view is gone.
    pub async fn reconcile(self: &Arc<Self>) {
        if self.config.listen == ListenSpec::Off {
            return;
        }
        let mut listeners = self.listeners.lock().await;
        let model = self.snapshot();
        if listeners
            .seen
            .as_ref()
            .is_some_and(|seen| Arc::ptr_eq(seen, &model))
        {
            return;
        }
        let wanted = views(&model);
        let keys: BTreeSet<&String> = wanted.iter().map(|w| &w.key).collect();
        listeners.running.retain(|k, _| keys.contains(k));
        let mut used: BTreeSet<SocketAddr> = listeners
            .running
            .values()
            .filter_map(|r| r.info.listen.parse().ok())
            .collect();
        #[cfg(target_os = "linux")]
        if listeners.shared.is_none() {
            listeners.shared = self.open_shared();
        }
        let mut missing = 0;
        for w in wanted {
            if listeners.running.contains_key(&w.key) {
                continue;
            }
            #[cfg(target_os = "linux")]
            let opened = match &listeners.shared {
                Some(shared) => self.route(&w, shared, &mut used),
                None => self.open(&w, &mut used).await,
            };
            #[cfg(not(target_os = "linux"))]
            let opened = self.open(&w, &mut used).await;
            match opened {
                Some(running) => {
                    tracing::info!(view = %w.view.describe(), listen = %running.info.listen, "DNS listener up");
                    listeners.running.insert(w.key.clone(), running);
                }
                None => {
                    missing += 1;
                    tracing::warn!(view = %w.view.describe(), "no DNS listener could be opened")
                }
            }
        }
        self.without_listener.store(missing, Ordering::Relaxed);
        // A view that got no listener is tried again once the model changes.
        listeners.seen = Some(model);
    }

    /// Every listener (after catching up with the model), ordered by view.
    pub async fn listeners(self: &Arc<Self>) -> Vec<ListenerInfo> {
        self.reconcile().await;
        let listeners = self.listeners.lock().await;
        let mut out: Vec<ListenerInfo> =
            listeners.running.values().map(|r| r.info.clone()).collect();
        out.sort_by(|a, b| {
            (
                a.view != "public",
                a.view,
                &a.vpc_id,
                &a.endpoint_id,
                &a.emulated_ip,
            )
                .cmp(&(
                    b.view != "public",
                    b.view,
                    &b.vpc_id,
                    &b.endpoint_id,
                    &b.emulated_ip,
                ))
        });
        out
    }

    /// Opens the block's shared sockets where they can serve it: on Linux, for a block
    /// inside `127.0.0.0/8` (every address of which is this host's). `None` leaves each view
    /// its own sockets (another process holds the port on some address, for one).
    #[cfg(target_os = "linux")]
    fn open_shared(self: &Arc<Self>) -> Option<Shared> {
        let ListenSpec::Block { network, .. } = self.config.listen else {
            return None;
        };
        if !network.is_loopback() {
            return None;
        }
        let (udp, tcp) = routed::bind(self.config.port)?;
        let port = udp.local_addr().ok()?.port();
        let runtime = self.runtime()?;
        let routes = Arc::new(Routes::default());
        let (dns, serves) = (Arc::clone(self), Serves::Routed(Arc::clone(&routes)));
        let udp_task = runtime.spawn(async move {
            match UdpSocket::from_std(udp) {
                Ok(udp) => server::serve_udp(dns, serves, udp).await,
                Err(e) => tracing::warn!(error = %e, "DNS UDP socket unusable"),
            }
        });
        let (dns, serves) = (Arc::clone(self), Serves::Routed(Arc::clone(&routes)));
        let tcp_task = runtime.spawn(async move {
            match TcpListener::from_std(tcp) {
                Ok(tcp) => server::serve_tcp(dns, serves, tcp).await,
                Err(e) => tracing::warn!(error = %e, "DNS TCP socket unusable"),
            }
        });
        tracing::info!(
            port,
            "DNS listening on the block's addresses (one socket per protocol)"
        );
        Some(Shared {
            port,
            routes,
            tasks: vec![udp_task, tcp_task],
        })
    }

    /// Gives a view a free address of the block on the shared sockets.
    #[cfg(target_os = "linux")]
    fn route(
        &self,
        w: &Wanted,
        shared: &Shared,
        used: &mut BTreeSet<SocketAddr>,
    ) -> Option<Running> {
        let ListenSpec::Block {
            network,
            prefix_len,
        } = self.config.listen
        else {
            return None;
        };
        let addr = block_hosts(network, prefix_len, &w.key).find(|ip| {
            !shared.routes.contains(*ip)
                && !used.contains(&SocketAddr::new(IpAddr::V4(*ip), shared.port))
        })?;
        let listen = SocketAddr::new(IpAddr::V4(addr), shared.port);
        used.insert(listen);
        shared.routes.insert(addr, w.view.clone());
        let mut info = w.info.clone();
        info.listen = listen.to_string();
        Some(Running {
            info,
            tasks: Vec::new(),
            route: Some((Arc::clone(&shared.routes), addr)),
        })
    }

    async fn open(
        self: &Arc<Self>,
        w: &Wanted,
        used: &mut BTreeSet<SocketAddr>,
    ) -> Option<Running> {
        let mut tries = Vec::new();
        match self.config.listen {
            ListenSpec::Block {
                network,
                prefix_len,
            } => {
                let port = self.config.port;
                tries.extend(
                    block_hosts(network, prefix_len, &w.key)
                        .map(|ip| SocketAddr::new(IpAddr::V4(ip), port))
                        .filter(|addr| port == 0 || !used.contains(addr))
                        .take(4),
                );
            }
            ListenSpec::Single(ip) => {
                if self.config.port != 0 {
                    let span = 1000u64;
                    let start = if w.key == "public" {
                        0
                    } else {
                        1 + fnv1a(w.key.as_bytes()) % span
                    };
                    for step in 0..8u64 {
                        let offset = u16::try_from((start + step) % (span + 1)).unwrap_or(0);
                        let addr = SocketAddr::new(
                            IpAddr::V4(ip),
                            self.config.port.saturating_add(offset),
                        );
                        if !used.contains(&addr) {
                            tries.push(addr);
                        }
                    }
                } else {
                    tries.push(SocketAddr::new(IpAddr::V4(ip), 0));
                }
            }
            ListenSpec::Off => return None,
        }
        // Fallback: any port on 127.0.0.1 (platforms with only one loopback address).
        tries.push(SocketAddr::from(([127, 0, 0, 1], 0)));
        let runtime = self.runtime()?;
        for addr in tries {
            if let Some((udp, tcp)) = bind_pair(addr) {
                let Ok(local) = udp.local_addr() else {
                    continue;
                };
                used.insert(local);
                // The sockets join the DNS runtime's reactor inside its own tasks.
                let (dns, serves) = (Arc::clone(self), Serves::One(Arc::new(w.view.clone())));
                let udp_task = runtime.spawn(async move {
                    match UdpSocket::from_std(udp) {
                        Ok(udp) => server::serve_udp(dns, serves, udp).await,
                        Err(e) => tracing::warn!(error = %e, "DNS UDP socket unusable"),
                    }
                });
                let (dns, serves) = (Arc::clone(self), Serves::One(Arc::new(w.view.clone())));
                let tcp_task = runtime.spawn(async move {
                    match TcpListener::from_std(tcp) {
                        Ok(tcp) => server::serve_tcp(dns, serves, tcp).await,
                        Err(e) => tracing::warn!(error = %e, "DNS TCP socket unusable"),
                    }
                });
                let mut info = w.info.clone();
                info.listen = local.to_string();
                return Some(Running {
                    info,
                    tasks: vec![udp_task, tcp_task],
                    #[cfg(target_os = "linux")]
                    route: None,
                });
            }
        }
        None
    }

    /// Whether a query from `client` in `view` is logged, and to which configurations.
    pub(crate) fn query_log_for(&self, view: &View, client: Client) -> Option<PendingLog> {
        if !self.query_log.enabled() {
            return None;
        }
        let current = self.current();
        let model = &current.model;
        let (vpc_id, endpoint) = match view {
            View::Vpc(id) => (id, None),
            View::Inbound(id) => (&model.any::<ResolverEndpoint>(id)?.vpc_id, Some(id)),
            View::Public => return None,
        };
        let targets = current.index.vpc(vpc_id)?.query_log.clone()?;
        let instance = match client.peer.ip() {
            IpAddr::V4(ip) if !ip.is_loopback() => model
                .interfaces_of_vpc(vpc_id)
                .find(|eni| eni.addresses().any(|a| a == ip))
                .and_then(|eni| eni.attachment.as_ref())
                .map(|a| a.instance_id.to_string()),
            _ => None,
        };
        Some(PendingLog {
            targets,
            client,
            instance,
            resolver_endpoint: endpoint.map(ToString::to_string),
        })
    }

    /// Hands one answered query to the query-log writer (never waits).
    pub(crate) fn log_query(
        &self,
        pending: PendingLog,
        query_name: String,
        query_type: QType,
        query_class: &'static str,
        rcode: u16,
        answers: Vec<Rr>,
    ) {
        self.query_log.send(Entry {
            targets: pending.targets,
            time: wall_clock(),
            query_name,
            query_type,
            query_class,
            rcode,
            answers,
            client: pending.client,
            instance: pending.instance,
            resolver_endpoint: pending.resolver_endpoint,
        });
    }

    /// `GET /_localvpc/dns/query-logs`: where each query-logging configuration is written.
    pub fn query_logs(&self) -> QueryLogsInfo {
        let model = self.snapshot();
        let mut configs: Vec<QueryLogInfo> = model
            .all::<ResolverQueryLogConfig>()
            .map(|c| {
                let id = c.id.to_string();
                let mut vpcs: Vec<String> = model
                    .query_log_config_vpcs(&c.id)
                    .map(ToString::to_string)
                    .collect();
                vpcs.sort();
                QueryLogInfo {
                    file: self.query_log.file_of(&id).map(|p| p.display().to_string()),
                    written: self.query_log.written(&id),
                    config_id: id,
                    name: c.name.clone(),
                    account_id: c.scope.account.to_string(),
                    region: c.scope.region.clone(),
                    destination_arn: c.destination_arn.clone(),
                    vpcs,
                }
            })
            .collect();
        configs.sort_by(|a, b| a.config_id.cmp(&b.config_id));
        QueryLogsInfo {
            enabled: self.query_log.enabled(),
            dir: self.query_log.dir().map(|d| d.display().to_string()),
            dropped: self.query_log.dropped(),
            write_errors: self.query_log.errors(),
            configs,
        }
    }

    /// `POST /_localvpc/dns/explain`: (HTTP status, JSON body).
    /// Resolves `name` in `view` with its decision trail, forwarding as a FORWARD rule says
    /// (what a client in that view would get), and says which snapshot decided: a caller
    /// that goes on to decide more from the model (`localvpc trace`) uses that one.
    pub async fn explain_name(&self, view: &View, name: &str, qtype: QType) -> Explained {
        self.lookup(view, name, qtype, Detail::Trail).await
    }

    /// The same answer without the trail's sentences: for the data plane, which needs the
    /// addresses and the snapshot that decided, on every connection.
    pub async fn answer_name(&self, view: &View, name: &str, qtype: QType) -> Explained {
        self.lookup(view, name, qtype, Detail::AnswerOnly).await
    }

    async fn lookup(&self, view: &View, name: &str, qtype: QType, detail: Detail) -> Explained {
        let current = self.current();
        let answer = answer::answer(self, &current, view, name, None, qtype, detail).await;
        Explained {
            snapshot: Arc::clone(&current.model),
            resolution: answer.resolution,
        }
    }

    pub async fn explain(self: &Arc<Self>, body: &[u8]) -> (u16, String) {
        let request: ExplainRequest = match serde_json::from_slice(body) {
            Ok(r) => r,
            Err(e) => {
                return bad_request(format!(
                    "the body must be JSON {{\"vpc\"|\"inbound_endpoint\"|\"view\", \"name\", \"type\"}}: {e}"
                ));
            }
        };
        let view = match (
            &request.vpc,
            &request.inbound_endpoint,
            request.view.as_deref(),
        ) {
            (Some(vpc), None, None | Some("vpc")) => match VpcId::parse(vpc) {
                Ok(id) => View::Vpc(id),
                Err(_) => return bad_request(format!("`{vpc}` is not a VPC id")),
            },
            (None, Some(id), None | Some("inbound")) => match ResolverEndpointId::parse(id) {
                Ok(id) => View::Inbound(id),
                Err(_) => return bad_request(format!("`{id}` is not a Resolver endpoint id")),
            },
            (None, None, Some("public")) => View::Public,
            _ => {
                return bad_request(
                    "give exactly one of `vpc`, `inbound_endpoint` or `\"view\": \"public\"`"
                        .to_owned(),
                );
            }
        };
        let qtype_text = request.qtype.as_deref().unwrap_or("A");
        let Some(qtype) = QType::parse(qtype_text) else {
            return bad_request(format!("`{qtype_text}` is not a DNS record type"));
        };
        let explained = self.explain_name(&view, &request.name, qtype).await;
        let out = explained.json(&view, &request.name, qtype);
        (200, out.to_string())
    }
}

/// A name resolved for an explanation, and the snapshot that decided it.
pub struct Explained {
    pub snapshot: Arc<Model>,
    pub resolution: Resolution,
}

impl Explained {
    /// The JSON of `POST /_localvpc/dns/explain` (docs/dns.md), which `localvpc trace`
    /// embeds as its `dns` part.
    pub fn json(&self, view: &View, name: &str, qtype: QType) -> serde_json::Value {
        let r = &self.resolution;
        let (kind, vpc_id, endpoint_id) = match view {
            View::Vpc(id) => ("vpc", Some(id.to_string()), None),
            View::Inbound(id) => ("inbound", None, Some(id.to_string())),
            View::Public => ("public", None, None),
        };
        serde_json::json!({
            "view": kind,
            "vpc_id": vpc_id,
            "endpoint_id": endpoint_id,
            "name": name,
            "type": qtype,
            "rcode": r.rcode,
            "authoritative": r.authoritative,
            "answers": r.answers,
            "authority": r.authority,
            "forward": r.forward,
            "trail": r.trail,
        })
    }
}

/// A query that will be logged once it is answered.
pub(crate) struct PendingLog {
    targets: Arc<LogTargets>,
    client: Client,
    instance: Option<String>,
    resolver_endpoint: Option<String>,
}

/// `GET /_localvpc/dns/query-logs`.
#[derive(Clone, Debug, Serialize)]
pub struct QueryLogsInfo {
    /// False when no directory is configured (`--ephemeral` without `--query-log-dir`).
    pub enabled: bool,
    pub dir: Option<String>,
    /// Entries dropped because the writer's queue was full.
    pub dropped: u64,
    pub write_errors: u64,
    pub configs: Vec<QueryLogInfo>,
}

/// One query-logging configuration and the file its destination maps to.
#[derive(Clone, Debug, Serialize)]
pub struct QueryLogInfo {
    pub config_id: String,
    pub name: String,
    pub account_id: String,
    pub region: String,
    pub destination_arn: String,
    /// `<dir>/<config id>.log` (JSON lines), or `None` when logging is off.
    pub file: Option<String>,
    /// The VPCs whose queries it logs.
    pub vpcs: Vec<String>,
    /// Lines written since the server started.
    pub written: u64,
}

#[expect(
    clippy::disallowed_methods,
    reason = "query-log lines carry the wall-clock time of each query"
)]
fn wall_clock() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

fn bad_request(message: String) -> (u16, String) {
    (400, serde_json::json!({ "error": message }).to_string())
}

#[derive(Deserialize)]
struct ExplainRequest {
    vpc: Option<String>,
    inbound_endpoint: Option<String>,
    view: Option<String>,
    name: String,
    #[serde(rename = "type")]
    qtype: Option<String>,
}

/// A view that should have a listener.
struct Wanted {
    key: String,
    view: View,
    info: ListenerInfo,
}

/// The views of a model, in a stable order: public, VPCs by creation, inbound endpoint IPs
/// by creation.
fn views(model: &Model) -> Vec<Wanted> {
    let mut out = vec![Wanted {
        key: "public".to_owned(),
        view: View::Public,
        info: ListenerInfo {
            view: "public",
            vpc_id: None,
            endpoint_id: None,
            emulated_ip: None,
            listen: String::new(),
        },
    }];
    let mut vpcs: Vec<_> = model.all::<Vpc>().collect();
    vpcs.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    for vpc in vpcs {
        out.push(Wanted {
            key: format!("vpc:{}", vpc.id),
            view: View::Vpc(vpc.id.clone()),
            info: ListenerInfo {
                view: "vpc",
                vpc_id: Some(vpc.id.to_string()),
                endpoint_id: None,
                emulated_ip: Some(vpc.resolver_address().to_string()),
                listen: String::new(),
            },
        });
    }
    let mut endpoints: Vec<_> = model
        .all::<ResolverEndpoint>()
        .filter(|e| e.direction == ResolverDirection::Inbound)
        .collect();
    endpoints.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    for e in endpoints {
        for ip in &e.ip_addresses {
            out.push(Wanted {
                key: format!("inbound:{}:{}", e.id, ip.ip),
                view: View::Inbound(e.id.clone()),
                info: ListenerInfo {
                    view: "inbound",
                    vpc_id: Some(e.vpc_id.to_string()),
                    endpoint_id: Some(e.id.to_string()),
                    emulated_ip: Some(ip.ip.to_string()),
                    listen: String::new(),
                },
            });
        }
    }
    out
}

/// The addresses a view may take in a block, in the order tried: `.1` for the public view;
/// for the others, offsets 2 ..= size-2 (the network, .1 and broadcast are skipped),
/// starting at the key's hash and probing forward (at most 256).
fn block_hosts(network: Ipv4Addr, prefix_len: u8, key: &str) -> impl Iterator<Item = Ipv4Addr> {
    let size = 1u32 << (32 - u32::from(prefix_len));
    let base = u32::from(network);
    let public = key == "public";
    let hosts = size - 3;
    let start = u32::try_from(fnv1a(key.as_bytes()) % u64::from(hosts)).unwrap_or(0);
    let count = if public { 0 } else { hosts.min(256) };
    let first = public.then(|| Ipv4Addr::from(base + 1));
    first
        .into_iter()
        .chain((0..count).map(move |step| Ipv4Addr::from(base + 2 + (start + step) % hosts)))
}

/// A UDP socket and a TCP listener on the same address (non-blocking, for tokio).
fn bind_pair(addr: SocketAddr) -> Option<(std::net::UdpSocket, std::net::TcpListener)> {
    for _ in 0..4 {
        let udp = std::net::UdpSocket::bind(addr).ok()?;
        let local = udp.local_addr().ok()?;
        match std::net::TcpListener::bind(local) {
            Ok(tcp) => {
                udp.set_nonblocking(true).ok()?;
                tcp.set_nonblocking(true).ok()?;
                return Some((udp, tcp));
            }
            // With port 0 the TCP side of the chosen port may be taken: try another.
            Err(_) if addr.port() == 0 => continue,
            Err(_) => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_hosts_give_the_public_view_dot_one_and_others_stable_hosts_inside_the_block() {
        let net = Ipv4Addr::new(127, 53, 0, 0);
        assert_eq!(
            block_hosts(net, 16, "public").collect::<Vec<_>>(),
            [Ipv4Addr::new(127, 53, 0, 1)]
        );
        let tried: Vec<Ipv4Addr> = block_hosts(net, 16, "vpc:vpc-1").collect();
        assert_eq!(tried.len(), 256);
        assert_eq!(tried, block_hosts(net, 16, "vpc:vpc-1").collect::<Vec<_>>());
        assert_ne!(
            tried.first(),
            block_hosts(net, 16, "vpc:vpc-2").next().as_ref()
        );
        // A /29 has 5 usable hosts past .1: never the network, .1 or the broadcast address.
        let small: BTreeSet<Ipv4Addr> =
            block_hosts(Ipv4Addr::new(127, 9, 0, 0), 29, "vpc:x").collect();
        let expected: BTreeSet<Ipv4Addr> = (2..=6).map(|h| Ipv4Addr::new(127, 9, 0, h)).collect();
        assert_eq!(small, expected);
    }
}
