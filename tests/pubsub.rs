//! Pub/Sub against the real server: confirmations, deliveries between
//! clients in RESP2 and RESP3, pattern matching, counts, the RESP2
//! subscribed-mode restriction, unsubscribe-all, RESET and disconnect
//! cleanup. Expected bytes were checked against redis-server 7.0 (and
//! Valkey's source where they differ).

mod common;
use common::*;
use redis::Value;
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A raw connection that sends commands and checks exact reply bytes.
struct Conn {
    s: TcpStream,
}

impl Conn {
    fn new(srv: &TestServer) -> Conn {
        Conn { s: srv.raw() }
    }

    fn send(&mut self, args: &[&str]) {
        let a: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
        self.s.write_all(&resp(&a)).unwrap();
    }

    fn send_bytes(&mut self, args: &[&[u8]]) {
        self.s.write_all(&resp(args)).unwrap();
    }

    /// Read exactly the expected bytes and compare.
    fn expect(&mut self, expected: &[u8]) {
        let got = read_n(&mut self.s, expected.len());
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(expected)
        );
    }

    fn call(&mut self, args: &[&str], expected: &[u8]) {
        self.send(args);
        self.expect(expected);
    }

    /// Nothing more arrives within a short while.
    fn expect_silence(&mut self) {
        self.s
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let got = read_n(&mut self.s, 1);
        self.s
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        assert!(
            got.is_empty(),
            "unexpected data: {:?}",
            String::from_utf8_lossy(&got)
        );
    }

    fn hello3(&mut self) {
        self.send(&["HELLO", "3"]);
        // The HELLO map ends with the empty modules array.
        let mut got = Vec::new();
        while !got.ends_with(b"$7\r\nmodules\r\n*0\r\n") {
            let more = read_n(&mut self.s, 1);
            assert!(!more.is_empty(), "HELLO reply cut short");
            got.extend(more);
        }
    }
}

fn bulk(s: &[u8]) -> Vec<u8> {
    let mut v = format!("${}\r\n", s.len()).into_bytes();
    v.extend_from_slice(s);
    v.extend_from_slice(b"\r\n");
    v
}

/// An aggregate of bulk strings and one trailing integer/nil, as pub/sub
/// confirmations and messages are written. `head` is `*` or `>`.
fn agg(head: char, parts: &[&[u8]], tail: Option<&str>) -> Vec<u8> {
    let n = parts.len() + tail.is_some() as usize;
    let mut v = format!("{head}{n}\r\n").into_bytes();
    for p in parts {
        v.extend(bulk(p));
    }
    if let Some(t) = tail {
        v.extend_from_slice(t.as_bytes());
    }
    v
}

fn sub2(verb: &str, name: &str, count: i64) -> Vec<u8> {
    agg(
        '*',
        &[verb.as_bytes(), name.as_bytes()],
        Some(&format!(":{count}\r\n")),
    )
}

fn sub3(verb: &str, name: &str, count: i64) -> Vec<u8> {
    agg(
        '>',
        &[verb.as_bytes(), name.as_bytes()],
        Some(&format!(":{count}\r\n")),
    )
}

fn message(head: char, channel: &str, payload: &str) -> Vec<u8> {
    agg(
        head,
        &[b"message", channel.as_bytes(), payload.as_bytes()],
        None,
    )
}

