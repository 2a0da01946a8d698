//! Strings with the same encoding on both sides: validation, copies and the
//! `realloc` sequences of `store_string_copy` and
//! `store_probably_utf16_to_latin1_or_utf16`.

use crate::harness::*;
use fact_core::{MemoryType, StringEncoding, Trap};

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn both(enc: StringEncoding) -> (fact_core::CanonOptions, fact_core::CanonOptions) {
    (caller().string_encoding(enc), callee().string_encoding(enc))
}

fn utf8_parameter_is_validated_and_copied_into_a_fresh_allocation(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(s: string);",
        caller(),
        callee(),
        |c, args| {
            assert_eq!(callee_read(c, args[0].u64(), 7), "héllo!".as_bytes());
            vec![]
        },
    );
    fx.write(CALLER, 0x100, "héllo!".as_bytes());
    fx.call(&[i32(0x100), i32(7)]).unwrap();
    assert_eq!(
        fx.events(),
        vec![
            Event::allocation(CALLEE, 1, 7, HEAP),
            Event::Call {
                args: vec![i32(HEAP as u32), i32(7)],
                flags: [3, 1]
            },
        ]
    );
}

fn empty_strings_still_allocate(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(s: string);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    fx.call(&[i32(0), i32(0)]).unwrap();
    assert!(matches!(
        fx.events()[0],
        Event::Realloc {
            new_size: 0,
            align: 1,
            ..
        }
    ));
}

fn invalid_utf8_traps(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(s: string);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    for bad in [
        &b"\xff"[..],        // bad lead byte
        b"ab\xe2\x82",       // truncated
        b"\xc0\x80",         // overlong
        b"\xed\xa0\x80",     // surrogate
        b"\xf4\x90\x80\x80", // above U+10FFFF
    ] {
        fx.write(CALLER, 0x100, bad);
        assert_eq!(
            fx.trap(&[i32(0x100), i32(bad.len() as u32)]),
            Trap::InvalidUtf8,
            "{bad:?}"
        );
        // Past the short-string copy in wasm: the `validate` intrinsic.
        let long = [&[b'a'; 300][..], bad].concat();
        fx.write(CALLER, 0x100, &long);
        assert_eq!(
            fx.trap(&[i32(0x100), i32(long.len() as u32)]),
            Trap::InvalidUtf8,
            "300 bytes of ASCII, then {bad:?}"
        );
    }
}

/// Short UTF-8 strings are copied in wasm in overlapping pieces of 8 and 4
/// bytes (the first and last of each size), with a loop only for the middle
/// chunks of strings over 16 bytes and for strings under 4 bytes, checked in
/// the same pass: whatever the length and wherever a non-ASCII byte sits,
/// the copy must be exact and an invalid byte must trap.
fn short_utf8_of_every_length_is_copied_exactly_and_checked_everywhere(engine: Engine) {
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = received.clone();
    let mut fx = Fixture::new(
        engine,
        "f: func(s: string);",
        caller(),
        callee(),
        move |c, args| {
            let bytes = callee_read(c, args[0].u64(), args[1].u64() as usize);
            *seen.lock().unwrap() = bytes;
            vec![]
        },
    );
    for len in 0..=40usize {
        let ascii: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
        let mut strings = vec![ascii.clone()];
        for at in 0..len.saturating_sub(1) {
            // "é" (two bytes) at `at`: valid, not ASCII.
            let mut s = ascii.clone();
            s[at..at + 2].copy_from_slice("é".as_bytes());
            strings.push(s);
        }
        for s in strings {
            fx.write(CALLER, 0x100, &s);
            fx.call(&[i32(0x100), i32(len as u32)]).unwrap();
            assert_eq!(*received.lock().unwrap(), s, "{len} bytes");
        }
        for at in 0..len {
            let mut bad = ascii.clone();
            bad[at] = 0xff;
            fx.write(CALLER, 0x100, &bad);
            assert_eq!(
                fx.trap(&[i32(0x100), i32(len as u32)]),
                Trap::InvalidUtf8,
                "{len} bytes, 0xff at {at}"
            );
        }
    }
}

/// The pieces of a short copy never reach past the string: a string that
/// ends where the memory ends is copied whatever its length.
fn short_strings_at_the_end_of_memory_are_copied(engine: Engine) {
    for encoding in [StringEncoding::Utf8, StringEncoding::Utf16] {
        let (lower, lift) = both(encoding);
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = received.clone();
        let unit = if encoding == StringEncoding::Utf8 {
            1
        } else {
            2
        };
        let mut fx = Fixture::new(
            engine,
            "f: func(s: string);",
            lower,
            lift,
            move |c, args| {
                let bytes = callee_read(c, args[0].u64(), unit * args[1].u64() as usize);
                *seen.lock().unwrap() = bytes;
                vec![]
            },
        );
        let end: u64 = 64 * 65536;
        for units in 0..=40 {
            // Non-ASCII every third code unit, so the host validates too.
            let len = |t: &str| match encoding {
                StringEncoding::Utf8 => t.len(),
                _ => t.encode_utf16().count(),
            };
            let mut text = String::new();
            while len(&text) < units {
                let c = if len(&text) % 3 == 0 { 'é' } else { 'x' };
                let fits = len(&text) + len(c.encode_utf8(&mut [0; 4])) <= units;
                text.push(if fits { c } else { 'x' });
            }
            let bytes = match encoding {
                StringEncoding::Utf8 => text.into_bytes(),
                _ => utf16(&text),
            };
            assert_eq!(bytes.len(), unit * units);
            let at = end - bytes.len() as u64;
            fx.write(CALLER, at, &bytes);
            fx.call(&[i32(at as u32), i32(units as u32)]).unwrap();
            assert_eq!(
                *received.lock().unwrap(),
                bytes,
                "{encoding:?}, {units} units"
            );
        }
    }
}

