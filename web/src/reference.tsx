// ReferencePage is the API reference, rendered from /v1/openapi.json: the
// operations by tag with their parameters, bodies, responses and the
// roles they need, and the schemas. A small renderer of our own keeps
// the bundle small and needs nothing from the network.
import { useEffect, useState } from "preact/hooks";

import { api, ProblemError } from "./api";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const methods = ["get", "post", "put", "patch", "delete"];

function refName(s: Json | undefined): string {
  if (!s) return "";
  if (s.$ref) return String(s.$ref).split("/").pop() ?? "";
  if (s.type === "array") return `${refName(s.items)}[]`;
  if (s.oneOf) return s.oneOf.map(refName).join(" | ");
  return Array.isArray(s.type) ? s.type.join(" | ") : (s.type ?? "object");
}

export function ReferencePage() {
  const [doc, setDoc] = useState<Json | null>(null);
  const [error, setError] = useState("");
  const [filter, setFilter] = useState("");
  useEffect(() => {
    api<Json>("/v1/openapi.json", { key: "" })
      .then(setDoc)
      .catch((e) =>
        setError(e instanceof ProblemError && e.status === 404 ? "This stage does not serve its OpenAPI document yet." : String(e.message)),
      );
  }, []);
  if (error)
    return (
      <section>
        <h1>API reference</h1>
        <p class="notice bad" role="alert">
          {error}
        </p>
      </section>
    );
  if (!doc)
    return (
      <section>
        <h1>API reference</h1>
        <p role="status">Loading the API document…</p>
      </section>
    );
  const ops: { tag: string; method: string; path: string; op: Json }[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const m of methods) {
      if (item[m]) ops.push({ tag: item[m].tags?.[0] ?? "other", method: m, path, op: { ...item[m], parameters: [...(item.parameters ?? []), ...(item[m].parameters ?? [])] } });
    }
  }
  const f = filter.toLowerCase();
  const shown = ops.filter((o) => !f || `${o.method} ${o.path} ${o.op.summary ?? ""}`.toLowerCase().includes(f));
  const tags = [...new Set(shown.map((o) => o.tag))];
  return (
    <section aria-labelledby="ref-title" class="reference">
      <h1 id="ref-title">
        {doc.info?.title ?? "API"} <small>{doc.info?.version}</small>
      </h1>
      {doc.info?.description && <p>{doc.info.description}</p>}
      <p>
        <a href="/v1/openapi.json" download="openapi.json">
          Download the OpenAPI document
        </a>{" "}
        ({doc.openapi}, {ops.length} operations)
      </p>
      <div class="field">
        <label for="ref-filter">Filter operations</label>
        <input id="ref-filter" type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      </div>
      {tags.map((tag) => (
        <section aria-labelledby={`tag-${tag}`}>
          <h2 id={`tag-${tag}`}>{tag}</h2>
          {shown
            .filter((o) => o.tag === tag)
            .map((o) => (
              <Operation method={o.method} path={o.path} op={o.op} />
            ))}
        </section>
      ))}
      {doc.components?.schemas && (
        <section aria-labelledby="schemas-title">
          <h2 id="schemas-title">Schemas</h2>
          {Object.entries<Json>(doc.components.schemas).map(([name, s]) => (
            <details id={`schema-${name}`}>
              <summary>{name}</summary>
              {s.description && <p>{s.description}</p>}
              {s.properties ? (
                <div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Field</th>
                        <th scope="col">Type</th>
                        <th scope="col">Description</th>
                      </tr>
                    </thead>
                    <tbody>
                      {Object.entries<Json>(s.properties).map(([p, ps]) => (
                        <tr>
                          <td>
                            <code>{p}</code>
                            {s.required?.includes(p) ? " (required)" : ""}
                          </td>
                          <td>{refName(ps)}</td>
                          <td>{ps.description ?? ""}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <pre>{JSON.stringify(s, null, 2)}</pre>
              )}
            </details>
          ))}
        </section>
      )}
    </section>
  );
}

function Operation({ method, path, op }: { method: string; path: string; op: Json }) {
  const body = op.requestBody?.content?.["application/json"]?.schema;
  const security = (op.security ?? []).flatMap((s: Json) => Object.keys(s));
  return (
    <details class="operation">
      <summary>
        <span class="method">{method.toUpperCase()}</span> <code>{path}</code> {op.summary && <span>: {op.summary}</span>}
      </summary>
      {op.description && <p>{op.description}</p>}
      <p>Authorisation: {security.length ? security.join(" or ") : "none (public)"}</p>
      {op.parameters?.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Parameters</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">In</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {op.parameters.map((p: Json) => (
                <tr>
                  <td>
                    <code>{p.name ?? refName(p)}</code>
                    {p.required ? " (required)" : ""}
                  </td>
                  <td>{p.in}</td>
                  <td>{refName(p.schema)}</td>
                  <td>{p.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {body && (
        <p>
          Body: <SchemaLink s={body} />
        </p>
      )}
      <ul>
        {Object.entries<Json>(op.responses ?? {}).map(([code, r]) => {
          const content = r.content ?? {};
          const type = Object.keys(content)[0];
          return (
            <li>
              <strong>{code}</strong> {r.description}
              {type && (
                <>
                  {" "}
                  (<code>{type}</code> <SchemaLink s={content[type].schema} />)
                </>
              )}
            </li>
          );
        })}
      </ul>
    </details>
  );
}

function SchemaLink({ s }: { s: Json | undefined }) {
  const name = refName(s);
  return s?.$ref ? <a href={`#/reference`} onClick={(e) => (e.preventDefault(), document.getElementById(`schema-${name}`)?.setAttribute("open", ""), document.getElementById(`schema-${name}`)?.scrollIntoView())}>{name}</a> : <code>{name}</code>;
}
