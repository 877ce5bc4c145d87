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
