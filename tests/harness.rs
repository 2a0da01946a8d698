//! Runs adapters for real in Wasmtime: the caller calls the adapter's export
//! from the host, the callee, its `realloc` and `post-return` are host
//! functions that record every call, and both memories are real Wasmtime
//! memories. Instance 0 is the caller (lowering side), instance 1 the callee
//! (lifting side).

use anyhow::Result;
use fact_core::wit_parser::{Resolve, WorldItem};
use fact_core::{Adapter, AdapterCompiler, Adapters, CanonOptions, InstanceId, MemoryType, Trap};
use fact_host::SharedResourceTables;
use fact_wasmtime::AdapterLinker;
use wasmtime::{Caller, Engine, Func, Memory, MemoryTypeBuilder, Module, Store, Val, ValType};

/// The caller's instance.
pub const CALLER: u32 = 0;
/// The callee's instance.
pub const CALLEE: u32 = 1;
/// Where each memory's bump allocator starts.
pub const HEAP: u64 = 0x8000;

/// A flat core value, comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flat {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
}

impl Flat {
    fn of(v: &Val) -> Flat {
        match v {
            Val::I32(x) => Flat::I32(*x as u32),
            Val::I64(x) => Flat::I64(*x as u64),
            Val::F32(x) => Flat::F32(*x),
            Val::F64(x) => Flat::F64(*x),
            other => panic!("unexpected value {other:?}"),
        }
    }

    /// The value as a `wasmtime::Val`.
    pub fn val(self) -> Val {
        match self {
            Flat::I32(x) => Val::I32(x as i32),
            Flat::I64(x) => Val::I64(x as i64),
            Flat::F32(x) => Val::F32(x),
            Flat::F64(x) => Val::F64(x),
        }
    }

    /// The value as an unsigned integer (pointers and lengths).
    pub fn u64(self) -> u64 {
        match self {
            Flat::I32(x) => u64::from(x),
            Flat::I64(x) => x,
            other => panic!("{other:?} is not an integer"),
        }
    }
}

/// Something the adapter did, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `realloc(old, old_size, align, new_size)` of an instance, and the
    /// pointer it returned.
    Realloc {
        instance: u32,
        old: u64,
        old_size: u64,
        align: u64,
        new_size: u64,
        ret: u64,
    },
    /// The callee was called with these flat arguments; `flags` is the
    /// callee's flags global at that moment.
    Call { args: Vec<Flat>, flags: [i32; 2] },
    /// `post-return` was called with these flat values.
    PostReturn { args: Vec<Flat>, flags: [i32; 2] },
}

impl Event {
    /// A first allocation: `realloc(0, 0, align, new_size)` returning `ret`.
    pub fn allocation(instance: u32, align: u64, new_size: u64, ret: u64) -> Event {
        Event::Realloc {
            instance,
            old: 0,
            old_size: 0,
            align,
            new_size,
            ret,
        }
    }
}

/// Little-endian bytes of 32-bit words.
pub fn words(ws: &[u32]) -> Vec<u8> {
    ws.iter().flat_map(|w| w.to_le_bytes()).collect()
}

type CalleeFn = Box<dyn FnMut(&mut Caller<'_, Ctx>, &[Flat]) -> Vec<Flat> + Send>;
type ReallocOverride = Box<dyn FnMut(u32, [u64; 4], u64) -> u64 + Send>;

/// Host state of a test.
pub struct Ctx {
    pub events: Vec<Event>,
    pub memories: Vec<Memory>,
    pub heap: [u64; 2],
    pub callee: CalleeFn,
    /// Lets a test replace the pointer `realloc` returns (instance, args,
    /// the pointer the bump allocator chose).
    pub realloc_override: Option<ReallocOverride>,
    pub flags: Vec<wasmtime::Global>,
    /// The handle tables of every instance.
    pub tables: SharedResourceTables,
}

/// One adapter, compiled and linked.
pub struct Fixture {
    pub store: Store<Ctx>,
    pub adapters: Adapters,
    pub func: Func,
}

/// The options of the caller and callee of most tests: utf8, 32-bit memory,
/// `realloc`.
pub fn caller() -> CanonOptions {
    CanonOptions::new(InstanceId(CALLER))
}

/// See [`caller`].
pub fn callee() -> CanonOptions {
    CanonOptions::new(InstanceId(CALLEE))
}

/// Compiles the adapter for function `f` of interface `i` declared by
/// `decls` (WIT items of the interface body).
pub fn compile(decls: &str, lower: CanonOptions, lift: CanonOptions) -> Result<Adapters> {
    compile_tuned(decls, lower, lift, Tuning::default())
}

/// Compiler settings beyond the function and its sides.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tuning {
    /// The implementer of every resource of interface `i`.
    pub implementer: Option<u32>,
    /// `AdapterCompiler::short_strings`, if not the default.
    pub short_strings: Option<u32>,
}

