//! Latency observation: the latency monitor's per-event time series
//! (`LATENCY LATEST|HISTORY|GRAPH|DOCTOR|RESET`, fed when an event takes at
//! least `latency-monitor-threshold` ms) and the per-command latency
//! histograms behind `LATENCY HISTOGRAM` and `INFO latencystats`.
//!
//! The histogram reproduces the buckets of the HDR histogram Valkey uses
//! (1 ns .. 1 s, two significant digits) restricted to the values Valkey can
//! record: command durations are whole microseconds, recorded as
//! `duration_us * 1000` ns (0 becomes 1 ns). Under 132 µs every microsecond
//! has its own HDR sub-bucket; above, each power-of-two range of nanoseconds
//! is split in 128 sub-buckets. That gives 1796 counters per command
//! (14 KiB, allocated the first time the command runs while
//! `latency-tracking` is on) and the same percentiles and CDF points as
//! Valkey (`p50=1.003` for 1 µs), for a record that is a few integer
//! operations.

use std::fmt::Write as _;

// ------------------------------------------------------------ histogram

/// Durations at or under this many µs have a counter each.
const EXACT_US: u64 = 131;
/// First power of two (in ns) above the exact range: 2^17 = 131072 ns.
const FIRST_OCTAVE: u32 = 17;
/// Last octave: values up to 2^30 ns (Valkey clamps at 1e9 ns).
const LAST_OCTAVE: u32 = 29;
const SUB_BUCKETS: usize = 128;
pub const HIST_SLOTS: usize =
    EXACT_US as usize + 1 + (LAST_OCTAVE - FIRST_OCTAVE + 1) as usize * SUB_BUCKETS;
/// Valkey's `LATENCY_HISTOGRAM_MAX_VALUE`: 1 s in ns.
const MAX_NS: u64 = 1_000_000_000;

/// A command's latency distribution (see the module docs).
#[derive(Clone)]
pub struct Histogram {
    counts: Box<[u64; HIST_SLOTS]>,
    total: u64,
}

impl std::fmt::Debug for Histogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Histogram(total={})", self.total)
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

/// The slot of a duration in whole microseconds.
#[inline]
fn slot_of(us: u64) -> usize {
    if us <= EXACT_US {
        return us as usize;
    }
    let ns = us.saturating_mul(1000).min(MAX_NS);
    let octave = 63 - ns.leading_zeros(); // 17..=29
    let sub = (ns >> (octave - 7)) as usize; // 128..=255
    EXACT_US as usize + 1 + (octave - FIRST_OCTAVE) as usize * SUB_BUCKETS + (sub - SUB_BUCKETS)
}

/// HDR's bucket resolution at `ns` (two significant digits).
fn resolution(ns: u64) -> u64 {
    if ns < 256 {
        1
    } else {
        1 << (63 - ns.leading_zeros() - 7)
    }
}

/// The lowest and highest nanosecond value of a slot's HDR bucket.
fn slot_range(slot: usize) -> (u64, u64) {
    if slot <= EXACT_US as usize {
        let ns = if slot == 0 { 1 } else { slot as u64 * 1000 };
        let res = resolution(ns);
        let low = ns & !(res - 1);
        return (low, low + res - 1);
    }
    let i = slot - EXACT_US as usize - 1;
    let octave = FIRST_OCTAVE + (i / SUB_BUCKETS) as u32;
    let sub = (SUB_BUCKETS + i % SUB_BUCKETS) as u64;
    let res = 1u64 << (octave - 7);
    let low = sub * res;
    (low, low + res - 1)
}

impl Histogram {
    pub fn new() -> Histogram {
        let counts: Box<[u64; HIST_SLOTS]> = vec![0u64; HIST_SLOTS]
            .into_boxed_slice()
            .try_into()
            .unwrap_or_else(|_| unreachable!());
        Histogram { counts, total: 0 }
    }

