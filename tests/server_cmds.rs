//! Server administration commands against the real binary: TIME,
//! LASTSAVE, INFO, CONFIG, MEMORY, LOLWUT, DEBUG, SHUTDOWN.

mod admin_util;
mod common;
use admin_util::*;
use common::*;
use std::time::Duration;

fn int_of(reply: &str) -> i64 {
    reply
        .strip_prefix(':')
        .and_then(|r| r.trim_end().parse().ok())
        .unwrap_or_else(|| panic!("not an integer reply: {reply:?}"))
}

#[test]
fn time_and_lastsave() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let t = c.cmd(&["TIME"]);
    let parts: Vec<&str> = t.split("\r\n").collect();
    assert_eq!(parts[0], "*2");
    let secs: i64 = parts[2].parse().unwrap();
    let us: i64 = parts[4].parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((secs - now).abs() <= 2);
    assert!((0..1_000_000).contains(&us));
    let last = int_of(&c.cmd(&["LASTSAVE"]));
    assert!((last - now).abs() <= 30);
    assert_eq!(
        c.cmd(&["TIME", "x"]),
        "-ERR wrong number of arguments for 'time' command\r\n"
    );
}

#[test]
fn info_sections_and_fields() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let all = body(&c.cmd(&["INFO"]));
    let heads: Vec<&str> = all.split("\r\n").filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        heads,
        [
            "# Server",
            "# Clients",
            "# Memory",
            "# Persistence",
            "# Stats",
            "# Replication",
            "# CPU",
            "# Modules",
            "# Errorstats",
            "# Cluster",
            "# Keyspace"
        ]
    );
    assert!(all.ends_with("\r\n"));
    assert!(all.contains("\r\n\r\n# Clients\r\nconnected_clients:1\r\n"));
    let server = body(&c.cmd(&["INFO", "server"]));
    assert!(server.starts_with(
        "# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:9.1.0\r\nvalkey_release_stage:ga\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:"
    ));
    assert!(server.contains(&format!("\r\ntcp_port:{}\r\n", srv.port)));
    assert!(server.contains(&format!("\r\nprocess_id:{}\r\n", srv.pid())));
    assert!(body(&c.cmd(&["INFO", "nosuchsection"])).is_empty());
    let repl = body(&c.cmd(&["INFO", "REPLICATION"]));
    assert!(repl.starts_with(
        "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nreplicas_waiting_psync:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:"
    ));
    assert!(repl.contains("\r\nrepl_backlog_size:10485760\r\n"));
    assert!(server.contains("\r\nconfigured_hz:10\r\nclients_hz:10\r\nlru_clock:"));
    assert!(server
        .contains("\r\nio_threads_active:0\r\navailability_zone:\r\nlistener0:name=tcp,bind="));
    let cpu_mem = body(&c.cmd(&["INFO", "memory", "cpu"]));
    assert!(cpu_mem.starts_with("# Memory\r\nused_memory:"));
    assert!(cpu_mem.contains("\r\n\r\n# CPU\r\nused_cpu_sys:"));
    let everything = body(&c.cmd(&["INFO", "everything"]));
    assert!(everything.contains("# Commandstats\r\n"));
    assert!(everything.contains("# Latencystats\r\n"));
    // Keyspace, commandstats and errorstats follow what happened.
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["GET"]);
    c.cmd(&["NOSUCHCMD"]);
    let ks = body(&c.cmd(&["INFO", "keyspace"]));
    assert_eq!(
        ks,
        "# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0,keys_with_volatile_items=0\r\n"
    );
    let cs = body(&c.cmd(&["INFO", "commandstats"]));
    assert!(cs.starts_with("# Commandstats\r\n"));
    assert!(cs.contains("\r\ncmdstat_set:calls=1,usec="), "{cs}");
    assert!(cs.contains(",rejected_calls=0,failed_calls=0\r\n"));
    assert!(cs.contains(
        "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0\r\n"
    ));
    let es = body(&c.cmd(&["INFO", "errorstats"]));
    assert_eq!(es, "# Errorstats\r\nerrorstat_ERR:count=2\r\n");
    let stats = body(&c.cmd(&["INFO", "stats"]));
    assert!(stats.contains("\r\ntotal_error_replies:2\r\n"));
    // RESP3 verbatim.
    c.cmd(&["HELLO", "3"]);
    assert!(c
        .cmd(&["INFO", "cluster"])
        .starts_with("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n"));
}

