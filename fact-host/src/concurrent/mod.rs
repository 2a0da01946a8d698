//! The async runtime: calls of `async` functions through adapters, their
//! tasks and subtasks, waitable sets, backpressure and the exclusive lock,
//! and the callback loop (the spec's `canon_lower`, `canon_lift`, `Task`,
//! `Subtask` and `WaitableSet` in `definitions.py`).
//!
//! It is *stackless*: it never switches stacks. A call runs the callee's
//! core function (and callbacks) on the caller's native stack; a caller
//! that must wait (a synchronous caller of an `async` function whose result
//! is not there yet, or a task in `waitable-set.wait`) runs a nested event
//! loop, [`block_on`], which starts queued calls and delivers events to
//! callbacks until what it waits for has happened. That covers every
//! combination of a synchronous or `async` lower with a synchronous or
//! callback lift. A stackful lift (`async` without `callback`) needs stack
//! switching and is refused at compile time; a wait that could only end if
//! a wait below it on the stack ended first traps
//! [`Trap::StacklessDeadlock`] instead of switching.
//!
//! The engine glue implements [`Host`]: it lends the tables
//! ([`ResourceTables`], which hold the runtime's state beside the handles,
//! in one table per instance as the spec has it), calls the adapter
//! module's halves and the callee's functions, and reads and writes the
//! instances' flags. `docs/host-abi.md` ("Async calls") says what each
//! entry does.

mod builtins;
mod state;

pub use builtins::{
    backpressure_dec, backpressure_inc, context_get, context_set, error_context_debug_message,
    error_context_drop, error_context_new, subtask_drop, task_return, thread_yield, waitable_join,
    waitable_set_drop, waitable_set_new, waitable_set_poll, waitable_set_wait,
    with_may_leave_clear,
};
pub(crate) use state::{Concurrency, Slab};
pub use state::{EVENT_NONE, EVENT_SUBTASK, RETURNED, STARTED, STARTING};

use crate::flags::{MAY_ENTER, MAY_LEAVE};
use crate::{AsyncCall, ResourceTables, Trap};
use alloc::vec::Vec;
use state::{Cont, Registered, Task, Wait, Work};

/// A core wasm value that crosses the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreValue {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, by its bits.
    F32(u32),
    /// An `f64`, by its bits.
    F64(u64),
}

impl CoreValue {
    /// The value as an `i32` (callback codes and the like).
    pub fn i32(self) -> Option<i32> {
        match self {
            CoreValue::I32(v) => Some(v),
            _ => None,
        }
    }
}

/// What the runtime calls of a registered adapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The adapter module's `[start]<name>`.
    Start,
    /// The adapter module's `[return]<name>`.
    Return,
    /// The adapter module's `[post-return]<name>`.
    PostReturn,
    /// The callee's core function (the `callee` the adapter imports).
    Callee,
    /// The callee's `callback`.
    Callback,
}

/// A waitable in an instance's handle table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waitable {
    /// The subtask of the task with this id.
    Subtask(u32),
    /// The waitable set with this id.
    Set(u32),
}

/// What the runtime needs of the engine, for one entry into it (a host
/// function the engine is running). The engine glue implements it over the
/// call's context: the tables it keeps (behind a lock, or in the store),
/// the adapter modules' exports and the callees' functions it linked, and
/// the instances' flags globals.
pub trait Host {
    /// The engine's error: a trap of the runtime, or anything the engine
    /// raised while the runtime called into wasm.
    type Error;

    /// Runs `f` on the tables. The runtime never calls into wasm inside
    /// `f`, so a lock may be held for its duration.
    fn tables<R>(&mut self, f: impl FnOnce(&mut ResourceTables) -> R) -> R;

    /// Calls `part` of the adapter registered as `adapter`
    /// ([`register`]) with `args`, and returns its results.
    fn call(
        &mut self,
        adapter: u32,
        part: Part,
        args: &[CoreValue],
    ) -> Result<Vec<CoreValue>, Self::Error>;

    /// Reads the flags global of `instance`.
    fn flags(&mut self, instance: u32) -> i32;

