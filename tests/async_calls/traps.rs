//! Every trap of the async runtime and its built-ins, with its code.

use super::cases::{async_caller, callee_yielding, module, sync_caller, WAITING};
use super::{Failure, Scenario};
use crate::harness::Engine;
use crate::on_every_engine;
use fact_host::Trap;

const F: &str = "package test:calls;\nworld w { import f: async func(x: u32) -> u32; }\n";

/// A callback callee of `f` whose first call runs `body` (with `x` in
/// local 0) and whose callback runs `callback`.
fn callee(builtins: &[(&str, &str)], body: &str, callback: &str) -> String {
    module(
        builtins,
        &format!(
            r#"(func (export "f") (param i32) (result i32) {body})
            (func (export "[callback]f") (param i32 i32 i32) (result i32) {callback})"#
        ),
    )
}

const RETURN: &[(&str, &str)] = &[("task.return:f", "(param i32)")];

fn trap_of(scenario: Scenario, engine: Engine) -> Option<Trap> {
    let out = scenario.run(engine);
    assert!(out.result.is_err(), "no trap: {out:?}");
    out.trap()
}

fn callback_code_out_of_range(engine: Engine) {
    let s = Scenario::new(
        F,
        callee(RETURN, "(i32.const 3)", "unreachable"),
        async_caller(),
    );
    assert_eq!(trap_of(s, engine), Some(Trap::UnsupportedCallbackCode));
}

fn exit_without_task_return(engine: Engine) {
    let s = Scenario::new(
        F,
        callee(RETURN, "(i32.const 0)", "unreachable"),
        async_caller(),
    );
    assert_eq!(trap_of(s, engine), Some(Trap::NoAsyncResult));
}

fn task_return_twice(engine: Engine) {
    let body =
        "(call $task_return_f (i32.const 1)) (call $task_return_f (i32.const 2)) (i32.const 0)";
    let s = Scenario::new(F, callee(RETURN, body, "unreachable"), async_caller());
    assert_eq!(trap_of(s, engine), Some(Trap::TaskReturnedTwice));
}

fn task_return_of_a_synchronous_lift(engine: Engine) {
    // A synchronous lift's `task.return` has no parameters.
    let callee = module(
        &[("task.return:f", "")],
        r#"(func (export "f") (param i32) (result i32) (call $task_return_f) (i32.const 0))"#,
    );
    let s = Scenario::new(F, callee, async_caller())
        .sync_lift()
        .wasmtime_cannot(
            "Wasmtime refuses the mismatched task.return when it compiles the component",
        );
    assert_eq!(trap_of(s, engine), Some(Trap::TaskReturnInvalid));
}

fn subtask_dropped_before_it_resolved(engine: Engine) {
    let caller = module(
        WAITING,
        r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run")
            (call $subtask_drop (i32.shr_u (call $f (i32.const 1) (i32.const 16)) (i32.const 4))))"#,
    );
    let s = Scenario::new(F, callee_yielding(), caller);
    assert_eq!(trap_of(s, engine), Some(Trap::SubtaskNotResolved));
}

fn waitable_set_dropped_while_not_empty(engine: Engine) {
    let caller = module(
        WAITING,
        r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run")
            (local $set i32)
            (local.set $set (call $waitable-set_new))
            (call $waitable_join
                (i32.shr_u (call $f (i32.const 1) (i32.const 16)) (i32.const 4))
                (local.get $set))
            (call $waitable-set_drop (local.get $set)))"#,
    );
    let s = Scenario::new(F, callee_yielding(), caller);
    assert_eq!(trap_of(s, engine), Some(Trap::WaitableSetNotEmpty));
}

fn backpressure_below_zero(engine: Engine) {
    let body = "(call $backpressure_dec) (i32.const 0)";
    let s = Scenario::new(
        F,
        callee(&[("backpressure.dec", "")], body, "unreachable"),
        async_caller(),
    );
    assert_eq!(trap_of(s, engine), Some(Trap::BackpressureOverflow));
}

fn event_written_out_of_bounds(engine: Engine) {
    for ptr in ["65532", "34"] {
        let caller = module(
            WAITING,
            &format!(
                r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
                (func (export "run")
                    (local $set i32)
                    (local.set $set (call $waitable-set_new))
                    (call $waitable_join
                        (i32.shr_u (call $f (i32.const 1) (i32.const 16)) (i32.const 4))
                        (local.get $set))
                    (drop (call $waitable-set_wait (local.get $set) (i32.const {ptr}))))"#
            ),
        );
        let s = Scenario::new(F, callee_yielding(), caller);
        assert_eq!(trap_of(s, engine), Some(Trap::EventOutOfBounds), "{ptr}");
    }
}

