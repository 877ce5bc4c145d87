//! Client-side caching: which clients may hold which keys in a local cache,
//! and the invalidation messages sent when those keys change.
//!
//! A client turns this on with `CLIENT TRACKING ON`. In the default mode
//! the server remembers, per key, the ids of the tracking clients that read
//! it (the *tracking table*); when the key is modified, expires or is
//! evicted, each of them gets one invalidation message and the entry is
//! dropped (it is created again by the next read). In BCAST mode the client
//! instead subscribes to key prefixes (the *prefix table*) and, once per
//! event-loop iteration, receives every modified key under them.
//!
//! Messages: a RESP3 connection receives the push
//! `>2 "invalidate" [keys…]` (`_` instead of the array for "everything",
//! after FLUSHDB/FLUSHALL). A RESP2 connection cannot receive pushes, so it
//! names another connection with `REDIRECT <id>`; if that one is a RESP2
//! Pub/Sub client it gets the message on the `__redis__:invalidate` channel.
//! If the redirect target has gone away, the tracking client is flagged
//! `broken_redirect` and (RESP3 only) told with a `tracking-redir-broken`
//! push at the next invalidation.
//!
//! Invalidations aimed at the running client are queued and sent after its
//! reply (after EXEC's whole reply for a transaction), so they never
//! interleave with it. As in Valkey, the table is global (keys of every
//! database share one namespace) and stale ids (clients gone or no longer
//! tracking) are dropped lazily when their key is invalidated.
//!
//! Hooks: the dispatcher calls [`Server::tracking_key_modified`] for the
//! keys a write command wrote (the same key-spec walk as WATCH),
//! [`Server::tracking_after_call`] after every command while tracking is in
//! use, [`Server::tracking_limit_used_slots`] before every command; the
//! event loop calls [`Server::tracking_before_sleep`]; expiry calls
//! [`Server::tracking_key_deleted`]. With nobody tracking, every hook is a
//! single emptiness test.

use super::client::{ClientKind, ReplyMode};
use super::spec::{flags, ks, CommandSpec};
use super::{Client, CmdRef, Server};
use crate::keyspace::dict::Dict;
use bytes::Bytes;
use hashbrown::{HashMap, HashSet};
use std::collections::{BTreeMap, BTreeSet};

/// The Pub/Sub channel RESP2 redirect targets receive invalidations on.
pub const INVALIDATE_CHANNEL: &[u8] = b"__redis__:invalidate";

/// Whether a key a write command named (with these key-spec flags) may have
/// been written. Keys a command only reads (`RO`) are not invalidated;
/// keys found by a getkeys procedure without flags (0) are, to be safe.
#[inline]
pub fn may_write(key_flags: u32) -> bool {
    key_flags == 0 || key_flags & (ks::RW | ks::OW | ks::RM) != 0
}

/// One client's tracking mode (set while `CLIENT TRACKING` is on).
#[derive(Debug, Default)]
pub struct ClientTracking {
    /// Client id invalidations go to; 0 for this connection itself.
    pub redirect: u64,
    /// Connection slot of the redirect target when tracking was enabled.
    pub redirect_slot: usize,
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    /// CLIENT CACHING YES (OPTIN) / NO (OPTOUT) given for the next command.
    pub caching: bool,
    pub noloop: bool,
    /// The redirect target disconnected (CLIENT LIST flag `R`).
    pub broken_redirect: bool,
    /// BCAST prefixes, in byte order (CLIENT TRACKINGINFO).
    pub prefixes: BTreeSet<Bytes>,
}

impl ClientTracking {
    /// Whether the keys read by the current command must be remembered:
    /// default mode, OPTIN after CLIENT CACHING YES, OPTOUT unless CLIENT
    /// CACHING NO. BCAST clients never use the tracking table.
    pub fn wants_keys(&self) -> bool {
        if self.bcast {
            false
        } else if self.optin {
            self.caching
        } else if self.optout {
            !self.caching
        } else {
            true
        }
    }
}

