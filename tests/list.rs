//! List commands against the real binary; expected replies were checked
//! byte-for-byte against redis-server 7.0.

mod common;
mod types_support;

use common::TestServer;
use types_support::*;

#[test]
fn push_pop_len_range() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.q(&["RPUSH", "l", "a", "b", "c", "1", "2", "3"]), int(6));
    assert_eq!(c.q(&["LPUSH", "l", "x", "y"]), int(8));
    assert_eq!(c.q(&["LLEN", "l"]), int(8));
    assert_eq!(c.q(&["LLEN", "nokey"]), int(0));
    assert_eq!(
        c.q(&["LRANGE", "l", "0", "-1"]),
        bulks(&["y", "x", "a", "b", "c", "1", "2", "3"])
    );
    assert_eq!(c.q(&["LRANGE", "l", "-3", "-1"]), bulks(&["1", "2", "3"]));
    assert_eq!(c.q(&["LRANGE", "l", "5", "2"]), EMPTY);
    assert_eq!(c.q(&["LRANGE", "l", "-100", "1"]), bulks(&["y", "x"]));
    assert_eq!(
        c.q(&["LRANGE", "l", "a", "b"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(c.q(&["LPOP", "l"]), bulk("y"));
    assert_eq!(c.q(&["RPOP", "l"]), bulk("3"));
    assert_eq!(c.q(&["LPOP", "l", "2"]), bulks(&["x", "a"]));
    assert_eq!(c.q(&["RPOP", "l", "2"]), bulks(&["2", "1"]));
    assert_eq!(c.q(&["LPOP", "l", "0"]), EMPTY);
    assert_eq!(c.q(&["LPOP", "nokey"]), NIL);
    assert_eq!(c.q(&["LPOP", "nokey", "2"]), NIL_ARRAY);
    assert_eq!(
        c.q(&["LPOP", "l", "-1"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(
        c.q(&["LPOP", "l", "abc"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(
        c.q(&["LPOP", "l", "1", "2"]),
        err("ERR wrong number of arguments for 'lpop' command")
    );
    assert_eq!(c.q(&["RPOP", "l", "10"]), bulks(&["c", "b"]));
    // The emptied list is gone.
    assert_eq!(c.q(&["LLEN", "l"]), int(0));
    assert_eq!(c.q(&["LPUSHX", "l", "a"]), int(0));
    assert_eq!(c.q(&["RPUSH", "l", "a"]), int(1));
    assert_eq!(c.q(&["RPUSHX", "l", "b", "c"]), int(3));
    assert_eq!(c.q(&["LPUSHX", "l", "z"]), int(4));
    assert_eq!(
        c.q(&["LRANGE", "l", "0", "-1"]),
        bulks(&["z", "a", "b", "c"])
    );
}

#[test]
fn index_set_insert() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["RPUSH", "l", "a", "b", "c", "3"]);
    assert_eq!(c.q(&["LINDEX", "l", "0"]), bulk("a"));
    assert_eq!(c.q(&["LINDEX", "l", "-1"]), bulk("3"));
    assert_eq!(c.q(&["LINDEX", "l", "100"]), NIL);
    assert_eq!(
        c.q(&["LINDEX", "l", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(c.q(&["LSET", "l", "1", "Z"]), OK);
    assert_eq!(
        c.q(&["LSET", "l", "100", "Z"]),
        err("ERR index out of range")
    );
    assert_eq!(c.q(&["LSET", "nokey", "0", "a"]), err("ERR no such key"));
    assert_eq!(c.q(&["LINSERT", "l", "before", "a", "NEW"]), int(5));
    assert_eq!(c.q(&["LINSERT", "l", "AFTER", "3", "END"]), int(6));
    assert_eq!(c.q(&["LINSERT", "l", "after", "nopivot", "x"]), int(-1));
    assert_eq!(c.q(&["LINSERT", "nokey", "after", "a", "b"]), int(0));
    assert_eq!(
        c.q(&["LINSERT", "l", "middle", "a", "b"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["LRANGE", "l", "0", "-1"]),
        bulks(&["NEW", "a", "Z", "c", "3", "END"])
    );
}

#[test]
fn lpos_lrem_ltrim() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["RPUSH", "l", "a", "b", "a", "c", "a", "d", "a"]);
    assert_eq!(c.q(&["LPOS", "l", "a"]), int(0));
    assert_eq!(c.q(&["LPOS", "l", "d"]), int(5));
    assert_eq!(c.q(&["LPOS", "l", "zz"]), NIL);
    assert_eq!(c.q(&["LPOS", "l", "a", "RANK", "2"]), int(2));
    assert_eq!(c.q(&["LPOS", "l", "a", "RANK", "-1"]), int(6));
    assert_eq!(
        c.q(&["LPOS", "l", "a", "COUNT", "0"]),
        "*4\r\n:0\r\n:2\r\n:4\r\n:6\r\n"
    );
    assert_eq!(
        c.q(&["LPOS", "l", "a", "COUNT", "2", "RANK", "-2"]),
        "*2\r\n:4\r\n:2\r\n"
    );
    assert_eq!(
        c.q(&["LPOS", "l", "a", "COUNT", "0", "MAXLEN", "3"]),
        "*2\r\n:0\r\n:2\r\n"
    );
    assert_eq!(c.q(&["LPOS", "nokey", "a"]), NIL);
    assert_eq!(c.q(&["LPOS", "nokey", "a", "COUNT", "1"]), EMPTY);
    assert_eq!(c.q(&["LPOS", "l", "a", "RANK", "0"]), err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"));
    assert_eq!(
        c.q(&["LPOS", "l", "a", "COUNT", "-1"]),
        err("ERR COUNT can't be negative")
    );
    assert_eq!(
        c.q(&["LPOS", "l", "a", "MAXLEN", "-1"]),
        err("ERR MAXLEN can't be negative")
    );
    assert_eq!(c.q(&["LPOS", "l", "a", "RANK"]), err("ERR syntax error"));

    assert_eq!(c.q(&["LREM", "l", "2", "a"]), int(2));
    assert_eq!(
        c.q(&["LRANGE", "l", "0", "-1"]),
        bulks(&["b", "c", "a", "d", "a"])
    );
    assert_eq!(c.q(&["LREM", "l", "-1", "a"]), int(1));
    assert_eq!(
        c.q(&["LRANGE", "l", "0", "-1"]),
        bulks(&["b", "c", "a", "d"])
    );
    assert_eq!(c.q(&["LREM", "l", "0", "a"]), int(1));
    assert_eq!(c.q(&["LREM", "nokey", "0", "a"]), int(0));
    assert_eq!(c.q(&["LTRIM", "l", "0", "1"]), OK);
    assert_eq!(c.q(&["LRANGE", "l", "0", "-1"]), bulks(&["b", "c"]));
    assert_eq!(c.q(&["LTRIM", "l", "5", "10"]), OK);
    assert_eq!(c.q(&["LLEN", "l"]), int(0));
    assert_eq!(c.q(&["LTRIM", "nokey", "0", "1"]), OK);
}

#[test]
fn lmove_rpoplpush_lmpop() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["RPUSH", "src", "1", "2", "3"]);
    assert_eq!(c.q(&["RPOPLPUSH", "src", "dst"]), bulk("3"));
    assert_eq!(c.q(&["LMOVE", "src", "dst", "LEFT", "RIGHT"]), bulk("1"));
    assert_eq!(
        c.q(&["LMOVE", "src", "dst", "middle", "RIGHT"]),
        err("ERR syntax error")
    );
    assert_eq!(c.q(&["LRANGE", "dst", "0", "-1"]), bulks(&["3", "1"]));
    // Rotating a one-element list onto itself keeps it.
    assert_eq!(c.q(&["LMOVE", "src", "src", "RIGHT", "LEFT"]), bulk("2"));
    assert_eq!(c.q(&["LRANGE", "src", "0", "-1"]), bulks(&["2"]));
    assert_eq!(c.q(&["RPOPLPUSH", "nosrc", "dst"]), NIL);
    c.q(&["SET", "str", "x"]);
    assert_eq!(c.q(&["LPUSH", "str", "a"]), WRONGTYPE);
    assert_eq!(c.q(&["RPOPLPUSH", "src", "str"]), WRONGTYPE);
    assert_eq!(c.q(&["LRANGE", "src", "0", "-1"]), bulks(&["2"]));

    assert_eq!(
        c.q(&["LMPOP", "2", "nokey", "dst", "LEFT"]),
        "*2\r\n$3\r\ndst\r\n*1\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        c.q(&["LMPOP", "2", "nokey", "src", "RIGHT", "COUNT", "10"]),
        "*2\r\n$3\r\nsrc\r\n*1\r\n$1\r\n2\r\n"
    );
    assert_eq!(c.q(&["LMPOP", "1", "nokey", "LEFT"]), NIL_ARRAY);
    assert_eq!(
        c.q(&["LMPOP", "0", "src", "LEFT"]),
        err("ERR numkeys should be greater than 0")
    );
    assert_eq!(c.q(&["LMPOP", "5", "src", "LEFT"]), err("ERR syntax error"));
    assert_eq!(
        c.q(&["LMPOP", "1", "src", "LEFT", "COUNT"]),
        err("ERR syntax error")
    );
    assert_eq!(
        c.q(&["LMPOP", "1", "src", "LEFT", "COUNT", "0"]),
        err("ERR count should be greater than 0")
    );
}

#[test]
fn encoding_switch_keeps_replies() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    // 8 KiB listpack limit: 100 small elements stay a listpack.
    let mut args: Vec<String> = vec!["RPUSH".into(), "small".into()];
    for i in 0..100 {
        args.push(format!("e{i}"));
    }
    let argr: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    assert_eq!(c.q(&argr), int(100));
    c.assert_encoding("small", "listpack");
    // The same content plus big elements goes past 8 KiB.
    let mut big = args.clone();
    big[1] = "big".into();
    assert_eq!(
        c.q(&big.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        int(100)
    );
    let chunk = "x".repeat(1000);
    for _ in 0..9 {
        c.q(&["RPUSH", "big", &chunk]);
    }
    c.assert_encoding("big", "quicklist");
    let small_range = c.q(&["LRANGE", "small", "0", "99"]);
    assert_eq!(c.q(&["LRANGE", "big", "0", "99"]), small_range);
    assert_eq!(c.q(&["LINDEX", "big", "57"]), bulk("e57"));
    assert_eq!(c.q(&["LINSERT", "big", "BEFORE", "e50", "mid"]), int(110));
    assert_eq!(c.q(&["LPOS", "big", "mid"]), int(50));
    assert_eq!(c.q(&["LREM", "big", "0", "mid"]), int(1));
    // Shrinking far enough converts back.
    for _ in 0..9 {
        c.q(&["RPOP", "big"]);
    }
    c.assert_encoding("big", "listpack");
    assert_eq!(
        c.q(&["LRANGE", "big", "0", "-1"]),
        c.q(&["LRANGE", "small", "0", "-1"])
    );
    // A single element bigger than a node.
    let huge = "h".repeat(10000);
    assert_eq!(c.q(&["LPUSH", "huge", &huge]), int(1));
    c.assert_encoding("huge", "quicklist");
    assert_eq!(c.q(&["LINDEX", "huge", "0"]), bulk(&huge));
}

#[test]
fn blocking_forms_serve_immediately() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.q(&["RPUSH", "l", "a", "b", "c"]);
    assert_eq!(c.q(&["BLPOP", "nokey", "l", "1"]), bulks(&["l", "a"]));
    assert_eq!(c.q(&["BRPOP", "l", "0"]), bulks(&["l", "c"]));
    assert_eq!(c.q(&["BRPOPLPUSH", "l", "d", "0"]), bulk("b"));
    assert_eq!(c.q(&["BLMOVE", "d", "e", "LEFT", "LEFT", "0"]), bulk("b"));
    assert_eq!(
        c.q(&["BLMPOP", "0", "1", "e", "LEFT", "COUNT", "5"]),
        "*2\r\n$1\r\ne\r\n*1\r\n$1\r\nb\r\n"
    );
    assert_eq!(c.q(&["BLPOP", "l", "-1"]), err("ERR timeout is negative"));
    assert_eq!(
        c.q(&["BLPOP", "l", "abc"]),
        err("ERR timeout is not a float or out of range")
    );
    assert_eq!(
        c.q(&["BLPOP", "l", "inf"]),
        err("ERR timeout is out of range")
    );
    assert_eq!(
        c.q(&["BLMOVE", "l", "d", "up", "LEFT", "0"]),
        err("ERR syntax error")
    );
    c.q(&["SET", "s", "x"]);
    assert_eq!(c.q(&["BLPOP", "s", "l", "0"]), WRONGTYPE);
    // Nothing to serve: times out with a null array.
    assert_eq!(c.q(&["BLPOP", "nokey", "0.05"]), NIL_ARRAY);
}
