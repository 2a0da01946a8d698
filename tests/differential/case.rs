//! One differential case: a function type, the canonical options of both
//! sides, the caller's arguments and the callee's results (encoded), and at
//! most one corruption of them.

use super::abi::{self, CoreTy, MAX_FLAT_ASYNC_PARAMS, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};
use super::types::{self, Ty, TypeLimits};
use super::values::{
    self, Encoder, Flat, HandleSlot, HandleSrc, Image, Loc, Site, SiteKind, Val, ValLimits,
};
use arbitrary::{Result, Unstructured};
use fact_core::StringEncoding;

/// Where each side's values start in its memory (see `modules.rs`).
pub const STATIC_BASE: u64 = 0x1100;
/// Bytes of each memory (2 pages); every memory has exactly this size.
pub const MEMORY_SIZE: u64 = 2 * 65536;

/// What the generator may produce.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub types: TypeLimits,
    /// Strings of different encodings on the two sides.
    pub mixed_encodings: bool,
    /// 64-bit memories.
    pub memory64: bool,
    /// Percentage of cases with a corrupted input.
    pub mutate_percent: u32,
    /// Fixed-length lists in cases with a 64-bit memory. Off: Wasmtime 48
    /// compiles invalid adapters for them (a type mismatch `expected i64,
    /// found i32` in its own adapter module).
    pub fixed_lists_with_memory64: bool,
    /// UTF-16 strings of `latin1+utf16` in 64-bit memories. Off: the spec
    /// tags them with bit 63 (`utf16_tag`), Wasmtime 48 with bit 31, so
    /// such cases always disagree; `regressions.rs` pins the difference.
    pub utf16_tag_in_memory64: bool,
    /// `realloc` faults that return a fresh block without the old contents
    /// (`FAULT_FORGETS`): the spec, Wasmtime and `fact` all rely on
    /// `realloc` for what was written before a transcoding buffer grew
    /// (`regressions.rs`, `*_keeps_what_realloc_kept`).
    pub forgetful_realloc: bool,
    /// Functions of an `async` type, each side lowering or lifting with
    /// `async` (a lift with a callback) or not, at random. Wasmtime 48
    /// cannot run `async` options with a 64-bit memory (wasmtime #13979),
    /// so such a campaign has 32-bit memories only.
    pub async_functions: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            types: TypeLimits::default(),
            mixed_encodings: true,
            memory64: true,
            mutate_percent: 55,
            fixed_lists_with_memory64: false,
            utf16_tag_in_memory64: false,
            forgetful_realloc: true,
            async_functions: false,
        }
    }
}

/// The canonical options of one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opts {
    pub encoding: StringEncoding,
    /// `Some(is_64)`: `(memory ..)` with a 32- or 64-bit memory.
    pub memory: Option<bool>,
    pub realloc: bool,
    pub post_return: bool,
    /// `async`: a lower that gets a packed status, or a lift with a
    /// callback that returns its result through `task.return`.
    pub async_: bool,
}

impl Opts {
    /// Whether the side's memory is 64-bit (a side without memory never
    /// passes pointers; 32-bit then).
    pub fn mem64(&self) -> bool {
        self.memory == Some(true)
    }

    /// The options as `fact-core` takes them.
    pub fn fact(&self, instance: u32) -> fact_core::CanonOptions {
        fact_core::CanonOptions::new(fact_core::InstanceId(instance))
            .string_encoding(self.encoding)
            .memory(self.memory.map(|m| {
                if m {
                    fact_core::MemoryType::Memory64
                } else {
                    fact_core::MemoryType::Memory32
                }
            }))
            .realloc(self.realloc)
            .post_return(self.post_return)
            .async_(self.async_, self.async_ && instance == 1)
    }

    fn describe(&self) -> String {
        let mut s = self.encoding.name().to_string();
        match self.memory {
            Some(true) => s += " memory64",
            Some(false) => s += " memory32",
            None => s += " no-memory",
        }
        if self.realloc {
            s += " realloc";
        }
        if self.post_return {
            s += " post-return";
        }
        if self.async_ {
            s += " async";
        }
        s
    }
}

