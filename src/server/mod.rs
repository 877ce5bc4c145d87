//! The executor: the one thread that owns every database and runs commands
//! one at a time.
//!
//! [`Server`] is the executor's state. [`Ctx`] is what a command handler
//! gets: the server, the calling client and the running command. Handlers
//! return [`CmdResult`]; an `Err` becomes the error reply, counted in
//! `errorstats` like every other error reply.

pub mod blocking;
pub mod client;
pub mod client_evict;
pub mod command;
pub mod commandlog;
pub mod cron;
pub mod dispatch;
pub mod evict;
pub mod keys;
pub mod latency;
pub mod lazyfree;
pub mod log;
pub mod monitor;
pub mod multi;
pub mod notify;
pub mod pause;
pub mod pubsub;
pub mod spec;
pub mod spec_data;
pub mod stats;
pub mod tracking;

use crate::config::Config;
use crate::keyspace::Db;
use crate::protocol::Reply;
use bytes::Bytes;
pub use client::Client;
pub use command::{CmdRef, CommandTable};
pub use stats::Stats;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::time::Instant;

/// An error reply; the text starts with its code (`ERR`, `WRONGTYPE`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdError(pub Cow<'static, str>);

impl From<&'static str> for CmdError {
    fn from(s: &'static str) -> Self {
        CmdError(Cow::Borrowed(s))
    }
}

impl From<String> for CmdError {
    fn from(s: String) -> Self {
        CmdError(Cow::Owned(s))
    }
}

pub type CmdResult = Result<(), CmdError>;

/// Error texts shared by many commands, byte-identical to Valkey's.
pub mod err {
    pub const SYNTAX: &str = "ERR syntax error";
    pub const NOT_INT: &str = "ERR value is not an integer or out of range";
    pub const NOT_FLOAT: &str = "ERR value is not a valid float";
    pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
    pub const NO_SUCH_KEY: &str = "ERR no such key";
    pub const OUT_OF_RANGE: &str = "ERR index out of range";
    pub const DB_INDEX: &str = "ERR DB index is out of range";
    pub const NOAUTH: &str = "NOAUTH Authentication required.";
    pub const NOT_POSITIVE: &str = "ERR value is out of range, must be positive";
    pub const INVALID_EXPIRE: &str = "ERR invalid expire time in '%s' command";
}

/// How the running command's effects are propagated (AOF, replicas).
#[derive(Debug, Default)]
pub enum Propagation {
    /// Propagate the command as received if it changed the dataset.
    #[default]
    AsIs,
    /// Propagate nothing.
    Nothing,
    /// Propagate these commands instead (e.g. `SET k v PXAT t`).
    Replace(Vec<Vec<Bytes>>),
}

