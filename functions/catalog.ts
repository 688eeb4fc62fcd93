/**
 * Every deployed function of the kit, as data. One list drives the local cloud (which processes
 * to start), the deploy packaging (`scripts/packageFunctions.ts`: one source archive per
 * function whose `main` is its own module), the static infra checks (every entry has a
 * Terraform function and the other way round) and the OpenAPI document.
 *
 * This file must not import any function module: the local cloud and the build read it. A
 * function loads it only through `functions/shared/http/bodyLimit.ts`, for its body limit, and
 * `docs` for the deployed names that start the paths it documents (the file imports nothing, so
 * that costs a function next to nothing at cold start).
 */
export type SystemName = 'tags' | 'pipeline' | 'groups' | 'accounts' | 'forms' | 'docs';

export interface FunctionDefinition {
  /** Entry point: the name the module registers with `functions.http`. */
  name: string;
  /** Module path from the repository root, without extension. */
  source: string;
  system: SystemName;
  summary: string;
  /** Whether anyone on the internet may invoke it by default (Terraform grants `allUsers` run.invoker; the group operations only when opened by variable). */
  public: boolean;
  /**
   * Largest request body the function accepts, framing included; a larger one is refused with
   * 413 before a byte is parsed (`functions/shared/http/bodyGate.ts`). 64 KiB when unset: only
   * uploads need more.
   */
  maxBodyBytes?: number;
}

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    name: 'incrementTag',
    source: 'functions/tags/incrementTag',
    system: 'tags',
    summary: "Adds a value from 1 to 9 to a tag's total, exactly once.",
    public: true,
  },
  {
    name: 'tagStats',
    source: 'functions/tags/tagStats',
    system: 'tags',
    summary: 'Every tag ever incremented with the sum of its values.',
    public: true,
  },
  {
    name: 'isValidInput',
    source: 'functions/pipeline/isValidInput',
    system: 'pipeline',
    summary: 'Classifies ?x= by its literal form: "Success", "Fail", 400 for numbers, 500 for booleans.',
    public: false,
  },
  {
    name: 'process',
    source: 'functions/pipeline/process',
    system: 'pipeline',
    summary: 'Waits PROCESS_DELAY_SECONDS, records x in BigQuery, answers "Success".',
    public: false,
  },
  {
    name: 'triggerWorkflow',
    source: 'functions/pipeline/triggerWorkflow',
    system: 'pipeline',
    summary: 'Starts a pipeline workflow execution for a name.',
    public: true,
  },
  {
    name: 'checkStatus',
    source: 'functions/pipeline/checkStatus',
    system: 'pipeline',
    summary: 'The state of a pipeline execution: steps done so far, or its result.',
    public: true,
  },
  {
    name: 'createGroup',
    source: 'functions/groups/createGroup',
    system: 'groups',
    summary: 'Creates a group on every cluster node, or on none (rolled back); answers 202 with a task id.',
    public: false,
  },
  {
    name: 'deleteGroup',
    source: 'functions/groups/deleteGroup',
    system: 'groups',
    summary: 'Deletes a group from every cluster node, or from none (restored); answers 202 with a task id.',
    public: false,
  },
  {
    name: 'groupTask',
    source: 'functions/groups/groupTask',
    system: 'groups',
    summary: 'The state of a group operation and its outcome on each node.',
    public: false,
  },
  {
    name: 'nodeSim',
    source: 'functions/groups/nodeSim',
    system: 'groups',
    summary: 'Simulated cluster nodes (the node API plus switches to fail, hang or redirect), for local runs and tests.',
    public: false,
  },
  {
    name: 'accounts',
    source: 'functions/accounts/accounts',
    system: 'accounts',
    summary: 'User accounts: list with filters, create, read, replace, delete, upload and serve the account image.',
    public: true,
    // An image of at most ACCOUNT_IMAGE_MAX_BYTES' ceiling (5 MiB) plus 256 KiB of multipart framing.
    maxBodyBytes: 5 * 1024 * 1024 + 256 * 1024,
  },
  {
    name: 'audios',
    source: 'functions/audios/audios',
    system: 'accounts',
    summary: 'Audio sessions keyed by session_id: list, create (JSON or a .json file), read, replace, delete.',
    public: true,
    // A `.json` file of at most AUDIO_FILE_MAX_BYTES' ceiling (64 KiB) plus its multipart framing.
    maxBodyBytes: 128 * 1024,
  },
  {
    name: 'forms',
    source: 'functions/forms/forms',
    system: 'forms',
    summary: 'Forms with their questions and post-submission tasks: create, list, read, replace, delete (form admins only).',
    public: false,
    // Up to 200 questions and 20 tasks, keyword lists of 1,000 words each: more than the default allows.
    maxBodyBytes: 256 * 1024,
  },
  {
    name: 'responses',
    source: 'functions/forms/responses',
    system: 'forms',
    summary:
      'Answers a form (public): checks the answers, runs the sync tasks, stores the response and its deliveries; admins read and replay.',
    public: true,
  },
  {
    name: 'bigqueryExportWorker',
    source: 'functions/forms/bigqueryExportWorker',
    system: 'forms',
    summary: 'Pub/Sub push target: each response as a row of the forms.responses table.',
    public: false,
  },
  {
    name: 'sheetsExportWorker',
    source: 'functions/forms/sheetsExportWorker',
    system: 'forms',
    summary: "Pub/Sub push target: each response as a row of its form's Google Sheet, appended in batches per spreadsheet.",
    public: false,
  },
  {
    name: 'webhookWorker',
    source: 'functions/forms/webhookWorker',
    system: 'forms',
    summary: 'Pub/Sub push target: each response POSTed to its webhook, signed the Standard Webhooks way.',
    public: false,
  },
  {
    name: 'deadLetterWorker',
    source: 'functions/forms/deadLetterWorker',
    system: 'forms',
    summary: 'Pub/Sub push target of the dead-letter topic: marks the delivery dead and logs an ERROR.',
    public: false,
  },
  {
    name: 'deliverySweeper',
    source: 'functions/forms/deliverySweeper',
    system: 'forms',
    summary: 'Cloud Scheduler target: publishes again the deliveries still pending after a few minutes.',
    public: false,
  },
  {
    name: 'docs',
    source: 'functions/docs/docs',
    system: 'docs',
    summary: 'The OpenAPI 3 document of the whole collection, as JSON and as a readable page.',
    public: true,
  },
];

/** The deployed (Cloud Run service) name of a function: `incrementTag` → `increment-tag`. */
export function deployName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
