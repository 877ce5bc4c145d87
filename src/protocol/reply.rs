//! Reply writer: appends RESP2/RESP3 encoded values to a client's output
//! buffer.
//!
//! Every command writes its reply through [`Reply`], which knows the protocol
//! version the client negotiated with HELLO, so handlers never branch on it:
//! a map is `*2n` in RESP2 and `%n` in RESP3, a null is `$-1` or `_`, a double
//! is a bulk string or `,`, and so on, exactly as Valkey encodes them.

use std::io::Write;

/// An output buffer plus the protocol version it is encoded for.
#[derive(Debug, Default)]
pub struct Reply {
    pub buf: Vec<u8>,
    pub resp3: bool,
}

const CRLF: &[u8] = b"\r\n";

impl Reply {
    pub fn new(resp3: bool) -> Self {
        Reply {
            buf: Vec::new(),
            resp3,
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    #[inline]
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    #[inline]
    fn prefixed_num(&mut self, prefix: u8, n: i64) {
        let mut tmp = itoa::Buffer::new();
        self.buf.push(prefix);
        self.buf.extend_from_slice(tmp.format(n).as_bytes());
        self.buf.extend_from_slice(CRLF);
    }

    #[inline]
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// `+text` — the text must not contain CR or LF.
    #[inline]
    pub fn simple(&mut self, text: &str) {
        self.simple_bytes(text.as_bytes());
    }

    pub fn simple_bytes(&mut self, text: &[u8]) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(text);
        self.buf.extend_from_slice(CRLF);
    }

    /// `-text`: `text` already carries its code (`ERR ...`, `WRONGTYPE ...`).
    /// CR and LF are replaced by spaces as Valkey does, so a reply can never
    /// break the protocol.
    pub fn error(&mut self, text: &str) {
        self.buf.push(b'-');
        let start = self.buf.len();
        self.buf.extend_from_slice(text.as_bytes());
        for b in &mut self.buf[start..] {
            if *b == b'\r' || *b == b'\n' {
                *b = b' ';
            }
        }
        self.buf.extend_from_slice(CRLF);
    }

    #[inline]
    pub fn int(&mut self, n: i64) {
        match n {
            0 => self.buf.extend_from_slice(b":0\r\n"),
            1 => self.buf.extend_from_slice(b":1\r\n"),
            _ => self.prefixed_num(b':', n),
        }
    }

    #[inline]
    pub fn bulk(&mut self, data: &[u8]) {
        self.prefixed_num(b'$', data.len() as i64);
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(CRLF);
    }

    pub fn bulk_str(&mut self, s: &str) {
        self.bulk(s.as_bytes());
    }

    /// A bulk string holding the decimal form of `n`.
    pub fn bulk_int(&mut self, n: i64) {
        let mut tmp = itoa::Buffer::new();
        self.bulk(tmp.format(n).as_bytes());
    }

    /// Null bulk string: `$-1` (RESP2) or `_` (RESP3).
    #[inline]
    pub fn null(&mut self) {
        if self.resp3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"$-1\r\n");
        }
    }

    /// Null array: `*-1` (RESP2) or `_` (RESP3).
    pub fn null_array(&mut self) {
        if self.resp3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"*-1\r\n");
        }
    }

    #[inline]
    pub fn array(&mut self, len: usize) {
        self.prefixed_num(b'*', len as i64);
    }

    /// A map of `len` key/value pairs (RESP3 `%`, RESP2 flat array).
    pub fn map(&mut self, len: usize) {
        if self.resp3 {
            self.prefixed_num(b'%', len as i64);
        } else {
            self.prefixed_num(b'*', 2 * len as i64);
        }
    }

    /// A set (RESP3 `~`, RESP2 array).
    pub fn set(&mut self, len: usize) {
        self.prefixed_num(if self.resp3 { b'~' } else { b'*' }, len as i64);
    }

    /// An out-of-band push (RESP3 `>`, RESP2 array).
    pub fn push(&mut self, len: usize) {
        self.prefixed_num(if self.resp3 { b'>' } else { b'*' }, len as i64);
    }

    pub fn empty_array(&mut self) {
        self.buf.extend_from_slice(b"*0\r\n");
    }

    /// A double (RESP3 `,`, RESP2 bulk string), formatted like Valkey's
    /// `%.17g` with `inf`/`-inf`/`nan`.
    pub fn double(&mut self, d: f64) {
        let mut tmp = [0u8; 40];
        let n = crate::util::num::fmt_double(d, &mut tmp);
        if self.resp3 {
            self.buf.push(b',');
            self.buf.extend_from_slice(&tmp[..n]);
            self.buf.extend_from_slice(CRLF);
        } else {
            self.bulk(&tmp[..n]);
        }
    }

    /// A boolean (RESP3 `#t`/`#f`, RESP2 integer 1/0).
    pub fn boolean(&mut self, b: bool) {
        if self.resp3 {
            self.buf
                .extend_from_slice(if b { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.int(b as i64);
        }
    }

    /// Verbatim string (RESP3 `=len\r\ntxt:...`, RESP2 bulk string).
    pub fn verbatim(&mut self, text: &[u8], format: &str) {
        if self.resp3 {
            self.prefixed_num(b'=', (text.len() + 4) as i64);
            self.buf.extend_from_slice(format.as_bytes());
            self.buf.push(b':');
            self.buf.extend_from_slice(text);
            self.buf.extend_from_slice(CRLF);
        } else {
            self.bulk(text);
        }
    }

    /// Big number (RESP3 `(`, RESP2 bulk string).
    pub fn big_number(&mut self, digits: &str) {
        if self.resp3 {
            self.buf.push(b'(');
            self.buf.extend_from_slice(digits.as_bytes());
            self.buf.extend_from_slice(CRLF);
        } else {
            self.bulk(digits.as_bytes());
        }
    }

    /// Reserve room for an aggregate header whose length is not known yet;
    /// fill it in with [`Reply::set_deferred_len`].
    pub fn deferred(&mut self) -> Deferred {
        let pos = self.buf.len();
        // A placeholder wide enough for any header; set_deferred_len
        // replaces it in place.
        self.buf.extend_from_slice(&[0u8; DEFERRED_WIDTH]);
        Deferred { pos }
    }

    /// Write the header for a deferred aggregate. `kind` is `*` (array),
    /// `%` (map, `len` pairs) or `~` (set); the RESP2 fallback is applied here.
    pub fn set_deferred_len(&mut self, d: Deferred, kind: u8, len: usize) {
        let (prefix, n) = match kind {
            b'%' if !self.resp3 => (b'*', len * 2),
            b'~' if !self.resp3 => (b'*', len),
            k => (k, len),
        };
        let mut hdr = Vec::with_capacity(DEFERRED_WIDTH);
        hdr.push(prefix);
        let _ = write!(hdr, "{n}\r\n");
        self.buf.splice(d.pos..d.pos + DEFERRED_WIDTH, hdr);
    }
}

const DEFERRED_WIDTH: usize = 1;

/// Position of a deferred aggregate header in the output buffer.
#[derive(Debug)]
#[must_use]
pub struct Deferred {
    pos: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_and_resp3_encodings() {
        let mut r = Reply::new(false);
        r.null();
        r.map(2);
        r.double(1.5);
        r.boolean(true);
        assert_eq!(r.buf, b"$-1\r\n*4\r\n$3\r\n1.5\r\n:1\r\n");
        let mut r = Reply::new(true);
        r.null();
        r.map(2);
        r.double(1.5);
        r.boolean(true);
        assert_eq!(r.buf, b"_\r\n%2\r\n,1.5\r\n#t\r\n");
    }

    #[test]
    fn deferred_headers() {
        let mut r = Reply::new(false);
        let d = r.deferred();
        r.bulk(b"a");
        r.bulk(b"b");
        r.set_deferred_len(d, b'%', 1);
        assert_eq!(r.buf, b"*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    }

    #[test]
    fn errors_cannot_break_framing() {
        let mut r = Reply::new(false);
        r.error("ERR bad\r\nthing");
        assert_eq!(r.buf, b"-ERR bad  thing\r\n");
    }
}
