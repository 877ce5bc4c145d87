//! Pub/Sub commands: (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PUBLISH, SPUBLISH and
//! the PUBSUB introspection container.
//!
//! The registry and delivery live in `server/pubsub.rs`; this module parses
//! arguments and writes the confirmations. Every confirmation is a push
//! (`>` in RESP3, a plain array in RESP2) carrying the client's subscription
//! count after the change: channels + patterns for the global namespace,
//! shard channels alone for the sharded one — exactly Valkey's counts.

use crate::protocol::Reply;
use crate::server::pubsub::{write_push, SubKind};
use crate::server::{CmdResult, CommandTable, Ctx};
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("subscribe", subscribe);
    t.add("unsubscribe", unsubscribe);
    t.add("psubscribe", psubscribe);
    t.add("punsubscribe", punsubscribe);
    t.add("ssubscribe", ssubscribe);
    t.add("sunsubscribe", sunsubscribe);
    t.add("publish", publish);
    t.add("spublish", spublish);
    t.add("pubsub|channels", pubsub_channels);
    t.add("pubsub|numsub", pubsub_numsub);
    t.add("pubsub|numpat", pubsub_numpat);
    t.add("pubsub|shardchannels", pubsub_shardchannels);
    t.add("pubsub|shardnumsub", pubsub_shardnumsub);
    t.add("pubsub|help", pubsub_help);
}

/// The confirmation verbs of one namespace.
struct Verbs {
    kind: SubKind,
    subscribe: &'static [u8],
    unsubscribe: &'static [u8],
}

const CHANNELS: Verbs = Verbs {
    kind: SubKind::Channel,
    subscribe: b"subscribe",
    unsubscribe: b"unsubscribe",
};
const PATTERNS: Verbs = Verbs {
    kind: SubKind::Pattern,
    subscribe: b"psubscribe",
    unsubscribe: b"punsubscribe",
};
const SHARD: Verbs = Verbs {
    kind: SubKind::Shard,
    subscribe: b"ssubscribe",
    unsubscribe: b"sunsubscribe",
};

/// The count Valkey reports in a confirmation of this namespace.
fn reported_count(ctx: &Ctx, kind: SubKind) -> i64 {
    let c = &*ctx.client;
    let n = match kind {
        SubKind::Channel | SubKind::Pattern => c.pubsub_channels + c.pubsub_patterns,
        SubKind::Shard => c.pubsub_shard_channels,
    };
    n as i64
}

/// `[verb, name|nil, count]` as a push.
fn confirm(ctx: &mut Ctx, verb: &[u8], name: Option<&[u8]>, kind: SubKind) {
    let count = reported_count(ctx, kind);
    write_push(ctx.client, |r| {
        r.push(3);
        r.bulk(verb);
        match name {
            Some(n) => r.bulk(n),
            None => r.null(),
        }
        r.int(count);
    });
}

fn subscribe_names(ctx: &mut Ctx, argv: &[Bytes], v: &Verbs) {
    for name in &argv[1..] {
        ctx.srv.pubsub.subscribe(ctx.client, v.kind, name);
        confirm(ctx, v.subscribe, Some(name), v.kind);
    }
}

fn unsubscribe_names(ctx: &mut Ctx, argv: &[Bytes], v: &Verbs) {
    if argv.len() > 1 {
        for name in &argv[1..] {
            ctx.srv.pubsub.unsubscribe(ctx.client, v.kind, name);
            confirm(ctx, v.unsubscribe, Some(name), v.kind);
        }
        return;
    }
    // No arguments: everything in this namespace; a confirmation with a
    // nil name if there was nothing.
    let names = ctx.srv.pubsub.subscriptions_of(ctx.client, v.kind);
    if names.is_empty() {
        confirm(ctx, v.unsubscribe, None, v.kind);
    }
    for name in names {
        ctx.srv.pubsub.unsubscribe(ctx.client, v.kind, &name);
        confirm(ctx, v.unsubscribe, Some(&name), v.kind);
    }
}

