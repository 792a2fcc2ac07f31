import { test } from "node:test";
import assert from "node:assert/strict";
import { worldTopology } from "../../../lib/display/map";
import { COUNTRIES, countryOf } from "../../../scenarios/artmosphere/countries";

test("every country of the table is on the world-atlas map under its ISO numeric code, with the same name", () => {
  const geometries = (worldTopology() as { objects: { countries: { geometries: Array<{ id?: string; properties: { name: string } }> } } }).objects.countries.geometries;
  const byId = new Map(geometries.map((g) => [g.id, g.properties.name]));
  assert.ok(COUNTRIES.size >= 40);
  for (const c of COUNTRIES.values()) {
    assert.match(c.alpha2, /^[A-Z]{2}$/);
    assert.equal(byId.get(c.numeric), c.name, `${c.alpha2} ${c.numeric}`);
  }
  assert.equal(countryOf("FR")?.numeric, "250");
  assert.equal(countryOf("XX"), undefined);
});
