//! Generating one function: traps, bounds and alignment checks, `realloc`.
//!
//! Every check here implements a `trap_if` of the spec's loading and storing
//! rules ("Loading" and "Storing" in `CanonicalABI.md`), reporting the precise
//! [`Trap`] code.

use super::{Side, State};
use crate::abi::ptr_type;
use crate::module::{FuncBody, Local, Signature};
use crate::options::MemoryType;
use crate::Trap;
use wasm_encoder::{BlockType, Catch, Instruction as I, MemArg, ValType};

/// The function being generated, with access to the module being built.
///
/// Traps are not emitted where they are detected: each check branches
/// (`br_if`) out of the function body to one shared trap block per trap code,
/// appended by [`FuncGen::finish`], so a check costs two bytes and the trap
/// call is emitted once per function.
pub(crate) struct FuncGen<'s, 'a> {
    pub st: &'s mut State<'a>,
    pub body: FuncBody,
    /// How many blocks are open at the current instruction.
    depth: u32,
    /// Branches to trap blocks, to patch in `finish`.
    trap_sites: Vec<TrapSite>,
    /// Whether strings are copied by code emitted in place rather than by a
    /// call to their helper (set for the element of a list loop: see
    /// `lists.rs`).
    pub inline_strings: bool,
    /// Whether the body is wrapped in the exception barrier
    /// ([`crate::AdapterCompiler::exception_barrier`]).
    pub barrier: bool,
}

/// A `br` or `br_if` to the trap block of `trap`, at instruction `at`,
/// emitted inside `depth` open blocks.
#[derive(Debug, Clone, Copy)]
struct TrapSite {
    at: usize,
    depth: u32,
    trap: Trap,
}

/// A byte length: known at compile time, or held in a local of the side's
/// pointer type.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Len {
    Const(u32),
    Local(Local),
}

impl<'s, 'a> FuncGen<'s, 'a> {
    pub(crate) fn new(st: &'s mut State<'a>, sig: Signature) -> Self {
        FuncGen {
            st,
            body: FuncBody::new(sig),
            depth: 0,
            trap_sites: Vec::new(),
            inline_strings: false,
            barrier: false,
        }
    }

    /// Appends an instruction.
    pub(crate) fn ins(&mut self, i: I<'static>) {
        match i {
            I::Block(_) | I::Loop(_) | I::If(_) => self.depth += 1,
            I::End => self.depth -= 1,
            _ => {}
        }
        self.body.ins(i);
    }

    /// A fresh local.
    pub(crate) fn local(&mut self, ty: ValType) -> Local {
        self.body.local(ty)
    }

    /// Pops the top of the stack into a fresh local.
    pub(crate) fn local_set_new(&mut self, ty: ValType) -> Local {
        let l = self.local(ty);
        self.ins(I::LocalSet(l.idx));
        l
    }

    /// A fresh local holding a copy of `local`.
    pub(crate) fn copy_of(&mut self, local: Local) -> Local {
        self.ins(I::LocalGet(local.idx));
        self.local_set_new(local.ty)
    }

    /// `local = value`.
    pub(crate) fn set(&mut self, local: Local, value: Local) {
        self.ins(I::LocalGet(value.idx));
        self.ins(I::LocalSet(local.idx));
    }

    /// A fresh local holding `count * size` in the side's pointer type (a
    /// byte length from a count of elements or code units).
    pub(crate) fn scaled(&mut self, side: Side, count: Local, size: u32) -> Local {
        self.ins(I::LocalGet(count.idx));
        if size != 1 {
            self.ptr_const(side, u64::from(size));
            self.ins(if side.mem().is_64() {
                I::I64Mul
            } else {
                I::I32Mul
            });
        }
        self.local_set_new(ptr_type(side.mem()))
    }

    /// Frees a local for reuse.
    pub(crate) fn free(&mut self, l: Local) {
        self.body.free(l);
    }

    /// Traps unconditionally with `trap`.
    pub(crate) fn trap(&mut self, trap: Trap) {
        self.branch_to_trap(trap, I::Br(0));
    }

    /// Pops an `i32` condition and traps with `trap` when it is non-zero.
    pub(crate) fn trap_if(&mut self, trap: Trap) {
        self.branch_to_trap(trap, I::BrIf(0));
    }

    fn branch_to_trap(&mut self, trap: Trap, branch: I<'static>) {
        self.trap_sites.push(TrapSite {
            at: self.body.instructions().len(),
            depth: self.depth,
            trap,
        });
        self.ins(branch);
    }

    /// The memory of a side (which must have one).
    pub(crate) fn memory(&mut self, side: Side) -> (u32, MemoryType) {
        let mem = side.mem();
        (self.st.module.memory(side.instance, mem.is_64()), mem)
    }

    /// Pushes a constant of the side's pointer type.
    pub(crate) fn ptr_const(&mut self, side: Side, value: u64) {
        if side.mem().is_64() {
            self.ins(I::I64Const(value as i64));
        } else {
            self.ins(I::I32Const(value as u32 as i32));
        }
    }

