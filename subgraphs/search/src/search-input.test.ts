import { AppError } from '@jobplatform/service-runtime';
import { analyticsKeyOf, escapeLike, filterAsGiven, normaliseQuery, parseJobFilter } from './search-input.js';

describe('normaliseQuery', () => {
  it('keeps any text, with control characters and runs of white space made single spaces', () => {
    expect(normaliseQuery('  Senior\t\tRust \u0000 developer\n')).toBe('Senior Rust developer');
    expect(normaliseQuery("'); DROP TABLE jobs; --")).toBe("'); DROP TABLE jobs; --");
    expect(normaliseQuery(null)).toBe('');
  });

  it('refuses more than 200 characters once trimmed, naming the field', () => {
    expect(normaliseQuery(` ${'x'.repeat(200)} `)).toHaveLength(200);
    const error = (() => {
      try {
        normaliseQuery('x'.repeat(201), 'input.query');
      } catch (caught) {
        return caught as AppError;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error!.details.fields).toEqual([{ field: 'input.query', message: 'must be at most 200 characters' }]);
  });

  it('counts a query under one key whatever its letter case', () => {
    expect(analyticsKeyOf('React Native')).toBe(analyticsKeyOf('react native'));
  });
});

describe('parseJobFilter', () => {
  it('turns the GraphQL filter into database values, with empty lists for "any"', () => {
    expect(parseJobFilter({ jobTypes: ['FULL_TIME', 'FULL_TIME'], categoryIds: ['7'], salaryMin: 1000, salaryCurrency: 'EUR', isRemote: null })).toEqual({
      jobTypes: ['full_time'],
      experienceLevels: [],
      isRemote: undefined,
      location: undefined,
      categoryIds: [7n],
      skillIds: [],
      companyIds: [],
      salaryMin: 1000,
      salaryMax: undefined,
      salaryCurrency: 'EUR',
      postedWithinDays: undefined,
    });
  });

  it('needs a currency with a salary bound, and a minimum not above the maximum', () => {
    expect(() => parseJobFilter({ salaryMin: 10 })).toThrow(/filter.salaryCurrency/);
    expect(() => parseJobFilter({ salaryMin: 10, salaryMax: 5, salaryCurrency: 'EUR' })).toThrow(/filter.salaryMax: must not be below salaryMin/);
  });

  it('keeps only the fields that were given, as given', () => {
    expect(filterAsGiven({ jobTypes: ['CONTRACT'], skillIds: [], isRemote: null, location: 'Oslo' })).toEqual({ jobTypes: ['CONTRACT'], location: 'Oslo' });
  });
});

it('escapes LIKE wildcards so a location matches literally', () => {
  expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
});
