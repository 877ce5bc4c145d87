//! The skiplist of big sorted sets: elements ordered by (score, member) with
//! span counts on every link, giving O(log N) insert, delete, rank and
//! rank-to-element, exactly the structure Valkey uses.
//!
//! Nodes live in an arena (`Vec<Node>`) and link to each other by index, so
//! the structure is plain safe Rust and cheap to clone (COPY). Index 0 is
//! the header; 0 as a link therefore means "none". Freed slots are reused.
//! The member→node map that makes ZSCORE O(1) is kept by the owner
//! ([`super::zset`]), keyed by these node ids.

use std::cmp::Ordering;

const MAX_LEVEL: usize = 32;
const NIL: u32 = 0;

#[derive(Clone, Copy, Debug, Default)]
struct Level {
    fwd: u32,
    span: u32,
}

#[derive(Clone, Debug)]
struct Node {
    member: Box<[u8]>,
    score: f64,
    back: u32,
    levels: Box<[Level]>,
}

#[derive(Clone, Debug)]
pub struct SkipList {
    nodes: Vec<Node>,
    free: Vec<u32>,
    level: usize,
    len: usize,
    tail: u32,
    rng: u64,
}

impl Default for SkipList {
    fn default() -> Self {
        Self::new()
    }
}

/// A score interval (`(` exclusive bounds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    #[inline]
    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    #[inline]
    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    pub fn contains(&self, v: f64) -> bool {
        self.gte_min(v) && self.lte_max(v)
    }

    /// False when the interval is empty by construction.
    pub fn is_valid(&self) -> bool {
        !(self.min > self.max || (self.min == self.max && (self.minex || self.maxex)))
    }
}

/// One end of a lex interval.
#[derive(Clone, Debug, PartialEq)]
pub enum LexBound {
    NegInf,
    PosInf,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LexRange {
    pub min: LexBound,
    pub max: LexBound,
}

impl LexRange {
    pub fn gte_min(&self, m: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Incl(b) => m >= &b[..],
            LexBound::Excl(b) => m > &b[..],
        }
    }

