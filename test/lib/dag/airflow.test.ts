import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { exportAirflow } from "../../../lib/dag/airflow";
import { defineDag } from "../../../lib/dag/dag";
import { sensor, task } from "../../../lib/dag/task";
import { tempDir } from "../../helpers";

const PYTHON = "/usr/bin/python3";
const FIXTURES = path.join(projectRoot, "test", "lib", "dag", "fixtures");

interface AirflowTask {
  task_id: string;
  operator: string;
  bash_command: string;
  retries: number;
  retry_delay_ms: number;
  trigger_rule: string;
  upstream: string[];
  cwd?: string;
}

const dag = defineDag({
  id: "daily_sales", description: "Sales of the day, \"quoted\"", doc: "# Daily sales\n\nLoads `sales` and \"checks\" it.", schedule: "@daily", startDate: "2024-01-01", catchup: true, maxActiveTasks: 3,
  defaultRetries: 2, defaultRetryDelayMs: 60_000,
  tasks: [
    sensor({ id: "partition_ready", poke: () => true, pokeIntervalMs: 5_000, timeoutMs: 600_000 }),
    task({ id: "extract", upstream: ["partition_ready"], run: () => 1 }),
    task({ id: "load-db", upstream: ["extract"], retries: 0, run: () => 1 }),
    task({ id: "class", upstream: ["extract"], retryDelayMs: 1_500, run: () => 1 }),
    task({ id: "alert", upstream: ["load-db", "class"], triggerRule: "one_failed", run: () => 1 }),
    task({ id: "cleanup", upstream: ["load-db", "class"], triggerRule: "all_done", run: () => 1 }),
  ],
});

function loadWithStandIn(file: string): Record<string, unknown>[] {
  const r = spawnSync(PYTHON, [path.join(FIXTURES, "load_dag.py"), file], {
    encoding: "utf8", env: { ...process.env, PYTHONPATH: FIXTURES, PYTHONDONTWRITEBYTECODE: "1" },
  });
  assert.equal(r.status, 0, `python failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

test("the Airflow export loads in Python against a stand-in airflow package and matches the DAG", { timeout: 60_000 }, (t) => {
  if (!fs.existsSync(PYTHON)) {
    t.skip(`${PYTHON} is not installed`);
    return;
  }
  const dir = tempDir(t, "dag-airflow-");
  const file = path.join(dir, "daily_sales.py");
  fs.writeFileSync(file, exportAirflow(dag, { command: "npx workbook", cwd: "/srv/de-workbook" }));
  const [exported, ...others] = loadWithStandIn(file);
  assert.equal(others.length, 0);
  assert.deepEqual(
    { ...exported, tasks: undefined },
    { dag_id: "daily_sales", description: "Sales of the day, \"quoted\"", doc_md: "# Daily sales\n\nLoads `sales` and \"checks\" it.", schedule: "@daily", start_date: "2024-01-01T00:00:00+00:00", end_date: null, catchup: true, max_active_tasks: 3, tags: ["de-workbook"], tasks: undefined },
  );
  const tasks = exported.tasks as AirflowTask[];
  assert.deepEqual(tasks.map((x) => x.task_id), dag.order);
  for (const x of tasks) {
    const mine = dag.task(x.task_id);
    assert.equal(x.operator, "BashOperator");
    assert.deepEqual(x.upstream, [...mine.upstream].sort(), `upstream of ${x.task_id}`);
    assert.equal(x.trigger_rule, mine.triggerRule, `trigger rule of ${x.task_id}`);
    assert.equal(x.retries, mine.retries, `retries of ${x.task_id}`);
    assert.equal(x.retry_delay_ms, mine.retryDelayMs, `retry delay of ${x.task_id}`);
    assert.equal(x.bash_command, `npx workbook dag run-task daily_sales ${x.task_id} --logical-date {{ ds }}`);
    assert.equal(x.cwd, "/srv/de-workbook");
  }
});

test("an hourly or cron DAG exports {{ ts }}, its start time, end date and no schedule as None", { timeout: 60_000 }, (t) => {
  if (!fs.existsSync(PYTHON)) {
    t.skip(`${PYTHON} is not installed`);
    return;
  }
  const dir = tempDir(t, "dag-airflow-");
  const hourly = defineDag({ id: "hourly", schedule: "15 */2 * * *", startDate: "2024-03-01T06:15:00Z", endDate: "2024-04-01", tasks: [task({ id: "a", run: () => 1 })] });
  const manual = defineDag({ id: "manual", schedule: null, startDate: "2024-03-01", tasks: [task({ id: "b", run: () => 1 })] });
  fs.writeFileSync(path.join(dir, "h.py"), exportAirflow(hourly));
  fs.writeFileSync(path.join(dir, "m.py"), exportAirflow(manual));
  const [h] = loadWithStandIn(path.join(dir, "h.py"));
  const [m] = loadWithStandIn(path.join(dir, "m.py"));
  assert.deepEqual([h.schedule, h.start_date, h.end_date, h.catchup, h.max_active_tasks], ["15 */2 * * *", "2024-03-01T06:15:00+00:00", "2024-04-01T00:00:00+00:00", false, 4]);
  assert.equal((h.tasks as AirflowTask[])[0].bash_command, "npx workbook dag run-task hourly a --logical-date {{ ts }}");
  assert.equal(m.schedule, null);
  assert.equal((m.tasks as AirflowTask[])[0].retry_delay_ms, 300_000);
});
