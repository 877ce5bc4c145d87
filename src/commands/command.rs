//! COMMAND and its subcommands: introspection of the command table
//! (COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP).
//!
//! Replies are byte-identical to Valkey's `addReplyCommandInfo`,
//! `addReplyCommandDocs` and friends. Only commands that are actually
//! registered (have a handler, or registered subcommands) are shown; they
//! are listed sorted by name (Valkey's order is its hash table's, which
//! clients cannot rely on).

use crate::protocol::Reply;
use crate::server::command::{Command, CommandTable};
use crate::server::keys;
use crate::server::spec::{
    acl, argflags, flags, ks, Arg, ArgType, BeginSearch, CommandSpec, FindKeys, DOC_DEPRECATED,
    DOC_SYSCMD,
};
use crate::server::{err, CmdResult, Ctx};
use crate::util::glob::string_match;
use bytes::Bytes;

pub fn register(t: &mut CommandTable) {
    t.add("command", command);
    t.add("command|count", count);
    t.add("command|list", list);
    t.add("command|info", info);
    t.add("command|docs", docs);
    t.add("command|getkeys", getkeys);
    t.add("command|getkeysandflags", getkeysandflags);
    t.add("command|help", help);
}

/// Command flags as `COMMAND INFO` prints them, in Valkey's order. Flags
/// Valkey hides on purpose (may_replicate, sentinel, only_sentinel,
/// protected, touches_arbitrary_keys, module internals) are absent.
const CMD_FLAG_NAMES: &[(u64, &str)] = &[
    (flags::WRITE, "write"),
    (flags::READONLY, "readonly"),
    (flags::DENYOOM, "denyoom"),
    (flags::MODULE, "module"),
    (flags::ADMIN, "admin"),
    (flags::PUBSUB, "pubsub"),
    (flags::NOSCRIPT, "noscript"),
    (flags::BLOCKING, "blocking"),
    (flags::LOADING, "loading"),
    (flags::STALE, "stale"),
    (flags::SKIP_MONITOR, "skip_monitor"),
    (flags::SKIP_COMMANDLOG, "skip_commandlog"),
    (flags::ASKING, "asking"),
    (flags::FAST, "fast"),
    (flags::NO_AUTH, "no_auth"),
    (flags::NO_MANDATORY_KEYS, "no_mandatory_keys"),
    (flags::NO_ASYNC_LOADING, "no_async_loading"),
    (flags::NO_MULTI, "no_multi"),
    (flags::MOVABLE_KEYS, "movablekeys"),
    (flags::ALLOW_BUSY, "allow_busy"),
];

const DOC_FLAG_NAMES: &[(u64, &str)] = &[
    (DOC_DEPRECATED as u64, "deprecated"),
    (DOC_SYSCMD as u64, "syscmd"),
];

const ARG_FLAG_NAMES: &[(u64, &str)] = &[
    (argflags::OPTIONAL as u64, "optional"),
    (argflags::MULTIPLE as u64, "multiple"),
    (argflags::MULTIPLE_TOKEN as u64, "multiple_token"),
];

const HELP: &[&str] = &[
    "(no subcommand)",
    "    Return details about all commands.",
    "COUNT",
    "    Return the total number of commands in this server.",
    "LIST",
    "    Return a list of all commands in this server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full command.",
];

// ------------------------------------------------------------------ handlers

/// `COMMAND`: details about every command.
pub fn command(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    if argv.len() > 1 {
        // COMMAND is a container with a handler of its own, so an unknown
        // subcommand lands here.
        return Err(format!(
            "ERR unknown subcommand '{}'. Try {} HELP.",
            String::from_utf8_lossy(&argv[1][..argv[1].len().min(128)]),
            String::from_utf8_lossy(&argv[0]).to_ascii_uppercase()
        )
        .into());
    }
    let table = &ctx.srv.commands;
    let r = &mut ctx.client.reply;
    let cmds = listed(table);
    r.array(cmds.len());
    for c in cmds {
        reply_info(r, table, c);
    }
    Ok(())
}

