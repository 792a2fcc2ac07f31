/**
 * The notebook's exercises, with their reference solutions; expected values come from the
 * reference code (normalizeUrl, the full recomputation), never typed in.
 */
import { exercise, exerciseSet, type Exercise } from "../../lib/teach/exercise";
import { normalizeUrl, type RedirectTable } from "./normalize";
import { rankUrls } from "./serving";
import type { UrlHourlyRow } from "./tweets";

/** The URL of exercise 1. */
export const EXERCISE_URL = "HTTP://WWW.Example.NET:80/recipes/pancakes/?utm_source=twitter&utm_medium=social#comments";

export interface LambdaExercises {
  canonical: Exercise<string>;
  hourCount: Exercise<number>;
  topPage: Exercise<string>;
}

/**
 * `reference` is a full recomputation over the raw tweets (fixed code); `hour` the hour (ISO) of
 * exercise 2 and `page` its URL; `range` the hours of exercise 3.
 */
export function lambdaExercises(options: { redirects: RedirectTable; reference: () => Promise<UrlHourlyRow[]>; hour: string; page: string; range: { from: string; to: string } }): LambdaExercises {
  const canonicalOf = (u: string) => {
    const n = normalizeUrl(u, { redirects: options.redirects });
    return n.ok ? n.url : n.reason;
  };
  let cached: Promise<UrlHourlyRow[]> | undefined;
  const reference = () => (cached ??= options.reference());
  const hourCount = async () => (await reference()).find((r) => r.hour === new Date(options.hour).toISOString() && r.url === options.page)?.count ?? 0;
  const topPage = async () => rankUrls((await reference()).filter((r) => r.hour >= options.range.from && r.hour < options.range.to), 1)[0]?.url ?? "";
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
      nudge: (v) => (/utm_|#|:80|www\.|\/\?|\/$/i.test(v) ? "Something that does not change the page is still in it." : "Check the scheme and the case of the host."),
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
    topPage: exercise<string>({
      id: "top-page",
      title: `The most linked page from ${options.range.from.slice(11, 16)} to ${options.range.to.slice(11, 16)} UTC`,
      hints: [
        "Counts of one page over several hours add up.",
        "run.topUrls({ from, to, limit: 1 }) does it from both layers.",
        "Take the url of the first row (its canonical form, https://...).",
      ],
      solution: topPage,
      expected: topPage,
      nudge: (v) => (v.startsWith("https://") ? "Another page has more tweets in those hours." : "Give the canonical URL, starting with https://."),
    }),
  });
}
