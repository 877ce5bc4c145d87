//! `valkey-check-rdb <file>`: the same binary run under that name walks an
//! RDB file with the loader's own decoder and reports what it found, in the
//! format operators know from Valkey's tool, exiting 1 if the file is bad.

use super::rdb::LoadLimits;
use super::snapshot::{self, BadFile, Entry, Visitor};

#[derive(Default)]
struct Checker {
    keys: u64,
    expires: u64,
    already_expired: u64,
    now_ms: i64,
    lines: Vec<String>,
}

impl Visitor for Checker {
    fn aux(&mut self, offset: usize, key: &[u8], value: &[u8]) {
        self.lines.push(format!(
            "[offset {offset}] AUX FIELD {} = '{}'",
            String::from_utf8_lossy(key),
            String::from_utf8_lossy(value)
        ));
    }

    fn select_db(&mut self, offset: usize, db: u64) -> Result<(), BadFile> {
        self.lines
            .push(format!("[offset {offset}] Selecting DB ID {db}"));
        Ok(())
    }

    fn key(&mut self, e: Entry) -> Result<(), BadFile> {
        self.keys += 1;
        if let Some(t) = e.expire {
            self.expires += 1;
            if t < self.now_ms {
                self.already_expired += 1;
            }
        }
        Ok(())
    }
}

/// Run the tool; returns the exit code.
pub fn main(args: &[String]) -> i32 {
    let Some(path) = args.get(1) else {
        eprintln!(
            "Usage: {} <rdb-file-name>",
            args.first().map_or("valkey-check-rdb", |a| a)
        );
        return 1;
    };
    println!("[offset 0] Checking RDB file {path}");
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            println!("--- RDB ERROR DETECTED ---");
            println!("[offset 0] Cannot open RDB file: {e}");
            return 1;
        }
    };
    let config = crate::config::Config::load(None, &[]).ok();
    let now_ms = crate::util::time::now_ms();
    let lim = match &config {
        Some(c) => LoadLimits::from_config(c, i64::MIN),
        None => return 1,
    };
    let mut checker = Checker {
        now_ms,
        ..Default::default()
    };
    let res = snapshot::walk(&data, &lim, true, &mut checker);
    for l in &checker.lines {
        println!("{l}");
    }
    let code = match res {
        Ok(ver) => {
            if ver >= 5 {
                println!("[offset {}] Checksum OK", data.len());
            }
            println!("[offset {}] \\o/ RDB looks OK! \\o/", data.len());
            0
        }
        Err((offset, e)) => {
            println!("--- RDB ERROR DETECTED ---");
            println!("[offset {offset}] {}", e.0);
            1
        }
    };
    println!("[info] {} keys read", checker.keys);
    println!("[info] {} expires", checker.expires);
    println!("[info] {} already expired", checker.already_expired);
    code
}
