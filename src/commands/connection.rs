//! Connection commands: PING, ECHO, SELECT, QUIT, AUTH, HELLO, RESET.

use super::eq_ic;
use crate::server::{err, CmdResult, CommandTable, Ctx};
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("ping", ping);
    t.add("echo", echo);
    t.add("select", select);
    t.add("quit", quit);
    t.add("auth", auth);
    t.add("hello", hello);
    t.add("reset", reset);
}

fn ping(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 2 {
        return Err("ERR wrong number of arguments for 'ping' command".into());
    }
    let subscribed = ctx.client.kind == crate::server::client::ClientKind::PubSub;
    if subscribed && !ctx.client.reply.resp3 {
        let r = ctx.reply();
        r.array(2);
        r.bulk(b"pong");
        r.bulk(argv.get(1).map(|b| &b[..]).unwrap_or(b""));
    } else if let Some(msg) = argv.get(1) {
        ctx.reply().bulk(msg);
    } else {
        ctx.reply().simple("PONG");
    }
    Ok(())
}

fn echo(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    ctx.reply().bulk(&argv[1]);
    Ok(())
}

fn select(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let idx = crate::util::num::parse_i64(&argv[1]).ok_or(err::NOT_INT)?;
    if idx < 0 || idx as usize >= ctx.srv.dbs.len() {
        return Err(err::DB_INDEX.into());
    }
    ctx.client.db = idx as usize;
    ctx.reply().ok();
    Ok(())
}

fn quit(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.client.close_after_reply = true;
    ctx.reply().ok();
    Ok(())
}

/// Check a username/password pair against the configured credentials.
/// Full ACL users come with the ACL module; until then the only user is
/// `default`, protected by `requirepass`.
fn check_credentials(ctx: &Ctx, user: &[u8], pass: &[u8]) -> bool {
    if user != b"default" {
        return false;
    }
    match ctx.srv.config.requirepass() {
        Some(p) => p == pass,
        None => true,
    }
}

fn auth(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let (user, pass): (&[u8], &[u8]) = match argv.len() {
        2 => {
            if ctx.srv.config.requirepass().is_none() {
                return Err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?".into());
            }
            (b"default", &argv[1])
        }
        3 => (&argv[1], &argv[2]),
        _ => return Err(err::SYNTAX.into()),
    };
    if check_credentials(ctx, user, pass) {
        ctx.client.authenticated = true;
        ctx.client.user = String::from_utf8_lossy(user).into_owned();
        ctx.reply().ok();
        Ok(())
    } else {
        Err("WRONGPASS invalid username-password pair or user is disabled.".into())
    }
}

fn hello(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut ver = None;
    let mut i = 1;
    if argv.len() >= 2 {
        let v = crate::util::num::parse_i64(&argv[1])
            .ok_or("ERR Protocol version is not an integer or out of range")?;
        if !(2..=3).contains(&v) {
            return Err("NOPROTO unsupported protocol version".into());
        }
        ver = Some(v);
        i = 2;
    }
    let mut auth: Option<(Bytes, Bytes)> = None;
    let mut name: Option<Bytes> = None;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        if eq_ic(&argv[i], "AUTH") && more >= 2 {
            auth = Some((argv[i + 1].clone(), argv[i + 2].clone()));
            i += 3;
        } else if eq_ic(&argv[i], "SETNAME") && more >= 1 {
            name = Some(argv[i + 1].clone());
            i += 2;
        } else {
            return Err(format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(&argv[i])
            )
            .into());
        }
    }
    if let Some((u, p)) = &auth {
        if !check_credentials(ctx, u, p) {
            return Err("WRONGPASS invalid username-password pair or user is disabled.".into());
        }
        ctx.client.authenticated = true;
        ctx.client.user = String::from_utf8_lossy(u).into_owned();
    }
    if !ctx.client.authenticated && ctx.srv.auth_required() {
        return Err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time".into());
    }
    if let Some(n) = name {
        super_validate_name(&n)?;
        ctx.client.name = if n.is_empty() { None } else { Some(n) };
    }
    if let Some(v) = ver {
        ctx.client.reply.resp3 = v == 3;
    }
    let id = ctx.client.id as i64;
    let proto = ctx.client.resp() as i64;
    let r = ctx.reply();
    r.map(7);
    r.bulk(b"server");
    r.bulk(b"valkey");
    r.bulk(b"version");
    r.bulk(crate::VALKEY_VERSION.as_bytes());
    r.bulk(b"proto");
    r.int(proto);
    r.bulk(b"id");
    r.int(id);
    r.bulk(b"mode");
    r.bulk(b"standalone");
    r.bulk(b"role");
    r.bulk(b"master");
    r.bulk(b"modules");
    r.empty_array();
    Ok(())
}

/// Client names may not contain spaces, newlines or other special
/// characters (Valkey's rule for CLIENT SETNAME and HELLO SETNAME).
pub fn super_validate_name(name: &[u8]) -> CmdResult {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(
            "ERR Client names cannot contain spaces, newlines or special characters.".into(),
        );
    }
    Ok(())
}

fn reset(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.srv.discard_transaction(ctx.client);
    ctx.srv.pubsub_forget_client(ctx.client);
    ctx.srv.monitor_forget(ctx.client);
    ctx.srv.tracking_disable(ctx.client);
    let c = &mut *ctx.client;
    c.db = 0;
    c.reply.resp3 = false;
    c.name = None;
    c.reply_mode = crate::server::client::ReplyMode::On;
    c.no_evict = false;
    c.no_touch = false;
    c.authenticated = !ctx.srv.auth_required();
    c.user = "default".into();
    ctx.reply().simple("RESET");
    Ok(())
}
