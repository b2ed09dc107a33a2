/** Table printers for apps/v1, batch/v1, autoscaling/v2 and policy/v1 kinds. */
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { formatLabelSelector, formatLabels, labelSelectorFromObject } from '../../apimachinery/labels.ts';
import { humanDuration, parseTime, translateTimestampSince } from './duration.ts';
import {
  AGE,
  CONTAINERS,
  IMAGES,
  NAME,
  SELECTOR,
  arr,
  col,
  int,
  intOrString,
  layoutContainerCells,
  obj,
  printBoolPtr,
  quantityPtr,
  str,
} from './helpers.ts';
import type { Obj, Printer, PrintContext } from './types.ts';

const age = (o: Obj, ctx: PrintContext) => translateTimestampSince(o.metadata?.creationTimestamp, ctx.now);
const name = (o: Obj) => str(o.metadata?.name);
/** spec.replicas, 1 when unset (v1 defaulting). */
const replicas = (spec: Obj) => (typeof spec.replicas === 'number' ? int(spec.replicas) : 1);
const templateContainers = (spec: Obj) => layoutContainerCells(spec.template?.spec?.containers);

/** Deployment's wide selector cell: the selector string ("" when empty or nil), "<invalid>" when it cannot parse. */
function selectorString(ls: LabelSelectorObject | null | undefined): string {
  try {
    return labelSelectorFromObject(ls).toString();
  } catch {
    return '<invalid>';
  }
}

