//! Helpers shared by the string, bitmap and HyperLogLog integration tests:
//! an exact-bytes RESP client for the spawned server, and an in-process
//! server for what the wire cannot show yet (encodings, TTLs, propagation).
#![allow(dead_code)]

use bytes::Bytes;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use valkey::config::Config;
use valkey::server::{Client, Server};

/// Encode a command as a RESP multibulk.
pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        v.extend(format!("${}\r\n", a.len()).bytes());
        v.extend_from_slice(a);
        v.extend_from_slice(b"\r\n");
    }
    v
}

/// Read exactly one RESP reply (any type) from `r`, returning its bytes.
pub fn read_reply(r: &mut impl BufRead) -> Vec<u8> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).unwrap();
    assert!(line.ends_with(b"\r\n"), "truncated reply {line:?}");
    let n = || -> i64 {
        std::str::from_utf8(&line[1..line.len() - 2])
            .unwrap()
            .parse()
            .unwrap()
    };
    let mut out = line.clone();
    match line[0] {
        b'$' | b'=' if n() >= 0 => {
            let mut body = vec![0u8; n() as usize + 2];
            r.read_exact(&mut body).unwrap();
            out.extend(body);
        }
        b'*' | b'~' | b'>' if n() > 0 => {
            for _ in 0..n() {
                out.extend(read_reply(r));
            }
        }
        b'%' if n() > 0 => {
            for _ in 0..2 * n() {
                out.extend(read_reply(r));
            }
        }
        _ => {}
    }
    out
}

/// A raw connection that sends a command and returns the reply bytes.
pub struct Wire {
    w: TcpStream,
    r: BufReader<TcpStream>,
}

impl Wire {
    pub fn new(s: TcpStream) -> Wire {
        // Debug builds are slow with large values.
        s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
            .unwrap();
        Wire {
            w: s.try_clone().unwrap(),
            r: BufReader::new(s),
        }
    }

    pub fn q(&mut self, args: &[&str]) -> String {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        String::from_utf8_lossy(&self.qb(&a)).into_owned()
    }

    pub fn qb(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.w.write_all(&encode(args)).unwrap();
        read_reply(&mut self.r)
    }
}

/// The executor without the network: runs commands and exposes the state
/// they leave behind.
pub struct Local {
    pub srv: Server,
    pub client: Client,
}

impl Local {
    pub fn new() -> Local {
        let config = Config::load(None, &[]).unwrap();
        let mut srv = Server::new(config);
        srv.record_propagation = true;
        let client = Client::new(1, 0, srv.now_ms);
        Local { srv, client }
    }

    pub fn q(&mut self, args: &[&str]) -> String {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        String::from_utf8_lossy(&self.qb(&a)).into_owned()
    }

    pub fn qb(&mut self, args: &[&[u8]]) -> Vec<u8> {
        let argv: Vec<Bytes> = args.iter().map(|a| Bytes::copy_from_slice(a)).collect();
        self.srv.execute(&mut self.client, &argv);
        std::mem::take(&mut self.client.reply.buf)
    }

    /// OBJECT ENCODING of a key.
    pub fn encoding(&self, key: &str) -> Option<&'static str> {
        self.srv.dbs[0]
            .dict
            .get(key.as_bytes())
            .map(|v| v.encoding())
    }

    /// Absolute expiry (ms) of a key.
    pub fn expire(&self, key: &str) -> Option<i64> {
        self.srv.dbs[0].dict.get_expire(key.as_bytes())
    }

    pub fn exists(&self, key: &str) -> bool {
        self.srv.dbs[0].dict.get(key.as_bytes()).is_some()
    }

    pub fn now(&self) -> i64 {
        self.srv.now_ms
    }

    /// Commands propagated since the last call, as space-joined strings.
    pub fn propagated(&mut self) -> Vec<String> {
        self.srv
            .propagated
            .drain(..)
            .map(|(_, argv)| {
                argv.iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }
}
