//! A listpack: the compact encoding of small lists, hashes, sets and sorted
//! sets, byte-for-byte in Valkey's format.
//!
//! Elements are packed one after another in a single buffer: a 6-byte header
//! (total bytes, element count), the entries, and a terminating `0xFF`. An
//! entry is an encoding byte (small integers fit inside it), the payload, and
//! a "backlen" that lets the buffer be walked backwards. Strings that are
//! canonical 64-bit integers are stored as integers of 1 to 9 bytes.
//!
//! Keeping Valkey's exact layout means `bytes()` equals Valkey's `lpBytes`,
//! so size-based conversions (`list-max-listpack-size`) happen at exactly the
//! same element, and RDB/DUMP can later emit the buffer as is.
//!
//! Positions handed out by this API are byte offsets of entries inside the
//! buffer; they stay valid until the next mutation.

use crate::util::num::parse_i64;

const HEADER: usize = 6;
const EOF: u8 = 0xFF;
/// Count value meaning "too many to store in the header; walk to count".
const COUNT_UNKNOWN: u16 = u16::MAX;

/// One element, borrowed from the buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LpEntry<'a> {
    Str(&'a [u8]),
    Int(i64),
}

impl<'a> LpEntry<'a> {
    /// Run `f` on the element's string form (integers formatted on the stack).
    #[inline]
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            LpEntry::Str(s) => f(s),
            LpEntry::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        self.with_bytes(|b| b.to_vec())
    }

    /// Length of the string form.
    pub fn str_len(&self) -> usize {
        match self {
            LpEntry::Str(s) => s.len(),
            LpEntry::Int(n) => itoa::Buffer::new().format(*n).len(),
        }
    }

    /// Compare with a string (an integer entry equals its decimal form).
    #[inline]
    pub fn eq_bytes(&self, other: &[u8]) -> bool {
        match self {
            LpEntry::Str(s) => *s == other,
            LpEntry::Int(n) => {
                other.len() <= 20 && itoa::Buffer::new().format(*n).as_bytes() == other
            }
        }
    }

    /// The value as a double, if it parses as one (sorted set scores).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            LpEntry::Int(n) => Some(*n as f64),
            LpEntry::Str(s) => crate::util::num::parse_f64(s),
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            LpEntry::Int(n) => Some(*n),
            LpEntry::Str(s) => parse_i64(s),
        }
    }
}

/// Encoded form of one element (encoding byte(s) + payload), without the
/// backlen.
enum Encoded<'a> {
    Int([u8; 9], usize),
    Str([u8; 5], usize, &'a [u8]),
}

impl Encoded<'_> {
    fn len(&self) -> usize {
        match self {
            Encoded::Int(_, n) => *n,
            Encoded::Str(_, h, s) => h + s.len(),
        }
    }

    fn write(&self, out: &mut [u8]) {
        match self {
            Encoded::Int(b, n) => out[..*n].copy_from_slice(&b[..*n]),
            Encoded::Str(h, hn, s) => {
                out[..*hn].copy_from_slice(&h[..*hn]);
                out[*hn..*hn + s.len()].copy_from_slice(s);
            }
        }
    }
}

fn encode_int(v: i64) -> Encoded<'static> {
    let mut b = [0u8; 9];
    let n;
    if (0..=127).contains(&v) {
        b[0] = v as u8;
        n = 1;
    } else if (-4096..=4095).contains(&v) {
        let uv = if v < 0 { (1i64 << 13) + v } else { v } as u64;
        b[0] = ((uv >> 8) as u8) | 0xC0;
        b[1] = uv as u8;
        n = 2;
    } else if (-32768..=32767).contains(&v) {
        b[0] = 0xF1;
        b[1..3].copy_from_slice(&(v as i16).to_le_bytes());
        n = 3;
    } else if (-8_388_608..=8_388_607).contains(&v) {
        b[0] = 0xF2;
        b[1..4].copy_from_slice(&(v as i32).to_le_bytes()[..3]);
        n = 4;
    } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
        b[0] = 0xF3;
        b[1..5].copy_from_slice(&(v as i32).to_le_bytes());
        n = 5;
    } else {
        b[0] = 0xF4;
        b[1..9].copy_from_slice(&v.to_le_bytes());
        n = 9;
    }
    Encoded::Int(b, n)
}

