/**
 * The matches: vega-datasets' football.json (6,508 league matches of five European leagues,
 * 2013-14 to 2016-17) validated record by record, then loaded into the warehouse. A record that
 * cannot be a played match becomes a row of the rejected table, with the reason; nothing
 * disappears: records in = matches loaded + records rejected.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { WorkbookError } from "../../lib/errors";
import { projectRoot } from "../../lib/paths";
import type { TableSchema, Warehouse } from "../../lib/warehouse/warehouse";

/** A record as it comes, in football.json's fields (anything may be wrong with it). A type, not an interface, so it is a plain row for show(). */
export type RawMatch = {
  date?: unknown;
  division?: unknown;
  home_team?: unknown;
  away_team?: unknown;
  home_score?: unknown;
  away_score?: unknown;
};

/** A valid match, as loaded. */
export interface Match {
  /** The season it belongs to, "2015-16" (a season starts in July). */
  season: string;
  division: string;
  match_date: string;
  home_team: string;
  away_team: string;
  home_score: number;
  away_score: number;
}

export type ValidatedMatch = { ok: true; match: Match } | { ok: false; reason: string };

export const TABLES = { matches: "football_matches", rejected: "football_rejected", teams: "football_teams" } as const;

export const SCHEMAS: Record<keyof typeof TABLES, TableSchema> = {
  matches: {
    columns: [
      { name: "season", type: "STRING", mode: "REQUIRED" },
      { name: "division", type: "STRING", mode: "REQUIRED" },
      { name: "match_date", type: "DATE", mode: "REQUIRED" },
      // the day as a TIMESTAMP (midnight UTC): data-quality checks pick a data interval by it (BigQuery compares no DATE with a TIMESTAMP)
      { name: "match_time", type: "TIMESTAMP", mode: "REQUIRED" },
      { name: "home_team", type: "STRING", mode: "REQUIRED" },
      { name: "away_team", type: "STRING", mode: "REQUIRED" },
      { name: "home_score", type: "INT64", mode: "REQUIRED" },
      { name: "away_score", type: "INT64", mode: "REQUIRED" },
    ],
    clusterBy: ["division", "season"],
  },
  teams: {
    columns: [
      { name: "season", type: "STRING", mode: "REQUIRED" },
      { name: "division", type: "STRING", mode: "REQUIRED" },
      { name: "team", type: "STRING", mode: "REQUIRED" },
    ],
  },
  rejected: {
    columns: [
      { name: "record_no", type: "INT64", mode: "REQUIRED" },
      { name: "reason", type: "STRING", mode: "REQUIRED" },
      { name: "record", type: "STRING", mode: "REQUIRED" },
    ],
  },
};

