//! Hash commands against the real binary. Replies of the commands Redis 7.0
//! has were checked byte-for-byte against redis-server 7.0; the field-TTL
//! commands follow Valkey 9.1's t_hash.c.

mod common;
mod types_support;

use common::TestServer;
use std::time::Duration;
use types_support::*;

#[test]
fn basic_commands() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(
        c.q(&["HSET", "h", "a", "1", "b", "2", "c", "hello"]),
        int(3)
    );
    assert_eq!(c.q(&["HSET", "h", "a", "10"]), int(0));
    assert_eq!(
        c.q(&["HSET", "h", "x"]),
        err("ERR wrong number of arguments for 'hset' command")
    );
    assert_eq!(c.q(&["HMSET", "h", "d", "4", "e", "5"]), OK);
    assert_eq!(c.q(&["HGET", "h", "a"]), bulk("10"));
    assert_eq!(c.q(&["HGET", "h", "zz"]), NIL);
    assert_eq!(c.q(&["HGET", "nokey", "a"]), NIL);
    assert_eq!(
        c.q(&["HMGET", "h", "a", "zz", "b"]),
        "*3\r\n$2\r\n10\r\n$-1\r\n$1\r\n2\r\n"
    );
    assert_eq!(c.q(&["HMGET", "nokey", "a"]), "*1\r\n$-1\r\n");
    assert_eq!(c.q(&["HLEN", "h"]), int(5));
    assert_eq!(c.q(&["HSTRLEN", "h", "c"]), int(5));
    assert_eq!(c.q(&["HSTRLEN", "h", "a"]), int(2));
    assert_eq!(c.q(&["HEXISTS", "h", "a"]), int(1));
    assert_eq!(c.q(&["HEXISTS", "h", "zz"]), int(0));
    assert_eq!(c.q(&["HKEYS", "h"]), bulks(&["a", "b", "c", "d", "e"]));
    assert_eq!(c.q(&["HVALS", "h"]), bulks(&["10", "2", "hello", "4", "5"]));
    assert_eq!(
        c.q(&["HGETALL", "h"]),
        bulks(&["a", "10", "b", "2", "c", "hello", "d", "4", "e", "5"])
    );
    assert_eq!(c.q(&["HGETALL", "nokey"]), EMPTY);
    assert_eq!(c.q(&["HSETNX", "h", "a", "99"]), int(0));
    assert_eq!(c.q(&["HSETNX", "h", "f", "6"]), int(1));
    assert_eq!(c.q(&["HDEL", "h", "a", "b", "zz"]), int(2));
    assert_eq!(c.q(&["HDEL", "nokey", "a"]), int(0));
    c.q(&["SET", "str", "x"]);
    assert_eq!(c.q(&["HGET", "str", "a"]), WRONGTYPE);
    assert_eq!(c.q(&["HSET", "str", "a", "b"]), WRONGTYPE);
    assert_eq!(c.q(&["HDEL", "h", "c", "d", "e", "f"]), int(4));
    assert_eq!(c.q(&["HLEN", "h"]), int(0));
}

#[test]
fn increments() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["HSET", "h", "d", "4", "c", "hello"]);
    assert_eq!(c.q(&["HINCRBY", "h", "d", "5"]), int(9));
    assert_eq!(
        c.q(&["HINCRBY", "h", "c", "1"]),
        err("ERR hash value is not an integer")
    );
    assert_eq!(c.q(&["HINCRBY", "h", "n", "-7"]), int(-7));
    assert_eq!(
        c.q(&["HINCRBY", "h", "n", "abc"]),
        err("ERR value is not an integer or out of range")
    );
    c.q(&["HSET", "h", "big", "9223372036854775807"]);
    assert_eq!(
        c.q(&["HINCRBY", "h", "big", "1"]),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(c.q(&["HINCRBYFLOAT", "h", "fl", "1.5"]), bulk("1.5"));
    assert_eq!(c.q(&["HINCRBYFLOAT", "h", "fl", "0.1"]), bulk("1.6"));
    assert_eq!(c.q(&["HINCRBYFLOAT", "h", "z", "0.1"]), bulk("0.1"));
    assert_eq!(c.q(&["HINCRBYFLOAT", "h", "z", "0.2"]), bulk("0.3"));
    assert_eq!(
        c.q(&["HINCRBYFLOAT", "h", "z", "1e10"]),
        bulk("10000000000.29999999981373549")
    );
    assert_eq!(
        c.q(&["HINCRBYFLOAT", "h", "c", "1"]),
        err("ERR hash value is not a float")
    );
    assert_eq!(
        c.q(&["HINCRBYFLOAT", "h", "fl", "abc"]),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        c.q(&["HINCRBYFLOAT", "h", "fl", "inf"]),
        err("ERR value is NaN or Infinity")
    );
    assert_eq!(c.q(&["HINCRBYFLOAT", "h", "d", "2.5"]), bulk("11.5"));
}

