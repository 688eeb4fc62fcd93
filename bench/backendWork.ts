import { randomUUID } from 'node:crypto';

/**
 * The backend work of one request of each benchmarked function, as a bare client sends it: the
 * same client libraries, built by the same factories (`functions/shared/clients`), making the
 * same calls, with no HTTP server, routing, validation or logging around them. `bench/bareClient.ts`
 * runs one of these in its own process, in the same closed loop as the HTTP load, to give each
 * function's row its limit: the rate the backend allows that work at that concurrency.
 *
 * Where a store class is nothing but those calls (the tag counter, accounts, audios) it is used as
 * is, so the limit cannot drift from what the function does. Each entry is built once per process
 * (`setup`, with the function's own environment, so config readers work) and returns the
 * operation to repeat. Ids a request creates carry `prefix`, so the bare client and the function
 * never collide in one emulator.
 */
export interface WorkParams {
  prefix: string;
  [name: string]: string;
}

export type BackendWork = (params: WorkParams) => Promise<() => Promise<unknown>>;

/** The tags the increment load spreads over (the "4 hot tags"), shared with the HTTP bodies. */
export const HOT_TAGS = ['alpha', 'beta', 'gamma', 'delta'];

/** An account's fields for request `i`: unique emails, so every create succeeds. */
export function accountFields(prefix: string, i: number): { name: string; email: string; address: string } {
  return { name: `Bench ${i}`, email: `${prefix}-${i}@bench.example`, address: `${i} Bench Street` };
}

/** An audio session for request `i`; `base` keeps the bare client's session ids apart from the function's. */
export function audioSession(base: number, i: number): Record<string, unknown> {
  return { session_id: base + i, ticks: Array.from({ length: 15 }, (_, t) => -10 - t), selected_tick: i % 15, step_count: i };
}

/** Session id bases of the bare client and the function (far apart, both safe integers). */
export const AUDIO_SESSION_BASE = { limit: 1e12, function: 2e12 };

/**
 * The form `responses` is benchmarked on: two questions, a business rule run in-process, and the
 * three async tasks, so each submission commits the response with three delivery records and
 * publishes three messages (the webhook's URL is never called: the bench has no subscriptions).
 */
export const BENCH_FORM = {
  title: 'Bench',
  owner_email: 'bench@example.com',
  questions: [
    { id: 'q_city', type: 'text', label: 'City', required: true },
    { id: 'q_income', type: 'integer', label: 'Income', required: true },
  ],
  tasks: [
    {
      id: 'rules',
      type: 'business_rules',
      config: {
        mode: 'flag',
        rules: [{ id: 'positive', left: 'q_income', op: '>=', right: { value: 0 }, message: 'Income is negative.' }],
      },
    },
    { id: 'warehouse', type: 'bigquery_export', config: {} },
    { id: 'sheet', type: 'sheets_export', config: { spreadsheet_id: 'bench-sheet' } },
    { id: 'crm', type: 'webhook', config: { url: 'https://hooks.example.com/bench' } },
  ],
} as const;

/** The answers of submission `i` to `BENCH_FORM`. */
export function benchAnswers(i: number): { answers: Record<string, unknown> } {
  return { answers: { q_city: `City ${i % 50}`, q_income: i } };
}

