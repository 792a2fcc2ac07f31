/** ApiVersions (key 18) v0-3. v3 is flexible (compact arrays, tagged fields); the response header is always v0. */
import { Writer } from "../protocol/codec";
import { SUPPORTED_APIS } from "../protocol/versions";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

/** The v0 layout, also used to answer an ApiVersions version we do not know (with error 35). */
export function apiVersionsV0(error: number): Writer {
  return new Writer().int16(error).array(SUPPORTED_APIS, (w, [key, min, max]) => w.int16(key).int16(min).int16(max));
}

export const handleApiVersions: Handler = (ctx, r) => {
  const v = ctx.apiVersion;
  if (v >= 3) {
    r.compactNullableString(); // client software name
    r.compactNullableString(); // client software version
    r.taggedFields();
    return new Writer()
      .int16(ErrorCode.NONE)
      .compactArray(SUPPORTED_APIS, (w, [key, min, max]) => w.int16(key).int16(min).int16(max).tagged())
      .int32(0)
      .tagged();
  }
  const w = apiVersionsV0(ErrorCode.NONE);
  if (v >= 1) w.int32(0);
  return w;
};
