//! `fact_adapters!`: the constants it embeds are what `fact-core` compiles
//! from the same WIT, they describe the module they come with, the macro's
//! options reach the import table, and bad input is a compile error
//! (`fact-macro/tests/ui`, run with trybuild).

use fact::{Export, Import, ImportKind};
use fact_core::wit_parser::Resolve;
use fact_core::{Adapters, WorldOptions};
use std::path::Path;

mod app {
    fact::fact_adapters!("tests/wit/app.wit");
}

mod app_options {
    fact::fact_adapters!({
        path: "tests/wit/app.wit",
        world: "app",
        lift: { string_encoding: "utf16", memory64: true, post_return: true },
        lower: { string_encoding: "latin1+utf16" },
    });
}

mod user_dir {
    fact::fact_adapters!("tests/wit/with-deps");
}

mod user_file {
    fact::fact_adapters!("tests/wit/with-deps/user.wit");
}

mod second {
    fact::fact_adapters!({ path: "tests/wit/two-worlds.wit", world: "second" });
}

mod first {
    fact::fact_adapters!({ path: "tests/wit/two-worlds.wit", world: "demo:two/first" });
}

mod memoryless {
    fact::fact_adapters!({
        inline: "
            package demo:calc;
            world calc {
                import log: func(code: u32);
                export add: func(a: u32, b: u64) -> u64;
            }
        ",
        lift: { memory: false, realloc: false },
        lower: { memory: false, realloc: false },
    });
}

/// A key-value store whose interface declares a resource between two
/// functions: the order of `EXPORTS` is the declaration order.
const KV: &str = "
    package demo:kv;
    interface store {
        open: func(name: string) -> cursor;
        resource cursor { next: func() -> option<string>; }
        get: func(key: string) -> option<string>;
    }
    world kv { import store; export store; }
";

mod kv {
    fact::fact_adapters!({
        inline: "
            package demo:kv;
            interface store {
                open: func(name: string) -> cursor;
                resource cursor { next: func() -> option<string>; }
                get: func(key: string) -> option<string>;
            }
            world kv { import store; export store; }
        ",
        debug: true,
        functions: {
            "[export]demo:kv/store#get": { lift: { string_encoding: "utf16" } },
            "demo:kv/store#open": { lower: { memory64: true } },
        },
    });
}

/// Compiles the world of the WIT at `path` (relative to the package) at run
/// time, the way the macro does at build time.
fn compile(path: &str, world: Option<&str>, options: &WorldOptions) -> Adapters {
    let mut resolve = Resolve::default();
    let (package, _) = resolve
        .push_path(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap();
    let world = resolve.select_world(&[package], world).unwrap();
    fact_core::adapt_world(&resolve, world, options).unwrap()
}

/// The options that `app_options` spells in the macro's grammar.
fn app_options() -> WorldOptions {
    let defaults = WorldOptions::default();
    WorldOptions {
        lift: defaults
            .lift
            .string_encoding(fact_core::StringEncoding::Utf16)
            .memory(Some(fact_core::MemoryType::Memory64))
            .post_return(true),
        lower: defaults
            .lower
            .string_encoding(fact_core::StringEncoding::CompactUtf16),
        ..defaults
    }
}

fn names(exports: &[Export]) -> Vec<&str> {
    exports.iter().map(|e| &*e.name).collect()
}

/// The imports and exports of a core module, by name, in order.
fn module_imports_and_exports(wasm: &[u8]) -> (Vec<(String, String)>, Vec<String>) {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            wasmparser::Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.unwrap();
                    imports.push((import.module.to_string(), import.name.to_string()));
                }
            }
            wasmparser::Payload::ExportSection(section) => {
                for export in section {
                    exports.push(export.unwrap().name.to_string());
                }
            }
            _ => {}
        }
    }
    (imports, exports)
}

