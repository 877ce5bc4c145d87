//! The keyspace: numbered databases built on our own hashtable, with lazy
//! and active expiry.
//!
//! A [`Db`] knows nothing about clients or replies. It records what the
//! executor must act on after a command (keys that expired on access, to be
//! propagated as `DEL`) and keeps its own counters.

pub mod access;
pub mod db;
pub mod dict;
pub mod expire;

pub use db::Db;
pub use dict::Dict;
