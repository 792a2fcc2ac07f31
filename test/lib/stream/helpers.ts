/** Test helpers: a real embedded broker, PGlite (or the PostgreSQL of DATABASE_URL), temp folders. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { randomUUID } from "node:crypto";
import type { TestContext } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { startBroker, type Broker } from "../../../lib/kafka";
import { openSql } from "../../../lib/sql";
import type { SqlDatabase } from "../../../lib/sql/sql";
import { config } from "../../../lib/config";
import assert from "node:assert/strict";
import { StreamEngine, type EngineOptions, type InputRecord } from "../../../lib/stream/engine";

type Ctx = Pick<TestContext, "after">;

const stacks = new WeakMap<Ctx, Array<() => unknown>>();

/** Registers a cleanup; a test's cleanups run in reverse order (last opened, first closed). */
export function defer(t: Ctx, fn: () => unknown): void {
  let stack = stacks.get(t);
  if (!stack) {
    const fresh: Array<() => unknown> = [];
    stacks.set(t, fresh);
    stack = fresh;
    t.after(async () => {
      while (fresh.length > 0) await fresh.pop()!();
    });
  }
  stack.push(fn);
}

export function tempDir(t: Ctx, prefix = "stream-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  defer(t, () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
}

export async function testBroker(t: Ctx, options: { partitions?: number } = {}): Promise<{ broker: Broker; kafka: Kafka }> {
  const broker = await startBroker({ partitions: options.partitions ?? 1 });
  defer(t, () => broker.close());
  return { broker, kafka: new Kafka({ brokers: [broker.brokers], clientId: "stream-test", logLevel: logLevel.NOTHING }) };
}

/** The real PostgreSQL when DATABASE_URL is set, else PGlite in memory. */
export function sqlTarget(): { kind: "postgres"; url: string } | { kind: "pglite" } {
  const cfg = config().sql;
  return cfg.kind === "postgres" && cfg.url ? { kind: "postgres", url: cfg.url } : { kind: "pglite" };
}

/** Opens the test database; with a real server, `table` is dropped afterwards. */
export async function testSql(t: Ctx, tables: string[] = []): Promise<SqlDatabase> {
  const target = sqlTarget();
  const sql = target.kind === "postgres" ? await openSql({ url: target.url }) : await openSql({ memory: true });
  defer(t, async () => {
    for (const table of tables) await sql.exec(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await sql.close();
  });
  return sql;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Checks that an engine's snapshot is a value: `options` run over `lines` in two batches (split at
 * `at`, one partition, offsets from 0), the snapshot taken after the first batch must be the same
 * after the second batch has run, and equal to the snapshot of an engine that saw the first batch
 * only. The processor commits a batch's snapshot after the next batch may have run (prepare-ahead).
 * Returns the number of windows (or buckets) the first snapshot holds.
 */
export function assertSnapshotIsValue<T>(options: EngineOptions<T>, lines: string[], at: number): number {
  const records = (from: number, to: number): InputRecord[] => lines.slice(from, to).map((l, i) => ({ partition: 0, offset: String(from + i), key: null, value: Buffer.from(l) }));
  const engine = new StreamEngine(options);
  engine.process(records(0, at));
  const snapshot = engine.snapshot();
  const before = JSON.stringify(snapshot);
  const second = engine.process(records(at, lines.length));
  assert.ok(second.counts.ok > 0, "the second batch has valid records");
  assert.equal(JSON.stringify(snapshot), before, "the second batch changed the snapshot taken after the first");
  const alone = new StreamEngine(options);
  alone.process(records(0, at));
  assert.equal(JSON.stringify(alone.snapshot()), before, "the snapshot is the state of an engine that saw the first batch only");
  return Object.values(snapshot.queries).reduce((n, q) => n + q.length, 0) + Object.values(snapshot.buckets ?? {}).reduce((n, b) => n + b.length, 0);
}
