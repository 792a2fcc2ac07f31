/** lib/classroom: hand out learner copies of notebooks, grade the submissions, a gradebook and a report. */

// Hand-outs
export { handout, learnerCopy, readManifest, readStamp, MANIFEST_FILE, DEFAULT_TIMEOUT_SECONDS } from "./handout";
export type { HandoutManifest, HandoutNotebook, HandoutExercise, HandoutStamp, HandoutOptions } from "./handout";

// Grading
export { grade } from "./grade";
export type { ExerciseGrade, RunStatus, GradebookRow, GradedSubmission, GradeOptions, GradeResult } from "./grade";
export { findSubmissions, learnerName } from "./submissions";
export type { SubmittedFile } from "./submissions";

// The gradebook and the report
export { gradebookCsv, GRADEBOOK_COLUMNS, GRADEBOOK_FILE } from "./gradebook";
export { reportHtml, REPORT_FILE } from "./report";
export { summarise } from "./summary";
export type { ExerciseSummary } from "./summary";
