//! Calls of `async` functions, run for real: two core modules written in
//! WAT stand for the two component instances (the caller, instance 0,
//! lowers the function; the callee, instance 1, lifts it), the adapter
//! module between them comes from the compiler, and the async runtime of
//! `fact-host` runs the call through each engine's glue. The modules import
//! the canon built-ins (module `canon`) from the runtime and a `host` `log`
//! that records the order in which things happen.
//!
//! A test describes a [`Scenario`] and checks its [`Outcome`]: what the
//! caller's `run` returned (or the trap), and the log. Each runs on every
//! engine (`on_every_engine!`), which must agree. `error_contexts.rs` does
//! the same for `error-context` values and built-ins.

mod cases;
mod error_contexts;
mod on_wasmi;
mod on_wasmtime;
mod reference;
mod traps;

use crate::harness::Engine;
use fact_core::wit_parser::Resolve;
use fact_core::{adapt_world, Adapters, CanonOptions, StringEncoding, WorldOptions};
use fact_host::Trap;

/// Two instances and the world between them.
pub struct Scenario {
    /// The WIT of a world whose imports the caller calls.
    pub wit: &'static str,
    /// The callee's options (instance 1).
    pub lift: CanonOptions,
    /// The caller's options (instance 0).
    pub lower: CanonOptions,
    /// The callee's core module: imports `env` `memory`, exports
    /// `cabi_realloc`, the lifted function under the adapter's name, and
    /// `[callback]<name>` and `[post-return]<name>` where it has them.
    pub callee: String,
    /// The caller's core module: imports `env` `memory` and the adapters
    /// (module `adapter`), exports `cabi_realloc` and `run`.
    pub caller: String,
    /// Whether the host calls `run` as a task of an `async` function type
    /// (which may block) or a synchronous one.
    pub run_async: bool,
    /// What Wasmtime's own runtime gives where it differs from the spec
    /// (`docs/host-abi.md`, "Known differences with Wasmtime 48"), and why.
    pub wasmtime_differs: Option<(Result<Vec<i64>, Failure>, &'static str)>,
    /// Why Wasmtime's own runtime cannot run the scenario at all, if it
    /// cannot.
    pub wasmtime_cannot: Option<&'static str>,
}

impl Scenario {
    /// A callee lifting with `async` and a callback, a caller lowering
    /// with `async`; 32-bit memories, UTF-8.
    pub fn new(wit: &'static str, callee: String, caller: String) -> Scenario {
        Scenario {
            wit,
            lift: CanonOptions::new(fact_core::InstanceId(1)).async_(true, true),
            lower: CanonOptions::new(fact_core::InstanceId(0)).async_(true, false),
            callee,
            caller,
            run_async: true,
            wasmtime_differs: None,
            wasmtime_cannot: None,
        }
    }

    /// Wasmtime's own runtime cannot run the scenario, for the reason `why`.
    pub fn wasmtime_cannot(mut self, why: &'static str) -> Self {
        self.wasmtime_cannot = Some(why);
        self
    }

    /// Wasmtime's own runtime gives `result` instead, for the reason `why`.
    pub fn wasmtime_differs(
        mut self,
        result: Result<Vec<i64>, Failure>,
        why: &'static str,
    ) -> Self {
        self.wasmtime_differs = Some((result, why));
        self
    }

    /// The caller lowers synchronously.
    pub fn sync_lower(mut self) -> Scenario {
        self.lower = self.lower.async_(false, false);
        self
    }

    /// The callee lifts synchronously.
    pub fn sync_lift(mut self) -> Scenario {
        self.lift = self.lift.async_(false, false);
        self
    }

    /// The host calls `run` as a task of a synchronous function type.
    pub fn run_sync(mut self) -> Scenario {
        self.run_async = false;
        self
    }

