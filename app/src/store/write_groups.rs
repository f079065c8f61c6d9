//! Writes that arrive together, run together: the queue both backends' group
//! writers share — `sqlite_writer` runs a group in one transaction, `pg_writer`
//! in one statement.
//!
//! A write is queued, and a drainer task is spawned for it; a drainer waits for
//! one of a few places, then runs whatever is queued, a group at a time, until
//! the queue is empty — so most drainers find their write already taken. One
//! that is cancelled (its runtime shutting down) strands nothing, and a caller
//! that goes away cannot leave a group half-run. Each write's caller is answered
//! by whoever runs its group.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::{StoreError, StoreResult};

/// One queued write and where its answer goes.
pub(crate) struct Member<W, O> {
    pub work: W,
    pub reply: oneshot::Sender<StoreResult<O>>,
}

/// The queue of one database's group writes.
pub(crate) struct WriteGroups<W, O> {
    pending: Mutex<Vec<Member<W, O>>>,
    drainers: Arc<Semaphore>,
    max_group: usize,
}

impl<W: Send + 'static, O: Send + 'static> WriteGroups<W, O> {
    /// Groups of at most `max_group` writes, run by at most `drainers` tasks at once.
    pub fn new(drainers: usize, max_group: usize) -> Self {
        WriteGroups {
            pending: Mutex::new(Vec::new()),
            drainers: Arc::new(Semaphore::new(drainers)),
            max_group,
        }
    }

    /// Queues `work` and answers once a group that holds it ran: `run` runs a
    /// group and must answer each of its members. `writer` names it in the
    /// error of a drainer that stopped before answering.
    pub async fn submit<F, Fut>(
        self: Arc<Self>,
        work: W,
        writer: &str,
        mut run: F,
    ) -> StoreResult<O>
    where
        F: FnMut(Vec<Member<W, O>>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let (reply, answer) = oneshot::channel();
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Member { work, reply });
        tokio::spawn(async move {
            let _place = self.place().await;
            loop {
                let group: Vec<Member<W, O>> = {
                    let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                    let take = pending.len().min(self.max_group);
                    pending.drain(..take).collect()
                };
                if group.is_empty() {
                    return;
                }
                run(group).await;
            }
        });
        answer.await.map_err(|_| {
            StoreError::Other(anyhow::anyhow!("the {writer} stopped before answering"))
        })?
    }

    /// One of the drainers' places: held, it keeps a drainer from running. With
    /// one place, it is the database's write gate.
    pub async fn place(&self) -> OwnedSemaphorePermit {
        self.drainers
            .clone()
            .acquire_owned()
            .await
            .expect("the drainers' semaphore is never closed")
    }

    /// How many writes wait for a group.
    #[cfg(test)]
    pub fn queued(&self) -> usize {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// The queue `key` names in `registry`, made by `make` the first time.
pub(crate) fn queue_of<K: Eq + Hash, T>(
    registry: &Mutex<HashMap<K, Arc<T>>>,
    key: K,
    make: impl FnOnce() -> T,
) -> Arc<T> {
    registry
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(key)
        .or_insert_with(|| Arc::new(make()))
        .clone()
}
