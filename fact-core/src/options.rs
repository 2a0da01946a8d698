//! Canonical ABI options of one side of a call (`canon lift` or `canon lower`).
//!
//! The spec (`CanonicalABI.md`, "Canonical ABI Options") gives each side its
//! own string encoding, memory, `realloc` and, for the lifting side,
//! `post-return`. The adapter reads values with the lowering side's options and
//! writes them with the lifting side's, and the other way for results.

pub use fact_host::StringEncoding;

/// Identifies a component instance.
///
/// Adapters that share an instance share its imports: one memory per address
/// type, one `realloc`, one instance-flags global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(pub u32);

/// The address type of a linear memory: 32-bit, or 64-bit (memory64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MemoryType {
    /// A 32-bit memory: pointers and lengths are `i32`.
    #[default]
    Memory32,
    /// A 64-bit memory: pointers and lengths are `i64`.
    Memory64,
}

impl MemoryType {
    /// Whether this is a 64-bit memory.
    pub const fn is_64(self) -> bool {
        matches!(self, MemoryType::Memory64)
    }

    /// Size in bytes of a pointer or length in this memory.
    pub const fn ptr_size(self) -> u32 {
        match self {
            MemoryType::Memory32 => 4,
            MemoryType::Memory64 => 8,
        }
    }
}

/// The canonical options of one side of an adapted call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CanonOptions {
    /// The component instance this side belongs to.
    pub instance: InstanceId,
    /// `string-encoding=`.
    pub string_encoding: StringEncoding,
    /// `(memory ..)`, or `None` when the side has no memory.
    pub memory: Option<MemoryType>,
    /// `(realloc ..)`: whether the side has a `realloc` function.
    pub realloc: bool,
    /// `(post-return ..)`: only meaningful on the lifting side.
    pub post_return: bool,
    /// `async`: the side lowers (or lifts) the function with the async
    /// ABI. Only for `async` function types (component-model #646).
    pub async_: bool,
    /// `(callback ..)`: the lifting side, with `async`, runs the task with
    /// a callback (stackless). `async` without a callback (a stackful
    /// lift) needs stack switching, which `fact` does not use.
    pub callback: bool,
}

impl CanonOptions {
    /// Options for `instance` with a 32-bit memory, a `realloc`, utf8 strings
    /// and no `post-return`: what most toolchains produce.
    pub const fn new(instance: InstanceId) -> Self {
        CanonOptions {
            instance,
            string_encoding: StringEncoding::Utf8,
            memory: Some(MemoryType::Memory32),
            realloc: true,
            post_return: false,
            async_: false,
            callback: false,
        }
    }

    /// Sets the string encoding.
    pub const fn string_encoding(mut self, encoding: StringEncoding) -> Self {
        self.string_encoding = encoding;
        self
    }

    /// Sets the memory (or none).
    pub const fn memory(mut self, memory: Option<MemoryType>) -> Self {
        self.memory = memory;
        self
    }

    /// Sets whether the side has a `realloc`.
    pub const fn realloc(mut self, realloc: bool) -> Self {
        self.realloc = realloc;
        self
    }

    /// Sets `async` (and, for a lifting side, whether it has a `callback`).
    pub const fn async_(mut self, async_: bool, callback: bool) -> Self {
        self.async_ = async_;
        self.callback = callback;
        self
    }

    /// Sets whether the (lifting) side has a `post-return`.
    pub const fn post_return(mut self, post_return: bool) -> Self {
        self.post_return = post_return;
        self
    }
}
