//! The shape of one fused call: instance flags, parameters, the call,
//! results and `post-return`.
//!
//! This is `canon lower` (of the caller) fused with `canon lift` (of the
//! callee) for a synchronous call, in the order of the spec's `canon_lower`,
//! `Store.lift` and `canon_lift`:
//!
//! 1. `trap_if(not caller.may_leave)`;
//! 2. `trap_if(not callee.may_enter_from(caller))`, then `enter_from`: the
//!    callee's `may_enter` is cleared for the whole call;
//! 3. parameters are lifted from the caller and lowered into the callee
//!    (`lift_flat_values`/`lower_flat_values`), with the callee's `may_leave`
//!    cleared while its `realloc` may run;
//! 4. the callee is called, within `enter-call`/`exit-call` when borrowed
//!    handles are passed (the borrow scope: the callee must have dropped every
//!    borrow it received when it returns);
//! 5. results are lifted from the callee and lowered into the caller, with the
//!    caller's `may_leave` cleared while its `realloc` may run;
//! 6. `post-return` is called with the callee's flat results, with the
//!    callee's `may_leave` cleared (Wasmtime 48 leaves it set; the spec's
//!    `canon_lift` clears it, and so do we);
//! 7. `leave_to`: the callee's `may_enter` is set again.
//!
//! A call between an instance and itself, its ancestor or its descendant
//! traps with `CannotEnter` before anything else, as Wasmtime's adapters do:
//! such a call could only reenter an instance that is already running.

use super::func::{FuncGen, Len};
use super::instance_flags::Flags;
use super::operand::Operand;
use super::{Adapter, Side, State};
use crate::abi::{ptr_type, Record, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};
use crate::module::{FuncRef, Local, Signature};
use crate::Trap;
use fact_host::{ImportKind, ResourceOp};
use wasm_encoder::{Instruction as I, ValType};

pub(crate) use super::instance_flags::{MAY_ENTER, MAY_LEAVE};

/// Flat core types of both sides of a call.
struct Flat {
    lower_params: Option<Vec<ValType>>,
    lift_params: Option<Vec<ValType>>,
    lower_results: Option<Vec<ValType>>,
    lift_results: Option<Vec<ValType>>,
}

/// Compiles the adapter for `adapter` as export number `index`; returns its
/// own signature and the callee's.
pub(super) fn compile(
    st: &mut State<'_>,
    adapter: &Adapter<'_>,
    index: u32,
    params: &Record,
    results: &Record,
    related: bool,
) -> (Signature, Signature) {
    let lower = Side::of(&adapter.lower);
    let lift = Side::of(&adapter.lift);
    let flat = Flat {
        lower_params: st
            .abi
            .flatten(&params.fields, lower.mem_or_32(), MAX_FLAT_PARAMS),
        lift_params: st
            .abi
            .flatten(&params.fields, lift.mem_or_32(), MAX_FLAT_PARAMS),
        lower_results: st
            .abi
            .flatten(&results.fields, lower.mem_or_32(), MAX_FLAT_RESULTS),
        lift_results: st
            .abi
            .flatten(&results.fields, lift.mem_or_32(), MAX_FLAT_RESULTS),
    };

    // `flatten_functype(opts, ft, 'lower')`: the adapter's own signature.
    let ptr = |side: Side| ptr_type(side.mem_or_32());
    let mut export_params = flat.lower_params.clone().unwrap_or(vec![ptr(lower)]);
    let export_results = match &flat.lower_results {
        Some(r) => r.clone(),
        None => {
            export_params.push(ptr(lower));
            vec![]
        }
    };
    // `flatten_functype(opts, ft, 'lift')`: the callee's signature.
    let callee_sig = Signature {
        params: flat.lift_params.clone().unwrap_or(vec![ptr(lift)]),
        results: flat.lift_results.clone().unwrap_or(vec![ptr(lift)]),
    };
    // The callee and its post-return are named by the adapter's index: the
    // export already carries the WIT name, and a second copy of it would be a
    // third of a typical adapter's bytes.
    let callee = st.module.import_func(
        ImportKind::Callee { adapter: index },
        "callee".into(),
        index.to_string(),
        &callee_sig,
    );
    let post_return = adapter.lift.post_return.then(|| {
        let sig = Signature {
            params: callee_sig.results.clone(),
            results: vec![],
        };
        st.module.import_func(
            ImportKind::PostReturn { adapter: index },
            "post-return".into(),
            index.to_string(),
            &sig,
        )
    });

    let func = st.module.declare();
    st.module.export(adapter.name.clone(), func);
    st.module.name(func, || adapter.name.clone());
    let own_sig = Signature {
        params: export_params,
        results: export_results,
    };
    let mut g = FuncGen::new(st, own_sig.clone());
    if related {
        g.trap(Trap::CannotEnter);
    } else {
        g.barrier = g.st.exception_barrier;
        let call = Call {
            lower,
            lift,
            params,
            results,
            flat,
            callee,
            post_return,
        };
        g.fused_call(&call);
    }
    let body = g.finish();
    st.module.define(func, body);
    (own_sig, callee_sig)
}

/// Everything about one call that the generated body depends on.
struct Call<'t> {
    lower: Side,
    lift: Side,
    params: &'t Record,
    results: &'t Record,
    flat: Flat,
    callee: FuncRef,
    post_return: Option<FuncRef>,
}

