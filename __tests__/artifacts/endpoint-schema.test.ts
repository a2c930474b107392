// The manifest's JSON Schema (schemas/friendli-endpoint.schema.json), for editors: the committed file is
// what the zod schemas the rules check against give (npm run docs writes it), a standard validator
// (ajv, JSON Schema 2020-12) accepts the conforming example and refuses the broken one for the reasons
// the rules give, and it tells a create body from an update body as the rules do.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { parse } from 'yaml'
import { renderSchema, SCHEMA_FILE } from '../../scripts/generate-docs.js'
import { bodyKind } from '../../src/artifacts/endpoint-body.js'

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..')
const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8')
const schema = JSON.parse(read(SCHEMA_FILE)) as Record<string, unknown>
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema)

describe(SCHEMA_FILE, () => {
  it('is what npm run docs generates from src/artifacts/endpoint-body.ts', () => {
    expect(read(SCHEMA_FILE)).toBe(renderSchema().content)
  })

  it('accepts the conforming example manifest, with its $schema key', () => {
    const manifest = parse(read('examples/endpoints/chat-endpoint.yaml')) as Record<string, unknown>
    expect(validate(manifest)).toBe(true)
    expect(bodyKind(manifest)).toBe('create')
    // The editor comment points at the schema, relative to the file.
    expect(read('examples/endpoints/chat-endpoint.yaml')).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/\.\.\/schemas\/friendli-endpoint\.schema\.json$/m,
    )
  })

  it('refuses the broken example for what EP102 and EP103 report', () => {
    const manifest = JSON.parse(read('examples/endpoints/broken-endpoint.json')) as Record<string, unknown>
    expect(manifest.$schema).toBe('../../schemas/friendli-endpoint.schema.json')
    expect(validate(manifest)).toBe(false)
    const problems = (validate.errors ?? []).map(
      (e) => `${e.instancePath} ${e.keyword} ${JSON.stringify(e.params)}`,
    )
    expect(problems).toEqual(
      expect.arrayContaining([
        '/advanced/max_batch_size type {"type":"integer"}',
        '/autoscalingPolicy additionalProperties {"additionalProperty":"maxReplicas"}',
      ]),
    )
  })

  it.each([
    [
      'an update body: no projectId',
      { name: 'x', newVersionComment: 'v2', autoscalingPolicy: { maxReplica: 3 } },
      true,
    ],
    ['an update body may be all null', { advanced: null, hfModelRepo: null, instanceOptionId: null }, true],
    ['a create body without its required fields', { projectId: 'p', name: 'x' }, false],
    ['a create body with the update body comment', { projectId: 'p', newVersionComment: 'v2' }, false],
    ['maxReplica above 10', { autoscalingPolicy: { maxReplica: 11 } }, false],
    ['minReplica below 0', { autoscalingPolicy: { minReplica: -1 } }, false],
    [
      'an unknown backpressure metric',
      {
        advanced: {
          tokenizer_skip_special_tokens: true,
          tokenizer_add_special_tokens: true,
          queue_backpressure_metric_kind: 'X',
        },
      },
      false,
    ],
  ])('%s', (_name, body, valid) => {
    expect(validate(body)).toBe(valid)
  })
})
