/** Migration 005 (roster). Reserved for the roster work; empty migrations are not applied or recorded. */
export default ``;
