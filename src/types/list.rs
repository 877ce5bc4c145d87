//! The list value: a single listpack while small, a quicklist (a deque of
//! listpack nodes) once it outgrows `list-max-listpack-size`.
//!
//! The conversion rules are Valkey's (`listTypeTryConversion`): a listpack
//! becomes a quicklist when the bytes it would hold after an addition exceed
//! the node limit (or its entry count exceeds a positive limit); a quicklist
//! that shrinks to one node holding at most half the limit becomes a
//! listpack again, the half avoiding flapping between the two. Node limits
//! follow `quicklistNodeExceedsLimit`: negative fill values select a byte
//! budget of 4/8/16/32/64 KiB, positive ones an entry count (capped by an
//! 8 KiB safety size).
//!
//! Both encodings are sequences of listpack nodes (the listpack one has a
//! single node), so reads share one implementation over [`ListValue::nodes`].

use super::listpack::{entry_size, Listpack, LpEntry};
use std::collections::VecDeque;

const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT: usize = 8192;
const SIZE_ESTIMATE_OVERHEAD: usize = 8;
/// Elements at least this big get a node of their own (Valkey's
/// `packed_threshold`, 1 GiB).
const PACKED_THRESHOLD: usize = 1 << 30;

/// (byte limit, count limit) of a node for a `list-max-listpack-size`.
pub fn node_limits(fill: i64) -> (usize, usize) {
    if fill >= 0 {
        (usize::MAX, if fill == 0 { 1 } else { fill as usize })
    } else {
        let off = ((-fill - 1) as usize).min(OPTIMIZATION_LEVEL.len() - 1);
        (OPTIMIZATION_LEVEL[off], usize::MAX)
    }
}

/// Valkey's `quicklistNodeExceedsLimit`.
pub fn exceeds_limit(fill: i64, new_sz: usize, new_count: usize) -> bool {
    let (sz, count) = node_limits(fill);
    if sz != usize::MAX {
        new_sz > sz
    } else {
        new_sz > SIZE_SAFETY_LIMIT || new_count > count
    }
}

fn is_large_element(sz: usize, fill: i64) -> bool {
    if fill >= 0 {
        sz > PACKED_THRESHOLD
    } else {
        sz > node_limits(fill).0
    }
}

fn node_allows_insert(node: &Listpack, fill: i64, sz: usize) -> bool {
    if is_large_element(sz, fill) {
        return false;
    }
    // A node holding one oversized element is Valkey's "plain" node.
    if node.len() == 1 && is_large_element(node.bytes(), fill) {
        return false;
    }
    !exceeds_limit(
        fill,
        node.bytes() + sz + SIZE_ESTIMATE_OVERHEAD,
        node.len() + 1,
    )
}

#[derive(Clone, Debug, PartialEq)]
pub struct Quicklist {
    nodes: VecDeque<Listpack>,
    count: usize,
    fill: i32,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ListValue {
    Listpack(Listpack),
    Quicklist(Box<Quicklist>),
}

impl Default for ListValue {
    fn default() -> Self {
        ListValue::Listpack(Listpack::new())
    }
}

/// Which end of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Head,
    Tail,
}

impl ListValue {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            ListValue::Listpack(_) => "listpack",
            ListValue::Quicklist(_) => "quicklist",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ListValue::Listpack(lp) => lp.len(),
            ListValue::Quicklist(q) => q.count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn heap_size(&self) -> usize {
        match self {
            ListValue::Listpack(lp) => lp.heap_size(),
            ListValue::Quicklist(q) => {
                std::mem::size_of::<Quicklist>()
                    + q.nodes.capacity() * std::mem::size_of::<Listpack>()
                    + q.nodes.iter().map(|n| n.heap_size()).sum::<usize>()
            }
        }
    }

    /// Number of listpack nodes (1 for the listpack encoding).
    pub fn node_count(&self) -> usize {
        match self {
            ListValue::Listpack(_) => 1,
            ListValue::Quicklist(q) => q.nodes.len(),
        }
    }

