//! MONITOR, SLOWLOG, COMMANDLOG, LATENCY, INFO latencystats and ROLE
//! against the real server. Expected bytes were checked against
//! redis-server 7.0 where it has the command, and against Valkey's source
//! where Valkey differs (COMMANDLOG, 6-field LATENCY LATEST, "Print this
//! help.", the LATENCY DOCTOR wording, max-len 0 keeping entries).

mod common;
use common::*;
use redis::Value;
use std::io::{Read, Write};
use std::time::Duration;

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

/// A raw connection checking exact reply bytes.
struct Conn {
    s: Box<dyn Stream>,
    /// `ip:port` as the server sees this connection.
    addr: String,
    set_timeout: Box<dyn Fn(Duration)>,
}

impl Conn {
    fn new(srv: &TestServer) -> Conn {
        let s = srv.raw();
        let addr = s.local_addr().unwrap().to_string();
        let t = s.try_clone().unwrap();
        Conn {
            s: Box::new(s),
            addr,
            set_timeout: Box::new(move |d| t.set_read_timeout(Some(d)).unwrap()),
        }
    }

    fn send(&mut self, args: &[&str]) {
        let a: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
        self.send_bytes(&a);
    }

    fn send_bytes(&mut self, args: &[&[u8]]) {
        self.s.write_all(&resp(args)).unwrap();
    }

    fn read_exact_n(&mut self, n: usize) -> Vec<u8> {
        let mut out = vec![0u8; n];
        let mut got = 0;
        while got < n {
            match self.s.read(&mut out[got..]) {
                Ok(0) | Err(_) => break,
                Ok(k) => got += k,
            }
        }
        out.truncate(got);
        out
    }

    fn expect(&mut self, expected: &[u8]) {
        let got = self.read_exact_n(expected.len());
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected)
        );
    }

    fn call(&mut self, args: &[&str], expected: &[u8]) {
        self.send(args);
        self.expect(expected);
    }

    /// One `\r\n`-terminated line, without the terminator.
    fn line(&mut self) -> String {
        let mut out = Vec::new();
        while !out.ends_with(b"\r\n") {
            let b = self.read_exact_n(1);
            assert!(!b.is_empty(), "connection closed after {out:?}");
            out.extend(b);
        }
        out.truncate(out.len() - 2);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// A MONITOR line with its timestamp checked and removed.
    fn feed(&mut self) -> String {
        let line = self.line();
        let rest = line.strip_prefix('+').expect("simple string");
        let (ts, rest) = rest.split_once(' ').expect("timestamp");
        let (secs, usecs) = ts.split_once('.').expect("seconds.micros");
        assert!(
            secs.len() >= 10 && secs.bytes().all(|c| c.is_ascii_digit()),
            "{line}"
        );
        assert!(
            usecs.len() == 6 && usecs.bytes().all(|c| c.is_ascii_digit()),
            "{line}"
        );
        rest.to_string()
    }

    fn expect_silence(&mut self) {
        (self.set_timeout)(Duration::from_millis(200));
        let got = self.read_exact_n(1);
        (self.set_timeout)(Duration::from_secs(5));
        assert!(
            got.is_empty(),
            "unexpected data: {:?}",
            String::from_utf8_lossy(&got)
        );
    }
}

fn monitor(srv: &TestServer) -> Conn {
    let mut m = Conn::new(srv);
    m.call(&["MONITOR"], b"+OK\r\n");
    m
}

// ---------------------------------------------------------------- MONITOR

