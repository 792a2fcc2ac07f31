/**
 * Netflix processor instances as child processes: each is a plain `node` process running
 * startNetflixProcessor in group mode (one applicationId), so Kafka's group protocol splits the
 * rating partitions between them; nothing here assigns work. The same file is the child's program
 * (`node dist/scenarios/netflix/instances.js '<json>'`), and what runs on each machine in a real
 * deployment (see the README): every instance needs the same Kafka (KAFKA_BROKERS) and the same
 * PostgreSQL server (DATABASE_URL).
 *
 * The child prints one JSON line per event ({"event":"ready"|"assign"|"batch"|"finished", ...}) and
 * reads commands from stdin: "finish" (process everything, flush, report the statistics) and
 * "close" (leave the group and exit).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as readline from "node:readline";
import { Kafka, logLevel } from "kafkajs";
import type { ProcessorStats } from "../../lib/stream";
import { WorkbookError } from "../../lib/errors";
import { kafka as configuredKafka } from "../../lib/kafka";
import { openSql } from "../../lib/sql";
import { config } from "../../lib/config";
import type { SqlDatabase } from "../../lib/sql/sql";
import { startNetflixProcessor, type NetflixMode, type NetflixProcessor, type NetflixProcessorOptions } from "./pipeline";
import { readTitles } from "./titles";

export interface InstanceArgs {
  /** The group (Kafka Streams' application.id). Absent: a single processor, state in checkpointDir (for comparisons). */
  applicationId?: string;
  topic: string;
  anomaliesTopic: string;
  deadLetterTopic?: string;
  table: string;
  /** movie_titles.csv */
  titles: string;
  mode: NetflixMode;
  windowDays?: number;
  minRatings?: number;
  minMean?: number;
  checkpointDir: string;
  /** Kafka brokers; default: the configured Kafka (KAFKA_BROKERS, or the embedded broker of WORKBOOK_HOME). */
  brokers?: string[];
  /** PostgreSQL server URL; default DATABASE_URL. PGlite cannot be shared between processes. */
  databaseUrl?: string;
  sessionTimeoutMs?: number;
  /** Trigger interval in ms. Default 1000. */
  triggerMs?: number;
  /** Largest batch in records. Default 200000. */
  maxBatchRecords?: number;
}

export type InstanceEvent =
  | { event: "ready"; pid: number }
  | { event: "assign"; tasks: number[]; inputPartitions: number[] }
  | { event: "batch"; task: number; records: number }
  | { event: "finished"; stats: ProcessorStats };

/** One child process; `events` holds every line it printed. */
export interface NetflixInstance {
  index: number;
  child: ChildProcess;
  events: InstanceEvent[];
  /** Resolves with the exit code or signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Tasks it owns after its last rebalance. */
  tasks(): number[];
  /** Task batches it has committed. */
  batches(): number;
}

export interface NetflixInstances {
  instances: NetflixInstance[];
  /** Tells every live instance to finish; resolves with their statistics added up. */
  finish(options?: { timeoutMs?: number }): Promise<ProcessorStats>;
  /** Tells every live instance to leave and waits for the processes to exit. */
  close(): Promise<void>;
}

const CHILD = path.join(__dirname, "instances.js");

