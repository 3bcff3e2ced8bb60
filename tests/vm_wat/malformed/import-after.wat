(module (func) (import "a" "b" (func)))
