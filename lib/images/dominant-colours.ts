/**
 * The dominant colours of one image: decode and shrink with sharp, cluster the pixels with
 * k-means, report each colour with its share of the pixels, largest share first.
 */
import type { Sharp } from "sharp";
import { WorkbookError } from "../errors";
import { hueName, rgbToHex, type Rgb } from "./colour";
import { clusterPixels } from "./kmeans";

export interface DominantColoursOptions {
  /** Number of colours (clusters). Default 5. */
  k?: number;
  /** Long side, in pixels, the image is shrunk to before clustering (never enlarged). Default 100. */
  resize?: number;
  /** Seed of the k-means++ initialisation: the same seed gives the same result. Default 42. */
  seed?: number;
  /** Maximum k-means iterations. Default 100. */
  maxIterations?: number;
}

/** Defaults of DominantColoursOptions. */
export const DOMINANT_COLOURS_DEFAULTS = { k: 5, resize: 100, seed: 42, maxIterations: 100 } as const;

export interface Colour {
  /** `#rrggbb`. */
  hex: string;
  /** Red, green, blue, 0..255. */
  rgb: Rgb;
  /** Share of the (resized) pixels nearest to this colour, 0..1; the shares add up to 1. */
  share: number;
  /** Colour family ("red", "azure", ..., or "black", "white", "grey"). */
  hue: string;
}

export interface DominantColours {
  /** Size of the original image. */
  width: number;
  height: number;
  /** The k asked for (an image with fewer distinct colours gives fewer colours). */
  k: number;
  /** Pixels clustered (after resizing). */
  pixels: number;
  /** k-means iterations run. */
  iterations: number;
  /** Colours, largest share first (ties by hex). */
  colours: Colour[];
}

type SharpFactory = typeof import("sharp");
let sharpModule: SharpFactory | undefined;

/** sharp, loaded on first use (it is heavy) and set to one thread: parallelism comes from workers. */
export function loadSharp(): SharpFactory {
  if (!sharpModule) {
    sharpModule = require("sharp") as SharpFactory;
    sharpModule.concurrency(1);
    sharpModule.cache(false);
  }
  return sharpModule;
}

/** Options with their defaults filled in (an option given as undefined takes its default). */
function withDefaults(options: DominantColoursOptions): Required<DominantColoursOptions> {
  const d = DOMINANT_COLOURS_DEFAULTS;
  return { k: options.k ?? d.k, resize: options.resize ?? d.resize, seed: options.seed ?? d.seed, maxIterations: options.maxIterations ?? d.maxIterations };
}

/** Throws WorkbookError OPTIONS_INVALID when an option is out of range (before any work). */
export function checkDominantColoursOptions(options: DominantColoursOptions): void {
  checkOptions(withDefaults(options));
}

function checkOptions(o: Required<DominantColoursOptions>): void {
  for (const [name, v, min] of [["k", o.k, 1], ["resize", o.resize, 1], ["maxIterations", o.maxIterations, 1]] as const) {
    if (!Number.isInteger(v) || v < min) {
      throw new WorkbookError("OPTIONS_INVALID", `${name}=${JSON.stringify(v)} is not a positive integer; use e.g. ${name}: ${DOMINANT_COLOURS_DEFAULTS[name]}.`);
    }
  }
  if (!Number.isInteger(o.seed)) {
    throw new WorkbookError("OPTIONS_INVALID", `seed=${JSON.stringify(o.seed)} is not an integer; use e.g. seed: 42.`);
  }
}

/**
 * Dominant colours of an image given as encoded bytes (PNG, JPEG, WebP, GIF, TIFF, AVIF, SVG) or a
 * file path. Transparent pixels are flattened onto white. Throws WorkbookError INPUT_UNREADABLE
 * when sharp cannot decode it.
 */
export async function dominantColours(input: Buffer | string, options: DominantColoursOptions = {}): Promise<DominantColours> {
  const o = withDefaults(options);
  checkOptions(o);
  const sharp = loadSharp();
  let image: Sharp;
  let width: number;
  let height: number;
  let data: Buffer;
  let channels: number;
  try {
    image = sharp(input, { failOn: "error" });
    const meta = await image.metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
    const raw = await image
      .resize({ width: o.resize, height: o.resize, fit: "inside", withoutEnlargement: true, kernel: "nearest" })
      .flatten({ background: "#ffffff" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    data = raw.data;
    channels = raw.info.channels;
  } catch (cause) {
    const what = typeof input === "string" ? input : `a ${input.length}-byte buffer`;
    throw new WorkbookError("INPUT_UNREADABLE", `cannot decode ${what} as an image: ${(cause as Error).message}`, { cause });
  }

  const rgb = toRgb(data, channels);
  const n = rgb.length / 3;
  const { clusters, iterations } = clusterPixels(rgb, { k: o.k, seed: o.seed, maxIterations: o.maxIterations });
  const colours = clusters
    .map((c): Colour => {
      const rgbInt = c.centre.map((v) => Math.max(0, Math.min(255, Math.round(v)))) as Rgb;
      return { hex: rgbToHex(rgbInt), rgb: rgbInt, share: c.count / n, hue: hueName(rgbInt) };
    })
    .sort((a, b) => b.share - a.share || (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  return { width, height, k: o.k, pixels: n, iterations, colours };
}

/** Raw pixels with 1..4 channels -> RGB triples (grey is repeated, alpha is dropped). */
function toRgb(data: Buffer, channels: number): Uint8Array {
  if (channels === 3) return data;
  const n = data.length / channels;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (channels >= 3) {
      out[3 * i] = data[channels * i];
      out[3 * i + 1] = data[channels * i + 1];
      out[3 * i + 2] = data[channels * i + 2];
    } else {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[channels * i];
    }
  }
  return out;
}
