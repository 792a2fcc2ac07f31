/** Splits `items` into `count` contiguous partitions whose sizes differ by at most one. */
export function partition<T>(items: readonly T[], count: number): T[][] {
  const n = Math.max(1, Math.min(Math.floor(count), items.length));
  const parts: T[][] = [];
  let start = 0;
  for (let p = 0; p < n; p++) {
    const size = Math.floor(items.length / n) + (p < items.length % n ? 1 : 0);
    parts.push(items.slice(start, start + size));
    start += size;
  }
  return items.length === 0 ? [] : parts;
}

/**
 * Default partition count: the same number for every worker, so they finish together; more than
 * one each only when each partition still gets at least `minRecords` records (every partition
 * pays for starting its process, about 0.2 s with sharp loaded), at most four each (so a slow
 * partition can be balanced by the others); never more than the records.
 */
export function defaultPartitions(records: number, workers: number, minRecords = 250): number {
  const perWorker = Math.max(1, Math.min(4, Math.floor(records / (workers * minRecords))));
  return Math.max(1, Math.min(records, workers * perWorker));
}