/// `COMMAND COUNT`
pub fn count(ctx: &mut Ctx, _argv: &[Bytes]) -> CmdResult {
    let n = listed(&ctx.srv.commands).len();
    ctx.reply().int(n as i64);
    Ok(())
}

/// `COMMAND LIST [FILTERBY MODULE name|ACLCAT category|PATTERN pattern]`
pub fn list(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let mut filter = None;
    let mut i = 2;
    while i < argv.len() {
        let moreargs = argv.len() - 1 - i;
        if argv[i].eq_ignore_ascii_case(b"filterby") && moreargs == 2 {
            let kind = &argv[i + 1];
            let f = if kind.eq_ignore_ascii_case(b"module") {
                Filter::Module
            } else if kind.eq_ignore_ascii_case(b"aclcat") {
                Filter::AclCat(acl_category(&argv[i + 2]))
            } else if kind.eq_ignore_ascii_case(b"pattern") {
                Filter::Pattern(&argv[i + 2])
            } else {
                return Err(err::SYNTAX.into());
            };
            filter = Some(f);
            i += 2;
        } else {
            return Err(err::SYNTAX.into());
        }
        i += 1;
    }
    let table = &ctx.srv.commands;
    let r = &mut ctx.client.reply;
    let d = r.deferred();
    let mut n = 0;
    for c in listed(table) {
        list_one(r, table, c, filter.as_ref(), &mut n);
    }
    r.set_deferred_len(d, b'*', n);
    Ok(())
}

/// `COMMAND INFO [name ...]`
pub fn info(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let table = &ctx.srv.commands;
    let r = &mut ctx.client.reply;
    if argv.len() == 2 {
        let cmds = listed(table);
        r.array(cmds.len());
        for c in cmds {
            reply_info(r, table, c);
        }
    } else {
        r.array(argv.len() - 2);
        for name in &argv[2..] {
            match lookup_by_name(table, name) {
                Some(c) => reply_info(r, table, c),
                None => r.null(),
            }
        }
    }
    Ok(())
}

/// `COMMAND DOCS [name ...]`
pub fn docs(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    let table = &ctx.srv.commands;
    let r = &mut ctx.client.reply;
    if argv.len() == 2 {
        let cmds = listed(table);
        r.map(cmds.len());
        for c in cmds {
            r.bulk_str(&c.fullname);
            reply_docs(r, table, c);
        }
    } else {
        let d = r.deferred();
        let mut n = 0;
        for name in &argv[2..] {
            if let Some(c) = lookup_by_name(table, name) {
                r.bulk_str(&c.fullname);
                reply_docs(r, table, c);
                n += 1;
            }
        }
        r.set_deferred_len(d, b'%', n);
    }
    Ok(())
}

/// `COMMAND GETKEYS command [arg ...]`
pub fn getkeys(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getkeys_impl(ctx, argv, false)
}

/// `COMMAND GETKEYSANDFLAGS command [arg ...]`
pub fn getkeysandflags(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
    getkeys_impl(ctx, argv, true)
}

