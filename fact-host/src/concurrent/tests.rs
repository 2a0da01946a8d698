//! The borrow scope of an `async` call, driven through the runtime by a
//! scripted host: its `[start]` lends the caller's handle and gives the
//! callee a borrowed one, as an adapter module's `[start]` does with the
//! `resource` intrinsics. (The adapters themselves are run against
//! Wasmtime's in the async differential campaign.)

use super::*;
use crate::resources::ResourceType;
use crate::{Signature, StringEncoding};
use alloc::collections::BTreeMap;

/// The callee of the scripted call: what its code does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Callee {
    /// A callback lift that yields, then (in its callback) drops its
    /// borrow or not, calls `task.return` and exits.
    Yields { drop_borrow: bool },
    /// A synchronous lift that returns at once, dropping its borrow or not.
    Returns { drop_borrow: bool },
}

struct Mock {
    tables: ResourceTables,
    flags: BTreeMap<u32, i32>,
    ty: ResourceType,
    callee: Callee,
    /// The borrowed handle the callee received.
    borrowed: Option<u32>,
    /// What `task.return` gave, if it was called.
    task_return: Option<Result<(), Trap>>,
}

/// The core type of a `task.return` of no results.
pub(super) const NO_RESULTS: Signature = Signature {
    params: alloc::borrow::Cow::Borrowed(&[]),
    results: alloc::borrow::Cow::Borrowed(&[]),
};

impl Host for Mock {
    type Error = Trap;

    fn tables<R>(&mut self, f: impl FnOnce(&mut ResourceTables) -> R) -> R {
        f(&mut self.tables)
    }

    fn call(&mut self, _: u32, part: Part, args: &[CoreValue]) -> Result<Vec<CoreValue>, Trap> {
        let drop = |m: &mut Mock| {
            let b = m.borrowed.take().expect("a borrow");
            m.tables.drop_handle(1, m.ty, b).map(|_| ())
        };
        match (part, self.callee) {
            (Part::Start, _) => {
                let h = args[0].i32().expect("a handle") as u32;
                let b = self.tables.transfer_borrow(0, 1, h, self.ty)?;
                self.borrowed = Some(b);
                Ok(alloc::vec![CoreValue::I32(b as i32)])
            }
            (Part::Callee, Callee::Yields { .. }) => Ok(alloc::vec![CoreValue::I32(1)]),
            (Part::Callback, Callee::Yields { drop_borrow }) => {
                if drop_borrow {
                    drop(self)?;
                }
                let r = task_return(self, 1, &NO_RESULTS, StringEncoding::Utf8, &[]);
                self.task_return = Some(r);
                r?;
                Ok(alloc::vec![CoreValue::I32(0)])
            }
            (Part::Callee, Callee::Returns { drop_borrow }) => {
                if drop_borrow {
                    drop(self)?;
                }
                Ok(Vec::new())
            }
            (Part::Return, _) => Ok(Vec::new()),
            (part, callee) => panic!("{part:?} of {callee:?}"),
        }
    }

    fn flags(&mut self, instance: u32) -> i32 {
        *self.flags.entry(instance).or_insert(crate::flags::INITIAL)
    }

    fn set_flags(&mut self, instance: u32, value: i32) {
        self.flags.insert(instance, value);
    }

    fn trap(&mut self, trap: Trap) -> Trap {
        trap
    }
}

/// A mock whose caller (instance 0) owns a handle (returned) of `r`, and
/// an adapter (returned) from instance 0 to 1 of `f: async func(x:
/// borrow<r>)`, lowered with `async` or not.
fn setup(callee: Callee, lower_async: bool) -> (Mock, u32, u32) {
    let mut tables = ResourceTables::new();
    let ty = tables.resource_type(None, "r");
    let h = tables.new_own(0, ty, 7).unwrap();
    let adapter = register(
        &mut tables,
        0,
        1,
        &AsyncCall {
            lower_async,
            callback: matches!(callee, Callee::Yields { .. }),
            start_params: 1,
            retptr: false,
            task_return: NO_RESULTS,
            callee_encoding: StringEncoding::Utf8,
            post_return: false,
        },
    );
    let mock = Mock {
        tables,
        flags: BTreeMap::new(),
        ty,
        callee,
        borrowed: None,
        task_return: None,
    };
    (mock, h, adapter)
}

