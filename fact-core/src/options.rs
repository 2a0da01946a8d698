//! Canonical ABI options of one side of a call (`canon lift` or `canon lower`).
//!
//! The spec (`CanonicalABI.md`, "Canonical ABI Options") gives each side its
//! own string encoding, memory, `realloc` and, for the lifting side,
//! `post-return`. The adapter reads values with the lowering side's options and
//! writes them with the lifting side's, and the other way for results.

use core::fmt;
use core::str::FromStr;

/// Identifies a component instance.
///
/// Adapters that share an instance share its imports: one memory per address
/// type, one `realloc`, one instance-flags global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(pub u32);

/// How a side encodes strings in its linear memory (`string-encoding=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum StringEncoding {
    /// `utf8`: the length counts bytes.
    #[default]
    Utf8,
    /// `utf16`: little-endian code units, the length counts code units.
    Utf16,
    /// `latin1+utf16`: Latin-1 bytes, or UTF-16 code units when the length has
    /// its top bit (the UTF-16 tag) set.
    CompactUtf16,
}

impl StringEncoding {
    /// The name the Component Model gives this encoding.
    pub const fn name(self) -> &'static str {
        match self {
            StringEncoding::Utf8 => "utf8",
            StringEncoding::Utf16 => "utf16",
            StringEncoding::CompactUtf16 => "latin1+utf16",
        }
    }
}

impl fmt::Display for StringEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for StringEncoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "utf8" => Ok(StringEncoding::Utf8),
            "utf16" => Ok(StringEncoding::Utf16),
            "latin1+utf16" | "compact-utf16" => Ok(StringEncoding::CompactUtf16),
            _ => Err(format!(
                "unknown string encoding `{s}`: expected `utf8`, `utf16` or `latin1+utf16`"
            )),
        }
    }
}

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

    /// Sets whether the (lifting) side has a `post-return`.
    pub const fn post_return(mut self, post_return: bool) -> Self {
        self.post_return = post_return;
        self
    }
}
