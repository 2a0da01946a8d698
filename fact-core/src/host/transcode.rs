//! The string intrinsics of the host ABI (module `transcode`), on byte slices.
//!
//! The public items are re-exported by [`host`](super), whose docs give the
//! order of the checks.

use core::fmt;
use core::ops::Range;

use crate::{Transcode, Trap};

/// The UTF-16 tag of a `latin1+utf16` string length in a 32-bit memory.
pub const UTF16_TAG_32: u32 = 1 << 31;

/// The UTF-16 tag of a `latin1+utf16` string length in a 64-bit memory.
pub const UTF16_TAG_64: u64 = 1 << 63;

/// The UTF-16 tag for a destination memory of the given address type.
pub const fn utf16_tag(memory64: bool) -> u64 {
    if memory64 {
        UTF16_TAG_64
    } else {
        UTF16_TAG_32 as u64
    }
}

/// The memories an intrinsic reads and writes.
///
/// [`transcode`] takes this so that one call site serves both the common
/// case of two memories and the rare case of one memory shared by the source
/// and destination instances.
pub enum Memories<'a> {
    /// Distinct source and destination memories.
    Two {
        /// The memory read.
        src: &'a [u8],
        /// The memory written.
        dst: &'a mut [u8],
    },
    /// One memory that is both read and written.
    One(&'a mut [u8]),
}

impl fmt::Debug for Memories<'_> {
    /// Shows the memory sizes, not their (possibly gigabytes of) contents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Memories::Two { src, dst } => f
                .debug_struct("Two")
                .field("src_len", &src.len())
                .field("dst_len", &dst.len())
                .finish(),
            Memories::One(mem) => f.debug_tuple("One").field(&mem.len()).finish(),
        }
    }
}

impl Memories<'_> {
    fn src(&self) -> &[u8] {
        match self {
            Memories::Two { src, .. } => src,
            Memories::One(mem) => mem,
        }
    }

    fn dst_len(&self) -> usize {
        match self {
            Memories::Two { dst, .. } => dst.len(),
            Memories::One(mem) => mem.len(),
        }
    }

    /// Copies `src` (a checked source range) to `dst` (a checked destination
    /// range of the same length).
    fn copy(&mut self, src: Range<usize>, dst: Range<usize>) {
        match self {
            Memories::Two { src: s, dst: d } => d[dst].copy_from_slice(&s[src]),
            Memories::One(mem) => mem.copy_within(src, dst.start),
        }
    }

    /// Writes the low byte of every little-endian code unit of `src` (a
    /// checked source range of even length) to `dst` (a checked destination
    /// range of half its length).
    fn narrow(&mut self, src: Range<usize>, dst: Range<usize>) {
        match self {
            Memories::Two { src: s, dst: d } => narrow_into(&s[src], &mut d[dst]),
            Memories::One(mem) => {
                if src.end <= dst.start || dst.end <= src.start {
                    let (s, d) = disjoint(mem, src, dst);
                    narrow_into(s, d);
                } else {
                    // Overlapping ranges within one memory: read everything
                    // first. Only hostile or broken guests get here.
                    let bytes: Vec<u8> = mem[src].iter().step_by(2).copied().collect();
                    mem[dst].copy_from_slice(&bytes);
                }
            }
        }
    }
}

/// Splits one memory into a shared source and a mutable destination; the
/// ranges must not overlap.
fn disjoint(mem: &mut [u8], src: Range<usize>, dst: Range<usize>) -> (&[u8], &mut [u8]) {
    if src.start < dst.start {
        let (lo, hi) = mem.split_at_mut(dst.start);
        (&lo[src], &mut hi[..dst.len()])
    } else {
        let (lo, hi) = mem.split_at_mut(src.start);
        (&hi[..src.len()], &mut lo[dst])
    }
}

fn narrow_into(src: &[u8], dst: &mut [u8]) {
    for (d, unit) in dst.iter_mut().zip(src.chunks_exact(2)) {
        *d = unit[0];
    }
}

/// The byte range `[ptr, ptr + len)` of a memory of `mem_len` bytes, or
/// [`Trap::OutOfBounds`] if it does not lie within it (including when
/// `ptr + len` overflows).
fn range(mem_len: usize, ptr: u64, len: u64) -> Result<Range<usize>, Trap> {
    let end = ptr.checked_add(len).ok_or(Trap::OutOfBounds)?;
    if end > mem_len as u64 {
        return Err(Trap::OutOfBounds);
    }
    // Both fit in `usize`: they are at most `mem_len`.
    Ok(ptr as usize..end as usize)
}

