//! Key extraction: which arguments of a command are keys, and how they are
//! accessed.
//!
//! This follows Valkey's `getKeysFromCommandWithSpecs` exactly: the key
//! specs are used when they can be (every spec is complete and its flags do
//! not depend on the arguments), otherwise the command's hand-written
//! `*GetKeys` function (see [`GETKEYS_PROCS`]) decides. Positions are
//! indices into the full `argv` (the command name is `argv[0]`, a
//! subcommand name `argv[1]`). Nothing here panics on short or malformed
//! argument vectors: out-of-range specs simply yield no keys, like Valkey.
//!
//! Used by `COMMAND GETKEYS`/`GETKEYSANDFLAGS`, and meant for ACL key
//! checks and cluster slot routing.

use super::spec::{flags, ks, BeginSearch, CommandSpec, FindKeys};
use super::spec_data::{GETKEYS_PROCS, SPECS};
use bytes::Bytes;

/// A key found in a command: (index in argv, key-spec flags `ks::*`).
pub type KeyRef = (usize, u32);

/// `GET_KEYSPEC_INCLUDE_NOT_KEYS`: also return arguments that key specs
/// mark `NOT_KEY` (channels of SPUBLISH and the like).
pub const INCLUDE_NOT_KEYS: u8 = 1;
/// `GET_KEYSPEC_RETURN_PARTIAL`: skip invalid/incomplete specs but keep the
/// keys found by the others.
pub const RETURN_PARTIAL: u8 = 2;

type GetKeysProc = fn(&[Bytes]) -> Vec<KeyRef>;

/// Valkey's `getKeysFromCommandWithSpecs`: every key of `argv` for the
/// command described by `spec` (which must be the spec `argv` runs: for a
/// subcommand, the subcommand's). An empty vector means no keys or
/// arguments the command will reject.
pub fn extract_keys(spec: &CommandSpec, argv: &[Bytes], search_flags: u8) -> Vec<KeyRef> {
    // At least one key spec not marked NOT_KEY / at least one with
    // VARIABLE_FLAGS.
    let has_keyspec = spec.key_specs.iter().any(|s| s.flags & ks::NOT_KEY == 0);
    let has_varflags = spec
        .key_specs
        .iter()
        .any(|s| s.flags & ks::VARIABLE_FLAGS != 0);
    if has_keyspec && !has_varflags {
        if let Some(keys) = keys_from_specs(spec, argv, search_flags) {
            return keys;
        }
        // An invalid or incomplete spec: fall back to the getkeys proc.
    }
    match getkeys_proc(spec) {
        Some(proc_) => proc_(argv),
        None => Vec::new(),
    }
}

/// Valkey's `doesCommandHaveKeys`: whether the command may take keys at all.
pub fn has_keys(spec: &CommandSpec) -> bool {
    getkeys_proc(spec).is_some() || spec.key_specs.iter().any(|s| s.flags & ks::NOT_KEY == 0)
}

/// The keys of a full command line, with the checks and errors of
/// `COMMAND GETKEYS`: the command must take keys, the argument count must
/// satisfy its arity, and a command whose keys are mandatory must yield at
/// least one.
pub fn get_keys(spec: &CommandSpec, argv: &[Bytes]) -> Result<Vec<KeyRef>, &'static str> {
    if !has_keys(spec) {
        return Err("ERR The command has no key arguments");
    }
    let argc = argv.len() as i64;
    let arity = spec.arity as i64;
    if (arity > 0 && arity != argc) || argc < -arity {
        return Err("ERR Invalid number of arguments specified for command");
    }
    let keys = extract_keys(spec, argv, 0);
    if keys.is_empty() && !spec.has(flags::NO_MANDATORY_KEYS) {
        return Err("ERR Invalid arguments specified for command");
    }
    Ok(keys)
}

