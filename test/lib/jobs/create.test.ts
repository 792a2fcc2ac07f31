import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { isWorkbookError } from "../../../lib/errors";
import { createJobRunner } from "../../../lib/jobs/create";
import { DataprocJobRunner } from "../../../lib/jobs/dataproc/dataproc";
import { LocalJobRunner } from "../../../lib/jobs/local";

const timeout = 10_000;
/** The variables config().jobRunner reads; each test sets its own and puts the old values back. */
const VARIABLES = ["JOB_RUNNER", "GOOGLE_CLOUD_PROJECT", "DATAPROC_BUCKET", "DATAPROC_REGION", "DATAPROC_CLUSTER", "DATAPROC_WORKERS", "WORKBOOK_JOBS"];

/** createJobRunner reads process.env (through config()): set exactly `env`, restored after the test. */
function withEnv(t: TestContext, env: Record<string, string>): void {
  const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  t.after(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

test("JOB_RUNNER=dataproc with GOOGLE_CLOUD_PROJECT and DATAPROC_BUCKET gives the Dataproc runner", { timeout }, async (t) => {
  withEnv(t, { JOB_RUNNER: "dataproc", GOOGLE_CLOUD_PROJECT: "p", DATAPROC_BUCKET: "b" });
  const runner = await createJobRunner();
  t.after(() => runner.close());
  assert.ok(runner instanceof DataprocJobRunner);
  assert.equal(runner.kind, "dataproc");
  // the value is case-insensitive
  process.env.JOB_RUNNER = "Dataproc";
  const again = await createJobRunner();
  t.after(() => again.close());
  assert.ok(again instanceof DataprocJobRunner);
});

test("without JOB_RUNNER, or with JOB_RUNNER=local, it is the local worker pool", { timeout }, async (t) => {
  withEnv(t, { WORKBOOK_JOBS: "3" });
  const unset = await createJobRunner();
  t.after(() => unset.close());
  assert.ok(unset instanceof LocalJobRunner);
  assert.equal(unset.kind, "local");
  assert.equal((unset as LocalJobRunner).workers, 3);
  process.env.JOB_RUNNER = "local";
  const local = await createJobRunner({ workers: 2 });
  t.after(() => local.close());
  assert.ok(local instanceof LocalJobRunner);
  assert.equal((local as LocalJobRunner).workers, 2);
});

test("the runner option wins over JOB_RUNNER", { timeout }, async (t) => {
  withEnv(t, { JOB_RUNNER: "dataproc", GOOGLE_CLOUD_PROJECT: "p", DATAPROC_BUCKET: "b" });
  const local = await createJobRunner({ runner: "local", workers: 1 });
  t.after(() => local.close());
  assert.ok(local instanceof LocalJobRunner);
  process.env.JOB_RUNNER = "local";
  const dataproc = await createJobRunner({ runner: "dataproc" });
  t.after(() => dataproc.close());
  assert.ok(dataproc instanceof DataprocJobRunner);
});

test("JOB_RUNNER=dataproc without a bucket is CONFIG_INVALID naming DATAPROC_BUCKET", { timeout }, async (t) => {
  withEnv(t, { JOB_RUNNER: "dataproc", GOOGLE_CLOUD_PROJECT: "p" });
  await assert.rejects(createJobRunner(), (err: unknown) => isWorkbookError(err, "CONFIG_INVALID") && /JOB_RUNNER=dataproc needs .*DATAPROC_BUCKET/.test(err.message));
  // the same when Dataproc is asked for in options: at once, not at the first run
  process.env.JOB_RUNNER = "local";
  await assert.rejects(createJobRunner({ runner: "dataproc" }), (err: unknown) => isWorkbookError(err, "CONFIG_INVALID") && /DATAPROC_BUCKET/.test(err.message) && /bucket=undefined/.test(err.message));
  // a bucket in options is enough
  const runner = await createJobRunner({ runner: "dataproc", bucket: "b" });
  t.after(() => runner.close());
  assert.ok(runner instanceof DataprocJobRunner);
});

test("an unknown JOB_RUNNER is CONFIG_INVALID naming the choices", { timeout }, async (t) => {
  withEnv(t, { JOB_RUNNER: "spark" });
  await assert.rejects(createJobRunner(), (err: unknown) => isWorkbookError(err, "CONFIG_INVALID") && /JOB_RUNNER="spark" is not one of local, dataproc/.test(err.message));
});
