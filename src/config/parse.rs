//! The syntax of `valkey.conf` and of `valkey-server` command lines.
//!
//! Everything here is pure text handling with Valkey's exact rules (the
//! semantics of each directive live in `table.rs` and `mod.rs`):
//!
//! - [`split_args`]: one line into arguments (`sdssplitargs`): double quotes
//!   with `\n \r \t \b \a \\ \" \xHH` escapes, single quotes with `\'` only, a
//!   closing quote must be followed by whitespace or the end of the line.
//! - [`lines`]: a whole file into numbered, trimmed lines.
//! - [`repr`]: the inverse of `split_args` (`sdscatrepr`), used by
//!   CONFIG REWRITE and to turn command-line options into config lines.
//! - Number parsers with the same acceptance rules as Valkey's `memtoull`,
//!   `string2ll` and `strtoll`.
//! - [`cli_options`]: `--name value …` into config lines, and
//!   [`absolute_path`] (`getAbsolutePath`).
//! - [`expand_include`]: `include` paths with `*`, `?`, `[…]` wildcards.

use std::path::{Path, PathBuf};

pub(crate) use crate::util::splitargs::is_c_space;
pub use crate::util::splitargs::split_args;

/// Quotes `s` so that [`split_args`] yields it back as one argument
/// (Valkey's `sdscatrepr`).
pub fn repr(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &c in s {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{:02x}", c)),
        }
    }
    out.push('"');
    out
}

/// Trims like `sdstrim(s, " \t\r\n")`.
pub(crate) fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if matches!(first, b' ' | b'\t' | b'\r' | b'\n') {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if matches!(last, b' ' | b'\t' | b'\r' | b'\n') {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// The lines of a config text, numbered from 1 and trimmed, the way
/// `loadServerConfigFromString` sees them (split on `\n` only).
pub fn lines(content: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    content
        .split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, l)| (i + 1, trim(l)))
}

/// Whether a trimmed line is a comment or blank (skipped before splitting).
pub fn is_comment_or_blank(line: &[u8]) -> bool {
    line.is_empty() || line[0] == b'#'
}

/// `yes`/`no` (any case) into a bool (`yesnotoi`).
pub fn yes_no(s: &[u8]) -> Option<bool> {
    if s.eq_ignore_ascii_case(b"yes") {
        Some(true)
    } else if s.eq_ignore_ascii_case(b"no") {
        Some(false)
    } else {
        None
    }
}

/// Parses a memory value (`memtoull`): digits with an optional unit `b`,
/// `k` (1000), `kb` (1024), `m`, `mb`, `g`, `gb`, any case. `None` on error.
/// As in Valkey, an empty digit part counts as 0 (`""` and `"mb"` are 0).
pub fn memtoull(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = &s[digits..];
    let mul: u64 = if unit.is_empty() || unit.eq_ignore_ascii_case(b"b") {
        1
    } else if unit.eq_ignore_ascii_case(b"k") {
        1000
    } else if unit.eq_ignore_ascii_case(b"kb") {
        1024
    } else if unit.eq_ignore_ascii_case(b"m") {
        1000 * 1000
    } else if unit.eq_ignore_ascii_case(b"mb") {
        1024 * 1024
    } else if unit.eq_ignore_ascii_case(b"g") {
        1000 * 1000 * 1000
    } else if unit.eq_ignore_ascii_case(b"gb") {
        1024 * 1024 * 1024
    } else {
        return None;
    };
    if digits >= 128 {
        return None;
    }
    // strtoull saturates on overflow (ERANGE is not checked by Valkey) and
    // the unit multiplication wraps, exactly as in C.
    let mut val: u64 = 0;
    for &c in &s[..digits] {
        val = val.saturating_mul(10).saturating_add((c - b'0') as u64);
    }
    Some(val.wrapping_mul(mul))
}

/// Strict integer parsing (`string2ll`): optional `-`, no `+`, no spaces, no
/// leading zeros (except `"0"` itself), no `-0`, must fit in an `i64`.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = if s[0] == b'-' {
        (true, &s[1..])
    } else {
        (false, s)
    };
    match digits.first() {
        Some(b'1'..=b'9') => {}
        _ => return None,
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > (i64::MAX as u64) + 1 {
            None
        } else {
            Some((v as i64).wrapping_neg())
        }
    } else if v > i64::MAX as u64 {
        None
    } else {
        Some(v as i64)
    }
}