/// `COMMAND HELP`
pub fn help(ctx: &mut Ctx, argv: &[Bytes]) -> CmdResult {
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

fn getkeys_impl(ctx: &mut Ctx, argv: &[Bytes], with_flags: bool) -> CmdResult {
    let line = &argv[2..];
    let table = &ctx.srv.commands;
    // Like Valkey's lookupCommand: a container given arguments means its
    // subcommand.
    let cmd = table.lookup(&line[0]).and_then(|c| {
        if c.is_container && line.len() > 1 {
            table.lookup_sub(c.id, &line[1])
        } else {
            Some(c)
        }
    });
    let Some(cmd) = cmd else {
        return Err("ERR Invalid command specified".into());
    };
    let keys = keys::get_keys(cmd.spec, line)?;
    let r = &mut ctx.client.reply;
    r.array(keys.len());
    for (pos, kflags) in keys {
        if with_flags {
            r.array(2);
            r.bulk(&line[pos]);
            reply_flag_set(r, kflags as u64, KEY_FLAG_NAMES);
        } else {
            r.bulk(&line[pos]);
        }
    }
    Ok(())
}

// ------------------------------------------------------------------- helpers

/// The commands clients can see, sorted by name: top-level commands with a
/// handler or registered subcommands, still reachable under their name.
fn listed(table: &CommandTable) -> Vec<&Command> {
    let mut v: Vec<&Command> = table
        .top_level()
        .filter(|c| c.handler.is_some() || !c.subcommands.is_empty())
        .filter(|c| table.lookup(c.fullname.as_bytes()).map(|r| r.id) == Some(c.id))
        .collect();
    v.sort_by(|a, b| a.fullname.cmp(&b.fullname));
    v
}

/// `lookupCommandBySds`: `name` or `container|sub`, case-insensitive.
fn lookup_by_name<'a>(table: &'a CommandTable, name: &[u8]) -> Option<&'a Command> {
    let name = std::str::from_utf8(name).ok()?;
    table.lookup_fullname(name)
}

enum Filter<'a> {
    Module,
    /// The category's bit, 0 for an unknown category (matches nothing).
    AclCat(u64),
    Pattern(&'a [u8]),
}

fn acl_category(name: &[u8]) -> u64 {
    acl::NAMES
        .iter()
        .find(|(_, n)| name.eq_ignore_ascii_case(n.as_bytes()))
        .map(|&(bit, _)| bit)
        .unwrap_or(0)
}

fn list_one(
    r: &mut Reply,
    table: &CommandTable,
    c: &Command,
    filter: Option<&Filter>,
    n: &mut usize,
) {
    let shown = match filter {
        None => true,
        // No modules are ever loaded.
        Some(Filter::Module) => false,
        Some(Filter::AclCat(cat)) => *cat != 0 && c.spec.acl & cat != 0,
        Some(Filter::Pattern(p)) => string_match(p, c.fullname.as_bytes(), true),
    };
    if shown {
        r.bulk_str(&c.fullname);
        *n += 1;
    }
    for sub in table.subcommands_of(c.id) {
        list_one(r, table, sub, filter, n);
    }
}

/// A set of status replies, one per flag set in `value`.
fn reply_flag_set(r: &mut Reply, value: u64, names: &[(u64, &str)]) {
    let n = names.iter().filter(|(bit, _)| value & bit != 0).count();
    r.set(n);
    for (bit, name) in names {
        if value & bit != 0 {
            r.simple(name);
        }
    }
}

const KEY_FLAG_NAMES: &[(u64, &str)] = &[
    (ks::RO as u64, "RO"),
    (ks::RW as u64, "RW"),
    (ks::OW as u64, "OW"),
    (ks::RM as u64, "RM"),
    (ks::ACCESS as u64, "access"),
    (ks::UPDATE as u64, "update"),
    (ks::INSERT as u64, "insert"),
    (ks::DELETE as u64, "delete"),
    (ks::NOT_KEY as u64, "not_key"),
    (ks::INCOMPLETE as u64, "incomplete"),
    (ks::VARIABLE_FLAGS as u64, "variable_flags"),
];

/// `addReplyCommandInfo`
fn reply_info(r: &mut Reply, table: &CommandTable, c: &Command) {
    let spec = c.spec;
    let (first, last, step) = keys::legacy_range(spec);
    r.array(10);
    r.bulk_str(&c.fullname);
    r.int(spec.arity as i64);
    reply_flag_set(r, spec.flags, CMD_FLAG_NAMES);
    r.int(first as i64);
    r.int(last as i64);
    r.int(step as i64);
    // ACL categories: `@name` status replies in Valkey's category order.
    let n = acl::NAMES
        .iter()
        .filter(|(bit, _)| spec.acl & bit != 0)
        .count();
    r.set(n);
    for (bit, name) in acl::NAMES {
        if spec.acl & bit != 0 {
            r.simple(&format!("@{name}"));
        }
    }
    r.set(spec.tips.len());
    for tip in spec.tips {
        r.bulk_str(tip);
    }
    reply_key_specs(r, spec);
    let subs = table.subcommands_of(c.id);
    if subs.is_empty() {
        r.set(0);
    } else {
        r.array(subs.len());
        for s in subs {
            reply_info(r, table, s);
        }
    }
}