#[test]
fn config_subcommands() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let help = c.cmd(&["CONFIG", "HELP"]);
    assert!(help.starts_with(
        "*11\r\n+CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+GET <pattern>\r\n"
    ));
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "a", "b", "c"]),
        "-ERR wrong number of arguments for 'config|set' command\r\n"
    );
    assert_eq!(
        c.cmd(&["CONFIG", "REWRITE"]),
        "-ERR The server is running without a config file\r\n"
    );
    assert!(c.cmd(&["CONFIG", "GET", "*"]).starts_with('*'));
    c.cmd(&["SET", "a", "1"]);
    assert_eq!(c.cmd(&["CONFIG", "RESETSTAT"]), "+OK\r\n");
    let cs = body(&c.cmd(&["INFO", "commandstats"]));
    assert!(!cs.contains("cmdstat_set"), "{cs}");
    let st = body(&c.cmd(&["INFO", "stats"]));
    assert!(st.contains("\r\ntotal_connections_received:0\r\n"));
}

#[test]
fn memory_subcommands() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.cmd(&["MEMORY", "USAGE", "missing"]), "$-1\r\n");
    c.cmd(&["SET", "foo", "bar"]);
    let small = int_of(&c.cmd(&["MEMORY", "USAGE", "foo"]));
    assert!((16..100).contains(&small), "{small}");
    let big = "x".repeat(5000);
    c.cmd(&["SET", "big", &big]);
    let large = int_of(&c.cmd(&["MEMORY", "USAGE", "big", "SAMPLES", "0"]));
    assert!(large > 5000);
    assert_eq!(
        c.cmd(&["MEMORY", "USAGE", "foo", "SAMPLES"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.cmd(&["MEMORY", "USAGE", "foo", "SAMPLES", "-1"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.cmd(&["MEMORY", "USAGE", "foo", "SAMPLES", "x"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    let stats = c.cmd(&["MEMORY", "STATS"]);
    assert!(
        stats.starts_with("*64\r\n$14\r\npeak.allocated\r\n:"),
        "{stats}"
    );
    assert!(stats.contains("$4\r\ndb.0\r\n*4\r\n$23\r\noverhead.hashtable.main\r\n"));
    assert!(stats.contains("$10\r\nkeys.count\r\n:2\r\n"));
    let doctor = body(&c.cmd(&["MEMORY", "DOCTOR"]));
    assert!(doctor.starts_with("Hi Sam,"));
    assert!(c.cmd(&["MEMORY", "MALLOC-STATS"]).starts_with('$'));
    assert_eq!(c.cmd(&["MEMORY", "PURGE"]), "+OK\r\n");
    let help = c.cmd(&["MEMORY", "HELP"]);
    assert!(help.starts_with("*14\r\n+MEMORY <subcommand>"));
    assert_eq!(
        c.cmd(&["MEMORY", "FOO"]),
        "-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n"
    );
}

#[test]
fn lolwut() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    // Valkey 9's piece: a Julia set, 80x40 by default.
    let art = body(&c.cmd(&["LOLWUT"]));
    assert_eq!(art.lines().count(), 42);
    assert!(art.ends_with("\nDon't forget to have fun! Valkey ver. 9.1.0\n"));
    assert_eq!(
        body(&c.cmd(&["LOLWUT", "5", "3", "0", "0"])),
        "  .  \n @@@ \n  .  \nAscii representation of Julia set with constant 0.00 + 0.00i\nDon't forget to have fun! Valkey ver. 9.1.0\n"
    );
    assert_eq!(
        c.cmd(&["LOLWUT", "10"]),
        "-ERR Syntax error. Use: LOLWUT [columns rows] [real imaginary]\r\n"
    );
    assert_eq!(
        c.cmd(&["LOLWUT", "VERSION", "7"]),
        "$18\r\nValkey ver. 9.1.0\n\r\n"
    );
    assert_eq!(
        c.cmd(&["LOLWUT", "VERSION", "x"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    let art = body(&c.cmd(&["LOLWUT", "VERSION", "5", "20"]));
    assert!(art.ends_with("Georg Nees - schotter, plotter on paper, 1968. Valkey ver. 9.1.0\n"));
    assert_eq!(art.lines().next().unwrap().chars().count(), 20);
}

#[test]
fn debug_populate_and_digest() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(
        c.cmd(&["DEBUG", "DIGEST"]),
        "+0000000000000000000000000000000000000000\r\n"
    );
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "100"]), "+OK\r\n");
    assert_eq!(c.cmd(&["GET", "key:0"]), "$7\r\nvalue:0\r\n");
    assert_eq!(c.cmd(&["GET", "key:99"]), "$8\r\nvalue:99\r\n");
    assert_eq!(c.cmd(&["GET", "key:100"]), "$-1\r\n");
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "3", "p", "10"]), "+OK\r\n");
    assert_eq!(c.cmd(&["GET", "p:1"]), "$10\r\nvalue:1\0\0\0\r\n");
    c.cmd(&["DEBUG", "POPULATE", "2", "q", "30"]);
    // LZF-compressed as Valkey would store it in an RDB file.
    assert!(c
        .cmd(&["DEBUG", "OBJECT", "q:1"])
        .contains(" encoding:embstr serializedlength:18 "));
    assert_eq!(c.cmd(&["DEBUG", "POPULATE", "2", "t", "3"]), "+OK\r\n");
    assert_eq!(c.cmd(&["GET", "t:1"]), "$3\r\nval\r\n");
    // Existing keys are left alone.
    c.cmd(&["SET", "key:5", "mine"]);
    c.cmd(&["DEBUG", "POPULATE", "10"]);
    assert_eq!(c.cmd(&["GET", "key:5"]), "$4\r\nmine\r\n");
    let ks = body(&c.cmd(&["INFO", "keyspace"]));
    assert_eq!(
        ks,
        "# Keyspace\r\ndb0:keys=107,expires=0,avg_ttl=0,keys_with_volatile_items=0\r\n"
    );
    // Not counted as changes, not propagated.
    let persist = body(&c.cmd(&["INFO", "persistence"]));
    assert!(
        persist.contains("\r\nrdb_changes_since_last_save:1\r\n"),
        "{persist}"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "POPULATE", "-1"]),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "POPULATE", "1", "big", "9223372036854775807"]),
        "-ERR value size exceeds proto-max-bulk-len\r\n"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "POPULATE", "x"]),
        "-ERR value is not an integer or out of range\r\n"
    );

    // Digests equal those of a reference server holding the same data.
    let mut d = Raw::connect(srv.port);
    d.cmd(&["SELECT", "9"]);
    d.cmd(&["SET", "foo", "bar"]);
    assert_eq!(
        d.cmd(&["DEBUG", "DIGEST-VALUE", "foo", "nokey"]),
        "*2\r\n+68467c70ae30376e7ce005bcc8827f5ba7fd67dc\r\n+0000000000000000000000000000000000000000\r\n"
    );
    let before = d.cmd(&["DEBUG", "DIGEST"]);
    d.cmd(&["SET", "foo", "baz"]);
    assert_ne!(d.cmd(&["DEBUG", "DIGEST"]), before);
    d.cmd(&["SET", "foo", "bar"]);
    assert_eq!(d.cmd(&["DEBUG", "DIGEST"]), before);
}

