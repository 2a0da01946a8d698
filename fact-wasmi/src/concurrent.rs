//! The async runtime in wasmi: the `async` `call:<i>` imports of
//! adapter modules, the canon built-ins the instances import
//! ([`Builtins`]), and the host's own calls into instances
//! ([`Runtime::host_call`]), all over `fact_host::concurrent`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use wasmi::{AsContextMut, Caller, Error, Func, FuncType, Global, Memory, Val, ValType, F32, F64};

type Result<T, E = Error> = core::result::Result<T, E>;

use crate::intrinsics::Addr;
use crate::linker::trap_error;
use fact_host::concurrent::{self, CoreValue, Host, Part};
use fact_host::{flags, ResourceTables, SharedResourceTables, Signature, StringEncoding, Trap};

/// A function the runtime calls, with zeroed results of its type (taken
/// once, when it is linked: asking the engine for a function's type on
/// every call costs more than the call).
#[derive(Debug, Clone)]
pub(crate) struct Linked {
    func: Func,
    results: Box<[Val]>,
}

impl Linked {
    pub fn new(store: impl wasmi::AsContext, func: Func) -> Linked {
        let results = func.ty(&store).results().iter().map(zero).collect();
        Linked { func, results }
    }
}

/// The functions the runtime calls for one async adapter.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    pub start: Linked,
    pub ret: Linked,
    pub post_return: Option<Linked>,
    pub callee: Linked,
    pub callback: Option<Linked>,
}

/// What the runtime's host functions share with the linker: the linked
/// parts of every async adapter (by the runtime's id), and the instances'
/// flags globals.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub parts: Mutex<BTreeMap<u32, Arc<Parts>>>,
    pub flags: Mutex<BTreeMap<u32, Global>>,
}

impl Shared {
    /// Adds the parts of the adapter registered as `id`, and the flags
    /// globals of its module.
    pub fn add(&self, id: u32, parts: Parts, flags: &BTreeMap<u32, Global>) {
        lock(&self.parts).insert(id, Arc::new(parts));
        self.add_flags(flags);
    }

