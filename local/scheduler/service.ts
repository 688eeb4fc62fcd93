import type * as http from 'node:http';
import { closeServer, createLocalServer, listenLocal, sendJson } from '../httpServer';
import type { LocalService, LocalServiceContext, StartedService } from '../service';
import { nextRun, parseCron, type Cron } from './cron';

/**
 * A local Cloud Scheduler: runs HTTP jobs on their unix-cron schedules (UTC), as Cloud Scheduler
 * does with the jobs Terraform creates. It knows no product: whoever wires the local cloud hands
 * it the jobs (`declare`) once the URLs they call exist. Its endpoint lists the jobs with their
 * last run, and `POST /jobs/{name}:run` runs one at once (Cloud Scheduler's `jobs.run`).
 */
export interface SchedulerJob {
  name: string;
  schedule: string;
  url: string;
}

interface Scheduled extends SchedulerJob {
  cron: Cron;
  timer?: NodeJS.Timeout;
  lastRun?: { at: string; status: number | null; error?: string };
  nextRun?: string;
}

export class SchedulerService implements LocalService {
  readonly name = 'scheduler';
  private jobs = new Map<string, Scheduled>();
  private server?: http.Server;

  async start(context: LocalServiceContext): Promise<StartedService> {
    this.server = createLocalServer((req, res) => void this.handle(req, res));
    const url = await listenLocal(this.server, context.port);
    return { endpoint: url, env: {} };
  }

  declare(jobs: SchedulerJob[]): void {
    for (const job of jobs) {
      const scheduled: Scheduled = { ...job, cron: parseCron(job.schedule) };
      this.jobs.set(job.name, scheduled);
      this.arm(scheduled);
    }
  }

  private arm(job: Scheduled): void {
    const at = nextRun(job.cron, new Date());
    job.nextRun = at.toISOString();
    job.timer = setTimeout(() => {
      void this.run(job).finally(() => {
        if (this.jobs.get(job.name) === job) this.arm(job);
      });
    }, at.getTime() - Date.now());
    job.timer.unref();
  }

  private async run(job: Scheduled): Promise<void> {
    const at = new Date().toISOString();
    try {
      const res = await fetch(job.url, {
        method: 'POST',
        headers: { 'user-agent': 'Google-Cloud-Scheduler' },
        signal: AbortSignal.timeout(180_000),
      });
      await res.arrayBuffer();
      job.lastRun = { at, status: res.status };
    } catch (err) {
      job.lastRun = { at, status: null, error: (err as Error).message };
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const m = /^\/jobs\/([^/:]+):run$/.exec(path);
    if (req.method === 'POST' && m) {
      const job = this.jobs.get(decodeURIComponent(m[1]));
      if (!job) return sendJson(res, 404, { error: `no job ${m[1]}` });
      await this.run(job);
      return sendJson(res, 200, describe(job));
    }
    if (req.method === 'GET' && (path === '/' || path === '/jobs'))
      return sendJson(res, 200, { jobs: [...this.jobs.values()].map(describe) });
    sendJson(res, 404, { error: `${req.method} ${path} is not a scheduler endpoint` });
  }

  /** Runs stay on their schedule across a reset, as Cloud Scheduler's would; the last-run record is cleared. */
  async reset(): Promise<void> {
    for (const job of this.jobs.values()) job.lastRun = undefined;
  }

  async stop(): Promise<void> {
    for (const job of this.jobs.values()) clearTimeout(job.timer);
    this.jobs.clear();
    await closeServer(this.server);
  }
}

function describe(job: Scheduled): Record<string, unknown> {
  return { name: job.name, schedule: job.schedule, url: job.url, last_run: job.lastRun ?? null, next_run: job.nextRun ?? null };
}
