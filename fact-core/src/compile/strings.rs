//! Strings: lifted with the source's encoding, lowered with the destination's.
//!
//! Lifting (`load_string_from_range`) traps when the byte length exceeds
//! `MAX_STRING_BYTE_LENGTH` (2^28 - 1, checked on the *source*, as the spec
//! does; Wasmtime 48 still checks 2^31 - 1 on the destination), when the
//! pointer is misaligned for the encoding (2 for `utf16` and
//! `latin1+utf16`, even for Latin-1 data), when the bytes are out of bounds,
//! and when they do not decode.
//!
//! Lowering follows the spec's `store_string_into_range` for each of the nine
//! pairs of encodings, with the same `realloc` calls in the same order with
//! the same arguments:
//!
//! | source \ destination | utf8 | utf16 | latin1+utf16 |
//! | --- | --- | --- | --- |
//! | utf8 | `store_string_copy` | `store_utf8_to_utf16` | `store_string_to_latin1_or_utf16` |
//! | utf16 | `store_utf16_to_utf8` | `store_string_copy` | `store_string_to_latin1_or_utf16` |
//! | latin1 | `store_latin1_to_utf8` | `store_string_copy` | `store_string_copy` |
//! | tagged utf16 | `store_utf16_to_utf8` | `store_string_copy` | `store_probably_utf16_to_latin1_or_utf16` |
//!
//! The code units themselves are validated, copied and transcoded by host
//! intrinsics (`transcode` and `validate` imports, see `docs/host-abi.md`),
//! which check every range they are given, except for short strings: one
//! whose code units need no checking is moved by code emitted in place
//! (`short_strings.rs`), and the others are converted by the module's own
//! wasm forms of the intrinsics (`transcoders.rs`).

use super::func::{FuncGen, Len};
use super::short_strings::Shape;
use super::Side;
use crate::abi::{ptr_type, MAX_BYTE_LENGTH};
use crate::module::Local;
use crate::options::{MemoryType, StringEncoding as E};
use crate::{Transcode, Trap};
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

/// `utf16_tag` of the spec: the top bit of a pointer-sized length.
fn utf16_tag(mem: MemoryType) -> u64 {
    1u64 << (mem.ptr_size() * 8 - 1)
}

/// The encoding of one lifted string, with `latin1+utf16` resolved by its tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Utf8,
    Utf16,
    Latin1,
}

/// The destination string being built: `(ptr, tagged length)` locals.
#[derive(Debug, Clone, Copy)]
struct Out {
    ptr: Local,
    len: Local,
}

impl FuncGen<'_, '_> {
    /// Body of a string helper `(src_ptr, src_len) -> (dst_ptr, dst_len)`.
    pub(crate) fn string_body(&mut self, src: Side, dst: Side) {
        let (ptr, len) = (self.body.param(0), self.body.param(1));
        self.string_code(src, dst, ptr, len);
    }

    /// Copies the string `(ptr, len)` of `src` (locals it leaves unchanged)
    /// into a new allocation of `dst`; pushes the new `(ptr, len)`.
    pub(crate) fn string_code(&mut self, src: Side, dst: Side, ptr: Local, len: Local) {
        let dp = ptr_type(dst.mem());
        let out = Out {
            ptr: self.local(dp),
            len: self.local(dp),
        };
        match src.encoding {
            E::Utf8 => {
                self.lift_string(src, ptr, len, 1, 1);
                self.store_string(Source::Utf8, src, ptr, len, dst, out);
            }
            E::Utf16 => {
                self.lift_string(src, ptr, len, 2, 2);
                self.store_string(Source::Utf16, src, ptr, len, dst, out);
            }
            E::CompactUtf16 => {
                let tag = utf16_tag(src.mem());
                self.ins(I::LocalGet(len.idx));
                self.ptr_const(src, tag);
                self.ptr_and_nonzero(src.mem());
                self.ins(I::If(BlockType::Empty));
                self.ins(I::LocalGet(len.idx));
                self.ptr_const(src, tag);
                self.ins(if src.mem().is_64() {
                    I::I64Xor
                } else {
                    I::I32Xor
                });
                let units = self.local_set_new(ptr_type(src.mem()));
                self.lift_string(src, ptr, units, 2, 2);
                self.store_string(Source::Utf16, src, ptr, units, dst, out);
                self.ins(I::Else);
                self.lift_string(src, ptr, len, 1, 2);
                self.store_string(Source::Latin1, src, ptr, len, dst, out);
                self.ins(I::End);
            }
        }
        self.ins(I::LocalGet(out.ptr.idx));
        self.ins(I::LocalGet(out.len.idx));
    }

