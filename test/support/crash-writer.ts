/**
 * Child process for the crash-safety test: writes to an LMDB store as fast as it can and prints one line per
 * acknowledged write — `ack <revision> <key> <value>` — until it is killed.
 */
import { openLmdbBackend } from '../../src/storage/lmdb/lmdb-backend.ts';

const [dir, cycle] = process.argv.slice(2);
if (!dir || !cycle) throw new Error('usage: crash-writer DIR CYCLE');
const b = await openLmdbBackend({ dir });
const enc = (s: string) => new TextEncoder().encode(s);
const out = (line: string) => process.stdout.write(line + '\n');
out('ready');

const writers = 8;
await Promise.all(
  Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; ; i++) {
      const key = `/crash/${cycle}/${w}/${i}`;
      const value = `${cycle}-${w}-${i}`;
      const kv = await b.create(key, enc(value));
      out(`ack ${kv.modRevision} ${key} ${value}`);
      if (i % 4 === 0) {
        // a hot key updated by every writer, with CAS, as a lease would be
        const cur = await b.get('/crash/hot');
        const next = `${cycle}-${w}-${i}`;
        try {
          const u = cur
            ? await b.update('/crash/hot', enc(next), { expectedModRevision: cur.modRevision })
            : await b.create('/crash/hot', enc(next));
          out(`ack ${u.modRevision} /crash/hot ${next}`);
        } catch {
          // lost a CAS race: fine, nothing was acknowledged
        }
      }
    }
  }),
);
