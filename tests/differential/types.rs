//! Random WIT value types, and their spellings: WIT for `fact-core`,
//! component-model text for Wasmtime.
//!
//! Records, variants, enums and flags are *named* types: WIT declares them
//! in the interface, and a component must export (callee) or import (caller)
//! them before a function type may use them. Every occurrence of such a type
//! gets its own name, `c<case>-t<n>`, so two structurally equal records are
//! simply two names.

use arbitrary::{Result, Unstructured};

/// The resource types of the differential cases.
///
/// `r` is implemented by the callee (its component defines it and creates
/// its handles with `resource.new`): a `borrow<r>` passed to the callee
/// arrives as the representation. `s` is implemented by the host (the
/// embedder defines it): a `borrow<s>` reaches the callee as a borrowed
/// handle, which the callee must drop before it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Res {
    R,
    S,
}

impl Res {
    /// Its WIT name (also its name in the component).
    pub fn name(self) -> &'static str {
        match self {
            Res::R => "r",
            Res::S => "s",
        }
    }
}

/// A WIT value type (no async types).
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    List(Box<Ty>),
    /// `list<T, N>`.
    FixedList(Box<Ty>, u32),
    /// `map<K, V>`: a list of `tuple<K, V>` in the ABI.
    Map(Box<Ty>, Box<Ty>),
    /// A named record with these field types.
    Record(Vec<Ty>),
    Tuple(Vec<Ty>),
    /// A named variant: the payload type of each case.
    Variant(Vec<Option<Ty>>),
    /// A named enum with this many cases.
    Enum(u32),
    Option(Box<Ty>),
    Result(Option<Box<Ty>>, Option<Box<Ty>>),
    /// Named flags with this many labels (1 to 32).
    Flags(u32),
    /// `own<R>`.
    Own(Res),
    /// `borrow<R>` (parameters only: a result never holds a borrow).
    Borrow(Res),
}

/// Bounds of the type generator.
#[derive(Debug, Clone, Copy)]
pub struct TypeLimits {
    /// Maximum nesting depth.
    pub depth: u32,
    /// Maximum number of type nodes in one function signature.
    pub nodes: u32,
    /// Whether to generate `list<T, N>` (Wasmtime needs a feature flag).
    pub fixed_lists: bool,
    /// Whether `N` of a `list<T, N>` may be huge (up to 2^24), which takes
    /// types past the maximum value size; only for the compiler's soak,
    /// which runs nothing.
    pub huge_fixed_lists: bool,
    /// Whether to generate `map<K, V>`.
    pub maps: bool,
    /// Whether to generate `own<R>` handles.
    pub owns: bool,
    /// Whether to generate `borrow<R>` handles (never in results).
    pub borrows: bool,
}

impl Default for TypeLimits {
    fn default() -> Self {
        TypeLimits {
            depth: 4,
            nodes: 24,
            fixed_lists: true,
            huge_fixed_lists: false,
            maps: true,
            owns: true,
            borrows: true,
        }
    }
}

const PRIMITIVES: [Ty; 13] = [
    Ty::Bool,
    Ty::S8,
    Ty::U8,
    Ty::S16,
    Ty::U16,
    Ty::S32,
    Ty::U32,
    Ty::S64,
    Ty::U64,
    Ty::F32,
    Ty::F64,
    Ty::Char,
    Ty::String,
];

/// Key types WIT allows in a `map`.
const MAP_KEYS: [Ty; 11] = [
    Ty::Bool,
    Ty::S8,
    Ty::U8,
    Ty::S16,
    Ty::U16,
    Ty::S32,
    Ty::U32,
    Ty::S64,
    Ty::U64,
    Ty::Char,
    Ty::String,
];

