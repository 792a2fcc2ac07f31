/**
 * One canonical form per page, with the WHATWG URL parser (Node's global `URL`, as browsers parse):
 *
 *   https://example.net/recipes/pancakes
 *     <- http://WWW.Example.NET:80/recipes/pancakes/?utm_source=twitter#comments
 *     <- https://bit.ly/3pNcK (through the redirect table shipped with the sample)
 *
 * The rules, in order: only http(s) URLs; the parser lower-cases the host, drops the scheme's default
 * port and resolves `.` and `..`; then the scheme becomes https, a leading `www.` and a trailing dot
 * of the host go, credentials go, a trailing slash of the path goes (not the root's), tracking
 * parameters (utm_*, fbclid, gclid, ...) go unless `keepTracking` (the bug the notebook plants), the
 * other parameters are sorted by name (their values keep their order), and the fragment goes. A
 * short link is then looked up in the redirect table and its target normalised the same way
 * (chains followed, loops rejected). What stays distinct: another path (paths are case-sensitive),
 * another non-tracking parameter value, another host or subdomain, another non-default port.
 */
import * as fs from "node:fs";
import { WorkbookError } from "../../lib/errors";

/** Query parameters that say where a click came from, not which page it is. */
export const TRACKING_PARAMS: readonly string[] = ["fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "ref_src", "ref_url", "si", "_hsenc", "_hsmi"];

/** Hosts whose links are shortened links, to expand through the redirect table. */
export const SHORTENER_HOSTS: readonly string[] = ["bit.ly", "t.co", "ow.ly", "buff.ly", "tinyurl.com"];

/** Short link (normalised) -> where it redirects (as written in the table). */
export type RedirectTable = ReadonlyMap<string, string>;

export interface NormalizeOptions {
  /** Short links and their targets. Default: none (short links stay as they are). */
  redirects?: RedirectTable;
  /** Keep tracking parameters: the normalisation bug of the notebook's fault-tolerance lesson. Default false. */
  keepTracking?: boolean;
}

export type Normalized = { ok: true; url: string } | { ok: false; reason: string };

/** At most this many redirects are followed. */
export const MAX_REDIRECTS = 5;

function isTracking(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith("utm_") || TRACKING_PARAMS.includes(n);
}

/** Whether a URL (already normalised, or any absolute URL) still carries a tracking parameter. */
export function hasTracking(url: string): boolean {
  try {
    return [...new URL(url).searchParams.keys()].some(isTracking);
  } catch {
    return false;
  }
}

/** One URL without the redirect step; the reason when it is not an http(s) URL. */
function canonical(raw: string, keepTracking: boolean): Normalized {
  const text = raw.trim();
  if (!/^https?:\/\//i.test(text)) return { ok: false, reason: `${JSON.stringify(raw)} is not an http(s) URL` };
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return { ok: false, reason: `${JSON.stringify(raw)} is not a valid URL (the WHATWG URL parser rejects it)` };
  }
  if (u.hostname === "") return { ok: false, reason: `${JSON.stringify(raw)} has no host` };
  u.protocol = "https:"; // also drops a port that is https's default
  u.username = "";
  u.password = "";
  let host = u.hostname.replace(/\.$/, "");
  if (host.startsWith("www.") && host.length > 4) host = host.slice(4);
  u.hostname = host;
  if (u.pathname.length > 1 && u.pathname.endsWith("/")) u.pathname = u.pathname.replace(/\/+$/, "") || "/";
  const params = [...u.searchParams].filter(([name]) => keepTracking || !isTracking(name));
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  u.search = params.length ? new URLSearchParams(params).toString() : "";
  u.hash = "";
  return { ok: true, url: u.toString() };
}

/** The canonical form of `raw`, or the reason it has none. */
export function normalizeUrl(raw: string, options: NormalizeOptions = {}): Normalized {
  const keepTracking = options.keepTracking ?? false;
  let current = canonical(raw, keepTracking);
  const seen: string[] = [];
  while (current.ok && options.redirects) {
    // look a short link up by its form without tracking parameters (a short link's path is its key)
    const key = keepTracking ? canonical(current.url, false) : current;
    const target = key.ok ? options.redirects.get(key.url) : undefined;
    if (target === undefined) break;
    seen.push(current.url);
    if (seen.length > MAX_REDIRECTS) return { ok: false, reason: `${JSON.stringify(raw)} redirects more than ${MAX_REDIRECTS} times` };
    const next = canonical(target, keepTracking);
    if (!next.ok) return { ok: false, reason: `${JSON.stringify(raw)} redirects to ${next.reason}` };
    if (seen.includes(next.url)) return { ok: false, reason: `${JSON.stringify(raw)} is in a redirect loop (${[...seen, next.url].join(" -> ")})` };
    current = next;
  }
  return current;
}

/** True when `raw` is a link of a shortener host (bit.ly, t.co, ...). */
export function isShortLink(raw: string): boolean {
  try {
    return SHORTENER_HOSTS.includes(new URL(raw).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/**
 * Parses a redirect table: CSV with the header `short_url,target_url`, one redirect a line (no
 * quoting: URLs have no commas here). Keys are normalised, so any form of a short link finds it.
 */
export function parseRedirects(text: string, source = "the redirect table"): Map<string, string> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines[0]?.trim() !== "short_url,target_url") {
    throw new WorkbookError("INPUT_INVALID", `${source} must start with the header "short_url,target_url"; it starts with ${JSON.stringify(lines[0] ?? "")}.`);
  }
  const table = new Map<string, string>();
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(",");
    const short = cells[0] ? canonical(cells[0], false) : undefined;
    if (cells.length !== 2 || !short?.ok || !/^https?:\/\//i.test(cells[1].trim())) {
      throw new WorkbookError("INPUT_INVALID", `line ${i + 2} of ${source} is not "short_url,target_url" with two http(s) URLs: ${JSON.stringify(line)}; fix or remove that line.`);
    }
    table.set(short.url, cells[1].trim());
  });
  return table;
}

/** Reads a redirect table file (see parseRedirects). */
export function readRedirects(file: string): Map<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new WorkbookError("INPUT_UNREADABLE", `cannot read the redirect table ${JSON.stringify(file)}: ${(err as Error).message}; give the path of a short_url,target_url CSV file.`, { cause: err });
  }
  return parseRedirects(text, file);
}
