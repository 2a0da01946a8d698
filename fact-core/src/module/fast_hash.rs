//! The hasher of the compiler's own tables.
//!
//! The compiler looks its tables up several times per value it moves (the
//! helpers already compiled, the imports already added, the function types
//! already declared), by keys that are small and of its own making: arena
//! ids, enums, short vectors of value types. The standard library's
//! SipHash, built to resist keys chosen by an attacker, cost about a tenth
//! of the compilation of a WASI world; this is the multiply-and-rotate hash
//! that rustc uses for the same kind of keys. Tables keyed by text from
//! the WIT (the adapters' names) keep SipHash.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// FxHash: each word is mixed in with a rotate, a xor and a multiply.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

/// An odd constant with well-spread bits (rustc's FxHash seed).
const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash(value: impl Hash) -> u64 {
        BuildHasherDefault::<FastHasher>::default().hash_one(value)
    }

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        assert_eq!(hash((1u32, "a")), hash((1u32, "a")));
        let hashes: std::collections::HashSet<u64> = (0u32..1000).map(hash).collect();
        assert_eq!(hashes.len(), 1000);
        assert_ne!(hash([1u8, 2, 3]), hash([1u8, 2, 4]));
        assert_ne!(hash(&b"abcdefgh1"[..]), hash(&b"abcdefgh2"[..]));
    }

    #[test]
    fn a_map_finds_what_it_holds() {
        let mut map = FastMap::default();
        for i in 0..100u32 {
            map.insert((i, i % 7), i);
        }
        assert!((0..100u32).all(|i| map[&(i, i % 7)] == i));
    }
}
