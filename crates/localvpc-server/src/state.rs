//! The shared state every request handler sees: snapshots to read, a queue to write.

use crate::config::{Config, StoreConfig};
use crate::writer::{self, Job};
use arc_swap::ArcSwap;
use localvpc_api::{Backend, ExecuteError};
use localvpc_dns::Dns;
use localvpc_model::{Catalog, Change, Command, Model, Outcome, Scope, Timestamp};
use localvpc_net::NetIndex;
use localvpc_proxy::{Authority, AuthorityError, Sessions};
use localvpc_store::{MemoryStore, RedbStore, Store, StoreError};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use tokio::sync::{mpsc, oneshot};

/// The database file inside `--data-dir`.
pub const DATABASE_FILE: &str = "localvpc.redb";
/// The local certificate authority's directory inside `--data-dir` (`ca.pem`, `ca.key`).
pub const CA_DIR: &str = "ca";

pub struct State {
    pub config: Config,
    published: Arc<ArcSwap<Model>>,
    jobs: mpsc::Sender<Job>,
    /// The DNS server; it reads `published` directly, so queries never wait on the writer.
    pub dns: Arc<Dns>,
    /// The network decision tables of the latest snapshot that was analysed.
    net: Mutex<Option<Arc<NetIndex>>>,
    /// The data plane's open sessions (`localvpc exec`).
    pub sessions: Arc<Sessions>,
    /// Where the data plane proxy listens, once it does.
    proxy: OnceLock<SocketAddr>,
    /// The local certificate authority of the data plane's TLS interception.
    pub authority: Arc<Authority>,
    /// IMDSv2 tokens handed to sessions.
    pub(crate) imds_tokens: crate::imds::Tokens,
    /// VPC flow log records of the data plane's connections.
    pub(crate) flows: crate::flowlog::FlowRecorder,
    /// The real socket behind each mapped emulated one: `--map-ip`, the mapping API and
    /// sessions' published ports (read lock-free on every data-plane connection).
    pub addresses: crate::mapping::AddressMap,
    /// Set once the HTTP front door stops accepting: pending session leases answer then, so
    /// they do not hold the graceful shutdown.
    pub(crate) closing: tokio::sync::watch::Sender<bool>,
    /// S3 object bytes.
    pub(crate) blobs: Arc<dyn localvpc_api::s3::Blobs>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot create the data directory `{path}`: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot start the writer thread: {0}")]
    Thread(std::io::Error),
    #[error(transparent)]
    Authority(#[from] AuthorityError),
    #[error("cannot open the S3 object directory `{path}`: {source}")]
    Blobs {
        path: String,
        source: std::io::Error,
    },
}

impl State {
    /// Opens the store, loads the committed state and starts the writer.
    pub fn start(config: Config) -> Result<Arc<Self>, StartError> {
        let mut store: Box<dyn Store> = match &config.store {
            StoreConfig::Ephemeral => Box::new(MemoryStore),
            StoreConfig::DataDir(dir) => {
                std::fs::create_dir_all(dir).map_err(|source| StartError::DataDir {
                    path: dir.display().to_string(),
                    source,
                })?;
                Box::new(RedbStore::open(&dir.join(DATABASE_FILE))?)
            }
        };
        let model = store.load()?;
        let blobs: Arc<dyn localvpc_api::s3::Blobs> = match &config.store {
            StoreConfig::Ephemeral => Arc::new(crate::blobs::MemoryBlobs::default()),
            StoreConfig::DataDir(dir) => {
                let path = dir.join(crate::blobs::BLOBS_DIR);
                Arc::new(
                    crate::blobs::FileBlobs::open(&path, &model).map_err(|source| {
                        StartError::Blobs {
                            path: path.display().to_string(),
                            source,
                        }
                    })?,
                )
            }
        };
        let authority = Arc::new(match &config.store {
            StoreConfig::Ephemeral => Authority::ephemeral()?,
            StoreConfig::DataDir(dir) => Authority::in_dir(&dir.join(CA_DIR))?,
        });
        let published = Arc::new(ArcSwap::from_pointee(model.clone()));
        let (tx, rx) = mpsc::channel(4096);
        let flows = crate::flowlog::FlowRecorder::new(tx.clone());
        let dns = Dns::new(
            published.clone(),
            config.catalog.clone(),
            config.dns.clone(),
        );
        // The DNS lookup tables of each new snapshot are built on the writer thread, after
        // publishing and before answering: off the query path, and ready for the next query.
        let tables = Arc::clone(&dns);
        let on_publish = Box::new(move |changes: &[Vec<Change>]| tables.refresh(changes));
        writer::spawn(
            store,
            model,
            published.clone(),
            config.catalog.clone(),
            rx,
            on_publish,
        )
        .map_err(StartError::Thread)?;
        let addresses = crate::mapping::AddressMap::new(&config.dns.map_ip);
        Ok(Arc::new(Self {
            addresses,
            closing: tokio::sync::watch::Sender::new(false),
            config,
            published,
            jobs: tx,
            dns,
            net: Mutex::new(None),
            sessions: Arc::default(),
            proxy: OnceLock::new(),
            authority,
            imds_tokens: crate::imds::Tokens::default(),
            flows,
            blobs,
        }))
    }
}

impl Backend for State {
    fn snapshot(&self) -> Arc<Model> {
        self.published.load_full()
    }

    /// Built on the first analysis of a snapshot, not by the writer: analyses are rare next
    /// to writes, so a write never pays for them (docs/aws-choices.md, ARCHITECTURE.md).
    fn net_index(&self) -> Arc<NetIndex> {
        self.net_index_of(self.published.load_full())
    }

    fn catalog(&self) -> &Catalog {
        &self.config.catalog
    }

    fn default_vpc(&self) -> bool {
        self.config.default_vpc
    }

    fn now(&self) -> Timestamp {
        writer::now()
    }

    async fn execute(&self, scope: Scope, command: Command) -> Result<Outcome, ExecuteError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                scope,
                command,
                reply,
            })
            .await
            .map_err(|_| ExecuteError::Unavailable("the writer has stopped".to_owned()))?;
        answer
            .await
            .map_err(|_| ExecuteError::Unavailable("the writer dropped the request".to_owned()))?
    }
}

impl State {
    /// Records where the data plane proxy listens (sessions hand this address out).
    pub fn set_proxy_address(&self, addr: SocketAddr) {
        let _ = self.proxy.set(addr);
    }

    /// Where the data plane proxy listens; `None` while it does not.
    pub fn proxy_address(&self) -> Option<SocketAddr> {
        self.proxy.get().copied()
    }

    /// The decision core's index of one snapshot (cached for the latest one asked).
    pub(crate) fn net_index_of(&self, model: Arc<Model>) -> Arc<NetIndex> {
        let mut cached = self.net.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(index) = cached.as_ref()
            && Arc::ptr_eq(index.model(), &model)
        {
            return Arc::clone(index);
        }
        let index = Arc::new(NetIndex::build(model));
        *cached = Some(Arc::clone(&index));
        index
    }
}