    pub fn lte_max(&self, m: &[u8]) -> bool {
        match &self.max {
            LexBound::NegInf => false,
            LexBound::PosInf => true,
            LexBound::Incl(b) => m <= &b[..],
            LexBound::Excl(b) => m < &b[..],
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        self.gte_min(m) && self.lte_max(m)
    }

    /// False when the interval is empty by construction.
    pub fn is_valid(&self) -> bool {
        match (&self.min, &self.max) {
            (LexBound::PosInf, _) | (_, LexBound::NegInf) => false,
            (LexBound::NegInf, _) | (_, LexBound::PosInf) => true,
            (LexBound::Incl(a), LexBound::Incl(b)) => a <= b,
            (LexBound::Incl(a), LexBound::Excl(b))
            | (LexBound::Excl(a), LexBound::Incl(b))
            | (LexBound::Excl(a), LexBound::Excl(b)) => a < b,
        }
    }
}

#[inline]
fn cmp_elem(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> Ordering {
    match s1.partial_cmp(&s2) {
        Some(Ordering::Equal) | None => m1.cmp(m2),
        Some(o) => o,
    }
}

impl SkipList {
    pub fn new() -> Self {
        let header = Node {
            member: Box::default(),
            score: 0.0,
            back: NIL,
            levels: vec![Level::default(); MAX_LEVEL].into_boxed_slice(),
        };
        SkipList {
            nodes: vec![header],
            free: Vec::new(),
            level: 1,
            len: 0,
            tail: NIL,
            rng: 0x2545_F491_4F6C_DD1D,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn heap_size(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<Node>()
            + self
                .nodes
                .iter()
                .map(|n| n.member.len() + n.levels.len() * 8)
                .sum::<usize>()
            + self.free.capacity() * 4
    }

    #[inline]
    pub fn member(&self, id: u32) -> &[u8] {
        &self.nodes[id as usize].member
    }

    #[inline]
    pub fn score(&self, id: u32) -> f64 {
        self.nodes[id as usize].score
    }

    #[inline]
    fn fwd(&self, id: u32, i: usize) -> u32 {
        self.nodes[id as usize].levels[i].fwd
    }

    #[inline]
    fn span(&self, id: u32, i: usize) -> u32 {
        self.nodes[id as usize].levels[i].span
    }

    #[inline]
    fn lvl(&mut self, id: u32, i: usize) -> &mut Level {
        &mut self.nodes[id as usize].levels[i]
    }

    pub fn first(&self) -> Option<u32> {
        let f = self.fwd(NIL, 0);
        (f != NIL).then_some(f)
    }

    pub fn last(&self) -> Option<u32> {
        (self.tail != NIL).then_some(self.tail)
    }

    #[inline]
    pub fn next(&self, id: u32) -> Option<u32> {
        let f = self.fwd(id, 0);
        (f != NIL).then_some(f)
    }

    #[inline]
    pub fn prev(&self, id: u32) -> Option<u32> {
        let b = self.nodes[id as usize].back;
        (b != NIL).then_some(b)
    }

    fn random_level(&mut self) -> usize {
        let mut level = 1;
        loop {
            self.rng = crate::util::rand::splitmix(self.rng);
            // Four levels' worth of 25% coin flips per draw.
            let mut r = self.rng;
            for _ in 0..16 {
                if r & 3 != 0 || level >= MAX_LEVEL {
                    return level;
                }
                level += 1;
                r >>= 2;
            }
        }
    }

    fn alloc(&mut self, node: Node) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        }
    }

    /// The update vector for (score, member): the last node before it on
    /// every level, plus the rank of each.
    fn path(&self, score: f64, member: &[u8]) -> ([u32; MAX_LEVEL], [u32; MAX_LEVEL]) {
        let mut update = [NIL; MAX_LEVEL];
        let mut rank = [0u32; MAX_LEVEL];
        let mut x = NIL;
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                let f = self.fwd(x, i);
                if f == NIL {
                    break;
                }
                let n = &self.nodes[f as usize];
                if cmp_elem(n.score, &n.member, score, member) == Ordering::Less {
                    rank[i] += self.span(x, i);
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        (update, rank)
    }

    /// Insert an element known to be absent; returns its node id.
    pub fn insert(&mut self, score: f64, member: Box<[u8]>) -> u32 {
        let (mut update, mut rank) = self.path(score, &member);
        let lvl = self.random_level();
        if lvl > self.level {
            for i in self.level..lvl {
                rank[i] = 0;
                update[i] = NIL;
                let len = self.len as u32;
                self.lvl(NIL, i).span = len;
            }
            self.level = lvl;
        }
        let id = self.alloc(Node {
            member,
            score,
            back: NIL,
            levels: vec![Level::default(); lvl].into_boxed_slice(),
        });
        for i in 0..lvl {
            let u = update[i];
            let ufwd = self.fwd(u, i);
            let uspan = self.span(u, i);
            let l = self.lvl(id, i);
            l.fwd = ufwd;
            l.span = uspan - (rank[0] - rank[i]);
            let ul = self.lvl(u, i);
            ul.fwd = id;
            ul.span = (rank[0] - rank[i]) + 1;
        }
        for (i, &u) in update.iter().enumerate().take(self.level).skip(lvl) {
            self.lvl(u, i).span += 1;
        }
        self.nodes[id as usize].back = update[0];
        let f = self.fwd(id, 0);
        if f != NIL {
            self.nodes[f as usize].back = id;
        } else {
            self.tail = id;
        }
        self.len += 1;
        id
    }

    fn unlink(&mut self, x: u32, update: &[u32; MAX_LEVEL]) {
        for (i, &u) in update.iter().enumerate().take(self.level) {
            if self.fwd(u, i) == x {
                let xs = self.span(x, i);
                let xf = self.fwd(x, i);
                let ul = self.lvl(u, i);
                ul.span = ul.span + xs - 1;
                ul.fwd = xf;
            } else {
                let ul = self.lvl(u, i);
                ul.span -= 1;
            }
        }
        let f = self.fwd(x, 0);
        let b = self.nodes[x as usize].back;
        if f != NIL {
            self.nodes[f as usize].back = b;
        } else {
            self.tail = b;
        }
        while self.level > 1 && self.fwd(NIL, self.level - 1) == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    /// Delete (score, member); returns the member's storage.
    pub fn delete(&mut self, score: f64, member: &[u8]) -> Option<Box<[u8]>> {
        let (update, _) = self.path(score, member);
        let x = self.fwd(update[0], 0);
        if x == NIL {
            return None;
        }
        let n = &self.nodes[x as usize];
        if n.score != score || &n.member[..] != member {
            return None;
        }
        self.unlink(x, &update);
        let node = &mut self.nodes[x as usize];
        let m = std::mem::take(&mut node.member);
        node.levels = Box::default();
        self.free.push(x);
        Some(m)
    }

    /// Change the score of an element; returns its (possibly new) node id.
    pub fn update_score(&mut self, cur: f64, member: &[u8], new: f64) -> Option<u32> {
        let (update, _) = self.path(cur, member);
        let x = self.fwd(update[0], 0);
        if x == NIL || self.nodes[x as usize].score != cur || self.member(x) != member {
            return None;
        }
        let back = self.nodes[x as usize].back;
        let f = self.fwd(x, 0);
        if (back == NIL || self.score(back) < new) && (f == NIL || self.score(f) > new) {
            self.nodes[x as usize].score = new;
            return Some(x);
        }
        self.unlink(x, &update);
        let node = &mut self.nodes[x as usize];
        let m = std::mem::take(&mut node.member);
        node.levels = Box::default();
        self.free.push(x);
        Some(self.insert(new, m))
    }

    /// 1-based rank of (score, member).
    pub fn rank(&self, score: f64, member: &[u8]) -> Option<usize> {
        let mut rank = 0usize;
        let mut x = NIL;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f == NIL {
                    break;
                }
                let n = &self.nodes[f as usize];
                if cmp_elem(n.score, &n.member, score, member) != Ordering::Greater {
                    rank += self.span(x, i) as usize;
                    x = f;
                } else {
                    break;
                }
            }
            if x != NIL && self.member(x) == member {
                return Some(rank);
            }
        }
        None
    }

    /// The node at 1-based `rank`.
    pub fn by_rank(&self, rank: usize) -> Option<u32> {
        if rank == 0 || rank > self.len {
            return None;
        }
        let mut traversed = 0usize;
        let mut x = NIL;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f == NIL || traversed + self.span(x, i) as usize > rank {
                    break;
                }
                traversed += self.span(x, i) as usize;
                x = f;
            }
            if traversed == rank {
                return Some(x);
            }
        }
        None
    }

