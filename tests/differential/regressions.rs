//! Fixed cases: the comparison itself, and every disagreement the random
//! cases found, each either a `fact` bug (fixed, or `#[ignore]`d until it
//! is) or a deliberate difference with Wasmtime 48 (README, "Differences
//! with Wasmtime"), pinned here so that a change on either side shows.

use super::case::{Case, Opts, ReallocFault, FAULT_CALL_OUT, FAULT_POST_RETURN_CALLS_OUT};
use super::compare::{self, Known};
use super::modules::tag;
use super::run::{self, CaseResult, Outcome};
use super::types::{Res, Ty};
use super::values::{HandleSrc, Val};
use super::{judge, Verdict};
use fact_core::StringEncoding::{self, CompactUtf16, Utf8};

fn opts(encoding: StringEncoding, mem64: bool) -> Opts {
    Opts {
        encoding,
        memory: Some(mem64),
        realloc: true,
        post_return: false,
        async_: false,
    }
}

fn run_one(case: &Case) -> CaseResult {
    let mut results = run::run_batch(&run::engine(), &[(0, case.clone())], true);
    assert_eq!(results.len(), 1);
    results.remove(0)
}

fn returned(o: &Outcome) -> [compare::Dump; 2] {
    match o {
        Outcome::Returned(log) => compare::dumps(log),
        other => panic!("expected a return, got {other:?}"),
    }
}

/// The `realloc` calls an instance (0: caller, 1: callee) logged.
fn reallocs(o: &Outcome, instance: usize) -> Vec<[u64; 6]> {
    returned(o)[instance].reallocs()
}

#[test]
fn the_comparison_catches_an_adapter_that_skips_post_return() {
    let lift = Opts {
        post_return: true,
        ..opts(Utf8, false)
    };
    let case = Case::new(
        vec![Ty::String],
        Some(Ty::U32),
        opts(Utf8, false),
        lift,
        vec![Val::String("hi".into(), false)],
        Some(Val::Int(7)),
    );
    let engine = run::engine();
    let cases = [(0, case.clone())];
    // The same adapter both ways: the same observations.
    let same = run::run_batch(&engine, &cases, true);
    assert!(
        matches!(judge(&case, &same[0]), Verdict::Returned),
        "{same:?}"
    );
    // fact compiled without the post-return: the callee sees no
    // post-return call, and the comparison says so.
    let sabotaged = run::run_batch_with(&engine, &cases, true, |case| {
        (case.lower.fact(0), case.lift.fact(1).post_return(false))
    });
    let Verdict::Mismatch(report) = judge(&case, &sabotaged[0]) else {
        panic!("a missing post-return went unnoticed: {sabotaged:?}");
    };
    assert!(report.contains("callee: mem32[0x18]"), "{report}");
}

#[test]
fn the_comparison_catches_an_adapter_with_another_string_encoding() {
    let case = Case::new(
        vec![Ty::String],
        None,
        opts(Utf8, false),
        opts(Utf8, false),
        vec![Val::String("héllo".into(), false)],
        None,
    );
    let sabotaged = run::run_batch_with(&run::engine(), &[(0, case.clone())], true, |case| {
        let lift = case
            .lift
            .fact(1)
            .string_encoding(fact_core::StringEncoding::Utf16);
        (case.lower.fact(0), lift)
    });
    assert!(matches!(judge(&case, &sabotaged[0]), Verdict::Mismatch(_)));
}

