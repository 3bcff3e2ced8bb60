#!/usr/bin/env python3
"""Builds a copy of the spec suite's JSON folder in which every binary module (.wasm) is
replaced by its original text from wast/NAME.wast, so `writ vm spec OUT` runs the whole suite
through the WAT reader: usage text_suite.py WASM_SPEC_DIR OUT_DIR."""
import json, os, shutil, sys

def sexpr_end(src, i):
    """Index after the balanced s-expression starting at src[i] == '('."""
    depth = 0
    n = len(src)
    while i < n:
        c = src[i]
        if c == '"':
            i += 1
            while i < n and src[i] != '"':
                i += 2 if src[i] == '\\' else 1
            i += 1
            continue
        if src.startswith(';;', i):
            while i < n and src[i] != '\n':
                i += 1
            continue
        if src.startswith('(;', i):
            level = 1
            i += 2
            while i < n and level:
                if src.startswith('(;', i): level += 1; i += 2
                elif src.startswith(';)', i): level -= 1; i += 2
                else: i += 1
            continue
        if c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError('unbalanced')

def main():
    spec, out = sys.argv[1], sys.argv[2]
    jdir = os.path.join(spec, 'json')
    for name in sorted(os.listdir(jdir)):
        wast = os.path.join(spec, 'wast', name + '.wast')
        jpath = os.path.join(jdir, name, name + '.json')
        if not os.path.exists(wast) or not os.path.exists(jpath):
            continue
        src = open(wast, encoding='utf-8', errors='surrogateescape').read()
        starts = [0]
        for k, ch in enumerate(src):
            if ch == '\n':
                starts.append(k + 1)
        doc = json.load(open(jpath))
        odir = os.path.join(out, name)
        os.makedirs(odir, exist_ok=True)
        for f in os.listdir(os.path.join(jdir, name)):
            shutil.copy(os.path.join(jdir, name, f), odir)
        for c in doc['commands']:
            fn = c.get('filename')
            if not fn or not fn.endswith('.wasm'):
                continue
            pos = starts[c['line'] - 1]
            pos = src.find('(module', pos)
            text = src if pos < 0 else src[pos:sexpr_end(src, pos)]  # bare fields: the whole file
            wat = fn[:-5] + '.from-wast.wat'
            open(os.path.join(odir, wat), 'w', encoding='utf-8', errors='surrogateescape').write(text)
            c['filename'] = wat
        json.dump(doc, open(os.path.join(odir, name + '.json'), 'w'))

main()
