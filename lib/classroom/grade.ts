/**
 * `grade`: every learner's notebook run in batch (each in a work folder of its own, with a time
 * limit, `jobs` at a time), each exercise graded from the statuses its checks glued in that run, and
 * the gradebook (CSV) and the report (HTML) written beside the executed notebooks. A bad submission
 * becomes rows with a clear status and note; the run goes on.
 *
 * Grades come from the fresh run, never from the outputs a learner saved: an answer computed in a
 * cell that was later deleted, or checked before the cell that computes it, grades as this run sees
 * it. A status counts only with the signature of this run's key and from an exercise the workbook
 * defined (lib/teach/record.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readNotebook } from "../notebook/nbformat";
import { inspectNotebookParameters } from "../notebook/parameters";
import { readScraps } from "../scraps";
import { DEFINED_IN_NOTEBOOK, STATUS_SCRAP_PREFIX, verifyStatusRecord } from "../teach/record";
import { DEFAULT_TIMEOUT_SECONDS, type HandoutManifest, type HandoutStamp, inPool, readManifest, readStamp, workbookVersion } from "./handout";
import { runIsolated } from "./isolated";
import { findSubmissions, type SubmittedFile } from "./submissions";
import { GRADEBOOK_FILE, writeGradebook } from "./gradebook";
import { REPORT_FILE, writeReport } from "./report";

/** How one exercise of one learner is graded. */
export type ExerciseGrade = "correct" | "wrong" | "not-attempted" | "used-solution" | "error" | "timeout" | "invalid";

/** How a learner's notebook run ended: invalid when it was not run at all (not a notebook, not from the hand-out). */
export type RunStatus = "completed" | "failed" | "died" | "timeout" | "error" | "invalid";

/** One row of the gradebook: a learner, a notebook, an exercise. */
export interface GradebookRow {
  learner: string;
  notebook: string;
  exercise: string;
  title: string;
  status: ExerciseGrade;
  /** For a wrong answer: the category of the checker's nudge. */
  category: string;
  run_status: RunStatus;
  /** Seconds the run took. */
  seconds: number;
  /** The submitted file, relative to the submissions folder. */
  submission: string;
  /** The executed notebook, relative to the output folder ("" when it was not run). */
  executed: string;
  note: string;
}

/** One learner's graded notebook (or one invalid submission). */
export interface GradedSubmission {
  learner: string;
  notebook: string;
  submission: string;
  executed: string;
  runStatus: RunStatus;
  seconds: number;
  /** The failing cell's error, or why the submission is invalid. */
  error?: string;
  notes: string[];
  rows: GradebookRow[];
}

export interface GradeOptions {
  /** The folder of submissions. */
  submissionsDir: string;
  /** Where the gradebook, the report and the executed notebooks go. */
  outDir: string;
  /** The hand-out folder (or its manifest): the exercises to expect and the hand-out id to accept. Default: each copy's stamp. */
  handout?: string | HandoutManifest;
  /** Notebooks run at once (default 1). */
  jobs?: number;
  /** Seconds each notebook may run once its kernel answers (default DEFAULT_TIMEOUT_SECONDS). */
  timeoutSeconds?: number;
  /** Called as each submission is graded. */
  onDone?: (graded: GradedSubmission) => void;
  /** Stops the grading (running notebooks are stopped and graded as timed out). */
  signal?: AbortSignal;
}

export interface GradeResult {
  manifest?: HandoutManifest;
  submissions: GradedSubmission[];
  rows: GradebookRow[];
  /** Paths of gradebook.csv and report.html. */
  gradebook: string;
  report: string;
  seconds: number;
}

interface Accepted {
  file: SubmittedFile;
  stamp: HandoutStamp;
  exercises: { id: string; title: string }[];
  notes: string[];
}

function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** A file-system-safe form of a learner's name. */
function safeName(name: string): string {
  return name.replace(/[^\w.@ -]/g, "_") || "_";
}

