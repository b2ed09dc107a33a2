// Drives the real ./k8ts launcher as a child process: usage errors, the server lifecycle on the embedded store, and
// snapshot save/restore. Every process started here is tracked and killed by PID in `after`.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openBackend } from '../../src/storage/index.ts';

const K8TS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'k8ts');
const READY_TIMEOUT_MS = 30_000;

const children = new Set<ChildProcess>();
let tmp: string;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'k8ts-cli-'));
});

after(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await rm(tmp, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A k8ts process; `output` accumulates stdout and stderr while it runs. */
class K8ts {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Result>;

  constructor(args: string[]) {
    // cwd = the temp dir: the launcher must find the repo from its own path.
    this.child = spawn(K8TS, args, { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, K8TS_DEBUG: '' } });
    children.add(this.child);
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('close', (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      );
    });
  }

  /** Resolves once stdout has a line matching `pattern`; fails if the process exits first or it takes too long. */
  async waitFor(pattern: RegExp, timeoutMs = READY_TIMEOUT_MS): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        const r = await this.exited;
        assert.fail(`k8ts exited (${r.code ?? r.signal}) before printing ${pattern}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      }
      if (Date.now() > deadline) {
        assert.fail(`no ${pattern} within ${timeoutMs} ms\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGTERM to this PID; resolves with how the process ended. */
  async stop(): Promise<Result> {
    this.child.kill('SIGTERM');
    return this.exited;
  }
}

const run = (...args: string[]) => new K8ts(args).exited;
const startServer = async (dataDir: string) => {
  const server = new K8ts(['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0']);
  await server.waitFor(/store ready/);
  return server;
};
const describeExit = (r: Result) => `exit ${r.code ?? r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

describe('k8ts CLI usage', () => {
  test('--help lists the server and store commands', async () => {
    const r = await run('--help');
    assert.equal(r.code, 0, describeExit(r));
    assert.match(r.stdout, /^\s+server\b/m);
    assert.match(r.stdout, /^\s+store\b/m);
  });

  test('an unknown subcommand exits 2, names it and points at --help', async () => {
    const r = await run('frobnicate');
    assert.equal(r.code, 2, describeExit(r));
    assert.match(r.stderr, /unknown command 'frobnicate'/);
    assert.match(r.stderr, /k8ts --help/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  test('an unknown flag exits 2 and points at the subcommand help', async () => {
    const r = await run('server', '--bogus');
    assert.equal(r.code, 2, describeExit(r));
    assert.match(r.stderr, /unknown option '--bogus'/);
    assert.match(r.stderr, /k8ts server --help/);
  });

  test('--store etcd without --etcd-endpoints exits 2 naming the missing flag', async () => {
    const r = await run('server', '--data-dir', join(tmp, 'unused'), '--store', 'etcd');
    assert.equal(r.code, 2, describeExit(r));
    assert.match(r.stderr, /--etcd-endpoints/);
  });

  test('a bad number exits 2 naming the flag', async () => {
    const r = await run('server', '--data-dir', join(tmp, 'unused'), '--compaction-keep-revisions', 'lots');
    assert.equal(r.code, 2, describeExit(r));
    assert.match(r.stderr, /--compaction-keep-revisions/);
  });
});

describe('k8ts server', () => {
  test('reports ready, refuses a second server on the same dir, stops on SIGTERM and restarts', async () => {
    const dataDir = join(tmp, 'server');
    const first = await startServer(dataDir);
    assert.match(first.stdout, /k8ts server: store ready \(lmdb, .*revision \d+\)/);
    assert.ok(first.stdout.includes(dataDir), `ready line names the store path:\n${first.stdout}`);
    assert.match(first.stderr, /"component":"store".*"msg":"store ready"/, 'structured ready log on stderr');

    const second = await run('server', '--data-dir', dataDir, '--listen', '127.0.0.1:0');
    assert.equal(second.code, 1, describeExit(second));
    assert.match(second.stderr, /^k8ts: /m);
    assert.ok(second.stderr.includes(dataDir), `the error names the data dir:\n${second.stderr}`);
    assert.equal(first.child.exitCode, null, 'the first server is still running');

    const stopped = await first.stop();
    assert.deepEqual([stopped.code, stopped.signal], [0, null], describeExit(stopped));

    const again = await startServer(dataDir);
    const stoppedAgain = await again.stop();
    assert.equal(stoppedAgain.code, 0, describeExit(stoppedAgain));
  });
});

describe('k8ts store snapshot', () => {
  test('save while the server runs, restore into a fresh dir, refuse to overwrite without --force', async () => {
    const source = join(tmp, 'snap-source');
    const target = join(tmp, 'snap-target');
    const file = join(tmp, 'store.snapshot');
    const keys = { '/t/a': 'alpha', '/t/b': 'bravo', '/t/c/d': 'charlie' };

    // Only one process may open a store: write the data before the server starts.
    const writer = await openBackend({ kind: 'lmdb', dataDir: source });
    try {
      for (const [key, value] of Object.entries(keys)) await writer.create(key, new TextEncoder().encode(value));
      await writer.delete('/t/b');
      await writer.create('/t/b', new TextEncoder().encode('bravo'));
    } finally {
      await writer.close();
    }

    const server = await startServer(source);
    await server.waitFor(/API server ready/); // it writes the system namespaces first
    const saved = await run('store', 'snapshot', 'save', file, '--data-dir', source);
    assert.equal(saved.code, 0, describeExit(saved));
    const servedRevision = Number(saved.stdout.match(/revision (\d+)/)![1]);
    assert.ok(servedRevision > 5, saved.stdout);
    assert.ok(saved.stdout.includes(file), saved.stdout);
    const underServer = await run('store', 'snapshot', 'restore', file, '--data-dir', source, '--force');
    assert.equal(underServer.code, 1, `restore --force under a running server is refused\n${describeExit(underServer)}`);
    assert.ok(underServer.stderr.includes(source), underServer.stderr);
    const stopped = await server.stop();
    assert.equal(stopped.code, 0, describeExit(stopped));

    const restored = await run('store', 'snapshot', 'restore', file, '--data-dir', target);
    assert.equal(restored.code, 0, describeExit(restored));
    assert.match(restored.stdout, new RegExp(`revision ${servedRevision}\\b`));

    const reader = await openBackend({ kind: 'lmdb', dataDir: target });
    try {
      assert.equal(await reader.currentRevision(), servedRevision);
      const listed = await reader.list('/t/');
      assert.deepEqual(
        Object.fromEntries(listed.kvs.map((kv) => [kv.key, new TextDecoder().decode(kv.value)])),
        keys,
      );
      const b = await reader.get('/t/b');
      assert.equal(b?.createRevision, 5, 'revisions survive the round trip');
    } finally {
      await reader.close();
    }

    const refused = await run('store', 'snapshot', 'restore', file, '--data-dir', target);
    assert.equal(refused.code, 1, describeExit(refused));
    assert.match(refused.stderr, /--force/);

    const forced = await run('store', 'snapshot', 'restore', file, '--data-dir', target, '--force');
    assert.equal(forced.code, 0, describeExit(forced));
  });
});
