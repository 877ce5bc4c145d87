//! The hash value: a listpack of field/value pairs while small
//! (`hash-max-listpack-entries`, `hash-max-listpack-value`), a hash table
//! beyond, or as soon as any field gets a TTL (Valkey 9's per-field
//! expiration exists only in the hashtable encoding, and a hash never goes
//! back to listpack).
//!
//! Table entries pack flags, the optional expire time, the field and the
//! value into one allocation. Fields with a TTL are also indexed by expire
//! time, so the active expire cycle finds due fields without a scan and
//! HLEN can discount fields already past their time.
//!
//! Expired fields that were not yet reclaimed are invisible to every read
//! (the `*_at(now)` accessors); write paths reclaim them first with
//! [`HashValue::purge_expired`], which reports the fields so the caller can
//! propagate their deletion.

use super::listpack::{Listpack, LpEntry};
use super::table::{hash_bytes, Table};
use std::collections::BTreeSet;

/// The thresholds (from config).
#[derive(Clone, Copy, Debug)]
pub struct HashLimits {
    pub max_listpack: usize,
    pub max_listpack_value: usize,
}

impl HashLimits {
    pub fn from_config(c: &crate::config::Config) -> Self {
        HashLimits {
            max_listpack: c.hash_max_listpack_entries(),
            max_listpack_value: c.hash_max_listpack_value(),
        }
    }
}

/// One table entry: `[flags][expire i64 if flagged][field len u32][field][value]`.
#[derive(Clone)]
pub struct HEntry(Box<[u8]>);

const F_EXPIRE: u8 = 1;

impl HEntry {
    fn new(field: &[u8], value: &[u8], expire: Option<i64>) -> HEntry {
        let mut v = Vec::with_capacity(1 + 8 + 4 + field.len() + value.len());
        match expire {
            Some(t) => {
                v.push(F_EXPIRE);
                v.extend_from_slice(&t.to_le_bytes());
            }
            None => v.push(0),
        }
        v.extend_from_slice(&(field.len() as u32).to_le_bytes());
        v.extend_from_slice(field);
        v.extend_from_slice(value);
        HEntry(v.into_boxed_slice())
    }

    #[inline]
    fn field_start(&self) -> usize {
        if self.0[0] & F_EXPIRE != 0 {
            9
        } else {
            1
        }
    }

    #[inline]
    pub fn field(&self) -> &[u8] {
        let s = self.field_start();
        let len =
            u32::from_le_bytes([self.0[s], self.0[s + 1], self.0[s + 2], self.0[s + 3]]) as usize;
        &self.0[s + 4..s + 4 + len]
    }

    #[inline]
    pub fn value(&self) -> &[u8] {
        let s = self.field_start();
        let len =
            u32::from_le_bytes([self.0[s], self.0[s + 1], self.0[s + 2], self.0[s + 3]]) as usize;
        &self.0[s + 4 + len..]
    }

    #[inline]
    pub fn expire(&self) -> Option<i64> {
        if self.0[0] & F_EXPIRE != 0 {
            let mut a = [0u8; 8];
            a.copy_from_slice(&self.0[1..9]);
            Some(i64::from_le_bytes(a))
        } else {
            None
        }
    }

    /// Valkey keeps a field until the clock passes its expire time.
    #[inline]
    fn live(&self, now: i64) -> bool {
        self.expire().is_none_or(|t| t >= now)
    }
}

fn he_hash(e: &HEntry) -> u64 {
    hash_bytes(e.field())
}

/// The hashtable encoding.
#[derive(Clone, Default)]
pub struct HashTable {
    t: Table<HEntry>,
    /// (expire ms, field) of every field with a TTL.
    ttl: BTreeSet<(i64, Box<[u8]>)>,
}

#[derive(Clone)]
pub enum HashValue {
    Listpack(Listpack),
    Table(Box<HashTable>),
}

impl Default for HashValue {
    fn default() -> Self {
        HashValue::Listpack(Listpack::new())
    }
}

impl std::fmt::Debug for HashValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in self.iter_at(i64::MIN) {
            m.entry(
                &String::from_utf8_lossy(&k.to_vec()),
                &String::from_utf8_lossy(&v.to_vec()),
            );
        }
        m.finish()
    }
}

