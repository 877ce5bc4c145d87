//! TEMPORARY minimal config (replaced by the full directive table).
use std::fmt;

#[derive(Debug, Clone)]
pub struct Config {
    port: u16,
    bind: Vec<String>,
    databases: usize,
    debug: EnableDebug,
    save: Vec<(u64, u64)>,
    requirepass: Option<Vec<u8>>,
    pub loglevel: String,
}

#[derive(Debug)]
pub struct ConfigError(pub String);
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnableDebug {
    No,
    Yes,
    Local,
}

impl Config {
    pub fn load(_file: Option<&str>, cli: &[String]) -> Result<Config, ConfigError> {
        let mut c = Config {
            port: 6379,
            bind: vec!["*".into(), "-::*".into()],
            databases: 16,
            debug: EnableDebug::No,
            save: vec![(3600, 1), (300, 100), (60, 10000)],
            requirepass: None,
            loglevel: "notice".into(),
        };
        let mut i = 0;
        while i + 1 < cli.len() {
            match cli[i].as_str() {
                "--port" => {
                    c.port = cli[i + 1]
                        .parse()
                        .map_err(|_| ConfigError("bad port".into()))?
                }
                "--enable-debug-command" => {
                    c.debug = match cli[i + 1].as_str() {
                        "yes" => EnableDebug::Yes,
                        "local" => EnableDebug::Local,
                        _ => EnableDebug::No,
                    }
                }
                "--save" => {
                    let words: Vec<u64> = cli[i + 1]
                        .split_whitespace()
                        .filter_map(|w| w.parse().ok())
                        .collect();
                    c.save = words.chunks_exact(2).map(|p| (p[0], p[1])).collect();
                }
                "--requirepass" => c.requirepass = Some(cli[i + 1].clone().into_bytes()),
                _ => {}
            }
            i += 2;
        }
        Ok(c)
    }
    pub fn port(&self) -> u16 {
        self.port
    }
    pub fn bind(&self) -> &[String] {
        &self.bind
    }
    pub fn databases(&self) -> usize {
        self.databases
    }
    pub fn maxclients(&self) -> u64 {
        10000
    }
    pub fn timeout(&self) -> u64 {
        0
    }
    pub fn tcp_keepalive(&self) -> u64 {
        300
    }
    pub fn tcp_backlog(&self) -> u64 {
        511
    }
    pub fn hz(&self) -> u64 {
        10
    }
    pub fn io_threads(&self) -> u64 {
        1
    }
    pub fn requirepass(&self) -> Option<&[u8]> {
        self.requirepass.as_deref()
    }
    pub fn protected_mode(&self) -> bool {
        true
    }
    pub fn proto_max_bulk_len(&self) -> u64 {
        512 << 20
    }
    pub fn client_query_buffer_limit(&self) -> u64 {
        1 << 30
    }
    pub fn enable_debug_command(&self) -> EnableDebug {
        self.debug
    }
    pub fn active_expire_effort(&self) -> u64 {
        1
    }
    pub fn unixsocket(&self) -> Option<&str> {
        None
    }
    pub fn get(&self, _p: &[&[u8]]) -> Vec<(String, String)> {
        vec![]
    }
    pub fn set(&mut self, _p: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, String> {
        Err("ERR not yet".into())
    }
}
impl Config {
    pub fn pidfile(&self) -> Option<&str> {
        None
    }
}
impl Config {
    pub fn rewrite(&self, _path: &str) -> Result<(), String> {
        Err("ERR not yet".into())
    }
}
impl Config {
    /// `save` points as (seconds, changes); empty when snapshots are off.
    pub fn save_params(&self) -> &[(u64, u64)] {
        &self.save
    }
    pub fn maxmemory(&self) -> u64 {
        0
    }
    pub fn maxmemory_policy(&self) -> &str {
        "noeviction"
    }
    pub fn appendonly(&self) -> bool {
        false
    }
    pub fn repl_backlog_size(&self) -> u64 {
        10 * 1024 * 1024
    }
}
