//! `maxmemory`: evicting keys by `maxmemory-policy`, and refusing
//! memory-growing commands when nothing more can go.
//!
//! Before each command (when `maxmemory` is set) the executor compares the
//! allocation counter (`util/alloc.rs`) with the limit and, if it is over,
//! deletes keys until it is under again, as Valkey's `performEvictions`:
//!
//! * `allkeys-random` / `volatile-random` delete random keys (all keys, or
//!   only keys with a TTL), visiting the databases round robin;
//! * the LRU, LFU and TTL policies keep a small pool of the best candidates
//!   seen so far: each round samples `maxmemory-samples` keys of every
//!   database, scores them (idle time, inverse access frequency, or nearness
//!   of the expire time), merges them into the pool and evicts the best one
//!   that still exists. The pool survives between calls, so the choice
//!   improves with every sample, as in Valkey;
//! * `noeviction` evicts nothing.
//!
//! Each call is bounded by a time budget derived from
//! `maxmemory-eviction-tenacity`; when it runs out the command proceeds and
//! the cron carries on. A command flagged `denyoom` is rejected with the
//! `OOM` error only when eviction could not bring memory under the limit.
//! Evicted keys are propagated as `DEL`/`UNLINK`, reported with the
//! `evicted` keyspace event, counted in `evicted_keys`, invalidated in
//! client-side caches and fail the EXEC of clients watching them.

use super::{Client, Server};
use crate::commands::info::allocated_memory as used_memory;
use crate::config::MaxmemoryPolicy;
use crate::keyspace::access;
use bytes::Bytes;
use std::time::{Duration, Instant};

/// Candidates kept between calls (Valkey's EVPOOL_SIZE).
const POOL_SIZE: usize = 16;

pub const OOM_ERROR: &str = "OOM command not allowed when used memory > 'maxmemory'.";

/// What [`Server::perform_evictions`] achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// Memory is (now) under the limit, or there is no limit.
    Ok,
    /// Keys were evicted but the time budget ran out; the cron goes on.
    Running,
    /// Over the limit and nothing (more) could be evicted.
    Fail,
}

/// The eviction state kept between calls.
#[derive(Default)]
pub struct Evictor {
    /// Best candidates so far, by ascending score: (score, db, key).
    pool: Vec<(u64, usize, Bytes)>,
    /// Next database for the random policies.
    next_db: usize,
    /// The last call stopped on its time budget.
    pub running: bool,
    /// Since when memory has been over the limit (INFO
    /// `current_eviction_exceeded_time`), and the closed spans' total.
    over_since: Option<Instant>,
    total_over: Duration,
}

impl Evictor {
    /// `total_eviction_exceeded_time` and `current_eviction_exceeded_time`
    /// in milliseconds.
    pub fn exceeded_ms(&self) -> (u64, u64) {
        let current = self.over_since.map_or(Duration::ZERO, |t| t.elapsed());
        (
            (self.total_over + current).as_millis() as u64,
            current.as_millis() as u64,
        )
    }

    /// Memory is over the limit (`true`) or back under it.
    fn set_over(&mut self, over: bool) {
        match (over, self.over_since) {
            (true, None) => self.over_since = Some(Instant::now()),
            (false, Some(t)) => {
                self.total_over += t.elapsed();
                self.over_since = None;
            }
            _ => {}
        }
    }

    fn offer(&mut self, score: u64, db: usize, key: &[u8]) {
        if self
            .pool
            .iter()
            .any(|(_, d, k)| *d == db && k.as_ref() == key)
        {
            return;
        }
        if self.pool.len() >= POOL_SIZE && self.pool.first().is_some_and(|(s, ..)| *s >= score) {
            return;
        }
        let at = self.pool.partition_point(|(s, ..)| *s < score);
        self.pool
            .insert(at, (score, db, Bytes::copy_from_slice(key)));
        if self.pool.len() > POOL_SIZE {
            self.pool.remove(0);
        }
    }
}

/// Valkey's time budget per eviction call for a tenacity of 0..=100.
fn time_limit(tenacity: u64) -> Duration {
    if tenacity >= 100 {
        return Duration::from_secs(3600);
    }
    if tenacity <= 10 {
        return Duration::from_micros(50 * tenacity.max(1));
    }
    // Past 10 each step grows the budget by 15%.
    let us = 500.0 * 1.15f64.powi((tenacity - 10) as i32);
    Duration::from_micros(us as u64)
}

