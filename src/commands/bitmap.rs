//! Bitmap commands over string values: SETBIT, GETBIT, BITCOUNT, BITPOS,
//! BITOP and BITFIELD / BITFIELD_RO.
//!
//! Bit 0 is the most significant bit of the first byte. Writes grow the
//! string with zero bytes (never past `proto-max-bulk-len`) and leave it
//! `raw`-encoded, as Valkey does. BITCOUNT counts a machine word at a time.

use crate::commands::eq_ic;
use crate::commands::string::{expect_str, expect_str_mut, parse_int};
use crate::server::{err, notify, CmdError, CmdResult, CommandTable, Ctx};
use crate::types::{Str, Value};
use bytes::Bytes;
use std::borrow::Cow;

pub fn register(t: &mut CommandTable) {
    t.add("setbit", setbit);
    t.add("getbit", getbit);
    t.add("bitcount", bitcount);
    t.add("bitpos", bitpos);
    t.add("bitop", bitop);
    t.add("bitfield", bitfield);
    t.add("bitfield_ro", bitfield_ro);
}

const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";

/// Parse a bit offset (`getBitOffsetFromArgument`). With `hash_bits > 0`
/// the `#N` form means `N * hash_bits` (BITFIELD).
fn bit_offset(ctx: &Ctx, arg: &[u8], hash_bits: u32) -> Result<u64, CmdError> {
    let usehash = hash_bits > 0 && arg.first() == Some(&b'#');
    let digits = if usehash { &arg[1..] } else { arg };
    let mut off = crate::util::num::parse_i64(digits).ok_or(BAD_OFFSET)?;
    if usehash {
        // Valkey multiplies without an overflow check; wrap the same way.
        off = off.wrapping_mul(hash_bits as i64);
    }
    if off < 0 || (off as u64 >> 3) >= ctx.srv.config.proto_max_bulk_len() {
        return Err(BAD_OFFSET.into());
    }
    Ok(off as u64)
}

/// Valkey's `lookupStringForBitCommand`: the key's string as a raw buffer
/// long enough to address bit `maxbit`, created when missing. Returns the
/// buffer and whether it was created or grown.
fn string_for_bits<'a>(
    ctx: &'a mut Ctx,
    key: &[u8],
    maxbit: u64,
) -> Result<(&'a mut thin_vec::ThinVec<u8>, bool), CmdError> {
    let need = (maxbit >> 3) as usize + 1;
    let now = ctx.now_ms();
    let db = &mut ctx.srv.dbs[ctx.client.db];
    let created = if db.get_mut(key, now).is_none() {
        db.add(key, Value::Str(Str::raw(vec![0u8; need])));
        true
    } else {
        false
    };
    let v = db.dict.get_mut(key).ok_or(err::NO_SUCH_KEY)?;
    let raw = expect_str_mut(v)?.make_raw();
    let mut dirty = created;
    if raw.len() < need {
        raw.resize(need, 0);
        dirty = true;
    }
    Ok((raw, dirty))
}

fn setbit(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    const BAD_BIT: &str = "ERR bit is not an integer or out of range";
    let offset = bit_offset(ctx, &argv[2], 0)?;
    let on = crate::util::num::parse_i64(&argv[3]).ok_or(BAD_BIT)?;
    if on & !1 != 0 {
        return Err(BAD_BIT.into());
    }
    let (buf, dirty) = string_for_bits(ctx, &argv[1], offset)?;
    let byte = (offset >> 3) as usize;
    let bit = 7 - (offset & 7) as u32;
    let old = (buf[byte] >> bit) & 1;
    let changed = dirty || old as i64 != on;
    if changed {
        buf[byte] = (buf[byte] & !(1 << bit)) | ((on as u8) << bit);
        ctx.dirty(1);
        ctx.notify(notify::STRING, "setbit", &argv[1]);
    }
    ctx.reply().int(old as i64);
    Ok(())
}

fn getbit(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let offset = bit_offset(ctx, &argv[2], 0)?;
    let bit = match ctx.read_key(&argv[1]).0 {
        None => 0,
        Some(v) => expect_str(v)?.with_bytes(|b| {
            let byte = (offset >> 3) as usize;
            b.get(byte).map_or(0, |x| (x >> (7 - (offset & 7))) & 1)
        }),
    };
    ctx.reply().int(bit as i64);
    Ok(())
}

