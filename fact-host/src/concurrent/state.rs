//! The async runtime's state, as plain data: tasks (each with the subtask
//! its caller sees), waitable sets, each instance's backpressure and
//! exclusive lock, and the queue of work waiting for its turn (the spec's
//! `Task`, `Subtask`, `WaitableSet` and `ComponentInstance` fields,
//! `definitions.py`).

use super::{CoreValue, Waitable};
use crate::{AsyncCall, Trap};
use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

/// `Subtask.State` of the spec: what the caller is told.
pub const STARTING: u32 = 0;
/// The callee started: its parameters were read.
pub const STARTED: u32 = 1;
/// The callee returned its results.
pub const RETURNED: u32 = 2;

/// `EventCode.SUBTASK` of the spec.
pub const EVENT_SUBTASK: u32 = 1;
/// `EventCode.NONE`.
pub const EVENT_NONE: u32 = 0;

/// One adapter registered with the runtime: who calls whom, and how.
#[derive(Debug, Clone)]
pub(crate) struct Registered {
    pub caller: u32,
    pub callee: u32,
    /// Shared, so that a call takes it without copying its signature.
    pub call: alloc::sync::Arc<AsyncCall>,
}

/// Where a task's code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cont {
    /// Not started: waiting behind backpressure.
    Pending,
    /// Its core function or callback is running (on the native stack).
    Running,
    /// Its callback asked to be called again (`YIELD`).
    Yielded,
    /// Its callback waits for an event of this set (`WAIT`).
    Waiting(u32),
    /// Its core function or callback returned `EXIT` (or it lifts
    /// synchronously and returned).
    Exited,
}

/// A call in progress: the callee's `Task` and the caller's `Subtask`.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    /// The registered adapter; `None` for a task the host started.
    pub adapter: Option<u32>,
    /// The instance it runs in.
    pub instance: u32,
    /// The instance that called it.
    pub caller_instance: u32,
    /// Whether the function type is `async`: only then may it block.
    pub async_ft: bool,
    /// Whether it holds the instance's exclusive lock while it runs.
    pub needs_exclusive: bool,
    /// The caller's arguments, until `[start]` reads them.
    pub args: Vec<CoreValue>,
    /// The caller's return pointer, for `[return]`.
    pub retptr: Option<CoreValue>,
    /// `Subtask.state`.
    pub state: u32,
    /// Whether the results were returned (`task.return`, or the return of
    /// a synchronous lift).
    pub resolved: bool,
    /// The caller's flat results, for a synchronous caller.
    pub results: Vec<CoreValue>,
    /// The subtask's index in the caller's table (an `async` caller that
    /// did not get its result at once).
    pub handle: Option<u32>,
    /// An event of the subtask waits for delivery.
    pub pending_event: bool,
    /// The waitable set the subtask joined.
    pub set: Option<u32>,
    /// The resolution was delivered (the spec's `resolve_delivered`).
    pub delivered: bool,
    /// The call's borrow scope, from its `[start]` until the resolution
    /// is delivered, if it lent or received borrows.
    pub scope: Option<u32>,
    /// `context.get` / `context.set` storage.
    pub context: [i32; 2],
    pub cont: Cont,
}

/// A waitable set: the subtasks that joined it, and how many wait on it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Set {
    pub elems: Vec<u32>,
    pub num_waiting: u32,
}

/// The per-instance state of the spec's `ComponentInstance`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Instance {
    pub backpressure: u32,
    pub num_waiting_to_enter: u32,
    pub exclusive: Option<u32>,
    /// The context slots of the synchronous calls into the instance that
    /// the runtime does not see (through synchronous adapters).
    pub untracked_context: [i32; 2],
}

/// Work that waits for its turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Work {
    /// Start the task once its instance has no backpressure.
    Start(u32),
    /// Call the task's callback once its instance is free and it has an
    /// event (or it yielded).
    Deliver(u32),
}

/// What a nested event loop ([`block_on`](super::block_on)) waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The task returned its results (a synchronous caller's call).
    Resolved(u32),
    /// The set has an event to deliver (`waitable-set.wait`).
    Event(u32),
    /// The instance lets a task that needs its exclusive lock start (a
    /// synchronous caller behind backpressure).
    Enter(u32),
}

/// A slab: ids are indices, reused.
#[derive(Debug, Clone)]
pub(crate) struct Slab<T> {
    items: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    pub fn insert(&mut self, item: T) -> u32 {
        match self.free.pop() {
            Some(id) => {
                self.items[id as usize] = Some(item);
                id
            }
            None => {
                self.items.push(Some(item));
                self.items.len() as u32 - 1
            }
        }
    }

    pub fn get(&self, id: u32) -> &T {
        self.items[id as usize].as_ref().expect("a live id")
    }

    pub fn get_mut(&mut self, id: u32) -> &mut T {
        self.items[id as usize].as_mut().expect("a live id")
    }

    pub fn remove(&mut self, id: u32) -> T {
        let item = self.items[id as usize].take().expect("a live id");
        self.free.push(id);
        item
    }

    pub fn len(&self) -> usize {
        self.items.len() - self.free.len()
    }
}

