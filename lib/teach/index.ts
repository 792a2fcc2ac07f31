/** lib/teach: exercises with check(), hint() and solution() (see ./exercise.ts). */
export { exercise, exerciseSet, PLACEHOLDER } from "./exercise";
export type { CheckResult, CheckStatus, Exercise, ExerciseSpec } from "./exercise";
// what `workbook grade` reads: a signed status per check when the kernel has a grading key
export { STATUS_SCRAP_PREFIX, DEFINED_IN_NOTEBOOK, verifyStatusRecord, statusRecord, nudgeCategory } from "./record";
export type { GradedStatus, StatusRecord } from "./record";
