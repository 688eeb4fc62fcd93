import * as assert from 'node:assert/strict';
import { refusalOf, webhookUrlRefusal } from '../../../functions/forms/addressPolicy';
import { prepareForm } from '../../../functions/forms/formInput';
import type { Question } from '../../../functions/forms/model';
import { newWebhookSecret } from '../../../functions/forms/plugins/asyncPlugins';
import { businessRules } from '../../../functions/forms/plugins/businessRules';
import { keywordFlags } from '../../../functions/forms/plugins/keywordFlags';
import { pluginRegistry } from '../../../functions/forms/plugins/registry';
import type { FormInput } from '../../../functions/forms/schemas';
import { HttpError } from '../../../functions/shared/errors';

const questions: Question[] = [
  { id: 'q_city', type: 'choice', label: 'City', options: ['Mumbai', 'Delhi'] },
  { id: 'q_income', type: 'integer', label: 'Income' },
  { id: 'q_savings', type: 'integer', label: 'Savings' },
  { id: 'q_comment', type: 'text', label: 'Comment' },
];
const form = { questions };

async function errorsOf(input: Partial<FormInput>, created: string[] = []): Promise<string[]> {
  const plugins = pluginRegistry({
    allowLoopback: true,
    createSpreadsheet: async (title) => {
      created.push(title);
      return 'sheet-id-0123456789';
    },
  });
  try {
    await prepareForm({ title: 'T', owner_email: 'o@example.com', questions, tasks: [], ...input } as FormInput, plugins);
    return [];
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    return (err.options.errors ?? []).map((e) => e.pointer);
  }
}

