//! The import table of an adapter module.
//!
//! Plain data, constructible in a `const` (the macro emits it as a
//! constant): `Cow<'static, str>` names, enums and integers. The table has
//! one [`Import`] per import of the module, in import order;
//! `docs/host-abi.md` says what a host must supply for each [`ImportKind`].

use alloc::borrow::Cow;

/// One import of an adapter module and what the host must supply for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Import {
    /// The import's module name.
    pub module: Cow<'static, str>,
    /// The import's field name.
    pub name: Cow<'static, str>,
    /// What it is.
    pub kind: ImportKind,
}

/// What the host plugs into one import of an adapter module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    /// The linear memory of an instance (module `instance-N`, name `memory`
    /// or `memory64`).
    Memory {
        /// The instance.
        instance: u32,
        /// Whether this is a 64-bit memory.
        memory64: bool,
    },
    /// The `realloc` of an instance, for its memory of the given address type:
    /// `(old_ptr, old_size, align, new_size) -> ptr` (module `instance-N`,
    /// name `realloc` or `realloc64`).
    Realloc {
        /// The instance.
        instance: u32,
        /// Whether it allocates in the instance's 64-bit memory.
        memory64: bool,
    },
    /// The instance-flags global of an instance: a mutable `i32` whose bit 0
    /// is `may_leave` and bit 1 `may_enter` (module `instance-N`, name
    /// `flags`). The host creates it with the value 3.
    Flags {
        /// The instance.
        instance: u32,
    },
    /// The lifted core function an adapter calls (module `callee`, name: the
    /// adapter's export name).
    Callee {
        /// Index of the adapter in the export list.
        adapter: u32,
    },
    /// The `post-return` function of an adapter's callee (module
    /// `post-return`, name: the adapter's export name).
    PostReturn {
        /// Index of the adapter in the export list.
        adapter: u32,
    },
    /// `(code: i32) -> ()`: must not return; the host raises
    /// [`Trap`](crate::Trap) `code` (module `fact`, name `trap`).
    Trap,
    /// A string transcoding intrinsic between two memories (module
    /// `transcode`).
    Transcode {
        /// Which transcoding.
        op: Transcode,
        /// Instance whose memory is read.
        src_instance: u32,
        /// Whether the source memory is 64-bit.
        src_memory64: bool,
        /// Instance whose memory is written.
        dst_instance: u32,
        /// Whether the destination memory is 64-bit.
        dst_memory64: bool,
    },
    /// A string validation intrinsic (module `validate`, name
    /// `utf8:<instance>:32`, `utf16:<instance>:32`, or `:64` for a 64-bit
    /// memory): `(ptr, len) -> ()` in the memory's address type, trapping
    /// unless the `len` code units at `ptr` are in bounds, aligned and
    /// well-formed. It writes nothing: an adapter follows it with a
    /// `memory.copy` when source and destination encodings are the same.
    Validate {
        /// Whether the string is UTF-16 (else UTF-8).
        utf16: bool,
        /// The instance whose memory holds the string.
        instance: u32,
        /// Whether that memory is 64-bit.
        memory64: bool,
    },
    /// The async runtime's entry for adapter `adapter` of an `async`
    /// function (module `async`, name `call:<adapter>`), with the
    /// adapter's own core type: it runs the call as
    /// [`Export::async_call`](crate::Export::async_call) says and returns
    /// what the adapter returns.
    AsyncCall {
        /// Index of the adapter in the export list.
        adapter: u32,
    },
    /// `(handle: i32) -> i32`: gives `dst_instance` an index of its own to
    /// the error-context `handle` of `src_instance`, which keeps its index
    /// (`lift_error_context` then `lower_error_context`; module
    /// `error-context`, name `transfer:<src>:<dst>`).
    ErrorContextTransfer {
        /// The instance the error-context is passed from.
        src_instance: u32,
        /// The instance it is passed to.
        dst_instance: u32,
    },
    /// A resource-handle intrinsic for calls from `src_instance` to
    /// `dst_instance` (module `resource`, name `<op>:<src>:<dst>`).
    Resource {
        /// Which operation.
        op: ResourceOp,
        /// The instance handles are taken from (the caller for parameters,
        /// the callee for results).
        src_instance: u32,
        /// The instance handles are given to.
        dst_instance: u32,
    },
}

/// The resource-handle intrinsics of the host ABI: the Canonical ABI's
/// `lift_own`/`lower_own`, `lift_borrow`/`lower_borrow` and the borrow scope
/// of a call (`Subtask.add_lender`/`deliver_resolve`, `Task.num_borrows`),
/// over the host's handle tables. `type` arguments index
/// the module's resource list ([`Resource`](crate::Resource)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceOp {
    /// `() -> ()`: a call from `src` to `dst` begins; borrows lent or
    /// received until the matching [`ResourceOp::ExitCall`] belong to it.
    EnterCall,
    /// `() -> ()`: the callee returned: trap
    /// [`BorrowNotDropped`](crate::Trap::BorrowNotDropped) if it still holds a
    /// borrowed handle of this call; end the caller's lends.
    ExitCall,
    /// `(handle: i32, type: i32) -> i32`: remove the `own` handle from
    /// `src`'s table and add an `own` handle of the same resource to `dst`'s;
    /// return the new index.
    TransferOwn,
    /// `(handle: i32, type: i32) -> i32`: lend `src`'s handle for the call
    /// and add a borrowed handle of the same resource to `dst`'s table;
    /// return its index.
    TransferBorrow,
    /// `(handle: i32, type: i32) -> i32`: lend `src`'s handle for the call
    /// and return its representation: `dst` implements the resource, so it
    /// receives the representation itself (`lower_borrow`).
    BorrowRep,
}

