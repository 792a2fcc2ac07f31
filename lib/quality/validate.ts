/**
 * Declarations are checked before any check runs: every table and column must exist on the target,
 * and every threshold must be a number in its range. All problems are reported at once, each with
 * its fix (QUALITY_INVALID).
 */
import { WorkbookError } from "../errors";
import { checkName, type QualityCheck, QUALITY_KINDS } from "./checks";
import type { QualityTarget } from "./target";

const NUMERIC = /^(INT|INT64|INTEGER|BIGINT|SMALLINT|TINYINT|HUGEINT|UBIGINT|UINTEGER|USMALLINT|UTINYINT|FLOAT|FLOAT64|DOUBLE|REAL|NUMERIC|DECIMAL|BIGNUMERIC|DOUBLE PRECISION)\b/i;

const TIMESTAMP = /^(TIMESTAMP|TIMESTAMPTZ|TIMESTAMP WITH(OUT)? TIME ZONE|TIMESTAMP_(S|MS|NS)|DATETIME)\b/i;

export function isNumericType(type: string): boolean {
  return NUMERIC.test(type.trim());
}

export async function validateChecks(target: QualityTarget, checks: readonly QualityCheck[]): Promise<void> {
  const problems: string[] = [];
  const tables = new Map<string, { name: string; type: string }[] | undefined>();
  const columnsOf = async (t: string) => {
    if (!tables.has(t)) tables.set(t, await target.columns(t));
    return tables.get(t);
  };
  const seen = new Set<string>();
  for (const c of checks) {
    const name = checkName(c);
    const where = `check ${JSON.stringify(name)} on ${JSON.stringify(c.table)}`;
    const key = `${c.table}\u0000${name}`;
    if (seen.has(key)) problems.push(`${where} is declared twice; give one of them another \`name\`.`);
    seen.add(key);
    const cols = await columnsOf(c.table);
    if (!cols) {
      problems.push(`${where}: table ${JSON.stringify(c.table)} does not exist on ${target.engine}; create it first (or fix the name).`);
      continue;
    }
    const has = (table: string, list: { name: string; type: string }[], col: unknown, field: string) => {
      if (typeof col !== "string" || !list.some((x) => x.name === col)) {
        problems.push(`${where}: ${field} ${JSON.stringify(col)} is not a column of ${JSON.stringify(table)}; its columns are ${list.map((x) => x.name).join(", ")}.`);
        return false;
      }
      return true;
    };
    const num = (field: string, v: unknown, ok: (n: number) => boolean, rule: string) => {
      if (v === undefined) return;
      if (typeof v !== "number" || !Number.isFinite(v) || !ok(v)) problems.push(`${where}: ${field} is ${JSON.stringify(v)}; it must be a number ${rule}, e.g. ${field}: ${field.includes("Share") || field === "tolerance" ? 0.05 : 1}.`);
    };
    if (c.severity !== undefined && c.severity !== "block" && c.severity !== "warn") problems.push(`${where}: severity ${JSON.stringify(c.severity)} must be "block" or "warn".`);
    const timestamp = (col: unknown, field: string) => {
      if (!has(c.table, cols, col, field)) return;
      const t = cols.find((x) => x.name === col)?.type ?? "";
      if (!TIMESTAMP.test(t)) problems.push(`${where}: ${field} ${JSON.stringify(col)} is ${t}, not a TIMESTAMP; the interval's bounds are TIMESTAMP literals (BigQuery compares no DATE with them), so use a TIMESTAMP column or a sql check.`);
    };
    if (c.timeColumn !== undefined) timestamp(c.timeColumn, "timeColumn");
    switch (c.type) {
      case "freshness":
        timestamp(c.column, "column");
        if (c.maxLagHours === undefined) problems.push(`${where}: maxLagHours is missing; give the largest allowed age in hours, e.g. maxLagHours: 24.`);
        num("maxLagHours", c.maxLagHours, (n) => n >= 0, ">= 0");
        break;
      case "volume":
        num("min", c.min, (n) => n >= 0, ">= 0");
        num("max", c.max, (n) => n >= 0, ">= 0");
        num("tolerance", c.tolerance, (n) => n >= 0, ">= 0 (a share: 0.5 = 50%)");
        num("window", c.window, (n) => Number.isInteger(n) && n >= 1, "(a whole number of runs) >= 1");
        if (typeof c.min === "number" && typeof c.max === "number" && c.min > c.max) problems.push(`${where}: min ${c.min} is above max ${c.max}; swap them.`);
        if (c.min === undefined && c.max === undefined && c.tolerance === undefined) problems.push(`${where}: give min, max or tolerance, e.g. min: 1.`);
        break;
      case "columns":
        if (!c.columns || typeof c.columns !== "object" || Object.values(c.columns).some((t) => typeof t !== "string")) problems.push(`${where}: columns must map each column to its type name, e.g. { user_id: "STRING" }.`);
        break;
      case "not_null":
        has(c.table, cols, c.column, "column");
        break;
      case "accepted_values":
        has(c.table, cols, c.column, "column");
        if (!Array.isArray(c.values) || c.values.length === 0 || c.values.some((v) => typeof v !== "string" && typeof v !== "number")) problems.push(`${where}: values must be a non-empty list of strings or numbers, e.g. values: ["free", "paid"].`);
        break;
      case "range":
        if (has(c.table, cols, c.column, "column")) {
          const t = cols.find((x) => x.name === c.column)?.type ?? "";
          if (!isNumericType(t)) problems.push(`${where}: column ${JSON.stringify(c.column)} is ${t}, not a number; ranges are for numeric columns (use accepted_values for others).`);
        }
        num("min", c.min, () => true, "");
        num("max", c.max, () => true, "");
        if (c.min === undefined && c.max === undefined) problems.push(`${where}: give min or max, e.g. min: 0.`);
        if (typeof c.min === "number" && typeof c.max === "number" && c.min > c.max) problems.push(`${where}: min ${c.min} is above max ${c.max}; swap them.`);
        break;
      case "unique":
        if (!Array.isArray(c.columns) || c.columns.length === 0) problems.push(`${where}: columns must list the key's columns, e.g. columns: ["user_id"].`);
        else for (const k of c.columns) has(c.table, cols, k, "key column");
        break;
      case "relationship": {
        has(c.table, cols, c.column, "column");
        const to = await columnsOf(c.to);
        if (!to) problems.push(`${where}: the referenced table ${JSON.stringify(c.to)} does not exist on ${target.engine}; create it first (or fix \`to\`).`);
        else has(c.to, to, c.toColumn, "toColumn");
        num("maxMissingShare", c.maxMissingShare, (n) => n >= 0 && n <= 1, "between 0 and 1 (a share: 0.05 = 5%)");
        break;
      }
      case "drift":
        if (has(c.table, cols, c.column, "column") && !c.categorical) {
          const t = cols.find((x) => x.name === c.column)?.type ?? "";
          if (!isNumericType(t)) problems.push(`${where}: column ${JSON.stringify(c.column)} is ${t}, not a number; add categorical: true to compare shares per category.`);
        }
        num("threshold", c.threshold, (n) => n > 0, "> 0 (PSI, e.g. 0.2; or a share for categorical columns, e.g. 0.1)");
        num("bins", c.bins, (n) => Number.isInteger(n) && n >= 2 && n <= 50, "(whole) between 2 and 50");
        break;
      case "sql":
        if (typeof c.sql !== "string" || !/\bn\b/i.test(c.sql)) problems.push(`${where}: sql must be a SELECT returning one row with a column n, e.g. "SELECT COUNT(*) AS n FROM t WHERE ...".`);
        if (!QUALITY_KINDS.includes(c.kind)) problems.push(`${where}: kind ${JSON.stringify(c.kind)} must be one of ${QUALITY_KINDS.join(", ")}.`);
        break;
      default:
        problems.push(`${where}: unknown type ${JSON.stringify((c as { type: unknown }).type)}; use one of freshness, volume, columns, not_null, accepted_values, range, unique, relationship, drift, sql.`);
    }
  }
  if (problems.length > 0) {
    throw new WorkbookError("QUALITY_INVALID", `${problems.length} quality check declaration(s) refused before anything ran:\n- ${problems.join("\n- ")}`);
  }
}
