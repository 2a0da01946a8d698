//! The grammar of `fact_adapters!`.
//!
//! ```text
//! fact_adapters!("path/to/world.wit")
//! fact_adapters!({
//!     path: "wit",                    // or `inline: "package a:b; world w { .. }"`
//!     world: "app",                   // optional when the package has one world
//!     lift: { string_encoding: "utf16", memory64: true, post_return: true },
//!     lower: { string_encoding: "latin1+utf16", memory: true, realloc: true },
//!     short_strings: 16,              // optional: see `AdapterCompiler::short_strings`
//!     exception_barrier: true,        // optional: see `AdapterCompiler::exception_barrier`
//!     debug: true,                    // optional: see `AdapterCompiler::debug`
//!     functions: {                    // optional: options of single functions
//!         "[export]ns:pkg/iface#f": { lift: { string_encoding: "utf16" } },
//!     },
//! })
//! ```
//!
//! Everything here is checked while parsing, before any WIT is read, so every
//! mistake is reported at the span of the token that makes it.

use fact_core::{CanonOptions, MemoryType, StringEncoding, WorldOptions};
use proc_macro2::Span;
use std::collections::BTreeMap;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{braced, Ident, LitBool, LitInt, LitStr, Token};

/// The options of the top-level braced form.
const OPTIONS: &str = "`path`, `inline`, `world`, `lift`, `lower`, `short_strings`, \
                       `exception_barrier`, `debug` or `functions`";

/// The options of a side (`lift: { .. }` or `lower: { .. }`).
const SIDE_OPTIONS: &str =
    "`string_encoding`, `memory`, `memory64`, `realloc`, `post_return`, `async` or `callback`";

/// A parsed `fact_adapters!` invocation.
pub(crate) struct Config {
    /// Where the WIT comes from.
    pub source: Source,
    /// The world to adapt (`world: ".."`), or `None` for the only one.
    pub world: Option<LitStr>,
    /// Options of the side that lifts each function.
    pub lift: SideOptions,
    /// Options of the side that lowers each function.
    pub lower: SideOptions,
    /// `short_strings: N`: the short-string limit, if given.
    pub short_strings: Option<u32>,
    /// `exception_barrier: bool`, if given.
    pub exception_barrier: Option<bool>,
    /// `debug: bool`, if given.
    pub debug: Option<bool>,
    /// `functions: { "name": { lift: { .. }, lower: { .. } }, .. }`: the
    /// options of single functions, by adapter name, over the world's.
    pub functions: Vec<FunctionConfig>,
}

/// The options of one function (`"name": { lift: { .. }, lower: { .. } }`).
pub(crate) struct FunctionConfig {
    /// The adapter name, where errors about it are reported.
    pub name: LitStr,
    /// Options of the side that lifts it, over the world's.
    pub lift: SideOptions,
    /// Options of the side that lowers it, over the world's.
    pub lower: SideOptions,
}

/// Where the WIT comes from.
pub(crate) enum Source {
    /// A `.wit` file or a WIT directory, relative to `CARGO_MANIFEST_DIR`.
    Path(LitStr),
    /// WIT source text given in the macro call.
    Inline(LitStr),
}

impl Source {
    /// The literal that names the WIT, where errors in the WIT are reported.
    pub fn literal(&self) -> &LitStr {
        match self {
            Source::Path(lit) | Source::Inline(lit) => lit,
        }
    }
}

/// The options of one side, each `None` when not given.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct SideOptions {
    /// `string_encoding: ".."`.
    pub string_encoding: Option<StringEncoding>,
    /// `memory: bool`: `false` means the side has no memory.
    pub memory: Option<bool>,
    /// `memory64: bool`: the side's memory is a 64-bit one.
    pub memory64: Option<bool>,
    /// `realloc: bool`.
    pub realloc: Option<bool>,
    /// `post_return: bool` (lifting side only).
    pub post_return: Option<bool>,
    /// `async: bool`: the side lowers or lifts `async` functions with the
    /// async ABI.
    pub async_: Option<bool>,
    /// `callback: bool` (lifting side only): the async lift has a callback.
    pub callback: Option<bool>,
}

