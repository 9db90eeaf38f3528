#!/usr/bin/env node
// Checks that package-lock.json lists, for every locked package, each of its optional dependencies: the native
// builds of the other platforms too (@swc/core-*, @unrs/resolver-binding-*, …). `npm ci` refuses a lock that misses
// one ("package.json and package-lock.json … are not in sync"), even when this machine would not install it.
// Plain JavaScript with no dependency, so it runs before `npm ci`, on any Node the machine has.
//
//   node scripts/check-lock.mjs [path/to/package-lock.json]
//
// Exits 1 and lists what is missing; prints one summary line and exits 0 otherwise.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const text = readFileSync(file, 'utf8');
if (/^(<{7}|>{7}|={7})( |$)/m.test(text)) {
  console.error(`${file}: has merge conflict markers (scripts/lock.sh resolves them)`);
  process.exit(1);
}
const lock = JSON.parse(text);
if (lock.lockfileVersion !== 3) {
  console.error(`${file}: lockfileVersion ${lock.lockfileVersion}, expected 3 (npm 9 or later)`);
  process.exit(1);
}
const packages = lock.packages ?? {};

/** Where Node (and npm) would find `name` from the package at `from`: its own node_modules, then each parent's. */
function resolve(from, name) {
  let dir = from;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (dir === '') return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut === -1 ? '' : dir.slice(0, cut);
  }
}

const missing = [];
let optional = 0;
for (const [where, entry] of Object.entries(packages)) {
  if (entry.link) continue;
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    optional++;
    if (!resolve(where, name)) missing.push(`${name} (optional dependency of ${where || 'the project'})`);
  }
}
if (missing.length > 0) {
  console.error(`${file}: ${missing.length} optional dependencies are missing from the lock:`);
  for (const m of missing) console.error(`  - ${m}`);
  console.error('Regenerate it with scripts/lock.sh.');
  process.exit(1);
}
console.log(`${file}: ${Object.keys(packages).length - 1} packages, all ${optional} optional dependencies listed (every platform)`);
