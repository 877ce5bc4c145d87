//! String commands: GET/SET and their variants, multi-key MGET/MSET/MSETNX/
//! MSETEX, counters (INCR family, INCRBYFLOAT), in-place edits (APPEND,
//! SETRANGE), ranges (GETRANGE/SUBSTR), DELIFEQ and LCS.
//!
//! Each handler follows Valkey's order of checks (argument syntax, then
//! numeric arguments, then the key's type) so error replies match byte for
//! byte, keeps `OBJECT ENCODING` where Valkey keeps it (`int` for canonical
//! integers, `embstr` up to 44 bytes, `raw` after in-place edits) and
//! propagates relative expiries as absolute ones (`SET k v PXAT t`,
//! `PEXPIREAT`), INCRBYFLOAT as `SET k v KEEPTTL` and GETDEL/DELIFEQ as
//! `DEL`.

use crate::commands::eq_ic;
use crate::server::{err, notify, CmdError, CmdResult, CommandTable, Ctx};
use crate::types::{Str, Value};
use crate::util::long_double::LongDouble;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("get", get);
    t.add("set", set);
    t.add("setnx", setnx);
    t.add("setex", setex);
    t.add("psetex", psetex);
    t.add("getset", getset);
    t.add("getdel", getdel);
    t.add("getex", getex);
    t.add("mget", mget);
    t.add("mset", mset);
    t.add("msetnx", msetnx);
    t.add("msetex", msetex);
    t.add("delifeq", delifeq);
    t.add("append", append);
    t.add("strlen", strlen);
    t.add("getrange", getrange);
    t.add("substr", getrange);
    t.add("setrange", setrange);
    t.add("incr", incr);
    t.add("decr", decr);
    t.add("incrby", incrby);
    t.add("decrby", decrby);
    t.add("incrbyfloat", incrbyfloat);
    t.add("lcs", lcs);
}

// ---------------------------------------------------------------------------
// Shared helpers (also used by the bitmap and HyperLogLog modules).
// ---------------------------------------------------------------------------

/// The string held by `v`, or WRONGTYPE.
#[allow(unreachable_patterns)]
pub(crate) fn expect_str(v: &Value) -> Result<&Str, CmdError> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(err::WRONGTYPE.into()),
    }
}

/// Mutable access to the string held by `v`, or WRONGTYPE.
#[allow(unreachable_patterns)]
pub(crate) fn expect_str_mut(v: &mut Value) -> Result<&mut Str, CmdError> {
    match v {
        Value::Str(s) => Ok(s),
        _ => Err(err::WRONGTYPE.into()),
    }
}

/// Parse an integer argument (`getLongLongFromObjectOrReply`).
pub(crate) fn parse_int(arg: &[u8]) -> Result<i64, CmdError> {
    crate::util::num::parse_i64(arg).ok_or_else(|| err::NOT_INT.into())
}

fn ms_bytes(ms: i64) -> Bytes {
    Bytes::from(itoa::Buffer::new().format(ms).to_owned())
}

/// Delete a key whose new absolute expiry is already in the past and
/// propagate the deletion (Valkey's `deleteExpiredKeyFromOverwriteAndPropagate`;
/// `lazyfree-lazy-expire` defaults to yes, hence UNLINK).
fn delete_expired_on_overwrite(ctx: &mut Ctx, key: &Bytes) {
    if ctx.db().remove(key).is_some() {
        ctx.srv.stats.expired_keys += 1;
        ctx.dirty(1);
        ctx.notify(notify::EXPIRED, "expired", key);
        ctx.propagate_as(vec![Bytes::from_static(b"UNLINK"), key.clone()]);
    }
}

// ---------------------------------------------------------------------------
// Extended SET / GETEX / MSETEX options.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ExpireKind {
    Ex,
    Px,
    ExAt,
    PxAt,
}

/// Which command's option set is being parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OptsFor {
    Set,
    GetEx,
    MSetEx,
}

#[derive(Default)]
struct ExtOpts<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    persist: bool,
    ifeq: Option<&'a Bytes>,
    expire: Option<(ExpireKind, &'a Bytes)>,
}

