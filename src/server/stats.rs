//! Server-wide counters reported by INFO and reset by CONFIG RESETSTAT.

use hashbrown::HashMap;

#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub connections_received: u64,
    pub rejected_connections: u64,
    pub commands_processed: u64,
    pub expired_keys: u64,
    pub expired_stale_perc: f64,
    pub expire_cycle_cpu_ms: u64,
    pub evicted_keys: u64,
    /// Clients disconnected by `maxmemory-clients`.
    pub evicted_clients: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub total_error_replies: u64,
    pub unexpected_error_replies: u64,
    pub client_qbuf_limit_disconnections: u64,
    pub client_outbuf_limit_disconnections: u64,
    pub io_reads_processed: u64,
    pub io_writes_processed: u64,
    /// The part of the two above done by I/O threads.
    pub io_threaded_reads_processed: u64,
    pub io_threaded_writes_processed: u64,
    /// Highest allocator usage seen (INFO memory `used_memory_peak`).
    pub peak_memory: u64,
    /// `errorstat_<CODE>` counters.
    pub errors: HashMap<String, u64>,
    /// Instantaneous metrics: ring of (time ms, commands, net in, net out).
    pub samples: Vec<(i64, u64, u64, u64)>,
}

impl Stats {
    /// Count an error reply by its code (the first word).
    pub fn count_error(&mut self, text: &str) {
        self.total_error_replies += 1;
        let code = text.split(' ').next().unwrap_or("ERR");
        // Valkey caps the number of distinct codes it tracks at 128.
        if self.errors.len() >= 128 && !self.errors.contains_key(code) {
            return;
        }
        *self.errors.entry(code.to_string()).or_insert(0) += 1;
    }

    /// Record a sample for the instantaneous_* metrics.
    pub fn sample(&mut self, now_ms: i64) {
        self.samples.push((
            now_ms,
            self.commands_processed,
            self.net_input_bytes,
            self.net_output_bytes,
        ));
        if self.samples.len() > 16 {
            self.samples.remove(0);
        }
    }

    /// (ops/sec, input kbps, output kbps) over the sample window.
    pub fn instantaneous(&self) -> (u64, f64, f64) {
        let (Some(a), Some(b)) = (self.samples.first(), self.samples.last()) else {
            return (0, 0.0, 0.0);
        };
        let dt = (b.0 - a.0) as f64 / 1000.0;
        if dt <= 0.0 {
            return (0, 0.0, 0.0);
        }
        (
            ((b.1 - a.1) as f64 / dt) as u64,
            (b.2 - a.2) as f64 / dt / 1024.0,
            (b.3 - a.3) as f64 / dt / 1024.0,
        )
    }
}
