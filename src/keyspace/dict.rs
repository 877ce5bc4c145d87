//! `Dict`: the keyspace hashtable.
//!
//! # Why our own table
//!
//! The keyspace of a Valkey server holds millions of small keys, so the
//! per-key overhead of the table dominates memory usage, and a resize must
//! never stall the (single) command thread.  A general purpose `HashMap`
//! doubles its storage in one go (an O(n) pause on a big keyspace), stores the
//! key as a separate allocation next to the value (`Box<[u8]>` = 16 bytes +
//! its own heap block) and knows nothing about key expiry.  This module
//! follows the design of Valkey 8+'s `hashtable.c` instead:
//!
//! * **Compact entries.** Every key/value pair is exactly *one* heap
//!   allocation laid out as
//!   `[V][flags u8][clock u24][key length varint][expire i64, optional][key bytes]`.
//!   `V` sits at offset 0 with its natural alignment; the expire time is only
//!   present when the entry has (or once had) a TTL and is read unaligned.
//!   The 24-bit clock is the key's access time or frequency for `OBJECT
//!   IDLETIME|FREQ` and eviction (Valkey's `lru` field; the dict only stores
//!   it). With a 16-byte `V` and a 10-byte key an entry is 31 bytes (a
//!   32-byte jemalloc size class).  Adding a TTL to an entry without the expire field
//!   reallocates the entry and patches the bucket slot that points at it;
//!   removing a TTL only clears the flag and keeps the 8 bytes for later.
//! * **Cache-line buckets.** The table is a power-of-two array of 64-byte
//!   buckets. A bucket holds one metadata byte (7 presence bits + a "chained"
//!   bit), 7 tag bytes (the high 8 bits of each entry's hash, to skip almost
//!   all key comparisons) and 7 entry pointers.  When a bucket is full, its
//!   last slot is turned into a pointer to an overflow child bucket (so a
//!   chained bucket holds 6 entries).  There is no per-entry `next` pointer.
//!   The table grows when the average fill passes 78% of the slots and
//!   shrinks when it falls under 1/8.  Deleting from a chain compacts it so
//!   children do not accumulate.
//! * **Incremental rehashing**, like Valkey's `dict`/`hashtable`: a resize
//!   allocates the new (zeroed) bucket array and then migrates one old bucket
//!   (with its chain) per mutating operation, or in bulk from the server cron
//!   via [`Dict::rehash_steps`] / [`Dict::rehash_for`].  While rehashing,
//!   lookups probe both tables and inserts go to the new one.  No operation
//!   other than [`Dict::clear`] / drop does O(n) work.
//! * **SCAN** uses the reverse-binary cursor of Redis' `dictScan`, including
//!   the two-table case, so a key present for the whole scan is returned at
//!   least once even if the table grows, shrinks or rehashes between calls.
//!   A bucket and its whole child chain are emitted together.
//! * **Expiry index.** Entries with a TTL are additionally referenced from a
//!   second bucket table of the same design (same hash, same incremental
//!   rehashing), so the active-expire cycle can sample ([`Dict::random_expiring`])
//!   or scan ([`Dict::scan_expires`]) only keys that have a TTL.  It costs
//!   nothing for dicts without TTLs.
//!
//! Measured with 1,000,000 keys `key:N` and a 16-byte `V` (jemalloc size
//! classes): 32 B of entry + ~17.5 B of buckets = ~49.5 B per key (a TTL on
//! every key adds 16 B of entry and ~17.5 B of expiry index).
//!
//! Hashing uses foldhash with a per-process random seed (overridable with
//! [`set_hash_seed`] or [`Dict::with_seed`]).  The low bits of the hash pick
//! the bucket, the high 8 bits are the tag.
//!
//! `unsafe` code is confined to this module: entries and buckets are raw
//! allocations owned by the `Dict`, and every unsafe block states why it is
//! sound.  Lookups through `&self` do not perform rehash steps (that would need
//! interior mutability and would break outstanding iterators); every `&mut`
//! operation does.

#![deny(unsafe_op_in_unsafe_fn)]

use std::alloc::{self, Layout};
use std::fmt;
use std::hash::Hasher;
use std::marker::PhantomData;
use std::mem;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------
// Hashing
// ---------------------------------------------------------------------------

static SEED_OVERRIDE: AtomicU64 = AtomicU64::new(0);
static SEED_IS_SET: AtomicBool = AtomicBool::new(false);

/// Sets the process-wide hash seed used by dicts created afterwards with
/// [`Dict::new`] / [`Dict::with_capacity`].  Existing dicts keep their seed.
pub fn set_hash_seed(seed: u64) {
    SEED_OVERRIDE.store(seed, Ordering::Relaxed);
    SEED_IS_SET.store(true, Ordering::Release);
}

/// The process-wide hash seed: the one given to [`set_hash_seed`], otherwise
/// a random value chosen once per process.
pub fn hash_seed() -> u64 {
    if SEED_IS_SET.load(Ordering::Acquire) {
        return SEED_OVERRIDE.load(Ordering::Relaxed);
    }
    static RANDOM: OnceLock<u64> = OnceLock::new();
    *RANDOM.get_or_init(|| {
        use std::hash::BuildHasher;
        std::collections::hash_map::RandomState::new().hash_one(0x9e37_79b9_7f4a_7c15_u64)
    })
}

#[inline]
fn hash_key(seed: u64, key: &[u8]) -> u64 {
    let mut h = foldhash::fast::FoldHasher::with_seed(seed, foldhash::SharedSeed::global_fixed());
    h.write(key);
    let h = h.finish();
    #[cfg(test)]
    let h = test_hooks::degrade(h);
    h
}

#[inline(always)]
fn tag_of(hash: u64) -> u8 {
    (hash >> 56) as u8
}

// ---------------------------------------------------------------------------
// Test-only accounting hooks (compiled out of normal builds)
// ---------------------------------------------------------------------------

#[cfg(test)]
mod test_hooks {
    use std::cell::Cell;
    thread_local! {
        pub static LIVE_ENTRIES: Cell<isize> = const { Cell::new(0) };
        pub static LIVE_BUCKETS: Cell<isize> = const { Cell::new(0) };
        /// When not `u64::MAX`, only these low hash bits are kept (plus the
        /// tag byte), forcing collisions and long chains.
        pub static DEGRADE_MASK: Cell<u64> = const { Cell::new(u64::MAX) };
    }
    pub fn degrade(h: u64) -> u64 {
        let m = DEGRADE_MASK.with(|c| c.get());
        if m == u64::MAX {
            h
        } else {
            (h & 0xff00_0000_0000_0000) | (h & m)
        }
    }
}

#[inline(always)]
fn track_entries(_delta: isize) {
    #[cfg(test)]
    test_hooks::LIVE_ENTRIES.with(|c| c.set(c.get() + _delta));
}

#[inline(always)]
fn track_buckets(_delta: isize) {
    #[cfg(test)]
    test_hooks::LIVE_BUCKETS.with(|c| c.set(c.get() + _delta));
}

// ---------------------------------------------------------------------------
// Entries
// ---------------------------------------------------------------------------

/// The entry has a TTL; the expire field holds it.
const F_HAS_EXPIRE: u8 = 0b01;
/// The entry has room for the 8-byte expire field (possibly unused).
const F_EXPIRE_SLOT: u8 = 0b10;
/// Bytes between `V` and the key-length varint: flags + 24-bit clock.
const META: usize = 4;
/// The largest value the per-entry clock holds.
pub const CLOCK_MAX: u32 = (1 << 24) - 1;

/// Reads the 24-bit clock of an entry.
///
/// # Safety
/// `e` must point at a live entry whose value has size `voff`.
#[inline(always)]
unsafe fn clock_read(e: *const u8, voff: usize) -> u32 {
    // SAFETY: the three clock bytes follow the flags byte inside the entry.
    unsafe {
        let p = e.add(voff + 1);
        u32::from(*p) | u32::from(*p.add(1)) << 8 | u32::from(*p.add(2)) << 16
    }
}

/// Writes the 24-bit clock of an entry (higher bits are dropped).
///
/// # Safety
/// As for [`clock_read`], and the entry must not be shared.
#[inline(always)]
unsafe fn clock_write(e: *mut u8, voff: usize, c: u32) {
    // SAFETY: as in `clock_read`; exclusive access is the caller's promise.
    unsafe {
        let p = e.add(voff + 1);
        *p = c as u8;
        *p.add(1) = (c >> 8) as u8;
        *p.add(2) = (c >> 16) as u8;
    }
}

/// Number of bytes of the LEB128 encoding of `n`.
#[inline]
fn varint_len(n: usize) -> usize {
    let bits = usize::BITS - (n | 1).leading_zeros();
    1 + (bits as usize - 1) / 7
}

/// Writes `n` as LEB128 at `p`, returns the number of bytes written.
///
/// # Safety
/// `p` must be valid for `varint_len(n)` byte writes.
#[inline]
unsafe fn varint_write(mut p: *mut u8, mut n: usize) -> usize {
    let mut written = 1;
    // SAFETY: the caller guarantees room for varint_len(n) bytes; we write
    // exactly that many.
    unsafe {
        while n >= 0x80 {
            *p = (n as u8) | 0x80;
            n >>= 7;
            p = p.add(1);
            written += 1;
        }
        *p = n as u8;
    }
    written
}

/// Reads a LEB128 value written by [`varint_write`]: `(value, bytes)`.
///
/// # Safety
/// `p` must point at a complete varint produced by `varint_write`.
#[inline(always)]
unsafe fn varint_read(p: *const u8) -> (usize, usize) {
    // SAFETY: the caller guarantees a complete, well-formed varint at `p`,
    // so every byte read up to the terminating (< 0x80) byte is in bounds.
    unsafe {
        let b0 = *p;
        if b0 < 0x80 {
            return (b0 as usize, 1);
        }
        let mut v = (b0 & 0x7f) as usize;
        let mut shift = 7;
        let mut i = 1;
        loop {
            let b = *p.add(i);
            i += 1;
            v |= ((b & 0x7f) as usize) << shift;
            if b < 0x80 {
                return (v, i);
            }
            shift += 7;
        }
    }
}

/// Key equality with a fast path for short keys (avoids a `memcmp` call).
#[inline(always)]
fn key_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if (8..=16).contains(&n) {
        let w =
            |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
        return w(a, 0) == w(b, 0) && w(a, n - 8) == w(b, n - 8);
    }
    if (4..8).contains(&n) {
        let w =
            |s: &[u8], at: usize| u32::from_ne_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
        return w(a, 0) == w(b, 0) && w(a, n - 4) == w(b, n - 4);
    }
    a == b
}

/// Decoded entry header. Offsets are from the start of the entry.
#[derive(Clone, Copy)]
struct Header {
    flags: u8,
    klen: usize,
    exp_off: usize,
    key_off: usize,
}

impl Header {
    #[inline]
    fn alloc_size(&self) -> usize {
        self.key_off + self.klen
    }
    #[inline]
    fn has_expire(&self) -> bool {
        self.flags & F_HAS_EXPIRE != 0
    }
}

/// Decodes the header of an entry whose value has size `voff`.
///
/// # Safety
/// `e` must point at a live entry created by `entry_new::<V>` with
/// `size_of::<V>() == voff`.
#[inline(always)]
unsafe fn header(e: *const u8, voff: usize) -> Header {
    // SAFETY: per the contract, the flags byte lives at `voff` and is followed
    // by a complete varint, all inside the entry allocation.
    unsafe {
        let flags = *e.add(voff);
        let (klen, n) = varint_read(e.add(voff + META));
        let exp_off = voff + META + n;
        let key_off = exp_off + if flags & F_EXPIRE_SLOT != 0 { 8 } else { 0 };
        Header {
            flags,
            klen,
            exp_off,
            key_off,
        }
    }
}

