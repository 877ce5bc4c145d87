//! Networking: listeners, connections and the event loop that feeds the
//! executor.
//!
//! With `io-threads 1` everything runs on the executor thread: one mio poll
//! loop accepts, reads, parses, executes and writes, with no hand-off at all.
//! The loop reads every ready socket, runs all complete commands it parsed,
//! then writes each client's replies with one `write` per client per
//! iteration (replies produced by a pipeline go out together).

pub mod conn;
pub mod event_loop;
pub mod listener;

pub use event_loop::run;
