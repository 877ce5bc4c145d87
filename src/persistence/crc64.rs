//! The 64-bit CRC that guards RDB files and DUMP payloads.
//!
//! Valkey (like Redis before it) ends every RDB file and every DUMP payload
//! with a CRC-64 of the preceding bytes, and checks it when loading a file or
//! running RESTORE. To read their files and to write files they accept, we
//! must compute exactly the same value: the "Jones" polynomial
//! `0xad93d23594c935a9`, with input and output reflected, an initial value of
//! 0 and no final xor (so the CRC of `"123456789"` is `0xe9c6d914c4b8d9ca`).
//!
//! RDB files can be hundreds of megabytes, so the CRC is computed eight bytes
//! at a time with the "slicing-by-8" method: eight 256-entry tables, built at
//! compile time, let one step fold in a whole 64-bit word.

/// The Jones polynomial with its bits reversed, as a reflected CRC uses it.
const POLY_REFLECTED: u64 = 0xad93_d235_94c9_35a9_u64.reverse_bits();

/// `TABLES[0][b]` is the CRC of the single byte `b`; `TABLES[k][b]` is the
/// CRC of `b` followed by `k` zero bytes, which is what lets eight bytes be
/// folded in with eight independent lookups.
static TABLES: [[u64; 256]; 8] = build_tables();

const fn build_tables() -> [[u64; 256]; 8] {
    let mut tables = [[0u64; 256]; 8];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ POLY_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        tables[0][byte] = crc;
        byte += 1;
    }
    let mut k = 1;
    while k < 8 {
        let mut byte = 0;
        while byte < 256 {
            let prev = tables[k - 1][byte];
            tables[k][byte] = (prev >> 8) ^ tables[0][(prev & 0xff) as usize];
            byte += 1;
        }
        k += 1;
    }
    tables
}

/// Folds one byte into `crc`.
#[inline]
fn update_byte(crc: u64, byte: u8) -> u64 {
    TABLES[0][((crc ^ u64::from(byte)) & 0xff) as usize] ^ (crc >> 8)
}

/// Continues the CRC-64 `crc` over `data`.
///
/// Start with `crc = 0`; feeding data in pieces gives the same result as
/// feeding it at once: `crc64(crc64(0, a), b) == crc64(0, a ++ b)`.
pub fn crc64(crc: u64, data: &[u8]) -> u64 {
    let mut crc = crc;
    let mut words = data.chunks_exact(8);
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let v = crc ^ u64::from_le_bytes(bytes);
        crc = TABLES[7][(v & 0xff) as usize]
            ^ TABLES[6][((v >> 8) & 0xff) as usize]
            ^ TABLES[5][((v >> 16) & 0xff) as usize]
            ^ TABLES[4][((v >> 24) & 0xff) as usize]
            ^ TABLES[3][((v >> 32) & 0xff) as usize]
            ^ TABLES[2][((v >> 40) & 0xff) as usize]
            ^ TABLES[1][((v >> 48) & 0xff) as usize]
            ^ TABLES[0][(v >> 56) as usize];
    }
    words
        .remainder()
        .iter()
        .fold(crc, |crc, &b| update_byte(crc, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bit-at-a-time reference implementation straight from the definition.
    fn crc64_bitwise(mut crc: u64, data: &[u8]) -> u64 {
        for &byte in data {
            crc ^= u64::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ POLY_REFLECTED
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }

    fn test_data(len: usize) -> Vec<u8> {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn check_value() {
        assert_eq!(crc64(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        assert_eq!(crc64_bitwise(0, b"123456789"), 0xe9c6_d914_c4b8_d9ca);
    }

    #[test]
    fn empty_input_keeps_the_crc() {
        assert_eq!(crc64(0, b""), 0);
        assert_eq!(crc64(0x1234_5678_9abc_def0, b""), 0x1234_5678_9abc_def0);
    }

    #[test]
    fn lorem_ipsum_vector() {
        // The second vector of the upstream self-test: this text including
        // its terminating NUL byte (446 bytes in all).
        let text = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed \
            do eiusmod tempor incididunt ut labore et dolore magna \
            aliqua. Ut enim ad minim veniam, quis nostrud exercitation \
            ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis \
            aute irure dolor in reprehenderit in voluptate velit esse \
            cillum dolore eu fugiat nulla pariatur. Excepteur sint \
            occaecat cupidatat non proident, sunt in culpa qui officia \
            deserunt mollit anim id est laborum.\0";
        assert_eq!(text.len(), 446);
        assert_eq!(crc64(0, text), 0xc779_4709_e696_83b3);
    }

    #[test]
    fn matches_bitwise_reference() {
        let data = test_data(4096 + 7);
        for len in (0..64).chain([100, 1000, 4096, 4103]) {
            for start in 0..8 {
                if start + len <= data.len() {
                    let slice = &data[start..start + len];
                    assert_eq!(crc64(0, slice), crc64_bitwise(0, slice), "len {len}");
                    assert_eq!(crc64(!0, slice), crc64_bitwise(!0, slice), "len {len}");
                }
            }
        }
    }

    #[test]
    fn continuing_equals_one_shot() {
        let data = test_data(10_000);
        let whole = crc64(0, &data);
        for split in [0, 1, 3, 7, 8, 9, 100, 4097, 9_999, 10_000] {
            let (a, b) = data.split_at(split);
            assert_eq!(crc64(crc64(0, a), b), whole, "split at {split}");
        }
        let piecewise = data.chunks(13).fold(0, crc64);
        assert_eq!(piecewise, whole);
    }
}
