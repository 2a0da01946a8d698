//! Runs adapters for real, in every engine we have glue for, through one
//! harness: the caller calls the adapter's export from the host; the
//! callee, its `realloc` and `post-return` are host functions that record
//! every call; both memories are real memories of the engine. Instance 0 is
//! the caller (lowering side), instance 1 the callee (lifting side).
//!
//! A test is written once, against [`Fixture`] and [`Cx`], and runs on
//! every [`Engine`] (`on_every_engine!`): each
//! engine must pass the same assertions, so a difference between engines
//! fails a test. `wasmtime.rs` and `wasmi.rs` are the two backends: the
//! engine-specific part of linking an adapter, nothing more.

mod wasmi;
mod wasmtime;

use anyhow::Result;
use fact_core::wit_parser::{Resolve, WorldItem};
use fact_core::{Adapter, AdapterCompiler, Adapters, CanonOptions, InstanceId, MemoryType, Trap};
use fact_host::SharedResourceTables;

/// The caller's instance.
pub const CALLER: u32 = 0;
/// The callee's instance.
pub const CALLEE: u32 = 1;
/// Where each memory's bump allocator starts.
pub const HEAP: u64 = 0x8000;

/// An engine the harness runs adapters in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Wasmtime (Cranelift), through `fact-wasmtime`.
    Wasmtime,
    /// The wasmi interpreter, through `fact-wasmi`.
    Wasmi,
}

/// Runs each of the named test functions, `fn name(engine: Engine)`, once
/// per [`Engine`]: the tests `name::wasmtime` and `name::wasmi`.
#[macro_export]
macro_rules! on_every_engine {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn wasmtime() {
                super::$name($crate::harness::Engine::Wasmtime)
            }

            #[test]
            fn wasmi() {
                super::$name($crate::harness::Engine::Wasmi)
            }
        }
    )*};
}

/// Compiles a module in `engine` (wasmi translates every function): the
/// engine's own validation, and its implementation limits.
pub fn load(engine: Engine, wasm: &[u8]) -> Result<(), String> {
    match engine {
        Engine::Wasmtime => wasmtime::load(wasm),
        Engine::Wasmi => wasmi::load(wasm),
    }
}

/// A flat core value, comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flat {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
}

impl Flat {
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

/// What the callee does: it sees the instances through [`Cx`] and gets the
/// flat arguments; it returns its flat results.
pub type CalleeFn = Box<dyn FnMut(&mut dyn Cx, &[Flat]) -> Vec<Flat> + Send + Sync>;
type ReallocOverride = Box<dyn FnMut(u32, [u64; 4], u64) -> u64 + Send + Sync>;

/// The host state of a test, the same in every engine.
pub struct State {
    pub events: Vec<Event>,
    pub heap: [u64; 2],
    pub callee: CalleeFn,
    /// Lets a test replace the pointer `realloc` returns (instance, args,
    /// the pointer the bump allocator chose).
    pub realloc_override: Option<ReallocOverride>,
    /// The handle tables of every instance.
    pub tables: SharedResourceTables,
}

impl State {
    fn new(callee: CalleeFn) -> State {
        State {
            events: Vec::new(),
            heap: [HEAP; 2],
            callee,
            realloc_override: None,
            tables: SharedResourceTables::default(),
        }
    }
}

/// The instances as a test sees them, from the host or from inside the
/// callee: both memories, both flags globals and the host state.
pub trait Cx {
    /// Reads bytes of an instance's memory.
    fn read(&mut self, instance: u32, addr: u64, len: usize) -> Vec<u8>;
    /// Writes bytes into an instance's memory.
    fn write(&mut self, instance: u32, addr: u64, bytes: &[u8]);
    /// Both instances' flags globals.
    fn flags(&mut self) -> [i32; 2];
    /// The host state.
    fn state(&mut self) -> &mut State;

