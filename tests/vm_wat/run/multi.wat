;; invoke: swap-sub 10 3
;; Multi-value blocks with a type use, br_table over labels, select with a result type,
;; reference instructions, and a block type defined only inline.
(module
  (type $pair (func (param i32 i32) (result i32 i32)))
  (func $swap (type $pair) (local.get 1) (local.get 0))
  (func $pick (param i32) (result i32)
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 100)))
      (return (i32.const 200)))
    (i32.const 300))
  (func (export "swap-sub") (param i32 i32) (result i32)
    (local.get 0) (local.get 1)
    (block (type $pair) (param i32 i32) (result i32 i32) (call $swap))
    i32.sub
    (select (result i32) (call $pick (i32.const 1)) (i32.const 0) (ref.is_null (ref.null func)))
    i32.add
    (if (ref.is_null (ref.func $swap)) (then unreachable)))
  (elem declare func $swap)
)
