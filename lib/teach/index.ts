/** lib/teach: exercises with check(), hint() and solution() (see ./exercise.ts). */
export { exercise, exerciseSet, PLACEHOLDER } from "./exercise";
export type { CheckResult, CheckStatus, Exercise, ExerciseSpec } from "./exercise";
