//! Test harness: start the real `valkey-server` binary on a free port in a
//! scratch directory and talk to it with the `redis` crate or raw sockets.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct TestServer {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

fn log_file(dir: &std::path::Path) -> Stdio {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl TestServer {
    pub fn start() -> TestServer {
        Self::start_with(&[])
    }

    /// Start with extra `--directive value` words.
    pub fn start_with(extra: &[&str]) -> TestServer {
        // Unique per server: tests run in parallel and each removes its
        // directory when done.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("valkey-rs-test-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut reasons = Vec::new();
        for _ in 0..5 {
            // A failed attempt's TestServer removed the directory on drop.
            std::fs::create_dir_all(&dir).unwrap();
            let port = free_port();
            let mut args: Vec<String> = vec![
                "--port".into(),
                port.to_string(),
                "--bind".into(),
                "127.0.0.1".into(),
                "--save".into(),
                "".into(),
                "--appendonly".into(),
                "no".into(),
                "--enable-debug-command".into(),
                "yes".into(),
                "--dir".into(),
                dir.display().to_string(),
            ];
            args.extend(extra.iter().map(|s| s.to_string()));
            let child = Command::new(env!("CARGO_BIN_EXE_valkey-server"))
                .args(&args)
                .current_dir(&dir)
                .stdout(log_file(&dir))
                .stderr(log_file(&dir))
                .spawn();
            // A just-linked binary can briefly fail to exec (ETXTBSY) while
            // another test thread forks: retry instead of failing the test.
            let child = match child {
                Ok(child) => child,
                Err(e) => {
                    reasons.push(format!("spawn failed: {e}"));
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            };
            let mut srv = TestServer {
                child,
                port,
                dir: dir.clone(),
            };
            if srv.wait_ready() {
                return srv;
            }
            reasons.push(format!(
                "port {port}: not ready ({:?})",
                srv.child.try_wait()
            ));
            let _ = srv.child.kill();
        }
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        panic!("server did not start: {reasons:?}; its log:\n{log}");
    }

    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                // Another test's server may hold this port (we picked it
                // free, but someone else bound it first): it must be ours.
                return self.is_our_server(&mut s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn is_our_server(&self, s: &mut TcpStream) -> bool {
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        if s.write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
            .is_err()
        {
            return false;
        }
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let needle = format!("process_id:{}\r\n", self.child.id());
        while let Ok(n) = s.read(&mut chunk) {
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf);
            if text.contains(&needle) {
                return true;
            }
            if text.contains("process_id:") && text.contains("\r\n# ") {
                return false;
            }
        }
        false
    }

    pub fn client(&self) -> redis::Connection {
        let c = redis::Client::open(format!("redis://127.0.0.1:{}/", self.port)).unwrap();
        c.get_connection().unwrap()
    }

    /// A raw TCP connection with a read timeout.
    pub fn raw(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s
    }

    /// Send raw bytes and read until `expect_len` bytes arrived or the
    /// connection closed / timed out.
    pub fn raw_exchange(&self, input: &[u8], expect_len: usize) -> Vec<u8> {
        let mut s = self.raw();
        s.write_all(input).unwrap();
        read_n(&mut s, expect_len)
    }

    /// Is the process still alive?
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Wait for the process to exit (after SHUTDOWN), returning its status.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Read up to `n` bytes (fewer if the peer closes or 5 s pass).
pub fn read_n(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 65536];
    while out.len() < n {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(k) => out.extend_from_slice(&buf[..k]),
        }
    }
    out
}

/// Encode a command as a RESP multibulk.
pub fn resp(args: &[&[u8]]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        v.extend(format!("${}\r\n", a.len()).bytes());
        v.extend_from_slice(a);
        v.extend_from_slice(b"\r\n");
    }
    v
}

/// Run a command through the `redis` crate and return the raw `redis::Value`.
pub fn cmd(con: &mut redis::Connection, args: &[&str]) -> redis::Value {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    match c.query::<redis::Value>(con) {
        Ok(v) => v,
        Err(e) => redis::Value::SimpleString(format!("ERROR: {e}")),
    }
}

/// Run a command and return the error text (`ERR ...`) it produced.
pub fn err_of(con: &mut redis::Connection, args: &[&str]) -> String {
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    match c.query::<redis::Value>(con) {
        Ok(v) => panic!("expected an error from {args:?}, got {v:?}"),
        Err(e) => {
            let code = e.code().unwrap_or("").to_string();
            let detail = e.detail().unwrap_or("").to_string();
            if detail.is_empty() {
                code
            } else {
                format!("{code} {detail}")
            }
        }
    }
}

/// Turn `con` into a Pub/Sub listener on `pattern` (a glob when it contains
/// `*`), reading with a 5-second timeout so a missing message fails the
/// test instead of hanging it.
pub fn listen<'a>(con: &'a mut redis::Connection, pattern: &str) -> redis::PubSub<'a> {
    let mut ps = con.as_pubsub();
    if pattern.contains('*') {
        ps.psubscribe(pattern).unwrap();
    } else {
        ps.subscribe(pattern).unwrap();
    }
    ps.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    ps
}

/// A numeric field of `INFO <section>`.
pub fn info_field(con: &mut redis::Connection, section: &str, field: &str) -> u64 {
    let info: String = redis::cmd("INFO").arg(section).query(con).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in INFO {section}"))
}