    /// The nodes in order.
    pub fn nodes(&self) -> Box<dyn DoubleEndedIterator<Item = &Listpack> + '_> {
        match self {
            ListValue::Listpack(lp) => Box::new(std::iter::once(lp)),
            ListValue::Quicklist(q) => Box::new(q.nodes.iter()),
        }
    }

    /// Before adding elements totalling `add_bytes` raw bytes and `add_len`
    /// elements: convert a listpack that would outgrow one node.
    pub fn try_grow(&mut self, fill: i64, add_bytes: usize, add_len: usize) {
        if let ListValue::Listpack(lp) = self {
            if exceeds_limit(fill, lp.bytes() + add_bytes, lp.len() + add_len) {
                let lp = std::mem::take(lp);
                let mut nodes = VecDeque::new();
                let count = lp.len();
                if count > 0 {
                    nodes.push_back(lp);
                }
                *self = ListValue::Quicklist(Box::new(Quicklist {
                    nodes,
                    count,
                    fill: fill.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
                }));
            }
        }
    }

    /// After removing elements: turn a small quicklist back into a listpack
    /// (at half the limit, so that it does not flap).
    pub fn try_shrink(&mut self, fill: i64) {
        self.try_to_listpack(fill, true);
    }

    /// An empty quicklist (lists built in one go start as one).
    pub fn new_quicklist(fill: i64) -> Self {
        ListValue::Quicklist(Box::new(Quicklist {
            nodes: VecDeque::new(),
            count: 0,
            fill: fill.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
        }))
    }

    /// Valkey's `LIST_CONV_AUTO` for a freshly built list: a quicklist that
    /// fits in one node becomes a listpack.
    pub fn try_auto(&mut self, fill: i64) {
        self.try_to_listpack(fill, false);
    }

    fn try_to_listpack(&mut self, fill: i64, halve: bool) {
        if let ListValue::Quicklist(q) = self {
            if q.nodes.len() != 1 {
                return;
            }
            let (mut sz, mut cnt) = node_limits(fill);
            if halve {
                sz /= 2;
                cnt /= 2;
            }
            let node = &q.nodes[0];
            if node.len() == 1 && is_large_element(node.bytes(), fill) {
                return;
            }
            if node.bytes() > sz || q.count > cnt {
                return;
            }
            let lp = q.nodes.pop_front().unwrap_or_default();
            *self = ListValue::Listpack(lp);
        }
    }

    /// Convert to the best encoding for the current content (lists built
    /// in one go, e.g. SORT STORE).
    pub fn auto_convert(&mut self, fill: i64) {
        let (bytes, len) = match self {
            ListValue::Listpack(lp) => (lp.bytes(), lp.len()),
            ListValue::Quicklist(_) => {
                self.try_shrink(fill);
                return;
            }
        };
        if exceeds_limit(fill, bytes, len) {
            let items: Vec<Vec<u8>> = self.iter().map(|e| e.to_vec()).collect();
            let mut q = Quicklist {
                nodes: VecDeque::new(),
                count: 0,
                fill: fill.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
            };
            for it in &items {
                q.push(it, End::Tail);
            }
            *self = ListValue::Quicklist(Box::new(q));
        }
    }

    pub fn push(&mut self, ele: &[u8], end: End) {
        match self {
            ListValue::Listpack(lp) => match end {
                End::Head => lp.push_front(ele),
                End::Tail => lp.push_back(ele),
            },
            ListValue::Quicklist(q) => q.push(ele, end),
        }
    }

    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        match self {
            ListValue::Listpack(lp) => {
                let off = match end {
                    End::Head => lp.first()?,
                    End::Tail => lp.last()?,
                };
                let v = lp.get(off).to_vec();
                lp.delete(off);
                Some(v)
            }
            ListValue::Quicklist(q) => q.pop(end),
        }
    }

    /// Normalize a Valkey index (negative from the end).
    fn norm(&self, index: i64) -> Option<usize> {
        let len = self.len() as i64;
        let i = if index < 0 { len + index } else { index };
        (0..len).contains(&i).then_some(i as usize)
    }

    /// (node index, offset) of element `i` (0-based, in range).
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        match self {
            ListValue::Listpack(lp) => lp.seek(i as i64).map(|o| (0, o)),
            ListValue::Quicklist(q) => q.locate(i),
        }
    }

    fn node(&self, n: usize) -> &Listpack {
        match self {
            ListValue::Listpack(lp) => lp,
            ListValue::Quicklist(q) => &q.nodes[n],
        }
    }

    fn node_mut(&mut self, n: usize) -> &mut Listpack {
        match self {
            ListValue::Listpack(lp) => lp,
            ListValue::Quicklist(q) => &mut q.nodes[n],
        }
    }

    /// LINDEX.
    pub fn index(&self, index: i64) -> Option<LpEntry<'_>> {
        let i = self.norm(index)?;
        let (n, off) = self.locate(i)?;
        Some(self.node(n).get(off))
    }

    /// LSET: false when out of range.
    pub fn set(&mut self, index: i64, ele: &[u8]) -> bool {
        let Some(i) = self.norm(index) else {
            return false;
        };
        let Some((n, off)) = self.locate(i) else {
            return false;
        };
        self.node_mut(n).replace(off, ele);
        true
    }

    /// Visit elements `start..=end` (already clamped, start <= end < len),
    /// front to back, or back to front from `end` down to `start` when
    /// `rev`.
    pub fn range(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(LpEntry<'_>)) {
        let mut remaining = end + 1 - start;
        let first = if rev { end } else { start };
        let Some((mut n, off)) = self.locate(first) else {
            return;
        };
        let mut pos = Some(off);
        let nodes = self.node_count();
        loop {
            let node = self.node(n);
            while let Some(o) = pos {
                if remaining == 0 {
                    return;
                }
                f(node.get(o));
                remaining -= 1;
                pos = if rev { node.prev(o) } else { node.next(o) };
            }
            if remaining == 0 {
                return;
            }
            if rev {
                if n == 0 {
                    return;
                }
                n -= 1;
                pos = self.node(n).last();
            } else {
                n += 1;
                if n >= nodes {
                    return;
                }
                pos = self.node(n).first();
            }
        }
    }

    /// All elements, front to back.
    pub fn iter(&self) -> impl Iterator<Item = LpEntry<'_>> {
        self.nodes().flat_map(|n| n.iter())
    }

    /// All elements, back to front.
    pub fn iter_rev(&self) -> impl Iterator<Item = LpEntry<'_>> {
        self.nodes().rev().flat_map(|n| n.iter_rev())
    }

    /// LINSERT: insert `ele` before/after the first `pivot`; false if the
    /// pivot is missing.
    pub fn insert_at_pivot(&mut self, pivot: &[u8], ele: &[u8], after: bool) -> bool {
        let mut found = None;
        for n in 0..self.node_count() {
            let node = self.node(n);
            if let Some(off) = node.find(node.first(), pivot, 0) {
                found = Some((n, off));
                break;
            }
        }
        let Some((n, off)) = found else {
            return false;
        };
        match self {
            ListValue::Listpack(lp) => {
                let at = if after { lp.next(off) } else { Some(off) };
                lp.insert(at, ele);
            }
            ListValue::Quicklist(q) => q.insert_near(n, off, ele, after),
        }
        true
    }

    /// LREM: remove up to `count` occurrences (0 = all; negative from the
    /// tail). Returns how many were removed.
    pub fn remove(&mut self, ele: &[u8], count: i64) -> usize {
        let limit = if count == 0 {
            usize::MAX
        } else {
            count.unsigned_abs() as usize
        };
        let from_tail = count < 0;
        let mut removed = 0;
        let nodes = self.node_count();
        for k in 0..nodes {
            if removed >= limit {
                break;
            }
            let n = if from_tail { nodes - 1 - k } else { k };
            let node = self.node_mut(n);
            if from_tail {
                let mut pos = node.last();
                while let Some(o) = pos {
                    if removed >= limit {
                        break;
                    }
                    let prev = node.prev(o);
                    if node.get(o).eq_bytes(ele) {
                        node.delete(o);
                        removed += 1;
                    }
                    pos = prev;
                }
            } else {
                let mut pos = node.first();
                while let Some(o) = pos {
                    if removed >= limit {
                        break;
                    }
                    if node.get(o).eq_bytes(ele) {
                        pos = node.delete(o);
                        removed += 1;
                    } else {
                        pos = node.next(o);
                    }
                }
            }
        }
        if let ListValue::Quicklist(q) = self {
            q.count -= removed;
            q.nodes.retain(|n| !n.is_empty());
        }
        removed
    }

    /// Remove `head` elements from the front and `tail` from the back.
    pub fn trim(&mut self, head: usize, tail: usize) {
        match self {
            ListValue::Listpack(lp) => {
                if let Some(f) = lp.first() {
                    lp.delete_range(f, head);
                }
                let len = lp.len();
                let keep = len.saturating_sub(tail);
                if let Some(o) = lp.seek(keep as i64) {
                    lp.delete_range(o, tail);
                }
            }
            ListValue::Quicklist(q) => {
                q.trim_front(head);
                q.trim_back(tail);
            }
        }
    }

    /// Build a list from elements in order.
    pub fn from_iter<'a>(items: impl IntoIterator<Item = &'a [u8]>, fill: i64) -> ListValue {
        let mut l = ListValue::new();
        for it in items {
            l.try_grow(fill, it.len(), 1);
            l.push(it, End::Tail);
        }
        l
    }
}

