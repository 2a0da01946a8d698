//! The exports of an adapter module, and the resource types of its
//! handles.
//!
//! Plain data, constructible in a `const` (the macro emits them as
//! constants), like the import table.

use alloc::borrow::Cow;
use core::fmt;

/// The instance number that `fact_adapters!` (and `fact_host::adapt_world`)
/// give the world's own component: it lifts the world's exports and lowers
/// its imports.
pub const WORLD_INSTANCE: u32 = 0;

/// The instance number of the other side of every call of a world's
/// adapters: it lowers the world's exports (it is their caller) and lifts
/// its imports (it provides them).
pub const OTHER_INSTANCE: u32 = 1;

/// One exported adapter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Export {
    /// The export name of the adapter in the module.
    pub name: Cow<'static, str>,
    /// The WIT interface of the function (`ns:pkg/iface@ver`), or `None` for a
    /// function declared directly in a world.
    pub interface: Option<Cow<'static, str>>,
    /// The WIT function name.
    pub function: Cow<'static, str>,
    /// The instance that lowers the function (the caller).
    pub lower_instance: u32,
    /// The instance that lifts the function (the callee).
    pub lift_instance: u32,
    /// The adapter's own core signature, which is the core type of the
    /// caller's `canon lower` import: the spec's `flatten_functype(lower
    /// options, ft, "lower")`, pointers in the caller's address type.
    pub lowered: Signature,
    /// The core signature the adapter expects of the callee (import
    /// `callee` `<index>`): the spec's `flatten_functype(lift options, ft,
    /// "lift")`, pointers in the callee's address type. The callee's
    /// `post-return`, if it has one, takes this signature's results.
    pub lifted: Signature,
    /// For the adapter of an `async` function, how the async runtime runs
    /// the call (the adapter hands it over through `async` `call:<i>`);
    /// `None` for a synchronous function, whose adapter runs the whole
    /// call in wasm.
    pub async_call: Option<AsyncCall>,
}

/// What the async runtime needs to run the call of one adapter of an
/// `async` function: which halves the adapter module exports for it and
/// how the two sides call and return (`docs/host-abi.md`, "Async calls").
///
/// The adapter module exports, beside the adapter `<name>` itself,
/// `[start]<name>` (moves the parameters into the callee: the caller's
/// first [`start_params`](Self::start_params) core values in, the callee's
/// core parameters out), `[return]<name>` (moves the results back: the
/// callee's results, as its `task.return` or its core function gives them,
/// and the return pointer if [`retptr`](Self::retptr), in; the caller's
/// flat results, if it takes them flat, out) and, if
/// [`post_return`](Self::post_return), `[post-return]<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AsyncCall {
    /// The caller lowers the function with `async`: the adapter returns a
    /// packed status at once (the spec's `canon lower async`). Otherwise
    /// the caller waits for the result.
    pub lower_async: bool,
    /// The callee lifts the function with `async` and a `callback`: its
    /// core function and callback return callback codes, and it returns
    /// its results through `task.return`. Otherwise it lifts it
    /// synchronously and returns them from its core function.
    pub callback: bool,
    /// How many of the adapter's core parameters are the function's
    /// parameters (what `[start]<name>` takes).
    pub start_params: u32,
    /// Whether the adapter's last core parameter is a return pointer (in
    /// the caller's address type), which `[return]<name>` takes last.
    pub retptr: bool,
    /// The core type of the `task.return` that the callee must call (a
    /// callback lift): the results, flat, or a pointer.
    pub task_return: Signature,
    /// The callee's string encoding, which its `task.return` must have.
    pub callee_encoding: crate::StringEncoding,
    /// Whether the adapter module exports `[post-return]<name>` (a
    /// synchronous lift with a `post-return`).
    pub post_return: bool,
}

/// A core wasm function type: flat parameters and results.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Signature {
    /// The parameter types.
    pub params: Cow<'static, [CoreType]>,
    /// The result types.
    pub results: Cow<'static, [CoreType]>,
}

/// A core wasm number type, as the flattened signatures of the Canonical
/// ABI use them (pointers and lengths take their memory's address type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoreType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
}

impl Signature {
    /// The signature `params -> results`, from static slices (usable in a
    /// `const`).
    pub const fn new(params: &'static [CoreType], results: &'static [CoreType]) -> Self {
        Signature {
            params: Cow::Borrowed(params),
            results: Cow::Borrowed(results),
        }
    }
}

impl CoreType {
    /// Its name in the wasm text format.
    pub const fn name(self) -> &'static str {
        match self {
            CoreType::I32 => "i32",
            CoreType::I64 => "i64",
            CoreType::F32 => "f32",
            CoreType::F64 => "f64",
        }
    }
}

impl fmt::Display for Signature {
    /// `(param i32 i32) (result i32)`, as the wasm text format writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, what: &str, types: &[CoreType]) -> fmt::Result {
            write!(f, "({what}")?;
            for t in types {
                write!(f, " {}", t.name())?;
            }
            f.write_str(")")
        }
        match (self.params.is_empty(), self.results.is_empty()) {
            (true, true) => Ok(()),
            (false, true) => list(f, "param", &self.params),
            (true, false) => list(f, "result", &self.results),
            (false, false) => {
                list(f, "param", &self.params)?;
                f.write_str(" ")?;
                list(f, "result", &self.results)
            }
        }
    }
}

/// A resource type that adapters of a module carry handles of; its index in
/// the module's resource list is the `type` argument of the
/// [`ResourceOp`](crate::ResourceOp) intrinsics.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resource {
    /// The WIT interface that defines it (`ns:pkg/iface@ver`), or `None` for
    /// a resource defined in a world.
    pub interface: Option<Cow<'static, str>>,
    /// The resource's WIT name.
    pub name: Cow<'static, str>,
    /// The instance that implements it (whose `resource.new` creates its
    /// handles), if the adapters know it: a borrow passed to it arrives as the
    /// representation, not as a handle.
    pub implementer: Option<u32>,
}
