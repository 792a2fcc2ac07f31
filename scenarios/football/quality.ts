/**
 * The checks that guard football_matches, declared with lib/quality: it has rows, no team plays
 * itself, a match is one row per division, day and home team, divisions are the five leagues, scores
 * are whole numbers 0..15, and the home scores' distribution does not drift from the previous load
 * (PSI over 10 bins, threshold 0.2).
 */
import { acceptedValues, drift, notNull, range, sqlCheck, unique, volume, type QualityCheck } from "../../lib/quality";
import { TABLES } from "./matches";

export const DIVISIONS = ["Deutsche Bundesliga", "English Premier League", "Österreichische Bundesliga", "Primera Division", "Serie A"] as const;

export function footballChecks(): QualityCheck[] {
  const table = TABLES.matches;
  return [
    volume({ table, min: 1 }),
    notNull({ table, column: "home_team" }), notNull({ table, column: "away_team" }),
    unique({ table, columns: ["division", "match_date", "home_team"], name: "one row per division, day and home team" }),
    acceptedValues({ table, column: "division", values: [...DIVISIONS] }),
    range({ table, column: "home_score", min: 0, max: 15 }), range({ table, column: "away_score", min: 0, max: 15 }),
    sqlCheck({ table, kind: "schema", name: "no team plays itself", sql: `SELECT COUNT(*) AS n FROM ${table} WHERE home_team = away_team` }),
    drift({ table, column: "home_score", threshold: 0.2 }),
  ];
}