/// The key bytes of an entry.
///
/// # Safety
/// As for [`header`]; the returned slice must not outlive the entry.
#[inline(always)]
unsafe fn entry_key<'a>(e: *const u8, voff: usize) -> &'a [u8] {
    // SAFETY: the key bytes were written at `key_off` for `klen` bytes when
    // the entry was built and are never mutated while it is live.
    unsafe {
        let h = header(e, voff);
        std::slice::from_raw_parts(e.add(h.key_off), h.klen)
    }
}

/// The expire time of an entry, if it has one.
///
/// # Safety
/// As for [`header`].
#[inline]
unsafe fn entry_expire(e: *const u8, voff: usize) -> Option<i64> {
    // SAFETY: when F_HAS_EXPIRE is set, F_EXPIRE_SLOT is set too and 8 bytes
    // at `exp_off` belong to the entry; they may be unaligned.
    unsafe {
        let h = header(e, voff);
        if h.has_expire() {
            Some(ptr::read_unaligned(e.add(h.exp_off) as *const i64))
        } else {
            None
        }
    }
}

#[inline]
fn entry_layout<V>(size: usize) -> Layout {
    match Layout::from_size_align(size, mem::align_of::<V>()) {
        Ok(l) => l,
        // Only reachable for keys close to isize::MAX bytes, which cannot
        // exist in memory in the first place.
        Err(_) => panic!("dict entry too large"),
    }
}

/// Allocates and initializes a new entry.
fn entry_new<V>(key: &[u8], value: V, expire: Option<i64>, clock: u32) -> *mut u8 {
    let voff = mem::size_of::<V>();
    let klen = key.len();
    let vlen = varint_len(klen);
    let (flags, exp_bytes) = match expire {
        Some(_) => (F_HAS_EXPIRE | F_EXPIRE_SLOT, 8),
        None => (0, 0),
    };
    // Cannot overflow: klen <= isize::MAX and the rest is tiny.
    let size = voff + META + vlen + exp_bytes + klen;
    let layout = entry_layout::<V>(size);
    // SAFETY: `size >= 2`, so the layout is non-zero-sized.
    let p = unsafe { alloc::alloc(layout) };
    if p.is_null() {
        alloc::handle_alloc_error(layout);
    }
    // SAFETY: `p` is a fresh allocation of `size` bytes aligned for V; every
    // write below is within it: V at [0, voff), flags at voff, the clock at
    // voff+1 (3 bytes), the varint at voff+META (vlen bytes), the optional
    // expire (8 bytes, unaligned) and the key bytes, which end exactly at
    // `size`.
    unsafe {
        ptr::write(p as *mut V, value);
        *p.add(voff) = flags;
        clock_write(p, voff, clock);
        varint_write(p.add(voff + META), klen);
        if let Some(t) = expire {
            ptr::write_unaligned(p.add(voff + META + vlen) as *mut i64, t);
        }
        ptr::copy_nonoverlapping(key.as_ptr(), p.add(voff + META + vlen + exp_bytes), klen);
    }
    track_entries(1);
    p
}

/// Reallocates an entry that has no expire field into one that has, with
/// expire `when`.  The old allocation is freed (V is moved, not dropped).
///
/// # Safety
/// `e` must be a live entry of type V without `F_EXPIRE_SLOT`, `h` its header.
/// Afterwards `e` is dangling; the caller must replace every pointer to it.
unsafe fn entry_grow_expire<V>(e: *mut u8, h: Header, when: i64) -> *mut u8 {
    debug_assert!(h.flags & F_EXPIRE_SLOT == 0);
    let old_size = h.alloc_size();
    let size = old_size + 8;
    let layout = entry_layout::<V>(size);
    // SAFETY: non-zero size.
    let p = unsafe { alloc::alloc(layout) };
    if p.is_null() {
        alloc::handle_alloc_error(layout);
    }
    // SAFETY: `p` has room for the old prefix (V, flags, clock, varint:
    // `exp_off` bytes), the 8-byte expire and the key; the regions do not overlap the
    // old allocation, which is valid for `old_size` bytes and freed with the
    // layout it was allocated with.  V is moved bitwise and not dropped.
    unsafe {
        ptr::copy_nonoverlapping(e, p, h.exp_off);
        *p.add(mem::size_of::<V>()) = h.flags | F_EXPIRE_SLOT | F_HAS_EXPIRE;
        ptr::write_unaligned(p.add(h.exp_off) as *mut i64, when);
        ptr::copy_nonoverlapping(e.add(h.key_off), p.add(h.exp_off + 8), h.klen);
        alloc::dealloc(e, entry_layout::<V>(old_size));
    }
    p
}

/// Frees an entry, returning its value and expire.
///
/// # Safety
/// `e` must be a live entry of type V that is no longer referenced.
unsafe fn entry_free<V>(e: *mut u8) -> (V, Option<i64>) {
    // SAFETY: V is initialized at offset 0 and read out exactly once; the
    // allocation is then freed with the layout it was created with.
    unsafe {
        let h = header(e, mem::size_of::<V>());
        let exp = if h.has_expire() {
            Some(ptr::read_unaligned(e.add(h.exp_off) as *const i64))
        } else {
            None
        };
        let v = ptr::read(e as *const V);
        alloc::dealloc(e, entry_layout::<V>(h.alloc_size()));
        track_entries(-1);
        (v, exp)
    }
}

/// Drops and frees an entry in place.
///
/// # Safety
/// As for [`entry_free`].
unsafe fn entry_drop<V>(e: *mut u8) {
    // SAFETY: forwarded contract.
    drop(unsafe { entry_free::<V>(e) });
}

// ---------------------------------------------------------------------------
// Buckets and tables
// ---------------------------------------------------------------------------

/// Entry slots per bucket (one fewer when the bucket is chained).
const SLOTS: usize = 7;
/// The slot that holds the child pointer of a chained bucket.
const CHILD_SLOT: usize = SLOTS - 1;
const PRESENCE: u8 = 0x7f;
const CHAINED: u8 = 0x80;
/// Grow when the table would exceed this fill (percent of all root slots).
const MAX_FILL_PCT: usize = 78;
/// Shrink when the fill drops under 1/8; the new size targets this fill.
const SHRINK_TARGET_PCT: usize = 50;
/// Empty buckets a single rehash step may skip before giving up.
const REHASH_EMPTY_VISITS: usize = 10;
/// Random bucket picks before `random_*` falls back to a linear walk.
const RANDOM_TRIES: usize = 32;

/// One cache line: metadata, 7 hash tags and 7 entry pointers.
/// The all-zero bit pattern is a valid empty bucket.
#[repr(C, align(64))]
struct Bucket {
    /// Bits 0..7: slot presence; bit 7: chained (slot 6 is the child).
    meta: u8,
    tags: [u8; SLOTS],
    slots: [*mut u8; SLOTS],
}

const _: () = assert!(mem::size_of::<Bucket>() == 64);

impl Bucket {
    const EMPTY: Bucket = Bucket {
        meta: 0,
        tags: [0; SLOTS],
        slots: [ptr::null_mut(); SLOTS],
    };

    #[inline(always)]
    fn presence(&self) -> u8 {
        self.meta & PRESENCE
    }
    #[inline(always)]
    fn is_chained(&self) -> bool {
        self.meta & CHAINED != 0
    }
    #[inline(always)]
    fn child(&self) -> *mut Bucket {
        if self.is_chained() {
            self.slots[CHILD_SLOT].cast()
        } else {
            ptr::null_mut()
        }
    }
    /// Bit mask of the present slots whose tag equals `tag` (SWAR compare of
    /// the 7 tag bytes at once).
    #[inline(always)]
    fn match_tag(&self, tag: u8) -> u8 {
        const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        let mut bytes = [0u8; 8];
        bytes[..SLOTS].copy_from_slice(&self.tags);
        let x = u64::from_le_bytes(bytes) ^ (tag as u64).wrapping_mul(0x0101_0101_0101_0101);
        // Exact zero-byte detection: 0x80 in every byte of `x` that is 0.
        let zero = !(((x & LO7).wrapping_add(LO7)) | x | LO7);
        // Gather bit 7 of each byte into the top byte (bit i <- byte i).
        let mask = ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8;
        mask & self.presence()
    }
    /// Bit mask of free entry slots.
    #[inline(always)]
    fn free_mask(&self) -> u8 {
        let cap = if self.is_chained() {
            PRESENCE >> 1
        } else {
            PRESENCE
        };
        cap & !self.meta
    }
    #[inline(always)]
    fn put(&mut self, i: usize, tag: u8, e: *mut u8) {
        debug_assert!(self.meta & (1 << i) == 0);
        self.meta |= 1 << i;
        self.tags[i] = tag;
        self.slots[i] = e;
    }
}

fn new_child_bucket() -> *mut Bucket {
    track_buckets(1);
    Box::into_raw(Box::new(Bucket::EMPTY))
}

/// # Safety
/// `b` must come from [`new_child_bucket`] and be unreachable afterwards.
unsafe fn free_child_bucket(b: *mut Bucket) {
    track_buckets(-1);
    // SAFETY: allocated by Box::new in new_child_bucket.
    drop(unsafe { Box::from_raw(b) });
}

/// One power-of-two array of buckets.
///
/// Invariant: if `buckets` is non-null it points at `1 << exp` buckets
/// allocated by [`Table::alloc`] and owned by this table; every chained
/// bucket's child is a live child bucket owned by the chain; every presence
/// bit marks a slot holding a live entry pointer whose hash's low bits select
/// this chain's root.  `used` counts entries, `children` child buckets.
struct Table {
    buckets: *mut Bucket,
    exp: u32,
    used: usize,
    children: usize,
}

impl Table {
    const EMPTY: Table = Table {
        buckets: ptr::null_mut(),
        exp: 0,
        used: 0,
        children: 0,
    };

    fn layout(exp: u32) -> Layout {
        match Layout::array::<Bucket>(1usize << exp) {
            Ok(l) => l,
            Err(_) => panic!("dict table too large"),
        }
    }

    fn alloc(exp: u32) -> Table {
        let layout = Self::layout(exp);
        // SAFETY: the layout is non-zero-sized (at least one 64-byte bucket).
        // Zeroed memory is a valid array of empty buckets.
        let buckets = unsafe { alloc::alloc_zeroed(layout) } as *mut Bucket;
        if buckets.is_null() {
            alloc::handle_alloc_error(layout);
        }
        track_buckets(1);
        Table {
            buckets,
            exp,
            used: 0,
            children: 0,
        }
    }

    /// Frees the bucket array.  The table must hold no entries or children.
    fn dealloc_array(&mut self) {
        debug_assert!(self.used == 0 && self.children == 0);
        if !self.buckets.is_null() {
            // SAFETY: allocated in `alloc` with the same layout.
            unsafe { alloc::dealloc(self.buckets.cast(), Self::layout(self.exp)) };
            track_buckets(-1);
        }
        *self = Table::EMPTY;
    }

    #[inline(always)]
    fn is_allocated(&self) -> bool {
        !self.buckets.is_null()
    }
    #[inline(always)]
    fn nbuckets(&self) -> usize {
        if self.buckets.is_null() {
            0
        } else {
            1usize << self.exp
        }
    }
    #[inline(always)]
    fn mask(&self) -> usize {
        (1usize << self.exp) - 1
    }
    #[inline(always)]
    fn slots(&self) -> usize {
        self.nbuckets() * SLOTS
    }
    /// Pointer to root bucket `idx`.  Only dereferenceable if the table is
    /// allocated and `idx < nbuckets()` (callers index with `hash & mask`
    /// or bounded loops); computing it is always safe.
    #[inline(always)]
    fn bucket(&self, idx: usize) -> *mut Bucket {
        debug_assert!(self.is_allocated() && idx < self.nbuckets());
        self.buckets.wrapping_add(idx)
    }

