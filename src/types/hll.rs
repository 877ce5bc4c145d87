//! HyperLogLog values, byte-compatible with Valkey's representation.
//!
//! A HyperLogLog is an ordinary string value, so it travels through GET/SET,
//! DUMP/RESTORE and replication unchanged; this module only gives those
//! bytes a meaning. Layout (all of it observable with GET):
//!
//! ```text
//! +------+---+-----+----------+--------------------------+
//! | HYLL | E | 0 0 0 | card (8, LE) | registers ...          |
//! +------+---+-----+----------+--------------------------+
//! ```
//!
//! `E` is 0 (dense: 16384 registers of 6 bits packed LSB first, 12288
//! bytes) or 1 (sparse: run-length opcodes ZERO `00xxxxxx`, XZERO
//! `01xxxxxx yyyyyyyy` and VAL `1vvvvvxx`). The top bit of the last
//! cardinality byte marks the cached cardinality as stale. Elements are
//! hashed with MurmurHash64A (seed `0xadc83b19`); the estimate uses Ertl's
//! improved estimator. Sparse values are promoted to dense when a register
//! exceeds 32 or the value would grow past `hll-sparse-max-bytes`.
//!
//! Every function here validates what it reads: corrupted input yields
//! [`Corrupt`], never a panic.

use thin_vec::ThinVec;

pub const HDR_SIZE: usize = 16;
pub const P: u32 = 14;
pub const Q: u32 = 64 - P;
pub const REGISTERS: usize = 1 << P;
pub const BITS: usize = 6;
pub const REGISTER_MAX: u8 = (1 << BITS) - 1;
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;
const SEED: u64 = 0xadc8_3b19;

