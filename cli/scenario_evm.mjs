#!/usr/bin/env node
// scenario_evm.mjs — plays a scenario plan on @ethereumjs/evm for `writ test --target evm`.
// Usage: node scenario_evm.mjs ORACLE_DIR PLAN.json [--host]
// ORACLE_DIR holds evmrun.mjs and its node_modules (tests/oracle/setup.sh installs one). The plan
// is written by cli/scenario_evm.c: accounts, deployments (artifact paths) and steps whose
// values are YAML nodes ({k: 's'|'a'|'m', v, q, l, c}). Here the values meet the contracts' ABI:
// arguments are encoded, expectations become exact bytes and compared. Output, one line each,
// tab-separated, read by the C side:
//   ERROR <line> <col> <message>          the scenario is wrong for its contracts (nothing ran)
//   DEPLOY <i> ok|fail <gas> <message>
//   STEP <i> pass|fail <gas> <message> <observed>   observed: what two targets must agree on
// With --host the transactions run in `writ` (the wasm target): the driver asks with REQ lines
// and reads one tab-separated answer line each on stdin (hex without 0x, '-' when empty):
//   REQ FUND <addr> <wei hex>                                   -> ok
//   REQ DEPLOY <i> <from> <wei hex> <time> <has init 0|1> <args> -> RESULT
//   REQ CALL <from> <to> <wei hex> <time> <calldata>             -> RESULT
//   REQ SLOAD <addr> <slot>  |  REQ BALANCE <addr>               -> <32-byte word>
//   RESULT: ok|revert|<halt> <gas> <created address> <data> <nlogs> (<address> <topics,...> <data>)...
import fs from 'fs';
import path from 'path';
import { pathToFileURL } from 'url';

const [oracleDir, planPath] = process.argv.slice(2);
const { Harness, selector, keccakHex } = await import(pathToFileURL(path.resolve(oracleDir, 'evmrun.mjs')).href);
const util = await import(pathToFileURL(path.resolve(oracleDir, 'node_modules/@ethereumjs/util/dist/esm/index.js')).href);
const { Account, hexToBytes, bytesToHex, createAddressFromString, createZeroAddress } = util;

const plan = JSON.parse(fs.readFileSync(planPath, 'utf8'));
const enc = new TextEncoder(), dec = new TextDecoder();
const clean = (s) => String(s).replace(/[\t\n]/g, ' ');
const emit = (...f) => console.log(f.map(clean).join('\t'));

class PlanError extends Error {
  constructor(node, msg) { super(msg); this.node = node; }
}

// ---------------------------------------------------------------- types
// Canonical type strings ('uint256', 'address[]', '(uint256,bool)[2]') parsed into trees.
function splitTop(s) {
  const out = []; let depth = 0, cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  if (cur !== '' || out.length) out.push(cur);
  return out;
}
function parseType(s) {
  if (s.endsWith(']')) {
    const i = s.lastIndexOf('[');
    const n = s.slice(i + 1, -1);
    return { kind: 'array', elem: parseType(s.slice(0, i)), len: n === '' ? null : Number(n), text: s };
  }
  if (s.startsWith('(')) return { kind: 'tuple', comps: splitTop(s.slice(1, -1)).map(parseType), text: s };
  return { kind: 'elem', name: s, text: s };
}
const canon = (p) => p.type.startsWith('tuple')
  ? `(${p.components.map(canon).join(',')})${p.type.slice(5)}` : p.type;
function isDyn(t) {
  if (t.kind === 'elem') return t.name === 'string' || t.name === 'bytes';
  if (t.kind === 'array') return t.len === null || isDyn(t.elem);
  return t.comps.some(isDyn);
}

