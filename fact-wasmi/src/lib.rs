//! `fact-wasmi`: links the fused adapters that `fact` compiles to their
//! instances in [wasmi](https://docs.rs/wasmi), the WebAssembly
//! interpreter.
//!
//! wasmi has no component model. With this crate, two core instances of
//! wasmi call each other through an adapter module compiled at build time
//! (`fact_adapters!`), as two component instances would: values validated,
//! copied and transcoded between their memories, handles moved between
//! their tables, traps reported with their [`Trap`](fact_host::Trap) code.
//!
//! [`AdapterLinker`] has the API of `fact-wasmtime`'s: it collects what the
//! host supplies (memories, `realloc`s, flags globals, callees,
//! `post-return`s), keyed by instance number or adapter name, and
//! [`AdapterLinker::instantiate`] resolves every import of an adapter
//! module from its import table, by [`ImportKind`](fact_host::ImportKind)
//! rather than by name. The `fact` `trap`, `validate`, `transcode` and
//! `resource` imports are host functions over the reference intrinsics of
//! `fact-host`.
//!
//! A trap reported by an adapter is the error of
//! [`Func::call`](wasmi::Func::call), a host error holding a [`FactTrap`]:
//! [`trap_of`] gets the [`Trap`](fact_host::Trap) back. Traps of the engine itself (an
//! `unreachable`, an out-of-bounds access in a callee) are
//! [`wasmi::TrapCode`]s instead.
//!
//! # Example
//!
//! ```
//! use fact_wasmi::wasmi::{Engine, Instance, Module, Store};
//! use fact_wasmi::{trap_of, AdapterLinker};
//! use fact_host::{CoreType::I32, Export, Import, ImportKind, Signature, Trap, Transcode};
//!
//! // An adapter as the compiler would produce it: it copies a UTF-8 string
//! // from instance 1 (the caller) to instance 0 (the callee) and calls the
//! // callee with it.
//! let adapter = wat::parse_str(r#"(module
//!     (import "instance-1" "memory" (memory 1))
//!     (import "instance-0" "memory" (memory 1))
//!     (import "transcode" "copy-utf8:1:0:32:32" (func $copy (param i32 i32 i32)))
//!     (import "callee" "0" (func $callee (param i32 i32) (result i32)))
//!     (func (export "first-byte") (param i32 i32) (result i32)
//!         (call $copy (local.get 0) (local.get 1) (i32.const 64))
//!         (call $callee (i32.const 64) (local.get 1))))"#)?;
//! let imports = [
//!     Import { module: "instance-1".into(), name: "memory".into(),
//!              kind: ImportKind::Memory { instance: 1, memory64: false } },
//!     Import { module: "instance-0".into(), name: "memory".into(),
//!              kind: ImportKind::Memory { instance: 0, memory64: false } },
//!     Import { module: "transcode".into(), name: "copy-utf8:1:0:32:32".into(),
//!              kind: ImportKind::Transcode { op: Transcode::CopyUtf8,
//!                  src_instance: 1, src_memory64: false,
//!                  dst_instance: 0, dst_memory64: false } },
//!     Import { module: "callee".into(), name: "0".into(),
//!              kind: ImportKind::Callee { adapter: 0 } },
//! ];
//! let sig = Signature { params: vec![I32, I32].into(), results: vec![I32].into() };
//! let exports = [Export { name: "first-byte".into(), interface: None,
//!     function: "first-byte".into(), lower_instance: 1, lift_instance: 0,
//!     lowered: sig.clone(), lifted: sig, async_call: None }];
//!
//! let engine = Engine::default();
//! let mut store = Store::new(&engine, ());
//! let callee = Module::new(&engine, wat::parse_str(r#"(module (memory (export "memory") 1)
//!     (func (export "first-byte") (param i32 i32) (result i32)
//!         (i32.load8_u (local.get 0))))"#)?)?;
//! let callee = Instance::new(&mut store, &callee, &[])?;
//! let caller = Module::new(&engine, wat::parse_str(r#"(module (memory (export "memory") 1)
//!     (data (i32.const 0) "hi\ff"))"#)?)?;
//! let caller = Instance::new(&mut store, &caller, &[])?;
//!
//! let mut linker = AdapterLinker::new();
//! linker
//!     .instance_exports(&mut store, 0, &callee)
//!     .instance_exports(&mut store, 1, &caller)
//!     .callee("first-byte", callee.get_func(&mut store, "first-byte").unwrap());
//! let module = Module::new(&engine, &adapter)?;
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
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! wasmi has neither exception handling (so adapters compiled with the
//! exception barrier do not load) nor a way to lend two memories at once
//! (so a transcoder between two memories copies its source out in pieces,
//! as `fact-host`'s `transcode_lent` does). As an interpreter, it runs the
//! adapters' own string code many times slower than the host's native
//! intrinsics: compile the adapters for wasmi with `short_strings: 0`
//! (`fact_adapters!({ .., short_strings: 0 })`), which sends every string
//! that needs checking or converting to the host (64-byte conversions 1.1
//! to 3.5 times faster on wasmi than with the default; the README has the
//! figures).
//!
//! This crate re-exports the wasmi it is built for ([`wasmi`]): a host that
//! uses it needs no wasmi dependency of its own.
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod concurrent;
mod error_context;
mod intrinsics;
mod linker;
mod resources;

pub use concurrent::{Builtins, Runtime};
pub use linker::{trap_of, AdapterLinker, FactTrap, LinkedAdapters};
pub use resources::{resource_drop, resource_new, resource_rep};
pub use wasmi;

#[cfg(test)]
mod tests;
