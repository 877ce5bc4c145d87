//! Keyspace notifications (`notify-keyspace-events`).
//!
//! Commands report what they did to a key as an *event* of a *class*
//! (`set` of class `$`, `lpush` of class `l`, `del` and `expire` of class
//! `g`, `expired` of class `x`, ...). When the class is enabled, the event
//! is published as ordinary Pub/Sub messages: with `K`, on the channel
//! `__keyspace@<db>__:<key>` carrying the event name; with `E`, on
//! `__keyevent@<db>__:<event>` carrying the key. Subscribers are plain
//! Pub/Sub clients, so patterns, RESP3 pushes and output-buffer limits all
//! apply unchanged.
//!
//! The check is one config read and a mask, so a disabled feature costs
//! nothing measurable on the write path. The `new` event (a key added to a
//! database) is raised deep inside [`crate::keyspace::Db`], which knows
//! nothing of clients, and so is `expired` for a key found stale on access;
//! the database queues such keys when their class is on and they are
//! published before the next event of the same database, or at the end of
//! the command, so they keep Valkey's order (`expired`, then `new`, then
//! `set`). Only the database at hand is looked at, except for the commands
//! that work across databases (MOVE, COPY, SWAPDB), which flush them all
//! to keep the order between databases too.

use super::{Client, Ctx, Server};
use crate::config::{NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_KEY_MISS, NOTIFY_NEW};
use crate::keyspace::db::DbEvent;

/// Event classes, re-exported for command handlers.
pub use crate::config::{
    NOTIFY_EVICTED as EVICTED, NOTIFY_EXPIRED as EXPIRED, NOTIFY_GENERIC as GENERIC,
    NOTIFY_HASH as HASH, NOTIFY_LIST as LIST, NOTIFY_SET as SET, NOTIFY_STREAM as STREAM,
    NOTIFY_STRING as STRING, NOTIFY_ZSET as ZSET,
};

impl Server {
    /// Whether events of `class` would be published at all.
    #[inline]
    pub fn notify_enabled(&self, class: u32) -> bool {
        let flags = self.config.notify_keyspace_events();
        flags & class != 0 && flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT) != 0
    }

    /// Publish `event` on `key` of database `db` if its class is enabled.
    /// `current` is the running client, if any (it may be a subscriber).
    pub fn notify(
        &mut self,
        mut current: Option<&mut Client>,
        class: u32,
        event: &str,
        key: &[u8],
        db: usize,
    ) {
        if !self.notify_enabled(class | NOTIFY_NEW | EXPIRED) {
            return;
        }
        self.flush_db_events_in(current.as_deref_mut(), db);
        if self.notify_enabled(class) {
            self.publish_event(current, event, key, db);
        }
    }

    /// Publish the events every database queued (`new`, `expired`).
    pub fn flush_db_events(&mut self, mut current: Option<&mut Client>) {
        for db in 0..self.dbs.len() {
            self.flush_db_events_in(current.as_deref_mut(), db);
        }
    }

    /// Publish the events database `db` queued.
    pub fn flush_db_events_in(&mut self, mut current: Option<&mut Client>, db: usize) {
        if self.dbs[db].events.is_empty() {
            return;
        }
        let events = std::mem::take(&mut self.dbs[db].events);
        for (kind, key) in &events {
            let (class, name) = match kind {
                DbEvent::New => (NOTIFY_NEW, "new"),
                DbEvent::Expired => (EXPIRED, "expired"),
            };
            if self.notify_enabled(class) {
                self.publish_event(current.as_deref_mut(), name, key, db);
            }
        }
    }

    /// Keep the databases' event switches in step with the config
    /// (start-up and CONFIG SET).
    pub fn sync_notify_config(&mut self) {
        let new = self.notify_enabled(NOTIFY_NEW);
        let expired = self.notify_enabled(EXPIRED);
        for db in &mut self.dbs {
            db.notify_new = new;
            db.notify_expired = expired;
            if !new && !expired {
                db.events.clear();
            }
        }
    }

    fn publish_event(
        &mut self,
        mut current: Option<&mut Client>,
        event: &str,
        key: &[u8],
        db: usize,
    ) {
        let flags = self.config.notify_keyspace_events();
        let mut db_buf = itoa::Buffer::new();
        let db_str = db_buf.format(db).as_bytes();
        if flags & NOTIFY_KEYSPACE != 0 {
            let mut channel = Vec::with_capacity(16 + db_str.len() + key.len());
            channel.extend_from_slice(b"__keyspace@");
            channel.extend_from_slice(db_str);
            channel.extend_from_slice(b"__:");
            channel.extend_from_slice(key);
            self.publish_from(current.as_deref_mut(), &channel, event.as_bytes(), false);
        }
        if flags & NOTIFY_KEYEVENT != 0 {
            let mut channel = Vec::with_capacity(16 + db_str.len() + event.len());
            channel.extend_from_slice(b"__keyevent@");
            channel.extend_from_slice(db_str);
            channel.extend_from_slice(b"__:");
            channel.extend_from_slice(event.as_bytes());
            self.publish_from(current, &channel, key, false);
        }
    }

    /// A read found no key: the `keymiss` event (class `m`).
    pub fn notify_key_miss(&mut self, current: Option<&mut Client>, key: &[u8], db: usize) {
        self.notify(current, NOTIFY_KEY_MISS, "keymiss", key, db);
    }
}

impl Ctx<'_> {
    /// Report `event` of `class` on `key` in the client's database.
    #[inline]
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        let db = self.client.db;
        self.notify_in(db, class, event, key);
    }

    /// Report `event` of `class` on `key` in database `db`.
    #[inline]
    pub fn notify_in(&mut self, db: usize, class: u32, event: &str, key: &[u8]) {
        if self.srv.notify_enabled(class | NOTIFY_NEW | EXPIRED) {
            if self.cmd.cross_db {
                self.srv.flush_db_events(Some(self.client));
            }
            self.srv.notify(Some(self.client), class, event, key, db);
        }
    }
}
