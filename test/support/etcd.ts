/**
 * Runs a throwaway single-member etcd (Debian's /usr/bin/etcd) for tests.
 *
 * Every process is tracked by the PID we spawned and only ever signalled by that PID. The data directory is a fresh
 * temp dir; `stopProcess()`/`startProcess()`/`restart()` keep it (and the ports), so tests can check that data and
 * watches survive an etcd restart. `stop()` ends the process for good and removes the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ETCD_BIN = process.env.K8TS_ETCD_BIN ?? '/usr/bin/etcd';
/** A bit above the backend's 1.5 MiB value limit plus request overhead, so that our own TooLarge check trips first. */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
/** How much of etcd's (chatty) log to keep for error messages. */
const LOG_TAIL_BYTES = 16 * 1024;

export interface EtcdProcess {
  /** Client URL, e.g. http://127.0.0.1:23791. Stays the same across restarts. */
  readonly endpoint: string;
  readonly dataDir: string;
  /** PID of the current etcd process (changes on restart; 0 while stopped). */
  readonly pid: number;
  /** Stops the process (SIGTERM, then SIGKILL) but keeps the data dir and ports. */
  stopProcess(): Promise<void>;
  /** Starts etcd again on the same data dir and ports and waits until it is healthy. */
  startProcess(): Promise<void>;
  restart(): Promise<void>;
  /** Freezes the process (SIGSTOP): it keeps its sockets but answers nothing, like a hung or partitioned etcd. */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): void;
  /** Stops the process and removes the data dir. */
  stop(): Promise<void>;
}

/** Every etcd child still running, so a crashing test run does not leave them behind. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
}

/** A free loopback port: bind port 0, read what the kernel chose, release it. (Racy in theory; fine for tests.) */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: unknown };
    return res.ok && String(body.health) === 'true';
  } catch {
    return false;
  }
}

export async function startEtcd(): Promise<EtcdProcess> {
  installExitHook();
  const dataDir = await mkdtemp(join(tmpdir(), 'k8ts-etcd-'));
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'k8ts-test',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `k8ts-test=${peerUrl}`,
    '--initial-cluster-state', 'new',
    '--max-request-bytes', String(MAX_REQUEST_BYTES),
    // A single member elects itself after one election timeout; keep that short so tests start fast.
    // (This also makes etcd's minimum lease TTL ~1 s instead of 2 s.)
    '--heartbeat-interval', '20',
    '--election-timeout', '200',
    '--logger', 'zap',
    '--log-level', 'warn',
  ];

  let child: ChildProcess | undefined;
  let logTail = '';

  const spawnOnce = async () => {
    logTail = '';
    const proc = spawn(ETCD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    const keep = (chunk: Buffer) => {
      logTail = (logTail + chunk.toString('utf8')).slice(-LOG_TAIL_BYTES);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    let spawnError: Error | undefined;
    proc.on('error', (err) => (spawnError = err));
    proc.on('exit', () => live.delete(proc));

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`could not start ${ETCD_BIN}: ${spawnError.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`etcd exited during startup (code ${proc.exitCode}, signal ${proc.signalCode}):\n${logTail}`);
      }
      if (await healthy(endpoint)) return;
      await sleep(50);
    }
    await killChild(proc);
    throw new Error(`etcd at ${endpoint} did not become healthy within ${START_TIMEOUT_MS} ms:\n${logTail}`);
  };

  const stopProcess = async () => {
    const proc = child;
    child = undefined;
    if (proc) await killChild(proc);
  };

  try {
    await spawnOnce();
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  return {
    endpoint,
    dataDir,
    get pid() {
      return child?.pid ?? 0;
    },
    stopProcess,
    startProcess: async () => {
      if (child) throw new Error('etcd is already running');
      await spawnOnce();
    },
    restart: async () => {
      await stopProcess();
      await spawnOnce();
    },
    pause: async () => {
      signalChild(child, 'SIGSTOP');
      // Signals are delivered asynchronously; on Linux, wait until the kernel reports it stopped ("T").
      const deadline = Date.now() + 1000;
      while (child?.pid && Date.now() < deadline) {
        const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8').catch(() => '');
        if (/^\d+ \(.*\) [Tt] /.test(stat) || stat === '') return;
        await sleep(5);
      }
    },
    resume: () => signalChild(child, 'SIGCONT'),
    stop: async () => {
      await stopProcess();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function signalChild(proc: ChildProcess | undefined, sig: NodeJS.Signals): void {
  if (!proc || proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(proc.pid, sig);
  } catch {
    // it exited in the meantime
  }
}

/** SIGTERM by PID, SIGKILL if it has not exited after a grace period; resolves once it has exited. */
async function killChild(proc: ChildProcess): Promise<void> {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  signalChild(proc, 'SIGTERM');
  signalChild(proc, 'SIGCONT'); // in case a test left it paused: a stopped process does not act on SIGTERM
  const timer = setTimeout(() => signalChild(proc, 'SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
    live.delete(proc);
  }
}