    /// Adds an entry (no duplicate check).  The table must be allocated.
    fn insert(&mut self, hash: u64, e: *mut u8) {
        let tag = tag_of(hash);
        let mut b = self.bucket(hash as usize & self.mask());
        // SAFETY: `b` walks live buckets of this chain (table invariant); we
        // hold `&mut self`, so nothing else accesses them.  A new child gets
        // the displaced last entry, keeping every entry in the same chain.
        unsafe {
            loop {
                let bk = &mut *b;
                let free = bk.free_mask();
                if free != 0 {
                    bk.put(free.trailing_zeros() as usize, tag, e);
                    break;
                }
                if !bk.is_chained() {
                    let child = new_child_bucket();
                    (*child).put(0, bk.tags[CHILD_SLOT], bk.slots[CHILD_SLOT]);
                    (*child).put(1, tag, e);
                    bk.slots[CHILD_SLOT] = child.cast();
                    bk.meta = (bk.meta & !(1 << CHILD_SLOT)) | CHAINED;
                    self.children += 1;
                    break;
                }
                b = bk.child();
            }
        }
        self.used += 1;
    }

    /// After a deletion in the chain rooted at `root`: unlink empty child
    /// buckets and fold the last child into its parent when it fits.
    ///
    /// # Safety
    /// `root` must be a root bucket of this (allocated) table.
    unsafe fn compact_chain(&mut self, root: *mut Bucket) {
        let mut b = root;
        // SAFETY: `root` is a root bucket of this table (contract), so all
        // buckets touched belong to its chain (table invariant); we hold
        // `&mut self`.  Entries only move within the chain, and a
        // child is freed only after being unlinked.
        unsafe {
            while (*b).is_chained() {
                let next = (*b).child();
                let np = (*next).presence();
                if np == 0 {
                    if (*next).is_chained() {
                        (*b).slots[CHILD_SLOT] = (*next).slots[CHILD_SLOT];
                    } else {
                        (*b).meta &= !CHAINED;
                        (*b).slots[CHILD_SLOT] = ptr::null_mut();
                    }
                    free_child_bucket(next);
                    self.children -= 1;
                    continue;
                }
                if !(*next).is_chained() {
                    let fits = (*b).presence().count_ones() + np.count_ones() <= SLOTS as u32;
                    if fits {
                        (*b).meta &= !CHAINED;
                        (*b).slots[CHILD_SLOT] = ptr::null_mut();
                        let mut m = np;
                        while m != 0 {
                            let i = m.trailing_zeros() as usize;
                            m &= m - 1;
                            let free = (*b).free_mask();
                            (*b).put(
                                free.trailing_zeros() as usize,
                                (*next).tags[i],
                                (*next).slots[i],
                            );
                        }
                        free_child_bucket(next);
                        self.children -= 1;
                    }
                    return;
                }
                b = next;
            }
        }
    }

    /// Calls `f` for every entry in the chain rooted at `idx`.
    #[inline]
    fn visit_chain(&self, idx: usize, f: &mut impl FnMut(*mut u8)) {
        let mut b = self.bucket(idx);
        // SAFETY: walking live buckets of this chain under `&self`.
        unsafe {
            loop {
                let bk = &*b;
                let mut m = bk.presence();
                while m != 0 {
                    let i = m.trailing_zeros() as usize;
                    m &= m - 1;
                    f(bk.slots[i]);
                }
                if !bk.is_chained() {
                    break;
                }
                b = bk.child();
            }
        }
    }

    /// Detaches and frees everything: child buckets, the array, and (through
    /// `f`) the entries.  Leaves `self` empty before calling `f`, so a
    /// panicking `f` only leaks.
    fn free_all(&mut self, f: &mut impl FnMut(*mut u8)) {
        let t = mem::replace(self, Table::EMPTY);
        if !t.is_allocated() {
            return;
        }
        let mut entries = t.used;
        let mut children = t.children;
        let mut idx = 0;
        let n = t.nbuckets();
        while (entries > 0 || children > 0) && idx < n {
            if idx + PREFETCH_AHEAD < n {
                // SAFETY: idx + PREFETCH_AHEAD < n, a live root bucket of `t`.
                unsafe { prefetch_entries(t.bucket(idx + PREFETCH_AHEAD)) };
            }
            let mut b = t.bucket(idx);
            idx += 1;
            // SAFETY: `t` was detached from the index; we own its buckets and
            // each entry pointer is handed to `f` exactly once.  Children are
            // freed after their contents and child pointer have been read.
            unsafe {
                if (*b).meta == 0 {
                    continue;
                }
                let root = b;
                loop {
                    let mut m = (*b).presence();
                    while m != 0 {
                        let i = m.trailing_zeros() as usize;
                        m &= m - 1;
                        entries -= 1;
                        f((*b).slots[i]);
                    }
                    let next = (*b).child();
                    if b != root {
                        free_child_bucket(b);
                        children -= 1;
                    }
                    if next.is_null() {
                        break;
                    }
                    b = next;
                }
            }
        }
        let mut t = t;
        t.used = 0;
        t.children = 0;
        t.dealloc_array();
    }
}

/// How many root buckets ahead `free_all` prefetches entries.
const PREFETCH_AHEAD: usize = 2;

/// Hints the CPU to load the memory at `p` (no effect on semantics).
#[inline(always)]
fn prefetch(p: *const u8) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: a prefetch is only a hint: it never faults and has no
    // observable effect, whatever the address.
    unsafe {
        core::arch::x86_64::_mm_prefetch(p as *const i8, core::arch::x86_64::_MM_HINT_T0)
    };
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = p;
}

/// Prefetches the entries in bucket `b` (not its children), so that the
/// cache misses of a bulk walk overlap.
///
/// # Safety
/// `b` must be a live bucket.
#[inline(always)]
unsafe fn prefetch_entries(b: *const Bucket) {
    // SAFETY: `b` is a live bucket (contract); we only read its slots.
    let bk = unsafe { &*b };
    let mut m = bk.presence();
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        prefetch(bk.slots[i]);
    }
}

/// Smallest table exponent whose fill for `n` entries is at most `pct`%.
fn exp_for(n: usize, pct: usize) -> u32 {
    let mut e = 0u32;
    while e < usize::BITS - 8 && n.saturating_mul(100) > (SLOTS << e).saturating_mul(pct) {
        e += 1;
    }
    e
}

/// Location of an entry found by [`Index::find`].  Valid until the index is
/// next modified.
#[derive(Clone, Copy)]
struct Pos {
    table: usize,
    root: usize,
    bucket: *mut Bucket,
    slot: usize,
    entry: *mut u8,
}

/// A set of entry pointers in bucket tables with incremental rehashing.
/// The dict has two: the main index owns the entries, the expiry index only
/// refers to the ones with a TTL.
struct Index {
    /// `t[0]` is the live table; `t[1]` is allocated only while rehashing.
    t: [Table; 2],
    /// While rehashing: buckets of `t[0]` below this index are migrated.
    rehash_idx: usize,
    len: usize,
    seed: u64,
    /// `size_of::<V>()`: where the entry header starts (to rehash keys).
    voff: usize,
}

impl Index {
    fn new(seed: u64, voff: usize) -> Index {
        Index {
            t: [Table::EMPTY, Table::EMPTY],
            rehash_idx: 0,
            len: 0,
            seed,
            voff,
        }
    }

    #[inline(always)]
    fn is_rehashing(&self) -> bool {
        self.t[1].is_allocated()
    }

    #[inline]
    fn find(&self, hash: u64, mut eq: impl FnMut(*mut u8) -> bool) -> Option<Pos> {
        if self.len == 0 {
            return None;
        }
        let tag = tag_of(hash);
        let rehashing = self.is_rehashing();
        for ti in 0..1 + rehashing as usize {
            let t = &self.t[ti];
            let idx = hash as usize & t.mask();
            if ti == 0 && rehashing && idx < self.rehash_idx {
                continue;
            }
            let mut b = t.bucket(idx);
            loop {
                // SAFETY: `b` is a live bucket of this chain (table
                // invariant); len > 0 so t[0] is allocated, and t[1] is
                // allocated while rehashing.
                let bk = unsafe { &*b };
                let mut m = bk.match_tag(tag);
                while m != 0 {
                    let i = m.trailing_zeros() as usize;
                    m &= m - 1;
                    if eq(bk.slots[i]) {
                        return Some(Pos {
                            table: ti,
                            root: idx,
                            bucket: b,
                            slot: i,
                            entry: bk.slots[i],
                        });
                    }
                }
                if !bk.is_chained() {
                    break;
                }
                b = bk.child();
            }
        }
        None
    }

    /// Adds an entry (no duplicate check), growing if needed.
    fn insert(&mut self, hash: u64, e: *mut u8) {
        self.expand_if_needed();
        let ti = self.is_rehashing() as usize;
        self.t[ti].insert(hash, e);
        self.len += 1;
    }

    fn remove_at(&mut self, pos: Pos) {
        let t = &mut self.t[pos.table];
        // SAFETY: `pos` was just returned by `find` and nothing modified the
        // index since, so it designates a present slot of a live bucket.
        unsafe {
            let bk = &mut *pos.bucket;
            debug_assert!(bk.meta & (1 << pos.slot) != 0);
            bk.meta &= !(1 << pos.slot);
            bk.slots[pos.slot] = ptr::null_mut();
        }
        t.used -= 1;
        self.len -= 1;
        let root = t.bucket(pos.root);
        // SAFETY: `pos.root` is the in-range root index of the chain the
        // entry was found in, in an allocated table.
        unsafe {
            if (*root).is_chained() {
                t.compact_chain(root);
            }
        }
    }

    /// Removes the slot holding exactly `e`.
    fn remove_ptr(&mut self, hash: u64, e: *mut u8) -> bool {
        match self.find(hash, |x| x == e) {
            Some(pos) => {
                self.remove_at(pos);
                true
            }
            None => false,
        }
    }

    /// Points the slot at `pos` to a reallocated entry.
    fn replace_at(&mut self, pos: Pos, e: *mut u8) {
        // SAFETY: as in `remove_at`; `&mut self` gives exclusive access.
        unsafe { (*pos.bucket).slots[pos.slot] = e };
    }

    fn expand_if_needed(&mut self) {
        if self.is_rehashing() {
            // Safety valve for pathological insert bursts during a shrink:
            // finish the migration faster if the target table is overfull.
            if self.len > self.t[1].slots() {
                for _ in 0..4 {
                    self.rehash_step();
                }
            }
            return;
        }
        if !self.t[0].is_allocated() {
            self.t[0] = Table::alloc(0);
            return;
        }
        if (self.len + 1) * 100 > self.t[0].slots() * MAX_FILL_PCT {
            self.resize(self.t[0].exp + 1);
        }
    }

    fn shrink_if_needed(&mut self) {
        if self.is_rehashing() {
            return;
        }
        let t0 = &self.t[0];
        if !t0.is_allocated() || t0.exp == 0 {
            return;
        }
        if self.len * 8 < t0.slots() {
            let e = exp_for(self.len, SHRINK_TARGET_PCT);
            if e < t0.exp {
                self.resize(e);
            }
        }
    }

    fn reserve(&mut self, additional: usize) {
        if self.is_rehashing() {
            return;
        }
        let need = self.len.saturating_add(additional);
        let e = exp_for(need, MAX_FILL_PCT);
        if !self.t[0].is_allocated() || e > self.t[0].exp {
            self.resize(e);
        }
    }

