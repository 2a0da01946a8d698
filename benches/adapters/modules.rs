//! The core modules of a case, and the component that wires them for
//! Wasmtime's runtime. The same core modules run on every path.
//!
//! - `runtime`: the caller's memory and `realloc` (the `realloc` always
//!   returns [`DATA`]; `load` records where the data went and the length
//!   argument). In a module of its own because `canon lower` needs the memory
//!   before the caller's main module, which imports the lowered function, can
//!   be instantiated (as in `examples/hello`).
//! - `main`: the caller. `run(k)` calls its import `adapters` `f` `k` times
//!   in a loop, with the pointer and length `load` recorded (scalar: with the
//!   loop counter and the previous result) and returns the last result.
//! - `callee`: lifts `f`, which records what it received at address 0 and
//!   resets the bump allocator (every call allocates at [`HEAP`] again), and
//!   `digest`, which hashes what the last call received.
//! - `limit`: the physical limit, in the loop shape of `main`: per
//!   iteration one `memory.copy` of the case's byte count from the caller's
//!   memory into the callee's, and one plain core call to the callee's `f`.

use super::cases::{Case, Elem, Kind, DATA, HEAP, PAGES, RECORD_SIZE};
use fact_core::StringEncoding;

/// The caller's memory and `realloc`.
pub fn runtime() -> String {
    format!(
        r#"(module
  (memory (export "memory") {PAGES})
  (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) (i32.const {DATA}))
  (func (export "load") (param $ptr i32) (param $len i32) (param $arg i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $arg))))"#
    )
}

/// The core signature of `f` (caller's and callee's alike).
fn f_type(case: &Case) -> &'static str {
    match case.kind {
        Kind::Scalar => "(param i32 i32) (result i32)",
        _ => "(param i32 i32)",
    }
}

/// The body of one iteration of the caller's loop.
fn call_f(case: &Case) -> &'static str {
    match case.kind {
        Kind::Scalar => "(local.set $acc (call $f (local.get $k) (local.get $acc)))",
        _ => "(call $f (local.get $p) (local.get $a))",
    }
}

/// `run(k)`: `k` iterations of `body`.
fn run_loop(body: &str) -> String {
    format!(
        r#"(func (export "run") (param $k i32) (result i32)
    (local $p i32) (local $a i32) (local $acc i32)
    (local.set $p (i32.load $rt (i32.const 0)))
    (local.set $a (i32.load $rt (i32.const 4)))
    (block $done
      (br_if $done (i32.eqz (local.get $k)))
      (loop $next
        {body}
        (br_if $next (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))
    (local.get $acc))"#
    )
}

/// The caller's main module.
pub fn main(case: &Case) -> String {
    format!(
        r#"(module
  (import "rt" "memory" (memory $rt 0))
  (import "adapters" "f" (func $f {}))
  {})"#,
        f_type(case),
        run_loop(call_f(case))
    )
}

/// The limit: `memory.copy` into the callee's memory and a plain call.
pub fn limit(case: &Case, bytes: usize) -> String {
    let copy = if bytes == 0 {
        String::new()
    } else {
        format!("(memory.copy $callee $rt (i32.const {HEAP}) (local.get $p) (i32.const {bytes}))")
    };
    format!(
        r#"(module
  (import "rt" "memory" (memory $rt 0))
  (import "callee" "memory" (memory $callee 0))
  (import "callee" "f" (func $f {}))
  {})"#,
        f_type(case),
        run_loop(&format!("{copy}\n        {}", call_f(case)))
    )
}

/// A module that forwards `f` to the callee's (scalar signature).
pub fn relay() -> String {
    r#"(module
  (import "callee" "f" (func $f (param i32 i32) (result i32)))
  (func (export "f") (param i32 i32) (result i32)
    (call $f (local.get 0) (local.get 1))))"#
        .to_string()
}

/// The callee's module.
pub fn callee(case: &Case) -> String {
    let f = match case.kind {
        Kind::Scalar => {
            r#"(func (export "f") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))"#
                .to_string()
        }
        _ => format!(
            r#"(func (export "f") (param i32 i32)
    (i32.store (i32.const 0) (local.get 0))
    (i32.store (i32.const 4) (local.get 1))
    (global.set $heap (i32.const {HEAP})))"#
        ),
    };
    // How many bytes the received value has, from `$p` and `$n`.
    let digest = match case.kind {
        Kind::Scalar => "(local.get $h)".to_string(),
        Kind::String { dst, .. } => match dst {
            StringEncoding::Utf8 => {
                "(call $fnv (local.get $h) (local.get $p) (local.get $n))".into()
            }
            StringEncoding::Utf16 => {
                "(call $fnv (local.get $h) (local.get $p) (i32.shl (local.get $n) (i32.const 1)))"
                    .into()
            }
            StringEncoding::CompactUtf16 => {
                r#"(if (result i64) (i32.lt_s (local.get $n) (i32.const 0))
      (then (call $fnv (local.get $h) (local.get $p)
        (i32.shl (i32.and (local.get $n) (i32.const 0x7fffffff)) (i32.const 1))))
      (else (call $fnv (local.get $h) (local.get $p) (local.get $n))))"#
                    .into()
            }
        },
        Kind::List(elem) => format!(
            "(call $fnv (local.get $h) (local.get $p) (i32.mul (local.get $n) (i32.const {})))",
            elem.size()
        ),
        Kind::Records => format!(
            r#"(block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $h (call $fnv (local.get $h) (local.get $p) (i32.const 4)))
        (local.set $h (call $fnv (local.get $h)
          (i32.load offset=4 (local.get $p)) (i32.load offset=8 (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const {RECORD_SIZE})))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $h)"#
        ),
    };
    format!(
        r#"(module
  (memory (export "memory") {PAGES})
  (global $heap (mut i32) (i32.const {HEAP}))
  ;; A bump allocator that grows or shrinks the last allocation in place.
  (func (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32)
    (result i32)
    (local $ptr i32)
    (if (i32.and
          (i32.and (i32.ne (local.get $old) (i32.const 0))
                   (i32.eqz (i32.and (local.get $old) (i32.sub (local.get $align) (i32.const 1)))))
          (i32.eq (i32.add (local.get $old) (local.get $old_size)) (global.get $heap)))
      (then
        (global.set $heap (i32.add (local.get $old) (local.get $new_size)))
        (return (local.get $old))))
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (if (local.get $old)
      (then (memory.copy (local.get $ptr) (local.get $old)
        (select (local.get $old_size) (local.get $new_size)
          (i32.lt_u (local.get $old_size) (local.get $new_size))))))
    (local.get $ptr))
  {f}
  ;; FNV-1a of `$n` bytes at `$p`, continuing from `$h`.
  (func $fnv (param $h i64) (param $p i32) (param $n i32) (result i64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $h (i64.mul (i64.xor (local.get $h) (i64.load8_u (local.get $p)))
                               (i64.const 0x100000001b3)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $h))
  ;; What the last call of `f` received: its length argument, then its bytes.
  (func (export "digest") (result i64)
    (local $p i32) (local $n i32) (local $h i64)
    (local.set $p (i32.load (i32.const 0)))
    (local.set $n (i32.load (i32.const 4)))
    (local.set $h (call $fnv (i64.const 0xcbf29ce484222325) (i32.const 4) (i32.const 4)))
    {digest}))"#
    )
}

