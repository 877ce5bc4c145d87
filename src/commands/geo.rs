//! GEO commands: positions stored as sorted-set members whose score is the
//! 52-bit geohash (see [`crate::types::geohash`]).
//!
//! GEOADD is ZADD with computed scores (and is propagated as that ZADD);
//! searches scan the nine geohash cells around the center and filter by
//! exact distance, like Valkey, so results and their order (when not
//! sorted) match.

use super::collection::{get_double, get_i64};
use crate::protocol::Reply;
use crate::server::{err, notify, CmdError, CmdResult, CommandTable, Ctx};
use crate::types::geohash::{self, Search, Shape};
use crate::types::skiplist::ScoreRange;
use crate::types::zset::{ZSetLimits, ZSetValue};
use crate::types::Value;
use crate::util::long_double::LongDouble;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("geoadd", geoadd);
    t.add("geodist", geodist);
    t.add("geohash", geohash_cmd);
    t.add("geopos", geopos);
    t.add("georadius", georadius);
    t.add("georadius_ro", georadius_ro);
    t.add("georadiusbymember", georadiusbymember);
    t.add("georadiusbymember_ro", georadiusbymember_ro);
    t.add("geosearch", geosearch);
    t.add("geosearchstore", geosearchstore);
}

/// Valkey's `extractLongLatOrReply`.
fn long_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), CmdError> {
    let x = get_double(lon, None)?;
    let y = get_double(lat, None)?;
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&x)
        || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&y)
    {
        return Err(format!("ERR invalid longitude,latitude pair {x:.6},{y:.6}").into());
    }
    Ok((x, y))
}

fn unit(u: &[u8]) -> Result<f64, CmdError> {
    if u.eq_ignore_ascii_case(b"m") {
        Ok(1.0)
    } else if u.eq_ignore_ascii_case(b"km") {
        Ok(1000.0)
    } else if u.eq_ignore_ascii_case(b"ft") {
        Ok(0.3048)
    } else if u.eq_ignore_ascii_case(b"mi") {
        Ok(1609.34)
    } else {
        Err("ERR unsupported unit provided. please use M, KM, FT, MI".into())
    }
}

/// `%.4f`, the distance format.
fn reply_distance(r: &mut Reply, d: f64) {
    r.bulk(format!("{d:.4}").as_bytes());
}

/// A coordinate as `%.17Lf` with trailing zeros trimmed (RESP3: a double).
fn reply_coord(r: &mut Reply, v: f64) {
    let s = LongDouble::from_f64(v).to_human();
    if r.resp3 {
        r.raw(b",");
        r.raw(s.as_bytes());
        r.raw(b"\r\n");
    } else {
        r.bulk(s.as_bytes());
    }
}

fn geoadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut idx = 2;
    let (mut nx, mut xx) = (false, false);
    while idx < argv.len() {
        let o = &argv[idx];
        if o.eq_ignore_ascii_case(b"nx") {
            nx = true;
        } else if o.eq_ignore_ascii_case(b"xx") {
            xx = true;
        } else if !o.eq_ignore_ascii_case(b"ch") {
            break;
        }
        idx += 1;
    }
    if !(argv.len() - idx).is_multiple_of(3) || (nx && xx) {
        return Err(err::SYNTAX.into());
    }
    let mut zargs: Vec<Bytes> = Vec::with_capacity(idx + (argv.len() - idx) / 3 * 2);
    zargs.push(Bytes::from_static(b"ZADD"));
    zargs.extend(argv[1..idx].iter().cloned());
    for t in argv[idx..].chunks(3) {
        let (lon, lat) = long_lat(&t[0], &t[1])?;
        let score = geohash::score_of(lon, lat).unwrap_or(0);
        zargs.push(Bytes::from(score.to_string()));
        zargs.push(t[2].clone());
    }
    super::zset::zadd_args(ctx, &zargs)?;
    ctx.propagate_as(zargs);
    Ok(())
}

fn zset_read(v: Option<&Value>) -> Result<Option<&ZSetValue>, CmdError> {
    match v {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(err::WRONGTYPE.into()),
    }
}

