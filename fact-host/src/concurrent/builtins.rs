//! The canon built-ins that component instances import for async calls:
//! `task.return`, `subtask.drop`, `waitable-set.new`, `wait`, `poll` and
//! `drop`, `waitable.join`, `backpressure.inc` and `dec`, `context.get` and
//! `set`, `thread.yield`, and `error-context.new`, `debug-message` and `drop`
//! (`canon_*` in `definitions.py`). Each takes the
//! instance that calls it; the runtime finds its current task.

use super::state::{Wait, EVENT_NONE};
use super::{block_on, check_may_leave, resolve, take_event, CoreValue, Host, Part, Waitable};
use crate::{ResourceTables, Signature, StringEncoding, Trap};
use alloc::string::String;

/// Runs `f` on the tables, turning its trap into the host's error.
fn with<H: Host, R>(
    host: &mut H,
    f: impl FnOnce(&mut ResourceTables) -> Result<R, Trap>,
) -> Result<R, H::Error> {
    match host.tables(f) {
        Ok(r) => Ok(r),
        Err(trap) => Err(host.trap(trap)),
    }
}

/// `canon task.return`: the current task of `instance` returns its results,
/// given as a `task.return` of core type `signature` (the result type's
/// flat values, or a pointer) with the string encoding `encoding`. Its
/// caller's `[return]` moves them into the caller now.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::TaskReturnInvalid`] if the task lifts
/// synchronously or `signature` or `encoding` are not its function's;
/// [`Trap::TaskReturnedTwice`]; [`Trap::BorrowNotDropped`] if the task still
/// holds a borrowed handle its call gave it.
pub fn task_return<H: Host>(
    host: &mut H,
    instance: u32,
    signature: &Signature,
    encoding: StringEncoding,
    args: &[CoreValue],
) -> Result<(), H::Error> {
    check_may_leave(host, instance)?;
    let (task, adapter, retptr) = with(host, |t| {
        // A task the runtime does not see came through a synchronous
        // adapter: it lifts synchronously.
        let task = t
            .concurrency
            .current_task(instance)
            .ok_or(Trap::TaskReturnInvalid)?;
        let tk = t.concurrency.tasks.get(task);
        let adapter = tk.adapter.ok_or(Trap::TaskReturnInvalid)?;
        let call = &t.concurrency.adapters[adapter as usize].call;
        if !call.callback || call.task_return != *signature || call.callee_encoding != encoding {
            return Err(Trap::TaskReturnInvalid);
        }
        if tk.resolved {
            return Err(Trap::TaskReturnedTwice);
        }
        // `Task.return_`: the callee dropped the borrows of its call.
        let (retptr, scope) = (tk.retptr, tk.scope);
        if let Some(id) = scope {
            t.check_borrows(id)?;
        }
        Ok((task, adapter, retptr))
    })?;
    let mut args = args.to_vec();
    args.extend(retptr);
    let results = host.call(adapter, Part::Return, &args)?;
    resolve(host, task, results);
    Ok(())
}

/// `canon subtask.drop`: `instance` drops its subtask handle `index`.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::UnknownHandle`],
/// [`Trap::WrongHandleKind`]; [`Trap::SubtaskNotResolved`] if its
/// resolution was not delivered.
pub fn subtask_drop<H: Host>(host: &mut H, instance: u32, index: u32) -> Result<(), H::Error> {
    check_may_leave(host, instance)?;
    with(host, |t| {
        let task = t.waitable(instance, index)?.subtask()?;
        let c = &mut t.concurrency;
        if !c.tasks.get(task).delivered {
            return Err(Trap::SubtaskNotResolved);
        }
        if let Some(set) = c.tasks.get(task).set {
            c.sets.get_mut(set).elems.retain(|&x| x != task);
        }
        let tk = c.tasks.get_mut(task);
        tk.handle = None;
        tk.set = None;
        c.collect(task);
        t.remove_waitable(instance, index);
        Ok(())
    })
}

