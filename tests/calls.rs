//! The shape of a call: instance flags, spilled parameters and results,
//! `realloc` results, `post-return`, and calls that may not enter.

use crate::harness::*;
use fact_core::{Adapter, AdapterCompiler, InstanceId, Trap};

fn a_caller_that_may_not_leave_traps(engine: Engine) {
    let mut fx = Fixture::new(engine, "f: func();", caller(), callee(), |_, _| vec![]);
    fx.set_flags(CALLER, 2);
    assert_eq!(fx.trap(&[]), Trap::CannotLeave);
    assert!(fx.events().is_empty());
}

fn a_callee_that_may_not_be_entered_traps(engine: Engine) {
    let mut fx = Fixture::new(engine, "f: func();", caller(), callee(), |_, _| vec![]);
    fx.set_flags(CALLEE, 1);
    assert_eq!(fx.trap(&[]), Trap::CannotEnter);
    assert!(fx.events().is_empty());
}

fn flags_during_realloc_call_and_post_return(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(s: string) -> string;",
        caller(),
        callee().post_return(true),
        |c, _| {
            callee_write(c, 0x10, &[0, 2, 0, 0, 1, 0, 0, 0]);
            vec![i32(0x10)]
        },
    );
    fx.write(CALLER, 0x100, b"x");
    fx.write(CALLEE, 0x200, b"y");
    // Record the flags seen by each realloc.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    fx.override_realloc(move |instance, _, ptr| {
        log.lock().unwrap().push(instance);
        ptr
    });
    fx.call(&[i32(0x100), i32(1), i32(0x40)]).unwrap();
    let events = fx.events();
    assert!(
        matches!(events[1], Event::Call { flags: [3, 1], .. }),
        "{events:?}"
    );
    assert_eq!(
        events[3],
        Event::PostReturn {
            args: vec![i32(0x10)],
            flags: [3, 0]
        }
    );
    assert_eq!(fx.flags(CALLER), 3);
    assert_eq!(fx.flags(CALLEE), 3);
    assert_eq!(*seen.lock().unwrap(), [CALLEE, CALLER]);
}

fn realloc_results_are_checked(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(l: list<u32>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    fx.override_realloc(|_, _, ptr| ptr + 2);
    assert_eq!(fx.trap(&[i32(0x100), i32(1)]), Trap::ReallocMisaligned);
    fx.override_realloc(|_, _, _| 64 * 65536 - 4);
    assert_eq!(fx.trap(&[i32(0x100), i32(2)]), Trap::ReallocOutOfBounds);
    fx.override_realloc(|_, _, _| u32::MAX as u64 & !3);
    assert_eq!(fx.trap(&[i32(0x100), i32(2)]), Trap::ReallocOutOfBounds);
}

fn seventeen_flat_parameters_spill_to_memory_on_both_sides(engine: Engine) {
    let params: Vec<String> = (0..17).map(|i| format!("p{i}: u32")).collect();
    let decls = format!("f: func({});", params.join(", "));
    let mut fx = Fixture::new(engine, &decls, caller(), callee(), |c, args| {
        let bytes = callee_read(c, args[0].u64(), 68);
        assert_eq!(bytes[64..], [16, 0, 0, 0]);
        vec![]
    });
    let data: Vec<u8> = (0..17u32).flat_map(|i| i.to_le_bytes()).collect();
    fx.write(CALLER, 0x100, &data);
    fx.call(&[i32(0x100)]).unwrap();
    assert_eq!(fx.events()[0], Event::allocation(CALLEE, 4, 68, HEAP));
    assert_eq!(fx.read(CALLEE, HEAP, 68), data);
    assert_eq!(fx.trap(&[i32(0x102)]), Trap::Misaligned);
    assert_eq!(fx.trap(&[i32(64 * 65536 - 64)]), Trap::OutOfBounds);
}

fn spilled_results_are_checked_on_the_callee_side(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func() -> tuple<u32, u32>;",
        caller(),
        callee(),
        |_, _| vec![i32(0x12)],
    );
    assert_eq!(fx.trap(&[i32(0x40)]), Trap::Misaligned);
    let mut fx = Fixture::new(
        engine,
        "f: func() -> tuple<u32, u32>;",
        caller(),
        callee(),
        |_, _| vec![i32(64 * 65536 - 4)],
    );
    assert_eq!(fx.trap(&[i32(0x40)]), Trap::OutOfBounds);
}

fn post_return_is_optional(engine: Engine) {
    let mut fx = Fixture::new(engine, "f: func() -> u32;", caller(), callee(), |_, _| {
        vec![i32(5)]
    });
    assert_eq!(fx.call(&[]).unwrap(), vec![i32(5)]);
    assert_eq!(fx.events().len(), 1);
    assert!(!fx
        .adapters
        .imports
        .iter()
        .any(|i| matches!(i.kind, fact_core::ImportKind::PostReturn { .. })));
}

fn related_module(same: bool) -> fact_core::Adapters {
    let mut resolve = fact_core::wit_parser::Resolve::default();
    let pkg = resolve
        .push_str("t.wit", "package t:t; world w { export f: func(); }")
        .unwrap();
    let world = resolve.select_world(&[pkg], None).unwrap();
    let fact_core::wit_parser::WorldItem::Function(function) =
        resolve.worlds[world].exports[0].clone()
    else {
        panic!()
    };
    let mut compiler = AdapterCompiler::new(&resolve);
    if !same {
        compiler.ancestor(InstanceId(CALLEE), InstanceId(CALLER));
    }
    let lift = if same { caller() } else { callee() };
    compiler
        .adapt(Adapter {
            name: "f".into(),
            interface: None,
            function: &function,
            lift,
            lower: caller(),
        })
        .unwrap();
    compiler.finish().unwrap()
}

fn calls_within_an_instance_or_its_ancestors_cannot_enter(engine: Engine) {
    for same in [true, false] {
        let lift = if same { caller() } else { callee() };
        let mut fx = Fixture::link(engine, 1, related_module(same), caller(), lift, |_, _| {
            panic!("the callee must not run")
        });
        assert_eq!(fx.trap(&[]), Trap::CannotEnter);
        assert!(fx.events().is_empty());
    }
}

#[test]
fn without_the_trap_import_traps_are_unreachable() {
    let mut resolve = fact_core::wit_parser::Resolve::default();
    let pkg = resolve
        .push_str("t.wit", "package t:t; world w { export f: func(c: char); }")
        .unwrap();
    let world = resolve.select_world(&[pkg], None).unwrap();
    let fact_core::wit_parser::WorldItem::Function(function) =
        resolve.worlds[world].exports[0].clone()
    else {
        panic!()
    };
    let mut compiler = AdapterCompiler::new(&resolve);
    compiler.trap_import(false);
    compiler
        .adapt(Adapter {
            name: "f".into(),
            interface: None,
            function: &function,
            lift: callee(),
            lower: caller(),
        })
        .unwrap();
    let adapters = compiler.finish().unwrap();
    assert!(!adapters
        .imports
        .iter()
        .any(|i| i.kind == fact_core::ImportKind::Trap));
}

crate::on_every_engine!(
    calls_within_an_instance_or_its_ancestors_cannot_enter,
    a_caller_that_may_not_leave_traps,
    a_callee_that_may_not_be_entered_traps,
    flags_during_realloc_call_and_post_return,
    realloc_results_are_checked,
    seventeen_flat_parameters_spill_to_memory_on_both_sides,
    spilled_results_are_checked_on_the_callee_side,
    post_return_is_optional,
);
