import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './App';
import { BridgeError, connect } from './api';
import { resolveLanguage } from '@shared/texts';
import { installTokens } from './design/theme';
import { initI18n } from './i18n';
import { bindAppEvents, useApp } from './stores/app';
import { bindDeepLinks } from './deep-links';
import { prefetchAlerts, startAlerts } from './features/alerts/store';
import './styles.css';

// zod probes for `new Function` support at first use; the CSP forbids eval, so tell it not to try
z.config({ jitless: true });

installTokens();
const root = createRoot(document.getElementById('root')!);

// A new secret in the fragment (a restarted host) means a new connection: start over.
window.addEventListener('hashchange', () => location.reload());

async function bootstrap() {
  // Until settings arrive, follow the browser/OS locale so the very first screen is in the right language.
  const i18n = initI18n(resolveLanguage('auto', navigator.language));
  try {
    await connect(() => useApp.setState({ connectionLost: true }));
  } catch (err) {
    const reason = err instanceof BridgeError ? err.reason : 'unreachable';
    const title = reason === 'bad_secret' ? i18n.t('errors.badSecret') : i18n.t('errors.unreachable');
    const body = reason === 'bad_secret' ? i18n.t('errors.badSecretBody') : i18n.t('errors.unreachableBody');
    root.render(
      <main className="fatal" role="alert">
        <h1>{title}</h1>
        <p>{body}</p>
      </main>,
    );
    return;
  }
  // the first screen's rows are asked for now, alongside the settings, not after the app has mounted
  prefetchAlerts();
  bindAppEvents();
  bindDeepLinks();
  await useApp.getState().load();
  // the alerts are loaded whatever the first view (the palette and the title count need them too): the
  // load starts now, with the saved sort the settings just brought, and its next page is asked for while
  // the app mounts
  startAlerts();
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
  document.body.dataset.ready = 'true';
}

void bootstrap();
