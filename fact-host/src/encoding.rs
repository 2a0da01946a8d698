//! String encodings (`string-encoding=` of the canonical options).

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

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
            _ => Err(alloc::format!(
                "unknown string encoding `{s}`: expected `utf8`, `utf16` or `latin1+utf16`"
            )),
        }
    }
}
