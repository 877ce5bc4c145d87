//! Generic keyspace commands: the ones that work on keys whatever their type.
//!
//! DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY,
//! MOVE, SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, TOUCH, the EXPIRE family, TTL
//! family, PERSIST, OBJECT and WAIT, plus helpers other groups share
//! (`SCAN` cursor parsing, subcommand `HELP` replies).
//!
//! Replies, errors, keyspace hit/miss accounting and propagation follow
//! Valkey 9: read commands count hits and misses (EXISTS, TYPE, TTL, TOUCH,
//! OBJECT, COPY's source), write lookups do not; relative expires are
//! replicated as `PEXPIREAT` with the absolute time; an expire time already
//! in the past deletes the key and is replicated as `UNLINK` (or `DEL` with
//! `lazyfree-lazy-expire no`).

use super::eq_ic;
use crate::protocol::Reply;
use crate::server::{err, notify, CmdError, CmdResult, CommandTable, Ctx, Server};
use crate::types::Value;
use crate::util::glob::string_match as glob_match;
use crate::util::num::parse_i64;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("del", del);
    t.add("unlink", unlink);
    t.add("exists", exists);
    t.add("type", type_cmd);
    t.add("keys", keys);
    t.add("scan", scan);
    t.add("randomkey", randomkey);
    t.add("rename", rename);
    t.add("renamenx", renamenx);
    t.add("copy", copy);
    t.add("dump", dump);
    t.add("restore", restore);
    t.add("move", move_cmd);
    t.add("swapdb", swapdb);
    t.add("dbsize", dbsize);
    t.add("flushdb", flushdb);
    t.add("flushall", flushall);
    t.add("touch", touch);
    t.add("expire", expire);
    t.add("pexpire", pexpire);
    t.add("expireat", expireat);
    t.add("pexpireat", pexpireat);
    t.add("ttl", ttl);
    t.add("pttl", pttl);
    t.add("expiretime", expiretime);
    t.add("pexpiretime", pexpiretime);
    t.add("persist", persist);
    t.add("object|encoding", object_encoding);
    t.add("object|freq", object_freq);
    t.add("object|help", object_help);
    t.add("object|idletime", object_idletime);
    t.add("object|refcount", object_refcount);
    t.add("wait", wait);
}

/// Is `maxmemory-policy` one of the `*-lfu` policies?
fn is_lfu(p: crate::config::MaxmemoryPolicy) -> bool {
    use crate::config::MaxmemoryPolicy::*;
    matches!(p, VolatileLfu | AllkeysLfu)
}

const SAME_OBJECT: &str = "ERR source and destination objects are the same";

/// Is a key with this expire time logically gone? Same rule as
/// [`Db::expire_if_needed`](crate::keyspace::Db::expire_if_needed).
#[inline]
fn is_expired(when: Option<i64>, now: i64) -> bool {
    matches!(when, Some(t) if t < now)
}

/// A 32-bit integer argument (Valkey's `getIntFromObjectOrReply`): with
/// `msg`, that error for anything unusable; without, Valkey's two texts for
/// "not an integer" and "outside the int range".
fn parse_i32(arg: &[u8], msg: Option<&'static str>) -> Result<i32, CmdError> {
    let n = parse_i64(arg).ok_or(msg.unwrap_or(err::NOT_INT))?;
    i32::try_from(n).map_err(|_| {
        msg.unwrap_or("ERR value is out of range, value must between -2147483648 and 2147483647")
            .into()
    })
}

/// A database index argument (MOVE, COPY ... DB).
fn parse_db_index(srv: &Server, arg: &[u8]) -> Result<usize, CmdError> {
    let id = parse_i32(arg, None)?;
    usize::try_from(id)
        .ok()
        .filter(|&i| i < srv.dbs.len())
        .ok_or_else(|| err::DB_INDEX.into())
}

impl Ctx<'_> {
    /// Propagate the command as received even if it changed nothing
    /// (Valkey's `forceCommandPropagation`, used by FLUSHDB/FLUSHALL so an
    /// already empty database still gets flushed on replicas).
    ///
    /// TODO: switch to a dispatch-level "force" flag when dispatch has one,
    /// so MULTI/EXEC wrapping sees this command like any other.
    fn force_propagation(&mut self, argv: &[Bytes]) {
        let db = self.client.db;
        self.srv.propagate(db, argv.to_vec());
        self.propagate_nothing();
    }

    /// The running command's full name (`expire`, `object|freq`).
    fn command_name(&self) -> &str {
        self.srv.commands.fullname(self.cmd.id)
    }
}

// ---------------------------------------------------------------------------
// DEL, UNLINK, EXISTS, TYPE, TOUCH, DBSIZE

fn del(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lazy = ctx.srv.config.lazyfree_lazy_user_del();
    del_generic(ctx, argv, lazy)
}

fn unlink(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    del_generic(ctx, argv, true)
}

/// DEL and UNLINK. A key found expired is deleted as expired (and
/// propagated as such) but not counted, as in Valkey.
fn del_generic(ctx: &mut Ctx, argv: &[Bytes], lazy: bool) -> CmdResult {
    let now = ctx.now_ms();
    let dbi = ctx.client.db;
    let mut deleted = 0;
    for key in &argv[1..] {
        let srv = &mut *ctx.srv;
        let db = &mut srv.dbs[dbi];
        if db.expire_if_needed(key, now) {
            continue;
        }
        if let Some((value, _)) = db.dict.remove(key) {
            if lazy {
                srv.lazyfree.free_value(value);
            }
            deleted += 1;
            ctx.notify(notify::GENERIC, "del", key);
        }
    }
    ctx.dirty(deleted);
    ctx.reply().int(deleted as i64);
    Ok(())
}

