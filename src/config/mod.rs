//! Server configuration: `valkey.conf`, command-line options, CONFIG
//! GET/SET/REWRITE.
//!
//! Why this module exists: a drop-in replacement must accept the same config
//! files and `--name value` options as Valkey 9.1, answer CONFIG GET/SET with
//! the same names, values and error texts, and rewrite config files the same
//! way; and the rest of the server needs cheap, typed access to the settings
//! it reads on hot paths (`proto-max-bulk-len` on every bulk argument, `hz`
//! every tick, …).
//!
//! Layout:
//! - `table.rs`: one row per directive (name, alias, kind, default, flags).
//!   All generic behaviour (parse, validate, format) is driven by it.
//! - `parse.rs`: the text syntax (argument splitting and quoting, numbers
//!   with units, command-line options).
//! - `rewrite.rs`: CONFIG REWRITE.
//! - this file: [`Config`] (values in a vector indexed by [`Id`], so every
//!   typed accessor is one line and O(1)), loading, CONFIG GET and SET.
//!
//! Loading follows Valkey: the file's text, then stdin (`-`), then the
//! command-line options turned into config lines, are read as one text;
//! later lines win. The first bad line stops everything with an error that
//! prints exactly like Valkey's "FATAL CONFIG FILE ERROR" block.
//!
//! Side effects mirror Valkey where they are part of the contract: setting
//! `dir` changes the process working directory (so relative `include`,
//! `dbfilename`, … resolve against it) and loading checks that `logfile`
//! can be opened for appending. Both can be switched off with
//! [`LoadOptions::side_effects`] (tests, fuzzing).

pub mod parse;
pub mod rewrite;
pub mod table;

use std::fmt;
use std::io::Read;

use table::{lookup, FileState};
pub use table::{
    ClientClass, Def, Id, Kind, NumFmt, ObufLimit, Special, Value, DEBUG, DENY_LOADING, HIDDEN,
    IMMUTABLE, MULTI_ARG, NOTIFY_ALL, NOTIFY_EVICTED, NOTIFY_EXPIRED, NOTIFY_GENERIC, NOTIFY_HASH,
    NOTIFY_KEYEVENT, NOTIFY_KEYSPACE, NOTIFY_KEY_MISS, NOTIFY_LIST, NOTIFY_LOADED, NOTIFY_MODULE,
    NOTIFY_NEW, NOTIFY_SET, NOTIFY_STREAM, NOTIFY_STRING, NOTIFY_ZSET, PROTECTED, SENSITIVE, TABLE,
    VOLATILE,
};

/// The version printed in fatal config errors.
pub const VERSION: &str = "9.1.0";

/// Bounds Valkey applies to `hz` after loading and after CONFIG SET.
const MIN_HZ: i64 = 1;
const MAX_HZ: i64 = 500;

/// Guard against `include` cycles (Valkey itself would recurse forever).
const MAX_INCLUDE_DEPTH: usize = 64;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A configuration that cannot be loaded. `Display` prints it exactly as
/// Valkey does on stderr before exiting with status 1 (print it with
/// `eprintln!("{err}")`; the text starts with an empty line, as Valkey's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A bad line: its 1-based number (in the text being read: the main file
    /// plus appended stdin and options, or an included file), the trimmed
    /// line as written, and the reason.
    Line {
        line_number: usize,
        line: String,
        reason: String,
    },
    /// A problem found after all lines were read (e.g. the log file cannot
    /// be opened, `replicaof` in cluster mode).
    Global { reason: String },
    /// The config file (or an included one) cannot be opened. Valkey logs
    /// this as a warning (`Fatal error, can't open config file …`) and exits.
    Open { path: String, reason: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Line {
                line_number,
                line,
                reason,
            } => write!(
                f,
                "\n*** FATAL CONFIG FILE ERROR (Version {VERSION}) ***\n\
                 Reading the configuration file, at line {line_number}\n>>> '{line}'\n{reason}"
            ),
            ConfigError::Global { reason } => {
                write!(
                    f,
                    "\n*** FATAL CONFIG FILE ERROR (Version {VERSION}) ***\n{reason}"
                )
            }
            ConfigError::Open { path, reason } => {
                write!(f, "Fatal error, can't open config file '{path}': {reason}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

// ---------------------------------------------------------------------------
// Typed enum values
// ---------------------------------------------------------------------------

/// `loglevel`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Debug = 0,
    Verbose = 1,
    Notice = 2,
    Warning = 3,
    Nothing = 4,
}

/// `enable-debug-command`, `enable-module-command`, `enable-protected-configs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtectedAction {
    No,
    Yes,
    /// Allowed from local connections only (loopback or unix socket).
    Local,
}

/// Name kept for code written against the earlier stub.
pub type EnableDebug = ProtectedAction;

impl ProtectedAction {
    /// Whether a client is allowed (Valkey's `allowProtectedAction`).
    pub fn allows(self, client_is_local: bool) -> bool {
        match self {
            ProtectedAction::No => false,
            ProtectedAction::Yes => true,
            ProtectedAction::Local => client_is_local,
        }
    }
}

/// `maxmemory-policy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxmemoryPolicy {
    VolatileLru = 0,
    VolatileLfu = 1,
    VolatileRandom = 2,
    VolatileTtl = 3,
    AllkeysLru = 4,
    AllkeysLfu = 5,
    AllkeysRandom = 6,
    NoEviction = 7,
}