/// `addReplyCommandKeySpecs`
fn reply_key_specs(r: &mut Reply, spec: &CommandSpec) {
    r.set(spec.key_specs.len());
    for k in spec.key_specs {
        r.map(if k.notes.is_empty() { 3 } else { 4 });
        if !k.notes.is_empty() {
            r.bulk(b"notes");
            r.bulk_str(k.notes);
        }
        r.bulk(b"flags");
        reply_flag_set(r, k.flags as u64, KEY_FLAG_NAMES);
        r.bulk(b"begin_search");
        r.map(2);
        r.bulk(b"type");
        match k.begin {
            BeginSearch::Unknown => {
                r.bulk(b"unknown");
                r.bulk(b"spec");
                r.map(0);
            }
            BeginSearch::Index(pos) => {
                r.bulk(b"index");
                r.bulk(b"spec");
                r.map(1);
                r.bulk(b"index");
                r.int(pos as i64);
            }
            BeginSearch::Keyword {
                keyword,
                start_from,
            } => {
                r.bulk(b"keyword");
                r.bulk(b"spec");
                r.map(2);
                r.bulk(b"keyword");
                r.bulk_str(keyword);
                r.bulk(b"startfrom");
                r.int(start_from as i64);
            }
        }
        r.bulk(b"find_keys");
        r.map(2);
        r.bulk(b"type");
        match k.find {
            FindKeys::Unknown => {
                r.bulk(b"unknown");
                r.bulk(b"spec");
                r.map(0);
            }
            FindKeys::Range {
                last_key,
                step,
                limit,
            } => {
                r.bulk(b"range");
                r.bulk(b"spec");
                r.map(3);
                r.bulk(b"lastkey");
                r.int(last_key as i64);
                r.bulk(b"keystep");
                r.int(step as i64);
                r.bulk(b"limit");
                r.int(limit as i64);
            }
            FindKeys::KeyNum {
                key_num_idx,
                first_key,
                step,
            } => {
                r.bulk(b"keynum");
                r.bulk(b"spec");
                r.map(3);
                r.bulk(b"keynumidx");
                r.int(key_num_idx as i64);
                r.bulk(b"firstkey");
                r.int(first_key as i64);
                r.bulk(b"keystep");
                r.int(step as i64);
            }
        }
    }
}

/// `addReplyCommandDocs`
fn reply_docs(r: &mut Reply, table: &CommandTable, c: &Command) {
    let spec = c.spec;
    let subs = table.subcommands_of(c.id);
    let fields = [
        !spec.summary.is_empty(),
        !spec.since.is_empty(),
        true, // group
        !spec.complexity.is_empty(),
        spec.doc_flags != 0,
        !spec.deprecated_since.is_empty(),
        !spec.replaced_by.is_empty(),
        !spec.history.is_empty(),
        !spec.args.is_empty(),
        !subs.is_empty(),
    ];
    r.map(fields.iter().filter(|&&f| f).count());
    if !spec.summary.is_empty() {
        r.bulk(b"summary");
        r.bulk_str(spec.summary);
    }
    if !spec.since.is_empty() {
        r.bulk(b"since");
        r.bulk_str(spec.since);
    }
    r.bulk(b"group");
    r.bulk_str(spec.group);
    if !spec.complexity.is_empty() {
        r.bulk(b"complexity");
        r.bulk_str(spec.complexity);
    }
    if spec.doc_flags != 0 {
        r.bulk(b"doc_flags");
        reply_flag_set(r, spec.doc_flags as u64, DOC_FLAG_NAMES);
    }
    if !spec.deprecated_since.is_empty() {
        r.bulk(b"deprecated_since");
        r.bulk_str(spec.deprecated_since);
    }
    if !spec.replaced_by.is_empty() {
        r.bulk(b"replaced_by");
        r.bulk_str(spec.replaced_by);
    }
    if !spec.history.is_empty() {
        r.bulk(b"history");
        r.set(spec.history.len());
        for (since, changes) in spec.history {
            r.array(2);
            r.bulk_str(since);
            r.bulk_str(changes);
        }
    }
    if !spec.args.is_empty() {
        r.bulk(b"arguments");
        reply_args(r, spec.args);
    }
    if !subs.is_empty() {
        r.bulk(b"subcommands");
        r.map(subs.len());
        for s in subs {
            r.bulk_str(&s.fullname);
            reply_docs(r, table, s);
        }
    }
}

