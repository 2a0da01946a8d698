//! ABI views of WIT types: kinds, layout and flattening.
//!
//! Layout comes from `wit_parser::SizeAlign` and flattening from
//! `Resolve::push_flat`; both describe a type once for wasm32 and wasm64, and
//! this module picks the side's address type. Types are viewed as the spec's
//! `despecialize` sees them ("Despecialization" in `CanonicalABI.md`): tuples
//! are records, enums/options/results are variants and maps are lists of
//! key-value records, so each rule below has one implementation.

use crate::error::{bail, Error};
use crate::options::MemoryType;
use wasm_encoder::ValType;
use wit_parser::abi::{FlatTypes, WasmType};
use wit_parser::{Handle, Resolve, SizeAlign, Type, TypeDefKind, TypeId};

/// `MAX_FLAT_PARAMS` of the spec.
pub(crate) const MAX_FLAT_PARAMS: usize = 16;
/// `MAX_FLAT_RESULTS` of the spec.
pub(crate) const MAX_FLAT_RESULTS: usize = 1;
/// `MAX_STRING_BYTE_LENGTH` and `MAX_LIST_BYTE_LENGTH` of the spec.
pub(crate) const MAX_BYTE_LENGTH: u32 = (1 << 28) - 1;

/// A type as the adapter sees it, after despecialization.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    /// A record or tuple: its field types.
    Record(Vec<Type>),
    /// A variant, enum, option or result: the payload type of each case.
    Variant(Vec<Option<Type>>),
    /// A flags type with this many labels (1 to 32).
    Flags(u32),
    /// A list, or a map as a list of key-value records: the element's fields.
    List(Vec<Type>),
    /// A fixed-length list of `n` elements.
    FixedList(Type, u32),
    /// `own<R>`: the resource definition `R`.
    Own(TypeId),
    /// `borrow<R>`: the resource definition `R`.
    Borrow(TypeId),
}

/// Layout of a variant in memory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VariantLayout {
    pub payload_offset: u32,
}

/// Sizes, alignments and flat types of the types of one `Resolve`.
pub(crate) struct Abi<'a> {
    pub resolve: &'a Resolve,
    sizes: SizeAlign,
}

impl core::fmt::Debug for Abi<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Abi").finish_non_exhaustive()
    }
}

impl<'a> Abi<'a> {
    pub(crate) fn new(resolve: &'a Resolve) -> Self {
        let mut sizes = SizeAlign::default();
        sizes.fill(resolve);
        Abi { resolve, sizes }
    }

    /// The kind of `ty`, or an error for types adapters cannot carry yet.
    pub(crate) fn kind(&self, ty: &Type) -> Result<Kind, Error> {
        Ok(match ty {
            Type::Bool => Kind::Bool,
            Type::S8 => Kind::S8,
            Type::U8 => Kind::U8,
            Type::S16 => Kind::S16,
            Type::U16 => Kind::U16,
            Type::S32 => Kind::S32,
            Type::U32 => Kind::U32,
            Type::S64 => Kind::S64,
            Type::U64 => Kind::U64,
            Type::F32 => Kind::F32,
            Type::F64 => Kind::F64,
            Type::Char => Kind::Char,
            Type::String => Kind::String,
            Type::ErrorContext => bail!("`error-context` is not supported"),
            Type::Id(id) => match &self.resolve.types[*id].kind {
                TypeDefKind::Type(t) => return self.kind(t),
                TypeDefKind::Record(r) => Kind::Record(r.fields.iter().map(|f| f.ty).collect()),
                TypeDefKind::Tuple(t) => {
                    if t.types.is_empty() {
                        bail!("empty tuples have no canonical ABI")
                    }
                    Kind::Record(t.types.clone())
                }
                TypeDefKind::Variant(v) => Kind::Variant(v.cases.iter().map(|c| c.ty).collect()),
                TypeDefKind::Enum(e) => Kind::Variant(vec![None; e.cases.len()]),
                TypeDefKind::Option(t) => Kind::Variant(vec![None, Some(*t)]),
                TypeDefKind::Result(r) => Kind::Variant(vec![r.ok, r.err]),
                TypeDefKind::Flags(f) => match f.flags.len() {
                    n @ 1..=32 => Kind::Flags(n as u32),
                    n => bail!("flags with {n} labels: the canonical ABI allows 1 to 32"),
                },
                TypeDefKind::List(t) => Kind::List(vec![*t]),
                TypeDefKind::Map(k, v) => Kind::List(vec![*k, *v]),
                TypeDefKind::FixedLengthList(t, n) => {
                    if *n == 0 {
                        bail!("fixed-length lists of length 0 have no canonical ABI")
                    }
                    Kind::FixedList(*t, *n)
                }
                TypeDefKind::Handle(Handle::Own(r)) => Kind::Own(self.resource_of(*r)?),
                TypeDefKind::Handle(Handle::Borrow(r)) => Kind::Borrow(self.resource_of(*r)?),
                TypeDefKind::Future(_) | TypeDefKind::Stream(_) => {
                    bail!("`future` and `stream` are not supported")
                }
                TypeDefKind::Resource | TypeDefKind::Unknown => {
                    bail!("a resource type is not a value type")
                }
            },
        })
    }