impl MaxmemoryPolicy {
    /// The name INFO shows (`maxmemory_policy:noeviction`).
    pub fn name(self) -> &'static str {
        table::MAXMEMORY_POLICY_ENUM[self as usize].0
    }
}

/// `appendfsync`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendFsync {
    No,
    Always,
    Everysec,
}

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// `rename-command` check: does this (lower-case) command name exist?
pub type CommandExists = dyn Fn(&[u8]) -> bool;

/// Knobs for loading (the defaults behave like Valkey).
#[derive(Clone, Copy)]
pub struct LoadOptions<'a> {
    /// Perform Valkey's side effects: `dir` changes the working directory,
    /// `include` reads files, the log file is opened to check it. Default
    /// `true`; turn off to parse untrusted text without touching the system.
    pub side_effects: bool,
    /// Checks `rename-command`: does this command (any case, `a|b` for a
    /// subcommand) exist in the command table? `None` accepts any name.
    pub command_exists: Option<&'a CommandExists>,
}

impl Default for LoadOptions<'_> {
    fn default() -> Self {
        LoadOptions {
            side_effects: true,
            command_exists: None,
        }
    }
}

impl fmt::Debug for LoadOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadOptions")
            .field("side_effects", &self.side_effects)
            .field("command_exists", &self.command_exists.is_some())
            .finish()
    }
}

/// Who asks for a CONFIG SET (protected and deny-loading configs depend on it).
#[derive(Clone, Copy, Debug, Default)]
pub struct SetContext {
    /// The server is loading its dataset (DENY_LOADING configs are refused).
    pub loading: bool,
    /// The client is on a local connection (for `enable-protected-configs local`).
    pub client_is_local: bool,
}

/// Defines one-line typed accessors: `name: Type = getter Variant;` where
/// `getter` is `num` (cast to `Type`), `signed` (`i64` as stored), `flag`,
/// `enm`, `str_opt`, `text` or `text_opt`.
macro_rules! accessors {
    ($($(#[$m:meta])* $name:ident: $ty:ty = $get:ident $id:ident;)*) => {
        impl Config {
            $(
                $(#[$m])*
                #[inline]
                pub fn $name(&self) -> $ty {
                    accessors!(@get self, $get, $id, $ty)
                }
            )*
        }
    };
    (@get $s:ident, num, $id:ident, $ty:ty) => {
        $s.num(Id::$id) as $ty
    };
    (@get $s:ident, $get:ident, $id:ident, $ty:ty) => {
        $s.$get(Id::$id)
    };
}

// ---------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------

/// The server's configuration: every directive's current value plus the
/// file-only directives (`rename-command`, `user`, `loadmodule`, module
/// configs) for the subsystems that apply them.
#[derive(Clone, Debug)]
pub struct Config {
    values: Vec<Value>,
    config_file: Option<String>,
    renamed_commands: Vec<(String, String)>,
    users: Vec<Vec<Vec<u8>>>,
    load_modules: Vec<(String, Vec<String>)>,
    module_configs: Vec<(String, String)>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            values: TABLE.iter().map(Def::default_value).collect(),
            config_file: None,
            renamed_commands: Vec::new(),
            users: Vec::new(),
            load_modules: Vec::new(),
            module_configs: Vec::new(),
        }
    }
}

/// Loads the configuration like `valkey-server [file] [--name value …]`:
/// `file` (`-` reads stdin) followed by the options. See [`Config::load`].
pub fn load(file: Option<&str>, cli_args: &[String]) -> Result<Config, ConfigError> {
    Config::load(file, cli_args)
}

/// Loads configuration text (as if it were a config file's content).
pub fn load_from_str(text: &str) -> Result<Config, ConfigError> {
    Config::load_from_str(text)
}

/// State of one load (shared by nested includes).
struct LoadState<'a> {
    file: FileState,
    opts: LoadOptions<'a>,
    depth: usize,
    /// Lower-case command names removed / added by `rename-command`.
    renamed_away: Vec<Vec<u8>>,
    renamed_to: Vec<Vec<u8>>,
}

