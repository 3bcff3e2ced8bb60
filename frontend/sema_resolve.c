/* sema_resolve.c — the checker's entry point (sema_check) and name resolution: scopes
 * (program -> module with its imports -> contract with its bases' members first -> function
 * -> blocks), duplicate names, contract layouts (all_members, storage index), and the order
 * in which the other sema files run. */
#include <string.h>

#include "sema.h"

/* ---------------- scopes ---------------- */

Scope *sema_push_scope(Sema *s) {
    Scope *sc = ARENA_NEW(&s->scratch, Scope);
    sc->up = s->scope;
    s->scope = sc;
    return sc;
}

void sema_pop_scope(Sema *s) {
    if (s->scope)
        s->scope = s->scope->up;
}

/* Small scopes (a block's locals) are searched linearly; a scope past SCOPE_LINEAR names
 * (a file's items, a big contract) gets a hash index, so one large compilation unit does
 * not pay a scan of every item on each global lookup. Names are interned: pointers compare. */
enum { SCOPE_LINEAR = 16 };

static size_t name_hash(const char *name, int cap) {
    return (size_t)(((uintptr_t)name >> 3) * 0x9E3779B97F4A7C15ull >> 20) & (size_t)(cap - 1);
}

static Sym *scope_find(Scope *sc, const char *name) {
    if (sc->index) {
        for (size_t i = name_hash(name, sc->index_cap);; i = (i + 1) & (size_t)(sc->index_cap - 1)) {
            Sym *sym = sc->index[i];
            if (!sym || sym->name == name)
                return sym;
        }
    }
    for (int i = 0; i < sc->n; i++)
        if (sc->syms[i]->name == name)
            return sc->syms[i];
    return NULL;
}

/* Enters `sym` in the index unless its name is there already: the first one wins, as in
 * the linear search. */
static void index_put(Scope *sc, Sym *sym) {
    for (size_t i = name_hash(sym->name, sc->index_cap);; i = (i + 1) & (size_t)(sc->index_cap - 1)) {
        if (!sc->index[i]) {
            sc->index[i] = sym;
            return;
        }
        if (sc->index[i]->name == sym->name)
            return;
    }
}

static void scope_add(Sema *s, Scope *sc, Sym *sym) {
    if (sc->n == sc->cap) {
        int cap = sc->cap ? sc->cap * 2 : 8;
        Sym **n = ARENA_ARRAY(&s->scratch, Sym *, cap);
        if (sc->n)
            memcpy(n, sc->syms, sizeof(Sym *) * (size_t)sc->n);
        sc->syms = n;
        sc->cap = cap;
    }
    sc->syms[sc->n++] = sym;
    if (sc->n <= SCOPE_LINEAR)
        return;
    if (sc->n * 2 > sc->index_cap) { /* (re)build at a load of at most 1/4 */
        sc->index_cap = 64;
        while (sc->index_cap < sc->n * 4)
            sc->index_cap *= 2;
        sc->index = ARENA_ARRAY(&s->scratch, Sym *, sc->index_cap);
        for (int i = 0; i < sc->n; i++)
            index_put(sc, sc->syms[i]);
    } else {
        index_put(sc, sym);
    }
}

Sym *sema_lookup(Sema *s, const char *name) {
    if (!name)
        return NULL;
    for (Scope *sc = s->scope; sc; sc = sc->up) {
        Sym *sym = scope_find(sc, name);
        if (sym)
            return sym;
    }
    return NULL;
}

static const char *sym_what(SymKind k) {
    switch (k) {
    case SYM_LOCAL: return "variable";
    case SYM_PARAM: return "parameter";
    case SYM_LOOP_VAR: case SYM_FORALL_VAR: return "loop variable";
    case SYM_STORAGE: return "storage variable";
    case SYM_GHOST: return "ghost variable";
    case SYM_CONST: return "constant";
    case SYM_FN: return "function";
    case SYM_EVENT: return "event";
    case SYM_ERROR: return "error";
    case SYM_STRUCT: return "struct";
    case SYM_INTERFACE: return "interface";
    case SYM_CONTRACT: return "contract";
    default: return "name";
    }
}

