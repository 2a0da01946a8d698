//! The rules of the spec's `Table`, `lift_own`/`lower_own`,
//! `lift_borrow`/`lower_borrow`, borrow scopes and `canon resource.*`, one
//! test per rule.

use super::*;

/// Tables with two resource types, `a` and `b`.
fn setup() -> (ResourceTables, ResourceType, ResourceType) {
    let mut t = ResourceTables::new();
    let a = t.resource_type(Some("ns:pkg/i"), "a");
    let b = t.resource_type(Some("ns:pkg/i"), "b");
    (t, a, b)
}

fn info(ty: ResourceType, rep: u32, lends: u32, scope: Option<u32>) -> HandleInfo {
    HandleInfo {
        ty,
        rep,
        own: scope.is_none(),
        lends,
        scope,
    }
}

/// The whole state of `instance`'s table.
fn state(t: &ResourceTables, instance: u32) -> Vec<(u32, HandleInfo)> {
    t.handles(instance).collect()
}

#[test]
fn resource_types_are_registered_once_by_wit_identity() {
    let mut t = ResourceTables::new();
    let a = t.resource_type(Some("ns:pkg/i"), "r");
    let b = t.resource_type(Some("ns:pkg/j"), "r");
    let c = t.resource_type(None, "r");
    assert_ne!(a, b);
    assert_ne!(a, c);
    assert_ne!(b, c);
    assert_eq!(t.resource_type(Some("ns:pkg/i"), "r"), a);
    assert_eq!(t.resource_type(None, "r"), c);
    assert_eq!(t.resource_type_name(a), Some((Some("ns:pkg/i"), "r")));
    assert_eq!(t.resource_type_name(c), Some((None, "r")));
    assert_eq!(t.resource_type_name(ResourceType(99)), None);
}

#[test]
fn index_zero_is_never_used() {
    let (mut t, a, _) = setup();
    assert_eq!(t.new_own(0, a, 7), Ok(1));
    assert_eq!(t.new_own(0, a, 8), Ok(2));
    assert_eq!(t.handle(0, 0), None);
    assert_eq!(t.rep(0, a, 0), Err(Trap::UnknownHandle));
    assert_eq!(t.drop_handle(0, a, 0), Err(Trap::UnknownHandle));
    // Each instance has its own table.
    assert_eq!(t.new_own(3, a, 9), Ok(1));
    assert_eq!(state(&t, 3), [(1, info(a, 9, 0, None))]);
    assert_eq!(state(&t, 1), []);
}

#[test]
fn freed_indices_are_reused_last_freed_first() {
    let (mut t, a, _) = setup();
    for rep in 1..=4 {
        assert_eq!(t.new_own(0, a, rep * 10), Ok(rep));
    }
    assert_eq!(t.drop_handle(0, a, 2), Ok(Some(20)));
    assert_eq!(t.drop_handle(0, a, 3), Ok(Some(30)));
    assert_eq!(t.new_own(0, a, 50), Ok(3));
    assert_eq!(t.new_own(0, a, 60), Ok(2));
    assert_eq!(t.new_own(0, a, 70), Ok(5));
    // A transfer frees the source index and takes the destination's.
    t.drop_handle(1, a, 1).unwrap_err();
    assert_eq!(t.new_own(1, a, 1), Ok(1));
    assert_eq!(t.drop_handle(1, a, 1), Ok(Some(1)));
    assert_eq!(t.transfer_own(0, 1, 4, a), Ok(1));
    assert_eq!(t.new_own(0, a, 80), Ok(4));
}

#[test]
fn many_handles_are_created_dropped_and_reused() {
    let (mut t, a, _) = setup();
    const N: u32 = 100_000;
    for i in 1..=N {
        assert_eq!(t.new_own(0, a, i + 1000), Ok(i));
    }
    for i in (1..=N).step_by(2) {
        assert_eq!(t.drop_handle(0, a, i), Ok(Some(i + 1000)));
    }
    assert_eq!(t.handles(0).count(), N as usize / 2);
    // Last freed first: the odd indices, from the largest down.
    for i in (1..N + 1).step_by(2).rev() {
        assert_eq!(t.new_own(0, a, i), Ok(i));
    }
    assert_eq!(t.new_own(0, a, 0), Ok(N + 1));
    for i in 1..=N {
        let expected = if i % 2 == 1 { i } else { i + 1000 };
        assert_eq!(t.rep(0, a, i), Ok(expected));
    }
}