/// Valkey's `parseExtendedCommandArgumentsOrReply`: the accepted options
/// and which combinations are a syntax error. Repeating the same option
/// (`EX 1 EX 2`) is accepted, the last one wins, as in Valkey.
fn parse_ext_opts(argv: &[Bytes], start: usize, kind: OptsFor) -> Result<ExtOpts<'_>, CmdError> {
    let mut o = ExtOpts::default();
    let set_like = kind != OptsFor::GetEx;
    let mut j = start;
    while j < argv.len() {
        let opt = &argv[j][..];
        let next = argv.get(j + 1);
        let exp = o.expire.map(|(k, _)| k);
        let has = |k: ExpireKind| exp == Some(k);
        if eq_ic(opt, "NX") && set_like && !o.xx && o.ifeq.is_none() {
            o.nx = true;
        } else if eq_ic(opt, "XX") && set_like && !o.nx && o.ifeq.is_none() {
            o.xx = true;
        } else if eq_ic(opt, "IFEQ")
            && kind == OptsFor::Set
            && next.is_some()
            && !o.nx
            && !o.xx
            && o.ifeq.is_none()
        {
            o.ifeq = next;
            j += 1;
        } else if eq_ic(opt, "GET") && kind == OptsFor::Set {
            o.get = true;
        } else if eq_ic(opt, "KEEPTTL") && set_like && !o.persist && exp.is_none() {
            o.keepttl = true;
        } else if eq_ic(opt, "PERSIST") && kind == OptsFor::GetEx && exp.is_none() && !o.keepttl {
            o.persist = true;
        } else if let (Some(k), Some(n)) = (expire_kind(opt), next) {
            let conflict = o.keepttl
                || o.persist
                || [
                    ExpireKind::Ex,
                    ExpireKind::Px,
                    ExpireKind::ExAt,
                    ExpireKind::PxAt,
                ]
                .into_iter()
                .any(|other| other != k && has(other));
            if conflict {
                return Err(err::SYNTAX.into());
            }
            o.expire = Some((k, n));
            j += 1;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    Ok(o)
}

fn expire_kind(opt: &[u8]) -> Option<ExpireKind> {
    if eq_ic(opt, "EX") {
        Some(ExpireKind::Ex)
    } else if eq_ic(opt, "PX") {
        Some(ExpireKind::Px)
    } else if eq_ic(opt, "EXAT") {
        Some(ExpireKind::ExAt)
    } else if eq_ic(opt, "PXAT") {
        Some(ExpireKind::PxAt)
    } else {
        None
    }
}

/// Valkey's `getExpireMillisecondsOrReply`: the absolute expiry in ms.
fn expire_at_ms(ctx: &Ctx, kind: ExpireKind, arg: &[u8]) -> Result<i64, CmdError> {
    let v = parse_int(arg)?;
    let seconds = matches!(kind, ExpireKind::Ex | ExpireKind::ExAt);
    let invalid = || -> CmdError {
        format!(
            "ERR invalid expire time in '{}' command",
            ctx.srv.commands.fullname(ctx.cmd.id)
        )
        .into()
    };
    if v <= 0 || (seconds && v > i64::MAX / 1000) {
        return Err(invalid());
    }
    let mut ms = if seconds { v * 1000 } else { v };
    if matches!(kind, ExpireKind::Ex | ExpireKind::Px) {
        ms = ms.checked_add(ctx.now_ms()).ok_or_else(invalid)?;
    }
    if ms <= 0 {
        return Err(invalid());
    }
    Ok(ms)
}

// ---------------------------------------------------------------------------
// GET / SET family.
// ---------------------------------------------------------------------------

fn get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    reply_value(ctx, &argv[1]).map(|_| ())
}

/// Valkey's `getGenericCommand`: reply with the value (or null); returns
/// whether the key existed.
fn reply_value(ctx: &mut Ctx, key: &[u8]) -> Result<bool, CmdError> {
    match ctx.read_key(key) {
        (None, r) => {
            r.null();
            Ok(false)
        }
        (Some(v), r) => {
            expect_str(v)?.with_bytes(|b| r.bulk(b));
            Ok(true)
        }
    }
}

/// How SETNX and SET report success and abort.
#[derive(Clone, Copy)]
enum SetReplies {
    OkNull,
    OneZero,
}

struct SetSpec<'a> {
    key: &'a Bytes,
    val: &'a Bytes,
    opts: ExtOpts<'a>,
    replies: SetReplies,
}

