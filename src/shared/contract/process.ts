/** Checklists, incidents and handover slice: filled by the process work. */
export const processMethods = {};
export const processEvents = {};
