//! Strings between any two encodings, in both directions, on 32- and 64-bit
//! memories: the bytes, lengths and `realloc` sequences must be exactly those
//! of the spec's `store_string_into_range` (modelled below, function by
//! function, from `definitions.py`).

use crate::harness::*;
use fact_core::{CanonOptions, MemoryType, StringEncoding, Trap};

/// How a string sits in a memory: its encoding with `latin1+utf16`
/// resolved by the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Utf8,
    Utf16,
    Latin1,
    /// `latin1+utf16` with the UTF-16 tag.
    Tagged,
}

impl Form {
    fn bytes(self, s: &str) -> Vec<u8> {
        match self {
            Form::Utf8 => s.as_bytes().to_vec(),
            Form::Utf16 | Form::Tagged => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Form::Latin1 => s
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap())
                .collect(),
        }
    }

    /// The length field: code units, tagged for `Tagged`.
    fn len(self, s: &str, mem64: bool) -> u64 {
        let units = match self {
            Form::Utf8 => s.len(),
            Form::Utf16 | Form::Tagged => s.encode_utf16().count(),
            Form::Latin1 => s.chars().count(),
        } as u64;
        if self == Form::Tagged {
            units | tag(mem64)
        } else {
            units
        }
    }

    /// The natural form of `s` in `encoding`.
    fn of(s: &str, encoding: StringEncoding) -> Form {
        match encoding {
            StringEncoding::Utf8 => Form::Utf8,
            StringEncoding::Utf16 => Form::Utf16,
            StringEncoding::CompactUtf16 if is_latin1(s) => Form::Latin1,
            StringEncoding::CompactUtf16 => Form::Tagged,
        }
    }
}

fn tag(mem64: bool) -> u64 {
    if mem64 {
        1 << 63
    } else {
        1 << 31
    }
}

/// The length field of `units` UTF-16 code units in a 32-bit memory whose
/// encoding is `utf16`, or `latin1+utf16` (tagged).
fn utf16_source_len(encoding: StringEncoding, units: u32) -> u32 {
    if encoding == StringEncoding::Utf16 {
        units
    } else {
        units | tag(false) as u32
    }
}

fn is_latin1(s: &str) -> bool {
    s.chars().all(|c| u32::from(c) < 256)
}

/// What the spec does when storing `s`, held in `from`, with `to`'s encoding:
/// the `(old_size, align, new_size)` of each `realloc` (each after the first
/// moving the previous allocation) and the resulting form.
fn spec_store(s: &str, from: Form, to: StringEncoding) -> (Vec<(u64, u64, u64)>, Form) {
    let n = from.len(s, false) & !tag(false); // src_code_units
    let utf8 = s.len() as u64;
    let utf16 = s.encode_utf16().count() as u64;
    let ascii = s.is_ascii();
    match (to, from) {
        // store_string_copy
        (StringEncoding::Utf8, Form::Utf8) => (vec![(0, 1, n)], Form::Utf8),
        (StringEncoding::Utf16, Form::Utf16 | Form::Tagged | Form::Latin1) => {
            (vec![(0, 2, 2 * n)], Form::Utf16)
        }
        (StringEncoding::CompactUtf16, Form::Latin1) => (vec![(0, 2, n)], Form::Latin1),
        // store_utf16_to_utf8 / store_latin1_to_utf8 -> store_string_to_utf8
        (StringEncoding::Utf8, Form::Utf16 | Form::Tagged | Form::Latin1) => {
            let worst = if from == Form::Latin1 { 2 * n } else { 3 * n };
            let mut calls = vec![(0, 1, n)];
            if !ascii {
                calls.push((n, 1, worst));
                if worst > utf8 {
                    calls.push((worst, 1, utf8));
                }
            }
            (calls, Form::Utf8)
        }
        // store_utf8_to_utf16
        (StringEncoding::Utf16, Form::Utf8) => {
            let mut calls = vec![(0, 2, 2 * n)];
            if 2 * utf16 < 2 * n {
                calls.push((2 * n, 2, 2 * utf16));
            }
            (calls, Form::Utf16)
        }
        // store_string_to_latin1_or_utf16
        (StringEncoding::CompactUtf16, Form::Utf8 | Form::Utf16) => {
            let mut calls = vec![(0, 2, n)];
            if is_latin1(s) {
                let latin1 = s.chars().count() as u64;
                if latin1 < n {
                    calls.push((n, 2, latin1));
                }
                (calls, Form::Latin1)
            } else {
                calls.push((n, 2, 2 * n));
                if 2 * n > 2 * utf16 {
                    calls.push((2 * n, 2, 2 * utf16));
                }
                (calls, Form::Tagged)
            }
        }
        // store_probably_utf16_to_latin1_or_utf16
        (StringEncoding::CompactUtf16, Form::Tagged) => {
            let mut calls = vec![(0, 2, 2 * n)];
            if is_latin1(s) {
                calls.push((2 * n, 1, n));
                (calls, Form::Latin1)
            } else {
                (calls, Form::Tagged)
            }
        }
    }
}

