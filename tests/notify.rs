//! Keyspace notifications against the real server: the channels and
//! payloads, the order of events within a command, each data type's event
//! names (as Valkey's source emits them), `new`, `expired` (lazy, active
//! and from a past TTL), `keymiss`, the hash field `hexpired` event, and the
//! class filter. A subscriber on `__key*__:*` records everything; a
//! sentinel PUBLISH marks the end of each batch.

mod common;
use common::*;
use std::time::Duration;

/// Everything published on `__key*__:*` while `cmds` run, as
/// `channel payload` strings, in arrival order.
fn events(srv: &TestServer, cmds: &[&[&str]]) -> Vec<String> {
    let mut sub = srv.client();
    let mut ps = listen(&mut sub, "__key*__:*");
    let mut con = srv.client();
    for c in cmds {
        let mut rc = redis::cmd(c[0]);
        for a in &c[1..] {
            rc.arg(*a);
        }
        let _: redis::Value = rc.query(&mut con).unwrap();
    }
    let _: redis::Value = redis::cmd("PUBLISH")
        .arg("__keysentinel__:end")
        .arg("x")
        .query(&mut con)
        .unwrap();
    let mut out = Vec::new();
    loop {
        let msg = ps.get_message().expect("event or sentinel");
        let ch = msg.get_channel_name().to_string();
        if ch == "__keysentinel__:end" {
            break;
        }
        let payload: String = msg.get_payload().unwrap();
        out.push(format!("{ch} {payload}"));
    }
    out
}

/// Key-event messages only, as `event:key`.
fn keyevents(srv: &TestServer, cmds: &[&[&str]]) -> Vec<String> {
    events(srv, cmds)
        .into_iter()
        .filter_map(|e| {
            let (ch, key) = e.split_once(' ')?;
            let ev = ch.strip_prefix("__keyevent@")?.split_once("__:")?.1;
            Some(format!("{ev}:{key}"))
        })
        .collect()
}

fn server(flags: &str) -> TestServer {
    TestServer::start_with(&["--notify-keyspace-events", flags])
}

#[test]
fn keyspace_then_keyevent_channels() {
    let srv = server("KEA");
    assert_eq!(
        events(&srv, &[&["SET", "foo", "bar"]]),
        vec!["__keyspace@0__:foo set", "__keyevent@0__:set foo"]
    );
    let only_k = server("K$");
    assert_eq!(
        events(&only_k, &[&["SELECT", "3"], &["SET", "k", "v"]]),
        vec!["__keyspace@3__:k set"],
        "the channel names the database"
    );
    assert_eq!(
        events(&only_k, &[&["SET", "k", "v"], &["LPUSH", "l", "a"]]),
        vec!["__keyspace@0__:k set"],
        "class filter: list events are not enabled"
    );
}

#[test]
fn disabled_by_default_and_toggled_by_config_set() {
    let srv = TestServer::start();
    assert!(events(&srv, &[&["SET", "a", "1"], &["DEL", "a"]]).is_empty());
    let mut c = srv.client();
    cmd(&mut c, &["CONFIG", "SET", "notify-keyspace-events", "Eg"]);
    assert_eq!(
        keyevents(&srv, &[&["SET", "a", "1"], &["DEL", "a"]]),
        vec!["del:a"]
    );
}

#[test]
fn string_events() {
    let srv = server("EA");
    assert_eq!(
        keyevents(
            &srv,
            &[
                &["SET", "s", "1", "EX", "100"],
                &["INCR", "s"],
                &["DECRBY", "s", "2"],
                &["INCRBYFLOAT", "s", "1.5"],
                &["APPEND", "s", "x"],
                &["SETRANGE", "s", "0", "y"],
                &["SETRANGE", "s", "0", ""],
                &["GETEX", "s", "PERSIST"],
                &["GETDEL", "s"],
                &["MSET", "a", "1", "b", "2"],
                &["SETBIT", "bits", "3", "1"],
                &["SETBIT", "bits", "3", "1"],
                &["PFADD", "h", "x"],
                &["PFADD", "h", "x"],
                &["BITOP", "OR", "dst", "bits"],
                &["BITOP", "AND", "dst", "nosuch"],
            ]
        ),
        vec![
            "set:s",
            "expire:s",
            "incrby:s",
            "incrby:s",
            "incrbyfloat:s",
            "append:s",
            "setrange:s",
            "persist:s",
            "del:s",
            "set:a",
            "set:b",
            "setbit:bits",
            "pfadd:h",
            "set:dst",
            "del:dst",
        ]
    );
}

