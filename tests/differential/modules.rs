//! The core modules of a batch of cases, in WAT, shared by both paths: the
//! callee's module, the caller's runtime module (memories and `realloc`)
//! and the caller's main module (one `run<i>` per case), plus the
//! component that wires them for Wasmtime's runtime.
//!
//! Each instance has a 32-bit memory `mem32` and, when the batch uses
//! memory64, a 64-bit memory `mem64`, both of [`MEMORY_SIZE`] bytes and
//! fixed size. `mem32` starts with a record of what happened:
//!
//! | Address | Contents |
//! |---|---|
//! | `0x10` | number of calls of the callee |
//! | `0x18` | number of `post-return` calls |
//! | `0x20..0xa0` | the callee's flat parameters, 8 bytes each |
//! | `0xa0` | `post-return`'s parameter |
//! | `0xb0` | the caller's flat result (an `async` lower's packed status) |
//! | `0xb8` | number of events the instance observed (the callee's callback calls, an `async` caller's subtask events) |
//! | `0xc0` | number of `realloc` calls |
//! | `0xc8..0xe8` | the first four events, `code \| index << 8 \| payload << 40` |
//! | `0xf0..0xf8` | an `async` caller's last event, as `waitable-set.wait` wrote it |
//! | `0x100..` | `realloc` calls, 48 bytes each: memory (32/64), old, old size, align, new size, returned pointer |
//! | [`STATIC_BASE`] | the values a side hands over (written by `memory.init` when the case runs) |
//! | `0x8000..` | the heap of the bump allocator `realloc` |
//!
//! Resource handles (see `types::Res` and `tables.rs`): the callee defines
//! `r` (`resource.new`, `resource.rep`) and exports `make-r(rep) -> own<r>`
//! and `rep-r(borrow<r>) -> u32`; the host defines `s` and gives both
//! instances `make-s(rep) -> own<s>` and `rep-s(borrow<s>) -> u32`. The
//! caller creates the handles of its arguments just before the call; the
//! callee logs the representation of every handle it received
//! ([`tag::HANDLE_CALLEE`]), drops the borrowed ones, and creates the handles
//! of its result before it returns; after the call the caller logs the
//! representation of every handle it got back ([`tag::HANDLE_CALLER`]). All
//! of these are core imports of module `res` (see [`RES_IMPORTS_CALLEE`]
//! and [`RES_IMPORTS_CALLER`]).
//!
//! `realloc` may not call out (its `may_leave` is clear), so it only writes
//! memory. `setup(mode, at)` makes the instance misbehave for a case: its
//! `realloc` call number `at` returns a misaligned pointer (mode 1), a
//! pointer 8 bytes before the end of memory (2), calls out (3) or returns
//! a fresh block without the old contents (5); or every `post-return` calls
//! out (4). After the call the host calls each instance's `dump`, which
//! logs every non-zero 8-byte word of both memories below the heap top
//! through the host import `log(tag, addr, value)`, and the heap tops.

use super::abi::CoreTy;
use super::case::{
    Case, FAULT_FORGETS, FAULT_KEEPS_BORROWS, FAULT_POST_RETURN_CALLS_OUT, MEMORY_SIZE, STATIC_BASE,
};
use super::tables;
use super::types::Res;
use super::values::{Flat, HandleSlot, HandleSrc, Loc};
use std::fmt::Write;

/// Where the bump allocators start.
pub const HEAP_BASE: u64 = 0x8000;
/// How many `realloc` calls the log keeps.
pub const REALLOC_LOG_MAX: u64 = 64;
/// Where the `realloc` log starts in `mem32`, and the size of an entry.
pub const REALLOC_LOG: u64 = 0x100;
/// The size of an entry of the `realloc` log.
pub const REALLOC_ENTRY: u64 = 48;

/// Tags of `log` entries.
pub mod tag {
    /// A word of `mem32`: `(addr, value)`.
    pub const MEM32: u32 = 32;
    /// A word of `mem64`: `(addr, value)`.
    pub const MEM64: u32 = 64;
    /// The heap tops: `(mem32 top, mem64 top)`.
    pub const HEAP: u32 = 1;
    /// `realloc` or `post-return` called out (a fault of the case).
    pub const CALL_OUT: u32 = 2;
    /// A handle of the caller's table after the call: `(index, rep | res
    /// << 32)`, where `res` is [`res_code`](super::res_code).
    pub const HANDLE_CALLER: u32 = 3;
    /// A handle of the callee's table during the call, as `HANDLE_CALLER`.
    pub const HANDLE_CALLEE: u32 = 4;
}

