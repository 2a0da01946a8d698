//! Records, tuples and variants (with enums, options and results, which the
//! spec despecializes into variants).
//!
//! A record moves field by field (`load_record`/`store_record`,
//! `flatten_record`). A variant checks its discriminant (`load_variant`:
//! `trap_if(case_index >= len(cases))`) and moves the chosen case's payload.
//! In flat form a variant's payload slots are the `join` of all its cases'
//! flat types; lifting a case reinterprets or wraps the joined values into the
//! case's own types, and lowering widens them back and zero-fills the slots the
//! case does not use (`lift_flat_variant`, `lower_flat_variant`).

use super::func::FuncGen;
use super::operand::{At, Operand};
use crate::abi::{discriminant_size, Record, Variant};
use crate::module::Local;
use crate::Trap;
use wasm_encoder::{BlockType, Instruction as I, ValType};
use wit_parser::Type;

impl FuncGen<'_, '_> {
    /// Moves a record (or tuple, or a function's parameter list) field by
    /// field.
    pub(crate) fn translate_record(&mut self, record: &Record, src: &Operand, dst: &Operand) {
        let srcs = self.field_operands(src, record);
        let dsts = self.field_operands(dst, record);
        for ((field, s), d) in record.fields.iter().zip(&srcs).zip(&dsts) {
            self.translate(field, s, d);
        }
    }

    /// Moves a variant: checks the discriminant, then moves the payload of
    /// the case it names.
    pub(crate) fn translate_variant(&mut self, variant: &Variant, src: &Operand, dst: &Operand) {
        let cases = &variant.cases;
        let disc = self.read_discriminant(cases.len(), src);
        let n = cases.len() as u32;
        if variant.is_enum() {
            // An enum (or payload-free variant): one range check.
            self.ins(I::LocalGet(disc.idx));
            self.ins(I::I32Const(n as i32));
            self.ins(I::I32GeU);
            self.trap_if(Trap::InvalidDiscriminant);
            self.write_discriminant(cases.len(), disc, dst);
            self.zero_payload(dst, 0);
            self.free(disc);
            return;
        }

        // block $done, block $invalid, then one block per case, innermost
        // first; `br_table` jumps to the end of case i's block, where its
        // code follows.
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::Block(BlockType::Empty));
        for _ in cases {
            self.ins(I::Block(BlockType::Empty));
        }
        self.ins(I::LocalGet(disc.idx));
        self.ins(I::BrTable((0..n).collect::<Vec<_>>().into(), n));
        for (i, case) in cases.iter().enumerate() {
            self.ins(I::End);
            self.write_discriminant(cases.len(), disc, dst);
            self.translate_case(variant, case.as_ref(), src, dst);
            // Past the remaining case blocks and $invalid, out of $done.
            self.ins(I::Br(n - i as u32));
        }
        self.ins(I::End);
        self.trap(Trap::InvalidDiscriminant);
        self.ins(I::End);
        self.free(disc);
    }

    /// Reads a discriminant into a fresh `i32` local.
    fn read_discriminant(&mut self, cases: usize, src: &Operand) -> Local {
        self.push_uint(src, discriminant_size(cases));
        self.local_set_new(ValType::I32)
    }

    fn write_discriminant(&mut self, cases: usize, disc: Local, dst: &Operand) {
        self.write_uint(dst, discriminant_size(cases), disc);
    }

    /// Moves the payload of one case (if it has one).
    fn translate_case(
        &mut self,
        variant: &Variant,
        case: Option<&Type>,
        src: &Operand,
        dst: &Operand,
    ) {
        let Some(ty) = case else {
            self.zero_payload(dst, 0);
            return;
        };
        let (src_payload, src_temps) = self.case_source(variant, ty, src);
        let (dst_payload, dst_temps) = self.case_destination(variant, ty, dst);
        self.translate(ty, &src_payload, &dst_payload);
        if let Some(temps) = dst_temps {
            // Widen the case's flat values into the joined slots.
            let joined = &dst.flat()[1..];
            for (t, slot) in temps.iter().zip(joined) {
                self.ins(I::LocalGet(t.idx));
                coerce_lower(self, t.ty, slot.ty);
                self.ins(I::LocalSet(slot.idx));
            }
            self.zero_payload(dst, temps.len());
            temps.into_iter().for_each(|t| self.free(t));
        }
        src_temps.into_iter().flatten().for_each(|t| self.free(t));
    }

    /// The operand of a case's payload in the source: its memory location, or
    /// temporaries holding the joined flat values narrowed to its own types.
    fn case_source(
        &mut self,
        variant: &Variant,
        ty: &Type,
        src: &Operand,
    ) -> (Operand, Option<Vec<Local>>) {
        match &src.at {
            At::Memory { .. } => {
                let offset = variant.payload_offset(src.side.mem_or_32());
                (src.offset_by(offset), None)
            }
            At::Locals(locals) => {
                let want = self.flat(ty, src.side);
                let mut temps = Vec::with_capacity(want.len());
                for (slot, want) in locals[1..].iter().zip(want.iter().copied()) {
                    self.ins(I::LocalGet(slot.idx));
                    coerce_lift(self, slot.ty, want);
                    temps.push(self.local_set_new(want));
                }
                (Operand::locals(src.side, temps.clone()), Some(temps))
            }
        }
    }

    /// The operand a case's payload is written to: its memory location, or
    /// temporaries of its own flat types, widened into the joined slots after.
    fn case_destination(
        &mut self,
        variant: &Variant,
        ty: &Type,
        dst: &Operand,
    ) -> (Operand, Option<Vec<Local>>) {
        match &dst.at {
            At::Memory { .. } => {
                let offset = variant.payload_offset(dst.side.mem_or_32());
                (dst.offset_by(offset), None)
            }
            At::Locals(_) => {
                let types = self.flat(ty, dst.side);
                let temps: Vec<Local> = types.iter().map(|t| self.local(*t)).collect();
                (Operand::locals(dst.side, temps.clone()), Some(temps))
            }
        }
    }

    /// Zeroes the flat payload slots of `dst` from slot `from` on
    /// (`lower_flat_variant` pads with zeros); nothing for memory.
    fn zero_payload(&mut self, dst: &Operand, from: usize) {
        if let At::Locals(locals) = &dst.at {
            for slot in locals[1 + from..].iter().copied() {
                self.ins(match slot.ty {
                    ValType::I32 => I::I32Const(0),
                    ValType::I64 => I::I64Const(0),
                    ValType::F32 => I::F32Const(0.0.into()),
                    _ => I::F64Const(0.0.into()),
                });
                self.ins(I::LocalSet(slot.idx));
            }
        }
    }
}