#[test]
fn a_full_table_traps_too_many_handles() {
    let mut t = ResourceTables::with_max_handles(3);
    let a = t.resource_type(None, "a");
    for i in 1..=3 {
        assert_eq!(t.new_own(0, a, i), Ok(i));
    }
    assert_eq!(t.new_own(0, a, 4), Err(Trap::TooManyHandles));
    // A freed index is still available.
    t.drop_handle(0, a, 2).unwrap();
    assert_eq!(t.new_own(0, a, 5), Ok(2));
    assert_eq!(t.new_own(0, a, 6), Err(Trap::TooManyHandles));
    assert_eq!(t.handles(0).count(), 3);
}

#[test]
fn the_largest_index_is_the_spec_maximum() {
    assert_eq!(MAX_HANDLES, (1 << 28) - 1);
    let t = ResourceTables::with_max_handles(u32::MAX);
    assert_eq!(t.max_handles, MAX_HANDLES);
}

#[test]
fn unknown_and_dropped_handles_trap_unknown_handle() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    assert_eq!(t.rep(0, a, 2), Err(Trap::UnknownHandle));
    assert_eq!(t.rep(0, a, u32::MAX), Err(Trap::UnknownHandle));
    assert_eq!(t.rep(1, a, h), Err(Trap::UnknownHandle));
    assert_eq!(t.rep(u32::MAX, a, h), Err(Trap::UnknownHandle));
    t.drop_handle(0, a, h).unwrap();
    assert_eq!(t.rep(0, a, h), Err(Trap::UnknownHandle));
    assert_eq!(t.drop_handle(0, a, h), Err(Trap::UnknownHandle));
    assert_eq!(t.transfer_own(0, 1, h, a), Err(Trap::UnknownHandle));
    assert_eq!(t.transfer_own(7, 1, h, a), Err(Trap::UnknownHandle));
    t.enter_call(0, 1);
    assert_eq!(t.transfer_borrow(0, 1, h, a), Err(Trap::UnknownHandle));
    assert_eq!(t.borrow_rep(0, h, a), Err(Trap::UnknownHandle));
    assert_eq!(state(&t, 1), []);
    t.exit_call().unwrap();
}

#[test]
fn a_transferred_handle_is_gone_from_its_source() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 5).unwrap();
    let moved = t.transfer_own(0, 1, h, a).unwrap();
    assert_eq!(t.handle(0, h), None);
    assert_eq!(t.handle(1, moved), Some(info(a, 5, 0, None)));
    assert_eq!(t.transfer_own(0, 1, h, a), Err(Trap::UnknownHandle));
}

#[test]
fn wrong_types_trap_wrong_resource_type() {
    let (mut t, a, b) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    assert_eq!(t.rep(0, b, h), Err(Trap::WrongResourceType));
    assert_eq!(t.drop_handle(0, b, h), Err(Trap::WrongResourceType));
    assert_eq!(t.transfer_own(0, 1, h, b), Err(Trap::WrongResourceType));
    t.enter_call(0, 1);
    assert_eq!(t.transfer_borrow(0, 1, h, b), Err(Trap::WrongResourceType));
    assert_eq!(t.borrow_rep(0, h, b), Err(Trap::WrongResourceType));
    t.exit_call().unwrap();
    assert_eq!(state(&t, 0), [(h, info(a, 1, 0, None))]);
    assert_eq!(state(&t, 1), []);
}

#[test]
fn transfer_own_moves_the_rep_and_type() {
    let (mut t, a, b) = setup();
    t.new_own(1, b, 100).unwrap();
    let h = t.new_own(0, a, 42).unwrap();
    let moved = t.transfer_own(0, 1, h, a).unwrap();
    assert_eq!(moved, 2);
    assert_eq!(t.rep(1, a, moved), Ok(42));
    // And back again, into the freed index.
    assert_eq!(t.transfer_own(1, 0, moved, a), Ok(h));
    assert_eq!(t.drop_handle(0, a, h), Ok(Some(42)));
}

