/**
 * Every checker: its expected value pinned independently (a canonical URL written by hand; a count
 * of the raw tweets by plain TypeScript over their JSON, with the redirects read from the CSV, not by
 * the pipeline's normalizeUrl and countUrlHourly), typical wrong answers failing with their own nudge.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { PLACEHOLDER } from "../../../lib/teach/exercise";
import { EXERCISE_URL, lambdaExercises } from "../../../scenarios/lambda-urls/exercises";
import { LAMBDA_SAMPLE, generateTweets } from "../../../scenarios/lambda-urls/generate";
import { readRedirects } from "../../../scenarios/lambda-urls/normalize";
import { countUrlHourly } from "../../../scenarios/lambda-urls/tweets";

const redirects = readRedirects(LAMBDA_SAMPLE.redirects);
const data = generateTweets({ seed: 7, tweetsPerHour: 80, hours: 3, redirects });
const reference = countUrlHourly(data.tweets.map((t, offset) => ({ partition: 0, offset, value: t.value })), { redirects }).rows;
const page = "https://blog.example.com/posts/lambda-architecture";
const range = { from: "2021-03-01T00:00:00.000Z", to: "2021-03-01T02:00:00.000Z" };
const ex = lambdaExercises({ redirects, reference: async () => reference, hour: "2021-03-01T00:00:00.000Z", page, range });

/** Tweets of the raw JSON in [from, to) with a link that ends (after short links) on `host`, counted once per distinct page. */
function tweetsToHost(host: string, from: string, to: string): number {
  const short = new Map(fs.readFileSync(LAMBDA_SAMPLE.redirects, "utf8").trim().split("\n").slice(1).map((l) => l.split(",") as [string, string]));
  let n = 0;
  for (const t of data.tweets) {
    let tweet: { created_at?: string; urls?: unknown };
    try {
      tweet = JSON.parse(t.value) as typeof tweet;
    } catch {
      continue;
    }
    const at = Date.parse(tweet.created_at ?? "");
    if (!Array.isArray(tweet.urls) || Number.isNaN(at) || at < Date.parse(from) || at >= Date.parse(to)) continue;
    const pages = new Set<string>();
    for (const u of tweet.urls as string[]) {
      let target = u;
      for (let hops = 0; short.has(target) && hops < 5; hops++) target = short.get(target)!;
      try {
        const url = new URL(target);
        if (url.host.toLowerCase().replace(/^www\./, "") === host) pages.add(url.pathname.replace(/\/$/, ""));
      } catch {
        // not a URL
      }
    }
    n += pages.size;
  }
  return n;
}

test("every checker: the placeholder is not attempted, the expected value is pinned independently, typical wrong answers fail with their nudge", async () => {
  for (const e of [ex.canonical, ex.hourCount, ex.hostCount] as const) assert.equal((await (e.verdict as (a: unknown) => Promise<{ status: string }>)(PLACEHOLDER)).status, "not-attempted");

  // 1. by hand: HTTP -> https, WWW. and :80 dropped, host lower-cased, trailing slash, utm_* and #comments dropped
  assert.equal(EXERCISE_URL, "HTTP://WWW.Example.NET:80/recipes/waffles/?utm_source=twitter&utm_medium=social#comments");
  assert.equal(await ex.canonical.expected(), "https://example.net/recipes/waffles");
  const wrong = await ex.canonical.verdict("https://www.example.net/recipes/waffles/");
  assert.match(wrong.message, /does not change the page is still in it/);
  assert.ok(!wrong.message.includes("https://example.net/recipes/waffles\""), "the expected value is not quoted");
  assert.match((await ex.canonical.verdict("http://example.net/recipes/waffles")).message, /https/);
  assert.equal((await ex.canonical.verdict("https://example.net/recipes/waffles")).status, "correct");

  // 2. the page's tweets in the first hour
  const count = await ex.hourCount.expected();
  assert.equal(count, tweetsToHost("blog.example.com", "2021-03-01T00:00:00Z", "2021-03-01T01:00:00Z"), "blog.example.com has one page: the exercise's");
  assert.ok(count > 0);
  assert.equal((await ex.hourCount.verdict(count)).status, "correct");
  assert.match((await ex.hourCount.verdict(count + 1)).message, /check the hour/);
  assert.match((await ex.hourCount.verdict(1.5)).message, /whole number/);

  // 3. the host's tweets in the first two hours: two pages (markets-open and markets-close)
  const hostTotal = await ex.hostCount.expected();
  assert.equal(hostTotal, tweetsToHost("news.example.org", range.from, range.to));
  const open = reference.filter((r) => r.url.includes("markets-open") && r.hour < range.to).reduce((s, r) => s + r.count, 0);
  assert.ok(open > 0 && open < hostTotal);
  assert.match((await ex.hostCount.verdict(open)).message, /That is one page/);
  assert.match((await ex.hostCount.verdict(tweetsToHost("news.example.org", range.from, "2021-03-01T03:00:00Z"))).message, /every hour of the run/);
  assert.equal((await ex.hostCount.verdict(hostTotal)).status, "correct");
});