/// Valkey's `getKeysUsingKeySpecs`. `None` is Valkey's `-1`: a spec could
/// not be applied (unknown begin/find, bad numkeys, out of bounds or
/// incomplete) and `RETURN_PARTIAL` was not given.
pub fn keys_from_specs(
    spec: &CommandSpec,
    argv: &[Bytes],
    search_flags: u8,
) -> Option<Vec<KeyRef>> {
    let argc = argv.len() as i64;
    let mut keys: Vec<KeyRef> = Vec::new();
    for ks_ in spec.key_specs {
        if ks_.flags & ks::NOT_KEY != 0 && search_flags & INCLUDE_NOT_KEYS == 0 {
            continue;
        }
        let ok = (|| -> Option<()> {
            let mut first: i64 = match ks_.begin {
                BeginSearch::Index(pos) => pos as i64,
                BeginSearch::Keyword {
                    keyword,
                    start_from,
                } => {
                    let start_from = start_from as i64;
                    let (start, end) = if start_from > 0 {
                        (start_from, argc - 1)
                    } else {
                        (argc + start_from, 1)
                    };
                    let mut found = 0;
                    let mut i = start;
                    // Valkey stops before `end` itself.
                    while i != end {
                        if i >= argc || i < 1 {
                            break;
                        }
                        if argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
                            found = i + 1;
                            break;
                        }
                        i = if start <= end { i + 1 } else { i - 1 };
                    }
                    if found == 0 {
                        // Keyword not found: this spec has no keys.
                        return Some(());
                    }
                    found
                }
                BeginSearch::Unknown => return None,
            };
            let (last, step) = match ks_.find {
                FindKeys::Range {
                    last_key,
                    step,
                    limit,
                } => {
                    let (last_key, limit) = (last_key as i64, limit as i64);
                    let last = if last_key >= 0 {
                        first + last_key
                    } else if limit == 0 {
                        argc + last_key
                    } else {
                        // 1/limit of the remaining arguments are keys.
                        first + ((argc - first) / limit + last_key)
                    };
                    (last, step as i64)
                }
                FindKeys::KeyNum {
                    key_num_idx,
                    first_key,
                    step,
                } => {
                    let idx = first + key_num_idx as i64;
                    if key_num_idx as i64 >= argc || idx < 0 || idx >= argc {
                        return None;
                    }
                    let numkeys = crate::util::num::parse_i64(&argv[idx as usize])?;
                    if numkeys < 0 {
                        return None;
                    }
                    first += first_key as i64;
                    // Valkey truncates numkeys to an int.
                    (first + (numkeys as i32) as i64 - 1, step as i64)
                }
                FindKeys::Unknown => return None,
            };
            if last >= argc || last < first || first >= argc || first < 0 {
                return None;
            }
            let step = step.max(1);
            let mut i = first;
            while i <= last {
                keys.push((i as usize, ks_.flags));
                i += step;
            }
            if ks_.flags & ks::INCOMPLETE != 0 {
                return None;
            }
            Some(())
        })();
        if ok.is_none() && search_flags & RETURN_PARTIAL == 0 {
            return None;
        }
    }
    Some(keys)
}

/// The legacy `(first key, last key, step)` triple of `COMMAND INFO`,
/// glued from the command's plain range specs like Valkey's
/// `populateCommandLegacyRangeSpec`: `(0, 0, 0)` when there is none. A
/// negative last key counts from the end of argv.
pub fn legacy_range(spec: &CommandSpec) -> (i32, i32, i32) {
    let specs = spec.key_specs;
    let plain = |i: usize| match (specs[i].begin, specs[i].find) {
        (BeginSearch::Index(pos), FindKeys::Range { last_key, step, .. }) => {
            Some((pos, last_key, step))
        }
        _ => None,
    };
    if specs.is_empty() {
        return (0, 0, 0);
    }
    if specs.len() == 1 {
        if let Some((pos, last_key, step)) = plain(0) {
            let last = if last_key >= 0 {
                last_key + pos
            } else {
                last_key
            };
            return (pos, last, step);
        }
    }
    let mut first = i32::MAX;
    let mut last: i32 = 0;
    let mut prev_last: i32 = 0;
    for i in 0..specs.len() {
        let Some((pos, last_key, step)) = plain(i) else {
            continue;
        };
        if step != 1 || (prev_last != 0 && prev_last != pos - 1) {
            continue;
        }
        first = first.min(pos);
        let abs_last = if last_key >= 0 {
            last_key + pos
        } else {
            last_key
        };
        // Compared as unsigned, so a negative (relative to the end) wins.
        if (abs_last as u32) > (last as u32) {
            last = abs_last;
        }
        prev_last = last;
    }
    if first == i32::MAX {
        return (0, 0, 0);
    }
    (first, last, 1)
}

