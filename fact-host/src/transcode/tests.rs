//! Tests of the string intrinsics: results, every trap and the order of the
//! checks, overlapping ranges within one memory.

use super::*;
use crate::unicode::BLOCK;

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn units(u: &[u16]) -> Vec<u8> {
    u.iter().flat_map(|u| u.to_le_bytes()).collect()
}

/// One byte string of each class of ill-formed UTF-8.
const INVALID_UTF8: &[(&str, &[u8])] = &[
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

/// One code-unit string of each class of unpaired surrogate.
const UNPAIRED_SURROGATES: &[(&str, &[u16])] = &[
    ("lone high", &[0xd800]),
    ("lone low", &[0xdc00]),
    ("high at end", &[0x61, 0xdbff]),
    ("high then bmp", &[0xd83d, 0x61]),
    ("high then high", &[0xd83d, 0xd83d, 0xde00]),
    ("low then high", &[0xde00, 0xd83d]),
    ("low after pair", &[0xd83d, 0xde00, 0xde00]),
];

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
    let cases = INVALID_UTF8;
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
    let cases = UNPAIRED_SURROGATES;
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

// The intrinsics added for transcoding between encodings.

/// Strings of every kind: empty, ASCII, Latin-1, BMP, astral, and long
/// enough to take the block fast paths.
const STRINGS: &[&str] = &[
    "",
    "hello",
    "héllo wörld ÿ",
    "日本語",
    "😀 astral 𝄞",
    "\0\u{7f}\u{80}\u{ff}\u{100}\u{7ff}\u{800}\u{ffff}\u{10000}\u{10ffff}",
    "The quick brown fox jumps over the lazy dog, twice over: the quick brown fox.",
    "Größenwahn, Straße, Ärger und Öl: schön übel, ça va, où est-ce, l'été.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю; 😀😀😀 fin.",
];

/// `s` in Latin-1, if it is Latin-1.
fn latin1(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(c).ok()).collect()
}

/// Runs `op` between two memories: `src_mem` and a fresh destination of
/// `dst_len` bytes filled with 0xaa. Returns the result and the destination.
fn run(
    op: Transcode,
    src_mem: &[u8],
    (src, len): (u64, u64),
    dst_len: usize,
    dst: u64,
) -> (Result<Option<u64>, Trap>, Vec<u8>) {
    let mut dst_mem = vec![0xaa; dst_len];
    let mems = Memories::Two {
        src: src_mem,
        dst: &mut dst_mem,
    };
    (transcode(op, mems, src, len, dst, false), dst_mem)
}

#[test]
fn latin1_to_utf16_widens_every_byte() {
    let src: Vec<u8> = (0..=255).collect();
    let mut dst = vec![0xaa; 2 + 512 + 2];
    latin1_to_utf16(&src, 0, 256, &mut dst, 2).unwrap();
    let s: String = src.iter().map(|&b| char::from(b)).collect();
    assert_eq!(&dst[2..514], &utf16(&s)[..]);
    assert_eq!([dst[0], dst[1], dst[514], dst[515]], [0xaa; 4]);
    for s in STRINGS.iter().filter_map(|s| latin1(s)) {
        let mut dst = vec![0; 2 * s.len()];
        latin1_to_utf16(&s, 0, s.len() as u64, &mut dst, 0).unwrap();
        let expected: Vec<u8> = s.iter().flat_map(|&b| [b, 0]).collect();
        assert_eq!(dst, expected);
    }
}

