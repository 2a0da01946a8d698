//! Strings: lifted with the source's encoding, lowered with the destination's.
//!
//! Lifting (`load_string_from_range`) traps when the byte length exceeds
//! `MAX_STRING_BYTE_LENGTH`, when the pointer is misaligned for the encoding
//! (2 for `utf16` and `latin1+utf16`, even for Latin-1 data), when the bytes
//! are out of bounds, and when they do not decode. Lowering follows the
//! spec's `store_string_*` function for the pair of encodings, with the same
//! `realloc` calls. Validation and copying of the code units is done by host
//! intrinsics (`transcode` imports, see `docs/host-abi.md`), which check
//! every range they are given.

use super::func::{FuncGen, Len};
use super::Side;
use crate::abi::{ptr_type, MAX_BYTE_LENGTH};
use crate::module::Local;
use crate::options::{MemoryType, StringEncoding as E};
use crate::{Transcode, Trap};
use wasm_encoder::{BlockType, Instruction as I};

/// `utf16_tag` of the spec: the top bit of a pointer-sized length.
fn utf16_tag(mem: MemoryType) -> u64 {
    1u64 << (mem.ptr_size() * 8 - 1)
}

impl FuncGen<'_, '_> {
    /// Body of a string helper `(src_ptr, src_len) -> (dst_ptr, dst_len)`.
    pub(crate) fn string_body(&mut self, src: Side, dst: Side) {
        let ptr = self.body.param(0);
        let len = self.body.param(1);
        let dp = ptr_type(dst.mem());
        let out_ptr = self.local(dp);
        let out_len = self.local(dp);
        match (src.encoding, dst.encoding) {
            (E::Utf8, E::Utf8) => {
                self.lift_string(src, ptr, len, 1, 1);
                self.copy_string(
                    Transcode::CopyUtf8,
                    src,
                    ptr,
                    len,
                    dst,
                    1,
                    (out_ptr, out_len),
                );
            }
            (E::Utf16, E::Utf16) => {
                self.lift_string(src, ptr, len, 2, 2);
                self.copy_string(
                    Transcode::CopyUtf16,
                    src,
                    ptr,
                    len,
                    dst,
                    2,
                    (out_ptr, out_len),
                );
            }
            (E::CompactUtf16, E::CompactUtf16) => {
                self.compact_to_compact(src, ptr, len, dst, (out_ptr, out_len));
            }
            (from, to) => unreachable!("{from} to {to} is rejected before generation"),
        }
        self.ins(I::LocalGet(out_ptr.idx));
        self.ins(I::LocalGet(out_len.idx));
    }

    /// The lifting checks of `load_string_from_range` for `units` code units
    /// of `unit` bytes each at `ptr`, with the given alignment.
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

    /// `store_string_copy`: allocate `units * unit` bytes with alignment
    /// `unit`, then validate and copy with the intrinsic `op`.
    #[allow(clippy::too_many_arguments)]
    fn copy_string(
        &mut self,
        op: Transcode,
        src: Side,
        ptr: Local,
        units: Local,
        dst: Side,
        unit: u32,
        (out_ptr, out_len): (Local, Local),
    ) {
        self.ins(I::LocalGet(units.idx));
        self.convert_len(src.mem(), dst.mem());
        self.ins(I::LocalSet(out_len.idx));
        let bytes = self.scaled(dst, out_len, unit);
        let new = self.realloc(dst, None, unit, Len::Local(bytes));
        let f = self.transcoder(op, src, dst);
        self.ins(I::LocalGet(ptr.idx));
        self.ins(I::LocalGet(units.idx));
        self.ins(I::LocalGet(new.idx));
        self.ins(I::Call(f.raw()));
        self.ins(I::LocalGet(new.idx));
        self.ins(I::LocalSet(out_ptr.idx));
    }

