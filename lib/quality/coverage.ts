/**
 * Which of the six kinds each scenario's declared checks cover (`workbook quality coverage`): the
 * table the teacher's guide shows, notebooks by kinds, a count of checks in each cell.
 */
import { QUALITY_KINDS, kindOf, type QualityCheck, type QualityKind } from "./checks";

/** The number of declared checks of each kind. */
export function kindCounts(checks: readonly QualityCheck[]): Record<QualityKind, number> {
  const counts = Object.fromEntries(QUALITY_KINDS.map((k) => [k, 0])) as Record<QualityKind, number>;
  for (const c of checks) counts[kindOf(c)]++;
  return counts;
}

/** A markdown table: a row per scenario, a column per kind, the count of checks (0 where none). */
export function coverageTable(entries: readonly { scenario: string; checks: readonly QualityCheck[] }[]): string {
  const lines = [`| scenario | ${QUALITY_KINDS.join(" | ")} | checks |`, `|---|${QUALITY_KINDS.map(() => "---:").join("|")}|---:|`];
  for (const e of entries) {
    const counts = kindCounts(e.checks);
    lines.push(`| ${e.scenario} | ${QUALITY_KINDS.map((k) => counts[k]).join(" | ")} | ${e.checks.length} |`);
  }
  const covered = entries.reduce((n, e) => n + Object.values(kindCounts(e.checks)).filter((c) => c > 0).length, 0);
  lines.push("", `${covered} of ${entries.length * QUALITY_KINDS.length} cells covered.`);
  return `${lines.join("\n")}\n`;
}
