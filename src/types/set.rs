//! The set value and its three encodings: `intset` (all members are
//! integers and there are at most `set-max-intset-entries`), `listpack`
//! (at most `set-max-listpack-entries` members of at most
//! `set-max-listpack-value` bytes), `hashtable` beyond.
//!
//! Conversions follow Valkey's `setTypeAddAux`: a non-integer arriving in
//! an intset turns it into a listpack if the result stays within the
//! listpack limits, else into a hashtable; listpacks and intsets that grow
//! past their limits become hashtables. Sets never convert back except
//! when rebuilt (the *STORE commands build a fresh set).

use super::intset::IntSet;
use super::listpack::{Listpack, LpEntry};
use super::table::BytesSet;
use crate::util::num::parse_i64;

/// The thresholds (from config).
#[derive(Clone, Copy, Debug)]
pub struct SetLimits {
    pub max_intset: usize,
    pub max_listpack: usize,
    pub max_listpack_value: usize,
}

impl SetLimits {
    pub fn from_config(c: &crate::config::Config) -> Self {
        SetLimits {
            max_intset: c.set_max_intset_entries().min(1 << 30),
            max_listpack: c.set_max_listpack_entries(),
            max_listpack_value: c.set_max_listpack_value(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum SetValue {
    Intset(IntSet),
    Listpack(Listpack),
    Table(BytesSet),
}

impl PartialEq for SetValue {
    fn eq(&self, other: &SetValue) -> bool {
        self.len() == other.len() && self.iter().all(|m| m.with_bytes(|b| other.contains(b)))
    }
}

/// A member as stored: integer or bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Member<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl<'a> Member<'a> {
    #[inline]
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            Member::Str(s) => f(s),
        }
    }

    pub fn to_vec(&self) -> Vec<u8> {
        self.with_bytes(|b| b.to_vec())
    }
}

impl<'a> From<LpEntry<'a>> for Member<'a> {
    fn from(e: LpEntry<'a>) -> Self {
        match e {
            LpEntry::Int(n) => Member::Int(n),
            LpEntry::Str(s) => Member::Str(s),
        }
    }
}

fn digits10(v: i64) -> usize {
    itoa::Buffer::new().format(v).len()
}

impl SetValue {
    /// Valkey's `setTypeCreate`: the encoding a new set starting with
    /// `first` and about `size_hint` members gets.
    pub fn create(first: &[u8], size_hint: usize, lim: &SetLimits) -> SetValue {
        if parse_i64(first).is_some() && size_hint <= lim.max_intset {
            SetValue::Intset(IntSet::new())
        } else if size_hint <= lim.max_listpack {
            SetValue::Listpack(Listpack::new())
        } else {
            SetValue::Table(BytesSet::with_capacity(size_hint))
        }
    }