    /// Record one command duration in whole microseconds.
    #[inline]
    pub fn record(&mut self, us: u64) {
        self.counts[slot_of(us)] += 1;
        self.total += 1;
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// `hdr_value_at_percentile`, in ns: the highest value of the bucket
    /// where the cumulative count reaches the percentile.
    pub fn value_at_percentile(&self, percentile: f64) -> u64 {
        let p = percentile.min(100.0);
        let wanted = ((p / 100.0) * self.total as f64 + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut seen = 0u64;
        for (slot, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= wanted {
                let (low, high) = slot_range(slot);
                return if percentile == 0.0 { low } else { high };
            }
        }
        0
    }

    /// The cumulative distribution Valkey prints in `LATENCY HISTOGRAM`:
    /// `(µs, calls at or under it)` at 1024 ns · 2^k, only where the count
    /// grew.
    pub fn cdf(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut cum = 0u64;
        let mut prev = 0u64;
        let mut slot = 0usize;
        let mut level: u64 = 1024;
        while cum < self.total {
            let (report_high, limit) = if level <= 1 << LAST_OCTAVE {
                (level + level / 128 - 1, level)
            } else {
                // Past the histogram's range: HDR reports its last bucket.
                ((1 << 30) - 1, u64::MAX)
            };
            while slot < HIST_SLOTS && slot_range(slot).0 <= limit {
                cum += self.counts[slot];
                slot += 1;
            }
            if cum > prev {
                out.push((report_high / 1000, cum));
                prev = cum;
            }
            if limit == u64::MAX {
                break;
            }
            level *= 2;
        }
        out
    }
}

// ------------------------------------------------------- latency monitor

/// Samples kept per event (Valkey's `LATENCY_TS_LEN`).
pub const TS_LEN: usize = 160;

#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Sample {
    /// Unix time in seconds; 0 marks an empty slot.
    pub time: i64,
    /// Latency in milliseconds.
    pub latency: u32,
}

/// The time series of one event.
#[derive(Clone, Debug)]
pub struct TimeSeries {
    idx: usize,
    pub max: u32,
    pub sum: u32,
    pub cnt: u32,
    pub samples: [Sample; TS_LEN],
}

impl TimeSeries {
    fn new() -> TimeSeries {
        TimeSeries {
            idx: 0,
            max: 0,
            sum: 0,
            cnt: 0,
            samples: [Sample::default(); TS_LEN],
        }
    }

    /// Samples oldest first, empty slots skipped.
    pub fn history(&self) -> impl Iterator<Item = Sample> + '_ {
        (0..TS_LEN)
            .map(move |j| self.samples[(self.idx + j) % TS_LEN])
            .filter(|s| s.time != 0)
    }

    /// The most recent sample slot (as `LATENCY LATEST` reports it).
    pub fn last(&self) -> Sample {
        self.samples[(self.idx + TS_LEN - 1) % TS_LEN]
    }
}

/// Event name → time series, in creation order.
#[derive(Default, Debug)]
pub struct LatencyMonitor {
    events: Vec<(String, TimeSeries)>,
}

impl LatencyMonitor {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn events(&self) -> &[(String, TimeSeries)] {
        &self.events
    }

    /// Exact (case-sensitive) lookup, as `LATENCY HISTORY|GRAPH` do.
    pub fn get(&self, event: &[u8]) -> Option<(&str, &TimeSeries)> {
        self.events
            .iter()
            .find(|(n, _)| n.as_bytes() == event)
            .map(|(n, ts)| (n.as_str(), ts))
    }

    /// Record `latency_ms` for `event` at unix second `now`: one sample per
    /// second (the highest wins), all-time max, sum and count.
    pub fn add_sample(&mut self, event: &str, latency_ms: u64, now: i64) {
        let latency = latency_ms.min(u32::MAX as u64) as u32;
        let pos = match self.events.iter().position(|(n, _)| n == event) {
            Some(p) => p,
            None => {
                self.events.push((event.to_string(), TimeSeries::new()));
                self.events.len() - 1
            }
        };
        let ts = &mut self.events[pos].1;
        ts.max = ts.max.max(latency);
        ts.sum = ts.sum.wrapping_add(latency);
        ts.cnt = ts.cnt.wrapping_add(1);
        let prev = (ts.idx + TS_LEN - 1) % TS_LEN;
        if ts.samples[prev].time == now {
            ts.samples[prev].latency = ts.samples[prev].latency.max(latency);
            return;
        }
        ts.samples[ts.idx] = Sample { time: now, latency };
        ts.idx = (ts.idx + 1) % TS_LEN;
    }

