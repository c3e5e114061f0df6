/** Migration 004 (process). Reserved for the process work; empty migrations are not applied or recorded. */
export default ``;