    pub fn first_in_score(&self, r: &ScoreRange) -> Option<u32> {
        if !r.is_valid() {
            return None;
        }
        let mut x = NIL;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && !r.gte_min(self.score(f)) {
                    x = f;
                } else {
                    break;
                }
            }
        }
        let x = self.fwd(x, 0);
        (x != NIL && r.lte_max(self.score(x))).then_some(x)
    }

    pub fn last_in_score(&self, r: &ScoreRange) -> Option<u32> {
        if !r.is_valid() {
            return None;
        }
        let mut x = NIL;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && r.lte_max(self.score(f)) {
                    x = f;
                } else {
                    break;
                }
            }
        }
        (x != NIL && r.gte_min(self.score(x))).then_some(x)
    }

    pub fn first_in_lex(&self, r: &LexRange) -> Option<u32> {
        if !r.is_valid() {
            return None;
        }
        let mut x = NIL;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && !r.gte_min(self.member(f)) {
                    x = f;
                } else {
                    break;
                }
            }
        }
        let x = self.fwd(x, 0);
        (x != NIL && r.lte_max(self.member(x))).then_some(x)
    }

    pub fn last_in_lex(&self, r: &LexRange) -> Option<u32> {
        if !r.is_valid() {
            return None;
        }
        let mut x = NIL;
        for i in (0..self.level).rev() {
            loop {
                let f = self.fwd(x, i);
                if f != NIL && r.lte_max(self.member(f)) {
                    x = f;
                } else {
                    break;
                }
            }
        }
        (x != NIL && r.gte_min(self.member(x))).then_some(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_rank_delete() {
        let mut sl = SkipList::new();
        let mut ids = vec![];
        for i in 0..200 {
            let m = format!("m{:03}", i);
            ids.push(sl.insert((i % 50) as f64, m.into_bytes().into_boxed_slice()));
        }
        assert_eq!(sl.len(), 200);
        // Order: by score, then member.
        let mut x = sl.first();
        let mut prev: Option<(f64, Vec<u8>)> = None;
        let mut n = 0;
        while let Some(id) = x {
            let cur = (sl.score(id), sl.member(id).to_vec());
            if let Some(p) = &prev {
                assert!(p.0 < cur.0 || (p.0 == cur.0 && p.1 < cur.1));
            }
            n += 1;
            assert_eq!(sl.rank(cur.0, &cur.1), Some(n));
            assert_eq!(sl.by_rank(n), Some(id));
            prev = Some(cur);
            x = sl.next(id);
        }
        assert_eq!(n, 200);
        assert!(sl.delete(3.0, b"m003").is_some());
        assert!(sl.delete(3.0, b"m003").is_none());
        assert_eq!(sl.len(), 199);
        let id = sl.update_score(0.0, b"m000", 100.0).unwrap();
        assert_eq!(sl.last(), Some(id));
        assert_eq!(sl.rank(100.0, b"m000"), Some(199));
        let r = ScoreRange {
            min: 10.0,
            max: 11.0,
            minex: true,
            maxex: false,
        };
        let f = sl.first_in_score(&r).unwrap();
        assert_eq!(sl.score(f), 11.0);
        let l = sl.last_in_score(&r).unwrap();
        assert_eq!(sl.member(l), b"m161");
        // Reverse walk reaches the first node.
        let mut x = sl.last();
        let mut cnt = 0;
        while let Some(id) = x {
            cnt += 1;
            x = sl.prev(id);
        }
        assert_eq!(cnt, 199);
    }

    #[test]
    fn lex_ranges() {
        let mut sl = SkipList::new();
        for m in ["a", "b", "c", "d"] {
            sl.insert(0.0, m.as_bytes().into());
        }
        let r = LexRange {
            min: LexBound::Excl(b"a".to_vec()),
            max: LexBound::Incl(b"c".to_vec()),
        };
        assert_eq!(sl.member(sl.first_in_lex(&r).unwrap()), b"b");
        assert_eq!(sl.member(sl.last_in_lex(&r).unwrap()), b"c");
        let r = LexRange {
            min: LexBound::Excl(b"d".to_vec()),
            max: LexBound::PosInf,
        };
        assert!(sl.first_in_lex(&r).is_none());
    }
}
