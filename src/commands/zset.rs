//! Sorted set commands, including the blocking pops (BZPOPMIN, BZPOPMAX,
//! BZMPOP).
//!
//! Every range command (ZRANGE in all its forms, ZRANGESTORE, the BY*
//! variants, counts and removals) goes through one range walker over
//! [`ZPos`] cursors, so listpack and skiplist encodings answer alike.
//! Scores are replied with Valkey's shortest round-trip formatting;
//! ZSCAN of a skiplist prints them with `%.17g` as Valkey does.

use super::collection::{
    bulk_entry, fmt_17g, get_double, get_i64, get_positive, get_range, parse_cursor,
    parse_scan_opts, parse_strtod, parse_timeout, scan_loop, ScanKind,
};
use crate::protocol::Reply;
use crate::server::{err, notify, CmdError, CmdResult, CommandTable, Ctx};
use crate::types::listpack::LpEntry;
use crate::types::set::SetValue;
use crate::types::skiplist::{LexBound, LexRange, ScoreRange};
use crate::types::zset::{ZPos, ZSetLimits, ZSetValue};
use crate::types::Value;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("zadd", zadd);
    t.add("zincrby", zincrby);
    t.add("zrem", zrem);
    t.add("zcard", zcard);
    t.add("zscore", zscore);
    t.add("zmscore", zmscore);
    t.add("zrank", zrank);
    t.add("zrevrank", zrevrank);
    t.add("zcount", zcount);
    t.add("zlexcount", zlexcount);
    t.add("zrange", zrange);
    t.add("zrangestore", zrangestore);
    t.add("zrevrange", zrevrange);
    t.add("zrangebyscore", zrangebyscore);
    t.add("zrevrangebyscore", zrevrangebyscore);
    t.add("zrangebylex", zrangebylex);
    t.add("zrevrangebylex", zrevrangebylex);
    t.add("zremrangebyrank", zremrangebyrank);
    t.add("zremrangebyscore", zremrangebyscore);
    t.add("zremrangebylex", zremrangebylex);
    t.add("zpopmin", zpopmin);
    t.add("zpopmax", zpopmax);
    t.add("zmpop", zmpop);
    t.add("bzpopmin", bzpopmin);
    t.add("bzpopmax", bzpopmax);
    t.add("bzmpop", bzmpop);
    t.add("zrandmember", zrandmember);
    t.add("zscan", zscan);
    t.add("zunion", zunion);
    t.add("zinter", zinter);
    t.add("zdiff", zdiff);
    t.add("zunionstore", zunionstore);
    t.add("zinterstore", zinterstore);
    t.add("zdiffstore", zdiffstore);
    t.add("zintercard", zintercard);
}

const NOT_FLOAT_RANGE: &str = "ERR min or max is not a float";
const NOT_LEX_RANGE: &str = "ERR min or max not valid string range item";

fn limits(ctx: &Ctx) -> ZSetLimits {
    ZSetLimits::from_config(&ctx.srv.config)
}

fn zset_mut<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut ZSetValue>, CmdError> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(err::WRONGTYPE.into()),
    }
}

/// Delete `key` if it holds an empty sorted set (reporting `del`).
fn drop_if_empty(ctx: &mut Ctx, key: &[u8]) {
    let empty = matches!(ctx.db().dict.get(key), Some(Value::ZSet(z)) if z.is_empty());
    if empty {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
}

fn signal_ready(ctx: &mut Ctx, key: &[u8]) {
    let db = ctx.client.db;
    ctx.srv.signal_key_ready(db, key);
}

/// A member with its score, as a reply element.
fn emit(r: &mut Reply, m: LpEntry<'_>, score: f64, withscores: bool) {
    if withscores && r.resp3 {
        r.array(2);
    }
    bulk_entry(r, m);
    if withscores {
        r.double(score);
    }
}

fn header(r: &mut Reply, n: usize, withscores: bool) {
    r.array(if withscores && !r.resp3 { n * 2 } else { n });
}

// ---------------------------------------------------------------- ZADD

#[derive(Default, Clone, Copy)]
struct AddFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    incr: bool,
}

enum AddOutcome {
    Added(f64),
    Updated(f64),
    /// Processed without a change (same score).
    Same(f64),
    Nop,
}

/// Valkey's `zsetAdd`. Err on a NaN result.
fn zset_add(
    z: &mut ZSetValue,
    score: f64,
    m: &[u8],
    f: AddFlags,
    lim: &ZSetLimits,
) -> Result<AddOutcome, CmdError> {
    if score.is_nan() {
        return Err("ERR resulting score is not a number (NaN)".into());
    }
    match z.score(m) {
        Some(cur) => {
            if f.nx {
                return Ok(AddOutcome::Nop);
            }
            let mut score = score;
            if f.incr {
                score += cur;
                if score.is_nan() {
                    return Err("ERR resulting score is not a number (NaN)".into());
                }
            }
            if (f.lt && score >= cur) || (f.gt && score <= cur) {
                return Ok(AddOutcome::Nop);
            }
            if score != cur {
                z.update(m, score);
                Ok(AddOutcome::Updated(score))
            } else {
                Ok(AddOutcome::Same(score))
            }
        }
        None => {
            if f.xx {
                return Ok(AddOutcome::Nop);
            }
            z.insert(m, score, lim);
            Ok(AddOutcome::Added(score))
        }
    }
}

