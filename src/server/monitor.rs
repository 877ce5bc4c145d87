//! MONITOR clients and the dispatcher's observability hook.
//!
//! [`Server::observe_call`] runs after every command the dispatcher calls:
//! it feeds the latency monitor (`command` / `fast-command` events), the
//! per-command latency histograms, the command log and the MONITOR clients,
//! as Valkey's `call()` does. With no monitor, thresholds not reached and
//! latency tracking on, it costs a few comparisons and one counter
//! increment: nothing is formatted or allocated.
//!
//! A monitor receives one simple-string line per command run by any client
//! (itself included, after the command's own reply):
//! `+1700000000.123456 [0 127.0.0.1:54321] "SET" "k" "v"`, the time taken
//! when the line is made, the client's db after the command, its address
//! (`unix:<socket>` for Unix-socket clients) and each argument quoted like
//! `sdscatrepr`. Admin and `skip_monitor` commands are not shown; secrets
//! in AUTH, HELLO AUTH, MIGRATE AUTH/AUTH2, CONFIG SET of sensitive
//! settings and ACL SETUSER are shown as `(redacted)` (also in the command
//! log). Lines reach other monitors through `Server::pending_writes`, like
//! Pub/Sub messages.

use super::client::{ClientKind, ReplyMode};
use super::spec::flags;
use super::{Client, CmdRef, Server};
use bytes::Bytes;

/// What a redacted argument reads as.
pub const REDACTED: &[u8] = b"(redacted)";

/// The registered monitors as (connection slot, client id).
#[derive(Default, Debug)]
pub struct Monitors {
    list: Vec<(usize, u64)>,
}

impl Monitors {
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }
}

/// Indexes of the arguments to hide (a bit per index below 64; secrets
/// always come early in the argument list).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub struct Redacted(u64);

impl Redacted {
    fn add(&mut self, i: usize) {
        if i < 64 {
            self.0 |= 1 << i;
        }
    }

    pub fn contains(&self, i: usize) -> bool {
        i < 64 && self.0 & (1 << i) != 0
    }
}

/// Which arguments of `fullname`'s call Valkey redacts, following each
/// command's own parsing (arguments parsed after an error are not).
pub fn redaction(fullname: &str, argv: &[Bytes]) -> Redacted {
    let mut r = Redacted::default();
    let eq = |i: usize, kw: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(kw.as_bytes()))
    };
    match fullname {
        "auth" if argv.len() <= 3 => (1..argv.len()).for_each(|i| r.add(i)),
        "hello" => {
            if let Some(v) = argv.get(1) {
                if !matches!(crate::util::num::parse_i64(v), Some(2..=3)) {
                    return r;
                }
            }
            let mut j = 2;
            while j < argv.len() {
                let more = argv.len() - 1 - j;
                if eq(j, "AUTH") && more >= 2 {
                    r.add(j + 1);
                    r.add(j + 2);
                    j += 3;
                } else if eq(j, "SETNAME") && more >= 1 {
                    j += 2;
                } else {
                    break;
                }
            }
        }
        "migrate" => {
            let mut j = 6;
            while j < argv.len() {
                let more = argv.len() - 1 - j;
                if eq(j, "COPY") || eq(j, "REPLACE") {
                    j += 1;
                } else if eq(j, "AUTH") && more >= 1 {
                    r.add(j + 1);
                    j += 2;
                } else if eq(j, "AUTH2") && more >= 2 {
                    r.add(j + 1);
                    r.add(j + 2);
                    j += 3;
                } else {
                    break;
                }
            }
        }
        "config|set" => {
            for (i, pair) in argv.get(2..).unwrap_or(&[]).chunks(2).enumerate() {
                let sensitive = crate::config::table::lookup(&pair[0]).is_some_and(|(id, _)| {
                    crate::config::TABLE[id as usize].flags & crate::config::SENSITIVE != 0
                });
                if sensitive && pair.len() == 2 {
                    r.add(2 + i * 2 + 1);
                }
            }
        }
        "acl|setuser" => (2..argv.len()).for_each(|i| r.add(i)),
        _ => {}
    }
    r
}

/// Append `s` quoted like Valkey's `sdscatrepr`.
pub fn push_repr(out: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for &c in s {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'"' => out.extend_from_slice(b"\\\""),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(c),
            _ => out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[(c >> 4) as usize],
                HEX[(c & 15) as usize],
            ]),
        }
    }
    out.push(b'"');
}