    /// Writes the flags global of `instance`.
    fn set_flags(&mut self, instance: u32, value: i32);

    /// The error that makes the current call trap with `trap`.
    fn trap(&mut self, trap: Trap) -> Self::Error;
}

/// Registers an adapter of an `async` function, from `caller` instance to
/// `callee` instance, run as `call` says; returns the id [`Host::call`]
/// gets. A glue registers each adapter once, when it links the module.
pub fn register(tables: &mut ResourceTables, caller: u32, callee: u32, call: &AsyncCall) -> u32 {
    let c = &mut tables.concurrency;
    c.adapters.push(Registered {
        caller,
        callee,
        call: alloc::sync::Arc::new(call.clone()),
    });
    c.adapters.len() as u32 - 1
}

/// Runs `f`, a call the host makes into `instance` (an export it calls
/// directly, not through an adapter), as a task of that instance: the
/// runtime's built-ins called from it (`waitable-set.wait`, `context.get`,
/// an `async` lower...) then belong to that task. `async_ft` is whether the
/// function's type is `async` (only then may the task block).
pub fn host_call<H: Host, R>(
    host: &mut H,
    instance: u32,
    async_ft: bool,
    f: impl FnOnce(&mut H) -> Result<R, H::Error>,
) -> Result<R, H::Error> {
    let task = host.tables(|t| {
        let c = &mut t.concurrency;
        let id = c.tasks.insert(Task {
            adapter: None,
            instance,
            caller_instance: instance,
            async_ft,
            needs_exclusive: false,
            args: Vec::new(),
            retptr: None,
            state: STARTED,
            resolved: false,
            results: Vec::new(),
            handle: None,
            pending_event: false,
            set: None,
            delivered: true,
            scope: None,
            context: [0; 2],
            cont: Cont::Running,
        });
        c.current.push(id);
        id
    });
    let result = f(host);
    host.tables(|t| {
        let c = &mut t.concurrency;
        c.current.retain(|&x| x != task);
        c.tasks.remove(task);
    });
    result
}

/// Runs queued work (calls waiting behind backpressure, callbacks with an
/// event) until none can run. A host calls it after the calls it made
/// returned, for the callees that go on after returning their results.
pub fn run_until_idle<H: Host>(host: &mut H) -> Result<(), H::Error> {
    while let Some(work) = host.tables(|t| t.concurrency.take_eligible()) {
        run_work(host, work)?;
    }
    Ok(())
}

/// `async` `call:<i>`: the call of the adapter registered as `adapter`,
/// with the adapter's arguments; returns what the adapter returns (the
/// caller's flat result for a synchronous lower, the packed status for an
/// `async` one).
pub fn call<H: Host>(
    host: &mut H,
    adapter: u32,
    args: &[CoreValue],
) -> Result<Vec<CoreValue>, H::Error> {
    let reg = host.tables(|t| t.concurrency.adapters[adapter as usize].clone());
    // `Store.lift`: the callee may not be entered while it is on the stack.
    if host.flags(reg.callee) & MAY_ENTER == 0 {
        return Err(host.trap(Trap::CannotEnter));
    }
    let call = &reg.call;
    let n = call.start_params as usize;
    let (task, gated) = host.tables(|t| {
        let c = &mut t.concurrency;
        let id = c.tasks.insert(Task {
            adapter: Some(adapter),
            instance: reg.callee,
            caller_instance: reg.caller,
            async_ft: true,
            // A synchronous and a callback lift both hold the lock.
            needs_exclusive: true,
            args: args[..n].to_vec(),
            retptr: call.retptr.then(|| args[n]),
            state: STARTING,
            resolved: false,
            results: Vec::new(),
            handle: None,
            pending_event: false,
            set: None,
            delivered: false,
            scope: None,
            context: [0; 2],
            cont: Cont::Pending,
        });
        let residual = c
            .instances
            .get(&reg.callee)
            .is_some_and(|i| i.num_waiting_to_enter > 0);
        (id, residual || c.has_backpressure(reg.callee, true))
    });
    if gated {
        if call.lower_async {
            // The caller goes on; the call starts when the callee's
            // instance lets it.
            let handle = host.tables(|t| {
                t.concurrency.instance(reg.callee).num_waiting_to_enter += 1;
                t.concurrency.queue.push_back(Work::Start(task));
                subtask_handle(t, task)
            });
            let handle = handle.map_err(|trap| host.trap(trap))?;
            return Ok(alloc::vec![CoreValue::I32(
                (handle << 4) as i32 | STARTING as i32
            )]);
        }
        host.tables(|t| t.concurrency.instance(reg.callee).num_waiting_to_enter += 1);
        let waited = block_on(host, reg.caller, Wait::Enter(reg.callee));
        host.tables(|t| t.concurrency.instance(reg.callee).num_waiting_to_enter -= 1);
        waited?;
    }
    start(host, task)?;
    let (resolved, lower_async) =
        host.tables(|t| (t.concurrency.tasks.get(task).resolved, call.lower_async));
    if resolved {
        // The result is there: no subtask for the caller.
        let results = host.tables(|t| deliver_results(t, task));
        return Ok(if lower_async {
            alloc::vec![CoreValue::I32(RETURNED as i32)]
        } else {
            results
        });
    }
    if lower_async {
        let handle = host.tables(|t| {
            let state = t.concurrency.tasks.get(task).state;
            subtask_handle(t, task).map(|h| (h, state))
        });
        let (handle, state) = handle.map_err(|trap| host.trap(trap))?;
        return Ok(alloc::vec![CoreValue::I32(
            (handle << 4) as i32 | state as i32
        )]);
    }
    block_on(host, reg.caller, Wait::Resolved(task))?;
    Ok(host.tables(|t| deliver_results(t, task)))
}