/// Number of set bits, a 64-bit word at a time.
pub fn popcount(b: &[u8]) -> u64 {
    let mut chunks = b.chunks_exact(8);
    let mut n: u64 = 0;
    for c in &mut chunks {
        let w = u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        n += w.count_ones() as u64;
    }
    n + chunks
        .remainder()
        .iter()
        .map(|x| x.count_ones() as u64)
        .sum::<u64>()
}

/// Position of the first bit equal to `bit` (Valkey's `serverBitpos`):
/// for 0 the string counts as zero-padded on the right (so the answer is
/// at most `len * 8`); for 1 with no set bit, -1.
fn first_bit(b: &[u8], bit: bool) -> i64 {
    let skip: u8 = if bit { 0 } else { 0xff };
    let mut words = b.chunks_exact(8);
    let mut pos = 0i64;
    for w in &mut words {
        if w.iter().all(|&x| x == skip) {
            pos += 64;
            continue;
        }
        return pos + first_in_bytes(w, bit);
    }
    let rest = words.remainder();
    if rest.iter().all(|&x| x == skip) {
        return if bit { -1 } else { pos + rest.len() as i64 * 8 };
    }
    pos + first_in_bytes(rest, bit)
}

/// First matching bit in a short slice known to contain one.
fn first_in_bytes(b: &[u8], bit: bool) -> i64 {
    for (i, &x) in b.iter().enumerate() {
        let x = if bit { x } else { !x };
        if x != 0 {
            return i as i64 * 8 + x.leading_zeros() as i64;
        }
    }
    b.len() as i64 * 8
}

/// Parsed `[start [end [BYTE|BIT]]]` of BITCOUNT / BITPOS.
struct Range {
    start: i64,
    end: Option<i64>,
    bit_unit: bool,
}

/// Parse the optional range starting at `argv[first]`; too many arguments
/// is a syntax error.
fn parse_range(argv: &[Bytes], first: usize) -> Result<Option<Range>, CmdError> {
    let n = argv.len() - first;
    if n == 0 {
        return Ok(None);
    }
    if n > 3 {
        return Err(err::SYNTAX.into());
    }
    let start = parse_int(&argv[first])?;
    let mut bit_unit = false;
    if n == 3 {
        let unit = &argv[first + 2];
        if eq_ic(unit, "BIT") {
            bit_unit = true;
        } else if !eq_ic(unit, "BYTE") {
            return Err(err::SYNTAX.into());
        }
    }
    let end = if n >= 2 {
        Some(parse_int(&argv[first + 1])?)
    } else {
        None
    };
    Ok(Some(Range {
        start,
        end,
        bit_unit,
    }))
}

/// The string of a key for reading, or None when missing.
fn read_string<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Result<Option<Cow<'a, [u8]>>, CmdError> {
    match ctx.lookup_read(key) {
        None => Ok(None),
        Some(v) => Ok(Some(expect_str(v)?.bytes())),
    }
}

/// Resolved byte range plus edge masks of the bits outside a BIT range.
struct Resolved {
    start: i64,
    end: i64,
    first_mask: u8,
    last_mask: u8,
}

fn resolve(range: &Range, strlen: i64) -> Resolved {
    let mut total = strlen;
    let mut start = range.start;
    let mut end = range.end.unwrap_or(strlen - 1);
    if range.bit_unit {
        total <<= 3;
    }
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    let (mut first_mask, mut last_mask) = (0u8, 0u8);
    if range.bit_unit && start <= end {
        first_mask = !((1u32 << (8 - (start & 7))) - 1) as u8;
        last_mask = ((1u32 << (7 - (end & 7))) - 1) as u8;
        start >>= 3;
        end >>= 3;
    }
    Resolved {
        start,
        end,
        first_mask,
        last_mask,
    }
}

