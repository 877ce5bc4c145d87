//! The RDB value format: how one key's value is written to and read from an
//! RDB file or a DUMP payload, byte-compatible with Valkey 9.
//!
//! Writing mirrors Valkey's choices so DUMP output and snapshots look the
//! same: compact encodings (listpack, intset) are written as their in-memory
//! blob, strings that are small canonical integers take the 1/2/4-byte
//! integer forms, long strings are LZF-compressed when that saves space, and
//! skiplist sorted sets are written from the highest score down.
//!
//! Reading never trusts its input: every length is checked against the bytes
//! left, blobs (listpack, intset, ziplist, zipmap) are walked by validating
//! decoders and rebuilt through our own types, so a corrupt or hostile file
//! or RESTORE payload gives an error, never a panic or an oversized
//! allocation. Rebuilding also means the loaded value takes the encoding our
//! configured thresholds give it, as Valkey converts on load.

use super::blobs::{self, itoa_vec};
use super::lzf;
use crate::types::hash::HashLimits;
use crate::types::intset::IntSet;
use crate::types::list::End;
use crate::types::listpack::LpEntry;
use crate::types::set::{Member, SetLimits};
use crate::types::zset::ZSetLimits;
use crate::types::{HashValue, ListValue, SetValue, Str, Value, ZSetValue};

/// The RDB version Valkey 9.0 and 9.1 write (with the `VALKEY` magic).
pub const RDB_VERSION: u16 = 80;

pub mod ty {
    pub const STRING: u8 = 0;
    pub const LIST: u8 = 1;
    pub const SET: u8 = 2;
    pub const ZSET: u8 = 3;
    pub const HASH: u8 = 4;
    pub const ZSET_2: u8 = 5;
    pub const MODULE_PRE_GA: u8 = 6;
    pub const MODULE_2: u8 = 7;
    pub const HASH_ZIPMAP: u8 = 9;
    pub const LIST_ZIPLIST: u8 = 10;
    pub const SET_INTSET: u8 = 11;
    pub const ZSET_ZIPLIST: u8 = 12;
    pub const HASH_ZIPLIST: u8 = 13;
    pub const LIST_QUICKLIST: u8 = 14;
    pub const STREAM_LISTPACKS: u8 = 15;
    pub const HASH_LISTPACK: u8 = 16;
    pub const ZSET_LISTPACK: u8 = 17;
    pub const LIST_QUICKLIST_2: u8 = 18;
    pub const STREAM_LISTPACKS_2: u8 = 19;
    pub const SET_LISTPACK: u8 = 20;
    pub const STREAM_LISTPACKS_3: u8 = 21;
    pub const HASH_2: u8 = 22;
}

const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

const QUICKLIST_PLAIN: u64 = 1;
const QUICKLIST_PACKED: u64 = 2;

/// Why a value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The input ended early or is malformed.
    Corrupt(&'static str),
    /// A value type we cannot load (streams, modules, unknown numbers).
    UnknownType(u8),
    /// The value was read whole but holds no element (an empty list, set,
    /// sorted set or hash). Valkey skips such keys when loading a file and
    /// refuses them in RESTORE.
    EmptyKey,
}

pub type LoadResult<T> = Result<T, LoadError>;

fn corrupt<T>(why: &'static str) -> LoadResult<T> {
    Err(LoadError::Corrupt(why))
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Serialises into a byte buffer. The snapshot writer drains the buffer to
/// the file as it grows; DUMP keeps it whole.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
    /// `rdbcompression`: LZF-compress strings longer than 20 bytes.
    pub compress: bool,
}

impl Writer {
    pub fn new(compress: bool) -> Self {
        Writer {
            buf: Vec::new(),
            compress,
        }
    }

    pub fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    pub fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    /// A length: 6, 14, 32 or 64 bits.
    pub fn length(&mut self, n: u64) {
        if n < 1 << 6 {
            self.buf.push(n as u8);
        } else if n < 1 << 14 {
            self.buf.push(0x40 | (n >> 8) as u8);
            self.buf.push(n as u8);
        } else if n <= u32::MAX as u64 {
            self.buf.push(0x80);
            self.buf.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            self.buf.push(0x81);
            self.buf.extend_from_slice(&n.to_be_bytes());
        }
    }

