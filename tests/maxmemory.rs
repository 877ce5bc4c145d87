//! The access clock and `maxmemory` against the real server: OBJECT
//! IDLETIME / FREQ (and which commands count as an access), CLIENT
//! NO-TOUCH, the OOM error under `noeviction` (also inside MULTI), and
//! eviction by the random, LRU, LFU and TTL policies, with the `evicted`
//! keyspace event and `evicted_keys`.

mod common;
use common::*;
use redis::Value;
use std::time::Duration;

fn int(v: Value) -> i64 {
    match v {
        Value::Int(n) => n,
        other => panic!("not an integer: {other:?}"),
    }
}

/// Switch to `policy` with a `limit` of `bytes`.
fn set_limit(c: &mut redis::Connection, policy: &str, bytes: u64) {
    cmd(c, &["CONFIG", "SET", "maxmemory-policy", policy]);
    cmd(c, &["CONFIG", "SET", "maxmemory", &bytes.to_string()]);
}

const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";

#[test]
fn idletime_counts_only_real_accesses() {
    let srv = TestServer::start();
    let mut c = srv.client();
    cmd(&mut c, &["SET", "k", "v"]);
    cmd(&mut c, &["SET", "other", "v"]);
    std::thread::sleep(Duration::from_millis(2100));
    // Inspection does not count as an access.
    for probe in [
        &["OBJECT", "IDLETIME", "k"][..],
        &["TYPE", "k"],
        &["EXISTS", "k"],
        &["TTL", "k"],
        &["OBJECT", "ENCODING", "k"],
    ] {
        cmd(&mut c, probe);
    }
    let idle = int(cmd(&mut c, &["OBJECT", "IDLETIME", "k"]));
    assert!((2..=4).contains(&idle), "idle {idle}");
    cmd(&mut c, &["GET", "k"]);
    // One-second resolution: a second boundary may fall in between.
    assert!(int(cmd(&mut c, &["OBJECT", "IDLETIME", "k"])) <= 1);
    // CLIENT NO-TOUCH: reads stop touching, TOUCH still does.
    cmd(&mut c, &["CLIENT", "NO-TOUCH", "on"]);
    cmd(&mut c, &["GET", "other"]);
    assert!(int(cmd(&mut c, &["OBJECT", "IDLETIME", "other"])) >= 2);
    assert_eq!(int(cmd(&mut c, &["TOUCH", "other"])), 1);
    assert!(int(cmd(&mut c, &["OBJECT", "IDLETIME", "other"])) <= 1);
    assert_eq!(cmd(&mut c, &["OBJECT", "IDLETIME", "nosuch"]), Value::Nil);
}

#[test]
fn freq_under_lfu_policies() {
    let srv = TestServer::start_with(&["--maxmemory-policy", "allkeys-lfu"]);
    let mut c = srv.client();
    cmd(&mut c, &["SET", "k", "v"]);
    assert_eq!(int(cmd(&mut c, &["OBJECT", "FREQ", "k"])), 5);
    for _ in 0..200 {
        cmd(&mut c, &["GET", "k"]);
    }
    let f = int(cmd(&mut c, &["OBJECT", "FREQ", "k"]));
    assert!((7..=20).contains(&f), "freq {f}");
    assert!(err_of(&mut c, &["OBJECT", "IDLETIME", "k"])
        .starts_with("ERR An LFU maxmemory policy is selected"));
    cmd(
        &mut c,
        &["CONFIG", "SET", "maxmemory-policy", "allkeys-lru"],
    );
    assert!(err_of(&mut c, &["OBJECT", "FREQ", "k"])
        .starts_with("ERR An LFU maxmemory policy is not selected"));
}

#[test]
fn noeviction_refuses_writes_that_may_grow_memory() {
    let srv = TestServer::start();
    let mut c = srv.client();
    cmd(&mut c, &["SET", "k", "v"]);
    cmd(&mut c, &["CONFIG", "SET", "maxmemory", "1"]);
    assert_eq!(err_of(&mut c, &["SET", "x", "y"]), OOM);
    assert_eq!(err_of(&mut c, &["LPUSH", "l", "a"]), OOM);
    // Reads and deletions still work.
    assert_eq!(cmd(&mut c, &["GET", "k"]), Value::BulkString(b"v".to_vec()));
    assert_eq!(int(cmd(&mut c, &["DEL", "k"])), 1);
    // Inside MULTI the refusal aborts the transaction.
    cmd(&mut c, &["MULTI"]);
    assert_eq!(err_of(&mut c, &["SET", "x", "y"]), OOM);
    assert!(err_of(&mut c, &["EXEC"]).starts_with("EXECABORT"));
    assert_eq!(info_field(&mut c, "stats", "evicted_keys"), 0);
    std::thread::sleep(Duration::from_millis(30));
    assert!(info_field(&mut c, "stats", "current_eviction_exceeded_time") >= 20);
    cmd(&mut c, &["CONFIG", "SET", "maxmemory", "0"]);
    cmd(&mut c, &["SET", "x", "y"]);
    assert_eq!(
        info_field(&mut c, "stats", "current_eviction_exceeded_time"),
        0
    );
    assert!(info_field(&mut c, "stats", "total_eviction_exceeded_time") >= 20);
}

