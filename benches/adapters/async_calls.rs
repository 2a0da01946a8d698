//! Calls of `async` functions, side by side with Wasmtime's async adapters
//! and runtime: an `async` lower calling a callback lift that returns its
//! result through `task.return` at once and exits, so that every call
//! returns `RETURNED` (the caller checks it) and no event loop runs.
//!
//! - `async u32`: `f: async func(x: u32) -> u32`, `x + 1`;
//! - `async string 64 B`: `f: async func(s: string) -> u32` with a 64-byte
//!   ASCII string, UTF-8 on both sides, the callee returns its length (its
//!   bytes are checked through `digest`).
//!
//! Paths: **ours** (the adapter module and `fact_wasmtime::Runtime`, the
//! caller's `run` called through `Runtime::host_call`), **wt** (the same
//! core modules in a component, Wasmtime's `Config::new()` with the async
//! proposal on), and **limit** (the caller's loop calling the callee's core
//! `f` directly, a `memory.copy` of the string first, `task.return` a core
//! function that keeps the value).

use super::{common, CorePath, Path};
use fact_core::wit_parser::Resolve;
use fact_core::{Adapter, AdapterCompiler, CanonOptions, InstanceId};
use fact_host::SharedResourceTables;
use fact_wasmtime::{AdapterLinker, Runtime};
use wasmtime::component::{Component, Linker as ComponentLinker};
use wasmtime::{Engine, Instance, Linker, Module, Result, Store};

/// Where the caller's string is, and where the result goes.
const DATA: u32 = 0x1000;
const RETPTR: u32 = 16;
/// Where the callee's `realloc` allocates (every call again).
const HEAP: u32 = 0x2000;

/// One case.
#[derive(Debug, Clone, Copy)]
struct Case {
    name: &'static str,
    /// The string's length, or `None` for the `u32` case.
    string: Option<u32>,
}

const CASES: [Case; 2] = [
    Case {
        name: "async u32",
        string: None,
    },
    Case {
        name: "async string 64 B",
        string: Some(64),
    },
];

impl Case {
    fn wit(&self) -> String {
        let param = if self.string.is_some() {
            "s: string"
        } else {
            "x: u32"
        };
        format!("package bench:a;\ninterface i {{ f: async func({param}) -> u32; }}\n")
    }

    /// The string's bytes.
    fn text(&self) -> Vec<u8> {
        (0..self.string.unwrap_or(0))
            .map(|i| b'a' + (i % 26) as u8)
            .collect()
    }

    /// The flat arguments the caller passes in iteration `$k`.
    fn args(&self) -> String {
        match self.string {
            Some(n) => format!("(i32.const {DATA}) (i32.const {n})"),
            None => "(local.get $k)".into(),
        }
    }

    fn params(&self) -> &'static str {
        if self.string.is_some() {
            "(param i32 i32)"
        } else {
            "(param i32)"
        }
    }

    /// What `run(k)` returns when every call got its result.
    fn expected(&self, k: u32) -> u32 {
        match self.string {
            Some(n) => n * k,
            None => k * (k + 1) / 2 + k,
        }
    }
}

/// The caller's memory (with the string) and `realloc`.
fn memory_module(case: &Case) -> String {
    let text: String = case.text().iter().map(|b| *b as char).collect();
    format!(
        r#"(module (memory (export "memory") 1)
  (data (i32.const {DATA}) "{text}")
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) unreachable))"#
    )
}

