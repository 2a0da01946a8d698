//! Corruption of one site of an encoded value: the new bits that make a
//! pointer, a length, a discriminant, a `char`, a `bool`, flags, string
//! bytes or a handle index invalid (usually: a few choices stay valid, and
//! both ways must then agree that they are).

use super::case::MEMORY_SIZE;
use super::values::{HandleSlot, Image, Loc, Site, SiteKind};
use arbitrary::{Result, Unstructured};

/// Picks new bits for `site` that (usually) make the value invalid.
pub fn corrupt(
    u: &mut Unstructured<'_>,
    site: &Site,
    mem64: bool,
    tag_ok: bool,
    image: &Image,
    handles: &[HandleSlot],
) -> Result<Option<(u64, String)>> {
    let tag = if mem64 { 1u64 << 63 } else { 1 << 31 };
    let old = match site.loc {
        Loc::Mem { addr, size } if !matches!(site.kind, SiteKind::StrBytes { .. }) => {
            let mut b = [0u8; 8];
            b[..size as usize].copy_from_slice(image.read(addr, size as usize));
            u64::from_le_bytes(b)
        }
        _ => 0,
    };
    let pick = |u: &mut Unstructured<'_>, choices: &[(u64, &str)]| -> Result<(u64, String)> {
        let (bits, what) = u.choose(choices)?;
        Ok((*bits, what.to_string()))
    };
    Ok(Some(match site.kind {
        SiteKind::Handle { slot } => {
            // `bits`: an index, or `1 << 32 | k` for the handle of slot `k`.
            let mut choices: Vec<(u64, String)> = vec![
                (0, "handle index 0".into()),
                (1000, "handle index that names nothing".into()),
                (
                    u64::from(fact_host::MAX_HANDLES),
                    "handle index 2^28 - 1".into(),
                ),
                (0xffff_ffff, "handle index 2^32 - 1".into()),
            ];
            for (k, other) in handles.iter().enumerate() {
                if k != slot {
                    let kind = if other.borrow { "borrow" } else { "own" };
                    let what = format!("the handle of slot {k} ({kind} {})", other.res.name());
                    choices.push((1 << 32 | k as u64, what));
                }
            }
            u.choose(&choices)?.clone()
        }
        SiteKind::Ptr { align } => {
            let mut choices = vec![
                (MEMORY_SIZE - 1, "pointer to the last byte of memory"),
                (MEMORY_SIZE, "pointer to the end of memory"),
                (MEMORY_SIZE + 64, "pointer past the end of memory"),
                (0xffff_fff0, "pointer near 2^32"),
                (0, "null pointer"),
            ];
            if align > 1 {
                choices.push((old + 1, "misaligned pointer"));
                choices.push((old + align / 2, "half-aligned pointer"));
            } else {
                choices.push((old + 1, "pointer one byte further"));
            }
            if mem64 {
                choices.push((old | 1 << 32, "pointer with bit 32 set"));
                choices.push((u64::MAX - 7, "pointer near 2^64"));
            }
            pick(u, &choices)?
        }
        SiteKind::Len { elem, compact } => {
            let max = (1u64 << 28) - 1;
            let mut choices = vec![
                (old + 1, "length one too long"),
                (0, "length zero"),
                (max / elem, "length at the byte limit"),
                (max / elem + 1, "length just over the byte limit"),
                (0x7fff_ffff, "length 2^31 - 1"),
                (MEMORY_SIZE / elem, "length of all memory"),
            ];
            if compact && tag_ok {
                choices.push((old ^ tag, "string length with the UTF-16 tag flipped"));
                choices.push((tag, "UTF-16-tagged length zero"));
                choices.push(((old + 1) | tag, "UTF-16-tagged length one too long"));
            }
            if mem64 {
                choices.push((old | 1 << 32, "length with bit 32 set"));
                choices.push((u64::MAX / 2, "length 2^63 - 1"));
            } else {
                choices.push((0xffff_ffff, "length 2^32 - 1"));
            }
            pick(u, &choices)?
        }
        SiteKind::Disc { cases } => {
            let c = u64::from(cases);
            let mut choices = vec![
                (c, "first invalid discriminant"),
                (c + 1, "invalid discriminant"),
            ];
            if let Loc::Mem { size, .. } = site.loc {
                choices.push(((1 << (8 * size)) - 1, "all-ones discriminant"));
            } else {
                choices.push((0xffff_ffff, "discriminant -1"));
                choices.push((c | 0x100, "discriminant with bit 8 set"));
                choices.push((c | 0x1_0000, "discriminant with bit 16 set"));
            }
            pick(u, &choices)?
        }
        SiteKind::Char => pick(
            u,
            &[
                (0xd800, "char U+D800 (surrogate)"),
                (0xdfff, "char U+DFFF (surrogate)"),
                (0x11_0000, "char 0x110000"),
                (0xffff_ffff, "char 0xffffffff"),
                (0x10_ffff, "char U+10FFFF (valid)"),
            ],
        )?,
        SiteKind::Bool => pick(
            u,
            &[
                (2, "bool 2"),
                (0xff, "bool 0xff"),
                (
                    if matches!(site.loc, Loc::Flat(_)) {
                        0x100
                    } else {
                        0x80
                    },
                    "bool with a high bit only",
                ),
            ],
        )?,
        SiteKind::Flags { labels } => {
            let extra = if labels >= 32 { 0 } else { !0u32 << labels };
            let mut choices = vec![(u64::from(!0u32), "flags all ones")];
            if extra != 0 {
                choices.push((old | u64::from(extra), "flags with bits beyond the labels"));
            }
            pick(u, &choices)?
        }
        SiteKind::Narrow => pick(
            u,
            &[
                (old | 0xffff_ff00, "narrow integer with high bits set"),
                (old ^ 0x8000_0000, "narrow integer with bit 31 flipped"),
                (old | 0x1_0000, "narrow integer with bit 16 set"),
            ],
        )?,
        SiteKind::StrBytes { utf16, latin1 } => {
            let Loc::Mem { size, .. } = site.loc else {
                unreachable!()
            };
            if latin1 {
                // Every byte is Latin-1: nothing to break.
                return Ok(None);
            }
            if utf16 {
                let units = size / 2;
                let off = 2 * u.int_in_range(0..=units - 1)?;
                let (unit, what): (u16, &str) = *u.choose(&[
                    (0xd800u16, "unpaired high surrogate"),
                    (0xdc00, "unpaired low surrogate"),
                    (0xdbff, "high surrogate"),
                ])?;
                (off << 32 | 2 << 24 | u64::from(unit), what.to_string())
            } else {
                let off = u.int_in_range(0..=size - 1)?;
                let room = size - off;
                let mut choices: Vec<(u32, u64, &str)> = vec![
                    (0xff, 1, "byte 0xff"),
                    (0x80, 1, "stray continuation byte"),
                    (0xc0, 1, "overlong lead byte 0xc0"),
                    (0xe2, 1, "truncated 3-byte sequence"),
                ];
                if room >= 2 {
                    choices.push((0x80c0, 2, "overlong NUL"));
                }
                if room >= 3 {
                    choices.push((0x80a0ed, 3, "encoded surrogate"));
                }
                let (bytes, n, what) = *u.choose(&choices)?;
                (off << 32 | n << 24 | u64::from(bytes), what.to_string())
            }
        }
    }))
}
