//! Helpers shared by the collection command groups (lists, hashes, sets,
//! sorted sets, geo, SORT): Valkey's argument parsers with their exact error
//! texts, blocking timeouts, the *SCAN option parser, and glob matching.

use crate::server::{err, CmdError, Ctx};
use crate::util::num::{parse_f64, parse_i64, parse_u64};
use bytes::Bytes;

/// `getLongLongFromObjectOrReply`: a strict integer, else `msg` (or the
/// generic "not an integer" error).
pub fn get_i64(arg: &[u8], msg: Option<&'static str>) -> Result<i64, CmdError> {
    parse_i64(arg).ok_or_else(|| CmdError::from(msg.unwrap_or(err::NOT_INT)))
}

/// `getRangeLongFromObjectOrReply`.
pub fn get_range(
    arg: &[u8],
    min: i64,
    max: i64,
    msg: Option<&'static str>,
) -> Result<i64, CmdError> {
    let v = get_i64(arg, msg)?;
    if v < min || v > max {
        return Err(match msg {
            Some(m) => CmdError::from(m),
            None => CmdError::from(format!(
                "ERR value is out of range, value must between {min} and {max}"
            )),
        });
    }
    Ok(v)
}

/// `getPositiveLongFromObjectOrReply`.
pub fn get_positive(arg: &[u8], msg: Option<&'static str>) -> Result<i64, CmdError> {
    get_range(arg, 0, i64::MAX, Some(msg.unwrap_or(err::NOT_POSITIVE)))
}

/// A double argument (`getDoubleFromObjectOrReply`): "value is not a valid
/// float" on failure.
pub fn get_f64(arg: &[u8]) -> Result<f64, CmdError> {
    parse_f64(arg).ok_or_else(|| CmdError::from(err::NOT_FLOAT))
}

/// Valkey's `getDoubleFromObject`: `strtod` over the whole string, no
/// leading space, NaN refused, and literals that overflow to infinity or
/// underflow to zero refused (explicit `inf` is fine).
pub fn parse_double_strict(s: &[u8]) -> Option<f64> {
    let v = parse_f64(s)?;
    let lower = s.to_ascii_lowercase();
    let explicit_inf = lower.ends_with(b"inf") || lower.ends_with(b"infinity");
    if v.is_infinite() && !explicit_inf {
        return None;
    }
    if v == 0.0 && s.iter().any(|c| (b'1'..=b'9').contains(c)) {
        // Underflow: digits before an exponent but a zero result.
        let mant_nonzero = s
            .iter()
            .take_while(|c| !matches!(c, b'e' | b'E'))
            .any(|c| (b'1'..=b'9').contains(c));
        if mant_nonzero {
            return None;
        }
    }
    Some(v)
}

/// A double argument: "value is not a valid float" (or `msg`) on failure.
pub fn get_double(arg: &[u8], msg: Option<&'static str>) -> Result<f64, CmdError> {
    parse_double_strict(arg).ok_or_else(|| CmdError::from(msg.unwrap_or(err::NOT_FLOAT)))
}

/// `strtod` as used by range parsing: leading spaces allowed, an empty
/// string reads as 0, NaN refused; overflow gives infinity.
pub fn parse_strtod(s: &[u8]) -> Option<f64> {
    let t = s
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .map_or(&s[s.len()..], |i| &s[i..]);
    if t.is_empty() {
        return Some(0.0);
    }
    parse_f64(t)
}

/// Blocking-command timeout in seconds (may be fractional): returns the
/// absolute deadline in ms, or 0 to block forever.
pub fn parse_timeout(arg: &[u8], now_ms: i64) -> Result<i64, CmdError> {
    const BAD: &str = "ERR timeout is not a float or out of range";
    if arg.len() >= 5 * 1024 {
        return Err(BAD.into());
    }
    let secs = parse_f64(arg).ok_or(CmdError::from(BAD))?;
    let ms = secs * 1000.0;
    if ms > i64::MAX as f64 {
        return Err("ERR timeout is out of range".into());
    }
    let t = ms.ceil();
    if t < 0.0 {
        return Err("ERR timeout is negative".into());
    }
    let t = t as i64;
    if t == 0 {
        return Ok(0);
    }
    t.checked_add(now_ms)
        .ok_or_else(|| CmdError::from("ERR timeout is out of range"))
}

/// LEFT | RIGHT.
pub fn parse_left_right(arg: &[u8]) -> Result<crate::types::list::End, CmdError> {
    use crate::types::list::End;
    if arg.eq_ignore_ascii_case(b"left") {
        Ok(End::Head)
    } else if arg.eq_ignore_ascii_case(b"right") {
        Ok(End::Tail)
    } else {
        Err(err::SYNTAX.into())
    }
}

/// Write a listpack element as a bulk string.
#[inline]
pub fn bulk_entry(r: &mut crate::protocol::Reply, e: crate::types::listpack::LpEntry<'_>) {
    match e {
        crate::types::listpack::LpEntry::Str(s) => r.bulk(s),
        crate::types::listpack::LpEntry::Int(n) => r.bulk_int(n),
    }
}

/// Options of HSCAN / SSCAN / ZSCAN.
pub struct ScanOpts {
    pub cursor: u64,
    pub count: usize,
    pub pattern: Option<Bytes>,
    pub only_keys: bool,
}

