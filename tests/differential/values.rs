//! Random values of a [`Ty`], and their encoding by the side that hands them
//! over (the caller's arguments, the callee's results) exactly as the
//! Canonical ABI lays them out (`store`, `lower_flat`, `lower_flat_values`
//! of `definitions.py`) for that side's string encoding and pointer size.
//!
//! The encoder records every *site* where a value could be made invalid (a
//! pointer, a length, a discriminant, a `char`, string bytes, ...), so that
//! a mutation can corrupt one of them afterwards.

use super::abi::{self, CoreTy};
use super::types::{Res, Ty};
use arbitrary::{Result, Unstructured};
use fact_core::StringEncoding;

/// A value of a [`Ty`].
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Bool(bool),
    /// Any integer, as its two's-complement bits (sign-extended to 64).
    Int(u64),
    F32(u32),
    F64(u64),
    Char(char),
    /// A string, and whether a `latin1+utf16` caller writes it as UTF-16
    /// even though it would fit Latin-1 (allowed, and a different path).
    String(String, bool),
    /// A list, fixed-length list or map (entries are records `[k, v]`).
    List(Vec<Val>),
    /// A record or tuple.
    Record(Vec<Val>),
    /// A variant, enum, option or result: case index and payload.
    Variant(u32, Option<Box<Val>>),
    Flags(u32),
    /// A resource handle (`own` or `borrow`): the representation of the
    /// resource it refers to. The side that hands it over creates the
    /// handle when the case runs (see [`HandleSlot`]).
    Handle(u32),
}

const CHARS: &[char] = &[
    'a',
    'b',
    'z',
    '0',
    ' ',
    '\0',
    '\x7f',
    'é',
    'ÿ',
    '\u{80}',
    'Ā',
    '€',
    '中',
    '\u{ffff}',
    '\u{d7ff}',
    '\u{e000}',
    '😀',
    '\u{10ffff}',
    '\u{10000}',
];

/// Bounds of the value generator.
#[derive(Debug, Clone, Copy)]
pub struct ValLimits {
    /// Nodes left: once spent, lists, maps and strings are empty.
    pub budget: u32,
    /// Only strings that fit Latin-1, never written as UTF-16 by a
    /// `latin1+utf16` side (see `Config::utf16_tag_in_memory64`).
    pub latin1_only: bool,
}

