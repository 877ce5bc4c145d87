//! Observability commands: MONITOR, COMMANDLOG, SLOWLOG and ROLE.
//!
//! The state they read lives in `server/monitor.rs` and
//! `server/commandlog.rs`, fed by the dispatcher after every command;
//! LATENCY is in `latency.rs` beside this file.

use crate::protocol::Reply;
use crate::server::commandlog::{Entry, LogType};
use crate::server::{CmdResult, CommandTable, Ctx};
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("monitor", monitor);
    t.add("role", role);
    t.add("slowlog|get", slowlog_get);
    t.add("slowlog|len", slowlog_len);
    t.add("slowlog|reset", slowlog_reset);
    t.add("slowlog|help", slowlog_help);
    t.add("commandlog|get", commandlog_get);
    t.add("commandlog|len", commandlog_len);
    t.add("commandlog|reset", commandlog_reset);
    t.add("commandlog|help", commandlog_help);
}

/// `MONITOR`: from now on, receive every command run by any client.
fn monitor(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    if ctx.cannot_block() {
        // A client that expects one reply per command (inside EXEC or a
        // script) cannot turn into a feed.
        return Err("ERR MONITOR isn't allowed for DENY BLOCKING client".into());
    }
    if ctx.srv.add_monitor(ctx.client) {
        ctx.reply().ok();
    }
    Ok(())
}

/// `ROLE` for a primary: `master`, its replication offset and its replicas.
fn role(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let r = ctx.reply();
    r.array(3);
    r.bulk(b"master");
    r.int(0);
    r.array(0);
    Ok(())
}

/// The header and footer Valkey wraps every HELP text in.
pub(crate) fn reply_help(r: &mut Reply, argv: &[Bytes], lines: &[&str]) {
    r.array(lines.len() + 3);
    r.simple(&format!(
        "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        String::from_utf8_lossy(&argv[0]).to_ascii_uppercase()
    ));
    for line in lines {
        r.simple(line);
    }
    r.simple("HELP");
    r.simple("    Print this help.");
}

/// `ERR unknown subcommand or wrong number of arguments for 'x'. Try CMD HELP.`
pub(crate) fn subcommand_syntax_error(argv: &[Bytes]) -> CmdResult {
    let sub = &argv[1][..argv[1].len().min(128)];
    Err(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        String::from_utf8_lossy(sub),
        String::from_utf8_lossy(&argv[0]).to_ascii_uppercase()
    )
    .into())
}

const COUNT_ERR: &str = "ERR count should be greater than or equal to -1";

/// A `count` argument: -1 (all) or more.
fn parse_count(arg: &[u8]) -> Result<Option<usize>, &'static str> {
    match crate::util::num::parse_i64(arg) {
        Some(-1) => Ok(None),
        Some(n) if n >= 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
        _ => Err(COUNT_ERR),
    }
}

fn reply_entries(ctx: &mut Ctx, t: LogType, count: Option<usize>) {
    let Ctx { srv, client, .. } = ctx;
    let log = &srv.commandlog;
    let n = count.unwrap_or(usize::MAX).min(log.len(t));
    let r = &mut client.reply;
    r.array(n);
    for e in log.entries(t).take(n) {
        reply_entry(r, e);
    }
}

fn reply_entry(r: &mut Reply, e: &Entry) {
    r.array(6);
    r.int(e.id as i64);
    r.int(e.time);
    r.int(e.value as i64);
    r.array(e.argv.len());
    for a in &e.argv {
        r.bulk(a);
    }
    r.bulk(e.peer.as_bytes());
    r.bulk(&e.name);
}

// ---------------------------------------------------------------- SLOWLOG

const SLOWLOG_HELP: &[&str] = &[
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
];

/// `SLOWLOG GET [count]`
fn slowlog_get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let count = match argv.len() {
        2 => Some(10),
        3 => parse_count(&argv[2])?,
        _ => return subcommand_syntax_error(argv),
    };
    reply_entries(ctx, LogType::Slow, count);
    Ok(())
}

/// `SLOWLOG LEN`
fn slowlog_len(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let n = ctx.srv.commandlog.len(LogType::Slow);
    ctx.reply().int(n as i64);
    Ok(())
}

/// `SLOWLOG RESET`
fn slowlog_reset(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    ctx.srv.commandlog.reset(LogType::Slow);
    ctx.reply().ok();
    Ok(())
}

/// `SLOWLOG HELP`
fn slowlog_help(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    reply_help(ctx.reply(), argv, SLOWLOG_HELP);
    Ok(())
}

// ------------------------------------------------------------- COMMANDLOG

const COMMANDLOG_HELP: &[&str] = &[
    "GET <count> <type>",
    "    Return top <count> entries of the specified <type> from the commandlog (-1 mean all).",
    "    Entries are made of:",
    "    id, timestamp,",
    "        time in microseconds for type of slow,",
    "        or size in bytes for type of large-request,",
    "        or size in bytes for type of large-reply",
    "    arguments array, client IP and port,",
    "    client name",
    "LEN <type>",
    "    Return the length of the specified type of commandlog.",
    "RESET <type>",
    "    Reset the specified type of commandlog.",
];

fn log_type(arg: &[u8]) -> Result<LogType, &'static str> {
    LogType::parse(arg)
        .ok_or("ERR type should be one of the following: slow, large-request, large-reply")
}

/// `COMMANDLOG GET count type`
fn commandlog_get(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let count = parse_count(&argv[2])?;
    let t = log_type(&argv[3])?;
    reply_entries(ctx, t, count);
    Ok(())
}

/// `COMMANDLOG LEN type`
fn commandlog_len(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let t = log_type(&argv[2])?;
    let n = ctx.srv.commandlog.len(t);
    ctx.reply().int(n as i64);
    Ok(())
}

/// `COMMANDLOG RESET type`
fn commandlog_reset(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let t = log_type(&argv[2])?;
    ctx.srv.commandlog.reset(t);
    ctx.reply().ok();
    Ok(())
}

/// `COMMANDLOG HELP`
fn commandlog_help(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    reply_help(ctx.reply(), argv, COMMANDLOG_HELP);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(parse_count(b"-1"), Ok(None));
        assert_eq!(parse_count(b"0"), Ok(Some(0)));
        assert_eq!(parse_count(b"7"), Ok(Some(7)));
        assert_eq!(parse_count(b"-2"), Err(COUNT_ERR));
        assert_eq!(parse_count(b"x"), Err(COUNT_ERR));
        assert_eq!(parse_count(b"99999999999999999999"), Err(COUNT_ERR));
    }
}
