// Writes dist/stamp.json: a hash of the sources the bundle was built from. A Python test
// (tests/test_node_form_component.py) hashes them the same way, so a committed dist/
// that is older than its sources fails CI, without Node. The rule, the same in both: the
// files below and everything under src/, each as "<path>\n<sha256 of its bytes>\n",
// sorted by path, hashed with sha256.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

const here = import.meta.dirname;
const TOP_LEVEL = [
  "package-lock.json",
  "package.json",
  "stamp.mjs",
  "tsconfig.json",
  "vite.config.ts",
];

function walk(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const paths = [...TOP_LEVEL, ...walk(join(here, "src")).map((p) => relative(here, p))]
  .map((p) => p.split(sep).join("/"))
  .sort();
const total = createHash("sha256");
for (const path of paths) {
  const digest = createHash("sha256").update(readFileSync(join(here, path))).digest("hex");
  total.update(`${path}\n${digest}\n`);
}
writeFileSync(
  join(here, "dist", "stamp.json"),
  JSON.stringify({ sources: total.digest("hex"), files: paths.length }, null, 2) + "\n",
);
