/**
 * `workbook data tweets [--tweets-per-hour N] [--hours N] [--seed S] [--out FILE] [--topic NAME]`:
 * writes generated tweets as NDJSON (default `<work folder>/lambda-urls/tweets.ndjson`) and, with
 * --topic, also sends them to that Kafka topic stamped with their created_at, for
 * `workbook dag run lambda_url_counts` to archive and count.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { config } from "../../lib/config";
import { kafka as configuredKafka } from "../../lib/kafka";
import { generateTweets } from "./generate";

export const DATA_TWEETS_USAGE = `usage: workbook data tweets [--tweets-per-hour N] [--hours N] [--seed S] [--out FILE] [--topic NAME]
  --tweets-per-hour N  tweets in each hour (default 120)     --hours N  hours of tweets from 2021-03-01T00:00Z (default 6)
  --seed S             the same seed makes the same tweets (default 7)
  --out FILE           NDJSON file to write (default <work folder>/lambda-urls/tweets.ndjson)
  --topic NAME         also send them to this Kafka topic (then: workbook dag run lambda_url_counts --logical-date 2021-03-01 -p topic NAME)`;

type Line = (line: string) => void;

export async function dataTweetsCommand(argv: string[], out: Line = (l) => process.stdout.write(l + "\n"), err: Line = (l) => process.stderr.write(l + "\n")): Promise<number> {
  const numbers: Record<string, number> = { "tweets-per-hour": 120, hours: 6, seed: 7 };
  let file = path.join(config().home, "lambda-urls", "tweets.ndjson");
  let topic: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      out(DATA_TWEETS_USAGE);
      return 0;
    }
    const m = /^--(tweets-per-hour|hours|seed|out|topic)(?:=(.*))?$/.exec(arg);
    const value = m ? (m[2] ?? argv[++i]) : undefined;
    if (!m || value === undefined) {
      err(`workbook data tweets: ${m ? `--${m[1]} needs a value` : `unknown argument ${JSON.stringify(arg)}`}\n${DATA_TWEETS_USAGE}`);
      return 2;
    }
    if (m[1] === "out") {
      file = path.resolve(value);
      continue;
    }
    if (m[1] === "topic") {
      if (!/^[A-Za-z0-9._-]+$/.test(value)) {
        err(`workbook data tweets: --topic ${JSON.stringify(value)} is not a Kafka topic name; use letters, digits, ".", "_" and "-".`);
        return 2;
      }
      topic = value;
      continue;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < (m[1] === "seed" ? 0 : 1)) {
      err(`workbook data tweets: --${m[1]} ${JSON.stringify(value)} is not a ${m[1] === "seed" ? "whole number" : "positive integer"}; use e.g. --${m[1]} ${numbers[m[1]]}.`);
      return 2;
    }
    numbers[m[1]] = n;
  }
  const data = generateTweets({ seed: numbers.seed, tweetsPerHour: numbers["tweets-per-hour"], hours: numbers.hours });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data.tweets.map((t) => t.value).join("\n") + "\n");
  out(`wrote ${data.truth.tweets} tweets (${data.truth.malformed} malformed) to ${file}`);
  if (topic) {
    const kafka = await configuredKafka({ clientId: "workbook-data-tweets" });
    const producer = kafka.producer();
    await producer.connect();
    try {
      for (let i = 0; i < data.tweets.length; i += 500) {
        await producer.send({ topic, messages: data.tweets.slice(i, i + 500).map((t) => ({ value: t.value, timestamp: String(t.timestamp) })) });
      }
    } finally {
      await producer.disconnect();
    }
    out(`sent them to the topic ${topic}`);
  }
  return 0;
}
