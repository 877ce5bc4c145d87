//! LZF compression, as stored in RDB files and DUMP/RESTORE payloads.
//!
//! Valkey writes long strings to RDB files compressed with LZF (the format of
//! liblzf 3.6) when doing so saves space, and must read back any such string
//! written by Valkey or Redis. This module implements that format in safe Rust:
//!
//! * [`compress`] produces a valid LZF stream. It finds matches with a hash
//!   table of 3-byte sequences, as liblzf does, but its output is not required
//!   to equal liblzf's byte for byte: any decoder of the format reads it.
//! * [`decompress`] decodes a stream whose decoded length is known in advance
//!   (RDB files store it next to the compressed bytes). Its input is untrusted,
//!   so every malformed stream is reported as `None`; it never panics and never
//!   allocates more than the expected length.
//!
//! The stream is a sequence of chunks, each starting with a control byte `c`:
//!
//! * `c < 32`: a literal run; the next `c + 1` bytes are copied to the output.
//! * otherwise a back-reference: the length field is `c >> 5`, and when it is
//!   7 the next byte is added to it; the copy is `length + 2` bytes long. The
//!   distance is `((c & 0x1f) << 8) + next byte + 1` bytes back from the end of
//!   the output produced so far. Source and destination may overlap, in which
//!   case the copy repeats the most recent bytes, byte by byte.

/// Longest literal run a single control byte can describe.
const MAX_LITERAL: usize = 1 << 5;
/// Farthest back a reference can point: `offset + 1` with a 13-bit offset.
const MAX_DISTANCE: usize = 1 << 13;
/// Shortest match worth a back-reference (a reference costs 2 or 3 bytes).
const MIN_MATCH: usize = 3;
/// Longest match one reference can encode: `7 + 255` in the length field, plus 2.
const MAX_MATCH: usize = 7 + 255 + 2;
/// Most output bytes per input byte any stream can decode to (reached by
/// 3-byte references of [`MAX_MATCH`] bytes).
const MAX_EXPANSION: usize = MAX_MATCH / 3;
/// log2 of the largest hash table (the size liblzf uses for Valkey).
const MAX_HASH_LOG: u32 = 16;
/// log2 of the smallest hash table, used for short inputs.
const MIN_HASH_LOG: u32 = 8;

/// Compresses `input` and appends the LZF stream to `out`.
///
/// Returns `false`, leaving `out` with its previous contents, when the
/// compressed form would not be strictly smaller than `input` (which includes
/// the empty input). Callers that want a bigger saving can use
/// [`compress_with_limit`]: Valkey's RDB writer keeps a compressed string only
/// when it is at least 4 bytes shorter, i.e. `compress_with_limit(s, s.len() - 4, out)`.
pub fn compress(input: &[u8], out: &mut Vec<u8>) -> bool {
    compress_with_limit(input, input.len().saturating_sub(1), out)
}

/// Compresses `input` and appends the LZF stream to `out`, provided it takes
/// at most `max_len` bytes.
///
/// Returns `false`, leaving `out` with its previous contents, when the stream
/// would be longer than `max_len` or `input` is empty.
pub fn compress_with_limit(input: &[u8], max_len: usize, out: &mut Vec<u8>) -> bool {
    if input.is_empty() || max_len == 0 {
        return false;
    }
    let start = out.len();
    out.reserve(max_len.min(input.len() + input.len() / MAX_LITERAL + 1));
    if Encoder::new(input, max_len, out).run() {
        true
    } else {
        out.truncate(start);
        false
    }
}

/// State of one compression call.
struct Encoder<'a> {
    input: &'a [u8],
    out: &'a mut Vec<u8>,
    /// `out.len()` at which the caller's limit is exceeded.
    out_limit: usize,
    /// For each hash of 3 input bytes, the position after the latest place
    /// they were seen (0 means never).
    table: Vec<u32>,
    hash_shift: u32,
    /// Start of the literal bytes not yet written out.
    literal_start: usize,
}

