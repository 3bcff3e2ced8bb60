/* gen.c — writes benchmark programs: each file has a few pure free functions and one
 * contract with storage of every common kind (scalars, maps, nested maps, structs, a
 * bounded list, a fixed array), events, errors, an invariant, an `init` and 12-40
 * functions drawn from templates that cover what real contracts do: guarded transfers
 * with specs, bounded loops with branches, struct records, list batches, signed
 * arithmetic, hashing, internal call chains, ether payouts and payable deposits, typed
 * external calls through an interface. Constants, loop bounds, statement counts and
 * names vary per function, so the frontend sees varied text rather than one function
 * repeated. The output type-checks by construction and has no unused locals. */
#include "gen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void genbuf_free(GenBuf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

static void put(GenBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(GenBuf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if ((size_t)n < room) {
            for (int i = 0; i < n; i++)
                if (b->data[b->len + (size_t)i] == '\n')
                    b->lines++;
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 1 << 16;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d)
            abort();
        b->data = d;
        b->cap = cap;
    }
}

/* splitmix64: small, fast, and good enough to vary the text. */
typedef struct Rng {
    uint64_t s;
} Rng;
static uint64_t rnext(Rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
/* uniform-ish in [lo, hi] */
static unsigned long long rin(Rng *r, unsigned long long lo, unsigned long long hi) {
    return lo + rnext(r) % (hi - lo + 1);
}

static const char *FLAVOURS[] = {"vault", "registry", "payroll", "treasury", "rewards",
                                 "staking", "ledger", "exchange", "lottery", "crowdsale"};
static const char *NOUNS[] = {"credit", "grant", "fund", "award", "deposit", "lock",
                              "stake", "reserve", "allot", "issue"};
static const char *VERBS[] = {"debit", "charge", "claim", "redeem", "release", "unlock",
                              "burn", "settle", "draw", "withdraw"};

#define PICK(r, arr) (arr[rnext(r) % (sizeof(arr) / sizeof(arr[0]))])

/* ---------------- free functions (pure) ---------------- */
static void free_fn(GenBuf *b, Rng *r, int k, int m) {
    switch (rnext(r) % 4) {
    case 0:
        put(b,
            "// Mixes two words into a distance-like value; used for slot scattering.\n"
            "fn mix%d_%d(a: u256, b: u256) -> u256 {\n"
            "    let x = a ^ (b << %llu);\n"
            "    let y = x +%% %llu;\n"
            "    if y > a {\n"
            "        return y - a;\n"
            "    }\n"
            "    return a -%% y;\n"
            "}\n\n",
            k, m, rin(r, 1, 200), rin(r, 1, 1000000000));
        break;
    case 1:
        put(b,
            "// v * num / 10000 without overflowing on the product for large v.\n"
            "fn scale%d_%d(v: u256, num: u256) -> u256\n"
            "    requires num <= 10_000\n"
            "    ensures result <= v\n"
            "{\n"
            "    require num <= 10_000 else \"rate above 100%%\";\n"
            "    let whole = v / 10_000 * num;\n"
            "    let part = v %% 10_000 * num / 10_000;\n"
            "    return whole + part;\n"
            "}\n\n",
            k, m);
        break;
    case 2: {
        unsigned long long n = rin(r, 4, 32);
        put(b,
            "// A cheap non-cryptographic hash of a 64-bit seed, %llu rounds.\n"
            "fn fold%d_%d(seed: u64) -> u64 {\n"
            "    let h: u64 = %llu;\n"
            "    for i in 0..%llu {\n"
            "        h = (h ^ seed) *%% %llu;\n"
            "        h = h ^ (h >> %llu);\n"
            "        h = h +%% (i as u64);\n"
            "    }\n"
            "    return h;\n"
            "}\n\n",
            n, k, m, rin(r, 1, 1ull << 40), n, rin(r, 3, 1ull << 31) | 1, rin(r, 5, 40));
        break;
    }
    default:
        put(b,
            "// The absolute difference of two signed quantities, widened so it cannot overflow.\n"
            "fn spread%d_%d(a: i128, b: i128) -> i256\n"
            "    ensures result >= 0\n"
            "{\n"
            "    let d: i256 = a;\n"
            "    d = d - b;\n"
            "    if d < 0 {\n"
            "        return -d;\n"
            "    }\n"
            "    return d;\n"
            "}\n\n",
            k, m);
        break;
    }
}

/* What free functions file k has, so templates can call them by name. */
typedef struct FileFns {
    int kinds[4]; /* the switch case chosen, per m */
    int n;
} FileFns;

/* ---------------- contract function templates ---------------- */
static void fn_credit(GenBuf *b, Rng *r, int j) {
    unsigned long long cap = rin(r, 1000, 1000000000000ull);
    put(b,
        "    // Admin-only issuance, capped per call.\n"
        "    pub fn %s%d(to: address, amount: u256)\n"
        "        reverts_if msg.sender != admin || amount > %llu\n"
        "        ensures total == old(total) + amount\n"
        "        ensures balances[to] == old(balances[to]) + amount\n"
        "    {\n"
        "        require msg.sender == admin else Unauthorized(msg.sender);\n"
        "        require amount <= %llu else TooLarge(amount, %llu);\n"
        "        total += amount;\n"
        "        balances[to] += amount;\n"
        "        emit Changed(to, amount);\n"
        "    }\n\n",
        PICK(r, NOUNS), j, cap, cap, cap);
}

static void fn_debit(GenBuf *b, Rng *r, int j) {
    put(b,
        "    // Takes tokens out of circulation from an account; returns what is left.\n"
        "    pub fn %s%d(from: address, amount: u256) -> u256\n"
        "        reverts_if msg.sender != admin || balances[from] < amount\n"
        "        ensures total == old(total) - amount\n"
        "        ensures result == balances[from]\n"
        "    {\n"
        "        require msg.sender == admin else Unauthorized(msg.sender);\n"
        "        let have = balances[from];\n"
        "        require have >= amount else TooLarge(amount, have);\n"
        "        balances[from] = have - amount;\n"
        "        total -= amount;\n"
        "        emit Changed(from, amount);\n"
        "        return have - amount;\n"
        "    }\n\n",
        PICK(r, VERBS), j);
}

static void fn_move(GenBuf *b, Rng *r, int j) {
    put(b,
        "    // A holder-to-holder move: the total is untouched.\n"
        "    pub fn move%d(to: address, amount: u256) -> bool\n"
        "        reverts_if balances[msg.sender] < amount\n"
        "        ensures total == old(total)\n"
        "        ensures result\n"
        "    {\n"
        "        let have = balances[msg.sender];\n"
        "        require have >= amount else TooLarge(amount, have);\n"
        "        balances[msg.sender] = have - amount;\n"
        "        balances[to] += amount;\n"
        "        emit Changed(to, amount);\n"
        "        return true;\n"
        "    }\n\n",
        j);
}

static void fn_score(GenBuf *b, Rng *r, int j) {
    unsigned long long n = rin(r, 4, 64);
    int extra = (int)rin(r, 0, 4);
    put(b,
        "    // A scoring pass over the low %llu bits of the seed.\n"
        "    pub view fn score%d(seed: u256) -> u256 {\n"
        "        let acc: u256 = %llu;\n"
        "        for i in 0..%llu {\n"
        "            if ((seed >> i) & 1) == 1 {\n"
        "                acc = acc +%% (i * %llu);\n"
        "            } else if i %% %llu == 0 {\n"
        "                acc = acc ^ seed;\n"
        "            } else {\n"
        "                acc = acc -%% %llu;\n"
        "            }\n",
        n, j, rin(r, 0, 1000000), n, rin(r, 1, 100000), rin(r, 2, 9), rin(r, 1, 99999));
    for (int e = 0; e < extra; e++)
        put(b, "            acc = (acc << %llu) | (acc >> %llu);\n", rin(r, 1, 8),
            rin(r, 200, 255));
    put(b,
        "        }\n"
        "        return acc;\n"
        "    }\n\n");
}

static void fn_record(GenBuf *b, Rng *r, int j, int k) {
    unsigned long long cap = rin(r, 16, 100000);
    put(b,
        "    // Files a record under an id below %llu.\n"
        "    pub fn record%d(id: u256, amount: u256, active: bool)\n"
        "        reverts_if id >= %llu\n"
        "        ensures records[id].amount == amount && records[id].owner == msg.sender\n"
        "    {\n"
        "        require id < %llu else TooLarge(id, %llu);\n"
        "        records[id] = Rec%d { amount: amount, owner: msg.sender, stamp: block.timestamp as u64, active: active };\n"
        "        counter += 1;\n"
        "        emit Stored(id, amount);\n"
        "    }\n\n",
        cap, j, cap, cap, cap, k);
}

static void fn_record_read(GenBuf *b, Rng *r, int j) {
    put(b,
        "    pub view fn recordAmount%d(id: u256) -> u256 {\n"
        "        if !records[id].active {\n"
        "            return %llu;\n"
        "        }\n"
        "        return records[id].amount;\n"
        "    }\n\n",
        j, rin(r, 0, 3));
}

static void fn_push(GenBuf *b, Rng *r, int j, unsigned hcap) {
    put(b,
        "    // Appends to the bounded history; a full history is an error, not a rotation.\n"
        "    pub fn push%d(v: u256)\n"
        "        reverts_if history.len() >= %u\n"
        "        ensures history.len() >= 1\n"
        "    {\n"
        "        require history.len() < %u else Full(history.len());\n"
        "        history.push(v %s %llu);\n"
        "    }\n\n",
        j, hcap, hcap, (rnext(r) & 1) ? "^" : "|", rin(r, 0, 65535));
}

static void fn_hist_sum(GenBuf *b, Rng *r, int j) {
    put(b,
        "    pub view fn historySum%d() -> u256 {\n"
        "        let s: u256 = %llu;\n"
        "        for v in history {\n"
        "            s = s +%% v;\n"
        "        }\n"
        "        return s;\n"
        "    }\n\n",
        j, rin(r, 0, 10));
}

static void fn_quote(GenBuf *b, Rng *r, int j, int k, const FileFns *ff) {
    /* calls one of the file's free functions with the right argument types */
    int m = (int)(rnext(r) % (unsigned)ff->n);
    put(b, "    pub view fn quote%d(x: u256, y: u256) -> u256 {\n", j);
    switch (ff->kinds[m]) {
    case 0:
        put(b, "        let a = mix%d_%d(x, y);\n", k, m);
        break;
    case 1:
        put(b, "        let a = scale%d_%d(x, y %% 10_001);\n", k, m);
        break;
    case 2:
        put(b, "        let a: u256 = fold%d_%d(x as u64);\n", k, m);
        break;
    default:
        put(b, "        let a = (spread%d_%d(x as i128, y as i128) as u256) +%% x;\n", k, m);
        break;
    }
    put(b,
        "        let b = a %% %llu + 1;\n"
        "        return min(a, b * %llu);\n"
        "    }\n\n",
        rin(r, 2, 1000000), rin(r, 1, 1000));
}

static void fn_set_slot(GenBuf *b, Rng *r, int j) {
    put(b,
        "    pub fn setSlot%d(i: u256, v: u256)\n"
        "        reverts_if msg.sender != admin\n"
        "    {\n"
        "        require msg.sender == admin else Unauthorized(msg.sender);\n"
        "        table[i %% 8] = v +%% %llu;\n"
        "    }\n\n",
        j, rin(r, 0, 1000));
}

static void fn_toggle(GenBuf *b, Rng *r, int j) {
    (void)r;
    put(b,
        "    pub fn toggle%d(who: address) -> bool\n"
        "        ensures flags[who] == !old(flags[who])\n"
        "        ensures result == flags[who]\n"
        "    {\n"
        "        let was = flags[who];\n"
        "        flags[who] = !was;\n"
        "        return !was;\n"
        "    }\n\n",
        j);
}

static void fn_search(GenBuf *b, Rng *r, int j) {
    unsigned long long n = rin(r, 8, 48);
    put(b,
        "    // First position whose slot holds the target, or %llu when none does.\n"
        "    pub view fn search%d(target: u256) -> u256 {\n"
        "        for i in 0..%llu {\n"
        "            if i == %llu {\n"
        "                continue;\n"
        "            }\n"
        "            if table[i %% 8] == target {\n"
        "                return i;\n"
        "            }\n"
        "        }\n"
        "        return %llu;\n"
        "    }\n\n",
        n, j, n, rin(r, 0, n - 1), n);
}

static void fn_tick(GenBuf *b, Rng *r, int j) {
    unsigned long long by = rin(r, 1, 1000);
    put(b,
        "    fn bump%d(by: u64) -> u64 {\n"
        "        counter += by;\n"
        "        return counter;\n"
        "    }\n\n"
        "    pub fn tick%d() -> u64\n"
        "        ensures result == old(counter) + %llu\n"
        "    {\n"
        "        return bump%d(%llu);\n"
        "    }\n\n",
        j, j, by, j, by);
}

static void fn_tier(GenBuf *b, Rng *r, int j) {
    unsigned long long c1 = rin(r, 1, 1000), c2 = c1 + rin(r, 1, 100000),
                       c3 = c2 + rin(r, 1, 10000000);
    put(b,
        "    pub view fn tier%d(who: address) -> u8 {\n"
        "        let amount = balances[who];\n"
        "        if amount >= %llu {\n"
        "            return 3;\n"
        "        } else if amount >= %llu {\n"
        "            return 2;\n"
        "        } else if amount >= %llu {\n"
        "            return 1;\n"
        "        }\n"
        "        return 0;\n"
        "    }\n\n",
        j, c3, c2, c1);
}

static void fn_batch(GenBuf *b, Rng *r, int j) {
    unsigned long long n = rin(r, 2, 32);
    put(b,
        "    // Pays the same amount to up to %llu accounts in one transaction.\n"
        "    pub fn batch%d(tos: list<address, %llu>, amount: u256)\n"
        "        ensures total == old(total) + amount * tos.len()\n"
        "    {\n"
        "        require msg.sender == admin else Unauthorized(msg.sender);\n"
        "        for to in tos {\n"
        "            balances[to] += amount;\n"
        "            total += amount;\n"
        "            emit Changed(to, amount);\n"
        "        }\n"
        "    }\n\n",
        n, j, n);
}

static void fn_nonce(GenBuf *b, Rng *r, int j) {
    (void)r;
    put(b,
        "    // One-time tickets per caller: replaying a nonce fails.\n"
        "    pub fn useNonce%d(n: u256)\n"
        "        reverts_if nonces[msg.sender][n]\n"
        "        ensures nonces[msg.sender][n]\n"
        "    {\n"
        "        require !nonces[msg.sender][n] else TooLarge(n, 0);\n"
        "        nonces[msg.sender][n] = true;\n"
        "    }\n\n",
        j);
}

static void fn_digest(GenBuf *b, Rng *r, int j) {
    put(b,
        "    pub view fn digest%d(a: address, n: u256) -> bytes32 {\n"
        "        return keccak256(a, n, self, %llu);\n"
        "    }\n\n",
        j, rin(r, 0, 1ull << 50));
}

static void fn_weighted(GenBuf *b, Rng *r, int j) {
    unsigned long long n = rin(r, 2, 8);
    put(b,
        "    // Weighted sum of the first %llu table slots, weights growing linearly.\n"
        "    pub view fn weighted%d() -> u256 {\n"
        "        let acc: u256 = 0;\n"
        "        let w: u256 = %llu;\n"
        "        for i in 0..%llu {\n"
        "            acc += table[i] / %llu * w;\n"
        "            w += %llu;\n"
        "        }\n"
        "        return acc;\n"
        "    }\n\n",
        n, j, rin(r, 1, 9), n, rin(r, 1ull << 20, 1ull << 40), rin(r, 1, 5));
}

static void fn_payout(GenBuf *b, Rng *r, int j) {
    (void)r;
    put(b,
        "    // Pays out in ether: the books are settled before the value leaves.\n"
        "    pub fn payout%d(to: address, amount: u256)\n"
        "        ensures total == old(total) - amount\n"
        "    {\n"
        "        require msg.sender == admin else Unauthorized(msg.sender);\n"
        "        let have = balances[to];\n"
        "        require have >= amount else TooLarge(amount, have);\n"
        "        balances[to] = have - amount;\n"
        "        total -= amount;\n"
        "        emit Changed(to, amount);\n"
        "        send(to, amount);\n"
        "    }\n\n",
        j);
}

static void fn_fund(GenBuf *b, Rng *r, int j) {
    unsigned long long minv = rin(r, 1, 1000000);
    put(b,
        "    pub payable fn fund%d()\n"
        "        reverts_if msg.value < %llu\n"
        "        ensures balances[msg.sender] == old(balances[msg.sender]) + msg.value\n"
        "    {\n"
        "        require msg.value >= %llu else TooLarge(%llu, msg.value);\n"
        "        balances[msg.sender] += msg.value;\n"
        "        total += msg.value;\n"
        "        emit Changed(msg.sender, msg.value);\n"
        "    }\n\n",
        j, minv, minv, minv);
}

static void fn_sweep(GenBuf *b, Rng *r, int j, int k) {
    (void)r;
    put(b,
        "    // Moves every token of an ERC-20 this contract holds: two typed external calls.\n"
        "    pub fn sweep%d(token: address, to: address) -> bool {\n"
        "        require msg.sender == admin else Unauthorized(msg.sender);\n"
        "        let amount = IToken%d(token).balanceOf(self);\n"
        "        if amount == 0 {\n"
        "            return false;\n"
        "        }\n"
        "        return IToken%d(token).transfer(to, amount);\n"
        "    }\n\n",
        j, k, k);
}

/* ---------------- one file ---------------- */
void gen_file(GenBuf *b, uint64_t seed, int k) {
    Rng r = {seed ^ ((uint64_t)(k + 1) * 0x2545f4914f6cdd1dull)};
    rnext(&r);
    const char *flavour = PICK(&r, FLAVOURS);
    put(b,
        "// bench file %d — generated by bench/frontend/gen.c for the frontend benchmark.\n"
        "// A %s contract: guarded issuance, transfers, records, bounded loops.\n\n",
        k, flavour);

    FileFns ff = {{0}, (int)rin(&r, 2, 4)};
    for (int m = 0; m < ff.n; m++) {
        Rng probe = r;
        ff.kinds[m] = (int)(rnext(&probe) % 4); /* free_fn draws its case first */
        free_fn(b, &r, k, m);
    }

    put(b,
        "interface IToken%d {\n"
        "    fn transfer(to: address, amount: u256) -> bool;\n"
        "    view fn balanceOf(who: address) -> u256;\n"
        "}\n\n",
        k);

    unsigned hcap = (unsigned)rin(&r, 8, 64);
    put(b,
        "contract C%d {\n"
        "    struct Rec%d {\n"
        "        amount: u256,\n"
        "        owner: address,\n"
        "        stamp: u64,\n"
        "        active: bool\n"
        "    }\n\n"
        "    storage admin: address;\n"
        "    pub storage total: u256;\n"
        "    pub storage counter: u64;\n"
        "    storage balances: map<address, u256>;\n"
        "    storage records: map<u256, Rec%d>;\n"
        "    storage history: list<u256, %u>;\n"
        "    storage flags: map<address, bool>;\n"
        "    storage table: [u256; 8];\n"
        "    storage nonces: map<address, map<u256, bool>>;\n\n"
        "    event Changed(indexed who: address, value: u256);\n"
        "    event Stored(indexed id: u256, amount: u256);\n\n"
        "    error Unauthorized(caller: address);\n"
        "    error TooLarge(value: u256, limit: u256);\n"
        "    error Full(size: u256);\n\n"
        "    // Every unit issued is held by someone.\n"
        "    invariant sum(balances) == total;\n"
        "    invariant history.len() <= %u;\n\n"
        "    init() {\n"
        "        admin = msg.sender;\n"
        "    }\n\n"
        "    pub view fn balanceOf(who: address) -> u256 {\n"
        "        return balances[who];\n"
        "    }\n\n",
        k, k, k, hcap, hcap);

    int nfns = (int)rin(&r, 12, 40);
    for (int j = 0; j < nfns; j++) {
        switch (rnext(&r) % 16) {
        case 0: fn_credit(b, &r, j); break;
        case 1: fn_debit(b, &r, j); break;
        case 2: fn_move(b, &r, j); break;
        case 3: fn_score(b, &r, j); break;
        case 4: fn_record(b, &r, j, k); break;
        case 5: fn_record_read(b, &r, j); break;
        case 6: fn_push(b, &r, j, hcap); break;
        case 7: fn_hist_sum(b, &r, j); break;
        case 8: fn_quote(b, &r, j, k, &ff); break;
        case 9: fn_set_slot(b, &r, j); break;
        case 10: fn_toggle(b, &r, j); break;
        case 11: fn_search(b, &r, j); break;
        case 12: fn_tick(b, &r, j); break;
        case 13: fn_tier(b, &r, j); break;
        case 14: fn_batch(b, &r, j); break;
        default:
            switch (rnext(&r) % 6) {
            case 0: fn_nonce(b, &r, j); break;
            case 1: fn_digest(b, &r, j); break;
            case 2: fn_payout(b, &r, j); break;
            case 3: fn_fund(b, &r, j); break;
            case 4: fn_sweep(b, &r, j, k); break;
            default: fn_weighted(b, &r, j); break;
            }
        }
    }
    put(b, "}\n\n");
}
