//! Executor-side state of one client connection.
//!
//! The socket and query buffer belong to the network layer (and, with
//! `io-threads` > 1, to an I/O thread); what commands read and change lives
//! here: selected db, name, protocol version, auth state, reply buffer,
//! flags shown by CLIENT LIST.

use crate::protocol::Reply;
use bytes::Bytes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyMode {
    On,
    Off,
    /// Skip the reply of the next command only.
    SkipNext,
    /// Skipping the current command's reply.
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Normal,
    Replica,
    Primary,
    PubSub,
}

impl ClientKind {
    pub fn name(self) -> &'static str {
        match self {
            ClientKind::Normal => "normal",
            ClientKind::Replica => "replica",
            ClientKind::Primary => "master",
            ClientKind::PubSub => "pubsub",
        }
    }
}

pub struct Client {
    pub id: u64,
    /// Slot in the connection table (the mio token).
    pub slot: usize,
    pub db: usize,
    pub reply: Reply,
    pub name: Option<Bytes>,
    pub lib_name: Option<Bytes>,
    pub lib_ver: Option<Bytes>,
    pub user: String,
    pub authenticated: bool,
    pub kind: ClientKind,
    pub reply_mode: ReplyMode,
    pub addr: String,
    pub laddr: String,
    pub fd: i32,
    pub unix: bool,
    /// Connected over loopback or a unix socket (protected-mode, `local`
    /// settings of enable-debug-command and friends).
    pub local: bool,
    pub created_ms: i64,
    pub last_interaction_ms: i64,
    /// Full name of the last command run (`client|list`).
    pub last_cmd: String,
    pub close_after_reply: bool,
    pub close_asap: bool,
    pub no_evict: bool,
    pub no_touch: bool,
    /// Mirrors of network-side sizes for CLIENT LIST / INFO.
    pub qbuf: usize,
    pub qbuf_free: usize,
    pub argv_mem: usize,
    pub net_in: u64,
    pub net_out: u64,
    pub commands_processed: u64,
    /// When the output buffer first passed the soft limit (ms), if it is
    /// still over it.
    pub obuf_soft_since: Option<i64>,
    /// Set while blocked on keys (BLPOP & co).
    pub blocked: Option<Box<super::blocking::BlockedOn>>,
    /// Commands queued between MULTI and EXEC.
    pub multi: Option<Box<super::multi::MultiState>>,
    /// Keys this client WATCHes, and whether one of them changed.
    pub watched: Vec<(usize, Bytes)>,
    pub dirty_cas: bool,
    /// Which I/O thread owns the connection (0: the executor itself).
    pub io_thread: usize,
    /// Its I/O thread was asked to hand the connection back: replies wait
    /// here until it arrives.
    pub returning: bool,
    /// Commands from an I/O thread that arrived while this client was
    /// blocked; run once it is unblocked.
    pub queued: std::collections::VecDeque<Vec<Bytes>>,
    /// Held by CLIENT PAUSE: its commands wait in `queued`.
    pub held: bool,
    /// In MONITOR mode (see `monitor.rs`): flag `O`, no keyspace access.
    pub monitor: bool,
    /// Inside EXEC or a script: blocking commands must not block.
    pub in_exec: bool,
    /// Subscription counts, mirrored from the Pub/Sub registry
    /// (server/pubsub.rs) for CLIENT LIST `sub`/`psub`/`ssub`.
    pub pubsub_channels: usize,
    pub pubsub_patterns: usize,
    pub pubsub_shard_channels: usize,
    /// Byte ranges of out-of-band pushes written into `reply` by the
    /// running command while its reply is suppressed (CLIENT REPLY
    /// OFF/SKIP): dispatch keeps them, as Valkey delivers pushes anyway.
    pub push_spans: Vec<(usize, usize)>,
    /// CLIENT TRACKING state while tracking is on (server/tracking.rs).
    pub tracking: Option<Box<super::tracking::ClientTracking>>,
}

impl Client {
    pub fn new(id: u64, slot: usize, now_ms: i64) -> Self {
        Client {
            id,
            slot,
            db: 0,
            reply: Reply::new(false),
            name: None,
            lib_name: None,
            lib_ver: None,
            user: "default".into(),
            authenticated: false,
            kind: ClientKind::Normal,
            reply_mode: ReplyMode::On,
            addr: String::new(),
            laddr: String::new(),
            fd: -1,
            unix: false,
            local: false,
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_cmd: "NULL".into(),
            close_after_reply: false,
            close_asap: false,
            no_evict: false,
            no_touch: false,
            qbuf: 0,
            qbuf_free: 0,
            argv_mem: 0,
            net_in: 0,
            net_out: 0,
            commands_processed: 0,
            obuf_soft_since: None,
            blocked: None,
            multi: None,
            watched: Vec::new(),
            dirty_cas: false,
            io_thread: 0,
            returning: false,
            queued: Default::default(),
            in_exec: false,
            held: false,
            monitor: false,
            pubsub_channels: 0,
            pubsub_patterns: 0,
            pubsub_shard_channels: 0,
            push_spans: Vec::new(),
            tracking: None,
        }
    }

    pub fn resp(&self) -> u8 {
        if self.reply.resp3 {
            3
        } else {
            2
        }
    }

    /// The `flags=` field of CLIENT LIST.
    pub fn flags_string(&self) -> String {
        let mut f = String::new();
        if self.monitor {
            f.push('O');
        }
        match self.kind {
            ClientKind::Replica => f.push('S'),
            ClientKind::Primary => f.push('M'),
            ClientKind::PubSub => f.push('P'),
            ClientKind::Normal => {}
        }
        if self.multi.is_some() {
            f.push('x');
        }
        if self.blocked.is_some() {
            f.push('b');
        }
        if let Some(t) = self.tracking.as_deref() {
            f.push('t');
            if t.broken_redirect {
                f.push('R');
            }
            if t.bcast {
                f.push('B');
            }
        }
        if self.dirty_cas {
            f.push('d');
        }
        if self.close_after_reply {
            f.push('c');
        }
        if self.close_asap {
            f.push('A');
        }
        if self.unix {
            f.push('U');
        }
        if self.no_evict {
            f.push('e');
        }
        if self.no_touch {
            f.push('T');
        }
        if f.is_empty() {
            f.push('N');
        }
        f
    }
}