#[test]
fn monitor_shows_commands_in_valkey_format() {
    let srv = TestServer::start();
    let mut m = monitor(&srv);
    let mut c = Conn::new(&srv);
    let a = c.addr.clone();
    c.call(&["SET", "k", "v"], b"+OK\r\n");
    assert_eq!(m.feed(), format!("[0 {a}] \"SET\" \"k\" \"v\""));
    c.send_bytes(&[b"SET", b"a", b"x\"\\\n\r\t\x07\x08\x01\xff y"]);
    c.expect(b"+OK\r\n");
    assert_eq!(
        m.feed(),
        format!(r#"[0 {a}] "SET" "a" "x\"\\\n\r\t\a\b\x01\xff y""#)
    );
    c.call(&["SELECT", "3"], b"+OK\r\n");
    assert_eq!(m.feed(), format!("[3 {a}] \"SELECT\" \"3\""));
    // Rejected commands (unknown, wrong arity) and admin commands are not
    // shown.
    c.call(
        &["NOSUCH"],
        b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
    );
    c.call(
        &["GET"],
        b"-ERR wrong number of arguments for 'get' command\r\n",
    );
    c.send(&["CONFIG", "GET", "nosuch"]);
    c.expect(b"*0\r\n");
    c.call(&["PING"], b"+PONG\r\n");
    assert_eq!(m.feed(), format!("[3 {a}] \"PING\""));
    // An empty argument.
    c.call(&["ECHO", ""], b"$0\r\n\r\n");
    assert_eq!(m.feed(), format!("[3 {a}] \"ECHO\" \"\""));
}

#[test]
fn monitor_redacts_secrets() {
    let srv = TestServer::start();
    let mut m = monitor(&srv);
    let mut c = Conn::new(&srv);
    let a = c.addr.clone();
    c.send(&["AUTH", "pw"]);
    c.line();
    assert_eq!(m.feed(), format!("[0 {a}] \"AUTH\" \"(redacted)\""));
    c.send(&["AUTH", "u", "pw"]);
    c.line();
    assert_eq!(
        m.feed(),
        format!("[0 {a}] \"AUTH\" \"(redacted)\" \"(redacted)\"")
    );
    // Too many arguments: a syntax error before anything is redacted.
    c.call(&["AUTH", "a", "b", "c"], b"-ERR syntax error\r\n");
    assert_eq!(m.feed(), format!("[0 {a}] \"AUTH\" \"a\" \"b\" \"c\""));
    c.send(&["HELLO", "2", "AUTH", "default", "pw", "SETNAME", "x"]);
    assert_eq!(c.line(), "*14");
    while c.line() != "modules" {}
    assert_eq!(c.line(), "*0");
    assert_eq!(
        m.feed(),
        format!("[0 {a}] \"HELLO\" \"2\" \"AUTH\" \"(redacted)\" \"(redacted)\" \"SETNAME\" \"x\"")
    );
    c.call(
        &["HELLO", "9", "AUTH", "u", "p"],
        b"-NOPROTO unsupported protocol version\r\n",
    );
    assert_eq!(
        m.feed(),
        format!("[0 {a}] \"HELLO\" \"9\" \"AUTH\" \"u\" \"p\"")
    );
}

#[test]
fn monitor_shows_transactions_in_execution_order() {
    let srv = TestServer::start();
    let mut m = monitor(&srv);
    let mut c = Conn::new(&srv);
    let a = c.addr.clone();
    c.call(&["MULTI"], b"+OK\r\n");
    c.call(&["SET", "a", "1"], b"+QUEUED\r\n");
    c.call(&["GET", "a"], b"+QUEUED\r\n");
    c.call(&["EXEC"], b"*2\r\n+OK\r\n$1\r\n1\r\n");
    for expected in [
        "\"MULTI\"",
        "\"SET\" \"a\" \"1\"",
        "\"GET\" \"a\"",
        "\"EXEC\"",
    ] {
        assert_eq!(m.feed(), format!("[0 {a}] {expected}"));
    }
    // A transaction aborted at queueing time: MULTI and EXEC only.
    c.call(&["MULTI"], b"+OK\r\n");
    c.call(
        &["NOSUCH"],
        b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
    );
    c.call(
        &["EXEC"],
        b"-EXECABORT Transaction discarded because of previous errors.\r\n",
    );
    assert_eq!(m.feed(), format!("[0 {a}] \"MULTI\""));
    assert_eq!(m.feed(), format!("[0 {a}] \"EXEC\""));
}

#[test]
fn a_monitor_is_a_replica_to_the_keyspace() {
    let srv = TestServer::start();
    let mut c = srv.client();
    let mut m = monitor(&srv);
    let a = m.addr.clone();
    // Its own commands are shown to it after their reply.
    m.call(&["PING"], b"+PONG\r\n");
    assert_eq!(m.feed(), format!("[0 {a}] \"PING\""));
    m.call(
        &["GET", "k"],
        b"-ERR Replica can't interact with the keyspace\r\n",
    );
    m.call(
        &["SET", "k", "v"],
        b"-ERR Replica can't interact with the keyspace\r\n",
    );
    // MONITOR again is ignored without a reply.
    m.send(&["MONITOR"]);
    m.call(&["ECHO", "x"], b"$1\r\nx\r\n");
    assert_eq!(m.feed(), format!("[0 {a}] \"ECHO\" \"x\""));
    // Flag O in CLIENT LIST.
    let Value::BulkString(list) = cmd(&mut c, &["CLIENT", "LIST"]) else {
        panic!()
    };
    let list = String::from_utf8(list).unwrap();
    let line = list
        .lines()
        .find(|l| l.contains(&format!("addr={a} ")))
        .unwrap();
    assert!(line.contains(" flags=O "), "{line}");
    // RESET ends monitoring.
    m.call(&["RESET"], b"+RESET\r\n");
    assert_eq!(cmd(&mut c, &["SET", "k", "v"]), Value::Okay);
    m.expect_silence();
    m.call(&["GET", "k"], b"$1\r\nv\r\n");
}

#[test]
fn monitor_is_refused_inside_exec() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.call(&["MULTI"], b"+OK\r\n");
    c.call(&["MONITOR"], b"+QUEUED\r\n");
    c.call(
        &["EXEC"],
        b"*1\r\n-ERR MONITOR isn't allowed for DENY BLOCKING client\r\n",
    );
    c.call(&["SET", "k", "v"], b"+OK\r\n");
}

