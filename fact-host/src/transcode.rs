//! The string intrinsics of the host ABI (module `transcode`), on byte slices.
//!
//! The public items are re-exported at the crate's root, whose docs give the
//! order of the checks. Every intrinsic goes through [`transcode`]: one
//! function checks the arguments of any intrinsic ([`check`]), then one
//! `match` runs the conversion of [`unicode`](super::unicode).

use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

use super::unicode::{self, validate_utf16, validate_utf8};
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

/// What [`utf8_to_latin1`] and [`utf16_to_latin1`] return when the string
/// is not Latin-1: all ones. A host passes it to the guest in the
/// destination's address type, where it is `-1` (`i32` or `i64`).
pub const NOT_LATIN1: u64 = u64::MAX;

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

    /// Runs `f` on the bytes of `src` (a checked source range) and `dst` (a
    /// checked destination range).
    fn with<R>(
        &mut self,
        src: Range<usize>,
        dst: Range<usize>,
        f: impl FnOnce(&[u8], &mut [u8]) -> R,
    ) -> R {
        match self {
            Memories::Two { src: s, dst: d } => f(&s[src], &mut d[dst]),
            Memories::One(mem) => {
                if src.end <= dst.start || dst.end <= src.start {
                    let (s, d) = disjoint(mem, src, dst);
                    f(s, d)
                } else if src.len() <= OVERLAP_ON_STACK {
                    // Overlapping ranges within one memory: read everything
                    // first. The spec's widening of a Latin-1 prefix in place
                    // (`latin1-to-utf16` with `src == dst`, after a
                    // `latin1+utf16` buffer grows) gets here, mostly with a
                    // short prefix; so do hostile guests.
                    let mut buf = [0u8; OVERLAP_ON_STACK];
                    let s = &mut buf[..src.len()];
                    s.copy_from_slice(&mem[src]);
                    f(s, &mut mem[dst])
                } else {
                    let s = mem[src].to_vec();
                    f(&s, &mut mem[dst])
                }
            }
        }
    }
}

/// Source bytes of overlapping ranges within one memory that are read onto
/// the stack; longer sources are read into a heap buffer.
const OVERLAP_ON_STACK: usize = 512;

