//! Set commands.
//!
//! Results of unions, intersections and differences are built the way
//! Valkey builds them (an intset that converts as members arrive, or a
//! listpack for intersections of non-intsets), so the reply order and the
//! encoding of a *STORE destination match. SPOP is propagated as SREM (or
//! UNLINK when it empties the set).

use super::collection::{
    get_positive, get_range, parse_cursor, parse_scan_opts, scan_loop, ScanKind,
};
use crate::server::{err, notify, CmdError, CmdResult, CommandTable, Ctx};
use crate::types::set::{Member, SetLimits, SetValue};
use crate::types::Value;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("sadd", sadd);
    t.add("srem", srem);
    t.add("smove", smove);
    t.add("sismember", sismember);
    t.add("smismember", smismember);
    t.add("scard", scard);
    t.add("spop", spop);
    t.add("srandmember", srandmember);
    t.add("smembers", smembers);
    t.add("sinter", sinter);
    t.add("sintercard", sintercard);
    t.add("sinterstore", sinterstore);
    t.add("sunion", sunion);
    t.add("sunionstore", sunionstore);
    t.add("sdiff", sdiff);
    t.add("sdiffstore", sdiffstore);
    t.add("sscan", sscan);
}

fn limits(ctx: &Ctx) -> SetLimits {
    SetLimits::from_config(&ctx.srv.config)
}

fn set_mut<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut SetValue>, CmdError> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(err::WRONGTYPE.into()),
    }
}

/// Delete `key` if it holds an empty set (reporting `del`).
fn drop_if_empty(ctx: &mut Ctx, key: &[u8]) -> bool {
    let empty = matches!(ctx.db().dict.get(key), Some(Value::Set(s)) if s.is_empty());
    if empty {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
    empty
}

fn rng_from(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed;
    move || {
        s = crate::util::rand::splitmix(s);
        s
    }
}

fn sadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let lim = limits(ctx);
    let key = &argv[1];
    let hint = argv.len() - 2;
    let add_all = |s: &mut SetValue| {
        let mut added = 0u64;
        for m in &argv[2..] {
            if s.add(m, &lim) {
                added += 1;
            }
        }
        added
    };
    let added = match ctx.lookup_write(key) {
        Some(Value::Set(s)) => {
            s.maybe_convert(hint, &lim);
            add_all(s)
        }
        Some(_) => return Err(err::WRONGTYPE.into()),
        None => {
            let mut s = SetValue::create(&argv[2], hint, &lim);
            let n = add_all(&mut s);
            ctx.db().add(key, Value::Set(Box::new(s)));
            n
        }
    };
    ctx.dirty(added);
    if added > 0 {
        ctx.notify(notify::SET, "sadd", key);
    }
    ctx.reply().int(added as i64);
    Ok(())
}

fn srem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let Some(s) = set_mut(ctx, key)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let mut removed = 0;
    for m in &argv[2..] {
        if s.remove(m) {
            removed += 1;
            if s.is_empty() {
                break;
            }
        }
    }
    if removed > 0 {
        ctx.notify(notify::SET, "srem", key);
    }
    drop_if_empty(ctx, key);
    ctx.dirty(removed);
    ctx.reply().int(removed as i64);
    Ok(())
}

fn smove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (src, dst, m) = (&argv[1], &argv[2], &argv[3]);
    let lim = limits(ctx);
    if set_mut(ctx, src)?.is_none() {
        ctx.reply().int(0);
        return Ok(());
    }
    set_mut(ctx, dst)?;
    if src == dst {
        let is = set_mut(ctx, src)?.is_some_and(|s| s.contains(m));
        ctx.reply().int(is as i64);
        return Ok(());
    }
    let removed = set_mut(ctx, src)?.is_some_and(|s| s.remove(m));
    if !removed {
        ctx.reply().int(0);
        return Ok(());
    }
    ctx.notify(notify::SET, "srem", src);
    drop_if_empty(ctx, src);
    ctx.dirty(1);
    if set_mut(ctx, dst)?.is_none() {
        let s = SetValue::create(m, 1, &lim);
        ctx.db().add(dst, Value::Set(Box::new(s)));
    }
    if set_mut(ctx, dst)?.is_some_and(|s| s.add(m, &lim)) {
        ctx.dirty(1);
        ctx.notify(notify::SET, "sadd", dst);
    }
    ctx.reply().int(1);
    Ok(())
}

