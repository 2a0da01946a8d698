//! A third opinion: decode what the callee received and what the caller got
//! back from the dumps (`lift_flat_values` and `load` of `definitions.py`,
//! with the receiving side's options) and compare it with the generated
//! values. Two adapters that agree with each other could still both be
//! wrong; and a harness that observed nothing would agree with itself.

use super::abi::{self, CoreTy, MAX_FLAT_PARAMS, MAX_FLAT_RESULTS};
use super::case::Case;
use super::compare::Dump;
use super::modules::{res_code, tag};
use super::types::{self, Ty};
use super::values::{Flat, Val};
use fact_core::StringEncoding;

/// A memory of a dump.
struct Mem<'a> {
    dump: &'a Dump,
    tag: u32,
    mem64: bool,
    encoding: StringEncoding,
    /// Whose handles: [`tag::HANDLE_CALLER`] or [`tag::HANDLE_CALLEE`].
    handles: u32,
}

type Res<T> = Result<T, String>;

impl Mem<'_> {
    fn byte(&self, addr: u64) -> u8 {
        (self.dump.word(self.tag, addr & !7) >> (8 * (addr & 7))) as u8
    }

    fn uint(&self, addr: u64, size: u64) -> u64 {
        (0..size).fold(0, |v, i| v | u64::from(self.byte(addr + i)) << (8 * i))
    }

    fn ptr_size(&self) -> u64 {
        if self.mem64 {
            8
        } else {
            4
        }
    }

    fn string(&self, ptr: u64, tagged: u64) -> Res<String> {
        let tag = if self.mem64 { 1 << 63 } else { 1 << 31 };
        let (bytes, utf16) = match self.encoding {
            StringEncoding::Utf8 => (tagged, false),
            StringEncoding::Utf16 => (2 * tagged, true),
            StringEncoding::CompactUtf16 if tagged & tag != 0 => (2 * (tagged ^ tag), true),
            StringEncoding::CompactUtf16 => (tagged, false),
        };
        if bytes > 4096 {
            return Err(format!("string of {bytes} bytes"));
        }
        let raw: Vec<u8> = (0..bytes).map(|i| self.byte(ptr + i)).collect();
        match (utf16, self.encoding) {
            (true, _) => {
                char::decode_utf16(raw.chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])))
                    .collect::<Result<String, _>>()
                    .map_err(|e| e.to_string())
            }
            (false, StringEncoding::CompactUtf16) => {
                Ok(raw.iter().map(|&b| char::from(b)).collect())
            }
            (false, _) => String::from_utf8(raw).map_err(|e| e.to_string()),
        }
    }

    /// The handle `index` of type `ty`, received by this side: what it refers
    /// to, as the side logged it. A `borrow<r>` reaches the callee, the
    /// implementer of `r`, as the representation itself.
    fn handle(&self, index: u64, ty: &Ty) -> Res<Val> {
        let (res, borrow) = match ty {
            Ty::Own(r) => (*r, false),
            Ty::Borrow(r) => (*r, true),
            _ => unreachable!("not a handle type"),
        };
        if borrow && res == types::Res::R && self.handles == tag::HANDLE_CALLEE {
            return Ok(Val::Handle(index as u32));
        }
        let logged = self
            .dump
            .words
            .get(&(self.handles, index))
            .ok_or_else(|| format!("handle {index} was not where the spec puts a handle"))?;
        if logged >> 32 != res_code(res) {
            return Err(format!(
                "handle {index} is not a handle of `{}`",
                res.name()
            ));
        }
        Ok(Val::Handle(*logged as u32))
    }

    fn list(&self, ptr: u64, len: u64, elem: &Ty) -> Res<Val> {
        if len > 1024 {
            return Err(format!("list of {len} elements"));
        }
        let size = abi::size(elem, self.mem64);
        (0..len)
            .map(|i| self.load(ptr + i * size, elem))
            .collect::<Res<_>>()
            .map(Val::List)
    }

    /// `load`.
    fn load(&self, addr: u64, ty: &Ty) -> Res<Val> {
        let ps = self.ptr_size();
        Ok(match ty {
            Ty::Bool => Val::Bool(self.byte(addr) != 0),
            Ty::S8 => Val::Int(self.uint(addr, 1) as u8 as i8 as i64 as u64),
            Ty::S16 => Val::Int(self.uint(addr, 2) as u16 as i16 as i64 as u64),
            Ty::S32 => Val::Int(self.uint(addr, 4) as u32 as i32 as i64 as u64),
            Ty::U8 | Ty::U16 | Ty::U32 | Ty::U64 | Ty::S64 => {
                Val::Int(self.uint(addr, abi::size(ty, self.mem64)))
            }
            Ty::F32 => Val::F32(self.uint(addr, 4) as u32),
            Ty::F64 => Val::F64(self.uint(addr, 8)),
            Ty::Char => Val::Char(char::from_u32(self.uint(addr, 4) as u32).ok_or("bad char")?),
            Ty::String => Val::String(
                self.string(self.uint(addr, ps), self.uint(addr + ps, ps))?,
                false,
            ),
            Ty::List(t) => self.list(self.uint(addr, ps), self.uint(addr + ps, ps), t)?,
            Ty::Map(k, v) => self.list(
                self.uint(addr, ps),
                self.uint(addr + ps, ps),
                &Ty::map_entry(k, v),
            )?,
            Ty::FixedList(t, n) => self.list(addr, u64::from(*n), t)?,
            Ty::Record(fs) | Ty::Tuple(fs) => Val::Record(
                fs.iter()
                    .zip(abi::field_offsets(fs, self.mem64))
                    .map(|(f, off)| self.load(addr + off, f))
                    .collect::<Res<_>>()?,
            ),
            Ty::Flags(n) => {
                Val::Flags(self.uint(addr, abi::size(ty, self.mem64)) as u32 & mask(*n))
            }
            Ty::Own(_) | Ty::Borrow(_) => self.handle(self.uint(addr, 4), ty)?,
            _ => {
                let cases = ty.cases().unwrap();
                let disc = self.uint(addr, abi::discriminant_size(cases.len()));
                let case = cases
                    .get(disc as usize)
                    .ok_or_else(|| format!("discriminant {disc}"))?;
                let off = abi::payload_offset(&cases, self.mem64);
                let payload = match case {
                    Some(t) => Some(Box::new(self.load(addr + off, t)?)),
                    None => None,
                };
                Val::Variant(disc as u32, payload)
            }
        })
    }

    /// `lift_flat`: `flat` holds the values with their (joined) types.
    fn lift_flat(&self, flat: &mut dyn Iterator<Item = Flat>, ty: &Ty) -> Res<Val> {
        match ty {
            Ty::FixedList(t, n) => {
                return (0..*n)
                    .map(|_| self.lift_flat(flat, t))
                    .collect::<Res<_>>()
                    .map(Val::List)
            }
            Ty::Record(fs) | Ty::Tuple(fs) => {
                return fs
                    .iter()
                    .map(|f| self.lift_flat(flat, f))
                    .collect::<Res<_>>()
                    .map(Val::Record)
            }
            _ => {}
        }
        let mut next = || flat.next().ok_or("too few flat values".to_string());
        Ok(match ty {
            Ty::Bool => Val::Bool(bits(next()?) as u32 != 0),
            Ty::S8 => Val::Int(bits(next()?) as u8 as i8 as i64 as u64),
            Ty::U8 => Val::Int(bits(next()?) as u8 as u64),
            Ty::S16 => Val::Int(bits(next()?) as u16 as i16 as i64 as u64),
            Ty::U16 => Val::Int(bits(next()?) as u16 as u64),
            Ty::S32 => Val::Int(bits(next()?) as u32 as i32 as i64 as u64),
            Ty::U32 => Val::Int(bits(next()?) as u32 as u64),
            Ty::S64 | Ty::U64 => Val::Int(bits(next()?)),
            Ty::F32 => Val::F32(bits(next()?) as u32),
            Ty::F64 => Val::F64(bits(next()?)),
            Ty::Char => Val::Char(char::from_u32(bits(next()?) as u32).ok_or("bad char")?),
            Ty::Flags(n) => Val::Flags(bits(next()?) as u32 & mask(*n)),
            Ty::Own(_) | Ty::Borrow(_) => self.handle(bits(next()?) as u32 as u64, ty)?,
            Ty::String => {
                let ptr = bits(next()?);
                Val::String(self.string(ptr, bits(next()?))?, false)
            }
            Ty::List(t) => {
                let ptr = bits(next()?);
                self.list(ptr, bits(next()?), t)?
            }
            Ty::Map(k, v) => {
                let ptr = bits(next()?);
                self.list(ptr, bits(next()?), &Ty::map_entry(k, v))?
            }
            _ => {
                let cases = ty.cases().unwrap();
                let joined = abi::flatten_variant(&cases, self.mem64);
                let disc = bits(next()?) as u32;
                let payload: Vec<Flat> = (1..joined.len()).map(|_| next()).collect::<Res<_>>()?;
                let case = cases
                    .get(disc as usize)
                    .ok_or_else(|| format!("discriminant {disc}"))?;
                let payload = match case {
                    Some(t) => {
                        // `CoerceValueIter`: the case's own flat types.
                        let mut want = Vec::new();
                        abi::flatten(t, self.mem64, &mut want);
                        let mut it = payload.into_iter().zip(want).map(|(v, w)| {
                            let b = bits(v);
                            match w {
                                CoreTy::I32 => Flat::I32(b as u32),
                                CoreTy::F32 => Flat::F32(b as u32),
                                CoreTy::I64 => Flat::I64(b),
                                CoreTy::F64 => Flat::F64(b),
                            }
                        });
                        Some(Box::new(self.lift_flat(&mut it, t)?))
                    }
                    None => None,
                };
                Val::Variant(disc, payload)
            }
        })
    }
}