fn bitcount(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let range = parse_range(argv, 2)?;
    let Some(p) = read_string(ctx, &argv[1])? else {
        ctx.reply().int(0);
        return Ok(());
    };
    let strlen = p.len() as i64;
    let r = match &range {
        None => Resolved {
            start: 0,
            end: strlen - 1,
            first_mask: 0,
            last_mask: 0,
        },
        Some(range) => {
            let (s, e) = (range.start, range.end.unwrap_or(strlen - 1));
            if s < 0 && e < 0 && s > e {
                drop(p);
                ctx.reply().int(0);
                return Ok(());
            }
            resolve(range, strlen)
        }
    };
    let count = if r.start > r.end {
        0
    } else {
        let (s, e) = (r.start as usize, r.end as usize);
        let mut n = popcount(&p[s..=e]) as i64;
        n -= (p[s] & r.first_mask).count_ones() as i64;
        n -= (p[e] & r.last_mask).count_ones() as i64;
        n
    };
    drop(p);
    ctx.reply().int(count);
    Ok(())
}

fn bitpos(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let bit = parse_int(&argv[2])?;
    if bit != 0 && bit != 1 {
        return Err("ERR The bit argument must be 1 or 0.".into());
    }
    let bit = bit == 1;
    let range = parse_range(argv, 3)?;
    let end_given = range.as_ref().is_some_and(|r| r.end.is_some());
    let Some(p) = read_string(ctx, &argv[1])? else {
        ctx.reply().int(if bit { -1 } else { 0 });
        return Ok(());
    };
    let strlen = p.len() as i64;
    let r = match &range {
        None => Resolved {
            start: 0,
            end: strlen - 1,
            first_mask: 0,
            last_mask: 0,
        },
        Some(range) => resolve(range, strlen),
    };
    let pos = if r.start > r.end {
        -1
    } else {
        bitpos_in(&p, r, bit, end_given)
    };
    drop(p);
    ctx.reply().int(pos);
    Ok(())
}

/// The range search of BITPOS, edge bytes masked for BIT ranges.
fn bitpos_in(p: &[u8], r: Resolved, bit: bool, end_given: bool) -> i64 {
    let Resolved {
        mut start,
        end,
        first_mask,
        last_mask,
    } = r;
    let mut bytes = end - start + 1;
    let mask_byte = |b: u8, mask: u8| if bit { b & !mask } else { b | mask };
    let mut pos;
    'found: {
        if first_mask != 0 {
            let mut tmp = mask_byte(p[start as usize], first_mask);
            if last_mask != 0 && bytes == 1 {
                tmp = mask_byte(tmp, last_mask);
            }
            pos = first_bit(&[tmp], bit);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'found;
            }
            start += 1;
            bytes -= 1;
        }
        let cur = bytes - if last_mask != 0 { 1 } else { 0 };
        if cur > 0 {
            let s = start as usize;
            pos = first_bit(&p[s..s + cur as usize], bit);
            if bytes == cur || (pos != -1 && pos != cur * 8) {
                break 'found;
            }
            start += cur;
            bytes -= cur;
        }
        let tmp = mask_byte(p[end as usize], last_mask);
        pos = first_bit(&[tmp], bit);
    }
    if end_given && !bit && pos == bytes * 8 {
        return -1;
    }
    if pos != -1 {
        pos += start * 8;
    }
    pos
}

fn bitop(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    #[derive(PartialEq, Clone, Copy)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = match &argv[1][..] {
        o if eq_ic(o, "AND") => Op::And,
        o if eq_ic(o, "OR") => Op::Or,
        o if eq_ic(o, "XOR") => Op::Xor,
        o if eq_ic(o, "NOT") => Op::Not,
        _ => return Err(err::SYNTAX.into()),
    };
    if op == Op::Not && argv.len() != 4 {
        return Err("ERR BITOP NOT must be called with a single source key.".into());
    }
    let mut srcs: Vec<Vec<u8>> = Vec::with_capacity(argv.len() - 3);
    for key in &argv[3..] {
        match ctx.lookup_read(key) {
            None => srcs.push(Vec::new()),
            Some(v) => srcs.push(expect_str(v)?.to_vec()),
        }
    }
    let maxlen = srcs.iter().map(Vec::len).max().unwrap_or(0);
    let dest = &argv[2];
    if maxlen > 0 {
        let mut res = vec![0u8; maxlen];
        let first = &srcs[0];
        res[..first.len()].copy_from_slice(first);
        if op == Op::Not {
            for b in res.iter_mut() {
                *b = !*b;
            }
        } else {
            for src in &srcs[1..] {
                // Bytes past a source's end count as zero.
                let (common, tail) = res.split_at_mut(src.len());
                match op {
                    Op::And => {
                        common.iter_mut().zip(src).for_each(|(r, s)| *r &= s);
                        tail.fill(0);
                    }
                    Op::Or => common.iter_mut().zip(src).for_each(|(r, s)| *r |= s),
                    Op::Xor => common.iter_mut().zip(src).for_each(|(r, s)| *r ^= s),
                    Op::Not => {}
                }
            }
        }
        ctx.db().set(dest, Value::Str(Str::raw(res)), false);
        ctx.dirty(1);
        ctx.notify(notify::STRING, "set", dest);
    } else if ctx.db().remove(dest).is_some() {
        ctx.dirty(1);
        ctx.notify(notify::GENERIC, "del", dest);
    }
    ctx.reply().int(maxlen as i64);
    Ok(())
}

