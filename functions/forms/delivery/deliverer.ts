import type { Logger } from '../../shared/logger';
import type { Delivery, Form, FormSecrets, StoredResponse, Task } from '../model';
import type { AsyncTaskType } from '../taskTypes';

/**
 * What an async plug-in does when its worker receives a delivery: the other half of the plug-in
 * interface (`plugins/plugin.ts`), loaded only by that type's worker. The worker has already
 * skipped deliveries that are done and loaded everything named here.
 */
export interface DeliveryContext {
  delivery: Delivery;
  response: StoredResponse;
  form: Form;
  task: Task;
  secrets: FormSecrets;
  log: Logger;
}

export type DeliveryOutcome =
  /** Done. `recorded`: the deliverer already wrote the attempt (a Sheets batch records all its rows). */
  | { outcome: 'delivered'; status?: number | null; recorded?: boolean }
  /** Not done; Pub/Sub delivers the message again after its back-off. */
  | { outcome: 'retry'; status?: number | null; error: string; recorded?: boolean }
  /** Can never succeed as configured (a webhook answering 410): dead at once, replay after fixing. */
  | { outcome: 'permanent'; status?: number | null; error: string };

export interface Deliverer {
  type: AsyncTaskType;
  deliver(context: DeliveryContext): Promise<DeliveryOutcome>;
}
