// The body of Friendli's create-endpoint and update-endpoint calls, which a deployment manifest keeps in
// the repository, as zod schemas: what the manifest rules (EP1xx) check a manifest against, and what
// schemas/friendli-endpoint.schema.json is generated from (npm run docs), for editors.
//
// Mirrors friendliai/friendli-openapi's openapi.yaml of 2026-07-22:
// - DedicatedEndpointCreateBody, POST https://api.friendli.ai/dedicated/beta/endpoint
//   (https://friendli.ai/docs/openapi/dedicated/endpoint/create);
// - DedicatedEndpointUpdateBody, PUT https://api.friendli.ai/dedicated/beta/endpoint/{endpoint_id}
//   (https://friendliai.mintlify.dev/docs/openapi/dedicated/endpoint/update.md): every field optional
//   and nullable;
// - EndpointAdvancedConfig (snake_case keys) and AutoscalingPolicy, which both bodies share.
// The spec's own limits are kept (replicas ≥ 1, minReplica ≥ 0, maxReplica ≤ 10, max_context_length ≥ 1)
// and nothing is invented beside them. The keys the API does not have are `$schema`, allowed so that an
// editor can be pointed at the JSON Schema, and the two preflight-only keys for what Friendli Suite sets
// beside the body ("Custom Chat Template", "LoRA adapters":
// https://friendli.ai/docs/guides/dedicated_endpoints/endpoints; neither is a field of either body):
// `chatTemplate`, the path of a Jinja file beside the manifest, and `adapters`, the adapter repos with
// their revisions. None of the three is sent: a deploy script strips them from the body.
import { z } from 'zod'

const Int = z.number().int()

/** The queue metrics EndpointAdvancedConfig's queue_backpressure_metric_kind takes. */
export const BACKPRESSURE_METRICS = [
  'TPOT_MS',
  'TTFT_MS',
  'REQUEST_COUNT',
  'WORKSPACE_UTILIZATION',
  'QUEUED_PREFILL_TOKENS',
] as const

/** Replicas an autoscaling policy may scale to at most ("The maximum value is 10."). */
export const MAX_REPLICA_LIMIT = 10
/** AutoscalingPolicy's defaults, as the spec states them. */
export const AUTOSCALING_DEFAULTS = { minReplica: 0, maxReplica: 1, cooldownPeriod: 300 }

const AdvancedConfig = z
  .strictObject({
    tokenizer_skip_special_tokens: z.boolean().meta({
      description: 'Whether to skip special tokens when decoding the output.',
    }),
    tokenizer_add_special_tokens: z.boolean().meta({
      description: 'Whether to add special tokens when encoding the input.',
    }),
    max_batch_size: Int.nullable().optional().meta({ description: 'The maximum batch size.' }),
    max_token_count: Int.optional().meta({ description: 'The maximum token count (default 2560).' }),
    enable_content_logging: z.boolean().nullable().optional().meta({
      description: 'Whether to log request and response content.',
    }),
    max_input_length: Int.nullable().optional().meta({
      description: 'The maximum input length in tokens.',
    }),
    max_context_length: Int.min(1).nullable().optional().meta({
      description: 'The maximum context length (input + output tokens) to serve with.',
    }),
    queue_timeout_ms: Int.nullable().optional().meta({ description: 'The queue timeout in milliseconds.' }),
    queue_backpressure_metric_kind: z.enum(BACKPRESSURE_METRICS).nullable().optional().meta({
      description: 'The metric that applies queue backpressure.',
    }),
    queue_backpressure_metric_threshold: z.number().nullable().optional().meta({
      description: 'The threshold of the backpressure metric.',
    }),
  })
  .meta({ description: 'EndpointAdvancedConfig: how the engine serves the model.' })

const Simplescale = z
  .strictObject({ replicas: Int.min(1).meta({ description: 'The number of replicas.' }) })
  .meta({ description: 'A fixed number of replicas; give this or autoscalingPolicy, not both.' })

