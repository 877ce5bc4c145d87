//! Clients blocked on keys (BLPOP, BZPOPMIN, BLMOVE, ...).
//!
//! A blocking command that finds nothing to pop calls
//! [`Ctx::block_on_keys`]: the client stops having its input processed and
//! waits in a FIFO queue per key. Commands that add elements call
//! [`Server::signal_key_ready`]; after the current command finishes, the
//! executor re-runs the blocked commands of each ready key in FIFO order
//! (Valkey 7's model: the command is simply executed again). A client that
//! blocks again while being re-run keeps its place at the head of the queue.
//! Timeouts answer with a null array.

use super::{Client, Ctx, Server};
use bytes::Bytes;
use hashbrown::{HashMap, HashSet};
use std::collections::{BTreeSet, VecDeque};

/// What a blocked client waits for.
#[derive(Debug)]
pub struct BlockedOn {
    pub keys: Vec<(usize, Bytes)>,
    /// Absolute deadline in unix ms, 0 for none.
    pub deadline_ms: i64,
    pub argv: Vec<Bytes>,
}

#[derive(Default)]
pub struct Blocking {
    /// (db, key) → blocked clients as (slot, client id), oldest first.
    by_key: HashMap<(usize, Bytes), VecDeque<(usize, u64)>>,
    ready: Vec<(usize, Bytes)>,
    ready_set: HashSet<(usize, Bytes)>,
    timeouts: BTreeSet<(i64, u64, usize)>,
    /// Number of clients currently blocked on keys.
    pub blocked_clients: usize,
    /// Slots whose blocked command finished: their pending input must be
    /// processed and their output flushed by the network layer.
    pub unblocked: Vec<usize>,
    /// Set while re-running a blocked command, so a re-block keeps the
    /// client's place at the head of the queue.
    reprocessing: bool,
}

impl Blocking {
    /// Keys at least one client is blocked on (INFO total_blocking_keys).
    pub fn keys_count(&self) -> usize {
        self.by_key.len()
    }

    /// Keys of `db` that clients are blocked on.
    pub fn keys_in_db(&self, db: usize) -> Vec<Bytes> {
        self.by_key
            .keys()
            .filter(|(d, _)| *d == db)
            .map(|(_, k)| k.clone())
            .collect()
    }

    /// Blocked clients with a deadline (INFO clients_in_timeout_table).
    pub fn timeouts_count(&self) -> usize {
        self.timeouts.len()
    }

    pub fn is_reprocessing(&self) -> bool {
        self.reprocessing
    }

    pub fn ready_is_empty(&self) -> bool {
        self.ready.is_empty()
    }

    /// Earliest blocking deadline, for the event loop's poll timeout.
    pub fn next_deadline(&self) -> Option<i64> {
        self.timeouts.iter().next().map(|t| t.0)
    }
}

impl Ctx<'_> {
    /// True when blocking is not allowed (inside MULTI/EXEC or a script):
    /// the command must behave as if its timeout expired at once.
    pub fn cannot_block(&self) -> bool {
        self.client.in_exec
    }

    /// Block the calling client on `keys` (in its selected db) until one is
    /// signalled ready or `deadline_ms` (absolute, 0 = forever) passes. The
    /// handler must not write a reply when it blocks.
    pub fn block_on_keys(&mut self, keys: &[Bytes], deadline_ms: i64) {
        let db = self.client.db;
        let slot = self.client.slot;
        let id = self.client.id;
        let b = &mut self.srv.blocking;
        let mut uniq: Vec<(usize, Bytes)> = Vec::with_capacity(keys.len());
        for k in keys {
            let entry = (db, k.clone());
            if uniq.contains(&entry) {
                continue;
            }
            let q = b.by_key.entry(entry.clone()).or_default();
            if b.reprocessing {
                q.push_front((slot, id));
            } else {
                q.push_back((slot, id));
            }
            uniq.push(entry);
        }
        if deadline_ms > 0 {
            b.timeouts.insert((deadline_ms, id, slot));
        }
        b.blocked_clients += 1;
        self.client.blocked = Some(Box::new(BlockedOn {
            keys: uniq,
            deadline_ms,
            argv: self.argv.to_vec(),
        }));
    }
}