/// The caller takes the results of `task`, which resolved
/// (`Subtask.deliver_resolve`: the call's lends end).
fn deliver_results(t: &mut ResourceTables, task: u32) -> Vec<CoreValue> {
    let c = &mut t.concurrency;
    let tk = c.tasks.get_mut(task);
    tk.delivered = true;
    let results = core::mem::take(&mut tk.results);
    let scope = tk.scope.take();
    c.collect(task);
    if let Some(id) = scope {
        t.end_scope(id);
    }
    results
}

/// Takes the first event of waitable set `set`; an event that delivers a
/// subtask's resolution ends the call's lends (`Subtask.deliver_resolve`).
pub(crate) fn take_event(t: &mut ResourceTables, set: u32) -> Option<(u32, u32, u32)> {
    let (event, scope) = t.concurrency.take_event(set)?;
    if let Some(id) = scope {
        t.end_scope(id);
    }
    Some(event)
}

/// Gives the caller of `task` a handle of its subtask.
fn subtask_handle(t: &mut ResourceTables, task: u32) -> Result<u32, Trap> {
    let caller = t.concurrency.tasks.get(task).caller_instance;
    let handle = t.add_waitable(caller, Waitable::Subtask(task))?;
    t.concurrency.tasks.get_mut(task).handle = Some(handle);
    Ok(handle)
}

/// Starts `task`: takes its instance's lock, reads the caller's arguments
/// into the callee (`[start]`), and runs the callee's core function.
///
/// `[start]` runs inside the call's borrow scope, opened on the stack of
/// open calls as a synchronous adapter's `enter-call` does: the borrows it
/// lends and gives belong to the call. The scope then leaves the stack
/// with the task: its borrows are checked at `task.return` and its lends
/// end when the caller sees the resolution.
fn start<H: Host>(host: &mut H, task: u32) -> Result<(), H::Error> {
    let (adapter, args) = host.tables(|t| {
        let c = &mut t.concurrency;
        let tk = c.tasks.get_mut(task);
        let (instance, caller) = (tk.instance, tk.caller_instance);
        let args = core::mem::take(&mut tk.args);
        let adapter = tk.adapter.expect("a call");
        c.instance(instance).exclusive = Some(task);
        c.progress(task, STARTED);
        t.enter_call(caller, instance);
        (adapter, args)
    });
    let lifted = host.call(adapter, Part::Start, &args)?;
    host.tables(|t| {
        let scope = t.detach_call();
        t.concurrency.tasks.get_mut(task).scope = scope;
    });
    let results = enter(host, task, |host| host.call(adapter, Part::Callee, &lifted))?;
    let callback = host.tables(|t| t.concurrency.adapters[adapter as usize].call.callback);
    if callback {
        let code = results.first().and_then(|v| v.i32()).unwrap_or(-1);
        return handle_code(host, task, code as u32);
    }
    // A synchronous lift returned its results from its core function:
    // `Task.return_` checks that it dropped its borrows.
    let (retptr, borrows) = host.tables(|t| {
        let tk = t.concurrency.tasks.get(task);
        let (retptr, scope) = (tk.retptr, tk.scope);
        (retptr, scope.map_or(Ok(()), |id| t.check_borrows(id)))
    });
    borrows.map_err(|trap| host.trap(trap))?;
    let mut args = results.clone();
    args.extend(retptr);
    let lowered = host.call(adapter, Part::Return, &args)?;
    resolve(host, task, lowered);
    let post_return = host.tables(|t| t.concurrency.adapters[adapter as usize].call.post_return);
    if post_return {
        host.call(adapter, Part::PostReturn, &results)?;
    }
    exit(host, task);
    Ok(())
}

