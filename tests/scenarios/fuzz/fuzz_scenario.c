/* fuzz_scenario.c — libFuzzer target over the scenario reader (cli/scenario_read.c): libyaml's
 * events, the tree with its lines and columns, and every check of the format. Diagnostics
 * are the expected outcome for most inputs; a crash, sanitizer report, leak or hang is a
 * bug. Also checks that every diagnostic names a line and column inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every node's position lies within the input's lines. */
static void check_positions(const ScNode *n, int nlines) {
    if (!n)
        return;
    if (n->line < 1 || n->line > nlines + 1 || n->col < 1)
        abort();
    int count = n->kind == SC_MAP ? 2 * n->n : n->kind == SC_SEQ ? n->n : 0;
    for (int i = 0; i < count; i++)
        check_positions(n->items[i], nlines);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *msgs = NULL;
    size_t nmsgs = 0;
    FILE *err = open_memstream(&msgs, &nmsgs);
    if (!err)
        return 0;
    Scenario sc;
    scen_read_buffer(&sc, "fuzz.yaml", data, size, err);
    /* An upper bound on YAML's lines: \n, \r and the last bytes of NEL, LS and PS all
     * may break one. */
    int nlines = 1;
    for (size_t i = 0; i < size; i++)
        nlines += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xA8 ||
                  data[i] == 0xA9;
    check_positions(sc.root, nlines);
    scen_free(&sc);
    fclose(err);
    /* Each message starts with the file name, then line:col or ": error". */
    for (char *p = msgs; p && *p;) {
        if (strncmp(p, "fuzz.yaml:", 10) != 0)
            abort();
        char *nl = strchr(p, '\n');
        if (!nl)
            abort();
        p = nl + 1;
    }
    free(msgs);
    return 0;
}
