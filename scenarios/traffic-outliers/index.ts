/** de-workbook/traffic-outliers: hourly departures per airport, outliers detected on the stream, alerts on a topic, evaluation. */
export { loadTraffic, readSeries, readAirports, airportNames, hourlySql, vegaFile, TABLES, FLIGHTS_SCHEMA, AIRPORTS_SCHEMA, HOURLY_SCHEMA } from "./series";
export type { Airport, LoadTrafficResult } from "./series";
export { createDetector, medianOf, DETECTOR_DEFAULTS, DETECTOR_KINDS, HOUR_MS, WEEK_HOURS } from "./detectors";
export type { Detector, DetectorKind, DetectorOptions, Scored, SeriesState } from "./detectors";
export { alertRule, initAlertState, stepAlert, alertKey, alertDelayHours, ALERT_DEFAULTS } from "./alerts";
export type { AlertMessage, AlertRule, AlertState } from "./alerts";
export { detect, scoreSeries, alertsFromScores, byAirport, sortMessages } from "./detect";
export type { Detection, Point } from "./detect";
export { injectAnomalies, ANOMALY_KINDS } from "./inject";
export type { Anomaly, AnomalyKind, InjectOptions, Injected, LabelledPoint } from "./inject";
export { evaluate, matches } from "./evaluate";
export type { Evaluation } from "./evaluate";
export { parsePoint, pointMessage, detectorSink, startTrafficDetector, HOURLY_QUERY } from "./stream";
export type { DetectorSink, DetectorSinkOptions, TrafficDetector, TrafficDetectorOptions } from "./stream";
export { replayPoints } from "./producer";
export type { ReplayPointsOptions, ReplayPointsResult } from "./producer";
export { readAlerts, printAlerts, alertLine, followAlerts } from "./consumer";
