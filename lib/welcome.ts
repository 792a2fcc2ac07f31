/**
 * What the welcome notebook shows: which backend each part of the workbook uses (embedded or
 * configured), its version, and a tiny end-to-end check of each. Embedded engines are checked on
 * throw-away instances (in memory, or a temporary folder), so the check never touches the work
 * folder's state; configured services are checked for real. A part that is not checked here (a
 * Dataproc job would start a cluster) says "not run", never "ok".
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { config } from "./config";
import { createJobRunner } from "./jobs";
import { startBroker } from "./kafka";
import { kafka as configuredKafka } from "./kafka";
import { openLake } from "./lake";
import { openSql } from "./sql";
import { openWarehouse } from "./warehouse";

export type BackendCheck = {
  part: string;
  engine: string;
  mode: "embedded" | "configured";
  version: string;
  /** What the check did, or why it failed or did not run. */
  check: string;
  /** "ok": the check ran and passed; "failed": it ran and failed; "not run": nothing was checked. */
  status: "ok" | "failed" | "not run";
};

/** The installed version of a package (also for packages whose "exports" hide package.json). */
function versionOf(pkg: string): string {
  try {
    let dir = path.dirname(require.resolve(pkg));
    while (dir !== path.dirname(dir)) {
      const file = path.join(dir, "package.json");
      if (fs.existsSync(file)) {
        const json = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
        if (json.name === pkg && json.version) return json.version;
      }
      dir = path.dirname(dir);
    }
  } catch {
    // not installed, or no resolvable entry point
  }
  return "?";
}

async function attempt(part: string, engine: string, mode: BackendCheck["mode"], fn: () => Promise<{ version: string; check: string }>): Promise<BackendCheck> {
  try {
    const r = await fn();
    return { part, engine, mode, ...r, status: "ok" };
  } catch (err) {
    return { part, engine, mode, version: "?", check: (err as Error).message.split("\n")[0], status: "failed" };
  }
}

/** Round trip of one message through Kafka (the embedded broker on a temp folder, or KAFKA_BROKERS). */
async function kafkaCheck(): Promise<{ version: string; check: string }> {
  const cfg = config().kafka;
  const kafkajs = require("kafkajs") as typeof import("kafkajs");
  const broker = cfg.mode === "embedded" ? await startBroker({}) : undefined;
  try {
    const client = broker
      ? new kafkajs.Kafka({ clientId: "welcome", brokers: [broker.brokers], logLevel: kafkajs.logLevel.NOTHING })
      : await configuredKafka({ clientId: "welcome" });
    const topic = `welcome-${crypto.randomBytes(4).toString("hex")}`;
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const producer = client.producer();
    await producer.connect();
    const sent = `hello at ${new Date().toISOString()}`;
    await producer.send({ topic, messages: [{ key: "welcome", value: sent }] });
    await producer.disconnect();
    const consumer = client.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no message within 20 s")), 20_000);
      void consumer.run({ eachMessage: async ({ message }) => {
        clearTimeout(timer);
        resolve(message.value?.toString() ?? "");
      } });
    });
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    if (got !== sent) throw new Error(`read back ${JSON.stringify(got)}, sent ${JSON.stringify(sent)}`);
    return { version: `kafkajs ${versionOf("kafkajs")}`, check: "produced and consumed 1 message" };
  } finally {
    await broker?.close();
  }
}

async function warehouseCheck(): Promise<{ version: string; check: string }> {
  const kind = config().warehouse.kind;
  const wh = await openWarehouse(kind === "duckdb" ? { memory: true } : {});
  try {
    const { rows } = await wh.query<{ answer: number }>("SELECT 6 * 7 AS answer");
    if (Number(rows[0]?.answer) !== 42) throw new Error(`6 * 7 gave ${JSON.stringify(rows[0])}`);
    const version = kind === "duckdb" ? `DuckDB ${(await wh.query<{ v: string }>("SELECT version() AS v")).rows[0].v}` : `BigQuery (@google-cloud/bigquery ${versionOf("@google-cloud/bigquery")})`;
    return { version, check: "SELECT 6 * 7 = 42" };
  } finally {
    await wh.close();
  }
}

async function sqlCheck(): Promise<{ version: string; check: string }> {
  const db = await openSql(config().sql.kind === "pglite" ? { memory: true } : {});
  try {
    await db.exec("CREATE TEMP TABLE welcome (k int PRIMARY KEY, v text)");
    await db.upsert("welcome", [{ k: 1, v: "a" }], { key: ["k"] });
    await db.upsert("welcome", [{ k: 1, v: "b" }], { key: ["k"] });
    const { rows } = await db.query<{ v: string; n: string }>("SELECT max(v) AS v, count(*) AS n FROM welcome");
    if (rows[0]?.v !== "b" || Number(rows[0]?.n) !== 1) throw new Error(`upsert gave ${JSON.stringify(rows)}`);
    const version = (await db.query<{ version: string }>("SELECT version()")).rows[0].version.split(" ").slice(0, 2).join(" ");
    return { version, check: "upsert twice = 1 row" };
  } finally {
    await db.close();
  }
}

