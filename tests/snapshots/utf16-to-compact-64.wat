(module
  (type (;0;) (func (param i32 i32)))
  (type (;1;) (func (param i32)))
  (type (;2;) (func (param i64 i64)))
  (type (;3;) (func (param i32 i32 i32 i32) (result i32)))
  (type (;4;) (func (param i64 i64 i32) (result i32)))
  (type (;5;) (func (param i32 i32 i32)))
  (type (;6;) (func (param i64 i64) (result i32 i32)))
  (import "callee" "0" (func (;0;) (type 0)))
  (import "instance-0" "flags" (global (;0;) (mut i32)))
  (import "instance-1" "flags" (global (;1;) (mut i32)))
  (import "fact" "trap" (func (;1;) (type 1)))
  (import "instance-0" "memory64" (memory (;0;) i64 0))
  (import "instance-1" "realloc" (func (;2;) (type 3)))
  (import "instance-1" "memory" (memory (;1;) 0))
  (import "transcode" "utf16-to-latin1:0:1:64:32" (func (;3;) (type 4)))
  (import "transcode" "latin1-to-utf16:1:1:32:32" (func (;4;) (type 5)))
  (export "f" (func 5))
  (func (;5;) (type 2) (param i64 i64)
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
    call 6
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
  (func (;6;) (type 6) (param i64 i64) (result i32 i32)
    (local i32 i32 i64 i64 i32 i32 i64 i32 i32 i32 i64 i32 i32 i32 i32)
    block ;; label = @1
      block ;; label = @2
        local.get 1
        i64.const 134217727
        i64.gt_u
        if ;; label = @3
          i32.const 11
          call 1
          unreachable
        end
        local.get 1
        i64.const 2
        i64.mul
        local.set 4
        local.get 0
        i64.const 1
        i64.and
        i32.wrap_i64
        if ;; label = @3
          i32.const 4
          call 1
          unreachable
        end
        memory.size
        i64.const 16
        i64.shl
        local.set 5
        local.get 0
        local.get 5
        i64.gt_u
        local.get 0
        local.get 4
        i64.add
        local.get 5
        i64.gt_u
        i32.or
        if ;; label = @3
          i32.const 3
          call 1
          unreachable
        end
        local.get 1
        i32.wrap_i64
        local.set 6
        i32.const 0
        i32.const 0
        i32.const 2
        local.get 6
        call 2
        local.tee 7
        i32.const 1
        i32.and
        br_if 0 (;@2;)
        local.get 7
        i64.extend_i32_u
        local.get 6
        i64.extend_i32_u
        i64.add
        memory.size 1
        i64.extend_i32_u
        i64.const 16
        i64.shl
        i64.gt_u
        br_if 1 (;@1;)
        local.get 7
        local.set 2
        local.get 1
        i64.const 256
        i64.le_u
        if (result i32) ;; label = @3
          i64.const 0
          local.set 5
          local.get 1
          i64.const 4
          i64.ge_u
          if ;; label = @4
            local.get 0
            i64.load align=1
            local.get 5
            i64.or
            local.set 5
            local.get 0
            i64.const 8
            i64.add
            local.set 4
            local.get 1
            i64.const 4
            i64.sub
            local.set 8
            block ;; label = @5
              loop ;; label = @6
                local.get 8
                i64.const 4
                i64.le_u
                br_if 1 (;@5;)
                local.get 4
                i64.load align=1
                local.get 5
                i64.or
                local.set 5
                local.get 4
                i64.const 8
                i64.add
                local.set 4
                local.get 8
                i64.const 4
                i64.sub
                local.set 8
                br 0 (;@6;)
              end
            end
            local.get 0
            local.get 1
            i64.const 4
            i64.sub
            i64.const 1
            i64.shl
            i64.add
            local.tee 4
            i64.load align=1
            local.get 5
            i64.or
            local.set 5
          else
            local.get 1
            i64.const 2
            i64.ge_u
            if ;; label = @5
              local.get 0
              i64.load32_u align=1
              local.get 5
              i64.or
              local.set 5
              local.get 0
              local.get 1
              i64.const 2
              i64.sub
              i64.const 1
              i64.shl
              i64.add
              local.tee 8
              i64.load32_u align=1
              local.get 5
              i64.or
              local.set 5
            else
              local.get 1
              i64.eqz
              i32.eqz
              if ;; label = @6
                local.get 0
                i64.load16_u align=1
                local.get 5
                i64.or
                local.set 5
              end
            end
          end
          local.get 5
          i64.const -71777214294589696
          i64.and
          i64.eqz
        else
          i32.const 0
        end
        if (result i32) ;; label = @3
          local.get 1
          i64.const 4
          i64.ge_u
          if ;; label = @4
            local.get 7
            local.get 0
            i64.load align=1
            local.tee 4
            i64.const 8
            i64.shr_u
            local.get 4
            i64.or
            i64.const 281470681808895
            i64.and
            local.tee 4
            i64.const 16
            i64.shr_u
            local.get 4
            i64.or
            i64.store32 1 align=1
            local.get 0
            i64.const 8
            i64.add
            local.set 5
            local.get 7
            i32.const 4
            i32.add
            local.set 9
            local.get 1
            i64.const 4
            i64.sub
            local.set 8
            block ;; label = @5
              loop ;; label = @6
                local.get 8
                i64.const 4
                i64.le_u
                br_if 1 (;@5;)
                local.get 9
                local.get 5
                i64.load align=1
                local.tee 4
                i64.const 8
                i64.shr_u
                local.get 4
                i64.or
                i64.const 281470681808895
                i64.and
                local.tee 4
                i64.const 16
                i64.shr_u
                local.get 4
                i64.or
                i64.store32 1 align=1
                local.get 5
                i64.const 8
                i64.add
                local.set 5
                local.get 9
                i32.const 4
                i32.add
                local.set 9
                local.get 8
                i64.const 4
                i64.sub
                local.set 8
                br 0 (;@6;)
              end
            end
            local.get 0
            local.get 1
            i64.const 4
            i64.sub
            i64.const 1
            i64.shl
            i64.add
            local.set 5
            local.get 7
            local.get 1
            i32.wrap_i64
            i32.const 4
            i32.sub
            i32.add
            local.tee 9
            local.get 5
            i64.load align=1
            local.tee 4
            i64.const 8
            i64.shr_u
            local.get 4
            i64.or
            i64.const 281470681808895
            i64.and
            local.tee 4
            i64.const 16
            i64.shr_u
            local.get 4
            i64.or
            i64.store32 1 align=1
          else
            local.get 1
            i64.const 2
            i64.ge_u
            if ;; label = @5
              local.get 7
              local.get 0
              i64.load32_u align=1
              local.tee 4
              i64.const 8
              i64.shr_u
              local.get 4
              i64.or
              i64.const 281470681808895
              i64.and
              local.tee 4
              i64.const 16
              i64.shr_u
              local.get 4
              i64.or
              i64.store16 1 align=1
              local.get 0
              local.get 1
              i64.const 2
              i64.sub
              i64.const 1
              i64.shl
              i64.add
              local.set 8
              local.get 7
              local.get 1
              i32.wrap_i64
              i32.const 2
              i32.sub
              i32.add
              local.tee 9
              local.get 8
              i64.load32_u align=1
              local.tee 4
              i64.const 8
              i64.shr_u
              local.get 4
              i64.or
              i64.const 281470681808895
              i64.and
              local.tee 4
              i64.const 16
              i64.shr_u
              local.get 4
              i64.or
              i64.store16 1 align=1
            else
              local.get 1
              i64.eqz
              i32.eqz
              if ;; label = @6
                local.get 7
                local.get 0
                i64.load16_u align=1
                i64.store8 1
              end
            end
          end
          local.get 1
          i32.wrap_i64
        else
          local.get 0
          local.get 1
          local.get 7
          call 7
        end
        local.tee 3
        i32.const -1
        i32.eq
        if ;; label = @3
          local.get 6
          i32.const 2
          i32.mul
          local.set 9
          local.get 7
          local.get 6
          i32.const 2
          local.get 9
          call 2
          local.tee 10
          i32.const 1
          i32.and
          br_if 1 (;@2;)
          local.get 10
          i64.extend_i32_u
          local.get 9
          i64.extend_i32_u
          i64.add
          memory.size 1
          i64.extend_i32_u
          i64.const 16
          i64.shl
          i64.gt_u
          br_if 2 (;@1;)
          local.get 10
          local.set 2
          local.get 0
          local.set 8
          i64.const 0
          local.set 5
          i64.const 0
          local.set 4
          block ;; label = @4
            loop ;; label = @5
              local.get 8
              i32.load16_u align=1
              local.tee 11
              i32.const 256
              i32.ge_u
              br_if 1 (;@4;)
              i32.const 2
              i64.extend_i32_u
              local.set 12
              local.get 8
              local.get 12
              i64.add
              local.set 8
              local.get 5
              i64.const 1
              i64.add
              local.set 5
              br 0 (;@5;)
            end
          end
          local.get 8
          local.get 0
          i64.sub
          i64.const 1
          i64.shr_u
          local.set 4
          local.get 5
          i32.wrap_i64
          local.tee 13
          i32.const 256
          i32.le_u
          if ;; label = @4
            local.get 13
            local.set 11
            block ;; label = @5
              loop ;; label = @6
                local.get 11
                i32.eqz
                br_if 1 (;@5;)
                local.get 11
                i32.const 1
                i32.sub
                local.set 11
                local.get 10
                local.get 11
                i32.const 1
                i32.shl
                i32.add
                local.get 10
                local.get 11
                i32.add
                i32.load8_u 1
                i32.store16 1 align=1
                br 0 (;@6;)
              end
            end
          else
            local.get 10
            local.get 13
            local.get 10
            call 4
          end
          local.get 4
          i64.const 2
          i64.mul
          local.set 5
          local.get 0
          local.get 5
          i64.add
          local.set 12
          local.get 1
          local.get 4
          i64.sub
          local.set 8
          local.get 13
          i32.const 2
          i32.mul
          local.set 11
          local.get 10
          local.get 11
          i32.add
          local.tee 14
          local.get 12
          local.get 8
          i32.wrap_i64
          i32.const 2
          i32.mul
          memory.copy 1 0
          local.get 6
          local.tee 3
          i32.const 2
          i32.mul
          local.tee 15
          local.get 9
          i32.lt_u
          if ;; label = @4
            local.get 10
            local.get 9
            i32.const 2
            local.get 15
            call 2
            local.tee 16
            i32.const 1
            i32.and
            br_if 2 (;@2;)
            local.get 16
            i64.extend_i32_u
            local.get 15
            i64.extend_i32_u
            i64.add
            memory.size 1
            i64.extend_i32_u
            i64.const 16
            i64.shl
            i64.gt_u
            br_if 3 (;@1;)
            local.get 16
            local.set 2
          end
          local.get 3
          i32.const -2147483648
          i32.or
          local.set 3
        else
          local.get 3
          local.get 6
          i32.lt_u
          if ;; label = @4
            local.get 7
            local.get 6
            i32.const 2
            local.get 3
            call 2
            local.tee 15
            i32.const 1
            i32.and
            br_if 2 (;@2;)
            local.get 15
            i64.extend_i32_u
            local.get 3
            i64.extend_i32_u
            i64.add
            memory.size 1
            i64.extend_i32_u
            i64.const 16
            i64.shl
            i64.gt_u
            br_if 3 (;@1;)
            local.get 15
            local.set 2
          end
        end
        local.get 2
        local.get 3
        return
      end
      i32.const 6
      call 1
      unreachable
    end
    i32.const 5
    call 1
    unreachable
  )
  (func (;7;) (type 4) (param i64 i64 i32) (result i32)
    (local i32 i32 i32 i32 i32)
    block ;; label = @1
      local.get 1
      i64.const 256
      i64.gt_u
      if ;; label = @2
        local.get 0
        local.get 1
        local.get 2
        call 3
        return
      end
      local.get 2
      local.set 3
      local.get 1
      i32.wrap_i64
      local.set 4
      block ;; label = @2
        loop ;; label = @3
          local.get 4
          i32.eqz
          br_if 1 (;@2;)
          local.get 0
          i32.load16_u align=1
          local.tee 5
          i32.const 256
          i32.ge_u
          if ;; label = @4
            block ;; label = @5
              loop ;; label = @6
                local.get 4
                i32.eqz
                br_if 1 (;@5;)
                local.get 0
                i32.load16_u align=1
                local.set 6
                local.get 0
                i64.const 2
                i64.add
                local.set 0
                local.get 4
                i32.const 1
                i32.sub
                local.set 4
                local.get 6
                i32.const 63488
                i32.and
                i32.const 55296
                i32.eq
                if ;; label = @7
                  local.get 6
                  i32.const 56320
                  i32.ge_u
                  br_if 6 (;@1;)
                  local.get 4
                  i32.eqz
                  br_if 6 (;@1;)
                  local.get 0
                  i32.load16_u align=1
                  local.tee 7
                  i32.const 64512
                  i32.and
                  i32.const 56320
                  i32.ne
                  br_if 6 (;@1;)
                  local.get 0
                  i64.const 2
                  i64.add
                  local.set 0
                  local.get 4
                  i32.const 1
                  i32.sub
                  local.set 4
                end
                br 0 (;@6;)
              end
            end
            i32.const -1
            return
          end
          local.get 2
          local.get 5
          i32.store8 1
          local.get 2
          i32.const 1
          i32.add
          local.set 2
          local.get 0
          i64.const 2
          i64.add
          local.set 0
          local.get 4
          i32.const 1
          i32.sub
          local.set 4
          br 0 (;@3;)
        end
      end
      local.get 2
      local.get 3
      i32.sub
      return
    end
    i32.const 10
    call 1
    unreachable
  )
)