impl SideOptions {
    /// `defaults` with the options given here applied.
    pub fn apply(&self, defaults: CanonOptions) -> CanonOptions {
        let mut options = defaults;
        if let Some(encoding) = self.string_encoding {
            options.string_encoding = encoding;
        }
        let memory64 = self
            .memory64
            .unwrap_or(matches!(defaults.memory, Some(MemoryType::Memory64)));
        options.memory = match self.memory {
            Some(false) => None,
            Some(true) | None => Some(if memory64 {
                MemoryType::Memory64
            } else {
                MemoryType::Memory32
            }),
        };
        if let Some(realloc) = self.realloc {
            options.realloc = realloc;
        }
        if let Some(post_return) = self.post_return {
            options.post_return = post_return;
        }
        if let Some(async_) = self.async_ {
            options.async_ = async_;
        }
        if let Some(callback) = self.callback {
            options.callback = callback;
        }
        options
    }
}

impl Config {
    /// The configuration of the short form `fact_adapters!("path")`.
    fn from_path(path: LitStr) -> Self {
        Config {
            source: Source::Path(path),
            world: None,
            lift: SideOptions::default(),
            lower: SideOptions::default(),
            short_strings: None,
            exception_barrier: None,
            debug: None,
            functions: Vec::new(),
        }
    }

    /// The options to adapt the world with.
    pub fn world_options(&self) -> WorldOptions {
        let defaults = WorldOptions::default();
        WorldOptions {
            lift: self.lift.apply(defaults.lift),
            lower: self.lower.apply(defaults.lower),
            short_strings: self.short_strings.unwrap_or(defaults.short_strings),
            exception_barrier: self.exception_barrier.unwrap_or(defaults.exception_barrier),
            debug: self.debug.unwrap_or(defaults.debug),
            // The docs of the adapters' constants.
            describe: true,
        }
    }

    /// The options the functions given their own change (lifting side,
    /// lowering side), by adapter name: applied to what the world's give
    /// each function ([`WorldOptions::for_function`]) once the WIT says
    /// which are `async`.
    pub fn function_options(&self) -> BTreeMap<String, (SideOptions, SideOptions)> {
        self.functions
            .iter()
            .map(|f| (f.name.value(), (f.lift.clone(), f.lower.clone())))
            .collect()
    }
}

impl Parse for Config {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let path: LitStr = input.parse()?;
            if !input.is_empty() {
                return Err(input.error(
                    "unexpected input after the WIT path; \
                     use the braced form `{ path: \"..\", world: \"..\" }` for options",
                ));
            }
            return Ok(Config::from_path(path));
        }
        if !input.peek(syn::token::Brace) {
            return Err(input.error(
                "expected a WIT path (`\"wit/world.wit\"`) or options (`{ path: \"wit\", .. }`)",
            ));
        }
        let content;
        let brace = braced!(content in input);
        if !input.is_empty() {
            return Err(input.error("unexpected input after the options"));
        }

        let mut source: Option<Source> = None;
        let mut world = None;
        let mut lift = None;
        let mut lower = None;
        let mut short_strings = None;
        let mut exception_barrier = None;
        let mut debug = None;
        let mut functions = Vec::new();
        let mut seen = Seen::default();
        while !content.is_empty() {
            let key = Ident::parse_any(&content)?;
            let name = key.to_string();
            match name.as_str() {
                "path" | "inline" | "world" | "lift" | "lower" | "short_strings"
                | "exception_barrier" | "debug" | "functions" => {}
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown option `{name}`; expected {OPTIONS}"),
                    ))
                }
            }
            seen.insert(&key)?;
            content.parse::<Token![:]>()?;
            match name.as_str() {
                "path" | "inline" => {
                    let lit: LitStr = content.parse()?;
                    if let Some(other) = &source {
                        let other = match other {
                            Source::Path(_) => "path",
                            Source::Inline(_) => "inline",
                        };
                        return Err(syn::Error::new(
                            key.span(),
                            format!("`{name}` and `{other}` cannot both be given"),
                        ));
                    }
                    source = Some(if name == "path" {
                        Source::Path(lit)
                    } else {
                        Source::Inline(lit)
                    });
                }
                "world" => world = Some(content.parse::<LitStr>()?),
                "lift" => lift = Some(parse_side(&content, Side::Lift)?),
                "lower" => lower = Some(parse_side(&content, Side::Lower)?),
                "short_strings" => short_strings = Some(parse_short_strings(&content)?),
                "exception_barrier" => exception_barrier = Some(content.parse::<LitBool>()?.value),
                "debug" => debug = Some(content.parse::<LitBool>()?.value),
                _ => functions = parse_functions(&content)?,
            }
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }

        let source = source.ok_or_else(|| {
            syn::Error::new(
                brace.span.join(),
                "missing WIT: give `path: \"..\"` or `inline: \"..\"`",
            )
        })?;
        Ok(Config {
            source,
            world,
            lift: lift.unwrap_or_default(),
            lower: lower.unwrap_or_default(),
            short_strings,
            exception_barrier,
            debug,
            functions,
        })
    }
}

