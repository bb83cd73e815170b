//! Where S3 object bytes live: one file per blob under `<data dir>/s3/blobs/`, written and
//! synced (file, then directory) before the command that names it commits; in memory with
//! `--ephemeral`. At start, files no object or multipart upload part names (a write interrupted before its commit,
//! or a release interrupted by a crash) are deleted.

use bytes::Bytes;
use localvpc_api::s3::{BlobFuture, Blobs};
use localvpc_model::Model;
use localvpc_model::s3::{MultipartUpload, S3Object};
use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// The blobs directory inside `--data-dir`.
pub(crate) const BLOBS_DIR: &str = "s3/blobs";

fn new_name() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// Blobs as files.
pub(crate) struct FileBlobs {
    dir: PathBuf,
}

impl FileBlobs {
    /// Opens (creates) the directory and deletes the files `model` does not name.
    pub(crate) fn open(dir: &Path, model: &Model) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let parts = model
            .all::<MultipartUpload>()
            .flat_map(|u| u.parts.values().map(|p| p.blob.as_str()));
        let named: HashSet<&str> = model
            .all::<S3Object>()
            .map(|o| o.blob.as_str())
            .chain(parts)
            .collect();
        let mut removed = 0usize;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if !named.contains(name.to_string_lossy().as_ref()) {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "deleted S3 blobs no object names");
        }
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    fn path(&self, blob: &str) -> Option<PathBuf> {
        // Names are ours (hex); anything else is refused rather than joined.
        blob.bytes()
            .all(|b| b.is_ascii_hexdigit())
            .then(|| self.dir.join(blob))
    }
}

/// Writes a new blob file and syncs it and its directory.
fn write_blob(dir: &Path, data: &[u8]) -> Result<String, String> {
    let name = new_name();
    let path = dir.join(&name);
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create_new(&path)?;
        file.write_all(data)?;
        file.sync_all()?;
        std::fs::File::open(dir)?.sync_all()
    };
    match write() {
        Ok(()) => Ok(name),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e.to_string())
        }
    }
}

impl Blobs for FileBlobs {
    // File I/O (and its fsyncs) runs on tokio's blocking pool, not on the API's workers.
    fn put(&self, data: Bytes) -> BlobFuture<'_, String> {
        let dir = self.dir.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || write_blob(&dir, &data))
                .await
                .map_err(|e| e.to_string())?
        })
    }

    fn get(&self, blob: &str) -> BlobFuture<'_, Bytes> {
        let path = self
            .path(blob)
            .ok_or_else(|| format!("bad blob name `{blob}`"));
        Box::pin(async move {
            let path = path?;
            tokio::task::spawn_blocking(move || std::fs::read(path).map(Bytes::from))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())
        })
    }

    fn release(&self, blobs: &[String]) {
        for blob in blobs {
            if let Some(path) = self.path(blob)
                && let Err(e) = std::fs::remove_file(&path)
            {
                tracing::warn!(blob, error = %e, "cannot delete a released S3 blob");
            }
        }
    }
}

/// Blobs in memory (`--ephemeral`).
#[derive(Default)]
pub(crate) struct MemoryBlobs {
    // A std mutex: held only to insert, clone a `Bytes` or remove, never across an await.
    blobs: Mutex<HashMap<String, Bytes>>,
}

impl Blobs for MemoryBlobs {
    fn put(&self, data: Bytes) -> BlobFuture<'_, String> {
        let name = new_name();
        self.blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.clone(), data);
        Box::pin(std::future::ready(Ok(name)))
    }

    fn get(&self, blob: &str) -> BlobFuture<'_, Bytes> {
        let found = self
            .blobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(blob)
            .cloned()
            .ok_or_else(|| format!("no blob `{blob}`"));
        Box::pin(std::future::ready(found))
    }

    fn release(&self, blobs: &[String]) {
        let mut map = self.blobs.lock().unwrap_or_else(PoisonError::into_inner);
        for blob in blobs {
            map.remove(blob);
        }
    }
}
