/**
 * `workbook data sparkify [--events N] [--songs N] [--users N] [--days N] [--seed S] [--out DIR]`:
 * writes the original layouts (song_data/, log_data/) into the lake (default `<lake>/sparkify/raw`).
 */
import { openLake } from "../../lib/lake";
import { generateSparkify, writeSparkify } from "./generate";
import { RAW_PREFIX } from "./dags";

export const DATA_SPARKIFY_USAGE = `usage: workbook data sparkify [--events N] [--songs N] [--users N] [--days N] [--seed S] [--out DIR|gs://...]
  --events N  log events in all (default 6000)      --songs N  songs in the catalogue (default 200)
  --users N   users (default 40)                    --days N   days of November 2018 (default 30)
  --seed S    the same seed makes the same files (default 42)
  --out       where song_data/ and log_data/ go (default <lake>/${RAW_PREFIX}; LAKE)`;

type Line = (line: string) => void;

export async function dataSparkifyCommand(argv: string[], out: Line = (l) => process.stdout.write(l + "\n"), err: Line = (l) => process.stderr.write(l + "\n")): Promise<number> {
  const numbers: Record<string, number> = { events: 6000, songs: 200, users: 40, days: 30, seed: 42 };
  let target: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      out(DATA_SPARKIFY_USAGE);
      return 0;
    }
    const m = /^--(events|songs|users|days|seed|out)(?:=(.*))?$/.exec(arg);
    const value = m ? (m[2] ?? argv[++i]) : undefined;
    if (!m || value === undefined) {
      err(`workbook data sparkify: ${m ? `--${m[1]} needs a value` : `unknown argument ${JSON.stringify(arg)}`}\n${DATA_SPARKIFY_USAGE}`);
      return 2;
    }
    if (m[1] === "out") {
      target = value;
      continue;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < (m[1] === "seed" ? 0 : 1)) {
      err(`workbook data sparkify: --${m[1]} ${JSON.stringify(value)} is not a ${m[1] === "seed" ? "whole number" : "positive integer"}; use e.g. --${m[1]} ${numbers[m[1]]}.`);
      return 2;
    }
    numbers[m[1]] = n;
  }
  const lake = await openLake(target ? { root: target } : {});
  try {
    const data = generateSparkify({ seed: numbers.seed, events: numbers.events, songs: numbers.songs, users: numbers.users, days: numbers.days });
    const written = await writeSparkify(lake, data, target ? "" : RAW_PREFIX);
    out(`wrote ${written.songFiles} song files and ${written.logFiles} log files (${data.truth.logLines} lines, ${data.truth.malformedLines} malformed) to ${lake.uri(target ? "" : RAW_PREFIX)}`);
    return 0;
  } finally {
    await lake.close();
  }
}
