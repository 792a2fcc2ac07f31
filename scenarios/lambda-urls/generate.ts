/**
 * A seeded generator of tweets linking to a few pages, each link written in the forms real tweets
 * have: http or https, with `www.` or not, an upper-case host, the default port, a trailing slash,
 * utm_* and other tracking parameters, a fragment, or a short link from the redirect table. A few
 * tweets are malformed (not JSON, no created_at, a bad date, urls not a list, a URL that is no URL).
 * Tweets come in created_at order, some a little late (up to 20 minutes), as a stream does.
 */
import * as path from "node:path";
import { projectRoot } from "../../lib/paths";
import { seededRandom } from "../../lib/random";
import { WorkbookError } from "../../lib/errors";
import { normalizeUrl, readRedirects, type RedirectTable } from "./normalize";
import { formatCreatedAt, HOUR_MS } from "./tweets";

/** The committed sample data: the redirect table and a small file of tweets. */
export const LAMBDA_SAMPLE = {
  redirects: path.join(projectRoot, "data", "lambda-urls", "redirects.csv"),
  tweets: path.join(projectRoot, "data", "lambda-urls", "tweets.ndjson"),
};

/** The first hour of generated tweets. */
export const DEFAULT_START = "2021-03-01T00:00:00.000Z";

/** The pages tweets link to (canonical forms), most popular first. `www`: the site also answers at www. */
export const PAGES: readonly { url: string; www?: boolean }[] = [
  { url: "https://blog.example.com/posts/lambda-architecture" },
  { url: "https://example.net/recipes/pancakes", www: true },
  { url: "https://news.example.org/2021/03/01/markets-open" },
  { url: "https://shop.example.com/product?id=42" },
  { url: "https://science.example.org/articles/fusion-record" },
  { url: "https://video.example.com/watch?v=abc123" },
  { url: "https://weather.example.net/forecast/london" },
  { url: "https://example.com/about", www: true },
  { url: "https://shop.example.com/product?id=43" },
  { url: "https://docs.example.com/Guide/Intro" },
  { url: "https://docs.example.com/guide/intro" },
  { url: "https://example.org/", www: true },
  { url: "https://example.com:8443/dashboard", www: true },
  { url: "https://news.example.org/2021/03/01/markets-close" },
];

const USERS = ["ada_l", "grace_h", "alan_t", "edsger_d", "barbara_l", "ken_t", "dennis_r", "margaret_h", "donald_k", "frances_a", "john_m", "radia_p"];
const WORDS = ["Worth a read", "Wow", "This!", "Interesting take", "cc @team", "Finally", "Bookmarking", "Thread below", "Good morning", "via @friend"];
const TRACKING = ["utm_source=twitter", "utm_source=twitter&utm_medium=social", "utm_campaign=spring&utm_source=tw", "fbclid=IwAR2x9", "gclid=Cj0KCQ", "si=Ab12"];

export interface GenerateTweetsOptions {
  /** Default 7. */
  seed?: number;
  /** Tweets in each hour. Default 120. */
  tweetsPerHour?: number;
  /** Hours of tweets. Default 6. */
  hours?: number;
  /** The first hour (ISO, UTC). Default 2021-03-01T00:00Z. */
  start?: string;
  /** Share of malformed tweets. Default 0.02. */
  malformedShare?: number;
  /** Short links to use. Default: the sample's redirect table. */
  redirects?: RedirectTable;
}

/** One generated message: its text and the time the producer stamps on it (the tweet's time). */
export interface GeneratedTweet {
  value: string;
  timestamp: number;
  /** The page (canonical URL) each link points to; empty for a malformed tweet. */
  pages: string[];
  malformed: boolean;
}

export interface GeneratedTweets {
  tweets: GeneratedTweet[];
  /** The generator's ledger. */
  truth: { tweets: number; malformed: number; start: number; end: number };
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}

/** Writes one page in one of the forms tweets have. */
export function variantOf(page: { url: string; www?: boolean }, rnd: () => number, shortLinks: readonly string[]): string {
  if (shortLinks.length > 0 && rnd() < 0.25) return pick(rnd, shortLinks);
  const u = new URL(page.url);
  const scheme = rnd() < 0.3 ? "http" : "https";
  let host = u.hostname;
  if (page.www && rnd() < 0.5) host = `www.${host}`;
  const casing = rnd();
  if (casing < 0.15) host = host.toUpperCase();
  else if (casing < 0.3) host = host.replace(/^./, (c) => c.toUpperCase());
  const port = u.port ? `:${u.port}` : rnd() < 0.1 ? (scheme === "http" ? ":80" : ":443") : "";
  let pathname = u.pathname;
  if (pathname !== "/" && rnd() < 0.25) pathname += "/";
  const params = u.search ? [u.search.slice(1)] : [];
  if (rnd() < 0.35) params.push(pick(rnd, TRACKING));
  if (params.length > 1 && rnd() < 0.5) params.reverse();
  const fragment = rnd() < 0.1 ? pick(rnd, ["#comments", "#top", "#section-2"]) : "";
  return `${scheme}://${host}${port}${pathname}${params.length ? `?${params.join("&")}` : ""}${fragment}`;
}

