/**
 * `handout`: learner copies of notebooks (no outputs, `solutions` false in a locked parameters cell,
 * a stamp in the metadata naming the hand-out) and a manifest, `handout.json`, that tells grading
 * which exercises to expect. Each notebook is run once with `solutions = true` first: that lists its
 * exercises (from their signed statuses) and proves every one solvable, as CI does.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { WorkbookError } from "../errors";
import { type JsonObject, type Notebook, cellTags, joinSource, readNotebook, writeNotebook } from "../notebook/nbformat";
import { inspectNotebookParameters, parametersCellIndex } from "../notebook/parameters";
import { projectRoot } from "../paths";
import { ERROR_CELL_TAG } from "../runner";
import { readScraps } from "../scraps";
import { STATUS_SCRAP_PREFIX, verifyStatusRecord } from "../teach/record";
import { newGradeKey, runIsolated } from "./isolated";

/** The manifest's file name in a hand-out folder. */
export const MANIFEST_FILE = "handout.json";

export interface HandoutExercise {
  id: string;
  title: string;
}

export interface HandoutNotebook {
  /** The notebook's file name, e.g. "01-football-sql.ipynb" (learners may rename their copy; the stamp keeps this). */
  notebook: string;
  exercises: HandoutExercise[];
}

export interface HandoutManifest {
  kind: "de-workbook-handout";
  /** A random id: grading tells a copy of this hand-out from one of another. */
  handout: string;
  /** The workbook's version (package.json). */
  workbook: string;
  created: string;
  notebooks: HandoutNotebook[];
}

/** What a learner copy carries in `metadata.workbook.handout`. */
export interface HandoutStamp {
  handout: string;
  notebook: string;
  workbook: string;
  exercises: string[];
}

export interface HandoutOptions {
  /** The notebooks to hand out (each must have a `solutions` parameter and exercises). */
  notebooks: string[];
  /** Where the learner copies and handout.json go. */
  outDir: string;
  /** Reference runs at once (default 1). */
  jobs?: number;
  /** Seconds a reference run may take (default DEFAULT_TIMEOUT_SECONDS). */
  timeoutSeconds?: number;
  /** Called as each notebook is done. */
  onDone?: (notebook: string, exercises: HandoutExercise[], seconds: number) => void;
}

/** Seconds a notebook may run, per notebook, in hand-out and grading (the slowest scenario takes a few minutes). */
export const DEFAULT_TIMEOUT_SECONDS = 600;

/** The workbook's version, from package.json. */
export function workbookVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")) as { version: string }).version;
}

/** Runs `items` through `work`, `jobs` at a time, keeping their order. */
export async function inPool<T, R>(items: T[], jobs: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.floor(jobs), items.length)) }, worker));
  return out;
}

/** The learner copy of `source`: no outputs, `solutions` false, the parameters cell locked, the stamp in the metadata. */
export function learnerCopy(source: Notebook, stamp: HandoutStamp): Notebook {
  const cells = source.cells
    .filter((c) => !cellTags(c).includes("injected-parameters") && !cellTags(c).includes(ERROR_CELL_TAG))
    .map((c) => {
      const { papermill: _pm, ...metadata } = c.metadata;
      void _pm;
      return c.cell_type === "code" ? { ...c, metadata, outputs: [], execution_count: null } : { ...c, metadata };
    });
  const at = parametersCellIndex({ ...source, cells });
  if (at >= 0) {
    const cell = cells[at];
    const text = joinSource(cell.source).replace(/(\blet\s+solutions\b[^=\n]*=\s*)true\b/, "$1false");
    cells[at] = { ...cell, source: text, metadata: { ...cell.metadata, editable: false, deletable: false } };
  }
  const { papermill: _pm, ...metadata } = source.metadata;
  void _pm;
  const workbook = { ...((metadata.workbook as JsonObject | undefined) ?? {}), handout: stamp as unknown as JsonObject };
  return { ...source, metadata: { ...metadata, workbook }, cells };
}

/** The stamp of a learner copy, or undefined when it has none. */
export function readStamp(nb: Notebook): HandoutStamp | undefined {
  const s = (nb.metadata.workbook as JsonObject | undefined)?.handout as Partial<HandoutStamp> | undefined;
  if (!s || typeof s.handout !== "string" || typeof s.notebook !== "string" || !Array.isArray(s.exercises)) return undefined;
  return { handout: s.handout, notebook: s.notebook, workbook: String(s.workbook ?? ""), exercises: s.exercises.map(String) };
}

