//! Turns the core modules of the two components (`src/*.wat`) into binary
//! wasm at build time: the host binary embeds bytes and carries no text
//! parser, as it carries no adapter compiler.

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("Cargo sets OUT_DIR"));
    for name in ["shop", "customer_runtime", "customer"] {
        let source = format!("src/{name}.wat");
        println!("cargo::rerun-if-changed={source}");
        let wasm = wat::parse_file(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
        std::fs::write(out.join(format!("{name}.wasm")), wasm).expect("write to OUT_DIR");
    }
}
