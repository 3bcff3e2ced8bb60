/* parse.c — the parser's core and its items: token access, error reporting and recovery,
 * the nesting limit, types, and every declaration (imports, contracts, interfaces, structs,
 * storage, functions...). Statements are in parse_stmt.c, expressions in parse_expr.c.
 * Each parse function is preceded by its production from dsl/grammar.ebnf. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "parse.h"

/* ---------------- tokens ---------------- */

Token *parse_peek(Parser *P) {
    return &P->toks[P->pos];
}

Token *parse_peek_at(Parser *P, int k) {
    int i = P->pos + k;
    return &P->toks[i < P->ntoks ? i : P->ntoks - 1];
}

bool parse_at(Parser *P, int kind) {
    return P->toks[P->pos].kind == kind;
}

Token *parse_advance(Parser *P) {
    Token *t = &P->toks[P->pos];
    if (t->kind != TK_EOF)
        P->pos++;
    return t;
}

bool parse_accept(Parser *P, int kind) {
    if (!parse_at(P, kind))
        return false;
    parse_advance(P);
    return true;
}

Span parse_tok_span(Parser *P, const Token *t) {
    return (Span){(uint16_t)P->file, t->start, t->end};
}

uint32_t parse_prev_end(Parser *P) {
    return P->pos > 0 ? P->toks[P->pos - 1].end : 0;
}

Span parse_span_from(Parser *P, uint32_t start) {
    uint32_t end = parse_prev_end(P);
    if (P->split_pos == P->pos && P->split_end > end)
        end = P->split_end;
    return (Span){(uint16_t)P->file, start, end < start ? start : end};
}

void **parse_vec_copy(Parser *P, PtrVec *v) {
    if (!v->len)
        return NULL;
    void **a = ARENA_ARRAY(P->arena, void *, v->len);
    memcpy(a, v->items, sizeof(void *) * (size_t)v->len);
    return a;
}

/* ---------------- errors and recovery ---------------- */

void parse_error(Parser *P, Span sp, const char *fmt, ...) {
    bool cascade = P->panicking || parse_peek(P)->after_bad;
    P->panicking = true;
    if (cascade)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_error(P->diags, sp, "%s", buf);
}

bool parse_expect(Parser *P, int kind, const char *context) {
    if (parse_accept(P, kind)) {
        /* The closing bracket expected after an error: the parser is back in step. */
        if (kind == TK_RPAREN || kind == TK_RBRACKET || kind == TK_RBRACE)
            P->panicking = false;
        return true;
    }
    Token *t = parse_peek(P);
    parse_error(P, parse_tok_span(P, t), "expected %s %s, found %s", lex_tok_name(kind), context,
                lex_tok_name(t->kind));
    return false;
}

/* A missing ';' before a new line or a '}' is reported as if inserted there, without
 * skipping anything: the next line is most likely a good statement. */
bool parse_expect_semi(Parser *P, const char *context) {
    if (parse_accept(P, TK_SEMI)) {
        P->panicking = false; /* the end of a statement or item: back in step */
        return true;
    }
    if (P->panicking || (P->pos > 0 && P->toks[P->pos - 1].bad) || parse_peek(P)->after_bad)
        return false;
    Token *t = parse_peek(P);
    diag_error(P->diags, parse_tok_span(P, t), "expected ';' %s, found %s", context,
               lex_tok_name(t->kind));
    if (!(t->bol || t->kind == TK_RBRACE || t->kind == TK_EOF))
        P->panicking = true;
    return false;
}

static bool is_open(int k) {
    return k == TK_LPAREN || k == TK_LBRACKET || k == TK_LBRACE;
}

static bool is_close(int k) {
    return k == TK_RPAREN || k == TK_RBRACKET || k == TK_RBRACE;
}

/* Skips what cannot be parsed without going deeper: a bracketed group with everything
 * nested in it, or the rest of the expression up to a delimiter of the enclosing level. */
static void skip_nested(Parser *P) {
    int level = 0;
    for (;;) {
        int k = parse_peek(P)->kind;
        if (k == TK_EOF)
            return;
        if (level == 0 && (k == TK_SEMI || k == TK_COMMA || is_close(k)))
            return;
        parse_advance(P);
        if (is_open(k))
            level++;
        else if (is_close(k) && --level == 0)
            return;
    }
}

