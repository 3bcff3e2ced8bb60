/* scenario_read.c — reads a scenario file: libyaml's event API builds a tree of nodes that
 * keep their line and column, then the tree is checked against the format (known keys,
 * node types, numbers, account and deployment names) into a Scenario. Every problem is a
 * file:line:col diagnostic; nothing here exits or aborts. */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "scenario.h"

/* Nesting deeper than this is refused: a scenario never needs it and a fuzzer would find
 * the stack's end. */
enum { SC_MAX_DEPTH = 64 };

void scen_error(Scenario *sc, FILE *err, const ScNode *at, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (at)
        fprintf(err, "%s:%d:%d: error: ", sc->path, at->line, at->col);
    else
        fprintf(err, "%s: error: ", sc->path);
    /* One line per diagnostic, whatever the quoted YAML text holds. */
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        if (*p == '\n')
            fputs("\\n", err);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(err, "\\x%02x", *p);
        else
            fputc(*p, err);
    }
    fputc('\n', err);
    sc->errors++;
}

static const char *kind_name(ScKind k) {
    static const char *const names[SC_KIND_COUNT] = {"a scalar", "a list", "a mapping"};
    return names[k];
}

/* ---------------------------------------------------------------- YAML -> tree */

typedef struct Reader {
    Scenario *sc;
    FILE *err;
    yaml_parser_t parser;
    yaml_event_t ev;
    bool have_ev;
} Reader;

static bool next_event(Reader *r) {
    if (r->have_ev)
        yaml_event_delete(&r->ev);
    r->have_ev = false;
    if (!yaml_parser_parse(&r->parser, &r->ev)) {
        ScNode at = {.line = (int)r->parser.problem_mark.line + 1,
                     .col = (int)r->parser.problem_mark.column + 1};
        scen_error(r->sc, r->err, &at, "invalid YAML: %s%s%s",
                   r->parser.problem ? r->parser.problem : "syntax error",
                   r->parser.context ? " " : "", r->parser.context ? r->parser.context : "");
        return false;
    }
    r->have_ev = true;
    return true;
}

static ScNode *new_node(Reader *r, ScKind kind) {
    ScNode *n = ARENA_NEW(&r->sc->arena, ScNode);
    n->kind = kind;
    n->line = (int)r->ev.start_mark.line + 1;
    n->col = (int)r->ev.start_mark.column + 1;
    return n;
}

static void push(Reader *r, ScNode *parent, ScNode *child, int *cap, int count) {
    if (count >= *cap) {
        int ncap = *cap ? *cap * 2 : 8;
        ScNode **items = ARENA_ARRAY(&r->sc->arena, ScNode *, ncap);
        if (count)
            memcpy(items, parent->items, sizeof(ScNode *) * (size_t)count);
        parent->items = items;
        *cap = ncap;
    }
    parent->items[count] = child;
}

