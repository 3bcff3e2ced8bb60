#!/usr/bin/env python3
"""gen_arith.py — writes tests/evm/arith/*.writ and *.spec.json: every arithmetic, bitwise,
comparison and cast operator on every integer width class, called on the oracle EVM with
boundary operands; the expected results (or Panic codes) are computed here in Python.
Run it again after changing it; the outputs are committed so that a reviewer reads the diff."""
import json, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'arith')
TYPES = [('u', 8), ('u', 16), ('u', 64), ('u', 128), ('u', 256),
         ('i', 8), ('i', 32), ('i', 128), ('i', 256)]
PANIC = '0x4e487b71' + '0' * 62


def rng(s, b):
    return (0, (1 << b) - 1) if s == 'u' else (-(1 << (b - 1)), (1 << (b - 1)) - 1)


def wrap(s, b, x):
    x &= (1 << b) - 1
    return x - (1 << b) if s == 'i' and x >> (b - 1) else x


def tdiv(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def tmod(a, b):
    return a - tdiv(a, b) * b


def abi(s, b):
    return ('uint' if s == 'u' else 'int') + str(b)


def values(s, b):
    lo, hi = rng(s, b)
    vs = {0, 1, 2, 3, hi, hi - 1, hi // 2, hi // 2 + 1, 255 % (hi + 1), 256 % (hi + 1)}
    if s == 'i':
        vs |= {-1, -2, lo, lo + 1, lo // 2, -3}
    return sorted(v for v in vs if lo <= v <= hi)


def main():
    os.makedirs(OUT, exist_ok=True)
    r = random.Random(1234)
    for s, b in TYPES:
        t = f'{s}{b}'
        name = f'Arith{t.upper()}'
        lo, hi = rng(s, b)
        fns, calls = [], []
        binops = [('add', '+', True), ('sub', '-', True), ('mul', '*', True), ('div', '/', True),
                  ('mod', '%', True), ('wadd', '+%', False), ('wsub', '-%', False),
                  ('wmul', '*%', False), ('band', '&', False), ('bor', '|', False),
                  ('bxor', '^', False)]
        cmps = [('lt', '<'), ('le', '<='), ('gt', '>'), ('ge', '>='), ('eq', '=='), ('ne', '!=')]
        for fn, o, _ in binops:
            fns.append(f'    pub view fn {fn}(a: {t}, b: {t}) -> {t} {{\n        return a {o} b;\n    }}\n')
        for fn, o in cmps:
            fns.append(f'    pub view fn {fn}(a: {t}, b: {t}) -> bool {{\n        return a {o} b;\n    }}\n')
        fns.append(f'    pub view fn bnot(a: {t}) -> {t} {{\n        return ~a;\n    }}\n')
        if s == 'u':
            fns.append(f'    pub view fn shl(a: {t}, n: u16) -> {t} {{\n        return a << n;\n    }}\n')
            fns.append(f'    pub view fn shr(a: {t}, n: u16) -> {t} {{\n        return a >> n;\n    }}\n')
        else:
            fns.append(f'    pub view fn neg(a: {t}) -> {t} {{\n        return -a;\n    }}\n')
        fns.append(f'    pub view fn to_u8(a: {t}) -> u8 {{\n        return a as u8;\n    }}\n')
        fns.append(f'    pub view fn to_i16(a: {t}) -> i16 {{\n        return a as i16;\n    }}\n')
        vs = values(s, b)
        pairs = [(x, y) for x in vs for y in vs]
        r.shuffle(pairs)
        pairs = pairs[:18]
        A = abi(s, b)

        def call(fn, args, types, rtype, res):
            c = {'label': f'{fn}({", ".join(map(str, args))})',
                 'sig': f'{fn}({",".join(types)})({rtype})', 'args': [str(a) for a in args]}
            if isinstance(res, tuple):
                c['expectRevertData'] = PANIC + res[1]
            else:
                c['expect'] = [res if rtype == 'bool' else str(res)]
            calls.append(c)

        for fn, o, checked in binops:
            for x, y in pairs:
                if fn in ('div', 'mod'):
                    if y == 0:
                        call(fn, [x, y], [A, A], A, ('panic', '12'))
                        continue
                    if s == 'i' and x == lo and y == -1:
                        if fn == 'div':
                            call(fn, [x, y], [A, A], A, ('panic', '11'))
                        continue     # min % -1: not asserted here
                    v = tdiv(x, y) if fn == 'div' else tmod(x, y)
                else:
                    v = {'add': x + y, 'sub': x - y, 'mul': x * y, 'wadd': x + y, 'wsub': x - y,
                         'wmul': x * y, 'band': x & y, 'bor': x | y, 'bxor': x ^ y}[fn]
                if checked and not (lo <= v <= hi):
                    call(fn, [x, y], [A, A], A, ('panic', '11'))
                else:
                    call(fn, [x, y], [A, A], A, wrap(s, b, v))
        for fn, o in cmps:
            for x, y in pairs[:10]:
                v = {'lt': x < y, 'le': x <= y, 'gt': x > y, 'ge': x >= y, 'eq': x == y, 'ne': x != y}[fn]
                call(fn, [x, y], [A, A], 'bool', v)
        for x in vs:
            call('bnot', [x], [A], A, wrap(s, b, ~x))
            if s == 'i':
                call('neg', [x], [A], A, ('panic', '11') if x == lo else -x)
            call('to_u8', [x], [A], 'uint8', x if 0 <= x <= 255 else ('panic', '11'))
            call('to_i16', [x], [A], 'int16', x if -32768 <= x <= 32767 else ('panic', '11'))
        if s == 'u':
            for x in vs[:6]:
                for n in (0, 1, 7, b - 1, b, b + 5):
                    call('shl', [x, n], [A, 'uint16'], A, wrap(s, b, x << n) if n < b else 0)
                    call('shr', [x, n], [A, 'uint16'], A, x >> n if n < b else 0)
        src = (f'// {name.lower()}.writ — generated by tests/evm/gen_arith.py: every operator on {t}.\n'
               f'contract {name} {{\n' + '\n'.join(fns) + '}\n')
        with open(os.path.join(OUT, f'{t}.writ'), 'w') as f:
            f.write(src)
        spec = {'input': f'tests/evm/arith/{t}.writ', 'contract': name, 'calls': calls}
        with open(os.path.join(OUT, f'{t}.spec.json'), 'w') as f:
            f.write('{"input": %s, "contract": %s, "calls": [\n' % (json.dumps(spec['input']), json.dumps(name)))
            f.write(',\n'.join(json.dumps(c, separators=(',', ':')) for c in calls))
            f.write('\n]}\n')
        print(t, len(calls), 'calls')


main()
