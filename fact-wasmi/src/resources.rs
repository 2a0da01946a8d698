//! The `resource` imports through wasmi, and the guests' own
//! `canon resource.new`, `resource.drop` and `resource.rep`.
//!
//! Both work on one [`SharedResourceTables`]: the host creates it, gives it
//! to [`AdapterLinker::resources`] for the adapter modules and to
//! [`resource_new`], [`resource_drop`] and [`resource_rep`] for the core
//! modules of its component instances. A trap of the tables is the error of
//! the host function, holding the [`Trap`] ([`trap_of`](super::trap_of)
//! gets it back), as for the `fact` `trap` import.

use std::sync::Arc;

use wasmi::{AsContextMut, Caller, Error, Func, Val};

use crate::linker::trap_error;

use crate::AdapterLinker;
#[cfg(doc)]
use fact_host::Trap;
use fact_host::{Resource, ResourceOp, ResourceType, SharedResourceTables};

type Result<T> = core::result::Result<T, Error>;

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
    /// use fact_wasmi::{resource_drop, resource_new, trap_of, AdapterLinker};
    /// use fact_host::SharedResourceTables;
    /// use fact_host::{Import, ImportKind, Resource, ResourceOp, Trap};
    /// use fact_wasmi::wasmi::{Engine, Instance, Module, Store};
    ///
    /// // An adapter module that passes an `own<r>` from instance 0 to instance 1.
    /// let adapter = wat::parse_str(r#"(module
    ///     (import "resource" "transfer-own:0:1" (func $own (param i32 i32) (result i32)))
    ///     (import "callee" "take" (func $take (param i32)))
    ///     (func (export "take") (param i32)
    ///         (call $take (call $own (local.get 0) (i32.const 0)))))"#)?;
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
    /// let callee = Module::new(&engine, wat::parse_str(r#"(module
    ///     (import "r" "drop" (func $drop (param i32)))
    ///     (func (export "take") (param i32) (call $drop (local.get 0))))"#)?)?;
    /// let callee = Instance::new(&mut store, &callee, &[drop.into()])?;
    ///
    /// let mut linker = AdapterLinker::new();
    /// linker
    ///     .resources(tables.clone(), &resources)
    ///     .callee("take", callee.get_func(&mut store, "take").unwrap());
    /// let module = Module::new(&engine, &adapter)?;
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
    /// # Ok::<(), Box<dyn std::error::Error>>(())
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
                Func::wrap(store, move || tables.lock().exit_call().map_err(trap_error))
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
                    result.map(|v| v as i32).map_err(trap_error)
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
        index.map(|v| v as i32).map_err(trap_error)
    })
}

/// The host type of the `type` argument `index` of an intrinsic.
fn resource_type(types: &[ResourceType], index: i32) -> Result<ResourceType> {
    types.get(index as u32 as usize).copied().ok_or_else(|| {
        Error::new(format!(
            "adapter passed resource type {}, but its resource list has {} types",
            index as u32,
            types.len()
        ))
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
        handle.map(|h| h as i32).map_err(trap_error)
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
            if let (Some(rep), Some(dtor)) = (dropped.map_err(trap_error)?, dtor) {
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
        rep.map(|r| r as i32).map_err(trap_error)
    })
}