impl FuncGen<'_, '_> {
    fn fused_call(&mut self, call: &Call<'_>) {
        // Each flags global is read once; every later write is derived from
        // that value (nothing else can change it while the adapter runs).
        let lower_flags = self.load_flags(call.lower.instance);
        self.trap_unless(lower_flags, MAY_LEAVE, Trap::CannotLeave);
        let lift_flags = self.load_flags(call.lift.instance);
        self.trap_unless(lift_flags, MAY_ENTER, Trap::CannotEnter);
        // `enter_from`, and, when the parameters call the callee's
        // `realloc`, its `may_leave` cleared in the same write.
        let allocates = self.params_allocate(call);
        let entered = if allocates {
            MAY_ENTER | MAY_LEAVE
        } else {
            MAY_ENTER
        };
        self.write_flags(lift_flags, entered);

        // The borrow scope of the call (`Subtask`/`Task` in the spec).
        let borrows = (call.params.fields.iter()).any(|t| self.st.abi.contains_borrow(t));
        if borrows {
            self.resource_call(ResourceOp::EnterCall, call);
        }
        let args = self.lower_params(call, lift_flags, allocates);
        for a in &args {
            self.ins(I::LocalGet(a.idx));
        }
        self.ins(I::Call(call.callee.raw()));
        let callee_results = self.callee_results(call);
        if borrows {
            self.resource_call(ResourceOp::ExitCall, call);
        }

        let returned = self.lower_results(call, lower_flags, &callee_results);

        if let Some(post_return) = call.post_return {
            self.write_flags(lift_flags, MAY_ENTER | MAY_LEAVE);
            for r in &callee_results {
                self.ins(I::LocalGet(r.idx));
            }
            self.ins(I::Call(post_return.raw()));
        }
        self.write_flags(lift_flags, 0);
        for r in returned {
            self.ins(I::LocalGet(r.idx));
        }
    }

    /// Whether moving the parameters calls the callee's `realloc`.
    fn params_allocate(&self, call: &Call<'_>) -> bool {
        let abi = &self.st.abi;
        call.flat.lift_params.is_none() || call.params.fields.iter().any(|t| abi.needs_realloc(t))
    }

    /// Moves the parameters into the callee; returns the callee's arguments.
    /// When `allocates`, the callee's `may_leave` was cleared on entry, and is
    /// set again once the parameters are in place.
    fn lower_params(&mut self, call: &Call<'_>, lift_flags: Flags, allocates: bool) -> Vec<Local> {
        let src = match &call.flat.lower_params {
            Some(types) => Operand::locals(call.lower, self.body.params()[..types.len()].to_vec()),
            None => {
                let ptr = self.body.param(0);
                self.check_tuple(call.lower, ptr, call.params);
                Operand::memory(call.lower, ptr, 0)
            }
        };
        let (dst, args) = match &call.flat.lift_params {
            Some(types) => {
                let locals: Vec<Local> = types.iter().map(|t| self.local(*t)).collect();
                (Operand::locals(call.lift, locals.clone()), locals)
            }
            None => {
                let mem = call.lift.mem();
                let (size, align) = (call.params.size(mem), call.params.align(mem));
                let ptr = self.realloc(call.lift, None, align, Len::Const(size));
                (Operand::memory(call.lift, ptr, 0), vec![ptr])
            }
        };
        self.translate_record(call.params, &src, &dst);
        if allocates {
            self.write_flags(lift_flags, MAY_ENTER);
        }
        args
    }

    /// Pops the callee's core results into locals.
    fn callee_results(&mut self, call: &Call<'_>) -> Vec<Local> {
        let types = match &call.flat.lift_results {
            Some(t) => t.clone(),
            None => vec![ptr_type(call.lift.mem())],
        };
        let mut locals: Vec<Local> = types.iter().rev().map(|t| self.local_set_new(*t)).collect();
        locals.reverse();
        locals
    }

    /// Moves the results into the caller; returns the locals to return.
    fn lower_results(&mut self, call: &Call<'_>, lower_flags: Flags, from: &[Local]) -> Vec<Local> {
        let src = match &call.flat.lift_results {
            Some(_) => Operand::locals(call.lift, from.to_vec()),
            None => {
                self.check_tuple(call.lift, from[0], call.results);
                Operand::memory(call.lift, from[0], 0)
            }
        };
        let (dst, returned) = match &call.flat.lower_results {
            Some(types) => {
                let locals: Vec<Local> = types.iter().map(|t| self.local(*t)).collect();
                (Operand::locals(call.lower, locals.clone()), locals)
            }
            None => {
                let params = self.body.params();
                let retptr = params[params.len() - 1];
                self.check_tuple(call.lower, retptr, call.results);
                (Operand::memory(call.lower, retptr, 0), vec![])
            }
        };
        let allocates = (call.results.fields.iter()).any(|t| self.st.abi.needs_realloc(t));
        if allocates {
            self.write_flags(lower_flags, MAY_LEAVE);
        }
        self.translate_record(call.results, &src, &dst);
        if allocates {
            self.write_flags(lower_flags, 0);
        }
        returned
    }

    /// The checks of `lift_flat_values` and `lower_flat_values` on a pointer
    /// to a tuple: aligned, and in bounds.
    pub(super) fn check_tuple(&mut self, side: Side, ptr: Local, tuple: &Record) {
        let mem = side.mem();
        self.check_source(side, ptr, tuple.align(mem), Len::Const(tuple.size(mem)));
    }

    /// Calls `enter-call` or `exit-call` for this call.
    fn resource_call(&mut self, op: ResourceOp, call: &Call<'_>) {
        let f = self
            .st
            .module
            .resource_intrinsic(op, call.lower.instance, call.lift.instance);
        self.ins(I::Call(f.raw()));
    }
}
