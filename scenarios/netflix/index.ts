/** de-workbook/netflix: the Netflix ratings scenario: loaders, generator, producer, processing, consumers, oracle. */
export { parseRating, readRatings, readRatingLines, ratingFiles, dayMs, ratingLine, RATING_HEADER } from "./ratings";
export type { Rating, ParsedRating } from "./ratings";
export { readTitles, parseTitles, writeTitles, encodeWindows1250 } from "./titles";
export type { Title } from "./titles";
export { generateSample, writeSample, writeRatingParts, writeCombinedData, seededRandom } from "./generate";
export type { GenerateOptions, Sample } from "./generate";
export { replayRatings, sendLines } from "./producer";
export type { ReplayOptions, ReplayResult, ReplayClock } from "./producer";
export { startNetflixProcessor, netflixEngineOptions, createMovieRatingsTable, toMovieRatingRows, toAnomalies, anomalyKey, RATINGS_QUERY, ANOMALIES_QUERY } from "./pipeline";
export type { NetflixMode, AnomalyRule, MovieRatingRow, Anomaly, NetflixProcessor, NetflixProcessorOptions } from "./pipeline";
export { latestWindows, allWindows, pollLatestWindows, readAnomalies } from "./consumers";
export { batchRecompute, compareWithOracle, movieRatingLines, anomalyLines } from "./oracle";
export type { OracleResult } from "./oracle";
export { startNetflixRun, showLatestWindows, topMoviesChart, NETFLIX_SAMPLE } from "./scenario";
export type { NetflixRun, NetflixRunOptions } from "./scenario";
export { netflixExercises, distinctRejectReasons, BUSIEST_WINDOW_SQL } from "./exercises";
export type { NetflixExercises } from "./exercises";
