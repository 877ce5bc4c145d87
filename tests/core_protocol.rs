//! Protocol-level behaviour of the core server, over raw sockets.

mod common;
use common::*;

#[test]
fn ping_and_unknown_command() {
    let srv = TestServer::start();
    assert_eq!(srv.raw_exchange(b"PING\r\n", 7), b"+PONG\r\n");
    let out = srv.raw_exchange(&resp(&[b"foo", b"a", b"b"]), 64);
    assert_eq!(
        out,
        b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    );
    let out = srv.raw_exchange(&resp(&[b"get"]), 64);
    assert_eq!(out, b"-ERR wrong number of arguments for 'get' command\r\n");
}

#[test]
fn protocol_errors_close_the_connection() {
    let srv = TestServer::start();
    let cases: &[(&[u8], &[u8])] = &[
        (
            b"*abc\r\n",
            b"-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            b"*1\r\n$-5\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
        (
            b"*1\r\nxyz\r\n",
            b"-ERR Protocol error: expected '$', got 'x'\r\n",
        ),
        (
            b"set \"a\r\n",
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
    ];
    for (input, expected) in cases {
        // Reading past the reply must hit EOF: the server closed.
        let out = srv.raw_exchange(input, expected.len() + 100);
        assert_eq!(
            &out[..],
            *expected,
            "input {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn split_packets_and_deep_pipeline() {
    let srv = TestServer::start();
    let mut s = srv.raw();
    let cmd = resp(&[b"SET", b"k", b"hello"]);
    use std::io::Write;
    for b in &cmd {
        s.write_all(&[*b]).unwrap();
    }
    assert_eq!(read_n(&mut s, 5), b"+OK\r\n");
    let n = 100_000;
    let one = resp(&[b"GET", b"k"]);
    let mut all = Vec::with_capacity(one.len() * n);
    for _ in 0..n {
        all.extend_from_slice(&one);
    }
    let writer = {
        let mut w = s.try_clone().unwrap();
        std::thread::spawn(move || w.write_all(&all).unwrap())
    };
    let expected = b"$5\r\nhello\r\n";
    let out = read_n(&mut s, expected.len() * n);
    writer.join().unwrap();
    assert_eq!(out.len(), expected.len() * n);
    assert!(out.chunks(expected.len()).all(|c| c == expected));
}

#[test]
fn binary_keys_and_values() {
    let srv = TestServer::start();
    let key = b"k\x00\r\n\xff";
    let val = b"\x00\x01\x02\r\n";
    let mut s = srv.raw();
    use std::io::Write;
    s.write_all(&resp(&[b"SET", key, val])).unwrap();
    assert_eq!(read_n(&mut s, 5), b"+OK\r\n");
    s.write_all(&resp(&[b"GET", key])).unwrap();
    assert_eq!(read_n(&mut s, 11), b"$5\r\n\x00\x01\x02\r\n\r\n");
}

#[test]
fn client_killed_mid_reply_does_not_hurt_the_server() {
    let mut srv = TestServer::start();
    let big = vec![b'x'; 8 * 1024 * 1024];
    {
        let mut s = srv.raw();
        use std::io::Write;
        s.write_all(&resp(&[b"SET", b"big", &big])).unwrap();
        assert_eq!(read_n(&mut s, 5), b"+OK\r\n");
        for _ in 0..20 {
            s.write_all(&resp(&[b"GET", b"big"])).unwrap();
        }
        // Drop without reading the 160 MB of replies.
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(srv.alive());
    assert_eq!(srv.raw_exchange(b"PING\r\n", 7), b"+PONG\r\n");
}

#[test]
fn huge_and_negative_lengths() {
    let srv = TestServer::start();
    let out = srv.raw_exchange(b"*1\r\n$9999999999999\r\n", 100);
    assert_eq!(out, b"-ERR Protocol error: invalid bulk length\r\n");
    let out = srv.raw_exchange(b"*99999999999\r\n", 100);
    assert_eq!(out, b"-ERR Protocol error: invalid multibulk length\r\n");
    // A negative multibulk count is an empty command, skipped silently.
    assert_eq!(srv.raw_exchange(b"*-1\r\nPING\r\n", 7), b"+PONG\r\n");
}

#[test]
fn resp3_hello() {
    let srv = TestServer::start();
    let out = srv.raw_exchange(&resp(&[b"HELLO", b"3"]), 20);
    assert!(
        out.starts_with(b"%7\r\n$6\r\nserver\r\n$6\r\nvalkey\r\n"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
    let out = srv.raw_exchange(&resp(&[b"HELLO", b"4"]), 100);
    assert_eq!(out, b"-NOPROTO unsupported protocol version\r\n");
}

#[test]
fn io_threads_serve_pipelines_and_errors() {
    let srv = TestServer::start_with(&["--io-threads", "3", "--io-threads-always-active", "yes"]);
    // Several connections land on different threads (round-robin).
    for i in 0..6 {
        let mut con = srv.client();
        let key = format!("k{i}");
        assert_eq!(cmd(&mut con, &["SET", &key, "v"]), redis::Value::Okay);
        assert_eq!(
            cmd(&mut con, &["GET", &key]),
            redis::Value::BulkString(b"v".to_vec())
        );
        let e = err_of(&mut con, &["GET"]);
        assert_eq!(e, "ERR wrong number of arguments for 'get' command");
    }
    let one = resp(&[b"GET", b"k0"]);
    for _ in 0..3 {
        let mut s = srv.raw();
        use std::io::Write;
        let n = 20_000;
        let all: Vec<u8> = one.iter().copied().cycle().take(one.len() * n).collect();
        let mut w = s.try_clone().unwrap();
        let t = std::thread::spawn(move || w.write_all(&all).unwrap());
        let out = read_n(&mut s, 7 * n);
        t.join().unwrap();
        assert_eq!(out.len(), 7 * n);
        assert!(out.chunks(7).all(|c| c == b"$1\r\nv\r\n"));
    }
    let out = srv.raw_exchange(b"*1\r\n$-5\r\n", 100);
    assert_eq!(out, b"-ERR Protocol error: invalid bulk length\r\n");
}
