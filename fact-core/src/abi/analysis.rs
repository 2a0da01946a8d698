//! The analysis of a type: everything the compiler asks of it, computed
//! once per type id from the answers for the types it holds.
//!
//! Types are visited with an explicit work list, children before parents,
//! so that neither the depth of a type (a chain of thousands of named
//! types, each holding the next) nor the sharing of its parts (a type that
//! names the one below it twice, at every level) costs more than one visit
//! per type id. The rules are those of "Element Size", "Alignment" and
//! "Flattening" in `CanonicalABI.md`, plus its validation rules for value
//! types: no empty records, tuples, variants or fixed-length lists, flags
//! of 1 to 32 labels, and `elem_size(t, 'i64')` below 2^28 (#688).

use super::describe::describe;
use super::{discriminant_size, Kind, Layout, Record, Variant, MAX_FLAT_PARAMS, MAX_VALUE_SIZE};
use crate::error::{bail, Error};
use crate::module::FastMap;
use std::collections::HashSet;
use std::rc::Rc;
use wasm_encoder::ValType;
use wit_parser::{Handle, Resolve, Type, TypeDefKind, TypeId};

/// What the compiler knows of one type.
#[derive(Debug, Clone)]
pub(crate) struct Info {
    /// The type it stands for ([`super::Abi::representative`]).
    pub repr: Type,
    pub kind: Kind,
    /// In 32- and 64-bit memories.
    pub layout: [Layout; 2],
    /// In 32- and 64-bit memories; `None` beyond `MAX_FLAT_PARAMS` values.
    pub flat: [Option<Rc<[ValType]>>; 2],
    pub props: Props,
}

/// Properties of a type that the compiler asks about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Props {
    /// It holds a string or a list: copying it calls `realloc`.
    pub realloc: bool,
    /// It holds a `borrow` handle.
    pub borrow: bool,
    /// It is plain (`Record::is_plain`): numbers, full flags, and records
    /// and fixed-length lists of them without padding.
    pub plain: bool,
}

impl Info {
    /// The facts of a type that is not a type id: a scalar or a string.
    pub(crate) fn scalar(ty: &Type) -> Info {
        use ValType::{F32, F64, I32, I64};
        let (kind, size, flat) = match ty {
            Type::Bool => (Kind::Bool, 1, I32),
            Type::S8 => (Kind::S8, 1, I32),
            Type::U8 => (Kind::U8, 1, I32),
            Type::S16 => (Kind::S16, 2, I32),
            Type::U16 => (Kind::U16, 2, I32),
            Type::S32 => (Kind::S32, 4, I32),
            Type::U32 => (Kind::U32, 4, I32),
            Type::S64 => (Kind::S64, 8, I64),
            Type::U64 => (Kind::U64, 8, I64),
            Type::F32 => (Kind::F32, 4, F32),
            Type::F64 => (Kind::F64, 8, F64),
            Type::Char => (Kind::Char, 4, I32),
            Type::String => {
                let props = Props {
                    realloc: true,
                    ..Props::default()
                };
                return pointer_pair(Type::String, Kind::String, props);
            }
            // An index into the instance's table, like a handle.
            Type::ErrorContext => return handle(Type::ErrorContext, Kind::ErrorContext),
            Type::Id(_) => unreachable!("not a scalar: {ty:?}"),
        };
        let layout = Layout { size, align: size };
        Info {
            repr: *ty,
            // `bool` and `char` have values to check.
            props: Props {
                plain: !matches!(kind, Kind::Bool | Kind::Char),
                ..Props::default()
            },
            kind,
            layout: [layout; 2],
            flat: [Some(Rc::from([flat])), Some(Rc::from([flat]))],
        }
    }
}

/// A string or list: a pointer and a length, of the memory's address type.
fn pointer_pair(repr: Type, kind: Kind, props: Props) -> Info {
    let pair = |ty: ValType, bytes: u32| {
        (
            Layout {
                size: 2 * bytes,
                align: bytes,
            },
            Some(Rc::from([ty, ty])),
        )
    };
    let (l32, f32) = pair(ValType::I32, 4);
    let (l64, f64) = pair(ValType::I64, 8);
    Info {
        repr,
        kind,
        layout: [l32, l64],
        flat: [f32, f64],
        props,
    }
}