#[test]
fn randfield_and_scan() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["HSET", "h", "a", "1", "b", "2", "c", "3"]);
    assert_eq!(c.q(&["HRANDFIELD", "nokey"]), NIL);
    assert_eq!(c.q(&["HRANDFIELD", "nokey", "3"]), EMPTY);
    assert_eq!(c.q(&["HRANDFIELD", "h", "0"]), EMPTY);
    assert_eq!(c.q(&["HRANDFIELD", "h", "100"]), bulks(&["a", "b", "c"]));
    assert_eq!(
        c.q(&["HRANDFIELD", "h", "100", "WITHVALUES"]),
        bulks(&["a", "1", "b", "2", "c", "3"])
    );
    let r = c.q(&["HRANDFIELD", "h", "-5"]);
    assert!(r.starts_with("*5\r\n"), "{r}");
    let r = c.q(&["HRANDFIELD", "h", "2"]);
    assert!(r.starts_with("*2\r\n"), "{r}");
    assert_eq!(
        c.q(&["HRANDFIELD", "h", "-5", "x"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["HRANDFIELD", "h", "-9223372036854775808"]),
        err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    assert_eq!(
        c.q(&["HRANDFIELD", "h", "9223372036854775807", "WITHVALUES"]),
        err("ERR value is out of range")
    );
    assert_eq!(
        c.q(&["HSCAN", "h", "0"]),
        "*2\r\n$1\r\n0\r\n".to_string() + &bulks(&["a", "1", "b", "2", "c", "3"])
    );
    assert_eq!(
        c.q(&["HSCAN", "h", "0", "NOVALUES"]),
        "*2\r\n$1\r\n0\r\n".to_string() + &bulks(&["a", "b", "c"])
    );
    assert_eq!(
        c.q(&["HSCAN", "h", "0", "MATCH", "b*"]),
        "*2\r\n$1\r\n0\r\n".to_string() + &bulks(&["b", "2"])
    );
    assert_eq!(c.q(&["HSCAN", "h", "abc"]), err("ERR invalid cursor"));
    assert_eq!(
        c.q(&["HSCAN", "h", "0", "COUNT", "0"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["HSCAN", "nokey", "0", "COUNT", "x"]),
        "*2\r\n$1\r\n0\r\n*0\r\n"
    );
    // A big hash is scanned in steps and every field comes back once.
    let mut args: Vec<String> = vec!["HSET".into(), "big".into()];
    for i in 0..1000 {
        args.push(format!("f{i}"));
        args.push(format!("{i}"));
    }
    c.q(&args.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    c.assert_encoding("big", "hashtable");
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        c.send(&["HSCAN", "big", &cursor, "COUNT", "50", "NOVALUES"]);
        let r = c.read();
        calls += 1;
        let mut lines = r.split("\r\n");
        lines.next();
        lines.next();
        cursor = lines.next().unwrap().to_string();
        lines.next();
        for l in lines {
            if !l.starts_with('$') && !l.is_empty() {
                seen.insert(l.to_string());
            }
        }
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 1000);
    assert!(calls > 5, "scan returned everything at once");
}

#[test]
fn encoding_switch_keeps_replies() {
    let srv = TestServer::start_with(&["--hash-max-listpack-entries", "128"]);
    let mut c = Raw::connect(srv.port);
    for i in 0..128 {
        c.q(&["HSET", "small", &format!("f{i}"), &format!("v{i}")]);
        c.q(&["HSET", "big", &format!("f{i}"), &format!("v{i}")]);
    }
    c.assert_encoding("small", "listpack");
    c.q(&["HSET", "big", "f128", "v128"]);
    c.assert_encoding("big", "hashtable");
    c.q(&["HDEL", "big", "f128"]);
    c.assert_encoding("big", "hashtable");
    for i in (0..128).step_by(7) {
        let f = format!("f{i}");
        assert_eq!(c.q(&["HGET", "big", &f]), c.q(&["HGET", "small", &f]));
    }
    assert_eq!(c.q(&["HLEN", "big"]), int(128));
    let mut a = c
        .q(&["HKEYS", "small"])
        .split("\r\n")
        .map(String::from)
        .collect::<Vec<_>>();
    let mut b = c
        .q(&["HKEYS", "big"])
        .split("\r\n")
        .map(String::from)
        .collect::<Vec<_>>();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // A long value converts at once.
    let long = "x".repeat(65);
    c.q(&["HSET", "lv", "f", &"y".repeat(64)]);
    c.assert_encoding("lv", "listpack");
    c.q(&["HSET", "lv", "g", &long]);
    c.assert_encoding("lv", "hashtable");
    assert_eq!(c.q(&["HGET", "lv", "g"]), bulk(&long));
}

#[test]
fn field_ttl_commands() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["HSET", "h", "a", "1", "b", "2", "c", "3"]);
    c.assert_encoding("h", "listpack");
    assert_eq!(
        c.q(&["HEXPIRE", "h", "100", "XX", "FIELDS", "1", "a"]),
        "*1\r\n:0\r\n"
    );
    assert_eq!(
        c.q(&["HEXPIRE", "h", "100", "FIELDS", "2", "a", "zz"]),
        "*2\r\n:1\r\n:-2\r\n"
    );
    c.assert_encoding("h", "hashtable");
    assert_eq!(
        c.q(&["HTTL", "h", "FIELDS", "3", "a", "b", "zz"]),
        "*3\r\n:100\r\n:-1\r\n:-2\r\n"
    );
    let r = c.q(&["HPTTL", "h", "FIELDS", "1", "a"]);
    let ms: i64 = r[5..r.len() - 2].parse().unwrap();
    assert!((99_000..=100_000).contains(&ms), "{r}");
    let r = c.q(&["HPEXPIRETIME", "h", "FIELDS", "1", "a"]);
    let at: i64 = r[5..r.len() - 2].parse().unwrap();
    let r = c.q(&["HEXPIRETIME", "h", "FIELDS", "1", "a"]);
    let at_s: i64 = r[5..r.len() - 2].parse().unwrap();
    assert_eq!((at + 500) / 1000, at_s);
    assert_eq!(
        c.q(&["HEXPIRE", "h", "50", "GT", "FIELDS", "1", "a"]),
        "*1\r\n:0\r\n"
    );
    assert_eq!(
        c.q(&["HEXPIRE", "h", "50", "LT", "FIELDS", "1", "a"]),
        "*1\r\n:1\r\n"
    );
    assert_eq!(
        c.q(&["HEXPIRE", "h", "50", "NX", "FIELDS", "1", "a"]),
        "*1\r\n:0\r\n"
    );
    assert_eq!(
        c.q(&["HEXPIRE", "h", "50", "GT", "FIELDS", "1", "b"]),
        "*1\r\n:0\r\n"
    );
    assert_eq!(
        c.q(&["HEXPIREAT", "nokey", "50", "FIELDS", "1", "b"]),
        "*1\r\n:-2\r\n"
    );
    assert_eq!(
        c.q(&["HEXPIRE", "h", "50", "NX", "XX", "FIELDS", "1", "a"]),
        err("ERR NX and XX, GT or LT options at the same time are not compatible")
    );
    assert_eq!(
        c.q(&["HEXPIRE", "h", "50", "GT", "LT", "FIELDS", "1", "a"]),
        err("ERR GT and LT options at the same time are not compatible")
    );
    assert_eq!(
        c.q(&["HEXPIRE", "h", "50", "foo", "FIELDS", "1", "a"]),
        err("ERR Unsupported option foo")
    );
    let nf = err("ERR numfields should be greater than 0 and match the provided number of fields");
    assert_eq!(c.q(&["HEXPIRE", "h", "50", "FIELDS", "2", "a"]), nf);
    assert_eq!(c.q(&["HEXPIRE", "h", "50", "FIELDS", "0", "a"]), nf);
    assert_eq!(c.q(&["HEXPIRE", "h", "50", "a", "b", "c"]), nf);
    assert_eq!(
        c.q(&["HEXPIRE", "h", "-1", "FIELDS", "1", "a"]),
        err("ERR invalid expire time in 'hexpire' command")
    );
    assert_eq!(
        c.q(&["HPEXPIRE", "h", "x", "FIELDS", "1", "a"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        c.q(&["HTTL", "h", "FIELDS", "2", "a"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["HPERSIST", "h", "FIELDS", "2", "a", "b"]),
        "*2\r\n:1\r\n:-1\r\n"
    );
    assert_eq!(
        c.q(&["HPERSIST", "h", "FIELDS", "1", "zz"]),
        "*1\r\n:-2\r\n"
    );
    assert_eq!(
        c.q(&["HPERSIST", "nokey", "FIELDS", "1", "zz"]),
        "*1\r\n:-2\r\n"
    );
    // A time in the past deletes at once (code 2), whatever the condition.
    assert_eq!(
        c.q(&["HEXPIRE", "h", "0", "XX", "FIELDS", "2", "a", "zz"]),
        "*2\r\n:2\r\n:-2\r\n"
    );
    assert_eq!(
        c.q(&["HMGET", "h", "a", "b", "c"]),
        "*3\r\n$-1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(c.q(&["HLEN", "h"]), int(2));
    // Expiry in time: the field disappears, the key goes with its last one.
    assert_eq!(
        c.q(&["HPEXPIRE", "h", "100", "FIELDS", "1", "c"]),
        "*1\r\n:1\r\n"
    );
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(c.q(&["HGET", "h", "c"]), NIL);
    assert_eq!(c.q(&["HEXISTS", "h", "c"]), int(0));
    assert_eq!(c.q(&["HLEN", "h"]), int(1));
    assert_eq!(c.q(&["HGETALL", "h"]), bulks(&["b", "2"]));
    assert_eq!(c.q(&["HSETNX", "h", "c", "new"]), int(1));
    assert_eq!(
        c.q(&["HPEXPIRE", "h", "50", "FIELDS", "2", "b", "c"]),
        "*2\r\n:1\r\n:1\r\n"
    );
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(c.q(&["HLEN", "h"]), int(0));
    // Gone as a key: HSETEX NX sees no key.
    assert_eq!(c.q(&["HSETEX", "h", "NX", "FIELDS", "1", "x", "y"]), int(1));
    assert_eq!(
        c.q(&["HPERSIST", "str", "FIELDS", "1", "a"]),
        "*1\r\n:-2\r\n"
    );
    c.q(&["SET", "str", "x"]);
    assert_eq!(
        c.q(&["HPERSIST", "str", "FIELDS", "1", "a"]),
        format!("*1\r\n{WRONGTYPE}")
    );
    assert_eq!(c.q(&["HTTL", "str", "FIELDS", "1", "a"]), WRONGTYPE);
    assert_eq!(c.q(&["HEXPIRE", "str", "1", "FIELDS", "1", "a"]), WRONGTYPE);
}

#[test]
fn hsetex_hgetex_hgetdel() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(
        c.q(&["HSETEX", "h", "EX", "100", "FIELDS", "2", "f1", "v1", "f2", "v2"]),
        int(1)
    );
    assert_eq!(
        c.q(&["HTTL", "h", "FIELDS", "2", "f1", "f2"]),
        "*2\r\n:100\r\n:100\r\n"
    );
    assert_eq!(
        c.q(&["HSETEX", "h", "NX", "FIELDS", "1", "f3", "v3"]),
        int(0)
    );
    assert_eq!(
        c.q(&["HSETEX", "h", "XX", "FNX", "FIELDS", "1", "f3", "v3"]),
        int(1)
    );
    assert_eq!(
        c.q(&["HSETEX", "h", "FNX", "FIELDS", "2", "f4", "v", "f3", "v"]),
        int(0)
    );
    assert_eq!(c.q(&["HEXISTS", "h", "f4"]), int(0));
    assert_eq!(
        c.q(&["HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", "1", "f1", "new"]),
        int(1)
    );
    assert_eq!(
        c.q(&["HTTL", "h", "FIELDS", "2", "f1", "f3"]),
        "*2\r\n:100\r\n:-1\r\n"
    );
    assert_eq!(c.q(&["HSETEX", "h", "FIELDS", "1", "f1", "plain"]), int(1));
    assert_eq!(c.q(&["HTTL", "h", "FIELDS", "1", "f1"]), "*1\r\n:-1\r\n");
    assert_eq!(
        c.q(&["HSETEX", "h", "EX", "10", "PX", "10", "FIELDS", "1", "f1", "v"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["HSETEX", "h", "NX", "XX", "FIELDS", "1", "f1", "v"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["HSETEX", "h", "KEEPTTL", "EX", "1", "FIELDS", "1", "f1", "v"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["HSETEX", "h", "EX", "FIELDS", "1", "f1", "v"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["HSETEX", "h", "FIELDS", "2", "f1", "v"]),
        err("ERR numfields should be greater than 0 and match the provided number of fields")
    );
    assert_eq!(
        c.q(&["HSETEX", "h", "EX", "-5", "FIELDS", "1", "f1", "v"]),
        err("ERR invalid expire time in 'hsetex' command")
    );
    assert_eq!(
        c.q(&["HSETEX", "nokey", "FXX", "FIELDS", "1", "f1", "v"]),
        int(0)
    );
    // HGETEX: values plus TTL changes.
    assert_eq!(
        c.q(&["HGETEX", "h", "FIELDS", "2", "f2", "zz"]),
        "*2\r\n$2\r\nv2\r\n$-1\r\n"
    );
    assert_eq!(
        c.q(&["HGETEX", "h", "PERSIST", "FIELDS", "1", "f2"]),
        "*1\r\n$2\r\nv2\r\n"
    );
    assert_eq!(c.q(&["HTTL", "h", "FIELDS", "1", "f2"]), "*1\r\n:-1\r\n");
    assert_eq!(
        c.q(&["HGETEX", "h", "EXAT", "4000000000", "FIELDS", "1", "f2"]),
        "*1\r\n$2\r\nv2\r\n"
    );
    assert_eq!(
        c.q(&["HEXPIRETIME", "h", "FIELDS", "1", "f2"]),
        "*1\r\n:4000000000\r\n"
    );
    assert_eq!(
        c.q(&["HGETEX", "h", "PX", "0", "FIELDS", "1", "f2"]),
        "*1\r\n$2\r\nv2\r\n"
    );
    assert_eq!(c.q(&["HEXISTS", "h", "f2"]), int(0));
    assert_eq!(
        c.q(&["HGETEX", "h", "PERSIST", "EX", "1", "FIELDS", "1", "f2"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["HGETEX", "nokey", "EX", "1", "FIELDS", "1", "f2"]),
        "*1\r\n$-1\r\n"
    );
    assert_eq!(
        c.q(&["HGETEX", "h", "x", "f2", "z"]),
        err("ERR numfields should be greater than 0 and match the provided number of fields")
    );
    // HGETDEL.
    assert_eq!(
        c.q(&["HGETDEL", "h", "FIELDS", "2", "f3", "zz"]),
        "*2\r\n$2\r\nv3\r\n$-1\r\n"
    );
    assert_eq!(
        c.q(&["HGETDEL", "nokey", "FIELDS", "1", "a"]),
        "*1\r\n$-1\r\n"
    );
    assert_eq!(
        c.q(&["HGETDEL", "h", "FIELDS", "2", "f1"]),
        err("ERR numfields should be greater than 0 and match the provided number of fields")
    );
    assert_eq!(
        c.q(&["HGETDEL", "h", "FIELDS", "1", "f1"]),
        "*1\r\n$5\r\nplain\r\n"
    );
    // That was the last field: the key is gone.
    assert_eq!(c.q(&["HSETEX", "h", "NX", "FIELDS", "1", "a", "b"]), int(1));
    // Immediate expiry through HSETEX deletes (reply 1 only if all existed).
    assert_eq!(
        c.q(&["HSETEX", "h", "PX", "0", "FIELDS", "2", "a", "x", "zz", "y"]),
        int(0)
    );
    assert_eq!(c.q(&["HLEN", "h"]), int(0));
}