const ENCODINGS: [StringEncoding; 3] = [
    StringEncoding::Utf8,
    StringEncoding::Utf16,
    StringEncoding::CompactUtf16,
];

fn samples() -> Vec<String> {
    let mut big = "x".repeat(1 << 20);
    big.push('é');
    vec![
        String::new(),
        "hello, world".into(),
        "café crème".into(),
        "naïve €uro ★".into(),
        "a😀b𝄞".into(),
        format!("{}€", "latin ÿ".repeat(10)),
        big,
    ]
}

fn side(base: CanonOptions, encoding: StringEncoding, mem64: bool) -> CanonOptions {
    let memory = if mem64 {
        MemoryType::Memory64
    } else {
        MemoryType::Memory32
    };
    base.string_encoding(encoding).memory(Some(memory))
}

fn ptr(x: u64, mem64: bool) -> Flat {
    if mem64 {
        i64(x)
    } else {
        i32(x as u32)
    }
}

fn read_word(bytes: &[u8], mem64: bool) -> u64 {
    if mem64 {
        u64::from_le_bytes(bytes[..8].try_into().unwrap())
    } else {
        u64::from(u32::from_le_bytes(bytes[..4].try_into().unwrap()))
    }
}

/// Checks that the realloc events of one instance follow `expected`, each
/// moving the previous allocation; returns the final pointer.
fn check_reallocs(
    events: &[Event],
    instance: u32,
    expected: &[(u64, u64, u64)],
    what: &str,
) -> u64 {
    let got: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Realloc {
                instance: i,
                old,
                old_size,
                align,
                new_size,
                ret,
            } if *i == instance => Some((*old, *old_size, *align, *new_size, *ret)),
            _ => None,
        })
        .collect();
    let shape: Vec<_> = got.iter().map(|g| (g.1, g.2, g.3)).collect();
    assert_eq!(
        shape, expected,
        "{what}: realloc (old_size, align, new_size)"
    );
    for pair in got.windows(2) {
        assert_eq!(
            pair[1].0, pair[0].4,
            "{what}: realloc must move the previous allocation"
        );
    }
    assert_eq!(got[0].0, 0, "{what}: the first call allocates");
    got.last().unwrap().4
}

