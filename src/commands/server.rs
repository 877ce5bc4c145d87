//! Server administration commands: TIME, LASTSAVE, SHUTDOWN, CONFIG,
//! MEMORY and LOLWUT. DEBUG lives in `debug.rs`.
//!
//! These commands look at or steer the process itself rather than the
//! keyspace; their replies and error texts follow Valkey 9 exactly because
//! operators' scripts and client test suites depend on them.

use super::client::reply_help;
use super::eq_ic;
use super::info::{bytes_to_human, mem_figures, update_peak};
use crate::server::{err, CmdResult, CommandTable, Ctx};
use crate::types::Value;
use crate::util::num::parse_i64;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("time", time);
    t.add("lastsave", lastsave);
    t.add("save", save);
    t.add("bgsave", bgsave);
    t.add("shutdown", shutdown);
    t.add("config|get", config_get);
    t.add("config|set", config_set);
    t.add("config|resetstat", config_resetstat);
    t.add("config|rewrite", config_rewrite);
    t.add("config|help", config_help);
    t.add("memory|usage", memory_usage);
    t.add("memory|stats", memory_stats);
    t.add("memory|doctor", memory_doctor);
    t.add("memory|malloc-stats", memory_malloc_stats);
    t.add("memory|purge", memory_purge);
    t.add("memory|help", memory_help);
    t.add("lolwut", lolwut);
}

fn time(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    // Valkey reads the clock afresh for TIME (not the cached one).
    let us = crate::util::time::now_us();
    let r = ctx.reply();
    r.array(2);
    r.bulk_int(us / 1_000_000);
    r.bulk_int(us % 1_000_000);
    Ok(())
}

fn save(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.srv.save_now()?;
    ctx.reply().ok();
    Ok(())
}

fn bgsave(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match argv.len() {
        1 => {}
        // SCHEDULE only differs from a plain BGSAVE while another child
        // (an AOF rewrite) runs; we have none yet.
        2 if eq_ic(&argv[1], "schedule") => {}
        2 if eq_ic(&argv[1], "cancel") => {
            if ctx.srv.rdb.child.is_some() {
                ctx.srv.kill_bgsave();
                ctx.srv.rdb.scheduled = false;
                ctx.reply().simple("Background saving cancelled");
            } else if ctx.srv.rdb.scheduled {
                ctx.srv.rdb.scheduled = false;
                ctx.reply().simple("Scheduled background saving cancelled");
            } else {
                return Err(
                    "ERR Background saving is currently not in progress or scheduled".into(),
                );
            }
            return Ok(());
        }
        _ => return Err(err::SYNTAX.into()),
    }
    if ctx.srv.rdb.child.is_some() {
        return Err("ERR Background save already in progress".into());
    }
    // Inside MULTI the fork waits for the cron (a transaction must not
    // fork midway).
    if ctx.client.in_exec {
        ctx.srv.rdb.scheduled = true;
        ctx.reply().simple("Background saving scheduled");
        return Ok(());
    }
    ctx.srv.bgsave_start()?;
    ctx.reply().simple("Background saving started");
    Ok(())
}

fn lastsave(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let t = ctx.srv.lastsave;
    ctx.reply().int(t);
    Ok(())
}

// ---------------------------------------------------------------- SHUTDOWN

fn shutdown(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (mut nosave, mut save, mut force, mut abort, mut any) = (false, false, false, false, false);
    for a in &argv[1..] {
        if eq_ic(a, "nosave") {
            nosave = true;
        } else if eq_ic(a, "save") {
            save = true;
        } else if eq_ic(a, "now") {
            // Without replicas there is nothing to wait for: NOW changes
            // nothing yet.
        } else if eq_ic(a, "force") {
            force = true;
        } else if eq_ic(a, "abort") {
            abort = true;
            continue;
        } else {
            return Err(err::SYNTAX.into());
        }
        any = true;
    }
    if (abort && any) || (nosave && save) {
        return Err(err::SYNTAX.into());
    }
    if abort {
        // Shutdown never waits for replicas yet, so none can be running.
        return Err("ERR No shutdown in progress.".into());
    }
    // Valkey saves an RDB on shutdown when asked to (SAVE) or when save
    // points are configured (unless NOSAVE); if that fails it stays up,
    // unless FORCE is given.
    if !ctx.srv.shutdown_save(save, nosave) && !force {
        return Err("ERR Errors trying to SHUTDOWN. Check logs.".into());
    }
    ctx.srv.shutdown_saved = true;
    // The event loop runs `prepare_shutdown` and exits; as in Valkey the
    // client gets no reply, only the closed connection.
    ctx.srv.shutdown_asap = true;
    Ok(())
}