fn pmessage(head: char, pattern: &str, channel: &str, payload: &str) -> Vec<u8> {
    agg(
        head,
        &[
            b"pmessage",
            pattern.as_bytes(),
            channel.as_bytes(),
            payload.as_bytes(),
        ],
        None,
    )
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn sorted_strings(v: Value) -> Vec<String> {
    let Value::Array(items) = v else {
        panic!("expected an array, got {v:?}");
    };
    let mut out: Vec<String> = items
        .into_iter()
        .map(|i| match i {
            Value::BulkString(b) => String::from_utf8(b).unwrap(),
            other => panic!("expected bulk strings, got {other:?}"),
        })
        .collect();
    out.sort();
    out
}

/// Poll until `f` holds (disconnects are noticed asynchronously).
fn eventually(mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("condition not reached in time");
}

#[test]
fn subscribe_confirmations_count_channels_and_patterns() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.send(&["SUBSCRIBE", "a", "b", "a"]);
    c.expect(
        &[
            sub2("subscribe", "a", 1),
            sub2("subscribe", "b", 2),
            sub2("subscribe", "a", 2),
        ]
        .concat(),
    );
    c.call(&["PSUBSCRIBE", "p*"], &sub2("psubscribe", "p*", 3));
    // Shard subscriptions are counted on their own.
    c.call(&["SSUBSCRIBE", "s"], &sub2("ssubscribe", "s", 1));
    c.call(&["UNSUBSCRIBE", "b"], &sub2("unsubscribe", "b", 2));
    // Unsubscribing from something never subscribed still confirms.
    c.call(&["UNSUBSCRIBE", "zz"], &sub2("unsubscribe", "zz", 2));
    c.call(&["PUNSUBSCRIBE"], &sub2("punsubscribe", "p*", 1));
    c.call(
        &["PUNSUBSCRIBE"],
        b"*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:1\r\n",
    );
    c.call(&["SUNSUBSCRIBE"], &sub2("sunsubscribe", "s", 0));
    c.call(&["SUNSUBSCRIBE", "x"], &sub2("sunsubscribe", "x", 0));
    c.call(&["UNSUBSCRIBE"], &sub2("unsubscribe", "a", 0));
    // Out of subscribed mode: plain replies again.
    c.call(&["PING"], b"+PONG\r\n");
    c.call(&["GET", "x"], b"$-1\r\n");
}

#[test]
fn unsubscribe_all_from_nothing_replies_nil() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.call(
        &["UNSUBSCRIBE"],
        b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n",
    );
    c.call(
        &["PUNSUBSCRIBE"],
        b"*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n",
    );
    c.call(
        &["SUNSUBSCRIBE"],
        b"*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n",
    );
    // Not subscribed afterwards: no restriction.
    c.call(&["SET", "k", "v"], b"+OK\r\n");
    c.hello3();
    c.call(&["UNSUBSCRIBE"], b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

#[test]
fn unsubscribe_all_lists_every_channel() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.send(&["SUBSCRIBE", "c1", "c2", "c3"]);
    c.expect(
        &[
            sub2("subscribe", "c1", 1),
            sub2("subscribe", "c2", 2),
            sub2("subscribe", "c3", 3),
        ]
        .concat(),
    );
    c.send(&["UNSUBSCRIBE"]);
    // One confirmation per channel, in no particular order, counting down.
    let got = read_n(&mut c.s, 3 * sub2("unsubscribe", "cX", 0).len());
    let text = String::from_utf8_lossy(&got).into_owned();
    for ch in ["c1", "c2", "c3"] {
        assert!(text.contains(&format!("$11\r\nunsubscribe\r\n$2\r\n{ch}\r\n")));
    }
    for n in 0..3 {
        assert!(text.contains(&format!("\r\n:{n}\r\n")));
    }
    c.expect_silence();
    c.call(&["PING"], b"+PONG\r\n");
}

#[test]
fn resp2_subscribed_mode_allows_only_pubsub_commands() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.call(&["SUBSCRIBE", "a"], &sub2("subscribe", "a", 1));
    for (args, name) in [
        (vec!["GET", "x"], "get"),
        (vec!["PUBLISH", "a", "m"], "publish"),
        (vec!["PUBSUB", "NUMPAT"], "pubsub|numpat"),
        (vec!["HELLO", "3"], "hello"),
        (vec!["MULTI"], "multi"),
    ] {
        c.call(
            &args,
            format!("-ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n").as_bytes(),
        );
    }
    // Unknown commands and arity errors are reported first.
    c.call(
        &["NOSUCH"],
        b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n",
    );
    c.call(
        &["GET"],
        b"-ERR wrong number of arguments for 'get' command\r\n",
    );
    // PING answers with a pong array in RESP2 subscribed mode.
    c.call(&["PING"], b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    c.call(&["PING", "hi"], b"*2\r\n$4\r\npong\r\n$2\r\nhi\r\n");
    c.call(&["PSUBSCRIBE", "x*"], &sub2("psubscribe", "x*", 2));
    c.call(&["SSUBSCRIBE", "s"], &sub2("ssubscribe", "s", 1));
    // Still restricted while any subscription remains, shard ones included.
    c.send(&["UNSUBSCRIBE"]);
    c.expect(&sub2("unsubscribe", "a", 1));
    c.call(&["PUNSUBSCRIBE"], &sub2("punsubscribe", "x*", 0));
    c.call(
        &["GET", "x"],
        b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n",
    );
    c.call(&["SUNSUBSCRIBE", "s"], &sub2("sunsubscribe", "s", 0));
    c.call(&["GET", "x"], b"$-1\r\n");
    c.call(&["QUIT"], b"+OK\r\n");
}

