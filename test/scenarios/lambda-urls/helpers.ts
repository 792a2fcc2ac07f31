/**
 * One lambda run for a test, on real lightweight parts: the test broker, a PostgreSQL of its own
 * tables (PGlite, or DATABASE_URL), an in-memory DuckDB and a lake in a temporary folder, each
 * closed when the test ends. Options override the test defaults (blocks of 40, 150 tweets an hour
 * for 8 hours at 1 hour a second).
 */
import type { TestContext } from "node:test";
import { openLake } from "../../../lib/lake";
import { openWarehouse } from "../../../lib/warehouse";
import type { GeneratedTweets } from "../../../scenarios/lambda-urls/generate";
import { startLambdaRun, type LambdaRun, type LambdaRunOptions } from "../../../scenarios/lambda-urls/scenario";
import { defer, tempDir, testBroker, testSql, uniqueName } from "../../lib/stream/helpers";

export type TestRunOptions = Omit<LambdaRunOptions, "kafka" | "sql" | "warehouse" | "lake" | "store" | "stateDir" | "tablePrefix">;

export async function startTestRun(t: TestContext, options: TestRunOptions = {}): Promise<LambdaRun> {
  const { kafka } = await testBroker(t);
  const prefix = uniqueName("lu"); // tables of their own on a shared PostgreSQL (DATABASE_URL)
  const sql = await testSql(t, [`${prefix}_speed`, `${prefix}_speed_fixed`, `${prefix}_kappa`]);
  const warehouse = await openWarehouse({ memory: true });
  defer(t, () => warehouse.close());
  const dir = tempDir(t);
  const lake = await openLake({ root: `${dir}/lake` });
  defer(t, () => lake.close());
  const run = await startLambdaRun({ live: false, triggerMs: 100, blockSize: 40, tweetsPerHour: 150, hours: 8, speed: 1, ...options, tablePrefix: prefix, kafka, sql, warehouse, lake, stateDir: `${dir}/state` });
  defer(t, () => run.close());
  return run;
}

/**
 * What a run held at `fix` hours (the fixed batch) and then at `fixDeployed` hours (the fixed speed
 * layer) must show, worked out from the generator's own record of each tweet (its time and the pages
 * its links point to), not from the code under test: the producer holds before the first tweet
 * stamped at or after an hour; the batch covers the whole blocks sent by `fix`; the speed layer
 * serves the rest up to `fixDeployed`, one row per (hour, page) of those tweets.
 */
export function expectedAtFix(data: GeneratedTweets, o: { fix: number; fixDeployed: number; blockSize: number }): { sentAtFix: number; covered: number; through: number; speedRows: number; malformedBeforeFix: number } {
  const before = (h: number) => {
    const i = data.tweets.findIndex((t) => t.timestamp >= data.truth.start + h * HOUR);
    return i < 0 ? data.tweets.length : i;
  };
  const covered = Math.floor(before(o.fix) / o.blockSize) * o.blockSize;
  const through = before(o.fixDeployed);
  const rows = new Set<string>();
  for (const t of data.tweets.slice(covered, through)) for (const page of t.pages) rows.add(`${Math.floor(t.timestamp / HOUR)}\t${page}`);
  return { sentAtFix: before(o.fix), covered, through, speedRows: rows.size, malformedBeforeFix: data.tweets.slice(0, before(o.fix)).filter((t) => t.malformed).length };
}

const HOUR = 3_600_000;
