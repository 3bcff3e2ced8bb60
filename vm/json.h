/* json.h — the small JSON reader the spec harness uses (vm/json.c). */
#ifndef WRIT_VM_JSON_H
#define WRIT_VM_JSON_H
#include <stdbool.h>
#include <stddef.h>

typedef enum { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } JsonKind;

typedef struct Json {
    JsonKind kind;
    bool b;
    double num;
    char *str; size_t len;        /* strings: UTF-8, may hold NUL bytes */
    struct Json *items; char **keys; size_t *keylens; size_t n; /* arrays and objects */
} Json;

enum { JSON_MAX_DEPTH = 200 };

/* Parses `len` bytes; on error returns NULL with the byte offset and a reason. */
Json *json_parse(const char *text, size_t len, size_t *err_off, const char **err_msg);
void json_free(Json *j);
const Json *json_get(const Json *obj, const char *key);
const char *json_get_str(const Json *obj, const char *key); /* NULL unless a string */

#endif
