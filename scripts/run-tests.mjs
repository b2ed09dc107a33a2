#!/usr/bin/env node
// Runs the test suite: every *.test.ts under src/, test/ and examples/, in path order, one file at a time.
// Node 20's test runner neither expands globs nor finds .ts files itself, so the files are listed explicitly.
//
//   node scripts/run-tests.mjs                    all tests
//   node scripts/run-tests.mjs storage e2e/cli    only files whose path contains one of these strings
//   node scripts/run-tests.mjs --test-name-pattern=snapshot   arguments starting with '-' go to `node --test`
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROOTS = ['src', 'test', 'examples'];

function* testFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') yield* testFiles(path);
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) yield path;
  }
}

const args = process.argv.slice(2);
const nodeArgs = args.filter((a) => a.startsWith('-'));
const patterns = args.filter((a) => !a.startsWith('-'));
const files = ROOTS.flatMap((root) => [...testFiles(join(repo, root))])
  .map((path) => relative(repo, path))
  .filter((path) => patterns.length === 0 || patterns.some((p) => path.includes(p)))
  .sort();

if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files${patterns.length ? ` matching ${patterns.join(', ')}` : ''} under ${ROOTS.join(', ')}`);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--test', '--import', 'tsx', '--test-concurrency=1', ...nodeArgs, ...files],
  { cwd: repo, stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