// ---------------------------------------------------------------------------
// BITFIELD.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldOp {
    Get,
    Set,
    IncrBy,
}

struct Field {
    op: FieldOp,
    offset: u64,
    value: i64,
    overflow: Overflow,
    bits: u32,
    signed: bool,
}

fn get_unsigned(p: &[u8], mut offset: u64, bits: u32) -> u64 {
    let mut v = 0u64;
    for _ in 0..bits {
        let byte = p[(offset >> 3) as usize];
        let bit = 7 - (offset & 7);
        v = (v << 1) | ((byte >> bit) & 1) as u64;
        offset += 1;
    }
    v
}

fn get_signed(p: &[u8], offset: u64, bits: u32) -> i64 {
    let mut v = get_unsigned(p, offset, bits) as i64;
    if bits < 64 && v & (1i64 << (bits - 1)) != 0 {
        v |= -1i64 << bits;
    }
    v
}

fn set_unsigned(p: &mut [u8], mut offset: u64, bits: u32, value: u64) {
    for j in 0..bits {
        let bitval = ((value >> (bits - 1 - j)) & 1) as u8;
        let byte = (offset >> 3) as usize;
        let bit = 7 - (offset & 7) as u32;
        p[byte] = (p[byte] & !(1 << bit)) | (bitval << bit);
        offset += 1;
    }
}

/// Valkey's `checkUnsignedBitfieldOverflow`: Some(result) is the wrapped or
/// saturated value to store when `value + incr` does not fit.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, ow: Overflow) -> Option<Option<u64>> {
    let max: u64 = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let maxincr = max.wrapping_sub(value) as i64;
    let minincr = 0u64.wrapping_sub(value) as i64;
    let wrap = || {
        let mask = if bits >= 64 { 0 } else { u64::MAX << bits };
        value.wrapping_add(incr as u64) & !mask
    };
    if value > max || (incr > 0 && incr > maxincr) {
        Some(match ow {
            Overflow::Wrap => Some(wrap()),
            Overflow::Sat => Some(max),
            Overflow::Fail => None,
        })
    } else if incr < 0 && incr < minincr {
        Some(match ow {
            Overflow::Wrap => Some(wrap()),
            Overflow::Sat => Some(0),
            Overflow::Fail => None,
        })
    } else {
        None
    }
}

/// Valkey's `checkSignedBitfieldOverflow`.
fn signed_overflow(value: i64, incr: i64, bits: u32, ow: Overflow) -> Option<Option<i64>> {
    let max: i64 = if bits == 64 {
        i64::MAX
    } else {
        (1i64 << (bits - 1)) - 1
    };
    let min = -max - 1;
    let maxincr = (max as u64).wrapping_sub(value as u64) as i64;
    let minincr = min.wrapping_sub(value);
    let wrap = || {
        let msb = 1u64 << (bits - 1);
        let mut c = (value as u64).wrapping_add(incr as u64);
        if bits < 64 {
            let mask = u64::MAX << bits;
            if c & msb != 0 {
                c |= mask;
            } else {
                c &= !mask;
            }
        }
        c as i64
    };
    if value > max || (bits != 64 && incr > maxincr) || (value >= 0 && incr > 0 && incr > maxincr) {
        Some(match ow {
            Overflow::Wrap => Some(wrap()),
            Overflow::Sat => Some(max),
            Overflow::Fail => None,
        })
    } else if value < min
        || (bits != 64 && incr < minincr)
        || (value < 0 && incr < 0 && incr < minincr)
    {
        Some(match ow {
            Overflow::Wrap => Some(wrap()),
            Overflow::Sat => Some(min),
            Overflow::Fail => None,
        })
    } else {
        None
    }
}

