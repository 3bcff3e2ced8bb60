#!/usr/bin/env node
// fake_driver.mjs — stands in for cli/scenario_evm.mjs (WRIT_SCENARIO_DRIVER) to prove that
// `writ test --target all` fails when targets disagree: every step passes on each target,
// but the second step's outcome differs between the EVM run and the hosted (wasm) run.
import fs from 'fs';
const plan = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const target = process.argv.includes('--host') ? 'wasm' : 'evm';
plan.deployments.forEach((d, i) => console.log(['DEPLOY', i, 'ok', 1, 'ok'].join('\t')));
plan.steps.forEach((s, i) =>
  console.log(['STEP', i, 'pass', 1, 'ok', i === 1 ? `ok 0x${target === 'evm' ? '01' : '02'}` : 'ok 0x'].join('\t')));
