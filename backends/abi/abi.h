/* abi.h — the contract's Solidity face, shared by every backend so that all targets
 * answer identically: the storage layout as solc assigns it (declaration order from slot
 * 0, small value types packed low to high in a slot, structs and fixed arrays on whole
 * slots, maps/lists/strings one slot each), its storageLayout JSON (solc's shape), the
 * ABI JSON and methodIdentifiers (the shapes solc writes), and the JSON writer they use. */
#ifndef WRIT_BACKENDS_ABI_H
#define WRIT_BACKENDS_ABI_H

#include <stdbool.h>
#include <stdio.h>

#include "ir/ir.h"

/* ---------------- JSON writer: deterministic, escapes strings ---------------- */
typedef struct Json {
    FILE *out;
    int depth;
    bool first[64];     /* no comma needed yet at this depth */
    bool after_key;
    bool pretty;
} Json;
void json_init(Json *j, FILE *out, bool pretty);
void json_obj_open(Json *j);
void json_obj_close(Json *j);
void json_arr_open(Json *j);
void json_arr_close(Json *j);
void json_key(Json *j, const char *k);
void json_str(Json *j, const char *s);
void json_strn(Json *j, const char *s, size_t n);
void json_int(Json *j, long long v);
void json_bool(Json *j, bool v);
void json_raw(Json *j, const char *text);   /* an already-encoded JSON value */
/* Runs `fill` writing to a memory stream and returns the text copied into the arena. */
char *json_to_string(Arena *arena, bool pretty, void (*fill)(Json *, const void *), const void *ctx);

/* ---------------- storage layout (Solidity-compatible) ---------------- */
typedef struct AbiSlot {
    U256 slot;          /* the first slot of the variable (of the field: relative) */
    uint8_t offset;     /* byte offset inside the slot (packed small types) */
    uint32_t bytes;     /* storage size in bytes (of one slot-word for small types) */
} AbiSlot;

typedef struct AbiLayout {
    AbiSlot *vars;          /* one per IrModule.storage (ghosts: unused, no slot) */
    AbiSlot **fields;       /* per struct: field positions relative to the struct's slot */
    uint32_t *struct_slots; /* per struct: slots it occupies */
} AbiLayout;

void abi_layout_compute(const IrModule *m, Arena *arena, AbiLayout *l);
/* Bytes a value type takes in storage (packing unit); 32 for aggregates. */
uint32_t abi_storage_bytes(const IrType *t);
/* Slots a value of type t occupies in place, given the structs' sizes (AbiLayout.struct_slots). */
uint32_t abi_storage_slots(const IrModule *m, const uint32_t *struct_slots, const IrType *t);
/* Storage variable `var`'s first slot and the byte offset of a packed value type in it. */
void abi_storage_position(const IrModule *m, int var, U256 *slot, unsigned *offset);
char *abi_layout_json(const IrModule *m, const AbiLayout *l, Arena *arena);

/* ---------------- ABI ---------------- */
char *abi_json(const IrModule *m, Arena *arena);            /* functions, constructor, events, errors */
char *abi_method_ids_json(const IrModule *m, Arena *arena); /* {"transfer(address,uint256)": "a9059cbb"} */

#endif
