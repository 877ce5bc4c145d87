//! Raw-socket helpers for the server/client command tests: send one
//! command, read exactly one complete RESP2/RESP3 reply.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Length of the first complete RESP value in `b`, if it is complete.
pub fn reply_len(b: &[u8]) -> Option<usize> {
    let line_end = b.windows(2).position(|w| w == b"\r\n")?;
    let head = std::str::from_utf8(&b[1..line_end]).ok()?;
    let after = line_end + 2;
    match *b.first()? {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(after),
        b'$' | b'=' | b'!' => {
            let n: i64 = head.parse().ok()?;
            if n < 0 {
                return Some(after);
            }
            let end = after + n as usize + 2;
            (b.len() >= end).then_some(end)
        }
        t @ (b'*' | b'%' | b'~' | b'>' | b'|') => {
            let n: i64 = head.parse().ok()?;
            if n < 0 {
                return Some(after);
            }
            let items = if t == b'%' || t == b'|' { n * 2 } else { n };
            let mut pos = after;
            for _ in 0..items {
                pos += reply_len(&b[pos..])?;
            }
            // An attribute is followed by the real reply.
            if t == b'|' {
                pos += reply_len(&b[pos..])?;
            }
            Some(pos)
        }
        _ => None,
    }
}

pub struct Raw {
    pub s: TcpStream,
    buf: Vec<u8>,
}

impl Raw {
    pub fn connect(port: u16) -> Raw {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Raw { s, buf: Vec::new() }
    }

    pub fn send(&mut self, args: &[&str]) {
        let mut v = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            v.extend(format!("${}\r\n{}\r\n", a.len(), a).bytes());
        }
        self.s.write_all(&v).unwrap();
    }

    /// Read one complete reply (panics on timeout / EOF).
    pub fn read(&mut self) -> Vec<u8> {
        let mut tmp = [0u8; 65536];
        loop {
            if let Some(n) = reply_len(&self.buf) {
                return self.buf.drain(..n).collect();
            }
            match self.s.read(&mut tmp) {
                Ok(0) => panic!(
                    "connection closed; got {:?}",
                    String::from_utf8_lossy(&self.buf)
                ),
                Ok(k) => self.buf.extend_from_slice(&tmp[..k]),
                Err(e) => panic!(
                    "read failed: {e}; got {:?}",
                    String::from_utf8_lossy(&self.buf)
                ),
            }
        }
    }

    /// Send a command and read its reply as a (lossy) string.
    pub fn cmd(&mut self, args: &[&str]) -> String {
        self.send(args);
        String::from_utf8_lossy(&self.read()).into_owned()
    }

    /// True if the server closed the connection (EOF) within 5 s.
    pub fn closed(&mut self) -> bool {
        let mut tmp = [0u8; 1024];
        loop {
            match self.s.read(&mut tmp) {
                Ok(0) => return true,
                Ok(k) => self.buf.extend_from_slice(&tmp[..k]),
                Err(e) => return e.kind() == std::io::ErrorKind::ConnectionReset,
            }
        }
    }

    /// Nothing arrives within `ms` milliseconds.
    pub fn silent_for(&mut self, ms: u64) -> bool {
        self.s
            .set_read_timeout(Some(Duration::from_millis(ms)))
            .unwrap();
        let mut tmp = [0u8; 1024];
        let r = match self.s.read(&mut tmp) {
            Ok(0) => false,
            Ok(k) => {
                self.buf.extend_from_slice(&tmp[..k]);
                false
            }
            Err(_) => self.buf.is_empty(),
        };
        self.s
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        r
    }
}

/// Body of a bulk / verbatim reply (strips the `txt:` prefix).
pub fn body(reply: &str) -> String {
    let start = reply.find("\r\n").unwrap() + 2;
    let s = &reply[start..reply.len() - 2];
    if reply.starts_with('=') {
        s[4..].to_string()
    } else {
        s.to_string()
    }
}