// ---------------------------------------------------------------- names and values
const h = await Harness.create({ hardfork: 'prague' });
const reverse = new Map();           // lower-case address -> @name, for messages
function nameAddr(name) { const a = h.addr('@' + name); reverse.set(a.toString().toLowerCase(), '@' + name); return a; }
const deployed = new Map();          // deployment name -> {address, abi, layout}
function addrOf(node, text) {
  if (/^0x[0-9a-fA-F]{40}$/.test(text)) return createAddressFromString(text);
  if (text.startsWith('@')) return nameAddr(text.slice(1));
  throw new PlanError(node, `'${text}' is not an address: write @name or 0x followed by 40 hex digits`);
}
const pad = (hex) => hex.padStart(64, '0');
function toInt(node, text) {
  const t = String(text).replace(/_/g, '');
  if (!/^-?(0x[0-9a-fA-F]+|[0-9]+)$/.test(t)) throw new PlanError(node, `'${text}' is not a number`);
  return t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
}
function scalar(node, t) {
  if (node.k !== 's') throw new PlanError(node, `a ${t.text} value must be a scalar, not a ${node.k === 'a' ? 'list' : 'mapping'}`);
  return node.v;
}
// Encodes one value (a YAML node) of type t: hex, no 0x.
function encode(t, node) {
  if (t.kind === 'elem') {
    const n = t.name; let m;
    if (n === 'string') { const b = Buffer.from(enc.encode(scalar(node, t))).toString('hex'); return pad((b.length / 2).toString(16)) + b.padEnd(Math.ceil(b.length / 64) * 64, '0'); }
    if (n === 'bytes') {
      const s = scalar(node, t);
      if (!/^0x([0-9a-fA-F]{2})*$/.test(s)) throw new PlanError(node, `a bytes value is 0x and pairs of hex digits, not '${s}'`);
      const b = s.slice(2); return pad((b.length / 2).toString(16)) + b.padEnd(Math.ceil(b.length / 64) * 64, '0');
    }
    if (n === 'address') return pad(addrOf(node, scalar(node, t)).toString().slice(2));
    if (n === 'bool') {
      const s = scalar(node, t);
      if (s !== 'true' && s !== 'false') throw new PlanError(node, `a bool is true or false, not '${s}'`);
      return pad(s === 'true' ? '1' : '0');
    }
    if ((m = n.match(/^(u?)int(\d*)$/))) {
      const bits = BigInt(m[2] || 256), x = toInt(node, scalar(node, t));
      const lo = m[1] ? 0n : -(1n << (bits - 1n)), hi = m[1] ? (1n << bits) : (1n << (bits - 1n));
      if (x < lo || x >= hi) throw new PlanError(node, `${x} is out of range for ${n}`);
      return pad((x < 0n ? (1n << 256n) + x : x).toString(16));
    }
    if ((m = n.match(/^bytes(\d+)$/))) {
      const s = scalar(node, t);
      if (!/^0x[0-9a-fA-F]*$/.test(s) || s.length - 2 > 2 * +m[1]) throw new PlanError(node, `'${s}' is not a ${n} (0x and up to ${2 * +m[1]} hex digits)`);
      return s.slice(2).padEnd(64, '0');
    }
    throw new PlanError(node, `unsupported ABI type ${n}`);
  }
  if (node.k !== 'a') throw new PlanError(node, `a ${t.text} value must be a list`);
  if (t.kind === 'tuple') {
    if (node.v.length !== t.comps.length) throw new PlanError(node, `${t.text} has ${t.comps.length} fields, the value has ${node.v.length}`);
    return encodeTuple(t.comps, node.v);
  }
  if (t.len !== null && node.v.length !== t.len) throw new PlanError(node, `${t.text} has ${t.len} elements, the value has ${node.v.length}`);
  const body = encodeTuple(node.v.map(() => t.elem), node.v);
  return t.len === null ? pad(node.v.length.toString(16)) + body : body;
}
function encodeTuple(types, nodes) {
  let head = '', tail = '';
  const headLen = types.reduce((a, t) => a + (isDyn(t) ? 32 : staticSize(t)), 0);
  types.forEach((t, i) => {
    const e = encode(t, nodes[i]);
    if (isDyn(t)) { head += pad((headLen + tail.length / 2).toString(16)); tail += e; } else head += e;
  });
  return head + tail;
}
function staticSize(t) {
  if (t.kind === 'elem') return 32;
  if (t.kind === 'array') return t.len * staticSize(t.elem);
  return t.comps.reduce((a, c) => a + staticSize(c), 0);
}

