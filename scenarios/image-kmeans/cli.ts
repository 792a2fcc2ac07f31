/**
 * `workbook data images [--count N] [--seed S] [--out DIR] [--width W] [--height H]`: makes N
 * sample images (deterministic for a seed) for larger runs of the image k-means scenario.
 */
import * as path from "node:path";
import { config } from "../../lib/config";
import { makeSampleImages } from "./samples";

export const DATA_IMAGES_USAGE = `usage: workbook data images [--count N] [--seed S] [--out DIR] [--width W] [--height H]
  --count N   number of images (default 100)
  --seed S    seed: the same seed makes the same images (default 7)
  --out DIR   folder to write them to (default <work folder>/images, WORKBOOK_HOME)
  --width W, --height H   size in pixels (default 160 x 120)`;

/** Runs the command; returns the exit code (0 done, 2 usage error). */
export async function dataImagesCommand(argv: string[], out: (line: string) => void = (l) => process.stdout.write(l + "\n"), err: (line: string) => void = (l) => process.stderr.write(l + "\n")): Promise<number> {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      out(DATA_IMAGES_USAGE);
      return 0;
    }
    const m = /^--(count|seed|out|width|height)(?:=(.*))?$/.exec(arg);
    if (!m) {
      err(`workbook data images: unknown argument ${JSON.stringify(arg)}\n${DATA_IMAGES_USAGE}`);
      return 2;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined) {
      err(`workbook data images: --${m[1]} needs a value\n${DATA_IMAGES_USAGE}`);
      return 2;
    }
    values[m[1]] = value;
  }
  const numbers: Record<string, number> = { count: 100, seed: 7, width: 160, height: 120 };
  for (const name of Object.keys(numbers)) {
    if (values[name] === undefined) continue;
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < (name === "seed" ? 0 : 1)) {
      err(`workbook data images: --${name} ${JSON.stringify(values[name])} is not a ${name === "seed" ? "whole number" : "positive integer"}; use e.g. --${name} ${numbers[name]}.`);
      return 2;
    }
    numbers[name] = n;
  }
  const dir = path.resolve(values.out ?? path.join(config().home, "images"));
  const files = await makeSampleImages({ dir, count: numbers.count, seed: numbers.seed, width: numbers.width, height: numbers.height });
  out(`wrote ${files.length} images to ${dir}`);
  return 0;
}