    /// The lifting checks of `load_string_from_range` for `units` code units
    /// of `unit` bytes each at `ptr`, with the given alignment. Decoding is
    /// checked by the intrinsic that reads the code units.
    fn lift_string(&mut self, src: Side, ptr: Local, units: Local, unit: u32, align: u32) {
        // byte_length > MAX_STRING_BYTE_LENGTH, without overflow.
        self.ins(I::LocalGet(units.idx));
        self.ptr_const(src, u64::from(MAX_BYTE_LENGTH / unit));
        self.ins(if src.mem().is_64() {
            I::I64GtU
        } else {
            I::I32GtU
        });
        self.trap_if(Trap::StringTooLong);
        let bytes = self.scaled(src, units, unit);
        self.check_source(src, ptr, align, Len::Local(bytes));
        self.free(bytes);
    }

    /// `store_string_into_range`: dispatch on the pair of encodings.
    fn store_string(
        &mut self,
        from: Source,
        src: Side,
        ptr: Local,
        units: Local,
        dst: Side,
        out: Out,
    ) {
        let s = Str { src, ptr, units };
        match (from, dst.encoding) {
            (Source::Utf8, E::Utf8) => self.store_validated_copy(&s, false, dst, out),
            (Source::Utf16, E::Utf16) => self.store_validated_copy(&s, true, dst, out),
            (Source::Latin1, E::Utf16) => {
                self.store_copy(&s, Some(Transcode::Latin1ToUtf16), dst, 2, 2, out)
            }
            (Source::Latin1, E::CompactUtf16) => self.store_copy(&s, None, dst, 1, 2, out),
            (Source::Utf16, E::Utf8) => self.store_to_utf8(
                &s,
                dst,
                3,
                (Transcode::Utf16AsciiPrefix, Transcode::Utf16ToUtf8),
                out,
            ),
            (Source::Latin1, E::Utf8) => self.store_to_utf8(
                &s,
                dst,
                2,
                (Transcode::Latin1AsciiPrefix, Transcode::Latin1ToUtf8),
                out,
            ),
            (Source::Utf8, E::Utf16) => self.store_utf8_to_utf16(&s, dst, out),
            (Source::Utf8, E::CompactUtf16) => self.store_to_latin1_or_utf16(
                &s,
                dst,
                (Transcode::Utf8ToLatin1, Some(Transcode::Utf8ToUtf16)),
                out,
            ),
            (Source::Utf16, E::CompactUtf16) if src.encoding == E::Utf16 => self
                .store_to_latin1_or_utf16(
                    &s,
                    dst,
                    // Validated by the first pass: the rest is copied.
                    (Transcode::Utf16ToLatin1, None),
                    out,
                ),
            (Source::Utf16, E::CompactUtf16) => self.store_probably_utf16_to_compact(&s, dst, out),
        }
    }

    /// `store_string_copy`: allocate `units * unit` bytes with `align`, then
    /// widen with `op`, or `memory.copy` when there is nothing to check or
    /// convert (Latin-1 to `latin1+utf16`).
    fn store_copy(
        &mut self,
        s: &Str,
        op: Option<Transcode>,
        dst: Side,
        unit: u32,
        align: u32,
        out: Out,
    ) {
        self.dst_units(s, dst, out.len);
        let bytes = self.scaled(dst, out.len, unit);
        let new = self.realloc(dst, None, align, Len::Local(bytes));
        match op {
            Some(op) => self.transcode_whole(op, s, dst, new),
            None => self.memory_copy(s.src, s.ptr, dst, new, s.units, 1),
        }
        self.set(out.ptr, new);
    }

