/* sema_unit.c — checks the annotations the checker leaves for the lowering: types of
 * literals, loop trip bounds, storage layout, effects over the call graph, signatures and
 * selectors, Program.contracts. Diagnostics themselves are tested by the goldens beside. */
#include <stdio.h>
#include <string.h>

#include "frontend/ast.h"
#include "frontend/frontend.h"

static int failures;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

static const char SRC[] =
    "interface IVault { payable fn deposit(); view fn total() -> u256; }\n"
    "contract Base {\n"
    "    pub storage owner: address;\n"
    "    ghost g: u256;\n"
    "}\n"
    "contract Token: Base {\n"
    "    storage balances: map<address, u256>;\n"
    "    pub storage allowed: map<address, map<address, u256>>;\n"
    "    storage xs: list<u256, 16>;\n"
    "    event Transfer(indexed from: address, indexed to: address, value: u256);\n"
    "    error Nope(who: address);\n"
    "    pub fn transfer(to: address, amount: u256) -> bool { bump(); return true; }\n"
    "    fn bump() { balances[msg.sender] += 1; }\n"
    "    fn pay(v: address) { IVault(v).deposit{value: 1}(); }\n"
    "    pub fn outer(v: address) { pay(v); }\n"
    "    pub fn loops() -> u64 {\n"
    "        let small: u8 = 3;\n"
    "        let t: u64 = 0;\n"
    "        for i in 2..10 { t += small; }\n"
    "        for j in 1..xs.len() { t += 1; }\n"
    "        let arr: [u8; 5] = [1, 2, 3, 4, 5];\n"
    "        for x in arr { t += x; }\n"
    "        return t + 1 + 2;\n"
    "    }\n"
    "}\n"
    "contract Second { storage z: bool; }\n";

static Decl *member(Decl *c, const char *name) {
    for (int i = 0; i < c->nall_members; i++)
        if (c->all_members[i]->name && !strcmp(c->all_members[i]->name, name))
            return c->all_members[i];
    return NULL;
}

/* Programs with parse errors leave holes (NULL children) in the tree; the checker must
 * survive them even though the driver does not run it after a parse error. */
static const char *const BROKEN[] = {
    "contract C { storage x: ; pub fn f() -> { return x +; } }",
    "contract C { fn f(a: , b: u8) { let = 1; a = ; for i in ..3 { } } }",
    "contract C: { event E(indexed : u8); fn g() { emit E(; revert ; require else X(); } }",
    "struct S { a: map<, >, b: list<u8, > } contract D { storage s: S; init( { s.a[ = 1; } }",
    "interface I { fn f(; } contract C { fn g(a: address) { I(a).f{value: }(); I().; } }",
    "const A: u8 = ; contract C { storage xs: [u8; A]; invariant forall i in 0..: xs[i] ==> ; }",
    "contract C { pub fn f() -> u256 ensures result == old( requires { if { } else { } } }",
    "fn f() -> u8 { return S { a: , b: 1 }.a; } fn g() { [1, , 3][0] = (1 as ); ghost = 2; }",
};

int main(void) {
    for (size_t i = 0; i < sizeof BROKEN / sizeof BROKEN[0]; i++) {
        Compilation b;
        fe_init(&b, "stdlib");
        fe_load_text(&b, "broken.writ", BROKEN[i], strlen(BROKEN[i]));
        if (b.prog->nmodules)
            fe_check(&b);
        CHECK(b.diags.errors > 0);
        fe_free(&b);
    }

    Compilation c;
    fe_init(&c, "stdlib");
    CHECK(fe_load_text(&c, "unit.writ", SRC, sizeof SRC - 1));
    CHECK(fe_check(&c));
    diag_print(&c.diags, stderr);
    Program *p = c.prog;
    CHECK(p->ncontracts == 3);
    if (p->ncontracts != 3) {
        fe_free(&c);
        return 1;
    }
    CHECK(!strcmp(p->contracts[0]->name, "Base"));
    Decl *tok = p->contracts[1];
    CHECK(!strcmp(tok->name, "Token"));

    /* layout: the base's members first, storage numbered in order */
    CHECK(tok->all_members[0] == member(tok, "owner"));
    CHECK(member(tok, "owner")->index == 0);
    CHECK(member(tok, "balances")->index == 1);
    CHECK(member(tok, "allowed")->index == 2);
    CHECK(member(tok, "g")->kind == D_GHOST && member(tok, "g")->index == 0);

    /* ABI */
    Decl *tr = member(tok, "transfer");
    CHECK(tr->signature && !strcmp(tr->signature, "transfer(address,uint256)"));
    CHECK(tr->selector == 0xa9059cbbu);
    /* `pub storage` must reach the checker with DF_PUB (parse_var_decl keeps the flags) */
    CHECK(member(tok, "allowed")->flags & DF_PUB);
    Decl *al = member(tok, "allowed");
    CHECK(al->signature && !strcmp(al->signature, "allowed(address,address)"));
    Decl *ev = member(tok, "Transfer");
    CHECK(ev->signature && !strcmp(ev->signature, "Transfer(address,address,uint256)"));
    CHECK(ev->selector == 0xddf252adu);
    Decl *er = member(tok, "Nope");
    CHECK(er->signature && !strcmp(er->signature, "Nope(address)"));
    CHECK(member(tok, "owner")->selector == 0x8da5cb5bu); /* owner() */

    /* effects through the call graph */
    CHECK(tr->writes_storage && !tr->calls_external);
    CHECK(tr->ncallees == 1 && tr->callees[0] == member(tok, "bump"));
    Decl *outer = member(tok, "outer");
    CHECK(outer->calls_external && outer->may_reenter && !outer->writes_storage);

    /* loops and literal types */
    Decl *lp = member(tok, "loops");
    Block *b = lp->body;
    CHECK(b->n == 7);
    if (b->n == 7) {
        CHECK(b->stmts[0]->init->type->kind == TY_INT && b->stmts[0]->init->type->bits == 8);
        CHECK(b->stmts[2]->kind == ST_FOR && b->stmts[2]->trip_bound == 8);
        CHECK(b->stmts[2]->sym && b->stmts[2]->sym->kind == SYM_LOOP_VAR);
        CHECK(b->stmts[3]->trip_bound == 15);
        CHECK(b->stmts[5]->trip_bound == 5);
        Expr *ret = b->stmts[6]->expr;
        CHECK(ret->type->kind == TY_INT && ret->type->bits == 64);
        CHECK(ret->rhs->type->bits == 64 && ret->lhs->rhs->type->bits == 64);
        CHECK(lp->nlocals == 6); /* small, t, i, j, arr, x */
    }
    fe_free(&c);
    if (failures)
        fprintf(stderr, "%d checks failed\n", failures);
    return failures != 0;
}
