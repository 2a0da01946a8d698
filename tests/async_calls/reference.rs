//! The same scenarios through Wasmtime's own component runtime (48, with
//! `component-model-async`): the scenario's two core modules wrapped in
//! two components, the WIT functions lifted and lowered with the
//! scenario's options, the built-ins defined with `canon`, and Wasmtime's
//! own fused adapters and async runtime between them. What `run` returns
//! and what the modules log must be what fact gives, but for the known
//! differences of `docs/host-abi.md`.

use super::{Builtin, Failure, Modules, Outcome, Scenario};
use crate::differential::run::block_on;
use fact_core::wit_parser::{Resolve, Type, TypeDefKind, WorldItem};
use fact_core::{CanonOptions, MemoryType, StringEncoding};
use fact_host::Trap;
use std::fmt::Write;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};

fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_multi_memory(true);
    config.wasm_memory64(true);
    config.wasm_component_model_memory64(true);
    config.wasm_component_model_async(true);
    config.wasm_component_model_error_context(true);
    config.concurrency_support(true);
    Engine::new(&config).expect("engine")
}

/// A WIT type in the component text format.
fn cm_type(resolve: &Resolve, ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::U8 => "u8".into(),
        Type::U16 => "u16".into(),
        Type::U32 => "u32".into(),
        Type::U64 => "u64".into(),
        Type::S8 => "s8".into(),
        Type::S16 => "s16".into(),
        Type::S32 => "s32".into(),
        Type::S64 => "s64".into(),
        Type::F32 => "f32".into(),
        Type::F64 => "f64".into(),
        Type::Char => "char".into(),
        Type::String => "string".into(),
        Type::ErrorContext => "error-context".into(),
        Type::Id(id) => match &resolve.types[*id].kind {
            TypeDefKind::Tuple(t) => {
                let parts: Vec<String> = t.types.iter().map(|t| cm_type(resolve, t)).collect();
                format!("(tuple {})", parts.join(" "))
            }
            TypeDefKind::List(t) => format!("(list {})", cm_type(resolve, t)),
            TypeDefKind::Option(t) => format!("(option {})", cm_type(resolve, t)),
            TypeDefKind::Type(t) => cm_type(resolve, t),
            other => panic!("no component spelling for {other:?} here"),
        },
    }
}

/// A world function: its name, component function type, and result type.
struct Function {
    name: String,
    ty: String,
    result: Option<String>,
    async_: bool,
}

fn functions(wit: &str) -> Vec<Function> {
    let mut resolve = Resolve::default();
    let pkg = resolve.push_str("async.wit", wit).expect("valid WIT");
    let world = resolve.select_world(&[pkg], None).expect("one world");
    let mut out = Vec::new();
    for item in resolve.worlds[world].imports.values() {
        let WorldItem::Function(f) = item else {
            continue;
        };
        let mut ty = String::new();
        let async_ = f.kind.is_async();
        if async_ {
            ty += " async";
        }
        for p in &f.params {
            write!(ty, " (param \"{}\" {})", p.name, cm_type(&resolve, &p.ty)).unwrap();
        }
        let result = f.result.as_ref().map(|t| cm_type(&resolve, t));
        if let Some(r) = &result {
            write!(ty, " (result {r})").unwrap();
        }
        out.push(Function {
            name: f.name.clone(),
            ty,
            result,
            async_,
        });
    }
    out
}

fn encoding(e: StringEncoding) -> &'static str {
    match e {
        StringEncoding::Utf8 => "string-encoding=utf8",
        StringEncoding::Utf16 => "string-encoding=utf16",
        StringEncoding::CompactUtf16 => "string-encoding=latin1+utf16",
    }
}

/// The `memory` and `string-encoding` options of a side (`task.return`
/// takes these).
fn memory_options(o: &CanonOptions, mem: &str) -> String {
    let mut s = format!(" {}", encoding(o.string_encoding));
    if o.memory.is_some() {
        write!(s, " (memory ${mem} \"memory\")").unwrap();
    }
    s
}

/// The canonical options of a side for one function: `realloc` is the
/// module's own, or (for the caller, which imports the lowered functions)
/// the shim's, filled in after.
fn options(o: &CanonOptions, async_ft: bool, mem: &str, realloc: &str) -> String {
    let mut s = memory_options(o, mem);
    if o.memory.is_some() && o.realloc {
        write!(s, " (realloc {realloc})").unwrap();
    }
    if async_ft && o.async_ {
        s += " async";
    }
    s
}