#[test]
fn resp3_subscribers_can_run_any_command() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.hello3();
    c.call(&["SUBSCRIBE", "a"], &sub3("subscribe", "a", 1));
    c.call(&["GET", "x"], b"_\r\n");
    c.call(&["PING"], b"+PONG\r\n");
    // Publishing to itself: the push comes before PUBLISH's reply.
    c.call(
        &["PUBLISH", "a", "hello"],
        &[message('>', "a", "hello"), b":1\r\n".to_vec()].concat(),
    );
    c.call(&["PSUBSCRIBE", "*"], &sub3("psubscribe", "*", 2));
    c.call(
        &["PUBLISH", "a", "hi"],
        &[
            message('>', "a", "hi"),
            pmessage('>', "*", "a", "hi"),
            b":2\r\n".to_vec(),
        ]
        .concat(),
    );
    // SPUBLISH ignores global channels and patterns.
    c.call(&["SPUBLISH", "a", "x"], b":0\r\n");
    c.call(&["SSUBSCRIBE", "a"], &sub3("ssubscribe", "a", 1));
    c.call(
        &["SPUBLISH", "a", "x"],
        &[
            agg('>', &[b"smessage", b"a", b"x"], None),
            b":1\r\n".to_vec(),
        ]
        .concat(),
    );
}

#[test]
fn messages_reach_other_clients_in_their_protocol() {
    let srv = TestServer::start();
    let mut sub = Conn::new(&srv);
    sub.call(&["SUBSCRIBE", "news"], &sub2("subscribe", "news", 1));
    let mut sub3c = Conn::new(&srv);
    sub3c.hello3();
    sub3c.call(&["SUBSCRIBE", "news"], &sub3("subscribe", "news", 1));
    let mut psub = Conn::new(&srv);
    psub.call(&["PSUBSCRIBE", "n*"], &sub2("psubscribe", "n*", 1));
    psub.call(&["PSUBSCRIBE", "*s"], &sub2("psubscribe", "*s", 2));
    psub.call(&["PSUBSCRIBE", "zz*"], &sub2("psubscribe", "zz*", 3));

    let mut publisher = srv.client();
    // Two channel subscribers + two matching patterns of one client.
    assert_eq!(int(&cmd(&mut publisher, &["PUBLISH", "news", "hello"])), 4);
    sub.expect(&message('*', "news", "hello"));
    sub3c.expect(&message('>', "news", "hello"));
    let got = read_n(&mut psub.s, 2 * pmessage('*', "n*", "news", "hello").len());
    let text = String::from_utf8_lossy(&got).into_owned();
    for m in [
        pmessage('*', "n*", "news", "hello"),
        pmessage('*', "*s", "news", "hello"),
    ] {
        assert!(
            text.contains(String::from_utf8_lossy(&m).as_ref()),
            "{text:?}"
        );
    }
    sub.expect_silence();
    psub.expect_silence();

    assert_eq!(int(&cmd(&mut publisher, &["PUBLISH", "nothing", "x"])), 1);
    psub.expect(&pmessage('*', "n*", "nothing", "x"));
    assert_eq!(int(&cmd(&mut publisher, &["PUBLISH", "other", "x"])), 0);
    assert_eq!(int(&cmd(&mut publisher, &["SPUBLISH", "news", "x"])), 0);
    sub.expect_silence();
    sub3c.expect_silence();
    psub.expect_silence();
}