/// Byte length of `units` UTF-16 code units; an overflow can only describe a
/// range out of bounds.
fn utf16_bytes(units: u64) -> Result<u64, Trap> {
    units.checked_mul(2).ok_or(Trap::OutOfBounds)
}

fn aligned2(ptr: u64) -> Result<(), Trap> {
    if ptr & 1 == 0 {
        Ok(())
    } else {
        Err(Trap::Misaligned)
    }
}

/// The byte range of the source memory that `op` reads for `(src, len)`,
/// after the alignment and bounds checks (steps 1 and 2 of the
/// [checks](super#checks)).
///
/// Engines that cannot lend two memories at once (the Wasmtime glue is one)
/// copy these bytes into a buffer and call the intrinsic with that buffer as
/// the source memory and `src = 0`, which is aligned and in bounds.
pub fn source_range(
    op: Transcode,
    mem_len: usize,
    src: u64,
    len: u64,
) -> Result<Range<usize>, Trap> {
    match op {
        Transcode::CopyUtf8 => range(mem_len, src, len),
        Transcode::CopyUtf16 | Transcode::Utf16ToCompact => {
            aligned2(src)?;
            range(mem_len, src, utf16_bytes(len)?)
        }
    }
}

/// Checks that `bytes` is UTF-8.
pub fn validate_utf8(bytes: &[u8]) -> Result<(), Trap> {
    match core::str::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(_) => Err(Trap::InvalidUtf8),
    }
}

/// Code units checked at once by the surrogate-free fast path of
/// [`validate_utf16`].
const BLOCK: usize = 16;

/// Checks that `bytes` (little-endian code units; an odd trailing byte is
/// ignored) is UTF-16, that is that every surrogate is paired. Returns
/// whether every code unit is below 256 (the string is Latin-1).
pub fn validate_utf16(bytes: &[u8]) -> Result<bool, Trap> {
    let unit = |i: usize| u16::from_le_bytes([bytes[2 * i], bytes[2 * i + 1]]);
    let n = bytes.len() / 2;
    // The bitwise OR of every code unit: the string is Latin-1 iff it is
    // below 256.
    let mut all = 0u16;
    let mut i = 0;
    while i < n {
        if i + BLOCK <= n {
            // Fast path: a block without surrogates needs no pairing. This
            // branch-free loop vectorizes.
            let block = &bytes[2 * i..2 * (i + BLOCK)];
            let (mut or, mut surrogates) = (0u16, 0u16);
            for pair in block.chunks_exact(2) {
                let u = u16::from_le_bytes([pair[0], pair[1]]);
                or |= u;
                surrogates |= u16::from(u & 0xf800 == 0xd800);
            }
            if surrogates == 0 {
                all |= or;
                i += BLOCK;
                continue;
            }
        }
        let u = unit(i);
        all |= u;
        match u {
            0xd800..=0xdbff => {
                if i + 1 < n && matches!(unit(i + 1), 0xdc00..=0xdfff) {
                    i += 2;
                } else {
                    return Err(Trap::InvalidUtf16);
                }
            }
            0xdc00..=0xdfff => return Err(Trap::InvalidUtf16),
            _ => i += 1,
        }
    }
    Ok(all < 256)
}

fn copy_utf8_in(mems: &mut Memories<'_>, src: u64, len: u64, dst: u64) -> Result<(), Trap> {
    let src = source_range(Transcode::CopyUtf8, mems.src().len(), src, len)?;
    validate_utf8(&mems.src()[src.clone()])?;
    let dst = range(mems.dst_len(), dst, len)?;
    mems.copy(src, dst);
    Ok(())
}

fn copy_utf16_in(mems: &mut Memories<'_>, src: u64, len: u64, dst: u64) -> Result<(), Trap> {
    let src = source_range(Transcode::CopyUtf16, mems.src().len(), src, len)?;
    validate_utf16(&mems.src()[src.clone()])?;
    aligned2(dst)?;
    let dst = range(mems.dst_len(), dst, src.len() as u64)?;
    mems.copy(src, dst);
    Ok(())
}