fn bitfield(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bitfield_generic(ctx, argv, false)
}

fn bitfield_ro(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    bitfield_generic(ctx, argv, true)
}

fn parse_field_type(arg: &[u8]) -> Result<(bool, u32), CmdError> {
    const BAD_TYPE: &str =
        "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(BAD_TYPE.into()),
    };
    // Valkey reads the width with strlen: stop at a NUL byte.
    let digits = &arg[1..];
    let digits = &digits[..digits.iter().position(|&c| c == 0).unwrap_or(digits.len())];
    match crate::util::num::parse_i64(digits) {
        Some(b) if b >= 1 && ((signed && b <= 64) || (!signed && b <= 63)) => {
            Ok((signed, b as u32))
        }
        _ => Err(BAD_TYPE.into()),
    }
}

fn bitfield_generic(ctx: &mut Ctx, argv: &[Bytes], readonly_cmd: bool) -> CmdResult {
    let mut ops: Vec<Field> = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut readonly = true;
    let mut highest_write: u64 = 0;
    let mut j = 2;
    while j < argv.len() {
        let remargs = argv.len() - j - 1;
        let sub = &argv[j][..];
        let op = if eq_ic(sub, "GET") && remargs >= 2 {
            FieldOp::Get
        } else if eq_ic(sub, "SET") && remargs >= 3 {
            FieldOp::Set
        } else if eq_ic(sub, "INCRBY") && remargs >= 3 {
            FieldOp::IncrBy
        } else if eq_ic(sub, "OVERFLOW") && remargs >= 1 {
            let t = &argv[j + 1][..];
            overflow = if eq_ic(t, "WRAP") {
                Overflow::Wrap
            } else if eq_ic(t, "SAT") {
                Overflow::Sat
            } else if eq_ic(t, "FAIL") {
                Overflow::Fail
            } else {
                return Err("ERR Invalid OVERFLOW type specified".into());
            };
            j += 2;
            continue;
        } else {
            return Err(err::SYNTAX.into());
        };
        let (signed, bits) = parse_field_type(&argv[j + 1])?;
        let offset = bit_offset(ctx, &argv[j + 2], bits)?;
        let mut value = 0;
        if op != FieldOp::Get {
            readonly = false;
            highest_write = highest_write.max(offset + bits as u64 - 1);
            value = parse_int(&argv[j + 3])?;
        }
        ops.push(Field {
            op,
            offset,
            value,
            overflow,
            bits,
            signed,
        });
        j += if op == FieldOp::Get { 3 } else { 4 };
    }

    if readonly {
        let src: Option<Vec<u8>> = match ctx.lookup_read(&argv[1]) {
            None => None,
            Some(v) => Some(expect_str(v)?.to_vec()),
        };
        let r = ctx.reply();
        r.array(ops.len());
        for f in &ops {
            r.int(read_field(src.as_deref(), f));
        }
        return Ok(());
    }
    if readonly_cmd {
        return Err("ERR BITFIELD_RO only supports the GET subcommand".into());
    }
    let (buf, dirty) = string_for_bits(ctx, &argv[1], highest_write)?;
    let mut out: Vec<Option<i64>> = Vec::with_capacity(ops.len());
    let mut changes = 0u64;
    for f in &ops {
        match f.op {
            FieldOp::Get => out.push(Some(read_field(Some(buf), f))),
            FieldOp::Set | FieldOp::IncrBy => {
                let incr = f.op == FieldOp::IncrBy;
                if f.signed {
                    let old = get_signed(buf, f.offset, f.bits);
                    let (target, base) = if incr { (old, f.value) } else { (f.value, 0) };
                    let (new, failed) = match signed_overflow(target, base, f.bits, f.overflow) {
                        None => (target.wrapping_add(base), false),
                        Some(Some(v)) => (v, false),
                        Some(None) => (0, true),
                    };
                    if failed {
                        out.push(None);
                        continue;
                    }
                    out.push(Some(if incr { new } else { old }));
                    set_unsigned(buf, f.offset, f.bits, new as u64);
                    if dirty || old != new {
                        changes += 1;
                    }
                } else {
                    let old = get_unsigned(buf, f.offset, f.bits);
                    let (target, base) = if incr {
                        (old, f.value)
                    } else {
                        (f.value as u64, 0)
                    };
                    let (new, failed) = match unsigned_overflow(target, base, f.bits, f.overflow) {
                        None => (target.wrapping_add(base as u64), false),
                        Some(Some(v)) => (v, false),
                        Some(None) => (0, true),
                    };
                    if failed {
                        out.push(None);
                        continue;
                    }
                    out.push(Some(if incr { new as i64 } else { old as i64 }));
                    set_unsigned(buf, f.offset, f.bits, new);
                    if dirty || old != new {
                        changes += 1;
                    }
                }
            }
        }
    }
    if changes > 0 {
        ctx.dirty(changes);
        ctx.notify(notify::STRING, "setbit", &argv[1]);
    }
    let r = ctx.reply();
    r.array(out.len());
    for v in out {
        match v {
            Some(n) => r.int(n),
            None => r.null(),
        }
    }
    Ok(())
}