// Splits the text of Name(a, b, "c", [d, e]) into its name and argument nodes (columns
// are those of the whole scalar).
function parseExpr(node) {
  const s = node.v, open = s.indexOf('(');
  const name = s.slice(0, open), body = s.slice(open + 1, -1);
  function items(str) {
    const out = []; let depth = 0, cur = '', inStr = false;
    for (let i = 0; i < str.length; i++) {
      const ch = str[i];
      if (inStr) { cur += ch; if (ch === '\\') cur += str[++i] ?? ''; else if (ch === '"') inStr = false; continue; }
      if (ch === '"') inStr = true;
      if (ch === '[' || ch === '(') depth++;
      if (ch === ']' || ch === ')') depth--;
      if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
    }
    if (cur.trim() !== '' || out.length) out.push(cur.trim());
    return out.map(toNode);
  }
  function toNode(x) {
    if (x.startsWith('"')) {
      try { return { k: 's', v: JSON.parse(x), q: true, l: node.l, c: node.c }; }
      catch { throw new PlanError(node, `bad string ${x} in '${s}'`); }
    }
    if (x.startsWith('[') || x.startsWith('(')) return { k: 'a', v: items(x.slice(1, -1)), l: node.l, c: node.c };
    return { k: 's', v: x, q: false, l: node.l, c: node.c };
  }
  return { name, args: items(body) };
}

// ---------------------------------------------------------------- ABI lookups
const sigOf = (e) => `${e.name}(${e.inputs.map(canon).join(',')})`;
function findError(name, nargs, node, abi) {
  if (name === 'Error') return { sig: 'Error(string)', types: [parseType('string')] };
  if (name === 'Panic') return { sig: 'Panic(uint256)', types: [parseType('uint256')] };
  const cands = abi.filter((e) => e.type === 'error' && e.name === name);
  const e = cands.find((x) => x.inputs.length === nargs);
  if (!e) throw new PlanError(node, cands.length ? `error ${name} takes ${cands[0].inputs.length} arguments, not ${nargs}` : `the contract declares no error '${name}'`);
  return { sig: sigOf(e), types: e.inputs.map((p) => parseType(canon(p))), inputs: e.inputs };
}
function findEvent(name, nargs, node) {
  for (const d of deployed.values()) {
    const e = d.abi.find((x) => x.type === 'event' && x.name === name && x.inputs.length === nargs);
    if (e) return e;
  }
  throw new PlanError(node, `no deployed contract declares an event ${name} with ${nargs} arguments`);
}
// An expected event, Name(args), as the topics and data it must be logged with.
function prepEvent(n) {
  const x = parseExpr(n), e = findEvent(x.name, x.args.length, n);
  const topics = e.anonymous ? [] : [keccakHex(enc.encode(sigOf(e)))];
  const dataTypes = [], dataNodes = [];
  e.inputs.forEach((inp, j) => {
    const t = parseType(canon(inp));
    if (!inp.indexed) { dataTypes.push(t); dataNodes.push(x.args[j]); return; }
    if (t.kind === 'elem' && !isDyn(t)) topics.push('0x' + encode(t, x.args[j]));
    else if (t.kind === 'elem') {
      const v = scalar(x.args[j], t);
      topics.push(keccakHex(t.name === 'string' ? enc.encode(v) : hexToBytes(v)));
    } else throw new PlanError(n, `indexed ${t.text} arguments cannot be checked`);
  });
  return { text: n.v, topics, data: '0x' + encodeTuple(dataTypes, dataNodes) };
}
// Compares the logs with the expected events (all of them, in order); failures go to f.
function checkEvents(want, logs, f) {
  const n = Math.max(want.length, logs.length);
  for (let j = 0; j < n; j++) {
    const w = want[j], g = logs[j];
    if (!g) { f.push(`event ${j + 1}: expected ${w.text}, none emitted`); break; }
    if (!w) { f.push(`event ${j + 1}: unexpected ${showLog(g)}`); break; }
    if (g.topics.join() !== w.topics.join() || g.data !== w.data) { f.push(`event ${j + 1}: expected ${w.text}, got ${showLog(g)}`); break; }
  }
}
function errorCatalogue(abi) {
  const m = new Map([[selector('Error(string)'), { name: 'Error', types: ['string'] }], [selector('Panic(uint256)'), { name: 'Panic', types: ['uint256'] }]]);
  for (const e of abi) if (e.type === 'error') m.set(selector(sigOf(e)), { name: e.name, types: e.inputs.map(canon) });
  return m;
}