#[test]
fn many_messages_arrive_in_order() {
    let srv = TestServer::start();
    let mut sub = Conn::new(&srv);
    sub.call(&["SUBSCRIBE", "q"], &sub2("subscribe", "q", 1));
    let mut publisher = Conn::new(&srv);
    let n = 2000;
    let mut expected = Vec::new();
    let mut replies = Vec::new();
    for i in 0..n {
        publisher.send(&["PUBLISH", "q", &i.to_string()]);
        expected.extend(message('*', "q", &i.to_string()));
        replies.extend_from_slice(b":1\r\n");
    }
    publisher.expect(&replies);
    sub.expect(&expected);
}

#[test]
fn shard_channels_are_separate() {
    let srv = TestServer::start();
    let mut sub = Conn::new(&srv);
    sub.call(
        &["SSUBSCRIBE", "s1", "s2"],
        &[sub2("ssubscribe", "s1", 1), sub2("ssubscribe", "s2", 2)].concat(),
    );
    let mut psub = Conn::new(&srv);
    psub.call(&["PSUBSCRIBE", "*"], &sub2("psubscribe", "*", 1));
    let mut c = srv.client();
    assert_eq!(int(&cmd(&mut c, &["SPUBLISH", "s1", "m"])), 1);
    sub.expect(&agg('*', &[b"smessage", b"s1", b"m"], None));
    // PUBLISH does not reach shard subscribers.
    assert_eq!(int(&cmd(&mut c, &["PUBLISH", "s1", "m"])), 1);
    psub.expect(&pmessage('*', "*", "s1", "m"));
    sub.expect_silence();
    assert_eq!(
        sorted_strings(cmd(&mut c, &["PUBSUB", "SHARDCHANNELS"])),
        vec!["s1", "s2"]
    );
    assert_eq!(
        sorted_strings(cmd(&mut c, &["PUBSUB", "SHARDCHANNELS", "*1"])),
        vec!["s1"]
    );
    assert_eq!(
        cmd(&mut c, &["PUBSUB", "SHARDNUMSUB", "s1", "nope"]),
        Value::Array(vec![
            Value::BulkString(b"s1".to_vec()),
            Value::Int(1),
            Value::BulkString(b"nope".to_vec()),
            Value::Int(0),
        ])
    );
    assert_eq!(cmd(&mut c, &["PUBSUB", "CHANNELS"]), Value::Array(vec![]));
}

#[test]
fn ssubscribe_is_refused_inside_exec_but_subscribe_is_not() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.call(&["MULTI"], b"+OK\r\n");
    c.call(&["SSUBSCRIBE", "x"], b"+QUEUED\r\n");
    c.call(&["SUBSCRIBE", "y"], b"+QUEUED\r\n");
    c.call(
        &["EXEC"],
        &[
            b"*2\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n".to_vec(),
            sub2("subscribe", "y", 1),
        ]
        .concat(),
    );
    c.call(&["PING"], b"*2\r\n$4\r\npong\r\n$0\r\n\r\n");
}

