/** ApiVersions (key 18) v0-3. v3 is flexible; its response header stays v0 (see protocol/versions.ts). */
import { SUPPORTED_APIS } from "../protocol/versions";
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { Handler } from "./context";

/** The response fields; also sent in v0 layout, with error 35, to a client asking for a version we lack. */
export function apiVersionsResponse(error: number): Message {
  return { errorCode: error, apiKeys: SUPPORTED_APIS.map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion })), throttleTimeMs: 0 };
}

export const handleApiVersions: Handler = () => apiVersionsResponse(ErrorCode.NONE);
