//! Every pair of an `async` or synchronous lower with a callback or
//! synchronous lift, with scalars, strings, spilled parameters, 64-bit
//! memories, backpressure, context slots and interleaved subtasks.

use super::{module_with, Failure, Scenario};
use crate::harness::Engine;
use crate::on_every_engine;
use fact_core::{MemoryType, StringEncoding};
use fact_host::Trap;

/// `f: async func(x: u32) -> u32`.
const F: &str = "package test:calls;\nworld w { import f: async func(x: u32) -> u32; }\n";

/// A module: the preamble (32-bit memory) and `body`.
pub fn module(builtins: &[(&str, &str)], body: &str) -> String {
    module_with(false, builtins, body)
}

/// The callee of `f` lifting with a callback: logs 1, returns `x + 1`
/// through `task.return` at once.
pub fn callee_returning_at_once() -> String {
    module(
        &[("task.return:f", "(param i32)")],
        r#"(func (export "f") (param i32) (result i32)
            (call $log (i64.const 1))
            (call $task_return_f (i32.add (local.get 0) (i32.const 1)))
            (i32.const 0))
        (func (export "[callback]f") (param i32 i32 i32) (result i32) unreachable)"#,
    )
}

/// The callee of `f` lifting with a callback: its first call logs 1, keeps
/// `x` in context slot 0 and yields; its callback logs `10 + event`,
/// returns `x + 1` and exits.
pub fn callee_yielding() -> String {
    module(
        &[
            ("task.return:f", "(param i32)"),
            ("context.get:0", "(result i32)"),
            ("context.set:0", "(param i32)"),
        ],
        r#"(func (export "f") (param i32) (result i32)
            (call $log (i64.const 1))
            (call $context_set_0 (local.get 0))
            (i32.const 1))
        (func (export "[callback]f") (param i32 i32 i32) (result i32)
            (call $log (i64.add (i64.const 10) (i64.extend_i32_u (local.get 0))))
            (call $task_return_f (i32.add (call $context_get_0) (i32.const 1)))
            (i32.const 0))"#,
    )
}

/// The built-ins an `async` caller waits with.
pub const WAITING: &[(&str, &str)] = &[
    ("waitable-set.new", "(result i32)"),
    ("waitable-set.wait", "(param i32 i32) (result i32)"),
    ("waitable-set.drop", "(param i32)"),
    ("waitable.join", "(param i32 i32)"),
    ("subtask.drop", "(param i32)"),
];

/// An `async` caller of `f(41)`: logs 100, calls, logs 101; if the call
/// did not return at once, waits for its subtask's event and logs 102.
/// Returns the status's state, the event code, whether the event named the
/// subtask, its state, and the result.
pub fn async_caller() -> String {
    module(
        WAITING,
        r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run") (result i32 i32 i32 i32 i32)
            (local $status i32) (local $set i32) (local $code i32)
            (call $log (i64.const 100))
            (local.set $status (call $f (i32.const 41) (i32.const 16)))
            (call $log (i64.const 101))
            (if (i32.ne (i32.and (local.get $status) (i32.const 15)) (i32.const 2))
                (then
                    (local.set $set (call $waitable-set_new))
                    (call $waitable_join (i32.shr_u (local.get $status) (i32.const 4)) (local.get $set))
                    (local.set $code (call $waitable-set_wait (local.get $set) (i32.const 32)))
                    (call $log (i64.const 102))
                    (call $subtask_drop (i32.shr_u (local.get $status) (i32.const 4)))
                    (call $waitable-set_drop (local.get $set))))
            (i32.and (local.get $status) (i32.const 15))
            (local.get $code)
            (i32.eq (i32.load (i32.const 32)) (i32.shr_u (local.get $status) (i32.const 4)))
            (i32.load (i32.const 36))
            (i32.load (i32.const 16)))"#,
    )
}