fn string_bounds_and_length_limit(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(s: string);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    let size = 64 * 65536;
    assert_eq!(fx.trap(&[i32(size - 2), i32(3)]), Trap::OutOfBounds);
    assert_eq!(fx.trap(&[i32(u32::MAX), i32(2)]), Trap::OutOfBounds);
    fx.call(&[i32(size - 3), i32(3)]).unwrap();
    // MAX_STRING_BYTE_LENGTH is 2^28 - 1: one more is too long, exactly it is
    // merely out of bounds of this 4 MiB memory.
    assert_eq!(fx.trap(&[i32(0), i32(1 << 28)]), Trap::StringTooLong);
    assert_eq!(fx.trap(&[i32(0), i32((1 << 28) - 1)]), Trap::OutOfBounds);
}

fn utf16_is_validated_aligned_and_limited(engine: Engine) {
    let (lower, lift) = both(StringEncoding::Utf16);
    let mut fx = Fixture::new(engine, "f: func(s: string);", lower, lift, |_, _| vec![]);
    let text = utf16("a😀b");
    fx.write(CALLER, 0x100, &text);
    fx.call(&[i32(0x100), i32(4)]).unwrap();
    assert_eq!(fx.read(CALLEE, HEAP, 8), text);
    assert_eq!(
        fx.events(),
        vec![
            Event::allocation(CALLEE, 2, 8, HEAP),
            Event::Call {
                args: vec![i32(HEAP as u32), i32(4)],
                flags: [3, 1]
            },
        ]
    );
    assert_eq!(fx.trap(&[i32(0x101), i32(1)]), Trap::Misaligned);
    fx.write(CALLER, 0x100, &[0x00, 0xd8, 0x41, 0x00]); // lone high surrogate
    assert_eq!(fx.trap(&[i32(0x100), i32(2)]), Trap::InvalidUtf16);
    fx.write(CALLER, 0x100, &[0x00, 0xdc]); // lone low surrogate
    assert_eq!(fx.trap(&[i32(0x100), i32(1)]), Trap::InvalidUtf16);
    assert_eq!(fx.trap(&[i32(0), i32(1 << 27)]), Trap::StringTooLong);
    assert_eq!(fx.trap(&[i32(0), i32((1 << 27) - 1)]), Trap::OutOfBounds);
}

fn compact_latin1_is_copied_with_alignment_two(engine: Engine) {
    let (lower, lift) = both(StringEncoding::CompactUtf16);
    let mut fx = Fixture::new(engine, "f: func(s: string);", lower, lift, |_, _| vec![]);
    fx.write(CALLER, 0x100, b"caf\xe9");
    fx.call(&[i32(0x100), i32(4)]).unwrap();
    assert_eq!(fx.read(CALLEE, HEAP, 4), b"caf\xe9");
    assert_eq!(
        fx.events(),
        vec![
            Event::allocation(CALLEE, 2, 4, HEAP),
            Event::Call {
                args: vec![i32(HEAP as u32), i32(4)],
                flags: [3, 1]
            },
        ]
    );
    assert_eq!(fx.trap(&[i32(0x101), i32(1)]), Trap::Misaligned);
}

fn compact_utf16_that_fits_latin1_is_compacted_and_shrunk(engine: Engine) {
    let (lower, lift) = both(StringEncoding::CompactUtf16);
    let mut fx = Fixture::new(engine, "f: func(s: string);", lower, lift, |_, _| vec![]);
    let tag = 1u32 << 31;
    fx.write(CALLER, 0x100, &utf16("café"));
    fx.call(&[i32(0x100), i32(4 | tag)]).unwrap();
    assert_eq!(fx.read(CALLEE, HEAP + 8, 4), b"caf\xe9");
    assert_eq!(
        fx.events(),
        vec![
            Event::allocation(CALLEE, 2, 8, HEAP),
            Event::Realloc {
                instance: CALLEE,
                old: HEAP,
                old_size: 8,
                align: 1,
                new_size: 4,
                ret: HEAP + 8
            },
            Event::Call {
                args: vec![i32(HEAP as u32 + 8), i32(4)],
                flags: [3, 1]
            },
        ]
    );
}

