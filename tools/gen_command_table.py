#!/usr/bin/env python3
"""Generate src/server/spec_data.rs from Valkey's command JSON files.

Usage (from the repository root):

    python3 tools/gen_command_table.py [JSON_DIR] [-o OUTPUT]

JSON_DIR defaults to ../shared/reference/commands and OUTPUT to
src/server/spec_data.rs. Only the standard library is used.

The JSON files are read as a specification; nothing of them is copied
verbatim. The output is our own Rust table (`SPECS`) of `CommandSpec`s, with
the derived facts Valkey computes when it loads its command table:

* the implicit ACL categories of `setImplicitACLCategories` (write flag ->
  @write, readonly -> @read unless @scripting, admin -> @admin @dangerous,
  pubsub -> @pubsub, fast -> @fast, blocking -> @blocking, not @fast ->
  @slow);
* the `movablekeys` flag of `populateCommandLegacyRangeSpec`;
* names lower-cased, argument tokens upper-cased, `display` texts and
  command tips lower-cased, subcommands inheriting their container's group,
  group names as Valkey prints them (`sorted-set`), exactly like Valkey's
  `utils/generate-command-code.py` does for its C table.

It also emits `GETKEYS_PROCS`, the commands for which Valkey has a hand
written key-extraction function (`get_keys_function` in the JSON), used by
`server::keys`.
"""

import argparse
import glob
import json
import os
import sys

COMMAND_FLAGS = {
    "WRITE": "WRITE",
    "READONLY": "READONLY",
    "DENYOOM": "DENYOOM",
    "MODULE": "MODULE",
    "ADMIN": "ADMIN",
    "PUBSUB": "PUBSUB",
    "NOSCRIPT": "NOSCRIPT",
    "BLOCKING": "BLOCKING",
    "LOADING": "LOADING",
    "STALE": "STALE",
    "SKIP_MONITOR": "SKIP_MONITOR",
    "SKIP_COMMANDLOG": "SKIP_COMMANDLOG",
    "SKIP_SLOWLOG": "SKIP_COMMANDLOG",  # pre-8.1 name of SKIP_COMMANDLOG
    "ASKING": "ASKING",
    "FAST": "FAST",
    "NO_AUTH": "NO_AUTH",
    "MAY_REPLICATE": "MAY_REPLICATE",
    "SENTINEL": "SENTINEL",
    "ONLY_SENTINEL": "ONLY_SENTINEL",
    "NO_MANDATORY_KEYS": "NO_MANDATORY_KEYS",
    "PROTECTED": "PROTECTED",
    "MODULE_GETKEYS": "MODULE_GETKEYS",
    "MODULE_NO_CLUSTER": "MODULE_NO_CLUSTER",
    "NO_ASYNC_LOADING": "NO_ASYNC_LOADING",
    "NO_MULTI": "NO_MULTI",
    "MOVABLE_KEYS": "MOVABLE_KEYS",
    "ALLOW_BUSY": "ALLOW_BUSY",
    "MODULE_GETCHANNELS": "MODULE_GETCHANNELS",
    "TOUCHES_ARBITRARY_KEYS": "TOUCHES_ARBITRARY_KEYS",
}

# Order of the `flags` module bits (only used to emit flags in a stable order).
FLAG_ORDER = [
    "WRITE", "READONLY", "DENYOOM", "MODULE", "ADMIN", "PUBSUB", "NOSCRIPT",
    "BLOCKING", "LOADING", "STALE", "SKIP_MONITOR", "SKIP_COMMANDLOG",
    "ASKING", "FAST", "NO_AUTH", "MAY_REPLICATE", "SENTINEL", "ONLY_SENTINEL",
    "NO_MANDATORY_KEYS", "PROTECTED", "MODULE_GETKEYS", "MODULE_NO_CLUSTER",
    "NO_ASYNC_LOADING", "NO_MULTI", "MOVABLE_KEYS", "ALLOW_BUSY",
    "MODULE_GETCHANNELS", "TOUCHES_ARBITRARY_KEYS",
]

# ACL categories in Valkey's order (ACLCommandCategories).
ACL_ORDER = [
    "KEYSPACE", "READ", "WRITE", "SET", "SORTEDSET", "LIST", "HASH", "STRING",
    "BITMAP", "HYPERLOGLOG", "GEO", "STREAM", "PUBSUB", "ADMIN", "FAST",
    "SLOW", "BLOCKING", "DANGEROUS", "CONNECTION", "TRANSACTION", "SCRIPTING",
]