/// `SUBSCRIBE channel [channel ...]`
fn subscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // Valkey refuses (P)SUBSCRIBE to "deny blocking" clients except inside
    // a transaction; scripts cannot reach it (the command is `noscript`).
    subscribe_names(ctx, argv, &CHANNELS);
    Ok(())
}

/// `UNSUBSCRIBE [channel ...]`
fn unsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsubscribe_names(ctx, argv, &CHANNELS);
    Ok(())
}

/// `PSUBSCRIBE pattern [pattern ...]`
fn psubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    subscribe_names(ctx, argv, &PATTERNS);
    Ok(())
}

/// `PUNSUBSCRIBE [pattern ...]`
fn punsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsubscribe_names(ctx, argv, &PATTERNS);
    Ok(())
}

/// `SSUBSCRIBE shardchannel [shardchannel ...]`
fn ssubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    // Unlike SUBSCRIBE, not even a transaction may use it.
    if ctx.client.in_exec {
        return Err("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client".into());
    }
    subscribe_names(ctx, argv, &SHARD);
    Ok(())
}

/// `SUNSUBSCRIBE [shardchannel ...]`
fn sunsubscribe(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    unsubscribe_names(ctx, argv, &SHARD);
    Ok(())
}

/// `PUBLISH channel message`
fn publish(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = ctx.srv.publish(ctx.client, &argv[1], &argv[2], false);
    ctx.reply().int(n as i64);
    Ok(())
}

/// `SPUBLISH shardchannel message`
fn spublish(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let n = ctx.srv.publish(ctx.client, &argv[1], &argv[2], true);
    ctx.reply().int(n as i64);
    Ok(())
}

/// `ERR unknown subcommand or wrong number of arguments for 'x'. Try PUBSUB HELP.`
fn subcommand_syntax_error(argv: &[Bytes]) -> CmdResult {
    let sub = &argv[1][..argv[1].len().min(128)];
    Err(format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        String::from_utf8_lossy(sub),
        String::from_utf8_lossy(&argv[0]).to_ascii_uppercase()
    )
    .into())
}

fn channel_list(ctx: &mut Ctx, argv: &[Bytes], kind: SubKind) -> CmdResult {
    if argv.len() > 3 {
        return subcommand_syntax_error(argv);
    }
    let names = ctx
        .srv
        .pubsub
        .active_names(kind, argv.get(2).map(|p| &p[..]));
    let r = ctx.reply();
    r.array(names.len());
    for n in &names {
        r.bulk(n);
    }
    Ok(())
}

fn numsub(ctx: &mut Ctx, argv: &[Bytes], kind: SubKind) {
    let Ctx { srv, client, .. } = ctx;
    let r: &mut Reply = &mut client.reply;
    r.array((argv.len() - 2) * 2);
    for name in &argv[2..] {
        r.bulk(name);
        r.int(srv.pubsub.subscriber_count(kind, name) as i64);
    }
}

/// `PUBSUB CHANNELS [pattern]`
fn pubsub_channels(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    channel_list(ctx, argv, SubKind::Channel)
}

/// `PUBSUB SHARDCHANNELS [pattern]`
fn pubsub_shardchannels(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    channel_list(ctx, argv, SubKind::Shard)
}

/// `PUBSUB NUMSUB [channel ...]`
fn pubsub_numsub(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    numsub(ctx, argv, SubKind::Channel);
    Ok(())
}

/// `PUBSUB SHARDNUMSUB [shardchannel ...]`
fn pubsub_shardnumsub(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    numsub(ctx, argv, SubKind::Shard);
    Ok(())
}

/// `PUBSUB NUMPAT`
fn pubsub_numpat(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let n = ctx.srv.pubsub.pattern_count() as i64;
    ctx.reply().int(n);
    Ok(())
}

const HELP: &[&str] = &[
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
];

/// `PUBSUB HELP`
fn pubsub_help(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let r = ctx.reply();
    r.array(HELP.len() + 3);
    r.simple(&format!(
        "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        String::from_utf8_lossy(&argv[0]).to_ascii_uppercase()
    ));
    for line in HELP {
        r.simple(line);
    }
    r.simple("HELP");
    r.simple("    Print this help.");
    Ok(())
}
