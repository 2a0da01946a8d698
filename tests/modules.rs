//! Real core modules on both sides: the example's customer (caller) and shop
//! (callee), written in WAT, linked through the adapters that
//! `fact_adapters!` embeds at build time.

use fact::wasmtime::{trap_of, AdapterLinker};
use fact::{Trap, OTHER_INSTANCE, WORLD_INSTANCE};
use wasmtime::{Config, Engine, Instance, Linker, Module, Store, TypedFunc};

mod adapters {
    fact::fact_adapters!("examples/hello/wit/hello.wit");
}

struct Shop {
    store: Store<()>,
    run: TypedFunc<(u32, u32), u32>,
    customer: Instance,
    shop: Instance,
}

fn shop() -> Shop {
    let mut config = Config::new();
    config.wasm_multi_memory(true);
    let engine = Engine::new(&config).unwrap();
    let mut store = Store::new(&engine, ());
    let shop = Module::new(&engine, include_str!("../examples/hello/src/shop.wat")).unwrap();
    let shop = Instance::new(&mut store, &shop, &[]).unwrap();
    let runtime = include_str!("../examples/hello/src/customer_runtime.wat");
    let runtime = Module::new(&engine, runtime).unwrap();
    let runtime = Instance::new(&mut store, &runtime, &[]).unwrap();
    let order = shop.get_func(&mut store, "order").unwrap();
    let mut linker = AdapterLinker::new();
    linker
        .instance_exports(&mut store, WORLD_INSTANCE, &shop)
        .instance_exports(&mut store, OTHER_INSTANCE, &runtime)
        .callee(&adapters::EXPORTS[0].name, order);
    let module = Module::new(&engine, adapters::WASM).unwrap();
    let linked = linker
        .instantiate(&mut store, &module, adapters::IMPORTS, adapters::EXPORTS)
        .unwrap();
    let mut customer = Linker::new(&engine);
    customer.instance(&mut store, "runtime", runtime).unwrap();
    customer
        .instance(&mut store, "adapters", linked.instance)
        .unwrap();
    let main = Module::new(&engine, include_str!("../examples/hello/src/customer.wat")).unwrap();
    let customer = customer.instantiate(&mut store, &main).unwrap();
    let run = customer.get_typed_func(&mut store, "run").unwrap();
    Shop {
        store,
        run,
        customer: runtime,
        shop,
    }
}

fn memory(store: &mut Store<()>, instance: &Instance) -> Vec<u8> {
    let mem = instance.get_memory(&mut *store, "memory").unwrap();
    mem.data(&*store).to_vec()
}

fn word(mem: &[u8], at: usize) -> usize {
    u32::from_le_bytes(mem[at..at + 4].try_into().unwrap()) as usize
}

#[test]
fn a_string_a_list_of_records_and_a_variant_cross_between_real_modules() {
    let mut s = shop();
    let reply = s.run.call(&mut s.store, (3, 5)).unwrap() as usize;

    // The shop received the items in its own memory.
    let shop_mem = memory(&mut s.store, &s.shop);
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
    let mem = memory(&mut s.store, &s.customer);
    assert_eq!(mem[reply], 0);
    let (ptr, len) = (word(&mem, reply + 4), word(&mem, reply + 8));
    assert_eq!(&mem[ptr..ptr + len], b"Ada");
    assert!(
        ptr >= 0x1000,
        "copied into a fresh allocation of the customer"
    );

    let reply = s.run.call(&mut s.store, (7, 9)).unwrap() as usize;
    let mem = memory(&mut s.store, &s.customer);
    assert_eq!((mem[reply], word(&mem, reply + 4)), (1, 16));
}

#[test]
fn invalid_data_in_the_callers_memory_traps_with_its_code() {
    let mut s = shop();
    // Corrupt the customer's "apple" into invalid UTF-8.
    let mem = s.customer.get_memory(&mut s.store, "memory").unwrap();
    mem.data_mut(&mut s.store)[0x110] = 0xff;
    let err = s.run.call(&mut s.store, (1, 1)).unwrap_err();
    assert_eq!(trap_of(&err), Some(Trap::InvalidUtf8));
}
