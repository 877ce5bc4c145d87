//! Running one command: lookup, the checks Valkey makes before calling a
//! handler (arity, auth, ...), the call itself, statistics, reply-mode
//! handling and propagation.

use super::client::{ClientKind, ReplyMode};
use super::spec::flags;
use super::{err, Client, CmdRef, Ctx, Propagation, Server};
use bytes::Bytes;

impl Server {
    /// Execute one parsed command for `client`, appending its reply.
    pub fn execute(&mut self, client: &mut Client, argv: &[Bytes]) {
        if argv.is_empty() {
            return;
        }
        let reply_start = client.reply.buf.len();
        client.last_interaction_ms = self.now_ms;
        client.commands_processed += 1;
        if self.tracking.client_count() > 0 {
            self.tracking_limit_used_slots(Some(client));
        }
        self.run(client, argv);
        if client.tracking.is_some() {
            super::tracking::command_done(client, argv);
        }
        if !self.blocking.ready_is_empty() && !self.blocking.is_reprocessing() {
            self.handle_ready_keys();
        }
        match client.reply_mode {
            ReplyMode::On => {}
            ReplyMode::Off => discard_reply(client, reply_start),
            ReplyMode::Skip => {
                discard_reply(client, reply_start);
                client.reply_mode = ReplyMode::On;
            }
            ReplyMode::SkipNext => client.reply_mode = ReplyMode::Skip,
        }
        client.push_spans.clear();
    }

    fn reject(&mut self, client: &mut Client, id: Option<usize>, text: &str) {
        if let Some(m) = client.multi.as_mut() {
            m.abort = true;
        }
        if let Some(id) = id {
            self.commands.stats[id].rejected_calls += 1;
        }
        self.stats.count_error(text);
        client.reply.error(text);
    }

    fn run(&mut self, client: &mut Client, argv: &[Bytes]) {
        let Some(mut cmd) = self.commands.lookup(&argv[0]) else {
            let text = unknown_command_text(argv);
            self.reject(client, None, &text);
            return;
        };
        if cmd.is_container && argv.len() >= 2 {
            match self.commands.lookup_sub(cmd.id, &argv[1]) {
                Some(sub) => cmd = sub,
                None => {
                    let text = format!(
                        "ERR unknown subcommand '{}'. Try {} HELP.",
                        trunc(&argv[1], 128),
                        self.commands.fullname(cmd.id).to_ascii_uppercase()
                    );
                    self.reject(client, Some(cmd.id), &text);
                    return;
                }
            }
        }
        let arity = cmd.spec.arity;
        let argc = argv.len() as i32;
        if (arity > 0 && argc != arity) || argc < -arity {
            let text = format!(
                "ERR wrong number of arguments for '{}' command",
                self.commands.fullname(cmd.id)
            );
            self.reject(client, Some(cmd.id), &text);
            return;
        }
        if !client.authenticated && !cmd.spec.has(flags::NO_AUTH) && self.auth_required() {
            self.reject(client, Some(cmd.id), err::NOAUTH);
            return;
        }
        // RESP2 subscribers may only (un)subscribe, PING, QUIT and RESET.
        if client.kind == ClientKind::PubSub && !client.reply.resp3 {
            let name = self.commands.fullname(cmd.id);
            if !allowed_in_pubsub_context(name) {
                let text = format!(
                    "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
                );
                self.reject(client, Some(cmd.id), &text);
                return;
            }
        }
        // Monitors are replicas to Valkey: no keyspace access.
        if client.monitor
            && cmd
                .spec
                .has(flags::WRITE | flags::READONLY | flags::MAY_REPLICATE)
        {
            self.reject(
                client,
                Some(cmd.id),
                "ERR Replica can't interact with the keyspace",
            );
            return;
        }
        if self.config.maxmemory() > 0 && self.out_of_memory_for(client, cmd) {
            self.reject(client, Some(cmd.id), super::evict::OOM_ERROR);
            return;
        }
        // After a failed background save, writes (and PING, so health
        // checks notice) are refused while stop-writes-on-bgsave-error is on.
        if !self.rdb.last_bgsave_ok
            && self.rdb_write_error()
            && (cmd.spec.name == "ping" || runs_flag(client, cmd, flags::WRITE))
        {
            self.reject(client, Some(cmd.id), crate::persistence::save::MISCONF_RDB);
            return;
        }
        if client.multi.is_some() && !is_transaction_control(cmd.spec.name) {
            if cmd.spec.has(flags::NO_MULTI) {
                self.reject(
                    client,
                    Some(cmd.id),
                    "ERR Command not allowed inside a transaction",
                );
                return;
            }
            if let Some(m) = client.multi.as_mut() {
                m.queued.push((cmd, argv.to_vec()));
            }
            client.reply.simple("QUEUED");
            return;
        }
        self.call(client, cmd, argv);
    }

