/**
 * Every wait in the engine (`sys.sleep`, retry back-off, polling) goes through a Clock so tests can
 * run the documented delays (seconds to minutes) in milliseconds and still check them.
 */
export interface Clock {
  /** Wall-clock time in ms since the epoch, as `sys.now` reports it. */
  now(): number;
  /** Waits `ms` of workflow time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * A clock whose sleeps last `1/speed` of the asked time, and which records every asked delay
 * (in workflow ms) so a test can assert the back-off sequence without waiting for it.
 * speed = 1 is the real clock.
 */
export class ScaledClock implements Clock {
  /** Every delay asked for, in workflow milliseconds, in order. */
  readonly sleeps: number[] = [];
  private offset = 0;

  constructor(
    readonly speed = 1,
    private readonly record = true,
  ) {
    if (!(speed > 0)) throw new RangeError('clock speed must be > 0');
  }

  now(): number {
    // Workflow time runs ahead by the time saved, so sys.now() after sys.sleep(10) is 10 s later.
    return Date.now() + this.offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.record) this.sleeps.push(ms);
    const real = ms / this.speed;
    // What sys.now() must at least read when the sleep ends (the documented guarantee).
    const target = this.now() + ms;
    this.offset += ms - real;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      let timer: NodeJS.Timeout;
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      // Node may fire a timer up to a millisecond early by Date.now(): wait out the remainder so
      // a sleep never ends before its time.
      const arm = (delay: number): void => {
        timer = setTimeout(() => {
          const left = target - this.now();
          if (left > 0) return arm(left / this.speed);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, delay);
      };
      arm(real);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The real clock. */
export const realClock: Clock = new ScaledClock(1, false);