#[test]
fn every_monitor_gets_each_line_once_and_closed_monitors_are_dropped() {
    let srv = TestServer::start();
    let mut m1 = monitor(&srv);
    let gone = monitor(&srv);
    let mut m2 = monitor(&srv);
    drop(gone);
    std::thread::sleep(Duration::from_millis(100));
    let mut c = Conn::new(&srv);
    let a = c.addr.clone();
    c.call(&["SET", "x", "1"], b"+OK\r\n");
    let want = format!("[0 {a}] \"SET\" \"x\" \"1\"");
    assert_eq!(m1.feed(), want);
    assert_eq!(m2.feed(), want);
    m1.expect_silence();
    m2.expect_silence();
}

#[test]
fn monitor_shows_unix_socket_clients() {
    let path = std::env::temp_dir().join(format!("valkey-rs-observe-{}.sock", free_port()));
    let p = path.display().to_string();
    let srv = TestServer::start_with(&["--unixsocket", &p]);
    let mut m = monitor(&srv);
    let mut u = std::os::unix::net::UnixStream::connect(&path).unwrap();
    u.write_all(&resp(&[b"PING"])).unwrap();
    let mut buf = [0u8; 7];
    u.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"+PONG\r\n");
    assert_eq!(m.feed(), format!("[0 unix:{p}] \"PING\""));
    let _ = std::fs::remove_file(&path);
}

// ---------------------------------------------------------------- SLOWLOG

fn ints(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        other => panic!("not an int: {other:?}"),
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("not a bulk: {other:?}"),
            })
            .collect(),
        other => panic!("not an array: {other:?}"),
    }
}

/// (id, argv, addr, name) of each entry, checking the time and value are
/// integers.
fn entries(v: Value) -> Vec<(i64, Vec<String>, String, String)> {
    let Value::Array(list) = v else {
        panic!("{v:?}")
    };
    list.into_iter()
        .map(|e| {
            let Value::Array(f) = e else { panic!() };
            assert_eq!(f.len(), 6);
            assert!(ints(&f[1]) > 1_600_000_000);
            assert!(ints(&f[2]) >= 0);
            let text = |v: &Value| match v {
                Value::BulkString(b) => String::from_utf8_lossy(b).into_owned(),
                other => panic!("{other:?}"),
            };
            (ints(&f[0]), strings(&f[3]), text(&f[4]), text(&f[5]))
        })
        .collect()
}

