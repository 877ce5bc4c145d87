//! CLIENT: connection introspection and management (ID, INFO, LIST, KILL,
//! SETNAME, GETNAME, SETINFO, PAUSE, UNPAUSE, REPLY, NO-EVICT, NO-TOUCH,
//! UNBLOCK, HELP).
//!
//! CLIENT LIST and CLIENT KILL share Valkey 9's filter language (ID, TYPE,
//! USER, ADDR, LADDR, SKIPME, MAXAGE, NAME, IDLE, FLAGS, LIB-NAME, LIB-VER,
//! DB, CAPA, IP; all filters must match). Clients live in
//! `srv.clients` except the caller, which is `ctx.client` while its command
//! runs, so every walk over "all clients" merges the two in id order.

use super::eq_ic;
use crate::server::client::{ClientKind, ReplyMode};
use crate::server::pause::PauseKind;
use crate::server::{err, Client, CmdResult, CommandTable, Ctx};
use crate::util::num::parse_i64;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("client|id", client_id);
    t.add("client|info", client_info);
    t.add("client|list", client_list);
    t.add("client|kill", client_kill);
    t.add("client|setname", client_setname);
    t.add("client|getname", client_getname);
    t.add("client|setinfo", client_setinfo);
    t.add("client|pause", client_pause);
    t.add("client|unpause", client_unpause);
    t.add("client|reply", client_reply);
    t.add("client|no-evict", client_no_evict);
    t.add("client|no-touch", client_no_touch);
    t.add("client|unblock", client_unblock);
    t.add("client|help", client_help);
}

const HELP: &[&str] = &[
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "CAPA <option> [options...]",
    "    The client claims its some capability options. Options are:",
    "    * REDIRECT",
    "      The client can handle redirection during primary and replica failover in standalone mode.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address.",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to the specified local address.",
    "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "    * ID <client-id> [<client-id>...]",
    "      Kill connections by client IDs.",
    "    * MAXAGE <maxage>",
    "      Kill connections older than the specified age.",
    "    * FLAGS <flags>",
    "      Kill connections that include the specified flags.",
    "    * NAME <client-name>",
    "      Kill connections with the specified name.",
    "    * IDLE <idle>",
    "      Kill connections with idle time greater than or equal to <idle> seconds.",
    "    * LIB-NAME <library-name>",
    "      Kill connections with the specified library name.",
    "    * LIB-VER <library-version>",
    "      Kill connections with the specified library version.",
    "    * DB <db-id>",
    "      Kill connections currently operating on the specified database ID.",
    "    * CAPA <capa>",
    "      Kill connections currently with the specified capa.",
    "    * IP <ip>",
    "      Kill connections made from the specified ip.",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|PRIMARY|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "    * USER <username>",
    "      Return clients authenticated by <username>.",
    "    * ADDR <ip:port>",
    "      Return clients connected from the specified address.",
    "    * LADDR <ip:port>",
    "      Return clients connected to the specified local address.",
    "    * ID <client-id> [<client-id>...]",
    "      Return clients with the specified IDs.",
    "    * SKIPME (YES|NO)",
    "      Exclude the current client from the list (default: no).",
    "    * MAXAGE <maxage>",
    "      List connections older than the specified age.",
    "    * FLAGS <flags>",
    "      Return clients with the specified flags.",
    "    * NAME <client-name>",
    "      Return clients with the specified name.",
    "    * IDLE <idle>",
    "      Return clients with idle time greater than or equal to <idle> seconds.",
    "    * LIB-NAME <lib-name>",
    "      Return clients with the specified lib name.",
    "    * LIB-VER <lib-version>",
    "      Return clients with the specified lib version.",
    "    * DB <db-id>",
    "      Return clients currently operating on the specified database ID.",
    "    * CAPA <capa>",
    "      Return connections currently with the specified capa.",
    "    * IP <ip>",
    "      Return connections made from the specified ip.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "SETINFO <option> <value>",
    "    Set client meta attr. Options are:",
    "    * LIB-NAME: the client lib name.",
    "    * LIB-VER: the client lib version.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "NO-TOUCH (ON|OFF)",
    "    Will not touch LRU/LFU stats when this mode is on.",
    "IMPORT-SOURCE (ON|OFF)",
    "    Mark this connection as an import source if import-mode is enabled.",
    "    Sync tools can set their connections into 'import-source' state to visit",
    "    expired keys.",
];

