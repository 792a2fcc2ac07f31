/**
 * The one error type of the workbook: a stable `code`, a message that says what was wrong,
 * quotes the value or path, and says how to fix it, and the underlying `cause` when there is one.
 */
export class WorkbookError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WorkbookError";
    this.code = code;
  }
}

/** True when `err` is a WorkbookError with the given code (or any code when omitted). */
export function isWorkbookError(err: unknown, code?: string): err is WorkbookError {
  return err instanceof WorkbookError && (code === undefined || err.code === code);
}