/* Reads the node whose first event is r->ev (already parsed). */
static ScNode *read_node(Reader *r, int depth) {
    ScNode at = {.line = (int)r->ev.start_mark.line + 1, .col = (int)r->ev.start_mark.column + 1};
    if (depth > SC_MAX_DEPTH) {
        scen_error(r->sc, r->err, &at, "nesting too deep (limit is %d levels)", SC_MAX_DEPTH);
        return NULL;
    }
    switch (r->ev.type) {
    case YAML_ALIAS_EVENT:
        scen_error(r->sc, r->err, &at, "YAML aliases (*name) are not supported in scenarios");
        return NULL;
    case YAML_SCALAR_EVENT: {
        ScNode *n = new_node(r, SC_SCALAR);
        n->text = arena_strndup(&r->sc->arena, (const char *)r->ev.data.scalar.value,
                                r->ev.data.scalar.length);
        if (strlen(n->text) != r->ev.data.scalar.length) {
            scen_error(r->sc, r->err, &at, "NUL character in a scalar");
            return NULL;
        }
        n->quoted = r->ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    r->ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        return n;
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        bool map = r->ev.type == YAML_MAPPING_START_EVENT;
        ScNode *n = new_node(r, map ? SC_MAP : SC_SEQ);
        yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
        int cap = 0, count = 0;
        for (;;) {
            if (!next_event(r))
                return NULL;
            if (r->ev.type == end)
                break;
            ScNode *child = read_node(r, depth + 1);
            if (!child)
                return NULL;
            if (map && count % 2 == 0 && child->kind != SC_SCALAR) {
                scen_error(r->sc, r->err, child, "mapping keys must be plain names, not %s",
                           kind_name(child->kind));
                return NULL;
            }
            if (map && count % 2 == 0) {
                for (int i = 0; i < count; i += 2)
                    if (strcmp(n->items[i]->text, child->text) == 0) {
                        scen_error(r->sc, r->err, child, "duplicate key '%s' (first at line %d)",
                                   child->text, n->items[i]->line);
                        return NULL;
                    }
            }
            push(r, n, child, &cap, count++);
        }
        n->n = map ? count / 2 : count;
        return n;
    }
    default:
        scen_error(r->sc, r->err, &at, "unexpected YAML event");
        return NULL;
    }
}

static ScNode *read_tree(Reader *r, const unsigned char *buf, size_t len) {
    ScNode *root = NULL;
    yaml_parser_set_input_string(&r->parser, buf, len);
    if (!next_event(r) || r->ev.type != YAML_STREAM_START_EVENT || !next_event(r))
        return NULL;
    if (r->ev.type == YAML_STREAM_END_EVENT) {
        scen_error(r->sc, r->err, NULL, "the file is empty (a scenario is a mapping with "
                                        "accounts, deployments and steps)");
        return NULL;
    }
    if (!next_event(r)) /* past DOCUMENT-START */
        return NULL;
    root = read_node(r, 0);
    if (!root || !next_event(r)) /* DOCUMENT-END */
        return NULL;
    if (!next_event(r))
        return NULL;
    if (r->ev.type != YAML_STREAM_END_EVENT) {
        ScNode at = {.line = (int)r->ev.start_mark.line + 1, .col = (int)r->ev.start_mark.column + 1};
        scen_error(r->sc, r->err, &at, "one YAML document per scenario file");
        return NULL;
    }
    return root;
}

/* ---------------------------------------------------------------- checks */

typedef struct Checker {
    Scenario *sc;
    FILE *err;
    const char *dir;          /* the scenario's folder, with its trailing slash, or "" */
} Checker;

static const ScNode *map_get(const ScNode *m, const char *key) {
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->items[2 * i]->text, key) == 0)
            return m->items[2 * i + 1];
    return NULL;
}

/* Reports keys of `m` that are not in the NULL-terminated `known`. */
static void check_keys(Checker *c, const ScNode *m, const char *what, const char *const *known) {
    for (int i = 0; i < m->n; i++) {
        const ScNode *k = m->items[2 * i];
        bool ok = false;
        for (const char *const *p = known; *p && !ok; p++)
            ok = strcmp(*p, k->text) == 0;
        if (!ok) {
            char list[256] = "";
            for (const char *const *p = known; *p; p++) {
                strncat(list, *p, sizeof list - strlen(list) - 1);
                if (p[1])
                    strncat(list, ", ", sizeof list - strlen(list) - 1);
            }
            scen_error(c->sc, c->err, k, "unknown key '%s' in %s (expected one of: %s)", k->text,
                       what, list);
        }
    }
}

static bool want(Checker *c, const ScNode *n, ScKind kind, const char *what) {
    if (n->kind == kind)
        return true;
    scen_error(c->sc, c->err, n, "%s must be %s, not %s", what, kind_name(kind), kind_name(n->kind));
    return false;
}

