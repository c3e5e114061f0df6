/** Migration 003 (knowledge). Reserved for the knowledge work; empty migrations are not applied or recorded. */
export default ``;
