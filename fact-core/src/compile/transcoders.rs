//! The string intrinsics as functions of the adapter module, for short
//! sources.
//!
//! Adapters call a transcoding intrinsic (`docs/host-abi.md`) through a
//! function of their own module, one per intrinsic and pair of memories,
//! compiled on first use. A source of more code units than the short-string
//! limit (`AdapterCompiler::short_strings`, 256 by default) is passed on to
//! the host's import; a shorter one is converted right
//! there, in wasm, one code point at a time. A call into the host costs
//! tens of nanoseconds in engines such as Wasmtime, more than converting a
//! short string, and most strings are short; so a short string that needs
//! converting (not only copying: `short_strings.rs` moves the plain ones)
//! costs no host call at all. The ASCII-prefix intrinsics go further: their
//! functions look at the first code units of a source of any length in
//! wasm, and call the host for the rest only if those are all ASCII.
//!
//! Each function returns what the intrinsic returns, with the same traps,
//! for every source the adapters pass it. What the adapters guarantee, the
//! functions assume: the source range and the destination range (the
//! worst case) were checked, as `load_string_from_range` and the `realloc`
//! result checks require, so every load and store is in bounds; and a
//! function that stops early (an ASCII or Latin-1 prefix) is followed by
//! the conversion of the rest, which validates it, so the prefix functions
//! validate only what they convert, and `utf16-to-latin1` validates the rest
//! itself, whose UTF-16 the adapter then copies as it is. Validation happens
//! as the code points are converted: a function that traps may have written
//! part of the destination, a fresh allocation of an instance that can no
//! longer run.
//!
//! The rules are those of `core::str::from_utf8` and of UTF-16 surrogate
//! pairs (`docs/host-abi.md`, "Validation"): a UTF-8 lead byte 0xC2..0xDF
//! starts two bytes, 0xE0..0xEF three, 0xF0..0xF4 four, each continuation
//! byte is 0x80..0xBF, and the decoded code point must need that many bytes,
//! not be a surrogate and not exceed U+10FFFF.

use super::func::FuncGen;
use super::{HelperKey, Side, State};
use crate::abi::ptr_type;
use crate::module::{FuncBody, FuncRef, Local, Signature};
use crate::options::StringEncoding;
use crate::{Transcode, Trap};
use fact_host::NOT_LATIN1;
use wasm_encoder::{BlockType, Instruction as I, MemArg, ValType};

impl State<'_> {
    /// The function that adapters call for the intrinsic `op` from `src`'s
    /// memory to `dst`'s: the host's import itself when `op` has no wasm
    /// form, else the module's function that converts a short source itself
    /// and passes a longer one to the import.
    pub(crate) fn transcoder_fn(&mut self, op: Transcode, src: Side, dst: Side) -> FuncRef {
        let import = self.module.transcoder(
            op,
            (src.instance, src.mem().is_64()),
            (dst.instance, dst.mem().is_64()),
        );
        if !has_wasm_form(op) || self.short_units == 0 {
            return import;
        }
        // One function per intrinsic and pair of memories, whatever the
        // sides' string encodings (the intrinsic fixes what it reads).
        let memories_only = |side: Side| Side {
            encoding: StringEncoding::Utf8,
            ..side
        };
        self.helper(HelperKey::Transcoder(
            op,
            memories_only(src),
            memories_only(dst),
        ))
    }

    /// The body of the wasm form of `op` from `src`'s memory to `dst`'s:
    /// `(src, len, dst) -> result`.
    pub(super) fn transcoder_body(&mut self, op: Transcode, src: Side, dst: Side) -> FuncBody {
        let import = self.module.transcoder(
            op,
            (src.instance, src.mem().is_64()),
            (dst.instance, dst.mem().is_64()),
        );
        let (sp, dp) = (ptr_type(src.mem()), ptr_type(dst.mem()));
        let sig = Signature {
            params: vec![sp, sp, dp],
            results: if op.returns_length() {
                vec![dp]
            } else {
                vec![]
            },
        };
        let mut g = FuncGen::new(self, sig);
        g.transcoder_code(op, src, dst, import);
        g.finish()
    }
}