bool parse_enter(Parser *P, const char *what) {
    if (P->depth >= PARSE_MAX_DEPTH) {
        parse_error(P, parse_tok_span(P, parse_peek(P)), "%s nested too deeply (limit is %d)",
                    what, PARSE_MAX_DEPTH);
        skip_nested(P);
        return false;
    }
    P->depth++;
    return true;
}

void parse_leave(Parser *P) {
    P->depth--;
}

bool parse_is_item_start(Parser *P) {
    switch (parse_peek(P)->kind) {
    case KW_CONTRACT: case KW_INTERFACE: case KW_STRUCT: case KW_IMPORT: case KW_FN:
    case KW_INIT: case KW_PUB: case KW_VIEW: case KW_PAYABLE: case KW_REENTRANT:
    case KW_STORAGE: case KW_CONST: case KW_EVENT: case KW_ERROR: case KW_INVARIANT:
        return true;
    default:
        return false;
    }
}

/* After an error in an item: skip to the end of the item (a ';' or a braced body at this
 * level), or stop before the next item keyword or the '}' closing the enclosing body. */
static void sync_item(Parser *P) {
    int level = 0;
    for (;;) {
        Token *t = parse_peek(P);
        if (t->kind == TK_EOF)
            break;
        if (level == 0) {
            if (t->kind == TK_RBRACE)
                break;
            if (parse_is_item_start(P) && t->bol)
                break;
            if (t->kind == TK_SEMI) {
                parse_advance(P);
                break;
            }
        }
        parse_advance(P);
        if (is_open(t->kind))
            level++;
        else if (is_close(t->kind) && level > 0 && --level == 0 && t->kind == TK_RBRACE)
            break;
    }
    P->panicking = false;
}

/* A node of exactly expr_size[kind] bytes (see arena_alloc_part). */
Expr *parse_expr_alloc(Parser *P, ExprKind kind) {
    Expr *e = arena_alloc_part(P->arena, expr_size[kind], sizeof(Expr));
    e->kind = (uint8_t)kind;
    return e;
}

void parse_set_ival(Parser *P, Expr *e, U256 v) {
    if (v.w[1] | v.w[2] | v.w[3]) {
        e->ival_big = true;
        e->ival_p = ARENA_NEW(P->arena, U256);
        *e->ival_p = v;
    } else {
        e->ival_big = false;
        e->ival_small = v.w[0];
    }
}

Expr *parse_error_expr(Parser *P, Span sp) {
    Expr *e = parse_expr_alloc(P, EX_INT);
    e->span = sp;
    return e;
}

static const char *expect_ident(Parser *P, Span *sp, const char *what) {
    Token *t = parse_peek(P);
    if (t->kind != TK_IDENT) {
        parse_error(P, parse_tok_span(P, t), "expected %s, found %s", what, lex_tok_name(t->kind));
        if (sp)
            *sp = parse_tok_span(P, t);
        return NULL;
    }
    parse_advance(P);
    if (sp)
        *sp = parse_tok_span(P, t);
    return t->s;
}

/* ---------------- types ---------------- */

/* A plain name (`full` false) is allocated without the fields past `type`. */
static TypeRef *type_new(Parser *P, TypeRefKind kind, uint32_t start, bool full) {
    TypeRef *t = arena_alloc_part(P->arena, full ? sizeof(TypeRef) : TYPEREF_PLAIN_SIZE,
                                  sizeof(TypeRef));
    t->kind = kind;
    t->full = full;
    t->span = parse_span_from(P, start);
    return t;
}

/* Accepts a '>' closing a generic; `>>`, `>=` and `>>=` are split so that
 * `map<address, map<address, u256>>` closes twice. */