/// How a log of a handle names its resource type.
pub fn res_code(res: Res) -> u64 {
    match res {
        Res::R => 1,
        Res::S => 2,
    }
}

/// The `res` imports of the callee's core module.
pub const RES_IMPORTS_CALLEE: &str = r#"(import "res" "new-r" (func $new_r (param i32) (result i32)))
(import "res" "rep-r" (func $rep_r (param i32) (result i32)))
(import "res" "drop-s" (func $drop_s (param i32)))
(import "res" "make-s" (func $make_s (param i32) (result i32)))
(import "res" "rep-s" (func $rep_s (param i32) (result i32)))
"#;

/// The `res` imports of the caller's main module.
pub const RES_IMPORTS_CALLER: &str = r#"(import "res" "make-r" (func $make_r (param i32) (result i32)))
(import "res" "rep-r" (func $rep_r (param i32) (result i32)))
(import "res" "make-s" (func $make_s (param i32) (result i32)))
(import "res" "rep-s" (func $rep_s (param i32) (result i32)))
"#;

/// `(local $h<j> i32)` for every handle slot.
fn handle_locals(slots: &[HandleSlot]) -> String {
    (0..slots.len())
        .map(|j| format!(" (local $h{j} i32)"))
        .collect()
}

/// Creates the handle of every slot into its local; `new_r` creates an `r`.
fn create_handles(slots: &[HandleSlot], new_r: &str) -> String {
    let mut w = String::new();
    for (j, h) in slots.iter().enumerate() {
        let f = match h.res {
            Res::R => new_r,
            Res::S => "$make_s",
        };
        writeln!(
            w,
            "(local.set $h{j} (call {f} (i32.const {})))",
            h.rep as i32
        )
        .unwrap();
    }
    w
}

/// What slot `j` holds when the case runs (an `i32`).
fn handle_value(slots: &[HandleSlot], j: usize) -> String {
    match slots[j].src {
        HandleSrc::Fresh => format!("(local.get $h{j})"),
        HandleSrc::Index(x) => format!("(i32.const {})", x as i32),
        HandleSrc::Slot(k) => format!("(local.get $h{k})"),
    }
}

/// Writes the handles that live in memory `mem` (of that address type).
fn store_handles(slots: &[HandleSlot], mem64: bool) -> String {
    let mut w = String::new();
    for (j, h) in slots.iter().enumerate() {
        if let Loc::Mem { addr, .. } = h.loc {
            writeln!(
                w,
                "(i32.store {} {} {})",
                mem_name(mem64),
                addr_const(mem64, addr),
                handle_value(slots, j)
            )
            .unwrap();
        }
    }
    w
}

/// The flat values, with the handles of `slots` in their places.
fn flat_values(flat: &[Flat], slots: &[HandleSlot]) -> String {
    let mut w = String::new();
    for (i, v) in flat.iter().enumerate() {
        match slots.iter().position(|h| h.loc == Loc::Flat(i)) {
            // A variant's payload slot may be widened to `i64`.
            Some(j) => match v {
                Flat::I64(_) => write!(w, "(i64.extend_i32_u {})", handle_value(slots, j)),
                _ => write!(w, "{}", handle_value(slots, j)),
            }
            .unwrap(),
            None => w += &v.wat(),
        }
    }
    w
}

/// Logs the handle `index` of type `res` with `tag`; `rep_r` reads an `r`.
fn log_handle(tag: u32, index: u32, res: Res, rep_r: &str) -> String {
    let rep = match res {
        Res::R => rep_r,
        Res::S => "$rep_s",
    };
    format!(
        "(call $log (i32.const {tag}) (i64.const {index}) (i64.or (i64.extend_i32_u (call {rep}          (i32.const {index}))) (i64.const {})))\n",
        res_code(res) << 32
    )
}

fn data_string(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3 + 2);
    s.push('"');
    for b in bytes {
        write!(s, "\\{b:02x}").unwrap();
    }
    s.push('"');
    s
}

