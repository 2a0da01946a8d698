//! [`AdapterLinker`]: what the host supplies, and the instantiation of an
//! adapter module from its import table.

use std::collections::{BTreeMap, BTreeSet};

use wasmtime::{
    AsContext, AsContextMut, Error, Extern, Func, Global, GlobalType, Instance, Memory, Module,
    Mutability, Result, Val, ValType,
};

use crate::concurrent::{self, Linked, Parts, Runtime};
use crate::intrinsics::{trap_func, validator, Transcoder};
use crate::resources;
use fact_host::{flags, Export, Import, ImportKind, Trap};

/// What a host supplies to adapter modules, keyed by instance number (the
/// `N` of `instance-N`) or adapter export name.
///
/// Handles belong to one [`wasmtime::Store`]; use a linker with the store its
/// handles came from. One linker can instantiate several adapter modules:
/// they then share each instance's flags global, as they must.
#[derive(Debug, Default, Clone)]
pub struct AdapterLinker {
    memories: BTreeMap<(u32, bool), Memory>,
    reallocs: BTreeMap<(u32, bool), Func>,
    flags: BTreeMap<u32, Global>,
    pub(crate) callees: BTreeMap<String, Func>,
    post_returns: BTreeMap<String, Func>,
    callbacks: BTreeMap<String, Func>,
    runtime: Option<Runtime>,
    /// The adapters of the modules this linker instantiated: their callees
    /// may stay supplied.
    linked: BTreeSet<String>,
    pub(crate) resources: Option<resources::LinkedResources>,
}

/// An instantiated adapter module.
#[derive(Debug, Clone)]
pub struct LinkedAdapters {
    /// The adapter module's instance.
    pub instance: Instance,
    flags: BTreeMap<u32, Global>,
}

impl AdapterLinker {
    /// An empty linker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Supplies the linear memory of `instance` (import `instance-N` `memory`,
    /// or `memory64` if `memory` is a 64-bit memory). An instance has at most
    /// one memory of each address type; a later call replaces an earlier one.
    ///
    /// Instances that share one memory may all be given the same `Memory`:
    /// the transcoders then work within it.
    pub fn memory(&mut self, store: impl AsContext, instance: u32, memory: Memory) -> &mut Self {
        let memory64 = memory.ty(store).is_64();
        self.memories.insert((instance, memory64), memory);
        self
    }

    /// Supplies the `realloc` of `instance` for its memory of the given
    /// address type (import `instance-N` `realloc` or `realloc64`), of core
    /// type `(old_ptr, old_size, align, new_size) -> ptr` with all four
    /// parameters and the result in that address type (`i32` or `i64`), as
    /// the Component Model validates it.
    pub fn realloc(&mut self, instance: u32, memory64: bool, func: Func) -> &mut Self {
        self.reallocs.insert((instance, memory64), func);
        self
    }

    /// Supplies the instance-flags global of `instance` (import `instance-N`
    /// `flags`): a mutable `i32` ([`flags`] gives its
    /// bits). Without one, [`instantiate`](Self::instantiate) creates it with
    /// the value [`flags::INITIAL`] and keeps it for later instantiations;
    /// [`LinkedAdapters::flags`] returns it either way.
    pub fn flags(&mut self, instance: u32, global: Global) -> &mut Self {
        self.flags.insert(instance, global);
        self
    }

    /// Supplies the lifted core function that the adapter exported as
    /// `adapter` calls (import `callee` `<adapter>`).
    pub fn callee(&mut self, adapter: &str, func: Func) -> &mut Self {
        self.callees.insert(adapter.to_owned(), func);
        self
    }

    /// Supplies the `post-return` function of the callee of the adapter
    /// exported as `adapter` (import `post-return` `<adapter>`).
    pub fn post_return(&mut self, adapter: &str, func: Func) -> &mut Self {
        self.post_returns.insert(adapter.to_owned(), func);
        self
    }

