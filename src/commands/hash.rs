//! Hash commands, including Valkey 9's per-field expiration (HEXPIRE and
//! friends, HSETEX, HGETEX) and 9.1's HGETDEL.
//!
//! Field TTLs: reads skip fields past their time; write paths first
//! reclaim them ([`reclaim`]), propagating an HDEL for what they removed,
//! and the active cycle ([`active_expire_fields`], run from cron) reclaims
//! fields of hashes nobody touches. A hash whose last field expires is
//! deleted. Relative TTLs are propagated as absolute ones (HPEXPIREAT,
//! HSETEX PXAT), and immediate expirations as HDEL, as Valkey does.

use super::collection::{
    bulk_entry, get_i64, get_range, parse_cursor, parse_scan_opts, scan_loop, ScanKind,
};
use crate::server::{err, notify, Client, CmdError, CmdResult, CommandTable, Ctx, Server};
use crate::types::hash::{ExpireCond, HashLimits, HashValue, EXP_DELETED, EXP_SET};
use crate::types::listpack::LpEntry;
use crate::types::Value;
use crate::util::long_double::LongDouble;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("hset", hset);
    t.add("hmset", hset);
    t.add("hsetnx", hsetnx);
    t.add("hget", hget);
    t.add("hmget", hmget);
    t.add("hdel", hdel);
    t.add("hlen", hlen);
    t.add("hstrlen", hstrlen);
    t.add("hexists", hexists);
    t.add("hkeys", hkeys);
    t.add("hvals", hvals);
    t.add("hgetall", hgetall);
    t.add("hincrby", hincrby);
    t.add("hincrbyfloat", hincrbyfloat);
    t.add("hrandfield", hrandfield);
    t.add("hscan", hscan);
    t.add("hgetdel", hgetdel);
    t.add("hexpire", hexpire);
    t.add("hpexpire", hpexpire);
    t.add("hexpireat", hexpireat);
    t.add("hpexpireat", hpexpireat);
    t.add("httl", httl);
    t.add("hpttl", hpttl);
    t.add("hexpiretime", hexpiretime);
    t.add("hpexpiretime", hpexpiretime);
    t.add("hpersist", hpersist);
    t.add("hsetex", hsetex);
    t.add("hgetex", hgetex);
}

const NUMFIELDS: &str =
    "ERR numfields should be greater than 0 and match the provided number of fields";

fn limits(ctx: &Ctx) -> HashLimits {
    HashLimits::from_config(&ctx.srv.config)
}

/// Remove the fields of `key` whose TTL passed (at most `max`),
/// propagating an HDEL and reporting `hexpired`; deletes the key when it
/// empties (reporting `del`). `current` is the running client, if any.
fn purge(
    srv: &mut Server,
    mut current: Option<&mut Client>,
    db: usize,
    key: &[u8],
    now: i64,
    max: usize,
) -> usize {
    let d = &mut srv.dbs[db];
    let Some(Value::Hash(h)) = d.dict.get_mut(key) else {
        return 0;
    };
    let old = h.next_expire();
    let fields = h.purge_expired(now, max);
    let empty = h.is_empty();
    let new = h.next_expire();
    if empty {
        d.remove(key);
    }
    d.volatile_hashes
        .update(key, old, if empty { None } else { new });
    let n = fields.len();
    if n > 0 {
        let mut argv = Vec::with_capacity(n + 2);
        argv.push(Bytes::from_static(b"HDEL"));
        argv.push(Bytes::copy_from_slice(key));
        argv.extend(fields.into_iter().map(Bytes::from));
        srv.propagate(db, argv);
        srv.notify(current.as_deref_mut(), notify::HASH, "hexpired", key, db);
    }
    if empty {
        srv.notify(current, notify::GENERIC, "del", key, db);
    }
    n
}

/// Write paths: reclaim expired fields of `key` before working on it.
fn reclaim(ctx: &mut Ctx, key: &[u8]) -> CmdResult {
    let now = ctx.now_ms();
    let due = match ctx.lookup_write(key) {
        None => false,
        Some(Value::Hash(h)) => h.next_expire().is_some_and(|t| t < now),
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    if due {
        let db = ctx.client.db;
        purge(ctx.srv, Some(ctx.client), db, key, now, usize::MAX);
    }
    Ok(())
}

/// The hash at `key` for writing, expired fields reclaimed.
fn hash_mut<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut HashValue>, CmdError> {
    reclaim(ctx, key)?;
    match ctx.db().dict.get_mut(key) {
        None => Ok(None),
        Some(Value::Hash(h)) => Ok(Some(h)),
        Some(_) => Err(err::WRONGTYPE.into()),
    }
}

fn hash_mut_or_create<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<&'a mut HashValue, CmdError> {
    if hash_mut(ctx, key)?.is_none() {
        ctx.db().add(key, Value::Hash(Box::default()));
    }
    match ctx.db().dict.get_mut(key) {
        Some(Value::Hash(h)) => Ok(h),
        _ => Err(err::WRONGTYPE.into()),
    }
}