// Shows ABI data as values, for messages: elementary types only, hex otherwise.
function show(types, hex) {
  hex = hex.replace(/^0x/, '');
  const out = [];
  for (let i = 0; i < types.length; i++) {
    const t = types[i], w = hex.slice(64 * i, 64 * i + 64);
    if (w.length < 64) return `0x${hex}`;
    let m;
    if (t === 'address') { const a = '0x' + w.slice(24); out.push(reverse.get(a) ?? a); }
    else if (t === 'bool') out.push(BigInt('0x' + w) ? 'true' : 'false');
    else if ((m = t.match(/^uint/))) out.push(BigInt('0x' + w).toString());
    else if (/^int/.test(t)) { const x = BigInt('0x' + w); out.push((x >= (1n << 255n) ? x - (1n << 256n) : x).toString()); }
    else if (/^bytes\d+$/.test(t)) out.push('0x' + w);
    else if (t === 'string') {
      const off = Number(BigInt('0x' + w)) * 2, len = Number(BigInt('0x' + (hex.slice(off, off + 64) || '0')));
      out.push(JSON.stringify(dec.decode(Buffer.from(hex.slice(off + 64, off + 64 + 2 * len), 'hex'))));
    } else return `0x${hex}`;
  }
  return out.join(', ');
}
function showRevert(data, abi) {
  if (data === '0x') return 'revert with no data';
  const e = errorCatalogue(abi).get(data.slice(0, 10));
  if (!e) return `revert 0x${data.slice(2)}`;
  if (e.name === 'Panic') return `revert Panic(0x${BigInt('0x' + (data.slice(10) || '0')).toString(16)})`;
  return `revert ${e.name}(${show(e.types, data.slice(10))})`;
}

