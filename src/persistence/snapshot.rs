//! Whole-dataset RDB snapshots and DUMP payloads.
//!
//! A snapshot is the `VALKEY080` header, a few AUX fields, then per
//! non-empty database a SELECTDB + RESIZEDB pair and every key (with its
//! expire and, under an LRU/LFU policy, its idle time or frequency), the EOF
//! opcode and a CRC-64 of everything before it. A DUMP payload is one value
//! followed by the RDB version and a CRC-64 of the two.
//!
//! Loading accepts Valkey 9's `VALKEY` files and Redis/Valkey `REDIS` files
//! up to version 11 (and, with `rdb-version-check relaxed`, the versions
//! other forks use, as long as every type in them is one we know).

use super::crc64::crc64;
use super::rdb::{self, LoadError, LoadLimits, Reader, Writer, RDB_VERSION};
use crate::keyspace::access;
use crate::keyspace::Db;
use crate::types::Value;
use std::io::{self, Write};

const OP_FUNCTION2: u8 = 245;
const OP_MODULE_AUX: u8 = 247;
const OP_IDLE: u8 = 248;
const OP_FREQ: u8 = 249;
const OP_AUX: u8 = 250;
const OP_RESIZEDB: u8 = 251;
const OP_EXPIRETIME_MS: u8 = 252;
const OP_EXPIRETIME: u8 = 253;
const OP_SELECTDB: u8 = 254;
const OP_EOF: u8 = 255;
const OP_SLOT_INFO: u8 = 244;

/// Flush the write buffer to the file every this many bytes.
const CHUNK: usize = 1 << 20;

/// What the key clocks mean under the current `maxmemory-policy`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Clocks {
    None,
    Lru,
    Lfu { decay_minutes: u64 },
}

pub struct SaveOptions {
    pub compress: bool,
    pub checksum: bool,
    pub clocks: Clocks,
    pub now_ms: i64,
    pub used_mem: u64,
    /// `rdb-key-save-delay`: pause this many microseconds after each key
    /// (tests use it to keep a BGSAVE running).
    pub key_delay_us: u64,
}

/// Streams the snapshot out in chunks while keeping the running CRC.
struct Sink<'a, W: Write> {
    w: Writer,
    out: &'a mut W,
    crc: u64,
    checksum: bool,
    written: u64,
}

impl<W: Write> Sink<'_, W> {
    fn maybe_flush(&mut self) -> io::Result<()> {
        if self.w.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.checksum {
            self.crc = crc64(self.crc, &self.w.buf);
        }
        self.out.write_all(&self.w.buf)?;
        self.written += self.w.buf.len() as u64;
        self.w.buf.clear();
        Ok(())
    }

    fn aux(&mut self, k: &str, v: &str) {
        self.w.byte(OP_AUX);
        self.w.string(k.as_bytes());
        self.w.string(v.as_bytes());
    }
}

/// Write a snapshot of `dbs`; returns (keys written, bytes written).
pub fn write<W: Write>(dbs: &[Db], opt: &SaveOptions, out: &mut W) -> io::Result<(u64, u64)> {
    let mut s = Sink {
        w: Writer::new(opt.compress),
        out,
        crc: 0,
        checksum: opt.checksum,
        written: 0,
    };
    s.w.raw(format!("VALKEY{RDB_VERSION:03}").as_bytes());
    s.aux("valkey-ver", crate::VALKEY_VERSION);
    s.aux("redis-bits", "64");
    s.aux("ctime", &(opt.now_ms / 1000).to_string());
    s.aux("used-mem", &opt.used_mem.to_string());
    s.aux("aof-base", "0");
    let mut keys = 0u64;
    for db in dbs {
        if db.dict.is_empty() {
            continue;
        }
        s.w.byte(OP_SELECTDB);
        s.w.length(db.id as u64);
        s.w.byte(OP_RESIZEDB);
        s.w.length(db.dict.len() as u64);
        s.w.length(db.dict.expires_len() as u64);
        for (key, value, expire) in db.dict.iter() {
            if let Some(when) = expire {
                s.w.byte(OP_EXPIRETIME_MS);
                s.w.millis(when);
            }
            let clock = db.dict.clock_of(key).unwrap_or(0);
            match opt.clocks {
                Clocks::None => {}
                Clocks::Lru => {
                    s.w.byte(OP_IDLE);
                    s.w.length(access::idle_ms(clock, opt.now_ms) / 1000);
                }
                Clocks::Lfu { decay_minutes } => {
                    s.w.byte(OP_FREQ);
                    s.w.byte(access::lfu_counter(clock, opt.now_ms, decay_minutes) as u8);
                }
            }
            s.w.byte(rdb::type_of(value));
            s.w.string(key);
            rdb::write_value(&mut s.w, value);
            keys += 1;
            s.maybe_flush()?;
            if opt.key_delay_us > 0 {
                std::thread::sleep(std::time::Duration::from_micros(opt.key_delay_us));
            }
        }
    }
    s.w.byte(OP_EOF);
    s.flush()?;
    let crc = if opt.checksum { s.crc } else { 0 };
    s.out.write_all(&crc.to_le_bytes())?;
    Ok((keys, s.written + 8))
}

