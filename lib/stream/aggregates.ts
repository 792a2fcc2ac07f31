/**
 * Aggregates over the values of a window. Each aggregate keeps a small state per window:
 * `init` makes it, `add` folds one value in, `result` reads it. `save`/`load` turn the state into
 * JSON and back for checkpoints (default: the state as is). `merge` folds one state into another:
 * with it, sliding windows keep one partial state per slide and key and combine the partials of a
 * window only when it is emitted (see buckets.ts). Built-ins (all mergeable): count, sum, mean,
 * distinctCount (exact), min, max; `aggregate()` makes your own.
 */
export interface Aggregate<T, S = unknown, R = unknown> extends CustomAggregate<T, S, R> {
  /** Name of the built-in ("count", "sum", ...) or "custom"; used by the DuckDB state store. */
  kind: string;
  /** The field read by a built-in, when it reads a named field (lets DuckDB compute it in SQL). */
  field?: string;
}

/** Reads the aggregated number from a value: a field name or a function. */
export type Accessor<T, V> = string | ((value: T) => V);

function reader<T, V>(accessor: Accessor<T, V>): (value: T) => V {
  if (typeof accessor === "function") return accessor;
  return (value: T) => (value as Record<string, unknown>)[accessor] as V;
}

function fieldOf<T, V>(accessor: Accessor<T, V>): string | undefined {
  return typeof accessor === "string" ? accessor : undefined;
}

/** Number of values. */
export function count<T>(): Aggregate<T, number, number> {
  return { kind: "count", init: () => 0, add: (s) => s + 1, result: (s) => s, merge: (a, b) => a + b };
}

/** Sum of a numeric field. */
export function sum<T>(accessor: Accessor<T, number>): Aggregate<T, number, number> {
  const get = reader(accessor);
  return { kind: "sum", field: fieldOf(accessor), init: () => 0, add: (s, v) => s + get(v), result: (s) => s, merge: (a, b) => a + b };
}

/** Arithmetic mean of a numeric field (null for an empty window). */
export function mean<T>(accessor: Accessor<T, number>): Aggregate<T, [number, number], number | null> {
  const get = reader(accessor);
  return {
    kind: "mean",
    field: fieldOf(accessor),
    init: () => [0, 0],
    add: (s, v) => {
      s[0] += get(v);
      s[1] += 1;
      return s;
    },
    result: (s) => (s[1] === 0 ? null : s[0] / s[1]),
    merge: (a, b) => {
      a[0] += b[0];
      a[1] += b[1];
      return a;
    },
    load: (saved) => [...(saved as [number, number])] as [number, number],
  };
}

/** Smallest value of a field (null for an empty window). */
export function min<T>(accessor: Accessor<T, number>): Aggregate<T, number | null, number | null> {
  const get = reader(accessor);
  return { kind: "min", field: fieldOf(accessor), init: () => null, add: (s, v) => (s === null ? get(v) : Math.min(s, get(v))), result: (s) => s, merge: (a, b) => (a === null ? b : b === null ? a : Math.min(a, b)) };
}

/** Largest value of a field (null for an empty window). */
export function max<T>(accessor: Accessor<T, number>): Aggregate<T, number | null, number | null> {
  const get = reader(accessor);
  return { kind: "max", field: fieldOf(accessor), init: () => null, add: (s, v) => (s === null ? get(v) : Math.max(s, get(v))), result: (s) => s, merge: (a, b) => (a === null ? b : b === null ? a : Math.max(a, b)) };
}

/** Exact number of distinct values of a field (a set per window, not an estimate). */
export function distinctCount<T>(accessor: Accessor<T, string | number>): Aggregate<T, Set<string | number>, number> {
  const get = reader(accessor);
  return {
    kind: "distinctCount",
    field: fieldOf(accessor),
    init: () => new Set(),
    add: (s, v) => s.add(get(v)),
    result: (s) => s.size,
    merge: (a, b) => {
      for (const v of b) a.add(v);
      return a;
    },
    save: (s) => [...s],
    load: (saved) => new Set(saved as Array<string | number>),
  };
}

/**
 * Options of a user-defined aggregate: the state must be JSON, or give save/load. `add` may change
 * the state in place and return it: a checkpoint turns the states into JSON text as soon as its
 * batch has run, so later batches cannot reach into it. Give `merge` too
 * and sliding windows over it use the faster partial states (one per slide instead of one per window).
 */
export interface CustomAggregate<T, S, R> {
  init(): S;
  add(state: S, value: T): S;
  result(state: S): R;
  /** Folds `from` into `into` and returns the result; may change `into`, must not change `from`. */
  merge?(into: S, from: S): S;
  save?(state: S): unknown;
  load?(saved: unknown): S;
}

/** A user-defined aggregate, e.g. the share of 5-star ratings. */
export function aggregate<T, S, R>(definition: CustomAggregate<T, S, R>): Aggregate<T, S, R> {
  return { kind: "custom", ...definition };
}

/** The aggregates of a query, by output column name. */
export type Aggregates<T> = Record<string, Aggregate<T, any, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
