/** Runbooks and dashboards slice (search, import, refresh): filled by the offline-knowledge work. */
export const knowledgeMethods = {};
export const knowledgeEvents = {};
