//! Short strings: converted in wasm when every code unit allows it, so that
//! the common case makes no call to the host.
//!
//! A call to a host intrinsic costs tens of nanoseconds in engines such as
//! Wasmtime, several times what moving a short string costs. Most strings
//! are short, and most short strings are ASCII. So for a source of at most
//! the short-string limit (`AdapterCompiler::short_strings`, 256 code units
//! by default), the adapter first ORs the source's code units together: if
//! none has a bit of the [`Shape`]'s `reject` mask, converting
//! one unit in, one unit out (a copy, a widening from bytes to UTF-16 code
//! units, or a narrowing from UTF-16 code units to bytes) is exactly what
//! the intrinsic would write, and its result is known (every unit
//! converted), so the adapter converts the string itself. Otherwise the
//! intrinsic is called, as for a long string: validation and traps stay
//! the intrinsic's.
//!
//! Copies between two sides of the same encoding need no check to be exact,
//! only to be valid, so a short copy is made in the same pass that checks it
//! ([`FuncGen::copy_checked_short`]) and the host is called afterwards, to
//! validate the source where it is, only if some unit was rejected.
//!
//! Nothing the spec observes changes: the `realloc` calls of
//! `store_string_into_range` depend on lengths and on the intrinsic's
//! result, which the inline path reproduces; the source and destination
//! ranges are checked before either path runs (`load_string_from_range` and
//! the `realloc` result checks), so the inline loads and stores are in
//! bounds.
//!
//! Units move eight bytes at a time, in pieces that overlap where the length
//! is not a multiple of eight (`by_chunks`), so that hardly any unit moves
//! alone.

use super::func::FuncGen;
use super::strings::Str;
use super::Side;
use crate::abi::ptr_type;
use crate::module::Local;
use crate::Transcode;
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

/// How a short string moves: bytes per source and per destination code
/// unit (1 or 2), and the bits that no source unit may have for the inline
/// conversion to be exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Shape {
    src_unit: u32,
    dst_unit: u32,
    reject: u64,
}

impl Shape {
    /// Validating copies (`store_string_copy` of UTF-8 or UTF-16): ASCII
    /// bytes are valid UTF-8; UTF-16 code units below 0x8000 are no
    /// surrogates, so valid UTF-16.
    pub(super) fn validated_copy(utf16: bool) -> Shape {
        if utf16 {
            Shape::new(2, 2, 0x8000)
        } else {
            Shape::new(1, 1, 0x80)
        }
    }

    /// The inline form of a transcoding intrinsic applied to a whole
    /// string, when it has one. Each reproduces the intrinsic's result for
    /// a source whose units are all accepted: every unit converted.
    pub(super) fn of(op: Transcode) -> Option<Shape> {
        Some(match op {
            // Every Latin-1 byte widens to its code unit.
            Transcode::Latin1ToUtf16 => Shape::new(1, 2, 0),
            // ASCII is the same code point in both.
            Transcode::Utf8ToUtf16 => Shape::new(1, 2, 0x80),
            Transcode::Utf8ToLatin1 | Transcode::Latin1AsciiPrefix => Shape::new(1, 1, 0x80),
            Transcode::Utf16AsciiPrefix => Shape::new(2, 1, 0xFF80),
            // Code units below 256 are Latin-1 (and no surrogates).
            Transcode::Utf16ToLatin1 | Transcode::Utf16ToCompact => Shape::new(2, 1, 0xFF00),
            // Applied to what follows a non-ASCII code point, or copies.
            Transcode::Utf16ToUtf8
            | Transcode::Latin1ToUtf8
            | Transcode::CopyUtf8
            | Transcode::CopyUtf16 => return None,
        })
    }

    const fn new(src_unit: u32, dst_unit: u32, reject: u64) -> Shape {
        Shape {
            src_unit,
            dst_unit,
            reject,
        }
    }

    /// Whether some source can make the inline conversion inexact.
    pub(super) fn can_fail(self) -> bool {
        self.reject != 0
    }

    /// Code units per chunk: eight bytes on the wider side.
    fn chunk_units(self) -> u32 {
        8 / self.src_unit.max(self.dst_unit)
    }

    /// `reject` in every source unit of a 64-bit chunk.
    fn reject_mask(self) -> u64 {
        let lanes = 64 / (8 * self.src_unit);
        (0..lanes).fold(0, |mask, lane| {
            mask | self.reject << (lane * 8 * self.src_unit)
        })
    }
}

