//! The directive table: every configuration parameter of Valkey 9.1.
//!
//! Each row says what a directive is called (and its legacy alias), what
//! kind of value it holds (yes/no, bounded integer, memory size, enum,
//! string, or one of the special multi-value directives), its default and
//! its flags (immutable, protected, sensitive, hidden, …). The generic code
//! in `mod.rs` (load, CONFIG GET/SET) and `rewrite.rs` (CONFIG REWRITE) is
//! driven entirely by these rows, so adding a directive is one line here
//! (plus, if the server reads it often, a one-line typed accessor in
//! `mod.rs`).
//!
//! The facts (names, defaults, bounds, units, enum names, error strings)
//! are Valkey's; the encoding is ours. Values are stored as [`Value`] in a
//! vector indexed by [`Id`], which makes typed accessors O(1).

use super::parse::{memtoull, string2ll, strtoll_full, yes_no};
use std::collections::HashMap;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------

/// Can be changed with CONFIG SET (the absence of any restricting flag).
pub const MODIFIABLE: u32 = 0;
/// Cannot be changed with CONFIG SET.
pub const IMMUTABLE: u32 = 1 << 0;
/// Holds a secret: CONFIG SET arguments must be redacted from logs.
pub const SENSITIVE: u32 = 1 << 1;
/// Shown in the debug configuration dump.
pub const DEBUG: u32 = 1 << 2;
/// Takes several arguments (`save 3600 1 300 100`).
pub const MULTI_ARG: u32 = 1 << 3;
/// Not matched by CONFIG GET glob patterns (only by its exact name).
pub const HIDDEN: u32 = 1 << 4;
/// CONFIG SET refused unless `enable-protected-configs` allows it.
pub const PROTECTED: u32 = 1 << 5;
/// CONFIG SET refused while the dataset is loading.
pub const DENY_LOADING: u32 = 1 << 6;
/// Setting it counts as a change even when the value is the same
/// (e.g. TLS file names: the file content may have changed).
pub const VOLATILE: u32 = 1 << 7;

// ---------------------------------------------------------------------------
// Kinds of directives
// ---------------------------------------------------------------------------

/// How a numeric value is written and read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumFmt {
    /// Plain integer (`string2ll` rules).
    Int,
    /// Bytes, accepting units (`1mb`, `5g`); shown as a plain byte count.
    Memory,
    /// Bytes or a percentage (`50%`, stored negated).
    MemoryPercent,
    /// Bytes, or a negative plain integer (`-1` meaning "disabled").
    SignedMemory,
    /// Octal (`unixsocketperm 700`).
    Octal,
}

/// Validator for a string value: `Err` holds Valkey's message.
pub type StrCheck = fn(&[u8]) -> Result<(), &'static str>;
/// Validator for an enum value.
pub type EnumCheck = fn(i32) -> Result<(), &'static str>;

/// The special directives, each with its own syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// `dir`: changes the working directory.
    Dir,
    /// `save <seconds> <changes> …`; several lines accumulate, `save ""` clears.
    Save,
    /// `client-output-buffer-limit <class> <hard> <soft> <seconds> …`.
    ClientOutputBufferLimit,
    /// `oom-score-adj-values <primary> <replica> <bgchild>`.
    OomScoreAdjValues,
    /// `notify-keyspace-events <flags>`.
    NotifyKeyspaceEvents,
    /// `bind <addr> …` (max 16).
    Bind,
    /// `rdma-bind <addr> …`.
    RdmaBind,
    /// `replicaof <host> <port>` / `replicaof no one`.
    ReplicaOf,
    /// `latency-tracking-info-percentiles <p> …`.
    LatencyPercentiles,
}

/// What a directive holds.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Bool {
        default: bool,
    },
    Num {
        /// Unsigned C type (bounds compared as `u64`).
        unsigned: bool,
        fmt: NumFmt,
        min: i64,
        max: i64,
        default: i64,
    },
    Str {
        /// `None` is Valkey's NULL (shown as `""`, not written by REWRITE).
        default: Option<&'static str>,
        /// An empty value is stored as NULL.
        empty_is_null: bool,
        check: Option<StrCheck>,
    },
    Enum {
        values: &'static [(&'static str, i32)],
        default: i32,
        check: Option<EnumCheck>,
    },
    Special(Special),
}

/// One row of the table.
#[derive(Debug)]
pub struct Def {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u32,
    pub kind: Kind,
}

impl Def {
    #[inline]
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
}

const fn boolean(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    default: bool,
) -> Def {
    Def {
        name,
        alias,
        flags,
        kind: Kind::Bool { default },
    }
}

/// Signed integer (C `int`, `long`, `long long`, `time_t`, `off_t`).
const fn int(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i64,
    max: i64,
    default: i64,
) -> Def {
    Def {
        name,
        alias,
        flags,
        kind: Kind::Num {
            unsigned: false,
            fmt: NumFmt::Int,
            min,
            max,
            default,
        },
    }
}

/// Unsigned integer (C `unsigned int`, `unsigned long`, `size_t`).
const fn uint(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i64,
    max: i64,
    default: i64,
) -> Def {
    Def {
        name,
        alias,
        flags,
        kind: Kind::Num {
            unsigned: true,
            fmt: NumFmt::Int,
            min,
            max,
            default,
        },
    }
}

const fn mem(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    unsigned: bool,
    min: i64,
    max: i64,
    default: i64,
) -> Def {
    Def {
        name,
        alias,
        flags,
        kind: Kind::Num {
            unsigned,
            fmt: NumFmt::Memory,
            min,
            max,
            default,
        },
    }
}

const fn string(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    empty_is_null: bool,
    default: Option<&'static str>,
    check: Option<StrCheck>,
) -> Def {
    Def {
        name,
        alias,
        flags,
        kind: Kind::Str {
            default,
            empty_is_null,
            check,
        },
    }
}

const fn enumeration(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    values: &'static [(&'static str, i32)],
    default: i32,
    check: Option<EnumCheck>,
) -> Def {
    Def {
        name,
        alias,
        flags,
        kind: Kind::Enum {
            values,
            default,
            check,
        },
    }
}

const fn special(name: &'static str, alias: Option<&'static str>, flags: u32, s: Special) -> Def {
    Def {
        name,
        alias,
        flags,
        kind: Kind::Special(s),
    }
}

const INT_MAX: i64 = i32::MAX as i64;
const INT_MIN: i64 = i32::MIN as i64;
const UINT_MAX: i64 = u32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const LLONG_MAX: i64 = i64::MAX;
const SSIZE_MAX: i64 = i64::MAX;
/// `ULONG_MAX` / `ULLONG_MAX` as the bit pattern of an `i64`.
const U64_MAX: i64 = -1;
const EMPTY_IS_NULL: bool = true;
const ALLOW_EMPTY: bool = false;

// ---------------------------------------------------------------------------
// Enum value sets
// ---------------------------------------------------------------------------

pub const LOGLEVEL_ENUM: &[(&str, i32)] = &[
    ("debug", 0),
    ("verbose", 1),
    ("notice", 2),
    ("warning", 3),
    ("nothing", 4),
];

pub const MAXMEMORY_POLICY_ENUM: &[(&str, i32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];

/// Values are the syslog(3) facility codes.
pub const SYSLOG_FACILITY_ENUM: &[(&str, i32)] = &[
    ("user", 1 << 3),
    ("local0", 16 << 3),
    ("local1", 17 << 3),
    ("local2", 18 << 3),
    ("local3", 19 << 3),
    ("local4", 20 << 3),
    ("local5", 21 << 3),
    ("local6", 22 << 3),
    ("local7", 23 << 3),
];

pub const SUPERVISED_ENUM: &[(&str, i32)] =
    &[("upstart", 3), ("systemd", 2), ("auto", 1), ("no", 0)];

pub const AOF_FSYNC_ENUM: &[(&str, i32)] = &[("everysec", 2), ("always", 1), ("no", 0)];

pub const SHUTDOWN_NOSAVE: i32 = 2;
pub const SHUTDOWN_SAVE: i32 = 1;
/// Bit flags: several may be given (`shutdown-on-sigterm nosave now`).
pub const SHUTDOWN_ON_SIG_ENUM: &[(&str, i32)] = &[
    ("default", 0),
    ("save", SHUTDOWN_SAVE),
    ("nosave", SHUTDOWN_NOSAVE),
    ("now", 4),
    ("force", 8),
    ("safe", 16),
    ("failover", 32),
];

pub const REPL_DISKLESS_LOAD_ENUM: &[(&str, i32)] = &[
    ("disabled", 0),
    ("on-empty-db", 1),
    ("swapdb", 2),
    ("flush-before-load", 3),
];

pub const TLS_AUTH_CLIENTS_ENUM: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("optional", 2)];

pub const TLS_CLIENT_AUTH_USER_ENUM: &[(&str, i32)] = &[("CN", 1), ("URI", 2), ("off", 0)];

