(module
  (type (;0;) (func (param i32 i64 i32) (result i32)))
  (type (;1;) (func (param i32)))
  (type (;2;) (func (param i32 i64 i32 i32)))
  (type (;3;) (func (param i32 i32)))
  (type (;4;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;5;) (func (param i32 i32) (result i32 i32)))
  (import "callee" "0" (func (;0;) (type 0)))
  (import "instance-0" "flags" (global (;0;) (mut i32)))
  (import "instance-1" "flags" (global (;1;) (mut i32)))
  (import "instance-1" "memory" (memory (;0;) 0))
  (import "instance-0" "memory" (memory (;1;) 0))
  (import "fact" "trap" (func (;1;) (type 1)))
  (import "instance-0" "realloc" (func (;2;) (type 4)))
  (import "validate" "utf8:1:32" (func (;3;) (type 3)))
  (import "instance-1" "realloc" (func (;4;) (type 4)))
  (import "validate" "utf8:0:32" (func (;5;) (type 3)))
  (export "f" (func 6))
  (func (;6;) (type 2) (param i32 i64 i32 i32)
    (local i32 i32 i32 i64 i32 i32 f32 f32 i64 i64 i32 i32 i32 i32)
    block ;; label = @1
      block ;; label = @2
        global.get 0
        local.tee 4
        i32.const 1
        i32.and
        i32.eqz
        if ;; label = @3
          i32.const 1
          call 1
          unreachable
        end
        global.get 1
        local.tee 5
        i32.const 2
        i32.and
        i32.eqz
        if ;; label = @3
          i32.const 2
          call 1
          unreachable
        end
        local.get 5
        i32.const -4
        i32.and
        global.set 1
        local.get 0
        local.set 9
        block ;; label = @3
          block ;; label = @4
            block ;; label = @5
              block ;; label = @6
                block ;; label = @7
                  local.get 9
                  br_table 0 (;@7;) 1 (;@6;) 2 (;@5;) 3 (;@4;)
                end
                local.get 9
                local.set 6
                local.get 1
                i32.wrap_i64
                f32.reinterpret_i32
                local.tee 10
                local.tee 11
                i32.reinterpret_f32
                i64.extend_i32_u
                local.set 7
                i32.const 0
                local.set 8
                br 3 (;@3;)
              end
              local.get 9
              local.set 6
              local.get 1
              local.tee 12
              local.tee 13
              local.set 7
              i32.const 0
              local.set 8
              br 2 (;@3;)
            end
            local.get 9
            local.set 6
            local.get 1
            i32.wrap_i64
            local.set 14
            local.get 2
            local.set 15
            local.get 14
            local.get 15
            call 7
            local.set 17
            local.tee 16
            i64.extend_i32_u
            local.set 7
            local.get 17
            local.set 8
            br 1 (;@3;)
          end
          i32.const 8
          call 1
          unreachable
        end
        local.get 5
        i32.const -3
        i32.and
        global.set 1
        local.get 6
        local.get 7
        local.get 8
        call 0
        local.tee 16
        i32.const 7
        i32.and
        br_if 0 (;@2;)
        local.get 16
        i64.extend_i32_u
        i64.const 24
        i64.add
        memory.size
        i64.extend_i32_u
        i64.const 16
        i64.shl
        i64.gt_u
        br_if 1 (;@1;)
        local.get 3
        i32.const 7
        i32.and
        br_if 0 (;@2;)
        local.get 3
        i64.extend_i32_u
        i64.const 24
        i64.add
        memory.size 1
        i64.extend_i32_u
        i64.const 16
        i64.shl
        i64.gt_u
        br_if 1 (;@1;)
        local.get 4
        i32.const -2
        i32.and
        global.set 0
        local.get 16
        local.get 3
        call 8
        local.get 4
        global.set 0
        local.get 5
        global.set 1
        return
      end
      i32.const 4
      call 1
      unreachable
    end
    i32.const 3
    call 1
    unreachable
  )
  (func (;7;) (type 5) (param i32 i32) (result i32 i32)
    (local i32 i32 i32 i32 i64 i64 i32 i32 i32)
    local.get 1
    i32.const 268435455
    i32.gt_u
    if ;; label = @1
      i32.const 11
      call 1
      unreachable
    end
    local.get 1
    local.set 4
    local.get 0
    i64.extend_i32_u
    local.get 4
    i64.extend_i32_u
    i64.add
    memory.size 1
    i64.extend_i32_u
    i64.const 16
    i64.shl
    i64.gt_u
    if ;; label = @1
      i32.const 3
      call 1
      unreachable
    end
    local.get 1
    local.tee 3
    local.set 4
    i32.const 0
    i32.const 0
    i32.const 1
    local.get 4
    call 4
    local.tee 5
    i64.extend_i32_u
    local.get 4
    i64.extend_i32_u
    i64.add
    memory.size
    i64.extend_i32_u
    i64.const 16
    i64.shl
    i64.gt_u
    if ;; label = @1
      i32.const 5
      call 1
      unreachable
    end
    local.get 5
    local.set 2
    local.get 1
    i32.const 256
    i32.le_u
    if ;; label = @1
      i64.const 0
      local.set 6
      local.get 1
      i32.const 8
      i32.ge_u
      if ;; label = @2
        local.get 5
        local.get 0
        i64.load 1 align=1
        local.tee 7
        i64.store align=1
        local.get 7
        local.get 6
        i64.or
        local.set 6
        local.get 0
        i32.const 8
        i32.add
        local.set 8
        local.get 5
        i32.const 8
        i32.add
        local.set 9
        local.get 1
        i32.const 8
        i32.sub
        local.set 10
        block ;; label = @3
          loop ;; label = @4
            local.get 10
            i32.const 8
            i32.le_u
            br_if 1 (;@3;)
            local.get 9
            local.get 8
            i64.load 1 align=1
            local.tee 7
            i64.store align=1
            local.get 7
            local.get 6
            i64.or
            local.set 6
            local.get 8
            i32.const 8
            i32.add
            local.set 8
            local.get 9
            i32.const 8
            i32.add
            local.set 9
            local.get 10
            i32.const 8
            i32.sub
            local.set 10
            br 0 (;@4;)
          end
        end
        local.get 0
        local.get 1
        i32.const 8
        i32.sub
        i32.add
        local.set 8
        local.get 5
        local.get 1
        i32.const 8
        i32.sub
        i32.add
        local.tee 10
        local.get 8
        i64.load 1 align=1
        local.tee 7
        i64.store align=1
        local.get 7
        local.get 6
        i64.or
        local.set 6
      else
        local.get 1
        i32.const 4
        i32.ge_u
        if ;; label = @3
          local.get 5
          local.get 0
          i64.load32_u 1 align=1
          local.tee 7
          i64.store32 align=1
          local.get 7
          local.get 6
          i64.or
          local.set 6
          local.get 0
          local.get 1
          i32.const 4
          i32.sub
          i32.add
          local.set 9
          local.get 5
          local.get 1
          i32.const 4
          i32.sub
          i32.add
          local.tee 10
          local.get 9
          i64.load32_u 1 align=1
          local.tee 7
          i64.store32 align=1
          local.get 7
          local.get 6
          i64.or
          local.set 6
        else
          local.get 0
          local.set 8
          local.get 5
          local.set 10
          local.get 1
          local.set 9
          block ;; label = @4
            loop ;; label = @5
              local.get 9
              i32.eqz
              br_if 1 (;@4;)
              local.get 10
              local.get 8
              i64.load8_u 1
              local.tee 7
              i64.store8
              local.get 7
              local.get 6
              i64.or
              local.set 6
              local.get 8
              i32.const 1
              i32.add
              local.set 8
              local.get 10
              i32.const 1
              i32.add
              local.set 10
              local.get 9
              i32.const 1
              i32.sub
              local.set 9
              br 0 (;@5;)
            end
          end
        end
      end
      local.get 6
      i64.const -9187201950435737472
      i64.and
      i64.const 0
      i64.ne
      if ;; label = @2
        local.get 0
        local.get 1
        call 5
      end
    else
      local.get 0
      local.get 1
      call 5
      local.get 5
      local.get 0
      local.get 1
      memory.copy 0 1
    end
    local.get 2
    local.get 3
  )
  (func (;8;) (type 3) (param i32 i32)
    (local i32)
    local.get 0
    i32.load8_u
    local.set 2
    block ;; label = @1
      block ;; label = @2
        block ;; label = @3
          block ;; label = @4
            local.get 2
            br_table 0 (;@4;) 1 (;@3;) 2 (;@2;)
          end
          local.get 1
          local.get 2
          i32.store8 1
          local.get 0
          i32.const 8
          i32.add
          local.get 1
          i32.const 8
          i32.add
          call 9
          br 2 (;@1;)
        end
        local.get 1
        local.get 2
        i32.store8 1
        local.get 1
        local.get 0
        i32.load8_u offset=8
        i32.store8 1 offset=8
        br 1 (;@1;)
      end
      i32.const 8
      call 1
      unreachable
    end
  )
  (func (;9;) (type 3) (param i32 i32)
    (local i32 i32 i32)
    local.get 0
    i32.load8_u
    local.set 2
    block ;; label = @1
      block ;; label = @2
        block ;; label = @3
          block ;; label = @4
            block ;; label = @5
              local.get 2
              br_table 0 (;@5;) 1 (;@4;) 2 (;@3;) 3 (;@2;)
            end
            local.get 1
            local.get 2
            i32.store8 1
            local.get 1
            local.get 0
            f32.load offset=8
            f32.store 1 offset=8
            br 3 (;@1;)
          end
          local.get 1
          local.get 2
          i32.store8 1
          local.get 1
          local.get 0
          i64.load offset=8
          i64.store 1 offset=8
          br 2 (;@1;)
        end
        local.get 1
        local.get 2
        i32.store8 1
        local.get 0
        i32.load offset=8
        local.set 3
        local.get 0
        i32.load offset=12
        local.set 4
        local.get 3
        local.get 4
        call 10
        local.set 3
        local.set 4
        local.get 1
        local.get 4
        i32.store 1 offset=8
        local.get 1
        local.get 3
        i32.store 1 offset=12
        br 1 (;@1;)
      end
      i32.const 8
      call 1
      unreachable
    end
  )
  (func (;10;) (type 5) (param i32 i32) (result i32 i32)
    (local i32 i32 i32 i32 i64 i64 i32 i32 i32)
    local.get 1
    i32.const 268435455
    i32.gt_u
    if ;; label = @1
      i32.const 11
      call 1
      unreachable
    end
    local.get 1
    local.set 4
    local.get 0
    i64.extend_i32_u
    local.get 4
    i64.extend_i32_u
    i64.add
    memory.size
    i64.extend_i32_u
    i64.const 16
    i64.shl
    i64.gt_u
    if ;; label = @1
      i32.const 3
      call 1
      unreachable
    end
    local.get 1
    local.tee 3
    local.set 4
    i32.const 0
    i32.const 0
    i32.const 1
    local.get 4
    call 2
    local.tee 5
    i64.extend_i32_u
    local.get 4
    i64.extend_i32_u
    i64.add
    memory.size 1
    i64.extend_i32_u
    i64.const 16
    i64.shl
    i64.gt_u
    if ;; label = @1
      i32.const 5
      call 1
      unreachable
    end
    local.get 5
    local.set 2
    local.get 1
    i32.const 256
    i32.le_u
    if ;; label = @1
      i64.const 0
      local.set 6
      local.get 1
      i32.const 8
      i32.ge_u
      if ;; label = @2
        local.get 5
        local.get 0
        i64.load align=1
        local.tee 7
        i64.store 1 align=1
        local.get 7
        local.get 6
        i64.or
        local.set 6
        local.get 0
        i32.const 8
        i32.add
        local.set 8
        local.get 5
        i32.const 8
        i32.add
        local.set 9
        local.get 1
        i32.const 8
        i32.sub
        local.set 10
        block ;; label = @3
          loop ;; label = @4
            local.get 10
            i32.const 8
            i32.le_u
            br_if 1 (;@3;)
            local.get 9
            local.get 8
            i64.load align=1
            local.tee 7
            i64.store 1 align=1
            local.get 7
            local.get 6
            i64.or
            local.set 6
            local.get 8
            i32.const 8
            i32.add
            local.set 8
            local.get 9
            i32.const 8
            i32.add
            local.set 9
            local.get 10
            i32.const 8
            i32.sub
            local.set 10
            br 0 (;@4;)
          end
        end
        local.get 0
        local.get 1
        i32.const 8
        i32.sub
        i32.add
        local.set 8
        local.get 5
        local.get 1
        i32.const 8
        i32.sub
        i32.add
        local.tee 10
        local.get 8
        i64.load align=1
        local.tee 7
        i64.store 1 align=1
        local.get 7
        local.get 6
        i64.or
        local.set 6
      else
        local.get 1
        i32.const 4
        i32.ge_u
        if ;; label = @3
          local.get 5
          local.get 0
          i64.load32_u align=1
          local.tee 7
          i64.store32 1 align=1
          local.get 7
          local.get 6
          i64.or
          local.set 6
          local.get 0
          local.get 1
          i32.const 4
          i32.sub
          i32.add
          local.set 9
          local.get 5
          local.get 1
          i32.const 4
          i32.sub
          i32.add
          local.tee 10
          local.get 9
          i64.load32_u align=1
          local.tee 7
          i64.store32 1 align=1
          local.get 7
          local.get 6
          i64.or
          local.set 6
        else
          local.get 0
          local.set 8
          local.get 5
          local.set 10
          local.get 1
          local.set 9
          block ;; label = @4
            loop ;; label = @5
              local.get 9
              i32.eqz
              br_if 1 (;@4;)
              local.get 10
              local.get 8
              i64.load8_u
              local.tee 7
              i64.store8 1
              local.get 7
              local.get 6
              i64.or
              local.set 6
              local.get 8
              i32.const 1
              i32.add
              local.set 8
              local.get 10
              i32.const 1
              i32.add
              local.set 10
              local.get 9
              i32.const 1
              i32.sub
              local.set 9
              br 0 (;@5;)
            end
          end
        end
      end
      local.get 6
      i64.const -9187201950435737472
      i64.and
      i64.const 0
      i64.ne
      if ;; label = @2
        local.get 0
        local.get 1
        call 3
      end
    else
      local.get 0
      local.get 1
      call 3
      local.get 5
      local.get 0
      local.get 1
      memory.copy 1 0
    end
    local.get 2
    local.get 3
  )
)