/// A synchronous caller of `f(41)`: logs 100, calls, logs 101, returns the
/// result.
pub fn sync_caller() -> String {
    module(
        &[],
        r#"(import "adapter" "f" (func $f (param i32) (result i32)))
        (func (export "run") (result i32)
            (local $r i32)
            (call $log (i64.const 100))
            (local.set $r (call $f (i32.const 41)))
            (call $log (i64.const 101))
            (local.get $r))"#,
    )
}

fn async_lower_to_callback_lift_returning_at_once(engine: Engine) {
    let out = Scenario::new(F, callee_returning_at_once(), async_caller()).run(engine);
    // RETURNED, no subtask (index 0), no event: the result is there.
    assert_eq!(out.result, Ok(vec![2, 0, 1, 0, 42]));
    assert_eq!(out.log, [100, 1, 101]);
    assert_eq!(out.live_tasks, 0);
}

fn async_lower_to_callback_lift_that_yields(engine: Engine) {
    let out = Scenario::new(F, callee_yielding(), async_caller()).run(engine);
    // STARTED with a subtask; one SUBTASK event for it, RETURNED.
    assert_eq!(out.result, Ok(vec![1, 1, 1, 2, 42]));
    // The callback runs while the caller waits, with EVENT_NONE.
    assert_eq!(out.log, [100, 1, 101, 10, 102]);
    assert_eq!(out.live_tasks, 0);
}

fn sync_lower_to_callback_lift_that_yields(engine: Engine) {
    let out = Scenario::new(F, callee_yielding(), sync_caller())
        .sync_lower()
        .run(engine);
    // The runtime drives the callee's callback inside the call.
    assert_eq!(out.result, Ok(vec![42]));
    assert_eq!(out.log, [100, 1, 10, 101]);
    assert_eq!(out.live_tasks, 0);
}

fn sync_lower_to_callback_lift_returning_at_once(engine: Engine) {
    let out = Scenario::new(F, callee_returning_at_once(), sync_caller())
        .sync_lower()
        .run(engine);
    assert_eq!(out.result, Ok(vec![42]));
    assert_eq!(out.log, [100, 1, 101]);
}

/// The callee of `f` lifting synchronously, with a `post-return` that logs
/// 2.
fn sync_callee() -> String {
    module(
        &[],
        r#"(func (export "f") (param i32) (result i32)
            (call $log (i64.const 1))
            (i32.add (local.get 0) (i32.const 1)))
        (func (export "[post-return]f") (param i32)
            (call $log (i64.add (i64.const 1000) (i64.extend_i32_u (local.get 0)))))"#,
    )
}

fn async_lower_to_sync_lift(engine: Engine) {
    let out = Scenario::new(F, sync_callee(), async_caller())
        .sync_lift()
        .run(engine);
    assert_eq!(out.result, Ok(vec![2, 0, 1, 0, 42]));
    assert_eq!(out.log, [100, 1, 101]);
    assert_eq!(out.live_tasks, 0);
}

/// The `post-return` runs with the callee's `may_leave` clear
/// (`canon_lift`): its call of the host's `log` traps, after the callee's
/// result reached the caller and before the caller resumed. Wasmtime's
/// async path does the same.
fn async_lower_to_sync_lift_whose_post_return_calls_out(engine: Engine) {
    let out = Scenario::new(F, sync_callee(), async_caller())
        .sync_lift()
        .lift(|o| o.post_return(true))
        .run(engine);
    assert_eq!(out.result, Err(Failure::Trap(Trap::CannotLeave)));
    assert_eq!(out.log, [100, 1]);
}

fn sync_lower_to_sync_lift_of_an_async_function(engine: Engine) {
    let out = Scenario::new(F, sync_callee(), sync_caller())
        .sync_lower()
        .sync_lift()
        .run(engine);
    assert_eq!(out.result, Ok(vec![42]));
    assert_eq!(out.log, [100, 1, 101]);
}

