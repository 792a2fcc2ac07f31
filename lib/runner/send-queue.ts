/**
 * The fix for tslab's lost kernel messages.
 *
 * tslab sends every Jupyter message with `sock.send(...)` and never awaits it. zeromq 6 lets a
 * socket run a limited number of sends synchronously (512 per turn of the event loop); the next one
 * becomes asynchronous, and any send made while that one is pending is rejected at once with
 * EBUSY ("Socket is busy writing"). tslab's global handler swallows the rejection, so the message is
 * lost: a chunk of printed text, a display, or the `status: idle` that tells a client the cell is
 * done (the cell then looks busy forever).
 *
 * `queueSends(zmq)` changes the zeromq module that tslab loads, before tslab loads it:
 * - each socket's `send` waits for the socket's previous send, so sends run one at a time in the
 *   order they were made and none meets EBUSY, whoever calls without awaiting;
 * - the kernel's Publisher (iopub) gets no send high-water mark, so a burst of output waits in the
 *   queue for a slow client instead of being dropped by PUB's high-water rule.
 * Every way the kernel is started (the batch runner, the kernelspec of Jupyter and VS Code) goes
 * through `tslab-kernel.ts`, which applies this first.
 */
import type * as Zmq from "zeromq";

type SendFn = (this: Zmq.Socket, ...args: unknown[]) => Promise<void>;

const QUEUED = Symbol.for("de-workbook.queued-sends");

/** The tail of each socket's chain of sends. */
const tails = new WeakMap<object, Promise<unknown>>();

/** Resolves when every send made so far on `socket` has been handed to ZeroMQ. */
export function sendsDone(socket: object): Promise<void> {
  return (tails.get(socket) ?? Promise.resolve()).then(() => undefined);
}

/** True when `queueSends` has already changed this zeromq module. */
export function sendsQueued(zmq: typeof Zmq): boolean {
  return (zmq.Socket.prototype as unknown as Record<symbol, boolean>)[QUEUED] === true;
}

/** Makes every socket of this zeromq module send one message at a time, in order (idempotent). */
export function queueSends(zmq: typeof Zmq): void {
  const proto = zmq.Socket.prototype as unknown as Record<string | symbol, unknown>;
  if (proto[QUEUED] === true) return;
  const original = proto.send as SendFn | undefined;
  if (typeof original !== "function") {
    throw new Error("zeromq's Socket.prototype.send is not a function: this zeromq version is not supported by the send queue");
  }
  const queued: SendFn = function (this: Zmq.Socket, ...args: unknown[]): Promise<void> {
    const previous = tails.get(this);
    const sent = previous === undefined ? original.apply(this, args) : previous.then(() => original.apply(this, args));
    // The chain goes on after a failed send; the caller still sees the failure.
    tails.set(this, sent.catch(() => undefined));
    return sent;
  };
  Object.defineProperty(proto, "send", { value: queued, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(proto, QUEUED, { value: true, enumerable: false });

  // iopub: never drop a message for a slow subscriber (a client that is reading a big output).
  const Publisher = zmq.Publisher;
  class UnboundedPublisher extends Publisher {
    constructor(options?: ConstructorParameters<typeof Zmq.Publisher>[0]) {
      super({ sendHighWaterMark: 0, ...options });
    }
  }
  Object.defineProperty(zmq, "Publisher", { value: UnboundedPublisher, writable: true, configurable: true, enumerable: true });
}
