//! Bitmap commands: exact replies and errors over the wire, encodings and
//! propagation in-process.

mod common;
mod strings_kit;

use common::TestServer;
use strings_kit::{Local, Wire};

fn wire() -> (TestServer, Wire) {
    let srv = TestServer::start();
    let w = Wire::new(srv.raw());
    (srv, w)
}

const BAD_OFFSET: &str = "-ERR bit offset is not an integer or out of range\r\n";
const SYNTAX: &str = "-ERR syntax error\r\n";

#[test]
fn setbit_getbit() {
    let (_s, mut c) = wire();
    assert_eq!(c.q(&["SETBIT", "k", "1", "1"]), ":0\r\n");
    assert_eq!(c.q(&["GET", "k"]), "$1\r\n@\r\n");
    assert_eq!(c.q(&["SETBIT", "k", "2", "1"]), ":0\r\n");
    assert_eq!(c.q(&["SETBIT", "k", "2", "1"]), ":1\r\n");
    assert_eq!(c.q(&["GET", "k"]), "$1\r\n`\r\n");
    // Integer-encoded: works on the decimal form ("1" = 0x31).
    c.q(&["SET", "i", "1"]);
    assert_eq!(c.q(&["GETBIT", "i", "2"]), ":1\r\n");
    assert_eq!(c.q(&["SETBIT", "i", "6", "1"]), ":0\r\n");
    assert_eq!(c.q(&["GET", "i"]), "$1\r\n3\r\n");
    assert_eq!(c.q(&["SETBIT", "z", "20", "1"]), ":0\r\n");
    assert_eq!(c.qb(&[b"GET", b"z"]), b"$3\r\n\x00\x00\x08\r\n");
    assert_eq!(c.q(&["GETBIT", "z", "20"]), ":1\r\n");
    assert_eq!(c.q(&["GETBIT", "z", "10000"]), ":0\r\n");
    assert_eq!(c.q(&["GETBIT", "nokey", "0"]), ":0\r\n");
    for bad in ["4294967296", "-1", "x", ""] {
        assert_eq!(c.q(&["SETBIT", "k", bad, "1"]), BAD_OFFSET, "{bad:?}");
        assert_eq!(c.q(&["GETBIT", "k", bad]), BAD_OFFSET, "{bad:?}");
    }
    for bad in ["2", "-1", "x", "10"] {
        assert_eq!(
            c.q(&["SETBIT", "k", "0", bad]),
            "-ERR bit is not an integer or out of range\r\n"
        );
    }
    assert_eq!(c.q(&["SETBIT", "k", "8388607", "0"]), ":0\r\n");
    assert_eq!(c.q(&["STRLEN", "k"]), ":1048576\r\n");
}

