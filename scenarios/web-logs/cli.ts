/**
 * `workbook data weblogs [--hours N] [--events-per-hour N] [--start ISO] [--late-share X] [--seed S]`:
 * generates web logs, publishes them to a fresh topic of the workbook's Kafka (the embedded broker,
 * or KAFKA_BROKERS) and runs the stream writer until every line is in the lake (`<lake>/web_logs`),
 * then marks the stream ended. Then: `workbook dag backfill weblogs_hourly --from .. --to ..`.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { config } from "../../lib/config";
import { closeEmbeddedBroker, kafka } from "../../lib/kafka";
import { openLake } from "../../lib/lake";
import { generateWebLogs, WEBLOG_DEFAULTS } from "./generate";
import { LOGS_DATASET, markStreamEnded, startLakeWriter } from "./lake-writer";
import { publishLogLines } from "./producer";

export const DATA_WEBLOGS_USAGE = `usage: workbook data weblogs [--hours N] [--events-per-hour N] [--start ISO] [--late-share X] [--seed S]
  --hours N            hours of traffic (default ${WEBLOG_DEFAULTS.hours})
  --events-per-hour N  events per hour on average (default ${WEBLOG_DEFAULTS.eventsPerHour})
  --start ISO          the first hour, UTC (default ${WEBLOG_DEFAULTS.start})
  --late-share X       share of events that arrive 60-150 minutes late (default ${WEBLOG_DEFAULTS.lateShare})
  --seed S             the same seed makes the same logs (default ${WEBLOG_DEFAULTS.seed})
The lines go through Kafka and the stream writer into <lake>/${LOGS_DATASET}/dt=.../hour=.../ (LAKE),
replacing what was there.
Then: workbook dag backfill weblogs_hourly --from 2021-03-26T10:00:00Z --to 2021-03-26T12:00:00Z`;

type Line = (line: string) => void;

export async function dataWebLogsCommand(argv: string[], out: Line = (l) => process.stdout.write(l + "\n"), err: Line = (l) => process.stderr.write(l + "\n")): Promise<number> {
  const o: { hours: number; eventsPerHour: number; start: string; lateShare: number; seed: number } = { ...WEBLOG_DEFAULTS };
  const names: Record<string, keyof typeof o> = { hours: "hours", "events-per-hour": "eventsPerHour", start: "start", "late-share": "lateShare", seed: "seed" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      out(DATA_WEBLOGS_USAGE);
      return 0;
    }
    const m = /^--(hours|events-per-hour|start|late-share|seed)(?:=(.*))?$/.exec(arg);
    const value = m ? (m[2] ?? argv[++i]) : undefined;
    if (!m || value === undefined) {
      err(`workbook data weblogs: ${m ? `--${m[1]} needs a value` : `unknown argument ${JSON.stringify(arg)}`}\n${DATA_WEBLOGS_USAGE}`);
      return 2;
    }
    const key = names[m[1]];
    if (key === "start") o.start = value;
    else {
      const n = Number(value);
      if (!Number.isFinite(n)) {
        err(`workbook data weblogs: --${m[1]} ${JSON.stringify(value)} is not a number; use e.g. --${m[1]} ${String(WEBLOG_DEFAULTS[key])}.`);
        return 2;
      }
      o[key] = n;
    }
  }
  const logs = generateWebLogs(o);
  const lake = await openLake();
  const topic = `web-logs-${randomUUID().slice(0, 8)}`;
  const checkpointDir = path.join(config().home, "web-logs", "checkpoints", topic);
  try {
    const old = await lake.list(LOGS_DATASET);
    for (const f of old) await lake.delete(f.path); // a fresh dataset: the same events twice would be counted twice
    const k = await kafka();
    await publishLogLines(k, topic, logs.lines.map((l) => l.line));
    let files = 0;
    const writer = await startLakeWriter({ kafka: k, lake, topic, checkpointDir, onFile: () => files++ });
    try {
      await writer.drain();
    } finally {
      await writer.close();
    }
    await markStreamEnded(lake);
    const s = writer.stats();
    out(`sent ${logs.truth.lines} lines to ${topic}: ${s.ok} events in ${files} Parquet files under ${lake.uri(LOGS_DATASET)}, ${s.rejected} malformed lines in ${topic}.dead-letter`);
    out(`hours ${new Date(logs.start).toISOString()} .. ${new Date(logs.end - 3_600_000).toISOString()}: workbook dag backfill weblogs_hourly --from ${new Date(logs.start).toISOString().slice(0, 19)}Z --to ${new Date(logs.end - 3_600_000).toISOString().slice(0, 19)}Z`);
    return 0;
  } finally {
    fs.rmSync(checkpointDir, { recursive: true, force: true });
    await lake.close();
    await closeEmbeddedBroker();
  }
}