fn mask(n: u32) -> u32 {
    if n >= 32 {
        !0
    } else {
        (1 << n) - 1
    }
}

/// A flat value of type `ty` as stored in an 8-byte slot of the log.
fn slot(dump: &Dump, addr: u64, ty: CoreTy) -> Flat {
    let v = dump.word(tag::MEM32, addr);
    match ty {
        CoreTy::I32 => Flat::I32(v as u32),
        CoreTy::F32 => Flat::F32(v as u32),
        CoreTy::I64 => Flat::I64(v),
        CoreTy::F64 => Flat::F64(v),
    }
}

/// Whether two values are equal, any NaN matching any NaN (the spec lets
/// an implementation change NaN payloads).
fn same(a: &Val, b: &Val) -> bool {
    match (a, b) {
        (Val::F32(x), Val::F32(y)) => {
            x == y || (f32::from_bits(*x).is_nan() && f32::from_bits(*y).is_nan())
        }
        (Val::F64(x), Val::F64(y)) => {
            x == y || (f64::from_bits(*x).is_nan() && f64::from_bits(*y).is_nan())
        }
        (Val::String(x, _), Val::String(y, _)) => x == y,
        (Val::List(x), Val::List(y)) | (Val::Record(x), Val::Record(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Val::Variant(c, x), Val::Variant(d, y)) => {
            c == d
                && match (x, y) {
                    (Some(x), Some(y)) => same(x, y),
                    (None, None) => true,
                    _ => false,
                }
        }
        _ => a == b,
    }
}

/// Checks that the callee received `case.args` and the caller got
/// `case.ret` back, decoding the dumps (`[caller, callee]`) of a call that
/// returned. Only meaningful for a case without mutation or fault.
pub fn check(case: &Case, dumps: &[Dump; 2]) -> Result<(), String> {
    let [caller, callee] = dumps;
    let view = |dump, opts: &super::case::Opts, handles| Mem {
        dump,
        tag: if opts.mem64() { tag::MEM64 } else { tag::MEM32 },
        mem64: opts.mem64(),
        encoding: opts.encoding,
        handles,
    };

    // The parameters, as the callee's core function got them.
    let lift = view(callee, &case.lift, tag::HANDLE_CALLEE);
    let flat = abi::flatten_all(&case.params, lift.mem64);
    let args = if flat.len() > MAX_FLAT_PARAMS {
        let ptr = slot(callee, 0x20, CoreTy::ptr(lift.mem64));
        let Val::Record(args) = lift.load(bits(ptr), &Ty::Tuple(case.params.clone()))? else {
            unreachable!()
        };
        args
    } else {
        let mut values = flat
            .iter()
            .enumerate()
            .map(|(j, t)| slot(callee, 0x20 + 8 * j as u64, *t));
        case.params
            .iter()
            .map(|t| lift.lift_flat(&mut values, t))
            .collect::<Res<_>>()?
    };
    if args.len() != case.args.len() || !args.iter().zip(&case.args).all(|(a, b)| same(a, b)) {
        return Err(format!("the callee received {args:?}, not {:?}", case.args));
    }

    // An `async` lower returned RETURNED (2) at once, with no subtask; or,
    // if the callee yielded first, STARTED (1) with a subtask, whose last
    // event (SUBTASK, 1) says RETURNED.
    if case.lower.async_ {
        let Flat::I32(status) = slot(caller, 0xb0, CoreTy::I32) else {
            unreachable!()
        };
        let subtask = status >> 4;
        if case.yields == 0 && status != 2 {
            return Err(format!(
                "the async lower returned status {status:#x}, not RETURNED"
            ));
        }
        if case.yields > 0 {
            let events = caller.word(tag::MEM32, 0xb8);
            let last = caller.word(tag::MEM32, 0xc8 + 8 * (events.clamp(1, 4) - 1));
            let want = 1 | u64::from(subtask) << 8 | 2 << 40;
            if status & 0xf != 1 || subtask == 0 || events == 0 || last != want {
                return Err(format!(
                    "the async lower returned status {status:#x}, then {events} events, the \
                     last {last:#x}, not STARTED then SUBTASK RETURNED ({want:#x})"
                ));
            }
        }
    }

    // A callee that yielded saw its callback called once per yield, with
    // no event (`EVENT_NONE`).
    if case.lift.async_ && callee.word(tag::MEM32, 0xb8) != u64::from(case.yields) {
        return Err(format!(
            "the callee's callback ran {} times, not {}",
            callee.word(tag::MEM32, 0xb8),
            case.yields
        ));
    }

    // The result, as the caller's core function got it.
    if let Some(ty) = &case.result {
        let lower = view(caller, &case.lower, tag::HANDLE_CALLER);
        let flat = abi::flatten_all(std::slice::from_ref(ty), lower.mem64);
        let got = if case.lower.async_ || flat.len() > MAX_FLAT_RESULTS {
            let retptr = bits(*case.arg_flat.last().expect("a return pointer"));
            lower.load(retptr, ty)?
        } else {
            let mut values = std::iter::once(slot(caller, 0xb0, flat[0]));
            lower.lift_flat(&mut values, ty)?
        };
        let want = case.ret.as_ref().expect("a result");
        if !same(&got, want) {
            return Err(format!("the caller got {got:?}, not {want:?}"));
        }
    }
    Ok(())
}

fn bits(v: Flat) -> u64 {
    match v {
        Flat::I32(x) | Flat::F32(x) => u64::from(x),
        Flat::I64(x) | Flat::F64(x) => x,
    }
}
