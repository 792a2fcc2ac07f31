/**
 * Lambda URL counts on the user's own tweets (test/fixtures/user-files/tweets.jsonl, in the Twitter
 * API's shape, made by hand); the answers, worked out by hand, are in ../user-files.ts.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { LAMBDA_SAMPLE } from "../../../scenarios/lambda-urls/generate";
import { readRedirects } from "../../../scenarios/lambda-urls/normalize";
import { distinctUrlsPerHour } from "../../../scenarios/lambda-urls/scenario";
import { countUrlHourly } from "../../../scenarios/lambda-urls/tweets";
import { readTweetFiles, urlsAsWritten } from "../../../scenarios/lambda-urls/user-files";
import { tempDir } from "../../lib/stream/helpers";
import { startTestRun } from "./helpers";
import { TWEETS_BY_HAND, TWEETS_FILE } from "../user-files";

const redirects = readRedirects(LAMBDA_SAMPLE.redirects);

test("readTweetFiles: the user's API-shaped tweets in file order, stamped with the stream's time, bad ones marked; the reference count gives the answers by hand", async () => {
  const data = await readTweetFiles(TWEETS_FILE, { redirects });
  assert.deepEqual([data.truth.tweets, data.truth.malformed], [TWEETS_BY_HAND.tweets, TWEETS_BY_HAND.rejected]);
  assert.deepEqual(data.tweets.map((t) => t.malformed ? "x" : "."), [".", ".", ".", ".", "x", "x", ".", ".", ".", ".", "x", "x"]);
  assert.deepEqual([data.truth.start, data.truth.end], [Date.UTC(2021, 2, 1, 14), Date.UTC(2021, 2, 1, 16)]);
  assert.equal(data.tweets[8].timestamp, Date.UTC(2021, 2, 1, 15, 20), "the late tweet (14:55) is sent when the stream is at 15:20");
  assert.deepEqual(urlsAsWritten(data.tweets[1].value), ["http://WWW.Example.net/recipes/pancakes/?utm_source=twitter"]);
  assert.deepEqual(urlsAsWritten(data.tweets[3].value), ["https://news.example.org/2021/03/01/markets-open/"], "no entities: the text's link");
  const c = countUrlHourly(data.tweets.map((t, offset) => ({ partition: 0, offset, value: t.value })), { redirects });
  assert.deepEqual(c.rows, TWEETS_BY_HAND.rows);
  assert.deepEqual(c.rejected.map((r) => r.offset), [4, 5, 10, 11]);
  assert.deepEqual(distinctUrlsPerHour(c.rows), TWEETS_BY_HAND.distinctUrlsPerHour);
});

test("readTweetFiles says which line is wrong when a file holds no tweet", async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, "t.jsonl"), "{\"text\":\"hi\"}\n");
  await assert.rejects(readTweetFiles(dir), (err: Error) => isWorkbookError(err, "INPUT_INVALID") && /1 line\(s\) and no valid tweet \(line 1 of t\.jsonl: id undefined is not a string of digits\)/.test(err.message));
});

test("the lambda run on the user's tweets: both layers, merged, give the distinct URLs per hour worked out by hand", { timeout: 120_000 }, async (t) => {
  const tweets = await readTweetFiles(TWEETS_FILE, { redirects });
  const run = await startTestRun(t, { tweets, blockSize: 4, speed: 0 });
  await run.drain();
  const batch = await run.runBatch();
  assert.equal(batch.coverage.rejected, TWEETS_BY_HAND.rejected);
  const view = await run.merged();
  assert.deepEqual(view.rows.map((r) => ({ hour: r.hour, url: r.url, count: r.count })), TWEETS_BY_HAND.rows);
  assert.deepEqual(distinctUrlsPerHour(view.rows), TWEETS_BY_HAND.distinctUrlsPerHour);
  const stats = run.speed.processor.stats();
  assert.deepEqual([stats.in, stats.ok, stats.rejected], [TWEETS_BY_HAND.tweets, TWEETS_BY_HAND.ok, TWEETS_BY_HAND.rejected]);
});