/// Parses the value of `short_strings: N`, a count of code units.
fn parse_short_strings(input: ParseStream<'_>) -> syn::Result<u32> {
    let lit: LitInt = input.parse()?;
    lit.base10_parse::<u32>().map_err(|_| {
        syn::Error::new(
            lit.span(),
            format!(
                "`short_strings` takes a number of code units from 0 to {}",
                u32::MAX
            ),
        )
    })
}

/// Parses `{ "name": { lift: { .. }, lower: { .. } }, .. }`.
fn parse_functions(input: ParseStream<'_>) -> syn::Result<Vec<FunctionConfig>> {
    let content;
    braced!(content in input);
    let mut functions: Vec<FunctionConfig> = Vec::new();
    while !content.is_empty() {
        let name: LitStr = content.parse()?;
        if let Some(first) = functions.iter().find(|f| f.name.value() == name.value()) {
            let mut error = syn::Error::new(
                name.span(),
                format!("options of `{}` given twice", name.value()),
            );
            error.combine(syn::Error::new(first.name.span(), "first given here"));
            return Err(error);
        }
        content.parse::<Token![:]>()?;
        let sides;
        braced!(sides in content);
        let mut lift = None;
        let mut lower = None;
        let mut seen = Seen::default();
        while !sides.is_empty() {
            let key = Ident::parse_any(&sides)?;
            let side = match key.to_string().as_str() {
                "lift" => Side::Lift,
                "lower" => Side::Lower,
                other => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown option `{other}` of a function; expected `lift` or `lower`"
                        ),
                    ))
                }
            };
            seen.insert(&key)?;
            sides.parse::<Token![:]>()?;
            let options = Some(parse_side(&sides, side)?);
            match side {
                Side::Lift => lift = options,
                Side::Lower => lower = options,
            }
            if sides.is_empty() {
                break;
            }
            sides.parse::<Token![,]>()?;
        }
        functions.push(FunctionConfig {
            name,
            lift: lift.unwrap_or_default(),
            lower: lower.unwrap_or_default(),
        });
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(functions)
}

/// Which side a `{ .. }` of options describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Lift,
    Lower,
}