/// The caller: `run(k)` makes `k` calls, each of which must return
/// `RETURNED` (2), and sums their results.
fn main_module(case: &Case, call: &str) -> String {
    format!(
        r#"(module
  (import "rt" "memory" (memory 1))
  {call}
  (func (export "run") (param $k i32) (result i32)
    (local $acc i32)
    (block $done
      (br_if $done (i32.eqz (local.get $k)))
      (loop $next
        (if (i32.ne (call $f {args} (i32.const {RETPTR})) (i32.const 2)) (then unreachable))
        (local.set $acc (i32.add (local.get $acc) (i32.load (i32.const {RETPTR}))))
        (br_if $next (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    (local.get $acc)))"#,
        args = case.args(),
    )
}

/// The callee: imports its memory and its `task.return`; `f` returns its
/// result through `task.return` and exits; `digest` hashes the last string
/// it received.
fn callee_module(case: &Case) -> String {
    let body = match case.string {
        Some(_) => format!(
            "(i32.store (i32.const 0) (local.get 0)) (i32.store (i32.const 4) (local.get 1))
             (global.set $heap (i32.const {HEAP}))
             (call $task_return (local.get 1))"
        ),
        None => "(call $task_return (i32.add (local.get 0) (i32.const 1)))".into(),
    };
    format!(
        r#"(module
  (import "env" "memory" (memory 1))
  (import "canon" "task.return" (func $task_return (param i32)))
  (global $heap (mut i32) (i32.const {HEAP}))
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func (export "f") {params} (result i32)
    {body}
    (i32.const 0))
  (func (export "[callback]f") (param i32 i32 i32) (result i32) unreachable)
  (func (export "digest") (result i64)
    (local $p i32) (local $n i32) (local $h i64)
    (local.set $p (i32.load (i32.const 0)))
    (local.set $n (i32.load (i32.const 4)))
    (local.set $h (i64.const 0xcbf29ce484222325))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load8_u (local.get $p)))
                               (i64.const 0x100000001b3)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $h)))"#,
        params = case.params(),
    )
}

/// FNV-1a of `bytes`, as `digest` computes it.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn strip(module: &str) -> &str {
    let m = module.trim();
    &m["(module".len()..m.len() - 1]
}

/// The component for Wasmtime: the same core modules, `f` lifted with
/// `async` and a callback, lowered with `async`.
fn component(case: &Case) -> String {
    let (param, opts) = match case.string {
        Some(_) => (
            r#"(param "s" string)"#,
            r#"(memory $mem "memory") string-encoding=utf8"#,
        ),
        None => (r#"(param "x" u32)"#, ""),
    };
    let realloc = if case.string.is_some() {
        r#"(realloc (func $m "cabi_realloc"))"#
    } else {
        ""
    };
    format!(
        r#"(component
  (component $Callee
    (core module $Mem (memory (export "memory") 1))
    (core instance $mem (instantiate $Mem))
    (core func $task-return (canon task.return (result u32) {opts}))
    (core module $M {callee})
    (core instance $m (instantiate $M (with "env" (instance $mem))
      (with "canon" (instance (export "task.return" (func $task-return))))))
    (func $f async {param} (result u32)
      (canon lift (core func $m "f") {opts} {realloc} async (callback (func $m "[callback]f"))))
    (export "f" (func $f))
    (func $digest (result u64) (canon lift (core func $m "digest")))
    (export "digest" (func $digest)))
  (component $Caller
    (import "f" (func $f async {param} (result u32)))
    (core module $RT {memory})
    (core instance $rt (instantiate $RT))
    (core func $f-lowered (canon lower (func $f) (memory $rt "memory") string-encoding=utf8 async))
    (core module $Main {main})
    (core instance $main (instantiate $Main (with "rt" (instance $rt))
      (with "adapters" (instance (export "f" (func $f-lowered))))))
    (func $run (param "k" u32) (result u32) (canon lift (core func $main "run")))
    (export "run" (func $run)))
  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller (with "f" (func $callee "f"))))
  (export "run" (func $caller "run"))
  (export "digest" (func $callee "digest")))"#,
        callee = strip(&callee_module(case)),
        memory = strip(&memory_module(case)),
        main = strip(&main_module(case, &import_f(case))),
    )
}

