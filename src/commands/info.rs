//! INFO: the server's self-report, section by section, in Valkey 9's
//! layout (`# Server`, `# Clients`, ... lines `name:value`, CRLF-separated,
//! a blank line between sections).
//!
//! Monitoring tools and client test suites parse these lines by name, so
//! the field names and their order follow Valkey's genValkeyInfoString.
//! Values come from the executor's state where we have it; subsystems that
//! do not exist yet (persistence, replication, scripting, ...) report the
//! values an idle Valkey with that feature unused reports.

use crate::server::{CmdResult, CommandTable, Ctx, Server};
use bytes::Bytes;
use std::fmt::Write;

pub fn register(t: &mut CommandTable) {
    t.add("info", info);
}

/// Sections in output order, and whether `INFO`/`INFO default` includes them.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

fn info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let wanted = select_sections(&argv[1..]);
    update_peak(ctx.srv);
    let text = gen_info(ctx, &wanted);
    ctx.reply().verbatim(text.as_bytes(), "txt");
    Ok(())
}

/// Which sections the arguments ask for (lower-cased, `default`, `all`,
/// `everything`; unknown names select nothing).
fn select_sections(args: &[Bytes]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let add = |name: &'static str, out: &mut Vec<&'static str>| {
        if !out.contains(&name) {
            out.push(name);
        }
    };
    if args.is_empty() {
        for &(n, d) in SECTIONS {
            if d {
                add(n, &mut out);
            }
        }
        return out;
    }
    for a in args {
        let a = String::from_utf8_lossy(a).to_ascii_lowercase();
        match a.as_str() {
            "all" | "everything" => {
                for &(n, _) in SECTIONS {
                    add(n, &mut out);
                }
            }
            "default" => {
                for &(n, d) in SECTIONS {
                    if d {
                        add(n, &mut out);
                    }
                }
            }
            "module_list" => add("modules", &mut out),
            other => {
                if let Some(&(n, _)) = SECTIONS.iter().find(|(n, _)| *n == other) {
                    add(n, &mut out);
                }
            }
        }
    }
    out
}

/// Build the INFO text for the chosen sections.
pub fn gen_info(ctx: &Ctx, wanted: &[&str]) -> String {
    let mut s = String::with_capacity(4096);
    let mut first = true;
    for &(name, _) in SECTIONS {
        if !wanted.contains(&name) {
            continue;
        }
        if !first {
            s.push_str("\r\n");
        }
        first = false;
        match name {
            "server" => server_section(&mut s, ctx.srv),
            "clients" => clients_section(&mut s, ctx),
            "memory" => memory_section(&mut s, ctx),
            "persistence" => persistence_section(&mut s, ctx.srv),
            "stats" => stats_section(&mut s, ctx.srv),
            "replication" => replication_section(&mut s, ctx.srv),
            "cpu" => cpu_section(&mut s),
            "modules" => s.push_str("# Modules\r\n"),
            "commandstats" => commandstats_section(&mut s, ctx.srv),
            "errorstats" => errorstats_section(&mut s, ctx.srv),
            "latencystats" => super::latency::info_latencystats(&mut s, ctx.srv),
            "cluster" => s.push_str("# Cluster\r\ncluster_enabled:0\r\n"),
            "keyspace" => keyspace_section(&mut s, ctx.srv),
            _ => {}
        }
    }
    s
}

