//! `error-context`: immutable debug messages that instances hand each other
//! by reference (the spec's `ErrorContext`, `canon error-context.new`,
//! `error-context.debug-message` and `error-context.drop`, and
//! `lift_error_context`/`lower_error_context` for values that cross an
//! adapter).
//!
//! An error-context lives in the same table per instance as resources,
//! subtasks and waitable sets (component-model #513). Passing one to
//! another instance does not move it: the source keeps its index, and the
//! destination gets an index of its own to the same object. The object
//! lives while any index names it (a count of references, where the spec
//! relies on its garbage collector).

use alloc::string::String;

use super::{ResourceTables, Slot};
use crate::concurrent::Slab;
use crate::Trap;

/// The error-contexts of a set of tables, by id: each object's message and
/// how many indices name it.
#[derive(Debug, Clone, Default)]
pub(super) struct ErrorContexts(Slab<(String, u64)>);

impl ErrorContexts {
    fn insert(&mut self, message: String) -> u32 {
        self.0.insert((message, 1))
    }

    fn message(&self, id: u32) -> &str {
        &self.0.get(id).0
    }

    fn add_ref(&mut self, id: u32) {
        self.0.get_mut(id).1 += 1;
    }

    fn release(&mut self, id: u32) {
        let refs = &mut self.0.get_mut(id).1;
        *refs -= 1;
        if *refs == 0 {
            self.0.remove(id);
        }
    }

    fn live(&self) -> usize {
        self.0.len()
    }
}

impl ResourceTables {
    /// `canon error-context.new`: a new error-context of `instance` with
    /// the debug message `message` (the host has lifted it from the
    /// instance's memory, and may have changed it: the spec leaves the
    /// message to the host). Returns its index.
    ///
    /// # Errors
    ///
    /// [`Trap::TooManyHandles`].
    pub fn error_context_new(&mut self, instance: u32, message: String) -> Result<u32, Trap> {
        let id = self.error_contexts.insert(message);
        let max = self.max_handles;
        let added = self.table_mut(instance).add(Slot::ErrorContext(id), max);
        if added.is_err() {
            self.error_contexts.release(id);
        }
        added
    }

    /// `canon error-context.debug-message`: the message of the
    /// error-context `handle` of `instance` (the same every time).
    ///
    /// # Errors
    ///
    /// [`Trap::UnknownHandle`], [`Trap::WrongHandleKind`].
    pub fn error_context_message(&self, instance: u32, handle: u32) -> Result<&str, Trap> {
        let id = self.error_context_id(instance, handle)?;
        Ok(self.error_contexts.message(id))
    }

    /// `canon error-context.drop`: `instance` drops its index `handle`.
    ///
    /// # Errors
    ///
    /// [`Trap::UnknownHandle`], [`Trap::WrongHandleKind`].
    pub fn error_context_drop(&mut self, instance: u32, handle: u32) -> Result<(), Trap> {
        let id = self.error_context_id(instance, handle)?;
        self.table_mut(instance).take(handle);
        self.error_contexts.release(id);
        Ok(())
    }

    /// `error-context` `transfer:S:D` (`lift_error_context` then
    /// `lower_error_context`): gives `dst` an index of its own to the
    /// error-context `handle` of `src`, which keeps its index; returns the
    /// new index.
    ///
    /// # Errors
    ///
    /// [`Trap::UnknownHandle`], [`Trap::WrongHandleKind`],
    /// [`Trap::TooManyHandles`] (`dst`'s table is full).
    pub fn transfer_error_context(&mut self, src: u32, dst: u32, handle: u32) -> Result<u32, Trap> {
        let id = self.error_context_id(src, handle)?;
        let max = self.max_handles;
        let index = self.table_mut(dst).add(Slot::ErrorContext(id), max)?;
        self.error_contexts.add_ref(id);
        Ok(index)
    }

    /// How many error-contexts are alive (named by at least one index).
    pub fn live_error_contexts(&self) -> usize {
        self.error_contexts.live()
    }

    fn error_context_id(&self, instance: u32, handle: u32) -> Result<u32, Trap> {
        let table = self.tables.get(&instance).ok_or(Trap::UnknownHandle)?;
        match table.slots.get(handle as usize) {
            Some(Some(Slot::ErrorContext(id))) => Ok(*id),
            Some(Some(_)) => Err(Trap::WrongHandleKind),
            _ => Err(Trap::UnknownHandle),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn an_error_context_is_shared_not_moved_and_lives_while_an_index_names_it() {
        let mut t = ResourceTables::new();
        let e = t.error_context_new(0, "boom".to_string()).unwrap();
        let f = t.transfer_error_context(0, 1, e).unwrap();
        assert_eq!(t.error_context_message(0, e), Ok("boom"));
        assert_eq!(t.error_context_message(1, f), Ok("boom"));
        assert_eq!(t.live_error_contexts(), 1);
        t.error_context_drop(0, e).unwrap();
        assert_eq!(t.error_context_message(0, e), Err(Trap::UnknownHandle));
        assert_eq!(t.error_context_message(1, f), Ok("boom"));
        t.error_context_drop(1, f).unwrap();
        assert_eq!(t.live_error_contexts(), 0);
        assert_eq!(t.error_context_drop(1, f), Err(Trap::UnknownHandle));
    }

    #[test]
    fn error_contexts_share_the_table_with_resources_and_waitables() {
        let mut t = ResourceTables::new();
        let r = t.resource_type(None, "r");
        let h = t.new_own(0, r, 7).unwrap();
        let e = t.error_context_new(0, String::new()).unwrap();
        assert_eq!((h, e), (1, 2));
        assert_eq!(t.error_context_message(0, h), Err(Trap::WrongHandleKind));
        assert_eq!(
            t.transfer_error_context(0, 1, h),
            Err(Trap::WrongHandleKind)
        );
        assert_eq!(t.rep(0, r, e), Err(Trap::WrongHandleKind));
        assert_eq!(t.drop_handle(0, r, e), Err(Trap::WrongHandleKind));
        assert_eq!(t.transfer_own(0, 1, e, r), Err(Trap::WrongHandleKind));
        // A freed index is reused by whatever comes next.
        t.error_context_drop(0, e).unwrap();
        assert_eq!(t.new_own(0, r, 8), Ok(e));
    }

    #[test]
    fn a_full_table_refuses_an_error_context_and_keeps_nothing() {
        let mut t = ResourceTables::with_max_handles(1);
        let e = t.error_context_new(0, "a".to_string()).unwrap();
        assert_eq!(
            t.error_context_new(0, "b".to_string()),
            Err(Trap::TooManyHandles)
        );
        // "b" is not kept.
        assert_eq!(t.live_error_contexts(), 1);
        assert_eq!(t.error_context_message(0, e), Ok("a"));
        t.error_context_new(1, "c".to_string()).unwrap();
        // Instance 1's table is full: "a" gains no index there.
        assert_eq!(t.transfer_error_context(0, 1, e), Err(Trap::TooManyHandles));
        assert_eq!(t.live_error_contexts(), 2);
    }
}