pub struct Server {
    pub config: Config,
    pub dbs: Vec<Db>,
    /// Clients by connection slot; the running client is taken out while
    /// its command executes.
    pub clients: Vec<Option<Box<Client>>>,
    pub connected_clients: usize,
    pub next_client_id: u64,
    pub commands: CommandTable,
    pub stats: Stats,
    /// Cached clock for the current event-loop iteration / command.
    pub now_ms: i64,
    pub now_us: i64,
    pub start_ms: i64,
    pub start_instant: Instant,
    pub run_id: String,
    pub replid: String,
    /// Changes since the last save.
    pub dirty: u64,
    pub lastsave: i64,
    /// Snapshot state: the BGSAVE child, last results (persistence/save.rs).
    pub rdb: crate::persistence::save::RdbState,
    /// SHUTDOWN already did (or skipped) the final save.
    pub shutdown_saved: bool,
    /// Propagated commands not yet consumed by AOF/replication: (db, argv).
    /// Until those land, the newest entries are kept for `DEBUG`
    /// introspection and tests.
    pub propagated: VecDeque<(usize, Vec<Bytes>)>,
    /// Whether anything consumes the propagation feed (AOF, replicas, or
    /// the DEBUG introspection hook); when nothing does, recording is
    /// skipped so writes cost no extra allocation.
    pub record_propagation: bool,
    pub shutdown_asap: bool,
    pub tcp_port: u16,
    pub executable: String,
    pub config_file: Option<String>,
    /// The pid file we wrote, removed at shutdown.
    pub pidfile: Option<String>,
    pub hz: u64,
    pub cronloops: u64,
    pub active_expire_enabled: bool,
    pub blocking: blocking::Blocking,
    pub watches: multi::Watches,
    pub pubsub: pubsub::PubSub,
    /// The listening sockets (CONFIG SET bind/port rebinds them; the event
    /// loop polls them).
    pub listeners: crate::net::listener::Listeners,
    /// Whether client connections are on the I/O threads now (INFO
    /// `io_threads_active`; see net/balance.rs).
    pub io_threads_active: bool,
    /// Client-side caching (CLIENT TRACKING): see `tracking.rs`.
    pub tracking: tracking::Tracking,
    /// Slots of clients held by CLIENT PAUSE.
    pub held_clients: Vec<usize>,
    /// Slots of clients that got output outside their own command.
    pub pending_writes: Vec<usize>,
    /// Slots of clients to disconnect after this loop iteration.
    pub close_queue: Vec<usize>,
    /// Background freeing of big values and flushed databases.
    pub lazyfree: lazyfree::LazyFree,
    /// CLIENT PAUSE state (see `pause.rs`).
    pub pause: pause::ClientPause,
    /// Allocator bytes in use right after start-up (INFO memory).
    pub startup_memory: u64,
    /// MONITOR clients (see `monitor.rs`).
    pub monitors: monitor::Monitors,
    /// COMMANDLOG / SLOWLOG entries (see `commandlog.rs`).
    pub commandlog: commandlog::CommandLog,
    /// Latency monitor events (see `latency.rs`).
    pub latency: latency::LatencyMonitor,
    /// How lookups update a key's access clock (LRU or LFU, see
    /// `keyspace/access.rs`).
    pub toucher: crate::keyspace::access::Toucher,
    /// The second new keys' clock was last set for.
    clock_sec: i64,
    /// maxmemory eviction state (see `evict.rs`).
    pub evictor: evict::Evictor,
    rng: u64,
}

const PROPAGATED_KEEP: usize = 10_000;

impl Server {
    pub fn new(config: Config) -> Server {
        crate::util::time::ticks::calibrate();
        let now_ms = crate::util::time::now_ms();
        let mut rng = crate::util::time::now_us() as u64 ^ (std::process::id() as u64) << 32;
        let mut hex = || {
            let mut s = String::with_capacity(40);
            for _ in 0..40 {
                rng = crate::util::rand::splitmix(rng);
                s.push(char::from_digit((rng % 16) as u32, 16).unwrap_or('0'));
            }
            s
        };
        let run_id = hex();
        let replid = hex();
        let dbs = (0..config.databases()).map(Db::new).collect();
        let hz = config.hz();
        let mut srv = Server {
            dbs,
            clients: Vec::new(),
            connected_clients: 0,
            next_client_id: 1,
            commands: crate::commands::build_table(),
            stats: Stats::default(),
            now_ms,
            now_us: now_ms * 1000,
            start_ms: now_ms,
            start_instant: Instant::now(),
            run_id,
            replid,
            dirty: 0,
            lastsave: now_ms / 1000,
            propagated: VecDeque::new(),
            record_propagation: false,
            shutdown_asap: false,
            tcp_port: config.port(),
            executable: std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            config_file: None,
            pidfile: None,
            hz,
            cronloops: 0,
            active_expire_enabled: true,
            blocking: Default::default(),
            watches: Default::default(),
            pubsub: Default::default(),
            tracking: Default::default(),
            pending_writes: Vec::new(),
            held_clients: Vec::new(),
            listeners: Default::default(),
            io_threads_active: false,
            rdb: Default::default(),
            shutdown_saved: false,
            close_queue: Vec::new(),
            lazyfree: lazyfree::LazyFree::new(),
            pause: pause::ClientPause::default(),
            startup_memory: crate::commands::info::allocated_memory(),
            monitors: Default::default(),
            commandlog: Default::default(),
            latency: Default::default(),
            toucher: crate::keyspace::access::Toucher {
                lfu: false,
                log_factor: 10,
                decay_minutes: 1,
            },
            clock_sec: 0,
            evictor: Default::default(),
            rng: rng ^ 0x9E37_79B9_7F4A_7C15,
            config,
        };
        srv.sync_notify_config();
        srv.update_clock();
        srv.sync_access_clock();
        srv
    }

