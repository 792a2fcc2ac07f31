/**
 * Reading and writing Jupyter notebooks (nbformat 4.5): the shapes we use, a structural check on
 * read, and a writer that matches nbformat's own (indent 1, sorted keys, text split into lines).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { WorkbookError } from "../errors";

export type MultilineString = string | string[];
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: "display_data";
  data: JsonObject;
  metadata: JsonObject;
}
export interface ExecuteResultOutput {
  output_type: "execute_result";
  execution_count: number | null;
  data: JsonObject;
  metadata: JsonObject;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface CodeCell {
  id: string;
  cell_type: "code";
  metadata: JsonObject;
  source: MultilineString;
  outputs: Output[];
  execution_count: number | null;
}
export interface OtherCell {
  id: string;
  cell_type: "markdown" | "raw";
  metadata: JsonObject;
  source: MultilineString;
  attachments?: JsonObject;
}
export type Cell = CodeCell | OtherCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: JsonObject;
  cells: Cell[];
}

/** Joins a multiline string (nbformat stores text as a list of lines). */
export function joinSource(source: MultilineString | undefined): string {
  if (source === undefined) return "";
  return Array.isArray(source) ? source.join("") : source;
}

/** Splits text into lines that keep their line endings, as nbformat writes them. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.match(/[^\n]*\n|[^\n]+$/g);
  return lines ?? [];
}

/** A new cell id (nbformat 4.5: 1-64 of [a-zA-Z0-9-_]). */
export function newCellId(): string {
  return crypto.randomBytes(6).toString("hex");
}

/** The tags of a cell (metadata.tags), or []. */
export function cellTags(cell: Cell): string[] {
  const tags = cell.metadata.tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

function usage(message: string): WorkbookError {
  return new WorkbookError("NOTEBOOK_INVALID", message);
}

/**
 * Checks that `value` is a version-4 notebook and normalises it to 4.5 (every cell has an id,
 * code cells have outputs and execution_count). Throws WorkbookError NOTEBOOK_INVALID naming `where`.
 */
export function parseNotebook(value: unknown, where: string): Notebook {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw usage(`${where} is not a notebook: its JSON is not an object. Give a .ipynb file saved by Jupyter.`);
  }
  const nb = value as Partial<Notebook>;
  if (nb.nbformat !== 4) {
    throw usage(`${where} is not a version-4 notebook (nbformat=${JSON.stringify(nb.nbformat ?? null)}). Open and save it in a current Jupyter, or run \`jupyter nbconvert --to notebook\` on it.`);
  }
  if (!Array.isArray(nb.cells)) {
    throw usage(`${where} is not a notebook: it has no "cells" list.`);
  }
  const seen = new Set<string>();
  const cells: Cell[] = nb.cells.map((raw, i) => {
    const c = raw as Partial<Cell> & { cell_type?: string };
    if (typeof c !== "object" || c === null || !["code", "markdown", "raw"].includes(c.cell_type ?? "")) {
      throw usage(`${where}: cell ${i} has cell_type ${JSON.stringify(c?.cell_type ?? null)}; expected code, markdown or raw.`);
    }
    let id = typeof c.id === "string" && /^[a-zA-Z0-9_-]{1,64}$/.test(c.id) ? c.id : newCellId();
    while (seen.has(id)) id = newCellId();
    seen.add(id);
    const metadata = (typeof c.metadata === "object" && c.metadata !== null ? c.metadata : {}) as JsonObject;
    const source = c.source ?? "";
    if (c.cell_type === "code") {
      const code = c as Partial<CodeCell>;
      return { ...code, id, cell_type: "code", metadata, source, outputs: Array.isArray(code.outputs) ? code.outputs : [], execution_count: code.execution_count ?? null };
    }
    return { ...(c as OtherCell), id, metadata, source };
  });
  return { ...nb, nbformat: 4, nbformat_minor: Math.max(5, nb.nbformat_minor ?? 5), metadata: (nb.metadata ?? {}) as JsonObject, cells } as Notebook;
}

/** Reads and checks a notebook file. Missing or malformed files throw WorkbookError with the path. */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new WorkbookError("NOTEBOOK_NOT_FOUND", `No notebook at ${JSON.stringify(file)}: check the path (it is relative to ${process.cwd()}).`, { cause: err });
    throw new WorkbookError("NOTEBOOK_UNREADABLE", `Cannot read ${JSON.stringify(file)}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw usage(`${JSON.stringify(file)} is not a notebook: it is not valid JSON (${(err as Error).message}). Give a .ipynb file.`);
  }
  return parseNotebook(json, JSON.stringify(file));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

const TEXT_MIME = /^(text\/|image\/svg\+xml$)/;

/** Returns a copy with multiline strings split into lines, as nbformat stores them. */
function splitForDisk(nb: Notebook): Notebook {
  const split = (s: MultilineString): string[] => splitLines(joinSource(s));
  const splitData = (data: JsonObject): JsonObject => {
    const out: JsonObject = {};
    for (const [mime, v] of Object.entries(data)) out[mime] = TEXT_MIME.test(mime) && (typeof v === "string" || Array.isArray(v)) ? split(v as MultilineString) : v;
    return out;
  };
  return {
    ...nb,
    cells: nb.cells.map((cell) => {
      if (cell.cell_type !== "code") return { ...cell, source: split(cell.source) };
      return {
        ...cell,
        source: split(cell.source),
        outputs: cell.outputs.map((o): Output => {
          if (o.output_type === "stream") return { ...o, text: split(o.text) };
          if (o.output_type === "display_data" || o.output_type === "execute_result") return { ...o, data: splitData(o.data) };
          return o;
        }),
      };
    }),
  };
}

/** The notebook as nbformat writes it: JSON with indent 1, sorted keys, lines split, final newline. */
export function serializeNotebook(nb: Notebook): string {
  return JSON.stringify(sortKeys(splitForDisk(nb)), null, 1) + "\n";
}

/** Writes the notebook atomically (temp file, then rename), so a reader never sees half a file. */
export function writeNotebook(file: string, nb: Notebook): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, serializeNotebook(nb));
  fs.renameSync(tmp, file);
}
