//! The WIT and the component of a batch, for Wasmtime's runtime: the core
//! modules of `modules.rs` wrapped in a callee component (which lifts each
//! case's function, and defines the resource `r`) and a caller component
//! (which lowers them and lifts `run<i>`), with the host's resource `s` and
//! `log` imported by both, and the built-ins of `async` functions.

use super::case::Case;
use super::modules::{callee_fields, main_fields, memory_module_fields, runtime_module_fields};
use super::types::Namer;
use fact_core::StringEncoding;
use std::fmt::Write;

fn encoding_option(e: StringEncoding) -> &'static str {
    match e {
        StringEncoding::Utf8 => "string-encoding=utf8",
        StringEncoding::Utf16 => "string-encoding=utf16",
        StringEncoding::CompactUtf16 => "string-encoding=latin1+utf16",
    }
}

/// The canonical options of a side: its memory exported by core instance
/// `memories`, its `realloc` by `instance`.
fn canon_options(opts: &super::case::Opts, memories: &str, instance: &str) -> String {
    let mut s = memory_options(opts, memories);
    if let (Some(mem64), true) = (opts.memory, opts.realloc) {
        let realloc = if mem64 { "realloc64" } else { "realloc32" };
        write!(s, " (realloc (func ${instance} \"{realloc}\"))").unwrap();
    }
    if opts.async_ {
        s += " async";
    }
    s
}

/// The string encoding and memory of a side (what `task.return` takes).
fn memory_options(opts: &super::case::Opts, memories: &str) -> String {
    let mut s = format!(" {}", encoding_option(opts.encoding));
    if let Some(mem64) = opts.memory {
        let mem = if mem64 { "mem64" } else { "mem32" };
        write!(s, " (memory ${memories} \"{mem}\")").unwrap();
    }
    s
}

/// Spells the types of case `i` for the component: the named type
/// definitions and the function type.
struct CaseTypes {
    defs: Vec<(String, String)>,
    func: String,
    /// The result type, if any.
    result: Option<String>,
}

fn case_types(i: usize, case: &Case) -> CaseTypes {
    let mut namer = Namer::new(i);
    let mut func = String::new();
    if case.async_fn {
        func += " async";
    }
    let mut result = None;
    for (j, p) in case.params.iter().enumerate() {
        let (_, cm) = namer.name(p);
        write!(func, " (param \"p{j}\" {cm})").unwrap();
    }
    if let Some(r) = &case.result {
        let (_, cm) = namer.name(r);
        write!(func, " (result {cm})").unwrap();
        result = Some(cm);
    }
    CaseTypes {
        defs: namer.cm_defs,
        func,
        result,
    }
}

/// The WIT of a batch: interface `i` with the functions `call<i>` (`f<i>`
/// would collide with the keywords `f32` and `f64`).
pub fn wit(cases: &[(usize, &Case)]) -> String {
    let mut w = String::from("package test:diff;\ninterface i {\n");
    w += "  resource r;\n  resource s;\n";
    w += "  make-r: func(rep: u32) -> own<r>;\n  rep-r: func(h: borrow<r>) -> u32;\n";
    for (i, case) in cases {
        let mut namer = Namer::new(*i);
        let params: Vec<String> = case
            .params
            .iter()
            .enumerate()
            .map(|(j, p)| format!("p{j}: {}", namer.name(p).0))
            .collect();
        let result = case
            .result
            .as_ref()
            .map(|r| format!(" -> {}", namer.name(r).0))
            .unwrap_or_default();
        for d in &namer.wit_defs {
            writeln!(w, "  {d}").unwrap();
        }
        let async_ = if case.async_fn { "async " } else { "" };
        writeln!(w, "  call{i}: {async_}func({}){result};", params.join(", ")).unwrap();
    }
    w += "}\nworld w { export i; }\n";
    w
}

const LOG_TYPE: &str = "(param \"tag\" u32) (param \"a\" u64) (param \"b\" u64)";

/// The imports of the host's resource `s` (of the root, the caller and
/// the callee).
const S_IMPORTS: &str = r#"(import "s" (type $s (sub resource)))
(import "make-s" (func $make-s (param "rep" u32) (result (own $s))))
(import "rep-s" (func $rep-s (param "h" (borrow $s)) (result u32)))
"#;

/// Passes the host's `s` on to an instance.
const S_WITH: &str =
    r#" (with "s" (type $s)) (with "make-s" (func $make-s)) (with "rep-s" (func $rep-s))"#;