function malformed(rnd: () => number, id: string, time: number, user: string): string {
  const good = { id, created_at: formatCreatedAt(time), user, text: "broken https://example.com/about", urls: ["https://example.com/about"] };
  switch (Math.floor(rnd() * 6)) {
    case 0:
      return JSON.stringify(good).slice(0, 40); // cut off mid-object
    case 1: {
      const { created_at: _drop, ...rest } = good;
      return JSON.stringify(rest);
    }
    case 2:
      return JSON.stringify({ ...good, created_at: "yesterday at noon" });
    case 3:
      return JSON.stringify({ ...good, urls: "https://example.com/about" });
    case 4:
      return JSON.stringify({ ...good, urls: ["htp:/example.com/about"] });
    default:
      return JSON.stringify({ ...good, urls: ["https://t.co/LoOp0001"] }); // a short link that redirects in a loop
  }
}

/** Generates tweets (seeded: the same options give the same tweets). */
export function generateTweets(options: GenerateTweetsOptions = {}): GeneratedTweets {
  const seed = options.seed ?? 7;
  const perHour = options.tweetsPerHour ?? 120;
  const hours = options.hours ?? 6;
  const share = options.malformedShare ?? 0.02;
  const start = Date.parse(options.start ?? DEFAULT_START);
  for (const [name, v, min] of [["tweetsPerHour", perHour, 1], ["hours", hours, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new WorkbookError("OPTIONS_INVALID", `${name}=${JSON.stringify(v)} is not a whole number of at least ${min}; use e.g. ${name}: ${name === "hours" ? 6 : 120}.`);
  }
  if (!Number.isFinite(start)) throw new WorkbookError("OPTIONS_INVALID", `start ${JSON.stringify(options.start)} is not an ISO time; use e.g. "${DEFAULT_START}".`);
  if (!(share >= 0 && share < 1)) throw new WorkbookError("OPTIONS_INVALID", `malformedShare=${share} must be at least 0 and below 1, e.g. 0.02.`);
  const redirects = options.redirects ?? readRedirects(LAMBDA_SAMPLE.redirects);
  const shortFor = new Map<string, string[]>();
  for (const short of redirects.keys()) {
    const n = normalizeUrl(short, { redirects });
    if (n.ok) shortFor.set(n.url, [...(shortFor.get(n.url) ?? []), short]);
  }
  const rnd = seededRandom(seed);
  const weights = PAGES.map((_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pickPage = () => {
    let x = rnd() * total;
    for (const [i, w] of weights.entries()) if ((x -= w) < 0) return PAGES[i];
    return PAGES[PAGES.length - 1];
  };
  const n = perHour * hours;
  const span = hours * HOUR_MS;
  const tweets: GeneratedTweet[] = [];
  let malformedCount = 0;
  for (let i = 0; i < n; i++) {
    const onTime = start + Math.floor(((i + rnd()) / n) * span);
    const late = rnd() < 0.05 ? Math.floor(rnd() * 20 * 60_000) : 0;
    const time = Math.max(start, onTime - late);
    const id = String(1366100000000 + i * 7 + Math.floor(rnd() * 7));
    const user = pick(rnd, USERS);
    if (rnd() < share) {
      malformedCount++;
      tweets.push({ value: malformed(rnd, id, time, user), timestamp: time, pages: [], malformed: true });
      continue;
    }
    const links = rnd() < 0.1 ? 0 : rnd() < 0.85 ? 1 : 2;
    const pages = Array.from({ length: links }, pickPage);
    const urls = pages.map((p) => variantOf(p, rnd, shortFor.get(p.url) ?? []));
    const text = [pick(rnd, WORDS), ...urls].join(" ");
    tweets.push({ value: JSON.stringify({ id, created_at: formatCreatedAt(time), user, text, urls }), timestamp: time, pages: pages.map((p) => p.url), malformed: false });
  }
  return { tweets, truth: { tweets: n, malformed: malformedCount, start, end: start + span } };
}
