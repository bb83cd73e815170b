//! Where committed state lives between runs.
//!
//! The state is a log of committed [`Change`] lists plus an occasional full snapshot of the
//! [`Model`]; loading reads the snapshot and replays the log after it. [`Store::commit`]
//! returns only once a batch is durable (fsync'd), so the server acknowledges nothing that a
//! crash could lose. Backends: [`RedbStore`] (the default, one file in the data directory)
//! and [`MemoryStore`] (`--ephemeral`). A replicated backend can take the same trait later.

mod memory;
mod redb_store;

pub use memory::MemoryStore;
pub use redb_store::RedbStore;

use localvpc_model::{Change, Model};
use thiserror::Error;

/// Durable storage of committed changes.
pub trait Store: Send + 'static {
    /// The state as last committed (empty for a new store).
    fn load(&mut self) -> Result<Model, StoreError>;

    /// Durably appends one batch: each element is one command's changes, in commit order.
    /// `after` is the model with the whole batch applied, for snapshots.
    fn commit(&mut self, batch: &[Vec<Change>], after: &Model) -> Result<(), StoreError>;
}

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("cannot open the database at `{path}`: {reason}")]
    Open { path: String, reason: String },
    #[error("storage failure: {0}")]
    Io(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error(
        "the database was written by a newer localvpc (format {found}, this build reads {supported})"
    )]
    UnsupportedFormat { found: u64, supported: u64 },
}
