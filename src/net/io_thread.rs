//! An I/O thread (`io-threads` > 1): owns a share of the connections, reads
//! and parses their requests, hands the commands to the executor in one
//! batch per poll iteration, and writes the replies it gets back.
//!
//! The executor thread keeps serving its own share of connections directly,
//! so with `io-threads 2` both cores do socket work while commands still
//! run one at a time on the executor.

use super::conn::Conn;
use super::handoff::{lock, Channel, Event, Order, ToExecutor};
use crate::protocol::parse::Limits;
use mio::{Events, Interest, Poll, Token};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub const WAKE: Token = Token(usize::MAX);

struct IoConn {
    conn: Conn,
    /// Replies waiting to be written, oldest first.
    out: VecDeque<Vec<u8>>,
    authenticated: bool,
    close_after_write: bool,
    obuf_limits: (u64, u64, u64),
    obuf_soft_since: Option<i64>,
}

pub fn run(mut poll: Poll, chan: Arc<Channel>) {
    publish_cpu_clock(&chan);
    let mut conns: hashbrown::HashMap<usize, IoConn> = hashbrown::HashMap::new();
    let mut events = Events::with_capacity(1024);
    let mut batch = ToExecutor::default();
    let mut orders = Vec::new();
    loop {
        // Announce the sleep, then look for orders that raced with it: the
        // executor wakes us only when it sees the flag set.
        chan.io_sleeping.store(true, Ordering::SeqCst);
        let pending = !lock(&chan.to_io).orders.is_empty();
        let timeout = pending.then_some(std::time::Duration::ZERO);
        let res = poll.poll(&mut events, timeout);
        chan.io_sleeping.store(false, Ordering::SeqCst);
        if let Err(e) = res {
            if e.kind() != std::io::ErrorKind::Interrupted {
                tracing::warn!("I/O thread poll failed: {e}");
                return;
            }
        }
        for ev in events.iter() {
            if ev.token() == WAKE {
                continue;
            }
            let slot = ev.token().0;
            if ev.is_readable() || ev.is_read_closed() || ev.is_error() {
                let drain = ev.is_read_closed() || ev.is_error();
                read_and_parse(&mut conns, slot, &chan, poll.registry(), &mut batch, drain);
            }
            if ev.is_writable() {
                flush(&mut conns, slot, poll.registry(), &mut batch);
            }
        }
        // Orders from the executor (always check: wake-ups coalesce).
        std::mem::swap(&mut orders, &mut lock(&chan.to_io).orders);
        for order in orders.drain(..) {
            match order {
                Order::Adopt {
                    slot,
                    mut conn,
                    authenticated,
                    obuf_limits,
                } => {
                    // A fresh registration: the connection starts without
                    // write interest whatever its previous owner had.
                    conn.want_write = false;
                    if poll
                        .registry()
                        .register(conn.stream.source(), Token(slot), Interest::READABLE)
                        .is_err()
                    {
                        batch.events.push(Event::Closed { slot });
                        continue;
                    }
                    conns.insert(
                        slot,
                        IoConn {
                            conn: *conn,
                            out: VecDeque::new(),
                            authenticated,
                            close_after_write: false,
                            obuf_limits,
                            obuf_soft_since: None,
                        },
                    );
                    // Data may have arrived before registration.
                    read_and_parse(&mut conns, slot, &chan, poll.registry(), &mut batch, true);
                }
                Order::Release { slot } => {
                    if let Some(c) = conns.remove(&slot) {
                        batch.events.push(release(c, slot, poll.registry()));
                    }
                }
                Order::Reply {
                    slot,
                    data,
                    close,
                    authenticated,
                    obuf_limits,
                } => {
                    if let Some(c) = conns.get_mut(&slot) {
                        c.authenticated = authenticated;
                        c.obuf_limits = obuf_limits;
                        c.close_after_write |= close;
                        if !data.is_empty() {
                            c.out.push_back(data);
                        }
                        flush(&mut conns, slot, poll.registry(), &mut batch);
                    }
                }
                Order::Close { slot } => {
                    if let Some(mut c) = conns.remove(&slot) {
                        drop_conn(&mut c, poll.registry());
                        batch.events.push(Event::Closed { slot });
                    }
                }
            }
        }
        if !batch.is_empty() {
            lock(&chan.to_exec).append(&mut batch);
            if chan.exec_sleeping.load(Ordering::SeqCst) {
                let _ = chan.exec_waker.wake();
            }
        }
    }
}

