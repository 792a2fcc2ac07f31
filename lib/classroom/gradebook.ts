/** The gradebook: one CSV row per learner, notebook and exercise (RFC 4180 quoting), for a spreadsheet or a learning platform. */
import * as fs from "node:fs";
import type { GradebookRow } from "./grade";

export const GRADEBOOK_FILE = "gradebook.csv";

/** The gradebook's columns, in order. */
export const GRADEBOOK_COLUMNS: readonly (keyof GradebookRow)[] = [
  "learner", "notebook", "exercise", "title", "status", "category", "run_status", "seconds", "submission", "executed", "note",
];

/** A CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled). */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The gradebook as CSV text, header first, lines ending in CRLF as RFC 4180 has it. */
export function gradebookCsv(rows: GradebookRow[]): string {
  const lines = [GRADEBOOK_COLUMNS.join(","), ...rows.map((r) => GRADEBOOK_COLUMNS.map((c) => csvField(r[c])).join(","))];
  return lines.map((l) => `${l}\r\n`).join("");
}

export function writeGradebook(file: string, rows: GradebookRow[]): void {
  fs.writeFileSync(file, gradebookCsv(rows));
}
