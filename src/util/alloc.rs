//! A running count of the bytes the process has allocated, cheap enough to
//! read before every command.
//!
//! `maxmemory` is enforced before each command (as Valkey does with its
//! `zmalloc_used_memory()` counter), so the figure must cost a few loads,
//! not a jemalloc stats refresh. [`Counting`] wraps the real allocator and
//! adds the size class of each allocation (jemalloc's classes: what the
//! allocator really hands out, so the count tracks `stats.allocated`) to a
//! per-thread delta that is folded into one global atomic every
//! [`FLUSH_BYTES`]; the executor folds its own delta before reading, so its
//! view is exact up to the other threads' unflushed deltas.
//!
//! Only the binary installs it (`src/main.rs`); library unit tests run on
//! the system allocator and see a count of zero.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};

/// Per-thread deltas smaller than this stay local.
pub const FLUSH_BYTES: i64 = 64 * 1024;

static USED: AtomicI64 = AtomicI64::new(0);
static INSTALLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

thread_local! {
    static LOCAL: Cell<i64> = const { Cell::new(0) };
}

/// jemalloc's size class for a request of `n` bytes: 8, then multiples of
/// 16 up to 128, then four classes per power of two.
#[inline(always)]
pub fn size_class(n: usize) -> usize {
    if n <= 8 {
        8
    } else if n <= 128 {
        (n + 15) & !15
    } else {
        let lg = usize::BITS - 1 - (n - 1).leading_zeros();
        let spacing = 1usize << (lg - 2);
        // Never overflow inside the allocator: a request this close to
        // usize::MAX fails anyway.
        n.checked_next_multiple_of(spacing).unwrap_or(n)
    }
}

#[inline(always)]
fn account(delta: i64) {
    // `try_with` cannot fail for a const-initialized Cell without a
    // destructor, but never let accounting panic inside the allocator.
    let _ = LOCAL.try_with(|l| {
        let v = l.get() + delta;
        if v >= FLUSH_BYTES || v <= -FLUSH_BYTES {
            USED.fetch_add(v, Ordering::Relaxed);
            l.set(0);
        } else {
            l.set(v);
        }
    });
}

/// Called by the binary that installed [`Counting`] as its global
/// allocator, before anything reads [`used_bytes`].
pub fn mark_installed() {
    INSTALLED.store(true, Ordering::Relaxed);
}

/// Bytes in use by the process's allocations, as seen from this thread
/// (its own delta folded in). `None` when the counting allocator is not
/// installed (library tests).
pub fn used_bytes() -> Option<u64> {
    if !INSTALLED.load(Ordering::Relaxed) {
        return None;
    }
    let local = LOCAL.try_with(Cell::get).unwrap_or(0);
    let total = USED.load(Ordering::Relaxed) + local;
    Some(total.max(0) as u64)
}

/// The global allocator wrapper: `A` does the work, we keep the count.
pub struct Counting<A>(pub A);

// SAFETY: every method forwards to the wrapped allocator with the same
// arguments and returns its result unchanged; the bookkeeping touches only
// a thread-local cell and an atomic, never the memory itself, and does not
// allocate.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            account(size_class(layout.size()) as i64);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            account(size_class(layout.size()) as i64);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { self.0.dealloc(ptr, layout) };
        account(-(size_class(layout.size()) as i64));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(size_class(new_size) as i64 - size_class(layout.size()) as i64);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_match_jemalloc() {
        let cases = [
            (1, 8),
            (8, 8),
            (9, 16),
            (17, 32),
            (100, 112),
            (128, 128),
            (129, 160),
            (257, 320),
            (4097, 5120),
            (1 << 20, 1 << 20),
        ];
        for (n, want) in cases {
            assert_eq!(size_class(n), want, "size {n}");
        }
        // No overflow for absurd requests (the allocation itself fails).
        assert_eq!(size_class(usize::MAX), usize::MAX);
    }
}
