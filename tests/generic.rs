//! Generic keyspace commands against the real binary, asserting the exact
//! bytes Valkey sends (checked against redis-server 7.0 where the two agree,
//! and against Valkey's source where Valkey 9 differs).

mod common;

use common::{read_n, resp, TestServer};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// One raw connection; `t` sends a command and asserts the exact reply.
struct Raw(TcpStream);

impl Raw {
    fn new(srv: &TestServer) -> Raw {
        Raw(srv.raw())
    }

    fn send(&mut self, args: &[&str]) {
        let parts: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.0.write_all(&resp(&parts)).unwrap();
    }

    #[track_caller]
    fn t(&mut self, args: &[&str], expected: &str) {
        self.send(args);
        let got = read_n(&mut self.0, expected.len());
        assert_eq!(String::from_utf8_lossy(&got), expected, "reply to {args:?}");
    }

    /// Send and return the reply, reading until `n` bytes arrived.
    fn get(&mut self, args: &[&str], n: usize) -> String {
        self.send(args);
        String::from_utf8_lossy(&read_n(&mut self.0, n)).into_owned()
    }

    /// The integer reply of a command.
    fn int(&mut self, args: &[&str]) -> i64 {
        self.send(args);
        let line = read_line(&mut self.0);
        assert!(line.starts_with(':'), "not an integer reply: {line:?}");
        line[1..].parse().unwrap()
    }
}

const OK: &str = "+OK\r\n";
const SYNTAX: &str = "-ERR syntax error\r\n";
const NOT_INT: &str = "-ERR value is not an integer or out of range\r\n";
const DB_RANGE: &str = "-ERR DB index is out of range\r\n";
const SAME: &str = "-ERR source and destination objects are the same\r\n";

#[test]
fn del_unlink_exists_type_dbsize() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(
        &["DEL"],
        "-ERR wrong number of arguments for 'del' command\r\n",
    );
    c.t(
        &["EXISTS"],
        "-ERR wrong number of arguments for 'exists' command\r\n",
    );
    c.t(&["DEL", "a"], ":0\r\n");
    c.t(&["SET", "a", "1"], OK);
    c.t(&["SET", "b", "hello"], OK);
    c.t(&["SET", "c", &"x".repeat(100)], OK);
    c.t(&["DBSIZE"], ":3\r\n");
    c.t(&["EXISTS", "a", "b", "c", "c", "nokey"], ":4\r\n");
    c.t(&["TYPE", "c"], "+string\r\n");
    c.t(&["TYPE", "nokey"], "+none\r\n");
    c.t(&["DEL", "a", "b", "nokey", "a"], ":2\r\n");
    c.t(&["UNLINK", "c", "d"], ":1\r\n");
    c.t(&["DBSIZE"], ":0\r\n");
    c.t(&["EXISTS", "a"], ":0\r\n");
    c.t(&["SET", "t", "1"], OK);
    c.t(&["TOUCH", "t", "t", "nokey"], ":2\r\n");
    c.t(
        &["TOUCH"],
        "-ERR wrong number of arguments for 'touch' command\r\n",
    );
}

#[test]
fn rename_and_renamenx_keep_the_ttl() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(&["RENAME", "nokey", "x"], "-ERR no such key\r\n");
    c.t(&["RENAMENX", "nokey", "x"], "-ERR no such key\r\n");
    c.t(&["SET", "k", "v"], OK);
    c.t(&["RENAME", "k", "k"], OK);
    c.t(&["RENAMENX", "k", "k"], ":0\r\n");
    c.t(&["SET", "k2", "v2"], OK);
    c.t(&["RENAMENX", "k", "k2"], ":0\r\n");
    c.t(&["EXPIRE", "k", "100"], ":1\r\n");
    c.t(&["RENAME", "k", "k3"], OK);
    c.t(&["EXISTS", "k", "k3"], ":1\r\n");
    c.t(&["TTL", "k3"], ":100\r\n");
    // Overwriting a key takes the source's TTL, not the old one's.
    c.t(&["RENAME", "k3", "k2"], OK);
    c.t(&["GET", "k2"], "$1\r\nv\r\n");
    c.t(&["TTL", "k2"], ":100\r\n");
    c.t(&["RENAMENX", "k2", "fresh"], ":1\r\n");
    c.t(&["TTL", "fresh"], ":100\r\n");
    c.t(&["DBSIZE"], ":1\r\n");
}