/// Write Valkey's standard `<CMD> HELP` reply: a header line, the entries,
/// and the HELP entry, all as simple strings.
pub fn reply_help(ctx: &mut Ctx, command: &str, lines: &[&str]) {
    let r = ctx.reply();
    r.array(lines.len() + 3);
    r.simple(&format!(
        "{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ));
    for l in lines {
        r.simple(l);
    }
    r.simple("HELP");
    r.simple("    Print this help.");
}

fn client_help(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    reply_help(ctx, "CLIENT", HELP);
    Ok(())
}

fn client_id(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let id = ctx.client.id as i64;
    ctx.reply().int(id);
    Ok(())
}

/// What a CLIENT LIST line needs beyond the client itself.
struct LineCtx<'a> {
    now_ms: i64,
    /// Full name of the running command, shown as `cmd=` for the caller.
    current_cmd: &'a str,
    caller_id: u64,
}

/// Append one CLIENT LIST / CLIENT INFO line (without the trailing LF),
/// with exactly Valkey 9's fields in Valkey's order.
fn cat_client_info(out: &mut String, c: &Client, lc: &LineCtx) {
    use std::fmt::Write;
    let is_caller = c.id == lc.caller_id;
    let now_s = lc.now_ms / 1000;
    let age = now_s - c.created_ms / 1000;
    let idle = now_s - c.last_interaction_ms / 1000;
    let cmd = if is_caller {
        lc.current_cmd
    } else {
        c.last_cmd.as_str()
    };
    // The running command is counted once it completes, as in Valkey.
    let tot_cmds = if is_caller {
        c.commands_processed.saturating_sub(1)
    } else {
        c.commands_processed
    };
    let pending = c.reply.buf.len();
    let events = if pending > 0 && !is_caller { "rw" } else { "r" };
    let rbs = c.reply.buf.capacity().max(1024);
    let tot_mem = c.memory();
    let _ = write!(
        out,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} capa= db={} \
         sub={} psub={} ssub=0 multi=-1 watch=0 qbuf={} qbuf-free={} argv-mem={} \
         multi-mem=0 rbs={} rbp={} obl={} oll=0 omem=0 tot-mem={} events={} cmd={} \
         user={} redir={} resp={} lib-name={} lib-ver={} tot-net-in={} tot-net-out={} \
         tot-cmds={}",
        c.id,
        c.addr,
        c.laddr,
        c.fd,
        lossy(c.name.as_deref()),
        age,
        idle,
        c.flags_string(),
        c.db,
        c.pubsub_channels,
        c.pubsub_patterns,
        c.qbuf,
        c.qbuf_free,
        c.argv_mem,
        rbs,
        pending.max(rbs),
        pending,
        tot_mem,
        events,
        cmd,
        c.user,
        c.tracking.as_deref().map_or(-1, |t| t.redirect as i64),
        c.resp(),
        lossy(c.lib_name.as_deref()),
        lossy(c.lib_ver.as_deref()),
        c.net_in,
        c.net_out,
        tot_cmds,
    );
}

fn lossy(b: Option<&[u8]>) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(b.unwrap_or(b""))
}

fn client_info(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let mut out = String::new();
    let current = ctx.srv.commands.fullname(ctx.cmd.id).to_string();
    let lc = LineCtx {
        now_ms: ctx.srv.now_ms,
        current_cmd: &current,
        caller_id: ctx.client.id,
    };
    cat_client_info(&mut out, ctx.client, &lc);
    out.push('\n');
    ctx.reply().verbatim(out.as_bytes(), "txt");
    Ok(())
}

