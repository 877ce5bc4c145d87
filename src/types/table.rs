//! The hash table behind the big encodings of sets, hashes and sorted sets.
//!
//! Open addressing with linear probing and one control byte per slot (7 bits
//! of the hash, so most mismatches never touch the element). The table is
//! generic over its entries and takes the hashing and equality closures per
//! call, like `hashbrown::HashTable`, so a sorted set can store bare node ids
//! and compare them through its skiplist.
//!
//! Beyond a map it offers what the commands need and std maps lack:
//! * [`Table::scan`]: Valkey's reverse-binary cursor over home slots, so
//!   SSCAN/HSCAN/ZSCAN return every element present for the whole scan even
//!   if the table grows or shrinks between calls. Deletions leave tombstones
//!   (elements never move except on a resize), which keeps every element
//!   inside the probe run that starts at its home slot.
//! * [`Table::random`]: a uniformly chosen slot, retried until full (the
//!   table never falls under 1/8 load, so this is a few tries).

use std::hash::BuildHasher;
use std::sync::OnceLock;

const EMPTY: u8 = 0xFF;
const TOMB: u8 = 0x80;
const MIN_CAP: usize = 8;

fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| crate::util::rand::splitmix(crate::util::time::now_us() as u64))
}

/// Hash a byte string (members, fields).
#[inline]
pub fn hash_bytes(b: &[u8]) -> u64 {
    foldhash::fast::FixedState::with_seed(seed()).hash_one(b)
}

#[inline]
fn h2(hash: u64) -> u8 {
    (hash >> 57) as u8 & 0x7F
}

#[derive(Clone)]
pub struct Table<E> {
    ctrl: Vec<u8>,
    slots: Vec<Option<E>>,
    len: usize,
    tombs: usize,
}

impl<E> Default for Table<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Table<E> {
    pub fn new() -> Self {
        Table {
            ctrl: Vec::new(),
            slots: Vec::new(),
            len: 0,
            tombs: 0,
        }
    }

    pub fn with_capacity(n: usize) -> Self {
        let mut t = Self::new();
        if n > 0 {
            let cap = Self::cap_for(n);
            t.ctrl = vec![EMPTY; cap];
            t.slots = (0..cap).map(|_| None).collect();
        }
        t
    }