#[test]
fn copy_move_and_swapdb() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(&["SET", "k5", "v"], OK);
    c.t(&["COPY", "k5", "k5"], SAME);
    c.t(&["COPY", "k5", "k6", "DB", "99"], DB_RANGE);
    c.t(&["COPY", "k5", "k6", "db", "-1"], DB_RANGE);
    c.t(&["COPY", "k5", "k6", "db", "abc"], NOT_INT);
    c.t(
        &["COPY", "k5", "k6", "db", "2147483648"],
        "-ERR value is out of range, value must between -2147483648 and 2147483647\r\n",
    );
    c.t(&["COPY", "k5", "k6", "foo"], SYNTAX);
    c.t(&["COPY", "k5", "k6", "db"], SYNTAX);
    c.t(&["COPY", "nokey", "k6"], ":0\r\n");
    c.t(&["EXPIRE", "k5", "50"], ":1\r\n");
    c.t(&["COPY", "k5", "k6"], ":1\r\n");
    c.t(&["TTL", "k6"], ":50\r\n");
    c.t(&["COPY", "k5", "k6"], ":0\r\n");
    c.t(&["SET", "k6", "other"], OK);
    c.t(&["COPY", "k5", "k6", "REPLACE", "replace"], ":1\r\n");
    c.t(&["GET", "k6"], "$1\r\nv\r\n");
    c.t(&["COPY", "k5", "k5", "db", "1"], ":1\r\n");
    c.t(&["SELECT", "1"], OK);
    c.t(&["GET", "k5"], "$1\r\nv\r\n");
    c.t(&["TTL", "k5"], ":50\r\n");
    c.t(&["SELECT", "0"], OK);

    c.t(&["MOVE", "k5", "0"], SAME);
    c.t(&["MOVE", "k5", "99"], DB_RANGE);
    c.t(&["MOVE", "k5", "abc"], NOT_INT);
    c.t(&["MOVE", "k5", "-1"], DB_RANGE);
    c.t(&["MOVE", "nokey", "1"], ":0\r\n");
    c.t(&["MOVE", "k5", "1"], ":0\r\n"); // exists there already
    c.t(&["MOVE", "k6", "2"], ":1\r\n");
    c.t(&["EXISTS", "k6"], ":0\r\n");
    c.t(&["SELECT", "2"], OK);
    c.t(&["TTL", "k6"], ":50\r\n");
    c.t(&["SELECT", "0"], OK);

    c.t(&["SWAPDB", "0", "abc"], "-ERR invalid second DB index\r\n");
    c.t(&["SWAPDB", "abc", "0"], "-ERR invalid first DB index\r\n");
    c.t(
        &["SWAPDB", "99999999999", "0"],
        "-ERR invalid first DB index\r\n",
    );
    c.t(&["SWAPDB", "0", "99"], DB_RANGE);
    c.t(&["SWAPDB", "-1", "0"], DB_RANGE);
    c.t(&["SWAPDB", "0", "0"], OK);
    c.t(&["DBSIZE"], ":1\r\n");
    c.t(&["SWAPDB", "0", "2"], OK);
    // The client stays on db 0, which now holds db 2's data.
    c.t(&["DBSIZE"], ":1\r\n");
    c.t(&["EXISTS", "k6"], ":1\r\n");
    c.t(&["EXISTS", "k5"], ":0\r\n");
    c.t(&["TTL", "k6"], ":50\r\n");
}

