//! The adapter of an `async` function: a call the async runtime runs.
//!
//! A synchronous call happens in one go, so its adapter does it all in wasm
//! (`adapter.rs`). An `async` call does not: the callee may wait behind
//! backpressure before it starts (the spec's `on_start`, which reads the
//! caller's parameters only then), it returns its results whenever it calls
//! `task.return` (`on_resolve`, which writes them into the caller then), and
//! in between its callback runs as events arrive. The host's async runtime
//! orders all of that; the adapter module keeps every value translation in
//! wasm, split into the halves the runtime calls when the spec says:
//!
//! | Export | Core type | Does |
//! |---|---|---|
//! | `<name>` | the caller's `flatten_functype(lower, ft, 'lower')` | checks the caller may leave (`canon_lower`), then calls `async` `call:<i>` with its arguments and returns what it returns |
//! | `[start]<name>` | the caller's parameters (flat, at most 4 for an `async` lower or 16 for a synchronous one, else a pointer) -> the callee's (flat, at most 16, else a pointer) | `on_start`: lifts the parameters from the caller and lowers them into the callee (its `realloc` runs with its `may_leave` clear) |
//! | `[return]<name>` | the callee's results (what its `task.return` takes for a callback lift, its core results for a synchronous one) and, if the caller takes results through memory, its return pointer -> the caller's flat result, if it takes one | `on_resolve`: lifts the results from the callee and lowers them into the caller (its `realloc` runs with its `may_leave` clear) |
//! | `[post-return]<name>` | the callee's core results | a synchronous lift's `post-return`, with the callee's `may_leave` clear |
//!
//! `Export::async_call` tells the runtime which exist and how many
//! parameters each takes. The return pointer has the *caller's* address
//! type whatever the callee's memory (Wasmtime 48 types it with the
//! callee's, wasmtime #13979).

use super::func::{FuncGen, Len};
use super::instance_flags::MAY_LEAVE;
use super::operand::Operand;
use super::{Adapter, Side, State};
use crate::abi::{ptr_type, Record, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};
use crate::module::{Local, Signature};
use crate::Trap;
use fact_host::{AsyncCall, ImportKind};
use wasm_encoder::{Instruction as I, ValType};

/// `MAX_FLAT_ASYNC_PARAMS` of the spec: an `async` lower spills more.
const MAX_FLAT_ASYNC_PARAMS: usize = 4;

/// The core types of the call, on both sides.
struct Shape {
    /// The caller's parameters: flat, or `None` for a pointer.
    lower_params: Option<Vec<ValType>>,
    /// Whether the caller passes a return pointer.
    retptr: bool,
    /// The caller's flat results (at most one).
    lower_results: Vec<ValType>,
    /// The callee's parameters: flat, or `None` for a pointer.
    lift_params: Option<Vec<ValType>>,
    /// The callee's results as `[return]` takes them: flat, or `None` for
    /// a pointer.
    lift_results: Option<Vec<ValType>>,
    /// The callee core function's results.
    callee_results: Vec<ValType>,
}

impl Shape {
    fn of(st: &State<'_>, adapter: &Adapter<'_>, params: &Record, results: &Record) -> Shape {
        let (lower, lift) = (Side::of(&adapter.lower), Side::of(&adapter.lift));
        let lower_mem = lower.mem_or_32();
        let lift_mem = lift.mem_or_32();
        let max_params = if adapter.lower.async_ {
            MAX_FLAT_ASYNC_PARAMS
        } else {
            MAX_FLAT_PARAMS
        };
        let lower_params = st.abi.flatten(&params.fields, lower_mem, max_params);
        let (retptr, lower_results) = if adapter.lower.async_ {
            (!results.fields.is_empty(), vec![ValType::I32])
        } else {
            match st.abi.flatten(&results.fields, lower_mem, MAX_FLAT_RESULTS) {
                Some(flat) => (false, flat),
                None => (true, vec![]),
            }
        };
        let lift_params = st.abi.flatten(&params.fields, lift_mem, MAX_FLAT_PARAMS);
        // A callback lift returns through `task.return`, whose parameters
        // are the results flattened as parameters (up to 16); a synchronous
        // lift returns from its core function (up to 1).
        let (lift_results, callee_results) = if adapter.lift.callback {
            let flat = st.abi.flatten(&results.fields, lift_mem, MAX_FLAT_PARAMS);
            (flat, vec![ValType::I32])
        } else {
            let flat = st.abi.flatten(&results.fields, lift_mem, MAX_FLAT_RESULTS);
            let core = flat.clone().unwrap_or(vec![ptr_type(lift_mem)]);
            (flat, core)
        };
        Shape {
            lower_params,
            retptr,
            lower_results,
            lift_params,
            lift_results,
            callee_results,
        }
    }
}

