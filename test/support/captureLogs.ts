import { setLogSink } from '../../functions/shared/logger';

/** Captures structured log lines written during a test; call `restore()` in afterEach. */
export function captureLogs(): { entries: Record<string, unknown>[]; restore: () => void } {
  const entries: Record<string, unknown>[] = [];
  const restore = setLogSink((_severity, line) => entries.push(JSON.parse(line) as Record<string, unknown>));
  return { entries, restore };
}
