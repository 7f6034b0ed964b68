import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { composeSupergraph } from '../schema/compose-supergraph.js';
import { formatLocation, formatProblem, type SchemaProblem } from '../schema/source-location.js';
import { displayPath, findUnlistedSubgraphSdls, loadSupergraphConfig, repositoryRoot, SupergraphConfigError } from '../schema/supergraph-config.js';
import { buildApiSchema } from './api-schema.js';
import { compareApiSchemas, loadAcknowledgements, readPreviousSupergraph, type ClassifiedChange, type PreviousSupergraph } from './breaking-changes.js';
import { compareCoverage, readCoverageFile, writeCoverageFile } from './contract-coverage.js';
import { listOperationFiles, loadOperationFiles, validateOperation, collectUsedCoordinates, type ClientOperation, type OperationFile } from './operations.js';
import { lintSubgraphSdls } from './sdl-lint.js';

export type SchemaCheckOptions = {
  /** Repository root; every other path defaults to a place under it. */
  root?: string;
  configPath?: string;
  supergraphPath?: string;
  operationsDir?: string;
  /** The shared client contract; skipped when the folder does not exist. */
  contractDir?: string;
  acknowledgementsPath?: string;
  coveragePath?: string;
  /** Git ref to compare with; see readPreviousSupergraph for the default. */
  baseRef?: string;
  /** Supergraph SDL to compare with instead of asking git (null: there is none). */
  previousSupergraphSdl?: string | null;
  /** CI never writes files: an out-of-date coverage file fails instead of being rewritten. */
  ci?: boolean;
  /** List every safe change instead of the first few. */
  verbose?: boolean;
};

export type SectionStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type ReportSection = { title: string; status: SectionStatus; summary: string; details: string[] };
export type SchemaCheckReport = { heading: string; sections: ReportSection[]; passed: boolean };

const SAFE_CHANGES_SHOWN = 15;

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
/** `Register:4, Login:12 in schema/operations/users.graphql; Me:43 in ../shared/...`: name and line, per file. */
function describeUsage(operations: ClientOperation[]): string {
  const byFile = new Map<string, string[]>();
  for (const operation of operations) byFile.set(operation.file, [...(byFile.get(operation.file) ?? []), `${operation.name}:${operation.line}`]);
  return [...byFile].map(([file, names]) => `${names.join(', ')} in ${file}`).join('; ');
}

function resolveOptions(options: SchemaCheckOptions) {
  const root = options.root ?? repositoryRoot;
  return {
    root,
    configPath: options.configPath ?? path.join(root, 'schema', 'supergraph.config.json'),
    supergraphPath: options.supergraphPath ?? path.join(root, 'schema', 'supergraph.graphql'),
    operationsDir: options.operationsDir ?? path.join(root, 'schema', 'operations'),
    contractDir: options.contractDir ?? path.join(root, '..', 'shared', 'contract', 'operations'),
    acknowledgementsPath: options.acknowledgementsPath ?? path.join(root, 'schema', 'breaking-changes.json'),
    coveragePath: options.coveragePath ?? path.join(root, 'schema', 'contract-coverage.json'),
  };
}

function checkComposition(
  paths: ReturnType<typeof resolveOptions>,
  show: (file: string) => string,
): { section: ReportSection; apiSchema?: GraphQLSchema; subgraphNames: string[] } {
  const title = 'Composition';
  const outcome = composeSupergraph({ configPath: paths.configPath, root: paths.root });
  const subgraphNames = outcome.subgraphs.map((subgraph) => subgraph.name);
  if (!outcome.ok) {
    return { section: { title, status: 'fail', summary: `failed with ${plural(outcome.problems.length, 'error')}`, details: outcome.problems.map(formatProblem) }, subgraphNames };
  }
  const details: string[] = [];
  let status: SectionStatus = 'pass';
  const notes = [`${subgraphNames.join(', ')} composed`];
  const checkedIn = existsSync(paths.supergraphPath) ? readFileSync(paths.supergraphPath, 'utf8') : undefined;
  if (checkedIn === undefined) {
    status = 'fail';
    notes.push(`${show(paths.supergraphPath)} missing`);
    details.push(`✖ ${show(paths.supergraphPath)} does not exist: run npm run compose and commit it`);
  } else if (checkedIn !== outcome.supergraphSdl) {
    status = 'fail';
    notes.push(`${show(paths.supergraphPath)} out of date`);
    details.push(`✖ ${show(paths.supergraphPath)} differs from a fresh composition: run npm run compose and commit it`);
  } else notes.push(`${path.basename(paths.supergraphPath)} up to date`);
  for (const sdlPath of findUnlistedSubgraphSdls(loadSupergraphConfig(paths.configPath, paths.root), paths.root)) {
    status = 'fail';
    details.push(`✖ ${show(sdlPath)} is not listed in ${show(paths.configPath)}: add its subgraph there (one line)`);
  }
  notes.push(plural(outcome.hints.length, 'hint'));
  for (const hint of outcome.hints) {
    details.push(`hint ${hint.code}: ${hint.message}${hint.locations.length ? ` (${hint.locations.join(', ')})` : ''}`);
  }
  return { section: { title, status, summary: notes.join(' · '), details }, apiSchema: buildApiSchema(outcome.supergraphSdl), subgraphNames };
}

