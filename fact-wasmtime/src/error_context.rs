//! The `error-context` built-ins through Wasmtime: `canon
//! error-context.new`, `debug-message` and `drop`, over
//! `fact_host::concurrent`, with the strings lifted and lowered by the
//! host (`fact_host::lift_string`, `lower_string`).

use wasmtime::{AsContextMut, Caller, Error, Func, Memory, Result};

use crate::concurrent::Builtins;
use crate::intrinsics::Addr;
use fact_host::concurrent;
use fact_host::{lift_string, lower_string, store_lowered_string, StringEncoding};

impl Builtins {
    /// `canon error-context.new (memory m) string-encoding=E`: `(ptr: A,
    /// units: A) -> i32`, `A` the memory's address type. The message is
    /// lifted from `memory` in `encoding` and kept as it is.
    pub fn error_context_new<T: 'static>(
        &self,
        store: impl AsContextMut<Data = T>,
        memory: Memory,
        memory64: bool,
        encoding: StringEncoding,
    ) -> Func {
        fn make<T: 'static, A: Addr>(
            this: Builtins,
            store: impl AsContextMut<Data = T>,
            memory: Memory,
            memory64: bool,
            encoding: StringEncoding,
        ) -> Func {
            Func::wrap(
                store,
                move |caller: Caller<'_, T>, ptr: A, units: A| -> Result<i32> {
                    let mut host = this.host(caller);
                    let index = concurrent::error_context_new(&mut host, this.instance, |host| {
                        let mem = memory.data(&host.store);
                        lift_string(mem, ptr.to_u64(), units.to_u64(), encoding, memory64)
                            .map_err(Error::new)
                    })?;
                    Ok(index as i32)
                },
            )
        }
        if memory64 {
            make::<T, i64>(self.clone(), store, memory, memory64, encoding)
        } else {
            make::<T, i32>(self.clone(), store, memory, memory64, encoding)
        }
    }

    /// `canon error-context.debug-message (memory m) (realloc r)
    /// string-encoding=E`: `(errctx: i32, ptr: A) -> ()`. Allocates the
    /// message with `realloc` (the instance's `may_leave` clear), writes
    /// it, and writes its pointer and (tagged) length at `ptr`, which must
    /// be aligned to and fit two `A`s.
    pub fn error_context_debug_message<T: 'static>(
        &self,
        store: impl AsContextMut<Data = T>,
        memory: Memory,
        memory64: bool,
        encoding: StringEncoding,
        realloc: Func,
    ) -> Func {
        fn make<T: 'static, A: Addr>(
            this: Builtins,
            store: impl AsContextMut<Data = T>,
            memory: Memory,
            memory64: bool,
            encoding: StringEncoding,
            realloc: Func,
        ) -> Func {
            Func::wrap(
                store,
                move |caller: Caller<'_, T>, handle: i32, ptr: A| -> Result<()> {
                    let mut host = this.host(caller);
                    let message = concurrent::error_context_debug_message(
                        &mut host,
                        this.instance,
                        handle as u32,
                    )?;
                    let lowered = lower_string(&message, encoding, memory64);
                    let at = concurrent::with_may_leave_clear(&mut host, this.instance, |host| {
                        let realloc = realloc.typed::<(A, A, A, A), A>(&host.store)?;
                        let (zero, align) = (A::from_u64(0), A::from_u64(lowered.align));
                        let size = A::from_u64(lowered.bytes.len() as u64);
                        realloc.call(&mut host.store, (zero, zero, align, size))
                    })?;
                    let data = memory.data_mut(&mut host.store);
                    store_lowered_string(data, &lowered, at.to_u64(), ptr.to_u64(), memory64)
                        .map_err(Error::new)
                },
            )
        }
        if memory64 {
            make::<T, i64>(self.clone(), store, memory, memory64, encoding, realloc)
        } else {
            make::<T, i32>(self.clone(), store, memory, memory64, encoding, realloc)
        }
    }

    /// `canon error-context.drop`: `(errctx: i32) -> ()`.
    pub fn error_context_drop<T: 'static>(&self, store: impl AsContextMut<Data = T>) -> Func {
        let this = self.clone();
        Func::wrap(
            store,
            move |caller: Caller<'_, T>, handle: i32| -> Result<()> {
                concurrent::error_context_drop(&mut this.host(caller), this.instance, handle as u32)
            },
        )
    }
}