    /// Starts migrating to a table of `1 << exp` buckets (or switches
    /// directly when there is nothing to migrate).
    fn resize(&mut self, exp: u32) {
        debug_assert!(!self.is_rehashing());
        if self.t[0].is_allocated() && exp == self.t[0].exp {
            return;
        }
        if self.len == 0 && self.t[0].children == 0 {
            self.t[0].dealloc_array();
            self.t[0] = Table::alloc(exp);
            return;
        }
        self.t[1] = Table::alloc(exp);
        self.rehash_idx = 0;
    }

    /// Migrates one non-empty bucket chain of the old table (visiting at most
    /// a few empty buckets).  Returns whether rehashing is still in progress.
    fn rehash_step(&mut self) -> bool {
        if !self.is_rehashing() {
            return false;
        }
        let (seed, voff) = (self.seed, self.voff);
        let [t0, t1] = &mut self.t;
        let n0 = t0.nbuckets();
        let mut empty_budget = REHASH_EMPTY_VISITS;
        while self.rehash_idx < n0 {
            let root = t0.bucket(self.rehash_idx);
            self.rehash_idx += 1;
            // SAFETY: `root` and its chain are live buckets of t0; each entry
            // is a live entry of this index (header readable with `voff`).
            // Entries are moved to t1, children freed after being read, and
            // the root reset to empty, so every entry ends up in exactly one
            // place.
            unsafe {
                if (*root).meta == 0 {
                    empty_budget -= 1;
                    if empty_budget == 0 {
                        break;
                    }
                    continue;
                }
                prefetch_entries(root);
                let mut b = root;
                let mut moved = 0;
                loop {
                    let mut m = (*b).presence();
                    while m != 0 {
                        let i = m.trailing_zeros() as usize;
                        m &= m - 1;
                        let e = (*b).slots[i];
                        t1.insert(hash_key(seed, entry_key(e, voff)), e);
                        moved += 1;
                    }
                    let next = (*b).child();
                    if b != root {
                        free_child_bucket(b);
                        t0.children -= 1;
                    }
                    if next.is_null() {
                        break;
                    }
                    b = next;
                }
                ptr::write(root, Bucket::EMPTY);
                t0.used -= moved;
            }
            break;
        }
        if self.rehash_idx < n0 {
            return true;
        }
        t0.dealloc_array();
        *t0 = mem::replace(t1, Table::EMPTY);
        self.rehash_idx = 0;
        // Deletions during the migration may have left the new table too big.
        self.shrink_if_needed();
        self.is_rehashing()
    }

    /// One SCAN step (Redis `dictScan` cursor algorithm).
    fn scan(&self, cursor: u64, mut f: impl FnMut(*mut u8)) -> u64 {
        if !self.t[0].is_allocated() {
            return 0;
        }
        let mut v = cursor;
        if !self.is_rehashing() {
            let t = &self.t[0];
            let m0 = t.mask() as u64;
            t.visit_chain((v & m0) as usize, &mut f);
            // Set the unmasked bits so incrementing the reversed cursor
            // operates on the masked bits only.
            v |= !m0;
            v = v.reverse_bits().wrapping_add(1).reverse_bits();
        } else {
            let (small, big) = if self.t[0].exp <= self.t[1].exp {
                (&self.t[0], &self.t[1])
            } else {
                (&self.t[1], &self.t[0])
            };
            let m0 = small.mask() as u64;
            let m1 = big.mask() as u64;
            // Migrated buckets of t[0] are empty, so visiting them is harmless.
            small.visit_chain((v & m0) as usize, &mut f);
            // Then every expansion of that index in the bigger table.
            loop {
                big.visit_chain((v & m1) as usize, &mut f);
                v |= !m1;
                v = v.reverse_bits().wrapping_add(1).reverse_bits();
                if v & (m0 ^ m1) == 0 {
                    break;
                }
            }
        }
        v
    }

    fn random(&self, rng: &mut impl FnMut() -> u64) -> Option<*mut u8> {
        if self.len == 0 {
            return None;
        }
        let n0 = self.t[0].nbuckets();
        let (lo, hi) = if self.is_rehashing() {
            (self.rehash_idx, n0 + self.t[1].nbuckets())
        } else {
            (0, n0)
        };
        let span = hi - lo;
        let root_at = |h: usize| {
            if h < n0 {
                self.t[0].bucket(h)
            } else {
                self.t[1].bucket(h - n0)
            }
        };
        for _ in 0..RANDOM_TRIES {
            let h = lo + (rng() % span as u64) as usize;
            // SAFETY: lo <= h < hi, so root_at(h) is a live root bucket.
            if let Some(e) = unsafe { pick_in_chain(root_at(h), rng) } {
                return Some(e);
            }
        }
        // Very sparse (or unlucky): walk from a random bucket.
        let start = (rng() % span as u64) as usize;
        for k in 0..span {
            let h = lo + (start + k) % span;
            // SAFETY: lo <= h < hi, so root_at(h) is a live root bucket.
            if let Some(e) = unsafe { pick_in_chain(root_at(h), rng) } {
                return Some(e);
            }
        }
        None
    }

    fn mem_overhead(&self) -> usize {
        self.t
            .iter()
            .map(|t| (t.nbuckets() + t.children) * mem::size_of::<Bucket>())
            .sum()
    }

    /// Frees all buckets; `f` receives every entry exactly once.
    fn free_all(&mut self, mut f: impl FnMut(*mut u8)) {
        let mut t = mem::replace(&mut self.t, [Table::EMPTY, Table::EMPTY]);
        self.len = 0;
        self.rehash_idx = 0;
        t[0].free_all(&mut f);
        t[1].free_all(&mut f);
    }
}

/// Picks a uniformly random entry of one chain.
///
/// # Safety
/// `root` must be a live root bucket of an index borrowed by the caller.
unsafe fn pick_in_chain(root: *mut Bucket, rng: &mut impl FnMut() -> u64) -> Option<*mut u8> {
    // SAFETY: `root` is a live root bucket (contract) and its chain is walked
    // read-only while the index is borrowed by the caller.
    unsafe {
        let mut count = 0u64;
        let mut b = root;
        while !b.is_null() {
            count += (*b).presence().count_ones() as u64;
            b = (*b).child();
        }
        if count == 0 {
            return None;
        }
        let mut r = rng() % count;
        let mut b = root;
        loop {
            let mut m = (*b).presence();
            let c = m.count_ones() as u64;
            if r < c {
                for _ in 0..r {
                    m &= m - 1;
                }
                return Some((*b).slots[m.trailing_zeros() as usize]);
            }
            r -= c;
            b = (*b).child();
        }
    }
}

/// Iterator over the entry pointers of an index.
struct RawIter<'a> {
    index: &'a Index,
    table: usize,
    next_idx: usize,
    bucket: *const Bucket,
    mask: u8,
    remaining: usize,
}

impl<'a> RawIter<'a> {
    fn new(index: &'a Index) -> Self {
        RawIter {
            index,
            table: 0,
            next_idx: 0,
            bucket: ptr::null(),
            mask: 0,
            remaining: index.len,
        }
    }
}