/// `addReplyCommandArgList`
fn reply_args(r: &mut Reply, args: &[Arg]) {
    r.array(args.len());
    for a in args {
        let nested = matches!(a.kind, ArgType::OneOf | ArgType::Block);
        // A pure token always has one; MIGRATE's is the empty string.
        let has_token = !a.token.is_empty() || a.kind == ArgType::PureToken;
        let fields = [
            a.key_spec_index != -1,
            has_token,
            !a.summary.is_empty(),
            !a.since.is_empty(),
            !a.deprecated_since.is_empty(),
            a.flags != 0,
            true, // display_text, or the nested arguments
        ];
        r.map(2 + fields.iter().filter(|&&f| f).count());
        r.bulk(b"name");
        r.bulk_str(a.name);
        r.bulk(b"type");
        r.bulk_str(arg_type_name(a.kind));
        if !nested {
            r.bulk(b"display_text");
            r.bulk_str(if a.display.is_empty() {
                a.name
            } else {
                a.display
            });
        }
        if a.key_spec_index != -1 {
            r.bulk(b"key_spec_index");
            r.int(a.key_spec_index as i64);
        }
        if has_token {
            r.bulk(b"token");
            r.bulk_str(a.token);
        }
        if !a.summary.is_empty() {
            r.bulk(b"summary");
            r.bulk_str(a.summary);
        }
        if !a.since.is_empty() {
            r.bulk(b"since");
            r.bulk_str(a.since);
        }
        if !a.deprecated_since.is_empty() {
            r.bulk(b"deprecated_since");
            r.bulk_str(a.deprecated_since);
        }
        if a.flags != 0 {
            r.bulk(b"flags");
            reply_flag_set(r, a.flags as u64, ARG_FLAG_NAMES);
        }
        if nested {
            r.bulk(b"arguments");
            reply_args(r, a.args);
        }
    }
}