impl Server {
    /// Bring memory under `maxmemory` if it is over (see the module doc).
    pub fn perform_evictions(&mut self, mut current: Option<&mut Client>) -> Eviction {
        let limit = self.config.maxmemory();
        if limit == 0 {
            self.evictor.running = false;
            self.evictor.set_over(false);
            return Eviction::Ok;
        }
        let used = used_memory();
        if used <= limit {
            self.evictor.running = false;
            self.evictor.set_over(false);
            return Eviction::Ok;
        }
        self.evictor.set_over(true);
        let policy = self.config.maxmemory_policy();
        if policy == MaxmemoryPolicy::NoEviction {
            return Eviction::Fail;
        }
        let started = Instant::now();
        let budget = time_limit(self.config.maxmemory_eviction_tenacity());
        let mut evicted = 0u64;
        // Big values go to the lazy-free thread: count them as freed now,
        // or the loop would evict on while the thread catches up.
        let mut freeing_later = 0u64;
        loop {
            let Some((db, key)) = self.pick_victim(policy) else {
                self.evictor.running = false;
                return Eviction::Fail;
            };
            freeing_later += self.evict_key(current.as_deref_mut(), db, &key);
            evicted += 1;
            if used_memory().saturating_sub(freeing_later) <= limit {
                self.evictor.running = false;
                self.evictor.set_over(false);
                return Eviction::Ok;
            }
            if evicted.is_multiple_of(16) && started.elapsed() >= budget {
                self.evictor.running = true;
                return Eviction::Running;
            }
        }
    }

    /// Delete one key chosen by the policy, with everything a deletion by
    /// the server implies. Returns the bytes handed to the lazy-free thread
    /// (an estimate; 0 when the value was freed here).
    fn evict_key(&mut self, mut current: Option<&mut Client>, db: usize, key: &Bytes) -> u64 {
        let lazy = self.config.lazyfree_lazy_eviction();
        let Some(value) = self.dbs[db].remove(key) else {
            return 0;
        };
        let mut later = 0;
        if lazy {
            if value.free_effort() > super::lazyfree::LAZYFREE_THRESHOLD {
                later = value.heap_size() as u64;
            }
            self.lazyfree.free_value(value);
        } else {
            drop(value);
        }
        self.stats.evicted_keys += 1;
        self.dirty += 1;
        let verb = if lazy {
            Bytes::from_static(b"UNLINK")
        } else {
            Bytes::from_static(b"DEL")
        };
        self.propagate(db, vec![verb, key.clone()]);
        self.touch_watched_key_from(current.as_deref_mut(), db, key);
        self.tracking_key_deleted(key);
        self.notify(current, super::notify::EVICTED, "evicted", key, db);
        later
    }

    /// The next key to evict, or None when no key qualifies.
    fn pick_victim(&mut self, policy: MaxmemoryPolicy) -> Option<(usize, Bytes)> {
        use MaxmemoryPolicy::*;
        let volatile = matches!(
            policy,
            VolatileLru | VolatileLfu | VolatileRandom | VolatileTtl
        );
        let mut seed = self.random();
        let mut rng = move || {
            seed = crate::util::rand::splitmix(seed);
            seed
        };
        let ndb = self.dbs.len();
        if matches!(policy, AllkeysRandom | VolatileRandom) {
            for i in 0..ndb {
                let db = (self.evictor.next_db + i) % ndb;
                if let Some((key, ..)) = self.dbs[db].dict.random_sample(volatile, &mut rng) {
                    self.evictor.next_db = db + 1;
                    return Some((db, Bytes::copy_from_slice(key)));
                }
            }
            return None;
        }
        let samples = self.config.maxmemory_samples().max(1);
        let now = self.now_ms;
        let decay = self.config.lfu_decay_time();
        loop {
            let mut sampled = false;
            for db in 0..ndb {
                let d = &self.dbs[db].dict;
                let population = if volatile { d.expires_len() } else { d.len() };
                if population == 0 {
                    continue;
                }
                for _ in 0..samples.min(population as u64) {
                    let Some((key, clock, expire)) = d.random_sample(volatile, &mut rng) else {
                        break;
                    };
                    sampled = true;
                    let score = match policy {
                        VolatileLfu | AllkeysLfu => {
                            255 - u64::from(access::lfu_counter(clock, now, decay))
                        }
                        VolatileTtl => u64::MAX - expire.unwrap_or(i64::MAX).max(0) as u64,
                        _ => access::idle_ms(clock, now),
                    };
                    self.evictor.offer(score, db, key);
                }
            }
            if !sampled {
                self.evictor.pool.clear();
                return None;
            }
            // Best first; entries whose key is gone are dropped.
            while let Some((_, db, key)) = self.evictor.pool.pop() {
                if db < ndb && self.dbs[db].dict.contains_key(&key) {
                    return Some((db, key));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_keeps_the_best_candidates_in_order() {
        let mut e = Evictor::default();
        for i in 0..40u64 {
            e.offer(i * 7 % 41, 0, format!("k{i}").as_bytes());
        }
        assert_eq!(e.pool.len(), POOL_SIZE);
        assert!(e.pool.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(e.pool.last().map(|c| c.0), Some(40));
        // The same key is not offered twice.
        e.offer(1000, 0, b"k1");
        e.offer(1000, 0, b"k1");
        assert_eq!(e.pool.iter().filter(|c| c.2.as_ref() == b"k1").count(), 1);
    }

    #[test]
    fn tenacity_budget() {
        assert_eq!(time_limit(10), Duration::from_micros(500));
        assert_eq!(time_limit(1), Duration::from_micros(50));
        assert!(time_limit(20) > time_limit(10));
        assert!(time_limit(100) >= Duration::from_secs(60));
    }
}
