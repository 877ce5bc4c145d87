//! The command log (Valkey 8.1+): the latest commands that were slow to
//! execute, had a large request or produced a large reply. `SLOWLOG` is the
//! old interface over the `slow` type.
//!
//! Each type keeps its newest entries first, up to its `*-max-len`; a
//! command is logged when its value (µs, request bytes, reply bytes) reaches
//! the type's threshold (`-1` disables the type). The dispatcher calls
//! [`Server::commandlog_push`] after every command; with the default
//! thresholds that is a few comparisons and no allocation.

use super::{Client, CmdRef, Server};
use bytes::Bytes;
use std::collections::VecDeque;

/// Arguments kept per entry; the last one says how many were left out.
pub const MAX_ARGC: usize = 32;
/// Bytes kept per argument.
pub const MAX_STRING: usize = 128;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogType {
    Slow = 0,
    LargeRequest = 1,
    LargeReply = 2,
}

impl LogType {
    pub fn parse(name: &[u8]) -> Option<LogType> {
        if name.eq_ignore_ascii_case(b"slow") {
            Some(LogType::Slow)
        } else if name.eq_ignore_ascii_case(b"large-request") {
            Some(LogType::LargeRequest)
        } else if name.eq_ignore_ascii_case(b"large-reply") {
            Some(LogType::LargeReply)
        } else {
            None
        }
    }
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub id: u64,
    /// Unix time in seconds.
    pub time: i64,
    /// µs for `slow`, bytes for the large types.
    pub value: u64,
    pub argv: Vec<Bytes>,
    pub peer: String,
    pub name: Bytes,
}

#[derive(Default, Debug)]
struct Log {
    entries: VecDeque<Entry>,
    next_id: u64,
}

#[derive(Default, Debug)]
pub struct CommandLog {
    logs: [Log; 3],
}

impl CommandLog {
    pub fn len(&self, t: LogType) -> usize {
        self.logs[t as usize].entries.len()
    }

    pub fn is_empty(&self, t: LogType) -> bool {
        self.len(t) == 0
    }

    /// Newest first.
    pub fn entries(&self, t: LogType) -> impl Iterator<Item = &Entry> {
        self.logs[t as usize].entries.iter()
    }

    pub fn reset(&mut self, t: LogType) {
        self.logs[t as usize].entries.clear();
    }

    fn trim(&mut self, t: LogType, max_len: usize) {
        self.logs[t as usize].entries.truncate(max_len);
    }

    fn push(&mut self, t: LogType, mut entry: Entry) {
        let log = &mut self.logs[t as usize];
        entry.id = log.next_id;
        log.next_id += 1;
        log.entries.push_front(entry);
    }
}

/// The RESP size of a request (`*N\r\n` then `$len\r\n<arg>\r\n` per
/// argument), what Valkey counts as a command's input bytes.
pub fn request_size(argv: &[Bytes]) -> u64 {
    let digits = |mut n: u64| {
        let mut d = 1;
        while n >= 10 {
            n /= 10;
            d += 1;
        }
        d
    };
    let mut total = 3 + digits(argv.len() as u64);
    for a in argv {
        total += 5 + digits(a.len() as u64) + a.len() as u64;
    }
    total
}

/// The arguments an entry keeps: at most [`MAX_ARGC`] (the last one then
/// says how many more there were), each at most [`MAX_STRING`] bytes, and
/// secrets redacted.
fn entry_argv(argv: &[Bytes], redacted: &dyn Fn(usize) -> bool) -> Vec<Bytes> {
    let argc = argv.len().min(MAX_ARGC);
    (0..argc)
        .map(|j| {
            if argc != argv.len() && j == argc - 1 {
                Bytes::from(format!("... ({} more arguments)", argv.len() - argc + 1))
            } else if redacted(j) {
                Bytes::from_static(super::monitor::REDACTED)
            } else if argv[j].len() > MAX_STRING {
                let mut s = argv[j][..MAX_STRING].to_vec();
                s.extend_from_slice(
                    format!("... ({} more bytes)", argv[j].len() - MAX_STRING).as_bytes(),
                );
                Bytes::from(s)
            } else {
                Bytes::copy_from_slice(&argv[j])
            }
        })
        .collect()
}

