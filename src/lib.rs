//! `fact`: Component Model fused adapters, compiled at build time.
//!
//! This facade re-exports the compiler and its plain-data tables from
//! [`fact_core`] and the [`fact_adapters!`] macro from `fact-macro`.
//! See the README and `docs/host-abi.md` for the host ABI.
#![deny(missing_docs)]

pub use fact_core::*;
pub use fact_macro::fact_adapters;
