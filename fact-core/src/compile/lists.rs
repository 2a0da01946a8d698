//! Lists, maps and fixed-length lists.
//!
//! A list is lifted from `(ptr, length)` after three checks
//! (`load_list_from_range`): the byte length is at most
//! `MAX_LIST_BYTE_LENGTH`, `ptr` is aligned, and the bytes are in bounds. It
//! is lowered into a fresh allocation of the destination's `realloc`
//! (`store_list_into_range`), whose result is checked the same way.
//!
//! Elements that are *plain* (the same bytes on both sides, nothing to check,
//! no padding: see `Record::is_plain`) are moved with a single `memory.copy`;
//! other elements are moved one by one in a loop.

use super::func::{FuncGen, Len};
use super::operand::{At, Operand};
use super::{HelperKey, Side, State};
use crate::abi::{ptr_type, Kind, Record, MAX_BYTE_LENGTH};
use crate::module::{FuncBody, FuncRef, Local, Signature};
use crate::Trap;
use wasm_encoder::{BlockType, Instruction as I};
use wit_parser::Type;

impl FuncGen<'_, '_> {
    /// Moves a string or list: reads its `(ptr, length)`, calls the helper
    /// that copies it into a new allocation, writes the new `(ptr, length)`.
    pub(crate) fn translate_sequence(&mut self, ty: &Type, src: &Operand, dst: &Operand) {
        let inline = self.inline_strings && matches!(self.kind(ty), Kind::String);
        let ps = src.side.mem().ptr_size();
        let (ptr, len, temps) = match &src.at {
            At::Locals(l) => (l[0], l[1], false),
            At::Memory { addr, offset } => {
                let ptr = self.load_ptr(src.side, *addr, *offset);
                let len = self.load_ptr(src.side, *addr, offset + ps);
                (ptr, len, true)
            }
        };
        if inline {
            self.string_code(src.side, dst.side, ptr, len);
        } else {
            let helper = self.st.sequence_helper(*ty, src.side, dst.side);
            self.ins(I::LocalGet(ptr.idx));
            self.ins(I::LocalGet(len.idx));
            self.ins(I::Call(helper.raw()));
        }
        if temps {
            self.free(ptr);
            self.free(len);
        }
        match &dst.at {
            At::Locals(l) => {
                self.ins(I::LocalSet(l[1].idx));
                self.ins(I::LocalSet(l[0].idx));
            }
            At::Memory { addr, offset } => {
                let ty = ptr_type(dst.side.mem());
                let new_len = self.local_set_new(ty);
                let new_ptr = self.local_set_new(ty);
                let pd = dst.side.mem().ptr_size();
                self.store_ptr(dst.side, *addr, *offset, new_ptr);
                self.store_ptr(dst.side, *addr, offset + pd, new_len);
                self.free(new_len);
                self.free(new_ptr);
            }
        }
    }

    /// Moves a fixed-length list of `n` elements: as a record of `n` equal
    /// fields when either side is flat, else by a copy or a loop.
    pub(crate) fn translate_fixed_list(
        &mut self,
        elem: &Type,
        n: u32,
        src: &Operand,
        dst: &Operand,
    ) {
        if !(src.in_memory() && dst.in_memory()) {
            // In flat form a fixed-length list has at most MAX_FLAT_PARAMS
            // elements, and its size is the list's, which is checked.
            let elements = vec![*elem; n as usize];
            let record = self
                .st
                .abi
                .record(&elements)
                .expect("a fixed-length list is within the maximum value size");
            return self.translate_record(&record, src, dst);
        }
        let (
            At::Memory {
                addr: sa,
                offset: so,
            },
            At::Memory {
                addr: da,
                offset: doff,
            },
        ) = (&src.at, &dst.at)
        else {
            unreachable!()
        };
        let src_ptr = self.addr_local(src.side, *sa, *so);
        let dst_ptr = self.addr_local(dst.side, *da, *doff);
        let count = self.local(wasm_encoder::ValType::I32);
        self.ins(I::I32Const(n as i32));
        self.ins(I::LocalSet(count.idx));
        let element = self
            .st
            .abi
            .record(&[*elem])
            .expect("a fixed-length list's element is within the maximum value size");
        self.copy_elements(&element, src.side, src_ptr, dst.side, dst_ptr, count);
    }

    /// A fresh local holding `addr + offset`.
    fn addr_local(&mut self, side: Side, addr: Local, offset: u32) -> Local {
        self.push_addr(side, addr, offset);
        self.local_set_new(ptr_type(side.mem()))
    }