impl LoadState<'_> {
    /// Is `name` currently a command (after the renames so far)? Without a
    /// command table every name counts as existing unless renamed away.
    fn command_exists(&self, name: &[u8]) -> bool {
        let lower = name.to_ascii_lowercase();
        if self.renamed_to.contains(&lower) {
            return true;
        }
        let known = self.opts.command_exists.is_none_or(|f| f(&lower));
        known && !self.renamed_away.contains(&lower)
    }

    /// Is `name` taken as a rename target? Without a command table only
    /// earlier rename targets are known.
    fn command_name_taken(&self, name: &[u8]) -> bool {
        let lower = name.to_ascii_lowercase();
        self.renamed_to.contains(&lower)
            || self
                .opts
                .command_exists
                .is_some_and(|f| f(&lower) && !self.renamed_away.contains(&lower))
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Config {
    /// Loads `file` (if any; `-` means stdin) then the command-line options
    /// that followed it on `valkey-server`'s command line (`--port 7000
    /// --save 60 1`; a last `-` also reads stdin). The config file's absolute
    /// path is remembered for CONFIG REWRITE.
    pub fn load(file: Option<&str>, cli_args: &[String]) -> Result<Config, ConfigError> {
        Config::load_with(file, cli_args, &LoadOptions::default())
    }

    /// [`Config::load`] with explicit [`LoadOptions`].
    pub fn load_with(
        file: Option<&str>,
        cli_args: &[String],
        opts: &LoadOptions,
    ) -> Result<Config, ConfigError> {
        let (options, mut from_stdin) = parse::cli_options(cli_args, file.is_some());
        let mut text = Vec::new();
        let mut config_file = None;
        match file {
            Some("-") => from_stdin = true,
            Some(path) => {
                let abs = parse::absolute_path(path).unwrap_or_else(|| path.to_string());
                text = std::fs::read(&abs).map_err(|e| ConfigError::Open {
                    path: abs.clone(),
                    reason: table::strerror(&e),
                })?;
                config_file = Some(abs);
            }
            None => {}
        }
        if from_stdin {
            std::io::stdin()
                .read_to_end(&mut text)
                .map_err(|e| ConfigError::Open {
                    path: "-".into(),
                    reason: table::strerror(&e),
                })?;
        }
        text.push(b'\n');
        text.extend_from_slice(options.as_bytes());
        let mut cfg = Config {
            config_file,
            ..Config::default()
        };
        cfg.load_bytes(&text, opts)?;
        Ok(cfg)
    }

    /// Loads configuration text with the default options.
    pub fn load_from_str(text: &str) -> Result<Config, ConfigError> {
        Config::load_from_bytes(text.as_bytes(), &LoadOptions::default())
    }

    /// Loads configuration text (bytes: values may be binary).
    pub fn load_from_bytes(text: &[u8], opts: &LoadOptions) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        cfg.load_bytes(text, opts)?;
        Ok(cfg)
    }

    /// Applies more configuration text on top of this configuration (as
    /// Valkey does when it reads file, stdin and options in sequence).
    pub fn load_bytes(&mut self, text: &[u8], opts: &LoadOptions) -> Result<(), ConfigError> {
        let mut st = LoadState {
            file: FileState {
                save_loaded: false,
                side_effects: opts.side_effects,
            },
            opts: *opts,
            depth: 0,
            renamed_away: Vec::new(),
            renamed_to: Vec::new(),
        };
        self.load_text(text, &mut st)
    }

    fn load_text(&mut self, text: &[u8], st: &mut LoadState) -> Result<(), ConfigError> {
        for (line_number, line) in parse::lines(text) {
            if parse::is_comment_or_blank(line) {
                continue;
            }
            let fail = |reason: String| ConfigError::Line {
                line_number,
                line: lossy(line),
                reason,
            };
            let Some(argv) = parse::split_args(line) else {
                return Err(fail("Unbalanced quotes in configuration line".into()));
            };
            if argv.is_empty() {
                continue;
            }
            match self.apply_line(&argv, st) {
                Ok(()) => {}
                Err(LineError::Reason(r)) => return Err(fail(r)),
                // Errors inside included files are reported as they are.
                Err(LineError::Nested(e)) => return Err(e),
            }
        }
        self.after_load(st)
    }

    /// One split config line.
    fn apply_line(&mut self, argv: &[Vec<u8>], st: &mut LoadState) -> Result<(), LineError> {
        let name = argv[0].to_ascii_lowercase();
        let argc = argv.len();
        if let Some((id, _)) = lookup(&name) {
            let def = id.def();
            if !def.has(MULTI_ARG) && argc != 2 {
                return Err(LineError::Reason("wrong number of arguments".into()));
            }
            // `--save "60 1 300 10"`: a single non-empty argument of a
            // multi-argument directive is split again.
            let resplit;
            let args: Vec<&[u8]> = if def.has(MULTI_ARG) && argc == 2 && !argv[1].is_empty() {
                resplit = parse::split_args(&argv[1]).unwrap_or_default();
                resplit.iter().map(|a| a.as_slice()).collect()
            } else {
                argv[1..].iter().map(|a| a.as_slice()).collect()
            };
            let v = def
                .parse_args(&self.values[id as usize], &args, Some(&mut st.file))
                .map_err(LineError::Reason)?;
            self.values[id as usize] = v;
            return Ok(());
        }
        if table::DEPRECATED
            .iter()
            .any(|(n, c)| n.as_bytes() == name.as_slice() && *c == argc)
        {
            return Ok(());
        }
        let reason = |r: &str| Err(LineError::Reason(r.into()));
        match name.as_slice() {
            b"include" if argc == 2 => self.include(&lossy(&argv[1]), st),
            b"rename-command" if argc == 3 => {
                if !st.command_exists(&argv[1]) {
                    return reason("No such command in rename-command");
                }
                let from = argv[1].to_ascii_lowercase();
                st.renamed_to.retain(|n| *n != from);
                st.renamed_away.push(from);
                if !argv[2].is_empty() {
                    if st.command_name_taken(&argv[2]) {
                        return reason("Target command name already exists");
                    }
                    st.renamed_to.push(argv[2].to_ascii_lowercase());
                }
                self.renamed_commands
                    .push((lossy(&argv[1]), lossy(&argv[2])));
                Ok(())
            }
            b"user" if argc >= 2 => {
                self.users.push(argv[1..].to_vec());
                Ok(())
            }
            b"loadmodule" if argc >= 2 => {
                self.load_modules.push((
                    lossy(&argv[1]),
                    argv[2..].iter().map(|a| lossy(a)).collect(),
                ));
                Ok(())
            }
            n if n.contains(&b'.') => {
                if argc < 2 {
                    return reason("Module config specified without value");
                }
                let key = lossy(&argv[0]);
                let val = argv[1..]
                    .iter()
                    .map(|a| lossy(a))
                    .collect::<Vec<_>>()
                    .join(" ");
                match self.module_configs.iter_mut().find(|(k, _)| *k == key) {
                    Some(e) => e.1 = val,
                    None => self.module_configs.push((key, val)),
                }
                Ok(())
            }
            b"sentinel" => {
                if argc != 1 {
                    reason("sentinel directive while not in sentinel mode")
                } else {
                    Ok(())
                }
            }
            _ => reason("Bad directive or wrong number of arguments"),
        }
    }

    fn include(&mut self, path: &str, st: &mut LoadState) -> Result<(), LineError> {
        if !st.opts.side_effects {
            return Ok(());
        }
        if st.depth >= MAX_INCLUDE_DEPTH {
            return Err(LineError::Reason(
                "Too many nested include directives".into(),
            ));
        }
        let files: Vec<String> = if parse::has_wildcards(path) {
            parse::expand_include(path)
                .into_iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        } else {
            vec![path.to_string()]
        };
        let mut text = Vec::new();
        for f in files {
            let content = std::fs::read(&f).map_err(|e| {
                LineError::Nested(ConfigError::Open {
                    path: f.clone(),
                    reason: table::strerror(&e),
                })
            })?;
            text.extend_from_slice(&content);
        }
        st.depth += 1;
        let r = self.load_text(&text, st);
        st.depth -= 1;
        r.map_err(LineError::Nested)
    }

    /// The checks Valkey runs at the end of every config text it reads.
    fn after_load(&mut self, st: &LoadState) -> Result<(), ConfigError> {
        if st.opts.side_effects {
            if let Some(path) = self.str_opt(Id::Logfile).filter(|p| !p.is_empty()) {
                let path = lossy(path);
                if let Err(e) = std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&path)
                {
                    return Err(ConfigError::Global {
                        reason: format!("Can't open the log file: {}", table::strerror(&e)),
                    });
                }
            }
        }
        if self.cluster_enabled() && self.replicaof().is_some() {
            return Err(ConfigError::Global {
                reason: "replicaof directive not allowed in cluster mode".into(),
            });
        }
        self.clamp_hz();
        Ok(())
    }

    fn clamp_hz(&mut self) {
        if let Value::Num(hz) = &mut self.values[Id::Hz as usize] {
            *hz = (*hz).clamp(MIN_HZ, MAX_HZ);
        }
    }

    // -----------------------------------------------------------------------
    // CONFIG GET
    // -----------------------------------------------------------------------

    /// CONFIG GET: the directives matching any of `patterns` (Valkey glob
    /// rules, case-insensitive), as (name, value) pairs sorted by name.
    /// A pattern without `*`, `?` or `[` is an exact name: it also finds
    /// hidden directives and is echoed as typed. Aliases are listed under
    /// their own names. Binary values are converted lossily; see
    /// [`Config::get_raw`].
    pub fn get(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        self.get_raw(patterns)
            .into_iter()
            .map(|(k, v)| (k, lossy(&v)))
            .collect()
    }

    /// [`Config::get`] with values as raw bytes.
    pub fn get_raw(&self, patterns: &[&[u8]]) -> Vec<(String, Vec<u8>)> {
        let mut found: Vec<(Vec<u8>, Id)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for pat in patterns {
            if !pat.iter().any(|c| matches!(c, b'[' | b'*' | b'?')) {
                let key = pat.to_ascii_lowercase();
                if seen.contains(&key) {
                    continue;
                }
                if let Some((id, _)) = lookup(pat) {
                    seen.insert(key);
                    found.push((pat.to_vec(), id));
                }
                continue;
            }
            for (&id, def) in Id::ALL.iter().zip(TABLE.iter()) {
                if def.has(HIDDEN) {
                    continue;
                }
                for name in std::iter::once(def.name).chain(def.alias) {
                    if seen.contains(name.as_bytes()) {
                        continue;
                    }
                    if crate::util::glob::string_match(pat, name.as_bytes(), true) {
                        seen.insert(name.as_bytes().to_vec());
                        found.push((name.as_bytes().to_vec(), id));
                    }
                }
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
            .into_iter()
            .map(|(k, id)| (lossy(&k), id.def().format(&self.values[id as usize])))
            .collect()
    }

    /// The CONFIG GET text of one directive (by name or alias, any case).
    pub fn get_one(&self, name: &str) -> Option<String> {
        lookup(name.as_bytes()).map(|(id, _)| lossy(&id.def().format(&self.values[id as usize])))
    }

    /// Every directive with its CONFIG GET text, in table order (for INFO,
    /// DEBUG, and tests). Aliases are not listed separately.
    pub fn iter_all(&self) -> impl Iterator<Item = (&'static Def, String)> + '_ {
        TABLE
            .iter()
            .zip(self.values.iter())
            .map(|(def, v)| (def, lossy(&def.format(v))))
    }

    /// The current value of a directive.
    #[inline]
    pub fn value(&self, id: Id) -> &Value {
        &self.values[id as usize]
    }

    // -----------------------------------------------------------------------
    // CONFIG SET
    // -----------------------------------------------------------------------

    /// CONFIG SET `name value [name value …]` from a non-local client while
    /// not loading. See [`Config::set_with`].
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, String> {
        self.set_with(pairs, &SetContext::default())
    }

    /// CONFIG SET: validates every pair, then sets them all or none (on a
    /// failure the earlier ones are restored). Returns the canonical names
    /// of the directives whose value changed (or that Valkey always
    /// re-applies, like `bind`, `save`, TLS files), so the server can apply
    /// side effects (rebind, resize…). Errors are complete error replies
    /// (`ERR …`, `LOADING …`) with Valkey's texts.
    pub fn set_with(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        ctx: &SetContext,
    ) -> Result<Vec<&'static str>, String> {
        // Phase 1: resolve names and check the flags; the first error wins.
        let mut resolved: Vec<(Id, bool)> = Vec::with_capacity(pairs.len());
        let mut error: Option<String> = None;
        for (name, _) in pairs {
            let Some((id, alias)) = lookup(name) else {
                if error.is_none() {
                    error = Some(format!(
                        "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                        lossy(name)
                    ));
                }
                continue;
            };
            if error.is_some() {
                continue;
            }
            let def = id.def();
            let fail = |why: &str| {
                format!(
                    "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
                    lossy(name)
                )
            };
            if def.has(IMMUTABLE) {
                error = Some(fail("can't set immutable config"));
            } else if def.has(PROTECTED)
                && !self.enable_protected_configs().allows(ctx.client_is_local)
            {
                error = Some(fail("can't set protected config"));
            } else if ctx.loading && def.has(DENY_LOADING) {
                error = Some("LOADING Valkey is loading the dataset in memory".into());
            } else if resolved.contains(&(id, alias)) {
                // Like Valkey, a name and its alias are not duplicates.
                error = Some(fail("duplicate parameter"));
            }
            resolved.push((id, alias));
        }
        if let Some(e) = error {
            return Err(e);
        }

        // Phase 2: set all (restoring on failure).
        let backup: Vec<(Id, Value)> = resolved
            .iter()
            .map(|(id, _)| (*id, self.values[*id as usize].clone()))
            .collect();
        let mut changed: Vec<&'static str> = Vec::new();
        for (k, &(id, alias)) in resolved.iter().enumerate() {
            let def = id.def();
            let raw = pairs[k].1;
            let args: Vec<&[u8]> = if def.has(MULTI_ARG) {
                if raw.is_empty() {
                    Vec::new()
                } else {
                    raw.split(|&b| b == b' ').collect()
                }
            } else {
                vec![raw]
            };
            match def.parse_args(&self.values[id as usize], &args, None) {
                Ok(v) => {
                    let always = def.has(VOLATILE)
                        || matches!(def.kind, Kind::Special(s) if s != Special::OomScoreAdjValues);
                    let is_change = always || v != self.values[id as usize];
                    self.values[id as usize] = v;
                    if is_change && !changed.contains(&def.name) {
                        changed.push(def.name);
                    }
                }
                Err(reason) => {
                    self.restore(&backup[..=k]);
                    let shown = if alias {
                        def.alias.unwrap_or(def.name)
                    } else {
                        def.name
                    };
                    return Err(format!(
                        "ERR CONFIG SET failed (possibly related to argument '{shown}') - {reason}"
                    ));
                }
            }
        }
        if changed.contains(&"hz") {
            self.clamp_hz();
        }
        Ok(changed)
    }

    /// CONFIG SET followed by the server's side effects. `apply` receives
    /// the new configuration and the changed names; if it fails with
    /// `(name, reason)`, every value is restored, `apply` is called again
    /// with the restored configuration (its result ignored), and the error
    /// reply is returned.
    pub fn set_and_apply<F>(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        ctx: &SetContext,
        mut apply: F,
    ) -> Result<Vec<&'static str>, String>
    where
        F: FnMut(&Config, &[&'static str]) -> Result<(), (&'static str, String)>,
    {
        let before = self.values.clone();
        let changed = self.set_with(pairs, ctx)?;
        if changed.is_empty() {
            return Ok(changed);
        }
        if let Err((name, reason)) = apply(self, &changed) {
            let backup: Vec<(Id, Value)> = Id::ALL
                .iter()
                .filter(|id| self.values[**id as usize] != before[**id as usize])
                .map(|id| (*id, before[*id as usize].clone()))
                .collect();
            self.restore(&backup);
            let _ = apply(self, &changed);
            return Err(format!(
                "ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"
            ));
        }
        Ok(changed)
    }

    fn restore(&mut self, backup: &[(Id, Value)]) {
        for (id, v) in backup.iter().rev() {
            if let Value::Dir(d) = v {
                let _ = std::env::set_current_dir(d);
            }
            self.values[*id as usize] = v.clone();
        }
    }

    // -----------------------------------------------------------------------
    // File-only directives and metadata
    // -----------------------------------------------------------------------

    /// The absolute path of the config file given on the command line.
    pub fn config_file(&self) -> Option<&str> {
        self.config_file.as_deref()
    }

    /// Sets the config file path (for servers that build a `Config` themselves).
    pub fn set_config_file(&mut self, path: Option<String>) {
        self.config_file = path;
    }

    /// `rename-command old new` lines in order (`new` empty: command removed).
    pub fn renamed_commands(&self) -> &[(String, String)] {
        &self.renamed_commands
    }

    /// `user <name> <rules…>` lines (arguments after `user`), for the ACL
    /// module, which validates them.
    pub fn users(&self) -> &[Vec<Vec<u8>>] {
        &self.users
    }

    /// `loadmodule <path> <args…>` lines.
    pub fn load_modules(&self) -> &[(String, Vec<String>)] {
        &self.load_modules
    }

    /// `module.config value` lines (last one wins per name).
    pub fn module_configs(&self) -> &[(String, String)] {
        &self.module_configs
    }

    /// Whether a CONFIG SET argument for `name` must be redacted.
    pub fn is_sensitive(name: &[u8]) -> bool {
        lookup(name)
            .map(|(id, _)| id.def().has(SENSITIVE))
            .unwrap_or(false)
    }

    // -----------------------------------------------------------------------
    // Typed accessors (one line each; all O(1))
    // -----------------------------------------------------------------------

    #[inline]
    fn num(&self, id: Id) -> i64 {
        match &self.values[id as usize] {
            Value::Num(n) => *n,
            _ => unreachable!("{id:?} is not numeric"),
        }
    }

    #[inline]
    fn signed(&self, id: Id) -> i64 {
        self.num(id)
    }

    #[inline]
    fn flag(&self, id: Id) -> bool {
        match &self.values[id as usize] {
            Value::Bool(b) => *b,
            _ => unreachable!("{id:?} is not yes/no"),
        }
    }

    #[inline]
    fn enm(&self, id: Id) -> i32 {
        match &self.values[id as usize] {
            Value::Enum(e) => *e,
            _ => unreachable!("{id:?} is not an enum"),
        }
    }

    #[inline]
    fn str_opt(&self, id: Id) -> Option<&[u8]> {
        match &self.values[id as usize] {
            Value::Str(s) => s.as_deref(),
            _ => unreachable!("{id:?} is not a string"),
        }
    }

    #[inline]
    fn text(&self, id: Id) -> &str {
        self.str_opt(id)
            .and_then(|s| std::str::from_utf8(s).ok())
            .unwrap_or("")
    }

    #[inline]
    fn text_opt(&self, id: Id) -> Option<&str> {
        self.str_opt(id).and_then(|s| std::str::from_utf8(s).ok())
    }

    fn protected_action(&self, id: Id) -> ProtectedAction {
        match self.enm(id) {
            1 => ProtectedAction::Yes,
            2 => ProtectedAction::Local,
            _ => ProtectedAction::No,
        }
    }
}

// One line per accessor: `name: Type = getter Variant;` (the getter reads the
// value vector by index, so every accessor is O(1)). Accessors needing more
// logic follow in the next `impl` block.
accessors! {
    // Network
    port: u16 = num Port;
    tls_port: u16 = num TlsPort;
    bind_source_addr: Option<&str> = text_opt BindSourceAddr;
    unixsocket: Option<&str> = text_opt Unixsocket;
    unixsocketperm: u32 = num Unixsocketperm;
    unixsocketgroup: Option<&str> = text_opt Unixsocketgroup;
    tcp_backlog: u64 = num TcpBacklog;
    tcp_keepalive: u64 = num TcpKeepalive;
    timeout: u64 = num Timeout;
    protected_mode: bool = flag ProtectedMode;
    maxclients: u64 = num Maxclients;
    max_new_connections_per_cycle: u64 = num MaxNewConnectionsPerCycle;
    io_threads: u64 = num IoThreads;
    io_threads_always_active: bool = flag IoThreadsAlwaysActive;
    prefetch_batch_max_size: u64 = num PrefetchBatchMaxSize;
    mptcp: bool = flag Mptcp;
    socket_mark_id: u32 = num SocketMarkId;

    // Protocol limits and clients
    proto_max_bulk_len: u64 = num ProtoMaxBulkLen;
    client_query_buffer_limit: u64 = num ClientQueryBufferLimit;
    /// `maxmemory-clients`: `Some(bytes)`, `Some(-percent)` or 0 (disabled).
    maxmemory_clients: i64 = signed MaxmemoryClients;
    requirepass: Option<&[u8]> = str_opt Requirepass;
    tracking_table_max_keys: u64 = num TrackingTableMaxKeys;
    extended_redis_compatibility: bool = flag ExtendedRedisCompatibility;

    // Server / process
    databases: usize = num Databases;
    cluster_databases: usize = num ClusterDatabases;
    hz: u64 = num Hz;
    daemonize: bool = flag Daemonize;
    pidfile: Option<&str> = text_opt Pidfile;
    logfile: &str = text Logfile;
    syslog_enabled: bool = flag SyslogEnabled;
    syslog_ident: &str = text SyslogIdent;
    syslog_facility: i32 = enm SyslogFacility;
    always_show_logo: bool = flag AlwaysShowLogo;
    set_proc_title: bool = flag SetProcTitle;
    proc_title_template: &str = text ProcTitleTemplate;
    crash_log_enabled: bool = flag CrashLogEnabled;
    shutdown_timeout: u64 = num ShutdownTimeout;
    /// Bit flags of [`table::SHUTDOWN_ON_SIG_ENUM`].
    shutdown_on_sigint: i32 = enm ShutdownOnSigint;
    shutdown_on_sigterm: i32 = enm ShutdownOnSigterm;
    latency_monitor_threshold: i64 = signed LatencyMonitorThreshold;
    latency_tracking: bool = flag LatencyTracking;
    busy_reply_threshold: i64 = signed BusyReplyThreshold;
    commandlog_execution_slower_than: i64 = signed CommandlogExecutionSlowerThan;
    commandlog_slow_execution_max_len: u64 = num CommandlogSlowExecutionMaxLen;
    commandlog_request_larger_than: i64 = signed CommandlogRequestLargerThan;
    commandlog_large_request_max_len: u64 = num CommandlogLargeRequestMaxLen;
    commandlog_reply_larger_than: i64 = signed CommandlogReplyLargerThan;
    commandlog_large_reply_max_len: u64 = num CommandlogLargeReplyMaxLen;
    acllog_max_len: u64 = num AcllogMaxLen;
    aclfile: &str = text Aclfile;
    hide_user_data_from_log: bool = flag HideUserDataFromLog;
    locale_collate: &str = text LocaleCollate;

    // Memory and eviction
    maxmemory: u64 = num Maxmemory;
    maxmemory_samples: u64 = num MaxmemorySamples;
    maxmemory_eviction_tenacity: u64 = num MaxmemoryEvictionTenacity;
    lfu_log_factor: u64 = num LfuLogFactor;
    lfu_decay_time: u64 = num LfuDecayTime;
    active_expire_effort: u64 = num ActiveExpireEffort;
    activerehashing: bool = flag Activerehashing;
    activedefrag: bool = flag Activedefrag;
    lazyfree_lazy_eviction: bool = flag LazyfreeLazyEviction;
    lazyfree_lazy_expire: bool = flag LazyfreeLazyExpire;
    lazyfree_lazy_server_del: bool = flag LazyfreeLazyServerDel;
    lazyfree_lazy_user_del: bool = flag LazyfreeLazyUserDel;
    lazyfree_lazy_user_flush: bool = flag LazyfreeLazyUserFlush;
    replica_lazy_flush: bool = flag ReplicaLazyFlush;
    jemalloc_bg_thread: bool = flag JemallocBgThread;
    import_mode: bool = flag ImportMode;

    // Encodings of data types
    list_max_listpack_size: i32 = num ListMaxListpackSize;
    list_compress_depth: u32 = num ListCompressDepth;
    hash_max_listpack_entries: usize = num HashMaxListpackEntries;
    hash_max_listpack_value: usize = num HashMaxListpackValue;
    set_max_intset_entries: usize = num SetMaxIntsetEntries;
    set_max_listpack_entries: usize = num SetMaxListpackEntries;
    set_max_listpack_value: usize = num SetMaxListpackValue;
    zset_max_listpack_entries: usize = num ZsetMaxListpackEntries;
    zset_max_listpack_value: usize = num ZsetMaxListpackValue;
    hll_sparse_max_bytes: usize = num HllSparseMaxBytes;
    stream_node_max_bytes: usize = num StreamNodeMaxBytes;
    stream_node_max_entries: u64 = num StreamNodeMaxEntries;

    // Persistence
    dbfilename: &str = text Dbfilename;
    rdbcompression: bool = flag Rdbcompression;
    rdbchecksum: bool = flag Rdbchecksum;
    /// Microseconds to wait after each key a snapshot writes (tests).
    rdb_key_save_delay: i64 = signed RdbKeySaveDelay;
    rdb_del_sync_files: bool = flag RdbDelSyncFiles;
    rdb_save_incremental_fsync: bool = flag RdbSaveIncrementalFsync;
    stop_writes_on_bgsave_error: bool = flag StopWritesOnBgsaveError;
    appendonly: bool = flag Appendonly;
    appendfilename: &str = text Appendfilename;
    appenddirname: &str = text Appenddirname;
    no_appendfsync_on_rewrite: bool = flag NoAppendfsyncOnRewrite;
    auto_aof_rewrite_percentage: u64 = num AutoAofRewritePercentage;
    auto_aof_rewrite_min_size: u64 = num AutoAofRewriteMinSize;
    aof_load_truncated: bool = flag AofLoadTruncated;
    aof_use_rdb_preamble: bool = flag AofUseRdbPreamble;
    aof_timestamp_enabled: bool = flag AofTimestampEnabled;
    aof_rewrite_incremental_fsync: bool = flag AofRewriteIncrementalFsync;

    // Replication
    primaryauth: Option<&[u8]> = str_opt Primaryauth;
    primaryuser: Option<&[u8]> = str_opt Primaryuser;
    replica_read_only: bool = flag ReplicaReadOnly;
    replica_serve_stale_data: bool = flag ReplicaServeStaleData;
    replica_priority: u64 = num ReplicaPriority;
    replica_announced: bool = flag ReplicaAnnounced;
    replica_ignore_maxmemory: bool = flag ReplicaIgnoreMaxmemory;
    repl_backlog_size: u64 = num ReplBacklogSize;
    repl_backlog_ttl: u64 = num ReplBacklogTtl;
    repl_timeout: u64 = num ReplTimeout;
    repl_ping_replica_period: u64 = num ReplPingReplicaPeriod;
    repl_diskless_sync: bool = flag ReplDisklessSync;
    repl_diskless_sync_delay: u64 = num ReplDisklessSyncDelay;
    min_replicas_to_write: u64 = num MinReplicasToWrite;
    min_replicas_max_lag: u64 = num MinReplicasMaxLag;

    // Keyspace notifications

    // Cluster and TLS
    cluster_enabled: bool = flag ClusterEnabled;
    cluster_config_file: &str = text ClusterConfigFile;
    cluster_node_timeout: i64 = signed ClusterNodeTimeout;
    cluster_port: u16 = num ClusterPort;
    cluster_require_full_coverage: bool = flag ClusterRequireFullCoverage;
    cluster_allow_reads_when_down: bool = flag ClusterAllowReadsWhenDown;
    tls_replication: bool = flag TlsReplication;
    tls_cluster: bool = flag TlsCluster;
    tls_cert_file: Option<&str> = text_opt TlsCertFile;
    tls_key_file: Option<&str> = text_opt TlsKeyFile;
    tls_ca_cert_file: Option<&str> = text_opt TlsCaCertFile;
}

impl Config {
    pub fn bind(&self) -> &[String] {
        match &self.values[Id::Bind as usize] {
            Value::Addrs(a) => a,
            _ => unreachable!(),
        }
    }
    /// `(hard bytes, soft bytes, soft seconds)` of a client class.
    pub fn client_output_buffer_limit(&self, class: ClientClass) -> (u64, u64, u64) {
        match &self.values[Id::ClientOutputBufferLimit as usize] {
            Value::Obuf(l) => {
                let l = l[class as usize];
                (l.hard_bytes, l.soft_bytes, l.soft_seconds)
            }
            _ => unreachable!(),
        }
    }
    /// `dynamic-hz` is deprecated in Valkey 9 (accepted in files, ignored):
    /// the server never scales `hz` with the number of clients.
    pub fn dynamic_hz(&self) -> bool {
        false
    }
    /// `supervised`: `no`, `upstart`, `systemd` or `auto`.
    pub fn supervised(&self) -> &'static str {
        static_name(table::SUPERVISED_ENUM, self.enm(Id::Supervised))
    }
    pub fn dir(&self) -> &str {
        match &self.values[Id::Dir as usize] {
            Value::Dir(d) => d,
            _ => unreachable!(),
        }
    }
    pub fn loglevel(&self) -> LogLevel {
        match self.enm(Id::Loglevel) {
            0 => LogLevel::Debug,
            1 => LogLevel::Verbose,
            3 => LogLevel::Warning,
            4 => LogLevel::Nothing,
            _ => LogLevel::Notice,
        }
    }
    pub fn enable_debug_command(&self) -> ProtectedAction {
        self.protected_action(Id::EnableDebugCommand)
    }
    pub fn enable_module_command(&self) -> ProtectedAction {
        self.protected_action(Id::EnableModuleCommand)
    }
    pub fn enable_protected_configs(&self) -> ProtectedAction {
        self.protected_action(Id::EnableProtectedConfigs)
    }
    pub fn latency_tracking_info_percentiles(&self) -> &[f64] {
        match &self.values[Id::LatencyTrackingInfoPercentiles as usize] {
            Value::Percentiles(p) => p,
            _ => unreachable!(),
        }
    }
    /// `acl-pubsub-default allchannels`?
    pub fn acl_pubsub_default_allchannels(&self) -> bool {
        self.enm(Id::AclPubsubDefault) != 0
    }
    pub fn availability_zone(&self) -> &[u8] {
        self.str_opt(Id::AvailabilityZone).unwrap_or(b"")
    }
    pub fn oom_score_adj_values(&self) -> [i32; 3] {
        match &self.values[Id::OomScoreAdjValues as usize] {
            Value::Oom(v) => *v,
            _ => unreachable!(),
        }
    }
    pub fn maxmemory_policy(&self) -> MaxmemoryPolicy {
        use MaxmemoryPolicy::*;
        [
            VolatileLru,
            VolatileLfu,
            VolatileRandom,
            VolatileTtl,
            AllkeysLru,
            AllkeysLfu,
            AllkeysRandom,
            NoEviction,
        ][self.enm(Id::MaxmemoryPolicy).clamp(0, 7) as usize]
    }
    /// `save` points as `(seconds, changes)`; empty means no automatic saves.
    pub fn save_params(&self) -> &[(u64, u64)] {
        match &self.values[Id::Save as usize] {
            Value::Save(v) => v,
            _ => unreachable!(),
        }
    }
    pub fn rdb_version_check_relaxed(&self) -> bool {
        self.enm(Id::RdbVersionCheck) == 1
    }
    /// `sanitize-dump-payload`: `no`, `yes` or `clients`.
    pub fn sanitize_dump_payload(&self) -> &'static str {
        static_name(
            table::SANITIZE_DUMP_PAYLOAD_ENUM,
            self.enm(Id::SanitizeDumpPayload),
        )
    }
    pub fn appendfsync(&self) -> AppendFsync {
        match self.enm(Id::Appendfsync) {
            0 => AppendFsync::No,
            1 => AppendFsync::Always,
            _ => AppendFsync::Everysec,
        }
    }
    /// `replicaof host port`, `None` for a primary.
    pub fn replicaof(&self) -> Option<(&str, u16)> {
        match &self.values[Id::Replicaof as usize] {
            Value::ReplicaOf(r) => r.as_ref().map(|(h, p)| (h.as_str(), *p)),
            _ => unreachable!(),
        }
    }
    /// `notify-keyspace-events` as `NOTIFY_*` bits.
    pub fn notify_keyspace_events(&self) -> u32 {
        match &self.values[Id::NotifyKeyspaceEvents as usize] {
            Value::Notify(f) => *f,
            _ => unreachable!(),
        }
    }
}

/// The name of a (non bit-flag) enum value.
fn static_name(values: &'static [(&'static str, i32)], v: i32) -> &'static str {
    values
        .iter()
        .find(|(_, x)| *x == v)
        .map(|(n, _)| *n)
        .unwrap_or("unknown")
}

/// Why a config line failed.
enum LineError {
    /// A reason for this line.
    Reason(String),
    /// An error inside an included file, reported as it is.
    Nested(ConfigError),
}

#[cfg(test)]
mod tests;