#[test]
fn slowlog_records_every_command_at_threshold_zero() {
    let srv = TestServer::start();
    let mut c = srv.client();
    let mut raw = Conn::new(&srv);
    let a = raw.addr.clone();
    raw.call(
        &["CONFIG", "SET", "slowlog-log-slower-than", "0"],
        b"+OK\r\n",
    );
    raw.call(&["SLOWLOG", "RESET"], b"+OK\r\n");
    raw.call(&["CLIENT", "SETNAME", "me"], b"+OK\r\n");
    let long = "x".repeat(200);
    raw.call(&["SET", "k", &long], b"+OK\r\n");
    let mut del = vec!["DEL".to_string()];
    del.extend((0..40).map(|i| format!("a{i}")));
    let del_args: Vec<&str> = del.iter().map(|s| s.as_str()).collect();
    raw.call(&del_args, b":0\r\n");
    raw.call(
        &[
            "CONFIG",
            "SET",
            "masterauth",
            "secret",
            "maxmemory-samples",
            "5",
        ],
        b"+OK\r\n",
    );
    raw.send(&["SLOWLOG", "GET", "3"]);
    raw.expect(b"*3\r\n");
    drop(raw);
    let got = entries(cmd(&mut c, &["SLOWLOG", "GET", "-1"]));
    let ids: Vec<i64> = got.iter().map(|e| e.0).collect();
    // Newest first; RESET itself is the first entry of the new log.
    // (Ids go on after a reset: CONFIG SET itself took id 0.)
    assert_eq!(ids, vec![6, 5, 4, 3, 2, 1]);
    assert_eq!(got[0].1, ["SLOWLOG", "GET", "3"]);
    assert_eq!(
        got[1].1,
        [
            "CONFIG",
            "SET",
            "masterauth",
            "(redacted)",
            "maxmemory-samples",
            "5"
        ]
    );
    let d = &got[2].1;
    assert_eq!(d.len(), 32);
    assert_eq!(d[0], "DEL");
    assert_eq!(d[30], "a29");
    assert_eq!(d[31], "... (10 more arguments)");
    assert_eq!(
        got[3].1[2],
        format!("{}... (72 more bytes)", "x".repeat(128))
    );
    assert_eq!(got[4].1, ["CLIENT", "SETNAME", "me"]);
    assert_eq!(got[4].2, a);
    assert_eq!(got[4].3, "me");
    assert_eq!(got[5].1, ["SLOWLOG", "RESET"]);
    assert_eq!(got[5].3, "");
    assert_eq!(cmd(&mut c, &["SLOWLOG", "GET", "0"]), Value::Array(vec![]));
    // Default count is 10.
    for _ in 0..12 {
        cmd(&mut c, &["PING"]);
    }
    assert_eq!(entries(cmd(&mut c, &["SLOWLOG", "GET"])).len(), 10);
}

#[test]
fn slowlog_length_limits_and_disabling() {
    let srv = TestServer::start();
    let mut c = srv.client();
    cmd(&mut c, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    for _ in 0..5 {
        cmd(&mut c, &["PING"]);
    }
    assert_eq!(ints(&cmd(&mut c, &["SLOWLOG", "LEN"])), 6);
    cmd(&mut c, &["CONFIG", "SET", "slowlog-max-len", "2"]);
    assert_eq!(ints(&cmd(&mut c, &["SLOWLOG", "LEN"])), 2);
    // A max length of 0 disables logging but keeps what was logged.
    cmd(&mut c, &["CONFIG", "SET", "slowlog-max-len", "0"]);
    cmd(&mut c, &["PING"]);
    assert_eq!(ints(&cmd(&mut c, &["SLOWLOG", "LEN"])), 2);
    cmd(&mut c, &["CONFIG", "SET", "slowlog-max-len", "128"]);
    cmd(&mut c, &["CONFIG", "SET", "slowlog-log-slower-than", "-1"]);
    cmd(&mut c, &["SLOWLOG", "RESET"]);
    cmd(&mut c, &["PING"]);
    assert_eq!(ints(&cmd(&mut c, &["SLOWLOG", "LEN"])), 0);
    // A high threshold logs nothing fast.
    cmd(
        &mut c,
        &["CONFIG", "SET", "slowlog-log-slower-than", "1000000"],
    );
    cmd(&mut c, &["PING"]);
    assert_eq!(ints(&cmd(&mut c, &["SLOWLOG", "LEN"])), 0);
    // DEBUG SLEEP is slow.
    cmd(
        &mut c,
        &["CONFIG", "SET", "slowlog-log-slower-than", "20000"],
    );
    cmd(&mut c, &["DEBUG", "SLEEP", "0.03"]);
    let got = entries(cmd(&mut c, &["SLOWLOG", "GET"]));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, ["DEBUG", "SLEEP", "0.03"]);
    let Value::Array(e) = cmd(&mut c, &["SLOWLOG", "GET"]) else {
        panic!()
    };
    let Value::Array(f) = &e[0] else { panic!() };
    assert!(ints(&f[2]) >= 30_000, "{f:?}");
}