impl PartialEq for HashValue {
    fn eq(&self, other: &HashValue) -> bool {
        self.len_all() == other.len_all()
            && self.iter_at(i64::MIN).all(|(k, v)| {
                k.with_bytes(|kb| {
                    other
                        .get_at(kb, i64::MIN)
                        .is_some_and(|ov| v.with_bytes(|vb| ov.eq_bytes(vb)))
                })
            })
    }
}

/// Result codes of HEXPIRE-style commands.
pub const EXP_NO_FIELD: i64 = -2;
pub const EXP_COND_FAILED: i64 = 0;
pub const EXP_SET: i64 = 1;
pub const EXP_DELETED: i64 = 2;

/// NX | XX | GT | LT of HEXPIRE.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExpireCond {
    #[default]
    None,
    Nx,
    Xx,
    Gt,
    Lt,
    /// XX and LT together: needs a TTL, and a smaller one.
    XxLt,
}

impl HashValue {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            HashValue::Listpack(_) => "listpack",
            HashValue::Table(_) => "hashtable",
        }
    }

    /// Number of stored fields, including expired ones not yet reclaimed.
    pub fn len_all(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.len() / 2,
            HashValue::Table(t) => t.t.len(),
        }
    }

    /// Number of live fields at `now`.
    pub fn len_at(&self, now: i64) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.len() / 2,
            HashValue::Table(t) => {
                // Fields live until the clock passes their time.
                let dead = t.ttl.range(..(now, Box::default())).count();
                t.t.len() - dead
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len_all() == 0
    }

    pub fn has_volatile(&self) -> bool {
        matches!(self, HashValue::Table(t) if !t.ttl.is_empty())
    }

    /// Earliest field expire time.
    pub fn next_expire(&self) -> Option<i64> {
        match self {
            HashValue::Table(t) => t.ttl.iter().next().map(|e| e.0),
            _ => None,
        }
    }

    pub fn heap_size(&self) -> usize {
        match self {
            HashValue::Listpack(lp) => lp.heap_size(),
            HashValue::Table(t) => {
                std::mem::size_of::<HashTable>()
                    + t.t.heap_size()
                    + t.t.iter().map(|e| e.0.len()).sum::<usize>()
                    + t.ttl.iter().map(|e| e.1.len() + 40).sum::<usize>()
            }
        }
    }

    /// Valkey's `hashTypeTryConversion` before adding these pairs.
    pub fn try_conversion<'a>(
        &mut self,
        new_fields: usize,
        args: impl IntoIterator<Item = &'a [u8]>,
        lim: &HashLimits,
    ) {
        if let HashValue::Listpack(_) = self {
            if new_fields > lim.max_listpack {
                self.convert_to_table(new_fields);
                return;
            }
            if args.into_iter().any(|a| a.len() > lim.max_listpack_value) {
                self.convert_to_table(0);
            }
        }
    }

    fn convert_to_table(&mut self, extra: usize) {
        if let HashValue::Listpack(lp) = self {
            let mut t = HashTable {
                t: Table::with_capacity(lp.len() / 2 + extra),
                ttl: BTreeSet::new(),
            };
            let mut it = lp.iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                k.with_bytes(|kb| {
                    v.with_bytes(|vb| {
                        t.t.insert_unique(hash_bytes(kb), HEntry::new(kb, vb, None), he_hash)
                    })
                });
            }
            *self = HashValue::Table(Box::new(t));
        }
    }

    fn lp_find(lp: &Listpack, field: &[u8]) -> Option<usize> {
        lp.find(lp.first(), field, 1)
    }

    /// The value of a live field.
    pub fn get_at(&self, field: &[u8], now: i64) -> Option<LpEntry<'_>> {
        match self {
            HashValue::Listpack(lp) => {
                let off = Self::lp_find(lp, field)?;
                lp.next(off).map(|v| lp.get(v))
            }
            HashValue::Table(t) => {
                t.t.find(hash_bytes(field), |e| e.field() == field)
                    .filter(|e| e.live(now))
                    .map(|e| LpEntry::Str(e.value()))
            }
        }
    }

    pub fn exists_at(&self, field: &[u8], now: i64) -> bool {
        self.get_at(field, now).is_some()
    }

    /// `Some(expire)` for a live field (`None` inside when it has no TTL).
    pub fn expire_of(&self, field: &[u8], now: i64) -> Option<Option<i64>> {
        match self {
            HashValue::Listpack(lp) => Self::lp_find(lp, field).map(|_| None),
            HashValue::Table(t) => {
                t.t.find(hash_bytes(field), |e| e.field() == field)
                    .filter(|e| e.live(now))
                    .map(|e| e.expire())
            }
        }
    }

    /// Set a field (clearing its TTL unless `expire` is given); returns
    /// true if the field was created. Converts when the listpack limits are
    /// crossed.
    pub fn set(
        &mut self,
        field: &[u8],
        value: &[u8],
        expire: Option<i64>,
        lim: &HashLimits,
    ) -> bool {
        if let HashValue::Listpack(_) = self {
            if expire.is_some()
                || field.len() > lim.max_listpack_value
                || value.len() > lim.max_listpack_value
            {
                self.convert_to_table(1);
            }
        }
        match self {
            HashValue::Listpack(lp) => {
                if let Some(off) = Self::lp_find(lp, field) {
                    if let Some(v) = lp.next(off) {
                        lp.replace(v, value);
                    }
                    return false;
                }
                lp.push_back(field);
                lp.push_back(value);
                if lp.len() / 2 > lim.max_listpack {
                    self.convert_to_table(0);
                }
                true
            }
            HashValue::Table(t) => {
                let h = hash_bytes(field);
                let old = t.t.remove(h, |e| e.field() == field);
                let created = match &old {
                    Some(e) => {
                        if let Some(x) = e.expire() {
                            t.ttl.remove(&(x, Box::from(field)));
                        }
                        false
                    }
                    None => true,
                };
                if let Some(x) = expire {
                    t.ttl.insert((x, Box::from(field)));
                }
                t.t.insert_unique(h, HEntry::new(field, value, expire), he_hash);
                created
            }
        }
    }

    /// Delete a field; true if it existed.
    pub fn delete(&mut self, field: &[u8]) -> bool {
        match self {
            HashValue::Listpack(lp) => match Self::lp_find(lp, field) {
                Some(off) => {
                    lp.delete_range(off, 2);
                    true
                }
                None => false,
            },
            HashValue::Table(t) => match t.t.remove(hash_bytes(field), |e| e.field() == field) {
                Some(e) => {
                    if let Some(x) = e.expire() {
                        t.ttl.remove(&(x, Box::from(field)));
                    }
                    t.t.maybe_shrink(he_hash);
                    true
                }
                None => false,
            },
        }
    }

    /// Remove up to `max` fields whose TTL passed before `now`; returns
    /// them.
    pub fn purge_expired(&mut self, now: i64, max: usize) -> Vec<Vec<u8>> {
        let HashValue::Table(t) = self else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while out.len() < max {
            let Some(first) = t.ttl.first() else {
                break;
            };
            if first.0 >= now {
                break;
            }
            let Some((_, field)) = t.ttl.pop_first() else {
                break;
            };
            t.t.remove(hash_bytes(&field), |e| e.field() == &field[..]);
            out.push(field.into_vec());
        }
        if !out.is_empty() {
            t.t.maybe_shrink(he_hash);
        }
        out
    }

    /// HEXPIRE on one field (`when` absolute ms).
    pub fn set_expire(&mut self, field: &[u8], when: i64, cond: ExpireCond, now: i64) -> i64 {
        let past = when <= now;
        if let HashValue::Listpack(lp) = self {
            if Self::lp_find(lp, field).is_none() {
                return EXP_NO_FIELD;
            }
            if matches!(cond, ExpireCond::Xx | ExpireCond::Gt | ExpireCond::XxLt) {
                return EXP_COND_FAILED;
            }
            if past {
                self.delete(field);
                return EXP_DELETED;
            }
            self.convert_to_table(0);
        }
        let HashValue::Table(t) = self else {
            return EXP_NO_FIELD;
        };
        let h = hash_bytes(field);
        let Some(e) = t.t.find(h, |e| e.field() == field).filter(|e| e.live(now)) else {
            return EXP_NO_FIELD;
        };
        let cur = e.expire();
        let ok = match cond {
            ExpireCond::None => true,
            ExpireCond::Nx => cur.is_none(),
            ExpireCond::Xx => cur.is_some(),
            ExpireCond::Gt => cur.is_some_and(|c| when > c),
            ExpireCond::Lt => cur.is_none_or(|c| when < c),
            ExpireCond::XxLt => cur.is_some_and(|c| when < c),
        };
        if !ok {
            return EXP_COND_FAILED;
        }
        if past {
            self.delete(field);
            return EXP_DELETED;
        }
        let value = e.value().to_vec();
        self.set_raw_expire(field, &value, Some(when));
        EXP_SET
    }

    fn set_raw_expire(&mut self, field: &[u8], value: &[u8], expire: Option<i64>) {
        if let HashValue::Table(t) = self {
            let h = hash_bytes(field);
            if let Some(old) = t.t.remove(h, |e| e.field() == field) {
                if let Some(x) = old.expire() {
                    t.ttl.remove(&(x, Box::from(field)));
                }
            }
            if let Some(x) = expire {
                t.ttl.insert((x, Box::from(field)));
            }
            t.t.insert_unique(h, HEntry::new(field, value, expire), he_hash);
        }
    }

    /// HPERSIST on one field: -2 missing, -1 no TTL, 1 removed.
    pub fn persist(&mut self, field: &[u8], now: i64) -> i64 {
        match self.expire_of(field, now) {
            None => -2,
            Some(None) => -1,
            Some(Some(_)) => {
                let value = self
                    .get_at(field, now)
                    .map(|v| v.to_vec())
                    .unwrap_or_default();
                self.set_raw_expire(field, &value, None);
                1
            }
        }
    }

    /// Every stored field with its value and TTL, expired or not (what a
    /// snapshot writes; loading drops the expired ones).
    pub fn for_each_raw(&self, mut f: impl FnMut(&[u8], &[u8], Option<i64>)) {
        match self {
            HashValue::Listpack(lp) => {
                let mut it = lp.iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    k.with_bytes(|k| v.with_bytes(|v| f(k, v, None)));
                }
            }
            HashValue::Table(t) => t.t.iter().for_each(|e| f(e.field(), e.value(), e.expire())),
        }
    }

    /// Live (field, value) pairs.
    pub fn iter_at(&self, now: i64) -> Box<dyn Iterator<Item = (LpEntry<'_>, LpEntry<'_>)> + '_> {
        match self {
            HashValue::Listpack(lp) => {
                let mut it = lp.iter();
                Box::new(std::iter::from_fn(move || {
                    let k = it.next()?;
                    let v = it.next()?;
                    Some((k, v))
                }))
            }
            HashValue::Table(t) => Box::new(
                t.t.iter()
                    .filter(move |e| e.live(now))
                    .map(|e| (LpEntry::Str(e.field()), LpEntry::Str(e.value()))),
            ),
        }
    }

    /// A random live pair (None if there is none or, for tables, none was
    /// found in 100 tries, as Valkey).
    pub fn random_at(
        &self,
        rng: &mut impl FnMut() -> u64,
        now: i64,
    ) -> Option<(LpEntry<'_>, LpEntry<'_>)> {
        match self {
            HashValue::Listpack(lp) => {
                let n = lp.len() / 2;
                if n == 0 {
                    return None;
                }
                let i = rng() % n as u64;
                let off = lp.seek(2 * i as i64)?;
                let v = lp.next(off)?;
                Some((lp.get(off), lp.get(v)))
            }
            HashValue::Table(t) => {
                for _ in 0..100 {
                    let e = t.t.random(rng)?;
                    if e.live(now) {
                        return Some((LpEntry::Str(e.field()), LpEntry::Str(e.value())));
                    }
                }
                None
            }
        }
    }

    /// One HSCAN step. Listpacks return everything with cursor 0.
    pub fn scan_step(
        &self,
        cursor: u64,
        now: i64,
        mut f: impl FnMut(LpEntry<'_>, LpEntry<'_>),
    ) -> u64 {
        match self {
            HashValue::Listpack(_) => {
                for (k, v) in self.iter_at(now) {
                    f(k, v);
                }
                0
            }
            HashValue::Table(t) => t.t.scan_step(cursor, he_hash, |e| {
                if e.live(now) {
                    f(LpEntry::Str(e.field()), LpEntry::Str(e.value()))
                }
            }),
        }
    }
}

