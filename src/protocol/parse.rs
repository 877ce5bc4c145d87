//! Incremental parser for client requests.
//!
//! A request is either a RESP multibulk (`*N\r\n$len\r\narg\r\n...`) or an
//! inline command (a text line split like a shell line). The parser consumes
//! complete commands from the front of a client's query buffer and hands out
//! arguments as `Bytes` slices of that buffer, so payloads are never copied.
//! It keeps its position inside a partially received multibulk, so a huge
//! argument arriving over many reads is scanned once; once it knows a bulk's
//! length it reserves room for it, so the buffer grows once.
//!
//! Errors carry Valkey's exact text; the caller replies `-ERR Protocol error:
//! <text>` and closes the connection after the reply is written.

use bytes::{Buf, Bytes, BytesMut};
use std::borrow::Cow;

/// Longest inline request or length header accepted without a newline.
pub const INLINE_MAX_SIZE: usize = 64 * 1024;
/// Bulk length above which the buffer is sized exactly for the argument.
const BIG_ARG: usize = 32 * 1024;

/// A protocol violation; the text follows `Protocol error: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub Cow<'static, str>);

impl ParseError {
    /// The full error reply text.
    pub fn reply_text(&self) -> String {
        format!("ERR Protocol error: {}", self.0)
    }
}

/// Per-connection limits the parser enforces.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bulk_len: i64,
    /// Unauthenticated clients get tight limits, as in Valkey.
    pub authenticated: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bulk_len: 512 * 1024 * 1024,
            authenticated: true,
        }
    }
}

/// Parser state for one connection.
#[derive(Debug, Default)]
pub struct Parser {
    /// Arguments still expected in the current multibulk (0: between commands).
    pending: usize,
    /// Length of the bulk being received, once its header was read.
    bulk_len: Option<usize>,
    /// Arguments of a multibulk received so far; handed over on completion,
    /// so callers may clear their argv at any time.
    partial: Vec<Bytes>,
}

impl Parser {
    pub fn new() -> Self {
        Self::default()
    }

    /// True while a multibulk request is only partly received.
    pub fn in_progress(&self) -> bool {
        self.pending > 0
    }

    /// Parse one command from the front of `buf` into `argv`.
    ///
    /// Returns `Ok(true)` when a complete command is in `argv` (which is
    /// cleared first), `Ok(false)` when more bytes are needed. An empty
    /// command (blank inline line, `*0`) yields `Ok(true)` with an empty argv;
    /// callers skip it.
    pub fn parse(
        &mut self,
        buf: &mut BytesMut,
        argv: &mut Vec<Bytes>,
        limits: &Limits,
    ) -> Result<bool, ParseError> {
        if self.pending == 0 {
            argv.clear();
            if buf.is_empty() {
                return Ok(false);
            }
            if buf[0] != b'*' {
                return parse_inline(buf, argv);
            }
            let Some(nl) = memchr::memchr(b'\r', buf) else {
                if buf.len() > INLINE_MAX_SIZE {
                    return Err(ParseError(Cow::Borrowed("too big mbulk count string")));
                }
                return Ok(false);
            };
            if nl + 1 >= buf.len() {
                return Ok(false);
            }
            let count = parse_i64(&buf[1..nl])
                .ok_or(ParseError(Cow::Borrowed("invalid multibulk length")))?;
            if count > i32::MAX as i64 {
                return Err(ParseError(Cow::Borrowed("invalid multibulk length")));
            }
            if count > 10 && !limits.authenticated {
                return Err(ParseError(Cow::Borrowed(
                    "unauthenticated multibulk length",
                )));
            }
            buf.advance(nl + 2);
            if count <= 0 {
                return Ok(true);
            }
            self.pending = count as usize;
            // Do not trust the count for preallocation beyond a sane bound.
            self.partial.reserve(self.pending.min(1024));
        }
        while self.pending > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let Some(nl) = memchr::memchr(b'\r', buf) else {
                        if buf.len() > INLINE_MAX_SIZE {
                            return Err(ParseError(Cow::Borrowed("too big bulk count string")));
                        }
                        return Ok(false);
                    };
                    if nl + 1 >= buf.len() {
                        return Ok(false);
                    }
                    if buf[0] != b'$' {
                        return Err(expected_dollar(buf[0]));
                    }
                    let len = parse_i64(&buf[1..nl])
                        .ok_or(ParseError(Cow::Borrowed("invalid bulk length")))?;
                    if len < 0 || len > limits.max_bulk_len {
                        return Err(ParseError(Cow::Borrowed("invalid bulk length")));
                    }
                    if len > 16384 && !limits.authenticated {
                        return Err(ParseError(Cow::Borrowed("unauthenticated bulk length")));
                    }
                    buf.advance(nl + 2);
                    let len = len as usize;
                    if len >= BIG_ARG {
                        buf.reserve(len + 2);
                    }
                    self.bulk_len = Some(len);
                    len
                }
            };
            if buf.len() < len + 2 {
                return Ok(false);
            }
            self.partial.push(buf.split_to(len).freeze());
            buf.advance(2);
            self.bulk_len = None;
            self.pending -= 1;
        }
        argv.clear();
        std::mem::swap(argv, &mut self.partial);
        Ok(true)
    }
}

fn expected_dollar(got: u8) -> ParseError {
    ParseError(Cow::Owned(format!("expected '$', got '{}'", got as char)))
}

