#!/usr/bin/env node
// `npm run bench`: registers tsx, then runs scripts/bench.ts (engine vs the numpy reference).
import './relaxed-simd.js';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/bench.ts');
process.exitCode = await main(process.argv.slice(2));
