/** Rosters and escalation slice: filled by the roster work. */
export const rosterMethods = {};
export const rosterEvents = {};
