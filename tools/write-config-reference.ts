// `npm run docs:config`: writes the configuration reference (tools/config-reference.ts) into README.md.
import { readFileSync, writeFileSync } from "node:fs";
import { FIELDS } from "../src/config.js";
import { configReference, withReference } from "./config-reference.js";

const before = readFileSync("README.md", "utf8");
const after = withReference(before, configReference(FIELDS));
writeFileSync("README.md", after);
console.log(after === before ? "README.md: the config reference was up to date" : "README.md: config reference written");
