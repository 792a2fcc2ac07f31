/**
 * Runs declared checks as SQL on a target for one data interval, records every result (a re-run
 * of the same logical date replaces its rows), and compares volume and drift with earlier runs.
 * `assertChecks` throws DAG_QUALITY_FAILED naming each failed blocking check and its observed value.
 */
import { WorkbookError } from "../errors";
import { checkName, kindOf, type QualityCheck, type QualityKind } from "./checks";
import { categoryShift, equalWidthEdges, psi } from "./drift";
import { quote, type QualityResultRow, type QualityTarget } from "./target";
import { validateChecks } from "./validate";

export type QualityStatus = "pass" | "warn" | "fail";

export interface QualityResult {
  check: string;
  table: string;
  kind: QualityKind;
  /** What was measured (a count, a share, hours, a PSI); null when there was nothing to measure. */
  observed: number | null;
  threshold: Record<string, unknown>;
  status: QualityStatus;
  /** True when a failure stops the load (severity "block"). */
  blocking: boolean;
  detail: string;
}

export interface RunChecksOptions {
  /** The data interval checked (rows with `timeColumn` in start..end; freshness measures from end). */
  interval: { start: Date; end: Date };
  /** The logical date the results are recorded under. Default interval.start. */
  logicalDate?: Date;
  /** The run's id, recorded with each result. Default "manual". */
  runId?: string;
  /** Record the results (and read history) in the target's results table. Default true. */
  record?: boolean;
}

interface Measured {
  observed: number | null;
  ok: boolean;
  detail: string;
  /** "warn" whatever the severity: nothing to compare with yet. */
  noHistory?: boolean;
  profile?: unknown;
}

function ts(d: Date): string {
  return `TIMESTAMP ${quote(d.toISOString().replace("T", " ").replace("Z", ""))}`;
}

function literal(v: string | number): string {
  return typeof v === "number" ? String(v) : quote(v);
}

function thresholdOf(c: QualityCheck): Record<string, unknown> {
  switch (c.type) {
    case "freshness": return { maxLagHours: c.maxLagHours };
    case "volume": return { min: c.min, max: c.max, tolerance: c.tolerance };
    case "columns": return { columns: c.columns };
    case "not_null": case "unique": case "range": case "accepted_values": return { max: 0 };
    case "relationship": return { maxMissingShare: c.maxMissingShare ?? 0 };
    case "drift": return { threshold: c.threshold ?? (c.categorical ? 0.1 : 0.2) };
    case "sql": return { expect: c.expect ?? "zero" };
  }
}