static void expect_close_angle(Parser *P) {
    Token *t = parse_peek(P);
    switch (t->kind) {
    case TK_GT:
        parse_advance(P);
        return;
    case TK_SHR: t->kind = TK_GT; break;
    case TK_GE: t->kind = TK_ASSIGN; break;
    case TK_SHR_EQ: t->kind = TK_GE; break;
    default:
        parse_error(P, parse_tok_span(P, t), "expected '>' to close the type arguments, found %s",
                    lex_tok_name(t->kind));
        return;
    }
    t->start++;
    t->bol = false;
    P->split_pos = P->pos;
    P->split_end = t->start;
}

/* grammar:
 * type = IDENT
 *      | "map" "<" type "," type ">"
 *      | "list" "<" type "," size_expr ">"
 *      | "string" "<" size_expr ">"
 *      | "[" type ";" expr "]" ;
 */
static TypeRef *parse_type_inner(Parser *P) {
    Token *t = parse_peek(P);
    uint32_t start = t->start;
    if (t->kind == TK_IDENT) {
        parse_advance(P);
        TypeRef *r = type_new(P, TR_NAME, start, false);
        r->name = t->s;
        return r;
    }
    if (t->kind == TK_LBRACKET) {
        parse_advance(P);
        TypeRef *elem = parse_type(P);
        parse_expect(P, TK_SEMI, "after the array element type");
        bool ns = P->no_struct;
        P->no_struct = false;
        Expr *size = parse_expr(P);
        P->no_struct = ns;
        parse_expect(P, TK_RBRACKET, "to close the array type");
        TypeRef *r = type_new(P, TR_ARRAY, start, true);
        r->elem = elem;
        r->size = size;
        return r;
    }
    if (t->kind == KW_MAP || t->kind == KW_LIST || t->kind == KW_STRING) {
        parse_advance(P);
        const char *name = intern(P->prog->names, t->kind == KW_MAP ? "map" : t->kind == KW_LIST ? "list" : "string",
                                  t->end - t->start);
        TypeRef *targs[2] = {0};
        int ntargs = 0;
        Expr *size = NULL;
        if (!parse_expect(P, TK_LT, t->kind == KW_MAP    ? "after 'map' (map<K, V>)"
                                    : t->kind == KW_LIST ? "after 'list' (list<T, N>)"
                                                         : "after 'string' (string<N>)")) {
            TypeRef *r = type_new(P, TR_NAME, start, true);
            r->name = name;
            return r;
        }
        if (t->kind == KW_MAP) {
            targs[ntargs++] = parse_type(P);
            parse_expect(P, TK_COMMA, "between the key and value types of 'map'");
            targs[ntargs++] = parse_type(P);
        } else if (t->kind == KW_LIST) {
            targs[ntargs++] = parse_type(P);
            parse_expect(P, TK_COMMA, "between the element type and the bound of 'list'");
            size = parse_size_expr(P);
        } else {
            size = parse_size_expr(P);
        }
        expect_close_angle(P);
        TypeRef *r = type_new(P, TR_NAME, start, true);
        r->name = name;
        r->ntargs = (int16_t)ntargs;
        if (ntargs) {
            r->targs = ARENA_ARRAY(P->arena, TypeRef *, ntargs);
            memcpy(r->targs, targs, sizeof targs[0] * (size_t)ntargs);
        }
        r->size = size;
        return r;
    }
    parse_error(P, parse_tok_span(P, t), "expected type, found %s", lex_tok_name(t->kind));
    TypeRef *r = type_new(P, TR_NAME, start, false);
    r->span.end = t->end;
    r->name = intern(P->prog->names, "<error>", 7);
    return r;
}

TypeRef *parse_type(Parser *P) {
    uint32_t start = parse_peek(P)->start;
    if (!parse_enter(P, "type")) {
        TypeRef *r = type_new(P, TR_NAME, start, false);
        r->name = intern(P->prog->names, "<error>", 7);
        return r;
    }
    TypeRef *r = parse_type_inner(P);
    parse_leave(P);
    return r;
}

/* A declaration's type (parameter, field, return, storage, constant): it goes to the
 * arena fe_check frees (Program.decl_types). */
static TypeRef *parse_decl_type(Parser *P) {
    Arena *outer = P->arena;
    P->arena = &P->prog->decl_types;
    TypeRef *r = parse_type(P);
    P->arena = outer;
    return r;
}

/* ---------------- parameters and specs ---------------- */

