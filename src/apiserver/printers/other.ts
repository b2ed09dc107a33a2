/** Table printers for networking, discovery, coordination, events.k8s.io and RBAC kinds. */
import { formatLabelSelector } from '../../apimachinery/labels.ts';
import { EVENT_COLUMNS, printCoreEvent } from './core.ts';
import { translateTimestampSince } from './duration.ts';
import { AGE, NAME, arr, col, int, listWithMore, loadBalancerIngress, obj, str, wide } from './helpers.ts';
import type { Obj, Printer, PrintContext } from './types.ts';

const age = (o: Obj, ctx: PrintContext) => translateTimestampSince(o.metadata?.creationTimestamp, ctx.now);
const name = (o: Obj) => str(o.metadata?.name);

// ---------------------------------------------------------------------------------------------------------------------
// networking.k8s.io
// ---------------------------------------------------------------------------------------------------------------------

/** upstream formatHosts: up to three rule hosts, "*" when none. */
function formatHosts(rules: unknown): string {
  const all = arr(rules);
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && str(rule.host).length !== 0) list.push(str(rule.host));
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${all.length - max} more...` : ret;
}

const ingresses: Printer = {
  columns: [
    NAME,
    col('Class', 'string', 'The IngressClass that handles the ingress.'),
    col('Hosts', 'string', 'Hosts the rules match.'),
    col('Address', 'string', 'Addresses of the load balancer serving the ingress.'),
    col('Ports', 'string', 'Ports served: 80, and 443 with TLS.'),
    AGE,
  ],
  row: (ing, ctx) => {
    const spec = obj(ing.spec);
    return {
      cells: [
        name(ing),
        spec.ingressClassName == null ? '<none>' : str(spec.ingressClassName),
        formatHosts(spec.rules),
        loadBalancerIngress(ing.status?.loadBalancer),
        arr(spec.tls).length !== 0 ? '80, 443' : '80',
        age(ing, ctx),
      ],
    };
  },
};

const ingressClasses: Printer = {
  columns: [
    NAME,
    col('Controller', 'string', 'The controller that implements the class.'),
    col('Parameters', 'string', 'The resource holding extra configuration, as Kind.group/name.'),
    AGE,
  ],
  row: (ic, ctx) => {
    const spec = obj(ic.spec);
    let parameters = '<none>';
    if (spec.parameters) {
      const p = obj(spec.parameters);
      parameters = str(p.kind);
      if (p.apiGroup != null) parameters += '.' + str(p.apiGroup);
      parameters += '/' + str(p.name);
    }
    return { cells: [name(ic), str(spec.controller), parameters, age(ic, ctx)] };
  },
};

const networkPolicies: Printer = {
  columns: [NAME, col('Pod-Selector', 'string', 'Label selector for the pods the policy applies to.'), AGE],
  row: (np, ctx) => ({ cells: [name(np), formatLabelSelector(obj(np.spec?.podSelector)), age(np, ctx)] }),
};

// ---------------------------------------------------------------------------------------------------------------------
// discovery.k8s.io EndpointSlice
// ---------------------------------------------------------------------------------------------------------------------

const endpointSlices: Printer = {
  columns: [
    NAME,
    col('AddressType', 'string', 'IPv4, IPv6 or FQDN.'),
    col('Ports', 'string', 'Ports of the endpoints.'),
    col('Endpoints', 'string', 'Addresses of the endpoints.'),
    AGE,
  ],
  row: (es, ctx) => {
    const ports = arr(es.ports).map((p) => (typeof p.port === 'number' ? String(int(p.port)) : p.name != null ? str(p.name) : '*'));
    const addresses = arr(es.endpoints).flatMap((e) => arr<string>(e.addresses).map(str));
    return { cells: [name(es), str(es.addressType), listWithMore(ports, 3), listWithMore(addresses, 3), age(es, ctx)] };
  },
};

// ---------------------------------------------------------------------------------------------------------------------
// coordination.k8s.io Lease
// ---------------------------------------------------------------------------------------------------------------------

const leases: Printer = {
  columns: [NAME, col('Holder', 'string', 'The current holder of the lease.'), AGE],
  row: (l, ctx) => ({ cells: [name(l), str(l.spec?.holderIdentity), age(l, ctx)] }),
};

// ---------------------------------------------------------------------------------------------------------------------
// events.k8s.io/v1 Event: printed as upstream does, through the core Event it converts to
// ---------------------------------------------------------------------------------------------------------------------

/** The core/v1 shape of an events.k8s.io/v1 Event (fields the printer reads). */
export function eventsV1ToCore(ev: Obj): Obj {
  return {
    metadata: ev.metadata,
    involvedObject: ev.regarding,
    reason: ev.reason,
    message: ev.note,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    type: ev.type,
    eventTime: ev.eventTime,
    series: ev.series,
    action: ev.action,
    related: ev.related,
    reportingComponent: ev.reportingController,
    reportingInstance: ev.reportingInstance,
  };
}

const eventsV1: Printer = { columns: EVENT_COLUMNS, row: (ev, ctx) => printCoreEvent(eventsV1ToCore(ev), ctx) };

// ---------------------------------------------------------------------------------------------------------------------
// rbac.authorization.k8s.io bindings (Role and ClusterRole use the default NAME / CREATED AT table)
// ---------------------------------------------------------------------------------------------------------------------

/** upstream rbac.SubjectsStrings: users, groups, and service accounts as namespace/name. */
function subjectsStrings(subjects: unknown): [string[], string[], string[]] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of arr(subjects)) {
    if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}/${str(s.name)}`);
    else if (s.kind === 'User') users.push(str(s.name));
    else if (s.kind === 'Group') groups.push(str(s.name));
  }
  return [users, groups, sas];
}

function bindingPrinter(what: string): Printer {
  return {
    columns: [
      NAME,
      col('Role', 'string', 'The role granted, as Kind/name.'),
      AGE,
      wide('Users', `Users in the ${what}.`),
      wide('Groups', `Groups in the ${what}.`),
      wide('ServiceAccounts', `Service accounts in the ${what}.`),
    ],
    row: (b, ctx) => {
      const ref = obj(b.roleRef);
      const [users, groups, sas] = subjectsStrings(b.subjects);
      return { cells: [name(b), `${str(ref.kind)}/${str(ref.name)}`, age(b, ctx), users.join(', '), groups.join(', '), sas.join(', ')] };
    },
  };
}

export const OTHER_PRINTERS: Record<string, Printer> = {
  'networking.k8s.io/Ingress': ingresses,
  'networking.k8s.io/IngressClass': ingressClasses,
  'networking.k8s.io/NetworkPolicy': networkPolicies,
  'discovery.k8s.io/EndpointSlice': endpointSlices,
  'coordination.k8s.io/Lease': leases,
  'events.k8s.io/Event': eventsV1,
  'rbac.authorization.k8s.io/RoleBinding': bindingPrinter('roleBinding'),
  'rbac.authorization.k8s.io/ClusterRoleBinding': bindingPrinter('clusterRoleBinding'),
};
