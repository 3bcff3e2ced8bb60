;; invoke: sum
;; Number literals: underscores, hex, signs, hex floats, nan payloads, inf; each checked in
;; the module itself, the result counts the checks that held (all 13).
(module
  (func (export "sum") (result i32)
    (i32.add (i32.add (i32.add
      (i32.add (i32.add (i32.add
        (i32.eq (i32.const 1_000_000) (i32.const 0xf_4240))
        (i32.eq (i32.const -1) (i32.const 0xffff_ffff)))
        (i64.eq (i64.const -0x8000_0000_0000_0000) (i64.const 9_223_372_036_854_775_808)))
        (f64.eq (f64.const 0x1.8p1) (f64.const 3.0)))
      (i32.add (i32.add
        (f32.eq (f32.const 1e10) (f32.const 10_000_000_000))
        (i32.eq (i32.reinterpret_f32 (f32.const -nan:0x12_3456)) (i32.const 0xff92_3456)))
        (i64.eq (i64.reinterpret_f64 (f64.const nan)) (i64.const 0x7ff8_0000_0000_0000))))
      (i32.add (i32.add
        (f64.eq (f64.const -inf) (f64.div (f64.const -1) (f64.const 0)))
        (i32.eq (i32.reinterpret_f32 (f32.const 0x1.fffffefffffffffffp127)) (i32.const 0x7f7fffff)))
        (f32.eq (f32.const 1.5e-45) (f32.const 0x1p-149))))
      (i32.add (i32.add
        (i32.eq (i32.reinterpret_f32 (f32.const +0x1.00000100000000001p-50)) (i32.const 0x26800001))
        (f64.eq (f64.const 1.e1) (f64.const 10)))
        (i32.eq (i32.const +0x7fff_ffff) (i32.const 2147483647))))))
