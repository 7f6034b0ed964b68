-- Saved-search alerts (search.saved_search.matched.v1) make notifications of their own event.
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_event_check";
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_event_check" CHECK ("event" IN ('application_submitted', 'application_status_changed', 'application_withdrawn', 'interview_scheduled', 'interview_rescheduled', 'interview_cancelled', 'interview_completed', 'saved_search_matched'));
ALTER TABLE "notification_templates" DROP CONSTRAINT "notification_templates_event_check";
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_event_check" CHECK ("event" IN ('application_submitted', 'application_status_changed', 'application_withdrawn', 'interview_scheduled', 'interview_rescheduled', 'interview_cancelled', 'interview_completed', 'saved_search_matched'));