/// Deliberate difference: `utf16_tag` is `1 << 63` for a 64-bit memory in
/// the spec; Wasmtime 48 uses `1 << 31` for every memory
/// (`wasmtime-environ` `fact/trampoline.rs`, `UTF16_TAG`), so it reads
/// this valid UTF-16 string as a huge Latin-1 one and traps.
#[test]
fn utf16_tagged_strings_in_64_bit_memories_follow_the_spec() {
    let case = Case::new(
        vec![Ty::String],
        None,
        opts(CompactUtf16, true),
        opts(CompactUtf16, false),
        vec![Val::String("a€".into(), false)],
        None,
    );
    assert_eq!(case.arg_flat[1], super::values::Flat::I64(2 | 1 << 63));
    let r = run_one(&case);
    assert!(
        matches!(r.wasmtime, Outcome::Trapped(_)),
        "{:?}",
        r.wasmtime
    );
    // fact carries the string, tagged for the callee's 32-bit memory.
    let callee = &returned(&r.fact)[1];
    let ptr = callee.word(tag::MEM32, 0x20);
    assert_eq!(callee.word(tag::MEM32, 0x28), 2 | 1 << 31);
    let word = callee.word(tag::MEM32, ptr & !7) >> (8 * (ptr & 7));
    assert_eq!(word as u32, u32::from_le_bytes([b'a', 0, 0xac, 0x20]));
}

/// Deliberate difference: `store_probably_utf16_to_latin1_or_utf16`
/// shrinks with `realloc(ptr, 2n, 1, n)`; Wasmtime 48 passes alignment 2.
#[test]
fn compact_strings_are_shrunk_with_alignment_1() {
    let case = Case::new(
        vec![Ty::String],
        None,
        opts(CompactUtf16, false),
        opts(CompactUtf16, false),
        // Fits Latin-1 but is passed as UTF-16 (tagged).
        vec![Val::String("é!".into(), true)],
        None,
    );
    let r = run_one(&case);
    let ours = reallocs(&r.fact, 1);
    let theirs = reallocs(&r.wasmtime, 1);
    assert_eq!(ours.len(), 2, "{ours:x?}");
    // (memory, old, old size, align, new size, returned)
    assert_eq!(ours[0][1..5], [0, 0, 2, 4]);
    assert_eq!(ours[1][1..5], [ours[0][5], 4, 1, 2]);
    assert_eq!(theirs[1][3], 2);
    match judge(&case, &r) {
        Verdict::Known(k) => assert!(k.contains(&Known::ShrinkAlign), "{k:?}"),
        other => panic!("{other:?}"),
    }
}

