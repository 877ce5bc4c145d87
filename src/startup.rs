//! Process start-up: command-line handling, config loading, daemonizing,
//! binding, and the log lines operators look for.

use crate::config::Config;
use crate::server::log;
use crate::server::Server;

const USAGE: &str = "Usage: ./valkey-server [/path/to/valkey.conf] [options] [-]
       ./valkey-server - (read config from stdin)
       ./valkey-server -v or --version
       ./valkey-server -h or --help

Examples:
       ./valkey-server (run the server with default conf)
       echo 'maxmemory 128mb' | ./valkey-server -
       ./valkey-server /etc/valkey/6379.conf
       ./valkey-server --port 7777
       ./valkey-server --port 7777 --replicaof 127.0.0.1 8888
       ./valkey-server /etc/myvalkey.conf --loglevel verbose -
       ./valkey-server /etc/myvalkey.conf --loglevel verbose
";

pub fn version_line() -> String {
    format!(
        "Valkey server v={} sha=00000000:0 malloc={} bits=64 build={}",
        crate::VALKEY_VERSION,
        if cfg!(feature = "jemalloc") {
            "jemalloc-5.3.0"
        } else {
            "libc"
        },
        build_id()
    )
}

/// A stable identifier of this build (Valkey prints a hash of its build
/// environment here).
fn build_id() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in concat!(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")).bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Split the command line into (config file, option words).
///
/// Like Valkey: the first argument names the config file unless it starts
/// with `-`. Every other word goes to the config loader, which treats each
/// `--name` as the start of a new directive line and a lone `-` as "read
/// the config from stdin".
fn split_cmdline(args: &[String]) -> (Option<String>, Vec<String>) {
    match args.first() {
        Some(first) if !first.starts_with('-') => (Some(first.clone()), args[1..].to_vec()),
        _ => (None, args.to_vec()),
    }
}

/// Entry point for the `valkey-server` personality. Returns the exit code.
pub fn server_main(args: Vec<String>) -> i32 {
    let args = &args[1..];
    if let Some(a) = args.first() {
        match a.as_str() {
            "-v" | "--version" => {
                println!("{}", version_line());
                return 0;
            }
            "-h" | "--help" => {
                eprint!("{USAGE}");
                return 0;
            }
            _ => {}
        }
    }
    let (file, opts) = split_cmdline(args);
    let table = crate::commands::build_table();
    let exists = move |name: &[u8]| table.lookup(name).is_some();
    let load_opts = crate::config::LoadOptions {
        side_effects: true,
        command_exists: Some(&exists),
    };
    let config = match Config::load_with(file.as_deref(), &opts, &load_opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    log::set_level(config.loglevel());
    if let Err(e) = log::set_logfile(config.logfile()) {
        eprintln!("Can't open the log file: {e}");
        return 1;
    }
    if config.syslog_enabled() {
        log::enable_syslog(config.syslog_ident(), config.syslog_facility());
    }
    if config.daemonize() {
        daemonize(config.logfile().is_empty());
    }
    log::init();
    log::write_line('#', "oO0OoO0OoO0Oo Valkey is starting oO0OoO0OoO0Oo");
    log::write_line(
        '#',
        &format!(
            "Valkey version={}, bits=64, commit=00000000, modified=0, pid={}, just started",
            crate::VALKEY_VERSION,
            std::process::id()
        ),
    );
    if file.is_none() && !opts.iter().any(|o| o == "-") {
        log::write_line('#', "Warning: no config file specified, using the default config. In order to specify a config file use valkey-server /path/to/valkey.conf");
    } else {
        log::write_line('#', "Configuration loaded");
    }
    run(config, file)
}

fn run(config: Config, file: Option<String>) -> i32 {
    let listeners = match crate::net::listener::bind_tcp(
        config.bind(),
        config.port(),
        config.tcp_backlog() as i32,
    ) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("{e}");
            return 1;
        }
    };
    let mut listeners = listeners;
    let mut unix = false;
    if let Some(path) = config.unixsocket() {
        match crate::net::listener::bind_unix(path, config.unixsocketperm()) {
            Ok(l) => {
                listeners.push(l);
                unix = true;
            }
            Err(e) => {
                tracing::warn!("{e}");
                return 1;
            }
        }
    }
    if listeners.is_empty() {
        tracing::warn!("Configured to not listen anywhere, exiting.");
        return 1;
    }
    let renames = config.renamed_commands().to_vec();
    let mut srv = Server::new(config);
    srv.config_file = file;
    for (from, to) in renames {
        if !srv.commands.rename(&from, &to) {
            eprintln!(
                "\n*** FATAL CONFIG FILE ERROR (Version {}) ***\nNo such command in rename-command: {from}",
                crate::VALKEY_VERSION
            );
            return 1;
        }
    }
    let pidfile = match (srv.config.pidfile(), srv.config.daemonize()) {
        (Some(p), _) => Some(p.to_string()),
        (None, true) => Some("/var/run/valkey.pid".to_string()),
        (None, false) => None,
    };
    if let Some(p) = &pidfile {
        if let Err(e) = std::fs::write(p, format!("{}\n", std::process::id())) {
            tracing::warn!("Failed to write PID file: {e}");
        }
    }
    srv.pidfile = pidfile;
    tracing::info!("monotonic clock: POSIX clock_gettime");
    tracing::info!("Running mode=standalone, port={}.", srv.tcp_port);
    tracing::info!("Server initialized");
    // With appendonly the AOF is the source of truth (not loaded yet).
    if !srv.config.appendonly() && srv.load_rdb_file(false).is_err() {
        tracing::warn!("Fatal error loading the DB, check server logs. Exiting.");
        return 1;
    }
    if srv.tcp_port != 0 {
        tracing::info!("Ready to accept connections tcp");
    }
    if unix {
        tracing::info!("Ready to accept connections unix");
    }
    match crate::net::run(srv, listeners) {
        Ok(code) => code,
        Err(e) => {
            tracing::warn!("Event loop failed: {e}");
            1
        }
    }
}

/// Detach from the terminal like Valkey's `daemonize yes`: fork, the parent
/// exits, the child starts a new session with stdio on /dev/null.
fn daemonize(quiet: bool) {
    // SAFETY: called at start-up before any other thread exists, so fork
    // cannot duplicate a held lock; the parent exits immediately.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        eprintln!("fork failed: {}", std::io::Error::last_os_error());
        std::process::exit(1);
    }
    if pid > 0 {
        std::process::exit(0);
    }
    // SAFETY: setsid has no preconditions in a freshly forked child.
    unsafe { libc::setsid() };
    if let Ok(null) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        use std::os::fd::AsRawFd;
        let fd = null.as_raw_fd();
        for target in [0, 1, 2] {
            if target == 2 && !quiet {
                continue;
            }
            // SAFETY: both descriptors are valid; dup2 replaces stdio.
            unsafe { libc::dup2(fd, target) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_cmdline;

    fn v(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cmdline_forms() {
        assert_eq!(
            split_cmdline(&v(&["--port", "1"])),
            (None, v(&["--port", "1"]))
        );
        assert_eq!(
            split_cmdline(&v(&["a.conf", "--port", "1"])),
            (Some("a.conf".into()), v(&["--port", "1"]))
        );
        assert_eq!(split_cmdline(&v(&["-"])), (None, v(&["-"])));
        assert_eq!(
            split_cmdline(&v(&["a.conf", "--port", "1", "-"])),
            (Some("a.conf".into()), v(&["--port", "1", "-"]))
        );
    }
}
