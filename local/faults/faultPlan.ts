/**
 * Faults the control server has armed in front of functions, or of local services that consult
 * the plan (`sheets`): answer a status instead, or hold the request for a while before passing
 * it on, for the next `times` requests. A fault names exactly one of `function` or `service`.
 */
type Target = { function: string; service?: undefined } | { service: string; function?: undefined };
export type Fault = Target & ({ status: number; times: number; body?: unknown } | { delay_ms: number; times: number });

function targetOf(fault: Fault): string {
  return fault.function ?? fault.service!;
}

export class FaultPlan {
  private readonly queues = new Map<string, Fault[]>();

  add(fault: Fault): void {
    const queue = this.queues.get(targetOf(fault)) ?? [];
    queue.push({ ...fault });
    this.queues.set(targetOf(fault), queue);
  }

  /** The fault to apply to the next request to `fn` (a function or service name), consuming one of its `times`. */
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
export function parseFault(body: unknown, knownFunctions: string[], knownServices: string[] = []): Fault | string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  let target: Target;
  if (b.service !== undefined && b.function === undefined) {
    if (typeof b.service !== 'string' || !knownServices.includes(b.service)) return `"service" must be one of ${knownServices.join(', ')}`;
    target = { service: b.service };
  } else {
    if (typeof b.function !== 'string' || !knownFunctions.includes(b.function)) {
      return (
        `"function" must be one of ${knownFunctions.join(', ')}` +
        (knownServices.length ? ` (or give "service": one of ${knownServices.join(', ')})` : '')
      );
    }
    target = { function: b.function };
  }
  const times = b.times ?? 1;
  if (!Number.isInteger(times) || (times as number) < 1) return '"times" must be a positive integer';
  const hasStatus = b.status !== undefined;
  const hasDelay = b.delay_ms !== undefined;
  if (hasStatus === hasDelay) return 'give exactly one of "status" or "delay_ms"';
  if (hasStatus) {
    if (!Number.isInteger(b.status) || (b.status as number) < 400 || (b.status as number) > 599)
      return '"status" must be an integer from 400 to 599';
    return { ...target, status: b.status as number, times: times as number, body: b.body };
  }
  if (!Number.isInteger(b.delay_ms) || (b.delay_ms as number) < 0 || (b.delay_ms as number) > 3_600_000) {
    return '"delay_ms" must be an integer from 0 to 3600000';
  }
  return { ...target, delay_ms: b.delay_ms as number, times: times as number };
}
