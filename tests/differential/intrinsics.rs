//! The host intrinsics (`fact_host::transcode`) fed random memories
//! and arguments, checked against a model built on the standard library's
//! UTF-8 and UTF-16 codecs and on the contract of `docs/host-abi.md`:
//!
//! - the checks come in order: source alignment, source range, source
//!   contents, destination alignment, destination range (and, for the
//!   intrinsics that return a length, a length that would not fit);
//! - a trap writes nothing;
//! - a success writes the transcoded string at `dst`, returns what the
//!   contract says, and writes nothing outside the destination range the
//!   adapter allocated (`room`);
//! - `validate` (`host::validate_string`) on the same source makes exactly
//!   the source's checks.

use arbitrary::{Result, Unstructured};
use fact_core::{Transcode, Trap};
use fact_host::{self as host, Memories};

/// How the source of an intrinsic is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Utf8,
    Utf16,
    Latin1,
}

fn source(op: Transcode) -> Source {
    use Transcode::*;
    match op {
        CopyUtf8 | Utf8ToUtf16 | Utf8ToLatin1 => Source::Utf8,
        CopyUtf16 | Utf16ToCompact | Utf16AsciiPrefix | Utf16ToUtf8 | Utf16ToLatin1 => {
            Source::Utf16
        }
        Latin1ToUtf16 | Latin1AsciiPrefix | Latin1ToUtf8 => Source::Latin1,
    }
}

/// Bytes of destination per source code unit, and the destination's
/// alignment (the `Transcode` docs).
fn destination(op: Transcode) -> (u64, u64) {
    use Transcode::*;
    match op {
        CopyUtf8 | Utf16AsciiPrefix | Latin1AsciiPrefix => (1, 1),
        CopyUtf16 | Utf16ToCompact | Latin1ToUtf16 | Utf8ToUtf16 => (2, 2),
        Utf16ToUtf8 => (3, 1),
        Latin1ToUtf8 => (2, 1),
        Utf8ToLatin1 | Utf16ToLatin1 => (1, 2),
    }
}

/// One call of an intrinsic.
#[derive(Debug, Clone)]
pub struct Call {
    pub op: Transcode,
    pub src_mem: Vec<u8>,
    /// `None`: the source memory is also the destination.
    pub dst_mem: Option<Vec<u8>>,
    pub src: u64,
    pub len: u64,
    pub dst: u64,
    pub dst_memory64: bool,
}

const SAMPLES: &[&str] = &[
    "",
    "a",
    "hello",
    "é",
    "ÿa",
    "€",
    "a😀b",
    "\u{80}\u{ff}",
    "\0",
    "中文",
    // Longer than the strings below which the `simd` kernels leave the
    // work to the scalar loops (64 bytes).
    "Grüße aus Zürich! Ελληνικά, 東京と大阪, 😀 naïve café, and a few words more.",
    "àéîõü ÀÉÎÕÜ ñ ç ß ÿ þ æ ø å, déjà vu, señor, Ærøskøbing, naïveté, façade.",
];

fn encode(s: &str, how: Source) -> Vec<u8> {
    match how {
        Source::Utf8 => s.as_bytes().to_vec(),
        Source::Utf16 => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Source::Latin1 => s.chars().map(|c| c as u32 as u8).collect(),
    }
}

/// A number near `around` (or anything).
fn near(u: &mut Unstructured<'_>, around: u64) -> Result<u64> {
    Ok(match u.int_in_range(0..=11)? {
        0 => u.arbitrary()?,
        1 => around.wrapping_add(u.int_in_range(0..=3)?),
        2 => around.wrapping_sub(u.int_in_range(0..=3)?),
        3 => u64::MAX - u.int_in_range(0..=3)?,
        _ => around,
    })
}