#[test]
fn latin1_to_utf16_checks_alignment_and_bounds() {
    let src = b"abcd";
    let mut dst = [0; 8];
    assert_eq!(
        latin1_to_utf16(src, 0, 2, &mut dst, 1),
        Err(Trap::Misaligned)
    );
    // The source has no alignment.
    latin1_to_utf16(src, 1, 2, &mut dst, 0).unwrap();
    assert_eq!(&dst[..4], b"b\0c\0");
    let mut dst = [0; 8];
    assert_eq!(
        latin1_to_utf16(src, 1, 4, &mut dst, 0),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(
        latin1_to_utf16(src, u64::MAX, 1, &mut dst, 0),
        Err(Trap::OutOfBounds)
    );
    // The destination holds 2 * len bytes.
    assert_eq!(
        latin1_to_utf16(src, 0, 4, &mut dst, 2),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(
        latin1_to_utf16(src, 0, 1, &mut dst, u64::MAX - 1),
        Err(Trap::OutOfBounds)
    );
    // Misaligned is reported before out of bounds.
    assert_eq!(
        latin1_to_utf16(src, 0, 4, &mut dst, 3),
        Err(Trap::Misaligned)
    );
    assert_eq!(dst, [0; 8], "nothing written");
    latin1_to_utf16(src, 0, 4, &mut dst, 0).unwrap();
    latin1_to_utf16(src, 4, 0, &mut dst, 8).unwrap();
}

#[test]
fn utf8_to_utf16_transcodes_and_counts_code_units() {
    for s in STRINGS {
        let expected = utf16(s);
        let len = s.len() as u64;
        let mut dst = vec![0xaa; 2 * s.len()];
        let units = utf8_to_utf16(s.as_bytes(), 0, len, &mut dst, 0, false).unwrap();
        assert_eq!(units, expected.len() as u64 / 2, "{s:?}");
        assert_eq!(&dst[..expected.len()], &expected[..], "{s:?}");
        assert!(dst[expected.len()..].iter().all(|&b| b == 0xaa), "{s:?}");
        let mut dst = vec![0xaa; 2 * s.len()];
        assert_eq!(
            utf8_to_utf16(s.as_bytes(), 0, len, &mut dst, 0, true),
            Ok(units)
        );
    }
}

#[test]
fn utf8_to_utf16_rejects_every_invalid_class() {
    for (what, bytes) in INVALID_UTF8 {
        let mut src = b"ok ".to_vec();
        src.extend_from_slice(bytes);
        let len = src.len() as u64;
        let mut dst = vec![0xaa; 2 * src.len()];
        assert_eq!(
            utf8_to_utf16(&src, 0, len, &mut dst, 0, false),
            Err(Trap::InvalidUtf8),
            "{what}"
        );
        assert!(dst.iter().all(|&b| b == 0xaa), "nothing written: {what}");
    }
}

#[test]
fn utf8_to_utf16_checks_the_worst_case_destination() {
    // "€" is 3 bytes and 1 code unit, but the adapter allocated 6 bytes.
    let src = "€".as_bytes();
    let (result, _) = run(Transcode::Utf8ToUtf16, src, (0, 3), 5, 0);
    assert_eq!(result, Err(Trap::OutOfBounds));
    let (result, dst) = run(Transcode::Utf8ToUtf16, src, (0, 3), 6, 0);
    assert_eq!(result, Ok(Some(1)));
    assert_eq!(dst, [0xac, 0x20, 0xaa, 0xaa, 0xaa, 0xaa]);
    // Order: contents, then destination alignment, then bounds.
    let (result, _) = run(Transcode::Utf8ToUtf16, b"\xff", (0, 1), 0, 1);
    assert_eq!(result, Err(Trap::InvalidUtf8));
    let (result, _) = run(Transcode::Utf8ToUtf16, b"a", (0, 1), 0, 1);
    assert_eq!(result, Err(Trap::Misaligned));
    let (result, _) = run(Transcode::Utf8ToUtf16, b"a", (0, 1), 2, 2);
    assert_eq!(result, Err(Trap::OutOfBounds));
    let (result, _) = run(Transcode::Utf8ToUtf16, b"a", (0, 1), 2, u64::MAX - 1);
    assert_eq!(result, Err(Trap::OutOfBounds));
    let (result, _) = run(Transcode::Utf8ToUtf16, b"a", (1, u64::MAX), 2, 0);
    assert_eq!(result, Err(Trap::OutOfBounds));
}

#[test]
fn utf16_ascii_prefix_copies_up_to_the_first_non_ascii_unit() {
    for s in STRINGS {
        let src = utf16(s);
        let len = src.len() as u64 / 2;
        let ascii: Vec<u8> = s
            .chars()
            .map_while(|c| u8::try_from(c).ok().filter(u8::is_ascii))
            .collect();
        let mut dst = vec![0xaa; len as usize + 1];
        let n = utf16_ascii_prefix(&src, 0, len, &mut dst, 1, false).unwrap();
        assert_eq!(n, ascii.len() as u64, "{s:?}");
        assert_eq!(&dst[1..=ascii.len()], &ascii[..], "{s:?}");
        assert!(dst[ascii.len() + 1..].iter().all(|&b| b == 0xaa), "{s:?}");
    }
    let mut dst = [0; 3];
    let src = units(&[0x61, 0x7f, 0x80]);
    assert_eq!(utf16_ascii_prefix(&src, 0, 3, &mut dst, 0, true), Ok(2));
    assert_eq!(dst, [0x61, 0x7f, 0]);
}

#[test]
fn utf16_ascii_prefix_validates_the_whole_string_first() {
    for (what, u) in UNPAIRED_SURROGATES {
        // ASCII, then a non-ASCII code unit, then the invalid part.
        let mut all = vec![0x61, 0x62, 0xe9];
        all.extend_from_slice(u);
        let src = units(&all);
        let len = all.len() as u64;
        let mut dst = vec![0xaa; all.len()];
        assert_eq!(
            utf16_ascii_prefix(&src, 0, len, &mut dst, 0, false),
            Err(Trap::InvalidUtf16),
            "{what}"
        );
        assert!(dst.iter().all(|&b| b == 0xaa), "nothing written: {what}");
    }
}

#[test]
fn utf16_ascii_prefix_checks_alignment_and_bounds() {
    let src = utf16("abcd");
    let mut dst = [0; 4];
    assert_eq!(
        utf16_ascii_prefix(&src, 1, 1, &mut dst, 0, false),
        Err(Trap::Misaligned)
    );
    assert_eq!(
        utf16_ascii_prefix(&src, 2, 4, &mut dst, 0, false),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(
        utf16_ascii_prefix(&src, 0, u64::MAX / 2 + 1, &mut dst, 0, false),
        Err(Trap::OutOfBounds)
    );
    // The destination is `len` bytes, with no alignment.
    assert_eq!(
        utf16_ascii_prefix(&src, 0, 4, &mut dst, 1, false),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(dst, [0; 4], "nothing written");
    assert_eq!(utf16_ascii_prefix(&src, 0, 3, &mut dst, 1, false), Ok(3));
    assert_eq!(dst, *b"\0abc");
}

#[test]
fn latin1_ascii_prefix_copies_up_to_the_first_non_ascii_byte() {
    let mut src = b"x".repeat(40);
    src.extend_from_slice(b"\xe9abc");
    for start in [0usize, 1, 17, 39, 40, 41] {
        let len = (src.len() - start) as u64;
        let mut dst = vec![0xaa; src.len()];
        let n = latin1_ascii_prefix(&src, start as u64, len, &mut dst, 0, false).unwrap();
        let expected = 40usize.saturating_sub(start) as u64;
        assert_eq!(n, if start == 41 { 3 } else { expected }, "start {start}");
        assert!(dst[n as usize..].iter().all(|&b| b == 0xaa));
    }
    let mut dst = [0; 4];
    assert_eq!(latin1_ascii_prefix(b"abcd", 0, 4, &mut dst, 0, true), Ok(4));
    assert_eq!(&dst, b"abcd");
    assert_eq!(latin1_ascii_prefix(b"", 0, 0, &mut dst, 4, true), Ok(0));
    assert_eq!(
        latin1_ascii_prefix(b"abcd", 0, 4, &mut dst, 1, true),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(
        latin1_ascii_prefix(b"abcd", 2, 3, &mut dst, 0, true),
        Err(Trap::OutOfBounds)
    );
}

#[test]
fn utf16_to_utf8_transcodes_and_counts_bytes() {
    for s in STRINGS {
        let src = utf16(s);
        let len = src.len() as u64 / 2;
        let mut dst = vec![0xaa; 3 * len as usize + 1];
        let bytes = utf16_to_utf8(&src, 0, len, &mut dst, 1, false).unwrap();
        assert_eq!(bytes, s.len() as u64, "{s:?}");
        assert_eq!(&dst[1..=s.len()], s.as_bytes(), "{s:?}");
        assert!(dst[s.len() + 1..].iter().all(|&b| b == 0xaa), "{s:?}");
    }
}

#[test]
fn utf16_to_utf8_rejects_unpaired_surrogates_and_checks_ranges() {
    for (what, u) in UNPAIRED_SURROGATES {
        let src = units(u);
        let mut dst = vec![0xaa; 3 * u.len()];
        assert_eq!(
            utf16_to_utf8(&src, 0, u.len() as u64, &mut dst, 0, false),
            Err(Trap::InvalidUtf16),
            "{what}"
        );
        assert!(dst.iter().all(|&b| b == 0xaa), "nothing written: {what}");
    }
    let src = utf16("ab");
    let mut dst = [0; 6];
    assert_eq!(
        utf16_to_utf8(&src, 1, 1, &mut dst, 0, false),
        Err(Trap::Misaligned)
    );
    assert_eq!(
        utf16_to_utf8(&src, 2, 2, &mut dst, 0, false),
        Err(Trap::OutOfBounds)
    );
    // The destination is the worst case, 3 * len bytes, even for ASCII.
    assert_eq!(
        utf16_to_utf8(&src, 0, 2, &mut dst, 1, false),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(
        utf16_to_utf8(&src, 0, 2, &mut dst, u64::MAX - 2, false),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(dst, [0; 6], "nothing written");
    assert_eq!(utf16_to_utf8(&src, 0, 2, &mut dst, 0, false), Ok(2));
}

#[test]
fn latin1_to_utf8_transcodes_and_counts_bytes() {
    for s in STRINGS {
        let Some(src) = latin1(s) else { continue };
        let len = src.len() as u64;
        let mut dst = vec![0xaa; 2 * src.len()];
        assert_eq!(
            latin1_to_utf8(&src, 0, len, &mut dst, 0, false),
            Ok(s.len() as u64)
        );
        assert_eq!(&dst[..s.len()], s.as_bytes(), "{s:?}");
    }
    let src: Vec<u8> = (0..=255).collect();
    let mut dst = vec![0; 513];
    assert_eq!(
        latin1_to_utf8(&src, 0, 256, &mut dst, 1, true),
        Ok(128 + 256)
    );
    let s: String = src.iter().map(|&b| char::from(b)).collect();
    assert_eq!(&dst[1..385], s.as_bytes());
    // The destination is the worst case, 2 * len bytes.
    assert_eq!(
        latin1_to_utf8(&src, 0, 256, &mut dst, 2, true),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(
        latin1_to_utf8(&src, 1, 256, &mut dst, 0, true),
        Err(Trap::OutOfBounds)
    );
}

#[test]
fn utf8_to_latin1_writes_latin1_or_returns_all_ones() {
    for s in STRINGS {
        let len = s.len() as u64;
        let mut dst = vec![0xaa; s.len()];
        let result = utf8_to_latin1(s.as_bytes(), 0, len, &mut dst, 0, false).unwrap();
        let prefix: Vec<u8> = s.chars().map_while(|c| u8::try_from(c).ok()).collect();
        match latin1(s) {
            Some(l) => assert_eq!(result, l.len() as u64, "{s:?}"),
            None => assert_eq!(result, NOT_LATIN1, "{s:?}"),
        }
        // The Latin-1 prefix is written either way.
        assert_eq!(&dst[..prefix.len()], &prefix[..], "{s:?}");
    }
    assert_eq!(NOT_LATIN1, u64::MAX);
}

#[test]
fn utf8_to_latin1_validates_the_whole_string_first() {
    for (what, bytes) in INVALID_UTF8 {
        // Latin-1, then a code point above U+00FF, then the invalid part.
        let mut src = "é€".as_bytes().to_vec();
        src.extend_from_slice(bytes);
        let len = src.len() as u64;
        let mut dst = vec![0xaa; src.len()];
        assert_eq!(
            utf8_to_latin1(&src, 0, len, &mut dst, 0, false),
            Err(Trap::InvalidUtf8),
            "{what}"
        );
        assert!(dst.iter().all(|&b| b == 0xaa), "nothing written: {what}");
    }
}

#[test]
fn utf8_to_latin1_checks_the_destination() {
    let src = "hé".as_bytes();
    let mut dst = [0; 4];
    // The adapter allocated with alignment 2.
    assert_eq!(
        utf8_to_latin1(src, 0, 3, &mut dst, 1, false),
        Err(Trap::Misaligned)
    );
    // `len` bytes, although only 2 are written.
    assert_eq!(
        utf8_to_latin1(src, 0, 3, &mut dst, 2, false),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(
        utf8_to_latin1(src, 1, 3, &mut dst, 0, false),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(dst, [0; 4], "nothing written");
    assert_eq!(utf8_to_latin1(src, 0, 3, &mut dst, 0, true), Ok(2));
    assert_eq!(dst, [b'h', 0xe9, 0, 0]);
}

#[test]
fn utf16_to_latin1_writes_latin1_or_returns_all_ones() {
    for s in STRINGS {
        let src = utf16(s);
        let len = src.len() as u64 / 2;
        let mut dst = vec![0xaa; len as usize];
        let result = utf16_to_latin1(&src, 0, len, &mut dst, 0, false).unwrap();
        let prefix: Vec<u8> = s.chars().map_while(|c| u8::try_from(c).ok()).collect();
        match latin1(s) {
            Some(l) => assert_eq!(result, l.len() as u64, "{s:?}"),
            None => assert_eq!(result, NOT_LATIN1, "{s:?}"),
        }
        assert_eq!(&dst[..prefix.len()], &prefix[..], "{s:?}");
    }
}

#[test]
fn utf16_to_latin1_validates_and_checks_ranges() {
    for (what, u) in UNPAIRED_SURROGATES {
        let mut all = vec![0xe9, 0x20ac];
        all.extend_from_slice(u);
        let src = units(&all);
        let mut dst = vec![0xaa; all.len()];
        assert_eq!(
            utf16_to_latin1(&src, 0, all.len() as u64, &mut dst, 0, true),
            Err(Trap::InvalidUtf16),
            "{what}"
        );
        assert!(dst.iter().all(|&b| b == 0xaa), "nothing written: {what}");
    }
    let src = utf16("hé");
    let mut dst = [0; 4];
    assert_eq!(
        utf16_to_latin1(&src, 1, 1, &mut dst, 0, false),
        Err(Trap::Misaligned)
    );
    assert_eq!(
        utf16_to_latin1(&src, 2, 2, &mut dst, 0, false),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(
        utf16_to_latin1(&src, 0, 2, &mut dst, 1, false),
        Err(Trap::Misaligned)
    );
    assert_eq!(
        utf16_to_latin1(&src, 0, 2, &mut dst, 4, false),
        Err(Trap::OutOfBounds)
    );
    assert_eq!(dst, [0; 4], "nothing written");
    assert_eq!(utf16_to_latin1(&src, 0, 2, &mut dst, 2, false), Ok(2));
    assert_eq!(dst, [0, 0, b'h', 0xe9]);
}

/// For every intrinsic: an input of the right encoding, whether its source
/// is validated, and whether it returns a value.
fn every_op() -> Vec<(Transcode, Vec<u8>)> {
    let text = "aé€😀 some more text, long enough for a block: ÿ";
    let latin1_text = latin1("aé some more text, long enough for a block: ÿ").unwrap();
    Transcode::ALL
        .iter()
        .map(|&op| {
            let input = match source(op) {
                Source::Utf8 => text.as_bytes().to_vec(),
                Source::Utf16 => utf16(text),
                Source::Latin1 => latin1_text.clone(),
            };
            (op, input)
        })
        .collect()
}

#[test]
fn every_op_checks_in_order() {
    for (op, input) in every_op() {
        let unit = if source(op) == Source::Utf16 { 2 } else { 1 };
        let len = input.len() as u64 / unit;
        let (dst_unit, dst_align) = destination(op);
        let dst_len = (dst_unit * len) as usize;
        let (ok, _) = run(op, &input, (0, len), dst_len, 0);
        assert!(ok.is_ok(), "{op:?}");
        assert_eq!(ok.unwrap().is_some(), op.returns_length(), "{op:?}");
        // 1. Source alignment, before source bounds.
        let (r, _) = run(op, &input, (1, len), 0, 1);
        let expected = if unit == 2 {
            Trap::Misaligned
        } else {
            Trap::OutOfBounds
        };
        assert_eq!(r, Err(expected), "{op:?}");
        // 2. Source bounds, before the contents.
        let (r, _) = run(op, &input, (0, len + 1), 0, 1);
        assert_eq!(r, Err(Trap::OutOfBounds), "{op:?}");
        let (r, _) = run(op, &input, (u64::MAX - 1, 1), 0, 1);
        assert_eq!(r, Err(Trap::OutOfBounds), "{op:?}");
        // 3. The contents, before the destination.
        let mut invalid = input.clone();
        match source(op) {
            Source::Utf8 => invalid[len as usize - 1] = 0xff,
            Source::Utf16 => invalid[input.len() - 2..].copy_from_slice(&[0x00, 0xd8]),
            Source::Latin1 => {}
        }
        let (r, dst) = run(op, &invalid, (0, len), dst_len, 1);
        match source(op) {
            Source::Utf8 => assert_eq!(r, Err(Trap::InvalidUtf8), "{op:?}"),
            Source::Utf16 => assert_eq!(r, Err(Trap::InvalidUtf16), "{op:?}"),
            Source::Latin1 => {}
        }
        if source(op) != Source::Latin1 {
            assert!(dst.iter().all(|&b| b == 0xaa), "{op:?}");
        }
        // 4. Destination alignment, before destination bounds.
        let (r, dst) = run(op, &input, (0, len), dst_len, 1);
        let expected = if dst_align == 2 {
            Trap::Misaligned
        } else {
            Trap::OutOfBounds
        };
        assert_eq!(r, Err(expected), "{op:?}");
        assert!(dst.iter().all(|&b| b == 0xaa), "{op:?}");
        // 5. Destination bounds: exactly the worst case fits.
        let (r, dst) = run(op, &input, (0, len), dst_len - 1, 0);
        assert_eq!(r, Err(Trap::OutOfBounds), "{op:?}");
        assert!(dst.iter().all(|&b| b == 0xaa), "{op:?}");
        let (r, _) = run(op, &input, (0, len), dst_len, u64::MAX - 1);
        assert_eq!(r, Err(Trap::OutOfBounds), "{op:?}");
        // The source range as the glue sees it.
        assert_eq!(
            source_range(op, input.len(), 0, len),
            Ok(0..input.len()),
            "{op:?}"
        );
    }
}

#[test]
fn every_op_accepts_empty_strings() {
    for &op in Transcode::ALL {
        for at in [0, 4] {
            let (r, dst) = run(op, &[0; 4], (at, 0), 4, at);
            let expected = op.returns_length().then_some(0);
            assert_eq!(r, Ok(expected), "{op:?}");
            assert_eq!(dst, [0xaa; 4], "{op:?}");
        }
    }
}

#[test]
fn every_op_within_one_memory_matches_two_memories() {
    for (op, input) in every_op() {
        let unit = if source(op) == Source::Utf16 { 2 } else { 1 };
        let len = input.len() as u64 / unit;
        let dst_len = (destination(op).0 * len) as usize;
        let size = 2 * input.len() + 2 * dst_len;
        let at = input.len() as u64;
        // Destinations before, over and after the source.
        for dst in (0..size as u64 - dst_len as u64).step_by(2) {
            let mut mem = vec![0xaa; size];
            mem[at as usize..][..input.len()].copy_from_slice(&input);
            let mut expected = mem.clone();
            let two = transcode(
                op,
                Memories::Two {
                    src: &mem.clone(),
                    dst: &mut expected,
                },
                at,
                len,
                dst,
                false,
            );
            let one = transcode(op, Memories::One(&mut mem), at, len, dst, false);
            assert_eq!(one, two, "{op:?} dst {dst}");
            assert!(one.is_ok(), "{op:?} dst {dst}");
            assert_eq!(mem, expected, "{op:?} dst {dst}");
        }
    }
}

#[test]
fn results_must_fit_the_destination_address_type() {
    // 2 GiB memories (allocated lazily: these checks touch nothing). A
    // Latin-1 source is not read before the destination checks, so a
    // 32-bit result that would reach the UTF-16 tag traps at once.
    let src = vec![0u8; 1 << 31];
    let mut dst = vec![0u8; 1 << 32];
    for op in [Transcode::Latin1AsciiPrefix, Transcode::Latin1ToUtf8] {
        let mems = Memories::Two {
            src: &src,
            dst: &mut dst,
        };
        assert_eq!(
            transcode(op, mems, 0, 1 << 31, 0, false),
            Err(Trap::StringTooLong),
            "{op:?}"
        );
    }
    // Intrinsics without a result have no such limit; the destination range
    // is checked first.
    let mems = Memories::Two {
        src: &src,
        dst: &mut dst,
    };
    assert_eq!(
        transcode(Transcode::Latin1ToUtf16, mems, 0, 1 << 31, 2, false),
        Err(Trap::OutOfBounds)
    );
}

#[test]
fn transcode_returns_a_value_exactly_for_the_ops_that_do() {
    let src = b"abcd";
    for &op in Transcode::ALL {
        let (r, _) = run(op, src, (0, 2), 8, 0);
        assert_eq!(r.unwrap().is_some(), op.returns_length(), "{op:?}");
    }
}