function waitFor<V>(inst: NetflixInstance, what: string, pick: (e: InstanceEvent) => V | undefined, timeoutMs: number, stderr: () => string): Promise<V> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      reject(new WorkbookError("STREAM_TIMEOUT", `instance ${inst.index} (pid ${inst.child.pid}) did not report ${what} within ${timeoutMs} ms; its errors: ${stderr().slice(-2000) || "(none)"}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      for (const e of inst.events) {
        const v = pick(e);
        if (v !== undefined) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(v);
          return;
        }
      }
      if (inst.child.exitCode !== null || inst.child.signalCode !== null) {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new WorkbookError("STREAM_FAILED", `instance ${inst.index} exited (${inst.child.exitCode ?? inst.child.signalCode}) before reporting ${what}: ${stderr().slice(-2000)}`));
      }
    }, 20);
  });
}

/** Adds up the statistics of instances that together own every task. */
export function sumStats(all: ProcessorStats[]): ProcessorStats {
  const sumBy = (f: (s: ProcessorStats) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const s of all) for (const [k, v] of Object.entries(f(s))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const marks = all.map((s) => s.watermark).filter((w): w is number => w !== null);
  const times = all.map((s) => s.maxEventTime).filter((w): w is number => w !== null);
  return {
    batches: all.reduce((a, s) => a + s.batches, 0),
    in: all.reduce((a, s) => a + s.in, 0),
    ok: all.reduce((a, s) => a + s.ok, 0),
    rejected: all.reduce((a, s) => a + s.rejected, 0),
    late: sumBy((s) => s.late),
    emitted: sumBy((s) => s.emitted),
    watermark: marks.length > 0 ? Math.min(...marks) : null,
    maxEventTime: times.length > 0 ? Math.max(...times) : null,
    maxByPartition: {},
    flushed: all.every((s) => s.flushed),
    deadLetters: all.reduce((a, s) => a + s.deadLetters, 0),
    offsets: Object.assign({}, ...all.map((s) => s.offsets)) as ProcessorStats["offsets"],
  };
}

/** Starts `count` instances as child processes and waits until each has joined the group. */
export async function startNetflixInstances(count: number, args: InstanceArgs, options: { timeoutMs?: number } = {}): Promise<NetflixInstances> {
  if (!Number.isInteger(count) || count < 1) throw new WorkbookError("OPTIONS_INVALID", `instances=${count} must be a whole number, 1 or more.`);
  const instances: NetflixInstance[] = [];
  const errors: string[] = [];
  for (let index = 0; index < count; index++) {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(args)], { stdio: ["pipe", "pipe", "pipe"], env: process.env });
    const events: InstanceEvent[] = [];
    errors[index] = "";
    child.stderr!.on("data", (d: Buffer) => (errors[index] += d.toString()));
    readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("{")) events.push(JSON.parse(line) as InstanceEvent);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    instances.push({
      index,
      child,
      events,
      exited,
      tasks: () => {
        const last = [...events].reverse().find((e) => e.event === "assign");
        return last && last.event === "assign" ? last.tasks : [];
      },
      batches: () => events.filter((e) => e.event === "batch").length,
    });
  }
  const alive = () => instances.filter((i) => i.child.exitCode === null && i.child.signalCode === null);
  const stop = async () => {
    for (const i of alive()) i.child.stdin!.end("close\n");
    await Promise.all(instances.map((i) => i.exited));
  };
  try {
    await Promise.all(instances.map((i) => waitFor(i, "ready", (e) => (e.event === "ready" ? true : undefined), options.timeoutMs ?? 60_000, () => errors[i.index])));
  } catch (err) {
    for (const i of alive()) i.child.kill("SIGKILL");
    throw err;
  }
  return {
    instances,
    async finish(finishOptions = {}) {
      const live = alive();
      for (const i of live) i.child.stdin!.write("finish\n");
      const stats = await Promise.all(live.map((i) => waitFor(i, "finish", (e) => (e.event === "finished" ? e.stats : undefined), finishOptions.timeoutMs ?? 300_000, () => errors[i.index])));
      return sumStats(stats);
    },
    close: stop,
  };
}

/**
 * The processor of one instance, started from its arguments with a Kafka client of its own, on `sql`
 * (the caller opens and closes it). The child below runs it; so does the crash-and-restart test's child.
 */
export async function startInstanceProcessor(args: InstanceArgs, sql: SqlDatabase, hooks: Pick<NetflixProcessorOptions, "onAssign" | "onBatch" | "extraSinks"> = {}): Promise<NetflixProcessor> {
  const kafka = args.brokers ? new Kafka({ brokers: args.brokers, clientId: "netflix-instance", logLevel: logLevel.NOTHING }) : await configuredKafka({ clientId: "netflix-instance", logLevel: logLevel.NOTHING });
  return startNetflixProcessor({
    kafka,
    sql,
    titles: readTitles(args.titles),
    mode: args.mode,
    windowDays: args.windowDays,
    minRatings: args.minRatings,
    minMean: args.minMean,
    topic: args.topic,
    anomaliesTopic: args.anomaliesTopic,
    deadLetterTopic: args.deadLetterTopic,
    table: args.table,
    checkpointDir: args.checkpointDir,
    applicationId: args.applicationId,
    sessionTimeoutMs: args.sessionTimeoutMs,
    triggerMs: args.triggerMs,
    maxBatchRecords: args.maxBatchRecords,
    ...hooks,
  });
}

/** The child: one instance, driven by stdin. */
async function child(args: InstanceArgs): Promise<void> {
  const print = (e: InstanceEvent) => process.stdout.write(`${JSON.stringify(e)}\n`);
  const url = args.databaseUrl ?? (config().sql.kind === "postgres" ? config().sql.url : undefined);
  if (!url) throw new WorkbookError("OPTIONS_INVALID", "a processor instance in a child process needs a PostgreSQL server: set DATABASE_URL (PGlite cannot be shared between processes).");
  const sql = await openSql({ url });
  const np = await startInstanceProcessor(args, sql, {
    onAssign: (a) => print({ event: "assign", tasks: a.tasks, inputPartitions: a.inputPartitions }),
    onBatch: (b) => print({ event: "batch", task: b.task ?? -1, records: b.records }),
  });
  print({ event: "ready", pid: process.pid });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await np.close();
      await sql.close();
      process.exit(0);
    })();
    return closing;
  };
  const lines = readline.createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line === "finish") {
      np.processor
        .finish({ timeoutMs: 600_000 })
        .then(() => print({ event: "finished", stats: np.processor.stats() }))
        .catch((err: unknown) => {
          process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
          process.exit(1);
        });
    } else if (line === "close") void close();
  });
  lines.on("close", () => void close());
}

if (require.main === module) {
  child(JSON.parse(process.argv[2] ?? "{}") as InstanceArgs).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
