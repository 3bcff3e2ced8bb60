/* test_asm.c — unit tests of the EVM opcode table and assembler: push widths, label
 * resolution through the push-width fixed point, data sections, listing, disassembly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backends/evm/internal.h"

static void table_is_consistent(void **state) {
    (void)state;
    bool seen[256] = {0};
    for (int i = 0; i < EVM_OP_COUNT; i++) {
        assert_false(seen[evm_op_info[i].byte]);
        seen[evm_op_info[i].byte] = true;
        assert_int_equal(evm_op_of_byte(evm_op_info[i].byte), i);
    }
    assert_int_equal(evm_op_info[EVM_PUSH32].byte, 0x7f);
    assert_int_equal(evm_op_info[EVM_PUSH32].imm, 32);
    assert_int_equal(evm_op_info[EVM_SWAP16].byte, 0x9f);
    assert_int_equal(evm_op_info[EVM_TSTORE].byte, 0x5d);
    assert_int_equal(evm_op_info[EVM_MCOPY].byte, 0x5e);
    assert_int_equal(evm_op_info[EVM_LOG4].in, 6);
    assert_int_equal(evm_op_info[EVM_CALL].in, 7);
    assert_int_equal(evm_op_of_byte(0x0c), -1);
    assert_int_equal(evm_op_of_byte(0xef), -1);
}

static void push_widths(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar);
    EvmAsm a;
    evm_asm_init(&a, &ar);
    evm_asm_push_u64(&a, 0);
    evm_asm_push_u64(&a, 0x80);
    evm_asm_push_u64(&a, 0x1234);
    U256 big = u256_or(u256_shl(u256_from_u64(1), 255), u256_from_u64(1));
    evm_asm_push(&a, big);
    evm_asm_push(&a, u256_not(u256_from_u64(0)));   /* PUSH0 NOT */
    evm_asm_push(&a, evm_low_mask(160));            /* PUSH0 NOT PUSH1 0x60 SHR */
    evm_asm_push(&a, u256_not(u256_from_u64(0x1f)));/* PUSH1 0x1f NOT */
    uint8_t *code;
    size_t n;
    const char *err;
    assert_true(evm_asm_assemble(&a, &code, &n, &err));
    assert_int_equal(n, 1 + 2 + 3 + 33 + 2 + 5 + 3);
    assert_int_equal(code[0], 0x5f);
    assert_int_equal(code[1], 0x60);
    assert_int_equal(code[2], 0x80);
    assert_int_equal(code[3], 0x61);
    assert_int_equal(code[4], 0x12);
    assert_int_equal(code[5], 0x34);
    assert_int_equal(code[6], 0x7f);
    assert_int_equal(code[7], 0x80);
    for (int i = 8; i < 38; i++)
        assert_int_equal(code[i], 0x00);
    assert_int_equal(code[38], 0x01);
    static const uint8_t tail[] = {0x5f, 0x19, 0x5f, 0x19, 0x60, 0x60, 0x1c, 0x60, 0x1f, 0x19};
    for (int i = 0; i < (int)sizeof tail; i++)
        assert_int_equal(code[39 + i], tail[i]);
    arena_free(&ar);
}

/* A forward jump over more than 255 bytes must grow its push to two bytes, which moves
 * the target again: the fixed point settles both. */
static void labels_fixed_point(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar);
    EvmAsm a;
    evm_asm_init(&a, &ar);
    int back = evm_asm_new_label(&a, "back");
    int fwd = evm_asm_new_label(&a, "fwd");
    int end = evm_asm_new_label(&a, "end");
    evm_asm_label(&a, back);
    evm_asm_jump(&a, fwd);
    static uint8_t filler[300];
    evm_asm_data(&a, filler, sizeof filler);
    evm_asm_label(&a, fwd);
    evm_asm_jump(&a, back);
    evm_asm_mark(&a, end);
    uint8_t *code;
    size_t n;
    const char *err;
    assert_true(evm_asm_assemble(&a, &code, &n, &err));
    /* JUMPDEST, PUSH2 fwd, JUMP, 300 bytes, JUMPDEST, PUSH1 0, JUMP */
    assert_int_equal(n, 1 + 3 + 1 + 300 + 1 + 2 + 1);
    uint32_t f = evm_asm_label_offset(&a, fwd);
    assert_int_equal(f, 305);
    assert_int_equal(code[1], 0x61);
    assert_int_equal(code[2], f >> 8);
    assert_int_equal(code[3], f & 0xff);
    assert_int_equal(code[f], 0x5b);
    assert_int_equal(code[f + 1], 0x60);
    assert_int_equal(code[f + 2], 0x00);
    assert_int_equal(evm_asm_label_offset(&a, end), n);
    arena_free(&ar);
}