/* grammar:
 * param = IDENT ":" type ;
 * event_param = [ "indexed" ] param ;
 */
static Param *parse_param(Parser *P, bool allow_indexed) {
    Param *pm = ARENA_NEW(&P->scratch, Param); /* copied by parse_params */
    Token *t = parse_peek(P);
    if (t->kind == KW_INDEXED) {
        if (!allow_indexed)
            diag_error(P->diags, parse_tok_span(P, t), "'indexed' is only allowed on event fields");
        parse_advance(P);
        pm->indexed = true;
    }
    pm->name = expect_ident(P, &pm->span, "parameter name");
    if (!pm->name)
        pm->name = intern(P->prog->names, "<error>", 7);
    parse_expect(P, TK_COLON, "after the parameter name");
    pm->tref = parse_decl_type(P);
    return pm;
}

/* grammar:
 * params = [ param { "," param } [ "," ] ] ;
 * event_params = [ event_param { "," event_param } [ "," ] ] ;
 */
static void parse_params(Parser *P, int close, bool indexed, Param **out, int *n) {
    PtrVec v = {0};
    while (!parse_at(P, close) && !parse_at(P, TK_EOF) && !P->panicking) {
        ptrvec_push(&P->scratch, &v, parse_param(P, indexed));
        if (!parse_accept(P, TK_COMMA))
            break;
    }
    *n = v.len;
    *out = v.len ? ARENA_ARRAY(P->arena, Param, v.len) : NULL;
    for (int i = 0; i < v.len; i++)
        (*out)[i] = *(Param *)v.items[i];
}

static void parse_param_list(Parser *P, Decl *d, bool indexed, const char *what) {
    char ctx[64];
    snprintf(ctx, sizeof ctx, "after the %s name", what);
    if (!parse_expect(P, TK_LPAREN, ctx))
        return;
    parse_params(P, TK_RPAREN, indexed, &d->params, &d->nparams);
    if (parse_at(P, TK_IDENT) && !P->panicking)
        parse_error(P, parse_tok_span(P, parse_peek(P)), "expected ',' between parameters, found identifier");
    parse_expect(P, TK_RPAREN, "to close the parameter list");
}

/* The regions of a function or invariant (see FnRegion), made on first use. */
static FnRegion *fn_region(Parser *P, Decl *d) {
    if (!d->region) {
        FnRegion *r = ARENA_NEW(P->arena, FnRegion);
        arena_init_region(&r->body);
        arena_init_region(&r->specs);
        r->next = P->prog->regions;
        P->prog->regions = r;
        d->region = r;
    }
    return d->region;
}

void fe_free_regions(Program *p) {
    for (FnRegion *r = p->regions; r; r = r->next) {
        arena_free(&r->body);
        arena_free(&r->specs);
    }
    arena_free(&p->decl_types);
}

static void parse_body(Parser *P, Decl *d) {
    Arena *outer = P->arena;
    P->arena = &fn_region(P, d)->body;
    d->body = parse_block(P);
    P->arena = outer;
}

/* grammar:
 * spec = ( "requires" | "ensures" | "reverts_if" ) cond_expr ;
 */
static void parse_specs(Parser *P, Decl *d) {
    PtrVec v = {0};
    for (;;) {
        Token *t = parse_peek(P);
        SpecKind k;
        if (t->kind == KW_REQUIRES)
            k = SP_REQUIRES;
        else if (t->kind == KW_ENSURES)
            k = SP_ENSURES;
        else if (t->kind == KW_REVERTS_IF)
            k = SP_REVERTS_IF;
        else
            break;
        parse_advance(P);
        Spec *s = ARENA_NEW(&P->scratch, Spec); /* copied below */
        s->kind = k;
        Arena *outer = P->arena;
        P->arena = &fn_region(P, d)->specs;
        s->expr = parse_cond_expr(P);
        P->arena = outer;
        s->span = parse_span_from(P, t->start);
        ptrvec_push(&P->scratch, &v, s);
        if (P->panicking)
            break;
    }
    d->nspecs = v.len;
    d->specs = v.len ? ARENA_ARRAY(&fn_region(P, d)->specs, Spec, v.len) : NULL;
    for (int i = 0; i < v.len; i++)
        d->specs[i] = *(Spec *)v.items[i];
}