/// Runs `f` (the callee's code) with `task` current and its instance
/// entered: its `may_enter` clear, as the spec's `Store.lift` does.
fn enter<H: Host, R>(
    host: &mut H,
    task: u32,
    f: impl FnOnce(&mut H) -> Result<R, H::Error>,
) -> Result<R, H::Error> {
    let instance = host.tables(|t| {
        let c = &mut t.concurrency;
        c.current.push(task);
        let tk = c.tasks.get_mut(task);
        tk.cont = Cont::Running;
        tk.instance
    });
    let flags = host.flags(instance);
    host.set_flags(instance, flags & !MAY_ENTER);
    let result = f(host);
    host.set_flags(instance, flags);
    host.tables(|t| t.concurrency.current.retain(|&x| x != task));
    result
}

/// The results are back in the caller: the subtask resolved.
fn resolve<H: Host>(host: &mut H, task: u32, results: Vec<CoreValue>) {
    host.tables(|t| {
        let c = &mut t.concurrency;
        let tk = c.tasks.get_mut(task);
        tk.resolved = true;
        tk.results = results;
        c.progress(task, RETURNED);
    });
}

/// The task's code ended for good: it releases its instance's lock.
fn exit<H: Host>(host: &mut H, task: u32) {
    host.tables(|t| {
        let c = &mut t.concurrency;
        let tk = c.tasks.get_mut(task);
        tk.cont = Cont::Exited;
        let instance = tk.instance;
        let i = c.instance(instance);
        if i.exclusive == Some(task) {
            i.exclusive = None;
        }
        c.collect(task);
    });
}

/// What the callback loop does with a callback code (`canon_lift`'s loop,
/// one step at a time).
fn handle_code<H: Host>(host: &mut H, task: u32, code: u32) -> Result<(), H::Error> {
    let outcome = host.tables(|t| {
        let c = &mut t.concurrency;
        let instance = c.tasks.get(task).instance;
        let release = |c: &mut Concurrency| {
            let i = c.instance(instance);
            if i.exclusive == Some(task) {
                i.exclusive = None;
            }
        };
        match code & 0xf {
            0 => {
                if !c.tasks.get(task).resolved {
                    return Err(Trap::NoAsyncResult);
                }
                Ok(true)
            }
            1 => {
                release(c);
                c.tasks.get_mut(task).cont = Cont::Yielded;
                c.queue.push_back(Work::Deliver(task));
                Ok(false)
            }
            2 => {
                let set = t.waitable(instance, code >> 4)?.set()?;
                let c = &mut t.concurrency;
                release(c);
                c.sets.get_mut(set).num_waiting += 1;
                c.tasks.get_mut(task).cont = Cont::Waiting(set);
                c.queue.push_back(Work::Deliver(task));
                Ok(false)
            }
            _ => Err(Trap::UnsupportedCallbackCode),
        }
    });
    match outcome {
        Ok(true) => {
            exit(host, task);
            Ok(())
        }
        Ok(false) => Ok(()),
        Err(trap) => Err(host.trap(trap)),
    }
}

