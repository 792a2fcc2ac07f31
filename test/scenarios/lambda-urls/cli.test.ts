/** The lambda batch layer from a terminal: generate tweets into a topic, run the DAG, read the view. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../../helpers";

test("workbook data tweets --topic, then workbook dag run lambda_url_counts archives the topic and recomputes url_hourly", { timeout: 240_000 }, async (t) => {
  const home = path.join(tempDir(t), "home");
  const env = { WORKBOOK_HOME: home, DATABASE_URL: "" };
  const data = await runCli(["data", "tweets", "--tweets-per-hour", "30", "--hours", "2", "--topic", "tweets-cli"], { env, timeoutMs: 120_000 });
  assert.equal(data.code, 0, data.stderr);
  assert.match(data.stdout, /wrote 60 tweets \(\d+ malformed\) to .*tweets\.ndjson/);
  assert.match(data.stdout, /sent them to the topic tweets-cli/);
  assert.equal(fs.readFileSync(path.join(home, "lambda-urls", "tweets.ndjson"), "utf8").trimEnd().split("\n").length, 60);
  const bad = await runCli(["data", "tweets", "--hours", "many"], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--hours "many" is not a positive integer/);

  const list = await runCli(["dag", "list"], { env });
  assert.match(list.stdout, /lambda_url_counts/);
  const run = await runCli(["dag", "run", "lambda_url_counts", "--logical-date", "2021-03-01", "-p", "topic", "tweets-cli", "-p", "blockSize", "10"], { env, timeoutMs: 180_000 });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const q = await runCli(["query", "SELECT covered_offset, tweets, rejected FROM url_hourly_coverage"], { env });
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /\b60\b/, "the batch covers the 60 tweets (a multiple of the block size)");
  const n = await runCli(["query", "SELECT SUM(count) AS links FROM url_hourly"], { env });
  assert.equal(n.code, 0, n.stderr);
  assert.match(n.stdout, /links/);
});
