/**
 * A Netflix processor in a child process, for the crash and restart test. Arguments: one JSON
 * object (brokers, checkpointDir, sql {dataDir | url}, table, titles, mode, N, L, O, triggerMs,
 * maxBatchRecords, crashAfterSinksOfBatch?). It prints one JSON line per committed batch and
 * "done" after finish(). With crashAfterSinksOfBatch = k it SIGKILLs itself right after the sinks
 * of batch k were written and before that batch is committed: the worst moment for a crash.
 */
import { Kafka, logLevel } from "kafkajs";
import { openSql } from "../../../lib/sql";
import { startNetflixProcessor } from "../../../scenarios/netflix/pipeline";
import { readTitles } from "../../../scenarios/netflix/titles";
import type { Sink } from "../../../lib/stream";

interface ChildArgs {
  brokers: string;
  topic: string;
  anomaliesTopic: string;
  checkpointDir: string;
  sql: { dataDir?: string; url?: string };
  table: string;
  titles: string;
  mode: "A" | "C";
  windowDays: number;
  minRatings: number;
  minMean: number;
  triggerMs: number;
  crashAfterSinksOfBatch?: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as ChildArgs;
  const kafka = new Kafka({ brokers: [args.brokers], logLevel: logLevel.NOTHING });
  const sql = await openSql(args.sql.url ? { url: args.sql.url } : { dataDir: args.sql.dataDir });
  const crash: Sink = {
    name: "crash",
    async write(batch) {
      if (batch.batchId === args.crashAfterSinksOfBatch) process.kill(process.pid, "SIGKILL");
    },
  };
  const np = await startNetflixProcessor({
    kafka,
    sql,
    titles: readTitles(args.titles),
    mode: args.mode,
    windowDays: args.windowDays,
    minRatings: args.minRatings,
    minMean: args.minMean,
    topic: args.topic,
    anomaliesTopic: args.anomaliesTopic,
    table: args.table,
    checkpointDir: args.checkpointDir,
    triggerMs: args.triggerMs,
    maxBatchRecords: 500,
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
