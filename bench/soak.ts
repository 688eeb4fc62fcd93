import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearFaults, injectFault, localEndpoints } from '../test/support/endpoints';
import { INCREMENT_EVENT, REPLAY_EVENT } from '../functions/tags/logEvents';
import { printTable } from './report';

/**
 * `make soak`: the tag counter's exactly-once promise under a long, hostile run against the whole
 * local cloud (`local/withCloud.ts` starts it). Clients increment a few hot tags for
 * SOAK_SECONDS (default 120) while the control server keeps arming faults in front of
 * `incrementTag` (429s, 503s, delays), and some requests are abandoned by their client after a
 * few milliseconds: before the function saw them, or after it counted them but before the answer
 * arrived. Every client retries each increment with the same `Idempotency-Key` until it gets a
 * 200, as the README tells clients to. At the end `tagStats` must show, for every tag, exactly the
 * sum of the values the clients set out to add: nothing lost, nothing counted twice. Exits 1 if
 * not. Slow by design, so it is not part of `make test`.
 */

const SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 16);
/** Share of attempts whose client gives up after 0 to 40 ms, leaving the outcome unknown. */
const ABANDON_SHARE = 0.2;
const RUN = runLetters();
const TAGS = Array.from({ length: 8 }, (_, i) => `soak_${RUN}_${String.fromCharCode(97 + i)}`);

interface Counts {
  increments: number;
  attempts: number;
  abandoned: number;
  refused429: number;
  refused503: number;
  otherFailures: number;
  unexpected: string[];
}

async function main(): Promise<void> {
  const endpoints = localEndpoints();
  const incrementUrl = endpoints.functions.incrementTag;
  const statsUrl = endpoints.functions.tagStats;
  const expected = new Map<string, number>(TAGS.map((t) => [t, 0]));
  const counts: Counts = { increments: 0, attempts: 0, abandoned: 0, refused429: 0, refused503: 0, otherFailures: 0, unexpected: [] };
  const deadline = Date.now() + SECONDS * 1000;

  const faults = armFaultsUntil(deadline);
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < deadline) {
        const tag = TAGS[Math.floor(Math.random() * TAGS.length)];
        const value = 1 + Math.floor(Math.random() * 9);
        // Counted as intended before the first attempt: the client will not stop until it is applied.
        expected.set(tag, expected.get(tag)! + value);
        await incrementUntilAccepted(incrementUrl, tag, value, counts);
        counts.increments++;
      }
    }),
  );
  await faults;
  await clearFaults();

  const stats = (await (await fetch(statsUrl)).json()) as Record<string, number>;
  const rows = TAGS.map((tag) => [
    tag,
    String(expected.get(tag)),
    String(stats[tag] ?? 0),
    stats[tag] === expected.get(tag) ? 'exact' : 'WRONG',
  ]);
  printTable(
    `Soak: ${CLIENTS} clients for ${SECONDS} s against the local cloud, faults armed in front of incrementTag`,
    ['tag', 'sent (sum)', 'tagStats', ''],
    rows,
  );
  const logged = functionLogEvents();
  printTable(
    'Attempts',
    [
      'increments',
      'attempts',
      'abandoned by the client',
      '429 injected',
      '503',
      'other failures',
      'counted (log)',
      'replays recognised (log)',
    ],
    [
      [
        counts.increments,
        counts.attempts,
        counts.abandoned,
        counts.refused429,
        counts.refused503,
        counts.otherFailures,
        logged.counted,
        logged.replayed,
      ].map((n) => String(n ?? 'n/a')),
    ],
  );
  const wrong = rows.filter((r) => r[3] !== 'exact').length;
  if (counts.unexpected.length) console.log(`\nunexpected answers (first 5): ${counts.unexpected.slice(0, 5).join(' | ')}`);
  console.log(
    `\n${wrong === 0 && counts.unexpected.length === 0 ? 'exact: every increment counted once' : `NOT EXACT: ${wrong} tags wrong`}`,
  );
  if (wrong || counts.unexpected.length) process.exitCode = 1;
}

/** Sends one increment with one Idempotency-Key until a 200, retrying every failure with back-off. */
async function incrementUntilAccepted(url: string, tag: string, value: number, counts: Counts): Promise<void> {
  const key = `soak-${randomUUID()}`;
  for (let attempt = 0; ; attempt++) {
    counts.attempts++;
    const abandon = Math.random() < ABANDON_SHARE;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ name: tag, value }),
        signal: AbortSignal.timeout(abandon ? Math.floor(Math.random() * 40) : 30_000),
      });
      const text = await res.text();
      if (res.status === 200) return;
      if (res.status === 429) counts.refused429++;
      else if (res.status === 503) counts.refused503++;
      else {
        // 400/409 would mean the function refused a valid increment or its own replay.
        counts.unexpected.push(`${res.status} ${text}`);
        return;
      }
    } catch {
      if (abandon) counts.abandoned++;
      else counts.otherFailures++;
    }
    await sleep(Math.min(1000, 10 * 2 ** attempt) * Math.random());
  }
}

/** Keeps arming faults in front of incrementTag until the deadline: bursts of 429s, 503s and delays. */
async function armFaultsUntil(deadline: number): Promise<void> {
  const plans = [
    { function: 'incrementTag', status: 429, times: 20 },
    { function: 'incrementTag', status: 503, times: 10 },
    { function: 'incrementTag', delay_ms: 200, times: 20 },
  ];
  for (let i = 0; Date.now() < deadline; i++) {
    await injectFault(plans[i % plans.length]);
    await sleep(1000);
  }
}

/**
 * How many increments of this run the function logged as counted and as recognised replays (an
 * abandoned attempt it had counted, retried): read from the local cloud's function log, which
 * `withCloud` keeps beside the endpoints file. Undefined when the log is not there.
 */
function functionLogEvents(): { counted?: number; replayed?: number } {
  const file = path.join(path.dirname(process.env.LOCAL_CLOUD_ENDPOINTS ?? '.'), 'logs', 'incrementTag.log');
  if (!fs.existsSync(file)) return {};
  let counted = 0;
  let replayed = 0;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.includes(`soak_${RUN}_`)) continue;
    if (line.includes(`"event":"${INCREMENT_EVENT}"`)) counted++;
    else if (line.includes(`"event":"${REPLAY_EVENT}"`)) replayed++;
  }
  return { counted, replayed };
}

/** Four letters unique to this run, so a soak against a `make dev` cloud never mixes with old tags. */
function runLetters(): string {
  return Array.from({ length: 4 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exitCode = 1;
});