/// Calls a waiting task's callback with its event.
fn deliver<H: Host>(host: &mut H, task: u32) -> Result<(), H::Error> {
    let (adapter, event) = host.tables(|t| {
        let c = &mut t.concurrency;
        let tk = c.tasks.get(task);
        let (adapter, instance, cont) = (tk.adapter.expect("a call"), tk.instance, tk.cont);
        c.instance(instance).exclusive = Some(task);
        let event = match cont {
            Cont::Waiting(set) => {
                c.sets.get_mut(set).num_waiting -= 1;
                take_event(t, set).expect("delivered when the set has an event")
            }
            _ => (EVENT_NONE, 0, 0),
        };
        (adapter, event)
    });
    let args = [event.0, event.1, event.2].map(|v| CoreValue::I32(v as i32));
    let results = enter(host, task, |host| host.call(adapter, Part::Callback, &args))?;
    let code = results.first().and_then(|v| v.i32()).unwrap_or(-1);
    handle_code(host, task, code as u32)
}

/// Runs one piece of queued work.
fn run_work<H: Host>(host: &mut H, work: Work) -> Result<(), H::Error> {
    match work {
        Work::Start(task) => {
            host.tables(|t| {
                let instance = t.concurrency.tasks.get(task).instance;
                t.concurrency.instance(instance).num_waiting_to_enter -= 1;
            });
            start(host, task)
        }
        Work::Deliver(task) => deliver(host, task),
    }
}

/// Waits, on this native stack, until what `wait` waits for has happened:
/// runs eligible work (calls to start, callbacks with an event) one piece
/// at a time, each on top of this stack. `instance` is the waiting
/// instance: while it waits it may be entered again (the spec's
/// `Store.lift` leaves an instance whose thread blocks).
///
/// A task of a synchronous function type may not wait: with no other
/// thread of its instance to run (fact has no threads), the spec's
/// `canon_lift` traps. When no work can run, the wait can never end
/// ([`Trap::Deadlock`]), unless a wait further down the stack is over: the
/// spec would resume that one, and the stackless runtime cannot
/// ([`Trap::StacklessDeadlock`]).
pub(crate) fn block_on<H: Host>(host: &mut H, instance: u32, wait: Wait) -> Result<(), H::Error> {
    let verdict = host.tables(|t| {
        let c = &t.concurrency;
        if c.done(wait) {
            return Ok(true);
        }
        match c.current_task(instance) {
            Some(task) if c.tasks.get(task).async_ft => Ok(false),
            _ => Err(Trap::SyncTaskBlocked),
        }
    });
    match verdict {
        Ok(true) => return Ok(()),
        Ok(false) => {}
        Err(trap) => return Err(host.trap(trap)),
    }
    let flags = host.flags(instance);
    host.set_flags(instance, flags | MAY_ENTER);
    host.tables(|t| t.concurrency.loops.push(wait));
    let result = (|| loop {
        let next = host.tables(|t| {
            let c = &mut t.concurrency;
            if c.done(wait) {
                return Ok(None);
            }
            if let Some(work) = c.take_eligible() {
                return Ok(Some(work));
            }
            let outer = &c.loops[..c.loops.len() - 1];
            if outer.iter().any(|&w| c.done(w)) {
                return Err(Trap::StacklessDeadlock);
            }
            Err(Trap::Deadlock)
        });
        match next {
            Ok(None) => return Ok(()),
            Ok(Some(work)) => run_work(host, work)?,
            Err(trap) => return Err(host.trap(trap)),
        }
    })();
    host.tables(|t| t.concurrency.loops.pop());
    host.set_flags(instance, flags);
    result
}

/// Whether `instance` may call out (`trap_if(not inst.may_leave)`).
pub(crate) fn check_may_leave<H: Host>(host: &mut H, instance: u32) -> Result<(), H::Error> {
    if host.flags(instance) & MAY_LEAVE == 0 {
        return Err(host.trap(Trap::CannotLeave));
    }
    Ok(())
}

#[cfg(test)]
mod chaos;
#[cfg(test)]
mod tests;
