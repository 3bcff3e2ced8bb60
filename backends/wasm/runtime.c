/* runtime.c — the module skeleton every contract starts from, as wasm text: the vm_hooks
 * imports (Stylus hostio), memory with the read-only data, the result globals, and the
 * 256-bit helpers (four i64 limbs, least significant first) that code calls by name.
 * binaryen's optimiser drops the helpers and imports a contract does not use. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Helpers return their 256-bit result in the globals r0..r3 (and divmod's remainder in
 * m0..m3); flags come back as the i32 result. Scratch memory below WB_RODATA is theirs. */
static const char runtime_imports[] =
    "(module\n"
    " (import \"vm_hooks\" \"read_args\" (func $read_args (param i32)))\n"
    " (import \"vm_hooks\" \"write_result\" (func $write_result (param i32 i32)))\n"
    " (import \"vm_hooks\" \"storage_load_bytes32\" (func $storage_load_bytes32 (param i32 i32)))\n"
    " (import \"vm_hooks\" \"storage_cache_bytes32\" (func $storage_cache_bytes32 (param i32 i32)))\n"
    " (import \"vm_hooks\" \"storage_flush_cache\" (func $storage_flush_cache (param i32)))\n"
    " (import \"vm_hooks\" \"msg_sender\" (func $msg_sender (param i32)))\n"
    " (import \"vm_hooks\" \"msg_value\" (func $msg_value (param i32)))\n"
    " (import \"vm_hooks\" \"msg_reentrant\" (func $msg_reentrant (result i32)))\n"
    " (import \"vm_hooks\" \"block_number\" (func $block_number (result i64)))\n"
    " (import \"vm_hooks\" \"block_timestamp\" (func $block_timestamp (result i64)))\n"
    " (import \"vm_hooks\" \"chainid\" (func $chainid (result i64)))\n"
    " (import \"vm_hooks\" \"contract_address\" (func $contract_address (param i32)))\n"
    " (import \"vm_hooks\" \"tx_origin\" (func $tx_origin (param i32)))\n"
    " (import \"vm_hooks\" \"emit_log\" (func $emit_log (param i32 i32 i32)))\n"
    " (import \"vm_hooks\" \"native_keccak256\" (func $native_keccak256 (param i32 i32 i32)))\n"
    " (import \"vm_hooks\" \"account_balance\" (func $account_balance (param i32 i32)))\n"
    " (import \"vm_hooks\" \"call_contract\" (func $call_contract (param i32 i32 i32 i32 i64 i32) (result i32)))\n"
    " (import \"vm_hooks\" \"static_call_contract\" (func $static_call_contract (param i32 i32 i32 i64 i32) (result i32)))\n"
    " (import \"vm_hooks\" \"read_return_data\" (func $read_return_data (param i32 i32 i32) (result i32)))\n"
    " (import \"vm_hooks\" \"return_data_size\" (func $return_data_size (result i32)))\n"
    " (import \"vm_hooks\" \"pay_for_memory_grow\" (func $pay_for_memory_grow (param i32)))\n";

#define P8 "(param $a0 i64) (param $a1 i64) (param $a2 i64) (param $a3 i64) " \
           "(param $b0 i64) (param $b1 i64) (param $b2 i64) (param $b3 i64)"
#define P4 "(param $a0 i64) (param $a1 i64) (param $a2 i64) (param $a3 i64)"
#define SETR(a, b, c, d) \
    " (global.set $r0 " a ") (global.set $r1 " b ") (global.set $r2 " c ") (global.set $r3 " d ")\n"
#define RGET "(global.get $r0) (global.get $r1) (global.get $r2) (global.get $r3)"
#define AGET "(local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3)"
#define BGET "(local.get $b0) (local.get $b1) (local.get $b2) (local.get $b3)"

