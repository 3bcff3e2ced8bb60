;; Well-formed text, ill-typed code: the validator, not the reader, rejects it.
(module (func (result i32) (i64.const 1)))
