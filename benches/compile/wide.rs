//! Generation time of one very wide type: a variant of `n` cases and a
//! record of `n` fields, from 1,000 to 40,000, for `f: func(x: wide) ->
//! wide` adapted both ways (an imported and an exported interface). Time
//! must grow linearly with `n`: the last column is the time per case or
//! field, which stays flat when it does.

use crate::common::{median_time, selected};
use fact_core::wit_parser::Resolve;
use fact_core::WorldOptions;

/// The WIT of a world that imports and exports `f: func(x: wide) -> wide`,
/// `wide` being `body` (a `variant` or `record` definition).
fn world(body: &str) -> String {
    format!(
        "package bench:wide;\ninterface i {{\n{body}\nf: func(x: wide) -> wide;\n}}\n\
         world w {{ import i; export i; }}\n"
    )
}

/// A shape's WIT definition of `wide` with `n` cases or fields.
type Body = fn(usize) -> String;

/// Prints the table; `filters` select `variant` or `record`.
pub fn run(filters: &[String], samples: usize) {
    let shapes: [(&str, Body); 2] = [
        ("variant", |n| {
            let cases: String = (0..n).map(|i| format!("c{i}(u32), ")).collect();
            format!("variant wide {{ {cases} }}")
        }),
        ("record", |n| {
            let fields: String = (0..n).map(|i| format!("x{i}: u8, ")).collect();
            format!("record wide {{ {fields} }}")
        }),
    ];
    for (shape, body) in shapes {
        if !selected(filters, &format!("wide {shape}")) {
            continue;
        }
        println!("## one {shape} of n cases or fields, adapted both ways");
        println!("| n | generate ms | ns per case or field | module bytes |");
        println!("|---:|---:|---:|---:|");
        for n in [1_000, 4_000, 10_000, 40_000] {
            let mut resolve = Resolve::default();
            let pkg = resolve.push_str("wide.wit", &world(&body(n))).expect("WIT");
            let w = resolve.select_world(&[pkg], None).expect("world");
            let options = WorldOptions::default();
            let adapters = fact_core::adapt_world(&resolve, w, &options).expect("adapts");
            adapters.validate().expect("valid");
            let time = median_time(samples, || {
                fact_core::adapt_world(&resolve, w, &options).expect("adapts")
            });
            println!(
                "| {n} | {:.2} | {:.0} | {} |",
                time.as_secs_f64() * 1e3,
                time.as_secs_f64() * 1e9 / n as f64,
                adapters.wasm.len()
            );
        }
        println!();
    }
}
