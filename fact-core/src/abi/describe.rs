//! Naming a type in an error message: its WIT name where it has one, else
//! its shape, cut short a few levels down so that no message (and no walk
//! of the type) grows with its depth.

use wit_parser::{Handle, Resolve, Type, TypeDefKind};

/// How many levels of anonymous types a description spells out.
const DEPTH: u32 = 3;

/// `ty` as WIT text: a named type by its name (qualified by its interface's
/// name), an anonymous one by its shape.
pub(crate) fn describe(resolve: &Resolve, ty: &Type) -> String {
    let mut out = String::new();
    write(resolve, ty, DEPTH, &mut out);
    out
}

fn write(resolve: &Resolve, ty: &Type, depth: u32, out: &mut String) {
    let id = match ty {
        Type::Id(id) => *id,
        scalar => {
            out.push_str(scalar_name(scalar));
            return;
        }
    };
    let Some(def) = resolve.types.get(id) else {
        out.push_str("<unknown type>");
        return;
    };
    if let Some(name) = &def.name {
        if let wit_parser::TypeOwner::Interface(i) = def.owner {
            if let Some(iface) = resolve.interfaces.get(i).and_then(|i| i.name.as_ref()) {
                out.push_str(iface);
                out.push('.');
            }
        }
        out.push_str(name);
        return;
    }
    if depth == 0 {
        out.push_str("..");
        return;
    }
    let args = |out: &mut String, open: &str, types: &[Option<Type>]| {
        out.push_str(open);
        out.push('<');
        for (i, t) in types.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            match t {
                Some(t) => write(resolve, t, depth - 1, out),
                None => out.push('_'),
            }
        }
        out.push('>');
    };
    match &def.kind {
        TypeDefKind::Type(t) => write(resolve, t, depth - 1, out),
        TypeDefKind::List(t) => args(out, "list", &[Some(*t)]),
        TypeDefKind::FixedLengthList(t, n) => {
            args(out, "list", &[Some(*t)]);
            out.insert_str(out.len() - 1, &format!(", {n}"));
        }
        TypeDefKind::Map(k, v) => args(out, "map", &[Some(*k), Some(*v)]),
        TypeDefKind::Option(t) => args(out, "option", &[Some(*t)]),
        TypeDefKind::Result(r) => args(out, "result", &[r.ok, r.err]),
        TypeDefKind::Tuple(t) => {
            let types: Vec<Option<Type>> = t.types.iter().copied().map(Some).collect();
            args(out, "tuple", &types)
        }
        TypeDefKind::Future(t) => args(out, "future", &[*t]),
        TypeDefKind::Stream(t) => args(out, "stream", &[*t]),
        TypeDefKind::Handle(Handle::Own(r)) => args(out, "own", &[Some(Type::Id(*r))]),
        TypeDefKind::Handle(Handle::Borrow(r)) => args(out, "borrow", &[Some(Type::Id(*r))]),
        TypeDefKind::Record(_) => out.push_str("record"),
        TypeDefKind::Variant(_) => out.push_str("variant"),
        TypeDefKind::Enum(_) => out.push_str("enum"),
        TypeDefKind::Flags(_) => out.push_str("flags"),
        TypeDefKind::Resource => out.push_str("resource"),
        TypeDefKind::Unknown => out.push_str("<unknown type>"),
    }
}

fn scalar_name(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::U8 => "u8",
        Type::U16 => "u16",
        Type::U32 => "u32",
        Type::U64 => "u64",
        Type::S8 => "s8",
        Type::S16 => "s16",
        Type::S32 => "s32",
        Type::S64 => "s64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::ErrorContext => "error-context",
        Type::Id(_) => unreachable!(),
    }
}
