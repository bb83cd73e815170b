//! The default store: one redb file. Layout (docs/storage-format.md):
//! - `log`: u64 sequence → JSON of one command's `Vec<Change>`;
//! - `meta`: `format` → u64 as JSON, `snapshot` → JSON `{ "seq": n, "resources": [Resource…] }`.

use crate::{Store, StoreError};
use localvpc_model::{Change, Model, Resource};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use std::path::Path;

const LOG: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("log");
const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");

/// The on-disk format this build writes and reads.
pub(crate) const FORMAT: u64 = 1;

/// How many log entries accumulate before the next snapshot folds them in.
const SNAPSHOT_EVERY: u64 = 4096;

/// A snapshot is every resource of the model at `seq`.
#[derive(Deserialize)]
struct Snapshot {
    seq: u64,
    resources: Vec<Resource>,
}

pub struct RedbStore {
    db: Database,
    /// The sequence number of the last log entry written.
    last_seq: u64,
    snapshot_seq: u64,
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
        Ok(Self {
            db,
            last_seq: 0,
            snapshot_seq: 0,
        })
    }

    fn write_snapshot(
        meta: &mut redb::Table<'_, &str, &[u8]>,
        log: &mut redb::Table<'_, u64, &[u8]>,
        seq: u64,
        model: &Model,
    ) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(&SnapshotRef {
            seq,
            resources: model.resources(),
        })
        .map_err(io)?;
        meta.insert("snapshot", bytes.as_slice()).map_err(io)?;
        // Entries up to `seq` are folded into the snapshot.
        log.retain_in(..=seq, |_, _| false).map_err(io)?;
        Ok(())
    }
}

#[derive(Serialize)]
struct SnapshotRef {
    seq: u64,
    resources: Vec<Resource>,
}

impl Store for RedbStore {
    fn load(&mut self) -> Result<Model, StoreError> {
        let txn = self.db.begin_read().map_err(io)?;
        let meta = txn.open_table(META).map_err(io)?;
        let (mut model, snapshot_seq) = match meta.get("snapshot").map_err(io)? {
            Some(v) => {
                let s: Snapshot = serde_json::from_slice(v.value())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let mut model = Model::default();
                for resource in s.resources {
                    model.apply_change(&Change::Put(resource));
                }
                (model, s.seq)
            }
            None => (Model::default(), 0),
        };
        let log = txn.open_table(LOG).map_err(io)?;
        let mut last = snapshot_seq;
        for entry in log.range(snapshot_seq + 1..).map_err(io)? {
            let (seq, bytes) = entry.map_err(io)?;
            let changes: Vec<Change> = serde_json::from_slice(bytes.value())
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            for change in &changes {
                model.apply_change(change);
            }
            last = seq.value();
        }
        self.last_seq = last;
        self.snapshot_seq = snapshot_seq;
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
        let resets = batch.iter().any(|changes| changes.contains(&Change::Reset));
        {
            let mut log = txn.open_table(LOG).map_err(io)?;
            let mut meta = txn.open_table(META).map_err(io)?;
            for changes in batch.iter().filter(|c| !c.is_empty()) {
                seq += 1;
                let bytes = serde_json::to_vec(changes).map_err(io)?;
                log.insert(seq, bytes.as_slice()).map_err(io)?;
            }
            // A reset makes every earlier entry moot; a long log slows the next start.
            if resets || seq - self.snapshot_seq >= SNAPSHOT_EVERY {
                Self::write_snapshot(&mut meta, &mut log, seq, after)?;
            }
        }
        txn.commit().map_err(io)?;
        if resets || seq - self.snapshot_seq >= SNAPSHOT_EVERY {
            self.snapshot_seq = seq;
        }
        self.last_seq = seq;
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