/// `yes` is a synonym of `relative` (and is what CONFIG GET shows).
pub const OOM_SCORE_ADJ_ENUM: &[(&str, i32)] =
    &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];

pub const ACL_PUBSUB_DEFAULT_ENUM: &[(&str, i32)] = &[("allchannels", 1), ("resetchannels", 0)];

pub const SANITIZE_DUMP_PAYLOAD_ENUM: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("clients", 2)];

/// `enable-debug-command`, `enable-module-command`, `enable-protected-configs`.
pub const PROTECTED_ACTION_ENUM: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("local", 2)];

pub const CLUSTER_PREFERRED_ENDPOINT_TYPE_ENUM: &[(&str, i32)] =
    &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];

pub const CLUSTER_CONFIG_SAVE_BEHAVIOR_ENUM: &[(&str, i32)] = &[("sync", 0), ("best-effort", 1)];

pub const PROPAGATION_ERROR_BEHAVIOR_ENUM: &[(&str, i32)] =
    &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];

pub const LOG_FORMAT_ENUM: &[(&str, i32)] = &[("legacy", 0), ("logfmt", 1), ("json", 2)];

pub const LOG_TIMESTAMP_FORMAT_ENUM: &[(&str, i32)] =
    &[("legacy", 0), ("iso8601", 1), ("milliseconds", 2)];

pub const RDB_VERSION_CHECK_ENUM: &[(&str, i32)] = &[("strict", 0), ("relaxed", 1)];

// ---------------------------------------------------------------------------
// Validators (messages are Valkey's)
// ---------------------------------------------------------------------------

fn path_is_base_name(v: &[u8]) -> bool {
    !v.contains(&b'/') && !v.contains(&b'\\')
}

fn check_dbfilename(v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        Err("dbfilename can't be empty")
    } else if !path_is_base_name(v) {
        Err("dbfilename can't be a path, just a filename")
    } else {
        Ok(())
    }
}

fn check_appendfilename(v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        Err("appendfilename can't be empty")
    } else if !path_is_base_name(v) {
        Err("appendfilename can't be a path, just a filename")
    } else {
        Ok(())
    }
}

fn check_appenddirname(v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        Err("appenddirname can't be empty")
    } else if !path_is_base_name(v) {
        Err("appenddirname can't be a path, just a dirname")
    } else {
        Ok(())
    }
}

fn check_cluster_config_file(v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty() {
        Err("cluster-config-file can't be empty")
    } else {
        Ok(())
    }
}

fn check_hostname(v: &[u8]) -> Result<(), &'static str> {
    if v.len() >= 256 {
        return Err("Hostnames must be less than 256 characters");
    }
    if v.iter()
        .any(|&c| !(c.is_ascii_alphanumeric() || c == b'-' || c == b'.'))
    {
        return Err("Hostnames may only contain alphanumeric characters, hyphens or dots");
    }
    Ok(())
}

fn check_human_nodename(v: &[u8]) -> Result<(), &'static str> {
    const INVALID: &[u8] = b"!#$%&()*+:;<>?@[]^{|}~";
    if v.iter()
        .any(|&c| !c.is_ascii_alphanumeric() && (c == 0 || INVALID.contains(&c)))
    {
        return Err("Announced human node name contained invalid character");
    }
    Ok(())
}

fn check_ipv4(v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty()
        || std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.parse::<std::net::Ipv4Addr>().ok())
            .is_some()
    {
        Ok(())
    } else {
        Err("Invalid IPv4 address")
    }
}

fn check_ipv6(v: &[u8]) -> Result<(), &'static str> {
    if v.is_empty()
        || std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.parse::<std::net::Ipv6Addr>().ok())
            .is_some()
    {
        Ok(())
    } else {
        Err("Invalid IPv6 address")
    }
}

fn check_hash_seed(v: &[u8]) -> Result<(), &'static str> {
    if v.len() > 256 {
        Err("hash-seed must be less than or equal to 256 characters")
    } else {
        Ok(())
    }
}

/// The variables `proc-title-template` may use.
pub const PROC_TITLE_VARIABLES: &[&str] = &[
    "title",
    "listen-addr",
    "server-mode",
    "port",
    "tls-port",
    "unixsocket",
    "config-file",
];