impl FuncGen<'_, '_> {
    /// Pushes whether the source string is short (see [`FuncGen::is_short`])
    /// and, when the shape can fail, has no code unit with a rejected bit:
    /// whether [`FuncGen::convert_short`] is exact for it.
    pub(super) fn short_and_exact(&mut self, s: &Str, shape: Shape) {
        self.is_short(s);
        if shape.can_fail() {
            self.ins(I::If(BlockType::Result(ValType::I32)));
            self.check_short(s, shape);
            self.ins(I::Else);
            self.ins(I::I32Const(0));
            self.ins(I::End);
        }
    }

    /// Pushes whether the source string is short: `units` at most the
    /// short-string limit.
    pub(super) fn is_short(&mut self, s: &Str) {
        self.ins(I::LocalGet(s.units.idx));
        self.ptr_const(s.src, self.st.short_units);
        self.ins(if s.src.mem().is_64() {
            I::I64LeU
        } else {
            I::I32LeU
        });
    }

    /// Pushes whether no code unit of the (bounds-checked, short) source
    /// has a bit of the shape's `reject` mask. The whole source is read
    /// before anything is written, as the spec's `load_string` does: what
    /// passes is what was there, whatever the destination overlaps.
    fn check_short(&mut self, s: &Str, shape: Shape) {
        let acc = self.local(ValType::I64);
        self.ins(I::I64Const(0));
        self.ins(I::LocalSet(acc.idx));
        self.by_chunks(s, None, shape, &mut |f, step, from, _| {
            let load = f.load(s.src, shape.src_unit * step);
            f.ins(I::LocalGet(from.idx));
            f.ins(load);
            f.ins(I::LocalGet(acc.idx));
            f.ins(I::I64Or);
            f.ins(I::LocalSet(acc.idx));
        });
        self.ins(I::LocalGet(acc.idx));
        self.ins(I::I64Const(shape.reject_mask() as i64));
        self.ins(I::I64And);
        self.ins(I::I64Eqz);
        self.free(acc);
    }

    /// Copies every code unit of the (bounds-checked, short) source string
    /// to `new` in `dst`, allocated for as many units, in the same pass that
    /// checks them: pushes whether some unit has a bit of the shape's
    /// `reject` mask (`i32`). A copy needs no check to be exact, only to be
    /// *valid* (a validated copy's shape), so when the push is non-zero the
    /// bytes are already in place and only the `validate` intrinsic is left
    /// to run. Reading and writing in one pass halves the memory traffic of
    /// the check-then-copy that conversions need.
    pub(super) fn copy_checked_short(&mut self, s: &Str, dst: Side, new: Local, shape: Shape) {
        debug_assert_eq!(shape.src_unit, shape.dst_unit, "only copies are fused");
        let acc = self.local(ValType::I64);
        let value = self.local(ValType::I64);
        self.ins(I::I64Const(0));
        self.ins(I::LocalSet(acc.idx));
        self.by_chunks(s, Some((dst, new)), shape, &mut |f, step, from, to| {
            let bytes = shape.src_unit * step;
            let (load, store) = (f.load(s.src, bytes), f.store(dst, bytes));
            f.ins(I::LocalGet(to.idx));
            f.ins(I::LocalGet(from.idx));
            f.ins(load);
            f.ins(I::LocalTee(value.idx));
            f.ins(store);
            f.ins(I::LocalGet(value.idx));
            f.ins(I::LocalGet(acc.idx));
            f.ins(I::I64Or);
            f.ins(I::LocalSet(acc.idx));
        });
        self.ins(I::LocalGet(acc.idx));
        self.ins(I::I64Const(shape.reject_mask() as i64));
        self.ins(I::I64And);
        self.ins(I::I64Const(0));
        self.ins(I::I64Ne);
        self.free(acc);
        self.free(value);
    }