#[test]
fn the_constants_are_what_fact_core_compiles_from_the_same_wit() {
    let expected = compile("tests/wit/app.wit", None, &WorldOptions::default());
    assert_eq!(app::WASM, &expected.wasm[..]);
    assert_eq!(app::IMPORTS, &expected.imports[..]);
    assert_eq!(app::EXPORTS, &expected.exports[..]);

    let expected = compile("tests/wit/app.wit", Some("app"), &app_options());
    assert_eq!(app_options::WASM, &expected.wasm[..]);
    assert_eq!(app_options::IMPORTS, &expected.imports[..]);
    assert_eq!(app_options::EXPORTS, &expected.exports[..]);
}

#[test]
fn the_module_validates_with_the_features_it_declares() {
    for (wasm, path, world, options) in [
        (
            app::WASM,
            "tests/wit/app.wit",
            None,
            WorldOptions::default(),
        ),
        (app_options::WASM, "tests/wit/app.wit", None, app_options()),
        (
            user_dir::WASM,
            "tests/wit/with-deps",
            None,
            WorldOptions::default(),
        ),
        (
            second::WASM,
            "tests/wit/two-worlds.wit",
            Some("second"),
            WorldOptions::default(),
        ),
    ] {
        let features = compile(path, world, &options).features;
        wasmparser::Validator::new_with_features(features)
            .validate_all(wasm)
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

#[test]
fn the_tables_describe_the_module_imports_and_exports_in_order() {
    for (wasm, imports, exports) in [
        (app::WASM, app::IMPORTS, app::EXPORTS),
        (
            app_options::WASM,
            app_options::IMPORTS,
            app_options::EXPORTS,
        ),
        (user_file::WASM, user_file::IMPORTS, user_file::EXPORTS),
        (memoryless::WASM, memoryless::IMPORTS, memoryless::EXPORTS),
    ] {
        let (module_imports, module_exports) = module_imports_and_exports(wasm);
        let table: Vec<_> = imports
            .iter()
            .map(|i: &Import| (i.module.to_string(), i.name.to_string()))
            .collect();
        assert_eq!(module_imports, table);
        assert_eq!(module_exports, names(exports));
    }
}

#[test]
fn every_function_of_the_world_is_adapted_imports_first() {
    assert_eq!(app::WORLD, "demo:app/app");
    assert_eq!(
        names(app::EXPORTS),
        [
            "demo:app/host#log",
            "demo:app/host#bounds",
            "[export]demo:app/api#greet",
            "[export]demo:app/api#area",
            "[export]demo:app/api#sum",
        ]
    );
    // The world's component (instance 0) lowers its imports and lifts its
    // exports; the other side is instance 1.
    let log = &app::EXPORTS[0];
    assert_eq!(log.interface.as_deref(), Some("demo:app/host"));
    assert_eq!(log.function, "log");
    assert_eq!((log.lower_instance, log.lift_instance), (0, 1));
    let greet = &app::EXPORTS[2];
    assert_eq!(greet.interface.as_deref(), Some("demo:app/api"));
    assert_eq!(greet.function, "greet");
    assert_eq!((greet.lower_instance, greet.lift_instance), (1, 0));
    for (i, _) in app::EXPORTS.iter().enumerate() {
        let callee = ImportKind::Callee { adapter: i as u32 };
        assert!(app::IMPORTS.iter().any(|import| import.kind == callee));
    }
}

#[test]
fn names_hold_each_adapter_export_name() {
    assert_eq!(app::names::DEMO_APP_HOST_LOG, "demo:app/host#log");
    assert_eq!(app::names::DEMO_APP_HOST_BOUNDS, "demo:app/host#bounds");
    assert_eq!(
        app::names::EXPORT_DEMO_APP_API_GREET,
        "[export]demo:app/api#greet"
    );
    assert_eq!(
        app::names::EXPORT_DEMO_APP_API_AREA,
        "[export]demo:app/api#area"
    );
    assert_eq!(
        app::names::EXPORT_DEMO_APP_API_SUM,
        "[export]demo:app/api#sum"
    );
    assert_eq!(second::names::PING, "ping");
    assert_eq!(second::names::EXPORT_PONG, "[export]pong");
}

#[test]
fn by_default_both_sides_have_32_bit_memories_and_no_post_return() {
    for import in app::IMPORTS {
        match import.kind {
            ImportKind::Memory { memory64, .. } | ImportKind::Realloc { memory64, .. } => {
                assert!(!memory64, "{import:?}")
            }
            ImportKind::PostReturn { .. } => panic!("{import:?}"),
            _ => {}
        }
    }
    for instance in [0, 1] {
        let memory = ImportKind::Memory {
            instance,
            memory64: false,
        };
        assert!(app::IMPORTS.iter().any(|i| i.kind == memory));
    }
}

#[test]
fn lift_and_lower_options_reach_the_import_table() {
    // The lifting side of the exports is the world's component (instance 0),
    // of the imports the other one (instance 1): both get 64-bit memories.
    for instance in [0, 1] {
        let memory = ImportKind::Memory {
            instance,
            memory64: true,
        };
        assert!(
            app_options::IMPORTS.iter().any(|i| i.kind == memory),
            "{memory:?} in {:#?}",
            app_options::IMPORTS
        );
        // ... as does the lowering side, with the default 32-bit memory.
        let memory = ImportKind::Memory {
            instance,
            memory64: false,
        };
        assert!(app_options::IMPORTS.iter().any(|i| i.kind == memory));
    }
    assert!(app_options::IMPORTS
        .iter()
        .any(|i| matches!(i.kind, ImportKind::PostReturn { .. })));
    assert_ne!(app_options::WASM, app::WASM);
}

#[test]
fn memory_false_leaves_memories_and_reallocs_out() {
    assert_eq!(names(memoryless::EXPORTS), ["log", "[export]add"]);
    assert!(memoryless::IMPORTS.iter().all(|i| !matches!(
        i.kind,
        ImportKind::Memory { .. } | ImportKind::Realloc { .. }
    )));
}

#[test]
fn a_wit_file_loads_the_deps_next_to_it_like_its_directory() {
    assert_eq!(user_file::WORLD, "demo:user/user");
    assert_eq!(user_file::WASM, user_dir::WASM);
    assert_eq!(user_file::IMPORTS, user_dir::IMPORTS);
    assert_eq!(user_file::EXPORTS, user_dir::EXPORTS);
    let mut adapters = names(user_dir::EXPORTS);
    adapters.sort_unstable();
    assert_eq!(
        adapters,
        [
            "[export]run",
            "demo:clock/clock#now",
            "demo:clock/clock#set-verbosity",
            "demo:logging/logging#log",
        ]
    );
}

#[test]
fn world_chooses_one_of_several_worlds_by_name_or_id() {
    assert_eq!(second::WORLD, "demo:two/second");
    assert_eq!(names(second::EXPORTS), ["ping", "[export]pong"]);
    assert_eq!(first::WORLD, "demo:two/first");
    assert_eq!(names(first::EXPORTS), ["[export]hello"]);
}

#[test]
fn exports_are_in_declaration_order_imports_first() {
    assert_eq!(
        names(kv::EXPORTS),
        [
            "demo:kv/store#open",
            "demo:kv/store#[method]cursor.next",
            "demo:kv/store#get",
            "[export]demo:kv/store#open",
            "[export]demo:kv/store#[method]cursor.next",
            "[export]demo:kv/store#get",
        ]
    );
    let mut resolve = Resolve::default();
    let package = resolve.push_str("kv.wit", KV).unwrap();
    let world = resolve.select_world(&[package], None).unwrap();
    assert_eq!(
        names(kv::EXPORTS),
        fact_core::adapter_names(&resolve, world)
    );
}

#[test]
fn function_options_override_the_world_options_of_their_function_only() {
    let mut resolve = Resolve::default();
    let package = resolve.push_str("kv.wit", KV).unwrap();
    let world = resolve.select_world(&[package], None).unwrap();
    let defaults = WorldOptions::default();
    let options = WorldOptions {
        debug: true,
        ..defaults
    };
    let functions = [
        (
            "[export]demo:kv/store#get".to_string(),
            fact_core::FunctionOptions {
                lift: defaults
                    .lift
                    .string_encoding(fact_core::StringEncoding::Utf16),
                lower: defaults.lower,
            },
        ),
        (
            "demo:kv/store#open".to_string(),
            fact_core::FunctionOptions {
                lift: defaults.lift,
                lower: defaults.lower.memory(Some(fact_core::MemoryType::Memory64)),
            },
        ),
    ]
    .into_iter()
    .collect();
    let expected = fact_core::adapt_world_with(&resolve, world, &options, &functions).unwrap();
    assert_eq!(kv::WASM, &expected.wasm[..]);
    assert_eq!(kv::IMPORTS, &expected.imports[..]);
    // Only `open`'s caller has a 64-bit memory, and only the exported
    // `get`'s callee UTF-16 strings.
    let open = kv::adapter::DEMO_KV_STORE_OPEN;
    assert_eq!(open.lowered.to_string(), "(param i64 i64) (result i32)");
    let get = kv::adapter::DEMO_KV_STORE_GET;
    assert_eq!(get.lowered.to_string(), "(param i32 i32 i32)");
    assert!(
        kv::IMPORTS
            .iter()
            .any(|i| i.name == "utf8-to-utf16:1:0:32:32"),
        "{:?}",
        kv::IMPORTS
    );
}

#[test]
fn each_adapter_constant_is_its_entry_of_exports() {
    assert_eq!(kv::adapter::DEMO_KV_STORE_OPEN, &kv::EXPORTS[0]);
    assert_eq!(kv::adapter::EXPORT_DEMO_KV_STORE_GET, &kv::EXPORTS[5]);
    assert_eq!(
        kv::adapter::EXPORT_DEMO_KV_STORE_METHOD_CURSOR_NEXT.name,
        kv::names::EXPORT_DEMO_KV_STORE_METHOD_CURSOR_NEXT
    );
}

#[test]
fn debug_keeps_a_name_section_naming_every_function() {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(kv::WASM) {
        if let wasmparser::Payload::CustomSection(section) = payload.unwrap() {
            if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                for name in reader {
                    if let wasmparser::Name::Function(map) = name.unwrap() {
                        for naming in map {
                            names.push(naming.unwrap().name.to_string());
                        }
                    }
                }
            }
        }
    }
    assert!(
        names.iter().any(|n| n == "[export]demo:kv/store#get"),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("move string ")),
        "{names:?}"
    );
    assert!(names.iter().any(|n| n == "fact.trap"), "{names:?}");
    // Without `debug`, no names.
    let (imports, _) = module_imports_and_exports(app::WASM);
    assert!(!imports.is_empty());
    assert!(!wasmparser::Parser::new(0)
        .parse_all(app::WASM)
        .any(|p| matches!(p.unwrap(), wasmparser::Payload::CustomSection(_))));
}