impl Ty {
    /// A random type of at most `depth` levels, spending from `nodes`.
    pub fn arbitrary(
        u: &mut Unstructured<'_>,
        limits: &TypeLimits,
        depth: u32,
        nodes: &mut u32,
    ) -> Result<Ty> {
        *nodes = nodes.saturating_sub(1);
        // Leaves get likelier as depth and budget run out.
        if depth == 0 || *nodes == 0 || u.ratio(1, depth + 1)? {
            return Ty::leaf(u, limits);
        }
        let d = depth - 1;
        let fields = |u: &mut Unstructured<'_>, nodes: &mut u32, max: u32| -> Result<Vec<Ty>> {
            let n = u.int_in_range(1..=max)?;
            (0..n).map(|_| Ty::arbitrary(u, limits, d, nodes)).collect()
        };
        Ok(match u.int_in_range(0..=11)? {
            0 | 1 => Ty::List(Box::new(Ty::arbitrary(u, limits, d, nodes)?)),
            2 if limits.fixed_lists => Ty::FixedList(
                Box::new(Ty::arbitrary(u, limits, d, nodes)?),
                if limits.huge_fixed_lists && u.ratio(1, 16)? {
                    *u.choose(&[1000, 65_536, 1 << 20, 1 << 24])?
                } else {
                    u.int_in_range(1..=4)?
                },
            ),
            3 if limits.maps => Ty::Map(
                Box::new(u.choose(&MAP_KEYS)?.clone()),
                Box::new(Ty::arbitrary(u, limits, d, nodes)?),
            ),
            4 | 5 => Ty::Record(fields(u, nodes, 4)?),
            6 => Ty::Tuple(fields(u, nodes, 3)?),
            7 => {
                let n = u.int_in_range(1..=4)?;
                let mut cases = Vec::new();
                for _ in 0..n {
                    cases.push(if u.ratio(2, 3)? {
                        Some(Ty::arbitrary(u, limits, d, nodes)?)
                    } else {
                        None
                    });
                }
                // Rarely, enough cases for a 16-bit discriminant.
                if u.ratio(1, 16)? {
                    cases.resize(u.int_in_range(257..=300)?, None);
                }
                Ty::Variant(cases)
            }
            8 => Ty::Enum(if u.ratio(1, 10)? {
                u.int_in_range(250..=260)?
            } else {
                u.int_in_range(1..=5)?
            }),
            9 => Ty::Option(Box::new(Ty::arbitrary(u, limits, d, nodes)?)),
            10 => {
                let side = |u: &mut Unstructured<'_>, nodes: &mut u32| -> Result<_> {
                    Ok(if u.ratio(2, 3)? {
                        Some(Box::new(Ty::arbitrary(u, limits, d, nodes)?))
                    } else {
                        None
                    })
                };
                let ok = side(u, nodes)?;
                Ty::Result(ok, side(u, nodes)?)
            }
            11 => Ty::Flags(*u.choose(&[1, 3, 8, 9, 16, 17, 31, 32])?),
            _ => Ty::List(Box::new(Ty::arbitrary(u, limits, d, nodes)?)),
        })
    }

    /// A primitive type or, now and then, a handle.
    fn leaf(u: &mut Unstructured<'_>, limits: &TypeLimits) -> Result<Ty> {
        if (limits.owns || limits.borrows) && u.ratio(1, 6)? {
            let res = *u.choose(&[Res::R, Res::S])?;
            let borrow = if limits.owns && limits.borrows {
                u.arbitrary()?
            } else {
                limits.borrows
            };
            return Ok(if borrow {
                Ty::Borrow(res)
            } else {
                Ty::Own(res)
            });
        }
        Ok(u.choose(&PRIMITIVES)?.clone())
    }

    /// The element type of a `map`'s list: `tuple<K, V>`.
    pub fn map_entry(k: &Ty, v: &Ty) -> Ty {
        Ty::Tuple(vec![k.clone(), v.clone()])
    }

    /// The cases of a variant-like type (`despecialize` in the spec).
    pub fn cases(&self) -> Option<Vec<Option<Ty>>> {
        Some(match self {
            Ty::Variant(cases) => cases.clone(),
            Ty::Enum(n) => vec![None; *n as usize],
            Ty::Option(t) => vec![None, Some((**t).clone())],
            Ty::Result(ok, err) => vec![ok.as_deref().cloned(), err.as_deref().cloned()],
            _ => return None,
        })
    }

    /// Whether a value of this type contains a string or a (variable) list
    /// somewhere, i.e. may need `realloc` when it is stored.
    pub fn needs_realloc(&self) -> bool {
        match self {
            Ty::String | Ty::List(_) | Ty::Map(..) => true,
            Ty::FixedList(t, _) | Ty::Option(t) => t.needs_realloc(),
            Ty::Record(fs) | Ty::Tuple(fs) => fs.iter().any(Ty::needs_realloc),
            Ty::Variant(cs) => cs.iter().flatten().any(Ty::needs_realloc),
            Ty::Result(a, b) => [a, b]
                .iter()
                .any(|t| t.as_ref().is_some_and(|t| t.needs_realloc())),
            _ => false,
        }
    }

    fn primitive_name(&self) -> Option<&'static str> {
        Some(match self {
            Ty::Bool => "bool",
            Ty::S8 => "s8",
            Ty::U8 => "u8",
            Ty::S16 => "s16",
            Ty::U16 => "u16",
            Ty::S32 => "s32",
            Ty::U32 => "u32",
            Ty::S64 => "s64",
            Ty::U64 => "u64",
            Ty::F32 => "f32",
            Ty::F64 => "f64",
            Ty::Char => "char",
            Ty::String => "string",
            _ => return None,
        })
    }
}