#[test]
fn expire_family_errors_and_conditions() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(&["SET", "t", "1"], OK);
    let nx_xx = "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
    c.t(&["EXPIRE", "t", "10", "nx", "xx"], nx_xx);
    c.t(&["EXPIRE", "t", "10", "NX", "GT"], nx_xx);
    c.t(&["PEXPIRE", "t", "10", "lt", "nx"], nx_xx);
    c.t(
        &["EXPIRE", "t", "10", "gt", "lt"],
        "-ERR GT and LT options at the same time are not compatible\r\n",
    );
    c.t(
        &["EXPIRE", "t", "10", "foo"],
        "-ERR Unsupported option foo\r\n",
    );
    // Options are checked before the number.
    c.t(
        &["EXPIRE", "t", "abc", "foo"],
        "-ERR Unsupported option foo\r\n",
    );
    c.t(&["EXPIRE", "t", "abc"], NOT_INT);
    c.t(
        &["EXPIRE", "t", "9223372036854775807"],
        "-ERR invalid expire time in 'expire' command\r\n",
    );
    c.t(
        &["EXPIRE", "t", "-9223372036854775808"],
        "-ERR invalid expire time in 'expire' command\r\n",
    );
    c.t(
        &["PEXPIRE", "t", "9223372036854775807"],
        "-ERR invalid expire time in 'pexpire' command\r\n",
    );
    c.t(
        &["EXPIREAT", "t", "9223372036854775807"],
        "-ERR invalid expire time in 'expireat' command\r\n",
    );
    c.t(
        &["EXPIRE", "t", "9223372036854776"],
        "-ERR invalid expire time in 'expire' command\r\n",
    );
    c.t(&["EXPIRE", "nokey", "10"], ":0\r\n");
    c.t(&["EXPIRE", "t", "10", "xx"], ":0\r\n");
    c.t(&["EXPIRE", "t", "10", "gt"], ":0\r\n");
    c.t(&["EXPIRE", "t", "100", "nx"], ":1\r\n");
    c.t(&["EXPIRE", "t", "100", "nx"], ":0\r\n");
    c.t(&["TTL", "t"], ":100\r\n");
    c.t(&["EXPIRE", "t", "200", "lt"], ":0\r\n");
    c.t(&["EXPIRE", "t", "50", "LT"], ":1\r\n");
    c.t(&["TTL", "t"], ":50\r\n");
    c.t(&["EXPIRE", "t", "20", "gt"], ":0\r\n");
    c.t(&["EXPIRE", "t", "80", "gt", "xx"], ":1\r\n");
    c.t(&["TTL", "t"], ":80\r\n");
    let pttl = c.int(&["PTTL", "t"]);
    assert!((79_000..=80_000).contains(&pttl), "{pttl}");

    c.t(&["TTL", "nokey"], ":-2\r\n");
    c.t(&["PTTL", "nokey"], ":-2\r\n");
    c.t(&["EXPIRETIME", "nokey"], ":-2\r\n");
    c.t(&["PEXPIRETIME", "nokey"], ":-2\r\n");
    c.t(&["SET", "p", "1"], OK);
    c.t(&["TTL", "p"], ":-1\r\n");
    c.t(&["PTTL", "p"], ":-1\r\n");
    c.t(&["EXPIRETIME", "p"], ":-1\r\n");
    c.t(&["PEXPIRETIME", "p"], ":-1\r\n");
    c.t(&["EXPIREAT", "p", "4000000000"], ":1\r\n");
    c.t(&["EXPIRETIME", "p"], ":4000000000\r\n");
    c.t(&["PEXPIRETIME", "p"], ":4000000000000\r\n");
    c.t(&["PEXPIREAT", "p", "4000000000499"], ":1\r\n");
    c.t(&["EXPIRETIME", "p"], ":4000000000\r\n");
    c.t(&["PEXPIREAT", "p", "4000000000500"], ":1\r\n");
    c.t(&["EXPIRETIME", "p"], ":4000000001\r\n");
    c.t(&["PEXPIREAT", "p", "9223372036854775807"], ":1\r\n");
    c.t(&["PEXPIRETIME", "p"], ":9223372036854775807\r\n");
    c.t(&["EXPIRETIME", "p"], ":9223372036854776\r\n");
    c.t(&["PERSIST", "p"], ":1\r\n");
    c.t(&["PERSIST", "p"], ":0\r\n");
    c.t(&["PERSIST", "nokey"], ":0\r\n");
    c.t(&["TTL", "p"], ":-1\r\n");

    // A time in the past deletes the key (and still answers 1).
    c.t(&["EXPIRE", "p", "0"], ":1\r\n");
    c.t(&["EXISTS", "p"], ":0\r\n");
    c.t(&["SET", "p", "1"], OK);
    c.t(&["PEXPIREAT", "p", "1"], ":1\r\n");
    c.t(&["EXISTS", "p"], ":0\r\n");
    c.t(&["SET", "p", "1"], OK);
    c.t(&["EXPIRE", "p", "-5", "NX"], ":1\r\n");
    c.t(&["DBSIZE"], ":1\r\n");
}