/** A file written, listed, read back and deleted in the lake (a temporary folder, or the configured LAKE under a prefix of its own). */
async function lakeCheck(): Promise<{ version: string; check: string }> {
  const cfg = config().lake;
  const temp = cfg.kind === "local" ? fs.mkdtempSync(path.join(os.tmpdir(), "welcome-lake-")) : undefined;
  const lake = await openLake(temp ? { root: temp } : {});
  try {
    const file = `welcome-${crypto.randomBytes(4).toString("hex")}/dt=2021-03-01/hello.txt`;
    const sent = `hello at ${new Date().toISOString()}`;
    await lake.writeFile(file, sent);
    const listed = (await lake.list(file.split("/")[0])).map((f) => f.partition.dt);
    const got = (await lake.readFile(file)).toString("utf8");
    await lake.delete(file);
    if (got !== sent || listed.join() !== "2021-03-01") throw new Error(`read back ${JSON.stringify(got)} listed in ${JSON.stringify(listed)}, wrote ${JSON.stringify(sent)} in dt=2021-03-01`);
    return { version: cfg.kind === "gcs" ? `@google-cloud/storage ${versionOf("@google-cloud/storage")}` : `node:fs (node ${process.version})`, check: "wrote, listed, read back and deleted 1 file" };
  } finally {
    await lake.close();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  }
}

/** Four records squared by the local worker pool, in two partitions (two worker processes). */
async function jobsCheck(): Promise<{ version: string; check: string }> {
  const runner = await createJobRunner({ runner: "local", workers: 2 });
  try {
    const r = await runner.run<{ n: number }, { n: number; square: number; pid: number }, Record<string, never>>({ module: path.join(__dirname, "welcome-job.js"), input: [1, 2, 3, 4].map((n) => ({ n })), partitions: 2 });
    const squares = r.outputs.map((o) => o.square);
    if (squares.join() !== "1,4,9,16" || r.errors.length > 0) throw new Error(`squares ${JSON.stringify(squares)}, errors ${JSON.stringify(r.errors)}`);
    return { version: `node ${process.version}`, check: `squared ${r.records} records in ${r.partitions} worker processes` };
  } finally {
    await runner.close();
  }
}

/** Checks every backend in turn; never throws (a failed check is a row with status "failed"). */
export async function checkBackends(): Promise<BackendCheck[]> {
  const cfg = config();
  const dataproc = cfg.jobRunner.runner !== "local";
  return [
    await attempt("Kafka", cfg.kafka.mode === "embedded" ? "embedded broker" : `Kafka at ${cfg.kafka.brokers.join(",")}`, cfg.kafka.mode === "embedded" ? "embedded" : "configured", kafkaCheck),
    await attempt("Warehouse", cfg.warehouse.kind === "duckdb" ? "DuckDB" : `BigQuery ${cfg.warehouse.project}.${cfg.warehouse.dataset}`, cfg.warehouse.kind === "duckdb" ? "embedded" : "configured", warehouseCheck),
    await attempt("PostgreSQL", cfg.sql.kind === "pglite" ? "PGlite" : "PostgreSQL server (DATABASE_URL)", cfg.sql.kind === "pglite" ? "embedded" : "configured", sqlCheck),
    await attempt("Lake", cfg.lake.kind === "local" ? "local folder" : `Cloud Storage ${cfg.lake.root}`, cfg.lake.kind === "local" ? "embedded" : "configured", lakeCheck),
    dataproc
      ? { part: "Jobs", engine: `Dataproc ${cfg.jobRunner.project}/${cfg.jobRunner.region}`, mode: "configured", version: "-", check: "a Dataproc job starts a cluster: run 02-image-kmeans to try it", status: "not run" }
      : await attempt("Jobs", `local worker pool (${cfg.jobRunner.workers} workers)`, "embedded", jobsCheck),
  ];
}

/** Versions of the notebook side: tslab, its TypeScript, Node, and the core packages. */
export function versions(): Record<string, string> {
  return {
    node: process.version,
    tslab: versionOf("tslab"),
    "tslab's TypeScript": versionOf("@tslab/typescript-for-tslab"),
    kafkajs: versionOf("kafkajs"),
    "@duckdb/node-api": versionOf("@duckdb/node-api"),
    "@electric-sql/pglite": versionOf("@electric-sql/pglite"),
    "danfojs-node": versionOf("danfojs-node"),
    sharp: versionOf("sharp"),
    "ml-kmeans": versionOf("ml-kmeans"),
  };
}