    /// `store_string_copy` between two sides of the same encoding, UTF-8 or
    /// UTF-16: the `validate` intrinsic checks the string where it is, and a
    /// `memory.copy` moves it. The copy is the engine's, at `memcpy` speed;
    /// an intrinsic that copied between two memories itself would need
    /// both at once, which engines such as Wasmtime only lend one at a time.
    ///
    /// A short string is copied in wasm instead, in one pass that also
    /// checks its code units (`short_strings.rs`): when they show it valid
    /// (ASCII for UTF-8, no unit above 0x7FFF for UTF-16) the host is not
    /// called at all, and otherwise only to validate it where it is.
    fn store_validated_copy(&mut self, s: &Str, utf16: bool, dst: Side, out: Out) {
        let unit = if utf16 { 2 } else { 1 };
        self.dst_units(s, dst, out.len);
        let bytes = self.scaled(dst, out.len, unit);
        let new = self.realloc(dst, None, unit, Len::Local(bytes));
        self.set(out.ptr, new);
        let shape = Shape::validated_copy(utf16);
        self.is_short(s);
        self.ins(I::If(BlockType::Empty));
        self.copy_checked_short(s, dst, new, shape);
        self.ins(I::If(BlockType::Empty));
        self.validate(s, utf16);
        self.ins(I::End);
        self.ins(I::Else);
        self.validate(s, utf16);
        self.memory_copy(s.src, s.ptr, dst, new, s.units, unit);
        self.ins(I::End);
    }

    /// Calls the `validate` intrinsic on the source string.
    fn validate(&mut self, s: &Str, utf16: bool) {
        let f = self
            .st
            .module
            .validator(utf16, s.src.instance, s.src.mem().is_64());
        self.ins(I::LocalGet(s.ptr.idx));
        self.ins(I::LocalGet(s.units.idx));
        self.ins(I::Call(f.raw()));
    }

    /// `store_string_to_utf8`: allocate one byte per code unit and copy the
    /// ASCII prefix; at the first other code unit grow to the worst case
    /// (`factor` bytes per code unit), transcode the rest, and shrink to fit.
    fn store_to_utf8(
        &mut self,
        s: &Str,
        dst: Side,
        factor: u32,
        (prefix, encode): (Transcode, Transcode),
        out: Out,
    ) {
        let dst_ty = ptr_type(dst.mem());
        self.dst_units(s, dst, out.len);
        let first = self.realloc(dst, None, 1, Len::Local(out.len));
        self.set(out.ptr, first);
        self.transcode_whole(prefix, s, dst, first);
        let ascii = self.local_set_new(dst_ty);
        self.ins(I::LocalGet(ascii.idx));
        self.ins(I::LocalGet(out.len.idx));
        self.ptr_ne(dst.mem());
        self.ins(I::If(BlockType::Empty));
        {
            let worst = self.scaled(dst, out.len, factor);
            let grown = self.realloc(
                dst,
                Some((first, Len::Local(out.len))),
                1,
                Len::Local(worst),
            );
            self.set(out.ptr, grown);
            // The spec writes `encoded[i:]` at `ptr + i`: the ASCII prefix
            // is what `realloc` kept of the first allocation.
            self.ins(I::LocalGet(ascii.idx));
            self.convert_len(dst.mem(), s.src.mem());
            let skip = self.local_set_new(ptr_type(s.src.mem()));
            let rest = self.rest_of(s, skip, src_unit(prefix));
            let at = self.advanced(dst, grown, ascii, 1);
            self.call_transcoder(encode, &rest, dst, at);
            self.ins(I::LocalGet(ascii.idx));
            self.ins(if dst.mem().is_64() {
                I::I64Add
            } else {
                I::I32Add
            });
            self.ins(I::LocalSet(out.len.idx));
            self.shrink_if_smaller(dst, out, grown, worst, out.len, 1);
        }
        self.ins(I::End);
    }

