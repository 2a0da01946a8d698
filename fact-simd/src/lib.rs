//! SIMD string conversions for the string intrinsics of fact's host ABI.
//!
//! A safe layer over [simdutf](https://github.com/simdutf/simdutf), which
//! validates and transcodes Unicode with the widest vector instructions the
//! CPU has (chosen at run time). `fact-core` does not allow `unsafe`; this
//! crate holds the few calls into simdutf, each behind a signature that makes
//! the call sound for *any* input:
//!
//! - a UTF-8 or UTF-16 source is converted by simdutf's validating
//!   conversions, which accept any input;
//! - every destination is checked to have room for the worst case of the
//!   conversion, which bounds what simdutf writes;
//! - `&`/`&mut` borrows guarantee the source and destination do not overlap.
//!
//! UTF-16 is little-endian code units in memory, on any host, as in a guest's
//! linear memory: on a big-endian host the `u16` values of the slices are the
//! byte-swapped code units, and simdutf's `le` functions read them so.
//!
//! `fact-core` uses this crate behind its `simd` feature and keeps its own
//! scalar kernels as the reference (and for destinations that are not
//! 2-aligned, which a `&mut [u16]` cannot view).
//!
//! # Example
//!
//! ```
//! let mut units = [0u16; 6];
//! let n = fact_simd::utf8_to_utf16("naïve".as_bytes(), &mut units).unwrap();
//! assert_eq!(&units[..n], &"naïve".encode_utf16().map(u16::to_le).collect::<Vec<_>>()[..]);
//!
//! let mut bytes = [0u8; 15];
//! assert_eq!(fact_simd::utf16_to_utf8(&units[..n], &mut bytes), Some(6));
//! assert_eq!(&bytes[..6], "naïve".as_bytes());
//! assert_eq!(fact_simd::utf16_to_utf8(&[0xd800u16.to_le()], &mut bytes), None);
//! ```

#![deny(missing_docs, unsafe_op_in_unsafe_fn)]
#![no_std]

/// Whether `src` is UTF-8: exactly what `core::str::from_utf8` accepts (no
/// stray continuation byte, truncated sequence, overlong encoding, encoded
/// surrogate or code point above U+10FFFF).
pub fn validate_utf8(src: &[u8]) -> bool {
    simdutf::validate_utf8(src)
}

/// Writes `src` to `dst` as UTF-16 if it is UTF-8. Returns the number of
/// code units written, or `None` if `src` is not UTF-8 (`dst` may then have
/// been written to).
///
/// # Panics
///
/// If `dst` has fewer than `src.len()` code units (the worst case: one unit
/// per byte).
pub fn utf8_to_utf16(src: &[u8], dst: &mut [u16]) -> Option<usize> {
    assert!(
        dst.len() >= src.len(),
        "utf8_to_utf16: destination too short"
    );
    if src.is_empty() {
        return Some(0);
    }
    // SAFETY: `src` is readable for `src.len()` bytes; simdutf validates it
    // as it converts (returning 0 for invalid input, which a valid non-empty
    // source never gives) and writes at most `src.len()` code units, all of
    // which `dst` can hold; the borrows do not overlap; a `&mut [u16]` is
    // aligned.
    let n = unsafe { simdutf::convert_utf8_to_utf16le(src.as_ptr(), src.len(), dst.as_mut_ptr()) };
    (n != 0).then_some(n)
}

/// Writes `src` to `dst` as UTF-8 if it is UTF-16 (every surrogate paired).
/// Returns the number of bytes written, or `None` if `src` is not UTF-16
/// (`dst` may then have been written to).
///
/// # Panics
///
/// If `dst` has fewer than `3 * src.len()` bytes (the worst case: three
/// bytes per code unit).
pub fn utf16_to_utf8(src: &[u16], dst: &mut [u8]) -> Option<usize> {
    let worst = src
        .len()
        .checked_mul(3)
        .expect("utf16_to_utf8: source too long");
    assert!(dst.len() >= worst, "utf16_to_utf8: destination too short");
    if src.is_empty() {
        return Some(0);
    }
    // SAFETY: `src` is readable for `src.len()` units; simdutf validates it
    // as it converts (returning 0 for invalid input, which a valid non-empty
    // source never gives) and writes at most `3 * src.len()` bytes, all of
    // which `dst` can hold; the borrows do not overlap; `src` is aligned.
    let n = unsafe { simdutf::convert_utf16le_to_utf8(src.as_ptr(), src.len(), dst.as_mut_ptr()) };
    (n != 0).then_some(n)
}

/// Whether `src` is UTF-16: every high surrogate followed by a low one, and
/// every low one preceded by a high one.
pub fn validate_utf16(src: &[u16]) -> bool {
    simdutf::validate_utf16le(src)
}

