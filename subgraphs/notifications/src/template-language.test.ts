import { deliveredChannels, exampleValues, notificationEventNames, notificationEvents } from './notification-events.js';
import { compileTemplate, createTemplateCache, oneLine, renderTemplate } from './template-language.js';

const compile = (source: string) => compileTemplate(source, 'application_submitted', 'input.body');
const messageOf = (source: string) => compile(source).problems[0]?.message;

it('ships a default template for every event and delivered channel that compiles against its event', () => {
  for (const event of notificationEventNames) {
    for (const channel of deliveredChannels) {
      const { subject, body } = notificationEvents[event].defaults[channel];
      expect({ event, channel, problems: [...compileTemplate(subject, event, 's').problems, ...compileTemplate(body, event, 'b').problems] }).toEqual({
        event,
        channel,
        problems: [],
      });
    }
  }
});

it('renders the variables the event offers, with filters and conditions', () => {
  const { template } = compile("{{ applicant_name | capitalize }} applied to {{ job_title }}{% if company_name != '' %} at {{ company_name }}{% endif %}.");
  expect(renderTemplate(template!, exampleValues('application_submitted'))).toBe('Grace applied to Backend engineer at Hooli.');
  const when = compileTemplate("{{ scheduled_at | date: '%A %-d %B %Y at %H:%M UTC' }}", 'interview_scheduled', 'b').template!;
  expect(renderTemplate(when, { ...exampleValues('interview_scheduled'), scheduled_at: '2026-05-11T09:30:00.000Z' })).toBe('Monday 11 May 2026 at 09:30 UTC');
});

it('names a variable the event does not offer, and what it offers', () => {
  expect(messageOf('Hello {{ recipient_name }}, {{ job_tittle }} and {{ to_status }}')).toBe(
    'uses "job_tittle", "to_status", which application_submitted does not offer (it offers recipient_name, application_id, job_id, job_title, company_name, applicant_name)',
  );
  // Variables the template makes itself are its own.
  expect(compile("{% assign greeting = 'Hi' %}{% capture who %}{{ recipient_name }}{% endcapture %}{{ greeting }} {{ who }}").problems).toEqual([]);
});

it('refuses a template that does not compile, with where', () => {
  expect(messageOf('{% if job_title %}open')).toMatch(/^does not compile: tag {% if job_title %} not closed, line:1, col:1/);
  expect(messageOf('{{ job_title | shout }}')).toMatch(/^does not compile: undefined filter: shout/);
  expect(messageOf('{{ job_title ')).toMatch(/^does not compile: /);
});

it('refuses tags that read files or loop', () => {
  expect(messageOf("{% include 'secrets' %}")).toMatch(/^does not compile: tag "include" not found/);
  expect(messageOf("{% render 'x' %}")).toMatch(/tag "render" not found/);
  expect(messageOf('{% for i in (1..100000000) %}x{% endfor %}')).toMatch(/tag "for" not found/);
});

it('refuses a template that fails with the example values (a property the value does not have)', () => {
  expect(messageOf('{{ job_title.first_letter }}')).toMatch(/^does not render: undefined variable: job_title.first_letter/);
});

it('parses each distinct text once, and makes a subject one line', () => {
  const cache = createTemplateCache(2);
  expect(cache('{{ a }}')).toBe(cache('{{ a }}'));
  cache('{{ b }}');
  cache('{{ c }}');
  expect(renderTemplate(cache('{{ a }}'), { a: 'x' })).toBe('x');
  expect(oneLine('  New\n application:\t x  ')).toBe('New application: x');
  expect(oneLine('x'.repeat(300))).toHaveLength(255);
});