/// Fill past a limit set just above the current usage; the server must
/// stay near the limit by evicting.
fn fill_under_limit(c: &mut redis::Connection, policy: &str, with_ttl: bool) -> (u64, u64) {
    let used = info_field(c, "memory", "used_memory");
    let limit = used + 4 * 1024 * 1024;
    set_limit(c, policy, limit);
    let value = "x".repeat(1000);
    for i in 0..20_000 {
        let key = format!("key:{i}");
        if with_ttl {
            cmd(c, &["SET", &key, &value, "EX", "1000"]);
        } else {
            cmd(c, &["SET", &key, &value]);
        }
    }
    (limit, info_field(c, "stats", "evicted_keys"))
}

#[test]
fn eviction_policies_keep_memory_near_the_limit() {
    for policy in [
        "allkeys-lru",
        "allkeys-lfu",
        "allkeys-random",
        "volatile-ttl",
    ] {
        let srv = TestServer::start();
        let mut c = srv.client();
        let (limit, evicted) = fill_under_limit(&mut c, policy, policy.starts_with("volatile"));
        let dbsize = int(cmd(&mut c, &["DBSIZE"])) as u64;
        assert!(evicted > 5_000, "{policy}: evicted {evicted}");
        assert_eq!(dbsize + evicted, 20_000, "{policy}");
        let used = info_field(&mut c, "memory", "used_memory");
        assert!(
            used <= limit + 1024 * 1024,
            "{policy}: used {used} limit {limit}"
        );
    }
}

#[test]
fn lru_keeps_recently_used_keys() {
    let srv = TestServer::start_with(&["--maxmemory-samples", "10"]);
    let mut c = srv.client();
    let value = "x".repeat(1000);
    for i in 0..100 {
        cmd(&mut c, &["SET", &format!("hot:{i}"), &value]);
    }
    for i in 0..3000 {
        cmd(&mut c, &["SET", &format!("cold:{i}"), &value]);
    }
    // The clock has a one-second resolution.
    std::thread::sleep(Duration::from_millis(2100));
    for i in 0..100 {
        cmd(&mut c, &["GET", &format!("hot:{i}")]);
    }
    let used = info_field(&mut c, "memory", "used_memory");
    set_limit(&mut c, "allkeys-lru", used - 1024 * 1024);
    for _ in 0..1000 {
        cmd(&mut c, &["PING"]);
    }
    let evicted = info_field(&mut c, "stats", "evicted_keys");
    assert!(evicted >= 500, "evicted {evicted}");
    let hot = (0..100)
        .filter(|j| int(cmd(&mut c, &["EXISTS", &format!("hot:{j}")])) == 1)
        .count();
    assert!(hot >= 95, "only {hot} of the hot keys survived");
}

#[test]
fn volatile_policies_spare_persistent_keys_and_then_refuse() {
    let srv = TestServer::start_with(&["--notify-keyspace-events", "Ee"]);
    let mut c = srv.client();
    let mut sub = srv.client();
    let mut ps = listen(&mut sub, "__keyevent@0__:evicted");
    let value = "x".repeat(1000);
    for i in 0..1000 {
        cmd(&mut c, &["SET", &format!("keep:{i}"), &value]);
        cmd(&mut c, &["SET", &format!("vol:{i}"), &value, "EX", "1000"]);
    }
    let used = info_field(&mut c, "memory", "used_memory");
    set_limit(&mut c, "volatile-lru", used - 500 * 1024);
    cmd(&mut c, &["PING"]);
    let msg = ps.get_message().expect("an evicted event");
    assert!(msg.get_payload::<String>().unwrap().starts_with("vol:"));
    let keep = (0..1000)
        .filter(|i| int(cmd(&mut c, &["EXISTS", &format!("keep:{i}")])) == 1)
        .count();
    assert_eq!(keep, 1000, "volatile-lru evicted a key without a TTL");
    // Once no key has a TTL, writes are refused. Eviction works in
    // bounded slices, so give it a few commands to get there.
    cmd(
        &mut c,
        &["CONFIG", "SET", "maxmemory", &(used / 4).to_string()],
    );
    for _ in 0..1000 {
        if int(cmd(&mut c, &["DBSIZE"])) == 1000 {
            break;
        }
    }
    assert_eq!(err_of(&mut c, &["SET", "more", &value]), OOM);
    assert_eq!(
        int(cmd(&mut c, &["DBSIZE"])),
        1000,
        "every volatile key went, every persistent one stayed"
    );
}

