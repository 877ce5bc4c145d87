//! SORT / SORT_RO against the real binary; expected replies are the bytes
//! redis-server 7.0 gave for the same sequence.

mod common;
mod types_support;

use common::TestServer;
use types_support::*;

#[test]
fn sort_matches_reference() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.q(&["rpush", "l", "3", "1", "2", "10", "-5"]), ":5\r\n");
    assert_eq!(
        c.q(&["sort", "l"]),
        "*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n"
    );
    assert_eq!(
        c.q(&["sort", "l", "desc"]),
        "*5\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n$2\r\n-5\r\n"
    );
    assert_eq!(
        c.q(&["sort", "l", "alpha"]),
        "*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        c.q(&["sort", "l", "limit", "1", "2"]),
        "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        c.q(&["sort", "l", "limit", "-5", "2"]),
        "*2\r\n$2\r\n-5\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        c.q(&["sort", "l", "limit", "2", "-1"]),
        "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n"
    );
    assert_eq!(c.q(&["sort", "l", "limit", "10", "5"]), "*0\r\n");
    assert_eq!(
        c.q(&["sort", "l", "desc", "limit", "0", "2"]),
        "*2\r\n$2\r\n10\r\n$1\r\n3\r\n"
    );
    assert_eq!(c.q(&["rpush", "lw", "a", "b", "c"]), ":3\r\n");
    assert_eq!(
        c.q(&["sort", "lw"]),
        "-ERR One or more scores can't be converted into double\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "alpha"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "alpha", "desc"]),
        "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(c.q(&["set", "w_a", "3"]), "+OK\r\n");
    assert_eq!(c.q(&["set", "w_b", "1"]), "+OK\r\n");
    assert_eq!(c.q(&["set", "w_c", "2"]), "+OK\r\n");
    assert_eq!(
        c.q(&["sort", "lw", "by", "w_*"]),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "w_*", "desc"]),
        "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "w_*", "get", "#"]),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "w_*", "get", "#", "get", "w_*"]),
        "*6\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "nosort"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "nosort", "desc"]),
        "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "nosort", "limit", "1", "1"]),
        "*1\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "nosort", "desc", "limit", "1", "1"]),
        "*1\r\n$1\r\nb\r\n"
    );
    assert_eq!(c.q(&["sort", "lw", "by", "nosort", "get", "w_*", "get", "nokey_*", "get", "#"]), "*9\r\n$1\r\n3\r\n$-1\r\n$1\r\na\r\n$1\r\n1\r\n$-1\r\n$1\r\nb\r\n$1\r\n2\r\n$-1\r\n$1\r\nc\r\n");
    assert_eq!(c.q(&["hset", "h_a", "f", "30", "name", "alice"]), ":2\r\n");
    assert_eq!(c.q(&["hset", "h_b", "f", "10", "name", "bob"]), ":2\r\n");
    assert_eq!(c.q(&["hset", "h_c", "f", "20"]), ":1\r\n");
    assert_eq!(
        c.q(&["sort", "lw", "by", "h_*->f", "get", "h_*->name", "get", "#"]),
        "*6\r\n$3\r\nbob\r\n$1\r\nb\r\n$-1\r\n$1\r\nc\r\n$5\r\nalice\r\n$1\r\na\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "h_*->f", "alpha", "desc"]),
        "*3\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "h_*->"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "*"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "get", "h_*->name"]),
        "-ERR One or more scores can't be converted into double\r\n"
    );
    assert_eq!(c.q(&["sort", "lw", "by", "w_*", "store", "out"]), ":3\r\n");
    assert_eq!(
        c.q(&["lrange", "out", "0", "-1"]),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"
    );
    assert_eq!(
        c.q(&[
            "sort",
            "lw",
            "by",
            "w_*",
            "get",
            "h_*->name",
            "store",
            "out2"
        ]),
        ":3\r\n"
    );
    assert_eq!(
        c.q(&["lrange", "out2", "0", "-1"]),
        "*3\r\n$3\r\nbob\r\n$0\r\n\r\n$5\r\nalice\r\n"
    );
    assert_eq!(c.q(&["sort", "nokey"]), "*0\r\n");
    assert_eq!(c.q(&["sort", "nokey", "store", "out"]), ":0\r\n");
    assert_eq!(c.q(&["sadd", "s", "5", "3", "9"]), ":3\r\n");
    assert_eq!(
        c.q(&["sort", "s"]),
        "*3\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n"
    );
    assert_eq!(
        c.q(&["sort", "s", "desc", "limit", "0", "2"]),
        "*2\r\n$1\r\n9\r\n$1\r\n5\r\n"
    );
    assert_eq!(c.q(&["sadd", "s2", "b", "a", "c"]), ":3\r\n");
    assert_eq!(
        c.q(&["sort", "s2", "alpha"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["sort", "s2", "by", "nosort", "store", "out3"]),
        ":3\r\n"
    );
    assert_eq!(
        c.q(&["lrange", "out3", "0", "-1"]),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(c.q(&["zadd", "z", "3", "x", "1", "y", "2", "z"]), ":3\r\n");
    assert_eq!(
        c.q(&["sort", "z", "alpha"]),
        "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n"
    );
    assert_eq!(
        c.q(&["sort", "z", "by", "nosort"]),
        "*3\r\n$1\r\ny\r\n$1\r\nz\r\n$1\r\nx\r\n"
    );
    assert_eq!(
        c.q(&["sort", "z", "by", "nosort", "desc"]),
        "*3\r\n$1\r\nx\r\n$1\r\nz\r\n$1\r\ny\r\n"
    );
    assert_eq!(
        c.q(&["sort", "z", "by", "nosort", "limit", "1", "5"]),
        "*2\r\n$1\r\nz\r\n$1\r\nx\r\n"
    );
    assert_eq!(c.q(&["set", "str", "x"]), "+OK\r\n");
    assert_eq!(
        c.q(&["sort", "str"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(c.q(&["sort", "l", "foo"]), "-ERR syntax error\r\n");
    assert_eq!(c.q(&["sort", "l", "limit", "1"]), "-ERR syntax error\r\n");
    assert_eq!(
        c.q(&["sort", "l", "limit", "a", "b"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(c.q(&["sort", "l", "store"]), "-ERR syntax error\r\n");
    assert_eq!(
        c.q(&["sort_ro", "l", "store", "x"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["sort_ro", "l", "desc"]),
        "*5\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n$2\r\n-5\r\n"
    );
    assert_eq!(c.q(&["rpush", "mixed", "1", "a"]), ":2\r\n");
    assert_eq!(
        c.q(&["sort", "mixed"]),
        "-ERR One or more scores can't be converted into double\r\n"
    );
    assert_eq!(
        c.q(&["sort", "lw", "by", "w_*", "alpha"]),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"
    );
    assert_eq!(c.q(&["set", "w_a", "1.5"]), "+OK\r\n");
    assert_eq!(c.q(&["set", "w_b", "abc"]), "+OK\r\n");
    assert_eq!(
        c.q(&["sort", "lw", "by", "w_*"]),
        "-ERR One or more scores can't be converted into double\r\n"
    );
    assert_eq!(c.q(&["rpush", "eq", "1", "1.0", "01"]), ":3\r\n");
    assert_eq!(
        c.q(&["sort", "eq"]),
        "*3\r\n$2\r\n01\r\n$1\r\n1\r\n$3\r\n1.0\r\n"
    );
}

#[test]
fn store_encodings() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let mut args: Vec<String> = vec!["RPUSH".into(), "l".into()];
    for i in (0..200).rev() {
        args.push(i.to_string());
    }
    c.q(&args.iter().map(|s| s.as_str()).collect::<Vec<_>>());
    assert_eq!(c.q(&["SORT", "l", "STORE", "small"]), int(200));
    c.assert_encoding("small", "listpack");
    assert_eq!(c.q(&["LRANGE", "small", "0", "2"]), bulks(&["0", "1", "2"]));
    let big = "x".repeat(100);
    for i in 0..100 {
        c.q(&["SET", &format!("v_{i}"), &big]);
    }
    assert_eq!(c.q(&["SORT", "l", "GET", "v_*", "STORE", "big"]), int(200));
    c.assert_encoding("big", "quicklist");
    assert_eq!(c.q(&["LINDEX", "big", "0"]), bulk(&big));
    assert_eq!(c.q(&["LINDEX", "big", "150"]), bulk(""));
}
