/**
 * JSON of cached objects, computed once per object version. The watch cache hands the same (never mutated) object to
 * every list and every watcher, so serialising it once serves them all.
 */
const cache = new WeakMap<object, string>();

export function objectJson(obj: object): string {
  let json = cache.get(obj);
  if (json === undefined) {
    json = JSON.stringify(obj);
    cache.set(obj, json);
  }
  return json;
}

/** `{"kind":…,"apiVersion":…,"metadata":…,"items":[…]}` built from the items' cached JSON. */
export function listJson(head: { kind: string; apiVersion: string; metadata: object }, items: readonly object[]): Buffer {
  const parts = [JSON.stringify(head).slice(0, -1), ',"items":['];
  for (let i = 0; i < items.length; i++) {
    if (i) parts.push(',');
    parts.push(objectJson(items[i]!));
  }
  parts.push(']}');
  return Buffer.from(parts.join(''));
}

export const watchEventJson = (type: string, obj: object) => `{"type":"${type}","object":${objectJson(obj)}}\n`;
