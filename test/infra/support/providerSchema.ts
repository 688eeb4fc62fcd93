import * as fs from 'node:fs';
import { repoPath } from '../../../local/paths';

/**
 * The Terraform schema of the resource and data source types `infra/` uses, as extracted from the
 * prebuilt CDKTF providers by `scripts/extractProviderSchema.ts` (see infra/README.md, "Checking
 * against the provider's schema"). The shape mirrors what `terraform providers schema -json`
 * prints, reduced to what a configuration check needs: which names are attributes and which are
 * nested blocks, what is required, each attribute's type, what is computed (readable, never
 * set) and the values an enum argument admits.
 */

/** A Terraform type: a primitive, a collection of one element type, or an object of named attributes. */
export type SchemaType =
  'string' | 'number' | 'bool' | 'dynamic' | ['list' | 'set' | 'map', SchemaType] | ['object', Record<string, SchemaType>];

export interface SchemaAttribute {
  type: SchemaType;
  /** Must be set. */
  required?: true;
  /** Only readable: set by the provider, never in configuration. */
  computed?: true;
  /** The only values the provider accepts ("Possible values" in its documentation). */
  enum?: string[];
}

export interface SchemaBlock {
  attributes: Record<string, SchemaAttribute>;
  blocks: Record<string, SchemaNestedBlock>;
}

export interface SchemaNestedBlock extends SchemaBlock {
  /** A list block is indexed (`x[0].y`); a set block cannot be. */
  nesting: 'list' | 'set';
  /** 1 for a block written at most once. */
  maxItems?: 1;
  /** At least one must be written. */
  required?: true;
}

export interface ProviderSchema {
  /** Provider source address => the version the schema was extracted from. */
  providers: Record<string, string>;
  /** The CDKTF packages it was extracted from, name => version. */
  extractedFrom: Record<string, string>;
  resource: Record<string, SchemaBlock>;
  data: Record<string, SchemaBlock>;
}

export const PROVIDER_SCHEMA_FILE = repoPath('test/infra/support/providerSchema.json');

let cached: ProviderSchema | undefined;

/** The checked-in schema (read once). */
export function providerSchema(): ProviderSchema {
  cached ??= JSON.parse(fs.readFileSync(PROVIDER_SCHEMA_FILE, 'utf8')) as ProviderSchema;
  return cached;
}
