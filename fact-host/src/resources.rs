//! Resource handle tables: the host side of the `resource` intrinsics.
//!
//! See [`ResourceTables`].

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
#[cfg(feature = "std")]
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::Trap;
use error_context::ErrorContexts;
use scopes::Scopes;

mod error_context;
mod scopes;

/// The spec's `Table.MAX_LENGTH`: the largest handle index, 2^28 - 1.
pub const MAX_HANDLES: u32 = (1 << 28) - 1;

/// The host-side identity of a resource type, given by
/// [`ResourceTables::resource_type`]. A handle may only be used as a handle
/// of the type it was created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceType(pub u32);

/// What [`ResourceTables::handle`] tells about one handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandleInfo {
    /// Its resource type.
    pub ty: ResourceType,
    /// The representation (`rep`) of the resource it refers to.
    pub rep: u32,
    /// Whether it is an `own` handle (else a borrowed one).
    pub own: bool,
    /// How many open calls it is lent to (`ResourceHandle.num_lends`); it can
    /// be neither dropped nor transferred while this is not zero.
    pub lends: u32,
    /// For a borrowed handle, the call it belongs to (`borrow_scope`), by
    /// the id of its scope: for calls through synchronous adapters, which
    /// nest, that call's depth in the stack of open calls, 0 being the
    /// outermost. `None` for an `own` handle.
    pub scope: Option<u32>,
}

/// One live handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    ty: ResourceType,
    rep: u32,
    lends: u32,
    /// `NO_SCOPE` for an `own` handle, else the id of its call's scope.
    scope: u32,
}

const NO_SCOPE: u32 = u32::MAX;

impl Entry {
    fn own(ty: ResourceType, rep: u32) -> Entry {
        Entry {
            ty,
            rep,
            lends: 0,
            scope: NO_SCOPE,
        }
    }

    fn info(&self) -> HandleInfo {
        HandleInfo {
            ty: self.ty,
            rep: self.rep,
            own: self.scope == NO_SCOPE,
            lends: self.lends,
            scope: (self.scope != NO_SCOPE).then_some(self.scope),
        }
    }
}

/// What a handle index names: a resource handle, or a waitable of the async
/// runtime (one table per instance holds both, as in the spec, so their
/// indices never collide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Resource(Entry),
    Waitable(crate::concurrent::Waitable),
    /// An error-context, by the id of its object.
    ErrorContext(u32),
}

/// One instance's handle table (the spec's `Table`): index 0 is never used,
/// freed indices are reused last-freed first.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    /// `slots[0]` is always `None` once the table is not empty.
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
}

impl Table {
    fn get(&self, index: u32) -> Result<&Entry, Trap> {
        match self.slots.get(index as usize) {
            Some(Some(Slot::Resource(entry))) => Ok(entry),
            Some(Some(_)) => Err(Trap::WrongHandleKind),
            _ => Err(Trap::UnknownHandle),
        }
    }

    fn get_mut(&mut self, index: u32) -> Result<&mut Entry, Trap> {
        match self.slots.get_mut(index as usize) {
            Some(Some(Slot::Resource(entry))) => Ok(entry),
            Some(Some(_)) => Err(Trap::WrongHandleKind),
            _ => Err(Trap::UnknownHandle),
        }
    }

    /// The waitable at `index`.
    pub(crate) fn waitable(&self, index: u32) -> Result<crate::concurrent::Waitable, Trap> {
        match self.slots.get(index as usize) {
            Some(Some(Slot::Waitable(w))) => Ok(*w),
            Some(Some(_)) => Err(Trap::WrongHandleKind),
            _ => Err(Trap::UnknownHandle),
        }
    }

    /// `Table.add`.
    fn add(&mut self, slot: Slot, max: u32) -> Result<u32, Trap> {
        if let Some(index) = self.free.pop() {
            self.slots[index as usize] = Some(slot);
            return Ok(index);
        }
        if self.slots.is_empty() {
            self.slots.push(None);
        }
        let index = self.slots.len();
        if index > max as usize {
            return Err(Trap::TooManyHandles);
        }
        self.slots.push(Some(slot));
        Ok(index as u32)
    }