/// Writes `src` (Latin-1: every byte is a code point) to `dst` as UTF-8 and
/// returns the number of bytes written.
///
/// # Panics
///
/// If `dst` has fewer than `2 * src.len()` bytes (the worst case: two bytes
/// per code point).
pub fn latin1_to_utf8(src: &[u8], dst: &mut [u8]) -> usize {
    let worst = src
        .len()
        .checked_mul(2)
        .expect("latin1_to_utf8: source too long");
    assert!(dst.len() >= worst, "latin1_to_utf8: destination too short");
    if src.is_empty() {
        return 0;
    }
    // SAFETY: every byte string is Latin-1; `src` is readable for its length;
    // the UTF-8 form has at most `2 * src.len()` bytes, all of which `dst` can
    // hold; the borrows do not overlap.
    unsafe { simdutf::convert_latin1_to_utf8(src.as_ptr(), src.len(), dst.as_mut_ptr()) }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::String;
    use std::vec::Vec;

    use super::*;

    /// Code points of every UTF-8 length and both UTF-16 forms, ASCII first
    /// so that runs of ASCII of many lengths appear.
    const ALPHABET: [char; 12] = [
        'a',
        ' ',
        '~',
        '\u{80}',
        'é',
        'ÿ',
        'λ',
        '\u{7ff}',
        '東',
        '\u{ffff}',
        '😀',
        '\u{10ffff}',
    ];

    /// Pseudo-random strings of every length up to 300 characters, long
    /// ASCII runs and long non-ASCII runs, so that every vector path and
    /// every tail length of simdutf's loops is taken.
    fn strings() -> Vec<String> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut out = Vec::new();
        for len in 0..300 {
            for ascii_weight in [0, 6, 60] {
                let s = (0..len)
                    .map(|_| {
                        let r = next() as usize % (ALPHABET.len() + ascii_weight);
                        ALPHABET.get(r).copied().unwrap_or('x')
                    })
                    .collect();
                out.push(s);
            }
        }
        out
    }

    fn utf16(s: &str) -> Vec<u16> {
        s.encode_utf16().map(u16::to_le).collect()
    }

    #[test]
    fn utf8_to_utf16_matches_std() {
        for s in strings() {
            let mut dst = std::vec![0u16; s.len()];
            let n = utf8_to_utf16(s.as_bytes(), &mut dst).unwrap();
            assert_eq!(dst[..n], utf16(&s)[..], "{s:?}");
        }
    }

    #[test]
    fn utf8_is_validated_as_std_does() {
        for s in strings().iter().filter(|s| !s.is_empty()).step_by(3) {
            let bytes = s.as_bytes();
            for at in [0, bytes.len() / 2, bytes.len() - 1] {
                for bad in [0x80u8, 0xc0, 0xe0, 0xed, 0xf4, 0xf5, 0xff] {
                    let mut bytes = bytes.to_vec();
                    bytes[at] = bad;
                    let valid = core::str::from_utf8(&bytes).is_ok();
                    assert_eq!(validate_utf8(&bytes), valid, "{s:?}, {bad:#x} at {at}");
                    let mut dst = std::vec![0u16; bytes.len()];
                    let converted = utf8_to_utf16(&bytes, &mut dst);
                    assert_eq!(converted.is_some(), valid, "{s:?}, {bad:#x} at {at}");
                }
            }
        }
    }

    #[test]
    fn utf16_to_utf8_matches_std() {
        for s in strings() {
            let units = utf16(&s);
            let mut dst = std::vec![0u8; 3 * units.len()];
            assert_eq!(utf16_to_utf8(&units, &mut dst), Some(s.len()), "{s:?}");
            assert_eq!(&dst[..s.len()], s.as_bytes());
        }
    }

    #[test]
    fn utf16_to_utf8_rejects_unpaired_surrogates() {
        for s in strings().iter().filter(|s| !s.is_empty()).step_by(7) {
            let units = utf16(s);
            for at in [0, units.len() / 2, units.len() - 1] {
                for bad in [0xd800u16, 0xdbff, 0xdc00, 0xdfff] {
                    let mut units = units.clone();
                    units[at] = bad.to_le();
                    if String::from_utf16(
                        &units.iter().map(|u| u16::from_le(*u)).collect::<Vec<_>>(),
                    )
                    .is_ok()
                    {
                        continue; // The replacement completed a pair.
                    }
                    let mut dst = std::vec![0u8; 3 * units.len()];
                    assert_eq!(utf16_to_utf8(&units, &mut dst), None, "{s:?} at {at}");
                }
            }
        }
    }

    #[test]
    fn validate_utf16_matches_std() {
        for s in strings().iter().step_by(5) {
            let units = utf16(s);
            assert!(validate_utf16(&units));
            for at in 0..units.len() {
                let mut bad = units.clone();
                bad[at] = 0xdc00u16.to_le();
                let native: Vec<u16> = bad.iter().map(|u| u16::from_le(*u)).collect();
                assert_eq!(
                    validate_utf16(&bad),
                    String::from_utf16(&native).is_ok(),
                    "{s:?} at {at}"
                );
            }
        }
    }

    #[test]
    fn latin1_to_utf8_matches_std() {
        let all: Vec<u8> = (0..=255).collect();
        for len in 0..all.len() * 3 {
            let src: Vec<u8> = all
                .iter()
                .copied()
                .cycle()
                .skip(len * 7 % 256)
                .take(len)
                .collect();
            let want: String = src.iter().map(|&b| char::from(b)).collect();
            let mut dst = std::vec![0u8; 2 * src.len()];
            let n = latin1_to_utf8(&src, &mut dst);
            assert_eq!(&dst[..n], want.as_bytes());
        }
    }

    #[test]
    #[should_panic(expected = "destination too short")]
    fn short_destinations_panic_before_any_write() {
        let mut dst = [0u16; 3];
        utf8_to_utf16(b"abcd", &mut dst);
    }
}
