/* asm.c — the EVM assembler: the opcode table generated from opcodes.def, an instruction
 * buffer with symbolic labels, push-width selection by fixed point, data sections, the
 * listing printer (with source lines), solc-style source maps and a disassembler. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const EvmOpInfo evm_op_info[EVM_OP_COUNT] = {
#define X(e, name, byte, in, out, gas, imm, doc) {name, byte, in, out, gas, imm},
#include "opcodes.def"
#undef X
};

_Static_assert(EVM_OP_COUNT == 149, "Prague (= Cancun) defines 149 opcodes");
_Static_assert(EVM_PUSH32 - EVM_PUSH1 == 31 && EVM_DUP16 - EVM_DUP1 == 15 &&
                   EVM_SWAP16 - EVM_SWAP1 == 15 && EVM_LOG4 - EVM_LOG0 == 4,
               "PUSH/DUP/SWAP/LOG rows are contiguous");

static short byte_to_op[256];
static bool byte_table_ready;

int evm_op_of_byte(uint8_t b) {
    if (!byte_table_ready) {
        for (int i = 0; i < 256; i++)
            byte_to_op[i] = -1;
        for (int i = 0; i < EVM_OP_COUNT; i++)
            byte_to_op[evm_op_info[i].byte] = (short)i;
        byte_table_ready = true;
    }
    return byte_to_op[b];
}

/* ---------------- buffer ---------------- */
void evm_asm_init(EvmAsm *a, Arena *arena) {
    memset(a, 0, sizeof *a);
    a->arena = arena;
}

static bool known(int d) {
    return d > EVM_DEPTH_UNKNOWN / 2;
}

/* The depth a label receives from one more way in. */
static void meet(int *label_depth, int d) {
    if (*label_depth == EVM_DEPTH_UNSET)
        *label_depth = d;
    else if (*label_depth != d || !known(d))
        *label_depth = EVM_DEPTH_UNKNOWN;
}

static bool is_exit(EvmOp op) {
    return op == EVM_JUMP || op == EVM_STOP || op == EVM_RETURN || op == EVM_REVERT ||
           op == EVM_INVALID || op == EVM_SELFDESTRUCT;
}

/* Tracks the depth over the item just added (the last one). */
static void track_depth(EvmAsm *a) {
    EvmItem *it = &a->items[a->n - 1];
    const EvmItem *prev = a->n > 1 ? &a->items[a->n - 2] : NULL;
    bool jump = it->kind == EI_OP && (it->op == EVM_JUMP || it->op == EVM_JUMPI);
    if (prev && prev->kind == EI_PUSHLABEL && prev->label >= 0) {
        int l = prev->label;
        if (!jump) {
            a->label_depth[l] = EVM_DEPTH_UNKNOWN;   /* a return address: any depth */
        } else {
            /* the depth after the jump: dest (and JUMPI's condition) popped */
            int d = known(a->depth) ? a->depth - (it->op == EVM_JUMPI ? 2 : 1) : EVM_DEPTH_UNKNOWN;
            if (a->label_depth[l] == EVM_DEPTH_ANY) {
                /* any depth is fine there */
            } else if (a->label_item[l] >= 0) {
                /* back to a placed label: must agree with what the code there assumed */
                if (known(a->label_depth[l]) && a->label_depth[l] != d)
                    a->depth_broken = true;
            } else {
                meet(&a->label_depth[l], d);
            }
        }
    }
    switch ((EvmItemKind)it->kind) {
    case EI_OP: {
        const EvmOpInfo *o = &evm_op_info[it->op];
        if (is_exit((EvmOp)it->op))
            a->depth = EVM_DEPTH_UNKNOWN;
        else if (known(a->depth))
            a->depth += (int)o->out - (int)o->in;
        break;
    }
    case EI_PUSH:
    case EI_PUSHLABEL:
        if (known(a->depth))
            a->depth++;
        break;
    case EI_LABEL: {
        /* the fall-through (if the code before does not exit) meets the jumps seen */
        int *ld = &a->label_depth[it->label];
        if (*ld == EVM_DEPTH_ANY) {
            a->depth = EVM_DEPTH_UNKNOWN;
            break;
        }
        bool falls = prev && !(prev->kind == EI_OP && is_exit((EvmOp)prev->op)) && prev->kind != EI_DATA;
        if (!prev)
            meet(ld, a->depth);
        else if (falls)
            meet(ld, a->depth);
        a->depth = *ld == EVM_DEPTH_UNSET ? EVM_DEPTH_UNKNOWN : *ld;
        if (*ld == EVM_DEPTH_UNSET)
            *ld = EVM_DEPTH_UNKNOWN;
        break;
    }
    case EI_MARK:
        break;
    case EI_DATA:
        a->depth = EVM_DEPTH_UNKNOWN;
        break;
    }
}

