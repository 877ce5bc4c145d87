//! CLIENT PAUSE / UNPAUSE: held commands wait, in order, until the pause ends.

mod common;
use common::*;
use redis::Value;
use std::time::{Duration, Instant};

#[test]
fn write_pause_holds_writes_but_not_reads() {
    for threads in ["1", "2"] {
        let srv =
            TestServer::start_with(&["--io-threads", threads, "--io-threads-always-active", "yes"]);
        let mut admin = srv.client();
        let mut c = srv.client();
        cmd(&mut c, &["SET", "k", "before"]);
        assert_eq!(
            cmd(&mut admin, &["CLIENT", "PAUSE", "400", "WRITE"]),
            Value::Okay
        );
        let t = Instant::now();
        assert_eq!(
            cmd(&mut c, &["GET", "k"]),
            Value::BulkString(b"before".to_vec())
        );
        assert!(
            t.elapsed() < Duration::from_millis(300),
            "reads are not held"
        );
        let t = Instant::now();
        assert_eq!(cmd(&mut c, &["SET", "k", "after"]), Value::Okay);
        assert!(
            t.elapsed() >= Duration::from_millis(300),
            "write held until the pause ends"
        );
        assert_eq!(
            cmd(&mut c, &["GET", "k"]),
            Value::BulkString(b"after".to_vec())
        );
    }
}

#[test]
fn unpause_releases_held_pipeline_in_order() {
    let srv = TestServer::start();
    let mut admin = srv.client();
    assert_eq!(
        cmd(&mut admin, &["CLIENT", "PAUSE", "100000", "WRITE"]),
        Value::Okay
    );
    let mut s = srv.raw();
    use std::io::Write;
    let mut req = resp(&[b"SET", b"a", b"1"]);
    req.extend(resp(&[b"INCR", b"a"]));
    req.extend(resp(&[b"GET", b"a"]));
    s.write_all(&req).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    // Nothing answered yet (the GET waits behind the held writes); UNPAUSE,
    // not a write, runs and releases the pipeline.
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    assert!(read_n(&mut s, 1).is_empty(), "held while paused");
    assert_eq!(cmd(&mut admin, &["CLIENT", "UNPAUSE"]), Value::Okay);
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(read_n(&mut s, 5 + 4 + 7), b"+OK\r\n:2\r\n$1\r\n2\r\n");
}
