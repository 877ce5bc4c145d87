//! Command implementations, one file per command group.
//!
//! Each module exposes `register`, which adds its handlers to the table;
//! [`build_table`] assembles them. A handler parses its arguments, works on
//! the keyspace through [`Ctx`](crate::server::Ctx), writes its reply and
//! says what to propagate when that differs from the command itself.

pub mod bitmap;
pub mod client;
pub mod collection;
pub mod command;
pub mod connection;
pub mod debug;
pub mod generic;
pub mod geo;
pub mod hash;
pub mod hyperloglog;
pub mod info;
pub mod latency;
pub mod list;
pub mod lolwut;
pub mod observe;
pub mod pubsub;
pub mod server;
pub mod set;
pub mod sort;
pub mod string;
pub mod tracking;
pub mod transaction;
pub mod zset;

use crate::server::CommandTable;

pub fn build_table() -> CommandTable {
    let mut t = CommandTable::new();
    command::register(&mut t);
    connection::register(&mut t);
    generic::register(&mut t);
    client::register(&mut t);
    tracking::register(&mut t);
    debug::register(&mut t);
    info::register(&mut t);
    server::register(&mut t);
    pubsub::register(&mut t);
    string::register(&mut t);
    transaction::register(&mut t);
    bitmap::register(&mut t);
    hyperloglog::register(&mut t);
    list::register(&mut t);
    hash::register(&mut t);
    set::register(&mut t);
    zset::register(&mut t);
    geo::register(&mut t);
    sort::register(&mut t);
    observe::register(&mut t);
    latency::register(&mut t);
    t
}

/// Case-insensitive comparison of an argument with an ASCII keyword.
#[inline]
pub fn eq_ic(arg: &[u8], kw: &str) -> bool {
    arg.eq_ignore_ascii_case(kw.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_builds_and_every_handler_has_a_spec() {
        let t = super::build_table();
        assert!(t.lookup(b"GET").is_some());
        assert!(t.lookup(b"nosuchcommand").is_none());
    }
}
