//! Comparing what the two ways observed, and the known, deliberate
//! differences between `fact` (which follows the spec) and Wasmtime 48.

use super::case::{Case, FAULT_POST_RETURN_CALLS_OUT};
use super::modules::{tag, REALLOC_ENTRY, REALLOC_LOG, REALLOC_LOG_MAX};
use super::run::{CaseResult, Entry, Outcome};
use std::collections::{BTreeMap, BTreeSet};

/// The memory of one instance after the call, as its `dump` logged it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dump {
    /// Non-zero 8-byte words: `(tag::MEM32 or tag::MEM64, addr) -> value`;
    /// and the handles logged: `(tag::HANDLE_CALLER or tag::HANDLE_CALLEE,
    /// index) -> rep | res << 32`.
    pub words: BTreeMap<(u32, u64), u64>,
    /// The heap tops of `mem32` and `mem64`.
    pub heap: (u64, u64),
}

impl Dump {
    /// The word at `addr` of memory `mem` (zero if not logged).
    pub fn word(&self, mem: u32, addr: u64) -> u64 {
        self.words.get(&(mem, addr)).copied().unwrap_or(0)
    }

    /// `len` bytes at `addr` of memory `mem`.
    pub fn bytes(&self, mem: u32, addr: u64, len: u64) -> Vec<u8> {
        (addr..addr + len)
            .map(|a| (self.word(mem, a & !7) >> (8 * (a & 7))) as u8)
            .collect()
    }

    /// The `realloc` calls logged in `mem32`: (memory tag, old, old size,
    /// align, new size, returned pointer).
    pub fn reallocs(&self) -> Vec<[u64; 6]> {
        let n = self.word(tag::MEM32, 0xc0).min(REALLOC_LOG_MAX);
        (0..n)
            .map(|i| {
                let e = REALLOC_LOG + i * REALLOC_ENTRY;
                std::array::from_fn(|k| self.word(tag::MEM32, e + 8 * k as u64))
            })
            .collect()
    }
}

/// The dumps of the caller and the callee.
pub fn dumps(log: &[Entry]) -> [Dump; 2] {
    let mut out = [Dump::default(), Dump::default()];
    let mut k = 0;
    for &(t, a, b) in log {
        match t {
            tag::HEAP => {
                out[k.min(1)].heap = (a, b);
                k += 1;
            }
            // Logged while the case runs, before the dumps.
            tag::HANDLE_CALLER => {
                out[0].words.insert((t, a), b);
            }
            tag::HANDLE_CALLEE => {
                out[1].words.insert((t, a), b);
            }
            _ => {
                out[k.min(1)].words.insert((t, a), b);
            }
        }
    }
    out
}

/// A known difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Known {
    /// `store_probably_utf16_to_latin1_or_utf16` (UTF-16 to `latin1+utf16`,
    /// all code points below 256) shrinks the buffer with
    /// `realloc(ptr, 2n, 1, n)`; Wasmtime 48 passes alignment 2
    /// (`wasmtime-environ` `fact/trampoline.rs`).
    ShrinkAlign,
    /// The bytes of a buffer that a shrinking `realloc` gave back: the spec
    /// writes the whole UTF-16 string before compacting it in place, and so
    /// does Wasmtime; `fact` writes only the Latin-1 bytes. The region is
    /// no longer part of any value.
    ShrunkLeftovers,
    /// A `post-return` that calls out: the spec's `canon_lift` clears
    /// `may_leave` around it, so `fact` traps `CannotLeave`; Wasmtime 48
    /// leaves `may_leave` set and lets the call through.
    PostReturnMayLeave,
}

impl Known {
    /// A one-line description, as in the README.
    pub fn describe(self) -> &'static str {
        match self {
            Known::ShrinkAlign => {
                "a shrinking realloc of a latin1+utf16 buffer asks for alignment 1 (spec), \
                 Wasmtime asks for 2"
            }
            Known::ShrunkLeftovers => {
                "the bytes a shrinking realloc gave back differ (not part of any value)"
            }
            Known::PostReturnMayLeave => {
                "a post-return that calls out traps (spec: may_leave is clear), Wasmtime lets it"
            }
        }
    }
}

/// One word that differs between the two ways.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordDiff {
    /// 0: caller, 1: callee.
    pub instance: usize,
    pub mem: u32,
    pub addr: u64,
    pub fact: u64,
    pub wasmtime: u64,
}

/// The words that differ, both dumps.
pub fn word_diffs(fact: &[Dump; 2], wasmtime: &[Dump; 2]) -> Vec<WordDiff> {
    let mut out = Vec::new();
    for instance in 0..2 {
        let (a, b) = (&fact[instance], &wasmtime[instance]);
        let keys: BTreeSet<_> = a.words.keys().chain(b.words.keys()).collect();
        for &(mem, addr) in keys {
            let (x, y) = (a.word(mem, addr), b.word(mem, addr));
            if x != y {
                out.push(WordDiff {
                    instance,
                    mem,
                    addr,
                    fact: x,
                    wasmtime: y,
                });
            }
        }
    }
    out
}

/// The known differences that explain every disagreement of `result`, or
/// `None` if something else differs.
pub fn explain(case: &Case, result: &CaseResult) -> Option<BTreeSet<Known>> {
    let post_return_calls_out = case
        .fault
        .is_some_and(|f| f.mode == FAULT_POST_RETURN_CALLS_OUT)
        && case.lift.post_return;
    let (ours, theirs) = match (&result.fact, &result.wasmtime) {
        (Outcome::Returned(ours), Outcome::Returned(theirs)) => (ours, theirs),
        (Outcome::Trapped(trap), Outcome::Returned(_))
            if post_return_calls_out && trap.contains("CannotLeave") =>
        {
            return Some(BTreeSet::from([Known::PostReturnMayLeave]));
        }
        _ => return None,
    };
    let (ours, theirs) = (dumps(ours), dumps(theirs));
    if ours[0].heap != theirs[0].heap || ours[1].heap != theirs[1].heap {
        return None;
    }
    let mut known = BTreeSet::new();
    for d in word_diffs(&ours, &theirs) {
        let dump = &ours[d.instance];
        let reallocs = dump.reallocs();
        let in_log = d.mem == tag::MEM32
            && (REALLOC_LOG..REALLOC_LOG + REALLOC_ENTRY * REALLOC_LOG_MAX).contains(&d.addr);
        if in_log {
            let i = ((d.addr - REALLOC_LOG) / REALLOC_ENTRY) as usize;
            let field = (d.addr - REALLOC_LOG) % REALLOC_ENTRY;
            let shrink = reallocs.get(i).is_some_and(|r| r[1] != 0 && r[4] <= r[2]);
            if field == 24 && shrink && d.fact == 1 && d.wasmtime == 2 {
                known.insert(Known::ShrinkAlign);
                continue;
            }
            return None;
        }
        // Within a block that a shrinking realloc left behind?
        // The log records the memory of a call as 32 or 64, as the tags.
        let mem_kind = u64::from(d.mem);
        let left_behind = reallocs.iter().any(|r| {
            r[0] == mem_kind
                && r[1] != 0
                && r[4] <= r[2]
                && r[1] <= d.addr + 7
                && d.addr < r[1] + r[2]
        });
        if left_behind {
            known.insert(Known::ShrunkLeftovers);
            continue;
        }
        return None;
    }
    Some(known)
}