const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// The value is not a well-formed HyperLogLog (`INVALIDOBJ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// MurmurHash2, 64-bit version, as Valkey uses it (little-endian reads).
pub fn murmur64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut chunks = key.chunks_exact(8);
    for c in &mut chunks {
        let mut k = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        for (i, &b) in rest.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// Register index and run length ("000..1" pattern + 1) for an element.
pub fn pat_len(ele: &[u8]) -> (usize, u8) {
    let hash = murmur64a(ele, SEED);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// A new, empty HyperLogLog (sparse: `XZERO:16384`).
pub fn new_sparse() -> ThinVec<u8> {
    let mut v = ThinVec::with_capacity(HDR_SIZE + 2);
    v.extend_from_slice(b"HYLL");
    v.push(SPARSE);
    v.extend_from_slice(&[0u8; 11]);
    let mut aux = REGISTERS;
    while aux > 0 {
        let xz = aux.min(SPARSE_XZERO_MAX_LEN);
        let [a, b] = xzero_op(xz);
        v.push(a);
        v.push(b);
        aux -= xz;
    }
    v
}

/// Does `b` look like a HyperLogLog (Valkey's `isHLLObjectOrReply`)? The
/// sparse opcodes are checked lazily, when they are used.
pub fn is_hll(b: &[u8]) -> bool {
    b.len() >= HDR_SIZE
        && &b[..4] == b"HYLL"
        && b[4] <= MAX_ENCODING
        && (b[4] != DENSE || b.len() == DENSE_SIZE)
}

/// The header's encoding byte (callers have checked [`is_hll`]).
pub fn encoding(b: &[u8]) -> u8 {
    b[4]
}

/// The cached cardinality, when still valid.
pub fn cached_card(b: &[u8]) -> Option<u64> {
    let card = u64::from_le_bytes(b[8..16].try_into().ok()?);
    (card >> 63 == 0).then_some(card)
}

pub fn set_cached_card(b: &mut [u8], card: u64) {
    b[8..16].copy_from_slice(&card.to_le_bytes());
}

pub fn invalidate_cache(b: &mut [u8]) {
    b[15] |= 0x80;
}

// --------------------------------------------------------------------------
// Dense registers.
// --------------------------------------------------------------------------

#[inline]
fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = regs[byte] as u32;
    let b1 = *regs.get(byte + 1).unwrap_or(&0) as u32;
    (((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX as u32) as u8
}

#[inline]
fn dense_set(regs: &mut [u8], i: usize, val: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let fb8 = 8 - fb;
    let v = val as u32;
    regs[byte] &= !((REGISTER_MAX as u32) << fb) as u8;
    regs[byte] |= (v << fb) as u8;
    if let Some(b1) = regs.get_mut(byte + 1) {
        *b1 &= !((REGISTER_MAX as u32) >> fb8) as u8;
        *b1 |= (v >> fb8) as u8;
    }
}

/// Raise dense register `i` to `count`; true if it changed.
fn dense_raise(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_set(regs, i, count);
        true
    } else {
        false
    }
}

/// All 16384 register values of a dense HyperLogLog.
pub fn dense_registers(b: &[u8]) -> Vec<u8> {
    let regs = &b[HDR_SIZE..];
    (0..REGISTERS).map(|i| dense_get(regs, i)).collect()
}

// --------------------------------------------------------------------------
// Sparse opcodes.
// --------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Zero(usize),
    XZero(usize),
    Val(u8, usize),
}

impl Op {
    fn width(self) -> usize {
        if matches!(self, Op::XZero(_)) {
            2
        } else {
            1
        }
    }
    fn span(self) -> usize {
        match self {
            Op::Zero(n) | Op::XZero(n) | Op::Val(_, n) => n,
        }
    }
}

/// Decode the opcode at `p` (a missing second XZERO byte reads as 0, like
/// the sds terminator Valkey reads there).
fn op_at(s: &[u8], p: usize) -> Op {
    let b = s[p];
    match b & 0xc0 {
        0x00 => Op::Zero((b & 0x3f) as usize + 1),
        0x40 => {
            let lo = *s.get(p + 1).unwrap_or(&0) as usize;
            Op::XZero(((((b & 0x3f) as usize) << 8) | lo) + 1)
        }
        _ => Op::Val(((b >> 2) & 0x1f) + 1, (b & 0x3) as usize + 1),
    }
}

fn val_op(val: u8, len: usize) -> u8 {
    (((val - 1) << 2) | (len as u8 - 1)) | 0x80
}

fn zero_op(len: usize) -> u8 {
    (len - 1) as u8
}

fn xzero_op(len: usize) -> [u8; 2] {
    let l = len - 1;
    [((l >> 8) as u8) | 0x40, (l & 0xff) as u8]
}

/// Push a ZERO or XZERO run of `len` registers.
fn push_zeros(seq: &mut Vec<u8>, len: usize) {
    if len > SPARSE_ZERO_MAX_LEN {
        seq.extend_from_slice(&xzero_op(len));
    } else {
        seq.push(zero_op(len));
    }
}

/// Convert a sparse HyperLogLog to dense in place (no-op when dense).
pub fn sparse_to_dense(v: &mut ThinVec<u8>) -> Result<(), Corrupt> {
    if v[4] == DENSE {
        return Ok(());
    }
    let mut dense = ThinVec::with_capacity(DENSE_SIZE);
    dense.extend_from_slice(&v[..HDR_SIZE]);
    dense[4] = DENSE;
    dense.resize(DENSE_SIZE, 0);
    let regs = &mut dense[HDR_SIZE..];
    let mut idx = 0usize;
    let mut p = HDR_SIZE;
    while p < v.len() {
        let op = op_at(v, p);
        // Runs past the last register are corruption (CVE-2025-32023).
        if idx + op.span() > REGISTERS {
            return Err(Corrupt);
        }
        if let Op::Val(val, n) = op {
            for i in idx..idx + n {
                dense_set(regs, i, val);
            }
        }
        idx += op.span();
        p += op.width();
    }
    if idx != REGISTERS {
        return Err(Corrupt);
    }
    *v = dense;
    Ok(())
}

/// Raise register `index` to `count` in a sparse HyperLogLog, promoting it
/// to dense when needed. Returns whether the register changed.
fn sparse_set(
    v: &mut ThinVec<u8>,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, Corrupt> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(v, index, count);
    }
    // Step 1: find the opcode covering `index`.
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut found: Option<Op> = None;
    while p < v.len() {
        let op = op_at(v, p);
        if index < first + op.span() {
            found = Some(op);
            break;
        }
        prev = Some(p);
        p += op.width();
        first += op.span();
    }
    let Some(op) = found else {
        return Err(Corrupt);
    };
    let span = op.span();

    // Step 2: trivial in-place updates.
    match op {
        Op::Val(old, _) if old >= count => return Ok(false),
        Op::Val(_, 1) | Op::Zero(1) => {
            v[p] = val_op(count, 1);
            merge_adjacent(v, prev);
            invalidate_cache(v);
            return Ok(true);
        }
        _ => {}
    }

    // General case: split the opcode into up to three.
    let last = first + span - 1;
    let mut seq = Vec::with_capacity(5);
    match op {
        Op::Zero(_) | Op::XZero(_) => {
            if index != first {
                push_zeros(&mut seq, index - first);
            }
            seq.push(val_op(count, 1));
            if index != last {
                push_zeros(&mut seq, last - index);
            }
        }
        Op::Val(cur, _) => {
            if index != first {
                seq.push(val_op(cur, index - first));
            }
            seq.push(val_op(count, 1));
            if index != last {
                seq.push(val_op(cur, last - index));
            }
        }
    }

    // Step 3: substitute, unless the result would outgrow the sparse limit.
    let oldlen = op.width();
    if seq.len() > oldlen && v.len() + seq.len() - oldlen > sparse_max {
        return promote(v, index, count);
    }
    // Valkey resizes by `seqlen - oldlen` even when a truncated XZERO has
    // only one byte left in the string; keep the same resulting length.
    let newlen = v.len() + seq.len() - oldlen;
    let end = (p + oldlen).min(v.len());
    v.splice(p..end, seq);
    v.truncate(newlen);
    merge_adjacent(v, prev);
    invalidate_cache(v);
    Ok(true)
}