/// Which *SCAN is parsing (for NOVALUES / NOSCORES).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ScanKind {
    Hash,
    Set,
    ZSet,
}

/// The cursor (`ERR invalid cursor`), checked before the key is looked up.
pub fn parse_cursor(arg: &[u8]) -> Result<u64, CmdError> {
    parse_u64(arg).ok_or_else(|| CmdError::from("ERR invalid cursor"))
}

/// Parse `[MATCH p] [COUNT n] [NOVALUES|NOSCORES]` from argv[3..].
pub fn parse_scan_opts(argv: &[Bytes], kind: ScanKind, cursor: u64) -> Result<ScanOpts, CmdError> {
    let mut o = ScanOpts {
        cursor,
        count: 10,
        pattern: None,
        only_keys: false,
    };
    let mut i = 3;
    while i < argv.len() {
        let more = argv.len() - i;
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"count") && more >= 2 {
            let n = get_i64(&argv[i + 1], None)?;
            if n < 1 {
                return Err(err::SYNTAX.into());
            }
            o.count = n as usize;
            i += 2;
        } else if a.eq_ignore_ascii_case(b"match") && more >= 2 {
            let p = argv[i + 1].clone();
            o.pattern = if &p[..] == b"*" { None } else { Some(p) };
            i += 2;
        } else if a.eq_ignore_ascii_case(b"novalues") {
            if kind != ScanKind::Hash {
                return Err("ERR NOVALUES option can only be used in HSCAN".into());
            }
            o.only_keys = true;
            i += 1;
        } else if a.eq_ignore_ascii_case(b"noscores") {
            if kind != ScanKind::ZSet {
                return Err("ERR NOSCORES option can only be used in ZSCAN".into());
            }
            o.only_keys = true;
            i += 1;
        } else {
            return Err(err::SYNTAX.into());
        }
    }
    Ok(o)
}

impl ScanOpts {
    pub fn matches(&self, s: &[u8]) -> bool {
        match &self.pattern {
            None => true,
            Some(p) => glob_match(p, s, false),
        }
    }
}

/// Drive a hashtable scan the way Valkey does: visit buckets until COUNT
/// elements were sampled, the cursor wraps, or 10*COUNT buckets were seen.
/// `step(cursor, &mut sampled)` scans one bucket and returns the next cursor.
pub fn scan_loop(opts: &ScanOpts, mut step: impl FnMut(u64, &mut usize) -> u64) -> u64 {
    let mut cursor = opts.cursor;
    let mut sampled = 0usize;
    let mut iterations = opts.count.saturating_mul(10);
    loop {
        cursor = step(cursor, &mut sampled);
        if cursor == 0 || iterations == 0 || sampled >= opts.count {
            break;
        }
        iterations -= 1;
    }
    cursor
}

/// Write a *SCAN reply: `[cursor, [items...]]`.
pub fn scan_reply(ctx: &mut Ctx, cursor: u64, items: &[Vec<u8>]) {
    let r = ctx.reply();
    r.array(2);
    r.bulk(itoa::Buffer::new().format(cursor).as_bytes());
    r.array(items.len());
    for it in items {
        r.bulk(it);
    }
}

/// Valkey's glob matching (`stringmatchlen`).
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    crate::util::glob::string_match(pattern, s, nocase)
}

/// `%.17g`, the layout of `ld2string(..., LD_STR_AUTO)` for doubles (ZSCAN
/// scores of big sorted sets).
pub fn fmt_17g(d: f64) -> String {
    if d.is_nan() {
        return "nan".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let sci = format!("{:.16e}", d);
    let (mant, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if !(-4..17).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles() {
        assert_eq!(parse_double_strict(b"1.5"), Some(1.5));
        assert_eq!(parse_double_strict(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_double_strict(b"1e400"), None);
        assert_eq!(parse_double_strict(b"1e-400"), None);
        assert_eq!(parse_double_strict(b"0e5"), Some(0.0));
        assert_eq!(parse_double_strict(b" 1"), None);
        assert_eq!(parse_strtod(b" 1"), Some(1.0));
        assert_eq!(parse_strtod(b""), Some(0.0));
        assert_eq!(parse_strtod(b"1e400"), Some(f64::INFINITY));
        assert_eq!(parse_strtod(b"nan"), None);
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout(b"0", 1000), Ok(0));
        assert_eq!(parse_timeout(b"1.5", 1000), Ok(2500));
        assert_eq!(parse_timeout(b"0.001", 1000), Ok(1001));
        assert!(parse_timeout(b"-1", 0).is_err());
        assert!(parse_timeout(b"abc", 0).is_err());
        assert_eq!(
            parse_timeout(b"inf", 0).unwrap_err().0,
            "ERR timeout is out of range"
        );
    }

    #[test]
    fn g17() {
        assert_eq!(fmt_17g(1.1), "1.1000000000000001");
        assert_eq!(fmt_17g(3.0), "3");
        assert_eq!(fmt_17g(0.5), "0.5");
        assert_eq!(fmt_17g(1e20), "1e+20");
        assert_eq!(fmt_17g(-2.25), "-2.25");
    }
}
