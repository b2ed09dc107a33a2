import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
let root: Logger | undefined;

/**
 * The logger for one component, e.g. `logger('store')`: every line it writes carries `"component":"store"`.
 *
 * Lines are JSON on stderr (stdout is left to commands' plain output), at the level K8TS_LOG_LEVEL names (default
 * info). Writes are synchronous so that nothing is lost when the process exits right after logging. Throws on an
 * unknown K8TS_LOG_LEVEL (the first call happens inside a command, which reports it).
 */
export function logger(component: string, bindings: Record<string, unknown> = {}): Logger {
  root ??= createRoot(process.env.K8TS_LOG_LEVEL || 'info');
  return root.child({ component, ...bindings });
}

function createRoot(level: string): Logger {
  if (!LEVELS.includes(level)) {
    throw new Error(`K8TS_LOG_LEVEL=${level} is not a log level; use one of ${LEVELS.join(', ')}`);
  }
  return pino(
    { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ fd: 2, sync: true }),
  );
}
