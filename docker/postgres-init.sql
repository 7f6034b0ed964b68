-- One database per service, as in development. Runs once, when the volume is empty.
CREATE DATABASE users_db;
CREATE DATABASE jobs_db;
CREATE DATABASE applications_db;
CREATE DATABASE search_db;
CREATE DATABASE notifications_db;
CREATE DATABASE analytics_db;
