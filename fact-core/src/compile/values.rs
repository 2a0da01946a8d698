//! Moving one value from a source operand to a destination operand: dispatch
//! by kind, and outlining into shared helper functions.
//!
//! A record, variant or fixed-length list copied from memory to memory is
//! compiled once per (type, source side, destination side) into a helper
//! function `(src_addr, dst_addr) -> ()` and called everywhere it occurs, so
//! that adapter size grows with the size of the type, not with the number of
//! paths to its parts. Lists and strings always go through their own helpers
//! (see `lists.rs` and `strings.rs`).

use super::func::FuncGen;
use super::operand::{At, Operand};
use super::{HelperKey, Side};
use crate::abi::{ptr_type, Kind};
use crate::module::{FuncBody, FuncRef, Signature};
use wasm_encoder::Instruction as I;
use wit_parser::Type;

impl FuncGen<'_, '_> {
    /// Moves a value of type `ty` from `src` to `dst`: lifts it with the
    /// source side's options and lowers it with the destination's.
    pub(crate) fn translate(&mut self, ty: &Type, src: &Operand, dst: &Operand) {
        let kind = self.kind(ty);
        let outlined = matches!(
            kind,
            Kind::Record(_) | Kind::Variant(_) | Kind::FixedList(..)
        );
        if outlined && src.in_memory() && dst.in_memory() {
            let helper = self.st.copy_helper(*ty, src.side, dst.side);
            self.call_memory_helper(helper, src, dst);
            return;
        }
        self.translate_kind(ty, &kind, src, dst);
    }

    /// Moves a value of a known kind, without outlining it.
    pub(crate) fn translate_kind(&mut self, ty: &Type, kind: &Kind, src: &Operand, dst: &Operand) {
        match kind {
            Kind::Record(record) => self.translate_record(record, src, dst),
            Kind::Variant(variant) => self.translate_variant(variant, src, dst),
            Kind::Flags(n) => self.translate_flags(*n, src, dst),
            Kind::List(_) | Kind::String => self.translate_sequence(ty, src, dst),
            Kind::FixedList(elem, n) => self.translate_fixed_list(elem, *n, src, dst),
            Kind::Own(resource) => self.translate_handle(*resource, true, src, dst),
            Kind::Borrow(resource) => self.translate_handle(*resource, false, src, dst),
            Kind::ErrorContext => self.translate_error_context(src, dst),
            scalar => self.translate_scalar(scalar, src, dst),
        }
    }

    /// Calls a `(src_addr, dst_addr) -> ()` helper on two memory operands.
    fn call_memory_helper(&mut self, helper: FuncRef, src: &Operand, dst: &Operand) {
        for op in [src, dst] {
            let At::Memory { addr, offset } = op.at else {
                unreachable!()
            };
            self.push_addr(op.side, addr, offset);
        }
        self.ins(I::Call(helper.raw()));
    }
}

impl super::State<'_> {
    /// The helper function `key`: declared on first use and queued, so that
    /// its body is compiled by [`Self::compile_helpers`] after the function
    /// that asked for it, not inside it. Compiling a type never recurses
    /// into the helpers of the types it holds, and a helper may call itself.
    pub(crate) fn helper(&mut self, key: HelperKey) -> FuncRef {
        if let Some(f) = self.helpers.get(&key) {
            return *f;
        }
        let func = self.module.declare();
        self.helpers.insert(key, func);
        self.pending_helpers.push((key, func));
        func
    }

    /// Compiles every queued helper, and those they queue in turn.
    pub(crate) fn compile_helpers(&mut self) {
        while let Some((key, func)) = self.pending_helpers.pop() {
            let code = match key {
                HelperKey::Copy(ty, src, dst) => self.copy_body(ty, src, dst),
                HelperKey::Sequence(ty, src, dst) => self.sequence_body(ty, src, dst),
                HelperKey::Transcoder(op, src, dst) => self.transcoder_body(op, src, dst),
            };
            self.module.define(func, code);
            let abi = &self.abi;
            self.module.name(func, || {
                let sides = |s: Side, d: Side| format!("{}->{}", s.instance, d.instance);
                match key {
                    HelperKey::Copy(ty, s, d) => {
                        format!("copy {} {}", abi.describe(&ty), sides(s, d))
                    }
                    HelperKey::Sequence(ty, s, d) => {
                        format!("move {} {}", abi.describe(&ty), sides(s, d))
                    }
                    HelperKey::Transcoder(op, s, d) => format!("{} {}", op.name(), sides(s, d)),
                }
            });
        }
    }

    /// The helper that copies a `ty` from `src`'s memory to `dst`'s. Types
    /// with the same representative share it.
    pub(crate) fn copy_helper(&mut self, ty: Type, src: Side, dst: Side) -> FuncRef {
        let ty = self.abi.representative(&ty);
        self.helper(HelperKey::Copy(ty, src, dst))
    }

    /// The body of a copy helper, `(src_addr, dst_addr) -> ()`.
    fn copy_body(&mut self, ty: Type, src: Side, dst: Side) -> FuncBody {
        let sig = Signature {
            params: vec![ptr_type(src.mem()), ptr_type(dst.mem())],
            results: vec![],
        };
        let mut g = FuncGen::new(self, sig);
        let src_op = Operand::memory(src, g.body.param(0), 0);
        let dst_op = Operand::memory(dst, g.body.param(1), 0);
        let kind = g.kind(&ty);
        g.translate_kind(&ty, &kind, &src_op, &dst_op);
        g.finish()
    }
}