fn encoding_option(e: StringEncoding) -> &'static str {
    match e {
        StringEncoding::Utf8 => "string-encoding=utf8",
        StringEncoding::Utf16 => "string-encoding=utf16",
        StringEncoding::CompactUtf16 => "string-encoding=latin1+utf16",
    }
}

/// The component for Wasmtime: a callee component lifting `f` and `digest`,
/// a caller component lowering `f` into `main` and lifting `run` and `load`,
/// and an outer component instantiating both.
pub fn component(case: &Case) -> String {
    let (lower_enc, lift_enc) = case.encodings();
    let (param, result) = match case.kind {
        Kind::Scalar => (r#"(param "a" u32) (param "b" u32)"#, r#"(result u32)"#),
        Kind::String { .. } => (r#"(param "x" string)"#, ""),
        Kind::List(Elem::U8) => (r#"(param "x" (list u8))"#, ""),
        Kind::List(Elem::U32) => (r#"(param "x" (list u32))"#, ""),
        Kind::List(Elem::F64) => (r#"(param "x" (list f64))"#, ""),
        Kind::Records => (r#"(param "x" (list $r))"#, ""),
    };
    let record = r#"(record (field "a" u32) (field "b" string))"#;
    let (callee_types, caller_types, with_types) = match case.kind {
        Kind::Records => (
            format!(r#"(type $r-def {record}) (export $r "r" (type $r-def))"#),
            format!(r#"(type $r-def {record}) (import "r" (type $r (eq $r-def)))"#),
            r#"(with "r" (type $callee "r"))"#,
        ),
        _ => (String::new(), String::new(), ""),
    };
    let (runtime, callee, main) = (runtime(), callee(case), main(case));
    // A scalar call needs no memory.
    let (lift_opts, lower_opts) = match case.kind {
        Kind::Scalar => (String::new(), String::new()),
        _ => (
            format!(
                r#"(memory $m "memory") (realloc (func $m "cabi_realloc")) {}"#,
                encoding_option(lift_enc)
            ),
            format!(r#"(memory $rt "memory") {}"#, encoding_option(lower_enc)),
        ),
    };
    format!(
        r#"(component
  (component $Callee
    (core module $M {callee_body})
    (core instance $m (instantiate $M))
    {callee_types}
    (func $f {param} {result} (canon lift (core func $m "f") {lift_opts}))
    (export "f" (func $f))
    (func $digest (result u64) (canon lift (core func $m "digest")))
    (export "digest" (func $digest)))
  (component $Caller
    {caller_types}
    (import "f" (func $f {param} {result}))
    (core module $RT {runtime_body})
    (core instance $rt (instantiate $RT))
    (core func $f-lowered (canon lower (func $f) {lower_opts}))
    (core module $Main {main_body})
    (core instance $main (instantiate $Main
      (with "rt" (instance $rt))
      (with "adapters" (instance (export "f" (func $f-lowered))))))
    (func $run (param "k" u32) (result u32) (canon lift (core func $main "run")))
    (export "run" (func $run))
    (func $load (param "data" (list u8)) (param "arg" u32)
      (canon lift (core func $rt "load") (memory $rt "memory") (realloc (func $rt "cabi_realloc"))))
    (export "load" (func $load)))
  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller {with_types} (with "f" (func $callee "f"))))
  (export "run" (func $caller "run"))
  (export "load" (func $caller "load"))
  (export "digest" (func $callee "digest")))"#,
        callee_body = strip_module(&callee),
        runtime_body = strip_module(&runtime),
        main_body = strip_module(&main),
    )
}

/// The fields of a `(module ...)`, to nest it as `(core module $X ...)`.
fn strip_module(module: &str) -> &str {
    module
        .trim()
        .strip_prefix("(module")
        .and_then(|m| m.strip_suffix(')'))
        .expect("a (module ...)")
}