const AutoscalingPolicy = z
  .strictObject({
    minReplica: Int.min(0).optional().meta({
      description:
        'Default 0. Setting minReplica to 0 allows the endpoint to sleep when idle, reducing costs. The minimum value is 0.',
    }),
    maxReplica: Int.max(MAX_REPLICA_LIMIT).optional().meta({
      description: 'Default 1. The maximum value is 10.',
    }),
    cooldownPeriod: Int.optional().meta({
      description: 'Seconds without requests before scaling down (default 300).',
    }),
  })
  .meta({ description: 'AutoscalingPolicy: replicas between minReplica and maxReplica.' })

const SCHEMA_KEY = z.string().optional().meta({
  description: 'The JSON Schema this file follows, for editors; not part of the API body.',
})

/** Preflight-only: the custom chat template, a Jinja file beside the manifest. */
const CHAT_TEMPLATE_KEY = z.string().optional().meta({
  description:
    "Preflight-only, not part of the API body (strip it before sending): the path, relative to this file, of the Jinja chat template set as the endpoint's Custom Chat Template in Friendli Suite. Checked like a model's chat template, against the model's tokenizer.",
})

/** One LoRA adapter the endpoint serves, named as the body names its model. */
const Adapter = z
  .strictObject({
    hfAdapterRepo: z.string().meta({ description: 'HF ID of the LoRA adapter.' }),
    hfAdapterRepoRevision: z
      .string()
      .nullable()
      .optional()
      .meta({ description: 'HF commit hash of the adapter.' }),
  })
  .meta({ description: 'A LoRA adapter repository on the Hub and its revision.' })

/** Preflight-only: the LoRA adapters the endpoint serves beside its model. */
const ADAPTERS_KEY = z.array(Adapter).optional().meta({
  description:
    'Preflight-only, not part of the API body (strip it before sending): the LoRA adapters attached to the endpoint in Friendli Suite, each checked by the adapter rules against hfModelRepo.',
})

/** The preflight-only keys, which a deploy script strips before it sends the body. */
export const PREFLIGHT_KEYS = ['$schema', 'chatTemplate', 'adapters'] as const

/** DedicatedEndpointCreateBody. */
export const CreateBody = z
  .strictObject({
    $schema: SCHEMA_KEY,
    projectId: z.string().meta({ description: 'The project the endpoint is created in.' }),
    name: z.string().meta({ description: 'The name of the endpoint.' }),
    instanceOptionId: z.string().meta({
      description:
        'The instance option (GPU type and count), e.g. ShbPuOs4tfGb for 1x NVIDIA A100 80GB: the available options are listed at https://friendli.ai/docs/openapi/dedicated/endpoint/create.',
    }),
    advanced: AdvancedConfig,
    hfModelRepo: z.string().meta({ description: 'HF ID of the model.' }),
    hfModelRepoRevision: z
      .string()
      .nullable()
      .optional()
      .meta({ description: 'HF commit hash of the model.' }),
    simplescale: Simplescale.nullable().optional(),
    autoscalingPolicy: AutoscalingPolicy.nullable().optional(),
    initialVersionComment: z.string().nullable().optional().meta({
      description: 'A comment on the first version of the endpoint.',
    }),
    chatTemplate: CHAT_TEMPLATE_KEY,
    adapters: ADAPTERS_KEY,
  })
  .meta({
    title: 'DedicatedEndpointCreateBody',
    description: 'POST https://api.friendli.ai/dedicated/beta/endpoint',
  })

/** DedicatedEndpointUpdateBody: every field optional and nullable. */
export const UpdateBody = z
  .strictObject({
    $schema: SCHEMA_KEY,
    name: z.string().nullable().optional().meta({ description: 'The name of the endpoint.' }),
    advanced: AdvancedConfig.nullable().optional(),
    simplescale: Simplescale.nullable().optional(),
    autoscalingPolicy: AutoscalingPolicy.nullable().optional(),
    hfModelRepo: z.string().nullable().optional().meta({ description: 'HF ID of the model.' }),
    hfModelRepoRevision: z
      .string()
      .nullable()
      .optional()
      .meta({ description: 'HF commit hash of the model.' }),
    newVersionComment: z.string().nullable().optional().meta({
      description: 'A comment on the new version of the endpoint.',
    }),
    instanceOptionId: z.string().nullable().optional().meta({ description: 'The instance option.' }),
    chatTemplate: CHAT_TEMPLATE_KEY,
    adapters: ADAPTERS_KEY,
  })
  .meta({
    title: 'DedicatedEndpointUpdateBody',
    description: 'PUT https://api.friendli.ai/dedicated/beta/endpoint/{endpoint_id}',
  })