fn set(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let opts = parse_ext_opts(argv, 3, OptsFor::Set)?;
    set_generic(
        ctx,
        argv,
        SetSpec {
            key: &argv[1],
            val: &argv[2],
            opts,
            replies: SetReplies::OkNull,
        },
    )
}

fn setnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let opts = ExtOpts {
        nx: true,
        ..Default::default()
    };
    set_generic(
        ctx,
        argv,
        SetSpec {
            key: &argv[1],
            val: &argv[2],
            opts,
            replies: SetReplies::OneZero,
        },
    )
}

fn setex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    setex_generic(ctx, argv, ExpireKind::Ex)
}

fn psetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    setex_generic(ctx, argv, ExpireKind::Px)
}

fn setex_generic(ctx: &mut Ctx, argv: &[Bytes], kind: ExpireKind) -> CmdResult {
    let opts = ExtOpts {
        expire: Some((kind, &argv[2])),
        ..Default::default()
    };
    set_generic(
        ctx,
        argv,
        SetSpec {
            key: &argv[1],
            val: &argv[3],
            opts,
            replies: SetReplies::OkNull,
        },
    )
}

/// Valkey's `setGenericCommand` (SET, SETNX, SETEX, PSETEX).
fn set_generic(ctx: &mut Ctx, argv: &[Bytes], s: SetSpec) -> CmdResult {
    let o = &s.opts;
    let when = match o.expire {
        Some((kind, arg)) => Some(expire_at_ms(ctx, kind, arg)?),
        None => None,
    };
    if o.get {
        reply_value(ctx, s.key)?;
    }
    let abort = |ctx: &mut Ctx| {
        if !o.get {
            match s.replies {
                SetReplies::OkNull => ctx.reply().null(),
                SetReplies::OneZero => ctx.reply().int(0),
            }
        }
    };
    let mut equal = false;
    let exists = match ctx.lookup_write(s.key) {
        None => false,
        Some(v) => {
            if let Some(cmp) = o.ifeq {
                equal = if o.get {
                    // With GET the type was already checked (and reported).
                    expect_str(v).is_ok_and(|st| st.eq_bytes(cmp))
                } else {
                    expect_str(v)?.eq_bytes(cmp)
                };
            }
            true
        }
    };
    if o.ifeq.is_some() && !equal {
        abort(ctx);
        return Ok(());
    }
    if (o.nx && exists) || (o.xx && !exists) {
        abort(ctx);
        return Ok(());
    }
    let now = ctx.now_ms();
    if let Some(ms) = when {
        if ms <= now {
            if exists {
                delete_expired_on_overwrite(ctx, s.key);
            }
            if !o.get {
                set_ok(ctx, s.replies);
            }
            return Ok(());
        }
    }
    let keep_ttl = o.keepttl || when.is_some();
    let db = ctx.db();
    db.set(s.key, Value::Str(Str::from_bytes(s.val)), keep_ttl);
    if let Some(ms) = when {
        db.set_expire(s.key, Some(ms));
    }
    ctx.dirty(1);
    ctx.notify(notify::STRING, "set", s.key);
    if when.is_some() {
        ctx.notify(notify::GENERIC, "expire", s.key);
    }
    match (when, o.expire) {
        (Some(ms), Some((kind, _))) if kind != ExpireKind::PxAt => {
            ctx.propagate_as(vec![
                Bytes::from_static(b"SET"),
                s.key.clone(),
                s.val.clone(),
                Bytes::from_static(b"PXAT"),
                ms_bytes(ms),
            ]);
        }
        (None, _) if o.get => {
            // Propagate without the GET token(s), exactly as Valkey filters
            // them (any argument from the fourth on spelled "get").
            let v: Vec<Bytes> = argv
                .iter()
                .enumerate()
                .filter(|(j, a)| *j < 3 || !eq_ic(a, "GET"))
                .map(|(_, a)| a.clone())
                .collect();
            ctx.propagate_as(v);
        }
        _ => {}
    }
    if !o.get {
        set_ok(ctx, s.replies);
    }
    Ok(())
}

fn set_ok(ctx: &mut Ctx, replies: SetReplies) {
    match replies {
        SetReplies::OkNull => ctx.reply().ok(),
        SetReplies::OneZero => ctx.reply().int(1),
    }
}