/// Parses `{ string_encoding: "..", memory64: true, .. }`.
fn parse_side(input: ParseStream<'_>, side: Side) -> syn::Result<SideOptions> {
    let content;
    braced!(content in input);
    let mut options = SideOptions::default();
    let mut seen = Seen::default();
    // Where `memory: false` was said, to report `memory64: true` against it.
    let mut no_memory: Option<Span> = None;
    let mut memory64: Option<Span> = None;
    while !content.is_empty() {
        let key = Ident::parse_any(&content)?;
        let name = key.to_string();
        match name.as_str() {
            "string_encoding" | "memory" | "memory64" | "realloc" => {}
            "async" => {}
            "post_return" | "callback" if side == Side::Lift => {}
            "post_return" | "callback" => {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "`{name}` is an option of the lifting side only: \
                         move it to `lift: {{ .. }}`"
                    ),
                ))
            }
            _ => {
                return Err(syn::Error::new(
                    key.span(),
                    format!("unknown option `{name}`; expected {SIDE_OPTIONS}"),
                ))
            }
        }
        seen.insert(&key)?;
        content.parse::<Token![:]>()?;
        match name.as_str() {
            "string_encoding" => {
                let lit: LitStr = content.parse()?;
                let encoding = lit
                    .value()
                    .parse::<StringEncoding>()
                    .map_err(|e| syn::Error::new(lit.span(), e))?;
                options.string_encoding = Some(encoding);
            }
            _ => {
                let lit: LitBool = content.parse()?;
                let value = lit.value;
                match name.as_str() {
                    "memory" => {
                        options.memory = Some(value);
                        if !value {
                            no_memory = Some(key.span());
                        }
                    }
                    "memory64" => {
                        options.memory64 = Some(value);
                        if value {
                            memory64 = Some(key.span());
                        }
                    }
                    "realloc" => options.realloc = Some(value),
                    "async" => options.async_ = Some(value),
                    "callback" => options.callback = Some(value),
                    _ => options.post_return = Some(value),
                }
            }
        }
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    if let (Some(no_memory), Some(memory64)) = (no_memory, memory64) {
        let mut error = syn::Error::new(
            memory64,
            "`memory64: true` describes a memory, but this side has `memory: false`",
        );
        error.combine(syn::Error::new(no_memory, "`memory: false` given here"));
        return Err(error);
    }
    Ok(options)
}

/// The option names seen so far in one `{ .. }`, to reject duplicates.
#[derive(Debug, Default)]
struct Seen(Vec<Ident>);