fn arg_type_name(t: ArgType) -> &'static str {
    match t {
        ArgType::String => "string",
        ArgType::Integer => "integer",
        ArgType::Double => "double",
        ArgType::Key => "key",
        ArgType::Pattern => "pattern",
        ArgType::UnixTime => "unix-time",
        ArgType::PureToken => "pure-token",
        ArgType::OneOf => "oneof",
        ArgType::Block => "block",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::spec_data::SPECS;

    fn noop(_: &mut Ctx, _: &[Bytes]) -> CmdResult {
        Ok(())
    }

    fn table() -> CommandTable {
        let mut t = CommandTable::new();
        register(&mut t);
        for name in [
            "get",
            "set",
            "mset",
            "migrate",
            "config|get",
            "config|set",
            "ping",
        ] {
            t.add(name, noop);
        }
        t
    }

    fn resp(f: impl FnOnce(&mut Reply)) -> String {
        let mut r = Reply::new(false);
        f(&mut r);
        String::from_utf8(r.buf).unwrap()
    }

    fn walk(spec: &CommandSpec, depth: usize) {
        let argc_min = spec.arity.unsigned_abs() as usize;
        assert!(spec.arity != 0, "{} has arity 0", spec.name);
        assert!(argc_min > depth, "{} arity {}", spec.name, spec.arity);
        assert_eq!(spec.name, spec.name.to_ascii_lowercase());
        assert!(
            !spec.group.is_empty() && !spec.since.is_empty() && !spec.summary.is_empty(),
            "{}",
            spec.name
        );
        // Every command is either fast or slow.
        assert!(
            (spec.acl & acl::FAST != 0) != (spec.acl & acl::SLOW != 0),
            "{}",
            spec.name
        );
        for k in spec.key_specs {
            if let BeginSearch::Index(pos) = k.begin {
                assert!(pos > depth as i32, "{}", spec.name);
            }
        }
        if depth == 0 {
            for s in spec.subcommands {
                walk(s, 1);
                assert_eq!(s.group, spec.group);
            }
        } else {
            assert!(spec.subcommands.is_empty());
        }
    }

    #[test]
    fn specs_are_sane_and_sorted() {
        assert!(SPECS.len() > 200);
        for w in SPECS.windows(2) {
            assert!(w[0].name < w[1].name, "{} / {}", w[0].name, w[1].name);
        }
        for s in SPECS {
            walk(s, 0);
            for w in s.subcommands.windows(2) {
                assert!(w[0].name < w[1].name);
            }
        }
        assert_eq!(CommandSpec::lookup("get").unwrap().arity, 2);
        assert_eq!(
            CommandSpec::lookup("config")
                .unwrap()
                .subcommand("get")
                .unwrap()
                .arity,
            -3
        );
        assert!(CommandSpec::lookup("nosuch").is_none());
        let cmd = CommandSpec::lookup("command").unwrap();
        for sub in [
            "count",
            "list",
            "info",
            "docs",
            "getkeys",
            "getkeysandflags",
            "help",
        ] {
            assert!(cmd.subcommand(sub).is_some(), "{sub}");
        }
    }

    #[test]
    fn derived_flags_and_categories() {
        let get = CommandSpec::lookup("get").unwrap();
        assert_eq!(get.acl, acl::READ | acl::STRING | acl::FAST);
        assert!(!get.has(flags::MOVABLE_KEYS));
        let set = CommandSpec::lookup("set").unwrap();
        assert_eq!(set.acl, acl::WRITE | acl::STRING | acl::SLOW);
        for movable in [
            "sort",
            "eval",
            "zunionstore",
            "migrate",
            "xread",
            "georadius",
        ] {
            assert!(
                CommandSpec::lookup(movable)
                    .unwrap()
                    .has(flags::MOVABLE_KEYS),
                "{movable}"
            );
        }
        let cg = CommandSpec::lookup("config")
            .unwrap()
            .subcommand("get")
            .unwrap();
        assert_eq!(cg.acl, acl::ADMIN | acl::SLOW | acl::DANGEROUS);
        // Scripting commands are not @read even when read-only.
        assert_eq!(CommandSpec::lookup("eval_ro").unwrap().acl & acl::READ, 0);
    }

    #[test]
    fn table_lookups() {
        let t = table();
        assert!(t.lookup(b"COMMAND").unwrap().is_container);
        assert!(lookup_by_name(&t, b"command|INFO").is_some());
        assert!(lookup_by_name(&t, b"config").is_some());
        assert!(lookup_by_name(&t, b"get|x").is_none());
        assert!(lookup_by_name(&t, b"config|get|x").is_none());
        assert!(lookup_by_name(&t, b"|get").is_none());
        let names: Vec<&str> = listed(&t).iter().map(|c| c.fullname.as_str()).collect();
        assert_eq!(
            names,
            ["command", "config", "get", "migrate", "mset", "ping", "set"]
        );
    }

    #[test]
    fn info_get_matches_valkey() {
        let t = table();
        let get = t.lookup_fullname("get").unwrap();
        let out = resp(|r| reply_info(r, &t, get));
        let expected = "*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n\
            *3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n\
            $12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n\
            $9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n\
            $7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n";
        assert_eq!(out, expected);
        let mset = t.lookup_fullname("mset").unwrap();
        let out = resp(|r| reply_info(r, &t, mset));
        assert!(
            out.starts_with(
                "*10\r\n$4\r\nmset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n"
            ),
            "{out}"
        );
        let config = t.lookup_fullname("config").unwrap();
        let out = resp(|r| reply_info(r, &t, config));
        assert!(out.starts_with("*10\r\n$6\r\nconfig\r\n:-2\r\n*0\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*2\r\n*10\r\n$10\r\nconfig|get\r\n"), "{out}");
    }

    #[test]
    fn docs_get_matches_valkey() {
        let t = table();
        let get = t.lookup_fullname("get").unwrap();
        let mut r = Reply::new(true);
        reply_docs(&mut r, &t, get);
        let out = String::from_utf8(r.buf).unwrap();
        let expected = "%5\r\n$7\r\nsummary\r\n$34\r\nReturns the string value of a key.\r\n\
            $5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n\
            $9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n\
            $12\r\ndisplay_text\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n";
        assert_eq!(out, expected);
        // MIGRATE's empty-string token is an empty bulk string.
        let migrate = t.lookup_fullname("migrate").unwrap();
        let out = resp(|r| reply_docs(r, &t, migrate));
        assert!(out.contains("$12\r\nempty-string\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$12\r\ndisplay_text\r\n$12\r\nempty-string\r\n$5\r\ntoken\r\n$0\r\n\r\n"), "{out}");
    }

    #[test]
    fn list_filters() {
        let t = table();
        let run = |f: Option<Filter>| {
            let mut r = Reply::new(false);
            let mut names = Vec::new();
            let mut n = 0;
            for c in listed(&t) {
                let mut tmp = Reply::new(false);
                list_one(&mut tmp, &t, c, f.as_ref(), &mut n);
                r.buf.extend_from_slice(&tmp.buf);
                let s = String::from_utf8(tmp.buf).unwrap();
                names.extend(
                    s.split("\r\n")
                        .filter(|l| !l.is_empty() && !l.starts_with('$'))
                        .map(String::from),
                );
            }
            assert_eq!(n, names.len());
            names
        };
        assert_eq!(
            run(Some(Filter::Pattern(b"CONFIG*"))),
            ["config", "config|get", "config|set"]
        );
        assert_eq!(
            run(Some(Filter::AclCat(acl_category(b"STRING")))),
            ["get", "mset", "set"]
        );
        assert!(run(Some(Filter::AclCat(acl_category(b"nosuch")))).is_empty());
        assert!(run(Some(Filter::Module)).is_empty());
        assert_eq!(run(None).len(), 7 + 2 + 7);
    }

    #[test]
    fn glob_matching() {
        assert!(string_match(b"*", b"anything", false));
        assert!(string_match(b"h?llo", b"hello", false));
        assert!(string_match(b"h[ae]llo", b"hallo", false));
        assert!(!string_match(b"h[^e]llo", b"hello", false));
        assert!(string_match(b"h[a-b]llo", b"hbllo", false));
        assert!(string_match(b"h[b-a]llo", b"hbllo", false));
        assert!(string_match(b"HELLO", b"hello", true));
        assert!(!string_match(b"HELLO", b"hello", false));
        assert!(string_match(b"h\\*llo", b"h*llo", false));
        assert!(string_match(b"a*b*c", b"axxbyyc", false));
        assert!(!string_match(b"a*b*c", b"axxbyy", false));
        assert!(string_match(b"a*", b"a", false));
        assert!(string_match(b"config|*", b"config|get", false));
        assert!(!string_match(b"[abc", b"d", false));
        assert!(string_match(b"[abc", b"a", false));
        assert!(!string_match(b"", b"a", false));
        assert!(string_match(b"", b"", false));
        assert!(!string_match(b"a", b"", false));
        // Like Valkey, a lone star needs at least one character.
        assert!(!string_match(b"*", b"", false));
    }
}