#[test]
fn debug_digest_of_single_key_matches_reference() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.cmd(&["SET", "foo", "bar"]);
    assert_eq!(
        c.cmd(&["DEBUG", "DIGEST"]),
        "+d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a\r\n"
    );
}

#[test]
fn debug_misc_subcommands() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let help = c.cmd(&["DEBUG", "HELP"]);
    assert!(help.starts_with(
        "*122\r\n+DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+AOF-FLUSH-SLEEP <microsec>\r\n"
    ), "{}", &help[..80]);
    assert_eq!(
        c.cmd(&["DEBUG", "FOO"]),
        "-ERR unknown subcommand or wrong number of arguments for 'FOO'. Try DEBUG HELP.\r\n"
    );
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0"]), "+OK\r\n");
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), "+OK\r\n");
    assert_eq!(c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]), "+OK\r\n");
    assert_eq!(c.cmd(&["DEBUG", "LOG", "hello"]), "+OK\r\n");
    assert_eq!(c.cmd(&["DEBUG", "OBJECT", "nokey"]), "-ERR no such key\r\n");
    c.cmd(&["SET", "foo", "bar"]);
    c.cmd(&["SET", "num", "12345"]);
    let obj = c.cmd(&["DEBUG", "OBJECT", "foo"]);
    assert!(obj.starts_with("+Value at:0x"), "{obj}");
    assert!(obj.contains(" refcount:1 encoding:embstr serializedlength:4 lru:"));
    assert!(obj.contains(" lru_seconds_idle:0 lfu_freq:"));
    let obj = c.cmd(&["DEBUG", "OBJECT", "num", "fast"]);
    assert!(obj.contains(" encoding:int lru:"), "{obj}");
    assert_eq!(
        c.cmd(&["DEBUG", "SDSLEN", "num"]),
        "-ERR Not an sds encoded string.\r\n"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "LISTPACK", "foo"]),
        "-ERR Not a listpack encoded object.\r\n"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1gb"]),
        "+OK\r\n"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"]),
        "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "RELOAD", "BAD"]),
        "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n"
    );
    assert_eq!(c.cmd(&["DEBUG", "RELOAD"]), "+OK\r\n");
    assert_eq!(
        c.cmd(&["DEBUG", "ERROR", "MYERR custom"]),
        "-MYERR custom\r\n"
    );
    assert_eq!(
        c.cmd(&["DEBUG", "STRINGMATCH-TEST"]),
        "+Apparently the server did not crash: test passed\r\n"
    );
    let replid = |c: &mut Raw| {
        let r = body(&c.cmd(&["INFO", "replication"]));
        r.lines()
            .find_map(|l| l.strip_prefix("master_replid:"))
            .unwrap()
            .to_string()
    };
    let before = replid(&mut c);
    assert_eq!(c.cmd(&["DEBUG", "CHANGE-REPL-ID"]), "+OK\r\n");
    let after = replid(&mut c);
    assert_ne!(before, after);
    assert_eq!(after.len(), 40);
}

