//! The fact way on a second engine: the same core modules and the same
//! adapter module as `run.rs`'s fact way, instantiated in the wasmi
//! interpreter and linked with `fact-wasmi`. What it observes must be what
//! the fact way on Wasmtime observes, to the byte: an engine difference is
//! a bug of the glue or of an engine.

use super::case::Case;
use super::modules;
use super::run::{linking, task_return, Entry, Linking, Outcome};
use fact_host::flags as host_flags;
use fact_host::{ResourceTables, SharedResourceTables, Trap};
use fact_wasmi::wasmi::{
    Caller, CompilationMode, Config, Engine, Error, Func, Global, Instance, Linker, Module,
    Mutability, Store, Val,
};
use fact_wasmi::{
    resource_drop, resource_new, resource_rep, trap_of, AdapterLinker, FactTrap, Runtime,
};

/// The engine of the wasmi way: every function translated up front, so
/// that a limit of the interpreter fails the batch, not one call.
pub fn engine() -> &'static Engine {
    static ENGINE: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::default();
        config.compilation_mode(CompilationMode::Eager);
        Engine::new(&config)
    })
}

/// The compiled modules of a batch.
pub struct WasmiBatch {
    cases: Vec<Linking>,
    adapters: fact_core::Adapters,
    adapter_module: Module,
    memories: Module,
    callee: Module,
    runtime: Module,
    main: Module,
}

fn module(engine: &Engine, fields: &str) -> Result<Module, String> {
    let wasm = wat::parse_str(format!("(module\n{fields})")).map_err(|e| e.to_string())?;
    Module::new(engine, wasm).map_err(|e| e.to_string())
}

/// `Err` of a host function: a trap of the tables or of the flags.
fn trap(trap: Trap) -> Error {
    Error::host(FactTrap(trap))
}

impl WasmiBatch {
    pub fn new(
        engine: &Engine,
        cases: &[(usize, &Case)],
        adapters: fact_core::Adapters,
        memory64: bool,
    ) -> Result<WasmiBatch, String> {
        Ok(WasmiBatch {
            cases: linking(cases),
            adapter_module: Module::new(engine, &adapters.wasm).map_err(|e| e.to_string())?,
            adapters,
            memories: module(engine, &modules::memory_module_fields(memory64))?,
            callee: module(engine, &modules::callee_fields(cases, memory64))?,
            runtime: module(engine, &modules::runtime_module_fields(memory64))?,
            main: module(engine, &modules::main_fields(cases, memory64))?,
        })
    }