    /// Adds the flags globals of a module's instances.
    pub fn add_flags(&self, flags: &BTreeMap<u32, Global>) {
        lock(&self.flags).extend(flags.iter().map(|(k, v)| (*k, *v)));
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The runtime's view of one entry into the engine.
pub(crate) struct WasmtimeHost<S> {
    pub store: S,
    pub tables: SharedResourceTables,
    pub shared: Arc<Shared>,
}

fn to_val(v: CoreValue) -> Val {
    match v {
        CoreValue::I32(x) => Val::I32(x),
        CoreValue::I64(x) => Val::I64(x),
        CoreValue::F32(x) => Val::F32(F32::from_bits(x)),
        CoreValue::F64(x) => Val::F64(F64::from_bits(x)),
    }
}

fn to_core(v: &Val) -> CoreValue {
    match v {
        Val::I32(x) => CoreValue::I32(*x),
        Val::I64(x) => CoreValue::I64(*x),
        Val::F32(x) => CoreValue::F32(x.to_bits()),
        Val::F64(x) => CoreValue::F64(x.to_bits()),
        other => unreachable!("adapters pass numbers only, not {other:?}"),
    }
}

fn zero(ty: &ValType) -> Val {
    match ty {
        ValType::I64 => Val::I64(0),
        ValType::F32 => Val::F32(F32::from_bits(0)),
        ValType::F64 => Val::F64(F64::from_bits(0)),
        _ => Val::I32(0),
    }
}

impl<S: AsContextMut> Host for WasmtimeHost<S> {
    type Error = Error;

    fn tables<R>(&mut self, f: impl FnOnce(&mut ResourceTables) -> R) -> R {
        f(&mut self.tables.lock())
    }

    fn call(&mut self, adapter: u32, part: Part, args: &[CoreValue]) -> Result<Vec<CoreValue>> {
        let parts = lock(&self.shared.parts).get(&adapter).cloned();
        let parts =
            parts.ok_or_else(|| Error::new(format!("async adapter {adapter} is not linked")))?;
        let linked = match part {
            Part::Start => &parts.start,
            Part::Return => &parts.ret,
            Part::PostReturn => parts
                .post_return
                .as_ref()
                .expect("registered with a post-return"),
            Part::Callee => &parts.callee,
            Part::Callback => parts.callback.as_ref().ok_or_else(|| {
                Error::new(format!("no callback supplied for async adapter {adapter}"))
            })?,
        };
        let mut results = linked.results.to_vec();
        let args: Vec<Val> = args.iter().copied().map(to_val).collect();
        linked.func.call(&mut self.store, &args, &mut results)?;
        Ok(results.iter().map(to_core).collect())
    }

    fn flags(&mut self, instance: u32) -> i32 {
        let global = lock(&self.shared.flags).get(&instance).copied();
        global.map_or(flags::INITIAL, |g| match g.get(&self.store) {
            Val::I32(v) => v,
            _ => 0,
        })
    }

    fn set_flags(&mut self, instance: u32, value: i32) {
        if let Some(g) = lock(&self.shared.flags).get(&instance).copied() {
            let _ = g.set(&mut self.store, Val::I32(value));
        }
    }

    fn trap(&mut self, trap: Trap) -> Error {
        trap_error(trap)
    }
}

/// The engine's function type of `signature`.
pub(crate) fn func_type(signature: &Signature) -> FuncType {
    let ty = |t: &fact_host::CoreType| match t {
        fact_host::CoreType::I32 => ValType::I32,
        fact_host::CoreType::I64 => ValType::I64,
        fact_host::CoreType::F32 => ValType::F32,
        fact_host::CoreType::F64 => ValType::F64,
    };
    let params: Vec<ValType> = signature.params.iter().map(ty).collect();
    let results: Vec<ValType> = signature.results.iter().map(ty).collect();
    FuncType::new(params, results)
}

/// The host function of `async` `call:<i>`, of the adapter's own core type
/// `ty`, for the adapter the runtime knows as `id`.
pub(crate) fn call_func<T: 'static>(
    store: impl AsContextMut<Data = T>,
    ty: FuncType,
    id: u32,
    runtime: &Runtime,
) -> Func {
    let runtime = runtime.clone();
    Func::new(store, ty, move |caller, args, results| {
        let mut host = runtime.host(caller);
        let args: Vec<CoreValue> = args.iter().map(to_core).collect();
        let out = concurrent::call(&mut host, id, &args)?;
        for (slot, v) in results.iter_mut().zip(out) {
            *slot = to_val(v);
        }
        Ok(())
    })
}

/// The async runtime of a store: it runs the calls of `async` functions
/// through adapters, and serves the canon built-ins their instances import
/// ([`Builtins`]).
///
/// It keeps its state in the handle tables it is given (one table per
/// instance holds resources, subtasks and waitable sets, as the spec has
/// it), so give the same tables to [`AdapterLinker::resources`] when the
/// adapters pass resources too. Give it to every [`AdapterLinker`] that
/// instantiates adapter modules of `async` functions
/// ([`AdapterLinker::runtime`]), and call into instances through
/// [`host_call`](Self::host_call), so that the built-ins know the task they
/// run in.
///
/// [`AdapterLinker`]: crate::AdapterLinker
/// [`AdapterLinker::resources`]: crate::AdapterLinker::resources
/// [`AdapterLinker::runtime`]: crate::AdapterLinker::runtime
#[derive(Debug, Clone)]
pub struct Runtime {
    pub(crate) tables: SharedResourceTables,
    pub(crate) shared: Arc<Shared>,
}

impl Runtime {
    /// A runtime over `tables`.
    pub fn new(tables: SharedResourceTables) -> Runtime {
        Runtime {
            tables,
            shared: Arc::default(),
        }
    }

    /// The tables the runtime keeps its state in.
    pub fn tables(&self) -> &SharedResourceTables {
        &self.tables
    }

    /// The canon built-ins for the core modules of `instance`.
    pub fn builtins(&self, instance: u32) -> Builtins {
        Builtins {
            instance,
            runtime: self.clone(),
        }
    }