/// The client type used by TYPE filters (Valkey's getClientType).
fn client_type_by_name(name: &[u8]) -> Option<ClientKind> {
    if eq_ic(name, "normal") {
        Some(ClientKind::Normal)
    } else if eq_ic(name, "slave") || eq_ic(name, "replica") {
        Some(ClientKind::Replica)
    } else if eq_ic(name, "pubsub") {
        Some(ClientKind::PubSub)
    } else if eq_ic(name, "master") || eq_ic(name, "primary") {
        Some(ClientKind::Primary)
    } else {
        None
    }
}

fn client_type(c: &Client) -> ClientKind {
    match c.kind {
        ClientKind::Normal if c.pubsub_channels + c.pubsub_patterns > 0 => ClientKind::PubSub,
        k => k,
    }
}

/// A parsed CLIENT LIST / CLIENT KILL filter; every set field must match.
#[derive(Default)]
struct Filter {
    ids: Option<Vec<u64>>,
    kind: Option<ClientKind>,
    user: Option<String>,
    addr: Option<Bytes>,
    laddr: Option<Bytes>,
    skipme: bool,
    max_age: i64,
    idle: i64,
    flags: Option<Bytes>,
    name: Option<Bytes>,
    lib_name: Option<Bytes>,
    lib_ver: Option<Bytes>,
    db: Option<usize>,
    capa: Option<Bytes>,
    ip: Option<Bytes>,
}

const VALID_FLAGS: &[u8] = b"OSMPxbtRBdcuAUreTIN";

/// Parse filters from `argv[i..]` exactly as Valkey's
/// parseClientFiltersOrReply (same errors, same tolerance: `ID` takes
/// every following integer).
fn parse_filters(ctx: &Ctx, argv: &[Bytes], mut i: usize, f: &mut Filter) -> CmdResult {
    while i < argv.len() {
        let opt = &argv[i];
        let more = i + 1 < argv.len();
        let val = argv.get(i + 1);
        if eq_ic(opt, "id") {
            let ids = f.ids.get_or_insert_with(Vec::new);
            i += 1;
            while let Some(id) = argv.get(i).and_then(|a| parse_i64(a)) {
                if id < 1 {
                    return Err("ERR client-id should be greater than 0".into());
                }
                ids.push(id as u64);
                i += 1;
            }
            continue;
        }
        let Some(val) = val.filter(|_| more) else {
            return Err(err::SYNTAX.into());
        };
        if eq_ic(opt, "maxage") {
            let v = parse_i64(val).ok_or("ERR maxage is not an integer or out of range")?;
            if v <= 0 {
                return Err("ERR maxage should be greater than 0".into());
            }
            f.max_age = v;
        } else if eq_ic(opt, "type") {
            f.kind = Some(client_type_by_name(val).ok_or_else(|| {
                format!("ERR Unknown client type '{}'", String::from_utf8_lossy(val))
            })?);
        } else if eq_ic(opt, "addr") {
            f.addr = Some(val.clone());
        } else if eq_ic(opt, "laddr") {
            f.laddr = Some(val.clone());
        } else if eq_ic(opt, "user") {
            // Until the ACL module lands the only user is `default`.
            if &val[..] != b"default" {
                return Err(format!("ERR No such user '{}'", String::from_utf8_lossy(val)).into());
            }
            f.user = Some("default".into());
        } else if eq_ic(opt, "skipme") {
            if eq_ic(val, "yes") {
                f.skipme = true;
            } else if eq_ic(val, "no") {
                f.skipme = false;
            } else {
                return Err(err::SYNTAX.into());
            }
        } else if eq_ic(opt, "idle") {
            let v = parse_i64(val).ok_or("ERR idle is not an integer or out of range")?;
            if v <= 0 {
                return Err("ERR idle should be greater than 0".into());
            }
            f.idle = v;
        } else if eq_ic(opt, "flags") {
            if val.iter().any(|b| !VALID_FLAGS.contains(b)) {
                return Err(format!(
                    "ERR Unknown flags found in the provided filter: {}",
                    String::from_utf8_lossy(val)
                )
                .into());
            }
            f.flags = Some(val.clone());
        } else if eq_ic(opt, "name") {
            f.name = Some(val.clone());
        } else if eq_ic(opt, "lib-name") {
            f.lib_name = Some(val.clone());
        } else if eq_ic(opt, "lib-ver") {
            f.lib_ver = Some(val.clone());
        } else if eq_ic(opt, "db") {
            let v = parse_i64(val)
                .filter(|v| i32::try_from(*v).is_ok())
                .ok_or("ERR DB is not an integer or out of range")?;
            let n = ctx.srv.dbs.len();
            if v < 0 || v as usize >= n {
                return Err(
                    format!("ERR DB number should be between 0 and {}", n as i64 - 1).into(),
                );
            }
            f.db = Some(v as usize);
        } else if eq_ic(opt, "capa") {
            if val.iter().any(|&b| b != b'r') {
                return Err(format!(
                    "ERR Unknown capa found in the provided filter: {}",
                    String::from_utf8_lossy(val)
                )
                .into());
            }
            f.capa = Some(val.clone());
        } else if eq_ic(opt, "ip") {
            f.ip = Some(val.clone());
        } else {
            return Err(err::SYNTAX.into());
        }
        i += 2;
    }
    Ok(())
}

