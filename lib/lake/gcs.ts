/**
 * The Cloud Storage lake: objects under `gs://bucket/prefix`. Every write is one upload with
 * `resumable: false`, so an object appears whole when its upload completes and not before.
 * Writes replace whole objects under deterministic names, so the client may retry them safely:
 * the lake sets the retry strategy to "always" (the client's default retries only conditional writes).
 */
import * as fs from "node:fs/promises";
import type { Bucket, Storage, StorageOptions } from "@google-cloud/storage";
import { WorkbookError } from "../errors";
import type { Lake, LakeFile, LakePartition, PartitionFile } from "./lake";
import { byPath, deletePartitionFiles, groupPartitions, lakeFile, replacePartitionFiles } from "./partitions";
import { checkLakePath, type PartitionValues } from "./paths";

type StorageModule = typeof import("@google-cloud/storage");

/** Splits `gs://bucket/prefix` into bucket and prefix ("" or "a/b"). Throws LAKE_PATH_INVALID. */
export function parseGcsRoot(root: string): { bucket: string; prefix: string } {
  const m = /^gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])(?:\/(.*))?$/.exec(root);
  if (!m) {
    throw new WorkbookError("LAKE_PATH_INVALID", `lake root ${JSON.stringify(root)} is not a Cloud Storage location; use gs://bucket or gs://bucket/prefix (bucket names are lowercase letters, digits, dots, dashes and underscores).`);
  }
  return { bucket: m[1], prefix: checkLakePath(m[2] ?? "", { allowRoot: true }) };
}

function status(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

export class GcsLake implements Lake {
  readonly kind = "gcs" as const;
  readonly root: string;
  private readonly bucket: Bucket;
  private readonly prefix: string;

  private constructor(root: string, bucket: Bucket, prefix: string) {
    this.root = root;
    this.bucket = bucket;
    this.prefix = prefix;
  }

  /** Opens the lake at `gs://bucket/prefix` with a Storage client made from `storage` options. */
  static async create(root: string, storage: StorageOptions = {}): Promise<GcsLake> {
    const { bucket, prefix } = parseGcsRoot(root);
    const { Storage: StorageClass, IdempotencyStrategy } = require("@google-cloud/storage") as StorageModule;
    const client: Storage = new StorageClass({
      ...storage,
      retryOptions: { idempotencyStrategy: IdempotencyStrategy.RetryAlways, ...storage.retryOptions },
    });
    return new GcsLake(prefix ? `gs://${bucket}/${prefix}` : `gs://${bucket}`, client.bucket(bucket), prefix);
  }

  uri(p = ""): string {
    const rel = checkLakePath(p, { allowRoot: true });
    return rel ? `${this.root}/${rel}` : this.root;
  }

  localPath(): undefined {
    return undefined;
  }

  /** The object name of a lake path. */
  private key(rel: string): string {
    return this.prefix ? `${this.prefix}/${rel}` : rel;
  }

  private writeFailed(rel: string, err: unknown): WorkbookError {
    return new WorkbookError("LAKE_WRITE_FAILED", `could not write ${this.uri(rel)}: ${(err as Error).message}. Nothing was written (an object appears only when its upload completes); check that the bucket exists and that you may write to it, then run again.`, { cause: err });
  }

  async writeFile(p: string, data: Buffer | string): Promise<LakeFile> {
    const rel = checkLakePath(p);
    try {
      await this.bucket.file(this.key(rel)).save(data, { resumable: false });
    } catch (err) {
      throw this.writeFailed(rel, err);
    }
    return lakeFile(rel, typeof data === "string" ? Buffer.byteLength(data) : data.length);
  }

  async upload(p: string, localFile: string): Promise<LakeFile> {
    const rel = checkLakePath(p);
    const stat = await fs.stat(localFile).catch(() => undefined);
    if (!stat?.isFile()) {
      throw new WorkbookError("LAKE_WRITE_FAILED", `cannot upload ${localFile} to ${this.uri(rel)}: ${localFile} is not a file; check the local path.`);
    }
    try {
      await this.bucket.upload(localFile, { destination: this.key(rel), resumable: false });
    } catch (err) {
      throw this.writeFailed(rel, err);
    }
    return lakeFile(rel, stat.size);
  }

  async readFile(p: string): Promise<Buffer> {
    const rel = checkLakePath(p);
    try {
      const [bytes] = await this.bucket.file(this.key(rel)).download();
      return bytes;
    } catch (err) {
      if (status(err) === 404) {
        throw new WorkbookError("LAKE_NOT_FOUND", `${this.uri(rel)} does not exist in the lake; check the path (lake.list() shows what is there).`, { cause: err });
      }
      throw new WorkbookError("LAKE_READ_FAILED", `could not read ${this.uri(rel)}: ${(err as Error).message}; check that you may read the bucket, then run again.`, { cause: err });
    }
  }

  async exists(p: string): Promise<boolean> {
    const rel = checkLakePath(p);
    try {
      const [found] = await this.bucket.file(this.key(rel)).exists();
      return found;
    } catch (err) {
      throw new WorkbookError("LAKE_READ_FAILED", `could not look up ${this.uri(rel)}: ${(err as Error).message}; check that you may read the bucket.`, { cause: err });
    }
  }

  async list(prefix = ""): Promise<LakeFile[]> {
    const rel = checkLakePath(prefix, { allowRoot: true });
    const base = this.prefix ? `${this.prefix}/` : "";
    const folder = rel ? `${base}${rel}/` : base;
    let objects;
    try {
      [objects] = await this.bucket.getFiles({ prefix: folder, autoPaginate: true });
    } catch (err) {
      throw new WorkbookError("LAKE_READ_FAILED", `could not list ${this.uri(rel)}: ${(err as Error).message}; check that the bucket exists and that you may list it.`, { cause: err });
    }
    const files = objects
      .filter((o) => !o.name.endsWith("/")) // folder placeholders made by the console
      .map((o) => lakeFile(o.name.slice(base.length), Number(o.metadata.size ?? 0)));
    return byPath(files);
  }

  async partitions(dataset: string): Promise<LakePartition[]> {
    return groupPartitions(await this.list(checkLakePath(dataset)));
  }

  replacePartition(dataset: string, values: PartitionValues, files: PartitionFile[]): Promise<LakePartition> {
    return replacePartitionFiles(this, dataset, values, files);
  }

  deletePartition(dataset: string, values: PartitionValues): Promise<number> {
    return deletePartitionFiles(this, dataset, values);
  }

  async delete(p: string): Promise<boolean> {
    const rel = checkLakePath(p);
    try {
      await this.bucket.file(this.key(rel)).delete();
      return true;
    } catch (err) {
      if (status(err) === 404) return false;
      throw new WorkbookError("LAKE_WRITE_FAILED", `could not delete ${this.uri(rel)}: ${(err as Error).message}; check that you may delete objects in the bucket.`, { cause: err });
    }
  }

  async close(): Promise<void> {}
}
