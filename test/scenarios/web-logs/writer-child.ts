/**
 * The web-logs stream writer in a child process, for the crash and restart test. Argument: one JSON
 * object (brokers, topic, lakeRoot, checkpointDir, maxBatchRecords, crashAfterFilesOfBatch?). It
 * prints one JSON line per committed batch and "done" after drain(). With crashAfterFilesOfBatch = k
 * it SIGKILLs itself right after batch k's lake files were written and before that batch is
 * committed: the worst moment for a crash.
 */
import { Kafka, logLevel } from "kafkajs";
import { openLake } from "../../../lib/lake";
import { startLakeWriter } from "../../../scenarios/web-logs/lake-writer";

interface ChildArgs {
  brokers: string;
  topic: string;
  lakeRoot: string;
  checkpointDir: string;
  maxBatchRecords: number;
  crashAfterFilesOfBatch?: number;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as ChildArgs;
  const kafka = new Kafka({ brokers: [args.brokers], logLevel: logLevel.NOTHING });
  const lake = await openLake({ root: args.lakeRoot });
  const writer = await startLakeWriter({
    kafka,
    lake,
    topic: args.topic,
    checkpointDir: args.checkpointDir,
    triggerMs: 20,
    maxBatchRecords: args.maxBatchRecords,
    onBatch: (b) => process.stdout.write(`${JSON.stringify(b)}\n`),
    recordSinks: [{ name: "crash", write: async (batch) => { if (batch.batchId === args.crashAfterFilesOfBatch) process.kill(process.pid, "SIGKILL"); } }],
  });
  await writer.drain();
  process.stdout.write(`done ${JSON.stringify(writer.stats())}\n`);
  await writer.close();
  await lake.close();
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
