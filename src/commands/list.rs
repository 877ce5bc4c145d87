//! List commands, including the blocking pops (BLPOP, BRPOP, BRPOPLPUSH,
//! BLMOVE, BLMPOP).
//!
//! A blocking command first tries to serve itself like its non-blocking
//! twin; if every key is empty it blocks the client (or answers the timeout
//! reply at once inside MULTI/scripts). When a key is signalled the whole
//! command runs again, so the serving path is the same code. What is served
//! is propagated as the non-blocking equivalent (LPOP, RPOP, LMOVE, ...).

use super::collection::{
    bulk_entry, get_i64, get_positive, get_range, parse_left_right, parse_timeout,
};
use crate::server::{err, notify, CmdError, CmdResult, CommandTable, Ctx};
use crate::types::list::{End, ListValue};
use crate::types::Value;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("lpush", lpush);
    t.add("rpush", rpush);
    t.add("lpushx", lpushx);
    t.add("rpushx", rpushx);
    t.add("linsert", linsert);
    t.add("llen", llen);
    t.add("lindex", lindex);
    t.add("lset", lset);
    t.add("lrange", lrange);
    t.add("ltrim", ltrim);
    t.add("lpos", lpos);
    t.add("lrem", lrem);
    t.add("lpop", lpop);
    t.add("rpop", rpop);
    t.add("rpoplpush", rpoplpush);
    t.add("lmove", lmove);
    t.add("lmpop", lmpop);
    t.add("blpop", blpop);
    t.add("brpop", brpop);
    t.add("brpoplpush", brpoplpush);
    t.add("blmove", blmove);
    t.add("blmpop", blmpop);
}

fn fill(ctx: &Ctx) -> i64 {
    ctx.srv.config.list_max_listpack_size() as i64
}

/// The list at `key` for writing (WRONGTYPE for other types).
fn list_mut<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<&'a mut ListValue>, CmdError> {
    match ctx.lookup_write(key) {
        None => Ok(None),
        Some(Value::List(l)) => Ok(Some(l)),
        Some(_) => Err(err::WRONGTYPE.into()),
    }
}

/// The list at `key`, created empty if missing.
fn list_mut_or_create<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<&'a mut ListValue, CmdError> {
    if list_mut(ctx, key)?.is_none() {
        ctx.db().add(key, Value::List(Box::default()));
    }
    match ctx.db().dict.get_mut(key) {
        Some(Value::List(l)) => Ok(l),
        _ => Err(err::WRONGTYPE.into()),
    }
}

/// After elements were removed: report `event`, then delete an empty list
/// (reporting `del`), or let a quicklist shrink back to a listpack.
fn after_removal(ctx: &mut Ctx, key: &[u8], event: &str) {
    let fill = fill(ctx);
    let db = ctx.db();
    let empty = match db.dict.get_mut(key) {
        Some(Value::List(l)) => {
            if l.is_empty() {
                true
            } else {
                l.try_shrink(fill);
                false
            }
        }
        _ => false,
    };
    ctx.notify(notify::LIST, event, key);
    if empty {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
}

fn pop_event(end: End) -> &'static str {
    match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    }
}

fn push_event(end: End) -> &'static str {
    match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    }
}

fn signal_ready(ctx: &mut Ctx, key: &[u8]) {
    let db = ctx.client.db;
    ctx.srv.signal_key_ready(db, key);
}

fn push_generic(ctx: &mut Ctx, argv: &[Bytes], end: End, only_existing: bool) -> CmdResult {
    let key = &argv[1];
    let fill = fill(ctx);
    let add_bytes: usize = argv[2..].iter().map(|a| a.len()).sum();
    let push_all = |l: &mut ListValue| {
        l.try_grow(fill, add_bytes, argv.len() - 2);
        for ele in &argv[2..] {
            l.push(ele, end);
        }
        l.len()
    };
    // One keyspace lookup when the list exists.
    let len = match ctx.lookup_write(key) {
        Some(Value::List(l)) => push_all(l),
        Some(_) => return Err(err::WRONGTYPE.into()),
        None if only_existing => {
            ctx.reply().int(0);
            return Ok(());
        }
        None => {
            let mut l = ListValue::new();
            let n = push_all(&mut l);
            ctx.db().add(key, Value::List(Box::new(l)));
            n
        }
    };
    ctx.reply().int(len as i64);
    signal_ready(ctx, key);
    ctx.dirty((argv.len() - 2) as u64);
    ctx.notify(notify::LIST, push_event(end), key);
    Ok(())
}

