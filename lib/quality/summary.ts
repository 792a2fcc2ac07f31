/**
 * What a notebook says of its data-quality checks, as scraps (issue 27): how many checks ran, which of
 * the six kinds they cover, and how many planted faults (a late file, a duplicated key, a drifted
 * column, a missing dimension row) a check caught, i.e. reported as "warn" or "fail".
 */
import { glue } from "../scraps";
import { QUALITY_KINDS, type QualityKind } from "./checks";
import type { QualityResult } from "./run";

/** A fault planted on purpose, the check expected to catch it, and the results of the run with it. */
export interface PlantedFault {
  /** What was planted, in words ("a duplicated match row"). */
  fault: string;
  /** The name of the check that should catch it (QualityResult.check). */
  check: string;
  results: readonly QualityResult[];
}

export interface QualitySummary {
  /** Distinct checks (table + check) that ran, over every run given. */
  checks: number;
  /** The kinds they cover, in the order of QUALITY_KINDS. */
  kinds: QualityKind[];
  /** Planted faults that their check reported (warn or fail). */
  caught: number;
  planted: number;
  /** Planted faults that went unseen, with what their check said instead. */
  missed: string[];
}

export function qualitySummary(runs: readonly (readonly QualityResult[])[], planted: readonly PlantedFault[] = []): QualitySummary {
  const all = [...runs.flat(), ...planted.flatMap((p) => p.results)];
  const checks = new Set(all.map((r) => `${r.table}\u0000${r.check}`)).size;
  const kinds = QUALITY_KINDS.filter((k) => all.some((r) => r.kind === k));
  const missed: string[] = [];
  let caught = 0;
  for (const p of planted) {
    const hit = p.results.filter((r) => r.check === p.check);
    if (hit.length === 0) missed.push(`${p.fault}: no check named "${p.check}" ran (checks: ${[...new Set(p.results.map((r) => r.check))].join(", ")})`);
    else if (hit.some((r) => r.status !== "pass")) caught++;
    else missed.push(`${p.fault}: "${p.check}" passed (observed ${hit[0].observed ?? "nothing"})`);
  }
  return { checks, kinds, caught, planted: planted.length, missed };
}

/** Glues quality_checks, quality_kinds and quality_caught (and quality_planted) for the notebook's test. */
export function glueQuality(summary: QualitySummary): QualitySummary {
  glue("quality_checks", summary.checks);
  glue("quality_kinds", summary.kinds);
  glue("quality_caught", summary.caught);
  glue("quality_planted", summary.planted);
  return summary;
}

/** One row of a check's result as a notebook's table shows it. */
export type ResultRow = { table: string; kind: string; check: string; status: string; observed: number | null; detail?: string };

/**
 * Results as rows for a table: observed rounded (`decimals`, default 4), dates in the detail written
 * as YYYY-MM-DD (and HH:MM where not midnight); `notPassed`: only warnings and failures; `detail: false`
 * leaves the detail out.
 */
export function resultsTable(results: readonly QualityResult[], options: { notPassed?: boolean; detail?: boolean; decimals?: number } = {}): ResultRow[] {
  const decimals = options.decimals ?? 4;
  return results.filter((r) => !options.notPassed || r.status !== "pass").map((r) => {
    const row: ResultRow = { table: r.table, kind: r.kind, check: r.check, status: r.status, observed: r.observed === null ? null : Number(r.observed.toFixed(decimals)) };
    if (options.detail !== false) row.detail = shortDates(r.detail);
    return row;
  });
}

/** Each planted fault with what its check said: status ("did not run" when it did not), observed, detail. */
export function plantedTable(planted: readonly PlantedFault[], options: { decimals?: number } = {}): { fault: string; check: string; status: string; observed: number | null; detail: string }[] {
  const decimals = options.decimals ?? 3;
  return planted.map((p) => {
    const r = p.results.find((x) => x.check === p.check);
    return { fault: p.fault, check: p.check, status: r?.status ?? "did not run", observed: r?.observed == null ? null : Number(r.observed.toFixed(decimals)), detail: shortDates(r?.detail ?? "") };
  });
}

/** ISO timestamps in a text as YYYY-MM-DD, or YYYY-MM-DD HH:MM when not midnight. */
export function shortDates(text: string): string {
  return text.replace(/(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}(?:\.\d{3})?Z/g, (_, d: string, hm: string) => (hm === "00:00" ? d : `${d} ${hm}`));
}