macro_rules! field {
    ($s:expr, $name:expr, $val:expr) => {{
        let _ = write!($s, "{}:{}\r\n", $name, $val);
    }};
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn server_section(s: &mut String, srv: &Server) {
    s.push_str("# Server\r\n");
    field!(s, "redis_version", crate::REDIS_VERSION);
    field!(s, "server_name", "valkey");
    field!(s, "valkey_version", crate::VALKEY_VERSION);
    field!(s, "valkey_release_stage", "ga");
    field!(s, "redis_git_sha1", "00000000");
    field!(s, "redis_git_dirty", 0);
    field!(s, "redis_build_id", build_id());
    field!(s, "server_mode", "standalone");
    let os = format!(
        "{} {} {}",
        read_trim("/proc/sys/kernel/ostype"),
        read_trim("/proc/sys/kernel/osrelease"),
        std::env::consts::ARCH
    );
    field!(s, "os", os);
    field!(s, "arch_bits", 64);
    field!(s, "monotonic_clock", "POSIX clock_gettime");
    field!(s, "multiplexing_api", "epoll");
    field!(s, "gcc_version", "0.0.0");
    field!(s, "process_id", std::process::id());
    field!(s, "process_supervised", "no");
    field!(s, "run_id", srv.run_id);
    field!(s, "tcp_port", srv.tcp_port);
    field!(s, "server_time_usec", srv.now_us);
    let up = srv.uptime_secs();
    field!(s, "uptime_in_seconds", up);
    field!(s, "uptime_in_days", up / 86400);
    field!(s, "hz", srv.hz);
    field!(s, "configured_hz", srv.config.hz());
    field!(s, "clients_hz", srv.hz);
    field!(
        s,
        "lru_clock",
        crate::keyspace::access::lru_clock(srv.now_ms)
    );
    field!(s, "executable", srv.executable);
    let cfg = srv
        .config_file
        .as_deref()
        .filter(|f| *f != "-")
        .map(|f| {
            std::fs::canonicalize(f)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| f.to_string())
        })
        .unwrap_or_default();
    field!(s, "config_file", cfg);
    field!(s, "io_threads_active", srv.io_threads_active as u8);
    field!(s, "availability_zone", "");
    let mut n = 0;
    if srv.tcp_port != 0 {
        let _ = write!(s, "listener{n}:name=tcp");
        for b in srv.config.bind() {
            let _ = write!(s, ",bind={b}");
        }
        let _ = write!(s, ",port={}\r\n", srv.tcp_port);
        n += 1;
    }
    if let Some(path) = srv.config.unixsocket() {
        let _ = write!(s, "listener{n}:name=unix,bind={path}\r\n");
    }
}

/// A stable build id derived from our version.
fn build_id() -> String {
    let h = crate::util::rand::splitmix(
        env!("CARGO_PKG_VERSION")
            .bytes()
            .fold(0u64, |a, b| a.rotate_left(8) ^ b as u64),
    );
    format!("{h:016x}")
}

fn clients_section(s: &mut String, ctx: &Ctx) {
    let srv = &*ctx.srv;
    let all = || srv.other_clients().chain(std::iter::once(&*ctx.client));
    let max_in = all().map(|c| c.qbuf + c.qbuf_free).max().unwrap_or(0);
    let max_out = srv
        .other_clients()
        .map(|c| c.reply.buf.len())
        .max()
        .unwrap_or(0);
    let pubsub = all()
        .filter(|c| c.pubsub_channels + c.pubsub_patterns > 0)
        .count();
    s.push_str("# Clients\r\n");
    field!(s, "connected_clients", srv.connected_clients);
    field!(s, "cluster_connections", 0);
    field!(s, "maxclients", srv.config.maxclients());
    field!(s, "client_recent_max_input_buffer", max_in);
    field!(s, "client_recent_max_output_buffer", max_out);
    field!(s, "blocked_clients", srv.blocking.blocked_clients);
    field!(s, "tracking_clients", srv.tracking.client_count());
    field!(s, "pubsub_clients", pubsub);
    field!(
        s,
        "watching_clients",
        all().filter(|c| !c.watched.is_empty()).count()
    );
    field!(s, "clients_in_timeout_table", srv.blocking.timeouts_count());
    field!(s, "total_watched_keys", srv.watches.keys_count());
    field!(s, "total_blocking_keys", srv.blocking.keys_count());
    field!(s, "total_blocking_keys_on_nokey", 0);
    let (reason, actions, left) = match srv.pause.active(srv.now_ms) {
        Some((end, kind)) => (
            "client_pause",
            match kind {
                crate::server::pause::PauseKind::All => "all",
                crate::server::pause::PauseKind::Write => "write",
            },
            end - srv.now_ms,
        ),
        None => ("none", "none", 0),
    };
    field!(s, "paused_reason", reason);
    field!(s, "paused_actions", actions);
    field!(s, "paused_timeout_milliseconds", left);
}

