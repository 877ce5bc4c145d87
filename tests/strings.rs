//! String commands: exact replies and errors over the wire, plus encodings,
//! TTLs and propagation checked in-process.

mod common;
mod strings_kit;

use common::TestServer;
use strings_kit::{Local, Wire};

fn wire() -> (TestServer, Wire) {
    let srv = TestServer::start();
    let w = Wire::new(srv.raw());
    (srv, w)
}

const NULL: &str = "$-1\r\n";
const OK: &str = "+OK\r\n";
const SYNTAX: &str = "-ERR syntax error\r\n";
const NOT_INT: &str = "-ERR value is not an integer or out of range\r\n";
const NOT_FLOAT: &str = "-ERR value is not a valid float\r\n";

fn bulk(s: &str) -> String {
    format!("${}\r\n{}\r\n", s.len(), s)
}

#[test]
fn set_get_and_conditions() {
    let (_s, mut c) = wire();
    assert_eq!(c.q(&["GET", "k"]), NULL);
    assert_eq!(c.q(&["SET", "k", "v"]), OK);
    assert_eq!(c.q(&["GET", "k"]), bulk("v"));
    assert_eq!(c.q(&["SET", "k", "x", "NX"]), NULL);
    assert_eq!(c.q(&["SET", "k", "x", "XX"]), OK);
    assert_eq!(c.q(&["SET", "new", "x", "XX"]), NULL);
    assert_eq!(c.q(&["SET", "k", "y", "GET"]), bulk("x"));
    assert_eq!(c.q(&["SET", "n1", "y", "GET"]), NULL);
    assert_eq!(c.q(&["SET", "k", "z", "NX", "GET"]), bulk("y"));
    assert_eq!(c.q(&["GET", "k"]), bulk("y"));
    assert_eq!(c.q(&["SET", "nx2", "z", "NX", "GET"]), NULL);
    assert_eq!(c.q(&["GET", "nx2"]), bulk("z"));
    assert_eq!(c.q(&["SET", "n3", "z", "XX", "GET"]), NULL);
    assert_eq!(c.q(&["GET", "n3"]), NULL);
    // Repeating an option is accepted, the last one wins.
    assert_eq!(c.q(&["SET", "k", "v", "EX", "10", "EX", "20"]), OK);
    assert_eq!(c.q(&["SET", "k", "v", "GET", "GET"]), bulk("v"));
}

#[test]
fn set_option_errors() {
    let (_s, mut c) = wire();
    for bad in [
        &["SET", "k", "v", "NX", "XX"][..],
        &["SET", "k", "v", "XX", "NX"],
        &["SET", "k", "v", "EX", "10", "PX", "10"],
        &["SET", "k", "v", "KEEPTTL", "EX", "10"],
        &["SET", "k", "v", "EX", "10", "KEEPTTL"],
        &["SET", "k", "v", "EX"],
        &["SET", "k", "v", "PERSIST"],
        &["SET", "k", "v", "foo"],
        &["SET", "k", "v", "IFEQ"],
        &["SET", "k", "v", "IFEQ", "a", "NX"],
        &["SET", "k", "v", "NX", "IFEQ", "a"],
        &["SET", "k", "v", "IFEQ", "a", "IFEQ", "b"],
    ] {
        assert_eq!(c.q(bad), SYNTAX, "{bad:?}");
    }
    assert_eq!(c.q(&["SET", "k", "v", "EX", "abc"]), NOT_INT);
    for (args, name) in [
        (&["SET", "k", "v", "EX", "0"][..], "set"),
        (&["SET", "k", "v", "PX", "-1"], "set"),
        (&["SET", "k", "v", "EX", "9223372036854776"], "set"),
        (&["SET", "k", "v", "PX", "9223372036854775807"], "set"),
        (&["SET", "k", "v", "EXAT", "0"], "set"),
        (&["SETEX", "k", "0", "v"], "setex"),
        (&["PSETEX", "k", "-5", "v"], "psetex"),
        (&["GETEX", "k", "EX", "0"], "getex"),
    ] {
        assert_eq!(
            c.q(args),
            format!("-ERR invalid expire time in '{name}' command\r\n"),
            "{args:?}"
        );
    }
    assert_eq!(c.q(&["SETEX", "k", "x", "v"]), NOT_INT);
    assert_eq!(
        c.q(&["SET", "k"]),
        "-ERR wrong number of arguments for 'set' command\r\n"
    );
}

