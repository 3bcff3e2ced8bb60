/* wat.h — the WebAssembly text-format reader (vm/wat.c): WAT source to the binary format,
 * which vm_module_load then decodes and validates. */
#ifndef WRIT_VM_WAT_H
#define WRIT_VM_WAT_H

#include "vm/vm.h"

/* Reads one module: `(module ...)`, `(module binary ...)`, `(module quote ...)` or bare module
 * fields. On success *out (free with vm_wat_free) holds the binary module. On failure err has
 * VM_MALFORMED, the byte offset of the offending token and "LINE:COL: reason". */
VmStatus vm_wat_to_wasm(const char *src, size_t len, uint8_t **out, size_t *out_len, VmError *err);
void vm_wat_free(uint8_t *bytes);

/* True when a file's name ends in ".wat" or ".wast". */
bool vm_wat_is_text_name(const char *path);

#endif
