//! The linker: imports resolved by kind, flags created and shared, traps
//! carried through call errors, missing supplies named.

use super::*;
use fact_host::{flags, Export, Import, ImportKind, Signature, Transcode, Trap};
use wasmtime::{
    Config, Engine, Func, Global, GlobalType, Instance, Memory, Module, Mutability, Result, Store,
    Val, ValType,
};

fn import(module: &'static str, name: &'static str, kind: ImportKind) -> Import {
    Import {
        module: module.into(),
        name: name.into(),
        kind,
    }
}

fn export(name: &'static str) -> Export {
    Export {
        name: name.into(),
        interface: None,
        function: name.into(),
        lower_instance: 0,
        lift_instance: 1,
        lowered: Signature::new(&[], &[]),
        lifted: Signature::new(&[], &[]),
        async_call: None,
    }
}

fn transcode(op: Transcode, src: (u32, bool), dst: (u32, bool)) -> ImportKind {
    ImportKind::Transcode {
        op,
        src_instance: src.0,
        src_memory64: src.1,
        dst_instance: dst.0,
        dst_memory64: dst.1,
    }
}

/// An adapter-like module: instance 0 calls `f` of instance 1 with a
/// UTF-8 string, checking the callee's `may_enter` and clearing it for
/// the call; `trap` reports any code.
const ADAPTER: &str = r#"(module
    (import "fact" "trap" (func $trap (param i32)))
    (import "instance-0" "memory" (memory 1))
    (import "instance-1" "memory" (memory 1))
    (import "transcode" "copy-utf8:0:1:32:32" (func $copy (param i32 i32 i32)))
    (import "instance-1" "flags" (global $flags (mut i32)))
    (import "callee" "f" (func $callee (param i32 i32) (result i32)))
    (func (export "f") (param i32 i32) (result i32)
        (local $r i32)
        (if (i32.eqz (i32.and (global.get $flags) (i32.const 2)))
            (then (call $trap (i32.const 2)) unreachable))
        (global.set $flags (i32.and (global.get $flags) (i32.const -3)))
        (call $copy (local.get 0) (local.get 1) (i32.const 100))
        (local.set $r (call $callee (i32.const 100) (local.get 1)))
        (global.set $flags (i32.or (global.get $flags) (i32.const 2)))
        (local.get $r))
    (func (export "trap") (param i32) (call $trap (local.get 0)) unreachable))"#;

fn adapter_imports() -> Vec<Import> {
    vec![
        import("fact", "trap", ImportKind::Trap),
        import(
            "instance-0",
            "memory",
            ImportKind::Memory {
                instance: 0,
                memory64: false,
            },
        ),
        import(
            "instance-1",
            "memory",
            ImportKind::Memory {
                instance: 1,
                memory64: false,
            },
        ),
        import(
            "transcode",
            "copy-utf8:0:1:32:32",
            transcode(Transcode::CopyUtf8, (0, false), (1, false)),
        ),
        import("instance-1", "flags", ImportKind::Flags { instance: 1 }),
        import("callee", "f", ImportKind::Callee { adapter: 0 }),
    ]
}

struct Fixture {
    store: Store<()>,
    caller: Instance,
    callee: Instance,
    linker: AdapterLinker,
}

