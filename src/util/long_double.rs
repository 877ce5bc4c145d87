//! Software x87 80-bit `long double`, for the commands Valkey computes in
//! `long double` and prints with `%.17Lf` (HINCRBYFLOAT, INCRBYFLOAT).
//!
//! A 64-bit mantissa makes `0.1 + 0.2` print as `0.3` where `f64` gives
//! `0.30000000000000004`, so clients see different digits unless we do
//! the same arithmetic. Only what those commands need is here: parsing with
//! `strtold`'s rules (decimal, hex, inf), correctly rounded addition, and
//! Valkey's `ld2string(LD_STR_HUMAN)` formatting. Values are
//! `mantissa * 2^exp` with a normalized 64-bit mantissa; denormals keep
//! their reduced precision.

use std::cmp::Ordering;

/// Exponent of the mantissa's least significant bit for the smallest
/// normal number (2^-16382 with 64 mantissa bits).
const MIN_NORMAL_LSB: i64 = -16382 - 63;
/// Largest LSB exponent of a finite value.
const MAX_LSB: i64 = 16383 - 63;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LongDouble {
    Zero {
        neg: bool,
    },
    /// `mant * 2^exp`, `mant` normalized (top bit set) unless denormal.
    Finite {
        neg: bool,
        mant: u64,
        exp: i64,
    },
    Inf {
        neg: bool,
    },
}

/// A small arbitrary-precision unsigned integer (little-endian u32 limbs).
#[derive(Clone, Debug, PartialEq, Eq)]
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

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for l in &mut self.0 {
            let v = *l as u64 * m as u64 + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    fn add_small(&mut self, a: u32) {
        let mut carry = a as u64;
        for l in &mut self.0 {
            if carry == 0 {
                return;
            }
            let v = *l as u64 + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.0.push(carry as u32);
        }
    }

    /// Divide in place by a small number, returning the remainder.
    fn div_small(&mut self, d: u32) -> u32 {
        let mut rem = 0u64;
        for l in self.0.iter_mut().rev() {
            let v = (rem << 32) | *l as u64;
            *l = (v / d as u64) as u32;
            rem = v % d as u64;
        }
        self.trim();
        rem as u32
    }

    fn bit_len(&self) -> u64 {
        match self.0.last() {
            None => 0,
            Some(&top) => (self.0.len() as u64 - 1) * 32 + (32 - top.leading_zeros() as u64),
        }
    }

    fn bit(&self, i: u64) -> bool {
        let limb = (i / 32) as usize;
        limb < self.0.len() && (self.0[limb] >> (i % 32)) & 1 == 1
    }

    /// True if any bit below `i` is set.
    fn any_below(&self, i: u64) -> bool {
        let full = (i / 32) as usize;
        if self.0.iter().take(full).any(|&l| l != 0) {
            return true;
        }
        let rem = i % 32;
        rem > 0 && full < self.0.len() && self.0[full] & ((1u32 << rem) - 1) != 0
    }

    fn shl(&self, n: u64) -> Big {
        let limbs = (n / 32) as usize;
        let bits = (n % 32) as u32;
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &l in &self.0 {
            if bits == 0 {
                out.push(l);
            } else {
                out.push((l << bits) | carry);
                carry = l >> (32 - bits);
            }
        }
        if carry > 0 {
            out.push(carry);
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    /// The value shifted right by `n`, truncated to u64 (caller ensures it
    /// fits).
    fn shr_u64(&self, n: u64) -> u64 {
        let mut v = 0u64;
        for i in 0..64 {
            if self.bit(n + i) {
                v |= 1 << i;
            }
        }
        v
    }

    fn cmp(&self, o: &Big) -> Ordering {
        if self.0.len() != o.0.len() {
            return self.0.len().cmp(&o.0.len());
        }
        for (a, b) in self.0.iter().rev().zip(o.0.iter().rev()) {
            if a != b {
                return a.cmp(b);
            }
        }
        Ordering::Equal
    }

    /// self -= o (self >= o).
    fn sub(&mut self, o: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let v = self.0[i] as i64 - o.0.get(i).copied().unwrap_or(0) as i64 - borrow;
            if v < 0 {
                self.0[i] = (v + (1i64 << 32)) as u32;
                borrow = 1;
            } else {
                self.0[i] = v as u32;
                borrow = 0;
            }
        }
        self.trim();
    }

    /// (self / d, self % d != 0) by binary long division.
    fn div_sticky(&self, d: &Big) -> (Big, bool) {
        let mut q = Big(vec![0; self.0.len()]);
        let mut r = Big(Vec::new());
        for i in (0..self.bit_len()).rev() {
            r.shl1_in_place(self.bit(i));
            if r.cmp(d) != Ordering::Less {
                r.sub(d);
                q.0[(i / 32) as usize] |= 1 << (i % 32);
            }
        }
        q.trim();
        (q, !r.is_zero())
    }

    /// self = self * 2 + bit.
    fn shl1_in_place(&mut self, bit: bool) {
        let mut carry = bit as u32;
        for l in &mut self.0 {
            let next = *l >> 31;
            *l = (*l << 1) | carry;
            carry = next;
        }
        if carry > 0 {
            self.0.push(carry);
        }
    }

    fn pow10(n: u64) -> Big {
        let mut b = Big::from_u64(1);
        let mut left = n;
        while left > 0 {
            let step = left.min(9);
            b.mul_small(10u32.pow(step as u32));
            left -= step;
        }
        b
    }

    fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".into();
        }
        let mut chunks = Vec::new();
        let mut n = self.clone();
        while !n.is_zero() {
            chunks.push(n.div_small(1_000_000_000));
        }
        let mut s = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s
    }
}