export const BACKEND_WORK: Record<string, BackendWork> = {
  /** A batch creating the increment's marker and merge-incrementing one of the tag's shards. */
  async incrementTag() {
    const { readTagCounterConfig } = await import('../functions/tags/config');
    const { tagCounter } = await import('../functions/tags/counterFactory');
    const counter = tagCounter(readTagCounterConfig());
    let i = 0;
    return () => {
      i++;
      return counter.increment(HOT_TAGS[i % HOT_TAGS.length], (i % 9) + 1, `r-${randomUUID()}`);
    };
  },

  /** The streamed query over every shard, ordered by tag, summed per tag. */
  async tagStats() {
    const { readTagCounterConfig } = await import('../functions/tags/config');
    const { tagCounter } = await import('../functions/tags/counterFactory');
    const counter = tagCounter(readTagCounterConfig());
    return async () => {
      for await (const total of counter.totals()) void total;
    };
  },

  /** The commit creating the account and its email document. */
  async accountsCreate({ prefix }) {
    const store = await accountStore();
    let i = 0;
    return () => store.create(accountFields(prefix, i++));
  },

  /** One document read. */
  async accountsGet({ id }) {
    const store = await accountStore();
    return async () => {
      if (!(await store.get(id))) throw new Error(`account ${id} not found`);
    };
  },

  /** The session's `create`, then its file written to Cloud Storage. */
  async audiosCreate() {
    const [{ firestore }, { storage }, { readAudiosConfig }, { AudioStore }] = await Promise.all([
      import('../functions/shared/clients/firestore'),
      import('../functions/shared/clients/storage'),
      import('../functions/audios/config'),
      import('../functions/audios/audioStore'),
    ]);
    const config = readAudiosConfig();
    const store = new AudioStore(firestore(), storage().bucket(config.audioBucket), config);
    let i = 0;
    return () => store.create(audioSession(AUDIO_SESSION_BASE.limit, i++) as never);
  },

  /**
   * What createGroup does before its 202: the group's lock and its holder read, the task and the
   * lock written in one batch (`GroupTasks.start`), an execution started with the task id.
   */
  async createGroup({ prefix }) {
    const [{ firestore }, { executionsClient }, { readGroupOperationConfig }, { GroupTasks }] = await Promise.all([
      import('../functions/shared/clients/firestore'),
      import('../functions/shared/clients/workflows'),
      import('../functions/groups/config'),
      import('../functions/groups/taskStore'),
    ]);
    const config = readGroupOperationConfig();
    const tasks = new GroupTasks(firestore(), config, config.retentionDays);
    let i = 0;
    return async () => {
      const { taskId } = await tasks.start('create', `${prefix}-${i++}`);
      await executionsClient().createExecution({
        parent: config.workflowPath,
        execution: { argument: JSON.stringify({ task_id: taskId }) },
      });
    };
  },

  /**
   * What `POST /responses/{form}` does before its 201, with the function's own stores and
   * publisher: the form read, the outbox commit (the response and one pending delivery per async
   * task), then one message per delivery published to its task type's topic.
   */
  async responsesSubmit({ form: formId }) {
    const [{ firestore }, config, { FormStore }, { ResponseStore }, { DeliveryPublisher }, { newSubmission }] = await Promise.all([
      import('../functions/shared/clients/firestore'),
      import('../functions/forms/config'),
      import('../functions/forms/formStore'),
      import('../functions/forms/responseStore'),
      import('../functions/forms/publisher'),
      import('../functions/forms/submission'),
    ]);
    const collections = config.readCollections();
    const forms = new FormStore(firestore(), collections.forms);
    const responses = new ResponseStore(firestore(), collections);
    const publisher = new DeliveryPublisher(config.readDeliveryTopics());
    const quiet = { info() {}, warn() {}, error() {} } as never;
    let i = 0;
    return async () => {
      const stored = await forms.get(formId);
      if (!stored) throw new Error(`form ${formId} not found`);
      const { answers } = benchAnswers(i++);
      const at = new Date();
      const { response, deliveries } = newSubmission({
        id: responses.newId(),
        form: stored.form,
        answers,
        results: {},
        traceparent: null,
        at,
      });
      await responses.submit(response, deliveries, at);
      const published = await publisher.publish(deliveries, quiet);
      if (published.length !== deliveries.length) throw new Error(`published ${published.length} of ${deliveries.length}`);
    };
  },

  /** One `createExecution` of the pipeline workflow. */
  async triggerWorkflow({ prefix }) {
    const [{ executionsClient }, { readWorkflowConfig }] = await Promise.all([
      import('../functions/shared/clients/workflows'),
      import('../functions/pipeline/config'),
    ]);
    const config = readWorkflowConfig();
    let i = 0;
    return () =>
      executionsClient().createExecution({
        parent: config.workflowPath,
        execution: { argument: JSON.stringify({ name: `${prefix}${i++}` }) },
      });
  },
};

async function accountStore() {
  const [{ firestore }, { storage }, { readAccountsConfig }, { AccountStore }] = await Promise.all([
    import('../functions/shared/clients/firestore'),
    import('../functions/shared/clients/storage'),
    import('../functions/accounts/config'),
    import('../functions/accounts/accountStore'),
  ]);
  const config = readAccountsConfig();
  return new AccountStore(firestore(), storage().bucket(config.imagesBucket), config);
}
