import assert from "node:assert/strict";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { isShortLink, normalizeUrl, parseRedirects, readRedirects } from "../../../scenarios/lambda-urls/normalize";
import { LAMBDA_SAMPLE } from "../../../scenarios/lambda-urls/generate";

const PAGE = "https://example.net/recipes/pancakes";
const norm = (u: string, o = {}) => {
  const n = normalizeUrl(u, o);
  assert.ok(n.ok, `${u}: ${n.ok ? "" : n.reason}`);
  return n.url;
};

for (const [name, raw] of [
  ["http becomes https", "http://example.net/recipes/pancakes"],
  ["www. is dropped", "https://www.example.net/recipes/pancakes"],
  ["an upper-case host is lower-cased", "https://EXAMPLE.Net/recipes/pancakes"],
  ["https's default port is dropped", "https://example.net:443/recipes/pancakes"],
  ["http's default port is dropped", "http://example.net:80/recipes/pancakes"],
  ["a trailing slash is dropped", "https://example.net/recipes/pancakes/"],
  ["utm_* parameters are dropped", "https://example.net/recipes/pancakes?utm_source=twitter&utm_medium=social"],
  ["fbclid and gclid are dropped", "https://example.net/recipes/pancakes?fbclid=IwAR2x9&gclid=Cj0"],
  ["a fragment is dropped", "https://example.net/recipes/pancakes#comments"],
  ["credentials are dropped", "https://user:pw@example.net/recipes/pancakes"],
  ["a trailing dot of the host is dropped", "https://example.net./recipes/pancakes"],
  ["dot segments are resolved", "https://example.net/recipes/x/../pancakes"],
  ["everything at once", "HTTP://WWW.Example.NET:80/recipes/pancakes/?utm_source=twitter&utm_campaign=x#top"],
  ["surrounding spaces", "  https://example.net/recipes/pancakes  "],
] as const) {
  test(`normalizeUrl: ${name}`, () => assert.equal(norm(raw), PAGE));
}

test("normalizeUrl: other parameters stay, sorted by name, with their values", () => {
  assert.equal(norm("https://shop.example.com/product?utm_source=tw&id=42"), "https://shop.example.com/product?id=42");
  assert.equal(norm("https://shop.example.com/p?b=2&a=1&utm_medium=x"), "https://shop.example.com/p?a=1&b=2");
  assert.equal(norm("https://video.example.com/watch?v=abc123&si=Xy9"), "https://video.example.com/watch?v=abc123");
});

test("normalizeUrl: the root keeps its slash", () => {
  assert.equal(norm("http://www.example.org"), "https://example.org/");
  assert.equal(norm("http://www.example.org/"), "https://example.org/");
});

test("normalizeUrl: URLs of different pages stay distinct", () => {
  const distinct = [
    "https://docs.example.com/Guide/Intro", // paths are case-sensitive
    "https://docs.example.com/guide/intro",
    "https://shop.example.com/product?id=42", // another non-tracking parameter value
    "https://shop.example.com/product?id=43",
    "https://example.com/about",
    "https://blog.example.com/about", // another subdomain
    "https://example.com:8443/about", // another port
    "https://example.com/about/team", // another path
    "https://example.com/about?lang=fr",
  ];
  const forms = distinct.map((u) => norm(u));
  assert.equal(new Set(forms).size, distinct.length, forms.join("\n"));
});

test("normalizeUrl: keepTracking (the planted bug) keeps tracking parameters, so one page gets several forms", () => {
  const a = norm("https://example.net/recipes/pancakes?utm_source=twitter", { keepTracking: true });
  assert.equal(a, "https://example.net/recipes/pancakes?utm_source=twitter");
  assert.notEqual(a, norm("https://example.net/recipes/pancakes", { keepTracking: true }));
  assert.equal(norm("https://example.net/recipes/pancakes?utm_source=twitter"), PAGE);
});

test("normalizeUrl: what is not an http(s) URL is rejected with the reason", () => {
  for (const [raw, reason] of [
    ["htp:/example.com/about", /not an http\(s\) URL/],
    ["ftp://example.com/file", /not an http\(s\) URL/],
    ["example.com/about", /not an http\(s\) URL/],
    ["http://exa mple.com/", /not a valid URL/],
    ["https://[::1/", /not a valid URL/],
  ] as const) {
    const n = normalizeUrl(raw);
    assert.equal(n.ok, false, raw);
    if (!n.ok) {
      assert.match(n.reason, reason);
      assert.ok(n.reason.includes(JSON.stringify(raw)), "the reason quotes the value");
    }
  }
});

test("short links expand through the redirect table, in any form, through chains; loops are rejected", () => {
  const redirects = readRedirects(LAMBDA_SAMPLE.redirects);
  assert.equal(norm("https://bit.ly/pncks7", { redirects }), PAGE);
  assert.equal(norm("http://BIT.LY/pncks7/?utm_source=tw", { redirects }), PAGE);
  assert.equal(norm("https://t.co/AbC123xz", { redirects }), "https://blog.example.com/posts/lambda-architecture"); // t.co -> bit.ly -> the page
  assert.equal(norm("https://bit.ly/PNCKS7", { redirects }), "https://bit.ly/PNCKS7", "short link paths are case-sensitive: an unknown one stays itself");
  const loop = normalizeUrl("https://t.co/LoOp0001", { redirects });
  assert.equal(loop.ok, false);
  assert.match(loop.ok ? "" : loop.reason, /redirect loop/);
  assert.equal(isShortLink("https://t.co/x"), true);
  assert.equal(isShortLink("https://example.com/x"), false);
});

test("with the bug on, a short link still expands (the table is keyed by the clean form) and its target keeps its tracking parameters", () => {
  const redirects = readRedirects(LAMBDA_SAMPLE.redirects);
  assert.equal(norm("https://ow.ly/shop42", { redirects, keepTracking: true }), "https://shop.example.com/product?id=42&utm_medium=social");
  assert.equal(norm("https://ow.ly/shop42", { redirects }), "https://shop.example.com/product?id=42");
});

test("parseRedirects: a bad header or line is a clear INPUT_INVALID error naming it", () => {
  assert.throws(() => parseRedirects("from,to\nhttps://a/b,https://c/d\n", "r.csv"), (e) => isWorkbookError(e, "INPUT_INVALID") && /header "short_url,target_url"/.test(e.message));
  assert.throws(() => parseRedirects("short_url,target_url\nhttps://bit.ly/x,not a url\n", "r.csv"), (e) => isWorkbookError(e, "INPUT_INVALID") && /line 2 of r\.csv/.test(e.message));
  assert.throws(() => readRedirects("/nonexistent/redirects.csv"), (e) => isWorkbookError(e, "INPUT_UNREADABLE"));
});