/// A random value of `ty`.
pub fn arbitrary_val(u: &mut Unstructured<'_>, ty: &Ty, g: &mut ValLimits) -> Result<Val> {
    g.budget = g.budget.saturating_sub(1);
    let int = |u: &mut Unstructured<'_>, bits: u32, signed: bool| -> Result<Val> {
        let raw: u64 = match u.int_in_range(0..=3)? {
            0 => 0,
            1 => u64::MAX,
            _ => u.arbitrary()?,
        };
        let v = if bits == 64 {
            raw
        } else if signed {
            let shift = 64 - bits;
            (((raw << shift) as i64) >> shift) as u64
        } else {
            raw & ((1u64 << bits) - 1)
        };
        Ok(Val::Int(v))
    };
    Ok(match ty {
        Ty::Bool => Val::Bool(u.arbitrary()?),
        Ty::S8 => int(u, 8, true)?,
        Ty::U8 => int(u, 8, false)?,
        Ty::S16 => int(u, 16, true)?,
        Ty::U16 => int(u, 16, false)?,
        Ty::S32 => int(u, 32, true)?,
        Ty::U32 => int(u, 32, false)?,
        Ty::S64 => int(u, 64, true)?,
        Ty::U64 => int(u, 64, false)?,
        Ty::F32 => Val::F32(match u.int_in_range(0..=4)? {
            0 => *u.choose(&[
                0x7fc0_0000,
                0xffc0_0001,
                0x7f80_0001,
                0x8000_0000,
                0x7f80_0000,
            ])?,
            _ => u.arbitrary()?,
        }),
        Ty::F64 => Val::F64(match u.int_in_range(0..=4)? {
            0 => *u.choose(&[
                0x7ff8_0000_0000_0000,
                0xfff8_0000_0000_0001,
                0x7ff0_0000_0000_0001,
                0x8000_0000_0000_0000,
            ])?,
            _ => u.arbitrary()?,
        }),
        Ty::Char => Val::Char(*u.choose(CHARS)?),
        Ty::String => {
            let n = if g.budget == 0 {
                0
            } else {
                u.int_in_range(0..=6)?
            };
            // Mostly one "alphabet" per string, so that Latin-1 strings
            // and pure ASCII strings are common.
            let alphabet: &[char] = match u.int_in_range(0..=3)? {
                0 => &CHARS[..7],
                _ if g.latin1_only => &CHARS[..10],
                1 => &CHARS[..10],
                _ => CHARS,
            };
            let mut s = String::new();
            for _ in 0..n {
                s.push(*u.choose(alphabet)?);
            }
            Val::String(s, !g.latin1_only && u.ratio(1, 4)?)
        }
        Ty::List(t) => {
            let n = if g.budget == 0 {
                0
            } else {
                u.int_in_range(0..=4)?
            };
            Val::List(
                (0..n)
                    .map(|_| arbitrary_val(u, t, g))
                    .collect::<Result<_>>()?,
            )
        }
        Ty::FixedList(t, n) => Val::List(
            (0..*n)
                .map(|_| arbitrary_val(u, t, g))
                .collect::<Result<_>>()?,
        ),
        Ty::Map(k, v) => {
            let n = if g.budget == 0 {
                0
            } else {
                u.int_in_range(0..=3)?
            };
            let entry = Ty::map_entry(k, v);
            Val::List(
                (0..n)
                    .map(|_| arbitrary_val(u, &entry, g))
                    .collect::<Result<_>>()?,
            )
        }
        Ty::Record(fs) | Ty::Tuple(fs) => Val::Record(
            fs.iter()
                .map(|f| arbitrary_val(u, f, g))
                .collect::<Result<_>>()?,
        ),
        Ty::Own(_) | Ty::Borrow(_) => Val::Handle(u.arbitrary()?),
        Ty::Flags(n) => {
            let bits: u32 = u.arbitrary()?;
            Val::Flags(if *n == 32 {
                bits
            } else {
                bits & ((1 << n) - 1)
            })
        }
        _ => {
            let cases = ty.cases().unwrap();
            let i = u.choose_index(cases.len())?;
            let payload = match &cases[i] {
                Some(t) => Some(Box::new(arbitrary_val(u, t, g)?)),
                None => None,
            };
            Val::Variant(i as u32, payload)
        }
    })
}

/// A flat core value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flat {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
}

impl Flat {
    /// The value as a WAT constant expression.
    pub fn wat(self) -> String {
        match self {
            Flat::I32(x) => format!("(i32.const {})", x as i32),
            Flat::I64(x) => format!("(i64.const {})", x as i64),
            Flat::F32(x) => format!("(f32.reinterpret_i32 (i32.const {}))", x as i32),
            Flat::F64(x) => format!("(f64.reinterpret_i64 (i64.const {}))", x as i64),
        }
    }

    fn zero(ty: CoreTy) -> Flat {
        match ty {
            CoreTy::I32 => Flat::I32(0),
            CoreTy::I64 => Flat::I64(0),
            CoreTy::F32 => Flat::F32(0),
            CoreTy::F64 => Flat::F64(0),
        }
    }

    /// `lower_flat_variant`'s coercion of a payload value to the joined type.
    fn coerce(self, to: CoreTy) -> Flat {
        match (self, to) {
            (Flat::F32(x), CoreTy::I32) => Flat::I32(x),
            (Flat::I32(x) | Flat::F32(x), CoreTy::I64) => Flat::I64(u64::from(x)),
            (Flat::F64(x), CoreTy::I64) => Flat::I64(x),
            (v, _) => v,
        }
    }

    /// The same slot with other bits.
    pub fn with_bits(self, bits: u64) -> Flat {
        match self {
            Flat::I32(_) => Flat::I32(bits as u32),
            Flat::I64(_) => Flat::I64(bits),
            Flat::F32(_) => Flat::F32(bits as u32),
            Flat::F64(_) => Flat::F64(bits),
        }
    }
}

/// Bytes destined for a region of a linear memory, starting at `base`.
#[derive(Debug, Clone, Default)]
pub struct Image {
    pub base: u64,
    pub bytes: Vec<u8>,
}

impl Image {
    /// An empty image starting at `base`.
    pub fn new(base: u64) -> Self {
        Image {
            base,
            bytes: Vec::new(),
        }
    }