/// Which side's `realloc` (or `post-return`) misbehaves, how and when
/// (see `modules.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReallocFault {
    /// The callee's (parameters) or the caller's (results).
    pub callee: bool,
    /// [`FAULT_MISALIGNED`], [`FAULT_END_OF_MEMORY`], [`FAULT_CALL_OUT`],
    /// [`FAULT_POST_RETURN_CALLS_OUT`], [`FAULT_FORGETS`] or
    /// [`FAULT_KEEPS_BORROWS`].
    pub mode: u32,
    /// The index of the call (among that instance's `realloc` calls).
    pub at: u32,
}

/// `realloc` returns a misaligned pointer.
pub const FAULT_MISALIGNED: u32 = 1;
/// `realloc` returns a pointer 8 bytes before the end of memory.
pub const FAULT_END_OF_MEMORY: u32 = 2;
/// `realloc` calls the host's `log` (it may not leave: both must trap).
pub const FAULT_CALL_OUT: u32 = 3;
/// `post-return` calls the host's `log` (see `compare::Known`).
pub const FAULT_POST_RETURN_CALLS_OUT: u32 = 4;
/// `realloc` returns a fresh block without copying the old contents into
/// it (a `realloc` that breaks its contract, but returns a valid pointer).
pub const FAULT_FORGETS: u32 = 5;
/// The callee keeps the borrowed handles it received instead of dropping
/// them before it returns: `Task.return_` traps `BorrowNotDropped`.
pub const FAULT_KEEPS_BORROWS: u32 = 6;

/// One corruption of an encoded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutation {
    /// In the callee's results rather than the caller's arguments.
    pub in_results: bool,
    pub site: Site,
    /// The new bits of the site.
    pub bits: u64,
    /// What it does, for humans.
    pub what: String,
}

/// A generated case.
#[derive(Debug, Clone)]
pub struct Case {
    pub params: Vec<Ty>,
    pub result: Option<Ty>,
    pub lower: Opts,
    pub lift: Opts,
    pub args: Vec<Val>,
    pub ret: Option<Val>,
    /// How the caller passes its arguments: its flat values (constants)
    /// and the bytes of its memory at [`STATIC_BASE`].
    pub arg_flat: Vec<Flat>,
    pub arg_image: Image,
    /// How the callee returns its result.
    pub ret_flat: Vec<Flat>,
    pub ret_image: Image,
    /// The handles the caller creates for its arguments and the callee for
    /// its result, and where each goes.
    pub arg_handles: Vec<HandleSlot>,
    pub ret_handles: Vec<HandleSlot>,
    pub mutation: Option<Mutation>,
    pub fault: Option<ReallocFault>,
    /// The function type is `async`.
    pub async_fn: bool,
    /// For a callback lift: how many times the callee yields (its first
    /// call and then its callback return `YIELD`) before it calls
    /// `task.return` from its callback. An `async` caller then gets
    /// `STARTED` and waits for its subtask's events.
    pub yields: u32,
}

fn encoding(u: &mut Unstructured<'_>) -> Result<StringEncoding> {
    Ok(*u.choose(&[
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::CompactUtf16,
    ])?)
}