#[test]
fn transfer_own_of_a_lent_handle_traps_handle_lent() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    t.borrow_rep(0, h, a).unwrap();
    assert_eq!(t.transfer_own(0, 2, h, a), Err(Trap::HandleLent));
    assert_eq!(t.handle(0, h), Some(info(a, 1, 1, None)));
    t.exit_call().unwrap();
    assert_eq!(t.transfer_own(0, 2, h, a), Ok(1));
}

#[test]
fn transfer_own_of_a_borrowed_handle_traps_not_owned() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    let borrowed = t.transfer_borrow(0, 1, h, a).unwrap();
    assert_eq!(t.transfer_own(1, 2, borrowed, a), Err(Trap::NotOwned));
    assert_eq!(t.handle(1, borrowed), Some(info(a, 1, 0, Some(0))));
}

#[test]
fn lift_own_checks_type_then_lends_then_own() {
    // A borrowed handle that is itself lent: `HandleLent` comes before
    // `NotOwned`, and `WrongResourceType` before both.
    let (mut t, a, b) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    let borrowed = t.transfer_borrow(0, 1, h, a).unwrap();
    t.enter_call(1, 2);
    t.borrow_rep(1, borrowed, a).unwrap();
    assert_eq!(
        t.transfer_own(1, 2, borrowed, b),
        Err(Trap::WrongResourceType)
    );
    assert_eq!(t.transfer_own(1, 2, borrowed, a), Err(Trap::HandleLent));
    t.exit_call().unwrap();
    assert_eq!(t.transfer_own(1, 2, borrowed, a), Err(Trap::NotOwned));
}

#[test]
fn transfer_own_into_a_full_table_leaves_both_tables_unchanged() {
    let mut t = ResourceTables::with_max_handles(1);
    let a = t.resource_type(None, "a");
    let h = t.new_own(0, a, 1).unwrap();
    t.new_own(1, a, 2).unwrap();
    assert_eq!(t.transfer_own(0, 1, h, a), Err(Trap::TooManyHandles));
    assert_eq!(state(&t, 0), [(1, info(a, 1, 0, None))]);
    assert_eq!(state(&t, 1), [(1, info(a, 2, 0, None))]);
    // The source's free list is as it was: its next handle is index 2.
    assert_eq!(t.new_own(0, a, 3), Err(Trap::TooManyHandles));
}

#[test]
fn transfer_own_within_one_instance_reuses_the_index() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    assert_eq!(t.transfer_own(0, 0, h, a), Ok(h));
    assert_eq!(state(&t, 0), [(h, info(a, 1, 0, None))]);
}

#[test]
fn transfer_borrow_lends_the_source_and_counts_the_borrow() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 9).unwrap();
    t.enter_call(0, 1);
    let b1 = t.transfer_borrow(0, 1, h, a).unwrap();
    let b2 = t.transfer_borrow(0, 1, h, a).unwrap();
    assert_eq!((b1, b2), (1, 2));
    assert_eq!(t.handle(0, h), Some(info(a, 9, 2, None)));
    assert_eq!(t.handle(1, b1), Some(info(a, 9, 0, Some(0))));
    assert_eq!(t.rep(1, a, b2), Ok(9));
    assert_eq!(t.scopes.get_mut(0).unwrap().borrows, 2);
    assert_eq!(t.drop_handle(1, a, b1), Ok(None));
    assert_eq!(t.scopes.get_mut(0).unwrap().borrows, 1);
    assert_eq!(t.drop_handle(1, a, b2), Ok(None));
    t.exit_call().unwrap();
    assert_eq!(t.handle(0, h), Some(info(a, 9, 0, None)));
    assert_eq!(t.call_depth(), 0);
}

#[test]
fn borrow_rep_lends_the_source_and_returns_the_rep() {
    let (mut t, a, _) = setup();
    let h = t.new_own(1, a, 77).unwrap();
    t.enter_call(1, 0);
    assert_eq!(t.borrow_rep(1, h, a), Ok(77));
    assert_eq!(t.handle(1, h), Some(info(a, 77, 1, None)));
    // No handle is added to the implementer's table, and nothing counts
    // against the call.
    assert_eq!(state(&t, 0), []);
    t.exit_call().unwrap();
    assert_eq!(t.handle(1, h), Some(info(a, 77, 0, None)));
}

