/**
 * Faults the control server has armed in front of functions: answer a status instead of the
 * function, or hold the request for a while before passing it on, for the next `times` requests.
 */
export type Fault =
  { function: string; status: number; times: number; body?: unknown } | { function: string; delay_ms: number; times: number };

export class FaultPlan {
  private readonly queues = new Map<string, Fault[]>();

  add(fault: Fault): void {
    const queue = this.queues.get(fault.function) ?? [];
    queue.push({ ...fault });
    this.queues.set(fault.function, queue);
  }

  /** The fault to apply to the next request to `fn`, consuming one of its `times`. */
  take(fn: string): Fault | undefined {
    const queue = this.queues.get(fn);
    const fault = queue?.[0];
    if (!fault) return undefined;
    fault.times -= 1;
    if (fault.times <= 0) queue!.shift();
    return { ...fault };
  }

  list(): Fault[] {
    return [...this.queues.values()].flat().map((f) => ({ ...f }));
  }

  clear(): void {
    this.queues.clear();
  }
}

/** Checks a `POST /faults` body; returns the fault or a message saying what is wrong. */
export function parseFault(body: unknown, knownFunctions: string[]): Fault | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.function !== 'string' || !knownFunctions.includes(b.function)) {
    return `"function" must be one of ${knownFunctions.join(', ')}`;
  }
  const times = b.times ?? 1;
  if (!Number.isInteger(times) || (times as number) < 1) return '"times" must be a positive integer';
  const hasStatus = b.status !== undefined;
  const hasDelay = b.delay_ms !== undefined;
  if (hasStatus === hasDelay) return 'give exactly one of "status" or "delay_ms"';
  if (hasStatus) {
    if (!Number.isInteger(b.status) || (b.status as number) < 400 || (b.status as number) > 599)
      return '"status" must be an integer from 400 to 599';
    return { function: b.function, status: b.status as number, times: times as number, body: b.body };
  }
  if (!Number.isInteger(b.delay_ms) || (b.delay_ms as number) < 0 || (b.delay_ms as number) > 3_600_000) {
    return '"delay_ms" must be an integer from 0 to 3600000';
  }
  return { function: b.function, delay_ms: b.delay_ms as number, times: times as number };
}