fn exists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut count = 0;
    for key in &argv[1..] {
        if ctx.lookup_read(key).is_some() {
            count += 1;
        }
    }
    ctx.reply().int(count);
    Ok(())
}

fn type_cmd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = ctx.lookup_read(&argv[1]).map_or("none", Value::type_name);
    ctx.reply().simple(name);
    Ok(())
}

fn touch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // The lookups update each key's access clock.
    let mut touched = 0;
    for key in &argv[1..] {
        if ctx.lookup_read(key).is_some() {
            touched += 1;
        }
    }
    ctx.reply().int(touched);
    Ok(())
}

fn dbsize(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let n = ctx.db().len() as i64;
    ctx.reply().int(n);
    Ok(())
}

// ---------------------------------------------------------------------------
// KEYS, SCAN, RANDOMKEY

fn keys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let pattern = &argv[1][..];
    let all = pattern == b"*";
    let now = ctx.now_ms();
    // Disjoint borrows: the database to read, the reply to write.
    let db = &ctx.srv.dbs[ctx.client.db];
    let r = &mut ctx.client.reply;
    let len = r.deferred();
    let mut n = 0;
    for (key, _, when) in db.dict.iter() {
        // Expired keys are skipped, not deleted (KEYS is read-only).
        if (all || glob_match(pattern, key, false)) && !is_expired(when, now) {
            r.bulk(key);
            n += 1;
        }
    }
    r.set_deferred_len(len, b'*', n);
    Ok(())
}

/// Parse a SCAN-family cursor like Valkey's `string2ull`: a canonical
/// non-negative integer, or anything C's `strtoull` reads completely.
/// Shared with HSCAN, SSCAN and ZSCAN.
pub fn parse_scan_cursor(arg: &[u8]) -> Result<u64, CmdError> {
    const INVALID: &str = "ERR invalid cursor";
    // C sees the argument up to its first NUL byte.
    let s = match memchr::memchr(0, arg) {
        Some(end) => &arg[..end],
        None => arg,
    };
    if let Some(n) = parse_i64(s) {
        return u64::try_from(n).map_err(|_| INVALID.into());
    }
    let is_space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    let start = s.iter().position(|c| !is_space(c)).unwrap_or(s.len());
    let mut rest = &s[start..];
    let negative = match rest.first() {
        Some(b'-') => {
            rest = &rest[1..];
            true
        }
        Some(b'+') => {
            rest = &rest[1..];
            false
        }
        _ => false,
    };
    if rest.is_empty() || !rest.iter().all(u8::is_ascii_digit) {
        return Err(INVALID.into());
    }
    let mut v: u64 = 0;
    for &c in rest {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
            .ok_or(INVALID)?;
    }
    Ok(if negative { v.wrapping_neg() } else { v })
}

/// The names `SCAN ... TYPE` accepts (case-insensitively).
const TYPE_NAMES: &[&str] = &["string", "list", "set", "zset", "hash", "stream"];

fn scan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut cursor = parse_scan_cursor(&argv[1])?;
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_filter: Option<&'static str> = None;
    let mut i = 2;
    while i < argv.len() {
        let left = argv.len() - i;
        let opt = &argv[i];
        if eq_ic(opt, "count") && left >= 2 {
            count = parse_i64(&argv[i + 1]).ok_or(err::NOT_INT)?;
            if count < 1 {
                return Err(err::SYNTAX.into());
            }
            i += 2;
        } else if eq_ic(opt, "match") && left >= 2 {
            // "*" matches everything: the same as no pattern.
            pattern = Some(&argv[i + 1][..]).filter(|p| *p != b"*");
            i += 2;
        } else if eq_ic(opt, "type") && left >= 2 {
            let name = &argv[i + 1];
            let found = TYPE_NAMES.iter().find(|t| eq_ic(name, t)).copied();
            type_filter = Some(found.ok_or_else(|| {
                CmdError::from(format!(
                    "ERR unknown type name '{}'",
                    String::from_utf8_lossy(name)
                ))
            })?);
            i += 2;
        } else if eq_ic(opt, "novalues") {
            return Err("ERR NOVALUES option can only be used in HSCAN".into());
        } else if eq_ic(opt, "noscores") {
            return Err("ERR NOSCORES option can only be used in ZSCAN".into());
        } else {
            return Err(err::SYNTAX.into());
        }
    }

    let now = ctx.now_ms();
    let dbi = ctx.client.db;
    let dict = &ctx.srv.dbs[dbi].dict;
    let mut found: Vec<Vec<u8>> = Vec::new();
    let mut stale: Vec<Vec<u8>> = Vec::new();
    let mut sampled: i64 = 0;
    // COUNT is a work hint: visit buckets until about `count` keys were
    // seen, giving up after 10×count calls on a sparse table.
    let mut max_iterations = count.saturating_mul(10);
    loop {
        cursor = dict.scan(cursor, |key, value| {
            sampled += 1;
            if type_filter.is_some_and(|t| value.type_name() != t) {
                return;
            }
            if pattern.is_some_and(|p| !glob_match(p, key, false)) {
                return;
            }
            if is_expired(dict.get_expire(key), now) {
                stale.push(key.to_vec());
                return;
            }
            found.push(key.to_vec());
        });
        if cursor == 0 || max_iterations == 0 {
            break;
        }
        max_iterations -= 1;
        if sampled >= count {
            break;
        }
    }
    // Expired keys met on the way are deleted (and propagated), as Valkey's
    // scan callback does.
    let db = &mut ctx.srv.dbs[dbi];
    for key in &stale {
        db.expire_if_needed(key, now);
    }
    let r = ctx.reply();
    r.array(2);
    // Valkey prints the cursor as a signed 64-bit number.
    r.bulk_int(cursor as i64);
    r.array(found.len());
    for key in &found {
        r.bulk(key);
    }
    Ok(())
}

