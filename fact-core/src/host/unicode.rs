//! Validation of, and conversion between, UTF-8, UTF-16 and Latin-1 on byte
//! slices: the inner loops of the string intrinsics.
//!
//! UTF-16 is always little-endian code units in a byte slice (a guest's
//! memory), whatever the host's endianness. The validators take any input;
//! the converters take input that has already been validated (they panic,
//! never misbehave, if it was not) and a destination of the worst-case size
//! for the conversion.
//!
//! Every converter is a loop over blocks of 16 bytes that handles a block of
//! ASCII (or, for narrowing, Latin-1) at once and falls back to one character
//! at a time elsewhere. The block bodies use fixed-size arrays, so they
//! compile without bounds checks and vectorize; no converter allocates.

use crate::Trap;

/// The high bit of every byte of a 16-byte block: a block is ASCII iff
/// these bits are clear.
const ASCII_BYTES: u128 = u128::from_le_bytes([0x80; 16]);

/// The 16 bytes at `at`, if there are that many.
#[inline(always)]
fn block(bytes: &[u8], at: usize) -> Option<&[u8; 16]> {
    bytes.get(at..at + 16).map(|b| b.try_into().unwrap())
}

/// Checks that `bytes` is UTF-8.
///
/// # Errors
///
/// [`Trap::InvalidUtf8`] on any ill-formed sequence (stray continuation
/// byte, truncated sequence, overlong encoding, encoded surrogate, code point
/// above U+10FFFF).
pub fn validate_utf8(bytes: &[u8]) -> Result<(), Trap> {
    // SIMD-accelerated (with run-time CPU detection); it accepts exactly
    // what `core::str::from_utf8` accepts.
    match simdutf8::basic::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(_) => Err(Trap::InvalidUtf8),
    }
}

/// Code units checked at once by the block loop of [`validate_utf16`].
pub(super) const BLOCK: usize = 16;

/// The 16 little-endian code units of a 32-byte block. Loops over the
/// returned array vectorize (one load, no byte shuffling on little-endian
/// hosts).
#[inline(always)]
fn units16(bytes: &[u8; 32]) -> [u16; 16] {
    core::array::from_fn(|k| u16::from_le_bytes([bytes[2 * k], bytes[2 * k + 1]]))
}

fn is_high(unit: u16) -> bool {
    unit & 0xfc00 == 0xd800
}

fn is_low(unit: u16) -> bool {
    unit & 0xfc00 == 0xdc00
}

/// Checks that `bytes` (little-endian code units; an odd trailing byte is
/// ignored) is UTF-16, that is that every surrogate is paired. Returns
/// whether every code unit is below 256 (the string is Latin-1).
///
/// # Errors
///
/// [`Trap::InvalidUtf16`] on an unpaired surrogate.
pub fn validate_utf16(bytes: &[u8]) -> Result<bool, Trap> {
    let n = bytes.len() / 2;
    let unit = |i: usize| u16::from_le_bytes([bytes[2 * i], bytes[2 * i + 1]]);
    if n == 0 {
        return Ok(true);
    }
    // Well-formed iff every code unit is a low surrogate exactly when the one
    // before it is a high surrogate, the first is not a low surrogate and the
    // last not a high one. That is checked for every pair of neighbours,
    // without branches (the block loop vectorizes), and only the
    // accumulated result is tested, at the end.
    let first = unit(0);
    let mut bad = is_low(first);
    // The bitwise OR of every code unit: the string is Latin-1 iff it is
    // below 256.
    let mut all = first;
    let mut i = 1;
    while i + BLOCK <= n {
        let prev = units16(bytes[2 * (i - 1)..][..32].try_into().unwrap());
        let cur = units16(bytes[2 * i..][..32].try_into().unwrap());
        let (mut or, mut mismatched) = (0u16, 0u16);
        for k in 0..BLOCK {
            or |= cur[k];
            mismatched |= u16::from(is_high(prev[k]) != is_low(cur[k]));
        }
        all |= or;
        bad |= mismatched != 0;
        i += BLOCK;
    }
    for i in i..n {
        let u = unit(i);
        all |= u;
        bad |= is_high(unit(i - 1)) != is_low(u);
    }
    bad |= is_high(unit(n - 1));
    if bad {
        Err(Trap::InvalidUtf16)
    } else {
        Ok(all < 256)
    }
}