    /// Evict as `maxmemory` requires; true when `cmd` must be refused
    /// because it may grow memory and nothing more could be evicted (EXEC
    /// counts as such when it would run a command that may).
    fn out_of_memory_for(&mut self, client: &mut Client, cmd: CmdRef) -> bool {
        let failed = self.perform_evictions(Some(client)) == super::evict::Eviction::Fail;
        failed && runs_flag(client, cmd, flags::DENYOOM)
    }

    pub fn auth_required(&self) -> bool {
        self.config.requirepass().is_some()
    }

    /// Call the handler and account for it.
    pub fn call(&mut self, client: &mut Client, cmd: CmdRef, argv: &[Bytes]) {
        let Some(handler) = cmd.handler else {
            // A container whose subcommand was not given.
            let text = format!(
                "ERR wrong number of arguments for '{}' command",
                self.commands.fullname(cmd.id)
            );
            self.reject(client, Some(cmd.id), &text);
            return;
        };
        let dirty_before = self.dirty;
        let errors_before = self.stats.total_error_replies;
        let reply_start = client.reply.buf.len();
        let start = crate::util::time::ticks::now();
        let mut ctx = Ctx {
            srv: self,
            client,
            cmd,
            argv,
            propagation: Propagation::AsIs,
        };
        if let Err(e) = handler(&mut ctx, argv) {
            ctx.error(&e.0);
        }
        let propagation = std::mem::take(&mut ctx.propagation);
        let elapsed = crate::util::time::ticks::elapsed_us(start, crate::util::time::ticks::now());
        let db = client.db;
        let st = &mut self.commands.stats[cmd.id];
        st.calls += 1;
        st.usec += elapsed;
        if self.stats.total_error_replies > errors_before {
            st.failed_calls += 1;
        }
        self.stats.commands_processed += 1;
        if client.last_cmd != self.commands.commands[cmd.id].fullname {
            client
                .last_cmd
                .clone_from(&self.commands.commands[cmd.id].fullname);
        }
        self.observe_call(client, cmd, argv, elapsed, reply_start);
        if self.notify_enabled(crate::config::NOTIFY_NEW | super::notify::EXPIRED) {
            if cmd.cross_db {
                self.flush_db_events(Some(client));
            } else {
                self.flush_db_events_in(Some(client), db);
            }
        }
        let tracking = self.tracking.is_active();
        if tracking {
            self.tracking_expired_on_access(client);
        }
        if cmd.cross_db {
            self.propagate_expired();
        } else {
            self.propagate_expired_in(db);
        }
        if self.dirty != dirty_before && (!self.watches.is_empty() || tracking) {
            self.touch_keys_of(client, cmd, argv);
        }
        if tracking {
            let failed = self.stats.total_error_replies > errors_before;
            self.tracking_after_call(client, cmd, argv, failed);
        }
        if self.dirty != dirty_before && self.record_propagation {
            match propagation {
                Propagation::AsIs => self.propagate(db, argv.to_vec()),
                Propagation::Nothing => {}
                Propagation::Replace(cmds) => {
                    for c in cmds {
                        self.propagate(db, c);
                    }
                }
            }
        }
    }

