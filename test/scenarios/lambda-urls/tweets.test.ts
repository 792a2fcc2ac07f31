import assert from "node:assert/strict";
import * as fs from "node:fs";
import { test } from "node:test";
import { readRedirects } from "../../../scenarios/lambda-urls/normalize";
import { generateTweets, LAMBDA_SAMPLE, PAGES, variantOf } from "../../../scenarios/lambda-urls/generate";
import { countUrlHourly, formatCreatedAt, parseCreatedAt, parseTweet } from "../../../scenarios/lambda-urls/tweets";
import { seededRandom } from "../../../lib/random";
import { isWorkbookError } from "../../../lib/errors";

const redirects = readRedirects(LAMBDA_SAMPLE.redirects);
const good = { id: "1366", created_at: "Mon Mar 01 14:02:11 +0000 2021", user: "ada_l", text: "x", urls: ["http://WWW.example.net/recipes/pancakes/?utm_source=tw", "https://bit.ly/pncks7"] };

test("created_at in Twitter's format: parsed with its offset, formatted back, impossible dates refused", () => {
  assert.equal(parseCreatedAt("Mon Mar 01 14:02:11 +0000 2021"), Date.parse("2021-03-01T14:02:11Z"));
  assert.equal(parseCreatedAt("Mon Mar 01 16:02:11 +0200 2021"), Date.parse("2021-03-01T14:02:11Z"));
  assert.equal(formatCreatedAt(Date.parse("2021-03-01T14:02:11Z")), "Mon Mar 01 14:02:11 +0000 2021");
  for (const bad of ["2021-03-01T14:02:11Z", "Mon Feb 30 10:00:00 +0000 2021", "Tue Mar 01 14:02:11 +0000 2021", "Mon Mar 01 25:02:11 +0000 2021", "yesterday"]) assert.equal(parseCreatedAt(bad), undefined, bad);
});

test("parseTweet: a valid tweet's URLs are normalised and counted once per page", () => {
  const p = parseTweet(JSON.stringify(good), { redirects });
  assert.ok(p.ok);
  if (p.ok) assert.deepEqual(p.value.urls, ["https://example.net/recipes/pancakes"], "two forms of one page are one link");
});

