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
        // Read the value onto the stack, already narrowed when it comes from
        // memory (the load extends it).
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
        match kind {
            Kind::Bool => {
                self.ins(I::I32Const(0));
                self.ins(I::I32Ne);
            }
            // A flat value going to memory is truncated by the store anyway.
            Kind::U8 | Kind::U16 if from_locals && !dst.in_memory() => {
                self.ins(I::I32Const(if s.size == 1 { 0xff } else { 0xffff }));
                self.ins(I::I32And);
            }
            Kind::S8 if from_locals && !dst.in_memory() => self.ins(I::I32Extend8S),
            Kind::S16 if from_locals && !dst.in_memory() => self.ins(I::I32Extend16S),
            _ => {}
        }
        let value = self.local_set_new(s.ty);
        if *kind == Kind::Char {
            self.check_char(value);
        }
        match &dst.at {
            At::Locals(l) => {
                self.ins(I::LocalGet(value.idx));
                self.ins(I::LocalSet(l[0].idx));
            }
            At::Memory { addr, offset } => {
                let arg = self.memarg(dst.side, *offset, s.size);
                self.ins(I::LocalGet(addr.idx));
                self.ins(I::LocalGet(value.idx));
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
        self.free(value);
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