/// Runs `f: func(s: string) -> string` with a callee that returns what it
/// received, for one pair of encodings, memories and one string in one
/// source form; checks both directions against the spec model.
fn round_trip(
    fx: &mut Fixture,
    s: &str,
    form: Form,
    (enc_a, a64): (StringEncoding, bool),
    (enc_b, b64): (StringEncoding, bool),
) {
    let what = format!(
        "{s:.20?} {form:?} from {enc_a}{} to {enc_b}{}",
        if a64 { "/64" } else { "" },
        if b64 { "/64" } else { "" }
    );
    fx.state().heap = [HEAP; 2];
    let src = form.bytes(s);
    fx.write(CALLER, 0x100, &src);
    let retptr = 0x80;
    fx.call(&[
        ptr(0x100, a64),
        ptr(form.len(s, a64), a64),
        ptr(retptr, a64),
    ])
    .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let events = fx.events();

    // Parameter: caller (a) to callee (b).
    let (calls, to_form) = spec_store(s, form, enc_b);
    let at = check_reallocs(&events, CALLEE, &calls, &format!("{what}, parameter"));
    let Some(Event::Call { args, .. }) = events.iter().find(|e| matches!(e, Event::Call { .. }))
    else {
        panic!("{what}: the callee was not called")
    };
    assert_eq!(args[0].u64(), at, "{what}: parameter pointer");
    assert_eq!(
        args[1].u64(),
        to_form.len(s, b64),
        "{what}: parameter length"
    );
    let expected = to_form.bytes(s);
    assert!(
        fx.read(CALLEE, at, expected.len()) == expected,
        "{what}: parameter bytes"
    );

    // Result: callee (b) back to caller (a).
    let (calls, back_form) = spec_store(s, to_form, enc_a);
    let at = check_reallocs(&events, CALLER, &calls, &format!("{what}, result"));
    let ps = if a64 { 8 } else { 4 };
    let ret = fx.read(CALLER, retptr, 2 * ps);
    assert_eq!(read_word(&ret, a64), at, "{what}: result pointer");
    assert_eq!(
        read_word(&ret[ps..], a64),
        back_form.len(s, a64),
        "{what}: result length"
    );
    let expected = back_form.bytes(s);
    assert!(
        fx.read(CALLER, at, expected.len()) == expected,
        "{what}: result bytes"
    );
}

fn echo_fixture(engine: Engine, a: (StringEncoding, bool), b: (StringEncoding, bool)) -> Fixture {
    echo_fixture_tuned(engine, Tuning::default(), a, b)
}

/// [`echo_fixture`] with the compiler tuned.
fn echo_fixture_tuned(
    engine: Engine,
    tuning: Tuning,
    a: (StringEncoding, bool),
    b: (StringEncoding, bool),
) -> Fixture {
    let lower = side(caller(), a.0, a.1);
    let lift = side(callee(), b.0, b.1);
    let b64 = b.1;
    Fixture::tuned(
        engine,
        tuning,
        256,
        "f: func(s: string) -> string;",
        lower,
        lift,
        move |c, args| {
            // Return (ptr, len) as received, from a return area at 0x40.
            let mut area = Vec::new();
            for v in &args[..2] {
                if b64 {
                    area.extend_from_slice(&v.u64().to_le_bytes());
                } else {
                    area.extend_from_slice(&(v.u64() as u32).to_le_bytes());
                }
            }
            callee_write(c, 0x40, &area);
            vec![ptr(0x40, b64)]
        },
    )
}

fn every_pair_of_encodings_in_both_directions(engine: Engine) {
    for enc_a in ENCODINGS {
        for enc_b in ENCODINGS {
            let mut fx = echo_fixture(engine, (enc_a, false), (enc_b, false));
            for s in samples() {
                round_trip(
                    &mut fx,
                    &s,
                    Form::of(&s, enc_a),
                    (enc_a, false),
                    (enc_b, false),
                );
                if enc_a == StringEncoding::CompactUtf16 && is_latin1(&s) {
                    // Latin-1 content sent as tagged UTF-16.
                    round_trip(&mut fx, &s, Form::Tagged, (enc_a, false), (enc_b, false));
                }
            }
        }
    }
}

fn every_pair_of_encodings_between_64_and_32_bit_memories(engine: Engine) {
    for (a64, b64) in [(true, false), (false, true), (true, true)] {
        for enc_a in ENCODINGS {
            for enc_b in ENCODINGS {
                let mut fx = echo_fixture(engine, (enc_a, a64), (enc_b, b64));
                for s in samples().into_iter().take(6) {
                    round_trip(&mut fx, &s, Form::of(&s, enc_a), (enc_a, a64), (enc_b, b64));
                }
            }
        }
    }
}