    /// Supplies the `callback` of the callee of the adapter exported as
    /// `adapter`, an `async` function the callee lifts with `async` and a
    /// callback: `(event: i32, index: i32, payload: i32) -> (code: i32)`.
    /// The async runtime calls it ([`runtime`](Self::runtime)).
    pub fn callback(&mut self, adapter: &str, func: Func) -> &mut Self {
        self.callbacks.insert(adapter.to_owned(), func);
        self
    }

    /// Supplies the async runtime that runs the calls of the adapters of
    /// `async` functions (import `async` `call:<i>`). It keeps its state in
    /// its own tables: if the adapters also pass resources, give
    /// [`resources`](Self::resources) the same tables.
    pub fn runtime(&mut self, runtime: &Runtime) -> &mut Self {
        self.runtime = Some(runtime.clone());
        self
    }

    /// Supplies what a core instance exports under the names toolchains use:
    /// its memory `memory` (see [`memory`](Self::memory)) and its
    /// `cabi_realloc` (see [`realloc`](Self::realloc); the address type is
    /// that of its first parameter). Missing exports are skipped.
    pub fn instance_exports(
        &mut self,
        mut store: impl AsContextMut,
        instance: u32,
        exports: &Instance,
    ) -> &mut Self {
        if let Some(memory) = exports.get_memory(&mut store, "memory") {
            self.memory(&store, instance, memory);
        }
        if let Some(realloc) = exports.get_func(&mut store, "cabi_realloc") {
            let memory64 = matches!(realloc.ty(&store).params().next(), Some(ValType::I64));
            self.realloc(instance, memory64, realloc);
        }
        self
    }

