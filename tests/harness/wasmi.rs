//! The harness's wasmi backend: the adapter linked with `fact-wasmi`.

use super::{Backend, Cx, Failure, Flat, Setup, State, CALLEE, CALLER};
use fact_wasmi::wasmi::{
    AsContextMut, Caller, CompilationMode, Config, Engine, Func, FuncType, Global, Memory,
    MemoryType, Module, Mutability, Store, Val, ValType,
};
use fact_wasmi::{trap_of, AdapterLinker};

/// The store's data: the host state and the engine's handles.
struct Host {
    state: State,
    memories: Vec<Memory>,
    flags: Vec<Global>,
}

/// A linked adapter and its store.
pub(super) struct Linked {
    store: Store<Host>,
    func: Func,
}

fn engine() -> Engine {
    // Every function translated at `Module::new`: a limit of the
    // interpreter's translation fails the link, not some later call.
    let mut config = Config::default();
    config.compilation_mode(CompilationMode::Eager);
    Engine::new(&config)
}

fn flat(v: &Val) -> Flat {
    match v {
        Val::I32(x) => Flat::I32(*x as u32),
        Val::I64(x) => Flat::I64(*x as u64),
        Val::F32(x) => Flat::F32(x.to_bits()),
        Val::F64(x) => Flat::F64(x.to_bits()),
        other => panic!("unexpected value {other:?}"),
    }
}

fn val(f: Flat) -> Val {
    match f {
        Flat::I32(x) => Val::I32(x as i32),
        Flat::I64(x) => Val::I64(x as i64),
        Flat::F32(x) => Val::F32(f32::from_bits(x).into()),
        Flat::F64(x) => Val::F64(f64::from_bits(x).into()),
    }
}

/// Memories and flags, from the host or from inside a host function.
fn cx_read(
    mut store: impl AsContextMut<Data = Host>,
    instance: u32,
    addr: u64,
    len: usize,
) -> Vec<u8> {
    let mem = store.as_context_mut().data().memories[instance as usize];
    mem.data(&store)[addr as usize..][..len].to_vec()
}

fn cx_write(mut store: impl AsContextMut<Data = Host>, instance: u32, addr: u64, bytes: &[u8]) {
    let mem = store.as_context_mut().data().memories[instance as usize];
    mem.data_mut(&mut store)[addr as usize..][..bytes.len()].copy_from_slice(bytes);
}

fn cx_flags(mut store: impl AsContextMut<Data = Host>) -> [i32; 2] {
    let g = store.as_context_mut().data().flags.clone();
    [
        g[0].get(&store).i32().unwrap(),
        g[1].get(&store).i32().unwrap(),
    ]
}

impl Cx for Caller<'_, Host> {
    fn read(&mut self, instance: u32, addr: u64, len: usize) -> Vec<u8> {
        cx_read(self, instance, addr, len)
    }
    fn write(&mut self, instance: u32, addr: u64, bytes: &[u8]) {
        cx_write(self, instance, addr, bytes)
    }
    fn flags(&mut self) -> [i32; 2] {
        cx_flags(self)
    }
    fn state(&mut self) -> &mut State {
        &mut self.data_mut().state
    }
}

impl Cx for Linked {
    fn read(&mut self, instance: u32, addr: u64, len: usize) -> Vec<u8> {
        cx_read(&mut self.store, instance, addr, len)
    }
    fn write(&mut self, instance: u32, addr: u64, bytes: &[u8]) {
        cx_write(&mut self.store, instance, addr, bytes)
    }
    fn flags(&mut self) -> [i32; 2] {
        cx_flags(&mut self.store)
    }
    fn state(&mut self) -> &mut State {
        &mut self.store.data_mut().state
    }
}

impl Backend for Linked {
    fn call(&mut self, args: &[Flat]) -> Result<Vec<Flat>, Failure> {
        let ty = self.func.ty(&self.store);
        let mut results: Vec<Val> = ty.results().iter().map(|_| Val::I32(0)).collect();
        let args: Vec<Val> = args.iter().copied().map(val).collect();
        match self.func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Ok(results.iter().map(flat).collect()),
            Err(err) => Err(match trap_of(&err) {
                Some(trap) => Failure::Trap(trap),
                None => Failure::Other(format!("{err}")),
            }),
        }
    }

    fn set_flags(&mut self, instance: u32, value: i32) {
        let g = self.store.data().flags[instance as usize];
        g.set(&mut self.store, Val::I32(value)).unwrap();
    }
}

/// Links the adapter of `setup` in a fresh store.
pub(super) fn link(mut setup: Setup) -> Linked {
    let engine = engine();
    let adapters = &setup.adapters;
    let module = Module::new(&engine, &adapters.wasm).expect("adapter loads in wasmi");
    let mut store = Store::new(
        &engine,
        Host {
            state: State::new(std::mem::replace(
                &mut setup.callee,
                Box::new(|_, _| vec![]),
            )),
            memories: Vec::new(),
            flags: Vec::new(),
        },
    );
    let mut linker = AdapterLinker::new();
    for instance in [CALLER, CALLEE] {
        let is64 = setup.memory64(instance);
        let mut ty = MemoryType::builder();
        ty.min(setup.pages).memory64(is64);
        let ty = ty.build().unwrap();
        let memory = Memory::new(&mut store, ty).unwrap();
        store.data_mut().memories.push(memory);
        linker.memory(&store, instance, memory);
        let flags = Global::new(
            &mut store,
            Val::I32(fact_host::flags::INITIAL),
            Mutability::Var,
        );
        store.data_mut().flags.push(flags);
        linker.flags(instance, flags);
        let p = if is64 { ValType::I64 } else { ValType::I32 };
        let ty = FuncType::new([p, p, p, p], [p]);
        let realloc = Func::new(&mut store, ty, move |mut caller, args, results| {
            let a: Vec<u64> = args.iter().map(|v| flat(v).u64()).collect();
            let ret = super::realloc(&mut caller, instance, [a[0], a[1], a[2], a[3]]);
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
        let out = super::run_callee(&mut caller, args.iter().map(flat).collect());
        for (slot, v) in results.iter_mut().zip(out) {
            *slot = val(v);
        }
        Ok(())
    });
    linker.callee("f", callee_fn);
    let tables = store.data().state.tables.clone();
    linker.resources(tables, &adapters.resources);
    if setup.lift.post_return {
        let ty = import_type(&module, "post-return", "0");
        let post = Func::new(&mut store, ty, |mut caller, args, _| {
            super::post_return(&mut caller, args.iter().map(flat).collect());
            Ok(())
        });
        linker.post_return("f", post);
    }
    let linked = linker
        .instantiate(&mut store, &module, &adapters.imports, &adapters.exports)
        .expect("adapter links");
    let func = linked.adapter(&mut store, "f").expect("adapter export");
    Linked { store, func }
}

fn import_type(module: &Module, m: &str, n: &str) -> FuncType {
    module
        .imports()
        .find(|i| i.module() == m && i.name() == n)
        .and_then(|i| i.ty().func().cloned())
        .unwrap_or_else(|| panic!("no function import {m}::{n}"))
}

/// Compiles `wasm`.
pub(super) fn load(wasm: &[u8]) -> Result<(), String> {
    Module::new(&engine(), wasm)
        .map(drop)
        .map_err(|e| e.to_string())
}
