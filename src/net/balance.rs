//! When the I/O threads should work: the adaptive offload policy.
//!
//! Handing a connection's socket work to an I/O thread is not free: the
//! queues, the wake-ups and the cache lines that change hands cost about a
//! quarter more CPU per request than doing the same work on the executor.
//! That pays off only when the executor is the bottleneck *and* another core
//! is free to run the I/O thread. On a loaded or small machine (a 2-core box
//! with the benchmark client on the other core) it is pure loss.
//!
//! So with `io-threads N > 1` connections start on the executor, and the
//! cron feeds the [`Balancer`] CPU samples:
//! - **ignite** (start offloading) when the executor thread is busy at least
//!   90% of the time for two windows in a row while the CPUs we may run on
//!   have at least half a core idle;
//! - **cool down** (take connections back) when all server threads together
//!   use less than 70% of one core, or when less than 0.15 of a core is idle,
//!   for five windows in a row.
//!
//! The gap between the thresholds keeps the state from flapping: once
//! offloaded, the executor's own share drops well under 90%, and the work
//! only comes back when it fits on one core with room to spare.
//! `io-threads-always-active yes` forces the offloaded state (tests use it).

use std::time::Instant;

/// A window must be at least this long: `/proc/stat` counts in 10 ms ticks.
const MIN_WINDOW_NS: u64 = 200_000_000;
const IGNITE_EXEC_BUSY: f64 = 0.90;
const IGNITE_IDLE_CORES: f64 = 0.5;
const IGNITE_WINDOWS: u32 = 2;
const COOL_SERVER_CORES: f64 = 0.70;
const COOL_IDLE_CORES: f64 = 0.15;
const COOL_WINDOWS: u32 = 5;

/// Cumulative counters at one instant.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    pub wall_ns: u64,
    /// CPU time of the executor thread.
    pub exec_ns: u64,
    /// CPU time of all I/O threads together.
    pub io_ns: u64,
    /// Idle and total time of the CPUs we may run on (`/proc/stat` ticks).
    pub idle_ticks: u64,
    pub total_ticks: u64,
    /// How many CPUs those ticks cover.
    pub cpus: u32,
}

/// Load over one window, in cores.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Load {
    pub exec: f64,
    pub server: f64,
    pub idle: f64,
}

impl Load {
    pub fn between(a: &Sample, b: &Sample) -> Option<Load> {
        let wall = b.wall_ns.checked_sub(a.wall_ns)? as f64;
        if wall <= 0.0 {
            return None;
        }
        let exec = b.exec_ns.saturating_sub(a.exec_ns) as f64 / wall;
        let io = b.io_ns.saturating_sub(a.io_ns) as f64 / wall;
        let total = b.total_ticks.saturating_sub(a.total_ticks);
        let idle = if total == 0 {
            0.0
        } else {
            b.idle_ticks.saturating_sub(a.idle_ticks) as f64 / total as f64 * b.cpus as f64
        };
        Some(Load {
            exec,
            server: exec + io,
            idle,
        })
    }
}

#[derive(Default)]
pub struct Balancer {
    active: bool,
    hot: u32,
    cold: u32,
    last: Option<Sample>,
}

impl Balancer {
    pub fn active(&self) -> bool {
        self.active
    }

    /// Feed the counters read now; returns whether connections should be
    /// on the I/O threads. Samples closer than a window to the previous one
    /// are ignored.
    pub fn observe(&mut self, now: Sample) -> bool {
        let Some(last) = self.last else {
            self.last = Some(now);
            return self.active;
        };
        if now.wall_ns.saturating_sub(last.wall_ns) < MIN_WINDOW_NS {
            return self.active;
        }
        self.last = Some(now);
        if let Some(load) = Load::between(&last, &now) {
            self.judge(load);
        }
        self.active
    }

