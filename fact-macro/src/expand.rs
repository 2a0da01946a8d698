//! Expansion: load the WIT, compile the adapters, emit them as constants.
//!
//! The expansion is a handful of items at the call site:
//!
//! - `WORLD: &str`: the adapted world (`ns:pkg/world`);
//! - `WASM: &[u8]`: the adapter module, as one byte-string literal (cheap to
//!   compile, unlike an array of integer tokens);
//! - `IMPORTS: &[fact::Import]` and `EXPORTS: &[fact::Export]`: the import
//!   table and the adapters, documented entry by entry;
//! - `mod names`: one `&str` constant per adapter's export name;
//! - one `include_bytes!` per WIT file read, so that Cargo rebuilds the crate
//!   when one changes.
//!
//! The tables become tokens in `tokens.rs`.

use crate::input::{Config, SideOptions, Source};
use crate::load::Loaded;
use crate::tokens::{export, import, resource};
use fact_core::{
    adapt_world_with, adapter_functions, adapter_names, Adapters, AsyncCall, CanonOptions, Export,
    FunctionOptions, ImportKind, MemoryType, WorldOptions,
};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;
use std::collections::BTreeMap;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The stack of the thread that loads and compiles the WIT. `wit-parser`
/// recurses into the dependencies of exported types (a few hundred bytes per
/// nested type when the macro is built without optimizations, as Cargo
/// builds proc macros by default), and rustc runs a proc macro on a stack of
/// a few MiB. The compiler itself does not recurse. This much is only
/// reserved, not used: millions of nested types fit in it.
const WIT_STACK: usize = 1 << 30;

/// Where an error of the WIT work is reported.
#[derive(Debug, Clone, Copy)]
enum At {
    /// At the WIT path or inline text.
    Source,
    /// At `world: ".."` if given, else at the WIT.
    World,
    /// At the macro call.
    Call,
    /// At the name of the function options `functions[i]`, in name order.
    Function(usize),
}

/// What the WIT work produces: plain data, sent back from its thread.
struct Built {
    /// `ns:pkg/world`.
    world_id: String,
    adapters: Adapters,
    /// Every file read.
    files: Vec<PathBuf>,
}

/// Where the WIT comes from ([`Source`] without its span).
enum Text {
    /// A path relative to `CARGO_MANIFEST_DIR`.
    Path(String),
    /// WIT source text.
    Inline(String),
}

/// Loads the WIT and compiles its world's adapters: everything of the
/// expansion that depends on the WIT, and no tokens (they cannot cross
/// threads).
fn build(
    source: &Text,
    manifest_dir: Option<&Path>,
    world: Option<&str>,
    options: &WorldOptions,
    overrides: &BTreeMap<String, (SideOptions, SideOptions)>,
) -> Result<Built, (At, String)> {
    let loaded = match source {
        Text::Path(path) => {
            let manifest_dir = manifest_dir.ok_or((
                At::Source,
                "`CARGO_MANIFEST_DIR` is not set, so the WIT path has no base directory; \
                 build with Cargo or use `inline: \"..\"`"
                    .to_string(),
            ))?;
            Loaded::path(manifest_dir, path)
        }
        Text::Inline(text) => Loaded::inline(text),
    }
    .map_err(|e| (At::Source, e))?;
    let world = loaded.world(world).map_err(|e| (At::World, e))?;
    let resolve = &loaded.resolve;
    let world_id = {
        let w = &resolve.worlds[world];
        match w.package {
            Some(package) => resolve.id_of_name(package, &w.name),
            None => w.name.clone(),
        }
    };
    let names = adapter_names(resolve, world);
    if let Some(i) = overrides.keys().position(|k| !names.contains(k)) {
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let unknown = overrides.keys().nth(i).expect("a key");
        return Err((
            At::Function(i),
            format!(
                "world `{world_id}` has no function whose adapter is named `{unknown}`; \
                 the adapters are {}",
                names.join(", ")
            ),
        ));
    }
    let mut functions = BTreeMap::new();
    for (name, function) in adapter_functions(resolve, world) {
        let Some((lift, lower)) = overrides.get(&name) else {
            continue;
        };
        let base = options.for_function(function);
        let own = FunctionOptions {
            lift: lift.apply(base.lift),
            lower: lower.apply(base.lower),
        };
        // Reported at the function's name: the one place that asks for it.
        if (own.lift.async_ || own.lift.callback || own.lower.async_) && !function.kind.is_async() {
            let at = overrides.keys().position(|k| *k == name).expect("a key");
            return Err((
                At::Function(at),
                format!(
                    "`{}` is not an `async` function: the `async` canonical option requires \
                     an async function type",
                    function.name
                ),
            ));
        }
        functions.insert(name, own);
    }
    let adapters = adapt_world_with(resolve, world, options, &functions)
        .map_err(|e| (At::Call, format!("cannot adapt world `{world_id}`: {e}")))?;
    adapters.validate().map_err(|e| {
        (
            At::Call,
            format!("internal error in fact-core (please report it): {e}"),
        )
    })?;
    Ok(Built {
        world_id,
        adapters,
        files: loaded.files,
    })
}

