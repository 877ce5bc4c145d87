//! Periodic work on the executor (`hz` times per second): active expiry,
//! client timeouts, incremental rehashing, statistics sampling, and the
//! shutdown sequence.

use super::Server;
use std::time::Duration;

impl Server {
    pub fn cron(&mut self) {
        self.update_clock();
        crate::util::time::ticks::recalibrate();
        self.cronloops += 1;
        self.rdb_cron();
        self.stats.sample(self.now_ms);
        // A pause freezes the dataset: no active expiry until it ends.
        if self.active_expire_enabled && self.pause.active(self.now_ms).is_none() {
            // Valkey's slow cycle may use 25% of a tick, a bit more per
            // effort level.
            let effort = self.config.active_expire_effort() as u32;
            let tick_us = 1_000_000 / self.hz.max(1);
            let budget =
                Duration::from_micros(tick_us * (25 + 2 * (effort as u64 - 1).min(9)) / 100);
            let mut deleted = Vec::new();
            let started = std::time::Instant::now();
            crate::keyspace::expire::active_expire_cycle(
                &mut self.dbs,
                self.now_ms,
                effort,
                budget,
                &mut deleted,
            );
            let took = started.elapsed().as_micros() as u64;
            self.latency_add_sample_if_needed("expire-cycle", took);
            self.stats.expired_keys += deleted.len() as u64;
            let del = self.expire_del_command();
            for (db, key) in deleted {
                self.notify(None, super::notify::EXPIRED, "expired", &key, db);
                self.tracking_key_deleted(&key);
                self.propagate(db, vec![del.clone(), key]);
            }
            crate::commands::hash::active_expire_fields(self);
        }
        if self.evictor.running {
            self.perform_evictions(None);
        }
        if self.tracking.client_count() > 0 {
            self.tracking_limit_used_slots(None);
        }
        for db in &mut self.dbs {
            db.dict.rehash_for(Duration::from_micros(500));
        }
        self.client_timeouts();
        self.evict_clients();
    }

    fn client_timeouts(&mut self) {
        let timeout = self.config.timeout() as i64;
        if timeout == 0 {
            return;
        }
        let now = self.now_ms;
        for c in self.clients.iter().flatten() {
            if c.kind == super::client::ClientKind::Normal
                && c.pubsub_channels + c.pubsub_patterns == 0
                && now - c.last_interaction_ms > timeout * 1000
            {
                tracing::debug!("Closing idle client");
                self.close_queue.push(c.slot);
            }
        }
    }

    /// The `client-output-buffer-limit` of the client's class.
    pub fn obuf_limits(&self, client: &super::Client) -> (u64, u64, u64) {
        use crate::config::ClientClass;
        let class = match client.kind {
            super::client::ClientKind::Replica => ClientClass::Replica,
            super::client::ClientKind::PubSub => ClientClass::Pubsub,
            _ if client.pubsub_channels + client.pubsub_patterns > 0 => ClientClass::Pubsub,
            _ => ClientClass::Normal,
        };
        self.config.client_output_buffer_limit(class)
    }

    /// Whether `pending` unsent reply bytes break the client's output
    /// buffer limits: at once past the hard limit, or after staying past
    /// the soft limit for longer than its seconds.
    pub fn obuf_limit_reached(&mut self, client: &mut super::Client, pending: usize) -> bool {
        let (hard, soft, secs) = self.obuf_limits(client);
        let reached = over_limits(
            pending as u64,
            hard,
            soft,
            secs,
            &mut client.obuf_soft_since,
            self.now_ms,
        );
        if reached {
            tracing::warn!(
                "Client id={} addr={} laddr={} name={} scheduled to be closed ASAP for overcoming of output buffer limits.",
                client.id,
                client.addr,
                client.laddr,
                client.name.as_ref().map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default()
            );
            self.stats.client_outbuf_limit_disconnections += 1;
        }
        reached
    }

    /// Bookkeeping when a connection goes away.
    pub fn on_client_closed(&mut self, c: &mut super::Client) {
        if c.held {
            self.held_clients.retain(|&s| s != c.slot);
        }
        self.forget_closed_client(c);
        self.pubsub_forget_client(c);
        self.monitor_forget(c);
        self.tracking_disable(c);
        tracing::debug!("Client closed connection id={} addr={}", c.id, c.addr);
    }

    /// The shutdown sequence. Returns false if shutdown must be aborted.
    pub fn prepare_shutdown(&mut self) -> bool {
        tracing::warn!("User requested shutdown...");
        if !self.shutdown_saved && !self.shutdown_save(false, false) {
            return false;
        }
        if let Some(pidfile) = &self.pidfile {
            tracing::info!("Removing the pid file.");
            let _ = std::fs::remove_file(pidfile);
        }
        true
    }
}

/// The output-buffer-limit rule shared by the executor and I/O threads.
pub fn over_limits(
    pending: u64,
    hard: u64,
    soft: u64,
    secs: u64,
    soft_since: &mut Option<i64>,
    now_ms: i64,
) -> bool {
    if hard > 0 && pending >= hard {
        return true;
    }
    if soft > 0 && pending >= soft {
        let since = *soft_since.get_or_insert(now_ms);
        return (now_ms - since) / 1000 > secs as i64;
    }
    *soft_since = None;
    false
}

#[cfg(test)]
mod tests {
    use super::over_limits;

    #[test]
    fn hard_and_soft_limits() {
        let mut since = None;
        assert!(!over_limits(10, 0, 0, 0, &mut since, 0));
        assert!(over_limits(100, 100, 0, 0, &mut since, 0));
        assert!(!over_limits(60, 100, 50, 2, &mut since, 1_000));
        assert!(!over_limits(60, 100, 50, 2, &mut since, 3_000));
        assert!(over_limits(60, 100, 50, 2, &mut since, 4_500));
        assert!(!over_limits(10, 100, 50, 2, &mut since, 5_000));
        assert_eq!(since, None);
    }
}
