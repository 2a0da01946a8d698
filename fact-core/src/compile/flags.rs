//! Flags: a bit vector of 1 to 32 labels.
//!
//! Lifting reads only the bits of declared labels (`unpack_flags_from_int`)
//! and lowering writes zeros above them (`pack_flags_into_int`), so the adapter
//! masks off the undeclared high bits.

use super::func::FuncGen;
use super::operand::Operand;
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
        self.push_uint(src, size);
        if n < 32 {
            self.ins(I::I32Const(((1u64 << n) - 1) as i32));
            self.ins(I::I32And);
        }
        let value = self.local_set_new(ValType::I32);
        self.write_uint(dst, size, value);
        self.free(value);
    }
}