impl Call {
    /// A random call: a mostly well-formed string (sometimes with a byte
    /// changed) at a random place, and arguments near the right ones.
    pub fn arbitrary(u: &mut Unstructured<'_>) -> Result<Call> {
        let op = *u.choose(Transcode::ALL)?;
        let size = u.int_in_range(0..=320)?;
        let mut src_mem = vec![0u8; size];
        u.fill_buffer(&mut src_mem)?;
        // A string in the source encoding, sometimes damaged.
        let mut text = String::new();
        for _ in 0..u.int_in_range(0..=4)? {
            text.push_str(u.choose(SAMPLES)?);
        }
        let how = if u.ratio(1, 8)? {
            *u.choose(&[Source::Utf8, Source::Utf16, Source::Latin1])?
        } else {
            source(op)
        };
        let mut bytes = encode(&text, how);
        if !bytes.is_empty() && u.ratio(1, 4)? {
            let i = u.choose_index(bytes.len())?;
            bytes[i] = u.arbitrary()?;
        }
        let unit = if source(op) == Source::Utf16 { 2 } else { 1 };
        let mut src = 0;
        if bytes.len() <= size {
            src = u.int_in_range(0..=(size - bytes.len()) as u64)?;
            if u.ratio(3, 4)? {
                src &= !(unit - 1);
            }
            let at = src as usize;
            src_mem[at..at + bytes.len()].copy_from_slice(&bytes);
        }
        let len = near(u, bytes.len() as u64 / unit)?;
        let src = near(u, src)?;
        let (room, _) = destination(op);
        let dst_mem = if u.ratio(1, 4)? {
            None
        } else {
            Some(vec![0xaa; u.int_in_range(0..=640)?])
        };
        let dst_len = dst_mem.as_ref().map_or(size, Vec::len) as u64;
        let dst_space = dst_len.saturating_sub(len.saturating_mul(room));
        let dst = u.int_in_range(0..=dst_space)?;
        let dst = near(u, dst)?;
        Ok(Call {
            op,
            src_mem,
            dst_mem,
            src,
            len,
            dst,
            dst_memory64: u.arbitrary()?,
        })
    }
}

/// Steps 1 to 3 of the contract, the source's: its code points, or the
/// trap. These are also all that `validate` checks.
fn source_chars(call: &Call) -> std::result::Result<Vec<char>, Trap> {
    let how = source(call.op);
    let unit = if how == Source::Utf16 { 2 } else { 1 };
    let mem_len = call.src_mem.len() as u64;
    // 1, 2: the source's alignment and range.
    if !call.src.is_multiple_of(unit) {
        return Err(Trap::Misaligned);
    }
    let bytes = call
        .len
        .checked_mul(unit)
        .and_then(|n| {
            call.src
                .checked_add(n)
                .filter(|&end| end <= mem_len)
                .map(|_| n)
        })
        .ok_or(Trap::OutOfBounds)?;
    let s = &call.src_mem[call.src as usize..(call.src + bytes) as usize];
    // 3: its contents.
    let chars: Vec<char> = match how {
        Source::Utf8 => std::str::from_utf8(s)
            .map_err(|_| Trap::InvalidUtf8)?
            .chars()
            .collect(),
        Source::Utf16 => char::decode_utf16(s.chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])))
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| Trap::InvalidUtf16)?,
        Source::Latin1 => s.iter().map(|&b| char::from(b)).collect(),
    };
    Ok(chars)
}

/// What the contract says a call does: the bytes written at `dst` (a
/// prefix of the destination range) and the result, or the trap.
fn expected(call: &Call) -> std::result::Result<(Vec<u8>, Option<u64>), Trap> {
    let op = call.op;
    let how = source(op);
    let unit = if how == Source::Utf16 { 2 } else { 1 };
    let mem_len = call.src_mem.len() as u64;
    let chars = source_chars(call)?;
    let s = &call.src_mem[call.src as usize..(call.src + call.len * unit) as usize];
    // 4, 5: the destination's alignment and range.
    let (per_unit, align) = destination(op);
    if !call.dst.is_multiple_of(align) {
        return Err(Trap::Misaligned);
    }
    let dst_len = call.dst_mem.as_ref().map_or(mem_len, |m| m.len() as u64);
    call.len
        .checked_mul(per_unit)
        .and_then(|n| call.dst.checked_add(n))
        .filter(|&end| end <= dst_len)
        .ok_or(Trap::OutOfBounds)?;
    let tag = if call.dst_memory64 {
        1u64 << 63
    } else {
        1 << 31
    };
    if op.returns_length() && call.len >= tag {
        return Err(Trap::StringTooLong);
    }

    let text: String = chars.iter().collect();
    let latin1 = chars.iter().all(|&c| (c as u32) < 256);
    let latin1_prefix: Vec<u8> = chars
        .iter()
        .take_while(|&&c| (c as u32) < 256)
        .map(|&c| c as u32 as u8)
        .collect();
    let n = |v: &[u8]| Some(v.len() as u64);
    use Transcode::*;
    Ok(match op {
        CopyUtf8 | CopyUtf16 => (s.to_vec(), None),
        Utf16ToCompact if latin1 => (latin1_prefix, Some(call.len)),
        Utf16ToCompact => (s.to_vec(), Some(call.len | tag)),
        Latin1ToUtf16 => (encode(&text, Source::Utf16), None),
        Utf8ToUtf16 => {
            let out = encode(&text, Source::Utf16);
            let units = out.len() as u64 / 2;
            (out, Some(units))
        }
        Utf16AsciiPrefix | Latin1AsciiPrefix => {
            let ascii: Vec<u8> = chars
                .iter()
                .take_while(|c| c.is_ascii())
                .map(|&c| c as u8)
                .collect();
            let k = n(&ascii);
            (ascii, k)
        }
        Utf16ToUtf8 | Latin1ToUtf8 => {
            let out = text.into_bytes();
            let k = n(&out);
            (out, k)
        }
        Utf8ToLatin1 | Utf16ToLatin1 => {
            let k = if latin1 {
                n(&latin1_prefix)
            } else {
                Some(host::NOT_LATIN1)
            };
            (latin1_prefix, k)
        }
    })
}

