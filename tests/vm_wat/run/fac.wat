;; invoke: fac 20
;; Recursive and iterative factorial: plain and folded forms, labels, named params and locals.
(module
  (func $fac-rec (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call $fac-rec (i64.sub (local.get $n) (i64.const 1)))))))
  (func $fac-iter (param $n i64) (result i64) (local $acc i64)
    i64.const 1
    local.set $acc
    block $done
      loop $again
        local.get $n
        i64.eqz
        br_if $done
        (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        br $again
      end $again
    end $done
    local.get $acc)
  (func (export "fac") (param i64) (result i64)
    (if (i64.ne (call $fac-rec (local.get 0)) (call $fac-iter (local.get 0)))
      (then unreachable))
    (call $fac-iter (local.get 0))))