#[test]
fn exec_is_not_logged_but_its_commands_are() {
    let srv = TestServer::start();
    let mut c = srv.client();
    cmd(&mut c, &["CONFIG", "SET", "slowlog-log-slower-than", "0"]);
    cmd(&mut c, &["SLOWLOG", "RESET"]);
    let mut p = redis::pipe();
    p.atomic().cmd("SET").arg("a").arg("1").cmd("INCR").arg("a");
    let _: Value = p.query(&mut c).unwrap();
    let got = entries(cmd(&mut c, &["SLOWLOG", "GET"]));
    let names: Vec<&str> = got.iter().map(|e| e.1[0].as_str()).collect();
    assert_eq!(names, ["INCR", "SET", "MULTI", "SLOWLOG"]);
}

#[test]
fn slowlog_errors_and_help() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    let count_err = b"-ERR count should be greater than or equal to -1\r\n";
    c.call(&["SLOWLOG", "GET", "-2"], count_err);
    c.call(&["SLOWLOG", "GET", "x"], count_err);
    c.call(
        &["SLOWLOG", "GET", "1", "2"],
        b"-ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG HELP.\r\n",
    );
    c.call(
        &["SLOWLOG", "LEN", "x"],
        b"-ERR wrong number of arguments for 'slowlog|len' command\r\n",
    );
    c.call(
        &["SLOWLOG", "FOO"],
        b"-ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.\r\n",
    );
    c.call(
        &["SLOWLOG"],
        b"-ERR wrong number of arguments for 'slowlog' command\r\n",
    );
    c.call(
        &["slowlog", "help"],
        b"*12\r\n+SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
          +GET [<count>]\r\n\
          +    Return top <count> entries from the slowlog (default: 10, -1 mean all).\r\n\
          +    Entries are made of:\r\n\
          +    id, timestamp, time in microseconds, arguments array, client IP and port,\r\n\
          +    client name\r\n\
          +LEN\r\n\
          +    Return the length of the slowlog.\r\n\
          +RESET\r\n\
          +    Reset the slowlog.\r\n\
          +HELP\r\n\
          +    Print this help.\r\n",
    );
}

// ------------------------------------------------------------- COMMANDLOG

#[test]
fn commandlog_large_request_and_reply_sizes() {
    let srv = TestServer::start();
    let mut c = srv.client();
    cmd(
        &mut c,
        &[
            "CONFIG",
            "SET",
            "commandlog-request-larger-than",
            "150",
            "commandlog-reply-larger-than",
            "128",
        ],
    );
    let big = "y".repeat(120);
    cmd(&mut c, &["SET", "big", &big]);
    cmd(&mut c, &["SET", "small", "y"]);
    cmd(&mut c, &["GET", "big"]);
    cmd(&mut c, &["GET", "small"]);
    // *3 $3 SET $3 big $120 ... is 150 bytes; $120 ... is 128 bytes.
    let Value::Array(req) = cmd(&mut c, &["COMMANDLOG", "GET", "-1", "large-request"]) else {
        panic!()
    };
    assert_eq!(req.len(), 1);
    let Value::Array(f) = &req[0] else { panic!() };
    assert_eq!(ints(&f[0]), 0);
    assert_eq!(ints(&f[2]), 150);
    assert_eq!(strings(&f[3]), ["SET", "big", big.as_str()]);
    let Value::Array(rep) = cmd(&mut c, &["COMMANDLOG", "GET", "5", "large-reply"]) else {
        panic!()
    };
    let Value::Array(f) = &rep[0] else { panic!() };
    assert_eq!(rep.len(), 2, "{rep:?}");
    // The newest is the COMMANDLOG GET reply itself (over 128 bytes).
    let Value::Array(g) = &rep[1] else { panic!() };
    assert_eq!(ints(&g[2]), 128);
    assert_eq!(strings(&g[3]), ["GET", "big"]);
    assert!(ints(&f[2]) > 128);
    assert_eq!(ints(&cmd(&mut c, &["COMMANDLOG", "LEN", "LARGE-REPLY"])), 3);
    assert_eq!(
        cmd(&mut c, &["COMMANDLOG", "RESET", "large-reply"]),
        Value::Okay
    );
    assert_eq!(ints(&cmd(&mut c, &["COMMANDLOG", "LEN", "large-reply"])), 0);
    assert_eq!(
        ints(&cmd(&mut c, &["COMMANDLOG", "LEN", "large-request"])),
        1
    );
    // The slow type is SLOWLOG's.
    cmd(
        &mut c,
        &["CONFIG", "SET", "commandlog-execution-slower-than", "0"],
    );
    cmd(&mut c, &["PING"]);
    let e = entries(cmd(&mut c, &["COMMANDLOG", "GET", "1", "slow"]));
    assert_eq!(e[0].1, ["PING"]);
    let e = entries(cmd(&mut c, &["SLOWLOG", "GET", "1"]));
    assert_eq!(e[0].1, ["COMMANDLOG", "GET", "1", "slow"]);
}

