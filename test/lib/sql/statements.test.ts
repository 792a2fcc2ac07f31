import assert from "node:assert/strict";
import { test } from "node:test";
import { isWorkbookError } from "../../../lib/errors";
import { plainName } from "../../../lib/sql";

test("plainName passes plain lower-case names and refuses anything else with SQL_NAME, naming what it checked", () => {
  for (const ok of ["url_hourly", "_t1", "artmosphere_popularity"]) assert.equal(plainName(ok), ok);
  for (const bad of ["Url", "1t", "a-b", "a.b", "t; DROP TABLE x", ""]) {
    assert.throws(() => plainName(bad, "tablePrefix"), (e) => isWorkbookError(e, "SQL_NAME") && e.message.startsWith(`tablePrefix ${JSON.stringify(bad)} is not a plain lower-case SQL name`));
  }
});