impl Server {
    /// Log the command that just ran where one of the three thresholds is
    /// reached. `reply_bytes` is the size of the reply it produced.
    #[inline]
    pub fn commandlog_push(
        &mut self,
        client: &Client,
        cmd: CmdRef,
        argv: &[Bytes],
        duration_us: u64,
        reply_bytes: u64,
    ) {
        let c = &self.config;
        let limits = [
            (
                LogType::Slow,
                c.commandlog_execution_slower_than(),
                c.commandlog_slow_execution_max_len(),
            ),
            (
                LogType::LargeRequest,
                c.commandlog_request_larger_than(),
                c.commandlog_large_request_max_len(),
            ),
            (
                LogType::LargeReply,
                c.commandlog_reply_larger_than(),
                c.commandlog_large_reply_max_len(),
            ),
        ];
        for (t, threshold, max_len) in limits {
            if threshold < 0 || max_len == 0 {
                continue;
            }
            let threshold = threshold as u64;
            let value = match t {
                LogType::Slow => duration_us,
                LogType::LargeReply => reply_bytes,
                LogType::LargeRequest => {
                    // The arguments alone bound the request size from below
                    // and, with at most 25 bytes of framing each, from above.
                    let payload: u64 = argv.iter().map(|a| a.len() as u64).sum();
                    if payload + 25 * argv.len() as u64 + 25 < threshold {
                        0
                    } else {
                        request_size(argv)
                    }
                }
            };
            if value >= threshold {
                self.commandlog_add(t, client, cmd, argv, value);
            }
            let max_len = usize::try_from(max_len).unwrap_or(usize::MAX);
            if self.commandlog.len(t) > max_len {
                self.commandlog.trim(t, max_len);
            }
        }
    }

    #[cold]
    fn commandlog_add(
        &mut self,
        t: LogType,
        client: &Client,
        cmd: CmdRef,
        argv: &[Bytes],
        value: u64,
    ) {
        let redacted = super::monitor::redaction(self.commands.fullname(cmd.id), argv);
        let entry = Entry {
            id: 0,
            time: crate::util::time::now_ms() / 1000,
            value,
            argv: entry_argv(argv, &|j| redacted.contains(j)),
            peer: client.addr.clone(),
            name: client.name.clone().unwrap_or_default(),
        };
        self.commandlog.push(t, entry);
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

    #[test]
    fn request_size_is_the_resp_encoding() {
        // *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n
        assert_eq!(request_size(&args(&["SET", "k", "v"])), 27);
        let big = vec![Bytes::from(vec![b'x'; 12345])];
        assert_eq!(request_size(&big), 4 + 8 + 12345 + 2);
    }

    #[test]
    fn entry_arguments_are_capped() {
        let mut v = vec![Bytes::from_static(b"DEL")];
        for i in 0..40 {
            v.push(Bytes::from(format!("a{i}")));
        }
        let e = entry_argv(&v, &|_| false);
        assert_eq!(e.len(), 32);
        assert_eq!(&e[30][..], b"a29");
        assert_eq!(&e[31][..], b"... (10 more arguments)");
        let long = args(&["SET", "k", &"x".repeat(200)]);
        let e = entry_argv(&long, &|j| j == 1);
        assert_eq!(&e[1][..], b"(redacted)");
        assert_eq!(e[2].len(), 128 + "... (72 more bytes)".len());
        assert!(e[2].ends_with(b"x... (72 more bytes)"));
    }

    #[test]
    fn ids_grow_per_type_and_newest_comes_first() {
        let mut log = CommandLog::default();
        let e = |v| Entry {
            id: 0,
            time: 0,
            value: v,
            argv: vec![],
            peer: String::new(),
            name: Bytes::new(),
        };
        log.push(LogType::Slow, e(1));
        log.push(LogType::Slow, e(2));
        log.push(LogType::LargeReply, e(3));
        let ids: Vec<(u64, u64)> = log
            .entries(LogType::Slow)
            .map(|e| (e.id, e.value))
            .collect();
        assert_eq!(ids, vec![(1, 2), (0, 1)]);
        assert_eq!(log.entries(LogType::LargeReply).next().unwrap().id, 0);
        log.trim(LogType::Slow, 1);
        assert_eq!(log.len(LogType::Slow), 1);
        log.reset(LogType::Slow);
        assert!(log.is_empty(LogType::Slow));
        log.push(LogType::Slow, e(4));
        assert_eq!(log.entries(LogType::Slow).next().unwrap().id, 2);
        assert_eq!(LogType::parse(b"LARGE-reply"), Some(LogType::LargeReply));
        assert_eq!(LogType::parse(b"large"), None);
    }
}
