//! Runs a batch of cases both ways and compares what each side observed.
//!
//! - **Wasmtime**: the batch's component (`component::component`), whose
//!   adapters Wasmtime fuses itself, through its component runtime.
//! - **fact**: the same core modules instantiated with Wasmtime's core API,
//!   linked through the adapter module that `fact-core` compiles for the
//!   same WIT functions and options (`AdapterLinker`).
//!
//! Each case runs in a fresh store (a trap poisons a component instance):
//! `setup` both instances (the `realloc` fault, if any), call `run<i>`, then
//! `dump` the caller and the callee. The log of `dump` is everything both
//! instances can observe: the flat values and bytes the callee received, the
//! bytes and values the caller got back, every `realloc` call, the
//! `post-return` call and its argument.

use super::case::{self, Case};
use super::run_wasmi::{self, WasmiBatch};
use super::{compare, component, modules, validate};
use fact_core::wit_parser::{Resolve, WorldItem};
use fact_core::{Adapter, AdapterCompiler};
use fact_host::flags as host_flags;
use fact_host::{ResourceTables, SharedResourceTables};
use fact_wasmtime::{resource_drop, resource_new, resource_rep, AdapterLinker, Runtime};
use std::fmt::Write;
use wasmtime::component::{
    Component, InstancePre, Linker as ComponentLinker, Resource, ResourceType,
};
use wasmtime::{
    Config, Engine, Func, Global, GlobalType, Linker, Module, Mutability, Store, StoreContextMut,
    Val, ValType,
};

/// One `log` call: `(tag, a, b)`.
pub type Entry = (u32, u64, u64);

/// What one way of running a case gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The call returned; the dumps of both instances.
    Returned(Vec<Entry>),
    /// The call trapped, with this message.
    Trapped(String),
    /// The modules or the component were rejected before running.
    Rejected(String),
}

impl Outcome {
    pub fn short(&self) -> String {
        match self {
            Outcome::Returned(log) => format!("returned ({} log entries)", log.len()),
            Outcome::Trapped(m) => format!("trapped: {m}"),
            Outcome::Rejected(m) => format!("rejected: {m}"),
        }
    }
}

/// The result of one case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub id: usize,
    /// `fact-core` declined the case (`adapt` returned this error).
    pub skipped: Option<String>,
    pub fact: Outcome,
    /// The fact way on wasmi (`run_wasmi.rs`): the same as `fact`, or a
    /// bug.
    pub fact_wasmi: Outcome,
    pub wasmtime: Outcome,
}

/// The engine both ways use.
pub fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_multi_memory(true);
    config.wasm_memory64(true);
    config.wasm_component_model_memory64(true);
    config.wasm_component_model_map(true);
    config.wasm_component_model_fixed_length_lists(true);
    // Synchronous functions only: Wasmtime's synchronous adapters, as in a
    // Wasmtime built without `component-model-async` (the async calls
    // have their own comparison, `async_calls::reference`).
    config.concurrency_support(false);
    Engine::new(&config).expect("engine")
}

/// The engine of the Wasmtime way for the cases of `async` functions:
/// Wasmtime's async adapters and runtime (`component-model-async`).
pub fn async_engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.wasm_multi_memory(true);
        config.wasm_memory64(true);
        config.wasm_component_model_memory64(true);
        config.wasm_component_model_map(true);
        config.wasm_component_model_fixed_length_lists(true);
        config.wasm_component_model_async(true);
        config.concurrency_support(true);
        Engine::new(&config).expect("engine")
    })
}

/// Runs a future that needs no waking from outside (guest code only) to
/// completion.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn log_entry(log: &mut Vec<Entry>, tag: u32, a: u64, b: u64) {
    log.push((tag, a, b));
}

