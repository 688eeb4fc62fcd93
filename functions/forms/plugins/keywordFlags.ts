import type { FieldError } from '../../shared/errors';
import type { JsonSchema } from '../../shared/validation';
import { questionRef, type SyncPlugin } from './plugin';

/**
 * `keyword_flags` (sync): flags words of a text answer found in a word list chosen by another
 * answer (the seed's slang-per-city case: the list for the city the respondent gave). Matching
 * is by whole word, ignoring letter case and accents' composition (NFKC), so `Bindaas!` matches
 * `bindaas`.
 */
interface KeywordConfig {
  mode: 'flag' | 'reject';
  text_question: string;
  list_question: string;
  lists: Record<string, string[]>;
  default_list?: string[];
  message?: string;
}

export const keywordFlagsConfigSchema: JsonSchema = {
  $id: 'KeywordFlagsConfig',
  type: 'object',
  description:
    'Flags the words of one text answer that appear in the word list selected by another answer. An answer with no list (and no `default_list`) is not checked.',
  properties: {
    mode: { enum: ['flag', 'reject'], description: '`flag`: store and return the flags. `reject`: answer 422 and store nothing.' },
    text_question: { type: 'string', description: 'The id of the `text` question whose answer is searched.' },
    list_question: { type: 'string', description: 'The id of the question whose answer selects the list (a city, say).' },
    lists: {
      type: 'object',
      description: 'Word lists by the answer of `list_question`. Words are matched whole and case-insensitively.',
      additionalProperties: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 100 } },
    },
    default_list: {
      type: 'array',
      maxItems: 1000,
      items: { type: 'string', minLength: 1, maxLength: 100 },
      description: 'The list used when the answer of `list_question` has none of its own.',
    },
    message: { type: 'string', maxLength: 500, description: 'Shown with each flag; defaults to "contains a flagged word".' },
  },
  required: ['mode', 'text_question', 'list_question', 'lists'],
  additionalProperties: false,
  examples: [
    {
      mode: 'flag',
      text_question: 'q_comment',
      list_question: 'q_city',
      lists: { Mumbai: ['bindaas', 'jhakaas'], Delhi: ['scene'] },
    },
  ],
};

export const keywordFlagsResultSchema: JsonSchema = {
  $id: 'KeywordFlagsResult',
  type: 'object',
  properties: {
    passed: { type: 'boolean', description: 'No word of the selected list was found.' },
    list: {
      type: ['string', 'null'],
      description: 'Which list was used: the answer that selected it, `default`, or null when none applied.',
    },
    flags: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          word: { type: 'string', description: 'The listed word that was found.' },
          question: { type: 'string', description: 'The text question it was found in.' },
          message: { type: 'string' },
        },
        required: ['word', 'question', 'message'],
      },
    },
  },
  required: ['passed', 'list', 'flags'],
  examples: [{ passed: false, list: 'Mumbai', flags: [{ word: 'bindaas', question: 'q_comment', message: 'contains a flagged word' }] }],
};

function normalise(word: string): string {
  return word.normalize('NFKC').toLocaleLowerCase();
}

function words(text: string): Set<string> {
  return new Set(normalise(text).match(/[\p{L}\p{M}\p{N}'-]+/gu) ?? []);
}

export const keywordFlags: SyncPlugin = {
  kind: 'sync',
  type: 'keyword_flags',
  description: 'Flags words of a text answer from a word list chosen by another answer (slang per city).',
  configSchema: keywordFlagsConfigSchema,
  checkAgainstForm(raw, form) {
    const config = raw as unknown as KeywordConfig;
    const errors: FieldError[] = [];
    const text = questionRef(form, config.text_question, '/text_question', errors);
    if (text && text.type !== 'text')
      errors.push({ pointer: '/text_question', detail: `must name a text question; ${text.id} is ${text.type}` });
    const selector = questionRef(form, config.list_question, '/list_question', errors);
    if (selector?.type === 'choice') {
      for (const key of Object.keys(config.lists)) {
        if (!selector.options?.includes(key)) {
          errors.push({ pointer: `/lists/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, detail: `is not an option of ${selector.id}` });
        }
      }
    }
    return errors;
  },
  run(raw, answers) {
    const config = raw as unknown as KeywordConfig;
    const selector = answers[config.list_question];
    const key = selector === undefined || selector === null ? undefined : String(selector);
    const own = key !== undefined ? config.lists[key] : undefined;
    const list = own ?? config.default_list;
    const listName = own ? key! : list ? 'default' : null;
    const text = answers[config.text_question];
    const flags: { word: string; question: string; message: string }[] = [];
    if (list && typeof text === 'string') {
      const found = words(text);
      for (const word of list) {
        if (found.has(normalise(word))) {
          flags.push({ word, question: config.text_question, message: config.message ?? 'contains a flagged word' });
        }
      }
    }
    return { result: { passed: flags.length === 0, list: listName, flags }, reject: config.mode === 'reject' && flags.length > 0 };
  },
};