fn lpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Head, false)
}

fn rpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Tail, false)
}

fn lpushx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Head, true)
}

fn rpushx(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    push_generic(ctx, argv, End::Tail, true)
}

fn linsert(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let after = if argv[2].eq_ignore_ascii_case(b"after") {
        true
    } else if argv[2].eq_ignore_ascii_case(b"before") {
        false
    } else {
        return Err(err::SYNTAX.into());
    };
    let fill = fill(ctx);
    let Some(l) = list_mut(ctx, &argv[1])? else {
        ctx.reply().int(0);
        return Ok(());
    };
    l.try_grow(fill, argv[4].len(), 1);
    if !l.insert_at_pivot(&argv[3], &argv[4], after) {
        ctx.reply().int(-1);
        return Ok(());
    }
    let len = l.len();
    ctx.reply().int(len as i64);
    signal_ready(ctx, &argv[1]);
    ctx.dirty(1);
    ctx.notify(notify::LIST, "linsert", &argv[1]);
    Ok(())
}

fn llen(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    match ctx.read_key(&argv[1]) {
        (None, r) => r.int(0),
        (Some(Value::List(l)), r) => r.int(l.len() as i64),
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn lindex(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let index = get_i64(&argv[2], None)?;
    match ctx.read_key(&argv[1]) {
        (None, r) => r.null(),
        (Some(Value::List(l)), r) => match l.index(index) {
            Some(e) => bulk_entry(r, e),
            None => r.null(),
        },
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn lset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let index = get_i64(&argv[2], None)?;
    let fill = fill(ctx);
    let Some(l) = list_mut(ctx, &argv[1])? else {
        return Err(err::NO_SUCH_KEY.into());
    };
    l.try_grow(fill, argv[3].len(), 1);
    if !l.set(index, &argv[3]) {
        return Err(err::OUT_OF_RANGE.into());
    }
    l.try_shrink(fill);
    ctx.reply().ok();
    ctx.dirty(1);
    ctx.notify(notify::LIST, "lset", &argv[1]);
    Ok(())
}

/// Clamp a Valkey start/end pair to `len`; None if the range is empty.
pub fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

fn lrange(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = get_i64(&argv[2], None)?;
    let end = get_i64(&argv[3], None)?;
    match ctx.read_key(&argv[1]) {
        (None, r) => r.empty_array(),
        (Some(Value::List(l)), r) => match clamp_range(start, end, l.len()) {
            None => r.empty_array(),
            Some((s, e)) => {
                r.array(e - s + 1);
                l.range(s, e, false, |x| bulk_entry(r, x));
            }
        },
        (Some(_), _) => return Err(err::WRONGTYPE.into()),
    }
    Ok(())
}

fn ltrim(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let start = get_i64(&argv[2], None)?;
    let end = get_i64(&argv[3], None)?;
    let Some(l) = list_mut(ctx, &argv[1])? else {
        ctx.reply().ok();
        return Ok(());
    };
    let len = l.len();
    let (head, tail) = match clamp_range(start, end, len) {
        None => (len, 0),
        Some((s, e)) => (s, len - e - 1),
    };
    l.trim(head, tail);
    after_removal(ctx, &argv[1], "ltrim");
    ctx.dirty((head + tail) as u64);
    ctx.reply().ok();
    Ok(())
}

fn lpos(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut rank: i64 = 1;
    let mut count: i64 = -1;
    let mut maxlen: i64 = 0;
    let mut j = 3;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let opt = &argv[j];
        if opt.eq_ignore_ascii_case(b"rank") && more > 0 {
            j += 1;
            rank = get_range(&argv[j], -i64::MAX, i64::MAX, None)?;
            if rank == 0 {
                return Err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list".into());
            }
        } else if opt.eq_ignore_ascii_case(b"count") && more > 0 {
            j += 1;
            count = get_positive(&argv[j], Some("ERR COUNT can't be negative"))?;
        } else if opt.eq_ignore_ascii_case(b"maxlen") && more > 0 {
            j += 1;
            maxlen = get_positive(&argv[j], Some("ERR MAXLEN can't be negative"))?;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }
    let from_tail = rank < 0;
    let rank = rank.unsigned_abs() as usize;
    let ele = &argv[2];
    let (v, r) = ctx.read_key(&argv[1]);
    let l = match v {
        None => {
            if count != -1 {
                r.empty_array();
            } else {
                r.null();
            }
            return Ok(());
        }
        Some(Value::List(l)) => l,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let llen = l.len();
    let mut matches = 0usize;
    let mut found: Vec<i64> = Vec::new();
    let mut first_match: Option<i64> = None;
    let mut visit = |index: usize, e: crate::types::listpack::LpEntry<'_>| -> bool {
        if maxlen != 0 && index >= maxlen as usize {
            return false;
        }
        if e.eq_bytes(ele) {
            matches += 1;
            let pos = if from_tail { llen - index - 1 } else { index } as i64;
            if matches >= rank {
                if count != -1 {
                    found.push(pos);
                    if count != 0 && (matches - rank + 1) as i64 >= count {
                        return false;
                    }
                } else {
                    first_match = Some(pos);
                    return false;
                }
            }
        }
        true
    };
    if from_tail {
        for (i, e) in l.iter_rev().enumerate() {
            if !visit(i, e) {
                break;
            }
        }
    } else {
        for (i, e) in l.iter().enumerate() {
            if !visit(i, e) {
                break;
            }
        }
    }
    if count != -1 {
        r.array(found.len());
        for p in found {
            r.int(p);
        }
    } else {
        match first_match {
            Some(p) => r.int(p),
            None => r.null(),
        }
    }
    Ok(())
}

fn lrem(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let count = get_i64(&argv[2], None)?;
    let Some(l) = list_mut(ctx, &argv[1])? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let removed = l.remove(&argv[3], count);
    if removed > 0 {
        after_removal(ctx, &argv[1], "lrem");
        ctx.dirty(removed as u64);
    }
    ctx.reply().int(removed as i64);
    Ok(())
}

/// Pop up to `n` elements from `key` (one lookup; the list is deleted
/// when emptied, or may turn back into a listpack).
fn pop_n(ctx: &mut Ctx, key: &[u8], end: End, n: usize) -> Result<Vec<Vec<u8>>, CmdError> {
    let fill = fill(ctx);
    let (out, empty) = match ctx.lookup_write(key) {
        Some(Value::List(l)) => {
            let mut out = Vec::with_capacity(n.min(l.len()));
            while out.len() < n {
                match l.pop(end) {
                    Some(v) => out.push(v),
                    None => break,
                }
            }
            let empty = l.is_empty();
            if !empty && !out.is_empty() {
                l.try_shrink(fill);
            }
            (out, empty)
        }
        Some(_) => return Err(err::WRONGTYPE.into()),
        None => (Vec::new(), false),
    };
    if !out.is_empty() {
        ctx.dirty(out.len() as u64);
        ctx.notify(notify::LIST, pop_event(end), key);
    }
    if empty {
        ctx.db().remove(key);
        ctx.notify(notify::GENERIC, "del", key);
    }
    Ok(out)
}

fn pop_generic(ctx: &mut Ctx, argv: &[Bytes], end: End) -> CmdResult {
    if argv.len() > 3 {
        return Err(CmdError::from(format!(
            "ERR wrong number of arguments for '{}' command",
            if end == End::Head { "lpop" } else { "rpop" }
        )));
    }
    let count = match argv.get(2) {
        Some(a) => Some(get_positive(a, None)?),
        None => None,
    };
    let key = &argv[1];
    if count == Some(0) {
        match list_mut(ctx, key)? {
            Some(_) => ctx.reply().empty_array(),
            None => ctx.reply().null_array(),
        }
        return Ok(());
    }
    let v = pop_n(ctx, key, end, count.unwrap_or(1) as usize)?;
    if v.is_empty() {
        match count {
            Some(_) => ctx.reply().null_array(),
            None => ctx.reply().null(),
        }
        return Ok(());
    }
    match count {
        Some(0) => {}
        None => ctx.reply().bulk(&v[0]),
        Some(_) => {
            let r = ctx.reply();
            r.array(v.len());
            for x in &v {
                r.bulk(x);
            }
        }
    }
    Ok(())
}

fn lpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Head)
}

fn rpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    pop_generic(ctx, argv, End::Tail)
}