/// Compiles the adapter of the `async` function of `adapter` as export
/// number `index`; returns its signature, the callee's, and what the
/// runtime needs.
pub(super) fn compile(
    st: &mut State<'_>,
    adapter: &Adapter<'_>,
    index: u32,
    params: &Record,
    results: &Record,
    related: bool,
) -> (Signature, Signature, AsyncCall) {
    let shape = Shape::of(st, adapter, params, results);
    let (lower, lift) = (Side::of(&adapter.lower), Side::of(&adapter.lift));
    let lower_ptr = ptr_type(lower.mem_or_32());
    let lift_ptr = ptr_type(lift.mem_or_32());
    let start_params = shape.lower_params.clone().unwrap_or(vec![lower_ptr]);
    let lift_params = shape.lift_params.clone().unwrap_or(vec![lift_ptr]);
    let lift_results = shape.lift_results.clone().unwrap_or(vec![lift_ptr]);

    // The adapter: the caller's own signature.
    let mut own = Signature {
        params: start_params.clone(),
        results: shape.lower_results.clone(),
    };
    if shape.retptr {
        own.params.push(lower_ptr);
    }
    let callee_sig = Signature {
        params: lift_params.clone(),
        results: shape.callee_results.clone(),
    };
    let call = st.module.import_func(
        ImportKind::AsyncCall { adapter: index },
        "async".into(),
        format!("call:{index}"),
        &own,
    );
    let func = st.module.declare();
    st.module.export(adapter.name.clone(), func);
    st.module.name(func, || adapter.name.clone());
    let mut g = FuncGen::new(st, own.clone());
    if related {
        g.trap(Trap::CannotEnter);
    } else {
        g.barrier = g.st.exception_barrier;
        // `canon_lower`: `trap_if(not caller.may_leave)` (Wasmtime 48's
        // async adapters leave this out).
        let flags = g.load_flags(lower.instance);
        g.trap_unless(flags, MAY_LEAVE, Trap::CannotLeave);
        for p in g.body.params() {
            g.ins(I::LocalGet(p.idx));
        }
        g.ins(I::Call(call.raw()));
    }
    let body = g.finish();
    st.module.define(func, body);

    // `[start]<name>`: the parameters, caller to callee.
    let start = Signature {
        params: start_params,
        results: lift_params,
    };
    define_half(st, format!("[start]{}", adapter.name), start, |g| {
        let src = match &shape.lower_params {
            Some(_) => Operand::locals(lower, g.body.params()),
            None => {
                let ptr = g.body.param(0);
                g.check_tuple(lower, ptr, params);
                Operand::memory(lower, ptr, 0)
            }
        };
        let allocates =
            shape.lift_params.is_none() || params.fields.iter().any(|t| g.st.abi.needs_realloc(t));
        let flags = g.load_flags(lift.instance);
        if allocates {
            g.write_flags(flags, MAY_LEAVE);
        }
        let (dst, out) = match &shape.lift_params {
            Some(types) => {
                let locals: Vec<Local> = types.iter().map(|t| g.local(*t)).collect();
                (Operand::locals(lift, locals.clone()), locals)
            }
            None => {
                let mem = lift.mem();
                let (size, align) = (params.size(mem), params.align(mem));
                let ptr = g.realloc(lift, None, align, Len::Const(size));
                (Operand::memory(lift, ptr, 0), vec![ptr])
            }
        };
        g.translate_record(params, &src, &dst);
        if allocates {
            g.write_flags(flags, 0);
        }
        for l in out {
            g.ins(I::LocalGet(l.idx));
        }
    });

    // `[return]<name>`: the results, callee to caller.
    let mut ret = Signature {
        params: lift_results,
        results: if shape.retptr || adapter.lower.async_ {
            vec![]
        } else {
            shape.lower_results.clone()
        },
    };
    if shape.retptr {
        ret.params.push(lower_ptr);
    }
    define_half(st, format!("[return]{}", adapter.name), ret, |g| {
        let params = g.body.params();
        let src = match &shape.lift_results {
            Some(types) => Operand::locals(lift, params[..types.len()].to_vec()),
            None => {
                g.check_tuple(lift, params[0], results);
                Operand::memory(lift, params[0], 0)
            }
        };
        let allocates = results.fields.iter().any(|t| g.st.abi.needs_realloc(t));
        let flags = g.load_flags(lower.instance);
        if allocates {
            g.write_flags(flags, MAY_LEAVE);
        }
        let (dst, out) = if shape.retptr {
            let retptr = params[params.len() - 1];
            g.check_tuple(lower, retptr, results);
            (Operand::memory(lower, retptr, 0), vec![])
        } else if adapter.lower.async_ {
            // No results: nothing to write.
            (Operand::locals(lower, vec![]), vec![])
        } else {
            let locals: Vec<Local> = shape.lower_results.iter().map(|t| g.local(*t)).collect();
            (Operand::locals(lower, locals.clone()), locals)
        };
        g.translate_record(results, &src, &dst);
        if allocates {
            g.write_flags(flags, 0);
        }
        for l in out {
            g.ins(I::LocalGet(l.idx));
        }
    });

    // `[post-return]<name>`: a synchronous lift's `post-return`.
    let post_return = adapter.lift.post_return && !adapter.lift.callback;
    if post_return {
        let sig = Signature {
            params: shape.callee_results.clone(),
            results: vec![],
        };
        let import = st.module.import_func(
            ImportKind::PostReturn { adapter: index },
            "post-return".into(),
            index.to_string(),
            &sig,
        );
        define_half(st, format!("[post-return]{}", adapter.name), sig, |g| {
            let flags = g.load_flags(lift.instance);
            g.write_flags(flags, MAY_LEAVE);
            for p in g.body.params() {
                g.ins(I::LocalGet(p.idx));
            }
            g.ins(I::Call(import.raw()));
            g.write_flags(flags, 0);
        });
    }

    let task_return = Signature {
        params: if adapter.lift.callback {
            shape.lift_results.clone().unwrap_or(vec![lift_ptr])
        } else {
            vec![]
        },
        results: vec![],
    };
    let info = AsyncCall {
        lower_async: adapter.lower.async_,
        callback: adapter.lift.callback,
        start_params: own.params.len() as u32 - u32::from(shape.retptr),
        retptr: shape.retptr,
        task_return: task_return.to_core(),
        callee_encoding: adapter.lift.string_encoding,
        post_return,
    };
    (own, callee_sig, info)
}

/// Defines and exports one half of an async adapter.
fn define_half(
    st: &mut State<'_>,
    name: String,
    sig: Signature,
    body: impl FnOnce(&mut FuncGen<'_, '_>),
) {
    let func = st.module.declare();
    st.module.export_extra(name.clone(), func);
    st.module.name(func, || name);
    let mut g = FuncGen::new(st, sig);
    g.barrier = g.st.exception_barrier;
    body(&mut g);
    let code = g.finish();
    st.module.define(func, code);
}
