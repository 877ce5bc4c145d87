//! The executor's event loop: accept, read, parse, execute, write. With
//! `io-threads 1` that is all; with more, it also runs the commands the I/O
//! threads hand over, sends their replies back, and moves connections to
//! and from the I/O threads as `balance` decides.

use super::balance::{Balancer, Sampler};
use super::conn::{Conn, Stream};
use super::handoff::{lock, Channel, Event, Order, SharedLimits, ToExecutor, ToIo};
use super::listener::{tune_tcp, Listener, LISTENER_BASE};
use crate::protocol::parse::Limits;
use crate::server::{Client, Server};
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const EXEC_WAKE: Token = Token(usize::MAX);

pub const PROTECTED_MODE_DENIED: &str = "-DENIED Valkey is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Valkey you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Valkey from the same host the server is running, however MAKE SURE Valkey is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Valkey configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

struct Loop {
    poll: Poll,
    /// Connections served by the executor itself, by slot.
    conns: Vec<Option<Conn>>,
    free_slots: Vec<usize>,
    pending: Vec<usize>,
    /// I/O threads (index + 1 is the client's `io_thread`).
    threads: Vec<Arc<Channel>>,
    limits: Arc<SharedLimits>,
    next_shard: usize,
    inbox: ToExecutor,
    outbox: Vec<ToIo>,
    /// Reply buffers returned by I/O threads.
    spare: Vec<Vec<u8>>,
    /// Whether client connections belong on the I/O threads now.
    offloaded: bool,
    /// Connections an I/O thread owns or was handed (not yet confirmed
    /// closed or returned). At 0 the loop skips the hand-off queues, so an
    /// idle `io-threads N` costs what `io-threads 1` does.
    remote: usize,
    balancer: Balancer,
    sampler: Sampler,
}