/// Writes `src` (Latin-1) to `dst` as UTF-16; `dst` is `2 * src.len()`
/// bytes.
pub(super) fn latin1_to_utf16(src: &[u8], dst: &mut [u8]) {
    let mut d = dst.chunks_exact_mut(32);
    let mut s = src.chunks_exact(16);
    for (d, s) in (&mut d).zip(&mut s) {
        widen16(s.try_into().unwrap(), d.try_into().unwrap());
    }
    for (d, &b) in d.into_remainder().chunks_exact_mut(2).zip(s.remainder()) {
        d[0] = b;
        d[1] = 0;
    }
}

#[inline(always)]
fn widen16(src: &[u8; 16], dst: &mut [u8; 32]) {
    // Through an array of code units, which vectorizes (`punpcklbw`).
    let units: [u16; 16] = core::array::from_fn(|k| u16::from(src[k]));
    for k in 0..16 {
        let [lo, hi] = units[k].to_le_bytes();
        dst[2 * k] = lo;
        dst[2 * k + 1] = hi;
    }
}

/// Writes the low byte of every code unit of `src` (an even number of
/// bytes) to `dst` (half as many bytes).
pub(super) fn narrow(src: &[u8], dst: &mut [u8]) {
    let mut d = dst.chunks_exact_mut(16);
    let mut s = src.chunks_exact(32);
    for (d, s) in (&mut d).zip(&mut s) {
        narrow16(&units16(s.try_into().unwrap()), d.try_into().unwrap());
    }
    for (d, unit) in d
        .into_remainder()
        .iter_mut()
        .zip(s.remainder().chunks_exact(2))
    {
        *d = unit[0];
    }
}

#[inline(always)]
fn narrow16(units: &[u16; 16], dst: &mut [u8; 16]) {
    // Vectorizes (`pand`, `packuswb`).
    for k in 0..16 {
        dst[k] = units[k] as u8;
    }
}

/// Writes `src` (valid UTF-8) to `dst` as UTF-16; `dst` has room for
/// `2 * src.len()` bytes. Returns the number of code units written.
pub(super) fn utf8_to_utf16(src: &[u8], dst: &mut [u8]) -> usize {
    let (mut i, mut j) = (0, 0);
    while i < src.len() {
        if let Some(b) = block(src, i) {
            let high = u128::from_le_bytes(*b) & ASCII_BYTES;
            if high == 0 {
                widen16(b, (&mut dst[j..j + 32]).try_into().unwrap());
                i += 16;
                j += 32;
                continue;
            }
            // Widen the ASCII bytes before the first other one.
            let ascii = high.trailing_zeros() as usize / 8;
            latin1_to_utf16(&b[..ascii], &mut dst[j..j + 2 * ascii]);
            i += ascii;
            j += 2 * ascii;
        }
        // One character; then more while they are not ASCII (text in a
        // non-Latin script rarely returns to ASCII for long).
        loop {
            let b0 = src[i];
            let c = match b0 {
                0x00..=0x7f => {
                    i += 1;
                    u32::from(b0)
                }
                0x80..=0xdf => {
                    i += 2;
                    u32::from(b0 & 0x1f) << 6 | u32::from(src[i - 1] & 0x3f)
                }
                0xe0..=0xef => {
                    i += 3;
                    u32::from(b0 & 0x0f) << 12
                        | u32::from(src[i - 2] & 0x3f) << 6
                        | u32::from(src[i - 1] & 0x3f)
                }
                _ => {
                    i += 4;
                    u32::from(b0 & 0x07) << 18
                        | u32::from(src[i - 3] & 0x3f) << 12
                        | u32::from(src[i - 2] & 0x3f) << 6
                        | u32::from(src[i - 1] & 0x3f)
                }
            };
            if c < 0x1_0000 {
                dst[j..j + 2].copy_from_slice(&(c as u16).to_le_bytes());
                j += 2;
            } else {
                let c = c - 0x1_0000;
                let high = 0xd800 | (c >> 10) as u16;
                let low = 0xdc00 | (c & 0x3ff) as u16;
                dst[j..j + 2].copy_from_slice(&high.to_le_bytes());
                dst[j + 2..j + 4].copy_from_slice(&low.to_le_bytes());
                j += 4;
            }
            if b0 < 0x80 || i >= src.len() || src[i] < 0x80 {
                break;
            }
        }
    }
    j / 2
}

