import fs from 'node:fs';
import path from 'node:path';
import { StorageError } from '../errors.ts';

/**
 * One process per store directory. LMDB itself allows several processes, but k8ts' writer assigns revisions in memory
 * and broadcasts watches in-process, so a second writer would corrupt the revision sequence.
 *
 * The lock is a file created with O_EXCL holding the owner's PID and its start time (from /proc, so a recycled PID is
 * not mistaken for the owner). A lock left by a process that died (kill -9, power loss) is taken over.
 */
export class DirLock {
  private constructor(private readonly file: string) {}

  static acquire(dir: string): DirLock {
    const file = path.join(dir, 'k8ts.lock');
    const me = `${process.pid} ${startTime(process.pid)}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, me, { flag: 'wx', mode: 0o600 });
        return new DirLock(file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const [pidText, started] = readOr(file, '').trim().split(' ');
      const pid = Number(pidText);
      if (pid > 0 && pid !== process.pid && startTime(pid) === started && started !== undefined) {
        throw new StorageError(
          'Unavailable',
          `the store in ${dir} is in use by another k8ts process (pid ${pid}); stop that process first, ` +
            `or use another --data-dir`,
        );
      }
      if (pid === process.pid && startTime(pid) === started) {
        throw new StorageError('Unavailable', `the store in ${dir} is already open in this process`);
      }
      // Stale: the owner is gone. Remove and retry the exclusive create (another process may race us to it).
      fs.rmSync(file, { force: true });
    }
    throw new StorageError('Unavailable', `could not lock ${file}: another process keeps taking it`);
  }

  release(): void {
    fs.rmSync(this.file, { force: true });
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** The process start time in clock ticks since boot (field 22 of /proc/PID/stat), or undefined if it is not running. */
function startTime(pid: number): string | undefined {
  const stat = readOr(`/proc/${pid}/stat`, '');
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}