/// Does the client satisfy a FLAGS filter? Each listed flag must be set,
/// except `N`, which (as in Valkey) makes a flag-less client match at once
/// and is otherwise ignored.
fn flags_match(c: &Client, filter: &[u8]) -> bool {
    let have = c.flags_string();
    let no_flags = have == "N";
    for &f in filter {
        if f == b'N' {
            if no_flags {
                return true;
            }
        } else if !have.as_bytes().contains(&f) {
            return false;
        }
    }
    true
}

/// Valkey's IP filter: the peer address is `ip:port` (or `[ip]:port`)
/// with a non-zero port.
fn ip_match(addr: &str, ip: &[u8]) -> bool {
    let mut rest = addr.as_bytes();
    if rest.first() == Some(&b'[') {
        rest = &rest[1..];
    }
    let Some(after) = rest.strip_prefix(ip) else {
        return false;
    };
    let after = after.strip_prefix(b"]").unwrap_or(after);
    match after.strip_prefix(b":") {
        Some(port) => port.first().is_some_and(|&d| d != b'0'),
        None => false,
    }
}

fn matches(c: &Client, f: &Filter, caller_id: u64, now_ms: i64) -> bool {
    let now_s = now_ms / 1000;
    if f.addr.as_ref().is_some_and(|a| c.addr.as_bytes() != &a[..]) {
        return false;
    }
    if f.laddr
        .as_ref()
        .is_some_and(|a| c.laddr.as_bytes() != &a[..])
    {
        return false;
    }
    if f.kind.is_some_and(|k| client_type(c) != k) {
        return false;
    }
    if f.ids.as_ref().is_some_and(|ids| !ids.contains(&c.id)) {
        return false;
    }
    if f.user.as_ref().is_some_and(|u| &c.user != u) {
        return false;
    }
    if f.skipme && c.id == caller_id {
        return false;
    }
    if f.max_age != 0 && now_s - c.created_ms / 1000 < f.max_age {
        return false;
    }
    if f.idle != 0 && now_s - c.last_interaction_ms / 1000 < f.idle {
        return false;
    }
    if f.flags.as_ref().is_some_and(|fl| !flags_match(c, fl)) {
        return false;
    }
    if f.name.as_ref().is_some_and(|n| c.name.as_ref() != Some(n)) {
        return false;
    }
    if f.lib_name
        .as_ref()
        .is_some_and(|n| c.lib_name.as_ref() != Some(n))
    {
        return false;
    }
    if f.lib_ver
        .as_ref()
        .is_some_and(|n| c.lib_ver.as_ref() != Some(n))
    {
        return false;
    }
    if f.db.is_some_and(|d| c.db != d) {
        return false;
    }
    // No client can claim a capability yet (CLIENT CAPA is not
    // implemented), so only an empty CAPA filter matches.
    if f.capa.as_ref().is_some_and(|cp| !cp.is_empty()) {
        return false;
    }
    if f.ip.as_ref().is_some_and(|ip| !ip_match(&c.addr, ip)) {
        return false;
    }
    true
}