fn utf16_to_compact_in(
    mems: &mut Memories<'_>,
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let src = source_range(Transcode::Utf16ToCompact, mems.src().len(), src, len)?;
    let latin1 = validate_utf16(&mems.src()[src.clone()])?;
    aligned2(dst)?;
    let dst = range(mems.dst_len(), dst, src.len() as u64)?;
    let tag = utf16_tag(dst_memory64);
    if len >= tag {
        // The tag bit would be ambiguous. Unreachable for lengths the
        // adapter checked against the spec's maximum string length.
        return Err(Trap::StringTooLong);
    }
    if latin1 {
        mems.narrow(src, dst.start..dst.start + len as usize);
        Ok(len)
    } else {
        mems.copy(src, dst);
        Ok(len | tag)
    }
}

/// `copy-utf8 (src, len, dst) -> ()`: checks that the `len` bytes at `src` in
/// `src_mem` are UTF-8 and copies them to `dst` in `dst_mem`.
///
/// # Errors
///
/// [`Trap::OutOfBounds`] if either range leaves its memory,
/// [`Trap::InvalidUtf8`] if the bytes are not UTF-8.
///
/// # Example
///
/// ```
/// use fact_core::{host, Trap};
///
/// let src = b"..h\xc3\xa9llo";
/// let mut dst = [0u8; 8];
/// host::copy_utf8(src, 2, 6, &mut dst, 1)?;
/// assert_eq!(&dst[1..7], "héllo".as_bytes());
///
/// assert_eq!(host::copy_utf8(b"\xff", 0, 1, &mut dst, 0), Err(Trap::InvalidUtf8));
/// assert_eq!(host::copy_utf8(src, 2, 6, &mut dst, 3), Err(Trap::OutOfBounds));
/// # Ok::<(), Trap>(())
/// ```
pub fn copy_utf8(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
) -> Result<(), Trap> {
    copy_utf8_in(
        &mut Memories::Two {
            src: src_mem,
            dst: dst_mem,
        },
        src,
        len,
        dst,
    )
}

/// [`copy_utf8`] within one memory; overlapping ranges are allowed.
pub fn copy_utf8_within(mem: &mut [u8], src: u64, len: u64, dst: u64) -> Result<(), Trap> {
    copy_utf8_in(&mut Memories::One(mem), src, len, dst)
}

/// `copy-utf16 (src, len, dst) -> ()`: checks that the `len` little-endian
/// UTF-16 code units (`2 * len` bytes) at `src` in `src_mem` have no unpaired
/// surrogate and copies them to `dst` in `dst_mem`.
///
/// # Errors
///
/// [`Trap::Misaligned`] if `src` or `dst` is odd, [`Trap::OutOfBounds`] if
/// either range leaves its memory (or `2 * len` overflows),
/// [`Trap::InvalidUtf16`] on an unpaired surrogate.
pub fn copy_utf16(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
) -> Result<(), Trap> {
    copy_utf16_in(
        &mut Memories::Two {
            src: src_mem,
            dst: dst_mem,
        },
        src,
        len,
        dst,
    )
}

/// [`copy_utf16`] within one memory; overlapping ranges are allowed.
pub fn copy_utf16_within(mem: &mut [u8], src: u64, len: u64, dst: u64) -> Result<(), Trap> {
    copy_utf16_in(&mut Memories::One(mem), src, len, dst)
}

/// `utf16-to-compact (src, len, dst) -> tagged_len`: checks the `len` UTF-16
/// code units at `src` like [`copy_utf16`]; if every code unit is below 256,
/// writes them to `dst` as `len` Latin-1 bytes and returns `len`, otherwise
/// copies the `2 * len` bytes of UTF-16 to `dst` and returns `len |`
/// [`utf16_tag`]`(dst_memory64)`.
///
/// The destination must hold `2 * len` bytes (and be 2-aligned) in both
/// cases: that is what the adapter allocated before it knew which case
/// applies.
///
/// # Errors
///
/// As [`copy_utf16`], and [`Trap::StringTooLong`] if `len` has the tag bit
/// set (adapters check string lengths before calling, so they never see it).
///
/// # Example
///
/// ```
/// use fact_core::host;
///
/// let src: Vec<u8> = "hé€".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// let mut dst = [0u8; 6];
/// // '€' is U+20AC: not Latin-1, so the string stays UTF-16 and is tagged.
/// assert_eq!(host::utf16_to_compact(&src, 0, 3, &mut dst, 0, false)?, 3 | 1 << 31);
/// assert_eq!(&dst[..], &src[..]);
/// // "hé" is Latin-1.
/// assert_eq!(host::utf16_to_compact(&src, 0, 2, &mut dst, 0, true)?, 2);
/// assert_eq!(&dst[..2], b"h\xe9");
/// # Ok::<(), fact_core::Trap>(())
/// ```
pub fn utf16_to_compact(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    utf16_to_compact_in(
        &mut Memories::Two {
            src: src_mem,
            dst: dst_mem,
        },
        src,
        len,
        dst,
        dst_memory64,
    )
}

