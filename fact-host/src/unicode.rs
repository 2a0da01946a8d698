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
//!
//! Text that is not ASCII defeats those blocks: a character at a time runs
//! at well under 1 GB/s. With the `simd` feature, UTF-8 <-> UTF-16 and
//! Latin-1 -> UTF-8 go through `fact-simd` (simdutf's vector kernels, several
//! times faster on such text) wherever its safe API applies, and through the
//! scalar loops elsewhere; the tests check both against `std`.

use crate::Trap;

/// The high bit of every byte of a 16-byte block: a block is ASCII iff
/// these bits are clear.
const ASCII_BYTES: u128 = u128::from_le_bytes([0x80; 16]);

/// Checks that `bytes` is UTF-8.
///
/// # Errors
///
/// [`Trap::InvalidUtf8`] on any ill-formed sequence (stray continuation
/// byte, truncated sequence, overlong encoding, encoded surrogate, code point
/// above U+10FFFF).
pub fn validate_utf8(bytes: &[u8]) -> Result<(), Trap> {
    // SIMD-accelerated (with run-time CPU detection); both accept exactly
    // what `core::str::from_utf8` accepts. simdutf, with the `simd` feature,
    // uses AVX-512 where the CPU has it: 1.3x to 6x faster on non-ASCII text.
    #[cfg(feature = "simd")]
    let valid = fact_simd::validate_utf8(bytes);
    #[cfg(not(feature = "simd"))]
    let valid = simdutf8::basic::from_utf8(bytes).is_ok();
    valid.then_some(()).ok_or(Trap::InvalidUtf8)
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

pub(super) fn is_high(unit: u16) -> bool {
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
    #[cfg(feature = "simd")]
    if let Some(valid) = simd::validate_utf16(bytes) {
        return match valid {
            true => Ok(below_256(bytes)),
            false => Err(Trap::InvalidUtf16),
        };
    }
    validate_utf16_scalar(bytes)
}

/// [`validate_utf16`] without the answer to whether the string is Latin-1,
/// for the intrinsics that do not need it (one pass instead of two with the
/// `simd` feature).
pub(crate) fn validate_utf16_pairs(bytes: &[u8]) -> Result<(), Trap> {
    #[cfg(feature = "simd")]
    if let Some(valid) = simd::validate_utf16(bytes) {
        return valid.then_some(()).ok_or(Trap::InvalidUtf16);
    }
    validate_utf16_scalar(bytes).map(drop)
}

/// Whether every code unit of `bytes` (little-endian UTF-16) is below 256.
#[cfg(feature = "simd")]
fn below_256(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(2 * BLOCK);
    let mut all = 0u16;
    for block in &mut blocks {
        all |= units16(block.try_into().unwrap())
            .iter()
            .fold(0, |or, &u| or | u);
    }
    for unit in blocks.remainder().chunks_exact(2) {
        all |= u16::from_le_bytes([unit[0], unit[1]]);
    }
    all < 256
}

/// [`validate_utf16`] a block of code units at a time.
fn validate_utf16_scalar(bytes: &[u8]) -> Result<bool, Trap> {
    // The bitwise OR of every code unit: the string is Latin-1 iff it is
    // below 256.
    let mut all = 0u16;
    // Whether the code unit before the current one is a high surrogate.
    let mut high_before = false;
    let mut blocks = bytes.chunks_exact(2 * BLOCK);
    for block in &mut blocks {
        let units = units16(block.try_into().unwrap());
        let (mut or, mut surrogates) = (0u16, 0u16);
        for &u in &units {
            or |= u;
            surrogates |= u16::from(u & 0xf800 == 0xd800);
        }
        all |= or;
        if surrogates == 0 && !high_before {
            continue;
        }
        // Every code unit must be a low surrogate exactly when the one
        // before it is a high surrogate. Branch-free, so it vectorizes too.
        let high: [bool; BLOCK] = core::array::from_fn(|k| is_high(units[k]));
        let mut unpaired = high_before != is_low(units[0]);
        for k in 1..BLOCK {
            unpaired |= high[k - 1] != is_low(units[k]);
        }
        if unpaired {
            return Err(Trap::InvalidUtf16);
        }
        high_before = high[BLOCK - 1];
    }
    for unit in blocks.remainder().chunks_exact(2) {
        let u = u16::from_le_bytes([unit[0], unit[1]]);
        all |= u;
        if high_before != is_low(u) {
            return Err(Trap::InvalidUtf16);
        }
        high_before = is_high(u);
    }
    if high_before {
        return Err(Trap::InvalidUtf16);
    }
    Ok(all < 256)
}

/// Writes `src` (Latin-1) to `dst` as UTF-16; `dst` is `2 * src.len()`
/// bytes.
pub(super) fn latin1_to_utf16(src: &[u8], dst: &mut [u8]) {
    // Whole code units stored into a `u16` view vectorize twice as fast as
    // pairs of bytes. The view exists when `dst` is 2-aligned in the host's
    // address space, as a UTF-16 destination in a page-aligned linear
    // memory is; otherwise, bytes.
    if let Ok(units) = bytemuck::try_cast_slice_mut::<u8, u16>(dst) {
        for (d, &s) in units.iter_mut().zip(src) {
            *d = u16::from(s).to_le();
        }
        return;
    }
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
    write_units16(&core::array::from_fn(|k| u16::from(src[k])), dst);
}

/// Writes 16 code units as little-endian bytes.
#[inline(always)]
fn write_units16(units: &[u16; 16], dst: &mut [u8; 32]) {
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
    #[cfg(feature = "simd")]
    if let Some(n) = simd::utf8_to_utf16(src, dst) {
        return n;
    }
    utf8_to_utf16_scalar(src, dst)
}

/// [`utf8_to_utf16`] one character (or block of ASCII) at a time.
fn utf8_to_utf16_scalar(src: &[u8], dst: &mut [u8]) -> usize {
    let (mut i, mut j) = (0, 0);
    while i < src.len() {
        let n = ascii_blocks_to_utf16(&src[i..], &mut dst[j..]);
        i += n;
        j += 2 * n;
        // Character by character, until a run of ASCII long enough for
        // blocks again.
        let mut ascii = 0;
        while let Some(&b0) = src.get(i) {
            let c = match b0 {
                0x00..=0x7f => {
                    dst[j] = b0;
                    dst[j + 1] = 0;
                    i += 1;
                    j += 2;
                    ascii += 1;
                    if ascii == 16 {
                        break;
                    }
                    continue;
                }
                0x80..=0xdf => {
                    let s: &[u8; 2] = src[i..i + 2].try_into().unwrap();
                    i += 2;
                    u32::from(s[0] & 0x1f) << 6 | u32::from(s[1] & 0x3f)
                }
                0xe0..=0xef => {
                    let s: &[u8; 3] = src[i..i + 3].try_into().unwrap();
                    i += 3;
                    u32::from(s[0] & 0x0f) << 12
                        | u32::from(s[1] & 0x3f) << 6
                        | u32::from(s[2] & 0x3f)
                }
                0xf0..=0xff => {
                    let s: &[u8; 4] = src[i..i + 4].try_into().unwrap();
                    i += 4;
                    u32::from(s[0] & 0x07) << 18
                        | u32::from(s[1] & 0x3f) << 12
                        | u32::from(s[2] & 0x3f) << 6
                        | u32::from(s[3] & 0x3f)
                }
            };
            ascii = 0;
            if c < 0x1_0000 {
                let d: &mut [u8; 2] = (&mut dst[j..j + 2]).try_into().unwrap();
                *d = (c as u16).to_le_bytes();
                j += 2;
            } else {
                let c = c - 0x1_0000;
                let [h0, h1] = (0xd800 | (c >> 10) as u16).to_le_bytes();
                let [l0, l1] = (0xdc00 | (c & 0x3ff) as u16).to_le_bytes();
                let d: &mut [u8; 4] = (&mut dst[j..j + 4]).try_into().unwrap();
                *d = [h0, h1, l0, l1];
                j += 4;
            }
        }
    }
    j / 2
}

/// Widens the leading blocks of 16 ASCII bytes of `src` into `dst`; returns
/// how many bytes that was.
fn ascii_blocks_to_utf16(src: &[u8], dst: &mut [u8]) -> usize {
    let mut n = 0;
    for (s, d) in src.chunks_exact(16).zip(dst.chunks_exact_mut(32)) {
        // Widen first, test the widened code units: this vectorizes where
        // testing the bytes first does not.
        let units: [u16; 16] = core::array::from_fn(|k| u16::from(s[k]));
        if units.iter().fold(0, |or, &u| or | u) >= 0x80 {
            break;
        }
        write_units16(&units, d.try_into().unwrap());
        n += 16;
    }
    n
}

/// Writes `src` (valid UTF-16) to `dst` as UTF-8; `dst` has room for
/// `3 * src.len() / 2` bytes. Returns the number of bytes written.
pub(super) fn utf16_to_utf8(src: &[u8], dst: &mut [u8]) -> usize {
    #[cfg(feature = "simd")]
    if let Some(n) = simd::utf16_to_utf8(src, dst) {
        return n;
    }
    utf16_to_utf8_scalar(src, dst)
}

/// [`utf16_to_utf8`] one code unit (or block of ASCII) at a time.
fn utf16_to_utf8_scalar(src: &[u8], dst: &mut [u8]) -> usize {
    // `i` counts bytes of `src`, two per code unit.
    let (mut i, mut j) = (0, 0);
    while i < src.len() {
        // A run of ASCII (whole blocks and the start of the next one).
        let n = ascii_prefix_to_utf8(&src[i..], &mut dst[j..]);
        i += 2 * n;
        j += n;
        // Then code units one by one, until a run of ASCII long enough for
        // blocks again (text mixing scripts has many short runs).
        let mut units = src[i..].chunks_exact(2);
        let mut ascii = 0;
        while let Some(u) = units.next() {
            let u = u16::from_le_bytes([u[0], u[1]]);
            if u < 0x80 {
                dst[j] = u as u8;
                j += 1;
                ascii += 1;
                if ascii == BLOCK {
                    break;
                }
                continue;
            }
            ascii = 0;
            if u < 0x800 {
                let d: &mut [u8; 2] = (&mut dst[j..j + 2]).try_into().unwrap();
                *d = [0xc0 | (u >> 6) as u8, 0x80 | (u & 0x3f) as u8];
                j += 2;
            } else if is_high(u) {
                let low = units.next().unwrap();
                let low = u16::from_le_bytes([low[0], low[1]]);
                let c = 0x1_0000 + ((u32::from(u) & 0x3ff) << 10 | (u32::from(low) & 0x3ff));
                let d: &mut [u8; 4] = (&mut dst[j..j + 4]).try_into().unwrap();
                *d = [
                    0xf0 | (c >> 18) as u8,
                    0x80 | (c >> 12 & 0x3f) as u8,
                    0x80 | (c >> 6 & 0x3f) as u8,
                    0x80 | (c & 0x3f) as u8,
                ];
                j += 4;
            } else {
                let d: &mut [u8; 3] = (&mut dst[j..j + 3]).try_into().unwrap();
                *d = [
                    0xe0 | (u >> 12) as u8,
                    0x80 | (u >> 6 & 0x3f) as u8,
                    0x80 | (u & 0x3f) as u8,
                ];
                j += 3;
            }
        }
        i = src.len() - 2 * units.len();
    }
    j
}

/// Writes the leading code units of `src` (UTF-16) that are below 0x80 to
/// `dst` (room for `src.len() / 2` bytes) as bytes, up to the first other
/// one. Returns how many that was.
pub(super) fn utf16_ascii_prefix(src: &[u8], dst: &mut [u8]) -> usize {
    let mut n = ascii_prefix_to_utf8(src, dst);
    // After the last whole block.
    while let Some(u) = src.get(2 * n..2 * n + 2) {
        let u = u16::from_le_bytes([u[0], u[1]]);
        if u >= 0x80 {
            break;
        }
        dst[n] = u as u8;
        n += 1;
    }
    n
}

/// Narrows the leading ASCII code units of `src` into `dst`, 16 at a time
/// and then the start of the first other block; returns how many code
/// units that was.
fn ascii_prefix_to_utf8(src: &[u8], dst: &mut [u8]) -> usize {
    let mut n = 0;
    for (s, d) in src.chunks_exact(32).zip(dst.chunks_exact_mut(16)) {
        let units = units16(s.try_into().unwrap());
        if units.iter().fold(0, |or, &u| or | u) >= 0x80 {
            let ascii = units.iter().take_while(|&&u| u < 0x80).count();
            for (d, &u) in d.iter_mut().zip(&units[..ascii]) {
                *d = u as u8;
            }
            return n + ascii;
        }
        narrow16(&units, d.try_into().unwrap());
        n += 16;
    }
    n
}

/// Writes `src` (Latin-1) to `dst` as UTF-8; `dst` has room for
/// `2 * src.len()` bytes. Returns the number of bytes written.
pub(super) fn latin1_to_utf8(src: &[u8], dst: &mut [u8]) -> usize {
    #[cfg(feature = "simd")]
    if let Some(n) = simd::latin1_to_utf8(src, dst) {
        return n;
    }
    latin1_to_utf8_scalar(src, dst)
}

/// [`latin1_to_utf8`] one byte (or block of ASCII) at a time.
fn latin1_to_utf8_scalar(src: &[u8], dst: &mut [u8]) -> usize {
    let (mut i, mut j) = (0, 0);
    while i < src.len() {
        let n = ascii_blocks(&src[i..], &mut dst[j..]);
        i += n;
        j += n;
        // Byte by byte, until a run of ASCII long enough for blocks again.
        let mut ascii = 0;
        while let Some(&b) = src.get(i) {
            i += 1;
            if b < 0x80 {
                dst[j] = b;
                j += 1;
                ascii += 1;
                if ascii == 16 {
                    break;
                }
            } else {
                let d: &mut [u8; 2] = (&mut dst[j..j + 2]).try_into().unwrap();
                *d = [0xc0 | b >> 6, 0x80 | (b & 0x3f)];
                j += 2;
                ascii = 0;
            }
        }
    }
    j
}

/// Copies the leading blocks of 16 ASCII bytes of `src` to `dst`; returns
/// how many bytes that was.
fn ascii_blocks(src: &[u8], dst: &mut [u8]) -> usize {
    let mut n = 0;
    for (s, d) in src.chunks_exact(16).zip(dst.chunks_exact_mut(16)) {
        let s: &[u8; 16] = s.try_into().unwrap();
        if u128::from_le_bytes(*s) & ASCII_BYTES != 0 {
            break;
        }
        d.copy_from_slice(s);
        n += 16;
    }
    n
}

/// The number of leading bytes of `bytes` below 0x80.
pub(super) fn ascii_prefix(bytes: &[u8]) -> usize {
    let mut blocks = bytes.chunks_exact(16);
    let mut n = 0;
    for b in &mut blocks {
        let high = u128::from_le_bytes(b.try_into().unwrap()) & ASCII_BYTES;
        if high != 0 {
            // The first byte with its high bit set (little-endian order).
            return n + high.trailing_zeros() as usize / 8;
        }
        n += 16;
    }
    n + blocks
        .remainder()
        .iter()
        .take_while(|b| b.is_ascii())
        .count()
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
        let n = ascii_blocks(&src[i..], &mut dst[j..]);
        i += n;
        j += n;
        // Character by character, until a run of ASCII long enough for
        // blocks again.
        let mut ascii = 0;
        while let Some(&b0) = src.get(i) {
            match b0 {
                0x00..=0x7f => {
                    dst[j] = b0;
                    i += 1;
                    ascii += 1;
                }
                // U+0080..U+00FF: the lead bytes 0xC2 and 0xC3.
                0x80..=0xc3 => {
                    dst[j] = (b0 & 0x03) << 6 | (src[i + 1] & 0x3f);
                    i += 2;
                    ascii = 0;
                }
                _ => return None,
            }
            j += 1;
            if ascii == 16 {
                break;
            }
        }
    }
    Some(j)
}

