//! The `resource` imports through Wasmtime, and the guests' own
//! `canon resource.new`, `resource.drop` and `resource.rep`.
//!
//! Both work on one [`SharedResourceTables`]: the host creates it, gives it
//! to [`AdapterLinker::resources`] for the adapter modules and to
//! [`resource_new`], [`resource_drop`] and [`resource_rep`] for the core
//! modules of its component instances. A trap of the tables is the error of
//! the host function, holding the [`Trap`] ([`trap_of`](super::trap_of)
//! gets it back), as for the `fact` `trap` import.

use std::sync::Arc;

use wasmtime::{AsContextMut, Caller, Error, Func, Result, Val};

use crate::AdapterLinker;
#[cfg(doc)]
use fact_host::Trap;
use fact_host::{Resource, ResourceOp, ResourceType, SharedResourceTables};

/// What [`AdapterLinker::resources`] supplied: the tables, and the host type
/// of each `type` argument.
#[derive(Debug, Clone)]
pub(super) struct LinkedResources {
    tables: SharedResourceTables,
    types: Arc<[ResourceType]>,
}

impl AdapterLinker {
    /// Supplies the handle tables that the `resource` intrinsics (import
    /// `resource` `<op>:<src>:<dst>`) work on, and the resource list of the
    /// adapter module to instantiate next (`Adapters::resources`, or the
    /// macro's `RESOURCES`): the `type` argument `i` of an intrinsic is the
    /// resource type of `resources[i]`, by its WIT identity
    /// ([`ResourceTables::resource_type`](fact_host::ResourceTables::resource_type)).
    ///
    /// Each adapter module has its own resource list: call this again before
    /// instantiating a module whose list differs. The tables are shared with
    /// the host, which gives the same tables to its guests' `resource.new`,
    /// `resource.drop` and `resource.rep` ([`resource_new`],
    /// [`resource_drop`], [`resource_rep`]). A trap of the tables is the
    /// error of the intrinsic, holding the [`Trap`], as for the
    /// `fact` `trap` import.
    ///
    /// # Example
    ///
    /// ```
    /// use fact_wasmtime::{resource_drop, resource_new, trap_of, AdapterLinker};
    /// use fact_host::SharedResourceTables;
    /// use fact_host::{Import, ImportKind, Resource, ResourceOp, Trap};
    /// use wasmtime::{Engine, Instance, Module, Store};
    ///
    /// // An adapter module that passes an `own<r>` from instance 0 to instance 1.
    /// let adapter = r#"(module
    ///     (import "resource" "transfer-own:0:1" (func $own (param i32 i32) (result i32)))
    ///     (import "callee" "take" (func $take (param i32)))
    ///     (func (export "take") (param i32)
    ///         (call $take (call $own (local.get 0) (i32.const 0)))))"#;
    /// let imports = [
    ///     Import { module: "resource".into(), name: "transfer-own:0:1".into(),
    ///              kind: ImportKind::Resource { op: ResourceOp::TransferOwn,
    ///                  src_instance: 0, dst_instance: 1 } },
    ///     Import { module: "callee".into(), name: "take".into(),
    ///              kind: ImportKind::Callee { adapter: 0 } },
    /// ];
    /// use fact_host::{CoreType::I32, Signature};
    /// const SIG: Signature = Signature::new(&[I32], &[]);
    /// let exports = [fact_host::Export { name: "take".into(), interface: None,
    ///     function: "take".into(), lower_instance: 0, lift_instance: 1,
    ///     lowered: SIG, lifted: SIG, async_call: None }];
    /// // The module's resource list (`Adapters::resources`): `type` 0 is `r`.
    /// let resources = [Resource { interface: None, name: "r".into(), implementer: Some(0) }];
    ///
    /// let engine = Engine::default();
    /// let mut store = Store::new(&engine, ());
    /// let tables = SharedResourceTables::default();
    /// let r = tables.lock().resource_type(None, "r");
    ///
    /// // Instance 1 drops what it is given: its `resource.drop` runs no
    /// // destructor here.
    /// let drop = resource_drop(&mut store, tables.clone(), 1, r, None);
    /// let callee = Module::new(&engine, r#"(module
    ///     (import "r" "drop" (func $drop (param i32)))
    ///     (func (export "take") (param i32) (call $drop (local.get 0))))"#)?;
    /// let callee = Instance::new(&mut store, &callee, &[drop.into()])?;
    ///
    /// let mut linker = AdapterLinker::new();
    /// linker
    ///     .resources(tables.clone(), &resources)
    ///     .callee("take", callee.get_func(&mut store, "take").unwrap());
    /// let module = Module::new(&engine, adapter)?;
    /// let adapters = linker.instantiate(&mut store, &module, &imports, &exports)?;
    /// let take = adapters.adapter(&mut store, "take").unwrap().typed::<i32, ()>(&store)?;
    ///
    /// // Instance 0 creates a handle (its `resource.new`) and passes it.
    /// let new = resource_new(&mut store, tables.clone(), 0, r).typed::<i32, i32>(&store)?;
    /// let handle = new.call(&mut store, 42)?;
    /// take.call(&mut store, handle)?;
    /// assert_eq!(tables.lock().handles(0).count(), 0);
    /// assert_eq!(tables.lock().handles(1).count(), 0);
    ///
    /// // It is gone: passing it again traps.
    /// let err = take.call(&mut store, handle).unwrap_err();
    /// assert_eq!(trap_of(&err), Some(Trap::UnknownHandle));
    /// # Ok::<(), wasmtime::Error>(())
    /// ```
    pub fn resources(&mut self, tables: SharedResourceTables, resources: &[Resource]) -> &mut Self {
        let types = {
            let mut t = tables.lock();
            resources
                .iter()
                .map(|r| t.resource_type(r.interface.as_deref(), &r.name))
                .collect()
        };
        self.resources = Some(LinkedResources { tables, types });
        self
    }
}

