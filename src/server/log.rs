//! Log lines in Valkey's format, emitted through `tracing`.
//!
//! Operators grep these lines, so the layout is Valkey's:
//! `pid:M 22 Nov 2026 10:00:00.123 * Ready to accept connections tcp`, with
//! `.` debug, `-` verbose, `*` notice and `#` warning. `tracing` levels map
//! as TRACE→debug, DEBUG→verbose, INFO→notice, WARN/ERROR→warning. The level
//! and the target (stdout or `logfile`) can change at run time.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

pub use crate::config::LogLevel;

static LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Notice as u8);
static ROLE: AtomicU8 = AtomicU8::new(b'M');
static TARGET: Mutex<Option<std::fs::File>> = Mutex::new(None);
/// Whether lines also go to syslog (`syslog-enabled`).
static SYSLOG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Start sending log lines to syslog with `ident` and `facility` (the libc
/// facility value, e.g. `LOG_LOCAL0`).
pub fn enable_syslog(ident: &str, facility: i32) {
    // openlog keeps the pointer: the ident must live for the process.
    let ident: &'static std::ffi::CStr = Box::leak(
        std::ffi::CString::new(ident.replace('\0', ""))
            .unwrap_or_default()
            .into_boxed_c_str(),
    );
    // SAFETY: `ident` is a valid NUL-terminated string that is never freed.
    unsafe {
        libc::openlog(
            ident.as_ptr(),
            libc::LOG_PID | libc::LOG_NDELAY | libc::LOG_NOWAIT,
            facility,
        )
    };
    SYSLOG.store(true, Ordering::Relaxed);
}

pub fn set_level(level: LogLevel) {
    LEVEL.store(level as u8, Ordering::Relaxed);
}

/// The role character: `M` primary, `S` replica, `C` forked child.
pub fn set_role(role: u8) {
    ROLE.store(role, Ordering::Relaxed);
}

/// Log to `path` (appending) instead of stdout; empty path means stdout.
pub fn set_logfile(path: &str) -> std::io::Result<()> {
    let file = if path.is_empty() {
        None
    } else {
        Some(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        )
    };
    *TARGET.lock().unwrap_or_else(|e| e.into_inner()) = file;
    Ok(())
}

fn level_of(l: &Level) -> (LogLevel, char) {
    match *l {
        Level::TRACE => (LogLevel::Debug, '.'),
        Level::DEBUG => (LogLevel::Verbose, '-'),
        Level::INFO => (LogLevel::Notice, '*'),
        _ => (LogLevel::Warning, '#'),
    }
}

struct ValkeyFormat;

struct MessageVisitor<'a>(&'a mut String);

impl Visit for MessageVisitor<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for ValkeyFormat {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let (lvl, mark) = level_of(event.metadata().level());
        if (lvl as u8) < LEVEL.load(Ordering::Relaxed) {
            return;
        }
        let mut msg = String::new();
        event.record(&mut MessageVisitor(&mut msg));
        write_line(mark, &msg);
    }
}

/// Write one formatted line (also used before tracing is installed).
pub fn write_line(mark: char, msg: &str) {
    if SYSLOG.load(Ordering::Relaxed) {
        let prio = match mark {
            '.' => libc::LOG_DEBUG,
            '-' => libc::LOG_INFO,
            '*' => libc::LOG_NOTICE,
            _ => libc::LOG_WARNING,
        };
        if let Ok(text) = std::ffi::CString::new(msg.replace('\0', "")) {
            // SAFETY: both the format and the argument are valid C strings;
            // the message is passed as an argument, never as the format.
            unsafe { libc::syslog(prio, c"%s".as_ptr(), text.as_ptr()) };
        }
    }
    let line = format!(
        "{}:{} {} {} {}\n",
        std::process::id(),
        ROLE.load(Ordering::Relaxed) as char,
        timestamp(),
        mark,
        msg
    );
    let mut target = TARGET.lock().unwrap_or_else(|e| e.into_inner());
    match target.as_mut() {
        Some(f) => {
            let _ = f.write_all(line.as_bytes());
        }
        None => {
            let _ = std::io::stdout().lock().write_all(line.as_bytes());
        }
    }
}

/// `22 Nov 2026 10:00:00.123` in local time.
fn timestamp() -> String {
    let mut tv = libc::timeval {
        tv_sec: 0,
        tv_usec: 0,
    };
    // SAFETY: gettimeofday writes into the valid timeval we pass.
    unsafe { libc::gettimeofday(&mut tv, std::ptr::null_mut()) };
    // SAFETY: an all-zero tm is a valid value for localtime_r to overwrite.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let secs = tv.tv_sec;
    // SAFETY: localtime_r reads `secs` and writes `tm`, both valid.
    unsafe { libc::localtime_r(&secs, &mut tm) };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        tm.tm_mday,
        MONTHS[tm.tm_mon.clamp(0, 11) as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        tv.tv_usec / 1000
    )
}

/// Install the global subscriber. Safe to call more than once.
pub fn init() {
    let _ = tracing_subscriber::registry().with(ValkeyFormat).try_init();
}
