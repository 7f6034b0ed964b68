import type { Role } from '@jobplatform/auth';
import {
  authorizeApplicationAction,
  isEmployerSide,
  mayActOnApplication,
  mayListJobApplications,
  mayListUserApplications,
  relationToApplication,
  statusActorOf,
  type ApplicationAction,
  type ViewerStanding,
} from './visibility.js';

const application = { applicantId: '10', employerId: '20', companyId: '300' };

const viewer = (userId: string, role: Role, memberOf: string[] = []): ViewerStanding => ({ userId, role, memberOfCompanyIds: new Set(memberOf) });
const people = {
  applicant: viewer('10', 'job_seeker'),
  employer: viewer('20', 'employer', ['300']),
  colleague: viewer('21', 'employer', ['300', '301']),
  formerEmployer: viewer('20', 'employer', []),
  otherEmployer: viewer('22', 'employer', ['301']),
  otherSeeker: viewer('11', 'job_seeker'),
  admin: viewer('1', 'admin'),
};

describe('relationToApplication', () => {
  it('names how each person stands to the application', () => {
    expect(Object.fromEntries(Object.entries(people).map(([name, person]) => [name, relationToApplication(person, application)]))).toEqual({
      applicant: 'applicant',
      employer: 'employer',
      colleague: 'company_member',
      formerEmployer: 'none',
      otherEmployer: 'none',
      otherSeeker: 'none',
      admin: 'admin',
    });
  });
});

describe('who may do what', () => {
  const table: Record<ApplicationAction, (keyof typeof people)[]> = {
    view: ['applicant', 'employer', 'colleague', 'admin'],
    view_applicant_contact: ['applicant', 'employer', 'colleague', 'admin'],
    download_attachments: ['applicant', 'employer', 'colleague'],
    withdraw: ['applicant'],
    manage_attachments: ['applicant'],
    change_status: ['employer', 'colleague'],
    manage_interviews: ['employer', 'colleague'],
  };

  it.each(Object.entries(table))('%s: %j and nobody else', (action, allowed) => {
    for (const [name, person] of Object.entries(people)) {
      expect({ name, may: mayActOnApplication(person, application, action as ApplicationAction) }).toEqual({ name, may: allowed.includes(name as keyof typeof people) });
    }
  });
});

describe('authorizeApplicationAction', () => {
  it('tells someone who may not see the application that it does not exist', () => {
    for (const person of [people.otherEmployer, people.otherSeeker, people.formerEmployer]) {
      expect(authorizeApplicationAction(person, application, 'change_status')).toEqual({ ok: false, errorCode: 'NOT_FOUND', message: 'There is no application with that id.' });
    }
  });

  it('tells someone who sees it but may not act who may', () => {
    expect(authorizeApplicationAction(people.applicant, application, 'change_status')).toEqual({
      ok: false,
      errorCode: 'FORBIDDEN',
      message: "Only the job's employer and the members of its company can change an application's status.",
    });
    expect(authorizeApplicationAction(people.employer, application, 'withdraw')).toMatchObject({
      ok: false,
      errorCode: 'FORBIDDEN',
      message: 'Only the applicant can withdraw an application.',
    });
    expect(authorizeApplicationAction(people.admin, application, 'manage_interviews')).toMatchObject({ ok: false, errorCode: 'FORBIDDEN' });
    expect(authorizeApplicationAction(people.admin, application, 'download_attachments')).toMatchObject({ ok: false, errorCode: 'FORBIDDEN' });
  });

  it('returns the relation when allowed', () => {
    expect(authorizeApplicationAction(people.colleague, application, 'manage_interviews')).toEqual({ ok: true, relation: 'company_member' });
    expect(authorizeApplicationAction(people.applicant, application, 'withdraw')).toEqual({ ok: true, relation: 'applicant' });
    expect(authorizeApplicationAction(people.admin, application, 'view')).toEqual({ ok: true, relation: 'admin' });
  });
});

describe('lists', () => {
  it("shows a job's applications to its employer side and admins", () => {
    const job = { employerId: '20', companyId: '300' };
    expect(mayListJobApplications(people.employer, job)).toBe(true);
    expect(mayListJobApplications(people.colleague, job)).toBe(true);
    expect(mayListJobApplications(people.admin, job)).toBe(true);
    expect(mayListJobApplications(people.formerEmployer, job)).toBe(false);
    expect(mayListJobApplications(people.otherEmployer, job)).toBe(false);
    expect(mayListJobApplications(people.applicant, job)).toBe(false);
  });

  it("shows a user's applications to the user and admins", () => {
    expect(mayListUserApplications(people.applicant, '10')).toBe(true);
    expect(mayListUserApplications(people.admin, '10')).toBe(true);
    expect(mayListUserApplications(people.employer, '10')).toBe(false);
    expect(mayListUserApplications(people.otherSeeker, '10')).toBe(false);
  });
});

describe('sides', () => {
  it('records changes by the applicant or by the employer side', () => {
    expect(statusActorOf('applicant')).toBe('applicant');
    expect(statusActorOf('employer')).toBe('employer');
    expect(statusActorOf('company_member')).toBe('employer');
    expect(['applicant', 'employer', 'company_member', 'admin', 'none'].filter((r) => isEmployerSide(r as never))).toEqual(['employer', 'company_member']);
  });
});
