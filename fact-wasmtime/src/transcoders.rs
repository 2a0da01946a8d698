//! The `transcode` imports through Wasmtime: one hand-written module per
//! intrinsic, with its core type for the memories' address types, called as
//! an adapter calls it.

use wasmtime::{
    Config, Engine, Func, Memory, MemoryType, Module, Store, TypedFunc, WasmParams, WasmResults,
};

use super::*;
use fact_host::{Import, ImportKind, Transcode, Trap, NOT_LATIN1};

/// A store with two memories (instance 0, read, and instance 1, written, or
/// one memory for both) and an adapter module that imports them and one
/// transcoder, which it exports as `run`.
struct Glue {
    store: Store<()>,
    src: Memory,
    dst: Memory,
    run: Func,
}

fn memory_name(memory64: bool) -> &'static str {
    if memory64 {
        "memory64"
    } else {
        "memory"
    }
}

impl Glue {
    /// `wat` imports `instance-0`'s memory, `instance-1`'s memory and the
    /// transcoder `op` from instance 0 to instance 1, in this order.
    fn new(op: Transcode, (src64, dst64): (bool, bool), shared: bool, wat: &str) -> Glue {
        let mut config = Config::new();
        config.wasm_memory64(true);
        let engine = Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, ());
        let ty = |memory64| {
            if memory64 {
                MemoryType::new64(1, None)
            } else {
                MemoryType::new(1, None)
            }
        };
        let src = Memory::new(&mut store, ty(src64)).unwrap();
        let dst = if shared {
            src
        } else {
            Memory::new(&mut store, ty(dst64)).unwrap()
        };
        let memory = |instance: u32, memory64| Import {
            module: format!("instance-{instance}").into(),
            name: memory_name(memory64).into(),
            kind: ImportKind::Memory { instance, memory64 },
        };
        let imports = [
            memory(0, src64),
            memory(1, dst64),
            Import {
                module: "transcode".into(),
                name: format!("{}:0:1", op.name()).into(),
                kind: ImportKind::Transcode {
                    op,
                    src_instance: 0,
                    src_memory64: src64,
                    dst_instance: 1,
                    dst_memory64: dst64,
                },
            },
        ];
        let module = Module::new(&engine, wat).unwrap();
        let adapters = AdapterLinker::new()
            .memory(&store, 0, src)
            .memory(&store, 1, dst)
            .instantiate(&mut store, &module, &imports, &[])
            .unwrap();
        let run = adapters.adapter(&mut store, "run").unwrap();
        Glue {
            store,
            src,
            dst,
            run,
        }
    }

    fn write(&mut self, at: usize, bytes: &[u8]) {
        self.src.write(&mut self.store, at, bytes).unwrap();
    }

    fn written(&self, at: usize, len: usize) -> &[u8] {
        &self.dst.data(&self.store)[at..at + len]
    }

    /// Calls `run`; a trap comes back as its [`Trap`].
    fn call<P: WasmParams, R: WasmResults>(&mut self, params: P) -> Result<R, Option<Trap>> {
        let run: TypedFunc<P, R> = self.run.typed(&self.store).unwrap();
        run.call(&mut self.store, params)
            .map_err(|err| trap_of(&err))
    }
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn latin1_to_utf16_32_to_32() {
    let mut g = Glue::new(
        Transcode::Latin1ToUtf16,
        (false, false),
        false,
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "memory" (memory 1))
            (import "transcode" "latin1-to-utf16:0:1" (func (param i32 i32 i32)))
            (export "run" (func 0)))"#,
    );
    g.write(3, b"h\xe9llo");
    g.call::<_, ()>((3, 5, 8)).unwrap();
    assert_eq!(g.written(8, 10), utf16("héllo"));
    assert_eq!(g.call::<_, ()>((3, 5, 9)), Err(Some(Trap::Misaligned)));
    assert_eq!(g.call::<_, ()>((3, 5, 65528)), Err(Some(Trap::OutOfBounds)));
}

#[test]
fn utf8_to_utf16_32_to_64_returns_code_units_as_i64() {
    let mut g = Glue::new(
        Transcode::Utf8ToUtf16,
        (false, true),
        false,
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "memory64" (memory i64 1))
            (import "transcode" "utf8-to-utf16:0:1" (func (param i32 i32 i64) (result i64)))
            (export "run" (func 0)))"#,
    );
    g.write(0, "h€😀".as_bytes());
    assert_eq!(g.call::<(i32, i32, i64), i64>((0, 8, 16)), Ok(4));
    assert_eq!(g.written(16, 8), utf16("h€😀"));
    // The worst case, 16 bytes, must fit at the destination.
    assert_eq!(
        g.call::<(i32, i32, i64), i64>((0, 8, 65528)),
        Err(Some(Trap::OutOfBounds))
    );
    g.write(0, b"\xc0\x80");
    assert_eq!(
        g.call::<(i32, i32, i64), i64>((0, 2, 16)),
        Err(Some(Trap::InvalidUtf8))
    );
    // Lengths are unsigned: -1 is 4 GiB - 1, out of bounds.
    assert_eq!(
        g.call::<(i32, i32, i64), i64>((0, -1, 16)),
        Err(Some(Trap::OutOfBounds))
    );
}

