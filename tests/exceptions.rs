//! The exception barrier (`AdapterCompiler::exception_barrier`): a core wasm
//! exception thrown by the callee, its `realloc` or its `post-return` traps
//! at the adapter with `Trap::Exception` (the spec's
//! `call_and_trap_on_throw`), run on Wasmtime with exception handling.

use crate::harness::{callee, caller, CALLEE, CALLER};
use fact_core::wit_parser::{Resolve, WorldItem};
use fact_core::{Adapter, AdapterCompiler, Adapters, Trap};
use fact_wasmtime::{trap_of, AdapterLinker};
use wasmparser::WasmFeatures;
use wasmtime::{Config, Engine, Instance, Module, Store};

/// `f: func(s: string) -> u32`, the callee with `post-return`.
fn compile(barrier: bool) -> Adapters {
    let mut resolve = Resolve::default();
    let pkg = resolve
        .push_str(
            "t.wit",
            "package test:x; world w { export f: func(s: string) -> u32; }",
        )
        .unwrap();
    let world = resolve.select_world(&[pkg], None).unwrap();
    let WorldItem::Function(function) = resolve.worlds[world].exports[0].clone() else {
        unreachable!()
    };
    let mut compiler = AdapterCompiler::new(&resolve);
    compiler.exception_barrier(barrier);
    compiler
        .adapt(Adapter {
            name: "f".into(),
            interface: None,
            function: &function,
            lower: caller(),
            lift: callee().post_return(true),
        })
        .unwrap();
    compiler.finish().unwrap()
}

/// The callee's core module: `f`, `cabi_realloc` and `post-return`, each
/// throwing when `throw_in` names it.
fn callee_module(throw_in: &str) -> String {
    let body = |name: &str| {
        if name == throw_in {
            "(throw $oops)"
        } else {
            ""
        }
    };
    format!(
        r#"(module
            (tag $oops)
            (memory (export "memory") 1)
            (global $bump (mut i32) (i32.const 1024))
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
                {realloc}
                (global.get $bump)
                (global.set $bump (i32.add (global.get $bump) (local.get 3))))
            (func (export "f") (param i32 i32) (result i32)
                {callee}
                (local.get 1))
            (func (export "post-return") (param i32) {post})
        )"#,
        realloc = body("realloc"),
        callee = body("callee"),
        post = body("post-return"),
    )
}

/// Calls the adapter with the string "hello", the callee throwing in
/// `throw_in` (or nowhere); returns the result or the error.
fn call(adapters: &Adapters, throw_in: &str) -> wasmtime::Result<i32> {
    let mut config = Config::new();
    config.wasm_multi_memory(true).wasm_exceptions(true);
    let engine = Engine::new(&config)?;
    let mut store = Store::new(&engine, ());
    let callee_instance = Instance::new(
        &mut store,
        &Module::new(&engine, callee_module(throw_in))?,
        &[],
    )?;
    let caller_instance = Instance::new(
        &mut store,
        &Module::new(
            &engine,
            r#"(module (memory (export "memory") 1) (data (i32.const 16) "hello")
                (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 0))"#,
        )?,
        &[],
    )?;
    let mut linker = AdapterLinker::new();
    linker
        .instance_exports(&mut store, CALLEE, &callee_instance)
        .instance_exports(&mut store, CALLER, &caller_instance)
        .callee("f", callee_instance.get_func(&mut store, "f").unwrap())
        .post_return(
            "f",
            callee_instance.get_func(&mut store, "post-return").unwrap(),
        );
    let module = Module::new(&engine, &adapters.wasm)?;
    let linked = linker.instantiate(&mut store, &module, &adapters.imports, &adapters.exports)?;
    let f = linked
        .adapter(&mut store, "f")
        .unwrap()
        .typed::<(i32, i32), i32>(&store)?;
    f.call(&mut store, (16, 5))
}

#[test]
fn an_exception_from_the_callee_realloc_or_post_return_traps_at_the_adapter() {
    let adapters = compile(true);
    adapters.validate().unwrap();
    assert!(adapters.features.contains(WasmFeatures::EXCEPTIONS));
    assert_eq!(call(&adapters, "nowhere").unwrap(), 5);
    for place in ["callee", "realloc", "post-return"] {
        let err = call(&adapters, place).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::Exception), "{place}: {err:?}");
    }
}

#[test]
fn without_the_barrier_the_module_needs_no_exception_handling() {
    let adapters = compile(false);
    assert!(!adapters.features.contains(WasmFeatures::EXCEPTIONS));
    assert_eq!(call(&adapters, "nowhere").unwrap(), 5);
    // The exception unwinds through the adapter: not a trap of the adapter.
    let err = call(&adapters, "callee").unwrap_err();
    assert_eq!(trap_of(&err), None, "{err:?}");
}
