#!/usr/bin/env node
// writ_oracle.mjs — runs a call spec (evmrun.mjs's format) against the creation code of a
// Writ artifact (`writ build --target evm`), on the shared oracle's @ethereumjs/evm harness.
// Usage: node writ_oracle.mjs ORACLE_DIR ARTIFACT.json SPEC.json [--json]
// Extensions to evmrun's spec, for what a signature cannot express:
//   { "label": "...", "raw": "0x<calldata>", "from": "@x", "value": "0",
//     "expectRevert": true | "0x<data prefix>", "expectReturn": "0x<exact return data>" }
//   "expectRevertData": "0x..." on any call: the exact revert data (implies expectRevert).
//   In these hex strings @name stands for that account's address as a 32-byte word.
//   "expectTopics": [[topic0, topic1, ...], ...]: the exact topics of each log.
//   "expectStorage": {"0x<slot>": "0x<value>"}: the contract's storage after the call.
//   "constructorRaw": "0x<abi-encoded constructor arguments>" (top level, instead of "constructor").
//   "others": [{"name": "token", "contract": "Token", "constructor": {...}, "deployer": "@x"}]:
//     deployed first from the artifacts beside ARTIFACT.json (run.sh builds "alsoBuild" inputs).
// Prints one line per call with its execution gas; exits 1 when an expectation fails.
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [oracleDir, artifactPath, specPath] = process.argv.slice(2);
if (!specPath) {
  console.error('usage: node writ_oracle.mjs ORACLE_DIR ARTIFACT.json SPEC.json [--json]');
  process.exit(2);
}
const { Harness, abiEncode } = await import(pathToFileURL(path.resolve(oracleDir, 'evmrun.mjs')).href);
const { hexToBytes, bytesToHex } = await import(pathToFileURL(path.resolve(oracleDir, 'node_modules/@ethereumjs/util/dist/esm/index.js')).href);

const artifact = JSON.parse(fs.readFileSync(artifactPath, 'utf8'));
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const h = await Harness.create({ hardfork: spec.hardfork ?? 'prague' });
function resolveHexEarly(x) {
  return x.replace(/@([A-Za-z_]+)/g, (_, n) => h.addr('@' + n).toString().slice(2).padStart(64, '0'));
}
let creation = artifact.bytecode.object.replace(/^0x/, '');
if (spec.constructorRaw) creation += resolveHexEarly(spec.constructorRaw).replace(/^0x/, '');
else if (spec.constructor && spec.constructor.types) {
  const args = spec.constructor.args.map((v, i) => h.resolveArg(spec.constructor.types[i], v));
  creation += abiEncode(spec.constructor.types, args);
}
const out = { deploy: null, calls: [] };
let failed = 0;
// Other contracts first, each under its @name (artifacts beside the main one).
for (const o of spec.others ?? []) {
  const art = JSON.parse(fs.readFileSync(path.join(path.dirname(artifactPath), `${o.contract}.json`), 'utf8'));
  let code = art.bytecode.object.replace(/^0x/, '');
  if (o.constructor && o.constructor.types)
    code += abiEncode(o.constructor.types, o.constructor.args.map((v, i) => h.resolveArg(o.constructor.types[i], v)));
  const d = await h.deploy('0x' + code, { from: o.deployer ?? '@deployer' });
  h.names.set(o.name, h.self);
  console.log(`deploy @${o.name} (${o.contract}): execGas=${d.execGas}`);
}
try {
  out.deploy = await h.deploy('0x' + creation, { from: spec.deployer ?? '@deployer' });
} catch (e) {
  console.log(`FAIL deploy: ${e.message}`);
  process.exit(1);
}
const runtime = artifact.deployedBytecode.object.replace(/^0x/, '');
console.log(`deploy: execGas=${out.deploy.execGas} txGas=${out.deploy.txGas} runtimeSize=${out.deploy.runtimeSize}`);
if (out.deploy.runtimeSize * 2 !== runtime.length) {
  console.log(`FAIL deployed code is ${out.deploy.runtimeSize} bytes, the artifact says ${runtime.length / 2}`);
  failed++;
}