/// Writes `src` (valid UTF-16) to `dst` as UTF-8; `dst` has room for
/// `3 * src.len() / 2` bytes. Returns the number of bytes written.
pub(super) fn utf16_to_utf8(src: &[u8], dst: &mut [u8]) -> usize {
    let unit = |i: usize| u16::from_le_bytes([src[i], src[i + 1]]);
    // `i` counts bytes of `src`, two per code unit.
    let (mut i, mut j) = (0, 0);
    while i < src.len() {
        if let Some(b) = src.get(i..i + 32) {
            let units = units16(b.try_into().unwrap());
            if units.iter().fold(0, |or, &u| or | u) < 0x80 {
                narrow16(&units, (&mut dst[j..j + 16]).try_into().unwrap());
                i += 32;
                j += 16;
                continue;
            }
            // Copy the ASCII code units before the first other one.
            for &u in units.iter().take_while(|&&u| u < 0x80) {
                dst[j] = u as u8;
                i += 2;
                j += 1;
            }
        }
        loop {
            let u = unit(i);
            i += 2;
            match u {
                0x0000..=0x007f => {
                    dst[j] = u as u8;
                    j += 1;
                }
                0x0080..=0x07ff => {
                    dst[j] = 0xc0 | (u >> 6) as u8;
                    dst[j + 1] = 0x80 | (u & 0x3f) as u8;
                    j += 2;
                }
                0xd800..=0xdbff => {
                    let low = unit(i);
                    i += 2;
                    let c = 0x1_0000 + ((u32::from(u) & 0x3ff) << 10 | (u32::from(low) & 0x3ff));
                    dst[j] = 0xf0 | (c >> 18) as u8;
                    dst[j + 1] = 0x80 | (c >> 12 & 0x3f) as u8;
                    dst[j + 2] = 0x80 | (c >> 6 & 0x3f) as u8;
                    dst[j + 3] = 0x80 | (c & 0x3f) as u8;
                    j += 4;
                }
                _ => {
                    dst[j] = 0xe0 | (u >> 12) as u8;
                    dst[j + 1] = 0x80 | (u >> 6 & 0x3f) as u8;
                    dst[j + 2] = 0x80 | (u & 0x3f) as u8;
                    j += 3;
                }
            }
            if u < 0x80 || i >= src.len() || unit(i) < 0x80 {
                break;
            }
        }
    }
    j
}

/// Writes `src` (Latin-1) to `dst` as UTF-8; `dst` has room for
/// `2 * src.len()` bytes. Returns the number of bytes written.
pub(super) fn latin1_to_utf8(src: &[u8], dst: &mut [u8]) -> usize {
    let (mut i, mut j) = (0, 0);
    while i < src.len() {
        if let Some(b) = block(src, i) {
            let high = u128::from_le_bytes(*b) & ASCII_BYTES;
            let ascii = if high == 0 {
                16
            } else {
                high.trailing_zeros() as usize / 8
            };
            dst[j..j + ascii].copy_from_slice(&b[..ascii]);
            i += ascii;
            j += ascii;
            if ascii == 16 {
                continue;
            }
        }
        loop {
            let b = src[i];
            i += 1;
            if b < 0x80 {
                dst[j] = b;
                j += 1;
                break;
            }
            dst[j] = 0xc0 | b >> 6;
            dst[j + 1] = 0x80 | (b & 0x3f);
            j += 2;
            if i >= src.len() || src[i] < 0x80 {
                break;
            }
        }
    }
    j
}

