//! The sorted set value: a listpack of member/score pairs kept in order
//! while small (`zset-max-listpack-entries`, `zset-max-listpack-value`), a
//! skiplist plus a member→node hash table beyond.
//!
//! Scores in the listpack are stored as their shortest round-trip text,
//! which the listpack turns into an integer encoding when the score is
//! integral — the same bytes Valkey writes. Commands walk either encoding
//! through one cursor type, [`ZPos`], so range logic exists once.

use super::listpack::{Listpack, LpEntry};
use super::skiplist::{LexRange, ScoreRange, SkipList};
use super::table::{hash_bytes, Table};
use crate::util::num::format_double;

/// The thresholds (from config).
#[derive(Clone, Copy, Debug)]
pub struct ZSetLimits {
    pub max_listpack: usize,
    pub max_listpack_value: usize,
}

impl ZSetLimits {
    pub fn from_config(c: &crate::config::Config) -> Self {
        ZSetLimits {
            max_listpack: c.zset_max_listpack_entries(),
            max_listpack_value: c.zset_max_listpack_value(),
        }
    }
}

/// Skiplist + index.
#[derive(Clone, Default)]
pub struct ZSkip {
    sl: SkipList,
    idx: Table<u32>,
}

impl ZSkip {
    fn find(&self, member: &[u8]) -> Option<u32> {
        let sl = &self.sl;
        self.idx
            .find(hash_bytes(member), |&id| sl.member(id) == member)
            .copied()
    }

    fn insert(&mut self, member: &[u8], score: f64) {
        let id = self.sl.insert(score, member.into());
        let sl = &self.sl;
        self.idx
            .insert_unique(hash_bytes(member), id, |&i| hash_bytes(sl.member(i)));
    }

    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let h = hash_bytes(member);
        let sl = &self.sl;
        let id = self.idx.remove(h, |&id| sl.member(id) == member)?;
        let score = self.sl.score(id);
        self.sl.delete(score, member);
        let sl = &self.sl;
        self.idx.maybe_shrink(|&i| hash_bytes(sl.member(i)));
        Some(score)
    }

    fn update(&mut self, member: &[u8], new: f64) {
        let Some(id) = self.find(member) else {
            return;
        };
        let cur = self.sl.score(id);
        if let Some(nid) = self.sl.update_score(cur, member, new) {
            if nid != id {
                if let Some(slot) = self.idx.find_mut(hash_bytes(member), |&x| x == id) {
                    *slot = nid;
                }
            }
        }
    }
}

#[derive(Clone)]
pub enum ZSetValue {
    Listpack(Listpack),
    SkipList(Box<ZSkip>),
}

impl Default for ZSetValue {
    fn default() -> Self {
        ZSetValue::Listpack(Listpack::new())
    }
}

impl std::fmt::Debug for ZSetValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut l = f.debug_list();
        let mut p = self.first();
        while let Some(pos) = p {
            let (m, s) = self.get(pos);
            l.entry(&(String::from_utf8_lossy(&m.to_vec()).into_owned(), s));
            p = self.next(pos);
        }
        l.finish()
    }
}

impl PartialEq for ZSetValue {
    fn eq(&self, other: &ZSetValue) -> bool {
        if self.len() != other.len() {
            return false;
        }
        let mut a = self.first();
        let mut b = other.first();
        while let (Some(x), Some(y)) = (a, b) {
            let (m1, s1) = self.get(x);
            let (m2, s2) = other.get(y);
            if s1 != s2 || m1.to_vec() != m2.to_vec() {
                return false;
            }
            a = self.next(x);
            b = other.next(y);
        }
        true
    }
}

/// A position in either encoding (a listpack offset of a member entry, or
/// a skiplist node id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZPos {
    Lp(usize),
    Sl(u32),
}

fn lp_score(lp: &Listpack, member_off: usize) -> f64 {
    lp.next(member_off)
        .and_then(|o| lp.get(o).as_f64())
        .unwrap_or(0.0)
}

fn score_text(score: f64) -> String {
    format_double(score)
}

impl ZSetValue {
    /// Valkey's `zsetTypeCreate`.
    pub fn create(size_hint: usize, value_len_hint: usize, lim: &ZSetLimits) -> ZSetValue {
        if size_hint <= lim.max_listpack && value_len_hint <= lim.max_listpack_value {
            ZSetValue::Listpack(Listpack::new())
        } else {
            ZSetValue::SkipList(Box::default())
        }
    }