    /// Drop the data of events named `event` (case-insensitive), or of all
    /// events; returns how many were dropped.
    pub fn reset(&mut self, event: Option<&[u8]>) -> usize {
        let before = self.events.len();
        self.events
            .retain(|(n, _)| event.is_some_and(|e| !n.as_bytes().eq_ignore_ascii_case(e)));
        before - self.events.len()
    }
}

/// `analyzeLatencyForEvent`: statistics over the samples in memory.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct EventStats {
    pub avg: u32,
    pub min: u32,
    pub max: u32,
    pub mad: u32,
    pub samples: u32,
    /// Seconds from the oldest sample to now (at least 1).
    pub period: i64,
}

pub fn analyze(ts: &TimeSeries, now: i64) -> EventStats {
    let mut st = EventStats::default();
    let mut sum: u64 = 0;
    let mut oldest = 0i64;
    for s in ts.samples.iter().filter(|s| s.time != 0) {
        st.samples += 1;
        if st.samples == 1 {
            st.min = s.latency;
            st.max = s.latency;
        } else {
            st.min = st.min.min(s.latency);
            st.max = st.max.max(s.latency);
        }
        sum += s.latency as u64;
        if oldest == 0 || s.time < oldest {
            oldest = s.time;
        }
    }
    if st.samples == 0 {
        return st;
    }
    st.avg = (sum / st.samples as u64) as u32;
    st.period = now - oldest;
    if st.period == 0 {
        st.period = 1;
    }
    let mut dev: u64 = 0;
    for s in ts.samples.iter().filter(|s| s.time != 0) {
        dev += (st.avg as i64 - s.latency as i64).unsigned_abs();
    }
    st.mad = (dev / st.samples as u64) as u32;
    st
}

// ------------------------------------------------------------ sparkline

const GRAPH_COLS: usize = 80;
const GRAPH_ROWS: usize = 4;

/// `LATENCY GRAPH`: a header and an ASCII sparkline of the samples, labels
/// giving how long ago each sample was taken.
pub fn graph(event: &str, ts: &TimeSeries, now: i64) -> String {
    let mut values: Vec<f64> = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let (mut min, mut max) = (0u32, 0u32);
    for s in ts.history() {
        if values.is_empty() {
            min = s.latency;
            max = s.latency;
        } else {
            min = min.min(s.latency);
            max = max.max(s.latency);
        }
        let elapsed = now - s.time;
        let label = if elapsed < 60 {
            format!("{elapsed}s")
        } else if elapsed < 3600 {
            format!("{}m", elapsed / 60)
        } else if elapsed < 3600 * 24 {
            format!("{}h", elapsed / 3600)
        } else {
            format!("{}d", elapsed / (3600 * 24))
        };
        values.push(s.latency as f64);
        labels.push(label);
    }
    let mut out = format!(
        "{event} - high {max} ms, low {min} ms (all time high {} ms)\n",
        ts.max
    );
    out.push_str(&"-".repeat(GRAPH_COLS));
    out.push('\n');
    render_sparkline(&mut out, &values, &labels, GRAPH_COLS, GRAPH_ROWS);
    out
}

/// Valkey's filled sparkline renderer (`sparklineRender` with
/// `SPARKLINE_FILL`), `columns` samples per block.
fn render_sparkline(
    out: &mut String,
    values: &[f64],
    labels: &[String],
    columns: usize,
    rows: usize,
) {
    const CHARS: &[u8] = b"_o#";
    let (mut min, mut max) = (0.0f64, 0.0f64);
    for (i, &v) in values.iter().enumerate() {
        if i == 0 {
            min = v;
            max = v;
        } else if v < min {
            min = v;
        } else if v > max {
            max = v;
        }
    }
    let has_labels = labels.iter().any(|l| !l.is_empty());
    let mut relmax = max - min;
    if relmax == 0.0 {
        relmax = 1.0;
    }
    let steps = (CHARS.len() * rows) as i64;
    let mut start = 0;
    while start < values.len() {
        let len = (values.len() - start).min(columns);
        if start != 0 {
            out.push('\n');
        }
        let mut row = 0usize;
        loop {
            let mut more = false;
            let mut line = vec![b' '; len];
            for (j, cell) in line.iter_mut().enumerate() {
                let v = values[start + j];
                let relval = v - min;
                let step = (((relval * steps as f64) as i64) as f64 / relmax) as i64;
                let step = step.clamp(0, steps - 1);
                if row < rows {
                    more = true;
                    let idx = step - ((rows - row - 1) * CHARS.len()) as i64;
                    if (0..CHARS.len() as i64).contains(&idx) {
                        *cell = CHARS[idx as usize];
                    } else if idx >= CHARS.len() as i64 {
                        *cell = b'|';
                    }
                } else {
                    if has_labels && row - rows < 1 {
                        more = true;
                        break;
                    }
                    let label = labels[start + j].as_bytes();
                    let k = row - rows - 1;
                    if label.len() > k {
                        more = true;
                        *cell = label[k];
                    }
                }
            }
            if !more {
                break;
            }
            row += 1;
            out.push_str(&String::from_utf8_lossy(&line));
            out.push('\n');
        }
        start += len;
    }
}