impl Iterator for RawIter<'_> {
    type Item = *mut u8;

    #[inline]
    fn next(&mut self) -> Option<*mut u8> {
        loop {
            if self.mask != 0 {
                let i = self.mask.trailing_zeros() as usize;
                self.mask &= self.mask - 1;
                self.remaining -= 1;
                // SAFETY: `bucket` is a live bucket of the borrowed index.
                return Some(unsafe { (*self.bucket).slots[i] });
            }
            if self.remaining == 0 {
                return None;
            }
            // SAFETY: `bucket` (if non-null) is a live bucket of the borrowed
            // index; root indices are bounds-checked against nbuckets.
            unsafe {
                if !self.bucket.is_null() && (*self.bucket).is_chained() {
                    self.bucket = (*self.bucket).child();
                    self.mask = (*self.bucket).presence();
                    continue;
                }
                let t = &self.index.t[self.table];
                if self.next_idx < t.nbuckets() {
                    self.bucket = t.bucket(self.next_idx);
                    self.next_idx += 1;
                    self.mask = (*self.bucket).presence();
                    continue;
                }
            }
            if self.table == 1 {
                return None;
            }
            self.table = 1;
            self.next_idx = 0;
            self.bucket = ptr::null();
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

// ---------------------------------------------------------------------------
// Dict
// ---------------------------------------------------------------------------

/// Hashtable from byte-string keys to `V`, with optional per-key expire
/// times (milliseconds) and an index of the keys that have one.
pub struct Dict<V> {
    /// Owns every entry.
    main: Index,
    /// Refers to the entries that have `F_HAS_EXPIRE`.
    expires: Index,
    /// The clock new entries start with (see [`Dict::set_new_clock`]).
    new_clock: u32,
    _owns: PhantomData<V>,
}

// SAFETY: a Dict exclusively owns its bucket arrays and entries (no pointer
// into them is shared with anything outside the Dict, and no shared state is
// kept in thread-locals or globals outside of tests), so moving it to another
// thread moves ownership of the contained `V`s, which is sound when V: Send.
unsafe impl<V: Send> Send for Dict<V> {}
// SAFETY: `&Dict` only permits reads (no interior mutability; lookups through
// `&self` never rehash), handing out `&V`, which is sound to share across
// threads when V: Sync.
unsafe impl<V: Sync> Sync for Dict<V> {}

impl<V> Default for Dict<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Dict<V> {
    const VOFF: usize = mem::size_of::<V>();

    /// An empty dict using the process hash seed.  Allocates nothing.
    pub fn new() -> Self {
        Self::with_seed(hash_seed())
    }

    /// An empty dict with an explicit hash seed.
    pub fn with_seed(seed: u64) -> Self {
        Dict {
            main: Index::new(seed, Self::VOFF),
            expires: Index::new(seed, Self::VOFF),
            new_clock: 0,
            _owns: PhantomData,
        }
    }

    /// An empty dict whose table fits `n` keys without resizing.
    pub fn with_capacity(n: usize) -> Self {
        let mut d = Self::new();
        d.reserve(n);
        d
    }

    /// Makes room for `additional` more keys.  If the table must grow this
    /// starts an (incremental) resize; it is a no-op while rehashing.
    pub fn reserve(&mut self, additional: usize) {
        self.main.reserve(additional);
    }

    /// The hash seed of this dict.
    pub fn seed(&self) -> u64 {
        self.main.seed
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.main.len
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.main.len == 0
    }

    /// Number of keys with an expire time.
    pub fn expires_len(&self) -> usize {
        self.expires.len
    }

    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        hash_key(self.main.seed, key)
    }

    #[inline]
    fn find(&self, hash: u64, key: &[u8]) -> Option<Pos> {
        // SAFETY: the index only holds live entries of type V.
        self.main
            .find(hash, |e| key_eq(unsafe { entry_key(e, Self::VOFF) }, key))
    }

    /// One bounded rehash step on each index that is rehashing.
    #[inline]
    fn rehash_tick(&mut self) {
        if self.main.is_rehashing() {
            self.main.rehash_step();
        }
        if self.expires.is_rehashing() {
            self.expires.rehash_step();
        }
    }

    /// The value of a key.  Does not advance rehashing (takes `&self`).
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        let pos = self.find(self.hash(key), key)?;
        // SAFETY: live entry with V initialized at offset 0 (aligned for V);
        // the borrow is tied to `&self`.
        Some(unsafe { &*(pos.entry as *const V) })
    }

    /// Mutable access to the value of a key (performs one rehash step).
    #[inline]
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.rehash_tick();
        let pos = self.find(self.hash(key), key)?;
        // SAFETY: as in `get`; `&mut self` makes the access exclusive.
        Some(unsafe { &mut *(pos.entry as *mut V) })
    }

    /// Mutable access to the value of a key that also updates its clock:
    /// `touch` maps the stored clock to the new one (one lookup for both).
    #[inline]
    pub fn get_mut_touch(&mut self, key: &[u8], touch: impl FnOnce(u32) -> u32) -> Option<&mut V> {
        self.rehash_tick();
        let pos = self.find(self.hash(key), key)?;
        // SAFETY: live entry of type V, exclusive through `&mut self`; the
        // clock bytes lie outside V, so the two accesses do not overlap.
        unsafe {
            let c = clock_read(pos.entry, Self::VOFF);
            clock_write(pos.entry, Self::VOFF, touch(c) & CLOCK_MAX);
            Some(&mut *(pos.entry as *mut V))
        }
    }

    /// The stored clock of a key.
    #[inline]
    pub fn clock_of(&self, key: &[u8]) -> Option<u32> {
        let pos = self.find(self.hash(key), key)?;
        // SAFETY: live entry of type V.
        Some(unsafe { clock_read(pos.entry, Self::VOFF) })
    }

    /// Overwrite the stored clock of a key; false if it is absent.
    pub fn set_clock(&mut self, key: &[u8], c: u32) -> bool {
        let Some(pos) = self.find(self.hash(key), key) else {
            return false;
        };
        // SAFETY: live entry of type V, exclusive through `&mut self`.
        unsafe { clock_write(pos.entry, Self::VOFF, c & CLOCK_MAX) };
        true
    }

    /// The clock entries created from now on start with (the current LRU
    /// time, or the initial LFU counter with the current minute).
    #[inline]
    pub fn set_new_clock(&mut self, c: u32) {
        self.new_clock = c & CLOCK_MAX;
    }

    /// The value and expire time of a key.
    #[inline]
    pub fn get_with_expire(&self, key: &[u8]) -> Option<(&V, Option<i64>)> {
        let pos = self.find(self.hash(key), key)?;
        // SAFETY: live entry of type V, borrow tied to `&self`.
        unsafe {
            Some((
                &*(pos.entry as *const V),
                entry_expire(pos.entry, Self::VOFF),
            ))
        }
    }

    /// Whether the key is present.
    #[inline]
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.find(self.hash(key), key).is_some()
    }

    /// Inserts or replaces.  On replace the old value is returned and the
    /// key's expire time is kept.
    pub fn insert(&mut self, key: &[u8], value: V) -> Option<V> {
        self.rehash_tick();
        let hash = self.hash(key);
        if let Some(pos) = self.find(hash, key) {
            // SAFETY: live entry of type V, exclusive through `&mut self`.
            let slot = unsafe { &mut *(pos.entry as *mut V) };
            return Some(mem::replace(slot, value));
        }
        let e = entry_new(key, value, None, self.new_clock);
        self.main.insert(hash, e);
        None
    }

    /// Inserts a key that the caller guarantees is absent (checked only in
    /// debug builds), with an optional expire time.  Fast path for bulk loads.
    pub fn insert_new(&mut self, key: &[u8], value: V, expire: Option<i64>) {
        debug_assert!(
            !self.contains_key(key),
            "Dict::insert_new: key already present"
        );
        self.rehash_tick();
        let hash = self.hash(key);
        let e = entry_new(key, value, expire, self.new_clock);
        self.main.insert(hash, e);
        if expire.is_some() {
            self.expires.insert(hash, e);
        }
    }

    /// Removes a key, returning its value and expire time.
    pub fn remove(&mut self, key: &[u8]) -> Option<(V, Option<i64>)> {
        self.rehash_tick();
        let hash = self.hash(key);
        let pos = self.find(hash, key)?;
        let e = pos.entry;
        self.main.remove_at(pos);
        // SAFETY: `e` is still a live entry (only unlinked from main).
        let h = unsafe { header(e, Self::VOFF) };
        if h.has_expire() {
            let found = self.expires.remove_ptr(hash, e);
            debug_assert!(found, "expiring entry missing from the expiry index");
            self.expires.shrink_if_needed();
        }
        self.main.shrink_if_needed();
        // SAFETY: `e` is no longer referenced by either index.
        Some(unsafe { entry_free::<V>(e) })
    }

    /// The expire time of a key (None if absent or without TTL).
    pub fn get_expire(&self, key: &[u8]) -> Option<i64> {
        let pos = self.find(self.hash(key), key)?;
        // SAFETY: live entry of type V.
        unsafe { entry_expire(pos.entry, Self::VOFF) }
    }

    /// Sets (`Some`) or removes (`None`) the expire time of a key.  Returns
    /// false if the key is absent.
    pub fn set_expire(&mut self, key: &[u8], when_ms: Option<i64>) -> bool {
        self.rehash_tick();
        let hash = self.hash(key);
        let Some(pos) = self.find(hash, key) else {
            return false;
        };
        let e = pos.entry;
        // SAFETY: live entry of type V.
        let h = unsafe { header(e, Self::VOFF) };
        let flags_ptr = e.wrapping_add(Self::VOFF);
        match when_ms {
            Some(t) => {
                if h.has_expire() {
                    // SAFETY: the expire field exists (F_EXPIRE_SLOT).
                    unsafe { ptr::write_unaligned(e.add(h.exp_off) as *mut i64, t) };
                } else if h.flags & F_EXPIRE_SLOT != 0 {
                    // SAFETY: the expire field exists; flags byte is in bounds.
                    unsafe {
                        ptr::write_unaligned(e.add(h.exp_off) as *mut i64, t);
                        *flags_ptr |= F_HAS_EXPIRE;
                    }
                    self.expires.insert(hash, e);
                } else {
                    // SAFETY: `e` has no expire field; the only pointer to it
                    // is the main slot at `pos`, replaced right away (no
                    // modification of main in between).
                    let ne = unsafe { entry_grow_expire::<V>(e, h, t) };
                    self.main.replace_at(pos, ne);
                    self.expires.insert(hash, ne);
                }
            }
            None => {
                if h.has_expire() {
                    // SAFETY: flags byte of a live entry; the field is kept.
                    unsafe { *flags_ptr &= !F_HAS_EXPIRE };
                    let found = self.expires.remove_ptr(hash, e);
                    debug_assert!(found, "expiring entry missing from the expiry index");
                    self.expires.shrink_if_needed();
                }
            }
        }
        true
    }

    /// One SCAN step over all keys.  Start with cursor 0; returns the next
    /// cursor, 0 when the scan is complete.  Every key present during the
    /// whole scan is reported at least once (some may be reported twice).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], &V)) -> u64 {
        // SAFETY: the index holds live entries of type V, borrowed via &self.
        self.main.scan(cursor, |e| unsafe {
            f(entry_key(e, Self::VOFF), &*(e as *const V))
        })
    }

    /// One SCAN step over the keys that have an expire time.
    pub fn scan_expires(&self, cursor: u64, mut f: impl FnMut(&[u8], i64)) -> u64 {
        self.expires.scan(cursor, |e| {
            // SAFETY: the expiry index holds live entries with F_HAS_EXPIRE.
            let (k, t) = unsafe { (entry_key(e, Self::VOFF), entry_expire(e, Self::VOFF)) };
            f(k, t.unwrap_or(i64::MAX));
        })
    }

    /// A random key/value in expected O(1).  `rng` returns random u64s.
    pub fn random_entry(&self, rng: &mut impl FnMut() -> u64) -> Option<(&[u8], &V)> {
        let e = self.main.random(rng)?;
        // SAFETY: live entry of type V, borrowed via &self.
        unsafe { Some((entry_key(e, Self::VOFF), &*(e as *const V))) }
    }

    /// A random entry for eviction sampling: its key, access clock and
    /// expire time; with `volatile` only keys that have a TTL are drawn.
    pub fn random_sample(
        &self,
        volatile: bool,
        rng: &mut impl FnMut() -> u64,
    ) -> Option<(&[u8], u32, Option<i64>)> {
        let e = if volatile {
            self.expires.random(rng)?
        } else {
            self.main.random(rng)?
        };
        // SAFETY: live entry of type V (both indexes hold only live
        // entries), borrowed via &self.
        unsafe {
            Some((
                entry_key(e, Self::VOFF),
                clock_read(e, Self::VOFF),
                entry_expire(e, Self::VOFF),
            ))
        }
    }

    /// A random key that has an expire time, with that time.
    pub fn random_expiring(&self, rng: &mut impl FnMut() -> u64) -> Option<(&[u8], i64)> {
        let e = self.expires.random(rng)?;
        // SAFETY: live entry with F_HAS_EXPIRE, borrowed via &self.
        unsafe {
            Some((
                entry_key(e, Self::VOFF),
                entry_expire(e, Self::VOFF).unwrap_or(i64::MAX),
            ))
        }
    }

    /// Iterates over `(key, value, expire)` in unspecified order.
    pub fn iter(&self) -> Iter<'_, V> {
        Iter {
            raw: RawIter::new(&self.main),
            _v: PhantomData,
        }
    }

    /// Removes (and drops) everything and frees all tables.  O(n).
    pub fn clear(&mut self) {
        self.expires.free_all(|_| {});
        // SAFETY: the main index owns each entry; free_all hands out each
        // exactly once after detaching the tables.
        self.main.free_all(|e| unsafe { entry_drop::<V>(e) });
    }

    /// Moves all contents out in O(1), leaving `self` empty (same seed), so
    /// the caller can drop the old contents elsewhere (e.g. another thread).
    pub fn take_all(&mut self) -> Dict<V> {
        mem::replace(self, Dict::with_seed(self.main.seed))
    }

    /// Bytes of bucket arrays and child buckets of both indexes (entries
    /// excluded).
    pub fn mem_overhead(&self) -> usize {
        self.main.mem_overhead() + self.expires.mem_overhead()
    }

    /// Whether an incremental resize of either index is in progress.
    pub fn is_rehashing(&self) -> bool {
        self.main.is_rehashing() || self.expires.is_rehashing()
    }

    /// Performs up to `n` rehash steps on each index.  Returns true while
    /// more rehashing work remains.
    pub fn rehash_steps(&mut self, n: usize) -> bool {
        for _ in 0..n {
            let a = self.main.rehash_step();
            let b = self.expires.rehash_step();
            if !a && !b {
                break;
            }
        }
        self.is_rehashing()
    }

    /// Rehashes for about `budget` (checked every 100 steps).  Returns true
    /// while more rehashing work remains.
    pub fn rehash_for(&mut self, budget: Duration) -> bool {
        let start = Instant::now();
        loop {
            if !self.rehash_steps(100) {
                return false;
            }
            if start.elapsed() >= budget {
                return true;
            }
        }
    }

    /// Total bytes of entry allocations after size-class rounding by `class`.
    #[cfg(test)]
    fn entry_bytes(&self, class: impl Fn(usize) -> usize) -> usize {
        RawIter::new(&self.main)
            // SAFETY: live entries of type V.
            .map(|e| class(unsafe { header(e, Self::VOFF) }.alloc_size()))
            .sum()
    }
}

impl<V> Drop for Dict<V> {
    fn drop(&mut self) {
        self.clear();
    }
}

impl<V> fmt::Debug for Dict<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dict")
            .field("len", &self.len())
            .field("expires", &self.expires_len())
            .field(
                "buckets",
                &(self.main.t[0].nbuckets() + self.main.t[1].nbuckets()),
            )
            .field("rehashing", &self.is_rehashing())
            .finish()
    }
}