static bool is_ident(const char *s) {
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

/* A wei amount or other unsigned number: decimal or 0x hex, '_' allowed between digits. */
static bool is_number(const char *s) {
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *p = hex ? s + 2 : s;
    if (!*p)
        return false;
    for (; *p; p++)
        if (!(hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p)) && *p != '_')
            return false;
    return true;
}

static bool want_number(Checker *c, const ScNode *n, const char *what) {
    if (!want(c, n, SC_SCALAR, what))
        return false;
    if (!is_number(n->text)) {
        scen_error(c->sc, c->err, n, "%s must be a number (decimal or 0x hex), not '%s'", what,
                   n->text);
        return false;
    }
    return true;
}

static bool known_name(const Scenario *sc, const char *name, size_t len) {
    for (int i = 0; i < sc->naccounts; i++)
        if (strlen(sc->accounts[i].name->text) == len &&
            strncmp(sc->accounts[i].name->text, name, len) == 0)
            return true;
    for (int i = 0; i < sc->ndeploys; i++)
        if (sc->deploys[i].name && strlen(sc->deploys[i].name) == len &&
            strncmp(sc->deploys[i].name, name, len) == 0)
            return true;
    return false;
}

/* A sender: an account's name (with or without '@'). */
static void check_account_ref(Checker *c, const ScNode *n, const char *what) {
    if (!want(c, n, SC_SCALAR, what))
        return;
    const char *s = n->text[0] == '@' ? n->text + 1 : n->text;
    for (int i = 0; i < c->sc->naccounts; i++)
        if (strcmp(c->sc->accounts[i].name->text, s) == 0)
            return;
    scen_error(c->sc, c->err, n, "unknown account '%s' (declare it under accounts:)", s);
}

/* Checks every @name in a value: inside plain scalars, lists and mappings, and inside the
 * text of expressions such as InsufficientBalance(@alice, 0, 5). Quoted text outside an
 * expression is a string and left alone. */
static void check_refs(Checker *c, const ScNode *n, bool expr) {
    if (n->kind == SC_SCALAR) {
        if (!expr && n->quoted)
            return;
        const char *s = n->text;
        bool in_str = false;
        for (const char *p = s; *p; p++) {
            if (expr && *p == '"')
                in_str = !in_str;
            if (*p != '@' || in_str)
                continue;
            const char *q = p + 1;
            while (isalnum((unsigned char)*q) || *q == '_')
                q++;
            if (!known_name(c->sc, p + 1, (size_t)(q - p - 1))) {
                ScNode at = *n;
                /* The column points at the '@' when the scalar sits on one line unquoted. */
                if (!n->quoted && !strchr(s, '\n'))
                    at.col += (int)(p - s);
                scen_error(c->sc, c->err, &at,
                           "unknown name '@%.*s' (not an account or a deployment)",
                           (int)(q - p - 1), p + 1);
            }
            p = q - 1;
        }
        return;
    }
    for (int i = 0; i < (n->kind == SC_MAP ? 2 * n->n : n->n); i++)
        if (n->kind == SC_SEQ || i % 2 == 1)
            check_refs(c, n->items[i], expr);
}

/* Name(args...) with balanced parentheses; a bare `true` means any revert. */
static void check_expr(Checker *c, const ScNode *n, const char *what) {
    if (!want(c, n, SC_SCALAR, what))
        return;
    const char *s = n->text, *p = s;
    if (strcmp(s, "true") == 0 && !n->quoted && strcmp(what, "reverts") == 0)
        return;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    size_t len = strlen(s);
    if (p == s || isdigit((unsigned char)*s) || *p != '(' || len < 2 || s[len - 1] != ')') {
        scen_error(c->sc, c->err, n, "%s must look like Name(arg, ...)%s, not '%s'", what,
                   strcmp(what, "reverts") == 0 ? " or true" : "", s);
        return;
    }
    check_refs(c, n, true);
}