/// Every connected client, the caller included, in id order.
fn all_clients<'a>(ctx: &'a Ctx) -> Vec<&'a Client> {
    let mut v: Vec<&Client> = ctx.srv.other_clients().collect();
    v.push(&*ctx.client);
    v.sort_by_key(|c| c.id);
    v
}

fn client_list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut f = Filter::default();
    if argv.len() > 3 {
        parse_filters(ctx, argv, 2, &mut f)?;
    } else if argv.len() != 2 {
        return Err(err::SYNTAX.into());
    }
    let current = ctx.srv.commands.fullname(ctx.cmd.id).to_string();
    let lc = LineCtx {
        now_ms: ctx.srv.now_ms,
        current_cmd: &current,
        caller_id: ctx.client.id,
    };
    let mut out = String::new();
    for c in all_clients(ctx) {
        if matches(c, &f, lc.caller_id, lc.now_ms) {
            cat_client_info(&mut out, c, &lc);
            out.push('\n');
        }
    }
    ctx.reply().verbatim(out.as_bytes(), "txt");
    Ok(())
}

fn client_kill(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut f = Filter {
        skipme: true,
        ..Default::default()
    };
    let old_form = argv.len() == 3;
    if old_form {
        f.addr = Some(argv[2].clone());
        f.skipme = false;
    } else {
        parse_filters(ctx, argv, 2, &mut f)?;
    }
    let caller = ctx.client.id;
    let now = ctx.srv.now_ms;
    let mut killed = 0i64;
    let mut kill_self = false;
    let victims: Vec<usize> = ctx
        .srv
        .other_clients()
        .filter(|c| matches(c, &f, caller, now))
        .map(|c| c.slot)
        .collect();
    if matches(ctx.client, &f, caller, now) {
        kill_self = true;
        killed += 1;
    }
    for slot in victims {
        if let Some(Some(c)) = ctx.srv.clients.get_mut(slot) {
            if !c.close_asap {
                c.close_asap = true;
                ctx.srv.close_queue.push(slot);
            }
            killed += 1;
        }
    }
    if old_form {
        if killed == 0 {
            return Err("ERR No such client".into());
        }
        ctx.reply().ok();
    } else {
        ctx.reply().int(killed);
    }
    // Flag ourselves only after the reply is queued, so it is delivered.
    if kill_self {
        ctx.client.close_after_reply = true;
    }
    Ok(())
}

fn client_setname(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let name = &argv[2];
    super::connection::super_validate_name(name)?;
    ctx.client.name = if name.is_empty() {
        None
    } else {
        Some(name.clone())
    };
    ctx.reply().ok();
    Ok(())
}

fn client_getname(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    match ctx.client.name.clone() {
        Some(n) => ctx.reply().bulk(&n),
        None => ctx.reply().null(),
    }
    Ok(())
}

fn client_setinfo(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let attr = &argv[2];
    let val = &argv[3];
    let is_name = eq_ic(attr, "lib-name");
    if !is_name && !eq_ic(attr, "lib-ver") {
        return Err(format!(
            "ERR Unrecognized option '{}'",
            String::from_utf8_lossy(attr)
        )
        .into());
    }
    if val.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(format!(
            "ERR {} cannot contain spaces, newlines or special characters.",
            String::from_utf8_lossy(attr)
        )
        .into());
    }
    let v = if val.is_empty() {
        None
    } else {
        Some(val.clone())
    };
    if is_name {
        ctx.client.lib_name = v;
    } else {
        ctx.client.lib_ver = v;
    }
    ctx.reply().ok();
    Ok(())
}

