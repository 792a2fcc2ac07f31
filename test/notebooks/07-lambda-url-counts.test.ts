import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { after, test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, stderrOutputs, tempDir, assertLastCellClosesNothing } from "../helpers";
import { generateTweets, LAMBDA_SAMPLE } from "../../scenarios/lambda-urls/generate";
import { readRedirects } from "../../scenarios/lambda-urls/normalize";
import { expectedAtFix } from "../scenarios/lambda-urls/helpers";

const notebook = path.join(projectRoot, "notebooks", "07-lambda-url-counts.ipynb");

// A work folder for the run (PGlite, the warehouse, the lake), removed at the end.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "nb07-home-"));
after(() => fs.rmSync(home, { recursive: true, force: true }));

/** The notebook's run: 6 hours of 100 tweets (seed 7), blocks of 50; the fix at two thirds (04:00) and deployed at five sixths (05:00) of the span. */
const expectedFix = () => expectedAtFix(generateTweets({ seed: 7, tweetsPerHour: 100, hours: 6, redirects: readRedirects(LAMBDA_SAMPLE.redirects) }), { fix: 4, fixDeployed: 5, blockSize: 50 });

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
  const fix = expectedFix();
  t.diagnostic(`at the fix: batch covers ${fix.covered}, speed serves up to ${fix.through}, ${fix.speedRows} speed rows`);
  assert.equal(s.stream_sent, fix.sentAtFix, "the speed layer's counts are read with the stream held at the fix");
  assert.equal(s.stream_in, s.stream_sent);
  assert.equal((s.stream_ok as number) + (s.stream_rejected as number), s.stream_in, "in = ok + rejected");
  assert.equal(s.stream_rejected, fix.malformedBeforeFix);
  // the recompute-while-serving moment: the batch view covers part of the stream, the fixed speed layer the rest
  assert.equal(s.batch_covered_at_fix, fix.covered);
  assert.ok(fix.covered < fix.through && (s.batch_covered_at_fix as number) < (s.tweets as number));
  assert.equal(s.speed_layer_offsets_at_fix, `${fix.covered}..${fix.through - 1}`);
  assert.equal(s.speed_layer_rows_at_fix, fix.speedRows);
  assert.ok((s.speed_layer_rows_at_fix as number) > 0 && (s.batch_view_rows_at_fix as number) > 0);
  // the hand-over: the next batch covers everything and the speed view is empty
  assert.equal(s.batch_covered, s.tweets);
  assert.equal(s.speed_rows_after_hand_over, 0);
  // the links drop: one link fewer for each tweet that linked one page in two forms
  assert.equal((s.links_before_fix as number) - (s.links as number), (s.tweets_with_merged_links as number[]).length);
  assert.ok((s.tweets_with_merged_links as number[]).length > 0);
  // data quality (issue 27): all six kinds, the planted duplicated key caught
  assert.deepEqual(s.quality_kinds, ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  assert.ok((s.quality_checks as number) >= 20, `checks: ${String(s.quality_checks)}`);
  assert.deepEqual([s.quality_caught, s.quality_planted], [1, 1]);
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
  assert.match(text, /docs\.example\.com\/Guide\/Intro/, "the case-sensitive path is shown");
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
  assert.match(source, /interruptible\(run\.streamUntil\(/);
  assert.match(source, /interruptible\(run\.drain\(\)\)/);
  assertLastCellClosesNothing(nb);
  for (const name of ["tweetsPerHour", "hours", "speed", "bug", "blockSize", "seed", "solutions"]) assert.match(params, new RegExp(`let ${name}\\b`));
  assert.match(params, /let solutions = false;/);
  assert.equal((source.match(/PLACEHOLDER;/g) ?? []).length, 3, "three exercises with placeholders");
  for (const scrap of ["tweets", "rejected", "distinct_urls", "merged_equals_recompute", "urls_fixed_by_recompute", "speed_layer_rows_at_fix"]) assert.match(source, new RegExp(`glue\\("${scrap}"`));
  assert.match(source, /glueQuality\(/);
});