/// Analyzes `root` and every type it holds that is not analyzed yet,
/// children first, with an explicit work list.
pub(crate) fn analyze(
    resolve: &Resolve,
    infos: &mut FastMap<TypeId, Info>,
    root: TypeId,
) -> Result<(), Error> {
    // `(id, children pushed)`. An id whose children are being analyzed is
    // `open`; meeting it again below itself means it contains itself, which
    // a `Resolve` that wit-parser built never does, but one built by hand
    // could.
    let mut stack = vec![(root, false)];
    let mut open = HashSet::new();
    while let Some((id, expanded)) = stack.pop() {
        if infos.contains_key(&id) {
            continue;
        }
        if expanded {
            let info = compute(resolve, infos, id)?;
            open.remove(&id);
            infos.insert(id, info);
            continue;
        }
        if !open.insert(id) {
            bail!(
                "type `{}` contains itself",
                describe(resolve, &Type::Id(id))
            );
        }
        stack.push((id, true));
        let def = resolve
            .types
            .get(id)
            .ok_or_else(|| Error::new("a type id names no type of this `Resolve`"))?;
        for child in children(&def.kind) {
            if let Type::Id(c) = child {
                if !infos.contains_key(&c) {
                    stack.push((c, false));
                }
            }
        }
    }
    Ok(())
}

/// The types a type definition holds.
fn children(kind: &TypeDefKind) -> Vec<Type> {
    match kind {
        TypeDefKind::Type(t) | TypeDefKind::List(t) | TypeDefKind::Option(t) => vec![*t],
        TypeDefKind::FixedLengthList(t, _) => vec![*t],
        TypeDefKind::Record(r) => r.fields.iter().map(|f| f.ty).collect(),
        TypeDefKind::Tuple(t) => t.types.clone(),
        TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty).collect(),
        TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).copied().collect(),
        TypeDefKind::Map(k, v) => vec![*k, *v],
        TypeDefKind::Enum(_)
        | TypeDefKind::Flags(_)
        | TypeDefKind::Handle(_)
        | TypeDefKind::Resource
        | TypeDefKind::Future(_)
        | TypeDefKind::Stream(_)
        | TypeDefKind::Unknown => Vec::new(),
    }
}

/// The facts of `id`, whose children are analyzed.
fn compute(resolve: &Resolve, infos: &FastMap<TypeId, Info>, id: TypeId) -> Result<Info, Error> {
    let this = Type::Id(id);
    let info_of = |t: &Type| child(infos, t);
    let name = || describe(resolve, &this);
    let info = match &resolve.types[id].kind {
        // Aliases, records of one field and fixed-length lists of one
        // element are the type they hold: same layout, same flat form.
        TypeDefKind::Type(t) => return info_of(t),
        TypeDefKind::Record(r) => match r.fields.as_slice() {
            [] => bail!(
                "record `{}` has no fields: the canonical ABI has no empty records",
                name()
            ),
            [one] => return info_of(&one.ty),
            fields => {
                let fields: Vec<Type> = fields.iter().map(|f| f.ty).collect();
                aggregate(this, &fields, info_of)
            }
        },
        TypeDefKind::Tuple(t) => match t.types.as_slice() {
            [] => bail!("empty tuples have no canonical ABI"),
            [one] => return info_of(one),
            types => aggregate(this, types, info_of),
        },
        TypeDefKind::Variant(v) => {
            let cases: Vec<Option<Type>> = v.cases.iter().map(|c| c.ty).collect();
            variant(this, cases, info_of)
        }
        TypeDefKind::Enum(e) => variant(this, vec![None; e.cases.len()], info_of),
        TypeDefKind::Option(t) => variant(this, vec![None, Some(*t)], info_of),
        TypeDefKind::Result(r) => variant(this, vec![r.ok, r.err], info_of),
        TypeDefKind::Flags(f) => match u32::try_from(f.flags.len()) {
            Ok(n @ 1..=32) => Ok(Ok(flags(this, n))),
            _ => bail!(
                "flags `{}` have {} labels: the canonical ABI allows 1 to 32",
                name(),
                f.flags.len()
            ),
        },
        TypeDefKind::List(t) => list(this, &[*t], info_of),
        TypeDefKind::Map(k, v) => list(this, &[*k, *v], info_of),
        TypeDefKind::FixedLengthList(t, n) => match *n {
            0 => bail!("fixed-length lists of length 0 have no canonical ABI"),
            1 => return info_of(t),
            n => fixed_list(this, *t, n, info_of),
        },
        TypeDefKind::Handle(Handle::Own(r)) => {
            Ok(Ok(handle(this, Kind::Own(resource_of(resolve, *r)?))))
        }
        TypeDefKind::Handle(Handle::Borrow(r)) => {
            Ok(Ok(handle(this, Kind::Borrow(resource_of(resolve, *r)?))))
        }
        TypeDefKind::Future(_) | TypeDefKind::Stream(_) => {
            bail!("`future` and `stream` are not supported yet")
        }
        TypeDefKind::Resource => bail!("resource `{}` is not a value type", name()),
        TypeDefKind::Unknown => bail!("type `{}` is not defined", name()),
    };
    info?.map_err(|size| {
        Error::new(format!(
            "`{}` takes {size} bytes in a 64-bit memory; the canonical ABI allows \
             value types of fewer than 2^28 bytes",
            name()
        ))
    })
}

