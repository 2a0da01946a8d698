//! The module builder: imports, types, functions, exports, and encoding.
//!
//! Code is generated before the final number of imported functions is known
//! (an adapter discovers that it needs a transcoder halfway through), so
//! function bodies refer to functions through [`FuncRef`]s and are encoded
//! only once everything is known.

mod fast_hash;
mod function;

pub(crate) use fast_hash::FastMap;
pub(crate) use function::{FuncBody, Local};

use fact_host::{Import, ImportKind, ResourceOp, Transcode};
use std::borrow::Cow;
use wasm_encoder::{
    CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, GlobalType,
    ImportSection, Instruction, MemoryType as WasmMemoryType, TypeSection, ValType,
};
use wasmparser::WasmFeatures;

/// A function of the module being built, imported or defined.
///
/// Encoded into `Instruction::Call` operands as is: defined functions have the
/// top bit set until [`ModuleBuilder::finish`] renumbers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FuncRef(u32);

const DEFINED: u32 = 1 << 31;

impl FuncRef {
    /// The raw operand to put in a `call` instruction.
    pub(crate) fn raw(self) -> u32 {
        self.0
    }
}

/// A function signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Signature {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

impl Signature {
    /// The signature as the export list writes it.
    pub(crate) fn to_core(&self) -> fact_host::Signature {
        let core = |types: &[ValType]| -> Vec<fact_host::CoreType> {
            types
                .iter()
                .map(|t| match t {
                    ValType::I32 => fact_host::CoreType::I32,
                    ValType::I64 => fact_host::CoreType::I64,
                    ValType::F32 => fact_host::CoreType::F32,
                    ValType::F64 => fact_host::CoreType::F64,
                    other => unreachable!("adapters have no {other:?} in their signatures"),
                })
                .collect()
        };
        fact_host::Signature {
            params: core(&self.params).into(),
            results: core(&self.results).into(),
        }
    }
}

/// Builds one adapter module.
#[derive(Debug, Default)]
pub(crate) struct ModuleBuilder {
    types: Vec<Signature>,
    type_index: FastMap<Signature, u32>,
    imports: Vec<Import>,
    import_types: Vec<EntityType>,
    import_index: FastMap<ImportKind, u32>,
    imported_funcs: u32,
    memories: u32,
    globals: u32,
    uses_memory64: bool,
    uses_exceptions: bool,
    funcs: Vec<Option<(u32, FuncBody)>>,
    exports: Vec<(String, FuncRef)>,
    /// Exports after the adapters' (the halves of async adapters), so that
    /// adapter `i` stays export `i`.
    extra_exports: Vec<(String, FuncRef)>,
    /// The names of the name section, for the defined functions that have
    /// one; `None` when the module has no name section.
    names: Option<Vec<(FuncRef, String)>>,
}

impl ModuleBuilder {
    /// The index of a function type, adding it if new.
    pub(crate) fn type_index(&mut self, sig: &Signature) -> u32 {
        if let Some(i) = self.type_index.get(sig) {
            return *i;
        }
        let i = self.types.len() as u32;
        self.types.push(sig.clone());
        self.type_index.insert(sig.clone(), i);
        i
    }

    /// Index (in its own index space) of the import `kind`, adding it if
    /// new with the module name, name and type that `describe` gives. Most
    /// requests find the import already there (every adapter asks for the
    /// flags, memories and `realloc`s it uses): `describe` runs only for a
    /// new one.
    fn import(
        &mut self,
        kind: ImportKind,
        describe: impl FnOnce(&mut Self) -> (String, String, EntityType),
    ) -> u32 {
        if let Some(i) = self.import_index.get(&kind) {
            return *i;
        }
        let (module, name, ty) = describe(self);
        let index = match ty {
            EntityType::Function(_) => &mut self.imported_funcs,
            EntityType::Memory(_) => &mut self.memories,
            EntityType::Global(_) => &mut self.globals,
            _ => unreachable!("adapters import only functions, memories and globals"),
        };
        let i = *index;
        *index += 1;
        self.imports.push(Import {
            module: Cow::Owned(module),
            name: Cow::Owned(name),
            kind,
        });
        self.import_types.push(ty);
        self.import_index.insert(kind, i);
        i
    }

    /// An imported function of kind `kind`, added if new with what
    /// `describe` gives: its module name, name and signature.
    fn import_func_with(
        &mut self,
        kind: ImportKind,
        describe: impl FnOnce() -> (String, String, Signature),
    ) -> FuncRef {
        FuncRef(self.import(kind, |builder| {
            let (module, name, sig) = describe();
            let ty = builder.type_index(&sig);
            (module, name, EntityType::Function(ty))
        }))
    }

