//! The adapter compiler: requests in, [`Adapters`] out.
//!
//! One file per concept of the Canonical ABI: `adapter.rs` (the shape of one
//! fused call and the instance flags), `scalars.rs`, `strings.rs` (and
//! `short_strings.rs`, plain strings moved in wasm, and `transcoders.rs`,
//! the string intrinsics in wasm for short sources), `lists.rs`,
//! `aggregates.rs` (records and variants), `flags.rs`, `handles.rs` (`own`
//! and `borrow`), plus the machinery they share (`func.rs`: checks and
//! `realloc`; `operand.rs`: where values live; `values.rs`: dispatch and
//! helper outlining).

mod adapter;
mod aggregates;
mod async_call;
mod flags;
mod func;
mod handles;
mod instance_flags;
mod lists;
mod operand;
mod scalars;
mod short_strings;
mod strings;
mod transcoders;
mod values;

use crate::abi::Abi;
use crate::error::bail;
use crate::module::{FastMap, FuncRef, ModuleBuilder};
use crate::options::{MemoryType, StringEncoding};
use crate::{CanonOptions, Error, Export, Import, InstanceId, Resource};
use std::borrow::Cow;
use std::collections::HashSet;
use wit_parser::{Function, Resolve, Type, TypeId, TypeOwner};

/// The default limit of [`AdapterCompiler::short_strings`]: strings of at
/// most 256 code units stay in wasm.
pub const DEFAULT_SHORT_STRINGS: u32 = 256;

/// One function to adapt.
#[derive(Debug, Clone)]
pub struct Adapter<'a> {
    /// Export name of the adapter in the module; must be unique.
    pub name: String,
    /// WIT interface of the function (recorded in the [`Export`]).
    pub interface: Option<String>,
    /// The WIT function.
    pub function: &'a Function,
    /// Options of the lifting side (the callee).
    pub lift: CanonOptions,
    /// Options of the lowering side (the caller).
    pub lower: CanonOptions,
}

/// A compiled adapter module.
#[derive(Debug, Clone)]
pub struct Adapters {
    /// The core wasm module.
    pub wasm: Vec<u8>,
    /// One entry per import of `wasm`, in import order.
    pub imports: Vec<Import>,
    /// One entry per adapter, in the order they were requested; adapter `i`
    /// is export `i` of `wasm`.
    pub exports: Vec<Export>,
    /// The resource types whose handles the adapters carry; index `i` is
    /// the `type` argument `i` of the `resource` intrinsics.
    pub resources: Vec<Resource>,
    /// The wasm features the module uses.
    pub features: wasmparser::WasmFeatures,
    /// For each adapter, in markdown: the WIT function, and where each of
    /// its values lives on each side (which flat values carry which
    /// parameter, the offsets of values in memory, and their layouts a few
    /// levels deep). What a host reads to write or check the core modules
    /// on both sides; `fact_adapters!` puts it in the docs of the adapter's
    /// constants. Empty unless asked for ([`AdapterCompiler::describe`]).
    pub descriptions: Vec<String>,
}

impl Adapters {
    /// Validates the module with exactly the features it declares.
    pub fn validate(&self) -> Result<(), Error> {
        wasmparser::Validator::new_with_features(self.features)
            .validate_all(&self.wasm)
            .map(|_| ())
            .map_err(|e| Error::new(format!("generated module is invalid: {e}")))
    }
}

/// Compiles adapters into one module.
#[derive(Debug)]
pub struct AdapterCompiler<'a> {
    state: State<'a>,
    ancestors: Vec<(InstanceId, InstanceId)>,
}

/// The part of one side's options that code generation depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Side {
    pub instance: u32,
    pub encoding: StringEncoding,
    pub memory: Option<MemoryType>,
}

impl Side {
    fn of(options: &CanonOptions) -> Self {
        Side {
            instance: options.instance.0,
            encoding: options.string_encoding,
            memory: options.memory,
        }
    }

    /// The side's memory type; only called where validation ensured that the
    /// side has a memory.
    pub(crate) fn mem(self) -> MemoryType {
        self.memory
            .expect("options are validated: values in memory imply a memory")
    }
}

/// Identifies an outlined helper function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum HelperKey {
    /// `(src_addr, dst_addr) -> ()` for a record, variant or fixed list.
    Copy(Type, Side, Side),
    /// `(src_ptr, len) -> (dst_ptr, len)` for a string or list.
    Sequence(Type, Side, Side),
    /// `(src, len, dst) -> result`: a string intrinsic, in wasm for short
    /// sources (`transcoders.rs`).
    Transcoder(crate::Transcode, Side, Side),
}

