//! Client-side caching against the real server: CLIENT TRACKING in default,
//! OPTIN, OPTOUT, BCAST and NOLOOP modes, RESP3 invalidation pushes, RESP2
//! redirection to a `__redis__:invalidate` subscriber, flushes, expiry,
//! broken redirects, the table size limit, introspection and the exact
//! error texts. Expected bytes were checked against redis-server 7.0 (and
//! Valkey's tracking.c / networking.c where they differ).

mod common;
use common::*;
use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

struct Conn {
    s: TcpStream,
}

impl Conn {
    fn new(srv: &TestServer) -> Conn {
        Conn { s: srv.raw() }
    }

    fn resp3(srv: &TestServer) -> Conn {
        let mut c = Conn::new(srv);
        c.send(&["HELLO", "3"]);
        let mut got = Vec::new();
        while !got.ends_with(b"$7\r\nmodules\r\n*0\r\n") {
            let more = read_n(&mut c.s, 1);
            assert!(!more.is_empty(), "HELLO reply cut short");
            got.extend(more);
        }
        c
    }

    fn send(&mut self, args: &[&str]) {
        let a: Vec<&[u8]> = args.iter().map(|x| x.as_bytes()).collect();
        self.s.write_all(&resp(&a)).unwrap();
    }

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

    fn ok(&mut self, args: &[&str]) {
        self.call(args, b"+OK\r\n");
    }

    /// Read whatever arrives within a short while.
    fn drain(&mut self) -> Vec<u8> {
        self.s
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let got = read_n(&mut self.s, usize::MAX);
        self.s
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        got
    }

    fn expect_silence(&mut self) {
        let got = self.drain();
        assert!(
            got.is_empty(),
            "unexpected data: {:?}",
            String::from_utf8_lossy(&got)
        );
    }

    fn id(&mut self) -> String {
        self.send(&["CLIENT", "ID"]);
        let mut got = Vec::new();
        while !got.ends_with(b"\r\n") {
            got.extend(read_n(&mut self.s, 1));
        }
        String::from_utf8_lossy(&got[1..got.len() - 2]).into_owned()
    }
}

/// `>2 invalidate [keys]` as a RESP3 push.
fn push(keys: &[&str]) -> Vec<u8> {
    let mut v = b">2\r\n$10\r\ninvalidate\r\n".to_vec();
    v.extend(keys_array(keys));
    v
}

/// The same invalidation as a RESP2 Pub/Sub message on the channel.
fn message(keys: &[&str]) -> Vec<u8> {
    let mut v = b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n".to_vec();
    v.extend(keys_array(keys));
    v
}

fn keys_array(keys: &[&str]) -> Vec<u8> {
    let mut v = format!("*{}\r\n", keys.len()).into_bytes();
    for k in keys {
        v.extend(format!("${}\r\n{k}\r\n", k.len()).bytes());
    }
    v
}