static void read_accounts(Checker *c, const ScNode *m) {
    Scenario *sc = c->sc;
    if (!want(c, m, SC_MAP, "accounts"))
        return;
    sc->accounts = ARENA_ARRAY(&sc->arena, ScAccount, m->n + 1);
    for (int i = 0; i < m->n; i++) {
        const ScNode *k = m->items[2 * i], *v = m->items[2 * i + 1];
        if (!is_ident(k->text)) {
            scen_error(sc, c->err, k, "account name '%s' is not a plain name", k->text);
            continue;
        }
        if (want_number(c, v, "an account's balance"))
            sc->accounts[sc->naccounts++] = (ScAccount){k, v};
    }
}

static char *join_path(Checker *c, const char *rel) {
    if (rel[0] == '/')
        return arena_strndup(&c->sc->arena, rel, strlen(rel));
    size_t a = strlen(c->dir), b = strlen(rel);
    char *s = arena_alloc(&c->sc->arena, a + b + 1);
    memcpy(s, c->dir, a);
    memcpy(s + a, rel, b + 1);
    return s;
}

static void read_deployments(Checker *c, const ScNode *seq) {
    static const char *const keys[] = {"name", "source", "contract", "args", "from", "value",
                                       "time", "reverts", "events", NULL};
    Scenario *sc = c->sc;
    if (!want(c, seq, SC_SEQ, "deployments"))
        return;
    sc->deploys = ARENA_ARRAY(&sc->arena, ScDeploy, seq->n + 1);
    for (int i = 0; i < seq->n; i++) {
        const ScNode *d = seq->items[i];
        if (!want(c, d, SC_MAP, "a deployment"))
            continue;
        check_keys(c, d, "a deployment", keys);
        ScDeploy *dp = &sc->deploys[sc->ndeploys];
        dp->at = d;
        const ScNode *name = map_get(d, "name"), *src = map_get(d, "source"),
                     *con = map_get(d, "contract");
        if (!name || !src || !con) {
            scen_error(sc, c->err, d, "a deployment needs name, source and contract");
            continue;
        }
        if (!want(c, name, SC_SCALAR, "name") || !want(c, src, SC_SCALAR, "source") ||
            !want(c, con, SC_SCALAR, "contract"))
            continue;
        if (!is_ident(name->text) || !is_ident(con->text)) {
            scen_error(sc, c->err, is_ident(name->text) ? con : name, "'%s' is not a plain name",
                       is_ident(name->text) ? con->text : name->text);
            continue;
        }
        if (known_name(sc, name->text, strlen(name->text))) {
            scen_error(sc, c->err, name, "'%s' is already an account or a deployment", name->text);
            continue;
        }
        dp->name = name->text;
        dp->source = join_path(c, src->text);
        dp->contract = con->text;
        dp->args = map_get(d, "args");
        dp->from = map_get(d, "from");
        dp->value = map_get(d, "value");
        dp->time = map_get(d, "time");
        dp->reverts = map_get(d, "reverts");
        if (dp->reverts)
            check_expr(c, dp->reverts, "reverts");
        dp->events = map_get(d, "events");
        if (dp->events && want(c, dp->events, SC_SEQ, "events"))
            for (int k = 0; k < dp->events->n; k++)
                check_expr(c, dp->events->items[k], "an event");
        if (dp->time)
            want_number(c, dp->time, "time");
        if (dp->args && want(c, dp->args, SC_SEQ, "args"))
            check_refs(c, dp->args, false);
        if (dp->from)
            check_account_ref(c, dp->from, "from");
        if (dp->value)
            want_number(c, dp->value, "value");
        sc->ndeploys++;
    }
}

static const ScDeploy *find_deploy(const Scenario *sc, const char *name) {
    if (name[0] == '@')
        name++;
    for (int i = 0; i < sc->ndeploys; i++)
        if (strcmp(sc->deploys[i].name, name) == 0)
            return &sc->deploys[i];
    return NULL;
}