function checkProjectOperations(files: OperationFile[], apiSchema: GraphQLSchema | undefined, dirName: string): ReportSection {
  const title = 'Operations';
  const operations = files.flatMap((file) => file.operations);
  const fileProblems = files.flatMap((file) => file.problems);
  if (files.length === 0) return { title, status: 'warn', summary: `no operation files in ${dirName}`, details: [] };
  const details = fileProblems.map((problem) => `✖ ${formatProblem(problem)}`);
  if (!apiSchema) {
    return { title, status: fileProblems.length ? 'fail' : 'skip', summary: 'not validated: composition failed', details };
  }
  const failures = operations.map((operation) => validateOperation(apiSchema, operation)).filter((verdict) => verdict.problems.length > 0);
  for (const verdict of failures) details.push(...verdict.problems.map((problem) => `✖ ${verdict.operation.name}  ${formatLocation(problem)}  ${problem.message}`));
  const valid = operations.length - failures.length;
  const status = failures.length || fileProblems.length ? 'fail' : 'pass';
  return {
    title,
    status,
    summary: `${valid}/${operations.length} in ${dirName} validate${fileProblems.length ? ` · ${plural(fileProblems.length, 'file problem')}` : ''}`,
    details,
  };
}

function describeChange(change: ClassifiedChange): string {
  const mark = change.level === 'breaking' ? (change.acknowledgement ? '✔' : '✖') : change.level === 'dangerous' ? '⚠' : '·';
  const used = change.usedBy.length ? `  used by ${describeUsage(change.usedBy)}` : change.level === 'safe' ? '' : '  no known client operation uses it';
  return `${mark} ${change.level.padEnd(9)} ${change.type}  ${change.message}${used}`;
}

