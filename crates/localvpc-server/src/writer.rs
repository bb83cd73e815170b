//! The single writer. Commands queue on a channel; the writer thread takes every queued
//! command (group commit), runs each against the model, persists the batch with one fsync,
//! publishes the new snapshot, and only then answers the callers.

use arc_swap::ArcSwap;
use localvpc_api::ExecuteError;
use localvpc_model::{Catalog, Change, Command, Ctx, IdGen, Model, Outcome, Scope, Timestamp};
use localvpc_store::Store;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

/// Upper bound of commands folded into one commit.
const MAX_BATCH: usize = 256;

/// Called after each publish with the batch's changes (one list per command).
pub(crate) type OnPublish = Box<dyn Fn(&[Vec<Change>]) + Send>;

pub(crate) struct Job {
    pub(crate) scope: Scope,
    pub(crate) command: Command,
    pub(crate) reply: oneshot::Sender<Result<Outcome, ExecuteError>>,
}

/// Random ids from a fast non-cryptographic generator: AWS ids are not secrets.
struct RandomIds(fastrand::Rng);

impl IdGen for RandomIds {
    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .filter_map(|_| char::from_digit(self.0.u32(..16), 16))
            .collect()
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "the server is where wall-clock time enters the model"
)]
pub(crate) fn now() -> Timestamp {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    Timestamp(u64::try_from(ms).unwrap_or(u64::MAX))
}

pub(crate) fn spawn(
    store: Box<dyn Store>,
    model: Model,
    published: Arc<ArcSwap<Model>>,
    catalog: Catalog,
    mut rx: mpsc::Receiver<Job>,
    on_publish: OnPublish,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("localvpc-writer".to_owned())
        .spawn(move || {
            let mut writer = Writer {
                store,
                model,
                published,
                catalog,
                ids: RandomIds(fastrand::Rng::new()),
                on_publish,
            };
            while let Some(first) = rx.blocking_recv() {
                let mut jobs = vec![first];
                while jobs.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(job) => jobs.push(job),
                        Err(_) => break,
                    }
                }
                writer.run_batch(jobs);
            }
        })
}

struct Writer {
    store: Box<dyn Store>,
    model: Model,
    published: Arc<ArcSwap<Model>>,
    catalog: Catalog,
    ids: RandomIds,
    /// Called after each publish with the batch's changes (the DNS server updates its
    /// lookup tables).
    on_publish: OnPublish,
}

impl Writer {
    fn run_batch(&mut self, jobs: Vec<Job>) {
        let before = self.model.clone();
        let mut done: Vec<(oneshot::Sender<_>, Outcome)> = Vec::with_capacity(jobs.len());
        let mut batch: Vec<Vec<Change>> = Vec::with_capacity(jobs.len());
        let now = now();
        for job in jobs {
            let mut ctx = Ctx {
                scope: &job.scope,
                now,
                ids: &mut self.ids,
                catalog: &self.catalog,
            };
            match self.model.execute(&job.command, &mut ctx) {
                Ok((next, outcome, changes)) => {
                    self.model = next;
                    batch.push(changes);
                    done.push((job.reply, outcome));
                }
                // A refused command changes nothing; answer it at once.
                Err(e) => {
                    let _ = job.reply.send(Err(ExecuteError::Model(e)));
                }
            }
        }
        if let Err(e) = self.store.commit(&batch, &self.model) {
            tracing::error!(error = %e, "commit failed; the batch is rolled back");
            self.model = before;
            for (reply, _) in done {
                let _ = reply.send(Err(ExecuteError::Unavailable(e.to_string())));
            }
            return;
        }
        // Publish before answering, so a caller's next read sees its own write.
        self.published.store(Arc::new(self.model.clone()));
        (self.on_publish)(&batch);
        for (reply, outcome) in done {
            let _ = reply.send(Ok(outcome));
        }
    }
}