/// After a command changed `key`: report `event` (class `h`), drop the key
/// if empty (reporting `del`), and keep the field expiry index in step
/// (`old` = earliest field TTL before the command).
fn finish(ctx: &mut Ctx, key: &[u8], old: Option<i64>, event: Option<&str>) {
    if let Some(event) = event {
        ctx.notify(notify::HASH, event, key);
    }
    let d = ctx.db();
    let (empty, new) = match d.dict.get(key) {
        Some(Value::Hash(h)) => (h.is_empty(), h.next_expire()),
        _ => (false, None),
    };
    if empty {
        d.remove(key);
    }
    d.volatile_hashes
        .update(key, old, if empty { None } else { new });
    if empty {
        ctx.notify(notify::GENERIC, "del", key);
    }
}

fn arity_error(argv: &[Bytes]) -> CmdError {
    CmdError::from(format!(
        "ERR wrong number of arguments for '{}' command",
        String::from_utf8_lossy(&argv[0]).to_ascii_lowercase()
    ))
}

fn hset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() % 2 == 1 {
        return Err(arity_error(argv));
    }
    let lim = limits(ctx);
    let key = &argv[1];
    let pairs = (argv.len() - 2) / 2;
    let set_all = |h: &mut HashValue| {
        h.try_conversion(pairs, argv[2..].iter().map(|a| &a[..]), &lim);
        let mut created = 0;
        for kv in argv[2..].chunks(2) {
            if h.set(&kv[0], &kv[1], None, &lim) {
                created += 1;
            }
        }
        created
    };
    enum Path {
        Done(i64),
        Missing,
        Volatile,
    }
    // One lookup unless the hash has field TTLs to take care of.
    let path = match ctx.lookup_write(key) {
        Some(Value::Hash(h)) if !h.has_volatile() => Path::Done(set_all(h)),
        Some(Value::Hash(_)) => Path::Volatile,
        Some(_) => return Err(err::WRONGTYPE.into()),
        None => Path::Missing,
    };
    let created = match path {
        Path::Done(n) => n,
        Path::Missing => {
            let mut h = HashValue::new();
            let n = set_all(&mut h);
            ctx.db().add(key, Value::Hash(Box::new(h)));
            n
        }
        Path::Volatile => {
            let h = hash_mut_or_create(ctx, key)?;
            let old = h.next_expire();
            let n = set_all(h);
            finish(ctx, key, old, None);
            n
        }
    };
    ctx.notify(notify::HASH, "hset", key);
    if argv[0].eq_ignore_ascii_case(b"hmset") {
        ctx.reply().ok();
    } else {
        ctx.reply().int(created);
    }
    ctx.dirty(pairs as u64);
    Ok(())
}

fn hsetnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lim = limits(ctx);
    let now = ctx.now_ms();
    let h = hash_mut_or_create(ctx, &argv[1])?;
    if h.exists_at(&argv[2], now) {
        ctx.reply().int(0);
        return Ok(());
    }
    h.try_conversion(1, [&argv[2][..], &argv[3][..]], &lim);
    h.set(&argv[2], &argv[3], None, &lim);
    ctx.reply().int(1);
    ctx.dirty(1);
    ctx.notify(notify::HASH, "hset", &argv[1]);
    Ok(())
}

fn hget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    match ctx.read_key(&argv[1]) {
        (None, r) => r.null(),
        (Some(Value::Hash(h)), r) => match h.get_at(&argv[2], now) {
            Some(v) => bulk_entry(r, v),
            None => r.null(),
        },
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn hmget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    let (v, r) = ctx.read_key(&argv[1]);
    let h = match v {
        None => None,
        Some(Value::Hash(h)) => Some(h),
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    r.array(argv.len() - 2);
    for f in &argv[2..] {
        match h.and_then(|h| h.get_at(f, now)) {
            Some(v) => bulk_entry(r, v),
            None => r.null(),
        }
    }
    Ok(())
}

fn hdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let Some(h) = hash_mut(ctx, key)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let old = h.next_expire();
    let mut deleted = 0;
    for f in &argv[2..] {
        if h.delete(f) {
            deleted += 1;
            if h.is_empty() {
                break;
            }
        }
    }
    finish(ctx, key, old, (deleted > 0).then_some("hdel"));
    ctx.dirty(deleted);
    ctx.reply().int(deleted as i64);
    Ok(())
}

