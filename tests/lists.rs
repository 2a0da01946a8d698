//! Lists, maps and fixed-length lists: bounds, alignment, the length limit,
//! one `memory.copy` for plain elements and a loop for the rest.

use crate::harness::*;
use fact_core::{MemoryType, Trap};

fn list_of_u32_is_copied_whole(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(l: list<u32>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    let data = words(&[1, 2, 3, 0xdead_beef]);
    fx.write(CALLER, 0x100, &data);
    fx.call(&[i32(0x100), i32(4)]).unwrap();
    assert_eq!(fx.read(CALLEE, HEAP, 16), data);
    assert_eq!(
        fx.events(),
        vec![
            Event::allocation(CALLEE, 4, 16, HEAP),
            Event::Call {
                args: vec![i32(HEAP as u32), i32(4)],
                flags: [3, 1]
            },
        ]
    );
    let wat = wasmprinter::print_bytes(&fx.adapters.wasm).unwrap();
    assert!(wat.contains("memory.copy"), "{wat}");
    assert!(!wat.contains("loop"), "a plain list needs no loop:\n{wat}");
}

fn list_pointer_checks(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(l: list<u32>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    assert_eq!(fx.trap(&[i32(0x102), i32(1)]), Trap::Misaligned);
    assert_eq!(fx.trap(&[i32(64 * 65536 - 4), i32(2)]), Trap::OutOfBounds);
    fx.call(&[i32(64 * 65536 - 8), i32(2)]).unwrap();
    // 2^26 u32s are 2^28 bytes: one byte over MAX_LIST_BYTE_LENGTH.
    assert_eq!(fx.trap(&[i32(0), i32(1 << 26)]), Trap::ListTooLong);
    assert_eq!(fx.trap(&[i32(0), i32((1 << 26) - 1)]), Trap::OutOfBounds);
    assert_eq!(fx.trap(&[i32(0), i32(u32::MAX)]), Trap::ListTooLong);
}

fn padded_records_are_copied_field_by_field_without_their_padding(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "record r { a: u8, b: u32 }\nf: func(l: list<r>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    fx.write(
        CALLER,
        0x100,
        &[
            1, 0xaa, 0xaa, 0xaa, 2, 0, 0, 0, 3, 0xaa, 0xaa, 0xaa, 4, 0, 0, 0,
        ],
    );
    fx.call(&[i32(0x100), i32(2)]).unwrap();
    assert_eq!(
        fx.read(CALLEE, HEAP, 16),
        [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]
    );
}

fn nested_lists_allocate_inner_lists_in_order(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(l: list<list<u8>>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    fx.write(CALLER, 0x100, &words(&[0x200, 2, 0x300, 3]));
    fx.write(CALLER, 0x200, b"ab");
    fx.write(CALLER, 0x300, b"cde");
    fx.call(&[i32(0x100), i32(2)]).unwrap();
    let events = fx.events();
    let sizes: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Realloc {
                align, new_size, ..
            } => Some((*align, *new_size)),
            _ => None,
        })
        .collect();
    assert_eq!(sizes, [(4, 16), (1, 2), (1, 3)]);
    let outer = HEAP;
    let entries = fx.read(CALLEE, outer, 16);
    assert_eq!(entries, words(&[HEAP as u32 + 16, 2, HEAP as u32 + 18, 3]));
    assert_eq!(fx.read(CALLEE, HEAP + 16, 5), b"abcde");
}

fn maps_are_lists_of_key_value_records(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(m: map<string, u32>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    fx.write(CALLER, 0x100, &words(&[0x200, 1, 7, 0x201, 1, 9]));
    fx.write(CALLER, 0x200, b"xy");
    fx.call(&[i32(0x100), i32(2)]).unwrap();
    let base = HEAP as u32;
    assert_eq!(
        fx.read(CALLEE, HEAP, 24),
        words(&[base + 24, 1, 7, base + 25, 1, 9])
    );
    assert_eq!(fx.read(CALLEE, HEAP + 24, 2), b"xy");
}

fn fixed_length_lists_flatten_and_copy(engine: Engine) {
    let mut fx = Fixture::new(
        engine,
        "f: func(a: list<u16, 3>, b: list<list<u8, 2>>);",
        caller(),
        callee(),
        |_, _| vec![],
    );
    fx.write(CALLER, 0x100, &[1, 2, 3, 4]);
    fx.call(&[i32(0x1_0005), i32(6), i32(7), i32(0x100), i32(2)])
        .unwrap();
    let Event::Call { args, .. } = &fx.events()[1] else {
        panic!()
    };
    assert_eq!(
        args,
        &vec![i32(5), i32(6), i32(7), i32(HEAP as u32), i32(2)]
    );
    assert_eq!(fx.read(CALLEE, HEAP, 4), [1, 2, 3, 4]);
}

fn lists_between_64_and_32_bit_memories(engine: Engine) {
    let lower = caller().memory(Some(MemoryType::Memory64));
    let mut fx = Fixture::new(
        engine,
        "f: func(l: list<string>);",
        lower,
        callee(),
        |_, _| vec![],
    );
    let mut entry = 0x200u64.to_le_bytes().to_vec();
    entry.extend_from_slice(&3u64.to_le_bytes());
    fx.write(CALLER, 0x100, &entry);
    fx.write(CALLER, 0x200, b"abc");
    fx.call(&[i64(0x100), i64(1)]).unwrap();
    assert_eq!(fx.read(CALLEE, HEAP, 8), words(&[HEAP as u32 + 8, 3]));
    assert_eq!(fx.read(CALLEE, HEAP + 8, 3), b"abc");
    assert_eq!(fx.trap(&[i64(0x104), i64(1)]), Trap::Misaligned);
}

crate::on_every_engine!(
    list_of_u32_is_copied_whole,
    list_pointer_checks,
    padded_records_are_copied_field_by_field_without_their_padding,
    nested_lists_allocate_inner_lists_in_order,
    maps_are_lists_of_key_value_records,
    fixed_length_lists_flatten_and_copy,
    lists_between_64_and_32_bit_memories,
);
