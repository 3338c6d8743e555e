#!/usr/bin/env node
// Entry point of the `guichet` command: runs the TypeScript sources through tsx's loader,
// so that a fresh `npm install` needs no build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
