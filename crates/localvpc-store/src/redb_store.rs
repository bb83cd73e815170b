//! The default store: one redb file. Layout (docs/storage-format.md):
//! - `log`: u64 sequence → JSON of one command's `Vec<Change>`;
//! - `meta`: `format` → u64 as JSON, `snapshot` → JSON `{ "seq": n, "resources": [Resource…] }`.
//!
//! Commits append to the log (one fsync'd transaction per batch). Snapshots are serialised
//! and written by a thread of their own, off the commit path, once the log since the last one
//! outgrows it; a reset folds the log at once, in the commit's own transaction.

use crate::{Store, StoreError};
use localvpc_model::{Change, Model, Resource};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize, Serializer};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

const LOG: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("log");
const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");

/// The on-disk format this build writes and reads.
pub(crate) const FORMAT: u64 = 1;

/// A snapshot is due once the log written since the last one is as large as that snapshot
/// (and at least this large): writing snapshots then costs at most one byte per byte of log,
/// whatever the model's size, and a start replays at most about twice the snapshot.
const MIN_LOG_BYTES_PER_SNAPSHOT: u64 = 4 << 20;

/// A snapshot is every resource of the model at `seq`.
#[derive(Deserialize)]
struct Snapshot {
    seq: u64,
    resources: Vec<Resource>,
}

/// The same JSON as [`Snapshot`], written from the model's maps without cloning them.
#[derive(Serialize)]
struct SnapshotOf<'a> {
    seq: u64,
    #[serde(serialize_with = "resources")]
    resources: &'a Model,
}

fn resources<S: Serializer>(model: &&Model, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(model.resource_views())
}

fn snapshot_bytes(seq: u64, model: &Model) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(&SnapshotOf {
        seq,
        resources: model,
    })
    .map_err(io)
}

pub struct RedbStore {
    db: Arc<Database>,
    /// The sequence number of the last log entry written.
    last_seq: u64,
    /// Log bytes written since the last snapshot was asked for.
    log_bytes: u64,
    /// `MIN_LOG_BYTES_PER_SNAPSHOT` (lower in tests).
    min_log_bytes: u64,
    /// Sizes and positions shared with the snapshot thread.
    shared: Arc<Shared>,
    /// Snapshots to write, off the commit path (`None` once dropping).
    snapshots: Option<mpsc::SyncSender<(u64, Model)>>,
    snapshotter: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    /// The sequence number of the snapshot in the file (or being committed with a reset).
    /// Only read and written while holding redb's write transaction, which serialises the
    /// writer and the snapshot thread, so an older snapshot never overwrites a newer one.
    snapshot_seq: AtomicU64,
    /// The size of the last snapshot written.
    snapshot_bytes: AtomicU64,
}

fn io(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(e.to_string())
}

impl RedbStore {
    /// Opens or creates the database file. Only one process may hold it.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(|e| StoreError::Open {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let txn = db.begin_write().map_err(io)?;
        {
            let mut meta = txn.open_table(META).map_err(io)?;
            let found = match meta.get("format").map_err(io)? {
                Some(v) => Some(
                    serde_json::from_slice::<u64>(v.value())
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ),
                None => None,
            };
            match found {
                Some(f) if f > FORMAT => {
                    return Err(StoreError::UnsupportedFormat {
                        found: f,
                        supported: FORMAT,
                    });
                }
                Some(_) => {}
                None => {
                    let bytes = serde_json::to_vec(&FORMAT).map_err(io)?;
                    meta.insert("format", bytes.as_slice()).map_err(io)?;
                }
            }
            txn.open_table(LOG).map_err(io)?;
        }
        txn.commit().map_err(io)?;
        let db = Arc::new(db);
        let shared = Arc::new(Shared::default());
        // One pending snapshot at most: while one is being written, commits do not queue more.
        let (snapshots, pending) = mpsc::sync_channel::<(u64, Model)>(1);
        let snapshotter = {
            let db = Arc::clone(&db);
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("localvpc-snapshot".to_owned())
                .spawn(move || {
                    for (seq, model) in pending {
                        if let Err(e) = write_snapshot_later(&db, &shared, seq, &model) {
                            tracing::error!(error = %e, seq, "writing a snapshot failed; the log keeps everything");
                        }
                    }
                })
                .map_err(io)?
        };
        Ok(Self {
            db,
            last_seq: 0,
            log_bytes: 0,
            min_log_bytes: MIN_LOG_BYTES_PER_SNAPSHOT,
            shared,
            snapshots: Some(snapshots),
            snapshotter: Some(snapshotter),
        })
    }

    /// Writes the snapshot inside the caller's transaction and folds the log up to `seq`.
    fn write_snapshot(
        meta: &mut redb::Table<'_, &str, &[u8]>,
        log: &mut redb::Table<'_, u64, &[u8]>,
        seq: u64,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        meta.insert("snapshot", bytes).map_err(io)?;
        // Entries up to `seq` are folded into the snapshot.
        log.retain_in(..=seq, |_, _| false).map_err(io)?;
        Ok(())
    }

    fn snapshot_due(&self) -> bool {
        self.log_bytes
            >= self
                .min_log_bytes
                .max(self.shared.snapshot_bytes.load(Ordering::Relaxed))
    }
}