/// The conversions that `fact-simd` does with vector instructions, on the
/// byte slices of the kernels above. Each returns `None` where it does not
/// apply, and the caller falls back to its scalar loop: a source shorter than
/// `MIN_LEN` (`VALIDATE_MIN_LEN`) bytes (the call costs more than it saves), or a
/// UTF-16 slice that is not 2-aligned in the host's address space (no `u16`
/// view of it exists).
#[cfg(feature = "simd")]
mod simd {
    /// Source bytes below which the scalar conversions are as fast.
    const MIN_LEN: usize = 64;

    /// Source bytes below which the scalar UTF-16 validator is as fast:
    /// simdutf's set-up costs about 600 instructions a call, which the
    /// scalar loop (16 code units at a time) spends on 500 bytes or so.
    const VALIDATE_MIN_LEN: usize = 512;

    pub(super) fn utf8_to_utf16(src: &[u8], dst: &mut [u8]) -> Option<usize> {
        if src.len() < MIN_LEN {
            return None;
        }
        // The intrinsic's checks validated the source; `fact-simd`
        // converts with simdutf's validating conversion, sound for any
        // input, at the speed of the unchecked one.
        let dst = units_mut(dst)?;
        fact_simd::utf8_to_utf16(src, dst)
    }

    pub(super) fn utf16_to_utf8(src: &[u8], dst: &mut [u8]) -> Option<usize> {
        if src.len() < MIN_LEN {
            return None;
        }
        let src = bytemuck::try_cast_slice(src).ok()?;
        fact_simd::utf16_to_utf8(src, dst)
    }