/// Round `value = n * 2^exp` (with `sticky` meaning "plus a bit more than
/// nothing below n") to a long double.
fn round_big(neg: bool, n: &Big, exp: i64, sticky: bool) -> LongDouble {
    let len = n.bit_len() as i64;
    if len == 0 {
        return LongDouble::Zero { neg };
    }
    // LSB exponent the result would have with a full 64-bit mantissa,
    // raised to the denormal floor.
    let lsb = (exp + len - 64).max(MIN_NORMAL_LSB);
    let shift = lsb - exp;
    let (mut mant, round_up) = if shift <= 0 {
        (n.shr_u64(0) << (-shift) as u32, false)
    } else {
        let s = shift as u64;
        let m = n.shr_u64(s);
        let half = n.bit(s - 1);
        let rest = n.any_below(s - 1) || sticky;
        (m, half && (rest || m & 1 == 1))
    };
    let mut lsb = lsb;
    if round_up {
        match mant.checked_add(1) {
            Some(v) => mant = v,
            None => {
                mant = 1 << 63;
                lsb += 1;
            }
        }
    }
    if mant == 0 {
        return LongDouble::Zero { neg };
    }
    if lsb > MAX_LSB {
        return LongDouble::Inf { neg };
    }
    LongDouble::Finite {
        neg,
        mant,
        exp: lsb,
    }
}

impl LongDouble {
    pub fn from_i64(v: i64) -> LongDouble {
        if v == 0 {
            return LongDouble::Zero { neg: false };
        }
        round_big(v < 0, &Big::from_u64(v.unsigned_abs()), 0, false)
    }

