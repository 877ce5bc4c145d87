//! DEBUG: Valkey's developer and test-suite toolbox (DIGEST, POPULATE,
//! OBJECT, SLEEP, PROTOCOL, SET-ACTIVE-EXPIRE, ...).
//!
//! Client test suites lean on it heavily (DEBUG POPULATE to fill a
//! database, DEBUG DIGEST to compare datasets, DEBUG SLEEP to stall the
//! server), so the subcommands, their replies and their errors follow
//! Valkey's debug.c. Like Valkey it is refused unless `enable-debug-command`
//! allows it. One private extension, `DEBUG PROPAGATED`, exposes what
//! would be sent to the AOF and replicas until those subsystems exist.

use super::client::reply_help;
use super::eq_ic;
use crate::config::EnableDebug;
use crate::server::{err, CmdResult, CommandTable, Ctx};
use crate::types::{Str, Value};
use crate::util::num::parse_i64;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("debug", debug);
}

const HELP: &[&str] = &[
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a RESP protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate error replies.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid> [full]",
    "    Return hash table statistics of the specified database.",
    "HTSTATS-KEY <key> [full]",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "MALLCTL <key> [<val>]",
    "    Get or set a malloc tuning integer.",
    "MALLCTL-STR <key> [<val>]",
    "    Get or set a malloc tuning string.",
    "OBJECT <key> [fast]",
    "    Show low level info about `key` and associated value.",
    "    Some fields of the default behavior may be time consuming to fetch,",
    "    and `fast` can be passed to avoid fetching them.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets or -2 to drop all packets.",
    "CLOSE-CLUSTER-LINK-ON-PACKET-DROP <0|1>",
    "    This is valid only when DROP-CLUSTER-PACKET-FILTER is set to a valid packet type.",
    "    When set to 1, the cluster link is closed after dropping a packet based on the filter.",
    "DISABLE-CLUSTER-RANDOM-PING <0|1>",
    "    Disable sending cluster ping to a random node every second.",
    "DISABLE-CLUSTER-RECONNECTION <0|1>",
    "    Disable cluster reconnection of cluster nodes.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "PAUSE-AFTER-FORK <0|1>",
    "    Stop the server's main process after fork.",
    "DELAY-RDB-CLIENT-FREE-SECOND <seconds>",
    "    Grace period in seconds for replica main channel to establish psync.",
    "DICT-RESIZING <0|1>",
    "    Enable or disable the main dict and expire dict resizing.",
    "CLIENT-ENFORCE-REPLY-LIST <0|1>",
    "When set to 1, it enforces the use of the client reply list directly",
    "    and avoids using the client's static buffer.",
];

const NOT_ALLOWED: &str = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

/// Is the caller on a unix socket or a loopback address?
fn is_local(ctx: &Ctx) -> bool {
    ctx.client.local
}

/// C's atoi: leading integer, 0 when there is none.
fn atoi(b: &[u8]) -> i64 {
    let s = std::str::from_utf8(b).unwrap_or("").trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |a, d| {
            a.saturating_mul(10).saturating_add((d - b'0') as i64)
        });
    if neg {
        -n
    } else {
        n
    }
}

/// C's strtod prefix parse, 0.0 when nothing parses.
fn strtod(b: &[u8]) -> f64 {
    let b = &b[..b.len().min(64)];
    let s = std::str::from_utf8(b).unwrap_or("").trim_start();
    (1..=s.len())
        .rev()
        .filter(|&i| s.is_char_boundary(i))
        .find_map(|i| s[..i].parse::<f64>().ok())
        .unwrap_or(0.0)
}

/// Valkey's memtoull: a size with an optional b/k/kb/m/mb/g/gb unit.
fn memtoull(b: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(b).ok()?.to_ascii_lowercase();
    let digits_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(digits_end);
    let mul: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    num.parse::<u64>().ok()?.checked_mul(mul)
}

fn subcommand_error(sub: &[u8]) -> crate::server::CmdError {
    let name = String::from_utf8_lossy(&sub[..sub.len().min(128)]).into_owned();
    format!("ERR unknown subcommand or wrong number of arguments for '{name}'. Try DEBUG HELP.")
        .into()
}

/// Log at warning level and abort the process (Valkey crashes here too).
fn crash(msg: &str) -> ! {
    tracing::warn!("{msg}");
    std::process::abort()
}

