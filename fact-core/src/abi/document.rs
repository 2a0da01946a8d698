//! Where each value of a call lives, in words: for the documentation that a
//! host reads when it writes or checks the core modules on both sides
//! (`Adapters::descriptions`, and the docs `fact_adapters!` emits).
//!
//! For each side: which flat values carry which WIT parameter, or, when the
//! parameters or results go through memory, the tuple's size, alignment and
//! offsets; and for every value in memory, its layout a few levels deep
//! (record fields at their offsets, a variant's discriminant and payload,
//! a list's elements).

use super::{Abi, Kind, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};
use crate::options::{CanonOptions, MemoryType};
use std::fmt::Write;
use wit_parser::{Function, Type, TypeDefKind};

/// How many levels of a type's layout a description spells out.
const DEPTH: u32 = 2;

/// How many fields or cases of one type a description lists.
const MAX_ITEMS: usize = 12;

impl Abi<'_> {
    /// A markdown description of the call of `func` from a side with the
    /// options `lower` to one with `lift`.
    pub(crate) fn document_call(
        &self,
        func: &Function,
        lower: &CanonOptions,
        lift: &CanonOptions,
    ) -> String {
        let mut out = format!("WIT: `{}`\n", self.wit_signature(func));
        for (side, options, what) in [
            ("caller", lower, "lowers it: the adapter's own signature"),
            ("callee", lift, "lifts it: what the adapter calls"),
        ] {
            let mem = options.memory.unwrap_or(MemoryType::Memory32);
            let _ = writeln!(
                out,
                "\nThe {side} ({} strings, {}) {what}:",
                options.string_encoding,
                match options.memory {
                    Some(MemoryType::Memory64) => "64-bit memory",
                    Some(MemoryType::Memory32) => "32-bit memory",
                    None => "no memory",
                }
            );
            self.document_side(&mut out, func, mem, side == "caller");
        }
        out
    }

    /// The parameters and results of one side.
    fn document_side(&self, out: &mut String, func: &Function, mem: MemoryType, caller: bool) {
        let params: Vec<(String, Type)> =
            func.params.iter().map(|p| (p.name.clone(), p.ty)).collect();
        let results: Vec<(String, Type)> =
            func.result.iter().map(|t| ("result".into(), *t)).collect();
        let types = |values: &[(String, Type)]| values.iter().map(|(_, t)| *t).collect::<Vec<_>>();
        let mut flat_index = 0;
        match self.flatten(&types(&params), mem, MAX_FLAT_PARAMS) {
            Some(_) => {
                for (name, ty) in &params {
                    let n = self.flat(ty, mem).map_or(0, |f| f.len());
                    let _ = writeln!(
                        out,
                        "- {}: `{name}: {}`{}",
                        slots("param", flat_index, n),
                        self.describe(ty),
                        self.layout_note(ty, mem)
                    );
                    flat_index += n;
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "- param {flat_index}: a pointer to the parameters, {}",
                    self.tuple_layout(&params, mem)
                );
                flat_index += 1;
            }
        }
        match self.flatten(&types(&results), mem, MAX_FLAT_RESULTS) {
            Some(flat) if flat.is_empty() => {}
            Some(_) => {
                let (_, ty) = &results[0];
                let _ = writeln!(
                    out,
                    "- result 0: `{}`{}",
                    self.describe(ty),
                    self.layout_note(ty, mem)
                );
            }
            None if caller => {
                let _ = writeln!(
                    out,
                    "- param {flat_index}: a pointer where the adapter writes the result, {}",
                    self.tuple_layout(&results, mem)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "- result 0: a pointer to the result, {}",
                    self.tuple_layout(&results, mem)
                );
            }
        }
    }

    /// `name: func(a: T, ..) -> R`, as WIT writes it.
    fn wit_signature(&self, func: &Function) -> String {
        let params: Vec<String> = func
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, self.describe(&p.ty)))
            .collect();
        let result = func
            .result
            .map(|r| format!(" -> {}", self.describe(&r)))
            .unwrap_or_default();
        let kind = if func.kind.is_async() {
            "async func"
        } else {
            "func"
        };
        format!("{}: {kind}({}){result}", func.name, params.join(", "))
    }

    /// A tuple of named values in memory: size, alignment, offsets.
    fn tuple_layout(&self, values: &[(String, Type)], mem: MemoryType) -> String {
        let types: Vec<Type> = values.iter().map(|(_, t)| *t).collect();
        let Ok(record) = self.record(&types) else {
            return "too big to describe".into();
        };
        let mut out = format!("{} bytes, align {}:", record.size(mem), record.align(mem));
        for ((name, ty), offset) in values.iter().zip(record.offsets(mem)) {
            let _ = write!(
                out,
                "\n  - `{name}: {}` at {offset}{}",
                self.describe(ty),
                self.layout_note(ty, mem)
            );
        }
        out
    }

    /// For a type with a layout worth knowing (anything but a scalar), its
    /// layout in words, after a `:`.
    fn layout_note(&self, ty: &Type, mem: MemoryType) -> String {
        let mut out = String::new();
        self.layout(&mut out, ty, mem, DEPTH);
        if out.is_empty() {
            out
        } else {
            format!(" ({out})")
        }
    }

    /// The layout of `ty` in memory, `depth` levels deep.
    fn layout(&self, out: &mut String, ty: &Type, mem: MemoryType, depth: u32) {
        if depth == 0 {
            return;
        }
        let (size, align) = (self.size(ty, mem), self.align(ty, mem));
        match self.kind(ty) {
            Kind::String => out.push_str("pointer and length in code units"),
            Kind::List(element) => {
                let mut inner = String::new();
                if let [single] = element.fields.as_slice() {
                    self.layout(&mut inner, single, mem, depth - 1);
                }
                if inner.contains("bytes") {
                    let _ = write!(out, "pointer and length; elements of {inner}");
                } else {
                    let _ = write!(
                        out,
                        "pointer and length; elements of {} bytes, align {}",
                        element.size(mem),
                        element.align(mem)
                    );
                }
            }
            Kind::Record(record) => {
                let _ = write!(out, "{size} bytes, align {align}:");
                let names = self.field_names(ty, record.fields.len());
                for (i, (offset, name)) in record.offsets(mem).iter().zip(names).enumerate() {
                    if i == MAX_ITEMS {
                        out.push_str(" ..,");
                        break;
                    }
                    let _ = write!(out, " `{name}` at {offset},");
                }
                out.pop();
            }
            Kind::Variant(variant) => {
                let disc = super::discriminant_size(variant.cases.len());
                let _ = write!(
                    out,
                    "{size} bytes, align {align}: discriminant of {disc} byte{} at 0",
                    if disc == 1 { "" } else { "s" }
                );
                if !variant.is_enum() {
                    let _ = write!(out, ", payload at {}", variant.payload_offset(mem));
                }
            }
            Kind::FixedList(elem, n) => {
                let _ = write!(
                    out,
                    "{n} elements of {} bytes, align {align}",
                    self.size(&elem, mem)
                );
            }
            Kind::Flags(n) => {
                let _ = write!(
                    out,
                    "{n} flags in {size} byte{}",
                    if size == 1 { "" } else { "s" }
                );
            }
            Kind::Own(_) | Kind::Borrow(_) => out.push_str("an `i32` handle index"),
            Kind::ErrorContext => out.push_str("an `i32` error-context index"),
            _ => {}
        }
    }

    /// The names of a record's (or tuple's) fields, for a description.
    fn field_names(&self, ty: &Type, n: usize) -> Vec<String> {
        let mut ty = *ty;
        // Through aliases to the definition that names the fields.
        for _ in 0..self.resolve.types.len() {
            let Type::Id(id) = ty else { break };
            match &self.resolve.types[id].kind {
                TypeDefKind::Type(next) => ty = *next,
                TypeDefKind::Record(r) if r.fields.len() == n => {
                    return r.fields.iter().map(|f| f.name.clone()).collect()
                }
                _ => break,
            }
        }
        (0..n).map(|i| i.to_string()).collect()
    }
}

/// `param 2` or `params 2..4`.
fn slots(what: &str, first: usize, n: usize) -> String {
    match n {
        1 => format!("{what} {first}"),
        _ => format!("{what}s {first}..{}", first + n),
    }
}
