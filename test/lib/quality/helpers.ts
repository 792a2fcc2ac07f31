/** Helpers for the lib/quality tests. */
import assert from "node:assert/strict";
import { parse } from "yaml";

type Model = { name: string; columns?: { name: string; data_tests?: unknown[]; meta?: Record<string, unknown> }[] };

/** [model, column, test, args] for each generic test in a parsed schema.yml. */
export function genericTests(yml: string): [string, string, string, unknown][] {
  const doc = parse(yml) as { version: number; models: Model[] };
  assert.equal(doc.version, 2);
  return doc.models.flatMap((m) => (m.columns ?? []).flatMap((c) => (c.data_tests ?? []).map((t): [string, string, string, unknown] => {
    if (typeof t === "string") return [m.name, c.name, t, {}];
    const [name, args] = Object.entries(t as Record<string, unknown>)[0];
    return [m.name, c.name, name, args];
  })));
}