/// `strtoll(s, &end, base)` followed by a check that the whole string was
/// consumed. Leading whitespace and a sign are accepted, an empty string
/// parses as 0 (as in C); `overflow` reports `ERANGE` (the value saturates).
pub(crate) fn strtoll_full(s: &[u8], base: u32) -> Option<(i64, bool)> {
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut v: u128 = 0;
    let mut overflow = false;
    while i < s.len() {
        let d = match (s[i] as char).to_digit(base) {
            Some(d) => d,
            None => break,
        };
        v = v * base as u128 + d as u128;
        if v > (i64::MAX as u128) + 1 {
            overflow = true;
            v = (i64::MAX as u128) + 1;
        }
        i += 1;
    }
    if i == start {
        // No digits: strtoll sets end to the start of the string.
        return if s.is_empty() { Some((0, false)) } else { None };
    }
    if i != s.len() {
        return None;
    }
    let val = if neg {
        if v > (i64::MAX as u128) + 1 {
            overflow = true;
            i64::MIN
        } else {
            (v as i128).wrapping_neg() as i64
        }
    } else if v > i64::MAX as u128 {
        overflow = true;
        i64::MAX
    } else {
        v as i64
    };
    Some((val, overflow))
}

/// Turns the command-line arguments that follow the (optional) config file
/// into config-file text, the way `valkey-server`'s `main()` does:
/// `--port 6380 --save 60 1` becomes `port "6380" \nsave "60" "1" `.
///
/// `has_file` says whether a config file argument preceded `args` (it
/// decides whether a leading `-` means "read stdin"). Returns the text and
/// whether the configuration must also be read from stdin.
pub fn cli_options(args: &[String], has_file: bool) -> (String, bool) {
    let mut options = String::new();
    let mut stdin = false;
    let mut handled_last_config_arg = true;
    let last = args.len().saturating_sub(1);
    for (j, arg) in args.iter().enumerate() {
        let b = arg.as_bytes();
        let is_first_argv = !has_file && j == 0;
        if arg == "-" && (is_first_argv || j == last) {
            stdin = true;
        } else if handled_last_config_arg && b.len() >= 2 && b[0] == b'-' && b[1] == b'-' {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&arg[2..]);
            options.push(' ');
            let parts = split_args(b).map(|v| v.len()).unwrap_or(0);
            if parts == 1 {
                handled_last_config_arg = false;
                let is_save = arg.eq_ignore_ascii_case("--save");
                if is_save && j != last && args[j + 1].starts_with("--") {
                    // `--save --port 1` means `--save "" --port 1`.
                    options.push_str("\"\"");
                    handled_last_config_arg = true;
                } else if is_save && j == last {
                    options.push_str("\"\"");
                    handled_last_config_arg = true;
                }
            } else {
                handled_last_config_arg = true;
            }
        } else {
            options.push_str(&repr(b));
            options.push(' ');
            handled_last_config_arg = true;
        }
    }
    (options, stdin)
}

/// Valkey's `getAbsolutePath`: joins a relative path to the current
/// directory, folding leading `../` elements. `None` if the cwd is unknown.
pub fn absolute_path(filename: &str) -> Option<String> {
    let rel = String::from_utf8_lossy(trim(filename.as_bytes())).into_owned();
    if rel.starts_with('/') {
        return Some(rel);
    }
    let cwd = std::env::current_dir().ok()?;
    let mut abs = cwd.to_string_lossy().into_owned();
    if !abs.is_empty() && !abs.ends_with('/') {
        abs.push('/');
    }
    let mut rel: &str = &rel;
    while rel.len() >= 3 && rel.starts_with("../") {
        rel = &rel[3..];
        if abs.len() > 1 {
            // Drop the last path element of `abs` (which ends with '/').
            let without_slash = &abs[..abs.len() - 1];
            let cut = without_slash.rfind('/').map(|p| p + 1).unwrap_or(0);
            abs.truncate(cut);
        }
    }
    abs.push_str(rel);
    Some(abs)
}