fn params_wat(tys: &[CoreTy]) -> String {
    tys.iter()
        .map(|t| format!(" (param {})", t.wat()))
        .collect()
}

fn results_wat(tys: &[CoreTy]) -> String {
    tys.iter()
        .map(|t| format!(" (result {})", t.wat()))
        .collect()
}

/// The memories, allocators, `setup` and `dump` of an instance.
fn runtime_fields(memory64: bool, memories: &str) -> String {
    let size = MEMORY_SIZE / 65536;
    let near_end = MEMORY_SIZE - 8;
    let mut w = String::new();
    if memories == "define" {
        writeln!(w, "(memory $m32 (export \"mem32\") {size} {size})").unwrap();
        if memory64 {
            writeln!(w, "(memory $m64 (export \"mem64\") i64 {size} {size})").unwrap();
        }
    }
    writeln!(
        w,
        r#"
(global $h32 (mut i32) (i32.const {HEAP_BASE}))
(global $h64 (mut i64) (i64.const {HEAP_BASE}))
(global $fault_mode (mut i32) (i32.const 0))
(global $fault_at (mut i32) (i32.const -1))
(func (export "setup") (param $mode i32) (param $at i32)
  (global.set $fault_mode (local.get $mode))
  (global.set $fault_at (local.get $at)))
(func $forgets (result i32)
  (i32.and
    (i32.eq (global.get $fault_mode) (i32.const {forgets}))
    (i32.eq (i32.wrap_i64 (i64.load $m32 (i32.const 0xc0))) (global.get $fault_at))))
(func $record (param $kind i64) (param $old i64) (param $old_size i64) (param $align i64)
    (param $new i64) (param $ret i64) (result i64)
  (local $n i32) (local $e i32)
  (local.set $n (i32.wrap_i64 (i64.load $m32 (i32.const 0xc0))))
  (i64.store $m32 (i32.const 0xc0) (i64.extend_i32_u (i32.add (local.get $n) (i32.const 1))))
  (if (i32.eq (local.get $n) (global.get $fault_at))
    (then
      (if (i32.eq (global.get $fault_mode) (i32.const 1))
        (then (local.set $ret (i64.add (local.get $ret) (i64.const 1)))))
      (if (i32.eq (global.get $fault_mode) (i32.const 2))
        (then (local.set $ret (i64.const {near_end}))))
      (if (i32.eq (global.get $fault_mode) (i32.const 3))
        (then (call $log (i32.const {tc}) (i64.const 0) (i64.const 0))))))
  (if (i32.lt_u (local.get $n) (i32.const {REALLOC_LOG_MAX}))
    (then
      (local.set $e (i32.add (i32.const 0x100) (i32.mul (local.get $n) (i32.const 48))))
      (i64.store $m32 (local.get $e) (local.get $kind))
      (i64.store $m32 offset=8 (local.get $e) (local.get $old))
      (i64.store $m32 offset=16 (local.get $e) (local.get $old_size))
      (i64.store $m32 offset=24 (local.get $e) (local.get $align))
      (i64.store $m32 offset=32 (local.get $e) (local.get $new))
      (i64.store $m32 offset=40 (local.get $e) (local.get $ret))))
  (local.get $ret))
(func (export "realloc32") (param $old i32) (param $old_size i32) (param $align i32) (param $new i32)
    (result i32)
  (local $p i32) (local $a i32)
  ;; Every block is 8-aligned, so that an allocation's place does not
  ;; depend on the alignment asked for (which is logged all the same).
  (local.set $a (select (local.get $align) (i32.const 8) (i32.gt_u (local.get $align) (i32.const 8))))
  (local.set $p
    (i32.and
      (i32.add (global.get $h32) (i32.sub (local.get $a) (i32.const 1)))
      (i32.sub (i32.const 0) (local.get $a))))
  (global.set $h32 (i32.add (local.get $p) (local.get $new)))
  (if (i32.and (i32.ne (local.get $old) (i32.const 0)) (i32.eqz (call $forgets)))
    (then
      (memory.copy $m32 $m32 (local.get $p) (local.get $old)
        (select (local.get $old_size) (local.get $new)
          (i32.lt_u (local.get $old_size) (local.get $new))))))
  (i32.wrap_i64
    (call $record (i64.const 32)
      (i64.extend_i32_u (local.get $old)) (i64.extend_i32_u (local.get $old_size))
      (i64.extend_i32_u (local.get $align)) (i64.extend_i32_u (local.get $new))
      (i64.extend_i32_u (local.get $p)))))
(func $dump32 (param $end i32)
  (local $a i32) (local $v i64)
  (block $done
    (loop $next
      (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
      (local.set $v (i64.load $m32 (local.get $a)))
      (if (i64.ne (local.get $v) (i64.const 0))
        (then (call $log (i32.const {t32}) (i64.extend_i32_u (local.get $a)) (local.get $v))))
      (local.set $a (i32.add (local.get $a) (i32.const 8)))
      (br $next))))
"#,
        t32 = tag::MEM32,
        tc = tag::CALL_OUT,
        forgets = FAULT_FORGETS,
    )
    .unwrap();
    let end32 = format!(
        "(select (i32.const {MEMORY_SIZE}) (i32.and (i32.add (global.get $h32) (i32.const 7)) (i32.const -8)) \
         (i32.gt_u (global.get $h32) (i32.const {})))",
        MEMORY_SIZE - 8
    );
    if memory64 {
        writeln!(
            w,
            r#"
(func (export "realloc64") (param $old i64) (param $old_size i64) (param $align i64) (param $new i64)
    (result i64)
  (local $p i64) (local $a i64)
  (local.set $a (select (local.get $align) (i64.const 8) (i64.gt_u (local.get $align) (i64.const 8))))
  (local.set $p
    (i64.and
      (i64.add (global.get $h64) (i64.sub (local.get $a) (i64.const 1)))
      (i64.sub (i64.const 0) (local.get $a))))
  (global.set $h64 (i64.add (local.get $p) (local.get $new)))
  (if (i32.and (i64.ne (local.get $old) (i64.const 0)) (i32.eqz (call $forgets)))
    (then
      (memory.copy $m64 $m64 (local.get $p) (local.get $old)
        (select (local.get $old_size) (local.get $new)
          (i64.lt_u (local.get $old_size) (local.get $new))))))
  (call $record (i64.const 64) (local.get $old) (local.get $old_size) (local.get $align)
    (local.get $new) (local.get $p)))
(func $dump64 (param $end i64)
  (local $a i64) (local $v i64)
  (block $done
    (loop $next
      (br_if $done (i64.ge_u (local.get $a) (local.get $end)))
      (local.set $v (i64.load $m64 (local.get $a)))
      (if (i64.ne (local.get $v) (i64.const 0))
        (then (call $log (i32.const {t64}) (local.get $a) (local.get $v))))
      (local.set $a (i64.add (local.get $a) (i64.const 8)))
      (br $next))))
(func (export "dump")
  (call $dump32 {end32})
  (call $dump64
    (select (i64.const {MEMORY_SIZE}) (i64.and (i64.add (global.get $h64) (i64.const 7)) (i64.const -8))
      (i64.gt_u (global.get $h64) (i64.const {end}))))
  (call $log (i32.const {th}) (i64.extend_i32_u (global.get $h32)) (global.get $h64)))
"#,
            end = MEMORY_SIZE - 8,
            t64 = tag::MEM64,
            th = tag::HEAP,
        )
        .unwrap();
    } else {
        writeln!(
            w,
            r#"
(func (export "dump")
  (call $dump32 {end32})
  (call $log (i32.const {th}) (i64.extend_i32_u (global.get $h32)) (i64.const 0)))
"#,
            th = tag::HEAP,
        )
        .unwrap();
    }
    w
}

fn mem_name(mem64: bool) -> &'static str {
    if mem64 {
        "$m64"
    } else {
        "$m32"
    }
}