    /// `latin1+utf16` to `latin1+utf16`: Latin-1 is copied as is
    /// (`store_string_copy` with alignment 2), UTF-16 goes through
    /// `store_probably_utf16_to_latin1_or_utf16`.
    fn compact_to_compact(
        &mut self,
        src: Side,
        ptr: Local,
        tagged: Local,
        dst: Side,
        (out_ptr, out_len): (Local, Local),
    ) {
        let src_tag = utf16_tag(src.mem());
        self.ins(I::LocalGet(tagged.idx));
        self.ptr_const(src, src_tag);
        if src.mem().is_64() {
            self.ins(I::I64And);
            self.ins(I::I64Const(0));
            self.ins(I::I64Ne);
        } else {
            self.ins(I::I32And);
        }
        self.ins(I::If(BlockType::Empty));
        {
            // UTF-16 data: code units = tagged ^ tag.
            self.ins(I::LocalGet(tagged.idx));
            self.ptr_const(src, src_tag);
            self.ins(if src.mem().is_64() {
                I::I64Xor
            } else {
                I::I32Xor
            });
            let units = self.local_set_new(ptr_type(src.mem()));
            self.lift_string(src, ptr, units, 2, 2);
            self.probably_utf16_to_compact(src, ptr, units, dst, (out_ptr, out_len));
            self.free(units);
        }
        self.ins(I::Else);
        {
            self.lift_string(src, ptr, tagged, 1, 2);
            self.ins(I::LocalGet(tagged.idx));
            self.convert_len(src.mem(), dst.mem());
            self.ins(I::LocalSet(out_len.idx));
            let new = self.realloc(dst, None, 2, Len::Local(out_len));
            self.memory_copy(src, ptr, dst, new, tagged, 1);
            self.ins(I::LocalGet(new.idx));
            self.ins(I::LocalSet(out_ptr.idx));
        }
        self.ins(I::End);
    }

    /// `store_probably_utf16_to_latin1_or_utf16`: allocate for UTF-16, copy;
    /// if every code unit fits in Latin-1, compact the copy and shrink the
    /// allocation to one byte per code unit.
    fn probably_utf16_to_compact(
        &mut self,
        src: Side,
        ptr: Local,
        units: Local,
        dst: Side,
        (out_ptr, out_len): (Local, Local),
    ) {
        let dst_mem = dst.mem();
        self.ins(I::LocalGet(units.idx));
        self.convert_len(src.mem(), dst_mem);
        let dst_units = self.local_set_new(ptr_type(dst_mem));
        let bytes = self.scaled(dst, dst_units, 2);
        let new = self.realloc(dst, None, 2, Len::Local(bytes));
        let f = self.transcoder(Transcode::Utf16ToCompact, src, dst);
        self.ins(I::LocalGet(ptr.idx));
        self.ins(I::LocalGet(units.idx));
        self.ins(I::LocalGet(new.idx));
        self.ins(I::Call(f.raw()));
        self.ins(I::LocalSet(out_len.idx));
        self.ins(I::LocalGet(new.idx));
        self.ins(I::LocalSet(out_ptr.idx));
        // Latin-1 result (no tag): shrink from 2n to n bytes.
        self.ins(I::LocalGet(out_len.idx));
        self.ptr_const(dst, utf16_tag(dst_mem));
        if dst_mem.is_64() {
            self.ins(I::I64And);
            self.ins(I::I64Eqz);
        } else {
            self.ins(I::I32And);
            self.ins(I::I32Eqz);
        }
        self.ins(I::If(BlockType::Empty));
        let shrunk = self.realloc(
            dst,
            Some((new, Len::Local(bytes))),
            1,
            Len::Local(dst_units),
        );
        self.ins(I::LocalGet(shrunk.idx));
        self.ins(I::LocalSet(out_ptr.idx));
        self.ins(I::End);
    }

    /// A fresh local holding `units * unit` in the side's pointer type.
    fn scaled(&mut self, side: Side, units: Local, unit: u32) -> Local {
        self.ins(I::LocalGet(units.idx));
        if unit != 1 {
            self.ptr_const(side, u64::from(unit));
            self.ins(if side.mem().is_64() {
                I::I64Mul
            } else {
                I::I32Mul
            });
        }
        self.local_set_new(ptr_type(side.mem()))
    }

    /// The transcoding intrinsic `op` from `src`'s memory to `dst`'s.
    fn transcoder(&mut self, op: Transcode, src: Side, dst: Side) -> crate::module::FuncRef {
        self.st.module.transcoder(
            op,
            (src.instance, src.mem().is_64()),
            (dst.instance, dst.mem().is_64()),
        )
    }
}