fn a_set_joins_a_set(engine: Engine) {
    let caller = module(
        WAITING,
        r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run")
            (local $set i32)
            (local.set $set (call $waitable-set_new))
            (call $waitable_join (local.get $set) (local.get $set)))"#,
    );
    let s = Scenario::new(F, callee_yielding(), caller);
    assert_eq!(trap_of(s, engine), Some(Trap::WrongHandleKind));
}

fn unknown_subtask(engine: Engine) {
    let caller = module(
        WAITING,
        r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run") (call $subtask_drop (i32.const 7)))"#,
    );
    let s = Scenario::new(F, callee_yielding(), caller);
    assert_eq!(trap_of(s, engine), Some(Trap::UnknownHandle));
}

fn waiting_for_nothing_deadlocks(engine: Engine) {
    let caller = module(
        WAITING,
        r#"(import "adapter" "f" (func $f (param i32 i32) (result i32)))
        (func (export "run")
            (drop (call $waitable-set_wait (call $waitable-set_new) (i32.const 32))))"#,
    );
    let s = Scenario::new(F, callee_yielding(), caller)
        .wasmtime_cannot("Wasmtime's run_concurrent does not return under the test's polling loop");
    assert_eq!(trap_of(s, engine), Some(Trap::Deadlock));
}

/// The callee's callback returns its result (so the caller's wait, below
/// it on the native stack, is over) and then waits on an empty set: the
/// spec would suspend the callee and resume the caller; a stackless
/// runtime cannot resume a wait below the one that cannot end.
fn a_wait_above_a_finished_wait_traps_stackless_deadlock(engine: Engine) {
    let builtins = [
        ("task.return:f", "(param i32)"),
        ("waitable-set.new", "(result i32)"),
        ("waitable-set.wait", "(param i32 i32) (result i32)"),
    ];
    let callee = callee(
        &builtins,
        "(i32.const 1)",
        "(call $task_return_f (i32.const 7))
         (drop (call $waitable-set_wait (call $waitable-set_new) (i32.const 64)))
         (i32.const 0)",
    );
    let s = Scenario::new(F, callee, async_caller()).wasmtime_differs(
        Ok(vec![1, 1, 1, 2, 7]),
        "Wasmtime suspends the callee's wait on its fiber, resumes the caller, which \
         gets the result, and leaves the callee waiting forever",
    );
    assert_eq!(trap_of(s, engine), Some(Trap::StacklessDeadlock));
}

/// A task of a synchronous function type that would wait for an `async`
/// callee: nothing else of its instance can run, so it traps (#656).
fn synchronous_task_that_would_block(engine: Engine) {
    let s = Scenario::new(F, callee_yielding(), sync_caller())
        .sync_lower()
        .run_sync()
        .wasmtime_differs(
            Err(Failure::Trap(Trap::SyncTaskBlocked)),
            "Wasmtime traps before the callee starts; fact lets it run until it would block",
        );
    assert_eq!(trap_of(s, engine), Some(Trap::SyncTaskBlocked));
}

/// The caller's `realloc` runs with its `may_leave` clear: calling an
/// `async` function from it traps, in the adapter (which Wasmtime 48's
/// async adapters do not check).
fn caller_realloc_calls_out(engine: Engine) {
    const ECHO: &str =
        "package test:calls;\nworld w { import f: async func(s: string) -> string; }\n";
    let callee = module(
        &[("task.return:f", "(param i32 i32)")],
        r#"(func (export "f") (param i32 i32) (result i32)
            (call $task_return_f (local.get 0) (local.get 1))
            (i32.const 0))
        (func (export "[callback]f") (param i32 i32 i32) (result i32) unreachable)"#,
    );
    // The caller's own `cabi_realloc` (the preamble's) is replaced by one
    // that calls `f` again.
    let caller = r#"(module
        (import "env" "memory" (memory 1))
        (import "host" "log" (func $log (param i64)))
        (import "adapter" "f" (func $f (param i32 i32 i32) (result i32)))
        (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32)
            (drop (call $f (i32.const 0) (i32.const 0) (i32.const 64)))
            (i32.const 0x9000))
        (func (export "run") (result i32)
            (call $f (i32.const 0) (i32.const 2) (i32.const 16))))"#
        .to_string();
    let s = Scenario::new(ECHO, callee, caller);
    assert_eq!(trap_of(s, engine), Some(Trap::CannotLeave));
}

on_every_engine!(
    callback_code_out_of_range,
    exit_without_task_return,
    task_return_twice,
    task_return_of_a_synchronous_lift,
    subtask_dropped_before_it_resolved,
    waitable_set_dropped_while_not_empty,
    backpressure_below_zero,
    event_written_out_of_bounds,
    a_set_joins_a_set,
    unknown_subtask,
    waiting_for_nothing_deadlocks,
    a_wait_above_a_finished_wait_traps_stackless_deadlock,
    synchronous_task_that_would_block,
    caller_realloc_calls_out,
);
