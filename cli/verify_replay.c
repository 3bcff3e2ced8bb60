/* verify_replay.c — a counterexample is replayed on the bundled VM before it is reported:
 * the contract compiled by the wasm backend is deployed on a fresh chain (vm/contract.h),
 * the pre-state places the verifier read are written at their Solidity slots
 * (wb_storage_position, map keys keccak256(key . slot)), and the step(s) run with the
 * model's sender, value, block and arguments. Confirmed means the VM failed the way the
 * verifier said: a check reverts with its Panic code (overflow and casts 0x11, division
 * 0x12, bounds 0x32, pop 0x31), an assert with Panic(0x01); an "unexpected revert" (no
 * reverts_if clause holds) reverts; a reverts_if whose clause holds returns normally. For an
 * `ensures` or an invariant the VM cannot see the spec, so what is confirmed is that the
 * transaction runs to a normal return from that state with those inputs (the path the
 * verifier's formula follows exists on the machine); the spec's value on it is the
 * verifier's. A broken internal `requires` ("precondition") is confirmed as far as the
 * transaction runs. */
#include <stdlib.h>
#include <string.h>

#include "backends/wasm/wasm.h"
#include "verify_cli.h"
#include "vm/contract.h"

enum { REPLAY_GAS = 30000000 };

struct CliReplay {
    IrModule *m;
    bool tried, ok;
    const uint8_t *wasm;
    size_t nwasm;
};

CliReplay *cli_replay_new(IrModule *m) {
    CliReplay *rp = calloc(1, sizeof *rp);
    if (rp)
        rp->m = m;
    return rp;
}

void cli_replay_free(CliReplay *rp) {
    free(rp);
}

static bool compile(CliReplay *rp) {
    if (rp->tried)
        return rp->ok;
    rp->tried = true;
    SrcSet none = {0};
    DiagSink diags;
    diag_init(&diags, rp->m->srcs ? rp->m->srcs : &none);
    WbOptions opt = {.oz = false};
    WbOutput out;
    rp->ok = wb_compile(rp->m, &opt, &out, &diags);
    if (rp->ok) {
        rp->wasm = out.wasm;
        rp->nwasm = out.nwasm;
    }
    diag_free(&diags);
    return rp->ok;
}

static void u256_be(U256 v, uint8_t out[32]) {
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(v.w[3 - i / 8] >> (8 * (7 - i % 8)));
}

static U256 be_u256(const uint8_t in[32]) {
    U256 v = {{0}};
    for (int i = 0; i < 32; i++)
        v.w[3 - i / 8] |= (uint64_t)in[i] << (8 * (7 - i % 8));
    return v;
}

void cli_abi_word(const IrType *t, U256 v, uint8_t out[32]) {
    switch (t->kind) {
    case IRT_BOOL:
        v = u256_from_u64(!u256_is_zero(v));
        break;
    case IRT_INT:
        v = u256_trunc(v, t->bits, t->is_signed);
        break;
    case IRT_ADDRESS:
        v = u256_trunc(v, 160, false);
        break;
    case IRT_BYTES: /* left-aligned, as the ABI and mapping keys have them */
        v = u256_shl(u256_trunc(v, t->bits, false), 256u - t->bits);
        break;
    default:
        break;
    }
    u256_be(v, out);
}

static bool is_scalar(const IrType *t) {
    return t->kind == IRT_BOOL || t->kind == IRT_INT || t->kind == IRT_ADDRESS ||
           t->kind == IRT_BYTES;
}

static unsigned storage_bytes(const IrType *t) {
    switch (t->kind) {
    case IRT_BOOL: return 1;
    case IRT_ADDRESS: return 20;
    case IRT_INT: case IRT_BYTES: return t->bits / 8u;
    default: return 32;
    }
}

static VmcAddr addr_of(U256 v) {
    uint8_t w[32];
    u256_be(v, w);
    VmcAddr a;
    memcpy(a.b, w + 12, 20);
    return a;
}

