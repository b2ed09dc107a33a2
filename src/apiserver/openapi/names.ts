/**
 * Naming facts: how a kubernetes-types module maps to the Go package prefix upstream uses for its OpenAPI definition
 * names, and how upstream derives operation ids and tags from an API group.
 */

/** Upstream definition-name prefix for the types declared in `node_modules/kubernetes-types/<module>.d.ts`. */
export function packageForModule(module: string): string {
  switch (module) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default: {
      // '<group>/<version>' -> io.k8s.api.<group>.<version>  (core/v1 -> io.k8s.api.core.v1)
      const parts = module.split('/');
      if (parts.length !== 2) throw new Error(`kubernetes-types: unexpected module layout ${module}`);
      return `io.k8s.api.${parts[0]}.${parts[1]}`;
    }
  }
}

/** Types upstream names that have no declaration of their own in kubernetes-types. */
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const WATCH_EVENT = `${META}.WatchEvent`;
export const PATCH = `${META}.Patch`;
export const API_RESOURCE_LIST = `${META}.APIResourceList`;
export const API_GROUP = `${META}.APIGroup`;
export const API_GROUP_LIST = `${META}.APIGroupList`;
export const API_VERSIONS = `${META}.APIVersions`;
export const VERSION_INFO = 'io.k8s.apimachinery.pkg.version.Info';

const cap = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** 'rbac.authorization.k8s.io' -> 'RbacAuthorization', '' -> 'Core', 'apps' -> 'Apps'. */
export function groupIdentifier(group: string): string {
  if (!group) return 'Core';
  const trimmed = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return trimmed.split('.').map(cap).join('');
}

/** Operation-id infix: 'AppsV1', 'CoreV1', 'NetworkingV1'. */
export const opPrefix = (group: string, version: string) => groupIdentifier(group) + cap(version);

/** Tag upstream puts on every operation of a group-version: 'apps_v1', 'core_v1', 'rbacAuthorization_v1'. */
export function tagFor(group: string, version: string): string {
  const id = groupIdentifier(group);
  return id[0].toLowerCase() + id.slice(1) + '_' + version;
}

/** Path of a group-version in the /openapi/v3 index and in client-go: 'api/v1', 'apis/apps/v1'. */
export const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);
