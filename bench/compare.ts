/**
 * Comparing benchmark results across engines (DuckDB, pandas, danfojs): a small table of columns
 * and rows, compared cell by cell. Numbers agree within a relative and absolute tolerance (engines
 * sum floating-point values in different orders); everything else must be equal.
 */

/** A query's result as plain data: column names and rows of values in that order. */
export interface ResultTable {
  columns: string[];
  rows: unknown[][];
}

export interface CompareOptions {
  /** Relative tolerance for numbers. Default 1e-9. */
  relative?: number;
  /** Absolute tolerance for numbers (for values near zero). Default 1e-9. */
  absolute?: number;
}

/** Whether two numbers agree within the tolerances. */
export function closeEnough(a: number, b: number, options: CompareOptions = {}): boolean {
  const relative = options.relative ?? 1e-9;
  const absolute = options.absolute ?? 1e-9;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= Math.max(absolute, relative * Math.max(Math.abs(a), Math.abs(b)));
}

/**
 * The first difference between two results, as a sentence, or undefined when they agree: the same
 * columns in the same order, the same number of rows, and each cell equal (numbers, bigints and
 * numeric strings against numbers, within the tolerances).
 */
export function firstDifference(expected: ResultTable, actual: ResultTable, options: CompareOptions = {}): string | undefined {
  if (expected.columns.join(",") !== actual.columns.join(",")) {
    return `columns differ: expected [${expected.columns.join(", ")}], got [${actual.columns.join(", ")}]`;
  }
  if (expected.rows.length !== actual.rows.length) return `row counts differ: expected ${expected.rows.length}, got ${actual.rows.length}`;
  for (let i = 0; i < expected.rows.length; i++) {
    const e = expected.rows[i];
    const a = actual.rows[i];
    for (let j = 0; j < expected.columns.length; j++) {
      if (!sameValue(e[j], a[j], options)) {
        return `row ${i + 1}, column ${expected.columns[j]}: expected ${JSON.stringify(show(e[j]))}, got ${JSON.stringify(show(a[j]))}`;
      }
    }
  }
  return undefined;
}

function sameValue(e: unknown, a: unknown, options: CompareOptions): boolean {
  const en = asNumber(e);
  const an = asNumber(a);
  if (en !== undefined && an !== undefined) return closeEnough(en, an, options);
  if (e === null || e === undefined || a === null || a === undefined) return (e ?? null) === (a ?? null);
  return String(e) === String(a);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  return undefined;
}

function show(v: unknown): unknown {
  return typeof v === "bigint" ? String(v) : v;
}

/** The geometric mean of positive numbers (NaN for none). */
export function geomean(xs: number[]): number {
  if (xs.length === 0) return NaN;
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}