impl Case {
    /// A random case.
    pub fn arbitrary(u: &mut Unstructured<'_>, config: &Config) -> Result<Case> {
        let lower_mem64 = config.memory64 && u.ratio(1, 3)?;
        let lift_mem64 = config.memory64 && u.ratio(1, 3)?;
        let mut limits = config.types;
        if (lower_mem64 || lift_mem64) && !config.fixed_lists_with_memory64 {
            limits.fixed_lists = false;
        }
        let mut nodes = limits.nodes;
        let nparams = *u.choose(&[0, 1, 1, 1, 2, 2, 3, 4, 5, 17])?;
        let mut params = Vec::new();
        for _ in 0..nparams {
            let depth = if nparams > 4 { 1 } else { limits.depth };
            params.push(Ty::arbitrary(u, &limits, depth, &mut nodes)?);
        }
        // The canonical ABI forbids `borrow` in results.
        let result_limits = TypeLimits {
            borrows: false,
            ..limits
        };
        let result = if u.ratio(3, 4)? {
            Some(Ty::arbitrary(u, &result_limits, limits.depth, &mut nodes)?)
        } else {
            None
        };
        let lower_enc = encoding(u)?;
        let lift_enc = if config.mixed_encodings && u.ratio(1, 2)? {
            encoding(u)?
        } else {
            lower_enc
        };
        let lower_async = config.async_functions && u.arbitrary()?;
        let lift_async = config.async_functions && u.arbitrary()?;
        let mut lower = Opts {
            encoding: lower_enc,
            memory: None,
            realloc: false,
            post_return: false,
            async_: lower_async,
        };
        // `post-return` belongs to a synchronous lift only.
        let mut lift = Opts {
            encoding: lift_enc,
            memory: None,
            realloc: false,
            post_return: !lift_async && u.arbitrary()?,
            async_: lift_async,
        };
        lower.memory = Some(lower_mem64);
        lift.memory = Some(lift_mem64);
        // The spec's validation: a memory wherever values go through
        // memory, a `realloc` on the side that receives strings, lists or
        // spilled parameters. Otherwise either is optional.
        // An `async` lower spills parameters past 4 flat values and always
        // takes a return pointer; `task.return` spills results past 16.
        let params_spill = |o: &Opts, is_lower: bool| {
            let max = if o.async_ && is_lower {
                MAX_FLAT_ASYNC_PARAMS
            } else {
                MAX_FLAT_PARAMS
            };
            abi::flatten_all(&params, o.mem64()).len() > max
        };
        let result_spills = |o: &Opts, is_lower: bool| {
            let flat = abi::flatten_all(result.as_slice(), o.mem64()).len();
            match (o.async_, is_lower) {
                (true, true) => result.is_some(),
                (true, false) => flat > MAX_FLAT_PARAMS,
                (false, _) => flat > MAX_FLAT_RESULTS,
            }
        };
        let any_realloc = params.iter().chain(&result).any(Ty::needs_realloc);
        for (side, is_lower) in [(&mut lower, true), (&mut lift, false)] {
            // `canon lower` validation: an `async` lower has a memory,
            // whatever its type (Wasmtime 48 does not ask for one; fact-core
            // refuses the adapter).
            let needs_memory = any_realloc
                || params_spill(side, is_lower)
                || result_spills(side, is_lower)
                || (is_lower && side.async_);
            if !needs_memory && u.ratio(1, 3)? {
                side.memory = None;
            }
        }
        let lift_needs_realloc = params.iter().any(Ty::needs_realloc) || params_spill(&lift, false);
        lift.realloc = lift.memory.is_some() && (lift_needs_realloc || u.ratio(1, 2)?);
        let lower_needs_realloc = result.as_ref().is_some_and(Ty::needs_realloc);
        lower.realloc = lower.memory.is_some() && (lower_needs_realloc || u.ratio(1, 2)?);

        let compact64 = |o: &Opts| o.encoding == StringEncoding::CompactUtf16 && o.mem64();
        let mut limits = ValLimits {
            budget: 40,
            latin1_only: !config.utf16_tag_in_memory64 && (compact64(&lower) || compact64(&lift)),
        };
        let args = params
            .iter()
            .map(|t| values::arbitrary_val(u, t, &mut limits))
            .collect::<Result<Vec<_>>>()?;
        let ret = match &result {
            Some(t) => Some(values::arbitrary_val(u, t, &mut limits)?),
            None => None,
        };

        let (mut case, arg_sites, ret_sites) =
            Case::encoded(params, result, lower, lift, args, ret);
        case.async_fn = config.async_functions;
        // A callee that yields keeps the caller waiting on a waitable set,
        // whose handles take indices in the caller's table: only for
        // results without handles, whose indices `tables.rs` predicts
        // without them.
        if case.lift.async_ && case.ret_handles.is_empty() {
            case.yields = u.int_in_range(0..=2)?;
        }

        if u.int_in_range(1..=100)? <= config.mutate_percent {
            let in_results = if arg_sites.is_empty() {
                true
            } else if ret_sites.is_empty() {
                false
            } else {
                u.ratio(1, 3)?
            };
            let sites = if in_results { &ret_sites } else { &arg_sites };
            if !sites.is_empty() {
                let site = *u.choose(sites)?;
                let mem64 = if in_results {
                    case.lift.mem64()
                } else {
                    case.lower.mem64()
                };
                let image = if in_results {
                    &case.ret_image
                } else {
                    &case.arg_image
                };
                // A UTF-16 tag would reach a 64-bit `latin1+utf16` side.
                let tag_ok = !limits.latin1_only;
                let handles = if in_results {
                    &case.ret_handles
                } else {
                    &case.arg_handles
                };
                if let Some((bits, what)) =
                    super::corrupt::corrupt(u, &site, mem64, tag_ok, image, handles)?
                {
                    case.mutation = Some(Mutation {
                        in_results,
                        site,
                        bits,
                        what,
                    });
                    case.apply_mutation();
                }
            }
        }
        if u.ratio(1, 12)? {
            case.fault = Some(ReallocFault {
                callee: u.arbitrary()?,
                mode: if config.forgetful_realloc && u.ratio(1, 4)? {
                    FAULT_FORGETS
                } else {
                    u.int_in_range(FAULT_MISALIGNED..=FAULT_CALL_OUT)?
                },
                at: u.int_in_range(0..=3)?,
            });
        }
        let receives_borrows = super::tables::callee_indices(&case.arg_handles)
            .iter()
            .zip(&case.arg_handles)
            .any(|(index, h)| h.borrow && index.is_some());
        if receives_borrows && case.fault.is_none() && u.ratio(1, 6)? {
            case.fault = Some(ReallocFault {
                callee: true,
                mode: FAULT_KEEPS_BORROWS,
                at: 0,
            });
        }
        Ok(case)
    }