fn addr_const(mem64: bool, addr: u64) -> String {
    if mem64 {
        format!("(i64.const {addr})")
    } else {
        format!("(i32.const {addr})")
    }
}

/// Stores local `i` of type `ty` at `addr` of `mem32`.
fn store_local(ty: CoreTy, i: usize, addr: u64) -> String {
    match ty {
        CoreTy::I32 => {
            format!("(i64.store $m32 (i32.const {addr}) (i64.extend_i32_u (local.get {i})))\n")
        }
        CoreTy::I64 => format!("(i64.store $m32 (i32.const {addr}) (local.get {i}))\n"),
        CoreTy::F32 => format!("(f32.store $m32 (i32.const {addr}) (local.get {i}))\n"),
        CoreTy::F64 => format!("(f64.store $m32 (i32.const {addr}) (local.get {i}))\n"),
    }
}

fn bump(addr: u64) -> String {
    format!(
        "(i64.store $m32 (i32.const {addr}) (i64.add (i64.load $m32 (i32.const {addr})) (i64.const 1)))\n"
    )
}

/// `$record_event(code, index, payload)`: counts the events an instance
/// observed at `0xb8` and keeps the first four at `0xc8`, each as `code |
/// index << 8 | payload << 40`.
const RECORD_EVENT: &str = r#"(func $record_event (param $code i32) (param $index i32) (param $payload i32)
  (local $n i32)
  (local.set $n (i32.wrap_i64 (i64.load $m32 (i32.const 0xb8))))
  (i64.store $m32 (i32.const 0xb8) (i64.extend_i32_u (i32.add (local.get $n) (i32.const 1))))
  (if (i32.lt_u (local.get $n) (i32.const 4))
    (then (i64.store $m32 (i32.add (i32.const 0xc8) (i32.shl (local.get $n) (i32.const 3)))
      (i64.or (i64.extend_i32_u (local.get $code))
        (i64.or (i64.shl (i64.extend_i32_u (local.get $index)) (i64.const 8))
          (i64.shl (i64.extend_i32_u (local.get $payload)) (i64.const 40))))))))
