// The OpenAPI documents: every example validates against its own schema, in both profiles, and the
// validators the reference and the suite use reject what docs/rules.md calls invalid.
import { expect, test } from '@playwright/test';
import { PROFILES, contractFor, type SchemaName } from '../contract/openapi.ts';

interface Example {
  where: string;
  schema: SchemaName;
  value: unknown;
}

/** Every example in a document, with the component schema it illustrates. */
function examplesOf(document: unknown): Example[] {
  const found: Example[] = [];
  const schemaName = (ref: unknown) => (typeof ref === 'string' ? (ref.split('/').pop() as SchemaName) : undefined);
  const walk = (node: unknown, where: string) => {
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    const media = n.schema as Record<string, unknown> | undefined;
    const schema = schemaName(media?.$ref);
    if (schema && n.examples && typeof n.examples === 'object') {
      for (const [name, ex] of Object.entries(n.examples))
        found.push({ where: `${where}.examples.${name}`, schema, value: (ex as { value: unknown }).value });
    }
    if (schema && 'example' in n) found.push({ where: `${where}.example`, schema, value: n.example });
    for (const [k, v] of Object.entries(n)) walk(v, `${where}.${k}`);
  };
  walk(document, '$');
  // Component schemas' own `examples` arrays.
  const schemas =
    (document as { components?: { schemas?: Record<string, { examples?: unknown[] }> } }).components?.schemas ?? {};
  for (const [name, schema] of Object.entries(schemas)) {
    for (const [i, value] of (schema.examples ?? []).entries())
      found.push({ where: `$.components.schemas.${name}.examples[${i}]`, schema: name as SchemaName, value });
  }
  return found;
}

for (const profile of PROFILES) {
  test(`${profile}: every example in the OpenAPI document is valid against its schema`, () => {
    const contract = contractFor(profile);
    const examples = examplesOf(contract.document);
    expect(examples.length).toBeGreaterThan(profile === 'default' ? 4 : 0);
    for (const ex of examples) expect(contract.violations(ex.schema, ex.value), ex.where).toEqual([]);
  });
}

test('the Provider schema rejects each kind of invalid input docs/rules.md names', () => {
  const c = contractFor('default');
  const valid = { name: 'n', type: 'www', config: { bearer: 't' } };
  expect(c.violations('Provider', valid)).toEqual([]);
  expect(c.violations('Provider', { ...valid, config: { basic: { username: 'u', password: 'p' } } })).toEqual([]);
  const invalid: unknown[] = [
    [valid],
    'x',
    42,
    null,
    { type: 'www', config: { bearer: 't' } },
    { name: 'n', config: { bearer: 't' } },
    { name: 'n', type: 'www' },
    { ...valid, name: 1 },
    { ...valid, type: 'WWW' },
    { ...valid, config: {} },
    { ...valid, config: 'x' },
    { ...valid, config: { basic: { username: 'u' } } },
    { ...valid, config: { basic: { password: 'p' } } },
    { ...valid, config: { basic: { username: 1, password: 'p' } } },
    { ...valid, config: { bearer: 42 } },
    { ...valid, config: { basic: { username: 'u', password: 'p' }, bearer: 5 } },
  ];
  for (const value of invalid) expect(c.violations('Provider', value), JSON.stringify(value)).not.toEqual([]);
});

test('a violation names the JSON path where it sits', () => {
  const violations = contractFor('default').violations('ProviderList', {
    settings: {
      application: { media: { providers: [{ name: 'n', type: 'www', config: { basic: { username: 'u' } } }] } },
    },
  });
  expect(violations.map((v) => v.path)).toContain('$.settings.application.media.providers[0].config.basic');
});

test('the revision restricts names to A-Z, a-z, - and _, at most 200 characters; the original does not', () => {
  const provider = (name: string) => ({ name, type: 'www', config: { bearer: 't' } });
  const revision = contractFor('2020-03-10');
  for (const bad of ['a1', 'a b', 'é', 'x'.repeat(201)]) {
    expect(revision.violations('Provider', provider(bad)), bad).not.toEqual([]);
    expect(contractFor('default').violations('Provider', provider(bad)), bad).toEqual([]);
  }
  expect(revision.violations('Provider', provider('A-z_'.repeat(50)))).toEqual([]);
  expect(revision.itemPath).toBe('/whatsapp/v1/{bot-id}/provision/provider/{provider-name}');
  expect(contractFor('default').itemPath).toBeUndefined();
});
