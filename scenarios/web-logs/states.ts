/** The 50 US states and DC: name, FIPS code (the ids of vega-datasets' us-10m.json) and 2020 census population in thousands. */
export interface UsState {
  name: string;
  fips: number;
  population: number;
}

export const US_STATES: readonly UsState[] = [
  { name: "Alabama", fips: 1, population: 5024 }, { name: "Alaska", fips: 2, population: 733 },
  { name: "Arizona", fips: 4, population: 7152 }, { name: "Arkansas", fips: 5, population: 3012 },
  { name: "California", fips: 6, population: 39538 }, { name: "Colorado", fips: 8, population: 5774 },
  { name: "Connecticut", fips: 9, population: 3606 }, { name: "Delaware", fips: 10, population: 990 },
  { name: "District of Columbia", fips: 11, population: 690 }, { name: "Florida", fips: 12, population: 21538 },
  { name: "Georgia", fips: 13, population: 10712 }, { name: "Hawaii", fips: 15, population: 1455 },
  { name: "Idaho", fips: 16, population: 1839 }, { name: "Illinois", fips: 17, population: 12813 },
  { name: "Indiana", fips: 18, population: 6786 }, { name: "Iowa", fips: 19, population: 3190 },
  { name: "Kansas", fips: 20, population: 2938 }, { name: "Kentucky", fips: 21, population: 4506 },
  { name: "Louisiana", fips: 22, population: 4658 }, { name: "Maine", fips: 23, population: 1362 },
  { name: "Maryland", fips: 24, population: 6177 }, { name: "Massachusetts", fips: 25, population: 7030 },
  { name: "Michigan", fips: 26, population: 10077 }, { name: "Minnesota", fips: 27, population: 5706 },
  { name: "Mississippi", fips: 28, population: 2961 }, { name: "Missouri", fips: 29, population: 6154 },
  { name: "Montana", fips: 30, population: 1084 }, { name: "Nebraska", fips: 31, population: 1962 },
  { name: "Nevada", fips: 32, population: 3105 }, { name: "New Hampshire", fips: 33, population: 1377 },
  { name: "New Jersey", fips: 34, population: 9289 }, { name: "New Mexico", fips: 35, population: 2118 },
  { name: "New York", fips: 36, population: 20201 }, { name: "North Carolina", fips: 37, population: 10439 },
  { name: "North Dakota", fips: 38, population: 779 }, { name: "Ohio", fips: 39, population: 11799 },
  { name: "Oklahoma", fips: 40, population: 3959 }, { name: "Oregon", fips: 41, population: 4237 },
  { name: "Pennsylvania", fips: 42, population: 13003 }, { name: "Rhode Island", fips: 44, population: 1097 },
  { name: "South Carolina", fips: 45, population: 5118 }, { name: "South Dakota", fips: 46, population: 887 },
  { name: "Tennessee", fips: 47, population: 6911 }, { name: "Texas", fips: 48, population: 29146 },
  { name: "Utah", fips: 49, population: 3272 }, { name: "Vermont", fips: 50, population: 643 },
  { name: "Virginia", fips: 51, population: 8631 }, { name: "Washington", fips: 53, population: 7705 },
  { name: "West Virginia", fips: 54, population: 1794 }, { name: "Wisconsin", fips: 55, population: 5894 },
  { name: "Wyoming", fips: 56, population: 577 },
];

/** State names, for the quality check "states from the known list" and SQL IN lists. */
export const STATE_NAMES: readonly string[] = US_STATES.map((s) => s.name);

const BY_NAME = new Map(US_STATES.map((s) => [s.name, s]));

/** The state of a name, or undefined. */
export function stateByName(name: string): UsState | undefined {
  return BY_NAME.get(name);
}