    /// Instantiates the adapter module `module` whose import table is
    /// `imports` and export list `exports` (as produced by the compiler).
    ///
    /// Each import is resolved by its [`ImportKind`]; `fact` `trap` and the
    /// `transcode` and `resource` intrinsics are created here (the latter
    /// over the tables of [`resources`](Self::resources)). Flags globals not
    /// supplied are created (value [`flags::INITIAL`]) and added to the
    /// linker, so that adapter modules instantiated later share them.
    ///
    /// # Errors
    ///
    /// If the module's imports are not those of the table (count, module or
    /// name), if a callee or `post-return` was supplied under a name that is
    /// no adapter of this module (nor of one this linker instantiated
    /// before; the error lists the adapters), if something the table asks
    /// for was not supplied (the error names the import and what is
    /// missing), or if instantiation fails (for instance a supplied function
    /// has the wrong type).
    pub fn instantiate<T: 'static>(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Import],
        exports: &[Export],
    ) -> Result<LinkedAdapters> {
        for (what, supplied) in [
            ("callee", &self.callees),
            ("post-return", &self.post_returns),
            ("callback", &self.callbacks),
        ] {
            let known = self.linked.iter().map(String::as_str);
            fact_host::link::check_adapter_names(
                what,
                supplied.keys().map(String::as_str),
                exports,
                known,
            )
            .map_err(Error::msg)?;
        }
        let declared = module.imports();
        if declared.len() != imports.len() {
            wasmtime::bail!(
                "the adapter module has {} imports but its import table has {} entries",
                declared.len(),
                imports.len()
            );
        }
        let mut flags = self.flags.clone();
        let mut created = Vec::new();
        let mut trap = None;
        let mut async_calls = Vec::new();
        let mut externs = Vec::with_capacity(imports.len());
        for (index, (declared, import)) in declared.zip(imports).enumerate() {
            if declared.module() != import.module || declared.name() != import.name {
                wasmtime::bail!(
                    "import {index} of the adapter module is `{}` `{}` but the import table \
                     says `{}` `{}`",
                    declared.module(),
                    declared.name(),
                    import.module,
                    import.name
                );
            }
            let missing = |what: String| {
                wasmtime::format_err!(
                    "cannot link import `{}` `{}` of the adapter module: {what}",
                    import.module,
                    import.name
                )
            };
            let memory = |instance: u32, memory64: bool| {
                self.memories
                    .get(&(instance, memory64))
                    .copied()
                    .ok_or_else(|| {
                        missing(format!(
                            "no {}-bit memory supplied for instance {instance}",
                            if memory64 { 64 } else { 32 }
                        ))
                    })
            };
            let adapter_name = |adapter: u32| {
                exports
                    .get(adapter as usize)
                    .map(|e| &*e.name)
                    .ok_or_else(|| {
                        missing(format!(
                            "adapter {adapter} is not in the export list ({} adapters)",
                            exports.len()
                        ))
                    })
            };
            let resolved: Extern = match import.kind {
                ImportKind::Resource {
                    op,
                    src_instance,
                    dst_instance,
                } => self
                    .resources
                    .as_ref()
                    .ok_or_else(|| {
                        missing("no resource tables supplied (`AdapterLinker::resources`)".into())
                    })?
                    .intrinsic(&mut store, op, src_instance, dst_instance)
                    .into(),
                ImportKind::ErrorContextTransfer {
                    src_instance,
                    dst_instance,
                } => {
                    // Error-contexts live in the tables of the resources or
                    // of the async runtime (the same tables, if both).
                    let tables = match (&self.resources, &self.runtime) {
                        (Some(r), _) => r.tables().clone(),
                        (None, Some(r)) => r.tables().clone(),
                        (None, None) => {
                            return Err(missing(
                                "no tables supplied for error-contexts \
                                 (`AdapterLinker::resources` or `AdapterLinker::runtime`)"
                                    .into(),
                            ))
                        }
                    };
                    resources::error_context_transfer(
                        &mut store,
                        tables,
                        src_instance,
                        dst_instance,
                    )
                    .into()
                }
                ImportKind::Memory { instance, memory64 } => memory(instance, memory64)?.into(),
                ImportKind::Realloc { instance, memory64 } => self
                    .reallocs
                    .get(&(instance, memory64))
                    .copied()
                    .ok_or_else(|| {
                        missing(format!(
                            "no realloc supplied for the {}-bit memory of instance {instance}",
                            if memory64 { 64 } else { 32 }
                        ))
                    })?
                    .into(),
                ImportKind::Flags { instance } => match flags.get(&instance) {
                    Some(global) => (*global).into(),
                    None => {
                        let ty = GlobalType::new(ValType::I32, Mutability::Var);
                        let global = Global::new(&mut store, ty, Val::I32(flags::INITIAL))?;
                        flags.insert(instance, global);
                        created.push((instance, global));
                        global.into()
                    }
                },
                ImportKind::Callee { adapter } => {
                    let name = adapter_name(adapter)?;
                    self.callees
                        .get(name)
                        .copied()
                        .ok_or_else(|| missing(format!("no callee supplied for adapter `{name}`")))?
                        .into()
                }
                ImportKind::PostReturn { adapter } => {
                    let name = adapter_name(adapter)?;
                    self.post_returns
                        .get(name)
                        .copied()
                        .ok_or_else(|| {
                            missing(format!("no post-return supplied for adapter `{name}`"))
                        })?
                        .into()
                }
                ImportKind::AsyncCall { adapter } => {
                    let name = adapter_name(adapter)?;
                    let export = &exports[adapter as usize];
                    let call = export.async_call.as_ref().ok_or_else(|| {
                        missing(format!("adapter `{name}` is not of an `async` function"))
                    })?;
                    let runtime = self.runtime.as_ref().ok_or_else(|| {
                        missing("no async runtime supplied (`AdapterLinker::runtime`)".into())
                    })?;
                    let callee = self.callees.get(name).copied();
                    let callee = callee.ok_or_else(|| {
                        missing(format!("no callee supplied for adapter `{name}`"))
                    })?;
                    let callback = match call.callback {
                        false => None,
                        true => Some(self.callbacks.get(name).copied().ok_or_else(|| {
                            missing(format!("no callback supplied for adapter `{name}`"))
                        })?),
                    };
                    let id = fact_host::concurrent::register(
                        &mut runtime.tables.lock(),
                        export.lower_instance,
                        export.lift_instance,
                        call,
                    );
                    async_calls.push((id, name.to_owned(), callee, callback, call.post_return));
                    let ty = declared.ty().unwrap_func().clone();
                    concurrent::call_func(&mut store, ty, id, runtime).into()
                }
                ImportKind::Trap => (*trap.get_or_insert_with(|| trap_func(&mut store))).into(),
                ImportKind::Transcode {
                    op,
                    src_instance,
                    src_memory64,
                    dst_instance,
                    dst_memory64,
                } => {
                    let transcoder = Transcoder {
                        op,
                        src: memory(src_instance, src_memory64)?,
                        dst: memory(dst_instance, dst_memory64)?,
                        dst_memory64,
                    };
                    match (src_memory64, dst_memory64) {
                        (false, false) => transcoder.func::<T, i32, i32>(&mut store),
                        (false, true) => transcoder.func::<T, i32, i64>(&mut store),
                        (true, false) => transcoder.func::<T, i64, i32>(&mut store),
                        (true, true) => transcoder.func::<T, i64, i64>(&mut store),
                    }
                    .into()
                }
                ImportKind::Validate {
                    utf16,
                    instance,
                    memory64,
                } => {
                    let memory = memory(instance, memory64)?;
                    if memory64 {
                        validator::<T, i64>(&mut store, memory, utf16)
                    } else {
                        validator::<T, i32>(&mut store, memory, utf16)
                    }
                    .into()
                }
            };
            externs.push(resolved);
        }
        let instance = Instance::new(&mut store, module, &externs)
            .map_err(|e| e.context("cannot instantiate the adapter module"))?;
        if let Some(runtime) = &self.runtime {
            for (id, name, callee, callback, post_return) in async_calls {
                let mut half = |prefix: &str| {
                    instance
                        .get_func(&mut store, &format!("{prefix}{name}"))
                        .ok_or_else(|| {
                            wasmtime::format_err!("the adapter module exports no `{prefix}{name}`")
                        })
                };
                let (start, ret) = (half("[start]")?, half("[return]")?);
                let post_return = if post_return {
                    Some(half("[post-return]")?)
                } else {
                    None
                };
                let linked = |f| Linked::new(&store, f);
                let parts = Parts {
                    start: linked(start),
                    ret: linked(ret),
                    post_return: post_return.map(linked),
                    callee: linked(callee),
                    callback: callback.map(linked),
                };
                runtime.shared.add(id, parts, &flags);
            }
            // The built-ins need the instances' flags even when no adapter
            // of the module is async (`error-context.debug-message`).
            runtime.shared.add_flags(&flags);
        }
        self.flags.extend(created);
        self.linked
            .extend(exports.iter().map(|e| e.name.to_string()));
        Ok(LinkedAdapters { instance, flags })
    }
}

impl LinkedAdapters {
    /// The adapter exported as `name`.
    pub fn adapter(&self, store: impl AsContextMut, name: &str) -> Option<Func> {
        self.instance.get_func(store, name)
    }

    /// The flags global of `instance` that the adapters use (supplied or
    /// created), if they import one.
    pub fn flags(&self, instance: u32) -> Option<Global> {
        self.flags.get(&instance).copied()
    }
}

/// The [`Trap`] an adapter reported, if `err` (from a call into an adapter)
/// holds one.
///
/// Traps raised by the engine itself (an `unreachable` in an adapter built
/// without the `trap` import, an out-of-bounds access in a callee) are
/// [`wasmtime::Trap`]s instead and give `None`.
pub fn trap_of(err: &Error) -> Option<Trap> {
    err.downcast_ref::<Trap>().copied()
}