/// What a load produced.
#[derive(Default, Debug)]
pub struct Loaded {
    pub keys: u64,
    pub expired: u64,
    /// Keys skipped because their value held no element.
    pub empty: u64,
    /// AUX fields as read (`repl-id`, `repl-offset`, ...).
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Why a snapshot could not be loaded, in words for the log.
#[derive(Debug)]
pub struct BadFile(pub String);

impl From<LoadError> for BadFile {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Corrupt(why) => BadFile(format!("Short read or corrupt data ({why})")),
            LoadError::UnknownType(t) => BadFile(format!("Unknown RDB encoding type {t}")),
            LoadError::EmptyKey => BadFile("Empty key".into()),
        }
    }
}

/// Parse the header; returns the RDB version.
fn header(r: &mut Reader<'_>, relaxed: bool) -> Result<u32, BadFile> {
    let head = r
        .take(9)
        .map_err(|_| BadFile("Wrong signature trying to load DB from file".into()))?;
    let (digits, valkey) = if head.starts_with(b"VALKEY") {
        (&head[6..9], true)
    } else if head.starts_with(b"REDIS") {
        (&head[5..9], false)
    } else {
        return Err(BadFile(
            "Wrong signature trying to load DB from file".into(),
        ));
    };
    let ver: u32 = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| BadFile("Wrong signature trying to load DB from file".into()))?;
    if !version_accepted(ver, valkey, relaxed) {
        return Err(BadFile(format!("Can't handle RDB format version {ver}")));
    }
    Ok(ver)
}

/// RDB versions we read: Redis/Valkey 1..=11 under the REDIS magic, ours
/// under the VALKEY magic, and (relaxed) the range other forks use.
pub fn version_accepted(ver: u32, valkey_magic: bool, relaxed: bool) -> bool {
    if valkey_magic {
        (80..=RDB_VERSION as u32).contains(&ver)
    } else {
        (1..=11).contains(&ver) || (relaxed && (12..=79).contains(&ver))
    }
}

/// One key as the walker found it.
pub struct Entry {
    /// Offset of the entry's first byte (its expire or type opcode).
    pub offset: usize,
    pub db: usize,
    pub key: Vec<u8>,
    /// `None`: every field had expired, nothing is left of the value.
    pub value: Option<Value>,
    pub expire: Option<i64>,
    pub idle: Option<u64>,
    pub freq: Option<u8>,
}

/// What a walk over a snapshot reports, in file order.
pub trait Visitor {
    fn aux(&mut self, _offset: usize, _key: &[u8], _value: &[u8]) {}
    /// A SELECTDB; an error stops the walk.
    fn select_db(&mut self, _offset: usize, _db: u64) -> Result<(), BadFile> {
        Ok(())
    }
    fn resize(&mut self, _db: usize, _keys: u64) {}
    fn key(&mut self, e: Entry) -> Result<(), BadFile>;
    /// A key whose value holds no element; it is skipped.
    fn empty_key(&mut self, _key: &[u8]) {}
}

