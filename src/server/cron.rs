//! Periodic work on the executor (`hz` times per second): active expiry,
//! client timeouts, incremental rehashing, statistics sampling, and the
//! shutdown sequence.

use super::Server;
use std::time::Duration;

impl Server {
    pub fn cron(&mut self) {
        self.update_clock();
        self.cronloops += 1;
        self.stats.sample(self.now_ms);
        if self.active_expire_enabled {
            // Valkey's slow cycle may use 25% of a tick, a bit more per
            // effort level.
            let effort = self.config.active_expire_effort() as u32;
            let tick_us = 1_000_000 / self.hz.max(1);
            let budget =
                Duration::from_micros(tick_us * (25 + 2 * (effort as u64 - 1).min(9)) / 100);
            let mut deleted = Vec::new();
            crate::keyspace::expire::active_expire_cycle(
                &mut self.dbs,
                self.now_ms,
                effort,
                budget,
                &mut deleted,
            );
            self.stats.expired_keys += deleted.len() as u64;
            for (db, key) in deleted {
                self.propagate(db, vec![bytes::Bytes::from_static(b"DEL"), key]);
            }
            crate::commands::hash::active_expire_fields(self);
        }
        for db in &mut self.dbs {
            db.dict.rehash_for(Duration::from_micros(500));
        }
        self.client_timeouts();
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

    /// Bookkeeping when a connection goes away.
    pub fn on_client_closed(&mut self, c: &super::Client) {
        tracing::debug!("Client closed connection id={} addr={}", c.id, c.addr);
    }

    /// The shutdown sequence. Returns false if shutdown must be aborted.
    pub fn prepare_shutdown(&mut self) -> bool {
        tracing::warn!("User requested shutdown...");
        if let Some(pidfile) = self.config.pidfile() {
            tracing::info!("Removing the pid file.");
            let _ = std::fs::remove_file(pidfile);
        }
        tracing::warn!("Valkey is now ready to exit, bye bye...");
        true
    }
}