#[test]
fn keys_expire_lazily() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(&["SET", "x", "1"], OK);
    c.t(&["SET", "y", "1"], OK);
    c.t(&["PEXPIRE", "x", "1"], ":1\r\n");
    std::thread::sleep(Duration::from_millis(20));
    c.t(&["KEYS", "*"], "*1\r\n$1\r\ny\r\n");
    c.t(&["SCAN", "0"], "*2\r\n$1\r\n0\r\n*1\r\n$1\r\ny\r\n");
    c.t(&["EXISTS", "x"], ":0\r\n");
    c.t(&["TTL", "x"], ":-2\r\n");
    c.t(&["RENAME", "x", "z"], "-ERR no such key\r\n");
    c.t(&["DEL", "x"], ":0\r\n");
    c.t(&["RANDOMKEY"], "$1\r\ny\r\n");
    c.t(&["DBSIZE"], ":1\r\n");
}

#[test]
fn keys_scan_and_randomkey() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(&["RANDOMKEY"], "$-1\r\n");
    c.t(&["KEYS", "*"], "*0\r\n");
    c.t(&["SCAN", "0"], "*2\r\n$1\r\n0\r\n*0\r\n");
    for k in [
        "hello", "hallo", "hxllo", "hllo", "heeeello", "h*llo", "other",
    ] {
        c.t(&["SET", k, "1"], OK);
    }
    let keys = |c: &mut Raw, pattern: &str| -> Vec<String> {
        c.send(&["KEYS", pattern]);
        let mut out = read_array(&mut c.0);
        out.sort();
        out
    };
    assert_eq!(keys(&mut c, "h?llo"), ["h*llo", "hallo", "hello", "hxllo"]);
    assert_eq!(keys(&mut c, "h[ae]llo"), ["hallo", "hello"]);
    assert_eq!(keys(&mut c, "h[^e]llo"), ["h*llo", "hallo", "hxllo"]);
    assert_eq!(keys(&mut c, "h[a-b]llo"), ["hallo"]);
    assert_eq!(keys(&mut c, "h\\*llo"), ["h*llo"]);
    assert_eq!(keys(&mut c, "h*llo").len(), 6);
    assert_eq!(keys(&mut c, "*").len(), 7);
    assert!(keys(&mut c, "nomatch*").is_empty());

    c.t(&["SCAN", "abc"], "-ERR invalid cursor\r\n");
    c.t(&["SCAN", "-1"], "-ERR invalid cursor\r\n");
    c.t(&["SCAN", "18446744073709551616"], "-ERR invalid cursor\r\n");
    c.t(&["SCAN", "0", "count", "0"], SYNTAX);
    c.t(&["SCAN", "0", "count", "-1"], SYNTAX);
    c.t(&["SCAN", "0", "count", "abc"], NOT_INT);
    c.t(&["SCAN", "0", "match"], SYNTAX);
    c.t(&["SCAN", "0", "foo", "bar"], SYNTAX);
    c.t(
        &["SCAN", "0", "type", "foo"],
        "-ERR unknown type name 'foo'\r\n",
    );
    c.t(
        &["SCAN", "0", "novalues"],
        "-ERR NOVALUES option can only be used in HSCAN\r\n",
    );
    c.t(
        &["SCAN", "0", "NOSCORES"],
        "-ERR NOSCORES option can only be used in ZSCAN\r\n",
    );
    c.t(&["SCAN", "0", "type", "list"], "*2\r\n$1\r\n0\r\n*0\r\n");

    // A full iteration returns every key exactly once, whatever COUNT is.
    for count in ["1", "3", "1000"] {
        let mut all = full_scan(&mut c, &["COUNT", count, "TYPE", "STRING"]);
        all.sort();
        assert_eq!(all.len(), 7, "count {count}");
        all.dedup();
        assert_eq!(all.len(), 7, "duplicates with count {count}");
    }
    let mut matched = full_scan(&mut c, &["MATCH", "h[ae]llo"]);
    matched.sort();
    assert_eq!(matched, ["hallo", "hello"]);

    let k = c.get(&["RANDOMKEY"], 4);
    assert!(k.starts_with('$'), "{k:?}");
}