impl Server {
    /// Everything Valkey's `call()` records after a command ran: latency
    /// events and histograms, the command log, MONITOR. `reply_start` is
    /// where the command's reply began in the client's buffer.
    #[inline]
    pub fn observe_call(
        &mut self,
        client: &mut Client,
        cmd: CmdRef,
        argv: &[Bytes],
        duration_us: u64,
        reply_start: usize,
    ) {
        let threshold_ms = self.config.latency_monitor_threshold();
        if threshold_ms > 0 && duration_us >= threshold_ms as u64 * 1000 {
            let event = if cmd.spec.has(flags::FAST) {
                "fast-command"
            } else {
                "command"
            };
            self.latency_add_sample(event, duration_us / 1000);
        }
        // A command that blocked is accounted for when it is run again.
        if client.blocked.is_none() {
            if self.config.latency_tracking() {
                self.commands.stats[cmd.id]
                    .latency
                    .get_or_insert_with(Default::default)
                    .record(duration_us);
            }
            if !cmd.spec.has(flags::SKIP_COMMANDLOG) {
                let reply_bytes = client.reply.buf.len().saturating_sub(reply_start) as u64;
                self.commandlog_push(client, cmd, argv, duration_us, reply_bytes);
            }
        }
        if !self.monitors.is_empty()
            && !self.blocking.is_reprocessing()
            && !cmd.spec.has(flags::SKIP_MONITOR | flags::ADMIN)
        {
            self.feed_monitors(client, cmd, argv);
        }
    }

    /// Record a latency event of `latency_ms` now (the caller checked the
    /// threshold; see [`Server::latency_add_sample_if_needed`]).
    pub fn latency_add_sample(&mut self, event: &str, latency_ms: u64) {
        let now = crate::util::time::now_ms() / 1000;
        self.latency.add_sample(event, latency_ms, now);
    }

    /// Record `duration_us` for `event` if it reaches
    /// `latency-monitor-threshold` (for subsystems timing their own work:
    /// `expire-cycle`, `eviction-cycle`, `fork`, ...).
    pub fn latency_add_sample_if_needed(&mut self, event: &str, duration_us: u64) {
        let threshold_ms = self.config.latency_monitor_threshold();
        if threshold_ms > 0 && duration_us >= threshold_ms as u64 * 1000 {
            self.latency_add_sample(event, duration_us / 1000);
        }
    }

    /// Make `client` a monitor. False if it already is one (or is a
    /// replica): Valkey then ignores the command without a reply.
    pub fn add_monitor(&mut self, client: &mut Client) -> bool {
        if client.monitor || client.kind == ClientKind::Replica {
            return false;
        }
        client.monitor = true;
        self.monitors.list.push((client.slot, client.id));
        true
    }

    /// Stop feeding `client` (RESET, disconnect).
    pub fn monitor_forget(&mut self, client: &mut Client) {
        if client.monitor {
            client.monitor = false;
            self.monitors.list.retain(|&(_, id)| id != client.id);
        }
    }

    #[cold]
    fn feed_monitors(&mut self, current: &mut Client, cmd: CmdRef, argv: &[Bytes]) {
        let line = self.monitor_line(current, cmd, argv);
        let Server {
            monitors,
            clients,
            pending_writes,
            ..
        } = self;
        for &(slot, id) in &monitors.list {
            if id == current.id {
                current.reply.raw(&line);
                continue;
            }
            let Some(c) = clients.get_mut(slot).and_then(|c| c.as_deref_mut()) else {
                continue;
            };
            if c.id != id || c.close_asap || c.reply_mode == ReplyMode::Off {
                continue;
            }
            if c.reply.buf.is_empty() {
                pending_writes.push(slot);
            }
            c.reply.raw(&line);
        }
    }