fn encode(ele: &[u8]) -> Encoded<'_> {
    if let Some(v) = parse_i64(ele) {
        return encode_int(v);
    }
    let len = ele.len();
    let mut h = [0u8; 5];
    let hn = if len < 64 {
        h[0] = 0x80 | len as u8;
        1
    } else if len < 4096 {
        h[0] = 0xE0 | (len >> 8) as u8;
        h[1] = len as u8;
        2
    } else {
        h[0] = 0xF0;
        h[1..5].copy_from_slice(&(len as u32).to_le_bytes());
        5
    };
    Encoded::Str(h, hn, ele)
}

/// Bytes needed for the backlen of an entry of `l` bytes.
#[inline]
pub(crate) fn backlen_size(l: usize) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

pub(crate) fn write_backlen(l: usize, out: &mut [u8]) {
    let n = backlen_size(l);
    let l = l as u64;
    out[0] = (l >> (7 * (n - 1))) as u8 & if n == 1 { 0xFF } else { 0x7F };
    for (i, b) in out.iter_mut().enumerate().take(n).skip(1) {
        *b = ((l >> (7 * (n - 1 - i))) & 127) as u8 | 128;
    }
}

/// Size in bytes a listpack entry for `ele` takes (Valkey's estimate is the
/// same computation).
pub fn entry_size(ele: &[u8]) -> usize {
    let l = encode(ele).len();
    l + backlen_size(l)
}

/// A Valkey-format listpack. The buffer is an exact-size boxed slice
/// (16 bytes, no spare capacity): every change reallocates it, as Valkey's
/// listpack does, and small values stay as small as Valkey's.
#[derive(Clone, PartialEq)]
pub struct Listpack {
    buf: Box<[u8]>,
}

impl Default for Listpack {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.iter()
                    .map(|e| String::from_utf8_lossy(&e.to_vec()).into_owned()),
            )
            .finish()
    }
}

impl Listpack {
    pub fn new() -> Self {
        let mut buf = Vec::with_capacity(HEADER + 1);
        buf.extend_from_slice(&7u32.to_le_bytes());
        buf.extend_from_slice(&0u16.to_le_bytes());
        buf.push(EOF);
        Listpack {
            buf: buf.into_boxed_slice(),
        }
    }

    /// Edit the buffer as a Vec; it is stored back exact-size.
    #[inline]
    fn with_vec<R>(&mut self, f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
        let mut v = std::mem::take(&mut self.buf).into_vec();
        let r = f(&mut v);
        self.buf = v.into_boxed_slice();
        r
    }

    /// Total size in bytes (Valkey's `lpBytes`).
    #[inline]
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// The raw buffer (for RDB/DUMP).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Heap bytes held.
    pub fn heap_size(&self) -> usize {
        self.buf.len()
    }

    #[inline]
    fn header_count(&self) -> u16 {
        u16::from_le_bytes([self.buf[4], self.buf[5]])
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        let c = self.header_count();
        if c != COUNT_UNKNOWN {
            return c as usize;
        }
        let mut n = 0;
        let mut p = self.first();
        while let Some(off) = p {
            n += 1;
            p = self.next(off);
        }
        n
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf[HEADER] == EOF
    }

    fn update_header(&mut self, delta: isize) {
        let total = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let c = self.header_count();
        let new = if c == COUNT_UNKNOWN {
            COUNT_UNKNOWN
        } else {
            let n = c as isize + delta;
            if n >= COUNT_UNKNOWN as isize {
                COUNT_UNKNOWN
            } else {
                n as u16
            }
        };
        self.buf[4..6].copy_from_slice(&new.to_le_bytes());
        if new == COUNT_UNKNOWN && delta < 0 {
            // Recount: it may fit in the header again.
            let n = self.len();
            if n < COUNT_UNKNOWN as usize {
                self.buf[4..6].copy_from_slice(&(n as u16).to_le_bytes());
            }
        }
    }

    /// Offset of the end marker.
    #[inline]
    fn end(&self) -> usize {
        self.buf.len() - 1
    }

