import { checkTrackedEvent } from './tracked-events.js';

describe('checkTrackedEvent', () => {
  it('keeps the properties of the type and the job it names', () => {
    expect(checkTrackedEvent({ eventType: 'SEARCH_RESULT_CLICK', sessionId: ' s ', properties: { jobId: '7', query: 'rust', position: 2 } }, 'input')).toEqual({
      event: { eventType: 'SEARCH_RESULT_CLICK', sessionId: 's', properties: { jobId: '7', query: 'rust', position: 2 }, clientTimestamp: null, jobId: '7' },
    });
    expect(checkTrackedEvent({ eventType: 'COMPANY_VIEW', sessionId: 's', properties: { companyId: '3' } }, 'input')).toMatchObject({ event: { jobId: undefined } });
  });

  it('names every field at fault under the given path', () => {
    expect(checkTrackedEvent({ eventType: 'PROFILE_VIEW', sessionId: 'x'.repeat(256), properties: { userId: 5 } }, 'inputs.4')).toEqual({
      problems: [
        { field: 'inputs.4.sessionId', message: 'must be at most 255 characters' },
        { field: 'inputs.4.properties.userId', message: expect.any(String) },
      ],
    });
    expect(checkTrackedEvent({ eventType: 'JOB_VIEW', sessionId: 's', properties: ['not', 'an', 'object'] }, 'input')).toEqual({
      problems: [{ field: 'input.properties', message: expect.any(String) }],
    });
  });

  it('measures the 4 KB in UTF-8 bytes', () => {
    // 1,400 three-byte characters: 4,200 bytes, though fewer than 4,096 characters.
    expect(checkTrackedEvent({ eventType: 'JOB_VIEW', sessionId: 's', properties: { jobId: '1', source: '€'.repeat(1400) } }, 'input')).toEqual({
      problems: [{ field: 'input.properties', message: 'must be at most 4096 bytes as JSON' }],
    });
  });
});