static const char runtime_funcs[] =
    " (global $r0 (mut i64) (i64.const 0)) (global $r1 (mut i64) (i64.const 0))\n"
    " (global $r2 (mut i64) (i64.const 0)) (global $r3 (mut i64) (i64.const 0))\n"
    " (global $m0 (mut i64) (i64.const 0)) (global $m1 (mut i64) (i64.const 0))\n"
    " (global $m2 (mut i64) (i64.const 0)) (global $m3 (mut i64) (i64.const 0))\n"
    " (global $mh (mut i64) (i64.const 0)) (global $rref (mut i32) (i32.const 0))\n"
    " (global $hp (mut i32) (i32.const 0))\n"
    /* bump allocation, 32-byte aligned, paying for growth; zeroed even when the host
     * reuses an instance (padding and fresh aggregates rely on it) */
    " (func $alloc (param $n i32) (result i32) (local $p i32) (local $end i32) (local $need i32) (local $q i32)\n"
    "  (local.set $p (global.get $hp))\n"
    "  (local.set $end (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 31)) (i32.const -32)))\n"
    "  (global.set $hp (local.get $end))\n"
    "  (local.set $need (i32.sub (i32.shr_u (i32.add (local.get $end) (i32.const 65535)) (i32.const 16)) (memory.size)))\n"
    "  (if (i32.gt_s (local.get $need) (i32.const 0)) (then\n"
    "   (call $pay_for_memory_grow (local.get $need))\n"
    "   (if (i32.eq (memory.grow (local.get $need)) (i32.const -1)) (then (unreachable)))))\n"
    "  (local.set $q (local.get $p))\n"
    "  (block $done (loop $z (br_if $done (i32.ge_u (local.get $q) (local.get $end)))\n"
    "   (i64.store (local.get $q) (i64.const 0)) (i64.store offset=8 (local.get $q) (i64.const 0))\n"
    "   (i64.store offset=16 (local.get $q) (i64.const 0)) (i64.store offset=24 (local.get $q) (i64.const 0))\n"
    "   (local.set $q (i32.add (local.get $q) (i32.const 32))) (br $z)))\n"
    "  (local.get $p))\n"
    /* byte copy, 8 bytes at a time while it can */
    " (func $memcpy (param $d i32) (param $s i32) (param $n i32)\n"
    "  (block $done (loop $l8 (br_if $done (i32.lt_u (local.get $n) (i32.const 8)))\n"
    "   (i64.store (local.get $d) (i64.load (local.get $s)))\n"
    "   (local.set $d (i32.add (local.get $d) (i32.const 8))) (local.set $s (i32.add (local.get $s) (i32.const 8)))\n"
    "   (local.set $n (i32.sub (local.get $n) (i32.const 8))) (br $l8)))\n"
    "  (block $end (loop $l1 (br_if $end (i32.eqz (local.get $n)))\n"
    "   (i32.store8 (local.get $d) (i32.load8_u (local.get $s)))\n"
    "   (local.set $d (i32.add (local.get $d) (i32.const 1))) (local.set $s (i32.add (local.get $s) (i32.const 1)))\n"
    "   (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $l1))))\n"
    " (func $bswap (param $x i64) (result i64)\n"
    "  (local.set $x (i64.or (i64.and (i64.shr_u (local.get $x) (i64.const 8)) (i64.const 0x00FF00FF00FF00FF))\n"
    "   (i64.shl (i64.and (local.get $x) (i64.const 0x00FF00FF00FF00FF)) (i64.const 8))))\n"
    "  (local.set $x (i64.or (i64.and (i64.shr_u (local.get $x) (i64.const 16)) (i64.const 0x0000FFFF0000FFFF))\n"
    "   (i64.shl (i64.and (local.get $x) (i64.const 0x0000FFFF0000FFFF)) (i64.const 16))))\n"
    "  (i64.rotl (local.get $x) (i64.const 32)))\n"
    /* 32 big-endian bytes <-> limbs */
    " (func $load_be (param $p i32)\n"
    SETR("(call $bswap (i64.load offset=24 (local.get $p)))", "(call $bswap (i64.load offset=16 (local.get $p)))",
         "(call $bswap (i64.load offset=8 (local.get $p)))", "(call $bswap (i64.load (local.get $p)))")
    " )\n"
    " (func $store_be (param $p i32) " P4 "\n"
    "  (i64.store (local.get $p) (call $bswap (local.get $a3)))\n"
    "  (i64.store offset=8 (local.get $p) (call $bswap (local.get $a2)))\n"
    "  (i64.store offset=16 (local.get $p) (call $bswap (local.get $a1)))\n"
    "  (i64.store offset=24 (local.get $p) (call $bswap (local.get $a0))))\n"
    /* memory images keep words as native limbs */
    " (func $load_le (param $p i32)\n"
    SETR("(i64.load (local.get $p))", "(i64.load offset=8 (local.get $p))",
         "(i64.load offset=16 (local.get $p))", "(i64.load offset=24 (local.get $p))")
    " )\n"
    " (func $store_le (param $p i32) " P4 "\n"
    "  (i64.store (local.get $p) (local.get $a0)) (i64.store offset=8 (local.get $p) (local.get $a1))\n"
    "  (i64.store offset=16 (local.get $p) (local.get $a2)) (i64.store offset=24 (local.get $p) (local.get $a3)))\n"
    " (func $keccak (param $p i32) (param $n i32)\n"
    "  (call $native_keccak256 (local.get $p) (local.get $n) (i32.const 448))\n"
    "  (call $load_be (i32.const 448)))\n"
    /* r = a + b; returns the carry out */
    " (func $add " P8 " (result i32) (local $s i64) (local $t i64) (local $c i64)\n"
    "  (local.set $s (i64.add (local.get $a0) (local.get $b0)))\n"
    "  (local.set $c (i64.extend_i32_u (i64.lt_u (local.get $s) (local.get $a0))))\n"
    "  (global.set $r0 (local.get $s))\n"