fn zadd_generic(ctx: &mut Ctx, argv: &[Bytes], incr_cmd: bool) -> CmdResult {
    let key = &argv[1];
    let mut f = AddFlags {
        incr: incr_cmd,
        ..Default::default()
    };
    let mut ch = false;
    let mut idx = 2;
    if !incr_cmd {
        while idx < argv.len() {
            let o = &argv[idx];
            if o.eq_ignore_ascii_case(b"nx") {
                f.nx = true;
            } else if o.eq_ignore_ascii_case(b"xx") {
                f.xx = true;
            } else if o.eq_ignore_ascii_case(b"ch") {
                ch = true;
            } else if o.eq_ignore_ascii_case(b"incr") {
                f.incr = true;
            } else if o.eq_ignore_ascii_case(b"gt") {
                f.gt = true;
            } else if o.eq_ignore_ascii_case(b"lt") {
                f.lt = true;
            } else {
                break;
            }
            idx += 1;
        }
    }
    let elements = argv.len() - idx;
    if elements % 2 == 1 || elements == 0 {
        return Err(err::SYNTAX.into());
    }
    let elements = elements / 2;
    if f.nx && f.xx {
        return Err("ERR XX and NX options at the same time are not compatible".into());
    }
    if ((f.gt || f.lt) && f.nx) || (f.gt && f.lt) {
        return Err("ERR GT, LT, and/or NX options at the same time are not compatible".into());
    }
    if f.incr && elements > 1 {
        return Err("ERR INCR option supports a single increment-element pair".into());
    }
    let mut scores = Vec::with_capacity(elements);
    for j in 0..elements {
        scores.push(get_double(&argv[idx + j * 2], None)?);
    }
    let lim = limits(ctx);
    struct Tally {
        added: u64,
        updated: u64,
        processed: u64,
        last: f64,
        result: CmdResult,
    }
    let run = |z: &mut ZSetValue| {
        let mut t = Tally {
            added: 0,
            updated: 0,
            processed: 0,
            last: 0.0,
            result: Ok(()),
        };
        for (j, &score) in scores.iter().enumerate() {
            match zset_add(z, score, &argv[idx + 1 + j * 2], f, &lim) {
                Ok(AddOutcome::Added(s)) => {
                    t.added += 1;
                    t.processed += 1;
                    t.last = s;
                }
                Ok(AddOutcome::Updated(s)) => {
                    t.updated += 1;
                    t.processed += 1;
                    t.last = s;
                }
                Ok(AddOutcome::Same(s)) => {
                    t.processed += 1;
                    t.last = s;
                }
                Ok(AddOutcome::Nop) => {}
                Err(e) => {
                    t.result = Err(e);
                    break;
                }
            }
        }
        t
    };
    // One keyspace lookup when the sorted set exists.
    let existing = match ctx.lookup_write(key) {
        Some(Value::ZSet(z)) => {
            z.maybe_convert(elements, &lim);
            let t = run(z);
            Some((t, z.is_empty()))
        }
        Some(_) => return Err(err::WRONGTYPE.into()),
        None => None,
    };
    let t = match existing {
        Some((t, empty)) => {
            if empty {
                ctx.db().remove(key);
            }
            t
        }
        None if f.xx => Tally {
            added: 0,
            updated: 0,
            processed: 0,
            last: 0.0,
            result: Ok(()),
        },
        None => {
            let mut z = ZSetValue::create(elements, argv[idx + 1].len(), &lim);
            let t = run(&mut z);
            if !z.is_empty() {
                ctx.db().add(key, Value::ZSet(Box::new(z)));
            }
            t
        }
    };
    let (added, updated, processed, last, result) =
        (t.added, t.updated, t.processed, t.last, t.result);
    ctx.dirty(added + updated);
    if added > 0 {
        signal_ready(ctx, key);
    }
    if added + updated > 0 {
        ctx.notify(notify::ZSET, if f.incr { "zincr" } else { "zadd" }, key);
    }
    result?;
    if f.incr {
        if processed > 0 {
            ctx.reply().double(last);
        } else {
            ctx.reply().null();
        }
    } else {
        ctx.reply()
            .int((if ch { added + updated } else { added }) as i64);
    }
    Ok(())
}

fn zadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, argv, false)
}

/// ZADD with an already built argument vector (GEOADD).
pub(crate) fn zadd_args(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, argv, false)
}

fn zincrby(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, argv, true)
}

fn zrem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let key = &argv[1];
    let Some(z) = zset_mut(ctx, key)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let mut removed = 0;
    for m in &argv[2..] {
        if z.remove(m).is_some() {
            removed += 1;
            if z.is_empty() {
                break;
            }
        }
    }
    if removed > 0 {
        ctx.notify(notify::ZSET, "zrem", key);
    }
    drop_if_empty(ctx, key);
    ctx.dirty(removed);
    ctx.reply().int(removed as i64);
    Ok(())
}

