/**
 * The controller manager: one client, one shared informer factory, and the registered controllers, run only while
 * this process holds the `kube-system/k8ts-controller-manager` Lease (so two servers on one store never both act).
 *
 *   start() ──► LeaderElector.run ──onStartedLeading(signal)──► new SharedInformerFactory
 *                                                              controllers register their informers
 *                                                              factory.start(signal); every controller.run(signal)
 *   stop()  ──► abort ──► controllers and informers wind down ──► lease released ──► client closed
 */
import { Client } from '../client/client.ts';
import { realClock, sleep } from '../client/clock.ts';
import { SharedInformerFactory } from '../client/informer.ts';
import { defaultIdentity, LeaderElector, LeaseLock } from '../client/leaderelection.ts';
import { logger, type Logger } from '../util/log.ts';
import { NamespaceController } from './namespace/controller.ts';
import { ReplicaSetController } from './replicaset/controller.ts';

export const LEADER_ELECTION_NAMESPACE = 'kube-system';
export const LEADER_ELECTION_NAME = 'k8ts-controller-manager';

/** What the manager needs of a controller: register informers when built, run until the signal aborts. */
export interface RunnableController {
  run(workers: number, signal: AbortSignal): Promise<void>;
}

export interface ControllerDescriptor {
  name: string;
  workers: number;
  /** Builds the controller, registering its informers and handlers on the factory. */
  build(ctx: { client: Client; informers: SharedInformerFactory }): RunnableController;
}

/** The controllers k8ts runs. */
export const DEFAULT_CONTROLLERS: readonly ControllerDescriptor[] = [
  {
    name: 'namespace',
    workers: 2,
    build: ({ client, informers }) => new NamespaceController({ client, informers }),
  },
  {
    name: 'replicaset',
    workers: 5,
    build: ({ client, informers }) => new ReplicaSetController({ client, informers }),
  },
];

export interface ControllerManagerOptions {
  /** Either a ready client (owned by the caller) or a kubeconfig to build one from (owned by the manager). */
  client?: Client;
  kubeconfig?: string;
  controllers?: readonly ControllerDescriptor[];
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log?: Logger;
}

export interface RunningControllerManager {
  readonly identity: string;
  /** Stops the controllers, releases the lease, closes the client it built. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the manager; resolves once leader election has begun (leading may come later). */
export async function startControllerManager(opts: ControllerManagerOptions): Promise<RunningControllerManager> {
  const log = opts.log ?? logger('controller-manager');
  let client = opts.client;
  const ownsClient = !client;
  if (!client) {
    if (!opts.kubeconfig) throw new TypeError('controller-manager: needs a client or a kubeconfig');
    client = await Client.fromKubeconfig(opts.kubeconfig, { userAgent: 'k8ts-controller-manager' });
  }
  const c = client;
  const controllers = opts.controllers ?? DEFAULT_CONTROLLERS;
  const identity = opts.identity ?? defaultIdentity();
  const abort = new AbortController();

  const elector = new LeaderElector({
    lock: new LeaseLock(c.leases, LEADER_ELECTION_NAMESPACE, LEADER_ELECTION_NAME, identity),
    name: LEADER_ELECTION_NAME,
    leaseDurationMs: opts.leaseDurationMs,
    renewDeadlineMs: opts.renewDeadlineMs,
    retryPeriodMs: opts.retryPeriodMs,
    onStartedLeading: (signal) => runControllers(c, controllers, signal, log),
    onStoppedLeading: () => log.info({ identity }, 'stopped leading'),
    onNewLeader: (leader) => {
      if (leader !== identity) log.info({ leader }, 'another controller manager leads');
    },
  });
  log.info({ identity, controllers: controllers.map((d) => d.name) }, 'controller manager starting');
  // A leader that loses its lease stops its controllers and contends again (upstream exits the process instead;
  // here the manager shares a process with the API server).
  const done = (async () => {
    while (!abort.signal.aborted) {
      try {
        await elector.run(abort.signal);
      } catch (err) {
        log.error({ err }, 'leader election failed');
      }
      if (!abort.signal.aborted) await sleep(realClock, elector.retryPeriodMs, abort.signal).catch(() => {});
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    identity,
    stop() {
      stopping ??= (async () => {
        abort.abort();
        await done;
        if (ownsClient) c.close();
      })();
      return stopping;
    },
  };
}

/** While leading: a fresh informer factory, every controller built on it, run until leadership ends. */
async function runControllers(
  client: Client,
  descriptors: readonly ControllerDescriptor[],
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  log.info('started leading: starting controllers');
  const informers = new SharedInformerFactory(client);
  const built = descriptors.map((d) => ({ d, controller: d.build({ client, informers }) }));
  informers.start(signal);
  await Promise.all(
    built.map(({ d, controller }) =>
      controller.run(d.workers, signal).catch((err) => log.error({ err, controller: d.name }, 'controller failed')),
    ),
  );
  await informers.shutdown();
  log.info('controllers stopped');
}
