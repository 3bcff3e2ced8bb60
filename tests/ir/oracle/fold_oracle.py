#!/usr/bin/env python3
"""fold_oracle.py IR_TOOL [SEED] — checks the fold pass against Python's integers.

Writes random constant expressions and checks (every op with a fold rule, widths 8..256,
signed and unsigned, values biased to the edges), runs `ir_tool opt fold`, and compares
every folded constant and every kept/removed check with the semantics of ir/ops.def
computed here independently."""
import os, random, subprocess, sys, tempfile

def wrap(v, bits, signed):
    v &= (1 << bits) - 1
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v

def fits(v, bits, signed):
    return (-(1 << (bits - 1)) <= v < (1 << (bits - 1))) if signed else (0 <= v < (1 << bits))

def tdiv(a, b):  # truncating toward zero
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q

def tmod(a, b):
    return a - b * tdiv(a, b)

def sample(rng, bits, signed):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    edges = [lo, hi, 0, 1, lo + 1, hi - 1] + ([-1, -2] if signed else [2])
    if rng.random() < 0.5:
        return rng.choice(edges)
    return rng.randint(lo, hi)

BIN = ["add", "sub", "mul", "div", "mod", "and", "or", "xor", "eq", "ne", "lt", "le", "gt", "ge"]
CHECKS = ["check.add", "check.sub", "check.mul", "check.div", "check.neg"]

def expect(op, a, b, bits, signed):
    if op == "add": return wrap(a + b, bits, signed)
    if op == "sub": return wrap(a - b, bits, signed)
    if op == "mul": return wrap(a * b, bits, signed)
    if op == "div": return 0 if b == 0 else wrap(tdiv(a, b), bits, signed)
    if op == "mod": return 0 if b == 0 else wrap(tmod(a, b), bits, signed)
    if op == "and": return wrap(a & b, bits, signed)
    if op == "or": return wrap(a | b, bits, signed)
    if op == "xor": return wrap(a ^ b, bits, signed)
    if op == "neg": return wrap(-a, bits, signed)
    if op == "not": return wrap(~a, bits, signed)
    cmp = {"eq": a == b, "ne": a != b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}
    return "true" if cmp[op] else "false"

def check_passes(op, a, b, bits, signed):
    if op == "check.add": return fits(a + b, bits, signed)
    if op == "check.sub": return fits(a - b, bits, signed)
    if op == "check.mul": return fits(a * b, bits, signed)
    if op == "check.div": return b != 0 and fits(tdiv(a, b), bits, signed)
    if op == "check.neg": return fits(-a, bits, signed)

def main():
    tool = sys.argv[1]
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    lines, want, checks = ["module Oracle", "", "fn f() {", "bb0:"], {}, []
    n = 0
    def const(t, v):
        nonlocal n
        lines.append(f"    %{n} = const {t} {v}")
        n += 1
        return n - 1
    for case in range(1500):
        bits = rng.choice([8, 16, 24, 64, 128, 160, 248, 256])
        signed = rng.random() < 0.5
        t = ("i" if signed else "u") + str(bits)
        a, b = sample(rng, bits, signed), sample(rng, bits, signed)
        kind = rng.random()
        ia, ib = const(t, a), const(t, b)
        if kind < 0.55:
            op = rng.choice(BIN)
            rt = "bool" if op in ("eq", "ne", "lt", "le", "gt", "ge") else t
            lines.append(f"    %{n} = {op} {rt} %{ia}, %{ib}")
            want[n] = (expect(op, a, b, bits, signed), f"{op} {t} {a}, {b}")
            n += 1
        elif kind < 0.65:
            op = rng.choice(["neg", "not"])
            lines.append(f"    %{n} = {op} {t} %{ia}")
            want[n] = (expect(op, a, 0, bits, signed), f"{op} {t} {a}")
            n += 1
        elif kind < 0.75:
            amount = rng.choice([0, 1, bits - 1, bits, bits + 1, 255, 256, 1000, rng.randint(0, bits)])
            isa = const("u256", amount)
            op = rng.choice(["shl", "shr"])
            lines.append(f"    %{n} = {op} {t} %{ia}, %{isa}")
            if amount >= bits:
                r = (-1 if (signed and a < 0) else 0) if op == "shr" else 0
            else:
                r = wrap(a << amount, bits, signed) if op == "shl" else wrap(a >> amount, bits, signed) if signed else (a >> amount)
            want[n] = (r, f"{op} {t} {a}, {amount}")
            n += 1
        elif kind < 0.85:
            tb = rng.choice([8, 16, 64, 160, 256])
            ts = rng.random() < 0.5
            tt = ("i" if ts else "u") + str(tb)
            lines.append(f"    %{n} = cast {tt} %{ia}")
            want[n] = (wrap(a, tb, ts), f"cast {tt} of {t} {a}")
            n += 1
            checks.append((len(lines), f"check.cast {tt} %{ia}", fits(a, tb, ts)))
            lines.append(f"    check.cast {tt} %{ia}")
        else:
            op = rng.choice(CHECKS)
            text = f"    {op} %{ia}" + ("" if op == "check.neg" else f", %{ib}")
            if op == "check.neg" and not signed:
                continue  # no fold rule for unsigned negation checks
            checks.append((len(lines), text.strip(), check_passes(op, a, b, bits, signed)))
            lines.append(text)
    lines += ["    ret", "}", ""]
    with tempfile.NamedTemporaryFile("w", suffix=".wir", delete=False) as f:
        f.write("\n".join(lines))
        path = f.name
    try:
        out = subprocess.run([tool, "opt", "fold", path], capture_output=True, text=True)
    finally:
        os.unlink(path)
    if out.returncode != 0:
        print(out.stdout[-2000:], out.stderr[-2000:])
        return 1
    got, kept = {}, set()
    for line in out.stdout.splitlines():
        s = line.strip()
        if s.startswith("%") and " = const " in s:
            k, rest = s[1:].split(" = const ", 1)
            v = rest.split(" ", 1)[1]
            got[int(k)] = v
        elif s.startswith("check."):
            kept.add(s)
    bad = 0
    for k, (w, what) in want.items():
        g = got.get(k)
        if g is None or (g != str(w) and not (g.startswith("0x") and int(g, 16) == w)):
            print(f"%{k} = {what}: folded to {g}, expected {w}")
            bad += 1
    kept_list = [l.strip() for l in out.stdout.splitlines() if l.strip().startswith("check.")]
    for _, text, passes in checks:
        if passes and text in kept_list:
            print(f"{text}: passes but was kept")
            bad += 1
        if not passes and text not in kept_list:
            print(f"{text}: fails but was removed")
            bad += 1
    print(f"{len(want)} folds, {len(checks)} checks, {bad} wrong")
    return 1 if bad else 0

sys.exit(main())
