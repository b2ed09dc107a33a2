/**
 * Service ClusterIP and NodePort allocation (pkg/registry/core/service/ipallocator and portallocator semantics),
 * made safe across API servers and restarts by keeping each allocation in the store itself: an IP or port is taken
 * by creating a marker key (create is atomic: KeyExists means someone else holds it) and released by deleting it.
 *
 *   /registry/ranges/serviceips/<ip>            {"namespace","name","uid","at"}
 *   /registry/ranges/servicenodeports/<port>    same
 *
 * Dynamic allocation prefers the upper part of a range (the lower band is left for static requests, as upstream's
 * offset allocators do); the range's first and tenth IPs (the `kubernetes` and DNS services by convention) are only
 * ever allocated when requested explicitly. A marker whose owner no longer exists or no longer holds the value (an
 * API server died between taking it and writing the Service) is taken over once it is older than a grace period, so
 * allocations do not leak.
 */
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { Backend } from '../../../storage/backend.ts';
import { isStorageError } from '../../../storage/errors.ts';

export const SERVICE_IPS_PREFIX = '/registry/ranges/serviceips/';
export const NODE_PORTS_PREFIX = '/registry/ranges/servicenodeports/';
export const DEFAULT_SERVICE_CIDR = '10.43.0.0/16';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

export interface AllocatorOptions {
  /** --service-cluster-ip-range (default 10.43.0.0/16, as k3s) */
  serviceClusterIPRange?: string;
  /** --service-node-port-range (default 30000-32767) */
  serviceNodePortRange?: string;
  /** How old an orphaned marker must be before it is reclaimed (ms, default 60 s). */
  reclaimAfterMs?: number;
  now?: () => number;
}

export interface Owner {
  namespace: string;
  name: string;
  uid: string;
}

interface Marker extends Owner {
  at: number;
}

export type IPFamily = 'IPv4' | 'IPv6';

/** Why an allocation failed; `message` is upstream's error text. */
export class AllocationError extends Error {
  constructor(
    readonly reason: 'allocated' | 'notInRange' | 'full',
    message: string,
  ) {
    super(message);
  }
}

// ---- addresses ------------------------------------------------------------------------------------------------------

export function familyOf(ip: string): IPFamily | undefined {
  const v = isIP(ip);
  return v === 4 ? 'IPv4' : v === 6 ? 'IPv6' : undefined;
}