/// Walk a snapshot, checking its structure and checksum; returns the RDB
/// version. Errors carry the offset where reading stopped.
pub fn walk(
    data: &[u8],
    lim: &LoadLimits,
    relaxed: bool,
    v: &mut impl Visitor,
) -> Result<u32, (usize, BadFile)> {
    let mut r = Reader::new(data);
    let at = |r: &Reader<'_>, e: BadFile| (r.pos, e);
    let ver = header(&mut r, relaxed).map_err(|e| (0, e))?;
    let mut db = 0usize;
    let mut start = r.pos;
    let mut expire: Option<i64> = None;
    let mut idle: Option<u64> = None;
    let mut freq: Option<u8> = None;
    loop {
        let op_at = r.pos;
        let op = r.byte().map_err(|e| at(&r, e.into()))?;
        let step: Result<(), BadFile> = (|| {
            match op {
                OP_EXPIRETIME_MS => expire = Some(r.millis()?),
                OP_EXPIRETIME => expire = Some(r.seconds()?.saturating_mul(1000)),
                OP_IDLE => idle = Some(r.length()?),
                OP_FREQ => freq = Some(r.byte()?),
                OP_SELECTDB => {
                    let n = r.length()?;
                    v.select_db(op_at, n)?;
                    db = n as usize;
                }
                OP_RESIZEDB => {
                    let n = r.length()?;
                    r.length()?;
                    // A hint only: a key takes at least 4 bytes, and a
                    // forged count must not make us reserve gigabytes.
                    v.resize(db, n.min(r.remaining() as u64 / 4).min(1 << 26));
                }
                OP_AUX => {
                    let k = r.string()?;
                    let val = r.string()?;
                    v.aux(op_at, &k, &val);
                }
                OP_SLOT_INFO => {
                    // Slot id, keys, expires: a sizing hint we do not need.
                    for _ in 0..3 {
                        r.length()?;
                    }
                }
                OP_FUNCTION2 => {
                    return Err(BadFile(
                        "Failed loading library: functions are not supported".into(),
                    ))
                }
                OP_MODULE_AUX => {
                    return Err(BadFile(
                        "The RDB file contains AUX module data I can't load".into(),
                    ))
                }
                OP_EOF => {}
                t => {
                    let key = r.string()?;
                    let value = match rdb::read_value(&mut r, t, lim) {
                        Err(LoadError::EmptyKey) => {
                            expire = None;
                            idle = None;
                            freq = None;
                            v.empty_key(&key);
                            return Ok(());
                        }
                        res => res?,
                    };
                    v.key(Entry {
                        offset: start,
                        db,
                        key,
                        value,
                        expire: expire.take(),
                        idle: idle.take(),
                        freq: freq.take(),
                    })?;
                }
            }
            Ok(())
        })();
        step.map_err(|e| at(&r, e))?;
        if op == OP_EOF {
            break;
        }
        if !matches!(op, OP_EXPIRETIME_MS | OP_EXPIRETIME | OP_IDLE | OP_FREQ) {
            start = r.pos;
        }
    }
    // The checksum (version 5+): zero means "not computed".
    if ver >= 5 {
        let end = r.pos;
        let b = r.take(8).map_err(|e| at(&r, e.into()))?;
        let stored = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
        if stored != 0 && stored != crc64(0, &data[..end]) {
            return Err((end, BadFile("Wrong RDB checksum. Aborting now.".into())));
        }
    }
    Ok(ver)
}

/// Loads what a walk finds into the databases.
struct Loader<'a> {
    dbs: &'a mut [Db],
    now_ms: i64,
    opt: LoadOptions,
    out: Loaded,
}

impl Visitor for Loader<'_> {
    fn aux(&mut self, _offset: usize, key: &[u8], value: &[u8]) {
        self.out.aux.push((key.to_vec(), value.to_vec()));
    }

    fn empty_key(&mut self, key: &[u8]) {
        // Valkey logs the first few and then only counts them.
        if self.out.empty < 10 {
            tracing::info!(
                "rdbLoadObject skipping empty key: {}",
                String::from_utf8_lossy(key)
            );
        }
        self.out.empty += 1;
    }

    fn select_db(&mut self, _offset: usize, db: u64) -> Result<(), BadFile> {
        if db as usize >= self.dbs.len() {
            return Err(BadFile(format!(
                "FATAL: Data file was created with a Valkey server configured to handle more than {} databases. Exiting",
                self.dbs.len()
            )));
        }
        Ok(())
    }

    fn resize(&mut self, db: usize, keys: u64) {
        if let Some(d) = self.dbs.get_mut(db) {
            d.dict.reserve(keys as usize);
        }
    }

    fn key(&mut self, e: Entry) -> Result<(), BadFile> {
        let Some(value) = e.value else {
            self.out.expired += 1;
            return Ok(());
        };
        if self.opt.drop_expired && e.expire.is_some_and(|t| t < self.now_ms) {
            self.out.expired += 1;
            return Ok(());
        }
        let d = &mut self.dbs[e.db];
        if self.opt.merge {
            d.dict.remove(&e.key);
        } else if d.dict.contains_key(&e.key) {
            return Err(BadFile(format!(
                "Duplicate key '{}' found in RDB file",
                String::from_utf8_lossy(&e.key)
            )));
        }
        let key = e.key;
        d.add_with_expire(&key, value, e.expire);
        crate::commands::hash::track_volatile_hash(d, &key);
        let lfu = matches!(self.opt.clocks, Clocks::Lfu { .. });
        if let Some(c) = access::restored_clock(lfu, e.idle, e.freq, self.now_ms) {
            d.dict.set_clock(&key, c);
        }
        self.out.keys += 1;
        Ok(())
    }
}

