/* lower.c — lowering of one checked contract to an IrModule: the module's tables (storage,
 * structs, events, errors, interfaces), the function shells and their ABI, the view
 * getters of `pub storage`, then every body (lower_stmt.c) and spec (lower_spec.c).
 * Declarations get their IR index on first use, in a deterministic order: the contract's
 * own members in layout order first, then what the bodies reach (free functions, file-level
 * structs, events, errors, interfaces). */
#include <string.h>

#include "lower.h"

/* ---------------- types ---------------- */

bool lower_is_aggregate(Type *t) {
    return t && (t->kind == TY_STRING || t->kind == TY_ARRAY || t->kind == TY_LIST ||
                 t->kind == TY_STRUCT || t->kind == TY_MAP);
}

IrType *lower_type(Lower *L, Type *t) {
    IrModule *m = L->m;
    if (!t)
        return ir_type_void(m);
    switch (t->kind) {
    case TY_ERROR:
    case TY_VOID:
    case TY_COUNT:
        return ir_type_void(m);
    case TY_BOOL:
        return ir_type_bool(m);
    case TY_INT:
        return ir_type_int(m, t->bits, t->is_signed);
    case TY_INTLIT:
        return ir_type_int(m, 256, false);
    case TY_ADDRESS:
    case TY_IFACE:
        return ir_type_address(m);
    case TY_BYTES:
        return ir_type_bytes(m, t->bits / 8);
    case TY_STRING:
        return ir_type_string(m, t->len);
    case TY_ARRAY:
        return ir_type_array(m, lower_type(L, t->elem), t->len);
    case TY_LIST:
        return ir_type_list(m, lower_type(L, t->elem), t->len);
    case TY_MAP:
        return ir_type_map(m, lower_type(L, t->key), lower_type(L, t->val));
    case TY_STRUCT:
        return ir_type_struct(m, lower_struct_index(L, t->decl));
    }
    return ir_type_void(m);
}

IrType *lower_vtype(Lower *L, Type *t) {
    IrType *it = lower_type(L, t);
    return lower_is_aggregate(t) ? ir_type_ref(L->m, it) : it;
}

/* ---------------- declaration indices ---------------- */

static int find(PtrVec *v, void *x) {
    for (int i = 0; i < v->len; i++)
        if (v->items[i] == x)
            return i;
    return -1;
}

static IrField *fields_of(Lower *L, Decl *d) {
    IrField *fs = ARENA_ARRAY(&L->tmp, IrField, d->nparams + 1); /* the module copies it */
    for (int i = 0; i < d->nparams; i++) {
        fs[i].name = d->params[i].name;
        fs[i].type = lower_type(L, d->params[i].type);
        fs[i].indexed = d->params[i].indexed;
    }
    return fs;
}

int lower_struct_index(Lower *L, Decl *d) {
    int i = find(&L->structs, d);
    if (i >= 0)
        return i;
    /* field types first: a struct's fields may name other structs */
    IrField *fs = fields_of(L, d);
    i = find(&L->structs, d);
    if (i >= 0)
        return i;
    ptrvec_push(&L->mod, &L->structs, d);
    return ir_add_struct(L->m, d->name, fs, d->nparams);
}

int lower_event_index(Lower *L, Decl *d) {
    int i = find(&L->events, d);
    if (i >= 0)
        return i;
    IrField *fs = fields_of(L, d);
    ptrvec_push(&L->mod, &L->events, d);
    return ir_add_event(L->m, d->name, fs, d->nparams);
}

int lower_error_index(Lower *L, Decl *d) {
    int i = find(&L->errors, d);
    if (i >= 0)
        return i;
    IrField *fs = fields_of(L, d);
    ptrvec_push(&L->mod, &L->errors, d);
    return ir_add_error(L->m, d->name, fs, d->nparams);
}

int lower_storage_index(Lower *L, Decl *d) { return find(&L->storage, d); }