    /// The callee's options.
    pub fn lift(mut self, f: impl FnOnce(CanonOptions) -> CanonOptions) -> Scenario {
        self.lift = f(self.lift);
        self
    }

    /// The caller's options.
    pub fn lower(mut self, f: impl FnOnce(CanonOptions) -> CanonOptions) -> Scenario {
        self.lower = f(self.lower);
        self
    }

    /// Compiles the world's adapters.
    pub fn adapters(&self) -> Adapters {
        let mut resolve = Resolve::default();
        let pkg = resolve.push_str("async.wit", self.wit).expect("valid WIT");
        let world = resolve.select_world(&[pkg], None).expect("one world");
        let options = WorldOptions {
            lift: self.lift,
            lower: self.lower,
            debug: true,
            ..WorldOptions::default()
        };
        let adapters = adapt_world(&resolve, world, &options).expect("adapters");
        adapters.validate().expect("a valid module");
        adapters
    }

    /// Runs the scenario in `engine` through fact's adapters; on Wasmtime,
    /// also through Wasmtime's own runtime, which must give the same
    /// result and log (or what [`wasmtime_differs`](Self::wasmtime_differs)
    /// says).
    pub fn run(&self, engine: Engine) -> Outcome {
        let adapters = self.adapters();
        let wasm = |wat: &str| wat::parse_str(wat).unwrap_or_else(|e| panic!("{e}\n{wat}"));
        let modules = Modules {
            adapters: &adapters,
            callee: wasm(&self.callee),
            caller: wasm(&self.caller),
            run_async: self.run_async,
            encodings: [self.lower.string_encoding, self.lift.string_encoding],
        };
        let out = match engine {
            Engine::Wasmtime => on_wasmtime::run(&modules),
            Engine::Wasmi => on_wasmi::run(&modules),
        };
        if engine == Engine::Wasmtime && self.wasmtime_cannot.is_none() {
            let reference = reference::run(self, &modules);
            match &self.wasmtime_differs {
                None => assert_eq!(
                    (&reference.result, &reference.log),
                    (&out.result, &out.log),
                    "Wasmtime's own runtime (left) and fact (right) differ"
                ),
                Some((result, why)) => {
                    assert_eq!(&reference.result, result, "Wasmtime's own runtime: {why}");
                    assert_ne!(
                        (&reference.result, &reference.log),
                        (&out.result, &out.log),
                        "no longer differs: {why}"
                    );
                }
            }
        }
        out
    }
}

/// What a backend runs.
pub struct Modules<'a> {
    pub adapters: &'a Adapters,
    pub callee: Vec<u8>,
    pub caller: Vec<u8>,
    pub run_async: bool,
    /// The string encodings of instance 0 (the caller) and 1.
    pub encodings: [StringEncoding; 2],
}

/// How a run ended and what it logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The results of `run` (integers, widened), or why it failed.
    pub result: Result<Vec<i64>, Failure>,
    /// The values the modules passed to `host` `log`, in order.
    pub log: Vec<i64>,
    /// Tasks the runtime still holds after the run.
    pub live_tasks: usize,
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A trap of fact's, with its code.
    Trap(Trap),
    /// Anything else (an engine trap, a link error), as text.
    Other(String),
}

impl Outcome {
    /// The trap the run ended with.
    pub fn trap(&self) -> Option<Trap> {
        match &self.result {
            Err(Failure::Trap(t)) => Some(*t),
            _ => None,
        }
    }
}

/// A canon built-in a core module imports (module `canon`), by its import
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Builtin {
    /// `task.return:<adapter>`: the `task.return` of that adapter's
    /// function.
    TaskReturn(String),
    SubtaskDrop,
    WaitableSetNew,
    WaitableSetWait,
    WaitableSetPoll,
    WaitableSetDrop,
    WaitableJoin,
    BackpressureInc,
    BackpressureDec,
    /// `context.get:<slot>`.
    ContextGet(usize),
    /// `context.set:<slot>`.
    ContextSet(usize),
    ThreadYield,
    /// `error-context.new` with the instance's memory and encoding.
    ErrorContextNew,
    /// `error-context.debug-message` with the instance's memory, encoding
    /// and `realloc`.
    ErrorContextDebugMessage,
    ErrorContextDrop,
}