#[test]
fn set_ifeq() {
    let (_s, mut c) = wire();
    assert_eq!(c.q(&["SET", "k", "new", "IFEQ", "old"]), NULL);
    assert_eq!(c.q(&["GET", "k"]), NULL);
    c.q(&["SET", "k", "old"]);
    assert_eq!(c.q(&["SET", "k", "new", "IFEQ", "nope"]), NULL);
    assert_eq!(c.q(&["SET", "k", "new", "IFEQ", "old"]), OK);
    assert_eq!(c.q(&["GET", "k"]), bulk("new"));
    assert_eq!(c.q(&["SET", "k", "x", "IFEQ", "nope", "GET"]), bulk("new"));
    assert_eq!(c.q(&["SET", "k", "x", "IFEQ", "new", "GET"]), bulk("new"));
    assert_eq!(c.q(&["GET", "k"]), bulk("x"));
    // Integers compare by their string form.
    c.q(&["SET", "n", "100"]);
    assert_eq!(c.q(&["SET", "n", "7", "IFEQ", "100"]), OK);
    assert_eq!(c.q(&["SET", "n", "8", "IFEQ", "07"]), NULL);
}

#[test]
fn setnx_getset_getdel_getex_delifeq() {
    let (_s, mut c) = wire();
    assert_eq!(c.q(&["SETNX", "k", "1"]), ":1\r\n");
    assert_eq!(c.q(&["SETNX", "k", "2"]), ":0\r\n");
    assert_eq!(c.q(&["GETSET", "k", "3"]), bulk("1"));
    assert_eq!(c.q(&["GETSET", "g", "3"]), NULL);
    assert_eq!(c.q(&["GETDEL", "k"]), bulk("3"));
    assert_eq!(c.q(&["GETDEL", "k"]), NULL);
    assert_eq!(c.q(&["GETEX", "g"]), bulk("3"));
    assert_eq!(c.q(&["GETEX", "g", "EX", "100"]), bulk("3"));
    assert_eq!(c.q(&["GETEX", "g", "PERSIST"]), bulk("3"));
    assert_eq!(c.q(&["GETEX", "missing", "EX", "100"]), NULL);
    for bad in [
        &["GETEX", "g", "KEEPTTL"][..],
        &["GETEX", "g", "NX"],
        &["GETEX", "g", "GET"],
        &["GETEX", "g", "PERSIST", "EX", "1"],
        &["GETEX", "g", "EX", "1", "PERSIST"],
        &["GETEX", "g", "foo"],
    ] {
        assert_eq!(c.q(bad), SYNTAX, "{bad:?}");
    }
    assert_eq!(c.q(&["GETEX", "g", "EX", "x"]), NOT_INT);
    // Expire arguments are validated before the key is looked up.
    assert_eq!(
        c.q(&["GETEX", "missing", "PX", "0"]),
        "-ERR invalid expire time in 'getex' command\r\n"
    );
    assert_eq!(c.q(&["DELIFEQ", "g", "4"]), ":0\r\n");
    assert_eq!(c.q(&["DELIFEQ", "nokey", "4"]), ":0\r\n");
    assert_eq!(c.q(&["DELIFEQ", "g", "3"]), ":1\r\n");
    assert_eq!(c.q(&["GET", "g"]), NULL);
}