/// BITFIELD GET on a possibly missing or short string (zero padded).
fn read_field(src: Option<&[u8]>, f: &Field) -> i64 {
    let byte = (f.offset >> 3) as usize;
    let mut buf = [0u8; 9];
    if let Some(s) = src {
        for (i, b) in buf.iter_mut().enumerate() {
            match s.get(byte + i) {
                Some(&x) => *b = x,
                None => break,
            }
        }
    }
    let off = f.offset - (byte as u64) * 8;
    if f.signed {
        get_signed(&buf, off, f.bits)
    } else {
        get_unsigned(&buf, off, f.bits) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popcount_words_and_tail() {
        assert_eq!(popcount(b""), 0);
        assert_eq!(popcount(&[0xff; 17]), 136);
        assert_eq!(popcount(b"foobar"), 26);
    }

    #[test]
    fn first_bit_semantics() {
        assert_eq!(first_bit(&[0xff, 0xf0, 0, 0], false), 12);
        assert_eq!(first_bit(&[0xff; 9], false), 72);
        assert_eq!(first_bit(&[0; 9], true), -1);
        assert_eq!(first_bit(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 1], true), 79);
    }

    #[test]
    fn overflow_rules() {
        assert_eq!(unsigned_overflow(255, 1, 8, Overflow::Wrap), Some(Some(0)));
        assert_eq!(unsigned_overflow(255, 1, 8, Overflow::Sat), Some(Some(255)));
        assert_eq!(unsigned_overflow(0, -1, 8, Overflow::Sat), Some(Some(0)));
        assert_eq!(unsigned_overflow(0, -1, 8, Overflow::Fail), Some(None));
        assert_eq!(unsigned_overflow(10, -1, 8, Overflow::Wrap), None);
        assert_eq!(signed_overflow(127, 1, 8, Overflow::Wrap), Some(Some(-128)));
        assert_eq!(
            signed_overflow(-128, -1, 8, Overflow::Sat),
            Some(Some(-128))
        );
        assert_eq!(
            signed_overflow(i64::MAX, 1, 64, Overflow::Wrap),
            Some(Some(i64::MIN))
        );
        assert_eq!(signed_overflow(5, 0, 64, Overflow::Wrap), None);
    }

    #[test]
    fn field_access_round_trips() {
        let mut b = vec![0u8; 4];
        set_unsigned(&mut b, 7, 5, 23);
        assert_eq!(b[..2], [0b0000_0001, 0b0111_0000]);
        assert_eq!(get_unsigned(&b, 7, 5), 23);
        set_unsigned(&mut b, 0, 8, (-3i64) as u64);
        assert_eq!(get_signed(&b, 0, 8), -3);
    }
}