fn invalid_sources_trap_in_every_pair(engine: Engine) {
    for enc_b in ENCODINGS {
        let mut fx = echo_fixture(engine, (StringEncoding::Utf8, false), (enc_b, false));
        for bad in [
            &b"\xff"[..],
            b"ab\xe2\x82",
            b"\xc0\x80",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
        ] {
            fx.write(CALLER, 0x100, bad);
            let n = bad.len() as u32;
            assert_eq!(
                fx.trap(&[i32(0x100), i32(n), i32(0x80)]),
                Trap::InvalidUtf8,
                "{bad:?} to {enc_b}"
            );
        }
        for a in [StringEncoding::Utf16, StringEncoding::CompactUtf16] {
            let mut fx = echo_fixture(engine, (a, false), (enc_b, false));
            let len = utf16_source_len(a, 2);
            for bad in [[0x41, 0, 0x00, 0xd8], [0x00, 0xdc, 0x41, 0]] {
                fx.write(CALLER, 0x100, &bad);
                assert_eq!(
                    fx.trap(&[i32(0x100), i32(len), i32(0x80)]),
                    Trap::InvalidUtf16,
                    "{a} to {enc_b}"
                );
            }
            assert_eq!(
                fx.trap(&[i32(0x101), i32(len), i32(0x80)]),
                Trap::Misaligned
            );
        }
    }
}

fn the_length_limit_is_on_the_source_bytes(engine: Engine) {
    // 2^28 - 1 source bytes pass the limit (and then fail the bounds check of
    // this 16 MiB memory); 2^28 do not, whatever the destination would need.
    for (enc, units_max, tagged) in [
        (StringEncoding::Utf8, (1u32 << 28) - 1, 0),
        (StringEncoding::Utf16, (1 << 27) - 1, 0),
        (StringEncoding::CompactUtf16, (1 << 28) - 1, 0),
        (StringEncoding::CompactUtf16, (1 << 27) - 1, 1 << 31),
    ] {
        for enc_b in ENCODINGS {
            let mut fx = echo_fixture(engine, (enc, false), (enc_b, false));
            assert_eq!(
                fx.trap(&[i32(0), i32(units_max | tagged), i32(0x80)]),
                Trap::OutOfBounds
            );
            assert_eq!(
                fx.trap(&[i32(0), i32((units_max + 1) | tagged), i32(0x80)]),
                Trap::StringTooLong
            );
        }
    }
}

fn bad_realloc_results_trap_in_transcoding_paths(engine: Engine) {
    // utf8 to utf16 allocates with alignment 2.
    let mut fx = echo_fixture(
        engine,
        (StringEncoding::Utf8, false),
        (StringEncoding::Utf16, false),
    );
    fx.write(CALLER, 0x100, b"abc");
    fx.override_realloc(|_, _, p| p + 1);
    assert_eq!(
        fx.trap(&[i32(0x100), i32(3), i32(0x80)]),
        Trap::ReallocMisaligned
    );
    // utf16 to utf8 grows to the worst case: a grown pointer out of bounds.
    let mut fx = echo_fixture(
        engine,
        (StringEncoding::Utf16, false),
        (StringEncoding::Utf8, false),
    );
    fx.write(CALLER, 0x100, &[0xac, 0x20]);
    fx.override_realloc(|_, args, p| if args[3] == 3 { 256 * 65536 - 1 } else { p });
    assert_eq!(
        fx.trap(&[i32(0x100), i32(1), i32(0x80)]),
        Trap::ReallocOutOfBounds
    );
}

/// Strings of what `lengths` gives: ASCII, and with one other code point
/// (Latin-1, just beyond it, far beyond, beyond the BMP) at each position `positions`
/// picks.
fn short_samples(
    lengths: impl Iterator<Item = usize>,
    positions: fn(usize) -> Vec<usize>,
) -> Vec<String> {
    let mut out = Vec::new();
    for len in lengths {
        let ascii: Vec<char> = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
        out.push(ascii.iter().collect());
        for at in positions(len) {
            for c in ['é', 'ÿ', 'Ā', '€', '香', '😀'] {
                let mut s = ascii.clone();
                s[at] = c;
                out.push(s.iter().collect());
            }
        }
    }
    out
}