    /// `Table.remove` of a resource handle known to be live.
    fn remove(&mut self, index: u32) -> Entry {
        let Some(Slot::Resource(entry)) = self.slots[index as usize].take() else {
            unreachable!("a live resource handle")
        };
        self.free.push(index);
        entry
    }

    /// `Table.remove` of a handle known to be live, whatever it is.
    fn take(&mut self, index: u32) {
        self.slots[index as usize] = None;
        self.free.push(index);
    }

    /// `Table.remove` of a waitable known to be live.
    pub(crate) fn remove_waitable(&mut self, index: u32) {
        self.slots[index as usize] = None;
        self.free.push(index);
    }

    /// Undoes the [`remove`](Self::remove) of `index` (the last one).
    fn restore(&mut self, index: u32, entry: Entry) {
        debug_assert_eq!(self.free.last(), Some(&index));
        self.free.pop();
        self.slots[index as usize] = Some(Slot::Resource(entry));
    }
}

/// The handle tables of a set of component instances and the stack of calls
/// open between them.
///
/// It holds one handle table per instance (the spec's
/// `ComponentInstance.handles`, a [`Table`](https://github.com/WebAssembly/component-model/blob/main/design/mvp/canonical-abi/definitions.py)
/// of `ResourceHandle`s) and the stack of the calls that are open through
/// adapters (the spec's `Subtask` of the caller and `Task` of the callee,
/// which together form the *borrow scope* of a call). Its methods are the
/// spec functions, in safe Rust:
///
/// | Spec (`definitions.py`) | Here | Import (`docs/host-abi.md`) |
/// |---|---|---|
/// | `canon_resource_new` | [`ResourceTables::new_own`] | the guest's own `canon resource.new` |
/// | `canon_resource_drop` | [`ResourceTables::drop_handle`] | the guest's own `canon resource.drop` |
/// | `canon_resource_rep` | [`ResourceTables::rep`] | the guest's own `canon resource.rep` |
/// | a `Subtask`/`Task` pair begins | [`ResourceTables::enter_call`] | `resource` `enter-call:S:D` |
/// | `Task.return_` + `Subtask.deliver_resolve` | [`ResourceTables::exit_call`] | `resource` `exit-call:S:D` |
/// | `lift_own` + `lower_own` | [`ResourceTables::transfer_own`] | `resource` `transfer-own:S:D` |
/// | `lift_borrow` + `lower_borrow` | [`ResourceTables::transfer_borrow`] | `resource` `transfer-borrow:S:D` |
/// | `lift_borrow` + `lower_borrow` into the implementer | [`ResourceTables::borrow_rep`] | `resource` `borrow-rep:S:D` |
///
/// Every method that can trap leaves the tables unchanged when it does (the
/// spec's `lift_own` and `canon_resource_drop` remove the handle before their
/// checks; after a trap the instance is unusable, so the difference is only
/// visible to a host that inspects the tables).
///
/// # Call scopes
///
/// An adapter whose parameters contain a `borrow` brackets the call with
/// `enter-call` and `exit-call`. Between the two, `transfer-borrow` and
/// `borrow-rep` *lend* the caller's handle to the call (its `lends` count
/// goes up, so it can be neither dropped nor transferred) and
/// `transfer-borrow` gives the callee a *borrowed* handle that belongs to the
/// call. `exit-call` traps [`Trap::BorrowNotDropped`] if the callee still
/// holds one, else ends the lends and closes the call. Calls nest (a callee
/// may call further through other adapters while it runs): the open calls
/// form a stack and the intrinsics work on the innermost.
///
/// A trap unwinds the wasm stack without running `exit-call`; a host that
/// keeps using the tables after a trap (to inspect them, or to run other
/// instances) ends the unwound calls with [`ResourceTables::abort_calls`].
///
/// # Example
///
/// ```
/// use fact_host::{ResourceTables, Trap};
///
/// let mut tables = ResourceTables::new();
/// let file = tables.resource_type(Some("wasi:filesystem/types@0.2.0"), "descriptor");
///
/// // Instance 0 implements the resource and creates a handle (rep 42).
/// let h = tables.new_own(0, file, 42)?;
/// assert_eq!(h, 1); // index 0 is never used
///
/// // It calls instance 1, passing `borrow<descriptor>`.
/// tables.enter_call(0, 1);
/// let b = tables.transfer_borrow(0, 1, h, file)?;
/// assert_eq!(tables.rep(1, file, b)?, 42);
/// assert_eq!(tables.drop_handle(0, file, h), Err(Trap::HandleLent));
/// // The callee must drop its borrow before the call returns.
/// assert_eq!(tables.exit_call(), Err(Trap::BorrowNotDropped));
/// assert_eq!(tables.drop_handle(1, file, b)?, None);
/// tables.exit_call()?;
///
/// // It gives the handle away (`own<descriptor>`); instance 1 drops it, and
/// // the host runs the destructor with the representation.
/// let o = tables.transfer_own(0, 1, h, file)?;
/// assert_eq!(tables.drop_handle(1, file, o)?, Some(42));
/// # Ok::<(), Trap>(())
/// ```
///
/// # Instances
///
/// Instances are numbered as in the import table (`instance-N`), with any
/// `u32`; a table is created for an instance when it first receives a
/// handle. The tables hold plain data: all methods take constant time in
/// the size of a table and logarithmic time in the number of instances
/// (except [`abort_calls`](Self::abort_calls)), and allocate only to grow a
/// table or the stack of calls.
#[derive(Debug, Clone)]
pub struct ResourceTables {
    /// By instance number: any `u32` is an instance, however sparse.
    tables: BTreeMap<u32, Table>,
    types: Vec<(Option<String>, String)>,
    type_ids: BTreeMap<(Option<String>, String), ResourceType>,
    scopes: Scopes,
    error_contexts: ErrorContexts,
    max_handles: u32,
    /// The async runtime's tasks and waitables (`crate::concurrent`).
    pub(crate) concurrency: crate::concurrent::Concurrency,
}

