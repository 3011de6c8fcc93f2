/** The route table as documented in `/openapi.json` and `/docs`; the handlers use the same schemas. */
import type { RouteDoc } from './openapi.js';
import {
  createTaskRequestSchema,
  createTaskResponseSchema,
  entitiesRequestSchema,
  entitiesResponseSchema,
  errorSchema,
  healthSchema,
  taskParamsSchema,
  taskSchema,
} from './schemas.js';

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { description: 'error', schema: errorSchema }]));

/** Every route, in the order the docs list them. */
export const ROUTES: readonly RouteDoc[] = [
  {
    method: 'POST',
    url: '/v1/entities',
    summary: 'Tag one text ({text}) or a batch ({texts}) with the default model.',
    body: entitiesRequestSchema,
    responses: {
      200: { description: 'entities with UTF-16 offsets', schema: entitiesResponseSchema },
      ...errors(400, 413, 503),
    },
  },
  {
    method: 'POST',
    url: '/v1/tasks',
    summary: 'Adapt to a support set of labelled sentences; returns a task id.',
    body: createTaskRequestSchema,
    responses: {
      201: { description: 'task created', schema: createTaskResponseSchema },
      ...errors(400, 413, 429),
    },
  },
  {
    method: 'GET',
    url: '/v1/tasks/:id',
    summary: 'Describe a stored task.',
    params: taskParamsSchema,
    responses: { 200: { description: 'the task', schema: taskSchema }, ...errors(404) },
  },
  {
    method: 'DELETE',
    url: '/v1/tasks/:id',
    summary: 'Delete a task from memory and from the store.',
    params: taskParamsSchema,
    responses: { 204: { description: 'deleted' }, ...errors(404) },
  },
  {
    method: 'POST',
    url: '/v1/tasks/:id/entities',
    summary: 'Tag one text or a batch with an adapted task.',
    params: taskParamsSchema,
    body: entitiesRequestSchema,
    responses: {
      200: { description: 'entities with UTF-16 offsets', schema: entitiesResponseSchema },
      ...errors(400, 404, 413, 503),
    },
  },
  {
    method: 'GET',
    url: '/healthz',
    summary: 'Liveness and model summary.',
    responses: { 200: { description: 'ok', schema: healthSchema } },
  },
  {
    method: 'GET',
    url: '/metrics',
    summary: 'Prometheus metrics (text format 0.0.4).',
    responses: { 200: { description: 'metrics', contentType: 'text/plain' } },
  },
  {
    method: 'GET',
    url: '/openapi.json',
    summary: 'This OpenAPI document.',
    responses: { 200: { description: 'OpenAPI 3.1' } },
  },
  {
    method: 'GET',
    url: '/docs',
    summary: 'A page listing the routes.',
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  },
];
