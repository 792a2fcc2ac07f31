/** InitProducerId (API key 22), versions 0-1. */
import { Writer } from "../protocol/codec";
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleInitProducerId: Handler = (ctx, r) => {
  r.nullableString(); // transactional id: transactions are not supported, ids are plain idempotent ones
  r.int32(); // transaction timeout
  return new Writer().int32(0).int16(ErrorCode.NONE).int64(ctx.broker.nextProducerId()).int16(0);
};