#[test]
fn generic_events() {
    let srv = server("EA");
    assert_eq!(
        keyevents(
            &srv,
            &[
                &["SET", "a", "1"],
                &["EXPIRE", "a", "100"],
                &["PERSIST", "a"],
                &["PERSIST", "a"],
                &["RENAME", "a", "b"],
                &["COPY", "b", "c"],
                &["MOVE", "c", "1"],
                &["DEL", "b", "nosuch"],
            ]
        ),
        vec![
            "set:a",
            "expire:a",
            "persist:a",
            "rename_from:a",
            "rename_to:b",
            "copy_to:c",
            "move_from:c",
            "move_to:c",
            "del:b",
        ]
    );
    // MOVE reports the destination side in the destination database.
    let all = events(&srv, &[&["SET", "m", "1"], &["MOVE", "m", "2"]]);
    assert!(all.contains(&"__keyevent@0__:move_from m".to_string()));
    assert!(all.contains(&"__keyevent@2__:move_to m".to_string()));
}

#[test]
fn past_ttl_reports_expired_not_expire() {
    let srv = server("EA");
    assert_eq!(
        keyevents(
            &srv,
            &[
                &["SET", "a", "1"],
                &["EXPIRE", "a", "-1"],
                &["SET", "b", "1"],
                &["SET", "b", "2", "PXAT", "1"],
            ]
        ),
        vec!["set:a", "expired:a", "set:b", "expired:b"]
    );
}

#[test]
fn new_key_event_comes_first() {
    let srv = server("KEA");
    let mut c = srv.client();
    cmd(&mut c, &["CONFIG", "SET", "notify-keyspace-events", "En$"]);
    assert_eq!(
        keyevents(&srv, &[&["SET", "k", "v"], &["SET", "k", "w"]]),
        vec!["new:k", "set:k", "set:k"]
    );
    assert_eq!(
        keyevents(&srv, &[&["RENAME", "k", "j"]]),
        vec!["new:j"],
        "rename adds the destination key"
    );
}

