//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
//!
//! The representation lives in [`crate::types::hll`]; this module checks
//! that keys hold valid HyperLogLog strings, keeps the cached cardinality
//! in the header up to date (PFCOUNT writes it back and propagates, as
//! Valkey does) and maps corruption to Valkey's error replies.

use crate::commands::eq_ic;
use crate::commands::string::expect_str;
use crate::server::{notify, CmdError, CmdResult, CommandTable, Ctx};
use crate::types::hll;
use crate::types::{Str, Value};
use bytes::Bytes;
use thin_vec::ThinVec;

pub fn register(t: &mut CommandTable) {
    t.add("pfadd", pfadd);
    t.add("pfcount", pfcount);
    t.add("pfmerge", pfmerge);
    t.add("pfdebug", pfdebug);
    t.add("pfselftest", pfselftest);
}

const NOT_HLL: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPT: &str = "INVALIDOBJ Corrupted HLL object detected";

/// Valkey's `isHLLObjectOrReply`.
fn check_hll(v: &Value) -> Result<(), CmdError> {
    let s = expect_str(v)?;
    match s.as_slice() {
        Some(b) if s.is_sds() && hll::is_hll(b) => Ok(()),
        _ => Err(NOT_HLL.into()),
    }
}

/// The HLL bytes of a value already checked with [`check_hll`], unshared
/// into a raw buffer we can modify (`dbUnshareStringValue`).
fn hll_mut(v: &mut Value) -> &mut ThinVec<u8> {
    #[allow(unreachable_patterns)]
    match v {
        Value::Str(s) => s.make_raw(),
        _ => unreachable!("checked by check_hll"),
    }
}

fn sparse_max(ctx: &Ctx) -> usize {
    ctx.srv.config.hll_sparse_max_bytes()
}

fn pfadd(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let max = sparse_max(ctx);
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let mut updated = 0u64;
    if db.get_mut(&argv[1], now).is_none() {
        db.add(&argv[1], Value::Str(Str::Raw(hll::new_sparse())));
        updated += 1;
    }
    let v = db
        .dict
        .get_mut(&argv[1])
        .ok_or(crate::server::err::NO_SUCH_KEY)?;
    check_hll(v)?;
    let buf = hll_mut(v);
    for ele in &argv[2..] {
        match hll::add(buf, ele, max) {
            Ok(true) => updated += 1,
            Ok(false) => {}
            Err(hll::Corrupt) => return Err(CORRUPT.into()),
        }
    }
    if updated > 0 {
        hll::invalidate_cache(buf);
        ctx.dirty(updated);
        ctx.notify(notify::STRING, "pfadd", &argv[1]);
    }
    ctx.reply().int((updated > 0) as i64);
    Ok(())
}

fn pfcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 2 {
        let mut max = vec![0u8; hll::REGISTERS];
        for key in &argv[1..] {
            let Some(v) = ctx.lookup_read(key) else {
                continue;
            };
            check_hll(v)?;
            let b = expect_str(v)?.as_slice().unwrap_or_default();
            hll::merge_into(&mut max, b).map_err(|_| CmdError::from(CORRUPT))?;
        }
        let card = hll::count_raw(&max);
        ctx.reply().int(card as i64);
        return Ok(());
    }
    let key = &argv[1];
    match ctx.lookup_read(key) {
        None => {
            ctx.reply().int(0);
            return Ok(());
        }
        Some(v) => check_hll(v)?,
    }
    let Some(v) = ctx.db().dict.get_mut(key) else {
        ctx.reply().int(0);
        return Ok(());
    };
    let buf = hll_mut(v);
    let card = match hll::cached_card(buf) {
        Some(c) => c,
        None => {
            let c = hll::count(buf).map_err(|_| CmdError::from(CORRUPT))?;
            hll::set_cached_card(buf, c);
            ctx.dirty(1);
            c
        }
    };
    ctx.reply().int(card as i64);
    Ok(())
}

fn pfmerge(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut max = vec![0u8; hll::REGISTERS];
    let mut use_dense = false;
    for key in &argv[1..] {
        let Some(v) = ctx.lookup_read(key) else {
            continue;
        };
        check_hll(v)?;
        let b = expect_str(v)?.as_slice().unwrap_or_default();
        if hll::encoding(b) == hll::DENSE {
            use_dense = true;
        }
        hll::merge_into(&mut max, b).map_err(|_| CmdError::from(CORRUPT))?;
    }
    let limit = sparse_max(ctx);
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    if db.get_mut(&argv[1], now).is_none() {
        db.add(&argv[1], Value::Str(Str::Raw(hll::new_sparse())));
    }
    let v = db
        .dict
        .get_mut(&argv[1])
        .ok_or(crate::server::err::NO_SUCH_KEY)?;
    let buf = hll_mut(v);
    if use_dense {
        hll::sparse_to_dense(buf).map_err(|_| CmdError::from(CORRUPT))?;
        hll::dense_compress(buf, &max);
    } else {
        for (j, &m) in max.iter().enumerate() {
            if m != 0 {
                // Like Valkey, a failure here (impossible: the destination
                // was validated as a source) is ignored.
                let _ = hll::set_register(buf, j, m, limit);
            }
        }
    }
    hll::invalidate_cache(buf);
    ctx.dirty(1);
    ctx.notify(notify::STRING, "pfadd", &argv[1]);
    ctx.reply().ok();
    Ok(())
}

