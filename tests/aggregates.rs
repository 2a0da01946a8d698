//! Records, tuples, variants, enums, options, results and flags.

use crate::harness::*;
use fact_core::Trap;

fn records_and_tuples_flatten_field_by_field(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "record r { a: u8, b: tuple<u64, f32> }\nf: func(x: r, y: tuple<bool, s16>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    fx.call(&[
        i32(0x101),
        i64(9),
        Flat::F32(1.5f32.to_bits()),
        i32(5),
        i32(0xffff),
    ])
    .unwrap();
    let Event::Call { args, .. } = &fx.events()[0] else {
        panic!()
    };
    assert_eq!(
        args,
        &vec![
            i32(1),
            i64(9),
            Flat::F32(1.5f32.to_bits()),
            i32(1),
            i32(u32::MAX)
        ]
    );
}

fn variant_payloads_are_coerced_through_joined_slots(engine: Engine) {
    // Flat: [disc, join(f32, u64, ptr) = i64, join(len) = i32].
    let mut fx = Fixture::new(
        engine,
        "variant v { a(f32), b(u64), c(string), d }\nf: func(x: v) -> v;",
        caller(),
        callee(),
        |_, args| {
            // Echo the argument back through the return area.
            let _ = args;
            vec![i32(0x10)]
        },
    );
    let bits = 2.5f32.to_bits();
    fx.call(&[
        i32(0),
        i64(u64::from(bits) | 0xffff_ffff_0000_0000),
        i32(77),
        i32(0x40),
    ])
    .unwrap();
    let Event::Call { args, .. } = &fx.events()[0] else {
        panic!()
    };
    // f32 case: upper bits dropped, unused slot zeroed.
    assert_eq!(args, &vec![i32(0), i64(u64::from(bits)), i32(0)]);

    fx.call(&[i32(1), i64(u64::MAX), i32(5), i32(0x40)])
        .unwrap();
    let Event::Call { args, .. } = &fx.events()[0] else {
        panic!()
    };
    assert_eq!(args, &vec![i32(1), i64(u64::MAX), i32(0)]);

    fx.call(&[i32(3), i64(1), i32(1), i32(0x40)]).unwrap();
    let Event::Call { args, .. } = &fx.events()[0] else {
        panic!()
    };
    assert_eq!(args, &vec![i32(3), i64(0), i32(0)]);

    assert_eq!(
        fx.trap(&[i32(4), i64(0), i32(0), i32(0x40)]),
        Trap::InvalidDiscriminant
    );
}

fn variant_results_in_memory(engine: Engine) {
    // option<u32> flattens to two values, so it comes back through memory.
    let mut fx = Fixture::new(
        engine,
        "f: func() -> result<string, u16>;",
        caller(),
        callee(),
        |c, _| {
            callee_write(c, 0x10, &[1, 0, 0, 0, 0x34, 0x12, 0, 0, 0, 0, 0, 0]);
            vec![i32(0x10)]
        },
    );
    fx.write(CALLER, 0x40, &[0xcc; 12]);
    fx.call(&[i32(0x40)]).unwrap();
    // Discriminant and payload written; padding and the unused slot untouched.
    assert_eq!(
        fx.read(CALLER, 0x40, 12),
        [1, 0xcc, 0xcc, 0xcc, 0x34, 0x12, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc, 0xcc]
    );

    let mut fx = Fixture::new(
        engine,
        "f: func() -> option<u32>;",
        caller(),
        callee(),
        |c, _| {
            callee_write(c, 0x10, &[2, 0, 0, 0, 1, 0, 0, 0]);
            vec![i32(0x10)]
        },
    );
    assert_eq!(fx.trap(&[i32(0x40)]), Trap::InvalidDiscriminant);
}

fn enums_check_their_range(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "enum e { a, b, c }\nf: func(x: e) -> e;",
        caller(),
        callee(),
        |_, a| vec![a[0]],
    );
    assert_eq!(fx.call(&[i32(2)]).unwrap(), vec![i32(2)]);
    assert_eq!(fx.trap(&[i32(3)]), Trap::InvalidDiscriminant);
    let mut fx = Fixture::new(
        engine,
        "enum e { a, b, c }\nf: func() -> e;",
        caller(),
        callee(),
        |_, _| vec![i32(9)],
    );
    assert_eq!(fx.trap(&[]), Trap::InvalidDiscriminant);
}

fn large_enums_use_wider_discriminants_in_memory(engine: Engine) {
    let cases: Vec<String> = (0..300).map(|i| format!("c{i}")).collect();
    let decls = format!("enum e {{ {} }}\nf: func(x: list<e>);", cases.join(", "));
    let mut fx = Fixture::new(engine, &decls, caller(), callee(), |_, _| vec![]);
    fx.write(CALLER, 0x100, &[0x2b, 0x01, 0x00, 0x00]);
    fx.call(&[i32(0x100), i32(2)]).unwrap();
    assert_eq!(fx.read(CALLEE, HEAP, 4), [0x2b, 0x01, 0, 0]);
    fx.write(CALLER, 0x100, &[0x2c, 0x01]);
    assert_eq!(fx.trap(&[i32(0x100), i32(1)]), Trap::InvalidDiscriminant);
}

fn flags_drop_undeclared_bits(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "flags small { a, b, c }\nflags big { b0, b1, b2, b3, b4, b5, b6, b7, b8 }\n\
         f: func(x: small, y: list<big>) -> small;",
        caller(),
        callee(),
        |_, _| vec![i32(0xff)],
    );
    fx.write(CALLER, 0x100, &[0xff, 0xff]);
    assert_eq!(
        fx.call(&[i32(0xffff_ffff), i32(0x100), i32(1)]).unwrap(),
        vec![i32(7)]
    );
    let Event::Call { args, .. } = &fx.events()[1] else {
        panic!()
    };
    assert_eq!(args[0], i32(7));
    assert_eq!(fx.read(CALLEE, HEAP, 2), [0xff, 0x01]);
}

fn options_of_records_in_lists(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "record p { x: u32, s: string }\nf: func(l: list<option<p>>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    // option<p>: disc at 0, payload at 4 (x), 8 (s.ptr), 12 (s.len); size 16.
    fx.write(
        CALLER,
        0x100,
        &words(&[1, 42, 0x200, 2, 0, 0xdead, 0xdead, 0xdead]),
    );
    fx.write(CALLER, 0x200, b"hi");
    fx.call(&[i32(0x100), i32(2)]).unwrap();
    let base = HEAP as u32;
    let got = fx.read(CALLEE, HEAP, 20);
    assert_eq!(got[..16], words(&[1, 42, base + 32, 2]));
    assert_eq!(got[16], 0);
    assert_eq!(fx.read(CALLEE, HEAP + 32, 2), b"hi");
}

crate::on_every_engine!(
    records_and_tuples_flatten_field_by_field,
    variant_payloads_are_coerced_through_joined_slots,
    variant_results_in_memory,
    enums_check_their_range,
    large_enums_use_wider_discriminants_in_memory,
    flags_drop_undeclared_bits,
    options_of_records_in_lists,
);