#[test]
fn memory_purge_returns_freed_pages_to_the_os() {
    let srv = TestServer::start();
    let mut c = srv.client();
    cmd(&mut c, &["DEBUG", "POPULATE", "200000", "k", "100"]);
    cmd(&mut c, &["FLUSHALL", "SYNC"]);
    let before = info_field(&mut c, "memory", "allocator_resident");
    assert_eq!(
        cmd(&mut c, &["MEMORY", "PURGE"]),
        Value::Okay,
        "MEMORY PURGE replies OK"
    );
    let after = info_field(&mut c, "memory", "allocator_resident");
    assert!(
        after + 10 * 1024 * 1024 < before,
        "resident {before} -> {after}"
    );
}

#[test]
fn lazy_eviction_of_big_values_does_not_overshoot() {
    let srv = TestServer::start_with(&["--lazyfree-lazy-eviction", "yes"]);
    let mut c = srv.client();
    for i in 0..300 {
        let mut args: Vec<String> = vec!["HSET".into(), format!("h:{i}")];
        for f in 0..200 {
            args.push(format!("field:{f}"));
            args.push("some value here".into());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        cmd(&mut c, &refs);
    }
    let used = info_field(&mut c, "memory", "used_memory");
    let per_hash = int(cmd(&mut c, &["MEMORY", "USAGE", "h:0"])).max(1) as u64;
    set_limit(&mut c, "allkeys-random", used - 1024 * 1024);
    for _ in 0..50 {
        cmd(&mut c, &["PING"]);
        std::thread::sleep(Duration::from_millis(5));
    }
    let left = int(cmd(&mut c, &["DBSIZE"]));
    let needed = (1024 * 1024) / per_hash + 1;
    let evicted = 300 - left as u64;
    assert!(
        evicted >= needed / 2 && evicted <= needed * 3 / 2 + 5,
        "evicted {evicted} hashes of ~{per_hash} B to trim 1 MB (about {needed} needed)"
    );
}

#[test]
fn maxmemory_clients_evicts_the_biggest_client_but_not_no_evict_ones() {
    use std::io::{Read, Write};
    let srv = TestServer::start_with(&["--maxmemory-clients", "5mb"]);
    let mut admin = srv.client();
    // A protected client with a big pending request.
    let mut keep = srv.raw();
    keep.write_all(&resp(&[b"CLIENT", b"NO-EVICT", b"on"]))
        .unwrap();
    assert_eq!(read_n(&mut keep, 5), b"+OK\r\n");
    // The server reserves room for a big argument once its length is
    // known (as Valkey does), so the declared length is what counts.
    let big_request = |s: &mut std::net::TcpStream, n: usize| {
        let head = format!("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n${n}\r\n");
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&vec![b'x'; 100_000]).unwrap();
    };
    big_request(&mut keep, 1_000_000);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(info_field(&mut admin, "stats", "evicted_clients"), 0);
    // A bigger one pushes the total over 5 MB: it is evicted, not `keep`.
    let mut victim = srv.raw();
    big_request(&mut victim, 4_500_000);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while info_field(&mut admin, "stats", "evicted_clients") == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "no client was evicted"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut buf = [0u8; 16];
    assert!(
        matches!(victim.read(&mut buf), Ok(0) | Err(_)),
        "victim closed"
    );
    assert_eq!(info_field(&mut admin, "clients", "connected_clients"), 2);
    // Off again: nothing more is evicted.
    assert_eq!(
        cmd(&mut admin, &["CONFIG", "SET", "maxmemory-clients", "0"]),
        redis::Value::Okay
    );
    let mut other = srv.raw();
    big_request(&mut other, 4_500_000);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(info_field(&mut admin, "stats", "evicted_clients"), 1);
}