#[test]
fn a_borrowed_handle_can_be_lent_on() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 3).unwrap();
    t.enter_call(0, 1);
    let b1 = t.transfer_borrow(0, 1, h, a).unwrap();
    t.enter_call(1, 2);
    let b2 = t.transfer_borrow(1, 2, b1, a).unwrap();
    assert_eq!(t.handle(1, b1), Some(info(a, 3, 1, Some(0))));
    assert_eq!(t.handle(2, b2), Some(info(a, 3, 0, Some(1))));
    assert_eq!(t.rep(2, a, b2), Ok(3));
    // Instance 1 cannot drop its borrow while it is lent on.
    assert_eq!(t.drop_handle(1, a, b1), Err(Trap::HandleLent));
    assert_eq!(t.drop_handle(2, a, b2), Ok(None));
    t.exit_call().unwrap();
    assert_eq!(t.handle(1, b1), Some(info(a, 3, 0, Some(0))));
    assert_eq!(t.drop_handle(1, a, b1), Ok(None));
    t.exit_call().unwrap();
    assert_eq!(t.handle(0, h), Some(info(a, 3, 0, None)));
}

#[test]
fn dropping_a_lent_handle_traps_handle_lent() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    let b = t.transfer_borrow(0, 1, h, a).unwrap();
    assert_eq!(t.drop_handle(0, a, h), Err(Trap::HandleLent));
    assert_eq!(t.handle(0, h), Some(info(a, 1, 1, None)));
    t.drop_handle(1, a, b).unwrap();
    t.exit_call().unwrap();
    assert_eq!(t.drop_handle(0, a, h), Ok(Some(1)));
}

#[test]
fn drop_checks_type_before_lends() {
    let (mut t, a, b) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    t.borrow_rep(0, h, a).unwrap();
    assert_eq!(t.drop_handle(0, b, h), Err(Trap::WrongResourceType));
    assert_eq!(t.drop_handle(0, a, h), Err(Trap::HandleLent));
}

#[test]
fn exit_call_with_a_borrow_held_traps_borrow_not_dropped() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    let b = t.transfer_borrow(0, 1, h, a).unwrap();
    assert_eq!(t.exit_call(), Err(Trap::BorrowNotDropped));
    // Nothing changed: the call is still open and the handle still lent.
    assert_eq!(t.call_depth(), 1);
    assert_eq!(t.handle(0, h), Some(info(a, 1, 1, None)));
    assert_eq!(t.handle(1, b), Some(info(a, 1, 0, Some(0))));
    t.drop_handle(1, a, b).unwrap();
    assert_eq!(t.exit_call(), Ok(()));
}

#[test]
fn exit_call_without_an_open_call_traps_borrow_not_dropped() {
    let (mut t, _, _) = setup();
    assert_eq!(t.exit_call(), Err(Trap::BorrowNotDropped));
    t.enter_call(0, 1);
    assert_eq!(t.exit_call(), Ok(()));
    assert_eq!(t.exit_call(), Err(Trap::BorrowNotDropped));
}

#[test]
fn borrows_outside_a_call_trap_borrow_not_dropped() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    assert_eq!(t.transfer_borrow(0, 1, h, a), Err(Trap::BorrowNotDropped));
    assert_eq!(t.borrow_rep(0, h, a), Err(Trap::BorrowNotDropped));
    assert_eq!(state(&t, 0), [(h, info(a, 1, 0, None))]);
    assert_eq!(state(&t, 1), []);
}

#[test]
fn transfer_borrow_into_a_full_table_leaves_the_source_unlent() {
    let mut t = ResourceTables::with_max_handles(1);
    let a = t.resource_type(None, "a");
    let h = t.new_own(0, a, 1).unwrap();
    t.new_own(1, a, 2).unwrap();
    t.enter_call(0, 1);
    assert_eq!(t.transfer_borrow(0, 1, h, a), Err(Trap::TooManyHandles));
    assert_eq!(t.handle(0, h), Some(info(a, 1, 0, None)));
    assert_eq!(t.exit_call(), Ok(()));
}

#[test]
fn exit_call_ends_only_the_innermost_calls_lends() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    t.borrow_rep(0, h, a).unwrap();
    t.enter_call(0, 2);
    t.borrow_rep(0, h, a).unwrap();
    t.borrow_rep(0, h, a).unwrap();
    assert_eq!(t.handle(0, h).unwrap().lends, 3);
    assert_eq!(t.open_calls().collect::<Vec<_>>(), [(0, 1), (0, 2)]);
    t.exit_call().unwrap();
    assert_eq!(t.handle(0, h).unwrap().lends, 1);
    t.exit_call().unwrap();
    assert_eq!(t.handle(0, h).unwrap().lends, 0);
}

