//! HyperLogLog commands: byte-compatibility with Redis/Valkey values (fixed
//! vectors produced by redis-server, plus a live cross-check when
//! redis-server is installed), error replies for corrupted values, PFDEBUG.

mod common;
mod strings_kit;

use common::{free_port, TestServer};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use strings_kit::{Local, Wire};

fn wire() -> (TestServer, Wire) {
    let srv = TestServer::start();
    let w = Wire::new(srv.raw());
    (srv, w)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The bulk payload of a GET reply.
fn payload(reply: &[u8]) -> Vec<u8> {
    let nl = reply.iter().position(|&c| c == b'\n').unwrap();
    reply[nl + 1..reply.len() - 2].to_vec()
}

fn elems(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

fn pfadd(c: &mut Wire, key: &str, items: &[String]) -> String {
    let mut args = vec!["PFADD", key];
    args.extend(items.iter().map(String::as_str));
    c.q(&args)
}

fn get(c: &mut Wire, key: &str) -> Vec<u8> {
    payload(&c.qb(&[b"GET", key.as_bytes()]))
}

fn sha1(b: &[u8]) -> String {
    sha1_smol::Sha1::from(b).digest().to_string()
}

/// Values produced by redis-server 7.0 for the same commands.
#[test]
fn fixed_vectors_from_redis() {
    let (_s, mut c) = wire();
    let seven: Vec<String> = "abcdefg".chars().map(String::from).collect();
    assert_eq!(pfadd(&mut c, "v1", &seven), ":1\r\n");
    assert_eq!(
        hex(&get(&mut c, "v1")),
        "48594c4c010000000000000000000080466d80560c80443c84388050b184498c80426d80425a"
    );
    pfadd(&mut c, "v2", &elems("elem:", 200));
    let v2 = hex(&get(&mut c, "v2"));
    assert_eq!(v2.len(), 2 * 494);
    assert!(v2.starts_with("48594c4c010000000000000000000080429f800381178840978c"));
    assert!(v2.ends_with("8810883c882a80358040d090801a8c40a2"));
    assert_eq!(c.q(&["PFCOUNT", "v2"]), ":200\r\n");
    // The count is cached in the header (little endian, valid bit clear).
    let cached = hex(&get(&mut c, "v2"));
    assert_eq!(&cached[..32], "48594c4c01000000c800000000000000");
    assert_eq!(&cached[32..], &v2[32..]);

    pfadd(&mut c, "v3", &elems("elem:", 5000));
    let v3 = get(&mut c, "v3");
    assert_eq!(v3.len(), 12304);
    assert_eq!(sha1(&v3), "b0c034a4df7bd8dcf40da367063791985f79235c");
    assert_eq!(c.q(&["PFCOUNT", "v3"]), ":4973\r\n");
    assert_eq!(
        sha1(&get(&mut c, "v3")),
        "e412a2b95fa088fee6a622d2e550d2c6b519ee95"
    );
    assert_eq!(c.q(&["PFMERGE", "v4", "v1", "v2"]), "+OK\r\n");
    let v4 = hex(&get(&mut c, "v4"));
    assert!(v4.starts_with("48594c4c010000000000000000000080429f800381178840978c0180411a84"));
    assert!(v4.ends_with("803d800a80148810883c882a80358040d090801a8c40a2"));
    assert_eq!(c.q(&["PFMERGE", "v5", "v2", "v3"]), "+OK\r\n");
    assert_eq!(
        sha1(&get(&mut c, "v5")),
        "b0c034a4df7bd8dcf40da367063791985f79235c"
    );
    assert_eq!(c.q(&["PFCOUNT", "v5"]), ":4973\r\n");
    assert_eq!(c.q(&["PFCOUNT", "v1", "v2", "v3"]), ":4981\r\n");
    // A value copied in from another server counts the same.
    let copy = get(&mut c, "v4");
    c.qb(&[b"SET", b"copy", &copy]);
    assert_eq!(c.q(&["PFCOUNT", "copy"]), c.q(&["PFCOUNT", "v4"]));
}

#[test]
fn pfadd_pfcount_basics() {
    let (_s, mut c) = wire();
    assert_eq!(c.q(&["PFCOUNT", "nokey"]), ":0\r\n");
    assert_eq!(c.q(&["PFADD", "h"]), ":1\r\n");
    assert_eq!(c.q(&["PFADD", "h"]), ":0\r\n");
    assert_eq!(c.q(&["PFCOUNT", "h"]), ":0\r\n");
    assert_eq!(c.q(&["PFADD", "h", "a", "b", "c"]), ":1\r\n");
    assert_eq!(c.q(&["PFADD", "h", "a", "b"]), ":0\r\n");
    assert_eq!(c.q(&["PFCOUNT", "h"]), ":3\r\n");
    assert_eq!(c.q(&["PFCOUNT", "h", "nokey"]), ":3\r\n");
    assert_eq!(c.q(&["PFMERGE", "m"]), "+OK\r\n");
    assert_eq!(c.q(&["PFCOUNT", "m"]), ":0\r\n");
    assert_eq!(c.q(&["PFMERGE", "m", "h", "nokey"]), "+OK\r\n");
    assert_eq!(c.q(&["PFCOUNT", "m"]), ":3\r\n");
    assert_eq!(c.q(&["STRLEN", "h"]), ":27\r\n");
}

#[test]
fn not_a_hyperloglog() {
    let (_s, mut c) = wire();
    let not_hll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
    let mut dense_short = b"HYLL\x00".to_vec();
    dense_short.extend([0u8; 111]);
    let mut bad_enc = b"HYLL\x02".to_vec();
    bad_enc.extend([0u8; 11]);
    bad_enc.extend([0x7f, 0xff]);
    let values: [&[u8]; 5] = [b"hello", b"12345", b"HYLL", &dense_short, &bad_enc];
    for (i, v) in values.iter().enumerate() {
        let key = format!("s{i}");
        c.qb(&[b"SET", key.as_bytes(), v]);
        assert_eq!(c.q(&["PFADD", &key, "a"]), not_hll, "{v:?}");
        assert_eq!(c.q(&["PFCOUNT", &key]), not_hll);
        assert_eq!(c.q(&["PFCOUNT", &key, "nokey"]), not_hll);
        assert_eq!(c.q(&["PFMERGE", "dst", &key]), not_hll);
        assert_eq!(c.q(&["PFDEBUG", "ENCODING", &key]), not_hll);
    }
    assert_eq!(c.q(&["GET", "dst"]), "$-1\r\n");
}

#[test]
fn corrupted_values() {
    let (_s, mut c) = wire();
    let corrupt = "-INVALIDOBJ Corrupted HLL object detected\r\n";
    let hdr: &[u8] = b"HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80";
    let bodies: [&[u8]; 4] = [
        b"\x7f\xff\x00", // one register too many
        b"\x00",         // far too few
        b"\x7f\xfe\x81", // VAL run past the end
        &[0xffu8; 4100], // VAL runs past the end (CVE-2025-32023)
    ];
    for (i, body) in bodies.iter().enumerate() {
        let key = format!("c{i}");
        let mut v = hdr.to_vec();
        v.extend_from_slice(body);
        c.qb(&[b"SET", key.as_bytes(), &v]);
        assert_eq!(c.q(&["PFCOUNT", &key]), corrupt, "{i}");
        assert_eq!(c.q(&["PFCOUNT", &key, "nokey"]), corrupt, "{i}");
        assert_eq!(c.q(&["PFMERGE", "dst", &key]), corrupt, "{i}");
        assert_eq!(c.q(&["PFDEBUG", "GETREG", &key]), corrupt, "{i}");
        assert_eq!(c.q(&["PFDEBUG", "TODENSE", &key]), corrupt, "{i}");
    }
    // Too few registers: an element beyond the covered range is an error.
    c.qb(&[b"SET", b"short", &[hdr, b"\x00"].concat()]);
    assert_eq!(c.q(&["PFADD", "short", "a", "b", "c", "d"]), corrupt);
    // Garbage never takes the server down.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in 0..300 {
        let mut v = hdr.to_vec();
        for _ in 0..(i % 50) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.push(x as u8);
        }
        c.qb(&[b"SET", b"g", &v]);
        for cmd in [
            &["PFADD", "g", "x", "y", "z"][..],
            &["PFCOUNT", "g"],
            &["PFCOUNT", "g", "v"],
            &["PFMERGE", "g2", "g"],
            &["PFDEBUG", "DECODE", "g"],
        ] {
            c.q(cmd);
        }
    }
    assert_eq!(c.q(&["PING"]), "+PONG\r\n");
}

