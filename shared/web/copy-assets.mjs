// Copies the browser builds of the npm dependencies into static/assets, where
// go:embed picks them up (npm ci runs it as the postinstall script), minified
// with terser and kept gzip-compressed: the web function embeds them, and
// jsQR's build ships unminified (257 KB; minified 130 KB, compressed 46 KB),
// a fifth of what the function may weigh beyond Go itself. The web function
// sends a compressed copy as it is (web.read). The copies are not committed:
// the lockfile says which version they are.
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { minify } from "terser";

const assets = { "node_modules/jsqr/dist/jsQR.js": "static/assets/jsQR.js.gz" };
for (const [from, to] of Object.entries(assets)) {
  const source = readFileSync(new URL(from, import.meta.url), "utf8");
  const { code } = await minify(source, { compress: true, mangle: true });
  const gz = gzipSync(code, { level: 9 });
  writeFileSync(new URL(to, import.meta.url), gz);
  console.log(`minified ${from} (${source.length} bytes) to ${code.length} bytes, compressed to ${to} (${gz.length} bytes)`);
}

// Charts.css ships minified (60 KB); kept compressed (6 KB).
const css = { "node_modules/charts.css/dist/charts.min.css": "static/assets/charts.css.gz" };
for (const [from, to] of Object.entries(css)) {
  const source = readFileSync(new URL(from, import.meta.url));
  const gz = gzipSync(source, { level: 9 });
  writeFileSync(new URL(to, import.meta.url), gz);
  console.log(`compressed ${from} (${source.length} bytes) to ${to} (${gz.length} bytes)`);
}
