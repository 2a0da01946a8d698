;; The callee: the shop component's core module. It lifts `order` with a
;; 32-bit memory, utf8 strings and `cabi_realloc`.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 0x1000))

  ;; A bump allocator: enough for a demo, and it honours `align`.
  (func $realloc (export "cabi_realloc")
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

  ;; order(customer, items) -> reply, returned through a pointer to
  ;; { disc: u8, payload: (ptr, len) | u32 } at 0x10.
  (func (export "order")
    (param $name i32) (param $name_len i32) (param $items i32) (param $count i32)
    (result i32)
    (local $total i32) (local $i i32)
    ;; Keep what arrived, for the host to show: (items, count) at 0x0.
    (i32.store (i32.const 0) (local.get $items))
    (i32.store (i32.const 4) (local.get $count))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        ;; item i: name at +0 (ptr, len), qty at +8; 12 bytes each.
        (local.set $total
          (i32.add (local.get $total)
            (i32.load offset=8
              (i32.add (local.get $items) (i32.mul (local.get $i) (i32.const 12))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (i32.le_u (local.get $total) (i32.const 10))
      (then
        (i32.store8 (i32.const 0x10) (i32.const 0))
        (i32.store (i32.const 0x14) (local.get $name))
        (i32.store (i32.const 0x18) (local.get $name_len)))
      (else
        (i32.store8 (i32.const 0x10) (i32.const 1))
        (i32.store (i32.const 0x14) (local.get $total))))
    (i32.const 0x10))
)