/// The shared body of LMOVE / RPOPLPUSH and their blocking forms. Returns
/// false when the source is empty (nothing was written).
fn move_generic(
    ctx: &mut Ctx,
    src: &[u8],
    dst: &[u8],
    from: End,
    to: End,
) -> Result<bool, CmdError> {
    let Some(l) = list_mut(ctx, src)? else {
        return Ok(false);
    };
    if l.is_empty() {
        return Ok(false);
    }
    // Type-check the destination before touching the source.
    list_mut(ctx, dst)?;
    let Some(value) = list_mut(ctx, src)?.and_then(|l| l.pop(from)) else {
        return Ok(false);
    };
    let fill = fill(ctx);
    let d = list_mut_or_create(ctx, dst)?;
    d.try_grow(fill, value.len(), 1);
    d.push(&value, to);
    signal_ready(ctx, dst);
    ctx.notify(notify::LIST, push_event(to), dst);
    after_removal(ctx, src, pop_event(from));
    ctx.reply().bulk(&value);
    ctx.dirty(2);
    Ok(true)
}

fn end_name(e: End) -> &'static [u8] {
    match e {
        End::Head => b"LEFT",
        End::Tail => b"RIGHT",
    }
}

fn rpoplpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if !move_generic(ctx, &argv[1], &argv[2], End::Tail, End::Head)? {
        ctx.reply().null();
    }
    Ok(())
}