    fn judge(&mut self, load: Load) {
        if !self.active {
            let hot = load.exec >= IGNITE_EXEC_BUSY && load.idle >= IGNITE_IDLE_CORES;
            self.hot = if hot { self.hot + 1 } else { 0 };
            if self.hot >= IGNITE_WINDOWS {
                self.active = true;
                self.hot = 0;
                self.cold = 0;
            }
        } else {
            let cold = load.server < COOL_SERVER_CORES || load.idle < COOL_IDLE_CORES;
            self.cold = if cold { self.cold + 1 } else { 0 };
            if self.cold >= COOL_WINDOWS {
                self.active = false;
                self.hot = 0;
                self.cold = 0;
            }
        }
    }
}

/// Reads the counters a [`Sample`] needs from the kernel.
pub struct Sampler {
    start: Instant,
    cpus: Vec<usize>,
    stat: String,
}

impl Default for Sampler {
    fn default() -> Self {
        Self::new()
    }
}

impl Sampler {
    pub fn new() -> Self {
        Sampler {
            start: Instant::now(),
            cpus: allowed_cpus(),
            stat: String::new(),
        }
    }

    pub fn sample(&mut self, io_clocks: impl Iterator<Item = libc::clockid_t>) -> Sample {
        let (idle_ticks, total_ticks) = self.cpu_ticks();
        Sample {
            wall_ns: self.start.elapsed().as_nanos() as u64,
            exec_ns: clock_ns(libc::CLOCK_THREAD_CPUTIME_ID),
            io_ns: io_clocks.map(clock_ns).sum(),
            idle_ticks,
            total_ticks,
            cpus: self.cpus.len() as u32,
        }
    }

    /// Idle (idle + iowait) and total ticks of the CPUs we may run on.
    fn cpu_ticks(&mut self) -> (u64, u64) {
        use std::io::Read;
        self.stat.clear();
        let read =
            std::fs::File::open("/proc/stat").and_then(|mut f| f.read_to_string(&mut self.stat));
        if read.is_err() {
            return (0, 0);
        }
        parse_cpu_ticks(&self.stat, &self.cpus)
    }
}

/// Sum idle and total ticks over the `cpuN` lines of `/proc/stat` whose N
/// is in `cpus`.
pub fn parse_cpu_ticks(stat: &str, cpus: &[usize]) -> (u64, u64) {
    let (mut idle, mut total) = (0u64, 0u64);
    for line in stat.lines() {
        let Some(rest) = line.strip_prefix("cpu") else {
            continue;
        };
        let mut fields = rest.split_ascii_whitespace();
        let Some(Ok(n)) = fields.next().map(str::parse::<usize>) else {
            continue; // the aggregate "cpu" line
        };
        if !cpus.contains(&n) {
            continue;
        }
        // user nice system idle iowait irq softirq steal (guest time is
        // already inside user and nice).
        for (i, v) in fields.take(8).enumerate() {
            let v: u64 = v.parse().unwrap_or(0);
            total += v;
            if i == 3 || i == 4 {
                idle += v;
            }
        }
    }
    (idle, total)
}

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; an invalid clock id only
    // makes the call fail, which we report as zero.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The CPUs this process may run on (all online CPUs if unknown).