/// As `async_lower_to_sync_lift_whose_post_return_calls_out`, lowered
/// synchronously: Wasmtime's synchronous adapters leave `may_leave` set
/// around `post-return` (docs/host-abi.md, "Known difference with
/// Wasmtime").
fn sync_lower_to_sync_lift_whose_post_return_calls_out(engine: Engine) {
    let out = Scenario::new(F, sync_callee(), sync_caller())
        .sync_lower()
        .sync_lift()
        .lift(|o| o.post_return(true))
        .wasmtime_differs(
            Ok(vec![42]),
            "Wasmtime's synchronous adapters leave the callee's may_leave set while \
             post-return runs; canon_lift clears it",
        )
        .run(engine);
    assert_eq!(out.result, Err(Failure::Trap(Trap::CannotLeave)));
    assert_eq!(out.log, [100, 1]);
}

/// A task of a synchronous function type may call an `async` function
/// synchronously as long as it does not have to wait (spec #656).
fn sync_task_calls_async_function_that_does_not_block(engine: Engine) {
    let out = Scenario::new(F, callee_returning_at_once(), sync_caller())
        .sync_lower()
        .run_sync()
        .wasmtime_differs(
            Err(Failure::Trap(Trap::SyncTaskBlocked)),
            "Wasmtime traps as soon as a synchronous task calls an async callee \
             that may block; fact traps only when it would actually block (#656)",
        )
        .run(engine);
    assert_eq!(out.result, Ok(vec![42]));
}

/// `f: async func(s: string) -> string`, the callee echoing its argument.
const ECHO: &str = "package test:calls;\nworld w { import f: async func(s: string) -> string; }\n";

/// A callee of `ECHO` (callback lift) whose strings are in `encoding`:
/// logs the length it got, returns the same string.
fn echo_callee() -> String {
    module(
        &[("task.return:f", "(param i32 i32)")],
        r#"(func (export "f") (param i32 i32) (result i32)
            (call $log (i64.extend_i32_u (local.get 1)))
            (call $task_return_f (local.get 0) (local.get 1))
            (i32.const 0))
        (func (export "[callback]f") (param i32 i32 i32) (result i32) unreachable)"#,
    )
}

/// An `async` caller of `ECHO` with "héllo, wörld" (UTF-8) at 0x100:
/// returns the status, the result's length, and its first 8 bytes.
fn echo_caller() -> String {
    module(
        &[],
        r#"(import "adapter" "f" (func $f (param i32 i32 i32) (result i32)))
        (data (i32.const 0x100) "h\c3\a9llo, w\c3\b6rld")
        (func (export "run") (result i32 i32 i64)
            (call $f (i32.const 0x100) (i32.const 14) (i32.const 16))
            (i32.load (i32.const 20))
            (i64.load (i32.load (i32.const 16))))"#,
    )
}

fn strings_cross_in_every_encoding(engine: Engine) {
    let text = "héllo, wörld";
    let first8 = i64::from_le_bytes(text.as_bytes()[..8].try_into().unwrap());
    for (encoding, callee_len) in [
        (StringEncoding::Utf8, 14),
        (StringEncoding::Utf16, 12),
        // Latin-1 fits: one byte per character.
        (StringEncoding::CompactUtf16, 12),
    ] {
        let out = Scenario::new(ECHO, echo_callee(), echo_caller())
            .lift(|o| o.string_encoding(encoding))
            .run(engine);
        assert_eq!(out.result, Ok(vec![2, 14, first8]), "{encoding}");
        assert_eq!(out.log, [callee_len], "{encoding}");
    }
}

/// Five parameters: an `async` lower passes them through memory (more than
/// `MAX_FLAT_ASYNC_PARAMS`), a callback lift gets them flat.
const FIVE: &str =
    "package test:calls;\nworld w { import f: async func(a: u32, b: u32, c: u32, d: u32, e: u32) -> u32; }\n";

