//! The active expire cycle.
//!
//! Lazy expiry alone leaves keys that are never read again in memory, so the
//! executor's cron samples keys with a TTL and deletes the expired ones. As in
//! Valkey, each call works through batches of keys and stops when its time
//! budget (a share of the tick, scaled by `active-expire-effort`) is used or
//! when few sampled keys turned out expired, so it never stalls commands.

use super::Db;
use bytes::Bytes;
use std::time::{Duration, Instant};

/// Keys examined per batch at effort 1 (Valkey: 20, +25% per effort step).
const KEYS_PER_LOOP: usize = 20;
/// Stop once the share of expired keys in a batch falls under this percent.
const ACCEPTABLE_STALE: usize = 10;

/// Run one slow cycle over `dbs`. Deleted keys are appended to `deleted`
/// (db index, key) for propagation. Returns the number of keys expired.
pub fn active_expire_cycle(
    dbs: &mut [Db],
    now_ms: i64,
    effort: u32,
    budget: Duration,
    deleted: &mut Vec<(usize, Bytes)>,
) -> usize {
    let effort = effort.clamp(1, 10) as usize - 1;
    let per_loop = KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort;
    let stale_ok = ACCEPTABLE_STALE.saturating_sub(effort);
    let start = Instant::now();
    let mut total = 0;
    for db in dbs.iter_mut() {
        if db.expires_len() == 0 {
            continue;
        }
        loop {
            let mut batch: Vec<(Vec<u8>, i64)> = Vec::with_capacity(per_loop);
            let mut checked = 0;
            let mut cursor = db.expire_cursor;
            // Walk the TTL index with a cursor so every key is visited.
            while checked < per_loop {
                cursor = db.dict.scan_expires(cursor, |k, t| {
                    checked += 1;
                    if t < now_ms {
                        batch.push((k.to_vec(), t));
                    }
                });
                if cursor == 0 {
                    break;
                }
            }
            db.expire_cursor = cursor;
            let expired = batch.len();
            for (k, _) in batch {
                if db.dict.remove(&k).is_some() {
                    db.stat_expired += 1;
                    deleted.push((db.id, Bytes::from(k)));
                }
            }
            total += expired;
            if checked == 0
                || cursor == 0
                || expired * 100 / checked.max(1) <= stale_ok
                || start.elapsed() >= budget
            {
                break;
            }
        }
        if start.elapsed() >= budget {
            break;
        }
    }
    total
}