#[test]
fn pfdebug() {
    let (_s, mut c) = wire();
    c.q(&["PFADD", "h", "a"]);
    assert_eq!(c.q(&["PFDEBUG", "ENCODING", "h"]), "+sparse\r\n");
    let dec = c.q(&["PFDEBUG", "DECODE", "h"]);
    assert!(dec.contains("Z:") && dec.contains(" v:"), "{dec}");
    c.q(&["PFADD", "e"]);
    assert_eq!(c.q(&["PFDEBUG", "DECODE", "e"]), "$7\r\nZ:16384\r\n");
    assert_eq!(c.q(&["PFDEBUG", "TODENSE", "h"]), ":1\r\n");
    assert_eq!(c.q(&["PFDEBUG", "TODENSE", "h"]), ":0\r\n");
    assert_eq!(c.q(&["PFDEBUG", "ENCODING", "h"]), "+dense\r\n");
    assert_eq!(
        c.q(&["PFDEBUG", "DECODE", "h"]),
        "-ERR HLL encoding is not sparse\r\n"
    );
    let regs = c.q(&["PFDEBUG", "GETREG", "e"]);
    assert!(regs.starts_with("*16384\r\n:0\r\n"));
    assert_eq!(regs.matches(":0\r\n").count(), 16384);
    assert_eq!(c.q(&["PFDEBUG", "ENCODING", "e"]), "+dense\r\n");
    assert_eq!(
        c.q(&["PFDEBUG", "FOO", "h"]),
        "-ERR Unknown PFDEBUG subcommand 'FOO'\r\n"
    );
    assert_eq!(
        c.q(&["PFDEBUG", "ENCODING", "nokey"]),
        "-ERR The specified key does not exist\r\n"
    );
    assert_eq!(c.q(&["PFDEBUG", "SIMD", "OFF"]), "+disabled\r\n");
    assert_eq!(
        c.q(&["PFDEBUG", "ENCODING"]),
        "-ERR wrong number of arguments for 'pfdebug' command\r\n"
    );
}

