//! `fact`: Component Model fused adapters, compiled at build time.
//!
//! This is the crate a host depends on. It holds what the host binary
//! links, and nothing of the compiler:
//!
//! - [`fact_adapters!`], which compiles the adapters of a WIT world while
//!   the host crate builds and embeds them as constants (the compiler,
//!   `fact-core`, runs inside the macro only);
//! - the tables those constants are made of ([`Import`], [`Export`],
//!   [`Resource`]), the trap codes ([`Trap`]) and the reference host
//!   intrinsics, re-exported from `fact-host`;
//! - with the `wasmtime` feature, `fact::wasmtime`: the glue that links an
//!   adapter module through Wasmtime's core-wasm API (the `fact-wasmtime`
//!   crate), which re-exports the Wasmtime it was built for;
//! - with the `wasmi` feature, `fact::wasmi`: the same glue for the wasmi
//!   interpreter (the `fact-wasmi` crate).
//!
//! A host adds one line to its `Cargo.toml`, `fact = { version = "0.1",
//! features = ["wasmtime"] }` (or `"wasmi"`), and needs no engine
//! dependency of its own: it uses the engine the glue re-exports.
//!
//! # Example: from the macro to a call
//!
//! Two core modules call each other through an adapter compiled from inline
//! WIT: the callee lifts `hello` (a string in, its length out), the caller
//! lowers it. The caller's memory lives in a module of its own, instantiated
//! before the adapter module: the caller imports the adapter, and the
//! adapter imports the caller's memory, so the memory must exist before
//! either. `docs/host-abi.md` says what every import of the adapter module
//! is; `adapters::adapter::*` says, for each adapter, which core type the
//! caller imports and the callee exports.
//!
//! This is the host of the README's "Use it in your crate", line for line.
//!
#![cfg_attr(
    feature = "wasmtime",
    doc = concat!("```\n", include_str!("../examples/readme/src/main.rs"), "```")
)]
//!
//! # Example: an `async` function
//!
//! The adapter of an `async` function hands the call to the async runtime
//! (`Runtime`, given to `AdapterLinker::runtime`), which runs the tasks,
//! the events and the callback loop; the instances' core modules import the
//! canon built-ins from `Runtime::builtins`. Here the caller lowers
//! `length` with `async` and waits for its subtask; the callee lifts it
//! with a callback, yields once and returns from its callback
//! (`examples/async-call`, `cargo run -p async-call`).
//!
#![cfg_attr(
    feature = "wasmtime",
    doc = concat!("```\n", include_str!("../examples/async-call/src/main.rs"), "```")
)]
//!
//! See the README and `docs/host-abi.md` for the host ABI.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub use fact_host::*;
pub use fact_macro::fact_adapters;

/// The Wasmtime glue (`fact-wasmtime`): [`AdapterLinker`](wasmtime::AdapterLinker)
/// and the Wasmtime it was built for, as [`wasmtime::wasmtime`].
#[cfg(feature = "wasmtime")]
pub use fact_wasmtime as wasmtime;

/// The wasmi glue (`fact-wasmi`): [`AdapterLinker`](wasmi::AdapterLinker)
/// and the wasmi it was built for, as [`wasmi::wasmi`].
#[cfg(feature = "wasmi")]
pub use fact_wasmi as wasmi;
