(module
  (type (;0;) (func (param i32 i32) (result i32)))
  (type (;1;) (func (param i32)))
  (import "callee" "0" (func (;0;) (type 0)))
  (import "instance-0" "flags" (global (;0;) (mut i32)))
  (import "instance-1" "flags" (global (;1;) (mut i32)))
  (import "fact" "trap" (func (;1;) (type 1)))
  (export "f" (func 2))
  (func (;2;) (type 0) (param i32 i32) (result i32)
    (local i32 i32 i32 i32 i32 i32)
    global.get 0
    local.tee 2
    i32.const 1
    i32.and
    i32.eqz
    if ;; label = @1
      i32.const 1
      call 1
      unreachable
    end
    global.get 1
    local.tee 3
    i32.const 2
    i32.and
    i32.eqz
    if ;; label = @1
      i32.const 2
      call 1
      unreachable
    end
    local.get 3
    i32.const -3
    i32.and
    global.set 1
    local.get 0
    local.set 4
    local.get 1
    local.set 5
    local.get 4
    local.get 5
    call 0
    local.tee 6
    local.set 7
    local.get 3
    global.set 1
    local.get 7
  )
)