/* Appends an item; the caller fills it in, then calls track_depth. */
static EvmItem *add(EvmAsm *a, EvmItemKind kind) {
    if (a->before_emit)
        a->before_emit(a->hook_ctx);
    if (a->n == a->cap) {
        int cap = a->cap ? a->cap * 2 : 256;
        EvmItem *items = ARENA_ARRAY(a->arena, EvmItem, cap);
        if (a->n)
            memcpy(items, a->items, sizeof(EvmItem) * (size_t)a->n);
        a->items = items;
        a->cap = cap;
    }
    EvmItem *it = &a->items[a->n++];
    memset(it, 0, sizeof *it);
    it->kind = (uint8_t)kind;
    it->label = -1;
    it->span = a->span;
    it->jump = '-';
    return it;
}

int evm_asm_new_label(EvmAsm *a, const char *name) {
    if (a->nlabels == a->label_cap) {
        int cap = a->label_cap ? a->label_cap * 2 : 64;
        int *li = ARENA_ARRAY(a->arena, int, cap);
        int *ld = ARENA_ARRAY(a->arena, int, cap);
        const char **ln = ARENA_ARRAY(a->arena, const char *, cap);
        if (a->nlabels) {
            memcpy(li, a->label_item, sizeof(int) * (size_t)a->nlabels);
            memcpy(ld, a->label_depth, sizeof(int) * (size_t)a->nlabels);
            memcpy(ln, a->label_name, sizeof(char *) * (size_t)a->nlabels);
        }
        a->label_item = li;
        a->label_depth = ld;
        a->label_name = ln;
        a->label_cap = cap;
    }
    a->label_item[a->nlabels] = -1;
    a->label_depth[a->nlabels] = EVM_DEPTH_UNSET;
    a->label_name[a->nlabels] = name;
    return a->nlabels++;
}

void evm_asm_op(EvmAsm *a, EvmOp op) {
    add(a, EI_OP)->op = (uint8_t)op;
    track_depth(a);
}

static unsigned byte_width(U256 v) {
    return (u256_bit_length(v) + 7) / 8;
}

static void push_item(EvmAsm *a, U256 v) {
    EvmItem *it = add(a, EI_PUSH);
    it->imm = v;
    it->width = (uint8_t)byte_width(v);
    track_depth(a);
}

/* Wide constants made of ones cost fewer bytes computed: ~x as `PUSH x NOT` (2 more gas),
 * a low mask of n >= 128 bits as `PUSH0 NOT PUSH1 256-n SHR` (8 more gas). */
void evm_asm_push(EvmAsm *a, U256 v) {
    U256 inv = u256_not(v);
    if (byte_width(inv) + 2 < byte_width(v)) {
        push_item(a, inv);
        evm_asm_op(a, EVM_NOT);
        return;
    }
    unsigned n = u256_bit_length(v);
    if (n >= 128 && n < 256 && u256_is_zero(u256_and(v, u256_add(v, u256_from_u64(1), NULL)))) {
        push_item(a, u256_from_u64(0));
        evm_asm_op(a, EVM_NOT);
        push_item(a, u256_from_u64(256 - n));
        evm_asm_op(a, EVM_SHR);
        return;
    }
    push_item(a, v);
}

void evm_asm_push_u64(EvmAsm *a, uint64_t v) {
    evm_asm_push(a, u256_from_u64(v));
}

void evm_asm_push_label(EvmAsm *a, int label) {
    EvmItem *it = add(a, EI_PUSHLABEL);
    it->label = label;
    it->width = 1;
    track_depth(a);
}

void evm_asm_label(EvmAsm *a, int label) {
    add(a, EI_LABEL)->label = label;
    track_depth(a);
    a->label_item[label] = a->n - 1;
}

void evm_asm_label_any_depth(EvmAsm *a, int label) {
    a->label_depth[label] = EVM_DEPTH_ANY;
    add(a, EI_LABEL)->label = label;
    track_depth(a);
    a->label_item[label] = a->n - 1;
}

void evm_asm_mark(EvmAsm *a, int label) {
    add(a, EI_MARK)->label = label;
    track_depth(a);
    a->label_item[label] = a->n - 1;
}

void evm_asm_data(EvmAsm *a, const uint8_t *data, uint32_t n) {
    EvmItem *it = add(a, EI_DATA);
    it->data = data;
    it->ndata = n;
    track_depth(a);
}