/// The core module's imports from `canon`, and their definitions.
fn builtins(
    module: &[u8],
    side: &CanonOptions,
    fns: &[Function],
    mem: &str,
    prefix: &str,
) -> (String, String) {
    let mut defs = String::new();
    let mut exports = String::new();
    for (k, import) in wasmparser::Parser::new(0)
        .parse_all(module)
        .filter_map(|p| match p.ok()? {
            wasmparser::Payload::ImportSection(s) => Some(s),
            _ => None,
        })
        .flat_map(|s| s.into_imports().map(|i| i.unwrap()))
        .filter(|i| i.module == "canon")
        .enumerate()
    {
        let canon = match Builtin::parse(import.name) {
            Builtin::TaskReturn(f) => {
                let f = fns.iter().find(|x| x.name == f).expect("a function");
                let result = f
                    .result
                    .as_ref()
                    .map(|r| format!(" (result {r})"))
                    .unwrap_or_default();
                format!("task.return{result}{}", memory_options(side, mem))
            }
            Builtin::SubtaskDrop => "subtask.drop".into(),
            Builtin::WaitableSetNew => "waitable-set.new".into(),
            Builtin::WaitableSetWait => format!("waitable-set.wait (memory ${mem} \"memory\")"),
            Builtin::WaitableSetPoll => format!("waitable-set.poll (memory ${mem} \"memory\")"),
            Builtin::WaitableSetDrop => "waitable-set.drop".into(),
            Builtin::WaitableJoin => "waitable.join".into(),
            Builtin::BackpressureInc => "backpressure.inc".into(),
            Builtin::BackpressureDec => "backpressure.dec".into(),
            Builtin::ContextGet(n) => format!("context.get i32 {n}"),
            Builtin::ContextSet(n) => format!("context.set i32 {n}"),
            Builtin::ThreadYield => "thread.yield".into(),
            Builtin::ErrorContextNew => format!("error-context.new{}", memory_options(side, mem)),
            Builtin::ErrorContextDebugMessage => format!(
                "error-context.debug-message{} (realloc (func $shim \"realloc\"))",
                memory_options(side, mem)
            ),
            Builtin::ErrorContextDrop => "error-context.drop".into(),
        };
        writeln!(defs, "(core func ${prefix}{k} (canon {canon}))").unwrap();
        write!(exports, " (export \"{}\" (func ${prefix}{k}))", import.name).unwrap();
    }
    (defs, format!("(instance{exports})"))
}

/// The memory module of a side.
fn memory_module(o: &CanonOptions) -> &'static str {
    match o.memory {
        Some(MemoryType::Memory64) => "(core module $Mem (memory (export \"memory\") i64 1))",
        _ => "(core module $Mem (memory (export \"memory\") 1))",
    }
}

/// The results of `run`, from the caller module.
fn run_results(module: &[u8]) -> Vec<&'static str> {
    let mut types = Vec::new();
    let mut funcs = Vec::new();
    let mut imported = 0;
    let mut run = None;
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        match payload.unwrap() {
            wasmparser::Payload::TypeSection(s) => {
                for t in s.into_iter_err_on_gc_types() {
                    types.push(t.unwrap());
                }
            }
            wasmparser::Payload::ImportSection(s) => {
                for i in s.into_imports() {
                    if matches!(i.unwrap().ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            wasmparser::Payload::FunctionSection(s) => {
                for f in s {
                    funcs.push(f.unwrap());
                }
            }
            wasmparser::Payload::ExportSection(s) => {
                for e in s {
                    let e = e.unwrap();
                    if e.name == "run" {
                        run = Some(e.index - imported);
                    }
                }
            }
            _ => {}
        }
    }
    let ty = &types[funcs[run.expect("run") as usize] as usize];
    ty.results()
        .iter()
        .map(|t| match t {
            wasmparser::ValType::I32 => "i32",
            wasmparser::ValType::I64 => "i64",
            other => panic!("`run` returns {other:?}"),
        })
        .collect()
}

/// The address type of a side's memory.
fn addr_type(o: &CanonOptions) -> &'static str {
    match o.memory {
        Some(MemoryType::Memory64) => "i64",
        _ => "i32",
    }
}

/// A side's `realloc` before its module exists (`$shim` `realloc`): a
/// call through a table that [`core_instance`] fills once it does.
fn shim(side: &CanonOptions) -> String {
    let t = addr_type(side);
    format!(
        "(core module $Shim (table (export \"t\") 1 funcref) \
         (type $r (func (param {t} {t} {t} {t}) (result {t}))) \
         (func (export \"realloc\") (param {t} {t} {t} {t}) (result {t}) \
         (call_indirect (type $r) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (i32.const 0))))\n\
         (core instance $shim (instantiate $Shim))\n"
    )
}

