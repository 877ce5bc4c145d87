//! The live command table: every command we implement, its handler, its
//! metadata and its statistics.
//!
//! Each group module in `commands/` registers `(name, handler)` pairs; the
//! metadata comes from the generated spec table, so a command exists for
//! clients (dispatch, `COMMAND`, ACL categories) exactly when it has a
//! handler.

use super::spec::CommandSpec;
use super::{CmdResult, Ctx};
use bytes::Bytes;
use hashbrown::HashMap;

pub type Handler = fn(&mut Ctx, &[Bytes]) -> CmdResult;

/// Per-command counters for `INFO commandstats` / `errorstats`.
#[derive(Debug, Default, Clone)]
pub struct CommandStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
    /// Latency distribution (LATENCY HISTOGRAM, INFO latencystats),
    /// allocated on the first call while `latency-tracking` is on.
    pub latency: Option<super::latency::Histogram>,
}

pub struct Command {
    /// Full lower-case name: `get`, `config|get`.
    pub fullname: String,
    pub spec: &'static CommandSpec,
    pub handler: Option<Handler>,
    pub id: usize,
    /// Subcommands of a container command (`CONFIG GET`, ...).
    pub subcommands: HashMap<String, usize>,
    pub parent: Option<usize>,
    /// Inspects keys without counting as an access (see [`no_touch`]).
    pub no_touch: bool,
    /// See [`CmdRef::cross_db`].
    pub cross_db: bool,
}

fn cross_db(fullname: &str) -> bool {
    matches!(fullname, "move" | "copy" | "swapdb")
}

/// Commands that look at keys without "using" them, so OBJECT IDLETIME and
/// eviction are not fooled by monitoring (Valkey's LOOKUP_NOTOUCH callers).
fn no_touch(fullname: &str) -> bool {
    let top = fullname.split('|').next().unwrap_or(fullname);
    matches!(
        top,
        "object"
            | "type"
            | "exists"
            | "ttl"
            | "pttl"
            | "expiretime"
            | "pexpiretime"
            | "debug"
            | "memory"
    )
}

/// A cheap copy of what dispatch needs, so the table is not borrowed while
/// the handler mutates the server.
#[derive(Clone, Copy)]
pub struct CmdRef {
    pub id: usize,
    pub spec: &'static CommandSpec,
    pub handler: Option<Handler>,
    pub is_container: bool,
    /// Lookups do not update the keys' access clock.
    pub no_touch: bool,
    /// May look up keys of a database other than the client's (so keys
    /// it finds expired can be anywhere).
    pub cross_db: bool,
}

#[derive(Default)]
pub struct CommandTable {
    pub commands: Vec<Command>,
    top: HashMap<Vec<u8>, usize>,
    pub stats: Vec<CommandStats>,
}

impl CommandTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Register a top-level command (`"get"`) or a subcommand
    /// (`"config|get"`). Panics on a name missing from the spec table: that
    /// is a programming error caught by the unit tests, never by input.
    pub fn add(&mut self, fullname: &str, handler: Handler) {
        let (parent_name, sub) = match fullname.split_once('|') {
            Some((p, s)) => (p, Some(s)),
            None => (fullname, None),
        };
        let spec = CommandSpec::lookup(parent_name)
            .unwrap_or_else(|| panic!("no spec for command {parent_name}"));
        let parent = self.ensure(parent_name, spec);
        match sub {
            None => self.commands[parent].handler = Some(handler),
            Some(s) => {
                let sspec = spec
                    .subcommand(s)
                    .unwrap_or_else(|| panic!("no spec for subcommand {fullname}"));
                let id = self.commands.len();
                self.commands.push(Command {
                    fullname: fullname.to_string(),
                    spec: sspec,
                    handler: Some(handler),
                    id,
                    subcommands: HashMap::new(),
                    parent: Some(parent),
                    no_touch: no_touch(fullname),
                    cross_db: cross_db(fullname),
                });
                self.stats.push(CommandStats::default());
                self.commands[parent].subcommands.insert(s.to_string(), id);
            }
        }
    }

    fn ensure(&mut self, name: &str, spec: &'static CommandSpec) -> usize {
        if let Some(&id) = self.top.get(name.as_bytes()) {
            return id;
        }
        let id = self.commands.len();
        self.commands.push(Command {
            fullname: name.to_string(),
            spec,
            handler: None,
            id,
            subcommands: HashMap::new(),
            parent: None,
            no_touch: no_touch(name),
            cross_db: cross_db(name),
        });
        self.stats.push(CommandStats::default());
        self.top.insert(name.as_bytes().to_vec(), id);
        id
    }

    /// Rename (or, with an empty new name, remove) a command, for the
    /// `rename-command` directive.
    pub fn rename(&mut self, from: &str, to: &str) -> bool {
        let Some(id) = self.top.remove(from.to_ascii_lowercase().as_bytes()) else {
            return false;
        };
        if !to.is_empty() {
            self.top.insert(to.to_ascii_lowercase().into_bytes(), id);
        }
        true
    }

    #[inline]
    fn cref(&self, id: usize) -> CmdRef {
        let c = &self.commands[id];
        CmdRef {
            id,
            spec: c.spec,
            handler: c.handler,
            is_container: !c.subcommands.is_empty(),
            no_touch: c.no_touch,
            cross_db: c.cross_db,
        }
    }

    /// Case-insensitive lookup of a top-level command.
    #[inline]
    pub fn lookup(&self, name: &[u8]) -> Option<CmdRef> {
        let mut buf = [0u8; 32];
        let id = if name.len() <= buf.len() {
            for (d, s) in buf.iter_mut().zip(name) {
                *d = s.to_ascii_lowercase();
            }
            *self.top.get(&buf[..name.len()])?
        } else {
            *self.top.get(&name.to_ascii_lowercase())?
        };
        Some(self.cref(id))
    }

    pub fn lookup_sub(&self, parent: usize, name: &[u8]) -> Option<CmdRef> {
        let name = std::str::from_utf8(name).ok()?.to_ascii_lowercase();
        let id = *self.commands[parent].subcommands.get(&name)?;
        Some(self.cref(id))
    }

    /// Lookup by full name `a|b` (COMMAND INFO, ACL).
    pub fn lookup_fullname(&self, name: &str) -> Option<&Command> {
        let lower = name.to_ascii_lowercase();
        match lower.split_once('|') {
            None => self.top.get(lower.as_bytes()).map(|&id| &self.commands[id]),
            Some((p, s)) => {
                let pid = *self.top.get(p.as_bytes())?;
                let id = *self.commands[pid].subcommands.get(s)?;
                Some(&self.commands[id])
            }
        }
    }

    pub fn fullname(&self, id: usize) -> &str {
        &self.commands[id].fullname
    }

    /// Top-level commands, in registration order.
    pub fn top_level(&self) -> impl Iterator<Item = &Command> {
        self.commands.iter().filter(|c| c.parent.is_none())
    }

    pub fn get(&self, id: usize) -> &Command {
        &self.commands[id]
    }

    /// Subcommands of `id`, sorted by name for stable output.
    pub fn subcommands_of(&self, id: usize) -> Vec<&Command> {
        let mut v: Vec<&Command> = self.commands[id]
            .subcommands
            .values()
            .map(|&i| &self.commands[i])
            .collect();
        v.sort_by(|a, b| a.fullname.cmp(&b.fullname));
        v
    }
}
