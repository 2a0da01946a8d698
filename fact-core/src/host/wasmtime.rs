//! Linking an adapter module to its instances with Wasmtime's core-wasm API.
//!
//! [`AdapterLinker`] collects what the host supplies (memories, `realloc`s,
//! flags globals, callees, `post-return`s), keyed by instance number or
//! adapter name, and [`AdapterLinker::instantiate`] resolves every import of
//! an adapter module from its import table ([`Import`]), by [`ImportKind`]
//! rather than by name. The `fact` `trap` and `transcode` imports are
//! implemented by the linker itself with the reference intrinsics of
//! [`host`](super); so are the `resource` imports, over the handle tables
//! given to [`AdapterLinker::resources`], which also serve the guests' own
//! `resource.new`, `resource.drop` and `resource.rep` ([`resource_new`],
//! [`resource_drop`], [`resource_rep`]).
//!
//! A trap reported by an adapter reaches the host as the error of
//! [`Func::call`]. It holds the [`fact_core::Trap`](Trap): get it back with
//! [`trap_of`], or `err.downcast_ref::<fact_core::Trap>()` (mind the name
//! clash with [`wasmtime::Trap`], which is what the engine raises for its own
//! traps such as `unreachable`).
//!
//! # Example
//!
//! ```
//! use fact_core::host::wasmtime::{trap_of, AdapterLinker};
//! use fact_core::{Export, Import, ImportKind, Trap, Transcode};
//! use wasmtime::{Engine, Instance, Module, Store};
//!
//! // An adapter as the compiler would produce it: it copies a UTF-8 string
//! // from instance 1 (the caller) to instance 0 (the callee) and calls the
//! // callee with it.
//! let adapter = r#"(module
//!     (import "instance-1" "memory" (memory 1))
//!     (import "instance-0" "memory" (memory 1))
//!     (import "transcode" "copy-utf8:1:0" (func $copy (param i32 i32 i32)))
//!     (import "callee" "first-byte" (func $callee (param i32 i32) (result i32)))
//!     (func (export "first-byte") (param i32 i32) (result i32)
//!         (call $copy (local.get 0) (local.get 1) (i32.const 64))
//!         (call $callee (i32.const 64) (local.get 1))))"#;
//! let imports = [
//!     Import { module: "instance-1".into(), name: "memory".into(),
//!              kind: ImportKind::Memory { instance: 1, memory64: false } },
//!     Import { module: "instance-0".into(), name: "memory".into(),
//!              kind: ImportKind::Memory { instance: 0, memory64: false } },
//!     Import { module: "transcode".into(), name: "copy-utf8:1:0".into(),
//!              kind: ImportKind::Transcode { op: Transcode::CopyUtf8,
//!                  src_instance: 1, src_memory64: false,
//!                  dst_instance: 0, dst_memory64: false } },
//!     Import { module: "callee".into(), name: "first-byte".into(),
//!              kind: ImportKind::Callee { adapter: 0 } },
//! ];
//! let exports = [Export { name: "first-byte".into(), interface: None,
//!     function: "first-byte".into(), lower_instance: 1, lift_instance: 0 }];
//!
//! let engine = Engine::default();
//! let mut store = Store::new(&engine, ());
//! let callee = Module::new(&engine, r#"(module (memory (export "memory") 1)
//!     (func (export "first-byte") (param i32 i32) (result i32)
//!         (i32.load8_u (local.get 0))))"#)?;
//! let callee = Instance::new(&mut store, &callee, &[])?;
//! let caller = Module::new(&engine, r#"(module (memory (export "memory") 1)
//!     (data (i32.const 0) "hi\ff"))"#)?;
//! let caller = Instance::new(&mut store, &caller, &[])?;
//!
//! let mut linker = AdapterLinker::new();
//! linker
//!     .instance_exports(&mut store, 0, &callee)
//!     .instance_exports(&mut store, 1, &caller)
//!     .callee("first-byte", callee.get_func(&mut store, "first-byte").unwrap());
//! let module = Module::new(&engine, adapter)?;
//! let adapters = linker.instantiate(&mut store, &module, &imports, &exports)?;
//!
//! let first_byte = adapters
//!     .adapter(&mut store, "first-byte")
//!     .unwrap()
//!     .typed::<(i32, i32), i32>(&store)?;
//! assert_eq!(first_byte.call(&mut store, (0, 2))?, i32::from(b'h'));
//!
//! // "hi\xff" is not UTF-8: the transcoder traps with a code.
//! let err = first_byte.call(&mut store, (0, 3)).unwrap_err();
//! assert_eq!(trap_of(&err), Some(Trap::InvalidUtf8));
//! # Ok::<(), wasmtime::Error>(())
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;

use wasmtime::{
    AsContext, AsContextMut, Caller, Error, Extern, Func, Global, GlobalType, Instance, Memory,
    Module, Mutability, Result, Val, ValType, WasmTy,
};

use crate::host::{self, flags, Memories};
use crate::{Export, Import, ImportKind, Transcode, Trap};

