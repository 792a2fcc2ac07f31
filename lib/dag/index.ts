/**
 * DAGs, Airflow's model: tasks with dependencies and trigger rules, a schedule of logical dates and
 * data intervals, retries, sensors, XComs, runs recorded in the workbook's PostgreSQL, views for
 * notebooks, and an export to an Airflow DAG file.
 *
 *   const dag = defineDag({ id: "daily_sales", schedule: "@daily", startDate: "2024-01-01", tasks: [
 *     task({ id: "extract", run: async (ctx) => countRows(ctx.dataInterval) }),
 *     task({ id: "report", upstream: ["extract"], run: async (ctx) => ctx.xcom<number>("extract") }),
 *   ] });
 *   const store = await openDagStore();
 *   const run = await runDag(dag, { logicalDate: "2024-01-01", store, onChange: liveDag(dag) });
 *   await backfill(dag, { from: "2024-01-01", to: "2024-01-07", store });
 *   showGrid(await store.runs(dag.id), dag);
 */
// defining DAGs
export { defineDag, isDag, Dag, DAG_DEFAULTS, SENSOR_DEFAULTS } from "./dag";
export type { DagOptions, Task } from "./dag";
export { task, sensor, skip, SkipTask, TRIGGER_RULES } from "./task";
export { withResource } from "./resources";
export type { TaskOptions, SensorOptions, TaskDefinition, TaskContext, TriggerRule } from "./task";

// schedules and dates
export { dataIntervalFor, runsBetween, dueIntervals, firstLogicalDate, parseSchedule, toDate, isoDate, SCHEDULE_PRESETS } from "./schedule";
export type { DataInterval, Schedule, ScheduleSpec } from "./schedule";

// running
export { runDag, runTask } from "./run";
export type { RunOptions, RunTaskOptions, RunChange } from "./run";
export { backfill, runDue, clearTasks } from "./scheduler";
export type { BackfillOptions, RunDueOptions, ClearOptions } from "./scheduler";
export { systemClock } from "./clock";
export type { Clock } from "./clock";
export { TASK_STATES, STATE_COLORS } from "./states";
export type { TaskState, RunState } from "./states";

// the record of runs
export { openDagStore, DagStore } from "./store";
export type { DagStoreOptions } from "./store";
export type { DagRun, TaskInstance } from "./records";

// in a notebook
export { dagGraphSvg, dagText } from "./graph-svg";
export type { TaskStates } from "./graph-svg";
export { ganttSpec } from "./gantt";
export { gridHtml, gridText } from "./grid";
export { showDag, showGantt, showGrid, liveDag } from "./display";

// to Airflow
export { exportAirflow } from "./airflow";
export type { AirflowExportOptions } from "./airflow";