int lower_field_index(Decl *st, const char *name) {
    for (int i = 0; i < st->nparams; i++)
        if (st->params[i].name == name || strcmp(st->params[i].name, name) == 0)
            return i;
    return 0;
}

static IrParam *params_of(Lower *L, Decl *d) {
    IrParam *ps = ARENA_ARRAY(&L->tmp, IrParam, d->nparams + 1); /* the module copies it */
    for (int i = 0; i < d->nparams; i++) {
        ps[i].name = d->params[i].name;
        ps[i].type = lower_vtype(L, d->params[i].type);
    }
    return ps;
}

static unsigned fn_flags(Decl *d) {
    unsigned fl = 0;
    if (d->flags & DF_PUB)
        fl |= IR_FN_PUB;
    if (d->flags & DF_VIEW)
        fl |= IR_FN_VIEW;
    if (d->flags & DF_PAYABLE)
        fl |= IR_FN_PAYABLE;
    if (d->flags & DF_REENTRANT)
        fl |= IR_FN_REENTRANT;
    return fl;
}

static void set_abi(IrFunc *f, Decl *d) {
    if (d->signature) {
        f->signature = d->signature;
        f->selector = d->selector;
    } else {
        ir_func_set_abi(f);
    }
}

/* The function of the contract (or a free function it calls) gets its shell now and its
 * body later (L->todo). */
int lower_func_index(Lower *L, Decl *d) {
    int i = find(&L->funcs, d);
    if (i >= 0)
        return i;
    IrFuncKind kind = d->kind == D_INIT ? IR_FN_INIT : IR_FN;
    const char *name = d->kind == D_INIT ? "init" : d->name;
    IrFunc *f = ir_func_new(L->m, kind, name, params_of(L, d), d->nparams,
                            lower_returns(d) ? lower_vtype(L, d->type) : ir_type_void(L->m));
    f->flags = fn_flags(d);
    f->span = d->span;
    f->owner = -1;
    if ((d->flags & DF_PUB) && d->kind == D_FN)
        set_abi(f, d);
    ptrvec_push(&L->mod, &L->funcs, d);
    ptrvec_push(&L->mod, &L->todo, d);
    return L->m->nfuncs - 1;
}

/* An interface (or a contract used as one) becomes an IrIface listing its functions. */
int lower_iface_index(Lower *L, Decl *d) {
    int i = find(&L->ifaces, d);
    if (i >= 0)
        return i;
    ptrvec_push(&L->mod, &L->ifaces, d);
    i = ir_add_iface(L->m, d->name);
    Decl **mem = d->kind == D_CONTRACT && d->all_members ? d->all_members : d->members;
    int nmem = d->kind == D_CONTRACT && d->all_members ? d->nall_members : d->nmembers;
    for (int k = 0; k < nmem; k++) {
        Decl *fd = mem[k];
        if (fd->kind != D_FN || (d->kind == D_CONTRACT && !(fd->flags & DF_PUB)))
            continue;
        IrFunc *f = ir_iface_add_fn(L->m, i, fd->name, params_of(L, fd), fd->nparams,
                                    lower_returns(fd) ? lower_vtype(L, fd->type) : ir_type_void(L->m),
                                    fn_flags(fd) | IR_FN_PUB);
        f->span = fd->span;
        if (fd->signature) {
            f->signature = fd->signature;
            f->selector = fd->selector;
        }
    }
    return i;
}

/* ---------------- releasing what is lowered ---------------- */

bool lower_region_usable(Lower *L, Decl *d, bool specs) {
    FnRegion *r = d->region;
    if (!r || !(specs ? r->specs_released : r->body_released))
        return true;
    diag_error(L->p->diags, d->span, "internal error: the %s of '%s' %s released before "
               "the contract '%s' lowered %s", specs ? "specs" : "body",
               d->name ? d->name : d->kind == D_INIT ? "init" : "invariant",
               specs ? "were" : "was", L->contract->name, specs ? "them" : "it");
    return false;
}

