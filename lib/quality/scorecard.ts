/**
 * The scorecard: a grid of tables by the six kinds of check, each cell coloured by the worst status
 * of that table's latest results of that kind (green pass, gold warning, red failure, grey: no
 * check of that kind), as SVG with a PNG beside it; and one check's history as a small chart.
 *
 *   await showScorecard(warehouseTarget(wh));
 *   await showCheckHistory(warehouseTarget(wh), "sparkify_songplays", "has rows");
 */
import { chart, type VegaLiteSpec } from "../display/chart";
import { escapeHtml, publish, type PublishOptions } from "../display/output";
import { pictureBundle } from "../display/picture";
import { QUALITY_KINDS, type QualityKind } from "./checks";
import type { QualityStatus } from "./run";
import type { QualityResultRow, QualityTarget } from "./target";

export const STATUS_COLORS: Readonly<Record<QualityStatus | "none", string>> = { pass: "#008000", warn: "#ffd700", fail: "#ff0000", none: "#e6e6e6" };

export interface ScorecardCell {
  table: string;
  kind: QualityKind;
  /** The worst status of the checks in the cell; "none" when the table has no check of this kind. */
  status: QualityStatus | "none";
  passed: number;
  total: number;
  /** Names of the checks that did not pass. */
  failing: string[];
}

const RANK: Record<QualityStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** The grid's cells from stored results: for each table and check, its latest logical date only. */
export function scorecardCells(rows: readonly QualityResultRow[]): ScorecardCell[] {
  const latest = new Map<string, QualityResultRow>();
  for (const r of rows) {
    const key = `${r.table_name}\u0000${r.check_name}`;
    const seen = latest.get(key);
    if (!seen || r.logical_date >= seen.logical_date) latest.set(key, r);
  }
  const tables = [...new Set([...latest.values()].map((r) => r.table_name))].sort();
  const cells: ScorecardCell[] = [];
  for (const table of tables) {
    for (const kind of QUALITY_KINDS) {
      const of = [...latest.values()].filter((r) => r.table_name === table && r.kind === kind);
      const worst = of.reduce<QualityStatus | "none">((w, r) => (w === "none" || RANK[r.status] > RANK[w] ? r.status : w), "none");
      cells.push({ table, kind, status: worst, passed: of.filter((r) => r.status === "pass").length, total: of.length, failing: of.filter((r) => r.status !== "pass").map((r) => r.check_name).sort() });
    }
  }
  return cells;
}

/** The grid as SVG: one row per table, one column per kind, "passed/total" in each cell. */
export function scorecardSvg(cells: readonly ScorecardCell[], title = "Data quality"): string {
  const tables = [...new Set(cells.map((c) => c.table))];
  const labelW = Math.max(80, ...tables.map((t) => t.length * 7 + 16));
  const cw = 92;
  const ch = 26;
  const top = 54;
  const width = labelW + cw * QUALITY_KINDS.length + 10;
  const height = top + ch * tables.length + 34;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`, `<rect width="${width}" height="${height}" fill="#ffffff"/>`];
  out.push(`<text x="8" y="18" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`);
  QUALITY_KINDS.forEach((k, i) => out.push(`<text x="${labelW + i * cw + cw / 2}" y="${top - 8}" text-anchor="middle">${k}</text>`));
  tables.forEach((t, row) => {
    const y = top + row * ch;
    out.push(`<text x="8" y="${y + 17}">${escapeHtml(t)}</text>`);
    QUALITY_KINDS.forEach((k, i) => {
      const c = cells.find((x) => x.table === t && x.kind === k);
      const status = c?.status ?? "none";
      const x = labelW + i * cw;
      const tip = c && c.failing.length ? `<title>${escapeHtml(c.failing.join(", "))}</title>` : "";
      out.push(`<rect x="${x + 2}" y="${y + 2}" width="${cw - 4}" height="${ch - 4}" rx="3" fill="${STATUS_COLORS[status]}" data-status="${status}">${tip}</rect>`);
      if (c && c.total > 0) out.push(`<text x="${x + cw / 2}" y="${y + 17}" text-anchor="middle" fill="${status === "warn" || status === "none" ? "#000000" : "#ffffff"}">${c.passed}/${c.total}</text>`);
    });
  });
  const legendY = top + tables.length * ch + 20;
  (["pass", "warn", "fail", "none"] as const).forEach((s, i) => {
    out.push(`<rect x="${8 + i * 90}" y="${legendY - 10}" width="12" height="12" fill="${STATUS_COLORS[s]}"/><text x="${24 + i * 90}" y="${legendY}">${s === "none" ? "no check" : s}</text>`);
  });
  out.push("</svg>");
  return out.join("\n");
}