/// Compiles the batch's adapters with `fact-core`. Cases whose `adapt`
/// fails are returned as skipped.
fn compile_fact(
    cases: &[(usize, &Case)],
    fact_options: FactOptions,
) -> Result<(fact_core::Adapters, Vec<(usize, String)>), String> {
    let mut resolve = Resolve::default();
    let wit = component::wit(cases);
    let pkg = resolve
        .push_str("diff.wit", &wit)
        .map_err(|e| format!("WIT does not parse: {e:?}\n{wit}"))?;
    let world = resolve
        .select_world(&[pkg], None)
        .map_err(|e| format!("{e:?}"))?;
    let iface = resolve.worlds[world]
        .exports
        .values()
        .find_map(|item| match item {
            WorldItem::Interface { id, .. } => Some(*id),
            _ => None,
        })
        .expect("interface i");
    let mut compiler = AdapterCompiler::new(&resolve);
    let r = resolve.interfaces[iface].types["r"];
    compiler.implementer(r, fact_core::InstanceId(1));
    let mut skipped = Vec::new();
    for (name, helper) in case::handle_helpers() {
        let (lower, lift) = same_options(&helper);
        compiler
            .adapt(Adapter {
                name: name.into(),
                interface: Some("test:diff/i".into()),
                function: &resolve.interfaces[iface].functions[name],
                lower,
                lift,
            })
            .map_err(|e| format!("fact-core declined `{name}`: {e}"))?;
    }
    for (i, case) in cases {
        let function = &resolve.interfaces[iface].functions[&format!("call{i}")];
        let (lower, lift) = fact_options(case);
        let adapted = compiler.adapt(Adapter {
            name: format!("f{i}"),
            interface: Some("test:diff/i".into()),
            function,
            lower,
            lift,
        });
        if let Err(e) = adapted {
            skipped.push((*i, e.to_string()));
        }
    }
    let adapters = compiler
        .finish()
        .map_err(|e| format!("fact-core produced an invalid module: {e}"))?;
    let kept: Vec<(usize, &Case)> = cases
        .iter()
        .filter(|(i, _)| !skipped.iter().any(|(s, _)| s == i))
        .copied()
        .collect();
    validate::check_adapters(&adapters, &kept)
        .map_err(|e| format!("fact-core's module breaks the host ABI: {e}"))?;
    Ok((adapters, skipped))
}

/// What the fact way needs to know of a case to link it.
#[derive(Debug, Clone, Copy)]
pub struct Linking {
    pub id: usize,
    /// The callee has a `post-return` (`pr<id>`).
    pub post_return: bool,
    /// The callee lifts with a callback (`cb<id>`) and imports its
    /// `task.return` (`canon` `task.return<id>`).
    pub callback: bool,
}

/// How the fact way links the cases of a batch.
pub fn linking(cases: &[(usize, &Case)]) -> Vec<Linking> {
    cases
        .iter()
        .map(|(id, c)| Linking {
            id: *id,
            post_return: c.lift.post_return,
            callback: c.lift.async_,
        })
        .collect()
}

/// The `task.return` of the adapter `f<id>`: its core type and the
/// callee's string encoding.
pub fn task_return(
    adapters: &fact_core::Adapters,
    id: usize,
) -> (fact_core::Signature, fact_core::StringEncoding) {
    let name = format!("f{id}");
    let call = adapters
        .exports
        .iter()
        .find(|e| *e.name == *name)
        .and_then(|e| e.async_call.as_ref())
        .expect("an adapter of an async function");
    (call.task_return.clone(), call.callee_encoding)
}

/// Compiled modules of the fact way.
struct FactBatch {
    cases: Vec<Linking>,
    adapters: fact_core::Adapters,
    adapter_module: Module,
    memories: Module,
    callee: Module,
    runtime: Module,
    main: Module,
}

fn module(engine: &Engine, fields: &str) -> Result<Module, String> {
    Module::new(engine, format!("(module\n{fields})")).map_err(|e| format!("{e:?}"))
}

