// Copies the browser builds of the npm dependencies into static/assets, where
// go:embed picks them up (npm ci runs it as the postinstall script), minified
// with terser: the web function embeds them, and jsQR's build ships
// unminified (257 KB; minified, about half). The copies are not committed: the
// lockfile says which version they are.
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { minify } from "terser";

const assets = { "node_modules/jsqr/dist/jsQR.js": "static/assets/jsQR.js" };
for (const [from, to] of Object.entries(assets)) {
  const source = readFileSync(new URL(from, import.meta.url), "utf8");
  const { code } = await minify(source, { compress: true, mangle: true });
  writeFileSync(new URL(to, import.meta.url), code);
  console.log(`minified ${from} (${source.length} bytes) to ${to} (${code.length} bytes)`);
}

// Charts.css ships minified (60 KB); kept gzip-compressed (6 KB), which the
// web function sends as it is (web.read).
const css = { "node_modules/charts.css/dist/charts.min.css": "static/assets/charts.css.gz" };
for (const [from, to] of Object.entries(css)) {
  const source = readFileSync(new URL(from, import.meta.url));
  const gz = gzipSync(source, { level: 9 });
  writeFileSync(new URL(to, import.meta.url), gz);
  console.log(`compressed ${from} (${source.length} bytes) to ${to} (${gz.length} bytes)`);
}
