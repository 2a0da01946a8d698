//! Resource handles across the adapter: `own` moves from table to table,
//! `borrow` is lent for the call, and every misuse traps with its code. The
//! tables are the reference host's (`fact_host::ResourceTables`).

use crate::harness::*;
use fact_core::Trap;
use fact_host::{ResourceType, SharedResourceTables};

const R: &str = "resource r;\nresource s;\n";

fn types(tables: &SharedResourceTables) -> (ResourceType, ResourceType) {
    let mut t = tables.lock();
    (
        t.resource_type(Some("test:t/i"), "r"),
        t.resource_type(Some("test:t/i"), "s"),
    )
}

/// Inside the callee: the callee's tables.
fn tables(c: &mut dyn Cx) -> SharedResourceTables {
    c.tables()
}

fn an_owned_handle_moves_from_the_caller_to_the_callee(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        &format!("{R}f: func(x: own<r>);"),
        caller(),
        callee(),
        |c, args| {
            let t = tables(c);
            let info = t.lock().handle(CALLEE, args[0].u64() as u32).unwrap();
            assert!(info.own);
            assert_eq!(info.rep, 42);
            vec![]
        },
    );
    let tables = fx.tables();
    let (r, _) = types(&tables);
    let h = tables.lock().new_own(CALLER, r, 42).unwrap();
    fx.call(&[i32(h)]).unwrap();
    assert!(
        tables.lock().handle(CALLER, h).is_none(),
        "the caller no longer has it"
    );
    assert_eq!(tables.lock().handles(CALLEE).count(), 1);
    // Moved away: the handle is unknown now.
    assert_eq!(fx.trap(&[i32(h)]), Trap::UnknownHandle);
}

fn an_owned_result_moves_back_to_the_caller(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        &format!("{R}f: func() -> own<r>;"),
        caller(),
        callee(),
        |c, _| {
            let t = tables(c);
            let r = t.lock().resource_type(Some("test:t/i"), "r");
            let h = t.lock().new_own(CALLEE, r, 7).unwrap();
            vec![i32(h)]
        },
    );
    let out = fx.call(&[]).unwrap();
    let tables = fx.tables();
    let info = tables.lock().handle(CALLER, out[0].u64() as u32).unwrap();
    assert!(info.own && info.rep == 7);
    assert_eq!(tables.lock().handles(CALLEE).count(), 0);
}

fn a_borrow_is_lent_for_the_call_and_must_be_dropped(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        &format!("{R}f: func(x: borrow<r>);"),
        caller(),
        callee(),
        |c, args| {
            let t = tables(c);
            let mut t = t.lock();
            let (r, _) = (t.resource_type(Some("test:t/i"), "r"), ());
            let b = args[0].u64() as u32;
            let info = t.handle(CALLEE, b).unwrap();
            assert!(!info.own && info.rep == 42);
            // The caller's handle is lent: it cannot be dropped meanwhile.
            let lent = t.handles(CALLER).next().unwrap();
            assert_eq!(lent.1.lends, 1);
            assert_eq!(t.drop_handle(CALLER, r, lent.0), Err(Trap::HandleLent));
            t.drop_handle(CALLEE, r, b).unwrap();
            vec![]
        },
    );
    let tables = fx.tables();
    let (r, _) = types(&tables);
    let h = tables.lock().new_own(CALLER, r, 42).unwrap();
    fx.call(&[i32(h)]).unwrap();
    let info = tables.lock().handle(CALLER, h).unwrap();
    assert_eq!(
        (info.own, info.lends),
        (true, 0),
        "lent no more, still owned"
    );
    assert_eq!(tables.lock().handles(CALLEE).count(), 0);
}

fn a_borrow_not_dropped_by_the_end_of_the_call_traps(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        &format!("{R}f: func(x: borrow<r>);"),
        caller(),
        callee(),
        |_, _| vec![],
    );
    let tables = fx.tables();
    let (r, _) = types(&tables);
    let h = tables.lock().new_own(CALLER, r, 1).unwrap();
    assert_eq!(fx.trap(&[i32(h)]), Trap::BorrowNotDropped);
}