    /// (size of encoding + payload, value) of the entry at `off`.
    #[inline]
    fn decode(&self, off: usize) -> (usize, LpEntry<'_>) {
        let b = &self.buf;
        let c = b[off];
        if c & 0x80 == 0 {
            (1, LpEntry::Int(c as i64))
        } else if c & 0xC0 == 0x80 {
            let len = (c & 0x3F) as usize;
            (1 + len, LpEntry::Str(&b[off + 1..off + 1 + len]))
        } else if c & 0xE0 == 0xC0 {
            let uv = (((c & 0x1F) as i64) << 8) | b[off + 1] as i64;
            let v = if uv >= 1 << 12 { uv - (1 << 13) } else { uv };
            (2, LpEntry::Int(v))
        } else if c & 0xF0 == 0xE0 {
            let len = (((c & 0x0F) as usize) << 8) | b[off + 1] as usize;
            (2 + len, LpEntry::Str(&b[off + 2..off + 2 + len]))
        } else {
            match c {
                0xF0 => {
                    let len = u32::from_le_bytes([b[off + 1], b[off + 2], b[off + 3], b[off + 4]])
                        as usize;
                    (5 + len, LpEntry::Str(&b[off + 5..off + 5 + len]))
                }
                0xF1 => (
                    3,
                    LpEntry::Int(i16::from_le_bytes([b[off + 1], b[off + 2]]) as i64),
                ),
                0xF2 => {
                    let v = i32::from_le_bytes([0, b[off + 1], b[off + 2], b[off + 3]]) >> 8;
                    (4, LpEntry::Int(v as i64))
                }
                0xF3 => (
                    5,
                    LpEntry::Int(i32::from_le_bytes([
                        b[off + 1],
                        b[off + 2],
                        b[off + 3],
                        b[off + 4],
                    ]) as i64),
                ),
                _ => {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(&b[off + 1..off + 9]);
                    (9, LpEntry::Int(i64::from_le_bytes(a)))
                }
            }
        }
    }

    /// Total size of the entry at `off` including its backlen.
    #[inline]
    fn entry_len(&self, off: usize) -> usize {
        let l = self.decode(off).0;
        l + backlen_size(l)
    }