impl Default for ResourceTables {
    fn default() -> Self {
        Self::new()
    }
}

impl ResourceTables {
    /// Empty tables, no resource types, no open call.
    pub fn new() -> Self {
        Self::with_max_handles(MAX_HANDLES)
    }

    /// Like [`new`](Self::new), but a table traps
    /// [`Trap::TooManyHandles`] above index `max` instead of [`MAX_HANDLES`]
    /// (a host that bounds the memory guests can make it use; `max` is
    /// capped at [`MAX_HANDLES`]).
    pub fn with_max_handles(max: u32) -> Self {
        Self {
            tables: BTreeMap::new(),
            types: Vec::new(),
            type_ids: BTreeMap::new(),
            scopes: Scopes::default(),
            error_contexts: ErrorContexts::default(),
            max_handles: max.min(MAX_HANDLES),
            concurrency: Default::default(),
        }
    }

    /// The resource type defined as `name` in the WIT interface `interface`
    /// (`ns:pkg/iface@ver`, or `None` for a resource defined in a world),
    /// registered on first use: the same identity always gives the same
    /// type. These are the [`Resource`](crate::Resource)s of an adapter
    /// module's resource list.
    pub fn resource_type(&mut self, interface: Option<&str>, name: &str) -> ResourceType {
        let key = (interface.map(str::to_owned), name.to_owned());
        if let Some(ty) = self.type_ids.get(&key) {
            return *ty;
        }
        let ty = ResourceType(self.types.len() as u32);
        self.types.push(key.clone());
        self.type_ids.insert(key, ty);
        ty
    }

    /// The WIT identity `(interface, name)` of a type given by
    /// [`resource_type`](Self::resource_type).
    pub fn resource_type_name(&self, ty: ResourceType) -> Option<(Option<&str>, &str)> {
        let (interface, name) = self.types.get(ty.0 as usize)?;
        Some((interface.as_deref(), name))
    }

    /// `canon resource.new`: adds an `own` handle of `ty` with
    /// representation `rep` to `instance`'s table and returns its index.
    ///
    /// # Errors
    ///
    /// [`Trap::TooManyHandles`] if the table is full.
    pub fn new_own(&mut self, instance: u32, ty: ResourceType, rep: u32) -> Result<u32, Trap> {
        let max = self.max_handles;
        self.table_mut(instance)
            .add(Slot::Resource(Entry::own(ty, rep)), max)
    }

