//! The instance-flags global (import `instance-N` `flags`).
//!
//! One mutable `i32` global per component instance, created by the host with
//! the value [`INITIAL`]. Adapters read and write it; the host clears
//! [`MAY_ENTER`] while it calls into the instance itself, so that an adapter
//! cannot re-enter it. `docs/host-abi.md` says exactly when each bit changes.

/// Bit 0: the instance may call out (`canon lower`). Clear while the
/// instance runs its `realloc` or `post-return` on an adapter's behalf.
pub const MAY_LEAVE: i32 = 1 << 0;

/// Bit 1: the instance may be entered (`canon lift`). Clear while a call into
/// the instance is in progress.
pub const MAY_ENTER: i32 = 1 << 1;

/// The value a host gives a fresh flags global: `MAY_LEAVE | MAY_ENTER`.
pub const INITIAL: i32 = MAY_LEAVE | MAY_ENTER;