impl LinkedResources {
    /// The host function of the `resource` import `<op>:<src>:<dst>`:
    /// `() -> ()` for `enter-call` and `exit-call`, `(handle: i32, type: i32)
    /// -> i32` for the others.
    pub(super) fn intrinsic<T: 'static>(
        &self,
        store: impl AsContextMut<Data = T>,
        op: ResourceOp,
        src: u32,
        dst: u32,
    ) -> Func {
        let tables = self.tables.clone();
        match op {
            ResourceOp::EnterCall => Func::wrap(store, move || tables.lock().enter_call(src, dst)),
            ResourceOp::ExitCall => {
                Func::wrap(store, move || tables.lock().exit_call().map_err(Error::new))
            }
            ResourceOp::TransferOwn | ResourceOp::TransferBorrow | ResourceOp::BorrowRep => {
                let types = self.types.clone();
                Func::wrap(store, move |handle: i32, ty: i32| -> Result<i32> {
                    let ty = resource_type(&types, ty)?;
                    let handle = handle as u32;
                    let mut tables = tables.lock();
                    let result = match op {
                        ResourceOp::TransferOwn => tables.transfer_own(src, dst, handle, ty),
                        ResourceOp::TransferBorrow => tables.transfer_borrow(src, dst, handle, ty),
                        _ => tables.borrow_rep(src, handle, ty),
                    };
                    result.map(|v| v as i32).map_err(Error::new)
                })
            }
        }
    }

    /// The tables the intrinsics work on.
    pub(super) fn tables(&self) -> &SharedResourceTables {
        &self.tables
    }
}

/// The host function of the `error-context` import `transfer:<src>:<dst>`:
/// `(handle: i32) -> i32`.
pub(super) fn error_context_transfer<T: 'static>(
    store: impl AsContextMut<Data = T>,
    tables: SharedResourceTables,
    src: u32,
    dst: u32,
) -> Func {
    Func::wrap(store, move |handle: i32| -> Result<i32> {
        let mut tables = tables.lock();
        let index = tables.transfer_error_context(src, dst, handle as u32);
        index.map(|v| v as i32).map_err(Error::new)
    })
}