"#;

/// The canon built-ins the caller's main module imports to wait for a
/// subtask.
const WAIT_IMPORTS: &str = r#"(import "canon" "waitable-set.new" (func $waitable_set_new (result i32)))
(import "canon" "waitable-set.wait" (func $waitable_set_wait (param i32 i32) (result i32)))
(import "canon" "waitable-set.drop" (func $waitable_set_drop (param i32)))
(import "canon" "waitable.join" (func $waitable_join (param i32 i32)))
(import "canon" "subtask.drop" (func $subtask_drop (param i32)))
"#;

/// `$wait_for(status)`: keeps an `async` lower's packed status at `0xb0`;
/// if the call did not return at once, waits for its subtask's events
/// (recording each) until it has returned, then drops the subtask and the
/// set.
const WAIT_FOR: &str = r#"(func $wait_for (param $status i32)
  (local $set i32) (local $code i32)
  (i64.store $m32 (i32.const 0xb0) (i64.extend_i32_u (local.get $status)))
  (if (i32.ne (i32.and (local.get $status) (i32.const 15)) (i32.const 2))
    (then
      (local.set $set (call $waitable_set_new))
      (call $waitable_join (i32.shr_u (local.get $status) (i32.const 4)) (local.get $set))
      (loop $wait
        (local.set $code (call $waitable_set_wait (local.get $set) (i32.const 0xf0)))
        (call $record_event (local.get $code) (i32.load $m32 (i32.const 0xf0))
          (i32.load $m32 (i32.const 0xf4)))
        (br_if $wait (i32.ne (i32.load $m32 (i32.const 0xf4)) (i32.const 2))))
      (call $subtask_drop (i32.shr_u (local.get $status) (i32.const 4)))
      (call $waitable_set_drop (local.get $set)))))
"#;

/// The memory imports of a module whose memories another module defines
/// (module `module`), as [`memory_module_fields`] does.
fn memory_imports(module: &str, memory64: bool) -> String {
    let size = MEMORY_SIZE / 65536;
    let mut w = format!("(import \"{module}\" \"mem32\" (memory $m32 {size} {size}))\n");
    if memory64 {
        writeln!(
            w,
            "(import \"{module}\" \"mem64\" (memory $m64 i64 {size} {size}))"
        )
        .unwrap();
    }
    w
}

/// The fields of the module that defines the callee's memories: the
/// callee imports them, because a callback lift's `task.return` (which the
/// callee imports too) names the callee's memory.
pub fn memory_module_fields(memory64: bool) -> String {
    let size = MEMORY_SIZE / 65536;
    let mut w = format!("(memory (export \"mem32\") {size} {size})\n");
    if memory64 {
        writeln!(w, "(memory (export \"mem64\") i64 {size} {size})").unwrap();
    }
    w
}

