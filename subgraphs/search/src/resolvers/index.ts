import { scalarResolvers } from '@jobplatform/service-runtime';
import type { Resolvers } from '../generated/graphql.js';
import { Company } from './Company.js';
import { CompanySearchConnection, CompanySearchEdge } from './CompanySearchConnection.js';
import { Job } from './Job.js';
import { JobSearchConnection, JobSearchEdge } from './JobSearchConnection.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { SavedSearch } from './SavedSearch.js';
import { SearchHistoryEntry } from './SearchHistoryConnection.js';
import { User } from './User.js';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  JSON: scalarResolvers.JSON,
  Query,
  Mutation,
  Job,
  Company,
  JobSearchConnection,
  JobSearchEdge,
  CompanySearchConnection,
  CompanySearchEdge,
  SearchHistoryEntry,
  SavedSearch,
  User,
};
