// Copies the browser builds of the npm dependencies into static/assets, where
// go:embed picks them up (npm ci runs it as the postinstall script), minified
// with terser: the web function embeds them, and jsQR's build ships
// unminified (257 KB; minified, about half). The copies are not committed: the
// lockfile says which version they are.
import { readFileSync, writeFileSync } from "node:fs";
import { minify } from "terser";

const assets = { "node_modules/jsqr/dist/jsQR.js": "static/assets/jsQR.js" };
for (const [from, to] of Object.entries(assets)) {
  const source = readFileSync(new URL(from, import.meta.url), "utf8");
  const { code } = await minify(source, { compress: true, mangle: true });
  writeFileSync(new URL(to, import.meta.url), code);
  console.log(`minified ${from} (${source.length} bytes) to ${to} (${code.length} bytes)`);
}
