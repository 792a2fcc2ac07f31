/**
 * The checks that guard the `penguins` table in PostgreSQL, declared with lib/quality: it has rows
 * (and not far fewer or more than the previous loads), body masses are plausible grams (2,000 to
 * 7,000: a batch in kilograms passes the table's CHECK > 0 but not this), bill lengths are
 * millimetres (25 to 65), and the species' shares and the body masses do not drift from the
 * previous load. The table's own constraints already hold keys, not-null and accepted values.
 */
import { drift, range, volume, type QualityCheck } from "../../lib/quality";
import { TABLES } from "./load";

export function penguinChecks(): QualityCheck[] {
  const table = TABLES.penguins;
  return [
    volume({ table, min: 1, tolerance: 0.5, name: "row count near previous loads" }),
    range({ table, column: "body_mass_g", min: 2000, max: 7000 }),
    range({ table, column: "bill_length_mm", min: 25, max: 65 }),
    drift({ table, column: "species", categorical: true, threshold: 0.1 }),
    drift({ table, column: "body_mass_g", threshold: 0.2 }),
  ];
}