#[test]
fn multi_key_commands() {
    let (_s, mut c) = wire();
    assert_eq!(c.q(&["MSET", "a", "1", "b", "2"]), OK);
    assert_eq!(
        c.q(&["MGET", "a", "nokey", "b"]),
        "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        c.q(&["MSET", "a", "1", "b"]),
        "-ERR wrong number of arguments for 'mset' command\r\n"
    );
    assert_eq!(
        c.q(&["MSETNX", "a", "1", "b"]),
        "-ERR wrong number of arguments for 'msetnx' command\r\n"
    );
    assert_eq!(c.q(&["MSETNX", "x", "1", "a", "9"]), ":0\r\n");
    assert_eq!(c.q(&["GET", "x"]), NULL);
    assert_eq!(c.q(&["MSETNX", "x", "1", "x", "2"]), ":1\r\n");
    assert_eq!(c.q(&["GET", "x"]), bulk("2"));
    assert_eq!(c.q(&["MSET", "d", "x", "d", "y"]), OK);
    assert_eq!(c.q(&["GET", "d"]), bulk("y"));
}

#[test]
fn msetex() {
    let (_s, mut c) = wire();
    assert_eq!(
        c.q(&["MSETEX", "2", "a", "1", "b", "2", "EX", "100"]),
        ":1\r\n"
    );
    assert_eq!(c.q(&["MGET", "a", "b"]), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert_eq!(c.q(&["MSETEX", "2", "a", "1", "c", "3", "NX"]), ":0\r\n");
    assert_eq!(c.q(&["GET", "c"]), NULL);
    assert_eq!(c.q(&["MSETEX", "2", "a", "x", "c", "3", "XX"]), ":0\r\n");
    assert_eq!(c.q(&["GET", "a"]), bulk("1"));
    assert_eq!(
        c.q(&["MSETEX", "2", "a", "x", "b", "y", "XX", "KEEPTTL"]),
        ":1\r\n"
    );
    assert_eq!(
        c.q(&["MSETEX", "1", "c", "3", "PX", "5000", "NX"]),
        ":1\r\n"
    );
    assert_eq!(c.q(&["MSETEX", "1", "d", "4"]), ":1\r\n");
    for bad in ["0", "-1", "x", "2147483648"] {
        assert_eq!(
            c.q(&["MSETEX", bad, "k", "v"]),
            "-ERR invalid numkeys value\r\n"
        );
    }
    assert_eq!(
        c.q(&["MSETEX", "2", "k", "v", "k2"]),
        "-ERR wrong number of key-value pairs\r\n"
    );
    assert_eq!(
        c.q(&["MSETEX", "2147483647", "k", "v", "EX"]),
        "-ERR wrong number of key-value pairs\r\n"
    );
    for bad in [
        &["MSETEX", "1", "k", "v", "NX", "XX"][..],
        &["MSETEX", "1", "k", "v", "EX", "1", "PX", "1"],
        &["MSETEX", "1", "k", "v", "KEEPTTL", "EX", "1"],
        &["MSETEX", "1", "k", "v", "GET"],
        &["MSETEX", "1", "k", "v", "IFEQ", "v"],
        &["MSETEX", "1", "k", "v", "foo"],
    ] {
        assert_eq!(c.q(bad), SYNTAX, "{bad:?}");
    }
    assert_eq!(
        c.q(&["MSETEX", "1", "k", "v", "EX", "0"]),
        "-ERR invalid expire time in 'msetex' command\r\n"
    );
    assert_eq!(
        c.q(&["MSETEX", "1", "k"]),
        "-ERR wrong number of arguments for 'msetex' command\r\n"
    );
}

#[test]
fn append_strlen_ranges() {
    let (_s, mut c) = wire();
    assert_eq!(c.q(&["APPEND", "k", "hello"]), ":5\r\n");
    assert_eq!(c.q(&["APPEND", "k", " world"]), ":11\r\n");
    assert_eq!(c.q(&["STRLEN", "k"]), ":11\r\n");
    assert_eq!(c.q(&["STRLEN", "nokey"]), ":0\r\n");
    c.q(&["SET", "n", "-555"]);
    assert_eq!(c.q(&["STRLEN", "n"]), ":4\r\n");
    assert_eq!(c.q(&["APPEND", "n", "1"]), ":5\r\n");
    assert_eq!(c.q(&["GET", "n"]), bulk("-5551"));

    c.q(&["SET", "r", "Hello World"]);
    for (s, e, want) in [
        ("0", "3", "Hell"),
        ("0", "-1", "Hello World"),
        ("-4", "-1", "orld"),
        ("5", "3", ""),
        ("5", "5000", " World"),
        ("-5000", "10000", "Hello World"),
        ("0", "-100", "H"),
        ("1", "-100", ""),
        ("-1", "-100", ""),
        ("-100", "-99", "H"),
        ("-100", "-101", ""),
        ("0", "4294967297", "Hello World"),
        ("9223372036854775807", "-9223372036854775808", ""),
        ("-9223372036854775808", "9223372036854775807", "Hello World"),
    ] {
        assert_eq!(c.q(&["GETRANGE", "r", s, e]), bulk(want), "{s} {e}");
    }
    c.q(&["SET", "i", "1234"]);
    assert_eq!(c.q(&["GETRANGE", "i", "-3", "-1"]), bulk("234"));
    assert_eq!(c.q(&["SUBSTR", "i", "0", "1"]), bulk("12"));
    assert_eq!(c.q(&["GETRANGE", "nokey", "0", "-1"]), bulk(""));
    assert_eq!(c.q(&["GETRANGE", "r", "x", "1"]), NOT_INT);

    assert_eq!(c.q(&["SETRANGE", "s", "1", "foo"]), ":4\r\n");
    assert_eq!(c.q(&["GET", "s"]), bulk("\0foo"));
    assert_eq!(c.q(&["SETRANGE", "s", "0", ""]), ":4\r\n");
    assert_eq!(c.q(&["SETRANGE", "s2", "5", ""]), ":0\r\n");
    assert_eq!(c.q(&["GET", "s2"]), NULL);
    assert_eq!(c.q(&["SETRANGE", "s", "6", "x"]), ":7\r\n");
    assert_eq!(c.q(&["GET", "s"]), bulk("\0foo\0\0x"));
    assert_eq!(
        c.q(&["SETRANGE", "s", "-1", "x"]),
        "-ERR offset is out of range\r\n"
    );
    assert_eq!(c.q(&["SETRANGE", "s", "x", "x"]), NOT_INT);
    let too_big = "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
    assert_eq!(c.q(&["SETRANGE", "s", "536870911", "xx"]), too_big);
    assert_eq!(c.q(&["SETRANGE", "s3", "536870911", "xx"]), too_big);
    assert_eq!(c.q(&["SETRANGE", "s", "9223372036854775807", "x"]), too_big);
}

#[test]
fn counters() {
    let (_s, mut c) = wire();
    assert_eq!(c.q(&["INCR", "n"]), ":1\r\n");
    assert_eq!(c.q(&["INCRBY", "n", "10"]), ":11\r\n");
    assert_eq!(c.q(&["DECR", "n"]), ":10\r\n");
    assert_eq!(c.q(&["DECRBY", "n", "-5"]), ":15\r\n");
    assert_eq!(c.q(&["INCRBY", "n", "x"]), NOT_INT);
    assert_eq!(
        c.q(&["DECRBY", "n", "-9223372036854775808"]),
        "-ERR decrement would overflow\r\n"
    );
    let overflow = "-ERR increment or decrement would overflow\r\n";
    assert_eq!(c.q(&["INCRBY", "n", "9223372036854775807"]), overflow);
    c.q(&["SET", "m", "-9223372036854775808"]);
    assert_eq!(c.q(&["DECR", "m"]), overflow);
    for v in [" 1", "01", "1.5", "+1", "9223372036854775808", ""] {
        c.q(&["SET", "b", v]);
        assert_eq!(c.q(&["INCR", "b"]), NOT_INT, "{v:?}");
    }
}

#[test]
fn incrbyfloat() {
    let (_s, mut c) = wire();
    c.q(&["SET", "f", "10.5"]);
    assert_eq!(c.q(&["INCRBYFLOAT", "f", "0.1"]), bulk("10.6"));
    c.q(&["SET", "f", "0.1"]);
    assert_eq!(c.q(&["INCRBYFLOAT", "f", "0.2"]), bulk("0.3"));
    c.q(&["SET", "f", "1e20"]);
    assert_eq!(
        c.q(&["INCRBYFLOAT", "f", "0.1"]),
        bulk("100000000000000000000")
    );
    assert_eq!(c.q(&["INCRBYFLOAT", "new", "5.0e3"]), bulk("5000"));
    assert_eq!(c.q(&["INCRBYFLOAT", "new", "-5000"]), bulk("0"));
    assert_eq!(c.q(&["INCRBYFLOAT", "new", "0x10"]), bulk("16"));
    for bad in ["abc", "nan", " 1", "1 ", "1e99999", ""] {
        assert_eq!(c.q(&["INCRBYFLOAT", "new", bad]), NOT_FLOAT, "{bad:?}");
    }
    let nan_inf = "-ERR increment would produce NaN or Infinity\r\n";
    assert_eq!(c.q(&["INCRBYFLOAT", "new", "inf"]), nan_inf);
    c.q(&["SET", "big", "1.1e4932"]);
    assert_eq!(c.q(&["INCRBYFLOAT", "big", "1.1e4932"]), nan_inf);
    c.q(&["SET", "s", "x"]);
    assert_eq!(c.q(&["INCRBYFLOAT", "s", "1"]), NOT_FLOAT);
    c.q(&["SET", "s", "inf"]);
    assert_eq!(c.q(&["INCRBYFLOAT", "s", "1"]), nan_inf);
}

#[test]
fn lcs_reply_shapes() {
    let (_s, mut c) = wire();
    c.q(&["MSET", "a", "ohmytext", "b", "mynewtext"]);
    assert_eq!(c.q(&["LCS", "a", "b"]), bulk("mytext"));
    assert_eq!(c.q(&["LCS", "a", "b", "LEN"]), ":6\r\n");
    assert_eq!(
        c.q(&["LCS", "a", "b", "IDX"]),
        "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n\
         *2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"
    );
    assert_eq!(
        c.q(&["LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"]),
        "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n\
         $3\r\nlen\r\n:6\r\n"
    );
    assert_eq!(
        c.q(&["LCS", "a", "b", "LEN", "IDX"]),
        "-ERR If you want both the length and indexes, please just use IDX.\r\n"
    );
    assert_eq!(c.q(&["LCS", "a", "b", "MINMATCHLEN"]), SYNTAX);
    assert_eq!(c.q(&["LCS", "a", "b", "MINMATCHLEN", "x"]), NOT_INT);
    assert_eq!(c.q(&["LCS", "a", "nokey"]), bulk(""));
    assert_eq!(
        c.q(&["LCS", "x", "y", "IDX"]),
        "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"
    );
    // RESP3: a real map.
    c.q(&["HELLO", "3"]);
    assert_eq!(
        c.q(&["LCS", "a", "b", "IDX", "MINMATCHLEN", "4"]),
        "%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n\
         $3\r\nlen\r\n:6\r\n"
    );
    assert_eq!(c.q(&["GET", "nokey"]), "_\r\n");
}

// ---------------------------------------------------------------------------
// In-process: encodings, TTLs, propagation.
// ---------------------------------------------------------------------------

#[test]
fn object_encodings() {
    let mut l = Local::new();
    let cases: &[(&[&str], &str, &str)] = &[
        (&["SET", "k", "12345"], "k", "int"),
        (&["SET", "k", "-9223372036854775808"], "k", "int"),
        (&["SET", "k", "9223372036854775808"], "k", "embstr"),
        (&["SET", "k", "12345678901234567890"], "k", "embstr"),
        (&["SET", "k", "0123"], "k", "embstr"),
        (&["SET", "k", "+1"], "k", "embstr"),
        (&["SET", "k", "abc"], "k", "embstr"),
        (&["SET", "k", &"a".repeat(44)], "k", "embstr"),
        (&["SET", "k", &"a".repeat(45)], "k", "raw"),
        (&["SETNX", "k2", "7"], "k2", "int"),
        (&["SETEX", "k3", "100", "7"], "k3", "int"),
        (&["GETSET", "k4", "99"], "k4", "int"),
        (&["MSET", "k5", "1", "k6", "x"], "k5", "int"),
        (&["APPEND", "a1", "123"], "a1", "int"),
        (&["APPEND", "a2", "abc"], "a2", "embstr"),
        (&["APPEND", "a1", "4"], "a1", "raw"),
        (&["APPEND", "a2", ""], "a2", "raw"),
        (&["SETRANGE", "r1", "0", "123"], "r1", "raw"),
        (&["INCR", "c1"], "c1", "int"),
        (&["INCRBYFLOAT", "f1", "3"], "f1", "embstr"),
        (&["INCRBYFLOAT", "f2", "1.5"], "f2", "embstr"),
        (&["INCRBYFLOAT", "f3", "1e50"], "f3", "raw"),
    ];
    for (cmd, key, enc) in cases {
        l.q(cmd);
        assert_eq!(l.encoding(key), Some(*enc), "{cmd:?}");
    }
    // SETRANGE with nothing to write leaves the encoding alone.
    l.q(&["SET", "i", "1234"]);
    assert_eq!(l.q(&["SETRANGE", "i", "0", ""]), ":4\r\n");
    assert_eq!(l.encoding("i"), Some("int"));
    assert_eq!(l.q(&["SETRANGE", "i", "0", "2"]), ":4\r\n");
    assert_eq!(l.encoding("i"), Some("raw"));
    // INCR on a raw string that holds a number gives back an int.
    assert_eq!(l.q(&["INCR", "i"]), ":2235\r\n");
    assert_eq!(l.encoding("i"), Some("int"));
}

#[test]
fn ttl_handling() {
    let mut l = Local::new();
    let now = l.now();
    l.q(&["SET", "k", "v", "EX", "100"]);
    assert_eq!(l.expire("k"), Some(now + 100_000));
    l.q(&["SET", "k", "w", "KEEPTTL"]);
    assert_eq!(l.expire("k"), Some(now + 100_000));
    l.q(&["SET", "n", "1", "PX", "5000"]);
    for cmd in [
        &["INCR", "n"][..],
        &["APPEND", "k", "x"],
        &["SETRANGE", "k", "0", "y"],
        &["SETBIT", "k", "100", "1"],
    ] {
        let key = cmd[1];
        let before = l.expire(key);
        assert!(before.is_some());
        l.q(cmd);
        assert_eq!(l.expire(key), before, "{cmd:?} keeps the TTL");
    }
    l.q(&["SET", "f", "1.5", "PXAT", &(now + 7000).to_string()]);
    l.q(&["INCRBYFLOAT", "f", "1"]);
    assert_eq!(l.expire("f"), Some(now + 7000));
    l.q(&["SET", "k", "plain"]);
    assert_eq!(l.expire("k"), None);
    l.q(&["SETEX", "k", "10", "v"]);
    assert_eq!(l.expire("k"), Some(now + 10_000));
    l.q(&["GETSET", "k", "v"]);
    assert_eq!(l.expire("k"), None);
    l.q(&["PSETEX", "k", "1500", "v"]);
    assert_eq!(l.expire("k"), Some(now + 1500));
    l.q(&["GETEX", "k", "PERSIST"]);
    assert_eq!(l.expire("k"), None);
    l.q(&["GETEX", "k", "EXAT", &((now / 1000) + 50).to_string()]);
    assert_eq!(l.expire("k"), Some(((now / 1000) + 50) * 1000));
    l.q(&["MSETEX", "2", "m1", "a", "m2", "b", "PX", "3000"]);
    assert_eq!(l.expire("m1"), Some(now + 3000));
    assert_eq!(l.expire("m2"), Some(now + 3000));
    l.q(&["MSETEX", "1", "m1", "c", "KEEPTTL"]);
    assert_eq!(l.expire("m1"), Some(now + 3000));
    l.q(&["MSETEX", "1", "m1", "c"]);
    assert_eq!(l.expire("m1"), None);
    // An absolute time in the past deletes instead of setting.
    assert_eq!(l.q(&["SET", "m2", "x", "PXAT", "1"]), "+OK\r\n");
    assert!(!l.exists("m2"));
    assert_eq!(l.q(&["GETEX", "m1", "PXAT", "1"]), "$1\r\nc\r\n");
    assert!(!l.exists("m1"));
}

#[test]
fn propagation() {
    let mut l = Local::new();
    let now = l.now();
    let t = |d: i64| (now + d).to_string();
    l.q(&["SET", "k", "v", "EX", "10"]);
    assert_eq!(l.propagated(), [format!("SET k v PXAT {}", t(10_000))]);
    l.q(&["SET", "k", "v", "NX", "GET", "PX", "10"]);
    assert_eq!(l.propagated(), Vec::<String>::new());
    l.q(&["SET", "k", "v2", "XX", "GET", "PX", "10"]);
    assert_eq!(l.propagated(), [format!("SET k v2 PXAT {}", t(10))]);
    l.q(&["SETEX", "k", "5", "v"]);
    assert_eq!(l.propagated(), [format!("SET k v PXAT {}", t(5000))]);
    l.q(&["PSETEX", "k", "5", "v"]);
    assert_eq!(l.propagated(), [format!("SET k v PXAT {}", t(5))]);
    let at = t(99_000);
    l.q(&["SET", "k", "v", "PXAT", &at, "GET"]);
    assert_eq!(l.propagated(), [format!("SET k v PXAT {at} GET")]);
    l.q(&["SET", "k", "w", "GET", "XX", "get"]);
    assert_eq!(l.propagated(), ["SET k w XX"]);
    l.q(&["SET", "k", "z", "KEEPTTL"]);
    assert_eq!(l.propagated(), ["SET k z KEEPTTL"]);
    l.q(&["GETEX", "k"]);
    assert_eq!(l.propagated(), Vec::<String>::new());
    l.q(&["GETEX", "k", "EX", "3"]);
    assert_eq!(l.propagated(), [format!("PEXPIREAT k {}", t(3000))]);
    l.q(&["GETEX", "k", "PERSIST"]);
    assert_eq!(l.propagated(), ["PERSIST k"]);
    l.q(&["GETEX", "k", "PERSIST"]);
    assert_eq!(l.propagated(), Vec::<String>::new());
    l.q(&["GETSET", "k", "1"]);
    assert_eq!(l.propagated(), ["SET k 1"]);
    l.q(&["INCRBYFLOAT", "k", "0.5"]);
    assert_eq!(l.propagated(), ["SET k 1.5 KEEPTTL"]);
    l.q(&["GETDEL", "k"]);
    assert_eq!(l.propagated(), ["DEL k"]);
    l.q(&["GETDEL", "k"]);
    assert_eq!(l.propagated(), Vec::<String>::new());
    l.q(&["SET", "d", "x"]);
    l.q(&["DELIFEQ", "d", "y"]);
    l.q(&["DELIFEQ", "d", "x"]);
    assert_eq!(l.propagated(), ["SET d x", "DEL d"]);
    l.q(&["SET", "d", "x"]);
    l.q(&["SET", "d", "y", "PXAT", "1"]);
    l.q(&["SET", "gone", "y", "PXAT", "1"]);
    assert_eq!(l.propagated(), ["SET d x", "UNLINK d"]);
    l.q(&["MSETEX", "2", "a", "1", "b", "2", "NX", "EX", "1"]);
    assert_eq!(
        l.propagated(),
        [format!("MSETEX 2 a 1 b 2 PXAT {}", t(1000))]
    );
    l.q(&["MSETEX", "1", "a", "3", "XX", "KEEPTTL"]);
    assert_eq!(l.propagated(), ["MSETEX 1 a 3 KEEPTTL"]);
    l.q(&["INCR", "n"]);
    l.q(&["APPEND", "n", "0"]);
    assert_eq!(l.propagated(), ["INCR n", "APPEND n 0"]);
}
