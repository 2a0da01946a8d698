//! `fact-host`: what a host binary needs to run the fused adapters that
//! `fact` compiles, and nothing of the compiler.
//!
//! An adapter module (compiled at build time by `fact_adapters!` or
//! `fact-core`) comes with plain-data tables, defined here: its import table
//! ([`Import`], one per import, saying what the host plugs in), its exports
//! ([`Export`], one per adapter, with both core signatures) and the resource
//! types its handles belong to ([`Resource`]). Adapters report every trap
//! with a code ([`Trap`]).
//!
//! Most imports are things the host already has: the instances' memories,
//! `realloc`s, `post-return`s and lifted core functions. The rest are the
//! host intrinsics, implemented here in safe Rust on plain byte slices and
//! tables, so that any engine can call them (`docs/host-abi.md` is the
//! contract; `fact-wasmtime` and `fact-wasmi` plug them into an engine):
//!
//! | Import | Here |
//! |---|---|
//! | `fact` `trap (code: i32)` | [`Trap::from_code`]: raise the trap it returns, or report an unknown code |
//! | `validate` `utf8:N:32`, `utf16:N:32` (`:64`) | [`validate_string`] |
//! | `transcode` `copy-utf8:S:D` | [`copy_utf8`], [`copy_utf8_within`] |
//! | `transcode` `copy-utf16:S:D` | [`copy_utf16`], [`copy_utf16_within`] |
//! | `transcode` `utf16-to-compact:S:D` | [`utf16_to_compact`], [`utf16_to_compact_within`] |
//! | `transcode` `latin1-to-utf16:S:D` | [`latin1_to_utf16`], [`latin1_to_utf16_within`] |
//! | `transcode` `utf8-to-utf16:S:D` | [`utf8_to_utf16`], [`utf8_to_utf16_within`] |
//! | `transcode` `utf16-ascii-prefix:S:D` | [`utf16_ascii_prefix`], [`utf16_ascii_prefix_within`] |
//! | `transcode` `latin1-ascii-prefix:S:D` | [`latin1_ascii_prefix`], [`latin1_ascii_prefix_within`] |
//! | `transcode` `utf16-to-utf8:S:D` | [`utf16_to_utf8`], [`utf16_to_utf8_within`] |
//! | `transcode` `latin1-to-utf8:S:D` | [`latin1_to_utf8`], [`latin1_to_utf8_within`] |
//! | `transcode` `utf8-to-latin1:S:D` | [`utf8_to_latin1`], [`utf8_to_latin1_within`] |
//! | `transcode` `utf16-to-latin1:S:D` | [`utf16_to_latin1`], [`utf16_to_latin1_within`] |
//! | `instance-N` `flags` | a mutable `i32` global initialised to [`flags::INITIAL`] |
//! | `resource` `enter-call:S:D`, `exit-call:S:D` | [`ResourceTables::enter_call`], [`ResourceTables::exit_call`] |
//! | `resource` `transfer-own:S:D` | [`ResourceTables::transfer_own`] |
//! | `resource` `transfer-borrow:S:D` | [`ResourceTables::transfer_borrow`] |
//! | `resource` `borrow-rep:S:D` | [`ResourceTables::borrow_rep`] |
//!
//! [`transcode()`] dispatches on a [`Transcode`] from the import table. An engine that lends one memory at a time (Wasmtime's safe
//! API does) calls [`transcode_lent`] instead, which validates the source
//! where it is and moves it in pieces of [`LENT_CHUNK`] bytes through a
//! buffer of the engine's.
//!
//! # Checks
//!
//! The intrinsics take the guest's linear memories as byte slices and the
//! guest's pointers and lengths as `u64`: zero-extend the `i32` arguments of
//! a 32-bit memory (read them as `u32`), so that one implementation serves
//! both address types. The values come from guest code and are not trusted:
//! every range is checked, without overflow, before it is touched, in the
//! order of the Canonical ABI's `load_string` followed by its `store_string`:
//!
//! 1. the source pointer's alignment ([`Trap::Misaligned`]),
//! 2. the source range ([`Trap::OutOfBounds`]),
//! 3. the source contents ([`Trap::InvalidUtf8`], [`Trap::InvalidUtf16`]),
//! 4. the destination pointer's alignment ([`Trap::Misaligned`]),
//! 5. the destination range ([`Trap::OutOfBounds`]),
//! 6. for the intrinsics that return a value, that `len` is below the UTF-16
//!    tag of the destination's address type ([`utf16_tag`]), so that the
//!    result fits in it ([`Trap::StringTooLong`]; adapters never pass such a
//!    length).
//!
//! ([`validate_string`] has a source only: steps 1 to 3.) Nothing is
//! written unless every check passes. (Where the destination's
//! worst case is larger than the result, as in [`utf8_to_utf16`], the range
//! checked is the worst case: what the adapter allocated.)
//!
//! Each intrinsic has a two-memory form (`src_mem: &[u8]`, `dst_mem: &mut
//! [u8]`) and a `_within` form for a source and destination that are the same
//! memory (two instances that share one memory). The `_within` forms read the
//! whole source before writing, like [`slice::copy_within`], so overlapping
//! ranges give the same bytes as two distinct memories would. Those that
//! return a value return it as a `u64` (a host passes it to the guest in the
//! destination's address type: [`NOT_LATIN1`] becomes `-1`) and take the
//! destination's address type as `dst_memory64`.
//!
//! The intrinsics validate in bulk (UTF-8 with SIMD where the CPU has it,
//! UTF-16 16 code units at a time) and convert runs of ASCII (of Latin-1,
//! when narrowing UTF-16) 16 code units at a time; with the `simd` feature,
//! UTF-16 validation and the conversions between UTF-8 and UTF-16 (and from
//! Latin-1 to UTF-8) of 64 bytes or more use SIMD kernels (`fact-simd`,
//! over simdutf). They allocate nothing, except a copy of a source of more
//! than 512 bytes when a `_within` form is given overlapping ranges.
//!
//! The crate is `no_std` with `alloc` (the handle tables allocate). The
//! `std` feature (on by default) adds run-time CPU detection to the UTF-8
//! validator and `SharedResourceTables`; `simd` converts non-ASCII text
//! with simdutf's kernels (`fact-simd`, needs a C++11 compiler).
//!
//! # Example
//!
//! ```
//! use fact_host::{transcode, Memories, Trap, Transcode};
//!
//! // An adapter calls `transcode` `utf8-to-utf16:1:0` with
//! // (src, len, dst) = (0, 6, 8): instance 1's UTF-8 into instance 0's
//! // UTF-16. It returns the number of code units written.
//! let caller_memory = "héllo".as_bytes().to_vec();
//! let mut callee_memory = vec![0u8; 32];
//! let mems = Memories::Two { src: &caller_memory, dst: &mut callee_memory };
//! let units = transcode(Transcode::Utf8ToUtf16, mems, 0, 6, 8, false)?;
//! assert_eq!(units, Some(5));
//! assert_eq!(&callee_memory[8..12], &[b'h', 0, 0xe9, 0]);
//!
//! // Ill-formed UTF-8 traps, and nothing is written.
//! let mems = Memories::Two { src: b"\xff", dst: &mut callee_memory };
//! assert_eq!(transcode(Transcode::Utf8ToUtf16, mems, 0, 1, 16, false), Err(Trap::InvalidUtf8));
//!
//! // An adapter calls `trap(9)`.
//! assert_eq!(Trap::from_code(9), Some(Trap::InvalidUtf8));
//! # Ok::<(), Trap>(())
//! ```