function invalid(file: SubmittedFile, notebook: string, reason: string): GradedSubmission {
  const row: GradebookRow = {
    learner: file.learner, notebook, exercise: "", title: "", status: "invalid", category: "", run_status: "invalid",
    seconds: 0, submission: file.rel, executed: "", note: reason,
  };
  return { learner: file.learner, notebook, submission: file.rel, executed: "", runStatus: "invalid", seconds: 0, error: reason, notes: [reason], rows: [row] };
}

/** Checks one submitted file against the hand-out: an accepted notebook, or an invalid submission. */
function accept(file: SubmittedFile, manifest: HandoutManifest | undefined): Accepted | GradedSubmission {
  if (file.problem) return invalid(file, "", file.problem);
  let stamp: HandoutStamp | undefined;
  try {
    stamp = readStamp(readNotebook(file.file));
  } catch (err) {
    const reason = (err as Error).message.split("\n")[0].replace(/^"[^"]*"(?: is not a notebook)?:? */, "").replace(/ Give a \.ipynb file.*$/, "");
    return invalid(file, "", `not a notebook: ${reason}`);
  }
  if (!stamp) return invalid(file, "", "not from the hand-out: the notebook has no hand-out stamp (metadata.workbook.handout); learners must work in the copies `workbook handout` wrote");
  if (!/^[^/\\]+\.ipynb$/.test(stamp.notebook)) return invalid(file, "", `not from the hand-out: its stamp names ${JSON.stringify(stamp.notebook)}, not a notebook file`);
  if (manifest && stamp.handout !== manifest.handout) {
    return invalid(file, stamp.notebook, `not from this hand-out: its stamp names hand-out ${stamp.handout}, this one is ${manifest.handout}`);
  }
  const notebook = stamp.notebook;
  const listed = manifest?.notebooks.find((n) => n.notebook === notebook);
  if (manifest && !listed) return invalid(file, stamp.notebook, `${stamp.notebook} is not part of this hand-out`);
  const notes: string[] = [];
  if (stamp.workbook !== workbookVersion()) notes.push(`handed out with workbook ${stamp.workbook}, graded with ${workbookVersion()}`);
  const exercises = listed ? listed.exercises : stamp.exercises.map((id) => ({ id, title: "" }));
  return { file, stamp, exercises, notes };
}

/** Per learner and notebook, the latest submission; the others are named in its notes. */
function latest(accepted: Accepted[]): Accepted[] {
  const groups = new Map<string, Accepted[]>();
  for (const a of accepted) {
    const key = JSON.stringify([a.file.learner, a.stamp.notebook]);
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((x, y) => x.file.mtimeMs - y.file.mtimeMs || x.file.rel.localeCompare(y.file.rel));
    const kept = sorted[sorted.length - 1];
    if (sorted.length > 1) {
      const ignored = sorted.slice(0, -1).map((s) => s.file.rel).join(", ");
      kept.notes.push(`${sorted.length} submissions of ${kept.stamp.notebook}: the latest, ${kept.file.rel}, counts (ignored: ${ignored})`);
    }
    return kept;
  });
}