/* name(type,type,...): the ABI signature, no spaces. */
static bool is_signature(const char *s) {
    const char *p = s;
    while (isalnum((unsigned char)*p) || *p == '_')
        p++;
    if (p == s || isdigit((unsigned char)*s) || *p != '(')
        return false;
    int depth = 0;
    for (; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (!(isalnum((unsigned char)*p) || strchr(",[]", *p)))
            return false;
        if (depth == 0)
            return p[1] == 0;
    }
    return false;
}

static void read_step(Checker *c, const ScNode *m, ScStep *st) {
    static const char *const keys[] = {"call", "to", "from", "value", "args", "returns",
                                       "reverts", "events", "storage", "balances",
                                       "gas_at_most", "time", NULL};
    Scenario *sc = c->sc;
    st->at = m;
    check_keys(c, m, "a step", keys);
    st->call = map_get(m, "call");
    st->to_node = map_get(m, "to");
    st->from = map_get(m, "from");
    st->value = map_get(m, "value");
    st->args = map_get(m, "args");
    st->returns = map_get(m, "returns");
    st->reverts = map_get(m, "reverts");
    st->events = map_get(m, "events");
    st->storage = map_get(m, "storage");
    st->balances = map_get(m, "balances");
    st->gas_at_most = map_get(m, "gas_at_most");
    st->time = map_get(m, "time");
    if (st->time)
        want_number(c, st->time, "time");
    if (!st->call) {
        scen_error(sc, c->err, m, "a step needs 'call: function(types...)'");
    } else if (want(c, st->call, SC_SCALAR, "call") && !is_signature(st->call->text)) {
        scen_error(sc, c->err, st->call,
                   "'%s' is not a function signature like transfer(address,uint256)",
                   st->call->text);
    }
    if (st->to_node) {
        if (want(c, st->to_node, SC_SCALAR, "to") && !(st->to = find_deploy(sc, st->to_node->text)))
            scen_error(sc, c->err, st->to_node, "unknown deployment '%s'", st->to_node->text);
        else if (st->to && st->to->reverts)
            scen_error(sc, c->err, st->to_node, "'%s' is expected to revert: there is nothing to call",
                       st->to->name);
    } else if (sc->ndeploys == 1 && !sc->deploys[0].reverts) {
        st->to = &sc->deploys[0];
    } else if (sc->ndeploys > 0) {
        scen_error(sc, c->err, m, "a step needs 'to: DEPLOYMENT' (there are %d deployments)",
                   sc->ndeploys);
    }
    if (st->from)
        check_account_ref(c, st->from, "from");
    if (st->value)
        want_number(c, st->value, "value");
    if (st->args && want(c, st->args, SC_SEQ, "args"))
        check_refs(c, st->args, false);
    if (st->returns) {
        if (st->reverts)
            scen_error(sc, c->err, st->returns, "a step expects either returns or reverts, not both");
        check_refs(c, st->returns, false);
    }
    if (st->reverts)
        check_expr(c, st->reverts, "reverts");
    if (st->events && want(c, st->events, SC_SEQ, "events"))
        for (int i = 0; i < st->events->n; i++)
            check_expr(c, st->events->items[i], "an event");
    if (st->storage && want(c, st->storage, SC_MAP, "storage")) {
        for (int i = 0; i < st->storage->n; i++) {
            const ScNode *k = st->storage->items[2 * i];
            const char *dot = strchr(k->text, '.');
            size_t len = dot ? (size_t)(dot - k->text) : 0;
            bool ok = dot != NULL;
            const ScDeploy *d = NULL;
            for (int j = 0; dot && j < sc->ndeploys; j++)
                if (strlen(sc->deploys[j].name) == len && strncmp(sc->deploys[j].name, k->text, len) == 0)
                    d = &sc->deploys[j];
            if (!ok || !d)
                scen_error(sc, c->err, k,
                           "storage keys are DEPLOYMENT.variable or DEPLOYMENT.variable[key]: "
                           "'%s'%s", k->text, ok ? " names no deployment" : "");
            else
                check_refs(c, k, true);
            check_refs(c, st->storage->items[2 * i + 1], false);
        }
    }
    if (st->balances && want(c, st->balances, SC_MAP, "balances")) {
        for (int i = 0; i < st->balances->n; i++) {
            const ScNode *k = st->balances->items[2 * i];
            const char *name = k->text[0] == '@' ? k->text + 1 : k->text;
            if (!known_name(sc, name, strlen(name)))
                scen_error(sc, c->err, k, "unknown name '%s' (not an account or a deployment)", name);
            want_number(c, st->balances->items[2 * i + 1], "a balance");
        }
    }
    if (st->gas_at_most)
        want_number(c, st->gas_at_most, "gas_at_most");
}

