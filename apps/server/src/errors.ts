/** The error shape of every failed request: `{"error": {"code", "message", "field"?}}`. */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** Machine-readable error codes, stable across versions. */
export type ErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'text_too_long'
  | 'batch_too_large'
  | 'support_too_large'
  | 'not_found'
  | 'task_not_found'
  | 'no_default_tagger'
  | 'task_limit'
  | 'overloaded'
  | 'shutting_down'
  | 'internal';

/** The JSON body of an error response. */
export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    /** The offending request field, e.g. `support[2].entities[0].end`, when there is one. */
    field?: string;
  };
}

/** An error the handlers throw on purpose; it becomes a response with `statusCode`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.field !== undefined) body.error.field = this.field;
    return body;
  }
}

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/support/2/entities/0/end` → `support[2].entities[0].end`. */
export function jsonPointerToField(pointer: string): string {
  let field = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) field += `[${part}]`;
    else field += field === '' ? part : `.${part}`;
  }
  return field;
}

/** Turns the first JSON-schema issue into a 400 naming the field. */
function fromValidation(issues: readonly AjvIssue[], where: string): ApiError {
  const issue = issues[0] ?? {};
  let field = jsonPointerToField(issue.instancePath ?? '');
  let detail = issue.message ?? 'is invalid';
  const params = issue.params ?? {};
  if (issue.keyword === 'required' && typeof params['missingProperty'] === 'string') {
    field = field ? `${field}.${params['missingProperty']}` : params['missingProperty'];
    detail = 'is required';
  } else if (issue.keyword === 'additionalProperties' && typeof params['additionalProperty'] === 'string') {
    field = field ? `${field}.${params['additionalProperty']}` : params['additionalProperty'];
    detail = 'is not an allowed field (check its spelling)';
  }
  const name = field || where;
  return new ApiError(400, 'invalid_request', `${name} ${detail}`, field || undefined);
}

/** Maps any error thrown while handling a request to an {@link ApiError}. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as Partial<FastifyError> & { validation?: AjvIssue[]; validationContext?: string };
  if (Array.isArray(e.validation)) return fromValidation(e.validation, e.validationContext ?? 'body');
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'invalid_json', 'request body is not valid JSON; send a JSON object');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_json', 'request body is empty; send a JSON object');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(
        413,
        'body_too_large',
        'request body is larger than limits.bodyLimit; split the batch',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'invalid_request', 'request body size did not match Content-Length');
    // Router errors (Fastify's `frameworkErrors`): the URL itself is unusable.
    case 'FST_ERR_BAD_URL':
      return new ApiError(
        400,
        'invalid_request',
        'the URL path is not valid (bad percent-encoding); task ids are the taskId strings POST /v1/tasks returns',
      );
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError(
        414,
        'invalid_request',
        'a URL path segment is too long (over 100 characters); task ids are the taskId strings POST /v1/tasks returns',
      );
  }
  if (err instanceof SyntaxError) return new ApiError(400, 'invalid_json', 'request body is not valid JSON');
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500)
    return new ApiError(status, 'invalid_request', e.message ?? 'bad request');
  return new ApiError(500, 'internal', 'internal error; the server log has the details');
}

/**
 * Fastify error handler (also its `frameworkErrors` handler, for router errors such as a badly
 * encoded URL): every error leaves as `{error: {code, message}}`.
 */
export function errorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const api = toApiError(err);
  if (api.statusCode >= 500) request.log.error({ err }, 'request failed');
  if (api.code === 'overloaded') reply.header('retry-after', '1');
  void reply.status(api.statusCode).send(api.toBody());
}

/**
 * Fastify `clientErrorHandler`: HTTP that Node's parser rejects (a malformed request line or
 * header, headers over the size limit, a request timeout) gets the same `{error: {code, message}}`
 * body as every other error, then the connection is closed.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const api =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new ApiError(408, 'invalid_request', 'the request took too long to arrive')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError(431, 'invalid_request', 'the request headers are larger than the server accepts')
        : new ApiError(
            400,
            'invalid_request',
            'malformed HTTP request (request line, headers or body framing)',
          );
  if (socket.writable) {
    const body = JSON.stringify(api.toBody());
    socket.write(
      `HTTP/1.1 ${api.statusCode} ${STATUS_CODES[api.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