/// [`compile`] with the compiler tuned.
pub fn compile_tuned(
    decls: &str,
    lower: CanonOptions,
    lift: CanonOptions,
    tuning: Tuning,
) -> Result<Adapters> {
    let implementer = tuning.implementer;
    let mut resolve = Resolve::default();
    let src = format!("package test:t;\ninterface i {{\n{decls}\n}}\nworld w {{ export i; }}\n");
    let pkg = resolve.push_str("test.wit", &src)?;
    let world = resolve.select_world(&[pkg], None)?;
    let iface = resolve.worlds[world]
        .exports
        .values()
        .find_map(|item| match item {
            WorldItem::Interface { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    let function = resolve.interfaces[iface].functions["f"].clone();
    let mut compiler = AdapterCompiler::new(&resolve);
    if let Some(limit) = tuning.short_strings {
        compiler.short_strings(limit);
    }
    if let Some(instance) = implementer {
        for ty in resolve.interfaces[iface].types.values() {
            if matches!(
                resolve.types[*ty].kind,
                fact_core::wit_parser::TypeDefKind::Resource
            ) {
                compiler.implementer(*ty, InstanceId(instance));
            }
        }
    }
    compiler.adapt(Adapter {
        name: "f".into(),
        interface: Some("test:t/i".into()),
        function: &function,
        lift,
        lower,
    })?;
    Ok(compiler.finish()?)
}

fn engine() -> Engine {
    let mut config = wasmtime::Config::new();
    config.wasm_multi_memory(true);
    config.wasm_memory64(true);
    Engine::new(&config).unwrap()
}

impl Fixture {
    /// [`Fixture::with_pages`] for an adapter compiled with the compiler
    /// tuned ([`compile_tuned`]).
    pub fn tuned(
        tuning: Tuning,
        pages: u64,
        decls: &str,
        lower: CanonOptions,
        lift: CanonOptions,
        callee: impl FnMut(&mut Caller<'_, Ctx>, &[Flat]) -> Vec<Flat> + Send + 'static,
    ) -> Fixture {
        let adapters = compile_tuned(decls, lower, lift, tuning).expect("adapter compiles");
        Self::link(pages, adapters, lower, lift, Box::new(callee))
    }

    /// The handle tables.
    pub fn tables(&self) -> SharedResourceTables {
        self.store.data().tables.clone()
    }

    /// Compiles and links an adapter whose callee is `callee`; both
    /// memories have 64 pages (4 MiB).
    pub fn new(
        decls: &str,
        lower: CanonOptions,
        lift: CanonOptions,
        callee: impl FnMut(&mut Caller<'_, Ctx>, &[Flat]) -> Vec<Flat> + Send + 'static,
    ) -> Fixture {
        Self::with_pages(64, decls, lower, lift, callee)
    }

    /// [`Fixture::new`] with memories of `pages` pages.
    pub fn with_pages(
        pages: u64,
        decls: &str,
        lower: CanonOptions,
        lift: CanonOptions,
        callee: impl FnMut(&mut Caller<'_, Ctx>, &[Flat]) -> Vec<Flat> + Send + 'static,
    ) -> Fixture {
        Self::tuned(Tuning::default(), pages, decls, lower, lift, callee)
    }

    fn link(
        pages: u64,
        adapters: Adapters,
        lower: CanonOptions,
        lift: CanonOptions,
        callee: CalleeFn,
    ) -> Fixture {
        let engine = engine();
        let module = Module::new(&engine, &adapters.wasm).expect("adapter compiles in wasmtime");
        let mut store = Store::new(
            &engine,
            Ctx {
                events: Vec::new(),
                memories: Vec::new(),
                heap: [HEAP; 2],
                callee,
                realloc_override: None,
                flags: Vec::new(),
                tables: SharedResourceTables::default(),
            },
        );
        let mut linker = AdapterLinker::new();
        for (instance, opts) in [(CALLER, lower), (CALLEE, lift)] {
            let is64 = opts.memory == Some(MemoryType::Memory64);
            let ty = MemoryTypeBuilder::new()
                .min(pages)
                .memory64(is64)
                .build()
                .unwrap();
            let memory = Memory::new(&mut store, ty).unwrap();
            store.data_mut().memories.push(memory);
            linker.memory(&store, instance, memory);
            let p = if is64 { ValType::I64 } else { ValType::I32 };
            let ty =
                wasmtime::FuncType::new(&engine, [p.clone(), p.clone(), p.clone(), p.clone()], [p]);
            let realloc = Func::new(&mut store, ty, move |mut caller, args, results| {
                let a: Vec<u64> = args.iter().map(|v| Flat::of(v).u64()).collect();
                let ctx = caller.data_mut();
                let align = a[2].max(1);
                let ptr = ctx.heap[instance as usize].next_multiple_of(align);
                ctx.heap[instance as usize] = ptr + a[3];
                let mut ret = ptr;
                if let Some(f) = ctx.realloc_override.as_mut() {
                    ret = f(instance, [a[0], a[1], a[2], a[3]], ptr);
                }
                // Move the old contents, as a real realloc does.
                if a[0] != 0 && ret == ptr {
                    let mem = caller.data().memories[instance as usize];
                    let n = a[1].min(a[3]) as usize;
                    let data = mem.data_mut(&mut caller);
                    data.copy_within(a[0] as usize..a[0] as usize + n, ptr as usize);
                }
                caller.data_mut().events.push(Event::Realloc {
                    instance,
                    old: a[0],
                    old_size: a[1],
                    align: a[2],
                    new_size: a[3],
                    ret,
                });
                results[0] = if is64 {
                    Val::I64(ret as i64)
                } else {
                    Val::I32(ret as i32)
                };
                Ok(())
            });
            linker.realloc(instance, is64, realloc);
        }

        let callee_ty = import_type(&module, "callee", "0");
        let callee_fn = Func::new(&mut store, callee_ty, |mut caller, args, results| {
            let args: Vec<Flat> = args.iter().map(Flat::of).collect();
            let flags = flags_now(&mut caller);
            caller.data_mut().events.push(Event::Call {
                args: args.clone(),
                flags,
            });
            let mut f = std::mem::replace(&mut caller.data_mut().callee, Box::new(|_, _| vec![]));
            let out = f(&mut caller, &args);
            caller.data_mut().callee = f;
            for (slot, v) in results.iter_mut().zip(out) {
                *slot = v.val();
            }
            Ok(())
        });
        linker.callee("f", callee_fn);
        let tables = store.data().tables.clone();
        linker.resources(tables, &adapters.resources);
        if lift.post_return {
            let ty = import_type(&module, "post-return", "0");
            let post = Func::new(&mut store, ty, |mut caller, args, _| {
                let args: Vec<Flat> = args.iter().map(Flat::of).collect();
                let flags = flags_now(&mut caller);
                caller
                    .data_mut()
                    .events
                    .push(Event::PostReturn { args, flags });
                Ok(())
            });
            linker.post_return("f", post);
        }
        let linked = linker
            .instantiate(&mut store, &module, &adapters.imports, &adapters.exports)
            .expect("adapter links");
        let flags: Vec<_> = [CALLER, CALLEE]
            .iter()
            .map(|i| linked.flags(*i).expect("flags global"))
            .collect();
        store.data_mut().flags = flags;
        let func = linked.adapter(&mut store, "f").expect("adapter export");
        Fixture {
            store,
            adapters,
            func,
        }
    }

    /// Calls the adapter with flat arguments.
    pub fn call(&mut self, args: &[Flat]) -> wasmtime::Result<Vec<Flat>> {
        let ty = self.func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().map(|t| default_val(&t)).collect();
        let args: Vec<Val> = args.iter().map(|a| a.val()).collect();
        self.func.call(&mut self.store, &args, &mut results)?;
        Ok(results.iter().map(Flat::of).collect())
    }

    /// Calls the adapter and returns the trap it must raise.
    pub fn trap(&mut self, args: &[Flat]) -> Trap {
        let err = self.call(args).expect_err("the call must trap");
        // A trap leaves the instances' flags as they were at the trap; a host
        // would discard both instances. Tests go on with fresh flags.
        self.set_flags(CALLER, 3);
        self.set_flags(CALLEE, 3);
        self.store.data().tables.lock().abort_calls(0);
        fact_wasmtime::trap_of(&err).unwrap_or_else(|| panic!("not a fact trap: {err:?}"))
    }

    /// Writes bytes into an instance's memory.
    pub fn write(&mut self, instance: u32, addr: u64, bytes: &[u8]) {
        let mem = self.store.data().memories[instance as usize];
        mem.data_mut(&mut self.store)[addr as usize..][..bytes.len()].copy_from_slice(bytes);
    }

    /// Reads bytes from an instance's memory.
    pub fn read(&self, instance: u32, addr: u64, len: usize) -> Vec<u8> {
        let mem = self.store.data().memories[instance as usize];
        mem.data(&self.store)[addr as usize..][..len].to_vec()
    }

    /// The recorded events, drained.
    pub fn events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.store.data_mut().events)
    }

    /// Sets an instance's flags global.
    pub fn set_flags(&mut self, instance: u32, value: i32) {
        let g = self.store.data().flags[instance as usize];
        g.set(&mut self.store, Val::I32(value)).unwrap();
    }

    /// Reads an instance's flags global.
    pub fn flags(&mut self, instance: u32) -> i32 {
        let g = self.store.data().flags[instance as usize];
        g.get(&mut self.store).unwrap_i32()
    }

    /// Makes `realloc` return `f(instance, args, chosen)` instead.
    pub fn override_realloc(&mut self, f: impl FnMut(u32, [u64; 4], u64) -> u64 + Send + 'static) {
        self.store.data_mut().realloc_override = Some(Box::new(f));
    }
}

fn flags_now(caller: &mut Caller<'_, Ctx>) -> [i32; 2] {
    let g = caller.data().flags.clone();
    [
        g[0].get(&mut *caller).unwrap_i32(),
        g[1].get(&mut *caller).unwrap_i32(),
    ]
}

fn import_type(module: &Module, m: &str, n: &str) -> wasmtime::FuncType {
    module
        .imports()
        .find(|i| i.module() == m && i.name() == n)
        .and_then(|i| i.ty().func().cloned())
        .unwrap_or_else(|| panic!("no function import {m}::{n}"))
}

fn default_val(t: &ValType) -> Val {
    match t {
        ValType::I32 => Val::I32(0),
        ValType::I64 => Val::I64(0),
        ValType::F32 => Val::F32(0),
        ValType::F64 => Val::F64(0),
        _ => unreachable!(),
    }
}

/// Reads a callee memory from inside the callee.
pub fn callee_read(caller: &mut Caller<'_, Ctx>, addr: u64, len: usize) -> Vec<u8> {
    let mem = caller.data().memories[CALLEE as usize];
    mem.data(&*caller)[addr as usize..][..len].to_vec()
}

/// Writes the callee's memory from inside the callee.
pub fn callee_write(caller: &mut Caller<'_, Ctx>, addr: u64, bytes: &[u8]) {
    let mem = caller.data().memories[CALLEE as usize];
    mem.data_mut(&mut *caller)[addr as usize..][..bytes.len()].copy_from_slice(bytes);
}

/// Shorthand for `Flat::I32`.
pub fn i32(x: u32) -> Flat {
    Flat::I32(x)
}

/// Shorthand for `Flat::I64`.
pub fn i64(x: u64) -> Flat {
    Flat::I64(x)
}