/// Whether an include path contains glob characters.
pub fn has_wildcards(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Expands an include pattern like glob(3): each path component may hold
/// wildcards, which never match `/` nor a leading `.` (unless the pattern
/// component starts with `.`). Results are sorted; no match gives an empty
/// list (Valkey then silently skips the include).
pub fn expand_include(pattern: &str) -> Vec<PathBuf> {
    let absolute = pattern.starts_with('/');
    let comps: Vec<&str> = pattern.split('/').filter(|c| !c.is_empty()).collect();
    let mut current: Vec<PathBuf> = vec![if absolute {
        PathBuf::from("/")
    } else {
        PathBuf::new()
    }];
    for (idx, comp) in comps.iter().enumerate() {
        let is_last = idx + 1 == comps.len();
        let mut next = Vec::new();
        for base in &current {
            if !has_wildcards(comp) {
                let p = base.join(comp);
                if is_last || p.is_dir() {
                    next.push(p);
                }
                continue;
            }
            let dir: &Path = if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base
            };
            let Ok(rd) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.') || comp.starts_with('.'))
                .filter(|n| crate::util::glob::string_match(comp.as_bytes(), n.as_bytes(), false))
                .collect();
            names.sort();
            for n in names {
                let p = base.join(&n);
                if is_last || p.is_dir() {
                    next.push(p);
                }
            }
        }
        current = next;
    }
    if comps.is_empty() {
        return Vec::new();
    }
    current.retain(|p| p.exists());
    current.sort();
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sa(line: &str) -> Option<Vec<String>> {
        split_args(line.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn split_basic() {
        assert_eq!(sa("port 6379").unwrap(), ["port", "6379"]);
        assert_eq!(sa("   save 900 1   ").unwrap(), ["save", "900", "1"]);
        assert_eq!(sa("").unwrap(), Vec::<String>::new());
        assert_eq!(sa("   \t ").unwrap(), Vec::<String>::new());
        assert_eq!(sa("save \"\"").unwrap(), ["save", ""]);
        assert_eq!(sa("a\"b c\"d").unwrap_or_default(), Vec::<String>::new());
    }

    #[test]
    fn split_quotes_and_escapes() {
        assert_eq!(
            sa(r#"requirepass "a b\n\r\t\\\"\x41\x4a""#).unwrap(),
            ["requirepass", "a b\n\r\t\\\"AJ"]
        );
        assert_eq!(sa(r#"x "\b\a\q""#).unwrap(), ["x", "\u{8}\u{7}q"]);
        assert_eq!(sa(r"x 'it\'s' 'a\nb'").unwrap(), ["x", "it's", "a\\nb"]);
        // a quote may start in the middle of a token
        assert_eq!(sa(r#"ab"cd ef""#).unwrap(), ["abcd ef"]);
        // \x with bad hex is a plain escaped 'x'
        assert_eq!(sa(r#"x "\xzz""#).unwrap(), ["x", "xzz"]);
        // vertical tab separates tokens only between tokens
        assert_eq!(sa("a\x0bb").unwrap(), ["a\x0bb"]);
        assert_eq!(sa("a \x0b b").unwrap(), ["a", "b"]);
    }

    #[test]
    fn split_unbalanced() {
        assert!(sa("port \"6379").is_none());
        assert!(sa("port '6379").is_none());
        assert!(sa("port \"6379\"x").is_none());
        assert!(sa("port '6379'x").is_none());
        assert!(sa("port \"a\\\"").is_none());
        assert!(sa("port \"6379\"\tx").is_some());
    }

    #[test]
    fn split_nul_ends_line() {
        assert_eq!(
            split_args(b"a b\0c d").unwrap(),
            vec![b"a".to_vec(), b"b".to_vec()]
        );
        assert!(split_args(b"a \"b\0\"").is_none());
    }

    #[test]
    fn repr_roundtrip() {
        for s in [
            &b""[..],
            b"abc",
            b"a b",
            b"\"q\"",
            b"\\",
            b"\x00\x01\xff\n\r\t\x07\x08",
            b"it's",
        ] {
            let r = repr(s);
            let back = split_args(r.as_bytes()).unwrap();
            assert_eq!(back, vec![s.to_vec()], "{r}");
        }
        assert_eq!(repr(b"a\x01"), "\"a\\x01\"");
    }

    #[test]
    fn memory_values() {
        assert_eq!(memtoull(b"0"), Some(0));
        assert_eq!(memtoull(b"100"), Some(100));
        assert_eq!(memtoull(b"1k"), Some(1000));
        assert_eq!(memtoull(b"1kb"), Some(1024));
        assert_eq!(memtoull(b"1K"), Some(1000));
        assert_eq!(memtoull(b"1KB"), Some(1024));
        assert_eq!(memtoull(b"2m"), Some(2_000_000));
        assert_eq!(memtoull(b"2mb"), Some(2 << 20));
        assert_eq!(memtoull(b"3g"), Some(3_000_000_000));
        assert_eq!(memtoull(b"3Gb"), Some(3 << 30));
        assert_eq!(memtoull(b"10b"), Some(10));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"mb"), Some(0));
        assert_eq!(memtoull(b"-1"), None);
        assert_eq!(memtoull(b"1x"), None);
        assert_eq!(memtoull(b"1.5mb"), None);
        assert_eq!(memtoull(b" 1"), None);
        assert_eq!(memtoull(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(memtoull(b"18446744073709551616"), Some(u64::MAX));
        assert_eq!(memtoull(b"17179869184gb"), Some(0));
    }

    #[test]
    fn strict_integers() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-1"), Some(-1));
        assert_eq!(string2ll(b"123"), Some(123));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(string2ll(b"9223372036854775808"), None);
        assert_eq!(string2ll(b"-0"), None);
        assert_eq!(string2ll(b"01"), None);
        assert_eq!(string2ll(b"+1"), None);
        assert_eq!(string2ll(b" 1"), None);
        assert_eq!(string2ll(b""), None);
        assert_eq!(string2ll(b"1k"), None);
    }

    #[test]
    fn c_strtoll() {
        assert_eq!(strtoll_full(b"12", 10), Some((12, false)));
        assert_eq!(strtoll_full(b" +12", 10), Some((12, false)));
        assert_eq!(strtoll_full(b"-12", 10), Some((-12, false)));
        assert_eq!(strtoll_full(b"012", 10), Some((12, false)));
        assert_eq!(strtoll_full(b"", 10), Some((0, false)));
        assert_eq!(strtoll_full(b"x", 10), None);
        assert_eq!(strtoll_full(b"12x", 10), None);
        assert_eq!(strtoll_full(b"777", 8), Some((511, false)));
        assert_eq!(strtoll_full(b"8", 8), None);
        assert_eq!(
            strtoll_full(b"99999999999999999999", 10),
            Some((i64::MAX, true))
        );
    }

    #[test]
    fn cli_to_options() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            cli_options(&a(&["--port", "7000"]), false),
            ("port \"7000\" ".to_string(), false)
        );
        assert_eq!(
            cli_options(&a(&["--port", "7000", "--save", "60", "1"]), true).0,
            "port \"7000\" \nsave \"60\" \"1\" "
        );
        assert_eq!(
            cli_options(&a(&["--save", "--port", "1"]), true).0,
            "save \"\"\nport \"1\" "
        );
        assert_eq!(cli_options(&a(&["--save"]), true).0, "save \"\"");
        assert_eq!(cli_options(&a(&["--port 7000"]), true).0, "port 7000 ");
        assert_eq!(
            cli_options(&a(&["--maxmemory", "--foo"]), true).0,
            "maxmemory \"--foo\" "
        );
        assert_eq!(
            cli_options(&a(&["-", "--port", "1"]), false),
            ("port \"1\" ".to_string(), true)
        );
        assert_eq!(
            cli_options(&a(&["--port", "1", "-"]), true),
            ("port \"1\" ".to_string(), true)
        );
        assert_eq!(
            cli_options(&a(&["--requirepass", "a b\"c"]), true).0,
            "requirepass \"a b\\\"c\" "
        );
    }

    #[test]
    fn absolute_paths() {
        assert_eq!(
            absolute_path("/etc/valkey.conf").unwrap(),
            "/etc/valkey.conf"
        );
        let cwd = std::env::current_dir().unwrap();
        let joined = absolute_path("x.conf").unwrap();
        assert!(joined.ends_with("/x.conf"));
        assert!(joined.starts_with(&*cwd.to_string_lossy()));
        let up = absolute_path("../x.conf").unwrap();
        let parent = cwd.parent().unwrap().to_string_lossy().into_owned();
        let expect = if parent == "/" {
            "/x.conf".to_string()
        } else {
            format!("{parent}/x.conf")
        };
        assert_eq!(up, expect);
    }

    #[test]
    fn line_iteration() {
        let v: Vec<_> = lines(b"a\n  b  \r\n\n# c").collect();
        assert_eq!(v, vec![(1, &b"a"[..]), (2, b"b"), (3, b""), (4, b"# c")]);
    }
}