/// The host type of the `type` argument `index` of an intrinsic.
fn resource_type(types: &[ResourceType], index: i32) -> Result<ResourceType> {
    types.get(index as u32 as usize).copied().ok_or_else(|| {
        wasmtime::format_err!(
            "adapter passed resource type {}, but its resource list has {} types",
            index as u32,
            types.len()
        )
    })
}

/// `canon resource.new` of the resource type `ty` for the core modules of
/// `instance`: `(rep: i32) -> (handle: i32)`, adding an `own` handle to the
/// instance's table ([`ResourceTables::new_own`]).
///
/// [`ResourceTables::new_own`]: fact_host::ResourceTables::new_own
pub fn resource_new<T: 'static>(
    store: impl AsContextMut<Data = T>,
    tables: SharedResourceTables,
    instance: u32,
    ty: ResourceType,
) -> Func {
    Func::wrap(store, move |rep: i32| -> Result<i32> {
        let handle = tables.lock().new_own(instance, ty, rep as u32);
        handle.map(|h| h as i32).map_err(Error::new)
    })
}

/// `canon resource.drop` of the resource type `ty` for the core modules of
/// `instance`: `(handle: i32) -> ()` ([`ResourceTables::drop_handle`]). Dropping an
/// `own` handle calls `dtor`, the resource's destructor, of core type
/// `(rep: i32) -> ()`, if there is one (after the tables are unlocked, so it
/// may use them); a trap of the destructor is the error of the drop.
///
/// The spec calls the destructor through `canon lift`/`canon lower` of the
/// implementing instance; here it is called directly, without touching the
/// instance flags.
///
/// [`ResourceTables::drop_handle`]: fact_host::ResourceTables::drop_handle
pub fn resource_drop<T: 'static>(
    store: impl AsContextMut<Data = T>,
    tables: SharedResourceTables,
    instance: u32,
    ty: ResourceType,
    dtor: Option<Func>,
) -> Func {
    Func::wrap(
        store,
        move |mut caller: Caller<'_, T>, handle: i32| -> Result<()> {
            let dropped = tables.lock().drop_handle(instance, ty, handle as u32);
            if let (Some(rep), Some(dtor)) = (dropped.map_err(Error::new)?, dtor) {
                dtor.call(&mut caller, &[Val::I32(rep as i32)], &mut [])?;
            }
            Ok(())
        },
    )
}

