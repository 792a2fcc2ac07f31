/**
 * Finding the learners' submissions in a folder as a learning platform exports it (after unzipping):
 * a submission is a notebook file (the learner is its name) or a folder holding notebooks, at any
 * depth (the learner is the folder's name). Anything else at the top is a submission that is not a
 * notebook. "alice (2).ipynb" is alice's second submission: per learner and notebook, the later
 * file counts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { WorkbookError } from "../errors";

export interface SubmittedFile {
  learner: string;
  /** Absolute path. */
  file: string;
  /** Path relative to the submissions folder, for the gradebook. */
  rel: string;
  /** Last modification time (ms): the later of two submissions counts. */
  mtimeMs: number;
  /** Set when this is not a notebook file at all (e.g. "not a .ipynb file"). */
  problem?: string;
}

/** Names that belong to the file system or the platform, not to learners. */
function ignored(name: string): boolean {
  return name.startsWith(".") || name === "__MACOSX" || name === ".ipynb_checkpoints" || name === "Thumbs.db";
}

/** The learner of a top-level entry: a file's name without its extension, a folder's name, either without a copy number such as " (2)". */
export function learnerName(entry: string, isFile = true): string {
  return (isFile ? entry.replace(/\.[^.]+$/, "") : entry).replace(/\s*\(\d+\)$/, "").trim() || entry;
}

function notebooksUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (ignored(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...notebooksUnder(p));
    else if (e.name.toLowerCase().endsWith(".ipynb")) out.push(p);
  }
  return out;
}

/** Every submitted file of `dir`, sorted by learner then path. */
export function findSubmissions(dir: string): SubmittedFile[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new WorkbookError("INPUT_MISSING", `No submissions folder at ${JSON.stringify(dir)}; give the folder the learners' notebooks were collected in (unzip a platform's export first).`);
  }
  const out: SubmittedFile[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (ignored(e.name)) continue;
    const p = path.join(dir, e.name);
    const learner = learnerName(e.name, !e.isDirectory());
    const entry = (file: string, problem?: string): SubmittedFile => ({
      learner, file, rel: path.relative(dir, file).split(path.sep).join("/"), mtimeMs: fs.statSync(file).mtimeMs, ...(problem ? { problem } : {}),
    });
    if (e.isDirectory()) {
      const files = notebooksUnder(p);
      out.push(...(files.length ? files.map((f) => entry(f)) : [entry(p, "a folder without any .ipynb file")]));
    } else if (e.name.toLowerCase().endsWith(".ipynb")) {
      out.push(entry(p));
    } else {
      out.push(entry(p, "not a notebook (not a .ipynb file)"));
    }
  }
  return out.sort((a, b) => a.learner.localeCompare(b.learner) || a.rel.localeCompare(b.rel));
}
