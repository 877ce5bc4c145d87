//! Wall-clock helpers (the executor caches these once per loop iteration).

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

pub fn now_ms() -> i64 {
    now_us() / 1000
}

/// A cheap monotonic clock for timing commands.
///
/// Every command is timed (commandstats, the slow log, latency histograms),
/// so the clock is read twice per command. `Instant::now()` costs a
/// `clock_gettime` each (~30 ns here); on x86-64 CPUs whose time-stamp
/// counter runs at a constant rate (`constant_tsc` and `nonstop_tsc`, as
/// Valkey's own monotonic clock requires) we read the TSC instead (~10 ns)
/// and convert ticks to microseconds with a rate measured against
/// `Instant` at start-up and refined by the cron. Elsewhere, or without
/// those flags, ticks are nanoseconds from `Instant`.
pub mod ticks {
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    static USE_TSC: AtomicBool = AtomicBool::new(false);
    /// Microseconds per tick, as f64 bits.
    static US_PER_TICK: AtomicU64 = AtomicU64::new(0);
    /// The start-up anchor (Instant, ticks) calibration measures from.
    static ANCHOR: OnceLock<(Instant, u64)> = OnceLock::new();

    fn base() -> Instant {
        static BASE: OnceLock<Instant> = OnceLock::new();
        *BASE.get_or_init(Instant::now)
    }

    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn tsc() -> u64 {
        // SAFETY: RDTSC exists on every x86-64 CPU and has no memory
        // effects; the intrinsic is only `unsafe` by convention.
        unsafe { core::arch::x86_64::_rdtsc() }
    }

    #[cfg(not(target_arch = "x86_64"))]
    #[inline(always)]
    fn tsc() -> u64 {
        0
    }

    /// The current tick count.
    #[inline]
    pub fn now() -> u64 {
        if USE_TSC.load(Ordering::Relaxed) {
            tsc()
        } else {
            base().elapsed().as_nanos() as u64
        }
    }

    /// Microseconds between two tick counts.
    #[inline]
    pub fn elapsed_us(from: u64, to: u64) -> u64 {
        let ticks = to.saturating_sub(from);
        if USE_TSC.load(Ordering::Relaxed) {
            (ticks as f64 * f64::from_bits(US_PER_TICK.load(Ordering::Relaxed))) as u64
        } else {
            ticks / 1000
        }
    }

    /// Decide on the TSC and measure its rate (blocks ~2 ms once).
    pub fn calibrate() {
        let _ = base();
        let flags_ok = cfg!(target_arch = "x86_64")
            && std::fs::read_to_string("/proc/cpuinfo").is_ok_and(|s| {
                s.lines().find(|l| l.starts_with("flags")).is_some_and(|l| {
                    let has = |f: &str| l.split_whitespace().any(|w| w == f);
                    has("constant_tsc") && has("nonstop_tsc")
                })
            });
        if !flags_ok {
            return;
        }
        let (t0, c0) = *ANCHOR.get_or_init(|| (Instant::now(), tsc()));
        while t0.elapsed() < Duration::from_millis(2) {
            std::hint::spin_loop();
        }
        if set_rate(t0, c0) {
            USE_TSC.store(true, Ordering::Relaxed);
        }
    }

    /// Refine the rate over the whole time since start-up (cron).
    pub fn recalibrate() {
        if let Some(&(t0, c0)) = ANCHOR.get() {
            if USE_TSC.load(Ordering::Relaxed) {
                set_rate(t0, c0);
            }
        }
    }

    fn set_rate(t0: Instant, c0: u64) -> bool {
        let us = t0.elapsed().as_secs_f64() * 1e6;
        let ticks = tsc().saturating_sub(c0) as f64;
        if ticks <= 0.0 || us <= 0.0 {
            return false;
        }
        US_PER_TICK.store((us / ticks).to_bits(), Ordering::Relaxed);
        true
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn measures_sleeps_in_microseconds() {
            calibrate();
            let a = now();
            std::thread::sleep(Duration::from_millis(20));
            let b = now();
            let us = elapsed_us(a, b);
            assert!((19_000..200_000).contains(&us), "{us} us");
            assert_eq!(elapsed_us(b, a), 0);
        }
    }
}
