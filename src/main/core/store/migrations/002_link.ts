/** Migration 002 (link). Reserved for the link work; empty migrations are not applied or recorded. */
export default ``;