/* The contract's address (`self`): the model chose one, the VM deploys at another; address
 * values equal to the model's stand for the contract and follow it. */
typedef struct SelfMap {
    bool on;
    U256 model, actual;
} SelfMap;

static U256 follow(const SelfMap *sm, const IrType *t, U256 v) {
    if (sm && sm->on && t && t->kind == IRT_ADDRESS && u256_eq(u256_trunc(v, 160, false), sm->model))
        return sm->actual;
    return v;
}

/* Writes one pre-state place into the contract's storage. */
static bool set_place(IrModule *m, VmcState *st, const VmcAddr *at, const VerValue *pv,
                      const SelfMap *sm, char *why, size_t nwhy) {
    if (pv->var < 0 || pv->var >= m->nstorage || !pv->type || !is_scalar(pv->type)) {
        snprintf(why, nwhy, "the place %s is not a storage value", pv->name ? pv->name : "?");
        return false;
    }
    IrType *t = m->storage[pv->var].type;
    for (int k = 0; k < pv->nkeys; k++) {
        if (t->kind != IRT_MAP) {
            snprintf(why, nwhy, "the place %s is not reached through map keys", pv->name);
            return false;
        }
        t = t->val;
    }
    if (!is_scalar(t)) {
        snprintf(why, nwhy, "the place %s is not a storage value", pv->name);
        return false;
    }
    U256 slot;
    unsigned offset;
    wb_storage_position(m, pv->var, &slot, &offset);
    uint8_t buf[64];
    for (int k = 0; k < pv->nkeys; k++) { /* Solidity: keccak256(key . slot) */
        cli_abi_word(pv->key_types[k], follow(sm, pv->key_types[k], pv->keys[k]), buf);
        u256_be(slot, buf + 32);
        keccak256(buf, 64, buf);
        slot = be_u256(buf);
        offset = 0;
    }
    VmcWord key, word;
    u256_be(slot, key.b);
    word = vmc_state_storage(st, at, &key);
    unsigned nb = storage_bytes(t);
    U256 v = follow(sm, t, pv->value);
    if (t->kind == IRT_BOOL)
        v = u256_from_u64(!u256_is_zero(v));
    uint8_t val[32];
    u256_be(v, val);
    /* bytes [offset, offset + nb) counted from the low end of the word */
    for (unsigned i = 0; i < nb && offset + i < 32; i++)
        word.b[31 - offset - i] = val[31 - i];
    return vmc_state_set_storage(st, at, &key, &word) == VM_OK;
}

/* Calldata (or constructor arguments): the ABI encoding of the step's arguments, with a
 * selector when `sel` is set. Unmodelled scalars are 0; unmodelled strings and lists are
 * empty. false when a parameter's type cannot be encoded here. */
static uint8_t *encode_args(IrFunc *f, const VerStep *s, bool sel, const SelfMap *sm,
                            size_t *len, char *why, size_t nwhy) {
    int n = f->nparams;
    size_t head = 32 * (size_t)n, tail = 0;
    for (int i = 0; i < n; i++) {
        IrType *t = f->params[i].type;
        if (t->kind == IRT_REF)
            t = t->elem;
        if (t->kind == IRT_STRING || t->kind == IRT_LIST) {
            tail += 32;
        } else if (!is_scalar(t)) {
            snprintf(why, nwhy, "parameter '%s' has a type the replay does not encode",
                     f->params[i].name);
            return NULL;
        }
    }
    size_t off = sel ? 4 : 0;
    uint8_t *d = calloc(off + head + tail + 1, 1);
    if (!d)
        return NULL;
    if (sel)
        for (int k = 0; k < 4; k++)
            d[k] = (uint8_t)(f->selector >> (24 - 8 * k));
    size_t t_at = head;
    for (int i = 0; i < n; i++) {
        IrType *t = f->params[i].type;
        if (t->kind == IRT_REF)
            t = t->elem;
        uint8_t *w = d + off + 32 * (size_t)i;
        if (!is_scalar(t)) { /* an empty string or list: its offset, then length 0 */
            u256_be(u256_from_u64(t_at), w);
            t_at += 32;
            continue;
        }
        const VerValue *a = i < s->nargs ? &s->args[i] : NULL;
        cli_abi_word(t, a && a->type ? follow(sm, t, a->value) : u256_from_u64(0), w);
    }
    *len = off + head + tail;
    return d;
}