// ---------------------------------------------------------------- storage
// DEPLOYMENT.variable followed by [key] (mappings, arrays), .member (structs) or .length
// (dynamic arrays): the slot, byte offset and size of the value, from the storage layout.
function slotOf(node, dep, keyText) {
  const m = keyText.match(/^[A-Za-z_]\w*\.([A-Za-z_]\w*)((?:\[[^\]]*\]|\.[A-Za-z_]\w*)*)$/);
  if (!m) throw new PlanError(node, `'${keyText}' is not DEPLOYMENT.variable followed by [key], .member or .length`);
  const layout = dep.layout;
  const v = layout.storage.find((x) => x.label === m[1]);
  if (!v) throw new PlanError(node, `${keyText}: the contract has no storage variable '${m[1]}' (it has: ${layout.storage.map((x) => x.label).join(', ')})`);
  let slot = BigInt(v.slot), type = v.type, offset = v.offset;
  const U256 = { encoding: 'inplace', label: 'uint256', numberOfBytes: '32' };
  const typeOf = (name) => name === '$length' ? U256 : layout.types[name];
  for (const seg of m[2].matchAll(/\[([^\]]*)\]|\.([A-Za-z_]\w*)/g)) {
    const t = typeOf(type);
    if (seg[2] !== undefined) {
      if (seg[2] === 'length' && t.encoding === 'dynamic_array') { type = '$length'; offset = 0; continue; }
      const mem = (t.members ?? []).find((x) => x.label === seg[2]);
      if (!mem) throw new PlanError(node, `${keyText}: ${t.label} has no member '${seg[2]}'`);
      slot += BigInt(mem.slot); offset = mem.offset; type = mem.type;
      continue;
    }
    const k = seg[1].trim();
    const kn = { k: 's', v: k.replace(/^"(.*)"$/, '$1'), q: k.startsWith('"'), l: node.l, c: node.c };
    if (t.encoding === 'mapping') {
      const kt = layout.types[t.key];
      const keyHex = kt.encoding !== 'inplace' ? Buffer.from(enc.encode(kn.v)).toString('hex')
        : encode(parseType(kt.label.replace(/^contract .*|^enum .*/, 'uint8')), kn);
      slot = BigInt(keccakHex(hexToBytes('0x' + keyHex + pad(slot.toString(16)))));
      type = t.value; offset = 0;
    } else if (t.base !== undefined) {
      // Arrays: elements from keccak256(slot) (dynamic) or from the slot (fixed), packed
      // several to a slot when they are small, as Solidity lays them out.
      const i = toInt(node, kn.v), et = layout.types[t.base], size = Number(et.numberOfBytes);
      const base = t.encoding === 'dynamic_array' ? BigInt(keccakHex(hexToBytes('0x' + pad(slot.toString(16))))) : slot;
      if (size <= 16) { const per = BigInt(Math.floor(32 / size)); slot = base + i / per; offset = Number(i % per) * size; }
      else { slot = base + i * BigInt(Math.ceil(size / 32)); offset = 0; }
      type = t.base;
    } else throw new PlanError(node, `${keyText}: ${t.label} cannot be indexed`);
  }
  const t = typeOf(type);
  if (t.encoding !== 'inplace' || t.members || t.base !== undefined)
    throw new PlanError(node, `${keyText}: only value types can be checked (this is ${t.label}, stored as '${t.encoding}')`);
  return { slot, offset, size: Number(t.numberOfBytes), label: t.label };
}
function storageExpect(node, s) {
  if (s.label === 'address') return BigInt('0x' + encode(parseType('address'), node));
  if (s.label === 'bool') return BigInt('0x' + encode(parseType('bool'), node));
  const x = toInt(node, scalar(node, parseType(s.label)));
  return x < 0n ? (1n << BigInt(8 * s.size)) + x : x;
}
async function readSlot(addr, s) {
  const w = await exec.sload(addr, s.slot);
  return (w >> BigInt(8 * s.offset)) & ((1n << BigInt(8 * s.size)) - 1n);
}

// ---------------------------------------------------------------- running
// The block every transaction runs in: @ethereumjs/evm's stand-alone default with the time a
// deployment or step set (`time:`, kept for the ones after it).
let blockTime = 0n;
const block = () => ({ header: { number: 0n, coinbase: createZeroAddress(), timestamp: blockTime, difficulty: 0n,
  prevRandao: new Uint8Array(32), gasLimit: 0n, baseFeePerGas: undefined, slotNumber: 0n, getBlobGasPrice: () => undefined } });
// Where transactions run. Results: { ok, halt ('revert', another halt, or null), data (0x
// hex), gas, logs: [{address, topics, data}], created (deploy: the Address) }.
const evmExec = {
  async fund(addr, balance) { await h.evm.stateManager.putAccount(addr, new Account(0n, balance)); },
  async tx(from, to, data, value) {
    await h.beginTx(from, to);
    const r = await h.evm.runCall({ caller: from, origin: from, to: to ?? undefined, data, value, gasLimit: 30_000_000n, block: block() });
    const e = r.execResult;
    const intr = Harness.intrinsic(data, !to);
    const ok = !e.exceptionError;
    return { ok, halt: ok ? null : e.exceptionError.error, data: bytesToHex(e.returnValue), created: r.createdAddress,
             gas: Harness.txGas(intr, e.executionGasUsed, ok ? (e.gasRefund ?? 0n) : 0n),
             logs: (e.logs ?? []).map(([a, t, d]) => ({ address: bytesToHex(a), topics: t.map(bytesToHex), data: bytesToHex(d) })) };
  },
  async deploy(from, creationHex, argsHex, hasCtor, value) { return this.tx(from, null, hexToBytes('0x' + creationHex + argsHex), value); },
  async call(from, to, data, value) { return this.tx(from, to, data, value); },
  async sload(addr, slot) {
    const raw = await h.evm.stateManager.getStorage(addr, hexToBytes('0x' + pad(slot.toString(16))));
    return raw.length ? BigInt(bytesToHex(raw)) : 0n;
  },
  async balance(addr) { const a = await h.evm.stateManager.getAccount(addr); return a ? a.balance : 0n; },
};

