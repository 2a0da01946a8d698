//! `fact-core`: a compiler of Component Model *fused adapters*.
//!
//! A fused adapter is the core-wasm function that carries a call from one
//! component instance (`canon lower`) to another (`canon lift`): it checks the
//! instance flags, reads the caller's arguments (flat values and linear
//! memory), validates them, copies and transcodes them into the callee's
//! memory (calling the callee's `realloc`), calls the callee, carries the
//! results back the same way and calls `post-return`. The rules are those of
//! the Component Model's Canonical ABI (`design/mvp/CanonicalABI.md`).
//!
//! [`AdapterCompiler`] turns WIT functions (from a [`wit_parser::Resolve`])
//! and the [`CanonOptions`] of both sides into [`Adapters`]: a core wasm
//! module, its import table ([`Import`]) and its exports ([`Export`]).
//! [`adapt_world`] does it for every function of a world, as the
//! `fact_adapters!` macro does at build time.
//!
//! This crate is the compiler alone; it runs at build time. The tables it
//! emits, the trap codes and the host intrinsics that adapter modules
//! import are in `fact-host`, the runtime a host binary links (re-exported
//! here); `fact-wasmtime` and `fact-wasmi` link adapter modules in those
//! engines.
//!
//! # Example
//!
//! ```
//! use fact_core::{AdapterCompiler, CanonOptions, InstanceId, ImportKind};
//! use wit_parser::Resolve;
//!
//! let mut resolve = Resolve::default();
//! let pkg = resolve.push_str(
//!     "app.wit",
//!     "package demo:app;
//!      world app { export greet: func(name: string) -> string; }",
//! )?;
//! let world = resolve.select_world(&[pkg], None)?;
//! let func = match &resolve.worlds[world].exports.values().next().unwrap() {
//!     wit_parser::WorldItem::Function(f) => f.clone(),
//!     _ => unreachable!(),
//! };
//!
//! let mut compiler = AdapterCompiler::new(&resolve);
//! compiler.adapt(fact_core::Adapter {
//!     name: "greet".into(),
//!     interface: None,
//!     function: &func,
//!     lower: CanonOptions::new(InstanceId(1)),
//!     lift: CanonOptions::new(InstanceId(0)).post_return(true),
//! })?;
//! let adapters = compiler.finish()?;
//!
//! // The module validates, and the table says what to plug into each import.
//! adapters.validate()?;
//! assert!(adapters.imports.iter().any(|i| i.kind == ImportKind::Callee { adapter: 0 }));
//! assert_eq!(adapters.exports[0].name, "greet");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod abi;
mod compile;
mod error;
mod module;
mod options;
mod world;

pub use compile::{Adapter, AdapterCompiler, Adapters, DEFAULT_SHORT_STRINGS};
pub use error::Error;
pub use fact_host::{
    AsyncCall, CoreType, Export, Import, ImportKind, Resource, ResourceOp, Signature, Transcode,
    Trap,
};
pub use options::{CanonOptions, InstanceId, MemoryType, StringEncoding};
pub use world::{
    adapt_world, adapt_world_with, adapter_functions, adapter_names, FunctionOptions, WorldOptions,
    OTHER_INSTANCE, WORLD_INSTANCE,
};

/// Re-export of the WIT parser whose types the compiler takes.
pub use wit_parser;
