//! The compiler against hostile and huge WIT: every input that `wit-parser`
//! accepts either compiles into a valid module or is refused with an error,
//! on a small stack and in time linear in the WIT's text.

use fact_core::wit_parser::{Resolve, WorldItem};
use fact_core::{adapt_world, adapt_world_with, Adapters, Error, WorldOptions};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::mpsc;
use std::time::Duration;

/// The stack of a thread that Rust spawns by default, and less than rustc
/// gives a proc macro.
const SMALL_STACK: usize = 2 << 20;

/// How long any one compilation here may take before the test calls it
/// non-linear. Each takes well under a second when the compiler is linear
/// (debug build); the inputs below make a quadratic or exponential compiler
/// take minutes to forever.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Adapts the only world of the package `wit` on a thread with a 2 MiB
/// stack, within [`WATCHDOG`]. The WIT is parsed on a thread of its own
/// with a large stack: `wit-parser` recurses into deep types, and what is
/// under test is the compiler, not the parser.
fn adapt_small_stack(wit: String) -> Result<Adapters, Error> {
    let (resolve, world) = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut resolve = Resolve::default();
            let pkg = resolve.push_str("hostile.wit", &wit).expect("valid WIT");
            let world = resolve.select_world(&[pkg], None).expect("one world");
            (resolve, world)
        })
        .expect("spawn")
        .join()
        .expect("parse");
    let (send, receive) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || {
            let adapters = adapt_world(&resolve, world, &WorldOptions::default());
            let _ = send.send(adapters);
        })
        .expect("spawn");
    match receive.recv_timeout(WATCHDOG) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("compilation took more than {WATCHDOG:?}: not linear in the WIT")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the compiling thread died"),
    }
}

/// A package with one interface `i` holding `types` and a function `f` that
/// takes and returns `top`, imported by a world.
fn package(types: &str, top: &str) -> String {
    format!(
        "package hostile:deep;\ninterface i {{\n{types}\nf: func(x: {top}) -> {top};\n}}\n\
         world w {{ import i; export i; }}\n"
    )
}

/// A chain of `depth` named types, level `n` holding level `n - 1` as
/// `level(n, previous)` says.
fn chain(depth: usize, first: &str, level: impl Fn(usize, &str) -> String) -> String {
    let mut types = format!("{first}\n");
    for n in 1..=depth {
        let _ = writeln!(types, "{}", level(n, &format!("t{}", n - 1)));
    }
    package(&types, &format!("t{depth}"))
}

const DEEP: usize = 10_000;

#[test]
fn chains_ten_thousand_deep_compile_on_a_2_mib_stack() {
    let shapes: [(&str, String); 5] = [
        (
            "records inside variants",
            chain(DEEP, "variant t0 { a(u32), b }", |n, prev| {
                format!("record r{n} {{ x: {prev}, y: u8 }}\nvariant t{n} {{ a(r{n}), b }}")
            }),
        ),
        (
            "lists of lists",
            chain(DEEP, "type t0 = list<u8>;", |n, prev| {
                format!("type t{n} = list<{prev}>;")
            }),
        ),
        (
            "options of options",
            chain(DEEP, "type t0 = option<u32>;", |n, prev| {
                format!("type t{n} = option<{prev}>;")
            }),
        ),
        (
            "records of one field",
            chain(DEEP, "record t0 { x: string }", |n, prev| {
                format!("record t{n} {{ x: {prev} }}")
            }),
        ),
        (
            "aliases",
            chain(DEEP, "type t0 = tuple<u8, string>;", |n, prev| {
                format!("type t{n} = {prev};")
            }),
        ),
    ];
    for (shape, wit) in shapes {
        let adapters = adapt_small_stack(wit).unwrap_or_else(|e| panic!("{shape}: {e}"));
        adapters.validate().unwrap();
        assert_eq!(adapters.exports.len(), 2, "{shape}");
    }
}

/// Each level names the one below twice: unfolded, level `n` is a tree of
/// 2^n leaves; as a DAG it is a few lines per level. Its size grows
/// linearly (a result is as big as its bigger case), so it is a valid type.
#[test]
fn types_that_share_their_parts_compile_in_time_linear_in_their_text() {
    let wit = chain(1_000, "type t0 = u8;", |n, prev| {
        if n % 2 == 1 {
            format!("type t{n} = result<{prev}, tuple<u8, {prev}>>;")
        } else {
            format!("type t{n} = tuple<{prev}, option<u16>>;")
        }
    });
    let adapters = adapt_small_stack(wit).unwrap();
    adapters.validate().unwrap();
}

#[test]
fn wide_variants_and_records_compile() {
    let cases: String = (0..40_000).map(|i| format!("c{i}(u32), ")).collect();
    let variant = package(&format!("variant wide {{ {cases} }}"), "wide");
    adapt_small_stack(variant).unwrap().validate().unwrap();
    let fields: String = (0..40_000).map(|i| format!("x{i}: u8, ")).collect();
    let record = package(&format!("record wide {{ {fields} }}"), "wide");
    adapt_small_stack(record).unwrap().validate().unwrap();
}

/// The WIT of one world-level function `f: func(x: <ty>)`, after `types`.
fn function_of(types: &str, ty: &str) -> String {
    format!("package hostile:size;\ninterface i {{\n{types}\nf: func(x: {ty});\n}}\nworld w {{ import i; }}\n")
}