    /// Runs case `id`, as `run.rs`'s `FactBatch::run` does on Wasmtime.
    pub fn run(&self, engine: &Engine, id: usize, case: &Case) -> Outcome {
        let mut store = Store::new(engine, Vec::<Entry>::new());
        let result = (|| -> Result<Result<(), Error>, Error> {
            let flags: Vec<Global> = (0..2)
                .map(|_| Global::new(&mut store, Val::I32(host_flags::INITIAL), Mutability::Var))
                .collect();
            let tables = SharedResourceTables::new(ResourceTables::new());
            let (r, s) = {
                let mut t = tables.lock();
                (
                    t.resource_type(Some("test:diff/i"), "r"),
                    t.resource_type(Some("test:diff/i"), "s"),
                )
            };
            let async_runtime = Runtime::new(tables.clone());
            let host = |store: &mut Store<Vec<Entry>>,
                        linker: &mut Linker<Vec<Entry>>,
                        instance: usize|
             -> Result<(), Error> {
                let flags = flags[instance];
                let may_leave = move |c: &Caller<'_, Vec<Entry>>| match flags.get(c).i32() {
                    Some(f) if f & host_flags::MAY_LEAVE != 0 => Ok(()),
                    _ => Err(trap(Trap::CannotLeave)),
                };
                let log = Func::wrap(
                    &mut *store,
                    move |mut c: Caller<'_, Vec<Entry>>, tag: i32, a: i64, b: i64| {
                        may_leave(&c)?;
                        c.data_mut().push((tag as u32, a as u64, b as u64));
                        Ok(())
                    },
                );
                let t = tables.clone();
                let make_s = Func::wrap(&mut *store, move |c: Caller<'_, Vec<Entry>>, rep: i32| {
                    may_leave(&c)?;
                    let h = t.lock().new_own(instance as u32, s, rep as u32);
                    h.map(|h| h as i32).map_err(trap)
                });
                let t = tables.clone();
                let rep_s = Func::wrap(&mut *store, move |c: Caller<'_, Vec<Entry>>, h: i32| {
                    may_leave(&c)?;
                    let rep = t.lock().rep(instance as u32, s, h as u32);
                    rep.map(|r| r as i32).map_err(trap)
                });
                linker.define("host", "log", log)?;
                linker.define("res", "make-s", make_s)?;
                linker.define("res", "rep-s", rep_s)?;
                Ok(())
            };
            let mut linker = Linker::new(engine);
            host(&mut store, &mut linker, 0)?;
            let runtime = linker.instantiate_and_start(&mut store, &self.runtime)?;
            let mut linker = Linker::new(engine);
            host(&mut store, &mut linker, 1)?;
            let new_r = resource_new(&mut store, tables.clone(), 1, r);
            let rep_r = resource_rep(&mut store, tables.clone(), 1, r);
            let drop_s = resource_drop(&mut store, tables.clone(), 1, s, None);
            linker.define("res", "new-r", new_r)?;
            linker.define("res", "rep-r", rep_r)?;
            linker.define("res", "drop-s", drop_s)?;
            let memories = Linker::new(engine).instantiate_and_start(&mut store, &self.memories)?;
            linker.instance(&mut store, "cmem", memories)?;
            let builtins = async_runtime.builtins(1);
            for c in self.cases.iter().filter(|c| c.callback) {
                let (sig, encoding) = task_return(&self.adapters, c.id);
                let f = builtins.task_return(&mut store, sig, encoding);
                linker.define("canon", &format!("task.return{}", c.id), f)?;
            }
            let callee = linker.instantiate_and_start(&mut store, &self.callee)?;
            let mut linker = AdapterLinker::new();
            linker.flags(0, flags[0]).flags(1, flags[1]);
            linker.resources(tables.clone(), &self.adapters.resources);
            linker.runtime(&async_runtime);
            for (instance, exports) in [(0, &runtime), (1, &callee)] {
                for (mem, realloc, is64) in
                    [("mem32", "realloc32", false), ("mem64", "realloc64", true)]
                {
                    if let Some(m) = exports.get_memory(&store, mem) {
                        linker.memory(&store, instance, m);
                        let f = exports.get_func(&store, realloc).expect("realloc");
                        linker.realloc(instance, is64, f);
                    }
                }
            }
            let func = |instance: &Instance, store: &Store<Vec<Entry>>, name: &str| {
                instance
                    .get_func(store, name)
                    .unwrap_or_else(|| panic!("no export {name}"))
            };
            for name in ["make-r", "rep-r"] {
                linker.callee(name, func(&callee, &store, name));
            }
            for c in &self.cases {
                let name = format!("f{}", c.id);
                linker.callee(&name, func(&callee, &store, &name));
                if c.post_return {
                    linker.post_return(&name, func(&callee, &store, &format!("pr{}", c.id)));
                }
                if c.callback {
                    linker.callback(&name, func(&callee, &store, &format!("cb{}", c.id)));
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
                let f = linked.adapter(&store, name).expect("adapter");
                main_linker.define("res", name, f)?;
            }
            main_linker.instance(&mut store, "rt", runtime)?;
            main_linker.instance(&mut store, "adapters", linked.instance)?;
            // The built-ins an `async` caller waits with.
            let mem32 = runtime.get_memory(&store, "mem32").expect("mem32");
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
                main_linker.define("canon", name, f)?;
            }
            let main = main_linker.instantiate_and_start(&mut store, &self.main)?;

            let setup_caller = runtime.get_typed_func::<(i32, i32), ()>(&store, "setup")?;
            let setup_callee = callee.get_typed_func::<(i32, i32), ()>(&store, "setup")?;
            if let Some(f) = case.fault {
                let setup = if f.callee { setup_callee } else { setup_caller };
                setup.call(&mut store, (f.mode as i32, f.at as i32))?;
            }
            let run = main.get_typed_func::<(), ()>(&store, &format!("run{id}"))?;
            let ran = if case.async_fn {
                async_runtime.host_call(&mut store, 0, true, |s| run.call(&mut *s, ()))
            } else {
                run.call(&mut store, ())
            };
            if let Err(trap) = ran {
                return Ok(Err(trap));
            }
            runtime
                .get_typed_func::<(), ()>(&store, "dump")?
                .call(&mut store, ())?;
            callee
                .get_typed_func::<(), ()>(&store, "dump")?
                .call(&mut store, ())?;
            Ok(Ok(()))
        })();
        match result {
            Ok(Ok(())) => Outcome::Returned(std::mem::take(store.data_mut())),
            Ok(Err(trap)) => Outcome::Trapped(trap_message(&trap)),
            Err(e) => Outcome::Rejected(e.to_string()),
        }
    }
}

/// A trap in the words of `run.rs`'s `trap_message` for a fact trap; the
/// engine's own traps keep wasmi's words (they are compared by kind only).
fn trap_message(e: &Error) -> String {
    match trap_of(e) {
        Some(t) => format!("fact trap {t:?}"),
        None => match e.as_trap_code() {
            Some(code) => format!("wasm trap {code:?}"),
            None => e.to_string(),
        },
    }
}