#[test]
fn debug_protocol_types() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let cases2: &[(&str, &str)] = &[
        ("string", "$11\r\nHello World\r\n"),
        ("integer", ":12345\r\n"),
        ("double", "$5\r\n3.141\r\n"),
        ("bignum", "$37\r\n1234567999999999999999999999999999999\r\n"),
        ("null", "$-1\r\n"),
        ("array", "*3\r\n:0\r\n:1\r\n:2\r\n"),
        ("set", "*3\r\n:0\r\n:1\r\n:2\r\n"),
        ("map", "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n"),
        (
            "attrib",
            "$39\r\nSome real reply following the attribute\r\n",
        ),
        ("true", ":1\r\n"),
        ("false", ":0\r\n"),
        ("verbatim", "$25\r\nThis is a verbatim\nstring\r\n"),
        ("push", "-ERR RESP2 is not supported by this command\r\n"),
    ];
    for (t, want) in cases2 {
        assert_eq!(c.cmd(&["DEBUG", "PROTOCOL", t]), *want, "{t}");
    }
    c.cmd(&["HELLO", "3"]);
    let cases3: &[(&str, &str)] = &[
        ("double", ",3.141\r\n"),
        ("bignum", "(1234567999999999999999999999999999999\r\n"),
        ("null", "_\r\n"),
        ("set", "~3\r\n:0\r\n:1\r\n:2\r\n"),
        ("map", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"),
        ("true", "#t\r\n"),
        ("verbatim", "=29\r\ntxt:This is a verbatim\nstring\r\n"),
        (
            "attrib",
            "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n",
        ),
    ];
    for (t, want) in cases3 {
        assert_eq!(c.cmd(&["DEBUG", "PROTOCOL", t]), *want, "{t}");
    }
    assert_eq!(
        c.cmd(&["DEBUG", "PROTOCOL", "push"]),
        ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&c.read()),
        "$40\r\nSome real reply following the push reply\r\n"
    );
    assert!(c
        .cmd(&["DEBUG", "PROTOCOL", "nope"])
        .starts_with("-ERR Wrong protocol type name."));
}

