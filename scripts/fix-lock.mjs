#!/usr/bin/env node
// The npm registry this project installs from lacks some optional per-platform packages (e.g. msgpackr-extract's
// darwin/win32 builds). `npm install` then leaves them out of package-lock.json, and `npm ci` refuses the lock as out
// of sync. This adds a stub entry (version, os, cpu, optional) for every such missing optional dependency, so that
// `npm ci` skips them as foreign-platform packages. Run it after every `npm install`.
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [where, pkg] of Object.entries(pkgs)) {
  for (const [name, range] of Object.entries(pkg.optionalDependencies ?? {})) {
    const base = where ? `${where}/node_modules/${name}` : `node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (pkgs[base] || pkgs[hoisted]) continue;
    const m = /-(darwin|linux|win32|freebsd|android|openbsd|sunos|aix)-(x64|arm64|arm|ia32|s390x|ppc64|riscv64|loong64)(?:-[a-z]+)?$/.exec(name);
    if (!m) continue;
    pkgs[hoisted] = { version: String(range).replace(/^[\^~=]/, ''), cpu: [m[2]], license: 'MIT', optional: true, os: [m[1]] };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`fix-lock: added ${added} missing optional platform package(s)`);