/// The number of leading bytes of `bytes` below 0x80.
pub(super) fn ascii_prefix(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(b) = block(bytes, i) {
        let high = u128::from_le_bytes(*b) & ASCII_BYTES;
        if high != 0 {
            return i + high.trailing_zeros() as usize / 8;
        }
        i += 16;
    }
    i + bytes[i..].iter().take_while(|&&b| b < 0x80).count()
}

/// The number of leading code units of `bytes` (little-endian UTF-16) that
/// are below 0x80 (`ascii`) or below 0x100 (`!ascii`).
pub(super) fn utf16_prefix(bytes: &[u8], ascii: bool) -> usize {
    let limit = if ascii { 0x80 } else { 0x100 };
    let below = |&&u: &&u16| u < limit;
    let mut blocks = bytes.chunks_exact(32);
    let mut n = 0;
    for b in &mut blocks {
        let units = units16(b.try_into().unwrap());
        if units.iter().fold(0, |or, &u| or | u) >= limit {
            return n + units.iter().take_while(below).count();
        }
        n += 16;
    }
    n + blocks
        .remainder()
        .chunks_exact(2)
        .map(|u| u16::from_le_bytes([u[0], u[1]]))
        .take_while(|&u| u < limit)
        .count()
}

/// Writes the code points of `src` (valid UTF-8) to `dst` (room for
/// `src.len()` bytes) as Latin-1 while they are below 256. Returns the
/// number of bytes written if all were, else `None`.
pub(super) fn utf8_to_latin1(src: &[u8], dst: &mut [u8]) -> Option<usize> {
    let (mut i, mut j) = (0, 0);
    while i < src.len() {
        if let Some(b) = block(src, i) {
            let high = u128::from_le_bytes(*b) & ASCII_BYTES;
            let ascii = if high == 0 {
                16
            } else {
                high.trailing_zeros() as usize / 8
            };
            dst[j..j + ascii].copy_from_slice(&b[..ascii]);
            i += ascii;
            j += ascii;
            if ascii == 16 {
                continue;
            }
        }
        loop {
            let b0 = src[i];
            match b0 {
                0x00..=0x7f => {
                    dst[j] = b0;
                    i += 1;
                    j += 1;
                    break;
                }
                // U+0080..U+00FF: the lead bytes 0xC2 and 0xC3.
                0x80..=0xc3 => {
                    dst[j] = (b0 & 0x03) << 6 | (src[i + 1] & 0x3f);
                    i += 2;
                    j += 1;
                }
                _ => return None,
            }
            if i >= src.len() || src[i] < 0x80 {
                break;
            }
        }
    }
    Some(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// Strings that exercise every path: empty, ASCII runs shorter and
    /// longer than a block, every UTF-8 length, characters at block
    /// boundaries, surrogate pairs.
    fn samples() -> Vec<String> {
        let mut samples: Vec<String> = [
            "",
            "a",
            "hello",
            "héllo wörld",
            "ÿ",
            "日本語のテキスト",
            "😀",
            "a😀b𝄞c",
            "\0\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for c in ['é', 'ÿ', '€', '😀', '\u{7ff}', '\u{800}'] {
            for before in 0..40 {
                samples.push(format!(
                    "{}{c}{}",
                    "a".repeat(before),
                    "b".repeat(before % 19)
                ));
                samples.push(format!("{}{c}{c}x{c}", "a".repeat(before)));
            }
        }
        samples.push("Größenwahn ist schön. ".repeat(20));
        samples.push("Привет, мир! ".repeat(20));
        samples
    }

    #[test]
    fn utf8_to_utf16_matches_std() {
        for s in samples() {
            let mut dst = vec![0xaa; 2 * s.len()];
            let units = utf8_to_utf16(s.as_bytes(), &mut dst);
            let expected = utf16(&s);
            assert_eq!(units * 2, expected.len(), "{s:?}");
            assert_eq!(&dst[..expected.len()], &expected[..], "{s:?}");
        }
    }

    #[test]
    fn utf16_to_utf8_matches_std() {
        for s in samples() {
            let src = utf16(&s);
            let mut dst = vec![0xaa; 3 * src.len() / 2];
            let bytes = utf16_to_utf8(&src, &mut dst);
            assert_eq!(&dst[..bytes], s.as_bytes(), "{s:?}");
        }
    }

    #[test]
    fn latin1_conversions_match_std() {
        let all: Vec<u8> = (0..=255).collect();
        let mut inputs: Vec<Vec<u8>> = vec![vec![], all.clone(), all.repeat(3)];
        for before in 0..40 {
            let mut v = vec![b'a'; before];
            v.extend([0xe9, b'z', 0xff, 0x80]);
            inputs.push(v);
        }
        for src in inputs {
            let s: String = src.iter().map(|&b| char::from(b)).collect();
            let mut dst = vec![0xaa; 2 * src.len()];
            let bytes = latin1_to_utf8(&src, &mut dst);
            assert_eq!(&dst[..bytes], s.as_bytes());

            latin1_to_utf16(&src, &mut dst);
            assert_eq!(dst, utf16(&s));

            let mut back = vec![0xaa; src.len()];
            assert_eq!(utf8_to_latin1(s.as_bytes(), &mut back), Some(src.len()));
            assert_eq!(back, src);

            let mut back = vec![0xaa; src.len()];
            narrow(&utf16(&s), &mut back);
            assert_eq!(back, src);

            let ascii = src.iter().take_while(|b| b.is_ascii()).count();
            assert_eq!(ascii_prefix(&src), ascii);
            assert_eq!(utf16_prefix(&utf16(&s), true), ascii);
            assert_eq!(utf16_prefix(&utf16(&s), false), src.len());
        }
    }

    #[test]
    fn utf8_to_latin1_stops_at_the_first_other_code_point() {
        for s in samples() {
            let mut dst = vec![0xaa; s.len()];
            let latin1: Vec<u8> = s
                .chars()
                .map_while(|c| u8::try_from(u32::from(c)).ok())
                .collect();
            let result = utf8_to_latin1(s.as_bytes(), &mut dst);
            if latin1.len() == s.chars().count() {
                assert_eq!(result, Some(latin1.len()), "{s:?}");
            } else {
                assert_eq!(result, None, "{s:?}");
            }
            assert_eq!(&dst[..latin1.len()], &latin1[..], "{s:?}");
        }
    }

    #[test]
    fn utf16_prefixes_stop_at_the_first_other_code_unit() {
        for s in samples() {
            let src = utf16(&s);
            let units: Vec<u16> = s.encode_utf16().collect();
            let ascii = units.iter().take_while(|&&u| u < 0x80).count();
            let latin1 = units.iter().take_while(|&&u| u < 0x100).count();
            assert_eq!(utf16_prefix(&src, true), ascii, "{s:?}");
            assert_eq!(utf16_prefix(&src, false), latin1, "{s:?}");
        }
    }

    #[test]
    fn validators_match_std() {
        for s in samples() {
            assert_eq!(validate_utf8(s.as_bytes()), Ok(()));
            assert_eq!(
                validate_utf16(&utf16(&s)),
                Ok(s.chars().all(|c| u32::from(c) < 256)),
                "{s:?}"
            );
        }
        assert_eq!(validate_utf8(b"\xed\xa0\x80"), Err(Trap::InvalidUtf8));
        // Long inputs take the vectorized paths of the validator.
        let mut long = "a".repeat(200).into_bytes();
        long[150] = 0xff;
        assert_eq!(validate_utf8(&long), Err(Trap::InvalidUtf8));
    }
}
