import {
  componentSchema,
  jsonBody,
  jsonResponse,
  problemResponses,
  type OpenApiFragment,
  type OpenApiObject,
} from '../shared/openapi/fragments';
import {
  GROUP_ID_PATTERN,
  groupRequestSchema,
  HANG_MS_PATTERN,
  MAX_HANG_MS,
  NODE_NAME_PATTERN,
  nodeGroupBodySchema,
  SWITCH_STATUS_PATTERN,
  taskAcceptedSchema,
  taskSchema,
} from './schemas';

const TAG = 'Group operations';
const TASK_ID = '5f0c8a8e-3d4b-4c1e-9a57-2b8f6d0e1c3a';

const pathParameter = (name: string, description: string, schema: OpenApiObject, example: unknown): OpenApiObject => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
  example,
});

const nodeParameter = pathParameter(
  'node',
  'The simulated node: any name of 1 to 63 of A-Z a-z 0-9 _ -. Its base URL is `<nodeSim URL>/<node>`.',
  { type: 'string', pattern: NODE_NAME_PATTERN },
  'node1',
);

const switchScope: OpenApiObject[] = [
  {
    name: 'methods',
    in: 'query',
    required: false,
    description: 'Comma-separated methods of the node API the switch applies to (GET, POST, DELETE); all when absent.',
    schema: { type: 'string' },
    example: 'POST,DELETE',
  },
  {
    name: 'times',
    in: 'query',
    required: false,
    description: 'Only the next N requests the switch applies to; until reset when absent.',
    schema: { type: 'integer', minimum: 1, maximum: 9999 },
    example: 1,
  },
  {
    name: 'after',
    in: 'query',
    required: false,
    description: 'The next N requests the switch matches go through untouched before it applies.',
    schema: { type: 'integer', minimum: 1, maximum: 9999 },
    example: 1,
  },
];

const switchesResponse = (example: unknown): OpenApiObject => ({
  description: 'The switches now set on the node.',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/NodeSwitches' }, example } },
});

function operation(name: 'createGroup' | 'deleteGroup', summary: string, description: string): OpenApiObject {
  return {
    post: {
      operationId: name,
      tags: [TAG],
      summary,
      description,
      requestBody: jsonBody('GroupRequest', 'The group.', { group_id: 'test-group-1' }),
      responses: {
        '202': jsonResponse(
          'GroupTaskAccepted',
          'Accepted: the operation runs in the background. Poll `Location`.',
          { task_id: TASK_ID },
          {
            Location: {
              description: 'groupTask URL of the new task.',
              schema: { type: 'string', format: 'uri' },
              example: `https://europe-west1-my-project.cloudfunctions.net/group-task/${TASK_ID}`,
            },
          },
        ),
        ...problemResponses([400, 405, 409, 413, 415, 500, 502], {
          400: `Missing body, malformed JSON, a body that is not an object, a \`group_id\` that does not match \`${GROUP_ID_PATTERN}\`, or any other key.`,
          409:
            'Another operation holds this group (its task id is in `detail`): the task named in the group\'s lock is RUNNING, PENDING within 5 minutes of its creation, or FAILED owing compensations (a node may still hold its change: retrying does not help until an operator replays the task, `gcloud workflows run groups --data=\'{"replay_task":"<task_id>"}\'`). ' +
            'A task that ended otherwise, or was deleted by its TTL, holds nothing: the group is taken at once. A burst of requests on one group can also get 409 when the group changed hands under each attempt to take it.',
          502: 'The workflow could not be started. The task is marked FAILED and the group is not locked: retry.',
        }),
      },
    },
  };
}

