//! Exact emulation of the x87 80-bit `long double` arithmetic INCRBYFLOAT
//! relies on.
//!
//! Valkey parses both operands with `strtold`, adds them in `long double`
//! (64-bit significand, 15-bit exponent) and prints the sum with `%.17Lf`,
//! trimming trailing zeros. `f64` arithmetic gives different digits
//! (`10.5 + 0.1` prints `10.6` in Valkey, `10.6` only by luck in f64, and
//! `1e20 + 0.1` prints `100000000000000000000` in Valkey), so we redo the
//! three steps exactly: correctly rounded decimal (and hex) parsing,
//! correctly rounded addition, and exact decimal printing, all with a small
//! arbitrary-precision integer. Every step rounds to nearest, ties to even,
//! as glibc does.

use std::cmp::Ordering;

/// Largest input `string2ld` accepts is one byte shorter than this.
pub const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

/// Exponent of the smallest subnormal: values are `mant * 2^exp` with
/// `exp >= MIN_EXP`.
const MIN_EXP: i64 = -16445;
/// Values at or above `2^MAX_BITS` overflow to infinity.
const MAX_BITS: i64 = 16384;

/// A `long double` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ld {
    /// `(-1)^neg * mant * 2^exp`; zero has `mant == 0`. Non-zero values are
    /// normalised (top bit of `mant` set) unless subnormal (`exp == MIN_EXP`).
    Finite {
        neg: bool,
        mant: u64,
        exp: i64,
    },
    Inf {
        neg: bool,
    },
}

impl Ld {
    pub fn zero(neg: bool) -> Ld {
        Ld::Finite {
            neg,
            mant: 0,
            exp: 0,
        }
    }

    pub fn from_i64(n: i64) -> Ld {
        if n == 0 {
            return Ld::zero(false);
        }
        let neg = n < 0;
        let m = n.unsigned_abs();
        let lz = m.leading_zeros();
        Ld::Finite {
            neg,
            mant: m << lz,
            exp: -(lz as i64),
        }
    }

    pub fn is_finite(&self) -> bool {
        matches!(self, Ld::Finite { .. })
    }
}