/** The season of a day "YYYY-MM-DD": July to June, e.g. "2015-16". */
export function seasonOf(day: string): string {
  const year = Number(day.slice(0, 4));
  const start = Number(day.slice(5, 7)) >= 7 ? year : year - 1;
  return `${start}-${String((start + 1) % 100).padStart(2, "0")}`;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function isDay(value: unknown): value is string {
  if (typeof value !== "string" || !DAY.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** Validates one record: a match or the reason it is rejected. Pure. */
export function validateMatch(raw: RawMatch): ValidatedMatch {
  if (!isDay(raw.date)) return { ok: false, reason: `date ${JSON.stringify(raw.date)} is not a day YYYY-MM-DD` };
  const division = text(raw.division);
  if (!division) return { ok: false, reason: "division is missing" };
  const home = text(raw.home_team);
  const away = text(raw.away_team);
  if (!home) return { ok: false, reason: "home_team is missing" };
  if (!away) return { ok: false, reason: "away_team is missing" };
  if (home === away) return { ok: false, reason: `${home} cannot play itself` };
  for (const side of ["home_score", "away_score"] as const) {
    const v = raw[side];
    if (v === null || v === undefined) return { ok: false, reason: `${side} is missing (match not played?)` };
    if (typeof v !== "number" || !Number.isInteger(v)) return { ok: false, reason: `${side} ${JSON.stringify(v)} is not a whole number` };
    if (v < 0) return { ok: false, reason: `${side} ${v} is negative` };
  }
  return {
    ok: true,
    match: { season: seasonOf(raw.date), division, match_date: raw.date, home_team: home, away_team: away, home_score: raw.home_score as number, away_score: raw.away_score as number },
  };
}

/** Where football.json is: in the vega-datasets package. */
export function footballFile(): string {
  return path.join(projectRoot, "node_modules", "vega-datasets", "data", "football.json");
}

/** Reads football.json (or `file`): an array of records. */
export function readFootball(file = footballFile()): RawMatch[] {
  if (!fs.existsSync(file)) throw new WorkbookError("INPUT_MISSING", `${file} does not exist; run "npm install" (the data come with the vega-datasets package) or pass the path of a football.json.`);
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
  if (!Array.isArray(data)) throw new WorkbookError("INPUT_INVALID", `${file} is not a JSON array of matches.`);
  return data as RawMatch[];
}

/**
 * Bad records planted in the input, always the same ones at the same places, so the rejected
 * table shows each kind of fault (the real file has its own: four matches without a score).
 */
export const INJECTED: { at: number; record: RawMatch }[] = [
  { at: 100, record: { date: "2013-09-31", division: "Serie A", home_team: "Roma", away_team: "Lazio", home_score: 2, away_score: 1 } },
  { at: 1200, record: { date: "2014-03-15", division: "English Premier League", home_team: "", away_team: "Arsenal", home_score: 0, away_score: 2 } },
  { at: 2500, record: { date: "2015-01-17", division: "Primera Division", home_team: "Sevilla FC", away_team: "Valencia CF", home_score: -1, away_score: 0 } },
  { at: 3700, record: { date: "2015-10-24", division: "Deutsche Bundesliga", home_team: "FC Bayern München", away_team: "1. FC Köln", home_score: 4, away_score: 0.5 } },
  { at: 5000, record: { date: "2016-11-05", division: "Serie A", home_team: "Juventus", away_team: "Juventus", home_score: 1, away_score: 1 } },
];

/** The records with the INJECTED ones inserted at their places (a new array). */
export function withInjected(records: RawMatch[]): RawMatch[] {
  const out = [...records];
  for (const { at, record } of [...INJECTED].sort((a, b) => a.at - b.at)) out.splice(Math.min(at, out.length), 0, record);
  return out;
}

export interface RejectedRecord {
  record_no: number;
  reason: string;
  record: string;
}

export interface LoadMatchesResult {
  /** Records read. */
  input: number;
  /** Matches loaded. */
  ok: number;
  rejected: RejectedRecord[];
}

/** Splits records into matches and rejected records (with their 0-based number in the input). */
export function validateMatches(records: RawMatch[]): { matches: Match[]; rejected: RejectedRecord[] } {
  const matches: Match[] = [];
  const rejected: RejectedRecord[] = [];
  records.forEach((raw, i) => {
    const v = validateMatch(raw ?? {});
    if (v.ok) matches.push(v.match);
    else rejected.push({ record_no: i, reason: v.reason, record: JSON.stringify(raw) });
  });
  return { matches, rejected };
}

/**
 * The clubs of each league-season, the dimension the matches refer to: in a league every club plays
 * half its matches at home, so the clubs are the teams that hosted a match. (An away team that is
 * not one of them is a misspelt name or a match filed under the wrong league.)
 */
export function clubsOf(matches: readonly Match[]): { season: string; division: string; team: string }[] {
  const seen = new Map<string, { season: string; division: string; team: string }>();
  for (const m of matches) seen.set(`${m.season}\u0000${m.division}\u0000${m.home_team}`, { season: m.season, division: m.division, team: m.home_team });
  return [...seen.values()].sort((a, b) => a.season.localeCompare(b.season) || a.division.localeCompare(b.division) || a.team.localeCompare(b.team));
}

/**
 * Validates `records` and loads them: the matches into football_matches, their clubs into
 * football_teams, the rejected records into football_rejected. Each load replaces its whole table
 * (TRUNCATE): the input is one file, so re-running the load gives the same tables, never twice the rows.
 */
export async function loadMatches(wh: Warehouse, records: RawMatch[]): Promise<LoadMatchesResult> {
  const { matches, rejected } = validateMatches(records);
  await wh.createTable(TABLES.matches, SCHEMAS.matches);
  await wh.createTable(TABLES.teams, SCHEMAS.teams);
  await wh.createTable(TABLES.rejected, SCHEMAS.rejected);
  await wh.loadRows(TABLES.matches, matches.map((m) => ({ ...m, match_time: new Date(`${m.match_date}T00:00:00Z`) })), { write: "TRUNCATE" });
  await wh.loadRows(TABLES.teams, clubsOf(matches), { write: "TRUNCATE" });
  await wh.loadRows(TABLES.rejected, rejected as unknown as Record<string, unknown>[], { write: "TRUNCATE" });
  return { input: records.length, ok: matches.length, rejected };
}

/** The rejected records in the warehouse, by their number in the input, with the reason. */
export async function readRejectedRecords(wh: Warehouse): Promise<{ record_no: number; reason: string; record: string }[]> {
  const r = await wh.query<{ record_no: number; reason: string; record: string }>(`SELECT record_no, reason, record FROM ${TABLES.rejected} ORDER BY record_no`);
  return r.rows.map((x) => ({ record_no: Number(x.record_no), reason: x.reason, record: x.record }));
}

/** The number of matches in the warehouse's table. */
export async function countMatches(wh: Warehouse): Promise<number> {
  return Number((await wh.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${TABLES.matches}`)).rows[0]?.n ?? 0);
}