    /// The `resource` definition a handle's type names, through aliases.
    fn resource_of(&self, mut id: TypeId) -> Result<TypeId, Error> {
        loop {
            match &self.resolve.types[id].kind {
                TypeDefKind::Resource => return Ok(id),
                TypeDefKind::Type(Type::Id(next)) => id = *next,
                _ => bail!("a handle names a type that is not a resource"),
            }
        }
    }

    /// `contains(t, p)` of the spec: whether `p` holds for `ty` or for a type
    /// inside it.
    fn contains(&self, ty: &Type, p: &impl Fn(&Kind) -> bool) -> bool {
        let Ok(kind) = self.kind(ty) else {
            return false;
        };
        p(&kind)
            || match &kind {
                Kind::Record(types) | Kind::List(types) => {
                    types.iter().any(|t| self.contains(t, p))
                }
                Kind::Variant(cases) => cases.iter().flatten().any(|t| self.contains(t, p)),
                Kind::FixedList(t, _) => self.contains(t, p),
                _ => false,
            }
    }

    /// Whether `ty` contains a `borrow` handle (`contains_borrow`).
    pub(crate) fn contains_borrow(&self, ty: &Type) -> bool {
        self.contains(ty, &|k| matches!(k, Kind::Borrow(_)))
    }

    /// Checks that every type reachable from `ty` can be adapted.
    pub(crate) fn check(&self, ty: &Type) -> Result<(), Error> {
        match self.kind(ty)? {
            Kind::Record(fields) | Kind::List(fields) => {
                fields.iter().try_for_each(|f| self.check(f))
            }
            Kind::Variant(cases) => cases.iter().flatten().try_for_each(|c| self.check(c)),
            Kind::FixedList(t, _) => self.check(&t),
            _ => Ok(()),
        }
    }

    /// `elem_size` of the spec.
    pub(crate) fn size(&self, ty: &Type, mem: MemoryType) -> u32 {
        arch(self.sizes.size(ty), mem)
    }

    /// `alignment` of the spec.
    pub(crate) fn align(&self, ty: &Type, mem: MemoryType) -> u32 {
        let align = self.sizes.align(ty);
        (if mem.is_64() {
            align.align_wasm64()
        } else {
            align.align_wasm32()
        }) as u32
    }

    /// Offsets of the fields of a record, plus its size and alignment.
    pub(crate) fn record_layout(&self, fields: &[Type], mem: MemoryType) -> (Vec<u32>, u32, u32) {
        let offsets = self
            .sizes
            .field_offsets(fields)
            .into_iter()
            .map(|(offset, _)| arch(offset, mem))
            .collect();
        let info = self.sizes.record(fields);
        let align = if mem.is_64() {
            info.align.align_wasm64()
        } else {
            info.align.align_wasm32()
        };
        (offsets, arch(info.size, mem), align as u32)
    }

    /// Discriminant size and payload offset of a variant.
    pub(crate) fn variant_layout(&self, cases: &[Option<Type>], mem: MemoryType) -> VariantLayout {
        let disc_size = discriminant_size(cases.len());
        let case_align = cases
            .iter()
            .flatten()
            .map(|t| self.align(t, mem))
            .max()
            .unwrap_or(1);
        VariantLayout {
            payload_offset: disc_size.next_multiple_of(case_align),
        }
    }