    /// A case with these types, options and values, encoded and not
    /// corrupted.
    pub fn new(
        params: Vec<Ty>,
        result: Option<Ty>,
        lower: Opts,
        lift: Opts,
        args: Vec<Val>,
        ret: Option<Val>,
    ) -> Case {
        Case::encoded(params, result, lower, lift, args, ret).0
    }

    fn encoded(
        params: Vec<Ty>,
        result: Option<Ty>,
        lower: Opts,
        lift: Opts,
        args: Vec<Val>,
        ret: Option<Val>,
    ) -> (Case, Vec<Site>, Vec<Site>) {
        let mut case = Case {
            params,
            result,
            lower,
            lift,
            args,
            ret,
            arg_flat: Vec::new(),
            arg_image: Image::new(STATIC_BASE),
            ret_flat: Vec::new(),
            ret_image: Image::new(STATIC_BASE),
            arg_handles: Vec::new(),
            ret_handles: Vec::new(),
            mutation: None,
            fault: None,
            async_fn: lower.async_ || lift.async_,
            yields: 0,
        };
        let (arg_sites, ret_sites) = case.encode();
        (case, arg_sites, ret_sites)
    }

    /// The case with handle slot `slot` of the arguments (or of the result)
    /// holding `src` instead of its own handle: a corrupted input.
    pub fn with_handle(mut self, in_results: bool, slot: usize, src: HandleSrc) -> Case {
        let handles = if in_results {
            &self.ret_handles
        } else {
            &self.arg_handles
        };
        let bits = match src {
            HandleSrc::Fresh => return self,
            HandleSrc::Index(x) => u64::from(x),
            HandleSrc::Slot(k) => 1 << 32 | k as u64,
        };
        self.mutation = Some(Mutation {
            in_results,
            site: Site {
                loc: handles[slot].loc,
                kind: SiteKind::Handle { slot },
            },
            bits,
            what: format!("handle slot {slot} holds {src:?}"),
        });
        self.apply_mutation();
        self
    }