fn zcard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.read_key(&argv[1]) {
        (None, r) => r.int(0),
        (Some(Value::ZSet(z)), r) => r.int(z.len() as i64),
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn zscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.read_key(&argv[1]) {
        (None, r) => r.null(),
        (Some(Value::ZSet(z)), r) => match z.score(&argv[2]) {
            Some(s) => r.double(s),
            None => r.null(),
        },
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn zmscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (v, r) = ctx.read_key(&argv[1]);
    let z = match v {
        None => None,
        Some(Value::ZSet(z)) => Some(z),
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    r.array(argv.len() - 2);
    for m in &argv[2..] {
        match z.and_then(|z| z.score(m)) {
            Some(s) => r.double(s),
            None => r.null(),
        }
    }
    Ok(())
}

fn zrank_generic(ctx: &mut Ctx, argv: &[Bytes], rev: bool) -> CmdResult {
    if argv.len() > 4 {
        return Err(CmdError::from(format!(
            "ERR wrong number of arguments for '{}' command",
            if rev { "zrevrank" } else { "zrank" }
        )));
    }
    let withscore = if argv.len() == 4 {
        if !argv[3].eq_ignore_ascii_case(b"withscore") {
            return Err(err::SYNTAX.into());
        }
        true
    } else {
        false
    };
    let (v, r) = ctx.read_key(&argv[1]);
    let found = match v {
        None => None,
        Some(Value::ZSet(z)) => z.rank(&argv[2], rev),
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    match found {
        Some((rank, score)) => {
            if withscore {
                r.array(2);
                r.int(rank as i64);
                r.double(score);
            } else {
                r.int(rank as i64);
            }
        }
        None => {
            if withscore {
                r.null_array();
            } else {
                r.null();
            }
        }
    }
    Ok(())
}

fn zrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrank_generic(ctx, argv, false)
}

fn zrevrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrank_generic(ctx, argv, true)
}

// ---------------------------------------------------------------- ranges

/// Valkey's `zslParseRange`.
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CmdError> {
    fn item(a: &[u8]) -> Option<(f64, bool)> {
        match a.first() {
            Some(b'(') => parse_strtod(&a[1..]).map(|v| (v, true)),
            _ => parse_strtod(a).map(|v| (v, false)),
        }
    }
    let (min, minex) = item(min).ok_or_else(|| CmdError::from(NOT_FLOAT_RANGE))?;
    let (max, maxex) = item(max).ok_or_else(|| CmdError::from(NOT_FLOAT_RANGE))?;
    Ok(ScoreRange {
        min,
        max,
        minex,
        maxex,
    })
}

/// Valkey's `zslParseLexRange`.
pub fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CmdError> {
    fn item(a: &[u8]) -> Option<LexBound> {
        match a.first() {
            Some(b'+') if a.len() == 1 => Some(LexBound::PosInf),
            Some(b'-') if a.len() == 1 => Some(LexBound::NegInf),
            Some(b'(') => Some(LexBound::Excl(a[1..].to_vec())),
            Some(b'[') => Some(LexBound::Incl(a[1..].to_vec())),
            _ => None,
        }
    }
    match (item(min), item(max)) {
        (Some(min), Some(max)) => Ok(LexRange { min, max }),
        _ => Err(NOT_LEX_RANGE.into()),
    }
}

#[derive(Clone)]
enum Spec {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

/// Walk the elements selected by `spec` (in `rev` order), honouring
/// LIMIT `offset`/`limit` (negative limit: no limit) for score and lex
/// ranges. Calls `f` on each.
fn walk(
    z: &ZSetValue,
    spec: &Spec,
    rev: bool,
    offset: i64,
    limit: i64,
    mut f: impl FnMut(LpEntry<'_>, f64),
) {
    let len = z.len() as i64;
    match spec {
        Spec::Rank(start, end) => {
            let Some((s, e)) = super::list::clamp_range(*start, *end, len as usize) else {
                return;
            };
            let n = e - s + 1;
            let first = if rev { len as usize - 1 - s } else { s };
            let mut p = z.by_rank(first);
            for _ in 0..n {
                let Some(pos) = p else {
                    break;
                };
                let (m, sc) = z.get(pos);
                f(m, sc);
                p = if rev { z.prev(pos) } else { z.next(pos) };
            }
        }
        Spec::Score(r) => {
            if offset > 0 && offset >= len {
                return;
            }
            let mut p = if rev {
                z.last_in_score(r)
            } else {
                z.first_in_score(r)
            };
            walk_limited(
                z,
                &mut p,
                rev,
                offset,
                limit,
                |_, s| {
                    if rev {
                        r.gte_min(s)
                    } else {
                        r.lte_max(s)
                    }
                },
                &mut f,
            );
        }
        Spec::Lex(r) => {
            if offset > 0 && offset >= len {
                return;
            }
            let mut p = if rev {
                z.last_in_lex(r)
            } else {
                z.first_in_lex(r)
            };
            walk_limited(
                z,
                &mut p,
                rev,
                offset,
                limit,
                |m, _| m.with_bytes(|b| if rev { r.gte_min(b) } else { r.lte_max(b) }),
                &mut f,
            );
        }
    }
}

fn walk_limited(
    z: &ZSetValue,
    p: &mut Option<ZPos>,
    rev: bool,
    offset: i64,
    limit: i64,
    in_range: impl Fn(LpEntry<'_>, f64) -> bool,
    f: &mut impl FnMut(LpEntry<'_>, f64),
) {
    let step = |pos: ZPos| if rev { z.prev(pos) } else { z.next(pos) };
    // A negative offset skips everything, as in Valkey.
    let mut off = offset;
    while let Some(pos) = *p {
        if off == 0 {
            break;
        }
        off -= 1;
        *p = step(pos);
    }
    let mut left = limit;
    while let Some(pos) = *p {
        if left == 0 {
            break;
        }
        let (m, s) = z.get(pos);
        if !in_range(m, s) {
            break;
        }
        f(m, s);
        left -= 1;
        *p = step(pos);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Auto,
    Rank,
    Score,
    Lex,
}

/// Valkey's `zrangeGenericCommand`: `src_idx` is the key's index; with
/// `store` the result goes to argv[1].
fn zrange_generic(
    ctx: &mut Ctx,
    argv: &[Bytes],
    src_idx: usize,
    store: bool,
    kind: Kind,
    rev: Option<bool>,
) -> CmdResult {
    let mut kind = kind;
    let mut rev = rev;
    let mut withscores = false;
    let mut offset: i64 = 0;
    let mut limit: i64 = -1;
    let mut j = src_idx + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if !store && a.eq_ignore_ascii_case(b"withscores") {
            withscores = true;
        } else if a.eq_ignore_ascii_case(b"limit") && left >= 2 {
            offset = get_i64(&argv[j + 1], None)?;
            limit = get_i64(&argv[j + 2], None)?;
            j += 2;
        } else if rev.is_none() && a.eq_ignore_ascii_case(b"rev") {
            rev = Some(true);
        } else if kind == Kind::Auto && a.eq_ignore_ascii_case(b"bylex") {
            kind = Kind::Lex;
        } else if kind == Kind::Auto && a.eq_ignore_ascii_case(b"byscore") {
            kind = Kind::Score;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    let rev = rev.unwrap_or(false);
    if kind == Kind::Auto {
        kind = Kind::Rank;
    }
    if limit != -1 && kind == Kind::Rank {
        return Err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
                .into(),
        );
    }
    if withscores && kind == Kind::Lex {
        return Err("ERR syntax error, WITHSCORES not supported in combination with BYLEX".into());
    }
    let (mut min_i, mut max_i) = (src_idx + 1, src_idx + 2);
    if rev && kind != Kind::Rank {
        std::mem::swap(&mut min_i, &mut max_i);
    }
    let spec = match kind {
        Kind::Score => Spec::Score(parse_score_range(&argv[min_i], &argv[max_i])?),
        Kind::Lex => Spec::Lex(parse_lex_range(&argv[min_i], &argv[max_i])?),
        _ => Spec::Rank(get_i64(&argv[min_i], None)?, get_i64(&argv[max_i], None)?),
    };
    let key = &argv[src_idx];
    if store {
        let lim = limits(ctx);
        let mut items: Vec<(Vec<u8>, f64)> = Vec::new();
        let found = match ctx.lookup_read(key) {
            None => false,
            Some(Value::ZSet(z)) => {
                walk(z, &spec, rev, offset, limit, |m, s| {
                    items.push((m.to_vec(), s))
                });
                true
            }
            Some(_) => return Err(err::WRONGTYPE.into()),
        };
        let _ = found;
        store_result(ctx, &argv[1], items, &lim);
        return Ok(());
    }
    let (v, r) = ctx.read_key(key);
    let z = match v {
        None => {
            r.empty_array();
            return Ok(());
        }
        Some(Value::ZSet(z)) => z,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    if let Spec::Rank(s, e) = spec {
        // The count is known up front: no deferred header.
        let n = super::list::clamp_range(s, e, z.len()).map_or(0, |(s, e)| e - s + 1);
        header(r, n, withscores);
        walk(z, &spec, rev, offset, limit, |m, sc| {
            emit(r, m, sc, withscores)
        });
        return Ok(());
    }
    let d = r.deferred();
    let mut n = 0usize;
    walk(z, &spec, rev, offset, limit, |m, sc| {
        emit(r, m, sc, withscores);
        n += 1;
    });
    r.set_deferred_len(d, b'*', if withscores && !r.resp3 { n * 2 } else { n });
    Ok(())
}

/// Store a result set at `dst` (created like Valkey's ZRANGESTORE target:
/// a listpack that converts as it grows).
fn store_result(ctx: &mut Ctx, dst: &[u8], items: Vec<(Vec<u8>, f64)>, lim: &ZSetLimits) {
    if items.is_empty() {
        if ctx.db().remove(dst).is_some() {
            ctx.dirty(1);
            ctx.notify(notify::GENERIC, "del", dst);
        }
        ctx.reply().int(0);
        return;
    }
    let mut z = ZSetValue::create(items.len(), 0, lim);
    for (m, s) in &items {
        z.insert(m, *s, lim);
    }
    let n = z.len();
    ctx.db().set(dst, Value::ZSet(Box::new(z)), false);
    signal_ready(ctx, dst);
    ctx.dirty(1);
    ctx.notify(notify::ZSET, "zrangestore", dst);
    ctx.reply().int(n as i64);
}

fn zrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, false, Kind::Auto, None)
}

fn zrangestore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 2, true, Kind::Auto, None)
}

fn zrevrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, false, Kind::Rank, Some(true))
}

fn zrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, false, Kind::Score, Some(false))
}