#define ADDLIMB(k) \
    "  (local.set $s (i64.add (local.get $a" k ") (local.get $b" k ")))\n" \
    "  (local.set $t (i64.add (local.get $s) (local.get $c)))\n" \
    "  (local.set $c (i64.extend_i32_u (i32.or (i64.lt_u (local.get $s) (local.get $a" k ")) (i64.lt_u (local.get $t) (local.get $s)))))\n" \
    "  (global.set $r" k " (local.get $t))\n"
    ADDLIMB("1") ADDLIMB("2") ADDLIMB("3")
    "  (i32.wrap_i64 (local.get $c)))\n"
    /* r = a - b; returns the borrow out */
    " (func $sub " P8 " (result i32) (local $d i64) (local $t i64) (local $c i64)\n"
    "  (local.set $c (i64.extend_i32_u (i64.lt_u (local.get $a0) (local.get $b0))))\n"
    "  (global.set $r0 (i64.sub (local.get $a0) (local.get $b0)))\n"
#define SUBLIMB(k) \
    "  (local.set $d (i64.sub (local.get $a" k ") (local.get $b" k ")))\n" \
    "  (local.set $t (i64.sub (local.get $d) (local.get $c)))\n" \
    "  (local.set $c (i64.extend_i32_u (i32.or (i64.lt_u (local.get $a" k ") (local.get $b" k ")) (i64.lt_u (local.get $d) (local.get $c)))))\n" \
    "  (global.set $r" k " (local.get $t))\n"
    SUBLIMB("1") SUBLIMB("2") SUBLIMB("3")
    "  (i32.wrap_i64 (local.get $c)))\n"
    " (func $neg " P4 "\n"
    "  (drop (call $sub (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) " AGET ")))\n"
    " (func $lt_u " P8 " (result i32)\n"
    "  (if (result i32) (i64.ne (local.get $a3) (local.get $b3)) (then (i64.lt_u (local.get $a3) (local.get $b3)))\n"
    "   (else (if (result i32) (i64.ne (local.get $a2) (local.get $b2)) (then (i64.lt_u (local.get $a2) (local.get $b2)))\n"
    "    (else (if (result i32) (i64.ne (local.get $a1) (local.get $b1)) (then (i64.lt_u (local.get $a1) (local.get $b1)))\n"
    "     (else (i64.lt_u (local.get $a0) (local.get $b0)))))))))\n"
    " (func $lt_s " P8 " (result i32)\n"
    "  (call $lt_u (local.get $a0) (local.get $a1) (local.get $a2) (i64.xor (local.get $a3) (i64.const 0x8000000000000000))\n"
    "   (local.get $b0) (local.get $b1) (local.get $b2) (i64.xor (local.get $b3) (i64.const 0x8000000000000000))))\n"
    /* 64x64 -> 128: returns the low half, the high half in mh */
    " (func $mul64 (param $a i64) (param $b i64) (result i64) (local $p0 i64) (local $p1 i64) (local $p2 i64) (local $mid i64)\n"
    "  (local.set $p0 (i64.mul (i64.and (local.get $a) (i64.const 0xffffffff)) (i64.and (local.get $b) (i64.const 0xffffffff))))\n"
    "  (local.set $p1 (i64.mul (i64.and (local.get $a) (i64.const 0xffffffff)) (i64.shr_u (local.get $b) (i64.const 32))))\n"
    "  (local.set $p2 (i64.mul (i64.shr_u (local.get $a) (i64.const 32)) (i64.and (local.get $b) (i64.const 0xffffffff))))\n"
    "  (local.set $mid (i64.add (i64.add (i64.shr_u (local.get $p0) (i64.const 32)) (i64.and (local.get $p1) (i64.const 0xffffffff)))\n"
    "   (i64.and (local.get $p2) (i64.const 0xffffffff))))\n"
    "  (global.set $mh (i64.add (i64.add (i64.mul (i64.shr_u (local.get $a) (i64.const 32)) (i64.shr_u (local.get $b) (i64.const 32)))\n"
    "   (i64.add (i64.shr_u (local.get $p1) (i64.const 32)) (i64.shr_u (local.get $p2) (i64.const 32)))) (i64.shr_u (local.get $mid) (i64.const 32))))\n"
    "  (i64.or (i64.and (local.get $p0) (i64.const 0xffffffff)) (i64.shl (local.get $mid) (i64.const 32))))\n"
    /* r = low 256 bits of a * b; returns 1 when the product needs more than 256 bits.
     * Operands at 128 and 160, the 512-bit accumulator at 192. */
    " (func $mul " P8 " (result i32) (local $i i32) (local $j i32) (local $c i64) (local $lo i64) (local $t i64) (local $t2 i64) (local $q i32)\n"
    "  (call $store_le (i32.const 128) " AGET ") (call $store_le (i32.const 160) " BGET ")\n"
    "  (call $store_le (i32.const 192) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))\n"
    "  (call $store_le (i32.const 224) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))\n"
    "  (local.set $i (i32.const 0))\n"
    "  (loop $li (local.set $c (i64.const 0)) (local.set $j (i32.const 0))\n"
    "   (loop $lj\n"
    "    (local.set $lo (call $mul64 (i64.load offset=128 (i32.shl (local.get $i) (i32.const 3)))\n"
    "                                (i64.load offset=160 (i32.shl (local.get $j) (i32.const 3)))))\n"
    "    (local.set $q (i32.shl (i32.add (local.get $i) (local.get $j)) (i32.const 3)))\n"
    "    (local.set $t (i64.add (i64.load offset=192 (local.get $q)) (local.get $lo)))\n"
    "    (local.set $t2 (i64.add (local.get $t) (local.get $c)))\n"
    "    (i64.store offset=192 (local.get $q) (local.get $t2))\n"
    "    (local.set $c (i64.add (global.get $mh) (i64.add (i64.extend_i32_u (i64.lt_u (local.get $t) (local.get $lo)))\n"
    "                                                      (i64.extend_i32_u (i64.lt_u (local.get $t2) (local.get $t))))))\n"
    "    (local.set $j (i32.add (local.get $j) (i32.const 1)))\n"
    "    (br_if $lj (i32.lt_u (local.get $j) (i32.const 4))))\n"
    "   (i64.store offset=224 (i32.shl (local.get $i) (i32.const 3)) (local.get $c))\n"
    "   (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "   (br_if $li (i32.lt_u (local.get $i) (i32.const 4))))\n"
    "  (call $load_le (i32.const 192))\n"
    "  (i64.ne (i64.or (i64.or (i64.load (i32.const 224)) (i64.load (i32.const 232)))\n"
    "                  (i64.or (i64.load (i32.const 240)) (i64.load (i32.const 248)))) (i64.const 0)))\n"
    /* r = a / b, m = a % b, unsigned; b == 0 gives 0 and 0 */
    " (func $udivmod " P8 " (local $i i32) (local $q0 i64) (local $q1 i64) (local $q2 i64) (local $q3 i64)\n"
    "  (local $x0 i64) (local $x1 i64) (local $x2 i64) (local $x3 i64) (local $top i64)\n"
    "  (if (i64.eqz (i64.or (i64.or (local.get $b0) (local.get $b1)) (i64.or (local.get $b2) (local.get $b3)))) (then\n"
    SETR("(i64.const 0)", "(i64.const 0)", "(i64.const 0)", "(i64.const 0)")
    "   (global.set $m0 (i64.const 0)) (global.set $m1 (i64.const 0)) (global.set $m2 (i64.const 0)) (global.set $m3 (i64.const 0))\n"
    "   (return)))\n"
    "  (if (i64.eqz (i64.or (i64.or (local.get $a1) (local.get $a2)) (i64.or (local.get $a3)\n"
    "       (i64.or (i64.or (local.get $b1) (local.get $b2)) (local.get $b3))))) (then\n"
    SETR("(i64.div_u (local.get $a0) (local.get $b0))", "(i64.const 0)", "(i64.const 0)", "(i64.const 0)")
    "   (global.set $m0 (i64.rem_u (local.get $a0) (local.get $b0))) (global.set $m1 (i64.const 0))\n"
    "   (global.set $m2 (i64.const 0)) (global.set $m3 (i64.const 0))\n"
    "   (return)))\n"
    /* a divisor below 2^32: schoolbook over 32-bit digits, eight i64 divisions */
    "  (if (i32.and (i64.eqz (i64.or (i64.or (local.get $b1) (local.get $b2)) (local.get $b3)))\n"
    "               (i64.lt_u (local.get $b0) (i64.const 0x100000000))) (then\n"
    "   (call $store_le (i32.const 320) " AGET ")\n"
    "   (local.set $i (i32.const 28))\n"
    "   (loop $d\n"
    "    (local.set $x1 (i64.or (i64.shl (local.get $x0) (i64.const 32)) (i64.load32_u offset=320 (local.get $i))))\n"
    "    (i32.store offset=384 (local.get $i) (i32.wrap_i64 (i64.div_u (local.get $x1) (local.get $b0))))\n"
    "    (local.set $x0 (i64.rem_u (local.get $x1) (local.get $b0)))\n"
    "    (local.set $i (i32.sub (local.get $i) (i32.const 4)))\n"
    "    (br_if $d (i32.ge_s (local.get $i) (i32.const 0))))\n"
    "   (call $load_le (i32.const 384))\n"
    "   (global.set $m0 (local.get $x0)) (global.set $m1 (i64.const 0)) (global.set $m2 (i64.const 0)) (global.set $m3 (i64.const 0))\n"
    "   (return)))\n"
    "  (local.set $q0 (local.get $a0)) (local.set $q1 (local.get $a1)) (local.set $q2 (local.get $a2)) (local.set $q3 (local.get $a3))\n"
    "  (local.set $i (i32.const 256))\n"
    "  (loop $l\n"
    "   (local.set $top (i64.shr_u (local.get $q3) (i64.const 63)))\n"
    "   (local.set $q3 (i64.or (i64.shl (local.get $q3) (i64.const 1)) (i64.shr_u (local.get $q2) (i64.const 63))))\n"
    "   (local.set $q2 (i64.or (i64.shl (local.get $q2) (i64.const 1)) (i64.shr_u (local.get $q1) (i64.const 63))))\n"
    "   (local.set $q1 (i64.or (i64.shl (local.get $q1) (i64.const 1)) (i64.shr_u (local.get $q0) (i64.const 63))))\n"
    "   (local.set $q0 (i64.shl (local.get $q0) (i64.const 1)))\n"
    "   (local.set $x3 (i64.or (i64.shl (local.get $x3) (i64.const 1)) (i64.shr_u (local.get $x2) (i64.const 63))))\n"
    "   (local.set $x2 (i64.or (i64.shl (local.get $x2) (i64.const 1)) (i64.shr_u (local.get $x1) (i64.const 63))))\n"
    "   (local.set $x1 (i64.or (i64.shl (local.get $x1) (i64.const 1)) (i64.shr_u (local.get $x0) (i64.const 63))))\n"
    "   (local.set $x0 (i64.or (i64.shl (local.get $x0) (i64.const 1)) (local.get $top)))\n"
    "   (if (i32.eqz (call $lt_u (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) " BGET ")) (then\n"
    "    (drop (call $sub (local.get $x0) (local.get $x1) (local.get $x2) (local.get $x3) " BGET "))\n"
    "    (local.set $x0 (global.get $r0)) (local.set $x1 (global.get $r1)) (local.set $x2 (global.get $r2)) (local.set $x3 (global.get $r3))\n"
    "    (local.set $q0 (i64.or (local.get $q0) (i64.const 1)))))\n"
    "   (local.set $i (i32.sub (local.get $i) (i32.const 1)))\n"
    "   (br_if $l (local.get $i)))\n"
    SETR("(local.get $q0)", "(local.get $q1)", "(local.get $q2)", "(local.get $q3)")
    "  (global.set $m0 (local.get $x0)) (global.set $m1 (local.get $x1)) (global.set $m2 (local.get $x2)) (global.set $m3 (local.get $x3)))\n"
    /* signed: quotient truncates toward zero, the remainder takes a's sign */
    " (func $sdivmod " P8 " (local $sa i32) (local $sb i32) (local $q0 i64) (local $q1 i64) (local $q2 i64) (local $q3 i64)\n"
    "  (local.set $sa (i64.lt_s (local.get $a3) (i64.const 0))) (local.set $sb (i64.lt_s (local.get $b3) (i64.const 0)))\n"
    "  (if (local.get $sa) (then (call $neg " AGET ")\n"
    "   (local.set $a0 (global.get $r0)) (local.set $a1 (global.get $r1)) (local.set $a2 (global.get $r2)) (local.set $a3 (global.get $r3))))\n"
    "  (if (local.get $sb) (then (call $neg " BGET ")\n"
    "   (local.set $b0 (global.get $r0)) (local.set $b1 (global.get $r1)) (local.set $b2 (global.get $r2)) (local.set $b3 (global.get $r3))))\n"
    "  (call $udivmod " AGET " " BGET ")\n"
    "  (local.set $q0 (global.get $r0)) (local.set $q1 (global.get $r1)) (local.set $q2 (global.get $r2)) (local.set $q3 (global.get $r3))\n"
    "  (if (local.get $sa) (then (call $neg (global.get $m0) (global.get $m1) (global.get $m2) (global.get $m3))\n"
    "   (global.set $m0 (global.get $r0)) (global.set $m1 (global.get $r1)) (global.set $m2 (global.get $r2)) (global.set $m3 (global.get $r3))))\n"
    "  (if (i32.xor (local.get $sa) (local.get $sb)) (then (call $neg (local.get $q0) (local.get $q1) (local.get $q2) (local.get $q3)))\n"
    "   (else\n"
    SETR("(local.get $q0)", "(local.get $q1)", "(local.get $q2)", "(local.get $q3)")
    "   )))\n"
    /* shifts by n in 0..256 (callers clamp): limbs through scratch at 320..383 */
    " (func $shl " P4 " (param $n i32) (local $ls i32) (local $bs i64) (local $k i32) (local $t i64) (local $u i64)\n"
    "  (if (i32.ge_u (local.get $n) (i32.const 256)) (then\n"
    SETR("(i64.const 0)", "(i64.const 0)", "(i64.const 0)", "(i64.const 0)")
    "   (return)))\n"
    "  (call $store_le (i32.const 320) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))\n"
    "  (call $store_le (i32.const 352) " AGET ")\n"
    "  (local.set $ls (i32.shl (i32.shr_u (local.get $n) (i32.const 6)) (i32.const 3)))\n"
    "  (local.set $bs (i64.extend_i32_u (i32.and (local.get $n) (i32.const 63))))\n"
    "  (local.set $k (i32.const 0))\n"
    "  (loop $l\n"
    "   (local.set $t (i64.load (i32.sub (i32.add (local.get $k) (i32.const 352)) (local.get $ls))))\n"
    "   (local.set $u (i64.load (i32.sub (i32.add (local.get $k) (i32.const 344)) (local.get $ls))))\n"
    "   (i64.store offset=384 (local.get $k) (i64.or (i64.shl (local.get $t) (local.get $bs))\n"
    "    (select (i64.const 0) (i64.shr_u (local.get $u) (i64.sub (i64.const 64) (local.get $bs))) (i64.eqz (local.get $bs)))))\n"
    "   (local.set $k (i32.add (local.get $k) (i32.const 8)))\n"
    "   (br_if $l (i32.lt_u (local.get $k) (i32.const 32))))\n"
    "  (call $load_le (i32.const 384)))\n"
    " (func $shr " P4 " (param $n i32) (param $arith i32) (local $ls i32) (local $bs i64) (local $k i32) (local $t i64) (local $u i64) (local $fill i64)\n"
    "  (local.set $fill (select (i64.shr_s (local.get $a3) (i64.const 63)) (i64.const 0) (local.get $arith)))\n"
    "  (if (i32.ge_u (local.get $n) (i32.const 256)) (then\n"
    SETR("(local.get $fill)", "(local.get $fill)", "(local.get $fill)", "(local.get $fill)")
    "   (return)))\n"
    "  (call $store_le (i32.const 320) " AGET ")\n"
    "  (call $store_le (i32.const 352) (local.get $fill) (local.get $fill) (local.get $fill) (local.get $fill))\n"
    "  (local.set $ls (i32.shl (i32.shr_u (local.get $n) (i32.const 6)) (i32.const 3)))\n"
    "  (local.set $bs (i64.extend_i32_u (i32.and (local.get $n) (i32.const 63))))\n"
    "  (local.set $k (i32.const 0))\n"
    "  (loop $l\n"
    "   (local.set $t (i64.load offset=320 (i32.add (local.get $k) (local.get $ls))))\n"
    "   (local.set $u (i64.load offset=328 (i32.add (local.get $k) (local.get $ls))))\n"
    "   (i64.store offset=384 (local.get $k) (i64.or (i64.shr_u (local.get $t) (local.get $bs))\n"
    "    (select (i64.const 0) (i64.shl (local.get $u) (i64.sub (i64.const 64) (local.get $bs))) (i64.eqz (local.get $bs)))))\n"
    "   (local.set $k (i32.add (local.get $k) (i32.const 8)))\n"
    "   (br_if $l (i32.lt_u (local.get $k) (i32.const 32))))\n"
    "  (call $load_le (i32.const 384)))\n"
    /* r = a truncated to `bits` and extended by `signed` (the canonical form of the type) */
    " (func $norm " P4 " (param $bits i32) (param $signed i32)\n"
    "  (if (i32.ge_u (local.get $bits) (i32.const 256)) (then\n"
    SETR("(local.get $a0)", "(local.get $a1)", "(local.get $a2)", "(local.get $a3)")
    "   (return)))\n"
    "  (call $shl " AGET " (i32.sub (i32.const 256) (local.get $bits)))\n"
    "  (call $shr " RGET " (i32.sub (i32.const 256) (local.get $bits)) (local.get $signed)))\n"
    " (func $fits " P4 " (param $bits i32) (param $signed i32) (result i32)\n"
    "  (call $norm " AGET " (local.get $bits) (local.get $signed))\n"
    "  (i32.and (i32.and (i64.eq (global.get $r0) (local.get $a0)) (i64.eq (global.get $r1) (local.get $a1)))\n"
    "           (i32.and (i64.eq (global.get $r2) (local.get $a2)) (i64.eq (global.get $r3) (local.get $a3)))))\n"
    /* storage words through the cache */
    " (func $sload " P4 "\n"
    "  (call $store_be (i32.const 256) " AGET ")\n"
    "  (call $storage_load_bytes32 (i32.const 256) (i32.const 64))\n"
    "  (call $load_be (i32.const 64)))\n"
    " (func $sstore " P8 "\n"
    "  (call $store_be (i32.const 256) " AGET ")\n"
    "  (call $store_be (i32.const 64) " BGET ")\n"
    "  (call $storage_cache_bytes32 (i32.const 256) (i32.const 64)))\n"
    /* keccak256(key word . slot): the slot of a map entry */
    " (func $map_slot " P8 "\n"
    "  (call $store_be (i32.const 0) " AGET ")\n"
    "  (call $store_be (i32.const 32) " BGET ")\n"
    "  (call $keccak (i32.const 0) (i32.const 64)))\n"
    " (func $hash_slot " P4 "\n"
    "  (call $store_be (i32.const 0) " AGET ")\n"
    "  (call $keccak (i32.const 0) (i32.const 32)))\n"
    /* the `size` bytes at byte offset `off` of the word at slot a, as an unsigned number */
    " (func $sload_part " P4 " (param $off i32) (param $size i32)\n"
    "  (call $sload " AGET ")\n"
    "  (call $shr " RGET " (i32.shl (local.get $off) (i32.const 3)) (i32.const 0))\n"
    "  (call $norm " RGET " (i32.shl (local.get $size) (i32.const 3)) (i32.const 0)))\n"
    " (func $sstore_part " P8 " (param $off i32) (param $size i32)\n"
    "  (local $o0 i64) (local $o1 i64) (local $o2 i64) (local $o3 i64) (local $sh i32)\n"
    "  (local.set $sh (i32.shl (local.get $off) (i32.const 3)))\n"
    "  (call $sload " AGET ")\n"
    "  (local.set $o0 (global.get $r0)) (local.set $o1 (global.get $r1)) (local.set $o2 (global.get $r2)) (local.set $o3 (global.get $r3))\n"
    "  (call $shr (i64.const -1) (i64.const -1) (i64.const -1) (i64.const -1) (i32.sub (i32.const 256) (i32.shl (local.get $size) (i32.const 3))) (i32.const 0))\n"
    "  (call $shl " RGET " (local.get $sh))\n"
    "  (local.set $o0 (i64.and (local.get $o0) (i64.xor (global.get $r0) (i64.const -1))))\n"
    "  (local.set $o1 (i64.and (local.get $o1) (i64.xor (global.get $r1) (i64.const -1))))\n"
    "  (local.set $o2 (i64.and (local.get $o2) (i64.xor (global.get $r2) (i64.const -1))))\n"
    "  (local.set $o3 (i64.and (local.get $o3) (i64.xor (global.get $r3) (i64.const -1))))\n"
    "  (call $norm " BGET " (i32.shl (local.get $size) (i32.const 3)) (i32.const 0))\n"
    "  (call $shl " RGET " (local.get $sh))\n"
    "  (call $sstore " AGET " (i64.or (local.get $o0) (global.get $r0)) (i64.or (local.get $o1) (global.get $r1))\n"
    "   (i64.or (local.get $o2) (global.get $r2)) (i64.or (local.get $o3) (global.get $r3))))\n"
    /* strings in storage as solc keeps them: short (< 32 bytes) in the slot with 2*len in
     * the low byte, long as 2*len+1 with the data from keccak256(slot) */
    " (func $sload_string " P4 " (param $p i32) (local $len i32) (local $i i32)\n"
    "  (local $b0 i64) (local $b1 i64) (local $b2 i64) (local $b3 i64)\n"
    "  (call $sload " AGET ")\n"
    "  (if (i64.eqz (i64.and (global.get $r0) (i64.const 1))) (then\n"
    "    (local.set $len (i32.wrap_i64 (i64.shr_u (i64.and (global.get $r0) (i64.const 0xff)) (i64.const 1))))\n"
    "    (call $store_be (i32.add (local.get $p) (i32.const 32)) " RGET ")\n"
    "    (i32.store8 offset=63 (local.get $p) (i32.const 0)))\n"
    "   (else\n"
    "    (local.set $len (i32.wrap_i64 (i64.shr_u (global.get $r0) (i64.const 1))))\n"
    "    (call $hash_slot " AGET ")\n"
    "    (local.set $b0 (global.get $r0)) (local.set $b1 (global.get $r1)) (local.set $b2 (global.get $r2)) (local.set $b3 (global.get $r3))\n"
    "    (block $done (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $len)))\n"
    "     (call $sload " BGET ")\n"
    "     (call $store_be (i32.add (i32.add (local.get $p) (i32.const 32)) (local.get $i)) " RGET ")\n"
    "     (drop (call $add " BGET " (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0)))\n"
    "     (local.set $b0 (global.get $r0)) (local.set $b1 (global.get $r1)) (local.set $b2 (global.get $r2)) (local.set $b3 (global.get $r3))\n"
    "     (local.set $i (i32.add (local.get $i) (i32.const 32))) (br $l)))))\n"
    "  (i64.store (local.get $p) (i64.extend_i32_u (local.get $len))))\n"
    " (func $sstore_string " P4 " (param $p i32) (local $len i32) (local $i i32) (local $old i32)\n"
    "  (local $b0 i64) (local $b1 i64) (local $b2 i64) (local $b3 i64)\n"
    "  (local.set $len (i32.load (local.get $p)))\n"
    /* as solc does: zero the words of an old long string the new one does not cover */
    "  (call $sload " AGET ")\n"
    "  (if (i32.wrap_i64 (i64.and (global.get $r0) (i64.const 1))) (then\n"
    "    (local.set $old (i32.wrap_i64 (i64.shr_u (global.get $r0) (i64.const 1))))\n"
    "    (call $hash_slot " AGET ")\n"
    "    (local.set $b0 (global.get $r0)) (local.set $b1 (global.get $r1)) (local.set $b2 (global.get $r2)) (local.set $b3 (global.get $r3))\n"
    "    (if (i32.ge_u (local.get $len) (i32.const 32)) (then (local.set $i (i32.and (i32.add (local.get $len) (i32.const 31)) (i32.const -32)))))\n"
    "    (drop (call $add " BGET " (i64.extend_i32_u (i32.shr_u (local.get $i) (i32.const 5))) (i64.const 0) (i64.const 0) (i64.const 0)))\n"
    "    (local.set $b0 (global.get $r0)) (local.set $b1 (global.get $r1)) (local.set $b2 (global.get $r2)) (local.set $b3 (global.get $r3))\n"
    "    (block $cd (loop $cl (br_if $cd (i32.ge_u (local.get $i) (local.get $old)))\n"
    "     (call $sstore " BGET " (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))\n"
    "     (drop (call $add " BGET " (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0)))\n"
    "     (local.set $b0 (global.get $r0)) (local.set $b1 (global.get $r1)) (local.set $b2 (global.get $r2)) (local.set $b3 (global.get $r3))\n"
    "     (local.set $i (i32.add (local.get $i) (i32.const 32))) (br $cl)))\n"
    "    (local.set $i (i32.const 0))))\n"
    "  (if (i32.lt_u (local.get $len) (i32.const 32)) (then\n"
    "    (call $load_be (i32.add (local.get $p) (i32.const 32)))\n"
    "    (call $sstore " AGET " (i64.or (i64.and (global.get $r0) (i64.const -256)) (i64.extend_i32_u (i32.shl (local.get $len) (i32.const 1))))\n"
    "     (global.get $r1) (global.get $r2) (global.get $r3)))\n"
    "   (else\n"
    "    (call $sstore " AGET " (i64.extend_i32_u (i32.add (i32.shl (local.get $len) (i32.const 1)) (i32.const 1))) (i64.const 0) (i64.const 0) (i64.const 0))\n"
    "    (call $hash_slot " AGET ")\n"
    "    (local.set $b0 (global.get $r0)) (local.set $b1 (global.get $r1)) (local.set $b2 (global.get $r2)) (local.set $b3 (global.get $r3))\n"
    "    (block $done (loop $l (br_if $done (i32.ge_u (local.get $i) (local.get $len)))\n"
    "     (call $load_be (i32.add (i32.add (local.get $p) (i32.const 32)) (local.get $i)))\n"
    "     (call $sstore " BGET " " RGET ")\n"
    "     (drop (call $add " BGET " (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0)))\n"
    "     (local.set $b0 (global.get $r0)) (local.set $b1 (global.get $r1)) (local.set $b2 (global.get $r2)) (local.set $b3 (global.get $r3))\n"
    "     (local.set $i (i32.add (local.get $i) (i32.const 32))) (br $l))))))\n"
    /* revert data: Panic(uint256 code) */
    " (func $panic (param $code i32) (local $p i32)\n"
    "  (local.set $p (call $alloc (i32.const 36)))\n"
    "  (i32.store (local.get $p) (i32.const 0x717b484e))\n"
    "  (i32.store8 offset=35 (local.get $p) (local.get $code))\n"
    "  (call $write_result (local.get $p) (i32.const 36)))\n"
    /* an external call failed: its revert data becomes ours */
    " (func $bubble (local $n i32) (local $p i32)\n"
    "  (local.set $n (call $return_data_size))\n"
    "  (local.set $p (call $alloc (local.get $n)))\n"
    "  (drop (call $read_return_data (local.get $p) (i32.const 0) (local.get $n)))\n"
    "  (call $write_result (local.get $p) (local.get $n)))\n";

char *wb_runtime_text(Arena *a, const uint8_t *rodata, uint32_t nrodata) {
    size_t cap = sizeof runtime_imports + sizeof runtime_funcs + 4 * (size_t)nrodata + 256;
    char *s = arena_alloc(a, cap);
    size_t n = 0;
    memcpy(s, runtime_imports, sizeof runtime_imports - 1);
    n += sizeof runtime_imports - 1;
    n += (size_t)snprintf(s + n, cap - n, " (memory $mem 1)\n (export \"memory\" (memory $mem))\n");
    if (nrodata) {
        n += (size_t)snprintf(s + n, cap - n, " (data (i32.const %u) \"", WB_RODATA);
        for (uint32_t i = 0; i < nrodata; i++)
            n += (size_t)snprintf(s + n, cap - n, "\\%02x", rodata[i]);
        n += (size_t)snprintf(s + n, cap - n, "\")\n");
    }
    memcpy(s + n, runtime_funcs, sizeof runtime_funcs - 1);
    n += sizeof runtime_funcs - 1;
    n += (size_t)snprintf(s + n, cap - n, ")\n");
    return s;
}