async function checkBreakingChanges(
  paths: ReturnType<typeof resolveOptions>,
  options: SchemaCheckOptions,
  apiSchema: GraphQLSchema | undefined,
  clientOperations: ClientOperation[],
  show: (file: string) => string,
): Promise<{ section: ReportSection; base: string }> {
  const title = 'Breaking changes';
  const supergraphFile = path.relative(paths.root, paths.supergraphPath).split(path.sep).join('/');
  const previous: PreviousSupergraph =
    options.previousSupergraphSdl === undefined
      ? readPreviousSupergraph(paths.root, supergraphFile, options.baseRef)
      : options.previousSupergraphSdl === null
        ? { found: false, ref: 'given', reason: 'no previous supergraph' }
        : { found: true, ref: 'given', commit: 'given', sdl: options.previousSupergraphSdl };
  const base = previous.found ? `${previous.ref} (${previous.commit})` : previous.ref;
  const { acknowledgements, problems } = loadAcknowledgements(paths.acknowledgementsPath, show(paths.acknowledgementsPath));
  const ackDetails = problems.map((problem) => `✖ ${formatProblem(problem)}`);
  if (!apiSchema) return { section: { title, status: 'skip', summary: 'not checked: composition failed', details: ackDetails }, base };
  if (!previous.found) {
    return { section: { title, status: problems.length ? 'fail' : 'skip', summary: `nothing to compare with: ${previous.reason}`, details: ackDetails }, base };
  }
  let previousApi: GraphQLSchema;
  try {
    previousApi = buildApiSchema(previous.sdl);
  } catch (error) {
    return { section: { title, status: 'warn', summary: `previous supergraph at ${base} could not be read: ${(error as Error).message}`, details: ackDetails }, base };
  }
  const usage = collectUsedCoordinates(previousApi, clientOperations);
  const changes = await compareApiSchemas(previousApi, apiSchema, acknowledgements, usage);
  const breaking = changes.filter((change) => change.level === 'breaking');
  const unacknowledged = breaking.filter((change) => !change.acknowledgement);
  const dangerous = changes.filter((change) => change.level === 'dangerous');
  const safe = changes.filter((change) => change.level === 'safe');
  const details = [...ackDetails];
  for (const change of breaking) {
    details.push(describeChange(change));
    if (change.acknowledgement) details.push(`    acknowledged: ${change.acknowledgement.reason}`);
  }
  for (const change of dangerous) details.push(describeChange(change));
  const shownSafe = options.verbose ? safe : safe.slice(0, SAFE_CHANGES_SHOWN);
  for (const change of shownSafe) details.push(describeChange(change));
  if (shownSafe.length < safe.length) details.push(`  … and ${safe.length - shownSafe.length} more safe changes (--verbose lists them)`);
  if (unacknowledged.length > 0) {
    details.push(`  To ship a breaking change on purpose, add to ${show(paths.acknowledgementsPath)} "acknowledged":`);
    for (const change of unacknowledged) details.push(`    { "type": "${change.type}", "path": "${change.path}", "reason": "<who is affected and why it is safe>" }`);
  }
  const summary = [
    breaking.length === 0 ? 'none' : `${breaking.length} breaking (${unacknowledged.length} not acknowledged)`,
    `${dangerous.length} dangerous`,
    `${safe.length} safe`,
    `vs ${base}`,
  ].join(' · ');
  return { section: { title, status: unacknowledged.length || problems.length ? 'fail' : 'pass', summary, details }, base };
}

function checkContractCoverage(
  paths: ReturnType<typeof resolveOptions>,
  options: SchemaCheckOptions,
  files: OperationFile[],
  apiSchema: GraphQLSchema | undefined,
  show: (file: string) => string,
): ReportSection {
  const title = 'Contract coverage';
  if (!existsSync(paths.contractDir)) return { title, status: 'skip', summary: `no contract at ${show(paths.contractDir)}`, details: [] };
  if (!apiSchema) return { title, status: 'skip', summary: 'not checked: composition failed', details: [] };
  const details: string[] = [];
  let status: SectionStatus = 'pass';
  for (const problem of files.flatMap((file) => file.problems)) {
    status = 'warn';
    details.push(`⚠ ${formatProblem(problem)}`);
  }
  const operations = files.flatMap((file) => file.operations);
  const verdicts = operations.map((operation) => validateOperation(apiSchema, operation));
  const validating = verdicts.filter((verdict) => verdict.problems.length === 0).map((verdict) => verdict.operation.name);
  const coverageFile = show(paths.coveragePath);
  const stored = readCoverageFile(paths.coveragePath, coverageFile);
  for (const problem of stored.problems) {
    status = 'fail';
    details.push(`✖ ${formatProblem(problem)}`);
  }
  const ratchet = compareCoverage(
    stored.recorded,
    operations.map((operation) => operation.name),
    validating,
  );
  for (const name of ratchet.regressions) {
    status = 'fail';
    const verdict = verdicts.find((candidate) => candidate.operation.name === name)!;
    details.push(`✖ ${name} validated before and no longer does: ${verdict.problems.map((problem) => `${formatLocation(problem)} ${problem.message}`).join('; ')}`);
  }
  for (const verdict of verdicts) {
    if (verdict.problems.length === 0 || ratchet.regressions.includes(verdict.operation.name)) continue;
    const [first] = verdict.problems;
    const more = verdict.problems.length > 1 ? ` (+${verdict.problems.length - 1} more)` : '';
    const at = formatLocation({ ...first!, file: path.basename(first!.file) });
    details.push(`· ${verdict.operation.name.padEnd(28)} ${at.padEnd(26)} ${first!.message}${more}`);
  }
  if (ratchet.retired.length) details.push(`  no longer in the contract: ${ratchet.retired.join(', ')}`);
  const stale = ratchet.gained.length > 0 || ratchet.retired.length > 0 || !existsSync(paths.coveragePath);
  let ratchetNote = `floor ${ratchet.recorded.length}`;
  if (stale && stored.problems.length === 0) {
    if (options.ci) {
      if (ratchet.gained.length > 0 || !existsSync(paths.coveragePath)) {
        status = 'fail';
        details.push(
          `✖ ${coverageFile} is out of date (${plural(ratchet.gained.length, 'more operation')} validate${ratchet.gained.length === 1 ? 's' : ''}): run npm run schema:check and commit it`,
        );
      }
    } else {
      writeCoverageFile(paths.coveragePath, operations.length, validating, ratchet.regressions);
      ratchetNote = `floor ${ratchet.recorded.length} → ${new Set([...validating, ...ratchet.regressions]).size}, ${coverageFile} updated (commit it)`;
    }
  }
  const percent = operations.length ? Math.floor((validating.length / operations.length) * 100) : 100;
  return { title, status, summary: `${validating.length}/${operations.length} operations in ${show(paths.contractDir)} validate (${percent}%) · ${ratchetNote}`, details };
}

