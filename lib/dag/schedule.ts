/**
 * Schedules, logical dates and data intervals, in UTC (croner). A run's logical date is the start
 * of its data interval [start, end); a scheduled run starts once its interval has ended, so the
 * @daily run of 2024-01-01 reads 2024-01-01 and runs just after midnight on 2024-01-02.
 */
import { Cron } from "croner";
import { WorkbookError } from "../errors";

/** "@hourly", "@daily", "@weekly", "@monthly", "@once", a five-field cron expression (UTC), or null (manual runs only). */
export type ScheduleSpec = "@hourly" | "@daily" | "@weekly" | "@monthly" | "@once" | (string & {}) | null;

/** The cron expression behind each preset, as in Airflow. */
export const SCHEDULE_PRESETS: Readonly<Record<string, string>> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
};

/** A parsed schedule: a cron expression, once (at the start date), or none (manual runs only). */
export type Schedule =
  | { kind: "cron"; text: string; cron: Cron }
  | { kind: "once"; text: "@once" }
  | { kind: "none"; text: null };

/** The data a run reads: from `start` (its logical date, included) to `end` (excluded). */
export interface DataInterval {
  start: Date;
  end: Date;
}

/** What the schedule functions need to know of a DAG. */
export interface Scheduled {
  id: string;
  schedule: Schedule;
  startDate: Date;
  endDate?: Date;
  catchup: boolean;
}

/** At most this many runs from one backfill or catch-up. */
export const MAX_RUNS = 10_000;

/** Parses a schedule, or throws DAG_SCHEDULE_INVALID quoting it. */
export function parseSchedule(value: unknown): Schedule {
  if (value === null || value === undefined) return { kind: "none", text: null };
  if (value === "@once") return { kind: "once", text: "@once" };
  const text = typeof value === "string" ? value.trim() : "";
  const expr = SCHEDULE_PRESETS[text] ?? text;
  const fix = `use "@hourly", "@daily", "@weekly", "@monthly", "@once", null, or five cron fields "minute hour day-of-month month day-of-week" in UTC, e.g. "30 6 * * 1-5"`;
  if (typeof value !== "string" || expr.split(/\s+/).length !== 5) {
    throw new WorkbookError("DAG_SCHEDULE_INVALID", `Schedule ${JSON.stringify(value)} is not a schedule; ${fix}.`);
  }
  try {
    return { kind: "cron", text, cron: new Cron(expr, { timezone: "UTC", paused: true }) };
  } catch (err) {
    throw new WorkbookError("DAG_SCHEDULE_INVALID", `Schedule ${JSON.stringify(value)} is not a valid cron expression (${(err as Error).message}); ${fix}.`, { cause: err });
  }
}

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:\d{2})?$/;

/** A Date from a Date or ISO text ("2024-01-31", "2024-01-31T06:00", "...Z", "...+00:00"); text without a zone is UTC. */
export function toDate(value: Date | string, what = "date"): Date {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return new Date(value.getTime());
  const m = typeof value === "string" ? DATE_TEXT.exec(value.trim()) : null;
  if (m) {
    const [, y, mo, d, time, zone] = m;
    const parsed = new Date(`${y}-${mo}-${d}T${time ?? "00:00"}${zone ?? "Z"}`);
    const sameDay = zone !== undefined || (parsed.getUTCMonth() + 1 === Number(mo) && parsed.getUTCDate() === Number(d));
    if (!Number.isNaN(parsed.getTime()) && sameDay) return parsed;
  }
  throw new WorkbookError("DAG_DATE_INVALID", `The ${what} ${JSON.stringify(value instanceof Date ? String(value) : value)} is not a date; write it as 2024-01-31 or 2024-01-31T06:00:00Z (UTC).`);
}

/** A date as short ISO text: 2024-01-31T06:00:00Z. */
export function isoDate(date: Date): string {
  return date.toISOString().replace(".000Z", "Z");
}

function cronOf(schedule: Schedule): Cron | undefined {
  return schedule.kind === "cron" ? schedule.cron : undefined;
}

/** The first fire time at or after `date`. */
function atOrAfter(cron: Cron, date: Date): Date | undefined {
  return cron.nextRun(new Date(date.getTime() - 1)) ?? undefined;
}

/** The last fire time at or before `date`. */
function atOrBefore(cron: Cron, date: Date): Date | undefined {
  const next = atOrAfter(cron, date);
  if (next && next.getTime() === date.getTime()) return next;
  return cron.previousRuns(1, date)[0];
}

function after(cron: Cron, date: Date): Date {
  const next = cron.nextRun(date);
  if (!next) throw new WorkbookError("DAG_SCHEDULE_INVALID", `Cron expression ${JSON.stringify(cron.getPattern())} has no time after ${isoDate(date)}; use a schedule that repeats.`);
  return next;
}