// --host: `writ test` runs the transactions (the wasm target on the bundled VM). Each request
// is a REQ line on stdout; the answer is one line on stdin.
const stdinBuf = Buffer.alloc(1 << 16);
let pending = '';
function ask(...fields) {
  emit('REQ', ...fields);
  for (;;) {
    const nl = pending.indexOf('\n');
    if (nl >= 0) { const line = pending.slice(0, nl); pending = pending.slice(nl + 1); return line.split('\t'); }
    let n;
    try { n = fs.readSync(0, stdinBuf, 0, stdinBuf.length, null); } catch (e) { if (e.code === 'EAGAIN') continue; throw e; }
    if (n === 0) throw new Error('the host closed the pipe');
    pending += stdinBuf.subarray(0, n).toString('latin1');
  }
}
const hx = (b) => typeof b === 'string' ? b.replace(/^0x/, '') || '-' : (bytesToHex(b).slice(2) || '-');
const unhx = (s) => '0x' + (s === '-' ? '' : s);
function hostResult(f, deploy) {
  // status gas created data nlogs (address topics data)...
  const r = { ok: f[0] === 'ok', halt: f[0] === 'ok' ? null : f[0], gas: BigInt(f[1]), data: unhx(f[3]), logs: [] };
  if (deploy && f[2] !== '-') r.created = createAddressFromString('0x' + f[2]);
  for (let i = 0, k = 5; i < Number(f[4]); i++, k += 3)
    r.logs.push({ address: unhx(f[k]), topics: f[k + 1] === '-' ? [] : f[k + 1].split(',').map((t) => '0x' + t), data: unhx(f[k + 2]) });
  return r;
}
const hostExec = {
  async fund(addr, balance) { ask('FUND', hx(addr.toString()), balance.toString(16)); },
  async deploy(from, creationHex, argsHex, hasCtor, value, index) {
    return hostResult(ask('DEPLOY', index, hx(from.toString()), value.toString(16), blockTime.toString(), hasCtor ? 1 : 0, argsHex || '-'), true);
  },
  async call(from, to, data, value) {
    return hostResult(ask('CALL', hx(from.toString()), hx(to.toString()), value.toString(16), blockTime.toString(), hx(data)), false);
  },
  async sload(addr, slot) { return BigInt(unhx(ask('SLOAD', hx(addr.toString()), pad(slot.toString(16)))[0])); },
  async balance(addr) { return BigInt(unhx(ask('BALANCE', hx(addr.toString()))[0])); },
};
const exec = process.argv.includes('--host') ? hostExec : evmExec;

const fromOf = (n) => nameAddr(n ?? plan.accounts[0].name);

let errors = 0;
const fail = (err) => {
  if (!(err instanceof PlanError)) throw err;
  emit('ERROR', err.node.l, err.node.c, err.message); errors++;
};

