//! Small shared helpers with Valkey-exact semantics.

pub mod alloc;
pub mod glob;
pub mod long_double;
pub mod num;
pub mod rand;
pub mod splitargs;
pub mod time;
