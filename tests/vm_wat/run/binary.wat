;; invoke: f
;; A (module binary ...) form: the strings are the binary module.
(module binary
  "\00asm" "\01\00\00\00"
  "\01\05\01\60\00\01\7f"                 ;; type: [] -> [i32]
  "\03\02\01\00"                          ;; func 0: type 0
  "\07\05\01\01f\00\00"                   ;; export "f"
  "\0a\06\01\04\00\41\07\0b")             ;; body: i32.const 7