test("parseTweet: malformed tweets are rejected with a reason that names the problem", () => {
  const cases: [string, RegExp][] = [
    ['{"id":"1","created_at":"Mon', /not JSON/],
    ["[1,2]", /not a JSON object/],
    [JSON.stringify({ ...good, id: 12.5 }), /id 12\.5 is not a string of digits/],
    [JSON.stringify({ ...good, created_at: undefined }), /created_at is missing/],
    [JSON.stringify({ ...good, created_at: "yesterday" }), /created_at "yesterday" is not Twitter's/],
    [JSON.stringify({ ...good, user: "" }), /user is missing/],
    [JSON.stringify({ ...good, urls: "https://x.com" }), /is not a list/],
    [JSON.stringify({ ...good, urls: [42] }), /urls\[0\] 42 is not a string/],
    [JSON.stringify({ ...good, urls: ["https://example.com", "htp:/x"] }), /urls\[1\]: "htp:\/x" is not an http\(s\) URL/],
    [JSON.stringify({ ...good, urls: ["https://t.co/LoOp0001"] }), /redirect loop/],
  ];
  for (const [text, reason] of cases) {
    const p = parseTweet(text, { redirects });
    assert.equal(p.ok, false, text);
    if (!p.ok) assert.match(p.reason, reason);
  }
});

test("parseTweet reads the Twitter API's shape: id_str or id, user.screen_name, entities.urls[].expanded_url (else url), extended_tweet, else the links in the text", () => {
  const api = { id: 1366441010003, id_str: "1366441010003", created_at: "Mon Mar 01 14:02:11 +0000 2021", user: { id: 7, screen_name: "ada_l" }, text: "Read this https://t.co/x1 and https://t.co/x2" };
  const parse = (o: object) => parseTweet(JSON.stringify(o), { redirects });
  const withEntities = parse({ ...api, entities: { hashtags: [], urls: [{ url: "https://t.co/x1", expanded_url: "https://bit.ly/pncks7", display_url: "bit.ly/pncks7" }, { url: "https://example.com/b/", expanded_url: null }] } });
  assert.deepEqual(withEntities, { ok: true, value: { id: "1366441010003", time: Date.UTC(2021, 2, 1, 14, 2, 11), user: "ada_l", urls: ["https://example.com/b", "https://example.net/recipes/pancakes"] } });
  const extended = parse({ ...api, truncated: true, entities: { urls: [] }, extended_tweet: { full_text: "long", entities: { urls: [{ url: "https://t.co/x3", expanded_url: "https://www.example.org/?utm_source=tw" }] } } });
  assert.ok(extended.ok && extended.value.urls.join() === "https://example.org/", JSON.stringify(extended));
  const textOnly = parse({ id: 5, created_at: api.created_at, user: { screen_name: "grace_h" }, text: "Two: https://Example.com/a/, and (https://example.com/c#x)." });
  assert.ok(textOnly.ok && textOnly.value.id === "5" && textOnly.value.urls.join(" ") === "https://example.com/a https://example.com/c", JSON.stringify(textOnly));
  const none = parse({ ...api, entities: { urls: [] } });
  assert.ok(none.ok && none.value.urls.length === 0, "no links: a valid tweet that counts nowhere");
  for (const [o, reason] of [
    [{ ...api, entities: { urls: "x" } }, /entities\.urls "x" is not a list/],
    [{ ...api, entities: { urls: [{ display_url: "x" }] } }, /entities\.urls\[0\] has neither expanded_url nor url/],
    [{ ...api, user: { id: 7 } }, /user is missing/],
    [{ ...api, id_str: undefined, id: 1.5 }, /is not a string of digits/],
    [{ ...api, entities: { urls: [{ url: "https://t.co/x1", expanded_url: "htp:/x" }] } }, /url\[0\]: "htp:\/x" is not an http\(s\) URL/],
  ] as const) {
    const p = parse(o);
    assert.ok(!p.ok && reason.test(p.reason), JSON.stringify(p));
  }
});

test("countUrlHourly: counts per (hour, canonical URL), each message once by (partition, offset), and in = ok + rejected", () => {
  const at = (time: string, urls: string[]) => JSON.stringify({ ...good, created_at: time, urls });
  const messages = [
    { partition: 0, offset: 0, value: at("Mon Mar 01 14:02:11 +0000 2021", ["https://example.com/a", "http://example.com/a/"]) },
    { partition: 0, offset: 1, value: at("Mon Mar 01 14:59:59 +0000 2021", ["https://www.example.com/a?utm_source=x"]) },
    { partition: 0, offset: 1, value: at("Mon Mar 01 14:59:59 +0000 2021", ["https://www.example.com/a?utm_source=x"]) }, // the same message again
    { partition: 0, offset: 2, value: at("Mon Mar 01 15:00:00 +0000 2021", ["https://example.com/a", "https://example.com/b"]) },
    { partition: 0, offset: 3, value: "not json" },
  ];
  const c = countUrlHourly(messages);
  assert.deepEqual(c.rows, [
    { hour: "2021-03-01T14:00:00.000Z", url: "https://example.com/a", count: 2 },
    { hour: "2021-03-01T15:00:00.000Z", url: "https://example.com/a", count: 1 },
    { hour: "2021-03-01T15:00:00.000Z", url: "https://example.com/b", count: 1 },
  ]);
  assert.equal(c.tweets, 4);
  assert.equal(c.ok + c.rejected.length, c.tweets);
  assert.equal(c.rejected[0].offset, 3);
  const buggy = countUrlHourly(messages, { keepTracking: true });
  assert.ok(buggy.rows.some((r) => r.url === "https://example.com/a?utm_source=x"), "the bug splits the page");
});

test("generateTweets: seeded, every URL form appears, every link normalises to the page it was made from, some tweets are malformed", () => {
  const a = generateTweets({ seed: 3, tweetsPerHour: 200, hours: 3 });
  const b = generateTweets({ seed: 3, tweetsPerHour: 200, hours: 3 });
  assert.deepEqual(a.tweets.map((x) => x.value), b.tweets.map((x) => x.value));
  assert.notDeepEqual(generateTweets({ seed: 4, tweetsPerHour: 200, hours: 3 }).tweets.map((x) => x.value), a.tweets.map((x) => x.value));
  assert.equal(a.tweets.length, 600);
  const urls = a.tweets.filter((x) => !x.malformed).flatMap((x) => (JSON.parse(x.value) as { urls: string[] }).urls);
  for (const [form, re] of [["http", /^http:/], ["www", /\/\/www\./i], ["upper-case host", /\/\/[^/]*[A-Z]/], ["default port", /:(80|443)\//], ["trailing slash", /[^/]\/(\?|#|$)/], ["utm", /utm_/], ["other tracking", /fbclid|gclid|si=/], ["fragment", /#/], ["short link", /bit\.ly|t\.co|ow\.ly|buff\.ly|tinyurl/]] as const) {
    assert.ok(urls.some((u) => re.test(u)), `some URL has the form: ${form}`);
  }
  for (const t of a.tweets.filter((x) => !x.malformed)) {
    const p = parseTweet(t.value, { redirects });
    assert.ok(p.ok, t.value);
    if (p.ok) assert.deepEqual(p.value.urls, [...new Set(t.pages)].sort(), t.value);
  }
  const bad = a.tweets.filter((x) => x.malformed);
  assert.equal(bad.length, a.truth.malformed);
  assert.ok(bad.length > 3);
  for (const t of bad) assert.equal(parseTweet(t.value, { redirects }).ok, false, t.value);
  assert.ok(PAGES.every((p) => variantOf(p, seededRandom(1), []).length > 0));
  assert.throws(() => generateTweets({ hours: 0 }), (e) => isWorkbookError(e, "OPTIONS_INVALID") && /hours=0/.test(e.message));
});

test("the committed sample data/lambda-urls/tweets.ndjson is the generator's output (seed 7, 20 per hour, 3 hours, 10% malformed), bad tweets included", () => {
  const lines = fs.readFileSync(LAMBDA_SAMPLE.tweets, "utf8").trimEnd().split("\n");
  assert.deepEqual(lines, generateTweets({ seed: 7, tweetsPerHour: 20, hours: 3, malformedShare: 0.1 }).tweets.map((t) => t.value));
  const c = countUrlHourly(lines.map((value, offset) => ({ partition: 0, offset, value })), { redirects });
  assert.equal(c.tweets, 60);
  assert.ok(c.rejected.length > 0);
  assert.equal(c.ok + c.rejected.length, 60);
});
