//! The per-key access clock: when a key was last used (LRU) or how often it
//! is used (LFU), in the 24 bits every keyspace entry keeps for it.
//!
//! It backs `OBJECT IDLETIME`, `OBJECT FREQ`, `DEBUG OBJECT` and the
//! eviction policies, and follows Valkey's encoding so the numbers match:
//!
//! * LRU (every policy except the `*-lfu` ones): seconds since the epoch,
//!   modulo 2^24 (a wrap every ~194 days, handled when computing idle time).
//! * LFU: the high 16 bits are the time of the last decrement in minutes
//!   (mod 2^16), the low 8 bits a logarithmic access counter that starts at
//!   [`LFU_INIT_VAL`], grows with probability `1 / ((c - 5) * factor + 1)` on
//!   each access and decays by one per `lfu-decay-time` minutes of idleness.
//!
//! Switching policy at run time reinterprets the stored bits, exactly the
//! caveat Valkey's own error messages mention.

use super::dict::CLOCK_MAX;

/// The counter a key starts with under an LFU policy.
pub const LFU_INIT_VAL: u32 = 5;

/// The LRU clock at `now_ms` (1-second resolution).
#[inline]
pub fn lru_clock(now_ms: i64) -> u32 {
    ((now_ms / 1000) as u64 & CLOCK_MAX as u64) as u32
}

/// Milliseconds a key with LRU clock `stored` has been idle.
pub fn idle_ms(stored: u32, now_ms: i64) -> u64 {
    let now = lru_clock(now_ms);
    let secs = if now >= stored {
        now - stored
    } else {
        now + (CLOCK_MAX - stored)
    };
    u64::from(secs) * 1000
}

#[inline]
fn minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) as u64 & 0xFFFF) as u32
}

/// The clock of a key created now under an LFU policy.
#[inline]
pub fn lfu_new(now_ms: i64) -> u32 {
    minutes(now_ms) << 8 | LFU_INIT_VAL
}

/// The access counter of an LFU clock after decay (`OBJECT FREQ`); it does
/// not store anything.
pub fn lfu_counter(stored: u32, now_ms: i64, decay_minutes: u64) -> u32 {
    let ldt = stored >> 8;
    let counter = stored & 0xFF;
    let now = minutes(now_ms);
    let elapsed = if now >= ldt {
        now - ldt
    } else {
        0xFFFF - ldt + now
    };
    // A decay time of 0 turns decay off.
    let periods = u64::from(elapsed).checked_div(decay_minutes).unwrap_or(0);
    counter.saturating_sub(periods.min(255) as u32)
}

/// The clock of a key restored with a known idle time (seconds) or LFU
/// counter (RESTORE IDLETIME/FREQ, the RDB IDLE/FREQ opcodes): under an
/// LFU policy the counter counts, under any other the idle time, as in
/// Valkey. `None`: keep the clock the key got when it was added.
pub fn restored_clock(
    lfu: bool,
    idle_secs: Option<u64>,
    freq: Option<u8>,
    now_ms: i64,
) -> Option<u32> {
    if lfu {
        freq.map(|f| (lfu_new(now_ms) & !0xFF) | u32::from(f))
    } else {
        let secs = idle_secs?.min(i64::MAX as u64 / 2000) as i64;
        Some(lru_clock(now_ms - secs * 1000))
    }
}

/// What a lookup writes into a key's clock: the policy and the `lfu-*`
/// settings, refreshed when they change (CONFIG SET).
#[derive(Clone, Copy, Debug)]
pub struct Toucher {
    pub lfu: bool,
    pub log_factor: u64,
    pub decay_minutes: u64,
}

impl Toucher {
    /// The new clock at `now_ms` of a key whose stored clock is `stored`;
    /// `rand` is a uniform random number (the LFU counter's coin flip).
    #[inline]
    pub fn touch(&self, stored: u32, now_ms: i64, rand: u64) -> u32 {
        if !self.lfu {
            return lru_clock(now_ms);
        }
        let mut c = lfu_counter(stored, now_ms, self.decay_minutes);
        if c < 255 {
            let base = c.saturating_sub(LFU_INIT_VAL) as f64;
            let p = 1.0 / (base * self.log_factor as f64 + 1.0);
            let r = (rand >> 11) as f64 / (1u64 << 53) as f64;
            if r < p {
                c += 1;
            }
        }
        minutes(now_ms) << 8 | c
    }

    /// The clock keys created at `now_ms` start with.
    pub fn initial(&self, now_ms: i64) -> u32 {
        if self.lfu {
            lfu_new(now_ms)
        } else {
            lru_clock(now_ms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restored_clock_follows_the_policy() {
        let now = 1_700_000_000_000;
        assert_eq!(
            restored_clock(false, Some(100), Some(7), now),
            Some(lru_clock(now - 100_000))
        );
        assert_eq!(restored_clock(false, None, Some(7), now), None);
        assert_eq!(
            restored_clock(true, Some(100), Some(7), now).map(|c| c & 0xFF),
            Some(7)
        );
        assert_eq!(restored_clock(true, Some(100), None, now), None);
        // Absurd idle times do not overflow.
        assert!(restored_clock(false, Some(u64::MAX), None, now).is_some());
    }

    #[test]
    fn idle_time_handles_the_wrap() {
        let now = 1_000_000_i64 * 1000;
        let stored = lru_clock(now - 42_000);
        assert_eq!(idle_ms(stored, now), 42_000);
        // A clock taken just before the 24-bit wrap.
        let wrap_ms = i64::from(CLOCK_MAX + 1) * 1000;
        let before = lru_clock(wrap_ms - 3000);
        assert_eq!(idle_ms(before, wrap_ms + 2000), 4000);
    }

    #[test]
    fn lfu_counter_grows_logarithmically_and_decays() {
        let t = Toucher {
            lfu: true,
            log_factor: 10,
            decay_minutes: 1,
        };
        let now = 10 * 60_000;
        let mut c = t.initial(now);
        assert_eq!(c & 0xFF, LFU_INIT_VAL);
        let mut seed = 1u64;
        for _ in 0..1000 {
            seed = crate::util::rand::splitmix(seed);
            c = t.touch(c, now, seed);
        }
        let n = c & 0xFF;
        // Valkey's table: factor 10 reaches ~18 after 1k hits (plus init 5).
        assert!((12..=30).contains(&n), "counter {n}");
        assert_eq!(lfu_counter(c, now, 1), n);
        assert_eq!(lfu_counter(c, now + 3 * 60_000, 1), n - 3);
        assert_eq!(lfu_counter(c, now + 3 * 60_000, 0), n);
        assert_eq!(lfu_counter(c, now + 500 * 60_000, 1), 0);
    }

    #[test]
    fn lru_touch_is_the_clock() {
        let t = Toucher {
            lfu: false,
            log_factor: 10,
            decay_minutes: 1,
        };
        assert_eq!(t.touch(7, 123_456_789, 0), lru_clock(123_456_789));
        assert_eq!(t.initial(123_456_789), 123_456);
    }
}
