import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import DataLoader from 'dataloader';
import { AppError, bigintKeys, calendarDateSchema, createByIdLoader, requireAdminOrMember, toCalendarDate, validateInput } from '@jobplatform/service-runtime';
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

/** Every day of the range, in order. */
export function daysOf(range: DayRange): string[] {
  const start = Date.parse(`${range.from}T00:00:00Z`);
  return Array.from({ length: dayCount(range) }, (_, i) => toCalendarDate(new Date(start + i * DAY_MS)));
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

/** A job's counts on one UTC day (null: none of that metric). */
type JobDay = { date: string; views: number | null; applications: number | null };

/** A job as its statistics' access rule needs it. */
export type JobOwnership = { employerId: bigint; companyId: bigint };

/**
 * Per-request loaders, so that the statistics of many jobs in one request (a list of an employer's
 * jobs, each with its stats) cost one query per kind, not per job: the jobs, the viewer's
 * memberships of their companies, and their daily rows, one query per range asked for.
 */
export function createStatisticsLoaders(db: AnalyticsDb, viewer: Viewer | undefined) {
  return {
    jobById: createByIdLoader((ids) => db.jobReplica.findMany({ where: { id: { in: ids } }, select: { id: true, employerId: true, companyId: true } })),
    /** Whether the viewer is a member of each company. */
    viewerMemberOf: new DataLoader<bigint, boolean, string>(async (companyIds) => {
      if (!viewer) return companyIds.map(() => false);
      const rows = await db.companyMemberReplica.findMany({
        where: { userId: BigInt(viewer.userId), companyId: { in: [...companyIds] }, isMember: true },
        select: { companyId: true },
      });
      const member = new Set(rows.map((row) => row.companyId));
      return companyIds.map((id) => member.has(id));
    }, bigintKeys),
    /**
     * A job's days with views or applications in a range, keyed `from|to|jobId`: one row per day
     * with both counts and the day as YYYY-MM-DD, so a year of a job is 365 small rows at most.
     */
    jobDays: new DataLoader<string, JobDay[]>(async (keys) => {
      const byRange = new Map<string, bigint[]>();
      for (const key of keys) {
        const [from, to, jobId] = key.split('|') as [string, string, string];
        byRange.set(`${from}|${to}`, [...(byRange.get(`${from}|${to}`) ?? []), BigInt(jobId)]);
      }
      const found = new Map<string, JobDay[]>();
      for (const [range, jobIds] of byRange) {
        const [from, to] = range.split('|') as [string, string];
        const rows = await db.$queryRaw<(JobDay & { job_id: bigint })[]>`
          SELECT job_id, to_char(metric_date, 'YYYY-MM-DD') AS date,
                 (sum(metric_value) FILTER (WHERE metric_name = 'views'))::int AS views,
                 (sum(metric_value) FILTER (WHERE metric_name = 'applications'))::int AS applications
          FROM job_analytics
          WHERE job_id = ANY(${jobIds}::bigint[]) AND metric_name IN ('views', 'applications') AND metric_date BETWEEN ${from}::date AND ${to}::date
          GROUP BY job_id, metric_date`;
        for (const jobId of jobIds) found.set(`${range}|${jobId}`, []);
        for (const { job_id: jobId, ...day } of rows) found.get(`${range}|${jobId}`)!.push(day);
      }
      return keys.map((key) => found.get(key) ?? []);
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
      await requireAdminOrMember(
        viewer,
        async () => {
          const job = await loaders.jobById.load(jobId);
          if (!job) return undefined;
          if (job.employerId.toString() === viewer.userId) return 'employer';
          return (await loaders.viewerMemberOf.load(job.companyId)) ? 'member' : undefined;
        },
        { message: "Only the job's employer, the members of its company and admins can see its statistics" },
      );
      const counted = new Map((await loaders.jobDays.load(`${range.from}|${range.to}|${jobId}`)).map((day) => [day.date, day]));
      const daily = daysOf(range).map((date) => {
        const day = counted.get(date);
        return { date, views: day?.views ?? 0, applications: day?.applications ?? 0 };
      });
      return { views: daily.reduce((sum, day) => sum + day.views, 0), applications: daily.reduce((sum, day) => sum + day.applications, 0), daily };
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
