/**
 * What grading reads from a learner's run (`workbook grade`, lib/classroom). When the kernel has a
 * grading key (WORKBOOK_GRADE_KEY, set by the grader, a new one per learner), every `check()` glues
 * the exercise's status as the scrap `exercise_status:<id>`, signed with that key:
 * - `correct`, `wrong` (with the category of the checker's nudge), `not-attempted`;
 * - `used-solution`: a correct answer checked after the exercise's `solution()` was shown in this
 *   kernel (by the learner, or by `solutions = true`), which is not the learner's own work;
 * - where the exercise was defined: a file of the workbook, or "notebook" when a cell defined it
 *   (a learner who redefines an exercise in a cell could choose its expected value).
 * A scrap glued by hand has no valid signature. Without the key nothing is recorded.
 */
import * as crypto from "node:crypto";
import * as path from "node:path";
import { config } from "../config";
import { projectRoot } from "../paths";
import { glue } from "../scraps";

/** Scrap name prefix of exercise statuses: `exercise_status:<exercise id>`. */
export const STATUS_SCRAP_PREFIX = "exercise_status:";

/** An exercise's status as graded. */
export type GradedStatus = "correct" | "wrong" | "not-attempted" | "used-solution";

export interface StatusRecord {
  id: string;
  title: string;
  status: GradedStatus;
  /** For a wrong answer: the checker's nudge with its numbers blanked ("did not run", or "wrong value" without a nudge). */
  category: string | null;
  /** Where the exercise was defined: its file relative to the project (e.g. dist/scenarios/football/exercises.js), or "notebook". */
  definedIn: string;
  /** HMAC-SHA256 (hex) of the fields above with the grading key. */
  signature: string;
}

/** Where `exercise()` was defined when no frame of the workbook called it: a notebook cell (or anything outside). */
export const DEFINED_IN_NOTEBOOK = "notebook";

// The workbook's own code: its compiled folder, or its sources when a stack is source-mapped.
const TRUSTED = ["dist", "lib", "scenarios"].map((d) => path.join(projectRoot, d) + path.sep);
const TEACH_DIR = __dirname;

const solutionsShown = new Set<string>();

/** Notes that the reference answer of exercise `id` was shown in this kernel. */
export function noteSolutionShown(id: string): void {
  solutionsShown.add(id);
}

/**
 * Where the caller of `exercise()` lives: the first stack frame outside lib/teach, as a path relative
 * to the project when it is the workbook's code (dist/, lib/, scenarios/), else "notebook" (a cell,
 * a learner's own file).
 */
export function callerLocation(stack: string = new Error().stack ?? ""): string {
  for (const line of stack.split("\n").slice(1)) {
    const m = /^\s*at (?:.*? \()?(.+?):\d+:\d+\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1];
    if (path.isAbsolute(file) && path.dirname(file) === TEACH_DIR) continue;
    if (path.isAbsolute(file) && TRUSTED.some((d) => file.startsWith(d))) return path.relative(projectRoot, file).split(path.sep).join("/");
    return DEFINED_IN_NOTEBOOK;
  }
  return DEFINED_IN_NOTEBOOK;
}

/** The category of a wrong answer: its nudge with numbers blanked, so "gives 12 rows" and "gives 15 rows" count as one. */
export function nudgeCategory(nudge: string): string {
  return nudge.replace(/-?\d+(?:\.\d+)?/g, "#").replace(/\s+/g, " ").trim();
}

function sign(key: string, r: Omit<StatusRecord, "signature">): string {
  return crypto.createHmac("sha256", key).update(JSON.stringify([r.id, r.title, r.status, r.category, r.definedIn])).digest("hex");
}

/** The record of one check, signed with `key`. */
export function statusRecord(key: string, fields: Omit<StatusRecord, "signature">): StatusRecord {
  return { ...fields, signature: sign(key, fields) };
}

/** True when `value` is a status record signed with `key`. */
export function verifyStatusRecord(value: unknown, key: string): value is StatusRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Partial<StatusRecord>;
  if (typeof r.id !== "string" || typeof r.title !== "string" || typeof r.status !== "string" || typeof r.definedIn !== "string" || typeof r.signature !== "string") return false;
  if (!["correct", "wrong", "not-attempted", "used-solution"].includes(r.status) || (r.category !== null && typeof r.category !== "string")) return false;
  const expected = Buffer.from(sign(key, r as StatusRecord), "hex");
  const given = Buffer.from(r.signature, "hex");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** Glues the status of a check when the kernel has a grading key (see the top of this file). */
export function recordCheck(exercise: { id: string; title: string; definedIn: string }, result: { status: "not-attempted" | "incorrect" | "correct"; category?: string }): void {
  const key = config().gradeKey;
  if (!key) return;
  const status: GradedStatus = result.status === "correct" ? (solutionsShown.has(exercise.id) ? "used-solution" : "correct") : result.status === "incorrect" ? "wrong" : "not-attempted";
  const record = statusRecord(key, { id: exercise.id, title: exercise.title, status, category: status === "wrong" ? (result.category ?? "wrong value") : null, definedIn: exercise.definedIn });
  glue(`${STATUS_SCRAP_PREFIX}${exercise.id}`, record);
}