    pub fn encoding(&self) -> &'static str {
        match self {
            ZSetValue::Listpack(_) => "listpack",
            ZSetValue::SkipList(_) => "skiplist",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.len() / 2,
            ZSetValue::SkipList(z) => z.sl.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn heap_size(&self) -> usize {
        match self {
            ZSetValue::Listpack(lp) => lp.heap_size(),
            ZSetValue::SkipList(z) => {
                std::mem::size_of::<ZSkip>() + z.sl.heap_size() + z.idx.heap_size()
            }
        }
    }

    /// Valkey's `zsetTypeMaybeConvert`: a listpack about to receive
    /// `size_hint` new members becomes a skiplist when that is too many.
    pub fn maybe_convert(&mut self, size_hint: usize, lim: &ZSetLimits) {
        if matches!(self, ZSetValue::Listpack(_)) && size_hint > lim.max_listpack {
            self.convert_to_skiplist();
        }
    }

    /// Convert a listpack to a skiplist.
    pub fn convert_to_skiplist(&mut self) {
        if let ZSetValue::Listpack(lp) = self {
            let mut z = ZSkip {
                sl: SkipList::new(),
                idx: Table::with_capacity(lp.len() / 2),
            };
            let mut it = lp.iter();
            while let (Some(m), Some(s)) = (it.next(), it.next()) {
                let score = s.as_f64().unwrap_or(0.0);
                m.with_bytes(|mb| z.insert(mb, score));
            }
            *self = ZSetValue::SkipList(Box::new(z));
        }
    }

    /// Convert a skiplist back to a listpack (when rebuilding small sets).
    pub fn convert_to_listpack(&mut self) {
        if let ZSetValue::SkipList(z) = self {
            let mut lp = Listpack::new();
            let mut x = z.sl.first();
            while let Some(id) = x {
                lp.push_back(z.sl.member(id));
                lp.push_back(score_text(z.sl.score(id)).as_bytes());
                x = z.sl.next(id);
            }
            *self = ZSetValue::Listpack(lp);
        }
    }

    /// Valkey's `zsetConvertToListpackIfNeeded` for freshly built sets.
    pub fn shrink_encoding(&mut self, lim: &ZSetLimits) {
        if let ZSetValue::SkipList(z) = self {
            if z.sl.len() <= lim.max_listpack {
                let mut maxlen = 0;
                let mut x = z.sl.first();
                while let Some(id) = x {
                    maxlen = maxlen.max(z.sl.member(id).len());
                    x = z.sl.next(id);
                }
                if maxlen <= lim.max_listpack_value {
                    self.convert_to_listpack();
                }
            }
        }
    }

    fn lp_find(lp: &Listpack, member: &[u8]) -> Option<usize> {
        lp.find(lp.first(), member, 1)
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            ZSetValue::Listpack(lp) => Self::lp_find(lp, member).map(|o| lp_score(lp, o)),
            ZSetValue::SkipList(z) => z.find(member).map(|id| z.sl.score(id)),
        }
    }

    fn lp_insert(lp: &mut Listpack, member: &[u8], score: f64) {
        // Before the first element greater than (score, member).
        let mut p = lp.first();
        while let Some(o) = p {
            let s = lp_score(lp, o);
            let greater = s > score || (s == score && lp.get(o).with_bytes(|m| m > member));
            if greater {
                break;
            }
            p = lp.next(o).and_then(|v| lp.next(v));
        }
        let text = score_text(score);
        match p {
            Some(o) => {
                lp.insert(Some(o), text.as_bytes());
                lp.insert(Some(o), member);
            }
            None => {
                lp.push_back(member);
                lp.push_back(text.as_bytes());
            }
        }
    }

    /// Insert a member known to be absent, converting when the listpack
    /// limits are crossed.
    pub fn insert(&mut self, member: &[u8], score: f64, lim: &ZSetLimits) {
        if let ZSetValue::Listpack(lp) = self {
            if lp.len() / 2 + 1 > lim.max_listpack || member.len() > lim.max_listpack_value {
                self.convert_to_skiplist();
            }
        }
        match self {
            ZSetValue::Listpack(lp) => Self::lp_insert(lp, member, score),
            ZSetValue::SkipList(z) => z.insert(member, score),
        }
    }

