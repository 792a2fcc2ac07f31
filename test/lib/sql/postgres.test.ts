import { test } from "node:test";
import assert from "node:assert/strict";
import { config } from "../../../lib/config";
import { openSql } from "../../../lib/sql";
import { isWorkbookError } from "../../../lib/errors";
import { sqlSuite } from "./suite";

const url = config().sql.url;
const skip = url ? false : "DATABASE_URL is not set (CI sets postgres://postgres@127.0.0.1:5432/postgres)";

sqlSuite("PostgreSQL server", () => openSql({ url: url as string }), skip);

test("an unreachable PostgreSQL fails with a message naming DATABASE_URL", async () => {
  await assert.rejects(openSql({ url: "postgres://nobody:secret@127.0.0.1:1/none" }), (err: Error) =>
    isWorkbookError(err, "SQL_OPEN") && /DATABASE_URL=postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/.test(err.message) && !/secret/.test(err.message));
});