const resolveHex = (s) => s.replace(/@([A-Za-z_]+)/g, (_, n) => h.addr('@' + n).toString().slice(2).padStart(64, '0'));

for (const c of spec.calls ?? []) {
  let r;
  if (c.raw !== undefined) {
    const e = await h.callRaw(h.self, hexToBytes(resolveHex(c.raw)), { from: c.from ?? '@deployer', value: BigInt(c.value ?? 0) });
    r = { label: c.label ?? c.raw, success: !e.exceptionError, execGas: e.executionGasUsed,
          returnData: bytesToHex(e.returnValue), error: e.exceptionError?.error ?? null,
          logs: (e.logs ?? []).map(([a, t, d]) => ({ topics: t.map(bytesToHex), data: bytesToHex(d) })), failures: [] };
    if (c.expectRevert) {
      if (r.success) r.failures.push('expected revert, call succeeded');
      else if (r.error !== 'revert') r.failures.push(`expected REVERT, got ${r.error}`);
      else if (typeof c.expectRevert === 'string' && !r.returnData.startsWith(resolveHex(c.expectRevert).toLowerCase()))
        r.failures.push(`revert data ${r.returnData} does not start with ${c.expectRevert}`);
    } else if (!r.success) r.failures.push(`unexpected failure: ${r.error} ${r.returnData}`);
    if (c.expectReturn !== undefined && r.success && r.returnData !== resolveHex(c.expectReturn).toLowerCase())
      r.failures.push(`return data ${r.returnData} != ${c.expectReturn}`);
  } else {
    r = await h.call(c.expectRevertData !== undefined && c.expectRevert === undefined ? { ...c, expectRevert: true } : c);
  }
  if (c.expectRevertData !== undefined && r.returnData !== resolveHex(c.expectRevertData).toLowerCase())
    r.failures.push(`revert data ${r.returnData} != ${c.expectRevertData}`);
  if (c.expectTopics !== undefined) {
    const got = JSON.stringify(r.logs.map((l) => l.topics));
    const want = JSON.stringify(c.expectTopics.map((ts) => ts.map((t) => resolveHex(t).toLowerCase())));
    if (got !== want) r.failures.push(`log topics ${got} != ${want}`);
  }
  if (c.expectData !== undefined) {
    const got = JSON.stringify(r.logs.map((l) => l.data));
    const want = JSON.stringify(c.expectData.map((d) => resolveHex(d).toLowerCase()));
    if (got !== want) r.failures.push(`log data ${got} != ${want}`);
  }
  for (const [slot, want] of Object.entries(c.expectStorage ?? {})) {
    const key = hexToBytes('0x' + resolveHex(slot).replace(/^0x/, '').padStart(64, '0'));
    const v = await h.evm.stateManager.getStorage(h.self, key);
    const got = v.length ? BigInt(bytesToHex(v)) : 0n;
    if (got !== BigInt(resolveHex(want))) r.failures.push(`storage[${slot}] = 0x${got.toString(16)}, expected ${want}`);
  }
  const status = r.success ? 'ok' : `REVERT ${r.revert ?? r.returnData}`;
  console.log(`${r.failures.length ? 'FAIL' : 'pass'} ${String(r.label).padEnd(34)} execGas=${String(r.execGas).padStart(6)} ${status}`);
  for (const m of r.failures) console.log(`      !! ${m}`);
  if (r.failures.length) failed++;
  out.calls.push({ label: r.label, execGas: String(r.execGas), success: r.success });
}
console.log(`${(spec.calls ?? []).length - failed}/${(spec.calls ?? []).length} calls met expectations`);
if (process.argv.includes('--json')) console.log(JSON.stringify(out));
process.exit(failed ? 1 : 0);
