//! Glob-style pattern matching with Valkey's `stringmatchlen` rules.
//!
//! One matcher serves `KEYS`, `SCAN … MATCH`, `PSUBSCRIBE`, `CONFIG GET`,
//! ACL key/channel patterns and config-file `include` wildcards, so that all
//! of them agree with Valkey on every corner case:
//!
//! - `*` matches any run of bytes (also empty), `?` exactly one byte;
//! - `[abc]`, `[^abc]`, `[a-z]` (a reversed range `[z-a]` works too), `\x`
//!   inside a class takes `x` literally; an unterminated class runs to the
//!   end of the pattern;
//! - `\x` outside a class matches `x` literally (a trailing `\` matches `\`);
//! - `nocase` folds ASCII letters only;
//! - as in Valkey, an empty subject matches only the empty pattern (`*`
//!   does not match `""`: `KEYS *` special-cases the lone star).
//!
//! Like Valkey, the matcher gives up (no match) past 1000 levels of `*`
//! nesting, and stops retrying longer `*` matches once the rest of the pattern
//! failed to match anywhere in the remaining subject, so abusive patterns such
//! as `a*a*a*a*…b` stay linear-ish instead of exponential.

/// Returns whether `s` matches the glob `pattern`.
pub fn string_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_impl(pattern, s, nocase, &mut skip_longer, 0)
}

#[inline]
fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// Byte as C's (signed) `char` promoted to `int`: Valkey compares class
/// ranges that way, so `[a-\xff]` behaves exactly as it does there.
#[inline]
fn as_c_int(c: u8) -> i32 {
    c as i8 as i32
}

fn match_impl(
    mut p: &[u8],
    mut s: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    nesting: u32,
) -> bool {
    // Protection against abusive patterns.
    if nesting > 1000 {
        return false;
    }
    while !p.is_empty() && !s.is_empty() {
        match p[0] {
            b'*' => {
                while p.len() > 1 && p[1] == b'*' {
                    p = &p[1..];
                }
                if p.len() == 1 {
                    return true;
                }
                while !s.is_empty() {
                    if match_impl(&p[1..], s, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    s = &s[1..];
                }
                // The rest of the pattern matched nowhere in the rest of the
                // subject: earlier stars cannot help by matching more.
                *skip_longer = true;
                return false;
            }
            b'?' => {
                s = &s[1..];
            }
            b'[' => {
                p = &p[1..];
                let not = p.first() == Some(&b'^');
                if not {
                    p = &p[1..];
                }
                let c = s[0];
                let mut matched = false;
                loop {
                    if p.is_empty() {
                        // Unterminated class: stop at the end of the pattern.
                        break;
                    }
                    if p[0] == b'\\' && p.len() >= 2 {
                        p = &p[1..];
                        if p[0] == c {
                            matched = true;
                        }
                    } else if p[0] == b']' {
                        break;
                    } else if p.len() >= 3 && p[1] == b'-' {
                        let (mut start, mut end) = (as_c_int(p[0]), as_c_int(p[2]));
                        let mut ch = as_c_int(c);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        if nocase {
                            start = lower_int(start);
                            end = lower_int(end);
                            ch = lower_int(ch);
                        }
                        p = &p[2..];
                        if ch >= start && ch <= end {
                            matched = true;
                        }
                    } else if fold(p[0], nocase) == fold(c, nocase) {
                        matched = true;
                    }
                    p = &p[1..];
                }
                if not {
                    matched = !matched;
                }
                if !matched {
                    return false;
                }
                s = &s[1..];
                // `p` points at the closing `]` (or is empty): the common
                // advance below steps over it.
                if p.is_empty() {
                    // Compensate for the unconditional advance below.
                    if s.is_empty() {
                        return true;
                    }
                    return false;
                }
            }
            b'\\' if p.len() >= 2 => {
                p = &p[1..];
                if fold(p[0], nocase) != fold(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
            other => {
                if fold(other, nocase) != fold(s[0], nocase) {
                    return false;
                }
                s = &s[1..];
            }
        }
        p = &p[1..];
        if s.is_empty() {
            while p.first() == Some(&b'*') {
                p = &p[1..];
            }
            break;
        }
    }
    p.is_empty() && s.is_empty()
}

#[inline]
fn lower_int(c: i32) -> i32 {
    if (b'A' as i32..=b'Z' as i32).contains(&c) {
        c + 32
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::string_match;

    fn m(p: &str, s: &str) -> bool {
        string_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn literals_and_wildcards() {
        assert!(m("", ""));
        assert!(!m("", "a"));
        assert!(!m("a", ""));
        // As in Valkey, a pattern never matches an empty subject (KEYS
        // special-cases a lone `*`); trailing stars after a match are fine.
        assert!(!m("*", ""));
        assert!(!m("**", ""));
        assert!(m("*", "anything"));
        assert!(m("**", "x"));
        assert!(m("hello", "hello"));
        assert!(!m("hello", "hell"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("*llo", "hello"));
        assert!(m("he*", "hello"));
        assert!(m("a*b*c", "a123b456c"));
        assert!(!m("a*b*c", "a123b456"));
        assert!(m("a*", "a"));
        assert!(m("a**", "a"));
        assert!(!m("?", ""));
    }

    #[test]
    fn classes() {
        assert!(m("h[ae]llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(!m("h[a-b]llo", "hcllo"));
        assert!(m("[\\]]", "]"));
        assert!(m("[a\\-z]", "-"));
        assert!(!m("[a\\-z]", "b"));
        // Unterminated class runs to the end of the pattern.
        assert!(m("[abc", "b"));
        assert!(!m("[abc", "bz"));
        assert!(!m("x[", "x"));
    }

    #[test]
    fn escapes() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("a\\?", "a?"));
        assert!(m("\\", "\\"));
        assert!(m("a\\", "a\\"));
    }

    #[test]
    fn nocase() {
        assert!(string_match(b"MAXMEM*", b"maxmemory", true));
        assert!(!string_match(b"MAXMEM*", b"maxmemory", false));
        assert!(string_match(b"[A-C]x", b"bX", true));
        assert!(string_match(b"[a-c]x", b"BX", true));
    }

    #[test]
    fn abusive_pattern_terminates() {
        let p = "a*".repeat(40) + "b";
        let s = "a".repeat(100);
        assert!(!m(&p, &s));
        let deep = "*".repeat(5000) + "x";
        assert!(m(&deep, "yyyx"));
    }

    #[test]
    fn config_names() {
        assert!(string_match(
            b"*max-*-entries*",
            b"hash-max-listpack-entries",
            true
        ));
        assert!(string_match(b"maxmemory*", b"maxmemory-policy", true));
        assert!(!string_match(b"maxmemory?", b"maxmemory", true));
    }
}
