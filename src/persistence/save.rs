//! SAVE, BGSAVE, save points, the shutdown save and the start-up load.
//!
//! A snapshot is written to `temp-<pid>.rdb` in `dir`, flushed to disk and
//! renamed over `dbfilename`, so a crash mid-save never leaves a truncated
//! file behind. BGSAVE forks, as Valkey does: the child holds a
//! copy-on-write image of the dataset, writes it and exits, while the
//! executor keeps serving; the cron reaps the child and records the result.

use super::rdb::LoadLimits;
use super::snapshot::{self, Clocks, SaveOptions};
use crate::config::MaxmemoryPolicy;
use crate::server::Server;
use std::io::Write;
use std::time::Instant;

/// The refusal of writes after a failed background save
/// (`stop-writes-on-bgsave-error`).
pub const MISCONF_RDB: &str = "MISCONF Valkey is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Valkey logs for details about the RDB error.";

/// Snapshot bookkeeping for INFO persistence and the save points.
pub struct RdbState {
    /// The BGSAVE child, while one runs.
    pub child: Option<Child>,
    pub last_bgsave_ok: bool,
    pub last_bgsave_secs: i64,
    pub saves: u64,
    /// When the last save attempt (successful or not) started, in seconds;
    /// after a failure the save points wait 5 seconds before retrying.
    pub last_try: i64,
    /// `dirty` when the running child started.
    pub dirty_at_start: u64,
    pub last_load_keys: u64,
    pub last_load_expired: u64,
    /// A BGSAVE requested inside MULTI (or, later, while an AOF rewrite
    /// runs): the cron starts it.
    pub scheduled: bool,
}

impl Default for RdbState {
    fn default() -> Self {
        RdbState {
            child: None,
            last_bgsave_ok: true,
            last_bgsave_secs: -1,
            saves: 0,
            last_try: 0,
            dirty_at_start: 0,
            last_load_keys: 0,
            last_load_expired: 0,
            scheduled: false,
        }
    }
}

pub struct Child {
    pub pid: libc::pid_t,
    pub started: Instant,
}

fn clocks(srv: &Server) -> Clocks {
    use MaxmemoryPolicy::*;
    match srv.config.maxmemory_policy() {
        VolatileLru | AllkeysLru => Clocks::Lru,
        VolatileLfu | AllkeysLfu => Clocks::Lfu {
            decay_minutes: srv.config.lfu_decay_time(),
        },
        _ => Clocks::None,
    }
}

impl Server {
    fn save_options(&self) -> SaveOptions {
        SaveOptions {
            compress: self.config.rdbcompression(),
            checksum: self.config.rdbchecksum(),
            clocks: clocks(self),
            now_ms: crate::util::time::now_ms(),
            used_mem: crate::commands::info::allocated_memory(),
            key_delay_us: self.config.rdb_key_save_delay().max(0) as u64,
        }
    }

    /// Write the snapshot to `dbfilename` through a temp file.
    fn write_rdb_file(&self) -> std::io::Result<u64> {
        let tmp = format!("temp-{}.rdb", std::process::id());
        let res = (|| {
            let file = std::fs::File::create(&tmp)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            let (keys, _) = snapshot::write(&self.dbs, &self.save_options(), &mut out)?;
            out.flush()?;
            out.get_ref().sync_all()?;
            std::fs::rename(&tmp, self.config.dbfilename())?;
            Ok(keys)
        })();
        if res.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        res
    }

    /// Writes are refused: the last background save failed, save points
    /// are configured and `stop-writes-on-bgsave-error` is on.
    pub fn rdb_write_error(&self) -> bool {
        !self.rdb.last_bgsave_ok
            && self.config.stop_writes_on_bgsave_error()
            && !self.config.save_params().is_empty()
    }

    /// SAVE: write the snapshot on the executor.
    pub fn save_now(&mut self) -> Result<(), String> {
        if self.rdb.child.is_some() {
            return Err("ERR Background save already in progress".into());
        }
        self.rdb.last_try = self.now_ms / 1000;
        match self.write_rdb_file() {
            Ok(_) => {
                tracing::info!("DB saved on disk");
                self.dirty = 0;
                self.lastsave = self.now_ms / 1000;
                self.rdb.last_bgsave_ok = true;
                self.rdb.saves += 1;
                Ok(())
            }
            Err(e) => {
                // As Valkey: a failed SAVE leaves the background-save
                // status (and so MISCONF) as it was.
                tracing::warn!("Write error saving DB on disk: {e}");
                Err("ERR".into())
            }
        }
    }