/// The hand-written key extraction function Valkey has for this command,
/// if any. Only top-level commands have one.
fn getkeys_proc(spec: &CommandSpec) -> Option<GetKeysProc> {
    let top = SPECS.as_ptr_range();
    let p = spec as *const CommandSpec;
    if !top.contains(&p) {
        return None;
    }
    let (_, func) = GETKEYS_PROCS.iter().find(|(name, _)| *name == spec.name)?;
    proc_by_name(func)
}

fn proc_by_name(func: &str) -> Option<GetKeysProc> {
    let f: GetKeysProc = match func {
        "sintercardGetKeys" | "zunionInterDiffGetKeys" | "lmpopGetKeys" | "zmpopGetKeys" => {
            |argv| generic_get_keys(0, 1, 2, 1, argv)
        }
        "zunionInterDiffStoreGetKeys" => |argv| generic_get_keys(1, 2, 3, 1, argv),
        "evalGetKeys" | "functionGetKeys" | "blmpopGetKeys" | "bzmpopGetKeys" => {
            |argv| generic_get_keys(0, 2, 3, 1, argv)
        }
        "sortROGetKeys" => |_| vec![(1, ks::RO | ks::ACCESS)],
        "sortGetKeys" => sort_get_keys,
        "migrateGetKeys" => migrate_get_keys,
        "georadiusGetKeys" => georadius_get_keys,
        "xreadGetKeys" => xread_get_keys,
        "setGetKeys" => set_get_keys,
        "bitfieldGetKeys" => bitfield_get_keys,
        _ => return None,
    };
    Some(f)
}

/// C's `atoi` (through `strtol`): leading blanks, optional sign, digits up
/// to the first non-digit, saturating to a long, then truncated to an int.
fn atoi(s: &[u8]) -> i32 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let mut v: i64 = 0;
    let mut saturated = false;
    while i < s.len() && s[i].is_ascii_digit() {
        let d = (s[i] - b'0') as i64;
        match v.checked_mul(10).and_then(|x| {
            if neg {
                x.checked_sub(d)
            } else {
                x.checked_add(d)
            }
        }) {
            Some(x) => v = x,
            None => {
                saturated = true;
                break;
            }
        }
        i += 1;
    }
    if saturated {
        v = if neg { i64::MIN } else { i64::MAX };
    }
    v as i32
}

/// `genericGetKeys`: `[destkey] numkeys key [key ...] ...`. Flags are not
/// reported (these commands have complete key specs).
fn generic_get_keys(
    store: usize,
    count_at: usize,
    first: usize,
    step: usize,
    argv: &[Bytes],
) -> Vec<KeyRef> {
    let Some(count) = argv.get(count_at) else {
        return Vec::new();
    };
    let num = atoi(count) as i64;
    let argc = argv.len() as i64;
    if num < 1 || num > (argc - first as i64) / step as i64 {
        return Vec::new();
    }
    let mut keys: Vec<KeyRef> = (0..num as usize).map(|i| (first + i * step, 0)).collect();
    if store != 0 {
        keys.push((store, 0));
    }
    keys
}