    /// `canon resource.drop`: removes handle `handle` of `ty` from
    /// `instance`'s table. Returns `Some(rep)` for an `own` handle: the host
    /// then runs the resource's destructor, if it has one, with `rep`.
    /// Returns `None` for a borrowed handle, which no longer counts against
    /// its call.
    ///
    /// # Errors
    ///
    /// In this order: [`Trap::UnknownHandle`], [`Trap::WrongResourceType`],
    /// [`Trap::HandleLent`] (the handle is lent to an open call).
    pub fn drop_handle(
        &mut self,
        instance: u32,
        ty: ResourceType,
        handle: u32,
    ) -> Result<Option<u32>, Trap> {
        let table = self.table_mut_existing(instance)?;
        let entry = table.get(handle)?;
        if entry.ty != ty {
            return Err(Trap::WrongResourceType);
        }
        if entry.lends != 0 {
            return Err(Trap::HandleLent);
        }
        let entry = table.remove(handle);
        if entry.scope == NO_SCOPE {
            return Ok(Some(entry.rep));
        }
        // A borrowed handle's call is open: `exit_call` closes a call only
        // when it holds no borrow, and `abort_calls` removes the borrows of
        // the calls it ends.
        if let Some(scope) = self.scopes.get_mut(entry.scope) {
            scope.borrows -= 1;
        }
        Ok(None)
    }

    /// `canon resource.rep`: the representation of handle `handle` (`own` or
    /// borrowed) of `ty` in `instance`'s table.
    ///
    /// # Errors
    ///
    /// [`Trap::UnknownHandle`], [`Trap::WrongResourceType`].
    pub fn rep(&self, instance: u32, ty: ResourceType, handle: u32) -> Result<u32, Trap> {
        let entry = self.entry(instance, handle)?;
        if entry.ty != ty {
            return Err(Trap::WrongResourceType);
        }
        Ok(entry.rep)
    }

    /// `enter-call`: a call from `caller` to `callee` begins; the borrows
    /// lent and received until the matching [`exit_call`](Self::exit_call)
    /// belong to it.
    pub fn enter_call(&mut self, caller: u32, callee: u32) {
        self.scopes.enter(caller, callee);
    }

    /// `exit-call`: the innermost open call returned (`Task.return_`, then
    /// `Subtask.deliver_resolve`): the handles lent to it are no longer lent
    /// (for each lend, `lends -= 1`) and it is closed.
    ///
    /// # Errors
    ///
    /// [`Trap::BorrowNotDropped`] if the callee still holds a borrowed
    /// handle of the call (the call stays open), or if no call is open.
    pub fn exit_call(&mut self) -> Result<(), Trap> {
        let id = self.scopes.innermost().ok_or(Trap::BorrowNotDropped)?;
        self.check_borrows(id)?;
        self.scopes.pop();
        self.end_scope(id);
        Ok(())
    }

    /// Takes the innermost open call off the stack of open calls, its
    /// scope still alive: an `async` call, once its `[start]` lent and
    /// received its borrows. Returns its scope's id, or `None` if it lent
    /// and received nothing (its scope is then closed).
    pub(crate) fn detach_call(&mut self) -> Option<u32> {
        let id = self.scopes.pop()?;
        let scope = self.scopes.get_mut(id)?;
        if scope.lenders.is_empty() && scope.borrows == 0 {
            self.scopes.free(id);
            return None;
        }
        Some(id)
    }

    /// `trap_if(task.num_borrows > 0)` of `Task.return_` for the call of
    /// scope `id`: [`Trap::BorrowNotDropped`] if its callee still holds a
    /// borrowed handle of the call.
    pub(crate) fn check_borrows(&mut self, id: u32) -> Result<(), Trap> {
        match self.scopes.get_mut(id) {
            Some(scope) if scope.borrows > 0 => Err(Trap::BorrowNotDropped),
            _ => Ok(()),
        }
    }

    /// `Subtask.deliver_resolve` of the call of scope `id` (off the stack):
    /// the handles lent to it are no longer lent, and the scope is closed.
    pub(crate) fn end_scope(&mut self, id: u32) {
        let Some(scope) = self.scopes.get_mut(id) else {
            return;
        };
        for (instance, handle) in scope.lenders.drain(..) {
            // A lent handle can be neither dropped nor transferred, so it is
            // still there.
            if let Some(Ok(entry)) = self.tables.get_mut(&instance).map(|t| t.get_mut(handle)) {
                entry.lends -= 1;
            }
        }
        self.scopes.free(id);
    }