async function measure(target: QualityTarget, c: QualityCheck, options: Required<RunChecksOptions>): Promise<Measured> {
  const { start, end } = options.interval;
  const inInterval = (alias = "") => (c.timeColumn ? `${alias}${c.timeColumn} >= ${ts(start)} AND ${alias}${c.timeColumn} < ${ts(end)}` : "");
  const where = (...conds: string[]) => {
    const all = [...conds, inInterval()].filter((x) => x !== "");
    return all.length ? ` WHERE ${all.join(" AND ")}` : "";
  };
  const one = async (sql: string) => {
    const v = (await target.rows(sql))[0]?.v;
    return v === null || v === undefined ? null : v instanceof Date ? v.getTime() : Number(v);
  };
  const history = (n: number) => (options.record ? target.history(c.table, checkName(c), options.logicalDate.toISOString(), n) : Promise.resolve([]));
  switch (c.type) {
    case "freshness": {
      const newest = await one(`SELECT MAX(${c.column}) AS v FROM ${c.table} WHERE ${c.column} < ${ts(end)}`);
      if (newest === null) return { observed: null, ok: false, detail: `no ${c.column} before ${end.toISOString()}` };
      const lag = (end.getTime() - newest) / 3_600_000;
      return { observed: lag, ok: lag <= c.maxLagHours, detail: `newest ${c.column} ${new Date(newest).toISOString()}, ${lag.toFixed(2)} h before the interval's end` };
    }
    case "volume": {
      const n = (await one(`SELECT COUNT(*) AS v FROM ${c.table}${where()}`)) ?? 0;
      const parts = [`${n} rows`];
      let ok = (c.min === undefined || n >= c.min) && (c.max === undefined || n <= c.max);
      let noHistory = false;
      if (c.tolerance !== undefined) {
        const past = (await history(c.window ?? 5)).filter((r) => r.observed !== null);
        if (past.length === 0) {
          noHistory = true;
          parts.push("no earlier runs to compare with yet");
        } else {
          const mean = past.reduce((s, r) => s + Number(r.observed), 0) / past.length;
          const off = mean === 0 ? (n === 0 ? 0 : Infinity) : Math.abs(n - mean) / mean;
          ok &&= off <= c.tolerance;
          parts.push(`${(off * 100).toFixed(1)}% from the mean of ${past.length} earlier run(s) (${mean.toFixed(1)})`);
        }
      }
      return { observed: n, ok, detail: parts.join(", "), noHistory: noHistory && ok };
    }
    case "columns": {
      const actual = (await target.columns(c.table)) ?? [];
      const wrong: string[] = [];
      for (const [name, type] of Object.entries(c.columns)) {
        const got = actual.find((x) => x.name === name);
        if (!got) wrong.push(`${name} missing`);
        else if (got.type.toLowerCase() !== type.toLowerCase()) wrong.push(`${name} is ${got.type}, not ${type}`);
      }
      return { observed: wrong.length, ok: wrong.length === 0, detail: wrong.length ? wrong.join("; ") : `${Object.keys(c.columns).length} columns as declared` };
    }
    case "not_null": {
      const n = (await one(`SELECT COUNT(*) AS v FROM ${c.table}${where(`${c.column} IS NULL`)}`)) ?? 0;
      return { observed: n, ok: n === 0, detail: `${n} rows with ${c.column} null` };
    }
    case "accepted_values": {
      const cond = `${c.column} IS NOT NULL AND ${c.column} NOT IN (${c.values.map(literal).join(", ")})`;
      const n = (await one(`SELECT COUNT(*) AS v FROM ${c.table}${where(cond)}`)) ?? 0;
      let detail = `${n} rows outside the ${c.values.length} accepted values`;
      if (n > 0) {
        const ex = await target.rows(`SELECT DISTINCT ${c.column} AS v FROM ${c.table}${where(cond)} ORDER BY 1 LIMIT 5`);
        detail += `, e.g. ${ex.map((r) => JSON.stringify(r.v)).join(", ")}`;
      }
      return { observed: n, ok: n === 0, detail };
    }
    case "range": {
      const outside = [c.min !== undefined ? `${c.column} < ${c.min}` : "", c.max !== undefined ? `${c.column} > ${c.max}` : ""].filter(Boolean).join(" OR ");
      const n = (await one(`SELECT COUNT(*) AS v FROM ${c.table}${where(`(${outside})`)}`)) ?? 0;
      return { observed: n, ok: n === 0, detail: `${n} rows outside ${c.min ?? "-inf"}..${c.max ?? "inf"}` };
    }
    case "unique": {
      const key = c.columns.join(", ");
      const n = (await one(`SELECT COUNT(*) AS v FROM (SELECT ${key} FROM ${c.table}${where()} GROUP BY ${key} HAVING COUNT(*) > 1) AS d`)) ?? 0;
      return { observed: n, ok: n === 0, detail: `${n} key(s) of (${key}) on more than one row` };
    }
    case "relationship": {
      const cond = [`f.${c.column} IS NOT NULL`, inInterval("f.")].filter(Boolean).join(" AND ");
      const [r] = await target.rows(`SELECT COUNT(*) AS total, SUM(CASE WHEN d.${c.toColumn} IS NULL THEN 1 ELSE 0 END) AS missing
        FROM ${c.table} AS f LEFT JOIN (SELECT DISTINCT ${c.toColumn} FROM ${c.to}) AS d ON f.${c.column} = d.${c.toColumn} WHERE ${cond}`);
      const total = Number(r?.total ?? 0);
      const missing = Number(r?.missing ?? 0);
      const share = total === 0 ? 0 : missing / total;
      const allowed = c.maxMissingShare ?? 0;
      return { observed: share, ok: share <= allowed, detail: `${missing} of ${total} rows (${(share * 100).toFixed(2)}%) have a ${c.column} not in ${c.to}.${c.toColumn}; allowed ${(allowed * 100).toFixed(2)}%` };
    }
    case "drift":
      return measureDrift(target, c, where, await history(1));
    case "sql": {
      const sql = c.sql.replace(/@start\b/g, ts(start)).replace(/@end\b/g, ts(end));
      const row = (await target.rows(sql))[0] ?? {};
      const n = Number(row.n ?? row.N ?? 0);
      const ok = (c.expect ?? "zero") === "zero" ? n === 0 : n > 0;
      return { observed: n, ok, detail: `n = ${n} (expected ${(c.expect ?? "zero") === "zero" ? "0" : "> 0"})` };
    }
  }
}

