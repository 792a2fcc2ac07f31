/** de-workbook/football: league matches in SQL: tables, standings race, home advantage, Pythagorean expectation, Elo. */
export { TABLES, SCHEMAS, INJECTED, seasonOf, validateMatch, validateMatches, readFootball, footballFile, withInjected, loadMatches, clubsOf, readRejectedRecords, countMatches } from "./matches";
export type { RawMatch, Match, ValidatedMatch, RejectedRecord, LoadMatchesResult } from "./matches";
export { LEAGUE_TABLE_SQL, POSITIONS_SQL, HOME_ADVANTAGE_SQL, TEAM_SEASONS_SQL, MATCHES_IN_ORDER_SQL, leagueTable, positions, homeAdvantage, seasons } from "./standings";
export type { LeagueRow, PositionRow, HomeAdvantageRow } from "./standings";
export { pythagorean, squaredError, fitExponent, teamSeasons, expectedPoints, withExpectation, luckSummary, pointsHandedOut } from "./pythagorean";
export type { TeamSeason, PythagoreanRow, FitOptions, Expectation, LuckSummary, PointsHandedOut } from "./pythagorean";
export { eloRatings, expectedResult, divisionElo } from "./elo";
export type { EloMatch, EloOptions, EloPoint, EloResult } from "./elo";
export { standingsRaceChart, eloChart } from "./scenario";
export { footballExercises, luckOverSeasons, POINTS_SQL, GOALLESS_SQL } from "./exercises";
export type { FootballExercises } from "./exercises";
export { footballChecks, DIVISIONS, SEASON_END_LAG_HOURS, HOME_SCORE_DRIFT_PSI, seasonInterval, runFootballChecks, checksBySeason, footballResults, plantDuplicateMatch } from "./quality";