fn geodist(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let to_meter = match argv.len() {
        5 => unit(&argv[4])?,
        n if n > 5 => return Err(err::SYNTAX.into()),
        _ => 1.0,
    };
    let (v, r) = ctx.read_key(&argv[1]);
    let Some(z) = zset_read(v)? else {
        r.null();
        return Ok(());
    };
    let (Some(s1), Some(s2)) = (z.score(&argv[2]), z.score(&argv[3])) else {
        r.null();
        return Ok(());
    };
    match (geohash::decode_score(s1), geohash::decode_score(s2)) {
        (Some((x1, y1)), Some((x2, y2))) => {
            reply_distance(r, geohash::distance(x1, y1, x2, y2) / to_meter)
        }
        _ => r.null(),
    }
    Ok(())
}

fn geohash_cmd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (v, r) = ctx.read_key(&argv[1]);
    let z = zset_read(v)?;
    r.array(argv.len() - 2);
    for m in &argv[2..] {
        match z.and_then(|z| z.score(m)).and_then(geohash::geohash_string) {
            Some(s) => r.bulk(s.as_bytes()),
            None => r.null(),
        }
    }
    Ok(())
}

fn geopos(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (v, r) = ctx.read_key(&argv[1]);
    let z = zset_read(v)?;
    r.array(argv.len() - 2);
    for m in &argv[2..] {
        match z.and_then(|z| z.score(m)).and_then(geohash::decode_score) {
            Some((lon, lat)) => {
                r.array(2);
                reply_coord(r, lon);
                reply_coord(r, lat);
            }
            None => r.null_array(),
        }
    }
    Ok(())
}

const COORDS: u8 = 1;
const MEMBER: u8 = 2;
const NOSTORE: u8 = 4;
const SEARCH: u8 = 8;
const SEARCHSTORE: u8 = 16;

fn georadius(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    radius_generic(ctx, argv, 1, COORDS)
}

fn georadius_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    radius_generic(ctx, argv, 1, COORDS | NOSTORE)
}

fn georadiusbymember(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    radius_generic(ctx, argv, 1, MEMBER)
}

fn georadiusbymember_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    radius_generic(ctx, argv, 1, MEMBER | NOSTORE)
}

fn geosearch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    radius_generic(ctx, argv, 1, SEARCH)
}

fn geosearchstore(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    radius_generic(ctx, argv, 2, SEARCH | SEARCHSTORE)
}

fn distance_arg(r: &[u8], u: &[u8]) -> Result<(f64, f64), CmdError> {
    let d = get_double(r, Some("ERR need numeric radius"))?;
    if d < 0.0 {
        return Err("ERR radius cannot be negative".into());
    }
    Ok((d, unit(u)?))
}

fn member_pos(z: &ZSetValue, m: &[u8]) -> Result<(f64, f64), CmdError> {
    z.score(m)
        .and_then(geohash::decode_score)
        .ok_or_else(|| CmdError::from("ERR could not decode requested zset member"))
}

struct Point {
    member: Vec<u8>,
    score: f64,
    lon: f64,
    lat: f64,
    dist: f64,
}