/// Iterator returned by [`Dict::iter`].
pub struct Iter<'a, V> {
    raw: RawIter<'a>,
    _v: PhantomData<&'a V>,
}

// SAFETY: the iterator only reads the dict through a shared borrow, like
// `&Dict<V>`, which is Send/Sync when V: Sync.
unsafe impl<V: Sync> Send for Iter<'_, V> {}
// SAFETY: as above.
unsafe impl<V: Sync> Sync for Iter<'_, V> {}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a [u8], &'a V, Option<i64>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let e = self.raw.next()?;
        let voff = mem::size_of::<V>();
        // SAFETY: live entry of type V; the dict is borrowed for 'a.
        unsafe { Some((entry_key(e, voff), &*(e as *const V), entry_expire(e, voff))) }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.raw.size_hint()
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

impl<'a, V> IntoIterator for &'a Dict<V> {
    type Item = (&'a [u8], &'a V, Option<i64>);
    type IntoIter = Iter<'a, V>;
    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cell::Cell;
    use std::collections::{HashMap, HashSet};

    thread_local! {
        static LIVE_VALS: Cell<isize> = const { Cell::new(0) };
    }

    /// A 16-byte value that counts live instances (to check drops).
    #[derive(Debug, PartialEq)]
    struct Tv {
        v: u64,
        pad: u64,
    }
    impl Tv {
        fn new(v: u64) -> Tv {
            LIVE_VALS.with(|c| c.set(c.get() + 1));
            Tv { v, pad: !v }
        }
    }
    impl Drop for Tv {
        fn drop(&mut self) {
            assert_eq!(self.pad, !self.v, "corrupted value");
            LIVE_VALS.with(|c| c.set(c.get() - 1));
        }
    }

    fn live_counts() -> (isize, isize, isize) {
        (
            test_hooks::LIVE_ENTRIES.with(|c| c.get()),
            test_hooks::LIVE_BUCKETS.with(|c| c.get()),
            LIVE_VALS.with(|c| c.get()),
        )
    }

    /// Forces hash collisions (only `mask` low bits survive) while alive.
    struct Degrade;
    impl Degrade {
        fn new(mask: u64) -> Degrade {
            test_hooks::DEGRADE_MASK.with(|c| c.set(mask));
            Degrade
        }
    }
    impl Drop for Degrade {
        fn drop(&mut self) {
            test_hooks::DEGRADE_MASK.with(|c| c.set(u64::MAX));
        }
    }

    /// splitmix64
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn k(i: u64) -> Vec<u8> {
        format!("key:{i}").into_bytes()
    }

    /// jemalloc size classes (8, 16, 32, 48, ..., 128, 160, 192, 224, 256, ...).
    fn jemalloc_class(n: usize) -> usize {
        if n <= 8 {
            8
        } else if n <= 128 {
            n.div_ceil(16) * 16
        } else {
            let lg = usize::BITS - 1 - (n - 1).leading_zeros();
            let spacing = 1usize << (lg - 2);
            n.div_ceil(spacing) * spacing
        }
    }

    /// Checks internal invariants: counts, tables, chains and that every entry
    /// sits in the chain its hash selects.
    fn check_invariants<V>(d: &Dict<V>) {
        for (ix, expiring) in [(&d.main, false), (&d.expires, true)] {
            let mut total = 0;
            for (ti, t) in ix.t.iter().enumerate() {
                if !t.is_allocated() {
                    assert_eq!(t.used, 0);
                    continue;
                }
                let (mut used, mut children) = (0, 0);
                for idx in 0..t.nbuckets() {
                    let mut b = t.bucket(idx);
                    let mut first = true;
                    // SAFETY: read-only walk of live buckets and entries of `d`.
                    unsafe {
                        if ti == 0 && ix.is_rehashing() && idx < ix.rehash_idx {
                            assert_eq!((*b).meta, 0);
                        }
                        while !b.is_null() {
                            if !first {
                                children += 1;
                            }
                            first = false;
                            let mut m = (*b).presence();
                            if (*b).is_chained() {
                                assert_eq!(m & (1 << CHILD_SLOT), 0);
                            }
                            while m != 0 {
                                let i = m.trailing_zeros() as usize;
                                m &= m - 1;
                                let e = (*b).slots[i];
                                let h = hash_key(ix.seed, entry_key(e, ix.voff));
                                assert_eq!(h as usize & t.mask(), idx);
                                assert_eq!(tag_of(h), (*b).tags[i]);
                                if expiring {
                                    assert!(header(e, ix.voff).has_expire());
                                }
                                used += 1;
                            }
                            b = (*b).child();
                        }
                    }
                }
                assert_eq!(used, t.used);
                assert_eq!(children, t.children);
                total += used;
            }
            assert_eq!(total, ix.len);
        }
        let with_exp = d.iter().filter(|(_, _, e)| e.is_some()).count();
        assert_eq!(with_exp, d.expires_len());
    }

    #[test]
    fn access_clock_is_kept_per_entry() {
        let mut d: Dict<u64> = Dict::new();
        d.set_new_clock(77);
        d.insert(b"a", 1);
        d.set_new_clock(CLOCK_MAX + 5); // masked to 24 bits
        d.insert(b"b", 2);
        assert_eq!(d.clock_of(b"a"), Some(77));
        assert_eq!(d.clock_of(b"b"), Some(4));
        assert_eq!(d.get_mut_touch(b"a", |c| c + 1).copied(), Some(1));
        assert_eq!(d.clock_of(b"a"), Some(78));
        // Growing the entry for a TTL keeps the clock; so does replacing
        // the value.
        d.set_expire(b"a", Some(10));
        d.insert(b"a", 9);
        assert_eq!(d.clock_of(b"a"), Some(78));
        assert!(d.set_clock(b"a", CLOCK_MAX));
        assert_eq!(d.clock_of(b"a"), Some(CLOCK_MAX));
        assert!(d.get_mut_touch(b"zz", |_| 1).is_none());
        assert!(!d.set_clock(b"zz", 1));
        assert_eq!(
            d.get_with_expire(b"a").map(|(v, t)| (*v, t)),
            Some((9, Some(10)))
        );
    }

    #[test]
    fn layout_sizes() {
        assert_eq!(mem::size_of::<Bucket>(), 64);
        assert_eq!(mem::align_of::<Bucket>(), 64);
        let mut d: Dict<[u64; 2]> = Dict::new();
        d.insert(b"key:123456", [1, 2]);
        assert_eq!(d.entry_bytes(|n| n), 31);
        assert_eq!(d.entry_bytes(jemalloc_class), 32);
        d.set_expire(b"key:123456", Some(5));
        assert_eq!(d.entry_bytes(|n| n), 39);
        assert_eq!(jemalloc_class(129), 160);
        assert_eq!(jemalloc_class(257), 320);
        assert_eq!(jemalloc_class(48), 48);
    }

