#!/usr/bin/env node
// smoke.mjs — deploys a Writ artifact with default constructor arguments and calls every
// ABI function with default arguments, from two senders, twice. Passes when every call
// either succeeds or REVERTs: an exceptional halt (invalid jump, stack underflow, invalid
// opcode, out of gas) is a code generation bug.
// Usage: node smoke.mjs ORACLE_DIR ARTIFACT.json
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [oracleDir, artifactPath] = process.argv.slice(2);
const { Harness, abiEncode } = await import(pathToFileURL(path.resolve(oracleDir, 'evmrun.mjs')).href);
const art = JSON.parse(fs.readFileSync(artifactPath, 'utf8'));
const scalar = (t) => /^(u?int\d*|address|bool|bytes\d+|string|bytes)$/.test(t);
const simple = (t) => scalar(t) || /^(u?int\d*|address|bool|bytes\d+)\[\]$/.test(t);
const dflt = (t) => t === 'address' ? '@alice' : t === 'bool' ? true : t === 'string' ? 'abc' :
  /^bytes\d+$/.test(t) ? '0x01' : t === 'bytes' ? '0x01' : /^int/.test(t) ? '-1' : '1';
const h = await Harness.create({});
// evmrun encodes scalars; lists of value types (T[]) are encoded here: two elements each.
const word = (t, v) => abiEncode([t], [h.resolveArg(t, v)]);
function encodeArgs(types) {
  let head = '', tail = '';
  for (const t of types) {
    if (t.endsWith('[]')) {
      const et = t.slice(0, -2), n = 2;
      head += (32 * types.length + tail.length / 2).toString(16).padStart(64, '0');
      tail += n.toString(16).padStart(64, '0');
      for (let i = 0; i < n; i++) tail += et === 'address' ? word(et, i ? '@bob' : '@alice') : word(et, dflt(et));
    } else if (t === 'string' || t === 'bytes') {
      const enc = abiEncode([t], [dflt(t)]);
      head += (32 * types.length + tail.length / 2).toString(16).padStart(64, '0');
      tail += enc.slice(64);
    } else {
      head += word(t, dflt(t));
    }
  }
  return head + tail;
}
let creation = art.bytecode.object.replace(/^0x/, '');
const ctor = art.abi.find((e) => e.type === 'constructor');
if (ctor) {
  const types = ctor.inputs.map((p) => p.type);
  if (!types.every(simple)) { console.log('SKIP: constructor arguments of unsupported types'); process.exit(0); }
  creation += encodeArgs(types);
}
const value = 0n;
let dep;
try {
  dep = await h.deploy('0x' + creation, { value });
} catch (e) {
  // a REVERT with default arguments is the contract's business; a halt is ours
  if (/deploy failed: revert /.test(e.message)) { console.log(`SKIP: the constructor reverts with default arguments (${e.message})`); process.exit(0); }
  console.log(`FAIL ${e.message}`);
  process.exit(1);
}
console.log(`deploy: runtime ${dep.runtimeSize} bytes, ${dep.execGas} gas`);
let bad = 0, n = 0;
for (const round of [0, 1])
  for (const from of ['@deployer', '@alice'])
    for (const f of art.abi.filter((e) => e.type === 'function')) {
      const types = f.inputs.map((p) => p.type);
      if (!types.every(simple)) continue;
      const sig = `${f.name}(${types.join(',')})`;
      if (!types.every(scalar)) continue;
      const r = await h.call({ sig, args: types.map(dflt), from, value: f.stateMutability === 'payable' ? '5' : '0', expectRevert: 'any' });
      n++;
      if (r.error && r.error !== 'revert') { bad++; console.log(`FAIL ${sig} from ${from}: ${r.error}`); }
      else if (round === 0 && from === '@deployer') console.log(`ok   ${sig.padEnd(40)} ${r.success ? 'returned' : 'reverted ' + r.revert}`);
    }
console.log(`${n - bad}/${n} calls ended normally`);
process.exit(bad ? 1 : 0);