    pub fn millis(&mut self, ms: i64) {
        self.buf.extend_from_slice(&ms.to_le_bytes());
    }

    pub fn double(&mut self, d: f64) {
        self.buf.extend_from_slice(&d.to_le_bytes());
    }

    /// An integer in the special 1/2/4-byte forms, if it fits one.
    fn try_int(&mut self, v: i64) -> bool {
        if let Ok(x) = i8::try_from(v) {
            self.buf.push(0xC0 | ENC_INT8);
            self.buf.push(x as u8);
        } else if let Ok(x) = i16::try_from(v) {
            self.buf.push(0xC0 | ENC_INT16);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else if let Ok(x) = i32::try_from(v) {
            self.buf.push(0xC0 | ENC_INT32);
            self.buf.extend_from_slice(&x.to_le_bytes());
        } else {
            return false;
        }
        true
    }

    /// An integer-valued string.
    pub fn int_string(&mut self, v: i64) {
        if !self.try_int(v) {
            let mut b = itoa::Buffer::new();
            let s = b.format(v);
            self.length(s.len() as u64);
            self.raw(s.as_bytes());
        }
    }

    /// A string, taking the integer or LZF form when Valkey would.
    pub fn string(&mut self, s: &[u8]) {
        if s.len() <= 11 {
            if let Some(v) = crate::util::num::parse_i64(s) {
                if self.try_int(v) {
                    return;
                }
            }
        }
        if self.compress && s.len() > 20 && self.try_lzf(s) {
            return;
        }
        self.length(s.len() as u64);
        self.raw(s);
    }

    /// A string written as is (blobs: listpacks, intsets).
    pub fn blob(&mut self, s: &[u8]) {
        if self.compress && s.len() > 20 && self.try_lzf(s) {
            return;
        }
        self.length(s.len() as u64);
        self.raw(s);
    }

    fn try_lzf(&mut self, s: &[u8]) -> bool {
        let mut out = Vec::with_capacity(s.len());
        // Worth it only when at least 4 bytes are saved, as Valkey.
        if !lzf::compress(s, &mut out) || out.len() + 4 > s.len() {
            return false;
        }
        self.buf.push(0xC0 | ENC_LZF);
        self.length(out.len() as u64);
        self.length(s.len() as u64);
        self.raw(&out);
        true
    }
}

/// The RDB type byte Valkey writes for a value.
pub fn type_of(v: &Value) -> u8 {
    match v {
        Value::Str(_) => ty::STRING,
        Value::List(_) => ty::LIST_QUICKLIST_2,
        Value::Set(s) => match **s {
            SetValue::Intset(_) => ty::SET_INTSET,
            SetValue::Listpack(_) => ty::SET_LISTPACK,
            SetValue::Table(_) => ty::SET,
        },
        Value::ZSet(z) => match **z {
            ZSetValue::Listpack(_) => ty::ZSET_LISTPACK,
            ZSetValue::SkipList(_) => ty::ZSET_2,
        },
        Value::Hash(h) => match **h {
            HashValue::Listpack(_) => ty::HASH_LISTPACK,
            HashValue::Table(_) if h.has_volatile() => ty::HASH_2,
            HashValue::Table(_) => ty::HASH,
        },
    }
}

/// Write a value's body (after its type byte and key).
pub fn write_value(w: &mut Writer, v: &Value) {
    match v {
        Value::Str(s) => match s {
            Str::Int(n) => w.int_string(*n),
            _ => s.with_bytes(|b| w.string(b)),
        },
        Value::List(l) => {
            w.length(l.node_count() as u64);
            for node in l.nodes() {
                w.length(QUICKLIST_PACKED);
                w.blob(node.as_bytes());
            }
        }
        Value::Set(s) => match &**s {
            SetValue::Intset(is) => w.blob(&intset_blob(is)),
            SetValue::Listpack(lp) => w.blob(lp.as_bytes()),
            SetValue::Table(_) => {
                w.length(s.len() as u64);
                for m in s.iter() {
                    match m {
                        Member::Int(n) => w.int_string(n),
                        Member::Str(b) => w.string(b),
                    }
                }
            }
        },
        Value::ZSet(z) => match &**z {
            ZSetValue::Listpack(lp) => w.blob(lp.as_bytes()),
            ZSetValue::SkipList(_) => {
                w.length(z.len() as u64);
                let mut pos = z.last();
                while let Some(p) = pos {
                    let (m, score) = z.get(p);
                    lp_string(w, m);
                    w.double(score);
                    pos = z.prev(p);
                }
            }
        },
        Value::Hash(h) => match &**h {
            HashValue::Listpack(lp) => w.blob(lp.as_bytes()),
            HashValue::Table(_) => {
                let ttl = h.has_volatile();
                w.length(h.len_all() as u64);
                h.for_each_raw(|f, v, exp| {
                    w.string(f);
                    w.string(v);
                    if ttl {
                        w.millis(exp.unwrap_or(-1));
                    }
                });
            }
        },
    }
}

fn lp_string(w: &mut Writer, e: LpEntry<'_>) {
    match e {
        LpEntry::Int(n) => w.int_string(n),
        LpEntry::Str(b) => w.string(b),
    }
}

/// Valkey's intset blob: encoding width, length, then the members, all
/// little-endian.
fn intset_blob(is: &IntSet) -> Vec<u8> {
    let mut out = Vec::new();
    match is {
        IntSet::I16(v) => {
            out.extend_from_slice(&2u32.to_le_bytes());
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            v.iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        }
        IntSet::I32(v) => {
            out.extend_from_slice(&4u32.to_le_bytes());
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            v.iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        }
        IntSet::I64(v) => {
            out.extend_from_slice(&8u32.to_le_bytes());
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            v.iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

/// A cursor over untrusted RDB bytes.
pub struct Reader<'a> {
    data: &'a [u8],
    pub pos: usize,
}

/// The settings that shape loaded values.
#[derive(Clone, Copy)]
pub struct LoadLimits {
    pub hash: HashLimits,
    pub set: SetLimits,
    pub zset: ZSetLimits,
    pub list_fill: i64,
    /// Fields whose TTL is before this time are dropped (i64::MIN keeps all).
    pub now_ms: i64,
}

impl LoadLimits {
    /// Small fixed thresholds, without a config (unit tests).
    #[cfg(test)]
    pub fn for_tests(now_ms: i64) -> Self {
        LoadLimits {
            hash: HashLimits {
                max_listpack: 128,
                max_listpack_value: 64,
            },
            set: SetLimits {
                max_intset: 512,
                max_listpack: 128,
                max_listpack_value: 64,
            },
            zset: ZSetLimits {
                max_listpack: 128,
                max_listpack_value: 64,
            },
            list_fill: -2,
            now_ms,
        }
    }

    pub fn from_config(c: &crate::config::Config, now_ms: i64) -> Self {
        LoadLimits {
            hash: HashLimits::from_config(c),
            set: SetLimits::from_config(c),
            zset: ZSetLimits::from_config(c),
            list_fill: c.list_max_listpack_size() as i64,
            now_ms,
        }
    }
}

/// How many elements to reserve room for up front: no more than the bytes
/// left (each element takes at least one) and no more than 64K, since each
/// reserved slot costs far more than a byte; beyond that the vector grows
/// as elements actually arrive. A forged count cannot reserve gigabytes.
fn capped(n: u64, left: usize) -> usize {
    (n as usize).min(left).min(1 << 16)
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    pub fn take(&mut self, n: usize) -> LoadResult<&'a [u8]> {
        if n > self.remaining() {
            return corrupt("unexpected end of data");
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub fn byte(&mut self) -> LoadResult<u8> {
        Ok(self.take(1)?[0])
    }

    pub fn millis(&mut self) -> LoadResult<i64> {
        let b = self.take(8)?;
        Ok(i64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }

    pub fn seconds(&mut self) -> LoadResult<i64> {
        let b = self.take(4)?;
        Ok(i32::from_le_bytes(b.try_into().unwrap_or([0; 4])) as i64)
    }

    /// A length, or (true, encoding) for a specially encoded string.
    fn len_or_enc(&mut self) -> LoadResult<(bool, u64)> {
        let b = self.byte()?;
        Ok(match b >> 6 {
            0 => (false, (b & 0x3F) as u64),
            1 => (false, (((b & 0x3F) as u64) << 8) | self.byte()? as u64),
            2 => match b {
                0x80 => {
                    let x = self.take(4)?;
                    (
                        false,
                        u32::from_be_bytes(x.try_into().unwrap_or([0; 4])) as u64,
                    )
                }
                0x81 => {
                    let x = self.take(8)?;
                    (false, u64::from_be_bytes(x.try_into().unwrap_or([0; 8])))
                }
                _ => return corrupt("unknown length encoding"),
            },
            _ => (true, (b & 0x3F) as u64),
        })
    }

    pub fn length(&mut self) -> LoadResult<u64> {
        match self.len_or_enc()? {
            (false, n) => Ok(n),
            (true, _) => corrupt("encoded value where a length was expected"),
        }
    }

    /// A string in any of its forms.
    pub fn string(&mut self) -> LoadResult<Vec<u8>> {
        match self.len_or_enc()? {
            (false, n) => {
                let n = usize::try_from(n).map_err(|_| LoadError::Corrupt("string too long"))?;
                Ok(self.take(n)?.to_vec())
            }
            (true, enc) => match enc as u8 {
                ENC_INT8 => Ok(itoa_vec(self.take(1)?[0] as i8 as i64)),
                ENC_INT16 => {
                    let b = self.take(2)?;
                    Ok(itoa_vec(i16::from_le_bytes([b[0], b[1]]) as i64))
                }
                ENC_INT32 => {
                    let b = self.take(4)?;
                    Ok(itoa_vec(i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64))
                }
                ENC_LZF => {
                    let clen = self.length()? as usize;
                    let len = self.length()?;
                    let data = self.take(clen)?;
                    // A compressed run expands at most ~256/3 times; any
                    // claimed length beyond that is a lie.
                    if len as u128 > (clen as u128 + 1) * 128 {
                        return corrupt("LZF length out of range");
                    }
                    lzf::decompress(data, len as usize).ok_or(LoadError::Corrupt("bad LZF data"))
                }
                _ => corrupt("unknown string encoding"),
            },
        }
    }

    pub fn double(&mut self) -> LoadResult<f64> {
        let b = self.take(8)?;
        Ok(f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }

    /// The old text form of doubles (RDB_TYPE_ZSET).
    fn text_double(&mut self) -> LoadResult<f64> {
        let n = self.byte()?;
        match n {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            _ => {
                let b = self.take(n as usize)?;
                std::str::from_utf8(b)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .ok_or(LoadError::Corrupt("bad double"))
            }
        }
    }
}

/// Read a value of RDB type `t`. `Ok(None)`: the value ended up empty (all
/// its fields had expired), so the key is skipped.
pub fn read_value(r: &mut Reader<'_>, t: u8, lim: &LoadLimits) -> LoadResult<Option<Value>> {
    let v = match t {
        ty::STRING => Value::Str(Str::from_bytes(&r.string()?)),
        ty::LIST => {
            let n = r.length()?;
            let mut items = Vec::with_capacity(capped(n, r.remaining()));
            for _ in 0..n {
                items.push(r.string()?);
            }
            list_from(items.iter().map(|v| v.as_slice()), lim)
        }
        ty::LIST_ZIPLIST => {
            let blob = r.string()?;
            let items = blobs::ziplist(&blob).ok_or(LoadError::Corrupt("bad ziplist"))?;
            list_from(items.iter().map(|v| v.as_slice()), lim)
        }
        ty::LIST_QUICKLIST | ty::LIST_QUICKLIST_2 => {
            let nodes = r.length()?;
            let mut items: Vec<Vec<u8>> = Vec::new();
            for _ in 0..nodes {
                let container = if t == ty::LIST_QUICKLIST_2 {
                    r.length()?
                } else {
                    QUICKLIST_PACKED
                };
                let blob = r.string()?;
                match container {
                    QUICKLIST_PLAIN => items.push(blob),
                    QUICKLIST_PACKED => {
                        let node = if t == ty::LIST_QUICKLIST {
                            blobs::ziplist(&blob)
                        } else {
                            blobs::listpack(&blob)
                        }
                        .ok_or(LoadError::Corrupt("bad quicklist node"))?;
                        // An empty node is skipped, as Valkey does.
                        items.extend(node);
                    }
                    _ => return corrupt("unknown quicklist container"),
                }
            }
            list_from(items.iter().map(|v| v.as_slice()), lim)
        }
        ty::SET | ty::SET_INTSET | ty::SET_LISTPACK => {
            let members: Vec<Vec<u8>> = match t {
                ty::SET => {
                    let n = r.length()?;
                    let mut m = Vec::with_capacity(capped(n, r.remaining()));
                    for _ in 0..n {
                        m.push(r.string()?);
                    }
                    m
                }
                ty::SET_INTSET => blobs::intset(&r.string()?)
                    .ok_or(LoadError::Corrupt("bad intset"))?
                    .into_iter()
                    .map(itoa_vec)
                    .collect(),
                _ => blobs::listpack(&r.string()?).ok_or(LoadError::Corrupt("bad listpack"))?,
            };
            let Some(first) = members.first() else {
                return Err(LoadError::EmptyKey);
            };
            // A listpack stays a listpack (even of integers) while within
            // its limit, as Valkey loads it; the other forms pick the
            // encoding the members call for.
            let mut s = if t == ty::SET_LISTPACK && members.len() <= lim.set.max_listpack {
                SetValue::Listpack(crate::types::listpack::Listpack::new())
            } else {
                SetValue::create(first, members.len(), &lim.set)
            };
            for m in &members {
                if !s.add(m, &lim.set) {
                    return corrupt("duplicate set member");
                }
            }
            Value::Set(Box::new(s))
        }
        ty::ZSET | ty::ZSET_2 | ty::ZSET_ZIPLIST | ty::ZSET_LISTPACK => {
            let pairs: Vec<(Vec<u8>, f64)> = match t {
                ty::ZSET | ty::ZSET_2 => {
                    let n = r.length()?;
                    let mut p = Vec::with_capacity(capped(n, r.remaining()));
                    for _ in 0..n {
                        let m = r.string()?;
                        let s = if t == ty::ZSET_2 {
                            r.double()?
                        } else {
                            r.text_double()?
                        };
                        p.push((m, s));
                    }
                    p
                }
                _ => {
                    let blob = r.string()?;
                    let items = if t == ty::ZSET_ZIPLIST {
                        blobs::ziplist(&blob)
                    } else {
                        blobs::listpack(&blob)
                    }
                    .ok_or(LoadError::Corrupt("bad sorted set blob"))?;
                    pairs_of(items, |s| {
                        std::str::from_utf8(&s)
                            .ok()
                            .and_then(|s| s.parse::<f64>().ok())
                    })?
                }
            };
            if pairs.is_empty() {
                return Err(LoadError::EmptyKey);
            }
            if pairs.iter().any(|(_, s)| s.is_nan()) {
                return corrupt("NaN score");
            }
            let maxlen = pairs.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
            let mut z = ZSetValue::create(pairs.len(), maxlen, &lim.zset);
            for (m, s) in &pairs {
                if z.score(m).is_some() {
                    return corrupt("duplicate sorted set member");
                }
                z.insert(m, *s, &lim.zset);
            }
            Value::ZSet(Box::new(z))
        }
        ty::HASH | ty::HASH_2 | ty::HASH_ZIPMAP | ty::HASH_ZIPLIST | ty::HASH_LISTPACK => {
            let mut triples: Vec<(Vec<u8>, Vec<u8>, Option<i64>)> = Vec::new();
            match t {
                ty::HASH | ty::HASH_2 => {
                    let n = r.length()?;
                    triples.reserve(capped(n, r.remaining()));
                    for _ in 0..n {
                        let f = r.string()?;
                        let v = r.string()?;
                        let exp = if t == ty::HASH_2 {
                            Some(r.millis()?).filter(|&x| x != -1)
                        } else {
                            None
                        };
                        triples.push((f, v, exp));
                    }
                }
                _ => {
                    let blob = r.string()?;
                    let items = match t {
                        ty::HASH_ZIPMAP => blobs::zipmap(&blob),
                        ty::HASH_ZIPLIST => blobs::ziplist(&blob),
                        _ => blobs::listpack(&blob),
                    }
                    .ok_or(LoadError::Corrupt("bad hash blob"))?;
                    for (f, v) in pairs_of(items, Some)? {
                        triples.push((f, v, None));
                    }
                }
            }
            if triples.is_empty() {
                return Err(LoadError::EmptyKey);
            }
            let mut h = HashValue::new();
            let mut live = 0;
            for (f, v, exp) in &triples {
                if exp.is_some_and(|x| x < lim.now_ms) {
                    continue;
                }
                if !h.set(f, v, *exp, &lim.hash) {
                    return corrupt("duplicate hash field");
                }
                live += 1;
            }
            if live == 0 {
                return Ok(None);
            }
            Value::Hash(Box::new(h))
        }
        other => return Err(LoadError::UnknownType(other)),
    };
    if matches!(&v, Value::List(l) if l.is_empty()) {
        return Err(LoadError::EmptyKey);
    }
    Ok(Some(v))
}

fn list_from<'a>(items: impl Iterator<Item = &'a [u8]>, lim: &LoadLimits) -> Value {
    let mut l = ListValue::new();
    for it in items {
        l.try_grow(lim.list_fill, it.len(), 1);
        l.push(it, End::Tail);
    }
    Value::List(Box::new(l))
}

/// Pair up a flat element list (field, value, field, value, ...).
fn pairs_of<T>(
    items: Vec<Vec<u8>>,
    second: impl Fn(Vec<u8>) -> Option<T>,
) -> LoadResult<Vec<(Vec<u8>, T)>> {
    if !items.len().is_multiple_of(2) {
        return corrupt("odd number of elements");
    }
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut it = items.into_iter();
    while let (Some(a), Some(b)) = (it.next(), it.next()) {
        out.push((a, second(b).ok_or(LoadError::Corrupt("bad element"))?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> LoadLimits {
        LoadLimits::for_tests(1_000)
    }

    fn roundtrip(v: &Value) -> Value {
        let mut w = Writer::new(true);
        write_value(&mut w, v);
        let mut r = Reader::new(&w.buf);
        let back = read_value(&mut r, type_of(v), &lim()).unwrap().unwrap();
        assert_eq!(r.remaining(), 0);
        back
    }

    #[test]
    fn reservations_are_bounded() {
        assert_eq!(capped(u64::MAX, usize::MAX), 1 << 16);
        assert_eq!(capped(u64::MAX, 10), 10);
        assert_eq!(capped(3, 1 << 30), 3);
    }

    #[test]
    fn lengths_take_valkeys_forms() {
        for (n, bytes) in [
            (0u64, vec![0x00]),
            (63, vec![0x3F]),
            (64, vec![0x40, 0x40]),
            (16383, vec![0x7F, 0xFF]),
            (16384, vec![0x80, 0, 0, 0x40, 0]),
            (1 << 32, vec![0x81, 0, 0, 0, 1, 0, 0, 0, 0]),
        ] {
            let mut w = Writer::new(false);
            w.length(n);
            assert_eq!(w.buf, bytes, "{n}");
            assert_eq!(Reader::new(&bytes).length().unwrap(), n);
        }
    }

    #[test]
    fn strings_take_integer_and_lzf_forms() {
        let mut w = Writer::new(true);
        w.string(b"-5");
        w.string(b"1000");
        w.string(b"100000");
        w.string(b"12345678901"); // 11 chars but > i32: plain
        w.string(b"007"); // not canonical: plain
        assert_eq!(
            w.buf,
            [
                &[0xC0, 0xFB][..],
                &[0xC1, 0xE8, 0x03],
                &[0xC2, 0xA0, 0x86, 0x01, 0x00],
                &[11],
                b"12345678901",
                &[3],
                b"007"
            ]
            .concat()
        );
        let long = vec![b'a'; 200];
        let mut w = Writer::new(true);
        w.string(&long);
        assert_eq!(w.buf[0], 0xC3);
        assert!(w.buf.len() < 50);
        assert_eq!(Reader::new(&w.buf).string().unwrap(), long);
        let mut w = Writer::new(false);
        w.string(&long);
        assert_eq!(w.buf.len(), 2 + 200);
    }

    #[test]
    fn values_round_trip_in_every_encoding() {
        let l = lim();
        let s = Value::Str(Str::from_bytes(b"hello"));
        assert_eq!(roundtrip(&s), s);
        let n = Value::Str(Str::from_i64(-123456789012));
        assert_eq!(roundtrip(&n), n);
        let list = list_from(
            (0..1000)
                .map(|i| format!("elem{i}"))
                .collect::<Vec<_>>()
                .iter()
                .map(|s| s.as_bytes()),
            &l,
        );
        assert_eq!(roundtrip(&list), list);
        for members in [
            (0..10).map(|i| i.to_string()).collect::<Vec<_>>(),
            (0..10).map(|i| format!("m{i}")).collect(),
            (0..1000).map(|i| format!("m{i}")).collect(),
        ] {
            let mut s = SetValue::create(members[0].as_bytes(), members.len(), &l.set);
            for m in &members {
                s.add(m.as_bytes(), &l.set);
            }
            let v = Value::Set(Box::new(s));
            let back = roundtrip(&v);
            assert_eq!(back.encoding(), v.encoding());
            assert_eq!(back, v);
        }
        for n in [5, 500] {
            let mut z = ZSetValue::create(n, 5, &l.zset);
            for i in 0..n {
                z.insert(format!("z{i}").as_bytes(), i as f64 * 1.5, &l.zset);
            }
            let v = Value::ZSet(Box::new(z));
            let back = roundtrip(&v);
            assert_eq!(back.encoding(), v.encoding());
            let (Value::ZSet(a), Value::ZSet(b)) = (&back, &v) else {
                panic!()
            };
            assert_eq!(a.to_vec(), b.to_vec());
        }
        for n in [5, 500] {
            let mut h = HashValue::new();
            for i in 0..n {
                h.set(format!("f{i}").as_bytes(), b"v", None, &l.hash);
            }
            let v = Value::Hash(Box::new(h));
            let back = roundtrip(&v);
            assert_eq!(back.encoding(), v.encoding());
            assert_eq!(back, v);
        }
    }

    #[test]
    fn a_listpack_set_of_integers_loads_as_a_listpack() {
        let mut lp = crate::types::listpack::Listpack::new();
        for m in [b"1".as_slice(), b"2", b"3"] {
            lp.push_back(m);
        }
        let v = Value::Set(Box::new(SetValue::Listpack(lp)));
        assert_eq!(roundtrip(&v).encoding(), "listpack");
    }

    #[test]
    fn hash_field_ttls_use_hash_2_and_drop_expired_fields() {
        let l = lim();
        let mut h = HashValue::new();
        h.set(b"keep", b"1", None, &l.hash);
        h.set(b"later", b"2", Some(5_000), &l.hash);
        h.set(b"gone", b"3", Some(500), &l.hash);
        let v = Value::Hash(Box::new(h));
        assert_eq!(type_of(&v), ty::HASH_2);
        let Value::Hash(back) = roundtrip(&v) else {
            panic!()
        };
        assert_eq!(back.len_all(), 2);
        assert_eq!(back.expire_of(b"later", 0), Some(Some(5_000)));
        assert_eq!(back.expire_of(b"keep", 0), Some(None));
        assert!(back.get_at(b"gone", 0).is_none());
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        let l = lim();
        // Truncations of a valid encoding of every type.
        let mut vals = vec![Value::Str(Str::from_bytes(&[b'x'; 100]))];
        let mut z = ZSetValue::create(500, 5, &l.zset);
        for i in 0..500 {
            z.insert(format!("z{i}").as_bytes(), i as f64, &l.zset);
        }
        vals.push(Value::ZSet(Box::new(z)));
        for v in &vals {
            let mut w = Writer::new(true);
            write_value(&mut w, v);
            for cut in 0..w.buf.len() {
                let _ = read_value(&mut Reader::new(&w.buf[..cut]), type_of(v), &l);
            }
        }
        // A forged huge count does not allocate for it.
        let mut w = Writer::new(false);
        w.length(u32::MAX as u64);
        assert!(read_value(&mut Reader::new(&w.buf), ty::SET, &l).is_err());
        // Random bytes for every type.
        let mut seed = 0x12345678u64;
        for _ in 0..3000 {
            let len = (seed % 64) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            for t in 0..=22u8 {
                let _ = read_value(&mut Reader::new(&bytes), t, &l);
            }
        }
        assert_eq!(
            read_value(&mut Reader::new(&[]), ty::STREAM_LISTPACKS, &l),
            Err(LoadError::UnknownType(ty::STREAM_LISTPACKS))
        );
    }
}
