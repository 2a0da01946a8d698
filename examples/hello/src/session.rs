//! What the example does with either engine: the modules it instantiates,
//! and the one thing it asks of a linked session.

use fact::{Export, Import, Trap};

/// The bytes of every module of the example, and the adapter module's
/// tables (as `fact_adapters!` embeds them).
#[derive(Debug, Clone, Copy)]
pub struct Modules<'a> {
    /// The adapter module (`adapters::WASM`).
    pub adapters: &'a [u8],
    /// Its import table (`adapters::IMPORTS`).
    pub imports: &'a [Import],
    /// Its exports (`adapters::EXPORTS`).
    pub exports: &'a [Export],
    /// The name of the adapter of `order` (`adapters::names::..`).
    pub order: &'a str,
    /// The shop component's core module: it lifts `order`.
    pub shop: &'a [u8],
    /// The customer's memory and allocator, a module of its own: the
    /// customer's main module imports the adapters, which need the
    /// customer's memory first.
    pub customer_runtime: &'a [u8],
    /// The customer's main module: it lowers `order`.
    pub customer: &'a [u8],
}

/// One of the two instances whose memory a session shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The shop (the callee).
    Shop,
    /// The customer (the caller).
    Customer,
}

/// How a call failed.
#[derive(Debug)]
pub struct Failure {
    /// The adapter's trap code, if an adapter trapped.
    pub trap: Option<Trap>,
    /// The engine's error.
    pub message: String,
}

/// The instances of the example, linked through the adapters, in one
/// engine.
pub trait Session {
    /// The customer's `run(apples, pears)`: it calls the shop's `order`
    /// through the adapter and returns where the reply is in its memory.
    fn order(&mut self, apples: u32, pears: u32) -> Result<u32, Failure>;
    /// A copy of an instance's memory.
    fn memory(&mut self, who: Who) -> Vec<u8>;
    /// Writes one byte of an instance's memory.
    fn poke(&mut self, who: Who, addr: usize, byte: u8);
}
