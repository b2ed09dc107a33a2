/** Table printers for core/v1 kinds (columns and cells as kube-apiserver prints them). */
import { formatLabels } from '../../apimachinery/labels.ts';
import { humanDuration, parseTime, translateTimestampSince } from './duration.ts';
import {
  AGE,
  NAME,
  arr,
  col,
  int,
  joinHostPort,
  loadBalancerIngress,
  obj,
  quantity,
  sortedSet,
  str,
  wide,
} from './helpers.ts';
import type { Obj, Printer, PrintContext, RowResult, TableRowCondition } from './types.ts';

const age = (o: Obj, ctx: PrintContext) => translateTimestampSince(o.metadata?.creationTimestamp, ctx.now);
const name = (o: Obj) => str(o.metadata?.name);

// ---------------------------------------------------------------------------------------------------------------------
// Pod
// ---------------------------------------------------------------------------------------------------------------------

const POD_SUCCEEDED: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const POD_FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

const isRestartableInitContainer = (c: Obj | undefined) => c?.restartPolicy === 'Always';

/** Later of a (possibly zero) time and a container's last termination time. */
function laterRestart(current: number | undefined, status: Obj): number | undefined {
  const t = parseTime(status.lastState?.terminated?.finishedAt);
  if (t === undefined) return current;
  return current === undefined || current < t ? t : current;
}

const hasCondition = (conditions: unknown, type: string) =>
  arr(conditions).some((c) => c.type === type && c.status === 'True');

/** The first condition of the type decides (upstream isPodInitializedConditionTrue). */
function firstConditionTrue(conditions: unknown, type: string): boolean {
  const c = arr(conditions).find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
}

/**
 * The pod row: READY "ready/total", STATUS the computed reason (phase, or the container's waiting/terminated reason,
 * Init:x/y, Terminating, ...), RESTARTS with "(5m ago)" after the last restart, AGE, and the wide columns.
 */