// ------------------------------------------------------------------ CONFIG

const CONFIG_HELP: &[&str] = &[
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
];

fn config_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    reply_help(ctx, "CONFIG", CONFIG_HELP);
    Ok(())
}

fn config_get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let patterns: Vec<&[u8]> = argv[2..].iter().map(|a| &a[..]).collect();
    let pairs = ctx.srv.config.get(&patterns);
    let r = ctx.reply();
    r.map(pairs.len());
    for (k, v) in &pairs {
        r.bulk(k.as_bytes());
        r.bulk(v.as_bytes());
    }
    Ok(())
}

fn config_set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() < 4 || !argv.len().is_multiple_of(2) {
        return Err("ERR wrong number of arguments for 'config|set' command".into());
    }
    let pairs: Vec<(&[u8], &[u8])> = argv[2..]
        .chunks_exact(2)
        .map(|p| (&p[0][..], &p[1][..]))
        .collect();
    let set_ctx = crate::config::SetContext {
        loading: false,
        client_is_local: ctx.client.local,
    };
    let listeners = &mut ctx.srv.listeners;
    let mut rebound = false;
    let changed = ctx
        .srv
        .config
        .set_and_apply(&pairs, &set_ctx, |cfg, changed| {
            // Sockets are rebound here so a failure fails (and rolls back)
            // the CONFIG SET.
            let rebind_port = changed.contains(&"port");
            if rebind_port || changed.contains(&"bind") {
                if let Err(e) =
                    listeners.rebind_tcp(cfg.bind(), cfg.port(), cfg.tcp_backlog() as i32)
                {
                    tracing::warn!("{e}");
                    return Err(if rebind_port {
                        ("port", "Unable to listen on this port".to_string())
                    } else {
                        ("bind", "Failed to bind to specified addresses.".to_string())
                    });
                }
                rebound = true;
            }
            Ok(())
        })
        .map_err(crate::server::CmdError::from)?;
    if rebound {
        ctx.srv.tcp_port = ctx.srv.config.port();
    }
    // Settings the executor or the logger cache outside the config.
    for name in changed {
        match name {
            "hz" => ctx.srv.hz = ctx.srv.config.hz(),
            "loglevel" => crate::server::log::set_level(ctx.srv.config.loglevel()),
            "notify-keyspace-events" => ctx.srv.sync_notify_config(),
            "maxmemory" => {
                let limit = ctx.srv.config.maxmemory();
                let used = crate::commands::info::allocated_memory();
                if limit > 0 && used > limit {
                    tracing::warn!(
                        "WARNING: the new maxmemory value set via CONFIG SET ({limit}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy."
                    );
                }
                ctx.srv.perform_evictions(Some(ctx.client));
            }
            "maxmemory-policy" | "lfu-log-factor" | "lfu-decay-time" => ctx.srv.sync_access_clock(),
            _ => {}
        }
    }
    ctx.reply().ok();
    Ok(())
}

fn config_resetstat(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let srv = &mut *ctx.srv;
    srv.stats = Default::default();
    for st in srv.commands.stats.iter_mut() {
        *st = Default::default();
    }
    for db in srv.dbs.iter_mut() {
        db.stat_expired = 0;
    }
    update_peak(srv);
    ctx.reply().ok();
    Ok(())
}

fn config_rewrite(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let Some(path) = ctx.srv.config_file.clone().filter(|p| p != "-") else {
        return Err("ERR The server is running without a config file".into());
    };
    match ctx.srv.config.rewrite(&path) {
        Ok(()) => {
            tracing::info!("CONFIG REWRITE executed with success.");
            ctx.reply().ok();
            Ok(())
        }
        Err(e) => {
            tracing::warn!("CONFIG REWRITE failed: {e}");
            Err(e.into())
        }
    }
}

// ------------------------------------------------------------------ MEMORY

const MEMORY_HELP: &[&str] = &[
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
];

fn memory_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    reply_help(ctx, "MEMORY", MEMORY_HELP);
    Ok(())
}