void lower_region_release(Lower *L, Decl *d, bool specs) {
    FnRegion *r = d->region;
    if (!r || r->last_lowerer != L->contract)
        return;
    arena_free(specs ? &r->specs : &r->body);
    if (specs)
        r->specs_released = true;
    else
        r->body_released = true;
}

/* ---------------- pub storage getters ---------------- */

/* `pub storage x: T` -> `pub view fn x(keys...) -> V` as solc makes it: one parameter per
 * map key and array/list index on the way down to a value that is not a map or array. */
static void lower_getter(Lower *L, Decl *d) {
    Type *t = d->type;
    Type *path[16];
    int n = 0;
    while (n < 16 && (t->kind == TY_MAP || t->kind == TY_ARRAY || t->kind == TY_LIST)) {
        path[n++] = t;
        t = t->kind == TY_MAP ? t->val : t->elem;
    }
    IrParam *ps = ARENA_ARRAY(&L->tmp, IrParam, n + 1); /* the module copies it */
    char buf[16];
    for (int k = 0; k < n; k++) {
        snprintf(buf, sizeof buf, "arg%d", k);
        ps[k].name = intern(L->p->names, buf, strlen(buf));
        ps[k].type = path[k]->kind == TY_MAP ? lower_type(L, path[k]->key)
                                             : ir_type_int(L->m, 256, false);
    }
    IrFunc *f = ir_func_new(L->m, IR_FN, d->name, ps, n, lower_vtype(L, t));
    f->flags = IR_FN_PUB | IR_FN_VIEW;
    f->span = d->span;
    f->owner = -1;
    set_abi(f, d);
    ptrvec_push(&L->mod, &L->funcs, NULL);
    L->fn = NULL;
    lower_func_begin(L, f);
    Place pl = {.var = lower_storage_index(L, d), .type = d->type};
    IrType *u256 = ir_type_int(L->m, 256, false);
    IrInstr *pvs[16];
    for (int k = 0; k < n; k++) {
        pvs[k] = lower_emit(L, IR_PARAM, f->params[k].type, NULL, 0, d->span);
        pvs[k]->imm = ir_imm(L->m, u256_from_u64((uint64_t)k));
    }
    for (int k = 0; k < n; k++) {
        IrInstr *pv = pvs[k];
        if (path[k]->kind != TY_MAP) {
            IrInstr *len;
            if (path[k]->kind == TY_ARRAY) {
                len = lower_const_u64(L, u256, path[k]->len, d->span);
            } else {
                IrInstr *li = lower_emit(L, IR_SLEN, u256, pl.idx, pl.nidx, d->span);
                li->var = pl.var;
                li->path = ARENA_ARRAY(L->a, IrPathElem, pl.npath + 1);
                memcpy(li->path, pl.path, sizeof(IrPathElem) * (size_t)pl.npath);
                li->npath = pl.npath;
                len = li;
            }
            IrInstr *ca[2] = {pv, len};
            lower_emit(L, IR_CHECK_BOUNDS, NULL, ca, 2, d->span);
        }
        pl.path[pl.npath++] = (IrPathElem){IR_PATH_INDEX, 0};
        pl.idx[pl.nidx++] = pv;
        pl.type = path[k]->kind == TY_MAP ? path[k]->val : path[k]->elem;
    }
    IrInstr *v = lower_place_load(L, &pl, d->span);
    lower_emit(L, IR_RET, NULL, &v, 1, d->span);
    L->cur = NULL;
    lower_func_end(L);
}

/* ---------------- the module ---------------- */

/* The module maps sized from the members up front (with room for what the bodies reach
 * outside the contract): vectors grown by doubling would leave their old copies in the
 * scratch arena, alive until the module is done. */
