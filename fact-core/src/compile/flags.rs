//! Flags: a bit vector of 1 to 32 labels.
//!
//! Lifting reads only the bits of declared labels (`unpack_flags_from_int`)
//! and lowering writes zeros above them (`pack_flags_into_int`), so the adapter
//! masks off the undeclared high bits.

use super::func::FuncGen;
use super::operand::{At, Operand};
use wasm_encoder::{Instruction as I, ValType};

/// Bytes a flags value of `n` labels takes in memory (`elem_size_flags`).
fn flags_size(n: u32) -> u32 {
    match n {
        0..=8 => 1,
        9..=16 => 2,
        _ => 4,
    }
}

impl FuncGen<'_, '_> {
    /// Moves a flags value of `n` labels.
    pub(crate) fn translate_flags(&mut self, n: u32, src: &Operand, dst: &Operand) {
        let size = flags_size(n);
        match &src.at {
            At::Locals(l) => self.ins(I::LocalGet(l[0].idx)),
            At::Memory { addr, offset } => {
                let arg = self.memarg(src.side, *offset, size);
                self.ins(I::LocalGet(addr.idx));
                self.ins(match size {
                    1 => I::I32Load8U(arg),
                    2 => I::I32Load16U(arg),
                    _ => I::I32Load(arg),
                });
            }
        }
        if n < 32 {
            self.ins(I::I32Const(((1u64 << n) - 1) as i32));
            self.ins(I::I32And);
        }
        let value = self.local_set_new(ValType::I32);
        match &dst.at {
            At::Locals(l) => {
                self.ins(I::LocalGet(value.idx));
                self.ins(I::LocalSet(l[0].idx));
            }
            At::Memory { addr, offset } => {
                let arg = self.memarg(dst.side, *offset, size);
                self.ins(I::LocalGet(addr.idx));
                self.ins(I::LocalGet(value.idx));
                self.ins(match size {
                    1 => I::I32Store8(arg),
                    2 => I::I32Store16(arg),
                    _ => I::I32Store(arg),
                });
            }
        }
        self.free(value);
    }
}
