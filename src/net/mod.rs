//! Networking: listeners, connections and the event loop that feeds the
//! executor.
//!
//! With `io-threads 1` everything runs on the executor thread: one mio poll
//! loop accepts, reads, parses, executes and writes, with no hand-off at all.
//! The loop reads every ready socket, runs all complete commands it parsed,
//! then writes each client's replies with one `write` per client per
//! iteration (replies produced by a pipeline go out together).
//!
//! With `io-threads N` > 1, N-1 I/O threads stand by. While they are active
//! (`balance` decides: only when the executor is saturated and a core is
//! free, or always with `io-threads-always-active`), every client connection
//! lives on one of them, round-robin. They read and parse, then hand the
//! executor one batch of commands per poll iteration; the executor runs them
//! and sends the replies back in one batch per thread per iteration (see
//! `handoff`). Connections move between the executor and the I/O threads
//! with their buffers and parser state, without losing or reordering a byte.

pub mod balance;
pub mod conn;
pub mod event_loop;
pub mod handoff;
pub mod io_thread;
pub mod listener;

pub use event_loop::run;