/// The async runtime's state, kept with the handle tables
/// ([`ResourceTables`](crate::ResourceTables)).
#[derive(Debug, Clone, Default)]
pub(crate) struct Concurrency {
    pub adapters: Vec<Registered>,
    pub tasks: Slab<Task>,
    pub sets: Slab<Set>,
    pub instances: BTreeMap<u32, Instance>,
    pub queue: VecDeque<Work>,
    /// The tasks whose code is on the native stack, innermost last.
    pub current: Vec<u32>,
    /// What each nested event loop on the native stack waits for,
    /// innermost last.
    pub loops: Vec<Wait>,
}

impl Concurrency {
    pub fn instance(&mut self, instance: u32) -> &mut Instance {
        self.instances.entry(instance).or_default()
    }

    /// Whether a task that needs (or not) the exclusive lock must wait to
    /// enter `instance` (`enter_implicit_thread`'s `has_backpressure`).
    pub fn has_backpressure(&self, instance: u32, needs_exclusive: bool) -> bool {
        self.instances
            .get(&instance)
            .is_some_and(|i| i.backpressure > 0 || (needs_exclusive && i.exclusive.is_some()))
    }

    /// The task of `instance` whose code runs now: the innermost task on
    /// the native stack, if it is one of `instance`'s. Otherwise the code
    /// of `instance` that runs now was entered through a synchronous
    /// adapter, which the runtime does not see: a task of a synchronous
    /// function type (every call of an `async` one goes through the
    /// runtime), and `None`.
    pub fn current_task(&self, instance: u32) -> Option<u32> {
        let &task = self.current.last()?;
        (self.tasks.get(task).instance == instance).then_some(task)
    }

    /// Whether what `wait` waits for has happened.
    pub fn done(&self, wait: Wait) -> bool {
        match wait {
            Wait::Resolved(task) => self.tasks.get(task).resolved,
            Wait::Event(set) => self.set_has_event(set),
            Wait::Enter(instance) => !self.has_backpressure(instance, true),
        }
    }

    /// Whether the set has an event to deliver.
    pub fn set_has_event(&self, set: u32) -> bool {
        self.sets
            .get(set)
            .elems
            .iter()
            .any(|&t| self.tasks.get(t).pending_event)
    }

    /// Takes the set's first event: `(code, handle, state)`, and the
    /// borrow scope to end if the event delivers a resolution (see
    /// `super::take_event`).
    pub fn take_event(&mut self, set: u32) -> Option<((u32, u32, u32), Option<u32>)> {
        let task = *self
            .sets
            .get(set)
            .elems
            .iter()
            .find(|&&t| self.tasks.get(t).pending_event)?;
        let t = self.tasks.get_mut(task);
        t.pending_event = false;
        let mut scope = None;
        if t.resolved {
            t.delivered = true;
            scope = t.scope.take();
        }
        Some((
            (
                EVENT_SUBTASK,
                t.handle.expect("a subtask in a set has a handle"),
                t.state,
            ),
            scope,
        ))
    }

    /// Whether `work` may run now.
    pub fn eligible(&self, work: Work) -> bool {
        match work {
            Work::Start(t) => {
                let task = self.tasks.get(t);
                !self.has_backpressure(task.instance, task.needs_exclusive)
            }
            Work::Deliver(t) => {
                let task = self.tasks.get(t);
                let free = self
                    .instances
                    .get(&task.instance)
                    .is_none_or(|i| i.exclusive.is_none());
                free && match task.cont {
                    Cont::Yielded => true,
                    Cont::Waiting(set) => self.set_has_event(set),
                    _ => false,
                }
            }
        }
    }

    /// Takes the first work that may run now.
    pub fn take_eligible(&mut self) -> Option<Work> {
        let at = self.queue.iter().position(|w| self.eligible(*w))?;
        self.queue.remove(at)
    }

    /// The subtask's state changed: its `async` caller gets an event.
    pub fn progress(&mut self, task: u32, state: u32) {
        let t = self.tasks.get_mut(task);
        t.state = state;
        if t.handle.is_some() {
            t.pending_event = true;
        }
    }

    /// Frees a task nobody can see any more: it exited, its resolution was
    /// delivered, and its caller holds no handle of it.
    pub fn collect(&mut self, task: u32) {
        let t = self.tasks.get(task);
        if t.cont == Cont::Exited && t.delivered && t.handle.is_none() {
            self.tasks.remove(task);
        }
    }

    /// A check of a 16-bit counter.
    pub fn backpressure(&mut self, instance: u32, up: bool) -> Result<(), Trap> {
        let i = self.instance(instance);
        i.backpressure = match up {
            true if i.backpressure < (1 << 16) - 1 => i.backpressure + 1,
            false if i.backpressure > 0 => i.backpressure - 1,
            _ => return Err(Trap::BackpressureOverflow),
        };
        Ok(())
    }
}

/// A waitable's identity in the runtime.
impl Waitable {
    /// The task of a subtask handle.
    pub(crate) fn subtask(self) -> Result<u32, Trap> {
        match self {
            Waitable::Subtask(t) => Ok(t),
            Waitable::Set(_) => Err(Trap::WrongHandleKind),
        }
    }

    /// The set of a waitable-set handle.
    pub(crate) fn set(self) -> Result<u32, Trap> {
        match self {
            Waitable::Set(s) => Ok(s),
            Waitable::Subtask(_) => Err(Trap::WrongHandleKind),
        }
    }
}
