/** The APIs and version ranges this broker advertises in ApiVersions, from the layouts in messages.ts. */
import { APIS, API_BY_KEY } from "./messages";

export { ApiKey } from "./messages";

/** [apiKey, minVersion, maxVersion] */
export const SUPPORTED_APIS: readonly (readonly [number, number, number])[] = APIS.map((a) => [a.key, a.min, a.max] as const);

export function isSupported(apiKey: number, version: number): boolean {
  const api = API_BY_KEY.get(apiKey);
  return api !== undefined && version >= api.min && version <= api.max;
}

/**
 * Flexible versions use request header v2 (tagged fields after the client id) and response header
 * v1 (tagged fields after the correlation id), except ApiVersions, whose response header is always
 * v0 so that a client can read it before it knows what the broker speaks.
 */
export function isFlexible(apiKey: number, version: number): boolean {
  const api = API_BY_KEY.get(apiKey);
  return api !== undefined && version >= api.flexibleFrom;
}
