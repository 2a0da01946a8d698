//! Strings the host itself lifts from and lowers into an instance's memory
//! (`load_string_from_range` and `store_string_into_range` of
//! `definitions.py`), for the built-ins that take or give one: the message
//! of `error-context.new` and of `error-context.debug-message`. (Adapters
//! move the strings of calls in wasm; these are the host's own.)

use alloc::string::String;
use alloc::vec::Vec;

use crate::{StringEncoding, Trap};

/// `MAX_STRING_BYTE_LENGTH`.
const MAX_STRING_BYTE_LENGTH: u64 = (1 << 28) - 1;

/// The UTF-16 tag of a `latin1+utf16` length (`utf16_tag`): the top bit of
/// the address type.
fn utf16_tag(memory64: bool) -> u64 {
    if memory64 {
        1 << 63
    } else {
        1 << 31
    }
}

/// Lifts the string of `tagged_units` code units at `ptr` of `mem`, in
/// `encoding` (a `latin1+utf16` length carries the UTF-16 tag).
///
/// # Errors
///
/// [`Trap::StringTooLong`] past `MAX_STRING_BYTE_LENGTH` bytes,
/// [`Trap::Misaligned`] (UTF-16 and `latin1+utf16` need 2),
/// [`Trap::OutOfBounds`], [`Trap::InvalidUtf8`], [`Trap::InvalidUtf16`].
pub fn lift_string(
    mem: &[u8],
    ptr: u64,
    tagged_units: u64,
    encoding: StringEncoding,
    memory64: bool,
) -> Result<String, Trap> {
    let (utf16, units, align) = match encoding {
        StringEncoding::Utf8 => (false, tagged_units, 1),
        StringEncoding::Utf16 => (true, tagged_units, 2),
        StringEncoding::CompactUtf16 => {
            let tag = utf16_tag(memory64);
            (tagged_units & tag != 0, tagged_units & !tag, 2)
        }
    };
    let bytes = if utf16 {
        units.checked_mul(2).ok_or(Trap::StringTooLong)?
    } else {
        units
    };
    if bytes > MAX_STRING_BYTE_LENGTH {
        return Err(Trap::StringTooLong);
    }
    if ptr % align != 0 {
        return Err(Trap::Misaligned);
    }
    let end = ptr.checked_add(bytes).ok_or(Trap::OutOfBounds)?;
    if end > mem.len() as u64 {
        return Err(Trap::OutOfBounds);
    }
    let raw = &mem[ptr as usize..end as usize];
    match (utf16, encoding) {
        (false, StringEncoding::Utf8) => core::str::from_utf8(raw)
            .map(String::from)
            .map_err(|_| Trap::InvalidUtf8),
        // Latin-1: every byte is the code point of that value.
        (false, _) => Ok(raw.iter().map(|&b| char::from(b)).collect()),
        (true, _) => char::decode_utf16(
            raw.chunks_exact(2)
                .map(|u| u16::from_le_bytes([u[0], u[1]])),
        )
        .collect::<Result<String, _>>()
        .map_err(|_| Trap::InvalidUtf16),
    }
}

/// A string lowered for an instance: the bytes to write, the alignment to
/// ask `realloc` for, and the (tagged) code-unit count to give the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoweredString {
    /// The bytes, in the instance's encoding.
    pub bytes: Vec<u8>,
    /// The alignment of the allocation: 1 for UTF-8, 2 otherwise.
    pub align: u64,
    /// The length the guest sees: code units, with the UTF-16 tag for a
    /// `latin1+utf16` string that is not Latin-1.
    pub tagged_units: u64,
}

/// Lowers `s` into `encoding` (`store_string_into_range`, with the
/// smallest form: a `latin1+utf16` string is Latin-1 when it can be).
pub fn lower_string(s: &str, encoding: StringEncoding, memory64: bool) -> LoweredString {
    let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    match encoding {
        StringEncoding::Utf8 => LoweredString {
            bytes: s.as_bytes().to_vec(),
            align: 1,
            tagged_units: s.len() as u64,
        },
        StringEncoding::Utf16 => {
            let bytes = utf16(s);
            LoweredString {
                tagged_units: bytes.len() as u64 / 2,
                bytes,
                align: 2,
            }
        }
        StringEncoding::CompactUtf16 if s.chars().all(|c| u32::from(c) < 0x100) => {
            let bytes: Vec<u8> = s.chars().map(|c| u32::from(c) as u8).collect();
            LoweredString {
                tagged_units: bytes.len() as u64,
                bytes,
                align: 2,
            }
        }
        StringEncoding::CompactUtf16 => {
            let bytes = utf16(s);
            LoweredString {
                tagged_units: (bytes.len() as u64 / 2) | utf16_tag(memory64),
                bytes,
                align: 2,
            }
        }
    }
}