/// Writes types of one function (case) in WIT and in component-model text,
/// collecting the named type definitions they need.
#[derive(Debug)]
pub struct Namer {
    case: usize,
    next: usize,
    /// WIT declarations (`record c0-t0 { .. }`), in dependency order.
    pub wit_defs: Vec<String>,
    /// Named types, in dependency order: the name and the component-model
    /// definition, whose references to other named types are `$<name>`.
    pub cm_defs: Vec<(String, String)>,
}

impl Namer {
    /// A namer for the types of case `case`.
    pub fn new(case: usize) -> Self {
        Namer {
            case,
            next: 0,
            wit_defs: Vec::new(),
            cm_defs: Vec::new(),
        }
    }

    fn fresh(&mut self) -> String {
        let name = format!("c{}-t{}", self.case, self.next);
        self.next += 1;
        name
    }

    /// Returns the WIT and the component-model spelling of `ty`, declaring
    /// the named types it uses.
    pub fn name(&mut self, ty: &Ty) -> (String, String) {
        if let Some(p) = ty.primitive_name() {
            return (p.to_string(), p.to_string());
        }
        match ty {
            Ty::List(t) => {
                let (w, c) = self.name(t);
                (format!("list<{w}>"), format!("(list {c})"))
            }
            Ty::FixedList(t, n) => {
                let (w, c) = self.name(t);
                (format!("list<{w}, {n}>"), format!("(list {c} {n})"))
            }
            Ty::Map(k, v) => {
                let (wk, ck) = self.name(k);
                let (wv, cv) = self.name(v);
                (format!("map<{wk}, {wv}>"), format!("(map {ck} {cv})"))
            }
            Ty::Tuple(ts) => {
                let (w, c): (Vec<_>, Vec<_>) = ts.iter().map(|t| self.name(t)).unzip();
                (
                    format!("tuple<{}>", w.join(", ")),
                    format!("(tuple {})", c.join(" ")),
                )
            }
            Ty::Option(t) => {
                let (w, c) = self.name(t);
                (format!("option<{w}>"), format!("(option {c})"))
            }
            Ty::Own(r) => (format!("own<{}>", r.name()), format!("(own ${})", r.name())),
            Ty::Borrow(r) => (
                format!("borrow<{}>", r.name()),
                format!("(borrow ${})", r.name()),
            ),
            Ty::Result(ok, err) => {
                let ok = ok.as_ref().map(|t| self.name(t));
                let err = err.as_ref().map(|t| self.name(t));
                let wit = match (&ok, &err) {
                    (None, None) => "result".to_string(),
                    (Some((o, _)), None) => format!("result<{o}>"),
                    (None, Some((e, _))) => format!("result<_, {e}>"),
                    (Some((o, _)), Some((e, _))) => format!("result<{o}, {e}>"),
                };
                let mut cm = "(result".to_string();
                if let Some((_, o)) = &ok {
                    cm += &format!(" {o}");
                }
                if let Some((_, e)) = &err {
                    cm += &format!(" (error {e})");
                }
                cm += ")";
                (wit, cm)
            }
            Ty::Record(fields) => {
                let (w, c): (Vec<_>, Vec<_>) = fields.iter().map(|t| self.name(t)).unzip();
                let name = self.fresh();
                let wit_fields: Vec<String> = w
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("f{i}: {t}"))
                    .collect();
                self.wit_defs
                    .push(format!("record {name} {{ {} }}", wit_fields.join(", ")));
                let cm_fields: Vec<String> = c
                    .iter()
                    .enumerate()
                    .map(|(i, t)| format!("(field \"f{i}\" {t})"))
                    .collect();
                self.named(name, format!("(record {})", cm_fields.join(" ")))
            }
            Ty::Variant(cases) => {
                let named: Vec<Option<(String, String)>> = cases
                    .iter()
                    .map(|c| c.as_ref().map(|t| self.name(t)))
                    .collect();
                let name = self.fresh();
                let wit_cases: Vec<String> = named
                    .iter()
                    .enumerate()
                    .map(|(i, c)| match c {
                        Some((w, _)) => format!("c{i}({w})"),
                        None => format!("c{i}"),
                    })
                    .collect();
                self.wit_defs
                    .push(format!("variant {name} {{ {} }}", wit_cases.join(", ")));
                let cm_cases: Vec<String> = named
                    .iter()
                    .enumerate()
                    .map(|(i, c)| match c {
                        Some((_, t)) => format!("(case \"c{i}\" {t})"),
                        None => format!("(case \"c{i}\")"),
                    })
                    .collect();
                self.named(name, format!("(variant {})", cm_cases.join(" ")))
            }
            Ty::Enum(n) => {
                let name = self.fresh();
                let labels: Vec<String> = (0..*n).map(|i| format!("e{i}")).collect();
                self.wit_defs
                    .push(format!("enum {name} {{ {} }}", labels.join(", ")));
                let cm: Vec<String> = labels.iter().map(|l| format!("\"{l}\"")).collect();
                self.named(name, format!("(enum {})", cm.join(" ")))
            }
            Ty::Flags(n) => {
                let name = self.fresh();
                let labels: Vec<String> = (0..*n).map(|i| format!("g{i}")).collect();
                self.wit_defs
                    .push(format!("flags {name} {{ {} }}", labels.join(", ")));
                let cm: Vec<String> = labels.iter().map(|l| format!("\"{l}\"")).collect();
                self.named(name, format!("(flags {})", cm.join(" ")))
            }
            _ => unreachable!("primitives are handled above"),
        }
    }

    fn named(&mut self, name: String, def: String) -> (String, String) {
        let cm = format!("${name}");
        self.cm_defs.push((name.clone(), def));
        (name, cm)
    }
}