    /// An empty intset (the start of unions and diffs).
    pub fn new_intset() -> SetValue {
        SetValue::Intset(IntSet::new())
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            SetValue::Intset(_) => "intset",
            SetValue::Listpack(_) => "listpack",
            SetValue::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            SetValue::Intset(s) => s.len(),
            SetValue::Listpack(lp) => lp.len(),
            SetValue::Table(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn heap_size(&self) -> usize {
        match self {
            SetValue::Intset(s) => s.heap_size(),
            SetValue::Listpack(lp) => lp.heap_size(),
            SetValue::Table(t) => t.heap_size(),
        }
    }

    /// Valkey's `setTypeMaybeConvert`: presize for `size_hint` additions.
    pub fn maybe_convert(&mut self, size_hint: usize, lim: &SetLimits) {
        let convert = match self {
            SetValue::Listpack(_) => size_hint > lim.max_listpack,
            SetValue::Intset(_) => size_hint > lim.max_intset,
            SetValue::Table(_) => false,
        };
        if convert {
            self.convert_to_table(size_hint);
        }
    }

    fn convert_to_table(&mut self, cap: usize) {
        let mut t = BytesSet::with_capacity(cap.max(self.len()));
        for m in self.iter() {
            m.with_bytes(|b| t.insert(b));
        }
        *self = SetValue::Table(t);
    }

    fn convert_to_listpack(&mut self) {
        let mut lp = Listpack::new();
        for m in self.iter() {
            match m {
                Member::Int(n) => lp.insert_int(None, n),
                Member::Str(s) => lp.push_back(s),
            }
        }
        *self = SetValue::Listpack(lp);
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            SetValue::Intset(s) => parse_i64(m).is_some_and(|v| s.contains(v)),
            SetValue::Listpack(lp) => lp.find(lp.first(), m, 0).is_some(),
            SetValue::Table(t) => t.contains(m),
        }
    }

    /// Add a member; returns true if it was new.
    pub fn add(&mut self, m: &[u8], lim: &SetLimits) -> bool {
        match self {
            SetValue::Intset(s) => {
                if let Some(v) = parse_i64(m) {
                    let added = s.insert(v);
                    if added && s.len() > lim.max_intset {
                        self.convert_to_table(0);
                    }
                    return added;
                }
                let n = s.len();
                let maxelelen = match (s.min(), s.max()) {
                    (Some(a), Some(b)) => digits10(a).max(digits10(b)),
                    _ => 0,
                };
                if n < lim.max_listpack
                    && m.len() <= lim.max_listpack_value
                    && maxelelen <= lim.max_listpack_value
                {
                    self.convert_to_listpack();
                } else {
                    self.convert_to_table(n + 1);
                }
                self.add(m, lim)
            }
            SetValue::Listpack(lp) => {
                if lp.find(lp.first(), m, 0).is_some() {
                    return false;
                }
                if lp.len() < lim.max_listpack && m.len() <= lim.max_listpack_value {
                    lp.push_back(m);
                } else {
                    let n = lp.len();
                    self.convert_to_table(n + 1);
                    if let SetValue::Table(t) = self {
                        t.insert(m);
                    }
                }
                true
            }
            SetValue::Table(t) => t.insert(m),
        }
    }

    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            SetValue::Intset(s) => parse_i64(m).is_some_and(|v| s.remove(v)),
            SetValue::Listpack(lp) => match lp.find(lp.first(), m, 0) {
                Some(off) => {
                    lp.delete(off);
                    true
                }
                None => false,
            },
            SetValue::Table(t) => t.remove(m),
        }
    }

    /// Members in storage order (ascending for intsets, insertion order for
    /// listpacks).
    pub fn iter(&self) -> Box<dyn Iterator<Item = Member<'_>> + '_> {
        match self {
            SetValue::Intset(s) => Box::new(s.iter().map(Member::Int)),
            SetValue::Listpack(lp) => Box::new(lp.iter().map(Member::from)),
            SetValue::Table(t) => Box::new(t.iter().map(Member::Str)),
        }
    }

    /// A random member (not removed).
    pub fn random(&self, rng: &mut impl FnMut() -> u64) -> Option<Member<'_>> {
        if self.is_empty() {
            return None;
        }
        match self {
            SetValue::Intset(s) => s.get((rng() % s.len() as u64) as usize).map(Member::Int),
            SetValue::Listpack(lp) => {
                let i = rng() % lp.len() as u64;
                lp.seek(i as i64).map(|o| Member::from(lp.get(o)))
            }
            SetValue::Table(t) => t.random(rng).map(Member::Str),
        }
    }

    /// Remove and return a random member.
    pub fn pop_random(&mut self, rng: &mut impl FnMut() -> u64) -> Option<Vec<u8>> {
        if self.is_empty() {
            return None;
        }
        match self {
            SetValue::Intset(s) => {
                let i = (rng() % s.len() as u64) as usize;
                let v = s.remove_at(i);
                Some(itoa::Buffer::new().format(v).as_bytes().to_vec())
            }
            SetValue::Listpack(lp) => {
                let i = rng() % lp.len() as u64;
                let off = lp.seek(i as i64)?;
                let v = lp.get(off).to_vec();
                lp.delete(off);
                Some(v)
            }
            SetValue::Table(t) => {
                let v = t.random(rng)?.to_vec();
                t.remove(&v);
                Some(v)
            }
        }
    }

    /// One SSCAN step. Small encodings return everything with cursor 0.
    pub fn scan_step(&self, cursor: u64, mut f: impl FnMut(&[u8])) -> u64 {
        match self {
            SetValue::Table(t) => t.scan_step(cursor, f),
            _ => {
                for m in self.iter() {
                    m.with_bytes(&mut f);
                }
                0
            }
        }
    }

    /// Convert to an intset if every member is an integer and the count
    /// allows (Valkey's `maybeConvertToIntset`).
    pub fn maybe_to_intset(&mut self, lim: &SetLimits) {
        if matches!(self, SetValue::Intset(_)) || self.len() > lim.max_intset {
            return;
        }
        let mut is = IntSet::new();
        for m in self.iter() {
            let v = match m {
                Member::Int(n) => n,
                Member::Str(s) => match parse_i64(s) {
                    Some(n) => n,
                    None => return,
                },
            };
            is.insert(v);
        }
        *self = SetValue::Intset(is);
    }

    /// After building a set in one go (STORE results, SPOP leftovers):
    /// pick the smallest encoding its content allows.
    pub fn shrink_encoding(&mut self, lim: &SetLimits) {
        self.maybe_to_intset(lim);
        if let SetValue::Table(_) = self {
            let fits = self.len() <= lim.max_listpack
                && self
                    .iter()
                    .all(|m| m.with_bytes(|b| b.len() <= lim.max_listpack_value));
            if fits {
                self.convert_to_listpack();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> SetLimits {
        SetLimits {
            max_intset: 4,
            max_listpack: 3,
            max_listpack_value: 5,
        }
    }

    #[test]
    fn encodings_switch_like_valkey() {
        let l = lim();
        let mut s = SetValue::create(b"1", 1, &l);
        assert_eq!(s.encoding(), "intset");
        for v in ["1", "2", "3", "4"] {
            s.add(v.as_bytes(), &l);
        }
        assert_eq!(s.encoding(), "intset");
        s.add(b"5", &l);
        assert_eq!(s.encoding(), "hashtable");

        let mut s = SetValue::create(b"1", 1, &l);
        s.add(b"1", &l);
        s.add(b"a", &l);
        assert_eq!(s.encoding(), "listpack");
        s.add(b"b", &l);
        assert_eq!(s.encoding(), "listpack");
        s.add(b"c", &l);
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(s.len(), 4);
        assert!(s.contains(b"1") && s.contains(b"c"));

        let mut s = SetValue::create(b"abc", 1, &l);
        assert_eq!(s.encoding(), "listpack");
        s.add(b"toolong", &l);
        assert_eq!(s.encoding(), "hashtable");
    }

    #[test]
    fn pop_until_empty() {
        let l = lim();
        let mut s = SetValue::create(b"x", 1, &l);
        for v in ["x", "y", "z"] {
            s.add(v.as_bytes(), &l);
        }
        let mut seed = 7u64;
        let mut rng = || {
            seed = crate::util::rand::splitmix(seed);
            seed
        };
        let mut got = vec![];
        while let Some(v) = s.pop_random(&mut rng) {
            got.push(v);
        }
        got.sort();
        assert_eq!(got, vec![b"x".to_vec(), b"y".to_vec(), b"z".to_vec()]);
    }
}
