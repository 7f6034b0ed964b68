import { Liquid, type Template } from 'liquidjs';
import type { FieldProblem } from '@jobplatform/service-runtime';
import { exampleValues, notificationEvents, type NotificationEventName, type TemplateValues } from './notification-events.js';

/**
 * Templates are Liquid (LiquidJS) with strict variables and filters: a variable the values do not
 * hold, or a filter that does not exist, is an error rather than an empty string. Tags that read
 * files (include, render, layout) or loop (for, tablerow, cycle) are removed: a template only
 * formats the values it is given, so it can neither reach the disk nor run for long. Dates format
 * in UTC.
 */
const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  timezoneOffset: 0,
  cache: false,
  parseLimit: 50_000,
  renderLimit: 200,
  memoryLimit: 1_000_000,
});
for (const tag of ['include', 'render', 'layout', 'block', 'for', 'tablerow', 'cycle', 'break', 'continue', 'increment', 'decrement']) delete engine.tags[tag];

export type CompiledTemplate = Template[];

/** A template's text with what is wrong with it, for BAD_USER_INPUT. */
export type TemplateProblem = FieldProblem;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Compiles `source` as a template of `event` and checks it: it parses, it uses only variables the
 * event offers, and it renders with the event's example values. Returns the compiled template, or
 * the problems found, each naming `field`.
 */
export function compileTemplate(
  source: string,
  event: NotificationEventName,
  field: string,
): { template: CompiledTemplate; problems: [] } | { template?: undefined; problems: TemplateProblem[] } {
  let template: CompiledTemplate;
  try {
    template = engine.parse(source);
  } catch (error) {
    return { problems: [{ field, message: `does not compile: ${messageOf(error)}` }] };
  }
  const offered = notificationEvents[event].variables as Record<string, unknown>;
  // Variables the template assigns or captures itself are locals, not the event's.
  const unknown = engine.globalVariablesSync(template).filter((name) => !Object.hasOwn(offered, name));
  if (unknown.length > 0) {
    const names = [...new Set(unknown)].map((name) => `"${name}"`).join(', ');
    return { problems: [{ field, message: `uses ${names}, which ${event} does not offer (it offers ${Object.keys(offered).join(', ')})` }] };
  }
  try {
    engine.renderSync(template, exampleValues(event));
  } catch (error) {
    return { problems: [{ field, message: `does not render: ${messageOf(error)}` }] };
  }
  return { template, problems: [] };
}

/** Renders a compiled template; throws when a value is missing (it was checked against the event when saved). */
export function renderTemplate(template: CompiledTemplate, values: TemplateValues): string {
  return engine.renderSync(template, values) as string;
}

/**
 * Compiled templates by source text: templates change rarely and are rendered for every
 * notification, so each distinct text is parsed once. Bounded: an admin editing often cannot
 * grow it without limit.
 */
export function createTemplateCache(limit = 200) {
  const compiled = new Map<string, CompiledTemplate>();
  return (source: string): CompiledTemplate => {
    const hit = compiled.get(source);
    if (hit) return hit;
    const template = engine.parse(source);
    if (compiled.size >= limit) compiled.delete(compiled.keys().next().value!);
    compiled.set(source, template);
    return template;
  };
}

export type TemplateCache = ReturnType<typeof createTemplateCache>;

/** A rendered subject on one line: an in-app title or a mail's Subject header (at most 255 characters). */
export function oneLine(text: string, max = 255): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
