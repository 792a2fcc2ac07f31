import { after, afterEach, test } from "node:test";
import assert from "node:assert/strict";
import { clearRegistry, registerDag } from "../../../lib/cli/registry";
import { dagCommand } from "../../../lib/dag/cli";
import { defineDag } from "../../../lib/dag/dag";
import { skip, task } from "../../../lib/dag/task";
import { captured, sharedStore } from "./helpers";

const shared = sharedStore();
after(() => shared.close());
afterEach(() => clearRegistry());

let loads = 0;
function register(): void {
  registerDag({
    id: "cli_sales", scenario: "test", description: "daily sales, for the CLI test",
    load: () => {
      loads++;
      return defineDag({
        id: "cli_sales", schedule: "@daily", startDate: "2024-01-01",
        tasks: [
          task({ id: "extract", run: (ctx) => {
            ctx.log(`reading ${ctx.logicalDate.toISOString().slice(0, 10)}`);
            return 7;
          } }),
          task({ id: "load", upstream: ["extract"], run: (ctx) => ctx.xcom<number>("extract")! * 6 }),
          task({ id: "maybe", upstream: ["extract"], run: () => skip("nothing to do") }),
        ],
      });
    },
  });
  registerDag({ id: "cli_other", scenario: "test", description: "another", load: () => ({ not: "a dag" }) });
}

test("workbook dag list shows the registered DAGs without loading them", { timeout: 30_000 }, async () => {
  register();
  loads = 0;
  const io = captured();
  assert.equal(await dagCommand(["list"], io), 0);
  assert.match(io.out(), /^id\s+scenario\s+description\n/);
  assert.match(io.out(), /cli_other\s+test\s+another\n/);
  assert.match(io.out(), /cli_sales\s+test\s+daily sales, for the CLI test\n/);
  assert.equal(loads, 0);
});

test("workbook dag run, then status, show the run's tasks; run defaults to the latest complete interval", { timeout: 30_000 }, async () => {
  register();
  const { store } = await shared.get();
  const io = captured();
  assert.equal(await dagCommand(["run", "cli_sales", "--logical-date", "2024-01-02"], { ...io, store }), 0, io.err());
  assert.match(io.out(), / {2}extract: running\n {2}extract: success\n/);
  assert.match(io.out(), /load\s+success\s+1/);
  assert.match(io.out(), /maybe\s+skipped\s+1\s+\d+\s+nothing to do/);
  assert.match(io.out(), /cli_sales 2024-01-02T00:00:00Z: success\n$/);
  const byNow = captured();
  assert.equal(await dagCommand(["run", "cli_sales"], { ...byNow, store, now: () => new Date("2024-01-05T08:00:00Z") }), 0);
  assert.match(byNow.out(), /cli_sales 2024-01-04T00:00:00Z: success/);
  const status = captured();
  assert.equal(await dagCommand(["status", "cli_sales"], { ...status, store }), 0);
  assert.match(status.out(), /task\s+2024-01-02\s+2024-01-04\n/);
  assert.match(status.out(), /load\s+success\s+success\n/);
  assert.match(status.out(), /latest: cli_sales 2024-01-04T00:00:00Z: success/);
});

test("workbook dag backfill, clear and run-task", { timeout: 30_000 }, async () => {
  register();
  const { store } = await shared.get();
  const io = captured();
  assert.equal(await dagCommand(["backfill", "cli_sales", "--from", "2024-02-01", "--to", "2024-02-03"], { ...io, store }), 0, io.err());
  assert.match(io.out(), /2024-02-01T00:00:00Z: success\n.*2024-02-02T00:00:00Z: success\n.*2024-02-03T00:00:00Z: success\n3 runs, 0 failed\n$/s);
  const clear = captured();
  assert.equal(await dagCommand(["clear", "cli_sales", "--logical-date", "2024-02-02", "--task", "extract"], { ...clear, store }), 0, clear.err());
  assert.match(clear.out(), /^cleared extract, load, maybe;/);
  const task1 = captured();
  assert.equal(await dagCommand(["run-task", "cli_sales", "extract", "--logical-date", "2024-02-02T00:00:00+00:00"], { ...task1, store }), 0, task1.err());
  assert.match(task1.out(), /\[extract\] reading 2024-02-02\ncli_sales extract 2024-02-02T00:00:00Z: success \(try 2\)/);
  const task2 = captured();
  assert.equal(await dagCommand(["run-task", "cli_sales", "load", "--logical-date", "2024-02-02"], { ...task2, store }), 0);
  assert.equal((await store.getRun("cli_sales", new Date("2024-02-02")))?.tasks.find((t) => t.taskId === "load")?.xcom, 42);
  assert.equal(await dagCommand(["run-task", "cli_sales", "maybe", "--logical-date", "2024-02-02"], { ...captured(), store }), 99, "skipped: BashOperator's skip exit code");
});

test("bad input exits 2 with a message that says what to do", { timeout: 30_000 }, async () => {
  register();
  const { store } = await shared.get();
  const cases: [string[], RegExp][] = [
    [["run", "nope"], /No DAG "nope"; the DAGs are: cli_other, cli_sales/],
    [["run", "cli_sales", "--logical-date", "2023-06-01"], /before its start date/],
    [["run", "cli_sales", "--logical-date", "yesterday"], /"yesterday" is not a date/],
    [["backfill", "cli_sales", "--from", "2024-01-01"], /--to is required/],
    [["clear", "cli_sales", "--logical-date", "2024-01-02"], /clear needs --task/],
    [["clear", "cli_sales", "--logical-date", "2024-01-02", "--task", "lod"], /has no task "lod"/],
    [["run", "cli_other"], /did not load a DAG/],
    [["explode", "cli_sales"], /Unknown command `workbook dag explode`/],
    [["status", "cli_sales", "--bogus"], /Unknown option "--bogus"/],
  ];
  for (const [argv, message] of cases) {
    const io = captured();
    assert.equal(await dagCommand(argv, { ...io, store }), 2, argv.join(" "));
    assert.match(io.err(), message);
  }
});
