/**
 * The image k-means scenario: a list of images -> the image-colours job (local worker pool or
 * Dataproc) -> rows of dominant colours and rejected rows with their reason.
 */
import * as path from "node:path";
import { checkDominantColoursOptions } from "../../lib/images/dominant-colours";
import { runJob, type RunJobOptions } from "../../lib/jobs/create";
import type { JobResult } from "../../lib/jobs/runner";
import type { ImageColoursRow, ImageJobParams, ImageRecord } from "./job";

/** The compiled job module (the same file for both runners). */
export const IMAGE_JOB = path.join(__dirname, "job.js");

export type RejectedImage = {
  uri: string;
  /** Why: "missing file: ...", "not an image: ...", "corrupt image: ...", "unreachable URL: ...". */
  reason: string;
  processed_at: string;
};

export interface ImageColoursOptions extends ImageJobParams, RunJobOptions {
  /** Partitions of the image list. Default: see defaultPartitions in lib/jobs. */
  partitions?: number;
}

export interface ImageColoursResult {
  rows: ImageColoursRow[];
  rejected: RejectedImage[];
  /** The job runner's result (runner, partitions, retries, time). */
  job: JobResult<ImageRecord, ImageColoursRow>;
}

/**
 * Finds the dominant colours of every image. Never throws for a bad image: it becomes a rejected
 * row, and `rows.length + rejected.length === images.length`.
 */
export async function findImageColours(images: readonly string[], options: ImageColoursOptions = {}): Promise<ImageColoursResult> {
  const { k, resize, seed, timeoutMs, gcsEndpoint, partitions, ...runOptions } = options;
  checkDominantColoursOptions({ k, resize, seed });
  const params: ImageJobParams = { k, resize, seed, timeoutMs, gcsEndpoint };
  const input: ImageRecord[] = images.map((uri) => ({ uri: String(uri) }));
  const job = await runJob<ImageRecord, ImageColoursRow, ImageJobParams>({ module: IMAGE_JOB, input, params, partitions }, runOptions);
  const now = new Date().toISOString();
  const rejected = job.errors.map((e): RejectedImage => ({ uri: typeof e.input === "object" && e.input ? String(e.input.uri) : String(e.input), reason: e.error, processed_at: now }));
  return { rows: job.outputs, rejected, job };
}