fn randomkey(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let dbi = ctx.client.db;
    // Each round either returns a live key or deletes an expired one, so
    // the loop ends. (Valkey bounds it only on replicas, which may not
    // delete; we never act as one here.)
    loop {
        let mut seed = ctx.srv.random();
        let db = &mut ctx.srv.dbs[dbi];
        let mut rng = || {
            seed = crate::util::rand::splitmix(seed);
            seed
        };
        let Some(key) = db.dict.random_entry(&mut rng).map(|(k, _)| k.to_vec()) else {
            ctx.reply().null();
            return Ok(());
        };
        if db.expire_if_needed(&key, now) {
            continue;
        }
        ctx.reply().bulk(&key);
        return Ok(());
    }
}

// ---------------------------------------------------------------------------
// RENAME, RENAMENX, MOVE, COPY, SWAPDB

fn rename(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, false)
}

fn renamenx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    rename_generic(ctx, argv, true)
}

/// RENAME / RENAMENX: the value keeps its TTL under the new name.
fn rename_generic(ctx: &mut Ctx, argv: &[Bytes], nx: bool) -> CmdResult {
    let (src, dst) = (&argv[1], &argv[2]);
    let now = ctx.now_ms();
    let lazy = ctx.srv.config.lazyfree_lazy_server_del();
    let srv = &mut *ctx.srv;
    let db = &mut srv.dbs[ctx.client.db];
    if !db.contains(src, now) {
        return Err(err::NO_SUCH_KEY.into());
    }
    if src == dst {
        if nx {
            ctx.reply().int(0);
        } else {
            ctx.reply().ok();
        }
        return Ok(());
    }
    if db.contains(dst, now) {
        if nx {
            ctx.reply().int(0);
            return Ok(());
        }
        if let Some((old, _)) = db.dict.remove(dst) {
            if lazy {
                srv.lazyfree.free_value(old);
            }
        }
    }
    let Some((value, when)) = db.dict.remove(src) else {
        return Err(err::NO_SUCH_KEY.into());
    };
    db.add_with_expire(dst, value, when);
    let dbi = ctx.client.db;
    key_arrived(ctx.srv, dbi, dst);
    ctx.dirty(1);
    ctx.notify(notify::GENERIC, "rename_from", src);
    ctx.notify(notify::GENERIC, "rename_to", dst);
    if nx {
        ctx.reply().int(1);
    } else {
        ctx.reply().ok();
    }
    Ok(())
}

/// A key appeared in `db` by RENAME/MOVE/COPY: keep hash field expiry
/// tracking and wake clients blocked on it.
fn key_arrived(srv: &mut crate::server::Server, db: usize, key: &[u8]) {
    crate::commands::hash::track_volatile_hash(&mut srv.dbs[db], key);
    srv.signal_key_ready(db, key);
}

fn move_cmd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let src = ctx.client.db;
    let dst = parse_db_index(ctx.srv, &argv[2])?;
    if src == dst {
        return Err(SAME_OBJECT.into());
    }
    let now = ctx.now_ms();
    let dbs = &mut ctx.srv.dbs;
    if !dbs[src].contains(key, now) || dbs[dst].contains(key, now) {
        ctx.reply().int(0);
        return Ok(());
    }
    let Some((value, when)) = dbs[src].dict.remove(key) else {
        ctx.reply().int(0);
        return Ok(());
    };
    dbs[dst].add_with_expire(key, value, when);
    key_arrived(ctx.srv, dst, key);
    ctx.dirty(1);
    ctx.notify_in(src, notify::GENERIC, "move_from", key);
    ctx.notify_in(dst, notify::GENERIC, "move_to", key);
    ctx.reply().int(1);
    Ok(())
}

