/**
 * The source: Palmer Penguins as vega-datasets ships it (`data/penguins.json`, 344 records,
 * BSD-3), with its original column names and its own missing values (null, and "." for one sex).
 * `validatePenguin` decides, record by record, what is loaded, what is rejected and why.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { WorkbookError } from "../../lib/errors";

/** One record of penguins.json, as the file has it. */
export type PenguinRecord = {
  Species: string | null;
  Island: string | null;
  "Beak Length (mm)": number | null;
  "Beak Depth (mm)": number | null;
  "Flipper Length (mm)": number | null;
  "Body Mass (g)": number | null;
  Sex: string | null;
};

/** A row of the `penguins` table. `sex` is null when the record did not say. */
export interface Penguin {
  penguin_id: number;
  species: string;
  island: string;
  bill_length_mm: number;
  bill_depth_mm: number;
  flipper_length_mm: number;
  body_mass_g: number;
  sex: "female" | "male" | null;
}

export const SPECIES = ["Adelie", "Chinstrap", "Gentoo"] as const;
export const ISLANDS = ["Biscoe", "Dream", "Torgersen"] as const;

/** The measurements: source field -> column. */
export const MEASUREMENTS = [
  ["Beak Length (mm)", "bill_length_mm"],
  ["Beak Depth (mm)", "bill_depth_mm"],
  ["Flipper Length (mm)", "flipper_length_mm"],
  ["Body Mass (g)", "body_mass_g"],
] as const;

/** The path of penguins.json in the installed vega-datasets package. */
export function penguinsFile(): string {
  let entry: string;
  try {
    entry = require.resolve("vega-datasets");
  } catch (err) {
    throw new WorkbookError("INPUT_MISSING", "The package vega-datasets is not installed; run `npm install` in the project folder.", { cause: err });
  }
  return path.join(path.dirname(entry), "..", "data", "penguins.json");
}

/** The records of penguins.json (or of `file`), in file order. */
export function readPenguinRecords(file = penguinsFile()): PenguinRecord[] {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new WorkbookError("INPUT_UNREADABLE", `Cannot read the penguins file ${JSON.stringify(file)}: ${(err as Error).message}.`, { cause: err });
  }
  if (!Array.isArray(data)) throw new WorkbookError("INPUT_INVALID", `${JSON.stringify(file)} is not a JSON array of penguin records.`);
  return data as PenguinRecord[];
}

/** True when a source value counts as missing: null, undefined, "" or the original's "." and "NA". */
export function isMissing(value: unknown): boolean {
  return value === null || value === undefined || value === "" || value === "." || value === "NA";
}

/** True when a record has at least one missing value. */
export function hasMissingValue(record: PenguinRecord): boolean {
  return Object.values(record).some(isMissing) || Object.keys(record).length < 7;
}

export type Validated = { ok: true; penguin: Penguin } | { ok: false; reason: string };

/**
 * Validates one record (`id`: its 1-based position in the file, the key).
 * Rejected: an unknown species or island (no label, or a place the model cannot encode) and any
 * missing or non-positive measurement (the features; inventing all four would invent a penguin).
 * Kept: a missing sex (null or "."), stored as NULL; the features call it "unknown".
 */
export function validatePenguin(record: PenguinRecord, id: number): Validated {
  if (typeof record !== "object" || record === null) return { ok: false, reason: "not a JSON object" };
  if (!(SPECIES as readonly unknown[]).includes(record.Species)) return { ok: false, reason: `unknown species ${JSON.stringify(record.Species ?? null)}` };
  if (!(ISLANDS as readonly unknown[]).includes(record.Island)) return { ok: false, reason: `unknown island ${JSON.stringify(record.Island ?? null)}` };
  const missing = MEASUREMENTS.filter(([field]) => isMissing(record[field])).map(([, column]) => column);
  if (missing.length) return { ok: false, reason: `missing ${missing.join(", ")}` };
  const bad = MEASUREMENTS.filter(([field]) => typeof record[field] !== "number" || !Number.isFinite(record[field]) || (record[field] as number) <= 0);
  if (bad.length) return { ok: false, reason: `not a positive number: ${bad.map(([field]) => `${field} = ${JSON.stringify(record[field])}`).join(", ")}` };
  const sex = isMissing(record.Sex) ? null : String(record.Sex).toLowerCase();
  if (sex !== null && sex !== "female" && sex !== "male") return { ok: false, reason: `sex ${JSON.stringify(record.Sex)} is not MALE, FEMALE or missing` };
  return {
    ok: true,
    penguin: {
      penguin_id: id,
      species: record.Species as string,
      island: record.Island as string,
      bill_length_mm: record["Beak Length (mm)"] as number,
      bill_depth_mm: record["Beak Depth (mm)"] as number,
      flipper_length_mm: record["Flipper Length (mm)"] as number,
      body_mass_g: record["Body Mass (g)"] as number,
      sex,
    },
  };
}