static void undefined_label_fails(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar);
    EvmAsm a;
    evm_asm_init(&a, &ar);
    int l = evm_asm_new_label(&a, "nowhere");
    evm_asm_jump(&a, l);
    uint8_t *code;
    size_t n;
    const char *err = NULL;
    assert_false(evm_asm_assemble(&a, &code, &n, &err));
    assert_string_equal(err, "nowhere");
    arena_free(&ar);
}

static void listing_and_disasm(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar);
    EvmAsm a;
    evm_asm_init(&a, &ar);
    int l = evm_asm_new_label(&a, "top");
    evm_asm_label(&a, l);
    evm_asm_push_u64(&a, 42);
    evm_asm_comment(&a, "the answer");
    evm_asm_op(&a, EVM_POP);
    evm_asm_jump(&a, l);
    uint8_t *code;
    size_t n;
    const char *err;
    assert_true(evm_asm_assemble(&a, &code, &n, &err));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    evm_asm_listing(&a, NULL, f);
    fclose(f);
    assert_non_null(strstr(buf, "top:"));
    assert_non_null(strstr(buf, "PUSH1 0x2a  ; the answer"));
    assert_non_null(strstr(buf, "PUSH1 0x0  top"));
    free(buf);
    f = open_memstream(&buf, &len);
    evm_disasm(code, n, f);
    fclose(f);
    assert_string_equal(buf, "0000  JUMPDEST\n0001  PUSH1 0x2a\n0003  POP\n0004  PUSH1 0x00\n"
                             "0006  JUMP\n");
    free(buf);
    char *map = evm_asm_srcmap(&a, &ar);
    assert_string_equal(map, "-1:-1:-1:-;;;;");
    arena_free(&ar);
}

static void json_escapes(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    Json j;
    json_init(&j, f, false);
    json_obj_open(&j);
    json_key(&j, "a\"b");
    json_str(&j, "line\n\ttab\\ \x01");
    json_key(&j, "list");
    json_arr_open(&j);
    json_int(&j, -3);
    json_bool(&j, true);
    json_arr_open(&j);
    json_arr_close(&j);
    json_arr_close(&j);
    json_obj_close(&j);
    fclose(f);
    assert_string_equal(buf, "{\"a\\\"b\":\"line\\n\\ttab\\\\ \\u0001\",\"list\":[-3,true,[]]}");
    free(buf);
}

static size_t assemble(EvmAsm *a, uint8_t **code) {
    size_t n;
    const char *err;
    assert_true(evm_asm_assemble(a, code, &n, &err));
    return n;
}