impl Quicklist {
    fn fill(&self) -> i64 {
        self.fill as i64
    }

    fn push(&mut self, ele: &[u8], end: End) {
        let fill = self.fill();
        match end {
            End::Head => match self.nodes.front_mut() {
                Some(n) if node_allows_insert(n, fill, ele.len()) => n.push_front(ele),
                _ => {
                    let mut n = Listpack::new();
                    n.push_back(ele);
                    self.nodes.push_front(n);
                }
            },
            End::Tail => match self.nodes.back_mut() {
                Some(n) if node_allows_insert(n, fill, ele.len()) => n.push_back(ele),
                _ => {
                    let mut n = Listpack::new();
                    n.push_back(ele);
                    self.nodes.push_back(n);
                }
            },
        }
        self.count += 1;
    }

    fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        let node = match end {
            End::Head => self.nodes.front_mut()?,
            End::Tail => self.nodes.back_mut()?,
        };
        let off = match end {
            End::Head => node.first()?,
            End::Tail => node.last()?,
        };
        let v = node.get(off).to_vec();
        node.delete(off);
        if node.is_empty() {
            match end {
                End::Head => self.nodes.pop_front(),
                End::Tail => self.nodes.pop_back(),
            };
        }
        self.count -= 1;
        Some(v)
    }

    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.count {
            return None;
        }
        if i < self.count / 2 {
            let mut acc = 0;
            for (n, node) in self.nodes.iter().enumerate() {
                let l = node.len();
                if i < acc + l {
                    return node.seek((i - acc) as i64).map(|o| (n, o));
                }
                acc += l;
            }
            None
        } else {
            let mut acc = self.count;
            for (n, node) in self.nodes.iter().enumerate().rev() {
                let l = node.len();
                acc -= l;
                if i >= acc {
                    return node.seek((i - acc) as i64).map(|o| (n, o));
                }
            }
            None
        }
    }

    /// Insert next to the entry at (`n`, `off`), splitting or adding nodes
    /// when the node is full.
    fn insert_near(&mut self, n: usize, off: usize, ele: &[u8], after: bool) {
        let fill = self.fill();
        self.count += 1;
        let sz = ele.len();
        let node = &self.nodes[n];
        let at_tail = node.next(off).is_none();
        let at_head = node.prev(off).is_none();
        if node_allows_insert(node, fill, sz) {
            let node = &mut self.nodes[n];
            let at = if after { node.next(off) } else { Some(off) };
            node.insert(at, ele);
            return;
        }
        if after && at_tail {
            if let Some(next) = self.nodes.get_mut(n + 1) {
                if node_allows_insert(next, fill, sz) {
                    next.push_front(ele);
                    return;
                }
            }
            let mut nn = Listpack::new();
            nn.push_back(ele);
            self.nodes.insert(n + 1, nn);
            return;
        }
        if !after && at_head {
            if n > 0 && node_allows_insert(&self.nodes[n - 1], fill, sz) {
                self.nodes[n - 1].push_back(ele);
                return;
            }
            let mut nn = Listpack::new();
            nn.push_back(ele);
            self.nodes.insert(n, nn);
            return;
        }
        // Split the full node around the insertion point.
        let node = &mut self.nodes[n];
        let mut idx = 0;
        let mut p = node.first();
        while let Some(o) = p {
            if o == off {
                break;
            }
            idx += 1;
            p = node.next(o);
        }
        let split_at = if after { idx + 1 } else { idx };
        let mut right = node.split_off(split_at);
        if node_allows_insert(node, fill, sz) {
            node.push_back(ele);
            self.nodes.insert(n + 1, right);
        } else if node_allows_insert(&right, fill, sz) {
            right.push_front(ele);
            self.nodes.insert(n + 1, right);
        } else {
            let mut nn = Listpack::new();
            nn.push_back(ele);
            self.nodes.insert(n + 1, nn);
            self.nodes.insert(n + 2, right);
        }
    }

    fn trim_front(&mut self, mut k: usize) {
        while k > 0 {
            let Some(node) = self.nodes.front_mut() else {
                return;
            };
            let l = node.len();
            if l <= k {
                self.nodes.pop_front();
                self.count -= l;
                k -= l;
            } else {
                if let Some(f) = node.first() {
                    node.delete_range(f, k);
                }
                self.count -= k;
                k = 0;
            }
        }
    }

    fn trim_back(&mut self, mut k: usize) {
        while k > 0 {
            let Some(node) = self.nodes.back_mut() else {
                return;
            };
            let l = node.len();
            if l <= k {
                self.nodes.pop_back();
                self.count -= l;
                k -= l;
            } else {
                if let Some(o) = node.seek((l - k) as i64) {
                    node.delete_range(o, k);
                }
                self.count -= k;
                k = 0;
            }
        }
    }
}