fn hlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    match ctx.read_key(&argv[1]) {
        (None, r) => r.int(0),
        (Some(Value::Hash(h)), r) => r.int(h.len_at(now) as i64),
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn hstrlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    match ctx.read_key(&argv[1]) {
        (None, r) => r.int(0),
        (Some(Value::Hash(h)), r) => {
            r.int(h.get_at(&argv[2], now).map_or(0, |v| v.str_len()) as i64)
        }
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn hexists(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    match ctx.read_key(&argv[1]) {
        (None, r) => r.int(0),
        (Some(Value::Hash(h)), r) => r.int(h.exists_at(&argv[2], now) as i64),
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn getall_generic(ctx: &mut Ctx, argv: &[Bytes], fields: bool, values: bool) -> CmdResult {
    let now = ctx.now_ms();
    let (v, r) = ctx.read_key(&argv[1]);
    let h = match v {
        None => {
            if fields && values {
                r.map(0);
            } else {
                r.empty_array();
            }
            return Ok(());
        }
        Some(Value::Hash(h)) => h,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let n = h.len_at(now);
    if fields && values {
        r.map(n);
    } else {
        r.array(n);
    }
    for (k, v) in h.iter_at(now) {
        if fields {
            bulk_entry(r, k);
        }
        if values {
            bulk_entry(r, v);
        }
    }
    Ok(())
}

fn hkeys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, true, false)
}

fn hvals(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, false, true)
}

fn hgetall(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getall_generic(ctx, argv, true, true)
}

/// Propagate an increment as the value it produced: HSET, or HSETEX PXAT
/// when the field keeps a TTL.
fn propagate_final(ctx: &mut Ctx, key: &Bytes, field: &Bytes, value: &[u8], expire: Option<i64>) {
    match expire {
        None => ctx.propagate_as(vec![
            Bytes::from_static(b"HSET"),
            key.clone(),
            field.clone(),
            Bytes::copy_from_slice(value),
        ]),
        Some(t) => ctx.propagate_as(vec![
            Bytes::from_static(b"HSETEX"),
            key.clone(),
            Bytes::from_static(b"PXAT"),
            Bytes::from(t.to_string()),
            Bytes::from_static(b"FIELDS"),
            Bytes::from_static(b"1"),
            field.clone(),
            Bytes::copy_from_slice(value),
        ]),
    }
}

fn hincrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let incr = get_i64(&argv[3], None)?;
    let lim = limits(ctx);
    let now = ctx.now_ms();
    let h = hash_mut_or_create(ctx, &argv[1])?;
    let had_volatile = h.has_volatile();
    let expire = h.expire_of(&argv[2], now).flatten();
    let cur = match h.get_at(&argv[2], now) {
        None => 0,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| CmdError::from("ERR hash value is not an integer"))?,
    };
    let value = cur
        .checked_add(incr)
        .ok_or_else(|| CmdError::from("ERR increment or decrement would overflow"))?;
    let text = itoa::Buffer::new().format(value).to_string();
    h.set(&argv[2], text.as_bytes(), expire, &lim);
    ctx.reply().int(value);
    ctx.dirty(1);
    ctx.notify(notify::HASH, "hincrby", &argv[1]);
    if had_volatile {
        propagate_final(ctx, &argv[1], &argv[2], text.as_bytes(), expire);
    }
    Ok(())
}

fn hincrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let incr = LongDouble::parse(&argv[3]).ok_or_else(|| CmdError::from(err::NOT_FLOAT))?;
    if !incr.is_finite() {
        return Err("ERR value is NaN or Infinity".into());
    }
    let lim = limits(ctx);
    let now = ctx.now_ms();
    let h = hash_mut_or_create(ctx, &argv[1])?;
    let expire = h.expire_of(&argv[2], now).flatten();
    let cur = match h.get_at(&argv[2], now) {
        None => LongDouble::from_i64(0),
        Some(LpEntry::Int(n)) => LongDouble::from_i64(n),
        Some(LpEntry::Str(s)) => LongDouble::parse(s)
            .filter(|v| v.is_finite())
            .ok_or_else(|| CmdError::from("ERR hash value is not a float"))?,
    };
    let value = cur + incr;
    if !value.is_finite() {
        return Err("ERR increment would produce NaN or Infinity".into());
    }
    let text = value.to_human();
    h.set(&argv[2], text.as_bytes(), expire, &lim);
    ctx.reply().bulk(text.as_bytes());
    ctx.dirty(1);
    ctx.notify(notify::HASH, "hincrbyfloat", &argv[1]);
    propagate_final(ctx, &argv[1], &argv[2], text.as_bytes(), expire);
    Ok(())
}

