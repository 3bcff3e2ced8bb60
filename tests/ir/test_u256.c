/* test_u256.c — units for the 256-bit integers, keccak256 and the IR builder's
 * declarations (type interning, ABI names, signatures, selectors, topics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "ir/ir.h"

static U256 P(const char *s) {
    U256 v;
    bool neg = s[0] == '-';
    if (neg) s++;
    assert_true(u256_parse(s, strlen(s), &v));
    return neg ? u256_neg(v) : v;
}

static void assert_u256(U256 got, const char *want) {
    char buf[80];
    u256_to_hex(got, buf);
    U256 w = P(want);
    char wb[80];
    u256_to_hex(w, wb);
    assert_string_equal(buf, wb);
}

#define MAX "0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define MIN_I256 "0x8000000000000000000000000000000000000000000000000000000000000000"

static void test_parse_print(void **st) {
    (void)st;
    char buf[80];
    U256 v;
    assert_true(u256_parse("0", 1, &v));
    assert_true(u256_is_zero(v));
    assert_true(u256_parse("1_000_000", 9, &v));
    assert_int_equal(u256_low64(v), 1000000);
    assert_true(u256_parse("0xDead_beef", 11, &v));
    assert_int_equal(u256_low64(v), 0xdeadbeef);
    const char *max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    assert_true(u256_parse(max, strlen(max), &v));
    u256_to_dec(v, false, buf);
    assert_string_equal(buf, max);
    u256_to_dec(v, true, buf);
    assert_string_equal(buf, "-1");
    u256_to_hex(v, buf);
    assert_string_equal(buf, MAX);
    const char *over = "115792089237316195423570985008687907853269984665640564039457584007913129639936";
    assert_false(u256_parse(over, strlen(over), &v));
    assert_false(u256_parse("0x1" "0000000000000000000000000000000000000000000000000000000000000000", 67, &v));
    assert_false(u256_parse("12a", 3, &v));
    assert_false(u256_parse("0xg", 3, &v));
    assert_false(u256_parse("", 0, &v));
    assert_false(u256_parse("0x", 2, &v));
    assert_false(u256_parse("_", 1, &v));
    u256_to_dec(P(MIN_I256), true, buf);
    assert_string_equal(buf, "-57896044618658097711785492504343953926634992332820282019728792003956564819968");
    u256_to_dec(u256_from_u64(10000000000000000000ull), false, buf);
    assert_string_equal(buf, "10000000000000000000");
    u256_to_dec(P("100000000000000000000000000000000000000"), false, buf);
    assert_string_equal(buf, "100000000000000000000000000000000000000");
    u256_to_hex(u256_from_u64(0), buf);
    assert_string_equal(buf, "0x0");
}

static void test_add_sub_mul(void **st) {
    (void)st;
    bool c;
    assert_u256(u256_add(P(MAX), u256_from_u64(1), &c), "0");
    assert_true(c);
    assert_u256(u256_add(P("0xffffffffffffffff"), u256_from_u64(1), &c), "0x10000000000000000");
    assert_false(c);
    assert_u256(u256_add(P("0xffffffffffffffffffffffffffffffffffffffffffffffff"), u256_from_u64(1), &c),
                "0x1000000000000000000000000000000000000000000000000");
    assert_u256(u256_sub(u256_from_u64(0), u256_from_u64(1), &c), MAX);
    assert_true(c);
    assert_u256(u256_sub(P("0x10000000000000000"), u256_from_u64(1), &c), "0xffffffffffffffff");
    assert_false(c);
    assert_u256(u256_mul(P("0xffffffffffffffff"), P("0xffffffffffffffff"), &c), "0xfffffffffffffffe0000000000000001");
    assert_false(c);
    assert_u256(u256_mul(P(MAX), P(MAX), &c), "1");
    assert_true(c);
    assert_u256(u256_mul(P("0x100000000000000000000000000000000"), P("0x100000000000000000000000000000000"), &c), "0");
    assert_true(c);
    assert_u256(u256_neg(u256_from_u64(1)), MAX);
    assert_u256(u256_neg(P(MIN_I256)), MIN_I256);
}

static void test_div(void **st) {
    (void)st;
    U256 r;
    assert_u256(u256_udiv(P(MAX), u256_from_u64(3), &r), "0x5555555555555555555555555555555555555555555555555555555555555555");
    assert_true(u256_is_zero(r));
    assert_u256(u256_udiv(u256_from_u64(7), u256_from_u64(2), &r), "3");
    assert_u256(r, "1");
    assert_u256(u256_udiv(P("0x1000000000000000000000000000000000000"), P("0x10000000000000001"), &r), "0xffffffffffffffff0000");
    assert_u256(r, "0x10000");
    assert_u256(u256_add(u256_mul(P("0xffffffffffffffff0000"), P("0x10000000000000001"), NULL), r, NULL),
                "0x1000000000000000000000000000000000000");
    assert_u256(u256_udiv(u256_from_u64(5), u256_from_u64(9), &r), "0");
    assert_u256(r, "5");
    /* signed: truncation toward zero, remainder takes the sign of the dividend */
    assert_u256(u256_sdiv(P("-7"), u256_from_u64(2), &r), "-3");
    assert_u256(r, "-1");
    assert_u256(u256_sdiv(u256_from_u64(7), P("-2"), &r), "-3");
    assert_u256(r, "1");
    assert_u256(u256_sdiv(P("-7"), P("-2"), &r), "3");
    assert_u256(r, "-1");
    assert_u256(u256_sdiv(P(MIN_I256), P("-1"), &r), MIN_I256);
    assert_true(u256_is_zero(r));
}