fn zrevrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, false, Kind::Score, Some(true))
}

fn zrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, false, Kind::Lex, Some(false))
}

fn zrevrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, argv, 1, false, Kind::Lex, Some(true))
}

fn count_generic(ctx: &mut Ctx, argv: &[Bytes], spec: Spec) -> CmdResult {
    match ctx.read_key(&argv[1]) {
        (None, r) => r.int(0),
        (Some(Value::ZSet(z)), r) => {
            let (first, last) = match &spec {
                Spec::Score(s) => (z.first_in_score(s), z.last_in_score(s)),
                Spec::Lex(l) => (z.first_in_lex(l), z.last_in_lex(l)),
                Spec::Rank(..) => (None, None),
            };
            let n = match (first, last) {
                (Some(a), Some(b)) => z.rank_of(b).saturating_sub(z.rank_of(a)) + 1,
                _ => 0,
            };
            r.int(n as i64);
        }
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn zcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let spec = Spec::Score(parse_score_range(&argv[2], &argv[3])?);
    count_generic(ctx, argv, spec)
}

fn zlexcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let spec = Spec::Lex(parse_lex_range(&argv[2], &argv[3])?);
    count_generic(ctx, argv, spec)
}

fn zremrange_generic(ctx: &mut Ctx, argv: &[Bytes], spec: Spec) -> CmdResult {
    let key = &argv[1];
    let Some(z) = zset_mut(ctx, key)? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let mut victims: Vec<Vec<u8>> = Vec::new();
    walk(z, &spec, false, 0, -1, |m, _| victims.push(m.to_vec()));
    for m in &victims {
        z.remove(m);
    }
    if !victims.is_empty() {
        let event = match spec {
            Spec::Rank(..) => "zremrangebyrank",
            Spec::Score(_) => "zremrangebyscore",
            Spec::Lex(_) => "zremrangebylex",
        };
        ctx.notify(notify::ZSET, event, key);
    }
    drop_if_empty(ctx, key);
    ctx.dirty(victims.len() as u64);
    ctx.reply().int(victims.len() as i64);
    Ok(())
}

