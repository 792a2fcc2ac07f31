/**
 * A task's resource (a lake, a warehouse): the one the DAG's caller handed in, kept open for the
 * caller; or one opened for this call and closed after it, as a task run from the command line needs.
 */
export async function withResource<T extends { close(): unknown }, R>(given: (() => Promise<T>) | undefined, open: () => Promise<T>, fn: (resource: T) => Promise<R>): Promise<R> {
  const resource = given ? await given() : await open();
  try {
    return await fn(resource);
  } finally {
    if (!given) await resource.close();
  }
}