#[test]
fn expired_events_lazy_and_active() {
    let srv = server("Ex");
    let mut c = srv.client();
    // Lazy: the key is stale when GET looks it up.
    cmd(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    cmd(&mut c, &["SET", "lazy", "1", "PX", "1"]);
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(keyevents(&srv, &[&["GET", "lazy"]]), vec!["expired:lazy"]);
    // Active: the cron deletes it without any command touching it.
    cmd(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    let mut sub = srv.client();
    let mut ps = listen(&mut sub, "__keyevent@0__:expired");
    cmd(&mut c, &["SET", "active", "1", "PX", "50"]);
    let msg = ps.get_message().expect("active expiry event");
    assert_eq!(msg.get_payload::<String>().unwrap(), "active");
}

#[test]
fn keymiss_only_on_read_misses() {
    let srv = server("Em");
    assert_eq!(
        keyevents(
            &srv,
            &[
                &["GET", "nosuch"],
                &["SET", "k", "v"],
                &["GET", "k"],
                &["INCR", "other"],
            ]
        ),
        vec!["keymiss:nosuch"]
    );
}

#[test]
fn list_events() {
    let srv = server("EA");
    assert_eq!(
        keyevents(
            &srv,
            &[
                &["RPUSH", "l", "a", "b", "c"],
                &["LPUSH", "l", "z"],
                &["LINSERT", "l", "BEFORE", "a", "y"],
                &["LSET", "l", "0", "q"],
                &["LREM", "l", "0", "nosuch"],
                &["LREM", "l", "0", "y"],
                &["LTRIM", "l", "0", "-1"],
                &["LMOVE", "l", "dst", "LEFT", "RIGHT"],
                &["RPOP", "l", "10"],
            ]
        ),
        vec![
            "rpush:l",
            "lpush:l",
            "linsert:l",
            "lset:l",
            "lrem:l",
            "ltrim:l",
            "rpush:dst",
            "lpop:l",
            "rpop:l",
            "del:l",
        ]
    );
}

#[test]
fn blocked_pop_served_later_reports_the_pop() {
    let srv = server("El");
    let mut blocked = srv.client();
    let waiter = std::thread::spawn(move || {
        let v: redis::Value = redis::cmd("BLPOP")
            .arg("q")
            .arg("5")
            .query(&mut blocked)
            .unwrap();
        v
    });
    let mut c = srv.client();
    // Wait until the client is blocked.
    for _ in 0..100 {
        let info: String = redis::cmd("INFO").arg("clients").query(&mut c).unwrap();
        if info.contains("blocked_clients:1") {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let got = keyevents(&srv, &[&["RPUSH", "q", "x"]]);
    waiter.join().unwrap();
    assert_eq!(got, vec!["rpush:q", "lpop:q"]);
}

#[test]
fn hash_events_including_field_expiry() {
    let srv = server("EA");
    assert_eq!(
        keyevents(
            &srv,
            &[
                &["HSET", "h", "a", "1", "b", "2"],
                &["HSETNX", "h", "a", "9"],
                &["HINCRBY", "h", "a", "1"],
                &["HINCRBYFLOAT", "h", "a", "0.5"],
                &["HEXPIRE", "h", "100", "FIELDS", "1", "a"],
                &["HPERSIST", "h", "FIELDS", "1", "a"],
                &["HDEL", "h", "a"],
                &["HDEL", "h", "b"],
                &["HSETEX", "g", "EX", "100", "FIELDS", "1", "x", "1"],
                &["HSETEX", "g", "PXAT", "1", "FIELDS", "1", "x", "1"],
                &["HSET", "d", "a", "1", "b", "2"],
                &["HGETDEL", "d", "FIELDS", "1", "a"],
                &["HGETDEL", "d", "FIELDS", "2", "a", "b"],
            ]
        ),
        vec![
            "hset:h",
            "hincrby:h",
            "hincrbyfloat:h",
            "hexpire:h",
            "hpersist:h",
            "hdel:h",
            "hdel:h",
            "del:h",
            "hset:g",
            "hexpire:g",
            "hexpired:g",
            "del:g",
            "hset:d",
            "hdel:d",
            "hdel:d",
            "del:d",
        ]
    );
    // The active cycle reclaims the last field: hexpired, then del.
    let mut c = srv.client();
    let mut sub = srv.client();
    let mut ps = listen(&mut sub, "__keyevent@0__:*");
    cmd(&mut c, &["HSET", "f", "x", "1"]);
    cmd(&mut c, &["HPEXPIRE", "f", "30", "FIELDS", "1", "x"]);
    let mut seen = Vec::new();
    while seen.len() < 4 {
        let m = ps.get_message().expect("field expiry events");
        seen.push(m.get_channel_name().rsplit(':').next().unwrap().to_string());
    }
    assert_eq!(seen, vec!["hset", "hexpire", "hexpired", "del"]);
}

#[test]
fn set_and_zset_events() {
    let srv = server("EA");
    assert_eq!(
        keyevents(
            &srv,
            &[
                &["SADD", "s", "a", "b"],
                &["SADD", "s", "a"],
                &["SREM", "s", "a"],
                &["SMOVE", "s", "t", "b"],
                &["SINTERSTORE", "u", "t"],
                &["SINTERSTORE", "u", "nosuch"],
                &["ZADD", "z", "1", "a", "2", "b"],
                &["ZADD", "z", "INCR", "1", "a"],
                &["ZINCRBY", "z", "1", "a"],
                &["ZREM", "z", "a"],
                &["ZUNIONSTORE", "zu", "1", "z"],
                &["ZPOPMIN", "z"],
            ]
        ),
        vec![
            "sadd:s",
            "srem:s",
            "srem:s",
            "del:s",
            "sadd:t",
            "sinterstore:u",
            "del:u",
            "zadd:z",
            "zincr:z",
            "zincr:z",
            "zrem:z",
            "zunionstore:zu",
            "zpopmin:z",
            "del:z",
        ]
    );
}
