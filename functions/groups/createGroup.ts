import { readGroupOperationConfig } from './config';
import { groupOperationFunction } from './groupOperation';

/** `POST {"group_id"}`: creates the group on every node (or on none), in the background; 202 with the task id. */
export const createGroup = groupOperationFunction('createGroup', 'create', readGroupOperationConfig());
