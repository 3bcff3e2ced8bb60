#!/usr/bin/env node
// gas.mjs — the gas half of `writ bench evm`: runs the reference call spec on solc's two
// builds of Token.sol (optimizer runs=200, and via-IR) and on Writ's builds of
// examples/erc20.writ, each on its own @ethereumjs/evm in this run, and prints every figure
// with the ratio Writ / solc and the target. Writ's builds: "all checks" (every runtime check
// kept) and, with --default, the default build (checks the verifier proved removed); the
// ratios and the targets' verdicts are given for both. Results (success, return data, logs)
// of every Writ build must agree with solc's opt200 build call by call, else the exit
// status is 1.
// Usage: node gas.mjs ORACLE_DIR WRIT_ARTIFACT.json REFERENCE_DIR [COMPILE_MS]
//                     [--default DEFAULT_ARTIFACT.json [--default-compile MS]] [--enforce]
// Exit status: 1 when results differ from solc's, 3 with --enforce when the default build
// (or the only build) misses a target.
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); if (i < 0) return undefined; const v = argv[i + 1]; argv.splice(i, 2); return v; };
const enforce = argv.includes('--enforce');
const defaultPath = opt('--default');
const defaultMs = opt('--default-compile');
const [oracleDir, writPath, refDir, compileMs] = argv.filter((a) => a !== '--enforce');
if (!refDir) { console.error('usage: node gas.mjs ORACLE_DIR WRIT_ARTIFACT.json REFERENCE_DIR [COMPILE_MS] [--default ARTIFACT.json [--default-compile MS]] [--enforce]'); process.exit(2); }
const { Harness, abiEncode } = await import(pathToFileURL(path.resolve(oracleDir, 'evmrun.mjs')).href);
const spec = JSON.parse(fs.readFileSync(path.join(refDir, 'erc20.spec.json'), 'utf8'));

async function run(creationHex) {
  const h = await Harness.create({ hardfork: spec.hardfork ?? 'prague' });
  let creation = creationHex.replace(/^0x/, '');
  if (spec.constructor && spec.constructor.types)
    creation += abiEncode(spec.constructor.types, spec.constructor.args.map((v, i) => h.resolveArg(spec.constructor.types[i], v)));
  const dep = await h.deploy('0x' + creation, { from: spec.deployer ?? '@deployer' });
  const calls = new Map();
  const results = [];
  for (const c of spec.calls) {
    const r = await h.call(c);
    results.push(r);
    if (!calls.has(c.label)) calls.set(c.label, r.execGas);
  }
  return { dep, calls, results };
}

const t0 = Date.now();
const writ = JSON.parse(fs.readFileSync(writPath, 'utf8'));
const W = await run(writ.bytecode.object);
const D = defaultPath ? await run(JSON.parse(fs.readFileSync(defaultPath, 'utf8')).bytecode.object) : null;
const O = await run(JSON.parse(fs.readFileSync(path.join(refDir, 'Token.opt200.json'), 'utf8')).creation);
const V = await run(JSON.parse(fs.readFileSync(path.join(refDir, 'Token.viair.json'), 'utf8')).creation);

// [figure, getter, target (Writ must be <= it), strict]
const rows = [
  ['runtime size (bytes)', (r) => r.dep.runtimeSize, 1200],
  ['deploy gas', (r) => r.dep.execGas, 441254],
  ['transfer, new holder', (r) => r.calls.get('transfer alice->bob (cold)'), 29100],
  ['transfer, existing holder', (r) => r.calls.get('transfer alice->bob (warm)'), 12000],
  ['approve', (r) => r.calls.get('approve alice->carol'), 24000],
  ['transferFrom', (r) => r.calls.get('transferFrom alice->dave'), 34600],
  ['mint', (r) => r.calls.get('mint owner->alice'), null],
  ['balanceOf', (r) => r.calls.get('balanceOf(alice)'), null],
  ['allowance', (r) => r.calls.get('allowance(alice,carol)'), null],
  ['transfer over balance', (r) => r.calls.get('transfer > balance (revert)'), null],
];
const ratio = (a, b) => (a / b).toFixed(3);
const verdict = (w, target) => target === null ? '' : w <= target ? 'met' : 'MISSED';
const line = (cols) => console.log(cols[0].padEnd(26) + cols.slice(1).map((c) => String(c).padStart(11)).join(''));
if (D) {
  console.log('writ: every check kept;  writ dflt: the default build (checks the verifier proved removed);');
  console.log('ratios are writ dflt / solc; the verdicts are for all checks, then for the default build');
  line(['figure', 'writ', 'writ dflt', 'solc-200', 'ratio', 'solc-viaIR', 'ratio', 'target', 'all checks', 'default']);
} else {
  line(['figure', 'writ', 'solc-200', 'ratio', 'solc-viaIR', 'ratio', 'target', '']);
}
let missed = 0;
for (const [name, get, target] of rows) {
  const w = Number(get(W)), o = Number(get(O)), v = Number(get(V));
  if (D) {
    const d = Number(get(D));
    if (verdict(d, target) === 'MISSED') missed++;
    line([name, w, d, o, ratio(d, o), v, ratio(d, v), target ?? '-', verdict(w, target), verdict(d, target)]);
  } else {
    if (verdict(w, target) === 'MISSED') missed++;
    line([name, w, o, ratio(w, o), v, ratio(w, v), target ?? '-', verdict(w, target)]);
  }
}
const msCell = (ms) => ms === undefined || ms === '-' ? '-' : Number(ms).toFixed(2);
const msVerdict = (ms) => ms === undefined || ms === '-' ? '-' : Number(ms) <= 20 ? 'met' : 'MISSED';
if (compileMs !== undefined) {
  if (D) {
    line(['compile to EVM (ms)', msCell(compileMs), msCell(defaultMs), '-', '-', '-', '-', 20,
          msVerdict(compileMs), msVerdict(defaultMs)]);
    if (msVerdict(defaultMs) === 'MISSED' || (defaultMs === undefined || defaultMs === '-') && msVerdict(compileMs) === 'MISSED') missed++;
  } else {
    line(['compile to EVM (ms)', msCell(compileMs), '-', '-', '-', '-', 20, msVerdict(compileMs)]);
    if (msVerdict(compileMs) === 'MISSED') missed++;
  }
}
let differ = 0;
for (const [tag, X] of [['all checks', W], ['default', D]]) {
  if (!X) continue;
  spec.calls.forEach((c, i) => {
    const w = X.results[i], s = O.results[i];
    if (w.success !== s.success || w.returnData !== s.returnData ||
        JSON.stringify(w.logs.map((l) => [l.topics, l.data])) !== JSON.stringify(s.logs.map((l) => [l.topics, l.data]))) {
      console.log(`DIFFERENT from solc (${tag}): ${c.label}`);
      differ++;
    }
  });
}
console.log(`${spec.calls.length} calls${D ? ' on each build' : ''}, ${differ ? differ + ' differ from solc' : 'results identical to solc'}; ` +
            `${missed} target(s) missed${D ? ' by the default build' : ''}; oracle time ${Date.now() - t0} ms`);
process.exit(differ ? 1 : enforce && missed ? 3 : 0);