fn hrandfield(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms();
    if argv.len() >= 3 {
        let l = get_range(&argv[2], -i64::MAX, i64::MAX, None)?;
        let withvalues = if argv.len() > 4
            || (argv.len() == 4 && !argv[3].eq_ignore_ascii_case(b"withvalues"))
        {
            return Err(err::SYNTAX.into());
        } else if argv.len() == 4 {
            if !(-i64::MAX / 2..=i64::MAX / 2).contains(&l) {
                return Err("ERR value is out of range".into());
            }
            true
        } else {
            false
        };
        return hrandfield_count(ctx, argv, l, withvalues, now);
    }
    let mut seed = ctx.srv.random();
    let (v, r) = ctx.read_key(&argv[1]);
    match v {
        None => r.null(),
        Some(Value::Hash(h)) => {
            let mut rng = || {
                seed = crate::util::rand::splitmix(seed);
                seed
            };
            match h.random_at(&mut rng, now) {
                Some((k, _)) => bulk_entry(r, k),
                None => r.null(),
            }
        }
        Some(_) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn hrandfield_count(
    ctx: &mut Ctx,
    argv: &[Bytes],
    l: i64,
    withvalues: bool,
    now: i64,
) -> CmdResult {
    let mut seed = ctx.srv.random();
    let resp3 = ctx.client.reply.resp3;
    let (v, r) = ctx.read_key(&argv[1]);
    let h = match v {
        None => {
            r.empty_array();
            return Ok(());
        }
        Some(Value::Hash(h)) => h,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let mut rng = move || {
        seed = crate::util::rand::splitmix(seed);
        seed
    };
    let count = l.unsigned_abs() as usize;
    if count == 0 {
        r.empty_array();
        return Ok(());
    }
    let emit = |r: &mut crate::protocol::Reply, k: LpEntry<'_>, v: LpEntry<'_>| {
        if withvalues && resp3 {
            r.array(2);
        }
        bulk_entry(r, k);
        if withvalues {
            bulk_entry(r, v);
        }
    };
    let header = |r: &mut crate::protocol::Reply, n: usize| {
        r.array(if withvalues && !resp3 { n * 2 } else { n });
    };
    let size = h.len_at(now);
    // Negative count: independent draws, repeats allowed.
    if l < 0 || count == 1 {
        // Streamed: the count is only known at the end (a hash whose
        // fields all expired yields fewer).
        let d = r.deferred();
        let mut n = 0;
        for _ in 0..count {
            match h.random_at(&mut rng, now) {
                Some((k, v)) => emit(r, k, v),
                None => break,
            }
            n += 1;
        }
        r.set_deferred_len(d, b'*', if withvalues && !resp3 { n * 2 } else { n });
        return Ok(());
    }
    // Asking for at least everything: return the whole hash.
    if count >= size {
        header(r, size);
        for (k, v) in h.iter_at(now) {
            emit(r, k, v);
        }
        return Ok(());
    }
    // Unique sample: pick positions among the live pairs.
    let all: Vec<(LpEntry<'_>, LpEntry<'_>)> = h.iter_at(now).collect();
    let mut idx: Vec<usize> = (0..all.len()).collect();
    for i in 0..count {
        let j = i + (rng() % (idx.len() - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut chosen: Vec<usize> = idx[..count].to_vec();
    if matches!(**h, HashValue::Listpack(_)) {
        // Valkey samples listpacks in storage order.
        chosen.sort_unstable();
    }
    header(r, count);
    for i in chosen {
        let (k, v) = all[i];
        emit(r, k, v);
    }
    Ok(())
}

fn hscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[2])?;
    let now = ctx.now_ms();
    let (v, r) = ctx.read_key(&argv[1]);
    let h = match v {
        None => {
            r.array(2);
            r.bulk(b"0");
            r.empty_array();
            return Ok(());
        }
        Some(Value::Hash(h)) => h,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let opts = parse_scan_opts(argv, ScanKind::Hash, cursor)?;
    let mut items: Vec<Vec<u8>> = Vec::new();
    let next = match &**h {
        HashValue::Listpack(_) => h.scan_step(0, now, |k, v| {
            if k.with_bytes(|b| opts.matches(b)) {
                items.push(k.to_vec());
                if !opts.only_keys {
                    items.push(v.to_vec());
                }
            }
        }),
        HashValue::Table(_) => scan_loop(&opts, |c, sampled| {
            h.scan_step(c, now, |k, v| {
                *sampled += 1;
                if k.with_bytes(|b| opts.matches(b)) {
                    items.push(k.to_vec());
                    if !opts.only_keys {
                        items.push(v.to_vec());
                    }
                }
            })
        }),
    };
    r.array(2);
    r.bulk(itoa::Buffer::new().format(next).as_bytes());
    r.array(items.len());
    for it in &items {
        r.bulk(it);
    }
    Ok(())
}

/// `numfields` at argv[3] followed by exactly that many fields (HGETDEL,
/// HPERSIST); returns the index of the first field.
fn fixed_fields(argv: &[Bytes], mismatch: &'static str) -> Result<usize, CmdError> {
    let n = get_i64(&argv[3], None)?;
    if n == 0 || n != (argv.len() - 4) as i64 {
        return Err(mismatch.into());
    }
    Ok(4)
}

fn hgetdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let first = fixed_fields(argv, NUMFIELDS)?;
    let key = &argv[1];
    let now = ctx.now_ms();
    let h = hash_mut(ctx, key)?;
    let Some(h) = h else {
        let r = ctx.reply();
        r.array(argv.len() - first);
        for _ in first..argv.len() {
            r.null();
        }
        return Ok(());
    };
    let old = h.next_expire();
    let mut vals: Vec<Option<Vec<u8>>> = Vec::with_capacity(argv.len() - first);
    let mut deleted = 0;
    for f in &argv[first..] {
        let v = h.get_at(f, now).map(|e| e.to_vec());
        if v.is_some() && h.delete(f) {
            deleted += 1;
        }
        vals.push(v);
    }
    finish(ctx, key, old, (deleted > 0).then_some("hdel"));
    let r = ctx.reply();
    r.array(vals.len());
    for v in &vals {
        match v {
            Some(x) => r.bulk(x),
            None => r.null(),
        }
    }
    ctx.dirty(deleted);
    Ok(())
}

/// Find the `FIELDS` token at or after argv[start] (not as the last
/// argument); returns its index, or argv.len() when absent.
fn find_fields(argv: &[Bytes], start: usize) -> usize {
    let mut i = start;
    while i + 1 < argv.len() {
        if argv[i].eq_ignore_ascii_case(b"fields") {
            return i;
        }
        i += 1;
    }
    argv.len()
}

/// The numfields after a FIELDS token at `at` (0 when there is none) and
/// the index of the first field.
fn numfields_at(argv: &[Bytes], at: usize) -> Result<(i64, usize), CmdError> {
    if at >= argv.len() {
        return Ok((0, argv.len()));
    }
    Ok((get_i64(&argv[at + 1], None)?, at + 2))
}

fn parse_expire_conds(argv: &[Bytes], end: usize) -> Result<ExpireCond, CmdError> {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for a in &argv[3..end] {
        if a.eq_ignore_ascii_case(b"nx") {
            nx = true;
        } else if a.eq_ignore_ascii_case(b"xx") {
            xx = true;
        } else if a.eq_ignore_ascii_case(b"gt") {
            gt = true;
        } else if a.eq_ignore_ascii_case(b"lt") {
            lt = true;
        } else {
            return Err(format!("ERR Unsupported option {}", String::from_utf8_lossy(a)).into());
        }
    }
    if nx && (xx || gt || lt) {
        return Err("ERR NX and XX, GT or LT options at the same time are not compatible".into());
    }
    if gt && lt {
        return Err("ERR GT and LT options at the same time are not compatible".into());
    }
    Ok(if nx {
        ExpireCond::Nx
    } else if gt {
        // XX+GT behaves as GT (which already requires a TTL).
        ExpireCond::Gt
    } else if lt && xx {
        ExpireCond::XxLt
    } else if lt {
        ExpireCond::Lt
    } else if xx {
        ExpireCond::Xx
    } else {
        ExpireCond::None
    })
}

/// Valkey's `convertExpireArgumentToUnixTime`.
fn to_unix_ms(ctx: &Ctx, arg: &[u8], base: i64, seconds: bool) -> Result<i64, CmdError> {
    let bad = || {
        CmdError::from(format!(
            "ERR invalid expire time in '{}' command",
            ctx.srv.commands.fullname(ctx.cmd.id)
        ))
    };
    let when = get_i64(arg, None)?;
    if when < 0 {
        return Err(bad());
    }
    let when = if seconds {
        when.checked_mul(1000).ok_or_else(bad)?
    } else {
        when
    };
    when.checked_add(base).ok_or_else(bad)
}

fn hexpire_generic(ctx: &mut Ctx, argv: &[Bytes], relative: bool, seconds: bool) -> CmdResult {
    let opt_end = find_fields(argv, 3);
    let cond = if opt_end < argv.len() {
        parse_expire_conds(argv, opt_end)?
    } else {
        ExpireCond::None
    };
    let (n, first) = numfields_at(argv, opt_end)?;
    if n == 0 || n != (argv.len() - first) as i64 {
        return Err(NUMFIELDS.into());
    }
    let now = ctx.now_ms();
    let when = to_unix_ms(ctx, &argv[2], if relative { now } else { 0 }, seconds)?;
    let key = &argv[1];
    let past = when <= now;
    let h = hash_mut(ctx, key)?;
    let mut codes = Vec::with_capacity(argv.len() - first);
    let mut deleted: Vec<Bytes> = Vec::new();
    let mut updated = 0;
    let mut old = None;
    if let Some(h) = h {
        old = h.next_expire();
        for f in &argv[first..] {
            let code = if past {
                if h.exists_at(f, now) && h.delete(f) {
                    deleted.push(f.clone());
                    EXP_DELETED
                } else {
                    crate::types::hash::EXP_NO_FIELD
                }
            } else {
                h.set_expire(f, when, cond, now)
            };
            if code == EXP_SET {
                updated += 1;
            }
            codes.push(code);
        }
    } else {
        codes.resize(argv.len() - first, crate::types::hash::EXP_NO_FIELD);
    }
    let event = if !deleted.is_empty() {
        Some("hexpired")
    } else {
        (updated > 0).then_some("hexpire")
    };
    finish(ctx, key, old, event);
    let r = ctx.reply();
    r.array(codes.len());
    for c in &codes {
        r.int(*c);
    }
    if !deleted.is_empty() {
        let mut p = vec![Bytes::from_static(b"HDEL"), key.clone()];
        p.extend(deleted.iter().cloned());
        ctx.propagate_as(p);
        ctx.dirty(deleted.len() as u64);
    } else if updated > 0 {
        let mut p = argv.to_vec();
        p[0] = Bytes::from_static(b"HPEXPIREAT");
        p[2] = Bytes::from(when.to_string());
        ctx.propagate_as(p);
        ctx.dirty(updated);
    }
    Ok(())
}

fn hexpire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hexpire_generic(ctx, argv, true, true)
}

fn hpexpire(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hexpire_generic(ctx, argv, true, false)
}

fn hexpireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hexpire_generic(ctx, argv, false, true)
}

fn hpexpireat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    hexpire_generic(ctx, argv, false, false)
}

fn httl_generic(ctx: &mut Ctx, argv: &[Bytes], relative: bool, ms: bool) -> CmdResult {
    let first = fixed_fields(argv, err::SYNTAX)?;
    let now = ctx.now_ms();
    let base = if relative { now } else { 0 };
    let (v, r) = ctx.read_key(&argv[1]);
    let h = match v {
        None => None,
        Some(Value::Hash(h)) => Some(h),
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    r.array(argv.len() - first);
    for f in &argv[first..] {
        match h.and_then(|h| h.expire_of(f, now)) {
            None => r.int(-2),
            Some(None) => r.int(-1),
            Some(Some(t)) => {
                let left = (t - base).max(0);
                r.int(if ms { left } else { (left + 500) / 1000 });
            }
        }
    }
    Ok(())
}

fn httl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    httl_generic(ctx, argv, true, false)
}

fn hpttl(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    httl_generic(ctx, argv, true, true)
}

fn hexpiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    httl_generic(ctx, argv, false, false)
}