fn a_borrow_passed_to_the_implementer_arrives_as_its_representation(engine: Engine) {
    let tuning = Tuning {
        implementer: Some(CALLEE),
        ..Tuning::default()
    };
    let mut fx = Fixture::tuned(
        engine,
        tuning,
        64,
        &format!("{R}f: func(x: borrow<r>) -> u32;"),
        caller(),
        callee(),
        |_, args| vec![args[0]],
    );
    let tables = fx.tables();
    let (r, _) = types(&tables);
    let h = tables.lock().new_own(CALLER, r, 1234).unwrap();
    assert_eq!(fx.call(&[i32(h)]).unwrap(), vec![i32(1234)]);
    assert_eq!(tables.lock().handle(CALLER, h).unwrap().lends, 0);
}

fn a_handle_the_caller_only_borrows_can_be_lent_on(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        &format!("{R}f: func(x: borrow<r>);"),
        caller(),
        callee(),
        |c, args| {
            let t = tables(c);
            let mut t = t.lock();
            let r = t.resource_type(Some("test:t/i"), "r");
            assert_eq!(t.handle(CALLEE, args[0].u64() as u32).unwrap().rep, 5);
            t.drop_handle(CALLEE, r, args[0].u64() as u32).unwrap();
            vec![]
        },
    );
    let tables = fx.tables();
    let (r, _) = types(&tables);
    // Instance 2 lends its handle to the caller, as an outer call would.
    let (borrowed, outer) = {
        let mut t = tables.lock();
        let outer = t.new_own(2, r, 5).unwrap();
        t.enter_call(2, CALLER);
        (t.transfer_borrow(2, CALLER, outer, r).unwrap(), outer)
    };
    fx.call(&[i32(borrowed)]).unwrap();
    let mut t = tables.lock();
    assert_eq!(t.handle(CALLER, borrowed).unwrap().lends, 0);
    assert_eq!(
        t.handle(2, outer).unwrap().lends,
        1,
        "still lent by the outer call"
    );
    t.drop_handle(CALLER, r, borrowed).unwrap();
    t.exit_call().unwrap();
}

fn handles_in_records_lists_options_and_results(engine: Engine) {
    let decls = format!(
        "{R}record pair {{ a: own<r>, b: borrow<s> }}\n\
         f: func(p: pair, l: list<own<r>>, o: option<borrow<r>>, v: result<own<s>, u32>) -> list<own<r>>;"
    );
    let mut fx = Fixture::new(engine, &decls, caller(), callee(), |c, args| {
        let t = tables(c);
        let mut t = t.lock();
        let r = t.resource_type(Some("test:t/i"), "r");
        let s = t.resource_type(Some("test:t/i"), "s");
        // p.a, p.b, l.ptr, l.len, o.disc, o.payload, v.disc, v.payload
        assert_eq!(t.handle(CALLEE, args[0].u64() as u32).unwrap().rep, 1);
        assert_eq!(t.handle(CALLEE, args[1].u64() as u32).unwrap().rep, 2);
        assert_eq!(args[3], i32(100));
        assert_eq!(args[4], i32(1));
        assert_eq!(t.handle(CALLEE, args[5].u64() as u32).unwrap().rep, 3);
        assert_eq!(args[6], i32(0));
        assert_eq!(t.handle(CALLEE, args[7].u64() as u32).unwrap().rep, 4);
        t.drop_handle(CALLEE, s, args[1].u64() as u32).unwrap();
        t.drop_handle(CALLEE, r, args[5].u64() as u32).unwrap();
        // Return the hundred list handles, in reverse, from a return area.
        drop(t);
        let list = args[2].u64();
        let mut bytes = callee_read(c, list, 400);
        bytes.reverse_chunks();
        callee_write(c, 0x9000, &bytes);
        callee_write(c, 0x40, &[0, 0x90, 0, 0, 100, 0, 0, 0]);
        vec![i32(0x40)]
    });
    let tables = fx.tables();
    let (r, s) = types(&tables);
    let mut t = tables.lock();
    let a = t.new_own(CALLER, r, 1).unwrap();
    let b = t.new_own(CALLER, s, 2).unwrap();
    let o = t.new_own(CALLER, r, 3).unwrap();
    let v = t.new_own(CALLER, s, 4).unwrap();
    let list: Vec<u32> = (0..100)
        .map(|i| t.new_own(CALLER, r, 1000 + i).unwrap())
        .collect();
    drop(t);
    let bytes: Vec<u8> = list.iter().flat_map(|h| h.to_le_bytes()).collect();
    fx.write(CALLER, 0x100, &bytes);
    fx.call(&[
        i32(a),
        i32(b),
        i32(0x100),
        i32(100),
        i32(1),
        i32(o),
        i32(0),
        i32(v),
        i32(0x80),
    ])
    .unwrap();
    // The returned list holds new caller handles to reps 1099 down to 1000.
    let ret = fx.read(CALLER, 0x80, 8);
    let ptr = u32::from_le_bytes(ret[..4].try_into().unwrap()) as u64;
    assert_eq!(u32::from_le_bytes(ret[4..].try_into().unwrap()), 100);
    let handles = fx.read(CALLER, ptr, 400);
    let t = tables.lock();
    for (i, h) in handles.chunks(4).enumerate() {
        let h = u32::from_le_bytes(h.try_into().unwrap());
        let info = t.handle(CALLER, h).unwrap();
        assert!(info.own);
        assert_eq!(info.rep, 1099 - i as u32);
    }
    assert!(
        t.handle(CALLER, b).unwrap().own,
        "borrowed s is still the caller's"
    );
    assert!(
        t.handle(CALLER, o).unwrap().own,
        "borrowed r is still the caller's"
    );
    assert!(t.handle(CALLER, a).is_none(), "own r moved");
    // The callee still owns a and v; the 100 list handles came back.
    assert_eq!(t.handles(CALLEE).count(), 2);
}