/// COPY source destination [DB destination-db] [REPLACE]
fn copy(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (key, newkey) = (&argv[1], &argv[2]);
    let src = ctx.client.db;
    let mut dst = src;
    let mut replace = false;
    let mut j = 3;
    while j < argv.len() {
        let additional = argv.len() - j - 1;
        if eq_ic(&argv[j], "replace") {
            replace = true;
        } else if eq_ic(&argv[j], "db") && additional >= 1 {
            dst = parse_db_index(ctx.srv, &argv[j + 1])?;
            j += 1;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    if src == dst && key == newkey {
        return Err(SAME_OBJECT.into());
    }
    if ctx.lookup_read(key).is_none() {
        ctx.reply().int(0);
        return Ok(());
    }
    let now = ctx.now_ms();
    let lazy = ctx.srv.config.lazyfree_lazy_server_del();
    let srv = &mut *ctx.srv;
    if srv.dbs[dst].contains(newkey, now) {
        if !replace {
            ctx.reply().int(0);
            return Ok(());
        }
        if let Some((old, _)) = srv.dbs[dst].dict.remove(newkey) {
            if lazy {
                srv.lazyfree.free_value(old);
            }
        }
    }
    let Some((value, when)) = srv.dbs[src]
        .dict
        .get_with_expire(key)
        .map(|(v, t)| (v.clone(), t))
    else {
        ctx.reply().int(0);
        return Ok(());
    };
    srv.dbs[dst].add_with_expire(newkey, value, when);
    key_arrived(srv, dst, newkey);
    ctx.dirty(1);
    ctx.notify_in(dst, notify::GENERIC, "copy_to", newkey);
    ctx.reply().int(1);
    Ok(())
}

fn swapdb(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let id1 = parse_i32(&argv[1], Some("ERR invalid first DB index"))?;
    let id2 = parse_i32(&argv[2], Some("ERR invalid second DB index"))?;
    let n = ctx.srv.dbs.len();
    let index = |id: i32| usize::try_from(id).ok().filter(|&i| i < n);
    let (Some(a), Some(b)) = (index(id1), index(id2)) else {
        return Err(err::DB_INDEX.into());
    };
    if a != b {
        // Swap the data, not the Db structs: clients stay on their index.
        let (lo, hi) = (a.min(b), a.max(b));
        let (left, right) = ctx.srv.dbs.split_at_mut(hi);
        let (x, y) = (&mut left[lo], &mut right[0]);
        std::mem::swap(&mut x.dict, &mut y.dict);
        std::mem::swap(&mut x.avg_ttl, &mut y.avg_ttl);
        std::mem::swap(&mut x.expire_cursor, &mut y.expire_cursor);
        std::mem::swap(&mut x.volatile_hashes, &mut y.volatile_hashes);
        // Both databases changed under their watchers and blocked clients.
        ctx.srv.touch_all_watched_in_db(ctx.client, Some(a));
        ctx.srv.touch_all_watched_in_db(ctx.client, Some(b));
        for db in [a, b] {
            for key in ctx.srv.blocking.keys_in_db(db) {
                if ctx.srv.dbs[db].dict.contains_key(&key) {
                    ctx.srv.signal_key_ready(db, &key);
                }
            }
        }
    }
    ctx.dirty(1);
    ctx.reply().ok();
    Ok(())
}

// ---------------------------------------------------------------------------
// FLUSHDB, FLUSHALL

/// `[ASYNC|SYNC]`; with neither, `lazyfree-lazy-user-flush` decides.
/// Returns whether to free in the background.
fn flush_is_async(ctx: &Ctx, argv: &[Bytes]) -> Result<bool, CmdError> {
    match argv {
        [_] => Ok(ctx.srv.config.lazyfree_lazy_user_flush()),
        [_, mode] if eq_ic(mode, "sync") => Ok(false),
        [_, mode] if eq_ic(mode, "async") => Ok(true),
        _ => Err(err::SYNTAX.into()),
    }
}

/// Empty one database, handing the old table to the lazy-free thread when
/// `lazy`. Returns the number of keys removed.
pub(crate) fn empty_db(srv: &mut Server, id: usize, lazy: bool) -> u64 {
    let db = &mut srv.dbs[id];
    let removed = db.len() as u64;
    if lazy && removed > 0 {
        let old = db.dict.take_all();
        srv.lazyfree.free(old, removed);
    } else {
        db.dict.clear();
    }
    let db = &mut srv.dbs[id];
    db.avg_ttl = 0;
    db.expire_cursor = 0;
    removed
}

fn flushdb(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lazy = flush_is_async(ctx, argv)?;
    let removed = empty_db(ctx.srv, ctx.client.db, lazy);
    ctx.dirty(removed);
    ctx.force_propagation(argv);
    ctx.reply().ok();
    Ok(())
}

fn flushall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lazy = flush_is_async(ctx, argv)?;
    let mut removed = 0;
    for id in 0..ctx.srv.dbs.len() {
        removed += empty_db(ctx.srv, id, lazy);
    }
    ctx.dirty(removed);
    // As Valkey: a snapshot being written is now stale, and with save
    // points configured the empty dataset is saved at once.
    ctx.srv.kill_bgsave();
    if !ctx.srv.config.save_params().is_empty() {
        let _ = ctx.srv.save_now();
    }
    ctx.force_propagation(argv);
    ctx.reply().ok();
    Ok(())
}

// ---------------------------------------------------------------------------
// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, PERSIST

/// The `NX | XX | GT | LT` conditions of the EXPIRE family.
#[derive(Default, Debug, Clone, Copy, PartialEq, Eq)]
struct ExpireCond {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

impl ExpireCond {
    fn parse(opts: &[Bytes]) -> Result<Self, CmdError> {
        let mut c = ExpireCond::default();
        for opt in opts {
            if eq_ic(opt, "nx") {
                c.nx = true;
            } else if eq_ic(opt, "xx") {
                c.xx = true;
            } else if eq_ic(opt, "gt") {
                c.gt = true;
            } else if eq_ic(opt, "lt") {
                c.lt = true;
            } else {
                // C prints the argument up to its first NUL.
                let end = memchr::memchr(0, opt).unwrap_or(opt.len());
                return Err(format!(
                    "ERR Unsupported option {}",
                    String::from_utf8_lossy(&opt[..end])
                )
                .into());
            }
        }
        if c.nx && (c.xx || c.gt || c.lt) {
            return Err(
                "ERR NX and XX, GT or LT options at the same time are not compatible".into(),
            );
        }
        if c.gt && c.lt {
            return Err("ERR GT and LT options at the same time are not compatible".into());
        }
        Ok(c)
    }

    /// May the expire `when` replace `current` (absent: no TTL, which
    /// counts as infinite for GT/LT)?
    fn allows(self, current: Option<i64>, when: i64) -> bool {
        if self.nx && current.is_some() {
            return false;
        }
        if self.xx && current.is_none() {
            return false;
        }
        if self.gt && current.is_none_or(|cur| when <= cur) {
            return false;
        }
        if self.lt && current.is_some_and(|cur| when >= cur) {
            return false;
        }
        true
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Millis,
}

fn expire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    expire_generic(ctx, argv, now, Unit::Seconds)
}

fn pexpire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    expire_generic(ctx, argv, now, Unit::Millis)
}

fn expireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, Unit::Seconds)
}