fn hpexpiretime(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    httl_generic(ctx, argv, false, true)
}

fn hpersist(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let first = fixed_fields(argv, NUMFIELDS)?;
    let key = &argv[1];
    let now = ctx.now_ms();
    // Valkey writes the array header before the type check.
    ctx.reply().array(argv.len() - first);
    let h = hash_mut(ctx, key)?;
    let mut codes = Vec::new();
    let mut old = None;
    match h {
        Some(h) => {
            old = h.next_expire();
            for f in &argv[first..] {
                codes.push(h.persist(f, now));
            }
        }
        None => codes.resize(argv.len() - first, -2),
    }
    let changes = codes.iter().filter(|&&c| c == 1).count();
    finish(ctx, key, old, (changes > 0).then_some("hpersist"));
    let r = ctx.reply();
    for c in &codes {
        r.int(*c);
    }
    ctx.dirty(changes as u64);
    Ok(())
}

/// Expiration options of HSETEX / HGETEX.
#[derive(Default)]
struct ExOpts {
    nx: bool,
    xx: bool,
    fnx: bool,
    fxx: bool,
    keepttl: bool,
    persist: bool,
    /// (argument, is absolute, in seconds)
    expire: Option<(Bytes, bool, bool)>,
}

fn parse_ex_opts(argv: &[Bytes], start: usize, end: usize, set: bool) -> Result<ExOpts, CmdError> {
    let mut o = ExOpts::default();
    let mut kind: Option<&'static str> = None;
    let mut j = start;
    while j < end {
        let a = &argv[j];
        let has_next = j + 1 < end;
        let up = a.to_ascii_uppercase();
        match &up[..] {
            b"NX" if set && !o.xx => o.nx = true,
            b"XX" if set && !o.nx => o.xx = true,
            b"FNX" if set && !o.fxx => o.fnx = true,
            b"FXX" if set && !o.fnx => o.fxx = true,
            b"KEEPTTL" if set && kind.is_none() => o.keepttl = true,
            b"PERSIST" if !set && kind.is_none() => o.persist = true,
            b"EX" | b"PX" | b"EXAT" | b"PXAT"
                if has_next
                    && !o.keepttl
                    && !o.persist
                    && kind.is_none_or(|k| k.as_bytes() == &up[..]) =>
            {
                let k: &'static str = match &up[..] {
                    b"EX" => "EX",
                    b"PX" => "PX",
                    b"EXAT" => "EXAT",
                    _ => "PXAT",
                };
                kind = Some(k);
                let abs = k.ends_with("AT");
                let secs = k.starts_with('E');
                o.expire = Some((argv[j + 1].clone(), abs, secs));
                j += 1;
            }
            _ => return Err(err::SYNTAX.into()),
        }
        j += 1;
    }
    Ok(o)
}

