// Builds one pass per member with passkit-generator, the way its README
// shows, and prints how long that took as JSON. `go run ./infra/bench/passkit`
// writes the job file (model folder, certificates, members) and runs this.
//
//   node bench.mjs JOB.json
//
// Node runs JavaScript on one thread, so the passes are built one after the
// other on one core, as the Go side is.
import { readFile, writeFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import forge from "node-forge";
import { PKPass } from "passkit-generator";

const job = JSON.parse(await readFile(process.argv[2], "utf8"));
const members = JSON.parse(await readFile(job.members, "utf8"));
const certificates = {
	signerCert: await readFile(job.signerCert),
	signerKey: await readFile(job.signerKey),
	wwdr: await readFile(job.wwdr),
};

// build makes the pass of member m from the model folder, as a web service
// using passkit-generator does for each download.
async function build(m) {
	const pass = await PKPass.from(
		{ model: job.model, certificates },
		{ serialNumber: m.serialNumber, authenticationToken: m.authenticationToken },
	);
	pass.setBarcodes({
		format: "PKBarcodeFormatQR",
		message: m.code,
		messageEncoding: "iso-8859-1",
		altText: m.memberNumber,
	});
	// The model's fields are read anew for each pass: setting a value in
	// place changes only this pass. Replacing the field instead would trip
	// passkit-generator's check that keys are unique.
	field(pass.headerFields, "balance").value = m.balance;
	field(pass.secondaryFields, "name").value = m.name;
	return pass.getAsBuffer();
}

function field(fields, key) {
	const f = fields.find((f) => f.key === key);
	if (!f) {
		throw new Error(`the model's pass.json has no field ${key}`);
	}
	return f;
}

// One pass before the clock starts, so that module loading and the first
// compilations are not counted: the Go side is timed warm too.
await build(members[0]);

// The passes are timed in rounds, each followed by one bare RSA-2048
// PKCS #1 v1.5 signature with node-forge as passkit-generator uses it, to
// tell how much of a pass the signature is. Alternating keeps both measures
// under the same load when the machine is shared.
const round = 10;
const key = forge.pki.decryptRsaPrivateKey(certificates.signerKey.toString("utf8"));
const cpu = process.cpuUsage();
const wallStart = performance.now();
let seconds = 0;
let rsaSeconds = 0;
let rsaSignatures = 0;
let last;
for (let i = 0; i < members.length; i += round) {
	const batch = members.slice(i, i + round);
	let start = performance.now();
	for (const m of batch) {
		last = await build(m);
	}
	seconds += (performance.now() - start) / 1000;

	start = performance.now();
	const md = forge.md.sha256.create();
	md.update(batch[0].serialNumber);
	key.sign(md);
	rsaSeconds += (performance.now() - start) / 1000;
	rsaSignatures++;
}
const wallSeconds = (performance.now() - wallStart) / 1000;
const used = process.cpuUsage(cpu);
await writeFile(job.out, last);

const { version } = JSON.parse(
	await readFile(new URL("./node_modules/passkit-generator/package.json", import.meta.url), "utf8"),
);
process.stdout.write(
	JSON.stringify({
		library: `passkit-generator ${version}`,
		node: process.version,
		passes: members.length,
		seconds,
		// CPU and wall time of the whole timed part, to show that it ran on
		// about one core.
		cpuSeconds: (used.user + used.system) / 1e6,
		wallSeconds,
		rsaSignatures,
		rsaSeconds,
	}) + "\n",
);