    /// Scans the (validated) source for its first code point above U+00FF:
    /// returns how many code points precede it (destination type) and how
    /// many source code units they take (source type). For UTF-8, a lead
    /// byte below 0x80 starts a one-byte code point and 0xC2 or 0xC3 a
    /// two-byte one below U+0100; anything from 0xC4 on is beyond Latin-1.
    fn latin1_prefix(&mut self, s: &Str, dst: Side) -> (Local, Local) {
        let src = s.src;
        let is64 = src.mem().is_64();
        let (mem, _) = self.memory(src);
        let utf8 = src.encoding == E::Utf8;
        let chars = self.local(ptr_type(src.mem()));
        let units = self.local(ptr_type(src.mem()));
        let at = self.copy_of(s.ptr);
        self.ptr_const(src, 0);
        self.ins(I::LocalSet(chars.idx));
        self.ptr_const(src, 0);
        self.ins(I::LocalSet(units.idx));
        let arg = MemArg {
            offset: 0,
            align: 0,
            memory_index: mem,
        };
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::Loop(BlockType::Empty));
        self.ins(I::LocalGet(at.idx));
        self.ins(if utf8 {
            I::I32Load8U(arg)
        } else {
            I::I32Load16U(arg)
        });
        let c = self.local_set_new(ValType::I32);
        self.ins(I::LocalGet(c.idx));
        self.ins(I::I32Const(if utf8 { 0xC4 } else { 0x100 }));
        self.ins(I::I32GeU);
        self.ins(I::BrIf(1));
        // step: 2 bytes for UTF-16; 1 or 2 for UTF-8 (lead byte >= 0x80).
        if utf8 {
            self.ins(I::LocalGet(c.idx));
            self.ins(I::I32Const(0x80));
            self.ins(I::I32GeU);
            self.ins(I::I32Const(1));
            self.ins(I::I32Add);
        } else {
            self.ins(I::I32Const(2));
        }
        if is64 {
            self.ins(I::I64ExtendI32U);
        }
        let step = self.local_set_new(ptr_type(src.mem()));
        for (l, by) in [(at, Some(step)), (chars, None)] {
            self.ins(I::LocalGet(l.idx));
            match by {
                Some(step) => self.ins(I::LocalGet(step.idx)),
                None => self.ptr_const(src, 1),
            }
            self.ins(if is64 { I::I64Add } else { I::I32Add });
            self.ins(I::LocalSet(l.idx));
        }
        self.ins(I::Br(0));
        self.ins(I::End);
        self.ins(I::End);
        // Source units skipped: bytes for UTF-8, code units for UTF-16.
        self.ins(I::LocalGet(at.idx));
        self.ins(I::LocalGet(s.ptr.idx));
        self.ins(if is64 { I::I64Sub } else { I::I32Sub });
        if !utf8 {
            self.ptr_const(src, 1);
            self.ins(if is64 { I::I64ShrU } else { I::I32ShrU });
        }
        self.ins(I::LocalSet(units.idx));
        self.ins(I::LocalGet(chars.idx));
        self.convert_len(src.mem(), dst.mem());
        let chars_dst = self.local_set_new(ptr_type(dst.mem()));
        for l in [c, step, at, chars] {
            self.free(l);
        }
        (chars_dst, units)
    }

    /// The source string without its first `skip` code units of `unit`
    /// bytes.
    fn rest_of(&mut self, s: &Str, skip: Local, unit: u32) -> Str {
        let is64 = s.src.mem().is_64();
        let ptr = self.advanced(s.src, s.ptr, skip, unit);
        self.ins(I::LocalGet(s.units.idx));
        self.ins(I::LocalGet(skip.idx));
        self.ins(if is64 { I::I64Sub } else { I::I32Sub });
        let units = self.local_set_new(ptr_type(s.src.mem()));
        Str {
            src: s.src,
            ptr,
            units,
        }
    }

    /// A fresh local holding `ptr + count * unit` (all of the side's pointer
    /// type).
    fn advanced(&mut self, side: Side, ptr: Local, count: Local, unit: u32) -> Local {
        let by = self.scaled(side, count, unit);
        self.ins(I::LocalGet(ptr.idx));
        self.ins(I::LocalGet(by.idx));
        self.ins(if side.mem().is_64() {
            I::I64Add
        } else {
            I::I32Add
        });
        self.local_set_new(ptr_type(side.mem()))
    }

    /// `store_utf8_to_utf16`: allocate the worst case (two bytes per UTF-8
    /// byte), transcode, and shrink to fit.
    fn store_utf8_to_utf16(&mut self, s: &Str, dst: Side, out: Out) {
        let units = self.local(ptr_type(dst.mem()));
        self.dst_units(s, dst, units);
        let worst = self.scaled(dst, units, 2);
        let new = self.realloc(dst, None, 2, Len::Local(worst));
        self.set(out.ptr, new);
        self.transcode_whole(Transcode::Utf8ToUtf16, s, dst, new);
        self.ins(I::LocalSet(out.len.idx));
        let bytes = self.scaled(dst, out.len, 2);
        self.shrink_if_smaller(dst, out, new, worst, bytes, 2);
        self.free(units);
    }

    /// `store_string_to_latin1_or_utf16`: allocate one byte per source code
    /// unit and write Latin-1; at the first code point above U+00FF grow to
    /// two bytes per code unit and write UTF-16 instead (tagged), shrinking to
    /// fit; if all was Latin-1, shrink to the Latin-1 length.
    fn store_to_latin1_or_utf16(
        &mut self,
        s: &Str,
        dst: Side,
        (latin1, utf16): (Transcode, Option<Transcode>),
        out: Out,
    ) {
        let mem = dst.mem();
        let units = self.local(ptr_type(mem));
        self.dst_units(s, dst, units);
        let first = self.realloc(dst, None, 2, Len::Local(units));
        self.set(out.ptr, first);
        self.transcode_whole(latin1, s, dst, first);
        self.ins(I::LocalTee(out.len.idx));
        self.ptr_const(
            dst,
            if mem.is_64() {
                u64::MAX
            } else {
                u64::from(u32::MAX)
            },
        );
        self.ins(if mem.is_64() { I::I64Eq } else { I::I32Eq });
        self.ins(I::If(BlockType::Empty));
        {
            let worst = self.scaled(dst, units, 2);
            let grown = self.realloc(dst, Some((first, Len::Local(units))), 2, Len::Local(worst));
            self.set(out.ptr, grown);
            // As the spec: widen in place the Latin-1 prefix that `realloc`
            // kept, then write the UTF-16 of the rest after it.
            let (latin1_chars, skip) = self.latin1_prefix(s, dst);
            self.widen_in_place(dst, grown, latin1_chars);
            let unit = if latin1 == Transcode::Utf8ToLatin1 {
                1
            } else {
                2
            };
            let rest = self.rest_of(s, skip, unit);
            let at = self.advanced(dst, grown, latin1_chars, 2);
            match utf16 {
                Some(op) => {
                    self.call_transcoder(op, &rest, dst, at);
                    self.ins(I::LocalGet(latin1_chars.idx));
                    self.ins(if mem.is_64() { I::I64Add } else { I::I32Add });
                    self.ins(I::LocalSet(out.len.idx));
                }
                None => {
                    self.memory_copy(rest.src, rest.ptr, dst, at, rest.units, 2);
                    self.set(out.len, units);
                }
            }
            let bytes = self.scaled(dst, out.len, 2);
            self.shrink_if_smaller(dst, out, grown, worst, bytes, 2);
            self.free(bytes);
            self.tag(dst, out.len);
        }
        self.ins(I::Else);
        self.shrink_if_smaller(dst, out, first, units, out.len, 2);
        self.ins(I::End);
        self.free(units);
    }

    /// `store_probably_utf16_to_latin1_or_utf16`: allocate for UTF-16, copy;
    /// if every code unit fits in Latin-1, the intrinsic compacts the copy and
    /// the allocation shrinks to one byte per code unit.
    fn store_probably_utf16_to_compact(&mut self, s: &Str, dst: Side, out: Out) {
        let mem = dst.mem();
        let units = self.local(ptr_type(mem));
        self.dst_units(s, dst, units);
        let bytes = self.scaled(dst, units, 2);
        let new = self.realloc(dst, None, 2, Len::Local(bytes));
        self.set(out.ptr, new);
        self.transcode_whole(Transcode::Utf16ToCompact, s, dst, new);
        self.ins(I::LocalSet(out.len.idx));
        // Latin-1 result (no tag): shrink from 2n to n bytes.
        self.ins(I::LocalGet(out.len.idx));
        self.ptr_const(dst, utf16_tag(mem));
        self.ptr_and_nonzero(mem);
        self.ins(I::I32Eqz);
        self.ins(I::If(BlockType::Empty));
        let shrunk = self.realloc(dst, Some((new, Len::Local(bytes))), 1, Len::Local(units));
        self.set(out.ptr, shrunk);
        self.ins(I::End);
        self.free(units);
    }

    /// `if new_size < old_size: ptr = realloc(ptr, old_size, align,
    /// new_size)`, with the spec's checks of the result.
    fn shrink_if_smaller(
        &mut self,
        dst: Side,
        out: Out,
        ptr: Local,
        old: Local,
        new: Local,
        align: u32,
    ) {
        self.ins(I::LocalGet(new.idx));
        self.ins(I::LocalGet(old.idx));
        self.ins(if dst.mem().is_64() {
            I::I64LtU
        } else {
            I::I32LtU
        });
        self.ins(I::If(BlockType::Empty));
        let shrunk = self.realloc(dst, Some((ptr, Len::Local(old))), align, Len::Local(new));
        self.set(out.ptr, shrunk);
        self.ins(I::End);
    }

    /// Sets `local` to the source's code-unit count in the destination's
    /// address type (below 2^28, so nothing is lost).
    fn dst_units(&mut self, s: &Str, dst: Side, local: Local) {
        self.ins(I::LocalGet(s.units.idx));
        self.convert_len(s.src.mem(), dst.mem());
        self.ins(I::LocalSet(local.idx));
    }

    /// Transcodes the whole source string to `dst_ptr` with `op`, leaving
    /// its result (if it has one) on the stack: a short string is first
    /// converted in wasm when `op` has an inline form (`short_strings.rs`),
    /// and the intrinsic is called only if that was not exact.
    fn transcode_whole(&mut self, op: Transcode, s: &Str, dst: Side, dst_ptr: Local) {
        let Some(shape) = Shape::of(op) else {
            return self.call_transcoder(op, s, dst, dst_ptr);
        };
        let result = if op.returns_length() {
            BlockType::Result(ptr_type(dst.mem()))
        } else {
            BlockType::Empty
        };
        self.short_and_exact(s, shape);
        self.ins(I::If(result));
        self.convert_short(s, dst, dst_ptr, shape);
        if op.returns_length() {
            // Every code unit was converted, one for one.
            self.ins(I::LocalGet(s.units.idx));
            self.convert_len(s.src.mem(), dst.mem());
        }
        self.ins(I::Else);
        self.call_transcoder(op, s, dst, dst_ptr);
        self.ins(I::End);
    }

    /// Calls a transcoding intrinsic on the source string and `dst_ptr`,
    /// leaving its result (if it has one) on the stack: through the
    /// module's function for it, which converts a short source in wasm
    /// (`transcoders.rs`).
    fn call_transcoder(&mut self, op: Transcode, s: &Str, dst: Side, dst_ptr: Local) {
        let f = self.st.transcoder_fn(op, s.src, dst);
        self.ins(I::LocalGet(s.ptr.idx));
        self.ins(I::LocalGet(s.units.idx));
        self.ins(I::LocalGet(dst_ptr.idx));
        self.ins(I::Call(f.raw()));
    }

    /// Sets the UTF-16 tag bit of a destination length.
    fn tag(&mut self, dst: Side, len: Local) {
        self.ins(I::LocalGet(len.idx));
        self.ptr_const(dst, utf16_tag(dst.mem()));
        self.ins(if dst.mem().is_64() {
            I::I64Or
        } else {
            I::I32Or
        });
        self.ins(I::LocalSet(len.idx));
    }

    /// Pops two pointer-typed values, pushes whether they differ (`i32`).
    fn ptr_ne(&mut self, mem: MemoryType) {
        self.ins(if mem.is_64() { I::I64Ne } else { I::I32Ne });
    }

    /// Pops two pointer-typed values, pushes whether their `and` is non-zero.
    fn ptr_and_nonzero(&mut self, mem: MemoryType) {
        if mem.is_64() {
            self.ins(I::I64And);
            self.ins(I::I64Const(0));
            self.ins(I::I64Ne);
        } else {
            self.ins(I::I32And);
        }
    }
}

/// Bytes per code unit of the source read by an ASCII-prefix intrinsic.
fn src_unit(prefix: Transcode) -> u32 {
    if prefix == Transcode::Utf16AsciiPrefix {
        2
    } else {
        1
    }
}

/// The lifted source string: where it is and how many code units it has.
pub(super) struct Str {
    pub(super) src: Side,
    pub(super) ptr: Local,
    pub(super) units: Local,
}
