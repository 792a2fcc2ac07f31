import { test } from "node:test";
import assert from "node:assert/strict";
import { StreamEngine, type InputRecord } from "../../../lib/stream";

const rec = (offset: number, text: string): InputRecord => ({ partition: 0, offset: String(offset), key: null, value: Buffer.from(text) });

test("with keepValid the engine returns each batch's valid records with their parsed values and event times, in input order", () => {
  const engine = new StreamEngine<{ t: number }>({
    parse: (text) => (/^\d+$/.test(text) ? { ok: true, value: { t: Number(text) } } : { ok: false, reason: "not a number" }),
    eventTime: (v) => v.t,
    watermarkDelayMs: 0,
    queries: [],
    keepValid: true,
  });
  const r = engine.process([rec(0, "1000"), rec(1, "oops"), rec(2, "500")]);
  assert.deepEqual(r.valid?.map((v) => [v.record.offset, v.value, v.time]), [["0", { t: 1000 }, 1000], ["2", { t: 500 }, 500]]);
  assert.equal(r.dead.length, 1);
  assert.equal(r.watermarkAfter, 1000, "the watermark moves with no window query at all");
  const without = new StreamEngine<{ t: number }>({ parse: (text) => ({ ok: true, value: { t: Number(text) } }), eventTime: (v) => v.t, watermarkDelayMs: 0, queries: [] });
  assert.equal(without.process([rec(0, "1")]).valid, undefined, "not kept unless asked");
});