fn getset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    reply_value(ctx, &argv[1])?;
    ctx.db()
        .set(&argv[1], Value::Str(Str::from_bytes(&argv[2])), false);
    ctx.dirty(1);
    ctx.notify(notify::STRING, "set", &argv[1]);
    ctx.propagate_as(vec![
        Bytes::from_static(b"SET"),
        argv[1].clone(),
        argv[2].clone(),
    ]);
    Ok(())
}

fn getdel(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if reply_value(ctx, &argv[1])? {
        ctx.db().remove(&argv[1]);
        ctx.dirty(1);
        ctx.notify(notify::GENERIC, "del", &argv[1]);
        ctx.propagate_as(vec![Bytes::from_static(b"DEL"), argv[1].clone()]);
    }
    Ok(())
}

fn getex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let o = parse_ext_opts(argv, 2, OptsFor::GetEx)?;
    let when = match o.expire {
        Some((kind, arg)) => Some(expire_at_ms(ctx, kind, arg)?),
        None => None,
    };
    let key = &argv[1];
    if !reply_value(ctx, key)? {
        return Ok(());
    }
    let absolute = matches!(o.expire, Some((ExpireKind::ExAt | ExpireKind::PxAt, _)));
    if let Some(ms) = when {
        if absolute && ms <= ctx.now_ms() {
            delete_expired_on_overwrite(ctx, key);
        } else {
            ctx.db().set_expire(key, Some(ms));
            ctx.dirty(1);
            ctx.notify(notify::GENERIC, "expire", key);
            ctx.propagate_as(vec![
                Bytes::from_static(b"PEXPIREAT"),
                key.clone(),
                ms_bytes(ms),
            ]);
        }
    } else if o.persist && ctx.db().dict.get_expire(key).is_some() {
        ctx.db().set_expire(key, None);
        ctx.dirty(1);
        ctx.notify(notify::GENERIC, "persist", key);
        ctx.propagate_as(vec![Bytes::from_static(b"PERSIST"), key.clone()]);
    }
    Ok(())
}

fn delifeq(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let equal = match ctx.lookup_write(&argv[1]) {
        None => false,
        Some(v) => expect_str(v)?.eq_bytes(&argv[2]),
    };
    if !equal {
        ctx.reply().int(0);
        return Ok(());
    }
    ctx.db().remove(&argv[1]);
    ctx.dirty(1);
    ctx.notify(notify::GENERIC, "del", &argv[1]);
    ctx.propagate_as(vec![Bytes::from_static(b"DEL"), argv[1].clone()]);
    ctx.reply().int(1);
    Ok(())
}

// ---------------------------------------------------------------------------
// Multi-key.
// ---------------------------------------------------------------------------

fn mget(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.reply().array(argv.len() - 1);
    for key in &argv[1..] {
        match ctx.read_key(key) {
            (Some(Value::Str(s)), r) => s.with_bytes(|b| r.bulk(b)),
            #[allow(unreachable_patterns)]
            (_, r) => r.null(),
        }
    }
    Ok(())
}

fn arity_error(ctx: &Ctx) -> CmdError {
    format!(
        "ERR wrong number of arguments for '{}' command",
        ctx.srv.commands.fullname(ctx.cmd.id)
    )
    .into()
}

fn mset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        return Err(arity_error(ctx));
    }
    for pair in argv[1..].chunks_exact(2) {
        ctx.db()
            .set(&pair[0], Value::Str(Str::from_bytes(&pair[1])), false);
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    ctx.dirty((argv.len() as u64 - 1) / 2);
    ctx.reply().ok();
    Ok(())
}

fn msetnx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len().is_multiple_of(2) {
        return Err(arity_error(ctx));
    }
    for pair in argv[1..].chunks_exact(2) {
        if ctx.lookup_write(&pair[0]).is_some() {
            ctx.reply().int(0);
            return Ok(());
        }
    }
    for pair in argv[1..].chunks_exact(2) {
        ctx.db()
            .set(&pair[0], Value::Str(Str::from_bytes(&pair[1])), false);
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    ctx.dirty((argv.len() as u64 - 1) / 2);
    ctx.reply().int(1);
    Ok(())
}