/// The options of one CLIENT TRACKING ON.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub bcast: bool,
    pub optin: bool,
    pub optout: bool,
    pub noloop: bool,
}

/// The clients that may have one key cached (most keys have one).
enum Ids {
    One(u64),
    Many(HashSet<u64>),
}

impl Ids {
    /// Add `id`; false if it was there already.
    fn insert(&mut self, id: u64) -> bool {
        match self {
            Ids::One(x) if *x == id => false,
            Ids::One(x) => {
                let first = *x;
                *self = Ids::Many([first, id].into_iter().collect());
                true
            }
            Ids::Many(s) => s.insert(id),
        }
    }

    fn len(&self) -> usize {
        match self {
            Ids::One(_) => 1,
            Ids::Many(s) => s.len(),
        }
    }

    fn to_vec(&self) -> Vec<u64> {
        match self {
            Ids::One(x) => vec![*x],
            Ids::Many(s) => s.iter().copied().collect(),
        }
    }
}

/// One BCAST prefix: its subscribers and the keys under it modified since
/// the last broadcast (key → id of the client that last modified it, 0
/// when no client did, e.g. expiry), in byte order.
#[derive(Default)]
struct Bcast {
    clients: BTreeSet<u64>,
    keys: BTreeMap<Bytes, u64>,
}

/// The server-wide tracking state.
#[derive(Default)]
pub struct Tracking {
    /// Key → clients that may have it cached.
    table: Dict<Ids>,
    /// Client ids across the whole table (INFO `tracking_total_items`).
    total_items: u64,
    /// BCAST prefix → state.
    prefixes: BTreeMap<Bytes, Bcast>,
    /// Clients with tracking on: id → connection slot.
    clients: HashMap<u64, usize>,
    /// Invalidations for the running client, sent after its reply; `None`
    /// is "everything" (a flush).
    pending: Vec<Option<Bytes>>,
    /// Consecutive runs of the table limit that did not get under it.
    limit_misses: u32,
    rng: u64,
}

impl Tracking {
    /// Whether any hook has work to do: a client tracks, or the table
    /// still holds entries to drop when their keys change.
    #[inline]
    pub fn is_active(&self) -> bool {
        !self.clients.is_empty() || !self.table.is_empty()
    }

    /// INFO `tracking_clients`.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// INFO `tracking_total_keys`.
    pub fn total_keys(&self) -> usize {
        self.table.len()
    }

    /// INFO `tracking_total_items`.
    pub fn total_items(&self) -> u64 {
        self.total_items
    }

    /// INFO `tracking_total_prefixes`.
    pub fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

/// What an invalidation message says.
#[derive(Clone, Copy)]
enum Msg<'a> {
    /// One key.
    Key(&'a [u8]),
    /// Every key (after a flush): a null instead of the array.
    All,
    /// A RESP array of keys, already encoded (BCAST).
    Encoded(&'a [u8]),
}

/// The client `id` (expected at `slot`), which may be the running client
/// `current` (taken out of the client table while its command runs).
fn peek<'a>(
    clients: &'a [Option<Box<Client>>],
    current: Option<&'a Client>,
    id: u64,
    slot: usize,
) -> Option<&'a Client> {
    if let Some(c) = current.filter(|c| c.id == id) {
        return Some(c);
    }
    clients
        .get(slot)
        .and_then(|c| c.as_deref())
        .filter(|c| c.id == id)
}

/// Let `write` add an out-of-band message to client `id`'s output. For the
/// running client the bytes are recorded as a push so CLIENT REPLY OFF/SKIP
/// keeps them; another client's slot is queued for writing. Returns false
/// if the client is gone.
fn deliver(
    clients: &mut [Option<Box<Client>>],
    pending_writes: &mut Vec<usize>,
    current: Option<&mut Client>,
    id: u64,
    slot: usize,
    write: impl FnOnce(&mut Client),
) -> bool {
    if let Some(c) = current.filter(|c| c.id == id) {
        let start = c.reply.buf.len();
        write(c);
        let end = c.reply.buf.len();
        if end > start && c.reply_mode != ReplyMode::On {
            c.push_spans.push((start, end));
        }
        return true;
    }
    let Some(c) = clients
        .get_mut(slot)
        .and_then(|c| c.as_deref_mut())
        .filter(|c| c.id == id)
    else {
        return false;
    };
    if c.close_asap {
        return true;
    }
    let was_empty = c.reply.buf.is_empty();
    write(c);
    if was_empty && !c.reply.buf.is_empty() {
        pending_writes.push(slot);
    }
    true
}