/// A side's core module, instantiated as `$m` with its memory (`env`), the
/// lowered `log` (`host`), its built-ins (`canon`) and `more` instantiation
/// arguments; then its `realloc` goes into the [`shim`]'s table.
fn core_instance(w: &mut String, module: &[u8], side: &CanonOptions, fns: &[Function], more: &str) {
    let (defs, canon) = builtins(module, side, fns, "mem", "b");
    *w += &defs;
    writeln!(w, "(core module $M {})", wat_fields(module)).unwrap();
    *w += "(core func $logc (canon lower (func $log)))\n";
    writeln!(
        w,
        "(core instance $m (instantiate $M (with \"env\" (instance $mem)) \
         (with \"host\" (instance (export \"log\" (func $logc)))) (with \"canon\" {canon}){more}))"
    )
    .unwrap();
    let t = addr_type(side);
    writeln!(
        w,
        "(core module $Fixup (import \"\" \"t\" (table 1 funcref)) \
         (import \"\" \"r\" (func $r (param {t} {t} {t} {t}) (result {t}))) \
         (elem (i32.const 0) func $r))\n\
         (core instance (instantiate $Fixup (with \"\" (instance (export \"t\" (table $shim \"t\")) \
         (export \"r\" (func $m \"cabi_realloc\"))))))"
    )
    .unwrap();
}

/// The component of a scenario.
fn component(s: &Scenario, m: &Modules<'_>) -> String {
    let fns = functions(s.wit);
    let mut w = String::from("(component\n(import \"log\" (func $log (param \"v\" s64)))\n");

    // The callee.
    w += "(component $Callee\n(import \"log\" (func $log (param \"v\" s64)))\n";
    w += memory_module(&s.lift);
    w += "\n(core instance $mem (instantiate $Mem))\n";
    w += &shim(&s.lift);
    core_instance(&mut w, &m.callee, &s.lift, &fns, "");
    for f in &fns {
        let mut opts = options(&s.lift, f.async_, "mem", "(func $m \"cabi_realloc\")");
        let lift = if f.async_ {
            s.lift
        } else {
            CanonOptions {
                async_: false,
                callback: false,
                ..s.lift
            }
        };
        if f.async_ && lift.callback {
            write!(opts, " (callback (func $m \"[callback]{}\"))", f.name).unwrap();
        }
        if lift.post_return && !lift.async_ {
            write!(opts, " (post-return (func $m \"[post-return]{}\"))", f.name).unwrap();
        }
        writeln!(
            w,
            "(func ${0} {1} (canon lift (core func $m \"{0}\"){opts}))\n(export \"{0}\" (func ${0}))",
            f.name, f.ty
        )
        .unwrap();
    }
    w += ")\n";

    // The caller: its `realloc` reached through a shim's table, filled in
    // once the module that defines it exists.
    w += "(component $Caller\n(import \"log\" (func $log (param \"v\" s64)))\n";
    for f in &fns {
        writeln!(w, "(import \"{0}\" (func ${0} {1}))", f.name, f.ty).unwrap();
    }
    w += memory_module(&s.lower);
    w += "\n(core instance $mem (instantiate $Mem))\n";
    w += &shim(&s.lower);
    let mut adapters = String::new();
    for f in &fns {
        let opts = options(&s.lower, f.async_, "mem", "(func $shim \"realloc\")");
        writeln!(
            w,
            "(core func ${0}-c (canon lower (func ${0}){opts}))",
            f.name
        )
        .unwrap();
        write!(adapters, " (export \"{0}\" (func ${0}-c))", f.name).unwrap();
    }
    let adapters = format!(" (with \"adapter\" (instance{adapters}))");
    core_instance(&mut w, &m.caller, &s.lower, &fns, &adapters);
    // `go` calls `run` and logs what it returned.
    let results = run_results(&m.caller);
    let mut go = format!(
        "(core module $Go (import \"m\" \"run\" (func $run (result {}))) \
         (import \"host\" \"log\" (func $log (param i64))) (func (export \"go\")",
        results.join(" ")
    );
    for (k, r) in results.iter().enumerate() {
        write!(go, " (local $r{k} {r})").unwrap();
    }
    go += " (call $run)";
    for k in (0..results.len()).rev() {
        write!(go, " (local.set $r{k})").unwrap();
    }
    for (k, r) in results.iter().enumerate() {
        if *r == "i32" {
            write!(go, " (call $log (i64.extend_i32_s (local.get $r{k})))").unwrap();
        } else {
            write!(go, " (call $log (local.get $r{k}))").unwrap();
        }
    }
    go += "))";
    writeln!(
        w,
        "{go}\n(core instance $go (instantiate $Go (with \"m\" (instance $m)) \
         (with \"host\" (instance (export \"log\" (func $logc)))))) \n\
         (func $go{} (canon lift (core func $go \"go\")))\n(export \"go\" (func $go)))",
        if s.run_async { " async" } else { "" }
    )
    .unwrap();

    // Wiring.
    w += "(instance $callee (instantiate $Callee (with \"log\" (func $log))))\n";
    w += "(instance $caller (instantiate $Caller (with \"log\" (func $log))";
    for f in &fns {
        write!(w, " (with \"{0}\" (func $callee \"{0}\"))", f.name).unwrap();
    }
    w += "))\n(export \"go\" (func $caller \"go\"))\n)\n";
    w
}