    /// Refresh the cached clock (once per event-loop iteration).
    #[inline]
    pub fn update_clock(&mut self) {
        self.now_us = crate::util::time::now_us();
        self.now_ms = self.now_us / 1000;
        // The clock has a one-second resolution: new keys need a new
        // starting value only when the second changes.
        if self.now_ms / 1000 != self.clock_sec {
            self.set_new_key_clock();
        }
    }

    /// Give every database the clock keys created now start with.
    fn set_new_key_clock(&mut self) {
        self.clock_sec = self.now_ms / 1000;
        let initial = self.toucher.initial(self.now_ms);
        for db in &mut self.dbs {
            db.dict.set_new_clock(initial);
        }
    }

    /// Re-read the access-clock settings (policy, `lfu-*`): at start-up and
    /// when CONFIG SET changes them.
    pub fn sync_access_clock(&mut self) {
        let c = &self.config;
        self.toucher.lfu = matches!(
            c.maxmemory_policy(),
            crate::config::MaxmemoryPolicy::AllkeysLfu
                | crate::config::MaxmemoryPolicy::VolatileLfu
        );
        self.toucher.log_factor = c.lfu_log_factor();
        self.toucher.decay_minutes = c.lfu_decay_time();
        self.set_new_key_clock();
    }

    pub fn random(&mut self) -> u64 {
        self.rng = crate::util::rand::splitmix(self.rng);
        self.rng
    }

    /// Hold `argv` until the pause ends (CLIENT PAUSE).
    pub fn hold(&mut self, client: &mut Client, argv: &[Bytes]) {
        client.queued.push_back(argv.to_vec());
        self.mark_held(client);
    }

    pub fn mark_held(&mut self, client: &mut Client) {
        if !client.held {
            client.held = true;
            self.held_clients.push(client.slot);
        }
    }

    /// The pause ended: let held clients run what they queued.
    pub fn release_held(&mut self) {
        for slot in std::mem::take(&mut self.held_clients) {
            if let Some(Some(c)) = self.clients.get_mut(slot) {
                c.held = false;
                self.blocking.unblocked.push(slot);
            }
        }
    }

    /// Record a command for AOF/replication.
    pub fn propagate(&mut self, db: usize, argv: Vec<Bytes>) {
        if !self.record_propagation {
            return;
        }
        // Own the bytes: slices of a query buffer would keep it alive.
        let argv = argv.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        if self.propagated.len() >= PROPAGATED_KEEP {
            self.propagated.pop_front();
        }
        self.propagated.push_back((db, argv));
    }

    pub fn uptime_secs(&self) -> u64 {
        self.start_instant.elapsed().as_secs()
    }

    /// Iterate every connected client except one currently taken out.
    pub fn other_clients(&self) -> impl Iterator<Item = &Client> {
        self.clients.iter().filter_map(|c| c.as_deref())
    }
}

/// What a command handler works with.
pub struct Ctx<'a> {
    pub srv: &'a mut Server,
    pub client: &'a mut Client,
    pub cmd: CmdRef,
    /// The arguments of the running command.
    pub argv: &'a [Bytes],
    pub propagation: Propagation,
}

