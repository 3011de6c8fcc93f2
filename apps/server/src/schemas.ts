/**
 * JSON schemas of the routes. Fastify validates requests and serialises responses with them, and
 * {@link buildOpenApi} publishes the same objects, so the document cannot drift from the code.
 * Limits that depend on configuration (text length, batch size) are checked in code, with UTF-16
 * lengths, so they are not in these schemas.
 */

export const entitySchema = {
  type: 'object',
  description: 'A labelled span; offsets are UTF-16 code units, `end` exclusive.',
  required: ['start', 'end', 'type'],
  additionalProperties: false,
  properties: {
    start: { type: 'integer', minimum: 0 },
    end: { type: 'integer', minimum: 0 },
    type: { type: 'string', minLength: 1 },
    text: { type: 'string', description: 'Optional; when given it must equal text.slice(start, end).' },
  },
} as const;

export const sentenceSchema = {
  type: 'object',
  description: 'A support sentence with its gold entities.',
  required: ['text', 'entities'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'Optional; defaults to `s<index>`.' },
    text: { type: 'string' },
    entities: { type: 'array', items: entitySchema },
  },
} as const;

export const predictionSchema = {
  type: 'object',
  required: ['start', 'end', 'type', 'text', 'score'],
  properties: {
    start: { type: 'integer', description: 'UTF-16 offset of the first code unit.' },
    end: { type: 'integer', description: 'UTF-16 offset after the last code unit.' },
    type: { type: 'string' },
    text: { type: 'string', description: 'text.slice(start, end)' },
    score: { type: 'number', description: 'Confidence in [0, 1].' },
  },
} as const;

export const entitiesRequestSchema = {
  type: 'object',
  description: 'Exactly one of `text` (one text) or `texts` (a batch).',
  additionalProperties: false,
  properties: {
    text: { type: 'string' },
    texts: { type: 'array', items: { type: 'string' } },
  },
} as const;

const entityListSchema = { type: 'array', items: predictionSchema } as const;

export const entitiesResponseSchema = {
  type: 'object',
  description: '`entities` for a `text` request, `results` (one per input, in order) for `texts`.',
  properties: {
    entities: entityListSchema,
    results: {
      type: 'array',
      items: { type: 'object', required: ['entities'], properties: { entities: entityListSchema } },
    },
  },
} as const;

export const createTaskRequestSchema = {
  type: 'object',
  required: ['support'],
  additionalProperties: false,
  properties: {
    support: {
      type: 'array',
      items: sentenceSchema,
      description: 'A few labelled sentences (at least one).',
    },
    types: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Types to learn; default: every type in the support set. Each needs an example.',
    },
  },
} as const;

export const taskSchema = {
  type: 'object',
  required: ['taskId', 'types', 'learner', 'supportSize', 'createdAt', 'inMemory'],
  properties: {
    taskId: { type: 'string' },
    types: { type: 'array', items: { type: 'string' } },
    learner: { type: 'string', description: 'Name of the learner that adapted the task.' },
    supportSize: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    inMemory: { type: 'boolean', description: 'Whether the adapted tagger is loaded now.' },
  },
} as const;

export const createTaskResponseSchema = {
  type: 'object',
  required: ['taskId', 'types'],
  properties: { taskId: { type: 'string' }, types: { type: 'array', items: { type: 'string' } } },
} as const;

export const taskParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string', description: 'The offending request field, when there is one.' },
      },
    },
  },
} as const;

export const healthSchema = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    learner: { type: 'string' },
    defaultTagger: { type: 'boolean' },
    defaultTypes: { type: 'array', items: { type: 'string' } },
    tasksStored: { type: 'integer' },
    tasksInMemory: { type: 'integer' },
    uptimeSeconds: { type: 'number' },
  },
} as const;
