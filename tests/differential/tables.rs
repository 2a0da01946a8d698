//! Where handles land in the instances' tables, predicted with the spec's
//! `Table` (`definitions.py`): index 0 unused, the most recently freed index
//! reused first. Each case runs in a fresh store, so the prediction only
//! depends on the case:
//!
//! - the caller creates the handles of its arguments first, in the order of
//!   their slots: slot `j` is index `j + 1`;
//! - the callee's table holds nothing when the call starts (`make-r` left
//!   index 1 free, which is the first index a fresh table gives too), and
//!   lifting the parameters only adds: every handle the callee receives as
//!   a handle (everything but a `borrow<r>`, which arrives as its
//!   representation) takes the next index, in slot order;
//! - lifting the arguments frees the caller's `own` handles in slot order;
//!   lowering the results then adds the result handles to the caller's
//!   table, in slot order.

use super::types::Res;
use super::values::HandleSlot;

/// The spec's `Table`, indices only.
#[derive(Debug, Default)]
struct Table {
    len: u32,
    free: Vec<u32>,
}

impl Table {
    fn add(&mut self) -> u32 {
        self.free.pop().unwrap_or_else(|| {
            self.len += 1;
            self.len
        })
    }
}

/// Whether the callee receives this argument handle as a representation
/// (`lower_borrow` into the implementer) rather than as a handle.
pub fn arrives_as_rep(slot: &HandleSlot) -> bool {
    slot.borrow && slot.res == Res::R
}

/// The index the caller gives argument slot `j`.
pub fn caller_index(j: usize) -> u32 {
    j as u32 + 1
}

/// The index of each argument handle in the callee's table (`None` for
/// those that arrive as a representation).
pub fn callee_indices(args: &[HandleSlot]) -> Vec<Option<u32>> {
    let mut table = Table::default();
    args.iter()
        .map(|s| (!arrives_as_rep(s)).then(|| table.add()))
        .collect()
}

/// The index of each result handle in the caller's table.
pub fn caller_result_indices(args: &[HandleSlot], results: &[HandleSlot]) -> Vec<u32> {
    let mut table = Table {
        len: args.len() as u32,
        free: Vec::new(),
    };
    for (j, s) in args.iter().enumerate() {
        if !s.borrow {
            table.free.push(caller_index(j));
        }
    }
    results.iter().map(|_| table.add()).collect()
}

#[cfg(test)]
mod tests {
    use super::super::values::{HandleSrc, Loc};
    use super::*;

    fn slot(res: Res, borrow: bool) -> HandleSlot {
        HandleSlot {
            res,
            rep: 0,
            borrow,
            loc: Loc::Flat(0),
            src: HandleSrc::Fresh,
        }
    }

    #[test]
    fn freed_indices_are_reused_last_freed_first() {
        let args = [slot(Res::R, false), slot(Res::S, true), slot(Res::S, false)];
        // Indices 1 and 3 are freed, in that order: 3 is reused first.
        let results = [slot(Res::R, false); 3];
        assert_eq!(caller_result_indices(&args, &results), [3, 1, 4]);
    }

    #[test]
    fn a_borrow_of_the_callees_resource_takes_no_index() {
        let args = [slot(Res::R, true), slot(Res::S, true), slot(Res::R, false)];
        assert_eq!(callee_indices(&args), [None, Some(1), Some(2)]);
    }
}
