// Test only. Validates pass.json files against passkit-generator's published
// schemas (Joi), as installed from package-lock.json by `npm ci`:
//
//	node validate.mjs a/pass.json b/pass.json ...
//
// Prints one line per problem, "<file>: <message>", and exits 1 when there is
// any. It is stricter than passkit-generator, which drops unknown keys
// silently when it reads a model: here an unknown key is an error, since it
// means a misspelt one that Wallet would ignore as well.
import { readFile } from "node:fs/promises";

// The package exports only its PKPass class; its schemas are read from their
// file, which the "exports" map does not cover.
const { PassProps } = await import(
	new URL("./node_modules/passkit-generator/lib/esm/schemas/index.js", import.meta.url)
);

// Apple requires these top-level keys; passkit-generator leaves them optional
// because its models may get them from the properties given to PKPass.from.
const Pass = PassProps.fork(
	["description", "formatVersion", "organizationName", "passTypeIdentifier", "serialNumber", "teamIdentifier"],
	(key) => key.required(),
);

const files = process.argv.slice(2);
if (files.length === 0) {
	console.error("usage: node validate.mjs pass.json...");
	process.exit(2);
}
let problems = 0;
for (const file of files) {
	let pass;
	try {
		pass = JSON.parse(await readFile(file, "utf8"));
	} catch (err) {
		console.log(`${file}: ${err.message}`);
		problems++;
		continue;
	}
	const { error } = Pass.validate(pass, { abortEarly: false, convert: false });
	for (const detail of error?.details ?? []) {
		console.log(`${file}: ${detail.message} (at ${detail.path.join(".") || "the top"})`);
		problems++;
	}
}
process.exit(problems > 0 ? 1 : 0);
