//! `fact-wasmtime`: links the fused adapters that `fact` compiles to their
//! instances through Wasmtime's core-wasm API.
//!
//! [`AdapterLinker`] collects what the host supplies (memories, `realloc`s,
//! flags globals, callees, `post-return`s), keyed by instance number or
//! adapter name, and [`AdapterLinker::instantiate`] resolves every import of
//! an adapter module from its import table ([`Import`](fact_host::Import)), by [`ImportKind`](fact_host::ImportKind)
//! rather than by name. The `fact` `trap` and `transcode` imports are
//! implemented by the linker itself with the reference intrinsics of
//! `fact-host`; so are the `resource` imports, over the handle tables
//! given to [`AdapterLinker::resources`], which also serve the guests' own
//! `resource.new`, `resource.drop` and `resource.rep` ([`resource_new`],
//! [`resource_drop`], [`resource_rep`]).
//!
//! A trap reported by an adapter reaches the host as the error of
//! [`Func::call`](wasmtime::Func::call). It holds the [`fact_host::Trap`]: get it back with
//! [`trap_of`], or `err.downcast_ref::<fact_host::Trap>()` (mind the name
//! clash with [`wasmtime::Trap`], which is what the engine raises for its own
//! traps such as `unreachable`).
//!
//! # Example
//!
//! ```
//! use fact_wasmtime::{trap_of, AdapterLinker};
//! use fact_host::{CoreType::I32, Export, Import, ImportKind, Signature, Trap, Transcode};
//! use wasmtime::{Engine, Instance, Module, Store};
//!
//! // An adapter as the compiler would produce it: it copies a UTF-8 string
//! // from instance 1 (the caller) to instance 0 (the callee) and calls the
//! // callee with it.
//! let adapter = r#"(module
//!     (import "instance-1" "memory" (memory 1))
//!     (import "instance-0" "memory" (memory 1))
//!     (import "transcode" "copy-utf8:1:0:32:32" (func $copy (param i32 i32 i32)))
//!     (import "callee" "first-byte" (func $callee (param i32 i32) (result i32)))
//!     (func (export "first-byte") (param i32 i32) (result i32)
//!         (call $copy (local.get 0) (local.get 1) (i32.const 64))
//!         (call $callee (i32.const 64) (local.get 1))))"#;
//! let imports = [
//!     Import { module: "instance-1".into(), name: "memory".into(),
//!              kind: ImportKind::Memory { instance: 1, memory64: false } },
//!     Import { module: "instance-0".into(), name: "memory".into(),
//!              kind: ImportKind::Memory { instance: 0, memory64: false } },
//!     Import { module: "transcode".into(), name: "copy-utf8:1:0:32:32".into(),
//!              kind: ImportKind::Transcode { op: Transcode::CopyUtf8,
//!                  src_instance: 1, src_memory64: false,
//!                  dst_instance: 0, dst_memory64: false } },
//!     Import { module: "callee".into(), name: "first-byte".into(),
//!              kind: ImportKind::Callee { adapter: 0 } },
//! ];
//! let sig = Signature { params: vec![I32, I32].into(), results: vec![I32].into() };
//! let exports = [Export { name: "first-byte".into(), interface: None,
//!     function: "first-byte".into(), lower_instance: 1, lift_instance: 0,
//!     lowered: sig.clone(), lifted: sig, async_call: None }];
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
//!
//! This crate re-exports the Wasmtime it is built for ([`wasmtime`]): a host
//! that uses it needs no Wasmtime dependency of its own, and cannot end up
//! with a second, incompatible one.
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod concurrent;
mod error_context;
mod intrinsics;
mod linker;
mod resources;

pub use concurrent::{Builtins, Runtime};
pub use linker::{trap_of, AdapterLinker, LinkedAdapters};
pub use resources::{resource_drop, resource_new, resource_rep};
pub use wasmtime;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod transcoders;
