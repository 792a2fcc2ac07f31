/**
 * What the welcome notebook shows: which backend each part of the workbook uses (embedded or
 * configured), its version, and a tiny end-to-end check of each. Embedded engines are checked on
 * throw-away in-memory instances, so the check never touches the work folder's state; configured
 * services are checked for real.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { config } from "./config";
import { startBroker } from "./kafka";
import { kafka as configuredKafka } from "./kafka";
import { openSql } from "./sql";
import { openWarehouse } from "./warehouse";

export type BackendCheck = {
  part: string;
  engine: string;
  mode: "embedded" | "configured";
  version: string;
  check: string;
  ok: boolean;
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
    return { part, engine, mode, ...r, ok: true };
  } catch (err) {
    return { part, engine, mode, version: "?", check: `failed: ${(err as Error).message.split("\n")[0]}`, ok: false };
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

/** Checks every backend in turn; never throws (a failed check is a row with ok = false). */
export async function checkBackends(): Promise<BackendCheck[]> {
  const cfg = config();
  return [
    await attempt("Kafka", cfg.kafka.mode === "embedded" ? "embedded broker" : `Kafka at ${cfg.kafka.brokers.join(",")}`, cfg.kafka.mode === "embedded" ? "embedded" : "configured", kafkaCheck),
    await attempt("Warehouse", cfg.warehouse.kind === "duckdb" ? "DuckDB" : `BigQuery ${cfg.warehouse.project}.${cfg.warehouse.dataset}`, cfg.warehouse.kind === "duckdb" ? "embedded" : "configured", warehouseCheck),
    await attempt("PostgreSQL", cfg.sql.kind === "pglite" ? "PGlite" : "PostgreSQL server (DATABASE_URL)", cfg.sql.kind === "pglite" ? "embedded" : "configured", sqlCheck),
    {
      part: "Jobs", engine: cfg.jobRunner.runner === "local" ? `local worker pool (${cfg.jobRunner.workers} workers)` : `Dataproc ${cfg.jobRunner.project}/${cfg.jobRunner.region}`,
      mode: cfg.jobRunner.runner === "local" ? "embedded" : "configured", version: `node ${process.version}`, check: "not run here (see 02-image-kmeans)", ok: true,
    },
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