impl FactBatch {
    fn new(
        engine: &Engine,
        cases: &[(usize, &Case)],
        adapters: fact_core::Adapters,
        memory64: bool,
    ) -> Result<FactBatch, String> {
        Ok(FactBatch {
            cases: linking(cases),
            adapter_module: Module::new(engine, &adapters.wasm).map_err(|e| format!("{e:?}"))?,
            adapters,
            memories: module(engine, &modules::memory_module_fields(memory64))?,
            callee: module(engine, &modules::callee_fields(cases, memory64))?,
            runtime: module(engine, &modules::runtime_module_fields(memory64))?,
            main: module(engine, &modules::main_fields(cases, memory64))?,
        })
    }

    fn run(&self, engine: &Engine, id: usize, case: &Case) -> Outcome {
        let mut store = Store::new(engine, Vec::<Entry>::new());
        let result = (|| -> wasmtime::Result<Result<(), wasmtime::Error>> {
            // Each instance's flags, made here so that its `log` import can
            // refuse a call while `may_leave` is clear, as `canon lower` of a
            // host function does (`docs/host-abi.md`, "What the host does").
            let mut flags = Vec::new();
            for _ in 0..2 {
                let ty = GlobalType::new(ValType::I32, Mutability::Var);
                flags.push(Global::new(&mut store, ty, Val::I32(host_flags::INITIAL))?);
            }
            let tables = SharedResourceTables::new(ResourceTables::new());
            let (r, s) = {
                let mut t = tables.lock();
                (
                    t.resource_type(Some("test:diff/i"), "r"),
                    t.resource_type(Some("test:diff/i"), "s"),
                )
            };
            // The async runtime, over the same tables (used by the cases of
            // `async` functions only).
            let async_runtime = Runtime::new(tables.clone());
            // What the host gives an instance: `log`, and `make-s` and
            // `rep-s` of its resource `s`, each refused while the
            // instance's `may_leave` is clear.
            let host = |store: &mut Store<Vec<Entry>>,
                        linker: &mut Linker<Vec<Entry>>,
                        instance: usize| {
                let flags = flags[instance];
                let may_leave = move |c: &mut wasmtime::Caller<'_, Vec<Entry>>| {
                    if flags.get(&mut *c).unwrap_i32() & host_flags::MAY_LEAVE == 0 {
                        return Err(wasmtime::Error::new(fact_core::Trap::CannotLeave));
                    }
                    Ok(())
                };
                let log = Func::wrap(
                    &mut *store,
                    move |mut c: wasmtime::Caller<'_, Vec<Entry>>, tag: i32, a: i64, b: i64| {
                        may_leave(&mut c)?;
                        log_entry(c.data_mut(), tag as u32, a as u64, b as u64);
                        Ok(())
                    },
                );
                let t = tables.clone();
                let make_s = Func::wrap(
                    &mut *store,
                    move |mut c: wasmtime::Caller<'_, Vec<Entry>>, rep: i32| {
                        may_leave(&mut c)?;
                        let h = t.lock().new_own(instance as u32, s, rep as u32);
                        h.map(|h| h as i32).map_err(wasmtime::Error::new)
                    },
                );
                let t = tables.clone();
                let rep_s = Func::wrap(
                    &mut *store,
                    move |mut c: wasmtime::Caller<'_, Vec<Entry>>, h: i32| {
                        may_leave(&mut c)?;
                        let rep = t.lock().rep(instance as u32, s, h as u32);
                        rep.map(|r| r as i32).map_err(wasmtime::Error::new)
                    },
                );
                linker.define(&*store, "host", "log", log)?;
                linker.define(&*store, "res", "make-s", make_s)?;
                linker.define(&*store, "res", "rep-s", rep_s)?;
                wasmtime::Result::<()>::Ok(())
            };
            let mut linker = Linker::new(engine);
            host(&mut store, &mut linker, 0)?;
            let runtime = linker.instantiate(&mut store, &self.runtime)?;
            let mut linker = Linker::new(engine);
            host(&mut store, &mut linker, 1)?;
            let new_r = resource_new(&mut store, tables.clone(), 1, r);
            let rep_r = resource_rep(&mut store, tables.clone(), 1, r);
            let drop_s = resource_drop(&mut store, tables.clone(), 1, s, None);
            linker.define(&store, "res", "new-r", new_r)?;
            linker.define(&store, "res", "rep-r", rep_r)?;
            linker.define(&store, "res", "drop-s", drop_s)?;
            let memories = Linker::new(engine).instantiate(&mut store, &self.memories)?;
            linker.instance(&mut store, "cmem", memories)?;
            let builtins = async_runtime.builtins(1);
            for c in self.cases.iter().filter(|c| c.callback) {
                let (sig, encoding) = task_return(&self.adapters, c.id);
                let f = builtins.task_return(&mut store, sig, encoding);
                linker.define(&store, "canon", &format!("task.return{}", c.id), f)?;
            }
            let callee = linker.instantiate(&mut store, &self.callee)?;
            let mut linker = AdapterLinker::new();
            linker.flags(0, flags[0]).flags(1, flags[1]);
            linker.resources(tables.clone(), &self.adapters.resources);
            linker.runtime(&async_runtime);
            for (instance, exports) in [(0, &runtime), (1, &callee)] {
                for (mem, realloc, is64) in
                    [("mem32", "realloc32", false), ("mem64", "realloc64", true)]
                {
                    if let Some(m) = exports.get_memory(&mut store, mem) {
                        linker.memory(&store, instance, m);
                        let f = exports.get_func(&mut store, realloc).expect("realloc");
                        linker.realloc(instance, is64, f);
                    }
                }
            }
            for name in ["make-r", "rep-r"] {
                let f = callee.get_func(&mut store, name).expect("callee");
                linker.callee(name, f);
            }
            for c in &self.cases {
                let name = format!("f{}", c.id);
                let f = callee.get_func(&mut store, &name).expect("callee");
                linker.callee(&name, f);
                if c.post_return {
                    let pr = callee
                        .get_func(&mut store, &format!("pr{}", c.id))
                        .expect("post-return");
                    linker.post_return(&name, pr);
                }
                if c.callback {
                    let cb = callee
                        .get_func(&mut store, &format!("cb{}", c.id))
                        .expect("callback");
                    linker.callback(&name, cb);
                }
            }
            let linked = linker.instantiate(
                &mut store,
                &self.adapter_module,
                &self.adapters.imports,
                &self.adapters.exports,
            )?;
            let mut main_linker = Linker::new(engine);
            host(&mut store, &mut main_linker, 0)?;
            for name in ["make-r", "rep-r"] {
                let f = linked.adapter(&mut store, name).expect("adapter");
                main_linker.define(&store, "res", name, f)?;
            }
            main_linker.instance(&mut store, "rt", runtime)?;
            main_linker.instance(&mut store, "adapters", linked.instance)?;
            // The built-ins an `async` caller waits with.
            let mem32 = runtime.get_memory(&mut store, "mem32").expect("mem32");
            let builtins = async_runtime.builtins(0);
            for (name, f) in [
                ("waitable-set.new", builtins.waitable_set_new(&mut store)),
                (
                    "waitable-set.wait",
                    builtins.waitable_set_wait(&mut store, mem32, false),
                ),
                ("waitable-set.drop", builtins.waitable_set_drop(&mut store)),
                ("waitable.join", builtins.waitable_join(&mut store)),
                ("subtask.drop", builtins.subtask_drop(&mut store)),
            ] {
                main_linker.define(&store, "canon", name, f)?;
            }
            let main = main_linker.instantiate(&mut store, &self.main)?;

            let setup_caller = runtime.get_typed_func::<(i32, i32), ()>(&mut store, "setup")?;
            let setup_callee = callee.get_typed_func::<(i32, i32), ()>(&mut store, "setup")?;
            if let Some(f) = case.fault {
                let setup = if f.callee { setup_callee } else { setup_caller };
                setup.call(&mut store, (f.mode as i32, f.at as i32))?;
            }
            let run = main.get_typed_func::<(), ()>(&mut store, &format!("run{id}"))?;
            // `run<i>` of an `async` function's case is a task of an
            // `async` type (it may block), as in the component.
            let ran = if case.async_fn {
                async_runtime.host_call(&mut store, 0, true, |s| run.call(&mut *s, ()))
            } else {
                run.call(&mut store, ())
            };
            if let Err(trap) = ran {
                return Ok(Err(trap));
            }
            runtime
                .get_typed_func::<(), ()>(&mut store, "dump")?
                .call(&mut store, ())?;
            callee
                .get_typed_func::<(), ()>(&mut store, "dump")?
                .call(&mut store, ())?;
            Ok(Ok(()))
        })();
        match result {
            Ok(Ok(())) => Outcome::Returned(std::mem::take(store.data_mut())),
            Ok(Err(trap)) => Outcome::Trapped(trap_message(&trap)),
            Err(e) => Outcome::Rejected(format!("{e:?}")),
        }
    }
}

