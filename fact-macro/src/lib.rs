//! `fact_adapters!`: Component Model fused adapters, compiled at build time.
//!
//! The macro reads a WIT world, compiles one fused adapter for every function
//! the world imports or exports (with [`fact_core::adapt_world`]), and embeds
//! the result in the crate as constants. The binary carries the adapter
//! module and its import table, and no compiler.
//!
//! Use it through the facade crate, `fact::fact_adapters!`: the expansion
//! refers to `::fact::Import` and `::fact::Export`.
//!
//! # Example
//!
//! ```
//! mod adapters {
//!     fact::fact_adapters!({
//!         inline: "
//!             package demo:app;
//!             interface api { greet: func(name: string) -> string; }
//!             world app { export api; }
//!         ",
//!         lift: { post_return: true },
//!     });
//! }
//!
//! // The adapter module, as bytes, and what it imports and exports.
//! assert_eq!(adapters::WORLD, "demo:app/app");
//! assert!(adapters::WASM.starts_with(b"\0asm"));
//! assert!(adapters::IMPORTS.iter().any(|i| i.kind == fact::ImportKind::PostReturn { adapter: 0 }));
//! assert_eq!(adapters::names::EXPORT_DEMO_APP_API_GREET, "[export]demo:app/api#greet");
//!
//! // Each adapter by name, with both core signatures: the caller imports
//! // `(func (param i32 i32 i32))` (the string, and where the result goes),
//! // the callee exports `(func (param i32 i32) (result i32))`.
//! let greet = adapters::adapter::EXPORT_DEMO_APP_API_GREET;
//! assert_eq!(greet.lowered.to_string(), "(param i32 i32 i32)");
//! assert_eq!(greet.lifted.to_string(), "(param i32 i32) (result i32)");
//! ```
//!
//! # Input
//!
//! `fact_adapters!("wit/world.wit")` reads a `.wit` file, and the packages of
//! the `deps/` directory next to it, or a WIT directory (all its `*.wit`
//! files are one package) and its `deps/`. The path is relative to the
//! crate's directory (`CARGO_MANIFEST_DIR`). The package must hold a single
//! world; functions are adapted with the defaults of
//! [`fact_core::WorldOptions`]: utf8 strings, a 32-bit memory and a `realloc`
//! on both sides, no `post-return`.
//!
//! The braced form chooses the world and the options of each side:
//!
//! ```text
//! fact_adapters!({
//!     path: "wit",                   // or `inline: "package ..; world .."`
//!     world: "app",                  // a name, or `ns:pkg/world`
//!     lift: {                        // the side that lifts each function (the callee)
//!         string_encoding: "utf16",  // "utf8" | "utf16" | "latin1+utf16"
//!         memory64: true,            // a 64-bit memory
//!         post_return: true,         // lifting side only
//!     },
//!     lower: {                       // the side that lowers it (the caller)
//!         memory: false,             // no memory at all
//!         realloc: false,            // no `realloc`
//!     },
//!     short_strings: 16,             // strings moved by the adapter's own code
//!     exception_barrier: true,       // exceptions trap at the adapter
//!     debug: true,                   // a name section in the module
//!     functions: {                   // options of single functions
//!         "[export]demo:app/api#greet": { lift: { string_encoding: "utf16" } },
//!     },
//! })
//! ```
//!
//! `short_strings` is the largest string, in code units, that the adapters
//! copy and convert themselves rather than through the host's string
//! intrinsics: 256 by default, right for engines that compile wasm
//! (Wasmtime); use `0` for an interpreter such as wasmi, where the host's
//! native intrinsics are faster for every string
//! (`fact_core::AdapterCompiler::short_strings`).
//!
//! `exception_barrier: true` makes every adapter trap when a core wasm
//! exception reaches it, rather than let it unwind into the caller (off by
//! default: the module then needs the exception-handling proposal; see
//! `fact_core::AdapterCompiler::exception_barrier`).
//!
//! `debug: true` keeps a name section in the module: engines name the
//! adapters and their helpers in traces and profiles.
//!
//! `functions` gives single functions options of their own, over the
//! world's `lift` and `lower`, keyed by adapter name (the names of `mod
//! names`); a name that is no adapter of the world is an error that lists
//! the adapters.
//!
//! The world's own component is instance 0 ([`fact_core::WORLD_INSTANCE`]):
//! it lifts the world's exports and lowers its imports; the other side of
//! every call is instance 1 ([`fact_core::OTHER_INSTANCE`]).
//!
//! # Expansion
//!
//! - `WORLD: &str`, the world's `ns:pkg/name`;
//! - `WASM: &[u8]`, the adapter module (one byte-string literal);
//! - `IMPORTS: &[fact::Import]`, one entry per import of `WASM`, in order;
//! - `EXPORTS: &[fact::Export]`, adapter `i` being export `i` of `WASM`;
//! - `RESOURCES: &[fact::Resource]`, the resource types whose handles the
//!   adapters carry (entry `i` is the `type` argument `i` of the `resource`
//!   intrinsics; give it to the glue's `AdapterLinker::resources`);
//! - `mod names`, one `&str` constant per adapter export name, in
//!   `SHOUTY_SNAKE_CASE` (`[export]demo:app/api#greet` is
//!   `names::EXPORT_DEMO_APP_API_GREET`);
//! - `mod adapter`, the same names, each the adapter's `&fact::Export`.
//!
//! Each constant of `names` and `adapter` is documented with the WIT
//! function, the core signature the caller imports and the one the callee
//! exports, which flat value carries which parameter, and the layout of
//! every value passed in memory. Use these names rather than indices into
//! `EXPORTS`.
//!
//! **Order.** The adapters, and so `EXPORTS`, are in the order of
//! `fact_core::adapter_names`: the world's imports first, then its exports,
//! each in the world's declaration order; the functions of an interface in
//! the interface's declaration order, a resource's methods where the
//! resource is declared.
//!
//! **Rebuilds.** The expansion includes every WIT file it read with
//! `include_bytes!`, so Cargo rebuilds the crate when one changes. A file
//! *added* to a WIT directory (or its `deps/`) was not read, so Cargo does
//! not know of it: touch the crate's source (or any WIT file it reads), or
//! add `println!("cargo::rerun-if-changed=wit")` to a build script, which
//! makes Cargo watch the whole directory.
//!
//! # Errors
//!
//! Bad input is a compile error at the offending token, never a panic: a
//! missing file, a WIT error (with its file, line, column and source line), a
//! world that cannot be chosen, an unknown or repeated option, a bad value,
//! and an option combination the Canonical ABI forbids (such as
//! `memory: false` for a world that passes strings).
#![deny(missing_docs, missing_debug_implementations)]
#![forbid(unsafe_code)]

mod expand;
mod input;
mod load;
mod tokens;
#[cfg(test)]
#[path = "../../tests/support/wasi_wit.rs"]
mod wasi_wit;

use proc_macro::TokenStream;
use std::path::PathBuf;

/// Compiles fused adapters for every function of a WIT world and embeds them
/// as constants (`WORLD`, `WASM`, `IMPORTS`, `EXPORTS`, `mod names`).
///
/// See the [crate documentation](crate) for the input grammar and the
/// expansion.
#[proc_macro]
pub fn fact_adapters(input: TokenStream) -> TokenStream {
    let config = syn::parse_macro_input!(input as input::Config);
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    expand::expand(&config, manifest_dir.as_deref())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
