//! Trap codes: why an adapter stopped.
//!
//! An adapter that detects invalid input calls the imported `fact` `trap`
//! function with one of these codes (see `docs/host-abi.md`), so the host can
//! say precisely what went wrong. The codes are part of the stable host ABI.

use core::fmt;

/// Why an adapter (or a host intrinsic) trapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum Trap {
    /// The caller's instance may not leave (its `may_leave` flag is clear):
    /// `canon lower` was called during `realloc` or `post-return`.
    CannotLeave = 1,
    /// The callee's instance may not be entered: it is the caller itself, an
    /// ancestor or descendant of it, or it is already on the call stack.
    CannotEnter = 2,
    /// A pointer plus the byte length it covers lies outside its memory.
    OutOfBounds = 3,
    /// A pointer is not aligned to its value's alignment.
    Misaligned = 4,
    /// `realloc` returned a pointer whose range lies outside the memory.
    ReallocOutOfBounds = 5,
    /// `realloc` returned a pointer that is not suitably aligned.
    ReallocMisaligned = 6,
    /// A `char` is a surrogate or above U+10FFFF.
    InvalidChar = 7,
    /// A variant, enum, option or result discriminant names no case.
    InvalidDiscriminant = 8,
    /// A string that should be UTF-8 is not.
    InvalidUtf8 = 9,
    /// A string that should be UTF-16 has an unpaired surrogate.
    InvalidUtf16 = 10,
    /// A string's byte length exceeds the spec's `MAX_STRING_BYTE_LENGTH`
    /// (2^28 - 1).
    StringTooLong = 11,
    /// A list's byte length exceeds the spec's `MAX_LIST_BYTE_LENGTH`
    /// (2^28 - 1).
    ListTooLong = 12,
    /// A handle index names no handle of its instance's table (never
    /// created, or already dropped or transferred).
    UnknownHandle = 13,
    /// A handle is of another resource type than the one expected.
    WrongResourceType = 14,
    /// An `own` handle is lent out (borrows of it are live) and cannot be
    /// transferred or dropped.
    HandleLent = 15,
    /// An `own` handle was expected but a borrowed handle was given.
    NotOwned = 16,
    /// The callee returned while still holding borrowed handles of the call.
    BorrowNotDropped = 17,
    /// An instance's handle table is full (`Table.MAX_LENGTH`, 2^28 - 1).
    TooManyHandles = 18,
    /// A core wasm exception thrown by the callee, a `realloc` or
    /// `post-return` reached the adapter, which stops it there (the spec's
    /// `call_and_trap_on_throw`). Only adapters compiled with
    /// `AdapterCompiler::exception_barrier` catch exceptions.
    Exception = 19,
}

impl Trap {
    /// Every trap code, in code order.
    pub const ALL: &'static [Trap] = &[
        Trap::CannotLeave,
        Trap::CannotEnter,
        Trap::OutOfBounds,
        Trap::Misaligned,
        Trap::ReallocOutOfBounds,
        Trap::ReallocMisaligned,
        Trap::InvalidChar,
        Trap::InvalidDiscriminant,
        Trap::InvalidUtf8,
        Trap::InvalidUtf16,
        Trap::StringTooLong,
        Trap::ListTooLong,
        Trap::UnknownHandle,
        Trap::WrongResourceType,
        Trap::HandleLent,
        Trap::NotOwned,
        Trap::BorrowNotDropped,
        Trap::TooManyHandles,
        Trap::Exception,
    ];

    /// The code passed to the `trap` import.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// The trap with this code, if any.
    pub fn from_code(code: u32) -> Option<Trap> {
        Trap::ALL.iter().copied().find(|t| t.code() == code)
    }

    /// A short, stable, human-readable description.
    pub const fn message(self) -> &'static str {
        match self {
            Trap::CannotLeave => "cannot leave component instance",
            Trap::CannotEnter => "cannot enter component instance",
            Trap::OutOfBounds => "pointer out of bounds of its memory",
            Trap::Misaligned => "pointer not aligned",
            Trap::ReallocOutOfBounds => "realloc returned an out-of-bounds pointer",
            Trap::ReallocMisaligned => "realloc returned a misaligned pointer",
            Trap::InvalidChar => "invalid `char` value",
            Trap::InvalidDiscriminant => "invalid variant discriminant",
            Trap::InvalidUtf8 => "invalid UTF-8 string",
            Trap::InvalidUtf16 => "invalid UTF-16 string",
            Trap::StringTooLong => "string byte length exceeds 2^28 - 1",
            Trap::ListTooLong => "list byte length exceeds 2^28 - 1",
            Trap::UnknownHandle => "unknown handle index",
            Trap::WrongResourceType => "handle of the wrong resource type",
            Trap::HandleLent => "owned handle is lent out",
            Trap::NotOwned => "owned handle expected, borrowed handle given",
            Trap::BorrowNotDropped => "borrowed handles not dropped by the end of the call",
            Trap::TooManyHandles => "handle table full",
            Trap::Exception => "an exception may not cross a component boundary",
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (fact trap {})", self.message(), self.code())
    }
}

impl core::error::Error for Trap {}
