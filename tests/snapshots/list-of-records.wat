(module
  (type (;0;) (func (param i32 i32)))
  (type (;1;) (func (param i32)))
  (type (;2;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;3;) (func (param i32 i32) (result i32 i32)))
  (import "callee" "0" (func (;0;) (type 0)))
  (import "instance-0" "flags" (global (;0;) (mut i32)))
  (import "instance-1" "flags" (global (;1;) (mut i32)))
  (import "fact" "trap" (func (;1;) (type 1)))
  (import "instance-0" "memory" (memory (;0;) 0))
  (import "instance-1" "realloc" (func (;2;) (type 2)))
  (import "instance-1" "memory" (memory (;1;) 0))
  (import "validate" "utf8:0:32" (func (;3;) (type 0)))
  (export "f" (func 4))
  (func (;4;) (type 0) (param i32 i32)
    (local i32 i32 i32 i32)
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
    i32.const -4
    i32.and
    global.set 1
    local.get 0
    local.get 1
    call 5
    local.set 5
    local.set 4
    local.get 3
    i32.const -3
    i32.and
    global.set 1
    local.get 4
    local.get 5
    call 0
    local.get 3
    global.set 1
  )
  (func (;5;) (type 3) (param i32 i32) (result i32 i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i64 i64 i32 i32 i32)
    block ;; label = @1
      block ;; label = @2
        local.get 1
        i32.const 22369621
        i32.gt_u
        if ;; label = @3
          i32.const 12
          call 1
          unreachable
        end
        local.get 1
        i32.const 12
        i32.mul
        local.set 2
        local.get 0
        i32.const 3
        i32.and
        if ;; label = @3
          i32.const 4
          call 1
          unreachable
        end
        local.get 0
        i64.extend_i32_u
        local.get 2
        i64.extend_i32_u
        i64.add
        memory.size
        i64.extend_i32_u
        i64.const 16
        i64.shl
        i64.gt_u
        br_if 0 (;@2;)
        local.get 1
        local.tee 3
        i32.const 12
        i32.mul
        local.set 4
        i32.const 0
        i32.const 0
        i32.const 4
        local.get 4
        call 2
        local.tee 5
        i32.const 3
        i32.and
        if ;; label = @3
          i32.const 6
          call 1
          unreachable
        end
        local.get 5
        i64.extend_i32_u
        local.get 4
        i64.extend_i32_u
        i64.add
        memory.size 1
        i64.extend_i32_u
        i64.const 16
        i64.shl
        i64.gt_u
        br_if 1 (;@1;)
        local.get 0
        local.set 6
        local.get 5
        local.set 7
        local.get 1
        local.set 8
        block ;; label = @3
          local.get 8
          i32.eqz
          br_if 0 (;@3;)
          loop ;; label = @4
            local.get 7
            local.get 6
            i32.load
            i32.store 1
            local.get 6
            i32.load offset=4
            local.set 9
            local.get 6
            i32.load offset=8
            local.tee 10
            i32.const 268435455
            i32.gt_u
            if ;; label = @5
              i32.const 11
              call 1
              unreachable
            end
            local.get 10
            local.set 13
            local.get 9
            i64.extend_i32_u
            local.get 13
            i64.extend_i32_u
            i64.add
            memory.size
            i64.extend_i32_u
            i64.const 16
            i64.shl
            i64.gt_u
            br_if 2 (;@2;)
            local.get 10
            local.tee 12
            local.set 13
            i32.const 0
            i32.const 0
            i32.const 1
            local.get 13
            call 2
            local.tee 14
            i64.extend_i32_u
            local.get 13
            i64.extend_i32_u
            i64.add
            memory.size 1
            i64.extend_i32_u
            i64.const 16
            i64.shl
            i64.gt_u
            br_if 3 (;@1;)
            local.get 14
            local.set 11
            local.get 10
            i32.const 256
            i32.le_u
            if ;; label = @5
              i64.const 0
              local.set 15
              local.get 10
              i32.const 8
              i32.ge_u
              if ;; label = @6
                local.get 14
                local.get 9
                i64.load align=1
                local.tee 16
                i64.store 1 align=1
                local.get 16
                local.get 15
                i64.or
                local.set 15
                local.get 9
                i32.const 8
                i32.add
                local.set 17
                local.get 14
                i32.const 8
                i32.add
                local.set 18
                local.get 10
                i32.const 8
                i32.sub
                local.set 19
                block ;; label = @7
                  loop ;; label = @8
                    local.get 19
                    i32.const 8
                    i32.le_u
                    br_if 1 (;@7;)
                    local.get 18
                    local.get 17
                    i64.load align=1
                    local.tee 16
                    i64.store 1 align=1
                    local.get 16
                    local.get 15
                    i64.or
                    local.set 15
                    local.get 17
                    i32.const 8
                    i32.add
                    local.set 17
                    local.get 18
                    i32.const 8
                    i32.add
                    local.set 18
                    local.get 19
                    i32.const 8
                    i32.sub
                    local.set 19
                    br 0 (;@8;)
                  end
                end
                local.get 9
                local.get 10
                i32.const 8
                i32.sub
                i32.add
                local.set 17
                local.get 14
                local.get 10
                i32.const 8
                i32.sub
                i32.add
                local.tee 19
                local.get 17
                i64.load align=1
                local.tee 16
                i64.store 1 align=1
                local.get 16
                local.get 15
                i64.or
                local.set 15
              else
                local.get 10
                i32.const 4
                i32.ge_u
                if ;; label = @7
                  local.get 14
                  local.get 9
                  i64.load32_u align=1
                  local.tee 16
                  i64.store32 1 align=1
                  local.get 16
                  local.get 15
                  i64.or
                  local.set 15
                  local.get 9
                  local.get 10
                  i32.const 4
                  i32.sub
                  i32.add
                  local.set 18
                  local.get 14
                  local.get 10
                  i32.const 4
                  i32.sub
                  i32.add
                  local.tee 19
                  local.get 18
                  i64.load32_u align=1
                  local.tee 16
                  i64.store32 1 align=1
                  local.get 16
                  local.get 15
                  i64.or
                  local.set 15
                else
                  local.get 9
                  local.set 17
                  local.get 14
                  local.set 19
                  local.get 10
                  local.set 18
                  block ;; label = @8
                    loop ;; label = @9
                      local.get 18
                      i32.eqz
                      br_if 1 (;@8;)
                      local.get 19
                      local.get 17
                      i64.load8_u
                      local.tee 16
                      i64.store8 1
                      local.get 16
                      local.get 15
                      i64.or
                      local.set 15
                      local.get 17
                      i32.const 1
                      i32.add
                      local.set 17
                      local.get 19
                      i32.const 1
                      i32.add
                      local.set 19
                      local.get 18
                      i32.const 1
                      i32.sub
                      local.set 18
                      br 0 (;@9;)
                    end
                  end
                end
              end
              local.get 15
              i64.const -9187201950435737472
              i64.and
              i64.const 0
              i64.ne
              if ;; label = @6
                local.get 9
                local.get 10
                call 3
              end
            else
              local.get 9
              local.get 10
              call 3
              local.get 14
              local.get 9
              local.get 10
              memory.copy 1 0
            end
            local.get 11
            local.get 12
            local.set 17
            local.set 10
            local.get 7
            local.get 10
            i32.store 1 offset=4
            local.get 7
            local.get 17
            i32.store 1 offset=8
            local.get 6
            i32.const 12
            i32.add
            local.set 6
            local.get 7
            i32.const 12
            i32.add
            local.set 7
            local.get 8
            i32.const 1
            i32.sub
            local.tee 8
            br_if 0 (;@4;)
          end
        end
        local.get 5
        local.get 3
        return
      end
      i32.const 3
      call 1
      unreachable
    end
    i32.const 5
    call 1
    unreachable
  )
)