    /// The exact value of a double (every double is a long double).
    pub fn from_f64(d: f64) -> LongDouble {
        let neg = d.is_sign_negative();
        if d == 0.0 {
            return LongDouble::Zero { neg };
        }
        if d.is_infinite() || d.is_nan() {
            return LongDouble::Inf { neg };
        }
        let bits = d.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (mant, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp - 1075)
        };
        round_big(neg, &Big::from_u64(mant), e, false)
    }

    pub fn is_finite(&self) -> bool {
        !matches!(self, LongDouble::Inf { .. })
    }

    /// Valkey's `string2ld`: `strtold` on the whole string, refusing
    /// leading spaces, NaN, and results that overflow or underflow to 0.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.is_empty() || s.len() >= 5 * 1024 || s[0].is_ascii_whitespace() {
            return None;
        }
        let (neg, body) = match s[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let lower = body.to_ascii_lowercase();
        if lower == b"inf" || lower == b"infinity" {
            return Some(LongDouble::Inf { neg });
        }
        let v = if lower.starts_with(b"0x") {
            parse_hex(neg, &lower[2..])?
        } else {
            parse_dec(neg, body)?
        };
        match v {
            // Underflow to zero from a non-zero literal, or overflow.
            LongDouble::Inf { .. } => None,
            other => Some(other),
        }
    }

    fn neg(self) -> LongDouble {
        match self {
            LongDouble::Zero { neg } => LongDouble::Zero { neg: !neg },
            LongDouble::Finite { neg, mant, exp } => LongDouble::Finite {
                neg: !neg,
                mant,
                exp,
            },
            LongDouble::Inf { neg } => LongDouble::Inf { neg: !neg },
        }
    }

    /// Correctly rounded addition.
    fn sum(self, o: LongDouble) -> LongDouble {
        use LongDouble::*;
        match (self, o) {
            (Inf { neg: a }, Inf { neg: b }) if a != b => Zero { neg: false }, // NaN; callers check finiteness first
            (Inf { .. }, _) => self,
            (_, Inf { .. }) => o,
            (Zero { neg: a }, Zero { neg: b }) => Zero { neg: a && b },
            (Zero { .. }, _) => o,
            (_, Zero { .. }) => self,
            (
                Finite {
                    neg: na,
                    mant: ma,
                    exp: ea,
                },
                Finite {
                    neg: nb,
                    mant: mb,
                    exp: eb,
                },
            ) => {
                // Put both on the smaller exponent as big integers: exact.
                let e = ea.min(eb);
                let a = Big::from_u64(ma).shl((ea - e) as u64);
                let b = Big::from_u64(mb).shl((eb - e) as u64);
                if na == nb {
                    let mut sum = a;
                    let mut carry = 0u64;
                    let len = sum.0.len().max(b.0.len());
                    sum.0.resize(len, 0);
                    for i in 0..len {
                        let v = sum.0[i] as u64 + b.0.get(i).copied().unwrap_or(0) as u64 + carry;
                        sum.0[i] = v as u32;
                        carry = v >> 32;
                    }
                    if carry > 0 {
                        sum.0.push(carry as u32);
                    }
                    round_big(na, &sum, e, false)
                } else {
                    match a.cmp(&b) {
                        Ordering::Equal => Zero { neg: false },
                        Ordering::Greater => {
                            let mut d = a;
                            d.sub(&b);
                            round_big(na, &d, e, false)
                        }
                        Ordering::Less => {
                            let mut d = b;
                            d.sub(&a);
                            round_big(nb, &d, e, false)
                        }
                    }
                }
            }
        }
    }

    /// `ld2string(LD_STR_HUMAN)`: `%.17Lf` with trailing zeros (and a
    /// trailing dot) removed, `-0` printed as `0`.
    pub fn to_human(&self) -> String {
        let (neg, mut s) = match *self {
            LongDouble::Zero { neg } => (neg, "0.00000000000000000".to_string()),
            LongDouble::Inf { neg } => return if neg { "-inf".into() } else { "inf".into() },
            LongDouble::Finite { neg, mant, exp } => (neg, fixed17(mant, exp)),
        };
        if s.contains('.') {
            while s.ends_with('0') {
                s.pop();
            }
            if s.ends_with('.') {
                s.pop();
            }
        }
        if neg && s != "0" {
            s.insert(0, '-');
        }
        s
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;
    fn add(self, o: LongDouble) -> LongDouble {
        self.sum(o)
    }
}

impl std::ops::Sub for LongDouble {
    type Output = LongDouble;
    fn sub(self, o: LongDouble) -> LongDouble {
        self.sum(o.neg())
    }
}

