/**
 * ISO 3166-1 country codes: the upload log names a country by its alpha-2 code ("FR"), world-atlas
 * (Natural Earth) by its numeric code ("250"). This small table joins the two for the countries
 * the generator uses; `test/scenarios/artmosphere/countries.test.ts` checks every numeric code
 * against the world-atlas map.
 */

export interface Country {
  /** ISO 3166-1 alpha-2, e.g. "FR". */
  alpha2: string;
  /** ISO 3166-1 numeric, three digits, as world-atlas writes it, e.g. "250". */
  numeric: string;
  name: string;
}

const TABLE: Array<[string, string, string]> = [
  ["AE", "784", "United Arab Emirates"], ["AR", "032", "Argentina"], ["AT", "040", "Austria"], ["AU", "036", "Australia"],
  ["BE", "056", "Belgium"], ["BR", "076", "Brazil"], ["CA", "124", "Canada"], ["CH", "756", "Switzerland"],
  ["CL", "152", "Chile"], ["CN", "156", "China"], ["CO", "170", "Colombia"], ["CZ", "203", "Czechia"],
  ["DE", "276", "Germany"], ["DK", "208", "Denmark"], ["EG", "818", "Egypt"], ["ES", "724", "Spain"],
  ["FI", "246", "Finland"], ["FR", "250", "France"], ["GB", "826", "United Kingdom"], ["GR", "300", "Greece"],
  ["HU", "348", "Hungary"], ["ID", "360", "Indonesia"], ["IE", "372", "Ireland"], ["IL", "376", "Israel"],
  ["IN", "356", "India"], ["IT", "380", "Italy"], ["JP", "392", "Japan"], ["KE", "404", "Kenya"],
  ["KR", "410", "South Korea"], ["MA", "504", "Morocco"], ["MX", "484", "Mexico"], ["NG", "566", "Nigeria"],
  ["NL", "528", "Netherlands"], ["NO", "578", "Norway"], ["NZ", "554", "New Zealand"], ["PE", "604", "Peru"],
  ["PH", "608", "Philippines"], ["PL", "616", "Poland"], ["PT", "620", "Portugal"], ["RU", "643", "Russia"],
  ["SA", "682", "Saudi Arabia"], ["SE", "752", "Sweden"], ["TH", "764", "Thailand"], ["TR", "792", "Turkey"],
  ["TW", "158", "Taiwan"], ["UA", "804", "Ukraine"], ["US", "840", "United States of America"], ["VN", "704", "Vietnam"],
  ["ZA", "710", "South Africa"],
];

/** The countries, by alpha-2 code. */
export const COUNTRIES: ReadonlyMap<string, Country> = new Map(TABLE.map(([alpha2, numeric, name]) => [alpha2, { alpha2, numeric, name }]));

/** The country of an alpha-2 code (exactly two capital letters), or undefined when the table has none. */
export function countryOf(alpha2: string): Country | undefined {
  return COUNTRIES.get(alpha2);
}
