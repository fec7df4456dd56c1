import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api/api-error';
import { Api } from './api/client';
import { Notices } from './components/notices';
import { clearNotices } from './notices';
import { DeadLetterPage } from './pages/dead-letter';
import { DeliveryPage } from './pages/delivery';
import { EndpointPage } from './pages/endpoint';
import { EndpointsPage } from './pages/endpoints';
import { EventPage } from './pages/event';
import { DeliveriesPage } from './pages/deliveries';
import { EventsPage } from './pages/events';
import { OperatorKeysPage } from './pages/operator-keys';
import { OverviewPage } from './pages/overview';
import { SignIn } from './pages/sign-in';
import { TenantsPage } from './pages/tenants';
import { href, useRoute, type Route } from './routing';
import { identify, isOperator, showsTenants, type Identity } from './session/identity';
import { forgetKey, storedKey, storeKey, takeKeyFromFragment } from './session/key-storage';
import { SessionContext, type Session } from './session/session';

function Page({ route, identity }: { route: Route; identity: Identity }) {
  const [section, id] = route.parts;
  switch (section) {
    case undefined:
    case 'overview':
      return <OverviewPage />;
    case 'tenants':
      if (showsTenants(identity)) return <TenantsPage />;
      break;
    case 'endpoints':
      return id ? <EndpointPage id={id} route={route} /> : <EndpointsPage route={route} />;
    case 'events':
      return id ? <EventPage id={id} /> : <EventsPage route={route} />;
    case 'deliveries':
      return id ? <DeliveryPage id={id} /> : <DeliveriesPage route={route} />;
    case 'dead-letter':
      return <DeadLetterPage route={route} />;
    case 'operator-keys':
      if (isOperator(identity)) return <OperatorKeysPage />;
      break;
  }
  return (
    <div class="card empty">
      No such page. <a href={href('')}>Go to the overview</a>.
    </div>
  );
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const { identity } = session;
  const section = route.parts[0] ?? 'overview';
  const links: [string, string][] = [
    ['overview', 'Overview'],
    ...(showsTenants(identity) ? ([['tenants', 'Tenants']] as [string, string][]) : []),
    ['endpoints', 'Endpoints'],
    ['events', 'Events'],
    ['deliveries', 'Deliveries'],
    ['dead-letter', 'Dead letter'],
    ...(isOperator(identity) ? ([['operator-keys', 'Operator keys']] as [string, string][]) : []),
  ];
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href={href('')}>
          <span class="brand-mark" aria-hidden="true" />
          Hookline
        </a>
        <nav class="nav">
          {links.map(([path, label]) => (
            <a key={path} href={href(path)} class={section === path ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <div class="who">
          {identity.kind === 'operator' ? (
            <span class="badge badge-operator">operator</span>
          ) : (
            <span class="badge badge-tenant" title="a tenant key sees only its own tenant">
              tenant {identity.tenantId ?? ''}
            </span>
          )}
          <button type="button" class="button button-quiet" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main class="content">
        <Notices />
        <Page route={route} identity={identity} />
      </main>
    </div>
  );
}

export function App() {
  const [session, setSession] = useState<Session>();
  // A key from the link or this tab is being checked: say so rather than show an empty form.
  const [busy, setBusy] = useState(() => /^#key=/.test(window.location.hash) || !!storedKey());
  const [error, setError] = useState<string>();

  const signOut = (reason?: string) => {
    forgetKey();
    clearNotices();
    setSession(undefined);
    setError(reason);
  };

  // Which sign-in is the latest: a key checked after another (a link opened while the stored
  // key is still being checked) wins, whichever answer comes last.
  const attempt = useRef(0);
  const signIn = async (key: string) => {
    const mine = ++attempt.current;
    setBusy(true);
    setError(undefined);
    const api = new Api(key, () => {
      // A request of a key signed in before this one is no reason to sign this one out.
      if (mine === attempt.current)
        signOut('The server refused the key (expired, revoked or wrong): sign in again.');
    });
    try {
      const identity = await identify(api);
      if (mine !== attempt.current) return;
      storeKey(key);
      // What the last key was shown (a secret, a portal link) is not the next one's to see.
      clearNotices();
      setSession({ api, identity });
    } catch (e) {
      if (mine !== attempt.current) return;
      forgetKey();
      // A link's key that fails leaves no session of an earlier key signed in behind the form.
      setSession(undefined);
      setError(describeError(e));
    } finally {
      if (mine === attempt.current) setBusy(false);
    }
  };

  useEffect(() => {
    const key = takeKeyFromFragment() ?? storedKey();
    if (key) void signIn(key);
    // A portal link opened in a tab already on the console changes only the fragment: no load.
    const linked = () => {
      const linkedKey = takeKeyFromFragment();
      if (linkedKey) void signIn(linkedKey);
    };
    window.addEventListener('hashchange', linked);
    return () => window.removeEventListener('hashchange', linked);
  }, []);

  if (!session) return <SignIn onSubmit={(key) => void signIn(key)} error={error} busy={busy} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} onSignOut={() => signOut()} />
    </SessionContext.Provider>
  );
}