/// `MSETEX numkeys key value [key value ...] [NX|XX] [EX|PX|EXAT|PXAT|KEEPTTL]`
fn msetex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let numkeys = match crate::util::num::parse_i64(&argv[1]) {
        Some(n) if (1..=i32::MAX as i64).contains(&n) => n as usize,
        _ => return Err("ERR invalid numkeys value".into()),
    };
    let opts_start = 2 + 2 * numkeys;
    if opts_start > argv.len() {
        return Err("ERR wrong number of key-value pairs".into());
    }
    let o = parse_ext_opts(argv, opts_start, OptsFor::MSetEx)?;
    let when = match o.expire {
        Some((kind, arg)) => Some(expire_at_ms(ctx, kind, arg)?),
        None => None,
    };
    let pairs = &argv[2..opts_start];
    if o.nx || o.xx {
        for pair in pairs.chunks_exact(2) {
            let exists = ctx.lookup_write(&pair[0]).is_some();
            if exists == o.nx {
                ctx.reply().int(0);
                return Ok(());
            }
        }
    }
    if let Some(ms) = when {
        if ms <= ctx.now_ms() {
            for pair in pairs.chunks_exact(2) {
                delete_expired_on_overwrite(ctx, &pair[0]);
            }
            ctx.reply().int(1);
            return Ok(());
        }
    }
    let keep_ttl = o.keepttl || when.is_some();
    for pair in pairs.chunks_exact(2) {
        let db = ctx.db();
        db.set(&pair[0], Value::Str(Str::from_bytes(&pair[1])), keep_ttl);
        if let Some(ms) = when {
            db.set_expire(&pair[0], Some(ms));
        }
        ctx.notify(notify::STRING, "set", &pair[0]);
        if when.is_some() {
            ctx.notify(notify::GENERIC, "expire", &pair[0]);
        }
    }
    ctx.dirty(numkeys as u64);
    // Propagate with an absolute expiry and without the NX/XX condition,
    // which was already decided here.
    let mut v: Vec<Bytes> = argv[..opts_start].to_vec();
    if let Some(ms) = when {
        v.push(Bytes::from_static(b"PXAT"));
        v.push(ms_bytes(ms));
    } else if o.keepttl {
        v.push(Bytes::from_static(b"KEEPTTL"));
    }
    ctx.propagate_as(v);
    ctx.reply().int(1);
    Ok(())
}

// ---------------------------------------------------------------------------
// In-place edits and ranges.
// ---------------------------------------------------------------------------

fn append(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let max = ctx.srv.config.proto_max_bulk_len();
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let total = match db.get_mut(&argv[1], now) {
        None => {
            db.add(&argv[1], Value::Str(Str::from_bytes(&argv[2])));
            argv[2].len()
        }
        Some(v) => {
            let s = expect_str_mut(v)?;
            let total = s.len() as u64 + argv[2].len() as u64;
            if total > max {
                return Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)".into());
            }
            let raw = s.make_raw();
            raw.extend_from_slice(&argv[2]);
            raw.len()
        }
    };
    ctx.dirty(1);
    ctx.notify(notify::STRING, "append", &argv[1]);
    ctx.reply().int(total as i64);
    Ok(())
}

fn strlen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = match ctx.read_key(&argv[1]).0 {
        None => 0,
        Some(v) => expect_str(v)?.len(),
    };
    ctx.reply().int(n as i64);
    Ok(())
}

fn getrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut start = parse_int(&argv[2])?;
    let mut end = parse_int(&argv[3])?;
    let (v, r) = ctx.read_key(&argv[1]);
    let Some(v) = v else {
        r.bulk(b"");
        return Ok(());
    };
    let s = expect_str(v)?;
    s.with_bytes(|b| {
        let len = b.len() as i64;
        if start < 0 && end < 0 && start > end {
            r.bulk(b"");
            return;
        }
        if start < 0 {
            start += len;
        }
        if end < 0 {
            end += len;
        }
        start = start.max(0);
        end = end.max(0);
        if end >= len {
            end = len - 1;
        }
        if start > end || len == 0 {
            r.bulk(b"");
        } else {
            r.bulk(&b[start as usize..=end as usize]);
        }
    });
    Ok(())
}