#[test]
fn utf16_ascii_prefix_64_to_32_returns_the_count_as_i32() {
    let mut g = Glue::new(
        Transcode::Utf16AsciiPrefix,
        (true, false),
        false,
        r#"(module
            (import "instance-0" "memory64" (memory i64 1))
            (import "instance-1" "memory" (memory 1))
            (import "transcode" "utf16-ascii-prefix:0:1" (func (param i64 i64 i32) (result i32)))
            (export "run" (func 0)))"#,
    );
    g.write(2, &utf16("abcé"));
    assert_eq!(g.call::<(i64, i64, i32), i32>((2, 4, 7)), Ok(3));
    assert_eq!(g.written(7, 3), b"abc");
    assert_eq!(
        g.call::<(i64, i64, i32), i32>((3, 4, 7)),
        Err(Some(Trap::Misaligned))
    );
    assert_eq!(
        g.call::<(i64, i64, i32), i32>((2, i64::MAX, 7)),
        Err(Some(Trap::OutOfBounds))
    );
}

#[test]
fn latin1_ascii_prefix_32_to_32() {
    let mut g = Glue::new(
        Transcode::Latin1AsciiPrefix,
        (false, false),
        false,
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "memory" (memory 1))
            (import "transcode" "latin1-ascii-prefix:0:1" (func (param i32 i32 i32) (result i32)))
            (export "run" (func 0)))"#,
    );
    g.write(0, b"ab\xe9d");
    assert_eq!(g.call::<_, i32>((0, 4, 1)), Ok(2));
    assert_eq!(g.written(1, 2), b"ab");
    assert_eq!(g.call::<_, i32>((0, 2, 1)), Ok(2));
    assert_eq!(
        g.call::<_, i32>((0, 4, 65533)),
        Err(Some(Trap::OutOfBounds))
    );
}

#[test]
fn utf16_to_utf8_64_to_64() {
    let mut g = Glue::new(
        Transcode::Utf16ToUtf8,
        (true, true),
        false,
        r#"(module
            (import "instance-0" "memory64" (memory i64 1))
            (import "instance-1" "memory64" (memory i64 1))
            (import "transcode" "utf16-to-utf8:0:1" (func (param i64 i64 i64) (result i64)))
            (export "run" (func 0)))"#,
    );
    let s = "héllo 日本 😀";
    let src = utf16(s);
    g.write(0, &src);
    let len = src.len() as i64 / 2;
    assert_eq!(
        g.call::<(i64, i64, i64), i64>((0, len, 5)),
        Ok(s.len() as i64)
    );
    assert_eq!(g.written(5, s.len()), s.as_bytes());
    g.write(0, &[0x00, 0xdc]);
    assert_eq!(
        g.call::<(i64, i64, i64), i64>((0, len, 5)),
        Err(Some(Trap::InvalidUtf16))
    );
}

#[test]
fn latin1_to_utf8_32_to_64() {
    let mut g = Glue::new(
        Transcode::Latin1ToUtf8,
        (false, true),
        false,
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "memory64" (memory i64 1))
            (import "transcode" "latin1-to-utf8:0:1" (func (param i32 i32 i64) (result i64)))
            (export "run" (func 0)))"#,
    );
    g.write(0, b"\xff\xe9t\xe9");
    assert_eq!(g.call::<(i32, i32, i64), i64>((0, 4, 1)), Ok(7));
    assert_eq!(g.written(1, 7), "ÿété".as_bytes());
    // The worst case is 2 * len bytes.
    assert_eq!(
        g.call::<(i32, i32, i64), i64>((0, 4, 65529)),
        Err(Some(Trap::OutOfBounds))
    );
}

/// The module of `utf8-to-latin1` or `utf16-to-latin1` from a 32-bit memory
/// to a memory of the given address type.
fn to_latin1(op: Transcode, dst64: bool) -> Glue {
    let (mem, d) = if dst64 {
        ("(memory i64 1)", "i64")
    } else {
        ("(memory 1)", "i32")
    };
    let wat = format!(
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "{}" {mem})
            (import "transcode" "{}:0:1" (func (param i32 i32 {d}) (result {d})))
            (export "run" (func 0)))"#,
        memory_name(dst64),
        op.name(),
    );
    Glue::new(op, (false, dst64), false, &wat)
}