/// Whether adapters call `op` through a function with a wasm form. The
/// others are never called with a short source (`latin1-to-utf16`, which
/// `short_strings.rs` always widens in wasm when the source is short) or
/// never called at all (the `copy` intrinsics, which hosts still serve).
fn has_wasm_form(op: Transcode) -> bool {
    !matches!(
        op,
        Transcode::CopyUtf8 | Transcode::CopyUtf16 | Transcode::Latin1ToUtf16
    )
}

/// The cursors of a conversion: where the next code unit is read and
/// written, and how many source code units are left (an `i32`, as unsigned:
/// a source below 2^28 bytes). Counting what is left, rather than
/// comparing addresses, cannot wrap at the end of a 4 GiB memory.
#[derive(Clone, Copy)]
struct Cursors {
    src: Side,
    dst: Side,
    s: Local,
    d: Local,
    left: Local,
}

impl FuncGen<'_, '_> {
    /// `(src, len, dst)`: the import for a long source, else the wasm form.
    fn transcoder_code(&mut self, op: Transcode, src: Side, dst: Side, import: FuncRef) {
        let [s, len, d] = [0, 1, 2].map(|i| self.body.param(i));
        if let Transcode::Utf16AsciiPrefix | Transcode::Latin1AsciiPrefix = op {
            return self.ascii_prefix_body(op, src, dst, import);
        }
        self.ins(I::LocalGet(len.idx));
        self.ptr_const(src, self.st.short_units);
        self.ins(if src.mem().is_64() {
            I::I64GtU
        } else {
            I::I32GtU
        });
        self.ins(I::If(BlockType::Empty));
        for l in [s, len, d] {
            self.ins(I::LocalGet(l.idx));
        }
        self.ins(I::Call(import.raw()));
        self.ins(I::Return);
        self.ins(I::End);

        let start = self.copy_of(d);
        self.ins(I::LocalGet(len.idx));
        if src.mem().is_64() {
            self.ins(I::I32WrapI64);
        }
        let left = self.local_set_new(ValType::I32);
        let c = Cursors {
            src,
            dst,
            s,
            d,
            left,
        };
        match op {
            Transcode::Utf16AsciiPrefix | Transcode::Latin1AsciiPrefix => {
                unreachable!("prefixes have a body of their own")
            }
            Transcode::Utf16ToUtf8 => self.utf16_to_utf8(c),
            Transcode::Latin1ToUtf8 => self.latin1_to_utf8(c),
            Transcode::Utf8ToUtf16 => self.utf8_to_utf16(c),
            Transcode::Utf8ToLatin1 => self.utf8_to_latin1(c),
            Transcode::Utf16ToLatin1 => self.utf16_to_latin1(c),
            Transcode::Utf16ToCompact => return self.utf16_to_compact(c, start, len),
            Transcode::CopyUtf8 | Transcode::CopyUtf16 | Transcode::Latin1ToUtf16 => {
                unreachable!("{op:?} has no wasm form")
            }
        }
        // Every form but `utf16-to-compact` returns what it wrote, in bytes
        // or (UTF-16) in code units.
        self.ins(I::LocalGet(d.idx));
        self.ins(I::LocalGet(start.idx));
        self.ptr_sub(dst);
        if op == Transcode::Utf8ToUtf16 {
            self.ptr_const(dst, 1);
            self.ins(if dst.mem().is_64() {
                I::I64ShrU
            } else {
                I::I32ShrU
            });
        }
    }