void evm_asm_comment(EvmAsm *a, const char *text) {
    if (a->n)
        a->items[a->n - 1].comment = text;
}

void evm_asm_jump_kind(EvmAsm *a, char kind) {
    if (a->n)
        a->items[a->n - 1].jump = kind;
}

void evm_asm_jump(EvmAsm *a, int label) {
    evm_asm_push_label(a, label);
    evm_asm_op(a, EVM_JUMP);
}

void evm_asm_jumpi(EvmAsm *a, int label) {
    evm_asm_push_label(a, label);
    evm_asm_op(a, EVM_JUMPI);
}

/* ---------------- assembling ---------------- */
static uint32_t item_size(const EvmItem *it) {
    switch ((EvmItemKind)it->kind) {
    case EI_OP: return 1;
    case EI_PUSH: return 1u + it->width;
    case EI_PUSHLABEL: return 1u + it->width;
    case EI_LABEL: return 1;
    case EI_MARK: return 0;
    case EI_DATA: return it->ndata;
    }
    return 0;
}

/* Lays out the items with the current widths; returns the total size. */
static uint32_t place(EvmAsm *a) {
    uint32_t pc = 0;
    for (int i = 0; i < a->n; i++) {
        a->items[i].offset = pc;
        pc += item_size(&a->items[i]);
    }
    return pc;
}

uint32_t evm_asm_label_offset(const EvmAsm *a, int label) {
    return a->items[a->label_item[label]].offset;
}

bool evm_asm_assemble(EvmAsm *a, uint8_t **code, size_t *n, const char **err) {
    for (int i = 0; i < a->n; i++) {
        const EvmItem *it = &a->items[i];
        if (it->kind == EI_PUSHLABEL && a->label_item[it->label] < 0) {
            *err = a->label_name[it->label] ? a->label_name[it->label] : "(unnamed label)";
            return false;
        }
    }
    /* Widths only grow (offsets only grow when a width grows), so this terminates. */
    uint32_t size;
    for (;;) {
        size = place(a);
        bool changed = false;
        for (int i = 0; i < a->n; i++) {
            EvmItem *it = &a->items[i];
            if (it->kind != EI_PUSHLABEL)
                continue;
            unsigned w = byte_width(u256_from_u64(evm_asm_label_offset(a, it->label)));
            if (w < 1)
                w = 1;
            if (w > it->width) {
                it->width = (uint8_t)w;
                changed = true;
            }
        }
        if (!changed)
            break;
    }
    uint8_t *out = ARENA_ARRAY(a->arena, uint8_t, size ? size : 1);
    uint8_t *p = out;
    for (int i = 0; i < a->n; i++) {
        const EvmItem *it = &a->items[i];
        U256 v;
        switch ((EvmItemKind)it->kind) {
        case EI_OP:
            *p++ = evm_op_info[it->op].byte;
            break;
        case EI_LABEL:
            *p++ = evm_op_info[EVM_JUMPDEST].byte;
            break;
        case EI_MARK:
            break;
        case EI_DATA:
            memcpy(p, it->data, it->ndata);
            p += it->ndata;
            break;
        case EI_PUSH:
        case EI_PUSHLABEL:
            v = it->kind == EI_PUSH ? it->imm : u256_from_u64(evm_asm_label_offset(a, it->label));
            *p++ = (uint8_t)(evm_op_info[EVM_PUSH0].byte + it->width);
            for (int k = it->width - 1; k >= 0; k--)
                *p++ = (uint8_t)(v.w[k / 8] >> (8 * (k % 8)));
            break;
        }
    }
    *code = out;
    *n = size;
    return true;
}

/* ---------------- listing ---------------- */
static void print_label(const EvmAsm *a, int label, FILE *out) {
    if (a->label_name[label])
        fprintf(out, "%s", a->label_name[label]);
    else
        fprintf(out, "L%d", label);
}

/* The file of a span, or NULL when there is none or its text is not at hand (IR text
 * keeps the spans of the source it was printed from: the parser's stand-in files have a
 * length but no text). */
static SrcFile *span_file(const SrcSet *srcs, Span sp) {
    SrcFile *f = sp.file && srcs ? src_get(srcs, sp.file) : NULL;
    if (!f || !f->text || (f->len > 0 && !f->text[0]) || sp.start > f->len)
        return NULL;
    return f;
}