mod resources;
pub use resources::{resource_drop, resource_new, resource_rep};

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
    callees: BTreeMap<String, Func>,
    post_returns: BTreeMap<String, Func>,
    resources: Option<resources::LinkedResources>,
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
    /// name), if something the table asks for was not supplied (the error
    /// names the import and what is missing), or if instantiation fails
    /// (for instance a supplied function has the wrong type).
    pub fn instantiate<T: 'static>(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Import],
        exports: &[Export],
    ) -> Result<LinkedAdapters> {
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
        self.flags.extend(created);
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

/// The error the `fact` `trap` import raises for `code`.
fn trap_error(code: u32) -> Error {
    match Trap::from_code(code) {
        Some(trap) => Error::new(trap),
        None => wasmtime::format_err!("adapter trapped with unknown fact trap code {code}"),
    }
}

/// `fact` `trap (code: i32) -> ()`.
fn trap_func<T: 'static>(store: impl AsContextMut<Data = T>) -> Func {
    Func::wrap(store, |code: i32| -> Result<()> {
        Err(trap_error(code as u32))
    })
}

/// A pointer or length argument of a transcoder: `i32` for a 32-bit memory
/// (read as unsigned), `i64` for a 64-bit one.
trait Addr: WasmTy + Copy {
    fn to_u64(self) -> u64;
    fn from_u64(value: u64) -> Self;
}

impl Addr for i32 {
    fn to_u64(self) -> u64 {
        u64::from(self as u32)
    }
    fn from_u64(value: u64) -> Self {
        value as u32 as i32
    }
}

impl Addr for i64 {
    fn to_u64(self) -> u64 {
        self as u64
    }
    fn from_u64(value: u64) -> Self {
        value as i64
    }
}

/// `validate` `utf8:N` / `utf16:N`, of core type `(ptr: A, len: A) -> ()`:
/// validates the string where it is (one memory, lent for reading only).
fn validator<T: 'static, A: Addr>(
    store: impl AsContextMut<Data = T>,
    memory: Memory,
    utf16: bool,
) -> Func {
    Func::wrap(
        store,
        move |caller: Caller<'_, T>, ptr: A, len: A| -> Result<()> {
            let data = memory.data(&caller);
            host::validate_string(data, ptr.to_u64(), len.to_u64(), utf16).map_err(Error::new)
        },
    )
}

thread_local! {
    /// The pieces of a source that `host::transcode_lent` copies out of one
    /// memory before writing the other (Wasmtime lends one memory at a time):
    /// one buffer per thread, shared by every transcoder, at most
    /// [`host::LENT_CHUNK`] bytes.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's scratch buffer (a fresh one if it is in
/// use, which only a transcoder running inside another could cause).
fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Vec::new()),
    })
}

/// The two memories of a [`Transcoder`], lent by the store one at a time.
struct Lent<'a, 'b, T: 'static> {
    caller: &'a mut Caller<'b, T>,
    src: Memory,
    dst: Memory,
}

impl<T: 'static> host::LentMemories for Lent<'_, '_, T> {
    fn src(&self) -> &[u8] {
        self.src.data(&*self.caller)
    }

    fn dst(&mut self) -> &mut [u8] {
        self.dst.data_mut(&mut *self.caller)
    }
}

/// One `transcode` import: an intrinsic between two memories.
struct Transcoder {
    op: Transcode,
    src: Memory,
    dst: Memory,
    dst_memory64: bool,
}

impl Transcoder {
    /// The host function, of core type `(src: S, len: S, dst: D) -> ()`, or
    /// `-> D` for intrinsics that return a length.
    fn func<T: 'static, S: Addr, D: Addr>(self, store: impl AsContextMut<Data = T>) -> Func {
        if self.op.returns_length() {
            Func::wrap(
                store,
                move |mut caller: Caller<'_, T>, src: S, len: S, dst: D| -> Result<D> {
                    let result = self.run(&mut caller, src.to_u64(), len.to_u64(), dst.to_u64())?;
                    Ok(D::from_u64(result.unwrap_or(0)))
                },
            )
        } else {
            Func::wrap(
                store,
                move |mut caller: Caller<'_, T>, src: S, len: S, dst: D| -> Result<()> {
                    self.run(&mut caller, src.to_u64(), len.to_u64(), dst.to_u64())?;
                    Ok(())
                },
            )
        }
    }

    fn run<T: 'static>(
        &self,
        caller: &mut Caller<'_, T>,
        src: u64,
        len: u64,
        dst: u64,
    ) -> Result<Option<u64>> {
        let (op, dst_memory64) = (self.op, self.dst_memory64);
        // Distinct memories never share a base address.
        let result = if self.src.data_ptr(&*caller) == self.dst.data_ptr(&*caller) {
            let mem = self.dst.data_mut(&mut *caller);
            host::transcode(op, Memories::One(mem), src, len, dst, dst_memory64)
        } else {
            let mut mems = Lent {
                caller,
                src: self.src,
                dst: self.dst,
            };
            with_scratch(|scratch| {
                host::transcode_lent(op, &mut mems, scratch, src, len, dst, dst_memory64)
            })
        };
        result.map_err(Error::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::{Config, Engine, Store};

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
        (import "transcode" "copy-utf8:0:1" (func $copy (param i32 i32 i32)))
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
                "copy-utf8:0:1",
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
                (import "transcode" "utf16-to-compact:0:1"
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
                "utf16-to-compact:0:1",
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
                (import "transcode" "copy-utf8:0:1" (func (param i32 i32 i32)))
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
                "copy-utf8:0:1",
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
}

#[cfg(test)]
mod transcoders;