static void read_scenario(Checker *c, const ScNode *root) {
    static const char *const keys[] = {"name", "accounts", "deployments", "steps", NULL};
    Scenario *sc = c->sc;
    if (!want(c, root, SC_MAP, "a scenario"))
        return;
    check_keys(c, root, "a scenario", keys);
    const ScNode *name = map_get(root, "name"), *acc = map_get(root, "accounts"),
                 *dep = map_get(root, "deployments"), *steps = map_get(root, "steps");
    if (name)
        want(c, name, SC_SCALAR, "name");
    if (!acc || !dep || !steps) {
        scen_error(sc, c->err, root, "a scenario needs accounts, deployments and steps");
        return;
    }
    read_accounts(c, acc);
    if (sc->naccounts == 0 && acc->kind == SC_MAP && acc->n == 0)
        scen_error(sc, c->err, acc, "no accounts: a scenario needs at least one (the default sender)");
    read_deployments(c, dep);
    if (sc->ndeploys == 0 && dep->kind == SC_SEQ && sc->errors == 0)
        scen_error(sc, c->err, dep, "no deployments: a scenario deploys at least one contract");
    if (!want(c, steps, SC_SEQ, "steps"))
        return;
    sc->steps = ARENA_ARRAY(&sc->arena, ScStep, steps->n + 1);
    for (int i = 0; i < steps->n; i++)
        if (want(c, steps->items[i], SC_MAP, "a step"))
            read_step(c, steps->items[i], &sc->steps[sc->nsteps++]);
}

bool scen_read_buffer(Scenario *sc, const char *path, const unsigned char *buf, size_t n,
                      FILE *err) {
    memset(sc, 0, sizeof *sc);
    arena_init(&sc->arena);
    sc->path = path;
    Reader r = {.sc = sc, .err = err};
    if (!yaml_parser_initialize(&r.parser)) {
        scen_error(sc, err, NULL, "out of memory");
        return false;
    }
    ScNode *root = read_tree(&r, buf, n);
    if (r.have_ev)
        yaml_event_delete(&r.ev);
    yaml_parser_delete(&r.parser);
    if (!root)
        return false;
    sc->root = root;
    const char *slash = strrchr(path, '/');
    Checker c = {.sc = sc, .err = err,
                 .dir = slash ? arena_strndup(&sc->arena, path, (size_t)(slash - path + 1)) : ""};
    read_scenario(&c, root);
    return sc->errors == 0;
}

bool scen_read(Scenario *sc, const char *path, FILE *err) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        memset(sc, 0, sizeof *sc);
        arena_init(&sc->arena);
        sc->path = path;
        scen_error(sc, err, NULL, "cannot read the file");
        return false;
    }
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (!buf) {
        memset(sc, 0, sizeof *sc);
        arena_init(&sc->arena);
        sc->path = path;
        scen_error(sc, err, NULL, "out of memory");
        return false;
    }
    bool ok = scen_read_buffer(sc, path, buf, n, err);
    free(buf);
    return ok;
}

void scen_free(Scenario *sc) {
    arena_free(&sc->arena);
}
