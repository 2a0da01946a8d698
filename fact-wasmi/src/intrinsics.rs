//! The host intrinsics as wasmi host functions: `fact` `trap`, `validate`
//! and `transcode`, over the reference implementations of `fact-host`.

use std::cell::RefCell;

use wasmi::{AsContextMut, Caller, Error, Func, Memory, WasmTy};

use crate::linker::trap_error;
use fact_host::{self as host, Memories, Transcode, Trap};

type Result<T> = core::result::Result<T, Error>;

/// The error the `fact` `trap` import raises for `code`.
fn trap_code_error(code: u32) -> Error {
    match Trap::from_code(code) {
        Some(trap) => trap_error(trap),
        None => Error::new(format!(
            "adapter trapped with unknown fact trap code {code}"
        )),
    }
}

/// `fact` `trap (code: i32) -> ()`.
pub(crate) fn trap_func<T: 'static>(store: impl AsContextMut<Data = T>) -> Func {
    Func::wrap(store, |code: i32| -> Result<()> {
        Err(trap_code_error(code as u32))
    })
}

/// A pointer or length argument of a transcoder: `i32` for a 32-bit memory
/// (read as unsigned), `i64` for a 64-bit one.
pub(crate) trait Addr: WasmTy + Copy {
    fn to_u64(self) -> u64;
    fn from_u64(value: u64) -> Self;
}

impl Addr for i32 {
    fn to_u64(self) -> u64 {
        u64::from(self as u32)
    }
    fn from_u64(value: u64) -> Self {
        value as u32 as i32
    }
}

impl Addr for i64 {
    fn to_u64(self) -> u64 {
        self as u64
    }
    fn from_u64(value: u64) -> Self {
        value as i64
    }
}

/// `validate` `utf8:N` / `utf16:N`, of core type `(ptr: A, len: A) -> ()`:
/// validates the string where it is (one memory, lent for reading only).
pub(crate) fn validator<T: 'static, A: Addr>(
    store: impl AsContextMut<Data = T>,
    memory: Memory,
    utf16: bool,
) -> Func {
    Func::wrap(
        store,
        move |caller: Caller<'_, T>, ptr: A, len: A| -> Result<()> {
            let data = memory.data(&caller);
            host::validate_string(data, ptr.to_u64(), len.to_u64(), utf16).map_err(trap_error)
        },
    )
}

thread_local! {
    /// The pieces of a source that `host::transcode_lent` copies out of one
    /// memory before writing the other (Wasmtime lends one memory at a time):
    /// one buffer per thread, shared by every transcoder, at most
    /// [`host::LENT_CHUNK`] bytes.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's scratch buffer (a fresh one if it is in
/// use, which only a transcoder running inside another could cause).
fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Vec::new()),
    })
}

/// The two memories of a [`Transcoder`], lent by the store one at a time.
struct Lent<'a, 'b, T: 'static> {
    caller: &'a mut Caller<'b, T>,
    src: Memory,
    dst: Memory,
}

impl<T: 'static> host::LentMemories for Lent<'_, '_, T> {
    fn src(&self) -> &[u8] {
        self.src.data(&*self.caller)
    }

    fn dst(&mut self) -> &mut [u8] {
        self.dst.data_mut(&mut *self.caller)
    }
}

/// One `transcode` import: an intrinsic between two memories.
pub(crate) struct Transcoder {
    pub op: Transcode,
    pub src: Memory,
    pub dst: Memory,
    pub dst_memory64: bool,
}

impl Transcoder {
    /// The host function, of core type `(src: S, len: S, dst: D) -> ()`, or
    /// `-> D` for intrinsics that return a length.
    pub(crate) fn func<T: 'static, S: Addr, D: Addr>(
        self,
        store: impl AsContextMut<Data = T>,
    ) -> Func {
        if self.op.returns_length() {
            Func::wrap(
                store,
                move |mut caller: Caller<'_, T>, src: S, len: S, dst: D| -> Result<D> {
                    let result = self.run(&mut caller, src.to_u64(), len.to_u64(), dst.to_u64())?;
                    Ok(D::from_u64(result.unwrap_or(0)))
                },
            )
        } else {
            Func::wrap(
                store,
                move |mut caller: Caller<'_, T>, src: S, len: S, dst: D| -> Result<()> {
                    self.run(&mut caller, src.to_u64(), len.to_u64(), dst.to_u64())?;
                    Ok(())
                },
            )
        }
    }

    fn run<T: 'static>(
        &self,
        caller: &mut Caller<'_, T>,
        src: u64,
        len: u64,
        dst: u64,
    ) -> Result<Option<u64>> {
        let (op, dst_memory64) = (self.op, self.dst_memory64);
        // Distinct memories never share a base address, but for two empty
        // ones (wasmi gives both the same dangling pointer): then either is
        // as empty as the other, and every check comes out the same.
        let result = if self.src.data_ptr(&*caller) == self.dst.data_ptr(&*caller) {
            let mem = self.dst.data_mut(&mut *caller);
            host::transcode(op, Memories::One(mem), src, len, dst, dst_memory64)
        } else {
            let mut mems = Lent {
                caller,
                src: self.src,
                dst: self.dst,
            };
            with_scratch(|scratch| {
                host::transcode_lent(op, &mut mems, scratch, src, len, dst, dst_memory64)
            })
        };
        result.map_err(trap_error)
    }
}