/// `mant * 2^exp` printed with exactly 17 fraction digits, rounded half to
/// even like glibc.
fn fixed17(mant: u64, exp: i64) -> String {
    let digits = if exp >= 0 {
        let mut n = Big::from_u64(mant).shl(exp as u64);
        for _ in 0..17 {
            n.mul_small(10);
        }
        n.to_decimal()
    } else {
        let x = mant as u128 * 100_000_000_000_000_000u128;
        let s = (-exp) as u32;
        let q = if s >= 128 {
            0
        } else {
            let q = x >> s;
            let rem = x & ((1u128 << s) - 1);
            let half = 1u128 << (s - 1);
            if rem > half || (rem == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        };
        q.to_string()
    };
    let padded = format!("{:0>18}", digits);
    let (int, frac) = padded.split_at(padded.len() - 17);
    format!("{int}.{frac}")
}

fn parse_dec(neg: bool, s: &[u8]) -> Option<LongDouble> {
    let mut i = 0;
    let mut digits = Big(Vec::new());
    let mut ndigits = 0u64;
    let mut frac_digits: i64 = 0;
    let mut seen_digit = false;
    let mut seen_dot = false;
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_digit() {
            seen_digit = true;
            if !(digits.is_zero() && c == b'0') {
                digits.mul_small(10);
                digits.add_small((c - b'0') as u32);
                ndigits += 1;
            }
            if seen_dot {
                frac_digits += 1;
            }
        } else if c == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    let mut exp10: i64 = 0;
    if i < s.len() && (s[i] == b'e' || s[i] == b'E') {
        let mut j = i + 1;
        let eneg = match s.get(j) {
            Some(b'-') => {
                j += 1;
                true
            }
            Some(b'+') => {
                j += 1;
                false
            }
            _ => false,
        };
        let start = j;
        let mut e: i64 = 0;
        while j < s.len() && s[j].is_ascii_digit() {
            e = (e * 10 + (s[j] - b'0') as i64).min(1_000_000);
            j += 1;
        }
        if j == start {
            return None;
        }
        exp10 = if eneg { -e } else { e };
        i = j;
    }
    if i != s.len() {
        return None;
    }
    if digits.is_zero() {
        return Some(LongDouble::Zero { neg });
    }
    let e = exp10 - frac_digits;
    let magnitude = ndigits as i64 + e;
    if magnitude > 4934 {
        return Some(LongDouble::Inf { neg });
    }
    if magnitude < -4952 {
        return None;
    }
    let v = if e >= 0 {
        let mut n = digits;
        let p = Big::pow10(e as u64);
        // n * p
        let mut acc = Big(vec![0; n.0.len() + p.0.len() + 1]);
        for (i, &a) in n.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in p.0.iter().enumerate() {
                let v = acc.0[i + j] as u64 + a as u64 * b as u64 + carry;
                acc.0[i + j] = v as u32;
                carry = v >> 32;
            }
            let mut k = i + p.0.len();
            while carry > 0 {
                let v = acc.0[k] as u64 + carry;
                acc.0[k] = v as u32;
                carry = v >> 32;
                k += 1;
            }
        }
        acc.trim();
        n = acc;
        round_big(neg, &n, 0, false)
    } else {
        let p = Big::pow10((-e) as u64);
        let k = (66 + p.bit_len() as i64 - digits.bit_len() as i64).max(0) as u64;
        let (q, sticky) = digits.shl(k).div_sticky(&p);
        round_big(neg, &q, -(k as i64), sticky)
    };
    match v {
        LongDouble::Zero { .. } => None,
        other => Some(other),
    }
}

