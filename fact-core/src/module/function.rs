//! A function body under construction: locals, temporaries and code.

use super::Signature;
use wasm_encoder::{Instruction, ValType};

/// A local variable of the function being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Local {
    /// Its index.
    pub idx: u32,
    /// Its type.
    pub ty: ValType,
}

/// The body of one function: its signature, locals and instructions.
#[derive(Debug)]
pub(crate) struct FuncBody {
    params: Vec<ValType>,
    results: Vec<ValType>,
    locals: Vec<ValType>,
    free: Vec<Local>,
    code: Vec<Instruction<'static>>,
}

impl FuncBody {
    /// An empty body with this signature.
    pub(crate) fn new(sig: Signature) -> Self {
        FuncBody {
            params: sig.params,
            results: sig.results,
            locals: Vec::new(),
            free: Vec::new(),
            code: Vec::new(),
        }
    }

    /// The signature.
    pub(crate) fn signature(&self) -> Signature {
        Signature {
            params: self.params.clone(),
            results: self.results.clone(),
        }
    }

    /// Parameter `i` as a local.
    pub(crate) fn param(&self, i: usize) -> Local {
        Local {
            idx: i as u32,
            ty: self.params[i],
        }
    }

    /// All parameters as locals.
    pub(crate) fn params(&self) -> Vec<Local> {
        (0..self.params.len()).map(|i| self.param(i)).collect()
    }

    /// A fresh (or recycled) local of type `ty`. Its value is unspecified.
    pub(crate) fn local(&mut self, ty: ValType) -> Local {
        if let Some(pos) = self.free.iter().position(|l| l.ty == ty) {
            return self.free.swap_remove(pos);
        }
        let idx = (self.params.len() + self.locals.len()) as u32;
        self.locals.push(ty);
        Local { idx, ty }
    }

    /// Returns a local for reuse by a later [`Self::local`].
    pub(crate) fn free(&mut self, local: Local) {
        debug_assert!(!self.free.contains(&local));
        self.free.push(local);
    }

    /// Appends an instruction. A `local.get` of the local that the previous
    /// instruction set turns that `local.set` into a `local.tee` instead
    /// (two bytes fewer; nothing can branch between two instructions of a
    /// block, so the two are equivalent).
    pub(crate) fn ins(&mut self, instruction: Instruction<'static>) {
        if let (Instruction::LocalGet(get), Some(Instruction::LocalSet(set))) =
            (&instruction, self.code.last())
        {
            if get == set {
                let local = *get;
                *self.code.last_mut().expect("checked above") = Instruction::LocalTee(local);
                return;
            }
        }
        self.code.push(instruction);
    }

    /// Takes the instructions out, leaving none.
    pub(crate) fn take_instructions(&mut self) -> Vec<Instruction<'static>> {
        std::mem::take(&mut self.code)
    }

    /// Replaces the instructions.
    pub(crate) fn set_instructions(&mut self, code: Vec<Instruction<'static>>) {
        self.code = code;
    }

    /// The declared (non-parameter) locals.
    pub(crate) fn locals(&self) -> &[ValType] {
        &self.locals
    }

    /// The instructions, without the final `end`.
    pub(crate) fn instructions(&self) -> &[Instruction<'static>] {
        &self.code
    }
}
