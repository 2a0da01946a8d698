//! The floor of the long non-ASCII string cases: the SIMD kernel that the
//! conversion needs (`fact-simd`, over simdutf), run alone on the same
//! bytes, between two host buffers, with no wasm, no adapter and no host
//! call. Neither Wasmtime's adapters nor ours can move such a string faster
//! than its kernel converts it.

use super::cases::{Content, Kind};
use super::{fmt_ns, Row};
use fact_core::StringEncoding;
use std::time::Duration;

/// The work a string of one form needs to become one of another form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kernel {
    /// Validate UTF-8, then copy.
    Utf8Copy,
    /// Validate UTF-16, then copy.
    Utf16Copy,
    /// UTF-8 to UTF-16 (validating).
    Utf8ToUtf16,
    /// UTF-16 to UTF-8 (validating).
    Utf16ToUtf8,
}

impl Kernel {
    /// The kernel of a non-ASCII string case: its text is not Latin-1, so
    /// `latin1+utf16` holds and receives it as UTF-16.
    fn of(src: StringEncoding, dst: StringEncoding) -> Kernel {
        let utf8 = |e| e == StringEncoding::Utf8;
        match (utf8(src), utf8(dst)) {
            (true, true) => Kernel::Utf8Copy,
            (false, false) => Kernel::Utf16Copy,
            (true, false) => Kernel::Utf8ToUtf16,
            (false, true) => Kernel::Utf16ToUtf8,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kernel::Utf8Copy => "validate UTF-8 + copy",
            Kernel::Utf16Copy => "validate UTF-16 + copy",
            Kernel::Utf8ToUtf16 => "UTF-8 to UTF-16",
            Kernel::Utf16ToUtf8 => "UTF-16 to UTF-8",
        }
    }

    /// The median time of the kernel on `src` (the case's source bytes).
    fn time(self, src: &[u8], samples: usize) -> Duration {
        let units: Vec<u16> = src
            .chunks_exact(2)
            .map(|u| u16::from_le_bytes([u[0], u[1]]))
            .collect();
        let mut bytes = vec![0u8; 3 * src.len()];
        let mut wide = vec![0u16; src.len()];
        let n = src.len();
        super::common::median_time(samples, || match self {
            Kernel::Utf8Copy => {
                assert!(fact_simd::validate_utf8(src));
                bytes[..n].copy_from_slice(src);
            }
            Kernel::Utf16Copy => {
                assert!(fact_simd::validate_utf16(&units));
                wide[..units.len()].copy_from_slice(&units);
            }
            Kernel::Utf8ToUtf16 => {
                fact_simd::utf8_to_utf16(src, &mut wide).expect("valid UTF-8");
            }
            Kernel::Utf16ToUtf8 => {
                fact_simd::utf16_to_utf8(&units, &mut bytes).expect("valid UTF-16");
            }
        })
    }
}

/// Prints, for every non-ASCII string case of the largest size, its kernel
/// alone against the case's limit and against our adapter.
pub fn print(rows: &[Row], samples: usize) {
    let largest = rows.iter().map(|r| r.case.size).max().unwrap_or(0);
    let strings: Vec<(&Row, Kernel)> = rows
        .iter()
        .filter(|r| r.case.size == largest && largest > 0)
        .filter_map(|r| match r.case.kind {
            Kind::String {
                src,
                dst,
                content: Content::NonAscii,
            } => Some((r, Kernel::of(src, dst))),
            _ => None,
        })
        .collect();
    if strings.is_empty() {
        return;
    }
    println!(
        "\nThe SIMD kernel alone (fact-simd over simdutf, host buffers, no wasm), \
         non-ASCII strings of {largest} bytes:"
    );
    println!("| case | kernel | kernel ns | kernel/limit | ours/limit | ours/kernel |");
    println!("|---|---|---:|---:|---:|---:|");
    for (row, kernel) in strings {
        let data = row.case.input().data;
        let ns = kernel.time(&data, samples).as_nanos() as f64;
        println!(
            "| {} | {} | {} | {:.2} | {:.2} | {:.2} |",
            row.case.name,
            kernel.name(),
            fmt_ns(ns),
            ns / row.limit,
            row.ours / row.limit,
            row.ours / ns,
        );
    }
}