fn hsetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let opt_end = find_fields(argv, 2);
    let opts = if opt_end < argv.len() {
        parse_ex_opts(argv, 2, opt_end, true)?
    } else {
        ExOpts::default()
    };
    let (n, first) = numfields_at(argv, opt_end)?;
    if n <= 0 || n > i64::MAX / 2 || n * 2 != (argv.len() - first) as i64 {
        return Err(NUMFIELDS.into());
    }
    let key = &argv[1];
    let now = ctx.now_ms();
    let exists = hash_mut(ctx, key)?.is_some();
    if (opts.nx && exists) || (opts.xx && !exists) {
        ctx.reply().int(0);
        return Ok(());
    }
    let when = match &opts.expire {
        Some((arg, abs, secs)) if !opts.keepttl => {
            Some(to_unix_ms(ctx, arg, if *abs { 0 } else { now }, *secs)?)
        }
        _ => None,
    };
    if opts.fnx || opts.fxx {
        if let Some(Value::Hash(h)) = ctx.db().dict.get(&key[..]) {
            for kv in argv[first..].chunks(2) {
                let e = h.exists_at(&kv[0], now);
                if (opts.fnx && e) || (opts.fxx && !e) {
                    ctx.reply().int(0);
                    return Ok(());
                }
            }
        } else if opts.fxx {
            ctx.reply().int(0);
            return Ok(());
        }
    }
    let lim = limits(ctx);
    let h = hash_mut_or_create(ctx, key)?;
    let old = h.next_expire();
    let past = when.is_some_and(|t| t <= now);
    let mut changes = 0i64;
    let mut deleted = Vec::new();
    if past {
        for kv in argv[first..].chunks(2) {
            if h.exists_at(&kv[0], now) && h.delete(&kv[0]) {
                deleted.push(kv[0].clone());
                changes += 1;
            }
        }
    } else {
        if when.is_none() {
            h.try_conversion(n as usize, argv[first..].iter().map(|a| &a[..]), &lim);
        }
        for kv in argv[first..].chunks(2) {
            let exp = if opts.keepttl {
                h.expire_of(&kv[0], now).flatten()
            } else {
                when
            };
            h.set(&kv[0], &kv[1], exp, &lim);
            changes += 1;
        }
    }
    // Fields set in the past are deleted: only `hexpired` is reported.
    if past {
        finish(ctx, key, old, (changes > 0).then_some("hexpired"));
    } else {
        ctx.notify(notify::HASH, "hset", key);
        if when.is_some() {
            ctx.notify(notify::HASH, "hexpire", key);
        }
        finish(ctx, key, old, None);
    }
    ctx.reply().int((changes == n) as i64);
    if changes > 0 {
        ctx.dirty(changes as u64);
        if past {
            let mut p = vec![Bytes::from_static(b"HDEL"), key.clone()];
            p.extend(deleted);
            ctx.propagate_as(p);
        } else if opts.nx || opts.xx || opts.fnx || opts.fxx || (when.is_some() && !is_pxat(&opts))
        {
            // Rewrite without the conditions and with an absolute time.
            let mut p = vec![argv[0].clone(), key.clone()];
            if let Some(t) = when {
                p.push(Bytes::from_static(b"PXAT"));
                p.push(Bytes::from(t.to_string()));
            }
            if opts.keepttl {
                p.push(Bytes::from_static(b"KEEPTTL"));
            }
            p.extend(argv[opt_end..].iter().cloned());
            ctx.propagate_as(p);
        }
    }
    Ok(())
}

