/**
 * Snapshots `process.env` and returns the function that puts it back as it was: keys added since
 * are deleted, changed or deleted ones get their old value. It works key by key because
 * `process.env` itself must stay the same object (code under test and Node hold references to it).
 */
export function saveEnv(): () => void {
  const saved = { ...process.env };
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}
