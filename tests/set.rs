//! Set commands against the real binary. Redis 7.0 was used as reference
//! for errors and for intset/hashtable results; small non-integer sets are
//! listpacks since Valkey 7.2, whose insertion order the replies follow.

mod common;
mod types_support;

use common::TestServer;
use types_support::*;

fn sorted(reply: &str) -> Vec<String> {
    let mut v: Vec<String> = reply
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.starts_with('$') && !l.is_empty())
        .map(String::from)
        .collect();
    v.sort();
    v
}

#[test]
fn basic_commands() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.q(&["SADD", "s", "3", "1", "2"]), int(3));
    assert_eq!(c.q(&["SADD", "s", "2", "4"]), int(1));
    c.assert_encoding("s", "intset");
    // Intsets iterate in ascending order.
    assert_eq!(c.q(&["SMEMBERS", "s"]), bulks(&["1", "2", "3", "4"]));
    assert_eq!(c.q(&["SADD", "s2", "a", "b", "c", "1"]), int(4));
    c.assert_encoding("s2", "listpack");
    assert_eq!(c.q(&["SMEMBERS", "s2"]), bulks(&["a", "b", "c", "1"]));
    assert_eq!(c.q(&["SCARD", "s"]), int(4));
    assert_eq!(c.q(&["SCARD", "nokey"]), int(0));
    assert_eq!(c.q(&["SISMEMBER", "s", "1"]), int(1));
    assert_eq!(c.q(&["SISMEMBER", "s", "9"]), int(0));
    assert_eq!(
        c.q(&["SMISMEMBER", "s", "1", "9", "2"]),
        "*3\r\n:1\r\n:0\r\n:1\r\n"
    );
    assert_eq!(c.q(&["SMISMEMBER", "nokey", "1"]), "*1\r\n:0\r\n");
    assert_eq!(c.q(&["SREM", "s", "1", "9"]), int(1));
    assert_eq!(c.q(&["SREM", "nokey", "1"]), int(0));
    c.q(&["SET", "str", "x"]);
    assert_eq!(c.q(&["SADD", "str", "a"]), WRONGTYPE);
    assert_eq!(c.q(&["SMISMEMBER", "str", "a"]), WRONGTYPE);
    assert_eq!(c.q(&["SREM", "s", "2", "3", "4"]), int(3));
    assert_eq!(c.q(&["SCARD", "s"]), int(0));
}