    /// `transfer-own` (`lift_own` then `lower_own`): moves the `own` handle
    /// `handle` of `ty` from `src`'s table to `dst`'s and returns its index
    /// there.
    ///
    /// # Errors
    ///
    /// In this order: [`Trap::UnknownHandle`], [`Trap::WrongResourceType`],
    /// [`Trap::HandleLent`] (the handle is lent to an open call),
    /// [`Trap::NotOwned`] (it is a borrowed handle), [`Trap::TooManyHandles`]
    /// (`dst`'s table is full).
    pub fn transfer_own(
        &mut self,
        src: u32,
        dst: u32,
        handle: u32,
        ty: ResourceType,
    ) -> Result<u32, Trap> {
        let table = self.table_mut_existing(src)?;
        let entry = table.get(handle)?;
        if entry.ty != ty {
            return Err(Trap::WrongResourceType);
        }
        if entry.lends != 0 {
            return Err(Trap::HandleLent);
        }
        if entry.scope != NO_SCOPE {
            return Err(Trap::NotOwned);
        }
        let entry = table.remove(handle);
        let max = self.max_handles;
        let added = self.table_mut(dst).add(Slot::Resource(entry), max);
        if added.is_err() {
            if let Some(table) = self.tables.get_mut(&src) {
                table.restore(handle, entry);
            }
        }
        added
    }

    /// `transfer-borrow` (`lift_borrow` then `lower_borrow`): lends the
    /// handle `handle` (`own` or borrowed) of `ty` in `src`'s table to the
    /// innermost open call, and adds a borrowed handle of the same resource,
    /// belonging to that call, to `dst`'s table; returns its index there.
    ///
    /// # Errors
    ///
    /// In this order: [`Trap::BorrowNotDropped`] if no call is open (the
    /// borrow could belong to no call), [`Trap::UnknownHandle`],
    /// [`Trap::WrongResourceType`], [`Trap::TooManyHandles`] (`dst`'s table
    /// is full).
    pub fn transfer_borrow(
        &mut self,
        src: u32,
        dst: u32,
        handle: u32,
        ty: ResourceType,
    ) -> Result<u32, Trap> {
        let id = self.innermost()?;
        let rep = self.rep(src, ty, handle)?;
        let max = self.max_handles;
        let borrowed = Entry {
            ty,
            rep,
            lends: 0,
            scope: id,
        };
        let index = self.table_mut(dst).add(Slot::Resource(borrowed), max)?;
        self.lend(id, src, handle);
        if let Some(scope) = self.scopes.get_mut(id) {
            scope.borrows += 1;
        }
        Ok(index)
    }

    /// `borrow-rep` (`lift_borrow`, then `lower_borrow` into the instance
    /// that implements the resource): lends the handle `handle` (`own` or
    /// borrowed) of `ty` in `src`'s table to the innermost open call and
    /// returns its representation.
    ///
    /// # Errors
    ///
    /// In this order: [`Trap::BorrowNotDropped`] if no call is open,
    /// [`Trap::UnknownHandle`], [`Trap::WrongResourceType`].
    pub fn borrow_rep(&mut self, src: u32, handle: u32, ty: ResourceType) -> Result<u32, Trap> {
        let id = self.innermost()?;
        let rep = self.rep(src, ty, handle)?;
        self.lend(id, src, handle);
        Ok(rep)
    }

    /// How many calls are open (entered and not exited).
    pub fn call_depth(&self) -> usize {
        self.scopes.depth()
    }

    /// The open calls, outermost first, as `(caller, callee)`.
    pub fn open_calls(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.scopes.open().map(|s| (s.caller, s.callee))
    }

    /// Ends the open calls above `depth` (all of them for 0) without their
    /// checks, after a trap unwound them: the handles lent to them are no
    /// longer lent, and the borrowed handles that belong to them are removed
    /// from their tables. (The spec needs no such step: an instance that
    /// trapped is never run again.)
    pub fn abort_calls(&mut self, depth: usize) {
        while self.scopes.depth() > depth {
            let id = self.scopes.pop().expect("an open call");
            let borrows = self.scopes.get_mut(id).map_or(0, |s| s.borrows);
            self.end_scope(id);
            if borrows == 0 {
                continue;
            }
            for table in self.tables.values_mut() {
                for (index, slot) in table.slots.iter_mut().enumerate() {
                    if matches!(slot, Some(Slot::Resource(e)) if e.scope == id) {
                        *slot = None;
                        table.free.push(index as u32);
                    }
                }
            }
        }
    }

