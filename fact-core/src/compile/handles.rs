//! Resource handles: `own<R>` and `borrow<R>`.
//!
//! Handle tables live in the host, so every handle crosses through a host
//! intrinsic of the `resource` module (see `docs/host-abi.md`):
//!
//! - `own`: `lift_own` removes the handle from the source instance's table
//!   (trapping if it is unknown, of another type, lent out, or borrowed) and
//!   `lower_own` adds it to the destination's: `transfer-own`.
//! - `borrow`: `lift_borrow` lends the source's handle for the duration of the
//!   call (`Subtask.add_lender`); `lower_borrow` gives the destination a
//!   borrowed handle counted by the call (`Task.num_borrows`), or, when the
//!   destination implements the resource, its representation:
//!   `transfer-borrow` or `borrow-rep`.
//!
//! A call that passes borrows is bracketed by `enter-call` and `exit-call`
//! (see `adapter.rs`), which open and close the borrow scope.
//!
//! An `error-context` is an index into the same tables; it is not moved
//! but shared: `lift_error_context` leaves it in the source's table and
//! `lower_error_context` gives the destination an index of its own to the
//! same object (`error-context` `transfer`).

use super::func::FuncGen;
use super::operand::Operand;
use fact_host::ResourceOp;
use wasm_encoder::{Instruction as I, ValType};
use wit_parser::TypeId;

impl FuncGen<'_, '_> {
    /// Moves a handle of the resource `resource` (`own` when `owned`).
    pub(crate) fn translate_handle(
        &mut self,
        resource: TypeId,
        owned: bool,
        src: &Operand,
        dst: &Operand,
    ) {
        let index = self.st.resource(resource);
        let op = if owned {
            ResourceOp::TransferOwn
        } else if self.st.implementers.get(&resource).map(|i| i.0) == Some(dst.side.instance) {
            ResourceOp::BorrowRep
        } else {
            ResourceOp::TransferBorrow
        };
        let f = self
            .st
            .module
            .resource_intrinsic(op, src.side.instance, dst.side.instance);
        self.push_uint(src, 4);
        self.ins(I::I32Const(index as i32));
        self.ins(I::Call(f.raw()));
        let handle = self.local_set_new(ValType::I32);
        self.write_uint(dst, 4, handle);
        self.free(handle);
    }

    /// Shares an `error-context`.
    pub(crate) fn translate_error_context(&mut self, src: &Operand, dst: &Operand) {
        let f = self
            .st
            .module
            .error_context_transfer(src.side.instance, dst.side.instance);
        self.push_uint(src, 4);
        self.ins(I::Call(f.raw()));
        let handle = self.local_set_new(ValType::I32);
        self.write_uint(dst, 4, handle);
        self.free(handle);
    }
}
