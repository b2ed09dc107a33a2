/**
 * Which representation of objects the client asked for, from its Accept header: the object itself, a meta.k8s.io
 * Table (server-side printing for kubectl get), or PartialObjectMetadata. Protobuf is not served: a client that
 * accepts only protobuf gets 406.
 */
import { notAcceptable } from '../apimachinery/status.ts';

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export type Representation =
  | { kind: 'object' }
  | { kind: 'metadata' }
  | { kind: 'table'; table: { includeObject: IncludeObject } };

export function negotiate(accept: string | undefined, query: URLSearchParams): Representation {
  if (!accept) return { kind: 'object' };
  for (const part of accept.split(',')) {
    const [type = '', ...paramParts] = part.split(';').map((s) => s.trim());
    const params = new Map(paramParts.map((p) => p.split('=').map((s) => s.trim()) as [string, string]));
    const mt = type.toLowerCase();
    if (mt !== 'application/json' && mt !== '*/*' && mt !== 'application/*' && mt !== 'application/yaml') continue;
    const as = params.get('as');
    if (!as) return { kind: 'object' };
    if (params.get('g') !== 'meta.k8s.io' || !['v1', 'v1beta1'].includes(params.get('v') ?? '')) continue;
    if (as === 'Table') {
      const inc = query.get('includeObject');
      const includeObject: IncludeObject = inc === 'None' || inc === 'Object' ? inc : 'Metadata';
      return { kind: 'table', table: { includeObject } };
    }
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return { kind: 'metadata' };
  }
  throw notAcceptable(`only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io`);
}
