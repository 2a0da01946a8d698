//! Every adapter module `fact-core` produces validates, and its imports and
//! exports have the types the host ABI promises: the import table matches
//! the module's imports one for one, an adapter has the caller's lowered
//! core signature and its callee import the callee's lifted one
//! (`flatten_functype` of the spec, from `abi.rs`, not from `fact-core`).

use super::abi::CoreTy;
use super::case::{self, Case};
use fact_core::{Adapters, ImportKind, ResourceOp};
use wasmparser::{CompositeInnerType, ExternalKind, Parser, Payload, TypeRef, ValType};

type Sig = (Vec<ValType>, Vec<ValType>);

fn val(t: CoreTy) -> ValType {
    match t {
        CoreTy::I32 => ValType::I32,
        CoreTy::I64 => ValType::I64,
        CoreTy::F32 => ValType::F32,
        CoreTy::F64 => ValType::F64,
    }
}

fn sig((params, results): (Vec<CoreTy>, Vec<CoreTy>)) -> Sig {
    (
        params.into_iter().map(val).collect(),
        results.into_iter().map(val).collect(),
    )
}

/// Checks the adapter module compiled for `cases` (adapter `f<i>` for
/// case `i`).
pub fn check_adapters(adapters: &Adapters, cases: &[(usize, &Case)]) -> Result<(), String> {
    adapters.validate().map_err(|e| e.to_string())?;
    let mut types: Vec<Sig> = Vec::new();
    let mut funcs: Vec<u32> = Vec::new();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(&adapters.wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group.map_err(|e| e.to_string())?.into_types() {
                        match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => {
                                types.push((f.params().to_vec(), f.results().to_vec()))
                            }
                            other => return Err(format!("unexpected type {other:?}")),
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    if let TypeRef::Func(t) = import.ty {
                        funcs.push(t);
                    }
                    imports.push((
                        import.module.to_string(),
                        import.name.to_string(),
                        import.ty,
                    ));
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    funcs.push(t.map_err(|e| e.to_string())?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.map_err(|e| e.to_string())?;
                    exports.push((export.name.to_string(), export.kind, export.index));
                }
            }
            _ => {}
        }
    }
    let func_sig = |t: u32| types.get(t as usize).cloned().unwrap_or_default();
    let helpers = case::handle_helpers();
    let case_of = |adapter: u32| -> Result<&Case, String> {
        let name = &adapters
            .exports
            .get(adapter as usize)
            .ok_or_else(|| format!("adapter {adapter} is not exported"))?
            .name;
        let helper = helpers.iter().find(|(n, _)| **n == **name).map(|(_, c)| c);
        cases
            .iter()
            .find(|(i, _)| format!("f{i}") == **name)
            .map(|(_, c)| *c)
            .or(helper)
            .ok_or_else(|| format!("no case for adapter `{name}`"))
    };

    if imports.len() != adapters.imports.len() {
        return Err(format!(
            "the module has {} imports, its import table {}",
            imports.len(),
            adapters.imports.len()
        ));
    }
    // Names are deterministic and unique: a host may link by name.
    let mut names = std::collections::HashSet::new();
    for (module, name, _) in &imports {
        if !names.insert((module, name)) {
            return Err(format!("two imports are named `{module}` `{name}`"));
        }
    }
    for ((module, name, ty), entry) in imports.iter().zip(&adapters.imports) {
        if *module != entry.module || *name != entry.name {
            return Err(format!(
                "import `{module}` `{name}` is `{}` `{}` in the import table",
                entry.module, entry.name
            ));
        }
        let func = match ty {
            TypeRef::Func(t) => Some(func_sig(*t)),
            _ => None,
        };
        let want: Option<Sig> = match entry.kind {
            ImportKind::Memory { memory64, .. } => match ty {
                TypeRef::Memory(m) if m.memory64 == memory64 => None,
                _ => {
                    return Err(format!(
                        "import `{module}` `{name}` is not the memory it says"
                    ))
                }
            },
            ImportKind::Realloc { memory64, .. } => {
                let p = if memory64 { ValType::I64 } else { ValType::I32 };
                Some((vec![p; 4], vec![p]))
            }
            ImportKind::Callee { adapter } => Some(sig(case_of(adapter)?.core_sig(true))),
            ImportKind::PostReturn { adapter } => {
                let (_, results) = case_of(adapter)?.core_sig(true);
                Some((results.into_iter().map(val).collect(), Vec::new()))
            }
            // The runtime's entry has the adapter's own (lowered) type.
            ImportKind::AsyncCall { adapter } => Some(sig(case_of(adapter)?.core_sig(false))),
            ImportKind::Trap => Some((vec![ValType::I32], Vec::new())),
            ImportKind::Validate { memory64, .. } => {
                let p = if memory64 { ValType::I64 } else { ValType::I32 };
                Some((vec![p; 2], Vec::new()))
            }
            ImportKind::Resource { op, .. } => Some(match op {
                ResourceOp::EnterCall | ResourceOp::ExitCall => (Vec::new(), Vec::new()),
                ResourceOp::TransferOwn | ResourceOp::TransferBorrow | ResourceOp::BorrowRep => {
                    (vec![ValType::I32; 2], vec![ValType::I32])
                }
            }),
            _ => None,
        };
        if let Some(want) = want {
            if func.as_ref() != Some(&want) {
                return Err(format!(
                    "import `{module}` `{name}` ({:?}) has type {func:?}, the host ABI says {want:?}",
                    entry.kind
                ));
            }
        }
    }
    for (k, export) in adapters.exports.iter().enumerate() {
        let case = case_of(k as u32)?;
        let found = exports
            .iter()
            .find(|(n, kind, _)| *n == *export.name && *kind == ExternalKind::Func)
            .ok_or_else(|| format!("adapter `{}` is not exported", export.name))?;
        let have = funcs.get(found.2 as usize).map(|t| func_sig(*t));
        let want = sig(case.core_sig(false));
        if have.as_ref() != Some(&want) {
            return Err(format!(
                "adapter `{}` has type {have:?}, the caller's lowered signature is {want:?}",
                export.name
            ));
        }
        // An adapter of an `async` function says how the runtime calls it;
        // a callback lift's `task.return` has the spec's type.
        match (&export.async_call, case.async_fn) {
            (None, false) => {}
            (Some(call), true) => {
                let want: Vec<ValType> = case.task_return_params().into_iter().map(val).collect();
                let have: Vec<ValType> = call
                    .task_return
                    .params
                    .iter()
                    .map(|t| match t {
                        fact_core::CoreType::I32 => ValType::I32,
                        fact_core::CoreType::I64 => ValType::I64,
                        fact_core::CoreType::F32 => ValType::F32,
                        fact_core::CoreType::F64 => ValType::F64,
                    })
                    .collect();
                if case.lift.async_ && have != want {
                    return Err(format!(
                        "adapter `{}`: task.return takes {have:?}, the spec says {want:?}",
                        export.name
                    ));
                }
                if (call.lower_async, call.callback) != (case.lower.async_, case.lift.async_) {
                    return Err(format!(
                        "adapter `{}`: the async call says lower async {}, callback {}",
                        export.name, call.lower_async, call.callback
                    ));
                }
            }
            (call, _) => {
                return Err(format!(
                    "adapter `{}` of an {}async function has async call {call:?}",
                    export.name,
                    if case.async_fn { "" } else { "non-" }
                ))
            }
        }
    }
    Ok(())
}
