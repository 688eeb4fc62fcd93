import { firestore } from '../shared/clients/firestore';
import type { TagCounterConfig } from './config';
import { TagCounter } from './tagCounter';

let counter: TagCounter | undefined;

/** The instance's TagCounter, built on first use over the shared Firestore client. */
export function tagCounter(config: TagCounterConfig): TagCounter {
  counter ??= new TagCounter(firestore(), config);
  return counter;
}