    /// Encodes the arguments and the result; returns the sites of each.
    fn encode(&mut self) -> (Vec<Site>, Vec<Site>) {
        let mut img = Image::new(STATIC_BASE);
        let mut enc = Encoder::new(&mut img, self.lower.mem64(), self.lower.encoding);
        let max_params = if self.lower.async_ {
            MAX_FLAT_ASYNC_PARAMS
        } else {
            MAX_FLAT_PARAMS
        };
        enc.lower_values(&self.args, &self.params, max_params);
        let result = self.result.as_slice();
        if self.lower.async_ && !result.is_empty()
            || abi::flatten_all(result, self.lower.mem64()).len() > MAX_FLAT_RESULTS
        {
            enc.return_area(&self.result.clone().unwrap());
        }
        let (arg_flat, arg_sites, arg_handles) = (enc.flat, enc.sites, enc.handles);

        let mut ret_img = Image::new(STATIC_BASE);
        let mut enc = Encoder::new(&mut ret_img, self.lift.mem64(), self.lift.encoding);
        // A callback lift hands its result to `task.return`, which takes
        // flat values as parameters do.
        let max_results = if self.lift.async_ {
            MAX_FLAT_PARAMS
        } else {
            MAX_FLAT_RESULTS
        };
        enc.lower_values(self.ret.as_slice(), result, max_results);
        let (ret_flat, ret_sites, ret_handles) = (enc.flat, enc.sites, enc.handles);

        self.arg_handles = arg_handles;
        self.ret_handles = ret_handles;
        self.arg_flat = arg_flat;
        self.arg_image = img;
        self.ret_flat = ret_flat;
        self.ret_image = ret_img;
        (arg_sites, ret_sites)
    }

    fn apply_mutation(&mut self) {
        let Some(m) = &self.mutation else { return };
        let (flat, image, handles) = if m.in_results {
            (
                &mut self.ret_flat,
                &mut self.ret_image,
                &mut self.ret_handles,
            )
        } else {
            (
                &mut self.arg_flat,
                &mut self.arg_image,
                &mut self.arg_handles,
            )
        };
        if let SiteKind::Handle { slot } = m.site.kind {
            // The index is written when the case runs: change what is
            // written (`bits` as `corrupt` chose it).
            handles[slot].src = if m.bits >> 32 == 0 {
                HandleSrc::Index(m.bits as u32)
            } else {
                HandleSrc::Slot(m.bits as u32 as usize)
            };
            return;
        }
        match m.site.loc {
            Loc::Flat(i) => flat[i] = flat[i].with_bits(m.bits),
            Loc::Mem { addr, size } => {
                if let SiteKind::StrBytes { .. } = m.site.kind {
                    // `bits` is (offset << 32 | up to 3 bytes, length in the
                    // top byte of the low word).
                    let off = m.bits >> 32;
                    let n = (m.bits >> 24) & 0xff;
                    let bytes = (m.bits as u32).to_le_bytes();
                    image.write(addr + off, &bytes[..n as usize]);
                } else {
                    let bytes = m.bits.to_le_bytes();
                    image.write(addr, &bytes[..size as usize]);
                }
            }
        }
    }

    /// The core signature of the caller's lowered import (`lift` false)
    /// or the callee's lifted export (`lift` true).
    pub fn core_sig(&self, lift: bool) -> (Vec<CoreTy>, Vec<CoreTy>) {
        let side = if lift { &self.lift } else { &self.lower };
        let result = self.result.as_ref();
        if side.async_ {
            abi::async_functype(&self.params, result, side.mem64(), lift)
        } else {
            abi::functype(&self.params, result, side.mem64(), lift)
        }
    }

