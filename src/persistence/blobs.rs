//! Validating decoders for the packed blobs an RDB file may contain:
//! listpacks (Valkey 7+), ziplists and zipmaps (written by Redis before 7),
//! and intsets.
//!
//! The blobs come from files and RESTORE payloads we do not control, so
//! each decoder checks every header field, entry length and terminator
//! against the bytes actually present and returns `None` on the first
//! inconsistency. The result is plain elements; the loader rebuilds the
//! value through our own types, never adopting a foreign buffer as is.

use crate::types::listpack::{backlen_size, write_backlen};

/// Whether the entry walk at `p` has reached the blob's terminator (0xFF,
/// which must be its last byte); `None` if `p` is past the end or the
/// terminator comes early.
fn at_end(b: &[u8], p: usize) -> Option<bool> {
    match *b.get(p)? {
        0xFF if p == b.len() - 1 => Some(true),
        0xFF => None,
        _ => Some(false),
    }
}

/// Elements of a listpack, integers rendered as decimal strings.
pub fn listpack(b: &[u8]) -> Option<Vec<Vec<u8>>> {
    if b.len() < 7 {
        return None;
    }
    let total = u32::from_le_bytes(b[0..4].try_into().ok()?) as usize;
    let count = u16::from_le_bytes([b[4], b[5]]);
    if total != b.len() || b[total - 1] != 0xFF {
        return None;
    }
    let mut out = Vec::new();
    let mut p = 6;
    while !at_end(b, p)? {
        let (value, len) = lp_entry(&b[p..])?;
        p += len;
        // The backlen must encode this entry's length.
        let mut back = [0u8; 5];
        let bl = backlen_size(len);
        write_backlen(len, &mut back);
        if b.get(p..p + bl)? != &back[..bl] {
            return None;
        }
        p += bl;
        out.push(value);
    }
    if count != u16::MAX && count as usize != out.len() {
        return None;
    }
    Some(out)
}

/// One listpack entry at the start of `b`: its value and the length of
/// encoding + payload (without the backlen).
fn lp_entry(b: &[u8]) -> Option<(Vec<u8>, usize)> {
    let e = b[0];
    let int = |v: i64, len: usize| Some((itoa_vec(v), len));
    let str_at = |off: usize, n: usize| {
        let s = b.get(off..off.checked_add(n)?)?;
        Some((s.to_vec(), off + n))
    };
    if e & 0x80 == 0 {
        return int((e & 0x7F) as i64, 1);
    }
    if e & 0xC0 == 0x80 {
        return str_at(1, (e & 0x3F) as usize);
    }
    if e & 0xE0 == 0xC0 {
        let uv = (((e & 0x1F) as i64) << 8) | *b.get(1)? as i64;
        let v = if uv >= 1 << 12 { uv - (1 << 13) } else { uv };
        return int(v, 2);
    }
    if e & 0xF0 == 0xE0 {
        let n = (((e & 0x0F) as usize) << 8) | *b.get(1)? as usize;
        return str_at(2, n);
    }
    match e {
        0xF0 => {
            let n = u32::from_le_bytes(b.get(1..5)?.try_into().ok()?) as usize;
            str_at(5, n)
        }
        0xF1 => int(i16::from_le_bytes(b.get(1..3)?.try_into().ok()?) as i64, 3),
        0xF2 => {
            let x = b.get(1..4)?;
            let v = i32::from_le_bytes([0, x[0], x[1], x[2]]) >> 8;
            int(v as i64, 4)
        }
        0xF3 => int(i32::from_le_bytes(b.get(1..5)?.try_into().ok()?) as i64, 5),
        0xF4 => int(i64::from_le_bytes(b.get(1..9)?.try_into().ok()?), 9),
        _ => None,
    }
}

