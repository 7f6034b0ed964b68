-- One database per service, each owned by a role of its own that can reach no other database (PUBLIC
-- may not connect to it). Runs once, when the volume is empty, as the postgres superuser; psql takes
-- each role's password from the container's environment (<NAME>_DATABASE_PASSWORD, from .env). The
-- migrate job (POSTGRES_ADMIN_URL) brings a volume made before the roles to the same state.
\getenv users_service_password USERS_DATABASE_PASSWORD
CREATE ROLE users_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'users_service_password';
CREATE DATABASE users_db OWNER users_service;
REVOKE ALL ON DATABASE users_db FROM PUBLIC;

\getenv jobs_service_password JOBS_DATABASE_PASSWORD
CREATE ROLE jobs_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'jobs_service_password';
CREATE DATABASE jobs_db OWNER jobs_service;
REVOKE ALL ON DATABASE jobs_db FROM PUBLIC;

\getenv applications_service_password APPLICATIONS_DATABASE_PASSWORD
CREATE ROLE applications_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'applications_service_password';
CREATE DATABASE applications_db OWNER applications_service;
REVOKE ALL ON DATABASE applications_db FROM PUBLIC;

\getenv notifications_service_password NOTIFICATIONS_DATABASE_PASSWORD
CREATE ROLE notifications_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'notifications_service_password';
CREATE DATABASE notifications_db OWNER notifications_service;
REVOKE ALL ON DATABASE notifications_db FROM PUBLIC;

\getenv search_service_password SEARCH_DATABASE_PASSWORD
CREATE ROLE search_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'search_service_password';
CREATE DATABASE search_db OWNER search_service;
REVOKE ALL ON DATABASE search_db FROM PUBLIC;

\getenv analytics_service_password ANALYTICS_DATABASE_PASSWORD
CREATE ROLE analytics_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'analytics_service_password';
CREATE DATABASE analytics_db OWNER analytics_service;
REVOKE ALL ON DATABASE analytics_db FROM PUBLIC;