/// Let the executor read this thread's CPU time (`balance.rs` uses it).
fn publish_cpu_clock(chan: &Channel) {
    let mut id: libc::clockid_t = 0;
    // SAFETY: `pthread_self` is always valid for the calling thread and `id`
    // is a valid place for the clock id to be written.
    if unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut id) } == 0 {
        let _ = chan.cpu_clock.set(id);
    }
}

/// Give a connection back to the executor: stop watching it and pack the
/// replies not yet written (the front one from where the socket stopped).
fn release(mut c: IoConn, slot: usize, registry: &mio::Registry) -> Event {
    let _ = registry.deregister(c.conn.stream.source());
    let mut unsent = Vec::new();
    for (i, buf) in c.out.iter().enumerate() {
        let from = if i == 0 {
            c.conn.written.min(buf.len())
        } else {
            0
        };
        unsent.extend_from_slice(&buf[from..]);
    }
    c.conn.written = 0;
    c.conn.want_write = false;
    Event::Returned {
        slot,
        conn: Box::new(c.conn),
        unsent,
        close_after_write: c.close_after_write,
    }
}

fn drop_conn(c: &mut IoConn, registry: &mio::Registry) {
    let _ = registry.deregister(c.conn.stream.source());
    c.conn.stream.shutdown();
}

fn read_and_parse(
    conns: &mut hashbrown::HashMap<usize, IoConn>,
    slot: usize,
    chan: &Channel,
    registry: &mio::Registry,
    batch: &mut ToExecutor,
    drain: bool,
) {
    let Some(c) = conns.get_mut(&slot) else {
        return;
    };
    if c.conn.closing {
        return;
    }
    let got = c.conn.read_available(drain);
    batch.net_in += got.bytes as u64;
    if got.bytes > 0 {
        batch.reads += 1;
    }
    let limits = Limits {
        max_bulk_len: chan.limits.max_bulk_len.load(Ordering::Relaxed),
        authenticated: c.authenticated,
    };
    loop {
        match c
            .conn
            .parser
            .parse(&mut c.conn.query, &mut c.conn.argv, &limits)
        {
            Ok(true) => {
                if !c.conn.argv.is_empty() {
                    batch.events.push(Event::Command {
                        slot,
                        argc: c.conn.argv.len(),
                    });
                    batch.args.append(&mut c.conn.argv);
                }
            }
            Ok(false) => break,
            Err(e) => {
                batch.events.push(Event::ProtocolError {
                    slot,
                    text: e.reply_text(),
                });
                c.conn.closing = true;
                break;
            }
        }
    }
    let limit = chan.limits.query_buffer_limit.load(Ordering::Relaxed);
    if limit > 0 && c.conn.query.len() as u64 > limit {
        batch.events.push(Event::QueryBufferLimit {
            slot,
            qbuf: c.conn.query.len(),
        });
        c.conn.closing = true;
    }
    if got.eof {
        // The executor still runs what arrived; it learns of the close
        // after those commands.
        c.conn.closing = true;
        c.close_after_write = true;
        if c.out.is_empty() {
            if let Some(mut c) = conns.remove(&slot) {
                drop_conn(&mut c, registry);
            }
            batch.events.push(Event::Closed { slot });
        }
    }
}

fn flush(
    conns: &mut hashbrown::HashMap<usize, IoConn>,
    slot: usize,
    registry: &mio::Registry,
    batch: &mut ToExecutor,
) {
    let Some(c) = conns.get_mut(&slot) else {
        return;
    };
    let mut broken = false;
    while let Some(front) = c.out.front() {
        match c.conn.write_from(front) {
            Ok(n) => {
                batch.net_out += n as u64;
                if n > 0 {
                    batch.writes += 1;
                }
            }
            Err(_) => {
                broken = true;
                break;
            }
        }
        if c.conn.written < front.len() {
            break;
        }
        c.conn.written = 0;
        if let Some(mut done) = c.out.pop_front() {
            if done.capacity() <= 64 * 1024 {
                done.clear();
                batch.spare.push(done);
            }
        }
    }
    let pending: u64 = c.out.iter().map(|b| b.len() as u64).sum::<u64>() - c.conn.written as u64;
    let (hard, soft, secs) = c.obuf_limits;
    let now = crate::util::time::now_ms();
    let over = pending > 0
        && crate::server::cron::over_limits(pending, hard, soft, secs, &mut c.obuf_soft_since, now);
    if over {
        batch.events.push(Event::OutputBufferLimit { slot });
        broken = true;
    }
    if broken || (c.out.is_empty() && c.close_after_write) {
        if let Some(mut c) = conns.remove(&slot) {
            drop_conn(&mut c, registry);
        }
        batch.events.push(Event::Closed { slot });
        return;
    }
    c.conn
        .set_want_write(registry, Token(slot), !c.out.is_empty());
}
