/**
 * Crash safety of the LMDB store: a child writes continuously and reports each acknowledged revision; we kill -9 it at
 * random points, reopen the store, and check that every acknowledged write is there and the store opens cleanly.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { openLmdbBackend } from '../../src/storage/lmdb/lmdb-backend.ts';

const writer = fileURLToPath(new URL('../support/crash-writer.ts', import.meta.url));
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

interface Ack {
  rev: number;
  key: string;
  value: string;
}

/** Runs the writer until `afterMs` past its first ack, kills it with SIGKILL, and returns what it acknowledged. */
async function runAndKill(dir: string, cycle: number, afterMs: number): Promise<Ack[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(cycle)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const acks: Ack[] = [];
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const lines = readline.createInterface({ input: child.stdout });
    let killTimer: NodeJS.Timeout | undefined;
    for await (const line of lines) {
      if (line === 'ready') continue;
      const [tag, rev, key, value] = line.split(' ');
      if (tag !== 'ack') continue;
      acks.push({ rev: Number(rev), key: key!, value: value! });
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), afterMs);
    }
    clearTimeout(killTimer);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
  assert.equal(child.signalCode, 'SIGKILL', `writer should have been killed, it exited: ${stderr}`);
  return acks;
}

it('every acknowledged write survives kill -9, over several crashes', { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-crash-'));
  try {
    const all: Ack[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      const acks = await runAndKill(dir, cycle, 200 + Math.floor(Math.random() * 800));
      assert.ok(acks.length > 50, `cycle ${cycle}: the writer made progress (${acks.length} acks)`);
      all.push(...acks);

      const b = await openLmdbBackend({ dir }); // the dead writer's lock is taken over
      try {
        const head = await b.currentRevision();
        const maxAck = Math.max(...all.map((a) => a.rev));
        assert.ok(head >= maxAck, `cycle ${cycle}: head ${head} >= last acknowledged ${maxAck}`);
        for (const a of all) {
          if (a.key === '/crash/hot') {
            const kv = await b.get(a.key, { revision: a.rev });
            assert.equal(kv && dec(kv.value), a.value, `hot key at ${a.rev}`);
            assert.equal(kv!.modRevision, a.rev);
          } else {
            const kv = await b.get(a.key);
            assert.ok(kv, `cycle ${cycle}: acknowledged ${a.key}@${a.rev} is missing`);
            assert.equal(kv.modRevision, a.rev);
            assert.equal(dec(kv.value), a.value);
          }
        }
        // Opens cleanly: every listed key is readable and nothing is newer than the head; writes work.
        const { kvs } = await b.list('/crash/');
        assert.ok(kvs.every((kv) => kv.modRevision <= head));
        const w = await b.create(`/crash/check-${cycle}`, new Uint8Array([1]));
        assert.equal(w.modRevision, head + 1);
      } finally {
        await b.close();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
