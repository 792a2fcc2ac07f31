/**
 * de-workbook: the one import path for notebooks (`import { ... } from "de-workbook"`).
 * Heavy engines (DuckDB, kafkajs, sharp, vega) load lazily inside the functions that need them,
 * so importing this module is quick.
 */

// Configuration and errors
export { config, readConfig } from "./config";
export type { WorkbookConfig } from "./config";
export { WorkbookError, isWorkbookError } from "./errors";
export { projectRoot } from "./paths";