    /// Change the score of an existing member.
    pub fn update(&mut self, member: &[u8], score: f64) {
        match self {
            ZSetValue::Listpack(lp) => {
                if let Some(o) = Self::lp_find(lp, member) {
                    lp.delete_range(o, 2);
                    Self::lp_insert(lp, member, score);
                }
            }
            ZSetValue::SkipList(z) => z.update(member, score),
        }
    }

    /// Remove a member; returns its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match self {
            ZSetValue::Listpack(lp) => {
                let o = Self::lp_find(lp, member)?;
                let s = lp_score(lp, o);
                lp.delete_range(o, 2);
                Some(s)
            }
            ZSetValue::SkipList(z) => z.remove(member),
        }
    }

    /// 0-based rank (ascending, or descending with `rev`) and score.
    pub fn rank(&self, member: &[u8], rev: bool) -> Option<(usize, f64)> {
        let len = self.len();
        let (r, s) = match self {
            ZSetValue::Listpack(lp) => {
                let mut r = 0;
                let mut p = lp.first();
                loop {
                    let o = p?;
                    if lp.get(o).eq_bytes(member) {
                        break (r, lp_score(lp, o));
                    }
                    r += 1;
                    p = lp.next(o).and_then(|v| lp.next(v));
                }
            }
            ZSetValue::SkipList(z) => {
                let id = z.find(member)?;
                let s = z.sl.score(id);
                (z.sl.rank(s, member)? - 1, s)
            }
        };
        Some((if rev { len - 1 - r } else { r }, s))
    }

    pub fn first(&self) -> Option<ZPos> {
        match self {
            ZSetValue::Listpack(lp) => lp.first().map(ZPos::Lp),
            ZSetValue::SkipList(z) => z.sl.first().map(ZPos::Sl),
        }
    }

    pub fn last(&self) -> Option<ZPos> {
        match self {
            ZSetValue::Listpack(lp) => lp.last().and_then(|o| lp.prev(o)).map(ZPos::Lp),
            ZSetValue::SkipList(z) => z.sl.last().map(ZPos::Sl),
        }
    }

    pub fn next(&self, p: ZPos) -> Option<ZPos> {
        match (self, p) {
            (ZSetValue::Listpack(lp), ZPos::Lp(o)) => {
                lp.next(o).and_then(|v| lp.next(v)).map(ZPos::Lp)
            }
            (ZSetValue::SkipList(z), ZPos::Sl(id)) => z.sl.next(id).map(ZPos::Sl),
            _ => None,
        }
    }

    pub fn prev(&self, p: ZPos) -> Option<ZPos> {
        match (self, p) {
            (ZSetValue::Listpack(lp), ZPos::Lp(o)) => {
                lp.prev(o).and_then(|v| lp.prev(v)).map(ZPos::Lp)
            }
            (ZSetValue::SkipList(z), ZPos::Sl(id)) => z.sl.prev(id).map(ZPos::Sl),
            _ => None,
        }
    }

    /// (member, score) at a position.
    pub fn get(&self, p: ZPos) -> (LpEntry<'_>, f64) {
        match (self, p) {
            (ZSetValue::Listpack(lp), ZPos::Lp(o)) => (lp.get(o), lp_score(lp, o)),
            (ZSetValue::SkipList(z), ZPos::Sl(id)) => {
                (LpEntry::Str(z.sl.member(id)), z.sl.score(id))
            }
            _ => (LpEntry::Str(b""), 0.0),
        }
    }

    /// Position of the element with 0-based ascending rank `r`.
    pub fn by_rank(&self, r: usize) -> Option<ZPos> {
        if r >= self.len() {
            return None;
        }
        match self {
            ZSetValue::Listpack(lp) => lp.seek(2 * r as i64).map(ZPos::Lp),
            ZSetValue::SkipList(z) => z.sl.by_rank(r + 1).map(ZPos::Sl),
        }
    }

    pub fn first_in_score(&self, r: &ScoreRange) -> Option<ZPos> {
        match self {
            ZSetValue::Listpack(_) => {
                if !r.is_valid() {
                    return None;
                }
                let mut p = self.first();
                while let Some(pos) = p {
                    let s = self.get(pos).1;
                    if r.gte_min(s) {
                        return r.lte_max(s).then_some(pos);
                    }
                    p = self.next(pos);
                }
                None
            }
            ZSetValue::SkipList(z) => z.sl.first_in_score(r).map(ZPos::Sl),
        }
    }

    pub fn last_in_score(&self, r: &ScoreRange) -> Option<ZPos> {
        match self {
            ZSetValue::Listpack(_) => {
                if !r.is_valid() {
                    return None;
                }
                let mut p = self.last();
                while let Some(pos) = p {
                    let s = self.get(pos).1;
                    if r.lte_max(s) {
                        return r.gte_min(s).then_some(pos);
                    }
                    p = self.prev(pos);
                }
                None
            }
            ZSetValue::SkipList(z) => z.sl.last_in_score(r).map(ZPos::Sl),
        }
    }

    /// Valkey's `zslIsInLexRange`: the range can only hit if the last
    /// member is >= min and the first <= max (members of mixed scores make
    /// this matter).
    fn lex_may_hit(&self, r: &LexRange) -> bool {
        if !r.is_valid() {
            return false;
        }
        let (Some(f), Some(l)) = (self.first(), self.last()) else {
            return false;
        };
        self.get(l).0.with_bytes(|b| r.gte_min(b)) && self.get(f).0.with_bytes(|b| r.lte_max(b))
    }

    pub fn first_in_lex(&self, r: &LexRange) -> Option<ZPos> {
        if !self.lex_may_hit(r) {
            return None;
        }
        match self {
            ZSetValue::Listpack(_) => {
                if !r.is_valid() {
                    return None;
                }
                let mut p = self.first();
                while let Some(pos) = p {
                    let m = self.get(pos).0;
                    if m.with_bytes(|b| r.gte_min(b)) {
                        return m.with_bytes(|b| r.lte_max(b)).then_some(pos);
                    }
                    p = self.next(pos);
                }
                None
            }
            ZSetValue::SkipList(z) => z.sl.first_in_lex(r).map(ZPos::Sl),
        }
    }

    pub fn last_in_lex(&self, r: &LexRange) -> Option<ZPos> {
        if !self.lex_may_hit(r) {
            return None;
        }
        match self {
            ZSetValue::Listpack(_) => {
                if !r.is_valid() {
                    return None;
                }
                let mut p = self.last();
                while let Some(pos) = p {
                    let m = self.get(pos).0;
                    if m.with_bytes(|b| r.lte_max(b)) {
                        return m.with_bytes(|b| r.gte_min(b)).then_some(pos);
                    }
                    p = self.prev(pos);
                }
                None
            }
            ZSetValue::SkipList(z) => z.sl.last_in_lex(r).map(ZPos::Sl),
        }
    }

    /// 0-based ascending rank of a position.
    pub fn rank_of(&self, p: ZPos) -> usize {
        match (self, p) {
            (ZSetValue::SkipList(z), ZPos::Sl(id)) => {
                z.sl.rank(z.sl.score(id), z.sl.member(id)).unwrap_or(1) - 1
            }
            _ => {
                let mut r = 0;
                let mut q = self.first();
                while let Some(x) = q {
                    if x == p {
                        break;
                    }
                    r += 1;
                    q = self.next(x);
                }
                r
            }
        }
    }

    /// All (member, score) pairs in ascending order, copied.
    pub fn to_vec(&self) -> Vec<(Vec<u8>, f64)> {
        let mut out = Vec::with_capacity(self.len());
        let mut p = self.first();
        while let Some(pos) = p {
            let (m, s) = self.get(pos);
            out.push((m.to_vec(), s));
            p = self.next(pos);
        }
        out
    }

    /// One ZSCAN step. Listpacks return everything with cursor 0.
    pub fn scan_step(&self, cursor: u64, mut f: impl FnMut(&[u8], f64)) -> u64 {
        match self {
            ZSetValue::Listpack(_) => {
                let mut p = self.first();
                while let Some(pos) = p {
                    let (m, s) = self.get(pos);
                    m.with_bytes(|b| f(b, s));
                    p = self.next(pos);
                }
                0
            }
            ZSetValue::SkipList(z) => {
                let sl = &z.sl;
                z.idx.scan_step(
                    cursor,
                    |&i| hash_bytes(sl.member(i)),
                    |&i| f(sl.member(i), sl.score(i)),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lim() -> ZSetLimits {
        ZSetLimits {
            max_listpack: 4,
            max_listpack_value: 10,
        }
    }

    fn dump(z: &ZSetValue) -> Vec<(String, f64)> {
        z.to_vec()
            .into_iter()
            .map(|(m, s)| (String::from_utf8(m).unwrap(), s))
            .collect()
    }

    #[test]
    fn same_behaviour_on_both_encodings() {
        for big in [false, true] {
            let l = lim();
            let mut z = ZSetValue::create(1, 1, &l);
            if big {
                z.convert_to_skiplist();
            }
            z.insert(b"b", 2.0, &l);
            z.insert(b"a", 2.0, &l);
            z.insert(b"c", 1.5, &l);
            z.insert(b"10", -1.0, &l);
            assert_eq!(
                dump(&z),
                vec![
                    ("10".into(), -1.0),
                    ("c".into(), 1.5),
                    ("a".into(), 2.0),
                    ("b".into(), 2.0)
                ]
            );
            assert_eq!(z.score(b"a"), Some(2.0));
            assert_eq!(z.score(b"10"), Some(-1.0));
            assert_eq!(z.rank(b"a", false), Some((2, 2.0)));
            assert_eq!(z.rank(b"a", true), Some((1, 2.0)));
            z.update(b"10", 5.0);
            assert_eq!(z.rank(b"10", false), Some((3, 5.0)));
            assert_eq!(z.remove(b"c"), Some(1.5));
            assert_eq!(z.remove(b"c"), None);
            assert_eq!(z.len(), 3);
            let r = ScoreRange {
                min: 2.0,
                max: 5.0,
                minex: true,
                maxex: false,
            };
            let f = z.first_in_score(&r).unwrap();
            assert_eq!(z.get(f).0.to_vec(), b"10");
            assert_eq!(z.get(z.by_rank(1).unwrap()).0.to_vec(), b"b");
            assert_eq!(z.rank_of(z.by_rank(2).unwrap()), 2);
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Random adds, score changes and removals on both encodings agree
        /// with a sorted model: order, ranks, rank lookups, scores.
        #[test]
        fn matches_sorted_model(ops in proptest::collection::vec((0u8..3, 0u8..40, -5i32..5), 1..200), big in any::<bool>()) {
            let l = ZSetLimits { max_listpack: if big { 0 } else { 1000 }, max_listpack_value: 64 };
            let mut z = ZSetValue::create(1, 1, &l);
            let mut model: Vec<(f64, Vec<u8>)> = Vec::new();
            for (op, m, sc) in ops {
                let member = format!("m{m}").into_bytes();
                let score = sc as f64 / 2.0;
                let pos = model.iter().position(|(_, x)| *x == member);
                match (op, pos) {
                    (0, None) => { z.insert(&member, score, &l); model.push((score, member)); }
                    (0, Some(i)) | (1, Some(i)) => { z.update(&member, score); model[i].0 = score; }
                    (2, Some(i)) => { prop_assert_eq!(z.remove(&member), Some(model[i].0)); model.remove(i); }
                    _ => {}
                }
                model.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
            }
            prop_assert_eq!(z.len(), model.len());
            let got: Vec<(f64, Vec<u8>)> = z.to_vec().into_iter().map(|(m, s)| (s, m)).collect();
            prop_assert_eq!(&got, &model);
            for (i, (s, m)) in model.iter().enumerate() {
                prop_assert_eq!(z.rank(m, false), Some((i, *s)));
                prop_assert_eq!(z.rank(m, true), Some((model.len() - 1 - i, *s)));
                let p = z.by_rank(i).unwrap();
                prop_assert_eq!(z.get(p).0.to_vec(), m.clone());
                prop_assert_eq!(z.rank_of(p), i);
                prop_assert_eq!(z.score(m), Some(*s));
            }
        }
    }

    #[test]
    fn converts_past_limits() {
        let l = lim();
        let mut z = ZSetValue::create(1, 1, &l);
        for (i, m) in ["a", "b", "c", "d"].iter().enumerate() {
            z.insert(m.as_bytes(), i as f64, &l);
        }
        assert_eq!(z.encoding(), "listpack");
        z.insert(b"e", 9.0, &l);
        assert_eq!(z.encoding(), "skiplist");
        z.remove(b"e");
        z.shrink_encoding(&l);
        assert_eq!(z.encoding(), "listpack");
        z.insert(b"a-very-long-member", 1.0, &l);
        assert_eq!(z.encoding(), "skiplist");
        assert_eq!(z.len(), 5);
    }
}