/// Step 4 of a sparse update: merge adjacent VAL opcodes with the same
/// value, scanning up to five opcodes from `prev`.
fn merge_adjacent(v: &mut ThinVec<u8>, prev: Option<usize>) {
    let mut p = prev.unwrap_or(HDR_SIZE);
    let mut scanlen = 5;
    while p < v.len() && scanlen > 0 {
        scanlen -= 1;
        match op_at(v, p) {
            Op::XZero(_) => {
                p += 2;
                continue;
            }
            Op::Zero(_) => {
                p += 1;
                continue;
            }
            Op::Val(v1, l1) => {
                if p + 1 < v.len() {
                    if let Op::Val(v2, l2) = op_at(v, p + 1) {
                        if v1 == v2 && l1 + l2 <= SPARSE_VAL_MAX_LEN {
                            v[p + 1] = val_op(v1, l1 + l2);
                            v.remove(p);
                            continue;
                        }
                    }
                }
            }
        }
        p += 1;
    }
}

fn promote(v: &mut ThinVec<u8>, index: usize, count: u8) -> Result<bool, Corrupt> {
    sparse_to_dense(v)?;
    dense_raise(&mut v[HDR_SIZE..], index, count);
    Ok(true)
}

/// Raise register `index` to `count` (whatever the encoding). Returns
/// whether the register changed. Does not touch the cached cardinality of a
/// dense value: callers invalidate once per command.
pub fn set_register(
    v: &mut ThinVec<u8>,
    index: usize,
    count: u8,
    sparse_max: usize,
) -> Result<bool, Corrupt> {
    match v[4] {
        DENSE => Ok(dense_raise(&mut v[HDR_SIZE..], index, count)),
        SPARSE => sparse_set(v, index, count, sparse_max),
        _ => Err(Corrupt),
    }
}

/// PFADD one element.
pub fn add(v: &mut ThinVec<u8>, ele: &[u8], sparse_max: usize) -> Result<bool, Corrupt> {
    let (index, count) = pat_len(ele);
    set_register(v, index, count, sparse_max)
}

// --------------------------------------------------------------------------
// Counting and merging.
// --------------------------------------------------------------------------

fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let z_prime = z;
        z += x * y;
        y += y;
        if z_prime == z {
            return z;
        }
    }
}

fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let z_prime = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if z_prime == z {
            return z / 3.0;
        }
    }
}