/// The facts of a child type.
fn child(infos: &FastMap<TypeId, Info>, ty: &Type) -> Result<Info, Error> {
    match ty {
        Type::Id(id) => Ok(infos
            .get(id)
            .expect("children are analyzed before their parents")
            .clone()),
        scalar => Ok(Info::scalar(scalar)),
    }
}

/// A layout whose 64-bit size is checked against the spec's maximum value
/// size; `Err` holds the size that is too big.
type Sized<T> = Result<T, u64>;

/// Where the fields of a record lie (`elem_size_record`,
/// `alignment_record`), and whether it is plain. `parts` are the facts of
/// `fields`; `limit` bounds its size ([`MAX_VALUE_SIZE`] for a value).
pub(crate) fn record(fields: &[Type], parts: &[Info], limit: u64) -> Sized<Record> {
    let mut offsets: [Vec<u32>; 2] = Default::default();
    let mut layout = [Layout::default(); 2];
    for m in 0..2 {
        let mut size = 0u64;
        let mut align = 1u32;
        for part in parts {
            let field = part.layout[m];
            size = size.next_multiple_of(u64::from(field.align));
            // Each offset is below the record's size, which is checked below:
            // truncating the ones of a record that fails loses nothing.
            offsets[m].push(size as u32);
            size += u64::from(field.size);
            align = align.max(field.align);
        }
        let size = size.next_multiple_of(u64::from(align));
        if size >= limit {
            return Err(size);
        }
        layout[m] = Layout {
            size: size as u32,
            align,
        };
    }
    let payload: u64 = parts.iter().map(|i| u64::from(i.layout[0].size)).sum();
    let plain = parts.iter().all(|i| i.props.plain) && payload == u64::from(layout[0].size);
    Ok(Record {
        fields: fields.to_vec(),
        offsets,
        layout,
        plain,
    })
}

/// A record or tuple of two or more fields.
fn aggregate(
    this: Type,
    fields: &[Type],
    info_of: impl Fn(&Type) -> Result<Info, Error>,
) -> Result<Sized<Info>, Error> {
    let parts = fields.iter().map(info_of).collect::<Result<Vec<_>, _>>()?;
    let record = match record(fields, &parts, MAX_VALUE_SIZE) {
        Ok(r) => r,
        Err(size) => return Ok(Err(size)),
    };
    let flat = [0, 1].map(|m| concat_flat(parts.iter().map(|p| p.flat[m].as_deref())));
    Ok(Ok(Info {
        repr: this,
        layout: record.layout,
        props: Props {
            plain: record.plain,
            ..any_of(&parts)
        },
        kind: Kind::Record(Rc::new(record)),
        flat,
    }))
}

/// A variant, enum, option or result (`elem_size_variant`,
/// `alignment_variant`, `flatten_variant`).
fn variant(
    this: Type,
    cases: Vec<Option<Type>>,
    info_of: impl Fn(&Type) -> Result<Info, Error>,
) -> Result<Sized<Info>, Error> {
    if cases.is_empty() {
        bail!("variants with no cases have no canonical ABI");
    }
    let parts = cases
        .iter()
        .flatten()
        .map(info_of)
        .collect::<Result<Vec<_>, _>>()?;
    let disc = discriminant_size(cases.len());
    let mut layout = [Layout::default(); 2];
    let mut payload_offset = [0; 2];
    for m in 0..2 {
        let case_align = parts.iter().map(|p| p.layout[m].align).max().unwrap_or(1);
        let case_size = parts.iter().map(|p| p.layout[m].size).max().unwrap_or(0);
        let align = disc.max(case_align);
        let offset = disc.next_multiple_of(case_align);
        let size = (u64::from(offset) + u64::from(case_size)).next_multiple_of(u64::from(align));
        if size >= MAX_VALUE_SIZE {
            return Ok(Err(size));
        }
        payload_offset[m] = offset;
        layout[m] = Layout {
            size: size as u32,
            align,
        };
    }
    let flat = [0, 1].map(|m| {
        let mut joined: Vec<ValType> = Vec::new();
        for part in &parts {
            let case = part.flat[m].as_deref()?;
            for (i, ty) in case.iter().enumerate() {
                match joined.get_mut(i) {
                    Some(slot) => *slot = join(*slot, *ty),
                    None => joined.push(*ty),
                }
            }
        }
        if 1 + joined.len() > MAX_FLAT_PARAMS {
            return None;
        }
        Some(Rc::from([&[ValType::I32][..], &joined].concat()))
    });
    Ok(Ok(Info {
        repr: this,
        kind: Kind::Variant(Rc::new(Variant {
            cases,
            payload_offset,
        })),
        layout,
        flat,
        props: Props {
            plain: false,
            ..any_of(&parts)
        },
    }))
}