/// The RESP array of `keys` (all of them, or for a NOLOOP client `skip`,
/// those it did not modify itself); `None` if that leaves nothing.
fn encode_keys(keys: &BTreeMap<Bytes, u64>, skip: Option<u64>) -> Option<Vec<u8>> {
    let selected = || {
        keys.iter()
            .filter(move |(_, &by)| skip.is_none_or(|s| s != by))
    };
    let count = selected().count();
    if count == 0 && skip.is_some() {
        return None;
    }
    let mut r = crate::protocol::Reply::new(false);
    r.array(count);
    for (k, _) in selected() {
        r.bulk(k);
    }
    Some(r.buf)
}

impl Server {
    /// CLIENT TRACKING ON (also when already on: the mode flags and the
    /// redirect are replaced, CACHING and existing prefixes are kept).
    /// `redirect` is the target's (id, slot); options are already checked.
    pub fn tracking_enable(
        &mut self,
        client: &mut Client,
        redirect: Option<(u64, usize)>,
        opts: Options,
        prefixes: &[Bytes],
    ) {
        self.tracking.clients.insert(client.id, client.slot);
        if self.tracking.rng == 0 {
            self.tracking.rng = self.random() | 1;
        }
        let t = client.tracking.get_or_insert_with(Default::default);
        (t.redirect, t.redirect_slot) = redirect.unwrap_or((0, 0));
        t.broken_redirect = false;
        t.bcast = opts.bcast;
        t.optin = opts.optin;
        t.optout = opts.optout;
        t.noloop = opts.noloop;
        if opts.bcast {
            if prefixes.is_empty() {
                add_prefix(&mut self.tracking.prefixes, client.id, t, b"");
            }
            for p in prefixes {
                add_prefix(&mut self.tracking.prefixes, client.id, t, p);
            }
        }
    }

    /// CLIENT TRACKING OFF, RESET, disconnect. Entries of the tracking
    /// table naming this client are left for lazy removal.
    pub fn tracking_disable(&mut self, client: &mut Client) {
        let Some(t) = client.tracking.take() else {
            return;
        };
        for p in &t.prefixes {
            if let Some(bs) = self.tracking.prefixes.get_mut(p) {
                bs.clients.remove(&client.id);
                if bs.clients.is_empty() {
                    self.tracking.prefixes.remove(p);
                }
            }
        }
        self.tracking.clients.remove(&client.id);
    }

    /// The running client's command wrote `key`.
    pub fn tracking_key_modified(&mut self, client: &mut Client, key: &[u8]) {
        if self.tracking.is_active() {
            let id = client.id;
            self.invalidate_key(Some(client), true, key, Some(id));
        }
    }

    /// `key` was deleted outside any command (active expiry, eviction).
    pub fn tracking_key_deleted(&mut self, key: &[u8]) {
        if self.tracking.is_active() {
            self.invalidate_key(None, false, key, Some(0));
        }
    }

