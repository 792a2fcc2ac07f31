/**
 * Sample images, made deterministically: a vertical gradient between two palette colours with
 * a few flat rectangles and discs on top. The same seed gives the same pixels. The repo ships a
 * dozen of them in data/images/; `workbook data images --count N` makes more in the work folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadSharp } from "../../lib/images/dominant-colours";
import { seededRandom } from "../../lib/images/kmeans";
import { projectRoot } from "../../lib/paths";

/** The committed samples. */
export const SAMPLE_DIR = path.join(projectRoot, "data", "images");

/** Saturated and muted colours the samples are made of. */
const PALETTE: [number, number, number][] = [
  [220, 40, 40], [240, 140, 30], [245, 210, 50], [120, 200, 60], [40, 150, 70], [40, 190, 170],
  [50, 150, 220], [40, 70, 180], [130, 70, 190], [210, 60, 160], [245, 245, 240], [30, 30, 35],
  [128, 128, 128], [140, 90, 50], [250, 190, 200], [20, 60, 60],
];

export interface SampleImageOptions {
  /** Folder to write to (created). */
  dir: string;
  /** Number of images. Default 12. */
  count?: number;
  /** Seed: the same seed gives the same images. Default 7. */
  seed?: number;
  /** Size in pixels. Default 160 x 120. */
  width?: number;
  height?: number;
  /** File names are `<prefix>-001.png`, ... Default "sample". */
  prefix?: string;
}

/** The raw RGB pixels of sample number `index` (0-based) for a seed. */
export function samplePixels(index: number, seed: number, width: number, height: number): Buffer {
  const random = seededRandom(seed * 100_003 + index);
  const pick = () => PALETTE[Math.floor(random() * PALETTE.length)];
  const top = pick();
  const bottom = pick();
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    const t = height > 1 ? y / (height - 1) : 0;
    for (let x = 0; x < width; x++) {
      const i = 3 * (y * width + x);
      for (let c = 0; c < 3; c++) px[i + c] = Math.round(top[c] * (1 - t) + bottom[c] * t);
    }
  }
  const shapes = 2 + Math.floor(random() * 3);
  for (let s = 0; s < shapes; s++) {
    const colour = pick();
    const disc = random() < 0.5;
    const cx = Math.floor(random() * width);
    const cy = Math.floor(random() * height);
    const rx = Math.floor(width * (0.1 + 0.25 * random()));
    const ry = disc ? rx : Math.floor(height * (0.1 + 0.25 * random()));
    for (let y = Math.max(0, cy - ry); y < Math.min(height, cy + ry); y++) {
      for (let x = Math.max(0, cx - rx); x < Math.min(width, cx + rx); x++) {
        if (disc && (x - cx) ** 2 + (y - cy) ** 2 > rx * rx) continue;
        const i = 3 * (y * width + x);
        px[i] = colour[0];
        px[i + 1] = colour[1];
        px[i + 2] = colour[2];
      }
    }
  }
  return px;
}

/** Writes `count` sample PNGs (`sample-001.png`, ...) into `dir` and returns their paths. */
export async function makeSampleImages(options: SampleImageOptions): Promise<string[]> {
  const { dir, count = 12, seed = 7, width = 160, height = 120, prefix = "sample" } = options;
  const sharp = loadSharp();
  fs.mkdirSync(dir, { recursive: true });
  const digits = Math.max(3, String(count).length);
  const files: string[] = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `${prefix}-${String(i + 1).padStart(digits, "0")}.png`);
    await sharp(samplePixels(i, seed, width, height), { raw: { width, height, channels: 3 } })
      .png({ compressionLevel: 9, adaptiveFiltering: true })
      .toFile(file);
    files.push(file);
  }
  return files;
}

/** Writes a PNG of one colour only (`rgb`), e.g. a blank scan; returns its path. */
export async function makeFlatImage(file: string, rgb: readonly [number, number, number], width = 160, height = 120): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await loadSharp()({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(file);
  return file;
}

/**
 * A second set of images for the same day (written to `dir`): three new samples (`day2-001.png`...,
 * seed 11) and `day2-flat.png`, one flat grey, which has a single colour whatever k is asked for.
 */
export async function makeSecondImageSet(dir: string): Promise<string[]> {
  const samples = await makeSampleImages({ dir, count: 3, seed: 11, prefix: "day2" });
  return [...samples, await makeFlatImage(path.join(dir, "day2-flat.png"), [128, 128, 128])];
}

/** Where the faulty samples are: a PNG cut short after 300 bytes (corrupt). */
export const FAULTY_SAMPLE_DIR = path.join(SAMPLE_DIR, "faulty");

/**
 * The samples as a class meets them: the 12 images, a corrupt one (a PNG cut short) and one that is
 * missing (`sample-014-missing.png` is not there), so the rejected table has rows with reasons.
 */
export function sampleImagesWithFaults(): string[] {
  return [...sampleImages(), path.join(FAULTY_SAMPLE_DIR, "sample-013-truncated.png"), path.join(SAMPLE_DIR, "sample-014-missing.png")];
}

/** The sample images shipped in data/images/, sorted. */
export function sampleImages(): string[] {
  if (!fs.existsSync(SAMPLE_DIR)) return [];
  return fs.readdirSync(SAMPLE_DIR).filter((f) => /\.png$/i.test(f)).sort().map((f) => path.join(SAMPLE_DIR, f));
}