/// The component of a batch, for Wasmtime's runtime.
pub fn component(cases: &[(usize, &Case)], memory64: bool) -> String {
    let types: Vec<CaseTypes> = cases.iter().map(|(i, c)| case_types(*i, c)).collect();
    let mut w = String::new();
    writeln!(w, "(component\n(import \"log\" (func $log {LOG_TYPE}))").unwrap();
    w += S_IMPORTS;

    // The callee: defines `r`, lifts `make-r`, `rep-r` and `f<i>`.
    writeln!(
        w,
        "(component $Callee\n(import \"log\" (func $log {LOG_TYPE}))"
    )
    .unwrap();
    w += S_IMPORTS;
    w += "(type $r-d (resource (rep i32)))\n(export $r \"r\" (type $r-d))\n";
    // The cases' types first: `task.return` names them.
    for ty in &types {
        for (name, def) in &ty.defs {
            writeln!(
                w,
                "(type ${name}-d {def})\n(export ${name} \"{name}\" (type ${name}-d))"
            )
            .unwrap();
        }
    }
    writeln!(
        w,
        "(core module $CMem\n{})\n(core instance $cmem (instantiate $CMem))",
        memory_module_fields(memory64)
    )
    .unwrap();
    writeln!(w, "(core module $M\n{})", callee_fields(cases, memory64)).unwrap();
    let mut canon = String::new();
    for ((i, case), ty) in cases.iter().zip(&types) {
        if case.lift.async_ {
            let result = ty
                .result
                .as_ref()
                .map(|r| format!(" (result {r})"))
                .unwrap_or_default();
            writeln!(
                w,
                "(core func $task.return{i} (canon task.return{result}{}))",
                memory_options(&case.lift, "cmem")
            )
            .unwrap();
            write!(canon, " (export \"task.return{i}\" (func $task.return{i}))").unwrap();
        }
    }
    w += "(core func $logc (canon lower (func $log)))\n";
    w += "(core func $new-r (canon resource.new $r-d))\n";
    w += "(core func $rep-r (canon resource.rep $r-d))\n";
    w += "(core func $drop-s (canon resource.drop $s))\n";
    w += "(core func $make-s-c (canon lower (func $make-s)))\n";
    w += "(core func $rep-s-c (canon lower (func $rep-s)))\n";
    w += "(core instance $m (instantiate $M (with \"host\" (instance (export \"log\" (func $logc))))\n";
    writeln!(
        w,
        "  (with \"cmem\" (instance $cmem)) (with \"canon\" (instance{canon}))"
    )
    .unwrap();
    w += "  (with \"res\" (instance (export \"new-r\" (func $new-r)) (export \"rep-r\" (func $rep-r))\n";
    w += "    (export \"drop-s\" (func $drop-s)) (export \"make-s\" (func $make-s-c)) (export \"rep-s\" (func $rep-s-c))))))\n";
    w += "(func $make-r (param \"rep\" u32) (result (own $r)) (canon lift (core func $m \"make-r\")))\n";
    w += "(export \"make-r\" (func $make-r))\n";
    w += "(func $rep-r-f (param \"h\" (borrow $r)) (result u32) (canon lift (core func $m \"rep-r\")))\n";
    w += "(export \"rep-r\" (func $rep-r-f))\n";
    for ((i, case), ty) in cases.iter().zip(&types) {
        let mut opts = canon_options(&case.lift, "cmem", "m");
        if case.lift.async_ {
            write!(opts, " (callback (func $m \"cb{i}\"))").unwrap();
        }
        if case.lift.post_return {
            write!(opts, " (post-return (func $m \"pr{i}\"))").unwrap();
        }
        writeln!(
            w,
            "(func $f{i}{} (canon lift (core func $m \"f{i}\"){opts}))\n(export \"call{i}\" (func $f{i}))",
            ty.func
        )
        .unwrap();
    }
    w += "(func $dump (canon lift (core func $m \"dump\")))\n(export \"dump\" (func $dump))\n";
    w += "(func $setup (param \"mode\" u32) (param \"at\" u32) (canon lift (core func $m \"setup\")))\n";
    w += "(export \"setup\" (func $setup))\n)\n";

    // The caller: lowers `make-r`, `rep-r` and `f<i>`, lifts `run<i>`.
    writeln!(
        w,
        "(component $Caller\n(import \"log\" (func $log {LOG_TYPE}))"
    )
    .unwrap();
    w += S_IMPORTS;
    w += "(import \"r\" (type $r (sub resource)))\n";
    w += "(import \"make-r\" (func $make-r (param \"rep\" u32) (result (own $r))))\n";
    w += "(import \"rep-r\" (func $rep-r (param \"h\" (borrow $r)) (result u32)))\n";
    for ((i, _), ty) in cases.iter().zip(&types) {
        for (name, def) in &ty.defs {
            writeln!(
                w,
                "(type ${name}-d {def})\n(import \"{name}\" (type ${name} (eq ${name}-d)))"
            )
            .unwrap();
        }
        writeln!(w, "(import \"call{i}\" (func $f{i}{}))", ty.func).unwrap();
    }
    w += "(core func $logc (canon lower (func $log)))\n";
    writeln!(w, "(core module $RT\n{})", runtime_module_fields(memory64)).unwrap();
    w += "(core instance $rt (instantiate $RT (with \"host\" (instance (export \"log\" (func $logc))))))\n";
    for (i, case) in cases {
        writeln!(
            w,
            "(core func $f{i}c (canon lower (func $f{i}){}))",
            canon_options(&case.lower, "rt", "rt")
        )
        .unwrap();
    }
    w += "(core func $make-r-c (canon lower (func $make-r)))\n";
    w += "(core func $rep-r-c (canon lower (func $rep-r)))\n";
    w += "(core func $make-s-c (canon lower (func $make-s)))\n";
    w += "(core func $rep-s-c (canon lower (func $rep-s)))\n";
    writeln!(w, "(core module $Main\n{})", main_fields(cases, memory64)).unwrap();
    // The built-ins an `async` caller waits with.
    let mut canon = String::new();
    if cases.iter().any(|(_, c)| c.lower.async_) {
        for (name, def) in [
            ("waitable-set.new", "waitable-set.new"),
            (
                "waitable-set.wait",
                "waitable-set.wait (memory $rt \"mem32\")",
            ),
            ("waitable-set.drop", "waitable-set.drop"),
            ("waitable.join", "waitable.join"),
            ("subtask.drop", "subtask.drop"),
        ] {
            writeln!(w, "(core func ${name} (canon {def}))").unwrap();
            write!(canon, " (export \"{name}\" (func ${name}))").unwrap();
        }
    }
    w += "(core instance $main (instantiate $Main (with \"rt\" (instance $rt))\n";
    writeln!(w, "  (with \"canon\" (instance{canon}))").unwrap();
    w += "  (with \"host\" (instance (export \"log\" (func $logc))))\n";
    w += "  (with \"res\" (instance (export \"make-r\" (func $make-r-c)) (export \"rep-r\" (func $rep-r-c))\n";
    w += "    (export \"make-s\" (func $make-s-c)) (export \"rep-s\" (func $rep-s-c))))\n";
    w += "  (with \"adapters\" (instance";
    for (i, _) in cases {
        write!(w, " (export \"f{i}\" (func $f{i}c))").unwrap();
    }
    w += "))))\n";
    // `run<i>` of an `async` function's case is itself of an `async`
    // type, lifted synchronously: its task may block (#656), as the fact
    // way's `Runtime::host_call` says too.
    for (i, case) in cases {
        writeln!(
            w,
            "(func $run{i}{} (canon lift (core func $main \"run{i}\")))\n(export \"run{i}\" (func $run{i}))",
            if case.async_fn { " async" } else { "" }
        )
        .unwrap();
    }
    w += "(func $dump (canon lift (core func $rt \"dump\")))\n(export \"dump\" (func $dump))\n";
    w += "(func $setup (param \"mode\" u32) (param \"at\" u32) (canon lift (core func $rt \"setup\")))\n";
    w += "(export \"setup\" (func $setup))\n)\n";

    // Wiring.
    writeln!(
        w,
        "(instance $callee (instantiate $Callee (with \"log\" (func $log)){S_WITH}))"
    )
    .unwrap();
    write!(
        w,
        "(instance $caller (instantiate $Caller (with \"log\" (func $log)){S_WITH}\n  \
         (with \"r\" (type $callee \"r\")) (with \"make-r\" (func $callee \"make-r\")) \
         (with \"rep-r\" (func $callee \"rep-r\"))"
    )
    .unwrap();
    for ((i, _), ty) in cases.iter().zip(&types) {
        for (name, _) in &ty.defs {
            write!(w, "\n  (with \"{name}\" (type $callee \"{name}\"))").unwrap();
        }
        write!(w, "\n  (with \"call{i}\" (func $callee \"call{i}\"))").unwrap();
    }
    w += "))\n";
    for (i, _) in cases {
        writeln!(w, "(export \"run{i}\" (func $caller \"run{i}\"))").unwrap();
    }
    w += "(export \"dump-caller\" (func $caller \"dump\"))\n(export \"setup-caller\" (func $caller \"setup\"))\n";
    w += "(export \"dump-callee\" (func $callee \"dump\"))\n(export \"setup-callee\" (func $callee \"setup\"))\n";
    w += ")\n";
    w
}
