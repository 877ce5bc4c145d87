//! Splitting a text line into arguments with Valkey's quoting rules.
//!
//! Inline commands (`SET "a b" 'c'`), config files and `valkey-cli` share one
//! grammar: whitespace separates arguments; double quotes allow `\n \r \t \b
//! \a \\ \" \xHH` escapes; single quotes allow only `\'`; a closing quote must
//! be followed by whitespace or the end of the line.

/// Splits a line into arguments with Valkey's `sdssplitargs` rules.
///
/// Returns `None` on unbalanced quotes (or a closing quote directly followed
/// by a non-space). A NUL byte ends the line, as it does for the C string.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(end) => &line[..end],
        None => line,
    };
    let n = line.len();
    let at = |i: usize| -> u8 {
        if i < n {
            line[i]
        } else {
            0
        }
    };
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < n && is_c_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Some(out);
        }
        let mut cur = Vec::new();
        let (mut inq, mut insq, mut done) = (false, false, false);
        while !done {
            let c = at(i);
            if inq {
                if c == b'\\'
                    && at(i + 1) == b'x'
                    && at(i + 2).is_ascii_hexdigit()
                    && at(i + 3).is_ascii_hexdigit()
                {
                    cur.push(hex(at(i + 2)) * 16 + hex(at(i + 3)));
                    i += 3;
                } else if c == b'\\' && at(i + 1) != 0 {
                    i += 1;
                    cur.push(match at(i) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(i + 1) != 0 && !is_c_space(at(i + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else if insq {
                if c == b'\\' && at(i + 1) == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if at(i + 1) != 0 && !is_c_space(at(i + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    other => cur.push(other),
                }
            }
            if i < n {
                i += 1;
            }
        }
        out.push(cur);
    }
}

/// `isspace()` in the C locale.
#[inline]
pub fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::split_args;

    fn s(line: &str) -> Option<Vec<String>> {
        split_args(line.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn plain_and_quoted() {
        assert_eq!(s("set a b").unwrap(), ["set", "a", "b"]);
        assert_eq!(s("  set \"a b\" 'c d'  ").unwrap(), ["set", "a b", "c d"]);
        assert_eq!(s("x \"\\x41\\n\"").unwrap(), ["x", "A\n"]);
        assert_eq!(s("x 'it\\'s'").unwrap(), ["x", "it's"]);
        assert_eq!(s("").unwrap(), Vec::<String>::new());
        assert_eq!(s("x \"\"").unwrap(), ["x", ""]);
    }

    #[test]
    fn unbalanced() {
        assert!(s("set \"a").is_none());
        assert!(s("set 'a").is_none());
        assert!(s("set \"a\"b").is_none());
    }
}