/// Short strings are converted in wasm, eight bytes at a time with an
/// overlapping last chunk, and handed to the intrinsic when a code unit is
/// out of the inline range: every length up to a few chunks, and around
/// the short-string limit (256 code units), with a non-ASCII code point at
/// every place, must still give the spec's bytes, lengths and `realloc`s.
fn short_strings_of_every_length_in_every_pair(engine: Engine) {
    let mut samples = short_samples(0..=20, |len| (0..len).collect());
    samples.extend(short_samples(250..=260, |len| vec![0, len / 2, len - 1]));
    samples.extend(short_samples(127..=129, |len| vec![0, len - 1]));
    for enc_a in ENCODINGS {
        for enc_b in ENCODINGS {
            let mut fx = echo_fixture(engine, (enc_a, false), (enc_b, false));
            for s in &samples {
                round_trip(
                    &mut fx,
                    s,
                    Form::of(s, enc_a),
                    (enc_a, false),
                    (enc_b, false),
                );
                if enc_a == StringEncoding::CompactUtf16 && is_latin1(s) {
                    round_trip(&mut fx, s, Form::Tagged, (enc_a, false), (enc_b, false));
                }
            }
        }
    }
}

/// A short source with one invalid code unit, wherever it is, traps in
/// every pair: the inline conversion must not hide it.
fn short_invalid_sources_trap_wherever_the_bad_unit_is(engine: Engine) {
    for enc_b in ENCODINGS {
        let mut fx = echo_fixture(engine, (StringEncoding::Utf8, false), (enc_b, false));
        for len in (1..=20).chain([255, 256, 257]) {
            for at in 0..len {
                let mut bad = vec![b'a'; len];
                bad[at] = 0xff;
                fx.write(CALLER, 0x100, &bad);
                assert_eq!(
                    fx.trap(&[i32(0x100), i32(len as u32), i32(0x80)]),
                    Trap::InvalidUtf8,
                    "utf8 to {enc_b}: {len} bytes, 0xff at {at}"
                );
            }
        }
        for a in [StringEncoding::Utf16, StringEncoding::CompactUtf16] {
            let mut fx = echo_fixture(engine, (a, false), (enc_b, false));
            for len in (1..=20).chain([127, 128, 129, 256, 257]) {
                let n = utf16_source_len(a, len as u32);
                for at in 0..len {
                    for surrogate in [0xd800u16, 0xdc00] {
                        let mut bad = vec![u16::from(b'a'); len];
                        bad[at] = surrogate;
                        let bytes: Vec<u8> = bad.iter().flat_map(|u| u.to_le_bytes()).collect();
                        fx.write(CALLER, 0x100, &bytes);
                        assert_eq!(
                            fx.trap(&[i32(0x100), i32(n), i32(0x80)]),
                            Trap::InvalidUtf16,
                            "{a} to {enc_b}: {len} units, {surrogate:#x} at {at}"
                        );
                    }
                }
            }
        }
    }
}

/// A small deterministic generator (xorshift64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Code points at the edges of every UTF-8 and UTF-16 length, and of
/// Latin-1.
const EDGES: [char; 15] = [
    'a',
    '\u{7f}',
    '\u{80}',
    '\u{ff}',
    '\u{100}',
    '\u{7ff}',
    '\u{800}',
    '\u{d7ff}',
    '\u{e000}',
    '\u{ffff}',
    '\u{10000}',
    '\u{10ffff}',
    'é',
    '€',
    '😀',
];

/// Random sources of up to 40 code units built from [`EDGES`] and at most one
/// `bad` piece, some padded with ASCII to around the short-string limit
/// (256 code units), in one encoding (`encode` turns a character into its
/// code units).
fn random_sources<U: Copy>(
    rng: &mut Rng,
    count: usize,
    encode: fn(char) -> Vec<U>,
    bad: &[&[U]],
    ascii: fn(u8) -> U,
) -> Vec<Vec<U>> {
    (0..count)
        .map(|_| {
            let mut units = Vec::new();
            let pieces = 1 + rng.below(12);
            let bad_at = (rng.below(3) == 0).then(|| rng.below(pieces));
            for i in 0..pieces {
                match bad_at {
                    Some(at) if at == i => units.extend_from_slice(bad[rng.below(bad.len())]),
                    _ => units.extend(encode(EDGES[rng.below(EDGES.len())])),
                }
            }
            if rng.below(8) == 0 {
                let pad = (250 + rng.below(12)).saturating_sub(units.len());
                let mut padded: Vec<U> = (0..pad).map(|i| ascii(b'a' + (i % 26) as u8)).collect();
                padded.extend(units);
                units = padded;
            }
            units
        })
        .collect()
}