/// Valkey's getTimeoutFromObjectOrReply for millisecond timeouts: returns
/// the absolute end time (0 stays 0).
fn parse_timeout_ms(arg: &[u8], now_ms: i64) -> Result<i64, &'static str> {
    let t = parse_i64(arg).ok_or("ERR timeout is not an integer or out of range")?;
    if t < 0 {
        return Err("ERR timeout is negative");
    }
    if t == 0 {
        return Ok(0);
    }
    t.checked_add(now_ms).ok_or("ERR timeout is out of range")
}

fn client_pause(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut kind = PauseKind::All;
    if argv.len() == 4 {
        if eq_ic(&argv[3], "write") {
            kind = PauseKind::Write;
        } else if !eq_ic(&argv[3], "all") {
            return Err("ERR CLIENT PAUSE mode must be WRITE or ALL".into());
        }
    } else if argv.len() > 4 {
        return Err(err::SYNTAX.into());
    }
    let end = parse_timeout_ms(&argv[2], ctx.srv.now_ms)?;
    ctx.srv.pause_clients(end, kind);
    ctx.reply().ok();
    Ok(())
}

fn client_unpause(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.srv.unpause_clients();
    ctx.reply().ok();
    Ok(())
}

fn client_reply(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mode = &argv[2];
    if eq_ic(mode, "on") {
        ctx.client.reply_mode = ReplyMode::On;
        ctx.reply().ok();
    } else if eq_ic(mode, "off") {
        ctx.client.reply_mode = ReplyMode::Off;
    } else if eq_ic(mode, "skip") {
        if ctx.client.reply_mode != ReplyMode::Off {
            ctx.client.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(err::SYNTAX.into());
    }
    Ok(())
}

fn on_off(arg: &[u8]) -> Result<bool, &'static str> {
    if eq_ic(arg, "on") {
        Ok(true)
    } else if eq_ic(arg, "off") {
        Ok(false)
    } else {
        Err(err::SYNTAX)
    }
}

fn client_no_evict(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.client.no_evict = on_off(&argv[2])?;
    ctx.reply().ok();
    Ok(())
}

fn client_no_touch(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.client.no_touch = on_off(&argv[2])?;
    ctx.reply().ok();
    Ok(())
}

fn client_unblock(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() == 4 && !eq_ic(&argv[3], "timeout") && !eq_ic(&argv[3], "error") {
        return Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR".into());
    }
    if argv.len() > 4 {
        return Err(err::SYNTAX.into());
    }
    parse_i64(&argv[2]).ok_or(err::NOT_INT)?;
    // No command blocks yet, so there is never a client to unblock.
    ctx.reply().int(0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_filter_follows_valkey() {
        assert!(ip_match("127.0.0.1:5555", b"127.0.0.1"));
        assert!(!ip_match("127.0.0.1:5555", b"127.0.0."));
        assert!(!ip_match("/tmp/s.sock:0", b"/tmp/s.sock"));
        assert!(ip_match("[::1]:6000", b"::1"));
    }

    #[test]
    fn flags_filter() {
        let mut c = Client::new(1, 0, 0);
        assert!(flags_match(&c, b"N"));
        c.no_evict = true;
        assert!(flags_match(&c, b"e"));
        // Valkey quirk: N never rejects, it only short-cuts flag-less clients.
        assert!(flags_match(&c, b"N"));
        assert!(!flags_match(&Client::new(2, 0, 0), b"e"));
        assert!(!flags_match(&c, b"eT"));
        c.no_touch = true;
        assert!(flags_match(&c, b"eT"));
    }

    #[test]
    fn timeout_parsing() {
        assert_eq!(parse_timeout_ms(b"100", 1000), Ok(1100));
        assert_eq!(parse_timeout_ms(b"0", 1000), Ok(0));
        assert_eq!(
            parse_timeout_ms(b"-1", 1000),
            Err("ERR timeout is negative")
        );
        assert_eq!(
            parse_timeout_ms(b"x", 1000),
            Err("ERR timeout is not an integer or out of range")
        );
        assert_eq!(
            parse_timeout_ms(b"9223372036854775807", 1000),
            Err("ERR timeout is out of range")
        );
    }
}
