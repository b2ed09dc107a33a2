/**
 * Runs the real `./k8ts server` binary on a temp data dir and drives it with the machine's stock kubectl.
 * Every process is stopped by the PID this helper started; the data dir is removed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const K8TS = path.join(REPO, 'k8ts');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  dataDir: string;
  url: string;
  kubeconfig: string;
  pid: number;
  /** Runs kubectl (default: the machine's `kubectl`) against the cluster. */
  kubectl(args: string[], opts?: { input?: string; bin?: string; env?: Record<string, string> }): RunResult;
  /** kubectl that must succeed; returns stdout (parsed when -o json is asked for by the caller). */
  ok(args: string[], opts?: { input?: string; bin?: string; env?: Record<string, string> }): string;
  json<T = any>(args: string[]): T;
  /** Stops the server (SIGTERM to its PID) and waits for it. */
  stop(): Promise<number | null>;
  /** Starts the server again on the same data dir. */
  restart(): Promise<void>;
  /** Stops the server and removes the data dir. */
  destroy(): Promise<void>;
}

/** The directory holding kubectl.1.27 … kubectl.1.33 (next to the resolved kubectl). */
export function kubectlVersionBin(minor: number): string {
  const main = spawnSync('sh', ['-c', 'readlink -f "$(command -v kubectl)"'], { encoding: 'utf8' }).stdout.trim();
  return path.join(path.dirname(main), `kubectl.1.${minor}`);
}

export async function startCluster(opts: { dataDir?: string; extraArgs?: string[] } = {}): Promise<Cluster> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'k8ts-e2e-'));
  let child: ChildProcess | undefined;
  let url = '';
  let stderr = '';

  async function start(): Promise<void> {
    stderr = '';
    const c = spawn(K8TS, ['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', ...(opts.extraArgs ?? [])], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, K8TS_LOG_LEVEL: process.env.K8TS_LOG_LEVEL ?? 'warn' },
    });
    child = c;
    c.stderr!.on('data', (d) => (stderr += d));
    const lines = readline.createInterface({ input: c.stdout! });
    const exited = new Promise<never>((_, reject) =>
      c.once('exit', (code) => reject(new Error(`k8ts server exited (${code}) before it was ready:\n${stderr}`))),
    );
    const ready = (async () => {
      for await (const line of lines) {
        const m = /API server ready at (\S+)/.exec(line);
        if (m) return m[1]!;
      }
      throw new Error(`k8ts server closed stdout before it was ready:\n${stderr}`);
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`k8ts server not ready after 30 s:\n${stderr}`)), 30_000);
    });
    try {
      url = await Promise.race([ready, exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
    lines.on('line', () => {}); // keep draining stdout
  }

  async function stop(): Promise<number | null> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return c?.exitCode ?? null;
    const done = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
    const code = await done;
    clearTimeout(t);
    return code;
  }

  await start();
  const kubeconfig = path.join(dataDir, 'admin.kubeconfig');
  const cluster: Cluster = {
    dataDir,
    get url() {
      return url;
    },
    kubeconfig,
    get pid() {
      return child!.pid!;
    },
    kubectl(args, o = {}) {
      const r = spawnSync(o.bin ?? 'kubectl', ['--kubeconfig', kubeconfig, ...args], {
        input: o.input,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, ...(o.env ?? {}) },
      });
      return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
    },
    ok(args, o) {
      const r = cluster.kubectl(args, o);
      if (r.code !== 0) {
        throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}\nserver log:\n${stderr.slice(-4000)}`);
      }
      return r.stdout;
    },
    json(args) {
      return JSON.parse(cluster.ok([...args, '-o', 'json']));
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
    async destroy() {
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return cluster;
}
