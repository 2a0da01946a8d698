//! Scalars: narrowing, `bool` and `char` rules, floats bit for bit.

use crate::harness::*;
use fact_core::Trap;

fn small_integers_are_narrowed_to_their_width(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(a: u8, b: s8, c: u16, d: s16, e: bool, g: u32) -> u32;",
        caller(),
        callee(),
        |_, _| vec![i32(7)],
    );
    let out = fx
        .call(&[
            i32(0x1ff),
            i32(0x180),
            i32(0x1_ffff),
            i32(0x1_8000),
            i32(2),
            i32(u32::MAX),
        ])
        .unwrap();
    assert_eq!(out, vec![i32(7)]);
    let events = fx.events();
    assert_eq!(
        events[0],
        Event::Call {
            args: vec![
                i32(0xff),
                i32(0xffff_ff80),
                i32(0xffff),
                i32(0xffff_8000),
                i32(1),
                i32(u32::MAX)
            ],
            flags: [3, 1]
        }
    );
}

fn results_are_narrowed_too(engine: Engine) {
    let mut fx = Fixture::new(engine, "f: func() -> s8;", caller(), callee(), |_, _| {
        vec![i32(0x17f)]
    });
    assert_eq!(fx.call(&[]).unwrap(), vec![i32(0x7f)]);
    let mut fx = Fixture::new(engine, "f: func() -> bool;", caller(), callee(), |_, _| {
        vec![i32(0x100)]
    });
    assert_eq!(fx.call(&[]).unwrap(), vec![i32(1)]);
}

fn wide_integers_and_floats_pass_bit_for_bit(engine: Engine) {
    let nan32 = 0x7fa0_0001;
    let nan64 = 0x7ff4_0000_0000_0001;
    let mut fx = Fixture::new(
        engine,
        "f: func(a: u64, b: s64, c: f32, d: f64) -> f64;",
        caller(),
        callee(),
        move |_, _| vec![Flat::F64(nan64)],
    );
    let out = fx
        .call(&[
            i64(u64::MAX),
            i64(1 << 63),
            Flat::F32(nan32),
            Flat::F64(nan64),
        ])
        .unwrap();
    assert_eq!(out, vec![Flat::F64(nan64)]);
    let Event::Call { args, .. } = &fx.events()[0] else {
        panic!()
    };
    assert_eq!(
        args,
        &vec![
            i64(u64::MAX),
            i64(1 << 63),
            Flat::F32(nan32),
            Flat::F64(nan64)
        ]
    );
}

fn chars_must_be_unicode_scalar_values(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(c: char);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    for ok in [0, 0x41, 0xd7ff, 0xe000, 0x10_ffff] {
        fx.call(&[i32(ok)])
            .unwrap_or_else(|e| panic!("{ok:#x}: {e}"));
    }
    for bad in [0xd800, 0xdbff, 0xdc00, 0xdfff, 0x11_0000, u32::MAX] {
        assert_eq!(fx.trap(&[i32(bad)]), Trap::InvalidChar, "{bad:#x}");
    }
}

fn chars_are_checked_in_results_and_memory(engine: Engine) {
    let mut fx = Fixture::new(engine, "f: func() -> char;", caller(), callee(), |_, _| {
        vec![i32(0xd800)]
    });
    assert_eq!(fx.trap(&[]), Trap::InvalidChar);

    let mut fx = Fixture::new(
        engine,
        "f: func(c: list<char>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    let mut bytes = Vec::new();
    for c in [0x61u32, 0x1f600, 0xdfff] {
        bytes.extend_from_slice(&c.to_le_bytes());
    }
    fx.write(CALLER, 0x100, &bytes);
    fx.call(&[i32(0x100), i32(2)]).unwrap();
    assert_eq!(fx.read(CALLEE, HEAP, 8), bytes[..8]);
    assert_eq!(fx.trap(&[i32(0x100), i32(3)]), Trap::InvalidChar);
}

crate::on_every_engine!(
    small_integers_are_narrowed_to_their_width,
    results_are_narrowed_too,
    wide_integers_and_floats_pass_bit_for_bit,
    chars_must_be_unicode_scalar_values,
    chars_are_checked_in_results_and_memory,
);