    /// Pushes `local` converted to `i64` (zero-extended if it is an `i32`).
    fn get_u64(&mut self, local: Local) {
        self.ins(I::LocalGet(local.idx));
        if local.ty == ValType::I32 {
            self.ins(I::I64ExtendI32U);
        }
    }

    /// Pushes `len` as `i64`.
    fn len_u64(&mut self, len: Len) {
        match len {
            Len::Const(c) => self.ins(I::I64Const(i64::from(c))),
            Len::Local(l) => self.get_u64(l),
        }
    }

    /// Traps with `trap` unless `ptr .. ptr + len` lies within the side's
    /// memory. Computed in 64 bits: for a 32-bit memory `ptr + len` cannot
    /// overflow there; for a 64-bit one `ptr` is compared first, so that the
    /// sum is only trusted once `ptr` is known to be in bounds.
    pub(crate) fn check_range(&mut self, side: Side, ptr: Local, len: Len, trap: Trap) {
        let (mem, ty) = self.memory(side);
        let memory_bytes = |g: &mut Self| {
            g.ins(I::MemorySize(mem));
            if !ty.is_64() {
                g.ins(I::I64ExtendI32U);
            }
            g.ins(I::I64Const(16));
            g.ins(I::I64Shl);
        };
        if !ty.is_64() {
            self.get_u64(ptr);
            self.len_u64(len);
            self.ins(I::I64Add);
            memory_bytes(self);
            self.ins(I::I64GtU);
            self.trap_if(trap);
            return;
        }
        memory_bytes(self);
        let bytes = self.local_set_new(ValType::I64);
        // ptr > bytes
        self.get_u64(ptr);
        self.ins(I::LocalGet(bytes.idx));
        self.ins(I::I64GtU);
        // ptr + len > bytes (cannot wrap once ptr <= bytes)
        self.get_u64(ptr);
        self.len_u64(len);
        self.ins(I::I64Add);
        self.ins(I::LocalGet(bytes.idx));
        self.ins(I::I64GtU);
        self.ins(I::I32Or);
        self.trap_if(trap);
        self.free(bytes);
    }

    /// Traps with `trap` unless `ptr` is a multiple of `align`.
    pub(crate) fn check_align(&mut self, ptr: Local, align: u32, trap: Trap) {
        if align <= 1 {
            return;
        }
        self.ins(I::LocalGet(ptr.idx));
        if ptr.ty == ValType::I64 {
            self.ins(I::I64Const(i64::from(align - 1)));
            self.ins(I::I64And);
            self.ins(I::I32WrapI64);
        } else {
            self.ins(I::I32Const((align - 1) as i32));
            self.ins(I::I32And);
        }
        self.trap_if(trap);
    }

    /// Checks a pointer read from the source side: aligned, and the `len`
    /// bytes it covers in bounds.
    pub(crate) fn check_source(&mut self, side: Side, ptr: Local, align: u32, len: Len) {
        self.check_align(ptr, align, Trap::Misaligned);
        self.check_range(side, ptr, len, Trap::OutOfBounds);
    }

    /// Calls the side's `realloc(old_ptr, old_size, align, new_size)` and
    /// checks the pointer it returns (`trap_if`s after `cx.reallocate` in the
    /// spec). `old` is `None` for an allocation (`cx.allocate`).
    pub(crate) fn realloc(
        &mut self,
        side: Side,
        old: Option<(Local, Len)>,
        align: u32,
        new_size: Len,
    ) -> Local {
        let mem = side.mem();
        let f = self.st.module.realloc(side.instance, mem.is_64());
        match old {
            Some((ptr, size)) => {
                self.ins(I::LocalGet(ptr.idx));
                self.push_len(side, size);
            }
            None => {
                self.ptr_const(side, 0);
                self.ptr_const(side, 0);
            }
        }
        self.ptr_const(side, u64::from(align));
        self.push_len(side, new_size);
        self.ins(I::Call(f.raw()));
        let ptr = self.local_set_new(ptr_type(mem));
        self.check_align(ptr, align, Trap::ReallocMisaligned);
        self.check_range(side, ptr, new_size, Trap::ReallocOutOfBounds);
        ptr
    }

    /// Pushes a length in the side's pointer type.
    pub(crate) fn push_len(&mut self, side: Side, len: Len) {
        match len {
            Len::Const(c) => self.ptr_const(side, u64::from(c)),
            Len::Local(l) => self.ins(I::LocalGet(l.idx)),
        }
    }

    /// Pushes `addr + offset` (an address of the side's memory).
    pub(crate) fn push_addr(&mut self, side: Side, addr: Local, offset: u32) {
        self.ins(I::LocalGet(addr.idx));
        if offset != 0 {
            self.ptr_const(side, u64::from(offset));
            self.ins(if side.mem().is_64() {
                I::I64Add
            } else {
                I::I32Add
            });
        }
    }

    /// A `MemArg` for an access of `size` bytes at `offset` in the side's
    /// memory (alignment hint = natural alignment).
    pub(crate) fn memarg(&mut self, side: Side, offset: u32, size: u32) -> MemArg {
        let (memory_index, _) = self.memory(side);
        MemArg {
            offset: u64::from(offset),
            align: size.trailing_zeros(),
            memory_index,
        }
    }

