//! The async scenarios in Wasmtime, through `fact-wasmtime`.

use super::{task_return, Builtin, Failure, Modules, Outcome};
use fact_host::SharedResourceTables;
use fact_wasmtime::wasmtime::{
    Caller, Config, Engine, Error, Extern, ExternType, Func, Global, GlobalType, Instance, Memory,
    Module, Mutability, Result, Store, Table, Val, ValType,
};
use fact_wasmtime::{trap_of, AdapterLinker, LinkedAdapters, Runtime};

fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_multi_memory(true);
    config.wasm_memory64(true);
    Engine::new(&config).unwrap()
}

/// The memory `module` imports, made by the host.
fn new_memory(store: &mut Store<Vec<i64>>, module: &Module) -> Result<Memory> {
    let ty = module
        .imports()
        .find_map(|i| match i.ty() {
            ExternType::Memory(ty) => Some(ty),
            _ => None,
        })
        .expect("the module imports its memory");
    Memory::new(&mut *store, ty)
}

/// What one instance is given besides its module: its number, flags
/// global and memory, and its `realloc` through a table slot filled once
/// the instance exists (as a component's shim and fixup modules do).
struct Side {
    instance: u32,
    flags: Global,
    memory: Memory,
    realloc: (Func, Table),
}

impl Side {
    fn new(
        store: &mut Store<Vec<i64>>,
        instance: u32,
        flags: Global,
        module: &Module,
    ) -> Result<Side> {
        let memory = new_memory(store, module)?;
        let realloc = realloc_trampoline(store, memory)?;
        Ok(Side {
            instance,
            flags,
            memory,
            realloc,
        })
    }
}

/// Instantiates one of the scenario's core modules as `side`: its memory,
/// log, built-ins and (for the caller) adapters; fills its `realloc` slot.
fn instantiate(
    store: &mut Store<Vec<i64>>,
    module: &Module,
    side: &Side,
    runtime: &Runtime,
    m: &Modules<'_>,
    adapters: Option<&LinkedAdapters>,
) -> Result<Instance> {
    let (instance, flags, memory) = (side.instance, side.flags, side.memory);
    let builtins = runtime.builtins(instance);
    let encoding = m.encodings[instance as usize];
    let memory64 = memory.ty(&*store).is_64();
    let mut externs: Vec<Extern> = Vec::new();
    for import in module.imports() {
        let func = match (import.module(), import.name()) {
            ("env", "memory") => {
                externs.push(memory.into());
                continue;
            }
            // A host function refuses a call while the instance may not
            // leave, as `canon lower` of a host function does.
            ("host", "log") => Func::wrap(
                &mut *store,
                move |mut caller: Caller<'_, Vec<i64>>, v: i64| -> Result<()> {
                    if flags.get(&mut caller).unwrap_i32() & fact_host::flags::MAY_LEAVE == 0 {
                        return Err(Error::new(fact_host::Trap::CannotLeave));
                    }
                    caller.data_mut().push(v);
                    Ok(())
                },
            ),
            ("adapter", name) => adapters
                .and_then(|a| a.adapter(&mut *store, name))
                .unwrap_or_else(|| panic!("no adapter `{name}`")),
            ("canon", name) => match Builtin::parse(name) {
                Builtin::TaskReturn(adapter) => {
                    let (sig, encoding) = task_return(m.adapters, &adapter);
                    builtins.task_return(&mut *store, sig, encoding)
                }
                Builtin::SubtaskDrop => builtins.subtask_drop(&mut *store),
                Builtin::WaitableSetNew => builtins.waitable_set_new(&mut *store),
                Builtin::WaitableSetWait => {
                    builtins.waitable_set_wait(&mut *store, memory, memory64)
                }
                Builtin::WaitableSetPoll => {
                    builtins.waitable_set_poll(&mut *store, memory, memory64)
                }
                Builtin::WaitableSetDrop => builtins.waitable_set_drop(&mut *store),
                Builtin::WaitableJoin => builtins.waitable_join(&mut *store),
                Builtin::BackpressureInc => builtins.backpressure_inc(&mut *store),
                Builtin::BackpressureDec => builtins.backpressure_dec(&mut *store),
                Builtin::ContextGet(slot) => builtins.context_get(&mut *store, slot),
                Builtin::ContextSet(slot) => builtins.context_set(&mut *store, slot),
                Builtin::ThreadYield => builtins.thread_yield(&mut *store),
                Builtin::ErrorContextNew => {
                    builtins.error_context_new(&mut *store, memory, memory64, encoding)
                }
                Builtin::ErrorContextDebugMessage => builtins.error_context_debug_message(
                    &mut *store,
                    memory,
                    memory64,
                    encoding,
                    side.realloc.0,
                ),
                Builtin::ErrorContextDrop => builtins.error_context_drop(&mut *store),
            },
            (module, name) => panic!("unknown import `{module}` `{name}`"),
        };
        externs.push(func.into());
    }
    Instance::new(&mut *store, module, &externs)
}