    /// `+<sec>.<usec> [<db> <addr>] "arg" ...\r\n`
    fn monitor_line(&self, client: &Client, cmd: CmdRef, argv: &[Bytes]) -> Vec<u8> {
        use std::io::Write as _;
        let now = crate::util::time::now_us();
        let mut out = Vec::with_capacity(64 + argv.iter().map(|a| a.len() + 3).sum::<usize>());
        let _ = write!(
            out,
            "+{}.{:06} [{} ",
            now / 1_000_000,
            now % 1_000_000,
            client.db
        );
        if client.unix {
            let _ = write!(out, "unix:{}] ", self.config.unixsocket().unwrap_or(""));
        } else {
            let _ = write!(out, "{}] ", client.addr);
        }
        let redacted = redaction(self.commands.fullname(cmd.id), argv);
        for (j, a) in argv.iter().enumerate() {
            if j > 0 {
                out.push(b' ');
            }
            if redacted.contains(j) {
                push_repr(&mut out, REDACTED);
            } else {
                push_repr(&mut out, a);
            }
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<Bytes> {
        v.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    fn hidden(name: &str, v: &[&str]) -> Vec<usize> {
        let r = redaction(name, &args(v));
        (0..v.len()).filter(|&i| r.contains(i)).collect()
    }

    fn server() -> Server {
        Server::new(crate::config::Config::load(None, &[]).unwrap())
    }

    fn connect(srv: &mut Server, slot: usize) {
        if srv.clients.len() <= slot {
            srv.clients.resize_with(slot + 1, || None);
        }
        let mut c = Client::new(slot as u64 + 100, slot, 0);
        c.addr = format!("127.0.0.1:{}", 5000 + slot);
        srv.clients[slot] = Some(Box::new(c));
    }

    fn run(srv: &mut Server, slot: usize, a: &[&str]) -> String {
        let mut c = srv.clients[slot].take().unwrap();
        srv.execute(&mut c, &args(a));
        let out = String::from_utf8_lossy(&std::mem::take(&mut c.reply.buf)).into_owned();
        srv.clients[slot] = Some(c);
        out
    }

    /// The line without its timestamp.
    fn strip_time(line: &str) -> &str {
        line.split_once(' ').map_or("", |(_, rest)| rest)
    }

    #[test]
    fn feed_reaches_other_monitors_through_pending_writes() {
        let mut srv = server();
        for slot in 0..3 {
            connect(&mut srv, slot);
        }
        assert_eq!(run(&mut srv, 0, &["MONITOR"]), "+OK\r\n");
        assert_eq!(run(&mut srv, 1, &["MONITOR"]), "+OK\r\n");
        assert_eq!(srv.monitors.len(), 2);
        srv.pending_writes.clear();
        srv.clients[1].as_mut().unwrap().reply_mode = ReplyMode::Off;
        assert_eq!(run(&mut srv, 2, &["SET", "k", "v"]), "+OK\r\n");
        let out = std::mem::take(&mut srv.clients[0].as_mut().unwrap().reply.buf);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            strip_time(&out),
            "[0 127.0.0.1:5002] \"SET\" \"k\" \"v\"\r\n"
        );
        assert_eq!(srv.pending_writes, vec![0]);
        // CLIENT REPLY OFF silences the feed too.
        assert!(srv.clients[1].as_ref().unwrap().reply.buf.is_empty());
        // Admin commands are not shown; a monitor sees its own commands.
        run(&mut srv, 2, &["CONFIG", "GET", "x"]);
        assert!(srv.clients[0].as_ref().unwrap().reply.buf.is_empty());
        let own = run(&mut srv, 0, &["PING"]);
        let (pong, line) = own.split_at(7);
        assert_eq!(pong, "+PONG\r\n");
        assert_eq!(strip_time(line), "[0 127.0.0.1:5000] \"PING\"\r\n");
        // A disconnect unregisters.
        let mut gone = srv.clients[1].take().unwrap();
        srv.on_client_closed(&mut gone);
        assert_eq!(srv.monitors.len(), 1);
        assert!(!gone.monitor);
    }

    #[test]
    fn repr_escapes_like_sdscatrepr() {
        let mut out = Vec::new();
        push_repr(&mut out, b"a\"\\\n\r\t\x07\x08\x01\xff~ ");
        assert_eq!(out, b"\"a\\\"\\\\\\n\\r\\t\\a\\b\\x01\\xff~ \"".to_vec());
    }

    #[test]
    fn redaction_follows_each_commands_parsing() {
        assert_eq!(hidden("auth", &["AUTH", "pw"]), vec![1]);
        assert_eq!(hidden("auth", &["AUTH", "u", "pw"]), vec![1, 2]);
        assert!(hidden("auth", &["AUTH", "a", "b", "c"]).is_empty());
        assert_eq!(
            hidden("hello", &["HELLO", "3", "SETNAME", "n", "auth", "u", "p"]),
            vec![5, 6]
        );
        assert!(hidden("hello", &["HELLO", "4", "AUTH", "u", "p"]).is_empty());
        assert!(hidden("hello", &["HELLO", "x", "AUTH", "u", "p"]).is_empty());
        assert!(hidden("hello", &["HELLO", "3", "BAD", "AUTH", "u", "p"]).is_empty());
        assert_eq!(
            hidden(
                "migrate",
                &["MIGRATE", "h", "1", "", "0", "5", "COPY", "AUTH2", "u", "p", "KEYS", "k"]
            ),
            vec![8, 9]
        );
        assert_eq!(
            hidden(
                "config|set",
                &[
                    "CONFIG",
                    "SET",
                    "maxmemory",
                    "1",
                    "masterauth",
                    "x",
                    "REQUIREPASS",
                    "y"
                ]
            ),
            vec![5, 7]
        );
        assert_eq!(
            hidden("acl|setuser", &["ACL", "SETUSER", "u", ">p"]),
            vec![2, 3]
        );
        assert!(hidden("set", &["SET", "k", "v"]).is_empty());
    }
}