    /// Valkey's trackingInvalidateKey: tell every client that may have
    /// `key` cached, and forget them. `current` is the running client (a
    /// NOLOOP client is not told about its own changes) and `executing`
    /// whether its command is under way (its messages then wait for its
    /// reply). `bcast`: also queue the key for BCAST clients, remembering
    /// who modified it (0: nobody).
    fn invalidate_key(
        &mut self,
        mut current: Option<&mut Client>,
        executing: bool,
        key: &[u8],
        bcast: Option<u64>,
    ) {
        if let Some(by) = bcast {
            for (prefix, bs) in self.tracking.prefixes.iter_mut() {
                if key.starts_with(prefix) {
                    bs.keys.insert(Bytes::copy_from_slice(key), by);
                }
            }
        }
        let Some((ids, _)) = self.tracking.table.remove(key) else {
            return;
        };
        self.tracking.total_items = self.tracking.total_items.saturating_sub(ids.len() as u64);
        for id in ids.to_vec() {
            let is_current = current.as_deref().is_some_and(|c| c.id == id);
            let state = if is_current {
                current.as_deref().and_then(|c| c.tracking.as_deref())
            } else {
                self.tracking
                    .clients
                    .get(&id)
                    .and_then(|&slot| peek(&self.clients, None, id, slot))
                    .and_then(|c| c.tracking.as_deref())
            };
            // Gone, no longer tracking, or switched to BCAST since.
            let Some(t) = state.filter(|t| !t.bcast) else {
                continue;
            };
            if t.noloop && is_current {
                continue;
            }
            if is_current && executing {
                self.tracking
                    .pending
                    .push(Some(Bytes::copy_from_slice(key)));
            } else {
                self.send_invalidation(current.as_deref_mut(), id, Msg::Key(key));
            }
        }
    }