fn pexpireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    expire_generic(ctx, argv, 0, Unit::Millis)
}

/// The EXPIRE family. `basetime` is the current time for the relative
/// forms and 0 for the `*AT` forms; the result is an absolute ms time.
fn expire_generic(ctx: &mut Ctx, argv: &[Bytes], basetime: i64, unit: Unit) -> CmdResult {
    let key = &argv[1];
    let cond = ExpireCond::parse(&argv[3..])?;
    let mut when = parse_i64(&argv[2]).ok_or(err::NOT_INT)?;
    let overflow = || CmdError::from(err::INVALID_EXPIRE.replace("%s", ctx.command_name()));
    if unit == Unit::Seconds {
        when = when.checked_mul(1000).ok_or_else(overflow)?;
    }
    when = when.checked_add(basetime).ok_or_else(overflow)?;

    let now = ctx.now_ms();
    let lazy = ctx.srv.config.lazyfree_lazy_expire();
    let srv = &mut *ctx.srv;
    let db = &mut srv.dbs[ctx.client.db];
    if !db.contains(key, now) {
        ctx.reply().int(0);
        return Ok(());
    }
    if !cond.allows(db.dict.get_expire(key), when) {
        ctx.reply().int(0);
        return Ok(());
    }

    if when <= now {
        // Already expired: delete now, replicate the deletion itself.
        if let Some((old, _)) = db.dict.remove(key) {
            db.stat_expired += 1;
            if lazy {
                srv.lazyfree.free_value(old);
            }
        }
        srv.stats.expired_keys += 1;
        ctx.dirty(1);
        ctx.notify(notify::EXPIRED, "expired", key);
        let verb: &'static [u8] = if lazy { b"UNLINK" } else { b"DEL" };
        ctx.propagate_as(vec![Bytes::from_static(verb), key.clone()]);
        ctx.reply().int(1);
        return Ok(());
    }

    db.set_expire(key, Some(when));
    ctx.dirty(1);
    ctx.notify(notify::GENERIC, "expire", key);
    // Replicate as PEXPIREAT with the absolute time, keeping the options.
    if !(basetime == 0 && unit == Unit::Millis) {
        let mut out = Vec::with_capacity(argv.len());
        out.push(Bytes::from_static(b"PEXPIREAT"));
        out.push(key.clone());
        out.push(Bytes::from(itoa::Buffer::new().format(when).to_owned()));
        out.extend(argv[3..].iter().cloned());
        ctx.propagate_as(out);
    }
    ctx.reply().int(1);
    Ok(())
}

fn persist(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let now = ctx.now_ms();
    let db = ctx.db();
    let removed = db.contains(key, now) && db.dict.get_expire(key).is_some();
    if removed {
        db.set_expire(key, None);
        ctx.dirty(1);
        ctx.notify(notify::GENERIC, "persist", key);
    }
    ctx.reply().int(i64::from(removed));
    Ok(())
}

// ---------------------------------------------------------------------------
// TTL, PTTL, EXPIRETIME, PEXPIRETIME

fn ttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, false, false)
}

fn pttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, true, false)
}

fn expiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, false, true)
}

fn pexpiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, argv, true, true)
}

/// -2 for a missing key, -1 without TTL, else the remaining time (or the
/// absolute expire time) in s or ms; seconds are rounded to nearest.
fn ttl_generic(ctx: &mut Ctx, argv: &[Bytes], millis: bool, absolute: bool) -> CmdResult {
    let key = &argv[1];
    if ctx.lookup_read(key).is_none() {
        ctx.reply().int(-2);
        return Ok(());
    }
    let now = ctx.now_ms();
    let reply = match ctx.db().dict.get_expire(key) {
        None => -1,
        Some(when) => {
            let t = if absolute {
                when
            } else {
                when.saturating_sub(now)
            }
            .max(0);
            if millis {
                t
            } else {
                // Rounded without overflow for times near i64::MAX, as
                // Valkey's build computes it.
                ((i128::from(t) + 500) / 1000) as i64
            }
        }
    };
    ctx.reply().int(reply);
    Ok(())
}

// ---------------------------------------------------------------------------
// OBJECT

const OBJECT_HELP: &[&str] = &[
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
];