fn trap_message(e: &wasmtime::Error) -> String {
    if let Some(t) = fact_wasmtime::trap_of(e) {
        return format!("fact trap {t:?}");
    }
    if let Some(t) = e.downcast_ref::<wasmtime::Trap>() {
        return format!("wasm trap {t:?}");
    }
    format!("{e:#}")
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The host's resource type `s` in Wasmtime's component runtime.
struct HostS;

/// The Wasmtime way: a component per batch.
struct WasmtimeBatch {
    pre: InstancePre<Vec<Entry>>,
}

impl WasmtimeBatch {
    fn new(engine: &Engine, cases: &[(usize, &Case)], memory64: bool) -> Result<Self, String> {
        let wat = component::component(cases, memory64);
        let component = Component::new(engine, &wat).map_err(|e| format!("{e:?}"))?;
        let mut linker = ComponentLinker::<Vec<Entry>>::new(engine);
        linker
            .root()
            .func_wrap(
                "log",
                |mut s: StoreContextMut<'_, Vec<Entry>>, (tag, a, b): (u32, u64, u64)| {
                    log_entry(s.data_mut(), tag, a, b);
                    Ok(())
                },
            )
            .map_err(|e| format!("{e:?}"))?;
        // The host's resource `s`: its handles' representations are the
        // `rep`s the instances give `make-s`.
        let mut root = linker.root();
        root.resource("s", ResourceType::host::<HostS>(), |_, _| Ok(()))
            .map_err(|e| format!("{e:?}"))?;
        root.func_wrap("make-s", |_, (rep,): (u32,)| {
            Ok((Resource::<HostS>::new_own(rep),))
        })
        .map_err(|e| format!("{e:?}"))?;
        root.func_wrap("rep-s", |_, (h,): (Resource<HostS>,)| Ok((h.rep(),)))
            .map_err(|e| format!("{e:?}"))?;
        let pre = linker
            .instantiate_pre(&component)
            .map_err(|e| format!("{e:?}"))?;
        Ok(WasmtimeBatch { pre })
    }

    fn run(&self, engine: &Engine, id: usize, case: &Case) -> Outcome {
        let mut store = Store::new(engine, Vec::<Entry>::new());
        let result = (|| -> wasmtime::Result<Result<(), wasmtime::Error>> {
            let instance = self.pre.instantiate(&mut store)?;
            if let Some(f) = case.fault {
                let name = if f.callee {
                    "setup-callee"
                } else {
                    "setup-caller"
                };
                let setup = instance.get_typed_func::<(u32, u32), ()>(&mut store, name)?;
                setup.call(&mut store, (f.mode, f.at))?;
            }
            let name = format!("run{id}");
            let ran = if case.async_fn {
                // A task of an `async` type, run by Wasmtime's runtime.
                let run = instance
                    .get_func(&mut store, &name)
                    .ok_or_else(|| wasmtime::format_err!("no `{name}`"))?;
                block_on(store.run_concurrent(async |accessor| {
                    run.call_concurrent(accessor, &[], &mut []).await
                }))
                .and_then(|r| r)
            } else {
                let run = instance.get_typed_func::<(), ()>(&mut store, &name)?;
                run.call(&mut store, ())
            };
            if let Err(trap) = ran {
                return Ok(Err(trap));
            }
            for dump in ["dump-caller", "dump-callee"] {
                instance
                    .get_typed_func::<(), ()>(&mut store, dump)?
                    .call(&mut store, ())?;
            }
            Ok(Ok(()))
        })();
        match result {
            Ok(Ok(())) => Outcome::Returned(std::mem::take(store.data_mut())),
            Ok(Err(trap)) => Outcome::Trapped(trap_message(&trap)),
            Err(e) => Outcome::Rejected(format!("{e:?}")),
        }
    }
}