trait ReverseChunks {
    fn reverse_chunks(&mut self);
}

impl ReverseChunks for Vec<u8> {
    fn reverse_chunks(&mut self) {
        let mut chunks: Vec<[u8; 4]> = self.chunks(4).map(|c| c.try_into().unwrap()).collect();
        chunks.reverse();
        *self = chunks.concat();
    }
}

fn misuse_traps_with_its_code(engine: Engine) {
    let decls = format!("{R}f: func(a: borrow<r>, b: own<r>);");
    let mut fx = Fixture::new(engine, &decls, caller(), callee(), |_, _| vec![]);
    let tables = fx.tables();
    let (r, s) = types(&tables);
    let (h, other, wrong) = {
        let mut t = tables.lock();
        (
            t.new_own(CALLER, r, 1).unwrap(),
            t.new_own(CALLER, r, 2).unwrap(),
            t.new_own(CALLER, s, 3).unwrap(),
        )
    };
    assert_eq!(fx.trap(&[i32(999), i32(other)]), Trap::UnknownHandle);
    assert_eq!(fx.trap(&[i32(wrong), i32(other)]), Trap::WrongResourceType);
    assert_eq!(fx.trap(&[i32(h), i32(wrong)]), Trap::WrongResourceType);
    // The same handle lent as `a` cannot move as `b`.
    assert_eq!(fx.trap(&[i32(h), i32(h)]), Trap::HandleLent);
    // A borrowed handle cannot be passed as `own`.
    let borrowed = {
        let mut t = tables.lock();
        let outer = t.new_own(2, r, 9).unwrap();
        t.enter_call(2, CALLER);
        t.transfer_borrow(2, CALLER, outer, r).unwrap()
    };
    let depth = tables.lock().call_depth();
    let err = fx.call(&[i32(h), i32(borrowed)]).unwrap_err();
    assert_eq!(err.trap(), Some(Trap::NotOwned));
    tables.lock().abort_calls(depth);
}

crate::on_every_engine!(
    an_owned_handle_moves_from_the_caller_to_the_callee,
    an_owned_result_moves_back_to_the_caller,
    a_borrow_is_lent_for_the_call_and_must_be_dropped,
    a_borrow_not_dropped_by_the_end_of_the_call_traps,
    a_borrow_passed_to_the_implementer_arrives_as_its_representation,
    a_handle_the_caller_only_borrows_can_be_lent_on,
    handles_in_records_lists_options_and_results,
    misuse_traps_with_its_code,
);
