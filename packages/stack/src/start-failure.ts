/**
 * Why the stack could not start, as one line a person can act on: which part failed, why, and
 * what to do (`gateway: port 3000 is in use (set HANGAR_PORT)`). Every step of a start turns its
 * failure into one of these; `cli.ts` prints it as its last line, never a stack trace.
 */
export class StartFailure extends Error {
  constructor(
    /** The part that failed: `postgres`, `nats`, `chromium`, `gateway`, `browser-node-1`, … */
    readonly component: string,
    message: string,
  ) {
    super(message);
    this.name = 'StartFailure';
  }

  /** `<component>: <message>` on one line. */
  get line(): string {
    return `${this.component}: ${oneLine(this.message)}`;
  }
}

/** Newlines and runs of blanks folded, so a multi-line reason still prints as one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').replace(/\s{2,}/g, ' ').trim();
}

/** The error as it is, when it already says what failed; otherwise the first line of it under `component`. */
export function asStartFailure(component: string, err: unknown): StartFailure {
  if (err instanceof StartFailure) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new StartFailure(component, message.split('\n').find((line) => line.trim() !== '') ?? 'failed');
}

/** Runs one step of the start; whatever it throws becomes a StartFailure of `component`. */
export async function step<T>(component: string, work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asStartFailure(component, err);
  }
}