/** Reads handout.json from a hand-out folder (or the file itself). */
export function readManifest(dirOrFile: string): HandoutManifest {
  const file = fs.existsSync(dirOrFile) && fs.statSync(dirOrFile).isDirectory() ? path.join(dirOrFile, MANIFEST_FILE) : dirOrFile;
  let m: Partial<HandoutManifest>;
  try {
    m = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<HandoutManifest>;
  } catch (err) {
    throw new WorkbookError("INPUT_INVALID", `Cannot read the hand-out manifest ${JSON.stringify(file)} (${(err as Error).message.split("\n")[0]}); give the folder \`workbook handout --out\` wrote.`, { cause: err });
  }
  if (m.kind !== "de-workbook-handout" || typeof m.handout !== "string" || !Array.isArray(m.notebooks)) {
    throw new WorkbookError("INPUT_INVALID", `${JSON.stringify(file)} is not a hand-out manifest (no kind "de-workbook-handout"); give the folder \`workbook handout --out\` wrote.`);
  }
  return m as HandoutManifest;
}

/** Writes the learner copies and handout.json; returns the manifest. */
export async function handout(options: HandoutOptions): Promise<HandoutManifest> {
  if (options.notebooks.length === 0) throw new WorkbookError("INPUT_MISSING", "No notebooks to hand out; name them, e.g. `workbook handout notebooks/01-football-sql.ipynb --out handout`.");
  const sources = options.notebooks.map((file) => {
    const nb = readNotebook(file);
    if (!inspectNotebookParameters(nb).some((p) => p.name === "solutions")) {
      throw new WorkbookError("INPUT_INVALID", `${JSON.stringify(file)} has no \`solutions\` parameter, so it has no exercises to grade; hand out notebooks that end with exercises (01 to 09).`);
    }
    return { file: path.resolve(file), name: path.basename(file), nb };
  });
  const names = sources.map((s) => s.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new WorkbookError("INPUT_INVALID", `${twice} is named twice; hand out each notebook once.`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-handout-"));
  try {
    const listed = await inPool(sources, options.jobs ?? 1, async (s) => {
      const key = newGradeKey();
      const run = await runIsolated({
        input: s.file, output: path.join(scratch, "reference", s.name), workDir: path.join(scratch, "work", s.name.replace(/\.ipynb$/, "")),
        parameters: { solutions: true }, timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, gradeKey: key,
      });
      if (run.status !== "completed" || !run.notebook) {
        throw new WorkbookError("INPUT_INVALID", `The reference run of ${s.name} (with solutions = true) ended ${run.status}: ${(run.error ?? "").split("\n").slice(0, 4).join(" ")}. Fix the notebook (\`workbook run ${s.name} -p solutions true\` shows the cell) before handing it out.`);
      }
      const exercises: HandoutExercise[] = [];
      for (const [name, value] of Object.entries(readScraps(run.notebook))) {
        if (!name.startsWith(STATUS_SCRAP_PREFIX) || !verifyStatusRecord(value, key)) continue;
        if (value.status !== "used-solution") {
          throw new WorkbookError("INPUT_INVALID", `Exercise ${value.id} of ${s.name} is ${value.status} with its own reference solution; its checker or its reference is wrong (see scenarios/*/exercises.ts).`);
        }
        exercises.push({ id: value.id, title: value.title });
      }
      if (exercises.length === 0) throw new WorkbookError("INPUT_INVALID", `${s.name} checked no exercise in its reference run; hand out notebooks whose exercise cells call check().`);
      options.onDone?.(s.name, exercises, run.seconds);
      return { notebook: s.name, exercises };
    });
    const manifest: HandoutManifest = {
      kind: "de-workbook-handout", handout: crypto.randomBytes(8).toString("hex"), workbook: workbookVersion(),
      created: new Date().toISOString(), notebooks: listed,
    };
    fs.mkdirSync(options.outDir, { recursive: true });
    for (const [i, s] of sources.entries()) {
      const stamp: HandoutStamp = { handout: manifest.handout, notebook: s.name, workbook: manifest.workbook, exercises: listed[i].exercises.map((e) => e.id) };
      writeNotebook(path.join(options.outDir, s.name), learnerCopy(s.nb, stamp));
    }
    fs.writeFileSync(path.join(options.outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
