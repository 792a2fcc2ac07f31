import { test } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../../../lib/kafka/broker/protocol/crc32c";

test("crc32c matches the Castagnoli check values", () => {
  assert.equal(crc32c(Buffer.from("123456789")), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
});

test("crc32c of a range equals crc32c of the copied range, for every alignment", () => {
  const data = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
  for (let start = 0; start < 9; start++) {
    for (const end of [start, start + 1, start + 7, start + 8, start + 9, 100]) {
      assert.equal(crc32c(data, start, end), crc32c(Buffer.from(data.subarray(start, end))));
    }
  }
});
