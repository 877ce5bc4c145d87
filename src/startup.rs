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
        env!("CARGO_PKG_VERSION").replace('.', "")
    )
}

/// Split the command line into (config file, option words).
///
/// Like Valkey: the first argument names the config file unless it starts
/// with `--`; `-` alone means read the config from stdin (it may also come
/// last, after the file). Every other word is passed to the config parser,
/// which treats each `--name` as the start of a new directive line.
fn split_cmdline(args: &[String]) -> (Option<String>, Vec<String>) {
    let mut file = None;
    let mut rest = &args[..];
    if let Some(first) = rest.first() {
        if !first.starts_with("--") || first == "-" {
            file = Some(first.clone());
            rest = &rest[1..];
        }
    }
    let mut opts: Vec<String> = rest.to_vec();
    if opts.last().map(|s| s == "-").unwrap_or(false) && file.as_deref() != Some("-") {
        opts.pop();
        if file.is_none() {
            file = Some("-".into());
        }
    }
    (file, opts)
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
    let config = match Config::load(file.as_deref(), &opts) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
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
    if file.is_none() {
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
        match crate::net::listener::bind_unix(path, 0) {
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
    let mut srv = Server::new(config);
    srv.config_file = file;
    tracing::info!("monotonic clock: POSIX clock_gettime");
    tracing::info!("Running mode=standalone, port={}.", srv.tcp_port);
    tracing::info!("Server initialized");
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
        assert_eq!(split_cmdline(&v(&["-"])), (Some("-".into()), v(&[])));
        assert_eq!(
            split_cmdline(&v(&["--port", "1", "-"])),
            (Some("-".into()), v(&["--port", "1"]))
        );
    }
}
