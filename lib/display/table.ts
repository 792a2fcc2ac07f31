/**
 * Tables: `show(data)` displays rows, a query result or a danfojs DataFrame as an HTML table
 * (with a plain-text table as its text form). `tableHtml` / `tableText` return the strings.
 */
import { escapeHtml, publish, type MimeBundle } from "./output";

/** What `show` accepts: rows, a query result `{columns, rows}`, or a DataFrame (anything with `columns` and `values`). */
export type Tabular =
  | Record<string, unknown>[]
  | { columns: string[]; rows: Record<string, unknown>[] }
  | { columns: string[]; values: unknown[][] | unknown[] };

export interface TableOptions {
  /** Rows shown; the rest are counted in a footer. Default 20. */
  maxRows?: number;
  /** A caption above the table. Default: none. */
  title?: string;
  /** Digits after the point for non-integers. Default: up to 4, trailing zeros dropped. */
  digits?: number;
  /** Longest cell shown, in characters; a longer one is cut, ending in "..." (in HTML its whole text is its tooltip). Default 120. */
  maxCellChars?: number;
}

/** The default of TableOptions.maxCellChars. */
export const MAX_CELL_CHARS = 120;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, Math.max(0, max - 3))}...` : text;
}

interface Table {
  columns: string[];
  rows: unknown[][];
}

function toTable(data: Tabular): Table {
  if (Array.isArray(data)) {
    const columns = [...new Set(data.flatMap((r) => Object.keys(r ?? {})))];
    return { columns, rows: data.map((r) => columns.map((c) => r?.[c])) };
  }
  if ("rows" in data && Array.isArray(data.rows)) {
    return { columns: data.columns, rows: data.rows.map((r) => data.columns.map((c) => r[c])) };
  }
  if ("values" in data && Array.isArray(data.values)) {
    const values = data.values as unknown[];
    // a danfojs Series has 1-D values
    const rows = values.map((v) => (Array.isArray(v) ? v : [v]));
    return { columns: data.columns, rows };
  }
  throw new TypeError("show() takes rows (an array of objects), a query result {columns, rows} or a DataFrame");
}

/** One cell as text: null as "null", Dates as ISO (date only at midnight UTC), numbers trimmed. */
export function formatCell(value: unknown, digits?: number): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.replace(".000Z", "Z");
  }
  if (typeof value === "number") {
    if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
    return digits !== undefined ? value.toFixed(digits) : String(Number(value.toFixed(4)));
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "object") return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return String(value);
}

function isNumeric(value: unknown): boolean {
  return typeof value === "number" || typeof value === "bigint";
}

/** The table as HTML (numbers right-aligned, nulls dimmed), at most `maxRows` rows. */
export function tableHtml(data: Tabular, options: TableOptions = {}): string {
  const { columns, rows } = toTable(data);
  const max = options.maxRows ?? 20;
  const shown = rows.slice(0, max);
  const out: string[] = ['<table class="workbook-table" style="border-collapse:collapse;font-family:monospace;font-size:12px">'];
  if (options.title) out.push(`<caption style="text-align:left;font-weight:bold">${escapeHtml(options.title)}</caption>`);
  out.push("<thead><tr>" + columns.map((c) => `<th style="text-align:left;border-bottom:1px solid #999;padding:2px 8px">${escapeHtml(c)}</th>`).join("") + "</tr></thead>");
  out.push("<tbody>");
  for (const row of shown) {
    out.push("<tr>" + row.map((v) => {
      const align = isNumeric(v) ? "right" : "left";
      const style = `text-align:${align};padding:2px 8px${v === null || v === undefined ? ";color:#999" : ""}`;
      const text = formatCell(v, options.digits);
      const shown = cut(text, options.maxCellChars ?? MAX_CELL_CHARS);
      return `<td style="${style}"${shown === text ? "" : ` title="${escapeHtml(text)}"`}>${escapeHtml(shown)}</td>`;
    }).join("") + "</tr>");
  }
  out.push("</tbody>");
  out.push(`<tfoot><tr><td colspan="${Math.max(1, columns.length)}" style="color:#666;padding:2px 8px">${footer(rows.length, shown.length)}</td></tr></tfoot>`);
  out.push("</table>");
  return out.join("\n");
}

function footer(total: number, shown: number): string {
  return shown < total ? `${shown} of ${total} rows` : `${total} row${total === 1 ? "" : "s"}`;
}

/** The table as aligned plain text (for terminals and `--log-output`). */
export function tableText(data: Tabular, options: TableOptions = {}): string {
  const { columns, rows } = toTable(data);
  const max = options.maxRows ?? 20;
  const shown = rows.slice(0, max);
  const cells = shown.map((r) => r.map((v) => cut(formatCell(v, options.digits), options.maxCellChars ?? MAX_CELL_CHARS)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = columns.map((_, i) => shown.some((r) => isNumeric(r[i])) && shown.every((r) => isNumeric(r[i]) || r[i] === null || r[i] === undefined));
  const line = (values: string[]): string => values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join("  ").trimEnd();
  const out: string[] = [];
  if (options.title) out.push(options.title);
  out.push(line(columns));
  out.push(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of cells) out.push(line(r));
  out.push(`(${footer(rows.length, shown.length)})`);
  return out.join("\n");
}

/** Both forms of a table. */
export function tableBundle(data: Tabular, options: TableOptions = {}): MimeBundle {
  return { "text/html": tableHtml(data, options), "text/plain": tableText(data, options) };
}

/** Shows rows, a query result or a DataFrame as a table in the notebook (plain text elsewhere). */
export function show(data: Tabular, options: TableOptions = {}): void {
  publish(tableBundle(data, options));
}