    /// FLUSHDB / FLUSHALL: every tracking client is told that everything
    /// is invalid, and the table is emptied.
    pub fn tracking_invalidate_all(&mut self, mut current: Option<&mut Client>) {
        let mut ids: Vec<u64> = self.tracking.clients.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if current.as_deref().is_some_and(|c| c.id == id) {
                self.tracking.pending.push(None);
            } else {
                self.send_invalidation(current.as_deref_mut(), id, Msg::All);
            }
        }
        self.tracking.table = Dict::new();
        self.tracking.total_items = 0;
    }

    /// Valkey's sendTrackingMessage: deliver `msg` for tracking client
    /// `target_id`, following its redirect.
    fn send_invalidation(&mut self, current: Option<&mut Client>, target_id: u64, msg: Msg) {
        let Server {
            clients,
            pending_writes,
            tracking,
            ..
        } = self;
        let target_slot = match current.as_deref() {
            Some(c) if c.id == target_id => c.slot,
            _ => match tracking.clients.get(&target_id) {
                Some(&slot) => slot,
                None => return,
            },
        };
        let Some(target) = peek(clients, current.as_deref(), target_id, target_slot) else {
            return;
        };
        let target_resp3 = target.reply.resp3;
        let (redirect, redirect_slot) = target
            .tracking
            .as_deref()
            .map_or((0, 0), |t| (t.redirect, t.redirect_slot));
        let (dest_id, dest_slot) = if redirect == 0 {
            (target_id, target_slot)
        } else if peek(clients, current.as_deref(), redirect, redirect_slot).is_some() {
            (redirect, redirect_slot)
        } else {
            deliver(
                clients,
                pending_writes,
                current,
                target_id,
                target_slot,
                |c| {
                    if let Some(t) = c.tracking.as_deref_mut() {
                        t.broken_redirect = true;
                    }
                    if c.reply.resp3 {
                        c.reply.push(2);
                        c.reply.bulk(b"tracking-redir-broken");
                        c.reply.int(redirect as i64);
                    }
                },
            );
            return;
        };
        deliver(clients, pending_writes, current, dest_id, dest_slot, |c| {
            let r = &mut c.reply;
            if r.resp3 {
                r.push(2);
                r.bulk(b"invalidate");
            } else if redirect != 0 && c.kind == ClientKind::PubSub {
                r.array(3);
                r.bulk(b"message");
                r.bulk(INVALIDATE_CHANNEL);
            } else {
                // RESP2 without a Pub/Sub redirect cannot receive pushes.
                return;
            }
            match msg {
                Msg::Key(k) => {
                    r.array(1);
                    r.bulk(k);
                }
                // Valkey encodes the null for the tracking client's
                // protocol; a RESP2 receiver always gets a RESP2 null.
                Msg::All if target_resp3 && r.resp3 => r.raw(b"_\r\n"),
                Msg::All => r.raw(b"$-1\r\n"),
                Msg::Encoded(p) => r.raw(p),
            }
        });
    }

    /// After a command ran (while tracking is in use): flush invalidation,
    /// remembering the keys a tracking client read, and the messages for
    /// the running client once it is not inside EXEC.
    pub fn tracking_after_call(
        &mut self,
        client: &mut Client,
        cmd: CmdRef,
        argv: &[Bytes],
        failed: bool,
    ) {
        let spec = cmd.spec;
        if !failed && matches!(spec.name, "flushall" | "flushdb") {
            self.tracking_invalidate_all(Some(client));
        }
        if spec.has(flags::READONLY)
            && !matches!(spec.name, "eval_ro" | "evalsha_ro" | "fcall_ro")
            && client.tracking.as_deref().is_some_and(|t| t.wants_keys())
        {
            self.remember_keys(client.id, spec, argv);
        }
        if !client.in_exec && !self.tracking.pending.is_empty() {
            for item in std::mem::take(&mut self.tracking.pending) {
                let msg = match &item {
                    Some(k) => Msg::Key(k),
                    None => Msg::All,
                };
                let id = client.id;
                self.send_invalidation(Some(client), id, msg);
            }
        }
    }

    /// Keys that expired on access during the running command.
    pub fn tracking_expired_on_access(&mut self, client: &mut Client) {
        for db in 0..self.dbs.len() {
            if self.dbs[db].expired_on_access.is_empty() {
                continue;
            }
            for key in self.dbs[db].expired_on_access.clone() {
                self.invalidate_key(Some(client), true, &key, Some(0));
            }
        }
    }

    /// Valkey's trackingRememberKeys: `id` may now cache the keys of this
    /// read-only command.
    fn remember_keys(&mut self, id: u64, spec: &CommandSpec, argv: &[Bytes]) {
        let keys = super::keys::extract_keys(spec, argv, 0);
        // Shard channels look like keys to COMMAND but are not cached.
        if keys.is_empty() || spec.has(flags::PUBSUB) {
            return;
        }
        let t = &mut self.tracking;
        for (i, _) in keys {
            let Some(key) = argv.get(i) else {
                continue;
            };
            let added = match t.table.get_mut(key) {
                Some(ids) => ids.insert(id),
                None => {
                    t.table.insert(key, Ids::One(id));
                    true
                }
            };
            if added {
                t.total_items += 1;
            }
        }
    }

    /// Keep the table within `tracking-table-max-keys` by invalidating
    /// random keys, with an effort that grows while it stays over (before
    /// each command and from the cron, as Valkey).
    pub fn tracking_limit_used_slots(&mut self, mut current: Option<&mut Client>) {
        let max = self.config.tracking_table_max_keys();
        if max == 0 {
            return;
        }
        if self.tracking.table.len() as u64 <= max {
            self.tracking.limit_misses = 0;
            return;
        }
        let mut effort = 100u64 * (self.tracking.limit_misses as u64 + 1);
        while effort > 0 {
            effort -= 1;
            let Tracking { table, rng, .. } = &mut self.tracking;
            let mut next = || {
                *rng = crate::util::rand::splitmix(*rng);
                *rng
            };
            let Some(key) = table
                .random_entry(&mut next)
                .map(|(k, _)| Bytes::copy_from_slice(k))
            else {
                break;
            };
            self.invalidate_key(current.as_deref_mut(), false, &key, None);
            if self.tracking.table.len() as u64 <= max {
                self.tracking.limit_misses = 0;
                return;
            }
        }
        self.tracking.limit_misses = self.tracking.limit_misses.saturating_add(1);
    }

    /// Once per event-loop iteration: send BCAST clients the keys modified
    /// under their prefixes since the last time.
    pub fn tracking_before_sleep(&mut self) {
        if self.tracking.clients.is_empty() || self.tracking.prefixes.is_empty() {
            return;
        }
        let mut batches = Vec::new();
        for bs in self.tracking.prefixes.values_mut() {
            if !bs.keys.is_empty() {
                let keys = std::mem::take(&mut bs.keys);
                batches.push((keys, bs.clients.iter().copied().collect::<Vec<_>>()));
            }
        }
        for (keys, ids) in batches {
            let Some(all) = encode_keys(&keys, None) else {
                continue;
            };
            for id in ids {
                let noloop = self
                    .tracking
                    .clients
                    .get(&id)
                    .and_then(|&slot| peek(&self.clients, None, id, slot))
                    .and_then(|c| c.tracking.as_deref())
                    .is_some_and(|t| t.noloop);
                if noloop {
                    if let Some(own) = encode_keys(&keys, Some(id)) {
                        self.send_invalidation(None, id, Msg::Encoded(&own));
                    }
                } else {
                    self.send_invalidation(None, id, Msg::Encoded(&all));
                }
            }
        }
    }
}