fn parse_hex(neg: bool, s: &[u8]) -> Option<LongDouble> {
    let mut i = 0;
    let mut n = Big(Vec::new());
    let mut frac_bits: i64 = 0;
    let mut seen_digit = false;
    let mut seen_dot = false;
    while i < s.len() {
        let c = s[i];
        let d = match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        if let Some(d) = d {
            seen_digit = true;
            n.mul_small(16);
            n.add_small(d as u32);
            if seen_dot {
                frac_bits += 4;
            }
        } else if c == b'.' && !seen_dot {
            seen_dot = true;
        } else {
            break;
        }
        i += 1;
    }
    if !seen_digit {
        return None;
    }
    let mut exp2: i64 = 0;
    if i < s.len() && s[i] == b'p' {
        let mut j = i + 1;
        let eneg = match s.get(j) {
            Some(b'-') => {
                j += 1;
                true
            }
            Some(b'+') => {
                j += 1;
                false
            }
            _ => false,
        };
        let start = j;
        let mut e: i64 = 0;
        while j < s.len() && s[j].is_ascii_digit() {
            e = (e * 10 + (s[j] - b'0') as i64).min(1_000_000);
            j += 1;
        }
        if j == start {
            return None;
        }
        exp2 = if eneg { -e } else { e };
        i = j;
    }
    if i != s.len() {
        return None;
    }
    if n.is_zero() {
        return Some(LongDouble::Zero { neg });
    }
    match round_big(neg, &n, exp2 - frac_bits, false) {
        LongDouble::Zero { .. } => None,
        other => Some(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incr_chain(start: &str, incs: &[&str]) -> Vec<String> {
        let mut v = LongDouble::parse(start.as_bytes()).unwrap();
        incs.iter()
            .map(|i| {
                // Valkey stores the printed result and parses it back.
                v = LongDouble::parse(v.to_human().as_bytes())
                    .unwrap()
                    .sum(LongDouble::parse(i.as_bytes()).unwrap());
                v.to_human()
            })
            .collect()
    }

    #[test]
    fn matches_x87_long_double() {
        // Reference values from a real server (x86-64 long double).
        assert_eq!(
            incr_chain(
                "0",
                &[
                    "0.1",
                    "0.2",
                    "0.3",
                    "10.5",
                    "-3.33",
                    "1e10",
                    "1.5e-5",
                    "3.0e3",
                    "0.0000001",
                    "123456789.123456789",
                    "-123456789.123456789"
                ]
            ),
            vec![
                "0.1",
                "0.3",
                "0.6",
                "11.1",
                "7.77",
                "10000000007.76999999955296516",
                "10000000007.77001499943435192",
                "10000003007.77001499943435192",
                "10000003007.7700150990858674",
                "10123459796.89347188826650381",
                "10000003007.7700150990858674"
            ]
        );
        let p = |s: &str| LongDouble::parse(s.as_bytes());
        assert_eq!(p("5.0e3").unwrap().sum(p("1").unwrap()).to_human(), "5001");
        assert_eq!(p("1e-20").unwrap().to_human(), "0");
        assert_eq!(
            p("0.3333333333333333333333").unwrap().to_human(),
            "0.33333333333333333"
        );
        assert_eq!(
            p("1e30").unwrap().to_human(),
            "1000000000000000000024696061952"
        );
        assert_eq!(p("-0.0").unwrap().to_human(), "0");
        assert_eq!(
            p("12345678901234567890").unwrap().to_human(),
            "12345678901234567890"
        );
        assert_eq!(p("0x10").unwrap().to_human(), "16");
        assert_eq!(p("1.e5").unwrap().to_human(), "100000");
        assert_eq!(p(".5").unwrap().to_human(), "0.5");
        assert_eq!(p("+3").unwrap().to_human(), "3");
        assert_eq!(p("1e-4940").unwrap().to_human(), "0");
        assert!(p("1e-5000").is_none());
        assert!(p("1e4933").is_none());
        assert!(p("1e").is_none());
        assert!(p(" 1").is_none());
        assert!(p("abc").is_none());
        assert!(p("nan").is_none());
        assert!(!p("inf").unwrap().is_finite());
        assert_eq!(
            LongDouble::from_f64(13.361389338970184).to_human(),
            "13.36138933897018433"
        );
        assert_eq!(LongDouble::from_f64(-0.5).to_human(), "-0.5");
        let big = p("1.7976931348623157e308").unwrap().sum(p("1").unwrap());
        assert_eq!(big.to_human(), "179769313486231569995921046774104434048386446944329178485314420765176628523124396354701868608387085564428793419425520689308708363451136055357897278026477617073498977686288394835618163294045594434929537447290627480669417384648879122776218333598953852832103282504751611691208117720159985926376802466863339536384");
    }
}