async function checkSdlLint(paths: ReturnType<typeof resolveOptions>, show: (file: string) => string): Promise<ReportSection> {
  const title = 'SDL lint';
  let files: string[];
  try {
    files = loadSupergraphConfig(paths.configPath, paths.root).subgraphs.map((subgraph) => subgraph.sdlPath);
  } catch (error) {
    if (error instanceof SupergraphConfigError) return { title, status: 'skip', summary: 'no subgraph list (see Composition)', details: [] };
    throw error;
  }
  const findings = await lintSubgraphSdls(files, paths.root, show);
  const errors = findings.filter((finding) => finding.severity === 'error');
  const warnings = findings.filter((finding) => finding.severity === 'warning');
  const details = [...errors, ...warnings].map((finding) => `${finding.severity === 'error' ? '✖' : '⚠'} ${formatProblem(finding)}`);
  const status = errors.length ? 'fail' : warnings.length ? 'warn' : 'pass';
  return { title, status, summary: `${plural(files.length, 'file')} · ${plural(errors.length, 'error')} · ${plural(warnings.length, 'warning')}`, details };
}

/** Runs every schema check and returns the report; writes only the coverage file, and never in CI. */
export async function runSchemaCheck(options: SchemaCheckOptions = {}): Promise<SchemaCheckReport> {
  const paths = resolveOptions(options);
  const show = (file: string) => displayPath(file, paths.root);
  const composition = checkComposition(paths, show);
  const projectFiles = loadOperationFiles(listOperationFiles(paths.operationsDir), show);
  const contractFiles = existsSync(paths.contractDir) ? loadOperationFiles(listOperationFiles(paths.contractDir), show) : [];
  const clientOperations = [...projectFiles, ...contractFiles].flatMap((file) => file.operations);
  const breaking = await checkBreakingChanges(paths, options, composition.apiSchema, clientOperations, show);
  const sections = [
    composition.section,
    breaking.section,
    checkProjectOperations(projectFiles, composition.apiSchema, show(paths.operationsDir)),
    checkContractCoverage(paths, options, contractFiles, composition.apiSchema, show),
    await checkSdlLint(paths, show),
  ];
  const names = composition.subgraphNames;
  const heading = `Schema check · ${plural(names.length, 'subgraph')}${names.length ? ` (${names.join(', ')})` : ''} · base ${breaking.base}`;
  return { heading, sections, passed: sections.every((section) => section.status !== 'fail') };
}

const marks: Record<SectionStatus, string> = { pass: '✔', warn: '⚠', fail: '✖', skip: '–' };

export function formatReport(report: SchemaCheckReport): string {
  const lines = [report.heading, ''];
  for (const section of report.sections) {
    lines.push(`${marks[section.status]} ${section.title.padEnd(18)} ${section.summary}`);
    for (const detail of section.details) lines.push(`    ${detail}`);
  }
  const failed = report.sections.filter((section) => section.status === 'fail').map((section) => section.title);
  lines.push('', failed.length ? `✖ schema check failed: ${failed.join(', ')}` : '✔ schema check passed');
  return lines.join('\n');
}

export type { SchemaProblem };