function ipToBigInt(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
  let s = ip;
  // an embedded IPv4 tail (::ffff:1.2.3.4)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = ipToBigInt(v4[1]!);
    s = s.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

function bigIntToIP(n: bigint, family: IPFamily): string {
  if (family === 'IPv4') return [24n, 16n, 8n, 0n].map((sh) => String((n >> sh) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** A service CIDR: its usable addresses are the offsets 1 … size-2 (network and last address excluded). */
export class IPRange {
  readonly family: IPFamily;
  readonly base: bigint;
  readonly size: bigint;
  readonly cidr: string;

  constructor(cidr: string) {
    const m = /^(.+)\/(\d+)$/.exec(cidr);
    const family = m ? familyOf(m[1]!) : undefined;
    const bits = family === 'IPv4' ? 32 : 128;
    const prefix = m ? Number(m[2]) : NaN;
    if (!m || !family || !(prefix >= 0 && prefix <= bits - 2)) throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}`);
    this.family = family;
    this.size = 1n << BigInt(bits - prefix);
    this.base = (ipToBigInt(m[1]!) / this.size) * this.size;
    this.cidr = `${bigIntToIP(this.base, family)}/${prefix}`;
  }

  /** The usable offset of `ip`, or undefined when it is outside the range (or the network/last address). */
  offsetOf(ip: string): bigint | undefined {
    if (familyOf(ip) !== this.family) return undefined;
    const off = ipToBigInt(ip) - this.base;
    return off >= 1n && off <= this.size - 2n ? off : undefined;
  }

  ipAt(offset: bigint): string {
    return bigIntToIP(this.base + offset, this.family);
  }

  /** Canonical text of an address of this family. */
  canonical(ip: string): string {
    return bigIntToIP(ipToBigInt(ip), this.family);
  }
}

export class PortRange {
  readonly base: number;
  readonly size: number;
  readonly text: string;

  constructor(spec: string) {
    const m = /^(\d+)-(\d+)$/.exec(spec) ?? /^(\d+)\+(\d+)$/.exec(spec);
    if (!m) throw new Error(`invalid node port range ${JSON.stringify(spec)}`);
    const base = Number(m[1]);
    const last = spec.includes('+') ? base + Number(m[2]) : Number(m[2]);
    if (!(base > 0 && last >= base && last <= 65535)) throw new Error(`invalid node port range ${JSON.stringify(spec)}`);
    this.base = base;
    this.size = last - base + 1;
    this.text = `${base}-${last}`;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.base && port < this.base + this.size;
  }
}

/** upstream ipallocator calculateRangeOffset: min(max(16, size/16), 256), 0 for tiny ranges. */
function ipBand(size: bigint): bigint {
  if (size <= 16n) return 0n;
  const off = size / 16n;
  return off < 16n ? 16n : off > 256n ? 256n : off;
}

/** upstream portallocator calculateRangeOffset: min(max(16, size/32), 128), 0 for tiny ranges. */
function portBand(size: number): number {
  if (size <= 16) return 0;
  const off = Math.floor(size / 32);
  return off < 16 ? 16 : off > 128 ? 128 : off;
}

// ---- the allocators -----------------------------------------------------------------------------------------------

const enc = (m: Marker) => Buffer.from(JSON.stringify(m));
const dec = (v: Uint8Array): Marker | undefined => {
  try {
    return JSON.parse(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8')) as Marker;
  } catch {
    return undefined;
  }
};

interface ServiceSpecLike {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: { nodePort?: number }[];
  healthCheckNodePort?: number;
}

export class ServiceAllocators {
  readonly ips: IPRange;
  readonly ports: PortRange;
  private readonly reclaimAfterMs: number;
  private readonly now: () => number;

  constructor(
    private readonly backend: Backend,
    opts: AllocatorOptions = {},
  ) {
    this.ips = new IPRange(opts.serviceClusterIPRange ?? DEFAULT_SERVICE_CIDR);
    this.ports = new PortRange(opts.serviceNodePortRange ?? DEFAULT_NODE_PORT_RANGE);
    this.reclaimAfterMs = opts.reclaimAfterMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Families this cluster serves (single-stack: the service CIDR's). */
  get families(): IPFamily[] {
    return [this.ips.family];
  }

  // ---- IPs ----

  /** Allocates `ip`, or the next free one when it is empty. Returns the (canonical) IP. */
  async allocateIP(owner: Owner, ip = ''): Promise<string> {
    if (ip) {
      const off = this.ips.offsetOf(ip);
      if (off === undefined) {
        throw new AllocationError(
          'notInRange',
          `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.ips.cidr}`,
        );
      }
      const canonical = this.ips.ipAt(off);
      if (!(await this.claim(SERVICE_IPS_PREFIX + canonical, owner, (svc) => holdsIP(svc, canonical)))) {
        throw new AllocationError('allocated', 'provided IP is already allocated');
      }
      return canonical;
    }
    const taken = await this.takenKeys(SERVICE_IPS_PREFIX);
    const max = this.ips.size - 2n; // usable offsets 1 … max
    const band = ipBand(this.ips.size) < max ? ipBand(this.ips.size) : 0n;
    const reserved = new Set([1n, 10n]);
    const tryOffsets = async (lo: bigint, hi: bigint): Promise<string | undefined> => {
      if (hi < lo) return undefined;
      const span = hi - lo + 1n;
      const start = span > BigInt(Number.MAX_SAFE_INTEGER) ? 0n : BigInt(randomInt(Number(span)));
      for (let i = 0n; i < span; i++) {
        const off = lo + ((start + i) % span);
        if (reserved.has(off)) continue;
        const ipText = this.ips.ipAt(off);
        if (taken.has(ipText)) continue;
        if (await this.claim(SERVICE_IPS_PREFIX + ipText, owner, undefined)) return ipText;
      }
      return undefined;
    };
    const found = (await tryOffsets(band + 1n, max)) ?? (await tryOffsets(1n, band));
    if (found) return found;
    for (const ipText of taken) {
      if (reserved.has(this.ips.offsetOf(ipText) ?? 0n)) continue;
      if (await this.claim(SERVICE_IPS_PREFIX + ipText, owner, (svc) => holdsIP(svc, ipText))) return ipText;
    }
    throw new AllocationError('full', 'range is full');
  }

  async releaseIP(owner: Owner, ip: string): Promise<void> {
    if (this.ips.offsetOf(ip) === undefined) return;
    await this.release(SERVICE_IPS_PREFIX + this.ips.canonical(ip), owner);
  }

  // ---- node ports ----

  async allocatePort(owner: Owner, port = 0): Promise<number> {
    if (port) {
      if (!this.ports.contains(port)) {
        throw new AllocationError('notInRange', `provided port is not in the valid range. The range of valid ports is ${this.ports.text}`);
      }
      if (!(await this.claim(NODE_PORTS_PREFIX + port, owner, (svc) => holdsPort(svc, port)))) {
        throw new AllocationError('allocated', 'provided port is already allocated');
      }
      return port;
    }
    const taken = await this.takenKeys(NODE_PORTS_PREFIX);
    const band = portBand(this.ports.size);
    const tryPorts = async (lo: number, hi: number): Promise<number | undefined> => {
      if (hi < lo) return undefined;
      const span = hi - lo + 1;
      const start = randomInt(span);
      for (let i = 0; i < span; i++) {
        const p = this.ports.base + lo + ((start + i) % span);
        if (taken.has(String(p))) continue;
        if (await this.claim(NODE_PORTS_PREFIX + p, owner, undefined)) return p;
      }
      return undefined;
    };
    const found = (await tryPorts(band, this.ports.size - 1)) ?? (await tryPorts(0, band - 1));
    if (found) return found;
    for (const p of taken) {
      const n = Number(p);
      if (await this.claim(NODE_PORTS_PREFIX + p, owner, (svc) => holdsPort(svc, n))) return n;
    }
    throw new AllocationError('full', 'range is full');
  }

  async releasePort(owner: Owner, port: number): Promise<void> {
    if (!this.ports.contains(port)) return;
    await this.release(NODE_PORTS_PREFIX + port, owner);
  }

  // ---- markers ----

  private async takenKeys(prefix: string): Promise<Set<string>> {
    const { kvs } = await this.backend.list(prefix);
    return new Set(kvs.map((kv) => kv.key.slice(prefix.length)));
  }

  /**
   * Takes the marker for `owner`. True when it is now (or already was) the owner's; false when someone else holds
   * it. `held` says whether a Service still holds the value (checked before an orphaned marker is taken over);
   * without it only free markers are taken.
   */
  private async claim(key: string, owner: Owner, held: ((svc: ServiceSpecLike) => boolean) | undefined): Promise<boolean> {
    const mine: Marker = { namespace: owner.namespace, name: owner.name, uid: owner.uid, at: this.now() };
    try {
      await this.backend.create(key, enc(mine));
      return true;
    } catch (err) {
      if (!isStorageError(err, 'KeyExists')) throw err;
      const current = err.current ?? (await this.backend.get(key));
      if (!current) return this.claim(key, owner, held); // released meanwhile
      const marker = dec(current.value);
      if (marker?.uid === owner.uid) return true;
      if (!held || !(await this.orphaned(marker, held))) return false;
      try {
        await this.backend.update(key, enc(mine), { expectedModRevision: current.modRevision });
        return true;
      } catch (e) {
        if (isStorageError(e, 'Conflict') || isStorageError(e, 'KeyNotFound')) return false;
        throw e;
      }
    }
  }

  /** The marker's Service is gone, was replaced, or no longer holds the value, and the marker is old enough. */
  private async orphaned(marker: Marker | undefined, held: (svc: ServiceSpecLike) => boolean): Promise<boolean> {
    if (!marker) return true;
    if (this.now() - (marker.at ?? 0) < this.reclaimAfterMs) return false;
    const kv = await this.backend.get(`/registry/core/services/${marker.namespace}/${marker.name}`);
    if (!kv) return true;
    const svc = dec(kv.value) as unknown as { metadata?: { uid?: string }; spec?: ServiceSpecLike } | undefined;
    if (svc?.metadata?.uid !== marker.uid) return true;
    return !held(svc?.spec ?? {});
  }

  private async release(key: string, owner: Owner): Promise<void> {
    const kv = await this.backend.get(key);
    if (!kv || dec(kv.value)?.uid !== owner.uid) return; // not ours (anymore)
    try {
      await this.backend.delete(key, { expectedModRevision: kv.modRevision });
    } catch (err) {
      if (!isStorageError(err, 'Conflict') && !isStorageError(err, 'KeyNotFound')) throw err;
    }
  }
}

function holdsIP(spec: ServiceSpecLike, ip: string): boolean {
  if (spec.type === 'ExternalName') return false;
  return (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).includes(ip);
}

function holdsPort(spec: ServiceSpecLike, port: number): boolean {
  return spec.healthCheckNodePort === port || (spec.ports ?? []).some((p) => p.nodePort === port);
}
