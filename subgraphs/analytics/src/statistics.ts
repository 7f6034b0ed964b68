import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import { AppError, calendarDateSchema, isAdmin, isAdminOrMember, toCalendarDate, validateInput } from '@jobplatform/service-runtime';
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

/**
 * The statistics, read from the daily rollups only (never from raw events), with who may see them:
 * a job's to its employer, the members of its company and admins; an employer's to themselves; the
 * platform's to admins.
 */
export function createStatisticsService({ db }: { db: AnalyticsDb }) {
  async function mayReadJob(viewer: Viewer | undefined, jobId: bigint): Promise<boolean> {
    if (isAdmin(viewer)) return true;
    const job = await db.jobReplica.findUnique({ where: { id: jobId }, select: { employerId: true, companyId: true } });
    if (!job || !viewer) return false;
    if (job.employerId.toString() === viewer.userId) return true;
    return isAdminOrMember(viewer, async () => {
      const member = await db.companyMemberReplica.findUnique({ where: { companyId_userId: { companyId: job.companyId, userId: BigInt(viewer.userId) } } });
      return member?.isMember ? 'member' : undefined;
    });
  }

  return {
    async forJob(viewer: Viewer, jobId: bigint, range: DayRange): Promise<JobStatistics> {
      if (!(await mayReadJob(viewer, jobId))) {
        throw new AppError('FORBIDDEN', "Only the job's employer, the members of its company and admins can see its statistics");
      }
      const rows = await db.jobAnalytics.findMany({
        where: { jobId, metricName: { in: ['views', 'applications'] }, metricDate: dateRange(range) },
        select: { metricName: true, metricDate: true, metricValue: true },
      });
      const byDay = new Map(daysOf(range).map((date) => [date, { date, views: 0, applications: 0 }]));
      for (const row of rows) {
        const day = byDay.get(toCalendarDate(row.metricDate));
        if (day) day[row.metricName as 'views' | 'applications'] += row.metricValue;
      }
      const daily = [...byDay.values()];
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
