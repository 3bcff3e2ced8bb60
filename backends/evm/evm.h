/* evm.h — the public header of the EVM backend: IR module -> Solidity-ABI bytecode
 * (creation and runtime code), ABI JSON, storage layout JSON, source maps, and the
 * Foundry/Hardhat-shaped artifact that holds them. */
#ifndef WRIT_EVM_H
#define WRIT_EVM_H

#include "ir/ir.h"

typedef struct EvmOptions {
    bool listing;            /* also produce an assembly listing with source lines */
} EvmOptions;

typedef struct EvmOutput {
    uint8_t *creation; size_t ncreation;  /* deploy code; ABI-encoded constructor args go after it */
    uint8_t *runtime;  size_t nruntime;   /* the deployed code */
    char *abi_json;          /* Solidity ABI: functions, constructor, events, errors */
    char *layout_json;       /* solc's storageLayout shape: {"storage": [...], "types": {...}} */
    char *method_ids_json;   /* {"transfer(address,uint256)": "a9059cbb", ...} */
    char *srcmap_creation;   /* solc source-map format s:l:f:j, compressed */
    char *srcmap_runtime;
    char *listing;           /* EvmOptions.listing: creation then runtime listing */
} EvmOutput;

/* Compiles one contract. Every string and buffer of `out` comes from `arena`. Problems the
 * backend cannot compile (limits, unsupported constructs) go to `diags`; returns false then. */
bool evm_compile(IrModule *m, Arena *arena, DiagSink *diags, const EvmOptions *opt,
                 EvmOutput *out);

/* Writes DIR/NAME.json: abi, bytecode.object, deployedBytecode.object (0x hex),
 * methodIdentifiers, storageLayout, source maps. Deterministic. false on an I/O error. */
bool evm_write_artifact(const IrModule *m, const EvmOutput *out, const char *path);

/* Prints a disassembly of `code` (one instruction per line, offsets in hex). */
void evm_disasm(const uint8_t *code, size_t n, FILE *out);

#endif