    /// Converts every code unit of the (bounds-checked, short, checked)
    /// source string to `new` in `dst`, allocated for as many units.
    pub(super) fn convert_short(&mut self, s: &Str, dst: Side, new: Local, shape: Shape) {
        let value = self.local(ValType::I64);
        self.by_chunks(s, Some((dst, new)), shape, &mut |f, step, from, to| {
            let load = f.load(s.src, shape.src_unit * step);
            let store = f.store(dst, shape.dst_unit * step);
            f.ins(I::LocalGet(to.idx));
            f.ins(I::LocalGet(from.idx));
            f.ins(load);
            if step != 1 {
                f.reshape(shape, value);
            }
            f.ins(store);
        });
        self.free(value);
    }

    /// `latin1-to-utf16` of the `n` Latin-1 bytes at `at` in `dst` onto the
    /// same address: the spec's widening, in place, of the prefix that a
    /// grown `latin1+utf16` buffer kept. For `n` up to the short-string
    /// limit in wasm, the last unit first, so that no byte is overwritten before it
    /// is read; else by the intrinsic. The range was checked when `realloc`
    /// returned it, so the loads and stores are in bounds.
    pub(super) fn widen_in_place(&mut self, dst: Side, at: Local, n: Local) {
        let is64 = dst.mem().is_64();
        let (mem, _) = self.memory(dst);
        self.ins(I::LocalGet(n.idx));
        self.ptr_const(dst, self.st.short_units);
        self.ins(if is64 { I::I64LeU } else { I::I32LeU });
        self.ins(I::If(BlockType::Empty));
        let i = self.copy_of(n);
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::Loop(BlockType::Empty));
        self.ins(I::LocalGet(i.idx));
        self.ins(if is64 { I::I64Eqz } else { I::I32Eqz });
        self.ins(I::BrIf(1));
        self.ins(I::LocalGet(i.idx));
        self.ptr_const(dst, 1);
        self.ins(if is64 { I::I64Sub } else { I::I32Sub });
        self.ins(I::LocalSet(i.idx));
        // Unit `i` moves from `at + i` to `at + 2 * i`.
        self.ins(I::LocalGet(at.idx));
        self.ins(I::LocalGet(i.idx));
        self.ptr_const(dst, 1);
        self.ins(if is64 { I::I64Shl } else { I::I32Shl });
        self.ins(if is64 { I::I64Add } else { I::I32Add });
        self.ins(I::LocalGet(at.idx));
        self.ins(I::LocalGet(i.idx));
        self.ins(if is64 { I::I64Add } else { I::I32Add });
        self.ins(I::I32Load8U(unaligned(mem)));
        self.ins(I::I32Store16(unaligned(mem)));
        self.ins(I::Br(0));
        self.ins(I::End);
        self.ins(I::End);
        self.free(i);
        self.ins(I::Else);
        let widen = self.st.module.transcoder(
            Transcode::Latin1ToUtf16,
            (dst.instance, is64),
            (dst.instance, is64),
        );
        for l in [at, n, at] {
            self.ins(I::LocalGet(l.idx));
        }
        self.ins(I::Call(widen.raw()));
        self.ins(I::End);
    }

    /// Runs `each(step, from, to)` over the source (and the destination
    /// `dst` at `new`, if any; else `to` is `from`) in pieces of `step`
    /// units that together cover every unit, the way a `memcpy` covers a
    /// short range: a string of at least one chunk as its first chunk, the
    /// chunks in between (a loop, for strings over two chunks), and its last
    /// chunk, which ends where the string ends and may overlap the one
    /// before; a shorter one as two overlapping pieces of the largest power
    /// of two of units that fits (one unit alone only for a one-unit
    /// string). No unit moves alone and no loop runs for a string of up to
    /// two chunks, the common case.
    fn by_chunks(
        &mut self,
        s: &Str,
        dst: Option<(Side, Local)>,
        shape: Shape,
        each: &mut dyn FnMut(&mut Self, u32, Local, Local),
    ) {
        let new = dst.map(|(_, new)| new);
        let is64 = s.src.mem().is_64();
        let chunk = shape.chunk_units();
        // Pieces of `chunk`, `chunk / 2`, ..., 2 units: `if units >= step`,
        // each in the `else` of the one before.
        let steps: Vec<u32> = core::iter::successors(Some(chunk), |&n| Some(n / 2))
            .take_while(|&n| n >= 2 && n * 2 >= chunk)
            .collect();
        for &step in &steps {
            self.ins(I::LocalGet(s.units.idx));
            self.ptr_const(s.src, u64::from(step));
            self.ins(if is64 { I::I64GeU } else { I::I32GeU });
            self.ins(I::If(BlockType::Empty));
            each(self, step, s.ptr, new.unwrap_or(s.ptr));
            if step == chunk {
                // The chunks between the first and the last.
                self.stepping_loop(s, dst, shape, (chunk, chunk, chunk), each);
            }
            self.piece_from_end(s, dst, shape, step, each);
            self.ins(I::Else);
        }
        if steps.last() == Some(&2) {
            // One unit, or none.
            self.ins(I::LocalGet(s.units.idx));
            self.ins(if is64 { I::I64Eqz } else { I::I32Eqz });
            self.ins(I::I32Eqz);
            self.ins(I::If(BlockType::Empty));
            each(self, 1, s.ptr, new.unwrap_or(s.ptr));
            self.ins(I::End);
        } else {
            // A few units: one by one, which takes fewer bytes than more
            // pieces.
            self.stepping_loop(s, dst, shape, (1, 0, 0), each);
        }
        for _ in &steps {
            self.ins(I::End);
        }
    }

    /// Runs `each(step, at_end, at_end)` on the piece of `step` units that
    /// ends where the string ends.
    fn piece_from_end(
        &mut self,
        s: &Str,
        dst: Option<(Side, Local)>,
        shape: Shape,
        step: u32,
        each: &mut dyn FnMut(&mut Self, u32, Local, Local),
    ) {
        self.chunk_from_end(s.src, s.ptr, s, shape.src_unit, step);
        let from = self.local_set_new(ptr_type(s.src.mem()));
        let to = dst.map(|(dst, new)| {
            self.chunk_from_end(dst, new, s, shape.dst_unit, step);
            self.local_set_new(ptr_type(dst.mem()))
        });
        each(self, step, from, to.unwrap_or(from));
        for l in [Some(from), to].into_iter().flatten() {
            self.free(l);
        }
    }

    /// Runs `each(step, from, to)` from unit `skip` of the string on, `step`
    /// units at a time, while more than `keep` units are left: the chunks
    /// between the first and the last (`skip` and `keep` a chunk), or every
    /// unit (`skip` and `keep` 0, `step` 1). Counts the units left rather
    /// than comparing addresses, which could wrap at the end of a 4 GiB
    /// memory.
    fn stepping_loop(
        &mut self,
        s: &Str,
        dst: Option<(Side, Local)>,
        shape: Shape,
        (step, skip, keep): (u32, u32, u32),
        each: &mut dyn FnMut(&mut Self, u32, Local, Local),
    ) {
        let is64 = s.src.mem().is_64();
        self.push_addr(s.src, s.ptr, shape.src_unit * skip);
        let from = self.local_set_new(ptr_type(s.src.mem()));
        let to = dst.map(|(dst, new)| {
            self.push_addr(dst, new, shape.dst_unit * skip);
            self.local_set_new(ptr_type(dst.mem()))
        });
        self.ins(I::LocalGet(s.units.idx));
        if skip != 0 {
            self.ptr_const(s.src, u64::from(skip));
            self.ins(if is64 { I::I64Sub } else { I::I32Sub });
        }
        let left = self.local_set_new(ptr_type(s.src.mem()));
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::Loop(BlockType::Empty));
        self.ins(I::LocalGet(left.idx));
        if keep == 0 {
            self.ins(if is64 { I::I64Eqz } else { I::I32Eqz });
        } else {
            self.ptr_const(s.src, u64::from(keep));
            self.ins(if is64 { I::I64LeU } else { I::I32LeU });
        }
        self.ins(I::BrIf(1));
        each(self, step, from, to.unwrap_or(from));
        self.push_addr(s.src, from, shape.src_unit * step);
        self.ins(I::LocalSet(from.idx));
        if let (Some((dst, _)), Some(to)) = (dst, to) {
            self.push_addr(dst, to, shape.dst_unit * step);
            self.ins(I::LocalSet(to.idx));
        }
        self.ins(I::LocalGet(left.idx));
        self.ptr_const(s.src, u64::from(step));
        self.ins(if is64 { I::I64Sub } else { I::I32Sub });
        self.ins(I::LocalSet(left.idx));
        self.ins(I::Br(0));
        self.ins(I::End);
        self.ins(I::End);
        for l in [Some(from), to, Some(left)].into_iter().flatten() {
            self.free(l);
        }
    }

    /// Turns the chunk on the stack from source units into destination
    /// units (`value` is scratch): four bytes (in the low
    /// half) into four UTF-16 code units, or four code units into four
    /// bytes (in the low half, which the 32-bit store keeps).
    fn reshape(&mut self, shape: Shape, value: Local) {
        let shift = |f: &mut Self, by: i64, left: bool, mask: u64| {
            f.ins(I::LocalTee(value.idx));
            f.ins(I::I64Const(by));
            f.ins(if left { I::I64Shl } else { I::I64ShrU });
            f.ins(I::LocalGet(value.idx));
            f.ins(I::I64Or);
            if mask != u64::MAX {
                f.ins(I::I64Const(mask as i64));
                f.ins(I::I64And);
            }
        };
        match (shape.src_unit, shape.dst_unit) {
            // abcd -> a0b0c0d0
            (1, 2) => {
                shift(self, 16, true, 0x0000_FFFF_0000_FFFF);
                shift(self, 8, true, 0x00FF_00FF_00FF_00FF);
            }
            // a0b0c0d0 -> abcd
            (2, 1) => {
                shift(self, 8, false, 0x0000_FFFF_0000_FFFF);
                shift(self, 16, false, u64::MAX);
            }
            _ => {}
        }
    }

    /// Pushes the address of the last chunk of a side's copy of the string:
    /// `start + (units - chunk) * unit`, in the side's address type.
    fn chunk_from_end(&mut self, side: Side, start: Local, s: &Str, unit: u32, chunk: u32) {
        let is64 = side.mem().is_64();
        self.ins(I::LocalGet(start.idx));
        self.ins(I::LocalGet(s.units.idx));
        self.convert_len(s.src.mem(), side.mem());
        self.ptr_const(side, u64::from(chunk));
        self.ins(if is64 { I::I64Sub } else { I::I32Sub });
        if unit == 2 {
            self.ptr_const(side, 1);
            self.ins(if is64 { I::I64Shl } else { I::I32Shl });
        }
        self.ins(if is64 { I::I64Add } else { I::I32Add });
    }

    /// An `i64` load of `bytes` (1, 2, 4 or 8) unsigned bytes from a side's
    /// memory, with no alignment promise.
    fn load(&mut self, side: Side, bytes: u32) -> I<'static> {
        let (mem, _) = self.memory(side);
        let arg = unaligned(mem);
        match bytes {
            1 => I::I64Load8U(arg),
            2 => I::I64Load16U(arg),
            4 => I::I64Load32U(arg),
            _ => I::I64Load(arg),
        }
    }

    /// An `i64` store of its low `bytes` (1, 2, 4 or 8) bytes to a side's
    /// memory, with no alignment promise.
    fn store(&mut self, side: Side, bytes: u32) -> I<'static> {
        let (mem, _) = self.memory(side);
        let arg = unaligned(mem);
        match bytes {
            1 => I::I64Store8(arg),
            2 => I::I64Store16(arg),
            4 => I::I64Store32(arg),
            _ => I::I64Store(arg),
        }
    }
}

/// A `MemArg` with no offset and no alignment promise, in `memory_index`.
fn unaligned(memory_index: u32) -> MemArg {
    MemArg {
        offset: 0,
        align: 0,
        memory_index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reject_masks_cover_every_source_unit() {
        assert_eq!(
            Shape::validated_copy(false).reject_mask(),
            0x8080_8080_8080_8080
        );
        assert_eq!(
            Shape::validated_copy(true).reject_mask(),
            0x8000_8000_8000_8000
        );
        let narrow = Shape::of(Transcode::Utf16AsciiPrefix).unwrap();
        assert_eq!(narrow.reject_mask(), 0xFF80_FF80_FF80_FF80);
        assert!(!Shape::of(Transcode::Latin1ToUtf16).unwrap().can_fail());
    }

    #[test]
    fn chunks_are_eight_bytes_on_the_wider_side() {
        assert_eq!(Shape::validated_copy(false).chunk_units(), 8);
        assert_eq!(Shape::validated_copy(true).chunk_units(), 4);
        assert_eq!(Shape::of(Transcode::Utf8ToUtf16).unwrap().chunk_units(), 4);
        assert_eq!(
            Shape::of(Transcode::Utf16ToCompact).unwrap().chunk_units(),
            4
        );
    }
}
