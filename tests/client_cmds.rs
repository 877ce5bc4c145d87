//! CLIENT subcommands against the real binary: exact replies and errors.

mod admin_util;
mod common;
use admin_util::*;
use common::*;

const FIELDS: &[&str] = &[
    "id",
    "addr",
    "laddr",
    "fd",
    "name",
    "age",
    "idle",
    "flags",
    "capa",
    "db",
    "sub",
    "psub",
    "ssub",
    "multi",
    "watch",
    "qbuf",
    "qbuf-free",
    "argv-mem",
    "multi-mem",
    "rbs",
    "rbp",
    "obl",
    "oll",
    "omem",
    "tot-mem",
    "events",
    "cmd",
    "user",
    "redir",
    "resp",
    "lib-name",
    "lib-ver",
    "tot-net-in",
    "tot-net-out",
    "tot-cmds",
];

fn field<'a>(line: &'a str, name: &str) -> &'a str {
    line.split(' ')
        .find_map(|kv| kv.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {name} in {line}"))
}

#[test]
fn client_info_has_valkey_fields_in_order() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let id = c.cmd(&["CLIENT", "ID"]);
    let id = id.trim_start_matches(':').trim_end().to_string();
    let info = body(&c.cmd(&["CLIENT", "INFO"]));
    assert!(info.ends_with('\n'));
    let line = info.trim_end();
    let keys: Vec<&str> = line
        .split(' ')
        .map(|kv| kv.split('=').next().unwrap())
        .collect();
    assert_eq!(keys, FIELDS);
    assert_eq!(field(line, "id"), id);
    assert_eq!(field(line, "cmd"), "client|info");
    assert_eq!(field(line, "flags"), "N");
    assert_eq!(field(line, "user"), "default");
    assert_eq!(field(line, "resp"), "2");
    assert_eq!(field(line, "multi"), "-1");
    assert_eq!(field(line, "tot-cmds"), "1");
    assert_eq!(field(line, "laddr"), format!("127.0.0.1:{}", srv.port));
    assert!(field(line, "addr").starts_with("127.0.0.1:"));
    // RESP3: verbatim string.
    c.cmd(&["HELLO", "3"]);
    let r = c.cmd(&["CLIENT", "INFO"]);
    assert!(r.starts_with('=') && r.contains("\r\ntxt:id="), "{r}");
    assert!(r.contains(" resp=3 "));
}

#[test]
fn client_ids_increase() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let mut b = Raw::connect(srv.port);
    let ia: i64 = a.cmd(&["CLIENT", "ID"])[1..].trim().parse().unwrap();
    let ib: i64 = b.cmd(&["CLIENT", "ID"])[1..].trim().parse().unwrap();
    assert!(ib > ia);
}

#[test]
fn setname_getname() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), "$-1\r\n");
    assert_eq!(c.cmd(&["CLIENT", "SETNAME", "worker-1"]), "+OK\r\n");
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), "$8\r\nworker-1\r\n");
    assert_eq!(
        c.cmd(&["CLIENT", "SETNAME", "a b"]),
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    );
    assert!(body(&c.cmd(&["CLIENT", "INFO"])).contains(" name=worker-1 "));
    assert_eq!(c.cmd(&["CLIENT", "SETNAME", ""]), "+OK\r\n");
    assert_eq!(c.cmd(&["CLIENT", "GETNAME"]), "$-1\r\n");
    assert_eq!(
        c.cmd(&["CLIENT", "SETNAME"]),
        "-ERR wrong number of arguments for 'client|setname' command\r\n"
    );
}

#[test]
fn setinfo() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(
        c.cmd(&["CLIENT", "SETINFO", "LIB-NAME", "redis-py"]),
        "+OK\r\n"
    );
    assert_eq!(c.cmd(&["CLIENT", "SETINFO", "lib-ver", "5.0"]), "+OK\r\n");
    let info = body(&c.cmd(&["CLIENT", "INFO"]));
    assert!(info.contains(" lib-name=redis-py lib-ver=5.0 "), "{info}");
    assert_eq!(
        c.cmd(&["CLIENT", "SETINFO", "foo", "x"]),
        "-ERR Unrecognized option 'foo'\r\n"
    );
    assert_eq!(
        c.cmd(&["CLIENT", "SETINFO", "lib-name", "a b"]),
        "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n"
    );
}