fn parse_inline(buf: &mut BytesMut, argv: &mut Vec<Bytes>) -> Result<bool, ParseError> {
    let Some(nl) = memchr::memchr(b'\n', buf) else {
        if buf.len() > INLINE_MAX_SIZE {
            return Err(ParseError(Cow::Borrowed("too big inline request")));
        }
        return Ok(false);
    };
    let end = if nl > 0 && buf[nl - 1] == b'\r' {
        nl - 1
    } else {
        nl
    };
    let parts = crate::util::splitargs::split_args(&buf[..end])
        .ok_or(ParseError(Cow::Borrowed("unbalanced quotes in request")))?;
    buf.advance(nl + 1);
    argv.extend(parts.into_iter().map(Bytes::from));
    Ok(true)
}

/// Strict decimal i64 parse (Valkey's `string2ll`): optional `-`, no `+`,
/// no leading zeros, no spaces, no overflow.
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    crate::util::num::parse_i64(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ParseError> {
        let mut p = Parser::new();
        let mut buf = BytesMut::from(input);
        let mut argv = Vec::new();
        let mut cmds = Vec::new();
        while p.parse(&mut buf, &mut argv, &Limits::default())? {
            cmds.push(argv.iter().map(|a| a.to_vec()).collect());
            if buf.is_empty() {
                break;
            }
        }
        Ok(cmds)
    }

    #[test]
    fn multibulk_and_pipeline() {
        let cmds = run(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n").unwrap();
        assert_eq!(
            cmds,
            vec![vec![b"GET".to_vec(), b"k".to_vec()], vec![b"PING".to_vec()]]
        );
    }

    #[test]
    fn inline() {
        let cmds = run(b"set a \"b c\"\r\nping\n").unwrap();
        assert_eq!(
            cmds[0],
            vec![b"set".to_vec(), b"a".to_vec(), b"b c".to_vec()]
        );
        assert_eq!(cmds[1], vec![b"ping".to_vec()]);
    }

    #[test]
    fn split_at_every_byte() {
        let input = b"*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$0\r\n\r\n";
        for cut in 0..input.len() {
            let mut p = Parser::new();
            let mut buf = BytesMut::from(&input[..cut]);
            let mut argv = Vec::new();
            let lim = Limits::default();
            let done = p.parse(&mut buf, &mut argv, &lim).unwrap();
            assert!(!done || cut == input.len());
            buf.extend_from_slice(&input[cut..]);
            assert!(p.parse(&mut buf, &mut argv, &lim).unwrap());
            assert_eq!(argv.len(), 3);
            assert_eq!(&argv[1][..], b"hello");
            assert_eq!(&argv[2][..], b"");
        }
    }

    #[test]
    fn caller_may_clear_argv_mid_command() {
        let mut p = Parser::new();
        let mut argv = Vec::new();
        let lim = Limits::default();
        let mut buf = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$1\r"[..]);
        assert!(!p.parse(&mut buf, &mut argv, &lim).unwrap());
        argv.clear();
        buf.extend_from_slice(b"\nk\r\n");
        assert!(p.parse(&mut buf, &mut argv, &lim).unwrap());
        assert_eq!(
            argv,
            vec![Bytes::from_static(b"GET"), Bytes::from_static(b"k")]
        );
    }

    #[test]
    fn protocol_errors() {
        assert_eq!(run(b"*abc\r\n").unwrap_err().0, "invalid multibulk length");
        assert_eq!(
            run(b"*3000000000\r\n").unwrap_err().0,
            "invalid multibulk length"
        );
        assert_eq!(run(b"*1\r\n$-1\r\n").unwrap_err().0, "invalid bulk length");
        assert_eq!(
            run(b"*1\r\n$99999999999\r\n").unwrap_err().0,
            "invalid bulk length"
        );
        assert_eq!(
            run(b"*1\r\nfoo\r\n").unwrap_err().0,
            "expected '$', got 'f'"
        );
        assert_eq!(
            run(b"set \"a\r\n").unwrap_err().0,
            "unbalanced quotes in request"
        );
        let big = vec![b'a'; INLINE_MAX_SIZE + 1];
        assert_eq!(run(&big).unwrap_err().0, "too big inline request");
        let mut big = b"*".to_vec();
        big.extend(vec![b'1'; INLINE_MAX_SIZE + 1]);
        assert_eq!(run(&big).unwrap_err().0, "too big mbulk count string");
    }

    #[test]
    fn empty_commands_are_skippable() {
        assert_eq!(run(b"*0\r\n").unwrap(), vec![Vec::<Vec<u8>>::new()]);
        assert_eq!(run(b"\r\n").unwrap(), vec![Vec::<Vec<u8>>::new()]);
    }

    proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = run(&data);
        }

        #[test]
        fn never_panics_structured(parts in proptest::collection::vec(
            prop_oneof![Just(b"*".to_vec()), Just(b"$".to_vec()), Just(b"\r\n".to_vec()),
                        Just(b"3".to_vec()), Just(b"-1".to_vec()), Just(b"\"".to_vec()),
                        Just(b"abc".to_vec()), Just(b"\n".to_vec())], 0..40)) {
            let _ = run(&parts.concat());
        }

        #[test]
        fn roundtrip(args in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..8)) {
            let mut enc = format!("*{}\r\n", args.len()).into_bytes();
            for a in &args {
                enc.extend(format!("${}\r\n", a.len()).bytes());
                enc.extend(a);
                enc.extend(b"\r\n");
            }
            let cmds = run(&enc).unwrap();
            prop_assert_eq!(&cmds[0], &args);
        }
    }
}
