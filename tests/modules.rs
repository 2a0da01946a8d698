//! Real core modules on both sides: the example's customer (caller) and shop
//! (callee), written in WAT, linked through the adapters that
//! `fact_adapters!` embeds at build time, by the example's own code for
//! each engine.

use crate::harness::Engine;
use fact::Trap;

#[path = "../examples/hello/src/on_wasmi.rs"]
mod on_wasmi;
#[path = "../examples/hello/src/on_wasmtime.rs"]
mod on_wasmtime;
#[path = "../examples/hello/src/session.rs"]
mod session;

use session::{Modules, Session, Who};

mod adapters {
    fact::fact_adapters!("examples/hello/wit/hello.wit");
}

/// The example's modules, linked in `engine`.
fn shop(engine: Engine) -> Box<dyn Session> {
    let wasm = |text: &str| wat::parse_str(text).unwrap();
    let shop = wasm(include_str!("../examples/hello/src/shop.wat"));
    let runtime = wasm(include_str!("../examples/hello/src/customer_runtime.wat"));
    let customer = wasm(include_str!("../examples/hello/src/customer.wat"));
    let modules = Modules {
        adapters: adapters::WASM,
        imports: adapters::IMPORTS,
        exports: adapters::EXPORTS,
        order: adapters::names::EXPORT_DEMO_HELLO_SHOP_ORDER,
        shop: &shop,
        customer_runtime: &runtime,
        customer: &customer,
    };
    match engine {
        Engine::Wasmtime => Box::new(on_wasmtime::link(modules).unwrap()),
        Engine::Wasmi => Box::new(on_wasmi::link(modules).unwrap()),
    }
}

fn word(mem: &[u8], at: usize) -> usize {
    u32::from_le_bytes(mem[at..at + 4].try_into().unwrap()) as usize
}

fn a_string_a_list_of_records_and_a_variant_cross_between_real_modules(engine: Engine) {
    let mut s = shop(engine);
    let reply = s.order(3, 5).unwrap() as usize;

    // The shop received the items in its own memory.
    let shop_mem = s.memory(Who::Shop);
    let (items, count) = (word(&shop_mem, 0), word(&shop_mem, 4));
    assert_eq!(count, 2);
    let names: Vec<(String, usize)> = (0..count)
        .map(|i| {
            let at = items + 12 * i;
            let (ptr, len) = (word(&shop_mem, at), word(&shop_mem, at + 4));
            let name = String::from_utf8(shop_mem[ptr..ptr + len].to_vec()).unwrap();
            (name, word(&shop_mem, at + 8))
        })
        .collect();
    assert_eq!(names, [("apple".to_string(), 3), ("pear".to_string(), 5)]);

    // The reply `accepted("Ada")` came back into the customer's memory.
    let mem = s.memory(Who::Customer);
    assert_eq!(mem[reply], 0);
    let (ptr, len) = (word(&mem, reply + 4), word(&mem, reply + 8));
    assert_eq!(&mem[ptr..ptr + len], b"Ada");
    assert!(
        ptr >= 0x1000,
        "copied into a fresh allocation of the customer"
    );

    let reply = s.order(7, 9).unwrap() as usize;
    let mem = s.memory(Who::Customer);
    assert_eq!((mem[reply], word(&mem, reply + 4)), (1, 16));
}

fn invalid_data_in_the_callers_memory_traps_with_its_code(engine: Engine) {
    let mut s = shop(engine);
    // Corrupt the customer's "apple" into invalid UTF-8.
    s.poke(Who::Customer, 0x110, 0xff);
    let err = s.order(1, 1).unwrap_err();
    assert_eq!(err.trap, Some(Trap::InvalidUtf8), "{}", err.message);
}

crate::on_every_engine!(
    a_string_a_list_of_records_and_a_variant_cross_between_real_modules,
    invalid_data_in_the_callers_memory_traps_with_its_code,
);