/// How a snapshot is loaded.
#[derive(Clone, Copy)]
pub struct LoadOptions {
    pub clocks: Clocks,
    /// `rdb-version-check relaxed`.
    pub relaxed: bool,
    /// Skip keys whose TTL has passed (a primary does; a replica will not).
    pub drop_expired: bool,
    /// A key already present is replaced (DEBUG RELOAD MERGE) instead of
    /// failing the load.
    pub merge: bool,
}

/// Load a snapshot into `dbs`.
pub fn load(
    data: &[u8],
    dbs: &mut [Db],
    lim: &LoadLimits,
    opt: LoadOptions,
) -> Result<Loaded, BadFile> {
    let mut loader = Loader {
        dbs,
        now_ms: lim.now_ms,
        opt,
        out: Loaded::default(),
    };
    walk(data, lim, opt.relaxed, &mut loader).map_err(|(_, e)| e)?;
    Ok(loader.out)
}

/// The DUMP payload of a value.
pub fn dump(v: &Value, compress: bool) -> Vec<u8> {
    let mut w = Writer::new(compress);
    w.byte(rdb::type_of(v));
    rdb::write_value(&mut w, v);
    w.raw(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &w.buf);
    w.raw(&crc.to_le_bytes());
    w.buf
}

/// Check a RESTORE payload's footer (version and CRC).
pub fn payload_ok(p: &[u8], relaxed: bool) -> bool {
    if p.len() < 10 {
        return false;
    }
    let footer = &p[p.len() - 10..];
    let ver = u16::from_le_bytes([footer[0], footer[1]]) as u32;
    let accepted = ver <= RDB_VERSION as u32
        && (ver <= 11 || ver >= 80 || (relaxed && (12..=79).contains(&ver)));
    if !accepted {
        return false;
    }
    let crc = u64::from_le_bytes(footer[2..].try_into().unwrap_or([0; 8]));
    crc == crc64(0, &p[..p.len() - 8])
}