/// Splits one memory into a shared source and a mutable destination; the
/// ranges must not overlap.
fn disjoint(mem: &mut [u8], src: Range<usize>, dst: Range<usize>) -> (&[u8], &mut [u8]) {
    if src.end <= dst.start {
        let (lo, hi) = mem.split_at_mut(dst.start);
        (&lo[src], &mut hi[..dst.len()])
    } else {
        let (lo, hi) = mem.split_at_mut(src.start);
        (&hi[..src.len()], &mut lo[dst])
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

/// The range of `len` code units of `unit` bytes each at `ptr`, which must
/// be a multiple of `align` (1 or 2); an overflowing byte length can only
/// describe a range out of bounds.
fn units(mem_len: usize, ptr: u64, len: u64, unit: u64, align: u64) -> Result<Range<usize>, Trap> {
    if ptr & (align - 1) != 0 {
        return Err(Trap::Misaligned);
    }
    range(
        mem_len,
        ptr,
        len.checked_mul(unit).ok_or(Trap::OutOfBounds)?,
    )
}

/// The encoding of an intrinsic's source, which says how it is validated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Validated as UTF-8; one byte per code unit.
    Utf8,
    /// Validated as UTF-16; two bytes per code unit, 2-aligned.
    Utf16,
    /// Not validated (every byte is a code point); one byte per code unit.
    Latin1,
}

const fn source(op: Transcode) -> Source {
    match op {
        Transcode::CopyUtf8 | Transcode::Utf8ToUtf16 | Transcode::Utf8ToLatin1 => Source::Utf8,
        Transcode::CopyUtf16
        | Transcode::Utf16ToCompact
        | Transcode::Utf16AsciiPrefix
        | Transcode::Utf16ToUtf8
        | Transcode::Utf16ToLatin1 => Source::Utf16,
        Transcode::Latin1ToUtf16 | Transcode::Latin1AsciiPrefix | Transcode::Latin1ToUtf8 => {
            Source::Latin1
        }
    }
}

/// The destination of an intrinsic: `(bytes per source code unit,
/// alignment)`. The adapter allocated that many bytes (the worst case) with
/// that alignment before the call.
const fn destination(op: Transcode) -> (u64, u64) {
    match op {
        Transcode::CopyUtf8 | Transcode::Utf16AsciiPrefix | Transcode::Latin1AsciiPrefix => (1, 1),
        Transcode::CopyUtf16
        | Transcode::Utf16ToCompact
        | Transcode::Latin1ToUtf16
        | Transcode::Utf8ToUtf16 => (2, 2),
        Transcode::Utf16ToUtf8 => (3, 1),
        Transcode::Latin1ToUtf8 => (2, 1),
        // `store_string_to_latin1_or_utf16` allocates with alignment 2: the
        // buffer may have to grow into UTF-16.
        Transcode::Utf8ToLatin1 | Transcode::Utf16ToLatin1 => (1, 2),
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
    match source(op) {
        Source::Utf8 | Source::Latin1 => units(mem_len, src, len, 1, 1),
        Source::Utf16 => units(mem_len, src, len, 2, 2),
    }
}

/// The byte range of the destination memory that `op` may write for
/// `(dst, len)`, after the alignment, bounds and length checks (steps 4 to 6
/// of the [checks](super#checks)): the worst case for the conversion, which
/// is what the adapter allocated.
///
/// With [`source_range`] and the validators, this lets an engine check an
/// intrinsic's arguments before it moves any bytes itself (the Wasmtime glue
/// copies strings between two memories in chunks that way).
pub fn destination_range(
    op: Transcode,
    mem_len: usize,
    dst: u64,
    len: u64,
    dst_memory64: bool,
) -> Result<Range<usize>, Trap> {
    let (unit, align) = destination(op);
    let range = units(mem_len, dst, len, unit, align)?;
    if op.returns_length() && len >= utf16_tag(dst_memory64) {
        // The result, or the UTF-16 tag, would not fit in the destination's
        // address type. Unreachable for lengths the adapter checked against
        // the spec's maximum string length.
        return Err(Trap::StringTooLong);
    }
    Ok(range)
}

/// The arguments of an intrinsic after every check.
struct Checked {
    src: Range<usize>,
    dst: Range<usize>,
    /// `len` (at most the source's byte length, so it fits).
    len: usize,
    /// Whether a UTF-16 source is all below 256 (`false` for the other
    /// sources).
    latin1: bool,
}

/// Checks the arguments of `op` in the order of the [checks](super#checks),
/// given the source memory and the destination memory's length.
fn check(
    op: Transcode,
    src_mem: &[u8],
    dst_len: usize,
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<Checked, Trap> {
    let src = source_range(op, src_mem.len(), src, len)?;
    let bytes = &src_mem[src.clone()];
    let latin1 = match source(op) {
        Source::Utf8 => validate_utf8(bytes).map(|()| false)?,
        // Only these two intrinsics narrow a Latin-1 string.
        Source::Utf16 if matches!(op, Transcode::Utf16ToCompact | Transcode::Utf16ToLatin1) => {
            validate_utf16(bytes)?
        }
        Source::Utf16 => unicode::validate_utf16_pairs(bytes).map(|()| false)?,
        Source::Latin1 => false,
    };
    let dst = destination_range(op, dst_len, dst, len, dst_memory64)?;
    Ok(Checked {
        src,
        dst,
        len: len as usize,
        latin1,
    })
}

/// Runs the intrinsic `op` with arguments `(src, len, dst)`.
///
/// Returns the intrinsic's result (in a `u64`: a host passes it to the guest
/// in the destination's address type) for the intrinsics that return one
/// ([`Transcode::returns_length`]), `None` for the others. `dst_memory64` is
/// the destination memory's address type: it selects the UTF-16 tag of
/// [`Transcode::Utf16ToCompact`] and bounds the `len` of the intrinsics that
/// return a value.
///
/// # Errors
///
/// The [checks](super#checks) of the intrinsic; nothing is written when one
/// fails.
///
/// # Example
///
/// ```
/// use fact_host::{self as host, Memories};
/// use fact_host::Transcode;
///
/// // Two instances that share one memory: "héllo" in UTF-8 at 0, to
/// // UTF-16 at 16.
/// let mut mem = [0u8; 32];
/// mem[..6].copy_from_slice("héllo".as_bytes());
/// let units = host::transcode(Transcode::Utf8ToUtf16, Memories::One(&mut mem), 0, 6, 16, false)?;
/// assert_eq!(units, Some(5));
/// assert_eq!(&mem[16..26], b"h\0\xe9\0l\0l\0o\0");
/// # Ok::<(), fact_host::Trap>(())
/// ```
pub fn transcode(
    op: Transcode,
    mut mems: Memories<'_>,
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<Option<u64>, Trap> {
    let checked = check(op, mems.src(), mems.dst_len(), src, len, dst, dst_memory64)?;
    let kernel = Kernel::of(op, checked.latin1);
    let (written, stopped) = mems.with(checked.src.clone(), checked.dst.clone(), |s, d| {
        kernel.run(s, d)
    });
    Ok(answer(op, &checked, dst_memory64, written, stopped))
}

/// Source bytes [`transcode_lent`] moves per step: small enough to stay in
/// the cache between the copy out of the source memory and the conversion.
pub const LENT_CHUNK: usize = 64 * 1024;

/// Two linear memories that an engine lends one at a time, as Wasmtime's
/// safe API does (a `&mut` to one memory borrows the whole store).
pub trait LentMemories {
    /// The source memory's bytes.
    fn src(&self) -> &[u8];
    /// The destination memory's bytes.
    fn dst(&mut self) -> &mut [u8];
}

/// [`transcode`] between two distinct memories that are lent one at a time.
///
/// Checks the arguments (validating the source where it is), then moves the
/// source through `scratch` in pieces of at most [`LENT_CHUNK`] bytes, each
/// cut at a code point boundary, and converts each piece into the
/// destination. Results, traps and the bytes written are those of
/// [`transcode`] with [`Memories::Two`]; the source is read from memory once,
/// `scratch` never holds more than a piece, and an intrinsic that stops
/// early (an ASCII or Latin-1 prefix) copies nothing past where it stops.
///
/// # Errors
///
/// As [`transcode`].
///
/// # Example
///
/// ```
/// use fact_host::{self as host, LentMemories};
/// use fact_host::Transcode;
///
/// struct Pair { caller: Vec<u8>, callee: Vec<u8> }
/// impl LentMemories for Pair {
///     fn src(&self) -> &[u8] { &self.caller }
///     fn dst(&mut self) -> &mut [u8] { &mut self.callee }
/// }
///
/// let mut mems = Pair { caller: "héllo".into(), callee: vec![0; 12] };
/// let mut scratch = Vec::new();
/// let units = host::transcode_lent(Transcode::Utf8ToUtf16, &mut mems, &mut scratch, 0, 6, 0, false)?;
/// assert_eq!(units, Some(5));
/// assert_eq!(&mems.callee[..10], b"h\0\xe9\0l\0l\0o\0");
/// # Ok::<(), fact_host::Trap>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn transcode_lent(
    op: Transcode,
    mems: &mut impl LentMemories,
    scratch: &mut Vec<u8>,
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<Option<u64>, Trap> {
    let dst_len = mems.dst().len();
    let checked = check(op, mems.src(), dst_len, src, len, dst, dst_memory64)?;
    let kernel = Kernel::of(op, checked.latin1);
    let encoding = source(op);
    let (mut done, mut written, mut stopped) = (checked.src.start, 0, false);
    while done < checked.src.end && !stopped {
        let piece = {
            let src_mem = mems.src();
            let end = piece_end(&src_mem[done..checked.src.end], encoding);
            scratch.clear();
            scratch.extend_from_slice(&src_mem[done..done + end]);
            done += end;
            &scratch[..]
        };
        let out = &mut mems.dst()[checked.dst.start + written..checked.dst.end];
        let (n, stop) = kernel.run(piece, out);
        written += n;
        stopped = stop;
    }
    Ok(answer(op, &checked, dst_memory64, written, stopped))
}

/// The length of the next piece of `rest` (the source bytes not yet moved)
/// for [`transcode_lent`]: at most [`LENT_CHUNK`] bytes, not splitting a
/// UTF-8 character or a UTF-16 surrogate pair (an even length always ends
/// between UTF-16 code units). A validated source has a boundary within
/// every four bytes.
fn piece_end(rest: &[u8], encoding: Source) -> usize {
    if rest.len() <= LENT_CHUNK {
        return rest.len();
    }
    let end = LENT_CHUNK;
    match encoding {
        Source::Utf8 => (1..=end)
            .rev()
            .find(|&e| rest[e] & 0xc0 != 0x80)
            .unwrap_or(end),
        Source::Utf16 if unicode::is_high(u16::from_le_bytes([rest[end - 2], rest[end - 1]])) => {
            end - 2
        }
        Source::Utf16 | Source::Latin1 => end,
    }
}

/// The conversion an intrinsic applies to its checked source, one piece
/// or the whole of it at a time.
#[derive(Clone, Copy)]
enum Kernel {
    /// The bytes as they are.
    Copy,
    /// UTF-16 code units below 256 to bytes.
    Narrow,
    /// Bytes to UTF-16 code units.
    Widen,
    /// UTF-8 to UTF-16.
    Utf8ToUtf16,
    /// UTF-16 to UTF-8.
    Utf16ToUtf8,
    /// Latin-1 to UTF-8.
    Latin1ToUtf8,
    /// The UTF-16 code units below 0x80, to bytes, up to the first other one.
    Utf16AsciiPrefix,
    /// The bytes below 0x80 up to the first other one.
    Latin1AsciiPrefix,
    /// UTF-8 to Latin-1, up to the first code point above U+00FF.
    Utf8ToLatin1,
    /// UTF-16 code units below 256, to bytes, up to the first other one.
    Latin1Prefix,
}

impl Kernel {
    /// The kernel of `op`, for a source that is Latin-1 (`latin1`, known for
    /// a UTF-16 source) or not.
    fn of(op: Transcode, latin1: bool) -> Kernel {
        match op {
            Transcode::CopyUtf8 | Transcode::CopyUtf16 => Kernel::Copy,
            Transcode::Utf16ToCompact | Transcode::Utf16ToLatin1 if latin1 => Kernel::Narrow,
            Transcode::Utf16ToCompact => Kernel::Copy,
            Transcode::Utf16ToLatin1 => Kernel::Latin1Prefix,
            Transcode::Latin1ToUtf16 => Kernel::Widen,
            Transcode::Utf8ToUtf16 => Kernel::Utf8ToUtf16,
            Transcode::Utf16AsciiPrefix => Kernel::Utf16AsciiPrefix,
            Transcode::Latin1AsciiPrefix => Kernel::Latin1AsciiPrefix,
            Transcode::Utf16ToUtf8 => Kernel::Utf16ToUtf8,
            Transcode::Latin1ToUtf8 => Kernel::Latin1ToUtf8,
            Transcode::Utf8ToLatin1 => Kernel::Utf8ToLatin1,
        }
    }

    /// Converts `src` (validated) into `dst` (room for the worst case of
    /// `src`). Returns the bytes written and whether the kernel stopped
    /// before the end of `src`.
    fn run(self, src: &[u8], dst: &mut [u8]) -> (usize, bool) {
        match self {
            Kernel::Copy => {
                dst[..src.len()].copy_from_slice(src);
                (src.len(), false)
            }
            Kernel::Narrow => {
                let n = src.len() / 2;
                unicode::narrow(src, &mut dst[..n]);
                (n, false)
            }
            Kernel::Widen => {
                let n = 2 * src.len();
                unicode::latin1_to_utf16(src, &mut dst[..n]);
                (n, false)
            }
            Kernel::Utf8ToUtf16 => (2 * unicode::utf8_to_utf16(src, dst), false),
            Kernel::Utf16ToUtf8 => (unicode::utf16_to_utf8(src, dst), false),
            Kernel::Latin1ToUtf8 => (unicode::latin1_to_utf8(src, dst), false),
            Kernel::Utf16AsciiPrefix => {
                let n = unicode::utf16_ascii_prefix(src, dst);
                (n, 2 * n < src.len())
            }
            Kernel::Latin1AsciiPrefix => {
                let n = unicode::ascii_prefix(src);
                dst[..n].copy_from_slice(&src[..n]);
                (n, n < src.len())
            }
            Kernel::Utf8ToLatin1 => match unicode::utf8_to_latin1(src, dst) {
                Some(n) => (n, false),
                // What it wrote before it stopped is no longer counted.
                None => (0, true),
            },
            Kernel::Latin1Prefix => {
                let n = unicode::utf16_prefix(src, false);
                unicode::narrow(&src[..2 * n], &mut dst[..n]);
                (n, 2 * n < src.len())
            }
        }
    }
}

/// What `op` returns after its kernel wrote `written` bytes and `stopped`
/// (or not) before the end of the source.
fn answer(
    op: Transcode,
    checked: &Checked,
    dst_memory64: bool,
    written: usize,
    stopped: bool,
) -> Option<u64> {
    let written = written as u64;
    let len = checked.len as u64;
    match op {
        Transcode::CopyUtf8 | Transcode::CopyUtf16 | Transcode::Latin1ToUtf16 => None,
        Transcode::Utf16ToCompact if checked.latin1 => Some(len),
        Transcode::Utf16ToCompact => Some(len | utf16_tag(dst_memory64)),
        Transcode::Utf8ToUtf16 => Some(written / 2),
        Transcode::Utf16AsciiPrefix
        | Transcode::Latin1AsciiPrefix
        | Transcode::Utf16ToUtf8
        | Transcode::Latin1ToUtf8 => Some(written),
        Transcode::Utf8ToLatin1 if stopped => Some(NOT_LATIN1),
        Transcode::Utf8ToLatin1 => Some(written),
        Transcode::Utf16ToLatin1 if checked.latin1 => Some(len),
        Transcode::Utf16ToLatin1 => Some(NOT_LATIN1),
    }
}

/// [`transcode`] between two memories, for an intrinsic that returns a
/// value.
fn two(
    op: Transcode,
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let mems = Memories::Two {
        src: src_mem,
        dst: dst_mem,
    };
    transcode(op, mems, src, len, dst, dst_memory64).map(|r| r.unwrap_or(0))
}

/// [`transcode`] within one memory, for an intrinsic that returns a value.
fn one(
    op: Transcode,
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    transcode(op, Memories::One(mem), src, len, dst, dst_memory64).map(|r| r.unwrap_or(0))
}

/// `validate` `utf8:N` / `utf16:N` `(ptr, len) -> ()`: checks that the
/// `len` code units at `ptr` in `mem` are in bounds and well-formed UTF-8
/// (or, with `utf16`, 2-aligned UTF-16), in the order of the
/// [checks](super#checks) of a source. Writes nothing.
///
/// # Errors
///
/// [`Trap::Misaligned`] (an odd UTF-16 pointer), [`Trap::OutOfBounds`] (the
/// range, or `2 * len`, leaves the memory), [`Trap::InvalidUtf8`] or
/// [`Trap::InvalidUtf16`].
///
/// # Example
///
/// ```
/// use fact_host::{self as host, Trap};
///
/// let mem = b"..h\xc3\xa9llo\xff";
/// host::validate_string(mem, 2, 6, false)?;
/// assert_eq!(host::validate_string(mem, 2, 7, false), Err(Trap::InvalidUtf8));
/// assert_eq!(host::validate_string(mem, 2, 8, false), Err(Trap::OutOfBounds));
/// assert_eq!(host::validate_string(mem, 1, 1, true), Err(Trap::Misaligned));
/// # Ok::<(), Trap>(())
/// ```
pub fn validate_string(mem: &[u8], ptr: u64, len: u64, utf16: bool) -> Result<(), Trap> {
    if utf16 {
        let range = units(mem.len(), ptr, len, 2, 2)?;
        unicode::validate_utf16_pairs(&mem[range])
    } else {
        let range = units(mem.len(), ptr, len, 1, 1)?;
        validate_utf8(&mem[range])
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
/// use fact_host::{self as host, Trap};
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
    two(Transcode::CopyUtf8, src_mem, src, len, dst_mem, dst, true).map(drop)
}

/// [`copy_utf8`] within one memory; overlapping ranges are allowed.
pub fn copy_utf8_within(mem: &mut [u8], src: u64, len: u64, dst: u64) -> Result<(), Trap> {
    one(Transcode::CopyUtf8, mem, src, len, dst, true).map(drop)
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
    two(Transcode::CopyUtf16, src_mem, src, len, dst_mem, dst, true).map(drop)
}

/// [`copy_utf16`] within one memory; overlapping ranges are allowed.
pub fn copy_utf16_within(mem: &mut [u8], src: u64, len: u64, dst: u64) -> Result<(), Trap> {
    one(Transcode::CopyUtf16, mem, src, len, dst, true).map(drop)
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
/// use fact_host as host;
///
/// let src: Vec<u8> = "hé€".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// let mut dst = [0u8; 6];
/// // '€' is U+20AC: not Latin-1, so the string stays UTF-16 and is tagged.
/// assert_eq!(host::utf16_to_compact(&src, 0, 3, &mut dst, 0, false)?, 3 | 1 << 31);
/// assert_eq!(&dst[..], &src[..]);
/// // "hé" is Latin-1.
/// assert_eq!(host::utf16_to_compact(&src, 0, 2, &mut dst, 0, true)?, 2);
/// assert_eq!(&dst[..2], b"h\xe9");
/// # Ok::<(), fact_host::Trap>(())
/// ```
pub fn utf16_to_compact(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let op = Transcode::Utf16ToCompact;
    two(op, src_mem, src, len, dst_mem, dst, dst_memory64)
}

/// [`utf16_to_compact`] within one memory; overlapping ranges are allowed.
pub fn utf16_to_compact_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    one(Transcode::Utf16ToCompact, mem, src, len, dst, dst_memory64)
}

/// `latin1-to-utf16 (src, len, dst) -> ()`: widens the `len` Latin-1 bytes
/// at `src` in `src_mem` to `len` UTF-16 code units (`2 * len` bytes) at
/// `dst` in `dst_mem`.
///
/// # Errors
///
/// [`Trap::Misaligned`] if `dst` is odd, [`Trap::OutOfBounds`] if either
/// range leaves its memory (or `2 * len` overflows).
///
/// # Example
///
/// ```
/// use fact_host as host;
///
/// let mut dst = [0u8; 4];
/// host::latin1_to_utf16(b"h\xe9", 0, 2, &mut dst, 0)?;
/// assert_eq!(dst, *b"h\0\xe9\0");
/// # Ok::<(), fact_host::Trap>(())
/// ```
pub fn latin1_to_utf16(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
) -> Result<(), Trap> {
    two(
        Transcode::Latin1ToUtf16,
        src_mem,
        src,
        len,
        dst_mem,
        dst,
        true,
    )
    .map(drop)
}

/// [`latin1_to_utf16`] within one memory; overlapping ranges are allowed.
pub fn latin1_to_utf16_within(mem: &mut [u8], src: u64, len: u64, dst: u64) -> Result<(), Trap> {
    one(Transcode::Latin1ToUtf16, mem, src, len, dst, true).map(drop)
}

/// `utf8-to-utf16 (src, len, dst) -> code_units`: checks that the `len`
/// bytes at `src` in `src_mem` are UTF-8 and writes them as UTF-16 to `dst`
/// in `dst_mem`, which must have room for the worst case, `2 * len` bytes.
/// Returns the number of code units written.
///
/// `dst_memory64` is the destination's address type, in which the result
/// must fit.
///
/// # Errors
///
/// [`Trap::OutOfBounds`] if the source range or the `2 * len`-byte
/// destination range leaves its memory, [`Trap::InvalidUtf8`] if the bytes
/// are not UTF-8, [`Trap::Misaligned`] if `dst` is odd,
/// [`Trap::StringTooLong`] if `len` does not fit below the UTF-16 tag of the
/// destination's address type.
///
/// # Example
///
/// ```
/// use fact_host as host;
///
/// let src = "h€😀".as_bytes(); // 1 + 3 + 4 bytes
/// let mut dst = [0u8; 16];
/// assert_eq!(host::utf8_to_utf16(src, 0, 8, &mut dst, 0, false)?, 4);
/// assert_eq!(&dst[..8], b"h\0\xac\x20\x3d\xd8\x00\xde");
/// # Ok::<(), fact_host::Trap>(())
/// ```
pub fn utf8_to_utf16(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let op = Transcode::Utf8ToUtf16;
    two(op, src_mem, src, len, dst_mem, dst, dst_memory64)
}

/// [`utf8_to_utf16`] within one memory; overlapping ranges are allowed.
pub fn utf8_to_utf16_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    one(Transcode::Utf8ToUtf16, mem, src, len, dst, dst_memory64)
}

/// `utf16-ascii-prefix (src, len, dst) -> i`: checks that the `len` UTF-16
/// code units at `src` in `src_mem` are UTF-16 (all of them), then copies the
/// leading code units below 0x80 to `dst` in `dst_mem` as bytes, stopping at
/// the first other one; `dst` must have room for `len` bytes. Returns how
/// many were copied (`len` if the string is ASCII).
///
/// # Errors
///
/// As [`copy_utf16`], except that `dst` may be odd and the destination range
/// is `len` bytes; [`Trap::StringTooLong`] as [`utf8_to_utf16`].
///
/// # Example
///
/// ```
/// use fact_host as host;
///
/// let src: Vec<u8> = "abé".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// let mut dst = [0u8; 3];
/// assert_eq!(host::utf16_ascii_prefix(&src, 0, 3, &mut dst, 0, false)?, 2);
/// assert_eq!(&dst[..2], b"ab");
/// # Ok::<(), fact_host::Trap>(())
/// ```
pub fn utf16_ascii_prefix(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let op = Transcode::Utf16AsciiPrefix;
    two(op, src_mem, src, len, dst_mem, dst, dst_memory64)
}

/// [`utf16_ascii_prefix`] within one memory; overlapping ranges are allowed.
pub fn utf16_ascii_prefix_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    one(
        Transcode::Utf16AsciiPrefix,
        mem,
        src,
        len,
        dst,
        dst_memory64,
    )
}

/// `latin1-ascii-prefix (src, len, dst) -> i`: copies the leading bytes
/// below 0x80 of the `len` Latin-1 bytes at `src` in `src_mem` to `dst` in
/// `dst_mem`, stopping at the first other one; `dst` must have room for
/// `len` bytes. Returns how many were copied (`len` if the string is ASCII).
///
/// # Errors
///
/// [`Trap::OutOfBounds`] if either range leaves its memory;
/// [`Trap::StringTooLong`] as [`utf8_to_utf16`].
pub fn latin1_ascii_prefix(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let op = Transcode::Latin1AsciiPrefix;
    two(op, src_mem, src, len, dst_mem, dst, dst_memory64)
}

/// [`latin1_ascii_prefix`] within one memory; overlapping ranges are
/// allowed.
pub fn latin1_ascii_prefix_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    one(
        Transcode::Latin1AsciiPrefix,
        mem,
        src,
        len,
        dst,
        dst_memory64,
    )
}

/// `utf16-to-utf8 (src, len, dst) -> bytes`: checks the `len` UTF-16 code
/// units at `src` in `src_mem` and writes them as UTF-8 to `dst` in
/// `dst_mem`, which must have room for the worst case, `3 * len` bytes.
/// Returns the number of bytes written.
///
/// # Errors
///
/// [`Trap::Misaligned`] if `src` is odd, [`Trap::OutOfBounds`] if the
/// `2 * len`-byte source range or the `3 * len`-byte destination range
/// leaves its memory, [`Trap::InvalidUtf16`] on an unpaired surrogate;
/// [`Trap::StringTooLong`] as [`utf8_to_utf16`].
///
/// # Example
///
/// ```
/// use fact_host as host;
///
/// let src: Vec<u8> = "h€".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// let mut dst = [0u8; 6];
/// assert_eq!(host::utf16_to_utf8(&src, 0, 2, &mut dst, 0, false)?, 4);
/// assert_eq!(&dst[..4], "h€".as_bytes());
/// # Ok::<(), fact_host::Trap>(())
/// ```
pub fn utf16_to_utf8(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let op = Transcode::Utf16ToUtf8;
    two(op, src_mem, src, len, dst_mem, dst, dst_memory64)
}

/// [`utf16_to_utf8`] within one memory; overlapping ranges are allowed.
pub fn utf16_to_utf8_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    one(Transcode::Utf16ToUtf8, mem, src, len, dst, dst_memory64)
}

/// `latin1-to-utf8 (src, len, dst) -> bytes`: writes the `len` Latin-1
/// bytes at `src` in `src_mem` as UTF-8 to `dst` in `dst_mem`, which must
/// have room for the worst case, `2 * len` bytes. Returns the number of
/// bytes written.
///
/// # Errors
///
/// [`Trap::OutOfBounds`] if the source range or the `2 * len`-byte
/// destination range leaves its memory; [`Trap::StringTooLong`] as
/// [`utf8_to_utf16`].
pub fn latin1_to_utf8(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let op = Transcode::Latin1ToUtf8;
    two(op, src_mem, src, len, dst_mem, dst, dst_memory64)
}

/// [`latin1_to_utf8`] within one memory; overlapping ranges are allowed.
pub fn latin1_to_utf8_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    one(Transcode::Latin1ToUtf8, mem, src, len, dst, dst_memory64)
}