    /// After a write, fail the EXEC of clients watching what it changed
    /// and invalidate what it wrote in client-side caches (FLUSHDB and
    /// FLUSHALL invalidate everything in `tracking_after_call`).
    fn touch_keys_of(&mut self, client: &mut Client, cmd: CmdRef, argv: &[Bytes]) {
        match cmd.spec.name {
            "flushall" => self.touch_all_watched_in_db(client, None),
            "flushdb" => self.touch_all_watched_in_db(client, Some(client.db)),
            "swapdb" | "exec" => {}
            _ => {
                let db = client.db;
                for (i, key_flags) in super::keys::extract_keys(cmd.spec, argv, 0) {
                    if let Some(k) = argv.get(i) {
                        self.touch_watched_key(client, db, k);
                        if super::tracking::may_write(key_flags) {
                            self.tracking_key_modified(client, k);
                        }
                    }
                }
            }
        }
    }

    /// How deletions by expiry are propagated: UNLINK when
    /// `lazyfree-lazy-expire` is on (Valkey's default), else DEL.
    pub fn expire_del_command(&self) -> Bytes {
        if self.config.lazyfree_lazy_expire() {
            Bytes::from_static(b"UNLINK")
        } else {
            Bytes::from_static(b"DEL")
        }
    }

    /// Turn keys that expired on access into propagated deletions.
    pub fn propagate_expired(&mut self) {
        for i in 0..self.dbs.len() {
            self.propagate_expired_in(i);
        }
    }

    /// [`Server::propagate_expired`] for one database (a command that only
    /// looked at its client's database).
    #[inline]
    pub fn propagate_expired_in(&mut self, i: usize) {
        if self.dbs[i].expired_on_access.is_empty() {
            return;
        }
        let keys = std::mem::take(&mut self.dbs[i].expired_on_access);
        self.stats.expired_keys += keys.len() as u64;
        let del = self.expire_del_command();
        for k in keys {
            self.propagate(i, vec![del.clone(), k]);
        }
    }
}

/// Drop the running command's reply (CLIENT REPLY OFF/SKIP) but keep the
/// out-of-band pushes it produced (subscribe confirmations, messages).
fn discard_reply(client: &mut Client, start: usize) {
    let buf = &mut client.reply.buf;
    let mut end = start;
    for &(s, e) in &client.push_spans {
        if s >= end && e <= buf.len() {
            buf.copy_within(s..e, end);
            end += e - s;
        }
    }
    buf.truncate(end);
}

fn allowed_in_pubsub_context(fullname: &str) -> bool {
    matches!(
        fullname,
        "ping"
            | "subscribe"
            | "ssubscribe"
            | "unsubscribe"
            | "sunsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "quit"
            | "reset"
    )
}

/// Commands that act on a transaction instead of being queued in it.
fn is_transaction_control(name: &str) -> bool {
    matches!(
        name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}

/// Valkey truncates names it echoes in errors.
fn trunc(b: &[u8], max: usize) -> String {
    String::from_utf8_lossy(&b[..b.len().min(max)]).into_owned()
}

/// `ERR unknown command 'foo', with args beginning with: 'a' 'b' `
fn unknown_command_text(argv: &[Bytes]) -> String {
    let mut args = String::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push('\'');
        args.push_str(&trunc(a, room));
        args.push_str("' ");
    }
    format!(
        "ERR unknown command '{}', with args beginning with: {}",
        trunc(&argv[0], 128),
        args
    )
}

/// Whether `cmd` has `flag`, or is an EXEC that would run a queued command
/// that has it (the OOM and MISCONF refusals judge EXEC by its contents).
fn runs_flag(client: &Client, cmd: CmdRef, flag: u64) -> bool {
    cmd.spec.has(flag)
        || (cmd.spec.name == "exec"
            && client
                .multi
                .as_ref()
                .is_some_and(|m| m.queued.iter().any(|(c, _)| c.spec.has(flag))))
}
