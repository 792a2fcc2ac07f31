/** InitProducerId (API key 22), versions 0-4. */
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleInitProducerId: Handler = (ctx) => {
  // Transactions are not supported: every id is a plain idempotent producer id with epoch 0.
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: ctx.broker.nextProducerId(), producerEpoch: 0 };
};