    /// `utf16-ascii-prefix` and `latin1-ascii-prefix`, whatever the length:
    /// the first code units, up to the short-string limit, are looked at in
    /// wasm, and only a source whose units there are all ASCII goes on to
    /// the host, from where the wasm left off. Most non-ASCII text has a
    /// code unit above 0x7F early, and then the whole source is left to the
    /// conversion of the rest that follows, which validates it: the host
    /// reads it once, not twice.
    fn ascii_prefix_body(&mut self, op: Transcode, src: Side, dst: Side, import: FuncRef) {
        let unit = if op == Transcode::Utf16AsciiPrefix {
            2
        } else {
            1
        };
        let [s, len, d] = [0, 1, 2].map(|i| self.body.param(i));
        let is64 = src.mem().is_64();
        let start = self.copy_of(d);
        // left = min(len, limit), as an `i32`.
        let limit = self.st.short_units;
        self.ptr_const(src, limit);
        self.ins(I::LocalGet(len.idx));
        self.ptr_const(src, limit);
        self.ins(I::LocalGet(len.idx));
        self.ins(if is64 { I::I64LtU } else { I::I32LtU });
        self.ins(I::Select);
        if is64 {
            self.ins(I::I32WrapI64);
        }
        let left = self.local_set_new(ValType::I32);
        let c = Cursors {
            src,
            dst,
            s,
            d,
            left,
        };
        self.ascii_prefix(c, unit);
        // Copied so far.
        self.ins(I::LocalGet(d.idx));
        self.ins(I::LocalGet(start.idx));
        self.ptr_sub(dst);
        let copied = self.local_set_new(ptr_type(dst.mem()));
        // Every unit looked at was ASCII, and there are more: the host does
        // the rest.
        self.ins(I::LocalGet(left.idx));
        self.ins(I::I32Eqz);
        self.ins(I::LocalGet(len.idx));
        self.ptr_const(src, limit);
        self.ins(if is64 { I::I64GtU } else { I::I32GtU });
        self.ins(I::I32And);
        self.ins(I::If(BlockType::Empty));
        self.ins(I::LocalGet(copied.idx));
        self.ins(I::LocalGet(s.idx));
        self.ins(I::LocalGet(len.idx));
        self.ptr_const(src, limit);
        self.ins(if is64 { I::I64Sub } else { I::I32Sub });
        self.ins(I::LocalGet(d.idx));
        self.ins(I::Call(import.raw()));
        self.ins(if dst.mem().is_64() {
            I::I64Add
        } else {
            I::I32Add
        });
        self.ins(I::Return);
        self.ins(I::End);
        self.ins(I::LocalGet(copied.idx));
    }

    /// `utf16-ascii-prefix` (`unit` 2) and `latin1-ascii-prefix` (`unit`
    /// 1): the leading code units below 0x80, as bytes.
    fn ascii_prefix(&mut self, c: Cursors, unit: u32) {
        self.each_unit(c, &mut |f| {
            let u = f.load_unit(c, unit, 0);
            f.ins(I::LocalGet(u.idx));
            f.ins(I::I32Const(0x80));
            f.ins(I::I32GeU);
            f.ins(I::BrIf(1));
            f.put(c, 1, &mut |f| f.ins(I::LocalGet(u.idx)));
            f.step_src(c, unit, 1);
            f.free(u);
        });
    }

    /// `latin1-to-utf8`: one byte below 0x80, two from there.
    fn latin1_to_utf8(&mut self, c: Cursors) {
        self.each_unit(c, &mut |f| {
            let u = f.load_unit(c, 1, 0);
            f.step_src(c, 1, 1);
            f.encode_utf8_below_0x800(c, u);
            f.free(u);
        });
    }

    /// `utf16-to-utf8`: validating, one to four bytes per code point.
    fn utf16_to_utf8(&mut self, c: Cursors) {
        self.each_unit(c, &mut |f| {
            let u = f.load_unit(c, 2, 0);
            f.step_src(c, 2, 1);
            f.ins(I::LocalGet(u.idx));
            f.ins(I::I32Const(0x800));
            f.ins(I::I32LtU);
            f.ins(I::If(BlockType::Empty));
            f.encode_utf8_below_0x800(c, u);
            f.ins(I::Else);
            f.if_surrogate(u);
            // A pair: U+10000 + (high - 0xD800) * 0x400 + (low - 0xDC00).
            let low = f.low_surrogate_after(c);
            f.ins(I::LocalGet(u.idx));
            f.ins(I::I32Const(0x3ff));
            f.ins(I::I32And);
            f.ins(I::I32Const(10));
            f.ins(I::I32Shl);
            f.ins(I::LocalGet(low.idx));
            f.ins(I::I32Const(0x3ff));
            f.ins(I::I32And);
            f.ins(I::I32Or);
            f.ins(I::I32Const(0x1_0000));
            f.ins(I::I32Add);
            f.ins(I::LocalSet(u.idx));
            f.free(low);
            f.put(c, 4, &mut |f| utf8_bytes(f, u, 4));
            f.ins(I::Else);
            f.store_at(c, 2, 0, &mut |f| utf8_bytes(f, u, 3));
            f.store_at(c, 1, 2, &mut |f| continuation(f, u, 0));
            f.step_dst(c, 3);
            f.ins(I::End);
            f.ins(I::End);
        });
    }