    /// The handle tables.
    fn tables(&mut self) -> SharedResourceTables {
        self.state().tables.clone()
    }
}

/// The test's `realloc` of `instance`: a bump allocator (unless the test
/// overrides the pointer), moving the old contents as a real `realloc`
/// does, recording the call.
fn realloc(cx: &mut dyn Cx, instance: u32, a: [u64; 4]) -> u64 {
    let state = cx.state();
    let align = a[2].max(1);
    let ptr = state.heap[instance as usize].next_multiple_of(align);
    state.heap[instance as usize] = ptr + a[3];
    let mut ret = ptr;
    if let Some(f) = state.realloc_override.as_mut() {
        ret = f(instance, a, ptr);
    }
    if a[0] != 0 && ret == ptr {
        let n = a[1].min(a[3]) as usize;
        let old = cx.read(instance, a[0], n);
        cx.write(instance, ptr, &old);
    }
    cx.state().events.push(Event::Realloc {
        instance,
        old: a[0],
        old_size: a[1],
        align: a[2],
        new_size: a[3],
        ret,
    });
    ret
}

/// The test's callee: records the call, then runs the test's closure.
fn run_callee(cx: &mut dyn Cx, args: Vec<Flat>) -> Vec<Flat> {
    let flags = cx.flags();
    cx.state().events.push(Event::Call {
        args: args.clone(),
        flags,
    });
    let mut f = std::mem::replace(&mut cx.state().callee, Box::new(|_, _| vec![]));
    let out = f(cx, &args);
    cx.state().callee = f;
    out
}

/// The test's `post-return`: records the call.
fn post_return(cx: &mut dyn Cx, args: Vec<Flat>) {
    let flags = cx.flags();
    cx.state().events.push(Event::PostReturn { args, flags });
}

/// How a call ended other than by returning.
#[derive(Debug)]
pub enum Failure {
    /// The adapter reported this trap.
    Trap(Trap),
    /// Anything else (a trap of the engine itself).
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Trap(trap) => write!(f, "{trap}"),
            Failure::Other(err) => f.write_str(err),
        }
    }
}

impl Failure {
    /// The adapter's trap, if that is what this is.
    pub fn trap(&self) -> Option<Trap> {
        match self {
            Failure::Trap(trap) => Some(*trap),
            Failure::Other(_) => None,
        }
    }
}

/// One engine's linked adapter and instances.
trait Backend: Cx {
    /// Calls the adapter with flat arguments.
    fn call(&mut self, args: &[Flat]) -> Result<Vec<Flat>, Failure>;
    /// Sets an instance's flags global.
    fn set_flags(&mut self, instance: u32, value: i32);
}

/// Everything one backend needs to link an adapter.
struct Setup {
    pages: u64,
    adapters: Adapters,
    lower: CanonOptions,
    lift: CanonOptions,
    callee: CalleeFn,
}

impl Setup {
    fn memory64(&self, instance: u32) -> bool {
        let opts = if instance == CALLER {
            self.lower
        } else {
            self.lift
        };
        opts.memory == Some(MemoryType::Memory64)
    }
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

/// One adapter, compiled and linked in one engine.
pub struct Fixture {
    pub adapters: Adapters,
    pub engine: Engine,
    backend: Box<dyn Backend>,
}

impl Fixture {
    /// Compiles and links an adapter whose callee is `callee`; both
    /// memories have 64 pages (4 MiB).
    pub fn new(
        engine: Engine,
        decls: &str,
        lower: CanonOptions,
        lift: CanonOptions,
        callee: impl FnMut(&mut dyn Cx, &[Flat]) -> Vec<Flat> + Send + Sync + 'static,
    ) -> Fixture {
        Self::with_pages(engine, 64, decls, lower, lift, callee)
    }

    /// [`Fixture::new`] with memories of `pages` pages.
    pub fn with_pages(
        engine: Engine,
        pages: u64,
        decls: &str,
        lower: CanonOptions,
        lift: CanonOptions,
        callee: impl FnMut(&mut dyn Cx, &[Flat]) -> Vec<Flat> + Send + Sync + 'static,
    ) -> Fixture {
        Self::tuned(engine, Tuning::default(), pages, decls, lower, lift, callee)
    }