/// The options `fact-core` compiles a case's adapter with: `(lower, lift)`.
pub type FactOptions = fn(&Case) -> (fact_core::CanonOptions, fact_core::CanonOptions);

/// The case's own options.
pub fn same_options(case: &Case) -> (fact_core::CanonOptions, fact_core::CanonOptions) {
    (case.lower.fact(0), case.lift.fact(1))
}

/// Runs a batch of cases (`(id, case)`; ids name the functions) both ways.
pub fn run_batch(engine: &Engine, cases: &[(usize, Case)], memory64: bool) -> Vec<CaseResult> {
    run_batch_with(engine, cases, memory64, same_options)
}

/// [`run_batch`], with `fact-core` compiling each adapter with the options
/// `fact_options` gives (a test of the comparison itself).
pub fn run_batch_with(
    engine: &Engine,
    cases: &[(usize, Case)],
    memory64: bool,
    fact_options: FactOptions,
) -> Vec<CaseResult> {
    let run_batch = |engine: &Engine, cases: &[(usize, Case)], memory64: bool| {
        run_batch_with(engine, cases, memory64, fact_options)
    };
    let refs: Vec<(usize, &Case)> = cases.iter().map(|(i, c)| (*i, c)).collect();
    let (adapters, skipped) = match compile_fact(&refs, fact_options) {
        Ok(x) => x,
        Err(_) if cases.len() > 1 => {
            // Find the culprit, case by case.
            return cases
                .iter()
                .flat_map(|c| run_batch(engine, std::slice::from_ref(c), memory64))
                .collect();
        }
        Err(e) => {
            return vec![CaseResult {
                id: cases[0].0,
                skipped: None,
                fact: Outcome::Rejected(e.clone()),
                fact_wasmi: Outcome::Rejected(e),
                wasmtime: Outcome::Rejected("not run".into()),
            }]
        }
    };
    let mut results: Vec<CaseResult> = skipped
        .iter()
        .map(|(id, why)| CaseResult {
            id: *id,
            skipped: Some(why.clone()),
            fact: Outcome::Rejected(why.clone()),
            fact_wasmi: Outcome::Rejected(why.clone()),
            wasmtime: Outcome::Rejected("not run".into()),
        })
        .collect();
    let kept: Vec<(usize, &Case)> = refs
        .iter()
        .filter(|(i, _)| !skipped.iter().any(|(s, _)| s == i))
        .copied()
        .collect();
    if kept.is_empty() {
        return results;
    }
    if !skipped.is_empty() {
        // Recompile without the skipped cases so that the module only
        // imports what the kept cases need.
        let kept_owned: Vec<(usize, Case)> = kept.iter().map(|(i, c)| (*i, (*c).clone())).collect();
        results.extend(run_batch(engine, &kept_owned, memory64));
        return results;
    }
    // The cases of `async` functions need Wasmtime's async runtime, and
    // those of them with a 64-bit memory it cannot run at all.
    let wasmtime_engine = if kept.iter().any(|(_, c)| c.async_fn) {
        async_engine()
    } else {
        engine
    };
    let referenced: Vec<(usize, &Case)> = kept
        .iter()
        .filter(|(_, c)| !unreferenced(c))
        .copied()
        .collect();
    let wasmtime = match WasmtimeBatch::new(wasmtime_engine, &referenced, memory64) {
        Ok(b) => Some(b),
        Err(_) if referenced.is_empty() => None,
        Err(_) if kept.len() > 1 => {
            // Find the case Wasmtime rejects, case by case.
            return cases
                .iter()
                .flat_map(|c| run_batch(engine, std::slice::from_ref(c), memory64))
                .collect();
        }
        Err(e) => {
            let (id, case) = kept[0];
            let wasmi = wasmi_way(&kept, &adapters, memory64);
            let fact = match FactBatch::new(engine, &kept, adapters, memory64) {
                Ok(b) => b.run(engine, id, case),
                Err(e) => Outcome::Rejected(e),
            };
            return vec![CaseResult {
                id,
                skipped: None,
                fact,
                fact_wasmi: wasmi.run(id, case),
                wasmtime: Outcome::Rejected(e),
            }];
        }
    };
    let wasmi = wasmi_way(&kept, &adapters, memory64);
    let fact = match FactBatch::new(engine, &kept, adapters, memory64) {
        Ok(b) => b,
        Err(e) => {
            return kept
                .iter()
                .map(|(id, case)| CaseResult {
                    id: *id,
                    skipped: None,
                    fact: Outcome::Rejected(e.clone()),
                    fact_wasmi: wasmi.run(*id, case),
                    wasmtime: Outcome::Rejected("not run".into()),
                })
                .collect()
        }
    };
    for (id, case) in kept {
        let wasmtime = match &wasmtime {
            Some(b) if !unreferenced(case) => b.run(wasmtime_engine, id, case),
            _ => Outcome::Rejected(NO_REFERENCE.into()),
        };
        results.push(CaseResult {
            id,
            skipped: None,
            fact: fact.run(engine, id, case),
            fact_wasmi: wasmi.run(id, case),
            wasmtime,
        });
    }
    results
}

