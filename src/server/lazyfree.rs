//! Lazy freeing: dropping big values and whole databases on a helper thread.
//!
//! Freeing a value with millions of elements, or a database with millions of
//! keys, can stall the executor for seconds. Valkey hands such work to a
//! background thread (UNLINK, `FLUSHALL ASYNC`, the `lazyfree-lazy-*`
//! directives); so do we. One long-lived thread receives owned values over a
//! channel and drops them; two counters report progress to INFO
//! (`lazyfree_pending_objects`, `lazyfreed_objects`).
//!
//! The thread is started on first use, so a server that never frees anything
//! lazily (and every unit test) runs without it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;

/// Values whose free effort is above this are freed in the background
/// (Valkey's `LAZYFREE_THRESHOLD`); smaller ones are cheaper to drop inline
/// than to hand over.
pub const LAZYFREE_THRESHOLD: usize = 64;

/// One job: something to drop, and how many objects it accounts for.
type Job = (Box<dyn Send>, u64);

#[derive(Default)]
struct Counters {
    /// Objects handed over and not yet freed.
    pending: AtomicU64,
    /// Objects freed by the thread since start (or the last reset).
    freed: AtomicU64,
}

/// The executor's handle on the lazy-free thread.
#[derive(Default)]
pub struct LazyFree {
    tx: Option<Sender<Job>>,
    counters: Arc<Counters>,
}

impl LazyFree {
    pub fn new() -> Self {
        Self::default()
    }

    /// Drop `value` on the helper thread, accounting it as `objects`
    /// objects (a database counts its keys). Falls back to dropping inline
    /// if the thread cannot be started or has gone away.
    pub fn free<T: Send + 'static>(&mut self, value: T, objects: u64) {
        let counters = &self.counters;
        counters.pending.fetch_add(objects, Ordering::Relaxed);
        let tx = self.tx.get_or_insert_with(|| spawn(Arc::clone(counters)));
        if let Err(e) = tx.send((Box::new(value), objects)) {
            self.tx = None;
            drop(e);
            self.counters.pending.fetch_sub(objects, Ordering::Relaxed);
        }
    }

    /// Free a value in the background if freeing it is costly
    /// (`free_effort` above [`LAZYFREE_THRESHOLD`]), otherwise right now.
    pub fn free_value(&mut self, value: crate::types::Value) {
        if value.free_effort() > LAZYFREE_THRESHOLD {
            self.free(value, 1);
        }
    }

    /// `lazyfree_pending_objects` for INFO memory.
    pub fn pending_objects(&self) -> u64 {
        self.counters.pending.load(Ordering::Relaxed)
    }

    /// `lazyfreed_objects` for INFO stats.
    pub fn freed_objects(&self) -> u64 {
        self.counters.freed.load(Ordering::Relaxed)
    }

    /// CONFIG RESETSTAT clears the freed counter (pending work stays).
    pub fn reset_stats(&self) {
        self.counters.freed.store(0, Ordering::Relaxed);
    }
}

fn spawn(counters: Arc<Counters>) -> Sender<Job> {
    let (tx, rx) = channel::<Job>();
    let spawned = std::thread::Builder::new()
        .name("lazyfree".into())
        .spawn(move || {
            for (job, objects) in rx {
                drop(job);
                counters.pending.fetch_sub(objects, Ordering::Relaxed);
                counters.freed.fetch_add(objects, Ordering::Relaxed);
            }
        });
    if let Err(e) = spawned {
        // The receiver went away with the closure: sends fail and callers
        // drop inline.
        tracing::warn!("cannot start the lazyfree thread: {e}");
    }
    tx
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keyspace::Dict;
    use crate::types::{Str, Value};
    use std::time::{Duration, Instant};

    fn wait_idle(lf: &LazyFree) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while lf.pending_objects() != 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn frees_a_dict_in_the_background_and_counts_it() {
        let mut lf = LazyFree::new();
        let mut d: Dict<Value> = Dict::new();
        for i in 0..1000 {
            d.insert(
                format!("k{i}").as_bytes(),
                Value::Str(Str::from_bytes(b"v")),
            );
        }
        let n = d.len() as u64;
        lf.free(d, n);
        wait_idle(&lf);
        assert_eq!(lf.pending_objects(), 0);
        assert_eq!(lf.freed_objects(), 1000);
        lf.free(vec![1u8; 10], 1);
        wait_idle(&lf);
        assert_eq!(lf.freed_objects(), 1001);
        lf.reset_stats();
        assert_eq!(lf.freed_objects(), 0);
    }

    #[test]
    fn cheap_values_are_dropped_inline() {
        let mut lf = LazyFree::new();
        lf.free_value(Value::Str(Str::from_bytes(b"small")));
        assert!(lf.tx.is_none(), "no thread for a cheap value");
        assert_eq!(lf.freed_objects(), 0);
    }
}
