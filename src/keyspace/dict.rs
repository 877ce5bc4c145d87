//! TEMPORARY stand-in for the keyspace hashtable (replaced by our own
//! bucketed, incrementally rehashed table). Same API.

use hashbrown::HashMap;

pub struct Dict<V> {
    map: HashMap<Box<[u8]>, (V, Option<i64>)>,
    expires: usize,
}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Dict<V> {
    pub fn new() -> Self {
        Dict {
            map: HashMap::new(),
            expires: 0,
        }
    }
    pub fn with_capacity(n: usize) -> Self {
        Dict {
            map: HashMap::with_capacity(n),
            expires: 0,
        }
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    pub fn expires_len(&self) -> usize {
        self.expires
    }
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        self.map.get(key).map(|e| &e.0)
    }
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.map.get_mut(key).map(|e| &mut e.0)
    }
    pub fn get_with_expire(&self, key: &[u8]) -> Option<(&V, Option<i64>)> {
        self.map.get(key).map(|e| (&e.0, e.1))
    }
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.map.contains_key(key)
    }
    pub fn get_expire(&self, key: &[u8]) -> Option<i64> {
        self.map.get(key).and_then(|e| e.1)
    }
    pub fn set_expire(&mut self, key: &[u8], when: Option<i64>) -> bool {
        match self.map.get_mut(key) {
            Some(e) => {
                match (e.1.is_some(), when.is_some()) {
                    (false, true) => self.expires += 1,
                    (true, false) => self.expires -= 1,
                    _ => {}
                }
                e.1 = when;
                true
            }
            None => false,
        }
    }
    pub fn insert(&mut self, key: &[u8], value: V) -> Option<V> {
        if let Some(e) = self.map.get_mut(key) {
            return Some(std::mem::replace(&mut e.0, value));
        }
        self.map.insert(key.into(), (value, None));
        None
    }
    pub fn insert_new(&mut self, key: &[u8], value: V, expire: Option<i64>) {
        if expire.is_some() {
            self.expires += 1;
        }
        self.map.insert(key.into(), (value, expire));
    }
    pub fn remove(&mut self, key: &[u8]) -> Option<(V, Option<i64>)> {
        let e = self.map.remove(key)?;
        if e.1.is_some() {
            self.expires -= 1;
        }
        Some(e)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &V, Option<i64>)> {
        self.map.iter().map(|(k, v)| (&k[..], &v.0, v.1))
    }
    pub fn clear(&mut self) {
        self.map.clear();
        self.expires = 0;
    }
    pub fn take_all(&mut self) -> Dict<V> {
        std::mem::take(self)
    }
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], &V)) -> u64 {
        // Not incremental: returns everything at once.
        if cursor != 0 {
            return 0;
        }
        for (k, v) in &self.map {
            f(k, &v.0);
        }
        0
    }
    pub fn scan_expires(&self, cursor: u64, mut f: impl FnMut(&[u8], i64)) -> u64 {
        if cursor != 0 {
            return 0;
        }
        for (k, v) in &self.map {
            if let Some(t) = v.1 {
                f(k, t);
            }
        }
        0
    }
    pub fn random_entry(&self, rng: &mut impl FnMut() -> u64) -> Option<(&[u8], &V)> {
        if self.map.is_empty() {
            return None;
        }
        let i = (rng() % self.map.len() as u64) as usize;
        self.map.iter().nth(i).map(|(k, v)| (&k[..], &v.0))
    }
    pub fn random_expiring(&self, rng: &mut impl FnMut() -> u64) -> Option<(&[u8], i64)> {
        if self.expires == 0 {
            return None;
        }
        let i = (rng() % self.expires as u64) as usize;
        self.map
            .iter()
            .filter_map(|(k, v)| v.1.map(|t| (&k[..], t)))
            .nth(i)
    }
    pub fn rehash_steps(&mut self, _n: usize) -> bool {
        false
    }
    pub fn rehash_for(&mut self, _budget: std::time::Duration) -> bool {
        false
    }
    pub fn mem_overhead(&self) -> usize {
        self.map.capacity() * 40
    }
}
