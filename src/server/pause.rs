//! Client pause state (CLIENT PAUSE / CLIENT UNPAUSE).
//!
//! Valkey lets an operator freeze clients for a while, either every command
//! (`ALL`) or only the ones that could change the dataset (`WRITE`). The
//! state lives here so the dispatcher can ask [`Server::paused_for`] before
//! running a command; clients whose command is paused must wait (keep the
//! parsed command queued) until the pause ends.

use super::Server;

/// What a pause holds back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseKind {
    /// Commands that may write (and `EVAL`/`PUBLISH`-like may-replicate ones).
    Write,
    /// Every command.
    All,
}

/// The pause requested by CLIENT PAUSE, if any.
#[derive(Debug, Default, Clone, Copy)]
pub struct ClientPause {
    /// Unix time in ms when the pause ends, and what it holds back.
    state: Option<(i64, PauseKind)>,
}

impl ClientPause {
    /// The active pause at `now_ms`, if one is still running.
    pub fn active(&self, now_ms: i64) -> Option<(i64, PauseKind)> {
        self.state.filter(|&(end, _)| end > now_ms)
    }
}

impl Server {
    /// Start (or extend) a pause until `end_ms`. As in Valkey, a new pause
    /// never weakens one that is still running: the later end time and the
    /// stronger kind win.
    pub fn pause_clients(&mut self, end_ms: i64, kind: PauseKind) {
        let (end, kind) = match self.pause.active(self.now_ms) {
            Some((old_end, old_kind)) => {
                let kind = if old_kind == PauseKind::All {
                    PauseKind::All
                } else {
                    kind
                };
                (end_ms.max(old_end), kind)
            }
            None => (end_ms, kind),
        };
        self.pause.state = Some((end, kind));
    }

    /// End any pause (CLIENT UNPAUSE).
    pub fn unpause_clients(&mut self) {
        self.pause.state = None;
    }

    /// Must a command be held back right now? `is_write` is true for
    /// commands flagged `write` or `may-replicate`.
    pub fn paused_for(&self, is_write: bool) -> bool {
        match self.pause.active(self.now_ms) {
            Some((_, PauseKind::All)) => true,
            Some((_, PauseKind::Write)) => is_write,
            None => false,
        }
    }

    /// Must this command from `client` wait for the pause to end? Replication
    /// links are never paused; a client with commands already held keeps
    /// its order by holding the rest too. EXEC counts as a write when its
    /// transaction queued one.
    pub fn must_hold(&self, client: &super::Client, argv: &[bytes::Bytes]) -> bool {
        use super::client::ClientKind;
        use super::spec::flags;
        if self.pause.state.is_none() {
            return false;
        }
        if matches!(client.kind, ClientKind::Replica | ClientKind::Primary) {
            return false;
        }
        if client.held {
            return true;
        }
        let Some(cmd) = argv.first().and_then(|name| self.commands.lookup(name)) else {
            return self.paused_for(false);
        };
        let writes = |f: u64| f & (flags::WRITE | flags::MAY_REPLICATE) != 0;
        let mut is_write = writes(cmd.spec.flags);
        if cmd.spec.name == "exec" {
            if let Some(m) = &client.multi {
                is_write |= m.queued.iter().any(|(c, _)| writes(c.spec.flags));
            }
        }
        self.paused_for(is_write)
    }

    /// Whether clients are being held that a pause no longer applies to.
    pub fn pause_over(&self) -> bool {
        !self.held_clients.is_empty() && self.pause.active(self.now_ms).is_none()
    }

    /// When the current pause ends (ms), for the event loop's timer.
    pub fn pause_end_ms(&self) -> Option<i64> {
        self.pause.active(self.now_ms).map(|(end, _)| end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn srv() -> Server {
        let cfg = crate::config::Config::load(None, &[]).expect("default config");
        Server::new(cfg)
    }

    #[test]
    fn write_pause_holds_only_writes_and_expires() {
        let mut s = srv();
        s.now_ms = 1000;
        assert!(!s.paused_for(true));
        s.pause_clients(2000, PauseKind::Write);
        assert!(s.paused_for(true));
        assert!(!s.paused_for(false));
        s.now_ms = 2000;
        assert!(!s.paused_for(true));
    }

    #[test]
    fn new_pause_never_weakens_running_one() {
        let mut s = srv();
        s.now_ms = 0;
        s.pause_clients(5000, PauseKind::All);
        s.pause_clients(1000, PauseKind::Write);
        assert_eq!(s.pause.active(0), Some((5000, PauseKind::All)));
        assert!(s.paused_for(false));
        s.unpause_clients();
        assert!(!s.paused_for(true));
    }
}
