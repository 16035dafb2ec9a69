#!/usr/bin/env node
// Runs the TypeScript sources through tsx's loader, so that the package needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
await main(process.argv);