    fn host<S>(&self, store: S) -> WasmtimeHost<S> {
        WasmtimeHost {
            store,
            tables: self.tables.clone(),
            shared: self.shared.clone(),
        }
    }

    /// Runs `f`, a call the host makes into an export of `instance`, as a
    /// task of that instance (`async_ft`: whether the function type is
    /// `async`, which lets it block), then runs the work the call left
    /// ([`run_until_idle`](Self::run_until_idle)).
    ///
    /// # Errors
    ///
    /// The error of `f`, or of the work left.
    pub fn host_call<T: 'static, R>(
        &self,
        mut store: impl AsContextMut<Data = T>,
        instance: u32,
        async_ft: bool,
        f: impl FnOnce(&mut wasmi::StoreContextMut<'_, T>) -> Result<R>,
    ) -> Result<R> {
        let mut host = self.host(store.as_context_mut());
        let result =
            concurrent::host_call(&mut host, instance, async_ft, |host| f(&mut host.store))?;
        concurrent::run_until_idle(&mut host)?;
        Ok(result)
    }

    /// Runs the work that can run (callees that go on after they returned
    /// their results, calls that waited behind backpressure) until none
    /// can.
    ///
    /// # Errors
    ///
    /// A trap of that work.
    pub fn run_until_idle(&self, mut store: impl AsContextMut) -> Result<()> {
        concurrent::run_until_idle(&mut self.host(store.as_context_mut()))
    }
}

/// The canon built-ins of the async ABI for the core modules of one
/// instance, from [`Runtime::builtins`]:
/// each method makes the wasmi function of one built-in, of the spec's
/// core type.
#[derive(Debug, Clone)]
pub struct Builtins {
    pub(crate) instance: u32,
    runtime: Runtime,
}

impl Builtins {
    pub(crate) fn host<S>(&self, store: S) -> WasmtimeHost<S> {
        self.runtime.host(store)
    }

