//! Persistence: the RDB format and snapshots.
//!
//! `rdb` reads and writes single values in Valkey's RDB encoding (shared by
//! snapshot files, DUMP/RESTORE and, later, replication's full sync);
//! `blobs` validates the packed blobs inside; `snapshot` writes and loads
//! whole datasets; `check` is `valkey-check-rdb`; `save` runs SAVE/BGSAVE and the save points; `lzf` and
//! `crc64` are the compression and checksum the format prescribes.

pub mod blobs;
pub mod check;
pub mod crc64;
pub mod lzf;
pub mod rdb;
pub mod save;
pub mod snapshot;
