#!/usr/bin/env node
// The package ships TypeScript sources and runs them through tsx (a dependency),
// so `npm install && npx wxlogistics serve` works on a fresh clone without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