fn spilled_async_parameters(engine: Engine) {
    let callee = module(
        &[("task.return:f", "(param i32)")],
        r#"(func (export "f") (param i32 i32 i32 i32 i32) (result i32)
            (call $task_return_f
                (i32.add (i32.add (i32.add (i32.add (local.get 0)
                    (i32.mul (local.get 1) (i32.const 10)))
                    (i32.mul (local.get 2) (i32.const 100)))
                    (i32.mul (local.get 3) (i32.const 1000)))
                    (i32.mul (local.get 4) (i32.const 10000))))
            (i32.const 0))
        (func (export "[callback]f") (param i32 i32 i32) (result i32) unreachable)"#,
    );
    let caller = module(
        &[],
        r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (data (i32.const 0x200) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00")
        (func (export "run") (result i32 i32)
            (call $f (i32.const 0x200) (i32.const 16))
            (i32.load (i32.const 16)))"#,
    );
    let out = Scenario::new(FIVE, callee, caller).run(engine);
    assert_eq!(out.result, Ok(vec![2, 54321]));
}

/// `f: async func() -> tuple<u64, u64, u64>` between a 64-bit and a 32-bit
/// memory, both ways (the case of wasmtime #13979).
const TRIPLE: &str =
    "package test:calls;\nworld w { import f: async func() -> tuple<u64, u64, u64>; }\n";

fn results_cross_between_32_and_64_bit_memories(engine: Engine) {
    for (callee64, caller64) in [(true, false), (false, true), (true, true)] {
        let callee = module_with(
            callee64,
            &[("task.return:f", "(param i64 i64 i64)")],
            r#"(func (export "f") (result i32)
                (call $task_return_f (i64.const 1) (i64.const -2) (i64.const 0x300000003))
                (i32.const 0))
            (func (export "[callback]f") (param i32 i32 i32) (result i32) unreachable)"#,
        );
        let t = if caller64 { "i64" } else { "i32" };
        let caller = module_with(
            caller64,
            &[],
            &format!(
                "(import \"adapter\" \"f\" (func $f (param {t}) (result i32)))
            (func (export \"run\") (result i32 i64 i64 i64)
                (call $f ({t}.const 64))
                (i64.load ({t}.const 64))
                (i64.load ({t}.const 72))
                (i64.load ({t}.const 80)))"
            ),
        );
        let memory = |m64: bool| {
            if m64 {
                MemoryType::Memory64
            } else {
                MemoryType::Memory32
            }
        };
        let mut scenario = Scenario::new(TRIPLE, callee, caller)
            .lift(|o| o.memory(Some(memory(callee64))))
            .lower(|o| o.memory(Some(memory(caller64))));
        if callee64 || caller64 {
            // Mixed memories panic its compiler (wasmtime #13979); a 64-bit
            // memory alone is refused when the component is compiled.
            scenario = scenario.wasmtime_cannot("async canon options with a 64-bit memory");
        }
        let out = scenario.run(engine);
        assert_eq!(
            out.result,
            Ok(vec![2, 1, -2, 0x300000003]),
            "callee 64-bit: {callee64}, caller 64-bit: {caller64}"
        );
    }
}

/// `block: func(on: bool)` (synchronous: backpressure on or off in the
/// callee) and `f`.
const GATED: &str =
    "package test:calls;\nworld w { import block: func(on: bool); import f: async func(x: u32) -> u32; }\n";

