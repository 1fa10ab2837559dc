// `npm run bench -- [options]`: the benchmark command line.
import { parseBenchArgs, USAGE } from './args.js';
import { runBench } from './runner.js';
import { listSuites } from './suite.js';

async function main(argv: string[]): Promise<number> {
  const opts = parseBenchArgs(argv);
  if (opts === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (opts === 'list') {
    process.stdout.write(`${listSuites().join('\n')}\n`);
    return 0;
  }
  const reports = await runBench(opts);
  const failed = reports.filter((r) => !r.ok).map((r) => r.suite);
  if (failed.length > 0) {
    process.stderr.write(`\nFAILED: wrong answers or errors in ${failed.join(', ')} (see the check column)\n`);
    return 1;
  }
  return 0;
}

// `npm run bench | head`: a closed stdout ends the run (the exit hooks stop the server) instead of crashing.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(1);
  throw e;
});

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
