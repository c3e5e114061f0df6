/** Migration 006 (alerts). Reserved for the alerts work; empty migrations are not applied or recorded. */
export default ``;