/// Everything shared by the functions of the module being built.
#[derive(Debug)]
pub(crate) struct State<'a> {
    pub abi: Abi<'a>,
    pub module: ModuleBuilder,
    pub helpers: FastMap<HelperKey, FuncRef>,
    /// Helpers declared but not compiled yet (`State::helper`).
    pub pending_helpers: Vec<(HelperKey, FuncRef)>,
    pub trap_import: bool,
    /// Whether adapters stop exceptions ([`AdapterCompiler::exception_barrier`]).
    pub exception_barrier: bool,
    /// Whether to describe each adapter ([`AdapterCompiler::describe`]).
    pub describe: bool,
    /// Strings of at most this many code units stay in wasm
    /// ([`AdapterCompiler::short_strings`]).
    pub short_units: u64,
    /// Resource types in index order, and their indices.
    pub resources: Vec<TypeId>,
    pub resource_index: FastMap<TypeId, u32>,
    /// Which instance implements which resource type.
    pub implementers: FastMap<TypeId, InstanceId>,
    exports: Vec<Export>,
    descriptions: Vec<String>,
    names: HashSet<String>,
}

impl<'a> AdapterCompiler<'a> {
    /// A compiler for functions of `resolve`.
    pub fn new(resolve: &'a Resolve) -> Self {
        AdapterCompiler {
            state: State {
                abi: Abi::new(resolve),
                module: ModuleBuilder::default(),
                helpers: FastMap::default(),
                pending_helpers: Vec::new(),
                trap_import: true,
                exception_barrier: false,
                describe: false,
                short_units: u64::from(DEFAULT_SHORT_STRINGS),
                resources: Vec::new(),
                resource_index: FastMap::default(),
                implementers: FastMap::default(),
                exports: Vec::new(),
                descriptions: Vec::new(),
                names: HashSet::new(),
            },
            ancestors: Vec::new(),
        }
    }

    /// Whether adapters report traps through the imported `fact` `trap`
    /// function (the default) or with a bare `unreachable`.
    pub fn trap_import(&mut self, enabled: bool) -> &mut Self {
        self.state.trap_import = enabled;
        self
    }

    /// Whether adapters stop core wasm exceptions: an exception thrown by
    /// the callee, a `realloc`, `post-return` or anything else the adapter
    /// calls traps with [`Trap::Exception`](crate::Trap::Exception) instead
    /// of unwinding into the caller (the spec's `call_and_trap_on_throw`).
    ///
    /// Off by default: the barrier is a `try_table`, and a module with one
    /// needs an engine with the exception-handling proposal. Engines without
    /// it cannot run code that throws either, so they need no barrier; a
    /// host on an engine with exceptions should turn it on.
    pub fn exception_barrier(&mut self, enabled: bool) -> &mut Self {
        self.state.exception_barrier = enabled;
        self
    }

    /// Whether [`Adapters::descriptions`] describes each adapter (off by
    /// default: the text costs about half as much as compiling the adapter).
    pub fn describe(&mut self, enabled: bool) -> &mut Self {
        self.state.describe = enabled;
        self
    }

    /// Whether the module has a name section naming every function: the
    /// adapters by their export names, helpers by what they move, imports
    /// by module and name. Engines show these names in traces and
    /// profiles. Off by default: the names are often as big as the code.
    pub fn debug(&mut self, enabled: bool) -> &mut Self {
        if enabled {
            self.state.module.keep_names();
        }
        self
    }

    /// Strings of at most `max_units` code units are moved and converted by
    /// code of the adapter module; longer ones by the host's string
    /// intrinsics (`docs/host-abi.md`). The outcome is the same either way;
    /// the speed is not.
    ///
    /// The default, [`DEFAULT_SHORT_STRINGS`], suits engines that compile
    /// wasm to machine code (Wasmtime, browsers, AOT compilers), where a
    /// call into the host costs more than converting a short string. An
    /// interpreter runs that code many times slower than the host's native
    /// intrinsics, and a host on one should lower the limit (`0`: every
    /// string that needs checking or converting goes to the host).
    pub fn short_strings(&mut self, max_units: u32) -> &mut Self {
        self.state.short_units = u64::from(max_units);
        self
    }

