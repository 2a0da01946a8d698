//! Adapting every function of a WIT world, as `fact_adapters!` does.

use crate::{
    Adapter, AdapterCompiler, Adapters, CanonOptions, Error, InstanceId, DEFAULT_SHORT_STRINGS,
};
use wit_parser::{Resolve, TypeDefKind, WorldId, WorldItem, WorldKey};

/// The instance of the world's own component: it lifts the world's exports
/// and lowers its imports ([`fact_host::WORLD_INSTANCE`]).
pub const WORLD_INSTANCE: InstanceId = InstanceId(fact_host::WORLD_INSTANCE);

/// The instance on the other side of every call: it lowers the world's
/// exports (it is their caller) and lifts its imports (it provides them)
/// ([`fact_host::OTHER_INSTANCE`]).
pub const OTHER_INSTANCE: InstanceId = InstanceId(fact_host::OTHER_INSTANCE);

/// Options for every function of a world, by role.
///
/// `lift` applies to the side that lifts each function (the world's component
/// for its exports, the provider for its imports) and `lower` to the side that
/// lowers it. Their `instance` fields are ignored: see [`WORLD_INSTANCE`] and
/// [`OTHER_INSTANCE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorldOptions {
    /// Options of the lifting side of every function.
    pub lift: CanonOptions,
    /// Options of the lowering side of every function.
    pub lower: CanonOptions,
    /// Strings of at most this many code units stay in wasm
    /// ([`AdapterCompiler::short_strings`]; [`DEFAULT_SHORT_STRINGS`] by
    /// default).
    pub short_strings: u32,
    /// Whether adapters stop core wasm exceptions
    /// ([`AdapterCompiler::exception_barrier`]; off by default).
    pub exception_barrier: bool,
}

impl Default for WorldOptions {
    fn default() -> Self {
        WorldOptions {
            lift: CanonOptions::new(WORLD_INSTANCE),
            lower: CanonOptions::new(OTHER_INSTANCE),
            short_strings: DEFAULT_SHORT_STRINGS,
            exception_barrier: false,
        }
    }
}

/// Compiles one adapter for every function of `world`, imports first, then
/// exports, each in declaration order.
///
/// An imported function `f` of interface `i` is exported as `i#f`; an
/// exported one as `[export]i#f`; functions declared directly in the world
/// drop the `i#`.
pub fn adapt_world(
    resolve: &Resolve,
    world: WorldId,
    options: &WorldOptions,
) -> Result<Adapters, Error> {
    let mut compiler = AdapterCompiler::new(resolve);
    compiler
        .short_strings(options.short_strings)
        .exception_barrier(options.exception_barrier);
    let w = &resolve.worlds[world];
    // Resources defined in an exported interface are implemented by the
    // world's component, those of an imported interface by the other side.
    for (items, instance) in [(&w.imports, OTHER_INSTANCE), (&w.exports, WORLD_INSTANCE)] {
        for item in items.values() {
            if let WorldItem::Interface { id, .. } = item {
                for ty in resolve.interfaces[*id].types.values() {
                    if matches!(resolve.types[*ty].kind, TypeDefKind::Resource) {
                        compiler.implementer(*ty, instance);
                    }
                }
            }
        }
    }
    for (imported, items) in [(true, &w.imports), (false, &w.exports)] {
        let (lift_instance, lower_instance) = if imported {
            (OTHER_INSTANCE, WORLD_INSTANCE)
        } else {
            (WORLD_INSTANCE, OTHER_INSTANCE)
        };
        let lift = CanonOptions {
            instance: lift_instance,
            ..options.lift
        };
        let lower = CanonOptions {
            instance: lower_instance,
            ..options.lower
        };
        for (key, item) in items {
            let (interface, functions): (Option<String>, Vec<_>) = match item {
                WorldItem::Function(f) => (None, vec![f]),
                WorldItem::Interface { id, .. } => {
                    let name = match key {
                        WorldKey::Name(name) => name.clone(),
                        WorldKey::Interface(id) => resolve.id_of(*id).unwrap_or_default(),
                    };
                    (
                        Some(name),
                        resolve.interfaces[*id].functions.values().collect(),
                    )
                }
                WorldItem::Type { .. } => continue,
            };
            for function in functions {
                let base = match &interface {
                    Some(i) => format!("{i}#{}", function.name),
                    None => function.name.clone(),
                };
                let name = if imported {
                    base
                } else {
                    format!("[export]{base}")
                };
                compiler
                    .adapt(Adapter {
                        name,
                        interface: interface.clone(),
                        function,
                        lift,
                        lower,
                    })
                    .map_err(|e| {
                        Error::new(format!(
                            "cannot adapt {} `{}`: {e}",
                            if imported { "import" } else { "export" },
                            function.name
                        ))
                    })?;
            }
        }
    }
    compiler.finish()
}