/** The grid as text (terminals, `workbook run --log-output`). */
export function scorecardText(cells: readonly ScorecardCell[]): string {
  const tables = [...new Set(cells.map((c) => c.table))];
  const w = Math.max(5, ...tables.map((t) => t.length));
  const lines = [`${"table".padEnd(w)}  ${QUALITY_KINDS.map((k) => k.padEnd(11)).join(" ")}`];
  for (const t of tables) {
    lines.push(`${t.padEnd(w)}  ${QUALITY_KINDS.map((k) => {
      const c = cells.find((x) => x.table === t && x.kind === k);
      return (c && c.total > 0 ? `${c.status} ${c.passed}/${c.total}` : "-").padEnd(11);
    }).join(" ")}`);
  }
  return lines.join("\n");
}

/** Shows the scorecard of every result stored on `target` (or of the rows given). */
export async function showScorecard(source: QualityTarget | readonly QualityResultRow[], options: PublishOptions & { title?: string } = {}): Promise<ScorecardCell[]> {
  const rows = "allResults" in source ? await source.allResults() : source;
  const cells = scorecardCells(rows);
  publish(await pictureBundle(scorecardSvg(cells, options.title), scorecardText(cells)), options);
  return cells;
}

/** The limit a check's observed value is held to, when it is one number. */
function limitOf(r: QualityResultRow): number | undefined {
  const t = JSON.parse(r.threshold || "{}") as Record<string, unknown>;
  for (const k of ["max", "maxMissingShare", "threshold", "maxLagHours"]) if (typeof t[k] === "number") return t[k] as number;
  return undefined;
}

/** A small chart of one check's observed value by logical date, points coloured by status, its limit as a rule. */
export function checkHistorySpec(rows: readonly QualityResultRow[], table: string, check: string): VegaLiteSpec {
  const of = rows.filter((r) => r.table_name === table && r.check_name === check).sort((a, b) => a.logical_date.localeCompare(b.logical_date));
  const values = of.map((r) => ({ logical_date: r.logical_date, observed: r.observed, status: r.status }));
  const limit = of.length ? limitOf(of[of.length - 1]) : undefined;
  const layers: Record<string, unknown>[] = [
    { mark: { type: "line", color: "#888888" }, encoding: { x: { field: "logical_date", type: "temporal", title: "logical date" }, y: { field: "observed", type: "quantitative", title: "observed" } } },
    {
      mark: { type: "point", filled: true, size: 60 },
      encoding: {
        x: { field: "logical_date", type: "temporal" }, y: { field: "observed", type: "quantitative" },
        color: { field: "status", type: "nominal", scale: { domain: ["pass", "warn", "fail"], range: [STATUS_COLORS.pass, STATUS_COLORS.warn, STATUS_COLORS.fail] } },
      },
    },
  ];
  if (limit !== undefined) layers.push({ data: { values: [{ limit }] }, mark: { type: "rule", color: STATUS_COLORS.fail, strokeDash: [4, 3] }, encoding: { y: { field: "limit", type: "quantitative" } } });
  return { title: `${table}: ${check}`, width: 360, height: 140, data: { values }, layer: layers };
}

/** Shows one check's history (from `target`'s results table). */
export async function showCheckHistory(target: QualityTarget, table: string, check: string): Promise<void> {
  const rows = await target.allResults();
  const spec = checkHistorySpec(rows, table, check);
  const of = rows.filter((r) => r.table_name === table && r.check_name === check);
  await chart(spec, { text: `${table}: ${check}\n${of.map((r) => `  ${r.logical_date} ${r.status} ${r.observed ?? "-"}`).join("\n")}` });
}