/// `SORT key ... [STORE dest] ...`: the sort key, and the last STORE
/// destination.
fn sort_get_keys(argv: &[Bytes]) -> Vec<KeyRef> {
    let mut keys = vec![(1, ks::RO | ks::ACCESS)];
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i][..];
        if a.eq_ignore_ascii_case(b"limit") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"store") && i + 1 < argv.len() {
            // Keep scanning: the last STORE wins, like SORT itself.
            store = Some(i + 1);
        }
        i += 1;
    }
    if let Some(pos) = store {
        keys.push((pos, ks::OW | ks::UPDATE));
    }
    keys
}

/// `MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw]
/// [AUTH2 user pw] [KEYS key ...]`.
fn migrate_get_keys(argv: &[Bytes]) -> Vec<KeyRef> {
    let argc = argv.len();
    let mut first = 3;
    let mut num = 1;
    if argc > 6 {
        let mut i = 6;
        while i < argc {
            let a = &argv[i][..];
            if a.eq_ignore_ascii_case(b"keys") {
                if !argv[3].is_empty() {
                    // Syntax error, reported by MIGRATE itself.
                    num = 0;
                } else {
                    first = i + 1;
                    num = argc - first;
                }
                break;
            }
            if a.eq_ignore_ascii_case(b"auth") {
                i += 1;
            } else if a.eq_ignore_ascii_case(b"auth2") {
                i += 2;
            }
            i += 1;
        }
    }
    (first..first + num)
        .filter(|&p| p < argc)
        .map(|p| (p, ks::RW | ks::ACCESS | ks::DELETE))
        .collect()
}

/// `GEORADIUS[BYMEMBER] key ... [STORE key|STOREDIST key]`: the last
/// STORE/STOREDIST wins.
fn georadius_get_keys(argv: &[Bytes]) -> Vec<KeyRef> {
    let mut stored = None;
    let mut i = 5;
    while i < argv.len() {
        let a = &argv[i][..];
        if (a.eq_ignore_ascii_case(b"store") || a.eq_ignore_ascii_case(b"storedist"))
            && i + 1 < argv.len()
        {
            stored = Some(i + 1);
            i += 1;
        }
        i += 1;
    }
    let mut keys = vec![(1, 0)];
    if let Some(p) = stored {
        keys.push((p, 0));
    }
    keys
}

/// `XREAD[GROUP] [BLOCK ms] [COUNT n] [GROUP g c] [NOACK] STREAMS key ... id ...`.
fn xread_get_keys(argv: &[Bytes]) -> Vec<KeyRef> {
    let argc = argv.len();
    let mut streams_pos = None;
    let mut i = 1;
    while i < argc {
        let a = &argv[i][..];
        if a.eq_ignore_ascii_case(b"block") || a.eq_ignore_ascii_case(b"count") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"group") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"noack") {
        } else if a.eq_ignore_ascii_case(b"streams") {
            streams_pos = Some(i);
            break;
        } else {
            break;
        }
        i += 1;
    }
    let Some(pos) = streams_pos else {
        return Vec::new();
    };
    let num = argc - pos - 1;
    if num == 0 || !num.is_multiple_of(2) {
        return Vec::new();
    }
    (pos + 1..pos + 1 + num / 2).map(|p| (p, 0)).collect()
}

/// `SET key value [... GET ...]`: read-write when GET is given.
fn set_get_keys(argv: &[Bytes]) -> Vec<KeyRef> {
    let get = argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
    if get {
        vec![(1, ks::RW | ks::ACCESS | ks::UPDATE)]
    } else {
        vec![(1, ks::OW | ks::UPDATE)]
    }
}