    /// [`Fixture::with_pages`] for an adapter compiled with the compiler
    /// tuned ([`compile_tuned`]).
    pub fn tuned(
        engine: Engine,
        tuning: Tuning,
        pages: u64,
        decls: &str,
        lower: CanonOptions,
        lift: CanonOptions,
        callee: impl FnMut(&mut dyn Cx, &[Flat]) -> Vec<Flat> + Send + Sync + 'static,
    ) -> Fixture {
        let adapters = compile_tuned(decls, lower, lift, tuning).expect("adapter compiles");
        Self::link(engine, pages, adapters, lower, lift, callee)
    }

    /// Links `adapters`, an adapter module whose one adapter `f` has the
    /// sides `lower` and `lift`, with memories of `pages` pages.
    pub fn link(
        engine: Engine,
        pages: u64,
        adapters: Adapters,
        lower: CanonOptions,
        lift: CanonOptions,
        callee: impl FnMut(&mut dyn Cx, &[Flat]) -> Vec<Flat> + Send + Sync + 'static,
    ) -> Fixture {
        let setup = Setup {
            pages,
            adapters: adapters.clone(),
            lower,
            lift,
            callee: Box::new(callee),
        };
        let backend: Box<dyn Backend> = match engine {
            Engine::Wasmtime => Box::new(wasmtime::link(setup)),
            Engine::Wasmi => Box::new(wasmi::link(setup)),
        };
        Fixture {
            adapters,
            engine,
            backend,
        }
    }

    /// The handle tables.
    pub fn tables(&mut self) -> SharedResourceTables {
        self.backend.tables()
    }

    /// The host state.
    pub fn state(&mut self) -> &mut State {
        self.backend.state()
    }

    /// Calls the adapter with flat arguments; `Err` holds the adapter's
    /// trap, or the engine's error as text.
    pub fn call(&mut self, args: &[Flat]) -> Result<Vec<Flat>, Failure> {
        self.backend.call(args)
    }

    /// Calls the adapter and returns the trap it must raise.
    pub fn trap(&mut self, args: &[Flat]) -> Trap {
        let err = self.call(args).expect_err("the call must trap");
        // A trap leaves the instances' flags as they were at the trap; a host
        // would discard both instances. Tests go on with fresh flags.
        self.set_flags(CALLER, 3);
        self.set_flags(CALLEE, 3);
        self.tables().lock().abort_calls(0);
        match err {
            Failure::Trap(trap) => trap,
            Failure::Other(err) => panic!("not a fact trap on {:?}: {err}", self.engine),
        }
    }

    /// Writes bytes into an instance's memory.
    pub fn write(&mut self, instance: u32, addr: u64, bytes: &[u8]) {
        self.backend.write(instance, addr, bytes);
    }

    /// Reads bytes from an instance's memory.
    pub fn read(&mut self, instance: u32, addr: u64, len: usize) -> Vec<u8> {
        self.backend.read(instance, addr, len)
    }

    /// The recorded events, drained.
    pub fn events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.state().events)
    }

    /// Sets an instance's flags global.
    pub fn set_flags(&mut self, instance: u32, value: i32) {
        self.backend.set_flags(instance, value);
    }

    /// Reads an instance's flags global.
    pub fn flags(&mut self, instance: u32) -> i32 {
        self.backend.flags()[instance as usize]
    }

    /// Makes `realloc` return `f(instance, args, chosen)` instead.
    pub fn override_realloc(
        &mut self,
        f: impl FnMut(u32, [u64; 4], u64) -> u64 + Send + Sync + 'static,
    ) {
        self.state().realloc_override = Some(Box::new(f));
    }
}

/// Reads the callee's memory from inside the callee.
pub fn callee_read(cx: &mut dyn Cx, addr: u64, len: usize) -> Vec<u8> {
    cx.read(CALLEE, addr, len)
}

/// Writes the callee's memory from inside the callee.
pub fn callee_write(cx: &mut dyn Cx, addr: u64, bytes: &[u8]) {
    cx.write(CALLEE, addr, bytes);
}

/// Shorthand for `Flat::I32`.
pub fn i32(x: u32) -> Flat {
    Flat::I32(x)
}

/// Shorthand for `Flat::I64`.
pub fn i64(x: u64) -> Flat {
    Flat::I64(x)
}