    /// How many tasks of the async runtime are alive: calls not finished,
    /// or whose caller still holds their subtask.
    pub fn live_tasks(&self) -> usize {
        self.concurrency.tasks.len()
    }

    /// The handle `handle` of `instance`, if it is live.
    pub fn handle(&self, instance: u32, handle: u32) -> Option<HandleInfo> {
        self.entry(instance, handle).ok().map(Entry::info)
    }

    /// The live handles of `instance`, by increasing index.
    pub fn handles(&self, instance: u32) -> impl Iterator<Item = (u32, HandleInfo)> + '_ {
        let slots = match self.tables.get(&instance) {
            Some(table) => &table.slots[..],
            None => &[],
        };
        slots.iter().enumerate().filter_map(|(i, slot)| match slot {
            Some(Slot::Resource(e)) => Some((i as u32, e.info())),
            _ => None,
        })
    }

    fn entry(&self, instance: u32, handle: u32) -> Result<&Entry, Trap> {
        self.tables
            .get(&instance)
            .ok_or(Trap::UnknownHandle)?
            .get(handle)
    }

    /// Adds a waitable to `instance`'s table.
    pub(crate) fn add_waitable(
        &mut self,
        instance: u32,
        waitable: crate::concurrent::Waitable,
    ) -> Result<u32, Trap> {
        let max = self.max_handles;
        self.table_mut(instance).add(Slot::Waitable(waitable), max)
    }

    /// The waitable at `index` of `instance`'s table.
    pub(crate) fn waitable(
        &self,
        instance: u32,
        index: u32,
    ) -> Result<crate::concurrent::Waitable, Trap> {
        self.tables
            .get(&instance)
            .ok_or(Trap::UnknownHandle)?
            .waitable(index)
    }

    /// Removes the waitable at `index` of `instance`'s table (known live).
    pub(crate) fn remove_waitable(&mut self, instance: u32, index: u32) {
        self.table_mut(instance).remove_waitable(index);
    }

    fn table_mut(&mut self, instance: u32) -> &mut Table {
        self.tables.entry(instance).or_default()
    }

    /// An instance's table, which must exist if it is to hold `handle`.
    fn table_mut_existing(&mut self, instance: u32) -> Result<&mut Table, Trap> {
        self.tables.get_mut(&instance).ok_or(Trap::UnknownHandle)
    }

    /// The depth of the innermost open call.
    fn innermost(&self) -> Result<u32, Trap> {
        self.scopes.innermost().ok_or(Trap::BorrowNotDropped)
    }

    /// `Subtask.add_lender` for the call of scope `id`, of a handle known to
    /// be live.
    fn lend(&mut self, id: u32, instance: u32, handle: u32) {
        let entry = self
            .tables
            .get_mut(&instance)
            .and_then(|t| t.get_mut(handle).ok())
            .expect("live handle");
        entry.lends += 1;
        if let Some(scope) = self.scopes.get_mut(id) {
            scope.lenders.push((instance, handle));
        }
    }
}

/// [`ResourceTables`] shared between the host functions that use them (the
/// `resource` intrinsics of adapter modules and the guests' own
/// `resource.new`, `resource.drop` and `resource.rep`): a cloneable handle to
/// one set of tables. (Feature `std`.)
#[cfg(feature = "std")]
#[derive(Debug, Clone, Default)]
pub struct SharedResourceTables(Arc<Mutex<ResourceTables>>);

#[cfg(feature = "std")]
impl SharedResourceTables {
    /// Shares `tables`.
    pub fn new(tables: ResourceTables) -> Self {
        Self(Arc::new(Mutex::new(tables)))
    }

    /// Locks the tables. (A panic while they were locked does not make them
    /// unusable: every method leaves them consistent.)
    pub fn lock(&self) -> MutexGuard<'_, ResourceTables> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests;