/** The group operations' endpoints (System C), from the schemas the handlers validate with. */
export const openApiFragment: OpenApiFragment = {
  tag: {
    name: TAG,
    description:
      "Creates or deletes a group on every node of a cluster (the workflow's `NODES`), or on none. A Cloud Workflow (`workflows/groups.yaml`) visits the nodes in order, " +
      'writing each request to the task (its log) before sending it. Only 200/201 are success; anything else is an unknown outcome, presumed applied until a GET, made once no late request can land, settles it. ' +
      'When a node fails, every node the operation may have changed is put back, in reverse order, with retries and exponential back-off; a group that existed before is never deleted. ' +
      'A compensation that still cannot be done leaves the task FAILED owing it (a dead letter), holding the group (409) until an operator replays the task. Two operations on one group never run at once (409). ' +
      "nodeSim simulates any number of nodes for local runs and tests (`<nodeSim URL>/<node>` is a node's base URL), with switches that make a node answer a status (or an HTML page), hang, or redirect.",
  },
  schemas: {
    GroupRequest: componentSchema(groupRequestSchema),
    GroupTaskAccepted: taskAcceptedSchema,
    GroupTask: taskSchema,
    NodeGroupBody: componentSchema(nodeGroupBodySchema),
    NodeGroup: {
      type: 'object',
      properties: { groupId: { type: 'string' } },
      required: ['groupId'],
      examples: [{ groupId: 'test-group-1' }],
    },
    NodeSwitches: {
      type: 'object',
      description:
        "A node's switches: `status` answers that status (`html`: as an HTML page; `apply`: after serving the request), `hang` waits `value` ms before serving, `redirect` answers " +
        'that redirect to a path ending in a slash; each for `methods` (null: all) and `remaining` requests (null: until reset).',
      properties: {
        node: { type: 'string' },
        status: { $ref: '#/components/schemas/NodeSwitch' },
        hang: { $ref: '#/components/schemas/NodeSwitch' },
        redirect: { $ref: '#/components/schemas/NodeSwitch' },
      },
      required: ['node'],
    },
    NodeSwitch: {
      type: 'object',
      properties: {
        value: { type: 'integer' },
        methods: { type: ['array', 'null'], items: { enum: ['GET', 'POST', 'DELETE'] } },
        remaining: { type: ['integer', 'null'] },
        after: { type: 'integer' },
        html: { type: 'boolean' },
        apply: { type: 'boolean' },
      },
      required: ['value', 'methods', 'remaining'],
    },
  },
  paths: {
    '/createGroup': operation(
      'createGroup',
      'Create a group on every node',
      "Writes a PENDING task and names it in the group's lock (409 while the task named there holds the group), starts the groups workflow, and answers 202 at once. " +
        'On each node: a GET first (a group already there is `pre-existing` and never deleted by a rollback), then `POST /v1/group/`. ' +
        'The task ends SUCCEEDED (created everywhere), ROLLED_BACK (a node failed; deleted again where this task created it) or FAILED (a deletion could not be done or settled: dead letter). ' +
        'Private unless Terraform opens it (`public_group_operations`).',
    ),
    '/deleteGroup': operation(
      'deleteGroup',
      'Delete a group from every node',
      'As createGroup, with `DELETE /v1/group/` on each node; a node without the group counts as done (`absent`). ' +
        'When a node fails, the group is created again on every node this task deleted it from (`restored`).',
    ),
    '/groupTask/{task_id}': {
      get: {
        operationId: 'groupTask',
        tags: [TAG],
        summary: 'The state of a group operation',
        description:
          "The task's state, operation, group and each node's outcome, updated as the workflow goes. Outcomes: `pending`, `skipped` (an earlier node failed), `created`, `pre-existing`, " +
          '`deleted`, `absent`, `failed` (not applied), `unknown` (no answer or read could settle it: presumed applied), `rolled_back`, `restored`, `compensation_failed` (see `dead_letters`). ' +
          "Nodes are named by their index in the workflow's NODES; their URLs and answers stay in the task's log for operators.",
        parameters: [pathParameter('task_id', 'The id createGroup or deleteGroup returned.', { type: 'string', format: 'uuid' }, TASK_ID)],
        responses: {
          '200': jsonResponse('GroupTask', 'The task.', (taskSchema.examples as unknown[])[0]),
          ...problemResponses([400, 404, 405, 500], { 400: 'The id is not a task id (a UUID).', 404: 'No task has this id.' }),
        },
      },
    },
    '/nodeSim/{node}/v1/group/': {
      post: {
        operationId: 'nodeSimCreateGroup',
        tags: [TAG],
        summary: 'Node simulator: create a group',
        description:
          "Creates the group on this simulated node. Subject to the node's switches. Not public: the groups workflow calls it with OIDC.",
        parameters: [nodeParameter],
        requestBody: jsonBody('NodeGroupBody', 'The group.', { groupId: 'test-group-1' }),
        responses: {
          '201': jsonResponse('NodeGroup', 'Created.', { groupId: 'test-group-1' }),
          ...problemResponses([400, 405, 415, 500], {
            400: 'The node already has the group, or the body is not valid.',
            500: 'The node is switched to fail (any switched status is answered as is).',
          }),
        },
      },
      delete: {
        operationId: 'nodeSimDeleteGroup',
        tags: [TAG],
        summary: 'Node simulator: delete a group',
        description:
          'Deletes the group from this simulated node. A group the node does not have is a 404 (the orchestration counts it as deleted).',
        parameters: [nodeParameter],
        requestBody: jsonBody('NodeGroupBody', 'The group.', { groupId: 'test-group-1' }),
        responses: {
          '200': jsonResponse('NodeGroup', 'Deleted.', { groupId: 'test-group-1' }),
          ...problemResponses([400, 404, 405, 415, 500], { 404: 'The node does not have the group.' }),
        },
      },
    },
    '/nodeSim/{node}/v1/group/{groupId}/': {
      get: {
        operationId: 'nodeSimGetGroup',
        tags: [TAG],
        summary: 'Node simulator: read a group',
        description:
          "The node API's read: 200 when the group exists on this simulated node, 404 when it does not (or the switches make the node answer otherwise).",
        parameters: [nodeParameter, pathParameter('groupId', 'The group.', { type: 'string', pattern: GROUP_ID_PATTERN }, 'test-group-1')],
        responses: {
          '200': jsonResponse('NodeGroup', 'The node has the group.', { groupId: 'test-group-1' }),
          ...problemResponses([400, 404, 405, 500], { 404: 'The node does not have the group.' }),
        },
      },
    },
    '/nodeSim/{node}/v1/group/{status}': {
      post: {
        operationId: 'nodeSimSwitchStatus',
        tags: [TAG],
        summary: 'Node simulator switch: make the node answer a status',
        description:
          'From now on the node API answers this status (without doing anything, unless `apply=true`) to the methods and number of requests given; `0` resets. Kept in Firestore, so it holds across instances.',
        parameters: [
          nodeParameter,
          pathParameter('status', '0 (reset) or a 3-digit status.', { type: 'string', pattern: SWITCH_STATUS_PATTERN }, '500'),
          ...switchScope,
          {
            name: 'body',
            in: 'query',
            required: false,
            description: '`html`: the answer is an HTML page, as a proxy or a framework error page sends.',
            schema: { enum: ['html'] },
          },
          {
            name: 'apply',
            in: 'query',
            required: false,
            description: '`true`: the request is served first, then the switched status answered instead.',
            schema: { enum: ['true'] },
          },
        ],
        responses: {
          '200': switchesResponse({ node: 'node3', status: { value: 500, methods: null, remaining: null } }),
          ...problemResponses([400, 405]),
        },
      },
    },
    '/nodeSim/{node}/v1/hang/{ms}': {
      post: {
        operationId: 'nodeSimSwitchHang',
        tags: [TAG],
        summary: 'Node simulator switch: make the node slow',
        description:
          'The node API waits this many milliseconds before serving each request, which it still serves afterwards even if the caller gave up (as a slow real node does); `0` resets.',
        parameters: [
          nodeParameter,
          pathParameter('ms', `0 (reset) to ${MAX_HANG_MS}.`, { type: 'string', pattern: HANG_MS_PATTERN }, '2500'),
          ...switchScope,
        ],
        responses: {
          '200': switchesResponse({ node: 'node2', hang: { value: 2500, methods: ['POST'], remaining: 1 } }),
          ...problemResponses([400, 405]),
        },
      },
    },
    '/nodeSim/{node}/v1/redirect/{status}': {
      post: {
        operationId: 'nodeSimSwitchRedirect',
        tags: [TAG],
        summary: 'Node simulator switch: redirect trailing slashes',
        description:
          'A request whose path ends in "/" is answered this redirect to the same path without it (a FastAPI router\'s `redirect_slashes`), which the node then serves; `0` resets.',
        parameters: [
          nodeParameter,
          pathParameter('status', '0 (reset), 301, 302, 307 or 308.', { enum: ['0', '301', '302', '307', '308'] }, '307'),
          ...switchScope,
        ],
        responses: {
          '200': switchesResponse({ node: 'node1', redirect: { value: 307, methods: null, remaining: null } }),
          ...problemResponses([400, 405]),
        },
      },
    },
    '/nodeSim/{node}/v1/switches': {
      get: {
        operationId: 'nodeSimSwitches',
        tags: [TAG],
        summary: 'Node simulator: the switches set on a node',
        description:
          'The status and hang switches currently set on this simulated node, with the methods and remaining times they apply to; `{node}` alone when none is set.',
        parameters: [nodeParameter],
        responses: {
          '200': switchesResponse({ node: 'node1' }),
          ...problemResponses([400, 405]),
        },
      },
    },
  },
};
