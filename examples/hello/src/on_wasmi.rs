//! The example on the wasmi interpreter, linked with `fact::wasmi`
//! (`fact-wasmi`): the same steps as on Wasmtime.

use super::session::{Failure, Modules, Session, Who};
use fact::wasmi::wasmi::{Engine, Error, Instance, Linker, Module, Store, TypedFunc};
use fact::wasmi::{trap_of, AdapterLinker};
use fact::{OTHER_INSTANCE, WORLD_INSTANCE};

/// The instances in one wasmi store.
pub struct OnWasmi {
    store: Store<()>,
    run: TypedFunc<(u32, u32), u32>,
    shop: Instance,
    customer: Instance,
}

/// Instantiates the shop and the customer and links the adapters between
/// them.
pub fn link(modules: Modules<'_>) -> Result<OnWasmi, Error> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());

    let shop = Module::new(&engine, modules.shop)?;
    let shop = Instance::new(&mut store, &shop, &[])?;
    let runtime = Module::new(&engine, modules.customer_runtime)?;
    let runtime = Instance::new(&mut store, &runtime, &[])?;

    let mut linker = AdapterLinker::new();
    linker
        .instance_exports(&mut store, WORLD_INSTANCE, &shop)
        .instance_exports(&mut store, OTHER_INSTANCE, &runtime)
        .callee(
            modules.order,
            shop.get_func(&store, "order")
                .ok_or_else(|| Error::new("the shop exports no `order`"))?,
        );
    let adapters = Module::new(&engine, modules.adapters)?;
    let linked = linker.instantiate(&mut store, &adapters, modules.imports, modules.exports)?;

    let mut customer = Linker::new(&engine);
    customer.instance(&mut store, "runtime", runtime)?;
    customer.instance(&mut store, "adapters", linked.instance)?;
    let main = Module::new(&engine, modules.customer)?;
    let main = customer.instantiate_and_start(&mut store, &main)?;
    let run = main.get_typed_func::<(u32, u32), u32>(&store, "run")?;
    Ok(OnWasmi {
        store,
        run,
        shop,
        customer: runtime,
    })
}

impl Session for OnWasmi {
    fn order(&mut self, apples: u32, pears: u32) -> Result<u32, Failure> {
        self.run
            .call(&mut self.store, (apples, pears))
            .map_err(|err| Failure {
                trap: trap_of(&err),
                message: err.to_string(),
            })
    }

    fn memory(&mut self, who: Who) -> Vec<u8> {
        let instance = match who {
            Who::Shop => self.shop,
            Who::Customer => self.customer,
        };
        let memory = instance
            .get_memory(&self.store, "memory")
            .expect("a memory");
        memory.data(&self.store).to_vec()
    }

    fn poke(&mut self, who: Who, addr: usize, byte: u8) {
        let instance = match who {
            Who::Shop => self.shop,
            Who::Customer => self.customer,
        };
        let memory = instance
            .get_memory(&self.store, "memory")
            .expect("a memory");
        memory.data_mut(&mut self.store)[addr] = byte;
    }
}