/// Decode a RESTORE payload whose footer checked out.
pub fn undump(p: &[u8], lim: &LoadLimits) -> Result<Option<Value>, LoadError> {
    let body = &p[..p.len().saturating_sub(10)];
    let mut r = Reader::new(body);
    let t = r.byte()?;
    let v = rdb::read_value(&mut r, t, lim)?;
    if r.remaining() != 0 {
        return Err(LoadError::Corrupt("trailing bytes"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Str;

    fn lim() -> LoadLimits {
        LoadLimits::for_tests(1_700_000_000_000)
    }

    const PRIMARY: LoadOptions = LoadOptions {
        clocks: Clocks::None,
        relaxed: false,
        drop_expired: true,
        merge: false,
    };

    fn opts() -> SaveOptions {
        SaveOptions {
            compress: true,
            checksum: true,
            clocks: Clocks::None,
            now_ms: 1_700_000_000_000,
            used_mem: 1234,
            key_delay_us: 0,
        }
    }

    #[test]
    fn snapshot_round_trips_keys_expires_and_databases() {
        let mut dbs: Vec<Db> = (0..4).map(Db::new).collect();
        for i in 0..1000 {
            dbs[0].add(
                format!("k{i}").as_bytes(),
                Value::Str(Str::from_bytes(format!("v{i}").as_bytes())),
            );
        }
        dbs[3].add_with_expire(
            b"ttl",
            Value::Str(Str::from_i64(7)),
            Some(1_800_000_000_000),
        );
        dbs[3].add_with_expire(b"old", Value::Str(Str::from_i64(8)), Some(1_000));
        let mut file = Vec::new();
        let (keys, bytes) = write(&dbs, &opts(), &mut file).unwrap();
        assert_eq!((keys, bytes), (1002, file.len() as u64));
        assert!(file.starts_with(b"VALKEY080"));
        let mut back: Vec<Db> = (0..4).map(Db::new).collect();
        let got = load(&file, &mut back, &lim(), PRIMARY).unwrap();
        assert_eq!((got.keys, got.expired), (1001, 1));
        assert_eq!(back[0].len(), 1000);
        assert_eq!(back[3].dict.get_expire(b"ttl"), Some(1_800_000_000_000));
        assert!(got
            .aux
            .iter()
            .any(|(k, v)| k == b"valkey-ver" && v == crate::VALKEY_VERSION.as_bytes()));
        // Too few databases for the file.
        let mut small: Vec<Db> = (0..2).map(Db::new).collect();
        assert!(load(&file, &mut small, &lim(), PRIMARY).is_err());
        // A flipped byte fails the checksum; truncations fail cleanly.
        let mut bad = file.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 1;
        let mut d: Vec<Db> = (0..4).map(Db::new).collect();
        assert!(load(&bad, &mut d, &lim(), PRIMARY).is_err());
        for cut in (0..file.len()).step_by(97) {
            let mut d: Vec<Db> = (0..4).map(Db::new).collect();
            assert!(load(&file[..cut], &mut d, &lim(), PRIMARY).is_err());
        }
    }

    #[test]
    fn empty_values_are_skipped_on_load_and_refused_by_restore() {
        // A file whose first key is an empty quicklist (0 nodes), then an
        // empty set, then a real key.
        let mut w = Writer::new(false);
        w.raw(b"VALKEY080");
        w.byte(OP_SELECTDB);
        w.length(0);
        w.byte(OP_EXPIRETIME_MS);
        w.millis(1_800_000_000_000);
        w.byte(rdb::ty::LIST_QUICKLIST_2);
        w.string(b"empty-list");
        w.length(0);
        w.byte(rdb::ty::SET);
        w.string(b"empty-set");
        w.length(0);
        w.byte(rdb::ty::STRING);
        w.string(b"k");
        w.string(b"v");
        w.byte(OP_EOF);
        let crc = crc64(0, &w.buf);
        w.raw(&crc.to_le_bytes());
        let mut dbs: Vec<Db> = (0..1).map(Db::new).collect();
        let got = load(&w.buf, &mut dbs, &lim(), PRIMARY).unwrap();
        assert_eq!((got.keys, got.empty), (1, 2));
        assert_eq!(dbs[0].len(), 1);
        // The skipped key's expire did not stick to the next key.
        assert_eq!(dbs[0].dict.get_expire(b"k"), None);
        // RESTORE of an empty list payload fails.
        let mut p = vec![rdb::ty::LIST_QUICKLIST_2, 0];
        p.extend_from_slice(&RDB_VERSION.to_le_bytes());
        let crc = crc64(0, &p);
        p.extend_from_slice(&crc.to_le_bytes());
        assert!(payload_ok(&p, false));
        assert_eq!(undump(&p, &lim()), Err(LoadError::EmptyKey));
    }

    #[test]
    fn dump_payload_has_version_and_crc() {
        let v = Value::Str(Str::from_bytes(b"hello"));
        let p = dump(&v, true);
        // Type 0, length 5, "hello", version 80, CRC.
        assert_eq!(&p[..7], b"\x00\x05hello");
        assert_eq!(&p[7..9], &[80, 0]);
        assert!(payload_ok(&p, false));
        assert_eq!(undump(&p, &lim()).unwrap().unwrap(), v);
        let mut bad = p.clone();
        bad[3] ^= 1;
        assert!(!payload_ok(&bad, false));
        // A Redis 7 payload (version 11) is accepted; a foreign one only
        // in relaxed mode.
        let mut redis7 = p[..7].to_vec();
        redis7.extend_from_slice(&[11, 0]);
        let crc = crc64(0, &redis7);
        redis7.extend_from_slice(&crc.to_le_bytes());
        assert!(payload_ok(&redis7, false));
        let mut foreign = p[..7].to_vec();
        foreign.extend_from_slice(&[12, 0]);
        let crc = crc64(0, &foreign);
        foreign.extend_from_slice(&crc.to_le_bytes());
        assert!(!payload_ok(&foreign, false));
        assert!(payload_ok(&foreign, true));
    }
}
