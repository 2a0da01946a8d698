//! Reference implementation of the host intrinsics.
//!
//! An adapter module imports a few things that only the host can provide
//! (`docs/host-abi.md` is the contract). Most are handles the host already
//! has: the instances' memories, `realloc`, `post-return` and lifted core
//! functions. The rest are implemented here, in safe Rust on plain byte
//! slices, so that any engine can call them:
//!
//! | Import | Here |
//! |---|---|
//! | `fact` `trap (code: i32)` | [`Trap::from_code`]: raise the trap it returns, or report an unknown code |
//! | `transcode` `copy-utf8:S:D` | [`copy_utf8`], [`copy_utf8_within`] |
//! | `transcode` `copy-utf16:S:D` | [`copy_utf16`], [`copy_utf16_within`] |
//! | `transcode` `utf16-to-compact:S:D` | [`utf16_to_compact`], [`utf16_to_compact_within`] |
//! | `instance-N` `flags` | a mutable `i32` global initialised to [`flags::INITIAL`] |
//!
//! [`transcode()`] dispatches on a [`Transcode`](crate::Transcode) from the
//! import table.
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
//! 5. the destination range ([`Trap::OutOfBounds`]).
//!
//! Nothing is written unless every check passes.
//!
//! Each intrinsic has a two-memory form (`src_mem: &[u8]`, `dst_mem: &mut
//! [u8]`) and a `_within` form for a source and destination that are the same
//! memory (two instances that share one memory). The `_within` forms read the
//! whole source before writing, like [`slice::copy_within`], so overlapping
//! ranges give the same bytes as two distinct memories would.
//!
//! With the `wasmtime` feature, the module `host::wasmtime` plugs all of this
//! into Wasmtime's core-wasm API.
//!
//! # Example
//!
//! ```
//! use fact_core::{host, Trap};
//!
//! // An adapter calls `copy-utf8` with (src, len, dst) = (0, 5, 8).
//! let caller_memory = b"hello".to_vec();
//! let mut callee_memory = vec![0u8; 16];
//! host::copy_utf8(&caller_memory, 0, 5, &mut callee_memory, 8)?;
//! assert_eq!(&callee_memory[8..13], b"hello");
//!
//! // An adapter calls `trap(9)`.
//! assert_eq!(Trap::from_code(9), Some(Trap::InvalidUtf8));
//! # Ok::<(), Trap>(())
//! ```

#[cfg(doc)]
use crate::Trap;

pub mod flags;
mod transcode;

#[cfg(feature = "wasmtime")]
pub mod wasmtime;

pub use transcode::{
    copy_utf16, copy_utf16_within, copy_utf8, copy_utf8_within, source_range, transcode, utf16_tag,
    utf16_to_compact, utf16_to_compact_within, validate_utf16, validate_utf8, Memories,
    UTF16_TAG_32, UTF16_TAG_64,
};
