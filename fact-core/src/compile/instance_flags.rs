//! The instance-flags globals (`instance-N` `flags`): `may_leave` and
//! `may_enter` of the spec's `ComponentInstance`, read once per function
//! and written back with bits cleared or restored.

use super::func::FuncGen;
use crate::module::Local;
use crate::Trap;
use wasm_encoder::{Instruction as I, ValType};

/// Bit of the instance-flags global: the instance may call out.
pub(crate) const MAY_LEAVE: i32 = 1;
/// Bit of the instance-flags global: the instance may be called.
pub(crate) const MAY_ENTER: i32 = 2;

/// An instance's flags global and the value it had when the function began.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Flags {
    pub global: u32,
    pub saved: Local,
}

impl FuncGen<'_, '_> {
    /// Reads an instance's flags global into a local.
    pub(crate) fn load_flags(&mut self, instance: u32) -> Flags {
        let global = self.st.module.flags(instance);
        self.ins(I::GlobalGet(global));
        let saved = self.local_set_new(ValType::I32);
        Flags { global, saved }
    }

    /// Traps with `trap` unless the loaded flags have `bit` set.
    pub(crate) fn trap_unless(&mut self, flags: Flags, bit: i32, trap: Trap) {
        self.ins(I::LocalGet(flags.saved.idx));
        self.ins(I::I32Const(bit));
        self.ins(I::I32And);
        self.ins(I::I32Eqz);
        self.trap_if(trap);
    }

    /// Sets the flags global to the loaded value with the `clear` bits
    /// cleared (all restored for 0).
    pub(crate) fn write_flags(&mut self, flags: Flags, clear: i32) {
        self.ins(I::LocalGet(flags.saved.idx));
        if clear != 0 {
            self.ins(I::I32Const(!clear));
            self.ins(I::I32And);
        }
        self.ins(I::GlobalSet(flags.global));
    }
}
