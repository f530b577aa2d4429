// Builds the API's reference from its contract, shared/openapi/openapi.json,
// into static/, where go:embed picks them up (npm ci runs it after
// copy-assets.mjs; `make` again whenever the document changes):
//   static/openapi.json.gz  the document, served at GET /v1/openapi.json
//   static/docs.html.gz     the reference page, served at GET /docs
// The page is rendered here, once, by widdershins (OpenAPI to Markdown) and
// marked (Markdown to HTML): it is plain HTML with no script, so it fits the
// pages' Content-Security-Policy, and gzipped it weighs about 30 KB in the web
// function, where a renderer that runs in the browser would weigh 200 KB and
// more (RapiDoc, the smallest whole one, 217 KB gzipped). Neither copy is
// committed: the lockfile says which versions made them.
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import widdershins from "widdershins";
import { marked } from "marked";

const source = readFileSync(new URL("../openapi/openapi.json", import.meta.url), "utf8");
const doc = JSON.parse(source);
const write = (to, data) => {
  // mtime 0 in the gzip header: the same document makes the same bytes.
  const gz = gzipSync(data, { level: 9 });
  writeFileSync(new URL(to, import.meta.url), gz);
  console.log(`wrote ${to} (${data.length} bytes, ${gz.length} gzipped)`);
};

write("static/openapi.json.gz", JSON.stringify(doc));

// widdershins talks as it compiles its templates: only what we write is said.
const say = console.log;
console.log = () => {};
// A body or answer names its schema, with a link, instead of repeating it.
const markdown = await widdershins.convert(doc, { codeSamples: false, omitHeader: true, headings: 2, maxDepth: 10, sample: true, shallowSchemas: true });
console.log = say;
// Its note on code sample tabs is for pages that have them; this one has none.
const reference = markdown.replace(/^> Scroll down for code samples.*$/m, "");
const escape = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)} — reference</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/docs.css">
</head>
<body>
<main class="docs">
<p class="source">The machine-readable contract: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI ${escape(doc.openapi)}).</p>
${marked.parse(reference)}
</main>
</body>
</html>
`;
write("static/docs.html.gz", page);
