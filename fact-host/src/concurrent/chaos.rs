//! The runtime under random guests: random sequences of calls and
//! built-ins, with random (often invalid) handle indices, callback codes
//! and `task.return`s, from both instances and from inside callees and
//! callbacks. Whatever a guest does, the runtime must answer with a result
//! or a trap: never a panic, never a call that does not end. (A guest
//! reaches every entry here through the built-ins and adapters a glue
//! links.)

use super::tests::NO_RESULTS;
use super::*;
use crate::{Signature, StringEncoding};
use alloc::collections::BTreeMap;

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A handle index: usually one of `known`, sometimes a small one,
    /// rarely any.
    fn index(&mut self, known: &[u32]) -> u32 {
        match self.below(300) {
            0 => self.next() as u32,
            1 => 0,
            2 | 3 => 1 + self.below(6) as u32,
            // With nothing to name, a guest mostly does something else.
            4..=9 if known.is_empty() => 1 + self.below(6) as u32,
            _ if known.is_empty() => u32::MAX,
            _ => known[self.below(known.len() as u64) as usize],
        }
    }
}

struct Chaos {
    tables: ResourceTables,
    flags: BTreeMap<u32, i32>,
    rng: Rng,
    /// Calls into guest code left: when none is left, callees return at
    /// once (calling `task.return` first) so that every run ends.
    fuel: u32,
    /// The adapters, as `(caller, callee)` instances.
    adapters: Vec<(u32, u32)>,
    /// The subtasks and the waitable sets each instance holds.
    subtasks: BTreeMap<u32, Vec<u32>>,
    sets: BTreeMap<u32, Vec<u32>>,
}

impl Chaos {
    /// What a guest of `instance` does once: a built-in or a call, with
    /// random arguments. Returns the first trap.
    fn act(&mut self, instance: u32) -> Result<(), Trap> {
        let subtasks = self.subtasks.entry(instance).or_default().clone();
        let sets = self.sets.entry(instance).or_default().clone();
        let (subtask, set) = (self.rng.index(&subtasks), self.rng.index(&sets));
        let op = self.rng.below(18);
        let needs_subtask = matches!(op, 4 | 5 | 7);
        let needs_set = matches!(op, 6 | 12..=15);
        if (needs_subtask && subtask == u32::MAX) || (needs_set && set == u32::MAX) {
            return Ok(());
        }
        match op {
            0..=2 => {
                let candidates: Vec<u32> = (0..self.adapters.len() as u32)
                    .filter(|&a| self.adapters[a as usize].0 == instance)
                    .collect();
                let a = candidates[self.rng.below(candidates.len() as u64) as usize];
                let out = call(self, a, &[CoreValue::I32(1)])?;
                let lower_async = self.tables.concurrency.adapters[a as usize]
                    .call
                    .lower_async;
                if let (true, Some(status)) = (lower_async, out.first().and_then(|v| v.i32())) {
                    if status >> 4 != 0 {
                        self.subtasks
                            .entry(instance)
                            .or_default()
                            .push(status as u32 >> 4);
                    }
                }
            }
            3 => {
                let set = waitable_set_new(self, instance)?;
                self.sets.entry(instance).or_default().push(set);
            }
            4 | 5 => {
                let set = if self.rng.below(6) == 0 { 0 } else { set };
                waitable_join(self, instance, subtask, set)?;
            }
            14 => drop(waitable_set_wait(self, instance, set)?),
            15 => drop(waitable_set_poll(self, instance, set)?),
            6 => {
                waitable_set_drop(self, instance, set)?;
                self.sets.entry(instance).or_default().retain(|&s| s != set);
            }
            7 => {
                subtask_drop(self, instance, subtask)?;
                self.subtasks
                    .entry(instance)
                    .or_default()
                    .retain(|&s| s != subtask);
            }
            8 => backpressure_inc(self, instance)?,
            9 if self.rng.below(8) == 0 => backpressure_dec(self, instance)?,
            9 => {
                // Most guests pair their decrements with increments.
                let on = self.tables.concurrency.instance(instance).backpressure > 0;
                if on {
                    backpressure_dec(self, instance)?;
                }
            }
            10 => {
                let slot = self.rng.below(2) as usize;
                let v = context_get(self, instance, slot);
                context_set(self, instance, slot, v.wrapping_add(1));
            }
            11 => drop(thread_yield(self, instance)?),
            12 if self.rng.below(4) == 0 => self.task_return(instance)?,
            12 | 13 => drop(waitable_set_poll(self, instance, set)?),
            _ => run_until_idle(self)?,
        }
        Ok(())
    }

