//! I/O threads: connections move between the executor and the I/O threads
//! (net/balance.rs decides; `io-threads-always-active` forces it) without a
//! lost, duplicated or reordered byte.

mod common;
use common::*;
use redis::Value;
use std::io::Write;
use std::time::{Duration, Instant};

/// Switch `io-threads-always-active` and wait until INFO shows the state.
fn set_active(con: &mut redis::Connection, on: bool) {
    let v = if on { "yes" } else { "no" };
    assert_eq!(
        cmd(con, &["CONFIG", "SET", "io-threads-always-active", v]),
        Value::Okay
    );
    let want = on as u64;
    let deadline = Instant::now() + Duration::from_secs(5);
    while info_field(con, "server", "io_threads_active") != want {
        assert!(
            Instant::now() < deadline,
            "io_threads_active never became {want}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Connections move at the cron tick that switched the state, or at the
    // next one if they were busy then.
    std::thread::sleep(Duration::from_millis(250));
}

#[test]
fn idle_server_keeps_connections_on_the_executor() {
    let srv = TestServer::start_with(&["--io-threads", "2"]);
    let mut con = srv.client();
    for i in 0..200 {
        cmd(&mut con, &["SET", &format!("k{i}"), "v"]);
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(info_field(&mut con, "server", "io_threads_active"), 0);
    assert_eq!(
        info_field(&mut con, "stats", "io_threaded_reads_processed"),
        0
    );
}

#[test]
fn connections_move_both_ways_under_pipelined_load() {
    let srv = TestServer::start_with(&["--io-threads", "3"]);
    let mut admin = srv.client();
    // Four clients each INCR their own counter in pipelined bursts; every
    // reply must be the next integer, whatever thread serves them.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..4 {
        let mut s = srv.raw();
        let stop = stop.clone();
        workers.push(std::thread::spawn(move || {
            let key = format!("ctr{w}");
            let one = resp(&[b"INCR", key.as_bytes()]);
            let mut next = 1u64;
            let mut rounds = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) || rounds < 5 {
                let burst = 200;
                let all: Vec<u8> = one
                    .iter()
                    .copied()
                    .cycle()
                    .take(one.len() * burst)
                    .collect();
                s.write_all(&all).unwrap();
                let want: Vec<u8> = (next..next + burst as u64)
                    .flat_map(|n| format!(":{n}\r\n").into_bytes())
                    .collect();
                let got = read_n(&mut s, want.len());
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want),
                    "client {w} round {rounds}"
                );
                next += burst as u64;
                rounds += 1;
            }
            next - 1
        }));
    }
    for _ in 0..3 {
        set_active(&mut admin, true);
        set_active(&mut admin, false);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for (w, t) in workers.into_iter().enumerate() {
        let last = t.join().unwrap();
        assert_eq!(
            cmd(&mut admin, &["GET", &format!("ctr{w}")]),
            Value::BulkString(last.to_string().into_bytes())
        );
    }
    let reads = info_field(&mut admin, "stats", "io_threaded_reads_processed");
    assert!(reads > 0, "the I/O threads served reads");
}

#[test]
fn a_command_split_across_a_move_is_parsed_whole() {
    let srv = TestServer::start_with(&["--io-threads", "2"]);
    let mut admin = srv.client();
    let mut s = srv.raw();
    let full = resp(&[b"SET", b"split", b"across-the-move"]);
    let (a, b) = full.split_at(full.len() / 2);
    // Executor -> I/O thread with half a command in the query buffer.
    s.write_all(a).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    set_active(&mut admin, true);
    s.write_all(b).unwrap();
    assert_eq!(read_n(&mut s, 5), b"+OK\r\n");
    // And back.
    let full = resp(&[b"GET", b"split"]);
    let (a, b) = full.split_at(7);
    s.write_all(a).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    set_active(&mut admin, false);
    s.write_all(b).unwrap();
    assert_eq!(read_n(&mut s, 22), b"$15\r\nacross-the-move\r\n");
}

#[test]
fn blocked_and_subscribed_clients_survive_the_moves() {
    let srv = TestServer::start_with(&["--io-threads", "2", "--io-threads-always-active", "yes"]);
    let mut admin = srv.client();
    // Blocked on an I/O thread, then called back to the executor.
    let mut blocked = srv.raw();
    blocked.write_all(&resp(&[b"BLPOP", b"q", b"0"])).unwrap();
    let mut sub = srv.raw();
    sub.write_all(&resp(&[b"SUBSCRIBE", b"ch"])).unwrap();
    assert_eq!(
        read_n(&mut sub, 33),
        b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n".to_vec()
    );
    set_active(&mut admin, false);
    cmd(&mut admin, &["RPUSH", "q", "x"]);
    assert_eq!(
        read_n(&mut blocked, 20),
        b"*2\r\n$1\r\nq\r\n$1\r\nx\r\n".to_vec()
    );
    // The subscriber moved back too and still gets messages, then moves
    // out again and still does.
    assert_eq!(cmd(&mut admin, &["PUBLISH", "ch", "one"]), Value::Int(1));
    assert_eq!(
        read_n(&mut sub, 36),
        b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\none\r\n".to_vec()
    );
    set_active(&mut admin, true);
    assert_eq!(cmd(&mut admin, &["PUBLISH", "ch", "two"]), Value::Int(1));
    assert_eq!(
        read_n(&mut sub, 36),
        b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\ntwo\r\n".to_vec()
    );
    // Both connections are still usable.
    blocked.write_all(&resp(&[b"PING"])).unwrap();
    assert_eq!(read_n(&mut blocked, 7), b"+PONG\r\n");
}

#[test]
fn kill_and_quit_work_on_moved_connections() {
    let srv = TestServer::start_with(&["--io-threads", "2"]);
    let mut admin = srv.client();
    let mut victim = srv.client();
    victim
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let id = match cmd(&mut victim, &["CLIENT", "ID"]) {
        Value::Int(n) => n,
        v => panic!("{v:?}"),
    };
    let mut quitter = srv.raw();
    set_active(&mut admin, true);
    assert_eq!(
        cmd(&mut admin, &["CLIENT", "KILL", "ID", &id.to_string()]),
        Value::Int(1)
    );
    assert!(redis::cmd("PING").query::<String>(&mut victim).is_err());
    quitter.write_all(&resp(&[b"QUIT"])).unwrap();
    assert_eq!(read_n(&mut quitter, 100), b"+OK\r\n");
    set_active(&mut admin, false);
    let clients = match cmd(&mut admin, &["CLIENT", "LIST"]) {
        Value::BulkString(b) => String::from_utf8(b).unwrap(),
        Value::VerbatimString { text, .. } => text,
        v => panic!("{v:?}"),
    };
    assert_eq!(clients.lines().count(), 1, "{clients}");
    assert_eq!(info_field(&mut admin, "clients", "connected_clients"), 1);
}
