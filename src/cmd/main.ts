/**
 * The `k8ts` multicall binary (run through the ./k8ts launcher). Each subcommand lives in its own file here.
 *
 * Exit codes: 0 success; 1 a command failed (`k8ts: <message>`, with the stack when K8TS_DEBUG=1);
 * 2 usage error (unknown command or option, bad or conflicting flag values).
 */
import { Command, CommanderError } from 'commander';
import { inspect } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { serverCommand } from './server.ts';
import { storeCommand } from './store.ts';

export const USAGE_EXIT_CODE = 2;

export function buildCli(): Command {
  const program = new Command('k8ts')
    .description('k8ts: a Kubernetes distribution written in TypeScript')
    .version(pkg.version, '-v, --version')
    .addCommand(serverCommand())
    .addCommand(storeCommand());
  // Every command (and subcommand) reports usage errors the same way: what is wrong, then where the usage is.
  const configure = (cmd: Command, path: string[]) => {
    cmd
      .exitOverride()
      .configureOutput({ outputError: (str, write) => write(`k8ts: ${str.replace(/^error: /, '')}`) })
      .showHelpAfterError(`Run '${[...path, '--help'].join(' ')}' for usage.`);
    for (const sub of cmd.commands) configure(sub, [...path, sub.name()]);
  };
  configure(program, ['k8ts']);
  return program;
}

/** Runs the CLI and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed the help, version or error message.
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : USAGE_EXIT_CODE;
    }
    const debug = process.env.K8TS_DEBUG === '1';
    process.stderr.write(`k8ts: ${debug ? inspect(err) : err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exit(await main(process.argv));