describe('forms: plug-ins', () => {
  describe('business_rules', () => {
    const config = {
      mode: 'flag',
      rules: [
        { id: 'savings_le_income', left: 'q_savings', op: '<=', right: 'q_income', message: 'Savings cannot exceed income.' },
        { id: 'income_positive', left: 'q_income', op: '>', right: { value: 0 }, message: 'Income must be positive.' },
      ],
    };
    it('flags the rules that do not hold, with their messages', () => {
      assert.deepEqual(businessRules.run(config, { q_income: 100, q_savings: 500 }, form), {
        result: { passed: false, flags: [{ rule: 'savings_le_income', message: 'Savings cannot exceed income.' }] },
        reject: false,
      });
      assert.deepEqual(businessRules.run(config, { q_income: 100, q_savings: 50 }, form).result, { passed: true, flags: [] });
    });
    it('skips a rule whose side is unanswered, and rejects in reject mode', () => {
      assert.equal(businessRules.run(config, { q_income: 100 }, form).result.passed, true);
      assert.equal(businessRules.run({ ...config, mode: 'reject' }, { q_income: -1 }, form).reject, true);
    });
    it('refuses a rule naming a question the form lacks (400 with the pointer)', async () => {
      const tasks = [{ id: 'r', type: 'business_rules' as const, config: { ...config, rules: [{ ...config.rules[0], right: 'q_nope' }] } }];
      assert.deepEqual(await errorsOf({ tasks }), ['#/tasks/0/config/rules/0/right']);
    });
    it("validates the config against the plug-in's schema", async () => {
      const tasks = [{ id: 'r', type: 'business_rules' as const, config: { mode: 'maybe', rules: [] } }];
      assert.deepEqual((await errorsOf({ tasks })).sort(), ['#/tasks/0/config/mode', '#/tasks/0/config/rules']);
    });
  });

  describe('keyword_flags', () => {
    const config = { mode: 'flag', text_question: 'q_comment', list_question: 'q_city', lists: { Mumbai: ['bindaas'], Delhi: ['scene'] } };
    it('flags words from the list chosen by the other answer, whole words, any case', () => {
      assert.deepEqual(keywordFlags.run(config, { q_city: 'Mumbai', q_comment: 'Totally BINDAAS, no scene' }, form).result, {
        passed: false,
        list: 'Mumbai',
        flags: [{ word: 'bindaas', question: 'q_comment', message: 'contains a flagged word' }],
      });
      assert.equal(keywordFlags.run(config, { q_city: 'Delhi', q_comment: 'bindaasness' }, form).result.passed, true);
      assert.deepEqual(keywordFlags.run(config, { q_comment: 'x' }, form).result, { passed: true, list: null, flags: [] });
    });
    it('refuses a text question that is not text, and a list for an option the choice lacks', async () => {
      const tasks = [
        { id: 'k', type: 'keyword_flags' as const, config: { ...config, text_question: 'q_income', lists: { Paris: ['x'] } } },
      ];
      assert.deepEqual((await errorsOf({ tasks })).sort(), ['#/tasks/0/config/lists/Paris', '#/tasks/0/config/text_question']);
    });
  });

  describe('installing tasks', () => {
    it('gives a webhook a new secret, shown once, and creates a spreadsheet only once everything is valid', async () => {
      const created: string[] = [];
      const plugins = pluginRegistry({ allowLoopback: true, createSpreadsheet: async (t) => (created.push(t), 'sheet-id-0123456789') });
      const prepared = await prepareForm(
        {
          title: 'Survey',
          owner_email: ' o@example.com ',
          questions,
          tasks: [
            { id: 'sheet', type: 'sheets_export', config: {} },
            { id: 'hook', type: 'webhook', config: { url: 'http://127.0.0.1:9/x' } },
          ],
        },
        plugins,
      );
      assert.match(prepared.newSecrets.hook, /^whsec_[A-Za-z0-9+/]{32}$/);
      assert.deepEqual(prepared.fields.tasks[0].config, { spreadsheet_id: 'sheet-id-0123456789', sheet: 'Responses' });
      assert.deepEqual(created, ['Survey (responses)']);
      assert.equal(prepared.fields.owner_email, 'o@example.com');

      const noSheet: string[] = [];
      const errors = await errorsOf(
        {
          tasks: [
            { id: 'sheet', type: 'sheets_export', config: {} },
            { id: 'r', type: 'business_rules', config: { mode: 'flag', rules: [] } },
          ],
        },
        noSheet,
      );
      assert.deepEqual(errors, ['#/tasks/1/config/rules']);
      assert.deepEqual(noSheet, [], 'no spreadsheet for a refused form');
    });

    it('keeps secrets and questions of a replaced form, and refuses dropping or moving a question', async () => {
      const plugins = pluginRegistry({ allowLoopback: true, createSpreadsheet: async () => 'unused-0123456789' });
      const existing = {
        form: {
          id: 'f',
          title: 'T',
          owner_email: 'o@example.com',
          questions,
          tasks: [{ id: 'hook', type: 'webhook' as const, config: { url: 'http://127.0.0.1:9/x' } }],
          created_at: '',
          updated_at: '',
        },
        secrets: { hook: 'whsec_old' },
      };
      const replaced = await prepareForm(
        {
          title: 'T',
          owner_email: 'o@example.com',
          questions: [...questions, { id: 'q_new', type: 'text', label: 'New' }],
          tasks: existing.form.tasks,
        },
        plugins,
        existing,
      );
      assert.deepEqual(replaced.secrets, { hook: 'whsec_old' });
      assert.deepEqual(replaced.newSecrets, {});
      await assert.rejects(
        prepareForm({ title: 'T', owner_email: 'o@example.com', questions: [questions[1], questions[0]], tasks: [] }, plugins, existing),
        (err: HttpError) => err.options.errors!.some((e) => e.pointer === '#/questions/0'),
      );
    });

    it('refuses repeated ids and options on a question that is not a choice', async () => {
      const errors = await errorsOf({
        questions: [questions[0], { id: 'q_city', type: 'text', label: 'Again', options: ['x'] }],
        tasks: [
          { id: 't', type: 'bigquery_export', config: {} },
          { id: 't', type: 'bigquery_export', config: {} },
        ],
      });
      assert.deepEqual(errors, ['#/questions/1/id', '#/questions/1/options', '#/tasks/1/id']);
    });
  });

  describe('webhook URLs (SSRF)', () => {
    const table: [string, boolean, string | undefined][] = [
      ['93.184.216.34', false, undefined],
      ['127.0.0.1', false, '127.0.0.1 is a loopback address'],
      ['127.0.0.1', true, undefined],
      ['10.1.2.3', true, '10.1.2.3 is a private, link-local or reserved address'],
      ['169.254.169.254', true, '169.254.169.254 is a private, link-local or reserved address'],
      ['192.168.1.1', false, '192.168.1.1 is a private, link-local or reserved address'],
      ['::1', false, '::1 is a loopback address'],
      ['fe80::1', false, 'fe80::1 is a private, link-local or reserved address'],
      ['fd00::1', false, 'fd00::1 is a private, link-local or reserved address'],
      ['::ffff:10.0.0.1', false, '::ffff:10.0.0.1 is a private, link-local or reserved address'],
    ];
    for (const [address, loopback, why] of table) {
      it(`${address} (loopback ${loopback ? 'allowed' : 'refused'}): ${why ?? 'allowed'}`, () =>
        assert.equal(refusalOf(address, loopback), why));
    }
    it('refuses http in the cloud, and names that resolve to loopback', async () => {
      assert.equal(await webhookUrlRefusal('http://93.184.216.34/x', false), 'must be an https URL');
      assert.equal(await webhookUrlRefusal('https://localhost/x', false), 'resolves to 127.0.0.1 is a loopback address');
      assert.equal(await webhookUrlRefusal('https://[::1]/x', false), 'resolves to ::1 is a loopback address');
      assert.equal(await webhookUrlRefusal('https://93.184.216.34/x', false), undefined);
    });
    it('refuses a form whose webhook points at the metadata server', async () => {
      assert.deepEqual(
        await errorsOf({ tasks: [{ id: 'h', type: 'webhook', config: { url: 'http://169.254.169.254/computeMetadata/v1/' } }] }),
        ['#/tasks/0/config/url'],
      );
    });
    it('makes secrets of 24 random bytes', () => {
      assert.equal(Buffer.from(newWebhookSecret().slice(6), 'base64').length, 24);
      assert.notEqual(newWebhookSecret(), newWebhookSecret());
    });
  });
});