static void test_bits_shifts(void **st) {
    (void)st;
    U256 one = u256_from_u64(1);
    assert_u256(u256_shl(one, 255), MIN_I256);
    assert_u256(u256_shl(one, 256), "0");
    assert_u256(u256_shl(one, 1000), "0");
    assert_u256(u256_shl(one, 64), "0x10000000000000000");
    assert_u256(u256_shl(P("0x8000000000000001"), 1), "0x10000000000000002");
    assert_u256(u256_lshr(P(MIN_I256), 255), "1");
    assert_u256(u256_lshr(P(MAX), 256), "0");
    assert_u256(u256_lshr(P("0x10000000000000002"), 1), "0x8000000000000001");
    assert_u256(u256_ashr(P(MIN_I256), 255), MAX);
    assert_u256(u256_ashr(P(MIN_I256), 256), MAX);
    assert_u256(u256_ashr(P(MIN_I256), 0), MIN_I256);
    assert_u256(u256_ashr(P("-8"), 1), "-4");
    assert_u256(u256_ashr(u256_from_u64(8), 300), "0");
    assert_u256(u256_and(P(MAX), u256_from_u64(5)), "5");
    assert_u256(u256_or(u256_from_u64(4), u256_from_u64(1)), "5");
    assert_u256(u256_xor(P(MAX), P(MAX)), "0");
    assert_u256(u256_not(u256_from_u64(0)), MAX);
    assert_int_equal(u256_bit_length(u256_from_u64(0)), 0);
    assert_int_equal(u256_bit_length(P(MIN_I256)), 256);
    assert_int_equal(u256_bit_length(P("0x10000000000000000")), 65);
    assert_int_equal(u256_cmp(P(MAX), u256_from_u64(0)), 1);
    assert_int_equal(i256_cmp(P(MAX), u256_from_u64(0)), -1);
    assert_int_equal(i256_cmp(P(MIN_I256), P("-1")), -1);
    assert_true(u256_eq(P("42"), u256_from_u64(42)));
}