static void presize_maps(Lower *L, Decl **mem, int nmem) {
    int n[D_COUNT] = {0}, getters = 0;
    for (int i = 0; i < nmem; i++) {
        n[mem[i]->kind]++;
        getters += mem[i]->kind == D_STORAGE && (mem[i]->flags & DF_PUB);
    }
    struct { PtrVec *v; int cap; } maps[] = {
        {&L->storage, n[D_STORAGE] + n[D_GHOST]}, {&L->structs, n[D_STRUCT] + 4},
        {&L->events, n[D_EVENT] + 4}, {&L->errors, n[D_ERROR] + 4}, {&L->ifaces, 4},
        {&L->funcs, n[D_FN] + n[D_INIT] + getters + 8}, {&L->todo, n[D_FN] + n[D_INIT] + 8},
    };
    for (size_t k = 0; k < sizeof maps / sizeof maps[0]; k++) {
        maps[k].v->items = ARENA_ARRAY(&L->mod, void *, maps[k].cap);
        maps[k].v->cap = maps[k].cap;
    }
}

IrModule *lower_contract(Program *p, Decl *contract, Arena *arena) {
    Lower lw = {0};
    Lower *L = &lw;
    arena_init(&L->mod);
    arena_init(&L->tmp);
    L->p = p;
    L->contract = contract;
    L->a = arena;
    L->m = ir_module_new(arena, contract->name);
    L->m->names_outlive = true; /* interned: they live as long as the compilation */
    Decl **mem = contract->all_members ? contract->all_members : contract->members;
    int nmem = contract->all_members ? contract->nall_members : contract->nmembers;
    presize_maps(L, mem, nmem);

    for (int i = 0; i < nmem; i++) {
        Decl *d = mem[i];
        if (d->kind == D_STRUCT)
            lower_struct_index(L, d);
    }
    for (int i = 0; i < nmem; i++) {
        Decl *d = mem[i];
        if (d->kind == D_STORAGE || d->kind == D_GHOST) {
            ptrvec_push(&L->mod, &L->storage, d);
            ir_add_storage(L->m, d->name, lower_type(L, d->type), d->kind == D_GHOST, d->span);
        }
    }
    for (int i = 0; i < nmem; i++) {
        Decl *d = mem[i];
        if (d->kind == D_EVENT)
            lower_event_index(L, d);
        else if (d->kind == D_ERROR)
            lower_error_index(L, d);
    }
    for (int i = 0; i < nmem; i++) {
        Decl *d = mem[i];
        if (d->kind == D_INIT || d->kind == D_FN)
            lower_func_index(L, d);
    }
    /* bodies; a body may reach free functions, which join the queue */
    int done = 0;
    for (; done < L->todo.len; done++) {
        Decl *d = L->todo.items[done];
        if (d->body)
            lower_fn_body(L, d, L->m->funcs[find(&L->funcs, d)]);
    }
    for (int i = 0; i < nmem; i++) {
        Decl *d = mem[i];
        if (d->kind == D_STORAGE && (d->flags & DF_PUB))
            lower_getter(L, d);
    }
    for (int i = 0; i < nmem; i++) {
        Decl *d = mem[i];
        if (d->kind == D_INVARIANT)
            lower_invariant(L, d);
        else if ((d->kind == D_INIT || d->kind == D_FN) && d->nspecs)
            lower_specs(L, d, find(&L->funcs, d));
    }
    /* free functions reached from the contract bring their specs; specs may call functions
     * no body calls */
    for (int sdone = 0; done < L->todo.len || sdone < L->todo.len;) {
        for (; done < L->todo.len; done++) {
            Decl *d = L->todo.items[done];
            if (d->body)
                lower_fn_body(L, d, L->m->funcs[find(&L->funcs, d)]);
        }
        for (; sdone < L->todo.len; sdone++) {
            Decl *d = L->todo.items[sdone];
            bool member = false;
            for (int i = 0; i < nmem && !member; i++)
                member = mem[i] == d;
            if (!member && d->nspecs)
                lower_specs(L, d, find(&L->funcs, d));
        }
    }
    arena_free(&L->tmp);
    arena_free(&L->mod);
    return L->m;
}