/// Runs `call` through `fact_host::transcode` and checks it against
/// the model; returns a description of the first disagreement.
pub fn check(call: &Call) -> std::result::Result<(), String> {
    // `validate` on the same source: exactly the source's checks.
    let how = source(call.op);
    if how != Source::Latin1 {
        let utf16 = how == Source::Utf16;
        let got = host::validate_string(&call.src_mem, call.src, call.len, utf16);
        let want = source_chars(call).map(drop);
        if got != want {
            return Err(format!(
                "{call:x?}: validate (utf16: {utf16}) gave {got:?}, the contract says {want:?}"
            ));
        }
    }
    let expect = expected(call);
    let mut src_mem = call.src_mem.clone();
    let mut dst_mem = call.dst_mem.clone();
    let got = match &mut dst_mem {
        Some(dst) => host::transcode(
            call.op,
            Memories::Two { src: &src_mem, dst },
            call.src,
            call.len,
            call.dst,
            call.dst_memory64,
        ),
        None => host::transcode(
            call.op,
            Memories::One(&mut src_mem),
            call.src,
            call.len,
            call.dst,
            call.dst_memory64,
        ),
    };
    if let Some(two) = &dst_mem {
        // The form for engines that lend one memory at a time does the same.
        let mut lent = Lent {
            src: call.src_mem.clone(),
            dst: call.dst_mem.clone().unwrap(),
        };
        let (src, len, dst, dst64) = (call.src, call.len, call.dst, call.dst_memory64);
        let result =
            host::transcode_lent(call.op, &mut lent, &mut Vec::new(), src, len, dst, dst64);
        if result != got || lent.dst != *two {
            return Err(format!(
                "{call:x?}: transcode_lent gave {result:x?}, transcode {got:x?} (or wrote other bytes)"
            ));
        }
    }
    let before = call.dst_mem.as_ref().unwrap_or(&call.src_mem);
    let after = dst_mem.as_ref().unwrap_or(&src_mem);
    let fail = |what: String| Err(format!("{call:x?}: {what}"));
    if dst_mem.is_some() && src_mem != call.src_mem {
        return fail("the source memory changed".into());
    }
    match (expect, got) {
        (Err(want), Err(trap)) => {
            if want != trap {
                return fail(format!("trapped {trap:?}, the contract says {want:?}"));
            }
            if after != before {
                return fail(format!("trapped {trap:?} but wrote memory"));
            }
        }
        (Err(want), Ok(r)) => {
            return fail(format!("returned {r:?}, the contract says trap {want:?}"))
        }
        (Ok(_), Err(trap)) => {
            return fail(format!("trapped {trap:?}, the contract says it succeeds"))
        }
        (Ok((written, want)), Ok(r)) => {
            if r != want {
                return fail(format!("returned {r:x?}, the contract says {want:x?}"));
            }
            let dst = call.dst as usize;
            if after[dst..dst + written.len()] != written[..] {
                return fail(format!(
                    "wrote {:02x?}, the contract says {written:02x?}",
                    &after[dst..dst + written.len()]
                ));
            }
            let room = (call.len * destination(call.op).0) as usize;
            let outside = |m: &[u8]| [m[..dst].to_vec(), m[dst + room..].to_vec()].concat();
            if outside(after) != outside(before) {
                return fail("wrote outside the destination range".into());
            }
        }
    }
    Ok(())
}