fn allowed_cpus() -> Vec<usize> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; sched_getaffinity
    // writes at most `size_of::<cpu_set_t>()` bytes into it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
                .filter(|&i| libc::CPU_ISSET(i, &set))
                .collect();
            if !cpus.is_empty() {
                return cpus;
            }
        }
    }
    (0..std::thread::available_parallelism().map_or(1, |n| n.get())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u64 = MIN_WINDOW_NS;

    /// A window of `W` with the given busy fractions and idle cores (of 2).
    fn step(prev: &Sample, exec: f64, io: f64, idle_cores: f64) -> Sample {
        let ticks = 100;
        Sample {
            wall_ns: prev.wall_ns + W,
            exec_ns: prev.exec_ns + (exec * W as f64) as u64,
            io_ns: prev.io_ns + (io * W as f64) as u64,
            idle_ticks: prev.idle_ticks + (idle_cores / 2.0 * ticks as f64) as u64,
            total_ticks: prev.total_ticks + ticks,
            cpus: 2,
        }
    }

    fn run(b: &mut Balancer, s: &mut Sample, windows: u32, exec: f64, io: f64, idle: f64) -> bool {
        for _ in 0..windows {
            *s = step(s, exec, io, idle);
            b.observe(*s);
        }
        b.active()
    }

    #[test]
    fn stays_local_when_the_executor_has_headroom() {
        let mut b = Balancer::default();
        let mut s = Sample::default();
        b.observe(s);
        assert!(!run(&mut b, &mut s, 20, 0.85, 0.0, 1.1));
    }

    #[test]
    fn stays_local_when_no_core_is_free() {
        // The 2-core benchmark: the executor is busy, the client has the
        // other core. Offloading would only take CPU from the client.
        let mut b = Balancer::default();
        let mut s = Sample::default();
        b.observe(s);
        assert!(!run(&mut b, &mut s, 20, 0.99, 0.0, 0.1));
    }

    #[test]
    fn ignites_after_two_hot_windows_and_cools_after_five_cold_ones() {
        let mut b = Balancer::default();
        let mut s = Sample::default();
        b.observe(s);
        assert!(!run(&mut b, &mut s, 1, 0.97, 0.0, 0.9));
        // A cool window resets the streak.
        assert!(!run(&mut b, &mut s, 1, 0.50, 0.0, 0.9));
        assert!(!run(&mut b, &mut s, 1, 0.97, 0.0, 0.9));
        assert!(run(&mut b, &mut s, 1, 0.97, 0.0, 0.9));
        // Offloaded and busy: executor 0.6 + I/O thread 0.5 stays.
        assert!(run(&mut b, &mut s, 20, 0.6, 0.5, 0.8));
        // Load falls under 0.7 core in all: back after five windows.
        assert!(run(&mut b, &mut s, 4, 0.3, 0.2, 1.4));
        assert!(!run(&mut b, &mut s, 1, 0.3, 0.2, 1.4));
    }

    #[test]
    fn cools_down_when_the_machine_saturates() {
        let mut b = Balancer::default();
        let mut s = Sample::default();
        b.observe(s);
        assert!(run(&mut b, &mut s, 2, 0.95, 0.0, 1.0));
        assert!(!run(&mut b, &mut s, 5, 0.8, 0.6, 0.05));
    }

    #[test]
    fn short_windows_are_merged() {
        let mut b = Balancer::default();
        let mut s = Sample {
            cpus: 2,
            ..Sample::default()
        };
        b.observe(s);
        // Many samples 10 ms apart count as one window per 200 ms.
        for _ in 0..39 {
            s.wall_ns += W / 20;
            s.exec_ns += W / 20;
            s.total_ticks += 5;
            s.idle_ticks += 4;
            b.observe(s);
        }
        assert!(!b.active());
        s.wall_ns += W / 20;
        s.exec_ns += W / 20;
        b.observe(s);
        assert!(b.active());
    }

    #[test]
    fn parses_proc_stat_for_allowed_cpus() {
        let stat = "cpu  10 0 10 100 5 0 0 0 0 0\n\
                    cpu0 1 0 2 30 1 0 0 0 0 0\n\
                    cpu1 9 0 8 70 4 0 1 0 0 0\n\
                    intr 123\n";
        assert_eq!(parse_cpu_ticks(stat, &[0]), (31, 34));
        assert_eq!(parse_cpu_ticks(stat, &[1]), (74, 92));
        assert_eq!(parse_cpu_ticks(stat, &[0, 1]), (105, 126));
        assert_eq!(parse_cpu_ticks("garbage\ncpuX 1 2\n", &[0]), (0, 0));
    }
}
