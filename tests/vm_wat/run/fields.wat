;; invoke: get
;; Bare module fields (no "(module"), comments (; nested (; ;) ;) and imports from spectest.
(import "spectest" "global_i32" (global $imp i32))
(func (export "get") (result i32) (; a (; nested ;) comment ;) (global.get $imp))
