#!/usr/bin/env node
// The `backprop-lab` command: registers tsx so the TypeScript sources run without a build step,
// then hands the arguments to electron/cli.ts (plain Node; it never loads Electron).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli.ts');
process.exitCode = await main(process.argv.slice(2));