impl Seen {
    /// Records `key`, or fails if an option of the same name came before.
    fn insert(&mut self, key: &Ident) -> syn::Result<()> {
        if let Some(first) = self.0.iter().find(|seen| *seen == key) {
            let mut error = syn::Error::new(key.span(), format!("option `{key}` given twice"));
            error.combine(syn::Error::new(first.span(), "first given here"));
            return Err(error);
        }
        self.0.push(key.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fact_core::{OTHER_INSTANCE, WORLD_INSTANCE};

    fn parse(src: &str) -> syn::Result<Config> {
        syn::parse_str(src)
    }

    fn error(src: &str) -> String {
        match parse(src) {
            Ok(config) => panic!("`{src}` parsed, with options {:?}", config.world_options()),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_lone_string_is_a_path_with_default_options() {
        let config = parse(r#""wit/app.wit""#).unwrap();
        assert!(matches!(&config.source, Source::Path(p) if p.value() == "wit/app.wit"));
        assert!(config.world.is_none());
        // The defaults, but for the descriptions the macro's docs need.
        let defaults = WorldOptions {
            describe: true,
            ..WorldOptions::default()
        };
        assert_eq!(config.world_options(), defaults);
    }

    #[test]
    fn the_braced_form_sets_world_and_both_sides() {
        let config = parse(
            r#"{
                path: "wit",
                world: "app",
                lift: { string_encoding: "utf16", memory64: true, post_return: true },
                lower: { string_encoding: "latin1+utf16", realloc: false },
            }"#,
        )
        .unwrap();
        assert!(matches!(&config.source, Source::Path(p) if p.value() == "wit"));
        assert_eq!(
            config.world.as_ref().map(LitStr::value).as_deref(),
            Some("app")
        );
        let options = config.world_options();
        assert_eq!(
            options.lift,
            CanonOptions::new(WORLD_INSTANCE)
                .string_encoding(StringEncoding::Utf16)
                .memory(Some(MemoryType::Memory64))
                .post_return(true)
        );
        assert_eq!(
            options.lower,
            CanonOptions::new(OTHER_INSTANCE)
                .string_encoding(StringEncoding::CompactUtf16)
                .realloc(false)
        );
    }

    #[test]
    fn short_strings_sets_the_limit() {
        let config = parse(r#"{ path: "x.wit", short_strings: 16 }"#).unwrap();
        assert_eq!(config.world_options().short_strings, 16);
        assert_eq!(
            parse(r#"{ path: "x.wit" }"#)
                .unwrap()
                .world_options()
                .short_strings,
            fact_core::DEFAULT_SHORT_STRINGS
        );
        for bad in ["-1", "4294967296"] {
            assert_eq!(
                error(&format!(r#"{{ path: "x.wit", short_strings: {bad} }}"#)),
                "`short_strings` takes a number of code units from 0 to 4294967295",
                "{bad}"
            );
        }
        assert_eq!(
            error(r#"{ path: "x.wit", short_strings: "16" }"#),
            "expected integer literal"
        );
    }

    #[test]
    fn inline_wit_replaces_the_path() {
        let config = parse(r#"{ inline: "package a:b; world w {}" }"#).unwrap();
        assert!(matches!(&config.source, Source::Inline(s) if s.value().contains("world w")));
    }

    #[test]
    fn memory_false_removes_the_memory() {
        let config =
            parse(r#"{ path: "x.wit", lower: { memory: false, realloc: false } }"#).unwrap();
        let options = config.world_options();
        assert_eq!(options.lower.memory, None);
        assert!(!options.lower.realloc);
        assert_eq!(options.lift.memory, Some(MemoryType::Memory32));
    }

    #[test]
    fn a_trailing_comma_is_optional() {
        parse(r#"{ path: "x.wit" }"#).unwrap();
        parse(r#"{ path: "x.wit", lift: { memory64: true, }, }"#).unwrap();
    }

    #[test]
    fn unknown_options_are_rejected() {
        assert_eq!(
            error(r#"{ path: "x.wit", wrld: "app" }"#),
            "unknown option `wrld`; expected `path`, `inline`, `world`, `lift`, `lower`, \
             `short_strings`, `exception_barrier`, `debug` or `functions`"
        );
        assert_eq!(
            error(r#"{ path: "x.wit", lift: { encoding: "utf8" } }"#),
            "unknown option `encoding`; expected `string_encoding`, `memory`, `memory64`, \
             `realloc`, `post_return`, `async` or `callback`"
        );
        // Keywords are options too, just unknown ones.
        assert!(error(r#"{ type: "x" }"#).starts_with("unknown option `type`"));
    }

    #[test]
    fn duplicate_options_are_rejected() {
        assert_eq!(
            error(r#"{ path: "x.wit", world: "a", world: "b" }"#),
            "option `world` given twice"
        );
        assert_eq!(
            error(r#"{ path: "x.wit", lift: { realloc: true, realloc: false } }"#),
            "option `realloc` given twice"
        );
        assert_eq!(
            error(r#"{ path: "x.wit", inline: "package a:b;" }"#),
            "`inline` and `path` cannot both be given"
        );
    }

    #[test]
    fn post_return_belongs_to_the_lifting_side() {
        assert!(error(r#"{ path: "x.wit", lower: { post_return: true } }"#)
            .starts_with("`post_return` is an option of the lifting side only"));
        assert!(error(r#"{ path: "x.wit", lower: { callback: true } }"#)
            .starts_with("`callback` is an option of the lifting side only"));
    }

    #[test]
    fn bad_values_are_rejected() {
        assert_eq!(
            error(r#"{ path: "x.wit", lift: { string_encoding: "utf32" } }"#),
            "unknown string encoding `utf32`: expected `utf8`, `utf16` or `latin1+utf16`"
        );
        assert_eq!(
            error(r#"{ path: "x.wit", lift: { memory64: "yes" } }"#),
            "expected boolean literal"
        );
        assert_eq!(
            error(r#"{ path: "x.wit", lower: { memory: false, memory64: true } }"#),
            "`memory64: true` describes a memory, but this side has `memory: false`"
        );
    }

    #[test]
    fn the_wit_is_required() {
        assert_eq!(
            error(r#"{ world: "app" }"#),
            "missing WIT: give `path: \"..\"` or `inline: \"..\"`"
        );
        assert!(error("app").starts_with("expected a WIT path"));
        assert!(error(r#""a.wit", "b.wit""#).starts_with("unexpected input after the WIT path"));
    }
}
