// Copies the front-end files the app serves from node_modules/ into static/vendor/.
// Run with `npm install && npm run vendor`; commit the result. The app itself never reads
// node_modules/: only these vendored copies are served (no CDN).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";

const vendorDir = dirname(fileURLToPath(import.meta.url));
const root = join(vendorDir, "..", "..");
const modules = join(root, "node_modules");

// package name -> files to vendor: [source in the package, target name, minify?]; ``dir``:
// another folder than static/vendor/ for a file the app does not serve (a test tool).
const packages = {
  "@utrecht/component-library-css": {
    files: [["dist/index.css", "index.min.css", true]],
    license: "LICENSE.md",
  },
  "@nl-design-system-unstable/voorbeeld-design-tokens": {
    files: [["dist/theme.css", "theme.min.css", true]],
    license: "LICENSE.md",
  },
  "htmx.org": {
    files: [["dist/htmx.min.js", "htmx.min.js", false]],
    license: "LICENSE",
  },
  // The accessibility checker of the browser tests (tests/e2e/axe.py), never served.
  "axe-core": {
    files: [["axe.min.js", "axe.min.js", false]],
    license: "LICENSE",
    dir: join(root, "tests", "e2e", "vendor"),
  },
};

const versions = {};
for (const [name, spec] of Object.entries(packages)) {
  const source = join(modules, name);
  const target = join(spec.dir ?? vendorDir, name);
  const { version } = JSON.parse(readFileSync(join(source, "package.json"), "utf8"));
  versions[name] = version;
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const [from, to, minify] of spec.files) {
    if (minify) {
      // The packages ship only unminified CSS; esbuild keeps the @license comments.
      const css = readFileSync(join(source, from), "utf8");
      const { code } = transformSync(css, { loader: "css", minify: true, legalComments: "inline" });
      writeFileSync(join(target, to), code);
    } else {
      copyFileSync(join(source, from), join(target, to));
    }
  }
  copyFileSync(join(source, spec.license), join(target, spec.license));
  writeFileSync(join(target, "VERSION"), `${name}@${version}\n`);
  console.log(`vendored ${name}@${version}`);
}
writeFileSync(join(vendorDir, "versions.json"), `${JSON.stringify(versions, null, 2)}\n`);