/// The snapshot thread's work: serialise outside any transaction (the slow part), then write
/// it in a short one of its own unless a newer snapshot (a reset's) got there first.
fn write_snapshot_later(
    db: &Database,
    shared: &Shared,
    seq: u64,
    model: &Model,
) -> Result<(), StoreError> {
    let bytes = snapshot_bytes(seq, model)?;
    let mut txn = db.begin_write().map_err(io)?;
    txn.set_durability(Durability::Immediate).map_err(io)?;
    if shared.snapshot_seq.load(Ordering::Relaxed) >= seq {
        return Ok(());
    }
    {
        let mut log = txn.open_table(LOG).map_err(io)?;
        let mut meta = txn.open_table(META).map_err(io)?;
        RedbStore::write_snapshot(&mut meta, &mut log, seq, &bytes)?;
    }
    shared.snapshot_seq.store(seq, Ordering::Relaxed);
    txn.commit().map_err(io)?;
    shared
        .snapshot_bytes
        .store(bytes.len() as u64, Ordering::Relaxed);
    Ok(())
}

impl Drop for RedbStore {
    /// Lets a snapshot being written finish, so the file is released when this returns.
    fn drop(&mut self) {
        self.snapshots = None;
        if let Some(thread) = self.snapshotter.take() {
            let _ = thread.join();
        }
    }
}

