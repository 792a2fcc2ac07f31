/**
 * The lake interface: one small contract with two implementations, a local folder (./local.ts)
 * and a Cloud Storage bucket and prefix (./gcs.ts). Which one a notebook gets is decided in one
 * place, `openLake()` in ./index.ts, from the root: `gs://bucket/prefix` or a folder.
 *
 * Every path is relative to the root, "/"-separated, Hive-style:
 * `web_logs/dt=2021-03-26/hour=14/part-00003.parquet` (see ./paths.ts for the rules).
 */
import type { PartitionValues } from "./paths";

/** One file in the lake. */
export interface LakeFile {
  /** Path relative to the lake root, e.g. "web_logs/dt=2021-03-26/hour=14/part-00003.parquet". */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Values of the `key=value` folders above it, unescaped, e.g. `{ dt: "2021-03-26", hour: "14" }`. */
  partition: Record<string, string>;
}

/** One partition folder of a dataset, with its files. */
export interface LakePartition {
  /** Folder relative to the lake root, e.g. "web_logs/dt=2021-03-26/hour=14". */
  path: string;
  /** Its values, e.g. `{ dt: "2021-03-26", hour: "14" }`. */
  values: Record<string, string>;
  /** Its files (recursively), sorted by path. */
  files: LakeFile[];
}

/** A file to write into a partition: a name inside the partition folder, and its bytes. */
export interface PartitionFile {
  /** File name (or relative path) inside the partition folder, e.g. a `partFileName(...)`. */
  name: string;
  data: Buffer | string;
}

export interface Lake {
  readonly kind: "local" | "gcs";
  /** The absolute local folder, or `gs://bucket` / `gs://bucket/prefix` (no trailing "/"). */
  readonly root: string;
  /** Where `path` is: an absolute local path, or `gs://bucket/prefix/path`. Default path: "" (the root). */
  uri(path?: string): string;
  /** The local file or folder of `path` (so DuckDB can read it directly); undefined for Cloud Storage. */
  localPath(path?: string): string | undefined;
  /** Writes a whole file atomically: readers see the old file or the new one, never half of one. */
  writeFile(path: string, data: Buffer | string): Promise<LakeFile>;
  /** Copies a (large) local file into the lake, atomically as `writeFile`. */
  upload(path: string, localFile: string): Promise<LakeFile>;
  /** The bytes of a file. Throws LAKE_NOT_FOUND when there is none at `path`. */
  readFile(path: string): Promise<Buffer>;
  /** True when a file (not a folder) is at `path`. */
  exists(path: string): Promise<boolean>;
  /** Every file under the folder `prefix` (default: the whole lake), recursively, sorted by path. */
  list(prefix?: string): Promise<LakeFile[]>;
  /** The distinct partition folders of a dataset (those with at least one `key=value`), sorted, with their files. */
  partitions(dataset: string): Promise<LakePartition[]>;
  /**
   * Replaces one partition: writes `files` (each atomically), then removes the partition's other
   * files. Readers never see it empty, and a re-run replaces rather than duplicates. An empty
   * `files` deletes the partition.
   */
  replacePartition(dataset: string, values: PartitionValues, files: PartitionFile[]): Promise<LakePartition>;
  /** Deletes every file of one partition; returns how many there were. */
  deletePartition(dataset: string, values: PartitionValues): Promise<number>;
  /** Deletes one file; returns false when there was none. */
  delete(path: string): Promise<boolean>;
  /** Releases the backend's resources; the lake is not used afterwards. */
  close(): Promise<void>;
}