    /// Copies `count` elements (records of one field, or two for a map)
    /// from `src_ptr` to `dst_ptr`, both already checked. `count` is a
    /// local of any integer type; `src_ptr`, `dst_ptr` and `count` are
    /// clobbered.
    fn copy_elements(
        &mut self,
        element: &Record,
        src: Side,
        src_ptr: Local,
        dst: Side,
        dst_ptr: Local,
        count: Local,
    ) {
        let src_size = element.size(src.mem());
        let dst_size = element.size(dst.mem());
        if element.is_plain() {
            // Engines run `memory.copy` between two memories out of line (a
            // call into the runtime in Wasmtime): not for an empty list.
            self.ins(I::LocalGet(count.idx));
            if count.ty == wasm_encoder::ValType::I64 {
                self.ins(I::I64Eqz);
                self.ins(I::I32Eqz);
            }
            self.ins(I::If(BlockType::Empty));
            self.memory_copy(src, src_ptr, dst, dst_ptr, count, src_size);
            self.ins(I::End);
            return;
        }
        let is64 = count.ty == wasm_encoder::ValType::I64;
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::LocalGet(count.idx));
        self.ins(if is64 { I::I64Eqz } else { I::I32Eqz });
        self.ins(I::BrIf(0));
        self.ins(I::Loop(BlockType::Empty));
        let s = Operand::memory(src, src_ptr, 0);
        let d = Operand::memory(dst, dst_ptr, 0);
        // The element is compiled here, one level deep, rather than called:
        // this loop exists once per list type, so the element's own code
        // (its fields, and the strings among them) is emitted once more per
        // list type at most, and adapter size stays linear. Deeper records,
        // variants and lists are still called.
        let inline_strings = std::mem::replace(&mut self.inline_strings, true);
        match element.fields.as_slice() {
            [single] => {
                let kind = self.kind(single);
                self.translate_kind(single, &kind, &s, &d);
            }
            _ => self.translate_record(element, &s, &d),
        }
        self.inline_strings = inline_strings;
        for (side, ptr, size) in [(src, src_ptr, src_size), (dst, dst_ptr, dst_size)] {
            self.push_addr(side, ptr, size);
            self.ins(I::LocalSet(ptr.idx));
        }
        self.ins(I::LocalGet(count.idx));
        if is64 {
            self.ins(I::I64Const(1));
            self.ins(I::I64Sub);
            self.ins(I::LocalTee(count.idx));
            self.ins(I::I64Const(0));
            self.ins(I::I64Ne);
        } else {
            self.ins(I::I32Const(1));
            self.ins(I::I32Sub);
            self.ins(I::LocalTee(count.idx));
        }
        self.ins(I::BrIf(0));
        self.ins(I::End);
        self.ins(I::End);
    }

    /// `memory.copy` of `count * size` bytes from `src_ptr` to `dst_ptr`. The
    /// length operand has the smaller of the two address types.
    pub(crate) fn memory_copy(
        &mut self,
        src: Side,
        src_ptr: Local,
        dst: Side,
        dst_ptr: Local,
        count: Local,
        size: u32,
    ) {
        let (src_mem, src_ty) = self.memory(src);
        let (dst_mem, dst_ty) = self.memory(dst);
        let len64 = src_ty.is_64() && dst_ty.is_64();
        self.ins(I::LocalGet(dst_ptr.idx));
        self.ins(I::LocalGet(src_ptr.idx));
        self.ins(I::LocalGet(count.idx));
        match (count.ty == wasm_encoder::ValType::I64, len64) {
            (true, false) => self.ins(I::I32WrapI64),
            (false, true) => self.ins(I::I64ExtendI32U),
            _ => {}
        }
        if size != 1 {
            if len64 {
                self.ins(I::I64Const(i64::from(size)));
                self.ins(I::I64Mul);
            } else {
                self.ins(I::I32Const(size as i32));
                self.ins(I::I32Mul);
            }
        }
        self.ins(I::MemoryCopy { src_mem, dst_mem });
    }

    /// Body of a list helper `(src_ptr, len) -> (dst_ptr, len)`.
    fn list_body(&mut self, element: &Record, src: Side, dst: Side) {
        let src_ptr = self.body.param(0);
        let len = self.body.param(1);
        let (src_size, src_align) = (element.size(src.mem()), element.align(src.mem()));
        let (dst_size, dst_align) = (element.size(dst.mem()), element.align(dst.mem()));

        // length * elem_size > MAX_LIST_BYTE_LENGTH, without overflow.
        self.ins(I::LocalGet(len.idx));
        self.ptr_const(src, u64::from(MAX_BYTE_LENGTH / src_size));
        self.ins(if src.mem().is_64() {
            I::I64GtU
        } else {
            I::I32GtU
        });
        self.trap_if(Trap::ListTooLong);

        let src_bytes = self.scaled(src, len, src_size);
        self.check_source(src, src_ptr, src_align, Len::Local(src_bytes));

        self.ins(I::LocalGet(len.idx));
        self.convert_len(src.mem(), dst.mem());
        let dst_len = self.local_set_new(ptr_type(dst.mem()));
        let dst_bytes = self.scaled(dst, dst_len, dst_size);
        let dst_ptr = self.realloc(dst, None, dst_align, Len::Local(dst_bytes));

        let cursor_src = self.copy_of(src_ptr);
        let cursor_dst = self.copy_of(dst_ptr);
        let count = self.copy_of(len);
        self.copy_elements(element, src, cursor_src, dst, cursor_dst, count);

        self.ins(I::LocalGet(dst_ptr.idx));
        self.ins(I::LocalGet(dst_len.idx));
    }
}

impl State<'_> {
    /// The helper `(src_ptr, len) -> (dst_ptr, len)` that copies a string or
    /// list of type `ty` from `src` to `dst`.
    pub(crate) fn sequence_helper(&mut self, ty: Type, src: Side, dst: Side) -> FuncRef {
        let ty = self.abi.representative(&ty);
        self.helper(HelperKey::Sequence(ty, src, dst))
    }

    /// The body of a sequence helper.
    pub(super) fn sequence_body(&mut self, ty: Type, src: Side, dst: Side) -> FuncBody {
        let (sp, dp) = (ptr_type(src.mem()), ptr_type(dst.mem()));
        let sig = Signature {
            params: vec![sp, sp],
            results: vec![dp, dp],
        };
        let mut g = FuncGen::new(self, sig);
        match g.kind(&ty) {
            Kind::List(element) => g.list_body(&element, src, dst),
            Kind::String => g.string_body(src, dst),
            other => unreachable!("{other:?} is not a sequence"),
        }
        g.finish()
    }
}
