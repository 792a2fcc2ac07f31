/**
 * Runs and task instances in the workbook's PostgreSQL (PGlite, or the server at DATABASE_URL):
 * tables dag_run and task_instance, created if missing and upserted by key, so a re-run knows what
 * already succeeded and `workbook dag status` can show any run.
 *
 *   const store = await openDagStore();            // openSql(): the workbook's database
 *   const store = await openDagStore({ db });      // a database you opened (and close)
 *   const runs = await store.runs("daily_sales", { limit: 10 });
 *   await store.close();
 */
import { openSql, type SqlDatabase } from "../sql";
import type { DagRun, TaskInstance } from "./records";
import type { RunState, TaskState } from "./states";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dag_run (
  dag_id text NOT NULL,
  run_id text NOT NULL,
  logical_date timestamptz NOT NULL,
  data_interval_start timestamptz NOT NULL,
  data_interval_end timestamptz NOT NULL,
  state text NOT NULL,
  started_at timestamptz,
  ended_at timestamptz,
  PRIMARY KEY (dag_id, run_id),
  UNIQUE (dag_id, logical_date)
);
CREATE TABLE IF NOT EXISTS task_instance (
  dag_id text NOT NULL,
  run_id text NOT NULL,
  task_id text NOT NULL,
  state text NOT NULL,
  try_number int NOT NULL DEFAULT 0,
  started_at timestamptz,
  ended_at timestamptz,
  xcom jsonb,
  error text,
  log text,
  PRIMARY KEY (dag_id, run_id, task_id)
);`;

export interface DagStoreOptions {
  /** The database. Default: `openSql()` (PGlite in the work folder, or DATABASE_URL), closed by `close()`. */
  db?: SqlDatabase;
}

interface RunRow {
  dag_id: string;
  run_id: string;
  logical_date: Date;
  data_interval_start: Date;
  data_interval_end: Date;
  state: string;
  started_at: Date | null;
  ended_at: Date | null;
}

interface TaskRow {
  dag_id: string;
  run_id: string;
  task_id: string;
  state: string;
  try_number: number;
  started_at: Date | null;
  ended_at: Date | null;
  xcom_text: string | null;
  error: string | null;
  log: string | null;
}

const TASK_COLUMNS = "dag_id, run_id, task_id, state, try_number, started_at, ended_at, xcom::text AS xcom_text, error, log";

/** Where runs are recorded. A database you pass stays open after `close()`; one the store opened is closed. */
export class DagStore {
  private constructor(readonly db: SqlDatabase, private readonly owned: boolean) {}

  /** Opens the store and creates its tables if missing. */
  static async create(options: DagStoreOptions = {}): Promise<DagStore> {
    const db = options.db ?? (await openSql());
    try {
      await db.exec(SCHEMA);
    } catch (err) {
      if (!options.db) await db.close();
      throw err;
    }
    return new DagStore(db, !options.db);
  }

  /** Inserts or updates a run (not its tasks). */
  async saveRun(run: Omit<DagRun, "tasks">): Promise<void> {
    await this.db.upsert("dag_run", [{
      dag_id: run.dagId, run_id: run.runId, logical_date: run.logicalDate,
      data_interval_start: run.dataInterval.start, data_interval_end: run.dataInterval.end,
      state: run.state, started_at: run.startedAt ?? null, ended_at: run.endedAt ?? null,
    }], { key: ["dag_id", "run_id"] });
  }

  /** Inserts or updates task instances. */
  async saveTasks(tasks: readonly TaskInstance[]): Promise<void> {
    await this.db.upsert("task_instance", tasks.map((ti) => ({
      dag_id: ti.dagId, run_id: ti.runId, task_id: ti.taskId, state: ti.state, try_number: ti.tryNumber,
      started_at: ti.startedAt ?? null, ended_at: ti.endedAt ?? null,
      xcom: ti.xcom === undefined ? null : JSON.stringify(ti.xcom),
      error: ti.error ?? null, log: ti.log.length ? ti.log.join("\n") : null,
    })), { key: ["dag_id", "run_id", "task_id"] });
  }

  /** The run of `dagId` at `logicalDate`, with its task instances, or undefined. */
  async getRun(dagId: string, logicalDate: Date): Promise<DagRun | undefined> {
    const { rows } = await this.db.query<RunRow>("SELECT * FROM dag_run WHERE dag_id = $1 AND logical_date = $2", [dagId, logicalDate]);
    return rows.length ? (await this.withTasks(rows))[0] : undefined;
  }

  /** The latest `limit` runs of `dagId` (default 25), oldest first, with their task instances. */
  async runs(dagId: string, options: { limit?: number } = {}): Promise<DagRun[]> {
    const { rows } = await this.db.query<RunRow>(
      "SELECT * FROM (SELECT * FROM dag_run WHERE dag_id = $1 ORDER BY logical_date DESC LIMIT $2) r ORDER BY logical_date",
      [dagId, options.limit ?? 25],
    );
    return this.withTasks(rows);
  }

  /** The logical date of the latest run of `dagId`, or undefined when it never ran. */
  async lastLogicalDate(dagId: string): Promise<Date | undefined> {
    const { rows } = await this.db.query<{ d: Date | null }>("SELECT max(logical_date) AS d FROM dag_run WHERE dag_id = $1", [dagId]);
    return rows[0]?.d ?? undefined;
  }

  /** Resets task instances to queued (no xcom, no error), and their run to queued, so the next run re-runs them. */
  async resetTasks(dagId: string, runId: string, taskIds: readonly string[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query(
        "UPDATE task_instance SET state = 'queued', xcom = NULL, error = NULL, started_at = NULL, ended_at = NULL, log = NULL WHERE dag_id = $1 AND run_id = $2 AND task_id = ANY($3::text[])",
        [dagId, runId, [...taskIds]],
      );
      await tx.query("UPDATE dag_run SET state = 'queued', ended_at = NULL WHERE dag_id = $1 AND run_id = $2", [dagId, runId]);
      return r.rowCount;
    });
  }

  /** Closes the database if the store opened it. */
  async close(): Promise<void> {
    if (this.owned) await this.db.close();
  }

  private async withTasks(runs: RunRow[]): Promise<DagRun[]> {
    if (runs.length === 0) return [];
    const { rows } = await this.db.query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM task_instance WHERE dag_id = $1 AND run_id = ANY($2::text[]) ORDER BY task_id`,
      [runs[0].dag_id, runs.map((r) => r.run_id)],
    );
    return runs.map((r) => ({
      dagId: r.dag_id, runId: r.run_id, logicalDate: r.logical_date,
      dataInterval: { start: r.data_interval_start, end: r.data_interval_end },
      state: r.state as RunState, startedAt: r.started_at ?? undefined, endedAt: r.ended_at ?? undefined,
      tasks: rows.filter((t) => t.run_id === r.run_id).map(toTaskInstance),
    }));
  }
}

function toTaskInstance(t: TaskRow): TaskInstance {
  return {
    dagId: t.dag_id, runId: t.run_id, taskId: t.task_id, state: t.state as TaskState, tryNumber: t.try_number,
    startedAt: t.started_at ?? undefined, endedAt: t.ended_at ?? undefined,
    xcom: t.xcom_text === null ? undefined : JSON.parse(t.xcom_text),
    error: t.error ?? undefined, log: t.log ? t.log.split("\n") : [],
  };
}

/** Opens a DagStore (see DagStore.create). */
export function openDagStore(options: DagStoreOptions = {}): Promise<DagStore> {
  return DagStore.create(options);
}