export type BodyKind = 'create' | 'update'

/**
 * Which call a manifest is the body of. A create body must name the project the endpoint goes in
 * (`projectId`, required there), and an endpoint being updated already has one, so the update body has
 * no such field: a manifest with `projectId` (or `initialVersionComment`, also create-only) is a create
 * body, any other an update body (`newVersionComment` is update-only). The keys alone decide, so an
 * editor's JSON Schema, this check and the API agree on the same file without a marker of our own.
 */
export function bodyKind(value: Record<string, unknown>): BodyKind {
  return Object.hasOwn(value, 'projectId') || Object.hasOwn(value, 'initialVersionComment')
    ? 'create'
    : 'update'
}

/** The schema of a body kind. */
export function bodySchema(kind: BodyKind) {
  return kind === 'create' ? CreateBody : UpdateBody
}

/** The top-level keys each body has, for did-you-mean. */
export function bodyKeys(kind: BodyKind): string[] {
  return Object.keys(bodySchema(kind).shape)
}

/** The keys of the nested objects both bodies share, by the top-level key holding them. */
export const NESTED_KEYS: Record<string, string[]> = {
  advanced: Object.keys(AdvancedConfig.shape),
  simplescale: Object.keys(Simplescale.shape),
  autoscalingPolicy: Object.keys(AutoscalingPolicy.shape),
  adapters: Object.keys(Adapter.shape),
}

/** Each body's JSON Schema, made once: what fieldIsInteger reads. */
const JSON_SCHEMAS = new Map<BodyKind, Record<string, unknown>>()

/**
 * Whether the field at a pointer is a whole number (the JSON Schema's "integer"): zod reports a string
 * where an integer is wanted as "expected number", and a message should say "a whole number".
 */
export function fieldIsInteger(kind: BodyKind, pointer: string): boolean {
  let schema = JSON_SCHEMAS.get(kind)
  if (!schema) JSON_SCHEMAS.set(kind, (schema = z.toJSONSchema(bodySchema(kind)) as Record<string, unknown>))
  let node: unknown = schema
  for (const key of pointer.split('/').slice(1)) {
    const properties = (unwrap(node) as { properties?: Record<string, unknown> } | undefined)?.properties
    node = properties && Object.hasOwn(properties, key) ? properties[key] : undefined
  }
  const type = (unwrap(node) as { type?: unknown } | undefined)?.type
  return type === 'integer' || (Array.isArray(type) && type.includes('integer'))
}

/** A nullable schema's non-null branch (`anyOf: [X, {type: null}]`), else the schema itself. */
function unwrap(node: unknown): unknown {
  const anyOf = (node as { anyOf?: unknown[] } | undefined)?.anyOf
  return Array.isArray(anyOf) ? anyOf.find((b) => (b as { type?: unknown }).type !== 'null') : node
}

/**
 * The JSON Schema of a manifest (schemas/friendli-endpoint.schema.json): the create body when the file
 * has `projectId` or `initialVersionComment`, else the update body, as bodyKind decides.
 */
export function endpointJsonSchema(id: string): Record<string, unknown> {
  const draft = (schema: z.ZodType) => {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<
      string,
      unknown
    >
    return rest
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: id,
    title: 'Friendli Dedicated Endpoint manifest',
    description:
      'The body of the create-endpoint call (POST https://api.friendli.ai/dedicated/beta/endpoint) when it has projectId, else of the update call (PUT …/endpoint/{endpoint_id}). Generated by friendli-preflight from friendliai/friendli-openapi (2026-07-22).',
    type: 'object',
    if: {
      anyOf: ['projectId', 'initialVersionComment'].map((key) => ({
        type: 'object',
        properties: { [key]: true },
        required: [key],
      })),
    },
    then: { $ref: '#/$defs/create' },
    else: { $ref: '#/$defs/update' },
    $defs: { create: draft(CreateBody), update: draft(UpdateBody) },
  }
}