#[test]
fn resp3_client_gets_pushes_for_keys_it_read() {
    let srv = TestServer::start();
    let mut a = Conn::resp3(&srv);
    let mut b = Conn::new(&srv);
    a.ok(&["CLIENT", "TRACKING", "on"]);
    a.call(&["GET", "foo"], b"_\r\n");
    a.call(&["MGET", "k1", "k2"], b"*2\r\n_\r\n_\r\n");
    b.ok(&["SET", "foo", "1"]);
    a.expect(&push(&["foo"]));
    // The entry is gone until the key is read again.
    b.ok(&["SET", "foo", "2"]);
    a.expect_silence();
    // A write that names several keys invalidates each.
    b.ok(&["MSET", "k1", "x", "k2", "y"]);
    let got = a.drain();
    let one = [push(&["k1"]), push(&["k2"])].concat();
    let other = [push(&["k2"]), push(&["k1"])].concat();
    assert!(
        got == one || got == other,
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    // Keys a write command only reads are not invalidated.
    b.ok(&["SET", "src", "v"]);
    a.call(&["GET", "src"], b"$1\r\nv\r\n");
    b.call(&["COPY", "src", "dst"], b":1\r\n");
    a.expect_silence();
}

#[test]
fn own_writes_push_after_the_reply_unless_noloop() {
    let srv = TestServer::start();
    let mut a = Conn::resp3(&srv);
    a.ok(&["CLIENT", "TRACKING", "on"]);
    a.call(&["GET", "k"], b"_\r\n");
    a.send(&["SET", "k", "v"]);
    a.expect(&[b"+OK\r\n".to_vec(), push(&["k"])].concat());
    // In a transaction the push follows EXEC's whole reply.
    a.call(&["GET", "k"], b"$1\r\nv\r\n");
    a.ok(&["MULTI"]);
    a.call(&["SET", "k", "w"], b"+QUEUED\r\n");
    a.call(&["GET", "k"], b"+QUEUED\r\n");
    a.send(&["EXEC"]);
    a.expect(&[b"*2\r\n+OK\r\n$1\r\nw\r\n".to_vec(), push(&["k"])].concat());
    a.expect_silence();
    // NOLOOP: no message about the client's own writes, others' still come.
    a.ok(&["CLIENT", "TRACKING", "on", "NOLOOP"]);
    a.call(&["GET", "k"], b"$1\r\nw\r\n");
    a.ok(&["SET", "k", "z"]);
    a.expect_silence();
    a.call(&["GET", "k"], b"$1\r\nz\r\n");
    let mut b = Conn::new(&srv);
    b.ok(&["SET", "k", "q"]);
    a.expect(&push(&["k"]));
}

#[test]
fn flush_invalidates_everything_with_a_null() {
    let srv = TestServer::start();
    let mut a = Conn::resp3(&srv);
    let mut b = Conn::new(&srv);
    a.ok(&["CLIENT", "TRACKING", "on"]);
    a.call(&["GET", "k"], b"_\r\n");
    b.ok(&["FLUSHALL"]);
    a.expect(b">2\r\n$10\r\ninvalidate\r\n_\r\n");
    // Even an empty database, and the flushing client itself after its reply.
    a.send(&["FLUSHDB"]);
    a.expect(b"+OK\r\n>2\r\n$10\r\ninvalidate\r\n_\r\n");
    b.send(&["INFO", "stats"]);
    let info = String::from_utf8_lossy(&b.drain()).into_owned();
    assert!(info.contains("tracking_total_keys:0\r\n"), "{info}");
    assert!(info.contains("tracking_total_items:0\r\n"), "{info}");
    // A failed flush does nothing.
    b.call(&["FLUSHALL", "nope"], b"-ERR syntax error\r\n");
    a.expect_silence();
}

#[test]
fn resp2_redirect_to_an_invalidate_subscriber() {
    let srv = TestServer::start();
    let mut r = Conn::new(&srv);
    let rid = r.id();
    r.call(
        &["SUBSCRIBE", "__redis__:invalidate"],
        b"*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n",
    );
    let mut a = Conn::new(&srv);
    let mut b = Conn::new(&srv);
    a.ok(&["CLIENT", "TRACKING", "on", "REDIRECT", &rid]);
    a.call(&["CLIENT", "GETREDIR"], format!(":{rid}\r\n").as_bytes());
    a.call(&["GET", "k"], b"$-1\r\n");
    b.ok(&["SET", "k", "1"]);
    r.expect(&message(&["k"]));
    a.expect_silence();
    b.ok(&["FLUSHALL"]);
    r.expect(b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n");
    // Without a redirect a RESP2 client gets nothing at all.
    a.ok(&["CLIENT", "TRACKING", "on"]);
    a.call(&["GET", "k"], b"$-1\r\n");
    b.ok(&["SET", "k", "2"]);
    a.expect_silence();
    r.expect_silence();
}

#[test]
fn bcast_prefixes() {
    let srv = TestServer::start();
    let mut a = Conn::resp3(&srv);
    let mut b = Conn::new(&srv);
    a.ok(&[
        "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "y",
    ]);
    b.ok(&["MSET", "x2", "1", "x1", "1", "y1", "2", "z1", "3"]);
    // One message per prefix, keys in byte order, without a prior read.
    a.expect(&[push(&["x1", "x2"]), push(&["y1"])].concat());
    a.expect_silence();
    a.call(
        &["CLIENT", "TRACKINGINFO"],
        b"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n\
          $8\r\nprefixes\r\n*2\r\n$1\r\nx\r\n$1\r\ny\r\n",
    );
    b.send(&["INFO", "stats"]);
    let info = String::from_utf8_lossy(&b.drain()).into_owned();
    assert!(info.contains("tracking_total_prefixes:2\r\n"), "{info}");
    // Prefixes may be added later, never overlapping.
    a.call(
        &["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "xa"],
        b"-ERR Prefix 'xa' overlaps with an existing prefix 'x'. \
          Prefixes for a single client must not overlap.\r\n",
    );
    a.ok(&["CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "w"]);
    // BCAST with NOLOOP: only keys others changed.
    a.ok(&["CLIENT", "TRACKING", "on", "BCAST", "NOLOOP", "PREFIX", "n"]);
    a.ok(&["SET", "n1", "1"]);
    a.expect_silence();
    b.ok(&["SET", "n2", "1"]);
    a.expect(&push(&["n2"]));
    a.ok(&["CLIENT", "TRACKING", "off"]);
    b.send(&["INFO", "stats"]);
    let info = String::from_utf8_lossy(&b.drain()).into_owned();
    assert!(info.contains("tracking_total_prefixes:0\r\n"), "{info}");
    // Plain BCAST is the empty prefix: every key.
    a.ok(&["CLIENT", "TRACKING", "on", "BCAST"]);
    b.ok(&["SET", "anything", "1"]);
    a.expect(&push(&["anything"]));
}

#[test]
fn optin_and_optout() {
    let srv = TestServer::start();
    let mut a = Conn::resp3(&srv);
    let mut b = Conn::new(&srv);
    a.ok(&["CLIENT", "TRACKING", "on", "OPTIN"]);
    a.call(&["GET", "k1"], b"_\r\n");
    a.ok(&["CLIENT", "CACHING", "yes"]);
    a.call(&["GET", "k2"], b"_\r\n");
    // CACHING applies to one command only.
    a.call(&["GET", "k3"], b"_\r\n");
    // ... or to one whole transaction.
    a.ok(&["CLIENT", "CACHING", "yes"]);
    a.ok(&["MULTI"]);
    a.call(&["GET", "k4"], b"+QUEUED\r\n");
    a.call(&["EXEC"], b"*1\r\n_\r\n");
    b.ok(&["MSET", "k1", "1", "k2", "2", "k3", "3", "k4", "4"]);
    let got = a.drain();
    let one = [push(&["k2"]), push(&["k4"])].concat();
    let other = [push(&["k4"]), push(&["k2"])].concat();
    assert!(
        got == one || got == other,
        "{:?}",
        String::from_utf8_lossy(&got)
    );

    a.call(
        &["CLIENT", "TRACKING", "on", "OPTOUT"],
        b"-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this \
          client, and then re-enabling it with a different mode.\r\n",
    );
    a.call(
        &["CLIENT", "CACHING", "no"],
        b"-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n",
    );
    a.ok(&["CLIENT", "TRACKING", "off"]);
    a.ok(&["CLIENT", "TRACKING", "on", "OPTOUT"]);
    a.call(
        &["CLIENT", "CACHING", "yes"],
        b"-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n",
    );
    a.ok(&["CLIENT", "CACHING", "no"]);
    a.call(
        &["CLIENT", "TRACKINGINFO"],
        b"%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n\
          $8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n",
    );
    a.call(&["GET", "k1"], b"$1\r\n1\r\n");
    a.call(&["GET", "k2"], b"$1\r\n2\r\n");
    b.ok(&["MSET", "k1", "1", "k2", "2"]);
    a.expect(&push(&["k2"]));
    a.expect_silence();
}

#[test]
fn broken_redirect_is_reported() {
    let srv = TestServer::start();
    let mut a = Conn::resp3(&srv);
    let mut target = Conn::new(&srv);
    let tid = target.id();
    let mut b = Conn::new(&srv);
    a.ok(&["CLIENT", "TRACKING", "on", "REDIRECT", &tid]);
    a.call(&["GET", "k"], b"_\r\n");
    drop(target);
    std::thread::sleep(Duration::from_millis(100));
    b.ok(&["SET", "k", "1"]);
    a.expect(format!(">2\r\n$21\r\ntracking-redir-broken\r\n:{tid}\r\n").as_bytes());
    a.call(
        &["CLIENT", "TRACKINGINFO"],
        format!(
            "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n\
             $8\r\nredirect\r\n:{tid}\r\n$8\r\nprefixes\r\n*0\r\n"
        )
        .as_bytes(),
    );
    a.send(&["CLIENT", "INFO"]);
    let info = String::from_utf8_lossy(&a.drain()).into_owned();
    assert!(info.contains(" flags=tR "), "{info}");
    assert!(info.contains(&format!(" redir={tid} ")), "{info}");
}

#[test]
fn expired_keys_are_invalidated() {
    let srv = TestServer::start();
    let mut a = Conn::resp3(&srv);
    let mut b = Conn::new(&srv);
    b.ok(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    b.ok(&["SET", "k", "v", "PX", "50"]);
    a.ok(&["CLIENT", "TRACKING", "on"]);
    a.call(&["GET", "k"], b"$1\r\nv\r\n");
    std::thread::sleep(Duration::from_millis(120));
    // Lazy expiry by another client's read.
    b.call(&["GET", "k"], b"$-1\r\n");
    a.expect(&push(&["k"]));
    // Active expiry.
    b.ok(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    b.ok(&["SET", "k2", "v", "PX", "50"]);
    a.call(&["GET", "k2"], b"$1\r\nv\r\n");
    std::thread::sleep(Duration::from_millis(400));
    a.expect(&push(&["k2"]));
}

#[test]
fn table_limit_evicts_and_invalidates() {
    let srv = TestServer::start();
    let mut a = Conn::resp3(&srv);
    let mut b = Conn::new(&srv);
    a.ok(&["CLIENT", "TRACKING", "on"]);
    a.call(&["MGET", "a", "b", "c"], b"*3\r\n_\r\n_\r\n_\r\n");
    b.ok(&["CONFIG", "SET", "tracking-table-max-keys", "1"]);
    // The next command (or the cron) brings the table back to the limit.
    b.call(&["PING"], b"+PONG\r\n");
    let got = String::from_utf8_lossy(&a.drain()).into_owned();
    assert_eq!(
        got.matches(">2\r\n$10\r\ninvalidate\r\n*1\r\n").count(),
        2,
        "{got}"
    );
    b.send(&["INFO", "stats"]);
    let info = String::from_utf8_lossy(&b.drain()).into_owned();
    assert!(info.contains("tracking_total_keys:1\r\n"), "{info}");
    assert!(info.contains("tracking_total_items:1\r\n"), "{info}");
}

#[test]
fn introspection_and_cleanup() {
    let srv = TestServer::start();
    let mut a = Conn::new(&srv);
    let mut b = Conn::new(&srv);
    let bid = b.id();
    a.call(&["CLIENT", "GETREDIR"], b":-1\r\n");
    a.call(
        &["CLIENT", "TRACKINGINFO"],
        b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n\
          $8\r\nprefixes\r\n*0\r\n",
    );
    a.ok(&["CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", &bid]);
    a.send(&["CLIENT", "INFO"]);
    let info = String::from_utf8_lossy(&a.drain()).into_owned();
    assert!(info.contains(" flags=tB "), "{info}");
    assert!(info.contains(&format!(" redir={bid} ")), "{info}");
    b.send(&["INFO", "clients"]);
    let info = String::from_utf8_lossy(&b.drain()).into_owned();
    assert!(info.contains("tracking_clients:1\r\n"), "{info}");
    // RESET turns tracking off.
    a.call(&["RESET"], b"+RESET\r\n");
    a.call(&["CLIENT", "GETREDIR"], b":-1\r\n");
    a.ok(&["CLIENT", "TRACKING", "on"]);
    a.call(&["CLIENT", "GETREDIR"], b":0\r\n");
    a.call(&["GET", "k"], b"$-1\r\n");
    b.send(&["INFO"]);
    let info = String::from_utf8_lossy(&b.drain()).into_owned();
    assert!(info.contains("tracking_clients:1\r\n"), "{info}");
    assert!(info.contains("tracking_total_keys:1\r\n"), "{info}");
    assert!(info.contains("tracking_total_items:1\r\n"), "{info}");
    // A disconnect turns it off too; the key entry goes lazily.
    drop(a);
    std::thread::sleep(Duration::from_millis(100));
    b.send(&["INFO"]);
    let info = String::from_utf8_lossy(&b.drain()).into_owned();
    assert!(info.contains("tracking_clients:0\r\n"), "{info}");
    b.ok(&["SET", "k", "1"]);
    b.send(&["INFO"]);
    let info = String::from_utf8_lossy(&b.drain()).into_owned();
    assert!(info.contains("tracking_total_keys:0\r\n"), "{info}");
}

#[test]
fn error_texts() {
    let srv = TestServer::start();
    let mut a = Conn::new(&srv);
    let cases: &[(&[&str], &str)] = &[
        (
            &["CLIENT", "TRACKING", "on", "PREFIX", "a"],
            "ERR PREFIX option requires BCAST mode to be enabled",
        ),
        (
            &["CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"],
            "ERR You can't specify both OPTIN mode and OPTOUT mode",
        ),
        (
            &["CLIENT", "TRACKING", "on", "BCAST", "OPTOUT"],
            "ERR OPTIN and OPTOUT are not compatible with BCAST",
        ),
        (
            &["CLIENT", "TRACKING", "on", "REDIRECT", "99999"],
            "ERR The client ID you want redirect to does not exist",
        ),
        (
            &["CLIENT", "TRACKING", "on", "REDIRECT", "x"],
            "ERR value is not an integer or out of range",
        ),
        (
            &["CLIENT", "TRACKING", "on", "REDIRECT"],
            "ERR syntax error",
        ),
        (&["CLIENT", "TRACKING", "on", "bogus"], "ERR syntax error"),
        (&["CLIENT", "TRACKING", "maybe"], "ERR syntax error"),
        (
            &[
                "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "xy",
            ],
            "ERR Prefix 'x' overlaps with another provided prefix 'xy'. \
             Prefixes for a single client must not overlap.",
        ),
        (
            &["CLIENT", "CACHING", "yes"],
            "ERR CLIENT CACHING can be called only when the client is in tracking mode \
             with OPTIN or OPTOUT mode enabled",
        ),
        (
            &["CLIENT", "TRACKING"],
            "ERR wrong number of arguments for 'client|tracking' command",
        ),
        (
            &["CLIENT", "GETREDIR", "x"],
            "ERR wrong number of arguments for 'client|getredir' command",
        ),
    ];
    for (args, text) in cases {
        a.call(args, format!("-{text}\r\n").as_bytes());
    }
    let me = a.id();
    a.call(
        &["CLIENT", "TRACKING", "on", "REDIRECT", &me, "REDIRECT", &me],
        b"-ERR A client can only redirect to a single other client\r\n",
    );
    a.ok(&["CLIENT", "TRACKING", "on", "BCAST"]);
    a.call(
        &["CLIENT", "TRACKING", "on"],
        b"-ERR You can't switch BCAST mode on/off before disabling tracking for this \
          client, and then re-enabling it with a different mode.\r\n",
    );
    a.call(&["CLIENT", "CACHING", "maybe"], b"-ERR syntax error\r\n");
    // Options are parsed but ignored when turning tracking off.
    a.ok(&["CLIENT", "TRACKING", "off", "OPTIN", "OPTOUT"]);
}