/// Runs [`build`] on a thread with a [`WIT_STACK`] stack.
fn build_on_large_stack(
    config: &Config,
    manifest_dir: Option<&Path>,
    options: &WorldOptions,
    functions: &BTreeMap<String, (SideOptions, SideOptions)>,
) -> Result<Built, (At, String)> {
    // `LitStr`s hold spans, which only the macro's own thread may touch:
    // the thread gets their text.
    let source = match &config.source {
        Source::Path(path) => Text::Path(path.value()),
        Source::Inline(text) => Text::Inline(text.value()),
    };
    let world = config.world.as_ref().map(|w| w.value());
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(WIT_STACK)
            .spawn_scoped(scope, || {
                build(&source, manifest_dir, world.as_deref(), options, functions)
            })
            .map_err(|e| {
                (
                    At::Call,
                    format!("cannot start the thread that reads the WIT: {e}"),
                )
            })?
            .join()
            .unwrap_or_else(|_| Err((At::Call, "the compiler panicked (please report it)".into())))
    })
}

/// Expands `config`; paths are relative to `manifest_dir` (the crate's
/// `CARGO_MANIFEST_DIR`, `None` if Cargo did not set it).
pub(crate) fn expand(config: &Config, manifest_dir: Option<&Path>) -> syn::Result<TokenStream> {
    let source = config.source.literal();
    let options = config.world_options();
    let functions = config.function_options();
    let Built {
        world_id,
        adapters,
        files,
    } = build_on_large_stack(config, manifest_dir, &options, &functions).map_err(
        |(at, message)| {
            let span = match at {
                At::Source => source.span(),
                At::World => config.world.as_ref().unwrap_or(source).span(),
                At::Call => Span::call_site(),
                At::Function(i) => {
                    let name = functions.keys().nth(i).expect("a key");
                    config
                        .functions
                        .iter()
                        .find(|f| &f.name.value() == name)
                        .map_or(Span::call_site(), |f| f.name.span())
                }
            };
            syn::Error::new(span, message)
        },
    )?;

    let wasm = Literal::byte_string(&adapters.wasm);
    let wasm_doc = doc(&format!(
        "The adapter module of world `{world_id}`: {} adapters, {} bytes.\n\n\
         The side that lifts each function has {}; the side that lowers it has {}.\n\n\
         Adapter `i` is export `i` (see [`EXPORTS`]); [`IMPORTS`] says what to supply for \
         each import.",
        adapters.exports.len(),
        adapters.wasm.len(),
        describe_options(&options.lift, true),
        describe_options(&options.lower, false),
    ));

    let imports = adapters.imports.iter().map(import);
    let imports_doc = doc(&list(
        "The import table of [`WASM`]: what the host supplies for each import, in import order.",
        adapters.imports.iter().enumerate().map(|(i, import)| {
            format!(
                "{i}: `{}` `{}`: {}",
                import.module,
                import.name,
                describe_import(&import.kind)
            )
        }),
    ));

    let exports = adapters.exports.iter().map(export);
    let exports_doc = doc(&list(
        "The adapters of [`WASM`]: entry `i` is export `i` of the module.",
        adapters.exports.iter().enumerate().map(|(i, export)| {
            format!(
                "{i}: `{}` — `{}` (lower instance {} -> lift instance {})",
                export.name,
                wit_function(export),
                export.lower_instance,
                export.lift_instance
            )
        }),
    ));

    let resources = adapters.resources.iter().map(resource);
    let resources_doc = doc(&list(
        "The resource types whose handles the adapters carry: entry `i` is `type` argument `i` \
         of the `resource` intrinsics.",
        adapters.resources.iter().enumerate().map(|(i, r)| {
            let at = r
                .interface
                .as_deref()
                .map(|i| format!("{i}/"))
                .unwrap_or_default();
            match r.implementer {
                Some(instance) => {
                    format!("{i}: `{at}{}`, implemented by instance {instance}", r.name)
                }
                None => format!("{i}: `{at}{}`", r.name),
            }
        }),
    ));

    let names = names(&adapters.exports, &adapters.descriptions);
    let world_doc = doc(&format!("The adapted WIT world, `{world_id}`."));
    let rebuild = files.iter().filter_map(|file| file.to_str()).map(|file| {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#file);
        )
    });

    Ok(quote! {
        #world_doc
        pub const WORLD: &str = #world_id;
        #wasm_doc
        pub const WASM: &[u8] = #wasm;
        #imports_doc
        pub const IMPORTS: &[::fact::Import] = &[#(#imports),*];
        #exports_doc
        pub const EXPORTS: &[::fact::Export] = &[#(#exports),*];
        #resources_doc
        pub const RESOURCES: &[::fact::Resource] = &[#(#resources),*];
        #names
        #(#rebuild)*
    })
}

/// `#[doc = ".."]`.
fn doc(text: &str) -> TokenStream {
    quote!(#[doc = #text])
}

/// A paragraph followed by a markdown list (or "None." when empty).
fn list(intro: &str, items: impl Iterator<Item = String>) -> String {
    let mut text = format!("{intro}\n");
    let mut empty = true;
    for item in items {
        empty = false;
        text.push_str("\n- ");
        text.push_str(&item);
    }
    if empty {
        text.push_str("\nNone.");
    }
    text
}

/// `iface#function`, or `function` for a function of the world itself.
fn wit_function(export: &Export) -> String {
    match &export.interface {
        Some(interface) => format!("{interface}#{}", export.function),
        None => export.function.to_string(),
    }
}

/// The `names` module (one `&str` constant per adapter, its export name)
/// and the `adapter` module (one `&Export` constant per adapter, its entry
/// of `EXPORTS`), both documented with where the adapter's values live.
fn names(exports: &[Export], descriptions: &[String]) -> TokenStream {
    let mut taken = HashSet::new();
    let idents: Vec<Ident> = exports
        .iter()
        .enumerate()
        .map(|(i, export)| {
            let mut name = const_name(&export.name);
            if !taken.insert(name.clone()) {
                name = format!("{name}_{i}");
                taken.insert(name.clone());
            }
            Ident::new(&name, Span::call_site())
        })
        .collect();
    let docs: Vec<TokenStream> = exports
        .iter()
        .enumerate()
        .map(|(i, export)| {
            let description = descriptions.get(i).map(String::as_str).unwrap_or_default();
            let async_call = export
                .async_call
                .as_ref()
                .map_or(String::new(), describe_async);
            doc(&format!(
                "Adapter {i}: `{}`, lowered by instance {}, lifted by instance {}.\n\n\
                 The caller imports it as `(func {})`; it calls the callee as \
                 `(func {})`.\n\n{async_call}{description}",
                wit_function(export),
                export.lower_instance,
                export.lift_instance,
                export.lowered,
                export.lifted,
            ))
        })
        .collect();
    let names = exports.iter().map(|e| &*e.name);
    let indices = 0..exports.len();
    quote! {
        /// The export name of each adapter, one constant per adapter, named after it in
        /// `SHOUTY_SNAKE_CASE` (`[export]ns:pkg/iface#f` is `EXPORT_NS_PKG_IFACE_F`).
        pub mod names {
            #(#docs pub const #idents: &str = #names;)*
        }
        /// Each adapter's entry of [`EXPORTS`], one constant per adapter, named as in
        /// [`names`]: its names, its instances and both core signatures.
        pub mod adapter {
            #(#docs pub const #idents: &::fact::Export = &super::EXPORTS[#indices];)*
        }
    }
}

/// `SHOUTY_SNAKE_CASE` of an export name: ASCII letters and digits kept,
/// every other run of characters turned into one `_`.
fn const_name(export: &str) -> String {
    let mut name = String::new();
    for c in export.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_uppercase());
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    while name.ends_with('_') {
        name.pop();
    }
    if name.is_empty() {
        name.push_str("ADAPTER");
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "ADAPTER_");
    }
    name
}

/// What the host supplies for an import, in words, for the docs.
fn describe_import(kind: &ImportKind) -> String {
    let bits = |memory64: bool| if memory64 { "64-bit" } else { "32-bit" };
    match *kind {
        ImportKind::AsyncCall { adapter } => {
            format!("the async runtime's entry for adapter {adapter}")
        }
        ImportKind::ErrorContextTransfer {
            src_instance,
            dst_instance,
        } => format!(
            "the `error-context` transfer from instance {src_instance} to instance {dst_instance}"
        ),
        ImportKind::Memory { instance, memory64 } => {
            format!("the {} memory of instance {instance}", bits(memory64))
        }
        ImportKind::Realloc { instance, memory64 } => {
            format!(
                "the `realloc` of instance {instance} (for its {} memory)",
                bits(memory64)
            )
        }
        ImportKind::Flags { instance } => format!("the flags global of instance {instance}"),
        ImportKind::Callee { adapter } => format!("the callee of adapter {adapter}"),
        ImportKind::PostReturn { adapter } => {
            format!("the `post-return` of adapter {adapter}'s callee")
        }
        ImportKind::Trap => "the trap function".to_string(),
        ImportKind::Transcode {
            op,
            src_instance,
            src_memory64,
            dst_instance,
            dst_memory64,
        } => format!(
            "the `{}` transcoder from the {} memory of instance {src_instance} to the {} \
             memory of instance {dst_instance}",
            op.name(),
            bits(src_memory64),
            bits(dst_memory64)
        ),
        ImportKind::Validate {
            utf16,
            instance,
            memory64,
        } => format!(
            "the {} validator of the {} memory of instance {instance}",
            if utf16 { "UTF-16" } else { "UTF-8" },
            bits(memory64)
        ),
        ImportKind::Resource {
            op,
            src_instance,
            dst_instance,
        } => format!(
            "the `{}` resource intrinsic for calls from instance {src_instance} to instance \
             {dst_instance}",
            op.name()
        ),
    }
}

/// How the async runtime runs an adapter of an `async` function, in words.
fn describe_async(call: &AsyncCall) -> String {
    let lower = if call.lower_async {
        "The caller lowers it with `async`: the call returns a packed status \
         (`state | subtask << 4`) at once, and results go to the return pointer."
    } else {
        "The caller lowers it synchronously: the call returns when the results are there."
    };
    let lift = if call.callback {
        format!(
            "The callee lifts it with `async` and a `callback`: it returns callback codes and \
             its results through `task.return`, of core type `(func {})`.",
            call.task_return
        )
    } else {
        "The callee lifts it synchronously.".to_string()
    };
    format!(
        "An `async` function: the adapter hands the call to the async runtime \
         (`AdapterLinker::runtime`). {lower} {lift}\n\n"
    )
}

/// Canonical options in words, for the docs.
fn describe_options(options: &CanonOptions, lift: bool) -> String {
    let memory = match options.memory {
        Some(MemoryType::Memory32) => "a 32-bit memory",
        Some(MemoryType::Memory64) => "a 64-bit memory",
        None => "no memory",
    };
    let realloc = if options.realloc {
        "a `realloc`"
    } else {
        "no `realloc`"
    };
    let mut text = format!("`{}` strings, {memory}, {realloc}", options.string_encoding);
    if options.async_ {
        text.push_str(if options.callback {
            ", `async` with a `callback` for `async` functions"
        } else {
            ", `async` for `async` functions"
        });
    }
    if lift {
        text.push_str(if options.post_return {
            " and a `post-return`"
        } else {
            " and no `post-return`"
        });
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use fact_core::Signature;
    use std::borrow::Cow;

    #[test]
    fn constant_names_are_shouty_snake_case_of_export_names() {
        assert_eq!(const_name("demo:app/api#greet"), "DEMO_APP_API_GREET");
        assert_eq!(
            const_name("[export]demo:app/api#greet"),
            "EXPORT_DEMO_APP_API_GREET"
        );
        assert_eq!(
            const_name("wasi:io/streams@0.2.0#[method]input-stream.read"),
            "WASI_IO_STREAMS_0_2_0_METHOD_INPUT_STREAM_READ"
        );
        assert_eq!(const_name("run"), "RUN");
        assert_eq!(const_name("[]"), "ADAPTER");
        assert_eq!(const_name("0"), "ADAPTER_0");
    }

    #[test]
    fn colliding_constant_names_get_the_adapter_index() {
        let export = |name: &'static str| Export {
            name: Cow::Borrowed(name),
            interface: None,
            function: Cow::Borrowed(name),
            lower_instance: 0,
            lift_instance: 1,
            lowered: Signature::new(&[], &[]),
            lifted: Signature::new(&[], &[]),
            async_call: None,
        };
        let tokens = names(&[export("a-b"), export("a.b")], &[]).to_string();
        assert!(tokens.contains("pub const A_B"), "{tokens}");
        assert!(tokens.contains("pub const A_B_1"), "{tokens}");
    }
}

#[cfg(test)]
mod expansion_tests {
    use super::*;

    fn expand_str(input: &str) -> syn::Result<TokenStream> {
        let config: Config = syn::parse_str(input)?;
        expand(&config, Some(Path::new(env!("CARGO_MANIFEST_DIR"))))
    }

    /// `wit-parser` recurses into the dependencies of exported types: a
    /// chain this deep overflows an 8 MiB stack in a debug build, and the
    /// test's thread has 2 MiB. The expansion must not care.
    #[test]
    fn deep_wit_expands_on_a_small_stack() {
        let depth = 30_000;
        let mut wit = String::from("package deep:wit;\ninterface i {\nvariant t0 { a(u32), b }\n");
        for n in 1..=depth {
            let prev = n - 1;
            wit += &format!("record r{n} {{ x: t{prev}, y: u8 }}\nvariant t{n} {{ a(r{n}), b }}\n");
        }
        wit += &format!("f: func(x: t{depth}) -> t{depth};\n}}\nworld w {{ export i; }}\n");
        let input = format!("{{ inline: {wit:?} }}");
        let expanded = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || expand_str(&input).map(|tokens| tokens.to_string()))
            .unwrap()
            .join()
            .unwrap()
            .unwrap();
        assert!(expanded.contains("EXPORT_DEEP_WIT_I_F"), "{expanded}");
    }

    #[test]
    fn the_module_is_one_byte_string_literal() {
        let tokens = expand_str(r#""../tests/wit/app.wit""#).unwrap();
        let file: syn::File = syn::parse2(tokens).unwrap();
        let wasm = file
            .items
            .iter()
            .find_map(|item| match item {
                syn::Item::Const(c) if c.ident == "WASM" => Some(&*c.expr),
                _ => None,
            })
            .unwrap();
        assert!(
            matches!(wasm, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::ByteStr(b), .. })
                if b.value().starts_with(b"\0asm")),
            "{}",
            quote!(#wasm)
        );
    }

    #[test]
    fn exports_are_documented_entry_by_entry() {
        let tokens = expand_str(r#""../tests/wit/app.wit""#).unwrap().to_string();
        assert!(tokens.contains(
            "- 2: `[export]demo:app/api#greet` — `demo:app/api#greet` \
             (lower instance 1 -> lift instance 0)"
        ));
    }

    #[test]
    fn every_file_read_is_included_for_rebuilds() {
        let tokens = expand_str(r#""../tests/wit/with-deps/user.wit""#)
            .unwrap()
            .to_string();
        assert_eq!(tokens.matches("include_bytes").count(), 3, "{tokens}");
    }

    /// The WASI WIT, found in the workspace's dependency graph.
    fn wasi_wit() -> std::path::PathBuf {
        crate::wasi_wit::wasi_wit(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml"))
    }

    #[test]
    fn the_wasi_worlds_expand_with_their_resources() {
        let wit = wasi_wit();
        for world in ["wasi:cli/command", "wasi:http/proxy"] {
            let input = format!(
                "{{ path: {:?}, world: {world:?} }}",
                wit.display().to_string()
            );
            let tokens = expand_str(&input)
                .unwrap_or_else(|e| panic!("{world}: {e}"))
                .to_string();
            assert!(tokens.contains("pub const RESOURCES"), "{world}");
            assert!(
                tokens.contains(":: fact :: ResourceOp :: BorrowRep"),
                "{world}"
            );
            assert!(
                tokens.contains("wasi:io/streams@0.2.12#[method]input-stream.read"),
                "{world}"
            );
        }
    }
}