/// The docs of each adapter say where its values live: here the result, a
/// `result<u64, string>` written through a return pointer, has its payload
/// at offset 8 (the `u64`'s alignment), which a host writing the caller by
/// hand must know.
#[test]
fn descriptions_give_flat_slots_offsets_and_layouts() {
    let mut resolve = Resolve::default();
    let package = resolve
        .push_str(
            "d.wit",
            "package demo:d; world w { export f: func(key: string, n: u8) -> result<u64, string>; }",
        )
        .unwrap();
    let world = resolve.select_world(&[package], None).unwrap();
    let options = WorldOptions {
        describe: true,
        ..WorldOptions::default()
    };
    let adapters = fact_core::adapt_world(&resolve, world, &options).unwrap();
    let text = &adapters.descriptions[0];
    assert!(
        text.contains("WIT: `f: func(key: string, n: u8) -> result<u64, string>`"),
        "{text}"
    );
    assert!(text.contains("- params 0..2: `key: string`"), "{text}");
    assert!(text.contains("- param 2: `n: u8`"), "{text}");
    assert!(
        text.contains(
            "- param 3: a pointer where the adapter writes the result, 16 bytes, align 8"
        ),
        "{text}"
    );
    assert!(
        text.contains("discriminant of 1 byte at 0, payload at 8"),
        "{text}"
    );
    // Without asking, no descriptions: they cost as much as half the
    // compilation.
    let plain = fact_core::adapt_world(&resolve, world, &WorldOptions::default()).unwrap();
    assert!(plain.descriptions.is_empty());
}
