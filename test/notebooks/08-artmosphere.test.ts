import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { runNotebook } from "../../lib/runner";
import { readScraps } from "../../lib/scraps";
import { checkLesson, withProbe } from "./lesson";
import { checkCommittedNotebook, checkNbformat, keepExecuted, stderrOutputs, tempDir, assertLastCellClosesNothing } from "../helpers";

const notebook = path.join(projectRoot, "notebooks", "08-artmosphere.ipynb");

/** The stderr stream outputs of an executed notebook (the browser test fails on any). */
const small = { artworks: 1000, artists: 400, eventsPerSecond: 30, duration: 6, scanBudget: 0.05 };

test("08-artmosphere runs through workbook run: search hits, the naive scan over budget, similar pairs by Jaccard, stream windows equal to the batch, a map, every rejected line counted, six kinds of quality check and the planted fault caught, the exercises solvable", { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t);
  const output = path.join(dir, "05.ipynb");
  const result = await runNotebook({ input: withProbe(notebook, dir), cwd: path.dirname(notebook), output, parameters: { ...small, solutions: true }, progressBar: false, env: { WORKBOOK_HOME: path.join(dir, "home"), DATABASE_URL: "" } });
  assert.equal(result.status, "completed", result.error);
  await checkLesson(t, output, [dir]); // the lesson checks; takes the probe cells out of the copy
  keepExecuted(output, "08-artmosphere.ipynb"); // the browser test of this run opens this copy instead of running the notebook again
  const s = readScraps(output);
  const text = fs.readFileSync(output, "utf8");
  assert.equal(s.artworks_indexed, 1000);
  assert.equal(s.search_mode, "full-text");
  assert.ok((s.search_hits as number) > 5 && (s.search_hits as number) < 1000, `search_hits ${String(s.search_hits)}`);
  assert.ok((s.similar_pairs as number) > 1000 * 5 * 0.95 && (s.similar_pairs as number) <= 1000 * 5, `similar_pairs ${String(s.similar_pairs)}`);
  // the naive all-pairs scan of 1,000 artworks (about a million pairs) cannot finish in 0.05 s; the gene index answers at every size
  assert.equal(s.scan_over_budget, true);
  assert.equal(s.index_same_as_naive, true, "the gene index gives the naive scan's top 5");
  assert.equal(s.orders_differ, true, "an artwork whose top 5 by shared genes differs from its top 5 by Jaccard is shown");
  // data quality: 10 checks on the catalogue, genes and similar tables, 5 on the uploads, 5 on the popularity windows
  assert.equal(s.quality_checks, 10 + 5 + 5);
  assert.deepEqual(s.quality_kinds, ["freshness", "volume", "schema", "uniqueness", "referential", "drift"]);
  assert.equal(s.quality_planted, 1);
  assert.equal(s.quality_caught, 1, "the upload of an artwork not in the catalogue is caught");
  assert.match(text, /the load of 2016-02-03 stops: every artwork_id exists in artmosphere_catalogue failed/);
  assert.ok((s.windows_written as number) > 50, `windows_written ${String(s.windows_written)}`);
  assert.equal(s.stream_matches_batch, true);
  assert.ok((s.live_frames as number) >= 3, `the chart was redrawn while the stream ran (${String(s.live_frames)} frames)`);
  assert.ok((s.countries_on_map as number) > 10, `countries_on_map ${String(s.countries_on_map)}`);
  assert.equal(s.rejected, 7 + 4 + 4, "catalogue, upload and collect lines planted bad");
  assert.equal(s.dead_letters, 4);
  assert.equal(s.exercises_correct, 3);
  assert.deepEqual(stderrOutputs(output), [], "nothing is printed to stderr in a normal run");
  assert.match(text, /image\/png/, "pictures have their PNG");
  assert.match(text, /<mark>Water<\/mark>/, "search results are highlighted");
  assert.match(text, /Most collected artworks, 5-second windows \(final\)/, "the live chart ends on its final frame");
  assert.match(text, /not a real date and time/, "dead letters are shown with their reasons");
  assert.match(text, /is not a known country/, "rejected uploads are shown with their reasons");
  await checkNbformat(t, output);
});

test("08-artmosphere is committed without outputs, as nbformat 4.5 on the tslab kernel, with its parameters and exercises", () => {
  const { nb, parameters: params, source } = checkCommittedNotebook(notebook);
  // classroom rules (issue 16): resources opened once and left open, long work started once and interruptible
  assert.match(source, /openOnce\("lake"/);
  assert.match(source, /openOnce\("warehouse"/);
  assert.match(source, /openOnce\("database"/);
  assert.match(source, /startOnce\("Artmosphere stream"/);
  assert.match(source, /interruptible\(showLivePopularity\(/);
  assert.match(source, /glueQuality\(qualitySummary\(/, "the quality scraps are glued");
  assertLastCellClosesNothing(nb);
  assert.equal(nb.metadata.kernelspec.display_name, "TypeScript");
  const ids = nb.cells.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length, "cell ids are unique");
  for (const name of ["artworks", "artists", "eventsPerSecond", "duration", "query", "day", "seed", "scanBudget"]) assert.match(params, new RegExp(`let ${name} = `));
  assert.match(params, /let solutions = false;/);
  assert.equal((source.match(/PLACEHOLDER;/g) ?? []).length, 3, "three exercises with placeholders");
  for (const scrap of ["artworks_indexed", "search_hits", "similar_pairs", "scan_over_budget", "orders_differ", "windows_written", "countries_on_map", "rejected", "exercises_correct"]) assert.match(source, new RegExp(`glue\\("${scrap}"`));
});