/* ---------------- declarations ---------------- */

static Decl *decl_new(Parser *P, DeclKind kind, uint32_t start, Decl *parent) {
    Decl *d = arena_alloc_part(P->arena, decl_size[kind], sizeof(Decl)); /* see Decl */
    d->kind = kind;
    d->span = (Span){(uint16_t)P->file, start, start};
    d->parent = parent;
    d->file = P->file;
    return d;
}

static void decl_name(Parser *P, Decl *d, const char *what) {
    d->name = expect_ident(P, &d->name_span, what);
    if (!d->name)
        d->name = intern(P->prog->names, "<error>", 7);
}

static void decl_end(Parser *P, Decl *d) {
    d->span = parse_span_from(P, d->span.start);
}

/* grammar:
 * import_decl = "import" IDENT { "." IDENT } ";" ;
 */
static Decl *parse_import(Parser *P, uint32_t start) {
    Decl *d = decl_new(P, D_IMPORT, start, NULL);
    char buf[1024];
    size_t n = 0;
    uint32_t name_start = parse_peek(P)->start;
    for (;;) {
        const char *part = expect_ident(P, NULL, "module name");
        if (!part)
            break;
        size_t len = strlen(part);
        if (n + len + 1 < sizeof buf) {
            memcpy(buf + n, part, len);
            n += len;
        }
        if (!parse_at(P, TK_DOT))
            break;
        parse_advance(P);
        if (n + 1 < sizeof buf)
            buf[n++] = '.';
    }
    d->name = intern(P->prog->names, buf, n);
    d->name_span = parse_span_from(P, name_start);
    parse_expect_semi(P, "after the import");
    decl_end(P, d);
    return d;
}

/* grammar:
 * storage_decl = [ "pub" ] "storage" IDENT ":" type ";" ;
 * ghost_decl = "ghost" IDENT ":" type ";" ;
 */
static Decl *parse_var_decl(Parser *P, DeclKind kind, uint32_t start, unsigned fl, Decl *parent) {
    Decl *d = decl_new(P, kind, start, parent);
    d->flags = fl; /* `pub` on storage: the getter */
    decl_name(P, d, kind == D_STORAGE ? "storage variable name" : "ghost variable name");
    parse_expect(P, TK_COLON, "after the variable name");
    d->tref = parse_decl_type(P);
    parse_expect_semi(P, kind == D_STORAGE ? "after the storage declaration"
                                           : "after the ghost declaration");
    decl_end(P, d);
    return d;
}

/* grammar:
 * const_decl = "const" IDENT ":" type "=" expr ";" ;
 */
static Decl *parse_const(Parser *P, uint32_t start, Decl *parent) {
    Decl *d = decl_new(P, D_CONST, start, parent);
    decl_name(P, d, "constant name");
    parse_expect(P, TK_COLON, "after the constant name (constants have a type)");
    d->tref = parse_decl_type(P);
    parse_expect(P, TK_ASSIGN, "before the constant's value");
    d->init = parse_expr(P);
    parse_expect_semi(P, "after the constant");
    decl_end(P, d);
    return d;
}

/* grammar:
 * event_decl = "event" IDENT "(" event_params ")" ";" ;
 * error_decl = "error" IDENT "(" params ")" ";" ;
 */
static Decl *parse_event_or_error(Parser *P, DeclKind kind, uint32_t start, Decl *parent) {
    Decl *d = decl_new(P, kind, start, parent);
    decl_name(P, d, kind == D_EVENT ? "event name" : "error name");
    parse_param_list(P, d, kind == D_EVENT, kind == D_EVENT ? "event" : "error");
    parse_expect_semi(P, kind == D_EVENT ? "after the event" : "after the error");
    decl_end(P, d);
    return d;
}

/* grammar:
 * struct_decl = "struct" IDENT "{" params "}" ;
 */