fn debug(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.srv.config.enable_debug_command() {
        EnableDebug::Yes => {}
        EnableDebug::Local if is_local(ctx) => {}
        _ => return Err(NOT_ALLOWED.into()),
    }
    let sub = argv[1].to_ascii_lowercase();
    let argc = argv.len();
    match (sub.as_slice(), argc) {
        (b"help", 2) => reply_help(ctx, "DEBUG", HELP),
        (b"segfault", _) => crash("DEBUG SEGFAULT: crashing the server on request."),
        (b"panic", _) => {
            tracing::warn!("------------------------------------------------");
            tracing::warn!("!!! Software Failure. Press left mouse button to continue");
            crash(&format!(
                "Guru Meditation: DEBUG PANIC called at Unix time {} #debug.rs",
                ctx.srv.now_ms / 1000
            ))
        }
        (b"assert", _) => {
            tracing::warn!("=== ASSERTION FAILED ===");
            crash("==> debug.rs '1 == 2' is not true")
        }
        (b"oom", _) => crash("Out Of Memory allocating 9223372036854775807 bytes!"),
        (b"restart" | b"crash-and-recover", _) => {
            if let Some(d) = argv.get(2) {
                parse_i64(d).ok_or(err::NOT_INT)?;
            }
            return Err("ERR failed to restart the server. Check server logs.".into());
        }
        (b"log", 3) => {
            tracing::warn!("DEBUG LOG: {}", String::from_utf8_lossy(&argv[2]));
            ctx.reply().ok();
        }
        (b"leak", 3) => ctx.reply().ok(),
        (b"reload", _) => {
            for opt in &argv[2..] {
                if !(eq_ic(opt, "merge") || eq_ic(opt, "noflush") || eq_ic(opt, "nosave")) {
                    return Err(
                        "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."
                            .into(),
                    );
                }
            }
            let has = |o: &str| argv[2..].iter().any(|a| eq_ic(a, o));
            let (save, flush, merge) = (!has("nosave"), !has("noflush"), has("merge"));
            if save && ctx.srv.save_now().is_err() {
                return Err("ERR".into());
            }
            if flush {
                for id in 0..ctx.srv.dbs.len() {
                    super::generic::empty_db(ctx.srv, id, false);
                }
            }
            if ctx.srv.load_rdb_file(merge).is_err() {
                return Err("ERR Error trying to load the RDB dump, check server logs.".into());
            }
            tracing::info!("DB reloaded by DEBUG RELOAD");
            ctx.reply().ok();
        }
        (b"loadaof", _) => {
            return Err(
                "ERR DEBUG LOADAOF needs AOF persistence, which is not available yet".into(),
            )
        }
        (b"object", 3 | 4) => debug_object(ctx, argv)?,
        (b"sdslen", 3) => debug_sdslen(ctx, &argv[2])?,
        (b"listpack", 3) => {
            existing(ctx, &argv[2])?;
            return Err("ERR Not a listpack encoded object.".into());
        }
        (b"quicklist", 3 | 4) => {
            existing(ctx, &argv[2])?;
            return Err("ERR Not a quicklist encoded object.".into());
        }
        (b"populate", 3..=5) => populate(ctx, argv)?,
        (b"digest", 2) => {
            let d = dataset_digest(ctx);
            ctx.reply().simple(&hex(&d));
        }
        (b"digest-value", _) => {
            let db = ctx.client.db;
            let digests: Vec<[u8; 20]> = argv[2..]
                .iter()
                .map(|k| {
                    let mut d = [0u8; 20];
                    if let Some((v, exp)) = ctx.srv.dbs[db].dict.get_with_expire(k) {
                        xor_object_digest(&mut d, v, exp.is_some());
                    }
                    d
                })
                .collect();
            let r = ctx.reply();
            r.array(digests.len());
            for d in digests {
                r.simple(&hex(&d));
            }
        }
        (b"protocol", 3) => protocol(ctx, &argv[2])?,
        (b"sleep", 3) => {
            let secs = strtod(&argv[2]);
            if secs > 0.0 && secs.is_finite() {
                std::thread::sleep(std::time::Duration::from_secs_f64(secs.min(1e9)));
            }
            ctx.reply().ok();
        }
        (b"set-active-expire", 3) => {
            ctx.srv.active_expire_enabled = atoi(&argv[2]) != 0;
            ctx.reply().ok();
        }
        (b"quicklist-packed-threshold", 3) => match memtoull(&argv[2]) {
            // Quicklists arrive with the list type; the value is only
            // validated for now.
            Some(sz) if sz <= (1u64 << 32) - (1 << 20) => ctx.reply().ok(),
            _ => {
                return Err(
                    "ERR argument must be a memory value bigger than 1 and smaller than 4gb".into(),
                )
            }
        },
        (
            b"set-skip-checksum-validation"
            | b"aof-flush-sleep"
            | b"set-disable-deny-scripts"
            | b"close-cluster-link-on-packet-drop"
            | b"disable-cluster-random-ping"
            | b"disable-cluster-reconnection"
            | b"pause-cron"
            | b"pause-after-fork"
            | b"delay-rdb-client-free-seconds"
            | b"dict-resizing"
            | b"client-enforce-reply-list",
            3,
        ) => ctx.reply().ok(),
        (b"drop-cluster-packet-filter", 3) => {
            parse_i64(&argv[2]).ok_or(err::NOT_INT)?;
            ctx.reply().ok();
        }
        (b"replybuffer", 4) => {
            if eq_ic(&argv[2], "peak-reset-time") {
                if !eq_ic(&argv[3], "never") && !eq_ic(&argv[3], "reset") {
                    parse_i64(&argv[3]).ok_or(err::NOT_INT)?;
                }
            } else if !eq_ic(&argv[2], "resizing") {
                return Err(subcommand_error(&argv[1]));
            }
            ctx.reply().ok();
        }
        (b"replicate", 3..) => {
            let db = ctx.client.db;
            ctx.srv.propagate(db, argv[2..].to_vec());
            ctx.reply().ok();
        }
        (b"error", 3) => {
            // A raw error reply: not counted in the error statistics.
            let text = String::from_utf8_lossy(&argv[2]).into_owned();
            ctx.reply().error(&text);
        }
        (b"structsize", 2) => ctx.reply().bulk(
            b"bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 sdshdr32:9 sdshdr64:17 ",
        ),
        (b"htstats", 3..) => {
            let id = parse_i64(&argv[2]).ok_or(err::NOT_INT)?;
            if id < 0 || id as usize >= ctx.srv.dbs.len() {
                return Err("ERR Out of range database".into());
            }
            let db = &ctx.srv.dbs[id as usize];
            let mut s = String::from("[Dictionary HT]\n");
            if !db.is_empty() {
                s.push_str(&format!(
                    "Hash table 0 stats (main hash table):\n table size: {}\n number of elements: {}\n",
                    db.dict.mem_overhead() / 40,
                    db.len()
                ));
            }
            s.push_str("[Expires HT]\n");
            if db.expires_len() > 0 {
                s.push_str(&format!(
                    "Hash table 0 stats (main hash table):\n number of elements: {}\n",
                    db.expires_len()
                ));
            }
            ctx.reply().verbatim(s.as_bytes(), "txt");
        }
        (b"htstats-key", 3..) => {
            existing(ctx, &argv[2])?;
            return Err(
                "ERR The value stored at the specified key is not represented using an hash table"
                    .into(),
            );
        }
        (b"change-repl-id", 2) => {
            tracing::info!("Changing replication IDs after receiving DEBUG change-repl-id");
            let mut id = String::with_capacity(40);
            for _ in 0..40 {
                let n = ctx.srv.random() % 16;
                id.push(char::from_digit(n as u32, 16).unwrap_or('0'));
            }
            ctx.srv.replid = id;
            ctx.reply().ok();
        }
        (b"stringmatch-test" | b"stringmatch-len", 2) => {
            ctx.reply()
                .simple("Apparently the server did not crash: test passed");
        }
        (b"config-rewrite-force-all", 2) => {
            let path = ctx.srv.config_file.clone().unwrap_or_default();
            if let Err(e) = ctx.srv.config.rewrite(&path) {
                return Err(format!("ERR CONFIG-REWRITE-FORCE-ALL failed: {e}").into());
            }
            ctx.reply().ok();
        }
        (b"client-eviction", 2) => return Err("ERR maxmemory-clients is disabled.".into()),
        (b"jmap", 2) => {
            tracing::info!("DEBUG JMAP: allocator statistics follow");
            ctx.reply().ok();
        }
        (b"protect-client", 3) => {
            let id = std::str::from_utf8(&argv[2])
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or("ERR Invalid client id")?;
            let exists = ctx.client.id == id || ctx.srv.other_clients().any(|c| c.id == id);
            if !exists {
                return Err("ERR No such client".into());
            }
            ctx.reply().ok();
        }
        (b"propagated", 2 | 3) => propagated(ctx, argv.get(2))?,
        _ => return Err(subcommand_error(&argv[1])),
    }
    Ok(())
}