KEY_SPEC_FLAGS = [
    "RO", "RW", "OW", "RM", "ACCESS", "UPDATE", "INSERT", "DELETE", "NOT_KEY",
    "INCOMPLETE", "VARIABLE_FLAGS",
]

DOC_FLAGS = {"DEPRECATED": "DOC_DEPRECATED", "SYSCMD": "DOC_SYSCMD"}

# JSON argument types -> ArgType. "field" and "member" are strings for
# clients, as in Valkey's generator.
ARG_TYPES = {
    "string": "String",
    "field": "String",
    "member": "String",
    "integer": "Integer",
    "double": "Double",
    "key": "Key",
    "pattern": "Pattern",
    "unix-time": "UnixTime",
    "pure-token": "PureToken",
    "oneof": "OneOf",
    "block": "Block",
}

# Group names as COMMAND DOCS prints them (COMMAND_GROUP_STR).
GROUPS = {
    "generic": "generic",
    "string": "string",
    "list": "list",
    "set": "set",
    "sorted_set": "sorted-set",
    "hash": "hash",
    "pubsub": "pubsub",
    "transactions": "transactions",
    "connection": "connection",
    "server": "server",
    "scripting": "scripting",
    "hyperloglog": "hyperloglog",
    "cluster": "cluster",
    "sentinel": "sentinel",
    "geo": "geo",
    "stream": "stream",
    "bitmap": "bitmap",
    "module": "module",
}


def fail(msg):
    sys.stderr.write("gen_command_table: %s\n" % msg)
    sys.exit(1)


