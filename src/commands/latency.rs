//! LATENCY LATEST | HISTORY | RESET | GRAPH | DOCTOR | HISTOGRAM | HELP,
//! and the `latencystats` section of INFO.
//!
//! The data (event time series and per-command histograms) is kept by
//! `server/latency.rs`; this file only formats it as Valkey does.

use super::observe::reply_help;
use crate::protocol::Reply;
use crate::server::latency::{self, Histogram};
use crate::server::{CmdResult, CommandTable, Ctx, Server};
use bytes::Bytes;
use std::fmt::Write as _;

pub fn register(t: &mut CommandTable) {
    t.add("latency|latest", latest);
    t.add("latency|history", history);
    t.add("latency|reset", reset);
    t.add("latency|graph", graph);
    t.add("latency|doctor", doctor);
    t.add("latency|histogram", histogram);
    t.add("latency|help", help);
}

fn now_secs() -> i64 {
    crate::util::time::now_ms() / 1000
}

/// `LATENCY LATEST`: per event its name, latest sample time and latency,
/// all-time max, sum and count.
fn latest(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let Ctx { srv, client, .. } = ctx;
    let r = &mut client.reply;
    let events = srv.latency.events();
    r.array(events.len());
    for (name, ts) in events {
        let last = ts.last();
        r.array(6);
        r.bulk(name.as_bytes());
        r.int(last.time);
        r.int(last.latency as i64);
        r.int(ts.max as i64);
        r.int(ts.sum as i64);
        r.int(ts.cnt as i64);
    }
    Ok(())
}

/// `LATENCY HISTORY event`: `[time, latency]` pairs, oldest first.
fn history(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Ctx { srv, client, .. } = ctx;
    let r = &mut client.reply;
    match srv.latency.get(&argv[2]) {
        None => r.array(0),
        Some((_, ts)) => {
            let samples: Vec<_> = ts.history().collect();
            r.array(samples.len());
            for s in samples {
                r.array(2);
                r.int(s.time);
                r.int(s.latency as i64);
            }
        }
    }
    Ok(())
}

/// `LATENCY RESET [event ...]`: the number of events reset.
fn reset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = if argv.len() == 2 {
        ctx.srv.latency.reset(None)
    } else {
        argv[2..]
            .iter()
            .map(|e| ctx.srv.latency.reset(Some(e)))
            .sum()
    };
    ctx.reply().int(n as i64);
    Ok(())
}

/// `LATENCY GRAPH event`
fn graph(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Some((name, ts)) = ctx.srv.latency.get(&argv[2]) else {
        return Err(format!(
            "ERR No samples available for event '{}'",
            String::from_utf8_lossy(&argv[2])
        )
        .into());
    };
    let text = latency::graph(name, ts, now_secs());
    ctx.reply().verbatim(text.as_bytes(), "txt");
    Ok(())
}

/// `LATENCY DOCTOR`
fn doctor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let c = &ctx.srv.config;
    let cx = latency::DoctorContext {
        monitor_threshold_ms: c.latency_monitor_threshold(),
        slowlog_threshold_us: c.commandlog_execution_slower_than(),
        slowlog_max_len: c.commandlog_slow_execution_max_len(),
        hz: ctx.srv.hz,
        fsync_always: c.appendfsync() == crate::config::AppendFsync::Always,
        fork_rate_gb_per_sec: 0.0,
        anon_huge_pages: latency::anon_huge_pages_bytes(),
        now: now_secs(),
    };
    let text = latency::doctor_report(&ctx.srv.latency, &cx);
    ctx.reply().verbatim(text.as_bytes(), "txt");
    Ok(())
}

/// One command's entry of `LATENCY HISTOGRAM`.
fn reply_cdf(r: &mut Reply, name: &str, h: &Histogram) {
    r.bulk(name.as_bytes());
    r.map(2);
    r.bulk(b"calls");
    r.int(h.total() as i64);
    r.bulk(b"histogram_usec");
    let points = h.cdf();
    r.map(points.len());
    for (us, n) in points {
        r.int(us as i64);
        r.int(n as i64);
    }
}

/// `LATENCY HISTOGRAM [command ...]`: the cumulative latency distribution
/// of the named commands (a container names all its subcommands), or of
/// every command with data.
fn histogram(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let Ctx { srv, client, .. } = ctx;
    let table = &srv.commands;
    let has_data = |id: usize| table.stats[id].latency.is_some();
    let mut chosen: Vec<usize> = Vec::new();
    let mut add_with_subs = |id: usize| {
        if has_data(id) {
            chosen.push(id);
        }
        chosen.extend(
            table
                .subcommands_of(id)
                .iter()
                .map(|sub| sub.id)
                .filter(|&s| has_data(s)),
        );
    };
    if argv.len() == 2 {
        for c in table.top_level() {
            add_with_subs(c.id);
        }
    } else {
        for name in &argv[2..] {
            let found = std::str::from_utf8(name)
                .ok()
                .and_then(|n| table.lookup_fullname(n));
            if let Some(c) = found {
                add_with_subs(c.id);
            }
        }
    }
    let r = &mut client.reply;
    r.map(chosen.len());
    for id in chosen {
        if let Some(h) = &table.stats[id].latency {
            reply_cdf(r, table.fullname(id), h);
        }
    }
    Ok(())
}

const HELP: &[&str] = &[
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
    "    If no commands are specified then all histograms are replied.",
];

/// `LATENCY HELP`
fn help(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    reply_help(ctx.reply(), argv, HELP);
    Ok(())
}

/// `%f` then Valkey's `trimDoubleString`: `50`, `99.9`, `99.99`.
fn percentile_name(p: f64) -> String {
    let s = format!("{p:.6}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The `latencystats` section of INFO: the configured percentiles of every
/// command with a histogram, in µs.
pub fn info_latencystats(s: &mut String, srv: &Server) {
    s.push_str("# Latencystats\r\n");
    if !srv.config.latency_tracking() {
        return;
    }
    let percentiles = srv.config.latency_tracking_info_percentiles();
    let table = &srv.commands;
    let mut emit = |id: usize| {
        let Some(h) = &table.stats[id].latency else {
            return;
        };
        let _ = write!(s, "latency_percentiles_usec_{}:", table.fullname(id));
        for (j, &p) in percentiles.iter().enumerate() {
            if j > 0 {
                s.push(',');
            }
            let v = h.value_at_percentile(p) as f64 / 1000.0;
            let _ = write!(s, "p{}={:.3}", percentile_name(p), v);
        }
        s.push_str("\r\n");
    };
    for c in table.top_level() {
        emit(c.id);
        for sub in table.subcommands_of(c.id) {
            emit(sub.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_names() {
        assert_eq!(percentile_name(50.0), "50");
        assert_eq!(percentile_name(99.9), "99.9");
        assert_eq!(percentile_name(99.99), "99.99");
        assert_eq!(percentile_name(100.0), "100");
        assert_eq!(percentile_name(0.0), "0");
    }
}