/// `join` of `flatten_variant`: the core type that holds either.
fn join(a: ValType, b: ValType) -> ValType {
    match (a, b) {
        _ if a == b => a,
        (ValType::I32, ValType::F32) | (ValType::F32, ValType::I32) => ValType::I32,
        _ => ValType::I64,
    }
}

/// Flags of `n` labels, 1 to 32: one integer of 1, 2 or 4 bytes. Plain
/// when every bit is a label's.
fn flags(this: Type, n: u32) -> Info {
    let size = match n {
        1..=8 => 1,
        9..=16 => 2,
        _ => 4,
    };
    let layout = Layout { size, align: size };
    Info {
        repr: this,
        kind: Kind::Flags(n),
        layout: [layout; 2],
        flat: [
            Some(Rc::from([ValType::I32])),
            Some(Rc::from([ValType::I32])),
        ],
        props: Props {
            plain: n == 8 * size,
            ..Props::default()
        },
    }
}

/// A list of elements that are records of `fields` (one field, or a map's
/// key and value).
fn list(
    this: Type,
    fields: &[Type],
    info_of: impl Fn(&Type) -> Result<Info, Error>,
) -> Result<Sized<Info>, Error> {
    let parts = fields.iter().map(info_of).collect::<Result<Vec<_>, _>>()?;
    // A list's element is not a value type of its own: a map's key-value
    // pair may take 2^28 bytes or more (its key and value each less), and
    // then only the empty map can be lifted (`MAX_LIST_BYTE_LENGTH`).
    let element = record(fields, &parts, 1 << 32).expect("two fields of less than 2^28 bytes");
    let props = Props {
        realloc: true,
        plain: false,
        ..any_of(&parts)
    };
    Ok(Ok(pointer_pair(this, Kind::List(Rc::new(element)), props)))
}

/// A fixed-length list of `n` elements, `n` at least 2.
fn fixed_list(
    this: Type,
    elem: Type,
    n: u32,
    info_of: impl Fn(&Type) -> Result<Info, Error>,
) -> Result<Sized<Info>, Error> {
    let part = info_of(&elem)?;
    // Checked in a 64-bit memory, the larger: the 32-bit size is no more.
    let size64 = u64::from(part.layout[1].size) * u64::from(n);
    if size64 >= MAX_VALUE_SIZE {
        return Ok(Err(size64));
    }
    let layout = part.layout.map(|one| Layout {
        size: one.size * n,
        align: one.align,
    });
    let flat = [0, 1].map(|m| {
        let one = part.flat[m].as_deref()?;
        let count = one.len().checked_mul(n as usize)?;
        if count > MAX_FLAT_PARAMS {
            return None;
        }
        Some(Rc::from(one.repeat(n as usize)))
    });
    Ok(Ok(Info {
        repr: this,
        kind: Kind::FixedList(elem, n),
        layout,
        flat,
        props: part.props,
    }))
}

/// An `own` or `borrow` handle: an `i32` index.
fn handle(this: Type, kind: Kind) -> Info {
    let layout = Layout { size: 4, align: 4 };
    Info {
        repr: this,
        props: Props {
            borrow: matches!(kind, Kind::Borrow(_)),
            ..Props::default()
        },
        kind,
        layout: [layout; 2],
        flat: [
            Some(Rc::from([ValType::I32])),
            Some(Rc::from([ValType::I32])),
        ],
    }
}

/// The flat types of parts laid side by side, or `None` past the limit.
fn concat_flat<'t>(parts: impl Iterator<Item = Option<&'t [ValType]>>) -> Option<Rc<[ValType]>> {
    let mut flat = Vec::new();
    for part in parts {
        flat.extend_from_slice(part?);
        if flat.len() > MAX_FLAT_PARAMS {
            return None;
        }
    }
    Some(Rc::from(flat))
}

/// The properties that hold of a type when they hold of one of its parts.
fn any_of(parts: &[Info]) -> Props {
    Props {
        realloc: parts.iter().any(|p| p.props.realloc),
        borrow: parts.iter().any(|p| p.props.borrow),
        plain: false,
    }
}

/// The `resource` definition a handle's type names, through aliases.
fn resource_of(resolve: &Resolve, mut id: TypeId) -> Result<TypeId, Error> {
    // At most one step per type: a longer walk is a cycle of aliases.
    for _ in 0..=resolve.types.len() {
        match &resolve.types[id].kind {
            TypeDefKind::Resource => return Ok(id),
            TypeDefKind::Type(Type::Id(next)) => id = *next,
            _ => break,
        }
    }
    bail!("a handle names a type that is not a resource")
}