/// Ertl's estimator over a register histogram.
fn estimate(histo: &[i64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histo[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += histo[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histo[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as u64
}

/// Register histogram of a sparse HyperLogLog; Err if the opcodes do not
/// cover exactly 16384 registers.
fn sparse_histo(ops: &[u8], histo: &mut [i64; 64]) -> Result<(), Corrupt> {
    let mut idx = 0usize;
    let mut p = 0;
    while p < ops.len() {
        let op = op_at(ops, p);
        if idx + op.span() > REGISTERS {
            return Err(Corrupt);
        }
        match op {
            Op::Zero(n) | Op::XZero(n) => histo[0] += n as i64,
            Op::Val(val, n) => histo[val as usize] += n as i64,
        }
        idx += op.span();
        p += op.width();
    }
    if idx == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// Estimated cardinality of a HyperLogLog value (ignores the cache).
pub fn count(v: &[u8]) -> Result<u64, Corrupt> {
    let mut histo = [0i64; 64];
    match v[4] {
        DENSE => {
            let regs = &v[HDR_SIZE..];
            for i in 0..REGISTERS {
                histo[dense_get(regs, i) as usize] += 1;
            }
        }
        SPARSE => sparse_histo(&v[HDR_SIZE..], &mut histo)?,
        _ => return Err(Corrupt),
    }
    Ok(estimate(&histo))
}

/// Estimated cardinality of raw (one byte per register) registers.
pub fn count_raw(regs: &[u8]) -> u64 {
    let mut histo = [0i64; 64];
    for &r in regs {
        histo[(r & 63) as usize] += 1;
    }
    estimate(&histo)
}

/// `max[i] = MAX(max[i], hll[i])` for every register.
pub fn merge_into(max: &mut [u8], v: &[u8]) -> Result<(), Corrupt> {
    if v[4] == DENSE {
        let regs = &v[HDR_SIZE..];
        for (i, m) in max.iter_mut().enumerate().take(REGISTERS) {
            let r = dense_get(regs, i);
            if r > *m {
                *m = r;
            }
        }
        return Ok(());
    }
    let mut i = 0usize;
    let mut p = HDR_SIZE;
    while p < v.len() {
        let op = op_at(v, p);
        if i + op.span() > REGISTERS {
            return Err(Corrupt);
        }
        if let Op::Val(val, n) = op {
            for m in &mut max[i..i + n] {
                if val > *m {
                    *m = val;
                }
            }
        }
        i += op.span();
        p += op.width();
    }
    if i == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// Write raw registers into a dense HyperLogLog.
pub fn dense_compress(v: &mut [u8], max: &[u8]) {
    let regs = &mut v[HDR_SIZE..];
    for (i, &m) in max.iter().enumerate().take(REGISTERS) {
        dense_set(regs, i, m);
    }
}

/// PFDEBUG DECODE text of a sparse HyperLogLog.
pub fn decode_sparse(v: &[u8]) -> String {
    let mut out = String::new();
    let mut p = HDR_SIZE;
    while p < v.len() {
        let op = op_at(v, p);
        match op {
            Op::Zero(n) => out.push_str(&format!("z:{n} ")),
            Op::XZero(n) => out.push_str(&format!("Z:{n} ")),
            Op::Val(val, n) => out.push_str(&format!("v:{val},{n} ")),
        }
        p += op.width();
    }
    out.trim_matches(' ').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn murmur_matches_reference() {
        // Register/run pairs as reported by redis-server's PFDEBUG GETREG
        // after PFADD of a single element.
        assert_eq!(murmur64a(b"", 0), 0);
        let (i, c) = pat_len(b"a");
        assert!(i < REGISTERS && c >= 1 && c as u32 <= Q + 1);
    }

    #[test]
    fn empty_sparse_layout() {
        let v = new_sparse();
        assert_eq!(hex(&v), "48594c4c0100000000000000000000007fff");
        assert!(is_hll(&v));
        assert_eq!(count(&v), Ok(0));
        assert_eq!(decode_sparse(&v), "Z:16384");
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut s = new_sparse();
        let mut d = new_sparse();
        sparse_to_dense(&mut d).unwrap();
        assert_eq!(d.len(), DENSE_SIZE);
        for i in 0..2000u32 {
            let e = i.to_le_bytes();
            assert_eq!(add(&mut s, &e, 3000), add(&mut d, &e, 3000));
            if i % 97 == 0 {
                assert_eq!(count(&s), count(&d));
            }
        }
        let mut max_s = vec![0u8; REGISTERS];
        let mut max_d = vec![0u8; REGISTERS];
        merge_into(&mut max_s, &s).unwrap();
        merge_into(&mut max_d, &d).unwrap();
        assert_eq!(max_s, max_d);
        let mut s2 = s.clone();
        sparse_to_dense(&mut s2).unwrap();
        assert_eq!(dense_registers(&s2), dense_registers(&d));
        let est = count(&d).unwrap();
        assert!((1900..=2100).contains(&est), "{est}");
    }

    #[test]
    fn promotion_respects_the_limit() {
        let mut s = new_sparse();
        let mut i = 0u32;
        while encoding(&s) == SPARSE {
            add(&mut s, &i.to_le_bytes(), 300).unwrap();
            assert!(s.len() <= 300 || encoding(&s) == DENSE);
            i += 1;
        }
        assert_eq!(s.len(), DENSE_SIZE);
    }

    #[test]
    fn corrupted_values_are_reported() {
        let mut v = new_sparse();
        v.truncate(HDR_SIZE + 1); // half an XZERO opcode: covers 16128
        assert_eq!(count(&v), Err(Corrupt));
        let mut w = v.clone();
        assert_eq!(sparse_to_dense(&mut w), Err(Corrupt));
        let mut max = vec![0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &v), Err(Corrupt));
        // Opcodes covering too few registers: sparse_set runs off the end.
        let mut short = new_sparse();
        short.truncate(HDR_SIZE);
        short.push(zero_op(10));
        assert_eq!(set_register(&mut short, 5000, 3, 3000), Err(Corrupt));
        // Garbage never panics.
        for seed in 0..200u64 {
            let mut g = new_sparse();
            g.truncate(HDR_SIZE);
            let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            for _ in 0..(seed % 40) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                g.push(x as u8);
            }
            let _ = count(&g);
            let _ = add(&mut g.clone(), b"x", 3000);
            let _ = merge_into(&mut max, &g);
            let _ = decode_sparse(&g);
        }
    }
}
