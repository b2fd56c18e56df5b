#!/usr/bin/env node
// Entry point of `npx foresight`: runs the TypeScript CLI through tsx's loader, so the
// command line needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