static Decl *parse_struct(Parser *P, uint32_t start, Decl *parent) {
    Decl *d = decl_new(P, D_STRUCT, start, parent);
    decl_name(P, d, "struct name");
    if (parse_expect(P, TK_LBRACE, "after the struct name")) {
        parse_params(P, TK_RBRACE, false, &d->params, &d->nparams);
        if (!parse_at(P, TK_RBRACE) && parse_at(P, TK_IDENT) && !P->panicking)
            parse_error(P, parse_tok_span(P, parse_peek(P)), "expected ',' between struct fields, found identifier");
        parse_expect(P, TK_RBRACE, "to close the struct");
    }
    decl_end(P, d);
    return d;
}

/* grammar:
 * invariant_decl = "invariant" expr ";" ;
 */
static Decl *parse_invariant(Parser *P, uint32_t start, Decl *parent) {
    Decl *d = decl_new(P, D_INVARIANT, start, parent);
    Arena *outer = P->arena;
    P->arena = &fn_region(P, d)->specs;
    d->expr = parse_expr(P);
    P->arena = outer;
    parse_expect_semi(P, "after the invariant");
    decl_end(P, d);
    return d;
}

/* grammar:
 * init_decl = [ "payable" ] "init" "(" params ")" { spec } block ;
 */
static Decl *parse_init(Parser *P, uint32_t start, unsigned flags, Decl *parent) {
    Decl *d = decl_new(P, D_INIT, start, parent);
    d->flags = flags;
    d->name = intern(P->prog->names, "init", 4);
    d->name_span = parse_tok_span(P, &P->toks[P->pos - 1]);
    parse_param_list(P, d, false, "'init'");
    parse_specs(P, d);
    if (parse_at(P, TK_LBRACE))
        parse_body(P, d);
    else
        parse_error(P, parse_tok_span(P, parse_peek(P)), "expected '{' to begin the body of 'init', found %s",
                    lex_tok_name(parse_peek(P)->kind));
    decl_end(P, d);
    return d;
}

/* grammar:
 * fn_decl = { fn_modifier } "fn" IDENT "(" params ")" [ "->" type ] { spec } ( block | ";" ) ;
 * fn_modifier = "pub" | "view" | "payable" | "reentrant" ;
 */
static Decl *parse_fn(Parser *P, uint32_t start, unsigned flags, Decl *parent) {
    Decl *d = decl_new(P, D_FN, start, parent);
    d->flags = flags;
    decl_name(P, d, "function name");
    parse_param_list(P, d, false, "function");
    if (parse_accept(P, TK_ARROW))
        d->ret = parse_decl_type(P);
    parse_specs(P, d);
    bool in_iface = parent && parent->kind == D_INTERFACE;
    if (parse_at(P, TK_LBRACE)) {
        Token *t = parse_peek(P);
        parse_body(P, d);
        if (in_iface)
            diag_error(P->diags, parse_span_from(P, t->start),
                       "functions of an interface have no body");
    } else if (parse_at(P, TK_SEMI)) {
        Token *t = parse_advance(P);
        if (!in_iface)
            diag_error(P->diags, parse_tok_span(P, t), "function '%s' has no body", d->name);
    } else {
        Token *t = parse_peek(P);
        parse_error(P, parse_tok_span(P, t), in_iface ? "expected ';' after the function signature, found %s"
                                                 : "expected '{' to begin the function body, found %s",
                    lex_tok_name(t->kind));
    }
    decl_end(P, d);
    return d;
}

enum ItemPlace { IN_FILE, IN_CONTRACT, IN_INTERFACE };

static unsigned modifier_flag(int kind) {
    switch (kind) {
    case KW_PUB: return DF_PUB;
    case KW_VIEW: return DF_VIEW;
    case KW_PAYABLE: return DF_PAYABLE;
    case KW_REENTRANT: return DF_REENTRANT;
    default: return 0;
    }
}

static Decl *parse_item(Parser *P, enum ItemPlace place, Decl *parent);

/* grammar:
 * contract_decl = "contract" IDENT [ ":" IDENT { "," IDENT } ] "{" { member } "}" ;
 * interface_decl = "interface" IDENT "{" { fn_decl } "}" ;
 */
