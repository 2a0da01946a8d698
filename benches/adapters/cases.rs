//! The cases: the WIT function of each, the bytes the caller passes, and the
//! digest of what the callee must receive.

use fact_core::StringEncoding;

/// Where the caller's data lives in its memory (the caller's `realloc`
/// always returns it).
pub const DATA: u32 = 0x1_0000;
/// Where the callee's bump allocator starts again after every call.
pub const HEAP: u32 = 0x1_0000;
/// Pages of every memory: 4 MiB, enough for the largest case (a 1 MiB list
/// of records and its strings, or a 1 MiB string widened to UTF-16).
pub const PAGES: u32 = 64;
/// The UTF-16 tag of a `latin1+utf16` length in a 32-bit memory.
pub const UTF16_TAG: u32 = 1 << 31;

/// The contents of a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Ascii,
    /// Latin-1, Greek, CJK and an emoji: never Latin-1 as a whole.
    NonAscii,
}

/// The element of a plain list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem {
    U8,
    U32,
    F64,
}

impl Elem {
    pub fn size(self) -> u32 {
        match self {
            Elem::U8 => 1,
            Elem::U32 => 4,
            Elem::F64 => 8,
        }
    }

    fn wit(self) -> &'static str {
        match self {
            Elem::U8 => "u8",
            Elem::U32 => "u32",
            Elem::F64 => "f64",
        }
    }
}

/// What is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `f: func(a: u32, b: u32) -> u32`.
    Scalar,
    /// `f: func(x: string)`.
    String {
        src: StringEncoding,
        dst: StringEncoding,
        content: Content,
    },
    /// `f: func(x: list<T>)`.
    List(Elem),
    /// `f: func(x: list<r>)`, `record r { a: u32, b: string }` with strings
    /// of 16 bytes (utf8 on both sides).
    Records,
}

/// Bytes of the string of every record.
pub const RECORD_STRING: usize = 16;
/// Bytes of a record in memory: `a`, then the string's pointer and length.
pub const RECORD_SIZE: usize = 12;

/// One case.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub kind: Kind,
    /// The size: bytes of the source string, or of the list in the caller's
    /// memory.
    pub size: usize,
}

/// The caller's side of a case, ready to run.
#[derive(Debug, Clone)]
pub struct Input {
    /// Bytes to place at [`DATA`] in the caller's memory.
    pub data: Vec<u8>,
    /// The second flat argument of `f`: the length (tagged for a UTF-16
    /// `latin1+utf16` string), or the number of elements.
    pub arg: u32,
    /// The digest the callee's `digest` must return after one call.
    pub digest: u64,
    /// Bytes that cross per call (the source string, the list, and for
    /// records also their strings): what `memory.copy` moves in the limit.
    pub bytes: usize,
    /// Elements per call (lists), for ns per element.
    pub elements: usize,
}

fn size_name(size: usize) -> String {
    match size {
        s if s >= 1 << 20 && s % (1 << 20) == 0 => format!("{}MiB", s >> 20),
        s if s >= 1 << 10 && s % (1 << 10) == 0 => format!("{}KiB", s >> 10),
        s => format!("{s}B"),
    }
}

/// Every case, in table order.
pub fn all(sizes: &[usize]) -> Vec<Case> {
    use StringEncoding::*;
    let mut cases = vec![Case {
        name: "scalar (u32, u32) -> u32".into(),
        kind: Kind::Scalar,
        size: 0,
    }];
    let encodings = [Utf8, Utf16, CompactUtf16];
    for src in encodings {
        for dst in encodings {
            for content in [Content::Ascii, Content::NonAscii] {
                for &size in sizes {
                    let c = match content {
                        Content::Ascii => "ascii",
                        Content::NonAscii => "non-ascii",
                    };
                    cases.push(Case {
                        name: format!(
                            "string {}->{} {c} {}",
                            src.name(),
                            dst.name(),
                            size_name(size)
                        ),
                        kind: Kind::String { src, dst, content },
                        size,
                    });
                }
            }
        }
    }
    for elem in [Elem::U8, Elem::U32, Elem::F64] {
        for &size in sizes {
            cases.push(Case {
                name: format!("list<{}> {}", elem.wit(), size_name(size)),
                kind: Kind::List(elem),
                size,
            });
        }
    }
    for &size in sizes {
        cases.push(Case {
            name: format!("list<record{{a: u32, b: string}}> {}", size_name(size)),
            kind: Kind::Records,
            size,
        });
    }
    cases
}

impl Case {
    /// The WIT interface `i` declaring `f` (and `r`).
    pub fn wit(&self) -> String {
        let f = match self.kind {
            Kind::Scalar => "f: func(a: u32, b: u32) -> u32;".to_string(),
            Kind::String { .. } => "f: func(x: string);".to_string(),
            Kind::List(e) => format!("f: func(x: list<{}>);", e.wit()),
            Kind::Records => "f: func(x: list<r>);".to_string(),
        };
        format!(
            "package bench:b;\ninterface i {{\n  record r {{ a: u32, b: string }}\n  {f}\n}}\n\
             world w {{ export i; }}\n"
        )
    }