/// Expands a `proc-title-template` (`{name}` variables, `{{` for a literal
/// brace) with `lookup`; `None` if the template is malformed or names an
/// unknown variable.
pub fn expand_proc_title(
    template: &[u8],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let mut out = Vec::new();
    let mut p = template;
    while !p.is_empty() {
        match p.iter().position(|&c| c == b'{') {
            None => {
                out.extend_from_slice(p);
                break;
            }
            Some(sv) => {
                out.extend_from_slice(&p[..sv]);
                let rest = &p[sv + 1..];
                if rest.is_empty() {
                    return None;
                }
                if rest[0] == b'{' {
                    out.push(b'{');
                    p = &rest[1..];
                    continue;
                }
                let ev = rest.iter().position(|&c| c == b'}')?;
                let name = std::str::from_utf8(&rest[..ev]).ok()?;
                out.extend_from_slice(lookup(name)?.as_bytes());
                p = &rest[ev + 1..];
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

fn check_proc_title_template(v: &[u8]) -> Result<(), &'static str> {
    // Valkey expands with an empty title and requires a non-empty result.
    let lookup = |name: &str| -> Option<String> {
        match name {
            "title" | "server-mode" | "unixsocket" | "config-file" => Some(String::new()),
            "listen-addr" => Some("*:6379".into()),
            "port" => Some("6379".into()),
            "tls-port" => Some("0".into()),
            _ => None,
        }
    };
    match expand_proc_title(v, &lookup) {
        Some(s) if !s.trim_matches(' ').is_empty() => Ok(()),
        _ => Err("template format is invalid or contains unknown variables"),
    }
}

fn check_shutdown_flags(v: i32) -> Result<(), &'static str> {
    if v & SHUTDOWN_SAVE != 0 && v & SHUTDOWN_NOSAVE != 0 {
        Err("shutdown options SAVE and NOSAVE can't be used simultaneously")
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

macro_rules! config_table {
    ($($id:ident = $def:expr;)*) => {
        /// Identifies one directive; `id as usize` indexes [`TABLE`] and the
        /// value vector of a `Config`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Id { $($id,)* }

        /// Every directive, in [`Id`] order.
        pub static TABLE: &[Def] = &[$($def,)*];

        impl Id {
            /// All ids, in table order.
            pub const ALL: &'static [Id] = &[$(Id::$id,)*];
        }
    };
}

const fn some(s: &'static str) -> Option<&'static str> {
    Some(s)
}

config_table! {
    // ---- yes/no ----
    Rdbchecksum = boolean("rdbchecksum", None, IMMUTABLE, true);
    Daemonize = boolean("daemonize", None, IMMUTABLE, false);
    AlwaysShowLogo = boolean("always-show-logo", None, IMMUTABLE, false);
    ProtectedMode = boolean("protected-mode", None, MODIFIABLE, true);
    Rdbcompression = boolean("rdbcompression", None, MODIFIABLE, true);
    RdbDelSyncFiles = boolean("rdb-del-sync-files", None, MODIFIABLE, false);
    Activerehashing = boolean("activerehashing", None, MODIFIABLE, true);
    StopWritesOnBgsaveError = boolean("stop-writes-on-bgsave-error", None, MODIFIABLE, true);
    SetProcTitle = boolean("set-proc-title", None, IMMUTABLE, true);
    LazyfreeLazyEviction = boolean("lazyfree-lazy-eviction", None, DEBUG, true);
    LazyfreeLazyExpire = boolean("lazyfree-lazy-expire", None, DEBUG, true);
    LazyfreeLazyServerDel = boolean("lazyfree-lazy-server-del", None, DEBUG, true);
    LazyfreeLazyUserDel = boolean("lazyfree-lazy-user-del", None, DEBUG, true);
    LazyfreeLazyUserFlush = boolean("lazyfree-lazy-user-flush", None, DEBUG, true);
    ReplDisableTcpNodelay = boolean("repl-disable-tcp-nodelay", None, MODIFIABLE, false);
    ReplMptcp = boolean("repl-mptcp", None, IMMUTABLE, false);
    ReplDisklessSync = boolean("repl-diskless-sync", None, DEBUG, true);
    DualChannelReplicationEnabled = boolean("dual-channel-replication-enabled", None, DEBUG, false);
    AofRewriteIncrementalFsync = boolean("aof-rewrite-incremental-fsync", None, MODIFIABLE, true);
    NoAppendfsyncOnRewrite = boolean("no-appendfsync-on-rewrite", None, MODIFIABLE, false);
    ClusterRequireFullCoverage = boolean("cluster-require-full-coverage", None, MODIFIABLE, true);
    RdbSaveIncrementalFsync = boolean("rdb-save-incremental-fsync", None, MODIFIABLE, true);
    AofLoadTruncated = boolean("aof-load-truncated", None, MODIFIABLE, true);
    AofUseRdbPreamble = boolean("aof-use-rdb-preamble", None, MODIFIABLE, true);
    AofTimestampEnabled = boolean("aof-timestamp-enabled", None, MODIFIABLE, false);
    ClusterReplicaNoFailover = boolean("cluster-replica-no-failover", some("cluster-slave-no-failover"), MODIFIABLE, false);
    ReplicaLazyFlush = boolean("replica-lazy-flush", some("slave-lazy-flush"), MODIFIABLE, true);
    ReplicaServeStaleData = boolean("replica-serve-stale-data", some("slave-serve-stale-data"), MODIFIABLE, true);
    ReplicaReadOnly = boolean("replica-read-only", some("slave-read-only"), DEBUG, true);
    ReplicaIgnoreMaxmemory = boolean("replica-ignore-maxmemory", some("slave-ignore-maxmemory"), MODIFIABLE, true);
    JemallocBgThread = boolean("jemalloc-bg-thread", None, MODIFIABLE, true);
    Activedefrag = boolean("activedefrag", None, DEBUG, false);
    SyslogEnabled = boolean("syslog-enabled", None, IMMUTABLE, false);
    ClusterEnabled = boolean("cluster-enabled", None, IMMUTABLE, false);
    Appendonly = boolean("appendonly", None, DENY_LOADING, false);
    ClusterAllowReadsWhenDown = boolean("cluster-allow-reads-when-down", None, MODIFIABLE, false);
    ClusterAllowPubsubshardWhenDown = boolean("cluster-allow-pubsubshard-when-down", None, MODIFIABLE, true);
    CrashLogEnabled = boolean("crash-log-enabled", None, MODIFIABLE, true);
    CrashMemcheckEnabled = boolean("crash-memcheck-enabled", None, MODIFIABLE, true);
    UseExitOnPanic = boolean("use-exit-on-panic", None, HIDDEN, false);
    DisableThp = boolean("disable-thp", None, IMMUTABLE, true);
    ClusterAllowReplicaMigration = boolean("cluster-allow-replica-migration", None, MODIFIABLE, true);
    ReplicaAnnounced = boolean("replica-announced", None, MODIFIABLE, true);
    LatencyTracking = boolean("latency-tracking", None, MODIFIABLE, true);
    AofDisableAutoGc = boolean("aof-disable-auto-gc", None, HIDDEN, false);
    ReplicaIgnoreDiskWriteErrors = boolean("replica-ignore-disk-write-errors", None, MODIFIABLE, false);
    ExtendedRedisCompatibility = boolean("extended-redis-compatibility", None, MODIFIABLE, false);
    EnableDebugAssert = boolean("enable-debug-assert", None, IMMUTABLE | HIDDEN, false);
    ClusterSlotStatsEnabled = boolean("cluster-slot-stats-enabled", None, MODIFIABLE, false);
    HideUserDataFromLog = boolean("hide-user-data-from-log", None, MODIFIABLE, true);
    LuaEnableInsecureApi = boolean("lua-enable-insecure-api", some("lua-enable-deprecated-api"), HIDDEN | PROTECTED, false);
    ImportMode = boolean("import-mode", None, DEBUG, false);
    IoThreadsAlwaysActive = boolean("io-threads-always-active", None, HIDDEN, false);
    Mptcp = boolean("mptcp", None, IMMUTABLE, false);
    TlsCluster = boolean("tls-cluster", None, MODIFIABLE, false);
    TlsReplication = boolean("tls-replication", None, MODIFIABLE, false);
    TlsPreferServerCiphers = boolean("tls-prefer-server-ciphers", None, MODIFIABLE, false);
    TlsSessionCaching = boolean("tls-session-caching", None, MODIFIABLE, true);

    // ---- strings ----
    Aclfile = string("aclfile", None, IMMUTABLE, ALLOW_EMPTY, some(""), None);
    Unixsocket = string("unixsocket", None, IMMUTABLE, EMPTY_IS_NULL, None, None);
    Unixsocketgroup = string("unixsocketgroup", None, IMMUTABLE, EMPTY_IS_NULL, None, None);
    Pidfile = string("pidfile", None, IMMUTABLE, EMPTY_IS_NULL, None, None);
    ReplicaAnnounceIp = string("replica-announce-ip", some("slave-announce-ip"), MODIFIABLE, EMPTY_IS_NULL, None, None);
    Primaryuser = string("primaryuser", some("masteruser"), SENSITIVE, EMPTY_IS_NULL, None, None);
    ClusterAnnounceIp = string("cluster-announce-ip", None, MODIFIABLE, EMPTY_IS_NULL, None, None);
    ClusterAnnounceClientIpv4 = string("cluster-announce-client-ipv4", None, MODIFIABLE, EMPTY_IS_NULL, None, Some(check_ipv4));
    ClusterAnnounceClientIpv6 = string("cluster-announce-client-ipv6", None, MODIFIABLE, EMPTY_IS_NULL, None, Some(check_ipv6));
    ClusterConfigFile = string("cluster-config-file", None, IMMUTABLE, ALLOW_EMPTY, some("nodes.conf"), Some(check_cluster_config_file));
    ClusterAnnounceHostname = string("cluster-announce-hostname", None, MODIFIABLE, EMPTY_IS_NULL, None, Some(check_hostname));
    ClusterAnnounceHumanNodename = string("cluster-announce-human-nodename", None, MODIFIABLE, EMPTY_IS_NULL, None, Some(check_human_nodename));
    SyslogIdent = string("syslog-ident", None, IMMUTABLE, ALLOW_EMPTY, some("valkey"), None);
    Dbfilename = string("dbfilename", None, PROTECTED, ALLOW_EMPTY, some("dump.rdb"), Some(check_dbfilename));
    Appendfilename = string("appendfilename", None, IMMUTABLE, ALLOW_EMPTY, some("appendonly.aof"), Some(check_appendfilename));
    Appenddirname = string("appenddirname", None, IMMUTABLE, ALLOW_EMPTY, some("appendonlydir"), Some(check_appenddirname));
    ServerCpulist = string("server-cpulist", some("server_cpulist"), IMMUTABLE, EMPTY_IS_NULL, None, None);
    BioCpulist = string("bio-cpulist", some("bio_cpulist"), IMMUTABLE, EMPTY_IS_NULL, None, None);
    AofRewriteCpulist = string("aof-rewrite-cpulist", some("aof_rewrite_cpulist"), IMMUTABLE, EMPTY_IS_NULL, None, None);
    BgsaveCpulist = string("bgsave-cpulist", some("bgsave_cpulist"), IMMUTABLE, EMPTY_IS_NULL, None, None);
    IgnoreWarnings = string("ignore-warnings", None, MODIFIABLE, ALLOW_EMPTY, some(""), None);
    ProcTitleTemplate = string("proc-title-template", None, MODIFIABLE, ALLOW_EMPTY, some("{title} {listen-addr} {server-mode}"), Some(check_proc_title_template));
    BindSourceAddr = string("bind-source-addr", None, MODIFIABLE, EMPTY_IS_NULL, None, None);
    Logfile = string("logfile", None, IMMUTABLE, ALLOW_EMPTY, some(""), None);
    LocaleCollate = string("locale-collate", None, MODIFIABLE, ALLOW_EMPTY, some(""), None);
    DebugContext = string("debug-context", None, DEBUG | HIDDEN, ALLOW_EMPTY, some(""), None);
    Primaryauth = string("primaryauth", some("masterauth"), SENSITIVE, EMPTY_IS_NULL, None, None);
    Requirepass = string("requirepass", None, SENSITIVE, EMPTY_IS_NULL, None, None);
    AvailabilityZone = string("availability-zone", None, MODIFIABLE, ALLOW_EMPTY, some(""), None);
    HashSeed = string("hash-seed", None, IMMUTABLE, EMPTY_IS_NULL, None, Some(check_hash_seed));
    TlsCertFile = string("tls-cert-file", None, VOLATILE, EMPTY_IS_NULL, None, None);
    TlsKeyFile = string("tls-key-file", None, VOLATILE, EMPTY_IS_NULL, None, None);
    TlsKeyFilePass = string("tls-key-file-pass", None, SENSITIVE, EMPTY_IS_NULL, None, None);
    TlsClientCertFile = string("tls-client-cert-file", None, VOLATILE, EMPTY_IS_NULL, None, None);
    TlsClientKeyFile = string("tls-client-key-file", None, VOLATILE, EMPTY_IS_NULL, None, None);
    TlsClientKeyFilePass = string("tls-client-key-file-pass", None, SENSITIVE, EMPTY_IS_NULL, None, None);
    TlsDhParamsFile = string("tls-dh-params-file", None, VOLATILE, EMPTY_IS_NULL, None, None);
    TlsCaCertFile = string("tls-ca-cert-file", None, VOLATILE, EMPTY_IS_NULL, None, None);
    TlsCaCertDir = string("tls-ca-cert-dir", None, VOLATILE, EMPTY_IS_NULL, None, None);
    TlsProtocols = string("tls-protocols", None, MODIFIABLE, EMPTY_IS_NULL, None, None);
    TlsCiphers = string("tls-ciphers", None, MODIFIABLE, EMPTY_IS_NULL, None, None);
    TlsCiphersuites = string("tls-ciphersuites", None, MODIFIABLE, EMPTY_IS_NULL, None, None);

    // ---- enums ----
    Supervised = enumeration("supervised", None, IMMUTABLE, SUPERVISED_ENUM, 0, None);
    SyslogFacility = enumeration("syslog-facility", None, IMMUTABLE, SYSLOG_FACILITY_ENUM, 16 << 3, None);
    ReplDisklessLoad = enumeration("repl-diskless-load", None, DEBUG | DENY_LOADING, REPL_DISKLESS_LOAD_ENUM, 0, None);
    Loglevel = enumeration("loglevel", None, MODIFIABLE, LOGLEVEL_ENUM, 2, None);
    MaxmemoryPolicy = enumeration("maxmemory-policy", None, MODIFIABLE, MAXMEMORY_POLICY_ENUM, 7, None);
    Appendfsync = enumeration("appendfsync", None, MODIFIABLE, AOF_FSYNC_ENUM, 2, None);
    OomScoreAdj = enumeration("oom-score-adj", None, MODIFIABLE, OOM_SCORE_ADJ_ENUM, 0, None);
    AclPubsubDefault = enumeration("acl-pubsub-default", None, MODIFIABLE, ACL_PUBSUB_DEFAULT_ENUM, 0, None);
    SanitizeDumpPayload = enumeration("sanitize-dump-payload", None, DEBUG, SANITIZE_DUMP_PAYLOAD_ENUM, 0, None);
    EnableProtectedConfigs = enumeration("enable-protected-configs", None, IMMUTABLE, PROTECTED_ACTION_ENUM, 0, None);
    EnableDebugCommand = enumeration("enable-debug-command", None, IMMUTABLE, PROTECTED_ACTION_ENUM, 0, None);
    EnableModuleCommand = enumeration("enable-module-command", None, IMMUTABLE, PROTECTED_ACTION_ENUM, 0, None);
    ClusterConfigSaveBehavior = enumeration("cluster-config-save-behavior", None, MODIFIABLE, CLUSTER_CONFIG_SAVE_BEHAVIOR_ENUM, 0, None);
    ClusterPreferredEndpointType = enumeration("cluster-preferred-endpoint-type", None, MODIFIABLE, CLUSTER_PREFERRED_ENDPOINT_TYPE_ENUM, 0, None);
    PropagationErrorBehavior = enumeration("propagation-error-behavior", None, MODIFIABLE, PROPAGATION_ERROR_BEHAVIOR_ENUM, 0, None);
    ShutdownOnSigint = enumeration("shutdown-on-sigint", None, MULTI_ARG, SHUTDOWN_ON_SIG_ENUM, 0, Some(check_shutdown_flags));
    ShutdownOnSigterm = enumeration("shutdown-on-sigterm", None, MULTI_ARG, SHUTDOWN_ON_SIG_ENUM, 0, Some(check_shutdown_flags));
    LogFormat = enumeration("log-format", None, MODIFIABLE, LOG_FORMAT_ENUM, 0, None);
    LogTimestampFormat = enumeration("log-timestamp-format", None, MODIFIABLE, LOG_TIMESTAMP_FORMAT_ENUM, 0, None);
    RdbVersionCheck = enumeration("rdb-version-check", None, MODIFIABLE, RDB_VERSION_CHECK_ENUM, 0, None);
    TlsAuthClients = enumeration("tls-auth-clients", None, MODIFIABLE, TLS_AUTH_CLIENTS_ENUM, 1, None);
    TlsAuthClientsUser = enumeration("tls-auth-clients-user", None, MODIFIABLE, TLS_CLIENT_AUTH_USER_ENUM, 0, None);

    // ---- signed integers (int, long long, time_t, off_t) ----
    Databases = int("databases", None, IMMUTABLE, 1, INT_MAX, 16);
    ClusterDatabases = int("cluster-databases", None, IMMUTABLE, 1, INT_MAX, 1);
    Port = int("port", None, MODIFIABLE, 0, 65535, 6379);
    IoThreads = int("io-threads", None, DEBUG, 1, 128, 1);
    EventsPerIoThread = int("events-per-io-thread", None, HIDDEN, 0, INT_MAX, 2);
    MinIoThreadsAvoidCopyReply = int("min-io-threads-avoid-copy-reply", None, HIDDEN, 0, INT_MAX, 7);
    MinStringSizeAvoidCopyReply = int("min-string-size-avoid-copy-reply", None, HIDDEN, 0, INT_MAX, 16384);
    MinStringSizeAvoidCopyReplyThreaded = int("min-string-size-avoid-copy-reply-threaded", None, HIDDEN, 0, INT_MAX, 65536);
    PrefetchBatchMaxSize = int("prefetch-batch-max-size", None, MODIFIABLE, 0, 128, 16);
    AutoAofRewritePercentage = int("auto-aof-rewrite-percentage", None, MODIFIABLE, 0, INT_MAX, 100);
    ClusterReplicaValidityFactor = int("cluster-replica-validity-factor", some("cluster-slave-validity-factor"), MODIFIABLE, 0, INT_MAX, 10);
    ListMaxListpackSize = int("list-max-listpack-size", some("list-max-ziplist-size"), MODIFIABLE, INT_MIN, INT_MAX, -2);
    TcpKeepalive = int("tcp-keepalive", None, MODIFIABLE, 0, INT_MAX, 300);
    ClusterMigrationBarrier = int("cluster-migration-barrier", None, MODIFIABLE, 0, INT_MAX, 1);
    ActiveDefragCycleMin = int("active-defrag-cycle-min", None, MODIFIABLE, 1, 99, 1);
    ActiveDefragCycleMax = int("active-defrag-cycle-max", None, MODIFIABLE, 1, 99, 25);
    ActiveDefragThresholdLower = int("active-defrag-threshold-lower", None, MODIFIABLE, 0, 1000, 10);
    ActiveDefragThresholdUpper = int("active-defrag-threshold-upper", None, MODIFIABLE, 0, 1000, 100);
    ActiveDefragCycleUs = int("active-defrag-cycle-us", None, MODIFIABLE, 0, 100000, 500);
    LfuLogFactor = int("lfu-log-factor", None, MODIFIABLE, 0, INT_MAX, 10);
    LfuDecayTime = int("lfu-decay-time", None, MODIFIABLE, 0, INT_MAX, 1);
    ReplicaPriority = int("replica-priority", some("slave-priority"), MODIFIABLE, 0, INT_MAX, 100);
    ReplDisklessSyncDelay = int("repl-diskless-sync-delay", None, MODIFIABLE, 0, INT_MAX, 5);
    MaxmemorySamples = int("maxmemory-samples", None, MODIFIABLE, 1, 64, 5);
    MaxmemoryEvictionTenacity = int("maxmemory-eviction-tenacity", None, MODIFIABLE, 0, 100, 10);
    Timeout = int("timeout", None, MODIFIABLE, 0, INT_MAX, 0);
    ReplicaAnnouncePort = int("replica-announce-port", some("slave-announce-port"), MODIFIABLE, 0, 65535, 0);
    TcpBacklog = int("tcp-backlog", None, IMMUTABLE, 0, INT_MAX, 511);
    ClusterPort = int("cluster-port", None, IMMUTABLE, 0, 65535, 0);
    ClusterAnnounceBusPort = int("cluster-announce-bus-port", None, MODIFIABLE, 0, 65535, 0);
    ClusterAnnouncePort = int("cluster-announce-port", None, MODIFIABLE, 0, 65535, 0);
    ClusterAnnounceTlsPort = int("cluster-announce-tls-port", None, MODIFIABLE, 0, 65535, 0);
    ClusterAnnounceClientPort = int("cluster-announce-client-port", None, MODIFIABLE, 0, 65535, 0);
    ClusterAnnounceClientTlsPort = int("cluster-announce-client-tls-port", None, MODIFIABLE, 0, 65535, 0);
    ReplTimeout = int("repl-timeout", None, MODIFIABLE, 1, INT_MAX, 60);
    ReplPingReplicaPeriod = int("repl-ping-replica-period", some("repl-ping-slave-period"), MODIFIABLE, 1, INT_MAX, 10);
    ListCompressDepth = int("list-compress-depth", None, DEBUG, 0, INT_MAX, 0);
    RdbKeySaveDelay = int("rdb-key-save-delay", None, HIDDEN, INT_MIN, INT_MAX, 0);
    KeyLoadDelay = int("key-load-delay", None, HIDDEN, INT_MIN, INT_MAX, 0);
    ActiveExpireEffort = int("active-expire-effort", None, MODIFIABLE, 1, 10, 1);
    Hz = int("hz", None, MODIFIABLE, 0, INT_MAX, 10);
    MinReplicasToWrite = int("min-replicas-to-write", some("min-slaves-to-write"), MODIFIABLE, 0, INT_MAX, 0);
    MinReplicasMaxLag = int("min-replicas-max-lag", some("min-slaves-max-lag"), MODIFIABLE, 0, INT_MAX, 10);
    WatchdogPeriod = int("watchdog-period", None, HIDDEN, 0, INT_MAX, 0);
    ShutdownTimeout = int("shutdown-timeout", None, MODIFIABLE, 0, INT_MAX, 10);
    ReplDisklessSyncMaxReplicas = int("repl-diskless-sync-max-replicas", None, MODIFIABLE, 0, INT_MAX, 0);
    RdmaPort = int("rdma-port", None, MODIFIABLE, 0, 65535, 0);
    RdmaRxSize = int("rdma-rx-size", None, IMMUTABLE, 64 * 1024, 16 * 1024 * 1024, 1024 * 1024);
    RdmaCompletionVector = int("rdma-completion-vector", None, IMMUTABLE, -1, 1024, -1);
    ClusterMessageGossipPerc = int("cluster-message-gossip-perc", None, HIDDEN, 1, 100, 10);
    BusyReplyThreshold = int("busy-reply-threshold", some("lua-time-limit"), MODIFIABLE, 0, LONG_MAX, 5000);
    ClusterNodeTimeout = int("cluster-node-timeout", None, MODIFIABLE, 0, LLONG_MAX, 15000);
    ClusterPingInterval = int("cluster-ping-interval", None, HIDDEN, 0, LLONG_MAX, 0);
    CommandlogExecutionSlowerThan = int("commandlog-execution-slower-than", some("slowlog-log-slower-than"), MODIFIABLE, -1, LLONG_MAX, 10000);
    CommandlogRequestLargerThan = int("commandlog-request-larger-than", None, MODIFIABLE, -1, LLONG_MAX, 1024 * 1024);
    CommandlogReplyLargerThan = int("commandlog-reply-larger-than", None, MODIFIABLE, -1, LLONG_MAX, 1024 * 1024);
    LatencyMonitorThreshold = int("latency-monitor-threshold", None, MODIFIABLE, 0, LLONG_MAX, 0);
    StreamNodeMaxEntries = int("stream-node-max-entries", None, MODIFIABLE, 0, LLONG_MAX, 100);
    ClusterManualFailoverTimeout = int("cluster-manual-failover-timeout", None, MODIFIABLE, 1, INT_MAX, 5000);
    ReplBacklogTtl = int("repl-backlog-ttl", None, MODIFIABLE, 0, LONG_MAX, 3600);
    LoadingProcessEventsIntervalBytes = int("loading-process-events-interval-bytes", None, HIDDEN, 1024, INT_MAX, 2 * 1024 * 1024);
    TlsPort = int("tls-port", None, MODIFIABLE, 0, 65535, 0);
    TlsSessionCacheSize = int("tls-session-cache-size", None, MODIFIABLE, 0, INT_MAX, 20 * 1024);
    TlsSessionCacheTimeout = int("tls-session-cache-timeout", None, MODIFIABLE, 0, INT_MAX, 300);
    TlsAutoReloadInterval = int("tls-auto-reload-interval", None, MODIFIABLE, 0, INT_MAX, 0);

    // ---- unsigned integers (unsigned int, unsigned long, size_t) ----
    Maxclients = uint("maxclients", None, MODIFIABLE, 1, UINT_MAX, 10000);
    Unixsocketperm = Def { name: "unixsocketperm", alias: None, flags: IMMUTABLE,
        kind: Kind::Num { unsigned: true, fmt: NumFmt::Octal, min: 0, max: 0o777, default: 0 } };
    SocketMarkId = uint("socket-mark-id", None, IMMUTABLE, 0, UINT_MAX, 0);
    MaxNewConnectionsPerCycle = uint("max-new-connections-per-cycle", None, MODIFIABLE, 1, 1000, 10);
    MaxNewTlsConnectionsPerCycle = uint("max-new-tls-connections-per-cycle", None, MODIFIABLE, 1, 1000, 1);
    ActiveDefragMaxScanFields = uint("active-defrag-max-scan-fields", None, MODIFIABLE, 1, LONG_MAX, 1000);
    CommandlogSlowExecutionMaxLen = uint("commandlog-slow-execution-max-len", some("slowlog-max-len"), MODIFIABLE, 0, LONG_MAX, 128);
    CommandlogLargeRequestMaxLen = uint("commandlog-large-request-max-len", None, MODIFIABLE, 0, LONG_MAX, 128);
    CommandlogLargeReplyMaxLen = uint("commandlog-large-reply-max-len", None, MODIFIABLE, 0, LONG_MAX, 128);
    AcllogMaxLen = uint("acllog-max-len", None, MODIFIABLE, 0, LONG_MAX, 128);
    ClusterBlacklistTtl = uint("cluster-blacklist-ttl", None, MODIFIABLE, 0, U64_MAX, 60);
    ClusterSlotMigrationLogMaxLen = uint("cluster-slot-migration-log-max-len", None, MODIFIABLE, 0, LONG_MAX, 1000);
    HashMaxListpackEntries = uint("hash-max-listpack-entries", some("hash-max-ziplist-entries"), MODIFIABLE, 0, LONG_MAX, 512);
    SetMaxIntsetEntries = uint("set-max-intset-entries", None, MODIFIABLE, 0, LONG_MAX, 512);
    SetMaxListpackEntries = uint("set-max-listpack-entries", None, MODIFIABLE, 0, LONG_MAX, 128);
    SetMaxListpackValue = uint("set-max-listpack-value", None, MODIFIABLE, 0, LONG_MAX, 64);
    ZsetMaxListpackEntries = uint("zset-max-listpack-entries", some("zset-max-ziplist-entries"), MODIFIABLE, 0, LONG_MAX, 128);
    TrackingTableMaxKeys = uint("tracking-table-max-keys", None, MODIFIABLE, 0, LONG_MAX, 1000000);

    // ---- memory sizes ----
    ProtoMaxBulkLen = mem("proto-max-bulk-len", None, DEBUG, false, 1024 * 1024, LONG_MAX, 512 * 1024 * 1024);
    ReplBacklogSize = mem("repl-backlog-size", None, MODIFIABLE, false, 1, LLONG_MAX, 10 * 1024 * 1024);
    Maxmemory = mem("maxmemory", None, MODIFIABLE, true, 0, U64_MAX, 0);
    ClusterLinkSendbufLimit = mem("cluster-link-sendbuf-limit", None, MODIFIABLE, true, 0, U64_MAX, 0);
    ActiveDefragIgnoreBytes = mem("active-defrag-ignore-bytes", None, MODIFIABLE, true, 1, LLONG_MAX, 100 << 20);
    HashMaxListpackValue = mem("hash-max-listpack-value", some("hash-max-ziplist-value"), MODIFIABLE, true, 0, LONG_MAX, 64);
    StreamNodeMaxBytes = mem("stream-node-max-bytes", None, MODIFIABLE, true, 0, LONG_MAX, 4096);
    ZsetMaxListpackValue = mem("zset-max-listpack-value", some("zset-max-ziplist-value"), MODIFIABLE, true, 0, LONG_MAX, 64);
    HllSparseMaxBytes = mem("hll-sparse-max-bytes", None, MODIFIABLE, true, 0, LONG_MAX, 3000);
    ClientQueryBufferLimit = mem("client-query-buffer-limit", None, DEBUG, true, 1024 * 1024, LONG_MAX, 1024 * 1024 * 1024);
    MaxmemoryClients = Def { name: "maxmemory-clients", alias: None, flags: MODIFIABLE,
        kind: Kind::Num { unsigned: false, fmt: NumFmt::MemoryPercent, min: -100, max: SSIZE_MAX, default: 0 } };
    SlotMigrationMaxFailoverReplBytes = Def { name: "slot-migration-max-failover-repl-bytes", alias: None, flags: MODIFIABLE,
        kind: Kind::Num { unsigned: false, fmt: NumFmt::SignedMemory, min: -1, max: SSIZE_MAX, default: 0 } };
    AutoAofRewriteMinSize = mem("auto-aof-rewrite-min-size", None, MODIFIABLE, false, 0, LLONG_MAX, 64 * 1024 * 1024);

    // ---- special ----
    Dir = special("dir", None, PROTECTED | DENY_LOADING, Special::Dir);
    Save = special("save", None, MULTI_ARG, Special::Save);
    ClientOutputBufferLimit = special("client-output-buffer-limit", None, MULTI_ARG, Special::ClientOutputBufferLimit);
    OomScoreAdjValues = special("oom-score-adj-values", None, MULTI_ARG, Special::OomScoreAdjValues);
    NotifyKeyspaceEvents = special("notify-keyspace-events", None, MODIFIABLE, Special::NotifyKeyspaceEvents);
    Bind = special("bind", None, MULTI_ARG, Special::Bind);
    RdmaBind = special("rdma-bind", None, MULTI_ARG, Special::RdmaBind);
    Replicaof = special("replicaof", some("slaveof"), IMMUTABLE | MULTI_ARG, Special::ReplicaOf);
    LatencyTrackingInfoPercentiles = special("latency-tracking-info-percentiles", None, MULTI_ARG, Special::LatencyPercentiles);
}

impl Id {
    /// The table row of this directive.
    #[inline]
    pub fn def(self) -> &'static Def {
        &TABLE[self as usize]
    }
}

/// Directives accepted (and ignored) in config files for backward
/// compatibility, with the accepted argument count (including the name).
pub const DEPRECATED: &[(&str, usize)] = &[
    ("list-max-ziplist-entries", 2),
    ("list-max-ziplist-value", 2),
    ("lua-replicate-commands", 2),
    ("io-threads-do-reads", 2),
    ("dynamic-hz", 2),
];

/// Looks a directive up by name or alias (any case). The bool says whether
/// `name` is the alias.
pub fn lookup(name: &[u8]) -> Option<(Id, bool)> {
    static MAP: OnceLock<HashMap<&'static str, (Id, bool)>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        let mut m = HashMap::with_capacity(TABLE.len() * 2);
        for (&id, def) in Id::ALL.iter().zip(TABLE.iter()) {
            m.insert(def.name, (id, false));
            if let Some(a) = def.alias {
                m.insert(a, (id, true));
            }
        }
        m
    });
    if name.len() > 64 {
        return None;
    }
    let mut buf = [0u8; 64];
    let lower = &mut buf[..name.len()];
    for (d, s) in lower.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    std::str::from_utf8(lower)
        .ok()
        .and_then(|s| map.get(s).copied())
}

// ---------------------------------------------------------------------------
// Keyspace notifications
// ---------------------------------------------------------------------------

pub const NOTIFY_KEYSPACE: u32 = 1 << 0; // K
pub const NOTIFY_KEYEVENT: u32 = 1 << 1; // E
pub const NOTIFY_GENERIC: u32 = 1 << 2; // g
pub const NOTIFY_STRING: u32 = 1 << 3; // $
pub const NOTIFY_LIST: u32 = 1 << 4; // l
pub const NOTIFY_SET: u32 = 1 << 5; // s
pub const NOTIFY_HASH: u32 = 1 << 6; // h
pub const NOTIFY_ZSET: u32 = 1 << 7; // z
pub const NOTIFY_EXPIRED: u32 = 1 << 8; // x
pub const NOTIFY_EVICTED: u32 = 1 << 9; // e
pub const NOTIFY_STREAM: u32 = 1 << 10; // t
pub const NOTIFY_KEY_MISS: u32 = 1 << 11; // m (not part of A)
pub const NOTIFY_LOADED: u32 = 1 << 12; // modules only
pub const NOTIFY_MODULE: u32 = 1 << 13; // d
pub const NOTIFY_NEW: u32 = 1 << 14; // n (not part of A)
/// The `A` alias.
pub const NOTIFY_ALL: u32 = NOTIFY_GENERIC
    | NOTIFY_STRING
    | NOTIFY_LIST
    | NOTIFY_SET
    | NOTIFY_HASH
    | NOTIFY_ZSET
    | NOTIFY_EXPIRED
    | NOTIFY_EVICTED
    | NOTIFY_STREAM
    | NOTIFY_MODULE;

/// `notify-keyspace-events` flags string into bits; `None` on an unknown
/// character.
pub fn keyspace_events_from_str(s: &[u8]) -> Option<u32> {
    let mut flags = 0;
    for &c in s {
        if c == 0 {
            break;
        }
        flags |= match c {
            b'A' => NOTIFY_ALL,
            b'g' => NOTIFY_GENERIC,
            b'$' => NOTIFY_STRING,
            b'l' => NOTIFY_LIST,
            b's' => NOTIFY_SET,
            b'h' => NOTIFY_HASH,
            b'z' => NOTIFY_ZSET,
            b'x' => NOTIFY_EXPIRED,
            b'e' => NOTIFY_EVICTED,
            b'K' => NOTIFY_KEYSPACE,
            b'E' => NOTIFY_KEYEVENT,
            b't' => NOTIFY_STREAM,
            b'm' => NOTIFY_KEY_MISS,
            b'd' => NOTIFY_MODULE,
            b'n' => NOTIFY_NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Bits back into the canonical flags string (`AKE`, `gx`, …).
pub fn keyspace_events_to_string(flags: u32) -> String {
    let mut s = String::new();
    if flags & NOTIFY_ALL == NOTIFY_ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (NOTIFY_GENERIC, 'g'),
            (NOTIFY_STRING, '$'),
            (NOTIFY_LIST, 'l'),
            (NOTIFY_SET, 's'),
            (NOTIFY_HASH, 'h'),
            (NOTIFY_ZSET, 'z'),
            (NOTIFY_EXPIRED, 'x'),
            (NOTIFY_EVICTED, 'e'),
            (NOTIFY_STREAM, 't'),
            (NOTIFY_MODULE, 'd'),
            (NOTIFY_NEW, 'n'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    if flags & NOTIFY_KEYSPACE != 0 {
        s.push('K');
    }
    if flags & NOTIFY_KEYEVENT != 0 {
        s.push('E');
    }
    if flags & NOTIFY_KEY_MISS != 0 {
        s.push('m');
    }
    s
}

// ---------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------

/// Output buffer limits of one client class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObufLimit {
    pub hard_bytes: u64,
    pub soft_bytes: u64,
    pub soft_seconds: u64,
}

/// Client classes that have output buffer limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientClass {
    Normal = 0,
    Replica = 1,
    Pubsub = 2,
}

pub const OBUF_DEFAULTS: [ObufLimit; 3] = [
    ObufLimit {
        hard_bytes: 0,
        soft_bytes: 0,
        soft_seconds: 0,
    },
    ObufLimit {
        hard_bytes: 256 << 20,
        soft_bytes: 64 << 20,
        soft_seconds: 60,
    },
    ObufLimit {
        hard_bytes: 32 << 20,
        soft_bytes: 8 << 20,
        soft_seconds: 60,
    },
];

pub const OOM_DEFAULTS: [i32; 3] = [0, 200, 800];
pub const SAVE_DEFAULTS: &[(u64, u64)] = &[(3600, 1), (300, 100), (60, 10000)];
pub const BIND_DEFAULTS: &[&str] = &["*", "-::*"];
pub const PERCENTILES_DEFAULTS: &[f64] = &[50.0, 99.0, 99.9];

/// The current value of one directive.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Every numeric kind; unsigned 64-bit values keep their bit pattern.
    Num(i64),
    /// `None` is NULL.
    Str(Option<Vec<u8>>),
    Enum(i32),
    Save(Vec<(u64, u64)>),
    Obuf([ObufLimit; 3]),
    Oom([i32; 3]),
    Notify(u32),
    Addrs(Vec<String>),
    ReplicaOf(Option<(String, u16)>),
    Percentiles(Vec<f64>),
    Dir(String),
}

/// Per-load state the file parser threads through `parse_args`.
pub(crate) struct FileState {
    /// The first `save` line of a file replaces the defaults, later ones add.
    pub save_loaded: bool,
    /// Perform real side effects (`dir` changes the working directory).
    pub side_effects: bool,
}

pub(crate) fn current_dir_string() -> String {
    std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `strerror(errno)` text of an I/O error (without Rust's " (os error N)").
pub(crate) fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.rfind(" (os error ") {
        Some(p) => s[..p].to_string(),
        None => s,
    }
}

impl Def {
    /// The value a fresh server starts with.
    pub fn default_value(&self) -> Value {
        match self.kind {
            Kind::Bool { default } => Value::Bool(default),
            Kind::Num { default, .. } => Value::Num(default),
            Kind::Str { default, .. } => Value::Str(default.map(|s| s.as_bytes().to_vec())),
            Kind::Enum { default, .. } => Value::Enum(default),
            Kind::Special(s) => match s {
                Special::Dir => Value::Dir(current_dir_string()),
                Special::Save => Value::Save(SAVE_DEFAULTS.to_vec()),
                Special::ClientOutputBufferLimit => Value::Obuf(OBUF_DEFAULTS),
                Special::OomScoreAdjValues => Value::Oom(OOM_DEFAULTS),
                Special::NotifyKeyspaceEvents => Value::Notify(0),
                Special::Bind => {
                    Value::Addrs(BIND_DEFAULTS.iter().map(|s| s.to_string()).collect())
                }
                Special::RdmaBind => Value::Addrs(Vec::new()),
                Special::ReplicaOf => Value::ReplicaOf(None),
                Special::LatencyPercentiles => Value::Percentiles(PERCENTILES_DEFAULTS.to_vec()),
            },
        }
    }

    /// Parses the arguments of a config line / CONFIG SET into a new value.
    /// `old` is the current value (some directives update it partially).
    /// `file` is `Some` while reading a config file. Errors are Valkey's
    /// reason texts.
    pub(crate) fn parse_args(
        &self,
        old: &Value,
        args: &[&[u8]],
        file: Option<&mut FileState>,
    ) -> Result<Value, String> {
        match self.kind {
            Kind::Bool { .. } => match yes_no(args[0]) {
                Some(b) => Ok(Value::Bool(b)),
                None => Err("argument must be 'yes' or 'no'".into()),
            },
            Kind::Num {
                unsigned,
                fmt,
                min,
                max,
                ..
            } => {
                let v = parse_num(fmt, args[0])?;
                check_bounds(unsigned, fmt, min, max, v)?;
                Ok(Value::Num(v))
            }
            Kind::Str {
                empty_is_null,
                check,
                ..
            } => {
                let v = args[0];
                if let Some(check) = check {
                    check(v)?;
                }
                Ok(Value::Str(if empty_is_null && v.is_empty() {
                    None
                } else {
                    Some(v.to_vec())
                }))
            }
            Kind::Enum { values, check, .. } => {
                let v = enum_from_args(values, args, self.has(MULTI_ARG))
                    .ok_or_else(|| enum_error(values))?;
                if let Some(check) = check {
                    check(v)?;
                }
                Ok(Value::Enum(v))
            }
            Kind::Special(s) => parse_special(s, old, args, file),
        }
    }

    /// The value as CONFIG GET shows it.
    pub fn format(&self, v: &Value) -> Vec<u8> {
        match (self.kind, v) {
            (_, Value::Bool(b)) => {
                if *b {
                    b"yes".to_vec()
                } else {
                    b"no".to_vec()
                }
            }
            (Kind::Num { fmt, .. }, Value::Num(n)) => format_num(fmt, *n).into_bytes(),
            (_, Value::Str(s)) => s.clone().unwrap_or_default(),
            (Kind::Enum { values, .. }, Value::Enum(e)) => {
                enum_name(values, *e, self.has(MULTI_ARG)).into_bytes()
            }
            (_, Value::Save(list)) => list
                .iter()
                .map(|(s, c)| format!("{s} {c}"))
                .collect::<Vec<_>>()
                .join(" ")
                .into_bytes(),
            (_, Value::Obuf(l)) => {
                let names = ["normal", "slave", "pubsub"];
                (0..3)
                    .map(|i| {
                        format!(
                            "{} {} {} {}",
                            names[i], l[i].hard_bytes, l[i].soft_bytes, l[i].soft_seconds
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
                    .into_bytes()
            }
            (_, Value::Oom(v)) => format!("{} {} {}", v[0], v[1], v[2]).into_bytes(),
            (_, Value::Notify(f)) => keyspace_events_to_string(*f).into_bytes(),
            (_, Value::Addrs(a)) => a.join(" ").into_bytes(),
            (_, Value::ReplicaOf(Some((h, p)))) => format!("{h} {p}").into_bytes(),
            (_, Value::ReplicaOf(None)) => Vec::new(),
            (_, Value::Percentiles(p)) => p
                .iter()
                .map(|f| format_percentile(*f))
                .collect::<Vec<_>>()
                .join(" ")
                .into_bytes(),
            (_, Value::Dir(d)) => d.clone().into_bytes(),
            _ => Vec::new(),
        }
    }
}

pub(crate) fn parse_num(fmt: NumFmt, s: &[u8]) -> Result<i64, String> {
    if matches!(
        fmt,
        NumFmt::Memory | NumFmt::MemoryPercent | NumFmt::SignedMemory
    ) {
        if let Some(v) = memtoull(s) {
            return Ok(v as i64);
        }
    }
    if fmt == NumFmt::SignedMemory {
        if let Some(v) = string2ll(s) {
            return Ok(v);
        }
    }
    if fmt == NumFmt::MemoryPercent && s.len() > 1 && s[s.len() - 1] == b'%' {
        if let Some(v) = string2ll(&s[..s.len() - 1]) {
            if v >= 0 {
                return Ok(-v);
            }
        }
    }
    if fmt == NumFmt::Octal {
        if let Some((v, false)) = strtoll_full(s, 8) {
            return Ok(v);
        }
    }
    if fmt == NumFmt::Int {
        if let Some(v) = string2ll(s) {
            return Ok(v);
        }
    }
    Err(match fmt {
        NumFmt::MemoryPercent => "argument must be a memory or percent value",
        NumFmt::Memory | NumFmt::SignedMemory => "argument must be a memory value",
        NumFmt::Octal => "argument couldn't be parsed as an octal number",
        NumFmt::Int => "argument couldn't be parsed into an integer",
    }
    .into())
}

fn check_bounds(unsigned: bool, fmt: NumFmt, min: i64, max: i64, v: i64) -> Result<(), String> {
    if unsigned {
        let (u, lo, hi) = (v as u64, min as u64, max as u64);
        if u > hi || u < lo {
            return Err(if fmt == NumFmt::Octal {
                format!("argument must be between {lo:o} and {hi:o} inclusive")
            } else {
                format!("argument must be between {lo} and {hi} inclusive")
            });
        }
    } else if fmt == NumFmt::MemoryPercent && v < 0 {
        if v < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -min
            ));
        }
    } else if v > max || v < min {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(())
}

pub(crate) fn format_num(fmt: NumFmt, n: i64) -> String {
    match fmt {
        NumFmt::MemoryPercent if n < 0 => format!("{}%", -(n as i128)),
        NumFmt::SignedMemory if n < 0 => n.to_string(),
        NumFmt::Memory | NumFmt::MemoryPercent | NumFmt::SignedMemory => (n as u64).to_string(),
        NumFmt::Octal => format!("{:o}", n as u64),
        NumFmt::Int => n.to_string(),
    }
}

/// `configEnumGetValue`: every argument must name an entry (any case);
/// several arguments (bit flags) are OR-ed.
fn enum_from_args(values: &[(&str, i32)], args: &[&[u8]], bitflags: bool) -> Option<i32> {
    if args.is_empty() || (!bitflags && args.len() != 1) {
        return None;
    }
    let mut out = 0;
    for a in args {
        let mut matched = false;
        for (name, v) in values {
            if a.eq_ignore_ascii_case(name.as_bytes()) {
                out |= v;
                matched = true;
            }
        }
        if !matched {
            return None;
        }
    }
    Some(out)
}

fn enum_error(values: &[(&str, i32)]) -> String {
    let mut s = String::from("argument(s) must be one of the following: ");
    s.push_str(
        &values
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.truncate(255); // Valkey formats into a 256-byte buffer.
    s
}

/// `configEnumGetName`: the first exact match, else (bit flags) the names
/// of the set bits in table order, else `unknown`.
pub fn enum_name(values: &[(&str, i32)], v: i32, bitflags: bool) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut unmatched = v;
    for (name, val) in values {
        if *val == v {
            return (*name).to_string();
        }
        if bitflags && *val != 0 && *val == (unmatched & *val) {
            names.push(name);
            unmatched &= !*val;
        }
    }
    if names.is_empty() || unmatched != 0 {
        "unknown".into()
    } else {
        names.join(" ")
    }
}

fn format_percentile(f: f64) -> String {
    // "%f" then trimDoubleString.
    let s = format!("{f:.6}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn client_class(name: &[u8]) -> Option<usize> {
    let n = |s: &str| name.eq_ignore_ascii_case(s.as_bytes());
    if n("normal") {
        Some(0)
    } else if n("slave") || n("replica") {
        Some(1)
    } else if n("pubsub") {
        Some(2)
    } else {
        None // includes master/primary, which cannot be limited
    }
}

fn parse_special(
    s: Special,
    old: &Value,
    args: &[&[u8]],
    file: Option<&mut FileState>,
) -> Result<Value, String> {
    const WRONG_ARGS: &str = "wrong number of arguments";
    match s {
        Special::Dir => {
            if args.len() != 1 {
                return Err(WRONG_ARGS.into());
            }
            if args[0].is_empty() {
                return Err("dir can't be empty".into());
            }
            let side_effects = file.map(|f| f.side_effects).unwrap_or(true);
            let path = String::from_utf8_lossy(args[0]).into_owned();
            if side_effects {
                std::env::set_current_dir(&path).map_err(|e| strerror(&e))?;
                Ok(Value::Dir(current_dir_string()))
            } else {
                Ok(Value::Dir(path))
            }
        }
        Special::Save => {
            let mut args = args;
            let mut cleared = false;
            if args.len() == 1 && args[0].is_empty() {
                args = &[];
                cleared = true;
            }
            if !args.len().is_multiple_of(2) {
                return Err("Invalid save parameters".into());
            }
            let mut parsed = Vec::with_capacity(args.len() / 2);
            for pair in args.chunks(2) {
                let secs = strtoll_full(pair[0], 10).map(|v| v.0);
                let changes = strtoll_full(pair[1], 10).map(|v| v.0);
                match (secs, changes) {
                    (Some(s), Some(c)) if s >= 1 && c >= 0 => parsed.push((s as u64, c as u64)),
                    _ => return Err("Invalid save parameters".into()),
                }
            }
            let mut list = match (file, old) {
                // In a file, the first `save` line replaces the defaults and
                // later lines add to it; `save ""` clears.
                (Some(f), Value::Save(prev)) => {
                    if !f.save_loaded {
                        f.save_loaded = true;
                        Vec::new()
                    } else if cleared {
                        Vec::new()
                    } else {
                        prev.clone()
                    }
                }
                _ => Vec::new(),
            };
            list.extend(parsed);
            Ok(Value::Save(list))
        }
        Special::ClientOutputBufferLimit => {
            let Value::Obuf(prev) = old else {
                unreachable!()
            };
            if !args.len().is_multiple_of(4) {
                return Err("Wrong number of arguments in buffer limit configuration.".into());
            }
            let mut new = *prev;
            for g in args.chunks(4) {
                let class = client_class(g[0])
                    .ok_or("Invalid client class specified in buffer limit configuration.")?;
                let hard = memtoull(g[1]);
                let soft = memtoull(g[2]);
                let secs = strtoll_full(g[3], 10).map(|v| v.0 as i32);
                match (hard, soft, secs) {
                    (Some(h), Some(s), Some(secs)) if secs >= 0 => {
                        new[class] = ObufLimit { hard_bytes: h, soft_bytes: s, soft_seconds: secs as u64 };
                    }
                    _ => return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration.".into()),
                }
            }
            Ok(Value::Obuf(new))
        }
        Special::OomScoreAdjValues => {
            if args.len() != 3 {
                return Err(WRONG_ARGS.into());
            }
            let mut v = [0i32; 3];
            for (i, a) in args.iter().enumerate() {
                match strtoll_full(a, 10) {
                    Some((n, _)) if (-2000..=2000).contains(&n) => v[i] = n as i32,
                    _ => return Err(
                        "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
                            .into(),
                    ),
                }
            }
            Ok(Value::Oom(v))
        }
        Special::NotifyKeyspaceEvents => {
            if args.len() != 1 {
                return Err(WRONG_ARGS.into());
            }
            keyspace_events_from_str(args[0])
                .map(Value::Notify)
                .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
        }
        Special::Bind | Special::RdmaBind => {
            if args.len() > 16 {
                return Err("Too many bind addresses specified.".into());
            }
            let args = if args.len() == 1 && args[0].is_empty() {
                &[][..]
            } else {
                args
            };
            Ok(Value::Addrs(
                args.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect(),
            ))
        }
        Special::ReplicaOf => {
            if args.len() != 2 {
                return Err(WRONG_ARGS.into());
            }
            if args[0].eq_ignore_ascii_case(b"no") && args[1].eq_ignore_ascii_case(b"one") {
                return Ok(Value::ReplicaOf(None));
            }
            match strtoll_full(args[1], 10) {
                Some((p, false)) if (0..=65535).contains(&p) => Ok(Value::ReplicaOf(Some((
                    String::from_utf8_lossy(args[0]).into_owned(),
                    p as u16,
                )))),
                _ => Err("Invalid primary port".into()),
            }
        }
        Special::LatencyPercentiles => {
            if args.len() == 1 && args[0].is_empty() {
                return Ok(Value::Percentiles(Vec::new()));
            }
            let mut out = Vec::with_capacity(args.len());
            for a in args {
                let f = parse_double(a)
                    .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
                if !(0.0..=100.0).contains(&f) {
                    return Err("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]".into());
                }
                out.push(f);
            }
            Ok(Value::Percentiles(out))
        }
    }
}

/// `string2d`: the whole string must be a number, no leading space, no NaN,
/// no overflow to infinity (an explicit `inf` is fine).
fn parse_double(s: &[u8]) -> Option<f64> {
    let t = std::str::from_utf8(s).ok()?;
    if t.is_empty() || t.as_bytes()[0].is_ascii_whitespace() {
        return None;
    }
    let f: f64 = t.parse().ok()?;
    if f.is_nan() || (f.is_infinite() && !t.to_ascii_lowercase().contains("inf")) {
        return None;
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_rows() {
        assert_eq!(Id::ALL.len(), TABLE.len());
        for (i, id) in Id::ALL.iter().enumerate() {
            assert_eq!(*id as usize, i);
        }
    }

    #[test]
    fn names_unique_lowercase_and_defaults_valid() {
        let mut seen = std::collections::HashSet::new();
        for def in TABLE {
            assert_eq!(def.name, def.name.to_ascii_lowercase());
            assert!(seen.insert(def.name), "duplicate {}", def.name);
            if let Some(a) = def.alias {
                assert!(seen.insert(a), "duplicate alias {a}");
            }
            match def.kind {
                Kind::Num {
                    unsigned,
                    fmt,
                    min,
                    max,
                    default,
                } => {
                    check_bounds(unsigned, fmt, min, max, default)
                        .unwrap_or_else(|e| panic!("{}: {e}", def.name));
                }
                Kind::Enum {
                    values, default, ..
                } => {
                    assert!(values.iter().any(|(_, v)| *v == default), "{}", def.name);
                }
                Kind::Str {
                    default: Some(d),
                    check: Some(c),
                    ..
                } => {
                    c(d.as_bytes()).unwrap_or_else(|e| panic!("{}: {e}", def.name));
                }
                _ => {}
            }
        }
        assert!(TABLE.len() >= 200, "{}", TABLE.len());
    }

    #[test]
    fn lookup_names_and_aliases() {
        assert_eq!(lookup(b"port"), Some((Id::Port, false)));
        assert_eq!(lookup(b"PORT"), Some((Id::Port, false)));
        assert_eq!(lookup(b"slaveof"), Some((Id::Replicaof, true)));
        assert_eq!(
            lookup(b"hash-max-ziplist-entries"),
            Some((Id::HashMaxListpackEntries, true))
        );
        assert_eq!(lookup(b"nope"), None);
        assert_eq!(lookup(&[b'a'; 100]), None);
        assert_eq!(lookup(b"\xff"), None);
    }

    #[test]
    fn keyspace_events() {
        assert_eq!(
            keyspace_events_from_str(b"KEA"),
            Some(NOTIFY_ALL | NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)
        );
        assert_eq!(
            keyspace_events_to_string(keyspace_events_from_str(b"KEA").unwrap()),
            "AKE"
        );
        assert_eq!(
            keyspace_events_to_string(keyspace_events_from_str(b"Egx").unwrap()),
            "gxE"
        );
        // Valkey drops `n` when `A` is shown.
        assert_eq!(
            keyspace_events_to_string(keyspace_events_from_str(b"Anm").unwrap()),
            "Am"
        );
        assert_eq!(
            keyspace_events_to_string(keyspace_events_from_str(b"gn").unwrap()),
            "gn"
        );
        assert_eq!(keyspace_events_from_str(b""), Some(0));
        assert_eq!(keyspace_events_from_str(b"Q"), None);
    }

    #[test]
    fn enum_names() {
        assert_eq!(enum_name(SHUTDOWN_ON_SIG_ENUM, 0, true), "default");
        assert_eq!(enum_name(SHUTDOWN_ON_SIG_ENUM, 1 | 4, true), "save now");
        assert_eq!(enum_name(OOM_SCORE_ADJ_ENUM, 1, false), "yes");
        assert_eq!(enum_name(LOGLEVEL_ENUM, 99, false), "unknown");
        assert_eq!(
            enum_from_args(SHUTDOWN_ON_SIG_ENUM, &[b"NOW", b"force"], true),
            Some(12)
        );
        assert_eq!(
            enum_from_args(LOGLEVEL_ENUM, &[b"debug", b"notice"], false),
            None
        );
    }

    #[test]
    fn proc_title() {
        assert!(check_proc_title_template(b"{title} {listen-addr} {server-mode}").is_ok());
        assert!(check_proc_title_template(b"{{literal {port}").is_ok());
        assert!(check_proc_title_template(b"{title}").is_err());
        assert!(check_proc_title_template(b"{nope}").is_err());
        assert!(check_proc_title_template(b"{port").is_err());
        assert!(check_proc_title_template(b"x {").is_err());
    }

    #[test]
    fn percentile_format() {
        assert_eq!(format_percentile(50.0), "50");
        assert_eq!(format_percentile(99.9), "99.9");
        assert_eq!(format_percentile(0.0), "0");
        assert_eq!(format_percentile(12.5), "12.5");
    }

    #[test]
    fn number_formats() {
        assert_eq!(format_num(NumFmt::MemoryPercent, -50), "50%");
        assert_eq!(format_num(NumFmt::Memory, -1), "18446744073709551615");
        assert_eq!(format_num(NumFmt::Octal, 0o755), "755");
        assert_eq!(format_num(NumFmt::Int, -2), "-2");
        assert_eq!(parse_num(NumFmt::MemoryPercent, b"50%"), Ok(-50));
        assert_eq!(parse_num(NumFmt::MemoryPercent, b"5mb"), Ok(5 << 20));
        assert!(parse_num(NumFmt::MemoryPercent, b"-5%").is_err());
        assert_eq!(parse_num(NumFmt::Octal, b"0777"), Ok(0o777));
    }
}
