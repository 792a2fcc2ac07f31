import assert from "node:assert/strict";
import { test } from "node:test";
import { PLACEHOLDER } from "../../../lib/teach/exercise";
import { lambdaExercises } from "../../../scenarios/lambda-urls/exercises";
import { LAMBDA_SAMPLE, generateTweets } from "../../../scenarios/lambda-urls/generate";
import { readRedirects } from "../../../scenarios/lambda-urls/normalize";
import { countUrlHourly } from "../../../scenarios/lambda-urls/tweets";

const redirects = readRedirects(LAMBDA_SAMPLE.redirects);
const data = generateTweets({ seed: 7, tweetsPerHour: 80, hours: 3, redirects });
const reference = countUrlHourly(data.tweets.map((t, offset) => ({ partition: 0, offset, value: t.value })), { redirects }).rows;
const page = "https://blog.example.com/posts/lambda-architecture";
const ex = lambdaExercises({ redirects, reference: async () => reference, hour: "2021-03-01T00:00:00.000Z", page, range: { from: "2021-03-01T00:00:00.000Z", to: "2021-03-01T02:00:00.000Z" } });

test("every checker: the placeholder is not attempted, a typical wrong answer fails, the reference solution passes", async () => {
  for (const e of [ex.canonical, ex.hourCount, ex.topPage] as const) assert.equal((await (e.verdict as (a: unknown) => Promise<{ status: string }>)(PLACEHOLDER)).status, "not-attempted");
  assert.equal((await ex.canonical.verdict(await ex.canonical.solution())).status, "correct");
  assert.equal(await ex.canonical.solution(), "https://example.net/recipes/pancakes");
  const wrong = await ex.canonical.verdict("https://www.example.net/recipes/pancakes/");
  assert.equal(wrong.status, "incorrect");
  assert.ok(!wrong.message.includes("https://example.net/recipes/pancakes\""), "the expected value is not quoted");
  assert.equal((await ex.canonical.verdict("http://example.net/recipes/pancakes")).status, "incorrect");

  const count = await ex.hourCount.solution();
  assert.equal(count, reference.find((r) => r.hour === "2021-03-01T00:00:00.000Z" && r.url === page)?.count);
  assert.ok(count > 0);
  assert.equal((await ex.hourCount.verdict(count)).status, "correct");
  assert.equal((await ex.hourCount.verdict(count + 1)).status, "incorrect");

  const top = await ex.topPage.solution();
  assert.match(top, /^https:\/\//);
  assert.equal((await ex.topPage.verdict(top)).status, "correct");
  assert.equal((await ex.topPage.verdict("https://example.org/")).status, "incorrect");
  assert.equal((await ex.topPage.verdict(`${top}?utm_source=twitter`)).status, "incorrect", "a split URL is not the page");
});
