//! `error-context` values across a call, and the built-ins that make, read
//! and drop them: an error-context passed to another instance is shared,
//! not moved (the caller keeps its index), and its message reads the same
//! through every index, in each instance's string encoding.

use super::cases::module;
use super::{module_with, Failure, Scenario};
use crate::harness::Engine;
use crate::on_every_engine;
use fact_core::{MemoryType, StringEncoding};
use fact_host::Trap;

/// `f: func(e: error-context) -> error-context`.
const F: &str =
    "package test:calls;\nworld w { import f: func(e: error-context) -> error-context; }\n";

const BUILTINS: &[(&str, &str)] = &[
    ("error-context.new", "(param i32 i32) (result i32)"),
    ("error-context.debug-message", "(param i32 i32)"),
    ("error-context.drop", "(param i32)"),
];

/// A caller that makes an error-context "boom", passes it to `f`, reads
/// the message of what `f` returned (logging its first byte) and of its
/// own, and drops both; returns both indices and both lengths.
fn caller() -> String {
    module(
        BUILTINS,
        r#"(import "adapter" "f" (func $f (param i32) (result i32)))
        (data (i32.const 16) "boom")
        (func (export "run") (result i32 i32 i32 i32)
            (local $e i32) (local $r i32)
            (local.set $e (call $error-context_new (i32.const 16) (i32.const 4)))
            (local.set $r (call $f (local.get $e)))
            (call $error-context_debug-message (local.get $r) (i32.const 64))
            (call $log (i64.load8_u (i32.load (i32.const 64))))
            (call $error-context_debug-message (local.get $e) (i32.const 72))
            (call $error-context_drop (local.get $e))
            (call $error-context_drop (local.get $r))
            (local.get $e) (local.get $r) (i32.load (i32.const 68)) (i32.load (i32.const 76)))"#,
    )
}

/// A callee that reads the message it received (logging its length and
/// first byte), drops it, and returns a new error-context "bad", its data
/// in `encoding`.
fn callee(encoding: StringEncoding) -> String {
    let bad = match encoding {
        StringEncoding::Utf16 => r"b\00a\00d\00",
        _ => "bad",
    };
    module(
        BUILTINS,
        &format!(
            r#"(data (i32.const 32) "{bad}")
            (func (export "f") (param i32) (result i32)
                (local $y i32)
                (call $error-context_debug-message (local.get 0) (i32.const 64))
                (call $log (i64.load32_u (i32.const 68)))
                (call $log (i64.load8_u (i32.load (i32.const 64))))
                (call $error-context_drop (local.get 0))
                (local.set $y (call $error-context_new (i32.const 32) (i32.const 3)))
                (call $log (i64.extend_i32_u (local.get 0)))
                (call $log (i64.extend_i32_u (local.get $y)))
                (local.get $y))"#
        ),
    )
}

fn an_error_context_crosses_in_both_directions_in_every_encoding(engine: Engine) {
    for encoding in [
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::CompactUtf16,
    ] {
        let out = Scenario::new(F, callee(encoding), caller())
            .sync_lower()
            .sync_lift()
            .lift(|o| o.string_encoding(encoding))
            .run(engine);
        // The caller's index 1 stays its own; the callee's "bad" arrives as
        // the caller's index 2; the callee read "boom" (4 code units).
        assert_eq!(out.result, Ok(vec![1, 2, 3, 4]), "{encoding:?}");
        assert_eq!(out.log, [4, i64::from(b'b'), 1, 1, i64::from(b'b')]);
    }
}

/// Misuse of the built-ins, each with its code.
fn error_context_misuse_traps(engine: Engine) {
    let callee = || callee(StringEncoding::Utf8);
    let run = |body: &str| {
        let caller = module_with(
            false,
            &[
                ("error-context.new", "(param i32 i32) (result i32)"),
                ("error-context.debug-message", "(param i32 i32)"),
                ("error-context.drop", "(param i32)"),
                ("waitable-set.new", "(result i32)"),
            ],
            &format!(
                r#"(import "adapter" "f" (func $f (param i32) (result i32)))
                (data (i32.const 16) "boom\ff")
                (func (export "run") (local $e i32) {body})"#
            ),
        );
        Scenario::new(F, callee(), caller)
            .sync_lower()
            .sync_lift()
            .run(engine)
            .result
    };
    let trap = |t| Err(Failure::Trap(t));
    assert_eq!(
        run(
            "(local.set $e (call $error-context_new (i32.const 16) (i32.const 4)))
             (call $error-context_drop (local.get $e))
             (call $error-context_drop (local.get $e))"
        ),
        trap(Trap::UnknownHandle)
    );
    assert_eq!(
        run("(call $error-context_debug-message (call $waitable-set_new) (i32.const 64))"),
        trap(Trap::WrongHandleKind)
    );
    assert_eq!(
        run("(drop (call $error-context_new (i32.const 16) (i32.const 5)))"),
        trap(Trap::InvalidUtf8)
    );
    assert_eq!(
        run("(drop (call $error-context_new (i32.const 65534) (i32.const 4)))"),
        trap(Trap::OutOfBounds)
    );
    assert_eq!(
        run(
            "(local.set $e (call $error-context_new (i32.const 16) (i32.const 4)))
             (call $error-context_debug-message (local.get $e) (i32.const 65532))"
        ),
        trap(Trap::OutOfBounds)
    );
    assert_eq!(
        run("(drop (call $f (i32.const 9)))"),
        trap(Trap::UnknownHandle)
    );
}