def rs(s):
    """A Rust string literal for `s` (None -> empty string)."""
    if s is None:
        s = ""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20 or o == 0x7F:
            out.append("\\u{%x}" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def bits(prefix, names, order):
    names = [n for n in order if n in names]
    if not names:
        return "0"
    return " | ".join("%s::%s" % (prefix, n) for n in names)


def opt_str(desc, field):
    v = desc.get(field)
    if v is None or v == "":
        return ""
    if not isinstance(v, str):
        fail("field %s is not a string: %r" % (field, v))
    return v


# ---------------------------------------------------------------- derivations


def implicit_acl(flags, cats):
    """setImplicitACLCategories."""
    cats = set(cats)
    if "WRITE" in flags:
        cats.add("WRITE")
    if "READONLY" in flags and "SCRIPTING" not in cats:
        cats.add("READ")
    if "ADMIN" in flags:
        cats.add("ADMIN")
        cats.add("DANGEROUS")
    if "PUBSUB" in flags:
        cats.add("PUBSUB")
    if "FAST" in flags:
        cats.add("FAST")
    if "BLOCKING" in flags:
        cats.add("BLOCKING")
    if "FAST" not in cats:
        cats.add("SLOW")
    return cats


def is_index_range(spec):
    return "index" in spec["begin_search"] and "range" in spec["find_keys"]


def movable_keys(key_specs):
    """The CMD_MOVABLE_KEYS part of populateCommandLegacyRangeSpec."""
    if not key_specs:
        return False
    if len(key_specs) == 1 and is_index_range(key_specs[0]):
        return "INCOMPLETE" in key_specs[0].get("flags", [])
    movable = False
    first = None
    last = 0  # compared as unsigned, like Valkey
    prev_last = 0
    for spec in key_specs:
        if not is_index_range(spec):
            movable = True
            continue
        pos = spec["begin_search"]["index"]["pos"]
        rng = spec["find_keys"]["range"]
        if rng["step"] != 1 or (prev_last and prev_last != pos - 1):
            movable = True
            continue
        if "INCOMPLETE" in spec.get("flags", []):
            movable = True
        first = pos if first is None else min(first, pos)
        abs_last = rng["lastkey"]
        if abs_last >= 0:
            abs_last += pos
        last = max(last, abs_last, key=lambda v: v & 0xFFFFFFFF)
        prev_last = last
    if first is None:
        movable = True
    return movable


# ------------------------------------------------------------------- emitters


def emit_key_spec(spec):
    flags = spec.get("flags", [])
    for f in flags:
        if f not in KEY_SPEC_FLAGS:
            fail("unknown key spec flag %s" % f)
    bs = spec["begin_search"]
    if "index" in bs:
        begin = "BeginSearch::Index(%d)" % bs["index"]["pos"]
    elif "keyword" in bs:
        begin = "BeginSearch::Keyword { keyword: %s, start_from: %d }" % (
            rs(bs["keyword"]["keyword"]), bs["keyword"]["startfrom"])
    elif "unknown" in bs:
        begin = "BeginSearch::Unknown"
    else:
        fail("invalid begin_search %r" % bs)
    fk = spec["find_keys"]
    if "range" in fk:
        r = fk["range"]
        find = "FindKeys::Range { last_key: %d, step: %d, limit: %d }" % (
            r["lastkey"], r["step"], r["limit"])
    elif "keynum" in fk:
        k = fk["keynum"]
        find = "FindKeys::KeyNum { key_num_idx: %d, first_key: %d, step: %d }" % (
            k["keynumidx"], k["firstkey"], k["step"])
    elif "unknown" in fk:
        find = "FindKeys::Unknown"
    else:
        fail("invalid find_keys %r" % fk)
    return "KeySpec { notes: %s, flags: %s, begin: %s, find: %s }" % (
        rs(opt_str(spec, "notes")), bits("ks", flags, KEY_SPEC_FLAGS), begin, find)


def emit_args(args, indent):
    if not args:
        return "&[]"
    pad = " " * indent
    lines = ["&["]
    for a in args:
        lines.append(pad + "    " + emit_arg(a, indent + 4) + ",")
    lines.append(pad + "]")
    return "\n".join(lines)


def emit_arg(a, indent):
    t = a["type"]
    if t not in ARG_TYPES:
        fail("unknown argument type %s" % t)
    flags = []
    if a.get("optional"):
        flags.append("argflags::OPTIONAL")
    if a.get("multiple"):
        flags.append("argflags::MULTIPLE")
    if a.get("multiple_token"):
        flags.append("argflags::MULTIPLE_TOKEN")
    token = a.get("token")
    if token is not None:
        token = token.upper()
        # Valkey's generator writes the token inside C quotes, so the JSON
        # token `""` (MIGRATE's empty-string key) becomes an empty string.
        if token == '""':
            token = ""
    display = ""
    if t not in ("oneof", "block"):
        display = (a.get("display") or "").lower()
    sub = a.get("arguments", []) if t in ("oneof", "block") else []
    return ("Arg { name: %s, kind: ArgType::%s, key_spec_index: %d, token: %s, summary: %s, "
            "since: %s, flags: %s, deprecated_since: %s, display: %s, args: %s }") % (
        rs(a["name"].lower()),
        ARG_TYPES[t],
        a.get("key_spec_index", -1),
        rs(token or ""),
        rs(opt_str(a, "summary")),
        rs(opt_str(a, "since")),
        " | ".join(flags) if flags else "0",
        rs(opt_str(a, "deprecated_since")),
        rs(display),
        emit_args(sub, indent),
    )


def emit_command(name, desc, group, subs, indent):
    pad = " " * indent
    flags = desc.get("command_flags", [])
    for f in flags:
        if f not in COMMAND_FLAGS:
            fail("%s: unknown command flag %s" % (name, f))
    flags = {COMMAND_FLAGS[f] for f in flags}
    cats = desc.get("acl_categories", [])
    for c in cats:
        if c not in ACL_ORDER:
            fail("%s: unknown ACL category %s" % (name, c))
    cats = implicit_acl(flags, cats)
    key_specs = desc.get("key_specs", [])
    if movable_keys(key_specs):
        flags.add("MOVABLE_KEYS")
    doc_flags = desc.get("doc_flags", [])
    for f in doc_flags:
        if f not in DOC_FLAGS:
            fail("%s: unknown doc flag %s" % (name, f))
    doc = " | ".join(DOC_FLAGS[f] for f in ("DEPRECATED", "SYSCMD") if f in doc_flags) or "0"

    history = desc.get("history") or []
    tips = [t.lower() for t in (desc.get("command_tips") or [])]

    out = []
    out.append("CommandSpec {")
    p = pad + "    "
    out.append("%sname: %s," % (p, rs(name.lower())))
    out.append("%ssummary: %s," % (p, rs(opt_str(desc, "summary"))))
    out.append("%ssince: %s," % (p, rs(opt_str(desc, "since"))))
    out.append("%sgroup: %s," % (p, rs(GROUPS[group])))
    out.append("%scomplexity: %s," % (p, rs(opt_str(desc, "complexity"))))
    out.append("%sarity: %d," % (p, desc["arity"]))
    out.append("%sflags: %s," % (p, bits("flags", flags, FLAG_ORDER)))
    out.append("%sacl: %s," % (p, bits("acl", cats, ACL_ORDER)))
    out.append("%sdoc_flags: %s," % (p, doc))
    out.append("%sdeprecated_since: %s," % (p, rs(opt_str(desc, "deprecated_since"))))
    out.append("%sreplaced_by: %s," % (p, rs(opt_str(desc, "replaced_by"))))
    if history:
        out.append("%shistory: &[" % p)
        for since, change in history:
            out.append("%s    (%s, %s)," % (p, rs(since), rs(change)))
        out.append("%s]," % p)
    else:
        out.append("%shistory: &[]," % p)
    out.append("%stips: &[%s]," % (p, ", ".join(rs(t) for t in tips)))
    if key_specs:
        out.append("%skey_specs: &[" % p)
        for s in key_specs:
            out.append("%s    %s," % (p, emit_key_spec(s)))
        out.append("%s]," % p)
    else:
        out.append("%skey_specs: &[]," % p)
    out.append("%sargs: %s," % (p, emit_args(desc.get("arguments", []), indent + 4)))
    if subs:
        out.append("%ssubcommands: &[" % p)
        for sname, sdesc in subs:
            out.append("%s    %s," % (p, emit_command(sname, sdesc, group, [], indent + 8)))
        out.append("%s]," % p)
    else:
        out.append("%ssubcommands: &[]," % p)
    out.append(pad + "}")
    return "\n".join(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("json_dir", nargs="?",
                    default=os.path.join(root, "..", "shared", "reference", "commands"))
    ap.add_argument("-o", "--output",
                    default=os.path.join(root, "src", "server", "spec_data.rs"))
    opts = ap.parse_args()

    files = sorted(glob.glob(os.path.join(opts.json_dir, "*.json")))
    if not files:
        fail("no JSON files in %s" % opts.json_dir)

    commands = {}
    subcommands = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            try:
                d = json.load(f)
            except json.JSONDecodeError as e:
                fail("%s: %s" % (path, e))
        for name, desc in d.items():
            if desc.get("container"):
                subcommands.setdefault(desc["container"].upper(), {})[name.upper()] = desc
            else:
                if name.upper() in commands:
                    fail("duplicate command %s" % name)
                commands[name.upper()] = desc

    for container in subcommands:
        if container not in commands:
            fail("subcommands of unknown container %s" % container)

    body = []
    getkeys = []
    for name in sorted(commands, key=lambda n: n.lower()):
        desc = commands[name]
        group = desc["group"]
        if group not in GROUPS:
            fail("%s: unknown group %s" % (name, group))
        subs = sorted(subcommands.get(name, {}).items(), key=lambda kv: kv[0].lower())
        for sname, sdesc in subs:
            if sdesc.get("get_keys_function"):
                fail("%s|%s: getkeys functions on subcommands are not supported" % (name, sname))
        body.append("    " + emit_command(name, desc, group, subs, 4) + ",")
        if desc.get("get_keys_function"):
            getkeys.append((name.lower(), desc["get_keys_function"]))

    out = []
    out.append("// @generated by tools/gen_command_table.py from Valkey's command JSON specs.")
    out.append("// Do not edit by hand: change the generator and run")
    out.append("// `python3 tools/gen_command_table.py` from the repository root.")
    out.append("")
    out.append("//! The command table data: every Valkey command and subcommand with its")
    out.append("//! arity, flags, ACL categories, key specs, arguments and documentation.")
    out.append("")
    out.append("use super::spec::*;")
    out.append("")
    out.append("/// Every top-level command, sorted by name; containers carry their")
    out.append("/// subcommands, also sorted by name.")
    out.append("#[rustfmt::skip]")
    out.append("pub static SPECS: &[CommandSpec] = &[")
    out.extend(body)
    out.append("];")
    out.append("")
    out.append("/// Commands whose keys Valkey extracts with a hand-written function")
    out.append("/// (`get_keys_function`): (command name, Valkey function name).")
    out.append("#[rustfmt::skip]")
    out.append("pub static GETKEYS_PROCS: &[(&str, &str)] = &[")
    for n, fn in getkeys:
        out.append("    (%s, %s)," % (rs(n), rs(fn)))
    out.append("];")
    out.append("")

    text = "\n".join(out)
    tmp = opts.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, opts.output)
    nsub = sum(len(v) for v in subcommands.values())
    print("wrote %s: %d commands, %d subcommands" % (opts.output, len(commands), nsub))


if __name__ == "__main__":
    main()