/// Per-database index of the hashes that have fields with a TTL, keyed by
/// their earliest field expire time, for the active expire cycle. Entries
/// can go stale when a key is deleted or renamed by a command that does not
/// know about fields; the cycle drops or refreshes them when they come due.
#[derive(Default, Debug)]
pub struct VolatileHashes {
    set: BTreeSet<(i64, bytes::Bytes)>,
}

impl VolatileHashes {
    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// A hash's earliest field expire changed from `old` to `new`.
    pub fn update(&mut self, key: &[u8], old: Option<i64>, new: Option<i64>) {
        if old == new {
            return;
        }
        if let Some(t) = old {
            self.set.remove(&(t, bytes::Bytes::copy_from_slice(key)));
        }
        if let Some(t) = new {
            self.set.insert((t, bytes::Bytes::copy_from_slice(key)));
        }
    }

    /// Take the next entry whose time is before `now`.
    pub fn pop_due(&mut self, now: i64) -> Option<(i64, bytes::Bytes)> {
        match self.set.first() {
            Some(e) if e.0 < now => self.set.pop_first(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> HashLimits {
        HashLimits {
            max_listpack: 4,
            max_listpack_value: 8,
        }
    }

    #[test]
    fn listpack_then_table() {
        let l = lim();
        let mut h = HashValue::new();
        for i in 0..4 {
            assert!(h.set(format!("f{i}").as_bytes(), b"v", None, &l));
        }
        assert_eq!(h.encoding(), "listpack");
        assert!(!h.set(b"f1", b"w", None, &l));
        assert_eq!(h.get_at(b"f1", 0).unwrap().to_vec(), b"w");
        assert!(h.set(b"f4", b"v", None, &l));
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len_at(0), 5);
        assert_eq!(h.get_at(b"f1", 0).unwrap().to_vec(), b"w");
        assert!(h.delete(b"f1"));
        assert!(!h.delete(b"f1"));
        assert_eq!(h.len_at(0), 4);
        let mut h = HashValue::new();
        h.set(b"f", b"123456789", None, &l);
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn field_ttls() {
        let l = lim();
        let mut h = HashValue::new();
        h.set(b"a", b"1", None, &l);
        h.set(b"b", b"2", None, &l);
        assert_eq!(h.set_expire(b"a", 1000, ExpireCond::Xx, 0), EXP_COND_FAILED);
        assert_eq!(h.encoding(), "listpack");
        assert_eq!(h.set_expire(b"zz", 1000, ExpireCond::None, 0), EXP_NO_FIELD);
        assert_eq!(h.set_expire(b"a", 1000, ExpireCond::None, 0), EXP_SET);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.expire_of(b"a", 0), Some(Some(1000)));
        assert_eq!(h.set_expire(b"a", 500, ExpireCond::Gt, 0), EXP_COND_FAILED);
        assert_eq!(h.set_expire(b"a", 500, ExpireCond::Lt, 0), EXP_SET);
        assert_eq!(h.set_expire(b"b", 500, ExpireCond::Gt, 0), EXP_COND_FAILED);
        assert_eq!(h.next_expire(), Some(500));
        assert_eq!(h.len_at(500), 2);
        assert_eq!(h.len_at(501), 1);
        assert!(h.get_at(b"a", 501).is_none());
        assert_eq!(h.persist(b"b", 0), -1);
        assert!(h.purge_expired(500, 10).is_empty());
        assert_eq!(h.purge_expired(501, 10), vec![b"a".to_vec()]);
        assert_eq!(h.len_all(), 1);
        assert_eq!(h.set_expire(b"b", 10, ExpireCond::None, 20), EXP_DELETED);
        assert!(h.is_empty());
        h.set(b"c", b"3", Some(100), &l);
        assert_eq!(h.persist(b"c", 0), 1);
        assert!(!h.has_volatile());
        h.set(b"c", b"4", Some(100), &l);
        h.set(b"c", b"5", None, &l);
        assert!(!h.has_volatile());
    }
}