/// The boundaries of `test/validation/max-value-size.wast` of the
/// component-model repository: `elem_size(t, 'i64')` must be below 2^28.
#[test]
fn value_types_of_2_pow_28_bytes_or_more_are_refused() {
    let valid = [
        "list<u8, 268435455>",
        "list<u64, 33554431>",
        "list<string, 16777215>",
        "map<u8, list<u8, 4>>",
        "tuple<list<u8, 268435454>, list<u8, 1>>",
        "list<list<u8, 134217727>, 2>",
        "option<map<u8, list<u8, 268435455>>>",
    ];
    for ty in valid {
        let adapters =
            adapt_small_stack(function_of("", ty)).unwrap_or_else(|e| panic!("{ty}: {e}"));
        adapters.validate().unwrap();
    }
    let invalid = [
        ("list<u8, 268435456>", 268435456u64),
        ("list<u64, 33554432>", 268435456),
        // A product that a 32-bit multiplication wraps to 0.
        ("list<u64, 536870912>", 4294967296),
        ("tuple<list<u8, 268435455>, list<u8, 1>>", 268435456),
        ("list<list<u8, 268435455>, 2>", 536870910),
        // Fine in a 32-bit memory (8-byte strings), too big in a 64-bit one.
        ("list<string, 16777216>", 268435456),
        // 4 GiB, which a 32-bit size truncates to 65,536 bytes.
        ("list<list<u8, 65536>, 65537>", 4295032832),
    ];
    for (ty, size) in invalid {
        let err = adapt_small_stack(function_of("", ty))
            .err()
            .unwrap_or_else(|| panic!("`{ty}` was accepted"));
        let message = err.to_string();
        assert!(
            message.contains(&format!("takes {size} bytes in a 64-bit memory"))
                && message.contains("2^28"),
            "{ty}: {message}"
        );
    }
    // A named type is named in the error.
    let err = adapt_small_stack(function_of(
        "record big { a: list<u8, 134217728>, b: list<u8, 134217728> }",
        "big",
    ))
    .unwrap_err();
    assert!(
        err.to_string().contains("`i.big` takes 268435456 bytes"),
        "{err}"
    );
}

/// Parameters are laid out as a tuple when they spill to memory: `fact`
/// holds that tuple to the same bound as a value, so no offset can wrap.
#[test]
fn parameter_lists_of_2_pow_28_bytes_or_more_are_refused() {
    let wit = "package hostile:size;\ninterface i {\n\
        f: func(a: list<u8, 200000000>, b: list<u8, 200000000>);\n}\nworld w { import i; }\n";
    let err = adapt_small_stack(wit.into()).unwrap_err();
    assert!(
        err.to_string()
            .contains("the parameters of `f` take 400000000 bytes"),
        "{err}"
    );
}

#[test]
fn empty_records_are_refused_as_empty_tuples_are() {
    let err = adapt_small_stack(function_of("record r {}", "r")).unwrap_err();
    assert!(
        err.to_string().contains("record `i.r` has no fields"),
        "{err}"
    );
    let err = adapt_small_stack(function_of("", "tuple<>")).unwrap_err();
    assert!(err.to_string().contains("empty tuples"), "{err}");
    // Deep inside another type, too.
    let err = adapt_small_stack(function_of("record r {}", "list<option<r>>")).unwrap_err();
    assert!(
        err.to_string().contains("record `i.r` has no fields"),
        "{err}"
    );
}

/// An `async` function gets the adapter of the async ABI wherever it is
/// declared, never the synchronous one.
#[test]
fn async_functions_get_async_adapters() {
    let worlds = [
        "world w { import f: async func(); }",
        "world w { export f: async func(x: u32) -> u32; }",
        "interface i { f: async func(); }\nworld w { import i; }",
        "interface i { f: async func(s: string); }\nworld w { export i; }",
        "interface i { resource r { s: static async func(); } }\nworld w { export i; }",
        // A method borrows `self` across the call.
        "interface i { resource r { m: async func(); } }\nworld w { import i; }",
    ];
    for world in worlds {
        let adapters = adapt_small_stack(format!("package hostile:sync;\n{world}\n"))
            .unwrap_or_else(|e| panic!("{world}: {e}"));
        assert!(!adapters.exports.is_empty(), "{world}");
        for export in &adapters.exports {
            assert!(export.async_call.is_some(), "{world}: {}", export.name);
        }
    }
}

/// The `async` options belong to `async` functions (component-model
/// #646): on any other function they are an error, on either side.
#[test]
fn async_options_on_a_synchronous_function_are_refused() {
    let wit = "package demo:opts;\nworld w { import f: func(); import g: async func(); }\n";
    let mut resolve = Resolve::default();
    let pkg = resolve.push_str("opts.wit", wit).unwrap();
    let world = resolve.select_world(&[pkg], None).unwrap();
    let world_options = WorldOptions::default();
    for (lift, lower) in [(true, false), (false, true)] {
        let mut own = world_options.for_function(
            &resolve.worlds[world]
                .imports
                .values()
                .find_map(|i| match i {
                    WorldItem::Function(f) if f.name == "f" => Some(f.clone()),
                    _ => None,
                })
                .unwrap(),
        );
        own.lift = own.lift.async_(lift, lift);
        own.lower = own.lower.async_(lower, false);
        let functions = BTreeMap::from([("f".to_string(), own)]);
        let err = adapt_world_with(&resolve, world, &world_options, &functions).unwrap_err();
        assert!(
            err.to_string()
                .contains("the `async` canonical option requires an async function type"),
            "{err}"
        );
    }
    // The world's `async` options apply to its `async` functions only.
    let mut options = WorldOptions::default();
    options.lift = options.lift.async_(true, true);
    options.lower = options.lower.async_(true, false);
    let adapters = adapt_world(&resolve, world, &options).unwrap();
    let calls: Vec<_> = adapters
        .exports
        .iter()
        .map(|e| e.async_call.as_ref().map(|c| (c.lower_async, c.callback)))
        .collect();
    assert_eq!(calls, [None, Some((true, true))]);
}