    fn cap_for(n: usize) -> usize {
        (n.saturating_mul(4) / 3 + 1)
            .next_power_of_two()
            .max(MIN_CAP)
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn mask(&self) -> usize {
        self.ctrl.len().wrapping_sub(1)
    }

    /// Heap bytes of the table itself (not what entries point to).
    pub fn heap_size(&self) -> usize {
        self.ctrl.capacity() + self.slots.capacity() * std::mem::size_of::<Option<E>>()
    }

    fn find_slot(&self, hash: u64, eq: impl Fn(&E) -> bool) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        let tag = h2(hash);
        let mut i = hash as usize & mask;
        loop {
            let c = self.ctrl[i];
            if c == EMPTY {
                return None;
            }
            if c == tag {
                if let Some(e) = &self.slots[i] {
                    if eq(e) {
                        return Some(i);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    pub fn find(&self, hash: u64, eq: impl Fn(&E) -> bool) -> Option<&E> {
        let i = self.find_slot(hash, eq)?;
        self.slots[i].as_ref()
    }

    #[inline]
    pub fn find_mut(&mut self, hash: u64, eq: impl Fn(&E) -> bool) -> Option<&mut E> {
        let i = self.find_slot(hash, eq)?;
        self.slots[i].as_mut()
    }

    /// Insert an element known to be absent.
    pub fn insert_unique(&mut self, hash: u64, e: E, hasher: impl Fn(&E) -> u64) {
        if (self.len + self.tombs + 1) * 4 > self.ctrl.len() * 3 {
            let want = if self.len + 1 > self.ctrl.len() / 2 {
                Self::cap_for((self.len + 1) * 2)
            } else {
                // Mostly tombstones: rebuild at the same size.
                Self::cap_for(self.len + 1)
            };
            self.resize(want, &hasher);
        }
        let mask = self.mask();
        let mut i = hash as usize & mask;
        loop {
            let c = self.ctrl[i];
            if c == EMPTY || c == TOMB {
                if c == TOMB {
                    self.tombs -= 1;
                }
                self.ctrl[i] = h2(hash);
                self.slots[i] = Some(e);
                self.len += 1;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Remove and return the matching element.
    pub fn remove(&mut self, hash: u64, eq: impl Fn(&E) -> bool) -> Option<E> {
        let i = self.find_slot(hash, eq)?;
        let e = self.slots[i].take();
        let mask = self.mask();
        // A tombstone is only needed when a probe run continues after it.
        if self.ctrl[(i + 1) & mask] == EMPTY {
            self.ctrl[i] = EMPTY;
        } else {
            self.ctrl[i] = TOMB;
            self.tombs += 1;
        }
        self.len -= 1;
        e
    }

    /// Shrink after removals if the table became mostly empty.
    pub fn maybe_shrink(&mut self, hasher: impl Fn(&E) -> u64) {
        if self.ctrl.len() > MIN_CAP && self.len * 8 < self.ctrl.len() {
            let want = Self::cap_for(self.len);
            if want < self.ctrl.len() {
                self.resize(want, &hasher);
            }
        }
        if self.len == 0 {
            self.ctrl = Vec::new();
            self.slots = Vec::new();
            self.tombs = 0;
        }
    }

    fn resize(&mut self, cap: usize, hasher: &impl Fn(&E) -> u64) {
        let old_slots = std::mem::take(&mut self.slots);
        self.ctrl = vec![EMPTY; cap];
        self.slots = (0..cap).map(|_| None).collect();
        self.tombs = 0;
        let mask = cap - 1;
        for e in old_slots.into_iter().flatten() {
            let h = hasher(&e);
            let mut i = h as usize & mask;
            while self.ctrl[i] != EMPTY {
                i = (i + 1) & mask;
            }
            self.ctrl[i] = h2(h);
            self.slots[i] = Some(e);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &E> {
        self.slots.iter().filter_map(|s| s.as_ref())
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut E> {
        self.slots.iter_mut().filter_map(|s| s.as_mut())
    }

    pub fn into_entries(self) -> impl Iterator<Item = E> {
        self.slots.into_iter().flatten()
    }

    /// Keep only the elements for which `f` returns true.
    pub fn retain(&mut self, mut f: impl FnMut(&mut E) -> bool) {
        let mask = self.mask();
        for i in 0..self.slots.len() {
            let keep = match &mut self.slots[i] {
                Some(e) => f(e),
                None => continue,
            };
            if !keep {
                self.slots[i] = None;
                self.ctrl[i] = TOMB;
                self.tombs += 1;
                self.len -= 1;
            }
        }
        let _ = mask;
    }

    /// A random element (`rng` yields random u64s).
    pub fn random(&self, rng: &mut impl FnMut() -> u64) -> Option<&E> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        loop {
            let i = rng() as usize & mask;
            if let Some(e) = &self.slots[i] {
                return Some(e);
            }
        }
    }

    /// One SCAN step: visit the elements whose home slot is `cursor`
    /// (interpreted with reverse-binary increments), calling `f` on each;
    /// returns the next cursor (0 when done).
    pub fn scan_step(&self, cursor: u64, hasher: impl Fn(&E) -> u64, mut f: impl FnMut(&E)) -> u64 {
        if self.ctrl.is_empty() {
            return 0;
        }
        let mask = self.mask() as u64;
        let home = (cursor & mask) as usize;
        let m = self.mask();
        let mut i = home;
        loop {
            if self.ctrl[i] == EMPTY {
                break;
            }
            if let Some(e) = &self.slots[i] {
                if hasher(e) as usize & m == home {
                    f(e);
                }
            }
            i = (i + 1) & m;
            if i == home {
                break;
            }
        }
        // Reverse-binary increment of the masked bits.
        let mut v = cursor | !mask;
        v = v.reverse_bits();
        v = v.wrapping_add(1);
        v.reverse_bits()
    }
}

/// A set of byte strings on top of [`Table`].
#[derive(Clone, Default)]
pub struct BytesSet {
    t: Table<Box<[u8]>>,
}

impl std::fmt::Debug for BytesSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.iter().map(String::from_utf8_lossy))
            .finish()
    }
}

#[allow(clippy::borrowed_box)]
fn hb(e: &Box<[u8]>) -> u64 {
    hash_bytes(e)
}

impl BytesSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(n: usize) -> Self {
        BytesSet {
            t: Table::with_capacity(n),
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.t.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }

    #[inline]
    pub fn contains(&self, b: &[u8]) -> bool {
        self.t.find(hash_bytes(b), |e| &e[..] == b).is_some()
    }

    /// Add; returns true if it was not there.
    pub fn insert(&mut self, b: &[u8]) -> bool {
        let h = hash_bytes(b);
        if self.t.find(h, |e| &e[..] == b).is_some() {
            return false;
        }
        self.t.insert_unique(h, b.into(), hb);
        true
    }

    /// Add an owned string; returns true if it was not there.
    pub fn insert_owned(&mut self, b: Box<[u8]>) -> bool {
        let h = hash_bytes(&b);
        if self.t.find(h, |e| e[..] == b[..]).is_some() {
            return false;
        }
        self.t.insert_unique(h, b, hb);
        true
    }

    pub fn remove(&mut self, b: &[u8]) -> bool {
        let found = self.t.remove(hash_bytes(b), |e| &e[..] == b).is_some();
        if found {
            self.t.maybe_shrink(hb);
        }
        found
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.t.iter().map(|e| &e[..])
    }

    pub fn random(&self, rng: &mut impl FnMut() -> u64) -> Option<&[u8]> {
        self.t.random(rng).map(|e| &e[..])
    }

    pub fn scan_step(&self, cursor: u64, mut f: impl FnMut(&[u8])) -> u64 {
        self.t.scan_step(cursor, hb, |e| f(e))
    }

    pub fn heap_size(&self) -> usize {
        self.t.heap_size() + self.t.iter().map(|e| e.len().max(8)).sum::<usize>()
    }

    pub fn into_members(self) -> impl Iterator<Item = Box<[u8]>> {
        self.t.into_entries()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn insert_find_remove() {
        let mut s = BytesSet::new();
        for i in 0..1000 {
            assert!(s.insert(format!("m{i}").as_bytes()));
        }
        assert!(!s.insert(b"m5"));
        assert_eq!(s.len(), 1000);
        for i in 0..1000 {
            assert!(s.contains(format!("m{i}").as_bytes()));
        }
        for i in 0..990 {
            assert!(s.remove(format!("m{i}").as_bytes()));
        }
        assert!(!s.remove(b"m1"));
        assert_eq!(s.len(), 10);
        for i in 990..1000 {
            assert!(s.contains(format!("m{i}").as_bytes()));
        }
    }

    #[test]
    fn churn_with_tombstones_stays_consistent() {
        let mut s = BytesSet::new();
        let mut model = HashSet::new();
        let mut x = 42u64;
        for _ in 0..20000 {
            x = crate::util::rand::splitmix(x);
            let k = format!("k{}", x % 300).into_bytes();
            if x & 1 == 0 {
                assert_eq!(s.insert(&k), model.insert(k.clone()));
            } else {
                assert_eq!(s.remove(&k), model.remove(&k));
            }
            assert_eq!(s.len(), model.len());
        }
        for k in &model {
            assert!(s.contains(k));
        }
        assert_eq!(s.iter().count(), model.len());
    }

    #[test]
    fn scan_visits_everything_across_resizes() {
        let mut s = BytesSet::new();
        for i in 0..500 {
            s.insert(format!("k{i}").as_bytes());
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut steps = 0;
        loop {
            cursor = s.scan_step(cursor, |e| {
                seen.insert(e.to_vec());
            });
            steps += 1;
            // Grow the table in the middle of the scan.
            if steps == 50 {
                for i in 500..3000 {
                    s.insert(format!("k{i}").as_bytes());
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..500 {
            assert!(seen.contains(format!("k{i}").as_bytes()), "missing k{i}");
        }
    }

    #[test]
    fn random_returns_members() {
        let mut s = BytesSet::new();
        for i in 0..20 {
            s.insert(format!("r{i}").as_bytes());
        }
        let mut x = 1u64;
        let mut rng = || {
            x = crate::util::rand::splitmix(x);
            x
        };
        let mut seen = HashSet::new();
        for _ in 0..2000 {
            let e = s.random(&mut rng).unwrap();
            assert!(s.contains(e));
            seen.insert(e.to_vec());
        }
        assert_eq!(seen.len(), 20);
    }
}
