//! The Canonical ABI's layout and flattening rules, written again from
//! `definitions.py` (`alignment`, `elem_size`, `flatten_type`), independently
//! of `fact-core`, for either pointer size.

use super::types::Ty;

/// A core value type of a flattened signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreTy {
    I32,
    I64,
    F32,
    F64,
}

impl CoreTy {
    /// The WAT spelling.
    pub fn wat(self) -> &'static str {
        match self {
            CoreTy::I32 => "i32",
            CoreTy::I64 => "i64",
            CoreTy::F32 => "f32",
            CoreTy::F64 => "f64",
        }
    }

    /// The pointer type of a memory.
    pub fn ptr(mem64: bool) -> CoreTy {
        if mem64 {
            CoreTy::I64
        } else {
            CoreTy::I32
        }
    }
}

/// `MAX_FLAT_PARAMS`.
pub const MAX_FLAT_PARAMS: usize = 16;
/// `MAX_FLAT_RESULTS`.
pub const MAX_FLAT_RESULTS: usize = 1;
/// `MAX_FLAT_ASYNC_PARAMS`: the parameters an `async` lower passes flat.
pub const MAX_FLAT_ASYNC_PARAMS: usize = 4;

fn ptr_size(mem64: bool) -> u64 {
    if mem64 {
        8
    } else {
        4
    }
}

/// `align_to`.
pub fn align_to(x: u64, align: u64) -> u64 {
    x.div_ceil(align) * align
}

/// `discriminant_type` as a byte size.
pub fn discriminant_size(cases: usize) -> u64 {
    match cases {
        0..=256 => 1,
        257..=65536 => 2,
        _ => 4,
    }
}

fn flags_size(n: u32) -> u64 {
    match n {
        0..=8 => 1,
        9..=16 => 2,
        _ => 4,
    }
}

/// `alignment`.
pub fn align(ty: &Ty, mem64: bool) -> u64 {
    match ty {
        Ty::Bool | Ty::S8 | Ty::U8 => 1,
        Ty::S16 | Ty::U16 => 2,
        Ty::S32 | Ty::U32 | Ty::F32 | Ty::Char | Ty::Own(_) | Ty::Borrow(_) => 4,
        Ty::S64 | Ty::U64 | Ty::F64 => 8,
        Ty::String | Ty::List(_) | Ty::Map(..) => ptr_size(mem64),
        Ty::FixedList(t, _) => align(t, mem64),
        Ty::Record(fs) | Ty::Tuple(fs) => fs.iter().map(|f| align(f, mem64)).max().unwrap_or(1),
        Ty::Flags(n) => flags_size(*n),
        _ => {
            let cases = ty.cases().expect("variant-like");
            discriminant_size(cases.len()).max(max_case_align(&cases, mem64))
        }
    }
}

/// `max_case_alignment`.
pub fn max_case_align(cases: &[Option<Ty>], mem64: bool) -> u64 {
    cases
        .iter()
        .flatten()
        .map(|t| align(t, mem64))
        .max()
        .unwrap_or(1)
}

/// `elem_size`.
pub fn size(ty: &Ty, mem64: bool) -> u64 {
    match ty {
        Ty::Bool | Ty::S8 | Ty::U8 => 1,
        Ty::S16 | Ty::U16 => 2,
        Ty::S32 | Ty::U32 | Ty::F32 | Ty::Char | Ty::Own(_) | Ty::Borrow(_) => 4,
        Ty::S64 | Ty::U64 | Ty::F64 => 8,
        Ty::String | Ty::List(_) | Ty::Map(..) => 2 * ptr_size(mem64),
        Ty::FixedList(t, n) => u64::from(*n) * size(t, mem64),
        Ty::Record(fs) | Ty::Tuple(fs) => record_size(fs, mem64),
        Ty::Flags(n) => flags_size(*n),
        _ => {
            let cases = ty.cases().expect("variant-like");
            let mut s = discriminant_size(cases.len());
            s = align_to(s, max_case_align(&cases, mem64));
            s += cases
                .iter()
                .flatten()
                .map(|t| size(t, mem64))
                .max()
                .unwrap_or(0);
            align_to(s, align(ty, mem64))
        }
    }
}

/// `elem_size_record`.
pub fn record_size(fields: &[Ty], mem64: bool) -> u64 {
    let mut s = 0;
    for f in fields {
        s = align_to(s, align(f, mem64));
        s += size(f, mem64);
    }
    let a = fields.iter().map(|f| align(f, mem64)).max().unwrap_or(1);
    align_to(s, a)
}

/// Offsets of the fields of a record.
pub fn field_offsets(fields: &[Ty], mem64: bool) -> Vec<u64> {
    let mut s = 0;
    fields
        .iter()
        .map(|f| {
            s = align_to(s, align(f, mem64));
            let at = s;
            s += size(f, mem64);
            at
        })
        .collect()
}