/// `canon waitable-set.new`: a new, empty set in `instance`'s table.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::TooManyHandles`].
pub fn waitable_set_new<H: Host>(host: &mut H, instance: u32) -> Result<u32, H::Error> {
    check_may_leave(host, instance)?;
    with(host, |t| {
        let set = t.concurrency.sets.insert(super::state::Set::default());
        t.add_waitable(instance, Waitable::Set(set))
    })
}

/// `canon waitable.join`: the waitable `index` of `instance` joins the set
/// `set` (leaving any other), or leaves its set when `set` is 0.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::UnknownHandle`],
/// [`Trap::WrongHandleKind`] (only subtasks join sets).
pub fn waitable_join<H: Host>(
    host: &mut H,
    instance: u32,
    index: u32,
    set: u32,
) -> Result<(), H::Error> {
    check_may_leave(host, instance)?;
    with(host, |t| {
        let task = t.waitable(instance, index)?.subtask()?;
        let to = match set {
            0 => None,
            s => Some(t.waitable(instance, s)?.set()?),
        };
        let c = &mut t.concurrency;
        if let Some(old) = c.tasks.get(task).set {
            c.sets.get_mut(old).elems.retain(|&x| x != task);
        }
        if let Some(to) = to {
            c.sets.get_mut(to).elems.push(task);
        }
        c.tasks.get_mut(task).set = to;
        Ok(())
    })
}

/// `canon waitable-set.wait`: the current task of `instance` waits for an
/// event of the set `set`; returns `(code, index, payload)`, which the glue
/// writes as the spec's `(event code, p1 at ptr, p2 at ptr + 4)`.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::UnknownHandle`],
/// [`Trap::WrongHandleKind`]; [`Trap::SyncTaskBlocked`] if the task's
/// function type is not `async` and there is no event yet;
/// [`Trap::Deadlock`] if no event can ever come.
pub fn waitable_set_wait<H: Host>(
    host: &mut H,
    instance: u32,
    set: u32,
) -> Result<(u32, u32, u32), H::Error> {
    check_may_leave(host, instance)?;
    let set = with(host, |t| {
        let set = t.waitable(instance, set)?.set()?;
        t.concurrency.sets.get_mut(set).num_waiting += 1;
        Ok(set)
    })?;
    let waited = block_on(host, instance, Wait::Event(set));
    host.tables(|t| t.concurrency.sets.get_mut(set).num_waiting -= 1);
    waited?;
    Ok(host.tables(|t| take_event(t, set).expect("the set has an event")))
}

/// `canon waitable-set.poll`: the set's event, if it has one, else
/// `(EVENT_NONE, 0, 0)`; never waits.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::UnknownHandle`],
/// [`Trap::WrongHandleKind`].
pub fn waitable_set_poll<H: Host>(
    host: &mut H,
    instance: u32,
    set: u32,
) -> Result<(u32, u32, u32), H::Error> {
    check_may_leave(host, instance)?;
    with(host, |t| {
        let set = t.waitable(instance, set)?.set()?;
        Ok(take_event(t, set).unwrap_or((EVENT_NONE, 0, 0)))
    })
}

/// `canon waitable-set.drop`.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::UnknownHandle`],
/// [`Trap::WrongHandleKind`]; [`Trap::WaitableSetNotEmpty`] if waitables
/// are in it or a task waits on it.
pub fn waitable_set_drop<H: Host>(host: &mut H, instance: u32, set: u32) -> Result<(), H::Error> {
    check_may_leave(host, instance)?;
    with(host, |t| {
        let id = t.waitable(instance, set)?.set()?;
        let s = t.concurrency.sets.get(id);
        if !s.elems.is_empty() || s.num_waiting > 0 {
            return Err(Trap::WaitableSetNotEmpty);
        }
        t.concurrency.sets.remove(id);
        t.remove_waitable(instance, set);
        Ok(())
    })
}

/// `canon backpressure.inc`: calls into `instance` wait until it is
/// decremented back to 0.
///
/// # Errors
///
/// [`Trap::BackpressureOverflow`] past 2^16 - 1.
pub fn backpressure_inc<H: Host>(host: &mut H, instance: u32) -> Result<(), H::Error> {
    with(host, |t| t.concurrency.backpressure(instance, true))
}

