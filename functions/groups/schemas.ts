import type { JsonSchema } from '../shared/validation';

/**
 * A group id: 1 to 128 of `A-Z a-z 0-9 . _ -`, but not `.` or `..`: the id travels as a path
 * segment of the node API (`GET /v1/group/{groupId}/`), where URL parsers turn those two into
 * "this folder" and "the parent folder", so the GET would reach another resource.
 */
export const GROUP_ID_PATTERN = '^(?!\\.{1,2}$)[A-Za-z0-9._-]{1,128}$';

/** nodeSim's path patterns, shared by its handler and the OpenAPI document so the two cannot drift. */
export const NODE_NAME_PATTERN = '^[A-Za-z0-9_-]{1,63}$';
/** 0 (reset) or an HTTP status from 100 to 599. */
export const SWITCH_STATUS_PATTERN = '^(0|[1-5][0-9]{2})$';
/** The longest hang a node can be switched to. */
export const MAX_HANG_MS = 600_000;
/** 0 (reset) to MAX_HANG_MS milliseconds, as digits (the range is checked after). */
export const HANG_MS_PATTERN = '^\\d{1,6}$';

export type GroupOperation = 'create' | 'delete';

export const TASK_STATES = ['PENDING', 'RUNNING', 'SUCCEEDED', 'ROLLED_BACK', 'FAILED'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/**
 * Per-node outcomes a task reports. `pending` before the node is reached, `skipped` when an
 * earlier node failed first; `pre-existing` / `absent` mean the node already was as asked (so a
 * rollback leaves it alone); `failed` that the request did not take effect; `unknown` that it was
 * sent and neither an answer nor a read could settle it (presumed applied: a compensation is owed).
 */
export const NODE_OUTCOMES = [
  'pending',
  'skipped',
  'created',
  'pre-existing',
  'deleted',
  'absent',
  'failed',
  'unknown',
  'rolled_back',
  'restored',
  'compensation_failed',
] as const;

export interface GroupRequest {
  group_id: string;
}

export const groupRequestSchema: JsonSchema = {
  $id: 'GroupRequest',
  type: 'object',
  description: 'The group to create or delete on every node.',
  properties: {
    group_id: {
      type: 'string',
      pattern: GROUP_ID_PATTERN,
      description: 'The group id: 1 to 128 of A-Z, a-z, 0-9, ".", "_" and "-", other than "." and "..".',
      examples: ['test-group-1'],
    },
  },
  required: ['group_id'],
  additionalProperties: false,
  examples: [{ group_id: 'test-group-1' }],
};

export const taskAcceptedSchema: JsonSchema = {
  type: 'object',
  description: 'The operation was accepted and runs in the background; poll groupTask with the task id.',
  properties: {
    task_id: { type: 'string', description: 'The task id: `GET /groupTask/{task_id}` reports its progress.' },
  },
  required: ['task_id'],
  examples: [{ task_id: '5f0c8a8e-3d4b-4c1e-9a57-2b8f6d0e1c3a' }],
};

export const taskSchema: JsonSchema = {
  type: 'object',
  description: 'A group operation and where it stands on each node.',
  properties: {
    task_id: { type: 'string', description: 'A UUID.' },
    operation: { enum: ['create', 'delete'] },
    group_id: { type: 'string', pattern: GROUP_ID_PATTERN },
    state: {
      enum: [...TASK_STATES],
      description:
        '`PENDING` (accepted, not started), `RUNNING`, `SUCCEEDED` (every node has the change), `ROLLED_BACK` (a node failed and every node changed was put back), ' +
        '`FAILED` (a compensation could not be done or settled even after retries: see `dead_letters`; the group stays held until an operator replays the task).',
    },
    nodes: {
      type: 'object',
      description:
        "Each node, by its index in the workflow's NODES, and its outcome, updated as the operation progresses (empty while PENDING).",
      additionalProperties: { enum: [...NODE_OUTCOMES] },
    },
    error: {
      type: 'string',
      description: 'Why the operation did not succeed, in short: the failing node (its index), what happened, and how the rollback ended.',
    },
    dead_letters: {
      type: 'array',
      items: { type: 'string' },
      description:
        "The compensations a FAILED task still owes, as `<task_id>-<node index>`: each is the record of that node in the task's log (Firestore), which a replay settles.",
    },
    created_at: { type: 'string', description: 'When the task was accepted (RFC 3339).' },
    updated_at: { type: 'string', description: 'When the task last changed (RFC 3339).' },
  },
  required: ['task_id', 'operation', 'group_id', 'state', 'nodes'],
  examples: [
    {
      task_id: '5f0c8a8e-3d4b-4c1e-9a57-2b8f6d0e1c3a',
      operation: 'create',
      group_id: 'test-group-1',
      state: 'ROLLED_BACK',
      nodes: { '0': 'rolled_back', '1': 'rolled_back', '2': 'failed' },
      error: 'node 2: POST answered 500; rolled back',
      created_at: '2026-11-23T12:00:00.000Z',
      updated_at: '2026-11-23T12:00:02.000Z',
    },
  ],
};

/** The node API body (`POST` / `DELETE /v1/group/`). */
export const nodeGroupBodySchema: JsonSchema = {
  $id: 'NodeGroupBody',
  type: 'object',
  description: 'The group a node should create or delete.',
  properties: { groupId: { type: 'string', pattern: GROUP_ID_PATTERN, examples: ['test-group-1'] } },
  required: ['groupId'],
  examples: [{ groupId: 'test-group-1' }],
};