/// jemalloc's size class for an allocation of `n` bytes.
pub fn je_size(n: usize) -> usize {
    if n <= 8 {
        return 8;
    }
    if n <= 128 {
        return n.div_ceil(16) * 16;
    }
    // Four classes per power of two above 128.
    let p = usize::BITS - (n - 1).leading_zeros(); // 2^p >= n
    let step = 1usize << (p - 3);
    n.div_ceil(step) * step
}

/// Estimated bytes a key and its value occupy: the keyspace entry (object
/// header with the key embedded, Valkey 8 style), the value's own heap
/// allocations, and the hashtable slot pointing at the entry.
pub fn key_memory_usage(key: &[u8], value: &Value, has_expire: bool) -> usize {
    const OBJ_HEADER: usize = 16;
    const TABLE_SLOT: usize = 8;
    let mut entry = OBJ_HEADER + key.len() + 3;
    if has_expire {
        entry += 8;
    }
    let heap = match value {
        Value::Str(s) => match s.encoding() {
            "int" => 0,
            // embstr values live in the entry allocation.
            "embstr" => {
                entry += s.len() + 4;
                0
            }
            _ => je_size(s.heap_size()),
        },
        other => other.heap_size(),
    };
    je_size(entry) + heap + TABLE_SLOT
}

fn memory_usage(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        if argv.len() == 5 && eq_ic(&argv[3], "samples") {
            let n = parse_i64(&argv[4]).ok_or(err::NOT_INT)?;
            if n < 0 {
                return Err(err::SYNTAX.into());
            }
            // Only aggregate values are sampled; strings are measured whole.
        } else {
            return Err(err::SYNTAX.into());
        }
    }
    let key = &argv[2];
    if ctx.lookup_read(key).is_none() {
        ctx.reply().null();
        return Ok(());
    }
    let db = &ctx.srv.dbs[ctx.client.db];
    let usage = db
        .dict
        .get_with_expire(key)
        .map(|(v, exp)| key_memory_usage(key, v, exp.is_some()))
        .unwrap_or(0);
    ctx.reply().int(usage as i64);
    Ok(())
}

fn memory_stats(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    update_peak(ctx.srv);
    let m = mem_figures(ctx);
    let r = ctx.reply();
    r.map(31 + m.db_overheads.len());
    let int = |r: &mut crate::protocol::Reply, k: &str, v: i64| {
        r.bulk(k.as_bytes());
        r.int(v);
    };
    // Valkey computes these ratios as C floats.
    let float = |r: &mut crate::protocol::Reply, k: &str, v: f64| {
        r.bulk(k.as_bytes());
        r.double((v as f32) as f64);
    };
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    int(r, "peak.allocated", m.peak as i64);
    int(r, "total.allocated", m.used as i64);
    int(r, "startup.allocated", m.startup as i64);
    int(r, "replication.backlog", 0);
    int(r, "clients.slaves", 0);
    int(r, "clients.normal", m.clients_normal as i64);
    int(r, "cluster.links", 0);
    int(r, "aof.buffer", 0);
    int(r, "lua.caches", 0);
    int(r, "functions.caches", 0);
    for &(id, main, expires) in &m.db_overheads {
        r.bulk(format!("db.{id}").as_bytes());
        r.map(2);
        int(r, "overhead.hashtable.main", main as i64);
        int(r, "overhead.hashtable.expires", expires as i64);
    }
    int(r, "overhead.db.hashtable.lut", 0);
    int(r, "overhead.db.hashtable.rehashing", 0);
    int(r, "overhead.total", m.overhead as i64);
    int(r, "db.dict.rehashing.count", 0);
    int(r, "keys.count", m.keys as i64);
    let per_key = m
        .used
        .saturating_sub(m.startup)
        .checked_div(m.keys)
        .unwrap_or(0);
    int(r, "keys.bytes-per-key", per_key as i64);
    int(r, "dataset.bytes", m.dataset as i64);
    float(r, "dataset.percentage", m.dataset_perc());
    float(r, "peak.percentage", m.peak_perc());
    let a = m.alloc;
    int(r, "allocator.allocated", a.allocated as i64);
    int(r, "allocator.active", a.active as i64);
    int(r, "allocator.resident", a.resident as i64);
    int(r, "allocator.muzzy", 0);
    float(
        r,
        "allocator-fragmentation.ratio",
        ratio(a.active, a.allocated),
    );
    int(
        r,
        "allocator-fragmentation.bytes",
        a.active as i64 - a.allocated as i64,
    );
    float(r, "allocator-rss.ratio", ratio(a.resident, a.active));
    int(
        r,
        "allocator-rss.bytes",
        a.resident as i64 - a.active as i64,
    );
    float(r, "rss-overhead.ratio", ratio(m.rss, a.resident));
    int(r, "rss-overhead.bytes", m.rss as i64 - a.resident as i64);
    float(r, "fragmentation", ratio(m.rss, m.used));
    int(r, "fragmentation.bytes", m.rss as i64 - m.used as i64);
    Ok(())
}