impl<'a> Encoder<'a> {
    fn new(input: &'a [u8], max_len: usize, out: &'a mut Vec<u8>) -> Self {
        // A table much larger than the input would only cost time to clear.
        let hash_log = input
            .len()
            .next_power_of_two()
            .trailing_zeros()
            .clamp(MIN_HASH_LOG, MAX_HASH_LOG);
        let out_limit = out.len().saturating_add(max_len);
        Encoder {
            input,
            out,
            out_limit,
            table: vec![0; 1 << hash_log],
            hash_shift: 32 - hash_log,
            literal_start: 0,
        }
    }

    /// Hashes the 3 bytes at `pos` (which must have 2 bytes after it).
    fn slot(&self, pos: usize) -> usize {
        let seq = u32::from(self.input[pos]) << 16
            | u32::from(self.input[pos + 1]) << 8
            | u32::from(self.input[pos + 2]);
        (seq.wrapping_mul(0x9E37_79B1) >> self.hash_shift) as usize
    }

    /// Records that the 3 bytes at `pos` were seen there; returns where they
    /// were seen before, if anywhere.
    fn remember(&mut self, pos: usize) -> Option<usize> {
        let slot = self.slot(pos);
        // Positions fit: Valkey strings are at most 512 MiB, and larger
        // inputs merely stop matching beyond 4 GiB (the check below rejects
        // stale candidates).
        let previous = std::mem::replace(&mut self.table[slot], (pos as u32).wrapping_add(1));
        (previous as usize).checked_sub(1)
    }

    /// Encodes the whole input; returns false when the limit is exceeded.
    fn run(mut self) -> bool {
        let input = self.input;
        let len = input.len();
        let mut pos = 0;
        while pos + MIN_MATCH <= len {
            let found = self.remember(pos).filter(|&candidate| {
                candidate < pos
                    && pos - candidate <= MAX_DISTANCE
                    && input[candidate..candidate + MIN_MATCH] == input[pos..pos + MIN_MATCH]
            });
            let Some(candidate) = found else {
                pos += 1;
                if pos - self.literal_start == MAX_LITERAL && !self.flush_literals(pos) {
                    return false;
                }
                continue;
            };
            let max = MAX_MATCH.min(len - pos);
            let matched = MIN_MATCH
                + input[candidate + MIN_MATCH..]
                    .iter()
                    .zip(&input[pos + MIN_MATCH..pos + max])
                    .take_while(|(a, b)| a == b)
                    .count();
            if !self.flush_literals(pos) || !self.emit_reference(pos - candidate, matched) {
                return false;
            }
            pos += matched;
            self.literal_start = pos;
            // Index the tail of the match so the next bytes can refer to it.
            for tail in pos.saturating_sub(2)..pos {
                if tail + MIN_MATCH <= len {
                    self.remember(tail);
                }
            }
        }
        self.flush_literals(len)
    }

    /// Writes the literal bytes from `literal_start` up to `end`, in runs of
    /// at most [`MAX_LITERAL`] bytes.
    fn flush_literals(&mut self, end: usize) -> bool {
        for run in self.input[self.literal_start..end].chunks(MAX_LITERAL) {
            if self.out.len() + 1 + run.len() > self.out_limit {
                return false;
            }
            self.out.push((run.len() - 1) as u8);
            self.out.extend_from_slice(run);
        }
        self.literal_start = end;
        true
    }

    /// Writes a back-reference copying `len` bytes from `distance` back.
    fn emit_reference(&mut self, distance: usize, len: usize) -> bool {
        debug_assert!((1..=MAX_DISTANCE).contains(&distance));
        debug_assert!((MIN_MATCH..=MAX_MATCH).contains(&len));
        let offset = distance - 1;
        let len_field = len - 2;
        let high = (offset >> 8) as u8;
        let low = offset as u8;
        let needed = if len_field < 7 { 2 } else { 3 };
        if self.out.len() + needed > self.out_limit {
            return false;
        }
        if len_field < 7 {
            self.out
                .extend_from_slice(&[((len_field as u8) << 5) | high, low]);
        } else {
            self.out
                .extend_from_slice(&[(7 << 5) | high, (len_field - 7) as u8, low]);
        }
        true
    }
}

