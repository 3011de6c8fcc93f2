import { describe, expect, it } from 'vitest';
import { ApiError, jsonPointerToField, toApiError } from './errors.js';

describe('errors', () => {
  it('turns JSON pointers into the field paths users write', () => {
    expect(jsonPointerToField('')).toBe('');
    expect(jsonPointerToField('/texts/3')).toBe('texts[3]');
    expect(jsonPointerToField('/support/2/entities/0/end')).toBe('support[2].entities[0].end');
    expect(jsonPointerToField('/a~1b/c~0d')).toBe('a/b.c~d');
  });

  it('maps schema issues to 400 with the field, and hides internal errors', () => {
    const missing = toApiError({
      validation: [{ instancePath: '/support/0', keyword: 'required', params: { missingProperty: 'text' } }],
      validationContext: 'body',
    });
    expect(missing.toBody()).toEqual({
      error: { code: 'invalid_request', message: 'support[0].text is required', field: 'support[0].text' },
    });
    const internal = toApiError(new Error('secret stack detail'));
    expect(internal.statusCode).toBe(500);
    expect(internal.message).not.toContain('secret');
    const mine = new ApiError(404, 'task_not_found', 'no task');
    expect(toApiError(mine)).toBe(mine);
  });
});