    /// `canon task.return` of a function whose `task.return` has the core
    /// type `signature` (the callee's `Export::async_call.task_return`),
    /// with the string encoding `encoding`.
    pub fn task_return<T: 'static>(
        &self,
        store: impl AsContextMut<Data = T>,
        signature: Signature,
        encoding: StringEncoding,
    ) -> Func {
        let ty = func_type(&Signature {
            params: signature.params.clone(),
            results: Default::default(),
        });
        let this = self.clone();
        Func::new(store, ty, move |caller: Caller<'_, T>, args, _| {
            let args: Vec<CoreValue> = args.iter().map(to_core).collect();
            concurrent::task_return(
                &mut this.host(caller),
                this.instance,
                &signature,
                encoding,
                &args,
            )
        })
    }

    /// `canon subtask.drop`: `(subtask: i32) -> ()`.
    pub fn subtask_drop<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Func {
        let this = self.clone();
        Func::wrap(
            store,
            move |caller: Caller<'_, T>, index: i32| -> Result<()> {
                concurrent::subtask_drop(&mut this.host(caller), this.instance, index as u32)
            },
        )
    }

    /// `canon waitable-set.new`: `() -> i32`.
    pub fn waitable_set_new<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Func {
        let this = self.clone();
        Func::wrap(store, move |caller: Caller<'_, T>| -> Result<i32> {
            concurrent::waitable_set_new(&mut this.host(caller), this.instance).map(|i| i as i32)
        })
    }

    /// `canon waitable-set.wait (memory m)`: `(set: i32, ptr: A) -> i32`,
    /// `A` the address type of `memory`, where it writes the event's index
    /// and payload.
    pub fn waitable_set_wait<T: 'static>(
        &self,
        store: impl AsContextMut<Data = T>,
        memory: Memory,
        memory64: bool,
    ) -> Func {
        self.event_func(store, memory, memory64, true)
    }

    /// `canon waitable-set.poll (memory m)`: as `wait`, without waiting.
    pub fn waitable_set_poll<T: 'static>(
        &self,
        store: impl AsContextMut<Data = T>,
        memory: Memory,
        memory64: bool,
    ) -> Func {
        self.event_func(store, memory, memory64, false)
    }

    fn event_func<T: 'static>(
        &self,
        store: impl AsContextMut<Data = T>,
        memory: Memory,
        memory64: bool,
        wait: bool,
    ) -> Func {
        fn make<T: 'static, A: Addr>(
            this: Builtins,
            store: impl AsContextMut<Data = T>,
            memory: Memory,
            wait: bool,
        ) -> Func {
            Func::wrap(
                store,
                move |caller: Caller<'_, T>, set: i32, ptr: A| -> Result<i32> {
                    let mut host = this.host(caller);
                    let (code, index, payload) = if wait {
                        concurrent::waitable_set_wait(&mut host, this.instance, set as u32)?
                    } else {
                        concurrent::waitable_set_poll(&mut host, this.instance, set as u32)?
                    };
                    let ptr = ptr.to_u64();
                    let data = memory.data_mut(&mut host.store);
                    let at = usize::try_from(ptr).ok().filter(|p| p % 4 == 0);
                    let slot = at.and_then(|p| data.get_mut(p..p.checked_add(8)?));
                    let slot = slot.ok_or_else(|| trap_error(Trap::EventOutOfBounds))?;
                    slot[..4].copy_from_slice(&index.to_le_bytes());
                    slot[4..].copy_from_slice(&payload.to_le_bytes());
                    Ok(code as i32)
                },
            )
        }
        if memory64 {
            make::<T, i64>(self.clone(), store, memory, wait)
        } else {
            make::<T, i32>(self.clone(), store, memory, wait)
        }
    }

    /// `canon waitable-set.drop`: `(set: i32) -> ()`.
    pub fn waitable_set_drop<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Func {
        let this = self.clone();
        Func::wrap(
            store,
            move |caller: Caller<'_, T>, set: i32| -> Result<()> {
                concurrent::waitable_set_drop(&mut this.host(caller), this.instance, set as u32)
            },
        )
    }

    /// `canon waitable.join`: `(waitable: i32, set: i32) -> ()`.
    pub fn waitable_join<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Func {
        let this = self.clone();
        Func::wrap(
            store,
            move |caller: Caller<'_, T>, w: i32, set: i32| -> Result<()> {
                concurrent::waitable_join(
                    &mut this.host(caller),
                    this.instance,
                    w as u32,
                    set as u32,
                )
            },
        )
    }

    /// `canon backpressure.inc`: `() -> ()`.
    pub fn backpressure_inc<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Func {
        let this = self.clone();
        Func::wrap(store, move |caller: Caller<'_, T>| -> Result<()> {
            concurrent::backpressure_inc(&mut this.host(caller), this.instance)
        })
    }

    /// `canon backpressure.dec`: `() -> ()`.
    pub fn backpressure_dec<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Func {
        let this = self.clone();
        Func::wrap(store, move |caller: Caller<'_, T>| -> Result<()> {
            concurrent::backpressure_dec(&mut this.host(caller), this.instance)
        })
    }

    /// `canon context.get i32 slot`: `() -> i32`.
    pub fn context_get<T: 'static>(&self, store: impl AsContextMut<Data = T>, slot: usize) -> Func {
        let this = self.clone();
        Func::wrap(store, move |caller: Caller<'_, T>| -> Result<i32> {
            Ok(concurrent::context_get(
                &mut this.host(caller),
                this.instance,
                slot,
            ))
        })
    }

    /// `canon context.set i32 slot`: `(value: i32) -> ()`.
    pub fn context_set<T: 'static>(&self, store: impl AsContextMut<Data = T>, slot: usize) -> Func {
        let this = self.clone();
        Func::wrap(
            store,
            move |caller: Caller<'_, T>, value: i32| -> Result<()> {
                concurrent::context_set(&mut this.host(caller), this.instance, slot, value);
                Ok(())
            },
        )
    }

    /// `canon thread.yield`: `() -> i32`.
    pub fn thread_yield<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Func {
        let this = self.clone();
        Func::wrap(store, move |caller: Caller<'_, T>| -> Result<i32> {
            concurrent::thread_yield(&mut this.host(caller), this.instance).map(|v| v as i32)
        })
    }
}