/// `canon backpressure.dec`.
///
/// # Errors
///
/// [`Trap::BackpressureOverflow`] below 0.
pub fn backpressure_dec<H: Host>(host: &mut H, instance: u32) -> Result<(), H::Error> {
    with(host, |t| t.concurrency.backpressure(instance, false))
}

/// The context slot `slot` (0 or 1) of the current task of `instance`.
///
/// A call into `instance` through a synchronous adapter (of a synchronous
/// function) runs in wasm alone, unseen by the runtime: the code it runs
/// shares one pair of slots per instance.
fn slot(t: &mut ResourceTables, instance: u32, slot: usize) -> &mut i32 {
    let c = &mut t.concurrency;
    match c.current_task(instance) {
        Some(task) => &mut c.tasks.get_mut(task).context[slot % 2],
        None => &mut c.instance(instance).untracked_context[slot % 2],
    }
}

/// `canon context.get i32 slot` of the current task of `instance`: a slot
/// (0 or 1) that every task starts with at 0.
pub fn context_get<H: Host>(host: &mut H, instance: u32, index: usize) -> i32 {
    host.tables(|t| *slot(t, instance, index))
}

/// `canon context.set i32 slot`.
pub fn context_set<H: Host>(host: &mut H, instance: u32, index: usize, value: i32) {
    host.tables(|t| *slot(t, instance, index) = value);
}

/// `canon thread.yield`: returns 0 (not cancelled). The spec lets a yield
/// return at once; the runtime gives other work its turn at the next wait.
///
/// # Errors
///
/// [`Trap::CannotLeave`].
pub fn thread_yield<H: Host>(host: &mut H, instance: u32) -> Result<u32, H::Error> {
    check_may_leave(host, instance)?;
    Ok(0)
}

/// `canon error-context.new`: a new error-context of `instance` whose
/// message `lift` reads from the instance's memory (after the `may_leave`
/// check, as the spec orders them); returns its index.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; the error of `lift` (see
/// [`lift_string`](crate::lift_string)); [`Trap::TooManyHandles`].
pub fn error_context_new<H: Host>(
    host: &mut H,
    instance: u32,
    lift: impl FnOnce(&mut H) -> Result<String, H::Error>,
) -> Result<u32, H::Error> {
    check_may_leave(host, instance)?;
    let message = lift(host)?;
    with(host, |t| t.error_context_new(instance, message))
}

/// `canon error-context.debug-message`: the message of the error-context
/// `handle` of `instance`, which the glue lowers into the instance's memory
/// (calling its `realloc` through [`with_may_leave_clear`]).
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::UnknownHandle`],
/// [`Trap::WrongHandleKind`].
pub fn error_context_debug_message<H: Host>(
    host: &mut H,
    instance: u32,
    handle: u32,
) -> Result<String, H::Error> {
    check_may_leave(host, instance)?;
    with(host, |t| {
        t.error_context_message(instance, handle).map(String::from)
    })
}

/// `canon error-context.drop`.
///
/// # Errors
///
/// [`Trap::CannotLeave`]; [`Trap::UnknownHandle`],
/// [`Trap::WrongHandleKind`].
pub fn error_context_drop<H: Host>(
    host: &mut H,
    instance: u32,
    handle: u32,
) -> Result<(), H::Error> {
    check_may_leave(host, instance)?;
    with(host, |t| t.error_context_drop(instance, handle))
}

/// Runs `f` (a call of `instance`'s `realloc`) with the instance's
/// `may_leave` clear, as the spec's `LiftLowerContext.reallocate` does.
pub fn with_may_leave_clear<H: Host, R>(
    host: &mut H,
    instance: u32,
    f: impl FnOnce(&mut H) -> R,
) -> R {
    let flags = host.flags(instance);
    host.set_flags(instance, flags & !crate::flags::MAY_LEAVE);
    let result = f(host);
    host.set_flags(instance, flags);
    result
}
