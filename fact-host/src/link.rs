//! What the glue of every engine checks when it links an adapter module,
//! written once so that each engine reports the same mistakes the same way.

use crate::Export;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Checks that every name in `supplied` (the export names for which a host
/// supplied a callee or a `post-return`, `what` saying which) names an
/// adapter of `exports`, or one of `also_known` (adapters of modules linked
/// earlier by the same linker).
///
/// # Errors
///
/// A message naming the first unknown name and listing the adapters there
/// are, so that a typo is an error rather than an import left for a later
/// "missing callee" message, or a callee silently never called.
///
/// # Example
///
/// ```
/// use fact_host::{link::check_adapter_names, Export, Signature};
///
/// let greet = Export {
///     name: "greet".into(), interface: None, function: "greet".into(),
///     lower_instance: 1, lift_instance: 0,
///     lowered: Signature::new(&[], &[]), lifted: Signature::new(&[], &[]),
///     async_call: None,
/// };
/// assert!(check_adapter_names("callee", ["greet"], &[greet.clone()], []).is_ok());
/// let err = check_adapter_names("callee", ["greeet"], &[greet], []).unwrap_err();
/// assert_eq!(err, "a callee was supplied for `greeet`, but no adapter has that name; \
///                  the adapters are `greet`");
/// ```
pub fn check_adapter_names<'a, 'k>(
    what: &str,
    supplied: impl IntoIterator<Item = &'a str>,
    exports: &[Export],
    also_known: impl IntoIterator<Item = &'k str> + Clone,
) -> Result<(), String> {
    for name in supplied {
        let known = exports.iter().any(|e| e.name == name)
            || also_known.clone().into_iter().any(|k| k == name);
        if !known {
            let names: Vec<String> = exports.iter().map(|e| format!("`{}`", e.name)).collect();
            let list = if names.is_empty() {
                String::from("the module has no adapters")
            } else {
                format!("the adapters are {}", names.join(", "))
            };
            return Err(format!(
                "a {what} was supplied for `{name}`, but no adapter has that name; {list}"
            ));
        }
    }
    Ok(())
}
