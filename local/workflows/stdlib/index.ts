import { bigqueryConnectors } from '../connectors/bigquery';
import { firestoreConnectors } from '../connectors/firestore';
import { pubsubConnectors } from '../connectors/pubsub';
import { connectorFunction } from '../connectors/rest';
import { storageConnectors } from '../connectors/storage';
import { workflowExecutionsConnectors } from '../connectors/workflowExecutions';
import { collectionFunctions } from './collections';
import { coreFunctions } from './core';
import { encodingFunctions } from './encoding';
import { hashFunctions } from './hash';
import { httpFunctions } from './http';
import { mathFunctions } from './math';
import { StdFunction } from './registry';
import { retryFunctions } from './retry';
import { sysFunctions } from './sys';
import { textFunctions } from './text';

/** Every function and connector the local engine implements, by name. Anything else is refused at deploy. */
export const STDLIB: ReadonlyMap<string, StdFunction> = new Map(
  [
    ...coreFunctions,
    ...collectionFunctions,
    ...textFunctions,
    ...encodingFunctions,
    ...hashFunctions,
    ...mathFunctions,
    ...sysFunctions,
    ...httpFunctions,
    ...retryFunctions,
    ...[...firestoreConnectors, ...bigqueryConnectors, ...storageConnectors, ...pubsubConnectors, ...workflowExecutionsConnectors].map(
      connectorFunction,
    ),
  ].map((f) => [f.name, f]),
);
