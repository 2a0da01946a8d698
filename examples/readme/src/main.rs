use fact::wasmtime::wasmtime::{Engine, Instance, Linker, Module, Store};
use fact::wasmtime::AdapterLinker;

// Compiled while this crate builds: the binary holds the adapter module's
// bytes and tables, and no compiler.
mod adapters {
    fact::fact_adapters!({
        inline: "
            package demo:greeter;
            interface greet { hello: func(name: string) -> u32; }
            world greeter { export greet; }
        ",
    });
}

fn main() -> fact::wasmtime::wasmtime::Result<()> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());

    // The world's component (instance 0) lifts `hello`: it returns the
    // length of the name it is given, which arrives in its own memory.
    let greeter = Module::new(
        &engine,
        r#"(module
            (memory (export "memory") 1)
            (global $next (mut i32) (i32.const 1024))
            (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
                (global.get $next)
                (global.set $next (i32.add (global.get $next) (local.get 3))))
            (func (export "hello") (param $ptr i32) (param $len i32) (result i32)
                (local.get $len)))"#,
    )?;
    let greeter = Instance::new(&mut store, &greeter, &[])?;

    // The caller (instance 1) imports the adapter, and the adapter imports
    // the caller's memory: so the memory lives in a module of its own,
    // instantiated first.
    let memory = Module::new(
        &engine,
        r#"(module (memory (export "memory") 1)
        (data (i32.const 16) "Ada"))"#,
    )?;
    let memory = Instance::new(&mut store, &memory, &[])?;

    // The adapter module, linked from its import table.
    let hello = adapters::adapter::EXPORT_DEMO_GREETER_GREET_HELLO;
    let mut linker = AdapterLinker::new();
    linker
        .instance_exports(&mut store, fact::WORLD_INSTANCE, &greeter)
        .instance_exports(&mut store, fact::OTHER_INSTANCE, &memory)
        .callee(&hello.name, greeter.get_func(&mut store, "hello").unwrap());
    let module = Module::new(&engine, adapters::WASM)?;
    let linked = linker.instantiate(&mut store, &module, adapters::IMPORTS, adapters::EXPORTS)?;

    // The caller: it lowers `hello`, importing the adapter by its name with
    // the core type `hello.lowered`: (param i32 i32) (result i32).
    let mut caller = Linker::new(&engine);
    caller.instance(&mut store, "memory", memory)?;
    caller.instance(&mut store, "adapters", linked.instance)?;
    let main = Module::new(
        &engine,
        format!(
            r#"(module
                (import "memory" "memory" (memory 1))
                (import "adapters" "{}" (func $hello (param i32 i32) (result i32)))
                (func (export "run") (result i32) (call $hello (i32.const 16) (i32.const 3))))"#,
            hello.name
        ),
    )?;
    let main = caller.instantiate(&mut store, &main)?;
    let run = main.get_typed_func::<(), u32>(&mut store, "run")?;
    assert_eq!(run.call(&mut store, ())?, 3);
    println!("hello(\"Ada\") = {}", run.call(&mut store, ())?);
    Ok(())
}