// ---------------------------------------------------------------------------
// A minimal unsigned big integer (little-endian base 2^32 limbs).
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v as u32, (v >> 32) as u32]);
        b.trim();
        b
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bit_len(&self) -> u64 {
        match self.0.last() {
            None => 0,
            Some(&top) => (self.0.len() as u64 - 1) * 32 + (32 - top.leading_zeros() as u64),
        }
    }

    fn bit(&self, i: u64) -> bool {
        let w = (i / 32) as usize;
        w < self.0.len() && (self.0[w] >> (i % 32)) & 1 == 1
    }

    /// Are any of the bits below position `n` set?
    fn any_below(&self, n: u64) -> bool {
        let full = (n / 32) as usize;
        if self.0.iter().take(full).any(|&w| w != 0) {
            return true;
        }
        let rem = n % 32;
        rem != 0 && full < self.0.len() && self.0[full] & ((1u32 << rem) - 1) != 0
    }

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for w in self.0.iter_mut() {
            let v = *w as u64 * m as u64 + carry;
            *w = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    fn add_small(&mut self, a: u32) {
        let mut carry = a as u64;
        for w in self.0.iter_mut() {
            if carry == 0 {
                break;
            }
            let v = *w as u64 + carry;
            *w = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    /// Divide in place by `d`, returning the remainder.
    fn div_small(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for w in self.0.iter_mut().rev() {
            let cur = (rem << 32) | *w as u64;
            *w = (cur / d as u64) as u32;
            rem = cur % d as u64;
        }
        self.trim();
        rem as u32
    }

    fn shl(&self, n: u64) -> Big {
        if self.is_zero() {
            return Big::default();
        }
        let words = (n / 32) as usize;
        let bits = (n % 32) as u32;
        let mut out = vec![0u32; words];
        out.reserve(self.0.len() + 1);
        let mut carry = 0u32;
        for &w in &self.0 {
            if bits == 0 {
                out.push(w);
            } else {
                out.push((w << bits) | carry);
                carry = w >> (32 - bits);
            }
        }
        if carry != 0 {
            out.push(carry);
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    fn shr(&self, n: u64) -> Big {
        let words = (n / 32) as usize;
        if words >= self.0.len() {
            return Big::default();
        }
        let bits = (n % 32) as u32;
        let src = &self.0[words..];
        let mut out = Vec::with_capacity(src.len());
        for i in 0..src.len() {
            let lo = src[i] >> bits;
            let hi = if bits != 0 && i + 1 < src.len() {
                src[i + 1] << (32 - bits)
            } else {
                0
            };
            out.push(lo | hi);
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    fn cmp(&self, other: &Big) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// `self - other`, requires `self >= other`.
    fn sub(&self, other: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let a = self.0[i] as i64;
            let b = *other.0.get(i).unwrap_or(&0) as i64;
            let mut v = a - b - borrow;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            } else {
                borrow = 0;
            }
            out.push(v as u32);
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    fn add(&self, other: &Big) -> Big {
        let n = self.0.len().max(other.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let v =
                *self.0.get(i).unwrap_or(&0) as u64 + *other.0.get(i).unwrap_or(&0) as u64 + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        if carry != 0 {
            out.push(carry as u32);
        }
        Big(out)
    }

    fn low_u64(&self) -> u64 {
        let lo = *self.0.first().unwrap_or(&0) as u64;
        let hi = *self.0.get(1).unwrap_or(&0) as u64;
        lo | (hi << 32)
    }

    fn pow(base: u32, mut n: u64) -> Big {
        let mut b = Big::from_u64(1);
        // Multiply by the largest power of `base` fitting in a u32 at a time.
        let mut chunk = 1u32;
        let mut per = 0u64;
        while let Some(v) = chunk.checked_mul(base) {
            chunk = v;
            per += 1;
        }
        while n >= per {
            b.mul_small(chunk);
            n -= per;
        }
        while n > 0 {
            b.mul_small(base);
            n -= 1;
        }
        b
    }

    fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_small(1_000_000_000));
        }
        let mut s = chunks.last().map(|c| c.to_string()).unwrap_or_default();
        for c in chunks.iter().rev().skip(1) {
            s.push_str(&format!("{c:09}"));
        }
        s
    }
}

// ---------------------------------------------------------------------------
// Rounding.
// ---------------------------------------------------------------------------

/// Outcome of rounding an exact value to `long double`.
enum Rounded {
    Value(Ld),
    /// Non-zero value that rounded to zero (strtold: ERANGE + 0).
    Underflow(bool),
    Overflow,
}

/// Round `q * 2^e` (plus "something non-zero below" when `sticky`) to the
/// nearest `long double`, ties to even.
fn round(neg: bool, q: &Big, e: i64, sticky: bool) -> Rounded {
    if q.is_zero() {
        return if sticky {
            Rounded::Underflow(neg)
        } else {
            Rounded::Value(Ld::zero(neg))
        };
    }
    let bl = q.bit_len() as i64;
    // Bits to drop: keep at most 64 significant bits and never go below
    // the subnormal exponent.
    let shift = (bl - 64).max(MIN_EXP - e);
    let (mut mant, mut exp) = if shift <= 0 {
        // Exact: fits in 64 bits at this exponent.
        (q.low_u64() << (-shift) as u32, e + shift)
    } else {
        let s = shift as u64;
        let kept = q.shr(s).low_u64();
        let half = q.bit(s - 1);
        let below = sticky || q.any_below(s - 1);
        let round_up = half && (below || kept & 1 == 1);
        let (m, carry) = if round_up {
            kept.overflowing_add(1)
        } else {
            (kept, false)
        };
        if carry {
            (1u64 << 63, e + shift + 1)
        } else {
            (m, e + shift)
        }
    };
    if mant == 0 {
        return Rounded::Underflow(neg);
    }
    // Normalise (subnormals stay at MIN_EXP).
    let lz = (mant.leading_zeros() as i64).min(exp - MIN_EXP).max(0);
    mant <<= lz as u32;
    exp -= lz;
    if 64 - mant.leading_zeros() as i64 + exp > MAX_BITS {
        return Rounded::Overflow;
    }
    Rounded::Value(Ld::Finite { neg, mant, exp })
}

// ---------------------------------------------------------------------------
// Parsing (strtold + Valkey's string2ld checks).
// ---------------------------------------------------------------------------

/// Parse like Valkey's `string2ld`: the whole input must be a number
/// `strtold` accepts (decimal, hex float, `inf`/`infinity`), no leading
/// space, no NaN, no overflow and no underflow to zero.
pub fn parse(s: &[u8]) -> Option<Ld> {
    if s.is_empty() || s.len() >= MAX_LONG_DOUBLE_CHARS || is_c_space(s[0]) {
        return None;
    }
    let (neg, body) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
        return Some(Ld::Inf { neg });
    }
    let r = if body.len() >= 2 && body[0] == b'0' && (body[1] | 0x20) == b'x' {
        parse_hex(neg, &body[2..])?
    } else {
        parse_dec(neg, body)?
    };
    match r {
        Rounded::Value(v) => Some(v),
        Rounded::Underflow(_) | Rounded::Overflow => None,
    }
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Split `digits[.digits]` with the given digit predicate; returns the
/// mantissa digits, the number of fraction digits and the rest.
fn split_mantissa(s: &[u8], is_digit: impl Fn(u8) -> bool) -> Option<(Vec<u8>, i64, &[u8])> {
    let mut i = 0;
    let mut digits = Vec::new();
    while i < s.len() && is_digit(s[i]) {
        digits.push(s[i]);
        i += 1;
    }
    let mut frac = 0i64;
    if i < s.len() && s[i] == b'.' {
        i += 1;
        while i < s.len() && is_digit(s[i]) {
            digits.push(s[i]);
            frac += 1;
            i += 1;
        }
    }
    if digits.is_empty() {
        return None;
    }
    Some((digits, frac, &s[i..]))
}

/// Parse `[eE|pP][+-]digits` covering the whole rest; clamps huge values.
fn parse_exponent(rest: &[u8], marker: u8) -> Option<i64> {
    if rest.is_empty() {
        return Some(0);
    }
    if rest[0] | 0x20 != marker {
        return None;
    }
    let mut r = &rest[1..];
    let neg = match r.first() {
        Some(b'-') => {
            r = &r[1..];
            true
        }
        Some(b'+') => {
            r = &r[1..];
            false
        }
        _ => false,
    };
    if r.is_empty() || !r.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &c in r {
        v = (v * 10 + (c - b'0') as i64).min(1 << 40);
    }
    Some(if neg { -v } else { v })
}

fn parse_dec(neg: bool, s: &[u8]) -> Option<Rounded> {
    let (digits, frac, rest) = split_mantissa(s, |c| c.is_ascii_digit())?;
    let exp10 = parse_exponent(rest, b'e')? - frac;
    let first = digits.iter().position(|&c| c != b'0');
    let Some(first) = first else {
        return Some(Rounded::Value(Ld::zero(neg)));
    };
    let digits = &digits[first..];
    let nd = digits.len() as i64;
    // Quick range checks: value is in [10^(nd+exp10-1), 10^(nd+exp10)).
    if nd + exp10 > 4933 {
        return Some(Rounded::Overflow);
    }
    if nd + exp10 < -4952 {
        return Some(Rounded::Underflow(neg));
    }
    let mut d = Big::default();
    for chunk in digits.chunks(9) {
        let mut mul = 1u32;
        let mut v = 0u32;
        for &c in chunk {
            v = v * 10 + (c - b'0') as u32;
            mul *= 10;
        }
        d.mul_small(mul);
        d.add_small(v);
    }
    d.trim();
    Some(if exp10 >= 0 {
        // 10^k = 5^k * 2^k: keep the power of two in the exponent.
        let mut n = d;
        let p5 = Big::pow(5, exp10 as u64);
        n = mul_big(&n, &p5);
        round(neg, &n, exp10, false)
    } else {
        let den = Big::pow(5, (-exp10) as u64);
        ratio(neg, &d, &den, exp10)
    })
}

fn parse_hex(neg: bool, s: &[u8]) -> Option<Rounded> {
    let (digits, frac, rest) = split_mantissa(s, |c| c.is_ascii_hexdigit())?;
    let exp2 = parse_exponent(rest, b'p')? - 4 * frac;
    let mut d = Big::default();
    for &c in &digits {
        let v = (c as char).to_digit(16)?;
        d.mul_small(16);
        d.add_small(v);
    }
    d.trim();
    if d.is_zero() {
        return Some(Rounded::Value(Ld::zero(neg)));
    }
    let top = d.bit_len() as i64 + exp2;
    if top > MAX_BITS + 1 {
        return Some(Rounded::Overflow);
    }
    if top < MIN_EXP - 2 {
        return Some(Rounded::Underflow(neg));
    }
    Some(round(neg, &d, exp2, false))
}

fn mul_big(a: &Big, b: &Big) -> Big {
    if a.is_zero() || b.is_zero() {
        return Big::default();
    }
    let mut out = vec![0u32; a.0.len() + b.0.len()];
    for (i, &x) in a.0.iter().enumerate() {
        let mut carry = 0u64;
        for (j, &y) in b.0.iter().enumerate() {
            let v = out[i + j] as u64 + x as u64 * y as u64 + carry;
            out[i + j] = v as u32;
            carry = v >> 32;
        }
        let mut k = i + b.0.len();
        while carry != 0 {
            let v = out[k] as u64 + carry;
            out[k] = v as u32;
            carry = v >> 32;
            k += 1;
        }
    }
    let mut r = Big(out);
    r.trim();
    r
}

/// Round `num / den * 2^e2` to a `long double`.
fn ratio(neg: bool, num: &Big, den: &Big, e2: i64) -> Rounded {
    // Scale so that the quotient has 66..=67 bits: two guard bits plus the
    // remainder as sticky make the rounding exact.
    let s = 66 - (num.bit_len() as i64 - den.bit_len() as i64);
    let (n, d) = if s >= 0 {
        (num.shl(s as u64), den.clone())
    } else {
        (num.clone(), den.shl((-s) as u64))
    };
    // Restoring division: the quotient is below 2^68.
    let mut rem = n;
    let mut q = Big::default();
    let mut shifted = d.shl(67);
    let mut qbits = 0u128;
    for i in (0..68).rev() {
        if rem.cmp(&shifted) != Ordering::Less {
            rem = rem.sub(&shifted);
            qbits |= 1u128 << i;
        }
        shifted = shifted.shr(1);
    }
    q.0 = vec![
        qbits as u32,
        (qbits >> 32) as u32,
        (qbits >> 64) as u32,
        (qbits >> 96) as u32,
    ];
    q.trim();
    round(neg, &q, e2 - s, !rem.is_zero())
}

// ---------------------------------------------------------------------------
// Addition.
// ---------------------------------------------------------------------------

/// `a + b` rounded to `long double`; `None` when the result is NaN or
/// infinite (which INCRBYFLOAT refuses).
pub fn add(a: Ld, b: Ld) -> Option<Ld> {
    let (
        Ld::Finite {
            neg: an,
            mant: am,
            exp: ae,
        },
        Ld::Finite {
            neg: bn,
            mant: bm,
            exp: be,
        },
    ) = (a, b)
    else {
        return None;
    };
    if am == 0 && bm == 0 {
        // IEEE: -0 + -0 = -0, otherwise +0.
        return Some(Ld::zero(an && bn));
    }
    if am == 0 {
        return Some(b);
    }
    if bm == 0 {
        return Some(a);
    }
    let emin = ae.min(be);
    let x = Big::from_u64(am).shl((ae - emin) as u64);
    let y = Big::from_u64(bm).shl((be - emin) as u64);
    let (neg, mag) = if an == bn {
        (an, x.add(&y))
    } else {
        match x.cmp(&y) {
            Ordering::Equal => return Some(Ld::zero(false)),
            Ordering::Greater => (an, x.sub(&y)),
            Ordering::Less => (bn, y.sub(&x)),
        }
    };
    match round(neg, &mag, emin, false) {
        Rounded::Value(v) => Some(v),
        Rounded::Underflow(n) => Some(Ld::zero(n)),
        Rounded::Overflow => None,
    }
}

// ---------------------------------------------------------------------------
// Printing.
// ---------------------------------------------------------------------------

/// Valkey's `ld2string(..., LD_STR_HUMAN)`: `%.17Lf`, trailing zeros (and a
/// trailing point) removed, `-0` printed as `0`.
pub fn format_human(v: Ld) -> String {
    let (neg, mant, exp) = match v {
        Ld::Inf { neg } => return if neg { "-inf".into() } else { "inf".into() },
        Ld::Finite { neg, mant, exp } => (neg, mant, exp),
    };
    let mut n = Big::from_u64(mant);
    n = mul_big(&n, &Big::pow(10, 17));
    let scaled = if exp >= 0 {
        n.shl(exp as u64)
    } else {
        let s = (-exp) as u64;
        let mut q = n.shr(s);
        let half = n.bit(s - 1);
        let below = n.any_below(s - 1);
        if half && (below || q.bit(0)) {
            q.add_small(1);
        }
        q
    };
    let digits = scaled.to_decimal();
    let digits = if digits.len() < 18 {
        format!("{}{}", "0".repeat(18 - digits.len()), digits)
    } else {
        digits
    };
    let (int_part, frac_part) = digits.split_at(digits.len() - 17);
    let mut out = String::with_capacity(digits.len() + 2);
    if neg {
        out.push('-');
    }
    out.push_str(int_part);
    let frac = frac_part.trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if out == "-0" {
        out = "0".into();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr(a: &str, b: &str) -> Option<String> {
        let x = parse(a.as_bytes())?;
        let y = parse(b.as_bytes())?;
        add(x, y).map(format_human)
    }

    #[test]
    fn sums_print_like_valkey() {
        // Vectors produced by redis-server 7.0 (same long double code).
        assert_eq!(incr("10.5", "0.1").as_deref(), Some("10.6"));
        assert_eq!(incr("0.1", "0.2").as_deref(), Some("0.3"));
        assert_eq!(incr("10.50", "0.1").as_deref(), Some("10.6"));
        assert_eq!(
            incr("1e20", "0.1").as_deref(),
            Some("100000000000000000000")
        );
        assert_eq!(incr("5.0e3", "2.0e2").as_deref(), Some("5200"));
        assert_eq!(incr("0", "-0").as_deref(), Some("0"));
        assert_eq!(incr("1", "-1").as_deref(), Some("0"));
        assert_eq!(incr("0", "1e-20").as_deref(), Some("0"));
        assert_eq!(incr("0", "-1e-20").as_deref(), Some("0"));
        assert_eq!(incr("17179869184", "1.5").as_deref(), Some("17179869185.5"));
        assert_eq!(incr("0x10", "0x1p-1").as_deref(), Some("16.5"));
        assert_eq!(incr("inf", "1"), None);
    }

    #[test]
    fn parse_rejects_what_string2ld_rejects() {
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"nan",
            b"-nan",
            b"1e",
            b"1e+",
            b".",
            b"0x",
            b"1x",
            b"1e99999",
            b"1e-99999",
            b"abc",
            b"infinit",
        ] {
            assert_eq!(parse(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
        for good in [
            &b"1"[..],
            b"+1.5",
            b"-.5",
            b"5.",
            b"1E3",
            b"INF",
            b"-Infinity",
            b"0e99999",
        ] {
            assert!(parse(good).is_some(), "{:?}", String::from_utf8_lossy(good));
        }
    }

    #[test]
    fn extremes_round_trip() {
        // Largest finite long double.
        let max = parse(b"1.18973149535723176502e4932").unwrap();
        assert!(max.is_finite());
        assert!(parse(b"1.2e4932").is_none());
        // Subnormals are accepted, values rounding to zero are not.
        assert!(parse(b"4e-4951").is_some());
        assert!(parse(b"1e-4955").is_none());
        assert_eq!(
            Ld::from_i64(i64::MIN),
            parse(b"-9223372036854775808").unwrap()
        );
        assert_eq!(format_human(Ld::from_i64(-42)), "-42");
        assert_eq!(
            format_human(parse(b"0x1p-18").unwrap()),
            "0.00000381469726562"
        );
    }
}

#[cfg(test)]
mod fuzz_dump {
    /// Development aid: `LD_CASES=file cargo test dump_cases -- --ignored`
    /// prints our INCRBYFLOAT result for each "a b" line.
    #[test]
    #[ignore]
    fn dump_cases() {
        let Ok(path) = std::env::var("LD_CASES") else {
            return;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let mut it = line.split(' ');
            let (a, b) = (it.next().unwrap(), it.next().unwrap());
            let r = match (super::parse(a.as_bytes()), super::parse(b.as_bytes())) {
                (Some(x), Some(y)) => match super::add(x, y) {
                    Some(v) => super::format_human(v),
                    None => "ERR nan".into(),
                },
                _ => "ERR float".into(),
            };
            out.push_str(&r);
            out.push('\n');
        }
        std::fs::write(std::env::var("LD_OUT").unwrap(), out).unwrap();
    }
}