/// Calls an echo fixture on `bytes` written at 0x100 with the length field
/// `len`, which must trap; returns the trap and forgets the call's events,
/// so that the next call's are checked alone.
fn trap_on_source(fx: &mut Fixture, bytes: &[u8], len: u32) -> Trap {
    fx.write(CALLER, 0x100, bytes);
    let trap = fx.trap(&[i32(0x100), i32(len), i32(0x80)]);
    fx.events();
    trap
}

/// Short sources with code points of every length, valid or with one
/// ill-formed piece anywhere, go through the module's own conversions (and
/// long ones through the host's): every pair must convert exactly what
/// `std` accepts, as the spec stores it, and trap on everything else.
fn short_sources_convert_or_trap_as_std_decides(engine: Engine) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let utf8_bad: [&[u8]; 21] = [
        b"\x80",
        b"\xbf",
        b"\xc0\x80",
        b"\xc1\xbf",
        b"\xc2",
        b"\xc3\x41",
        // A lead byte where a continuation byte must be.
        b"\xc3\xc3",
        b"\xe2\x82\xe2",
        b"\xe0\x80\x80",
        b"\xe0\x9f\xbf",
        b"\xed\xa0\x80",
        b"\xed\xbf\xbf",
        b"\xef\xbf",
        b"\xe2\x28\xa1",
        b"\xf0\x80\x80\x80",
        b"\xf0\x8f\xbf\xbf",
        b"\xf4\x90\x80\x80",
        b"\xf5\x80\x80\x80",
        b"\xf8\x88\x80\x80",
        b"\xf9\x80\x80\x80",
        b"\xff",
    ];
    let utf8 = random_sources(
        &mut rng,
        300,
        |c| c.to_string().into_bytes(),
        &utf8_bad,
        |b| b,
    );
    let utf16_bad: [&[u16]; 5] = [
        &[0xd800],
        &[0xdbff],
        &[0xdc00],
        &[0xdfff],
        &[0xdc00, 0xd800],
    ];
    let utf16 = random_sources(
        &mut rng,
        300,
        |c| c.encode_utf16(&mut [0; 2]).to_vec(),
        &utf16_bad,
        u16::from,
    );
    let mut checked = [0usize; 2];
    for enc_b in ENCODINGS {
        let mut fx = echo_fixture(engine, (StringEncoding::Utf8, false), (enc_b, false));
        for bytes in &utf8 {
            match std::str::from_utf8(bytes) {
                Ok(s) => round_trip(
                    &mut fx,
                    s,
                    Form::Utf8,
                    (StringEncoding::Utf8, false),
                    (enc_b, false),
                ),
                Err(_) => {
                    // Past the end: what would complete a truncated
                    // sequence if it were read, then valid text.
                    let source = [bytes, &b"\x80A"[..]].concat();
                    assert_eq!(
                        trap_on_source(&mut fx, &source, bytes.len() as u32),
                        Trap::InvalidUtf8,
                        "{bytes:x?} to {enc_b}"
                    );
                    checked[1] += 1;
                }
            }
            checked[0] += 1;
        }
        for enc_a in [StringEncoding::Utf16, StringEncoding::CompactUtf16] {
            let mut fx = echo_fixture(engine, (enc_a, false), (enc_b, false));
            for units in &utf16 {
                match String::from_utf16(units) {
                    Ok(s) => {
                        let form = if enc_a == StringEncoding::Utf16 {
                            Form::Utf16
                        } else {
                            Form::Tagged
                        };
                        round_trip(&mut fx, &s, form, (enc_a, false), (enc_b, false));
                    }
                    Err(_) => {
                        let bytes: Vec<u8> = units
                            .iter()
                            .chain(&[0xdc00])
                            .flat_map(|u| u.to_le_bytes())
                            .collect();
                        let n = utf16_source_len(enc_a, units.len() as u32);
                        assert_eq!(
                            trap_on_source(&mut fx, &bytes, n),
                            Trap::InvalidUtf16,
                            "{units:x?} from {enc_a} to {enc_b}"
                        );
                        checked[1] += 1;
                    }
                }
                checked[0] += 1;
            }
        }
    }
    // Both outcomes are well represented.
    assert!(
        checked[1] > checked[0] / 5 && checked[1] < checked[0] / 2,
        "{checked:?}"
    );
}