/// Bytes the listpack entries for these elements would take (used by
/// callers estimating growth).
pub fn entries_size<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> usize {
    items.into_iter().map(entry_size).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(l: &ListValue) -> Vec<String> {
        l.iter()
            .map(|e| String::from_utf8(e.to_vec()).unwrap())
            .collect()
    }

    fn push_n(l: &mut ListValue, fill: i64, n: usize, val: &str) {
        for _ in 0..n {
            l.try_grow(fill, val.len(), 1);
            l.push(val.as_bytes(), End::Tail);
        }
    }

    #[test]
    fn converts_at_count_limit_and_back_at_half() {
        let mut l = ListValue::new();
        push_n(&mut l, 4, 4, "a");
        assert_eq!(l.encoding(), "listpack");
        push_n(&mut l, 4, 1, "a");
        assert_eq!(l.encoding(), "quicklist");
        assert_eq!(l.len(), 5);
        for _ in 0..3 {
            l.pop(End::Tail);
            l.try_shrink(4);
        }
        assert_eq!(l.len(), 2);
        assert_eq!(l.encoding(), "listpack");
    }

    #[test]
    fn converts_at_byte_limit() {
        let mut l = ListValue::new();
        let big = "x".repeat(1000);
        push_n(&mut l, -2, 8, &big);
        assert_eq!(l.encoding(), "listpack");
        push_n(&mut l, -2, 1, &big);
        assert_eq!(l.encoding(), "quicklist");
        push_n(&mut l, -2, 30, &big);
        assert!(l.node_count() > 3);
        assert_eq!(l.len(), 39);
    }

    #[test]
    fn ops_are_the_same_on_both_encodings() {
        for fill in [-2i64, 3] {
            let mut l = ListValue::new();
            for i in 0..20 {
                let s = format!("e{i}");
                l.try_grow(fill, s.len(), 1);
                l.push(s.as_bytes(), End::Tail);
            }
            assert_eq!(l.index(0).unwrap().to_vec(), b"e0");
            assert_eq!(l.index(-1).unwrap().to_vec(), b"e19");
            assert_eq!(l.index(13).unwrap().to_vec(), b"e13");
            assert!(l.index(20).is_none());
            assert!(l.set(5, b"five"));
            assert!(l.insert_at_pivot(b"e7", b"x", true));
            assert!(l.insert_at_pivot(b"e7", b"y", false));
            assert!(!l.insert_at_pivot(b"nope", b"y", false));
            let mut got = vec![];
            l.range(4, 9, false, |e| got.push(e.to_vec()));
            assert_eq!(
                got,
                vec![
                    b"e4".to_vec(),
                    b"five".to_vec(),
                    b"e6".to_vec(),
                    b"y".to_vec(),
                    b"e7".to_vec(),
                    b"x".to_vec()
                ]
            );
            let mut got = vec![];
            l.range(4, 6, true, |e| got.push(e.to_vec()));
            assert_eq!(got, vec![b"e6".to_vec(), b"five".to_vec(), b"e4".to_vec()]);
            l.trim(2, 3);
            assert_eq!(l.len(), 17);
            assert_eq!(all(&l)[0], "e2");
            assert_eq!(all(&l).last().unwrap(), "e16");
            assert_eq!(l.remove(b"e10", 0), 1);
            assert_eq!(l.len(), 16);
            let rev: Vec<String> = l
                .iter_rev()
                .map(|e| String::from_utf8(e.to_vec()).unwrap())
                .collect();
            let mut fwd = all(&l);
            fwd.reverse();
            assert_eq!(rev, fwd);
        }
    }

    #[test]
    fn lrem_directions() {
        let mut l = ListValue::from_iter(["a", "b", "a", "c", "a"].iter().map(|s| s.as_bytes()), 2);
        assert_eq!(l.encoding(), "quicklist");
        assert_eq!(l.remove(b"a", -2), 2);
        assert_eq!(all(&l), vec!["a", "b", "c"]);
        assert_eq!(l.remove(b"a", 1), 1);
        assert_eq!(all(&l), vec!["b", "c"]);
    }
}