/// Collect the members inside `search`, scanning the nine cells; with
/// `limit` > 0 stop once that many were found (ANY).
fn collect(z: &ZSetValue, search: &Search, limit: usize) -> Vec<Point> {
    let cells = search.cells();
    let mut out: Vec<Point> = Vec::new();
    let mut last_processed = 0usize;
    for (i, cell) in cells.iter().enumerate() {
        if geohash::is_zero(cell) {
            continue;
        }
        // Valkey skips a cell equal to the previously processed one (its
        // bookkeeping never compares against cell 0).
        if last_processed != 0
            && cell.bits == cells[last_processed].bits
            && cell.step == cells[last_processed].step
        {
            continue;
        }
        if !out.is_empty() && limit > 0 && out.len() >= limit {
            break;
        }
        let (min, max) = geohash::cell_scores(*cell);
        let range = ScoreRange {
            min,
            max,
            minex: false,
            maxex: true,
        };
        let mut p = z.first_in_score(&range);
        while let Some(pos) = p {
            let (m, score) = z.get(pos);
            if !range.lte_max(score) {
                break;
            }
            if let Some((lon, lat)) = geohash::decode_score(score) {
                if let Some(dist) = search.contains(lon, lat) {
                    out.push(Point {
                        member: m.to_vec(),
                        score,
                        lon,
                        lat,
                        dist,
                    });
                }
            }
            if !out.is_empty() && limit > 0 && out.len() >= limit {
                break;
            }
            p = z.next(pos);
        }
        last_processed = i;
    }
    out
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum Sort {
    None,
    Asc,
    Desc,
}

fn radius_generic(ctx: &mut Ctx, argv: &[Bytes], src_idx: usize, flags: u8) -> CmdResult {
    let key = &argv[src_idx];
    // Look the source up first: a wrong type fails before any parsing.
    let exists = match ctx.lookup_read(key) {
        None => false,
        Some(Value::ZSet(_)) => true,
        Some(_) => return Err(err::WRONGTYPE.into()),
    };
    let db = ctx.client.db;
    let mut storekey: Option<Bytes> = None;
    let mut storedist = false;
    let mut center: Option<(f64, f64)> = None;
    let mut shape: Option<(Shape, f64)> = None;
    let base;
    if flags & COORDS != 0 {
        base = 6;
        center = Some(long_lat(&argv[2], &argv[3])?);
        let (rad, conv) = distance_arg(&argv[4], &argv[5])?;
        shape = Some((Shape::Circle { radius: rad }, conv));
    } else if flags & MEMBER != 0 {
        base = 5;
        if exists {
            if let Some(Value::ZSet(z)) = ctx.srv.dbs[db].dict.get(&key[..]) {
                center = Some(member_pos(z, &argv[2])?);
            }
            let (rad, conv) = distance_arg(&argv[3], &argv[4])?;
            shape = Some((Shape::Circle { radius: rad }, conv));
        }
    } else {
        base = if flags & SEARCHSTORE != 0 {
            storekey = Some(argv[1].clone());
            3
        } else {
            2
        };
    }
    let (mut withdist, mut withhash, mut withcoords) = (false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut any = false;
    let mut count: i64 = 0;
    let search = flags & SEARCH != 0;
    let mut i = base;
    while i < argv.len() {
        let a = &argv[i];
        let remaining = argv.len() - i;
        if a.eq_ignore_ascii_case(b"withdist") {
            withdist = true;
        } else if a.eq_ignore_ascii_case(b"withhash") {
            withhash = true;
        } else if a.eq_ignore_ascii_case(b"withcoord") {
            withcoords = true;
        } else if a.eq_ignore_ascii_case(b"any") {
            any = true;
        } else if a.eq_ignore_ascii_case(b"asc") {
            sort = Sort::Asc;
        } else if a.eq_ignore_ascii_case(b"desc") {
            sort = Sort::Desc;
        } else if a.eq_ignore_ascii_case(b"count") && remaining > 1 {
            count = get_i64(&argv[i + 1], None)?;
            if count <= 0 {
                return Err("ERR COUNT must be > 0".into());
            }
            i += 1;
        } else if (a.eq_ignore_ascii_case(b"store") || a.eq_ignore_ascii_case(b"storedist"))
            && remaining > 1
            && flags & NOSTORE == 0
            && !search
        {
            storekey = Some(argv[i + 1].clone());
            storedist = a.eq_ignore_ascii_case(b"storedist");
            i += 1;
        } else if a.eq_ignore_ascii_case(b"storedist") && search && flags & SEARCHSTORE != 0 {
            storedist = true;
        } else if a.eq_ignore_ascii_case(b"frommember") && remaining > 1 && search && !fromloc {
            if exists {
                if let Some(Value::ZSet(z)) = ctx.srv.dbs[db].dict.get(&key[..]) {
                    center = Some(member_pos(z, &argv[i + 1])?);
                }
            }
            frommember = true;
            i += 1;
        } else if a.eq_ignore_ascii_case(b"fromlonlat") && remaining > 2 && search && !frommember {
            center = Some(long_lat(&argv[i + 1], &argv[i + 2])?);
            fromloc = true;
            i += 2;
        } else if a.eq_ignore_ascii_case(b"byradius") && remaining > 2 && search && !bybox {
            let (rad, conv) = distance_arg(&argv[i + 1], &argv[i + 2])?;
            shape = Some((Shape::Circle { radius: rad }, conv));
            byradius = true;
            i += 2;
        } else if a.eq_ignore_ascii_case(b"bybox") && remaining > 3 && search && !byradius {
            let w = get_double(&argv[i + 1], Some("ERR need numeric width"))?;
            let h = get_double(&argv[i + 2], Some("ERR need numeric height"))?;
            if h < 0.0 || w < 0.0 {
                return Err("ERR height or width cannot be negative".into());
            }
            let conv = unit(&argv[i + 3])?;
            shape = Some((
                Shape::Box {
                    width: w,
                    height: h,
                },
                conv,
            ));
            bybox = true;
            i += 3;
        } else {
            return Err(err::SYNTAX.into());
        }
        i += 1;
    }
    if storekey.is_some() && (withdist || withhash || withcoords) {
        return Err(CmdError::from(format!(
            "ERR {} is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
            if flags & SEARCHSTORE != 0 {
                "GEOSEARCHSTORE"
            } else {
                "STORE option in GEORADIUS"
            }
        )));
    }
    let name = String::from_utf8_lossy(&argv[0]).into_owned();
    if search && !(frommember || fromloc) {
        return Err(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        )
        .into());
    }
    if search && !(byradius || bybox) {
        return Err(
            format!("ERR exactly one of BYRADIUS and BYBOX can be specified for {name}").into(),
        );
    }
    if any && count == 0 {
        return Err("ERR the ANY argument requires COUNT argument".into());
    }
    if !exists {
        match &storekey {
            Some(dst) => {
                if ctx.db().remove(dst).is_some() {
                    ctx.dirty(1);
                    ctx.notify(notify::GENERIC, "del", dst);
                }
                ctx.reply().int(0);
            }
            None => ctx.reply().empty_array(),
        }
        return Ok(());
    }
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let (Some((lon, lat)), Some((shape, conversion))) = (center, shape) else {
        return Err(err::SYNTAX.into());
    };
    let s = Search {
        lon,
        lat,
        shape,
        conversion,
    };
    let mut points = match ctx.srv.dbs[db].dict.get(&key[..]) {
        Some(Value::ZSet(z)) => collect(z, &s, if any { count as usize } else { 0 }),
        _ => Vec::new(),
    };
    if points.is_empty() && storekey.is_none() {
        ctx.reply().empty_array();
        return Ok(());
    }
    match sort {
        Sort::Asc => points.sort_by(|a, b| {
            a.dist
                .partial_cmp(&b.dist)
                .unwrap_or(std::cmp::Ordering::Equal)
        }),
        Sort::Desc => points.sort_by(|a, b| {
            b.dist
                .partial_cmp(&a.dist)
                .unwrap_or(std::cmp::Ordering::Equal)
        }),
        Sort::None => {}
    }
    let returned = if count == 0 {
        points.len()
    } else {
        points.len().min(count as usize)
    };
    points.truncate(returned);
    for p in &mut points {
        p.dist /= conversion;
    }
    match storekey {
        None => {
            let opts = withdist as usize + withhash as usize + withcoords as usize;
            let r = ctx.reply();
            r.array(returned);
            for p in &points {
                if opts > 0 {
                    r.array(opts + 1);
                }
                r.bulk(&p.member);
                if withdist {
                    reply_distance(r, p.dist);
                }
                if withhash {
                    r.int(p.score as i64);
                }
                if withcoords {
                    r.array(2);
                    reply_coord(r, p.lon);
                    reply_coord(r, p.lat);
                }
            }
        }
        Some(dst) => {
            if returned > 0 {
                let lim = ZSetLimits::from_config(&ctx.srv.config);
                let mut z = ZSetValue::SkipList(Box::default());
                for p in &points {
                    z.insert(&p.member, if storedist { p.dist } else { p.score }, &lim);
                }
                z.shrink_encoding(&lim);
                ctx.db().set(&dst, Value::ZSet(Box::new(z)), false);
                ctx.srv.signal_key_ready(db, &dst);
                ctx.dirty(returned as u64);
                let event = if search {
                    "geosearchstore"
                } else {
                    "georadiusstore"
                };
                ctx.notify(notify::ZSET, event, &dst);
            } else if ctx.db().remove(&dst).is_some() {
                ctx.dirty(1);
                ctx.notify(notify::GENERIC, "del", &dst);
            }
            ctx.reply().int(returned as i64);
        }
    }
    Ok(())
}