fn setrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let offset = parse_int(&argv[2])?;
    if offset < 0 {
        return Err("ERR offset is out of range".into());
    }
    let offset = offset as u64;
    let value = &argv[3];
    let max = ctx.srv.config.proto_max_bulk_len();
    let too_big =
        || -> CmdError { "ERR string exceeds maximum allowed size (proto-max-bulk-len)".into() };
    let fits = |n: u64| n.checked_add(value.len() as u64).is_some_and(|t| t <= max);
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let newlen = match db.get_mut(&argv[1], now) {
        None => {
            if value.is_empty() {
                ctx.client.reply.int(0);
                return Ok(());
            }
            if !fits(offset) {
                return Err(too_big());
            }
            let off = offset as usize;
            let mut buf = vec![0u8; off + value.len()];
            buf[off..].copy_from_slice(value);
            let n = buf.len();
            db.add(&argv[1], Value::Str(Str::raw(buf)));
            n
        }
        Some(v) => {
            let s = expect_str_mut(v)?;
            if value.is_empty() {
                let n = s.len();
                ctx.client.reply.int(n as i64);
                return Ok(());
            }
            if !fits(offset) {
                return Err(too_big());
            }
            let off = offset as usize;
            let raw = s.make_raw();
            if raw.len() < off + value.len() {
                raw.resize(off + value.len(), 0);
            }
            raw[off..off + value.len()].copy_from_slice(value);
            raw.len()
        }
    };
    ctx.dirty(1);
    ctx.notify(notify::STRING, "setrange", &argv[1]);
    ctx.reply().int(newlen as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// Counters.
// ---------------------------------------------------------------------------

fn incr(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    incr_decr(ctx, &argv[1], 1)
}

fn decr(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    incr_decr(ctx, &argv[1], -1)
}

fn incrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let by = parse_int(&argv[2])?;
    incr_decr(ctx, &argv[1], by)
}

fn decrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let by = parse_int(&argv[2])?;
    let Some(neg) = by.checked_neg() else {
        return Err("ERR decrement would overflow".into());
    };
    incr_decr(ctx, &argv[1], neg)
}

fn incr_decr(ctx: &mut Ctx, key: &Bytes, by: i64) -> CmdResult {
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let value = match db.get_mut(key, now) {
        None => {
            db.add(key, Value::Str(Str::from_i64(by)));
            by
        }
        Some(v) => {
            let s = expect_str_mut(v)?;
            let cur = s.as_i64().ok_or(err::NOT_INT)?;
            let n = cur
                .checked_add(by)
                .ok_or("ERR increment or decrement would overflow")?;
            *s = Str::from_i64(n);
            n
        }
    };
    ctx.dirty(1);
    ctx.notify(notify::STRING, "incrby", key);
    ctx.reply().int(value);
    Ok(())
}

fn incrbyfloat(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let current = match db.get_mut(key, now) {
        None => Some(LongDouble::from_i64(0)),
        Some(v) => expect_str(v)?.as_long_double(),
    };
    let cur = current.ok_or(err::NOT_FLOAT)?;
    let by = LongDouble::parse(&argv[2]).ok_or(err::NOT_FLOAT)?;
    let sum = cur + by;
    if !sum.is_finite() {
        return Err("ERR increment would produce NaN or Infinity".into());
    }
    let text = sum.to_human();
    let new = Value::Str(Str::from_bytes_no_int(text.as_bytes()));
    match db.get_mut(key, now) {
        Some(v) => *v = new,
        None => db.add(key, new),
    }
    ctx.dirty(1);
    ctx.notify(notify::STRING, "incrbyfloat", key);
    ctx.reply().bulk(text.as_bytes());
    let text = Bytes::from(text.into_bytes());
    ctx.propagate_as(vec![
        Bytes::from_static(b"SET"),
        key.clone(),
        text,
        Bytes::from_static(b"KEEPTTL"),
    ]);
    Ok(())
}

// ---------------------------------------------------------------------------
// LCS.
// ---------------------------------------------------------------------------

