;; invoke: run
;; Memory with string data (escapes, \u{...}), inline exports, globals, a start function,
;; bulk memory and a table of functions called indirectly by $name.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (memory $mem (export "mem") 1)
  (data (i32.const 16) "Hi\n\u{263a}\00\"")
  (data $late "\01\02\03")
  (global $g (mut i32) (i32.const 0))
  (global $k i32 (i32.const 40))
  (table $fns 2 funcref)
  (elem (table $fns) (i32.const 0) func $add $sub)
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $init (global.set $g (i32.const 2)))
  (start $init)
  (func (export "run") (result i32)
    (memory.init $late (i32.const 100) (i32.const 0) (i32.const 3))
    (data.drop $late)
    ;; 'H' + byte 19 (0xe2, first of U+263A) + the copied 3 + g*k via the table
    (call_indirect $fns (type $binop)
      (i32.add
        (i32.add (i32.load8_u (i32.const 16)) (i32.load8_u offset=3 (i32.const 16)))
        (i32.load8_u align=1 (i32.const 102)))
      (i32.mul (global.get $g) (global.get $k))
      (i32.const 0))))