    /// Declares `ancestor` an ancestor of `descendant`: calls between them
    /// trap with [`Trap::CannotEnter`](crate::Trap::CannotEnter).
    pub fn ancestor(&mut self, ancestor: InstanceId, descendant: InstanceId) -> &mut Self {
        self.ancestors.push((ancestor, descendant));
        self
    }

    /// Declares that `instance` implements the resource type `resource` (a
    /// `resource` definition of the `Resolve`): a `borrow` of it passed to
    /// `instance` arrives as its representation (`lower_borrow`).
    pub fn implementer(&mut self, resource: TypeId, instance: InstanceId) -> &mut Self {
        self.state.implementers.insert(resource, instance);
        self
    }

    /// Adds an adapter; returns its index in [`Adapters::exports`].
    ///
    /// Fails when the function uses a type the compiler does not support yet
    /// or when the options break a rule of the spec's validation of `canon
    /// lift`/`canon lower` (a string without a memory, a list without a
    /// `realloc` on the side that receives it, ...).
    pub fn adapt(&mut self, adapter: Adapter<'_>) -> Result<u32, Error> {
        let st = &mut self.state;
        if !st.names.insert(adapter.name.clone()) {
            bail!("two adapters are named `{}`", adapter.name);
        }
        let func = adapter.function;
        let params: Vec<Type> = func.params.iter().map(|p| p.ty).collect();
        let results: Vec<Type> = func.result.iter().copied().collect();
        for ty in params.iter().chain(&results) {
            st.abi.check(ty).map_err(|e| {
                Error::new(format!(
                    "`{}` cannot cross an adapter: {e}",
                    st.abi.describe(ty)
                ))
            })?;
        }
        let tuple = |types: &[Type], what: &str| {
            st.abi.record(types).map_err(|size| {
                Error::new(format!(
                    "the {what} of `{}` take {size} bytes in a 64-bit memory; fact allows \
                     fewer than 2^28, the spec's maximum size of a value",
                    func.name
                ))
            })
        };
        let params = tuple(&params, "parameters")?;
        let results = tuple(&results, "results")?;
        validate_options(&st.abi, &adapter, &params.fields, &results.fields)?;

        let index = st.exports.len() as u32;
        let (lift, lower) = (adapter.lift.instance, adapter.lower.instance);
        let related = lift == lower
            || self
                .ancestors
                .iter()
                .any(|&(a, d)| (a, d) == (lift, lower) || (a, d) == (lower, lift));
        let (lowered, lifted, async_call) = if func.kind.is_async() {
            let (lowered, lifted, call) =
                async_call::compile(st, &adapter, index, &params, &results, related);
            (lowered, lifted, Some(call))
        } else {
            let (lowered, lifted) =
                adapter::compile(st, &adapter, index, &params, &results, related);
            (lowered, lifted, None)
        };
        st.exports.push(Export {
            name: Cow::Owned(adapter.name.clone()),
            interface: adapter.interface.clone().map(Cow::Owned),
            function: Cow::Owned(func.name.clone()),
            lower_instance: lower.0,
            lift_instance: lift.0,
            lowered: lowered.to_core(),
            lifted: lifted.to_core(),
            async_call,
        });
        if st.describe {
            st.descriptions
                .push(st.abi.document_call(func, &adapter.lower, &adapter.lift));
        }
        st.compile_helpers();
        Ok(index)
    }

    /// Encodes the module.
    pub fn finish(self) -> Result<Adapters, Error> {
        let resources = self.state.resource_table();
        let State {
            module,
            exports,
            descriptions,
            ..
        } = self.state;
        let (wasm, imports, features) = module.finish();
        let adapters = Adapters {
            wasm,
            imports,
            exports,
            resources,
            features,
            descriptions,
        };
        adapters.validate()?;
        Ok(adapters)
    }
}

impl State<'_> {
    /// The index of a resource type (a `resource` definition), adding it if
    /// new.
    pub(crate) fn resource(&mut self, resource: TypeId) -> u32 {
        if let Some(i) = self.resource_index.get(&resource) {
            return *i;
        }
        let i = self.resources.len() as u32;
        self.resources.push(resource);
        self.resource_index.insert(resource, i);
        i
    }

    fn resource_table(&self) -> Vec<Resource> {
        let resolve = self.abi.resolve;
        self.resources
            .iter()
            .map(|id| {
                let def = &resolve.types[*id];
                let interface = match def.owner {
                    TypeOwner::Interface(i) => resolve.id_of(i).map(Cow::Owned),
                    _ => None,
                };
                Resource {
                    interface,
                    name: Cow::Owned(def.name.clone().unwrap_or_default()),
                    implementer: self.implementers.get(id).map(|i| i.0),
                }
            })
            .collect()
    }
}