// Tests use std's prelude (`vec!`, `format!`); the library is `no_std`.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

extern crate alloc;
#[cfg(all(feature = "std", not(test)))]
extern crate std;

pub mod concurrent;
mod encoding;
mod export;
pub mod flags;
mod guest_string;
mod import;
pub mod link;
mod resources;
mod transcode;
mod trap;
mod unicode;

pub use encoding::StringEncoding;
pub use export::{
    AsyncCall, CoreType, Export, Resource, Signature, OTHER_INSTANCE, WORLD_INSTANCE,
};
pub use guest_string::{lift_string, lower_string, store_lowered_string, LoweredString};
pub use import::{Import, ImportKind, ResourceOp, Transcode};
#[cfg(feature = "std")]
pub use resources::SharedResourceTables;
pub use resources::{HandleInfo, ResourceTables, ResourceType, MAX_HANDLES};
pub use transcode::{
    copy_utf16, copy_utf16_within, copy_utf8, copy_utf8_within, destination_range,
    latin1_ascii_prefix, latin1_ascii_prefix_within, latin1_to_utf16, latin1_to_utf16_within,
    latin1_to_utf8, latin1_to_utf8_within, source_range, transcode, transcode_lent,
    utf16_ascii_prefix, utf16_ascii_prefix_within, utf16_tag, utf16_to_compact,
    utf16_to_compact_within, utf16_to_latin1, utf16_to_latin1_within, utf16_to_utf8,
    utf16_to_utf8_within, utf8_to_latin1, utf8_to_latin1_within, utf8_to_utf16,
    utf8_to_utf16_within, validate_string, LentMemories, Memories, LENT_CHUNK, NOT_LATIN1,
    UTF16_TAG_32, UTF16_TAG_64,
};
pub use trap::Trap;
pub use unicode::{validate_utf16, validate_utf8};