    /// The element at `off`.
    #[inline]
    pub fn get(&self, off: usize) -> LpEntry<'_> {
        self.decode(off).1
    }

    #[inline]
    pub fn first(&self) -> Option<usize> {
        (self.buf[HEADER] != EOF).then_some(HEADER)
    }

    #[inline]
    pub fn last(&self) -> Option<usize> {
        self.prev(self.end())
    }

    #[inline]
    pub fn next(&self, off: usize) -> Option<usize> {
        let n = off + self.entry_len(off);
        (self.buf[n] != EOF).then_some(n)
    }

    /// The entry before `off` (`off` may be the end marker).
    #[inline]
    pub fn prev(&self, off: usize) -> Option<usize> {
        if off <= HEADER {
            return None;
        }
        // Decode the backlen that ends just before `off`.
        let mut p = off - 1;
        let mut val: usize = 0;
        let mut shift = 0;
        let mut nbytes = 0;
        loop {
            let b = self.buf[p];
            val |= ((b & 127) as usize) << shift;
            nbytes += 1;
            if b & 128 == 0 {
                break;
            }
            shift += 7;
            p -= 1;
        }
        Some(off - nbytes - val)
    }

    /// Offset of element `index` (negative counts from the end).
    pub fn seek(&self, index: i64) -> Option<usize> {
        let len = self.len() as i64;
        let idx = if index < 0 { len + index } else { index };
        if idx < 0 || idx >= len {
            return None;
        }
        if idx < len / 2 {
            let mut p = self.first()?;
            for _ in 0..idx {
                p = self.next(p)?;
            }
            Some(p)
        } else {
            let mut p = self.last()?;
            for _ in 0..(len - 1 - idx) {
                p = self.prev(p)?;
            }
            Some(p)
        }
    }

    /// Iterate elements front to back.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            lp: self,
            pos: self.first(),
        }
    }

    /// Iterate elements back to front.
    pub fn iter_rev(&self) -> RevIter<'_> {
        RevIter {
            lp: self,
            pos: self.last(),
        }
    }

    /// Insert `ele` before the entry at `off` (`None` appends).
    pub fn insert(&mut self, off: Option<usize>, ele: &[u8]) {
        let enc = encode(ele);
        self.insert_encoded(off, &enc);
    }

    /// Insert an integer before `off` (`None` appends).
    pub fn insert_int(&mut self, off: Option<usize>, v: i64) {
        let enc = encode_int(v);
        self.insert_encoded(off, &enc);
    }

    fn insert_encoded(&mut self, off: Option<usize>, enc: &Encoded) {
        let at = off.unwrap_or(self.end());
        let l = enc.len();
        let total = l + backlen_size(l);
        self.with_vec(|v| {
            v.reserve_exact(total);
            let old_len = v.len();
            v.resize(old_len + total, 0);
            v.copy_within(at..old_len, at + total);
            enc.write(&mut v[at..at + l]);
            write_backlen(l, &mut v[at + l..at + total]);
        });
        self.update_header(1);
    }

    pub fn push_back(&mut self, ele: &[u8]) {
        self.insert(None, ele);
    }

    pub fn push_front(&mut self, ele: &[u8]) {
        let first = Some(HEADER);
        self.insert(first, ele);
    }

    /// Delete `n` entries starting at `off`; returns the offset of the entry
    /// that now follows (if any).
    pub fn delete_range(&mut self, off: usize, n: usize) -> Option<usize> {
        let mut end = off;
        let mut removed = 0;
        while removed < n && self.buf[end] != EOF {
            end += self.entry_len(end);
            removed += 1;
        }
        self.with_vec(|v| {
            v.drain(off..end);
        });
        self.update_header(-(removed as isize));
        (self.buf[off] != EOF).then_some(off)
    }

    /// Delete the entry at `off`; returns the offset of the next entry.
    pub fn delete(&mut self, off: usize) -> Option<usize> {
        self.delete_range(off, 1)
    }

    /// Replace the entry at `off` with `ele`.
    pub fn replace(&mut self, off: usize, ele: &[u8]) {
        let old = self.entry_len(off);
        let enc = encode(ele);
        let l = enc.len();
        let total = l + backlen_size(l);
        let mut tmp = vec![0u8; total];
        enc.write(&mut tmp[..l]);
        write_backlen(l, &mut tmp[l..]);
        self.with_vec(|v| {
            if total > old {
                v.reserve_exact(total - old);
            }
            v.splice(off..off + old, tmp);
        });
        self.update_header(0);
    }

    /// Find the first entry equal to `ele` starting at `off`, looking at
    /// every `skip + 1`-th entry (skip 1 compares only keys of key/value
    /// pairs).
    pub fn find(&self, start: Option<usize>, ele: &[u8], skip: usize) -> Option<usize> {
        let as_int = parse_i64(ele);
        let mut p = start;
        while let Some(off) = p {
            let hit = match (self.get(off), as_int) {
                (LpEntry::Int(n), Some(v)) => n == v,
                (LpEntry::Int(_), None) => false,
                (LpEntry::Str(s), _) => s == ele,
            };
            if hit {
                return Some(off);
            }
            p = self.next(off);
            for _ in 0..skip {
                match p {
                    Some(o) => p = self.next(o),
                    None => break,
                }
            }
        }
        None
    }

    /// Append every element of `other`.
    pub fn append_all(&mut self, other: &Listpack) {
        let body = &other.buf[HEADER..other.buf.len() - 1];
        let n = other.len();
        let end = self.end();
        self.with_vec(|v| {
            v.reserve_exact(body.len());
            v.splice(end..end, body.iter().copied());
        });
        let c = self.header_count() as usize;
        let total = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let cnt = if c == COUNT_UNKNOWN as usize || c + n >= COUNT_UNKNOWN as usize {
            COUNT_UNKNOWN
        } else {
            (c + n) as u16
        };
        self.buf[4..6].copy_from_slice(&cnt.to_le_bytes());
    }

    /// Split into two: this keeps the first `at` elements, the rest is
    /// returned.
    pub fn split_off(&mut self, at: usize) -> Listpack {
        let mut tail = Listpack::new();
        let Some(off) = self.seek(at as i64) else {
            return tail;
        };
        let body: Vec<u8> = self.buf[off..self.buf.len() - 1].to_vec();
        let n = self.len() - at;
        self.with_vec(|v| {
            v.truncate(off);
            v.push(EOF);
        });
        let total = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        self.buf[4..6].copy_from_slice(&(at.min(COUNT_UNKNOWN as usize) as u16).to_le_bytes());
        let end = tail.end();
        tail.with_vec(|v| {
            v.splice(end..end, body);
        });
        let total = tail.buf.len() as u32;
        tail.buf[0..4].copy_from_slice(&total.to_le_bytes());
        tail.buf[4..6].copy_from_slice(&(n.min(COUNT_UNKNOWN as usize) as u16).to_le_bytes());
        tail
    }
}