fn sismember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.read_key(&argv[1]) {
        (None, r) => r.int(0),
        (Some(Value::Set(s)), r) => r.int(s.contains(&argv[2]) as i64),
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn smismember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (v, r) = ctx.read_key(&argv[1]);
    let s = match v {
        None => None,
        Some(Value::Set(s)) => Some(s),
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    r.array(argv.len() - 2);
    for m in &argv[2..] {
        r.int(s.is_some_and(|s| s.contains(m)) as i64);
    }
    Ok(())
}

fn scard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.read_key(&argv[1]) {
        (None, r) => r.int(0),
        (Some(Value::Set(s)), r) => r.int(s.len() as i64),
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn smembers(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.read_key(&argv[1]) {
        (None, r) => r.set(0),
        (Some(Value::Set(s)), r) => {
            r.set(s.len());
            for m in s.iter() {
                m.with_bytes(|b| r.bulk(b));
            }
        }
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

/// SPOP propagation: SREM in batches of up to 1024 members.
fn propagate_srem(ctx: &mut Ctx, key: &Bytes, members: &[Vec<u8>]) {
    for chunk in members.chunks(1024) {
        let mut p = Vec::with_capacity(chunk.len() + 2);
        p.push(Bytes::from_static(b"SREM"));
        p.push(key.clone());
        p.extend(chunk.iter().map(|m| Bytes::copy_from_slice(m)));
        ctx.propagate_as(p);
    }
}

fn spop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(err::SYNTAX.into());
    }
    if argv.len() == 3 {
        return spop_count(ctx, argv);
    }
    let key = &argv[1];
    let mut rng = rng_from(ctx.srv.random());
    let Some(s) = set_mut(ctx, key)? else {
        ctx.reply().null();
        return Ok(());
    };
    let Some(v) = s.pop_random(&mut rng) else {
        ctx.reply().null();
        return Ok(());
    };
    let empty = s.is_empty();
    ctx.notify(notify::SET, "spop", key);
    if empty {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
    ctx.reply().bulk(&v);
    ctx.dirty(1);
    propagate_srem(ctx, key, std::slice::from_ref(&v));
    Ok(())
}

fn spop_count(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let count = get_positive(&argv[2], None)? as usize;
    let key = &argv[1];
    let lim = limits(ctx);
    let mut rng = rng_from(ctx.srv.random());
    let Some(s) = set_mut(ctx, key)? else {
        ctx.reply().set(0);
        return Ok(());
    };
    if count == 0 {
        ctx.reply().set(0);
        return Ok(());
    }
    let size = s.len();
    if count >= size {
        // The whole set: reply as a union of one set would, then delete.
        let mut all = SetValue::new_intset();
        for m in s.iter() {
            m.with_bytes(|b| all.add(b, &lim));
        }
        ctx.notify(notify::SET, "spop", key);
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
        let r = ctx.reply();
        r.set(all.len());
        for m in all.iter() {
            m.with_bytes(|b| r.bulk(b));
        }
        ctx.dirty(size as u64);
        ctx.propagate_as(vec![Bytes::from_static(b"UNLINK"), key.clone()]);
        return Ok(());
    }
    let remaining = size - count;
    let mut popped: Vec<Vec<u8>> = Vec::with_capacity(count);
    if remaining * 5 > count {
        for _ in 0..count {
            match s.pop_random(&mut rng) {
                Some(v) => popped.push(v),
                None => break,
            }
        }
    } else {
        // Most of the set goes: keep a random `remaining` in a new set
        // and hand out the rest.
        let mut keep = match &*s {
            SetValue::Intset(_) => SetValue::new_intset(),
            _ => SetValue::Listpack(Default::default()),
        };
        for _ in 0..remaining {
            let Some(v) = s.pop_random(&mut rng) else {
                break;
            };
            keep.add(&v, &lim);
        }
        for m in s.iter() {
            popped.push(m.to_vec());
        }
        *s = keep;
    }
    let r = ctx.reply();
    r.set(popped.len());
    for v in &popped {
        r.bulk(v);
    }
    ctx.dirty(popped.len() as u64);
    ctx.notify(notify::SET, "spop", key);
    propagate_srem(ctx, key, &popped);
    Ok(())
}

fn srandmember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 3 {
        return Err(err::SYNTAX.into());
    }
    let mut rng = rng_from(ctx.srv.random());
    if argv.len() == 2 {
        match ctx.read_key(&argv[1]) {
            (None, r) => r.null(),
            (Some(Value::Set(s)), r) => match s.random(&mut rng) {
                Some(m) => m.with_bytes(|b| r.bulk(b)),
                None => r.null(),
            },
            (Some(_), _) => return Err(err::WRONGTYPE.into()),
        }
        return Ok(());
    }
    let l = get_range(&argv[2], -i64::MAX, i64::MAX, None)?;
    let (v, r) = ctx.read_key(&argv[1]);
    let s = match v {
        None => {
            r.empty_array();
            return Ok(());
        }
        Some(Value::Set(s)) => s,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let count = l.unsigned_abs() as usize;
    if count == 0 {
        r.empty_array();
        return Ok(());
    }
    if l < 0 || count == 1 {
        r.array(count);
        for _ in 0..count {
            match s.random(&mut rng) {
                Some(m) => m.with_bytes(|b| r.bulk(b)),
                None => r.null(),
            }
        }
        return Ok(());
    }
    let size = s.len();
    if count >= size {
        r.array(size);
        for m in s.iter() {
            m.with_bytes(|b| r.bulk(b));
        }
        return Ok(());
    }
    // Distinct members: choose positions, keep storage order for compact
    // encodings as Valkey's single pass over a listpack does.
    let all: Vec<Member<'_>> = s.iter().collect();
    let mut idx: Vec<usize> = (0..all.len()).collect();
    for i in 0..count {
        let j = i + (rng() % (idx.len() - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut chosen = idx[..count].to_vec();
    if !matches!(&**s, SetValue::Table(_)) {
        chosen.sort_unstable();
    }
    r.array(count);
    for i in chosen {
        all[i].with_bytes(|b| r.bulk(b));
    }
    Ok(())
}

/// Look up every key (expiring and counting hits), failing on a wrong
/// type. Returns which keys exist.
fn check_sets(ctx: &mut Ctx, keys: &[Bytes]) -> Result<Vec<bool>, CmdError> {
    let mut present = Vec::with_capacity(keys.len());
    for k in keys {
        match ctx.lookup_read(k) {
            None => present.push(false),
            Some(Value::Set(_)) => present.push(true),
            Some(_) => return Err(err::WRONGTYPE.into()),
        }
    }
    Ok(present)
}

fn get_set<'a>(db: &'a crate::keyspace::Db, k: &[u8]) -> Option<&'a SetValue> {
    match db.dict.get(k) {
        Some(Value::Set(s)) => Some(s),
        _ => None,
    }
}

/// The intersection, built like Valkey's SINTER: iterate the smallest
/// set. With `limit` > 0 stop early (SINTERCARD).
fn inter(
    ctx: &mut Ctx,
    keys: &[Bytes],
    store: bool,
    limit: usize,
) -> Result<Option<SetValue>, CmdError> {
    let present = check_sets(ctx, keys)?;
    if present.iter().any(|p| !p) {
        return Ok(None);
    }
    let lim = limits(ctx);
    let db = &ctx.srv.dbs[ctx.client.db];
    let mut sets: Vec<(&[u8], &SetValue)> = keys
        .iter()
        .filter_map(|k| get_set(db, k).map(|s| (&k[..], s)))
        .collect();
    sets.sort_by_key(|(_, s)| s.len());
    let (k0, s0) = sets[0];
    let mut out = if store {
        match s0 {
            SetValue::Intset(_) => SetValue::new_intset(),
            _ => SetValue::Listpack(Default::default()),
        }
    } else {
        // A plain list in iteration order.
        SetValue::Listpack(Default::default())
    };
    let mut result: Vec<Vec<u8>> = Vec::new();
    let mut only_ints = true;
    for m in s0.iter() {
        let hit = m.with_bytes(|b| sets[1..].iter().all(|(k, s)| *k == k0 || s.contains(b)));
        if !hit {
            continue;
        }
        if store {
            m.with_bytes(|b| {
                if crate::util::num::parse_i64(b).is_none() {
                    only_ints = false;
                }
                out.add(b, &lim);
            });
        } else {
            result.push(m.to_vec());
            if limit > 0 && result.len() >= limit {
                break;
            }
        }
    }
    if store {
        if only_ints {
            out.maybe_to_intset(&lim);
        }
        Ok(Some(out))
    } else {
        let mut lp = crate::types::listpack::Listpack::new();
        for r in &result {
            lp.push_back(r);
        }
        Ok(Some(SetValue::Listpack(lp)))
    }
}

fn reply_members(ctx: &mut Ctx, s: Option<&SetValue>) {
    let r = ctx.reply();
    match s {
        None => r.set(0),
        Some(s) => {
            r.set(s.len());
            for m in s.iter() {
                m.with_bytes(|b| r.bulk(b));
            }
        }
    }
}

fn sinter(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let res = inter(ctx, &argv[1..], false, 0)?;
    reply_members(ctx, res.as_ref());
    Ok(())
}

fn sintercard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let numkeys = get_range(
        &argv[1],
        1,
        i64::MAX,
        Some("ERR numkeys should be greater than 0"),
    )? as usize;
    if numkeys > argv.len() - 2 {
        return Err("ERR Number of keys can't be greater than number of args".into());
    }
    let mut limit = 0usize;
    let mut j = 2 + numkeys;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if argv[j].eq_ignore_ascii_case(b"limit") && more > 0 {
            j += 1;
            limit = get_positive(&argv[j], Some("ERR LIMIT can't be negative"))? as usize;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    let res = inter(ctx, &argv[2..2 + numkeys], false, limit)?;
    ctx.reply().int(res.map_or(0, |s| s.len()) as i64);
    Ok(())
}

/// Store a computed set at `dst` (deleting it when empty) and reply with
/// its size.
fn store(ctx: &mut Ctx, dst: &[u8], res: Option<SetValue>, event: &str) {
    match res {
        Some(s) if !s.is_empty() => {
            let n = s.len();
            ctx.db().set(dst, Value::Set(Box::new(s)), false);
            ctx.reply().int(n as i64);
            ctx.dirty(1);
            ctx.notify(notify::SET, event, dst);
        }
        _ => {
            if ctx.db().remove(dst).is_some() {
                ctx.dirty(1);
                ctx.notify(notify::GENERIC, "del", dst);
            }
            ctx.reply().int(0);
        }
    }
}

fn sinterstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let res = inter(ctx, &argv[2..], true, 0)?;
    store(ctx, &argv[1], res, "sinterstore");
    Ok(())
}

/// SUNION / SDIFF into a fresh set that starts as an intset.
fn union_diff(ctx: &mut Ctx, keys: &[Bytes], diff: bool) -> Result<SetValue, CmdError> {
    let present = check_sets(ctx, keys)?;
    let lim = limits(ctx);
    let db = &ctx.srv.dbs[ctx.client.db];
    let mut out = SetValue::new_intset();
    if !diff {
        for (k, p) in keys.iter().zip(&present) {
            if !p {
                continue;
            }
            if let Some(s) = get_set(db, k) {
                for m in s.iter() {
                    m.with_bytes(|b| out.add(b, &lim));
                }
            }
        }
        return Ok(out);
    }
    if !present[0] || keys[1..].iter().any(|k| *k == keys[0]) {
        return Ok(out);
    }
    let Some(first) = get_set(db, &keys[0]) else {
        return Ok(out);
    };
    let others: Vec<&SetValue> = keys[1..].iter().filter_map(|k| get_set(db, k)).collect();
    for m in first.iter() {
        let keep = m.with_bytes(|b| !others.iter().any(|s| s.contains(b)));
        if keep {
            m.with_bytes(|b| out.add(b, &lim));
        }
    }
    Ok(out)
}

fn sunion(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = union_diff(ctx, &argv[1..], false)?;
    reply_members(ctx, Some(&s));
    Ok(())
}

fn sdiff(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = union_diff(ctx, &argv[1..], true)?;
    reply_members(ctx, Some(&s));
    Ok(())
}

fn sunionstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = union_diff(ctx, &argv[2..], false)?;
    store(ctx, &argv[1], Some(s), "sunionstore");
    Ok(())
}

fn sdiffstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = union_diff(ctx, &argv[2..], true)?;
    store(ctx, &argv[1], Some(s), "sdiffstore");
    Ok(())
}

fn sscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[2])?;
    let (v, r) = ctx.read_key(&argv[1]);
    let s = match v {
        None => {
            r.array(2);
            r.bulk(b"0");
            r.empty_array();
            return Ok(());
        }
        Some(Value::Set(s)) => s,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let opts = parse_scan_opts(argv, ScanKind::Set, cursor)?;
    let mut items: Vec<Vec<u8>> = Vec::new();
    let next = match &**s {
        SetValue::Table(t) => scan_loop(&opts, |c, sampled| {
            t.scan_step(c, |m| {
                *sampled += 1;
                if opts.matches(m) {
                    items.push(m.to_vec());
                }
            })
        }),
        _ => s.scan_step(0, |m| {
            if opts.matches(m) {
                items.push(m.to_vec());
            }
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
