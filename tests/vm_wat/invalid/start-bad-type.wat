;; The start function must take and return nothing; checked after exports are sorted.
(module (func (param i32)) (start 0) (export "a" (func 0)))