#[test]
fn bitcount() {
    let (_s, mut c) = wire();
    c.q(&["SET", "k", "foobar"]);
    for (args, want) in [
        (&["BITCOUNT", "k"][..], 26),
        (&["BITCOUNT", "k", "0", "0"], 4),
        (&["BITCOUNT", "k", "1", "1"], 6),
        (&["BITCOUNT", "k", "1", "1", "BYTE"], 6),
        (&["BITCOUNT", "k", "5", "30", "BIT"], 17),
        (&["BITCOUNT", "k", "5", "30", "bit"], 17),
        (&["BITCOUNT", "k", "-2", "-1", "BIT"], 1),
        (&["BITCOUNT", "k", "-1", "-2"], 0),
        (&["BITCOUNT", "k", "0", "-1", "BIT"], 26),
        // Valkey 8+: end is optional.
        (&["BITCOUNT", "k", "1"], 22),
        (&["BITCOUNT", "k", "-2"], 7),
        (&["BITCOUNT", "nokey"], 0),
        (&["BITCOUNT", "nokey", "0", "-1"], 0),
    ] {
        assert_eq!(c.q(args), format!(":{want}\r\n"), "{args:?}");
    }
    assert_eq!(c.q(&["BITCOUNT", "k", "1", "1", "FOO"]), SYNTAX);
    assert_eq!(c.q(&["BITCOUNT", "k", "0", "1", "BYTE", "x"]), SYNTAX);
    assert_eq!(
        c.q(&["BITCOUNT", "k", "a", "b"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    let big = "x".repeat(1000);
    c.q(&["SET", "big", &big]);
    assert_eq!(c.q(&["BITCOUNT", "big"]), ":4000\r\n");
    // 'x' is 0b0111_1000: 2 bits in the first byte's tail, 4 in the last.
    assert_eq!(c.q(&["BITCOUNT", "big", "3", "997", "BIT"]), ":498\r\n");
}

#[test]
fn bitpos() {
    let (_s, mut c) = wire();
    c.qb(&[b"SET", b"k", b"\xff\xf0\x00"]);
    for (args, want) in [
        (&["BITPOS", "k", "0"][..], 12),
        (&["BITPOS", "k", "1", "2", "-1"], -1),
        (&["BITPOS", "k", "0", "2", "-1"], 16),
        (&["BITPOS", "k", "1", "7", "15", "BIT"], 7),
        (&["BITPOS", "k", "0", "7", "15", "BIT"], 12),
        (&["BITPOS", "k", "0", "0", "11", "BIT"], -1),
        (&["BITPOS", "k", "0", "0", "1"], 12),
        (&["BITPOS", "k", "1", "-1", "-1"], -1),
        (&["BITPOS", "nokey", "1"], -1),
        (&["BITPOS", "nokey", "0"], 0),
    ] {
        assert_eq!(c.q(args), format!(":{want}\r\n"), "{args:?}");
    }
    c.qb(&[b"SET", b"ones", b"\xff\xff"]);
    assert_eq!(c.q(&["BITPOS", "ones", "0"]), ":16\r\n");
    assert_eq!(c.q(&["BITPOS", "ones", "0", "0", "-1"]), ":-1\r\n");
    assert_eq!(c.q(&["BITPOS", "ones", "0", "1"]), ":16\r\n");
    assert_eq!(c.q(&["BITPOS", "ones", "1", "3", "9", "BIT"]), ":3\r\n");
    assert_eq!(
        c.q(&["BITPOS", "k", "2"]),
        "-ERR The bit argument must be 1 or 0.\r\n"
    );
    assert_eq!(c.q(&["BITPOS", "k", "1", "0", "-1", "FOO"]), SYNTAX);
    assert_eq!(c.q(&["BITPOS", "k", "1", "0", "-1", "BIT", "5"]), SYNTAX);
}

#[test]
fn bitop() {
    let (_s, mut c) = wire();
    c.q(&["MSET", "a", "foobar", "b", "abcdef"]);
    assert_eq!(c.q(&["BITOP", "AND", "d", "a", "b"]), ":6\r\n");
    assert_eq!(c.q(&["GET", "d"]), "$6\r\n`bc`ab\r\n");
    assert_eq!(c.q(&["BITOP", "or", "d", "a", "b", "nokey"]), ":6\r\n");
    assert_eq!(c.q(&["GET", "d"]), "$6\r\ngoofev\r\n");
    assert_eq!(c.q(&["BITOP", "XOR", "d", "a", "b"]), ":6\r\n");
    assert_eq!(c.qb(&[b"GET", b"d"]), b"$6\r\n\x07\r\x0c\x06\x04\x14\r\n");
    assert_eq!(c.q(&["BITOP", "NOT", "d", "a"]), ":6\r\n");
    assert_eq!(c.qb(&[b"GET", b"d"]), b"$6\r\n\x99\x90\x90\x9d\x9e\x8d\r\n");
    c.q(&["SET", "s", "f"]);
    assert_eq!(c.q(&["BITOP", "AND", "d", "s", "a"]), ":6\r\n");
    assert_eq!(c.qb(&[b"GET", b"d"]), b"$6\r\nf\x00\x00\x00\x00\x00\r\n");
    assert_eq!(c.q(&["BITOP", "AND", "d", "n1", "n2"]), ":0\r\n");
    assert_eq!(c.q(&["GET", "d"]), "$-1\r\n");
    assert_eq!(
        c.q(&["BITOP", "NOT", "d", "a", "b"]),
        "-ERR BITOP NOT must be called with a single source key.\r\n"
    );
    assert_eq!(c.q(&["BITOP", "DIFF", "d", "a", "b"]), SYNTAX);
}

#[test]
fn bitfield() {
    let (_s, mut c) = wire();
    assert_eq!(
        c.q(&["BITFIELD", "k", "SET", "i8", "0", "100", "GET", "i8", "0"]),
        "*2\r\n:0\r\n:100\r\n"
    );
    assert_eq!(
        c.q(&["BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "100"]),
        "*1\r\n:127\r\n"
    );
    assert_eq!(
        c.q(&["BITFIELD", "k", "OVERFLOW", "WRAP", "INCRBY", "i8", "0", "1"]),
        "*1\r\n:-128\r\n"
    );
    assert_eq!(
        c.q(&["BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "5"]),
        "*1\r\n$-1\r\n"
    );
    assert_eq!(
        c.q(&[
            "BITFIELD", "k", "INCRBY", "u2", "100", "1", "INCRBY", "u2", "100", "1", "INCRBY",
            "u2", "100", "1", "INCRBY", "u2", "100", "1"
        ]),
        "*4\r\n:1\r\n:2\r\n:3\r\n:0\r\n"
    );
    assert_eq!(
        c.q(&["BITFIELD", "k", "SET", "i8", "#1", "-5", "GET", "u8", "8", "GET", "i8", "#1"]),
        "*3\r\n:0\r\n:251\r\n:-5\r\n"
    );
    assert_eq!(
        c.q(&[
            "BITFIELD",
            "k64",
            "SET",
            "i64",
            "0",
            "9223372036854775807",
            "INCRBY",
            "i64",
            "0",
            "1"
        ]),
        "*2\r\n:0\r\n:-9223372036854775808\r\n"
    );
    assert_eq!(
        c.q(&["BITFIELD", "k", "SET", "u8", "0", "-1", "GET", "u8", "0"]),
        "*2\r\n:128\r\n:255\r\n"
    );
    assert_eq!(
        c.q(&["BITFIELD", "nokey", "GET", "i8", "0", "GET", "u16", "100"]),
        "*2\r\n:0\r\n:0\r\n"
    );
    assert_eq!(c.q(&["BITFIELD", "k"]), "*0\r\n");
    assert_eq!(
        c.q(&["BITFIELD_RO", "k", "GET", "u8", "0"]),
        "*1\r\n:255\r\n"
    );
    assert_eq!(
        c.q(&["BITFIELD_RO", "k", "SET", "u8", "0", "1"]),
        "-ERR BITFIELD_RO only supports the GET subcommand\r\n"
    );
    let bad_type = "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n";
    for t in ["u64", "i65", "u0", "x8", "U8", "i", "i8x"] {
        assert_eq!(c.q(&["BITFIELD", "k", "GET", t, "0"]), bad_type, "{t}");
    }
    assert_eq!(c.q(&["BITFIELD", "k", "GET", "i8", "-1"]), BAD_OFFSET);
    assert_eq!(
        c.q(&["BITFIELD", "k", "GET", "i8", "4294967296"]),
        BAD_OFFSET
    );
    assert_eq!(c.q(&["BITFIELD", "k", "GET", "i8", "#x"]), BAD_OFFSET);
    assert_eq!(
        c.q(&["BITFIELD", "k", "OVERFLOW", "FOO"]),
        "-ERR Invalid OVERFLOW type specified\r\n"
    );
    assert_eq!(c.q(&["BITFIELD", "k", "FOO"]), SYNTAX);
    assert_eq!(c.q(&["BITFIELD", "k", "GET", "i8"]), SYNTAX);
    assert_eq!(
        c.q(&["BITFIELD", "k", "SET", "i8", "0", "x"]),
        "-ERR value is not an integer or out of range\r\n"
    );
}

#[test]
fn encodings_and_propagation() {
    let mut l = Local::new();
    l.q(&["SET", "k", "abc"]);
    assert_eq!(l.encoding("k"), Some("embstr"));
    // Unsharing makes the value raw even when no bit changes.
    assert_eq!(l.q(&["SETBIT", "k", "1", "1"]), ":1\r\n");
    assert_eq!(l.encoding("k"), Some("raw"));
    l.q(&["SET", "n", "7"]);
    l.q(&["BITFIELD", "n", "GET", "u8", "0"]);
    assert_eq!(l.encoding("n"), Some("int"));
    l.q(&["BITFIELD", "n", "SET", "u8", "0", "55"]);
    assert_eq!(l.encoding("n"), Some("raw"));
    l.q(&["SET", "a", "1"]);
    l.q(&["BITOP", "NOT", "d", "a"]);
    assert_eq!(l.encoding("d"), Some("raw"));
    l.propagated();
    // No change, no propagation.
    l.q(&["SETBIT", "k", "1", "1"]);
    l.q(&["BITFIELD", "n", "SET", "u8", "0", "55"]);
    assert_eq!(l.propagated(), Vec::<String>::new());
    l.q(&["SETBIT", "k", "1", "0"]);
    l.q(&["SETBIT", "new", "0", "0"]);
    l.q(&["BITFIELD", "n", "INCRBY", "u8", "0", "1"]);
    assert_eq!(
        l.propagated(),
        ["SETBIT k 1 0", "SETBIT new 0 0", "BITFIELD n INCRBY u8 0 1"]
    );
    // BITOP with empty result deletes the destination.
    l.q(&["BITOP", "OR", "d", "x", "y"]);
    assert!(!l.exists("d"));
    assert_eq!(l.propagated(), ["BITOP OR d x y"]);
    l.q(&["BITOP", "OR", "d", "x", "y"]);
    assert_eq!(l.propagated(), Vec::<String>::new());
}
