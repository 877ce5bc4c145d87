//! RDB persistence: DUMP/RESTORE, SAVE/BGSAVE, save points, DEBUG RELOAD,
//! the shutdown save and loading at start-up, against the real binary.

mod common;
use common::*;
use redis::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A data directory shared by several server lifetimes.
struct DataDir(PathBuf);

impl DataDir {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("valkey-rs-rdb-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        DataDir(d)
    }
    fn arg(&self) -> String {
        self.0.display().to_string()
    }
    fn rdb(&self) -> PathBuf {
        self.0.join("dump.rdb")
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn bulk(v: Value) -> Vec<u8> {
    match v {
        Value::BulkString(b) => b,
        other => panic!("not a bulk: {other:?}"),
    }
}

fn fill(con: &mut redis::Connection) {
    cmd(con, &["SET", "s", "hello"]);
    cmd(con, &["SET", "n", "12345"]);
    cmd(con, &["SET", "ttl", "x", "PX", "100000"]);
    cmd(con, &["RPUSH", "l", "a", "b", "1", "-70000"]);
    cmd(con, &["SADD", "si", "1", "2", "3"]);
    cmd(con, &["SADD", "sl", "a", "b"]);
    cmd(con, &["ZADD", "z", "1", "a", "2.5", "b"]);
    cmd(con, &["HSET", "h", "f", "v"]);
    cmd(con, &["HSET", "hx", "a", "1", "b", "2"]);
    cmd(con, &["HEXPIRE", "hx", "1000", "FIELDS", "1", "a"]);
    for i in 0..600 {
        cmd(con, &["SADD", "big", &format!("m{i}")]);
        cmd(con, &["ZADD", "bz", &i.to_string(), &format!("m{i}")]);
        cmd(con, &["HSET", "bh", &format!("f{i}"), "v"]);
        cmd(con, &["RPUSH", "bl", &format!("element-number-{i:06}")]);
    }
    cmd(con, &["SELECT", "3"]);
    cmd(con, &["SET", "in3", "yes"]);
    cmd(con, &["SELECT", "0"]);
}

/// Everything `fill` wrote is there, with its encodings and TTLs.
fn check(con: &mut redis::Connection) {
    assert_eq!(
        cmd(con, &["GET", "s"]),
        Value::BulkString(b"hello".to_vec())
    );
    assert_eq!(
        cmd(con, &["OBJECT", "ENCODING", "n"]),
        Value::BulkString(b"int".to_vec())
    );
    let pttl = match cmd(con, &["PTTL", "ttl"]) {
        Value::Int(n) => n,
        v => panic!("{v:?}"),
    };
    assert!(pttl > 90_000 && pttl <= 100_000, "{pttl}");
    assert_eq!(
        cmd(con, &["LRANGE", "l", "0", "-1"]),
        Value::Array(
            ["a", "b", "1", "-70000"]
                .iter()
                .map(|s| Value::BulkString(s.as_bytes().to_vec()))
                .collect()
        )
    );
    for (k, enc) in [
        ("si", "intset"),
        ("sl", "listpack"),
        ("z", "listpack"),
        ("h", "listpack"),
        ("hx", "hashtable"),
        ("big", "hashtable"),
        ("bz", "skiplist"),
        ("bh", "hashtable"),
        ("bl", "quicklist"),
    ] {
        assert_eq!(
            cmd(con, &["OBJECT", "ENCODING", k]),
            Value::BulkString(enc.as_bytes().to_vec()),
            "{k}"
        );
    }
    assert_eq!(cmd(con, &["SCARD", "big"]), Value::Int(600));
    assert_eq!(
        cmd(con, &["ZSCORE", "bz", "m299"]),
        Value::BulkString(b"299".to_vec())
    );
    assert_eq!(
        cmd(con, &["LINDEX", "bl", "150"]),
        Value::BulkString(b"element-number-000150".to_vec())
    );
    match cmd(con, &["HTTL", "hx", "FIELDS", "2", "a", "b"]) {
        Value::Array(v) => {
            assert!(
                matches!(v[0], Value::Int(t) if t > 990 && t <= 1000),
                "{v:?}"
            );
            assert_eq!(v[1], Value::Int(-1));
        }
        v => panic!("{v:?}"),
    }
    cmd(con, &["SELECT", "3"]);
    assert_eq!(
        cmd(con, &["GET", "in3"]),
        Value::BulkString(b"yes".to_vec())
    );
    cmd(con, &["SELECT", "0"]);
    assert_eq!(cmd(con, &["DBSIZE"]), Value::Int(13));
}

#[test]
fn dump_restore_round_trips_every_type() {
    let srv = TestServer::start();
    let mut c = srv.client();
    fill(&mut c);
    for k in [
        "s", "n", "l", "si", "sl", "z", "h", "hx", "big", "bz", "bh", "bl",
    ] {
        let payload = bulk(cmd(&mut c, &["DUMP", k]));
        // Version 80 and a CRC-64 close every payload.
        assert_eq!(&payload[payload.len() - 10..payload.len() - 8], &[80, 0]);
        let copy = format!("{k}:copy");
        let r = redis::cmd("RESTORE")
            .arg(&copy)
            .arg(0)
            .arg(&payload)
            .query::<Value>(&mut c);
        assert_eq!(r.unwrap(), Value::Okay, "{k}");
        // Hashtables may iterate in another order after a rebuild; compact
        // encodings dump byte for byte the same.
        if !["big", "bh", "hx"].contains(&k) {
            assert_eq!(bulk(cmd(&mut c, &["DUMP", &copy])), payload, "{k}");
        }
        assert_eq!(
            cmd(&mut c, &["DEBUG", "DIGEST-VALUE", k]),
            cmd(&mut c, &["DEBUG", "DIGEST-VALUE", &copy]),
            "{k}"
        );
        assert_eq!(cmd(&mut c, &["TYPE", &copy]), cmd(&mut c, &["TYPE", k]));
    }
    assert_eq!(cmd(&mut c, &["DUMP", "missing"]), Value::Nil);
}

#[test]
fn restore_options_and_errors() {
    let srv = TestServer::start();
    let mut c = srv.client();
    cmd(&mut c, &["SET", "k", "v"]);
    let p = bulk(cmd(&mut c, &["DUMP", "k"]));
    let restore = |c: &mut redis::Connection, args: &[&str]| -> Result<Value, String> {
        let mut r = redis::cmd("RESTORE");
        r.arg(args[0]).arg(args[1]).arg(&p);
        for a in &args[2..] {
            r.arg(*a);
        }
        r.query::<Value>(c).map_err(|e| {
            e.detail()
                .map_or(e.to_string(), |d| format!("{} {d}", e.code().unwrap_or("")))
        })
    };
    assert!(restore(&mut c, &["k", "0"])
        .unwrap_err()
        .contains("BUSYKEY Target key name already exists."));
    assert_eq!(
        restore(&mut c, &["k", "0", "REPLACE"]).unwrap(),
        Value::Okay
    );
    assert_eq!(restore(&mut c, &["t", "5000"]).unwrap(), Value::Okay);
    assert!(matches!(cmd(&mut c, &["PTTL", "t"]), Value::Int(n) if n > 4000 && n <= 5000));
    // An absolute TTL in the past: the key is not created.
    assert_eq!(
        restore(&mut c, &["gone", "1000", "ABSTTL"]).unwrap(),
        Value::Okay
    );
    assert_eq!(cmd(&mut c, &["EXISTS", "gone"]), Value::Int(0));
    // An existing key is reported before the TTL is looked at.
    assert!(restore(&mut c, &["k", "-1"])
        .unwrap_err()
        .contains("BUSYKEY"));
    assert!(restore(&mut c, &["x", "-1"])
        .unwrap_err()
        .contains("Invalid TTL value, must be >= 0"));
    assert!(restore(&mut c, &["x", "0", "IDLETIME", "-1"])
        .unwrap_err()
        .contains("Invalid IDLETIME value, must be >= 0"));
    assert!(restore(&mut c, &["x", "0", "FREQ", "256"])
        .unwrap_err()
        .contains("Invalid FREQ value, must be >= 0 and <= 255"));
    assert!(restore(&mut c, &["x", "0", "BOGUS"])
        .unwrap_err()
        .contains("syntax error"));
    assert_eq!(
        restore(&mut c, &["idle", "0", "IDLETIME", "1000"]).unwrap(),
        Value::Okay
    );
    assert!(matches!(cmd(&mut c, &["OBJECT", "IDLETIME", "idle"]), Value::Int(n) if n >= 1000));
    // A damaged payload.
    let mut bad = p.clone();
    bad[2] ^= 0xFF;
    let e = redis::cmd("RESTORE")
        .arg("x")
        .arg(0)
        .arg(&bad)
        .query::<Value>(&mut c)
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("DUMP payload version or checksum are wrong"),
        "{e}"
    );
}

#[test]
fn save_and_restart_restores_the_dataset() {
    let data = DataDir::new("restart");
    {
        let srv = TestServer::start_with(&["--dir", &data.arg()]);
        let mut c = srv.client();
        fill(&mut c);
        assert_eq!(cmd(&mut c, &["SAVE"]), Value::Okay);
        assert!(matches!(cmd(&mut c, &["LASTSAVE"]), Value::Int(t) if t > 1_600_000_000));
        let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
        assert!(info.contains("rdb_changes_since_last_save:0\r\n"), "{info}");
        assert!(info.contains("rdb_saves:1\r\n"), "{info}");
    }
    let head = std::fs::read(data.rdb()).unwrap();
    assert!(head.starts_with(b"VALKEY080"));
    let srv = TestServer::start_with(&["--dir", &data.arg()]);
    let mut c = srv.client();
    check(&mut c);
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_last_load_keys_loaded"),
        14
    );
    // DEBUG RELOAD keeps everything too.
    assert_eq!(cmd(&mut c, &["DEBUG", "RELOAD"]), Value::Okay);
    check(&mut c);
    // NOFLUSH without MERGE meets the keys already there and fails; with
    // MERGE the file's values replace them and other keys stay.
    cmd(&mut c, &["SET", "s", "changed"]);
    cmd(&mut c, &["SET", "extra", "1"]);
    let e = err_of(&mut c, &["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"]);
    assert!(e.contains("Error trying to load the RDB dump"), "{e}");
    assert_eq!(
        cmd(&mut c, &["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"]),
        Value::Okay
    );
    assert_eq!(
        cmd(&mut c, &["GET", "s"]),
        Value::BulkString(b"hello".to_vec())
    );
    assert_eq!(
        cmd(&mut c, &["GET", "extra"]),
        Value::BulkString(b"1".to_vec())
    );
    cmd(&mut c, &["DEL", "extra"]);
    check(&mut c);
}