/// The rules of the spec's `canon lift`/`canon lower` validation that concern
/// memory, `realloc` and `post-return`, checked up front so that generation
/// never meets a missing option.
fn validate_options(
    abi: &Abi<'_>,
    adapter: &Adapter<'_>,
    params: &[Type],
    results: &[Type],
) -> Result<(), Error> {
    use crate::abi::{MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};
    let name = &adapter.function.name;
    if adapter.lower.post_return {
        bail!("`post-return` is an option of `canon lift` only, not of the lowering side");
    }
    validate_async_options(adapter)?;
    let (lower_async, callback) = (adapter.lower.async_, adapter.lift.callback);
    // An `async` lower spills more than 4 flat parameters and writes any
    // result through memory; a callback lift returns up to 16 flat values
    // through `task.return`.
    let max_params = |async_: bool| if async_ { 4 } else { MAX_FLAT_PARAMS };
    let max_results = |async_: bool| if async_ { 0 } else { MAX_FLAT_RESULTS };
    for (side, what, max_p, max_r) in [
        (
            &adapter.lift,
            "lifting",
            MAX_FLAT_PARAMS,
            if callback {
                MAX_FLAT_PARAMS
            } else {
                MAX_FLAT_RESULTS
            },
        ),
        (
            &adapter.lower,
            "lowering",
            max_params(lower_async),
            max_results(lower_async),
        ),
    ] {
        let mem = side.memory.unwrap_or_default();
        let flat_results = abi.flatten(results, mem, max_r.max(usize::from(results.is_empty())));
        let through_memory = abi.flatten(params, mem, max_p).is_none()
            || (flat_results.is_none() && !results.is_empty())
            || params.iter().chain(results).any(|t| abi.needs_realloc(t));
        if through_memory && side.memory.is_none() {
            bail!(
                "the {what} side has no memory, but `{name}` passes strings, lists or \
                 more flat values than fit in registers"
            );
        }
    }
    if lower_async && adapter.lower.memory.is_none() {
        bail!("the lowering side lowers `{name}` with `async`, which needs a memory");
    }
    // Each side allocates what it receives: the callee its parameters (and
    // the spilled parameter tuple), the caller its results.
    let lift_mem = adapter.lift.memory.unwrap_or_default();
    if (abi.flatten(params, lift_mem, MAX_FLAT_PARAMS).is_none()
        || params.iter().any(|t| abi.needs_realloc(t)))
        && !adapter.lift.realloc
    {
        bail!(
            "the lifting side has no `realloc`, but `{}` must allocate its parameters there",
            adapter.function.name
        );
    }
    if results.iter().any(|t| abi.contains_borrow(t)) {
        bail!(
            "`{}` returns a `borrow` handle, which the canonical ABI forbids",
            adapter.function.name
        );
    }
    if results.iter().any(|t| abi.needs_realloc(t)) && !adapter.lower.realloc {
        bail!(
            "the lowering side has no `realloc`, but `{}` returns strings or lists",
            adapter.function.name
        );
    }
    Ok(())
}

/// The spec's rules for the `async`, `callback` and `post-return` options
/// (component-model #578 and #646, "Canonical ABI Options"), and what
/// `fact` does not compile yet.
fn validate_async_options(adapter: &Adapter<'_>) -> Result<(), Error> {
    let (lower, lift) = (&adapter.lower, &adapter.lift);
    let name = &adapter.function.name;
    if (lower.async_ || lift.async_) && !adapter.function.kind.is_async() {
        bail!(
            "`{name}` is not an `async` function: the `async` canonical option requires an \
             async function type"
        );
    }
    if lower.callback {
        bail!("`callback` is an option of `canon lift` only, not of the lowering side");
    }
    if lift.callback && !lift.async_ {
        bail!("the lifting side of `{name}` has a `callback` but not `async`");
    }
    if lift.async_ && !lift.callback {
        bail!(
            "the lifting side of `{name}` lifts it with `async` and no `callback` (stackful): \
             that needs stack switching, which fact's adapters and runtime do not use; \
             lift it with a `callback`, or synchronously"
        );
    }
    if lift.async_ && lift.post_return {
        bail!("`post-return` cannot go with `async` in `canon lift` (`{name}`)");
    }
    Ok(())
}