/// Allocator figures (bytes): allocated, active, resident.
#[derive(Debug, Default, Clone, Copy)]
pub struct AllocStats {
    pub allocated: u64,
    pub active: u64,
    pub resident: u64,
}

/// Current allocator statistics (zeros without jemalloc).
pub fn alloc_stats() -> AllocStats {
    #[cfg(feature = "jemalloc")]
    {
        use tikv_jemalloc_ctl::{epoch, stats};
        let _ = epoch::advance();
        AllocStats {
            allocated: stats::allocated::read().unwrap_or(0) as u64,
            active: stats::active::read().unwrap_or(0) as u64,
            resident: stats::resident::read().unwrap_or(0) as u64,
        }
    }
    #[cfg(not(feature = "jemalloc"))]
    {
        AllocStats::default()
    }
}

/// Bytes in use (`used_memory`): the allocation counter that `maxmemory`
/// is enforced against (`util/alloc.rs`), like Valkey's zmalloc counter;
/// jemalloc's own figure where the counter is not installed.
pub fn allocated_memory() -> u64 {
    crate::util::alloc::used_bytes().unwrap_or_else(|| alloc_stats().allocated)
}

/// Record the allocator's current usage in the peak statistic.
pub fn update_peak(srv: &mut Server) {
    let used = allocated_memory();
    if used > srv.stats.peak_memory {
        srv.stats.peak_memory = used;
    }
}

/// Resident set size from /proc/self/statm.
pub fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(0)
        * 4096
}

fn total_system_memory() -> u64 {
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<u64>().ok())
        .unwrap_or(0)
        * 1024
}

/// Valkey's bytesToHuman: `123B`, `1.21K`, `4.54M`, ...
pub fn bytes_to_human(n: u64) -> String {
    if n < 1024 {
        return format!("{n}B");
    }
    let mut unit = 1024u64;
    for suffix in ["K", "M", "G", "T", "P"] {
        match unit.checked_mul(1024) {
            Some(next) if n >= next => unit = next,
            _ => return format!("{:.2}{}", n as f64 / unit as f64, suffix),
        }
    }
    format!("{n}B")
}

/// The memory figures INFO memory and MEMORY STATS share.
pub struct MemFigures {
    pub used: u64,
    pub peak: u64,
    pub startup: u64,
    pub rss: u64,
    pub alloc: AllocStats,
    pub clients_normal: u64,
    pub overhead: u64,
    pub dataset: u64,
    pub keys: u64,
    pub db_overheads: Vec<(usize, u64, u64)>,
}

impl MemFigures {
    pub fn dataset_perc(&self) -> f64 {
        let net = self.used.saturating_sub(self.startup).max(1);
        self.dataset as f64 * 100.0 / net as f64
    }
    pub fn peak_perc(&self) -> f64 {
        self.used as f64 * 100.0 / self.peak.max(1) as f64
    }
}