fn run_in(store: &mut Store<Vec<i64>>, runtime: &Runtime, m: &Modules<'_>) -> Result<Vec<i64>> {
    let engine = store.engine().clone();
    let ty = GlobalType::new(ValType::I32, Mutability::Var);
    let initial = Val::I32(fact_host::flags::INITIAL);
    let flags = [
        Global::new(&mut *store, ty.clone(), initial)?,
        Global::new(&mut *store, ty, initial)?,
    ];
    let callee_module = Module::new(&engine, &m.callee)?;
    let callee_side = Side::new(store, 1, flags[1], &callee_module)?;
    let callee = instantiate(store, &callee_module, &callee_side, runtime, m, None)?;
    if let Some(realloc) = callee.get_func(&mut *store, "cabi_realloc") {
        callee_side.realloc.1.set(&mut *store, 0, realloc.into())?;
    }
    let callee_memory = callee_side.memory;
    let mut linker = AdapterLinker::new();
    linker
        .flags(0, flags[0])
        .flags(1, flags[1])
        .runtime(runtime)
        .resources(runtime.tables().clone(), &m.adapters.resources);
    linker.memory(&*store, 1, callee_memory);
    if let Some(realloc) = callee.get_func(&mut *store, "cabi_realloc") {
        linker.realloc(1, callee_memory.ty(&*store).is_64(), realloc);
    }
    for export in &m.adapters.exports {
        let name = &*export.name;
        let get = |store: &mut Store<Vec<i64>>, prefix: &str| {
            callee.get_func(&mut *store, &format!("{prefix}{name}"))
        };
        linker.callee(
            name,
            get(store, "").expect("the callee exports the function"),
        );
        if let Some(callback) = get(store, "[callback]") {
            linker.callback(name, callback);
        }
        if let Some(post_return) = get(store, "[post-return]") {
            linker.post_return(name, post_return);
        }
    }
    // The caller imports the adapters, and the adapters its memory and
    // `realloc`: its memory is made first, and its `realloc` reached
    // through a table filled once it exists (as a component's shim and
    // fixup modules do).
    let caller_module = Module::new(&engine, &m.caller)?;
    let caller_side = Side::new(store, 0, flags[0], &caller_module)?;
    let caller_memory = caller_side.memory;
    linker.memory(&*store, 0, caller_memory);
    linker.realloc(0, caller_memory.ty(&*store).is_64(), caller_side.realloc.0);
    let module = Module::new(&engine, &m.adapters.wasm)?;
    let linked = linker.instantiate(
        &mut *store,
        &module,
        &m.adapters.imports,
        &m.adapters.exports,
    )?;
    let caller = instantiate(
        store,
        &caller_module,
        &caller_side,
        runtime,
        m,
        Some(&linked),
    )?;
    if let Some(realloc) = caller.get_func(&mut *store, "cabi_realloc") {
        caller_side.realloc.1.set(&mut *store, 0, realloc.into())?;
    }
    let run = caller
        .get_func(&mut *store, "run")
        .ok_or_else(|| Error::msg("the caller exports no `run`"))?;
    let ty = run.ty(&*store);
    let mut results: Vec<Val> = ty.results().map(|_| Val::I32(0)).collect();
    for (slot, t) in results.iter_mut().zip(ty.results()) {
        if t.is_i64() {
            *slot = Val::I64(0);
        }
    }
    runtime.host_call(&mut *store, 0, m.run_async, |store| {
        run.call(&mut *store, &[], &mut results)
    })?;
    Ok(results
        .iter()
        .map(|v| match v {
            Val::I32(x) => i64::from(*x),
            Val::I64(x) => *x,
            other => panic!("`run` returned {other:?}"),
        })
        .collect())
}

/// The caller's `realloc`, before the caller exists: a function that calls
/// whatever a table slot holds, filled in once the caller is instantiated.
fn realloc_trampoline(store: &mut Store<Vec<i64>>, memory: Memory) -> Result<(Func, Table)> {
    let engine = store.engine().clone();
    let t = if memory.ty(&*store).is_64() {
        "i64"
    } else {
        "i32"
    };
    let wat = format!(
        r#"(module
            (table (export "slot") 1 funcref)
            (type $r (func (param {t} {t} {t} {t}) (result {t})))
            (func (export "realloc") (param {t} {t} {t} {t}) (result {t})
                (call_indirect (type $r) (local.get 0) (local.get 1) (local.get 2) (local.get 3)
                    (i32.const 0))))"#
    );
    let instance = Instance::new(&mut *store, &Module::new(&engine, wat)?, &[])?;
    let func = instance.get_func(&mut *store, "realloc").expect("realloc");
    let table = instance.get_table(&mut *store, "slot").expect("slot");
    Ok((func, table))
}

/// Runs the scenario.
pub fn run(m: &Modules<'_>) -> Outcome {
    let mut store = Store::new(&engine(), Vec::new());
    let runtime = Runtime::new(SharedResourceTables::default());
    let result = run_in(&mut store, &runtime, m).map_err(|err| match trap_of(&err) {
        Some(trap) => Failure::Trap(trap),
        None => Failure::Other(format!("{err:?}")),
    });
    let live_tasks = runtime.tables().lock().live_tasks();
    Outcome {
        result,
        log: store.data().clone(),
        live_tasks,
    }
}