#[test]
fn utf8_to_latin1_returns_all_ones_in_the_destination_address_type() {
    let mut g = to_latin1(Transcode::Utf8ToLatin1, false);
    g.write(0, "hé".as_bytes());
    assert_eq!(g.call::<_, i32>((0, 3, 8)), Ok(2));
    assert_eq!(g.written(8, 2), b"h\xe9");
    g.write(0, "é€".as_bytes());
    assert_eq!(g.call::<_, i32>((0, 5, 8)), Ok(-1));
    assert_eq!(g.written(8, 1), b"\xe9");
    assert_eq!(g.call::<_, i32>((0, 5, 9)), Err(Some(Trap::Misaligned)));

    let mut g = to_latin1(Transcode::Utf8ToLatin1, true);
    g.write(0, "é€".as_bytes());
    assert_eq!(g.call::<(i32, i32, i64), i64>((0, 5, 8)), Ok(-1));
    assert_eq!(NOT_LATIN1 as i64, -1);
    g.write(0, "hé".as_bytes());
    assert_eq!(g.call::<(i32, i32, i64), i64>((0, 3, 8)), Ok(2));
}

#[test]
fn utf16_to_latin1_returns_all_ones_in_the_destination_address_type() {
    let mut g = to_latin1(Transcode::Utf16ToLatin1, false);
    g.write(0, &utf16("hé"));
    assert_eq!(g.call::<_, i32>((0, 2, 8)), Ok(2));
    assert_eq!(g.written(8, 2), b"h\xe9");
    g.write(0, &utf16("é€"));
    assert_eq!(g.call::<_, i32>((0, 2, 8)), Ok(-1));
    assert_eq!(g.call::<_, i32>((1, 2, 8)), Err(Some(Trap::Misaligned)));

    let mut g = to_latin1(Transcode::Utf16ToLatin1, true);
    g.write(0, &utf16("é€"));
    assert_eq!(g.call::<(i32, i32, i64), i64>((0, 2, 8)), Ok(-1));
    g.write(0, &utf16("hé"));
    assert_eq!(g.call::<(i32, i32, i64), i64>((0, 2, 8)), Ok(2));
}

#[test]
fn shared_memory_transcodes_in_place() {
    let mut g = Glue::new(
        Transcode::Utf8ToUtf16,
        (false, false),
        true,
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "memory" (memory 1))
            (import "transcode" "utf8-to-utf16:0:1" (func (param i32 i32 i32) (result i32)))
            (export "run" (func 0)))"#,
    );
    g.write(4, "añb".as_bytes());
    // The destination overlaps the source.
    assert_eq!(g.call::<_, i32>((4, 4, 2)), Ok(3));
    assert_eq!(g.written(2, 6), utf16("añb"));
}

#[test]
fn copies_between_two_memories_in_chunks() {
    let mut g = Glue::new(
        Transcode::CopyUtf16,
        (false, false),
        false,
        r#"(module
            (import "instance-0" "memory" (memory 1))
            (import "instance-1" "memory" (memory 1))
            (import "transcode" "copy-utf16:0:1" (func (param i32 i32 i32)))
            (export "run" (func 0)))"#,
    );
    // 45,000 bytes more than one chunk: a pair straddles each chunk boundary.
    let s = "ab😀".repeat(6000);
    let src = utf16(&s);
    g.dst.grow(&mut g.store, 1).unwrap();
    g.src.grow(&mut g.store, 1).unwrap();
    g.write(2, &src);
    let len = src.len() as i32 / 2;
    g.call::<_, ()>((2, len, 4)).unwrap();
    assert_eq!(g.written(4, src.len()), &src[..]);
    // The checks come before any byte moves, in order.
    g.write(2 + src.len() - 2, &[0x00, 0xd8]);
    assert_eq!(
        g.call::<_, ()>((2, len, 1 << 17)),
        Err(Some(Trap::InvalidUtf16))
    );
    assert_eq!(
        g.call::<_, ()>((2, len - 2, 3)),
        Err(Some(Trap::Misaligned))
    );
    assert_eq!(
        g.call::<_, ()>((2, len - 2, (1 << 17) - 8)),
        Err(Some(Trap::OutOfBounds))
    );
    assert_eq!(g.call::<_, ()>((1, 1, 0)), Err(Some(Trap::Misaligned)));
    assert_eq!(
        g.call::<_, ()>((0, 1 << 17, 0)),
        Err(Some(Trap::OutOfBounds))
    );
    assert_eq!(g.written(4, src.len() - 2), &src[..src.len() - 2]);
}