/// The fields of the callee's core module: for case `i`, `f<i>` (the lifted
/// core function), and `pr<i>` (its `post-return`) or `cb<i>` (the callback
/// of a callback lift, which returns its result through its `task.return`,
/// imported as `canon` `task.return<i>`). It imports its memories from
/// `cmem` ([`memory_module_fields`]) and exports them again.
pub fn callee_fields(cases: &[(usize, &Case)], memory64: bool) -> String {
    let mut w = memory_imports("cmem", memory64);
    w += "(import \"host\" \"log\" (func $log (param i32 i64 i64)))\n";
    w += RES_IMPORTS_CALLEE;
    for (i, case) in cases {
        if case.lift.async_ {
            writeln!(
                w,
                "(import \"canon\" \"task.return{i}\" (func $task_return{i}{}))",
                params_wat(&case.task_return_params())
            )
            .unwrap();
        }
    }
    w += "(export \"mem32\" (memory $m32))\n";
    if memory64 {
        w += "(export \"mem64\" (memory $m64))\n";
    }
    w += &runtime_fields(memory64, "import");
    w += RECORD_EVENT;
    w += "(global $yields (mut i32) (i32.const 0))\n";
    // `make-r` and `rep-r`: a `borrow<r>` reaches its implementer as the rep.
    w += "(func (export \"make-r\") (param i32) (result i32) (call $new_r (local.get 0)))\n";
    w += "(func (export \"rep-r\") (param i32) (result i32) (local.get 0))\n";
    for (i, case) in cases {
        let mem64 = case.lift.mem64();
        let (params, results) = case.core_sig(true);
        writeln!(w, "(data $r{i} {})", data_string(&case.ret_image.bytes)).unwrap();
        writeln!(
            w,
            "(func (export \"f{i}\"){}{}{}",
            params_wat(&params),
            results_wat(&results),
            handle_locals(&case.ret_handles)
        )
        .unwrap();
        w += &bump(0x10);
        for (j, t) in params.iter().enumerate() {
            w += &store_local(*t, j, 0x20 + 8 * j as u64);
        }
        // The handles received, then the borrowed ones given back.
        let received = tables::callee_indices(&case.arg_handles);
        for (h, index) in case.arg_handles.iter().zip(&received) {
            if let Some(index) = index {
                w += &log_handle(tag::HANDLE_CALLEE, *index, h.res, "$rep_r");
            }
        }
        for (h, index) in case.arg_handles.iter().zip(&received) {
            if let (true, Some(index)) = (h.borrow, index) {
                writeln!(
                    w,
                    "(if (i32.ne (global.get $fault_mode) (i32.const {FAULT_KEEPS_BORROWS}))\n  \
                     (then (call $drop_s (i32.const {index}))))"
                )
                .unwrap();
            }
        }
        // The result: written into memory, its handles created.
        let mut result = format!(
            "(memory.init {} $r{i} {} (i32.const 0) (i32.const {}))\n",
            mem_name(mem64),
            addr_const(mem64, STATIC_BASE),
            case.ret_image.bytes.len()
        );
        result += &create_handles(&case.ret_handles, "$new_r");
        result += &store_handles(&case.ret_handles, mem64);
        let results_flat = flat_values(&case.ret_flat, &case.ret_handles);
        if case.lift.async_ {
            // The result goes through `task.return`, then the task exits:
            // from the first call, or from the callback after `yields`
            // yields, each callback call recording its event.
            let give = format!("{result}(call $task_return{i} {results_flat}) (i32.const 0)");
            if case.yields == 0 {
                writeln!(w, "{give})").unwrap();
                writeln!(
                    w,
                    "(func (export \"cb{i}\") (param i32 i32 i32) (result i32) unreachable)"
                )
                .unwrap();
            } else {
                writeln!(
                    w,
                    "(global.set $yields (i32.const {})) (i32.const 1))\n\
                     (func (export \"cb{i}\") (param i32 i32 i32) (result i32)\n\
                     (call $record_event (local.get 0) (local.get 1) (local.get 2))\n\
                     (global.set $yields (i32.sub (global.get $yields) (i32.const 1)))\n\
                     (if (global.get $yields) (then (return (i32.const 1))))\n{give})",
                    case.yields
                )
                .unwrap();
            }
            continue;
        }
        w += &result;
        w += &results_flat;
        w += ")\n";
        writeln!(w, "(func (export \"pr{i}\"){}", params_wat(&results)).unwrap();
        w += &bump(0x18);
        writeln!(
            w,
            "(if (i32.eq (global.get $fault_mode) (i32.const {FAULT_POST_RETURN_CALLS_OUT}))\n  \
             (then (call $log (i32.const {}) (i64.const 0) (i64.const 0))))",
            tag::CALL_OUT
        )
        .unwrap();
        for (j, t) in results.iter().enumerate() {
            w += &store_local(*t, j, 0xa0 + 8 * j as u64);
        }
        w += ")\n";
    }
    w
}

