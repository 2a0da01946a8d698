//! ABI views of WIT types: kinds, layout and flattening.
//!
//! Every type the adapters carry is analyzed once per type id
//! (`analysis.rs`): its kind as the spec's `despecialize` sees it (tuples
//! are records, enums/options/results are variants and maps are lists of
//! key-value records, so each rule below has one implementation), its size
//! and alignment in 32- and 64-bit memories (`elem_size`, `alignment`), its
//! flat core types (`flatten_type`), and the properties the compiler asks
//! about (does it hold a string or list, a `borrow`, padding?). The queries
//! of this module are then lookups: the cost of compiling a type is linear
//! in the text that defines it, however often its parts are shared, and no
//! query recurses, however deep the type.
//!
//! `wit_parser`'s own `SizeAlign` and `Resolve::push_flat` are not used:
//! both recurse into nested types (a deep enough WIT overflows the stack)
//! and `SizeAlign` panics on sizes that overflow, where the spec's maximum
//! value size (below) calls for an error naming the type.

mod analysis;
mod describe;
mod document;

use crate::error::Error;
use crate::module::FastMap;
use crate::options::MemoryType;
use analysis::Info;
use std::borrow::Cow;
use std::rc::Rc;
use wasm_encoder::ValType;
use wit_parser::{Resolve, Type, TypeId};

/// `MAX_FLAT_PARAMS` of the spec.
pub(crate) const MAX_FLAT_PARAMS: usize = 16;
/// `MAX_FLAT_RESULTS` of the spec.
pub(crate) const MAX_FLAT_RESULTS: usize = 1;
/// `MAX_STRING_BYTE_LENGTH` and `MAX_LIST_BYTE_LENGTH` of the spec.
pub(crate) const MAX_BYTE_LENGTH: u32 = (1 << 28) - 1;
/// Every value type's `elem_size(t, 'i64')` is below this (component-model
/// #688, "Element Size" in `CanonicalABI.md`). So is every size and offset
/// the compiler computes: none can wrap a `u32`.
pub(crate) const MAX_VALUE_SIZE: u64 = 1 << 28;

/// A type as the adapter sees it, after despecialization.
///
/// Aliases, records of one field and fixed-length lists of one element are
/// looked through: they have the same layout and flat form as the type
/// they hold, so the compiler treats them as that type (and shares its
/// helpers).
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
    /// A record or tuple of two or more fields.
    Record(Rc<Record>),
    /// A variant, enum, option or result: the payload type of each case.
    Variant(Rc<Variant>),
    /// A flags type with this many labels (1 to 32).
    Flags(u32),
    /// A list, or a map as a list of key-value records: the element, as a
    /// record of one field (or two, for a map).
    List(Rc<Record>),
    /// A fixed-length list of `n` elements, `n` at least 2.
    FixedList(Type, u32),
    /// `own<R>`: the resource definition `R`.
    Own(TypeId),
    /// `borrow<R>`: the resource definition `R`.
    Borrow(TypeId),
    /// `error-context`: an index into the instance's table.
    ErrorContext,
}

/// The fields of a record (or tuple, or parameter list, or list element)
/// and where they lie in 32- and 64-bit memories.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    pub fields: Vec<Type>,
    offsets: [Vec<u32>; 2],
    layout: [Layout; 2],
    /// The same bytes on both sides, with no padding: see [`Record::is_plain`].
    plain: bool,
}

impl Record {
    /// The offset of each field in a memory of type `mem`.
    pub(crate) fn offsets(&self, mem: MemoryType) -> &[u32] {
        &self.offsets[mem_index(mem)]
    }

    /// `elem_size` of the record.
    pub(crate) fn size(&self, mem: MemoryType) -> u32 {
        self.layout[mem_index(mem)].size
    }

    /// `alignment` of the record.
    pub(crate) fn align(&self, mem: MemoryType) -> u32 {
        self.layout[mem_index(mem)].align
    }

    /// Whether the record is "plain": the same bytes on both sides, whatever
    /// the address types, with no value to check, no bit to mask and no
    /// padding (so a copy leaks nothing of the source memory). A sequence
    /// of plain records moves with one `memory.copy`.
    pub(crate) fn is_plain(&self) -> bool {
        self.plain
    }
}

/// The cases of a variant and where their payload lies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Variant {
    pub cases: Vec<Option<Type>>,
    payload_offset: [u32; 2],
}

impl Variant {
    /// The offset of the payload in a memory of type `mem`.
    pub(crate) fn payload_offset(&self, mem: MemoryType) -> u32 {
        self.payload_offset[mem_index(mem)]
    }

    /// Whether no case has a payload (an enum).
    pub(crate) fn is_enum(&self) -> bool {
        self.cases.iter().all(Option::is_none)
    }
}