/// Two memories lent one at a time.
struct Lent {
    src: Vec<u8>,
    dst: Vec<u8>,
}

impl host::LentMemories for Lent {
    fn src(&self) -> &[u8] {
        &self.src
    }

    fn dst(&mut self) -> &mut [u8] {
        &mut self.dst
    }
}

/// Sources longer than one piece of `transcode_lent`, with a character, a
/// surrogate pair or the code unit that ends a prefix at every place around
/// the boundary between pieces, give what `transcode` gives.
#[test]
fn lent_memories_cut_pieces_at_code_point_boundaries() {
    let chunk = host::LENT_CHUNK;
    for op in Transcode::ALL.iter().copied() {
        for special in ["é", "東", "😀", "\u{ff}", "\u{100}"] {
            for shift in 0..8 {
                let how = source(op);
                let unit = if how == Source::Utf16 { 2 } else { 1 };
                // ASCII up to just before the boundary, the special
                // character, then more ASCII.
                let before = "a".repeat(chunk / unit as usize - 4 + shift);
                let text = format!("{before}{special}{}", "b".repeat(300));
                let bytes = encode(&text, how);
                let len = (bytes.len() / unit as usize) as u64;
                let room = len * destination(op).0;
                let mut two = vec![0xaa; room as usize + 8];
                let want = host::transcode(
                    op,
                    Memories::Two {
                        src: &bytes,
                        dst: &mut two,
                    },
                    0,
                    len,
                    0,
                    false,
                );
                let mut lent = Lent {
                    src: bytes.clone(),
                    dst: vec![0xaa; room as usize + 8],
                };
                let got = host::transcode_lent(op, &mut lent, &mut Vec::new(), 0, len, 0, false);
                assert_eq!(got, want, "{op:?} {special:?} shifted {shift}");
                assert!(
                    lent.dst == two,
                    "{op:?} {special:?} shifted {shift}: other bytes"
                );
            }
        }
    }
}

/// Overlapping source and destination ranges in one memory give what two
/// memories give, for sources read onto the stack and longer ones.
#[test]
fn overlapping_ranges_within_one_memory_read_the_source_first() {
    for op in [
        Transcode::Latin1ToUtf16,
        Transcode::Utf8ToUtf16,
        Transcode::CopyUtf8,
    ] {
        for len in [10usize, 512, 513, 2000] {
            let text: String = "aé".repeat(len).chars().take(len).collect();
            let bytes = match op {
                Transcode::Latin1ToUtf16 => encode(&text, Source::Latin1),
                _ => encode(&text, Source::Utf8),
            };
            let units = bytes.len() as u64;
            let room = units * destination(op).0;
            for at in [0u64, 2, (units / 2) & !1] {
                let mut one = vec![0xaa; (units + room + 8) as usize];
                one[..bytes.len()].copy_from_slice(&bytes);
                let got = host::transcode(op, Memories::One(&mut one), 0, units, at, false);
                let mut two = vec![0xaa; one.len()];
                let want = host::transcode(
                    op,
                    Memories::Two {
                        src: &bytes,
                        dst: &mut two,
                    },
                    0,
                    units,
                    at,
                    false,
                );
                assert_eq!(got, want, "{op:?} {len} at {at}");
                let end = (at + room) as usize;
                let written = match got {
                    Ok(Some(n)) if op == Transcode::Utf8ToUtf16 => at as usize + 2 * n as usize,
                    _ => end,
                };
                assert_eq!(
                    one[at as usize..written],
                    two[at as usize..written],
                    "{op:?} {len} at {at}"
                );
            }
        }
    }
}

/// Random calls of every intrinsic agree with the model.
#[test]
fn host_intrinsics_follow_their_contract_on_random_memories() {
    let mut counts = [0usize; 2];
    for i in 0..20_000u64 {
        let bytes = super::case_bytes(0x1f7, i);
        let call = Call::arbitrary(&mut Unstructured::new(&bytes)).unwrap();
        if let Err(e) = check(&call) {
            panic!("call {i}: {e}");
        }
        counts[usize::from(expected(&call).is_ok())] += 1;
    }
    // Both successes and traps were exercised.
    assert!(counts[0] > 4_000 && counts[1] > 4_000, "{counts:?}");
}
