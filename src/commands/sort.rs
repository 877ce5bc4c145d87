//! SORT and SORT_RO: sort a list, set or sorted set numerically or
//! lexicographically, optionally by external keys (`BY weight_*`, hash
//! fields with `->`), fetching other keys (`GET`), with LIMIT, and STORE
//! into a list.
//!
//! Follows Valkey's sort.c: `BY` a pattern without `*` means "don't sort"
//! (native order, except that sets are sorted ALPHA when the result is
//! stored, to keep replication deterministic), equal numeric scores fall
//! back to comparing the elements, and scores that are not numbers are an
//! error.

use super::collection::{get_i64, parse_strtod};
use crate::server::{err, notify, CmdResult, CommandTable, Ctx};
use crate::types::list::{End, ListValue};
use crate::types::Value;
use bytes::Bytes;
use std::cmp::Ordering;

pub fn register(t: &mut CommandTable) {
    t.add("sort", sort);
    t.add("sort_ro", sort_ro);
}

fn sort(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, false)
}

fn sort_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    sort_generic(ctx, argv, true)
}

/// Valkey's `lookupKeyByPattern`: `#` is the element itself; otherwise
/// the first `*` is replaced by the element and the key (a string, or a
/// hash field after `->`) is read.
fn lookup_by_pattern(ctx: &mut Ctx, pattern: &[u8], subst: &[u8]) -> Option<Vec<u8>> {
    if pattern == b"#" {
        return Some(subst.to_vec());
    }
    let star = pattern.iter().position(|&c| c == b'*')?;
    let after = &pattern[star + 1..];
    let arrow = after.windows(2).position(|w| w == b"->");
    let (post, field) = match arrow {
        Some(a) if a + 2 < after.len() => (&after[..a], Some(&after[a + 2..])),
        _ => (after, None),
    };
    let mut key = Vec::with_capacity(pattern.len() + subst.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(subst);
    key.extend_from_slice(post);
    let now = ctx.now_ms();
    match (ctx.lookup_read(&key), field) {
        (Some(Value::Str(s)), None) => Some(s.to_vec()),
        (Some(Value::Hash(h)), Some(f)) => h.get_at(f, now).map(|v| v.to_vec()),
        _ => None,
    }
}

struct Item {
    obj: Vec<u8>,
    score: f64,
    cmp: Option<Vec<u8>>,
}

fn sort_generic(ctx: &mut Ctx, argv: &[Bytes], readonly: bool) -> CmdResult {
    let mut desc = false;
    let mut alpha = false;
    let mut limit_start: i64 = 0;
    let mut limit_count: i64 = -1;
    let mut dontsort = false;
    let mut sortby: Option<Bytes> = None;
    let mut storekey: Option<Bytes> = None;
    let mut gets: Vec<Bytes> = Vec::new();
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if a.eq_ignore_ascii_case(b"asc") {
            desc = false;
        } else if a.eq_ignore_ascii_case(b"desc") {
            desc = true;
        } else if a.eq_ignore_ascii_case(b"alpha") {
            alpha = true;
        } else if a.eq_ignore_ascii_case(b"limit") && left >= 2 {
            limit_start = get_i64(&argv[j + 1], None)?;
            limit_count = get_i64(&argv[j + 2], None)?;
            j += 2;
        } else if !readonly && a.eq_ignore_ascii_case(b"store") && left >= 1 {
            storekey = Some(argv[j + 1].clone());
            j += 1;
        } else if a.eq_ignore_ascii_case(b"by") && left >= 1 {
            let p = argv[j + 1].clone();
            if !p.contains(&b'*') {
                dontsort = true;
            }
            sortby = Some(p);
            j += 1;
        } else if a.eq_ignore_ascii_case(b"get") && left >= 1 {
            gets.push(argv[j + 1].clone());
            j += 1;
        } else {
            return Err(err::SYNTAX.into());
        }
        j += 1;
    }

    // The elements, in native order.
    #[derive(PartialEq)]
    enum Kind {
        List,
        Set,
        ZSet,
    }
    let key = &argv[1];
    let (kind, all): (Kind, Vec<Vec<u8>>) = match ctx.lookup_read(key) {
        None => (Kind::List, Vec::new()),
        Some(Value::List(l)) => (Kind::List, l.iter().map(|e| e.to_vec()).collect()),
        Some(Value::Set(s)) => (Kind::Set, s.iter().map(|m| m.to_vec()).collect()),
        Some(Value::ZSet(z)) => (Kind::ZSet, z.to_vec().into_iter().map(|(m, _)| m).collect()),
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    if dontsort && kind == Kind::Set && storekey.is_some() {
        dontsort = false;
        alpha = true;
        sortby = None;
    }
    let vectorlen = all.len() as i64;
    let start = limit_start.max(0).min(vectorlen);
    let limit_count = limit_count.max(-1).min(vectorlen);
    let mut end = if limit_count < 0 {
        vectorlen
    } else {
        start + limit_count
    };
    if end > vectorlen {
        end = vectorlen;
    }
    let (start, end) = (start as usize, end as usize);

    let mut items: Vec<Item>;
    let (out_start, out_end);
    if dontsort && kind != Kind::Set {
        // Native order, DESC reverses, LIMIT applied directly.
        let n = end.saturating_sub(start);
        let picked: Vec<Vec<u8>> = if desc {
            all.into_iter().rev().skip(start).take(n).collect()
        } else {
            all.into_iter().skip(start).take(n).collect()
        };
        items = picked
            .into_iter()
            .map(|obj| Item {
                obj,
                score: 0.0,
                cmp: None,
            })
            .collect();
        out_start = 0;
        out_end = items.len();
    } else {
        items = all
            .into_iter()
            .map(|obj| Item {
                obj,
                score: 0.0,
                cmp: None,
            })
            .collect();
        out_start = start;
        out_end = end;
    }

    if !dontsort {
        let mut conversion_error = false;
        for it in &mut items {
            let byval = match &sortby {
                Some(p) => match lookup_by_pattern(ctx, p, &it.obj) {
                    Some(v) => v,
                    None => continue,
                },
                None => it.obj.clone(),
            };
            if alpha {
                if sortby.is_some() {
                    it.cmp = Some(byval);
                }
            } else {
                match parse_strtod(&byval) {
                    Some(v) if v.is_finite() || is_inf_literal(&byval) => it.score = v,
                    _ => conversion_error = true,
                }
            }
        }
        if conversion_error {
            return Err("ERR One or more scores can't be converted into double".into());
        }
        let by_pattern = sortby.is_some();
        items.sort_by(|a, b| {
            let c = if !alpha {
                match a.score.partial_cmp(&b.score) {
                    Some(Ordering::Equal) | None => a.obj.cmp(&b.obj),
                    Some(o) => o,
                }
            } else if by_pattern {
                match (&a.cmp, &b.cmp) {
                    (None, None) => Ordering::Equal,
                    (None, _) => Ordering::Less,
                    (_, None) => Ordering::Greater,
                    (Some(x), Some(y)) => x.cmp(y),
                }
            } else {
                a.obj.cmp(&b.obj)
            };
            if desc {
                c.reverse()
            } else {
                c
            }
        });
    }

    let selected = &items[out_start.min(items.len())..out_end.min(items.len())];
    let outputlen = if gets.is_empty() {
        selected.len()
    } else {
        gets.len() * selected.len()
    };
    // Resolve GETs first (they read other keys).
    let mut rows: Vec<Option<Vec<u8>>> = Vec::with_capacity(outputlen);
    for it in selected {
        if gets.is_empty() {
            rows.push(Some(it.obj.clone()));
        } else {
            for g in &gets {
                rows.push(lookup_by_pattern(ctx, g, &it.obj));
            }
        }
    }
    match storekey {
        None => {
            let r = ctx.reply();
            r.array(rows.len());
            for v in &rows {
                match v {
                    Some(x) => r.bulk(x),
                    None => r.null(),
                }
            }
        }
        Some(dst) => {
            if outputlen > 0 {
                let fill = ctx.srv.config.list_max_listpack_size() as i64;
                let mut l = ListValue::new_quicklist(fill);
                for v in &rows {
                    l.push(v.as_deref().unwrap_or(b""), End::Tail);
                }
                l.try_auto(fill);
                ctx.db().set(&dst, Value::List(Box::new(l)), false);
                let db = ctx.client.db;
                ctx.srv.signal_key_ready(db, &dst);
                ctx.dirty(outputlen as u64);
                ctx.notify(notify::LIST, "sortstore", &dst);
            } else if ctx.db().remove(&dst).is_some() {
                ctx.dirty(1);
                ctx.notify(notify::GENERIC, "del", &dst);
            }
            ctx.reply().int(outputlen as i64);
        }
    }
    Ok(())
}

fn is_inf_literal(b: &[u8]) -> bool {
    let l = b.trim_ascii_start().to_ascii_lowercase();
    let l = l
        .strip_prefix(b"-")
        .or_else(|| l.strip_prefix(b"+"))
        .unwrap_or(&l);
    l == b"inf" || l == b"infinity"
}