fn lmove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let from = parse_left_right(&argv[3])?;
    let to = parse_left_right(&argv[4])?;
    if !move_generic(ctx, &argv[1], &argv[2], from, to)? {
        ctx.reply().null();
    }
    Ok(())
}

/// Parsed `numkeys key... LEFT|RIGHT [COUNT n]` (starting at `idx`).
struct MPopArgs {
    keys: std::ops::Range<usize>,
    end: End,
    count: usize,
}

fn parse_mpop(argv: &[Bytes], idx: usize) -> Result<MPopArgs, CmdError> {
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
    let end = parse_left_right(&argv[where_idx])?;
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
        end,
        count: if count == -1 { 1 } else { count as usize },
    })
}

/// Serve an [B]LMPOP from the first non-empty list; false if none.
fn mpop_serve(ctx: &mut Ctx, argv: &[Bytes], a: &MPopArgs) -> Result<bool, CmdError> {
    for i in a.keys.clone() {
        let key = &argv[i];
        let has = match list_mut(ctx, key)? {
            Some(l) => !l.is_empty(),
            None => false,
        };
        if !has {
            continue;
        }
        let v = pop_n(ctx, key, a.end, a.count)?;
        let r = ctx.reply();
        r.array(2);
        r.bulk(key);
        r.array(v.len());
        for x in &v {
            r.bulk(x);
        }
        let cmd: &'static [u8] = if a.end == End::Head { b"LPOP" } else { b"RPOP" };
        ctx.propagate_as(vec![
            Bytes::from_static(cmd),
            key.clone(),
            Bytes::from(itoa::Buffer::new().format(v.len()).to_string()),
        ]);
        return Ok(true);
    }
    Ok(false)
}