    /// BGSAVE: fork a child that writes the snapshot.
    pub fn bgsave_start(&mut self) -> Result<(), String> {
        if self.rdb.child.is_some() {
            return Err("ERR Background save already in progress".into());
        }
        self.rdb.last_try = self.now_ms / 1000;
        // SAFETY: fork has no memory-safety preconditions. The child only
        // reads its copy-on-write image of the dataset, writes a file with
        // plain syscalls and allocations (jemalloc re-initialises its locks
        // in the child through its fork handlers), and leaves with `_exit`,
        // never returning into code that assumes the parent's threads.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            let e = std::io::Error::last_os_error();
            tracing::warn!("Can't save in background: fork: {e}");
            self.rdb.last_bgsave_ok = false;
            return Err(format!("ERR Can't save in background: fork: {e}"));
        }
        if pid == 0 {
            crate::server::log::set_role(b'C');
            // Let go of the listening sockets, or a CONFIG SET bind/port
            // in the parent could not rebind while we run.
            self.listeners.list.clear();
            let code = match self.write_rdb_file() {
                Ok(_) => {
                    tracing::info!("DB saved on disk");
                    0
                }
                Err(e) => {
                    tracing::warn!("Write error saving DB on disk: {e}");
                    1
                }
            };
            // SAFETY: `_exit` ends the child at once without running the
            // parent's atexit handlers or destructors.
            unsafe { libc::_exit(code) };
        }
        tracing::info!("Background saving started by pid {pid}");
        self.rdb.child = Some(Child {
            pid,
            started: Instant::now(),
        });
        self.rdb.dirty_at_start = self.dirty;
        Ok(())
    }

    /// Cron: reap a finished BGSAVE child; start one when a save point is
    /// reached.
    pub fn rdb_cron(&mut self) {
        if let Some((pid, started)) = self.rdb.child.as_ref().map(|c| (c.pid, c.started)) {
            let mut status = 0;
            // SAFETY: waitpid on our own child with a valid status pointer.
            let r = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if r == pid || r < 0 {
                let ok = r == pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
                if ok {
                    tracing::info!("Background saving terminated with success");
                    self.dirty = self.dirty.saturating_sub(self.rdb.dirty_at_start);
                    self.lastsave = self.now_ms / 1000;
                    self.rdb.saves += 1;
                } else if r == pid && libc::WIFSIGNALED(status) {
                    tracing::warn!(
                        "Background saving terminated by signal {}",
                        libc::WTERMSIG(status)
                    );
                } else {
                    tracing::warn!("Background saving error");
                }
                self.rdb.last_bgsave_ok = ok;
                self.rdb.last_bgsave_secs = started.elapsed().as_secs() as i64;
                self.rdb.child = None;
                // A child that died early leaves its temp file behind.
                let _ = std::fs::remove_file(format!("temp-{pid}.rdb"));
            }
            return;
        }
        let now = self.now_ms / 1000;
        let retry_ok = self.rdb.last_bgsave_ok || now - self.rdb.last_try > 5;
        if !retry_ok {
            return;
        }
        if self.rdb.scheduled {
            self.rdb.scheduled = false;
            let _ = self.bgsave_start();
            return;
        }
        let due = self
            .config
            .save_params()
            .iter()
            .find(|&&(secs, changes)| self.dirty >= changes && now - self.lastsave >= secs as i64)
            .copied();
        if let Some((secs, _)) = due {
            tracing::info!("{} changes in {} seconds. Saving...", self.dirty, secs);
            let _ = self.bgsave_start();
        }
    }

    /// Stop a running BGSAVE child (its snapshot would be stale) and reap it.
    pub fn kill_bgsave(&mut self) {
        if let Some(child) = self.rdb.child.take() {
            // SAFETY: signalling and reaping our own child process.
            unsafe {
                libc::kill(child.pid, libc::SIGUSR1);
                let mut st = 0;
                libc::waitpid(child.pid, &mut st, 0);
            }
            let _ = std::fs::remove_file(format!("temp-{}.rdb", child.pid));
            tracing::info!("Background saving terminated by signal 10");
        }
    }

    /// Seconds the running BGSAVE has taken (-1 when none runs).
    pub fn bgsave_elapsed(&self) -> i64 {
        self.rdb
            .child
            .as_ref()
            .map_or(-1, |c| c.started.elapsed().as_secs() as i64)
    }

    /// Shutdown: stop a running BGSAVE, save if asked or if save points are
    /// configured. Returns false when the save failed.
    pub fn shutdown_save(&mut self, save: bool, nosave: bool) -> bool {
        if self.rdb.child.is_some() {
            tracing::warn!("There is a child saving an .rdb. Killing it!");
            self.kill_bgsave();
        }
        let wants = save || (!nosave && !self.config.save_params().is_empty());
        if !wants {
            return true;
        }
        tracing::warn!("Saving the final RDB snapshot before exiting.");
        match self.save_now() {
            Ok(()) => true,
            Err(_) => {
                tracing::warn!("Error trying to save the DB, can't exit.");
                false
            }
        }
    }

    /// Replace (or, with `merge`, add to) the dataset from `dbfilename`.
    /// `Ok(false)`: there is no file.
    pub fn load_rdb_file(&mut self, merge: bool) -> Result<bool, String> {
        let path = self.config.dbfilename().to_string();
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(format!("Fatal error loading the DB, {e}. Exiting.")),
        };
        let started = Instant::now();
        let lim = LoadLimits::from_config(&self.config, crate::util::time::now_ms());
        let opt = snapshot::LoadOptions {
            clocks: clocks(self),
            relaxed: self.config.rdb_version_check_relaxed(),
            drop_expired: true,
            merge,
        };
        let res = snapshot::load(&data, &mut self.dbs, &lim, opt);
        match res {
            Ok(l) => {
                self.rdb.last_load_keys = l.keys;
                self.rdb.last_load_expired = l.expired;
                tracing::info!(
                    "Done loading RDB, keys loaded: {}, keys expired: {}.",
                    l.keys,
                    l.expired
                );
                tracing::info!(
                    "DB loaded from disk: {:.3} seconds",
                    started.elapsed().as_secs_f64()
                );
                Ok(true)
            }
            Err(e) => {
                tracing::warn!("{}", e.0);
                Err(e.0)
            }
        }
    }
}