/// Short human-readable spelling of a type (WIT-like, anonymous).
pub fn describe(ty: &Ty) -> String {
    if let Some(p) = ty.primitive_name() {
        return p.to_string();
    }
    let list = |ts: &[Ty]| ts.iter().map(describe).collect::<Vec<_>>().join(", ");
    match ty {
        Ty::List(t) => format!("list<{}>", describe(t)),
        Ty::FixedList(t, n) => format!("list<{}, {n}>", describe(t)),
        Ty::Map(k, v) => format!("map<{}, {}>", describe(k), describe(v)),
        Ty::Record(fs) => format!("record {{ {} }}", list(fs)),
        Ty::Tuple(fs) => format!("tuple<{}>", list(fs)),
        Ty::Variant(cs) => {
            let cs: Vec<String> = cs
                .iter()
                .map(|c| c.as_ref().map_or("_".to_string(), describe))
                .collect();
            format!("variant {{ {} }}", cs.join(", "))
        }
        Ty::Enum(n) => format!("enum({n})"),
        Ty::Option(t) => format!("option<{}>", describe(t)),
        Ty::Result(a, b) => format!(
            "result<{}, {}>",
            a.as_ref().map_or("_".to_string(), |t| describe(t)),
            b.as_ref().map_or("_".to_string(), |t| describe(t))
        ),
        Ty::Flags(n) => format!("flags({n})"),
        Ty::Own(r) => format!("own<{}>", r.name()),
        Ty::Borrow(r) => format!("borrow<{}>", r.name()),
        _ => unreachable!(),
    }
}