#[test]
fn pattern_matching_uses_valkey_globs() {
    let srv = TestServer::start();
    let mut sub = Conn::new(&srv);
    let patterns = ["h?llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h\\*llo", "*"];
    for (i, p) in patterns.iter().enumerate() {
        sub.call(&["PSUBSCRIBE", p], &sub2("psubscribe", p, i as i64 + 1));
    }
    let mut c = srv.client();
    for (channel, matching) in [
        ("hello", vec!["h?llo", "h[ae]llo", "*"]),
        (
            "hallo",
            vec!["h?llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "*"],
        ),
        ("h*llo", vec!["h?llo", "h[^e]llo", "h\\*llo", "*"]),
        ("hllo", vec!["*"]),
        // "*" does not match the empty channel name (Valkey's matcher).
        ("", vec![]),
    ] {
        let n = int(&cmd(&mut c, &["PUBLISH", channel, "m"]));
        assert_eq!(n, matching.len() as i64, "channel {channel:?}");
        if matching.is_empty() {
            continue;
        }
        let expected_len: usize = matching
            .iter()
            .map(|p| pmessage('*', p, channel, "m").len())
            .sum();
        let got = String::from_utf8_lossy(&read_n(&mut sub.s, expected_len)).into_owned();
        for p in matching {
            let m = pmessage('*', p, channel, "m");
            assert!(
                got.contains(String::from_utf8_lossy(&m).as_ref()),
                "{got:?}"
            );
        }
    }
    sub.expect_silence();
}

#[test]
fn binary_channel_names_and_payloads() {
    let srv = TestServer::start();
    let mut sub = Conn::new(&srv);
    let ch: &[u8] = b"a\0b\r\nc";
    sub.send_bytes(&[b"SUBSCRIBE", ch]);
    sub.expect(&agg('*', &[b"subscribe", ch], Some(":1\r\n")));
    let mut publisher = Conn::new(&srv);
    publisher.send_bytes(&[b"PUBLISH", ch, b"\xff\x00\r\n"]);
    publisher.expect(b":1\r\n");
    sub.expect(&agg('*', &[b"message", ch, b"\xff\x00\r\n"], None));
}

#[test]
fn pubsub_introspection() {
    let srv = TestServer::start();
    let mut a = Conn::new(&srv);
    a.send(&["SUBSCRIBE", "news.tech", "news.art", "sport"]);
    a.expect(
        &[
            sub2("subscribe", "news.tech", 1),
            sub2("subscribe", "news.art", 2),
            sub2("subscribe", "sport", 3),
        ]
        .concat(),
    );
    a.call(&["PSUBSCRIBE", "news.*"], &sub2("psubscribe", "news.*", 4));
    let mut b = Conn::new(&srv);
    b.call(&["SUBSCRIBE", "sport"], &sub2("subscribe", "sport", 1));
    b.call(&["PSUBSCRIBE", "news.*"], &sub2("psubscribe", "news.*", 2));
    b.call(&["PSUBSCRIBE", "x"], &sub2("psubscribe", "x", 3));

    let mut c = srv.client();
    assert_eq!(
        sorted_strings(cmd(&mut c, &["PUBSUB", "CHANNELS"])),
        vec!["news.art", "news.tech", "sport"]
    );
    assert_eq!(
        sorted_strings(cmd(&mut c, &["PUBSUB", "CHANNELS", "news.*"])),
        vec!["news.art", "news.tech"]
    );
    assert_eq!(
        cmd(&mut c, &["PUBSUB", "NUMSUB", "sport", "news.tech", "none"]),
        Value::Array(vec![
            Value::BulkString(b"sport".to_vec()),
            Value::Int(2),
            Value::BulkString(b"news.tech".to_vec()),
            Value::Int(1),
            Value::BulkString(b"none".to_vec()),
            Value::Int(0),
        ])
    );
    assert_eq!(cmd(&mut c, &["PUBSUB", "NUMSUB"]), Value::Array(vec![]));
    // Distinct patterns, not pattern subscriptions.
    assert_eq!(cmd(&mut c, &["PUBSUB", "NUMPAT"]), Value::Int(2));

    let raw = srv.raw_exchange(&resp(&[b"PUBSUB", b"HELP"]), 1024);
    let text = String::from_utf8(raw).unwrap();
    assert!(text.starts_with(
        "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANNELS [<pattern>]\r\n"
    ));
    assert!(text.ends_with(
        "+    Return the number of subscribers for the specified shard level channel(s)\r\n+HELP\r\n+    Print this help.\r\n"
    ));
    assert_eq!(
        err_of(&mut c, &["PUBSUB", "CHANNELS", "a", "b"]),
        "ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP."
    );
    assert_eq!(
        err_of(&mut c, &["pubsub", "shardchannels", "a", "b"]),
        "ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP."
    );
    assert_eq!(
        err_of(&mut c, &["PUBSUB", "foo"]),
        "ERR unknown subcommand 'foo'. Try PUBSUB HELP."
    );
    assert_eq!(
        err_of(&mut c, &["PUBSUB", "NUMPAT", "x"]),
        "ERR wrong number of arguments for 'pubsub|numpat' command"
    );
    assert_eq!(
        err_of(&mut c, &["PUBSUB"]),
        "ERR wrong number of arguments for 'pubsub' command"
    );
    assert_eq!(
        err_of(&mut c, &["SUBSCRIBE"]),
        "ERR wrong number of arguments for 'subscribe' command"
    );
    assert_eq!(
        err_of(&mut c, &["PUBLISH", "a"]),
        "ERR wrong number of arguments for 'publish' command"
    );
}

#[test]
fn disconnect_removes_subscriptions() {
    let srv = TestServer::start();
    let mut c = srv.client();
    {
        let mut sub = Conn::new(&srv);
        sub.call(&["SUBSCRIBE", "a"], &sub2("subscribe", "a", 1));
        sub.call(&["PSUBSCRIBE", "a*"], &sub2("psubscribe", "a*", 2));
        sub.call(&["SSUBSCRIBE", "s"], &sub2("ssubscribe", "s", 1));
        assert_eq!(int(&cmd(&mut c, &["PUBLISH", "a", "m"])), 2);
    }
    eventually(|| cmd(&mut c, &["PUBSUB", "NUMPAT"]) == Value::Int(0));
    assert_eq!(cmd(&mut c, &["PUBSUB", "CHANNELS"]), Value::Array(vec![]));
    assert_eq!(
        cmd(&mut c, &["PUBSUB", "SHARDCHANNELS"]),
        Value::Array(vec![])
    );
    assert_eq!(int(&cmd(&mut c, &["PUBLISH", "a", "m"])), 0);
    assert_eq!(int(&cmd(&mut c, &["SPUBLISH", "s", "m"])), 0);
}

#[test]
fn reset_leaves_subscribed_mode() {
    let srv = TestServer::start();
    let mut c = Conn::new(&srv);
    c.call(&["SUBSCRIBE", "a"], &sub2("subscribe", "a", 1));
    c.call(&["PSUBSCRIBE", "b*"], &sub2("psubscribe", "b*", 2));
    c.call(&["SSUBSCRIBE", "s"], &sub2("ssubscribe", "s", 1));
    // RESET unsubscribes silently.
    c.call(&["RESET"], b"+RESET\r\n");
    c.call(&["GET", "x"], b"$-1\r\n");
    c.call(&["PUBSUB", "NUMPAT"], b":0\r\n");
    c.call(&["PUBSUB", "NUMSUB", "a"], b"*2\r\n$1\r\na\r\n:0\r\n");
    c.call(&["PUBLISH", "a", "m"], b":0\r\n");
    c.call(&["SPUBLISH", "s", "m"], b":0\r\n");
    c.expect_silence();
}

#[test]
fn redis_crate_pubsub_api() {
    let srv = TestServer::start();
    let mut sub_con = srv.client();
    let mut ps = sub_con.as_pubsub();
    ps.subscribe("chan").unwrap();
    ps.psubscribe("ch*").unwrap();
    let mut c = srv.client();
    assert_eq!(int(&cmd(&mut c, &["PUBLISH", "chan", "payload"])), 2);
    let mut seen = Vec::new();
    for _ in 0..2 {
        let m = ps.get_message().unwrap();
        let pattern: Option<String> = m.get_pattern().ok();
        seen.push((
            m.get_channel_name().to_string(),
            pattern,
            m.get_payload::<String>().unwrap(),
        ));
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("chan".to_string(), None, "payload".to_string()),
            (
                "chan".to_string(),
                Some("ch*".to_string()),
                "payload".to_string()
            ),
        ]
    );
    ps.unsubscribe("chan").unwrap();
    ps.punsubscribe("ch*").unwrap();
    drop(ps);
    assert_eq!(
        cmd(&mut sub_con, &["PING"]),
        Value::SimpleString("PONG".into())
    );
}

#[test]
fn delivery_across_io_threads() {
    let srv = TestServer::start_with(&["--io-threads", "3", "--io-threads-always-active", "yes"]);
    let mut subs: Vec<Conn> = (0..4).map(|_| Conn::new(&srv)).collect();
    for s in &mut subs {
        s.call(&["SUBSCRIBE", "t"], &sub2("subscribe", "t", 1));
    }
    let mut publisher = Conn::new(&srv);
    for i in 0..50 {
        publisher.call(&["PUBLISH", "t", &i.to_string()], b":4\r\n");
    }
    for s in &mut subs {
        let expected: Vec<u8> = (0..50)
            .flat_map(|i| message('*', "t", &i.to_string()))
            .collect();
        s.expect(&expected);
    }
    drop(subs);
    let mut c = srv.client();
    eventually(|| {
        cmd(&mut c, &["PUBSUB", "NUMSUB", "t"])
            == Value::Array(vec![Value::BulkString(b"t".to_vec()), Value::Int(0)])
    });
}
