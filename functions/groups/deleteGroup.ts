import { readGroupOperationConfig } from './config';
import { groupOperationFunction } from './groupOperation';

/** `POST {"group_id"}`: deletes the group from every node (or restores it everywhere), in the background; 202 with the task id. */
export const deleteGroup = groupOperationFunction('deleteGroup', 'delete', readGroupOperationConfig());