static Decl *parse_contract(Parser *P, DeclKind kind, uint32_t start) {
    Decl *d = decl_new(P, kind, start, NULL);
    decl_name(P, d, kind == D_CONTRACT ? "contract name" : "interface name");
    if (kind == D_CONTRACT && parse_accept(P, TK_COLON)) {
        PtrVec names = {0}, spans = {0};
        do {
            Span *sp = ARENA_NEW(&P->scratch, Span); /* copied below */
            const char *b = expect_ident(P, sp, "base contract name");
            if (!b)
                break;
            ptrvec_push(&P->scratch, &names, (void *)b);
            ptrvec_push(&P->scratch, &spans, sp);
        } while (parse_accept(P, TK_COMMA));
        d->nbases = names.len;
        d->bases = (const char **)parse_vec_copy(P, &names);
        d->base_spans = names.len ? ARENA_ARRAY(P->arena, Span, names.len) : NULL;
        for (int i = 0; i < spans.len; i++)
            d->base_spans[i] = *(Span *)spans.items[i];
    }
    if (!parse_expect(P, TK_LBRACE, kind == D_CONTRACT ? "to begin the contract body"
                                                       : "to begin the interface body")) {
        decl_end(P, d);
        return d;
    }
    PtrVec members = {0};
    while (!parse_at(P, TK_RBRACE) && !parse_at(P, TK_EOF)) {
        int before = P->pos;
        if (parse_at(P, KW_CONTRACT) || parse_at(P, KW_INTERFACE) || parse_at(P, KW_IMPORT)) {
            /* Most likely the '}' of this body is missing. */
            break;
        }
        Decl *m = parse_item(P, kind == D_CONTRACT ? IN_CONTRACT : IN_INTERFACE, d);
        if (m)
            ptrvec_push(&P->scratch, &members, m);
        if (P->panicking)
            sync_item(P);
        if (P->pos == before)
            parse_advance(P);
    }
    d->members = PARSE_VEC(P, Decl, members);
    d->nmembers = members.len;
    parse_expect(P, TK_RBRACE, kind == D_CONTRACT ? "to close the contract body"
                                                  : "to close the interface body");
    decl_end(P, d);
    return d;
}

/* grammar:
 * item = import_decl | contract_decl | interface_decl | struct_decl | const_decl
 *      | event_decl | error_decl | fn_decl ;
 * member = storage_decl | ghost_decl | const_decl | event_decl | error_decl | struct_decl
 *        | invariant_decl | init_decl | fn_decl ;
 */
