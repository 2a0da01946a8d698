//! A call of an `async` function through its adapter: the caller lowers
//! `length: async func(text: string) -> u32` with `async` and waits for its
//! subtask in a waitable set; the callee lifts it with `async` and a
//! `callback`, yields once, and returns its result through `task.return`
//! from its callback. The adapter moves the string and the result; the
//! async runtime of `fact` runs the tasks, the event and the callback loop.

use fact::wasmtime::wasmtime::{Engine, Instance, Linker, Module, Store};
use fact::wasmtime::{AdapterLinker, Runtime};
use fact::SharedResourceTables;

mod adapters {
    fact::fact_adapters!({
        inline: "
            package demo:counter;
            interface text { length: async func(text: string) -> u32; }
            world counter { export text; }
        ",
        // The callee (the world's component) lifts `async` functions with
        // `async` and a callback; the caller lowers them with `async`.
        lift: { async: true, callback: true },
        lower: { async: true },
    });
}

fn main() -> fact::wasmtime::wasmtime::Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let runtime = Runtime::new(SharedResourceTables::default());
    let length = adapters::adapter::EXPORT_DEMO_COUNTER_TEXT_LENGTH;
    let call = length.async_call.as_ref().expect("an async function");

    // The callee (instance 0): its first call keeps the length in context
    // slot 0 and yields (code 1); its callback returns the length through
    // `task.return` and exits (code 0).
    let callee = Module::new(
        &engine,
        r#"(module
            (import "canon" "task.return" (func $task_return (param i32)))
            (import "canon" "context.get" (func $get (result i32)))
            (import "canon" "context.set" (func $set (param i32)))
            (memory (export "memory") 1)
            (global $next (mut i32) (i32.const 1024))
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
                (global.get $next)
                (global.set $next (i32.add (global.get $next) (local.get 3))))
            (func (export "length") (param $ptr i32) (param $len i32) (result i32)
                (call $set (local.get $len))
                (i32.const 1))
            (func (export "[callback]length") (param i32 i32 i32) (result i32)
                (call $task_return (call $get))
                (i32.const 0)))"#,
    )?;
    let builtins = runtime.builtins(fact::WORLD_INSTANCE);
    let mut linker = Linker::new(&engine);
    for (name, func) in [
        (
            "task.return",
            builtins.task_return(&mut store, call.task_return.clone(), call.callee_encoding),
        ),
        ("context.get", builtins.context_get(&mut store, 0)),
        ("context.set", builtins.context_set(&mut store, 0)),
    ] {
        linker.define(&store, "canon", name, func)?;
    }
    let callee = linker.instantiate(&mut store, &callee)?;

    // The caller's memory, in a module of its own (instance 1).
    let memory = Module::new(
        &engine,
        r#"(module (memory (export "memory") 1) (data (i32.const 16) "Ada Lovelace"))"#,
    )?;
    let memory = Instance::new(&mut store, &memory, &[])?;

    // The adapter module, linked with the runtime, the callee's function
    // and its callback.
    let mut linker = AdapterLinker::new();
    linker
        .runtime(&runtime)
        .instance_exports(&mut store, fact::WORLD_INSTANCE, &callee)
        .instance_exports(&mut store, fact::OTHER_INSTANCE, &memory)
        .callee(&length.name, callee.get_func(&mut store, "length").unwrap())
        .callback(
            &length.name,
            callee.get_func(&mut store, "[callback]length").unwrap(),
        );
    let module = Module::new(&engine, adapters::WASM)?;
    let linked = linker.instantiate(&mut store, &module, adapters::IMPORTS, adapters::EXPORTS)?;

    // The caller: `length` returns STARTED (1) with its subtask's handle in
    // the upper bits; it waits for the subtask's event, and reads the
    // result where it asked for it (address 64).
    let builtins = runtime.builtins(fact::OTHER_INSTANCE);
    let mem = memory.get_memory(&mut store, "memory").unwrap();
    let mut caller = Linker::new(&engine);
    caller.instance(&mut store, "memory", memory)?;
    caller.instance(&mut store, "adapters", linked.instance)?;
    for (name, func) in [
        ("waitable-set.new", builtins.waitable_set_new(&mut store)),
        ("waitable.join", builtins.waitable_join(&mut store)),
        (
            "waitable-set.wait",
            builtins.waitable_set_wait(&mut store, mem, false),
        ),
        ("waitable-set.drop", builtins.waitable_set_drop(&mut store)),
        ("subtask.drop", builtins.subtask_drop(&mut store)),
    ] {
        caller.define(&store, "canon", name, func)?;
    }
    let main = Module::new(
        &engine,
        format!(
            r#"(module
                (import "memory" "memory" (memory 1))
                (import "adapters" "{}" (func $length (param i32 i32 i32) (result i32)))
                (import "canon" "waitable-set.new" (func $set_new (result i32)))
                (import "canon" "waitable.join" (func $join (param i32 i32)))
                (import "canon" "waitable-set.wait" (func $wait (param i32 i32) (result i32)))
                (import "canon" "waitable-set.drop" (func $set_drop (param i32)))
                (import "canon" "subtask.drop" (func $subtask_drop (param i32)))
                (func (export "run") (result i32 i32)
                    (local $status i32) (local $set i32) (local $event i32)
                    (local.set $status (call $length (i32.const 16) (i32.const 12) (i32.const 64)))
                    (local.set $set (call $set_new))
                    (call $join (i32.shr_u (local.get $status) (i32.const 4)) (local.get $set))
                    ;; SUBTASK (1), with the subtask's new state at 36: RETURNED (2).
                    (local.set $event (call $wait (local.get $set) (i32.const 32)))
                    (call $subtask_drop (i32.shr_u (local.get $status) (i32.const 4)))
                    (call $set_drop (local.get $set))
                    (i32.and (local.get $status) (i32.const 15))
                    (i32.load (i32.const 64))))"#,
            length.name
        ),
    )?;
    let main = caller.instantiate(&mut store, &main)?;
    let run = main.get_typed_func::<(), (u32, u32)>(&mut store, "run")?;
    // `run` is a task of the caller of an `async` type: it may wait.
    let (status, result) =
        runtime.host_call(&mut store, fact::OTHER_INSTANCE, true, |s| run.call(s, ()))?;
    assert_eq!((status, result), (1, 12));
    println!("length(\"Ada Lovelace\") = {result} (the call returned STARTED, then the callee's callback returned)");
    Ok(())
}