impl Ctx<'_> {
    #[inline]
    pub fn reply(&mut self) -> &mut Reply {
        &mut self.client.reply
    }

    /// The calling client's selected database.
    #[inline]
    pub fn db(&mut self) -> &mut Db {
        &mut self.srv.dbs[self.client.db]
    }

    #[inline]
    pub fn now_ms(&self) -> i64 {
        self.srv.now_ms
    }

    /// Write an error reply (text starts with its code) and count it.
    pub fn error(&mut self, text: &str) {
        self.srv.stats.count_error(text);
        self.client.reply.error(text);
    }

    /// Count `n` changes to the dataset (drives propagation and `save`).
    #[inline]
    pub fn dirty(&mut self, n: u64) {
        self.srv.dirty += n;
    }

    /// Propagate these commands instead of the one received.
    pub fn propagate_as(&mut self, argv: Vec<Bytes>) {
        match &mut self.propagation {
            Propagation::Replace(v) => v.push(argv),
            other => *other = Propagation::Replace(vec![argv]),
        }
    }

    pub fn propagate_nothing(&mut self) {
        self.propagation = Propagation::Nothing;
    }

    /// Look a key up for reading, counting keyspace hits and misses.
    pub fn lookup_read(&mut self, key: &[u8]) -> Option<&crate::types::Value> {
        self.read_key(key).0
    }

    /// Like [`Ctx::lookup_read`], also handing out the reply buffer so the
    /// value can be written without copying it first.
    pub fn read_key(&mut self, key: &[u8]) -> (Option<&crate::types::Value>, &mut Reply) {
        let now = self.srv.now_ms;
        let dbi = self.client.db;
        // With `keymiss` events on, misses are found first (a second lookup
        // for hits; returning the found value conditionally and publishing
        // on a miss cannot share one borrow of the database today).
        if self.srv.notify_enabled(crate::config::NOTIFY_KEY_MISS)
            && !self.srv.dbs[dbi].contains(key, now)
        {
            self.srv.stats.keyspace_misses += 1;
            self.srv.notify_key_miss(Some(self.client), key, dbi);
            return (None, &mut self.client.reply);
        }
        let touch = self.touches();
        let rand = if touch && self.srv.toucher.lfu {
            self.srv.random()
        } else {
            0
        };
        let srv = &mut *self.srv;
        let db = &mut srv.dbs[dbi];
        db.expire_if_needed(key, now);
        let value = if touch {
            let t = srv.toucher;
            db.dict
                .get_mut_touch(key, |c| t.touch(c, now, rand))
                .map(|v| &*v)
        } else {
            db.dict.get(key)
        };
        if value.is_some() {
            srv.stats.keyspace_hits += 1;
        } else {
            srv.stats.keyspace_misses += 1;
        }
        (value, &mut self.client.reply)
    }

    /// Look a key up for writing (no hit/miss accounting).
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&mut crate::types::Value> {
        let now = self.srv.now_ms;
        if !self.touches() {
            return self.srv.dbs[self.client.db].get_mut(key, now);
        }
        let rand = if self.srv.toucher.lfu {
            self.srv.random()
        } else {
            0
        };
        let t = self.srv.toucher;
        let db = &mut self.srv.dbs[self.client.db];
        db.expire_if_needed(key, now);
        db.dict.get_mut_touch(key, |c| t.touch(c, now, rand))
    }

    /// Whether this command's lookups count as accesses (Valkey's
    /// LOOKUP_NOTOUCH: OBJECT, TYPE, EXISTS, TTL..., and every command but
    /// TOUCH of a client in CLIENT NO-TOUCH mode).
    #[inline]
    pub fn touches(&self) -> bool {
        let silenced = self.client.no_touch && self.cmd.spec.name != "touch";
        !self.cmd.no_touch && !silenced
    }
}
