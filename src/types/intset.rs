//! The `intset` encoding: a sorted array of integers for small sets whose
//! members are all integers.
//!
//! Like Valkey's, the array uses the narrowest width (16, 32 or 64 bits)
//! that holds every member and is upgraded when a wider one arrives; it is
//! never downgraded. Membership is a binary search; SMEMBERS returns the
//! members in ascending order, as Valkey does.

#[derive(Clone, Debug, PartialEq)]
pub enum IntSet {
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::I16(Vec::new())
    }
}

macro_rules! each {
    ($s:expr, $v:ident => $body:expr) => {
        match $s {
            IntSet::I16($v) => $body,
            IntSet::I32($v) => $body,
            IntSet::I64($v) => $body,
        }
    };
}

impl IntSet {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        each!(self, v => v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at sorted position `i`.
    #[allow(clippy::unnecessary_cast)]
    pub fn get(&self, i: usize) -> Option<i64> {
        each!(self, v => v.get(i).map(|&x| x as i64))
    }

    pub fn contains(&self, x: i64) -> bool {
        match self {
            IntSet::I16(v) => i16::try_from(x).is_ok_and(|y| v.binary_search(&y).is_ok()),
            IntSet::I32(v) => i32::try_from(x).is_ok_and(|y| v.binary_search(&y).is_ok()),
            IntSet::I64(v) => v.binary_search(&x).is_ok(),
        }
    }

    fn upgrade_for(&mut self, x: i64) {
        let need = if i16::try_from(x).is_ok() {
            0
        } else if i32::try_from(x).is_ok() {
            1
        } else {
            2
        };
        let have = match self {
            IntSet::I16(_) => 0,
            IntSet::I32(_) => 1,
            IntSet::I64(_) => 2,
        };
        if need <= have {
            return;
        }
        let all: Vec<i64> = self.iter().collect();
        *self = if need == 1 {
            IntSet::I32(all.iter().map(|&y| y as i32).collect())
        } else {
            IntSet::I64(all)
        };
    }

    /// Add; returns true if it was not there.
    pub fn insert(&mut self, x: i64) -> bool {
        self.upgrade_for(x);
        match self {
            IntSet::I16(v) => ins(v, x as i16),
            IntSet::I32(v) => ins(v, x as i32),
            IntSet::I64(v) => ins(v, x),
        }
    }

    pub fn remove(&mut self, x: i64) -> bool {
        fn rm<T: Ord + Copy>(v: &mut Vec<T>, y: T) -> bool {
            match v.binary_search(&y) {
                Ok(i) => {
                    v.remove(i);
                    if v.capacity() > v.len() * 2 + 4 {
                        v.shrink_to_fit();
                    }
                    true
                }
                Err(_) => false,
            }
        }
        match self {
            IntSet::I16(v) => i16::try_from(x).is_ok_and(|y| rm(v, y)),
            IntSet::I32(v) => i32::try_from(x).is_ok_and(|y| rm(v, y)),
            IntSet::I64(v) => rm(v, x),
        }
    }

    /// Remove the element at sorted position `i`.
    #[allow(clippy::unnecessary_cast)]
    pub fn remove_at(&mut self, i: usize) -> i64 {
        each!(self, v => v.remove(i) as i64)
    }

    pub fn iter(&self) -> Box<dyn Iterator<Item = i64> + '_> {
        match self {
            IntSet::I16(v) => Box::new(v.iter().map(|&x| x as i64)),
            IntSet::I32(v) => Box::new(v.iter().map(|&x| x as i64)),
            IntSet::I64(v) => Box::new(v.iter().copied()),
        }
    }

    pub fn min(&self) -> Option<i64> {
        self.get(0)
    }

    pub fn max(&self) -> Option<i64> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }

    pub fn heap_size(&self) -> usize {
        each!(self, v => v.capacity() * std::mem::size_of_val(&v.first().copied().unwrap_or_default()))
    }
}

fn ins<T: Ord + Copy>(v: &mut Vec<T>, y: T) -> bool {
    match v.binary_search(&y) {
        Ok(_) => false,
        Err(i) => {
            v.reserve_exact(1);
            v.insert(i, y);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upgrades_and_stays_sorted() {
        let mut s = IntSet::new();
        assert!(s.insert(5));
        assert!(s.insert(-3));
        assert!(!s.insert(5));
        assert!(matches!(s, IntSet::I16(_)));
        assert!(s.insert(100_000));
        assert!(matches!(s, IntSet::I32(_)));
        assert!(s.insert(i64::MIN));
        assert!(matches!(s, IntSet::I64(_)));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![i64::MIN, -3, 5, 100_000]);
        assert!(s.contains(-3));
        assert!(!s.contains(4));
        assert!(s.remove(5));
        assert!(!s.remove(5));
        assert_eq!(s.len(), 3);
        assert_eq!(s.min(), Some(i64::MIN));
        assert_eq!(s.max(), Some(100_000));
        let mut t = IntSet::new();
        t.insert(1);
        assert!(!t.contains(1 << 40));
        assert!(!t.remove(1 << 40));
    }
}