    /// Loads a pointer-sized value at `addr + offset` into a fresh local.
    pub(crate) fn load_ptr(&mut self, side: Side, addr: Local, offset: u32) -> Local {
        let mem = side.mem();
        let arg = self.memarg(side, offset, mem.ptr_size());
        self.ins(I::LocalGet(addr.idx));
        self.ins(if mem.is_64() {
            I::I64Load(arg)
        } else {
            I::I32Load(arg)
        });
        self.local_set_new(ptr_type(mem))
    }

    /// Stores a pointer-sized local at `addr + offset`.
    pub(crate) fn store_ptr(&mut self, side: Side, addr: Local, offset: u32, value: Local) {
        let mem = side.mem();
        let arg = self.memarg(side, offset, mem.ptr_size());
        self.ins(I::LocalGet(addr.idx));
        self.ins(I::LocalGet(value.idx));
        self.ins(if mem.is_64() {
            I::I64Store(arg)
        } else {
            I::I32Store(arg)
        });
    }

    /// Converts the pointer-typed value on the stack from `from`'s pointer
    /// type to `to`'s. Only used for lengths already checked to be below
    /// 2^28, so narrowing loses nothing.
    pub(crate) fn convert_len(&mut self, from: MemoryType, to: MemoryType) {
        match (from.is_64(), to.is_64()) {
            (true, false) => self.ins(I::I32WrapI64),
            (false, true) => self.ins(I::I64ExtendI32U),
            _ => {}
        }
    }

    /// Finishes the function.
    ///
    /// A trap code checked at two or more places gets a shared trap block:
    /// the body becomes `block .. block <body> return end <trap a> .. end
    /// <trap z>`, one block per such code (innermost first) and each check
    /// a `br_if` to it. A code checked once is cheaper inline:
    /// `if <trap> end`.
    pub(crate) fn finish(mut self) -> FuncBody {
        debug_assert_eq!(self.depth, 0, "unbalanced blocks");
        // Trap codes in order of first use, with how often each is checked.
        let mut uses: Vec<(Trap, usize)> = Vec::new();
        for site in &self.trap_sites {
            match uses.iter_mut().find(|(t, _)| *t == site.trap) {
                Some((_, n)) => *n += 1,
                None => uses.push((site.trap, 1)),
            }
        }
        let shared: Vec<Trap> = uses
            .into_iter()
            .filter(|&(_, n)| n >= 2)
            .map(|(t, _)| t)
            .collect();
        let trap_fn = self.st.trap_import.then(|| self.st.module.trap());
        let raise = |trap: Trap| {
            let mut code = Vec::new();
            if let Some(f) = trap_fn {
                code.push(I::I32Const(trap.code() as i32));
                code.push(I::Call(f.raw()));
            }
            code.push(I::Unreachable);
            code
        };
        let mut sites = self.trap_sites.iter().peekable();
        let code = self.body.take_instructions();
        let mut out = Vec::with_capacity(code.len() + 4 * self.trap_sites.len());
        out.extend(shared.iter().map(|_| I::Block(BlockType::Empty)));
        for (at, instruction) in code.into_iter().enumerate() {
            let Some(site) = sites.next_if(|s| s.at == at) else {
                out.push(instruction);
                continue;
            };
            let conditional = matches!(instruction, I::BrIf(_));
            match shared.iter().position(|t| *t == site.trap) {
                Some(k) => {
                    let label = site.depth + k as u32;
                    out.push(if conditional {
                        I::BrIf(label)
                    } else {
                        I::Br(label)
                    });
                }
                None if conditional => {
                    out.push(I::If(BlockType::Empty));
                    out.extend(raise(site.trap));
                    out.push(I::End);
                }
                None => out.extend(raise(site.trap)),
            }
        }
        if !shared.is_empty() {
            out.push(I::Return);
            for trap in shared {
                out.push(I::End);
                out.extend(raise(trap));
            }
        }
        if self.barrier {
            out = self.catch_all(out, raise(Trap::Exception));
        }
        self.body.set_instructions(out);
        self.body
    }

    /// `call_and_trap_on_throw` around a whole body: `block (try_table
    /// (catch_all 0) <body>) return end <raise>`. No branch of the body
    /// targets the function's own label (traps branch to blocks inside it,
    /// and the body leaves with `return`), so wrapping it changes no label.
    fn catch_all(&mut self, body: Vec<I<'static>>, raise: Vec<I<'static>>) -> Vec<I<'static>> {
        let results = self.body.signature().results;
        let ty = match results.as_slice() {
            [] => BlockType::Empty,
            [one] => BlockType::Result(*one),
            _ => BlockType::FunctionType(self.st.module.type_index(&self.body.signature())),
        };
        self.st.module.use_exceptions();
        let mut out = Vec::with_capacity(body.len() + 6);
        out.push(I::Block(BlockType::Empty));
        out.push(I::TryTable(ty, vec![Catch::All { label: 0 }].into()));
        out.extend(body);
        out.push(I::End);
        out.push(I::Return);
        out.push(I::End);
        out.extend(raise);
        out
    }
}