/// Run the server until shutdown. Returns the process exit code.
pub fn run(mut srv: Server, listeners: Vec<Listener>) -> io::Result<i32> {
    let term = Arc::new(AtomicBool::new(false));
    let int = Arc::new(AtomicBool::new(false));
    // A second SIGINT while shutting down exits at once.
    signal_hook::flag::register_conditional_shutdown(signal_hook::consts::SIGINT, 1, int.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGINT, int.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGTERM, term.clone())?;
    // SAFETY: ignoring SIGPIPE is process-wide and has no preconditions;
    // write errors are then reported as EPIPE instead of killing us.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };

    let poll = Poll::new()?;
    let exec_waker = Arc::new(mio::Waker::new(poll.registry(), EXEC_WAKE)?);
    let exec_sleeping = Arc::new(AtomicBool::new(false));
    let limits = Arc::new(SharedLimits::default());
    let mut threads = Vec::new();
    let n_io = srv.config.io_threads().clamp(1, 128) as usize;
    for i in 1..n_io {
        let io_poll = Poll::new()?;
        let chan = Arc::new(Channel {
            to_exec: Default::default(),
            to_io: Default::default(),
            exec_waker: exec_waker.clone(),
            io_waker: mio::Waker::new(io_poll.registry(), super::io_thread::WAKE)?,
            io_sleeping: AtomicBool::new(false),
            exec_sleeping: exec_sleeping.clone(),
            limits: limits.clone(),
            cpu_clock: Default::default(),
        });
        let c = chan.clone();
        std::thread::Builder::new()
            .name(format!("io_thd_{i}"))
            .spawn(move || super::io_thread::run(io_poll, c))?;
        threads.push(chan);
    }
    let mut lp = Loop {
        poll,
        conns: Vec::new(),
        free_slots: Vec::new(),
        pending: Vec::new(),
        outbox: threads.iter().map(|_| ToIo::default()).collect(),
        threads,
        limits,
        next_shard: 0,
        inbox: ToExecutor::default(),
        spare: Vec::new(),
        offloaded: false,
        remote: 0,
        balancer: Balancer::default(),
        sampler: Sampler::new(),
    };
    lp.sync_limits(&srv);
    srv.listeners = super::listener::Listeners::new(listeners);
    srv.listeners.attach(lp.poll.registry().try_clone()?)?;
    let mut events = Events::with_capacity(1024);
    let mut next_cron = Instant::now();
    loop {
        let mut timeout = lp.poll_timeout(&srv, next_cron);
        // Sleep only if no I/O thread handed over work meanwhile; they wake
        // us only while this flag is set.
        exec_sleeping.store(true, Ordering::SeqCst);
        if lp.remote > 0 && lp.threads.iter().any(|t| !lock(&t.to_exec).is_empty()) {
            timeout = Duration::ZERO;
        }
        let res = lp.poll.poll(&mut events, Some(timeout));
        exec_sleeping.store(false, Ordering::SeqCst);
        if let Err(e) = res {
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        srv.update_clock();
        for ev in events.iter() {
            let t = ev.token().0;
            if ev.token() == EXEC_WAKE {
                continue;
            }
            if t >= LISTENER_BASE {
                lp.accept(&mut srv, t - LISTENER_BASE);
                continue;
            }
            if ev.is_readable() || ev.is_read_closed() || ev.is_error() {
                lp.handle_read(&mut srv, t, ev.is_read_closed() || ev.is_error());
            }
            if ev.is_writable() {
                lp.handle_write(&mut srv, t);
            }
        }
        if lp.remote > 0 {
            lp.drain_inbox(&mut srv);
        }
        if srv.blocking.blocked_clients > 0 {
            srv.handle_blocked_timeouts();
        }
        if srv.pause_over() {
            srv.release_held();
        }
        lp.resume_unblocked(&mut srv);
        srv.tracking_before_sleep();
        lp.flush_pending(&mut srv);
        lp.close_queued(&mut srv);
        lp.send_orders();
        if Instant::now() >= next_cron {
            srv.cron();
            // Invalidations from active expiry go out now, not next poll.
            srv.tracking_before_sleep();
            lp.flush_pending(&mut srv);
            lp.close_queued(&mut srv);
            lp.sync_limits(&srv);
            lp.rebalance(&mut srv);
            lp.send_orders();
            next_cron = Instant::now() + Duration::from_millis(1000 / srv.hz.max(1));
        }
        if term.swap(false, Ordering::Relaxed) {
            tracing::warn!("Received SIGTERM scheduling shutdown...");
            srv.shutdown_asap = true;
        }
        if int.load(Ordering::Relaxed) && !srv.shutdown_asap {
            tracing::warn!("Received SIGINT scheduling shutdown...");
            srv.shutdown_asap = true;
        }
        if srv.shutdown_asap {
            lp.flush_pending(&mut srv);
            if srv.prepare_shutdown() {
                srv.listeners.remove_unix_sockets();
                tracing::warn!("Valkey is now ready to exit, bye bye...");
                return Ok(0);
            }
            srv.shutdown_asap = false;
        }
    }
}

impl Loop {
    fn accept(&mut self, srv: &mut Server, idx: usize) {
        loop {
            let Some(listener) = srv.listeners.list.get(idx) else {
                return;
            };
            let accepted = match listener {
                Listener::Tcp(l) => l.accept().map(|(s, peer)| {
                    let local = s.local_addr().map(fmt_addr).unwrap_or_default();
                    let loopback = peer.ip().is_loopback();
                    tune_tcp(&s, srv.config.tcp_keepalive());
                    (Stream::Tcp(s), fmt_addr(peer), local, loopback, false)
                }),
                Listener::Unix(l, path) => l.accept().map(|(s, _)| {
                    let p = format!("{path}:0");
                    (Stream::Unix(s), p.clone(), p, true, true)
                }),
            };
            match accepted {
                Ok((stream, addr, laddr, local, unix)) => {
                    self.new_client(srv, stream, addr, laddr, local, unix)
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    tracing::warn!("Accepting client connection: {e}");
                    break;
                }
            }
        }
    }

    fn new_client(
        &mut self,
        srv: &mut Server,
        mut stream: Stream,
        addr: String,
        laddr: String,
        local: bool,
        unix: bool,
    ) {
        srv.stats.connections_received += 1;
        if srv.connected_clients as u64 >= srv.config.maxclients() {
            let _ = stream.write(b"-ERR max number of clients reached\r\n");
            srv.stats.rejected_connections += 1;
            return;
        }
        if srv.config.protected_mode() && !local && srv.config.requirepass().is_none() {
            let _ = stream.write(PROTECTED_MODE_DENIED.as_bytes());
            srv.stats.rejected_connections += 1;
            return;
        }
        let slot = self.free_slots.pop().unwrap_or_else(|| {
            self.conns.push(None);
            self.conns.len() - 1
        });
        if srv.clients.len() < self.conns.len() {
            srv.clients.resize_with(self.conns.len(), || None);
        }
        if self.offloaded {
            let shard = self.next_thread();
            let mut client = self.make_client(srv, slot, &stream, addr, laddr, unix);
            client.local = local;
            client.io_thread = shard + 1;
            let obuf_limits = srv.obuf_limits(&client);
            let authenticated = client.authenticated;
            srv.clients[slot] = Some(Box::new(client));
            srv.connected_clients += 1;
            self.remote += 1;
            self.outbox[shard].orders.push(Order::Adopt {
                slot,
                conn: Box::new(Conn::new(stream)),
                authenticated,
                obuf_limits,
            });
            return;
        }
        if let Err(e) =
            self.poll
                .registry()
                .register(stream.source(), Token(slot), Interest::READABLE)
        {
            tracing::warn!("Error registering fd event for the new client: {e}");
            self.free_slots.push(slot);
            return;
        }
        let mut client = self.make_client(srv, slot, &stream, addr, laddr, unix);
        client.local = local;
        srv.clients[slot] = Some(Box::new(client));
        srv.connected_clients += 1;
        self.conns[slot] = Some(Conn::new(stream));
    }

    fn make_client(
        &self,
        srv: &mut Server,
        slot: usize,
        stream: &Stream,
        addr: String,
        laddr: String,
        unix: bool,
    ) -> Client {
        let fd = match stream {
            Stream::Tcp(s) => std::os::fd::AsRawFd::as_raw_fd(s),
            Stream::Unix(s) => std::os::fd::AsRawFd::as_raw_fd(s),
        };
        let mut client = Client::new(srv.next_client_id, slot, srv.now_ms);
        srv.next_client_id += 1;
        client.addr = addr;
        client.laddr = laddr;
        client.fd = fd;
        client.unix = unix;
        client.authenticated = !srv.auth_required();
        tracing::debug!("Accepted {}", client.addr);
        client
    }

    /// Mirror the limits I/O threads enforce from the live config.
    fn sync_limits(&self, srv: &Server) {
        self.limits
            .max_bulk_len
            .store(srv.config.proto_max_bulk_len() as i64, Ordering::Relaxed);
        self.limits
            .query_buffer_limit
            .store(srv.config.client_query_buffer_limit(), Ordering::Relaxed);
    }

    /// Run everything the I/O threads handed over since the last look.
    fn drain_inbox(&mut self, srv: &mut Server) {
        for chan in &self.threads {
            let mut shared = lock(&chan.to_exec);
            if !shared.is_empty() {
                self.inbox.append(&mut shared);
            }
        }
        if self.inbox.is_empty() {
            return;
        }
        let mut batch = std::mem::take(&mut self.inbox);
        srv.stats.net_input_bytes += batch.net_in;
        srv.stats.net_output_bytes += batch.net_out;
        srv.stats.io_reads_processed += batch.reads;
        srv.stats.io_writes_processed += batch.writes;
        srv.stats.io_threaded_reads_processed += batch.reads;
        srv.stats.io_threaded_writes_processed += batch.writes;
        self.spare.append(&mut batch.spare);
        let mut args = batch.args.drain(..);
        for ev in batch.events.drain(..) {
            match ev {
                Event::Command { slot, argc } => {
                    let argv: Vec<bytes::Bytes> = args.by_ref().take(argc).collect();
                    let Some(mut client) = srv.clients.get_mut(slot).and_then(|c| c.take()) else {
                        continue;
                    };
                    if client.close_asap || client.close_after_reply {
                        // Discard input after a kill or QUIT.
                    } else if client.blocked.is_some() || !client.queued.is_empty() {
                        client.queued.push_back(argv);
                    } else if srv.must_hold(&client, &argv) {
                        srv.hold(&mut client, &argv);
                    } else {
                        srv.execute(&mut client, &argv);
                    }
                    srv.clients[slot] = Some(client);
                    self.mark_pending(slot);
                }
                Event::ProtocolError { slot, text } => {
                    if let Some(client) = srv.clients.get_mut(slot).and_then(|c| c.as_deref_mut()) {
                        srv.stats.count_error(&text);
                        client.reply.error(&text);
                        client.close_after_reply = true;
                        self.mark_pending(slot);
                    }
                }
                Event::QueryBufferLimit { slot, qbuf } => {
                    tracing::warn!(
                        "Closing client that reached max query buffer length (qbuf={qbuf})"
                    );
                    srv.stats.client_qbuf_limit_disconnections += 1;
                    srv.close_queue.push(slot);
                }
                Event::OutputBufferLimit { slot } => {
                    if let Some(mut c) = srv.clients.get_mut(slot).and_then(|c| c.take()) {
                        srv.obuf_limit_reached(&mut c, usize::MAX);
                        srv.clients[slot] = Some(c);
                    }
                }
                Event::Closed { slot } => {
                    self.remote = self.remote.saturating_sub(1);
                    if let Some(mut c) = srv.clients.get_mut(slot).and_then(|c| c.take()) {
                        srv.on_client_closed(&mut c);
                        srv.connected_clients -= 1;
                        self.free_slots.push(slot);
                    }
                }
                Event::Returned {
                    slot,
                    conn,
                    unsent,
                    close_after_write,
                } => {
                    self.remote = self.remote.saturating_sub(1);
                    self.take_back(srv, slot, *conn, unsent, close_after_write)
                }
            }
        }
        drop(args);
        self.inbox = batch;
    }

    fn mark_pending(&mut self, slot: usize) {
        if let Some(Some(c)) = self.conns.get_mut(slot) {
            if c.in_pending {
                return;
            }
            c.in_pending = true;
        }
        self.pending.push(slot);
    }

    /// Hand each I/O thread its orders, waking it once.
    fn send_orders(&mut self) {
        for (i, out) in self.outbox.iter_mut().enumerate() {
            if out.orders.is_empty() {
                continue;
            }
            let chan = &self.threads[i];
            lock(&chan.to_io).orders.append(&mut out.orders);
            if chan.io_sleeping.load(Ordering::SeqCst) {
                let _ = chan.io_waker.wake();
            }
        }
    }

    /// Send a remote client's pending output to its I/O thread.
    fn send_remote_reply(&mut self, srv: &mut Server, slot: usize) {
        let obuf_limits = match srv.clients.get(slot).and_then(|c| c.as_deref()) {
            Some(c) => srv.obuf_limits(c),
            None => return,
        };
        let Some(client) = srv.clients.get_mut(slot).and_then(|c| c.as_deref_mut()) else {
            return;
        };
        let close = client.close_after_reply;
        if (client.reply.buf.is_empty() && !close) || client.returning {
            // A returning connection gets its replies once it is back.
            return;
        }
        let fresh = self.spare.pop().unwrap_or_default();
        let data = std::mem::replace(&mut client.reply.buf, fresh);
        let authenticated = client.authenticated;
        let io = client.io_thread;
        self.outbox[io - 1].orders.push(Order::Reply {
            slot,
            data,
            close,
            authenticated,
            obuf_limits,
        });
    }

    /// The next I/O thread in round-robin order (an index into `threads`).
    fn next_thread(&mut self) -> usize {
        let t = self.next_shard % self.threads.len();
        self.next_shard = self.next_shard.wrapping_add(1);
        t
    }

    /// Once per cron tick: ask the balancer where connections belong and
    /// move the ones that are elsewhere (a few may wait for a later tick:
    /// only idle connections move).
    fn rebalance(&mut self, srv: &mut Server) {
        if self.threads.is_empty() {
            return;
        }
        let clocks = self
            .threads
            .iter()
            .filter_map(|t| t.cpu_clock.get().copied());
        let sample = self.sampler.sample(clocks);
        let by_load = self.balancer.observe(sample);
        let want = by_load || srv.config.io_threads_always_active();
        if want != self.offloaded {
            tracing::debug!(
                "{} I/O threads",
                if want { "Activating" } else { "Deactivating" }
            );
            self.offloaded = want;
            srv.io_threads_active = want;
        }
        if self.offloaded {
            self.offload_local(srv);
        } else {
            self.recall_remote(srv);
        }
    }

    /// Move the executor's idle connections to the I/O threads: nothing
    /// unsent, nothing queued, not blocked or closing. A connection moves
    /// with its query buffer and parser state, so a command split across
    /// the move is parsed whole.
    fn offload_local(&mut self, srv: &mut Server) {
        use crate::server::client::ClientKind;
        for slot in 0..self.conns.len() {
            let movable = match (&self.conns[slot], srv.clients.get(slot)) {
                (Some(conn), Some(Some(c))) => {
                    !conn.closing
                        && !conn.want_write
                        && conn.written == 0
                        && c.reply.buf.is_empty()
                        && c.queued.is_empty()
                        && c.blocked.is_none()
                        && !c.held
                        && !c.close_after_reply
                        && !c.close_asap
                        && matches!(c.kind, ClientKind::Normal | ClientKind::PubSub)
                }
                _ => false,
            };
            if !movable {
                continue;
            }
            let Some(mut conn) = self.conns[slot].take() else {
                continue;
            };
            let _ = self.poll.registry().deregister(conn.stream.source());
            conn.in_pending = false;
            let thread = self.next_thread();
            let Some(client) = srv.clients[slot].as_deref_mut() else {
                continue;
            };
            client.io_thread = thread + 1;
            let authenticated = client.authenticated;
            let Some(client) = srv.clients[slot].as_deref() else {
                continue;
            };
            let obuf_limits = srv.obuf_limits(client);
            self.remote += 1;
            self.outbox[thread].orders.push(Order::Adopt {
                slot,
                conn: Box::new(conn),
                authenticated,
                obuf_limits,
            });
        }
    }

    /// Ask the I/O threads to hand every connection back.
    fn recall_remote(&mut self, srv: &mut Server) {
        // The usual case with io-threads > 1: nothing is away.
        if self.remote == 0 {
            return;
        }
        for c in srv.clients.iter_mut().flatten() {
            if c.io_thread > 0 && !c.returning && !c.close_asap {
                c.returning = true;
                self.outbox[c.io_thread - 1]
                    .orders
                    .push(Order::Release { slot: c.slot });
            }
        }
    }

    /// A connection came back from its I/O thread: serve it here, its
    /// unwritten replies first, then whatever was produced meanwhile.
    fn take_back(
        &mut self,
        srv: &mut Server,
        slot: usize,
        mut conn: Conn,
        unsent: Vec<u8>,
        close_after_write: bool,
    ) {
        let Some(client) = srv.clients.get_mut(slot).and_then(|c| c.as_deref_mut()) else {
            conn.stream.shutdown();
            return;
        };
        client.io_thread = 0;
        client.returning = false;
        if !unsent.is_empty() {
            let later = std::mem::replace(&mut client.reply.buf, unsent);
            client.reply.buf.extend_from_slice(&later);
        }
        conn.written = 0;
        conn.want_write = false;
        conn.in_pending = false;
        conn.closing |= close_after_write;
        let kill = client.close_asap;
        let registered = self
            .poll
            .registry()
            .register(conn.stream.source(), Token(slot), Interest::READABLE)
            .is_ok();
        if self.conns.len() <= slot {
            self.conns.resize_with(slot + 1, || None);
        }
        self.conns[slot] = Some(conn);
        if kill || !registered {
            self.close(srv, slot);
            return;
        }
        // Bytes that arrived while the connection was in transit.
        self.handle_read(srv, slot, true);
        if let Some(Some(conn)) = self.conns.get(slot) {
            let idle = srv.clients[slot]
                .as_deref()
                .is_some_and(|c| c.reply.buf.is_empty());
            if conn.closing && idle {
                self.close(srv, slot);
            } else {
                self.mark_pending(slot);
            }
        }
    }

    /// Read and run what `slot` sent; `drain`: read until EAGAIN/EOF even
    /// after a short read (the peer closed, or readiness is unknown).
    fn handle_read(&mut self, srv: &mut Server, slot: usize, drain: bool) {
        let Some(conn) = self.conns.get_mut(slot).and_then(|c| c.as_mut()) else {
            return;
        };
        if conn.closing {
            return;
        }
        let Some(mut client) = srv.clients[slot].take() else {
            return;
        };
        let got = conn.read_available(drain);
        let (nread, eof) = (got.bytes, got.eof);
        srv.stats.net_input_bytes += nread as u64;
        client.net_in += nread as u64;
        if nread > 0 {
            srv.stats.io_reads_processed += 1;
        }
        self.process_input(srv, slot, client, eof);
    }

    /// Run every complete command in the query buffer of `slot`.
    fn process_input(&mut self, srv: &mut Server, slot: usize, mut client: Box<Client>, eof: bool) {
        let Some(conn) = self.conns.get_mut(slot).and_then(|c| c.as_mut()) else {
            srv.clients[slot] = Some(client);
            return;
        };
        let limits = Limits {
            max_bulk_len: srv.config.proto_max_bulk_len() as i64,
            authenticated: client.authenticated,
        };
        loop {
            if client.close_after_reply || client.close_asap || client.blocked.is_some() {
                break;
            }
            match conn.parser.parse(&mut conn.query, &mut conn.argv, &limits) {
                Ok(true) => {
                    if !conn.argv.is_empty() {
                        if srv.must_hold(&client, &conn.argv) {
                            srv.hold(&mut client, &conn.argv);
                            break;
                        }
                        srv.execute(&mut client, &conn.argv);
                        client.argv_mem = 0;
                    }
                }
                Ok(false) => break,
                Err(e) => {
                    let text = e.reply_text();
                    tracing::debug!(
                        "Protocol error ({}) from client: id={} addr={}",
                        e.0,
                        client.id,
                        client.addr
                    );
                    srv.stats.count_error(&text);
                    client.reply.error(&text);
                    client.close_after_reply = true;
                    break;
                }
            }
        }
        // Release our references into the query buffer so it can be reused.
        conn.argv.clear();
        client.qbuf = conn.query.len();
        client.qbuf_free = conn.query.capacity() - conn.query.len();
        if conn.query.len() as u64 > srv.config.client_query_buffer_limit() {
            tracing::warn!(
                "Closing client that reached max query buffer length: id={} addr={} (qbuf initial bytes: {:?})",
                client.id,
                client.addr,
                String::from_utf8_lossy(&conn.query[..conn.query.len().min(64)])
            );
            srv.stats.client_qbuf_limit_disconnections += 1;
            client.close_asap = true;
        }
        if client.close_after_reply {
            conn.closing = true;
        }
        let has_output = !client.reply.buf.is_empty();
        let kill = client.close_asap || (eof && !has_output);
        if eof {
            // Deliver what the peer's last commands produced, then close.
            conn.closing = true;
        }
        srv.clients[slot] = Some(client);
        if kill {
            self.close(srv, slot);
            return;
        }
        if has_output && !conn.in_pending {
            conn.in_pending = true;
            self.pending.push(slot);
        }
    }

    /// Write as much of the pending reply as the socket takes.
    fn handle_write(&mut self, srv: &mut Server, slot: usize) {
        let Some(conn) = self.conns.get_mut(slot).and_then(|c| c.as_mut()) else {
            return;
        };
        let Some(client) = srv.clients[slot].as_deref_mut() else {
            return;
        };
        let (wrote, failed) = match conn.write_from(&client.reply.buf) {
            Ok(n) => (n, false),
            Err(_) => (0, true),
        };
        srv.stats.net_output_bytes += wrote as u64;
        client.net_out += wrote as u64;
        if wrote > 0 {
            srv.stats.io_writes_processed += 1;
        }
        if failed {
            self.close(srv, slot);
            return;
        }
        let pending = client.reply.buf.len() - conn.written;
        if pending > 0 {
            let Some(mut c) = srv.clients[slot].take() else {
                return;
            };
            let over = srv.obuf_limit_reached(&mut c, pending);
            srv.clients[slot] = Some(c);
            if over {
                self.close(srv, slot);
                return;
            }
        }
        let Some(client) = srv.clients[slot].as_deref_mut() else {
            return;
        };
        if conn.written == client.reply.buf.len() {
            client.reply.buf.clear();
            if client.reply.buf.capacity() > 1024 * 1024 {
                client.reply.buf.shrink_to(16 * 1024);
            }
            conn.written = 0;
            if conn.closing || client.close_after_reply {
                self.close(srv, slot);
                return;
            }
            conn.set_want_write(self.poll.registry(), Token(slot), false);
        } else {
            conn.set_want_write(self.poll.registry(), Token(slot), true);
        }
    }

    /// How long the loop may sleep: until the next cron tick, the earliest
    /// blocking deadline, or the end of a pause holding clients.
    fn poll_timeout(&self, srv: &Server, next_cron: Instant) -> Duration {
        let mut timeout = next_cron
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(100));
        let now_ms = crate::util::time::now_ms();
        let until = |t: i64| Duration::from_millis((t - now_ms).max(0) as u64);
        if let Some(deadline) = srv.blocking.next_deadline() {
            timeout = timeout.min(until(deadline));
        }
        if !srv.held_clients.is_empty() {
            if let Some(end) = srv.pause_end_ms() {
                timeout = timeout.min(until(end));
            }
        }
        timeout
    }

    /// Clients whose blocked command completed: run what they pipelined
    /// behind it.
    fn resume_unblocked(&mut self, srv: &mut Server) {
        while !srv.blocking.unblocked.is_empty() {
            for slot in std::mem::take(&mut srv.blocking.unblocked) {
                let Some(mut client) = srv.clients.get_mut(slot).and_then(|c| c.take()) else {
                    continue;
                };
                // Commands held while blocked or paused run first, in order.
                while client.blocked.is_none() {
                    let Some(argv) = client.queued.pop_front() else {
                        break;
                    };
                    if srv.must_hold(&client, &argv) {
                        client.queued.push_front(argv);
                        srv.mark_held(&mut client);
                        break;
                    }
                    srv.execute(&mut client, &argv);
                }
                if client.io_thread > 0 || !client.queued.is_empty() {
                    srv.clients[slot] = Some(client);
                    self.mark_pending(slot);
                    continue;
                }
                self.process_input(srv, slot, client, false);
            }
        }
    }

    fn flush_pending(&mut self, srv: &mut Server) {
        // Clients that received output from other clients' commands.
        for slot in std::mem::take(&mut srv.pending_writes) {
            self.mark_pending(slot);
        }
        let pending = std::mem::take(&mut self.pending);
        for &slot in &pending {
            if let Some(Some(conn)) = self.conns.get_mut(slot) {
                conn.in_pending = false;
                if !conn.want_write {
                    self.handle_write(srv, slot);
                }
            } else if srv
                .clients
                .get(slot)
                .is_some_and(|c| c.as_ref().is_some_and(|c| c.io_thread > 0))
            {
                self.send_remote_reply(srv, slot);
            }
        }
        self.pending = pending;
        self.pending.clear();
    }

    fn close_queued(&mut self, srv: &mut Server) {
        for slot in std::mem::take(&mut srv.close_queue) {
            if self.conns.get(slot).is_some_and(|c| c.is_some()) {
                self.close(srv, slot);
            } else if let Some(c) = srv.clients.get_mut(slot).and_then(|c| c.as_deref_mut()) {
                if c.io_thread > 0 && !c.returning {
                    // The slot is freed when the thread confirms the close
                    // (a returning connection is closed when it is back).
                    // CLIENT KILL has set `close_asap` already; a repeated
                    // order is harmless, it finds the connection gone.
                    c.close_asap = true;
                    self.outbox[c.io_thread - 1]
                        .orders
                        .push(Order::Close { slot });
                }
            }
        }
    }

    fn close(&mut self, srv: &mut Server, slot: usize) {
        if let Some(mut conn) = self.conns.get_mut(slot).and_then(|c| c.take()) {
            let _ = self.poll.registry().deregister(conn.stream.source());
            conn.stream.shutdown();
            if let Some(mut c) = srv.clients[slot].take() {
                srv.on_client_closed(&mut c);
                srv.connected_clients -= 1;
            }
            self.free_slots.push(slot);
        }
    }
}

fn fmt_addr(a: std::net::SocketAddr) -> String {
    match a {
        std::net::SocketAddr::V4(v) => format!("{}:{}", v.ip(), v.port()),
        std::net::SocketAddr::V6(v) => format!("{}:{}", v.ip(), v.port()),
    }
}
