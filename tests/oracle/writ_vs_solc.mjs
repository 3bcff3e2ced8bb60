#!/usr/bin/env node
// writ_vs_solc.mjs — differential test: runs one call spec on solc's build of a contract
// and on Writ's, each on its own @ethereumjs/evm, and compares every call's outcome
// (success, return data, revert data, logs) and the final storage at the slots that the
// accounts used can reach (fixed slots 0..15, map entries keyed by those accounts). Also
// compares the ABI (as a set of entries) and methodIdentifiers.
// Usage: node writ_vs_solc.mjs ORACLE_DIR WRIT_ARTIFACT.json SOLC_BUILD.json SPEC.json
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [oracleDir, writPath, solcPath, specPath] = process.argv.slice(2);
if (!specPath) { console.error('usage: node writ_vs_solc.mjs ORACLE_DIR WRIT_ARTIFACT.json SOLC_BUILD.json SPEC.json'); process.exit(2); }
const { Harness, abiEncode } = await import(pathToFileURL(path.resolve(oracleDir, 'evmrun.mjs')).href);
const { hexToBytes, bytesToHex } = await import(pathToFileURL(path.resolve(oracleDir, 'node_modules/@ethereumjs/util/dist/esm/index.js')).href);
const { keccak_256 } = await import(pathToFileURL(path.resolve(oracleDir, 'node_modules/@noble/hashes/sha3.js')).href);

const writ = JSON.parse(fs.readFileSync(writPath, 'utf8'));
const solc = JSON.parse(fs.readFileSync(solcPath, 'utf8'));
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
let failed = 0;
const fail = (m) => { console.log(`FAIL ${m}`); failed++; };

// ---- ABI and selectors
const canon = (e) => JSON.stringify({ type: e.type, name: e.name ?? '', stateMutability: e.stateMutability ?? '',
  anonymous: e.anonymous ?? false,
  inputs: (e.inputs ?? []).map((p) => [p.type, p.indexed ?? false]), outputs: (e.outputs ?? []).map((p) => p.type) });
const a1 = new Set(writ.abi.map(canon)), a2 = new Set(solc.abi.map(canon));
for (const e of a2) if (!a1.has(e)) fail(`ABI entry of solc missing in Writ's: ${e}`);
for (const e of a1) if (!a2.has(e)) fail(`ABI entry of Writ not in solc's: ${e}`);
if (JSON.stringify(writ.methodIdentifiers) !== JSON.stringify(solc.methodIdentifiers))
  fail(`methodIdentifiers differ:\n  writ ${JSON.stringify(writ.methodIdentifiers)}\n  solc ${JSON.stringify(solc.methodIdentifiers)}`);
else console.log(`pass ABI (${a1.size} entries) and methodIdentifiers`);

// ---- run the spec on both
async function run(creationHex) {
  const h = await Harness.create({ hardfork: spec.hardfork ?? 'prague' });
  let creation = creationHex.replace(/^0x/, '');
  if (spec.constructor && spec.constructor.types)
    creation += abiEncode(spec.constructor.types, spec.constructor.args.map((v, i) => h.resolveArg(spec.constructor.types[i], v)));
  const dep = await h.deploy('0x' + creation, { from: spec.deployer ?? '@deployer' });
  const results = [];
  for (const c of spec.calls) results.push(await h.call(c));
  return { h, dep, results };
}
const W = await run(writ.bytecode.object), S = await run(solc.creation);
console.log(`deploy gas: writ ${W.dep.execGas}, solc ${S.dep.execGas}; runtime size: writ ${W.dep.runtimeSize}, solc ${S.dep.runtimeSize}`);
spec.calls.forEach((c, i) => {
  const w = W.results[i], s = S.results[i];
  const same = w.success === s.success && w.returnData === s.returnData &&
    JSON.stringify(w.logs.map((l) => [l.topics, l.data])) === JSON.stringify(s.logs.map((l) => [l.topics, l.data]));
  const line = `${String(w.label).padEnd(30)} gas writ ${String(w.execGas).padStart(6)} solc ${String(s.execGas).padStart(6)}`;
  if (same) console.log(`pass ${line}`);
  else fail(`${line}\n      writ ${w.success} ${w.returnData} ${JSON.stringify(w.logs)}\n      solc ${s.success} ${s.returnData} ${JSON.stringify(s.logs)}`);
});

// ---- storage
const word = (hex) => hex.replace(/^0x/, '').padStart(64, '0');
const kec = (hex) => bytesToHex(keccak_256(hexToBytes('0x' + hex))).slice(2);
const accounts = [...new Set([...W.h.names.keys()])].map((n) => W.h.addr('@' + n).toString());
const slots = [];
for (let s = 0; s < 16; s++) slots.push(word(s.toString(16)));
for (let s = 0; s < 16; s++) {
  const base = word(s.toString(16));
  slots.push(kec(base));                                   // string data / list data
  for (const a of accounts) {
    const m = kec(word(a) + base);                         // map<address, _>
    slots.push(m);
    for (const b of accounts) slots.push(kec(word(b) + m)); // map<address, map<address, _>>
  }
}
const read = async (h, slot) => {
  const v = await h.evm.stateManager.getStorage(h.self, hexToBytes('0x' + slot));
  return v.length ? BigInt(bytesToHex(v)) : 0n;
};
let nonzero = 0, diff = 0;
for (const slot of slots) {
  const [x, y] = [await read(W.h, slot), await read(S.h, slot)];
  if (x !== 0n || y !== 0n) nonzero++;
  if (x !== y) { diff++; fail(`storage 0x${slot}: writ 0x${x.toString(16)} solc 0x${y.toString(16)}`); }
}
if (!diff) console.log(`pass storage: ${slots.length} slots compared, ${nonzero} non-zero, all equal`);
console.log(failed ? `${failed} differences` : 'Writ and solc agree');
process.exit(failed ? 1 : 0);