/// Deliberate difference: `canon_lift` clears `may_leave` around
/// `post-return`; Wasmtime 48 does not.
#[test]
fn a_post_return_that_calls_out_traps() {
    let mut case = Case::new(
        vec![],
        Some(Ty::U32),
        opts(Utf8, false),
        Opts {
            post_return: true,
            ..opts(Utf8, false)
        },
        vec![],
        Some(Val::Int(1)),
    );
    case.fault = Some(ReallocFault {
        callee: true,
        mode: FAULT_POST_RETURN_CALLS_OUT,
        at: 0,
    });
    let r = run_one(&case);
    assert_eq!(r.fact, Outcome::Trapped("fact trap CannotLeave".into()));
    assert!(matches!(r.wasmtime, Outcome::Returned(_)));
    match judge(&case, &r) {
        Verdict::Known(k) => assert_eq!(k, [Known::PostReturnMayLeave]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_realloc_that_calls_out_traps_both_ways() {
    for callee in [true, false] {
        let mut case = Case::new(
            vec![Ty::String],
            Some(Ty::String),
            opts(Utf8, false),
            opts(Utf8, false),
            vec![Val::String("in".into(), false)],
            Some(Val::String("out".into(), false)),
        );
        case.fault = Some(ReallocFault {
            callee,
            mode: FAULT_CALL_OUT,
            at: 0,
        });
        let r = run_one(&case);
        assert!(matches!(r.fact, Outcome::Trapped(_)), "{:?}", r.fact);
        assert!(
            matches!(r.wasmtime, Outcome::Trapped(_)),
            "{:?}",
            r.wasmtime
        );
    }
}

/// Why the generator keeps fixed-length lists away from 64-bit memories:
/// Wasmtime 48 compiles an invalid adapter for them, `fact` does not.
#[test]
fn wasmtime_cannot_adapt_fixed_lists_in_64_bit_memories() {
    let case = Case::new(
        vec![],
        Some(Ty::FixedList(Box::new(Ty::U32), 2)),
        opts(Utf8, false),
        opts(Utf8, true),
        vec![],
        Some(Val::List(vec![Val::Int(1), Val::Int(2)])),
    );
    let r = run_one(&case);
    match &r.wasmtime {
        Outcome::Rejected(e) => assert!(e.contains("type mismatch"), "{e}"),
        other => panic!("Wasmtime adapts fixed lists in memory64 now: {other:?}"),
    }
    let caller = &returned(&r.fact)[0];
    // The caller's return area (`STATIC_BASE`) holds [1, 2].
    assert_eq!(caller.word(tag::MEM32, 0x1100), 1 | 2 << 32);
}

/// Wasmtime, like the spec (`store_list_into_range`,
/// `store_string_copy`), calls `realloc` for an empty list or string too.
#[test]
fn empty_lists_and_strings_are_allocated_both_ways() {
    let case = Case::new(
        vec![Ty::List(Box::new(Ty::U32)), Ty::String],
        None,
        opts(Utf8, false),
        opts(Utf8, false),
        vec![Val::List(vec![]), Val::String(String::new(), false)],
        None,
    );
    let r = run_one(&case);
    for o in [&r.fact, &r.wasmtime] {
        let calls: Vec<[u64; 3]> = reallocs(o, 1).iter().map(|r| [r[1], r[3], r[4]]).collect();
        // (old, align, new size)
        assert_eq!(calls, [[0, 4, 0], [0, 1, 0]], "{o:?}");
    }
    assert!(matches!(judge(&case, &r), Verdict::Returned));
}

/// `load_list_from_range` checks `ptr + 0 <= len(memory)` and the
/// alignment even for an empty list; so do both ways.
#[test]
fn an_empty_list_is_still_bounds_and_alignment_checked() {
    for (ptr, trap) in [
        (super::case::MEMORY_SIZE, false),
        (super::case::MEMORY_SIZE + 8, true),
        (0x1102, true),
    ] {
        let mut case = Case::new(
            vec![Ty::List(Box::new(Ty::U32))],
            None,
            opts(Utf8, false),
            opts(Utf8, false),
            vec![Val::List(vec![])],
            None,
        );
        case.arg_flat[0] = super::values::Flat::I32(ptr as u32);
        let r = run_one(&case);
        for o in [&r.fact, &r.wasmtime] {
            assert_eq!(matches!(o, Outcome::Trapped(_)), trap, "{ptr:#x}: {o:?}");
        }
    }
}

/// The bytes of the string the callee received as its first parameter
/// (32-bit memory; `unit` bytes per code unit after removing the UTF-16 tag).
fn received_string(o: &Outcome) -> Vec<u8> {
    let callee = &returned(o)[1];
    let (ptr, len) = (callee.word(tag::MEM32, 0x20), callee.word(tag::MEM32, 0x28));
    let bytes = if len & 1 << 31 != 0 {
        2 * (len ^ 1 << 31)
    } else {
        len
    };
    callee.bytes(tag::MEM32, ptr, bytes)
}

/// A string that needs a bigger buffer halfway through its transcoding,
/// passed to a callee whose `realloc` call `grow` returns a fresh block
/// without the old contents (`FAULT_FORGETS`): what the callee receives.
fn transcode_with_forgetful_realloc(
    from: StringEncoding,
    force_utf16: bool,
    to: StringEncoding,
    text: &str,
    grow: u32,
) -> CaseResult {
    let mut case = Case::new(
        vec![Ty::String],
        None,
        opts(from, false),
        opts(to, false),
        vec![Val::String(text.into(), force_utf16)],
        None,
    );
    case.fault = Some(ReallocFault {
        callee: true,
        mode: super::case::FAULT_FORGETS,
        at: grow,
    });
    run_one(&case)
}

// `store_string_to_utf8` and `store_string_to_latin1_or_utf16` of the spec
// do not write again what they wrote before growing the buffer: they rely on
// `realloc` having kept it (`memory[ptr+i : ...] = encoded[i:]`, and the
// in-place inflation of the Latin-1 prefix). Wasmtime does the same; `fact`
// transcodes the whole string again into the new buffer. Only a `realloc`
// that breaks its contract can tell: found by the seed-2 campaign (case
// 1098: a `realloc` that returned its block one byte further).

#[test]
fn utf16_to_utf8_keeps_what_realloc_kept() {
    let r = transcode_with_forgetful_realloc(CompactUtf16, true, Utf8, "a€", 1);
    // realloc(0, 0, 1, 2) -> 'a' written; realloc(p, 2, 1, 6) forgets it;
    // "€" written at +1; realloc(p', 6, 1, 4) keeps [0, e2, 82, ac].
    assert_eq!(received_string(&r.wasmtime), [0, 0xe2, 0x82, 0xac]);
    assert_eq!(received_string(&r.fact), [0, 0xe2, 0x82, 0xac]);
}

#[test]
fn latin1_to_utf8_keeps_what_realloc_kept() {
    let r = transcode_with_forgetful_realloc(CompactUtf16, false, Utf8, "aé", 1);
    assert_eq!(received_string(&r.wasmtime), [0, 0xc3, 0xa9]);
    assert_eq!(received_string(&r.fact), [0, 0xc3, 0xa9]);
}

#[test]
fn utf8_to_compact_keeps_what_realloc_kept() {
    let r = transcode_with_forgetful_realloc(Utf8, false, CompactUtf16, "é€", 1);
    assert_eq!(received_string(&r.wasmtime), [0, 0, 0xac, 0x20]);
    assert_eq!(received_string(&r.fact), [0, 0, 0xac, 0x20]);
}

#[test]
fn utf16_to_compact_keeps_what_realloc_kept() {
    let r = transcode_with_forgetful_realloc(StringEncoding::Utf16, false, CompactUtf16, "é€", 1);
    assert_eq!(received_string(&r.wasmtime), [0, 0, 0xac, 0x20]);
    assert_eq!(received_string(&r.fact), [0, 0, 0xac, 0x20]);
}

// Resource handles: `r` is the callee's, `s` the host's (`types::Res`).

fn no_memory() -> Opts {
    Opts {
        memory: None,
        realloc: false,
        ..opts(Utf8, false)
    }
}

/// `own` and `borrow` of both resources, flat and in memory, both ways.
fn handles_case(lower: Opts, lift: Opts) -> Case {
    let list_s = Ty::List(Box::new(Ty::Own(Res::S)));
    Case::new(
        vec![
            Ty::Own(Res::R),
            Ty::Borrow(Res::R),
            Ty::Own(Res::S),
            Ty::Borrow(Res::S),
            Ty::List(Box::new(Ty::Borrow(Res::S))),
            Ty::Option(Box::new(Ty::Own(Res::R))),
        ],
        Some(Ty::Tuple(vec![Ty::Own(Res::R), list_s])),
        lower,
        lift,
        vec![
            Val::Handle(0x10),
            Val::Handle(0x11),
            Val::Handle(0x12),
            Val::Handle(0x13),
            Val::List(vec![Val::Handle(0x14), Val::Handle(0x15)]),
            Val::Variant(1, Some(Box::new(Val::Handle(0x16)))),
        ],
        Some(Val::Record(vec![
            Val::Handle(0x20),
            Val::List(vec![Val::Handle(0x21), Val::Handle(0x22)]),
        ])),
    )
}

#[test]
fn handles_of_both_resources_cross_in_every_position() {
    for (lower, lift) in [
        (opts(Utf8, false), opts(Utf8, true)),
        (opts(Utf8, true), opts(Utf8, false)),
    ] {
        let case = handles_case(lower, lift);
        let r = run_one(&case);
        assert!(
            matches!(judge(&case, &r), Verdict::Returned),
            "{}",
            run::report(&case, &r)
        );
        let [caller, callee] = returned(&r.fact);
        // The callee's table: the handles it received, in the order of the
        // values (a `borrow<r>` arrives as its rep and takes no index).
        let callee_handles: Vec<(u64, u64)> = callee
            .words
            .iter()
            .filter(|((t, _), _)| *t == tag::HANDLE_CALLEE)
            .map(|((_, i), v)| (*i, *v))
            .collect();
        let (r_, s_) = (1u64 << 32, 2u64 << 32);
        assert_eq!(
            callee_handles,
            [
                (1, r_ | 0x10),
                (2, s_ | 0x12),
                (3, s_ | 0x13),
                (4, s_ | 0x14),
                (5, s_ | 0x15),
                (6, r_ | 0x16)
            ]
        );
        // The caller's table: the results took the indices its `own`
        // arguments freed (7, 3, then 1: last freed, first reused).
        let caller_handles: Vec<(u64, u64)> = caller
            .words
            .iter()
            .filter(|((t, _), _)| *t == tag::HANDLE_CALLER)
            .map(|((_, i), v)| (*i, *v))
            .collect();
        assert_eq!(
            caller_handles,
            [(1, s_ | 0x22), (3, s_ | 0x21), (7, r_ | 0x20)]
        );
    }
}

#[test]
fn the_decoding_catches_a_handle_that_names_another_resource() {
    let case = handles_case(opts(Utf8, false), opts(Utf8, false));
    let r = run_one(&case);
    let Outcome::Returned(log) = &r.fact else {
        panic!("{:?}", r.fact)
    };
    assert!(super::decode::check(&case, &compare::dumps(log)).is_ok());
    // The callee's handles 2 and 3 swapped: another argument arrived.
    let swapped: Vec<_> = log
        .iter()
        .map(|&(t, i, v)| match (t, i) {
            (tag::HANDLE_CALLEE, 2) => (t, 3, v),
            (tag::HANDLE_CALLEE, 3) => (t, 2, v),
            _ => (t, i, v),
        })
        .collect();
    let err = super::decode::check(&case, &compare::dumps(&swapped)).unwrap_err();
    assert!(err.contains("the callee received"), "{err}");
}

/// Every misuse of a handle traps both ways, and `fact` says why.
#[test]
fn misused_handles_trap_both_ways_with_their_codes() {
    let base = || {
        Case::new(
            vec![Ty::Borrow(Res::S), Ty::Own(Res::S), Ty::Own(Res::R)],
            Some(Ty::Own(Res::R)),
            no_memory(),
            no_memory(),
            vec![Val::Handle(1), Val::Handle(2), Val::Handle(3)],
            Some(Val::Handle(4)),
        )
    };
    let misuses = [
        (false, 1, HandleSrc::Index(0), "UnknownHandle"),
        (false, 2, HandleSrc::Index(1000), "UnknownHandle"),
        // Slot 1's handle has moved by the time slot 2 lifts it.
        (false, 2, HandleSrc::Slot(1), "UnknownHandle"),
        // Slot 0's handle (lent, and an `s`) where an `own<r>` goes: the
        // type is checked first (`lift_own`).
        (false, 2, HandleSrc::Slot(0), "WrongResourceType"),
        // Slot 0 lends the handle of slot 1, which then moves.
        (false, 0, HandleSrc::Slot(1), "HandleLent"),
        // Slot 1 moves slot 2's handle... of the wrong type.
        (false, 1, HandleSrc::Slot(2), "WrongResourceType"),
        (true, 0, HandleSrc::Index(0), "UnknownHandle"),
        (true, 0, HandleSrc::Index(0xffff_ffff), "UnknownHandle"),
    ];
    for (in_results, slot, src, trap) in misuses {
        let case = base().with_handle(in_results, slot, src);
        let r = run_one(&case);
        assert!(
            matches!(judge(&case, &r), Verdict::Trapped),
            "{}",
            run::report(&case, &r)
        );
        let Outcome::Trapped(ours) = &r.fact else {
            unreachable!()
        };
        assert!(
            ours.contains(trap),
            "{src:?} in slot {slot}: {ours}, not {trap}"
        );
    }
}

#[test]
fn an_own_handle_passed_twice_is_unknown_the_second_time() {
    let case = Case::new(
        vec![Ty::Own(Res::R), Ty::Own(Res::R)],
        None,
        no_memory(),
        no_memory(),
        vec![Val::Handle(1), Val::Handle(2)],
        None,
    )
    .with_handle(false, 1, HandleSrc::Slot(0));
    let r = run_one(&case);
    assert!(matches!(judge(&case, &r), Verdict::Trapped));
    assert!(
        matches!(&r.fact, Outcome::Trapped(m) if m.contains("UnknownHandle")),
        "{:?}",
        r.fact
    );
}

/// A case of `async func(s: string, l: list<u32>, a: u8, b: u8, c: u8) ->
/// string` (7 flat parameters: an `async` lower spills them), lowered and
/// lifted with `async` or not.
fn async_case(lower_async: bool, lift_async: bool) -> Case {
    let side = |async_| Opts {
        async_,
        ..opts(Utf8, false)
    };
    let mut case = Case::new(
        vec![
            Ty::String,
            Ty::List(Box::new(Ty::U32)),
            Ty::U8,
            Ty::U8,
            Ty::U8,
        ],
        Some(Ty::String),
        side(lower_async),
        Opts {
            encoding: StringEncoding::Utf16,
            ..side(lift_async)
        },
        vec![
            Val::String("héllo".into(), false),
            Val::List(vec![Val::Int(7), Val::Int(8)]),
            Val::Int(1),
            Val::Int(2),
            Val::Int(3),
        ],
        Some(Val::String("wörld".into(), false)),
    );
    case.async_fn = true;
    case
}

#[test]
fn async_calls_of_every_pair_of_sides_agree_with_wasmtime() {
    for (lower_async, lift_async) in [(true, true), (true, false), (false, true), (false, false)] {
        let case = async_case(lower_async, lift_async);
        let r = run::run_batch(&run::engine(), &[(0, case.clone())], false).remove(0);
        assert!(
            matches!(judge(&case, &r), Verdict::Returned),
            "lower async {lower_async}, lift async {lift_async}: {:?}",
            judge(&case, &r)
        );
    }
}

#[test]
fn the_comparison_catches_an_async_adapter_with_another_string_encoding() {
    let case = async_case(true, true);
    let sabotaged = run::run_batch_with(&run::engine(), &[(0, case.clone())], false, |case| {
        let lift = case.lift.fact(1).string_encoding(StringEncoding::Utf8);
        (case.lower.fact(0), lift)
    });
    assert!(matches!(judge(&case, &sabotaged[0]), Verdict::Mismatch(_)));
}

/// Where Wasmtime cannot run a case (`async` with a 64-bit memory), the
/// spec's decoding alone must still catch a wrong adapter.
#[test]
fn the_spec_alone_catches_an_async_adapter_with_another_string_encoding() {
    let mut case = async_case(true, true);
    case.lift.memory = Some(true);
    let case = Case::new(
        case.params,
        case.result,
        case.lower,
        case.lift,
        case.args,
        case.ret,
    );
    assert!(run::unreferenced(&case));
    let r = run::run_batch(&run::engine(), &[(0, case.clone())], true).remove(0);
    assert!(
        matches!(judge(&case, &r), Verdict::Alone(true)),
        "{:?}",
        judge(&case, &r)
    );
    let sabotaged = run::run_batch_with(&run::engine(), &[(0, case.clone())], true, |case| {
        let lift = case.lift.fact(1).string_encoding(StringEncoding::Utf8);
        (case.lower.fact(0), lift)
    });
    assert!(matches!(judge(&case, &sabotaged[0]), Verdict::Mismatch(_)));
}
