/**
 * Tweets from your own files: `tweetsPath` is a file, a folder of files (read in path order) or a
 * gs:// location, of tweets as JSON lines in the Twitter API's shape (or the sample's own shape; see
 * ./tweets.ts), e.g.
 *
 *   {"id_str":"1366441010003","created_at":"Mon Mar 01 14:02:11 +0000 2021","user":{"screen_name":"ada_l"},"text":"Read this https://t.co/x1","entities":{"urls":[{"url":"https://t.co/x1","expanded_url":"https://blog.example.com/posts/lambda-architecture?utm_source=twitter"}]}}
 *
 * They are sent in file order, each stamped with the newest created_at so far (a stream's time), and
 * judged by the same parse as generated ones: a bad tweet is rejected with its reason, never dropped.
 */
import { WorkbookError } from "../../lib/errors";
import { inputLines, readInputFiles, type ReadInputOptions } from "../../lib/lake/inputs";
import type { GeneratedTweet, GeneratedTweets } from "./generate";
import type { NormalizeOptions } from "./normalize";
import { HOUR_MS, hourOf, parseTweet, tweetUrls } from "./tweets";
import { parseJsonObject } from "../../lib/stream";

/** Reads tweets (JSON lines) from a file, a folder or gs://, as `startLambdaRun({ tweets })` sends them. */
export async function readTweetFiles(tweetsPath: string, options: NormalizeOptions & Pick<ReadInputOptions, "storage"> = {}): Promise<GeneratedTweets> {
  const { storage, ...normalize } = options;
  const lines = inputLines(await readInputFiles(tweetsPath, { storage, what: "tweets (JSON lines)" }));
  const parsed = lines.map((l) => parseTweet(l.line, normalize));
  const times = parsed.flatMap((p) => (p.ok ? [p.value.time] : []));
  if (times.length === 0) {
    const first = parsed[0];
    throw new WorkbookError("INPUT_INVALID", `${tweetsPath} has ${lines.length} line(s) and no valid tweet${first && !first.ok ? ` (line ${lines[0].lineNo} of ${lines[0].file}: ${first.reason})` : ""}; each line must be a tweet as the Twitter API gives it, with id_str, created_at, user and text or entities.urls.`);
  }
  let clock = times[0];
  const tweets: GeneratedTweet[] = lines.map((l, i) => {
    const p = parsed[i];
    if (p.ok) clock = Math.max(clock, p.value.time);
    return { value: l.line, timestamp: clock, pages: p.ok ? p.value.urls : [], malformed: !p.ok };
  });
  return { tweets, truth: { tweets: tweets.length, malformed: tweets.filter((t) => t.malformed).length, start: hourOf(Math.min(...times)), end: hourOf(clock) + HOUR_MS } };
}

/** The links of a tweet as its author wrote them (before normalisation); none for a tweet that is no JSON object. */
export function urlsAsWritten(value: string): string[] {
  const json = parseJsonObject(value);
  if (!json.ok) return [];
  const urls = tweetUrls(json.value);
  return urls.ok ? urls.urls : [];
}
