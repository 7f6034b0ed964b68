import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import DataLoader from 'dataloader';
import { AppError, calendarDateSchema, requireAdminOrMember, statement, toCalendarDate, validateInput, type LeanSql } from '@jobplatform/service-runtime';
import type { AnalyticsDb } from './db.js';

/** The longest range a statistics query covers, in days (a leap year). */
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A checked range of UTC days, both ends included, as YYYY-MM-DD. */
export type DayRange = { from: string; to: string };

const dayCount = ({ from, to }: DayRange) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

const dayRangeSchema = z.object({ from: calendarDateSchema, to: calendarDateSchema }).superRefine((range, ctx) => {
  if (range.from > range.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
  else if (dayCount(range) > MAX_RANGE_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_RANGE_DAYS} days after from, counting both` });
});

/** from and to of a statistics field: real days, from not after to, at most 366 days. */
export function checkDayRange(range: { from: unknown; to: unknown }): DayRange {
  return validateInput(dayRangeSchema, range);
}

const epochDayOf = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/**
 * YYYY-MM-DD of days since 1970-01-01, each made once: JobStats names every day of its range (365
 * for a year) on every request, and a Date and its toISOString per day cost more than the rest of
 * building the list. Far more days than any ranges ask for are kept before the map starts afresh,
 * so that requests for odd ranges cannot grow it without bound.
 */
const dayNames = new Map<number, string>();
const DAY_NAMES_KEPT = 20_000;
function nameOfDay(epochDay: number): string {
  let name = dayNames.get(epochDay);
  if (name === undefined) {
    if (dayNames.size >= DAY_NAMES_KEPT) dayNames.clear();
    name = toCalendarDate(new Date(epochDay * DAY_MS));
    dayNames.set(epochDay, name);
  }
  return name;
}

/**
 * The names of MAX_RANGE_DAYS days from a first day, listed once per first day: dailyOf names every
 * day of its range on every request, and a lookup in dayNames per day was 1.6 % of the process's
 * CPU on JobStats, more than building the day's object. The names are dayNames' strings, so a list
 * holds pointers only (3 KB); far more first days than ranges in use are kept before starting afresh.
 */
const rangeDayNames = new Map<number, readonly string[]>();
const RANGE_DAY_NAMES_KEPT = 400;
function dayNamesFrom(firstEpochDay: number): readonly string[] {
  let names = rangeDayNames.get(firstEpochDay);
  if (names === undefined) {
    if (rangeDayNames.size >= RANGE_DAY_NAMES_KEPT) rangeDayNames.clear();
    names = Array.from({ length: MAX_RANGE_DAYS }, (_, i) => nameOfDay(firstEpochDay + i));
    rangeDayNames.set(firstEpochDay, names);
  }
  return names;
}

/** Every day of the range, in order. */
export function daysOf(range: DayRange): string[] {
  const first = epochDayOf(range.from);
  return Array.from({ length: dayCount(range) }, (_, i) => nameOfDay(first + i));
}

/**
 * The days of a range on which a job had views or applications, as PostgreSQL reports them: each
 * metric's days as offsets from the range's first day (0 is `from`), and its values in the same
 * order; null for a metric without any day.
 */
export type ActiveDays = { viewDays: number[] | null; views: number[] | null; applicationDays: number[] | null; applications: number[] | null };

/** Every day of the range in order, days without activity included (zeros), from its active days. */
export function dailyOf(range: DayRange, active: ActiveDays): JobStatistics['daily'] {
  const first = epochDayOf(range.from);
  const names = dayNamesFrom(first);
  const count = dayCount(range);
  const daily: JobStatistics['daily'] = [];
  for (let i = 0; i < count; i += 1) daily.push({ date: names[i] ?? nameOfDay(first + i), views: 0, applications: 0 });
  active.viewDays?.forEach((day, k) => {
    daily[day]!.views = active.views![k]!;
  });
  active.applicationDays?.forEach((day, k) => {
    daily[day]!.applications = active.applications![k]!;
  });
  return daily;
}

const asDate = (day: string) => new Date(`${day}T00:00:00Z`);
const dateRange = (range: DayRange) => ({ gte: asDate(range.from), lte: asDate(range.to) });

export const applicationStatuses = ['pending', 'reviewing', 'shortlisted', 'interviewing', 'offered', 'hired', 'rejected', 'withdrawn'] as const;
export type ApplicationStatusValue = (typeof applicationStatuses)[number];

export type JobStatistics = { views: number; applications: number; daily: { date: string; views: number; applications: number }[] };
export type EmployerStatistics = {
  activeJobs: number;
  totalViews: number;
  totalApplications: number;
  /** Statuses as the SDL's ApplicationStatus spells them. */
  applicationsByStatus: { status: Uppercase<ApplicationStatusValue>; count: number }[];
  averageDaysToHire: number | null;
};
export type PlatformStatistics = {
  newUsers: number;
  newJobs: number;
  newApplications: number;
  hires: number;
  searches: number;
  daily: { date: string; metricName: string; value: number }[];
};

/** A job's statistics as one statement reads them, before the access rule is applied. */
type JobStatisticsRead = {
  /** Whose job it is; undefined when analytics does not know the job. */
  job: { employerId: bigint; viewerIsMember: boolean } | undefined;
  /** The days of the range with activity; the others are zeros. */
  active: ActiveDays;
};

/**
 * Per-request loaders, so that the statistics of many jobs in one request (a list of an employer's
 * jobs, each with its stats) cost one statement per range asked for, not per job.
 */
export function createStatisticsLoaders(sql: LeanSql, viewer: Viewer | undefined) {
  const viewerId = viewer ? BigInt(viewer.userId) : null;
  return {
    /**
     * Keyed `from|to|jobId`. One statement reads the job, whether the viewer is a member of its
     * company and its days, so that a year of a job is one round trip. PostgreSQL sends only the
     * days with activity, each metric as two JSON arrays (days as offsets from `from`, values): a
     * JSON object per day, its date written by to_char, made the statement three times as costly
     * for PostgreSQL and its 20 KB the service's largest JSON.parse; the service names the days
     * and fills in the zeros (dailyOf), once the viewer may see them. The rollups hold one row per
     * job, metric and day (their unique key), so a day's value is its row's. Over node-postgres
     * (sql), as the hottest read of the service.
     */
    jobStatistics: new DataLoader<string, JobStatisticsRead>(async (keys) => {
      const byRange = new Map<string, bigint[]>();
      for (const key of keys) {
        const [from, to, jobId] = key.split('|') as [string, string, string];
        byRange.set(`${from}|${to}`, [...(byRange.get(`${from}|${to}`) ?? []), BigInt(jobId)]);
      }
      const found = new Map<string, JobStatisticsRead>();
      for (const [range, jobIds] of byRange) {
        const [from, to] = range.split('|') as [string, string];
        const rows = await sql.rows<{ job_id: bigint; employer_id: bigint | null; viewer_is_member: boolean; active_days: string }>(statement`
          SELECT k.id AS job_id, j.employer_id,
                 EXISTS (SELECT 1 FROM company_member_replicas m WHERE m.company_id = j.company_id AND m.user_id = ${viewerId}::bigint AND m.is_member) AS viewer_is_member,
                 (SELECT json_build_object('viewDays', json_agg(a.metric_date - ${from}::date) FILTER (WHERE a.metric_name = 'views'),
                                           'views', json_agg(a.metric_value) FILTER (WHERE a.metric_name = 'views'),
                                           'applicationDays', json_agg(a.metric_date - ${from}::date) FILTER (WHERE a.metric_name = 'applications'),
                                           'applications', json_agg(a.metric_value) FILTER (WHERE a.metric_name = 'applications'))
                  FROM job_analytics a
                  WHERE a.job_id = k.id AND a.metric_name IN ('views', 'applications') AND a.metric_date BETWEEN ${from}::date AND ${to}::date)::text AS active_days
          FROM unnest(${jobIds}::bigint[]) AS k(id)
          LEFT JOIN job_replicas j ON j.id = k.id`);
        for (const row of rows)
          found.set(`${range}|${row.job_id}`, {
            job: row.employer_id === null ? undefined : { employerId: row.employer_id, viewerIsMember: row.viewer_is_member },
            active: JSON.parse(row.active_days) as ActiveDays,
          });
      }
      return keys.map((key) => found.get(key)!);
    }),
  };
}

export type StatisticsLoaders = ReturnType<typeof createStatisticsLoaders>;

/**
 * The statistics, read from the daily rollups only (never from raw events), with who may see them:
 * a job's to its employer, the members of its company and admins; an employer's to themselves; the
 * platform's to admins.
 */
export function createStatisticsService({ db }: { db: AnalyticsDb }) {
  return {
    async forJob(viewer: Viewer, jobId: bigint, range: DayRange, loaders: StatisticsLoaders): Promise<JobStatistics> {
      const { job, active } = await loaders.jobStatistics.load(`${range.from}|${range.to}|${jobId}`);
      await requireAdminOrMember(
        viewer,
        async () => {
          if (!job) return undefined;
          if (job.employerId.toString() === viewer.userId) return 'employer';
          return job.viewerIsMember ? 'member' : undefined;
        },
        { message: "Only the job's employer, the members of its company and admins can see its statistics" },
      );
      const sum = (values: number[] | null) => values?.reduce((total, value) => total + value, 0) ?? 0;
      return { views: sum(active.views), applications: sum(active.applications), daily: dailyOf(range, active) };
    },

    async forEmployer(viewer: Viewer, userId: bigint, range: DayRange): Promise<EmployerStatistics> {
      if (viewer.userId !== userId.toString()) throw new AppError('FORBIDDEN', 'Only the user themselves can see their employer statistics');
      const [totals, activeJobs] = await Promise.all([
        db.userAnalytics.groupBy({ by: ['metricName'], where: { userId, metricDate: dateRange(range) }, _sum: { metricValue: true } }),
        db.jobReplica.count({
          where: {
            employerId: userId,
            postedAt: { lt: new Date(asDate(range.to).getTime() + DAY_MS) },
            // Open now, or closed (or deleted while open) no earlier than the range's first day.
            OR: [{ isActive: true }, { closedAt: { gte: asDate(range.from) } }, { deletedAt: { gte: asDate(range.from) } }],
            AND: [{ OR: [{ deletedAt: null }, { deletedAt: { gte: asDate(range.from) } }] }],
          },
        }),
      ]);
      const total = (metric: string) => Number(totals.find((row) => row.metricName === metric)?._sum.metricValue ?? 0);
      const timedHires = total('timed_hires');
      return {
        activeJobs,
        totalViews: total('job_views'),
        totalApplications: total('applications'),
        applicationsByStatus: applicationStatuses.map((status) => ({ status: status.toUpperCase() as Uppercase<ApplicationStatusValue>, count: total(`applications_${status}`) })),
        averageDaysToHire: timedHires > 0 ? Math.round((total('days_to_hire') / timedHires) * 100) / 100 : null,
      };
    },

    async forPlatform(range: DayRange): Promise<PlatformStatistics> {
      const rows = await db.platformAnalytics.findMany({
        where: { metricDate: dateRange(range) },
        orderBy: [{ metricDate: 'asc' }, { metricName: 'asc' }],
        select: { metricName: true, metricDate: true, metricValue: true },
      });
      const daily = rows.map((row) => ({ date: toCalendarDate(row.metricDate), metricName: row.metricName, value: Number(row.metricValue) }));
      const total = (metric: string) => daily.reduce((sum, row) => (row.metricName === metric ? sum + row.value : sum), 0);
      return { newUsers: total('new_users'), newJobs: total('new_jobs'), newApplications: total('new_applications'), hires: total('hires'), searches: total('searches'), daily };
    },
  };
}

export type StatisticsService = ReturnType<typeof createStatisticsService>;
