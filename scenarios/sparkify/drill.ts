/**
 * A fault planted on a separate run, so the main results do not change (issue 27): the star schema
 * and the staged events are copied into an in-memory warehouse, one songplay is added there whose
 * user is missing from the users dimension (with its staged event, so the plays still reconcile),
 * and the Sparkify checks run as a daily DAG over the last days of the interval on that copy
 * (`quality_checks`, then `publish_star`), its runs kept in an in-memory store. The days before the
 * fault pass; the day of the fault stops at `quality_checks` (DAG_QUALITY_FAILED), and
 * `publish_star` never runs.
 */
import { defineDag, runDag, task, type Dag, type DagRun } from "../../lib/dag";
import { openDagStore } from "../../lib/dag/store";
import { isWorkbookError } from "../../lib/errors";
import { assertChecks, qualityTask, warehouseTarget, type PlantedFault, type QualityTarget } from "../../lib/quality";
import { openSql } from "../../lib/sql";
import { openWarehouse } from "../../lib/warehouse";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import { asResults, qualityChecks } from "./quality";
import { createTables, TABLES, type Interval } from "./star-schema";

export const DRILL_DAG_ID = "sparkify_quality_drill";
/** The check the planted fault must trip. */
export const DRILL_CHECK = `every user_id exists in ${TABLES.users}`;

export interface QualityDrill {
  dag: Dag;
  /** One run per day, oldest first; the last is the day of the fault. */
  runs: DagRun[];
  /** The copy's checks and results (for showCheckHistory / showScorecard). */
  target: QualityTarget;
  /** What was planted, the check that must catch it, and that day's results (for qualitySummary). */
  planted: PlantedFault & { userId: string; day: string };
  /** The error the quality task stopped the run with, if it did. */
  stopped?: { code: string; message: string };
  /** Closes the copy and the drill's store. */
  close(): Promise<void>;
}

const COPIED = [TABLES.songplays, TABLES.users, TABLES.songs, TABLES.artists, TABLES.time, TABLES.stagingEvents] as const;

/** Runs the drill over the last `days` days of `interval` that have plays (default 5). The warehouse `wh` is only read. */
export async function qualityDrill(wh: Warehouse, interval: Interval, options: { days?: number } = {}): Promise<QualityDrill> {
  const copy = await openWarehouse({ memory: true });
  const db = await openSql({ memory: true });
  const store = await openDagStore({ db });
  const close = async () => {
    await store.close();
    await db.close();
    await copy.close();
  };
  try {
    await createTables(copy);
    for (const table of COPIED) {
      const rows = (await wh.query(`SELECT * FROM ${table}`)).rows;
      if (rows.length > 0) await copy.loadRows(table, rows);
    }
    const start = new Date(interval.start);
    const end = new Date(interval.end);
    const days = (await copy.query<{ day: string }>(`SELECT DISTINCT CAST(CAST(start_time AS DATE) AS VARCHAR) AS day FROM ${TABLES.songplays} WHERE start_time >= @start AND start_time < @end ORDER BY day DESC LIMIT ${Math.max(1, Math.floor(options.days ?? 5))}`,
      { start, end }, { types: { start: "TIMESTAMP", end: "TIMESTAMP" } })).rows.map((r) => String(r.day)).reverse();
    if (days.length === 0) days.push(interval.start.slice(0, 10));
    const day = days[days.length - 1];

    // The fault: the day's last play again, by a user id the users dimension does not have.
    const [{ next }] = (await copy.query<{ next: number }>(`SELECT COALESCE(MAX(CAST(user_id AS INTEGER)), 0) + 1 AS next FROM ${TABLES.users}`)).rows;
    const userId = String(Number(next));
    const dayStart = new Date(`${day}T00:00:00.000Z`);
    const dayEnd = new Date(dayStart.getTime() + 86_400_000);
    const last = (await copy.query(`SELECT * FROM ${TABLES.songplays} WHERE start_time >= @s AND start_time < @e ORDER BY start_time DESC LIMIT 1`, { s: dayStart, e: dayEnd }, { types: { s: "TIMESTAMP", e: "TIMESTAMP" } })).rows[0];
    if (last) {
      await copy.loadRows(TABLES.songplays, [{ ...last, songplay_id: `${String(last.songplay_id)}-planted`, user_id: userId }]);
      const event = (await copy.query(`SELECT * FROM ${TABLES.stagingEvents} WHERE start_time = @t AND page = 'NextSong' AND user_id = @u LIMIT 1`, { t: last.start_time as Date, u: String(last.user_id) }, { types: { t: "TIMESTAMP" } })).rows[0];
      if (event) await copy.loadRows(TABLES.stagingEvents, [{ ...event, user_id: userId }]);
    }

    const target = warehouseTarget(copy);
    const dag = defineDag({
      id: DRILL_DAG_ID,
      description: "Sparkify's checks on a copy of the star schema, one run a day, with a play by a missing user planted on the last day",
      schedule: "@daily",
      startDate: interval.start,
      tasks: [
        qualityTask({ id: "quality_checks", checks: qualityChecks(), target: async () => target }),
        task({ id: "publish_star", upstream: ["quality_checks"], run: async () => ({ published: true }) }),
      ],
    });
    const runs: DagRun[] = [];
    for (const d of days) runs.push(await runDag(dag, { logicalDate: d, store }));

    const at = dayStart.toISOString();
    const results = asResults((await target.allResults()).filter((r) => r.logical_date === at));
    let stopped: QualityDrill["stopped"];
    try {
      assertChecks(results, `the load of ${day}`);
    } catch (err) {
      if (!isWorkbookError(err)) throw err;
      stopped = { code: err.code, message: err.message };
    }
    const fault = last ? `a play on ${day} by user ${userId}, who is not in ${TABLES.users}` : `nothing: ${TABLES.songplays} has no play in ${interval.start.slice(0, 10)}..${interval.end.slice(0, 10)} to copy`;
    return { dag, runs, target, planted: { fault, check: DRILL_CHECK, results, userId, day }, stopped, close };
  } catch (err) {
    await close();
    throw err;
  }
}
