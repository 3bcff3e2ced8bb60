/* contract_int.h — internals shared by contract.c (chain, contracts, frames) and host.c
 * (the vm_hooks host functions). */
#ifndef WRIT_VM_CONTRACT_INT_H
#define WRIT_VM_CONTRACT_INT_H

#include "vm/vm_int.h"
#include "vm/contract.h"

typedef struct VmcFrame VmcFrame;

enum { VMC_KECCAK_CACHE = 256 }; /* entries, a power of two */

/* One instantiated copy of a contract: its own store (a call that re-enters a running
 * contract takes another runner), reset to the initial memory and globals on each call. */
typedef struct Runner {
    struct Runner *next;
    VmStore *s; VmInstance *inst; VmFunc *entry; VmMemory *mem;
    uint8_t *image; uint64_t image_size; uint32_t image_pages; /* initial memory */
    uint64_t *globals0;                                          /* initial globals */
    VmcFrame *fr;                                                /* the call it serves */
} Runner;

typedef struct {
    VmcAddr addr;
    Runner *idle;
} Contract;

struct VmcChain {
    VmcState *st;
    VmcEnv env;
    Contract *contracts; uint32_t ncontracts, capcontracts;
    Runner *all;                 /* every runner, for freeing */
    uint8_t *ret; size_t nret;   /* the last tx's return data */
    VmcFrame *top;               /* innermost running frame */
    /* keccak256 of 64-byte inputs (mapping slots: key word . slot word) repeats from call to
     * call: a direct-mapped cache of them, allocated on first use; a pure function, so gas
     * and results are unchanged */
    struct KeccakEntry { bool used; uint8_t in[64], out[32]; } *kcache;
};

struct VmcFrame {
    VmcChain *c; VmcFrame *parent; Runner *r;
    VmcAddr self, sender, origin; VmcWord value;
    VmcAddr code;                     /* whose code runs: self, but for delegate calls */
    const uint8_t *args; size_t nargs;
    uint8_t *out; size_t nout;        /* write_result */
    uint8_t *rdata; size_t nrdata;    /* the last call's return data */
    bool is_static;
    uint32_t depth;
    char msg[200];                    /* why a host function trapped */
};

/* contract.c: run `self`'s code in a new frame (value already transferred); `gas` in,
 * gas left out. VM_OK, VM_REVERT or a trap; out/nout hold the return or revert data. */
VmStatus vmc_run(VmcChain *c, VmcFrame *fr, uint64_t gas, uint64_t *gas_left);
VmStatus vmc_transfer(VmcState *st, const VmcAddr *from, const VmcAddr *to, const VmcWord *v);
/* host.c */
typedef struct { const char *name, *params, *results; VmHostFn fn; } VmcHost;
const VmcHost *vmc_host_find(const char *name, size_t len);

#endif