#[test]
fn a_borrow_dropped_during_a_nested_call_counts_against_its_own_call() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    let b = t.transfer_borrow(0, 1, h, a).unwrap();
    t.enter_call(1, 2);
    assert_eq!(t.drop_handle(1, a, b), Ok(None));
    assert_eq!(t.scopes.get_mut(0).unwrap().borrows, 0);
    t.exit_call().unwrap();
    t.exit_call().unwrap();
}

#[test]
fn own_handles_received_during_a_call_are_not_tied_to_it() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    let o = t.transfer_own(0, 1, h, a).unwrap();
    t.exit_call().unwrap();
    assert_eq!(t.handle(1, o), Some(info(a, 1, 0, None)));
}

#[test]
fn abort_calls_ends_lends_and_removes_the_calls_borrows() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    t.enter_call(0, 1);
    let b1 = t.transfer_borrow(0, 1, h, a).unwrap();
    let depth = t.call_depth();
    t.enter_call(1, 2);
    let b2 = t.transfer_borrow(1, 2, b1, a).unwrap();
    t.new_own(2, a, 5).unwrap();
    t.abort_calls(depth);
    assert_eq!(t.call_depth(), 1);
    assert_eq!(t.handle(1, b1), Some(info(a, 1, 0, Some(0))));
    assert_eq!(t.handle(2, b2), None);
    assert_eq!(state(&t, 2), [(2, info(a, 5, 0, None))]);
    // The freed index is reused.
    assert_eq!(t.new_own(2, a, 6), Ok(b2));
    t.abort_calls(0);
    assert_eq!(t.call_depth(), 0);
    assert_eq!(state(&t, 0), [(h, info(a, 1, 0, None))]);
    assert_eq!(state(&t, 1), []);
    // The tables work on as before.
    t.enter_call(0, 1);
    let b = t.transfer_borrow(0, 1, h, a).unwrap();
    t.drop_handle(1, a, b).unwrap();
    t.exit_call().unwrap();
}

#[test]
fn calls_allocate_nothing_once_warm() {
    let (mut t, a, _) = setup();
    let h = t.new_own(0, a, 1).unwrap();
    let round = |t: &mut ResourceTables| {
        t.enter_call(0, 1);
        let b = t.transfer_borrow(0, 1, h, a).unwrap();
        t.borrow_rep(0, h, a).unwrap();
        t.drop_handle(1, a, b).unwrap();
        t.exit_call().unwrap();
    };
    round(&mut t);
    let capacities = |t: &ResourceTables| {
        (
            t.scopes.capacities(),
            t.tables[&1].slots.capacity(),
            t.tables[&1].free.capacity(),
        )
    };
    let warm = capacities(&t);
    for _ in 0..1000 {
        round(&mut t);
    }
    assert_eq!(capacities(&t), warm);
}

#[test]
fn shared_tables_are_one_set_of_tables() {
    let shared = SharedResourceTables::default();
    let other = shared.clone();
    let a = shared.lock().resource_type(None, "a");
    let h = shared.lock().new_own(0, a, 4).unwrap();
    assert_eq!(other.lock().rep(0, a, h), Ok(4));
    let fresh = SharedResourceTables::new(ResourceTables::new());
    assert_eq!(fresh.lock().handles(0).count(), 0);
}

/// Instance numbers are any `u32`: a table for instance `u32::MAX` is as
/// cheap as one for instance 0 (a dense vector of tables would allocate one
/// per number below it).
#[test]
fn instance_numbers_near_u32_max_are_served() {
    let mut t = ResourceTables::new();
    let a = t.resource_type(None, "a");
    let top = u32::MAX;
    let h = t.new_own(top, a, 7).unwrap();
    let moved = t.transfer_own(top, top - 1, h, a).unwrap();
    assert_eq!(t.rep(top - 1, a, moved), Ok(7));
    assert_eq!(t.handles(top).count(), 0);
    assert_eq!(t.drop_handle(top - 1, a, moved), Ok(Some(7)));
    assert_eq!(t.tables.len(), 2);
}