fn memory_doctor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let m = mem_figures(ctx);
    let text = if m.used < 1024 * 1024 * 5 {
        "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.".to_string()
    } else {
        let frag = m.rss as f64 / m.used.max(1) as f64;
        let peak_ratio = m.peak as f64 / m.used.max(1) as f64;
        let mut issues = Vec::new();
        if peak_ratio > 1.5 {
            issues.push(format!(" * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the server needs more memory again, it will reuse the memory freed after the peak. Peak memory: {}, current memory: {}.\n\n", bytes_to_human(m.peak), bytes_to_human(m.used)));
        }
        if frag > 1.4 && m.rss.saturating_sub(m.used) > 10 << 20 {
            issues.push(format!(" * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Valkey process is much larger than the sum of the logical allocations Valkey performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"{}\".\n\n", if cfg!(feature = "jemalloc") { "jemalloc-5.3.0" } else { "libc" }));
        }
        if issues.is_empty() {
            "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.".to_string()
        } else {
            let mut s = String::from(
                "Sam, I detected a few issues in this Valkey instance memory implants:\n\n",
            );
            for i in issues {
                s.push_str(&i);
            }
            s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
            s
        }
    };
    ctx.reply().verbatim(text.as_bytes(), "txt");
    Ok(())
}

fn memory_malloc_stats(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    #[cfg(feature = "jemalloc")]
    let text = {
        let mut buf = Vec::new();
        match tikv_jemalloc_ctl::stats_print::stats_print(&mut buf, Default::default()) {
            Ok(()) => buf,
            Err(_) => b"Stats not supported for the current allocator".to_vec(),
        }
    };
    #[cfg(not(feature = "jemalloc"))]
    let text = b"Stats not supported for the current allocator".to_vec();
    ctx.reply().verbatim(&text, "txt");
    Ok(())
}

fn memory_purge(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    purge_allocator();
    ctx.reply().ok();
    Ok(())
}

/// Return the dirty pages of every jemalloc arena to the OS now, instead of
/// on jemalloc's decay schedule (Valkey's `jemalloc_purge`).
fn purge_allocator() {
    #[cfg(feature = "jemalloc")]
    {
        // 4096 is MALLCTL_ARENAS_ALL.
        let name = b"arena.4096.purge\0";
        // SAFETY: a NUL-terminated mallctl name; `arena.<i>.purge` takes no
        // input and gives no output, so every pointer is null and both
        // lengths are zero, as jemalloc requires for it.
        let _ = unsafe {
            tikv_jemalloc_sys::mallctl(
                name.as_ptr().cast(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                0,
            )
        };
    }
}

// ------------------------------------------------------------------ LOLWUT

fn lolwut(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut version = crate::VALKEY_VERSION.to_string();
    let mut args = &argv[1..];
    if argv.len() >= 3 && eq_ic(&argv[1], "version") {
        let v = parse_i64(&argv[2]).ok_or(err::NOT_INT)?;
        version = format!("{}.0.0", v as u32);
        args = &argv[3..];
    }
    let out = super::lolwut::render(&version, args)?;
    ctx.reply().verbatim(out.as_bytes(), "txt");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jemalloc_classes() {
        assert_eq!(je_size(1), 8);
        assert_eq!(je_size(9), 16);
        assert_eq!(je_size(29), 32);
        assert_eq!(je_size(33), 48);
        assert_eq!(je_size(129), 160);
        assert_eq!(je_size(257), 320);
        assert_eq!(je_size(1000), 1024);
        assert_eq!(je_size(1025), 1280);
    }

    #[test]
    fn usage_grows_with_value() {
        let small = key_memory_usage(
            b"foo",
            &Value::Str(crate::types::Str::from_bytes(b"bar")),
            false,
        );
        let big = key_memory_usage(
            b"foo",
            &Value::Str(crate::types::Str::from_bytes(&[b'x'; 1000])),
            false,
        );
        assert!((32..64).contains(&small), "{small}");
        assert!(big > 1000, "{big}");
    }
}