/// Subscribe client `id` to BCAST `prefix` (nothing if it already is).
fn add_prefix(table: &mut BTreeMap<Bytes, Bcast>, id: u64, t: &mut ClientTracking, prefix: &[u8]) {
    let bs = match table.get_mut(prefix) {
        Some(bs) => bs,
        None => table.entry(Bytes::copy_from_slice(prefix)).or_default(),
    };
    if bs.clients.insert(id) {
        t.prefixes.insert(Bytes::copy_from_slice(prefix));
    }
}

/// After a client's command (not each command inside EXEC): CLIENT CACHING
/// applies to the next command or transaction only, so it is cleared
/// unless this was a CLIENT subcommand or a transaction is still open.
pub fn command_done(client: &mut Client, argv: &[Bytes]) {
    let keep = client.multi.is_some()
        || argv
            .first()
            .is_some_and(|a| crate::commands::eq_ic(a, "client"));
    if let Some(t) = client.tracking.as_deref_mut() {
        if !keep {
            t.caching = false;
        }
    }
}

/// Valkey's prefix collision rule: two prefixes collide when one starts
/// with the other (the empty prefix collides with everything).
pub fn prefixes_overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_grow_from_one_to_many() {
        let mut ids = Ids::One(7);
        assert!(!ids.insert(7));
        assert!(ids.insert(8));
        assert!(!ids.insert(8));
        assert!(ids.insert(9));
        assert_eq!(ids.len(), 3);
        let mut v = ids.to_vec();
        v.sort();
        assert_eq!(v, vec![7, 8, 9]);
    }

    #[test]
    fn overlap_rule() {
        assert!(prefixes_overlap(b"a", b"ab"));
        assert!(prefixes_overlap(b"ab", b"a"));
        assert!(prefixes_overlap(b"", b"x"));
        assert!(prefixes_overlap(b"a", b"a"));
        assert!(!prefixes_overlap(b"ab", b"ac"));
    }

    #[test]
    fn modes_decide_what_is_remembered() {
        let mut t = ClientTracking::default();
        assert!(t.wants_keys());
        t.optin = true;
        assert!(!t.wants_keys());
        t.caching = true;
        assert!(t.wants_keys());
        t.optin = false;
        t.optout = true;
        assert!(!t.wants_keys());
        t.caching = false;
        assert!(t.wants_keys());
        t.bcast = true;
        assert!(!t.wants_keys());
    }

    fn server() -> Server {
        Server::new(crate::config::Config::load(None, &[]).unwrap())
    }

    fn connect(srv: &mut Server, slot: usize, resp3: bool) {
        if srv.clients.len() <= slot {
            srv.clients.resize_with(slot + 1, || None);
        }
        let mut c = Client::new(slot as u64 + 10, slot, 0);
        c.reply.resp3 = resp3;
        srv.clients[slot] = Some(Box::new(c));
    }

    /// Run one command for the client in `slot`, returning its output.
    fn run(srv: &mut Server, slot: usize, args: &[&str]) -> String {
        let mut c = srv.clients[slot].take().unwrap();
        let argv: Vec<Bytes> = args
            .iter()
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        srv.execute(&mut c, &argv);
        let out = String::from_utf8_lossy(&std::mem::take(&mut c.reply.buf)).into_owned();
        srv.clients[slot] = Some(c);
        out
    }

    fn take_output(srv: &mut Server, slot: usize) -> String {
        let c = srv.clients[slot].as_mut().unwrap();
        String::from_utf8_lossy(&std::mem::take(&mut c.reply.buf)).into_owned()
    }

    const PUSH_K: &str = ">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n";

    #[test]
    fn other_clients_get_queued_pushes_and_counts_follow() {
        let mut srv = server();
        connect(&mut srv, 0, true);
        connect(&mut srv, 1, false);
        assert!(!srv.tracking.is_active());
        run(&mut srv, 0, &["CLIENT", "TRACKING", "on"]);
        assert_eq!(run(&mut srv, 0, &["GET", "k"]), "_\r\n");
        assert_eq!(
            (srv.tracking.total_keys(), srv.tracking.total_items()),
            (1, 1)
        );
        run(&mut srv, 1, &["GET", "k"]);
        assert_eq!(srv.tracking.total_items(), 1);
        assert_eq!(run(&mut srv, 1, &["SET", "k", "v"]), "+OK\r\n");
        assert_eq!(take_output(&mut srv, 0), PUSH_K);
        assert_eq!(std::mem::take(&mut srv.pending_writes), vec![0]);
        assert_eq!(
            (srv.tracking.total_keys(), srv.tracking.total_items()),
            (0, 0)
        );
        // The client's own write: after its reply; with NOLOOP: nothing.
        run(&mut srv, 0, &["GET", "k"]);
        assert_eq!(run(&mut srv, 0, &["DEL", "k"]), format!(":1\r\n{PUSH_K}"));
        run(&mut srv, 0, &["CLIENT", "TRACKING", "on", "NOLOOP"]);
        run(&mut srv, 0, &["GET", "k"]);
        assert_eq!(run(&mut srv, 0, &["SET", "k", "1"]), "+OK\r\n");
        assert!(srv.pending_writes.is_empty());
        assert_eq!(srv.tracking.total_keys(), 0);
        // Disconnecting stops tracking; the stale entry goes lazily.
        run(&mut srv, 0, &["GET", "k"]);
        let mut c = srv.clients[0].take().unwrap();
        srv.on_client_closed(&mut c);
        assert_eq!(srv.tracking.client_count(), 0);
        assert!(srv.tracking.is_active());
        run(&mut srv, 1, &["SET", "k", "2"]);
        assert!(!srv.tracking.is_active());
        assert!(srv.pending_writes.is_empty());
    }

    #[test]
    fn bcast_keys_wait_for_the_event_loop() {
        let mut srv = server();
        connect(&mut srv, 0, true);
        connect(&mut srv, 1, false);
        run(
            &mut srv,
            0,
            &["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"],
        );
        run(&mut srv, 1, &["SET", "ab", "1"]);
        run(&mut srv, 1, &["SET", "aa", "1"]);
        run(&mut srv, 1, &["SET", "ab", "2"]);
        run(&mut srv, 1, &["SET", "b", "2"]);
        assert_eq!(take_output(&mut srv, 0), "");
        srv.tracking_before_sleep();
        assert_eq!(
            take_output(&mut srv, 0),
            ">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\naa\r\n$2\r\nab\r\n"
        );
        srv.tracking_before_sleep();
        assert_eq!(take_output(&mut srv, 0), "");
    }

    #[test]
    fn broadcast_encoding_and_noloop() {
        let mut keys = BTreeMap::new();
        keys.insert(Bytes::from_static(b"b"), 1);
        keys.insert(Bytes::from_static(b"a"), 2);
        assert_eq!(
            encode_keys(&keys, None).unwrap(),
            b"*2\r\n$1\r\na\r\n$1\r\nb\r\n".to_vec()
        );
        assert_eq!(
            encode_keys(&keys, Some(2)).unwrap(),
            b"*1\r\n$1\r\nb\r\n".to_vec()
        );
        keys.remove(&b"b"[..]);
        assert_eq!(encode_keys(&keys, Some(2)), None);
    }
}