#[test]
fn algebra_and_store() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["SADD", "s", "3", "2", "4"]);
    c.q(&["SADD", "s2", "a", "b", "c", "1"]);
    c.q(&["SADD", "s3", "c", "d", "1", "5"]);
    assert_eq!(c.q(&["SINTER", "s2", "s3"]), bulks(&["c", "1"]));
    assert_eq!(c.q(&["SINTER", "s2", "nokey", "s3"]), EMPTY);
    assert_eq!(c.q(&["SINTER", "s", "s2"]), EMPTY);
    // A union starts as an intset: integers first, sorted, then the rest.
    assert_eq!(
        c.q(&["SUNION", "s", "s3"]),
        bulks(&["2", "3", "4", "c", "d", "1", "5"])
    );
    assert_eq!(c.q(&["SUNION", "nokey"]), EMPTY);
    assert_eq!(c.q(&["SDIFF", "s2", "s3"]), bulks(&["a", "b"]));
    assert_eq!(c.q(&["SDIFF", "s2", "s2"]), EMPTY);
    assert_eq!(c.q(&["SDIFF", "nokey", "s2"]), EMPTY);
    assert_eq!(c.q(&["SINTERSTORE", "dst", "s2", "s3"]), int(2));
    c.assert_encoding("dst", "listpack");
    assert_eq!(c.q(&["SINTERSTORE", "dst", "nokey", "s2"]), int(0));
    assert_eq!(c.q(&["SCARD", "dst"]), int(0));
    assert_eq!(c.q(&["SUNIONSTORE", "dst", "s", "s3"]), int(7));
    assert_eq!(c.q(&["SDIFFSTORE", "dst", "s", "s"]), int(0));
    assert_eq!(c.q(&["SUNIONSTORE", "dst", "s"]), int(3));
    c.assert_encoding("dst", "intset");
    assert_eq!(c.q(&["SINTERCARD", "2", "s2", "s3"]), int(2));
    assert_eq!(c.q(&["SINTERCARD", "2", "s2", "s3", "LIMIT", "1"]), int(1));
    assert_eq!(
        c.q(&["SINTERCARD", "0", "s2"]),
        err("ERR numkeys should be greater than 0")
    );
    assert_eq!(
        c.q(&["SINTERCARD", "3", "s2", "s3"]),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(
        c.q(&["SINTERCARD", "2", "s2", "s3", "LIMIT", "-1"]),
        err("ERR LIMIT can't be negative")
    );
    assert_eq!(
        c.q(&["SINTERCARD", "2", "s2", "s3", "foo"]),
        err("ERR syntax error")
    );
    c.q(&["SET", "str", "x"]);
    assert_eq!(c.q(&["SINTER", "nokey", "str"]), WRONGTYPE);
    assert_eq!(c.q(&["SUNION", "s", "str"]), WRONGTYPE);
    // Integer-only intersections become intsets again.
    c.q(&["SADD", "n1", "a", "1", "2", "3"]);
    c.q(&["SADD", "n2", "b", "2", "3", "4"]);
    assert_eq!(c.q(&["SINTERSTORE", "ni", "n1", "n2"]), int(2));
    c.assert_encoding("ni", "intset");
    assert_eq!(c.q(&["SMEMBERS", "ni"]), bulks(&["2", "3"]));
}

