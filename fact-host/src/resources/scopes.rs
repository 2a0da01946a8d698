//! Borrow scopes: what one call has lent and received (the spec's
//! `Subtask.lenders` of the caller and `Task.num_borrows` of the callee).
//!
//! A call through a synchronous adapter opens its scope with `enter-call`
//! and closes it with `exit-call`; such calls nest, so the scopes that are
//! open form a stack and the `resource` intrinsics lend to the innermost.
//! A call of an `async` function outlives its stack frame: the runtime
//! opens its scope around `[start]` (which lends and receives the borrows),
//! then *detaches* it from the stack, keeps its id in the task, checks it
//! at `task.return` and ends it when the caller sees the resolution
//! (`Subtask.deliver_resolve`). So scopes live in a slab, by id, and the
//! stack holds ids. A borrowed handle names its scope by id.
//!
//! Freed ids are reused last freed first, so calls that nest get the ids
//! 0, 1, 2... of their depths, and a warm slab allocates nothing (each
//! scope keeps its lender list's capacity).

use alloc::vec::Vec;

/// One call's borrow scope.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    pub caller: u32,
    pub callee: u32,
    /// The handles lent to the call, `(instance, index)`
    /// (`Subtask.lenders`).
    pub lenders: Vec<(u32, u32)>,
    /// Borrowed handles of this call the callee still holds
    /// (`Task.num_borrows`).
    pub borrows: u32,
}

/// The slab of scopes and the stack of the open ones.
#[derive(Debug, Clone, Default)]
pub(super) struct Scopes {
    slab: Vec<Scope>,
    free: Vec<u32>,
    /// Scopes on the stack of open calls, innermost last.
    open: Vec<u32>,
}

impl Scopes {
    /// Opens a scope for a call from `caller` to `callee` on top of the
    /// stack; returns its id.
    pub fn enter(&mut self, caller: u32, callee: u32) -> u32 {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.slab.push(Scope::default());
                self.slab.len() as u32 - 1
            }
        };
        let scope = &mut self.slab[id as usize];
        scope.caller = caller;
        scope.callee = callee;
        scope.borrows = 0;
        self.open.push(id);
        id
    }

    /// The innermost open scope.
    pub fn innermost(&self) -> Option<u32> {
        self.open.last().copied()
    }

    /// Takes the innermost scope off the stack (it stays alive).
    pub fn pop(&mut self) -> Option<u32> {
        self.open.pop()
    }

    /// How many scopes are on the stack.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// The scopes on the stack, outermost first.
    pub fn open(&self) -> impl Iterator<Item = &Scope> + '_ {
        self.open.iter().map(|&id| &self.slab[id as usize])
    }

    /// The live scope `id`.
    pub fn get_mut(&mut self, id: u32) -> Option<&mut Scope> {
        self.slab.get_mut(id as usize)
    }

    /// Frees scope `id`, off the stack and with no lender left.
    pub fn free(&mut self, id: u32) {
        debug_assert!(self.slab[id as usize].lenders.is_empty());
        self.free.push(id);
    }

    /// The capacities a warm slab keeps (tests of allocation).
    #[cfg(test)]
    pub fn capacities(&self) -> (usize, usize, usize, usize) {
        let lenders = self.slab.iter().map(|s| s.lenders.capacity()).sum();
        (
            self.slab.capacity(),
            self.free.capacity(),
            self.open.capacity(),
            lenders,
        )
    }
}
