//! The RESP wire protocol: parsing client requests (RESP multibulk and inline
//! commands) and writing replies in RESP2 or RESP3.
//!
//! Both halves are pure functions over byte buffers so that either the
//! executor thread (`io-threads 1`) or an I/O thread can run them, and so that
//! they can be fuzzed and benchmarked in isolation.

pub mod parse;
pub mod reply;

pub use parse::{ParseError, Parser};
pub use reply::Reply;