pub struct Iter<'a> {
    lp: &'a Listpack,
    pos: Option<usize>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = LpEntry<'a>;
    #[inline]
    fn next(&mut self) -> Option<LpEntry<'a>> {
        let off = self.pos?;
        self.pos = self.lp.next(off);
        Some(self.lp.get(off))
    }
}

pub struct RevIter<'a> {
    lp: &'a Listpack,
    pos: Option<usize>,
}

impl<'a> Iterator for RevIter<'a> {
    type Item = LpEntry<'a>;
    #[inline]
    fn next(&mut self) -> Option<LpEntry<'a>> {
        let off = self.pos?;
        self.pos = self.lp.prev(off);
        Some(self.lp.get(off))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(|e| e.to_vec()).collect()
    }

    #[test]
    fn empty_listpack_is_seven_bytes() {
        let lp = Listpack::new();
        assert_eq!(lp.bytes(), 7);
        assert_eq!(lp.len(), 0);
        assert!(lp.first().is_none());
    }

    #[test]
    fn roundtrip_all_encodings() {
        let vals: Vec<Vec<u8>> = vec![
            b"0".to_vec(),
            b"127".to_vec(),
            b"128".to_vec(),
            b"-1".to_vec(),
            b"-4096".to_vec(),
            b"4095".to_vec(),
            b"-32768".to_vec(),
            b"32767".to_vec(),
            b"8388607".to_vec(),
            b"-8388608".to_vec(),
            b"2147483647".to_vec(),
            b"-2147483648".to_vec(),
            b"9223372036854775807".to_vec(),
            b"-9223372036854775808".to_vec(),
            b"01".to_vec(),
            b"".to_vec(),
            b"hello".to_vec(),
            vec![b'x'; 63],
            vec![b'y'; 64],
            vec![b'z'; 4095],
            vec![b'w'; 4096],
            vec![b'v'; 20000],
        ];
        let mut lp = Listpack::new();
        for v in &vals {
            lp.push_back(v);
        }
        assert_eq!(lp.len(), vals.len());
        assert_eq!(strs(&lp), vals);
        let rev: Vec<Vec<u8>> = lp.iter_rev().map(|e| e.to_vec()).collect();
        let mut expect = vals.clone();
        expect.reverse();
        assert_eq!(rev, expect);
        assert_eq!(lp.bytes(), lp.as_bytes().len());
    }

    #[test]
    fn sizes_match_valkey() {
        // "a" is 1 byte encoding + 1 payload + 1 backlen; 5 is a 7-bit uint.
        let mut lp = Listpack::new();
        lp.push_back(b"a");
        assert_eq!(lp.bytes(), 7 + 3);
        lp.push_back(b"5");
        assert_eq!(lp.bytes(), 7 + 3 + 2);
        lp.push_back(&[b'q'; 200]);
        assert_eq!(lp.bytes(), 7 + 3 + 2 + (2 + 200 + 2));
        assert_eq!(entry_size(b"1000"), 3);
        assert_eq!(entry_size(b"100000"), 5);
    }

    #[test]
    fn insert_delete_replace_find() {
        let mut lp = Listpack::new();
        for v in [&b"a"[..], b"b", b"c", b"1", b"2"] {
            lp.push_back(v);
        }
        lp.push_front(b"z");
        assert_eq!(
            strs(&lp),
            vec![
                b"z".to_vec(),
                b"a".to_vec(),
                b"b".to_vec(),
                b"c".to_vec(),
                b"1".to_vec(),
                b"2".to_vec()
            ]
        );
        let p = lp.find(lp.first(), b"b", 0).unwrap();
        lp.replace(
            p,
            b"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        );
        assert_eq!(lp.get(p).str_len(), 75);
        let next = lp.delete(p).unwrap();
        assert_eq!(lp.get(next), LpEntry::Str(b"c"));
        assert_eq!(
            lp.find(lp.first(), b"2", 0).map(|o| lp.get(o)),
            Some(LpEntry::Int(2))
        );
        assert_eq!(lp.find(lp.first(), b"02", 0), None);
        assert_eq!(lp.len(), 5);
        assert_eq!(lp.seek(-1).map(|o| lp.get(o)), Some(LpEntry::Int(2)));
        assert_eq!(lp.seek(0).map(|o| lp.get(o)), Some(LpEntry::Str(b"z")));
        assert_eq!(lp.seek(5), None);
        let tail = lp.split_off(2);
        assert_eq!(strs(&lp), vec![b"z".to_vec(), b"a".to_vec()]);
        assert_eq!(
            strs(&tail),
            vec![b"c".to_vec(), b"1".to_vec(), b"2".to_vec()]
        );
        lp.append_all(&tail);
        assert_eq!(lp.len(), 5);
        assert_eq!(lp.bytes(), lp.as_bytes().len());
        let first = lp.first().unwrap();
        assert_eq!(lp.delete_range(first, 10), None);
        assert!(lp.is_empty());
        assert_eq!(lp.bytes(), 7);
    }

    #[test]
    fn find_with_skip_only_looks_at_keys() {
        let mut lp = Listpack::new();
        for v in [&b"f1"[..], b"v", b"v", b"x"] {
            lp.push_back(v);
        }
        let p = lp.find(lp.first(), b"v", 1).unwrap();
        assert_eq!(lp.get(lp.next(p).unwrap()), LpEntry::Str(b"x"));
    }

    use proptest::prelude::*;

    fn elem() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string().into_bytes()),
            (-200i64..200).prop_map(|n| n.to_string().into_bytes()),
            proptest::collection::vec(any::<u8>(), 0..80),
            proptest::collection::vec(any::<u8>(), 4090..4100),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Random edits agree with a Vec model, forwards and backwards, and
        /// the header stays consistent.
        #[test]
        fn matches_vec_model(ops in proptest::collection::vec((0u8..5, elem(), any::<u16>()), 1..60)) {
            let mut lp = Listpack::new();
            let mut model: Vec<Vec<u8>> = Vec::new();
            for (op, e, pos) in ops {
                let at = if model.is_empty() { 0 } else { pos as usize % model.len() };
                match op {
                    0 => { lp.push_back(&e); model.push(e); }
                    1 => { lp.push_front(&e); model.insert(0, e); }
                    2 if !model.is_empty() => {
                        let off = lp.seek(at as i64).unwrap();
                        lp.delete(off);
                        model.remove(at);
                    }
                    3 if !model.is_empty() => {
                        let off = lp.seek(at as i64).unwrap();
                        lp.replace(off, &e);
                        model[at] = e;
                    }
                    _ => {
                        let off = lp.seek(at as i64);
                        lp.insert(off, &e);
                        if off.is_some() { model.insert(at, e); } else { model.push(e); }
                    }
                }
                prop_assert_eq!(lp.len(), model.len());
                prop_assert_eq!(lp.bytes(), lp.as_bytes().len());
                prop_assert_eq!(
                    u32::from_le_bytes([lp.as_bytes()[0], lp.as_bytes()[1], lp.as_bytes()[2], lp.as_bytes()[3]]) as usize,
                    lp.bytes()
                );
            }
            prop_assert_eq!(strs(&lp), model.clone());
            let mut rev: Vec<Vec<u8>> = lp.iter_rev().map(|e| e.to_vec()).collect();
            rev.reverse();
            prop_assert_eq!(rev, model);
        }
    }

    #[test]
    fn large_counts_are_recounted() {
        let mut lp = Listpack::new();
        for i in 0..70000 {
            lp.push_back(itoa::Buffer::new().format(i % 100).as_bytes());
        }
        assert_eq!(lp.len(), 70000);
        let first = lp.first().unwrap();
        lp.delete_range(first, 10000);
        assert_eq!(lp.len(), 60000);
        assert_eq!(
            u16::from_le_bytes([lp.as_bytes()[4], lp.as_bytes()[5]]),
            60000
        );
    }
}
