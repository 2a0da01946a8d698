//! A host that embeds fused adapters compiled at build time and runs a real
//! component-to-component call through them.
//!
//! `fact_adapters!` compiles an adapter for every function of `wit/hello.wit`
//! while this crate builds; the binary only contains its bytes and import
//! table. At run time the host instantiates the two components' core modules
//! (the shop, which lifts `order`, and a customer, which lowers it), links the
//! adapter module between them from the import table, and lets the customer
//! call the shop: a string, a list of records and a variant cross between the
//! two linear memories.

use fact::wasmtime::wasmtime::error::Context;
use fact::wasmtime::wasmtime::{
    format_err, Config, Engine, Instance, Linker, Memory, Module, Result, Store,
};
use fact::wasmtime::{trap_of, AdapterLinker};
use fact::{ImportKind, OTHER_INSTANCE, WORLD_INSTANCE};

mod adapters {
    fact::fact_adapters!("wit/hello.wit");
}

fn main() -> Result<()> {
    let mut config = Config::new();
    config.wasm_multi_memory(true);
    let engine = Engine::new(&config)?;
    let mut store = Store::new(&engine, ());

    println!(
        "adapter module: {} bytes, {} imports, exports:",
        adapters::WASM.len(),
        adapters::IMPORTS.len()
    );
    for export in adapters::EXPORTS {
        println!(
            "  {} (lowered by instance {}, lifted by instance {})",
            export.name, export.lower_instance, export.lift_instance
        );
    }
    for import in adapters::IMPORTS {
        if let ImportKind::Transcode { op, .. } = import.kind {
            println!(
                "  host intrinsic {}::{} ({op:?})",
                import.module, import.name
            );
        }
    }

    // The world's component (the shop) is the callee of its exports.
    let shop = Module::new(&engine, include_str!("shop.wat"))?;
    let shop = Instance::new(&mut store, &shop, &[])?;
    // The customer: its memory and allocator, then its main module.
    let runtime = Module::new(&engine, include_str!("customer_runtime.wat"))?;
    let runtime = Instance::new(&mut store, &runtime, &[])?;

    let order = &adapters::EXPORTS[0];
    let mut linker = AdapterLinker::new();
    linker
        .instance_exports(&mut store, WORLD_INSTANCE, &shop)
        .instance_exports(&mut store, OTHER_INSTANCE, &runtime)
        .callee(
            &order.name,
            shop.get_func(&mut store, "order")
                .context("shop exports `order`")?,
        );
    let module = Module::new(&engine, adapters::WASM)?;
    let linked = linker.instantiate(&mut store, &module, adapters::IMPORTS, adapters::EXPORTS)?;

    let mut customer = Linker::new(&engine);
    customer.instance(&mut store, "runtime", runtime)?;
    customer.instance(&mut store, "adapters", linked.instance)?;
    let customer_module = Module::new(&engine, include_str!("customer.wat"))?;
    let customer = customer.instantiate(&mut store, &customer_module)?;
    let run = customer.get_typed_func::<(u32, u32), u32>(&mut store, "run")?;

    let customer_memory = memory(&mut store, &runtime)?;
    let shop_memory = memory(&mut store, &shop)?;
    for (apples, pears) in [(3, 5), (7, 9)] {
        println!("\ncustomer \"Ada\" orders {apples} apples and {pears} pears");
        let reply = match run.call(&mut store, (apples, pears)) {
            Ok(reply) => reply,
            Err(err) => return Err(format_err!("the call trapped: {:?} {err}", trap_of(&err))),
        };
        // What the adapter put in the shop's memory.
        let shop_mem = shop_memory.data(&store);
        let (items, count) = (word(shop_mem, 0), word(shop_mem, 4));
        print!("  the shop received {count} items at {items:#x}:");
        for i in 0..count {
            let at = (items + 12 * i) as usize;
            let name = string(shop_mem, word(shop_mem, at), word(shop_mem, at + 4));
            print!(" {} x {name},", word(shop_mem, at + 8));
        }
        println!();
        // What came back into the customer's memory.
        let mem = customer_memory.data(&store);
        let reply = reply as usize;
        match mem[reply] {
            0 => {
                let name = string(mem, word(mem, reply + 4), word(mem, reply + 8));
                println!(
                    "  reply: accepted({name:?}), copied back to {:#x}",
                    word(mem, reply + 4)
                );
            }
            1 => println!("  reply: rejected({})", word(mem, reply + 4)),
            other => println!("  reply: invalid discriminant {other}"),
        }
    }
    Ok(())
}

fn memory(store: &mut Store<()>, instance: &Instance) -> Result<Memory> {
    instance
        .get_memory(&mut *store, "memory")
        .context("instance exports `memory`")
}

fn word(mem: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(mem[at..at + 4].try_into().expect("4 bytes"))
}

fn string(mem: &[u8], ptr: u32, len: u32) -> String {
    String::from_utf8_lossy(&mem[ptr as usize..(ptr + len) as usize]).into_owned()
}