/// Elements of a ziplist (Redis before 7.0).
pub fn ziplist(b: &[u8]) -> Option<Vec<Vec<u8>>> {
    if b.len() < 11 {
        return None;
    }
    let total = u32::from_le_bytes(b[0..4].try_into().ok()?) as usize;
    let tail = u32::from_le_bytes(b[4..8].try_into().ok()?) as usize;
    let count = u16::from_le_bytes([b[8], b[9]]);
    if total != b.len() || b[total - 1] != 0xFF || tail >= total {
        return None;
    }
    let mut out = Vec::new();
    let mut p = 10;
    let mut prev_len = 0usize;
    let mut last_start = 10;
    while !at_end(b, p)? {
        let first = b[p];
        let start = p;
        // prevlen
        let prev = if first < 254 {
            p += 1;
            first as usize
        } else if first == 254 {
            let v = u32::from_le_bytes(b.get(p + 1..p + 5)?.try_into().ok()?) as usize;
            p += 5;
            v
        } else {
            return None;
        };
        if prev != prev_len {
            return None;
        }
        let e = *b.get(p)?;
        let str_at = |off: usize, n: usize| -> Option<(Vec<u8>, usize)> {
            let s = b.get(off..off.checked_add(n)?)?;
            Some((s.to_vec(), off + n))
        };
        let int_at = |off: usize, n: usize| -> Option<(Vec<u8>, usize)> {
            let x = b.get(off..off + n)?;
            let v = match n {
                1 => x[0] as i8 as i64,
                2 => i16::from_le_bytes([x[0], x[1]]) as i64,
                3 => (i32::from_le_bytes([0, x[0], x[1], x[2]]) >> 8) as i64,
                4 => i32::from_le_bytes([x[0], x[1], x[2], x[3]]) as i64,
                _ => i64::from_le_bytes(x.try_into().ok()?),
            };
            Some((itoa_vec(v), off + n))
        };
        let (value, end) = match e >> 6 {
            0 => str_at(p + 1, (e & 0x3F) as usize)?,
            1 => str_at(
                p + 2,
                (((e & 0x3F) as usize) << 8) | *b.get(p + 1)? as usize,
            )?,
            2 => {
                if e != 0x80 {
                    return None;
                }
                let n = u32::from_be_bytes(b.get(p + 1..p + 5)?.try_into().ok()?) as usize;
                str_at(p + 5, n)?
            }
            _ => match e {
                0xC0 => int_at(p + 1, 2)?,
                0xD0 => int_at(p + 1, 4)?,
                0xE0 => int_at(p + 1, 8)?,
                0xF0 => int_at(p + 1, 3)?,
                0xFE => int_at(p + 1, 1)?,
                0xF1..=0xFD => (itoa_vec((e & 0x0F) as i64 - 1), p + 1),
                _ => return None,
            },
        };
        if end >= total {
            return None;
        }
        out.push(value);
        prev_len = end - start;
        last_start = start;
        p = end;
    }
    if (!out.is_empty() && tail != last_start) || (count != u16::MAX && count as usize != out.len())
    {
        return None;
    }
    Some(out)
}

/// Field, value, field, value, ... of a zipmap (Redis before 2.6).
pub fn zipmap(b: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut p = 1;
    let len_at = |p: usize| -> Option<(usize, usize)> {
        match *b.get(p)? {
            n @ 0..=253 => Some((n as usize, p + 1)),
            254 => Some((
                u32::from_le_bytes(b.get(p + 1..p + 5)?.try_into().ok()?) as usize,
                p + 5,
            )),
            _ => None,
        }
    };
    while !at_end(b, p)? {
        let (klen, q) = len_at(p)?;
        let key = b.get(q..q.checked_add(klen)?)?;
        let (vlen, q) = len_at(q + klen)?;
        let free = *b.get(q)? as usize;
        let val = b.get(q + 1..(q + 1).checked_add(vlen)?)?;
        out.push(key.to_vec());
        out.push(val.to_vec());
        p = q + 1 + vlen + free;
    }
    Some(out)
}

