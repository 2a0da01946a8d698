//! Where a value is read from or written to: flat locals or linear memory.
//!
//! The adapter moves every value from a source operand to a destination
//! operand. Flat values always live in locals (parameters, the callee's
//! results, or temporaries that are pushed for a call at the end), so no
//! translation ever needs multi-value blocks.

use super::func::FuncGen;
use super::Side;
use crate::abi::{Kind, Record};
use crate::module::Local;
use crate::options::MemoryType;
use std::rc::Rc;
use wasm_encoder::{Instruction as I, ValType};
use wit_parser::Type;

/// Where a value is.
#[derive(Debug, Clone)]
pub(crate) enum At {
    /// Its flat values, in these locals.
    Locals(Vec<Local>),
    /// In the side's memory at `addr + offset`.
    Memory { addr: Local, offset: u32 },
}

/// A value's location and the side it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Operand {
    pub side: Side,
    pub at: At,
}

impl Operand {
    /// An operand in locals.
    pub(crate) fn locals(side: Side, locals: Vec<Local>) -> Self {
        Operand {
            side,
            at: At::Locals(locals),
        }
    }

    /// An operand in memory.
    pub(crate) fn memory(side: Side, addr: Local, offset: u32) -> Self {
        Operand {
            side,
            at: At::Memory { addr, offset },
        }
    }

    /// The same location moved `delta` bytes further (memory operands only).
    pub(crate) fn offset_by(&self, delta: u32) -> Self {
        match &self.at {
            At::Memory { addr, offset } => Operand::memory(self.side, *addr, offset + delta),
            At::Locals(_) => unreachable!("only memory operands have offsets"),
        }
    }

    /// The flat locals (locals operands only).
    pub(crate) fn flat(&self) -> &[Local] {
        match &self.at {
            At::Locals(l) => l,
            At::Memory { .. } => unreachable!("not a locals operand"),
        }
    }

    /// Whether the value is in memory.
    pub(crate) fn in_memory(&self) -> bool {
        matches!(self.at, At::Memory { .. })
    }
}

impl FuncGen<'_, '_> {
    /// The operands of the fields of a record at `op` (the spec's
    /// `load_record`/`store_record` offsets, or the flat values split per
    /// field as `flatten_record` concatenates them).
    pub(crate) fn field_operands(&self, op: &Operand, record: &Record) -> Vec<Operand> {
        let mem = op.side.mem_or_32();
        match &op.at {
            At::Memory { .. } => record
                .offsets(mem)
                .iter()
                .map(|o| op.offset_by(*o))
                .collect(),
            At::Locals(locals) => {
                let mut rest = &locals[..];
                record
                    .fields
                    .iter()
                    .map(|f| {
                        let n = self.flat(f, op.side).len();
                        let (mine, tail) = rest.split_at(n);
                        rest = tail;
                        Operand::locals(op.side, mine.to_vec())
                    })
                    .collect()
            }
        }
    }

    /// Pushes an unsigned integer of `size` bytes (1, 2 or 4) as an `i32`:
    /// the single flat local of `op`, or a zero-extending load.
    pub(crate) fn push_uint(&mut self, op: &Operand, size: u32) {
        match &op.at {
            At::Locals(l) => self.ins(I::LocalGet(l[0].idx)),
            At::Memory { addr, offset } => {
                let arg = self.memarg(op.side, *offset, size);
                self.ins(I::LocalGet(addr.idx));
                self.ins(match size {
                    1 => I::I32Load8U(arg),
                    2 => I::I32Load16U(arg),
                    _ => I::I32Load(arg),
                });
            }
        }
    }

    /// Writes the `i32` in `value` to `op` as an unsigned integer of `size`
    /// bytes (1, 2 or 4).
    pub(crate) fn write_uint(&mut self, op: &Operand, size: u32, value: Local) {
        match &op.at {
            At::Locals(l) => self.set(l[0], value),
            At::Memory { addr, offset } => {
                let arg = self.memarg(op.side, *offset, size);
                self.ins(I::LocalGet(addr.idx));
                self.ins(I::LocalGet(value.idx));
                self.ins(match size {
                    1 => I::I32Store8(arg),
                    2 => I::I32Store16(arg),
                    _ => I::I32Store(arg),
                });
            }
        }
    }

    /// The kind of a type already checked by `Abi::check`.
    pub(crate) fn kind(&self, ty: &Type) -> Kind {
        self.st.abi.kind(ty)
    }

    /// The flat core types of a type that is part of a flat operand of
    /// `side` (so it has no more than `MAX_FLAT_PARAMS`).
    pub(crate) fn flat(&self, ty: &Type, side: Side) -> Rc<[ValType]> {
        self.st
            .abi
            .flat(ty, side.mem_or_32())
            .expect("part of a flat operand flattens within the limit")
    }
}

impl Side {
    /// The side's memory type; sides without a memory only ever carry values
    /// whose layout does not depend on it.
    pub(crate) fn mem_or_32(self) -> MemoryType {
        self.memory.unwrap_or(MemoryType::Memory32)
    }
}
