//! The batched hand-off between I/O threads and the executor.
//!
//! Each direction is a mutex-protected batch that the producer appends to
//! once per event-loop iteration and the consumer swaps out whole, so the
//! lock is taken once per batch, never per command, and the vectors keep
//! their capacity: no allocation per command in steady state. A consumer is
//! woken only when a batch goes from empty to non-empty.

use super::conn::Conn;
use bytes::Bytes;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64};
use std::sync::{Arc, Mutex};

/// Something an I/O thread reports to the executor, in arrival order.
pub enum Event {
    /// A command whose `argc` arguments are next in [`ToExecutor::args`].
    Command { slot: usize, argc: usize },
    /// The request stream was malformed; the text is the error reply.
    ProtocolError { slot: usize, text: String },
    /// The query buffer passed `client-query-buffer-limit`.
    QueryBufferLimit { slot: usize, qbuf: usize },
    /// The client's unsent replies broke its output buffer limits; the
    /// connection was closed (a `Closed` follows).
    OutputBufferLimit { slot: usize },
    /// The connection is gone; the slot may be reused.
    Closed { slot: usize },
    /// The answer to [`Order::Release`]: the connection, handed back to the
    /// executor with the reply bytes the thread had not written yet. Every
    /// command the thread parsed from it came before this event.
    Returned {
        slot: usize,
        conn: Box<Conn>,
        unsent: Vec<u8>,
        close_after_write: bool,
    },
}

#[derive(Default)]
pub struct ToExecutor {
    pub events: Vec<Event>,
    pub args: Vec<Bytes>,
    pub net_in: u64,
    pub net_out: u64,
    pub reads: u64,
    pub writes: u64,
    /// Reply buffers the I/O thread finished writing, for reuse.
    pub spare: Vec<Vec<u8>>,
}

impl ToExecutor {
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.spare.is_empty() && self.net_out == 0
    }

    pub fn append(&mut self, other: &mut ToExecutor) {
        self.events.append(&mut other.events);
        self.args.append(&mut other.args);
        self.spare.append(&mut other.spare);
        self.net_in += std::mem::take(&mut other.net_in);
        self.net_out += std::mem::take(&mut other.net_out);
        self.reads += std::mem::take(&mut other.reads);
        self.writes += std::mem::take(&mut other.writes);
    }
}

/// Something the executor asks an I/O thread to do.
pub enum Order {
    /// Serve the connection in `slot`: newly accepted, or moved over from
    /// the executor with its query buffer and parser state.
    Adopt {
        slot: usize,
        conn: Box<Conn>,
        authenticated: bool,
        obuf_limits: (u64, u64, u64),
    },
    /// Stop serving `slot` and hand the connection back (see
    /// [`Event::Returned`]). Ignored if the connection is already gone.
    Release { slot: usize },
    /// Write `data`; then close if `close` is set. `authenticated` keeps
    /// the parser's unauthenticated limits in step with AUTH.
    Reply {
        slot: usize,
        data: Vec<u8>,
        close: bool,
        authenticated: bool,
        /// The client's output buffer limits (hard, soft, soft seconds).
        obuf_limits: (u64, u64, u64),
    },
    /// Close the connection now (CLIENT KILL, timeouts, limits).
    Close { slot: usize },
}

#[derive(Default)]
pub struct ToIo {
    pub orders: Vec<Order>,
}

/// Limits the I/O threads enforce, mirrored from the config.
#[derive(Default)]
pub struct SharedLimits {
    pub max_bulk_len: AtomicI64,
    pub query_buffer_limit: AtomicU64,
}

/// The two queues of one I/O thread, with the wakers of both ends.
pub struct Channel {
    pub to_exec: Mutex<ToExecutor>,
    pub to_io: Mutex<ToIo>,
    pub exec_waker: Arc<mio::Waker>,
    pub io_waker: mio::Waker,
    /// Set by the I/O thread while it waits in poll: the executor wakes it
    /// only then (a busy thread finds its orders before it sleeps).
    pub io_sleeping: AtomicBool,
    /// The executor's own "waiting in poll" flag, shared by all channels.
    pub exec_sleeping: Arc<AtomicBool>,
    pub limits: Arc<SharedLimits>,
    /// The thread's CPU-time clock, published once it starts, so the
    /// executor can tell how busy it is (see `balance.rs`).
    pub cpu_clock: std::sync::OnceLock<libc::clockid_t>,
}

/// Lock a mutex, recovering from poisoning (a panicked peer thread must not
/// take the server down with it).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