// Each expectation is checked on its own, so one step can report several problems.
const guard = (f) => { try { return f(); } catch (err) { fail(err); return undefined; } };
for (const a of plan.accounts) await exec.fund(nameAddr(a.name), toInt(null, a.balance));
for (const [i, d] of plan.deployments.entries()) {
  const art = JSON.parse(fs.readFileSync(d.artifact, 'utf8'));
  const ctor = art.abi.find((x) => x.type === 'constructor') ?? { inputs: [] };
  const argNodes = d.args ? d.args.v : [];
  let argsHex;
  try {
    if (argNodes.length !== ctor.inputs.length)
      throw new PlanError(d.args ?? d, `${d.contract}'s constructor takes ${ctor.inputs.length} arguments, not ${argNodes.length}`);
    argsHex = encodeTuple(ctor.inputs.map((p) => parseType(canon(p))), argNodes);
  } catch (err) { fail(err); continue; }
  let wantRevert;
  if (d.reverts && !(d.reverts.v === 'true' && !d.reverts.q)) {
    try {
      const x = parseExpr(d.reverts), e = findError(x.name, x.args.length, d.reverts, art.abi);
      wantRevert = selector(e.sig) + encodeTuple(e.types, x.args);
    } catch (err) { fail(err); continue; }
  }
  if (d.time !== null) blockTime = toInt(null, d.time);
  const res = await exec.deploy(fromOf(d.from), art.bytecode.object.replace(/^0x/, ''), argsHex, ctor.type === 'constructor', BigInt(d.value ?? 0), i);
  const got = res.ok ? 'success' : res.halt === 'revert' ? showRevert(res.data, art.abi) : `exceptional halt (${res.halt})`;
  if (d.reverts) {
    // A deployment expected to fail: nothing is deployed, the scenario goes on.
    const ok = !res.ok && (wantRevert === undefined || res.data === wantRevert);
    emit('DEPLOY', i, ok ? 'ok' : 'fail', res.gas, ok ? `ok: ${got.replace(/^revert /, 'reverted ')}` : `expected revert ${d.reverts.v === 'true' ? '' : d.reverts.v}`.trim() + `, got ${got}`);
    if (!ok && res.ok) process.exit(0);
    continue;
  }
  if (!res.ok) {
    emit('DEPLOY', i, 'fail', res.gas, `expected success, got ${got}`);
    process.exit(0);
  }
  deployed.set(d.name, { address: res.created, abi: art.abi, layout: art.storageLayout });
  h.names.set(d.name, res.created);
  reverse.set(res.created.toString().toLowerCase(), '@' + d.name);
  if (d.events) {
    const want = d.events.v.map((n) => guard(() => prepEvent(n)));
    if (want.includes(undefined)) continue;
    const f = [];
    checkEvents(want, res.logs, f);
    if (f.length) { emit('DEPLOY', i, 'fail', res.gas, f.join('; ')); continue; }
  }
  emit('DEPLOY', i, 'ok', res.gas, 'ok');
}
if (errors) process.exit(0);

// Every step is checked against the ABI before any runs, so a wrong scenario runs nothing.
const prepared = [];
for (const st of plan.steps) {
  const dep = deployed.get(st.to);
  const fn = dep.abi.find((x) => x.type === 'function' && sigOf(x) === st.sig);
  if (!fn) { fail(new PlanError(st.call, `${st.to} has no function ${st.sig}`)); continue; }
  const ins = fn.inputs.map((p) => parseType(canon(p))), outs = fn.outputs.map((p) => parseType(canon(p)));
  const p = { st, dep, fn, outs };
  p.data = guard(() => {
    const args = st.args ? st.args.v : [];
    if (args.length !== ins.length) throw new PlanError(st.args ?? st.call, `${st.sig} takes ${ins.length} arguments, not ${args.length}`);
    return selector(st.sig) + encodeTuple(ins, args);
  });
  if (st.returns) p.returns = guard(() => {
    const nodes = st.returns.k === 'a' && !(outs.length === 1 && outs[0].kind !== 'elem' && st.returns.v.length !== 1) ? st.returns.v : [st.returns];
    if (nodes.length !== outs.length) throw new PlanError(st.returns, `${st.sig} returns ${outs.length} values, the step expects ${nodes.length}`);
    return '0x' + encodeTuple(outs, nodes);
  });
  if (st.reverts && !(st.reverts.v === 'true' && !st.reverts.q)) p.reverts = guard(() => {
    const x = parseExpr(st.reverts), e = findError(x.name, x.args.length, st.reverts, dep.abi);
    return selector(e.sig) + encodeTuple(e.types, x.args);
  });
  if (st.events) p.events = st.events.v.map((n) => guard(() => prepEvent(n)));
  if (st.storage) p.storage = st.storage.v.map(([k, v]) => guard(() => {
    const dep2 = deployed.get(k.v.slice(0, k.v.indexOf('.')));
    const s = slotOf(k, dep2, k.v);
    return { key: k.v, addr: dep2.address, s, want: storageExpect(v, s), text: v.v };
  }));
  if (st.balances) p.balances = st.balances.v.map(([k, v]) => guard(() => ({ key: k.v, addr: addrOf(k, k.v.startsWith('@') ? k.v : '@' + k.v), want: toInt(v, v.v) })));
  prepared.push(p);
}
if (errors) process.exit(0);