fn backpressure_holds_a_call_until_released(engine: Engine) {
    let callee = module(
        &[
            ("task.return:f", "(param i32)"),
            ("backpressure.inc", ""),
            ("backpressure.dec", ""),
        ],
        r#"(func (export "block") (param i32)
            (if (local.get 0) (then (call $backpressure_inc)) (else (call $backpressure_dec))))
        (func (export "f") (param i32) (result i32)
            (call $log (i64.const 1))
            (call $task_return_f (i32.add (local.get 0) (i32.const 1)))
            (i32.const 0))
        (func (export "[callback]f") (param i32 i32 i32) (result i32) unreachable)"#,
    );
    let caller = module(
        WAITING,
        r#"(import "adapter" "block" (func $block (param i32)))
        (import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run") (result i32 i32 i32)
            (local $status i32) (local $set i32)
            (call $block (i32.const 1))
            (local.set $status (call $f (i32.const 41) (i32.const 16)))
            (call $log (i64.const 101))
            (call $block (i32.const 0))
            (call $log (i64.const 102))
            (local.set $set (call $waitable-set_new))
            (call $waitable_join (i32.shr_u (local.get $status) (i32.const 4)) (local.get $set))
            (drop (call $waitable-set_wait (local.get $set) (i32.const 32)))
            (call $log (i64.const 103))
            (call $subtask_drop (i32.shr_u (local.get $status) (i32.const 4)))
            (i32.and (local.get $status) (i32.const 15))
            (i32.load (i32.const 36))
            (i32.load (i32.const 16)))"#,
    );
    let out = Scenario::new(GATED, callee, caller).run(engine);
    // STARTING; the event comes once, with the latest state: RETURNED.
    assert_eq!(out.result, Ok(vec![0, 2, 42]));
    // The call starts only while the caller waits, after `block(false)`.
    assert_eq!(out.log, [101, 102, 1, 103]);
    assert_eq!(out.live_tasks, 0);
}

/// Two calls in flight: both yield, and each callback finds its own task's
/// context.
fn two_subtasks_interleave(engine: Engine) {
    let caller = module(
        WAITING,
        r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run") (result i32 i32 i32 i32)
            (local $a i32) (local $b i32) (local $set i32)
            (local.set $a (call $f (i32.const 10) (i32.const 16)))
            (local.set $b (call $f (i32.const 20) (i32.const 24)))
            (local.set $set (call $waitable-set_new))
            (call $waitable_join (i32.shr_u (local.get $a) (i32.const 4)) (local.get $set))
            (call $waitable_join (i32.shr_u (local.get $b) (i32.const 4)) (local.get $set))
            (drop (call $waitable-set_wait (local.get $set) (i32.const 32)))
            (call $log (i64.extend_i32_u (i32.load (i32.const 32))))
            (call $subtask_drop (i32.load (i32.const 32)))
            (drop (call $waitable-set_wait (local.get $set) (i32.const 32)))
            (call $log (i64.extend_i32_u (i32.load (i32.const 32))))
            (call $subtask_drop (i32.load (i32.const 32)))
            (call $waitable-set_drop (local.get $set))
            (i32.shr_u (local.get $a) (i32.const 4))
            (i32.shr_u (local.get $b) (i32.const 4))
            (i32.load (i32.const 16))
            (i32.load (i32.const 24)))"#,
    );
    let out = Scenario::new(F, callee_yielding(), caller).run(engine);
    let result = out.result.expect("no trap");
    let (a, b) = (result[0], result[1]);
    assert_ne!(a, b);
    assert_eq!(result[2..], [11, 21]);
    // Both start; each wait runs the callbacks until one has an event.
    assert_eq!(out.log, [1, 1, 10, a, 10, b]);
    assert_eq!(out.live_tasks, 0);
}

on_every_engine!(
    async_lower_to_callback_lift_returning_at_once,
    async_lower_to_callback_lift_that_yields,
    sync_lower_to_callback_lift_that_yields,
    sync_lower_to_callback_lift_returning_at_once,
    async_lower_to_sync_lift,
    async_lower_to_sync_lift_whose_post_return_calls_out,
    sync_lower_to_sync_lift_of_an_async_function,
    sync_lower_to_sync_lift_whose_post_return_calls_out,
    sync_task_calls_async_function_that_does_not_block,
    strings_cross_in_every_encoding,
    spilled_async_parameters,
    results_cross_between_32_and_64_bit_memories,
    backpressure_holds_a_call_until_released,
    two_subtasks_interleave,
);