/// Why the Wasmtime way did not run a case that it cannot run: `fact`'s
/// result is then judged against the spec alone (`judge`).
pub const NO_REFERENCE: &str =
    "not run: Wasmtime 48 cannot run async options with a 64-bit memory (wasmtime #13979)";

/// A case of an `async` function with a 64-bit memory on either side.
pub fn unreferenced(case: &Case) -> bool {
    case.async_fn && (case.lower.mem64() || case.lift.mem64())
}

/// The fact way on wasmi, or why its modules were rejected.
struct WasmiWay(Result<WasmiBatch, String>);

impl WasmiWay {
    fn run(&self, id: usize, case: &Case) -> Outcome {
        match &self.0 {
            Ok(batch) => batch.run(run_wasmi::engine(), id, case),
            Err(e) => Outcome::Rejected(e.clone()),
        }
    }
}

fn wasmi_way(cases: &[(usize, &Case)], adapters: &fact_core::Adapters, memory64: bool) -> WasmiWay {
    WasmiWay(WasmiBatch::new(
        run_wasmi::engine(),
        cases,
        adapters.clone(),
        memory64,
    ))
}

const WHO: [&str; 2] = ["caller", "callee"];

/// A readable account of a disagreement.
pub fn report(case: &Case, result: &CaseResult) -> String {
    let mut s = format!("case {}:\n{}", result.id, case.describe());
    writeln!(s, "  fact:     {}", result.fact.short()).unwrap();
    if result.fact_wasmi != result.fact {
        writeln!(s, "  fact on wasmi: {}", result.fact_wasmi.short()).unwrap();
    }
    writeln!(s, "  wasmtime: {}", result.wasmtime.short()).unwrap();
    if let (Outcome::Returned(a), Outcome::Returned(b)) = (&result.fact, &result.wasmtime) {
        let (a, b) = (compare::dumps(a), compare::dumps(b));
        for k in 0..2 {
            if a[k].heap != b[k].heap {
                writeln!(
                    s,
                    "  {}: heap tops: fact {:x?}, wasmtime {:x?}",
                    WHO[k], a[k].heap, b[k].heap
                )
                .unwrap();
            }
        }
        for d in compare::word_diffs(&a, &b) {
            writeln!(
                s,
                "  {}: mem{}[{:#x}]: fact {:#018x}, wasmtime {:#018x}",
                WHO[d.instance], d.mem, d.addr, d.fact, d.wasmtime
            )
            .unwrap();
        }
    }
    s
}
