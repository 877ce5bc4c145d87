//! TEMPORARY stand-ins for the blocking machinery being written in
//! `server/blocking.rs` (same signatures). Removed when that lands.

use crate::server::{Ctx, Server};
use bytes::Bytes;

impl Ctx<'_> {
    /// True when blocking is not allowed (MULTI/EXEC, scripts).
    pub fn cannot_block(&self) -> bool {
        false
    }

    /// Block the calling client on `keys` until one is signalled ready or
    /// `deadline_ms` passes. (Stand-in: answers as if timed out.)
    pub fn block_on_keys(&mut self, _keys: &[Bytes], _deadline_ms: i64) {
        self.reply().null_array();
    }
}

impl Server {
    /// An element was added to `key` in db `db`.
    pub fn signal_key_ready(&mut self, _db: usize, _key: &[u8]) {}
}