/// The reply to `<CMD> HELP`: a header naming the command as typed
/// (upper-cased), the given lines, and the standard HELP footer.
pub fn reply_help(r: &mut Reply, command: &[u8], lines: &[&str]) {
    r.array(lines.len() + 3);
    let name = String::from_utf8_lossy(command).to_ascii_uppercase();
    r.simple(&format!(
        "{name} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ));
    for line in lines {
        r.simple(line);
    }
    r.simple("HELP");
    r.simple("    Print this help.");
}

fn object_help(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    reply_help(ctx.reply(), &argv[0], OBJECT_HELP);
    Ok(())
}

fn object_encoding(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.read_key(&argv[2]) {
        (Some(v), r) => r.bulk(v.encoding().as_bytes()),
        (None, r) => r.null(),
    }
    Ok(())
}

fn object_freq(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.lookup_read(&argv[2]).is_none() {
        ctx.reply().null();
        return Ok(());
    }
    if !is_lfu(ctx.srv.config.maxmemory_policy()) {
        return Err("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.".into());
    }
    let stored = ctx.db().dict.clock_of(&argv[2]).unwrap_or(0);
    let now = ctx.now_ms();
    let decay = ctx.srv.config.lfu_decay_time();
    let freq = crate::keyspace::access::lfu_counter(stored, now, decay);
    ctx.reply().int(i64::from(freq));
    Ok(())
}

fn object_idletime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if ctx.lookup_read(&argv[2]).is_none() {
        ctx.reply().null();
        return Ok(());
    }
    if is_lfu(ctx.srv.config.maxmemory_policy()) {
        return Err("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.".into());
    }
    let stored = ctx.db().dict.clock_of(&argv[2]).unwrap_or(0);
    let idle = crate::keyspace::access::idle_ms(stored, ctx.now_ms()) / 1000;
    ctx.reply().int(idle as i64);
    Ok(())
}

fn object_refcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // Valkey 8.1+ embeds the key in the value object, so values stored in
    // the keyspace are never shared: the count is always 1.
    match ctx.read_key(&argv[2]) {
        (Some(_), r) => r.int(1),
        (None, r) => r.null(),
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// WAIT

fn wait(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let _numreplicas = parse_i64(&argv[1]).ok_or(err::NOT_INT)?;
    let timeout = parse_i64(&argv[2]).ok_or("ERR timeout is not an integer or out of range")?;
    if timeout < 0 {
        return Err("ERR timeout is negative".into());
    }
    if timeout > 0 && timeout > i64::MAX - ctx.now_ms() {
        return Err("ERR timeout is out of range".into());
    }
    // No replicas exist yet, so none has acknowledged anything.
    // TODO(replication): when fewer than `numreplicas` replicas acked the
    // client's offset, Valkey blocks the client until they do or `timeout`
    // ms pass (forever for 0), then replies the count. Without replicas
    // that count is always 0, which we reply at once instead of blocking.
    ctx.reply().int(0);
    Ok(())
}

// ---------------------------------------------------------------------------
// Glob matching

// ---------------------------------------------------------------------------
// DUMP, RESTORE

fn dump(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let compress = ctx.srv.config.rdbcompression();
    match ctx.lookup_read(&argv[1]) {
        Some(v) => {
            let payload = crate::persistence::snapshot::dump(v, compress);
            ctx.reply().bulk(&payload);
        }
        None => ctx.reply().null(),
    }
    Ok(())
}

fn restore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    use crate::persistence::snapshot;
    let key = &argv[1];
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (Option<i64>, Option<i64>) = (None, None);
    let mut j = 4;
    while j < argv.len() {
        let more = argv.len() - j - 1;
        if eq_ic(&argv[j], "replace") {
            replace = true;
        } else if eq_ic(&argv[j], "absttl") {
            absttl = true;
        } else if eq_ic(&argv[j], "idletime") && more >= 1 && freq.is_none() {
            let v = parse_i64(&argv[j + 1]).ok_or(err::NOT_INT)?;
            if v < 0 {
                return Err("ERR Invalid IDLETIME value, must be >= 0".into());
            }
            idle = Some(v);
            j += 1;
        } else if eq_ic(&argv[j], "freq") && more >= 1 && idle.is_none() {
            let v = parse_i64(&argv[j + 1]).ok_or(err::NOT_INT)?;
            if !(0..=255).contains(&v) {
                return Err("ERR Invalid FREQ value, must be >= 0 and <= 255".into());
            }
            freq = Some(v);
            j += 1;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    // Valkey's order: an existing key is reported before a bad TTL.
    let now = ctx.now_ms();
    if !replace && ctx.srv.dbs[ctx.client.db].contains(key, now) {
        return Err("BUSYKEY Target key name already exists.".into());
    }
    let ttl = parse_i64(&argv[2]).ok_or(err::NOT_INT)?;
    if ttl < 0 {
        return Err("ERR Invalid TTL value, must be >= 0".into());
    }
    let payload = &argv[3];
    if !snapshot::payload_ok(payload, ctx.srv.config.rdb_version_check_relaxed()) {
        return Err("ERR DUMP payload version or checksum are wrong".into());
    }
    let lim = crate::persistence::rdb::LoadLimits::from_config(&ctx.srv.config, i64::MIN);
    let value = match snapshot::undump(payload, &lim) {
        Ok(Some(v)) => v,
        _ => return Err("ERR Bad data format".into()),
    };
    let when = match ttl {
        0 => None,
        t if absttl => Some(t),
        t => Some(now.saturating_add(t)),
    };
    let db = ctx.client.db;
    let lazy = ctx.srv.config.lazyfree_lazy_server_del();
    let deleted = match ctx.srv.dbs[db].dict.remove(key) {
        Some((old, _)) => {
            if lazy {
                ctx.srv.lazyfree.free_value(old);
            }
            true
        }
        None => false,
    };
    if when.is_some_and(|w| w <= now) {
        // Already expired: the key is not created (an old one is gone).
        if deleted {
            ctx.dirty(1);
            ctx.notify(notify::GENERIC, "del", key);
            let del = Bytes::from_static(b"DEL");
            ctx.propagate_as(vec![del, key.clone()]);
        } else {
            ctx.propagate_nothing();
        }
        ctx.reply().ok();
        return Ok(());
    }
    ctx.srv.dbs[db].add_with_expire(key, value, when);
    key_arrived(ctx.srv, db, key);
    let clock = crate::keyspace::access::restored_clock(
        is_lfu(ctx.srv.config.maxmemory_policy()),
        idle.map(|s| s as u64),
        freq.map(|f| f as u8),
        now,
    );
    if let Some(c) = clock {
        ctx.srv.dbs[db].dict.set_clock(key, c);
    }
    ctx.dirty(1);
    ctx.notify(notify::GENERIC, "restore", key);
    ctx.reply().ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::server::Client;

    #[test]
    fn glob_basics() {
        assert!(glob_match(b"*", b"anything", false));
        assert!(glob_match(b"h?llo", b"hello", false));
        assert!(glob_match(b"h*llo", b"heeeello", false));
        assert!(glob_match(b"h[ae]llo", b"hallo", false));
        assert!(!glob_match(b"h[ae]llo", b"hillo", false));
        assert!(glob_match(b"h[^e]llo", b"hallo", false));
        assert!(!glob_match(b"h[^e]llo", b"hello", false));
        assert!(glob_match(b"h[a-b]llo", b"hbllo", false));
        assert!(glob_match(b"h[b-a]llo", b"hbllo", false), "reversed range");
        assert!(glob_match(b"h\\*llo", b"h*llo", false));
        assert!(!glob_match(b"h\\*llo", b"hello", false));
        assert!(glob_match(b"a*", b"a", false));
        assert!(glob_match(b"a**", b"a", false));
        assert!(!glob_match(b"*", b"", false), "Valkey: * needs a byte");
        assert!(glob_match(b"", b"", false));
        assert!(glob_match(b"HELLO", b"hello", true));
        assert!(glob_match(b"[A-C]x", b"bx", true));
        assert!(!glob_match(b"HELLO", b"hello", false));
        assert!(glob_match(b"[\\]]", b"]", false));
        assert!(
            glob_match(b"a\\", b"a\\", false),
            "trailing backslash is literal"
        );
    }

    #[test]
    fn glob_edge_cases_match_valkey() {
        // An unterminated class never matches; "[^" matches any one byte.
        assert!(!glob_match(b"a[", b"ab", false));
        assert!(glob_match(b"a[^", b"ab", false));
        assert!(!glob_match(b"a[^", b"abc", false));
        assert!(glob_match(b"[abc", b"b", false));
        // Signed-char ranges: [a-\xff] is [\xff-a] and excludes 0x80.
        assert!(!glob_match(b"[a-\xff]", b"\x80", false));
        assert!(glob_match(b"[a-\xff]", b"0", false));
        // Abusive patterns are cut off, not stack-overflowed.
        let pat = "a*".repeat(2000) + "b";
        assert!(!glob_match(pat.as_bytes(), &[b'a'; 3000], false));
        let mut long = vec![b'a'; 50];
        long.push(b'b');
        assert!(!glob_match(b"*a*a*a*a*a*a*a*a*c", &long, false));
    }

    #[test]
    fn scan_cursor_parsing() {
        assert_eq!(parse_scan_cursor(b"0"), Ok(0));
        assert_eq!(parse_scan_cursor(b"123"), Ok(123));
        assert_eq!(
            parse_scan_cursor(b"18446744073709551615"),
            Ok(u64::MAX),
            "beyond i64 via strtoull"
        );
        assert!(parse_scan_cursor(b"18446744073709551616").is_err());
        assert!(parse_scan_cursor(b"-1").is_err());
        assert!(parse_scan_cursor(b"abc").is_err());
        assert!(parse_scan_cursor(b"").is_err());
        assert!(parse_scan_cursor(b"1x").is_err());
        assert_eq!(parse_scan_cursor(b"+5"), Ok(5));
        assert_eq!(parse_scan_cursor(b"007"), Ok(7));
        assert_eq!(parse_scan_cursor(b" 7"), Ok(7));
        assert_eq!(parse_scan_cursor(b"7\0junk"), Ok(7));
        assert_eq!(
            parse_scan_cursor(b"-1").unwrap_err().0,
            "ERR invalid cursor"
        );
    }

    #[test]
    fn expire_conditions() {
        let p = |opts: &[&str]| {
            let v: Vec<Bytes> = opts.iter().map(|o| Bytes::from(o.to_string())).collect();
            ExpireCond::parse(&v)
        };
        assert_eq!(
            p(&["nx", "xx"]).unwrap_err().0,
            "ERR NX and XX, GT or LT options at the same time are not compatible"
        );
        assert_eq!(
            p(&["GT", "lt"]).unwrap_err().0,
            "ERR GT and LT options at the same time are not compatible"
        );
        assert_eq!(p(&["foo"]).unwrap_err().0, "ERR Unsupported option foo");
        let gt = p(&["gt"]).unwrap();
        assert!(!gt.allows(None, 10), "no TTL is infinite for GT");
        assert!(gt.allows(Some(5), 10));
        assert!(!gt.allows(Some(10), 10));
        let lt = p(&["lt"]).unwrap();
        assert!(lt.allows(None, 10), "no TTL is infinite for LT");
        assert!(!lt.allows(Some(10), 10));
        assert!(lt.allows(Some(11), 10));
        let xx = p(&["xx", "gt"]).unwrap();
        assert!(!xx.allows(None, 10));
    }

    /// An in-process executor to observe what the network cannot show yet:
    /// propagation and keyspace statistics.
    struct Harness {
        srv: Server,
        client: Client,
    }

    impl Harness {
        fn new() -> Self {
            // No save points: FLUSHALL would write dump.rdb into the cwd.
            let args = ["--save".to_string(), String::new()];
            let config = Config::load(None, &args).expect("default config");
            let mut srv = Server::new(config);
            srv.record_propagation = true;
            let client = Client::new(1, 0, srv.now_ms);
            Harness { srv, client }
        }

        fn run(&mut self, args: &[&str]) -> String {
            let argv: Vec<Bytes> = args
                .iter()
                .map(|a| Bytes::copy_from_slice(a.as_bytes()))
                .collect();
            self.srv.update_clock();
            self.srv.execute(&mut self.client, &argv);
            let out = std::mem::take(&mut self.client.reply.buf);
            String::from_utf8_lossy(&out).into_owned()
        }

        /// Propagated commands since the last call, as space-joined text.
        fn propagated(&mut self) -> Vec<String> {
            self.srv
                .propagated
                .drain(..)
                .map(|(_, argv)| {
                    argv.iter()
                        .map(|a| String::from_utf8_lossy(a).into_owned())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        }
    }

    #[test]
    fn relative_expires_propagate_as_pexpireat() {
        let mut h = Harness::new();
        h.run(&["SET", "k", "v"]);
        h.propagated();
        assert_eq!(h.run(&["EXPIRE", "k", "100", "NX"]), ":1\r\n");
        let p = h.propagated();
        assert_eq!(p.len(), 1);
        let parts: Vec<&str> = p[0].split(' ').collect();
        assert_eq!(parts[0], "PEXPIREAT");
        assert_eq!(parts[1], "k");
        let when: i64 = parts[2].parse().unwrap();
        assert!((when - h.srv.now_ms - 100_000).abs() < 1000, "{when}");
        assert_eq!(parts[3], "NX", "options are kept");

        h.run(&["PEXPIRE", "k", "5000"]);
        assert!(h.propagated()[0].starts_with("PEXPIREAT k "));
        h.run(&["EXPIREAT", "k", "99999999999"]);
        assert_eq!(h.propagated(), ["PEXPIREAT k 99999999999000"]);
        h.run(&["pexpireat", "k", "99999999999001"]);
        assert_eq!(h.propagated(), ["pexpireat k 99999999999001"], "as is");
        // A refused condition changes nothing and propagates nothing.
        assert_eq!(h.run(&["EXPIRE", "k", "1", "GT"]), ":0\r\n");
        assert!(h.propagated().is_empty());
    }

    #[test]
    fn expire_in_the_past_deletes_and_propagates_unlink() {
        let mut h = Harness::new();
        h.run(&["SET", "k", "v"]);
        h.propagated();
        let before = h.srv.stats.expired_keys;
        assert_eq!(h.run(&["EXPIRE", "k", "-1"]), ":1\r\n");
        assert_eq!(h.propagated(), ["UNLINK k"]);
        assert_eq!(h.srv.stats.expired_keys, before + 1);
        assert_eq!(h.run(&["EXISTS", "k"]), ":0\r\n");
        assert_eq!(h.run(&["EXPIRE", "k", "-1"]), ":0\r\n");
        assert!(h.propagated().is_empty());
    }

    #[test]
    fn flush_propagates_even_when_empty() {
        let mut h = Harness::new();
        let dirty = h.srv.dirty;
        assert_eq!(h.run(&["FLUSHDB"]), "+OK\r\n");
        assert_eq!(h.propagated(), ["FLUSHDB"]);
        assert_eq!(h.srv.dirty, dirty, "nothing removed, nothing dirty");
        h.run(&["SET", "a", "1"]);
        h.run(&["SET", "b", "1"]);
        h.propagated();
        assert_eq!(h.run(&["FLUSHALL", "SYNC"]), "+OK\r\n");
        assert_eq!(h.propagated(), ["FLUSHALL SYNC"]);
        assert_eq!(h.srv.dirty, dirty + 4);
    }

    #[test]
    fn del_of_missing_keys_propagates_nothing() {
        let mut h = Harness::new();
        assert_eq!(h.run(&["DEL", "nokey"]), ":0\r\n");
        assert!(h.propagated().is_empty());
        h.run(&["SET", "a", "1"]);
        h.propagated();
        assert_eq!(h.run(&["UNLINK", "a", "nokey"]), ":1\r\n");
        assert_eq!(h.propagated(), ["UNLINK a nokey"]);
    }

    #[test]
    fn read_commands_count_keyspace_hits_and_misses() {
        let mut h = Harness::new();
        h.run(&["SET", "a", "1"]);
        let (hits, misses) = (h.srv.stats.keyspace_hits, h.srv.stats.keyspace_misses);
        h.run(&["EXISTS", "a", "b", "a"]);
        h.run(&["TYPE", "a"]);
        h.run(&["TTL", "zz"]);
        h.run(&["TOUCH", "a"]);
        h.run(&["OBJECT", "ENCODING", "a"]);
        assert_eq!(h.srv.stats.keyspace_hits, hits + 5);
        assert_eq!(h.srv.stats.keyspace_misses, misses + 2);
        // Write lookups and whole-keyspace commands do not count.
        h.run(&["RENAME", "a", "c"]);
        h.run(&["PERSIST", "c"]);
        h.run(&["DEL", "c"]);
        h.run(&["KEYS", "*"]);
        h.run(&["SCAN", "0"]);
        h.run(&["RANDOMKEY"]);
        assert_eq!(h.srv.stats.keyspace_hits, hits + 5);
        assert_eq!(h.srv.stats.keyspace_misses, misses + 2);
    }

    #[test]
    fn lazily_expired_keys_are_skipped_and_deleted_by_scan() {
        let mut h = Harness::new();
        h.run(&["SET", "live", "1"]);
        h.run(&["SET", "dead", "1"]);
        let past = h.srv.now_ms - 10;
        let db = &mut h.srv.dbs[0];
        db.set_expire(b"dead", Some(past));
        h.propagated();
        assert_eq!(h.run(&["KEYS", "*"]), "*1\r\n$4\r\nlive\r\n");
        assert_eq!(h.srv.dbs[0].len(), 2, "KEYS does not delete");
        assert_eq!(
            h.run(&["SCAN", "0"]),
            "*2\r\n$1\r\n0\r\n*1\r\n$4\r\nlive\r\n"
        );
        assert_eq!(h.srv.dbs[0].len(), 1, "SCAN deletes what it finds expired");
        assert_eq!(h.propagated(), ["UNLINK dead"]);
    }
}
