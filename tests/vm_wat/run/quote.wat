;; invoke: f
;; A (module quote ...) form: the strings are read as module text.
(module quote
  "(func (export \"f\") (result i32)"
  "  (i32.const 42))")
