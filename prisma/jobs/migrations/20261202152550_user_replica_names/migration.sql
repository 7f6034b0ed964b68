-- The users replica keeps the public profile's names too (users.user.registered/updated.v1 carry
-- them; users.user.deleted.v1 clears them): jobs provides a job's employer's names from it.
-- A row replicated before this migration gets its names with the account's next event, or at once
-- with `npm run users:republish`.
-- AlterTable
ALTER TABLE "user_replicas" ADD COLUMN     "first_name" VARCHAR(150),
ADD COLUMN     "last_name" VARCHAR(150);