fn lmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = parse_mpop(argv, 1)?;
    if !mpop_serve(ctx, argv, &a)? {
        ctx.reply().null_array();
    }
    Ok(())
}

fn blmpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let a = parse_mpop(argv, 2)?;
    let deadline = parse_timeout(&argv[1], ctx.now_ms())?;
    if mpop_serve(ctx, argv, &a)? {
        return Ok(());
    }
    if ctx.cannot_block() {
        ctx.reply().null_array();
        return Ok(());
    }
    let keys: Vec<Bytes> = argv[a.keys].to_vec();
    ctx.block_on_keys(&keys, deadline);
    Ok(())
}

fn bpop_generic(ctx: &mut Ctx, argv: &[Bytes], end: End) -> CmdResult {
    let deadline = parse_timeout(&argv[argv.len() - 1], ctx.now_ms())?;
    let keys = &argv[1..argv.len() - 1];
    for key in keys {
        let has = match list_mut(ctx, key)? {
            Some(l) => !l.is_empty(),
            None => false,
        };
        if !has {
            continue;
        }
        let v = pop_n(ctx, key, end, 1)?;
        let Some(x) = v.first() else {
            continue;
        };
        let r = ctx.reply();
        r.array(2);
        r.bulk(key);
        r.bulk(x);
        let cmd: &'static [u8] = if end == End::Head { b"LPOP" } else { b"RPOP" };
        ctx.propagate_as(vec![Bytes::from_static(cmd), key.clone()]);
        return Ok(());
    }
    if ctx.cannot_block() {
        ctx.reply().null_array();
        return Ok(());
    }
    ctx.block_on_keys(keys, deadline);
    Ok(())
}

fn blpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bpop_generic(ctx, argv, End::Head)
}

fn brpop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bpop_generic(ctx, argv, End::Tail)
}

fn bmove_generic(ctx: &mut Ctx, argv: &[Bytes], from: End, to: End, tmo_idx: usize) -> CmdResult {
    let deadline = parse_timeout(&argv[tmo_idx], ctx.now_ms())?;
    if move_generic(ctx, &argv[1], &argv[2], from, to)? {
        ctx.propagate_as(vec![
            Bytes::from_static(b"LMOVE"),
            argv[1].clone(),
            argv[2].clone(),
            Bytes::from_static(end_name(from)),
            Bytes::from_static(end_name(to)),
        ]);
        return Ok(());
    }
    if ctx.cannot_block() {
        ctx.reply().null();
        return Ok(());
    }
    ctx.block_on_keys(&argv[1..2], deadline);
    Ok(())
}

fn brpoplpush(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let deadline = parse_timeout(&argv[3], ctx.now_ms())?;
    if move_generic(ctx, &argv[1], &argv[2], End::Tail, End::Head)? {
        ctx.propagate_as(vec![
            Bytes::from_static(b"RPOPLPUSH"),
            argv[1].clone(),
            argv[2].clone(),
        ]);
        return Ok(());
    }
    if ctx.cannot_block() {
        ctx.reply().null();
        return Ok(());
    }
    ctx.block_on_keys(&argv[1..2], deadline);
    Ok(())
}

fn blmove(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let from = parse_left_right(&argv[3])?;
    let to = parse_left_right(&argv[4])?;
    bmove_generic(ctx, argv, from, to, 5)
}

#[cfg(test)]
mod tests {
    use super::clamp_range;

    #[test]
    fn ranges() {
        assert_eq!(clamp_range(0, -1, 5), Some((0, 4)));
        assert_eq!(clamp_range(-100, 100, 5), Some((0, 4)));
        assert_eq!(clamp_range(3, 1, 5), None);
        assert_eq!(clamp_range(5, 10, 5), None);
        assert_eq!(clamp_range(-2, -1, 5), Some((3, 4)));
    }
}