    /// `utf8-to-utf16`: validating, one or two code units per code point.
    fn utf8_to_utf16(&mut self, c: Cursors) {
        self.each_unit(c, &mut |f| {
            let cp = f.decode_utf8(c);
            f.ins(I::LocalGet(cp.idx));
            f.ins(I::I32Const(0x1_0000));
            f.ins(I::I32LtU);
            f.ins(I::If(BlockType::Empty));
            f.put(c, 2, &mut |f| f.ins(I::LocalGet(cp.idx)));
            f.ins(I::Else);
            // High surrogate, then low surrogate, in one 32-bit store.
            f.put(c, 4, &mut |f| {
                f.ins(I::LocalGet(cp.idx));
                f.ins(I::I32Const(0x1_0000));
                f.ins(I::I32Sub);
                f.ins(I::LocalTee(cp.idx));
                f.ins(I::I32Const(10));
                f.ins(I::I32ShrU);
                f.ins(I::I32Const(0xd800));
                f.ins(I::I32Or);
                f.ins(I::LocalGet(cp.idx));
                f.ins(I::I32Const(0x3ff));
                f.ins(I::I32And);
                f.ins(I::I32Const(0xdc00));
                f.ins(I::I32Or);
                f.ins(I::I32Const(16));
                f.ins(I::I32Shl);
                f.ins(I::I32Or);
            });
            f.ins(I::End);
            f.free(cp);
        });
    }

    /// `utf8-to-latin1`: the code points up to the first above U+00FF, as
    /// bytes; at that one, all ones (the conversion of the rest that follows
    /// validates it).
    fn utf8_to_latin1(&mut self, c: Cursors) {
        self.each_unit(c, &mut |f| {
            // A lead byte from 0xC4 on starts a code point above U+00FF.
            let b = f.load_unit(c, 1, 0);
            f.return_not_latin1_from(c, b, 0xc4, &mut |_| {});
            f.free(b);
            let cp = f.decode_utf8(c);
            f.put(c, 1, &mut |f| f.ins(I::LocalGet(cp.idx)));
            f.free(cp);
        });
    }

    /// `utf16-to-latin1`: the code units up to the first above 0xFF, as
    /// bytes; at that one, the rest is validated (the adapter copies it as
    /// it is) and the result is all ones.
    fn utf16_to_latin1(&mut self, c: Cursors) {
        self.each_unit(c, &mut |f| {
            let u = f.load_unit(c, 2, 0);
            f.return_not_latin1_from(c, u, 0x100, &mut |f| f.validate_utf16_rest(c));
            f.put(c, 1, &mut |f| f.ins(I::LocalGet(u.idx)));
            f.step_src(c, 2, 1);
            f.free(u);
        });
    }

    /// If the code unit `u` is `bound` or above, runs `before` and returns
    /// all ones: the source is not Latin-1 from there on.
    fn return_not_latin1_from(
        &mut self,
        c: Cursors,
        u: Local,
        bound: i32,
        before: &mut dyn FnMut(&mut Self),
    ) {
        self.ins(I::LocalGet(u.idx));
        self.ins(I::I32Const(bound));
        self.ins(I::I32GeU);
        self.ins(I::If(BlockType::Empty));
        before(self);
        self.ptr_const(c.dst, not_latin1(c.dst));
        self.ins(I::Return);
        self.ins(I::End);
    }

