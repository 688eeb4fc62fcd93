/**
 * The unix-cron schedules Cloud Scheduler takes (`minute hour day-of-month month day-of-week`,
 * each `*`, `*\/n`, `a`, `a-b`, `a-b/n` or a comma list of those), evaluated in UTC. When both
 * day fields are restricted a day matching either runs, as in cron.
 */
const RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

export interface Cron {
  fields: Set<number>[];
  restricted: boolean[];
}

export function parseCron(text: string): Cron {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`schedule "${text}" must have five fields`);
  const fields = parts.map((part, i) => {
    const [min, max] = RANGES[i];
    const values = new Set<number>();
    for (const item of part.split(',')) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item);
      if (!m) throw new Error(`schedule "${text}": cannot read "${item}"`);
      const from = m[1] === '*' ? min : Number(m[2]);
      const to = m[1] === '*' ? max : m[3] !== undefined ? Number(m[3]) : m[4] ? max : from;
      const step = m[4] ? Number(m[4]) : 1;
      if (from < min || to > max || from > to || step < 1) throw new Error(`schedule "${text}": "${item}" is out of range`);
      for (let v = from; v <= to; v += step) values.add(i === 4 && v === 7 ? 0 : v);
    }
    return values;
  });
  return { fields, restricted: parts.map((p) => p !== '*') };
}

/** The first minute strictly after `after` that the schedule runs at. */
export function nextRun(cron: Cron, after: Date): Date {
  const t = new Date(after.getTime());
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  const [minutes, hours, days, months, weekdays] = cron.fields;
  for (let i = 0; i < 366 * 24 * 60; i++) {
    const dayOk =
      cron.restricted[2] && cron.restricted[4]
        ? days.has(t.getUTCDate()) || weekdays.has(t.getUTCDay())
        : days.has(t.getUTCDate()) && weekdays.has(t.getUTCDay());
    if (minutes.has(t.getUTCMinutes()) && hours.has(t.getUTCHours()) && months.has(t.getUTCMonth() + 1) && dayOk) return t;
    t.setUTCMinutes(t.getUTCMinutes() + 1);
  }
  throw new Error('the schedule never runs');
}