async function measureDrift(target: QualityTarget, c: QualityCheck & { type: "drift" }, where: (...conds: string[]) => string, past: QualityResultRow[]): Promise<Measured> {
  const reference = past.find((r) => r.profile)?.profile;
  const ref = reference ? (JSON.parse(reference) as { edges?: number[]; counts: number[] | Record<string, number> }) : undefined;
  if (c.categorical) {
    const rows = await target.rows(`SELECT ${c.column} AS v, COUNT(*) AS n FROM ${c.table}${where()} GROUP BY ${c.column}`);
    const counts: Record<string, number> = {};
    for (const r of rows) counts[r.v === null ? "(null)" : String(r.v)] = Number(r.n);
    if (!ref) return { observed: null, ok: true, noHistory: true, detail: `no earlier run to compare with yet: ${Object.keys(counts).length} categories recorded as the reference`, profile: { counts } };
    const s = categoryShift(ref.counts as Record<string, number>, counts);
    return { observed: s.shift, ok: s.shift <= (c.threshold ?? 0.1), detail: s.category === null ? "same shares as the previous run" : `largest change: ${JSON.stringify(s.category)} by ${(s.shift * 100).toFixed(1)} points`, profile: { counts } };
  }
  let edges = ref?.edges;
  if (!edges) {
    const [mm] = await target.rows(`SELECT MIN(${c.column}) AS lo, MAX(${c.column}) AS hi FROM ${c.table}${where(`${c.column} IS NOT NULL`)}`);
    if (mm?.lo === null || mm?.lo === undefined) return { observed: null, ok: true, noHistory: true, detail: `no values of ${c.column} to profile yet` };
    edges = equalWidthEdges(Number(mm.lo), Number(mm.hi), c.bins ?? 10);
  }
  const e = edges;
  const bins = [`SUM(CASE WHEN ${c.column} < ${e[0]} THEN 1 ELSE 0 END) AS b0`];
  for (let i = 1; i < e.length; i++) bins.push(`SUM(CASE WHEN ${c.column} >= ${e[i - 1]} AND ${c.column} < ${e[i]} THEN 1 ELSE 0 END) AS b${i}`);
  bins.push(`SUM(CASE WHEN ${c.column} >= ${e[e.length - 1]} THEN 1 ELSE 0 END) AS b${e.length}`);
  const [row] = await target.rows(`SELECT ${bins.join(", ")} FROM ${c.table}${where(`${c.column} IS NOT NULL`)}`);
  const counts = bins.map((_, i) => Number(row?.[`b${i}`] ?? 0));
  if (!ref) return { observed: null, ok: true, noHistory: true, detail: `no earlier run to compare with yet: ${counts.reduce((s, n) => s + n, 0)} values in ${counts.length} bins recorded as the reference`, profile: { edges, counts } };
  const value = psi(ref.counts as number[], counts);
  return { observed: value, ok: value <= (c.threshold ?? 0.2), detail: `PSI ${value.toFixed(4)} against the previous run over ${counts.length} bins`, profile: { edges, counts } };
}

/**
 * Validates the declarations (QUALITY_INVALID before anything runs), runs every check, records the
 * results under the logical date (replacing a previous run's), and returns them. Never throws for a
 * failed check: see `assertChecks`.
 */
export async function runChecks(target: QualityTarget, checks: readonly QualityCheck[], options: RunChecksOptions): Promise<QualityResult[]> {
  await validateChecks(target, checks);
  // each default by itself: an option passed as undefined (checkInTask passes its own) keeps the default
  const full: Required<RunChecksOptions> = { interval: options.interval, logicalDate: options.logicalDate ?? options.interval.start, runId: options.runId ?? "manual", record: options.record ?? true };
  const results: QualityResult[] = [];
  const rows: QualityResultRow[] = [];
  for (const c of checks) {
    const m = await measure(target, c, full);
    const blocking = (c.severity ?? "block") === "block";
    const status: QualityStatus = m.noHistory ? "warn" : m.ok ? "pass" : blocking ? "fail" : "warn";
    const r: QualityResult = { check: checkName(c), table: c.table, kind: kindOf(c), observed: m.observed, threshold: thresholdOf(c), status, blocking, detail: m.detail };
    results.push(r);
    rows.push({
      check_name: r.check, table_name: r.table, kind: r.kind, run_id: full.runId, logical_date: full.logicalDate.toISOString(), observed: r.observed,
      threshold: JSON.stringify(r.threshold), status, detail: r.detail, profile: m.profile === undefined ? null : JSON.stringify(m.profile), checked_at: new Date(),
    });
  }
  if (full.record && rows.length > 0) await target.saveResults(rows);
  return results;
}

/** Throws DAG_QUALITY_FAILED naming each failed blocking check and its observed value; warnings pass. */
export function assertChecks(results: readonly QualityResult[], what = "the load"): void {
  const failed = results.filter((r) => r.status === "fail");
  if (failed.length === 0) return;
  const list = failed.map((r) => `${r.table}: ${r.check} (observed ${r.observed === null ? "nothing" : formatObserved(r.observed)}; ${r.detail})`).join("; ");
  throw new WorkbookError("DAG_QUALITY_FAILED", `${failed.length} blocking data-quality check(s) failed, so ${what} stopped: ${list}. Fix the data (or the declaration), then clear the task and run it again.`);
}

export function formatObserved(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}