impl Server {
    /// An element was added to `key` in `db`: blocked clients may proceed.
    pub fn signal_key_ready(&mut self, db: usize, key: &[u8]) {
        let b = &mut self.blocking;
        if b.by_key.is_empty() {
            return;
        }
        let k = (db, Bytes::copy_from_slice(key));
        if b.by_key.contains_key(&k) && b.ready_set.insert(k.clone()) {
            b.ready.push(k);
        }
    }

    /// Remove a client from every queue it waits in.
    fn forget_blocked(&mut self, c: &mut Client) -> Option<Box<BlockedOn>> {
        let st = c.blocked.take()?;
        let b = &mut self.blocking;
        for k in &st.keys {
            if let Some(q) = b.by_key.get_mut(k) {
                q.retain(|&(_, id)| id != c.id);
                if q.is_empty() {
                    b.by_key.remove(k);
                }
            }
        }
        if st.deadline_ms > 0 {
            b.timeouts.remove(&(st.deadline_ms, c.id, c.slot));
        }
        b.blocked_clients -= 1;
        Some(st)
    }

    /// Serve clients blocked on keys that became ready. Called by the
    /// executor after each command.
    pub fn handle_ready_keys(&mut self) {
        while !self.blocking.ready.is_empty() {
            let ready = std::mem::take(&mut self.blocking.ready);
            self.blocking.ready_set.clear();
            for key in ready {
                let Some(q) = self.blocking.by_key.get(&key) else {
                    continue;
                };
                let waiting: Vec<(usize, u64)> = q.iter().copied().collect();
                for (slot, id) in waiting {
                    if !self.dbs[key.0].dict.contains_key(&key.1) {
                        break;
                    }
                    let Some(mut client) = self.clients.get_mut(slot).and_then(|c| c.take()) else {
                        continue;
                    };
                    if client.id != id {
                        self.clients[slot] = Some(client);
                        continue;
                    }
                    if let Some(st) = self.forget_blocked(&mut client) {
                        // A blocked client ran nothing since it blocked, so
                        // it is still in the db of its keys.
                        self.blocking.reprocessing = true;
                        self.execute(&mut client, &st.argv);
                        self.blocking.reprocessing = false;
                        if client.blocked.is_none() {
                            self.blocking.unblocked.push(slot);
                            self.pending_writes.push(slot);
                        }
                    }
                    self.clients[slot] = Some(client);
                }
            }
        }
    }

    /// Unblock clients whose deadline passed, replying with a null array.
    pub fn handle_blocked_timeouts(&mut self) {
        let now = self.now_ms;
        while let Some(&(deadline, id, slot)) = self.blocking.timeouts.iter().next() {
            if deadline > now {
                break;
            }
            self.blocking.timeouts.remove(&(deadline, id, slot));
            let Some(mut client) = self.clients.get_mut(slot).and_then(|c| c.take()) else {
                continue;
            };
            if client.id == id && self.forget_blocked(&mut client).is_some() {
                client.reply.null_array();
                self.blocking.unblocked.push(slot);
                self.pending_writes.push(slot);
            }
            self.clients[slot] = Some(client);
        }
    }

    /// CLIENT UNBLOCK: end a client's block with a timeout reply or an
    /// `UNBLOCKED` error. Returns false if the client was not blocked.
    pub fn unblock_client(&mut self, slot: usize, with_error: bool) -> bool {
        let Some(mut client) = self.clients.get_mut(slot).and_then(|c| c.take()) else {
            return false;
        };
        let done = self.forget_blocked(&mut client).is_some();
        if done {
            if with_error {
                let text = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
                self.stats.count_error(text);
                client.reply.error(text);
            } else {
                client.reply.null_array();
            }
            self.blocking.unblocked.push(slot);
            self.pending_writes.push(slot);
        }
        self.clients[slot] = Some(client);
        done
    }

    /// A blocked client disconnected.
    pub fn forget_closed_client(&mut self, c: &mut Client) {
        self.forget_blocked(c);
    }
}