/// Iterate SCAN to the end with the given options, collecting keys.
fn full_scan(c: &mut Raw, opts: &[&str]) -> Vec<String> {
    let mut cursor = "0".to_string();
    let mut keys = Vec::new();
    for _ in 0..10_000 {
        let mut args = vec!["SCAN", cursor.as_str()];
        args.extend_from_slice(opts);
        let parts: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        c.0.write_all(&resp(&parts)).unwrap();
        let header = read_line(&mut c.0);
        assert_eq!(header, "*2");
        let len_line = read_line(&mut c.0);
        let next = read_line(&mut c.0);
        assert_eq!(len_line, format!("${}", next.len()));
        keys.extend(read_array(&mut c.0));
        if next == "0" {
            return keys;
        }
        cursor = next;
    }
    panic!("SCAN did not finish");
}

/// Read one CRLF-terminated line, byte by byte (never past it).
fn read_line(s: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while !line.ends_with(b"\r\n") {
        s.read_exact(&mut b).expect("reply line");
        line.push(b[0]);
    }
    line.truncate(line.len() - 2);
    String::from_utf8_lossy(&line).into_owned()
}

/// Read an array of bulk strings.
fn read_array(s: &mut TcpStream) -> Vec<String> {
    let header = read_line(s);
    assert!(header.starts_with('*'), "{header:?}");
    let n: usize = header[1..].parse().unwrap();
    (0..n)
        .map(|_| {
            let len_line = read_line(s);
            let len: usize = len_line[1..].parse().unwrap();
            let mut data = vec![0u8; len + 2];
            s.read_exact(&mut data).expect("bulk");
            String::from_utf8_lossy(&data[..len]).into_owned()
        })
        .collect()
}

#[test]
fn flushdb_and_flushall() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(&["FLUSHALL", "foo"], SYNTAX);
    c.t(&["FLUSHALL", "async", "sync"], SYNTAX);
    c.t(&["FLUSHDB", "foo"], SYNTAX);
    for mode in [None, Some("SYNC"), Some("async")] {
        for db in ["0", "1"] {
            c.t(&["SELECT", db], OK);
            for i in 0..100 {
                c.t(&["SET", &format!("k{i}"), "v"], OK);
            }
        }
        c.t(&["SELECT", "0"], OK);
        let mut args = vec!["FLUSHDB"];
        args.extend(mode);
        c.t(&args, OK);
        c.t(&["DBSIZE"], ":0\r\n");
        c.t(&["SELECT", "1"], OK);
        c.t(&["DBSIZE"], ":100\r\n");
        args[0] = "FLUSHALL";
        c.t(&args, OK);
        c.t(&["DBSIZE"], ":0\r\n");
        c.t(&["SELECT", "0"], OK);
    }
    // Flushing empty databases is fine too.
    c.t(&["FLUSHALL"], OK);
    c.t(&["FLUSHDB", "ASYNC"], OK);
}

