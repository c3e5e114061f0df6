/** Feature namespaces: each view folder owns its texts in `i18n.ts` ({ en, 'zh-CN' }). */
import { alertsText } from '../features/alerts/i18n';
import { runbooksText } from '../features/runbooks/i18n';
import { dashboardsText } from '../features/dashboards/i18n';
import { checklistsText } from '../features/checklists/i18n';
import { incidentsText } from '../features/incidents/i18n';
import { rosterText } from '../features/roster/i18n';
import { handoverText } from '../features/handover/i18n';
import { linkText } from '../features/link/i18n';
import { desktopText } from '../features/settings/i18n';
import { signinText } from '../features/signin/i18n';

export const featureNamespaces = {
  alerts: alertsText,
  runbooks: runbooksText,
  dashboards: dashboardsText,
  checklists: checklistsText,
  incidents: incidentsText,
  roster: rosterText,
  handover: handoverText,
  link: linkText,
  desktop: desktopText,
  signin: signinText,
} as const;