#[test]
fn list_and_filters() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let mut b = Raw::connect(srv.port);
    b.cmd(&["CLIENT", "SETNAME", "bee"]);
    b.cmd(&["SELECT", "3"]);
    b.cmd(&["CLIENT", "SETINFO", "LIB-NAME", "libb"]);
    let bid = b.cmd(&["CLIENT", "ID"])[1..].trim().to_string();
    let all = body(&a.cmd(&["CLIENT", "LIST"]));
    assert_eq!(all.lines().count(), 2);
    // Id order: a first.
    assert!(all.lines().nth(1).unwrap().contains(" name=bee "));
    let one = |c: &mut Raw, args: &[&str]| {
        let mut full = vec!["CLIENT", "LIST"];
        full.extend_from_slice(args);
        body(&c.cmd(&full))
    };
    let by_id = one(&mut a, &["ID", &bid]);
    assert_eq!(by_id.lines().count(), 1);
    assert_eq!(field(by_id.trim_end(), "id"), bid);
    assert_eq!(one(&mut a, &["ID", &bid, "999"]).lines().count(), 1);
    assert_eq!(one(&mut a, &["NAME", "bee"]).lines().count(), 1);
    assert_eq!(one(&mut a, &["NAME", "nobody"]), "");
    assert_eq!(one(&mut a, &["DB", "3"]).lines().count(), 1);
    assert_eq!(one(&mut a, &["LIB-NAME", "libb"]).lines().count(), 1);
    assert_eq!(one(&mut a, &["TYPE", "normal"]).lines().count(), 2);
    assert_eq!(one(&mut a, &["TYPE", "pubsub"]), "");
    assert_eq!(one(&mut a, &["SKIPME", "yes"]).lines().count(), 1);
    assert_eq!(one(&mut a, &["USER", "default"]).lines().count(), 2);
    assert_eq!(one(&mut a, &["IP", "127.0.0.1"]).lines().count(), 2);
    assert_eq!(one(&mut a, &["IP", "127.0.0"]), "");
    assert_eq!(one(&mut a, &["FLAGS", "N"]).lines().count(), 2);
    assert_eq!(one(&mut a, &["FLAGS", "e"]), "");
    let laddr = format!("127.0.0.1:{}", srv.port);
    assert_eq!(one(&mut a, &["LADDR", &laddr]).lines().count(), 2);
    assert_eq!(one(&mut a, &["MAXAGE", "100"]), "");

    let e = |c: &mut Raw, args: &[&str]| {
        let mut full = vec!["CLIENT", "LIST"];
        full.extend_from_slice(args);
        c.cmd(&full)
    };
    assert_eq!(
        e(&mut a, &["TYPE", "foo"]),
        "-ERR Unknown client type 'foo'\r\n"
    );
    assert_eq!(e(&mut a, &["TYPE"]), "-ERR syntax error\r\n");
    assert_eq!(e(&mut a, &["ID", "x"]), "-ERR syntax error\r\n");
    assert_eq!(
        e(&mut a, &["ID", "0"]),
        "-ERR client-id should be greater than 0\r\n"
    );
    assert_eq!(e(&mut a, &["USER", "bob"]), "-ERR No such user 'bob'\r\n");
    assert_eq!(
        e(&mut a, &["MAXAGE", "x"]),
        "-ERR maxage is not an integer or out of range\r\n"
    );
    assert_eq!(
        e(&mut a, &["MAXAGE", "0"]),
        "-ERR maxage should be greater than 0\r\n"
    );
    assert_eq!(
        e(&mut a, &["IDLE", "-1"]),
        "-ERR idle should be greater than 0\r\n"
    );
    assert_eq!(
        e(&mut a, &["IDLE", "z"]),
        "-ERR idle is not an integer or out of range\r\n"
    );
    assert_eq!(
        e(&mut a, &["FLAGS", "NZ"]),
        "-ERR Unknown flags found in the provided filter: NZ\r\n"
    );
    assert_eq!(
        e(&mut a, &["CAPA", "x"]),
        "-ERR Unknown capa found in the provided filter: x\r\n"
    );
    assert_eq!(
        e(&mut a, &["DB", "16"]),
        "-ERR DB number should be between 0 and 15\r\n"
    );
    assert_eq!(
        e(&mut a, &["DB", "x"]),
        "-ERR DB is not an integer or out of range\r\n"
    );
    assert_eq!(e(&mut a, &["SKIPME", "maybe"]), "-ERR syntax error\r\n");
    assert_eq!(e(&mut a, &["BOGUS", "1"]), "-ERR syntax error\r\n");
}

