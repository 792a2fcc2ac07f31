/**
 * Exercises that check themselves (Kaggle Learn's model): `check(answer)` tells "not attempted"
 * (the placeholder is still there), "incorrect" (with the learner's value and a nudge, never the
 * expected value) and "correct" apart; `hint(n)` gives hints in layers (the concept, then the API,
 * then the approach); `solution()` gives the reference answer, computed by tested reference code.
 *
 *   const ex = exercise({ id: "plays-per-level", title: "...", hints: [...],
 *     solution: () => REFERENCE_SQL, expected: () => runReference(), compare: sameRows, value: runAnswer });
 *   await ex.check(PLACEHOLDER);      // in the notebook: "not attempted yet"
 *
 * A notebook reaches its exercises through one variable (`const ex = webLogsExercises(wh)`):
 * `exerciseSet` names each exercise after the expression that reaches it (`ex.topConversion`), so the
 * calls its messages suggest (`ex.topConversion.hint()`) run as printed.
 */
import { escapeHtml, publish } from "../display/output";
import { callerLocation, noteSolutionShown, nudgeCategory, recordCheck } from "./record";

/** A placeholder answer: `check()` reports it as not attempted. */
export const PLACEHOLDER = undefined;

export type CheckStatus = "not-attempted" | "incorrect" | "correct";

export interface CheckResult {
  status: CheckStatus;
  message: string;
  /** For an incorrect answer: what kind of wrong (the nudge with numbers blanked, or "did not run"), for a class's report. */
  category?: string;
}

export interface ExerciseSpec<A, V = A> {
  /** A short stable id, e.g. "plays-per-hour". */
  id: string;
  title: string;
  /** Hints in layers: the concept, then the API, then the approach. */
  hints: string[];
  /** The reference answer (an answer a learner could have written). */
  solution: () => A | Promise<A>;
  /** What an answer evaluates to: the answer itself by default; e.g. the rows a SQL answer returns. */
  evaluate?: (answer: A) => V | Promise<V>;
  /** The expected value, computed from the data by the reference code. */
  expected: () => V | Promise<V>;
  /** True when a value is right. Default: deep equality of the JSON forms. */
  compare?: (value: V, expected: V) => boolean;
  /** A nudge for an incorrect value (it may look at the value, or compute what a typical slip gives; never quote the expected one). */
  nudge?: (value: V) => string | Promise<string>;
  /** How a value is shown back to the learner. Default: JSON, cut at 300 characters. */
  show?: (value: V) => string;
  /**
   * The expression that reaches this exercise in the notebook, e.g. `ex.points`: the messages
   * suggest `ex.points.hint()`. Set by exerciseSet; without it they say "hint() of this exercise".
   */
  ref?: string;
}

export interface Exercise<A> {
  readonly id: string;
  readonly title: string;
  /** Checks an answer and shows the verdict (in a notebook as a coloured box). */
  check(answer: A | undefined): Promise<CheckResult>;
  /** Checks quietly (for tests and for scraps). */
  verdict(answer: A | undefined): Promise<CheckResult>;
  /** Shows hint `n` (1-based; default: the next one) and returns its text. */
  hint(n?: number): string;
  /** Shows and returns the reference answer. */
  solution(): Promise<A>;
  /** The expected value, without showing it (for tests that check a notebook never shows it above the exercise). */
  expected(): Promise<unknown>;
  /** The same exercise, reached in the notebook through `ref` (e.g. `ex.points`); see exerciseSet. */
  named(ref: string): Exercise<A>;
}

const COLOURS: Record<CheckStatus, string> = { "not-attempted": "#6c757d", incorrect: "#b3261e", correct: "#1e7d32" };
const LABELS: Record<CheckStatus, string> = { "not-attempted": "Not attempted yet", incorrect: "Not yet", correct: "Correct" };

function defaultShow(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

function say(id: string, status: CheckStatus, message: string): void {
  const text = `[${id}] ${LABELS[status]}: ${message}`;
  publish({
    "text/plain": text,
    "text/html": `<div style="border-left:4px solid ${COLOURS[status]};padding:4px 8px;margin:4px 0"><b style="color:${COLOURS[status]}">${LABELS[status]}</b> <span style="color:#555">(${escapeHtml(id)})</span><br>${escapeHtml(message)}</div>`,
  });
}

/** Creates an exercise. */
export function exercise<A, V = A>(spec: ExerciseSpec<A, V>): Exercise<A> {
  let hintsShown = 0;
  const evaluate = spec.evaluate ?? ((a: A) => a as unknown as V);
  const compare = spec.compare ?? ((v: V, e: V) => JSON.stringify(v) === JSON.stringify(e));
  const show = spec.show ?? defaultShow;
  const definedIn = callerLocation();
  const verdict = async (answer: A | undefined): Promise<CheckResult> => {
    if (answer === undefined || answer === null || (typeof answer === "string" && answer.trim() === "")) {
      const calls = spec.ref ? `${spec.ref}.hint(), run again for the next; the answer: ${spec.ref}.solution()` : "hint() of this exercise";
      return { status: "not-attempted", message: `replace the placeholder with your answer, then run the cell again (${spec.hints.length} hints: ${calls}).` };
    }
    let value: V;
    try {
      value = await evaluate(answer);
    } catch (err) {
      return { status: "incorrect", message: `your answer did not run: ${(err as Error).message.split("\n")[0]}`, category: "did not run" };
    }
    if (compare(value, await spec.expected())) return { status: "correct", message: `${spec.title}: well done.` };
    const nudge = spec.nudge ? ` ${await spec.nudge(value)}` : "";
    return { status: "incorrect", message: `your answer gives ${show(value)}.${nudge} Try again, or ask for a hint.`, category: nudge ? nudgeCategory(nudge) : "wrong value" };
  };
  return {
    id: spec.id,
    title: spec.title,
    verdict,
    async check(answer) {
      const r = await verdict(answer);
      say(spec.id, r.status, r.message);
      recordCheck({ id: spec.id, title: spec.title, definedIn }, r);
      return r;
    },
    hint(n) {
      const i = Math.max(1, Math.min(spec.hints.length, n ?? hintsShown + 1));
      hintsShown = Math.max(hintsShown, i);
      const text = `Hint ${i}/${spec.hints.length}: ${spec.hints[i - 1]}`;
      publish({ "text/plain": text });
      return text;
    },
    async solution() {
      const a = await spec.solution();
      noteSolutionShown(spec.id);
      publish({ "text/plain": `Solution (${spec.id}):\n${typeof a === "string" ? a : JSON.stringify(a, null, 2)}` });
      return a;
    },
    async expected() {
      return spec.expected();
    },
    named(ref) {
      return exercise({ ...spec, ref });
    },
  };
}

/**
 * Names each exercise of a notebook's set after the expression that reaches it, `${variable}.${key}`
 * (default variable: `ex`, as the notebooks write `const ex = ...Exercises(...)`), so the calls its
 * messages suggest run as printed.
 */
export function exerciseSet<T extends Record<string, { named(ref: string): unknown }>>(set: T, variable = "ex"): T {
  return Object.fromEntries(Object.entries(set).map(([key, e]) => [key, e.named(`${variable}.${key}`)])) as T;
}