    /// The rest of a UTF-16 source: every surrogate paired.
    fn validate_utf16_rest(&mut self, c: Cursors) {
        self.each_unit(c, &mut |f| {
            let u = f.load_unit(c, 2, 0);
            f.step_src(c, 2, 1);
            f.if_surrogate(u);
            let low = f.low_surrogate_after(c);
            f.free(low);
            f.ins(I::End);
            f.free(u);
        });
    }

    /// `utf16-to-compact`: the UTF-16 copied as it is while it is
    /// validated; then, if every code unit is below 0x100, narrowed in place
    /// to Latin-1 (each byte lands at or before the code unit it comes
    /// from, which is read first) with the length as the result; else the
    /// length with the UTF-16 tag.
    fn utf16_to_compact(&mut self, c: Cursors, start: Local, len: Local) {
        let all = self.local(ValType::I32);
        self.ins(I::I32Const(0));
        self.ins(I::LocalSet(all.idx));
        self.each_unit(c, &mut |f| {
            let u = f.load_unit(c, 2, 0);
            f.ins(I::LocalGet(all.idx));
            f.ins(I::LocalGet(u.idx));
            f.ins(I::I32Or);
            f.ins(I::LocalSet(all.idx));
            f.put(c, 2, &mut |f| f.ins(I::LocalGet(u.idx)));
            f.step_src(c, 2, 1);
            f.if_surrogate(u);
            let low = f.low_surrogate_after(c);
            f.put(c, 2, &mut |f| f.ins(I::LocalGet(low.idx)));
            f.free(low);
            f.ins(I::End);
            f.free(u);
        });
        let dp = ptr_type(c.dst.mem());
        let n = self.local(dp);
        self.ins(I::LocalGet(len.idx));
        self.convert_len(c.src.mem(), c.dst.mem());
        self.ins(I::LocalSet(n.idx));
        self.ins(I::LocalGet(all.idx));
        self.ins(I::I32Const(0x100));
        self.ins(I::I32LtU);
        self.ins(I::If(BlockType::Result(dp)));
        {
            // Narrow: byte `i` from the code unit at `2 * i`, both in `dst`.
            let narrow = Cursors {
                src: c.dst,
                dst: c.dst,
                s: start,
                d: self.copy_of(start),
                left: c.left,
            };
            self.ins(I::LocalGet(n.idx));
            if c.dst.mem().is_64() {
                self.ins(I::I32WrapI64);
            }
            self.ins(I::LocalSet(c.left.idx));
            self.each_unit(narrow, &mut |f| {
                let u = f.load_unit(narrow, 2, 0);
                f.put(narrow, 1, &mut |f| f.ins(I::LocalGet(u.idx)));
                f.step_src(narrow, 2, 1);
                f.free(u);
            });
            self.ins(I::LocalGet(n.idx));
        }
        self.ins(I::Else);
        self.ins(I::LocalGet(n.idx));
        let tag = 1u64 << (c.dst.mem().ptr_size() * 8 - 1);
        self.ptr_const(c.dst, tag);
        self.ins(if c.dst.mem().is_64() {
            I::I64Or
        } else {
            I::I32Or
        });
        self.ins(I::End);
        self.free(all);
    }

    /// Runs `body` once per iteration while source code units are left:
    /// `block $done loop $next (br_if $done (i32.eqz left)) body (br
    /// $next) end end`. Inside `body`, `br 1` leaves, `br 0` goes on.
    fn each_unit(&mut self, c: Cursors, body: &mut dyn FnMut(&mut Self)) {
        self.ins(I::Block(BlockType::Empty));
        self.ins(I::Loop(BlockType::Empty));
        self.ins(I::LocalGet(c.left.idx));
        self.ins(I::I32Eqz);
        self.ins(I::BrIf(1));
        body(self);
        self.ins(I::Br(0));
        self.ins(I::End);
        self.ins(I::End);
    }