#[test]
fn commandlog_errors_and_help() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    let type_err =
        b"-ERR type should be one of the following: slow, large-request, large-reply\r\n";
    c.call(&["COMMANDLOG", "GET", "1", "foo"], type_err);
    c.call(
        &["COMMANDLOG", "GET", "x", "foo"],
        b"-ERR count should be greater than or equal to -1\r\n",
    );
    c.call(
        &["COMMANDLOG", "GET", "1"],
        b"-ERR wrong number of arguments for 'commandlog|get' command\r\n",
    );
    c.call(&["COMMANDLOG", "LEN", "bad"], type_err);
    c.call(&["COMMANDLOG", "RESET", "bad"], type_err);
    c.call(
        &["COMMANDLOG", "FOO"],
        b"-ERR unknown subcommand 'FOO'. Try COMMANDLOG HELP.\r\n",
    );
    c.call(&["COMMANDLOG", "GET", "0", "slow"], b"*0\r\n");
    c.call(
        &["COMMANDLOG", "HELP"],
        b"*16\r\n+COMMANDLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
          +GET <count> <type>\r\n\
          +    Return top <count> entries of the specified <type> from the commandlog (-1 mean all).\r\n\
          +    Entries are made of:\r\n\
          +    id, timestamp,\r\n\
          +        time in microseconds for type of slow,\r\n\
          +        or size in bytes for type of large-request,\r\n\
          +        or size in bytes for type of large-reply\r\n\
          +    arguments array, client IP and port,\r\n\
          +    client name\r\n\
          +LEN <type>\r\n\
          +    Return the length of the specified type of commandlog.\r\n\
          +RESET <type>\r\n\
          +    Reset the specified type of commandlog.\r\n\
          +HELP\r\n\
          +    Print this help.\r\n",
    );
}

// ---------------------------------------------------------------- LATENCY

#[test]
fn latency_monitor_events() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.call(&["LATENCY", "LATEST"], b"*0\r\n");
    c.call(&["LATENCY", "HISTORY", "command"], b"*0\r\n");
    c.call(
        &["LATENCY", "GRAPH", "command"],
        b"-ERR No samples available for event 'command'\r\n",
    );
    let disabled = b"I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Valkey instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it.\n";
    c.send(&["LATENCY", "DOCTOR"]);
    c.expect(format!("${}\r\n", disabled.len()).as_bytes());
    c.expect(disabled);
    c.expect(b"\r\n");
    // Below the threshold nothing is recorded.
    c.call(
        &["CONFIG", "SET", "latency-monitor-threshold", "200"],
        b"+OK\r\n",
    );
    c.call(&["DEBUG", "SLEEP", "0.05"], b"+OK\r\n");
    c.call(&["LATENCY", "LATEST"], b"*0\r\n");
    c.call(
        &["CONFIG", "SET", "latency-monitor-threshold", "40"],
        b"+OK\r\n",
    );
    c.call(&["DEBUG", "SLEEP", "0.05"], b"+OK\r\n");
    drop(c);
    let mut r = srv.client();
    let Value::Array(latest) = cmd(&mut r, &["LATENCY", "LATEST"]) else {
        panic!()
    };
    assert_eq!(latest.len(), 1);
    let Value::Array(f) = &latest[0] else {
        panic!()
    };
    assert_eq!(f.len(), 6);
    assert_eq!(f[0], Value::BulkString(b"command".to_vec()));
    let (time, last, max, sum, cnt) = (
        ints(&f[1]),
        ints(&f[2]),
        ints(&f[3]),
        ints(&f[4]),
        ints(&f[5]),
    );
    assert!(time > 1_600_000_000);
    assert!((50..1000).contains(&last), "{last}");
    assert_eq!((max, sum, cnt), (last, last, 1));
    assert_eq!(
        cmd(&mut r, &["LATENCY", "HISTORY", "command"]),
        Value::Array(vec![Value::Array(vec![Value::Int(time), Value::Int(last)])])
    );
    // Event names are exact in HISTORY and GRAPH.
    assert_eq!(
        cmd(&mut r, &["LATENCY", "HISTORY", "COMMAND"]),
        Value::Array(vec![])
    );
    let Value::BulkString(graph) = cmd(&mut r, &["LATENCY", "GRAPH", "command"]) else {
        panic!()
    };
    let graph = String::from_utf8(graph).unwrap();
    let header = format!("command - high {last} ms, low {last} ms (all time high {last} ms)\n");
    assert!(graph.starts_with(&header), "{graph}");
    assert_eq!(graph.lines().nth(1).unwrap(), "-".repeat(80));
    assert_eq!(graph.lines().nth(2).unwrap(), " ");
    assert_eq!(graph.lines().nth(5).unwrap(), "_");
    let Value::BulkString(doc) = cmd(&mut r, &["LATENCY", "DOCTOR"]) else {
        panic!()
    };
    let doc = String::from_utf8(doc).unwrap();
    assert!(doc.starts_with(&format!(
        "Latency spikes are observed in this Valkey instance.\n\n1. command: 1 latency spikes (average {last}ms, mean deviation 0ms, period "
    )), "{doc}");
    assert!(
        doc.contains("\nHere is some advice for you:\n\n- Check your Slow Log"),
        "{doc}"
    );
    // RESET is case-insensitive and counts the events it dropped.
    assert_eq!(
        cmd(&mut r, &["LATENCY", "RESET", "COMMAND", "nosuch"]),
        Value::Int(1)
    );
    assert_eq!(cmd(&mut r, &["LATENCY", "RESET"]), Value::Int(0));
    assert_eq!(cmd(&mut r, &["LATENCY", "LATEST"]), Value::Array(vec![]));
    let Value::BulkString(doc) = cmd(&mut r, &["LATENCY", "DOCTOR"]) else {
        panic!()
    };
    let doc = String::from_utf8(doc).unwrap();
    // (Advice about transparent huge pages may follow on hosts using them.)
    assert!(
        doc.starts_with("No latency spike was observed during the lifetime of this Valkey instance, not in the slightest bit.\n")
            || doc.starts_with("\nHere is some advice for you:\n\n- I detected a non zero amount of anonymous huge pages"),
        "{doc}"
    );
}

