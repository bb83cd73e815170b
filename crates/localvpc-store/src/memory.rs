//! `--ephemeral`: nothing is written anywhere.

use crate::{Store, StoreError};
use localvpc_model::{Change, Model};

#[derive(Debug, Default)]
pub struct MemoryStore;

impl Store for MemoryStore {
    fn load(&mut self) -> Result<Model, StoreError> {
        Ok(Model::default())
    }

    fn commit(&mut self, _batch: &[Vec<Change>], _after: &Model) -> Result<(), StoreError> {
        Ok(())
    }
}
