//! valkey-rs: a drop-in replacement for Valkey 9.1.
//!
//! The data path: [`net`] accepts connections and reads requests, [`protocol`]
//! parses them, the executor in [`server`] dispatches each command to its
//! handler in [`commands`], which works on the [`keyspace`] and the value
//! [`types`]. See docs/ARCHITECTURE.md.

pub mod commands;
pub mod config;
pub mod keyspace;
pub mod net;
pub mod persistence;
pub mod protocol;
pub mod server;
pub mod startup;
pub mod types;
pub mod util;

/// The Valkey version we are compatible with (reported by INFO and HELLO).
pub const VALKEY_VERSION: &str = "9.1.0";
/// The Redis version Valkey reports for compatibility with old clients.
pub const REDIS_VERSION: &str = "7.2.4";