/// `utf8-to-latin1 (src, len, dst) -> n | all-ones`: checks that the `len`
/// bytes at `src` in `src_mem` are UTF-8 (all of them), then writes their
/// code points to `dst` in `dst_mem` as Latin-1 bytes while they are below
/// 256. Returns the number of bytes written if all were, else
/// [`NOT_LATIN1`]; the bytes written before the first other code point stay
/// written. `dst` must have room for `len` bytes and be 2-aligned (the
/// adapter allocates it so that it can grow into UTF-16).
///
/// # Errors
///
/// [`Trap::OutOfBounds`] if either range leaves its memory,
/// [`Trap::InvalidUtf8`] if the bytes are not UTF-8, [`Trap::Misaligned`] if
/// `dst` is odd; [`Trap::StringTooLong`] as [`utf8_to_utf16`].
///
/// # Example
///
/// ```
/// use fact_host::{self as host, NOT_LATIN1};
///
/// let mut dst = [0u8; 8];
/// assert_eq!(host::utf8_to_latin1("hé".as_bytes(), 0, 3, &mut dst, 0, false)?, 2);
/// assert_eq!(&dst[..2], b"h\xe9");
/// assert_eq!(host::utf8_to_latin1("a€".as_bytes(), 0, 4, &mut dst, 0, false)?, NOT_LATIN1);
/// # Ok::<(), fact_host::Trap>(())
/// ```
pub fn utf8_to_latin1(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let op = Transcode::Utf8ToLatin1;
    two(op, src_mem, src, len, dst_mem, dst, dst_memory64)
}

