//! One numbered database: the key → value table plus expiry bookkeeping.

use super::Dict;
use crate::types::Value;
use bytes::Bytes;

#[derive(Default)]
pub struct Db {
    pub id: usize,
    pub dict: Dict<Value>,
    /// Keys deleted because they were found expired on access; the executor
    /// drains this after each command to propagate `DEL`s.
    pub expired_on_access: Vec<Bytes>,
    /// Cursor of the active expire cycle over keys with a TTL.
    pub expire_cursor: u64,
    /// Running average TTL (ms) of sampled keys, for INFO keyspace.
    pub avg_ttl: i64,
    pub stat_expired: u64,
    /// Hashes with field TTLs, for the active field-expire cycle.
    pub volatile_hashes: crate::types::hash::VolatileHashes,
    /// Which keyspace events raised down here are enabled (`new`,
    /// `expired`); those are queued in `events` for the executor to
    /// publish, in the order they happened.
    pub notify_new: bool,
    pub notify_expired: bool,
    pub events: Vec<(DbEvent, Bytes)>,
}

/// A keyspace event raised by the database itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbEvent {
    /// A key was added (`new`, class `n`).
    New,
    /// A key was deleted on access because its TTL had passed (`expired`).
    Expired,
}

impl Db {
    pub fn new(id: usize) -> Self {
        Db {
            id,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    /// Delete `key` if its TTL has passed; returns true when it did.
    #[inline]
    pub fn expire_if_needed(&mut self, key: &[u8], now_ms: i64) -> bool {
        if self.dict.expires_len() == 0 {
            return false;
        }
        match self.dict.get_expire(key) {
            // Valkey's rule: expired once the clock is past the deadline.
            Some(when) if when < now_ms => {
                self.dict.remove(key);
                self.stat_expired += 1;
                self.expired_on_access.push(Bytes::copy_from_slice(key));
                if self.notify_expired {
                    self.events
                        .push((DbEvent::Expired, Bytes::copy_from_slice(key)));
                }
                true
            }
            _ => false,
        }
    }

    /// Look a key up, expiring it first if needed.
    #[inline]
    pub fn get(&mut self, key: &[u8], now_ms: i64) -> Option<&Value> {
        self.expire_if_needed(key, now_ms);
        self.dict.get(key)
    }

    #[inline]
    pub fn get_mut(&mut self, key: &[u8], now_ms: i64) -> Option<&mut Value> {
        self.expire_if_needed(key, now_ms);
        self.dict.get_mut(key)
    }

    pub fn contains(&mut self, key: &[u8], now_ms: i64) -> bool {
        self.expire_if_needed(key, now_ms);
        self.dict.contains_key(key)
    }

    /// The absolute expire time (ms) of a live key.
    pub fn ttl_of(&mut self, key: &[u8], now_ms: i64) -> Option<Option<i64>> {
        self.expire_if_needed(key, now_ms);
        self.dict.get_with_expire(key).map(|(_, t)| t)
    }

    /// Set a value, overwriting any old one. With `keep_ttl` false the old
    /// TTL is removed (SET semantics).
    pub fn set(&mut self, key: &[u8], value: Value, keep_ttl: bool) -> Option<Value> {
        let old = self.dict.insert(key, value);
        if old.is_some() {
            if !keep_ttl {
                self.dict.set_expire(key, None);
            }
        } else {
            self.key_added(key);
        }
        old
    }

    /// Insert a key known to be absent (after a lookup that missed).
    pub fn add(&mut self, key: &[u8], value: Value) {
        self.dict.insert_new(key, value, None);
        self.key_added(key);
    }

    /// Insert a key known to be absent, with its expire time.
    pub fn add_with_expire(&mut self, key: &[u8], value: Value, when_ms: Option<i64>) {
        self.dict.insert_new(key, value, when_ms);
        self.key_added(key);
    }

    #[inline]
    fn key_added(&mut self, key: &[u8]) {
        if self.notify_new {
            self.events
                .push((DbEvent::New, Bytes::copy_from_slice(key)));
        }
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<Value> {
        self.dict.remove(key).map(|(v, _)| v)
    }

    pub fn set_expire(&mut self, key: &[u8], when_ms: Option<i64>) -> bool {
        self.dict.set_expire(key, when_ms)
    }

    pub fn expires_len(&self) -> usize {
        self.dict.expires_len()
    }
}
