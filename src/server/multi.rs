//! Transactions: MULTI/EXEC/DISCARD and optimistic locking with WATCH.
//!
//! Between MULTI and EXEC the executor queues commands instead of running
//! them (after the usual checks; a failed check poisons the transaction).
//! EXEC runs the queue back to back — atomic because the executor runs one
//! thing at a time — unless a watched key was modified since WATCH. Keys are
//! "touched" generically: after any command that changed the dataset, the
//! keys its key specs name are checked against the watch table, so command
//! handlers need no hook of their own.

use super::{Client, CmdRef, Server};
use bytes::Bytes;
use hashbrown::HashMap;

#[derive(Default)]
pub struct MultiState {
    pub queued: Vec<(CmdRef, Vec<Bytes>)>,
    /// A command failed its checks while queueing: EXEC must abort.
    pub abort: bool,
}

#[derive(Default)]
pub struct Watches {
    /// (db, key) → watching clients as (slot, id).
    by_key: HashMap<(usize, Bytes), Vec<(usize, u64)>>,
}

impl Watches {
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Keys watched by at least one client (INFO total_watched_keys).
    pub fn keys_count(&self) -> usize {
        self.by_key.len()
    }
}

impl Server {
    pub fn watch(&mut self, client: &mut Client, key: &[u8]) {
        let k = (client.db, Bytes::copy_from_slice(key));
        if client.watched.contains(&k) {
            return;
        }
        self.watches
            .by_key
            .entry(k.clone())
            .or_default()
            .push((client.slot, client.id));
        client.watched.push(k);
    }

    pub fn unwatch_all(&mut self, client: &mut Client) {
        for k in client.watched.drain(..) {
            if let Some(v) = self.watches.by_key.get_mut(&k) {
                v.retain(|&(_, id)| id != client.id);
                if v.is_empty() {
                    self.watches.by_key.remove(&k);
                }
            }
        }
        client.dirty_cas = false;
    }

    /// A key changed: fail the EXEC of every client watching it.
    pub fn touch_watched_key(&mut self, current: &mut Client, db: usize, key: &[u8]) {
        self.touch_watched_key_from(Some(current), db, key);
    }

    /// [`Server::touch_watched_key`] when there may be no running client
    /// (eviction from the cron).
    pub fn touch_watched_key_from(
        &mut self,
        mut current: Option<&mut Client>,
        db: usize,
        key: &[u8],
    ) {
        if self.watches.by_key.is_empty() {
            return;
        }
        let Some(watchers) = self.watches.by_key.get(&(db, Bytes::copy_from_slice(key))) else {
            return;
        };
        for &(slot, id) in watchers {
            if let Some(cur) = current.as_deref_mut().filter(|c| c.id == id) {
                cur.dirty_cas = true;
            } else if let Some(Some(c)) = self.clients.get_mut(slot) {
                if c.id == id {
                    c.dirty_cas = true;
                }
            }
        }
    }

    /// Every watched key of `db` (FLUSHDB, FLUSHALL, SWAPDB): fail them all
    /// when the key existed (Valkey only fails watchers of keys that were
    /// there, but over-failing an optimistic lock is safe).
    pub fn touch_all_watched_in_db(&mut self, current: &mut Client, db: Option<usize>) {
        let keys: Vec<(usize, Bytes)> = self
            .watches
            .by_key
            .keys()
            .filter(|(d, _)| db.is_none_or(|x| x == *d))
            .cloned()
            .collect();
        for (d, k) in keys {
            self.touch_watched_key(current, d, &k);
        }
    }

    /// Drop a transaction in progress and all watches.
    pub fn discard_transaction(&mut self, client: &mut Client) {
        client.multi = None;
        self.unwatch_all(client);
    }
}

/// Which keys a write command touched, for WATCH.
pub fn touched_keys(spec: &super::spec::CommandSpec, argv: &[Bytes]) -> Vec<usize> {
    super::keys::extract_keys(spec, argv, 0)
        .into_iter()
        .map(|(i, _)| i)
        .collect()
}