fn compact_utf16_beyond_latin1_stays_utf16_and_tagged(engine: Engine) {
    let (lower, lift) = both(StringEncoding::CompactUtf16);
    let mut fx = Fixture::new(engine, "f: func(s: string);", lower, lift, |_, _| vec![]);
    let tag = 1u32 << 31;
    let text = utf16("caf€");
    fx.write(CALLER, 0x100, &text);
    fx.call(&[i32(0x100), i32(4 | tag)]).unwrap();
    assert_eq!(fx.read(CALLEE, HEAP, 8), text);
    assert_eq!(
        fx.events(),
        vec![
            Event::allocation(CALLEE, 2, 8, HEAP),
            Event::Call {
                args: vec![i32(HEAP as u32), i32(4 | tag)],
                flags: [3, 1]
            },
        ]
    );
}

fn string_results_are_copied_back_through_the_return_pointer(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func() -> string;",
        caller(),
        callee().post_return(true),
        |c, _| {
            callee_write(c, 0x200, b"result!");
            callee_write(c, 0x10, &[0x00, 0x02, 0, 0, 7, 0, 0, 0]);
            vec![i32(0x10)]
        },
    );
    fx.call(&[i32(0x40)]).unwrap();
    let ret = fx.read(CALLER, 0x40, 8);
    assert_eq!(ret, [0x00, 0x80, 0, 0, 7, 0, 0, 0]);
    assert_eq!(fx.read(CALLER, HEAP, 7), b"result!");
    let events = fx.events();
    assert_eq!(events[1], Event::allocation(CALLER, 1, 7, HEAP));
    assert_eq!(
        events[2],
        Event::PostReturn {
            args: vec![i32(0x10)],
            flags: [3, 0]
        }
    );
    // The caller's return pointer is checked like any pointer.
    assert_eq!(fx.trap(&[i32(0x41)]), Trap::Misaligned);
    assert_eq!(fx.trap(&[i32(64 * 65536 - 4)]), Trap::OutOfBounds);
}

fn strings_cross_between_64_and_32_bit_memories(engine: Engine) {
    let lower = caller().memory(Some(MemoryType::Memory64));
    let mut fx = Fixture::new(
        engine,
        "f: func(s: string) -> string;",
        lower,
        callee(),
        |c, args| {
            assert_eq!(args[..2], [i32(HEAP as u32), i32(3)]);
            callee_write(c, 0x10, &[0x00, 0x80, 0, 0, 3, 0, 0, 0]);
            vec![i32(0x10)]
        },
    );
    fx.write(CALLER, 0x100, b"abc");
    fx.call(&[i64(0x100), i64(3), i64(0x40)]).unwrap();
    let mut expected = HEAP.to_le_bytes().to_vec();
    expected.extend_from_slice(&3u64.to_le_bytes());
    assert_eq!(fx.read(CALLER, 0x40, 16), expected);
    assert_eq!(fx.read(CALLER, HEAP, 3), b"abc");
    // Upper bits of 64-bit pointers and lengths count.
    assert_eq!(
        fx.trap(&[i64(1 << 32 | 0x100), i64(3), i64(0x40)]),
        Trap::OutOfBounds
    );
    assert_eq!(
        fx.trap(&[i64(0x100), i64(1 << 32 | 3), i64(0x40)]),
        Trap::StringTooLong
    );
}

fn compact_tag_is_bit_63_on_64_bit_memories(engine: Engine) {
    let lower = caller()
        .memory(Some(MemoryType::Memory64))
        .string_encoding(StringEncoding::CompactUtf16);
    let lift = callee().string_encoding(StringEncoding::CompactUtf16);
    let mut fx = Fixture::new(engine, "f: func(s: string);", lower, lift, |_, _| vec![]);
    let text = utf16("€");
    fx.write(CALLER, 0x100, &text);
    fx.call(&[i64(0x100), i64(1 | 1 << 63)]).unwrap();
    let Event::Call { args, .. } = &fx.events()[1] else {
        panic!()
    };
    assert_eq!(args[1], i32(1 | 1 << 31));
    // Bit 31 is no tag in a 64-bit memory: it is a (too long) Latin-1 length.
    assert_eq!(
        fx.trap(&[i64(0x100), i64(1 | 1 << 31)]),
        Trap::StringTooLong
    );
}

crate::on_every_engine!(
    utf8_parameter_is_validated_and_copied_into_a_fresh_allocation,
    empty_strings_still_allocate,
    invalid_utf8_traps,
    short_utf8_of_every_length_is_copied_exactly_and_checked_everywhere,
    short_strings_at_the_end_of_memory_are_copied,
    string_bounds_and_length_limit,
    utf16_is_validated_aligned_and_limited,
    compact_latin1_is_copied_with_alignment_two,
    compact_utf16_that_fits_latin1_is_compacted_and_shrunk,
    compact_utf16_beyond_latin1_stays_utf16_and_tagged,
    string_results_are_copied_back_through_the_return_pointer,
    strings_cross_between_64_and_32_bit_memories,
    compact_tag_is_bit_63_on_64_bit_memories,
);