#[test]
fn object_subcommands() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(
        &["OBJECT"],
        "-ERR wrong number of arguments for 'object' command\r\n",
    );
    c.t(
        &["OBJECT", "foo"],
        "-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n",
    );
    c.t(
        &["OBJECT", "encoding"],
        "-ERR wrong number of arguments for 'object|encoding' command\r\n",
    );
    c.t(
        &["OBJECT", "encoding", "a", "b"],
        "-ERR wrong number of arguments for 'object|encoding' command\r\n",
    );
    for sub in ["encoding", "refcount", "idletime", "freq"] {
        c.t(&["OBJECT", sub, "nokey"], "$-1\r\n");
    }
    c.t(&["SET", "e1", "12345"], OK);
    c.t(&["SET", "e2", "abc"], OK);
    c.t(&["SET", "e3", &"a".repeat(45)], OK);
    c.t(&["OBJECT", "ENCODING", "e1"], "$3\r\nint\r\n");
    c.t(&["OBJECT", "encoding", "e2"], "$6\r\nembstr\r\n");
    c.t(&["OBJECT", "encoding", "e3"], "$3\r\nraw\r\n");
    // Valkey 9 never shares values stored in the keyspace.
    c.t(&["OBJECT", "REFCOUNT", "e1"], ":1\r\n");
    // The access clock has a one-second resolution: a second boundary may
    // fall between the SET and this read (as on Valkey).
    let idle = c.int(&["OBJECT", "IDLETIME", "e1"]);
    assert!((0..=1).contains(&idle), "idle {idle}");
    c.t(
        &["OBJECT", "FREQ", "e1"],
        "-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n",
    );
    let help = "*15\r\n\
        +OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
        +ENCODING <key>\r\n\
        +    Return the kind of internal representation used in order to store the value\r\n\
        +    associated with a <key>.\r\n\
        +FREQ <key>\r\n\
        +    Return the access frequency index of the <key>. The returned integer is\r\n\
        +    proportional to the logarithm of the recent access frequency of the key.\r\n\
        +IDLETIME <key>\r\n\
        +    Return the idle time of the <key>, that is the approximated number of\r\n\
        +    seconds elapsed since the last access to the key.\r\n\
        +REFCOUNT <key>\r\n\
        +    Return the number of references of the value associated with the specified\r\n\
        +    <key>.\r\n\
        +HELP\r\n\
        +    Print this help.\r\n";
    c.t(&["object", "help"], help);
    c.t(
        &["OBJECT", "help", "x"],
        "-ERR wrong number of arguments for 'object|help' command\r\n",
    );
    // RESP3 null for a missing key.
    let hello = c.get(&["HELLO", "3"], 1);
    assert!(hello.starts_with('%'));
    let mut rest = Vec::new();
    c.0.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let _ = c.0.read_to_end(&mut rest);
    c.0.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    c.t(&["OBJECT", "ENCODING", "nokey"], "_\r\n");
}

#[test]
fn wait_without_replicas() {
    let srv = TestServer::start();
    let mut c = Raw::new(&srv);
    c.t(
        &["WAIT", "0", "abc"],
        "-ERR timeout is not an integer or out of range\r\n",
    );
    c.t(&["WAIT", "0", "-1"], "-ERR timeout is negative\r\n");
    c.t(&["WAIT", "abc", "0"], NOT_INT);
    c.t(
        &["WAIT", "0", "9223372036854775806"],
        "-ERR timeout is out of range\r\n",
    );
    c.t(&["WAIT", "0", "0"], ":0\r\n");
    c.t(&["WAIT", "-1", "10"], ":0\r\n");
    c.t(&["WAIT", "1", "10"], ":0\r\n");
}

#[test]
fn rename_and_swapdb_wake_blocked_clients_and_fail_watchers() {
    use common::cmd;
    let srv = TestServer::start();
    let mut a = srv.client();
    let mut b = srv.client();
    let port = srv.port;
    // BLPOP on "dst" in db 0 is served by RENAME src -> dst.
    let waiter = std::thread::spawn(move || {
        let mut c = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
            .unwrap()
            .get_connection()
            .unwrap();
        cmd(&mut c, &["BLPOP", "dst", "5"])
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    cmd(&mut a, &["RPUSH", "src", "x"]);
    assert_eq!(cmd(&mut a, &["RENAME", "src", "dst"]), redis::Value::Okay);
    assert_eq!(
        waiter.join().unwrap(),
        redis::Value::Array(vec![
            redis::Value::BulkString(b"dst".to_vec()),
            redis::Value::BulkString(b"x".to_vec())
        ])
    );
    // SWAPDB fails the EXEC of a client watching a key in either db.
    cmd(&mut b, &["WATCH", "w"]);
    cmd(&mut a, &["SWAPDB", "0", "1"]);
    cmd(&mut b, &["MULTI"]);
    cmd(&mut b, &["PING"]);
    assert_eq!(cmd(&mut b, &["EXEC"]), redis::Value::Nil);
}
