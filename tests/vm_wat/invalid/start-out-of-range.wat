;; Regression: an out-of-range start index once leaked the sorted export list (LeakSanitizer).
(module (func) (start 3) (export "a" (func 0)))