/** The logical date of a DAG's first run: its start date, or the first fire time at or after it. */
export function firstLogicalDate(dag: Scheduled): Date {
  const cron = cronOf(dag.schedule);
  if (!cron) return dag.startDate;
  const first = atOrAfter(cron, dag.startDate);
  if (!first) throw new WorkbookError("DAG_SCHEDULE_INVALID", `Schedule ${JSON.stringify(dag.schedule.text)} of DAG ${JSON.stringify(dag.id)} never fires after its start date ${isoDate(dag.startDate)}; fix the schedule or the start date.`);
  return first;
}

/**
 * The data interval of the run at `logicalDate`. A date inside an interval means that interval (the
 * @daily run of "2024-01-02T15:00" is the one of 2024-01-02). @once and null schedules: [date, date].
 * Throws DAG_DATE_INVALID for a date before the DAG's first run or after its end date.
 */
export function dataIntervalFor(dag: Scheduled, logicalDate: Date | string): DataInterval {
  const date = toDate(logicalDate, "logical date");
  const cron = cronOf(dag.schedule);
  const start = cron ? atOrBefore(cron, date) : date;
  const first = firstLogicalDate(dag);
  if (!start || start < first || date < dag.startDate) {
    throw new WorkbookError("DAG_DATE_INVALID", `Logical date ${isoDate(date)} of DAG ${JSON.stringify(dag.id)} is before its start date ${isoDate(dag.startDate)}; use ${isoDate(first)} (its first run) or later.`);
  }
  if (dag.endDate && start > dag.endDate) {
    throw new WorkbookError("DAG_DATE_INVALID", `Logical date ${isoDate(date)} of DAG ${JSON.stringify(dag.id)} is after its end date ${isoDate(dag.endDate)}; use an earlier date or move endDate.`);
  }
  return { start, end: cron ? after(cron, start) : start };
}

/** Data intervals whose logical date is in [from, to] (both included, as Airflow's backfill), within the DAG's start and end dates. */
export function runsBetween(dag: Scheduled, from: Date | string, to: Date | string): DataInterval[] {
  const lo = toDate(from, "from date");
  const hi = toDate(to, "to date");
  if (lo > hi) throw new WorkbookError("DAG_DATE_INVALID", `The range ${isoDate(lo)} to ${isoDate(hi)} ends before it starts; swap --from and --to.`);
  const cron = cronOf(dag.schedule);
  if (!cron) {
    if (dag.schedule.kind === "none") throw new WorkbookError("DAG_SCHEDULE_INVALID", `DAG ${JSON.stringify(dag.id)} has no schedule (null), so it has no intervals to backfill; run it for one logical date instead.`);
    return dag.startDate >= lo && dag.startDate <= hi ? [{ start: dag.startDate, end: dag.startDate }] : [];
  }
  const first = firstLogicalDate(dag);
  const last = dag.endDate && dag.endDate < hi ? dag.endDate : hi;
  return intervals(dag, cron, lo > first ? lo : first, (start) => start <= last);
}

function intervals(dag: Scheduled, cron: Cron, from: Date, keep: (start: Date, end: Date) => boolean): DataInterval[] {
  const out: DataInterval[] = [];
  let start = atOrAfter(cron, from);
  while (start) {
    const end = after(cron, start);
    if (!keep(start, end)) break;
    if (out.length >= MAX_RUNS) throw new WorkbookError("DAG_DATE_INVALID", `DAG ${JSON.stringify(dag.id)} would need more than ${MAX_RUNS} runs from ${isoDate(from)}; use a shorter range or a later start date.`);
    out.push({ start, end });
    start = end;
  }
  return out;
}

/**
 * The intervals a scheduler would run at `now`: those that have ended (end <= now). With catchup,
 * every one after `lastLogicalDate` (or since the first run); without, only the latest, if it has
 * not run yet. @once: the start date, once; null: none.
 */
export function dueIntervals(dag: Scheduled, now: Date, lastLogicalDate?: Date): DataInterval[] {
  const cron = cronOf(dag.schedule);
  if (!cron) {
    return dag.schedule.kind === "once" && !lastLogicalDate && now >= dag.startDate ? [{ start: dag.startDate, end: dag.startDate }] : [];
  }
  const first = firstLogicalDate(dag);
  const inRange = (start: Date, end: Date): boolean => end <= now && (!dag.endDate || start <= dag.endDate);
  if (dag.catchup) {
    const from = lastLogicalDate && lastLogicalDate >= first ? after(cron, lastLogicalDate) : first;
    return intervals(dag, cron, from, inRange);
  }
  const latestEnd = atOrBefore(cron, now);
  let start = latestEnd ? cron.previousRuns(1, latestEnd)[0] : undefined;
  if (start && dag.endDate && start > dag.endDate) start = atOrBefore(cron, dag.endDate);
  if (!start || start < first || (lastLogicalDate && start <= lastLogicalDate)) return [];
  const end = after(cron, start);
  return end <= now ? [{ start, end }] : [];
}