/* The transaction's environment from the step (what the model left free stays as set). */
static void step_env(VmcChain *c, const VerStep *s, VmcTx *tx) {
    VmcEnv *env = vmc_chain_env(c);
    if (s->env_used[IR_ENV_NUMBER])
        env->block_number = u256_low64(s->env[IR_ENV_NUMBER]);
    if (s->env_used[IR_ENV_TIMESTAMP])
        env->block_timestamp = u256_low64(s->env[IR_ENV_TIMESTAMP]);
    if (s->env_used[IR_ENV_CHAINID])
        env->chain_id = u256_low64(s->env[IR_ENV_CHAINID]);
    tx->from = addr_of(s->env_used[IR_ENV_CALLER] ? s->env[IR_ENV_CALLER] : u256_from_u64(0));
    u256_be(s->env_used[IR_ENV_CALLVALUE] ? s->env[IR_ENV_CALLVALUE] : u256_from_u64(0),
            tx->value.b);
    tx->gas = REPLAY_GAS;
    /* the sender can pay the value it sends */
    VmcState *st = vmc_chain_state(c);
    VmcWord have = vmc_state_balance(st, &tx->from);
    if (memcmp(have.b, tx->value.b, 32) < 0)
        vmc_state_set_balance(st, &tx->from, &tx->value);
}

/* What a step did, as the verifier's words would say it. */
static void describe(VmStatus s, const VmcResult *r, char *out, size_t n) {
    if (s == VM_OK) {
        snprintf(out, n, "returned normally");
    } else if (s == VM_REVERT && r->nret == 36 && r->ret[0] == 0x4e && r->ret[1] == 0x48 &&
               r->ret[2] == 0x7b && r->ret[3] == 0x71) {
        snprintf(out, n, "Panic(0x%02x)", r->ret[35]);
    } else if (s == VM_REVERT) {
        snprintf(out, n, "reverted (%zu bytes of revert data)", r->nret);
    } else {
        snprintf(out, n, "%s%s%s", vm_status_str(s), r->msg[0] ? ": " : "", r->msg);
    }
}

/* The Panic codes a failed check of op reverts with (0: the check must not revert). */
static void expected_panics(const IrInstr *at, int codes[2]) {
    codes[0] = codes[1] = -1;
    switch (at->op) {
    case IR_CHECK_ADD: case IR_CHECK_SUB: case IR_CHECK_MUL: case IR_CHECK_NEG:
    case IR_CHECK_CAST:
        codes[0] = 0x11;
        break;
    case IR_CHECK_DIV:
        codes[0] = 0x12, codes[1] = 0x11;
        break;
    case IR_CHECK_BOUNDS:
        codes[0] = 0x32;
        break;
    case IR_CHECK_EMPTY:
        codes[0] = 0x31;
        break;
    case IR_ASSERT:
        codes[0] = 0x01;
        break;
    default:
        break;
    }
}

static int finish(VerResult *r, int v) {
    r->confirmed = v;
    return v;
}