    /// Allocates `size` zeroed bytes aligned to `align`.
    pub fn alloc(&mut self, align: u64, size: u64) -> u64 {
        let at = abi::align_to(self.base + self.bytes.len() as u64, align.max(1));
        let end = (at + size - self.base) as usize;
        self.bytes.resize(end, 0);
        at
    }

    /// Writes `bytes` at address `addr` (inside the image).
    pub fn write(&mut self, addr: u64, bytes: &[u8]) {
        let at = (addr - self.base) as usize;
        self.bytes[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Reads `len` bytes at `addr`.
    pub fn read(&self, addr: u64, len: usize) -> &[u8] {
        let at = (addr - self.base) as usize;
        &self.bytes[at..at + len]
    }
}

/// Where a site lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// A flat value, by index.
    Flat(usize),
    /// Bytes in the image.
    Mem { addr: u64, size: u64 },
}

/// What is at a site, i.e. how it can be corrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteKind {
    /// A pointer to memory that must be aligned to `align`.
    Ptr {
        align: u64,
    },
    /// A list length (`elem` bytes per element) or a string length
    /// (`elem` bytes per code unit, `compact` for `latin1+utf16`).
    Len {
        elem: u64,
        compact: bool,
    },
    /// A discriminant of a variant with `cases` cases.
    Disc {
        cases: u32,
    },
    Char,
    Bool,
    /// A flags value with `labels` labels.
    Flags {
        labels: u32,
    },
    /// A `u8`/`s8`/`u16`/`s16` in a flat `i32`.
    Narrow,
    /// The code units of a string in this encoding (`Loc::Mem`).
    StrBytes {
        utf16: bool,
        latin1: bool,
    },
    /// A handle: [`HandleSlot`] number `slot` of its side.
    Handle {
        slot: usize,
    },
}

/// What a handle site holds when the case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandleSrc {
    /// The handle created for this slot (a valid value).
    Fresh,
    /// This index instead (a corruption: the slot's handle is still
    /// created).
    Index(u32),
    /// The handle created for another slot of the same side.
    Slot(usize),
}

/// A handle that the side handing over a value creates when the case runs,
/// just before the call (the caller, with `make-r` or `make-s`) or before it
/// returns (the callee, with `resource.new` or `make-s`), and where it puts
/// it. Handle indices are only known at run time, so the encoding holds 0
/// there and the side's code writes the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandleSlot {
    pub res: Res,
    pub rep: u32,
    pub borrow: bool,
    /// The flat value or the 4 bytes of memory it goes to.
    pub loc: Loc,
    pub src: HandleSrc,
}

/// A place where a valid encoding can be made invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    pub loc: Loc,
    pub kind: SiteKind,
}

/// Encodes values as one side of a call lays them out.
#[derive(Debug)]
pub struct Encoder<'a> {
    pub img: &'a mut Image,
    pub mem64: bool,
    pub encoding: StringEncoding,
    pub sites: Vec<Site>,
    pub flat: Vec<Flat>,
    /// The handles of the values, in the order the values are lowered
    /// (the order in which the receiving side lifts them).
    pub handles: Vec<HandleSlot>,
}

impl<'a> Encoder<'a> {
    /// An encoder that allocates in `img`.
    pub fn new(img: &'a mut Image, mem64: bool, encoding: StringEncoding) -> Self {
        Encoder {
            img,
            mem64,
            encoding,
            sites: Vec::new(),
            flat: Vec::new(),
            handles: Vec::new(),
        }
    }

    /// Records a handle to be created for `loc`; returns its site kind.
    fn handle(&mut self, ty: &Ty, rep: u32, loc: Loc) -> SiteKind {
        let (res, borrow) = match ty {
            Ty::Own(r) => (*r, false),
            Ty::Borrow(r) => (*r, true),
            _ => unreachable!("not a handle type"),
        };
        self.handles.push(HandleSlot {
            res,
            rep,
            borrow,
            loc,
            src: HandleSrc::Fresh,
        });
        SiteKind::Handle {
            slot: self.handles.len() - 1,
        }
    }

    fn ptr_size(&self) -> u64 {
        if self.mem64 {
            8
        } else {
            4
        }
    }

