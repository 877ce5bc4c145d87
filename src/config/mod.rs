//! TEMPORARY minimal config (replaced by the full directive table).
use std::fmt;

#[derive(Debug, Clone)]
pub struct Config {
    port: u16,
    bind: Vec<String>,
    databases: usize,
    debug: bool,
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
            debug: false,
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
                "--enable-debug-command" => c.debug = cli[i + 1] == "yes",
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
        if self.debug {
            EnableDebug::Yes
        } else {
            EnableDebug::No
        }
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

/// Encoding thresholds of the aggregate types (Valkey's defaults until the
/// full directive table lands).
impl Config {
    pub fn list_max_listpack_size(&self) -> i64 {
        -2
    }
    pub fn list_compress_depth(&self) -> i64 {
        0
    }
    pub fn hash_max_listpack_entries(&self) -> u64 {
        128
    }
    pub fn hash_max_listpack_value(&self) -> u64 {
        64
    }
    pub fn set_max_intset_entries(&self) -> u64 {
        512
    }
    pub fn set_max_listpack_entries(&self) -> u64 {
        128
    }
    pub fn set_max_listpack_value(&self) -> u64 {
        64
    }
    pub fn zset_max_listpack_entries(&self) -> u64 {
        128
    }
    pub fn zset_max_listpack_value(&self) -> u64 {
        64
    }
}