#[test]
fn kill_by_filter_old_form_and_self() {
    let srv = TestServer::start();
    let mut a = Raw::connect(srv.port);
    let mut b = Raw::connect(srv.port);
    let mut c = Raw::connect(srv.port);
    let bid = b.cmd(&["CLIENT", "ID"])[1..].trim().to_string();
    let caddr = field(body(&c.cmd(&["CLIENT", "INFO"])).trim_end(), "addr").to_string();

    assert_eq!(a.cmd(&["CLIENT", "KILL", "ID", &bid]), ":1\r\n");
    assert!(b.closed());
    assert_eq!(a.cmd(&["CLIENT", "KILL", "ID", &bid]), ":0\r\n");
    // Old form: OK, or an error when nothing matched.
    assert_eq!(a.cmd(&["CLIENT", "KILL", &caddr]), "+OK\r\n");
    assert!(c.closed());
    assert_eq!(
        a.cmd(&["CLIENT", "KILL", "1.2.3.4:5"]),
        "-ERR No such client\r\n"
    );
    // SKIPME defaults to yes: a USER filter spares the caller...
    assert_eq!(a.cmd(&["CLIENT", "KILL", "USER", "default"]), ":0\r\n");
    assert_eq!(a.cmd(&["PING"]), "+PONG\r\n");
    // ...and SKIPME no kills it after delivering the reply.
    assert_eq!(
        a.cmd(&["CLIENT", "KILL", "USER", "default", "SKIPME", "no"]),
        ":1\r\n"
    );
    assert!(a.closed());
    let mut d = Raw::connect(srv.port);
    assert_eq!(
        d.cmd(&["CLIENT", "KILL", "MAXAGE", "-5"]),
        "-ERR maxage should be greater than 0\r\n"
    );
    // Three arguments always mean the old ip:port form.
    assert_eq!(d.cmd(&["CLIENT", "KILL", "ID"]), "-ERR No such client\r\n");
    assert_eq!(
        d.cmd(&["CLIENT", "KILL", "ID", "1", "TYPE"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(d.cmd(&["CLIENT", "KILL", "LADDR", "x"]), ":0\r\n");
}

#[test]
fn reply_modes() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    c.send(&["CLIENT", "REPLY", "OFF"]);
    c.send(&["PING"]);
    assert!(c.silent_for(200));
    assert_eq!(c.cmd(&["CLIENT", "REPLY", "ON"]), "+OK\r\n");
    c.send(&["CLIENT", "REPLY", "SKIP"]);
    c.send(&["ECHO", "skipped"]);
    assert_eq!(c.cmd(&["ECHO", "seen"]), "$4\r\nseen\r\n");
    assert_eq!(
        c.cmd(&["CLIENT", "REPLY", "MAYBE"]),
        "-ERR syntax error\r\n"
    );
}

#[test]
fn no_evict_no_touch_flags() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.cmd(&["CLIENT", "NO-EVICT", "on"]), "+OK\r\n");
    assert_eq!(c.cmd(&["CLIENT", "NO-TOUCH", "ON"]), "+OK\r\n");
    let info = body(&c.cmd(&["CLIENT", "INFO"]));
    assert_eq!(field(info.trim_end(), "flags"), "eT");
    let listed = body(&c.cmd(&["CLIENT", "LIST", "FLAGS", "eT"]));
    assert_eq!(listed.lines().count(), 1);
    assert_eq!(c.cmd(&["CLIENT", "NO-EVICT", "off"]), "+OK\r\n");
    assert_eq!(c.cmd(&["CLIENT", "NO-TOUCH", "off"]), "+OK\r\n");
    assert_eq!(c.cmd(&["CLIENT", "NO-EVICT", "x"]), "-ERR syntax error\r\n");
    assert_eq!(c.cmd(&["CLIENT", "NO-TOUCH", "x"]), "-ERR syntax error\r\n");
}

#[test]
fn pause_unpause_unblock() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    assert_eq!(c.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]), "+OK\r\n");
    let info = body(&c.cmd(&["INFO", "clients"]));
    assert!(
        info.contains("\r\npaused_reason:client_pause\r\npaused_actions:write\r\npaused_timeout_milliseconds:"),
        "{info}"
    );
    // (A later PAUSE ... ALL would hold this very client's next command, as
    // in Valkey; the never-weaken rule is covered by pause.rs unit tests.)
    assert_eq!(c.cmd(&["CLIENT", "UNPAUSE"]), "+OK\r\n");
    let info = body(&c.cmd(&["INFO", "clients"]));
    assert!(info.ends_with(
        "paused_reason:none\r\npaused_actions:none\r\npaused_timeout_milliseconds:0\r\n"
    ));
    assert_eq!(
        c.cmd(&["CLIENT", "PAUSE", "100", "SOME"]),
        "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"
    );
    assert_eq!(
        c.cmd(&["CLIENT", "PAUSE", "-1"]),
        "-ERR timeout is negative\r\n"
    );
    assert_eq!(
        c.cmd(&["CLIENT", "PAUSE", "abc"]),
        "-ERR timeout is not an integer or out of range\r\n"
    );
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", "1"]), ":0\r\n");
    assert_eq!(c.cmd(&["CLIENT", "UNBLOCK", "1", "ERROR"]), ":0\r\n");
    assert_eq!(
        c.cmd(&["CLIENT", "UNBLOCK", "1", "NOW"]),
        "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"
    );
    assert_eq!(
        c.cmd(&["CLIENT", "UNBLOCK", "x"]),
        "-ERR value is not an integer or out of range\r\n"
    );
}

#[test]
fn help_and_unknown_subcommand() {
    let srv = TestServer::start();
    let mut c = Raw::connect(srv.port);
    let help = c.cmd(&["CLIENT", "HELP"]);
    assert!(help.starts_with(
        "*110\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n"
    ), "{help}");
    assert!(help.ends_with("+HELP\r\n+    Print this help.\r\n"));
    assert_eq!(
        c.cmd(&["CLIENT", "FOO"]),
        "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n"
    );
    assert_eq!(
        c.cmd(&["CLIENT", "ID", "x"]),
        "-ERR wrong number of arguments for 'client|id' command\r\n"
    );
}