    /// `task.return` of `instance`'s current task: with the right
    /// signature, or another one.
    fn task_return(&mut self, instance: u32) -> Result<(), Trap> {
        let wrong = Signature {
            params: alloc::borrow::Cow::Borrowed(&[crate::CoreType::I32]),
            results: alloc::borrow::Cow::Borrowed(&[]),
        };
        let sig = if self.rng.below(8) == 0 {
            wrong
        } else {
            NO_RESULTS
        };
        task_return(self, instance, &sig, StringEncoding::Utf8, &[])
    }

    /// A callee's or callback's code: a few actions, then a callback code
    /// (sometimes an invalid one).
    fn guest(&mut self, instance: u32, callback: bool) -> Result<Vec<CoreValue>, Trap> {
        if self.fuel == 0 {
            if callback {
                // Ignore a second `task.return`'s trap: end the task.
                let _ = task_return(self, instance, &NO_RESULTS, StringEncoding::Utf8, &[]);
                return Ok(alloc::vec![CoreValue::I32(0)]);
            }
            return Ok(Vec::new());
        }
        self.fuel -= 1;
        for _ in 0..self.rng.below(4) {
            self.act(instance)?;
        }
        if !callback {
            return Ok(Vec::new());
        }
        let code = match self.rng.below(10) {
            0..=3 => {
                let _ = self.task_return(instance);
                0
            }
            4..=6 => 1,
            7 | 8 => match self
                .rng
                .index(&self.sets.entry(instance).or_default().clone())
            {
                u32::MAX => 1,
                set => 2 | (set << 4),
            },
            _ => self.rng.next() as u32,
        };
        Ok(alloc::vec![CoreValue::I32(code as i32)])
    }
}

impl Host for Chaos {
    type Error = Trap;

    fn tables<R>(&mut self, f: impl FnOnce(&mut ResourceTables) -> R) -> R {
        f(&mut self.tables)
    }

    fn call(&mut self, adapter: u32, part: Part, _: &[CoreValue]) -> Result<Vec<CoreValue>, Trap> {
        let callee = self.adapters[adapter as usize].1;
        match part {
            Part::Start => Ok(alloc::vec![CoreValue::I32(0)]),
            Part::Return | Part::PostReturn => Ok(Vec::new()),
            Part::Callee | Part::Callback => {
                let callback = self.tables.concurrency.adapters[adapter as usize]
                    .call
                    .callback;
                self.guest(callee, callback)
            }
        }
    }

    fn flags(&mut self, instance: u32) -> i32 {
        *self.flags.entry(instance).or_insert(crate::flags::INITIAL)
    }

    fn set_flags(&mut self, instance: u32, value: i32) {
        self.flags.insert(instance, value);
    }

    fn trap(&mut self, trap: Trap) -> Trap {
        trap
    }
}

/// One random run: adapters between instances 0, 1 and 2 with every pair
/// of `async` lower and callback lift, then a host call into instance 0
/// whose guest acts at random.
fn run(seed: u64) -> (Result<(), Trap>, usize) {
    let mut tables = ResourceTables::with_max_handles(64);
    let mut adapters = Vec::new();
    for (caller, callee) in [(0, 1), (0, 1), (1, 2), (2, 0), (0, 2)] {
        for (lower_async, callback) in [(false, false), (false, true), (true, false), (true, true)]
        {
            let call = AsyncCall {
                lower_async,
                callback,
                start_params: 1,
                retptr: false,
                task_return: NO_RESULTS,
                callee_encoding: StringEncoding::Utf8,
                post_return: !callback && seed % 3 == 0,
            };
            register(&mut tables, caller, callee, &call);
            adapters.push((caller, callee));
        }
    }
    let mut chaos = Chaos {
        tables,
        flags: BTreeMap::new(),
        rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1),
        fuel: 40,
        adapters,
        subtasks: BTreeMap::new(),
        sets: BTreeMap::new(),
    };
    let async_ft = seed % 2 == 0;
    let result = host_call(&mut chaos, 0, async_ft, |host| {
        for _ in 0..12 {
            host.act(0)?;
        }
        Ok(())
    })
    .and_then(|()| run_until_idle(&mut chaos));
    let live = chaos.tables.live_tasks();
    (result, live)
}

#[test]
fn random_guests_get_results_or_traps_never_a_panic() {
    let mut traps = BTreeMap::new();
    let mut clean = 0;
    // `FACT_CHAOS_RUNS` for a longer search (1,000,000 runs take 2 s in a
    // release build).
    let runs: u64 = std::env::var("FACT_CHAOS_RUNS").map_or(30_000, |n| n.parse().unwrap());
    for seed in 0..runs {
        match run(seed) {
            (Ok(()), _) => clean += 1,
            (Err(trap), _) => *traps.entry(trap as u32).or_insert(0u32) += 1,
        }
    }
    std::println!("{clean} clean runs, traps {traps:?}");
    // The runs explored both outcomes, and many traps.
    assert!(clean > 100, "{clean} clean runs, traps {traps:?}");
    assert!(traps.len() >= 8, "traps {traps:?}");
}