async function runOne(a: Accepted, options: GradeOptions): Promise<GradedSubmission> {
  const outDir = path.resolve(options.outDir);
  const learnerDir = safeName(a.file.learner);
  const output = path.join(outDir, "notebooks", learnerDir, a.stamp.notebook);
  const declared = inspectNotebookParameters(readNotebook(a.file.file)).map((p) => p.name);
  const run = await runIsolated({
    input: a.file.file, output, workDir: path.join(outDir, "work", learnerDir, a.stamp.notebook.replace(/\.ipynb$/, "")),
    parameters: declared.includes("solutions") ? { solutions: false } : {},
    timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS, signal: options.signal,
  });
  const executed = run.notebook ? path.relative(outDir, output).split(path.sep).join("/") : "";
  const scraps = run.notebook ? readScraps(run.notebook) : {};
  const rows: GradebookRow[] = a.exercises.map((ex) => {
    const base = {
      learner: a.file.learner, notebook: a.stamp.notebook, exercise: ex.id, title: ex.title, run_status: run.status as RunStatus,
      seconds: Math.round(run.seconds * 10) / 10, submission: a.file.rel, executed, category: "", note: "",
    };
    const value = scraps[`${STATUS_SCRAP_PREFIX}${ex.id}`];
    if (value !== undefined) {
      if (!verifyStatusRecord(value, run.gradeKey) || value.id !== ex.id) return { ...base, status: "invalid" as const, note: "a status the checker did not sign (glued by hand?)" };
      if (value.definedIn === DEFINED_IN_NOTEBOOK) return { ...base, title: base.title || value.title, status: "invalid" as const, note: "checked by an exercise defined in a cell, not the workbook's own" };
      return { ...base, title: base.title || value.title, status: value.status, category: value.category ?? "" };
    }
    if (run.status === "completed") return { ...base, status: "not-attempted" as const, note: "never checked in this run" };
    if (run.status === "timeout") return { ...base, status: "timeout" as const, note: `the run was stopped before this check: ${run.error ?? ""}` };
    const why = (run.error ?? "").split("\n").map((l) => l.trim()).filter(Boolean).slice(0, 2).join(" ");
    return { ...base, status: "error" as const, note: `the run ${run.status === "error" ? "could not start" : run.status === "died" ? "died (the kernel exited)" : "failed"} before this check${why ? `: ${why}` : ""}` };
  });
  const error = run.error ? run.error.split("\n").slice(0, 6).join("\n") : undefined;
  return {
    learner: a.file.learner, notebook: a.stamp.notebook, submission: a.file.rel, executed, runStatus: run.status,
    seconds: Math.round(run.seconds * 10) / 10, ...(error ? { error } : {}), notes: a.notes,
    rows: rows.map((r) => ({ ...r, note: [r.note, ...a.notes].filter(Boolean).join("; ") })),
  };
}

/** Grades a folder of submissions; writes gradebook.csv, report.html and the executed notebooks into `outDir`. */
export async function grade(options: GradeOptions): Promise<GradeResult> {
  const started = Date.now();
  const manifest = typeof options.handout === "string" ? readManifest(options.handout) : options.handout;
  // An output folder inside the submissions folder (a second run) is not a learner.
  const files = findSubmissions(options.submissionsDir).filter((f) => !isInside(f.file, path.resolve(options.outDir)));
  const checked = files.map((f) => accept(f, manifest));
  const invalids = checked.filter((c): c is GradedSubmission => "rows" in c);
  const runs = latest(checked.filter((c): c is Accepted => !("rows" in c)));
  fs.mkdirSync(options.outDir, { recursive: true });
  invalids.forEach((s) => options.onDone?.(s));
  const graded = await inPool(runs, options.jobs ?? 1, async (a) => {
    const g = await runOne(a, options);
    options.onDone?.(g);
    return g;
  });
  fs.rmSync(path.join(options.outDir, "work"), { recursive: true, force: true });
  const submissions = [...graded, ...invalids].sort((x, y) => x.learner.localeCompare(y.learner) || x.notebook.localeCompare(y.notebook) || x.submission.localeCompare(y.submission));
  const rows = submissions.flatMap((s) => s.rows);
  const gradebook = path.join(options.outDir, GRADEBOOK_FILE);
  const report = path.join(options.outDir, REPORT_FILE);
  writeGradebook(gradebook, rows);
  writeReport(report, { manifest, submissions, rows, gradedAt: new Date().toISOString() });
  return { ...(manifest ? { manifest } : {}), submissions, rows, gradebook, report, seconds: (Date.now() - started) / 1000 };
}