    fn write_uint(&mut self, addr: u64, value: u64, size: u64) {
        let bytes = value.to_le_bytes();
        self.img.write(addr, &bytes[..size as usize]);
    }

    fn site_mem(&mut self, addr: u64, size: u64, kind: SiteKind) {
        self.sites.push(Site {
            loc: Loc::Mem { addr, size },
            kind,
        });
    }

    fn push_flat(&mut self, v: Flat, kind: Option<SiteKind>) {
        if let Some(kind) = kind {
            self.sites.push(Site {
                loc: Loc::Flat(self.flat.len()),
                kind,
            });
        }
        self.flat.push(v);
    }

    fn ptr_flat(&self, v: u64) -> Flat {
        if self.mem64 {
            Flat::I64(v)
        } else {
            Flat::I32(v as u32)
        }
    }

    /// Writes a string's code units into a fresh buffer: `(ptr, tagged
    /// length, code unit size)`.
    fn string_buffer(&mut self, s: &str, force_utf16: bool) -> (u64, u64, u64) {
        let tag = if self.mem64 { 1 << 63 } else { 1 << 31 };
        let (bytes, len, unit, align, utf16, latin1) = match self.encoding {
            StringEncoding::Utf8 => (s.as_bytes().to_vec(), s.len() as u64, 1, 1, false, false),
            StringEncoding::Utf16 => {
                let units: Vec<u16> = s.encode_utf16().collect();
                let b = units.iter().flat_map(|u| u.to_le_bytes()).collect();
                (b, units.len() as u64, 2, 2, true, false)
            }
            StringEncoding::CompactUtf16 => {
                if !force_utf16 && s.chars().all(|c| (c as u32) < 256) {
                    let b: Vec<u8> = s.chars().map(|c| c as u8).collect();
                    let n = b.len() as u64;
                    (b, n, 1, 2, false, true)
                } else {
                    let units: Vec<u16> = s.encode_utf16().collect();
                    let b = units.iter().flat_map(|u| u.to_le_bytes()).collect();
                    (b, units.len() as u64 | tag, 2, 2, true, false)
                }
            }
        };
        let ptr = self.img.alloc(align, bytes.len() as u64);
        self.img.write(ptr, &bytes);
        if !bytes.is_empty() {
            self.site_mem(
                ptr,
                bytes.len() as u64,
                SiteKind::StrBytes { utf16, latin1 },
            );
        }
        (ptr, len, unit)
    }

    /// Writes a list's elements into a fresh buffer: `(ptr, len)`.
    fn list_buffer(&mut self, elems: &[Val], elem: &Ty) -> (u64, u64) {
        let size = abi::size(elem, self.mem64);
        let ptr = self
            .img
            .alloc(abi::align(elem, self.mem64), size * elems.len() as u64);
        for (i, e) in elems.iter().enumerate() {
            self.store(e, elem, ptr + i as u64 * size);
        }
        (ptr, elems.len() as u64)
    }

    fn list_elem(ty: &Ty) -> Ty {
        match ty {
            Ty::List(t) => (**t).clone(),
            Ty::Map(k, v) => Ty::map_entry(k, v),
            _ => unreachable!(),
        }
    }