    /// The memory of `instance` with the given address type.
    pub(crate) fn memory(&mut self, instance: u32, memory64: bool) -> u32 {
        self.uses_memory64 |= memory64;
        let kind = ImportKind::Memory { instance, memory64 };
        self.import(kind, |_| {
            let ty = EntityType::Memory(WasmMemoryType {
                minimum: 0,
                maximum: None,
                memory64,
                shared: false,
                page_size_log2: None,
            });
            let name = if memory64 { "memory64" } else { "memory" };
            (instance_module(instance), name.into(), ty)
        })
    }

    /// The `realloc` of `instance` for its memory of the given address type.
    pub(crate) fn realloc(&mut self, instance: u32, memory64: bool) -> FuncRef {
        let kind = ImportKind::Realloc { instance, memory64 };
        self.import_func_with(kind, || {
            let p = if memory64 { ValType::I64 } else { ValType::I32 };
            let sig = Signature {
                params: vec![p; 4],
                results: vec![p],
            };
            let name = if memory64 { "realloc64" } else { "realloc" };
            (instance_module(instance), name.into(), sig)
        })
    }

    /// The instance-flags global of `instance`.
    pub(crate) fn flags(&mut self, instance: u32) -> u32 {
        let kind = ImportKind::Flags { instance };
        self.import(kind, |_| {
            let ty = EntityType::Global(GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            });
            (instance_module(instance), "flags".into(), ty)
        })
    }

    /// The `trap` intrinsic: `(code: i32) -> ()`.
    pub(crate) fn trap(&mut self) -> FuncRef {
        self.import_func_with(ImportKind::Trap, || {
            let sig = Signature {
                params: vec![ValType::I32],
                results: vec![],
            };
            ("fact".into(), "trap".into(), sig)
        })
    }

    /// A string intrinsic between two memories (see [`Transcode`]).
    pub(crate) fn transcoder(
        &mut self,
        op: Transcode,
        (src_instance, src_memory64): (u32, bool),
        (dst_instance, dst_memory64): (u32, bool),
    ) -> FuncRef {
        let kind = ImportKind::Transcode {
            op,
            src_instance,
            src_memory64,
            dst_instance,
            dst_memory64,
        };
        self.import_func_with(kind, || {
            let ptr = |is64: bool| if is64 { ValType::I64 } else { ValType::I32 };
            let sig = Signature {
                params: vec![ptr(src_memory64), ptr(src_memory64), ptr(dst_memory64)],
                results: if op.returns_length() {
                    vec![ptr(dst_memory64)]
                } else {
                    vec![]
                },
            };
            // The address types are part of the name, as in `validate`:
            // an instance may have a memory of each.
            let bits = |is64: bool| if is64 { 64 } else { 32 };
            let name = format!(
                "{}:{src_instance}:{dst_instance}:{}:{}",
                op.name(),
                bits(src_memory64),
                bits(dst_memory64)
            );
            ("transcode".into(), name, sig)
        })
    }

    /// The validation intrinsic of UTF-8 (or UTF-16) strings in the memory of
    /// `instance` with the given address type: `(ptr, len) -> ()`.
    pub(crate) fn validator(&mut self, utf16: bool, instance: u32, memory64: bool) -> FuncRef {
        let kind = ImportKind::Validate {
            utf16,
            instance,
            memory64,
        };
        self.import_func_with(kind, || {
            let ptr = if memory64 { ValType::I64 } else { ValType::I32 };
            let sig = Signature {
                params: vec![ptr, ptr],
                results: vec![],
            };
            let encoding = if utf16 { "utf16" } else { "utf8" };
            let bits = if memory64 { 64 } else { 32 };
            let name = format!("{encoding}:{instance}:{bits}");
            ("validate".into(), name, sig)
        })
    }

    /// A resource-handle intrinsic for calls from `src` to `dst`.
    pub(crate) fn resource_intrinsic(&mut self, op: ResourceOp, src: u32, dst: u32) -> FuncRef {
        let kind = ImportKind::Resource {
            op,
            src_instance: src,
            dst_instance: dst,
        };
        self.import_func_with(kind, || {
            let sig = if op.transfers() {
                Signature {
                    params: vec![ValType::I32, ValType::I32],
                    results: vec![ValType::I32],
                }
            } else {
                Signature {
                    params: vec![],
                    results: vec![],
                }
            };
            let name = format!("{}:{src}:{dst}", op.name());
            ("resource".into(), name, sig)
        })
    }

    /// The `error-context` transfer from instance `src` to `dst`.
    pub(crate) fn error_context_transfer(&mut self, src: u32, dst: u32) -> FuncRef {
        let kind = ImportKind::ErrorContextTransfer {
            src_instance: src,
            dst_instance: dst,
        };
        self.import_func_with(kind, || {
            let sig = Signature {
                params: vec![ValType::I32],
                results: vec![ValType::I32],
            };
            ("error-context".into(), format!("transfer:{src}:{dst}"), sig)
        })
    }

    /// An imported function.
    pub(crate) fn import_func(
        &mut self,
        kind: ImportKind,
        module: String,
        name: String,
        sig: &Signature,
    ) -> FuncRef {
        self.import_func_with(kind, || (module, name, sig.clone()))
    }

    /// Reserves a defined function, to be given its body by [`Self::define`].
    pub(crate) fn declare(&mut self) -> FuncRef {
        self.funcs.push(None);
        FuncRef(DEFINED | (self.funcs.len() as u32 - 1))
    }

    /// Gives a declared function its body.
    pub(crate) fn define(&mut self, func: FuncRef, body: FuncBody) {
        let sig = body.signature();
        let ty = self.type_index(&sig);
        self.funcs[(func.0 & !DEFINED) as usize] = Some((ty, body));
    }

    /// Gives the module a name section (`AdapterCompiler::debug`).
    pub(crate) fn keep_names(&mut self) {
        self.names.get_or_insert_with(Vec::new);
    }

    /// Names a defined function in the name section, if the module has one;
    /// `name` runs only then.
    pub(crate) fn name(&mut self, func: FuncRef, name: impl FnOnce() -> String) {
        if let Some(names) = &mut self.names {
            names.push((func, name()));
        }
    }

    /// Declares that the module catches exceptions (`try_table`).
    pub(crate) fn use_exceptions(&mut self) {
        self.uses_exceptions = true;
    }

    /// Exports a function.
    pub(crate) fn export(&mut self, name: String, func: FuncRef) {
        self.exports.push((name, func));
    }

    /// Exports a function after every adapter.
    pub(crate) fn export_extra(&mut self, name: String, func: FuncRef) {
        self.extra_exports.push((name, func));
    }

    /// The wasm features the module needs: those of WebAssembly 1.0 with
    /// imported mutable globals (the instance flags), plus multi-value (helpers
    /// return `(ptr, len)`), sign extension (`i32.extend8_s` for `s8`) and
    /// bulk memory (`memory.copy`); multi-memory, memory64 and exception
    /// handling only when used.
    pub(crate) fn features(&self) -> WasmFeatures {
        let mut features = WasmFeatures::WASM1
            | WasmFeatures::MULTI_VALUE
            | WasmFeatures::SIGN_EXTENSION
            | WasmFeatures::BULK_MEMORY;
        if self.memories > 1 {
            features |= WasmFeatures::MULTI_MEMORY;
        }
        if self.uses_memory64 {
            features |= WasmFeatures::MEMORY64;
        }
        if self.uses_exceptions {
            features |= WasmFeatures::EXCEPTIONS;
        }
        features
    }

    /// Encodes the module.
    pub(crate) fn finish(self) -> (Vec<u8>, Vec<Import>, WasmFeatures) {
        let features = self.features();
        let imported = self.imported_funcs;
        let resolve = |raw: u32| {
            if raw & DEFINED != 0 {
                imported + (raw & !DEFINED)
            } else {
                raw
            }
        };

        let mut types = TypeSection::new();
        for sig in &self.types {
            types
                .ty()
                .function(sig.params.iter().copied(), sig.results.iter().copied());
        }
        let mut imports = ImportSection::new();
        for (import, ty) in self.imports.iter().zip(&self.import_types) {
            imports.import(&import.module, &import.name, *ty);
        }
        let mut functions = FunctionSection::new();
        let mut code = CodeSection::new();
        for (ty, body) in self
            .funcs
            .iter()
            .map(|f| f.as_ref().expect("declared function left undefined"))
        {
            functions.function(*ty);
            let mut func = Function::new_with_locals_types(body.locals().iter().copied());
            for instruction in body.instructions() {
                match instruction {
                    Instruction::Call(raw) => func.instruction(&Instruction::Call(resolve(*raw))),
                    other => func.instruction(other),
                };
            }
            func.instruction(&Instruction::End);
            code.function(&func);
        }
        let mut exports = ExportSection::new();
        for (name, func) in self.exports.iter().chain(&self.extra_exports) {
            exports.export(name, ExportKind::Func, resolve(func.0));
        }

        let mut module = wasm_encoder::Module::new();
        module.section(&types);
        module.section(&imports);
        module.section(&functions);
        module.section(&exports);
        module.section(&code);
        if let Some(mut names) = self.names {
            // Imports by their module and name; defined functions as named.
            let mut map = wasm_encoder::NameMap::new();
            let mut index = 0;
            for (import, ty) in self.imports.iter().zip(&self.import_types) {
                if let EntityType::Function(_) = ty {
                    map.append(index, &format!("{}.{}", import.module, import.name));
                    index += 1;
                }
            }
            names.sort_by_key(|(func, _)| resolve(func.0));
            for (func, name) in &names {
                map.append(resolve(func.0), name);
            }
            let mut section = wasm_encoder::NameSection::new();
            section.functions(&map);
            module.section(&section);
        }
        (module.finish(), self.imports, features)
    }
}

/// The import module of an instance's memories, `realloc`s and flags.
fn instance_module(instance: u32) -> String {
    format!("instance-{instance}")
}
