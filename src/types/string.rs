//! The string value and its three encodings.
//!
//! Valkey reports `int` for strings that are canonical 64-bit integers,
//! `embstr` for strings of at most 44 bytes created in one piece, and `raw`
//! for longer strings and for any string modified in place (APPEND,
//! SETRANGE, ...). We keep the same observable encodings: integers are stored
//! as `i64`, strings up to 14 bytes live inline in the 16-byte value, longer
//! ones in a thin heap buffer tagged embstr or raw.
//! The numeric view INCRBYFLOAT needs is `util::long_double`, an exact
//! emulation of the C `long double` Valkey computes with.

use crate::util::long_double::LongDouble;
use std::borrow::Cow;
use thin_vec::ThinVec;

/// Longest string reported as `embstr`.
pub const EMBSTR_MAX: usize = 44;
const INLINE_MAX: usize = 14;

#[derive(Clone)]
pub enum Str {
    Int(i64),
    Inline { len: u8, buf: [u8; INLINE_MAX] },
    Emb(ThinVec<u8>),
    Raw(ThinVec<u8>),
}

impl Str {
    /// Build a string the way SET does: integer-encode when canonical.
    pub fn from_bytes(b: &[u8]) -> Str {
        if b.len() <= 20 {
            if let Some(n) = crate::util::num::parse_i64(b) {
                return Str::Int(n);
            }
        }
        Self::from_bytes_no_int(b)
    }

    /// Build a string keeping it as bytes (never `int`).
    pub fn from_bytes_no_int(b: &[u8]) -> Str {
        if b.len() <= INLINE_MAX {
            let mut buf = [0u8; INLINE_MAX];
            buf[..b.len()].copy_from_slice(b);
            Str::Inline {
                len: b.len() as u8,
                buf,
            }
        } else if b.len() <= EMBSTR_MAX {
            Str::Emb(ThinVec::from(b))
        } else {
            Str::Raw(ThinVec::from(b))
        }
    }

    /// A raw-encoded string (the result of in-place modification).
    pub fn raw(v: Vec<u8>) -> Str {
        Str::Raw(ThinVec::from(v))
    }

    pub fn from_i64(n: i64) -> Str {
        Str::Int(n)
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            Str::Int(_) => "int",
            Str::Inline { .. } | Str::Emb(_) => "embstr",
            Str::Raw(_) => "raw",
        }
    }

    /// Length in bytes of the string form.
    pub fn len(&self) -> usize {
        match self {
            Str::Int(n) => itoa::Buffer::new().format(*n).len(),
            Str::Inline { len, .. } => *len as usize,
            Str::Emb(v) | Str::Raw(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Run `f` on the byte form without allocating.
    #[inline]
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Str::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            Str::Inline { len, buf } => f(&buf[..*len as usize]),
            Str::Emb(v) | Str::Raw(v) => f(v),
        }
    }

    /// Borrow the bytes when not integer-encoded.
    pub fn as_slice(&self) -> Option<&[u8]> {
        match self {
            Str::Int(_) => None,
            Str::Inline { len, buf } => Some(&buf[..*len as usize]),
            Str::Emb(v) | Str::Raw(v) => Some(v),
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        self.with_bytes(|b| b.to_vec())
    }

    /// The byte form, borrowed unless integer-encoded.
    pub fn bytes(&self) -> Cow<'_, [u8]> {
        match self.as_slice() {
            Some(b) => Cow::Borrowed(b),
            None => Cow::Owned(self.to_vec()),
        }
    }

    /// Byte-wise comparison with `other` (Valkey's `compareStringObjects`
    /// equality), without allocating.
    pub fn eq_bytes(&self, other: &[u8]) -> bool {
        self.with_bytes(|b| b == other)
    }

    /// The `long double` value (`getLongDoubleFromObject`), if the string
    /// is one.
    pub fn as_long_double(&self) -> Option<LongDouble> {
        match self {
            Str::Int(n) => Some(LongDouble::from_i64(*n)),
            other => other.with_bytes(LongDouble::parse),
        }
    }

    /// Is the value stored in an `sds` (anything but `int`)? HyperLogLog
    /// commands refuse integer-encoded values.
    pub fn is_sds(&self) -> bool {
        !matches!(self, Str::Int(_))
    }

    /// The integer value, if the string is a canonical integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Str::Int(n) => Some(*n),
            other => other.with_bytes(crate::util::num::parse_i64),
        }
    }

    /// Turn into a mutable raw buffer (for APPEND, SETRANGE, SETBIT...).
    pub fn make_raw(&mut self) -> &mut ThinVec<u8> {
        if !matches!(self, Str::Raw(_)) {
            let bytes = self.to_vec();
            *self = Str::Raw(ThinVec::from(bytes));
        }
        match self {
            Str::Raw(v) => v,
            _ => unreachable!("just converted to raw"),
        }
    }

    pub fn heap_size(&self) -> usize {
        match self {
            Str::Int(_) | Str::Inline { .. } => 0,
            Str::Emb(v) | Str::Raw(v) => v.capacity() + 16,
        }
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.with_bytes(|a| other.with_bytes(|b| a == b))
    }
}

impl std::fmt::Debug for Str {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.with_bytes(|b| write!(f, "{:?}({})", String::from_utf8_lossy(b), self.encoding()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_valkey_thresholds() {
        assert_eq!(Str::from_bytes(b"12345").encoding(), "int");
        assert_eq!(Str::from_bytes(b"-1").encoding(), "int");
        assert_eq!(Str::from_bytes(b"012").encoding(), "embstr");
        assert_eq!(Str::from_bytes(b"hello").encoding(), "embstr");
        assert_eq!(Str::from_bytes(&[b'a'; 44]).encoding(), "embstr");
        assert_eq!(Str::from_bytes(&[b'a'; 45]).encoding(), "raw");
        let mut s = Str::from_bytes(b"abc");
        s.make_raw().extend_from_slice(b"def");
        assert_eq!(s.encoding(), "raw");
        assert_eq!(s.to_vec(), b"abcdef");
    }

    #[test]
    fn views() {
        assert_eq!(&*Str::from_i64(-12).bytes(), b"-12");
        assert!(Str::from_bytes(b"abc").eq_bytes(b"abc"));
        assert!(Str::from_i64(7).eq_bytes(b"7"));
        assert!(!Str::from_bytes(b"07").eq_bytes(b"7"));
        assert_eq!(
            Str::from_i64(3).as_long_double().map(|v| v.to_human()),
            Some("3".to_string())
        );
        assert!(Str::from_bytes(b"x").as_long_double().is_none());
        assert!(!Str::from_i64(1).is_sds());
    }

    #[test]
    fn int_roundtrip() {
        let s = Str::from_bytes(b"-9223372036854775808");
        assert_eq!(s.as_i64(), Some(i64::MIN));
        assert_eq!(s.len(), 20);
        assert_eq!(s.to_vec(), b"-9223372036854775808");
    }
}