#[test]
fn cache_and_propagation() {
    let mut l = Local::new();
    l.q(&["PFADD", "h", "a", "b"]);
    assert_eq!(l.propagated(), ["PFADD h a b"]);
    assert_eq!(l.q(&["PFCOUNT", "h"]), ":2\r\n");
    // Refreshing the cached cardinality modifies the value: propagated.
    assert_eq!(l.propagated(), ["PFCOUNT h"]);
    assert_eq!(l.q(&["PFCOUNT", "h"]), ":2\r\n");
    assert_eq!(l.propagated(), Vec::<String>::new());
    l.q(&["PFADD", "h", "a"]);
    assert_eq!(l.propagated(), Vec::<String>::new());
    l.q(&["PFMERGE", "m", "h"]);
    l.q(&["PFDEBUG", "TODENSE", "m"]);
    l.q(&["PFDEBUG", "TODENSE", "m"]);
    assert_eq!(l.propagated(), ["PFMERGE m h", "PFDEBUG TODENSE m"]);
    assert_eq!(l.encoding("h"), Some("raw"));
}

#[test]
fn sparse_promotes_at_the_configured_limit() {
    let (_s, mut c) = wire();
    let mut i = 0;
    loop {
        pfadd(&mut c, "h", &elems(&format!("x{i}:"), 50));
        i += 1;
        let len = get(&mut c, "h").len();
        if c.q(&["PFDEBUG", "ENCODING", "h"]) == "+dense\r\n" {
            assert_eq!(len, 12304);
            break;
        }
        assert!(len <= 3000, "sparse value of {len} bytes");
    }
    assert!(i > 10);
}

/// Live cross-check: identical PFADD/PFMERGE/PFCOUNT traffic against
/// redis-server (skipped when it is not installed) leaves identical bytes.
#[test]
fn byte_identical_with_redis_server() {
    let Ok(path) = which("redis-server") else {
        eprintln!("redis-server not on PATH: skipping the live cross-check");
        return;
    };
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("valkey-rs-hll-redis-{port}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(path)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let stream = loop {
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            break s;
        }
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut theirs = Wire::new(stream);
    let (_s, mut ours) = wire();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let sizes = [0usize, 1, 3, 20, 150, 700, 1500, 2600, 4000, 9000];
    for (k, &n) in sizes.iter().enumerate() {
        let key = format!("h{k}");
        let items: Vec<String> = (0..n).map(|_| format!("{:x}", rnd() % 50_000)).collect();
        for chunk in items.chunks(97).chain(std::iter::once(&[][..])) {
            let mut args = vec!["PFADD", key.as_str()];
            args.extend(chunk.iter().map(String::as_str));
            assert_eq!(ours.q(&args), theirs.q(&args), "{key}");
        }
        for args in [
            vec!["GET", key.as_str()],
            vec!["PFCOUNT", key.as_str()],
            vec!["GET", key.as_str()],
        ] {
            assert_eq!(ours.q(&args), theirs.q(&args), "{args:?}");
        }
    }
    for args in [
        &["PFMERGE", "m1", "h1", "h2", "h3"][..],
        &["GET", "m1"],
        &["PFMERGE", "m2", "h4", "h8"],
        &["GET", "m2"],
        &["PFCOUNT", "h1", "h5", "h9"],
        &["PFDEBUG", "GETREG", "h3"],
        &["GET", "h3"],
    ] {
        assert_eq!(ours.q(args), theirs.q(args), "{args:?}");
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    let path = std::env::var_os("PATH").ok_or(())?;
    std::env::split_paths(&path)
        .map(|p| p.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}
