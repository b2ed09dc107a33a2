/** Measurement pieces every benchmark shares: closed-loop workers, latency percentiles, env knobs. */

/** A positive number from the environment, or undefined when unset. */
export function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return n;
}

/** Stop after `ops` operations, after `seconds`, or at whichever comes first when both are given. */
export type Limit = { ops: number; seconds?: number } | { seconds: number; ops?: undefined };

export interface Run {
  ops: number;
  elapsedMs: number;
  /** Latency of every operation, ms. */
  lat: number[];
}

/**
 * Runs `op` from `concurrency` closed-loop workers until `limit` is reached. `op(worker, seq)` gets the worker number
 * and a run-wide sequence number (unique per operation). The first error stops every worker and is rethrown.
 */
export async function closedLoop(
  concurrency: number,
  limit: Limit,
  op: (worker: number, seq: number) => Promise<void>,
): Promise<Run> {
  const lat: number[] = [];
  let seq = 0;
  let failed = false;
  const start = performance.now();
  const deadline = limit.seconds !== undefined ? start + limit.seconds * 1000 : Infinity;
  const more = () => !failed && (limit.ops === undefined || seq < limit.ops) && performance.now() < deadline;
  const worker = async (w: number) => {
    while (more()) {
      const n = seq++;
      const t0 = performance.now();
      try {
        await op(w, n);
      } catch (err) {
        failed = true;
        throw err;
      }
      lat.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  return { ops: lat.length, elapsedMs: performance.now() - start, lat };
}

/** Nearest-rank percentile of an ascending-sorted array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Stats {
  perS: number;
  p50: number;
  p99: number;
  n: number;
}

/** Pools runs: throughput = total ops / total time (or `opsOverride` ops), percentiles over all samples. */
export function stats(runs: Run | Run[], opsOverride?: number): Stats {
  const list = Array.isArray(runs) ? runs : [runs];
  const lat = list.flatMap((r) => r.lat).sort((a, b) => a - b);
  const ops = opsOverride ?? list.reduce((s, r) => s + r.ops, 0);
  const ms = list.reduce((s, r) => s + r.elapsedMs, 0);
  return { perS: ms > 0 ? (ops * 1000) / ms : NaN, p50: percentile(lat, 50), p99: percentile(lat, 99), n: lat.length };
}

export const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
export const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : NaN);
