//! `maxmemory-clients`: client eviction.
//!
//! Query buffers and unsent replies can grow without bound when clients
//! misbehave (huge pipelines, slow readers of big replies), and that memory
//! is invisible to key eviction. With `maxmemory-clients` set (bytes, or a
//! percentage of `maxmemory`), the cron adds up what normal and Pub/Sub
//! clients hold and, while the total is over the limit, disconnects the
//! biggest evictable client: not one marked `CLIENT NO-EVICT`, never a
//! replica or primary link. Each one is counted in INFO `evicted_clients`.
//!
//! Valkey checks after every command; we check every cron tick (`hz`), so a
//! client can overshoot for up to one tick before it is evicted.

use super::client::{Client, ClientKind};
use super::Server;

impl Client {
    /// Memory this client holds: buffers and its own struct (CLIENT LIST
    /// `tot-mem`).
    pub fn memory(&self) -> usize {
        let rbs = self.reply.buf.capacity().max(1024);
        self.qbuf + self.qbuf_free + self.argv_mem + rbs + std::mem::size_of::<Client>()
    }
}

impl Server {
    /// The client memory limit in bytes, if client eviction is on.
    fn client_memory_limit(&self) -> Option<u64> {
        match self.config.maxmemory_clients() {
            0 => None,
            n if n > 0 => Some(n as u64),
            pct => {
                let max = self.config.maxmemory();
                (max > 0).then(|| max.saturating_mul(pct.unsigned_abs()) / 100)
            }
        }
    }

    pub fn evict_clients(&mut self) {
        let Some(limit) = self.client_memory_limit() else {
            return;
        };
        let counted = |c: &Client| matches!(c.kind, ClientKind::Normal | ClientKind::PubSub);
        let mut total: u64 = self
            .clients
            .iter()
            .flatten()
            .filter(|c| counted(c))
            .map(|c| c.memory() as u64)
            .sum();
        while total > limit {
            let victim = self
                .clients
                .iter()
                .flatten()
                .filter(|c| counted(c) && !c.no_evict && !c.close_asap)
                .max_by_key(|c| c.memory())
                .map(|c| (c.slot, c.memory() as u64, c.id, c.addr.clone()));
            let Some((slot, mem, id, addr)) = victim else {
                break;
            };
            tracing::debug!("Evicting client: id={id} addr={addr} tot-mem={mem}");
            if let Some(Some(c)) = self.clients.get_mut(slot) {
                c.close_asap = true;
            }
            self.close_queue.push(slot);
            self.stats.evicted_clients += 1;
            total = total.saturating_sub(mem);
        }
    }
}