/// `ERR no such key` unless the key exists (expired or not: DEBUG looks at
/// the raw table like Valkey's dbFind).
fn existing(ctx: &Ctx, key: &[u8]) -> CmdResult {
    if ctx.srv.dbs[ctx.client.db].dict.contains_key(key) {
        Ok(())
    } else {
        Err(err::NO_SUCH_KEY.into())
    }
}

/// Length of a string as RDB would store it (no LZF compression yet).
fn rdb_string_len(s: &Str) -> usize {
    fn int_len(n: i64) -> Option<usize> {
        if i8::try_from(n).is_ok() {
            Some(2)
        } else if i16::try_from(n).is_ok() {
            Some(3)
        } else if i32::try_from(n).is_ok() {
            Some(5)
        } else {
            None
        }
    }
    fn len_prefix(n: usize) -> usize {
        if n < 1 << 6 {
            1
        } else if n < 1 << 14 {
            2
        } else if n as u64 <= u32::MAX as u64 {
            5
        } else {
            9
        }
    }
    let len = s.len();
    if len <= 11 {
        if let Some(l) = s.as_i64().and_then(int_len) {
            return l;
        }
    }
    // rdbcompression (on by default) tries LZF on strings over 20 bytes and
    // keeps the result when it saves at least 4 bytes.
    if len > 20 {
        let clen = s.with_bytes(|b| lzf_compressed_len(b, len - 4));
        if clen > 0 {
            return 1 + len_prefix(clen) + len_prefix(len) + clen;
        }
    }
    len_prefix(len) + len
}