/// Members of an intset: width, count, then strictly ascending integers.
pub fn intset(b: &[u8]) -> Option<Vec<i64>> {
    if b.len() < 8 {
        return None;
    }
    let width = u32::from_le_bytes(b[0..4].try_into().ok()?) as usize;
    let count = u32::from_le_bytes(b[4..8].try_into().ok()?) as usize;
    if !matches!(width, 2 | 4 | 8) || count.checked_mul(width)? != b.len() - 8 || count == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    for c in b[8..].chunks_exact(width) {
        let v = match width {
            2 => i16::from_le_bytes([c[0], c[1]]) as i64,
            4 => i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as i64,
            _ => i64::from_le_bytes(c.try_into().ok()?),
        };
        if out.last().is_some_and(|&l| l >= v) {
            return None;
        }
        out.push(v);
    }
    Some(out)
}

pub(crate) fn itoa_vec(v: i64) -> Vec<u8> {
    itoa::Buffer::new().format(v).as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::listpack::Listpack;

    #[test]
    fn listpack_decodes_what_we_encode() {
        let items: Vec<Vec<u8>> = [
            "0",
            "127",
            "128",
            "-1",
            "4095",
            "-4096",
            "32767",
            "-32768",
            "8388607",
            "-8388608",
            "2147483647",
            "-2147483648",
            "9223372036854775807",
            "-9223372036854775808",
            "abc",
            "",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .chain([
            vec![b'x'; 63],
            vec![b'y'; 64],
            vec![b'z'; 4095],
            vec![b'w'; 5000],
        ])
        .collect();
        let mut lp = Listpack::new();
        for it in &items {
            lp.push_back(it);
        }
        assert_eq!(listpack(lp.as_bytes()).unwrap(), items);
        // Every truncation and every single-byte corruption is handled.
        let b = lp.as_bytes().to_vec();
        for cut in 0..b.len() {
            assert!(listpack(&b[..cut]).is_none());
        }
        for i in 0..b.len().min(300) {
            let mut c = b.clone();
            c[i] ^= 0x5A;
            let _ = listpack(&c);
        }
    }

    #[test]
    fn ziplist_from_redis_6() {
        // A ziplist Redis 6.2 wrote for RPUSH l a 1 300 70000 (hand-checked
        // layout: header 10 bytes, four entries, 0xFF).
        let mut z = vec![0u8; 10];
        let entries: Vec<Vec<u8>> = vec![
            vec![0x00, 0x01, b'a'],             // prevlen 0, 1-byte string
            vec![0x03, 0xF2],                   // prevlen 3, immediate 1
            vec![0x02, 0xC0, 0x2C, 0x01],       // int16 300
            vec![0x04, 0xF0, 0x70, 0x11, 0x01], // int24 70000
        ];
        let mut tail = 0;
        for e in &entries {
            tail = z.len();
            z.extend_from_slice(e);
        }
        z.push(0xFF);
        let total = z.len() as u32;
        z[0..4].copy_from_slice(&total.to_le_bytes());
        z[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
        z[8..10].copy_from_slice(&4u16.to_le_bytes());
        let want: Vec<Vec<u8>> = ["a", "1", "300", "70000"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        assert_eq!(ziplist(&z).unwrap(), want);
        for cut in 0..z.len() {
            assert!(ziplist(&z[..cut]).is_none());
        }
        let mut bad = z.clone();
        bad[13] = 9; // wrong prevlen
        assert!(ziplist(&bad).is_none());
    }

    #[test]
    fn intset_and_zipmap() {
        let mut b = vec![2, 0, 0, 0, 3, 0, 0, 0];
        for v in [-5i16, 7, 300] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(intset(&b).unwrap(), vec![-5, 7, 300]);
        let mut unsorted = b.clone();
        unsorted.swap(8, 10);
        unsorted.swap(9, 11);
        assert!(intset(&unsorted).is_none());
        assert!(intset(&b[..b.len() - 1]).is_none());
        let zm = [2, 1, b'f', 2, 0, b'v', b'1', 1, b'g', 1, 1, b'w', 0, 0xFF];
        assert_eq!(
            zipmap(&zm).unwrap(),
            vec![b"f".to_vec(), b"v1".to_vec(), b"g".to_vec(), b"w".to_vec()]
        );
        for cut in 0..zm.len() {
            assert!(zipmap(&zm[..cut]).is_none());
        }
    }
}
