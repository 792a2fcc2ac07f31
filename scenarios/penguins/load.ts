/**
 * PostgreSQL (PGlite, or DATABASE_URL): the `penguins` table with a key and typed, checked
 * columns, the `penguins_rejected` table with each rejected record and its reason, and an
 * idempotent load by key: running it twice leaves the same rows.
 */
import type { SqlDatabase } from "../../lib/sql/sql";
import { ISLANDS, SPECIES, validatePenguin, type PenguinRecord } from "./data";

export const TABLES = { penguins: "penguins", rejected: "penguins_rejected", islands: "penguin_islands" } as const;

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(", ");

/**
 * The schema: the key is the record's position in the source file; `loaded_at` says when the row was
 * last written; `penguin_islands` is the dimension of the study's islands.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS ${TABLES.penguins} (
  penguin_id        integer PRIMARY KEY,
  species           text NOT NULL CHECK (species IN (${list(SPECIES)})),
  island            text NOT NULL CHECK (island IN (${list(ISLANDS)})),
  bill_length_mm    numeric(5, 1) NOT NULL CHECK (bill_length_mm > 0),
  bill_depth_mm     numeric(5, 1) NOT NULL CHECK (bill_depth_mm > 0),
  flipper_length_mm numeric(5, 1) NOT NULL CHECK (flipper_length_mm > 0),
  body_mass_g       numeric(6, 1) NOT NULL CHECK (body_mass_g > 0),
  sex               text CHECK (sex IN ('female', 'male')),
  loaded_at         timestamptz
);
CREATE TABLE IF NOT EXISTS ${TABLES.rejected} (
  penguin_id integer PRIMARY KEY,
  reason     text NOT NULL,
  record     jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS ${TABLES.islands} (
  island text PRIMARY KEY
);
INSERT INTO ${TABLES.islands} (island) VALUES ${ISLANDS.map((i) => `('${i}')`).join(", ")} ON CONFLICT (island) DO NOTHING;`;

export async function createPenguinTables(db: SqlDatabase): Promise<void> {
  await db.exec(SCHEMA_SQL);
  await db.exec(`ALTER TABLE ${TABLES.penguins} ADD COLUMN IF NOT EXISTS loaded_at timestamptz`); // a table made by an earlier workbook
}

export interface LoadResult {
  /** Records read from the source. */
  read: number;
  /** Rows in `penguins` after the load. */
  loaded: number;
  /** Rows in `penguins_rejected` after the load. */
  rejected: number;
}

/**
 * Validates and loads records in one transaction: good ones are upserted into `penguins`, bad ones
 * into `penguins_rejected`, both by key (the 1-based position), and a key that changed sides is
 * removed from the other table. Counts reconcile: read = loaded + rejected.
 */
export async function loadPenguins(db: SqlDatabase, records: PenguinRecord[], options: { now?: Date } = {}): Promise<LoadResult> {
  await createPenguinTables(db);
  const loadedAt = options.now ?? new Date();
  const good: Record<string, unknown>[] = [];
  const bad: Record<string, unknown>[] = [];
  records.forEach((record, i) => {
    const v = validatePenguin(record, i + 1);
    if (v.ok) good.push({ ...v.penguin, loaded_at: loadedAt });
    else bad.push({ penguin_id: i + 1, reason: v.reason, record: JSON.stringify(record) });
  });
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM ${TABLES.penguins} WHERE penguin_id > $1`, [records.length]);
    await tx.query(`DELETE FROM ${TABLES.rejected} WHERE penguin_id > $1`, [records.length]);
    if (bad.length) await tx.query(`DELETE FROM ${TABLES.penguins} WHERE penguin_id = ANY($1::int[])`, [bad.map((b) => b.penguin_id)]);
    if (good.length) await tx.query(`DELETE FROM ${TABLES.rejected} WHERE penguin_id = ANY($1::int[])`, [good.map((g) => g.penguin_id)]);
    if (good.length) await tx.upsert(TABLES.penguins, good, { key: ["penguin_id"] });
    if (bad.length) await tx.upsert(TABLES.rejected, bad, { key: ["penguin_id"] });
  });
  const n = async (table: string) => Number((await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n);
  return { read: records.length, loaded: await n(TABLES.penguins), rejected: await n(TABLES.rejected) };
}
