//! The adapters on the wasmi interpreter (`FACT_BENCH_WASMI=1`): the same
//! core modules as the Wasmtime paths, linked with `fact-wasmi`, with the
//! compiler's default `short_strings` and with 0 (every string that needs
//! checking or converting goes to the host's native intrinsics), beside
//! the interpreter's own limit: the same `memory.copy` and plain call.

use crate::cases::{Case, Input, DATA};
use crate::{compile_ours, modules, Path, CALLEE, CALLER};
use fact_wasmi::wasmi::{Engine, Instance, Linker, Module, Store, TypedFunc};
use fact_wasmi::AdapterLinker;
use wasmtime::{format_err, Result};

/// A path in wasmi: core instances, the caller looping in wasm.
pub struct WasmiPath {
    store: Store<()>,
    run: TypedFunc<u32, u32>,
    digest: TypedFunc<(), i64>,
}

impl Path for WasmiPath {
    fn run(&mut self, k: u32) -> Result<u32> {
        self.run
            .call(&mut self.store, k)
            .map_err(|e| format_err!("{e}"))
    }
    fn digest(&mut self) -> Result<u64> {
        let d = self
            .digest
            .call(&mut self.store, ())
            .map_err(|e| format_err!("{e}"))?;
        Ok(d as u64)
    }
}

fn err(e: impl std::fmt::Display) -> wasmtime::Error {
    format_err!("wasmi: {e}")
}

/// A module from WAT text.
fn module(engine: &Engine, text: &str) -> Result<Module> {
    let wasm = wat::parse_str(text).map_err(err)?;
    Module::new(engine, wasm).map_err(err)
}

/// The runtime and the callee, with the caller's data loaded.
fn instances(
    engine: &Engine,
    store: &mut Store<()>,
    case: &Case,
    input: &Input,
) -> Result<(Instance, Instance)> {
    let rt = Instance::new(&mut *store, &module(engine, &modules::runtime())?, &[]).map_err(err)?;
    let callee =
        Instance::new(&mut *store, &module(engine, &modules::callee(case))?, &[]).map_err(err)?;
    let memory = rt
        .get_memory(&*store, "memory")
        .expect("runtime exports its memory");
    let mem = memory.data_mut(&mut *store);
    mem[DATA as usize..][..input.data.len()].copy_from_slice(&input.data);
    mem[0..4].copy_from_slice(&DATA.to_le_bytes());
    mem[4..8].copy_from_slice(&input.arg.to_le_bytes());
    Ok((rt, callee))
}

/// Ours, with the compiler's `short_strings` set to `short_strings`.
pub fn ours(engine: &Engine, case: &Case, input: &Input, short_strings: u32) -> Result<WasmiPath> {
    let adapters = compile_ours(case, short_strings)?;
    let mut store = Store::new(engine, ());
    let (rt, callee) = instances(engine, &mut store, case, input)?;
    let f = callee.get_func(&store, "f").expect("callee exports f");
    let mut linker = AdapterLinker::new();
    linker
        .instance_exports(&mut store, CALLER, &rt)
        .instance_exports(&mut store, CALLEE, &callee)
        .callee("f", f);
    let adapter = Module::new(engine, &adapters.wasm).map_err(err)?;
    let linked = linker
        .instantiate(&mut store, &adapter, &adapters.imports, &adapters.exports)
        .map_err(err)?;
    let mut main = Linker::new(engine);
    main.instance(&mut store, "rt", rt).map_err(err)?;
    main.instance(&mut store, "adapters", linked.instance)
        .map_err(err)?;
    let main = main
        .instantiate_and_start(&mut store, &module(engine, &modules::main(case))?)
        .map_err(err)?;
    let run = main.get_typed_func(&store, "run").map_err(err)?;
    let digest = callee.get_typed_func(&store, "digest").map_err(err)?;
    Ok(WasmiPath { store, run, digest })
}

/// The limit in wasmi: `memory.copy` and a plain call, same loop.
pub fn limit(engine: &Engine, case: &Case, input: &Input) -> Result<WasmiPath> {
    let mut store = Store::new(engine, ());
    let (rt, callee) = instances(engine, &mut store, case, input)?;
    let mut linker = Linker::new(engine);
    linker.instance(&mut store, "rt", rt).map_err(err)?;
    linker.instance(&mut store, "callee", callee).map_err(err)?;
    let main = linker
        .instantiate_and_start(
            &mut store,
            &module(engine, &modules::limit(case, input.bytes))?,
        )
        .map_err(err)?;
    let run = main.get_typed_func(&store, "run").map_err(err)?;
    let digest = callee.get_typed_func(&store, "digest").map_err(err)?;
    Ok(WasmiPath { store, run, digest })
}
