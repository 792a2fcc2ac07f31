/**
 * The job entrypoint, the same file for every runner (the local worker pool and Spark's
 * `RDD.pipe` on Dataproc):
 *
 *     node dist/lib/jobs/entrypoint.js [--serve] <job-module> [<params as base64 JSON>]
 *
 * reads one partition as JSON lines on stdin and writes one envelope line per record on stdout.
 * With --serve (the local pool's reused workers) it serves partitions one after another, each framed
 * by a header line and a closing line (see pipe.ts), until stdin ends.
 * `<job-module>` is a compiled module exporting `job` (see job.ts), absolute or relative to the
 * project root. stdout is the data channel, so console.log is sent to stderr. Exit codes: 0 done,
 * 2 bad command line or module, 1 the job crashed.
 */
import * as path from "node:path";
import { decodeParams, isJob } from "./job";
import { runPipe, servePartitions } from "./pipe";
import { projectRoot } from "../paths";

function fail(code: number, message: string): never {
  process.stderr.write(`job entrypoint: ${message}\n`);
  process.exit(code);
}

/** Loads the `job` export (or the default export) of a job module. */
export function loadJob(modulePath: string): import("./job").Job {
  const resolved = path.resolve(projectRoot, modulePath);
  const mod = require(resolved) as { job?: unknown; default?: unknown };
  const job = mod.job ?? mod.default;
  if (!isJob(job)) {
    throw new Error(`${resolved} does not export a job; export const job = defineJob({ name, map }).`);
  }
  return job;
}

async function main(argv: string[]): Promise<void> {
  const serve = argv[0] === "--serve";
  const [modulePath, paramsText] = serve ? argv.slice(1) : argv;
  if (!modulePath) fail(2, "usage: node entrypoint.js [--serve] <job-module> [<params base64>]");
  console.log = console.error;
  console.info = console.error;
  let job;
  let params: unknown;
  try {
    job = loadJob(modulePath);
    params = decodeParams(paramsText);
  } catch (err) {
    fail(2, (err as Error).message);
  }
  if (serve) await servePartitions(job, params, process.stdin, process.stdout);
  else await runPipe(job, params, process.stdin, process.stdout);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    () => { process.exitCode = 0; },
    (err) => fail(1, (err as Error).stack ?? String(err)),
  );
}
