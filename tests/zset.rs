//! Sorted set commands against the real binary. Most expected replies are
//! the bytes redis-server 7.0 gave for the same command sequence; score
//! formatting follows Valkey (shortest round-trip: `0.1`, where Redis 7.0
//! printed `0.10000000000000001`), and ZRANK WITHSCORE / ZSCAN NOSCORES are
//! Valkey 8 additions.

mod common;
mod types_support;

use common::TestServer;
use types_support::*;

#[test]
fn commands_match_reference() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.q(&["zadd", "z", "1", "a", "2", "b", "3", "c"]), ":3\r\n");
    assert_eq!(c.q(&["zadd", "z", "1.5", "x", "2", "y"]), ":2\r\n");
    assert_eq!(c.q(&["zadd", "z", "nx", "10", "a", "4", "d"]), ":1\r\n");
    assert_eq!(c.q(&["zadd", "z", "xx", "10", "a", "4", "e"]), ":0\r\n");
    assert_eq!(c.q(&["zadd", "z", "xx", "ch", "11", "a"]), ":1\r\n");
    assert_eq!(c.q(&["zadd", "z", "gt", "5", "a"]), ":0\r\n");
    assert_eq!(c.q(&["zadd", "z", "lt", "5", "a"]), ":0\r\n");
    assert_eq!(c.q(&["zadd", "z", "incr", "1", "a"]), "$1\r\n6\r\n");
    assert_eq!(
        c.q(&["zadd", "z", "incr", "1", "a", "2", "b"]),
        "-ERR INCR option supports a single increment-element pair\r\n"
    );
    assert_eq!(
        c.q(&["zadd", "z", "nx", "xx", "1", "a"]),
        "-ERR XX and NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        c.q(&["zadd", "z", "gt", "lt", "1", "a"]),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        c.q(&["zadd", "z", "gt", "nx", "1", "a"]),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    assert_eq!(c.q(&["zadd", "z", "1", "a", "2"]), "-ERR syntax error\r\n");
    assert_eq!(
        c.q(&["zadd", "z", "abc", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        c.q(&["zadd", "z", "nan", "a"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(c.q(&["zadd", "z", "inf", "a"]), ":0\r\n");
    assert_eq!(
        c.q(&["zadd", "z", "incr", "-inf", "a"]),
        "-ERR resulting score is not a number (NaN)\r\n"
    );
    assert_eq!(c.q(&["zadd", "z", "xx", "incr", "1", "nope"]), "$-1\r\n");
    assert_eq!(c.q(&["zadd", "z", "gt", "incr", "-100", "a"]), "$-1\r\n");
    assert_eq!(c.q(&["zadd", "nokey", "xx", "1", "a"]), ":0\r\n");
    assert_eq!(c.q(&["zadd", "z", "-inf", "minusinf"]), ":1\r\n");
    assert_eq!(
        c.q(&["zadd", "z", "1e400", "over"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(c.q(&["zincrby", "z", "2.5", "b"]), "$3\r\n4.5\r\n");
    assert_eq!(
        c.q(&["zincrby", "z", "abc", "b"]),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(c.q(&["zcard", "z"]), ":7\r\n");
    assert_eq!(c.q(&["zcard", "nokey"]), ":0\r\n");
    assert_eq!(c.q(&["zscore", "z", "b"]), "$3\r\n4.5\r\n");
    assert_eq!(c.q(&["zscore", "z", "nope"]), "$-1\r\n");
    assert_eq!(c.q(&["zscore", "nokey", "a"]), "$-1\r\n");
    assert_eq!(
        c.q(&["zmscore", "z", "a", "nope", "b"]),
        "*3\r\n$3\r\ninf\r\n$-1\r\n$3\r\n4.5\r\n"
    );
    assert_eq!(c.q(&["zmscore", "nokey", "a"]), "*1\r\n$-1\r\n");
    assert_eq!(c.q(&["zrank", "z", "b"]), ":5\r\n");
    assert_eq!(c.q(&["zrank", "z", "nope"]), "$-1\r\n");
    assert_eq!(c.q(&["zrevrank", "z", "b"]), ":1\r\n");
    assert_eq!(c.q(&["zrank", "nokey", "a"]), "$-1\r\n");
    assert_eq!(c.q(&["zrange", "z", "0", "-1"]), "*7\r\n$8\r\nminusinf\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n");
    assert_eq!(c.q(&["zrange", "z", "0", "-1", "withscores"]), "*14\r\n$8\r\nminusinf\r\n$4\r\n-inf\r\n$1\r\nx\r\n$3\r\n1.5\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$3\r\n4.5\r\n$1\r\na\r\n$3\r\ninf\r\n");
    assert_eq!(c.q(&["zrange", "z", "2", "1"]), "*0\r\n");
    assert_eq!(
        c.q(&["zrange", "z", "-3", "-1", "withscores"]),
        "*6\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$3\r\n4.5\r\n$1\r\na\r\n$3\r\ninf\r\n"
    );
    assert_eq!(c.q(&["zrange", "z", "0", "-1", "rev"]), "*7\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\ny\r\n$1\r\nx\r\n$8\r\nminusinf\r\n");
    assert_eq!(
        c.q(&["zrange", "z", "a", "b"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(c.q(&["zrange", "z", "0", "1", "limit", "0", "1"]), "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    assert_eq!(
        c.q(&["zrange", "z", "(1", "3", "byscore"]),
        "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "z", "(1", "3", "byscore", "withscores"]),
        "*6\r\n$1\r\nx\r\n$3\r\n1.5\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "z", "3", "(1", "byscore", "rev", "withscores"]),
        "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nx\r\n$3\r\n1.5\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "2"]),
        "*2\r\n$1\r\nx\r\n$1\r\ny\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "-1"]),
        "*6\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "z", "-inf", "+inf", "byscore", "limit", "-1", "2"]),
        "*0\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "z", "-inf", "+inf", "byscore", "limit", "100", "2"]),
        "*0\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "z", "x", "y", "byscore"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(c.q(&["zrange", "z", "[a", "[z", "bylex"]), "*7\r\n$8\r\nminusinf\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n");
    assert_eq!(
        c.q(&["zrange", "z", "[a", "[z", "bylex", "withscores"]),
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "z", "0", "-1", "foo"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.q(&["zrange", "nokey", "0", "-1"]), "*0\r\n");
    assert_eq!(
        c.q(&["zrevrange", "z", "0", "1", "withscores"]),
        "*4\r\n$1\r\na\r\n$3\r\ninf\r\n$1\r\nb\r\n$3\r\n4.5\r\n"
    );
    assert_eq!(
        c.q(&["zrevrange", "z", "0", "1", "rev"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&[
            "zrangebyscore",
            "z",
            "-inf",
            "+inf",
            "withscores",
            "limit",
            "0",
            "3"
        ]),
        "*6\r\n$8\r\nminusinf\r\n$4\r\n-inf\r\n$1\r\nx\r\n$3\r\n1.5\r\n$1\r\ny\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        c.q(&["zrangebyscore", "z", "(1.5", "+inf"]),
        "*5\r\n$1\r\ny\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        c.q(&["zrangebyscore", "z", "1", "2", "byscore"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["zrevrangebyscore", "z", "+inf", "-inf", "limit", "0", "2"]),
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(c.q(&["zrevrangebyscore", "z", "1", "2"]), "*0\r\n");
    assert_eq!(
        c.q(&["zadd", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"]),
        ":5\r\n"
    );
    assert_eq!(
        c.q(&["zrangebylex", "lex", "-", "+"]),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        c.q(&["zrangebylex", "lex", "[b", "(d"]),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["zrangebylex", "lex", "(b", "+"]),
        "*3\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(c.q(&["zrangebylex", "lex", "+", "-"]), "*0\r\n");
    assert_eq!(
        c.q(&["zrevrangebylex", "lex", "+", "-", "limit", "1", "2"]),
        "*2\r\n$1\r\nd\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["zrevrangebylex", "lex", "[d", "[b"]),
        "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        c.q(&["zrangebylex", "lex", "a", "b"]),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(c.q(&["zlexcount", "lex", "-", "+"]), ":5\r\n");
    assert_eq!(c.q(&["zlexcount", "lex", "[b", "[c"]), ":2\r\n");
    assert_eq!(c.q(&["zlexcount", "lex", "(e", "+"]), ":0\r\n");
    assert_eq!(c.q(&["zcount", "z", "-inf", "+inf"]), ":7\r\n");
    assert_eq!(c.q(&["zcount", "z", "(1", "3"]), ":3\r\n");
    assert_eq!(
        c.q(&["zcount", "z", "x", "3"]),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(c.q(&["zcount", "nokey", "0", "1"]), ":0\r\n");
    assert_eq!(c.q(&["zrangestore", "dst", "z", "0", "-1"]), ":7\r\n");
    assert_eq!(c.q(&["zrange", "dst", "0", "-1", "withscores"]), "*14\r\n$8\r\nminusinf\r\n$4\r\n-inf\r\n$1\r\nx\r\n$3\r\n1.5\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$3\r\n4.5\r\n$1\r\na\r\n$3\r\ninf\r\n");
    assert_eq!(
        c.q(&[
            "zrangestore",
            "dst",
            "z",
            "1",
            "3",
            "byscore",
            "limit",
            "0",
            "1"
        ]),
        ":1\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "dst", "0", "-1", "withscores"]),
        "*2\r\n$1\r\nx\r\n$3\r\n1.5\r\n"
    );
    assert_eq!(c.q(&["zrangestore", "dst", "nokey", "0", "-1"]), ":0\r\n");
    assert_eq!(
        c.q(&["zrangestore", "dst", "z", "0", "-1", "withscores"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.q(&["zremrangebyrank", "lex", "0", "0"]), ":1\r\n");
    assert_eq!(c.q(&["zremrangebyscore", "z", "(10", "+inf"]), ":1\r\n");
    assert_eq!(c.q(&["zremrangebylex", "lex", "[c", "[d"]), ":2\r\n");
    assert_eq!(
        c.q(&["zrange", "lex", "0", "-1"]),
        "*2\r\n$1\r\nb\r\n$1\r\ne\r\n"
    );
    assert_eq!(c.q(&["zremrangebyrank", "nokey", "0", "-1"]), ":0\r\n");
    assert_eq!(c.q(&["zremrangebyrank", "lex", "5", "10"]), ":0\r\n");
    assert_eq!(
        c.q(&["zpopmin", "z"]),
        "*2\r\n$8\r\nminusinf\r\n$4\r\n-inf\r\n"
    );
    assert_eq!(c.q(&["zpopmax", "z"]), "*2\r\n$1\r\nb\r\n$3\r\n4.5\r\n");
    assert_eq!(
        c.q(&["zpopmin", "z", "2"]),
        "*4\r\n$1\r\nx\r\n$3\r\n1.5\r\n$1\r\ny\r\n$1\r\n2\r\n"
    );
    assert_eq!(c.q(&["zpopmin", "z", "0"]), "*0\r\n");
    assert_eq!(
        c.q(&["zpopmin", "z", "-1"]),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(c.q(&["zpopmin", "nokey"]), "*0\r\n");
    assert_eq!(c.q(&["zpopmin", "nokey", "2"]), "*0\r\n");
    assert_eq!(c.q(&["zpopmin", "z", "1", "2"]), "-ERR syntax error\r\n");
    assert_eq!(
        c.q(&["zmpop", "1", "z", "min"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        c.q(&["zmpop", "2", "nokey", "z", "max", "count", "10"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(c.q(&["zmpop", "1", "nokey", "min"]), "*-1\r\n");
    assert_eq!(
        c.q(&["zmpop", "0", "z", "min"]),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(c.q(&["zmpop", "1", "z", "middle"]), "-ERR syntax error\r\n");
    assert_eq!(
        c.q(&["zmpop", "1", "z", "min", "count", "0"]),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(c.q(&["zadd", "z", "1", "a", "2", "b"]), ":2\r\n");
    assert_eq!(
        c.q(&["bzpopmin", "nokey", "z", "0"]),
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        c.q(&["bzpopmax", "z", "1"]),
        "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(c.q(&["bzpopmin", "nokey", "0.01"]), "*-1\r\n");
    assert_eq!(c.q(&["bzmpop", "0.01", "1", "nokey", "min"]), "*-1\r\n");
    assert_eq!(c.q(&["zadd", "z", "5", "q"]), ":1\r\n");
    assert_eq!(
        c.q(&["bzmpop", "0", "1", "z", "max", "count", "3"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nq\r\n$1\r\n5\r\n"
    );
    assert_eq!(c.q(&["set", "str", "x"]), "+OK\r\n");
    assert_eq!(
        c.q(&["zadd", "str", "1", "a"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "str", "0", "1"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        c.q(&["bzpopmin", "str", "0"]),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        c.q(&["zunion", "0", "z"]),
        "-ERR at least 1 input key is needed for 'zunion' command\r\n"
    );
    assert_eq!(c.q(&["zunion", "2", "z"]), "-ERR syntax error\r\n");
}

#[test]
fn algebra_scan_random() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.q(&["zadd", "z1", "1", "a", "2", "b", "3", "c"]), ":3\r\n");
    assert_eq!(
        c.q(&["zadd", "z2", "10", "b", "20", "c", "30", "d"]),
        ":3\r\n"
    );
    assert_eq!(c.q(&["sadd", "s1", "a", "d", "e"]), ":3\r\n");
    assert_eq!(
        c.q(&["zunion", "2", "z1", "z2"]),
        "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"
    );
    assert_eq!(c.q(&["zunion", "2", "z1", "z2", "withscores"]), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(c.q(&["zunion", "2", "z1", "z2", "weights", "2", "3", "withscores"]), "*8\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$2\r\n34\r\n$1\r\nc\r\n$2\r\n66\r\n$1\r\nd\r\n$2\r\n90\r\n");
    assert_eq!(c.q(&["zunion", "2", "z1", "z2", "aggregate", "min", "withscores"]), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(c.q(&["zunion", "2", "z1", "z2", "aggregate", "max", "withscores"]), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n10\r\n$1\r\nc\r\n$2\r\n20\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(
        c.q(&["zunion", "2", "z1", "z2", "weights", "1", "withscores"]),
        "-ERR weight value is not a float\r\n"
    );
    assert_eq!(
        c.q(&["zunion", "2", "z1", "z2", "weights", "1", "x"]),
        "-ERR weight value is not a float\r\n"
    );
    assert_eq!(
        c.q(&["zunion", "2", "z1", "z2", "aggregate", "foo"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.q(&["zunion", "3", "z1", "z2", "s1", "withscores"]), "*10\r\n$1\r\ne\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n31\r\n");
    assert_eq!(
        c.q(&["zinter", "2", "z1", "z2", "withscores"]),
        "*4\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n"
    );
    assert_eq!(
        c.q(&["zinter", "3", "z1", "z2", "s1", "withscores"]),
        "*0\r\n"
    );
    assert_eq!(
        c.q(&["zinter", "2", "z1", "s1", "withscores"]),
        "*2\r\n$1\r\na\r\n$1\r\n2\r\n"
    );
    assert_eq!(c.q(&["zinter", "2", "z1", "nokey"]), "*0\r\n");
    assert_eq!(
        c.q(&["zinter", "2", "z1", "z1", "withscores"]),
        "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n6\r\n"
    );
    assert_eq!(
        c.q(&["zdiff", "2", "z1", "z2", "withscores"]),
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        c.q(&["zdiff", "2", "z1", "s1"]),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        c.q(&["zdiff", "1", "z1", "withscores"]),
        "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(c.q(&["zdiff", "2", "z1", "z1"]), "*0\r\n");
    assert_eq!(
        c.q(&["zdiff", "2", "z1", "z2", "weights", "1", "2"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["zunion", "0", "z1"]),
        "-ERR at least 1 input key is needed for 'zunion' command\r\n"
    );
    assert_eq!(
        c.q(&["zunion", "-1", "z1"]),
        "-ERR at least 1 input key is needed for 'zunion' command\r\n"
    );
    assert_eq!(c.q(&["zunion", "3", "z1", "z2"]), "-ERR syntax error\r\n");
    assert_eq!(
        c.q(&["zinter", "2", "z1", "z2", "foo"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.q(&["zunionstore", "dst", "2", "z1", "z2"]), ":4\r\n");
    assert_eq!(c.q(&["zrange", "dst", "0", "-1", "withscores"]), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(
        c.q(&["zinterstore", "dst", "2", "z1", "z2", "weights", "1", "-1"]),
        ":2\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "dst", "0", "-1", "withscores"]),
        "*4\r\n$1\r\nc\r\n$3\r\n-17\r\n$1\r\nb\r\n$2\r\n-8\r\n"
    );
    assert_eq!(c.q(&["zdiffstore", "dst", "2", "z1", "z2"]), ":1\r\n");
    assert_eq!(
        c.q(&["zrange", "dst", "0", "-1", "withscores"]),
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(c.q(&["zinterstore", "dst", "2", "z1", "nokey"]), ":0\r\n");
    assert_eq!(c.q(&["zrange", "dst", "0", "-1"]), "*0\r\n");
    assert_eq!(
        c.q(&["zunionstore", "dst", "2", "z1", "z2", "withscores"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.q(&["zintercard", "2", "z1", "z2"]), ":2\r\n");
    assert_eq!(
        c.q(&["zintercard", "2", "z1", "z2", "limit", "1"]),
        ":1\r\n"
    );
    assert_eq!(
        c.q(&["zintercard", "0", "z1"]),
        "-ERR at least 1 input key is needed for 'zintercard' command\r\n"
    );
    assert_eq!(
        c.q(&["zintercard", "2", "z1", "z2", "limit", "-1"]),
        "-ERR LIMIT can't be negative\r\n"
    );
    assert_eq!(
        c.q(&["zintercard", "2", "z1", "z2", "weights", "1", "2"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["zintercard", "3", "z1", "z2"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.q(&["zadd", "inf", "1", "a"]), ":1\r\n");
    assert_eq!(
        c.q(&[
            "zunion",
            "2",
            "inf",
            "inf",
            "weights",
            "inf",
            "-inf",
            "withscores"
        ]),
        "*2\r\n$1\r\na\r\n$1\r\n0\r\n"
    );
    assert_eq!(
        c.q(&[
            "zadd",
            "zs",
            "1.5",
            "a",
            "2.25",
            "b",
            "0.1",
            "c",
            "1e20",
            "d",
            "-0.0000001",
            "e"
        ]),
        ":5\r\n"
    );
    assert_eq!(c.q(&["zrange", "zs", "0", "-1", "withscores"]), "*10\r\n$1\r\ne\r\n$6\r\n-1e-07\r\n$1\r\nc\r\n$3\r\n0.1\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$4\r\n2.25\r\n$1\r\nd\r\n$5\r\n1e+20\r\n");
    assert_eq!(c.q(&["zscore", "zs", "c"]), "$3\r\n0.1\r\n");
    assert_eq!(
        c.q(&["zincrby", "zs", "0.2", "c"]),
        "$19\r\n0.30000000000000004\r\n"
    );
    assert_eq!(c.q(&["zscan", "zs", "0"]), "*2\r\n$1\r\n0\r\n*10\r\n$1\r\ne\r\n$6\r\n-1e-07\r\n$1\r\nc\r\n$19\r\n0.30000000000000004\r\n$1\r\na\r\n$3\r\n1.5\r\n$1\r\nb\r\n$4\r\n2.25\r\n$1\r\nd\r\n$5\r\n1e+20\r\n");
    assert_eq!(
        c.q(&["zscan", "zs", "0", "match", "a*"]),
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$3\r\n1.5\r\n"
    );
    assert_eq!(
        c.q(&["zscan", "zs", "0", "noscores"]),
        "*2\r\n$1\r\n0\r\n*5\r\n$1\r\ne\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n"
    );
    assert_eq!(c.q(&["zscan", "nokey", "0"]), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert_eq!(c.q(&["zscan", "zs", "x"]), "-ERR invalid cursor\r\n");
    assert_eq!(c.q(&["zrandmember", "nokey"]), "$-1\r\n");
    assert_eq!(c.q(&["zrandmember", "nokey", "3"]), "*0\r\n");
    assert_eq!(c.q(&["zrandmember", "zs", "0"]), "*0\r\n");
    assert_eq!(
        c.q(&["zrandmember", "zs", "-5", "x"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.q(&["zrandmember", "zs", "9223372036854775807", "withscores"]),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        c.q(&["zrank", "zs", "a", "withscore"]),
        "*2\r\n:2\r\n$3\r\n1.5\r\n"
    );
    assert_eq!(c.q(&["zrank", "zs", "nope", "withscore"]), "*-1\r\n");
    assert_eq!(c.q(&["zrank", "nokey", "nope", "withscore"]), "*-1\r\n");
    assert_eq!(c.q(&["zrank", "zs", "a", "foo"]), "-ERR syntax error\r\n");
    // Asking for more than there is returns all, from the top.
    assert_eq!(
        c.q(&["ZRANDMEMBER", "zs", "10"]),
        bulks(&["d", "b", "a", "c", "e"])
    );
}

/// A skiplist-encoded set (more than 128 members).
#[test]
fn big_sets_match_reference() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let mut args: Vec<String> = vec!["ZADD".into(), "big".into()];
    for i in 0..300 {
        args.push((((i * 37) % 101) - 50).to_string());
        args.push(format!("m{i:03}"));
    }
    assert_eq!(
        c.q(&args.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        int(300)
    );
    for i in (0..300).step_by(7) {
        c.q(&[
            "ZADD",
            "big",
            &(((i * 53) % 121) - 60).to_string(),
            &format!("n{i}"),
        ]);
    }
    c.assert_encoding("big", "skiplist");
    assert_eq!(c.q(&["zcard", "big"]), ":343\r\n");
    assert_eq!(c.q(&["zrange", "big", "0", "20", "withscores"]), "*42\r\n$2\r\nn0\r\n$3\r\n-60\r\n$4\r\nn217\r\n$3\r\n-54\r\n$4\r\nn112\r\n$3\r\n-53\r\n$2\r\nn7\r\n$3\r\n-52\r\n$4\r\nm000\r\n$3\r\n-50\r\n$4\r\nm101\r\n$3\r\n-50\r\n$4\r\nm202\r\n$3\r\n-50\r\n$4\r\nm071\r\n$3\r\n-49\r\n$4\r\nm172\r\n$3\r\n-49\r\n$4\r\nm273\r\n$3\r\n-49\r\n$4\r\nm041\r\n$3\r\n-48\r\n$4\r\nm142\r\n$3\r\n-48\r\n$4\r\nm243\r\n$3\r\n-48\r\n$4\r\nm011\r\n$3\r\n-47\r\n$4\r\nm112\r\n$3\r\n-47\r\n$4\r\nm213\r\n$3\r\n-47\r\n$4\r\nm082\r\n$3\r\n-46\r\n$4\r\nm183\r\n$3\r\n-46\r\n$4\r\nm284\r\n$3\r\n-46\r\n$4\r\nn224\r\n$3\r\n-46\r\n$4\r\nm052\r\n$3\r\n-45\r\n");
    assert_eq!(c.q(&["zrange", "big", "-20", "-1"]), "*20\r\n$4\r\nm281\r\n$4\r\nm049\r\n$4\r\nm150\r\n$4\r\nm251\r\n$4\r\nm019\r\n$4\r\nm120\r\n$4\r\nm221\r\n$4\r\nm090\r\n$4\r\nm191\r\n$4\r\nm292\r\n$4\r\nm060\r\n$4\r\nm161\r\n$4\r\nm262\r\n$4\r\nm030\r\n$4\r\nm131\r\n$4\r\nm232\r\n$4\r\nn203\r\n$3\r\nn98\r\n$4\r\nn210\r\n$4\r\nn105\r\n");
    assert_eq!(c.q(&["zrange", "big", "100", "110", "rev", "withscores"]), "*22\r\n$4\r\nm092\r\n$2\r\n21\r\n$3\r\nn70\r\n$2\r\n20\r\n$4\r\nm223\r\n$2\r\n20\r\n$4\r\nm122\r\n$2\r\n20\r\n$4\r\nm021\r\n$2\r\n20\r\n$4\r\nn175\r\n$2\r\n19\r\n$4\r\nm253\r\n$2\r\n19\r\n$4\r\nm152\r\n$2\r\n19\r\n$4\r\nm051\r\n$2\r\n19\r\n$4\r\nn280\r\n$2\r\n18\r\n$4\r\nm283\r\n$2\r\n18\r\n");
    assert_eq!(c.q(&["zrangebyscore", "big", "-10", "10", "limit", "5", "10", "withscores"]), "*20\r\n$4\r\nm285\r\n$2\r\n-9\r\n$4\r\nm053\r\n$2\r\n-8\r\n$4\r\nm154\r\n$2\r\n-8\r\n$4\r\nm255\r\n$2\r\n-8\r\n$4\r\nm023\r\n$2\r\n-7\r\n$4\r\nm124\r\n$2\r\n-7\r\n$4\r\nm225\r\n$2\r\n-7\r\n$4\r\nm094\r\n$2\r\n-6\r\n$4\r\nm195\r\n$2\r\n-6\r\n$4\r\nm296\r\n$2\r\n-6\r\n");
    assert_eq!(c.q(&["zrevrangebyscore", "big", "(10", "(-10", "limit", "3", "7"]), "*7\r\n$4\r\nm280\r\n$4\r\nm179\r\n$4\r\nm078\r\n$4\r\nm209\r\n$4\r\nm108\r\n$4\r\nm007\r\n$4\r\nm239\r\n");
    assert_eq!(c.q(&["zcount", "big", "-5", "(5"]), ":35\r\n");
    assert_eq!(c.q(&["zcount", "big", "(50", "+inf"]), ":4\r\n");
    assert_eq!(c.q(&["zrank", "big", "m100"]), ":219\r\n");
    assert_eq!(c.q(&["zrevrank", "big", "m100"]), ":123\r\n");
    assert_eq!(c.q(&["zrank", "big", "n14"]), ":27\r\n");
    assert_eq!(c.q(&["zscore", "big", "m007"]), "$1\r\n7\r\n");
    assert_eq!(
        c.q(&["zrange", "big", "[m1", "(m2", "bylex", "limit", "0", "5"]),
        "*0\r\n"
    );
    assert_eq!(c.q(&["zremrangebyscore", "big", "40", "45"]), ":19\r\n");
    assert_eq!(c.q(&["zcard", "big"]), ":324\r\n");
    assert_eq!(c.q(&["zremrangebyrank", "big", "0", "9"]), ":10\r\n");
    assert_eq!(c.q(&["zcard", "big"]), ":314\r\n");
    assert_eq!(c.q(&["zrange", "big", "0", "5", "withscores"]), "*12\r\n$4\r\nm041\r\n$3\r\n-48\r\n$4\r\nm142\r\n$3\r\n-48\r\n$4\r\nm243\r\n$3\r\n-48\r\n$4\r\nm011\r\n$3\r\n-47\r\n$4\r\nm112\r\n$3\r\n-47\r\n$4\r\nm213\r\n$3\r\n-47\r\n");
    assert_eq!(
        c.q(&["zpopmax", "big", "3"]),
        "*6\r\n$4\r\nn105\r\n$2\r\n60\r\n$4\r\nn210\r\n$2\r\n59\r\n$3\r\nn98\r\n$2\r\n52\r\n"
    );
    assert_eq!(
        c.q(&["zpopmin", "big", "3"]),
        "*6\r\n$4\r\nm041\r\n$3\r\n-48\r\n$4\r\nm142\r\n$3\r\n-48\r\n$4\r\nm243\r\n$3\r\n-48\r\n"
    );
    assert_eq!(
        c.q(&["zmpop", "1", "big", "max", "count", "2"]),
        "*2\r\n$3\r\nbig\r\n*2\r\n*2\r\n$4\r\nn203\r\n$2\r\n51\r\n*2\r\n$4\r\nm232\r\n$2\r\n50\r\n"
    );
    assert_eq!(c.q(&["zincrby", "big", "1000", "m150"]), "$4\r\n1046\r\n");
    assert_eq!(
        c.q(&["zrevrange", "big", "0", "2", "withscores"]),
        "*6\r\n$4\r\nm150\r\n$4\r\n1046\r\n$4\r\nm131\r\n$2\r\n50\r\n$4\r\nm030\r\n$2\r\n50\r\n"
    );
    assert_eq!(
        c.q(&["zadd", "big", "xx", "incr", "-2000", "m150"]),
        "$4\r\n-954\r\n"
    );
    assert_eq!(
        c.q(&["zrange", "big", "0", "1", "withscores"]),
        "*4\r\n$4\r\nm150\r\n$4\r\n-954\r\n$4\r\nm011\r\n$3\r\n-47\r\n"
    );
    assert_eq!(c.q(&["zrem", "big", "m150", "m151", "nope"]), ":2\r\n");
    assert_eq!(c.q(&["zcard", "big"]), ":304\r\n");
    assert_eq!(c.q(&["zunionstore", "u", "2", "big", "big"]), ":304\r\n");
    assert_eq!(c.q(&["zrange", "u", "0", "10", "withscores"]), "*22\r\n$4\r\nm011\r\n$3\r\n-94\r\n$4\r\nm112\r\n$3\r\n-94\r\n$4\r\nm213\r\n$3\r\n-94\r\n$4\r\nm082\r\n$3\r\n-92\r\n$4\r\nm183\r\n$3\r\n-92\r\n$4\r\nm284\r\n$3\r\n-92\r\n$4\r\nn224\r\n$3\r\n-92\r\n$4\r\nm052\r\n$3\r\n-90\r\n$4\r\nm153\r\n$3\r\n-90\r\n$4\r\nm254\r\n$3\r\n-90\r\n$4\r\nn119\r\n$3\r\n-90\r\n");
    assert_eq!(
        c.q(&["zinterstore", "i", "2", "big", "u", "weights", "1", "0.5"]),
        ":304\r\n"
    );
    assert_eq!(c.q(&["zrange", "i", "0", "10", "withscores"]), "*22\r\n$4\r\nm011\r\n$3\r\n-94\r\n$4\r\nm112\r\n$3\r\n-94\r\n$4\r\nm213\r\n$3\r\n-94\r\n$4\r\nm082\r\n$3\r\n-92\r\n$4\r\nm183\r\n$3\r\n-92\r\n$4\r\nm284\r\n$3\r\n-92\r\n$4\r\nn224\r\n$3\r\n-92\r\n$4\r\nm052\r\n$3\r\n-90\r\n$4\r\nm153\r\n$3\r\n-90\r\n$4\r\nm254\r\n$3\r\n-90\r\n$4\r\nn119\r\n$3\r\n-90\r\n");
    assert_eq!(c.q(&["zdiffstore", "d", "2", "big", "i"]), ":0\r\n");
    assert_eq!(c.q(&["zcard", "d"]), ":0\r\n");
    assert_eq!(c.q(&["zrangestore", "rs", "big", "0", "200"]), ":201\r\n");
    assert_eq!(c.q(&["zcard", "rs"]), ":201\r\n");
    assert_eq!(c.q(&["zrangestore", "rs2", "big", "0", "100"]), ":101\r\n");
    assert_eq!(c.q(&["zcard", "rs2"]), ":101\r\n");
    assert_eq!(c.q(&["zrange", "rs2", "0", "3", "withscores"]), "*8\r\n$4\r\nm011\r\n$3\r\n-47\r\n$4\r\nm112\r\n$3\r\n-47\r\n$4\r\nm213\r\n$3\r\n-47\r\n$4\r\nm082\r\n$3\r\n-46\r\n");
    assert_eq!(c.q(&["zlexcount", "big", "-", "+"]), ":304\r\n");
}

#[test]
fn encoding_switch_keeps_replies() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    for i in 0..128 {
        let s = i.to_string();
        let m = format!("m{i}");
        c.q(&["ZADD", "small", &s, &m]);
        c.q(&["ZADD", "big", &s, &m]);
    }
    c.assert_encoding("small", "listpack");
    c.q(&["ZADD", "big", "1000", "extra"]);
    c.assert_encoding("big", "skiplist");
    c.q(&["ZREM", "big", "extra"]);
    c.assert_encoding("big", "skiplist");
    for q in [
        &["ZRANGE", "{}", "0", "-1", "WITHSCORES"][..],
        &[
            "ZRANGE", "{}", "(10", "50", "BYSCORE", "REV", "LIMIT", "3", "5",
        ],
        &["ZRANK", "{}", "m77"],
        &["ZREVRANK", "{}", "m77", "WITHSCORE"],
        &["ZCOUNT", "{}", "5", "(90"],
        &["ZSCORE", "{}", "m3"],
        &["ZRANGE", "{}", "[m1", "[m2", "BYLEX"],
    ] {
        let a: Vec<&str> = q
            .iter()
            .map(|x| if *x == "{}" { "small" } else { x })
            .collect();
        let b: Vec<&str> = q
            .iter()
            .map(|x| if *x == "{}" { "big" } else { x })
            .collect();
        assert_eq!(c.q(&a), c.q(&b), "{q:?}");
    }
    // A long member converts at once; a store of a small result is a
    // listpack again.
    c.q(&["ZADD", "lv", "1", &"x".repeat(65)]);
    c.assert_encoding("lv", "skiplist");
    assert_eq!(c.q(&["ZUNIONSTORE", "u", "1", "big"]), int(128));
    c.assert_encoding("u", "listpack");
    assert_eq!(c.q(&["ZRANGESTORE", "r", "big", "0", "200"]), int(128));
    c.assert_encoding("r", "listpack");
    // ZSCAN of a skiplist prints scores with 17 significant digits.
    c.q(&["ZADD", "big", "0.1", "tenth"]);
    let mut found = false;
    let mut cursor = "0".to_string();
    loop {
        let r = c.q(&["ZSCAN", "big", &cursor, "MATCH", "tenth"]);
        if r.contains("$5\r\ntenth\r\n$19\r\n0.10000000000000001\r\n") {
            found = true;
        }
        cursor = r.split("\r\n").nth(2).unwrap().to_string();
        if cursor == "0" {
            break;
        }
    }
    assert!(found);
    assert_eq!(c.q(&["ZSCORE", "big", "tenth"]), bulk("0.1"));
}

#[test]
fn resp3_shapes() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert!(c.q(&["HELLO", "3"]).starts_with('%'));
    c.q(&["ZADD", "z", "1", "a", "2.5", "b"]);
    assert_eq!(
        c.q(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]),
        "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"
    );
    assert_eq!(c.q(&["ZSCORE", "z", "b"]), ",2.5\r\n");
    assert_eq!(c.q(&["ZSCORE", "z", "x"]), "_\r\n");
    assert_eq!(c.q(&["ZPOPMIN", "z"]), "*2\r\n$1\r\na\r\n,1\r\n");
    c.q(&["ZADD", "z", "1", "a"]);
    assert_eq!(c.q(&["ZPOPMIN", "z", "1"]), "*1\r\n*2\r\n$1\r\na\r\n,1\r\n");
    assert_eq!(
        c.q(&["ZMPOP", "1", "z", "MAX"]),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"
    );
    assert_eq!(c.q(&["ZMPOP", "1", "z", "MAX"]), "_\r\n");
    c.q(&["ZADD", "z", "3", "c"]);
    assert_eq!(
        c.q(&["BZPOPMAX", "z", "0"]),
        "*3\r\n$1\r\nz\r\n$1\r\nc\r\n,3\r\n"
    );
    c.q(&["ZADD", "z", "1", "a"]);
    assert_eq!(
        c.q(&["ZRANDMEMBER", "z", "1", "WITHSCORES"]),
        "*1\r\n*2\r\n$1\r\na\r\n,1\r\n"
    );
    assert_eq!(c.q(&["ZRANK", "z", "a", "WITHSCORE"]), "*2\r\n:0\r\n,1\r\n");
    assert_eq!(c.q(&["ZINCRBY", "z", "1", "a"]), ",2\r\n");
}