/// `elem_size` and `alignment` in one memory type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Layout {
    size: u32,
    align: u32,
}

/// Sizes, alignments, flat types and properties of the types of one
/// `Resolve`, computed once per type id ([`Abi::check`]).
pub(crate) struct Abi<'a> {
    pub resolve: &'a Resolve,
    infos: FastMap<TypeId, Info>,
}

impl core::fmt::Debug for Abi<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Abi")
            .field("analyzed", &self.infos.len())
            .finish_non_exhaustive()
    }
}

impl<'a> Abi<'a> {
    pub(crate) fn new(resolve: &'a Resolve) -> Self {
        Abi {
            resolve,
            infos: FastMap::default(),
        }
    }

    /// Analyzes `ty` and every type inside it, once per type id, or explains
    /// why adapters cannot carry it. Every other query takes a checked type.
    pub(crate) fn check(&mut self, ty: &Type) -> Result<(), Error> {
        match ty {
            Type::Id(id) => analysis::analyze(self.resolve, &mut self.infos, *id),
            _ => Ok(()),
        }
    }

    /// The ABI facts of a checked type.
    fn info(&self, ty: &Type) -> Cow<'_, Info> {
        match ty {
            Type::Id(id) => Cow::Borrowed(
                self.infos
                    .get(id)
                    .expect("types are checked before they are compiled"),
            ),
            scalar => Cow::Owned(Info::scalar(scalar)),
        }
    }

    /// The kind of a checked type.
    pub(crate) fn kind(&self, ty: &Type) -> Kind {
        self.info(ty).kind.clone()
    }

    /// The type that `ty` stands for: itself, or what an alias, a record of
    /// one field or a fixed-length list of one element holds. Types with
    /// the same representative compile to the same code.
    pub(crate) fn representative(&self, ty: &Type) -> Type {
        self.info(ty).repr
    }

    /// `elem_size` of the spec.
    pub(crate) fn size(&self, ty: &Type, mem: MemoryType) -> u32 {
        self.info(ty).layout[mem_index(mem)].size
    }

    /// `alignment` of the spec.
    pub(crate) fn align(&self, ty: &Type, mem: MemoryType) -> u32 {
        self.info(ty).layout[mem_index(mem)].align
    }

    /// A record of these (checked) fields: a function's parameters or
    /// results, or the elements of a fixed-length list in flat form. `Err`
    /// holds its size in a 64-bit memory when that is [`MAX_VALUE_SIZE`]
    /// or more, which the spec forbids of every value type and `fact` of a
    /// function's parameters and results too, so that no offset it
    /// computes can wrap.
    pub(crate) fn record(&self, fields: &[Type]) -> Result<Record, u64> {
        let parts: Vec<Info> = fields.iter().map(|t| self.info(t).into_owned()).collect();
        analysis::record(fields, &parts, MAX_VALUE_SIZE)
    }

    /// The flat core types of one checked type in a memory of type `mem`,
    /// or `None` when there are more than `MAX_FLAT_PARAMS`.
    pub(crate) fn flat(&self, ty: &Type, mem: MemoryType) -> Option<Rc<[ValType]>> {
        self.info(ty).flat[mem_index(mem)].clone()
    }

    /// The flat core types of `types`, or `None` when there are more than
    /// `max` (the spec's `flatten_types` plus its limits).
    pub(crate) fn flatten(
        &self,
        types: &[Type],
        mem: MemoryType,
        max: usize,
    ) -> Option<Vec<ValType>> {
        let mut flat = Vec::new();
        for ty in types {
            flat.extend_from_slice(&self.flat(ty, mem)?);
            if flat.len() > max {
                return None;
            }
        }
        Some(flat)
    }

    /// Whether copying values of `ty` needs a `realloc` on the destination:
    /// it contains a string or a list.
    pub(crate) fn needs_realloc(&self, ty: &Type) -> bool {
        self.info(ty).props.realloc
    }

    /// Whether `ty` contains a `borrow` handle (`contains_borrow`).
    pub(crate) fn contains_borrow(&self, ty: &Type) -> bool {
        self.info(ty).props.borrow
    }

    /// How `ty` reads in an error message: its WIT name, or its shape.
    pub(crate) fn describe(&self, ty: &Type) -> String {
        describe::describe(self.resolve, ty)
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

/// Index of the per-memory-type arrays.
fn mem_index(mem: MemoryType) -> usize {
    usize::from(mem.is_64())
}

/// The core type of pointers and lengths in a memory.
pub(crate) fn ptr_type(mem: MemoryType) -> ValType {
    if mem.is_64() {
        ValType::I64
    } else {
        ValType::I32
    }
}
