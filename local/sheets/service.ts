import type { LocalService, LocalServiceContext, StartedService } from '../service';
import { applyFault } from '../faults/faultProxy';
import { SheetsServer } from './server';

/**
 * The local Google Sheets and Drive API as a piece of the local cloud. `SHEETS_EMULATOR_HOST`
 * (the base URL, which the Sheets and Drive clients take as `rootUrl`) tells functions where it
 * is. Faults armed on the control server for the service `sheets` are applied to its requests.
 */
export class SheetsService implements LocalService {
  readonly name = 'sheets';
  private server?: SheetsServer;

  constructor(private readonly writesPerMinute = 60) {}

  get running(): SheetsServer | undefined {
    return this.server;
  }

  async start(context: LocalServiceContext): Promise<StartedService> {
    if (this.server) throw new Error('sheets: already started');
    const faults = context.faults;
    this.server = await SheetsServer.start(context.port, {
      writesPerMinute: this.writesPerMinute,
      intercept: faults ? (req, res) => applyFault(faults, this.name, req, res) : undefined,
    });
    return { endpoint: this.server.url, env: { SHEETS_EMULATOR_HOST: this.server.url } };
  }

  async reset(): Promise<void> {
    this.server?.reset();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }
}