static void print_source_line(const SrcSet *srcs, Span sp, FILE *out) {
    SrcFile *f = span_file(srcs, sp);
    if (!f)
        return;
    uint32_t line, col;
    src_line_col(f, sp.start, &line, &col);
    const char *s = f->text + f->line_starts[line - 1];
    const char *e = s;
    while (*e && *e != '\n')
        e++;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    fprintf(out, "                          ; %s:%u: %.*s\n", f->path, line, (int)(e - s), s);
}

void evm_asm_listing(const EvmAsm *a, const SrcSet *srcs, FILE *out) {
    Span last = {0};
    for (int i = 0; i < a->n; i++) {
        const EvmItem *it = &a->items[i];
        if (it->span.file && (it->span.file != last.file || it->span.start != last.start)) {
            SrcFile *f = span_file(srcs, it->span);
            uint32_t l1 = 0, l2 = 0, c;
            if (f && last.file == it->span.file && last.start <= f->len) {
                src_line_col(f, it->span.start, &l1, &c);
                src_line_col(f, last.start, &l2, &c);
            }
            if (!f || l1 != l2 || last.file != it->span.file)
                print_source_line(srcs, it->span, out);
            last = it->span;
        }
        if (it->kind == EI_LABEL || it->kind == EI_MARK) {
            print_label(a, it->label, out);
            fprintf(out, ":%s\n", it->kind == EI_MARK ? "" : "");
            if (it->kind == EI_MARK)
                continue;
        }
        fprintf(out, "  %04x  ", it->offset);
        switch ((EvmItemKind)it->kind) {
        case EI_OP:
            fprintf(out, "%s", evm_op_info[it->op].name);
            break;
        case EI_LABEL:
            fprintf(out, "JUMPDEST");
            break;
        case EI_PUSH: {
            char hex[80];
            u256_to_hex(it->imm, hex);
            if (it->width == 0)
                fprintf(out, "PUSH0");
            else
                fprintf(out, "PUSH%d %s", it->width, hex);
            break;
        }
        case EI_PUSHLABEL:
            fprintf(out, "PUSH%d 0x%x  ", it->width, evm_asm_label_offset(a, it->label));
            print_label(a, it->label, out);
            break;
        case EI_DATA:
            fprintf(out, "data %u bytes", it->ndata);
            break;
        case EI_MARK:
            break;
        }
        if (it->comment)
            fprintf(out, "  ; %s", it->comment);
        fputc('\n', out);
    }
}

/* ---------------- source map ---------------- */
char *evm_asm_srcmap(const EvmAsm *a, Arena *arena) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    long ps = -2, pl = -2, pf = -2;
    char pj = 0;
    bool firstw = true;
    for (int i = 0; i < a->n; i++) {
        const EvmItem *it = &a->items[i];
        if (it->kind == EI_MARK || it->kind == EI_DATA)
            continue;
        long s = it->span.file ? (long)it->span.start : -1;
        long l = it->span.file ? (long)(it->span.end - it->span.start) : -1;
        long fi = it->span.file ? (long)it->span.file - 1 : -1;
        if (!firstw)
            fputc(';', f);
        firstw = false;
        char j = it->jump;
        if (s == ps && l == pl && fi == pf && j == pj)
            continue;
        /* s:l:f:j, a field left empty when unchanged, trailing empty fields dropped */
        int last = j != pj ? 4 : fi != pf ? 3 : l != pl ? 2 : 1;
        if (s != ps)
            fprintf(f, "%ld", s);
        if (last >= 2) {
            fputc(':', f);
            if (l != pl)
                fprintf(f, "%ld", l);
        }
        if (last >= 3) {
            fputc(':', f);
            if (fi != pf)
                fprintf(f, "%ld", fi);
        }
        if (last >= 4)
            fprintf(f, ":%c", j);
        ps = s, pl = l, pf = fi, pj = j;
    }
    fclose(f);
    char *r = arena_strndup(arena, buf ? buf : "", len);
    free(buf);
    return r;
}

/* ---------------- disassembler ---------------- */
void evm_disasm(const uint8_t *code, size_t n, FILE *out) {
    for (size_t pc = 0; pc < n;) {
        int op = evm_op_of_byte(code[pc]);
        fprintf(out, "%04zx  ", pc);
        if (op < 0) {
            fprintf(out, "INVALID(0x%02x)\n", code[pc]);
            pc++;
            continue;
        }
        fprintf(out, "%s", evm_op_info[op].name);
        unsigned w = evm_op_info[op].imm;
        if (w) {
            fprintf(out, " 0x");
            for (unsigned k = 0; k < w; k++)
                fprintf(out, "%02x", pc + 1 + k < n ? code[pc + 1 + k] : 0);
        }
        fputc('\n', out);
        pc += 1 + w;
    }
}