/// Offset of the payload of a variant.
pub fn payload_offset(cases: &[Option<Ty>], mem64: bool) -> u64 {
    align_to(discriminant_size(cases.len()), max_case_align(cases, mem64))
}

/// `flatten_type`.
pub fn flatten(ty: &Ty, mem64: bool, out: &mut Vec<CoreTy>) {
    match ty {
        Ty::Bool
        | Ty::S8
        | Ty::U8
        | Ty::S16
        | Ty::U16
        | Ty::S32
        | Ty::U32
        | Ty::Char
        | Ty::Flags(_)
        | Ty::Own(_)
        | Ty::Borrow(_) => out.push(CoreTy::I32),
        Ty::S64 | Ty::U64 => out.push(CoreTy::I64),
        Ty::F32 => out.push(CoreTy::F32),
        Ty::F64 => out.push(CoreTy::F64),
        Ty::String | Ty::List(_) | Ty::Map(..) => {
            out.push(CoreTy::ptr(mem64));
            out.push(CoreTy::ptr(mem64));
        }
        Ty::FixedList(t, n) => {
            for _ in 0..*n {
                flatten(t, mem64, out);
            }
        }
        Ty::Record(fs) | Ty::Tuple(fs) => fs.iter().for_each(|f| flatten(f, mem64, out)),
        _ => out.extend(flatten_variant(&ty.cases().unwrap(), mem64)),
    }
}

/// `flatten_variant`: the discriminant, then the joined payload.
pub fn flatten_variant(cases: &[Option<Ty>], mem64: bool) -> Vec<CoreTy> {
    let mut flat: Vec<CoreTy> = Vec::new();
    for c in cases.iter().flatten() {
        let mut case = Vec::new();
        flatten(c, mem64, &mut case);
        for (i, ft) in case.into_iter().enumerate() {
            if i < flat.len() {
                flat[i] = join(flat[i], ft);
            } else {
                flat.push(ft);
            }
        }
    }
    let mut out = vec![CoreTy::I32];
    out.extend(flat);
    out
}

/// `join`.
pub fn join(a: CoreTy, b: CoreTy) -> CoreTy {
    use CoreTy::*;
    match (a, b) {
        _ if a == b => a,
        (I32, F32) | (F32, I32) => I32,
        _ => I64,
    }
}

/// `flatten_types`.
pub fn flatten_all(tys: &[Ty], mem64: bool) -> Vec<CoreTy> {
    let mut out = Vec::new();
    for t in tys {
        flatten(t, mem64, &mut out);
    }
    out
}

/// The core signature of a function: `flatten_functype(opts, ft, context)`
/// for a synchronous call, `lift` or `lower`.
pub fn functype(
    params: &[Ty],
    result: Option<&Ty>,
    mem64: bool,
    lift: bool,
) -> (Vec<CoreTy>, Vec<CoreTy>) {
    let mut flat_params = flatten_all(params, mem64);
    let mut flat_results = Vec::new();
    if let Some(r) = result {
        flatten(r, mem64, &mut flat_results);
    }
    if flat_params.len() > MAX_FLAT_PARAMS {
        flat_params = vec![CoreTy::ptr(mem64)];
    }
    if flat_results.len() > MAX_FLAT_RESULTS {
        if lift {
            flat_results = vec![CoreTy::ptr(mem64)];
        } else {
            flat_params.push(CoreTy::ptr(mem64));
            flat_results = Vec::new();
        }
    }
    (flat_params, flat_results)
}

/// The core signature of an `async` side: `flatten_functype` with `async`
/// set. An `async` lower passes at most [`MAX_FLAT_ASYNC_PARAMS`] flat
/// values, then always a return pointer if there is a result, and gets the
/// packed status; a lift with a callback takes the parameters as a
/// synchronous lift does and returns its callback code.
pub fn async_functype(
    params: &[Ty],
    result: Option<&Ty>,
    mem64: bool,
    lift: bool,
) -> (Vec<CoreTy>, Vec<CoreTy>) {
    let max = if lift {
        MAX_FLAT_PARAMS
    } else {
        MAX_FLAT_ASYNC_PARAMS
    };
    let mut flat_params = flatten_all(params, mem64);
    if flat_params.len() > max {
        flat_params = vec![CoreTy::ptr(mem64)];
    }
    if !lift && result.is_some() {
        flat_params.push(CoreTy::ptr(mem64));
    }
    (flat_params, vec![CoreTy::I32])
}

/// The core parameters of `task.return` for a function of result `result`:
/// its flat values up to [`MAX_FLAT_PARAMS`], else a pointer.
pub fn task_return_params(result: Option<&Ty>, mem64: bool) -> Vec<CoreTy> {
    let flat = flatten_all(result.cloned().as_slice(), mem64);
    if flat.len() > MAX_FLAT_PARAMS {
        vec![CoreTy::ptr(mem64)]
    } else {
        flat
    }
}