#[test]
fn bgsave_forks_and_reports() {
    let data = DataDir::new("bgsave");
    let srv = TestServer::start_with(&["--dir", &data.arg()]);
    let mut c = srv.client();
    fill(&mut c);
    assert_eq!(
        cmd(&mut c, &["BGSAVE"]),
        Value::SimpleString("Background saving started".into())
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while info_field(&mut c, "persistence", "rdb_bgsave_in_progress") == 1
        || info_field(&mut c, "persistence", "rdb_saves") == 0
    {
        assert!(Instant::now() < deadline, "BGSAVE never finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
    assert!(info.contains("rdb_last_bgsave_status:ok\r\n"), "{info}");
    assert!(std::fs::read(data.rdb()).unwrap().starts_with(b"VALKEY080"));
    // The child wrote what the parent had: reload it.
    assert_eq!(cmd(&mut c, &["FLUSHALL"]), Value::Okay);
    assert_eq!(cmd(&mut c, &["DEBUG", "RELOAD", "NOSAVE"]), Value::Okay);
    check(&mut c);
}

#[test]
fn save_points_and_shutdown_save() {
    let data = DataDir::new("savepoints");
    {
        let srv = TestServer::start_with(&["--dir", &data.arg(), "--save", "1 1"]);
        let mut c = srv.client();
        cmd(&mut c, &["SET", "a", "1"]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while info_field(&mut c, "persistence", "rdb_saves") == 0 {
            assert!(Instant::now() < deadline, "the save point never fired");
            std::thread::sleep(Duration::from_millis(50));
        }
        cmd(&mut c, &["SET", "b", "2"]);
        // SHUTDOWN saves because save points are configured.
        let _ = redis::cmd("SHUTDOWN").query::<Value>(&mut c);
        let mut srv = srv;
        assert!(srv.wait_exit(Duration::from_secs(10)).is_some());
    }
    let srv = TestServer::start_with(&["--dir", &data.arg()]);
    let mut c = srv.client();
    assert_eq!(
        cmd(&mut c, &["MGET", "a", "b"]),
        Value::Array(vec![
            Value::BulkString(b"1".to_vec()),
            Value::BulkString(b"2".to_vec())
        ])
    );
    // NOSAVE skips it.
    cmd(&mut c, &["SET", "c", "3"]);
    let _ = redis::cmd("SHUTDOWN").arg("NOSAVE").query::<Value>(&mut c);
    drop(c);
    let mut srv = srv;
    assert!(srv.wait_exit(Duration::from_secs(10)).is_some());
    let srv = TestServer::start_with(&["--dir", &data.arg()]);
    let mut c = srv.client();
    assert_eq!(cmd(&mut c, &["EXISTS", "c"]), Value::Int(0));
}

#[test]
fn a_corrupt_rdb_stops_the_start() {
    let data = DataDir::new("corrupt");
    std::fs::write(data.rdb(), b"VALKEY080\xfe\x00\x00\x05hello\x00").unwrap();
    let (code, log) = start_and_wait(&data);
    assert_eq!(code, Some(1));
    assert!(
        log.contains("Fatal error loading the DB, check server logs. Exiting."),
        "{log}"
    );
    // A file from the future is refused, not misread.
    std::fs::write(data.rdb(), b"VALKEY099\xff").unwrap();
    let (code, log) = start_and_wait(&data);
    assert_eq!(code, Some(1));
    assert!(log.contains("Can't handle RDB format version 99"), "{log}");
}

/// Run the server on `data` until it exits (it should refuse to start);
/// its exit code and log.
fn start_and_wait(data: &DataDir) -> (Option<i32>, String) {
    let port = free_port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_valkey-server"))
        .args(["--port", &port, "--dir", &data.arg(), "--save", ""])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn valkey_check_rdb_personality() {
    let data = DataDir::new("checkrdb");
    {
        let srv = TestServer::start_with(&["--dir", &data.arg()]);
        let mut c = srv.client();
        fill(&mut c);
        assert_eq!(cmd(&mut c, &["SAVE"]), Value::Okay);
    }
    // The same binary, run under the tool's name.
    let tool = data.0.join("valkey-check-rdb");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_valkey-server"), &tool).unwrap();
    let out = std::process::Command::new(&tool)
        .arg(data.rdb())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("AUX FIELD valkey-ver = '9.1.0'"), "{text}");
    assert!(text.contains("Selecting DB ID 3"), "{text}");
    assert!(text.contains("Checksum OK"), "{text}");
    assert!(text.contains("\\o/ RDB looks OK! \\o/"), "{text}");
    assert!(
        text.contains("[info] 14 keys read\n[info] 1 expires\n"),
        "{text}"
    );
    let full = std::fs::read(data.rdb()).unwrap();
    let cut = data.0.join("cut.rdb");
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    let out = std::process::Command::new(&tool)
        .arg(&cut)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("--- RDB ERROR DETECTED ---"), "{text}");
}

#[test]
fn a_running_bgsave_blocks_other_saves_and_can_be_killed() {
    let data = DataDir::new("slowsave");
    let srv = TestServer::start_with(&["--dir", &data.arg(), "--rdb-key-save-delay", "20000"]);
    let mut c = srv.client();
    for i in 0..200 {
        cmd(&mut c, &["SET", &format!("k{i}"), "v"]);
    }
    assert_eq!(
        cmd(&mut c, &["BGSAVE"]),
        Value::SimpleString("Background saving started".into())
    );
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_bgsave_in_progress"),
        1
    );
    assert!(err_of(&mut c, &["BGSAVE"]).contains("Background save already in progress"));
    assert!(err_of(&mut c, &["SAVE"]).contains("Background save already in progress"));
    assert!(err_of(&mut c, &["BGSAVE", "SCHEDULE"]).contains("Background save already in progress"));
    // The child holds no listening socket: the port can move meanwhile.
    assert_eq!(
        cmd(&mut c, &["CONFIG", "SET", "bind", "127.0.0.1 127.0.0.2"]),
        Value::Okay
    );
    assert!(std::net::TcpStream::connect(("127.0.0.2", srv.port)).is_ok());
    assert_eq!(
        cmd(&mut c, &["BGSAVE", "CANCEL"]),
        Value::SimpleString("Background saving cancelled".into())
    );
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_bgsave_in_progress"),
        0
    );
    assert!(!data.rdb().exists(), "a killed save leaves no file");
    assert!(err_of(&mut c, &["BGSAVE", "CANCEL"])
        .contains("Background saving is currently not in progress or scheduled"));
    // BGSAVE inside MULTI is scheduled; the cron starts it.
    cmd(&mut c, &["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    cmd(&mut c, &["MULTI"]);
    cmd(&mut c, &["BGSAVE"]);
    assert_eq!(
        cmd(&mut c, &["EXEC"]),
        Value::Array(vec![Value::SimpleString(
            "Background saving scheduled".into()
        )])
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while !data.rdb().exists() {
        assert!(Instant::now() < deadline, "the scheduled BGSAVE never ran");
        std::thread::sleep(Duration::from_millis(20));
    }
    let leftovers: Vec<_> = std::fs::read_dir(&data.0)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("temp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_failed_bgsave_stops_writes_until_a_save_succeeds() {
    let data = DataDir::new("misconf");
    // A directory where the snapshot should go makes the child fail.
    std::fs::create_dir_all(data.0.join("blocked.rdb")).unwrap();
    let srv = TestServer::start_with(&[
        "--dir",
        &data.arg(),
        "--save",
        "3600 1",
        "--enable-protected-configs",
        "yes",
    ]);
    let mut c = srv.client();
    cmd(&mut c, &["SET", "k", "v"]);
    cmd(&mut c, &["CONFIG", "SET", "dbfilename", "blocked.rdb"]);
    assert_eq!(
        cmd(&mut c, &["BGSAVE"]),
        Value::SimpleString("Background saving started".into())
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let info: String = redis::cmd("INFO").arg("persistence").query(&mut c).unwrap();
        if info.contains("rdb_last_bgsave_status:err\r\n") {
            break;
        }
        assert!(Instant::now() < deadline, "{info}");
        std::thread::sleep(Duration::from_millis(20));
    }
    let misconf = "MISCONF Valkey is configured to save RDB snapshots, but it's currently unable to persist to disk.";
    assert!(err_of(&mut c, &["SET", "k", "w"]).contains(misconf));
    assert!(err_of(&mut c, &["PING"]).contains(misconf));
    assert_eq!(cmd(&mut c, &["GET", "k"]), Value::BulkString(b"v".to_vec()));
    // EXEC of a queued write is refused as well.
    cmd(&mut c, &["MULTI"]);
    let e = err_of(&mut c, &["INCR", "n"]);
    assert!(e.contains(misconf), "{e}");
    assert!(err_of(&mut c, &["EXEC"]).contains("EXECABORT"));
    // Turning the option off lets writes through; a good save clears it.
    cmd(
        &mut c,
        &["CONFIG", "SET", "stop-writes-on-bgsave-error", "no"],
    );
    assert_eq!(cmd(&mut c, &["SET", "k", "w"]), Value::Okay);
    cmd(
        &mut c,
        &["CONFIG", "SET", "stop-writes-on-bgsave-error", "yes"],
    );
    assert!(err_of(&mut c, &["SET", "k", "x"]).contains(misconf));
    cmd(&mut c, &["CONFIG", "SET", "dbfilename", "dump.rdb"]);
    cmd(&mut c, &["BGSAVE"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis::cmd("SET")
        .arg("k")
        .arg("y")
        .query::<Value>(&mut c)
        .is_err()
    {
        assert!(Instant::now() < deadline, "writes never resumed");
        std::thread::sleep(Duration::from_millis(20));
    }
}