impl ResourceOp {
    /// Every operation.
    pub const ALL: &'static [ResourceOp] = &[
        ResourceOp::EnterCall,
        ResourceOp::ExitCall,
        ResourceOp::TransferOwn,
        ResourceOp::TransferBorrow,
        ResourceOp::BorrowRep,
    ];

    /// The name of this intrinsic in the host ABI.
    pub const fn name(self) -> &'static str {
        match self {
            ResourceOp::EnterCall => "enter-call",
            ResourceOp::ExitCall => "exit-call",
            ResourceOp::TransferOwn => "transfer-own",
            ResourceOp::TransferBorrow => "transfer-borrow",
            ResourceOp::BorrowRep => "borrow-rep",
        }
    }

    /// Whether it takes `(handle, type)` and returns an `i32`.
    pub const fn transfers(self) -> bool {
        !matches!(self, ResourceOp::EnterCall | ResourceOp::ExitCall)
    }
}

/// The string intrinsics of the host ABI. Each reads a range of the source
/// memory and writes a range of the destination memory, checking both ranges
/// itself; `docs/host-abi.md` gives the exact contract.
///
/// All take `(src, len, dst)`: `src` and `len` (code units of the source
/// encoding) in the source memory's address type, `dst` in the destination's.
/// Those that return a value return it in the destination's address type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transcode {
    /// `-> ()`: validate `len` bytes of UTF-8 at `src` and copy them to
    /// `dst`. (The compiler now validates with [`ImportKind::Validate`] and
    /// copies with `memory.copy`; hosts still serve this intrinsic.)
    CopyUtf8,
    /// `-> ()`: validate `len` UTF-16 code units at `src` and copy them to
    /// `dst` (`2 * len` bytes). (Superseded as [`Transcode::CopyUtf8`].)
    CopyUtf16,
    /// `-> tagged_len`: validate `len` UTF-16 code units at `src`; if all are
    /// below 256, write them to `dst` as Latin-1 and return `len`, else copy
    /// them as UTF-16 and return `len | UTF16_TAG`
    /// (`store_probably_utf16_to_latin1_or_utf16`). `dst` spans `2 * len`
    /// bytes.
    Utf16ToCompact,
    /// `-> ()`: widen `len` Latin-1 bytes at `src` to UTF-16 at `dst`
    /// (`2 * len` bytes).
    Latin1ToUtf16,
    /// `-> code_units`: validate `len` bytes of UTF-8 at `src` and write
    /// them as UTF-16 at `dst` (room for `2 * len` bytes); returns the number
    /// of code units written.
    Utf8ToUtf16,
    /// `-> i`: validate `len` UTF-16 code units at `src`, copy the leading
    /// ASCII code units (below 0x80) to `dst` as bytes (room for `len`
    /// bytes), stop at the first other one; returns how many were copied.
    Utf16AsciiPrefix,
    /// `-> i`: copy the leading ASCII bytes (below 0x80) of the `len`
    /// Latin-1 bytes at `src` to `dst` (room for `len` bytes); returns how
    /// many were copied.
    Latin1AsciiPrefix,
    /// `-> bytes`: validate `len` UTF-16 code units at `src` and write them
    /// as UTF-8 at `dst` (room for `3 * len` bytes); returns the bytes
    /// written.
    Utf16ToUtf8,
    /// `-> bytes`: write the `len` Latin-1 bytes at `src` as UTF-8 at `dst`
    /// (room for `2 * len` bytes); returns the bytes written.
    Latin1ToUtf8,
    /// `-> n or all-ones`: validate `len` bytes of UTF-8 at `src`; write the
    /// leading code points below 256 to `dst` as Latin-1 bytes (room for
    /// `len` bytes) until one is not; return how many were written if all
    /// were, else all ones (`-1`).
    Utf8ToLatin1,
    /// `-> n or all-ones`: as [`Transcode::Utf8ToLatin1`], from `len` UTF-16
    /// code units (validated) at `src`.
    Utf16ToLatin1,
}

impl Transcode {
    /// Every intrinsic.
    pub const ALL: &'static [Transcode] = &[
        Transcode::CopyUtf8,
        Transcode::CopyUtf16,
        Transcode::Utf16ToCompact,
        Transcode::Latin1ToUtf16,
        Transcode::Utf8ToUtf16,
        Transcode::Utf16AsciiPrefix,
        Transcode::Latin1AsciiPrefix,
        Transcode::Utf16ToUtf8,
        Transcode::Latin1ToUtf8,
        Transcode::Utf8ToLatin1,
        Transcode::Utf16ToLatin1,
    ];

    /// The name of this intrinsic in the host ABI.
    pub const fn name(self) -> &'static str {
        match self {
            Transcode::CopyUtf8 => "copy-utf8",
            Transcode::CopyUtf16 => "copy-utf16",
            Transcode::Utf16ToCompact => "utf16-to-compact",
            Transcode::Latin1ToUtf16 => "latin1-to-utf16",
            Transcode::Utf8ToUtf16 => "utf8-to-utf16",
            Transcode::Utf16AsciiPrefix => "utf16-ascii-prefix",
            Transcode::Latin1AsciiPrefix => "latin1-ascii-prefix",
            Transcode::Utf16ToUtf8 => "utf16-to-utf8",
            Transcode::Latin1ToUtf8 => "latin1-to-utf8",
            Transcode::Utf8ToLatin1 => "utf8-to-latin1",
            Transcode::Utf16ToLatin1 => "utf16-to-latin1",
        }
    }

    /// Whether the intrinsic returns a value.
    pub const fn returns_length(self) -> bool {
        !matches!(
            self,
            Transcode::CopyUtf8 | Transcode::CopyUtf16 | Transcode::Latin1ToUtf16
        )
    }
}
