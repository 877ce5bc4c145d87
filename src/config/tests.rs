//! Tests of loading, CONFIG GET/SET and errors, plus property tests that
//! the parsers never panic and that CONFIG REWRITE round-trips.

use super::*;
fn quiet() -> LoadOptions<'static> {
    LoadOptions {
        side_effects: false,
        command_exists: None,
    }
}

fn cfg(text: &str) -> Config {
    Config::load_from_bytes(text.as_bytes(), &quiet()).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str) -> ConfigError {
    Config::load_from_bytes(text.as_bytes(), &quiet()).unwrap_err()
}

fn get1(c: &Config, name: &str) -> String {
    let v = c.get(&[name.as_bytes()]);
    assert_eq!(v.len(), 1, "{name}: {v:?}");
    v[0].1.clone()
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("valkey-cfg-test-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

// ---------------------------------------------------------------------------
// Defaults and CONFIG GET
// ---------------------------------------------------------------------------

#[test]
fn defaults_as_config_get_shows_them() {
    let c = Config::default();
    for (name, expect) in [
        ("port", "6379"),
        ("bind", "* -::*"),
        ("save", "3600 1 300 100 60 10000"),
        (
            "client-output-buffer-limit",
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
        ),
        ("maxmemory", "0"),
        ("maxmemory-policy", "noeviction"),
        ("proto-max-bulk-len", "536870912"),
        ("client-query-buffer-limit", "1073741824"),
        ("notify-keyspace-events", ""),
        ("appendonly", "no"),
        ("appendfsync", "everysec"),
        ("loglevel", "notice"),
        ("unixsocketperm", "0"),
        ("repl-backlog-size", "10485760"),
        ("oom-score-adj-values", "0 200 800"),
        ("latency-tracking-info-percentiles", "50 99 99.9"),
        ("enable-debug-command", "no"),
        ("shutdown-on-sigint", "default"),
        ("maxmemory-clients", "0"),
        ("replicaof", ""),
        ("requirepass", ""),
        ("list-max-listpack-size", "-2"),
        ("hash-max-listpack-entries", "512"),
        ("hash-max-listpack-value", "64"),
        ("set-max-intset-entries", "512"),
        ("zset-max-listpack-entries", "128"),
        ("hll-sparse-max-bytes", "3000"),
        ("hz", "10"),
        ("databases", "16"),
        ("timeout", "0"),
        ("tcp-keepalive", "300"),
        ("tcp-backlog", "511"),
        ("maxclients", "10000"),
        ("io-threads", "1"),
        ("lazyfree-lazy-user-del", "yes"),
        ("dbfilename", "dump.rdb"),
        ("appendfilename", "appendonly.aof"),
        ("syslog-ident", "valkey"),
        ("syslog-facility", "local0"),
        ("supervised", "no"),
        ("tls-auth-clients", "yes"),
        ("tls-auth-clients-user", "off"),
        ("oom-score-adj", "no"),
        ("acl-pubsub-default", "resetchannels"),
        ("proc-title-template", "{title} {listen-addr} {server-mode}"),
        ("active-defrag-ignore-bytes", "104857600"),
        ("cluster-blacklist-ttl", "60"),
        ("commandlog-execution-slower-than", "10000"),
    ] {
        assert_eq!(get1(&c, name), expect, "{name}");
    }
    assert_eq!(c.port(), 6379);
    assert_eq!(c.bind(), &["*".to_string(), "-::*".to_string()]);
    assert_eq!(c.databases(), 16);
    assert_eq!(c.maxclients(), 10000);
    assert_eq!(c.hz(), 10);
    assert_eq!(c.requirepass(), None);
    assert!(c.protected_mode());
    assert_eq!(c.proto_max_bulk_len(), 512 << 20);
    assert_eq!(
        c.client_output_buffer_limit(ClientClass::Replica),
        (256 << 20, 64 << 20, 60)
    );
    assert_eq!(c.loglevel(), LogLevel::Notice);
    assert_eq!(c.logfile(), "");
    assert_eq!(c.pidfile(), None);
    assert_eq!(c.unixsocket(), None);
    assert_eq!(c.enable_debug_command(), ProtectedAction::No);
    assert_eq!(c.save_params(), &[(3600, 1), (300, 100), (60, 10000)]);
    assert_eq!(c.maxmemory_policy(), MaxmemoryPolicy::NoEviction);
    assert_eq!(c.maxmemory_policy().name(), "noeviction");
    assert_eq!(c.appendfsync(), AppendFsync::Everysec);
    assert_eq!(c.supervised(), "no");
    assert_eq!(c.sanitize_dump_payload(), "no");
    assert!(!c.dynamic_hz());
    assert_eq!(c.iter_all().count(), TABLE.len());
}

#[test]
fn get_patterns_aliases_and_order() {
    let c = Config::default();
    let r = c.get(&[b"*max-*-entries*"]);
    let names: Vec<&str> = r.iter().map(|(k, _)| k.as_str()).collect();
    assert!(names.contains(&"hash-max-listpack-entries"));
    assert!(names.contains(&"hash-max-ziplist-entries"));
    assert!(names.contains(&"zset-max-ziplist-entries"));
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name");

    // Exact names are echoed as typed (and find aliases).
    assert_eq!(
        c.get(&[b"PORT"]),
        vec![("PORT".to_string(), "6379".to_string())]
    );
    assert_eq!(
        c.get(&[b"slaveof"]),
        vec![("slaveof".to_string(), String::new())]
    );
    // No duplicates across patterns (names compare case-insensitively).
    assert_eq!(c.get(&[b"port", b"PORT", b"po*"]).len(), 1);
    assert_eq!(c.get(&[b"nope"]), vec![]);
    assert_eq!(c.get(&[b"nope*"]), vec![]);
    // Hidden configs need the exact name.
    assert!(c.get(&[b"*"]).iter().all(|(k, _)| k != "key-load-delay"));
    assert_eq!(c.get(&[b"key-load-delay"]).len(), 1);
    // `*` lists every visible name and alias once.
    let all = c.get(&[b"*"]);
    let visible: usize = TABLE
        .iter()
        .filter(|d| !d.has(HIDDEN))
        .map(|d| 1 + d.alias.is_some() as usize)
        .sum();
    assert_eq!(all.len(), visible);
    // Several patterns.
    let r = c.get(&[b"maxmemory", b"maxmemory-p*"]);
    assert_eq!(
        r,
        vec![
            ("maxmemory".into(), "0".into()),
            ("maxmemory-policy".into(), "noeviction".into())
        ]
    );
    // Glob classes, case-insensitive.
    assert_eq!(
        c.get(&[b"[P]ORT"]),
        vec![("port".to_string(), "6379".to_string())]
    );
    // A backslash alone is not a wildcard: exact lookup, no match.
    assert_eq!(c.get(&[b"po\\rt"]), vec![]);
    assert_eq!(c.get_one("Slave-Read-Only").as_deref(), Some("yes"));
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

#[test]
fn load_values_units_and_case() {
    let c = cfg("# comment\n\
         PORT 7000\n\
         \tmaxmemory 1GB \r\n\
         maxmemory-policy ALLKEYS-LRU\n\
         appendonly YES\n\
         requirepass \"s3cr\\x00t\"\n\
         bind 127.0.0.1 ::1\n\
         notify-keyspace-events Ex\n\
         enable-debug-command local\n\
         list-max-ziplist-size 128\n\
         hash-max-ziplist-value 1kb\n\
         unixsocket /tmp/v.sock\n\
         unixsocketperm 700\n\
         maxmemory-clients 5%\n\
         client-output-buffer-limit replica 1mb 512kb 10 pubsub 0 0 0\n\
         client-output-buffer-limit normal 1k 1 1\n\
         hz 1000\n\
         replicaof 10.1.1.1 6380\n\
         shutdown-on-sigterm nosave force\n\
         oom-score-adj-values 10 20 30\n\
         latency-tracking-info-percentiles \"50 99.99\"\n");
    assert_eq!(c.port(), 7000);
    assert_eq!(c.maxmemory(), 1 << 30);
    assert_eq!(c.maxmemory_policy(), MaxmemoryPolicy::AllkeysLru);
    assert!(c.appendonly());
    assert_eq!(c.requirepass(), Some(&b"s3cr\x00t"[..]));
    assert_eq!(c.bind(), &["127.0.0.1".to_string(), "::1".to_string()]);
    assert_eq!(c.notify_keyspace_events(), NOTIFY_KEYEVENT | NOTIFY_EXPIRED);
    assert_eq!(get1(&c, "notify-keyspace-events"), "xE");
    assert_eq!(c.enable_debug_command(), ProtectedAction::Local);
    assert_eq!(c.list_max_listpack_size(), 128);
    assert_eq!(c.hash_max_listpack_value(), 1024);
    assert_eq!(c.unixsocket(), Some("/tmp/v.sock"));
    assert_eq!(c.unixsocketperm(), 0o700);
    assert_eq!(get1(&c, "unixsocketperm"), "700");
    assert_eq!(c.maxmemory_clients(), -5);
    assert_eq!(get1(&c, "maxmemory-clients"), "5%");
    assert_eq!(
        c.client_output_buffer_limit(ClientClass::Normal),
        (1000, 1, 1)
    );
    assert_eq!(
        c.client_output_buffer_limit(ClientClass::Replica),
        (1 << 20, 512 << 10, 10)
    );
    assert_eq!(c.client_output_buffer_limit(ClientClass::Pubsub), (0, 0, 0));
    assert_eq!(c.hz(), 500, "hz is clamped to 500");
    assert_eq!(c.replicaof(), Some(("10.1.1.1", 6380)));
    assert_eq!(get1(&c, "slaveof"), "10.1.1.1 6380");
    assert_eq!(get1(&c, "shutdown-on-sigterm"), "nosave force");
    assert_eq!(c.oom_score_adj_values(), [10, 20, 30]);
    assert_eq!(get1(&c, "latency-tracking-info-percentiles"), "50 99.99");
}

#[test]
fn save_lines_accumulate_and_clear() {
    assert_eq!(
        cfg("save 100 1\nsave 200 2").save_params(),
        &[(100, 1), (200, 2)]
    );
    assert_eq!(cfg("save 100 1 200 2").save_params(), &[(100, 1), (200, 2)]);
    assert_eq!(
        cfg("save \"100 1 200 2\"").save_params(),
        &[(100, 1), (200, 2)]
    );
    assert!(cfg("save \"\"").save_params().is_empty());
    assert_eq!(get1(&cfg("save \"\""), "save"), "");
    assert_eq!(
        cfg("save 100 1\nsave \"\"\nsave 5 5").save_params(),
        &[(5, 5)]
    );
    assert_eq!(
        cfg("save 100 1\nsave ''").save_params(),
        &[] as &[(u64, u64)]
    );
    assert_eq!(
        cfg("port 1").save_params().len(),
        3,
        "defaults kept without save lines"
    );
}

#[test]
fn comments_blank_and_empty_args_lines() {
    let c = cfg("\n\n   # indented comment\n#port 1\n   \n\t\nport 2\n");
    assert_eq!(c.port(), 2);
    // a line of quotes only is one empty argument: a bad directive
    assert_eq!(
        err("\"\"").to_string().lines().last(),
        Some("Bad directive or wrong number of arguments")
    );
}

#[test]
fn error_display_is_exactly_valkeys() {
    let e = err("port 7000\n  maxmemory   \"10x\"  \n");
    assert_eq!(
        e.to_string(),
        "\n*** FATAL CONFIG FILE ERROR (Version 9.1.0) ***\n\
         Reading the configuration file, at line 2\n\
         >>> 'maxmemory   \"10x\"'\n\
         argument must be a memory value"
    );
    let e = err("port \"7000\"x");
    assert_eq!(
        e,
        ConfigError::Line {
            line_number: 1,
            line: "port \"7000\"x".into(),
            reason: "Unbalanced quotes in configuration line".into()
        }
    );
    for (text, reason) in [
        ("port 1 2", "wrong number of arguments"),
        ("port", "wrong number of arguments"),
        ("foo bar", "Bad directive or wrong number of arguments"),
        ("include", "Bad directive or wrong number of arguments"),
        ("daemonize maybe", "argument must be 'yes' or 'no'"),
        ("port abc", "argument couldn't be parsed into an integer"),
        ("port 70000", "argument must be between 0 and 65535 inclusive"),
        ("port 01", "argument couldn't be parsed into an integer"),
        ("maxclients 0", "argument must be between 1 and 4294967295 inclusive"),
        ("maxclients -1", "argument must be between 1 and 4294967295 inclusive"),
        ("maxmemory -1", "argument must be a memory value"),
        ("maxmemory 1.5gb", "argument must be a memory value"),
        ("maxmemory-clients 200%", "percentage argument must be less or equal to 100"),
        ("maxmemory-clients x", "argument must be a memory or percent value"),
        ("unixsocketperm 999", "argument couldn't be parsed as an octal number"),
        ("unixsocketperm 1777", "argument must be between 0 and 777 inclusive"),
        ("proto-max-bulk-len 1000", "argument must be between 1048576 and 9223372036854775807 inclusive"),
        ("save 1", "Invalid save parameters"),
        ("save 0 1", "Invalid save parameters"),
        ("save 10 -1", "Invalid save parameters"),
        ("save a b", "Invalid save parameters"),
        (
            "maxmemory-policy lru",
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
        ),
        ("loglevel debug notice", "wrong number of arguments"),
        ("shutdown-on-sigint save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"),
        ("client-output-buffer-limit normal 1 2", "Wrong number of arguments in buffer limit configuration."),
        ("client-output-buffer-limit master 1 2 3", "Invalid client class specified in buffer limit configuration."),
        ("client-output-buffer-limit normal 1 2 -3", "Error in hard, soft or soft_seconds setting in buffer limit configuration."),
        ("oom-score-adj-values 1 2", "wrong number of arguments"),
        ("oom-score-adj-values 1 2 3000", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."),
        ("notify-keyspace-events KEQ", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."),
        ("replicaof host", "wrong number of arguments"),
        ("replicaof host 99999", "Invalid primary port"),
        ("dbfilename a/b.rdb", "dbfilename can't be a path, just a filename"),
        ("dbfilename \"\"", "dbfilename can't be empty"),
        ("appenddirname x/y", "appenddirname can't be a path, just a dirname"),
        ("cluster-announce-hostname a_b", "Hostnames may only contain alphanumeric characters, hyphens or dots"),
        ("cluster-announce-client-ipv4 1.2.3", "Invalid IPv4 address"),
        ("proc-title-template {nope}", "template format is invalid or contains unknown variables"),
        ("latency-tracking-info-percentiles 101", "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"),
        ("latency-tracking-info-percentiles x", "Invalid latency-tracking-info-percentiles parameters"),
        ("dir \"\"", "dir can't be empty"),
        ("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "Too many bind addresses specified."),
        ("foo.bar", "Module config specified without value"),
        ("sentinel monitor x", "sentinel directive while not in sentinel mode"),
    ] {
        match err(text) {
            ConfigError::Line { line_number: 1, line, reason: r } => {
                assert_eq!(r, reason, "{text}");
                assert_eq!(line, text);
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    assert_eq!(
        err("cluster-enabled yes\nreplicaof h 1").to_string(),
        "\n*** FATAL CONFIG FILE ERROR (Version 9.1.0) ***\nreplicaof directive not allowed in cluster mode"
    );
}

#[test]
fn file_only_and_deprecated_directives() {
    let c = cfg("rename-command CONFIG \"\"\n\
         rename-command flushall myflush\n\
         user alice on >pw ~* +@all\n\
         user bob off\n\
         loadmodule /m.so a b\n\
         mymod.setting 1 2\n\
         mymod.setting 3\n\
         sentinel\n\
         dynamic-hz yes\n\
         io-threads-do-reads no\n\
         list-max-ziplist-entries 512\n\
         lua-replicate-commands yes\n");
    assert_eq!(
        c.renamed_commands(),
        &[
            ("CONFIG".to_string(), String::new()),
            ("flushall".to_string(), "myflush".to_string())
        ]
    );
    assert_eq!(c.users().len(), 2);
    assert_eq!(c.users()[0][0], b"alice");
    assert_eq!(
        c.load_modules(),
        &[("/m.so".to_string(), vec!["a".to_string(), "b".to_string()])]
    );
    assert_eq!(
        c.module_configs(),
        &[("mymod.setting".to_string(), "3".to_string())]
    );
    assert_eq!(c.get(&[b"dynamic-hz"]), vec![]);
    assert_eq!(
        err("dynamic-hz yes no").to_string().lines().last(),
        Some("Bad directive or wrong number of arguments")
    );

    // rename-command checks the command table when the server provides it.
    let exists = |n: &[u8]| matches!(n, b"get" | b"set" | b"config|get");
    let opts = LoadOptions {
        side_effects: false,
        command_exists: Some(&exists),
    };
    let load = |t: &str| Config::load_from_bytes(t.as_bytes(), &opts);
    assert!(load("rename-command GET g2\nrename-command g2 g3").is_ok());
    let reason = |t: &str| match load(t).unwrap_err() {
        ConfigError::Line { reason, .. } => reason,
        e => panic!("{e:?}"),
    };
    assert_eq!(
        reason("rename-command nope x"),
        "No such command in rename-command"
    );
    assert_eq!(
        reason("rename-command get set"),
        "Target command name already exists"
    );
    assert_eq!(
        reason("rename-command get x\nrename-command get y"),
        "No such command in rename-command"
    );
    assert!(load("rename-command get set2\nrename-command set get").is_ok());
}

#[test]
fn includes_and_files() {
    let d = temp_dir("inc");
    std::fs::write(d.join("a.conf"), "port 7001\ninclude ").unwrap();
    std::fs::create_dir_all(d.join("conf.d")).unwrap();
    std::fs::write(d.join("conf.d/10-x.conf"), "maxmemory 1mb\n").unwrap();
    std::fs::write(d.join("conf.d/20-y.conf"), "maxmemory 2mb\nhz 20\n").unwrap();
    std::fs::write(d.join("conf.d/.hidden.conf"), "hz 99\n").unwrap();
    let main = d.join("main.conf");
    std::fs::write(
        &main,
        format!(
            "include {}\ninclude {}/conf.d/*.conf\ninclude {}/empty.d/*.conf\nport 7002\n",
            d.join("b.conf").display(),
            d.display(),
            d.display()
        ),
    )
    .unwrap();
    std::fs::write(d.join("b.conf"), "port 7001\ntimeout 3\n").unwrap();
    let c = Config::load(Some(main.to_str().unwrap()), &args(&["--timeout", "9"])).unwrap();
    assert_eq!(c.port(), 7002);
    assert_eq!(c.maxmemory(), 2 << 20, "glob includes are read in order");
    assert_eq!(c.hz(), 20, "wildcards skip dot files");
    assert_eq!(c.timeout(), 9, "command line options override the file");
    assert_eq!(c.config_file(), Some(main.to_str().unwrap()));

    // An error inside an included file is reported with that file's line.
    std::fs::write(d.join("bad.conf"), "\n\nport x\n").unwrap();
    std::fs::write(
        &main,
        format!("port 1\ninclude {}\n", d.join("bad.conf").display()),
    )
    .unwrap();
    match Config::load(Some(main.to_str().unwrap()), &[]).unwrap_err() {
        ConfigError::Line {
            line_number, line, ..
        } => assert_eq!((line_number, line.as_str()), (3, "port x")),
        e => panic!("{e:?}"),
    }
    // Missing files.
    std::fs::write(&main, "include /nonexistent/x.conf\n").unwrap();
    assert_eq!(
        Config::load(Some(main.to_str().unwrap()), &[])
            .unwrap_err()
            .to_string(),
        "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory"
    );
    assert_eq!(
        Config::load(Some("/nonexistent.conf"), &[]).unwrap_err(),
        ConfigError::Open {
            path: "/nonexistent.conf".into(),
            reason: "No such file or directory".into()
        }
    );
    // Include cycles are stopped.
    std::fs::write(&main, format!("include {}\n", main.display())).unwrap();
    assert!(Config::load(Some(main.to_str().unwrap()), &[]).is_err());
    // The log file must be openable.
    std::fs::write(&main, "logfile /nonexistent-dir/v.log\n").unwrap();
    assert_eq!(
        Config::load(Some(main.to_str().unwrap()), &[]).unwrap_err().to_string(),
        "\n*** FATAL CONFIG FILE ERROR (Version 9.1.0) ***\nCan't open the log file: No such file or directory"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn command_line_options() {
    let c = Config::load(
        None,
        &args(&[
            "--port",
            "7000",
            "--save",
            "60",
            "1",
            "--bind",
            "127.0.0.1",
            "::1",
        ]),
    )
    .unwrap();
    assert_eq!(c.port(), 7000);
    assert_eq!(c.save_params(), &[(60, 1)]);
    assert_eq!(c.bind().len(), 2);
    assert_eq!(c.config_file(), None);
    let c = Config::load(None, &args(&["--save", "", "--appendonly", "yes"])).unwrap();
    assert!(c.save_params().is_empty());
    assert!(c.appendonly());
    let c = Config::load(None, &args(&["--save", "--port", "1"])).unwrap();
    assert!(c.save_params().is_empty());
    assert_eq!(c.port(), 1);
    let c = Config::load(None, &args(&["--requirepass", "a b \"c"])).unwrap();
    assert_eq!(c.requirepass(), Some(&b"a b \"c"[..]));
    let c = Config::load(None, &args(&["--save", "60 1 300 10"])).unwrap();
    assert_eq!(c.save_params(), &[(60, 1), (300, 10)]);
    // Line numbers count the empty line between the file and the options.
    let e = Config::load(None, &args(&["--port", "7000", "--foo", "bar"])).unwrap_err();
    assert_eq!(
        e,
        ConfigError::Line {
            line_number: 3,
            line: "foo \"bar\"".into(),
            reason: "Bad directive or wrong number of arguments".into()
        }
    );
    let e = Config::load(None, &args(&["--save", "10"])).unwrap_err();
    assert_eq!(
        e.to_string().lines().nth(4),
        Some("Invalid save parameters")
    );
    assert_eq!(e.to_string().lines().nth(3), Some(">>> 'save \"10\"'"));
}

/// `dir` changes the process working directory. Unit tests share one process
/// with the rest of the crate's tests, so this only ever "changes" to the
/// current directory; failures must leave it untouched.
#[test]
fn dir_changes_working_directory() {
    let cwd = std::env::current_dir().unwrap();
    let cwd_s = cwd.to_str().unwrap().to_string();
    let c = Config::load_from_str(&format!("dir {cwd_s}\n")).unwrap();
    assert_eq!(c.dir(), cwd_s);
    assert_eq!(get1(&c, "dir"), cwd_s);
    let c = Config::load_from_str("dir .\n").unwrap();
    assert_eq!(c.dir(), cwd_s, "stored as the absolute working directory");
    match Config::load_from_str("dir /nonexistent-dir\n").unwrap_err() {
        ConfigError::Line { reason, .. } => assert_eq!(reason, "No such file or directory"),
        e => panic!("{e:?}"),
    }
    // CONFIG SET dir is protected…
    let mut c = Config::default();
    assert_eq!(
        c.set(&[(b"dir", cwd_s.as_bytes())]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"
    );
    // …unless allowed; a later failure in the same command restores it.
    let mut c = cfg("enable-protected-configs yes");
    let e = c
        .set(&[(b"dir", cwd_s.as_bytes()), (b"port", b"x")])
        .unwrap_err();
    assert!(e.ends_with("argument couldn't be parsed into an integer"));
    assert_eq!(
        c.set(&[(b"dir", b"/nonexistent-dir")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'dir') - No such file or directory"
    );
    assert_eq!(c.set(&[(b"dir", cwd_s.as_bytes())]).unwrap(), vec!["dir"]);
    assert_eq!(std::env::current_dir().unwrap(), cwd);
    let mut c = Config::default();
    assert_eq!(
        c.set_with(
            &[(b"dir", b".")],
            &SetContext {
                loading: true,
                client_is_local: false
            }
        )
        .unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config",
        "protection is checked before loading"
    );
}

// ---------------------------------------------------------------------------
// CONFIG SET
// ---------------------------------------------------------------------------

#[test]
fn set_errors_are_valkeys() {
    let mut c = Config::default();
    type Pairs<'a> = &'a [(&'a [u8], &'a [u8])];
    let cases: &[(Pairs, &str)] = &[
        (&[(b"foo", b"bar")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[(b"maxmemory", b"foo")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[(b"port", b"1"), (b"port", b"2")], "ERR CONFIG SET failed (possibly related to argument 'port') - duplicate parameter"),
        (&[(b"daemonize", b"yes")], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
        (&[(b"DAEMONIZE", b"yes")], "ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config"),
        (&[(b"MAXMEMORY", b"x")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"),
        (&[(b"slave-read-only", b"x")], "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"),
        (&[(b"dbfilename", b"x.rdb")], "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"),
        (&[(b"save", b"1 2 3")], "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"),
        (&[(b"maxclients", b"-1")], "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"),
        (&[(b"maxmemory-clients", b"200%")], "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"),
        (&[(b"slaveof", b"a 1")], "ERR CONFIG SET failed (possibly related to argument 'slaveof') - can't set immutable config"),
        // The first error wins.
        (&[(b"foo", b"1"), (b"daemonize", b"yes")], "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"),
        (&[(b"daemonize", b"yes"), (b"foo", b"1")], "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"),
    ];
    for (pairs, expect) in cases {
        assert_eq!(c.set(pairs).unwrap_err(), *expect);
    }
    assert_eq!(
        c.set_with(
            &[(b"appendonly", b"yes")],
            &SetContext {
                loading: true,
                client_is_local: false
            }
        )
        .unwrap_err(),
        "LOADING Valkey is loading the dataset in memory"
    );
}

#[test]
fn set_is_all_or_nothing() {
    let mut c = Config::default();
    let e = c
        .set(&[(b"port", b"7000"), (b"maxmemory", b"10mb"), (b"hz", b"x")])
        .unwrap_err();
    assert_eq!(e, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer");
    assert_eq!(c.port(), 6379);
    assert_eq!(c.maxmemory(), 0);
    let changed = c
        .set(&[(b"port", b"7000"), (b"maxmemory", b"10mb"), (b"hz", b"10")])
        .unwrap();
    assert_eq!(changed, vec!["port", "maxmemory"], "hz did not change");
    assert_eq!((c.port(), c.maxmemory()), (7000, 10 << 20));
}

#[test]
fn set_values_of_every_kind() {
    let mut c = Config::default();
    let ok = |c: &mut Config, n: &str, v: &str| {
        c.set(&[(n.as_bytes(), v.as_bytes())])
            .unwrap_or_else(|e| panic!("{n} {v}: {e}"));
    };
    ok(&mut c, "maxmemory", "2GB");
    assert_eq!(get1(&c, "maxmemory"), "2147483648");
    ok(&mut c, "maxmemory-policy", "Volatile-LFU");
    assert_eq!(get1(&c, "maxmemory-policy"), "volatile-lfu");
    ok(&mut c, "save", "60 1000 10 5");
    assert_eq!(c.save_params(), &[(60, 1000), (10, 5)]);
    ok(&mut c, "save", "");
    assert!(c.save_params().is_empty());
    ok(&mut c, "client-output-buffer-limit", "pubsub 1mb 2mb 30");
    assert_eq!(
        get1(&c, "client-output-buffer-limit"),
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2097152 30"
    );
    ok(&mut c, "notify-keyspace-events", "KEA");
    assert_eq!(get1(&c, "notify-keyspace-events"), "AKE");
    ok(&mut c, "notify-keyspace-events", "");
    assert_eq!(c.notify_keyspace_events(), 0);
    ok(&mut c, "hz", "0");
    assert_eq!(get1(&c, "hz"), "1", "hz clamped after CONFIG SET");
    ok(&mut c, "requirepass", "secret");
    assert_eq!(c.requirepass(), Some(&b"secret"[..]));
    ok(&mut c, "requirepass", "");
    assert_eq!(c.requirepass(), None);
    ok(&mut c, "masterauth", "pw");
    assert_eq!(c.primaryauth(), Some(&b"pw"[..]));
    ok(&mut c, "bind", "127.0.0.1 ::1");
    assert_eq!(c.bind().len(), 2);
    ok(&mut c, "bind", "");
    assert!(c.bind().is_empty());
    ok(&mut c, "shutdown-on-sigint", "nosave now");
    assert_eq!(get1(&c, "shutdown-on-sigint"), "nosave now");
    ok(&mut c, "oom-score-adj", "relative");
    assert_eq!(get1(&c, "oom-score-adj"), "yes");
    ok(&mut c, "latency-tracking-info-percentiles", "");
    assert_eq!(get1(&c, "latency-tracking-info-percentiles"), "");
    ok(&mut c, "list-max-listpack-size", "-5");
    assert_eq!(c.list_max_listpack_size(), -5);
    ok(&mut c, "cluster-blacklist-ttl", "-1");
    assert_eq!(get1(&c, "cluster-blacklist-ttl"), "-1");
    ok(&mut c, "slot-migration-max-failover-repl-bytes", "-1");
    assert_eq!(get1(&c, "slot-migration-max-failover-repl-bytes"), "-1");
    ok(&mut c, "slot-migration-max-failover-repl-bytes", "1mb");
    assert_eq!(
        get1(&c, "slot-migration-max-failover-repl-bytes"),
        "1048576"
    );
    ok(&mut c, "cluster-config-save-behavior", "best-effort");
    ok(&mut c, "maxmemory", "18446744073709551615");
    assert_eq!(c.maxmemory(), u64::MAX);
    assert_eq!(
        c.set(&[(b"oom-score-adj-values", b"0 200 800")]).unwrap(),
        Vec::<&str>::new()
    );
    assert_eq!(
        c.set(&[(b"bind", b"")]).unwrap(),
        vec!["bind"],
        "bind is always re-applied"
    );
    assert_eq!(
        c.set(&[(b"tls-cert-file", b"")]).unwrap(),
        vec!["tls-cert-file"],
        "volatile"
    );
    // A name and its alias are not duplicates (both are set, in order).
    assert_eq!(
        c.set(&[(b"replica-read-only", b"no"), (b"slave-read-only", b"yes")])
            .unwrap(),
        vec!["replica-read-only"]
    );
    assert!(c.replica_read_only());
    // Multi-argument values are split on single spaces.
    assert_eq!(
        c.set(&[(b"save", b"1  2")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"
    );
}

#[test]
fn protected_configs() {
    let mut c = cfg("enable-protected-configs local");
    assert!(c.set(&[(b"dbfilename", b"x.rdb")]).is_err());
    c.set_with(
        &[(b"dbfilename", b"x.rdb")],
        &SetContext {
            loading: false,
            client_is_local: true,
        },
    )
    .unwrap();
    assert_eq!(c.dbfilename(), "x.rdb");
    let mut c = cfg("enable-protected-configs yes");
    c.set(&[(b"dbfilename", b"y.rdb")]).unwrap();
    assert_eq!(c.dbfilename(), "y.rdb");
    assert_eq!(
        c.set(&[(b"dbfilename", b"../y.rdb")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename"
    );
    assert!(Config::is_sensitive(b"requirepass"));
    assert!(Config::is_sensitive(b"MASTERAUTH"));
    assert!(!Config::is_sensitive(b"port"));
}

#[test]
fn set_and_apply_rolls_back() {
    let mut c = Config::default();
    let mut calls = Vec::new();
    let e = c
        .set_and_apply(
            &[(b"port", b"7000"), (b"timeout", b"5")],
            &SetContext::default(),
            |cfg, changed| {
                calls.push((cfg.port(), changed.to_vec()));
                if cfg.port() == 7000 {
                    Err((
                        "port",
                        "Unable to listen on this port. Check server logs.".into(),
                    ))
                } else {
                    Ok(())
                }
            },
        )
        .unwrap_err();
    assert_eq!(e, "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.");
    assert_eq!((c.port(), c.timeout()), (6379, 0));
    assert_eq!(
        calls,
        vec![
            (7000, vec!["port", "timeout"]),
            (6379, vec!["port", "timeout"])
        ]
    );
    let ok = c
        .set_and_apply(&[(b"port", b"7001")], &SetContext::default(), |_, _| Ok(()))
        .unwrap();
    assert_eq!(ok, vec!["port"]);
    assert_eq!(c.port(), 7001);
}

// ---------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------

mod props {
    use super::*;
    use crate::config::rewrite::RewriteOptions;
    use proptest::prelude::*;

    fn names() -> Vec<String> {
        let mut v: Vec<String> = TABLE.iter().map(|d| d.name.to_string()).collect();
        v.extend(TABLE.iter().filter_map(|d| d.alias.map(String::from)));
        v.extend(
            [
                "rename-command",
                "user",
                "loadmodule",
                "sentinel",
                "mod.cfg",
                "dynamic-hz",
                "bogus",
            ]
            .map(String::from),
        );
        v
    }

    const ARGS: &[&str] = &[
        "yes",
        "no",
        "YES",
        "0",
        "1",
        "7",
        "100",
        "-1",
        "-2",
        "65536",
        "5mb",
        "1gb",
        "3k",
        "10%",
        "\"\"",
        "''",
        "abc",
        "normal",
        "replica",
        "pubsub",
        "0 0 0",
        "\"a b\"",
        "local",
        "everysec",
        "allkeys-lru",
        "KEA",
        "Ex",
        "nosave",
        "now",
        "127.0.0.1",
        "6380",
        "no one",
        "700",
        "99.9",
        "\"\\x00\\n\"",
        "'it\\'s'",
        "\"50 99\"",
        "notice",
    ];

    fn line() -> impl Strategy<Value = String> {
        let names = names();
        (
            prop::sample::select(names),
            prop::collection::vec(prop::sample::select(ARGS), 0..5),
        )
            .prop_map(|(n, a)| {
                if a.is_empty() {
                    n
                } else {
                    format!("{n} {}", a.join(" "))
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

        #[test]
        fn split_args_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse::split_args(&bytes);
        }

        #[test]
        fn repr_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let r = parse::repr(&bytes);
            // NUL ends a C string: split_args stops there, like Valkey.
            prop_assume!(!bytes.contains(&0));
            prop_assert_eq!(parse::split_args(r.as_bytes()), Some(vec![bytes]));
        }

        #[test]
        fn load_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = Config::load_from_bytes(&bytes, &quiet());
        }

        #[test]
        fn load_never_panics_on_directives(lines in prop::collection::vec(line(), 1..5)) {
            let text = lines.join("\n");
            if let Ok(c) = Config::load_from_bytes(text.as_bytes(), &quiet()) {
                // CONFIG GET and rewrite work on whatever loaded, and the
                // rewritten file loads back to the same values.
                let before = c.get(&[b"*"]);
                let out = c.rewrite_content(text.as_bytes(), &RewriteOptions::default());
                let back = Config::load_from_bytes(&out, &quiet())
                    .unwrap_or_else(|e| panic!("rewritten file does not load: {e}\n{}", String::from_utf8_lossy(&out)));
                let after = back.get(&[b"*"]);
                // Known lossy cases: `n` is dropped next to `A` (as in
                // Valkey), and dir is rewritten as the real cwd.
                let skip = ["dir", "notify-keyspace-events"];
                let keep = |v: &Vec<(String, String)>| v.iter().filter(|(k, _)| !skip.contains(&k.as_str())).cloned().collect::<Vec<_>>();
                prop_assert_eq!(keep(&before), keep(&after));
            }
        }

        #[test]
        fn set_never_panics(name in prop::sample::select(names()), value in prop::sample::select(ARGS)) {
            let mut c = Config::default();
            let before = c.get(&[b"*"]);
            match c.set(&[(name.as_bytes(), value.as_bytes())]) {
                Ok(_) => {}
                Err(e) => {
                    prop_assert!(e.starts_with("ERR "));
                    prop_assert_eq!(before, c.get(&[b"*"]), "failed CONFIG SET changed nothing");
                }
            }
        }

        #[test]
        fn glob_never_panics(p in prop::collection::vec(any::<u8>(), 0..24), s in prop::collection::vec(any::<u8>(), 0..24), nocase in any::<bool>()) {
            let _ = crate::util::glob::string_match(&p, &s, nocase);
            // An escaped literal always matches itself.
            let mut esc = Vec::new();
            for &b in &s {
                if matches!(b, b'*' | b'?' | b'[' | b'\\' | b']') {
                    esc.push(b'\\');
                }
                esc.push(b);
            }
            prop_assert!(crate::util::glob::string_match(&esc, &s, nocase));
        }
    }
}
