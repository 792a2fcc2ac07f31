import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonObject } from "../../../lib/stream";

test("parseJsonObject gives the object, or says the text is not JSON (quoting at most 60 characters) or not an object", () => {
  assert.deepEqual(parseJsonObject('{"a":1}'), { ok: true, value: { a: 1 } });
  assert.deepEqual(parseJsonObject('{"a":'), { ok: false, reason: 'not JSON: "{\\"a\\":"' });
  const long = `{${"x".repeat(100)}`;
  assert.deepEqual(parseJsonObject(long), { ok: false, reason: `not JSON: ${JSON.stringify(`${long.slice(0, 60)}...`)}` });
  for (const text of ["[1]", '"text"', "3", "null"]) assert.deepEqual(parseJsonObject(text), { ok: false, reason: "not a JSON object" });
});