impl Builtin {
    /// The built-in imported as `name`.
    pub fn parse(name: &str) -> Builtin {
        match name.split_once(':') {
            Some(("task.return", adapter)) => Builtin::TaskReturn(adapter.into()),
            Some(("context.get", slot)) => Builtin::ContextGet(slot.parse().unwrap()),
            Some(("context.set", slot)) => Builtin::ContextSet(slot.parse().unwrap()),
            _ => match name {
                "subtask.drop" => Builtin::SubtaskDrop,
                "waitable-set.new" => Builtin::WaitableSetNew,
                "waitable-set.wait" => Builtin::WaitableSetWait,
                "waitable-set.poll" => Builtin::WaitableSetPoll,
                "waitable-set.drop" => Builtin::WaitableSetDrop,
                "waitable.join" => Builtin::WaitableJoin,
                "backpressure.inc" => Builtin::BackpressureInc,
                "backpressure.dec" => Builtin::BackpressureDec,
                "thread.yield" => Builtin::ThreadYield,
                "error-context.new" => Builtin::ErrorContextNew,
                "error-context.debug-message" => Builtin::ErrorContextDebugMessage,
                "error-context.drop" => Builtin::ErrorContextDrop,
                other => panic!("no built-in `{other}`"),
            },
        }
    }
}

/// The `task.return` signature and string encoding of the adapter `name`.
pub fn task_return(adapters: &Adapters, name: &str) -> (fact_host::Signature, StringEncoding) {
    let export = adapters
        .exports
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no adapter `{name}`"));
    let call = export.async_call.as_ref().expect("an async adapter");
    (call.task_return.clone(), call.callee_encoding)
}

/// The WAT of a bump `cabi_realloc` over `$heap`, for a 32- or 64-bit
/// memory: a shrink keeps the block, a growth moves it.
pub fn realloc(memory64: bool) -> String {
    let t = if memory64 { "i64" } else { "i32" };
    format!(
        r#"(global $heap (mut {t}) ({t}.const 0x8000))
        (func (export "cabi_realloc") (param $old {t}) (param $old_size {t}) (param $align {t})
            (param $size {t}) (result {t})
            (local $p {t})
            (if (i32.and ({t}.ne (local.get $old) ({t}.const 0))
                    ({t}.le_u (local.get $size) (local.get $old_size)))
                (then (return (local.get $old))))
            (local.set $p ({t}.and
                ({t}.add (global.get $heap) ({t}.sub (local.get $align) ({t}.const 1)))
                ({t}.sub ({t}.const 0) (local.get $align))))
            (global.set $heap ({t}.add (local.get $p) (local.get $size)))
            (memory.copy (local.get $p) (local.get $old) (local.get $old_size))
            (local.get $p))"#
    )
}

/// A module of a 32- or 64-bit memory: its memory, the log, the built-ins
/// it names (each imported as `$<name>` with `.` and `:` made `_`), the
/// `body` (which may begin with more imports), and a `cabi_realloc`.
pub fn module_with(memory64: bool, builtins: &[(&str, &str)], body: &str) -> String {
    let mut s = format!(
        "(import \"env\" \"memory\" (memory {}1))\n\
         (import \"host\" \"log\" (func $log (param i64)))\n",
        if memory64 { "i64 " } else { "" }
    );
    for (name, ty) in builtins {
        s.push_str(&format!(
            "(import \"canon\" \"{name}\" (func ${} {ty}))\n",
            name.replace([':', '.'], "_")
        ));
    }
    format!("(module\n{s}\n{body}\n{})", realloc(memory64))
}