fn pfdebug(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let cmd = &argv[1][..];
    if eq_ic(cmd, "SIMD") {
        // We have no separate SIMD code path; report like a server with
        // AVX2 available, including Valkey's error-then-status reply for a
        // bad argument.
        let arg = &argv[2][..];
        let enabled = if eq_ic(arg, "ON") {
            true
        } else if eq_ic(arg, "OFF") {
            false
        } else {
            ctx.error("ERR Argument must be ON or OFF");
            true
        };
        ctx.reply()
            .simple(if enabled { "enabled" } else { "disabled" });
        return Ok(());
    }
    let key = &argv[2];
    let now = ctx.now_ms();
    let Some(v) = ctx.srv.dbs[ctx.client.db].get_mut(key, now) else {
        return Err("ERR The specified key does not exist".into());
    };
    check_hll(v)?;
    let buf = hll_mut(v);
    if eq_ic(cmd, "GETREG") {
        let converted = hll::encoding(buf) == hll::SPARSE;
        hll::sparse_to_dense(buf).map_err(|_| CmdError::from(CORRUPT))?;
        let regs = hll::dense_registers(buf);
        if converted {
            ctx.dirty(1);
        }
        let r = ctx.reply();
        r.array(regs.len());
        for x in regs {
            r.int(x as i64);
        }
    } else if eq_ic(cmd, "DECODE") {
        if hll::encoding(buf) != hll::SPARSE {
            return Err("ERR HLL encoding is not sparse".into());
        }
        let text = hll::decode_sparse(buf);
        ctx.reply().bulk(text.as_bytes());
    } else if eq_ic(cmd, "ENCODING") {
        let name = if hll::encoding(buf) == hll::DENSE {
            "dense"
        } else {
            "sparse"
        };
        ctx.reply().simple(name);
    } else if eq_ic(cmd, "TODENSE") {
        let converted = hll::encoding(buf) == hll::SPARSE;
        if converted {
            hll::sparse_to_dense(buf).map_err(|_| CmdError::from(CORRUPT))?;
            ctx.dirty(1);
        }
        ctx.reply().int(converted as i64);
    } else {
        return Err(format!(
            "ERR Unknown PFDEBUG subcommand '{}'",
            String::from_utf8_lossy(cmd)
        )
        .into());
    }
    Ok(())
}

fn pfselftest(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let mut rng = || ctx.srv.random();
    selftest(&mut rng, 1000, 10_000_000, 3000)?;
    ctx.reply().ok();
    Ok(())
}

/// PFSELFTEST: register access, then dense and sparse estimates agreeing
/// and staying within a few standard errors.
fn selftest(
    rng: &mut dyn FnMut() -> u64,
    cycles: usize,
    elements: u64,
    sparse_limit: usize,
) -> Result<(), CmdError> {
    let mut dense = hll::new_sparse();
    hll::sparse_to_dense(&mut dense).map_err(|_| CmdError::from(CORRUPT))?;
    // Test 1: registers keep their values and do not disturb neighbours.
    let mut bytes = vec![0u8; hll::REGISTERS];
    for _ in 0..cycles {
        let mut raw = vec![0u8; hll::REGISTERS];
        for (i, (b, r)) in bytes.iter_mut().zip(raw.iter_mut()).enumerate() {
            let _ = i;
            *b = (rng() & hll::REGISTER_MAX as u64) as u8;
            *r = *b;
        }
        hll::dense_compress(&mut dense, &raw);
        for (i, (got, want)) in hll::dense_registers(&dense)
            .into_iter()
            .zip(bytes.iter())
            .enumerate()
        {
            if got != *want {
                return Err(
                    format!("ERR TESTFAILED Register {i} should be {want} but is {got}").into(),
                );
            }
        }
    }
    // Test 2: approximation error, dense and sparse side by side.
    let mut dense = hll::new_sparse();
    hll::sparse_to_dense(&mut dense).map_err(|_| CmdError::from(CORRUPT))?;
    let mut sparse = hll::new_sparse();
    let relerr = 1.04 / (hll::REGISTERS as f64).sqrt();
    let seed = rng();
    let mut checkpoint: u64 = 1;
    for j in 1..=elements {
        let ele = (j ^ seed).to_ne_bytes();
        let _ = hll::add(&mut dense, &ele, sparse_limit);
        let _ = hll::add(&mut sparse, &ele, sparse_limit);
        if j != checkpoint {
            continue;
        }
        if j < sparse_limit as u64 / 2 && hll::encoding(&sparse) != hll::SPARSE {
            return Err("ERR TESTFAILED sparse encoding not used".into());
        }
        let d = hll::count(&dense).unwrap_or(0);
        if hll::count(&sparse).unwrap_or(u64::MAX) != d {
            return Err("ERR TESTFAILED dense/sparse disagree".into());
        }
        let abserr = (checkpoint as i64 - d as i64).unsigned_abs();
        let mut maxerr = (relerr * 6.0 * checkpoint as f64).ceil() as u64;
        if j == 10 {
            maxerr = 1;
        }
        if abserr > maxerr {
            return Err(
                format!("ERR TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}").into(),
            );
        }
        checkpoint *= 10;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn selftest_passes_on_a_small_run() {
        let mut x = 0x1234_5678_9abc_def0u64;
        let mut rng = || {
            x = crate::util::rand::splitmix(x);
            x
        };
        super::selftest(&mut rng, 3, 100_000, 3000).unwrap();
    }
}
