/**
 * The notebook's exercises, with their reference solutions; expected values come from the
 * reference code (normalizeUrl, the full recomputation), never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import { normalizeUrl, type RedirectTable } from "./normalize";
import type { UrlHourlyRow } from "./tweets";

/** The URL of exercise 1. */
export const EXERCISE_URL = "HTTP://WWW.Example.NET:80/recipes/waffles/?utm_source=twitter&utm_medium=social#comments";

/** The host of exercise 3 (two of the sample's pages are on it). */
export const EXERCISE_HOST = "news.example.org";

export interface LambdaExercises {
  canonical: Exercise<string>;
  hourCount: Exercise<number>;
  hostCount: Exercise<number>;
}

/**
 * `reference` is a full recomputation over the raw tweets (fixed code); `hour` the hour (ISO) of
 * exercise 2 and `page` its URL; `range` the hours of exercise 3 and `host` its host (default EXERCISE_HOST).
 */
export function lambdaExercises(options: { redirects: RedirectTable; reference: () => Promise<UrlHourlyRow[]>; hour: string; page: string; range: { from: string; to: string }; host?: string }): LambdaExercises {
  const canonicalOf = (u: string) => {
    const n = normalizeUrl(u, { redirects: options.redirects });
    return n.ok ? n.url : n.reason;
  };
  let cached: Promise<UrlHourlyRow[]> | undefined;
  const reference = () => (cached ??= options.reference());
  const hourCount = async () => (await reference()).find((r) => r.hour === new Date(options.hour).toISOString() && r.url === options.page)?.count ?? 0;
  const host = options.host ?? EXERCISE_HOST;
  const onHost = (r: UrlHourlyRow) => new URL(r.url).host === host;
  const inRange = (r: UrlHourlyRow) => r.hour >= options.range.from && r.hour < options.range.to;
  const sum = (rows: UrlHourlyRow[]) => rows.reduce((n, r) => n + r.count, 0);
  const hostCount = async () => sum((await reference()).filter((r) => onHost(r) && inRange(r)));
  return exerciseSet({
    canonical: exercise<string>({
      id: "canonical-url",
      title: "The canonical form of a URL",
      hints: [
        "One page, one form: the scheme, the host's case and www., the default port, the trailing slash, tracking parameters and the fragment do not change the page.",
        "new URL(text) lower-cases the host and drops a default port; you decide the rest.",
        "https://, no www., no :80, no trailing slash, no utm_* parameters, no #fragment.",
      ],
      solution: () => canonicalOf(EXERCISE_URL),
      expected: () => canonicalOf(EXERCISE_URL),
      nudge: (v) => (/utm_|#|:80|www\.|\/\?|\/$/i.test(v) ? "Something that does not change the page is still in it." : /^http:/i.test(v) ? "The canonical form uses one scheme for every page: https." : "Check the case of the host."),
    }),
    hourCount: exercise<number>({
      id: "hour-count",
      title: `Tweets linking to ${options.page} in the hour ${options.hour.slice(11, 16)} UTC`,
      hints: [
        "The merged view (batch + speed) answers for any hour; after the fix it is right everywhere.",
        "run.merged({ from, to }) returns rows with hour, url and count.",
        "Find the row whose url is the page, in that hour, and take its count.",
      ],
      solution: hourCount,
      expected: hourCount,
      nudge: (v) => (Number.isInteger(v) && v >= 0 ? "That is not the count of that page in that hour: check the hour (UTC) and the canonical URL." : "A count is a whole number."),
    }),
    hostCount: exercise<number>({
      id: "host-count",
      title: `Tweets linking to a page of ${host} from ${options.range.from.slice(11, 16)} to ${options.range.to.slice(11, 16)} UTC`,
      hints: [
        "Counts of one page over several hours add up, and so do the counts of the pages of one host.",
        "run.merged({ from, to }) returns rows with hour, url and count, from both layers; new URL(url).host is a URL's host.",
        `Keep the rows whose URL's host is ${host}, in those hours, and add up their counts.`,
      ],
      solution: hostCount,
      expected: hostCount,
      nudge: async (v) => {
        const rows = (await reference()).filter(onHost);
        const pages = [...new Set(rows.map((r) => r.url))];
        if (pages.some((p) => sum(rows.filter((r) => r.url === p && inRange(r))) === v)) return `That is one page; ${host} has ${pages.length} pages in the data.`;
        if (v === sum(rows)) return "That counts every hour of the run; keep the hours from and to (to not included).";
        return Number.isInteger(v) && v >= 0 ? `Add up the counts of every page of ${host}, in those hours only.` : "A count is a whole number.";
      },
    }),
  });
}
