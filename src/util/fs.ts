import fs from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdirSync(p, { recursive: true })` never returns for some paths (under
 * /proc it loops), so a bad --data-dir would hang instead of failing; creating each missing level ourselves fails
 * with the real error (ENOENT, EACCES, ENOTDIR).
 */
export function mkdirp(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); !fs.existsSync(p); p = path.dirname(p)) {
    missing.push(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing.reverse()) fs.mkdirSync(p);
  if (!fs.statSync(dir).isDirectory()) {
    throw Object.assign(new Error(`${dir} exists and is not a directory`), { code: 'ENOTDIR' });
  }
}
