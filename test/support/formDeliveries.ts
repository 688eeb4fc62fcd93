import type { Delivery, DeliveryState } from '../../functions/forms/model';
import { newDeliveryData } from '../../functions/forms/deliveryStore';
import { emulatorFirestore } from './emulatorFirestore';

/** A delivery row as a submit writes it (open while pending or failed), for seeding the emulator. */
export function deliveryRow(id: string, state: DeliveryState, fields: Partial<Delivery> = {}): Omit<Delivery, 'created_at' | 'updated_at'> {
  return {
    id,
    response_id: id.split('.')[0],
    form_id: 'f1',
    task_id: id.split('.')[1] ?? 'crm',
    task_type: 'webhook',
    state,
    open: state === 'pending' || state === 'failed',
    attempts: [],
    target: null,
    verify: false,
    traceparent: null,
    ...fields,
  };
}

/** Writes the rows into `collection` of the emulator's (default) database, each created and updated at its time. */
export async function seedDeliveries(collection: string, rows: [Omit<Delivery, 'created_at' | 'updated_at'>, Date][]): Promise<void> {
  const db = emulatorFirestore();
  const batch = db.batch();
  for (const [row, at] of rows) batch.set(db.collection(collection).doc(row.id), newDeliveryData(row, at));
  await batch.commit();
}