impl Store for RedbStore {
    fn load(&mut self) -> Result<Model, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let meta = txn.open_table(META).map_err(io)?;
        let (mut model, snapshot_seq, snapshot_len) = match meta.get("snapshot").map_err(io)? {
            Some(v) => {
                let s: Snapshot = serde_json::from_slice(v.value())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let mut model = Model::default();
                for resource in s.resources {
                    model.apply_change(&Change::Put(resource));
                }
                (model, s.seq, v.value().len() as u64)
            }
            None => (Model::default(), 0, 0),
        };
        let log = txn.open_table(LOG).map_err(io)?;
        let mut last = snapshot_seq;
        let mut log_bytes = 0;
        for entry in log.range(snapshot_seq + 1..).map_err(io)? {
            let (seq, bytes) = entry.map_err(io)?;
            let changes: Vec<Change> = serde_json::from_slice(bytes.value())
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            for change in &changes {
                model.apply_change(change);
            }
            last = seq.value();
            log_bytes += bytes.value().len() as u64;
        }
        self.last_seq = last;
        self.log_bytes = log_bytes;
        self.shared
            .snapshot_seq
            .store(snapshot_seq, Ordering::Relaxed);
        self.shared
            .snapshot_bytes
            .store(snapshot_len, Ordering::Relaxed);
        Ok(model)
    }

    fn commit(&mut self, batch: &[Vec<Change>], after: &Model) -> Result<(), StoreError> {
        if batch.iter().all(Vec::is_empty) {
            return Ok(());
        }
        let mut txn = self.db.begin_write().map_err(io)?;
        // Immediate: fsync before commit returns, so an acknowledged write survives kill -9.
        txn.set_durability(Durability::Immediate).map_err(io)?;
        let mut seq = self.last_seq;
        let mut written = 0;
        let resets = batch.iter().any(|changes| changes.contains(&Change::Reset));
        {
            let mut log = txn.open_table(LOG).map_err(io)?;
            let mut meta = txn.open_table(META).map_err(io)?;
            for changes in batch.iter().filter(|c| !c.is_empty()) {
                seq += 1;
                let bytes = serde_json::to_vec(changes).map_err(io)?;
                written += bytes.len() as u64;
                log.insert(seq, bytes.as_slice()).map_err(io)?;
            }
            // A reset makes every earlier entry moot: fold them now (the model after a
            // reset is small), so a suite that resets often keeps a short log.
            if resets {
                let bytes = snapshot_bytes(seq, after)?;
                Self::write_snapshot(&mut meta, &mut log, seq, &bytes)?;
                self.shared.snapshot_seq.store(seq, Ordering::Relaxed);
                self.shared
                    .snapshot_bytes
                    .store(bytes.len() as u64, Ordering::Relaxed);
            }
        }
        txn.commit().map_err(io)?;
        self.last_seq = seq;
        self.log_bytes = if resets { 0 } else { self.log_bytes + written };
        if self.snapshot_due()
            && let Some(snapshots) = &self.snapshots
            && snapshots.try_send((seq, after.clone())).is_ok()
        {
            self.log_bytes = 0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use localvpc_model::{
        AccountId, Catalog, Command, CreateVpc, Ctx, Scope, SequentialIds, Timestamp,
    };

    fn run(model: &Model, ids: &mut SequentialIds, command: Command) -> (Model, Vec<Change>) {
        let scope = Scope::new(AccountId::default_account(), "ap-northeast-1");
        let catalog = Catalog::default();
        let mut ctx = Ctx {
            scope: &scope,
            now: Timestamp(1),
            ids,
            catalog: &catalog,
        };
        let (next, _, changes) = model.execute(&command, &mut ctx).unwrap();
        (next, changes)
    }

    fn create_vpc(cidr: &str) -> Command {
        Command::CreateVpc(CreateVpc {
            cidr_block: Some(cidr.to_owned()),
            ..CreateVpc::default()
        })
    }

    #[test]
    fn reopen_replays_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.redb");
        let mut ids = SequentialIds::default();
        let (m1, c1) = run(
            &Model::default(),
            &mut ids,
            Command::EnsureScope { default_vpc: true },
        );
        let (m2, c2) = run(&m1, &mut ids, create_vpc("10.0.0.0/16"));
        {
            let mut store = RedbStore::open(&path).unwrap();
            assert_eq!(store.load().unwrap(), Model::default());
            store.commit(&[c1], &m1).unwrap();
            store.commit(&[c2], &m2).unwrap();
        }
        let mut store = RedbStore::open(&path).unwrap();
        assert_eq!(store.load().unwrap(), m2);
    }

    #[test]
    fn snapshots_and_resets_fold_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.redb");
        let mut ids = SequentialIds::default();
        let (m1, c1) = run(
            &Model::default(),
            &mut ids,
            Command::EnsureScope { default_vpc: false },
        );
        let (m2, c2) = run(&m1, &mut ids, Command::Reset);
        let (m3, c3) = run(&m2, &mut ids, Command::EnsureScope { default_vpc: false });
        let (m4, c4) = run(&m3, &mut ids, create_vpc("10.1.0.0/16"));
        {
            let mut store = RedbStore::open(&path).unwrap();
            store.load().unwrap();
            store.commit(&[c1, c2, c3], &m3).unwrap();
            store.commit(&[c4], &m4).unwrap();
        }
        let mut store = RedbStore::open(&path).unwrap();
        let loaded = store.load().unwrap();
        assert_eq!(loaded, m4);
        // The reset snapshot swallowed the log before it; one entry remains after it.
        let txn = store.db.begin_read().unwrap();
        assert_eq!(txn.open_table(LOG).unwrap().iter().unwrap().count(), 1);
    }

    fn log_len(store: &RedbStore) -> usize {
        let txn = store.db.begin_read().unwrap();
        txn.open_table(LOG).unwrap().iter().unwrap().count()
    }

    #[test]
    fn background_snapshots_fold_the_log_once_it_outgrows_the_last_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.redb");
        let mut ids = SequentialIds::default();
        let (mut model, c) = run(
            &Model::default(),
            &mut ids,
            Command::EnsureScope { default_vpc: false },
        );
        {
            let mut store = RedbStore::open(&path).unwrap();
            store.load().unwrap();
            store.min_log_bytes = 0;
            store.commit(&[c], &model).unwrap();
            for n in 0..20 {
                let (next, c) = run(&model, &mut ids, create_vpc(&format!("10.{n}.0.0/16")));
                model = next;
                store.commit(&[c], &model).unwrap();
            }
        }
        // Dropping the store waited for the pending snapshot: the log was folded at least
        // once, and snapshot plus the log after it still give the same model.
        let mut store = RedbStore::open(&path).unwrap();
        assert!(log_len(&store) < 21, "{} entries", log_len(&store));
        assert_eq!(store.load().unwrap(), model);
        assert!(store.shared.snapshot_bytes.load(Ordering::Relaxed) > 0);
    }

    #[test]
    fn a_late_snapshot_never_replaces_a_newer_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.redb");
        let mut ids = SequentialIds::default();
        let (m1, c1) = run(
            &Model::default(),
            &mut ids,
            Command::EnsureScope { default_vpc: true },
        );
        let (m2, c2) = run(&m1, &mut ids, Command::Reset);
        let mut store = RedbStore::open(&path).unwrap();
        store.load().unwrap();
        store.commit(&[c1], &m1).unwrap();
        store.commit(&[c2], &m2).unwrap();
        // A snapshot of entry 1, finished after the reset's snapshot of entry 2: skipped.
        write_snapshot_later(&store.db, &store.shared, 1, &m1).unwrap();
        drop(store);
        let mut store = RedbStore::open(&path).unwrap();
        assert_eq!(store.load().unwrap(), m2);
    }

    #[test]
    fn refuses_a_newer_format() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.redb");
        drop(RedbStore::open(&path).unwrap());
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(META)
                .unwrap()
                .insert("format", b"99".as_slice())
                .unwrap();
            txn.commit().unwrap();
        }
        assert!(matches!(
            RedbStore::open(&path),
            Err(StoreError::UnsupportedFormat { found: 99, .. })
        ));
    }
}
