import { Command, Option } from 'commander';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadOpenApi } from '../apiserver/openapi/index.ts';
import { ensurePki } from '../apiserver/pki/index.ts';
import { ApiServer } from '../apiserver/server.ts';
import { writeKubeconfig } from '../client/kubeconfig.ts';
import { startControllerManager } from '../controllers/manager.ts';
import { openBackend, storeDir, type Backend, type StoreConfig } from '../storage/index.ts';
import { logger, type Logger } from '../util/log.ts';
import { dataDirOption, errorMessage, nonNegativeInt } from './options.ts';

/** `k8ts server`: the control plane in one process. */
export function serverCommand(): Command {
  return new Command('server')
    .description('run the control plane: the store, the Kubernetes API server and the controller manager (until SIGTERM/SIGINT)')
    .addOption(dataDirOption())
    .option('--listen <host:port>', 'address the API server listens on', '0.0.0.0:6443')
    .addOption(new Option('--store <kind>', 'where cluster state is stored').choices(['lmdb', 'etcd']).default('lmdb'))
    .option('--etcd-endpoints <urls>', 'comma-separated etcd client URLs (with --store etcd)')
    .option(
      '--compaction-keep-revisions <n>',
      'lmdb: keep at most this many recent revisions of history (0 = no limit)',
      nonNegativeInt,
    )
    .option('--compaction-keep-minutes <m>', 'lmdb: forget history older than this many minutes (0 = no limit)', nonNegativeInt)
    .action(async (flags: ServerFlags, cmd: Command) => {
      const config = completeConfig(flags, cmd);
      const log = logger('server');
      const stop = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (stop.signal.aborted) {
          log.warn({ signal }, 'second signal during shutdown: exiting now');
          process.exit(1);
        }
        log.info({ signal }, 'shutting down');
        stop.abort();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      try {
        await runServer(config, stop.signal, log);
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}

interface ServerFlags {
  dataDir: string;
  listen: string;
  store: 'lmdb' | 'etcd';
  etcdEndpoints?: string;
  compactionKeepRevisions?: number;
  compactionKeepMinutes?: number;
}

export interface ServerConfig {
  dataDir: string;
  store: StoreConfig;
  listen: { host: string; port: number };
}

/** Flags → a complete config, or a usage error (exit 2) naming the flag to fix. */
function completeConfig(flags: ServerFlags, cmd: Command): ServerConfig {
  const usage = (message: string): never => cmd.error(message, { exitCode: 2, code: 'k8ts.usage' });
  const listen = parseListen(flags.listen ?? '0.0.0.0:6443', usage);
  const compactionFlags = flags.compactionKeepRevisions !== undefined || flags.compactionKeepMinutes !== undefined;
  if (flags.store === 'etcd') {
    const endpoints = (flags.etcdEndpoints ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (endpoints.length === 0) usage('--store etcd needs --etcd-endpoints (e.g. --etcd-endpoints http://127.0.0.1:2379)');
    if (compactionFlags) usage('--compaction-keep-* apply to the embedded store only; drop them with --store etcd');
    return { dataDir: flags.dataDir, listen, store: { kind: 'etcd', endpoints } };
  }
  if (flags.etcdEndpoints !== undefined) usage('--etcd-endpoints is only used with --store etcd; add --store etcd');
  return {
    dataDir: flags.dataDir,
    listen,
    store: {
      kind: 'lmdb',
      dataDir: flags.dataDir,
      compaction: compactionFlags
        ? { keepRevisions: flags.compactionKeepRevisions, keepMinutes: flags.compactionKeepMinutes }
        : undefined,
    },
  };
}

/** A started component; stopped in reverse start order. */
interface Running {
  name: string;
  stop(): Promise<void>;
}

/**
 * Runs the control plane until `signal` aborts. Components start here in dependency order, each once the one before
 * it is ready (store → API server → scheduler and controllers, as in k3s), and stop in reverse order. Resolves after
 * a clean shutdown; rejects if a component fails to start or to stop (after stopping everything it can).
 */
export async function runServer(config: ServerConfig, signal: AbortSignal, log: Logger = logger('server')): Promise<void> {
  const running: Running[] = [];
  let failure: unknown;
  try {
    const backend = await startStore(config.store);
    running.push({ name: 'store', stop: () => backend.close() });
    const api = await startApiServer(config, backend);
    running.push({ name: 'apiserver', stop: () => api.stop() });
    const controllers = await startControllerManager({
      kubeconfig: path.join(config.dataDir, 'admin.kubeconfig'),
      log: logger('controller-manager'),
    });
    running.push({ name: 'controller-manager', stop: () => controllers.stop() });
    log.info({ dataDir: config.dataDir }, 'server running');
    await untilAborted(signal);
  } catch (err) {
    failure = err;
  }
  for (const component of running.reverse()) {
    try {
      await component.stop();
      log.info({ stopped: component.name }, `${component.name} stopped`);
    } catch (err) {
      log.error({ err, stopping: component.name }, `${component.name} failed to stop`);
      failure ??= new Error(`stopping the ${component.name}: ${errorMessage(err)}`, { cause: err });
    }
  }
  if (failure !== undefined) throw failure;
  log.info('server stopped');
}

/** Opens the store and reports it ready: one structured log line and one plain line on stdout. */
async function startStore(config: StoreConfig): Promise<Backend> {
  const log = logger('store');
  const location = config.kind === 'lmdb' ? storeDir(config.dataDir) : config.endpoints.join(',');
  let backend: Backend | undefined;
  try {
    backend = await openBackend(config);
    const revision = await backend.currentRevision();
    const where = config.kind === 'lmdb' ? { path: location } : { endpoints: location };
    log.info({ kind: config.kind, ...where, revision }, 'store ready');
    process.stdout.write(`k8ts server: store ready (${config.kind}, ${location}, revision ${revision})\n`);
    return backend;
  } catch (err) {
    await backend?.close().catch(() => {});
    // Name the store in the message, unless the backend's own message already does.
    const message = errorMessage(err);
    const context = `cannot open the ${config.kind} store at ${location}`;
    throw new Error(message.includes(location) ? message : `${context}: ${message}`, { cause: err });
  }
}

/**
 * Certificates (created on first start), the API server on the store, and DIR/admin.kubeconfig pointing at it.
 * Started only once the store is ready.
 */
async function startApiServer(config: ServerConfig, backend: Backend): Promise<ApiServer> {
  const log = logger('apiserver');
  const { host, port } = config.listen;
  const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const ips = [local, ...nonLoopbackAddresses()].filter((ip) => isIP(ip));
  const hosts = isIP(local) ? [] : [local];
  const pki = await ensurePki(config.dataDir, { hosts, ips });
  for (const g of pki.generated) log.info({ generated: g }, 'certificate issued');
  const openapi = await loadOpenApi();
  const api = new ApiServer({
    backend,
    tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert },
    host,
    port,
    log,
    openapi,
  });
  await api.start();
  const server = `https://${local.includes(':') ? `[${local}]` : local}:${api.port}`;
  const kubeconfig = path.join(config.dataDir, 'admin.kubeconfig');
  await writeKubeconfig(kubeconfig, { server, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey, clusterName: 'k8ts', userName: 'k8ts-admin', contextName: 'k8ts' });
  log.info({ server, kubeconfig }, 'API server ready');
  process.stdout.write(`k8ts server: API server ready at ${server}\nexport KUBECONFIG=${kubeconfig}\n`);
  return api;
}

function parseListen(value: string, usage: (m: string) => never): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) usage(`--listen ${value}: expected HOST:PORT, e.g. 0.0.0.0:6443 or 127.0.0.1:6443`);
  return { host: m![1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

function nonLoopbackAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && !a.internal)
    .map((a) => a.address);
}

/** Resolves when `signal` aborts, keeping the process alive until then (signal handlers alone do not). */
function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => {}, 2 ** 30);
    signal.addEventListener('abort', () => (clearInterval(keepAlive), resolve()), { once: true });
  });
}