    /// Loads the source code unit of `unit` bytes at `s + offset` into a
    /// fresh `i32` local.
    fn load_unit(&mut self, c: Cursors, unit: u32, offset: u32) -> Local {
        let memory_index = self.memory(c.src).0;
        let arg = MemArg {
            offset: u64::from(offset),
            align: 0,
            memory_index,
        };
        self.ins(I::LocalGet(c.s.idx));
        self.ins(if unit == 2 {
            I::I32Load16U(arg)
        } else {
            I::I32Load8U(arg)
        });
        self.local_set_new(ValType::I32)
    }

    /// Stores the low `bytes` (1, 2 or 4) bytes of what `value` pushes at
    /// `d` and moves `d` past them.
    fn put(&mut self, c: Cursors, bytes: u32, value: &mut dyn FnMut(&mut Self)) {
        self.store_at(c, bytes, 0, value);
        self.step_dst(c, bytes);
    }

    /// Stores the low `bytes` (1, 2 or 4) bytes of what `value` pushes at
    /// `d + offset`.
    fn store_at(&mut self, c: Cursors, bytes: u32, offset: u32, value: &mut dyn FnMut(&mut Self)) {
        let memory_index = self.memory(c.dst).0;
        let arg = MemArg {
            offset: u64::from(offset),
            align: 0,
            memory_index,
        };
        self.ins(I::LocalGet(c.d.idx));
        value(self);
        self.ins(match bytes {
            1 => I::I32Store8(arg),
            2 => I::I32Store16(arg),
            _ => I::I32Store(arg),
        });
    }

    /// Moves the source cursor past `units` code units of `unit` bytes.
    fn step_src(&mut self, c: Cursors, unit: u32, units: i32) {
        self.bump(c.src, c.s, unit as i32 * units);
        self.ins(I::LocalGet(c.left.idx));
        self.ins(I::I32Const(units));
        self.ins(I::I32Sub);
        self.ins(I::LocalSet(c.left.idx));
    }

    /// Moves the destination cursor past `bytes` bytes.
    fn step_dst(&mut self, c: Cursors, bytes: u32) {
        self.bump(c.dst, c.d, bytes as i32);
    }

    /// `local += by`, in the side's address type.
    fn bump(&mut self, side: Side, local: Local, by: i32) {
        self.ins(I::LocalGet(local.idx));
        self.ptr_const(side, by as u64);
        self.ins(if side.mem().is_64() {
            I::I64Add
        } else {
            I::I32Add
        });
        self.ins(I::LocalSet(local.idx));
    }

    /// Pops two addresses of the side, pushes their difference.
    fn ptr_sub(&mut self, side: Side) {
        self.ins(if side.mem().is_64() {
            I::I64Sub
        } else {
            I::I32Sub
        });
    }

    /// Writes `u` (below U+0800) as UTF-8: one byte below 0x80, else two.
    fn encode_utf8_below_0x800(&mut self, c: Cursors, u: Local) {
        self.ins(I::LocalGet(u.idx));
        self.ins(I::I32Const(0x80));
        self.ins(I::I32LtU);
        self.ins(I::If(BlockType::Empty));
        self.put(c, 1, &mut |f| f.ins(I::LocalGet(u.idx)));
        self.ins(I::Else);
        self.put(c, 2, &mut |f| utf8_bytes(f, u, 2));
        self.ins(I::End);
    }

    /// `if` the code unit `u` is a surrogate (0xD800..0xDFFF), traps if it
    /// is a low one: opens a block that the caller ends.
    fn if_surrogate(&mut self, u: Local) {
        self.push_is_surrogate(u);
        self.ins(I::If(BlockType::Empty));
        self.ins(I::LocalGet(u.idx));
        self.ins(I::I32Const(0xdc00));
        self.ins(I::I32GeU);
        self.trap_if(Trap::InvalidUtf16);
    }

    /// Pushes whether `u` (a UTF-16 code unit or a code point) is a
    /// surrogate, 0xD800..=0xDFFF.
    fn push_is_surrogate(&mut self, u: Local) {
        self.ins(I::LocalGet(u.idx));
        self.ins(I::I32Const(0xf800));
        self.ins(I::I32And);
        self.ins(I::I32Const(0xd800));
        self.ins(I::I32Eq);
    }