const deployments: Printer = {
  columns: [
    NAME,
    col('Ready', 'string', 'Ready replicas out of desired replicas.'),
    col('Up-to-date', 'string', 'Replicas updated to the current pod template.'),
    col('Available', 'string', 'Replicas available to users.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR(),
  ],
  row: (d, ctx) => {
    const spec = obj(d.spec);
    const status = obj(d.status);
    const [containers, images] = templateContainers(spec);
    return {
      cells: [
        name(d),
        `${int(status.readyReplicas)}/${replicas(spec)}`,
        int(status.updatedReplicas),
        int(status.availableReplicas),
        age(d, ctx),
        containers,
        images,
        selectorString(spec.selector),
      ],
    };
  },
};

const replicaSets: Printer = {
  columns: [
    NAME,
    col('Desired', 'integer', 'Desired number of replicas.'),
    col('Current', 'integer', 'Current number of replicas.'),
    col('Ready', 'integer', 'Ready replicas.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR(),
  ],
  row: (rs, ctx) => {
    const spec = obj(rs.spec);
    const status = obj(rs.status);
    const [containers, images] = templateContainers(spec);
    return {
      cells: [
        name(rs),
        replicas(spec),
        int(status.replicas),
        int(status.readyReplicas),
        age(rs, ctx),
        containers,
        images,
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

const statefulSets: Printer = {
  columns: [NAME, col('Ready', 'string', 'Ready replicas out of desired replicas.'), AGE, CONTAINERS, IMAGES],
  row: (s, ctx) => {
    const spec = obj(s.spec);
    const [containers, images] = templateContainers(spec);
    return { cells: [name(s), `${int(s.status?.readyReplicas)}/${replicas(spec)}`, age(s, ctx), containers, images] };
  },
};

const daemonSets: Printer = {
  columns: [
    NAME,
    col('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    col('Current', 'integer', 'Nodes running at least one daemon pod.'),
    col('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    col('Up-to-date', 'integer', 'Nodes running the current daemon pod template.'),
    col('Available', 'integer', 'Nodes whose daemon pod is available.'),
    col('Node Selector', 'string', 'The node selector of the pod template.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR(),
  ],
  row: (ds, ctx) => {
    const spec = obj(ds.spec);
    const status = obj(ds.status);
    const [containers, images] = templateContainers(spec);
    return {
      cells: [
        name(ds),
        int(status.desiredNumberScheduled),
        int(status.currentNumberScheduled),
        int(status.numberReady),
        int(status.updatedNumberScheduled),
        int(status.numberAvailable),
        formatLabels(spec.template?.spec?.nodeSelector),
        age(ds, ctx),
        containers,
        images,
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

/** "kind.group/name" of the controlling owner (lower case), "<none>" without one. */
function controllerName(o: Obj): string {
  const ref = arr(o.metadata?.ownerReferences).find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = str(ref.apiVersion);
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const kind = str(ref.kind);
  if (group === '' && kind === '') return str(ref.name);
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${str(ref.name)}`;
}

const controllerRevisions: Printer = {
  columns: [
    NAME,
    col('Controller', 'string', 'The controller that owns the revision.'),
    col('Revision', 'string', 'The revision number.'),
    AGE,
  ],
  row: (cr, ctx) => ({ cells: [name(cr), controllerName(cr), int(cr.revision), age(cr, ctx)] }),
};

// ---------------------------------------------------------------------------------------------------------------------
// batch
// ---------------------------------------------------------------------------------------------------------------------

/** The first condition of the type decides (upstream hasJobCondition). */
function jobCondition(status: Obj, type: string): boolean {
  const c = arr(status.conditions).find((x) => x.type === type);
  return c !== undefined && c.status === 'True';
}

const jobs: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'Complete, Failed, Terminating, Suspended, FailureTarget or Running.'),
    col('Completions', 'string', 'Succeeded pods out of the completions wanted.'),
    col('Duration', 'string', 'How long the job ran (or has been running).'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR('Label selector for the pods of the job.'),
  ],
  row: (job, ctx) => {
    const spec = obj(job.spec);
    const status = obj(job.status);
    const succeeded = int(status.succeeded);
    let completions: string;
    if (typeof spec.completions === 'number') {
      completions = `${succeeded}/${int(spec.completions)}`;
    } else {
      const parallelism = int(spec.parallelism);
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(status.startTime);
    const completion = parseTime(status.completionTime);
    let duration = '';
    if (start !== undefined) duration = humanDuration((completion ?? ctx.now) - start);
    let state: string;
    if (jobCondition(status, 'Complete')) state = 'Complete';
    else if (jobCondition(status, 'Failed')) state = 'Failed';
    else if (job.metadata?.deletionTimestamp) state = 'Terminating';
    else if (jobCondition(status, 'Suspended')) state = 'Suspended';
    else if (jobCondition(status, 'FailureTarget')) state = 'FailureTarget';
    else state = 'Running';
    const [containers, images] = templateContainers(spec);
    return {
      cells: [name(job), state, completions, duration, age(job, ctx), containers, images, formatLabelSelector(spec.selector)],
    };
  },
};

const cronJobs: Printer = {
  columns: [
    NAME,
    col('Schedule', 'string', 'The cron schedule.'),
    col('Timezone', 'string', 'The time zone the schedule is read in.'),
    col('Suspend', 'boolean', 'Whether new runs are suspended.'),
    col('Active', 'integer', 'Jobs currently running.'),
    col('Last Schedule', 'string', 'How long ago a job was last scheduled.'),
    AGE,
    CONTAINERS,
    IMAGES,
    SELECTOR('Label selector for the pods of the jobs.'),
  ],
  row: (cj, ctx) => {
    const spec = obj(cj.spec);
    const status = obj(cj.status);
    const jobSpec = obj(spec.jobTemplate?.spec);
    const [containers, images] = templateContainers(jobSpec);
    return {
      cells: [
        name(cj),
        str(spec.schedule),
        spec.timeZone == null ? '<none>' : str(spec.timeZone),
        printBoolPtr(spec.suspend ?? false),
        arr(status.active).length,
        status.lastScheduleTime ? translateTimestampSince(status.lastScheduleTime, ctx.now) : '<none>',
        age(cj, ctx),
        containers,
        images,
        formatLabelSelector(jobSpec.selector),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// autoscaling/v2 HorizontalPodAutoscaler
// ---------------------------------------------------------------------------------------------------------------------

/** upstream formatHPAMetrics: "current/target" per metric, at most two, then "+ N more...". */
export function formatHPAMetrics(specs: unknown, statuses: unknown): string {
  const metrics = arr(specs);
  const current = arr(statuses);
  if (metrics.length === 0) return '<none>';
  const list: string[] = [];
  metrics.forEach((spec, i) => {
    const st = current[i];
    switch (spec.type) {
      case 'External': {
        const target = obj(spec.external?.target);
        if (target.averageValue != null) {
          const cur = st?.external?.current?.averageValue != null ? quantityPtr(st.external.current.averageValue) : '<unknown>';
          list.push(`${cur}/${quantityPtr(target.averageValue)} (avg)`);
        } else {
          const cur = st?.external ? quantityPtr(st.external.current?.value) : '<unknown>';
          list.push(`${cur}/${quantityPtr(target.value)}`);
        }
        break;
      }
      case 'Pods': {
        const cur = st?.pods ? quantityPtr(st.pods.current?.averageValue) : '<unknown>';
        list.push(`${cur}/${quantityPtr(spec.pods?.target?.averageValue)}`);
        break;
      }
      case 'Object': {
        const target = obj(spec.object?.target);
        if (target.averageValue != null) {
          const cur = st?.object?.current?.averageValue != null ? quantityPtr(st.object.current.averageValue) : '<unknown>';
          list.push(`${cur}/${quantityPtr(target.averageValue)} (avg)`);
        } else {
          const cur = st?.object ? quantityPtr(st.object.current?.value) : '<unknown>';
          list.push(`${cur}/${quantityPtr(target.value)}`);
        }
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const src = obj(spec[key]);
        const target = obj(src.target);
        const stSrc = st?.[key] as Obj | undefined;
        if (target.averageValue != null) {
          const cur = stSrc ? quantityPtr(stSrc.current?.averageValue) : '<unknown>';
          list.push(`${str(src.name)}: ${cur}/${quantityPtr(target.averageValue)}`);
        } else {
          const util = stSrc?.current?.averageUtilization;
          const cur = typeof util === 'number' ? `${int(util)}%` : '<unknown>';
          const tgt = typeof target.averageUtilization === 'number' ? `${int(target.averageUtilization)}%` : '<auto>';
          list.push(`${str(src.name)}: ${cur}/${tgt}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

const horizontalPodAutoscalers: Printer = {
  columns: [
    NAME,
    col('Reference', 'string', 'The scaled object, as Kind/name.'),
    col('Targets', 'string', 'Current and target values of the metrics.'),
    col('MinPods', 'string', 'The lower replica limit.'),
    col('MaxPods', 'string', 'The upper replica limit.'),
    col('Replicas', 'string', 'Current replicas.'),
    AGE,
  ],
  row: (hpa, ctx) => {
    const spec = obj(hpa.spec);
    const ref = obj(spec.scaleTargetRef);
    const minReplicas = typeof spec.minReplicas === 'number' ? String(int(spec.minReplicas)) : '1';
    return {
      cells: [
        name(hpa),
        `${str(ref.kind)}/${str(ref.name)}`,
        formatHPAMetrics(spec.metrics, hpa.status?.currentMetrics),
        minReplicas,
        int(spec.maxReplicas),
        int(hpa.status?.currentReplicas),
        age(hpa, ctx),
      ],
    };
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// policy/v1 PodDisruptionBudget
// ---------------------------------------------------------------------------------------------------------------------

const podDisruptionBudgets: Printer = {
  columns: [
    NAME,
    col('Min Available', 'string', 'Pods that must stay available.'),
    col('Max Unavailable', 'string', 'Pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Pod disruptions allowed right now.'),
    AGE,
  ],
  row: (pdb, ctx) => {
    const spec = obj(pdb.spec);
    return {
      cells: [
        name(pdb),
        spec.minAvailable == null ? 'N/A' : intOrString(spec.minAvailable),
        spec.maxUnavailable == null ? 'N/A' : intOrString(spec.maxUnavailable),
        int(pdb.status?.disruptionsAllowed),
        age(pdb, ctx),
      ],
    };
  },
};

export const WORKLOAD_PRINTERS: Record<string, Printer> = {
  'apps/Deployment': deployments,
  'apps/ReplicaSet': replicaSets,
  'apps/StatefulSet': statefulSets,
  'apps/DaemonSet': daemonSets,
  'apps/ControllerRevision': controllerRevisions,
  'batch/Job': jobs,
  'batch/CronJob': cronJobs,
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscalers,
  'policy/PodDisruptionBudget': podDisruptionBudgets,
};
