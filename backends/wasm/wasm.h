/* wasm.h — the public header of the wasm backend: IR module -> a wasm module in the
 * Arbitrum Stylus shape (user_entrypoint, memory, vm_hooks imports; README.md has the
 * ABI), compiled through binaryen, and its artifacts (NAME.wasm, NAME.json). */
#ifndef WRIT_WASM_H
#define WRIT_WASM_H

#include <stdio.h>

#include "ir/ir.h"

/* The constructor (`init`) is called once after deployment, as cargo-stylus and the
 * StylusDeployer do: calldata = this selector (keccak256("stylus_constructor()")[0..4])
 * ++ the ABI-encoded arguments. Later calls revert. */
#define WB_CONSTRUCTOR_SELECTOR 0x5585258du

typedef struct WbOptions {
    bool oz;                 /* optimise for size (-Oz: shrink level 2) instead of -O2 */
} WbOptions;

typedef struct WbOutput {
    uint8_t *wasm; size_t nwasm;   /* the module's bytes (arena memory) */
    char *abi_json;                /* Solidity ABI of the contract (arena memory) */
    char *source_map;              /* source map v3 of the code back to the .writ sources,
                                    * NULL when the module has no sources (arena memory) */
} WbOutput;

/* Compiles one contract; `out` points into the module's arena. Unsupported constructs
 * and binaryen validation failures go to `diags`; returns false then. Deterministic. */
bool wb_compile(IrModule *m, const WbOptions *opt, WbOutput *out, DiagSink *diags);

/* Writes DIR/NAME.wasm, DIR/NAME.json ({"contract", "target", "abi", "wasm_size",
 * "code_hash" (keccak256 of the bytes)}) and DIR/NAME.wasm.map when there is a source
 * map. false on an I/O error. */
bool wb_write_artifacts(const IrModule *m, const WbOutput *out, const char *dir);

/* Front end + IR passes + backend + artifacts for every contract of the .writ file `path`
 * (imports from `stdlib_dir`; a .wir file is parsed as IR text instead), the one-line call
 * for `writ build --target wasm`: returns 0 on success, 1 on errors (printed to `err`). */
int wb_build_file(const char *path, const char *stdlib_dir, const char *outdir, bool oz, FILE *err);

/* Where storage variable `var` of m lives in the Solidity layout the backend uses: its first
 * slot and the byte offset of a packed value type inside it (a map's elements start at
 * keccak256(key . slot)). For tools that set or read storage directly (the verifier's replay
 * of a counterexample on the VM). */
void wb_storage_position(const IrModule *m, int var, U256 *slot, unsigned *offset);

#endif