/// Narrows a joined flat value to a case's flat type (`CoerceValueIter` in
/// `lift_flat_variant`).
fn coerce_lift(g: &mut FuncGen<'_, '_>, have: ValType, want: ValType) {
    match (have, want) {
        (ValType::I32, ValType::F32) => g.ins(I::F32ReinterpretI32),
        (ValType::I64, ValType::I32) => g.ins(I::I32WrapI64),
        (ValType::I64, ValType::F32) => {
            g.ins(I::I32WrapI64);
            g.ins(I::F32ReinterpretI32);
        }
        (ValType::I64, ValType::F64) => g.ins(I::F64ReinterpretI64),
        (a, b) => debug_assert_eq!(a, b),
    }
}

/// Widens a case's flat value to the joined flat type (`lower_flat_variant`).
fn coerce_lower(g: &mut FuncGen<'_, '_>, have: ValType, want: ValType) {
    match (have, want) {
        (ValType::F32, ValType::I32) => g.ins(I::I32ReinterpretF32),
        (ValType::I32, ValType::I64) => g.ins(I::I64ExtendI32U),
        (ValType::F32, ValType::I64) => {
            g.ins(I::I32ReinterpretF32);
            g.ins(I::I64ExtendI32U);
        }
        (ValType::F64, ValType::I64) => g.ins(I::I64ReinterpretF64),
        (a, b) => debug_assert_eq!(a, b),
    }
}