function showLog(l) {
  for (const d of deployed.values()) {
    const e = d.abi.find((x) => x.type === 'event' && !x.anonymous && keccakHex(enc.encode(sigOf(x))) === l.topics[0]);
    if (e) {
      let ti = 1, data = [];
      const nonIdx = e.inputs.filter((x) => !x.indexed).map(canon);
      const shownData = show(nonIdx, l.data).split(', ');
      const args = e.inputs.map((inp) => inp.indexed ? show([canon(inp)].map((t) => /^(string|bytes)$|\[|\(/.test(t) ? 'bytes32' : t), l.topics[ti++]) : (data.push(0), shownData[data.length - 1]));
      return `${e.name}(${args.join(', ')})`;
    }
  }
  return `log [${l.topics.join(',')}] ${l.data}`;
}

for (const [i, p] of prepared.entries()) {
  const st = p.st;
  if (st.time !== null) blockTime = toInt(null, st.time);
  const res = await exec.call(fromOf(st.from), p.dep.address, hexToBytes(p.data), BigInt(st.value ?? 0));
  const f = [];
  const outTypes = p.outs.map((t) => t.text);
  const got = res.ok ? 'success' : res.halt === 'revert' ? showRevert(res.data, p.dep.abi) : `exceptional halt (${res.halt})`;
  if (st.reverts) {
    if (res.ok) f.push(`expected revert ${st.reverts.v === 'true' ? '' : st.reverts.v}`.trim() + `, got success`);
    else if (p.reverts && res.data !== p.reverts) f.push(`expected revert ${st.reverts.v}, got ${got}`);
  } else if (!res.ok) f.push(`expected success, got ${got}`);
  if (res.ok && p.returns !== undefined && res.data !== p.returns)
    f.push(`expected returns (${show(outTypes, p.returns)}), got (${show(outTypes, res.data)})`);
  if (p.events) checkEvents(p.events, res.logs, f);
  const obs = [res.ok ? `ok ${res.data}` : `revert ${res.data}`, ...res.logs.map((l) => `log ${l.topics.join(',')} ${l.data}`)];
  for (const s of p.storage ?? []) {
    const v = await readSlot(s.addr, s.s);
    obs.push(`storage ${s.key}=${v}`);
    if (v !== s.want) f.push(`storage ${s.key}: expected ${s.text}, got ${s.s.label === 'address' ? (reverse.get('0x' + v.toString(16).padStart(40, '0')) ?? '0x' + v.toString(16).padStart(40, '0')) : s.s.label === 'bool' ? v !== 0n : v}`);
  }
  for (const b of p.balances ?? []) {
    const v = await exec.balance(b.addr);
    obs.push(`balance ${b.key}=${v}`);
    if (v !== b.want) f.push(`balance of ${b.key}: expected ${b.want}, got ${v}`);
  }
  if (st.gas_at_most !== undefined && res.gas > toInt(null, st.gas_at_most))
    f.push(`gas ${res.gas} is over gas_at_most ${st.gas_at_most}`);
  const okMsg = res.ok ? 'ok' : `ok: ${got.replace(/^revert /, 'reverted ')}`;
  // Deployment addresses differ between targets (CREATE vs the VM's own rule): outcomes name
  // them, so that targets can be compared.
  let observed = obs.join(' | ');
  for (const [a, name] of reverse) observed = observed.split(a.slice(2)).join(name);
  emit('STEP', i, f.length ? 'fail' : 'pass', res.gas, f.length ? f.join('; ') : okMsg, observed);
}
