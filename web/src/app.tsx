// App is the console's shell: a header with the views the role may see,
// and the route's page in <main>.
import { useEffect, useRef, useState } from "preact/hooks";

import { ProblemError } from "./api";
import { DeskReservation, DeskView } from "./desk";
import { FinanceView } from "./finance";
import { BookingPage } from "./guest/book";
import { ManagePage } from "./guest/manage";
import { ReferencePage } from "./reference";
import { match, navigate, useHashPath } from "./router";
import { canDesk, canFinance, type Session, signIn, signOut, useSession } from "./session";

export function App() {
  const path = useHashPath();
  const session = useSession();
  const main = useRef<HTMLElement>(null);
  // Move focus to the new page, as a full page load would, so keyboard
  // and screen-reader users start at its top.
  useEffect(() => {
    main.current?.focus();
  }, [path]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <Header session={session} path={path} />
      <main id="main" ref={main} tabIndex={-1}>
        <Route path={path} session={session} />
      </main>
    </>
  );
}

function Header({ session, path }: { session: Session | null; path: string }) {
  const link = (href: string, label: string) => (
    <li>
      <a href={`#${href}`} aria-current={path === href || path.startsWith(`${href}/`) ? "page" : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <header class="top">
      <a class="brand" href="#/">
        Innkeeper
      </a>
      <nav aria-label="Views">
        <ul>
          {canFinance(session) && link("/finance", "Finance")}
          {canDesk(session) && link("/desk", "Front desk")}
          {link("/book/lisbon-riverside", "Book")}
          {link("/reference", "API")}
        </ul>
      </nav>
      {session ? (
        <div class="who">
          <span>
            {session.name || "Signed in"} <span class="role">({session.role})</span>
          </span>
          <button type="button" onClick={() => (signOut(), navigate("/"))}>
            Sign out
          </button>
        </div>
      ) : (
        <a class="who" href="#/">
          Staff sign-in
        </a>
      )}
    </header>
  );
}

function Route({ path, session }: { path: string; session: Session | null }) {
  let m: Record<string, string> | null;
  if ((m = match("/book/{slug}", path))) return <BookingPage slug={m.slug} />;
  if ((m = match("/manage/{reference}", path))) return <ManagePage reference={m.reference} />;
  if (path === "/reference") return <ReferencePage />;
  if (path === "/finance") return canFinance(session) ? <FinanceView /> : <NeedRole what="the finance view" />;
  if (path === "/desk") return canDesk(session) ? <DeskView /> : <NeedRole what="the front desk" />;
  if ((m = match("/desk/reservations/{reference}", path)))
    return canDesk(session) ? <DeskReservation reference={m.reference} /> : <NeedRole what="the front desk" />;
  if (path === "/") return <Home session={session} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at <code>{path}</code>. <a href="#/">Go home</a>.
      </p>
    </section>
  );
}

function NeedRole({ what }: { what: string }) {
  return (
    <section>
      <h1>Sign in</h1>
      <p>Sign in with a key whose role allows {what}.</p>
      <SignIn />
    </section>
  );
}

function Home({ session }: { session: Session | null }) {
  if (!session) {
    return (
      <section aria-labelledby="home-title">
        <h1 id="home-title">Innkeeper console</h1>
        <p>
          Guests: <a href="#/book/lisbon-riverside">book a room</a>. Staff and finance: sign in with your API key.
        </p>
        <SignIn />
      </section>
    );
  }
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">Welcome{session.name ? `, ${session.name}` : ""}</h1>
      <ul class="cards">
        {canFinance(session) && (
          <li>
            <a href="#/finance">Finance</a>: cost per day, cost per booking, reconciliation, revenue.
          </li>
        )}
        {canDesk(session) && (
          <li>
            <a href="#/desk">Front desk</a>: arrivals, departures, in-house, search, live bookings.
          </li>
        )}
        <li>
          <a href="#/reference">API reference</a>
        </li>
      </ul>
    </section>
  );
}

// SignIn asks for an API key, checks it with GET /v1/me and keeps it in
// this tab's session storage only.
export function SignIn() {
  const [key, setKey] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const s = await signIn(key);
      navigate(canFinance(s) && !canDesk(s) ? "/finance" : canDesk(s) ? "/desk" : "/");
    } catch (err) {
      setError(err instanceof ProblemError && err.status === 401 ? "That key is unknown, revoked or expired." : String((err as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="signin" onSubmit={submit} aria-describedby={error ? "signin-error" : undefined}>
      <label for="api-key">API key</label>
      <input
        id="api-key"
        name="api-key"
        type="password"
        // Not a password: one-time-code keeps the key out of the
        // browser's password manager (autocomplete="off" does not), so
        // it lives in this tab's sessionStorage only.
        autocomplete="one-time-code"
        autocapitalize="off"
        spellcheck={false}
        data-1p-ignore=""
        data-lpignore="true"
        required
        value={key}
        onInput={(e) => setKey((e.target as HTMLInputElement).value)}
      />
      <p class="hint">Kept in this tab only; closing it signs you out.</p>
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {error && (
        <p id="signin-error" class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