    pub(super) fn latin1_to_utf8(src: &[u8], dst: &mut [u8]) -> Option<usize> {
        if src.len() < MIN_LEN {
            return None;
        }
        Some(fact_simd::latin1_to_utf8(src, dst))
    }

    /// Whether `bytes` (an odd trailing byte ignored) is UTF-16.
    pub(super) fn validate_utf16(bytes: &[u8]) -> Option<bool> {
        if bytes.len() < VALIDATE_MIN_LEN {
            return None;
        }
        let even = bytes.len() & !1;
        let units = bytemuck::try_cast_slice(&bytes[..even]).ok()?;
        Some(fact_simd::validate_utf16(units))
    }

    /// The whole code units of `bytes`, if it is 2-aligned.
    fn units_mut(bytes: &mut [u8]) -> Option<&mut [u16]> {
        let even = bytes.len() & !1;
        bytemuck::try_cast_slice_mut(&mut bytes[..even]).ok()
    }
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

    /// A kernel and its scalar loop, which are the same function unless
    /// the `simd` feature is on: tests run both.
    type Kernel = fn(&[u8], &mut [u8]) -> usize;
    const UTF8_TO_UTF16: [Kernel; 2] = [utf8_to_utf16, utf8_to_utf16_scalar];
    const UTF16_TO_UTF8: [Kernel; 2] = [utf16_to_utf8, utf16_to_utf8_scalar];
    const LATIN1_TO_UTF8: [Kernel; 2] = [latin1_to_utf8, latin1_to_utf8_scalar];

