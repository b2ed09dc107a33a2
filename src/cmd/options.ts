import { InvalidArgumentError, Option } from 'commander';

/** Where k8ts keeps its state unless --data-dir says otherwise (the embedded store lives in `<data-dir>/store`). */
export const DEFAULT_DATA_DIR = '/var/lib/k8ts';

export const dataDirOption = () =>
  new Option('--data-dir <dir>', 'directory holding k8ts state; the embedded store is <dir>/store').default(
    DEFAULT_DATA_DIR,
  );

/** Option parser for counts and durations: a whole number ≥ 0. */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('Expected a whole number >= 0.');
  }
  return n;
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