    /// `store(cx, v, t, ptr)`.
    pub fn store(&mut self, v: &Val, ty: &Ty, addr: u64) {
        let ps = self.ptr_size();
        match (ty, v) {
            (Ty::Bool, Val::Bool(b)) => {
                self.write_uint(addr, u64::from(*b), 1);
                self.site_mem(addr, 1, SiteKind::Bool);
            }
            (Ty::Char, Val::Char(c)) => {
                self.write_uint(addr, u64::from(*c), 4);
                self.site_mem(addr, 4, SiteKind::Char);
            }
            (_, Val::Int(x)) => self.write_uint(addr, *x, abi::size(ty, self.mem64)),
            (_, Val::Handle(rep)) => {
                let kind = self.handle(ty, *rep, Loc::Mem { addr, size: 4 });
                self.site_mem(addr, 4, kind);
            }
            (_, Val::F32(x)) => self.write_uint(addr, u64::from(*x), 4),
            (_, Val::F64(x)) => self.write_uint(addr, *x, 8),
            (Ty::String, Val::String(s, force)) => {
                let (ptr, len, unit) = self.string_buffer(s, *force);
                self.write_uint(addr, ptr, ps);
                self.write_uint(addr + ps, len, ps);
                let align = if self.encoding == StringEncoding::Utf8 {
                    1
                } else {
                    2
                };
                self.site_mem(addr, ps, SiteKind::Ptr { align });
                let compact = self.encoding == StringEncoding::CompactUtf16;
                self.site_mem(
                    addr + ps,
                    ps,
                    SiteKind::Len {
                        elem: unit,
                        compact,
                    },
                );
            }
            (Ty::List(_) | Ty::Map(..), Val::List(elems)) => {
                let elem = Self::list_elem(ty);
                let (ptr, len) = self.list_buffer(elems, &elem);
                self.write_uint(addr, ptr, ps);
                self.write_uint(addr + ps, len, ps);
                let align = abi::align(&elem, self.mem64);
                self.site_mem(addr, ps, SiteKind::Ptr { align });
                let elem = abi::size(&elem, self.mem64);
                self.site_mem(
                    addr + ps,
                    ps,
                    SiteKind::Len {
                        elem,
                        compact: false,
                    },
                );
            }
            (Ty::FixedList(t, _), Val::List(elems)) => {
                let size = abi::size(t, self.mem64);
                for (i, e) in elems.iter().enumerate() {
                    self.store(e, t, addr + i as u64 * size);
                }
            }
            (Ty::Record(fs) | Ty::Tuple(fs), Val::Record(vs)) => {
                let offsets = abi::field_offsets(fs, self.mem64);
                for ((f, v), off) in fs.iter().zip(vs).zip(offsets) {
                    self.store(v, f, addr + off);
                }
            }
            (Ty::Flags(n), Val::Flags(bits)) => {
                let size = abi::size(ty, self.mem64);
                self.write_uint(addr, u64::from(*bits), size);
                self.site_mem(addr, size, SiteKind::Flags { labels: *n });
            }
            (_, Val::Variant(case, payload)) => {
                let cases = ty.cases().unwrap();
                let disc = abi::discriminant_size(cases.len());
                self.write_uint(addr, u64::from(*case), disc);
                self.site_mem(
                    addr,
                    disc,
                    SiteKind::Disc {
                        cases: cases.len() as u32,
                    },
                );
                if let (Some(t), Some(p)) = (&cases[*case as usize], payload) {
                    let off = abi::payload_offset(&cases, self.mem64);
                    self.store(p, t, addr + off);
                }
            }
            _ => panic!("value {v:?} does not have type {ty:?}"),
        }
    }

