;; The caller's memory and allocator, in a module of their own: the adapter
;; needs them before the caller's main module (which imports the adapter)
;; can be instantiated.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 0x1000))
  (func (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $new_size i32)
    (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $new_size)))
    (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))
    (local.get $ptr))
)
