/**
 * Exponential backoff with jitter, as client-go's reflector uses between failed list/watch attempts: 800 ms doubling
 * to a 30 s cap, each delay stretched by up to 100 % jitter (then capped), and back to 800 ms once no failure has
 * happened for 2 minutes.
 */
import { realClock, type Clock } from './clock.ts';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Each delay d becomes d + random·jitter·d. */
  jitter?: number;
  /** A failure this long after the previous one starts again from `initialMs`. */
  resetAfterMs?: number;
  clock?: Clock;
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly resetAfterMs: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private currentMs: number;
  private lastAt: number | undefined;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 800;
    this.maxMs = opts.maxMs ?? 30_000;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 1;
    this.resetAfterMs = opts.resetAfterMs ?? 120_000;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.currentMs = this.initialMs;
  }

  /** The delay to wait after a failure now. */
  next(): number {
    const now = this.clock.now();
    if (this.lastAt !== undefined && now - this.lastAt > this.resetAfterMs) this.currentMs = this.initialMs;
    this.lastAt = now;
    const base = this.currentMs;
    this.currentMs = Math.min(this.currentMs * this.factor, this.maxMs);
    return Math.min(jittered(base, this.jitter, this.random), this.maxMs);
  }

  reset(): void {
    this.currentMs = this.initialMs;
    this.lastAt = undefined;
  }
}

/** wait.Jitter: d plus up to factor·d. */
export function jittered(ms: number, factor: number, random: () => number = Math.random): number {
  return factor > 0 ? ms + random() * factor * ms : ms;
}
