/* scenario.h — the model of a scenario file (`writ test`): a YAML tree whose every node keeps
 * its line and column, the accounts, deployments and steps read from it, and the runners
 * that play the steps on a target. Format: docs/SCENARIOS.md. */
#ifndef WRIT_SCENARIO_H
#define WRIT_SCENARIO_H

#include <stdbool.h>
#include <stdio.h>

#include "ir/base.h"

typedef enum ScKind { SC_SCALAR, SC_SEQ, SC_MAP, SC_KIND_COUNT } ScKind;

/* One YAML node. A mapping holds its keys and values alternately in items (key 2i, value
 * 2i+1); keys are scalars. */
typedef struct ScNode {
    ScKind kind;
    int line, col;            /* 1-based, where the node starts */
    const char *text;         /* scalars: the value, NUL-terminated */
    bool quoted;              /* scalars: written '...' or "..." */
    struct ScNode **items;
    int n;                    /* sequences: items; mappings: pairs (items holds 2n) */
} ScNode;

typedef struct ScAccount {
    const ScNode *name, *balance;
} ScAccount;

typedef struct ScDeploy {
    const ScNode *at;         /* the deployment's mapping */
    const char *name;         /* how steps refer to it (`to: token`, `@token`) */
    const char *source;       /* the .writ file, resolved against the scenario's folder */
    const char *contract;
    const ScNode *args, *from, *value;   /* args: a sequence or NULL */
    const ScNode *time;       /* the block's timestamp from here on, or NULL */
    const ScNode *reverts;    /* the deployment must fail so (nothing is deployed), or NULL */
    const ScNode *events;     /* the constructor's events, or NULL */
} ScDeploy;

/* One call and what it must do. Expectations the step does not state are NULL. */
typedef struct ScStep {
    const ScNode *at;         /* the step's mapping: its line is the one reports name */
    const ScNode *call;       /* the function signature, e.g. transfer(address,uint256) */
    const ScDeploy *to;
    const ScNode *to_node, *from, *value, *args, *time;
    const ScNode *returns, *reverts, *events, *storage, *balances, *gas_at_most;
} ScStep;

typedef struct Scenario {
    const char *path;         /* as given on the command line */
    const ScNode *root;
    ScAccount *accounts; int naccounts;
    ScDeploy *deploys; int ndeploys;
    ScStep *steps; int nsteps;
    int errors;               /* diagnostics printed so far */
    Arena arena;
} Scenario;

/* Reads and checks PATH (its YAML, keys, types and names). Diagnostics go to `err` as
 * file:line:col: error: message; returns false when there were any. `sc` must be freed
 * with scen_free even then. Contracts are not compiled here. */
bool scen_read(Scenario *sc, const char *path, FILE *err);
/* Same, from a buffer (the fuzzer's entry point). */
bool scen_read_buffer(Scenario *sc, const char *path, const unsigned char *buf, size_t n,
                      FILE *err);
void scen_free(Scenario *sc);

/* Reports an error at a node: "path:line:col: error: ...". Counts it in sc->errors. */
void scen_error(Scenario *sc, FILE *err, const ScNode *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The result of one step on one target, in a form two targets can compare. */
typedef struct ScOutcome {
    bool ran;                 /* false: an earlier problem stopped the run */
    bool pass;
    char *observed;           /* success/revert data, logs and storage read, normalised */
} ScOutcome;

/* Runs every step on the EVM (the @ethereumjs/evm oracle through node) and prints a line per
 * step to `out`. outcomes has sc->nsteps entries. Returns EXIT_OK (all pass), EXIT_INPUT (a
 * step failed or the scenario is wrong for its contracts), EXIT_USAGE (no node/oracle). */
int scen_run_evm(Scenario *sc, ScOutcome *outcomes, FILE *out, FILE *err);

/* A target that runs the transactions itself, in this process, while the node driver still
 * encodes values and checks expectations: the driver sends REQ lines (FUND, DEPLOY, CALL,
 * SLOAD, BALANCE; cli/scenario_evm.mjs documents them) and `answer` writes one line back. */
typedef struct ScHost {
    const char *name;         /* shown in each verdict: "transfer [wasm]: ok" */
    void *ud;
    bool (*prepare)(void *ud, Scenario *sc, FILE *err);       /* compile the deployments */
    void (*answer)(void *ud, char **fields, int n, FILE *reply);
} ScHost;

/* Runs the steps through the node driver with `host` executing them (NULL: on the EVM
 * oracle, in node). Same results as scen_run_evm. */
int scen_run_node(Scenario *sc, const ScHost *host, ScOutcome *outcomes, FILE *out, FILE *err);

/* Runs every step on the bundled VM's contract mode (vm/contract.h), the contracts compiled by
 * the wasm backend; node still encodes and checks. Same results as scen_run_evm. */
int scen_run_wasm(Scenario *sc, ScOutcome *outcomes, FILE *out, FILE *err);

/* True when the wasm target can run contracts (the VM's contract mode is there). */
bool scen_wasm_available(void);

#endif