/// The caller's import of the adapter.
fn import_f(case: &Case) -> String {
    let params = if case.string.is_some() {
        "(param i32 i32 i32)"
    } else {
        "(param i32 i32)"
    };
    format!(r#"(import "adapters" "f" (func $f {params} (result i32)))"#)
}

fn compile_ours(case: &Case) -> Result<fact_core::Adapters> {
    let mut resolve = Resolve::default();
    let pkg = common::ah(resolve.push_str("bench.wit", &case.wit()))?;
    let iface = resolve.packages[pkg].interfaces["i"];
    let function = resolve.interfaces[iface].functions["f"].clone();
    let mut compiler = AdapterCompiler::new(&resolve);
    compiler.adapt(Adapter {
        name: "f".into(),
        interface: Some("bench:a/i".into()),
        function: &function,
        lift: CanonOptions::new(InstanceId(1)).async_(true, true),
        lower: CanonOptions::new(InstanceId(0)).async_(true, false),
    })?;
    Ok(compiler.finish()?)
}

/// Ours: the caller's `run` runs as a task of the runtime.
struct OursPath {
    core: CorePath,
    runtime: Runtime,
}

impl Path for OursPath {
    fn run(&mut self, k: u32) -> Result<u32> {
        let run = &self.core.run;
        self.runtime
            .host_call(&mut self.core.store, 0, false, |s| run.call(&mut *s, k))
    }
    fn digest(&mut self) -> Result<u64> {
        self.core.digest()
    }
}

/// Instantiates the callee over a fresh memory, with `task_return`.
fn callee(
    store: &mut Store<()>,
    case: &Case,
    task_return: wasmtime::Func,
) -> Result<(Instance, Instance)> {
    let engine = store.engine().clone();
    let memory = Instance::new(
        &mut *store,
        &Module::new(&engine, r#"(module (memory (export "memory") 1))"#)?,
        &[],
    )?;
    let mut linker = Linker::new(&engine);
    linker.instance(&mut *store, "env", memory)?;
    linker.define(&*store, "canon", "task.return", task_return)?;
    let callee = linker.instantiate(&mut *store, &Module::new(&engine, callee_module(case))?)?;
    Ok((memory, callee))
}

fn ours(engine: &Engine, case: &Case) -> Result<(OursPath, usize)> {
    let adapters = compile_ours(case)?;
    let mut store = Store::new(engine, ());
    let runtime = Runtime::new(SharedResourceTables::default());
    let call = adapters.exports[0]
        .async_call
        .as_ref()
        .expect("an async call");
    let task_return =
        runtime
            .builtins(1)
            .task_return(&mut store, call.task_return.clone(), call.callee_encoding);
    let (memory, callee) = callee(&mut store, case, task_return)?;
    let rt = Instance::new(&mut store, &Module::new(engine, memory_module(case))?, &[])?;
    let mut linker = AdapterLinker::new();
    linker
        .runtime(&runtime)
        .instance_exports(&mut store, 0, &rt)
        .instance_exports(&mut store, 1, &memory)
        .instance_exports(&mut store, 1, &callee)
        .callee("f", callee.get_func(&mut store, "f").expect("f"))
        .callback(
            "f",
            callee
                .get_func(&mut store, "[callback]f")
                .expect("callback"),
        );
    let module = Module::new(engine, &adapters.wasm)?;
    let linked = linker.instantiate(&mut store, &module, &adapters.imports, &adapters.exports)?;
    let mut main = Linker::new(engine);
    main.instance(&mut store, "rt", rt)?;
    main.instance(&mut store, "adapters", linked.instance)?;
    let main = main.instantiate(
        &mut store,
        &Module::new(engine, main_module(case, &import_f(case)))?,
    )?;
    let core = CorePath {
        run: main.get_typed_func(&mut store, "run")?,
        digest: callee.get_typed_func(&mut store, "digest")?,
        store,
    };
    Ok((OursPath { core, runtime }, adapters.wasm.len()))
}

/// The limit: the caller's loop calls the callee's `f` directly, its
/// `task.return` a core function that stores the result at the return
/// pointer (after a `memory.copy` of the string into the callee's memory).
fn limit(engine: &Engine, case: &Case) -> Result<CorePath> {
    let mut store = Store::new(engine, ());
    let rt = Instance::new(&mut store, &Module::new(engine, memory_module(case))?, &[])?;
    let mut linker = Linker::new(engine);
    linker.instance(&mut store, "rt", rt)?;
    let keep = linker.instantiate(
        &mut store,
        &Module::new(
            engine,
            format!(
                r#"(module (import "rt" "memory" (memory 1))
                  (func (export "task.return") (param i32) (i32.store (i32.const {RETPTR}) (local.get 0))))"#
            ),
        )?,
    )?;
    let task_return = keep
        .get_func(&mut store, "task.return")
        .expect("task.return");
    let (memory, callee) = callee(&mut store, case, task_return)?;
    let mut linker = Linker::new(engine);
    linker.instance(&mut store, "rt", rt)?;
    linker.instance(&mut store, "callee", callee)?;
    linker.instance(&mut store, "callee-memory", memory)?;
    // The loop of `main`, whose `$f` copies the string and calls the
    // callee's `f`, returning 2 when it exits.
    let copy = match case.string {
        Some(n) => format!(
            "(memory.copy $callee $rt (i32.const {HEAP}) (local.get 0) (i32.const {n}))
             (drop (call $g (i32.const {HEAP}) (local.get 1)))"
        ),
        None => "(drop (call $g (local.get 0)))".into(),
    };
    let params = if case.string.is_some() {
        "(param i32 i32 i32)"
    } else {
        "(param i32 i32)"
    };
    let call = format!(
        r#"(import "callee-memory" "memory" (memory $callee 1))
  (import "callee" "f" (func $g {} (result i32)))
  (func $f {params} (result i32) {copy} (i32.const 2))"#,
        case.params()
    );
    let main = main_module(case, &call).replace("(memory 1)", "(memory $rt 1)");
    let main = linker.instantiate(&mut store, &Module::new(engine, main)?)?;
    Ok(CorePath {
        run: main.get_typed_func(&mut store, "run")?,
        digest: callee.get_typed_func(&mut store, "digest")?,
        store,
    })
}

/// Wasmtime's component runtime: `run` is called with `call_concurrent`
/// inside `run_concurrent` (a plain `call` of a function that lowers with
/// `async` panics in Wasmtime 48), once per `run(k)`.
struct WasmtimePath {
    store: Store<()>,
    run: wasmtime::component::Func,
    digest: wasmtime::component::TypedFunc<(), (u64,)>,
}

/// Runs a future that needs no waking from outside (guest code only).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

impl Path for WasmtimePath {
    fn run(&mut self, k: u32) -> Result<u32> {
        use wasmtime::component::Val;
        let run = self.run;
        let mut out = [Val::U32(0)];
        block_on(self.store.run_concurrent(async |accessor| {
            run.call_concurrent(accessor, &[Val::U32(k)], &mut out)
                .await
        }))??;
        match out[0] {
            Val::U32(v) => Ok(v),
            ref other => wasmtime::bail!("run returned {other:?}"),
        }
    }
    fn digest(&mut self) -> Result<u64> {
        Ok(self.digest.call(&mut self.store, ())?.0)
    }
}

fn wasmtime_path(engine: &Engine, case: &Case) -> Result<WasmtimePath> {
    let component = Component::new(engine, component(case))?;
    let mut store = Store::new(engine, ());
    let instance = ComponentLinker::new(engine).instantiate(&mut store, &component)?;
    Ok(WasmtimePath {
        run: instance
            .get_func(&mut store, "run")
            .ok_or_else(|| wasmtime::format_err!("no run"))?,
        digest: instance.get_typed_func(&mut store, "digest")?,
        store,
    })
}

/// Every path must give the expected results and deliver the string.
fn check(path: &mut dyn Path, case: &Case, what: &str) -> Result<()> {
    let k = 1000;
    let got = path.run(k)?;
    if got != case.expected(k) {
        wasmtime::bail!(
            "{what}: {}: run({k}) returned {got}, expected {}",
            case.name,
            case.expected(k)
        );
    }
    if case.string.is_some() && path.digest()? != fnv(&case.text()) {
        wasmtime::bail!("{what}: {}: the callee received another string", case.name);
    }
    Ok(())
}

/// Runs the cases the filters select and prints their table.
pub fn run(filters: &[String], samples: usize, sample_ns: f64) -> Result<()> {
    let cases: Vec<&Case> = CASES
        .iter()
        .filter(|c| common::selected(filters, c.name))
        .collect();
    if cases.is_empty() {
        return Ok(());
    }
    let mut config = common::wasmtime_config(false);
    config.wasm_component_model_async(true);
    let engine = Engine::new(&config)?;
    println!(
        "\n## Calls of `async` functions: an `async` lower to a callback lift that returns \
         through `task.return` at once\n"
    );
    println!(
        "| case | ours ns | wt ns | limit ns | ours/wt | ours/limit | wt/limit | adapter bytes |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for case in cases {
        let (mut ours, bytes) = ours(&engine, case)?;
        let mut wt = wasmtime_path(&engine, case)?;
        let mut limit = limit(&engine, case)?;
        check(&mut ours, case, "ours")?;
        check(&mut wt, case, "Wasmtime")?;
        check(&mut limit, case, "limit")?;
        let ns = super::measure(&mut [&mut ours, &mut wt, &mut limit], samples, sample_ns)?;
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {bytes} |",
            case.name,
            super::fmt_ns(ns[0]),
            super::fmt_ns(ns[1]),
            super::fmt_ns(ns[2]),
            ns[0] / ns[1],
            ns[0] / ns[2],
            ns[1] / ns[2],
        );
    }
    Ok(())
}