/// Instance 0 (caller) holds `data` at address 0; instance 1 (callee)
/// exports `f (ptr, len) -> ptr + len`.
fn fixture(data: &[u8]) -> Fixture {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let caller = Module::new(&engine, r#"(module (memory (export "memory") 1))"#).unwrap();
    let caller = Instance::new(&mut store, &caller, &[]).unwrap();
    let memory = caller.get_memory(&mut store, "memory").unwrap();
    memory.write(&mut store, 0, data).unwrap();
    let callee = Module::new(
        &engine,
        r#"(module (memory (export "memory") 1)
            (func (export "f") (param i32 i32) (result i32)
                (i32.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let callee = Instance::new(&mut store, &callee, &[]).unwrap();
    let mut linker = AdapterLinker::new();
    let f = callee.get_func(&mut store, "f").unwrap();
    linker
        .instance_exports(&mut store, 0, &caller)
        .instance_exports(&mut store, 1, &callee)
        .callee("f", f);
    Fixture {
        store,
        caller,
        callee,
        linker,
    }
}

fn link(fx: &mut Fixture) -> Result<LinkedAdapters> {
    let module = Module::new(fx.store.engine(), ADAPTER)?;
    fx.linker
        .instantiate(&mut fx.store, &module, &adapter_imports(), &[export("f")])
}

#[test]
fn links_by_kind_and_runs_the_transcoder() {
    let mut fx = fixture("héllo".as_bytes());
    let adapters = link(&mut fx).unwrap();
    let f = adapters.adapter(&mut fx.store, "f").unwrap();
    let f = f.typed::<(i32, i32), i32>(&fx.store).unwrap();
    assert_eq!(f.call(&mut fx.store, (0, 6)).unwrap(), 106);
    let memory = fx.callee.get_memory(&mut fx.store, "memory").unwrap();
    assert_eq!(&memory.data(&fx.store)[100..106], "héllo".as_bytes());
}

#[test]
fn creates_flags_when_not_supplied() {
    let mut fx = fixture(b"");
    let adapters = link(&mut fx).unwrap();
    let flags = adapters.flags(1).unwrap();
    assert_eq!(flags.get(&mut fx.store).i32(), Some(flags::INITIAL));
    assert!(adapters.flags(0).is_none());

    // The host clears may_enter while it runs instance 1: the adapter
    // refuses to enter it.
    flags
        .set(&mut fx.store, Val::I32(flags::MAY_LEAVE))
        .unwrap();
    let f = adapters.adapter(&mut fx.store, "f").unwrap();
    let err = f
        .typed::<(i32, i32), i32>(&fx.store)
        .unwrap()
        .call(&mut fx.store, (0, 0))
        .unwrap_err();
    assert_eq!(trap_of(&err), Some(Trap::CannotEnter));
}

#[test]
fn modules_linked_by_one_linker_share_created_flags() {
    let mut fx = fixture(b"");
    let first = link(&mut fx).unwrap();
    let second = link(&mut fx).unwrap();
    let flags = first.flags(1).unwrap();
    flags
        .set(&mut fx.store, Val::I32(flags::MAY_LEAVE))
        .unwrap();
    assert_eq!(
        second.flags(1).unwrap().get(&mut fx.store).i32(),
        Some(flags::MAY_LEAVE)
    );
}

#[test]
fn uses_supplied_flags() {
    let mut fx = fixture(b"");
    let ty = GlobalType::new(ValType::I32, Mutability::Var);
    let global = Global::new(&mut fx.store, ty, Val::I32(0)).unwrap();
    fx.linker.flags(1, global);
    let adapters = link(&mut fx).unwrap();
    let f = adapters.adapter(&mut fx.store, "f").unwrap();
    let mut results = [Val::I32(0)];
    let err = f
        .call(&mut fx.store, &[Val::I32(0), Val::I32(0)], &mut results)
        .unwrap_err();
    assert_eq!(trap_of(&err), Some(Trap::CannotEnter));
    assert_eq!(adapters.flags(1).unwrap().get(&mut fx.store).i32(), Some(0));
}

#[test]
fn transcoder_traps_downcast_through_the_call_error() {
    let mut fx = fixture(b"ok\xc0\x80");
    let adapters = link(&mut fx).unwrap();
    let f = adapters.adapter(&mut fx.store, "f").unwrap();
    let f = f.typed::<(i32, i32), i32>(&fx.store).unwrap();
    let flags = adapters.flags(1).unwrap();
    let call = |fx: &mut Fixture, ptr: i32, len: i32| {
        let result = f.call(&mut fx.store, (ptr, len));
        // A trap leaves the callee's may_enter clear; this test reuses
        // the instances anyway.
        flags.set(&mut fx.store, Val::I32(flags::INITIAL)).unwrap();
        result
    };
    let err = call(&mut fx, 0, 4).unwrap_err();
    assert_eq!(err.downcast_ref::<Trap>(), Some(&Trap::InvalidUtf8));
    assert_eq!(trap_of(&err), Some(Trap::InvalidUtf8));
    let err = call(&mut fx, 65530, 7).unwrap_err();
    assert_eq!(trap_of(&err), Some(Trap::OutOfBounds));
    // Lengths are unsigned: -1 is 4 GiB - 1, out of bounds.
    let err = call(&mut fx, 0, -1).unwrap_err();
    assert_eq!(trap_of(&err), Some(Trap::OutOfBounds));
    // The destination starts at 100 in a 65536-byte memory.
    let memory = fx.caller.get_memory(&mut fx.store, "memory").unwrap();
    memory.data_mut(&mut fx.store).fill(b'a');
    let err = call(&mut fx, 0, 65437).unwrap_err();
    assert_eq!(trap_of(&err), Some(Trap::OutOfBounds));
    assert_eq!(call(&mut fx, 0, 65436).unwrap(), 65536);
}

#[test]
fn trap_import_reports_every_code() {
    let mut fx = fixture(b"");
    let adapters = link(&mut fx).unwrap();
    let trap = adapters.adapter(&mut fx.store, "trap").unwrap();
    let trap = trap.typed::<i32, ()>(&fx.store).unwrap();
    for &code in Trap::ALL {
        let err = trap.call(&mut fx.store, code.code() as i32).unwrap_err();
        assert_eq!(trap_of(&err), Some(code));
        assert!(err.downcast_ref::<wasmtime::Trap>().is_none());
    }
    let err = trap.call(&mut fx.store, 0x7777).unwrap_err();
    assert_eq!(trap_of(&err), None);
    assert!(
        format!("{err:?}").contains("unknown fact trap code 30583"),
        "{err:?}"
    );
}

#[test]
fn engine_traps_are_not_fact_traps() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, r#"(module (func (export "f") unreachable))"#).unwrap();
    let adapters = AdapterLinker::new()
        .instantiate(&mut store, &module, &[], &[])
        .unwrap();
    let f = adapters.adapter(&mut store, "f").unwrap();
    let err = f.call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(trap_of(&err), None);
    assert_eq!(
        err.downcast_ref::<wasmtime::Trap>(),
        Some(&wasmtime::Trap::UnreachableCodeReached)
    );
}

#[test]
fn missing_imports_are_named() {
    let mut fx = fixture(b"");
    fx.linker = AdapterLinker::new();
    fx.linker.instance_exports(&mut fx.store, 0, &fx.caller);
    let err = link(&mut fx).unwrap_err().to_string();
    assert!(err.contains("`instance-1` `memory`"), "{err}");
    assert!(
        err.contains("no 32-bit memory supplied for instance 1"),
        "{err}"
    );

    fx.linker.instance_exports(&mut fx.store, 1, &fx.callee);
    let err = link(&mut fx).unwrap_err().to_string();
    assert!(err.contains("`callee` `f`"), "{err}");
    assert!(err.contains("no callee supplied for adapter `f`"), "{err}");
}

#[test]
fn a_callee_under_a_name_that_is_no_adapter_is_an_error_listing_the_adapters() {
    let mut fx = fixture(b"");
    let f = fx.linker.callees["f"];
    fx.linker.callee("open", f);
    let err = link(&mut fx).unwrap_err().to_string();
    assert_eq!(
        err,
        "a callee was supplied for `open`, but no adapter has that name; the adapters are `f`"
    );
    let mut fx = fixture(b"");
    let f = fx.linker.callees["f"];
    fx.linker.post_return("g", f);
    let err = link(&mut fx).unwrap_err().to_string();
    assert!(
        err.starts_with("a post-return was supplied for `g`"),
        "{err}"
    );
}

#[test]
fn import_table_must_match_the_module() {
    let mut fx = fixture(b"");
    let module = Module::new(fx.store.engine(), ADAPTER).unwrap();
    let mut imports = adapter_imports();
    imports.swap(1, 2);
    let err = fx
        .linker
        .instantiate(&mut fx.store, &module, &imports, &[export("f")])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("import 1 of the adapter module is `instance-0` `memory`"),
        "{err}"
    );
    imports.pop();
    let err = fx
        .linker
        .instantiate(&mut fx.store, &module, &imports, &[export("f")])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("has 6 imports but its import table has 5"),
        "{err}"
    );
    // Without its callee, so that the name check passes.
    fx.linker.callees.clear();
    let err = fx
        .linker
        .instantiate(&mut fx.store, &module, &adapter_imports(), &[])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("adapter 0 is not in the export list"),
        "{err}"
    );
}