    #[test]
    fn tag_matching_and_key_eq() {
        let mut r = Rng(5);
        for _ in 0..if cfg!(miri) { 200 } else { 20_000 } {
            let mut b = Bucket::EMPTY;
            b.meta = (r.next() as u8) & PRESENCE;
            for t in b.tags.iter_mut() {
                *t = (r.next() % 4) as u8 * 85;
            }
            let tag = (r.next() % 4) as u8 * 85;
            let mut want = 0u8;
            for i in 0..SLOTS {
                if b.meta & (1 << i) != 0 && b.tags[i] == tag {
                    want |= 1 << i;
                }
            }
            assert_eq!(b.match_tag(tag), want);
        }
        for n in 0..40usize {
            let a: Vec<u8> = (0..n as u8).collect();
            assert!(key_eq(&a, &a.clone()));
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 1;
                assert!(!key_eq(&a, &b));
            }
            assert!(!key_eq(&a, &a[..n.saturating_sub(1)]) || n == 0);
        }
    }

    #[test]
    fn varint_roundtrip() {
        let mut buf = [0u8; 16];
        for n in [
            0usize,
            1,
            127,
            128,
            129,
            16383,
            16384,
            1 << 21,
            512 << 20,
            usize::MAX,
        ] {
            // SAFETY: a usize varint takes at most 10 bytes; buf has 16.
            let w = unsafe { varint_write(buf.as_mut_ptr(), n) };
            assert_eq!(w, varint_len(n));
            // SAFETY: buf holds the complete varint just written.
            assert_eq!(unsafe { varint_read(buf.as_ptr()) }, (n, w));
        }
    }

    #[test]
    fn basic_ops() {
        let mut d: Dict<Tv> = Dict::new();
        assert!(d.is_empty());
        assert!(d.get(b"a").is_none());
        assert!(d.remove(b"a").is_none());
        assert!(d.insert(b"a", Tv::new(1)).is_none());
        assert_eq!(d.insert(b"a", Tv::new(2)).unwrap().v, 1);
        assert_eq!(d.get(b"a").unwrap().v, 2);
        d.get_mut(b"a").unwrap().v = 3;
        d.get_mut(b"a").unwrap().pad = !3;
        assert_eq!(
            d.get_with_expire(b"a").map(|(v, e)| (v.v, e)),
            Some((3, None))
        );
        assert!(d.contains_key(b"a"));
        assert!(!d.contains_key(b"b"));
        assert_eq!(d.len(), 1);
        let (v, e) = d.remove(b"a").unwrap();
        assert_eq!((v.v, e), (3, None));
        assert!(d.is_empty());
        drop(v);
        drop(d);
        assert_eq!(live_counts(), (0, 0, 0));
    }

    #[test]
    fn edge_keys() {
        let n = if cfg!(miri) { 3 } else { 64 };
        let mut keys: Vec<Vec<u8>> = vec![vec![], vec![0], vec![0, 0], vec![255; 3]];
        for len in [127usize, 128, 129, 16383, 16384, 70_000] {
            keys.push((0..len).map(|i| (i * 7 + len) as u8).collect());
        }
        for i in 0..n {
            keys.push(vec![i as u8; i as usize % 9]);
        }
        keys.sort();
        keys.dedup();
        let mut d: Dict<usize> = Dict::new();
        for (i, key) in keys.iter().enumerate() {
            d.insert(key, i);
        }
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(d.get(key), Some(&i));
            assert!(d.set_expire(key, Some(i as i64)));
            assert_eq!(d.get(key), Some(&i));
            assert_eq!(d.get_expire(key), Some(i as i64));
        }
        check_invariants(&d);
        let mut seen: Vec<Vec<u8>> = d.iter().map(|(k, _, _)| k.to_vec()).collect();
        seen.sort();
        assert_eq!(seen, keys);
        for (i, key) in keys.iter().enumerate() {
            assert_eq!(d.remove(key), Some((i, Some(i as i64))));
        }
        assert!(d.is_empty());
        assert_eq!(d.expires_len(), 0);
    }

    #[test]
    fn expire_lifecycle() {
        let mut d: Dict<Tv> = Dict::new();
        assert!(!d.set_expire(b"x", Some(1)));
        d.insert(b"x", Tv::new(7));
        assert_eq!(d.get_expire(b"x"), None);
        // realloc path
        assert!(d.set_expire(b"x", Some(100)));
        assert_eq!(d.get_expire(b"x"), Some(100));
        assert_eq!(d.expires_len(), 1);
        // in place update
        assert!(d.set_expire(b"x", Some(-5)));
        assert_eq!(
            d.get_with_expire(b"x").map(|(v, e)| (v.v, e)),
            Some((7, Some(-5)))
        );
        assert_eq!(d.expires_len(), 1);
        // replace keeps expire
        d.insert(b"x", Tv::new(8));
        assert_eq!(d.get_expire(b"x"), Some(-5));
        // remove TTL (flag cleared, slot kept), then reuse the slot
        assert!(d.set_expire(b"x", None));
        assert_eq!(d.get_expire(b"x"), None);
        assert_eq!(d.expires_len(), 0);
        assert!(d.set_expire(b"x", None));
        assert!(d.set_expire(b"x", Some(i64::MIN)));
        assert_eq!(d.get_expire(b"x"), Some(i64::MIN));
        let mut got = vec![];
        let mut c = 0;
        loop {
            c = d.scan_expires(c, |k, t| got.push((k.to_vec(), t)));
            if c == 0 {
                break;
            }
        }
        assert_eq!(got, vec![(b"x".to_vec(), i64::MIN)]);
        let mut r = Rng(1);
        assert_eq!(
            d.random_expiring(&mut || r.next()),
            Some((&b"x"[..], i64::MIN))
        );
        d.insert_new(b"y", Tv::new(9), Some(42));
        assert_eq!(d.expires_len(), 2);
        let (v, e) = d.remove(b"x").unwrap();
        assert_eq!((v.v, e), (8, Some(i64::MIN)));
        drop(v);
        assert_eq!(d.expires_len(), 1);
        check_invariants(&d);
        drop(d);
        assert_eq!(live_counts(), (0, 0, 0));
    }

    #[test]
    fn grow_shrink_incremental() {
        let n: u64 = if cfg!(miri) { 300 } else { 20_000 };
        let mut d: Dict<u64> = Dict::with_seed(7);
        let mut saw_rehash = false;
        for i in 0..n {
            d.insert(&k(i), i);
            saw_rehash |= d.is_rehashing();
            if i % 997 == 0 {
                check_invariants(&d);
            }
        }
        assert!(saw_rehash);
        for i in 0..n {
            assert_eq!(d.get(&k(i)), Some(&i));
        }
        let peak = d.mem_overhead();
        for i in 0..n {
            assert_eq!(d.remove(&k(i)).map(|x| x.0), Some(i));
            if i % 997 == 0 {
                check_invariants(&d);
            }
        }
        while d.rehash_steps(100) {}
        check_invariants(&d);
        assert!(
            d.mem_overhead() <= 64,
            "shrunk to {} bytes from {}",
            d.mem_overhead(),
            peak
        );
    }

    #[test]
    fn rehash_is_incremental_and_cron_finishes_it() {
        let n: u64 = if cfg!(miri) { 200 } else { 50_000 };
        let mut d: Dict<u64> = Dict::new();
        let mut i = 0;
        // Fill until a resize starts while the table is large.
        loop {
            d.insert(&k(i), i);
            i += 1;
            if i > n / 2 && d.is_rehashing() {
                break;
            }
            assert!(i < 10 * n);
        }
        // A single operation does not finish it.
        d.insert(&k(i), i);
        assert!(d.is_rehashing());
        assert!(d.rehash_steps(1));
        assert!(!d.rehash_for(Duration::from_secs(60)));
        assert!(!d.is_rehashing());
        assert!(!d.rehash_steps(10));
        check_invariants(&d);
    }

    #[test]
    fn chains_and_compaction() {
        let _g = Degrade::new(0); // every key in bucket 0
        let n: u64 = if cfg!(miri) { 40 } else { 300 };
        let mut d: Dict<Tv> = Dict::new();
        for i in 0..n {
            d.insert(&k(i), Tv::new(i));
        }
        assert!(d.main.t.iter().map(|t| t.children).sum::<usize>() >= (n as usize) / 7 - 1);
        check_invariants(&d);
        for i in 0..n {
            assert_eq!(d.get(&k(i)).unwrap().v, i);
            if i % 3 == 0 {
                d.set_expire(&k(i), Some(i as i64));
            }
        }
        check_invariants(&d);
        let mut r = Rng(3);
        for i in (0..n).filter(|i| i % 2 == 0) {
            assert_eq!(d.remove(&k(i)).unwrap().0.v, i);
            if i % 10 == 0 {
                check_invariants(&d);
            }
            assert!(d.random_entry(&mut || r.next()).is_some());
        }
        check_invariants(&d);
        for i in (0..n).filter(|i| i % 2 == 1) {
            assert_eq!(d.remove(&k(i)).unwrap().0.v, i);
        }
        while d.rehash_steps(100) {}
        check_invariants(&d);
        assert_eq!(d.main.t[0].children, 0);
        assert_eq!(d.mem_overhead(), 128); // one bucket in each index
        drop(d);
        assert_eq!(live_counts(), (0, 0, 0));
    }

    fn full_scan<V>(d: &Dict<V>) -> Vec<Vec<u8>> {
        let mut out = vec![];
        let mut c = 0;
        loop {
            c = d.scan(c, |k, _| out.push(k.to_vec()));
            if c == 0 {
                return out;
            }
        }
    }

    #[test]
    fn scan_stable_table_returns_each_key_once() {
        let n: u64 = if cfg!(miri) { 100 } else { 5000 };
        let mut d: Dict<u64> = Dict::new();
        for i in 0..n {
            d.insert(&k(i), i);
        }
        while d.rehash_steps(100) {}
        let mut got = full_scan(&d);
        got.sort();
        let mut want: Vec<_> = (0..n).map(k).collect();
        want.sort();
        assert_eq!(got, want);
        // also mid-rehash (may duplicate, must not miss)
        let mut d2: Dict<u64> = Dict::new();
        let mut i = 0;
        while !(d2.is_rehashing() && i > 100) {
            d2.insert(&k(i), i);
            i += 1;
        }
        let got: HashSet<_> = full_scan(&d2).into_iter().collect();
        assert_eq!(got.len(), d2.len());
        let empty: Dict<u64> = Dict::new();
        assert_eq!(empty.scan(0, |_, _| panic!()), 0);
        assert_eq!(empty.scan_expires(0, |_, _| panic!()), 0);
    }

    /// Scans while churning other keys so that the table grows, shrinks and
    /// rehashes between calls; every stable key must be returned.
    fn scan_guarantee_run(seed: u64, expires: bool, stable_n: u64, churn_max: u64) {
        let mut r = Rng(seed);
        let mut d: Dict<u64> = Dict::with_seed(seed);
        let stable: Vec<Vec<u8>> = (0..stable_n)
            .map(|i| format!("stable:{i}").into_bytes())
            .collect();
        for (i, key) in stable.iter().enumerate() {
            d.insert_new(key, i as u64, Some(i as i64));
        }
        // Some keys that are present only at the start, so that the scan
        // starts on a large table and shrinks.
        let mut churn: Vec<Vec<u8>> = vec![];
        let mut next_churn = 0u64;
        for _ in 0..r.below(churn_max * 4) {
            let key = format!("churn:{next_churn}").into_bytes();
            next_churn += 1;
            d.insert_new(&key, 0, Some(1));
            churn.push(key);
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut calls = 0u64;
        let mut grows = true;
        loop {
            cursor = if expires {
                d.scan_expires(cursor, |k, _| {
                    seen.insert(k.to_vec());
                })
            } else {
                d.scan(cursor, |k, _| {
                    seen.insert(k.to_vec());
                })
            };
            calls += 1;
            assert!(calls < 1_000_000, "scan does not terminate");
            if cursor == 0 {
                break;
            }
            if r.below(6) == 0 {
                grows = !grows;
            }
            let amount = r.below(churn_max);
            if grows {
                for _ in 0..amount {
                    let key = format!("churn:{next_churn}").into_bytes();
                    next_churn += 1;
                    let exp = if r.below(2) == 0 { Some(5) } else { None };
                    d.insert_new(&key, 1, exp);
                    churn.push(key);
                }
            } else {
                for _ in 0..amount.min(churn.len() as u64) {
                    let j = r.below(churn.len() as u64) as usize;
                    let key = churn.swap_remove(j);
                    assert!(d.remove(&key).is_some());
                }
            }
            // Toggle TTLs of churn keys (moves them in/out of the expiry index).
            for _ in 0..r.below(4) {
                if !churn.is_empty() {
                    let j = r.below(churn.len() as u64) as usize;
                    let t = if r.below(2) == 0 { None } else { Some(9) };
                    d.set_expire(&churn[j], t);
                }
            }
            if r.below(3) == 0 {
                d.rehash_steps(r.below(40) as usize);
            }
        }
        for key in &stable {
            assert!(
                seen.contains(key),
                "seed {seed}: key {:?} missed by scan",
                String::from_utf8_lossy(key)
            );
        }
        check_invariants(&d);
    }

    #[test]
    fn scan_guarantee_under_resizes() {
        let (seeds, churn) = if cfg!(miri) { (2, 30) } else { (40, 400) };
        for seed in 0..seeds {
            scan_guarantee_run(seed, false, 60, churn);
            scan_guarantee_run(seed + 1000, true, 60, churn);
        }
    }

    #[test]
    fn scan_guarantee_with_chains() {
        let _g = Degrade::new(0x1f);
        let (seeds, churn) = if cfg!(miri) { (1, 30) } else { (15, 300) };
        for seed in 0..seeds {
            scan_guarantee_run(seed, false, 80, churn);
            scan_guarantee_run(seed + 1000, true, 80, churn);
        }
    }

    #[test]
    fn random_sampling() {
        let mut r = Rng(11);
        let mut rng = || r.next();
        let mut d: Dict<u64> = Dict::new();
        assert!(d.random_entry(&mut rng).is_none());
        assert!(d.random_expiring(&mut rng).is_none());
        let n: u64 = if cfg!(miri) { 20 } else { 200 };
        for i in 0..n {
            d.insert(&k(i), i);
        }
        let mut seen = HashSet::new();
        for _ in 0..n * 50 {
            let (key, v) = d.random_entry(&mut rng).unwrap();
            assert_eq!(key, &k(*v)[..]);
            seen.insert(*v);
        }
        assert_eq!(seen.len() as u64, n);
        // sparse table: remove all but one without letting it shrink fully
        let big: u64 = if cfg!(miri) { 200 } else { 20_000 };
        let mut d: Dict<u64> = Dict::new();
        for i in 0..big {
            d.insert(&k(i), i);
        }
        while d.rehash_steps(100) {}
        for i in 1..big {
            d.remove(&k(i));
            if i % 101 == 0 {
                assert!(d.random_entry(&mut rng).is_some());
            }
        }
        // rehashing (shrink) may still be in progress here
        for _ in 0..10 {
            assert_eq!(d.random_entry(&mut rng).unwrap().0, &k(0)[..]);
        }
        d.set_expire(&k(0), Some(77));
        assert_eq!(d.random_expiring(&mut rng), Some((&k(0)[..], 77)));
    }

    #[test]
    fn zst_and_overaligned_values() {
        let mut s: Dict<()> = Dict::new();
        for i in 0..100 {
            s.insert(&k(i), ());
        }
        s.set_expire(&k(3), Some(3));
        assert_eq!(s.remove(&k(3)), Some(((), Some(3))));
        assert_eq!(s.len(), 99);
        assert_eq!(
            s.entry_bytes(|n| n),
            99 * (META + 1) + s.iter().map(|x| x.0.len()).sum::<usize>()
        );
        #[repr(align(32))]
        #[derive(Debug, PartialEq, Clone, Copy)]
        struct Big(u128);
        let mut b: Dict<Big> = Dict::new();
        for i in 0..100 {
            b.insert_new(
                &k(i),
                Big(i as u128),
                if i % 2 == 0 { Some(i as i64) } else { None },
            );
        }
        for i in 0..100 {
            let v = b.get(&k(i)).unwrap();
            assert_eq!(v as *const Big as usize % 32, 0);
            assert_eq!(*v, Big(i as u128));
            b.set_expire(&k(i), Some(1));
        }
        check_invariants(&b);
    }

    #[test]
    fn drop_clear_take_all_free_everything() {
        let n: u64 = if cfg!(miri) { 100 } else { 10_000 };
        {
            let mut d: Dict<Tv> = Dict::new();
            for i in 0..n {
                d.insert_new(
                    &k(i),
                    Tv::new(i),
                    if i % 3 == 0 { Some(i as i64) } else { None },
                );
                if i % 5 == 0 {
                    d.set_expire(&k(i), Some(1));
                }
            }
            // leave it mid-rehash
            d.insert(b"extra", Tv::new(0));
            let (e, b, v) = live_counts();
            assert_eq!((e, v), (n as isize + 1, n as isize + 1));
            assert!(b > 0);
            d.clear();
            assert_eq!(live_counts(), (0, 0, 0));
            assert!(d.is_empty() && d.expires_len() == 0);
            for i in 0..n {
                d.insert(&k(i), Tv::new(i));
            }
            let mut taken = d.take_all();
            assert!(d.is_empty());
            assert_eq!(taken.len(), n as usize);
            taken.remove(&k(1));
            drop(taken);
            assert_eq!(live_counts(), (0, 0, 0));
            d.insert(b"again", Tv::new(1));
        }
        assert_eq!(live_counts(), (0, 0, 0));
    }

    #[test]
    fn send_to_other_thread() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Dict<u64>>();
        assert_send_sync::<Iter<'static, u64>>();
        let mut d: Dict<String> = Dict::new();
        for i in 0..1000 {
            d.insert(&k(i), format!("v{i}"));
        }
        let old = d.take_all();
        let h = std::thread::spawn(move || {
            let n = old.len();
            drop(old);
            n
        });
        assert_eq!(h.join().unwrap(), 1000);
        // Our thread-local counters saw the allocations but not the frees.
        test_hooks::LIVE_ENTRIES.with(|c| c.set(0));
        test_hooks::LIVE_BUCKETS.with(|c| c.set(0));
    }

    // ---------------- model test ----------------

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u16, u64),
        InsertNew(u16, u64, Option<i64>),
        Remove(u16),
        SetExpire(u16, Option<i64>),
        Get(u16),
        GetMut(u16, u64),
        Steps(u8),
        Random(u64),
        BulkInsert(u16, u16),
        BulkRemove(u16, u16),
        Check,
    }

    fn model_key(i: u16) -> Vec<u8> {
        match i % 5 {
            0 if i < 5 => vec![],
            0 => vec![i as u8, 0, (i >> 8) as u8, 255],
            1 => format!("key:{i}").into_bytes(),
            2 => vec![b'L'; 120 + (i as usize % 40)], // crosses the 1/2-byte varint boundary
            _ => format!("k{i}").into_bytes(),
        }
    }

    fn op_strategy() -> impl Strategy<Value = Op> {
        let key = 0u16..700;
        let exp = prop_oneof![Just(None), (-5i64..1000).prop_map(Some)];
        prop_oneof![
            6 => (key.clone(), any::<u64>()).prop_map(|(k, v)| Op::Insert(k, v)),
            3 => (key.clone(), any::<u64>(), exp.clone()).prop_map(|(k, v, e)| Op::InsertNew(k, v, e)),
            4 => key.clone().prop_map(Op::Remove),
            3 => (key.clone(), exp).prop_map(|(k, e)| Op::SetExpire(k, e)),
            3 => key.clone().prop_map(Op::Get),
            1 => (key.clone(), any::<u64>()).prop_map(|(k, v)| Op::GetMut(k, v)),
            1 => any::<u8>().prop_map(Op::Steps),
            1 => any::<u64>().prop_map(Op::Random),
            1 => (key.clone(), 1u16..300).prop_map(|(a, n)| Op::BulkInsert(a, n)),
            1 => (key, 1u16..500).prop_map(|(a, n)| Op::BulkRemove(a, n)),
            1 => Just(Op::Check),
        ]
    }

    fn full_check(d: &Dict<Tv>, model: &HashMap<Vec<u8>, (u64, Option<i64>)>) {
        check_invariants(d);
        assert_eq!(d.len(), model.len());
        let got: HashMap<Vec<u8>, (u64, Option<i64>)> =
            d.iter().map(|(k, v, e)| (k.to_vec(), (v.v, e))).collect();
        assert_eq!(&got, model);
        let want_exp: HashMap<Vec<u8>, i64> = model
            .iter()
            .filter_map(|(k, (_, e))| e.map(|e| (k.clone(), e)))
            .collect();
        assert_eq!(d.expires_len(), want_exp.len());
        let mut seen = HashMap::new();
        let mut c = 0;
        loop {
            c = d.scan_expires(c, |k, t| {
                seen.insert(k.to_vec(), t);
            });
            if c == 0 {
                break;
            }
        }
        assert_eq!(seen, want_exp);
        let all: HashSet<Vec<u8>> = full_scan(d).into_iter().collect();
        assert_eq!(all.len(), model.len());
    }

    fn run_model(ops: Vec<Op>, seed: u64, degrade: u64) {
        let _g = Degrade::new(degrade);
        let mut d: Dict<Tv> = Dict::with_seed(seed);
        let mut m: HashMap<Vec<u8>, (u64, Option<i64>)> = HashMap::new();
        let mut r = Rng(seed);
        for op in ops {
            match op {
                Op::Insert(i, v) => {
                    let key = model_key(i);
                    let old = d.insert(&key, Tv::new(v)).map(|t| t.v);
                    let mold = match m.get_mut(&key) {
                        Some(x) => Some(mem::replace(&mut x.0, v)),
                        None => {
                            m.insert(key, (v, None));
                            None
                        }
                    };
                    assert_eq!(old, mold);
                }
                Op::InsertNew(i, v, e) => {
                    let key = model_key(i);
                    if let std::collections::hash_map::Entry::Vacant(slot) = m.entry(key.clone()) {
                        d.insert_new(&key, Tv::new(v), e);
                        slot.insert((v, e));
                    }
                }
                Op::Remove(i) => {
                    let key = model_key(i);
                    let got = d.remove(&key).map(|(t, e)| (t.v, e));
                    assert_eq!(got, m.remove(&key));
                }
                Op::SetExpire(i, e) => {
                    let key = model_key(i);
                    let ok = d.set_expire(&key, e);
                    assert_eq!(ok, m.contains_key(&key));
                    if let Some(x) = m.get_mut(&key) {
                        x.1 = e;
                    }
                    assert_eq!(d.get_expire(&key), e.filter(|_| ok));
                }
                Op::Get(i) => {
                    let key = model_key(i);
                    assert_eq!(
                        d.get_with_expire(&key).map(|(t, e)| (t.v, e)),
                        m.get(&key).copied()
                    );
                    assert_eq!(d.get(&key).map(|t| t.v), m.get(&key).map(|x| x.0));
                    assert_eq!(d.contains_key(&key), m.contains_key(&key));
                }
                Op::GetMut(i, v) => {
                    let key = model_key(i);
                    if let Some(t) = d.get_mut(&key) {
                        *t = Tv::new(v);
                        m.get_mut(&key).unwrap().0 = v;
                    } else {
                        assert!(!m.contains_key(&key));
                    }
                }
                Op::Steps(n) => {
                    d.rehash_steps(n as usize);
                }
                Op::Random(s) => {
                    let mut rr = Rng(s);
                    match d.random_entry(&mut || rr.next()) {
                        Some((k, v)) => assert_eq!(m.get(k).map(|x| x.0), Some(v.v)),
                        None => assert!(m.is_empty()),
                    }
                    match d.random_expiring(&mut || rr.next()) {
                        Some((k, t)) => assert_eq!(m.get(k).and_then(|x| x.1), Some(t)),
                        None => assert!(m.values().all(|x| x.1.is_none())),
                    }
                }
                Op::BulkInsert(a, n) => {
                    for i in a..a.saturating_add(n) {
                        let key = model_key(i);
                        let v = r.next();
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            m.entry(key.clone())
                        {
                            let e = if v.is_multiple_of(3) {
                                Some((v % 100) as i64)
                            } else {
                                None
                            };
                            d.insert_new(&key, Tv::new(v), e);
                            slot.insert((v, e));
                        }
                    }
                }
                Op::BulkRemove(a, n) => {
                    for i in a..a.saturating_add(n) {
                        let key = model_key(i);
                        assert_eq!(d.remove(&key).map(|(t, e)| (t.v, e)), m.remove(&key));
                    }
                }
                Op::Check => full_check(&d, &m),
            }
        }
        full_check(&d, &m);
        drop(d);
        assert_eq!(live_counts(), (0, 0, 0));
    }

    const MODEL_OPS: usize = if cfg!(miri) { 60 } else { 500 };

    fn proptest_config() -> ProptestConfig {
        ProptestConfig {
            cases: if cfg!(miri) { 3 } else { 200 },
            failure_persistence: None,
            ..ProptestConfig::default()
        }
    }

    proptest! {
        #![proptest_config(proptest_config())]

        #[test]
        fn model_matches_hashmap(ops in prop::collection::vec(op_strategy(), 1..MODEL_OPS), seed in any::<u64>()) {
            run_model(ops, seed, u64::MAX);
        }

        #[test]
        fn model_matches_hashmap_with_collisions(ops in prop::collection::vec(op_strategy(), 1..MODEL_OPS), seed in any::<u64>(), bits in 0u32..4) {
            run_model(ops, seed, (1u64 << bits) - 1);
        }
    }

    // ---------------- memory & timing ----------------

    #[test]
    #[cfg_attr(miri, ignore)]
    fn memory_per_key_1m() {
        let n = 1_000_000u64;
        let mut d: Dict<[u64; 2]> = Dict::new();
        for i in 0..n {
            d.insert(&k(i), [i, 0]);
        }
        let rehashing = d.is_rehashing();
        while d.rehash_steps(1000) {}
        let entries = d.entry_bytes(jemalloc_class);
        let overhead = d.mem_overhead();
        let per_key = (entries + overhead) as f64 / n as f64;
        println!(
            "1M keys: entries {:.2} B/key, buckets {:.2} B/key (children {}), total {:.2} B/key (rehashing at end: {rehashing})",
            entries as f64 / n as f64,
            overhead as f64 / n as f64,
            d.main.t[0].children,
            per_key
        );
        assert!(per_key <= 52.0, "{per_key} bytes/key");
        // with TTLs on every key
        for i in 0..n {
            d.set_expire(&k(i), Some(i as i64));
        }
        while d.rehash_steps(1000) {}
        let per_key_ttl = (d.entry_bytes(jemalloc_class) + d.mem_overhead()) as f64 / n as f64;
        println!("1M keys all with TTL: total {per_key_ttl:.2} B/key");
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn timing_print() {
        let n = 200_000u64;
        let keys: Vec<Vec<u8>> = (0..n).map(k).collect();
        let mut d: Dict<[u64; 2]> = Dict::new();
        let t = Instant::now();
        for (i, key) in keys.iter().enumerate() {
            d.insert(key, [i as u64, 0]);
        }
        let ins = t.elapsed();
        let t = Instant::now();
        let mut s = 0;
        for key in &keys {
            s += d.get(key).unwrap()[0];
        }
        let get = t.elapsed();
        let t = Instant::now();
        for key in &keys {
            d.remove(key);
        }
        let rem = t.elapsed();
        println!(
            "Dict {n} keys: insert {:.0} ns/op, get {:.0} ns/op, remove {:.0} ns/op (checksum {s})",
            ins.as_nanos() as f64 / n as f64,
            get.as_nanos() as f64 / n as f64,
            rem.as_nanos() as f64 / n as f64
        );
    }
}
