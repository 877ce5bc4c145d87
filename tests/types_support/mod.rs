//! Raw-RESP client for the collection tests: replies are compared as the
//! exact bytes the server wrote, which is what byte-compatibility means.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Raw {
    w: TcpStream,
    r: BufReader<TcpStream>,
}

impl Raw {
    pub fn connect(port: u16) -> Raw {
        let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Raw {
            w: s.try_clone().unwrap(),
            r: BufReader::new(s),
        }
    }

    pub fn send(&mut self, args: &[&str]) {
        let mut v = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            v.extend(format!("${}\r\n", a.len()).bytes());
            v.extend_from_slice(a.as_bytes());
            v.extend_from_slice(b"\r\n");
        }
        self.w.write_all(&v).unwrap();
    }

    /// Read one complete reply, returned as (lossy) text.
    pub fn read(&mut self) -> String {
        let mut out = Vec::new();
        self.read_into(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    fn read_into(&mut self, out: &mut Vec<u8>) {
        let mut line = Vec::new();
        self.r.read_until(b'\n', &mut line).unwrap();
        assert!(!line.is_empty(), "connection closed");
        out.extend_from_slice(&line);
        let n: i64 = std::str::from_utf8(&line[1..line.len().saturating_sub(2)])
            .unwrap_or("0")
            .parse()
            .unwrap_or(0);
        match line[0] {
            b'$' | b'=' if n >= 0 => {
                let mut buf = vec![0u8; n as usize + 2];
                self.r.read_exact(&mut buf).unwrap();
                out.extend_from_slice(&buf);
            }
            b'*' | b'~' | b'>' if n > 0 => {
                for _ in 0..n {
                    self.read_into(out);
                }
            }
            b'%' if n > 0 => {
                for _ in 0..2 * n {
                    self.read_into(out);
                }
            }
            _ => {}
        }
    }

    /// Send a command and return its raw reply.
    pub fn q(&mut self, args: &[&str]) -> String {
        self.send(args);
        self.read()
    }

    /// OBJECT ENCODING of a key, or None while OBJECT is not available.
    pub fn encoding(&mut self, key: &str) -> Option<String> {
        let r = self.q(&["OBJECT", "ENCODING", key]);
        if r.starts_with("-ERR unknown command") {
            return None;
        }
        Some(
            r.trim_start_matches('$')
                .split("\r\n")
                .nth(1)
                .unwrap_or("")
                .to_string(),
        )
    }

    /// Assert the encoding when OBJECT ENCODING exists.
    pub fn assert_encoding(&mut self, key: &str, want: &str) {
        if let Some(e) = self.encoding(key) {
            assert_eq!(e, want, "encoding of {key}");
        }
    }
}

/// `:n\r\n`
pub fn int(n: i64) -> String {
    format!(":{n}\r\n")
}

/// A bulk string.
pub fn bulk(s: &str) -> String {
    format!("${}\r\n{}\r\n", s.len(), s)
}

/// An array of bulk strings.
pub fn bulks(items: &[&str]) -> String {
    let mut out = format!("*{}\r\n", items.len());
    for i in items {
        out.push_str(&bulk(i));
    }
    out
}

pub const NIL: &str = "$-1\r\n";
pub const NIL_ARRAY: &str = "*-1\r\n";
pub const OK: &str = "+OK\r\n";
pub const EMPTY: &str = "*0\r\n";

pub fn err(text: &str) -> String {
    format!("-{text}\r\n")
}

pub const WRONGTYPE: &str =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