#[test]
fn wrongly_typed_supplies_fail_instantiation() {
    let mut fx = fixture(b"");
    let wrong = Func::wrap(&mut fx.store, || {});
    fx.linker.callee("f", wrong);
    let err = link(&mut fx).unwrap_err();
    assert!(
        format!("{err:?}").contains("cannot instantiate the adapter module"),
        "{err:?}"
    );
}

#[test]
fn memory64_transcoder_and_realloc_post_return() {
    let mut config = Config::new();
    config.wasm_memory64(true);
    let engine = Engine::new(&config).unwrap();
    let mut store = Store::new(&engine, ());
    let src = Memory::new(&mut store, wasmtime::MemoryType::new(1, None)).unwrap();
    let dst = Memory::new(&mut store, wasmtime::MemoryType::new64(1, None)).unwrap();
    let data: Vec<u8> = "hé".encode_utf16().flat_map(u16::to_le_bytes).collect();
    src.write(&mut store, 8, &data).unwrap();
    let realloc = Func::wrap(&mut store, |_: i64, _: i64, _: i32, _: i64| 32i64);
    let post_return = Func::wrap(&mut store, || {});
    let module = Module::new(
        &engine,
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "memory64" (memory i64 1))
            (import "instance-1" "realloc64" (func $realloc (param i64 i64 i32 i64) (result i64)))
            (import "post-return" "g" (func $post))
            (import "transcode" "utf16-to-compact:0:1:32:64"
                (func $compact (param i32 i32 i64) (result i64)))
            (func (export "g") (param i32 i32) (result i64)
                (call $post)
                (call $compact (local.get 0) (local.get 1)
                    (call $realloc (i64.const 0) (i64.const 0) (i32.const 2) (i64.const 4)))))"#,
    )
    .unwrap();
    let imports = [
        import(
            "instance-0",
            "memory",
            ImportKind::Memory {
                instance: 0,
                memory64: false,
            },
        ),
        import(
            "instance-1",
            "memory64",
            ImportKind::Memory {
                instance: 1,
                memory64: true,
            },
        ),
        import(
            "instance-1",
            "realloc64",
            ImportKind::Realloc {
                instance: 1,
                memory64: true,
            },
        ),
        import("post-return", "g", ImportKind::PostReturn { adapter: 0 }),
        import(
            "transcode",
            "utf16-to-compact:0:1:32:64",
            transcode(Transcode::Utf16ToCompact, (0, false), (1, true)),
        ),
    ];
    let mut linker = AdapterLinker::new();
    linker
        .memory(&store, 0, src)
        .memory(&store, 1, dst)
        .realloc(1, true, realloc)
        .post_return("g", post_return);
    let adapters = linker
        .instantiate(&mut store, &module, &imports, &[export("g")])
        .unwrap();
    let g = adapters.adapter(&mut store, "g").unwrap();
    let g = g.typed::<(i32, i32), i64>(&store).unwrap();
    assert_eq!(g.call(&mut store, (8, 2)).unwrap(), 2);
    assert_eq!(&dst.data(&store)[32..34], b"h\xe9");

    let data: Vec<u8> = "h€".encode_utf16().flat_map(u16::to_le_bytes).collect();
    src.write(&mut store, 8, &data).unwrap();
    assert_eq!(g.call(&mut store, (8, 2)).unwrap() as u64, 2 | 1 << 63);
    assert_eq!(&dst.data(&store)[32..36], &data[..]);

    let err = g.call(&mut store, (9, 2)).unwrap_err();
    assert_eq!(trap_of(&err), Some(Trap::Misaligned));
    // A missing 64-bit memory is named by its address type.
    let err = AdapterLinker::new()
        .memory(&store, 0, src)
        .memory(&store, 1, src)
        .instantiate(&mut store, &module, &imports, &[export("g")])
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("no 64-bit memory supplied for instance 1"),
        "{err}"
    );
}

#[test]
fn shared_memory_transcodes_within() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let shared = Memory::new(&mut store, wasmtime::MemoryType::new(1, None)).unwrap();
    shared.write(&mut store, 0, b"abcdef").unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "memory" (memory 1))
            (import "transcode" "copy-utf8:0:1:32:32" (func (param i32 i32 i32)))
            (export "copy" (func 0)))"#,
    )
    .unwrap();
    let mem = |instance| ImportKind::Memory {
        instance,
        memory64: false,
    };
    let imports = [
        import("instance-0", "memory", mem(0)),
        import("instance-1", "memory", mem(1)),
        import(
            "transcode",
            "copy-utf8:0:1:32:32",
            transcode(Transcode::CopyUtf8, (0, false), (1, false)),
        ),
    ];
    let adapters = AdapterLinker::new()
        .memory(&store, 0, shared)
        .memory(&store, 1, shared)
        .instantiate(&mut store, &module, &imports, &[])
        .unwrap();
    let copy = adapters.adapter(&mut store, "copy").unwrap();
    let copy = copy.typed::<(i32, i32, i32), ()>(&store).unwrap();
    copy.call(&mut store, (0, 6, 2)).unwrap();
    assert_eq!(&shared.data(&store)[..8], b"ababcdef");
}