fn lends(m: &Mock, h: u32) -> u32 {
    m.tables.handle(0, h).expect("the caller's handle").lends
}

#[test]
fn an_async_calls_lends_last_until_the_caller_sees_the_resolution() {
    let (mut m, h, adapter) = setup(Callee::Yields { drop_borrow: true }, true);
    let run = |m: &mut Mock| -> Result<(), Trap> {
        let status = call(m, adapter, &[CoreValue::I32(h as i32)])?[0]
            .i32()
            .unwrap() as u32;
        assert_eq!(status & 0xf, STARTED);
        let subtask = status >> 4;
        // The call is open and has left the stack of open calls; the
        // caller's handle is lent to it.
        assert_eq!(m.tables.call_depth(), 0);
        assert_eq!(lends(m, h), 1);
        assert_eq!(m.tables.drop_handle(0, m.ty, h), Err(Trap::HandleLent));
        // The callee runs on: it drops its borrow and returns.
        let set = waitable_set_new(m, 0)?;
        waitable_join(m, 0, subtask, set)?;
        run_until_idle(m)?;
        assert_eq!(m.task_return, Some(Ok(())));
        // Resolved, but the caller has not seen it: still lent.
        assert_eq!(lends(m, h), 1);
        let event = waitable_set_poll(m, 0, set)?;
        assert_eq!(event, (EVENT_SUBTASK, subtask, RETURNED));
        assert_eq!(lends(m, h), 0);
        waitable_join(m, 0, subtask, 0)?;
        subtask_drop(m, 0, subtask)?;
        waitable_set_drop(m, 0, set)?;
        Ok(())
    };
    host_call(&mut m, 0, true, run).unwrap();
    assert_eq!(m.tables.drop_handle(0, m.ty, h), Ok(Some(7)));
    assert_eq!(m.tables.live_tasks(), 0);
}

#[test]
fn task_return_with_a_borrow_held_traps() {
    let (mut m, h, adapter) = setup(Callee::Yields { drop_borrow: false }, true);
    let result = host_call(&mut m, 0, true, |m| {
        call(m, adapter, &[CoreValue::I32(h as i32)])?;
        run_until_idle(m)
    });
    assert_eq!(result, Err(Trap::BorrowNotDropped));
    assert_eq!(m.task_return, Some(Err(Trap::BorrowNotDropped)));
}

#[test]
fn a_synchronous_lift_that_keeps_its_borrow_traps() {
    for lower_async in [false, true] {
        let (mut m, h, adapter) = setup(Callee::Returns { drop_borrow: false }, lower_async);
        let result = host_call(&mut m, 0, true, |m| {
            call(m, adapter, &[CoreValue::I32(h as i32)]).map(|_| ())
        });
        assert_eq!(
            result,
            Err(Trap::BorrowNotDropped),
            "lower async {lower_async}"
        );
    }
}

#[test]
fn a_synchronous_lift_that_drops_its_borrow_returns_and_ends_the_lend() {
    for lower_async in [false, true] {
        let (mut m, h, adapter) = setup(Callee::Returns { drop_borrow: true }, lower_async);
        let status = host_call(&mut m, 0, true, |m| {
            call(m, adapter, &[CoreValue::I32(h as i32)])
        });
        let want = if lower_async {
            alloc::vec![CoreValue::I32(RETURNED as i32)]
        } else {
            Vec::new()
        };
        assert_eq!(status, Ok(want), "lower async {lower_async}");
        assert_eq!(lends(&m, h), 0);
        assert_eq!(m.tables.call_depth(), 0);
        assert_eq!(m.tables.live_tasks(), 0);
    }
}