/// `g: async func(es: list<error-context>) -> error-context`: error-contexts
/// in memory, through an `async` lower and a callback lift.
const G: &str = "package test:calls;\n\
    world w { import g: async func(es: list<error-context>) -> error-context; }\n";

fn error_contexts_in_a_list_through_an_async_call(engine: Engine) {
    // The callee reads the messages of both elements, logs their lengths,
    // and returns the second through `task.return`.
    let mut builtins = BUILTINS.to_vec();
    builtins.push(("task.return:g", "(param i32)"));
    let callee = module(
        &builtins,
        r#"(func (export "g") (param $p i32) (param $n i32) (result i32)
            (call $log (i64.extend_i32_u (local.get $n)))
            (call $error-context_debug-message (i32.load (local.get $p)) (i32.const 64))
            (call $log (i64.load32_u (i32.const 68)))
            (call $error-context_debug-message (i32.load offset=4 (local.get $p)) (i32.const 64))
            (call $log (i64.load32_u (i32.const 68)))
            (call $task_return_g (i32.load offset=4 (local.get $p)))
            (i32.const 0))
        (func (export "[callback]g") (param i32 i32 i32) (result i32) unreachable)"#,
    );
    let caller = module(
        BUILTINS,
        r#"(import "adapter" "g" (func $g (param i32 i32 i32) (result i32)))
        (data (i32.const 16) "boom!")
        (func (export "run") (result i32 i32 i32)
            (i32.store (i32.const 48) (call $error-context_new (i32.const 16) (i32.const 4)))
            (i32.store (i32.const 52) (call $error-context_new (i32.const 16) (i32.const 5)))
            (call $g (i32.const 48) (i32.const 2) (i32.const 96))
            (call $error-context_debug-message (i32.load (i32.const 96)) (i32.const 64))
            (i32.load (i32.const 68))
            (i32.load (i32.const 96)))"#,
    );
    let out = Scenario::new(G, callee, caller).run(engine);
    // RETURNED; the second message (5 bytes) came back as the caller's
    // index 3, beside its own 1 and 2.
    assert_eq!(out.result, Ok(vec![2, 5, 3]));
    assert_eq!(out.log, [2, 4, 5]);
}

/// The callee in a 64-bit memory, UTF-16: its built-ins take 64-bit
/// pointers and lengths, and `debug-message` writes two `i64`s.
fn error_contexts_with_a_64_bit_memory(engine: Engine) {
    let callee = module_with(
        true,
        &[
            ("error-context.new", "(param i64 i64) (result i32)"),
            ("error-context.debug-message", "(param i32 i64)"),
            ("error-context.drop", "(param i32)"),
        ],
        r#"(data (i64.const 32) "b\00a\00d\00")
        (func (export "f") (param i32) (result i32)
            (call $error-context_debug-message (local.get 0) (i64.const 64))
            (call $log (i64.load (i64.const 72)))
            (call $log (i64.load8_u (i64.load (i64.const 64))))
            (call $log (i64.load8_u offset=2 (i64.load (i64.const 64))))
            (call $error-context_drop (local.get 0))
            (call $error-context_new (i64.const 32) (i64.const 3)))"#,
    );
    let out = Scenario::new(F, callee, caller())
        .sync_lower()
        .sync_lift()
        .lift(|o| {
            o.string_encoding(StringEncoding::Utf16)
                .memory(Some(MemoryType::Memory64))
        })
        .wasmtime_cannot(
            "Wasmtime 48's validator types the pointers of error-context.new and \
             debug-message as i32 whatever the memory (the spec: its address type)",
        )
        .run(engine);
    assert_eq!(out.result, Ok(vec![1, 2, 3, 4]));
    assert_eq!(
        out.log,
        [4, i64::from(b'b'), i64::from(b'o'), i64::from(b'b')]
    );
}

on_every_engine!(
    an_error_context_crosses_in_both_directions_in_every_encoding,
    error_contexts_with_a_64_bit_memory,
    error_context_misuse_traps,
    error_contexts_in_a_list_through_an_async_call,
);
