//! A composed component in which Wasmtime fuses an adapter for every
//! function that a WIT world imports.
//!
//! - the *consumer*: the world's component, made by `wit-component` from its
//!   dummy core module (it imports the world's interfaces, lowering every
//!   function, and exports the world's exports);
//! - the *provider*: the component of a world that exports every interface
//!   the first one imports (`wit-parser` makes exported interfaces depend on
//!   each other, so it imports nothing), lifting every function;
//! - the composition: an outer component that instantiates the provider and
//!   then the consumer with the provider's exported instances.

use super::common::ah;
use fact_core::wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve, WorldId, WorldItem, WorldKey};
use wasm_encoder::{
    Alias, Component, ComponentAliasSection, ComponentExportKind, ComponentInstanceSection,
    ComponentSectionId, RawSection,
};
use wasmtime::Result;

/// The three components.
pub struct Composed {
    pub provider: Vec<u8>,
    pub consumer: Vec<u8>,
    pub composed: Vec<u8>,
}

/// The component of `world`, from `wit-component`'s dummy core module.
fn component_of(resolve: &Resolve, world: WorldId) -> Result<Vec<u8>> {
    let mangling = ManglingAndAbi::Legacy(LiftLowerAbi::Sync);
    let mut module = wit_component::dummy_module(resolve, world, mangling);
    ah(wit_component::embed_component_metadata(
        &mut module,
        resolve,
        world,
        wit_component::StringEncoding::UTF8,
    ))?;
    ah(
        ah(wit_component::ComponentEncoder::default().module(&module))?
            .validate(true)
            .encode(),
    )
}

/// The names (`ns:pkg/iface@version`) of the interfaces `world` imports.
fn imported_interfaces(resolve: &Resolve, world: WorldId) -> Vec<String> {
    resolve.worlds[world]
        .imports
        .iter()
        .map(|(key, item)| match (key, item) {
            (WorldKey::Interface(id), WorldItem::Interface { .. }) => resolve
                .id_of(*id)
                .expect("WASI interfaces belong to packages"),
            _ => panic!("the WASI worlds import interfaces only"),
        })
        .collect()
}

/// Builds the provider, the consumer and their composition for `world`.
pub fn compose(resolve: &mut Resolve, world: WorldId) -> Result<Composed> {
    let consumer = component_of(resolve, world)?;
    let interfaces = imported_interfaces(resolve, world);
    let mut wit = String::from("package bench:compose;\nworld provider {\n");
    for name in &interfaces {
        wit += &format!("  export {name};\n");
    }
    wit += "}\n";
    let pkg = ah(resolve.push_str("provider.wit", &wit))?;
    let provider_world = ah(resolve.select_world(&[pkg], Some("provider")))?;
    assert!(
        resolve.worlds[provider_world].imports.is_empty(),
        "the provider imports nothing"
    );
    let provider = component_of(resolve, provider_world)?;

    let mut composed = Component::new();
    for nested in [&provider, &consumer] {
        composed.section(&RawSection {
            id: ComponentSectionId::Component as u8,
            data: nested,
        });
    }
    // Instance 0: the provider.
    let mut instances = ComponentInstanceSection::new();
    instances.instantiate(0, Vec::<(&str, ComponentExportKind, u32)>::new());
    composed.section(&instances);
    // Instances 1..=n: its exported interfaces.
    let mut aliases = ComponentAliasSection::new();
    for name in &interfaces {
        aliases.alias(Alias::InstanceExport {
            instance: 0,
            kind: ComponentExportKind::Instance,
            name,
        });
    }
    composed.section(&aliases);
    // The consumer, importing them.
    let mut instances = ComponentInstanceSection::new();
    instances.instantiate(
        1,
        interfaces
            .iter()
            .enumerate()
            .map(|(i, name)| (name.as_str(), ComponentExportKind::Instance, 1 + i as u32)),
    );
    composed.section(&instances);
    let composed = composed.finish();
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&composed)?;
    Ok(Composed {
        provider,
        consumer,
        composed,
    })
}