    /// The core parameters of the callee's `task.return` (a callback lift).
    pub fn task_return_params(&self) -> Vec<CoreTy> {
        abi::task_return_params(self.result.as_ref(), self.lift.mem64())
    }

    /// The function's signature in WIT.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("p{i}: {}", types::describe(t)))
            .collect();
        let mut s = format!(
            "{}func({})",
            if self.async_fn { "async " } else { "" },
            params.join(", ")
        );
        if let Some(r) = &self.result {
            s += &format!(" -> {}", types::describe(r));
        }
        s
    }

    /// Everything about the case, for a report.
    pub fn describe(&self) -> String {
        let args: Vec<String> = self.args.iter().map(values::describe).collect();
        let mut s = format!(
            "  type:   {}\n  lower:  {}\n  lift:   {}\n  args:   ({})\n",
            self.signature(),
            self.lower.describe(),
            self.lift.describe(),
            args.join(", "),
        );
        if let Some(r) = &self.ret {
            s += &format!("  result: {}\n", values::describe(r));
        }
        if self.yields > 0 {
            s += &format!("  the callee yields {} times first\n", self.yields);
        }
        s += &format!("  caller flat args: {:x?}\n", self.arg_flat);
        s += &format!(
            "  caller memory at {:#x}: {:02x?}\n",
            self.arg_image.base, self.arg_image.bytes
        );
        s += &format!("  callee flat results: {:x?}\n", self.ret_flat);
        s += &format!(
            "  callee memory at {:#x}: {:02x?}\n",
            self.ret_image.base, self.ret_image.bytes
        );
        for (who, handles) in [("caller", &self.arg_handles), ("callee", &self.ret_handles)] {
            for (j, h) in handles.iter().enumerate() {
                s += &format!(
                    "  {who} handle {j}: {} {} rep {:#x} at {:?}{}\n",
                    if h.borrow { "borrow" } else { "own" },
                    h.res.name(),
                    h.rep,
                    h.loc,
                    match h.src {
                        HandleSrc::Fresh => String::new(),
                        other => format!(", replaced by {other:?}"),
                    }
                );
            }
        }
        if let Some(m) = &self.mutation {
            s += &format!(
                "  mutation: {} {} at {:?} ({:?})\n",
                if m.in_results { "result" } else { "argument" },
                m.what,
                m.site.loc,
                m.site.kind
            );
        }
        if let Some(f) = &self.fault {
            s += &format!(
                "  fault: {} realloc call #{} {}\n",
                if f.callee { "callee" } else { "caller" },
                f.at,
                match f.mode {
                    FAULT_MISALIGNED => "returns a misaligned pointer",
                    FAULT_END_OF_MEMORY => "returns a pointer at the end of memory",
                    FAULT_CALL_OUT => "calls the host",
                    FAULT_FORGETS => "does not keep the old contents",
                    FAULT_KEEPS_BORROWS => "(any): the callee keeps its borrows",
                    _ => "(any): post-return calls the host",
                }
            );
        }
        s
    }
}

/// The functions of every batch besides its cases, by name: `make-r`
/// (the caller creates an `r` through the callee) and `rep-r` (the caller
/// asks the callee for the representation of an `r`). Their options: no
/// memory on either side.
pub fn handle_helpers() -> [(&'static str, Case); 2] {
    use super::types::Res;
    let opts = Opts {
        encoding: StringEncoding::Utf8,
        memory: None,
        realloc: false,
        post_return: false,
        async_: false,
    };
    let make = Case::new(
        vec![Ty::U32],
        Some(Ty::Own(Res::R)),
        opts,
        opts,
        vec![Val::Int(0)],
        Some(Val::Handle(0)),
    );
    let rep = Case::new(
        vec![Ty::Borrow(Res::R)],
        Some(Ty::U32),
        opts,
        opts,
        vec![Val::Handle(0)],
        Some(Val::Int(0)),
    );
    [("make-r", make), ("rep-r", rep)]
}