    #[test]
    fn utf8_to_utf16_matches_std() {
        for s in samples() {
            let expected = utf16(&s);
            for kernel in UTF8_TO_UTF16 {
                let mut dst = vec![0xaa; 2 * s.len()];
                let units = kernel(s.as_bytes(), &mut dst);
                assert_eq!(units * 2, expected.len(), "{s:?}");
                assert_eq!(&dst[..expected.len()], &expected[..], "{s:?}");
                // At an odd host address: no `u16` view, the scalar loop.
                let mut odd = vec![0xaa; 2 * s.len() + 1];
                assert_eq!(kernel(s.as_bytes(), &mut odd[1..]), units);
                assert_eq!(&odd[1..][..expected.len()], &expected[..], "{s:?}");
            }
        }
    }

    #[test]
    fn utf16_to_utf8_matches_std() {
        for s in samples() {
            let src = utf16(&s);
            for kernel in UTF16_TO_UTF8 {
                let mut dst = vec![0xaa; 3 * src.len() / 2];
                let bytes = kernel(&src, &mut dst);
                assert_eq!(&dst[..bytes], s.as_bytes(), "{s:?}");
                let mut odd = vec![0xaa; src.len() + 1];
                odd[1..].copy_from_slice(&src);
                assert_eq!(kernel(&odd[1..], &mut dst), bytes);
                assert_eq!(&dst[..bytes], s.as_bytes(), "{s:?}");
            }
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
            for kernel in LATIN1_TO_UTF8 {
                let bytes = kernel(&src, &mut dst);
                assert_eq!(&dst[..bytes], s.as_bytes());
            }

            latin1_to_utf16(&src, &mut dst);
            assert_eq!(dst, utf16(&s));
            // At an odd host address: no `u16` view, the byte kernel.
            let mut odd = vec![0xaa; 2 * src.len() + 1];
            latin1_to_utf16(&src, &mut odd[1..]);
            assert_eq!(odd[1..], utf16(&s));

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
            let mut dst = vec![0xaa; units.len()];
            assert_eq!(utf16_ascii_prefix(&src, &mut dst), ascii, "{s:?}");
            assert_eq!(&dst[..ascii], &s.as_bytes()[..ascii], "{s:?}");
            assert!(dst[ascii..].iter().all(|&b| b == 0xaa), "{s:?}");
            let latin1 = units.iter().take_while(|&&u| u < 0x100).count();
            assert_eq!(utf16_prefix(&src, true), ascii, "{s:?}");
            assert_eq!(utf16_prefix(&src, false), latin1, "{s:?}");
        }
    }