/// `BITFIELD key [GET ...] [SET ...] [INCRBY ...] [OVERFLOW ...]`:
/// read-only when it only has GETs.
fn bitfield_get_keys(argv: &[Bytes]) -> Vec<KeyRef> {
    let argc = argv.len();
    let mut readonly = true;
    let mut i = 2;
    while i < argc {
        let remargs = argc - i - 1;
        let a = &argv[i][..];
        if a.eq_ignore_ascii_case(b"get") && remargs >= 2 {
            i += 2;
        } else if (a.eq_ignore_ascii_case(b"set") || a.eq_ignore_ascii_case(b"incrby"))
            && remargs >= 3
        {
            readonly = false;
            break;
        } else if a.eq_ignore_ascii_case(b"overflow") && remargs >= 1 {
            i += 1;
        } else {
            // Syntax error: safer to assume a write.
            readonly = false;
            break;
        }
        i += 1;
    }
    if readonly {
        vec![(1, ks::RO | ks::ACCESS)]
    } else {
        vec![(1, ks::RW | ks::ACCESS | ks::UPDATE)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<Bytes> {
        s.split(' ').map(|a| Bytes::from(a.to_string())).collect()
    }

    fn spec(fullname: &str) -> &'static CommandSpec {
        match fullname.split_once('|') {
            None => CommandSpec::lookup(fullname).unwrap(),
            Some((p, s)) => CommandSpec::lookup(p).unwrap().subcommand(s).unwrap(),
        }
    }

    /// The key positions `COMMAND GETKEYS` would report for a line.
    fn positions(line: &str) -> Result<Vec<usize>, &'static str> {
        let a = argv(line);
        let name = a[0].to_ascii_lowercase();
        let name = std::str::from_utf8(&name).unwrap();
        let mut s = spec(name);
        if !s.subcommands.is_empty() && a.len() > 1 {
            s = s
                .subcommand(&std::str::from_utf8(&a[1]).unwrap().to_ascii_lowercase())
                .unwrap();
        }
        get_keys(s, &a).map(|k| k.into_iter().map(|(p, _)| p).collect())
    }

    fn keys_of(line: &str) -> Vec<String> {
        let a = argv(line);
        positions(line)
            .unwrap()
            .into_iter()
            .map(|p| String::from_utf8(a[p].to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn simple_ranges() {
        assert_eq!(keys_of("get k"), ["k"]);
        assert_eq!(keys_of("mget a b c"), ["a", "b", "c"]);
        assert_eq!(keys_of("mset a 1 b 2"), ["a", "b"]);
        assert_eq!(keys_of("del a b"), ["a", "b"]);
        assert_eq!(keys_of("smove a b m"), ["a", "b"]);
        assert_eq!(keys_of("lmove a b left right"), ["a", "b"]);
        assert_eq!(keys_of("blpop a b c 0"), ["a", "b", "c"]);
        assert_eq!(keys_of("rename a b"), ["a", "b"]);
        assert_eq!(keys_of("memory usage k"), ["k"]);
        assert_eq!(keys_of("object encoding k"), ["k"]);
        assert_eq!(keys_of("msetnx a 1 b 2"), ["a", "b"]);
    }

    #[test]
    fn odd_argument_counts_never_panic() {
        // MSET with a missing value: the range spec still fits.
        assert_eq!(keys_of("mset a 1 b"), ["a", "b"]);
        for line in [
            "mset a",
            "mget",
            "eval s",
            "eval s x",
            "eval s 5 a",
            "zunionstore d 3 a b",
            "xread streams",
            "xread streams a",
            "xread count",
            "xreadgroup group g c streams a b c",
            "migrate h p",
            "migrate h p k 0 0 keys",
            "sort",
            "sort k store",
            "georadius k 1 2 3",
            "lmpop 2 a",
            "blmpop 0 2 a",
            "sintercard 3 a b",
            "zintercard 0 a",
            "bitfield",
            "set k",
            "memory usage",
            "object encoding",
            "msetex 2 a 1 b",
        ] {
            let a = argv(line);
            let name = std::str::from_utf8(&a[0]).unwrap();
            let mut s = spec(name);
            if !s.subcommands.is_empty() && a.len() > 1 {
                s = s.subcommand(std::str::from_utf8(&a[1]).unwrap()).unwrap();
            }
            let _ = extract_keys(s, &a, 0);
            let _ = extract_keys(s, &a, INCLUDE_NOT_KEYS | RETURN_PARTIAL);
            let _ = get_keys(s, &a);
            let _ = keys_from_specs(s, &a, 0);
        }
    }

    #[test]
    fn keynum_specs() {
        assert_eq!(keys_of("eval s 2 a b x y"), ["a", "b"]);
        assert_eq!(keys_of("fcall f 1 a x"), ["a"]);
        assert_eq!(positions("eval s 0"), Ok(vec![]));
        assert_eq!(positions("eval s 3 a b"), Ok(vec![]));
        assert_eq!(positions("eval s -1 a"), Ok(vec![]));
        assert_eq!(keys_of("zunionstore d 2 a b weights 1 2"), ["d", "a", "b"]);
        assert_eq!(keys_of("zinter 2 a b"), ["a", "b"]);
        assert_eq!(keys_of("zdiffstore d 1 a"), ["d", "a"]);
        assert_eq!(keys_of("sintercard 2 a b limit 1"), ["a", "b"]);
        assert_eq!(keys_of("lmpop 2 a b left"), ["a", "b"]);
        assert_eq!(keys_of("blmpop 0 2 a b left"), ["a", "b"]);
        assert_eq!(keys_of("bzmpop 0 1 a min"), ["a"]);
        assert_eq!(keys_of("zmpop 1 a max"), ["a"]);
        assert_eq!(
            positions("zunionstore d 3 a b"),
            Err("ERR Invalid arguments specified for command")
        );
        assert_eq!(
            positions("zunionstore d x a b"),
            Err("ERR Invalid arguments specified for command")
        );
        // atoi-style parsing in the fallback never yields keys here.
        assert_eq!(
            positions("zinter 0 a"),
            Err("ERR Invalid arguments specified for command")
        );
    }

    #[test]
    fn keyword_specs() {
        assert_eq!(keys_of("xread count 2 streams a b 0 0"), ["a", "b"]);
        assert_eq!(
            keys_of("xread streams streams streams 0 0"),
            ["streams", "streams"]
        );
        assert_eq!(keys_of("xreadgroup group g c streams a 0"), ["a"]);
        // An odd count still fits the spec (half the remaining args).
        assert_eq!(keys_of("xread streams a b 0"), ["a"]);
        assert_eq!(keys_of("georadius k 0 0 1 km store d"), ["k", "d"]);
        assert_eq!(keys_of("georadius k 0 0 1 km storedist d"), ["k", "d"]);
        assert_eq!(keys_of("georadius k 0 0 1 km"), ["k"]);
        assert_eq!(keys_of("georadiusbymember k m 1 km store d"), ["k", "d"]);
    }

    #[test]
    fn incomplete_and_variable_flags() {
        assert_eq!(keys_of("sort k"), ["k"]);
        assert_eq!(keys_of("sort k by x get y store d"), ["k", "d"]);
        assert_eq!(keys_of("sort k store a store b"), ["k", "b"]);
        assert_eq!(keys_of("sort k limit 0 1 store d"), ["k", "d"]);
        assert_eq!(keys_of("sort_ro k by x"), ["k"]);
        assert_eq!(keys_of("migrate h p k 0 0"), ["k"]);
        assert_eq!(keys_of("migrate h p  0 0 auth pw keys a b"), ["a", "b"]);
        assert_eq!(
            keys_of("migrate h p  0 0 copy replace auth2 u pw keys a"),
            ["a"]
        );
        assert_eq!(keys_of("set k v"), ["k"]);
        let s = spec("set");
        assert_eq!(
            get_keys(s, &argv("set k v get")),
            Ok(vec![(1, ks::RW | ks::ACCESS | ks::UPDATE)])
        );
        assert_eq!(
            get_keys(s, &argv("set k v ex 1")),
            Ok(vec![(1, ks::OW | ks::UPDATE)])
        );
        let b = spec("bitfield");
        assert_eq!(
            get_keys(b, &argv("bitfield k get u8 0")),
            Ok(vec![(1, ks::RO | ks::ACCESS)])
        );
        assert_eq!(
            get_keys(b, &argv("bitfield k get u8 0 set u8 0 1")),
            Ok(vec![(1, ks::RW | ks::ACCESS | ks::UPDATE)])
        );
        assert_eq!(
            get_keys(b, &argv("bitfield k")),
            Ok(vec![(1, ks::RO | ks::ACCESS)])
        );
    }

    #[test]
    fn flags_come_from_specs() {
        let s = spec("smove");
        assert_eq!(
            get_keys(s, &argv("smove a b m")),
            Ok(vec![
                (1, ks::RW | ks::ACCESS | ks::DELETE),
                (2, ks::RW | ks::INSERT)
            ])
        );
        let e = spec("eval");
        assert_eq!(
            get_keys(e, &argv("eval s 1 a")),
            Ok(vec![(3, ks::RW | ks::ACCESS | ks::UPDATE)])
        );
    }

    #[test]
    fn getkeys_errors() {
        assert_eq!(
            positions("ping"),
            Err("ERR The command has no key arguments")
        );
        assert_eq!(
            positions("get"),
            Err("ERR Invalid number of arguments specified for command")
        );
        assert_eq!(
            positions("get a b"),
            Err("ERR Invalid number of arguments specified for command")
        );
        // Channels are not keys.
        assert_eq!(
            positions("spublish ch msg"),
            Err("ERR The command has no key arguments")
        );
        let s = spec("spublish");
        // Like Valkey, specs that are all NOT_KEY are not used by
        // extract_keys; keys_from_specs can include them.
        assert!(extract_keys(s, &argv("spublish ch msg"), INCLUDE_NOT_KEYS).is_empty());
        assert_eq!(
            keys_from_specs(s, &argv("spublish ch msg"), INCLUDE_NOT_KEYS),
            Some(vec![(1, ks::NOT_KEY)])
        );
        assert_eq!(
            keys_from_specs(s, &argv("spublish ch msg"), 0),
            Some(vec![])
        );
    }

    #[test]
    fn legacy_ranges() {
        assert_eq!(legacy_range(spec("get")), (1, 1, 1));
        assert_eq!(legacy_range(spec("mset")), (1, -1, 2));
        assert_eq!(legacy_range(spec("mget")), (1, -1, 1));
        assert_eq!(legacy_range(spec("smove")), (1, 2, 1));
        assert_eq!(legacy_range(spec("blpop")), (1, -2, 1));
        assert_eq!(legacy_range(spec("ping")), (0, 0, 0));
        assert_eq!(legacy_range(spec("eval")), (0, 0, 0));
        assert_eq!(legacy_range(spec("sort")), (1, 1, 1));
        assert_eq!(legacy_range(spec("memory|usage")), (2, 2, 1));
        assert_eq!(legacy_range(spec("zunionstore")), (1, 1, 1));
        assert_eq!(legacy_range(spec("georadius")), (1, 1, 1));
        assert_eq!(legacy_range(spec("migrate")), (3, 3, 1));
    }

    #[test]
    fn every_getkeys_proc_is_implemented() {
        for (name, func) in GETKEYS_PROCS {
            assert!(proc_by_name(func).is_some(), "{func} for {name}");
            let s = CommandSpec::lookup(name).unwrap();
            assert!(getkeys_proc(s).is_some());
        }
        // CONFIG SET shares its name with SET but has no getkeys proc.
        assert!(getkeys_proc(spec("config|set")).is_none());
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi(b"12abc"), 12);
        assert_eq!(atoi(b"  -3"), -3);
        assert_eq!(atoi(b"+7"), 7);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(atoi(b"4294967297"), 1);
    }
}
