/**
 * The image k-means scenario: a list of images -> the image-colours job (local worker pool or
 * Dataproc) -> rows of dominant colours and rejected rows with their reason.
 */
import * as path from "node:path";
import { checkDominantColoursOptions } from "../../lib/images/dominant-colours";
import { isWorkbookError } from "../../lib/errors";
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

/** The image job in progress: `finish()` waits for it, `stop()` stops it (what `startOnce` calls). */
export interface ImageColoursRunning {
  /** Resolves with the result; rejects with JOB_STOPPED when stopped. */
  finish(): Promise<ImageColoursResult>;
  /**
   * Stops the job: its worker processes are ended (Dataproc: the job cancelled, its cluster
   * deleted). Resolves once they are gone, with a note saying so (undefined when the job had ended).
   */
  stop(): Promise<string | undefined>;
}

/**
 * Starts finding the dominant colours of every image and returns at once (bad options throw here).
 *
 *   const job = await startOnce("image job", () => startImageColours(list, { k: 5 }));
 *   const result = await interruptible(job.finish());
 */
export function startImageColours(images: readonly string[], options: ImageColoursOptions = {}): ImageColoursRunning {
  const { k, resize, seed, timeoutMs, gcsEndpoint, partitions, signal, ...runOptions } = options;
  checkDominantColoursOptions({ k, resize, seed });
  const params: ImageJobParams = { k, resize, seed, timeoutMs, gcsEndpoint };
  const input: ImageRecord[] = images.map((uri) => ({ uri: String(uri) }));
  const controller = new AbortController();
  const abort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) abort();
  signal?.addEventListener("abort", abort, { once: true });
  let ended = false;
  const running = runJob<ImageRecord, ImageColoursRow, ImageJobParams>({ module: IMAGE_JOB, input, params, partitions }, { ...runOptions, signal: controller.signal })
    .then((job): ImageColoursResult => {
      const now = new Date().toISOString();
      const rejected = job.errors.map((e): RejectedImage => ({ uri: typeof e.input === "object" && e.input ? String(e.input.uri) : String(e.input), reason: e.error, processed_at: now }));
      return { rows: job.outputs, rejected, job };
    })
    .finally(() => {
      ended = true;
      signal?.removeEventListener("abort", abort);
    });
  void running.catch(() => undefined); // a failed job is reported by finish(), not as an unhandled rejection
  return {
    finish: () => running,
    async stop() {
      const stopping = !ended && !controller.signal.aborted;
      controller.abort("the stop button, or its cell run again");
      const stopped = await running.then(() => false, (err: unknown) => isWorkbookError(err, "JOB_STOPPED"));
      return stopping && stopped ? "its worker processes have exited" : undefined;
    },
  };
}

/**
 * Finds the dominant colours of every image. Never throws for a bad image: it becomes a rejected
 * row, and `rows.length + rejected.length === images.length`. `signal` stops it (JOB_STOPPED).
 */
export async function findImageColours(images: readonly string[], options: ImageColoursOptions = {}): Promise<ImageColoursResult> {
  return startImageColours(images, options).finish();
}