/// [`utf16_to_compact`] within one memory; overlapping ranges are allowed.
pub fn utf16_to_compact_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    utf16_to_compact_in(&mut Memories::One(mem), src, len, dst, dst_memory64)
}

/// Runs the intrinsic `op` with arguments `(src, len, dst)`.
///
/// Returns the intrinsic's result for [`Transcode::Utf16ToCompact`] (the
/// tagged length), `None` for the others. `dst_memory64` selects the UTF-16
/// tag and is ignored by the other intrinsics.
pub fn transcode(
    op: Transcode,
    mut mems: Memories<'_>,
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<Option<u64>, Trap> {
    let mems = &mut mems;
    match op {
        Transcode::CopyUtf8 => copy_utf8_in(mems, src, len, dst).map(|()| None),
        Transcode::CopyUtf16 => copy_utf16_in(mems, src, len, dst).map(|()| None),
        Transcode::Utf16ToCompact => {
            utf16_to_compact_in(mems, src, len, dst, dst_memory64).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn units(u: &[u16]) -> Vec<u8> {
        u.iter().flat_map(|u| u.to_le_bytes()).collect()
    }

    /// Runs `copy_utf8` from a memory holding `bytes` at 0 into a fresh
    /// memory of the same size, returning it.
    fn utf8(bytes: &[u8]) -> Result<Vec<u8>, Trap> {
        let mut dst = vec![0; bytes.len()];
        copy_utf8(bytes, 0, bytes.len() as u64, &mut dst, 0).map(|()| dst)
    }

    #[test]
    fn copy_utf8_copies_valid_strings() {
        for s in [
            "",
            "hello",
            "héllo wörld",
            "日本語",
            "😀 astral 𝄞",
            "\0\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
        ] {
            assert_eq!(utf8(s.as_bytes()).unwrap(), s.as_bytes(), "{s:?}");
        }
    }

    #[test]
    fn copy_utf8_writes_only_the_destination_range() {
        let mut dst = [0xaa; 8];
        copy_utf8(b"xxabcxx", 2, 3, &mut dst, 4).unwrap();
        assert_eq!(dst, [0xaa, 0xaa, 0xaa, 0xaa, b'a', b'b', b'c', 0xaa]);
    }

    #[test]
    fn copy_utf8_rejects_every_invalid_class() {
        let cases: &[(&str, &[u8])] = &[
            ("lone continuation byte", b"a\x80b"),
            ("bad lead byte 0xff", b"\xff"),
            ("bad lead byte 0xf8", b"\xf8\x88\x80\x80\x80"),
            ("bad lead byte 0xc0", b"\xc0\x80"),
            ("truncated 2-byte", b"\xc3"),
            ("truncated 3-byte", b"\xe6\x97"),
            ("truncated 4-byte", b"\xf0\x9f\x98"),
            ("truncated then ascii", b"\xe6\x97a"),
            ("overlong 2-byte", b"\xc1\xbf"),
            ("overlong 3-byte", b"\xe0\x80\xaf"),
            ("overlong 4-byte", b"\xf0\x80\x80\xaf"),
            ("surrogate U+D800", b"\xed\xa0\x80"),
            ("surrogate U+DFFF", b"\xed\xbf\xbf"),
            ("surrogate pair as CESU-8", b"\xed\xa0\xbd\xed\xb8\x80"),
            ("above U+10FFFF", b"\xf4\x90\x80\x80"),
            ("lead byte 0xf5", b"\xf5\x80\x80\x80"),
        ];
        for (what, bytes) in cases {
            assert_eq!(utf8(bytes), Err(Trap::InvalidUtf8), "{what}");
        }
    }

    #[test]
    fn copy_utf8_checks_only_the_given_range() {
        // The invalid byte lies outside the range.
        let mut dst = [0; 2];
        copy_utf8(b"ok\xff", 0, 2, &mut dst, 0).unwrap();
        // A range that cuts a character in two is invalid.
        let s = "é".as_bytes();
        assert_eq!(copy_utf8(s, 0, 1, &mut dst, 0), Err(Trap::InvalidUtf8));
    }

    #[test]
    fn copy_utf8_checks_source_bounds() {
        let mut dst = [0; 16];
        let src = b"abcd";
        assert_eq!(copy_utf8(src, 0, 5, &mut dst, 0), Err(Trap::OutOfBounds));
        assert_eq!(copy_utf8(src, 4, 1, &mut dst, 0), Err(Trap::OutOfBounds));
        assert_eq!(copy_utf8(src, 5, 0, &mut dst, 0), Err(Trap::OutOfBounds));
        assert_eq!(
            copy_utf8(src, 1, u64::MAX, &mut dst, 0),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(
            copy_utf8(src, u64::MAX, 2, &mut dst, 0),
            Err(Trap::OutOfBounds)
        );
        // Empty ranges at the very end are in bounds.
        copy_utf8(src, 4, 0, &mut dst, 16).unwrap();
    }

    #[test]
    fn copy_utf8_checks_destination_bounds() {
        let mut dst = [0; 4];
        assert_eq!(copy_utf8(b"abc", 0, 3, &mut dst, 2), Err(Trap::OutOfBounds));
        assert_eq!(
            copy_utf8(b"abc", 0, 3, &mut dst, u64::MAX - 1),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(copy_utf8(b"", 0, 0, &mut dst, 5), Err(Trap::OutOfBounds));
        assert_eq!(dst, [0; 4], "nothing written");
    }

    #[test]
    fn copy_utf8_validates_before_checking_the_destination() {
        let mut dst = [0; 1];
        assert_eq!(
            copy_utf8(b"\xff", 0, 1, &mut dst, 9),
            Err(Trap::InvalidUtf8)
        );
    }

    #[test]
    fn copy_utf8_within_handles_overlap() {
        let mut mem = *b"abcdef..";
        copy_utf8_within(&mut mem, 0, 6, 2).unwrap();
        assert_eq!(&mem, b"ababcdef");
        let mut mem = *b"..abcdef";
        copy_utf8_within(&mut mem, 2, 6, 0).unwrap();
        assert_eq!(&mem, b"abcdefef");
        let mut mem = *b"\xffbc";
        assert_eq!(copy_utf8_within(&mut mem, 0, 3, 0), Err(Trap::InvalidUtf8));
        assert_eq!(copy_utf8_within(&mut mem, 1, 2, 2), Err(Trap::OutOfBounds));
    }

    #[test]
    fn copy_utf16_copies_valid_strings() {
        for s in [
            "",
            "hello",
            "héllo",
            "日本語",
            "😀",
            "a😀b𝄞c",
            &"x😀".repeat(40),
        ] {
            let src = utf16(s);
            let len = src.len() as u64 / 2;
            let mut dst = vec![0; src.len() + 2];
            copy_utf16(&src, 0, len, &mut dst, 2).unwrap();
            assert_eq!(&dst[2..], &src[..], "{s:?}");
        }
    }

    #[test]
    fn copy_utf16_rejects_unpaired_surrogates() {
        let cases: &[(&str, &[u16])] = &[
            ("lone high", &[0xd800]),
            ("lone low", &[0xdc00]),
            ("high at end", &[0x61, 0xdbff]),
            ("high then bmp", &[0xd83d, 0x61]),
            ("high then high", &[0xd83d, 0xd83d, 0xde00]),
            ("low then high", &[0xde00, 0xd83d]),
            ("low after pair", &[0xd83d, 0xde00, 0xde00]),
        ];
        for (what, u) in cases {
            let src = units(u);
            let mut dst = vec![0; src.len()];
            let len = u.len() as u64;
            assert_eq!(
                copy_utf16(&src, 0, len, &mut dst, 0),
                Err(Trap::InvalidUtf16),
                "{what}"
            );
            // The same, found by the block fast path's fallback.
            let mut long: Vec<u16> = vec![0x61; 37];
            long.extend_from_slice(u);
            long.extend(vec![0x62; 40]);
            let src = units(&long);
            let mut dst = vec![0; src.len()];
            let len = long.len() as u64;
            assert_eq!(
                copy_utf16(&src, 0, len, &mut dst, 0),
                Err(Trap::InvalidUtf16),
                "{what} (long)"
            );
        }
    }

    #[test]
    fn copy_utf16_range_cutting_a_pair_is_invalid() {
        let src = utf16("😀");
        let mut dst = [0; 4];
        assert_eq!(copy_utf16(&src, 0, 1, &mut dst, 0), Err(Trap::InvalidUtf16));
        assert_eq!(copy_utf16(&src, 2, 1, &mut dst, 0), Err(Trap::InvalidUtf16));
    }

    #[test]
    fn copy_utf16_pairs_across_a_block_boundary() {
        for before in 0..2 * BLOCK {
            let s = format!("{}😀{}", "a".repeat(before), "b".repeat(BLOCK));
            let src = utf16(&s);
            let mut dst = vec![0; src.len()];
            copy_utf16(&src, 0, src.len() as u64 / 2, &mut dst, 0).unwrap();
            assert_eq!(dst, src);
        }
    }

    #[test]
    fn copy_utf16_checks_alignment() {
        let src = utf16("..ab");
        let mut dst = [0; 8];
        assert_eq!(copy_utf16(&src, 1, 1, &mut dst, 0), Err(Trap::Misaligned));
        assert_eq!(copy_utf16(&src, 4, 2, &mut dst, 1), Err(Trap::Misaligned));
        // Alignment is checked before bounds.
        assert_eq!(copy_utf16(&src, 101, 1, &mut dst, 0), Err(Trap::Misaligned));
        copy_utf16(&src, 4, 2, &mut dst, 2).unwrap();
        assert_eq!(&dst[2..6], &src[4..]);
    }

    #[test]
    fn copy_utf16_checks_bounds() {
        let src = utf16("abcd");
        let mut dst = [0; 6];
        assert_eq!(copy_utf16(&src, 0, 5, &mut dst, 0), Err(Trap::OutOfBounds));
        assert_eq!(copy_utf16(&src, 8, 1, &mut dst, 0), Err(Trap::OutOfBounds));
        assert_eq!(
            copy_utf16(&src, 0, u64::MAX / 2 + 1, &mut dst, 0),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(
            copy_utf16(&src, 2, u64::MAX / 2, &mut dst, 0),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(
            copy_utf16(&src, u64::MAX - 1, 1, &mut dst, 0),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(copy_utf16(&src, 0, 4, &mut dst, 0), Err(Trap::OutOfBounds));
        assert_eq!(copy_utf16(&src, 0, 2, &mut dst, 4), Err(Trap::OutOfBounds));
        assert_eq!(
            copy_utf16(&src, 0, 1, &mut dst, u64::MAX - 1),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(dst, [0; 6], "nothing written");
        copy_utf16(&src, 0, 3, &mut dst, 0).unwrap();
    }

    #[test]
    fn copy_utf16_within_handles_overlap() {
        let mut mem = utf16("abc.");
        copy_utf16_within(&mut mem, 0, 3, 2).unwrap();
        assert_eq!(mem, utf16("aabc"));
        let mut mem = utf16(".abc");
        copy_utf16_within(&mut mem, 2, 3, 0).unwrap();
        assert_eq!(mem, utf16("abcc"));
        let mut mem = units(&[0xd800, 0]);
        assert_eq!(
            copy_utf16_within(&mut mem, 0, 1, 2),
            Err(Trap::InvalidUtf16)
        );
        assert_eq!(copy_utf16_within(&mut mem, 2, 1, 3), Err(Trap::Misaligned));
    }

    #[test]
    fn utf16_to_compact_narrows_latin1() {
        for s in ["", "hello", "héllo ÿ", &"\u{ff}\u{0}".repeat(30)] {
            let src = utf16(s);
            let len = src.len() as u64 / 2;
            let mut dst = vec![0xaa; src.len()];
            assert_eq!(utf16_to_compact(&src, 0, len, &mut dst, 0, false), Ok(len));
            let latin1: Vec<u8> = s.chars().map(|c| c as u8).collect();
            assert_eq!(&dst[..len as usize], &latin1[..], "{s:?}");
            assert!(
                dst[len as usize..].iter().all(|&b| b == 0xaa),
                "rest untouched"
            );
        }
    }

    #[test]
    fn utf16_to_compact_keeps_utf16_and_tags_it() {
        for s in ["Ā", "hé€", "😀", &format!("{}€", "ÿ".repeat(40))] {
            let src = utf16(s);
            let len = src.len() as u64 / 2;
            let mut dst = vec![0; src.len()];
            assert_eq!(
                utf16_to_compact(&src, 0, len, &mut dst, 0, false),
                Ok(len | 1 << 31)
            );
            assert_eq!(dst, src, "{s:?}");
            assert_eq!(
                utf16_to_compact(&src, 0, len, &mut dst, 0, true),
                Ok(len | 1 << 63)
            );
        }
        assert_eq!(utf16_tag(false), 0x8000_0000);
        assert_eq!(utf16_tag(true), 0x8000_0000_0000_0000);
    }

    #[test]
    fn utf16_to_compact_checks_like_copy_utf16() {
        let src = units(&[0x61, 0xd800]);
        let mut dst = [0; 4];
        assert_eq!(
            utf16_to_compact(&src, 0, 2, &mut dst, 0, false),
            Err(Trap::InvalidUtf16)
        );
        assert_eq!(
            utf16_to_compact(&src, 1, 1, &mut dst, 0, false),
            Err(Trap::Misaligned)
        );
        assert_eq!(
            utf16_to_compact(&src, 0, 1, &mut dst, 1, false),
            Err(Trap::Misaligned)
        );
        assert_eq!(
            utf16_to_compact(&src, 2, 2, &mut dst, 0, false),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(
            utf16_to_compact(&src, 0, u64::MAX / 2 + 1, &mut dst, 0, false),
            Err(Trap::OutOfBounds)
        );
        // The destination must hold 2 * len bytes even for Latin-1.
        assert_eq!(
            utf16_to_compact(&src, 0, 1, &mut dst, 4, true),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(utf16_to_compact(&src, 0, 1, &mut dst, 2, true), Ok(1));
        assert_eq!(dst, [0, 0, 0x61, 0]);
    }

    #[test]
    fn utf16_to_compact_within_handles_overlap() {
        // Latin-1, destination before, on and after the source.
        for dst in [0u64, 2, 4, 6] {
            let mut mem = vec![0u8; 2];
            mem.extend(utf16("abcd"));
            mem.extend([0; 8]);
            assert_eq!(utf16_to_compact_within(&mut mem, 2, 4, dst, false), Ok(4));
            assert_eq!(&mem[dst as usize..dst as usize + 4], b"abcd", "dst {dst}");
        }
        // UTF-16 overlapping.
        let mut mem = utf16("a€..");
        assert_eq!(
            utf16_to_compact_within(&mut mem, 0, 2, 2, false),
            Ok(2 | 1 << 31)
        );
        assert_eq!(mem, utf16("aa€."));
        // Disjoint, destination first.
        let mut mem = vec![0u8; 4];
        mem.extend(utf16("hi"));
        assert_eq!(utf16_to_compact_within(&mut mem, 4, 2, 0, true), Ok(2));
        assert_eq!(&mem[..2], b"hi");
    }

    #[test]
    fn transcode_dispatches() {
        let src = utf16("hi");
        let mut dst = [0; 4];
        let mems = Memories::Two {
            src: &src,
            dst: &mut dst,
        };
        assert_eq!(
            transcode(Transcode::Utf16ToCompact, mems, 0, 2, 0, false),
            Ok(Some(2))
        );
        assert_eq!(&dst[..2], b"hi");
        let mems = Memories::Two {
            src: &src,
            dst: &mut dst,
        };
        assert_eq!(
            transcode(Transcode::CopyUtf16, mems, 0, 2, 0, false),
            Ok(None)
        );
        assert_eq!(dst[..], src[..]);
        let mut mem = *b"ab..";
        assert_eq!(
            transcode(Transcode::CopyUtf8, Memories::One(&mut mem), 0, 2, 2, false),
            Ok(None)
        );
        assert_eq!(&mem, b"abab");
    }

    #[test]
    fn source_range_checks_alignment_then_bounds() {
        assert_eq!(source_range(Transcode::CopyUtf8, 10, 3, 7), Ok(3..10));
        assert_eq!(
            source_range(Transcode::CopyUtf8, 10, 3, 8),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(source_range(Transcode::CopyUtf16, 10, 2, 4), Ok(2..10));
        assert_eq!(
            source_range(Transcode::Utf16ToCompact, 10, 3, 1),
            Err(Trap::Misaligned)
        );
        assert_eq!(
            source_range(Transcode::CopyUtf16, 10, 4, 4),
            Err(Trap::OutOfBounds)
        );
    }
}