static void test_trunc_fits(void **st) {
    (void)st;
    assert_u256(u256_trunc(u256_from_u64(0x1ff), 8, false), "0xff");
    assert_u256(u256_trunc(u256_from_u64(0xff), 8, true), "-1");
    assert_u256(u256_trunc(u256_from_u64(0x7f), 8, true), "0x7f");
    assert_u256(u256_trunc(P(MAX), 160, false), "0xffffffffffffffffffffffffffffffffffffffff");
    assert_u256(u256_trunc(P("0x8000000000000000000000000000000000000000"), 160, true),
                "0xffffffffffffffffffffffff8000000000000000000000000000000000000000");
    assert_u256(u256_trunc(P(MIN_I256), 255, false), "0");
    assert_u256(u256_trunc(P("0x4000000000000000000000000000000000000000000000000000000000000000"), 255, true),
                "0xc000000000000000000000000000000000000000000000000000000000000000");
    assert_u256(u256_trunc(P(MAX), 256, false), MAX);
    assert_u256(u256_trunc(P(MAX), 256, true), MAX);
    assert_true(u256_fits(u256_from_u64(255), 8, false));
    assert_false(u256_fits(u256_from_u64(256), 8, false));
    assert_true(u256_fits(P("-128"), 8, true));
    assert_false(u256_fits(P("-129"), 8, true));
    assert_false(u256_fits(u256_from_u64(128), 8, true));
    assert_false(u256_fits(P("-1"), 8, false));
    assert_true(u256_fits(P("0xffffffffffffffffffffffffffffffffffffffff"), 160, false));
    assert_false(u256_fits(P("0x10000000000000000000000000000000000000000"), 160, false));
    assert_true(u256_fits(P("0x3fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), 255, true));
    assert_false(u256_fits(P("0x4000000000000000000000000000000000000000000000000000000000000000"), 255, true));
    assert_true(u256_fits(P(MAX), 256, false));
    assert_true(u256_fits(P(MAX), 256, true));
    assert_true(u256_fits(P("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"), 255, false));
    assert_false(u256_fits(P(MIN_I256), 255, false));
    assert_true(u256_fits(u256_from_u64(1), 1, false));
    assert_false(u256_fits(u256_from_u64(2), 1, false));
}

static void hex32(const uint8_t *h, char *out) {
    for (int i = 0; i < 32; i++) sprintf(out + 2 * i, "%02x", h[i]);
}

static void test_keccak(void **st) {
    (void)st;
    uint8_t h[32];
    char hex[65];
    keccak256("", 0, h);
    hex32(h, hex);
    assert_string_equal(hex, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    keccak256("transfer(address,uint256)", 25, h);
    hex32(h, hex);
    assert_memory_equal(hex, "a9059cbb", 8);
    keccak256("Transfer(address,address,uint256)", 33, h);
    hex32(h, hex);
    assert_string_equal(hex, "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
    keccak256("abc", 3, h);
    hex32(h, hex);
    assert_string_equal(hex, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    /* lengths around the 136-byte rate: padding bytes collide at 135, a block ends at 136 */
    char buf[300];
    memset(buf, 'a', sizeof buf);
    uint8_t h135[32], h136[32], h137[32], h272[32];
    keccak256(buf, 135, h135);
    keccak256(buf, 136, h136);
    keccak256(buf, 137, h137);
    keccak256(buf, 272, h272);
    assert_memory_not_equal(h135, h136, 32);
    assert_memory_not_equal(h136, h137, 32);
    assert_memory_not_equal(h136, h272, 32);
}

static void test_builder_decls(void **st) {
    (void)st;
    Arena a;
    arena_init(&a);
    IrModule *m = ir_module_new(&a, "T");
    IrType *u = ir_type_int(m, 256, false);
    assert_ptr_equal(u, ir_type_int(m, 256, false));
    assert_ptr_not_equal(u, ir_type_int(m, 256, true));
    IrType *mp = ir_type_map(m, ir_type_address(m), u);
    assert_ptr_equal(mp, ir_type_map(m, ir_type_address(m), ir_type_int(m, 256, false)));
    char buf[128];
    ir_type_print(m, mp, buf, sizeof buf);
    assert_string_equal(buf, "map<address, u256>");
    ir_type_print(m, ir_type_ref(m, ir_type_array(m, ir_type_int(m, 8, false), 4)), buf, sizeof buf);
    assert_string_equal(buf, "ref [u8; 4]");
    ir_type_print(m, ir_type_list(m, ir_type_bytes(m, 32), 10), buf, 8); /* truncated, terminated */
    assert_string_equal(buf, "list<by");
    IrField pf[2] = {{"x", u, false}, {"y", ir_type_int(m, 8, true), false}};
    int pt = ir_add_struct(m, "Point", pf, 2);
    ir_type_abi_name(m, ir_type_array(m, ir_type_struct(m, pt), 3), buf, sizeof buf);
    assert_string_equal(buf, "(uint256,int8)[3]");
    ir_type_abi_name(m, ir_type_list(m, ir_type_string(m, 32), 5), buf, sizeof buf);
    assert_string_equal(buf, "string[]");
    ir_type_abi_name(m, ir_type_bytes(m, 4), buf, sizeof buf);
    assert_string_equal(buf, "bytes4");
    IrField ef[3] = {{"from", ir_type_address(m), true}, {"to", ir_type_address(m), true}, {"value", u, false}};
    int ev = ir_add_event(m, "Transfer", ef, 3);
    assert_string_equal(m->events[ev].signature, "Transfer(address,address,uint256)");
    assert_int_equal(m->events[ev].topic0[0], 0xdd);
    assert_int_equal(m->events[ev].topic0[31], 0xef);
    IrField erf[1] = {{"need", u, false}};
    int er = ir_add_error(m, "Insufficient", erf, 1);
    assert_string_equal(m->errors[er].signature, "Insufficient(uint256)");
    IrParam ps[2] = {{"to", ir_type_address(m)}, {"amount", u}};
    IrFunc *f = ir_func_new(m, IR_FN, "transfer", ps, 2, ir_type_bool(m));
    ir_func_set_abi(f);
    assert_string_equal(f->signature, "transfer(address,uint256)");
    assert_int_equal(f->selector, 0xa9059cbb);
    assert_int_equal(ir_func_find(m, "transfer"), 0);
    int x = ir_add_iface(m, "IERC20");
    IrFunc *xf = ir_iface_add_fn(m, x, "balanceOf", ps, 1, u, IR_FN_VIEW);
    assert_int_equal(xf->selector, 0x70a08231);
    assert_int_equal(m->ifaces[x].nfns, 1);
    IrFunc *spec = ir_func_new(m, IR_FN_REQUIRES, "pre", ps, 2, ir_type_bool(m));
    assert_int_equal(m->nspecs, 1);
    assert_ptr_equal(m->specs[0], spec);
    /* many pushes: growth keeps earlier entries */
    for (int k = 0; k < 100; k++) ir_add_storage(m, "s", u, k % 2, (Span){0, 0, 0});
    assert_int_equal(m->nstorage, 100);
    assert_true(m->storage[99].ghost);
    assert_ptr_equal(m->storage[0].type, u);
    arena_free(&a);
}

static void test_builder_instrs(void **st) {
    (void)st;
    Arena a;
    arena_init(&a);
    IrModule *m = ir_module_new(&a, "T");
    IrType *u = ir_type_int(m, 256, false);
    IrParam ps[1] = {{"x", u}};
    IrFunc *f = ir_func_new(m, IR_FN, "f", ps, 1, u);
    IrBlock *b0 = ir_block_new(f), *b1 = ir_block_new(f), *b2 = ir_block_new(f);
    Span sp = {0, 0, 0};
    IrInstr *p = ir_instr_new(f, IR_PARAM, u, NULL, 0, sp);
    ir_block_append(b0, p);
    IrInstr *c = ir_const(f, b0, u, u256_from_u64(1), sp);
    IrInstr *lt = ir_binop(f, b0, IR_LT, p, c, sp);
    assert_ptr_equal(lt->type, ir_type_bool(m));
    ir_br(f, b0, lt, b1, b2, sp);
    IrInstr *s = ir_binop(f, b1, IR_ADD, p, c, sp);
    ir_check(f, b1, IR_CHECK_ADD, p, c, sp); /* appended after: moved below */
    ir_instr_remove(b1->last);
    IrInstr *chk = ir_instr_new(f, IR_CHECK_ADD, NULL, (IrInstr *[]){p, c}, 2, sp);
    ir_instr_insert_before(s, chk);
    assert_ptr_equal(b1->first, chk);
    ir_jmp(f, b1, b2, sp);
    IrInstr *phi = ir_phi(f, b2, u, sp);
    ir_phi_add(f, phi, p, b0);
    ir_phi_add(f, phi, s, b1);
    IrInstr *r = ir_instr_new(f, IR_RET, NULL, &phi, 1, sp);
    ir_block_append(b2, r);
    assert_ptr_equal(b2->first, phi);
    ir_cfg_compute(f);
    assert_int_equal(b2->npreds, 2);
    assert_int_equal(b0->npreds, 0);
    SrcSet srcs = {0};
    DiagSink d;
    diag_init(&d, &srcs);
    assert_true(ir_module_verify(m, &d));
    ir_replace_uses(f, s, p);
    assert_ptr_equal(phi->args[1], p);
    assert_int_equal(p->id, 0);
    assert_int_equal(s->id, 3);
    assert_int_equal(chk->id, -1);
    assert_true(ir_optimize(m, NULL, true, &d));
    assert_int_equal(d.errors, 0);
    /* the phi of two equal values went; the add is dead; the check stays */
    assert_int_equal(b2->first->op, IR_RET);
    assert_ptr_equal(b2->first->args[0], p);
    assert_int_equal(b1->first->op, IR_CHECK_ADD);
    assert_int_equal(b1->first->next->op, IR_JMP);
    diag_free(&d);
    arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_print),   cmocka_unit_test(test_add_sub_mul),
        cmocka_unit_test(test_div),           cmocka_unit_test(test_bits_shifts),
        cmocka_unit_test(test_trunc_fits),    cmocka_unit_test(test_keccak),
        cmocka_unit_test(test_builder_decls), cmocka_unit_test(test_builder_instrs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
