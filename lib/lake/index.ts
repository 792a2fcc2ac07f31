/**
 * The lake module: `openLake()` opens a local folder or a `gs://bucket/prefix`, from options or
 * `config().lake` (LAKE, default `<work folder>/lake`).
 *
 *   const lake = await openLake();
 *   await lake.replacePartition("web_logs", { dt: "2021-03-26", hour: 14 }, [
 *     { name: partFileName({ topic: "logs", partition: 0, firstOffset: 0, lastOffset: 99, ext: "json" }), data: ndjson },
 *   ]);
 *   await lake.partitions("web_logs");   // [{ path: "web_logs/dt=2021-03-26/hour=14", values: { dt: "2021-03-26", hour: "14" }, files: [...] }]
 *   lake.localPath("web_logs");          // a folder for DuckDB's read_json / read_parquet(..., hive_partitioning = true)
 *   await lake.close();
 */
import type { StorageOptions } from "@google-cloud/storage";
import { config } from "../config";
import { WorkbookError } from "../errors";
import { GcsLake } from "./gcs";
import type { Lake } from "./lake";
import { LocalLake } from "./local";

export interface OpenLakeOptions {
  /** A local folder, or `gs://bucket` / `gs://bucket/prefix`. Default: `config().lake.root` (LAKE, default `<work folder>/lake`). */
  root?: string;
  /**
   * Cloud Storage only: options for the `Storage` client, e.g. `{ projectId, apiEndpoint, authClient, retryOptions }`.
   * Default: none (Application Default Credentials, Google's endpoint; retries as the lake sets them, see ./gcs.ts).
   * Typed loosely on purpose: `de-workbook`'s declarations name no type of @google-cloud/storage, so a
   * notebook importing it does not make tslab read that package's declarations.
   */
  storage?: Record<string, unknown>;
}

/** Opens the configured lake (or the one `options.root` names). Close it with `close()`. */
export async function openLake(options: OpenLakeOptions = {}): Promise<Lake> {
  const root = options.root ?? config().lake.root;
  if (root === "") {
    throw new WorkbookError("LAKE_PATH_INVALID", `the lake root is empty; pass a folder or gs://bucket/prefix as root, or set LAKE.`);
  }
  if (root.startsWith("gs://")) return GcsLake.create(root, options.storage as StorageOptions | undefined);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(root)) {
    throw new WorkbookError("LAKE_PATH_INVALID", `lake root ${JSON.stringify(root)} uses a scheme the lake does not support; use a local folder or gs://bucket/prefix.`);
  }
  return LocalLake.create(root);
}

// The interface and its types
export type { Lake, LakeFile, LakePartition, PartitionFile } from "./lake";

// Paths: validation, Hive-style partition folders, deterministic part-file names
export {
  checkLakePath, escapePartitionValue, parsePartitionPath, partFileName, partitionPath, unescapePartitionValue,
} from "./paths";
export type { ParsedPartitionPath, PartFileNameOptions, PartitionValues } from "./paths";

// The user's input files: a file, a folder or gs://
export { readInputFiles, inputLines } from "./inputs";
export type { InputFile, ReadInputOptions } from "./inputs";
