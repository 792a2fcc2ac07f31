/**
 * What scenarios add to the `workbook` command, without `lib/` importing them: data generators
 * (`workbook data KIND`) and DAGs (`workbook dag ...`). Each scenario's `register.ts` adds its
 * entries with loaders that require the heavy module only when an entry is used; `bin/workbook.js`
 * (the composition root) loads every `register.ts` at start-up.
 */
import { WorkbookError } from "../errors";

/** A CLI command's body: its arguments after the command (and kind) name; returns the exit code. */
export type CommandFn = (argv: string[]) => Promise<number>;

/** `workbook data KIND ...`: a generator of sample data for one scenario. */
export interface DataEntry {
  kind: string;
  scenario: string;
  /** One line for `workbook data --help`. */
  help: string;
  load: () => CommandFn;
}

/** A DAG a scenario defines. `load` returns the DAG object (a `Dag` from lib/dag). */
export interface DagEntry {
  id: string;
  scenario: string;
  description: string;
  load: () => unknown;
}

const dataEntries = new Map<string, DataEntry>();
const dagEntries = new Map<string, DagEntry>();

function add<T extends { scenario: string }>(map: Map<string, T>, key: string, entry: T, what: string): void {
  const existing = map.get(key);
  if (existing && existing.scenario !== entry.scenario) {
    throw new WorkbookError("OPTIONS_INVALID", `${what} ${JSON.stringify(key)} is registered by both ${existing.scenario} and ${entry.scenario}; rename one of them.`);
  }
  map.set(key, entry);
}

export function registerData(entry: DataEntry): void {
  add(dataEntries, entry.kind, entry, "data kind");
}

export function registerDag(entry: DagEntry): void {
  add(dagEntries, entry.id, entry, "DAG");
}

export function dataKinds(): DataEntry[] {
  return [...dataEntries.values()].sort((a, b) => a.kind.localeCompare(b.kind));
}

export function registeredDags(): DagEntry[] {
  return [...dagEntries.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The registered DAG entry `id`, or a DAG_NOT_FOUND error listing the ones there are. */
export function findDagEntry(id: string): DagEntry {
  const entry = dagEntries.get(id);
  if (!entry) {
    const known = registeredDags().map((d) => d.id);
    throw new WorkbookError("DAG_NOT_FOUND", `No DAG ${JSON.stringify(id)}; the DAGs are: ${known.length ? known.join(", ") : "(none registered)"}. \`workbook dag list\` lists them.`);
  }
  return entry;
}

/** Empties the registry (tests). */
export function clearRegistry(): void {
  dataEntries.clear();
  dagEntries.clear();
  qualityEntries.clear();
}

/** A scenario's declared quality checks (`workbook quality export-dbt SCENARIO`). `load` returns QualityCheck[] (lib/quality). */
export interface QualityEntry {
  scenario: string;
  load: () => unknown;
}

const qualityEntries = new Map<string, QualityEntry>();

export function registerQuality(entry: QualityEntry): void {
  add(qualityEntries, entry.scenario, entry, "quality checks of scenario");
}

export function registeredQuality(): QualityEntry[] {
  return [...qualityEntries.values()].sort((a, b) => a.scenario.localeCompare(b.scenario));
}
