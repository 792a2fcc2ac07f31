/**
 * Partition operations written once on top of a backend's file operations (write, list, delete),
 * so the local and Cloud Storage lakes behave the same.
 */
import { WorkbookError } from "../errors";
import type { Lake, LakeFile, LakePartition, PartitionFile } from "./lake";
import { checkLakePath, partitionOfFile, partitionPath, type PartitionValues } from "./paths";

/** A file's entry from its path and size. */
export function lakeFile(path: string, size: number): LakeFile {
  return { path, size, partition: partitionOfFile(path) };
}

/** Sorts by path, by UTF-16 code unit (the same order on every backend). */
export function byPath<T extends { path: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Groups a dataset's files by their partition folder (files outside any `key=value` folder are left out). */
export function groupPartitions(files: LakeFile[]): LakePartition[] {
  const folders = new Map<string, LakePartition>();
  for (const file of files) {
    if (Object.keys(file.partition).length === 0) continue;
    const folder = file.path.slice(0, file.path.lastIndexOf("/"));
    let partition = folders.get(folder);
    if (!partition) folders.set(folder, (partition = { path: folder, values: file.partition, files: [] }));
    partition.files.push(file);
  }
  return byPath([...folders.values()]);
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function eachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Writes the new files of a partition, then deletes its other files (see `Lake.replacePartition`). */
export async function replacePartitionFiles(lake: Lake, dataset: string, values: PartitionValues, files: PartitionFile[]): Promise<LakePartition> {
  const folder = partitionPath(dataset, values);
  const names = new Set<string>();
  for (const { name } of files) {
    const checked = checkLakePath(name);
    if (names.has(checked)) {
      throw new WorkbookError("LAKE_PATH_INVALID", `replacePartition(${JSON.stringify(dataset)}) was given the file ${JSON.stringify(name)} twice; give each file a distinct name (partFileName() makes one from input positions).`);
    }
    names.add(checked);
  }
  const written: LakeFile[] = [];
  for (const file of files) written.push(await lake.writeFile(`${folder}/${file.name}`, file.data));
  const keep = new Set(written.map((f) => f.path));
  const stale = (await lake.list(folder)).filter((f) => !keep.has(f.path));
  await eachLimit(stale, 8, (f) => lake.delete(f.path));
  return { path: folder, values: partitionOfFile(`${folder}/x`), files: byPath(written) };
}

/** Deletes every file of one partition; returns how many there were. */
export async function deletePartitionFiles(lake: Lake, dataset: string, values: PartitionValues): Promise<number> {
  const files = await lake.list(partitionPath(dataset, values));
  await eachLimit(files, 8, (f) => lake.delete(f.path));
  return files.length;
}
