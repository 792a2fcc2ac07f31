/**
 * The files a user gives a pipeline, wherever they are: one file, a folder (every file in it,
 * recursively, sorted by path; names starting with "." are left out), or `gs://bucket/path` (one
 * object, or every object under that prefix). Scenarios parse what they read; this only finds and
 * reads the bytes, and says clearly when there is nothing there.
 *
 *   for (const f of await readInputFiles("/data/logs")) parse(f.text);
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StorageOptions } from "@google-cloud/storage";
import { WorkbookError } from "../errors";
import { GcsLake, parseGcsRoot } from "./gcs";

export interface InputFile {
  /** Where it was read: an absolute local path or a gs:// URI. */
  uri: string;
  /** Its name relative to what was given ("" parts dropped), e.g. "2021/03/26.json" or the file's own name. */
  name: string;
  text: string;
}

export interface ReadInputOptions {
  /** Keep only the files whose name (relative path) passes. Default: all. */
  match?: (name: string) => boolean;
  /** What the files should be, for the error when none is found, e.g. "web-log JSON lines". Default "files". */
  what?: string;
  /** Cloud Storage client options (e.g. `{ apiEndpoint }` for a stand-in). Default: none. */
  storage?: StorageOptions;
}

/** Reads every input file at `location` (a file, a folder or gs://). Throws INPUT_MISSING when there is none. */
export async function readInputFiles(location: string, options: ReadInputOptions = {}): Promise<InputFile[]> {
  const what = options.what ?? "files";
  const match = options.match ?? (() => true);
  const files = location.startsWith("gs://") ? await readGcs(location, options.storage) : readLocal(location, what);
  const kept = files.filter((f) => match(f.name));
  if (kept.length === 0) {
    throw new WorkbookError("INPUT_MISSING", `found no ${what} at ${JSON.stringify(location)}${files.length > 0 ? ` (${files.length} other file(s) there, e.g. ${files[0].name})` : ""}; give a file, a folder or a gs:// location that holds them.`);
  }
  return kept;
}

function readLocal(location: string, what: string): InputFile[] {
  const abs = path.resolve(location);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new WorkbookError("INPUT_MISSING", `${JSON.stringify(location)} does not exist; give a file or a folder of ${what} (or a gs:// location).`);
  }
  if (stat.isFile()) return [{ uri: abs, name: path.basename(abs), text: fs.readFileSync(abs, "utf8") }];
  const out: InputFile[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".")) continue;
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) out.push({ uri: p, name: path.relative(abs, p).split(path.sep).join("/"), text: fs.readFileSync(p, "utf8") });
    }
  };
  walk(abs);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function readGcs(location: string, storage?: StorageOptions): Promise<InputFile[]> {
  const { bucket, prefix } = parseGcsRoot(location.replace(/\/+$/, ""));
  const lake = await GcsLake.create(`gs://${bucket}`, storage);
  try {
    if (prefix && (await lake.exists(prefix))) {
      return [{ uri: lake.uri(prefix), name: prefix.split("/").pop() as string, text: (await lake.readFile(prefix)).toString("utf8") }];
    }
    const out: InputFile[] = [];
    for (const f of await lake.list(prefix)) {
      const name = prefix ? f.path.slice(prefix.length + 1) : f.path;
      if (name.split("/").some((part) => part.startsWith("."))) continue;
      out.push({ uri: lake.uri(f.path), name, text: (await lake.readFile(f.path)).toString("utf8") });
    }
    return out;
  } finally {
    await lake.close();
  }
}

/** The non-blank lines of the files, each with where it came from (file name and 1-based line number). */
export function inputLines(files: readonly InputFile[]): { file: string; lineNo: number; line: string }[] {
  const out: { file: string; lineNo: number; line: string }[] = [];
  for (const f of files) {
    f.text.split("\n").forEach((raw, i) => {
      const line = raw.replace(/\r$/, "");
      if (line.trim() !== "") out.push({ file: f.name, lineNo: i + 1, line });
    });
  }
  return out;
}