fn is_pxat(o: &ExOpts) -> bool {
    matches!(&o.expire, Some((_, true, false)))
}

fn hgetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let opt_end = find_fields(argv, 2);
    let opts = if opt_end < argv.len() {
        parse_ex_opts(argv, 2, opt_end, false)?
    } else {
        ExOpts::default()
    };
    let (n, first) = numfields_at(argv, opt_end)?;
    if opt_end == argv.len() || n == 0 || n != (argv.len() - first) as i64 {
        return Err(NUMFIELDS.into());
    }
    let key = &argv[1];
    let now = ctx.now_ms();
    let exists = hash_mut(ctx, key)?.is_some();
    let when = match &opts.expire {
        Some((arg, abs, secs)) => Some(to_unix_ms(ctx, arg, if *abs { 0 } else { now }, *secs)?),
        None => None,
    };
    let past = when.is_some_and(|t| t <= now);
    let mut vals: Vec<Option<Vec<u8>>> = Vec::with_capacity(argv.len() - first);
    let mut changed: Vec<Bytes> = Vec::new();
    let mut old = None;
    if exists {
        if let Some(Value::Hash(h)) = ctx.db().dict.get_mut(&key[..]) {
            old = h.next_expire();
            for f in &argv[first..] {
                vals.push(h.get_at(f, now).map(|e| e.to_vec()));
                let ok = if past {
                    h.exists_at(f, now) && h.delete(f)
                } else if let Some(t) = when {
                    h.set_expire(f, t, ExpireCond::None, now) == EXP_SET
                } else if opts.persist {
                    h.persist(f, now) == 1
                } else {
                    false
                };
                if ok {
                    changed.push(f.clone());
                }
            }
        }
    } else {
        vals.resize(argv.len() - first, None);
    }
    let event = if changed.is_empty() {
        None
    } else if past {
        Some("hexpired")
    } else if when.is_some() {
        Some("hexpire")
    } else {
        Some("hpersist")
    };
    finish(ctx, key, old, event);
    let r = ctx.reply();
    r.array(vals.len());
    for v in &vals {
        match v {
            Some(x) => r.bulk(x),
            None => r.null(),
        }
    }
    if !changed.is_empty() {
        ctx.dirty(changed.len() as u64);
        let nf = Bytes::from(changed.len().to_string());
        let p = if past {
            let mut p = vec![Bytes::from_static(b"HDEL"), key.clone()];
            p.extend(changed);
            p
        } else if let Some(t) = when {
            let mut p = vec![
                Bytes::from_static(b"HPEXPIREAT"),
                key.clone(),
                Bytes::from(t.to_string()),
                Bytes::from_static(b"FIELDS"),
                nf,
            ];
            p.extend(changed);
            p
        } else {
            let mut p = vec![
                Bytes::from_static(b"HPERSIST"),
                key.clone(),
                Bytes::from_static(b"FIELDS"),
                nf,
            ];
            p.extend(changed);
            p
        };
        ctx.propagate_as(p);
    }
    Ok(())
}

