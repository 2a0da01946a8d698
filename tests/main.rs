//! Integration tests: adapters compiled by `fact-core`, run for real in
//! Wasmtime, one module per family of Canonical ABI rules.

mod harness;

mod aggregates;
mod async_calls;
mod calls;
mod differential;
mod exceptions;
mod handles;
mod hardening;
mod lists;
mod macro_expand;
mod modules;
mod outlining;
mod readme;
mod scalars;
mod snapshots;
mod split;
mod strings;
mod transcoding;
mod wasi;