    /// `lower_flat(cx, v, t)`.
    pub fn lower_flat(&mut self, v: &Val, ty: &Ty) {
        match (ty, v) {
            (Ty::Bool, Val::Bool(b)) => {
                self.push_flat(Flat::I32(u32::from(*b)), Some(SiteKind::Bool))
            }
            (Ty::Char, Val::Char(c)) => {
                self.push_flat(Flat::I32(u32::from(*c)), Some(SiteKind::Char))
            }
            (Ty::S8 | Ty::U8 | Ty::S16 | Ty::U16, Val::Int(x)) => {
                self.push_flat(Flat::I32(*x as u32), Some(SiteKind::Narrow))
            }
            (Ty::S32 | Ty::U32, Val::Int(x)) => self.push_flat(Flat::I32(*x as u32), None),
            (_, Val::Int(x)) => self.push_flat(Flat::I64(*x), None),
            (_, Val::Handle(rep)) => {
                let kind = self.handle(ty, *rep, Loc::Flat(self.flat.len()));
                self.push_flat(Flat::I32(0), Some(kind));
            }
            (_, Val::F32(x)) => self.push_flat(Flat::F32(*x), None),
            (_, Val::F64(x)) => self.push_flat(Flat::F64(*x), None),
            (Ty::String, Val::String(s, force)) => {
                let (ptr, len, unit) = self.string_buffer(s, *force);
                let align = if self.encoding == StringEncoding::Utf8 {
                    1
                } else {
                    2
                };
                let compact = self.encoding == StringEncoding::CompactUtf16;
                self.push_flat(self.ptr_flat(ptr), Some(SiteKind::Ptr { align }));
                self.push_flat(
                    self.ptr_flat(len),
                    Some(SiteKind::Len {
                        elem: unit,
                        compact,
                    }),
                );
            }
            (Ty::List(_) | Ty::Map(..), Val::List(elems)) => {
                let elem = Self::list_elem(ty);
                let (ptr, len) = self.list_buffer(elems, &elem);
                let align = abi::align(&elem, self.mem64);
                self.push_flat(self.ptr_flat(ptr), Some(SiteKind::Ptr { align }));
                let elem = abi::size(&elem, self.mem64);
                self.push_flat(
                    self.ptr_flat(len),
                    Some(SiteKind::Len {
                        elem,
                        compact: false,
                    }),
                );
            }
            (Ty::FixedList(t, _), Val::List(elems)) => {
                for e in elems {
                    self.lower_flat(e, t);
                }
            }
            (Ty::Record(fs) | Ty::Tuple(fs), Val::Record(vs)) => {
                for (f, v) in fs.iter().zip(vs) {
                    self.lower_flat(v, f);
                }
            }
            (Ty::Flags(n), Val::Flags(bits)) => {
                self.push_flat(Flat::I32(*bits), Some(SiteKind::Flags { labels: *n }))
            }
            (_, Val::Variant(case, payload)) => {
                let cases = ty.cases().unwrap();
                let joined = abi::flatten_variant(&cases, self.mem64);
                self.push_flat(
                    Flat::I32(*case),
                    Some(SiteKind::Disc {
                        cases: cases.len() as u32,
                    }),
                );
                let start = self.flat.len();
                if let (Some(t), Some(p)) = (&cases[*case as usize], payload) {
                    self.lower_flat(p, t);
                }
                for (i, want) in joined[1..].iter().enumerate() {
                    let at = start + i;
                    if at < self.flat.len() {
                        self.flat[at] = self.flat[at].coerce(*want);
                    } else {
                        self.flat.push(Flat::zero(*want));
                    }
                }
            }
            _ => panic!("value {v:?} does not have type {ty:?}"),
        }
    }

    /// `lower_flat_values` for a function's parameters (`max_flat` 16) or
    /// result (`max_flat` 1, `lift` context: the callee returns a pointer).
    pub fn lower_values(&mut self, vals: &[Val], tys: &[Ty], max_flat: usize) {
        let flat = abi::flatten_all(tys, self.mem64);
        if flat.len() > max_flat {
            let tuple = Ty::Tuple(tys.to_vec());
            let ptr = self.img.alloc(
                abi::align(&tuple, self.mem64),
                abi::size(&tuple, self.mem64),
            );
            self.store(&Val::Record(vals.to_vec()), &tuple, ptr);
            let align = abi::align(&tuple, self.mem64);
            self.push_flat(self.ptr_flat(ptr), Some(SiteKind::Ptr { align }));
        } else {
            for (v, t) in vals.iter().zip(tys) {
                self.lower_flat(v, t);
            }
        }
    }

    /// Reserves the caller's return area for `result` and passes its
    /// pointer (`flatten_functype` in `lower` context).
    pub fn return_area(&mut self, result: &Ty) {
        let align = abi::align(result, self.mem64);
        let ptr = self.img.alloc(align, abi::size(result, self.mem64));
        self.push_flat(self.ptr_flat(ptr), Some(SiteKind::Ptr { align }));
    }
}

/// Short human-readable spelling of a value.
pub fn describe(v: &Val) -> String {
    let list = |vs: &[Val]| vs.iter().map(describe).collect::<Vec<_>>().join(", ");
    match v {
        Val::Bool(b) => b.to_string(),
        Val::Int(x) => format!("{:#x}", x),
        Val::F32(x) => format!("f32:{x:#x}"),
        Val::F64(x) => format!("f64:{x:#x}"),
        Val::Char(c) => format!("{c:?}"),
        Val::String(s, force) => format!("{s:?}{}", if *force { "(utf16)" } else { "" }),
        Val::List(vs) => format!("[{}]", list(vs)),
        Val::Record(vs) => format!("{{{}}}", list(vs)),
        Val::Variant(c, p) => match p {
            Some(p) => format!("c{c}({})", describe(p)),
            None => format!("c{c}"),
        },
        Val::Flags(b) => format!("flags:{b:#x}"),
        Val::Handle(rep) => format!("handle(rep {rep:#x})"),
    }
}
