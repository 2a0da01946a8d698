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
//! - with the `wasmtime` feature, [`wasmtime`](mod@wasmtime): the glue that
//!   links an adapter module through Wasmtime's core-wasm API (the
//!   `fact-wasmtime` crate), which re-exports the Wasmtime it was built for;
//! - with the `wasmi` feature, [`wasmi`](mod@wasmi): the same glue for the
//!   wasmi interpreter (the `fact-wasmi` crate).
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
