//! Scalars: integers, floats, `bool` and `char`.
//!
//! Lifting narrows flat integers to their width (`lift_flat_unsigned`,
//! `lift_flat_signed`), turns any non-zero into `true`
//! (`convert_int_to_bool`) and rejects surrogates and values above U+10FFFF
//! (`convert_i32_to_char`). Floats pass through bit for bit: the spec lets
//! NaN payloads be canonicalized or not, and keeping them is cheapest.

use super::func::FuncGen;
use super::operand::{At, Operand};
use crate::abi::Kind;
use crate::Trap;
use wasm_encoder::{Instruction as I, ValType};

/// Core type, memory width, load and store of a scalar kind.
struct Scalar {
    ty: ValType,
    size: u32,
    signed: bool,
}

fn scalar(kind: &Kind) -> Scalar {
    let (ty, size, signed) = match kind {
        Kind::Bool | Kind::U8 => (ValType::I32, 1, false),
        Kind::S8 => (ValType::I32, 1, true),
        Kind::U16 => (ValType::I32, 2, false),
        Kind::S16 => (ValType::I32, 2, true),
        Kind::U32 | Kind::S32 | Kind::Char => (ValType::I32, 4, false),
        Kind::U64 | Kind::S64 => (ValType::I64, 8, false),
        Kind::F32 => (ValType::F32, 4, false),
        Kind::F64 => (ValType::F64, 8, false),
        other => unreachable!("{other:?} is not a scalar"),
    };
    Scalar { ty, size, signed }
}

impl FuncGen<'_, '_> {
    /// Moves a scalar.
    pub(crate) fn translate_scalar(&mut self, kind: &Kind, src: &Operand, dst: &Operand) {
        let s = scalar(kind);
        // A char is checked before it is written anywhere; every other scalar
        // goes straight from its source to its destination.
        if *kind == Kind::Char {
            self.push_scalar(kind, &s, src, dst.in_memory());
            let value = self.local_set_new(s.ty);
            self.check_char(value);
            self.write_scalar(&s, dst, |g| g.ins(I::LocalGet(value.idx)));
            self.free(value);
            return;
        }
        let into_memory = dst.in_memory();
        self.write_scalar(&s, dst, |g| g.push_scalar(kind, &s, src, into_memory));
    }

    /// Pushes a scalar read from `src`, lifted: narrowed to its width (a
    /// load from memory extends it already; a flat value bound for memory is
    /// truncated by the store) and, for `bool`, turned into 0 or 1.
    fn push_scalar(&mut self, kind: &Kind, s: &Scalar, src: &Operand, into_memory: bool) {
        let from_locals = match &src.at {
            At::Locals(l) => {
                self.ins(I::LocalGet(l[0].idx));
                true
            }
            At::Memory { addr, offset } => {
                let arg = self.memarg(src.side, *offset, s.size);
                self.ins(I::LocalGet(addr.idx));
                self.ins(match (s.ty, s.size, s.signed) {
                    (ValType::I32, 1, false) => I::I32Load8U(arg),
                    (ValType::I32, 1, true) => I::I32Load8S(arg),
                    (ValType::I32, 2, false) => I::I32Load16U(arg),
                    (ValType::I32, 2, true) => I::I32Load16S(arg),
                    (ValType::I32, _, _) => I::I32Load(arg),
                    (ValType::I64, _, _) => I::I64Load(arg),
                    (ValType::F32, _, _) => I::F32Load(arg),
                    _ => I::F64Load(arg),
                });
                false
            }
        };
        let narrow = from_locals && !into_memory;
        match kind {
            Kind::Bool => {
                self.ins(I::I32Const(0));
                self.ins(I::I32Ne);
            }
            Kind::U8 | Kind::U16 if narrow => {
                self.ins(I::I32Const(if s.size == 1 { 0xff } else { 0xffff }));
                self.ins(I::I32And);
            }
            Kind::S8 if narrow => self.ins(I::I32Extend8S),
            Kind::S16 if narrow => self.ins(I::I32Extend16S),
            _ => {}
        }
    }

    /// Writes a scalar to `dst`; `push_value` pushes the value (after the
    /// address, for a store).
    fn write_scalar(&mut self, s: &Scalar, dst: &Operand, push_value: impl FnOnce(&mut Self)) {
        match &dst.at {
            At::Locals(l) => {
                push_value(self);
                self.ins(I::LocalSet(l[0].idx));
            }
            At::Memory { addr, offset } => {
                let arg = self.memarg(dst.side, *offset, s.size);
                self.ins(I::LocalGet(addr.idx));
                push_value(self);
                self.ins(match (s.ty, s.size) {
                    (ValType::I32, 1) => I::I32Store8(arg),
                    (ValType::I32, 2) => I::I32Store16(arg),
                    (ValType::I32, _) => I::I32Store(arg),
                    (ValType::I64, _) => I::I64Store(arg),
                    (ValType::F32, _) => I::F32Store(arg),
                    _ => I::F64Store(arg),
                });
            }
        }
    }

    /// Traps with [`Trap::InvalidChar`] unless `c` is a Unicode scalar value.
    ///
    /// `c ^ 0xD800` maps the surrogates to `0..0x800` and leaves every other
    /// value below 0x110000 below it, so one unsigned comparison suffices:
    /// valid iff `(c ^ 0xD800) - 0x800 < 0x110000 - 0x800`.
    fn check_char(&mut self, c: crate::module::Local) {
        self.ins(I::LocalGet(c.idx));
        self.ins(I::I32Const(0xD800));
        self.ins(I::I32Xor);
        self.ins(I::I32Const(0x800));
        self.ins(I::I32Sub);
        self.ins(I::I32Const(0x110000 - 0x800));
        self.ins(I::I32GeU);
        self.trap_if(Trap::InvalidChar);
    }
}