fn lcs(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    const NOT_STRINGS: &str = "ERR The specified keys must contain string values";
    let fetch = |ctx: &mut Ctx, key: &[u8]| -> Result<Vec<u8>, CmdError> {
        match ctx.lookup_read(key) {
            None => Ok(Vec::new()),
            #[allow(unreachable_patterns)]
            Some(v) => match v {
                Value::Str(s) => Ok(s.to_vec()),
                _ => Err(NOT_STRINGS.into()),
            },
        }
    };
    let a = fetch(ctx, &argv[1]);
    let b = fetch(ctx, &argv[2]);
    let (a, b) = (a?, b?);

    let (mut getlen, mut getidx, mut withmatchlen) = (false, false, false);
    let mut minmatchlen: i64 = 0;
    let mut j = 3;
    while j < argv.len() {
        let opt = &argv[j][..];
        let moreargs = argv.len() - 1 - j;
        if eq_ic(opt, "IDX") {
            getidx = true;
        } else if eq_ic(opt, "LEN") {
            getlen = true;
        } else if eq_ic(opt, "WITHMATCHLEN") {
            withmatchlen = true;
        } else if eq_ic(opt, "MINMATCHLEN") && moreargs > 0 {
            minmatchlen = parse_int(&argv[j + 1])?.max(0);
            j += 1;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    if getlen && getidx {
        return Err("ERR If you want both the length and indexes, please just use IDX.".into());
    }
    if a.len() >= u32::MAX as usize - 1 || b.len() >= u32::MAX as usize - 1 {
        return Err("ERR String too long for LCS".into());
    }
    let (alen, blen) = (a.len(), b.len());
    let cells = (alen as u64 + 1) * (blen as u64 + 1);
    if cells * 4 > ctx.srv.config.proto_max_bulk_len() {
        return Err(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len".into(),
        );
    }
    let mut table: Vec<u32> = Vec::new();
    if table.try_reserve_exact(cells as usize).is_err() {
        return Err("ERR Insufficient memory, failed allocating transient memory for LCS".into());
    }
    table.resize(cells as usize, 0);
    let w = blen + 1;
    for i in 1..=alen {
        for jj in 1..=blen {
            table[i * w + jj] = if a[i - 1] == b[jj - 1] {
                table[(i - 1) * w + jj - 1] + 1
            } else {
                table[(i - 1) * w + jj].max(table[i * w + jj - 1])
            };
        }
    }
    let total = table[alen * w + blen];
    let compute = getidx || !getlen;
    let mut result = vec![0u8; if compute { total as usize } else { 0 }];
    let r = &mut ctx.client.reply;
    let deferred = if getidx {
        r.map(2);
        r.bulk(b"matches");
        Some(r.deferred())
    } else {
        None
    };
    let mut ranges = 0usize;
    let (mut i, mut jj, mut idx) = (alen, blen, total as usize);
    // Current range, `arange_start == alen` meaning "none".
    let (mut a_start, mut a_end, mut b_start, mut b_end) = (alen, 0usize, 0usize, 0usize);
    while compute && i > 0 && jj > 0 {
        let mut emit = false;
        if a[i - 1] == b[jj - 1] {
            result[idx - 1] = a[i - 1];
            if a_start == alen {
                a_start = i - 1;
                a_end = i - 1;
                b_start = jj - 1;
                b_end = jj - 1;
            } else if a_start == i && b_start == jj {
                a_start -= 1;
                b_start -= 1;
            } else {
                emit = true;
            }
            if a_start == 0 || b_start == 0 {
                emit = true;
            }
            idx -= 1;
            i -= 1;
            jj -= 1;
        } else {
            let l1 = table[(i - 1) * w + jj];
            let l2 = table[i * w + jj - 1];
            if l1 > l2 {
                i -= 1;
            } else {
                jj -= 1;
            }
            if a_start != alen {
                emit = true;
            }
        }
        if emit {
            let match_len = (a_end as i64) - (a_start as i64) + 1;
            if (minmatchlen == 0 || match_len >= minmatchlen) && deferred.is_some() {
                r.array(2 + withmatchlen as usize);
                r.array(2);
                r.int(a_start as i64);
                r.int(a_end as i64);
                r.array(2);
                r.int(b_start as i64);
                r.int(b_end as i64);
                if withmatchlen {
                    r.int(match_len);
                }
                ranges += 1;
            }
            a_start = alen;
        }
    }
    if let Some(d) = deferred {
        r.set_deferred_len(d, b'*', ranges);
        r.bulk(b"len");
        r.int(total as i64);
    } else if getlen {
        r.int(total as i64);
    } else {
        r.bulk(&result);
    }
    Ok(())
}
