/* verify_cli.h — what `writ verify`, `writ build` and `writ test` share around the verifier
 * (verify/verify.h): replaying counterexamples on the VM (verify_replay.c), the serialized
 * form of results for --jobs workers and the cache (verify_serial.c), the cache and the
 * workers (verify_run.c), scenario files from counterexamples (verify_emit.c). verify/
 * stays the only place Z3 is used; these files hold everything between its results and the
 * user. */
#ifndef WRIT_VERIFY_CLI_H
#define WRIT_VERIFY_CLI_H

#include <stdio.h>

#include "cli.h"
#include "verify/verify.h"

/* ---- verify_replay.c ---- */
/* A contract compiled once by the wasm backend, ready to replay counterexamples on a fresh
 * VM chain each time. */
typedef struct CliReplay CliReplay;
CliReplay *cli_replay_new(IrModule *m);
void cli_replay_free(CliReplay *rp);
/* Replays r's counterexample (r must be VER_VIOLATED with a cex): deploys the contract on
 * a fresh chain of the bundled VM, writes the pre-state places at their Solidity slots,
 * runs the step(s) with their sender, value, block and arguments, and compares what
 * happened with the failure the verifier claims. Returns 1 (it failed so), -1 (it did not,
 * or the counterexample cannot be played; `why` says which) — and sets r->confirmed.
 * `what` receives the observed failure ("Panic(0x11)", "returned normally"). */
int cli_replay_result(CliReplay *rp, VerResult *r, char *what, size_t nwhat);
/* Replays every violated result of rep; those that do not reproduce become unknown with
 * "counterexample did not replay: ..." (counts in rep updated). */
void cli_replay_report(IrModule *m, VerReport *rep);
/* The 32-byte ABI word of a scalar value of type t (bool, integers, address, bytesN). */
void cli_abi_word(const IrType *t, U256 v, uint8_t out[32]);

/* ---- verify_serial.c ---- */
/* A growing NUL-terminated text (the serializer's and the JSON/SARIF printers'). */
typedef struct CliBuf {
    char *s;
    size_t n, cap;
} CliBuf;
void cli_buf_put(CliBuf *b, const char *s, size_t n);
void cli_buf_f(CliBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The results of rep (from index `from` on) as text: one record per result with every
 * field, the counterexample included; the `at` instruction as (function, ordinal) of m. */
char *cli_results_serialize(IrModule *m, const VerReport *rep, int from, size_t *len);
/* Appends the results in `text` (from cli_results_serialize on the same IR) to rep;
 * strings, types and counterexamples are rebuilt in m's arena. false on malformed text. */
bool cli_results_parse(IrModule *m, const char *text, size_t len, VerReport *rep);

/* ---- verify_run.c ---- */
enum { CLI_VERIFY_DEPTH = 3 };   /* `writ verify`'s default search depth */
typedef struct CliVerifyRun {
    VerOptions opts;
    int jobs;              /* worker processes (1: in this process) */
    bool replay;           /* replay violations on the VM before reporting */
    bool use_cache;
    const char *cache_dir; /* NULL: $WRIT_CACHE_DIR, else cache/writ-verify */
    int max_unit;          /* > 0: a unit whose code (its function and callees) holds more
                            * instructions than this, or a loop, is not verified; each check
                            * it reaches gets an unknown result ("not verified when building")
                            * so that ver_mark_proven keeps it */
    int cache_hits, cache_misses;
} CliVerifyRun;
/* Verifies m (already optimised; `srcs` its sources, kept in m->srcs when it has none) into rep: init and each public function, cached by the
 * hash of what it depends on, misses spread over run->jobs worker processes; results in a
 * fixed order (function index, then the verifier's order) whatever the number of jobs.
 * false on an internal error (a worker died: message on stderr). */
bool cli_verify_module(IrModule *m, SrcSet *srcs, CliVerifyRun *run, VerReport *rep);
const char *cli_cache_dir(const CliVerifyRun *run);

/* ---- verify_emit.c ---- */
/* Writes DIR/CONTRACT.FUNC.KIND.LINE.yaml, a scenario that replays r's counterexample
 * and expects the failure; `source` is the .writ file. Prints the path to `out`. false
 * when the counterexample cannot be written as a scenario (why on `err`). */
bool cli_emit_scenario(IrModule *m, const VerResult *r, const char *source, const char *dir,
                       FILE *out, FILE *err);

#endif