export function printPod(pod: Obj, ctx: PrintContext): RowResult {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;

  const phase = str(status.phase);
  let reason = status.reason ? str(status.reason) : phase;
  for (const c of arr(status.conditions)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let conditions: TableRowCondition[] | undefined;
  if (phase === 'Succeeded') conditions = POD_SUCCEEDED;
  else if (phase === 'Failed') conditions = POD_FAILED;

  const initSpecs = arr(spec.initContainers);
  const initContainers = new Map<string, Obj>();
  for (const c of initSpecs) {
    initContainers.set(str(c.name), c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    const restartable = isRestartableInitContainer(initContainers.get(str(c.name)));
    restarts += int(c.restartCount);
    lastRestart = laterRestart(lastRestart, c);
    if (restartable) {
      restartableInitRestarts += int(c.restartCount);
      lastRestartableInitRestart = laterRestart(lastRestartableInitRestart, c);
    }
    const terminated = c.state?.terminated as Obj | undefined;
    const waiting = c.state?.waiting as Obj | undefined;
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (restartable && c.started === true) {
      if (c.ready === true) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = int(terminated.signal) !== 0 ? `Init:Signal:${int(terminated.signal)}` : `Init:ExitCode:${int(terminated.exitCode)}`;
      } else {
        reason = 'Init:' + str(terminated.reason);
      }
    } else if (waiting && waiting.reason && waiting.reason !== 'PodInitializing') {
      reason = 'Init:' + str(waiting.reason);
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || firstConditionTrue(status.conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += int(c.restartCount);
      lastRestart = laterRestart(lastRestart, c);
      const waiting = c.state?.waiting as Obj | undefined;
      const terminated = c.state?.terminated as Obj | undefined;
      if (waiting && waiting.reason) {
        reason = str(waiting.reason);
      } else if (terminated && terminated.reason) {
        reason = str(terminated.reason);
      } else if (terminated) {
        reason = int(terminated.signal) !== 0 ? `Signal:${int(terminated.signal)}` : `ExitCode:${int(terminated.exitCode)}`;
      } else if (c.ready === true && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // back to Running when a container still runs after another completed
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = !!pod.metadata?.deletionTimestamp;
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) restartsStr = `${restarts} (${humanDuration(ctx.now - lastRestart)} ago)`;

  const podIPs = arr(status.podIPs);
  const podIP = str(podIPs.length > 0 ? podIPs[0]!.ip : status.podIP) || '<none>';
  const nodeName = str(spec.nodeName) || '<none>';
  const nominated = str(status.nominatedNodeName) || '<none>';
  let readinessGates = '<none>';
  const gates = arr(spec.readinessGates);
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const c = arr(status.conditions).find((x) => x.type === gate.conditionType);
      if (c?.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  const cells = [name(pod), `${readyContainers}/${totalContainers}`, reason, restartsStr, age(pod, ctx), podIP, nodeName, nominated, readinessGates];
  return conditions ? { cells, conditions } : { cells };
}

const pods: Printer = {
  columns: [
    NAME,
    col('Ready', 'string', 'Ready containers out of all containers of the pod.'),
    col('Status', 'string', "Summary of the pod's state, computed from its phase and its containers' states."),
    col('Restarts', 'string', 'Container restarts in the pod, and how long ago the last one was.'),
    AGE,
    wide('IP', 'The pod IP.'),
    wide('Node', 'The node the pod is bound to.'),
    wide('Nominated Node', 'The node the scheduler nominated for the pod while preempting.'),
    wide('Readiness Gates', 'Readiness gates whose condition is true, out of all of them.'),
  ],
  row: printPod,
};

// ---------------------------------------------------------------------------------------------------------------------
// Service, Endpoints
// ---------------------------------------------------------------------------------------------------------------------

function serviceExternalIP(svc: Obj): string {
  const spec = obj(svc.spec);
  const externalIPs = arr<string>(spec.externalIPs).map(str);
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status?.loadBalancer);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
  }
  return '<unknown>';
}

function servicePorts(ports: unknown): string {
  return arr(ports)
    .map((p) => {
      const protocol = str(p.protocol ?? 'TCP');
      return int(p.nodePort) > 0 ? `${int(p.port)}:${int(p.nodePort)}/${protocol}` : `${int(p.port)}/${protocol}`;
    })
    .join(',');
}

const services: Printer = {
  columns: [
    NAME,
    col('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    col('Cluster-IP', 'string', 'The cluster-internal IP of the service.'),
    col('External-IP', 'string', 'Addresses the service is reachable on from outside the cluster.'),
    col('Port(s)', 'string', 'The ports the service exposes.'),
    AGE,
    wide('Selector', 'Label selector for the pods behind the service.'),
  ],
  row: (svc, ctx) => {
    const spec = obj(svc.spec);
    const clusterIPs = arr<string>(spec.clusterIPs);
    const clusterIP = str(clusterIPs.length > 0 ? clusterIPs[0] : spec.clusterIP) || '<none>';
    return {
      cells: [
        name(svc),
        str(spec.type ?? 'ClusterIP'),
        clusterIP,
        serviceExternalIP(svc),
        servicePorts(spec.ports) || '<none>',
        age(svc, ctx),
        formatLabels(spec.selector),
      ],
    };
  },
};

/** upstream formatEndpoints: up to three ip:port, then "+ N more...", "<none>" without subsets. */
export function formatEndpoints(ep: Obj): string {
  const subsets = arr(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = arr(ss.addresses);
    const ports = arr(ss.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(a.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(a.ip), int(port.port)));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

const endpoints: Printer = {
  columns: [NAME, col('Endpoints', 'string', 'Addresses and ports of the endpoints.'), AGE],
  row: (ep, ctx) => ({ cells: [name(ep), formatEndpoints(ep), age(ep, ctx)] }),
};

// ---------------------------------------------------------------------------------------------------------------------
// ConfigMap, Secret, ServiceAccount, Namespace
// ---------------------------------------------------------------------------------------------------------------------

const keyCount = (...maps: unknown[]) => new Set(maps.flatMap((m) => Object.keys(obj(m)))).size;

const configMaps: Printer = {
  columns: [NAME, col('Data', 'string', 'Number of data and binaryData keys.'), AGE],
  row: (cm, ctx) => ({ cells: [name(cm), Object.keys(obj(cm.data)).length + Object.keys(obj(cm.binaryData)).length, age(cm, ctx)] }),
};

const secrets: Printer = {
  columns: [NAME, col('Type', 'string', 'The secret type.'), col('Data', 'string', 'Number of data keys.'), AGE],
  // stringData is merged into data on write upstream, so count both (once per key)
  row: (s, ctx) => ({ cells: [name(s), str(s.type ?? 'Opaque'), keyCount(s.data, s.stringData), age(s, ctx)] }),
};

const serviceAccounts: Printer = {
  columns: [NAME, col('Secrets', 'string', 'Number of secrets listed on the service account.'), AGE],
  row: (sa, ctx) => ({ cells: [name(sa), arr(sa.secrets).length, age(sa, ctx)] }),
};

const namespaces: Printer = {
  columns: [NAME, col('Status', 'string', 'The namespace phase: Active or Terminating.'), AGE],
  row: (ns, ctx) => ({ cells: [name(ns), str(ns.status?.phase ?? 'Active'), age(ns, ctx)] }),
};

// ---------------------------------------------------------------------------------------------------------------------
// Node
// ---------------------------------------------------------------------------------------------------------------------

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

function nodeRoles(node: Obj): string[] {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(obj(node.metadata?.labels))) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.push(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.push(str(v));
    }
  }
  return sortedSet(roles);
}

const nodeAddress = (node: Obj, type: string) => str(arr(node.status?.addresses).find((a) => a.type === type)?.address) || '<none>';

const nodes: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'Node readiness, and SchedulingDisabled when cordoned.'),
    col('Roles', 'string', 'Roles from the node-role.kubernetes.io/<role> labels.'),
    AGE,
    col('Version', 'string', 'The kubelet version.'),
    wide('Internal-IP', 'The first InternalIP address of the node.'),
    wide('External-IP', 'The first ExternalIP address of the node.'),
    wide('OS-Image', 'The operating system image.'),
    wide('Kernel-Version', 'The kernel version.'),
    wide('Container-Runtime', 'The container runtime and its version.'),
  ],
  row: (node, ctx) => {
    const status: string[] = [];
    // the last Ready condition wins, as upstream builds a map by type
    const ready = arr(node.status?.conditions).filter((c) => c.type === 'Ready').pop();
    if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (status.length === 0) status.push('Unknown');
    if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
    const info = obj(node.status?.nodeInfo);
    return {
      cells: [
        name(node),
        status.join(','),
        nodeRoles(node).join(',') || '<none>',
        age(node, ctx),
        str(info.kubeletVersion),
        nodeAddress(node, 'InternalIP'),
        nodeAddress(node, 'ExternalIP'),
        str(info.osImage) || '<unknown>',
        str(info.kernelVersion) || '<unknown>',
        str(info.containerRuntimeVersion) || '<unknown>',
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// PersistentVolume, PersistentVolumeClaim
// ---------------------------------------------------------------------------------------------------------------------

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** upstream GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once. */
export function accessModesAsString(modes: unknown): string {
  const m = new Set(arr<string>(modes));
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

function storageClassOf(o: Obj): string {
  const annotations = obj(o.metadata?.annotations);
  if (Object.prototype.hasOwnProperty.call(annotations, BETA_STORAGE_CLASS_ANNOTATION)) return str(annotations[BETA_STORAGE_CLASS_ANNOTATION]);
  return str(o.spec?.storageClassName);
}

const isDeleting = (o: Obj) => !!o.metadata?.deletionTimestamp;

const persistentVolumes: Printer = {
  columns: [
    NAME,
    col('Capacity', 'string', 'The storage capacity of the volume.'),
    col('Access Modes', 'string', 'How the volume can be mounted (RWO, ROX, RWX, RWOP).'),
    col('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
    col('Status', 'string', 'The volume phase.'),
    col('Claim', 'string', 'The claim bound to the volume, as namespace/name.'),
    col('StorageClass', 'string', 'The storage class of the volume.'),
    col('VolumeAttributesClass', 'string', 'The volume attributes class of the volume.'),
    col('Reason', 'string', 'Why the volume is in its phase.'),
    AGE,
    wide('VolumeMode', 'Filesystem or Block.'),
  ],
  row: (pv, ctx) => {
    const spec = obj(pv.spec);
    const claimRef = spec.claimRef ? `${str(spec.claimRef.namespace)}/${str(spec.claimRef.name)}` : '';
    return {
      cells: [
        name(pv),
        quantity(obj(spec.capacity).storage),
        accessModesAsString(spec.accessModes),
        str(spec.persistentVolumeReclaimPolicy ?? 'Retain'),
        isDeleting(pv) ? 'Terminating' : str(pv.status?.phase),
        claimRef,
        storageClassOf(pv),
        spec.volumeAttributesClassName == null ? '<unset>' : str(spec.volumeAttributesClassName),
        str(pv.status?.reason),
        age(pv, ctx),
        str(spec.volumeMode ?? 'Filesystem'),
      ],
    };
  },
};

const persistentVolumeClaims: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'The claim phase.'),
    col('Volume', 'string', 'The volume bound to the claim.'),
    col('Capacity', 'string', 'The capacity of the bound volume.'),
    col('Access Modes', 'string', 'How the bound volume can be mounted (RWO, ROX, RWX, RWOP).'),
    col('StorageClass', 'string', 'The storage class the claim asks for.'),
    col('VolumeAttributesClass', 'string', 'The volume attributes class the claim asks for.'),
    AGE,
    wide('VolumeMode', 'Filesystem or Block.'),
  ],
  row: (pvc, ctx) => {
    const spec = obj(pvc.spec);
    const bound = str(spec.volumeName) !== '';
    return {
      cells: [
        name(pvc),
        isDeleting(pvc) ? 'Terminating' : str(pvc.status?.phase),
        str(spec.volumeName),
        bound ? quantity(obj(pvc.status?.capacity).storage) : '',
        bound ? accessModesAsString(pvc.status?.accessModes) : '',
        storageClassOf(pvc),
        spec.volumeAttributesClassName == null ? '<unset>' : str(spec.volumeAttributesClassName),
        age(pvc, ctx),
        str(spec.volumeMode ?? 'Filesystem'),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// ResourceQuota
// ---------------------------------------------------------------------------------------------------------------------

const resourceQuotas: Printer = {
  columns: [
    NAME,
    col('Request', 'string', 'Used/hard amounts of the quota, except limits.*.'),
    col('Limit', 'string', 'Used/hard amounts of the limits.* resources.'),
    AGE,
  ],
  row: (rq, ctx) => {
    const hard = obj(rq.status?.hard);
    const used = obj(rq.status?.used);
    const request: string[] = [];
    const limit: string[] = [];
    for (const resource of sortedSet(Object.keys(hard))) {
      const pieces = resource.split('.');
      const target = pieces.length > 1 && pieces[0] === 'limits' ? limit : request;
      target.push(`${resource}: ${quantity(used[resource])}/${quantity(hard[resource])}`);
    }
    return { cells: [name(rq), request.join(', '), limit.join(', '), age(rq, ctx)] };
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// Event (core/v1; events.k8s.io/v1 objects are converted to this shape first)
// ---------------------------------------------------------------------------------------------------------------------

const translateMicro = (ts: unknown, now: number) => translateTimestampSince(ts, now);

/** upstream formatEventSource: component (or reporting controller), then ", host" (or reporting instance). */
function formatEventSource(ev: Obj): string {
  const component = str(ev.source?.component) || str(ev.reportingComponent);
  const instance = str(ev.source?.host) || str(ev.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

export function printCoreEvent(ev: Obj, ctx: PrintContext): RowResult {
  let first = translateTimestampSince(ev.firstTimestamp, ctx.now);
  if (parseTime(ev.firstTimestamp) === undefined) first = translateMicro(ev.eventTime, ctx.now);
  let last = translateTimestampSince(ev.lastTimestamp, ctx.now);
  if (parseTime(ev.lastTimestamp) === undefined) last = first;
  let count = int(ev.count);
  if (ev.series) {
    last = translateMicro(ev.series.lastObservedTime, ctx.now);
    count = int(ev.series.count);
  } else if (count === 0) {
    count = 1; // singleton events have no count in the new API
  }
  const io = obj(ev.involvedObject);
  const kind = str(io.kind).toLowerCase();
  const target = str(io.name) ? `${kind}/${str(io.name)}` : kind;
  return {
    cells: [last, str(ev.type), str(ev.reason), target, str(io.fieldPath), formatEventSource(ev), str(ev.message).trim(), first, count, name(ev)],
  };
}

export const EVENT_COLUMNS = [
  col('Last Seen', 'string', 'How long ago the event was last seen.'),
  col('Type', 'string', 'Normal or Warning.'),
  col('Reason', 'string', 'A short machine-readable reason for the event.'),
  col('Object', 'string', 'The object the event is about, as kind/name.'),
  wide('Subobject', 'The part of the object the event is about (field path).'),
  wide('Source', 'The component (and host) that reported the event.'),
  col('Message', 'string', 'The human-readable message.'),
  wide('First Seen', 'How long ago the event was first seen.'),
  wide('Count', 'How many times the event was seen.'),
  col('Name', 'string', "The event's name.", { format: 'name', priority: 1 }),
];

const events: Printer = { columns: EVENT_COLUMNS, row: printCoreEvent };

export const CORE_PRINTERS: Record<string, Printer> = {
  Pod: pods,
  Service: services,
  Endpoints: endpoints,
  ConfigMap: configMaps,
  Secret: secrets,
  ServiceAccount: serviceAccounts,
  Namespace: namespaces,
  Node: nodes,
  PersistentVolume: persistentVolumes,
  PersistentVolumeClaim: persistentVolumeClaims,
  ResourceQuota: resourceQuotas,
  Event: events,
};