static void report_dup(Sema *s, Sym *old, const char *name, Span span) {
    Diag *dg = diag_error(s->d, span, "%s '%s' is already defined", sym_what(old->kind), name);
    diag_note(s->d, dg, old->span, "first defined here");
}

/* Declares `name` in `sc`; a duplicate in the same scope is reported and the new symbol
 * is still returned (not entered) so the caller can go on checking. */
Sym *sema_declare(Sema *s, Scope *sc, SymKind kind, const char *name, Span span) {
    Sym *sym = ARENA_NEW(s->a, Sym);
    sym->kind = kind;
    sym->name = name;
    sym->span = span;
    sym->fn = s->fn;
    if (!name)
        return sym;
    Sym *old = scope_find(sc, name);
    if (old) {
        report_dup(s, old, name, span);
        sym->uses = 1; /* not in scope: no "unused" warning on top of the error */
        return sym;
    }
    scope_add(s, sc, sym);
    return sym;
}

static int edit_distance(const char *a, const char *b) {
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    int row[41];
    for (int j = 0; j <= lb; j++)
        row[j] = j;
    for (int i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = i;
        for (int j = 1; j <= lb; j++) {
            int cur = row[j];
            int sub = prev + (a[i - 1] != b[j - 1]);
            int best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

/* The candidate closest to `name` within edit distance 2 (and shorter than it), or NULL. */
const char *sema_closest(const char *name, const char *const *cands, int n) {
    const char *best = NULL;
    int bestd = 3;
    int len = name ? (int)strlen(name) : 0;
    for (int i = 0; i < n && name; i++) {
        if (!cands[i])
            continue;
        int d = edit_distance(name, cands[i]);
        if (d < bestd && d < len) {
            bestd = d;
            best = cands[i];
        }
    }
    return best;
}

/* A visible name within edit distance 2 (and shorter than the name), or NULL. */
const char *sema_suggest(Sema *s, const char *name, bool types_only) {
    if (!name)
        return NULL;
    const char *best = NULL;
    int bestd = 3;
    int len = (int)strlen(name);
    for (Scope *sc = s->scope; sc; sc = sc->up)
        for (int i = 0; i < sc->n; i++) {
            Sym *sym = sc->syms[i];
            bool is_type = sym->kind == SYM_STRUCT || sym->kind == SYM_INTERFACE ||
                           sym->kind == SYM_CONTRACT;
            if (types_only != is_type)
                continue;
            int d = edit_distance(name, sym->name);
            if (d < bestd && d < len) {
                bestd = d;
                best = sym->name;
            }
        }
    return best;
}

/* ---------------- homes: where a declaration's names resolve ---------------- */

static int module_index_of_file(Sema *s, int file) {
    for (int i = 0; i < s->p->nmodules; i++)
        if (s->p->modules[i]->file == file)
            return i;
    return 0;
}

void sema_enter_home(Sema *s, Decl *d, SemaHome *saved) {
    saved->mod = s->mod;
    saved->contract = s->contract;
    saved->fn = s->fn;
    saved->scope = s->scope;
    saved->imports = s->imports;
    saved->in_spec = s->in_spec;
    saved->in_ensures = s->in_ensures;
    saved->in_ghost = s->in_ghost;
    saved->in_const = s->in_const;
    int mi = module_index_of_file(s, d->file);
    s->mod = s->p->modules[mi];
    s->imports = s->imp_scopes[mi];
    s->fn = NULL;
    s->in_spec = s->in_ensures = s->in_ghost = s->in_const = false;
    Decl *c = d->parent;
    if (c && c->scope) {
        s->contract = c->kind == D_CONTRACT ? c : NULL;
        s->scope = c->scope;
    } else {
        s->contract = NULL;
        s->scope = s->mod_scopes[mi];
    }
}

void sema_leave_home(Sema *s, SemaHome *saved) {
    s->mod = saved->mod;
    s->contract = saved->contract;
    s->fn = saved->fn;
    s->scope = saved->scope;
    s->imports = saved->imports;
    s->in_spec = saved->in_spec;
    s->in_ensures = saved->in_ensures;
    s->in_ghost = saved->in_ghost;
    s->in_const = saved->in_const;
}

/* ---------------- declarations ---------------- */

static SymKind decl_sym_kind(Decl *d) {
    switch (d->kind) {
    case D_CONTRACT: return SYM_CONTRACT;
    case D_INTERFACE: return SYM_INTERFACE;
    case D_STRUCT: return SYM_STRUCT;
    case D_FN: return SYM_FN;
    case D_STORAGE: return SYM_STORAGE;
    case D_GHOST: return SYM_GHOST;
    case D_CONST: return SYM_CONST;
    case D_EVENT: return SYM_EVENT;
    case D_ERROR: return SYM_ERROR;
    default: return SYM_COUNT;
    }
}

/* Gives the declaration its Sym (once) and, for named types, its Type. */
static Sym *decl_sym(Sema *s, Decl *d) {
    if (d->sym)
        return d->sym;
    SymKind k = decl_sym_kind(d);
    if (k == SYM_COUNT || !d->name)
        return NULL;
    Sym *sym = ARENA_NEW(s->a, Sym);
    sym->kind = k;
    sym->name = d->name;
    sym->span = d->name_span.file ? d->name_span : d->span;
    sym->decl = d;
    d->sym = sym;
    if (k == SYM_STRUCT || k == SYM_INTERFACE || k == SYM_CONTRACT) {
        Type t = {0};
        t.kind = k == SYM_STRUCT ? TY_STRUCT : TY_IFACE;
        t.decl = d;
        d->type = sym->type = sema_type_intern(s, t);
    }
    return sym;
}

static void declare_decl(Sema *s, Scope *sc, Decl *d) {
    Sym *sym = decl_sym(s, d);
    if (!sym)
        return;
    Sym *old = scope_find(sc, d->name);
    if (old && old != sym) {
        report_dup(s, old, d->name, sym->span);
        return;
    }
    if (!old)
        scope_add(s, sc, sym);
}

/* Fills c->all_members: bases' members first (each base once, depth first), then its own.
 * Reports inheritance cycles and clashes between inherited and own names. */
static void layout_contract(Sema *s, Decl *c) {
    if (c->state == 2)
        return;
    if (c->state == 1) {
        diag_error(s->d, c->name_span, "contract '%s' inherits from itself", c->name);
        return;
    }
    c->state = 1;
    PtrVec all = {0};
    Scope *sc = ARENA_NEW(&s->scratch, Scope);
    int mi = module_index_of_file(s, c->file);
    sc->up = s->mod_scopes[mi];
    c->scope = sc;
    /* bases, looked up in the contract's module */
    Scope *saved = s->scope;
    s->scope = s->mod_scopes[mi];
    for (int b = 0; b < c->nbases; b++) {
        Span bsp = c->base_spans ? c->base_spans[b] : c->name_span;
        Sym *bs = sema_lookup(s, c->bases[b]);
        if (!bs) {
            const char *sug = sema_suggest(s, c->bases[b], true);
            if (sug)
                diag_error(s->d, bsp, "unknown contract '%s'; did you mean '%s'?", c->bases[b],
                           sug);
            else
                diag_error(s->d, bsp, "unknown contract '%s'", c->bases[b]);
            continue;
        }
        if (bs->kind != SYM_CONTRACT) {
            diag_error(s->d, bsp, "'%s' is not a contract; only contracts can be inherited",
                       c->bases[b]);
            continue;
        }
        Decl *base = bs->decl;
        layout_contract(s, base);
        if (base->state != 2)
            continue;
        for (int i = 0; i < base->nall_members; i++) {
            Decl *m = base->all_members[i];
            bool have = false;
            for (int k = 0; k < all.len && !have; k++)
                have = all.items[k] == m;
            if (have)
                continue;
            ptrvec_push(&s->scratch, &all, m);
            if (m->sym) {
                Sym *old = scope_find(sc, m->name);
                if (old && old != m->sym) {
                    Diag *dg = diag_error(s->d, bsp, "bases of '%s' both define '%s'", c->name,
                                          m->name);
                    diag_note(s->d, dg, old->span, "first defined here");
                    diag_note(s->d, dg, m->sym->span, "and here");
                } else if (!old) {
                    scope_add(s, sc, m->sym);
                }
            }
        }
    }
    s->scope = saved;
    Decl *init = NULL;
    for (int i = 0; i < c->nmembers; i++) {
        Decl *m = c->members[i];
        if (!m)
            continue;
        ptrvec_push(&s->scratch, &all, m);
        if (m->kind == D_INIT) {
            if (init) {
                Diag *dg = diag_error(s->d, m->span, "contract '%s' has more than one init",
                                      c->name);
                diag_note(s->d, dg, init->span, "first defined here");
            }
            init = m;
            continue;
        }
        if (m->kind == D_IMPORT || m->kind == D_CONTRACT || m->kind == D_INTERFACE) {
            diag_error(s->d, m->span, "this item cannot appear inside a contract");
            continue;
        }
        Sym *sym = decl_sym(s, m);
        if (!sym)
            continue;
        Sym *old = scope_find(sc, m->name);
        if (old) {
            Decl *od = old->decl;
            Diag *dg;
            if (od && od->parent && od->parent != c)
                dg = diag_error(s->d, sym->span, "%s '%s' is already defined in base contract '%s'",
                                sym_what(old->kind), m->name, od->parent->name);
            else
                dg = diag_error(s->d, sym->span, "%s '%s' is already defined",
                                sym_what(old->kind), m->name);
            diag_note(s->d, dg, old->span, "first defined here");
            continue;
        }
        scope_add(s, sc, sym);
    }
    /* A contract's own init replaces its bases'; without one it inherits the base's. */
    int w = 0;
    Decl *base_init = NULL;
    for (int i = 0; i < all.len; i++) {
        Decl *m = all.items[i];
        if (m->kind == D_INIT && m->parent != c) {
            if (init)
                continue;
            if (base_init) {
                Diag *dg = diag_error(s->d, c->name_span,
                                      "contract '%s' inherits an init from both '%s' and '%s'; "
                                      "declare its own init", c->name, base_init->parent->name,
                                      m->parent->name);
                diag_note(s->d, dg, m->span, "second init here");
                continue;
            }
            base_init = m;
        }
        all.items[w++] = m;
    }
    all.len = w;
    /* the list grew in the scratch arena: keep an exact copy */
    c->all_members = ARENA_ARRAY(s->a, Decl *, all.len + 1);
    if (all.len)
        memcpy(c->all_members, all.items, sizeof(Decl *) * (size_t)all.len);
    c->nall_members = all.len;
    int nstorage = 0, nghost = 0;
    for (int i = 0; i < all.len; i++) {
        Decl *m = all.items[i];
        if (m->kind == D_STORAGE && m->parent == c)
            m->index = nstorage;
        if (m->kind == D_STORAGE)
            nstorage++;
        if (m->kind == D_GHOST && m->parent == c)
            m->index = nghost;
        if (m->kind == D_GHOST)
            nghost++;
    }
    c->state = 2;
}

static void layout_interface(Sema *s, Decl *it) {
    Scope *sc = ARENA_NEW(&s->scratch, Scope);
    sc->up = s->mod_scopes[module_index_of_file(s, it->file)];
    it->scope = sc;
    for (int i = 0; i < it->nmembers; i++) {
        Decl *m = it->members[i];
        if (!m)
            continue;
        if (m->kind != D_FN) {
            diag_error(s->d, m->span, "an interface holds only function signatures");
            continue;
        }
        if (m->body)
            diag_error(s->d, m->name_span, "interface function '%s' cannot have a body",
                       m->name);
        declare_decl(s, sc, m);
    }
}

Decl *sema_member(Decl *d, const char *name) {
    if (!d)
        return NULL;
    if (d->kind == D_INTERFACE) {
        for (int i = 0; i < d->nmembers; i++)
            if (d->members[i] && d->members[i]->kind == D_FN && d->members[i]->name == name)
                return d->members[i];
        return NULL;
    }
    for (int i = 0; i < d->nall_members; i++) {
        Decl *m = d->all_members[i];
        if (m->kind == D_FN && (m->flags & DF_PUB) && m->name == name)
            return m;
    }
    return NULL;
}

/* Sets file and parent on every item and member (the parser may leave them to us). */
static void adopt(Sema *s, Decl *d, int file, Decl *parent) {
    if (!d->file)
        d->file = file;
    if (!d->parent)
        d->parent = parent;
    if (d->kind == D_CONTRACT || d->kind == D_INTERFACE)
        for (int i = 0; i < d->nmembers; i++)
            if (d->members[i])
                adopt(s, d->members[i], file, d);
}

/* ---------------- signatures ---------------- */

static void check_no_map(Sema *s, Type *t, Span sp, const char *what) {
    if (sema_has_map(t))
        diag_error(s->d, sp, "%s cannot have type %s: maps live only in storage", what,
                   sema_type_str(s, t));
}

static void resolve_params(Sema *s, Decl *d, const char *what) {
    for (int i = 0; i < d->nparams; i++) {
        Param *pm = &d->params[i];
        pm->type = sema_resolve_tref(s, pm->tref);
        if (d->kind != D_STRUCT && sema_has_map(pm->type))
            check_no_map(s, pm->type, pm->tref ? pm->tref->span : pm->span,
                         sema_fmt(s, "%s '%s'", what, pm->name ? pm->name : "?"));
        if (pm->indexed && d->kind != D_EVENT)
            diag_error(s->d, pm->span, "only event fields can be `indexed`");
        for (int j = 0; j < i; j++)
            if (pm->name && d->params[j].name == pm->name) {
                Diag *dg = diag_error(s->d, pm->span, "%s '%s' is already defined", what,
                                      pm->name);
                diag_note(s->d, dg, d->params[j].span, "first defined here");
                break;
            }
    }
}

static void resolve_signature(Sema *s, Decl *d) {
    SemaHome saved;
    sema_enter_home(s, d, &saved);
    switch (d->kind) {
    case D_STRUCT:
        resolve_params(s, d, "field");
        break;
    case D_EVENT: {
        resolve_params(s, d, "field");
        int nidx = 0;
        for (int i = 0; i < d->nparams; i++)
            if (d->params[i].indexed && ++nidx == SEMA_MAX_INDEXED + 1)
                diag_error(s->d, d->params[i].span,
                           "event '%s' has too many indexed fields (limit is %d)", d->name,
                           SEMA_MAX_INDEXED);
        break;
    }
    case D_ERROR:
        resolve_params(s, d, "field");
        break;
    case D_FN: case D_INIT: {
        resolve_params(s, d, "parameter");
        d->type = d->ret ? sema_resolve_tref(s, d->ret) : s->t_void;
        if (d->ret)
            check_no_map(s, d->type, d->ret->span, "a return value");
        d->is_free = d->kind == D_FN && !d->parent;
        const char *nm = d->kind == D_INIT ? "init" : d->name;
        if ((d->flags & DF_PAYABLE) && d->kind == D_FN && !(d->flags & DF_PUB) &&
            !(d->parent && d->parent->kind == D_INTERFACE))
            diag_error(s->d, d->name_span,
                       "only `pub` functions and `init` can be `payable`; '%s' is internal", nm);
        if ((d->flags & DF_PAYABLE) && (d->flags & DF_VIEW))
            diag_error(s->d, d->name_span, "a `view` function cannot be `payable`");
        if (d->kind == D_INIT && (d->flags & (DF_VIEW | DF_PUB | DF_REENTRANT)) &&
            (d->flags & DF_VIEW))
            diag_error(s->d, d->span, "`init` cannot be `view`");
        if (d->is_free && (d->flags & (DF_PUB | DF_VIEW | DF_PAYABLE | DF_REENTRANT) & ~DF_VIEW))
            diag_error(s->d, d->name_span,
                       "free function '%s' cannot be `pub`, `payable` or `reentrant`", nm);
        if (d->kind == D_INIT && d->ret)
            diag_error(s->d, d->ret->span, "`init` cannot return a value");
        break;
    }
    case D_STORAGE: case D_GHOST: {
        d->type = sema_resolve_tref(s, d->tref);
        if (!d->parent || d->parent->kind != D_CONTRACT)
            diag_error(s->d, d->span, "%s variables belong in a contract",
                       d->kind == D_STORAGE ? "storage" : "ghost");
        if (d->sym)
            d->sym->type = d->type;
        break;
    }
    case D_CONST:
        sema_check_const_decl(s, d);
        if (!d->type)
            d->type = s->t_error;
        if (d->sym)
            d->sym->type = d->type;
        break;
    default:
        break;
    }
    sema_leave_home(s, &saved);
}

/* A struct that contains itself (directly or through arrays/lists) has no finite size. */
static bool struct_contains(Type *t, Decl *target, int depth) {
    if (!t || depth > 64)
        return false;
    if (t->kind == TY_ARRAY || t->kind == TY_LIST)
        return struct_contains(t->elem, target, depth + 1);
    if (t->kind != TY_STRUCT)
        return false;
    if (t->decl == target)
        return true;
    for (int i = 0; i < t->decl->nparams; i++)
        if (struct_contains(t->decl->params[i].type, target, depth + 1))
            return true;
    return false;
}

static void check_struct_cycle(Sema *s, Decl *d) {
    for (int i = 0; i < d->nparams; i++)
        if (struct_contains(d->params[i].type, d, 0)) {
            diag_error(s->d, d->name_span, "struct '%s' contains itself", d->name);
            return;
        }
}

/* ---------------- the whole program ---------------- */

static void for_each_decl(Sema *s, void (*f)(Sema *, Decl *)) {
    for (int mi = 0; mi < s->p->nmodules; mi++) {
        Module *m = s->p->modules[mi];
        for (int i = 0; i < m->nitems; i++) {
            Decl *d = m->items[i];
            if (!d)
                continue;
            f(s, d);
            if (d->kind == D_CONTRACT || d->kind == D_INTERFACE)
                for (int k = 0; k < d->nmembers; k++)
                    if (d->members[k])
                        f(s, d->members[k]);
        }
    }
}

static void struct_cycles(Sema *s, Decl *d) {
    if (d->kind == D_STRUCT)
        check_struct_cycle(s, d);
}

static void check_body(Sema *s, Decl *d) {
    SemaHome saved;
    if (d->kind == D_FN || d->kind == D_INIT) {
        sema_enter_home(s, d, &saved);
        sema_check_fn(s, d);
        sema_leave_home(s, &saved);
    } else if (d->kind == D_INVARIANT) {
        sema_enter_home(s, d, &saved);
        if (!d->parent || d->parent->kind != D_CONTRACT)
            diag_error(s->d, d->span, "an invariant belongs in a contract");
        if (d->expr) {
            s->in_spec = true;
            sema_cond(s, d->expr);
        }
        sema_leave_home(s, &saved);
    }
}

static void abi_items(Sema *s, Decl *d) {
    if (d->kind == D_EVENT || d->kind == D_ERROR)
        sema_abi_item(s, d);
    else if (d->kind == D_INTERFACE)
        sema_abi_iface(s, d);
    else if (d->kind == D_CONTRACT)
        sema_abi_compute(s, d);
}

bool sema_check(Program *p) {
    Sema S;
    memset(&S, 0, sizeof S);
    Sema *s = &S;
    s->p = p;
    s->a = p->arena;
    s->d = p->diags;
    s->in = p->names;
    int errors0 = p->diags->errors;
    sema_types_init(s);
    int nm = p->nmodules;
    s->mod_scopes = ARENA_ARRAY(&s->scratch, Scope *, nm + 1);
    s->imp_scopes = ARENA_ARRAY(&s->scratch, Scope *, nm + 1);

    /* 1. each module's items, then what its imports make visible */
    for (int mi = 0; mi < nm; mi++) {
        Module *m = p->modules[mi];
        s->imp_scopes[mi] = ARENA_NEW(&s->scratch, Scope);
        Scope *sc = ARENA_NEW(&s->scratch, Scope);
        sc->up = s->imp_scopes[mi];
        s->mod_scopes[mi] = sc;
        for (int i = 0; i < m->nitems; i++) {
            Decl *d = m->items[i];
            if (!d)
                continue;
            adopt(s, d, m->file, NULL);
            if (d->kind == D_IMPORT)
                continue;
            if (d->kind == D_STORAGE || d->kind == D_GHOST || d->kind == D_INIT ||
                d->kind == D_INVARIANT) {
                if (d->kind == D_INIT || d->kind == D_INVARIANT)
                    diag_error(s->d, d->span, "%s belongs in a contract",
                               d->kind == D_INIT ? "`init`" : "an invariant");
            }
            declare_decl(s, sc, d);
        }
    }
    for (int mi = 0; mi < nm; mi++) {
        Module *m = p->modules[mi];
        for (int i = 0; i < m->nitems; i++) {
            Decl *d = m->items[i];
            if (!d || d->kind != D_IMPORT)
                continue;
            for (int k = 0; k < nm; k++) {
                if (k == mi || p->modules[k]->name != d->name)
                    continue;
                Scope *src = s->mod_scopes[k];
                for (int j = 0; j < src->n; j++)
                    if (!scope_find(s->imp_scopes[mi], src->syms[j]->name))
                        scope_add(s, s->imp_scopes[mi], src->syms[j]);
            }
        }
    }

    /* 2. contract layouts and interface scopes */
    for (int mi = 0; mi < nm; mi++) {
        Module *m = p->modules[mi];
        for (int i = 0; i < m->nitems; i++) {
            Decl *d = m->items[i];
            if (d && d->kind == D_CONTRACT)
                layout_contract(s, d);
            else if (d && d->kind == D_INTERFACE)
                layout_interface(s, d);
        }
    }

    /* 3. types of every declaration, then bodies, then the rules that need all bodies */
    for_each_decl(s, resolve_signature);
    for_each_decl(s, struct_cycles);
    for_each_decl(s, check_body);
    sema_rules_compute(s);
    for_each_decl(s, abi_items);

    Module *root = nm ? p->modules[0] : NULL;
    int nc = 0;
    for (int i = 0; root && i < root->nitems; i++)
        if (root->items[i] && root->items[i]->kind == D_CONTRACT)
            nc++;
    p->contracts = ARENA_ARRAY(s->a, Decl *, nc + 1);
    p->ncontracts = 0;
    for (int i = 0; root && i < root->nitems; i++)
        if (root->items[i] && root->items[i]->kind == D_CONTRACT)
            p->contracts[p->ncontracts++] = root->items[i];
    /* the scopes go with the scratch arena: no Decl keeps pointing at one */
    for (int mi = 0; mi < nm; mi++) {
        Module *m = p->modules[mi];
        for (int i = 0; i < m->nitems; i++)
            if (m->items[i] && (m->items[i]->kind == D_CONTRACT ||
                                m->items[i]->kind == D_INTERFACE))
                m->items[i]->scope = NULL;
    }
    arena_free(&s->scratch);
    return p->diags->errors == errors0;
}
