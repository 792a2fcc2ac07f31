/**
 * The image-colours job (run by lib/jobs on the local worker pool or on Dataproc): one record
 * `{ uri }` in, one row of dominant colours out; an image that cannot be read or decoded is
 * rejected with the reason (a missing file, not an image, a corrupt image, an unreachable URL).
 */
import { defineJob } from "../../lib/jobs/job";
import { dominantColours, DOMINANT_COLOURS_DEFAULTS } from "../../lib/images/dominant-colours";
import { isWorkbookError } from "../../lib/errors";
import { readImage, READ_IMAGE_DEFAULTS } from "./read-image";

export interface ImageRecord {
  uri: string;
}

export interface ImageJobParams {
  /** Colours per image. Default 5. */
  k?: number;
  /** Long side the image is shrunk to. Default 100. */
  resize?: number;
  /** k-means seed. Default 42. */
  seed?: number;
  /** Download time-out for http(s):// and gs://. Default 10000 ms. */
  timeoutMs?: number;
  /** Cloud Storage endpoint (a stand-in in tests). Default: Google's. */
  gcsEndpoint?: string;
}

// Row types are type aliases, not interfaces, so that they fit `show()`'s Record<string, unknown>[].

/** One colour of an image, as stored in the warehouse. */
export type ColourShare = {
  hex: string;
  r: number;
  g: number;
  b: number;
  /** Share of the image's pixels, 0..1. */
  share: number;
  /** Colour family: "red", "azure", ..., "black", "white", "grey". */
  hue: string;
};

/** The job's output row. */
export type ImageColoursRow = {
  uri: string;
  width: number;
  height: number;
  k: number;
  /** The long side, in pixels, the image was shrunk to before k-means. */
  resize: number;
  /** Largest share first. */
  colours: ColourShare[];
  /** When this worker processed it (ISO 8601, UTC). */
  processed_at: string;
};

/**
 * Decoding and clustering take one image at a time per process (the queue below), so a worker
 * uses one core and the pool scales with workers; downloads, which wait on the network, overlap.
 */
let cpuQueue: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = cpuQueue.then(work, work);
  cpuQueue = run.catch(() => undefined);
  return run;
}

export const job = defineJob<ImageRecord, ImageColoursRow, ImageJobParams>({
  name: "image-colours",
  concurrency: 4,
  async map(record, params) {
    const uri = typeof record === "string" ? record : record?.uri;
    if (typeof uri !== "string" || uri === "") throw new Error(`bad record ${JSON.stringify(record)}: expected { "uri": "path or URL" }`);
    const bytes = await readImage(uri, { timeoutMs: params.timeoutMs ?? READ_IMAGE_DEFAULTS.timeoutMs, gcsEndpoint: params.gcsEndpoint });
    const k = params.k ?? DOMINANT_COLOURS_DEFAULTS.k;
    const resize = params.resize ?? DOMINANT_COLOURS_DEFAULTS.resize;
    let result;
    try {
      result = await oneAtATime(() => dominantColours(bytes, { k, resize, seed: params.seed }));
    } catch (err) {
      if (!isWorkbookError(err, "INPUT_UNREADABLE")) throw err;
      const detail = ((err.cause as Error | undefined)?.message ?? err.message).split("\n")[0];
      const format = imageFormat(bytes);
      throw new Error(format ? `corrupt image: ${uri} looks like ${format} but cannot be decoded (${detail})` : `not an image: ${uri} is not in an image format sharp reads (${detail})`);
    }
    return {
      uri,
      width: result.width,
      height: result.height,
      k,
      resize,
      colours: result.colours.map((c) => ({ hex: c.hex, r: c.rgb[0], g: c.rgb[1], b: c.rgb[2], share: round(c.share, 6), hue: c.hue })),
      processed_at: new Date().toISOString(),
    };
  },
});

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The image format announced by the first bytes (magic numbers), or undefined. */
export function imageFormat(bytes: Buffer): string | undefined {
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString("latin1");
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "PNG";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "JPEG";
  if (ascii(0, 4) === "GIF8") return "GIF";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "WebP";
  if (ascii(0, 4) === "II*\0" || ascii(0, 4) === "MM\0*") return "TIFF";
  if (ascii(4, 8) === "ftyp") return "AVIF/HEIF";
  return undefined;
}