#[test]
fn latency_help_and_errors() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.call(
        &["LATENCY", "HISTORY"],
        b"-ERR wrong number of arguments for 'latency|history' command\r\n",
    );
    c.call(
        &["LATENCY", "FOO"],
        b"-ERR unknown subcommand 'FOO'. Try LATENCY HELP.\r\n",
    );
    c.call(
        &["LATENCY", "HELP"],
        b"*17\r\n+LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
          +DOCTOR\r\n\
          +    Return a human readable latency analysis report.\r\n\
          +GRAPH <event>\r\n\
          +    Return an ASCII latency graph for the <event> class.\r\n\
          +HISTORY <event>\r\n\
          +    Return time-latency samples for the <event> class.\r\n\
          +LATEST\r\n\
          +    Return the latest latency samples for all events.\r\n\
          +RESET [<event> ...]\r\n\
          +    Reset latency data of one or more <event> classes.\r\n\
          +    (default: reset all data for all event classes)\r\n\
          +HISTOGRAM [COMMAND ...]\r\n\
          +    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.\r\n\
          +    If no commands are specified then all histograms are replied.\r\n\
          +HELP\r\n\
          +    Print this help.\r\n",
    );
}

/// One command of a LATENCY HISTOGRAM reply: name, calls and the
/// `(µs, cumulative calls)` points.
type Cdf = (String, i64, Vec<(i64, i64)>);

fn histograms(v: Value) -> Vec<Cdf> {
    let Value::Array(flat) = v else {
        panic!("{v:?}")
    };
    flat.chunks(2)
        .map(|kv| {
            let Value::BulkString(name) = &kv[0] else {
                panic!()
            };
            let Value::Array(m) = &kv[1] else { panic!() };
            assert_eq!(m[0], Value::BulkString(b"calls".to_vec()));
            assert_eq!(m[2], Value::BulkString(b"histogram_usec".to_vec()));
            let Value::Array(points) = &m[3] else {
                panic!()
            };
            let pts: Vec<(i64, i64)> = points
                .chunks(2)
                .map(|p| (ints(&p[0]), ints(&p[1])))
                .collect();
            (String::from_utf8_lossy(name).into_owned(), ints(&m[1]), pts)
        })
        .collect()
}

