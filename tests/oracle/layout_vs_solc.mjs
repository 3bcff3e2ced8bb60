#!/usr/bin/env node
// layout_vs_solc.mjs — compiles a Solidity file with solc-js (from the oracle's packages)
// for its storageLayout and compares it with a Writ artifact's: the same slots, offsets and
// type ids in declaration order (names may differ), and the same type descriptions.
// Usage: node layout_vs_solc.mjs ORACLE_DIR WRIT_ARTIFACT.json FILE.sol CONTRACT
import fs from 'fs';
import path from 'path';
import { createRequire } from 'module';

const [oracleDir, artPath, solPath, contract] = process.argv.slice(2);
const require = createRequire(path.resolve(oracleDir, 'package.json'));
const solc = require('solc');
const input = {
  language: 'Solidity',
  sources: { [path.basename(solPath)]: { content: fs.readFileSync(solPath, 'utf8') } },
  settings: { outputSelection: { '*': { '*': ['storageLayout'] } } },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of out.errors ?? []) if (e.severity === 'error') { console.log(`FAIL solc: ${e.formattedMessage}`); process.exit(1); }
const ref = out.contracts[path.basename(solPath)][contract].storageLayout;
const mine = JSON.parse(fs.readFileSync(artPath, 'utf8')).storageLayout;
let failed = 0;
// struct type ids carry an AST id in solc and an index in Writ: compare names only
const tid = (t) => t.replace(/t_struct\((\w+)\)\d+_storage/g, 't_struct($1)_storage');
const row = (v) => `slot ${v.slot} offset ${v.offset} ${tid(v.type)}`;
const mtypes = Object.fromEntries(Object.entries(JSON.parse(fs.readFileSync(artPath, 'utf8')).storageLayout.types).map(([k, v]) => [tid(k), v]));
if (ref.storage.length !== mine.storage.length) { console.log(`FAIL ${mine.storage.length} variables, solc has ${ref.storage.length}`); failed++; }
ref.storage.forEach((r, i) => {
  const m = mine.storage[i];
  if (!m || row(r) !== row(m)) { console.log(`FAIL ${r.label}: solc ${row(r)}, writ ${m ? `${m.label}: ${row(m)}` : 'none'}`); failed++; }
  else console.log(`pass ${r.label.padEnd(12)} = ${m.label.padEnd(12)} ${row(m)}`);
});
for (const [id, r] of Object.entries(ref.types)) {
  const m = mtypes[tid(id)];
  const keys = ['encoding', 'numberOfBytes', 'key', 'value', 'base'];
  const a = JSON.stringify(keys.map((k) => r[k] && tid(r[k]))), b = m && JSON.stringify(keys.map((k) => m[k] && tid(m[k])));
  if (a !== b) { console.log(`FAIL type ${id}: solc ${a}, writ ${b}`); failed++; }
  for (const [k, mem] of (r.members ?? []).entries()) {
    const mm = m && m.members && m.members[k];
    if (!mm || row(mem) !== row(mm)) { console.log(`FAIL ${id} member ${mem.label}: solc ${row(mem)}, writ ${mm ? row(mm) : 'none'}`); failed++; }
  }
}
console.log(failed ? `${failed} differences` : 'storage layout equal to solc\'s');
process.exit(failed ? 1 : 0);
