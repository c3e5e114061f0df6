/** Alert console slice (actions, notifications): filled by the alert-console work. */
export const alertMethods = {};
export const alertEvents = {};