#[test]
fn smove_spop_srandmember() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["SADD", "a", "x", "y"]);
    c.q(&["SADD", "b", "z"]);
    assert_eq!(c.q(&["SMOVE", "a", "b", "x"]), int(1));
    assert_eq!(c.q(&["SMOVE", "a", "b", "zz"]), int(0));
    assert_eq!(c.q(&["SMOVE", "nokey", "b", "x"]), int(0));
    assert_eq!(c.q(&["SMEMBERS", "b"]), bulks(&["z", "x"]));
    assert_eq!(c.q(&["SMOVE", "b", "b", "x"]), int(1));
    assert_eq!(c.q(&["SMOVE", "b", "b", "q"]), int(0));
    assert_eq!(c.q(&["SMOVE", "a", "new", "y"]), int(1));
    assert_eq!(c.q(&["SCARD", "a"]), int(0));
    assert_eq!(c.q(&["SMEMBERS", "new"]), bulks(&["y"]));
    c.q(&["SET", "str", "x"]);
    assert_eq!(c.q(&["SMOVE", "b", "str", "z"]), WRONGTYPE);
    assert_eq!(c.q(&["SMOVE", "str", "b", "z"]), WRONGTYPE);

    c.q(&["SADD", "s", "1", "2", "3", "4", "5"]);
    assert_eq!(c.q(&["SPOP", "nokey"]), NIL);
    assert_eq!(c.q(&["SPOP", "nokey", "3"]), EMPTY);
    assert_eq!(c.q(&["SPOP", "s", "0"]), EMPTY);
    assert_eq!(
        c.q(&["SPOP", "s", "-1"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(c.q(&["SPOP", "s", "1", "2"]), err("ERR syntax error"));
    assert_eq!(c.q(&["SRANDMEMBER", "nokey"]), NIL);
    assert_eq!(c.q(&["SRANDMEMBER", "nokey", "5"]), EMPTY);
    assert_eq!(c.q(&["SRANDMEMBER", "s", "0"]), EMPTY);
    assert_eq!(
        c.q(&["SRANDMEMBER", "s", "100"]),
        bulks(&["1", "2", "3", "4", "5"])
    );
    assert!(c.q(&["SRANDMEMBER", "s", "-20"]).starts_with("*20\r\n"));
    let r = c.q(&["SRANDMEMBER", "s", "3"]);
    let v = sorted(&r);
    assert_eq!(v.len(), 3);
    assert!(v.windows(2).all(|w| w[0] != w[1]));
    assert_eq!(
        c.q(&["SRANDMEMBER", "s", "-9223372036854775808"]),
        err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    let one = c.q(&["SPOP", "s"]);
    assert!(one.starts_with("$1\r\n"));
    assert_eq!(c.q(&["SCARD", "s"]), int(4));
    let r = c.q(&["SPOP", "s", "3"]);
    assert_eq!(sorted(&r).len(), 3);
    assert_eq!(c.q(&["SCARD", "s"]), int(1));
    let r = c.q(&["SPOP", "s", "10"]);
    assert_eq!(sorted(&r).len(), 1);
    assert_eq!(c.q(&["SCARD", "s"]), int(0));
}

#[test]
fn encoding_switches_keep_replies() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    // intset up to 512 integers, then hashtable.
    for i in 0..512 {
        c.q(&["SADD", "ints", &i.to_string()]);
    }
    c.assert_encoding("ints", "intset");
    c.q(&["SADD", "ints", "512"]);
    c.assert_encoding("ints", "hashtable");
    assert_eq!(c.q(&["SCARD", "ints"]), int(513));
    assert_eq!(c.q(&["SISMEMBER", "ints", "300"]), int(1));
    // intset + a string: listpack while small.
    c.q(&["SADD", "mixed", "1", "2"]);
    c.q(&["SADD", "mixed", "abc"]);
    c.assert_encoding("mixed", "listpack");
    assert_eq!(c.q(&["SMEMBERS", "mixed"]), bulks(&["1", "2", "abc"]));
    // listpack up to 128 members, then hashtable.
    for i in 0..125 {
        c.q(&["SADD", "mixed", &format!("m{i}")]);
    }
    c.assert_encoding("mixed", "listpack");
    c.q(&["SADD", "mixed", "one-more"]);
    c.assert_encoding("mixed", "hashtable");
    assert_eq!(c.q(&["SCARD", "mixed"]), int(129));
    assert_eq!(c.q(&["SISMEMBER", "mixed", "m77"]), int(1));
    assert_eq!(c.q(&["SISMEMBER", "mixed", "2"]), int(1));
    // A long member converts at once.
    c.q(&["SADD", "lv", "a"]);
    c.q(&["SADD", "lv", &"x".repeat(65)]);
    c.assert_encoding("lv", "hashtable");
    // Big-set algebra still answers the same.
    assert_eq!(c.q(&["SINTERCARD", "2", "ints", "mixed"]), int(2));
    let mut all = sorted(&c.q(&["SMEMBERS", "mixed"]));
    all.dedup();
    assert_eq!(all.len(), 129);
    // SSCAN over a hashtable returns everything across calls.
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    loop {
        let r = c.q(&["SSCAN", "ints", &cursor, "COUNT", "20"]);
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
    assert_eq!(seen.len(), 513);
    assert_eq!(c.q(&["SSCAN", "mixed", "x"]), err("ERR invalid cursor"));
    assert_eq!(
        c.q(&["SSCAN", "lv", "0", "COUNT", "0"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["SSCAN", "lv", "0", "NOVALUES"]),
        err("ERR NOVALUES option can only be used in HSCAN")
    );
    c.q(&["SADD", "small", "m1", "m70", "m71", "x"]);
    assert_eq!(
        c.q(&["SSCAN", "small", "0", "MATCH", "m7?"]),
        "*2\r\n$1\r\n0\r\n".to_string() + &bulks(&["m70", "m71"])
    );
}
