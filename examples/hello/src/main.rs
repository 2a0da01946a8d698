//! A host that embeds fused adapters compiled at build time and runs a real
//! component-to-component call through them, on Wasmtime or on the wasmi
//! interpreter:
//!
//! ```text
//! cargo run -p hello                    # Wasmtime
//! cargo run -p hello -- --engine wasmi  # wasmi
//! ```
//!
//! `fact_adapters!` compiles an adapter for every function of `wit/hello.wit`
//! while this crate builds; the binary only contains its bytes and import
//! table (and the core modules of the two components, turned into binary
//! wasm by `build.rs`). At run time the host instantiates the two
//! components' core modules (the shop, which lifts `order`, and a customer,
//! which lowers it), links the adapter module between them from the import
//! table, and lets the customer call the shop: a string, a list of records
//! and a variant cross between the two linear memories.

mod on_wasmi;
mod on_wasmtime;
mod session;

use fact::ImportKind;
use session::{Modules, Session, Who};
use std::process::ExitCode;

mod adapters {
    fact::fact_adapters!("wit/hello.wit");
}

/// Every module of the example.
const MODULES: Modules<'static> = Modules {
    adapters: adapters::WASM,
    imports: adapters::IMPORTS,
    exports: adapters::EXPORTS,
    order: adapters::names::EXPORT_DEMO_HELLO_SHOP_ORDER,
    shop: include_bytes!(concat!(env!("OUT_DIR"), "/shop.wasm")),
    customer_runtime: include_bytes!(concat!(env!("OUT_DIR"), "/customer_runtime.wasm")),
    customer: include_bytes!(concat!(env!("OUT_DIR"), "/customer.wasm")),
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [] | ["--engine", "wasmtime"] => "wasmtime",
        ["--engine", "wasmi"] => "wasmi",
        _ => {
            eprintln!("usage: hello [--engine wasmtime|wasmi]");
            return ExitCode::FAILURE;
        }
    };
    describe_adapters();
    let session: Result<Box<dyn Session>, String> = match engine {
        "wasmi" => on_wasmi::link(MODULES)
            .map(|s| Box::new(s) as Box<dyn Session>)
            .map_err(|e| e.to_string()),
        _ => on_wasmtime::link(MODULES)
            .map(|s| Box::new(s) as Box<dyn Session>)
            .map_err(|e| format!("{e:?}")),
    };
    let mut session = match session {
        Ok(session) => session,
        Err(err) => {
            eprintln!("cannot link the example on {engine}: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("\nrunning on {engine}");
    for (apples, pears) in [(3, 5), (7, 9)] {
        if let Err(err) = order(&mut *session, apples, pears) {
            eprintln!("the call trapped: {:?} {}", err.trap, err.message);
            return ExitCode::FAILURE;
        }
    }
    // Invalid input traps, with a code that says why: the customer's
    // "apple" (at 0x110 of its memory) is no longer UTF-8.
    session.poke(Who::Customer, 0x110, 0xff);
    println!(
        "
the customer's \"apple\" is made invalid UTF-8"
    );
    match session.order(1, 1) {
        Err(err) if err.trap.is_some() => {
            let trap = err.trap.expect("a trap");
            println!("  the adapter trapped: {trap} ({trap:?})");
        }
        other => {
            eprintln!("expected the adapter to trap, got {other:?}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

/// What `fact_adapters!` embedded.
fn describe_adapters() {
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
        println!("    caller imports it as (func {})", export.lowered);
        println!("    it calls the callee as (func {})", export.lifted);
    }
    for import in adapters::IMPORTS {
        if let ImportKind::Transcode { op, .. } = import.kind {
            println!(
                "  host intrinsic {}::{} ({op:?})",
                import.module, import.name
            );
        }
    }
}

/// The customer orders; prints what each side received.
fn order(session: &mut dyn Session, apples: u32, pears: u32) -> Result<(), session::Failure> {
    println!("\ncustomer \"Ada\" orders {apples} apples and {pears} pears");
    let reply = session.order(apples, pears)?;
    // What the adapter put in the shop's memory.
    let shop_mem = session.memory(Who::Shop);
    let (items, count) = (word(&shop_mem, 0), word(&shop_mem, 4));
    print!("  the shop received {count} items at {items:#x}:");
    for i in 0..count {
        let at = (items + 12 * i) as usize;
        let name = string(&shop_mem, word(&shop_mem, at), word(&shop_mem, at + 4));
        print!(" {} x {name},", word(&shop_mem, at + 8));
    }
    println!();
    // What came back into the customer's memory.
    let mem = session.memory(Who::Customer);
    let reply = reply as usize;
    match mem[reply] {
        0 => {
            let name = string(&mem, word(&mem, reply + 4), word(&mem, reply + 8));
            println!(
                "  reply: accepted({name:?}), copied back to {:#x}",
                word(&mem, reply + 4)
            );
        }
        1 => println!("  reply: rejected({})", word(&mem, reply + 4)),
        other => println!("  reply: invalid discriminant {other}"),
    }
    Ok(())
}

fn word(mem: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(mem[at..at + 4].try_into().expect("4 bytes"))
}

fn string(mem: &[u8], ptr: u32, len: u32) -> String {
    String::from_utf8_lossy(&mem[ptr as usize..(ptr + len) as usize]).into_owned()
}