    /// The string encodings of the caller (lowering) and callee (lifting).
    pub fn encodings(&self) -> (StringEncoding, StringEncoding) {
        match self.kind {
            Kind::String { src, dst, .. } => (src, dst),
            _ => (StringEncoding::Utf8, StringEncoding::Utf8),
        }
    }

    /// The caller's data, and what must arrive.
    pub fn input(&self) -> Input {
        match self.kind {
            Kind::Scalar => Input {
                data: Vec::new(),
                arg: 0,
                digest: 0,
                bytes: 0,
                elements: 0,
            },
            Kind::String { src, dst, content } => {
                let text = text(content, src, self.size);
                let (data, arg) = encode(&text, src);
                assert_eq!(data.len(), self.size, "{}", self.name);
                let (out, len) = encode(&text, dst);
                let digest = fnv(fnv(FNV_OFFSET, &len.to_le_bytes()), &out);
                Input {
                    data,
                    arg,
                    digest,
                    bytes: self.size,
                    elements: 0,
                }
            }
            Kind::List(elem) => {
                let n = self.size / elem.size() as usize;
                let mut data = Vec::with_capacity(self.size);
                let mut x = 0x2545_f491_u32;
                for i in 0..n {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    match elem {
                        Elem::U8 => data.push(x as u8),
                        Elem::U32 => data.extend_from_slice(&x.to_le_bytes()),
                        // Finite values: NaN payloads are not the point here.
                        Elem::F64 => {
                            data.extend_from_slice(&(f64::from(x) * 0.5 - i as f64).to_le_bytes())
                        }
                    }
                }
                let digest = fnv(fnv(FNV_OFFSET, &(n as u32).to_le_bytes()), &data);
                Input {
                    data,
                    arg: n as u32,
                    digest,
                    bytes: self.size,
                    elements: n,
                }
            }
            Kind::Records => {
                let n = self.size / RECORD_SIZE;
                let strings = DATA as usize + n * RECORD_SIZE;
                let mut data = Vec::with_capacity(n * (RECORD_SIZE + RECORD_STRING));
                let mut digest = fnv(FNV_OFFSET, &(n as u32).to_le_bytes());
                for i in 0..n {
                    let a = (i as u32).wrapping_mul(7);
                    let ptr = (strings + i * RECORD_STRING) as u32;
                    data.extend_from_slice(&a.to_le_bytes());
                    data.extend_from_slice(&ptr.to_le_bytes());
                    data.extend_from_slice(&(RECORD_STRING as u32).to_le_bytes());
                    digest = fnv(digest, &a.to_le_bytes());
                    digest = fnv(digest, record_string(i).as_bytes());
                }
                for i in 0..n {
                    data.extend_from_slice(record_string(i).as_bytes());
                }
                Input {
                    bytes: data.len(),
                    data,
                    arg: n as u32,
                    digest,
                    elements: n,
                }
            }
        }
    }
}

/// The 16-byte string of record `i`.
fn record_string(i: usize) -> String {
    let s = format!("record-{i:09}");
    assert_eq!(s.len(), RECORD_STRING);
    s
}

/// A text whose encoding in `enc` is exactly `size` bytes.
fn text(content: Content, enc: StringEncoding, size: usize) -> String {
    const ASCII: &str = "The quick brown fox jumps over the lazy dog, 0123456789 times. ";
    const NON_ASCII: &str = "Grüße aus Zürich! Ελληνικά, 東京と大阪, 😀 naïve café. ";
    let pattern = match content {
        Content::Ascii => ASCII,
        Content::NonAscii => NON_ASCII,
    };
    let bytes = |c: char| match enc {
        StringEncoding::Utf8 => c.len_utf8(),
        _ => 2 * c.len_utf16(),
    };
    // A `latin1+utf16` source holds ASCII as Latin-1 (one byte a char) and
    // the non-ASCII text as UTF-16.
    let unit = |c: char| match (enc, content) {
        (StringEncoding::CompactUtf16, Content::Ascii) => 1,
        _ => bytes(c),
    };
    let mut s = String::new();
    let mut used = 0;
    for c in pattern.chars().cycle() {
        if used == size {
            break;
        }
        let c = if used + unit(c) <= size { c } else { 'x' };
        if used + unit(c) > size {
            // Only a 1-byte gap left in a UTF-16 string: cannot happen for
            // even sizes.
            unreachable!("size {size} is odd for {enc:?}");
        }
        used += unit(c);
        s.push(c);
    }
    s
}

/// `s` in `enc`: the bytes and the length argument (code units, tagged for
/// UTF-16 data of `latin1+utf16`).
fn encode(s: &str, enc: StringEncoding) -> (Vec<u8>, u32) {
    let utf16 = || -> (Vec<u8>, u32) {
        let units: Vec<u16> = s.encode_utf16().collect();
        let bytes = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        (bytes, units.len() as u32)
    };
    match enc {
        StringEncoding::Utf8 => (s.as_bytes().to_vec(), s.len() as u32),
        StringEncoding::Utf16 => utf16(),
        StringEncoding::CompactUtf16 => {
            if s.chars().all(|c| (c as u32) < 256) {
                let bytes: Vec<u8> = s.chars().map(|c| c as u8).collect();
                let n = bytes.len() as u32;
                (bytes, n)
            } else {
                let (bytes, n) = utf16();
                (bytes, n | UTF16_TAG)
            }
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, as the callee's `digest` computes it.
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