/// The fields of the caller's runtime module.
pub fn runtime_module_fields(memory64: bool) -> String {
    let mut w = String::new();
    w += "(import \"host\" \"log\" (func $log (param i32 i64 i64)))\n";
    w += &runtime_fields(memory64, "define");
    w
}

/// The fields of the caller's main module: `run<i>` writes case `i`'s
/// arguments into memory and calls the adapter `f<i>`, which it imports
/// from `adapters`.
pub fn main_fields(cases: &[(usize, &Case)], memory64: bool) -> String {
    let size = MEMORY_SIZE / 65536;
    let mut w = String::new();
    writeln!(w, "(import \"rt\" \"mem32\" (memory $m32 {size} {size}))").unwrap();
    if memory64 {
        writeln!(
            w,
            "(import \"rt\" \"mem64\" (memory $m64 i64 {size} {size}))"
        )
        .unwrap();
    }
    w += "(import \"host\" \"log\" (func $log (param i32 i64 i64)))\n";
    w += RES_IMPORTS_CALLER;
    let waits = cases.iter().any(|(_, c)| c.lower.async_);
    if waits {
        w += WAIT_IMPORTS;
    }
    for (i, case) in cases {
        let (params, results) = case.core_sig(false);
        writeln!(
            w,
            "(import \"adapters\" \"f{i}\" (func $f{i}{}{}))",
            params_wat(&params),
            results_wat(&results)
        )
        .unwrap();
    }
    if waits {
        w += RECORD_EVENT;
        w += WAIT_FOR;
    }
    for (i, case) in cases {
        let mem64 = case.lower.mem64();
        writeln!(w, "(data $a{i} {})", data_string(&case.arg_image.bytes)).unwrap();
        writeln!(
            w,
            "(func (export \"run{i}\"){}",
            handle_locals(&case.arg_handles)
        )
        .unwrap();
        if case.lower.memory.is_some() {
            writeln!(
                w,
                "(memory.init {} $a{i} {} (i32.const 0) (i32.const {}))",
                mem_name(mem64),
                addr_const(mem64, STATIC_BASE),
                case.arg_image.bytes.len()
            )
            .unwrap();
        }
        w += &create_handles(&case.arg_handles, "$make_r");
        w += &store_handles(&case.arg_handles, mem64);
        // An `async` lower's result is its packed status.
        let (_, results) = case.core_sig(false);
        let call = flat_values(&case.arg_flat, &case.arg_handles);
        if case.lower.async_ {
            writeln!(w, "(call $wait_for (call $f{i} {call}))").unwrap();
        } else {
            match results.first() {
                None => writeln!(w, "(call $f{i} {call})").unwrap(),
                Some(CoreTy::I32) => writeln!(
                    w,
                    "(i64.store $m32 (i32.const 0xb0) (i64.extend_i32_u (call $f{i} {call})))"
                )
                .unwrap(),
                Some(CoreTy::I64) => {
                    writeln!(w, "(i64.store $m32 (i32.const 0xb0) (call $f{i} {call}))").unwrap()
                }
                Some(CoreTy::F32) => {
                    writeln!(w, "(f32.store $m32 (i32.const 0xb0) (call $f{i} {call}))").unwrap()
                }
                Some(CoreTy::F64) => {
                    writeln!(w, "(f64.store $m32 (i32.const 0xb0) (call $f{i} {call}))").unwrap()
                }
            }
        }
        let got = tables::caller_result_indices(&case.arg_handles, &case.ret_handles);
        for (h, index) in case.ret_handles.iter().zip(got) {
            w += &log_handle(tag::HANDLE_CALLER, index, h.res, "$rep_r");
        }
        w += ")\n";
    }
    w
}