fn zremrangebyrank(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let s = get_i64(&argv[2], None)?;
    let e = get_i64(&argv[3], None)?;
    zremrange_generic(ctx, argv, Spec::Rank(s, e))
}

fn zremrangebyscore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let spec = Spec::Score(parse_score_range(&argv[2], &argv[3])?);
    zremrange_generic(ctx, argv, spec)
}

fn zremrangebylex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let spec = Spec::Lex(parse_lex_range(&argv[2], &argv[3])?);
    zremrange_generic(ctx, argv, spec)
}

// ---------------------------------------------------------------- pops

/// How a pop reply is shaped (Valkey's emitkey / use_nested_array).
#[derive(Clone, Copy)]
struct PopShape {
    emit_key: bool,
    nested: bool,
    nil_when_empty: bool,
}

/// Valkey's `genericZpopCommand` over `keys`; returns the key served.
fn zpop_generic(
    ctx: &mut Ctx,
    keys: &[Bytes],
    max: bool,
    count: i64,
    shape: PopShape,
) -> Result<Option<Bytes>, CmdError> {
    let want = if count == -1 {
        1
    } else {
        count.max(0) as usize
    };
    // The first existing key is served, popped in the same lookup.
    let mut served: Option<(Bytes, Scored, bool)> = None;
    for k in keys {
        match ctx.lookup_write(k) {
            Some(Value::ZSet(z)) => {
                let mut popped = Vec::with_capacity(want.min(z.len()));
                while popped.len() < want {
                    let Some(pos) = (if max { z.last() } else { z.first() }) else {
                        break;
                    };
                    let (m, s) = z.get(pos);
                    let m = m.to_vec();
                    z.remove(&m);
                    popped.push((m, s));
                }
                served = Some((k.clone(), popped, z.is_empty()));
                break;
            }
            Some(_) => return Err(err::WRONGTYPE.into()),
            None => continue,
        }
    }
    let Some((key, popped, empty)) = served else {
        if shape.nil_when_empty {
            ctx.reply().null_array();
        } else {
            ctx.reply().empty_array();
        }
        return Ok(None);
    };
    if count == 0 {
        ctx.reply().empty_array();
        return Ok(None);
    }
    ctx.notify(notify::ZSET, if max { "zpopmax" } else { "zpopmin" }, &key);
    if empty {
        ctx.db().remove(&key);
        ctx.notify(notify::GENERIC, "del", &key);
    }
    ctx.dirty(popped.len() as u64);
    let r = ctx.reply();
    let n = popped.len();
    match (shape.emit_key, shape.nested) {
        (false, false) => r.array(n * 2),
        (false, true) => r.array(n),
        (true, false) => {
            r.array(n * 2 + 1);
            r.bulk(&key);
        }
        (true, true) => {
            r.array(2);
            r.bulk(&key);
            r.array(n);
        }
    }
    for (m, s) in &popped {
        if shape.nested {
            r.array(2);
        }
        r.bulk(m);
        r.double(*s);
    }
    Ok(Some(key))
}

fn zpop_cmd(ctx: &mut Ctx, argv: &[Bytes], max: bool) -> CmdResult {
    if argv.len() > 3 {
        return Err(err::SYNTAX.into());
    }
    let count = match argv.get(2) {
        Some(a) => get_positive(a, None)?,
        None => -1,
    };
    let nested = ctx.client.reply.resp3 && count != -1;
    zpop_generic(
        ctx,
        &argv[1..2],
        max,
        count,
        PopShape {
            emit_key: false,
            nested,
            nil_when_empty: false,
        },
    )?;
    Ok(())
}

fn zpopmin(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zpop_cmd(ctx, argv, false)
}

fn zpopmax(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    zpop_cmd(ctx, argv, true)
}

struct MPopArgs {
    keys: std::ops::Range<usize>,
    max: bool,
    count: i64,
}

fn parse_zmpop(argv: &[Bytes], idx: usize) -> Result<MPopArgs, CmdError> {
    let numkeys = get_range(
        &argv[idx],
        1,
        i64::MAX,
        Some("ERR numkeys should be greater than 0"),
    )? as usize;
    let where_idx = idx
        .checked_add(numkeys)
        .and_then(|x| x.checked_add(1))
        .filter(|&w| w < argv.len())
        .ok_or_else(|| CmdError::from(err::SYNTAX))?;
    let max = if argv[where_idx].eq_ignore_ascii_case(b"min") {
        false
    } else if argv[where_idx].eq_ignore_ascii_case(b"max") {
        true
    } else {
        return Err(err::SYNTAX.into());
    };
    let mut count: i64 = -1;
    let mut j = where_idx + 1;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if count == -1 && argv[j].eq_ignore_ascii_case(b"count") && more > 0 {
            j += 1;
            count = get_range(
                &argv[j],
                1,
                i64::MAX,
                Some("ERR count should be greater than 0"),
            )?;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    Ok(MPopArgs {
        keys: idx + 1..where_idx,
        max,
        count: if count == -1 { 1 } else { count },
    })
}

fn pop_cmd_name(max: bool) -> &'static [u8] {
    if max {
        b"ZPOPMAX"
    } else {
        b"ZPOPMIN"
    }
}

