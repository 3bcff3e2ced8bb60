/* contract.h — contract mode of the VM: runs Writ's wasm output (the Stylus shape of
 * backends/wasm: `user_entrypoint(len) -> status`, `memory`, `vm_hooks` imports)
 * deterministically under gas, against a narrow world-state interface (accounts, storage,
 * logs, snapshot/revert) with an in-memory implementation. Prefix `vmc_`. */
#ifndef WRIT_VM_CONTRACT_H
#define WRIT_VM_CONTRACT_H

#include "vm/vm.h"

/* Named limits and flat costs (the per-instruction ones are vm/gas.def). */
enum {
    VM_GAS_BASE = 1,              /* an instruction not listed in gas.def */
    VM_GAS_PER_WORD = 3,          /* a host function, per 32-byte word copied */
    VMC_MAX_CALL_DEPTH = 64,      /* nested contract calls */
    VMC_MAX_PAGES = 256,          /* 16 MiB of memory per contract frame */
    VMC_MAX_STACK_SLOTS = 1 << 16, /* value-stack slots per contract frame */
    VMC_MAX_WASM_CALL_DEPTH = 2048,
    VMC_MAX_DATA = 1 << 20,       /* calldata, return data, log data: bytes */
};

typedef struct { uint8_t b[20]; } VmcAddr;
typedef struct { uint8_t b[32]; } VmcWord;   /* big-endian 256-bit value or storage key */

/* ---- world state (state.c): the interface a persistent store will implement ---- */
typedef struct VmcState VmcState;
typedef struct {
    VmcAddr addr;
    uint32_t ntopics;
    VmcWord topics[4];
    uint8_t *data; size_t len;
} VmcLog;

VmcState *vmc_state_new(void);
void vmc_state_free(VmcState *st);
VmcWord vmc_state_storage(VmcState *st, const VmcAddr *a, const VmcWord *key); /* 0 if unset */
VmStatus vmc_state_set_storage(VmcState *st, const VmcAddr *a, const VmcWord *key, const VmcWord *v);
VmcWord vmc_state_balance(VmcState *st, const VmcAddr *a);
VmStatus vmc_state_set_balance(VmcState *st, const VmcAddr *a, const VmcWord *v);
uint64_t vmc_state_nonce(VmcState *st, const VmcAddr *a);
VmStatus vmc_state_set_nonce(VmcState *st, const VmcAddr *a, uint64_t n);
const uint8_t *vmc_state_code(VmcState *st, const VmcAddr *a, size_t *len); /* NULL: none */
VmStatus vmc_state_set_code(VmcState *st, const VmcAddr *a, const uint8_t *code, size_t len);
VmStatus vmc_state_log(VmcState *st, const VmcLog *log);       /* copies */
uint32_t vmc_state_log_count(const VmcState *st);
const VmcLog *vmc_state_logs(const VmcState *st);
/* Every change since a snapshot can be reverted; commit forgets the undo entries of the
 * outermost snapshot (nested ones stay revertible by their parent). */
uint32_t vmc_state_snapshot(VmcState *st);
void vmc_state_revert(VmcState *st, uint32_t snap);
void vmc_state_commit(VmcState *st, uint32_t snap);

/* ---- chain: state + block environment + compiled contracts (contract.c) ---- */
typedef struct VmcChain VmcChain;
typedef struct {
    uint64_t block_number, block_timestamp, chain_id;
} VmcEnv;

VmcChain *vmc_chain_new(const VmcEnv *env);     /* NULL env: block 1, time 1, chain 412346 */
void vmc_chain_free(VmcChain *c);
VmcState *vmc_chain_state(VmcChain *c);
VmcEnv *vmc_chain_env(VmcChain *c);

typedef struct {
    VmcAddr from;                /* msg.sender and tx.origin */
    VmcAddr to;                  /* call: the contract; ignored by deploy */
    const uint8_t *data; size_t len; /* call: calldata; deploy: ABI-encoded constructor args */
    VmcWord value;               /* wei sent (from `from`'s balance) */
    uint64_t gas;                /* gas limit */
    bool constructor;            /* deploy: run `init` (the contract has one) */
} VmcTx;

typedef struct {
    VmStatus status;     /* VM_OK, VM_REVERT (ret = revert data), VM_TRAP_OUT_OF_GAS, other
                          * traps, or deploy errors (VM_INVALID: e.g. floating point) */
    const uint8_t *ret; size_t nret; /* return / revert data: valid until the next tx */
    uint64_t gas_used;
    VmcAddr created;     /* deploy: the new contract's address */
    const VmcLog *logs; uint32_t nlogs; /* logs of this tx (none when it failed) */
    char msg[200];       /* why, for errors and traps */
} VmcResult;

/* Deploys `wasm` at keccak256(from . nonce)[12..] (nonce bumped), rejecting modules that use
 * floating point; with tx->constructor, calls `init` with calldata WB_CONSTRUCTOR_SELECTOR
 * (0x5585258d) ++ tx->data, the backend's Stylus convention; a reverting constructor undoes
 * the deployment. */
VmStatus vmc_deploy(VmcChain *c, const VmcTx *tx, const uint8_t *wasm, size_t len, VmcResult *out);
/* One transaction: value transfer, user_entrypoint(len), storage/logs committed on success
 * and rolled back on revert or trap. */
VmStatus vmc_call(VmcChain *c, const VmcTx *tx, VmcResult *out);

/* helpers */
VmcWord vmc_word_u64(uint64_t x);
uint64_t vmc_word_low64(const VmcWord *w);

#endif
