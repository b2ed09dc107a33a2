/**
 * Turns a request path into what it asks for (apiserver's RequestInfoFactory):
 *   /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
 *   /apis/{group}/{version}/{resource}/{name}
 *   /api/v1/watch/namespaces/{ns}/{resource}   (legacy watch prefix)
 */

export interface ResourceRequest {
  kind: 'resource';
  group: string;
  version: string;
  /** verb as RBAC knows it: get list watch create update patch delete deletecollection */
  verb: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** trailing parts after the subresource (e.g. proxy paths) */
  rest: string[];
}

export interface NonResourceRequest {
  kind: 'nonresource';
  path: string;
}

import { badRequest } from '../apimachinery/status.ts';

/** Namespace subresources: /api/v1/namespaces/{name}/{status|finalize} is the namespace itself, not a resource in it. */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequest(method: string, pathname: string, query: URLSearchParams): ResourceRequest | NonResourceRequest {
  const parts = pathname.split('/').filter(Boolean).map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { kind: 'nonresource', path: pathname };
  }
  if (rest.length === 0) return { kind: 'nonresource', path: pathname };

  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  let scoped = false;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) {
      rest = rest.slice(2);
      scoped = true;
    }
  }
  const [resource, name, subresource, ...tail] = rest;
  if (!resource) return { kind: 'nonresource', path: pathname };
  // For the namespaces resource itself the "namespace" is its name, not a scope.
  if (resource === 'namespaces' && !scoped) namespace = undefined;

  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = watchPrefix || isTrue(query.get('watch')) ? 'watch' : name ? 'get' : 'list';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name ? 'delete' : 'deletecollection';
      break;
    default:
      verb = method.toLowerCase();
  }
  return { kind: 'resource', group, version, verb, namespace, resource, name, subresource, rest: tail };
}

export const isTrue = (v: string | null) => v === 'true' || v === '1';

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid URL path segment ${JSON.stringify(segment)}: malformed percent-encoding`);
  }
}