/* The peephole rules, unreachable code, shared reverting tails and scratch rewrites. */
static void peephole(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar);
    EvmAsm a;
    evm_asm_init(&a, &ar);
    int ok = evm_asm_new_label(&a, "ok"), next = evm_asm_new_label(&a, "next");
    /* a word stored and read back: DUP1 PUSH1 0xa0 MSTORE */
    evm_asm_op(&a, EVM_CALLER);
    evm_asm_push_u64(&a, 0xa0), evm_asm_op(&a, EVM_MSTORE);
    evm_asm_push_u64(&a, 0xa0), evm_asm_op(&a, EVM_MLOAD);
    /* if !c goto next; goto ok; next:  =>  if c goto ok; next: (no JUMPDEST: fallen into) */
    evm_asm_op(&a, EVM_ISZERO), evm_asm_jumpi(&a, next), evm_asm_jump(&a, ok);
    evm_asm_label(&a, next);
    /* two identical reverting tails: the second jumps into the first */
    for (int k = 0; k < 2; k++) {
        int skip = evm_asm_new_label(&a, NULL);
        evm_asm_op(&a, EVM_CALLVALUE), evm_asm_jumpi(&a, skip);
        evm_asm_push_u64(&a, 0xd92e233d), evm_asm_push_u64(&a, 0), evm_asm_op(&a, EVM_MSTORE);
        evm_asm_push_u64(&a, 4), evm_asm_push_u64(&a, 0x1c), evm_asm_op(&a, EVM_REVERT);
        evm_asm_op(&a, EVM_STOP);   /* unreachable */
        evm_asm_label(&a, skip);
    }
    evm_asm_label(&a, ok);
    /* the slot stored at 0x20 again, with the word unchanged: dropped */
    for (int k = 0; k < 2; k++) {
        evm_asm_op(&a, EVM_CALLER), evm_asm_push_u64(&a, 0), evm_asm_op(&a, EVM_MSTORE);
        evm_asm_push_u64(&a, 4), evm_asm_push_u64(&a, 0x20), evm_asm_op(&a, EVM_MSTORE);
        evm_asm_push_u64(&a, 0x40), evm_asm_push_u64(&a, 0), evm_asm_op(&a, EVM_KECCAK256);
        evm_asm_op(&a, EVM_SLOAD), evm_asm_op(&a, EVM_POP);
    }
    evm_asm_op(&a, EVM_STOP);
    evm_asm_optimize(&a);
    uint8_t *code;
    size_t n = assemble(&a, &code);
    static const uint8_t want[] = {
        0x33, 0x80, 0x60, 0xa0, 0x52,                    /* CALLER DUP1 PUSH1 a0 MSTORE */
        0x60, 0x21, 0x57,                                /* PUSH1 ok JUMPI */
        0x34, 0x60, 0x19, 0x57,                          /* CALLVALUE PUSH1 skip JUMPI */
        0x5b, 0x63, 0xd9, 0x2e, 0x23, 0x3d, 0x5f, 0x52,  /* tail: JUMPDEST PUSH4 sel PUSH0 MSTORE */
        0x60, 0x04, 0x60, 0x1c, 0xfd,                    /* PUSH1 4 PUSH1 1c REVERT */
        0x5b, 0x34, 0x60, 0x21, 0x57,                    /* skip: CALLVALUE PUSH1 ok JUMPI */
        0x60, 0x0c, 0x56,                                /* PUSH1 tail JUMP */
        0x5b,                                            /* skip2 = ok: one JUMPDEST */
        0x33, 0x5f, 0x52, 0x60, 0x04, 0x60, 0x20, 0x52,  /* CALLER PUSH0 MSTORE PUSH1 4 PUSH1 20 MSTORE */
        0x60, 0x40, 0x5f, 0x20, 0x54, 0x50,              /* PUSH1 40 PUSH0 KECCAK256 SLOAD POP */
        0x33, 0x5f, 0x52,                                /* CALLER PUSH0 MSTORE (the slot kept) */
        0x60, 0x40, 0x5f, 0x20, 0x54, 0x50, 0x00,
    };
    if (n != sizeof want || memcmp(code, want, n)) {
        evm_disasm(code, n, stdout);
        fail_msg("peephole output differs (%zu bytes, want %zu)", n, sizeof want);
    }
    arena_free(&ar);
}