/// Measure memory now, updating the recorded peak.
pub fn mem_figures(ctx: &Ctx) -> MemFigures {
    let alloc = alloc_stats();
    let used = allocated_memory();
    let srv = &*ctx.srv;
    let peak = srv.stats.peak_memory.max(used);
    let clients_normal: u64 = srv
        .other_clients()
        .chain(std::iter::once(&*ctx.client))
        .map(|c| (c.qbuf + c.qbuf_free + c.reply.buf.capacity() + c.argv_mem) as u64)
        .sum();
    let mut db_overheads = Vec::new();
    let mut dict_overhead = 0u64;
    let mut keys = 0u64;
    for db in &srv.dbs {
        if db.is_empty() {
            continue;
        }
        let main = db.dict.mem_overhead() as u64;
        let expires = db.expires_len() as u64 * 8;
        dict_overhead += main + expires;
        keys += db.len() as u64;
        db_overheads.push((db.id, main, expires));
    }
    let overhead = srv.startup_memory + clients_normal + dict_overhead;
    MemFigures {
        used,
        peak,
        startup: srv.startup_memory,
        rss: rss_bytes(),
        alloc,
        clients_normal,
        overhead,
        dataset: used.saturating_sub(overhead),
        keys,
        db_overheads,
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn memory_section(s: &mut String, ctx: &Ctx) {
    let m = mem_figures(ctx);
    let srv = &*ctx.srv;
    let sysmem = total_system_memory();
    let maxmem = srv.config.maxmemory();
    s.push_str("# Memory\r\n");
    field!(s, "used_memory", m.used);
    field!(s, "used_memory_human", bytes_to_human(m.used));
    field!(s, "used_memory_rss", m.rss);
    field!(s, "used_memory_rss_human", bytes_to_human(m.rss));
    field!(s, "used_memory_peak", m.peak);
    field!(s, "used_memory_peak_human", bytes_to_human(m.peak));
    field!(s, "used_memory_peak_perc", format!("{:.2}%", m.peak_perc()));
    field!(s, "used_memory_overhead", m.overhead);
    field!(s, "used_memory_startup", m.startup);
    field!(s, "used_memory_dataset", m.dataset);
    field!(
        s,
        "used_memory_dataset_perc",
        format!("{:.2}%", m.dataset_perc())
    );
    field!(s, "allocator_allocated", m.alloc.allocated);
    field!(s, "allocator_active", m.alloc.active);
    field!(s, "allocator_resident", m.alloc.resident);
    field!(s, "allocator_muzzy", 0);
    field!(s, "total_system_memory", sysmem);
    field!(s, "total_system_memory_human", bytes_to_human(sysmem));
    field!(s, "used_memory_lua", 31744);
    field!(s, "used_memory_vm_eval", 31744);
    field!(s, "used_memory_lua_human", bytes_to_human(31744));
    field!(s, "used_memory_scripts_eval", 0);
    field!(s, "number_of_cached_scripts", 0);
    field!(s, "number_of_functions", 0);
    field!(s, "number_of_libraries", 0);
    field!(s, "used_memory_vm_functions", 33792);
    field!(s, "used_memory_vm_total", 65536);
    field!(s, "used_memory_vm_total_human", bytes_to_human(65536));
    field!(s, "used_memory_functions", 0);
    field!(s, "used_memory_scripts", 0);
    field!(s, "used_memory_scripts_human", bytes_to_human(0));
    field!(s, "engines_count", 0);
    field!(s, "engines_total_used_memory", 0);
    field!(s, "engines_total_memory_overhead", 0);
    field!(s, "maxmemory", maxmem);
    field!(s, "maxmemory_human", bytes_to_human(maxmem));
    field!(s, "maxmemory_policy", srv.config.maxmemory_policy().name());
    let a = m.alloc;
    field!(
        s,
        "allocator_frag_ratio",
        format!("{:.2}", ratio(a.active, a.allocated))
    );
    field!(
        s,
        "allocator_frag_bytes",
        a.active.saturating_sub(a.allocated)
    );
    field!(
        s,
        "allocator_rss_ratio",
        format!("{:.2}", ratio(a.resident, a.active))
    );
    field!(
        s,
        "allocator_rss_bytes",
        a.resident.saturating_sub(a.active)
    );
    field!(
        s,
        "rss_overhead_ratio",
        format!("{:.2}", ratio(m.rss, a.resident))
    );
    field!(s, "rss_overhead_bytes", m.rss as i64 - a.resident as i64);
    field!(
        s,
        "mem_fragmentation_ratio",
        format!("{:.2}", ratio(m.rss, m.used))
    );
    field!(s, "mem_fragmentation_bytes", m.rss as i64 - m.used as i64);
    field!(s, "mem_not_counted_for_evict", 0);
    field!(s, "mem_replication_backlog", 0);
    field!(s, "mem_total_replication_buffers", 0);
    field!(s, "mem_replicas_repl_buffer", 0);
    field!(s, "mem_clients_slaves", 0);
    field!(s, "mem_clients_normal", m.clients_normal);
    field!(s, "mem_cluster_links", 0);
    field!(s, "mem_cluster_slot_import", 0);
    field!(s, "mem_cluster_slot_export", 0);
    field!(s, "mem_aof_buffer", 0);
    field!(
        s,
        "mem_allocator",
        if cfg!(feature = "jemalloc") {
            "jemalloc-5.3.0"
        } else {
            "libc"
        }
    );
    field!(s, "mem_overhead_db_hashtable_rehashing", 0);
    field!(s, "active_defrag_running", 0);
    field!(
        s,
        "lazyfree_pending_objects",
        ctx.srv.lazyfree.pending_objects()
    );
    field!(s, "lazyfreed_objects", ctx.srv.lazyfree.freed_objects());
}

fn persistence_section(s: &mut String, srv: &Server) {
    s.push_str("# Persistence\r\n");
    field!(s, "loading", 0);
    field!(s, "async_loading", 0);
    field!(s, "current_cow_peak", 0);
    field!(s, "current_cow_size", 0);
    field!(s, "current_cow_size_age", 0);
    field!(s, "current_fork_perc", "0.00");
    field!(s, "current_save_keys_processed", 0);
    field!(s, "current_save_keys_total", 0);
    field!(s, "rdb_changes_since_last_save", srv.dirty);
    field!(s, "rdb_bgsave_in_progress", srv.rdb.child.is_some() as u8);
    field!(s, "rdb_last_save_time", srv.lastsave);
    field!(
        s,
        "rdb_last_bgsave_status",
        if srv.rdb.last_bgsave_ok { "ok" } else { "err" }
    );
    field!(s, "rdb_last_bgsave_time_sec", srv.rdb.last_bgsave_secs);
    field!(s, "rdb_current_bgsave_time_sec", srv.bgsave_elapsed());
    field!(s, "rdb_saves", srv.rdb.saves);
    field!(s, "rdb_last_cow_size", 0);
    field!(s, "rdb_last_load_keys_expired", srv.rdb.last_load_expired);
    field!(s, "rdb_last_load_keys_loaded", srv.rdb.last_load_keys);
    field!(s, "aof_enabled", srv.config.appendonly() as u8);
    field!(s, "aof_rewrite_in_progress", 0);
    field!(s, "aof_rewrite_scheduled", 0);
    field!(s, "aof_last_rewrite_time_sec", -1);
    field!(s, "aof_current_rewrite_time_sec", -1);
    field!(s, "aof_last_bgrewrite_status", "ok");
    field!(s, "aof_rewrites", 0);
    field!(s, "aof_rewrites_consecutive_failures", 0);
    field!(s, "aof_last_write_status", "ok");
    field!(s, "aof_last_cow_size", 0);
    field!(s, "module_fork_in_progress", 0);
    field!(s, "module_fork_last_cow_size", 0);
    field!(s, "slot_migration_fork_in_progress", 0);
}

fn stats_section(s: &mut String, srv: &Server) {
    let st = &srv.stats;
    let (ops, kin, kout) = st.instantaneous();
    s.push_str("# Stats\r\n");
    field!(s, "total_connections_received", st.connections_received);
    field!(s, "total_commands_processed", st.commands_processed);
    field!(s, "instantaneous_ops_per_sec", ops);
    field!(s, "total_net_input_bytes", st.net_input_bytes);
    field!(s, "total_net_output_bytes", st.net_output_bytes);
    field!(s, "total_net_repl_input_bytes", 0);
    field!(s, "total_net_repl_output_bytes", 0);
    field!(s, "total_net_cluster_slot_import_bytes", 0);
    field!(s, "total_net_cluster_slot_export_bytes", 0);
    field!(s, "instantaneous_input_kbps", format!("{kin:.2}"));
    field!(s, "instantaneous_output_kbps", format!("{kout:.2}"));
    field!(s, "instantaneous_input_repl_kbps", "0.00");
    field!(s, "instantaneous_output_repl_kbps", "0.00");
    field!(s, "rejected_connections", st.rejected_connections);
    field!(s, "sync_full", 0);
    field!(s, "sync_partial_ok", 0);
    field!(s, "sync_partial_err", 0);
    field!(s, "expired_keys", st.expired_keys);
    field!(s, "expired_fields", 0);
    field!(
        s,
        "expired_stale_perc",
        format!("{:.2}", st.expired_stale_perc * 100.0)
    );
    field!(s, "expired_keys_with_volatile_items_stale_perc", "0.00");
    field!(s, "expired_time_cap_reached_count", 0);
    field!(s, "expire_cycle_cpu_milliseconds", st.expire_cycle_cpu_ms);
    field!(s, "evicted_keys", st.evicted_keys);
    field!(s, "evicted_clients", st.evicted_clients);
    field!(s, "evicted_scripts", 0);
    let (total_over, current_over) = srv.evictor.exceeded_ms();
    field!(s, "total_eviction_exceeded_time", total_over);
    field!(s, "current_eviction_exceeded_time", current_over);
    field!(s, "keyspace_hits", st.keyspace_hits);
    field!(s, "keyspace_misses", st.keyspace_misses);
    field!(s, "pubsub_channels", 0);
    field!(s, "pubsub_patterns", 0);
    field!(s, "pubsubshard_channels", 0);
    field!(s, "latest_fork_usec", 0);
    field!(s, "total_forks", 0);
    field!(s, "migrate_cached_sockets", 0);
    field!(s, "slave_expires_tracked_keys", 0);
    field!(s, "active_defrag_hits", 0);
    field!(s, "active_defrag_misses", 0);
    field!(s, "active_defrag_key_hits", 0);
    field!(s, "active_defrag_key_misses", 0);
    field!(s, "total_active_defrag_time", 0);
    field!(s, "current_active_defrag_time", 0);
    field!(s, "tracking_total_keys", srv.tracking.total_keys());
    field!(s, "tracking_total_items", srv.tracking.total_items());
    field!(s, "tracking_total_prefixes", srv.tracking.total_prefixes());
    field!(s, "unexpected_error_replies", st.unexpected_error_replies);
    field!(s, "total_error_replies", st.total_error_replies);
    field!(s, "dump_payload_sanitizations", 0);
    field!(s, "total_reads_processed", st.io_reads_processed);
    field!(s, "total_writes_processed", st.io_writes_processed);
    field!(
        s,
        "io_threaded_reads_processed",
        st.io_threaded_reads_processed
    );
    field!(
        s,
        "io_threaded_writes_processed",
        st.io_threaded_writes_processed
    );
    field!(s, "io_threaded_freed_objects", 0);
    field!(s, "io_threaded_accept_processed", 0);
    field!(s, "io_threaded_poll_processed", 0);
    field!(s, "io_threaded_total_prefetch_batches", 0);
    field!(s, "io_threaded_total_prefetch_entries", 0);
    field!(
        s,
        "client_query_buffer_limit_disconnections",
        st.client_qbuf_limit_disconnections
    );
    field!(
        s,
        "client_output_buffer_limit_disconnections",
        st.client_outbuf_limit_disconnections
    );
    field!(s, "reply_buffer_shrinks", 0);
    field!(s, "reply_buffer_expands", 0);
    field!(s, "eventloop_cycles", srv.cronloops);
    field!(s, "eventloop_duration_sum", 0);
    field!(s, "eventloop_duration_cmd_sum", 0);
    field!(s, "instantaneous_eventloop_cycles_per_sec", 0);
    field!(s, "instantaneous_eventloop_duration_usec", 0);
    field!(s, "acl_access_denied_auth", 0);
    field!(s, "acl_access_denied_cmd", 0);
    field!(s, "acl_access_denied_key", 0);
    field!(s, "acl_access_denied_channel", 0);
    field!(s, "acl_access_denied_db", 0);
    field!(s, "acl_access_denied_tls_cert", 0);
}

fn replication_section(s: &mut String, srv: &Server) {
    s.push_str("# Replication\r\n");
    field!(s, "role", "master");
    field!(s, "connected_slaves", 0);
    field!(s, "replicas_waiting_psync", 0);
    field!(s, "master_failover_state", "no-failover");
    field!(s, "master_replid", srv.replid);
    field!(s, "master_replid2", "0".repeat(40));
    field!(s, "master_repl_offset", 0);
    field!(s, "second_repl_offset", -1);
    field!(s, "repl_backlog_active", 0);
    field!(s, "repl_backlog_size", srv.config.repl_backlog_size());
    field!(s, "repl_backlog_first_byte_offset", 0);
    field!(s, "repl_backlog_histlen", 0);
}

/// CPU times (user, sys, children user, children sys) in clock ticks from
/// a /proc stat file.
fn proc_times(path: &str) -> (u64, u64, u64, u64) {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the `(comm)`; utime is field 14 overall.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let g = |i: usize| f.get(i).copied().unwrap_or(0);
    // rest[0] is field 3 (state); field n is rest[n - 3].
    (g(11), g(12), g(13), g(14))
}

/// `%ld.%06ld` from clock ticks (100 per second on Linux).
fn ticks(t: u64) -> String {
    format!("{}.{:06}", t / 100, (t % 100) * 10_000)
}

fn cpu_section(s: &mut String) {
    let (u, sy, cu, cs) = proc_times("/proc/self/stat");
    let (mu, ms, _, _) = proc_times("/proc/thread-self/stat");
    s.push_str("# CPU\r\n");
    field!(s, "used_cpu_sys", ticks(sy));
    field!(s, "used_cpu_user", ticks(u));
    field!(s, "used_cpu_sys_children", ticks(cs));
    field!(s, "used_cpu_user_children", ticks(cu));
    field!(s, "used_cpu_sys_main_thread", ticks(ms));
    field!(s, "used_cpu_user_main_thread", ticks(mu));
    // Time the executor spent working; without busy-waiting I/O threads
    // that is its CPU time.
    field!(s, "used_active_time_main_thread", ticks(mu + ms));
}

fn commandstats_section(s: &mut String, srv: &Server) {
    s.push_str("# Commandstats\r\n");
    let table = &srv.commands;
    let mut emit = |id: usize| {
        let st = &table.stats[id];
        if st.calls == 0 && st.failed_calls == 0 && st.rejected_calls == 0 {
            return;
        }
        let per = if st.calls == 0 {
            0.0
        } else {
            st.usec as f64 / st.calls as f64
        };
        let _ = write!(
            s,
            "cmdstat_{}:calls={},usec={},usec_per_call={:.2},rejected_calls={},failed_calls={}\r\n",
            table.fullname(id),
            st.calls,
            st.usec,
            per,
            st.rejected_calls,
            st.failed_calls
        );
    };
    for c in table.top_level() {
        emit(c.id);
        for sub in table.subcommands_of(c.id) {
            emit(sub.id);
        }
    }
}

fn errorstats_section(s: &mut String, srv: &Server) {
    s.push_str("# Errorstats\r\n");
    let mut codes: Vec<(&String, &u64)> = srv.stats.errors.iter().collect();
    codes.sort();
    for (code, count) in codes {
        let _ = write!(s, "errorstat_{code}:count={count}\r\n");
    }
}

fn keyspace_section(s: &mut String, srv: &Server) {
    s.push_str("# Keyspace\r\n");
    for db in &srv.dbs {
        let keys = db.len();
        let expires = db.expires_len();
        if keys == 0 && expires == 0 {
            continue;
        }
        let _ = write!(
            s,
            "db{}:keys={},expires={},avg_ttl={},keys_with_volatile_items=0\r\n",
            db.id, keys, expires, db.avg_ttl
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_like_valkey() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(1024), "1.00K");
        assert_eq!(bytes_to_human(4757704), "4.54M");
        assert_eq!(bytes_to_human(33280372736), "30.99G");
        assert_eq!(bytes_to_human(1 << 40), "1.00T");
        assert_eq!(bytes_to_human(1 << 50), "1.00P");
        assert_eq!(bytes_to_human(1 << 60), "1152921504606846976B");
    }

    #[test]
    fn section_selection() {
        let b = |v: &[&str]| {
            v.iter()
                .map(|s| Bytes::from(s.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(select_sections(&b(&["SERVER"])), vec!["server"]);
        assert!(select_sections(&b(&["nosuch"])).is_empty());
        let def = select_sections(&[]);
        assert!(def.contains(&"keyspace") && !def.contains(&"commandstats"));
        assert!(select_sections(&b(&["all"])).contains(&"commandstats"));
        assert_eq!(
            select_sections(&b(&["cpu", "server", "cpu"])),
            vec!["cpu", "server"]
        );
    }

    #[test]
    fn cpu_ticks_format() {
        assert_eq!(ticks(0), "0.000000");
        assert_eq!(ticks(1234), "12.340000");
    }
}