/// `store_string` once `realloc` gave `at`: writes `lowered` there and its
/// pointer and (tagged) length as two integers of the address type at
/// `ptr`.
///
/// # Errors
///
/// [`Trap::ReallocMisaligned`] and [`Trap::ReallocOutOfBounds`] for `at`;
/// [`Trap::Misaligned`] if `ptr` is not aligned to the address type,
/// [`Trap::OutOfBounds`] if the two integers do not fit. Nothing is
/// written when it traps on `at`.
pub fn store_lowered_string(
    mem: &mut [u8],
    lowered: &LoweredString,
    at: u64,
    ptr: u64,
    memory64: bool,
) -> Result<(), Trap> {
    if at % lowered.align != 0 {
        return Err(Trap::ReallocMisaligned);
    }
    let len = lowered.bytes.len();
    let bytes = usize::try_from(at)
        .ok()
        .and_then(|a| mem.get_mut(a..a.checked_add(len)?))
        .ok_or(Trap::ReallocOutOfBounds)?;
    bytes.copy_from_slice(&lowered.bytes);
    let size = if memory64 { 8 } else { 4 };
    if ptr % size as u64 != 0 {
        return Err(Trap::Misaligned);
    }
    let pair = usize::try_from(ptr)
        .ok()
        .and_then(|p| mem.get_mut(p..p.checked_add(2 * size)?))
        .ok_or(Trap::OutOfBounds)?;
    let (begin, units) = pair.split_at_mut(size);
    begin.copy_from_slice(&at.to_le_bytes()[..size]);
    units.copy_from_slice(&lowered.tagged_units.to_le_bytes()[..size]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use StringEncoding::*;

    #[test]
    fn strings_round_trip_through_every_encoding_and_address_type() {
        for s in ["", "boom", "héllo", "日本語 🦀"] {
            for encoding in [Utf8, Utf16, CompactUtf16] {
                for memory64 in [false, true] {
                    let l = lower_string(s, encoding, memory64);
                    let mut mem = alloc::vec![0; 8];
                    mem.extend_from_slice(&l.bytes);
                    let back = lift_string(&mem, 8, l.tagged_units, encoding, memory64);
                    assert_eq!(back.as_deref(), Ok(s), "{encoding:?} {memory64}");
                }
            }
        }
        let compact = lower_string("héllo", CompactUtf16, false);
        assert_eq!((compact.bytes.len(), compact.tagged_units), (5, 5));
        let tagged = lower_string("日本", CompactUtf16, false);
        assert_eq!(tagged.tagged_units, 2 | 1 << 31);
    }

    /// Random memories, pointers and lengths (near the bounds, and huge):
    /// a string or a trap, never a panic; a string lifted lowers back to
    /// the same bytes when its encoding has one form.
    #[test]
    fn random_ranges_lift_or_trap() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let mem: Vec<u8> = (0..next() % 48).map(|_| next() as u8 & 0xe7).collect();
            let pick = |r: u64, edge: u64| match r % 4 {
                0 => r >> 8,
                1 => edge.wrapping_sub(r % 3),
                _ => r % (edge + 2),
            };
            let ptr = pick(next(), mem.len() as u64);
            let units = pick(next(), mem.len() as u64) | (next() & 1) << (31 + 32 * (next() & 1));
            let encoding = [Utf8, Utf16, CompactUtf16][(next() % 3) as usize];
            let memory64 = next() & 1 == 1;
            if let Ok(s) = lift_string(&mem, ptr, units, encoding, memory64) {
                if encoding == Utf8 {
                    let l = lower_string(&s, encoding, memory64);
                    assert_eq!(l.bytes, mem[ptr as usize..][..units as usize]);
                }
            }
        }
    }

    #[test]
    fn a_stored_string_is_checked_where_realloc_put_it_and_where_its_pair_goes() {
        let l = lower_string("héllo", Utf16, false);
        let mut mem = alloc::vec![0u8; 32];
        assert_eq!(
            store_lowered_string(&mut mem, &l, 17, 0, false),
            Err(Trap::ReallocMisaligned)
        );
        assert_eq!(
            store_lowered_string(&mut mem, &l, 24, 0, false),
            Err(Trap::ReallocOutOfBounds)
        );
        assert_eq!(
            store_lowered_string(&mut mem, &l, 16, 2, false),
            Err(Trap::Misaligned)
        );
        assert_eq!(
            store_lowered_string(&mut mem, &l, 16, 28, false),
            Err(Trap::OutOfBounds)
        );
        store_lowered_string(&mut mem, &l, 16, 8, false).unwrap();
        assert_eq!(mem[8..16], [16, 0, 0, 0, 5, 0, 0, 0]);
        assert_eq!(
            lift_string(&mem, 16, 5, Utf16, false).as_deref(),
            Ok("héllo")
        );
        let mut mem = alloc::vec![0u8; 48];
        store_lowered_string(&mut mem, &l, 32, 8, true).unwrap();
        assert_eq!(
            mem[8..24],
            [32, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn invalid_strings_trap_with_their_codes() {
        let mem = [0xffu8, 0xfe, 0x00, 0xd8, 0x61, 0x00];
        assert_eq!(lift_string(&mem, 0, 1, Utf8, false), Err(Trap::InvalidUtf8));
        // A lone high surrogate.
        assert_eq!(
            lift_string(&mem, 2, 1, Utf16, false),
            Err(Trap::InvalidUtf16)
        );
        assert_eq!(lift_string(&mem, 1, 1, Utf16, false), Err(Trap::Misaligned));
        assert_eq!(
            lift_string(&mem, 4, 2, Utf16, false),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(lift_string(&mem, 0, 7, Utf8, false), Err(Trap::OutOfBounds));
        assert_eq!(
            lift_string(&mem, u64::MAX, 2, Utf8, false),
            Err(Trap::OutOfBounds)
        );
        assert_eq!(
            lift_string(&mem, 0, 1 << 28, Utf8, false),
            Err(Trap::StringTooLong)
        );
        assert_eq!(
            lift_string(&mem, 0, (1 << 27) | 1 << 31, CompactUtf16, false),
            Err(Trap::StringTooLong)
        );
        // Latin-1 bytes are always valid.
        assert_eq!(
            lift_string(&mem, 0, 2, CompactUtf16, false).as_deref(),
            Ok("ÿþ")
        );
    }
}
