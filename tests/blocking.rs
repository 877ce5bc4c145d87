//! Blocking pops with several clients: FIFO service, timeouts, the
//! MULTI behaviour, and chains (BLMOVE feeding another blocked client).

mod common;
mod types_support;

use common::TestServer;
use std::time::{Duration, Instant};
use types_support::*;

/// Wait until `n` clients are blocked (INFO clients, when it reports
/// them), at most a short grace period.
fn settle(c: &mut Raw, n: usize) {
    let deadline = Instant::now() + Duration::from_millis(300);
    while Instant::now() < deadline {
        let info = c.q(&["INFO", "clients"]);
        if info.starts_with('-') {
            std::thread::sleep(Duration::from_millis(150));
            return;
        }
        if info.contains(&format!("blocked_clients:{n}\r")) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn blpop_serves_clients_in_fifo_order() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let mut b = Raw::connect(srv.port);
    let mut c = Raw::connect(srv.port);
    let mut p = Raw::connect(srv.port);
    a.send(&["BLPOP", "l", "0"]);
    settle(&mut p, 1);
    b.send(&["BLPOP", "l", "other", "0"]);
    settle(&mut p, 2);
    c.send(&["BRPOP", "l", "0"]);
    settle(&mut p, 3);
    assert_eq!(p.q(&["RPUSH", "l", "x", "y"]), int(2));
    assert_eq!(a.read(), bulks(&["l", "x"]));
    assert_eq!(b.read(), bulks(&["l", "y"]));
    // The third one is still waiting.
    assert_eq!(p.q(&["LPUSH", "other", "o"]), int(1));
    assert_eq!(p.q(&["RPUSH", "l", "z"]), int(1));
    assert_eq!(c.read(), bulks(&["l", "z"]));
    assert_eq!(p.q(&["LLEN", "l"]), int(0));
    assert_eq!(p.q(&["LLEN", "other"]), int(1));
}

#[test]
fn timeouts_and_multi() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let t = Instant::now();
    assert_eq!(a.q(&["BLPOP", "nokey", "0.2"]), NIL_ARRAY);
    let el = t.elapsed();
    assert!(
        el >= Duration::from_millis(190) && el < Duration::from_secs(2),
        "{el:?}"
    );
    assert_eq!(a.q(&["BLMPOP", "0.05", "1", "nokey", "LEFT"]), NIL_ARRAY);
    assert_eq!(a.q(&["BRPOPLPUSH", "nokey", "d", "0.05"]), NIL_ARRAY);
    // Inside MULTI a blocking pop answers at once.
    assert_eq!(a.q(&["MULTI"]), OK);
    assert_eq!(a.q(&["BLPOP", "nokey", "0"]), "+QUEUED\r\n");
    assert_eq!(
        a.q(&["BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"]),
        "+QUEUED\r\n"
    );
    assert_eq!(a.q(&["EXEC"]), format!("*2\r\n{NIL_ARRAY}{NIL}"));
}

#[test]
fn blmove_chain_and_blmpop_count() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let mut b = Raw::connect(srv.port);
    let mut p = Raw::connect(srv.port);
    // a moves src -> mid, b waits on mid.
    a.send(&["BLMOVE", "src", "mid", "RIGHT", "LEFT", "0"]);
    settle(&mut p, 1);
    b.send(&["BLMPOP", "0", "2", "nokey", "mid", "LEFT", "COUNT", "5"]);
    settle(&mut p, 2);
    assert_eq!(p.q(&["RPUSH", "src", "v1"]), int(1));
    assert_eq!(a.read(), bulk("v1"));
    assert_eq!(b.read(), "*2\r\n$3\r\nmid\r\n*1\r\n$2\r\nv1\r\n");
    assert_eq!(p.q(&["LLEN", "mid"]), int(0));
    assert_eq!(p.q(&["LLEN", "src"]), int(0));
}

#[test]
fn lpush_of_several_elements_serves_several_clients() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let mut b = Raw::connect(srv.port);
    let mut p = Raw::connect(srv.port);
    a.send(&["BRPOP", "l", "5"]);
    settle(&mut p, 1);
    b.send(&["BRPOP", "l", "5"]);
    settle(&mut p, 2);
    assert_eq!(p.q(&["LPUSH", "l", "1", "2", "3"]), int(3));
    assert_eq!(a.read(), bulks(&["l", "1"]));
    assert_eq!(b.read(), bulks(&["l", "2"]));
    assert_eq!(p.q(&["LRANGE", "l", "0", "-1"]), bulks(&["3"]));
}

#[test]
fn bzpop_serves_in_order() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let mut b = Raw::connect(srv.port);
    let mut c = Raw::connect(srv.port);
    let mut p = Raw::connect(srv.port);
    a.send(&["BZPOPMIN", "z", "0"]);
    settle(&mut p, 1);
    b.send(&["BZPOPMAX", "other", "z", "0"]);
    settle(&mut p, 2);
    c.send(&["BZMPOP", "0", "1", "z", "MIN", "COUNT", "10"]);
    settle(&mut p, 3);
    assert_eq!(
        p.q(&["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"]),
        int(4)
    );
    assert_eq!(a.read(), bulks(&["z", "a", "1"]));
    assert_eq!(b.read(), bulks(&["z", "d", "4"]));
    assert_eq!(
        c.read(),
        "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(p.q(&["ZCARD", "z"]), int(0));
    assert_eq!(a.q(&["BZPOPMIN", "z", "0.05"]), NIL_ARRAY);
    assert_eq!(a.q(&["BZMPOP", "0.05", "1", "z", "MAX"]), NIL_ARRAY);
    assert_eq!(
        a.q(&["BZPOPMIN", "z", "-1"]),
        err("ERR timeout is negative")
    );
    assert_eq!(a.q(&["MULTI"]), OK);
    a.q(&["BZPOPMIN", "z", "0"]);
    assert_eq!(a.q(&["EXEC"]), format!("*1\r\n{NIL_ARRAY}"));
}

#[test]
fn zunionstore_wakes_blocked_client() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let mut p = Raw::connect(srv.port);
    a.send(&["BZPOPMIN", "dst", "0"]);
    settle(&mut p, 1);
    p.q(&["ZADD", "src", "5", "x"]);
    assert_eq!(p.q(&["ZUNIONSTORE", "dst", "1", "src"]), int(1));
    assert_eq!(a.read(), bulks(&["dst", "x", "5"]));
}
