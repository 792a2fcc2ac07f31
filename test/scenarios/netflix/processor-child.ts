/**
 * A Netflix processor in a child process, for the crash and restart test, started as an instance
 * is (startInstanceProcessor). Arguments: one JSON object, an instance's arguments (brokers,
 * checkpointDir, table, titles, mode, N, L, O, triggerMs; maxBatchRecords 500 unless given) with
 * sql {dataDir | url} and crashAfterSinksOfBatch?. It prints one JSON line per committed batch and
 * "done" after finish(). With crashAfterSinksOfBatch = k it SIGKILLs itself right after the sinks
 * of batch k were written and before that batch is committed: the worst moment for a crash.
 */
import { openSql } from "../../../lib/sql";
import { startInstanceProcessor, type InstanceArgs } from "../../../scenarios/netflix/instances";
import type { Sink } from "../../../lib/stream";

/** An instance's arguments (one processor: no applicationId), the database and when to crash. */
type ChildArgs = InstanceArgs & {
  sql: { dataDir?: string; url?: string };
  crashAfterSinksOfBatch?: number;
};

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as ChildArgs;
  const sql = await openSql(args.sql.url ? { url: args.sql.url } : { dataDir: args.sql.dataDir });
  const crash: Sink = {
    name: "crash",
    async write(batch) {
      if (batch.batchId === args.crashAfterSinksOfBatch) process.kill(process.pid, "SIGKILL");
    },
  };
  const np = await startInstanceProcessor({ maxBatchRecords: 500, ...args }, sql, {
    extraSinks: { movie_ratings: [crash] },
    onBatch: (b) => process.stdout.write(`${JSON.stringify(b)}\n`),
  });
  await np.processor.finish();
  process.stdout.write(`done ${JSON.stringify(np.processor.stats())}\n`);
  await np.close();
  await sql.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