#[test]
fn debug_propagated_shows_writes() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.cmd(&["DEBUG", "PROPAGATED", "RESET"]), "+OK\r\n");
    c.cmd(&["SELECT", "2"]);
    c.cmd(&["SET", "k", "v"]);
    c.cmd(&["GET", "k"]);
    assert_eq!(
        c.cmd(&["DEBUG", "PROPAGATED"]),
        "*1\r\n*4\r\n:2\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
    );
    c.cmd(&["SET", "k2", "v2"]);
    assert_eq!(
        c.cmd(&["DEBUG", "PROPAGATED", "1"]),
        "*1\r\n*4\r\n:2\r\n$3\r\nSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n"
    );
}

#[test]
fn debug_gated_by_enable_debug_command() {
    let srv = TestServer::start_with(&["--enable-debug-command", "no"]);
    let mut c = Raw::connect(srv.port);
    assert_eq!(
        c.cmd(&["DEBUG", "DIGEST"]),
        "-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n"
    );
    let local = TestServer::start_with(&["--enable-debug-command", "local"]);
    let mut c = Raw::connect(local.port);
    assert_eq!(c.cmd(&["DEBUG", "SLEEP", "0"]), "+OK\r\n");
}

#[test]
fn shutdown_refuses_when_the_save_fails() {
    // A directory where the snapshot should go makes every save fail.
    let dir = std::env::temp_dir().join(format!("valkey-rs-savefail-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("blocked.rdb")).unwrap();
    let dir_arg = dir.display().to_string();
    let mut srv = TestServer::start_with(&[
        "--save",
        "3600 1",
        "--dir",
        &dir_arg,
        "--enable-protected-configs",
        "yes",
    ]);
    let mut c = Raw::connect(srv.port);
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "dbfilename", "blocked.rdb"]),
        "+OK\r\n"
    );
    assert_eq!(
        c.cmd(&["SHUTDOWN"]),
        "-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
    );
    assert_eq!(
        c.cmd(&["SHUTDOWN", "SAVE"]),
        "-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
    );
    assert_eq!(
        c.cmd(&["SHUTDOWN", "ABORT"]),
        "-ERR No shutdown in progress.\r\n"
    );
    assert_eq!(
        c.cmd(&["SHUTDOWN", "NOSAVE", "SAVE"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.cmd(&["SHUTDOWN", "ABORT", "NOW"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(c.cmd(&["SHUTDOWN", "LATER"]), "-ERR syntax error\r\n");
    assert!(srv.alive());
    c.send(&["SHUTDOWN", "FORCE"]);
    assert!(c.closed());
    assert!(srv.wait_exit(Duration::from_secs(5)).is_some());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shutdown_nosave_exits() {
    let mut srv = TestServer::start_with(&["--save", "3600 1"]);
    let mut c = Raw::connect(srv.port);
    c.send(&["SHUTDOWN", "NOSAVE", "NOW"]);
    assert!(c.closed());
    let st = srv
        .wait_exit(Duration::from_secs(5))
        .expect("server exited");
    assert!(st.success());
}

#[test]
fn shutdown_without_save_points_exits() {
    let mut srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.send(&["SHUTDOWN"]);
    assert!(c.closed());
    assert!(srv.wait_exit(Duration::from_secs(5)).is_some());
}

#[test]
fn config_set_port_rebinds_and_loglevel_applies() {
    let srv = TestServer::start();
    let mut c = srv.client();
    let new_port = free_port();
    assert_eq!(
        cmd(&mut c, &["CONFIG", "SET", "port", &new_port.to_string()]),
        redis::Value::Okay
    );
    // The old connection keeps working; new connections go to the new port.
    assert_eq!(
        cmd(&mut c, &["PING"]),
        redis::Value::SimpleString("PONG".into())
    );
    let mut n = redis::Client::open(format!("redis://127.0.0.1:{new_port}/"))
        .unwrap()
        .get_connection()
        .unwrap();
    assert_eq!(
        cmd(&mut n, &["PING"]),
        redis::Value::SimpleString("PONG".into())
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", srv.port)).is_err(),
        "old port closed"
    );
    assert_eq!(
        cmd(&mut n, &["CONFIG", "GET", "port"]),
        redis::Value::Array(vec![
            redis::Value::BulkString(b"port".to_vec()),
            redis::Value::BulkString(new_port.to_string().into_bytes())
        ])
    );
    // A port we cannot bind fails the whole CONFIG SET and changes nothing.
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = blocker.local_addr().unwrap().port().to_string();
    let e = err_of(&mut n, &["CONFIG", "SET", "port", &busy]);
    assert_eq!(
        e,
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port"
    );
    assert_eq!(
        cmd(&mut n, &["PING"]),
        redis::Value::SimpleString("PONG".into())
    );
    assert_eq!(
        cmd(&mut n, &["CONFIG", "SET", "loglevel", "warning"]),
        redis::Value::Okay
    );
}

/// A new client connected to `ip:port` gets PONG.
fn assert_pong_at(ip: &str, port: u16) {
    let mut n = redis::Client::open(format!("redis://{ip}:{port}/"))
        .unwrap()
        .get_connection()
        .unwrap();
    assert_eq!(
        cmd(&mut n, &["PING"]),
        redis::Value::SimpleString("PONG".into()),
        "{ip}"
    );
}

#[test]
fn config_set_bind_keeps_addresses_that_stay() {
    let srv = TestServer::start();
    let mut c = srv.client();
    // Adding an address keeps the one we are bound to (binding it again
    // would fail with "address in use") and listens on the new one.
    let both = "127.0.0.1 127.0.0.2";
    assert_eq!(
        cmd(&mut c, &["CONFIG", "SET", "bind", both]),
        redis::Value::Okay
    );
    for ip in ["127.0.0.1", "127.0.0.2"] {
        assert_pong_at(ip, srv.port);
    }
    // Dropping one closes it and keeps the other.
    assert_eq!(
        cmd(&mut c, &["CONFIG", "SET", "bind", "127.0.0.2"]),
        redis::Value::Okay
    );
    assert!(std::net::TcpStream::connect(("127.0.0.1", srv.port)).is_err());
    assert!(std::net::TcpStream::connect(("127.0.0.2", srv.port)).is_ok());
}

#[test]
fn config_set_bind_switches_between_wildcard_and_specific_addresses() {
    let srv = TestServer::start();
    let mut c = srv.client();
    // 127.0.0.1 -> * on the same port: the specific socket must be closed
    // before the wildcard can be bound.
    assert_eq!(
        cmd(&mut c, &["CONFIG", "SET", "bind", "*"]),
        redis::Value::Okay
    );
    for ip in ["127.0.0.1", "127.0.0.3"] {
        assert_pong_at(ip, srv.port);
    }
    // And back.
    assert_eq!(
        cmd(&mut c, &["CONFIG", "SET", "bind", "127.0.0.1"]),
        redis::Value::Okay
    );
    assert!(std::net::TcpStream::connect(("127.0.0.3", srv.port)).is_err());
    assert!(std::net::TcpStream::connect(("127.0.0.1", srv.port)).is_ok());
    // A failing switch restores what was bound: 192.0.2.1 is not ours.
    let e = err_of(&mut c, &["CONFIG", "SET", "bind", "127.0.0.2 192.0.2.1"]);
    assert!(e.contains("Failed to bind to specified addresses"), "{e}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", srv.port)).is_ok());
    assert!(std::net::TcpStream::connect(("127.0.0.2", srv.port)).is_err());
    assert_eq!(
        cmd(&mut c, &["CONFIG", "GET", "bind"]),
        redis::Value::Array(vec![
            redis::Value::BulkString(b"bind".to_vec()),
            redis::Value::BulkString(b"127.0.0.1".to_vec())
        ])
    );
}
