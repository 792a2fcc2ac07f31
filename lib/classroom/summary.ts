/** A class's results per exercise: how many learners got it right, and the most common wrong answer category. */
import type { ExerciseGrade, GradebookRow } from "./grade";

export interface ExerciseSummary {
  notebook: string;
  exercise: string;
  title: string;
  /** Learners with a row for this exercise. */
  learners: number;
  counts: Record<ExerciseGrade, number>;
  /** correct / learners (0 when there are none). */
  shareCorrect: number;
  /** The category most wrong answers fall in, and how many (null without wrong answers). */
  commonWrong: { category: string; count: number } | null;
}

const GRADES: ExerciseGrade[] = ["correct", "wrong", "not-attempted", "used-solution", "error", "timeout", "invalid"];

/** One summary per notebook and exercise, in the order they first appear in `rows` (rows without an exercise are skipped). */
export function summarise(rows: GradebookRow[]): ExerciseSummary[] {
  const by = new Map<string, GradebookRow[]>();
  for (const r of rows) {
    if (!r.exercise) continue;
    const key = JSON.stringify([r.notebook, r.exercise]);
    by.set(key, [...(by.get(key) ?? []), r]);
  }
  return [...by.values()].map((group) => {
    const counts = Object.fromEntries(GRADES.map((g) => [g, group.filter((r) => r.status === g).length])) as Record<ExerciseGrade, number>;
    const wrong = new Map<string, number>();
    for (const r of group) if (r.status === "wrong") wrong.set(r.category || "wrong value", (wrong.get(r.category || "wrong value") ?? 0) + 1);
    const top = [...wrong.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
    return {
      notebook: group[0].notebook, exercise: group[0].exercise, title: group.find((r) => r.title)?.title ?? "",
      learners: group.length, counts, shareCorrect: group.length ? counts.correct / group.length : 0,
      commonWrong: top ? { category: top[0], count: top[1] } : null,
    };
  });
}