/// The fields of a module (its text without `(module` and the last `)`).
fn wat_fields(wasm: &[u8]) -> String {
    let text = wasmprinter::print_bytes(wasm).expect("printable");
    let start = text.find('\n').expect("a module");
    let end = text.rfind(')').expect("a module");
    text[start..end].to_string()
}

/// The fact trap that a Wasmtime trap is, where there is one.
fn fact_trap(err: &wasmtime::Error) -> Option<Trap> {
    use wasmtime::Trap as W;
    let Some(trap) = err.downcast_ref::<W>() else {
        // Some of Wasmtime's traps are plain error messages.
        let text = format!("{err:#}");
        let by_message = [
            ("handle is not a waitable", Trap::WrongHandleKind),
            ("handle is not an error-context", Trap::WrongHandleKind),
            ("invalid utf-8 sequence", Trap::InvalidUtf8),
            ("string pointer/length out of bounds", Trap::OutOfBounds),
            (
                "invalid debug message pointer: out of bounds",
                Trap::OutOfBounds,
            ),
            ("pointer out of bounds", Trap::EventOutOfBounds),
            ("pointer not aligned", Trap::EventOutOfBounds),
            ("unknown handle index", Trap::UnknownHandle),
            ("resource has children", Trap::WaitableSetNotEmpty),
        ];
        return by_message
            .into_iter()
            .find(|(message, _)| text.contains(message))
            .map(|(_, trap)| trap);
    };
    Some(match trap {
        W::CannotLeaveComponent => Trap::CannotLeave,
        W::CannotEnterComponent => Trap::CannotEnter,
        W::NoAsyncResult => Trap::NoAsyncResult,
        W::TaskReturnInvalid => Trap::TaskReturnInvalid,
        W::TaskCancelOrReturnTwice => Trap::TaskReturnedTwice,
        W::UnsupportedCallbackCode => Trap::UnsupportedCallbackCode,
        W::SubtaskDropNotResolved => Trap::SubtaskNotResolved,
        W::BackpressureOverflow => Trap::BackpressureOverflow,
        W::AsyncDeadlock => Trap::Deadlock,
        W::CannotBlockSyncTask => Trap::SyncTaskBlocked,
        W::WaitableSetDropHasWaiters => Trap::WaitableSetNotEmpty,
        W::StringOutOfBounds | W::ListOutOfBounds => Trap::OutOfBounds,
        W::UnalignedPointer => Trap::Misaligned,
        W::InvalidChar => Trap::InvalidChar,
        W::InvalidDiscriminant => Trap::InvalidDiscriminant,
        _ => return None,
    })
}

/// Runs the scenario through Wasmtime's component runtime.
/// Runs the scenario, whose core modules are `m`, through Wasmtime's
/// component runtime.
pub fn run(s: &Scenario, m: &Modules<'_>) -> Outcome {
    let results = run_results(&m.caller).len();
    let text = component(s, m);
    let engine = engine();
    let mut store = Store::new(&engine, Vec::<i64>::new());
    let result = (|| -> wasmtime::Result<()> {
        let component =
            Component::new(&engine, &text).map_err(|e| e.context(format!("component:\n{text}")))?;
        let mut linker = Linker::<Vec<i64>>::new(&engine);
        linker.root().func_wrap("log", |mut store, (v,): (i64,)| {
            store.data_mut().push(v);
            Ok(())
        })?;
        let instance = linker.instantiate(&mut store, &component)?;
        let go = instance
            .get_func(&mut store, "go")
            .ok_or_else(|| wasmtime::format_err!("no `go`"))?;
        block_on(
            store.run_concurrent(async |accessor| go.call_concurrent(accessor, &[], &mut []).await),
        )??;
        Ok(())
    })();
    let mut log = store.data().clone();
    let result = match result {
        Ok(()) => Ok(log.split_off(log.len() - results)),
        Err(err) => Err(match fact_trap(&err) {
            Some(trap) => Failure::Trap(trap),
            None => Failure::Other(format!("{err:?}")),
        }),
    };
    Outcome {
        result,
        log,
        live_tasks: 0,
    }
}
