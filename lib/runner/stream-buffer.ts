/**
 * Printed text, gathered into few stream messages, as ipykernel does (its OutStream flushes every
 * 0.2 s). tslab sends one Jupyter message per `console.log`: a loop printing 2,000 lines made 2,000
 * messages, which Jupyter's server throttles (its default iopub_msg_rate_limit is 1,000 messages a
 * second: "IOPub message rate exceeded", and the rest of the output is dropped) and every client
 * handles one by one. The text and its order are unchanged; only the messages are fewer.
 */

export type WriteStream = (name: string, text: string) => void;

export interface StreamBuffer {
  /** Adds text; another stream's text first sends what is waiting, so the order is kept. */
  write: WriteStream;
  /** Sends what is waiting now (before a display, a reply or the idle status). */
  flush(): void;
}

export interface StreamBufferOptions {
  /** Milliseconds text may wait (default 50). */
  delayMs?: number;
  /** Characters that make the waiting text go at once (default 1,000,000). */
  maxChars?: number;
}

/** The buffers holding text now (a cell's, or one of background work of an earlier cell). */
const waiting = new Set<StreamBuffer>();

/**
 * Sends the text of every buffer now: before a cell's reply and idle (text that background work of
 * an earlier cell printed meanwhile goes first, as it was printed first), before a display, and
 * before the kernel shuts down (nothing printed is lost at the end).
 */
export function flushAllStreams(): void {
  for (const buffer of [...waiting]) buffer.flush();
}

/** Buffers `send`'s text: what is written within `delayMs` goes as one message per stream run. */
export function streamBuffer(send: WriteStream, options: StreamBufferOptions = {}): StreamBuffer {
  const delayMs = options.delayMs ?? 50;
  const maxChars = options.maxChars ?? 1_000_000;
  let name: string | undefined;
  let parts: string[] = [];
  let chars = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    waiting.delete(buffer);
    if (name === undefined || parts.length === 0) return;
    const text = parts.join("");
    const stream = name;
    name = undefined;
    parts = [];
    chars = 0;
    send(stream, text);
  };
  const write: WriteStream = (stream, text) => {
    if (text === "") return;
    if (name !== undefined && name !== stream) flush();
    name = stream;
    parts.push(text);
    waiting.add(buffer);
    chars += text.length;
    if (chars >= maxChars) flush();
    else if (!timer) timer = setTimeout(flush, delayMs);
  };
  const buffer: StreamBuffer = { write, flush };
  return buffer;
}