int cli_replay_result(CliReplay *rp, VerResult *r, char *what, size_t nwhat) {
    IrModule *m = rp->m;
    const VerCex *cx = r->cex;
    snprintf(what, nwhat, "no counterexample");
    if (!cx || cx->nsteps < 1)
        return finish(r, -1);
    if (!compile(rp)) {
        snprintf(what, nwhat, "the wasm backend cannot compile the contract");
        return finish(r, -1);
    }
    SelfMap sm = {0};
    for (int i = 0; i < cx->nsteps; i++) {
        const VerStep *st = &cx->steps[i];
        bool init_self = st->env_used[IR_ENV_ADDRESS] && cx->from_init && i == 0;
        bool other = st->env_used[IR_ENV_ADDRESS] && sm.on &&
                     !u256_eq(sm.model, u256_trunc(st->env[IR_ENV_ADDRESS], 160, false));
        if (st->fidx < 0 || st->fidx >= m->nfuncs || init_self || other) {
            snprintf(what, nwhat, "step %d cannot be played (%s)", i + 1,
                     st->fidx < 0 || st->fidx >= m->nfuncs ? "unknown function"
                     : init_self ? "init depends on the contract's address"
                                 : "the contract's address differs between steps");
            return finish(r, -1);
        }
        if (st->env_used[IR_ENV_ADDRESS]) {
            sm.on = true;
            sm.model = u256_trunc(st->env[IR_ENV_ADDRESS], 160, false);
        }
    }
    static const struct { IrEnv k; const char *name; } wide[] = {
        {IR_ENV_NUMBER, "block.number"}, {IR_ENV_TIMESTAMP, "block.timestamp"},
        {IR_ENV_CHAINID, "block.chainid"}};
    for (int i = 0; i < cx->nsteps; i++)
        for (int k = 0; k < 3; k++)
            if (cx->steps[i].env_used[wide[k].k] && u256_bit_length(cx->steps[i].env[wide[k].k]) > 64) {
                char dec[100];
                u256_to_dec(cx->steps[i].env[wide[k].k], false, dec);
                snprintf(what, nwhat, "step %d needs %s = %s, beyond the 64 bits a block has "
                         "on the VM", i + 1, wide[k].name, dec);
                return finish(r, -1);
            }
    VmcChain *c = vmc_chain_new(NULL);
    if (!c) {
        snprintf(what, nwhat, "out of memory");
        return finish(r, -1);
    }
    /* the block the scenarios use: number 0, time 0, chain id 1, unless the model chose */
    vmc_chain_env(c)->block_number = 0;
    vmc_chain_env(c)->block_timestamp = 0;
    vmc_chain_env(c)->chain_id = 1;
    int verdict = -1;
    uint8_t *data = NULL;
    VmcResult res;
    memset(&res, 0, sizeof res);
    VmStatus s;
    int first = 0;
    VmcTx dtx = {.gas = REPLAY_GAS};
    IrFunc *f0 = m->funcs[cx->steps[0].fidx];
    if (cx->from_init && f0->kind == IR_FN_INIT) {
        step_env(c, &cx->steps[0], &dtx);
        data = encode_args(f0, &cx->steps[0], false, NULL, &dtx.len, what, nwhat);
        if (!data && f0->nparams)
            goto done;
        dtx.data = data;
        dtx.constructor = true;
        first = 1;
    } else {
        /* a contract whose storage is all zeros but the places the model read (init does
         * not run: the verifier assumed an arbitrary state satisfying the invariants) */
        dtx.from = addr_of(u256_from_u64(0x5eed));
    }
    s = vmc_deploy(c, &dtx, rp->wasm, rp->nwasm, &res);
    free(data);
    data = NULL;
    if (s != VM_OK) {
        char how[160];
        describe(s, &res, how, sizeof how);
        if (first == 1 && cx->nsteps == 1) { /* the failure is in init itself */
            snprintf(what, nwhat, "%s", how);
            goto judge;
        }
        snprintf(what, nwhat, "the deployment failed: %s", how);
        goto done;
    }
    VmcAddr contract = res.created;
    for (int i = 0; i < 20; i++)
        sm.actual.w[(19 - i) / 8] |= (uint64_t)contract.b[i] << (8 * ((19 - i) % 8));
    if (!cx->from_init)
        for (int i = 0; i < cx->npre; i++)
            if (!set_place(m, vmc_chain_state(c), &contract, &cx->pre[i], &sm, what, nwhat))
                goto done;
    for (int i = first; i < cx->nsteps; i++) {
        const VerStep *st = &cx->steps[i];
        IrFunc *f = m->funcs[st->fidx];
        VmcTx tx = {.to = contract};
        step_env(c, st, &tx);
        data = encode_args(f, st, true, &sm, &tx.len, what, nwhat);
        if (!data)
            goto done;
        tx.data = data;
        memset(&res, 0, sizeof res);
        s = vmc_call(c, &tx, &res);
        free(data);
        data = NULL;
        if (i + 1 < cx->nsteps && s != VM_OK) {
            char how[160];
            describe(s, &res, how, sizeof how);
            snprintf(what, nwhat, "step %d (%s) did not succeed: %s", i + 1, f->name, how);
            goto done;
        }
    }
judge:
    describe(s, &res, what, nwhat);
    if (r->at) {
        int codes[2];
        expected_panics(r->at, codes);
        bool panic = s == VM_REVERT && res.nret == 36 && memcmp(res.ret, "\x4e\x48\x7b\x71", 4) == 0;
        int code = panic ? res.ret[35] : -2;
        for (int k = 4; k < 35 && panic; k++)
            if (res.ret[k] != 0)
                code = -2;
        verdict = code >= 0 && (code == codes[0] || code == codes[1]) ? 1 : -1;
    } else if (strcmp(r->kind, "unexpected revert") == 0) {
        /* the function reverts although no reverts_if clause holds */
        verdict = s == VM_REVERT ? 1 : -1;
    } else if (strcmp(r->kind, "precondition") == 0) {
        /* an internal call's requires does not hold: not enforced at run time, so the VM
         * can only show the transaction runs that path to its end */
        verdict = s == VM_OK || s == VM_REVERT ? 1 : -1;
        if (verdict > 0)
            snprintf(what, nwhat, "the call runs (%s; a requires is not observable there)",
                     s == VM_OK ? "returns normally" : "reverts later");
    } else {
        /* ensures, invariants, reverts_if (a clause holds, yet the call returns): the
         * transaction must complete; the spec's value is the verifier's reading of it */
        verdict = s == VM_OK ? 1 : -1;
        if (verdict > 0 && strcmp(r->kind, "reverts_if") == 0)
            snprintf(what, nwhat, "the call returns normally although the reverts_if holds");
        else if (verdict > 0)
            snprintf(what, nwhat, "the call returns normally (the %s is the verifier's reading of "
                     "that run)", r->kind);
    }
done:
    free(data);
    vmc_chain_free(c);
    return finish(r, verdict);
}

void cli_replay_report(IrModule *m, VerReport *rep) {
    CliReplay *rp = NULL;
    for (int i = 0; i < rep->n; i++) {
        VerResult *r = &rep->results[i];
        if (r->verdict != VER_VIOLATED || r->confirmed != 0)
            continue;
        if (!rp && !(rp = cli_replay_new(m)))
            return;
        char what[300];
        cli_replay_result(rp, r, what, sizeof what);
        char *d;
        size_t n = strlen(r->detail ? r->detail : "") + strlen(what) + 80;
        d = arena_alloc(m->arena, n);
        if (r->confirmed > 0) {
            snprintf(d, n, "%s; confirmed on the VM: %s", r->detail ? r->detail : "", what);
        } else {
            snprintf(d, n, "counterexample did not replay (%s): %s", what,
                     r->detail ? r->detail : "");
            r->verdict = VER_UNKNOWN;
            rep->violated--;
            rep->unknown++;
        }
        r->detail = d;
    }
    cli_replay_free(rp);
}