/* A require's failing code moves to the end; code that ran off the end still stops. */
static void cold_blocks(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar);
    EvmAsm a;
    evm_asm_init(&a, &ar);
    int ok = evm_asm_new_label(&a, "ok");
    evm_asm_op(&a, EVM_CALLER), evm_asm_op(&a, EVM_ISZERO), evm_asm_jumpi(&a, ok);
    evm_asm_push_u64(&a, 0), evm_asm_op(&a, EVM_DUP1), evm_asm_op(&a, EVM_REVERT);
    evm_asm_label(&a, ok);
    evm_asm_op(&a, EVM_CALLER), evm_asm_op(&a, EVM_SLOAD);
    evm_asm_optimize(&a);
    uint8_t *code;
    size_t n = assemble(&a, &code);
    static const uint8_t want[] = {
        0x33, 0x60, 0x07, 0x57,   /* CALLER PUSH1 fail JUMPI */
        0x33, 0x54, 0x00,         /* ok (fallen into): CALLER SLOAD, then STOP as before */
        0x5b, 0x5f, 0x80, 0xfd,   /* fail: JUMPDEST PUSH0 DUP1 REVERT */
    };
    if (n != sizeof want || memcmp(code, want, n)) {
        evm_disasm(code, n, stdout);
        fail_msg("cold block output differs (%zu bytes, want %zu)", n, sizeof want);
    }
    arena_free(&ar);
}

/* Depth tracking: what a stack parameter's DUPn relies on. */
static void stack_depth(void **state) {
    (void)state;
    Arena ar;
    arena_init(&ar);
    EvmAsm a;
    evm_asm_init(&a, &ar);
    int fwd = evm_asm_new_label(&a, NULL), ret = evm_asm_new_label(&a, NULL);
    int loop = evm_asm_new_label(&a, NULL), any = evm_asm_new_label(&a, NULL);
    int mix = evm_asm_new_label(&a, NULL);
    assert_int_equal(a.depth, 0);
    evm_asm_push_u64(&a, 1), evm_asm_push_u64(&a, 2);      /* 2 */
    evm_asm_op(&a, EVM_DUP2);                               /* 3 */
    evm_asm_jumpi(&a, fwd);                                 /* 2 there and here */
    assert_int_equal(a.depth, 2);
    evm_asm_op(&a, EVM_STOP);
    assert_true(a.depth < 0);                               /* unknown after an exit */
    evm_asm_label(&a, fwd);
    assert_int_equal(a.depth, 2);                           /* from the jump */
    evm_asm_push_label(&a, ret), evm_asm_jump(&a, any);     /* a call: return address pushed */
    evm_asm_label(&a, ret);
    assert_true(a.depth < 0);                               /* a return address: any depth */
    evm_asm_label_any_depth(&a, any);
    assert_true(a.depth < 0);
    evm_asm_op(&a, EVM_STOP);
    /* ways in that disagree: unknown */
    evm_asm_label(&a, loop);
    assert_true(a.depth < 0);
    evm_asm_op(&a, EVM_STOP);
    EvmAsm b;
    evm_asm_init(&b, &ar);
    mix = evm_asm_new_label(&b, NULL);
    evm_asm_push_u64(&b, 0), evm_asm_push_u64(&b, 1);
    evm_asm_jumpi(&b, mix);                                  /* 0 there */
    evm_asm_push_u64(&b, 5);                                 /* 1, falls in */
    evm_asm_label(&b, mix);
    assert_true(b.depth < 0);
    assert_false(b.depth_broken);
    /* a jump back with another depth than the label's breaks the assumption */
    EvmAsm c;
    evm_asm_init(&c, &ar);
    loop = evm_asm_new_label(&c, NULL);
    evm_asm_label(&c, loop);                                 /* 0 */
    evm_asm_push_u64(&c, 7);
    evm_asm_jump(&c, loop);                                  /* 1 */
    assert_true(c.depth_broken);
    EvmAsm d;
    evm_asm_init(&d, &ar);
    loop = evm_asm_new_label(&d, NULL);
    evm_asm_label_any_depth(&d, loop);
    evm_asm_push_u64(&d, 7);
    evm_asm_jump(&d, loop);
    assert_false(d.depth_broken);                            /* any depth is fine there */
    arena_free(&ar);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_consistent), cmocka_unit_test(push_widths),
        cmocka_unit_test(stack_depth),
        cmocka_unit_test(labels_fixed_point),  cmocka_unit_test(undefined_label_fails),
        cmocka_unit_test(listing_and_disasm),  cmocka_unit_test(json_escapes),
        cmocka_unit_test(peephole),            cmocka_unit_test(cold_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