// --------------------------------------------------------------- doctor

/// What `LATENCY DOCTOR` needs to know besides the events.
pub struct DoctorContext {
    pub monitor_threshold_ms: i64,
    pub slowlog_threshold_us: i64,
    pub slowlog_max_len: u64,
    pub hz: u64,
    pub fsync_always: bool,
    pub fork_rate_gb_per_sec: f64,
    pub anon_huge_pages: u64,
    pub now: i64,
}

/// `LATENCY DOCTOR`'s human-readable report (Valkey's wording).
pub fn doctor_report(mon: &LatencyMonitor, cx: &DoctorContext) -> String {
    if mon.is_empty() && cx.monitor_threshold_ms == 0 {
        return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Valkey instance. You may \
                use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it.\n"
            .to_string();
    }
    #[derive(Default)]
    struct Advice {
        better_vm: bool,
        slowlog_enabled: bool,
        slowlog_tuning: bool,
        slowlog_inspect: bool,
        disk_contention: bool,
        scheduler: bool,
        data_writeback: bool,
        no_appendfsync: bool,
        local_disk: bool,
        ssd: bool,
        write_load_info: bool,
        hz: bool,
        large_objects: bool,
        mass_eviction: bool,
        relax_fsync_policy: bool,
        disable_thp: bool,
    }
    let mut a = Advice::default();
    let mut advices = 0;
    let mut report = String::new();
    for (num, (event, ts)) in mon.events().iter().enumerate() {
        let eventnum = num + 1;
        if eventnum == 1 {
            report.push_str("Latency spikes are observed in this Valkey instance.\n\n");
        }
        let ls = analyze(ts, cx.now);
        let _ = write!(
            report,
            "{eventnum}. {event}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.",
            ls.samples,
            ls.avg,
            ls.mad,
            ls.period as f64 / ls.samples.max(1) as f64,
            ts.max
        );
        let ev = event.to_ascii_lowercase();
        if ev == "fork" {
            let rate = cx.fork_rate_gb_per_sec;
            let quality = if rate < 10.0 {
                a.better_vm = true;
                advices += 1;
                "terrible"
            } else if rate < 25.0 {
                a.better_vm = true;
                advices += 1;
                "poor"
            } else if rate < 100.0 {
                "good"
            } else {
                "excellent"
            };
            let _ = write!(report, " Fork rate is {rate:.2} GB/sec ({quality}).");
        }
        match ev.as_str() {
            "command" => {
                if cx.slowlog_threshold_us < 0 || cx.slowlog_max_len == 0 {
                    a.slowlog_enabled = true;
                    advices += 1;
                } else if cx.slowlog_threshold_us / 1000 > cx.monitor_threshold_ms {
                    a.slowlog_tuning = true;
                    advices += 1;
                }
                a.slowlog_inspect = true;
                a.large_objects = true;
                advices += 2;
            }
            "fast-command" => {
                a.scheduler = true;
                advices += 1;
            }
            "aof-write-pending-fsync" => {
                a.local_disk = true;
                a.disk_contention = true;
                a.ssd = true;
                a.data_writeback = true;
                advices += 4;
            }
            "aof-write-active-child" => {
                a.no_appendfsync = true;
                a.data_writeback = true;
                a.ssd = true;
                advices += 3;
            }
            "aof-write-alone" => {
                a.local_disk = true;
                a.data_writeback = true;
                a.ssd = true;
                advices += 3;
            }
            "aof-fsync-always" => {
                a.relax_fsync_policy = true;
                advices += 1;
            }
            "aof-fstat" | "rdb-unlink-temp-file" => {
                a.disk_contention = true;
                a.local_disk = true;
                advices += 2;
            }
            "aof-rewrite-diff-write" | "aof-rename" => {
                a.write_load_info = true;
                a.data_writeback = true;
                a.ssd = true;
                a.local_disk = true;
                advices += 4;
            }
            "expire-cycle" => {
                a.hz = true;
                a.large_objects = true;
                advices += 2;
            }
            "eviction-del" => {
                a.large_objects = true;
                advices += 1;
            }
            "eviction-cycle" => {
                a.mass_eviction = true;
                advices += 1;
            }
            _ => {}
        }
        report.push('\n');
    }
    if cx.anon_huge_pages > 0 {
        a.disable_thp = true;
        advices += 1;
    }
    let eventnum = mon.events().len();
    if eventnum == 0 && advices == 0 {
        report.push_str(
            "No latency spike was observed during the lifetime of this Valkey instance, not in the slightest bit.\n",
        );
        return report;
    }
    if eventnum > 0 && advices == 0 {
        report.push_str(
            "\nThere are latency events logged that are not easy to fix. Please get some help from Valkey community, providing this report in your help request.\n",
        );
        return report;
    }
    report.push_str("\nHere is some advice for you:\n\n");
    if a.better_vm {
        report.push_str("- If you are using a virtual machine, consider upgrading it with a faster one using a hypervisior that provides less latency during fork() calls. Xen is known to have poor fork() performance. Even in the context of the same VM provider, certain kinds of instances can execute fork faster than others.\n");
    }
    if a.slowlog_enabled {
        let _ = writeln!(report, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Valkey feature using the command 'CONFIG SET slowlog-log-slower-than {}'. If the Slow log is disabled Valkey is not able to log slow commands execution for you.", cx.monitor_threshold_ms * 1000);
    }
    if a.slowlog_tuning {
        let _ = writeln!(report, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {}'.", cx.monitor_threshold_ms * 1000);
    }
    if a.slowlog_inspect {
        report.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://valkey.io/commands/slowlog for more information.\n");
    }
    if a.scheduler {
        report.push_str("- The system is slow to execute Valkey code paths not containing system calls. This usually means the system does not provide Valkey CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Valkey if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'valkey-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Valkey with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n");
    }
    if a.local_disk {
        report.push_str("- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n");
    }
    if a.ssd {
        report.push_str("- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage). With extremely high write load SSD disks can be a good option. However Valkey should perform reasonably with high load using normal disks. Use this advice as a last resort.\n");
    }
    if a.data_writeback {
        report.push_str("- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Valkey restarts.\n");
    }
    if a.disk_contention {
        report.push_str("- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Valkey instances).\n");
    }
    if a.no_appendfsync {
        report.push_str("- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n");
    }
    if a.relax_fsync_policy && cx.fsync_always {
        report.push_str("- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n");
    }
    if a.write_load_info {
        report.push_str("- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n");
    }
    if a.hz && cx.hz < 100 {
        report.push_str("- In order to make the Valkey keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n");
    }
    if a.large_objects {
        report.push_str("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n");
    }
    if a.mass_eviction {
        report.push_str("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Valkey Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n");
    }
    if a.disable_thp {
        report.push_str("- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Valkey is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Valkey process to get rid of the huge pages already created.\n");
    }
    report
}

/// Sum of `AnonHugePages` over the process's mappings, in bytes.
pub fn anon_huge_pages_bytes() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/self/smaps") else {
        return 0;
    };
    text.lines()
        .filter_map(|l| l.strip_prefix("AnonHugePages:"))
        .filter_map(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .sum::<u64>()
        * 1024
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_hdr_buckets() {
        // Valkey's characteristic values: 1 µs reads as 1.003, 3 µs as
        // 3.007, 0 µs is clamped to 1 ns.
        assert_eq!(slot_range(slot_of(0)), (1, 1));
        assert_eq!(slot_range(slot_of(1)), (1000, 1003));
        assert_eq!(slot_range(slot_of(3)), (2992, 3007));
        // Every slot's range contains the values mapped to it, slots are
        // increasing and disjoint.
        let mut last_high = 0;
        for s in 0..HIST_SLOTS {
            let (lo, hi) = slot_range(s);
            assert!(lo > last_high || s == 0, "slot {s}");
            assert!(hi >= lo);
            last_high = hi;
        }
        for us in [
            0u64, 1, 2, 130, 131, 132, 133, 500, 1000, 12345, 999_999, 1_000_000, 5_000_000,
        ] {
            let ns = (us * 1000).clamp(1, MAX_NS);
            let (lo, hi) = slot_range(slot_of(us));
            assert!(lo <= ns && ns <= hi, "{us} µs -> [{lo}, {hi}]");
            // Same bucket as HDR: the range is one HDR sub-bucket.
            assert_eq!(hi - lo + 1, resolution(lo));
        }
        assert_eq!(slot_of(u64::MAX), slot_of(1_000_000));
        assert!(slot_of(1_000_000) < HIST_SLOTS);
    }

    #[test]
    fn percentiles_like_valkey() {
        let mut h = Histogram::new();
        for _ in 0..98 {
            h.record(1);
        }
        h.record(2);
        h.record(3);
        assert_eq!(h.value_at_percentile(50.0), 1003);
        assert_eq!(h.value_at_percentile(99.0), 2007);
        assert_eq!(h.value_at_percentile(99.9), 3007);
        assert_eq!(h.value_at_percentile(100.0), 3007);
        assert_eq!(h.value_at_percentile(0.0), 1000);
    }

    #[test]
    fn cdf_points_like_valkey() {
        let mut h = Histogram::new();
        for _ in 0..5 {
            h.record(0);
        }
        h.record(10);
        h.record(30);
        h.record(40);
        // 1024 ns -> 1 µs, 16384 -> 16, 32768 -> 33, 65536 -> 66.
        assert_eq!(h.cdf(), vec![(1, 5), (16, 6), (33, 7), (66, 8)]);
        let mut big = Histogram::new();
        big.record(900_000);
        assert_eq!(big.cdf(), vec![(1_073_741, 1)]);
        assert!(Histogram::new().cdf().is_empty());
    }

    #[test]
    fn time_series_keeps_one_sample_per_second() {
        let mut m = LatencyMonitor::default();
        m.add_sample("command", 5, 100);
        m.add_sample("command", 3, 100);
        m.add_sample("command", 7, 100);
        m.add_sample("command", 2, 101);
        let (_, ts) = m.get(b"command").unwrap();
        let h: Vec<(i64, u32)> = ts.history().map(|s| (s.time, s.latency)).collect();
        assert_eq!(h, vec![(100, 7), (101, 2)]);
        assert_eq!((ts.max, ts.sum, ts.cnt), (7, 17, 4));
        assert_eq!(
            ts.last(),
            Sample {
                time: 101,
                latency: 2
            }
        );
        for t in 0..200 {
            m.add_sample("command", 1, 1000 + t);
        }
        let (_, ts) = m.get(b"command").unwrap();
        assert_eq!(ts.history().count(), TS_LEN);
        assert_eq!(ts.history().next().unwrap().time, 1040);
        assert!(m.get(b"COMMAND").is_none());
        m.add_sample("fast-command", 1, 1);
        assert_eq!(m.reset(Some(b"COMMAND")), 1);
        assert_eq!(m.reset(None), 1);
        assert!(m.is_empty());
    }

    #[test]
    fn analysis() {
        let mut m = LatencyMonitor::default();
        m.add_sample("e", 10, 100);
        m.add_sample("e", 20, 101);
        let st = analyze(m.get(b"e").unwrap().1, 110);
        assert_eq!(
            st,
            EventStats {
                avg: 15,
                min: 10,
                max: 20,
                mad: 5,
                samples: 2,
                period: 10
            }
        );
    }

    #[test]
    fn sparkline_shape() {
        let mut m = LatencyMonitor::default();
        m.add_sample("command", 10, 100);
        m.add_sample("command", 20, 101);
        m.add_sample("command", 40, 102);
        let (name, ts) = m.get(b"command").unwrap();
        let g = graph(name, ts, 102);
        let expected = "command - high 40 ms, low 10 ms (all time high 40 ms)\n".to_string()
            + &"-".repeat(80)
            + "\n  #\n  |\n o|\n_||\n   \n210\nsss\n";
        assert_eq!(g, expected);
    }
}
