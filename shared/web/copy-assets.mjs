// Copies the browser builds of the npm dependencies into static/assets, where
// go:embed picks them up (npm ci runs it as the postinstall script). The
// copies are not committed: the lockfile says which version they are.
import { copyFileSync } from "node:fs";

const assets = { "node_modules/jsqr/dist/jsQR.js": "static/assets/jsQR.js" };
for (const [from, to] of Object.entries(assets)) {
  copyFileSync(new URL(from, import.meta.url), new URL(to, import.meta.url));
  console.log(`copied ${from} to ${to}`);
}