const MPOP_SHAPE: PopShape = PopShape {
    emit_key: true,
    nested: true,
    nil_when_empty: true,
};

fn zmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = parse_zmpop(argv, 1)?;
    if let Some(key) = zpop_generic(ctx, &argv[a.keys], a.max, a.count, MPOP_SHAPE)? {
        ctx.propagate_as(vec![
            Bytes::from_static(pop_cmd_name(a.max)),
            key,
            Bytes::from(a.count.to_string()),
        ]);
    }
    Ok(())
}

/// True when one of `keys` holds a (non-empty) sorted set; errors on a
/// wrong type first.
fn any_ready(ctx: &mut Ctx, keys: &[Bytes]) -> Result<bool, CmdError> {
    for k in keys {
        if zset_mut(ctx, k)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn bzpop_generic(ctx: &mut Ctx, argv: &[Bytes], max: bool) -> CmdResult {
    let deadline = parse_timeout(&argv[argv.len() - 1], ctx.now_ms())?;
    let keys = &argv[1..argv.len() - 1];
    // Type errors come from the first key that exists, before blocking.
    if any_ready(ctx, keys)? {
        let shape = PopShape {
            emit_key: true,
            nested: false,
            nil_when_empty: true,
        };
        if let Some(key) = zpop_generic(ctx, keys, max, -1, shape)? {
            ctx.propagate_as(vec![Bytes::from_static(pop_cmd_name(max)), key]);
        }
        return Ok(());
    }
    if ctx.cannot_block() {
        ctx.reply().null_array();
        return Ok(());
    }
    ctx.block_on_keys(keys, deadline);
    Ok(())
}

fn bzpopmin(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bzpop_generic(ctx, argv, false)
}

fn bzpopmax(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bzpop_generic(ctx, argv, true)
}

fn bzmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = parse_zmpop(argv, 2)?;
    let deadline = parse_timeout(&argv[1], ctx.now_ms())?;
    let keys = &argv[a.keys.clone()];
    if any_ready(ctx, keys)? {
        if let Some(key) = zpop_generic(ctx, keys, a.max, a.count, MPOP_SHAPE)? {
            ctx.propagate_as(vec![
                Bytes::from_static(pop_cmd_name(a.max)),
                key,
                Bytes::from(a.count.to_string()),
            ]);
        }
        return Ok(());
    }
    if ctx.cannot_block() {
        ctx.reply().null_array();
        return Ok(());
    }
    ctx.block_on_keys(keys, deadline);
    Ok(())
}

// ---------------------------------------------------------------- random, scan

fn zrandmember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut seed = ctx.srv.random();
    let mut rng = move || {
        seed = crate::util::rand::splitmix(seed);
        seed
    };
    if argv.len() == 2 {
        match ctx.read_key(&argv[1]) {
            (None, r) => r.null(),
            (Some(Value::ZSet(z)), r) => {
                let i = (rng() % z.len().max(1) as u64) as usize;
                match z.by_rank(i) {
                    Some(p) => bulk_entry(r, z.get(p).0),
                    None => r.null(),
                }
            }
            (Some(_), _) => return Err(err::WRONGTYPE.into()),
        }
        return Ok(());
    }
    let l = get_range(&argv[2], -i64::MAX, i64::MAX, None)?;
    let withscores =
        if argv.len() > 4 || (argv.len() == 4 && !argv[3].eq_ignore_ascii_case(b"withscores")) {
            return Err(err::SYNTAX.into());
        } else if argv.len() == 4 {
            if !(-i64::MAX / 2..=i64::MAX / 2).contains(&l) {
                return Err("ERR value is out of range".into());
            }
            true
        } else {
            false
        };
    let (v, r) = ctx.read_key(&argv[1]);
    let z = match v {
        None => {
            r.empty_array();
            return Ok(());
        }
        Some(Value::ZSet(z)) => z,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let count = l.unsigned_abs() as usize;
    if count == 0 {
        r.empty_array();
        return Ok(());
    }
    let size = z.len();
    if l < 0 || count == 1 {
        header(r, count, withscores);
        for _ in 0..count {
            let i = (rng() % size as u64) as usize;
            if let Some(p) = z.by_rank(i) {
                let (m, s) = z.get(p);
                emit(r, m, s, withscores);
            }
        }
        return Ok(());
    }
    if count >= size {
        // Valkey's set-operation iterator walks sorted sets from the top.
        header(r, size, withscores);
        let mut p = z.last();
        while let Some(pos) = p {
            let (m, s) = z.get(pos);
            emit(r, m, s, withscores);
            p = z.prev(pos);
        }
        return Ok(());
    }
    // Distinct members: random ranks, in storage order for listpacks.
    let mut idx: Vec<usize> = (0..size).collect();
    for i in 0..count {
        let j = i + (rng() % (size - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut chosen = idx[..count].to_vec();
    if matches!(&**z, ZSetValue::Listpack(_)) {
        chosen.sort_unstable();
    }
    header(r, count, withscores);
    for i in chosen {
        if let Some(p) = z.by_rank(i) {
            let (m, s) = z.get(p);
            emit(r, m, s, withscores);
        }
    }
    Ok(())
}

fn zscan(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cursor = parse_cursor(&argv[2])?;
    let (v, r) = ctx.read_key(&argv[1]);
    let z = match v {
        None => {
            r.array(2);
            r.bulk(b"0");
            r.empty_array();
            return Ok(());
        }
        Some(Value::ZSet(z)) => z,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let opts = parse_scan_opts(argv, ScanKind::ZSet, cursor)?;
    let mut items: Vec<Vec<u8>> = Vec::new();
    let next = match &**z {
        ZSetValue::Listpack(lp) => {
            // Listpacks give back the stored score text.
            let mut it = lp.iter();
            while let (Some(m), Some(s)) = (it.next(), it.next()) {
                if m.with_bytes(|b| opts.matches(b)) {
                    items.push(m.to_vec());
                    if !opts.only_keys {
                        items.push(s.to_vec());
                    }
                }
            }
            0
        }
        ZSetValue::SkipList(_) => scan_loop(&opts, |c, sampled| {
            z.scan_step(c, |m, s| {
                *sampled += 1;
                if opts.matches(m) {
                    items.push(m.to_vec());
                    if !opts.only_keys {
                        items.push(fmt_17g(s).into_bytes());
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

// ---------------------------------------------------------------- algebra

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy)]
enum Aggr {
    Sum,
    Min,
    Max,
}

fn aggregate(target: &mut f64, v: f64, a: Aggr) {
    match a {
        Aggr::Sum => {
            *target += v;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggr::Min => {
            if v < *target {
                *target = v;
            }
        }
        Aggr::Max => {
            if v > *target {
                *target = v;
            }
        }
    }
}

/// An input of the algebra commands: a sorted set, or a plain set whose
/// members all score 1.
enum Src<'a> {
    Missing,
    Z(&'a ZSetValue),
    S(&'a SetValue),
}

impl Src<'_> {
    fn len(&self) -> usize {
        match self {
            Src::Missing => 0,
            Src::Z(z) => z.len(),
            Src::S(s) => s.len(),
        }
    }

    fn score(&self, m: &[u8]) -> Option<f64> {
        match self {
            Src::Missing => None,
            Src::Z(z) => z.score(m),
            Src::S(s) => s.contains(m).then_some(1.0),
        }
    }

    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Src::Missing => {}
            Src::Z(z) => {
                let mut p = z.first();
                while let Some(pos) = p {
                    let (m, s) = z.get(pos);
                    m.with_bytes(|b| f(b, s));
                    p = z.next(pos);
                }
            }
            Src::S(s) => {
                for m in s.iter() {
                    m.with_bytes(|b| f(b, 1.0));
                }
            }
        }
    }
}

/// (member, score) pairs in result order.
type Scored = Vec<(Vec<u8>, f64)>;

/// Parsed ZUNION/ZINTER/ZDIFF arguments.
struct AlgArgs {
    keys: std::ops::Range<usize>,
    weights: Vec<f64>,
    aggr: Aggr,
    withscores: bool,
    limit: usize,
}

fn parse_alg(
    ctx: &Ctx,
    argv: &[Bytes],
    numkeys_idx: usize,
    op: Op,
    store: bool,
    card: bool,
) -> Result<AlgArgs, CmdError> {
    let setnum = get_i64(&argv[numkeys_idx], None)?;
    if setnum < 1 {
        return Err(CmdError::from(format!(
            "ERR at least 1 input key is needed for '{}' command",
            ctx.srv.commands.fullname(ctx.cmd.id)
        )));
    }
    let setnum = setnum as usize;
    if setnum > argv.len() - (numkeys_idx + 1) {
        return Err(err::SYNTAX.into());
    }
    let mut a = AlgArgs {
        keys: numkeys_idx + 1..numkeys_idx + 1 + setnum,
        weights: vec![1.0; setnum],
        aggr: Aggr::Sum,
        withscores: false,
        limit: 0,
    };
    let mut j = numkeys_idx + 1 + setnum;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let o = &argv[j];
        if op != Op::Diff && !card && remaining > setnum && o.eq_ignore_ascii_case(b"weights") {
            j += 1;
            for i in 0..setnum {
                a.weights[i] = get_double(&argv[j], Some("ERR weight value is not a float"))?;
                j += 1;
            }
        } else if op != Op::Diff && !card && remaining >= 2 && o.eq_ignore_ascii_case(b"aggregate")
        {
            let v = &argv[j + 1];
            a.aggr = if v.eq_ignore_ascii_case(b"sum") {
                Aggr::Sum
            } else if v.eq_ignore_ascii_case(b"min") {
                Aggr::Min
            } else if v.eq_ignore_ascii_case(b"max") {
                Aggr::Max
            } else {
                return Err(err::SYNTAX.into());
            };
            j += 2;
        } else if !store && !card && o.eq_ignore_ascii_case(b"withscores") {
            a.withscores = true;
            j += 1;
        } else if card && remaining >= 2 && o.eq_ignore_ascii_case(b"limit") {
            a.limit = get_positive(&argv[j + 1], Some("ERR LIMIT can't be negative"))? as usize;
            j += 2;
        } else {
            return Err(err::SYNTAX.into());
        }
    }
    Ok(a)
}

/// Compute the result of an algebra command into a skiplist-ordered list
/// of (member, score) pairs (or just the cardinality).
fn algebra(
    ctx: &mut Ctx,
    argv: &[Bytes],
    a: &AlgArgs,
    op: Op,
    card: bool,
) -> Result<(Scored, usize), CmdError> {
    let keys = &argv[a.keys.clone()];
    for k in keys {
        match ctx.lookup_read(k) {
            None | Some(Value::ZSet(_)) | Some(Value::Set(_)) => {}
            Some(_) => return Err(err::WRONGTYPE.into()),
        }
    }
    let db = &ctx.srv.dbs[ctx.client.db];
    let mut srcs: Vec<(Src<'_>, f64, &[u8])> = keys
        .iter()
        .zip(&a.weights)
        .map(|(k, &w)| {
            let s = match db.dict.get(k) {
                Some(Value::ZSet(z)) => Src::Z(z),
                Some(Value::Set(s)) => Src::S(s),
                _ => Src::Missing,
            };
            (s, w, &k[..])
        })
        .collect();
    if op != Op::Diff {
        srcs.sort_by_key(|(s, _, _)| s.len());
    }
    let mut out: Vec<(Vec<u8>, f64)> = Vec::new();
    let mut cardinality = 0usize;
    match op {
        Op::Inter => {
            if srcs[0].0.len() > 0 {
                let (first, w0, k0) = (&srcs[0].0, srcs[0].1, srcs[0].2);
                let mut stop = false;
                first.for_each(|m, s0| {
                    if stop {
                        return;
                    }
                    let mut score = w0 * s0;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    for (src, w, k) in &srcs[1..] {
                        let v = if *k == k0 { Some(s0) } else { src.score(m) };
                        match v {
                            Some(v) => aggregate(&mut score, v * w, a.aggr),
                            None => return,
                        }
                    }
                    if card {
                        cardinality += 1;
                        if a.limit > 0 && cardinality >= a.limit {
                            stop = true;
                        }
                    } else {
                        out.push((m.to_vec(), score));
                    }
                });
            }
        }
        Op::Union => {
            let mut acc: hashbrown::HashMap<Vec<u8>, f64> = hashbrown::HashMap::new();
            let mut order: Vec<Vec<u8>> = Vec::new();
            for (src, w, _) in &srcs {
                src.for_each(|m, s| {
                    let mut score = w * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    match acc.get_mut(m) {
                        Some(cur) => aggregate(cur, score, a.aggr),
                        None => {
                            acc.insert(m.to_vec(), score);
                            order.push(m.to_vec());
                        }
                    }
                });
            }
            for m in order {
                let s = acc[&m];
                out.push((m, s));
            }
        }
        Op::Diff => {
            let (first, k0) = (&srcs[0].0, srcs[0].2);
            if !srcs[1..].iter().any(|(_, _, k)| *k == k0) {
                first.for_each(|m, s| {
                    if !srcs[1..].iter().any(|(src, _, _)| src.score(m).is_some()) {
                        out.push((m.to_vec(), s));
                    }
                });
            }
        }
    }
    // Results come out in (score, member) order, as a skiplist gives them.
    out.sort_by(|x, y| match x.1.partial_cmp(&y.1) {
        Some(std::cmp::Ordering::Equal) | None => x.0.cmp(&y.0),
        Some(o) => o,
    });
    Ok((out, cardinality))
}

fn alg_reply(ctx: &mut Ctx, argv: &[Bytes], op: Op) -> CmdResult {
    let a = parse_alg(ctx, argv, 1, op, false, false)?;
    let (out, _) = algebra(ctx, argv, &a, op, false)?;
    let r = ctx.reply();
    header(r, out.len(), a.withscores);
    for (m, s) in &out {
        emit(r, LpEntry::Str(m), *s, a.withscores);
    }
    Ok(())
}

fn alg_store(ctx: &mut Ctx, argv: &[Bytes], op: Op) -> CmdResult {
    let a = parse_alg(ctx, argv, 2, op, true, false)?;
    let (out, _) = algebra(ctx, argv, &a, op, false)?;
    let lim = limits(ctx);
    let dst = &argv[1];
    if out.is_empty() {
        if ctx.db().remove(dst).is_some() {
            ctx.dirty(1);
            ctx.notify(notify::GENERIC, "del", dst);
        }
        ctx.reply().int(0);
        return Ok(());
    }
    let mut z = ZSetValue::SkipList(Box::default());
    for (m, s) in &out {
        z.insert(m, *s, &lim);
    }
    z.shrink_encoding(&lim);
    let n = z.len();
    ctx.db().set(dst, Value::ZSet(Box::new(z)), false);
    signal_ready(ctx, dst);
    ctx.dirty(1);
    let event = match op {
        Op::Union => "zunionstore",
        Op::Inter => "zinterstore",
        Op::Diff => "zdiffstore",
    };
    ctx.notify(notify::ZSET, event, dst);
    ctx.reply().int(n as i64);
    Ok(())
}

fn zunion(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    alg_reply(ctx, argv, Op::Union)
}

fn zinter(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    alg_reply(ctx, argv, Op::Inter)
}

fn zdiff(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    alg_reply(ctx, argv, Op::Diff)
}

fn zunionstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    alg_store(ctx, argv, Op::Union)
}

fn zinterstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    alg_store(ctx, argv, Op::Inter)
}

fn zdiffstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    alg_store(ctx, argv, Op::Diff)
}

fn zintercard(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = parse_alg(ctx, argv, 1, Op::Inter, false, true)?;
    let (_, n) = algebra(ctx, argv, &a, Op::Inter, true)?;
    ctx.reply().int(n as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_parsing() {
        let r = parse_score_range(b"(1", b"+inf").unwrap();
        assert!(r.minex && !r.maxex && r.min == 1.0 && r.max == f64::INFINITY);
        assert!(parse_score_range(b"x", b"1").is_err());
        assert!(parse_score_range(b"1", b"nan").is_err());
        let r = parse_score_range(b"(", b" 5").unwrap();
        assert!(r.minex && r.min == 0.0 && r.max == 5.0);
        assert!(parse_lex_range(b"[a", b"(b").is_ok());
        assert!(parse_lex_range(b"a", b"(b").is_err());
        assert!(parse_lex_range(b"-x", b"+").is_err());
        assert!(parse_lex_range(b"", b"+").is_err());
    }
}