/// Size of liblzf's output for `input` (as configured in Valkey: HLOG 16,
/// VERY_FAST), or 0 when it would exceed `out_len` bytes. Only the length
/// is computed; the encoder's decisions are reproduced exactly so the size
/// matches what Valkey writes to an RDB file.
fn lzf_compressed_len(input: &[u8], out_len: usize) -> usize {
    const HLOG: u32 = 16;
    const HSIZE: usize = 1 << HLOG;
    const MAX_LIT: usize = 1 << 5;
    const MAX_OFF: usize = 1 << 13;
    const MAX_REF: usize = (1 << 8) + (1 << 3);
    let n = input.len();
    if n < 3 || out_len == 0 {
        return 0;
    }
    let idx = |h: u32| ((h >> (24 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1);
    let first = |p: usize| (u32::from(input[p]) << 8) | u32::from(input[p + 1]);
    let next = |v: u32, p: usize| (v << 8) | u32::from(input[p + 2]);
    // Offsets of earlier positions; 0 doubles as "empty" as in liblzf.
    let mut htab = vec![0u32; HSIZE];
    let (mut ip, mut op, mut lit) = (0usize, 1usize, 0usize);
    let mut hval = first(0);
    while ip < n - 2 {
        hval = next(hval, ip);
        let slot = idx(hval);
        let r = htab[slot] as usize;
        htab[slot] = ip as u32;
        let matched = r > 0
            && r < ip
            && ip - r - 1 < MAX_OFF
            && input[r + 2] == input[ip + 2]
            && input[r] == input[ip]
            && input[r + 1] == input[ip + 1];
        if matched {
            let maxlen = (n - ip - 2).min(MAX_REF);
            if op + 4 >= out_len && op - usize::from(lit == 0) + 4 >= out_len {
                return 0;
            }
            op -= usize::from(lit == 0);
            let mut len = 2;
            while len < maxlen && input[r + len] == input[ip + len] {
                len += 1;
            }
            len -= 2;
            ip += 1;
            op += if len < 7 { 2 } else { 3 };
            lit = 0;
            op += 1;
            ip += len + 1;
            if ip >= n - 2 {
                break;
            }
            ip -= 2;
            hval = first(ip);
            hval = next(hval, ip);
            htab[idx(hval)] = ip as u32;
            ip += 1;
            hval = next(hval, ip);
            htab[idx(hval)] = ip as u32;
            ip += 1;
        } else {
            if op >= out_len {
                return 0;
            }
            lit += 1;
            op += 1;
            ip += 1;
            if lit == MAX_LIT {
                lit = 0;
                op += 1;
            }
        }
    }
    if op + 3 > out_len {
        return 0;
    }
    while ip < n {
        lit += 1;
        op += 1;
        ip += 1;
        if lit == MAX_LIT {
            lit = 0;
            op += 1;
        }
    }
    op - usize::from(lit == 0)
}

fn debug_object(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let fast = argv.len() == 4 && eq_ic(&argv[3], "fast");
    let now_ms = ctx.srv.now_ms;
    let dict = &ctx.srv.dbs[ctx.client.db].dict;
    let Some(v) = dict.get(&argv[2]) else {
        return Err(err::NO_SUCH_KEY.into());
    };
    let lru = dict.clock_of(&argv[2]).unwrap_or(0);
    let idle = crate::keyspace::access::idle_ms(lru, now_ms) / 1000;
    let decay = ctx.srv.config.lfu_decay_time();
    let mut s = format!(
        "Value at:{:p} refcount:1 encoding:{}",
        v as *const Value,
        v.encoding()
    );
    if !fast {
        let len = match v {
            Value::Str(st) => rdb_string_len(st),
            // TODO: exact RDB length once aggregates are serialized.
            other => other.heap_size(),
        };
        s.push_str(&format!(" serializedlength:{len}"));
    }
    s.push_str(&format!(
        " lru:{lru} lru_seconds_idle:{idle} lfu_freq:{} lfu_access_time_minutes:{}",
        crate::keyspace::access::lfu_counter(lru, now_ms, decay),
        lru >> 8
    ));
    ctx.reply().simple(&s);
    Ok(())
}

fn debug_sdslen(ctx: &mut Ctx, key: &[u8]) -> CmdResult {
    let Some(v) = ctx.srv.dbs[ctx.client.db].dict.get(key) else {
        return Err(err::NO_SUCH_KEY.into());
    };
    let Value::Str(s) = v else {
        return Err("ERR Not an sds encoded string.".into());
    };
    if s.encoding() == "int" {
        return Err("ERR Not an sds encoded string.".into());
    }
    let val_len = s.len();
    let alloc = s.heap_size();
    let val_alloc = if s.encoding() == "raw" { alloc } else { 0 };
    let obj_alloc =
        super::server::je_size(16 + key.len() + 3 + if val_alloc == 0 { val_len + 4 } else { 8 });
    let text = format!(
        "key_sds_len:{} key_sds_avail:0 obj_alloc:{} val_sds_len:{} val_sds_avail:{} val_alloc:{}",
        key.len(),
        obj_alloc,
        val_len,
        alloc.saturating_sub(16).saturating_sub(val_len),
        val_alloc
    );
    ctx.reply().simple(&text);
    Ok(())
}

/// DEBUG POPULATE count [prefix] [size]: keys `prefix:N` holding
/// `value:N`, zero-padded or truncated to `size` bytes; existing keys are
/// left alone. Not propagated and not counted as changes, like Valkey.
fn populate(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let count = parse_i64(&argv[2]).ok_or(err::NOT_INT)?;
    if count < 0 {
        return Err(err::NOT_POSITIVE.into());
    }
    let prefix: &[u8] = argv.get(3).map(|b| &b[..]).unwrap_or(b"key");
    let size = match argv.get(4) {
        Some(a) => {
            let n = parse_i64(a).ok_or(err::NOT_INT)?;
            if n < 0 {
                return Err(err::NOT_POSITIVE.into());
            }
            // Valkey would abort on an allocation this large; refuse it.
            if n as u64 > ctx.srv.config.proto_max_bulk_len() {
                return Err("ERR value size exceeds proto-max-bulk-len".into());
            }
            n as usize
        }
        None => 0,
    };
    let now = ctx.srv.now_ms;
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let mut key = Vec::with_capacity(prefix.len() + 21);
    let mut val = Vec::with_capacity(size.max(26));
    let mut num = itoa::Buffer::new();
    for j in 0..count as u64 {
        let digits = num.format(j).as_bytes();
        key.clear();
        key.extend_from_slice(prefix);
        key.push(b':');
        key.extend_from_slice(digits);
        if db.contains(&key, now) {
            continue;
        }
        val.clear();
        val.extend_from_slice(b"value:");
        val.extend_from_slice(digits);
        if size != 0 {
            val.resize(size, 0);
        }
        db.add(&key, Value::Str(Str::from_bytes_no_int(&val)));
    }
    ctx.reply().ok();
    Ok(())
}

fn sha1(data: &[u8]) -> [u8; 20] {
    sha1_smol::Sha1::from(data).digest().bytes()
}

/// digest ^= SHA1(data): order-independent accumulation.
fn xor_digest(digest: &mut [u8; 20], data: &[u8]) {
    for (d, h) in digest.iter_mut().zip(sha1(data)) {
        *d ^= h;
    }
}

/// digest = SHA1(digest ^ SHA1(data)): order-dependent accumulation.
fn mix_digest(digest: &mut [u8; 20], data: &[u8]) {
    xor_digest(digest, data);
    *digest = sha1(&digest[..]);
}

/// Valkey's object type codes (OBJ_STRING, OBJ_LIST, ...), mixed into the
/// digest so equal bytes of different types differ.
fn type_code(v: &Value) -> u32 {
    match v {
        Value::Str(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
    }
}

/// Valkey's xorObjectDigest: type, value contents, then the expire marker.
fn xor_object_digest(digest: &mut [u8; 20], v: &Value, has_expire: bool) {
    mix_digest(digest, &type_code(v).to_be_bytes());
    match v {
        Value::Str(s) => s.with_bytes(|b| mix_digest(digest, b)),
        // Lists are ordered; sets, sorted sets and hashes are digested
        // element by element and xor-ed, so their order does not matter.
        Value::List(l) => {
            for e in l.iter() {
                e.with_bytes(|b| mix_digest(digest, b));
            }
        }
        Value::Set(st) => {
            for m in st.iter() {
                m.with_bytes(|b| xor_digest(digest, b));
            }
        }
        Value::ZSet(z) => {
            for (m, score) in z.to_vec() {
                let mut ed = [0u8; 20];
                mix_digest(&mut ed, &m);
                mix_digest(&mut ed, crate::util::num::format_double(score).as_bytes());
                xor_digest(digest, &ed);
            }
        }
        Value::Hash(h) => {
            for (f, val) in h.iter_at(i64::MIN) {
                let mut ed = [0u8; 20];
                f.with_bytes(|b| mix_digest(&mut ed, b));
                val.with_bytes(|b| mix_digest(&mut ed, b));
                xor_digest(digest, &ed);
            }
        }
    }
    if has_expire {
        xor_digest(digest, b"!!expire!!");
    }
}

/// DEBUG DIGEST: per database, mix in the db index, then xor every
/// key/value digest. All zeros for an empty dataset.
fn dataset_digest(ctx: &Ctx) -> [u8; 20] {
    let mut fin = [0u8; 20];
    for (j, db) in ctx.srv.dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix_digest(&mut fin, &(j as u32).to_be_bytes());
        for (k, v, exp) in db.dict.iter() {
            let mut d = [0u8; 20];
            mix_digest(&mut d, k);
            xor_object_digest(&mut d, v, exp.is_some());
            xor_digest(&mut fin, &d);
        }
    }
    fin
}

fn hex(d: &[u8; 20]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn protocol(ctx: &mut Ctx, name: &[u8]) -> CmdResult {
    let resp3 = ctx.client.reply.resp3;
    let r = ctx.reply();
    if eq_ic(name, "string") {
        r.bulk(b"Hello World");
    } else if eq_ic(name, "integer") {
        r.int(12345);
    } else if eq_ic(name, "double") {
        // Valkey's literal test value, not an approximation of pi.
        #[allow(clippy::approx_constant)]
        r.double(3.141);
    } else if eq_ic(name, "bignum") {
        r.big_number("1234567999999999999999999999999999999");
    } else if eq_ic(name, "null") {
        r.null();
    } else if eq_ic(name, "array") {
        r.array(3);
        (0..3).for_each(|j| r.int(j));
    } else if eq_ic(name, "set") {
        r.set(3);
        (0..3).for_each(|j| r.int(j));
    } else if eq_ic(name, "map") {
        r.map(3);
        for j in 0..3 {
            r.int(j);
            r.boolean(j == 1);
        }
    } else if eq_ic(name, "attrib") {
        if resp3 {
            r.raw(b"|1\r\n");
            r.bulk(b"key-popularity");
            r.array(2);
            r.bulk(b"key:123");
            r.int(90);
        }
        r.bulk(b"Some real reply following the attribute");
    } else if eq_ic(name, "push") {
        if !resp3 {
            return Err("ERR RESP2 is not supported by this command".into());
        }
        r.push(2);
        r.bulk(b"server-cpu-usage");
        r.int(42);
        r.bulk(b"Some real reply following the push reply");
    } else if eq_ic(name, "true") {
        r.boolean(true);
    } else if eq_ic(name, "false") {
        r.boolean(false);
    } else if eq_ic(name, "verbatim") {
        r.verbatim(b"This is a verbatim\nstring", "txt");
    } else {
        return Err("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false".into());
    }
    Ok(())
}

/// DEBUG PROPAGATED [count|RESET] (valkey-rs extension): the newest
/// propagated commands, oldest first, each as `[db, arg, arg, ...]` with
/// the db as an integer. RESET forgets them. Recording is off until the
/// first use (nothing else consumes the feed before AOF/replication), so
/// tests start with `DEBUG PROPAGATED RESET`.
fn propagated(ctx: &mut Ctx, arg: Option<&Bytes>) -> CmdResult {
    ctx.srv.record_propagation = true;
    let total = ctx.srv.propagated.len();
    let count = match arg {
        Some(a) if eq_ic(a, "reset") => {
            ctx.srv.propagated.clear();
            ctx.reply().ok();
            return Ok(());
        }
        Some(a) => {
            let n = parse_i64(a).ok_or(err::NOT_INT)?;
            if n < 0 {
                return Err(err::NOT_POSITIVE.into());
            }
            (n as usize).min(total)
        }
        None => total,
    };
    let entries: Vec<(usize, Vec<Bytes>)> = ctx
        .srv
        .propagated
        .iter()
        .skip(total - count)
        .cloned()
        .collect();
    let r = ctx.reply();
    r.array(entries.len());
    for (db, args) in entries {
        r.array(args.len() + 1);
        r.int(db as i64);
        for a in args {
            r.bulk(&a);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Digests computed by a real server (Redis 7.0 shares Valkey's
    /// algorithm) for `SET foo bar` in db 0.
    #[test]
    fn digest_matches_reference_server() {
        let v = Value::Str(Str::from_bytes(b"bar"));
        let mut d = [0u8; 20];
        xor_object_digest(&mut d, &v, false);
        assert_eq!(hex(&d), "68467c70ae30376e7ce005bcc8827f5ba7fd67dc");
        let mut fin = [0u8; 20];
        mix_digest(&mut fin, &0u32.to_be_bytes());
        let mut kd = [0u8; 20];
        mix_digest(&mut kd, b"foo");
        xor_object_digest(&mut kd, &v, false);
        xor_digest(&mut fin, &kd);
        assert_eq!(hex(&fin), "d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a");
    }

    #[test]
    fn c_number_parsers() {
        assert_eq!(atoi(b"12abc"), 12);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(atoi(b"-3"), -3);
        assert_eq!(strtod(b"0.5"), 0.5);
        assert_eq!(strtod(b"1.5s"), 1.5);
        assert_eq!(strtod(b"abc"), 0.0);
        assert_eq!(memtoull(b"1gb"), Some(1 << 30));
        assert_eq!(memtoull(b"10"), Some(10));
        assert_eq!(memtoull(b"1x"), None);
    }

    #[test]
    fn rdb_lengths() {
        assert_eq!(rdb_string_len(&Str::from_bytes(b"bar")), 4);
        assert_eq!(rdb_string_len(&Str::from_bytes(b"12")), 2);
        assert_eq!(rdb_string_len(&Str::from_bytes(b"1000")), 3);
        assert_eq!(rdb_string_len(&Str::from_bytes(b"100000")), 5);
    }

    /// serializedlength values reported by a reference server (LZF on).
    #[test]
    fn rdb_lengths_with_lzf() {
        let len = |b: &[u8]| rdb_string_len(&Str::from_bytes(b));
        assert_eq!(len(&[b'a'; 100]), 13);
        assert_eq!(len(b"hello hello hello hello hello hello"), 17);
        assert_eq!(len(b"abcdefghijklmnopqrstuvwxyz0123456789"), 37);
        let seq: Vec<String> = (1..=200).map(|i| i.to_string()).collect();
        assert_eq!(len(seq.join(",").as_bytes()), 677);
        let mut padded = b"value:1".to_vec();
        padded.resize(30, 0);
        assert_eq!(len(&padded), 18);
    }
}