/// [`utf8_to_latin1`] within one memory; overlapping ranges are allowed.
pub fn utf8_to_latin1_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    one(Transcode::Utf8ToLatin1, mem, src, len, dst, dst_memory64)
}

/// `utf16-to-latin1 (src, len, dst) -> n | all-ones`: as [`utf8_to_latin1`],
/// from the `len` UTF-16 code units (`2 * len` bytes, 2-aligned, all
/// checked) at `src`: `n` is `len` when every code unit is below 256.
///
/// # Errors
///
/// [`Trap::Misaligned`] if `src` or `dst` is odd, [`Trap::OutOfBounds`] if
/// the `2 * len`-byte source range or the `len`-byte destination range
/// leaves its memory, [`Trap::InvalidUtf16`] on an unpaired surrogate;
/// [`Trap::StringTooLong`] as [`utf8_to_utf16`].
pub fn utf16_to_latin1(
    src_mem: &[u8],
    src: u64,
    len: u64,
    dst_mem: &mut [u8],
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    let op = Transcode::Utf16ToLatin1;
    two(op, src_mem, src, len, dst_mem, dst, dst_memory64)
}

/// [`utf16_to_latin1`] within one memory; overlapping ranges are allowed.
pub fn utf16_to_latin1_within(
    mem: &mut [u8],
    src: u64,
    len: u64,
    dst: u64,
    dst_memory64: bool,
) -> Result<u64, Trap> {
    one(Transcode::Utf16ToLatin1, mem, src, len, dst, dst_memory64)
}

#[cfg(test)]
mod tests;