/// Decompresses an LZF stream that must decode to exactly `expected_len`
/// bytes.
///
/// Returns `None` if the stream is malformed: truncated in the middle of a
/// chunk, referring back before the start of the output, decoding to more
/// than `expected_len` bytes, or to fewer. Never panics. Allocates exactly
/// `expected_len` bytes, and only after checking that `input` is long enough
/// to possibly decode to that many (at most 88 output bytes per input byte),
/// so a forged length cannot make it reserve much more than the input size.
pub fn decompress(input: &[u8], expected_len: usize) -> Option<Vec<u8>> {
    // Rejecting lengths no stream of this size can reach also keeps a forged
    // length from making us reserve memory out of proportion to the input.
    if expected_len > input.len().saturating_mul(MAX_EXPANSION) {
        return None;
    }
    let mut out = vec![0; expected_len];
    let mut written = 0;
    let mut pos = 0;
    while let Some(&control) = input.get(pos) {
        pos += 1;
        let control = usize::from(control);
        if control < MAX_LITERAL {
            let run = input.get(pos..pos + control + 1)?;
            let end = written + run.len();
            out.get_mut(written..end)?.copy_from_slice(run);
            written = end;
            pos += run.len();
            continue;
        }
        let mut len = control >> 5;
        if len == 7 {
            len += usize::from(*input.get(pos)?);
            pos += 1;
        }
        len += 2;
        let distance = ((control & 0x1f) << 8) + usize::from(*input.get(pos)?) + 1;
        pos += 1;
        let from = written.checked_sub(distance)?;
        let end = written + len;
        if end > expected_len {
            return None;
        }
        if distance >= len {
            out.copy_within(from..from + len, written);
        } else {
            // The source overlaps the bytes being written: the copy repeats
            // the last `distance` bytes, so it must go byte by byte.
            for i in written..end {
                out[i] = out[i - distance];
            }
        }
        written = end;
    }
    (written == expected_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small deterministic generator (xorshift64*) for test data.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next() as u8).collect()
        }
    }

    const SIZES: [usize; 11] = [0, 1, 2, 3, 4, 31, 32, 33, 100, 8 * 1024, 1024 * 1024];

    /// Text-like data with many repeats at varied distances.
    fn compressible(len: usize, seed: u64) -> Vec<u8> {
        let words: [&[u8]; 8] = [
            b"valkey ",
            b"redis ",
            b"key:",
            b"1234 ",
            b"value",
            b"\x00\x00",
            b"lzf ",
            b"a",
        ];
        let mut rng = Rng(seed);
        let mut data = Vec::with_capacity(len + 8);
        while data.len() < len {
            data.extend_from_slice(words[(rng.next() % 8) as usize]);
        }
        data.truncate(len);
        data
    }

    /// Compresses, checks the result is smaller, and decompresses it back.
    fn round_trip(data: &[u8]) -> Option<usize> {
        let mut out = vec![0xAA, 0xBB];
        if !compress(data, &mut out) {
            assert_eq!(
                out,
                [0xAA, 0xBB],
                "a failed compress must leave out unchanged"
            );
            return None;
        }
        assert_eq!(&out[..2], &[0xAA, 0xBB]);
        let stream = &out[2..];
        assert!(stream.len() < data.len());
        assert_eq!(decompress(stream, data.len()).as_deref(), Some(data));
        Some(stream.len())
    }

    #[test]
    fn round_trips_compressible_data() {
        for (i, &len) in SIZES.iter().enumerate() {
            let data = compressible(len, i as u64 + 1);
            let compressed = round_trip(&data);
            if len >= 100 {
                let size = compressed.expect("text-like data must compress");
                assert!(size < len * 2 / 3, "poor ratio {size}/{len}");
            }
        }
    }

    #[test]
    fn round_trips_runs_of_one_byte() {
        for &len in &SIZES {
            let data = vec![b'x'; len];
            let compressed = round_trip(&data);
            if len >= 8 {
                let size = compressed.expect("a run must compress");
                // Each 3-byte reference covers up to MAX_MATCH bytes.
                assert!(size <= 2 + 3 * len.div_ceil(MAX_MATCH), "{size} for {len}");
            }
        }
    }

    #[test]
    fn incompressible_data_is_refused() {
        let mut rng = Rng(0x1234_5678);
        for &len in &SIZES {
            let data = rng.bytes(len);
            assert_eq!(round_trip(&data), None, "random data of {len} bytes");
        }
    }

    #[test]
    fn round_trips_mixed_data_through_the_limit() {
        let mut rng = Rng(42);
        for &len in &SIZES {
            // Alternate random and repeated stretches.
            let mut data = Vec::new();
            while data.len() < len {
                let piece_len = (rng.next() % 64) as usize + 1;
                let piece = rng.bytes(piece_len);
                let repeats = (rng.next() % 4) as usize;
                for _ in 0..=repeats {
                    data.extend_from_slice(&piece);
                }
            }
            data.truncate(len);
            round_trip(&data);
            // With no limit to speak of, every input compresses.
            let mut out = Vec::new();
            assert_eq!(
                compress_with_limit(&data, usize::MAX, &mut out),
                !data.is_empty()
            );
            assert_eq!(decompress(&out, len).as_deref(), Some(&data[..]));
        }
    }

    #[test]
    fn limit_is_respected() {
        let data = compressible(1000, 7);
        let mut full = Vec::new();
        assert!(compress(&data, &mut full));
        let mut out = Vec::new();
        assert!(compress_with_limit(&data, full.len(), &mut out));
        assert_eq!(out, full);
        assert!(!compress_with_limit(&data, full.len() - 1, &mut out));
        assert_eq!(out, full, "a failed compress must leave out unchanged");
        assert!(!compress_with_limit(&data, 0, &mut Vec::new()));
    }

    #[test]
    fn matches_at_the_distance_limit() {
        // A block repeated exactly MAX_DISTANCE bytes later, and one byte too far.
        let mut rng = Rng(99);
        let block = rng.bytes(MAX_DISTANCE);
        for gap in [0, 1] {
            let mut data = block.clone();
            data.extend(rng.bytes(gap));
            data.extend_from_slice(&block[..300]);
            let mut out = Vec::new();
            assert!(compress_with_limit(&data, usize::MAX, &mut out));
            assert_eq!(decompress(&out, data.len()).as_deref(), Some(&data[..]));
            if gap == 0 {
                // The block costs a control byte per 32 literals; the repeat
                // only a couple of references.
                let literals = MAX_DISTANCE + MAX_DISTANCE / MAX_LITERAL;
                assert!(out.len() <= literals + 6, "the repeat must be found");
            } else {
                assert!(out.len() > data.len(), "nothing within reach repeats");
            }
        }
    }

    /// Pairs of (input, stream produced by liblzf 3.6 through python-lzf).
    const LIBLZF_VECTORS: [(&[u8], &[u8]); 3] = [
        (
            b"hello hello hello hello hello",
            b"\x06hello h\xe0\x0b\x05\x01lo",
        ),
        (&[b'a'; 100], b"\x01aa\xe0\x57\x00\x01aa"),
        (
            b"The quick brown fox jumps over the lazy dog. \
              The quick brown fox jumps over the lazy dog.",
            b"\x1fThe quick brown fox jumps over t \x1e\nlazy dog. T \r\xe0\x1d,\x01g.",
        ),
    ];

    #[test]
    fn decodes_liblzf_output() {
        for (plain, stream) in LIBLZF_VECTORS {
            assert_eq!(decompress(stream, plain.len()).as_deref(), Some(plain));
            round_trip(plain).expect("liblzf compresses these, so must we");
        }
    }

    #[test]
    fn overlapping_references_repeat_bytes() {
        // "ab", then copy 7 bytes from 2 back, then 9 bytes from 1 back.
        let stream = [0x01, b'a', b'b', 5 << 5, 1, 7 << 5, 0, 0];
        assert_eq!(
            decompress(&stream, 18).as_deref(),
            Some(&b"ababababaaaaaaaaaa"[..])
        );
    }

    #[test]
    fn empty_stream_decodes_to_nothing() {
        assert_eq!(decompress(&[], 0), Some(Vec::new()));
        assert_eq!(decompress(&[], 1), None);
    }

    #[test]
    fn rejects_malformed_streams() {
        let (plain, stream) = LIBLZF_VECTORS[2];
        // Every truncation of a valid stream is an error.
        for cut in 0..stream.len() {
            assert_eq!(
                decompress(&stream[..cut], plain.len()),
                None,
                "cut at {cut}"
            );
        }
        // Wrong expected lengths, shorter and longer.
        assert_eq!(decompress(stream, plain.len() - 1), None);
        assert_eq!(decompress(stream, plain.len() + 1), None);
        assert_eq!(decompress(stream, usize::MAX), None);
        // A reference before the start of the output.
        assert_eq!(decompress(&[0x20, 0x00], 3), None);
        assert_eq!(decompress(&[0x00, b'a', 0x20, 0x01], 4), None);
        // A literal run longer than the input holds.
        assert_eq!(decompress(&[0x1f, b'a', b'b'], 32), None);
        // A long reference missing its length or offset byte.
        assert_eq!(decompress(&[0x00, b'a', 0xe0], 300), None);
        assert_eq!(decompress(&[0x00, b'a', 0xe0, 0xff], 300), None);
        // Overlong: a valid reference running past the expected length.
        assert_eq!(decompress(&[0x00, b'a', 0xe0, 0xff, 0x00], 100), None);
        assert_eq!(
            decompress(&[0x00, b'a', 0xe0, 0xff, 0x00], 265).map(|v| v.len()),
            Some(265)
        );
        // Trailing bytes after the expected output is complete.
        assert_eq!(decompress(&[0x00, b'a', 0x00], 1), None);
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = Rng(0xDEAD_BEEF);
        for round in 0..20_000 {
            let len = (rng.next() % 64) as usize;
            let mut stream = rng.bytes(len);
            if round % 2 == 0 && !stream.is_empty() {
                // Start with a literal so references have something to hit.
                stream[0] %= 32;
            }
            let expected = (rng.next() % 2048) as usize;
            if let Some(out) = decompress(&stream, expected) {
                assert_eq!(out.len(), expected);
            }
            // No stream this short can decode to that much.
            assert_eq!(decompress(&stream, usize::MAX), None);
        }
    }

    #[test]
    fn huge_claimed_length_does_not_allocate() {
        // A tiny stream claiming a huge output must fail fast without
        // reserving the claimed size.
        assert_eq!(decompress(&[0x00, b'a', 0xe0, 0xff, 0x00], 1 << 40), None);
        assert_eq!(
            decompress(&[0x00, b'a', 0xe0, 0xff, 0x00], usize::MAX),
            None
        );
    }

    #[test]
    fn densest_stream_decodes() {
        // One literal, then only the longest possible references: the
        // highest output-to-input ratio the format allows.
        let mut stream = vec![0x00, b'z'];
        for _ in 0..1000 {
            stream.extend_from_slice(&[0xe0, 0xff, 0x00]);
        }
        let len = 1 + 1000 * MAX_MATCH;
        assert!(len <= stream.len() * MAX_EXPANSION);
        assert_eq!(decompress(&stream, len), Some(vec![b'z'; len]));
    }
}
