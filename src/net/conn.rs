//! One client connection as the network layer sees it: the socket, the query
//! buffer, the protocol parser and how much of the reply has been written.

use crate::protocol::Parser;
use bytes::{Bytes, BytesMut};
use std::io::{self, Read, Write};

pub enum Stream {
    Tcp(mio::net::TcpStream),
    Unix(mio::net::UnixStream),
}

impl Stream {
    pub fn source(&mut self) -> &mut dyn mio::event::Source {
        match self {
            Stream::Tcp(s) => s,
            Stream::Unix(s) => s,
        }
    }

    pub fn shutdown(&self) {
        let _ = match self {
            Stream::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
            Stream::Unix(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub struct Conn {
    pub stream: Stream,
    pub query: BytesMut,
    pub parser: Parser,
    pub argv: Vec<Bytes>,
    /// Bytes of the client's reply buffer already written.
    pub written: usize,
    pub want_write: bool,
    /// Set after a protocol error or QUIT: read no more, close once the
    /// pending reply is written.
    pub closing: bool,
    pub in_pending: bool,
}

impl Conn {
    pub fn new(stream: Stream) -> Self {
        Conn {
            stream,
            query: BytesMut::new(),
            parser: Parser::new(),
            argv: Vec::new(),
            written: 0,
            want_write: false,
            closing: false,
            in_pending: false,
        }
    }
}

/// The peer is gone or the socket failed: close the connection.
#[derive(Debug)]
pub struct Broken;

/// Outcome of draining a socket into the query buffer.
pub struct ReadOutcome {
    pub bytes: usize,
    pub eof: bool,
}

const READ_CHUNK: usize = 16 * 1024;

impl Conn {
    /// Read what the socket has. mio is edge-triggered, so we read until the
    /// kernel has nothing more: a read that fills less than the space offered
    /// has drained the socket (new data raises a new edge), which saves the
    /// extra `recv` that would only return EAGAIN. When the peer has closed
    /// (or whenever `drain` is set), keep reading until EAGAIN or the end.
    pub fn read_available(&mut self, drain: bool) -> ReadOutcome {
        use bytes::BufMut;
        let mut out = ReadOutcome {
            bytes: 0,
            eof: false,
        };
        loop {
            if self.query.capacity() - self.query.len() < READ_CHUNK / 2 {
                self.query.reserve(READ_CHUNK);
            }
            let chunk = self.query.chunk_mut();
            // SAFETY: `chunk` is the spare capacity of the BytesMut; we hand
            // it to `read` as a byte slice, `read` only writes into it, and we
            // advance by exactly the number of bytes `read` reports written.
            let buf = unsafe { std::slice::from_raw_parts_mut(chunk.as_mut_ptr(), chunk.len()) };
            match self.stream.read(buf) {
                Ok(0) => {
                    out.eof = true;
                    break;
                }
                Ok(n) => {
                    let offered = buf.len();
                    // SAFETY: `read` initialized the first `n` bytes.
                    unsafe { self.query.advance_mut(n) };
                    out.bytes += n;
                    if n < offered && !drain {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    tracing::debug!("Reading from client: {e}");
                    out.eof = true;
                    break;
                }
            }
        }
        out
    }

    /// Write as much of `buf[self.written..]` as the socket takes. Returns
    /// the bytes written, or `Err` if the connection is broken.
    pub fn write_from(&mut self, buf: &[u8]) -> Result<usize, Broken> {
        let mut wrote = 0;
        while self.written < buf.len() {
            match self.stream.write(&buf[self.written..]) {
                Ok(0) => return Err(Broken),
                Ok(n) => {
                    self.written += n;
                    wrote += n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    tracing::debug!("Error writing to client: {e}");
                    return Err(Broken);
                }
            }
        }
        Ok(wrote)
    }

    /// Switch write interest on or off.
    pub fn set_want_write(&mut self, registry: &mio::Registry, token: mio::Token, on: bool) {
        if self.want_write == on {
            return;
        }
        self.want_write = on;
        let interest = if on {
            mio::Interest::READABLE | mio::Interest::WRITABLE
        } else {
            mio::Interest::READABLE
        };
        let _ = registry.reregister(self.stream.source(), token, interest);
    }
}
