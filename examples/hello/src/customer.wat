;; The caller: a customer component's core module. It lowers `order`, which
;; the adapter module exports under the name of the WIT function.
(module
  (import "runtime" "memory" (memory 1))
  (import "adapters" "[export]demo:hello/shop#order"
    (func $order (param i32 i32 i32 i32 i32)))

  (data (i32.const 0x100) "Ada")
  (data (i32.const 0x110) "apple")
  (data (i32.const 0x118) "pear")

  ;; run(apples, pears) -> pointer to the reply.
  (func (export "run") (param $apples i32) (param $pears i32) (result i32)
    ;; items: [{ name: "apple", qty: apples }, { name: "pear", qty: pears }]
    (i32.store (i32.const 0x200) (i32.const 0x110))
    (i32.store (i32.const 0x204) (i32.const 5))
    (i32.store (i32.const 0x208) (local.get $apples))
    (i32.store (i32.const 0x20c) (i32.const 0x118))
    (i32.store (i32.const 0x210) (i32.const 4))
    (i32.store (i32.const 0x214) (local.get $pears))
    (call $order
      (i32.const 0x100) (i32.const 3)   ;; customer
      (i32.const 0x200) (i32.const 2)   ;; items
      (i32.const 0x300))                ;; where the reply goes
    (i32.const 0x300))
)