    /// The flat core types of `types`, or `None` when there are more than
    /// `max` (the spec's `flatten_types` plus its limits).
    pub(crate) fn flatten(
        &self,
        types: &[Type],
        mem: MemoryType,
        max: usize,
    ) -> Option<Vec<ValType>> {
        let mut storage = vec![WasmType::I32; max];
        let mut flat = FlatTypes::new(&mut storage);
        for ty in types {
            if !self.resolve.push_flat(ty, &mut flat) {
                return None;
            }
        }
        Some(
            flat.to_vec()
                .into_iter()
                .map(|t| core_type(t, mem))
                .collect(),
        )
    }

    /// The flat core types of one type that is known to flatten to at most
    /// `MAX_FLAT_PARAMS` values (it is part of a flattened signature).
    pub(crate) fn flat(&self, ty: &Type, mem: MemoryType) -> Vec<ValType> {
        self.flatten(std::slice::from_ref(ty), mem, MAX_FLAT_PARAMS)
            .expect("part of a flat signature flattens within the limit")
    }

    /// Whether copying values of `ty` needs a `realloc` on the destination:
    /// it contains a string or a list.
    pub(crate) fn needs_realloc(&self, ty: &Type) -> bool {
        self.contains(ty, &|k| matches!(k, Kind::String | Kind::List(_)))
    }

    /// Whether values of `ty` are "plain": the same bytes on both sides,
    /// whatever the address types, with no value to check, no bit to mask and
    /// no padding (so a copy leaks nothing of the source memory). A list of
    /// plain elements is copied with one `memory.copy`.
    pub(crate) fn is_plain(&self, ty: &Type) -> bool {
        match self.kind(ty) {
            Ok(
                Kind::S8
                | Kind::U8
                | Kind::S16
                | Kind::U16
                | Kind::S32
                | Kind::U32
                | Kind::S64
                | Kind::U64
                | Kind::F32
                | Kind::F64,
            ) => true,
            Ok(Kind::Flags(n)) => matches!(n, 8 | 16 | 32),
            Ok(Kind::Record(fields)) => self.is_plain_record(&fields),
            Ok(Kind::FixedList(t, _)) => self.is_plain(&t),
            _ => false,
        }
    }

    /// Whether a record of these fields is plain (see [`Self::is_plain`]).
    pub(crate) fn is_plain_record(&self, fields: &[Type]) -> bool {
        let mem = MemoryType::Memory32;
        let payload: u32 = fields.iter().map(|f| self.size(f, mem)).sum();
        fields.iter().all(|f| self.is_plain(f)) && payload == self.record_layout(fields, mem).1
    }
}

/// Size in bytes of the discriminant of a variant with `cases` cases
/// (`discriminant_type` of the spec).
pub(crate) fn discriminant_size(cases: usize) -> u32 {
    match cases {
        0..=0x100 => 1,
        0x101..=0x1_0000 => 2,
        _ => 4,
    }
}

fn arch(size: wit_parser::ArchitectureSize, mem: MemoryType) -> u32 {
    (if mem.is_64() {
        size.size_wasm64()
    } else {
        size.size_wasm32()
    }) as u32
}

/// The core type of a flat type in a side whose memory has address type
/// `mem`. `Pointer` and `Length` take the address type; `PointerOrI64` is
/// the spec's `join` of a pointer and a 64-bit value, always `i64`.
fn core_type(ty: WasmType, mem: MemoryType) -> ValType {
    match ty {
        WasmType::I32 => ValType::I32,
        WasmType::I64 | WasmType::PointerOrI64 => ValType::I64,
        WasmType::F32 => ValType::F32,
        WasmType::F64 => ValType::F64,
        WasmType::Pointer | WasmType::Length => ptr_type(mem),
    }
}

/// The core type of pointers and lengths in a memory.
pub(crate) fn ptr_type(mem: MemoryType) -> ValType {
    if mem.is_64() {
        ValType::I64
    } else {
        ValType::I32
    }
}