    /// Pseudo-random strings over a palette of every UTF-8 length and of
    /// Latin-1, with ASCII runs of every length (a fixed LCG: reproducible).
    fn random_strings() -> Vec<String> {
        let palette = [
            'a',
            ' ',
            'é',
            'ÿ',
            'Ā',
            'ж',
            '€',
            '日',
            '\u{ffff}',
            '😀',
            '\u{10ffff}',
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) as usize % n
        };
        (0..400)
            .map(|_| {
                let len = next(100);
                (0..len)
                    .map(|_| {
                        if next(3) == 0 {
                            palette[next(palette.len())].to_string()
                        } else {
                            "x".repeat(next(40))
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn conversions_of_random_strings_match_std() {
        for s in random_strings() {
            let src16 = utf16(&s);
            let mut dst = vec![0xaa; 3 * s.len().max(src16.len())];
            for (to16, to8) in UTF8_TO_UTF16.into_iter().zip(UTF16_TO_UTF8) {
                let units = to16(s.as_bytes(), &mut dst[..2 * s.len()]);
                assert_eq!(&dst[..2 * units], &src16[..], "{s:?}");
                let bytes = to8(&src16, &mut dst[..3 * src16.len() / 2]);
                assert_eq!(&dst[..bytes], s.as_bytes(), "{s:?}");
            }
            let units: Vec<u16> = s.encode_utf16().collect();
            for (ascii, limit) in [(true, 0x80), (false, 0x100)] {
                let expected = units.iter().take_while(|&&u| u < limit).count();
                assert_eq!(utf16_prefix(&src16, ascii), expected, "{s:?}");
            }
            let ascii = units.iter().take_while(|&&u| u < 0x80).count();
            assert_eq!(utf16_ascii_prefix(&src16, &mut dst), ascii, "{s:?}");
            assert_eq!(&dst[..ascii], &s.as_bytes()[..ascii], "{s:?}");
            assert_eq!(
                validate_utf16(&src16),
                Ok(s.chars().all(|c| u32::from(c) < 256))
            );
        }
    }

    #[test]
    fn validate_utf16_matches_std_around_every_block_boundary() {
        let is_valid = |u: &[u16]| char::decode_utf16(u.iter().copied()).all(|r| r.is_ok());
        let specials: &[&[u16]] = &[
            &[0xd800],
            &[0xdbff],
            &[0xdc00],
            &[0xdfff],
            &[0xd83d, 0xde00],
            &[0xde00, 0xd83d],
            &[0xd83d, 0xd83d],
            &[0x00ff],
            &[0x0100],
            &[0xffff],
        ];
        // Up to 300 units: past the lengths where `simd` takes over.
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 48, 50, 70, 300] {
            for at in 0..=len {
                for special in specials {
                    let mut u = vec![0x61u16; len];
                    u.splice(at..at, special.iter().copied());
                    let bytes: Vec<u8> = u.iter().flat_map(|u| u.to_le_bytes()).collect();
                    let expected = if is_valid(&u) {
                        Ok(u.iter().all(|&u| u < 256))
                    } else {
                        Err(Trap::InvalidUtf16)
                    };
                    assert_eq!(validate_utf16(&bytes), expected, "{u:x?}");
                    assert_eq!(validate_utf16_scalar(&bytes), expected, "{u:x?}");
                    assert_eq!(validate_utf16_pairs(&bytes), expected.map(drop), "{u:x?}");
                }
            }
        }
        // A high and a low surrogate at every pair of positions.
        for high in 0..40 {
            for low in 0..40 {
                let mut u = vec![0x61u16; 40];
                u[high] = 0xd800;
                u[low] = 0xdc00;
                let bytes: Vec<u8> = u.iter().flat_map(|u| u.to_le_bytes()).collect();
                assert_eq!(validate_utf16(&bytes).is_ok(), is_valid(&u), "{high} {low}");
                assert_eq!(validate_utf16_scalar(&bytes).is_ok(), is_valid(&u));
                assert_eq!(validate_utf16_pairs(&bytes).is_ok(), is_valid(&u));
            }
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