/// `canon resource.rep` of the resource type `ty` for the core modules of
/// `instance`: `(handle: i32) -> (rep: i32)` ([`ResourceTables::rep`]).
///
/// [`ResourceTables::rep`]: fact_host::ResourceTables::rep
pub fn resource_rep<T: 'static>(
    store: impl AsContextMut<Data = T>,
    tables: SharedResourceTables,
    instance: u32,
    ty: ResourceType,
) -> Func {
    Func::wrap(store, move |handle: i32| -> Result<i32> {
        let rep = tables.lock().rep(instance, ty, handle as u32);
        rep.map(|r| r as i32).map_err(Error::new)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trap_of;
    use fact_host::{Export, Import, ImportKind, Trap};
    use fact_host::{HandleInfo, ResourceTables};
    use wasmtime::{Engine, Instance, Module, Store, TypedFunc};

    fn resource_import(op: ResourceOp, src: u32, dst: u32) -> Import {
        Import {
            module: "resource".into(),
            name: format!("{}:{src}:{dst}", op.name()).into(),
            kind: ImportKind::Resource {
                op,
                src_instance: src,
                dst_instance: dst,
            },
        }
    }

    fn callee_import(name: &'static str, adapter: u32) -> Import {
        Import {
            module: "callee".into(),
            name: name.into(),
            kind: ImportKind::Callee { adapter },
        }
    }

    fn export(name: &'static str, lower: u32, lift: u32) -> Export {
        Export {
            name: name.into(),
            interface: None,
            function: name.into(),
            lower_instance: lower,
            lift_instance: lift,
            lowered: fact_host::Signature::new(&[], &[]),
            lifted: fact_host::Signature::new(&[], &[]),
            async_call: None,
        }
    }

    /// The module's resource list: `type` 0 is `ns:pkg/i` `a`, implemented
    /// by instance 0; `type` 1 is `b`.
    fn resource_list() -> [Resource; 2] {
        let resource = |name: &'static str| Resource {
            interface: Some("ns:pkg/i".into()),
            name: name.into(),
            implementer: Some(0),
        };
        [resource("a"), resource("b")]
    }

    /// An adapter-like module between instance 0 (caller) and instance 1
    /// (callee): `pass-borrow` passes a `borrow<a>` to the callee's `f`
    /// inside a call scope; `borrow-rep` passes one back from instance 1 to
    /// its implementer, instance 0 (`g`); the raw intrinsics are exported
    /// too.
    const ADAPTER: &str = r#"(module
        (import "resource" "enter-call:0:1" (func $enter))
        (import "resource" "transfer-borrow:0:1" (func $borrow (param i32 i32) (result i32)))
        (import "callee" "pass-borrow" (func $f (param i32) (result i32)))
        (import "resource" "exit-call:0:1" (func $exit))
        (import "resource" "transfer-own:0:1" (func $own (param i32 i32) (result i32)))
        (import "resource" "enter-call:1:0" (func $enter10))
        (import "resource" "borrow-rep:1:0" (func $rep10 (param i32 i32) (result i32)))
        (import "callee" "borrow-rep" (func $g (param i32) (result i32)))
        (import "resource" "exit-call:1:0" (func $exit10))
        (func (export "pass-borrow") (param i32) (result i32)
            (local $r i32)
            (call $enter)
            (local.set $r (call $f (call $borrow (local.get 0) (i32.const 0))))
            (call $exit)
            (local.get $r))
        (func (export "borrow-rep") (param i32) (result i32)
            (local $r i32)
            (call $enter10)
            (local.set $r (call $g (call $rep10 (local.get 0) (i32.const 0))))
            (call $exit10)
            (local.get $r))
        (export "enter" (func $enter))
        (export "exit" (func $exit))
        (export "transfer-borrow" (func $borrow))
        (export "transfer-own" (func $own))
        (export "borrow-rep-raw" (func $rep10)))"#;

    fn adapter_imports() -> Vec<Import> {
        use ResourceOp::*;
        vec![
            resource_import(EnterCall, 0, 1),
            resource_import(TransferBorrow, 0, 1),
            callee_import("pass-borrow", 0),
            resource_import(ExitCall, 0, 1),
            resource_import(TransferOwn, 0, 1),
            resource_import(EnterCall, 1, 0),
            resource_import(BorrowRep, 1, 0),
            callee_import("borrow-rep", 1),
            resource_import(ExitCall, 1, 0),
        ]
    }

    /// Instance 1's core module: `f` reads the rep of the borrowed `a` it is
    /// given and drops the handle, unless `keep` is set.
    const CALLEE: &str = r#"(module
        (import "a" "rep" (func $rep (param i32) (result i32)))
        (import "a" "drop" (func $drop (param i32)))
        (global $keep (export "keep") (mut i32) (i32.const 0))
        (func (export "f") (param i32) (result i32)
            (local $r i32)
            (local.set $r (call $rep (local.get 0)))
            (if (i32.eqz (global.get $keep)) (then (call $drop (local.get 0))))
            (local.get $r)))"#;

    struct Fixture {
        store: Store<Vec<u32>>,
        tables: SharedResourceTables,
        a: ResourceType,
        b: ResourceType,
        callee: Instance,
        adapters: Instance,
    }

    impl Fixture {
        /// Tables with at most `max` handles per instance; the store's data
        /// records the reps that destructors ran for.
        fn new(max: u32) -> Fixture {
            let engine = Engine::default();
            let mut store = Store::new(&engine, Vec::new());
            let tables = SharedResourceTables::new(ResourceTables::with_max_handles(max));
            let (a, b) = {
                let mut t = tables.lock();
                (
                    t.resource_type(Some("ns:pkg/i"), "a"),
                    t.resource_type(Some("ns:pkg/i"), "b"),
                )
            };
            let rep = resource_rep(&mut store, tables.clone(), 1, a);
            let drop = resource_drop(&mut store, tables.clone(), 1, a, None);
            let callee = Module::new(&engine, CALLEE).unwrap();
            let callee = Instance::new(&mut store, &callee, &[rep.into(), drop.into()]).unwrap();
            // Instance 0 implements `a`: `g` returns the rep it is given.
            let implementer = Func::wrap(&mut store, |rep: i32| rep + 1000);
            let f = callee.get_func(&mut store, "f").unwrap();
            let module = Module::new(&engine, ADAPTER).unwrap();
            let mut linker = AdapterLinker::new();
            linker
                .resources(tables.clone(), &resource_list())
                .callee("pass-borrow", f)
                .callee("borrow-rep", implementer);
            let exports = [export("pass-borrow", 0, 1), export("borrow-rep", 1, 0)];
            let adapters = linker
                .instantiate(&mut store, &module, &adapter_imports(), &exports)
                .unwrap()
                .instance;
            Fixture {
                store,
                tables,
                a,
                b,
                callee,
                adapters,
            }
        }

        fn func<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
            &mut self,
            name: &str,
        ) -> TypedFunc<P, R> {
            self.adapters.get_typed_func(&mut self.store, name).unwrap()
        }

        fn new_own(&mut self, instance: u32, ty: ResourceType, rep: u32) -> u32 {
            self.tables.lock().new_own(instance, ty, rep).unwrap()
        }

        fn handle(&self, instance: u32, handle: u32) -> Option<HandleInfo> {
            self.tables.lock().handle(instance, handle)
        }

        fn keep_borrows(&mut self, keep: bool) {
            let global = self.callee.get_global(&mut self.store, "keep").unwrap();
            global.set(&mut self.store, Val::I32(keep as i32)).unwrap();
        }
    }

    fn own(ty: ResourceType, rep: u32, lends: u32) -> HandleInfo {
        HandleInfo {
            ty,
            rep,
            own: true,
            lends,
            scope: None,
        }
    }

    #[test]
    fn transfer_own_moves_the_handle_between_tables() {
        let mut fx = Fixture::new(100);
        let h = fx.new_own(0, fx.a, 42);
        let transfer = fx.func::<(i32, i32), i32>("transfer-own");
        let moved = transfer.call(&mut fx.store, (h as i32, 0)).unwrap();
        assert_eq!(moved, 1);
        assert_eq!(fx.handle(0, h), None);
        assert_eq!(fx.handle(1, 1), Some(own(fx.a, 42, 0)));
        let err = transfer.call(&mut fx.store, (h as i32, 0)).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::UnknownHandle));
    }

    #[test]
    fn the_type_argument_indexes_the_resource_list() {
        let mut fx = Fixture::new(100);
        let h = fx.new_own(0, fx.b, 7);
        let transfer = fx.func::<(i32, i32), i32>("transfer-own");
        let err = transfer.call(&mut fx.store, (h as i32, 0)).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::WrongResourceType));
        assert_eq!(transfer.call(&mut fx.store, (h as i32, 1)).unwrap(), 1);
        assert_eq!(fx.handle(1, 1), Some(own(fx.b, 7, 0)));
        // An index past the list is a linking error, not a trap.
        let err = transfer.call(&mut fx.store, (1, 2)).unwrap_err();
        assert_eq!(trap_of(&err), None);
        assert!(
            format!("{err:?}").contains("resource type 2, but its resource list has 2 types"),
            "{err:?}"
        );
    }

    #[test]
    fn a_borrow_passed_to_a_callee_that_drops_it() {
        let mut fx = Fixture::new(100);
        let h = fx.new_own(0, fx.a, 42);
        let pass = fx.func::<i32, i32>("pass-borrow");
        assert_eq!(pass.call(&mut fx.store, h as i32).unwrap(), 42);
        let t = fx.tables.lock();
        assert_eq!(t.call_depth(), 0);
        assert_eq!(t.handle(0, h), Some(own(fx.a, 42, 0)));
        assert_eq!(t.handles(1).count(), 0);
    }

    #[test]
    fn a_callee_that_keeps_a_borrow_traps_borrow_not_dropped() {
        let mut fx = Fixture::new(100);
        let h = fx.new_own(0, fx.a, 42);
        fx.keep_borrows(true);
        let pass = fx.func::<i32, i32>("pass-borrow");
        let err = pass.call(&mut fx.store, h as i32).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::BorrowNotDropped));
        {
            let t = fx.tables.lock();
            assert_eq!(t.call_depth(), 1);
            assert_eq!(t.handle(0, h), Some(own(fx.a, 42, 1)));
            assert_eq!(t.handles(1).count(), 1);
        }
        // The host ends the unwound call.
        fx.tables.lock().abort_calls(0);
        assert_eq!(fx.handle(0, h), Some(own(fx.a, 42, 0)));
        assert_eq!(fx.tables.lock().handles(1).count(), 0);
        fx.keep_borrows(false);
        assert_eq!(pass.call(&mut fx.store, h as i32).unwrap(), 42);
    }

    #[test]
    fn borrow_rep_gives_the_implementer_the_rep() {
        let mut fx = Fixture::new(100);
        let h = fx.new_own(1, fx.a, 5);
        let g = fx.func::<i32, i32>("borrow-rep");
        assert_eq!(g.call(&mut fx.store, h as i32).unwrap(), 1005);
        assert_eq!(fx.handle(1, h), Some(own(fx.a, 5, 0)));
        assert_eq!(fx.tables.lock().handles(0).count(), 0);
        assert_eq!(fx.tables.lock().call_depth(), 0);
    }

    #[test]
    fn every_resource_trap_reaches_the_host_with_its_code() {
        let mut fx = Fixture::new(2);
        let a = fx.a;
        let own_fn = fx.func::<(i32, i32), i32>("transfer-own");
        let borrow = fx.func::<(i32, i32), i32>("transfer-borrow");
        let rep = fx.func::<(i32, i32), i32>("borrow-rep-raw");
        let enter = fx.func::<(), ()>("enter");
        let exit = fx.func::<(), ()>("exit");
        let code = |r: Result<i32>| trap_of(&r.unwrap_err()).map(Trap::code);

        // 13: unknown handle.
        assert_eq!(code(own_fn.call(&mut fx.store, (9, 0))), Some(13));
        // 14: wrong type.
        let h = fx.new_own(0, a, 1);
        assert_eq!(code(own_fn.call(&mut fx.store, (h as i32, 1))), Some(14));
        // 17: a borrow outside a call, an exit without an entry.
        assert_eq!(code(borrow.call(&mut fx.store, (h as i32, 0))), Some(17));
        assert_eq!(code(rep.call(&mut fx.store, (1, 0))), Some(17));
        let err = exit.call(&mut fx.store, ()).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::BorrowNotDropped));
        // 15: a lent handle.
        enter.call(&mut fx.store, ()).unwrap();
        let b = borrow.call(&mut fx.store, (h as i32, 0)).unwrap() as u32;
        assert_eq!(code(own_fn.call(&mut fx.store, (h as i32, 0))), Some(15));
        // 16: a borrowed handle where an own one is expected (instance 1's
        // borrow, given on from 1 to 0).
        let h1 = fx.new_own(1, a, 2);
        assert_eq!(
            fx.tables.lock().transfer_own(1, 0, b, a),
            Err(Trap::NotOwned)
        );
        // 18: instance 1's table is full (indices 1 and 2).
        assert_eq!(h1, 2);
        assert_eq!(code(borrow.call(&mut fx.store, (h as i32, 0))), Some(18));
        let err = exit.call(&mut fx.store, ()).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::BorrowNotDropped));
        fx.tables.lock().drop_handle(1, a, b).unwrap();
        exit.call(&mut fx.store, ()).unwrap();
        // Traps raised in the borrow-rep intrinsic of the other direction.
        enter.call(&mut fx.store, ()).unwrap();
        assert_eq!(rep.call(&mut fx.store, (h1 as i32, 0)).unwrap(), 2);
        assert_eq!(code(rep.call(&mut fx.store, (h1 as i32, 1))), Some(14));
        assert_eq!(code(rep.call(&mut fx.store, (7, 0))), Some(13));
        exit.call(&mut fx.store, ()).unwrap();
    }

    #[test]
    fn guest_resource_new_rep_and_drop_run_the_destructor() {
        let mut fx = Fixture::new(100);
        let (a, b) = (fx.a, fx.b);
        let dtor = Func::wrap(
            &mut fx.store,
            |mut caller: Caller<'_, Vec<u32>>, rep: i32| {
                caller.data_mut().push(rep as u32);
            },
        );
        let store = &mut fx.store;
        let new = resource_new(&mut *store, fx.tables.clone(), 0, a);
        let rep = resource_rep(&mut *store, fx.tables.clone(), 0, a);
        let drop = resource_drop(&mut *store, fx.tables.clone(), 0, a, Some(dtor));
        let drop_b = resource_drop(&mut *store, fx.tables.clone(), 0, b, None);
        let new = new.typed::<i32, i32>(&*store).unwrap();
        let rep = rep.typed::<i32, i32>(&*store).unwrap();
        let drop = drop.typed::<i32, ()>(&*store).unwrap();
        let drop_b = drop_b.typed::<i32, ()>(&*store).unwrap();

        let h = new.call(&mut *store, 77).unwrap();
        assert_eq!(h, 1);
        assert_eq!(rep.call(&mut *store, h).unwrap(), 77);
        let err = drop_b.call(&mut *store, h).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::WrongResourceType));
        drop.call(&mut *store, h).unwrap();
        assert_eq!(store.data(), &[77]);
        let err = drop.call(&mut *store, h).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::UnknownHandle));
        let err = rep.call(&mut *store, h).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::UnknownHandle));

        // A borrowed handle is dropped without the destructor; a lent one
        // cannot be dropped.
        let h = new.call(&mut *store, 78).unwrap();
        fx.tables.lock().enter_call(0, 1);
        let borrowed = fx.tables.lock().transfer_borrow(0, 0, h as u32, a).unwrap();
        let err = drop.call(&mut fx.store, h).unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::HandleLent));
        drop.call(&mut fx.store, borrowed as i32).unwrap();
        fx.tables.lock().exit_call().unwrap();
        drop.call(&mut fx.store, h).unwrap();
        assert_eq!(fx.store.data(), &[77, 78]);
    }

    #[test]
    fn the_destructor_may_use_the_tables_and_its_trap_is_the_drops() {
        let mut fx = Fixture::new(100);
        let a = fx.a;
        let tables = fx.tables.clone();
        // The destructor creates a new handle, then traps.
        let dtor = Func::wrap(&mut fx.store, move |rep: i32| -> Result<()> {
            tables.lock().new_own(0, a, rep as u32 + 1).unwrap();
            Err(Error::new(Trap::InvalidChar))
        });
        let drop = resource_drop(&mut fx.store, fx.tables.clone(), 0, a, Some(dtor));
        let h = fx.new_own(0, a, 10);
        let err = drop
            .call(&mut fx.store, &[Val::I32(h as i32)], &mut [])
            .unwrap_err();
        assert_eq!(trap_of(&err), Some(Trap::InvalidChar));
        assert_eq!(fx.handle(0, h), Some(own(a, 11, 0)));
    }

    #[test]
    fn resource_imports_need_resource_tables() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let module = Module::new(
            &engine,
            r#"(module (import "resource" "enter-call:0:1" (func)))"#,
        )
        .unwrap();
        let imports = [resource_import(ResourceOp::EnterCall, 0, 1)];
        let err = AdapterLinker::new()
            .instantiate(&mut store, &module, &imports, &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("`resource` `enter-call:0:1`"), "{err}");
        assert!(err.contains("AdapterLinker::resources"), "{err}");
    }
}