    /// After a high surrogate (the source cursor past it): the low surrogate
    /// that must follow, read and passed, in a fresh local; traps if there
    /// is none.
    fn low_surrogate_after(&mut self, c: Cursors) -> Local {
        self.ins(I::LocalGet(c.left.idx));
        self.ins(I::I32Eqz);
        self.trap_if(Trap::InvalidUtf16);
        let low = self.load_unit(c, 2, 0);
        self.ins(I::LocalGet(low.idx));
        self.ins(I::I32Const(0xfc00));
        self.ins(I::I32And);
        self.ins(I::I32Const(0xdc00));
        self.ins(I::I32Ne);
        self.trap_if(Trap::InvalidUtf16);
        self.step_src(c, 2, 1);
        low
    }

    /// Decodes one UTF-8 code point at `s` (at least one byte is left),
    /// checking it, and moves `s` past it; returns it in a fresh local.
    /// Each length of sequence has straight-line code: its continuation
    /// bytes are loaded and checked together, then assembled.
    fn decode_utf8(&mut self, c: Cursors) -> Local {
        let trap = Trap::InvalidUtf8;
        let cp = self.load_unit(c, 1, 0);
        let lead_below = |f: &mut Self, bound: i32| {
            f.ins(I::LocalGet(cp.idx));
            f.ins(I::I32Const(bound));
            f.ins(I::I32LtU);
            f.ins(I::If(BlockType::Empty));
        };
        lead_below(self, 0x80);
        self.step_src(c, 1, 1);
        self.ins(I::Else);
        lead_below(self, 0xe0);
        {
            // 0xC2..=0xDF, one continuation byte (0x80..=0xC1 start none:
            // continuation bytes, and overlong forms of U+0000..U+007F).
            self.ins(I::LocalGet(cp.idx));
            self.ins(I::I32Const(0xc2));
            self.ins(I::I32LtU);
            self.trap_if(trap);
            self.sequence(c, cp, 2);
        }
        self.ins(I::Else);
        lead_below(self, 0xf0);
        {
            // 0xE0..=0xEF, two continuation bytes; U+0800.. but no
            // surrogate.
            self.sequence(c, cp, 3);
            self.ins(I::LocalGet(cp.idx));
            self.ins(I::I32Const(0x800));
            self.ins(I::I32LtU);
            self.push_is_surrogate(cp);
            self.ins(I::I32Or);
            self.trap_if(trap);
        }
        self.ins(I::Else);
        {
            // 0xF0..=0xF4, three continuation bytes; U+10000..=U+10FFFF.
            self.ins(I::LocalGet(cp.idx));
            self.ins(I::I32Const(0xf4));
            self.ins(I::I32GtU);
            self.trap_if(trap);
            self.sequence(c, cp, 4);
            self.ins(I::LocalGet(cp.idx));
            self.ins(I::I32Const(0x1_0000));
            self.ins(I::I32Sub);
            self.ins(I::I32Const(0x10_ffff - 0x1_0000));
            self.ins(I::I32GtU);
            self.trap_if(trap);
        }
        for _ in 0..3 {
            self.ins(I::End);
        }
        cp
    }

