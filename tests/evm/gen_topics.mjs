// gen_topics.mjs ORACLE_DIR > topics.spec.json — the expected topics of tests/evm/cases/
// topics.writ, computed here independently of the backend: keccak256 of solc's in-place
// encoding of indexed aggregates (ABI words, strings padded to 32 bytes, no lengths, no
// offsets). Needs js-sha3 from the oracle folder (tests/oracle/setup.sh).
import { createRequire } from 'node:module';
const require = createRequire(process.argv[2] + '/node_modules/');
const { keccak256 } = require('js-sha3');
const word = (v) => (BigInt.asUintN(256, BigInt(v))).toString(16).padStart(64, '0');
const pad = (s) => { const h = Buffer.from(s).toString('hex'); return h + '0'.repeat((64 - h.length % 64) % 64); };
const hash = (hex) => '0x' + keccak256(Buffer.from(hex, 'hex'));
const sig = (s) => hash(Buffer.from(s).toString('hex'));
const topic0P = sig('Points((uint64,int64),uint32[2],uint256)');
const topic0T = sig('Tagged((uint8,string,uint16[]),uint16[],string)');
const calls = [];
for (const [x, y, a0, a1] of [[5, -3, 1, 4294967295], [0, 0, 0, 0]]) {
  calls.push({
    label: `points ${x} ${y}`,
    raw: '0x2d049f75' + word(x) + word(y) + word(a0) + word(a1),
    expectTopics: [[topic0P, hash(word(x) + word(y)), hash(word(a0) + word(a1))]],
  });
}
for (const [id, name, vals] of [[9, 'writ', [1, 2, 65535]], [0, '', []], [255, 'sixteen chars ok', [7]]]) {
  // tagged((uint8,string,uint16[])): one dynamic tuple
  const nameEnc = word(Buffer.from(name).length) + pad(name);
  const valsEnc = word(vals.length) + vals.map(word).join('');
  const tuple = word(id) + word(96) + word(96 + nameEnc.length / 2) + nameEnc + valsEnc;
  calls.push({
    label: `tagged ${JSON.stringify(name)}`,
    raw: '0x3317d016' + word(32) + tuple,
    expectTopics: [[topic0T, hash(word(id) + pad(name) + vals.map(word).join('')),
                    hash(vals.map(word).join('')), hash(Buffer.from(name).toString('hex'))]],
  });
}
console.log(JSON.stringify({ input: 'tests/evm/cases/topics.writ', contract: 'Topics', calls }, null, 1));