/// For commands that place an existing value under a key (RENAME, MOVE,
/// COPY, RESTORE): keep the hash's field TTLs under active expiry.
pub fn track_volatile_hash(db: &mut crate::keyspace::Db, key: &[u8]) {
    if let Some(Value::Hash(h)) = db.dict.get(key) {
        let next = h.next_expire();
        db.volatile_hashes.update(key, None, next);
    }
}

/// The active field-expire cycle: reclaim due fields of hashes nobody
/// touches. Bounded per call so it never stalls the executor.
pub fn active_expire_fields(srv: &mut Server) {
    const MAX_FIELDS: usize = 1000;
    let now = srv.now_ms;
    for db in 0..srv.dbs.len() {
        if srv.dbs[db].is_empty() && !srv.dbs[db].volatile_hashes.is_empty() {
            // Flushed: every entry is stale.
            srv.dbs[db].volatile_hashes = Default::default();
            continue;
        }
        let mut budget = MAX_FIELDS;
        while budget > 0 {
            let Some((t, key)) = srv.dbs[db].volatile_hashes.pop_due(now) else {
                break;
            };
            // Keys that themselves expired are left to key expiry.
            let current = match srv.dbs[db].dict.get(&key[..]) {
                Some(Value::Hash(h)) => h.next_expire(),
                _ => None,
            };
            match current {
                Some(c) if c == t => {
                    // Put the entry back as it was; purge re-indexes.
                    srv.dbs[db].volatile_hashes.update(&key, None, Some(c));
                    let n = purge(srv, None, db, &key, now, budget);
                    if n == 0 {
                        break;
                    }
                    budget -= n.min(budget);
                }
                Some(c) => srv.dbs[db].volatile_hashes.update(&key, None, Some(c)),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn active_cycle_reclaims_fields_and_empty_keys() {
        let mut srv = Server::new(Config::load(None, &[]).unwrap());
        let lim = HashLimits::from_config(&srv.config);
        let mut h = HashValue::new();
        h.set(b"a", b"1", Some(1000), &lim);
        h.set(b"b", b"2", Some(5000), &lim);
        let mut h2 = HashValue::new();
        h2.set(b"x", b"1", Some(1000), &lim);
        h2.set(b"keep", b"1", None, &lim);
        srv.dbs[0].add(b"h", Value::Hash(Box::new(h)));
        srv.dbs[0].add(b"h2", Value::Hash(Box::new(h2)));
        srv.dbs[0].volatile_hashes.update(b"h", None, Some(1000));
        srv.dbs[0].volatile_hashes.update(b"h2", None, Some(1000));
        srv.propagated.clear();
        srv.record_propagation = true;
        srv.now_ms = 1001;
        active_expire_fields(&mut srv);
        let p: Vec<Vec<Bytes>> = srv.propagated.iter().map(|(_, a)| a.clone()).collect();
        assert!(p.contains(&vec![
            Bytes::from("HDEL"),
            Bytes::from("h"),
            Bytes::from("a")
        ]));
        assert!(p.contains(&vec![
            Bytes::from("HDEL"),
            Bytes::from("h2"),
            Bytes::from("x")
        ]));
        assert_eq!(srv.dbs[0].volatile_hashes.len(), 1);
        srv.now_ms = 5001;
        active_expire_fields(&mut srv);
        assert!(
            srv.dbs[0].dict.get(b"h").is_none(),
            "last field expired: key deleted"
        );
        assert!(srv.dbs[0].dict.get(b"h2").is_some());
        assert!(srv.dbs[0].volatile_hashes.is_empty());
    }
}