    /// The `len`-byte sequence whose lead byte is in `cp`: traps unless
    /// that many bytes are left and the `len - 1` after the lead are
    /// continuation bytes (0x80..=0xBF); leaves in `cp` the lead's payload
    /// and their six bits each, and moves `s` past the sequence. Which lead
    /// bytes may start it, and which code points it may encode, the caller
    /// checks.
    fn sequence(&mut self, c: Cursors, cp: Local, len: u32) {
        let trap = Trap::InvalidUtf8;
        self.ins(I::LocalGet(c.left.idx));
        self.ins(I::I32Const(len as i32));
        self.ins(I::I32LtU);
        self.trap_if(trap);
        // The continuation bytes, in one little-endian load: the 1, 2 or 3
        // bytes after the lead (4 loaded for 3, the lead masked out).
        let memory_index = self.memory(c.src).0;
        let (load, offset, shift) = match len {
            2 => (I::I32Load8U as fn(MemArg) -> I<'static>, 1, 0),
            3 => (I::I32Load16U as fn(MemArg) -> I<'static>, 1, 0),
            _ => (I::I32Load as fn(MemArg) -> I<'static>, 0, 8),
        };
        self.ins(I::LocalGet(c.s.idx));
        self.ins(load(MemArg {
            offset,
            align: 0,
            memory_index,
        }));
        if shift != 0 {
            self.ins(I::I32Const(shift));
            self.ins(I::I32ShrU);
        }
        let tail = self.local_set_new(ValType::I32);
        let n = len - 1;
        let mask = (0..n).fold(0, |m, k| m | 0xc0 << (8 * k));
        let marks = (0..n).fold(0, |m, k| m | 0x80 << (8 * k));
        self.ins(I::LocalGet(tail.idx));
        self.ins(I::I32Const(mask));
        self.ins(I::I32And);
        self.ins(I::I32Const(marks));
        self.ins(I::I32Ne);
        self.trap_if(trap);
        // cp = (lead & payload) << 6n | each continuation's low six bits,
        // the first (lowest in `tail`) most significant.
        let payload = 0x7f >> len;
        self.ins(I::LocalGet(cp.idx));
        self.ins(I::I32Const(payload));
        self.ins(I::I32And);
        self.ins(I::I32Const(6 * n as i32));
        self.ins(I::I32Shl);
        for k in 0..n {
            self.ins(I::LocalGet(tail.idx));
            if k != 0 {
                self.ins(I::I32Const(8 * k as i32));
                self.ins(I::I32ShrU);
            }
            self.ins(I::I32Const(0x3f));
            self.ins(I::I32And);
            let to = 6 * (n - 1 - k) as i32;
            if to != 0 {
                self.ins(I::I32Const(to));
                self.ins(I::I32Shl);
            }
            self.ins(I::I32Or);
        }
        self.ins(I::LocalSet(cp.idx));
        self.free(tail);
        self.step_src(c, 1, len as i32);
    }
}

/// All ones in the destination's address type (`NOT_LATIN1`).
fn not_latin1(dst: Side) -> u64 {
    if dst.mem().is_64() {
        NOT_LATIN1
    } else {
        NOT_LATIN1 & u64::from(u32::MAX)
    }
}

/// Pushes the UTF-8 form of `cp`, which needs exactly `count` bytes (2, 3
/// or 4), as one little-endian `i32`: all its bytes for 2 and 4, the first
/// two for 3 (the caller stores the third).
fn utf8_bytes(f: &mut FuncGen<'_, '_>, cp: Local, count: u32) {
    // The lead byte: the length marker, and the top bits.
    let (marker, shift) = match count {
        2 => (0xc0, 6),
        3 => (0xe0, 12),
        _ => (0xf0, 18),
    };
    f.ins(I::LocalGet(cp.idx));
    f.ins(I::I32Const(shift));
    f.ins(I::I32ShrU);
    f.ins(I::I32Const(marker));
    f.ins(I::I32Or);
    // Then continuation bytes, six bits each, most significant first.
    let stored = if count == 3 { 2 } else { count };
    for k in 1..stored {
        continuation(f, cp, shift - 6 * k as i32);
        f.ins(I::I32Const(8 * k as i32));
        f.ins(I::I32Shl);
        f.ins(I::I32Or);
    }
}

/// Pushes the continuation byte `0x80 | (cp >> shift) & 0x3F`.
fn continuation(f: &mut FuncGen<'_, '_>, cp: Local, shift: i32) {
    f.ins(I::LocalGet(cp.idx));
    if shift != 0 {
        f.ins(I::I32Const(shift));
        f.ins(I::I32ShrU);
    }
    f.ins(I::I32Const(0x3f));
    f.ins(I::I32And);
    f.ins(I::I32Const(0x80));
    f.ins(I::I32Or);
}
