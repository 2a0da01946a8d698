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
    /// A handle index names something of another kind than the operation
    /// takes: a resource handle where a waitable is expected, a subtask
    /// where a waitable set is, and so on (the spec's `isinstance` checks).
    WrongHandleKind = 20,
    /// A task of a synchronous function type would block (wait for an
    /// event, or for an `async` function it calls synchronously): with no
    /// other thread of its instance to run, the spec's `canon_lift` traps.
    SyncTaskBlocked = 21,
    /// An async-lifted task's core function or callback returned (`EXIT`)
    /// without the task having returned its results (`task.return`).
    NoAsyncResult = 22,
    /// `task.return` was called by a task that lifts synchronously, or with
    /// another result type or string encoding than its function's.
    TaskReturnInvalid = 23,
    /// `task.return` was called twice by one task.
    TaskReturnedTwice = 24,
    /// A callback returned a code that is not `EXIT`, `YIELD` or `WAIT`.
    UnsupportedCallbackCode = 25,
    /// `waitable-set.drop` of a set that still holds waitables or has a
    /// task waiting on it.
    WaitableSetNotEmpty = 26,
    /// `subtask.drop` of a subtask whose result has not been delivered.
    SubtaskNotResolved = 27,
    /// `backpressure.inc` past 2^16 - 1, or `backpressure.dec` below 0.
    BackpressureOverflow = 28,
    /// Every task is waiting and nothing can make progress.
    Deadlock = 29,
    /// `waitable-set.wait` or `poll` was given a pointer that is misaligned
    /// or out of bounds for the 8 bytes of the event it writes.
    EventOutOfBounds = 30,
    /// A wait cannot end before a wait further down the native stack does,
    /// whose event has come: the spec would switch to that waiting thread,
    /// which a stackless runtime cannot do (`docs/host-abi.md`, "What the
    /// stackless runtime cannot do").
    StacklessDeadlock = 31,
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
        Trap::WrongHandleKind,
        Trap::SyncTaskBlocked,
        Trap::NoAsyncResult,
        Trap::TaskReturnInvalid,
        Trap::TaskReturnedTwice,
        Trap::UnsupportedCallbackCode,
        Trap::WaitableSetNotEmpty,
        Trap::SubtaskNotResolved,
        Trap::BackpressureOverflow,
        Trap::Deadlock,
        Trap::EventOutOfBounds,
        Trap::StacklessDeadlock,
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
            Trap::WrongHandleKind => "handle of the wrong kind",
            Trap::SyncTaskBlocked => "a synchronous task cannot block",
            Trap::NoAsyncResult => "async task exited without returning its result",
            Trap::TaskReturnInvalid => "invalid `task.return` for this task",
            Trap::TaskReturnedTwice => "`task.return` called twice",
            Trap::UnsupportedCallbackCode => "unsupported callback code",
            Trap::WaitableSetNotEmpty => "waitable set dropped while not empty",
            Trap::SubtaskNotResolved => "subtask dropped before its result was delivered",
            Trap::BackpressureOverflow => "backpressure counter out of range",
            Trap::Deadlock => "deadlock: every task is waiting",
            Trap::EventOutOfBounds => "event pointer out of bounds or misaligned",
            Trap::StacklessDeadlock => {
                "a wait further down the stack must resume first (stackless runtime)"
            }
        }
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (fact trap {})", self.message(), self.code())
    }
}

impl core::error::Error for Trap {}