static Decl *parse_item(Parser *P, enum ItemPlace place, Decl *parent) {
    Token *first = parse_peek(P);
    uint32_t start = first->start;
    unsigned flags = 0;
    Token *mods[4];
    int nmods = 0;
    while (modifier_flag(parse_peek(P)->kind)) {
        Token *t = parse_advance(P);
        unsigned f = modifier_flag(t->kind);
        if (flags & f)
            diag_error(P->diags, parse_tok_span(P, t), "duplicate %s", lex_tok_name(t->kind));
        flags |= f;
        if (nmods < 4)
            mods[nmods++] = t;
    }
    Token *t = parse_peek(P);
    const char *where = place == IN_FILE ? "at file level" : place == IN_CONTRACT ? "in a contract"
                                                                                  : "in an interface";
    int k = t->kind;
    /* Which modifiers each kind of item takes. */
    unsigned allowed = k == KW_FN ? (place == IN_INTERFACE ? DF_VIEW | DF_PAYABLE
                                                           : DF_PUB | DF_VIEW | DF_PAYABLE | DF_REENTRANT)
                       : k == KW_STORAGE ? DF_PUB
                       : k == KW_INIT    ? DF_PAYABLE
                                         : 0;
    if (place == IN_FILE && k == KW_FN)
        allowed = 0; /* free functions are private helpers */
    const char *on = k == KW_FN ? (place == IN_FILE        ? "on a free function (it is a private helper)"
                                   : place == IN_INTERFACE ? "on an interface function"
                                                           : "on a function")
                     : k == KW_STORAGE ? "on storage (only 'pub' is)"
                     : k == KW_INIT    ? "on 'init' (only 'payable' is)"
                                       : "here (modifiers go on functions, 'init' and storage)";
    for (int i = 0; i < nmods; i++)
        if (modifier_flag(mods[i]->kind) & ~allowed) {
            diag_error(P->diags, parse_tok_span(P, mods[i]), "%s is not allowed %s",
                       lex_tok_name(mods[i]->kind), on);
            flags &= ~modifier_flag(mods[i]->kind);
        }
    bool ok_place;
    switch (k) {
    case KW_FN: ok_place = true; break;
    case KW_IMPORT: case KW_CONTRACT: case KW_INTERFACE: ok_place = place == IN_FILE; break;
    case KW_STRUCT: case KW_CONST: case KW_EVENT: case KW_ERROR: ok_place = place != IN_INTERFACE; break;
    case KW_STORAGE: case KW_GHOST: case KW_INVARIANT: case KW_INIT: ok_place = place == IN_CONTRACT; break;
    default:
        parse_error(P, parse_tok_span(P, t), place == IN_FILE ? "expected an item (contract, interface, struct, const, event, error, fn or import), found %s"
                                       : place == IN_CONTRACT ? "expected a contract member, found %s"
                                                              : "expected a function signature, found %s",
                    lex_tok_name(t->kind));
        return NULL;
    }
    if (!ok_place)
        diag_error(P->diags, parse_tok_span(P, t), "%s is not allowed %s", lex_tok_name(k), where);
    parse_advance(P);
    switch (k) {
    case KW_FN: return parse_fn(P, start, flags, parent);
    case KW_IMPORT: return parse_import(P, start);
    case KW_CONTRACT: return parse_contract(P, D_CONTRACT, start);
    case KW_INTERFACE: return parse_contract(P, D_INTERFACE, start);
    case KW_STRUCT: return parse_struct(P, start, parent);
    case KW_CONST: return parse_const(P, start, parent);
    case KW_EVENT: return parse_event_or_error(P, D_EVENT, start, parent);
    case KW_ERROR: return parse_event_or_error(P, D_ERROR, start, parent);
    case KW_STORAGE: return parse_var_decl(P, D_STORAGE, start, flags, parent);
    case KW_GHOST: return parse_var_decl(P, D_GHOST, start, flags, parent);
    case KW_INVARIANT: return parse_invariant(P, start, parent);
    default: return parse_init(P, start, flags, parent);
    }
}

/* grammar:
 * module = { item } EOF ;
 */
Module *parse_module(Program *prog, int file) {
    Parser P = {.prog = prog, .arena = prog->arena, .diags = prog->diags, .file = file,
                .split_pos = -1};
    arena_init(&P.scratch);
    P.toks = lex_file(prog, file, &P.ntoks);
    Module *m = ARENA_NEW(prog->arena, Module);
    m->file = file;
    PtrVec items = {0};
    bool seen_other = false;
    bool recovered = false;
    while (!parse_at(&P, TK_EOF)) {
        int before = P.pos;
        if (parse_at(&P, TK_RBRACE)) {
            /* After recovering from an error the '}' most likely closes the broken item. */
            if (!recovered)
                parse_error(&P, parse_tok_span(&P, parse_peek(&P)), "unexpected '}' at file level");
            parse_advance(&P);
            P.panicking = recovered = false;
            continue;
        }
        Decl *d = parse_item(&P, IN_FILE, NULL);
        if (d) {
            if (d->kind == D_IMPORT && seen_other)
                diag_error(P.diags, d->span, "imports must come before the other items");
            seen_other |= d->kind != D_IMPORT;
            ptrvec_push(&P.scratch, &items, d);
        }
        recovered = P.panicking;
        if (P.panicking)
            sync_item(&P);
        if (P.pos == before)
            parse_advance(&P);
    }
    /* A file with nothing in it is almost always a wrong path or a truncated file, and
     * "checked clean" would hide that. */
    if (items.len == 0 && P.diags->errors == 0)
        diag_error(P.diags, (Span){(uint16_t)file, 0, 0},
                   "empty file: expected a contract, interface, struct, function or import");
    m->items = PARSE_VEC(&P, Decl, items);
    m->nitems = items.len;
    free(P.toks);
    arena_free(&P.scratch);
    return m;
}