#[test]
fn latency_histograms_and_info_latencystats() {
    let srv = TestServer::start();
    let mut c = srv.client();
    for _ in 0..3 {
        cmd(&mut c, &["SET", "k", "v"]);
    }
    cmd(&mut c, &["CONFIG", "GET", "maxmemory"]);
    let h = histograms(cmd(
        &mut c,
        &["LATENCY", "HISTOGRAM", "set", "nosuch", "CONFIG"],
    ));
    let names: Vec<&str> = h.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(names, ["set", "config|get"]);
    assert_eq!(h[0].1, 3);
    let pts = &h[0].2;
    assert_eq!(pts.last().unwrap().1, 3);
    // Points are HDR log buckets from 1024 ns up, counts growing.
    let levels = [
        1, 2, 4, 8, 16, 33, 66, 132, 264, 528, 1056, 2113, 4227, 8454,
    ];
    for w in pts.windows(2) {
        assert!(w[0].1 < w[1].1);
    }
    for (us, _) in pts {
        assert!(levels.contains(us), "{pts:?}");
    }
    let all = histograms(cmd(&mut c, &["LATENCY", "HISTOGRAM"]));
    assert!(all.iter().any(|x| x.0 == "latency|histogram"));
    // INFO latencystats: the configured percentiles in µs, 3 decimals.
    let Value::BulkString(info) = cmd(&mut c, &["INFO", "latencystats"]) else {
        panic!()
    };
    let info = String::from_utf8(info).unwrap();
    assert!(info.starts_with("# Latencystats\r\n"), "{info}");
    let line = info
        .lines()
        .find(|l| l.starts_with("latency_percentiles_usec_set:"))
        .unwrap();
    let values: Vec<&str> = line.split(':').nth(1).unwrap().split(',').collect();
    assert_eq!(values.len(), 3);
    for (v, p) in values.iter().zip(["p50=", "p99=", "p99.9="]) {
        let num = v.strip_prefix(p).unwrap_or_else(|| panic!("{line}"));
        let (_, frac) = num.split_once('.').unwrap();
        assert_eq!(frac.len(), 3, "{line}");
    }
    assert!(info.contains("\r\nlatency_percentiles_usec_config|get:p50="));
    cmd(
        &mut c,
        &[
            "CONFIG",
            "SET",
            "latency-tracking-info-percentiles",
            "0 99.99 100",
        ],
    );
    let Value::BulkString(info) = cmd(&mut c, &["INFO", "latencystats"]) else {
        panic!()
    };
    let info = String::from_utf8(info).unwrap();
    let line = info
        .lines()
        .find(|l| l.starts_with("latency_percentiles_usec_set:"))
        .unwrap();
    assert!(
        line.contains(":p0=") && line.contains(",p99.99=") && line.contains(",p100="),
        "{line}"
    );
    // Tracking off: header only, and no new histograms.
    cmd(&mut c, &["CONFIG", "SET", "latency-tracking", "no"]);
    cmd(&mut c, &["GET", "k"]);
    let Value::BulkString(info) = cmd(&mut c, &["INFO", "latencystats"]) else {
        panic!()
    };
    assert_eq!(info, b"# Latencystats\r\n");
    assert_eq!(
        histograms(cmd(&mut c, &["LATENCY", "HISTOGRAM", "get"])).len(),
        0
    );
    // CONFIG RESETSTAT drops the histograms.
    cmd(&mut c, &["CONFIG", "RESETSTAT"]);
    assert_eq!(histograms(cmd(&mut c, &["LATENCY", "HISTOGRAM"])).len(), 0);
}

#[test]
fn latency_histogram_is_a_map_in_resp3() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.send(&["HELLO", "3"]);
    while !c.line().ends_with("modules") {}
    c.expect(b"*0\r\n");
    c.call(&["LATENCY", "HISTOGRAM", "nosuch"], b"%0\r\n");
    c.send(&["LATENCY", "HISTOGRAM", "hello"]);
    assert_eq!(c.line(), "%1");
    assert_eq!(c.line(), "$5");
    assert_eq!(c.line(), "hello");
    assert_eq!(c.line(), "%2");
}

// ------------------------------------------------------------------- ROLE

#[test]
fn role_of_a_primary_without_replicas() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.call(&["ROLE"], b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
    c.call(
        &["MONITOR", "x"],
        b"-ERR wrong number of arguments for 'monitor' command\r\n",
    );
}
