import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { after, test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, stderrOutputs, tempDir } from "../helpers";

const notebook = path.join(projectRoot, "notebooks", "07-lambda-url-counts.ipynb");

/** The stderr stream outputs of an executed notebook (the browser test fails on any). */
// One work folder for both runs (one after the other): the second opens the PGlite folder the first
// made instead of making its own, which takes PGlite tens of seconds on a loaded machine. Each run
// uses its own topic and replaces the tables it shows.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "nb06-home-"));
after(() => fs.rmSync(home, { recursive: true, force: true }));

test("07-lambda-url-counts runs through workbook run with the bug: merged = recompute, the recompute merges the split URLs, kappa agrees, the exercises are solvable", { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t);
  const output = path.join(dir, "06.ipynb");
  const started = Date.now();
  const result = await runNotebook({ input: withProbe(notebook, dir), cwd: path.dirname(notebook), output, parameters: { solutions: true }, progressBar: false, env: { WORKBOOK_HOME: home, DATABASE_URL: "" } });
  assert.equal(result.status, "completed", result.error);
  await checkLesson(t, output, [dir]); // the lesson checks; takes the probe cells out of the copy
  keepExecuted(output, "07-lambda-url-counts.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  t.diagnostic(`notebook ran in ${Math.round((Date.now() - started) / 1000)} s`);
  const s = readScraps(output);
  assert.equal(s.tweets, 600, "100 tweets an hour for 6 hours");
  assert.equal(s.rejected, s.expected_rejected, "the batch rejects exactly the generator's malformed tweets");
  assert.ok((s.rejected as number) > 0);
  assert.equal(s.stream_in, s.tweets);
  assert.equal((s.stream_ok as number) + (s.stream_rejected as number), s.stream_in, "in = ok + rejected");
  assert.equal(s.stream_rejected, s.rejected);
  assert.equal(s.merged_equals_recompute, true);
  assert.equal(s.kappa_equals_lambda, true);
  assert.ok((s.urls_fixed_by_recompute as number) > 5, `the bug split pages: ${String(s.urls_fixed_by_recompute)}`);
  assert.equal((s.distinct_urls_before_fix as number) - (s.distinct_urls as number), s.urls_fixed_by_recompute);
  assert.ok((s.distinct_urls as number) >= 10 && (s.distinct_urls as number) <= 20, `distinct pages: ${String(s.distinct_urls)}`);
  assert.ok((s.naive_distinct_urls as number) > 5 * (s.distinct_urls as number), `counting URLs as written splits pages far more: ${String(s.naive_distinct_urls)}`);
  assert.equal(s.exercises_correct, 3);
  const text = fs.readFileSync(output, "utf8");
  assert.deepEqual(stderrOutputs(output), [], "nothing is printed to stderr in a normal run");
  assert.match(text, /image\/png/, "pictures have their PNG");
  assert.match(text, /redirect loop|is not an http\(s\) URL|not JSON/, "rejected tweets are shown with their reasons");
  assert.match(text, /utm_/, "the split URLs are shown");
  await checkNbformat(t, output);
});

test("07-lambda-url-counts is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters, exercises and scraps", () => {
  const { nb, parameters: params, source } = checkCommittedNotebook(notebook);
  // classroom rules (issue 16): resources opened once and left open, long work started once and interruptible
  assert.match(source, /openOnce\("lake"/);
  assert.match(source, /openOnce\("warehouse"/);
  assert.match(source, /openOnce\("database"/);
  assert.match(source, /openOnce\("DAG store"/);
  assert.match(source, /startOnce\("lambda run"/);
  assert.match(source, /interruptible\(run\.waitForHours\(/);
  assert.match(source, /interruptible\(run\.drain\(\)\)/);
  const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
  assert.doesNotMatch([code[code.length - 1].source].flat().join(""), /\.close\(\)|closeEmbeddedBroker/, "the last cell closes nothing, so any cell can be re-run");
  for (const name of ["tweetsPerHour", "hours", "speed", "bug", "blockSize", "seed", "solutions"]) assert.match(params, new RegExp(`let ${name}\\b`));
  assert.match(params, /let solutions = false;/);
  assert.equal((source.match(/PLACEHOLDER;/g) ?? []).length, 3, "three exercises with placeholders");
  for (const scrap of ["tweets", "rejected", "distinct_urls", "merged_equals_recompute", "urls_fixed_by_recompute"]) assert.match(source, new RegExp(`glue\\("${scrap}"`));
});
