//! Adapting every function of a WIT world, as `fact_adapters!` does.

use crate::{
    Adapter, AdapterCompiler, Adapters, CanonOptions, Error, InstanceId, DEFAULT_SHORT_STRINGS,
};
use std::collections::BTreeMap;
use wit_parser::{Function, Resolve, TypeDefKind, WorldId, WorldItem, WorldKey};

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
    /// Options of the lifting side of every function. `async` and
    /// `callback` apply to the `async` functions only (the spec allows them
    /// on no others), and `post-return` to the synchronous lifts only (it
    /// cannot go with `async`).
    pub lift: CanonOptions,
    /// Options of the lowering side of every function; `async` applies to
    /// the `async` functions only.
    pub lower: CanonOptions,
    /// Strings of at most this many code units stay in wasm
    /// ([`AdapterCompiler::short_strings`]; [`DEFAULT_SHORT_STRINGS`] by
    /// default).
    pub short_strings: u32,
    /// Whether adapters stop core wasm exceptions
    /// ([`AdapterCompiler::exception_barrier`]; off by default).
    pub exception_barrier: bool,
    /// Whether the module names its functions ([`AdapterCompiler::debug`];
    /// off by default).
    pub debug: bool,
    /// Whether [`Adapters::descriptions`] describes each adapter
    /// ([`AdapterCompiler::describe`]; off by default, on in
    /// `fact_adapters!`, which puts them in its docs).
    pub describe: bool,
}

impl Default for WorldOptions {
    fn default() -> Self {
        WorldOptions {
            lift: CanonOptions::new(WORLD_INSTANCE),
            lower: CanonOptions::new(OTHER_INSTANCE),
            short_strings: DEFAULT_SHORT_STRINGS,
            exception_barrier: false,
            debug: false,
            describe: false,
        }
    }
}

impl WorldOptions {
    /// The options that [`adapt_world`] gives `function`: the world's,
    /// where `async` and `callback` apply to `async` functions only (the
    /// spec allows them on no others), and `post-return` to synchronous
    /// lifts only (it cannot go with `async`). A [`FunctionOptions`] that
    /// changes a few options of one function starts from these.
    pub fn for_function(&self, function: &Function) -> FunctionOptions {
        let (mut lift, mut lower) = (self.lift, self.lower);
        if !function.kind.is_async() {
            lift = lift.async_(false, false);
            lower = lower.async_(false, false);
        }
        if lift.async_ {
            lift.post_return = false;
        }
        FunctionOptions { lift, lower }
    }
}

/// The options of one function of a world that differ from the world's
/// ([`adapt_world_with`]): both sides' options, whose `instance` fields are
/// ignored as in [`WorldOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionOptions {
    /// Options of the side that lifts the function.
    pub lift: CanonOptions,
    /// Options of the side that lowers it.
    pub lower: CanonOptions,
}

/// One function of a world and the adapter it gets.
struct WorldFunction<'r> {
    /// The adapter's export name.
    name: String,
    interface: Option<String>,
    function: &'r Function,
    imported: bool,
}

/// The functions of `world` in the order of their adapters: imports first,
/// then exports; each in the world's declaration order, and the functions of
/// an interface in the interface's declaration order (a resource's methods
/// where the resource is declared).
fn functions(resolve: &Resolve, world: WorldId) -> Vec<WorldFunction<'_>> {
    let w = &resolve.worlds[world];
    let mut out = Vec::new();
    for (imported, items) in [(true, &w.imports), (false, &w.exports)] {
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
                out.push(WorldFunction {
                    name: if imported {
                        base
                    } else {
                        format!("[export]{base}")
                    },
                    interface: interface.clone(),
                    function,
                    imported,
                });
            }
        }
    }
    out
}

/// The export names of the adapters [`adapt_world`] compiles for `world`,
/// in the order of [`Adapters::exports`].
pub fn adapter_names(resolve: &Resolve, world: WorldId) -> Vec<String> {
    functions(resolve, world)
        .into_iter()
        .map(|f| f.name)
        .collect()
}

/// The functions of `world` by the export names of their adapters, in the
/// order of [`adapter_names`].
pub fn adapter_functions(resolve: &Resolve, world: WorldId) -> Vec<(String, &Function)> {
    functions(resolve, world)
        .into_iter()
        .map(|f| (f.name, f.function))
        .collect()
}

/// Compiles one adapter for every function of `world`, in the order of
/// [`adapter_names`]: imports first, then exports; each in the world's
/// declaration order, the functions of an interface in the interface's
/// declaration order.
///
/// An imported function `f` of interface `i` is exported as `i#f`; an
/// exported one as `[export]i#f`; functions declared directly in the world
/// drop the `i#`.
pub fn adapt_world(
    resolve: &Resolve,
    world: WorldId,
    options: &WorldOptions,
) -> Result<Adapters, Error> {
    adapt_world_with(resolve, world, options, &BTreeMap::new())
}

/// [`adapt_world`], with the options of some functions overridden:
/// `functions` maps adapter names (as [`adapter_names`] gives them) to
/// their own options.
///
/// # Errors
///
/// Those of [`adapt_world`], and a name of `functions` that is no adapter
/// of the world (the error lists the adapters).
pub fn adapt_world_with(
    resolve: &Resolve,
    world: WorldId,
    options: &WorldOptions,
    functions_options: &BTreeMap<String, FunctionOptions>,
) -> Result<Adapters, Error> {
    let functions = functions(resolve, world);
    if let Some(unknown) = functions_options
        .keys()
        .find(|name| !functions.iter().any(|f| &f.name == *name))
    {
        let names: Vec<String> = functions.iter().map(|f| format!("`{}`", f.name)).collect();
        return Err(Error::new(format!(
            "options are given for `{unknown}`, but no function of the world has that \
             adapter name; the adapters are {}",
            names.join(", ")
        )));
    }
    let mut compiler = AdapterCompiler::new(resolve);
    compiler
        .short_strings(options.short_strings)
        .exception_barrier(options.exception_barrier)
        .debug(options.debug)
        .describe(options.describe);
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
    for f in functions {
        let (lift_instance, lower_instance) = if f.imported {
            (OTHER_INSTANCE, WORLD_INSTANCE)
        } else {
            (WORLD_INSTANCE, OTHER_INSTANCE)
        };
        let (lift, lower) = match functions_options.get(&f.name) {
            Some(own) => (own.lift, own.lower),
            None => {
                let own = options.for_function(f.function);
                (own.lift, own.lower)
            }
        };
        let function_name = &f.function.name;
        compiler
            .adapt(Adapter {
                name: f.name,
                interface: f.interface,
                function: f.function,
                lift: CanonOptions {
                    instance: lift_instance,
                    ..lift
                },
                lower: CanonOptions {
                    instance: lower_instance,
                    ..lower
                },
            })
            .map_err(|e| {
                Error::new(format!(
                    "cannot adapt {} `{function_name}`: {e}",
                    if f.imported { "import" } else { "export" },
                ))
            })?;
    }
    compiler.finish()
}