/// The short-string limit moves strings between code in the adapter and the
/// host's intrinsics, and nothing else: with the limit at 0 (every string
/// that needs checking or converting goes to the host), at 16 and at the
/// default, strings on both sides of each limit convert as the spec says,
/// and only a module with a limit has functions of its own for the
/// intrinsics.
fn the_short_string_limit_changes_who_converts_not_what(engine: Engine) {
    let ends = |len: usize| if len == 0 { vec![] } else { vec![0, len - 1] };
    let mut samples = short_samples([0, 1, 15, 16, 17, 40].into_iter(), ends);
    samples.extend(short_samples(255..=257, |len| vec![len / 2]));
    for limit in [Some(0), Some(16), None] {
        let tuning = Tuning {
            short_strings: limit,
            ..Tuning::default()
        };
        for enc_a in ENCODINGS {
            for enc_b in ENCODINGS {
                let mut fx = echo_fixture_tuned(engine, tuning, (enc_a, false), (enc_b, false));
                for s in &samples {
                    round_trip(
                        &mut fx,
                        s,
                        Form::of(s, enc_a),
                        (enc_a, false),
                        (enc_b, false),
                    );
                }
            }
        }
        // utf16 to utf8 calls `utf16-ascii-prefix` and `utf16-to-utf8`: two
        // functions of the module beside the adapter and its string helper,
        // unless the limit is 0.
        let adapters = compile_tuned(
            "f: func(s: string);",
            side(caller(), StringEncoding::Utf16, false),
            side(callee(), StringEncoding::Utf8, false),
            tuning,
        )
        .unwrap();
        let defined = wasmparser::Parser::new(0)
            .parse_all(&adapters.wasm)
            .filter_map(|payload| match payload.unwrap() {
                wasmparser::Payload::FunctionSection(f) => Some(f.count()),
                _ => None,
            })
            .sum::<u32>();
        assert_eq!(defined, if limit == Some(0) { 2 } else { 4 }, "{limit:?}");
    }
}

/// A long source whose first non-ASCII code unit comes early has its ASCII
/// prefix found in wasm, and the host converts (and validates) the rest:
/// an ill-formed unit far past the prefix still traps, in every pair that
/// starts with an ASCII prefix.
fn long_sources_are_validated_past_a_prefix_found_in_wasm(engine: Engine) {
    for enc_b in [StringEncoding::Utf8, StringEncoding::CompactUtf16] {
        for a in [StringEncoding::Utf16, StringEncoding::CompactUtf16] {
            let mut fx = echo_fixture(engine, (a, false), (enc_b, false));
            let mut units: Vec<u16> = "ab€".encode_utf16().collect();
            units.resize(600, u16::from(b'x'));
            units[550] = 0xdc00;
            let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
            fx.write(CALLER, 0x100, &bytes);
            let n = utf16_source_len(a, units.len() as u32);
            assert_eq!(
                fx.trap(&[i32(0x100), i32(n), i32(0x80)]),
                Trap::InvalidUtf16,
                "{a} to {enc_b}"
            );
        }
        let mut fx = echo_fixture(engine, (StringEncoding::Utf8, false), (enc_b, false));
        let mut bytes = "ab€".as_bytes().to_vec();
        bytes.resize(600, b'x');
        bytes[550] = 0xff;
        fx.write(CALLER, 0x100, &bytes);
        assert_eq!(
            fx.trap(&[i32(0x100), i32(600), i32(0x80)]),
            Trap::InvalidUtf8,
            "utf8 to {enc_b}"
        );
    }
}

crate::on_every_engine!(
    the_short_string_limit_changes_who_converts_not_what,
    every_pair_of_encodings_in_both_directions,
    every_pair_of_encodings_between_64_and_32_bit_memories,
    invalid_sources_trap_in_every_pair,
    the_length_limit_is_on_the_source_bytes,
    bad_realloc_results_trap_in_transcoding_paths,
    short_strings_of_every_length_in_every_pair,
    short_invalid_sources_trap_wherever_the_bad_unit_is,
    short_sources_convert_or_trap_as_std_decides,
    long_sources_are_validated_past_a_prefix_found_in_wasm,
);
